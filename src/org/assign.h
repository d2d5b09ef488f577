/* assign.h – place participants in challenge groups (optimally, by min-cost flow) and then in teams.
 *
 * Step 1, groups. Everyone not pinned to a group is routed through a min-cost flow
 * network: source → person → group → sink. The cost of placing a person, in order of
 * importance (each level outweighs every possible total of the levels below it):
 *   1. placing as many people as the capacities allow (max flow);
 *   2. a person with at least one choice who gets neither costs W2 (and so does anyone
 *      without a choice, see below);
 *   3. a person who gets the second choice costs W1;
 *   4. balance: the k-th seat of a group costs k (convex), so people without any choice,
 *      and ties in general, fill the emptier groups first.
 * A person without any choice costs W2 in every group: with the number of people placed
 * fixed by the max flow, the total then counts the seats that went to no one's choice,
 * so such a person never takes a seat that someone needed for a first or second choice,
 * and is never placed while someone with a choice is left without a group.
 * The result is optimal: no other placement has fewer people with neither choice, or
 * as few with neither but more with their first choice. People are interchangeable
 * within the same (first, second) choice pair, so the network has one node per pair,
 * which keeps it tiny; within a pair the seeded generator decides who gets which seat.
 * A person pinned to a group goes there even beyond its capacity, and takes one seat
 * of it.
 *
 * Step 1b, sizes that fit. A group of m people can be split into teams within
 * [team_min, team_max] only for some m (with 6–8: 0, 6–8, 12–16, 18 and up). When a group's
 * size from the flow does not fit, a size per group is chosen that does, as near as
 * possible to the flow's (dynamic programming over the groups; moving a person out of a
 * group who has another choice or none, or into a group they chose, costs 1, any other
 * move 3), keeping the total and the pins; the flow then runs again with exactly those
 * sizes as capacities, so the moved people are the ones whose other choice it is. When no
 * sizes fit (say 9 people in all with 6–8), bounds_met is false and the teams come from
 * the flow's sizes; the caller reports it.
 *
 * Step 2, teams, per group of m people. The number of teams k is the one whose sizes
 * (all floor(m/k) or ceil(m/k), so differing by at most one) fit [team_min, team_max];
 * among those it prefers a k of at least the largest organisation's head count (so no
 * two colleagues need share a team), then sizes nearest the middle of the range. If no
 * k fits the range (a small group), the k with the smallest violation is taken. A
 * person pinned to team t raises k to at least t+1: pins win over the size range.
 * People are dealt largest organisation first, each to the allowed team with the fewest
 * colleagues, then the fewest members, then the fewest of the same role; this gives
 * every organisation an even spread over the teams, so colleagues share a team only
 * when an organisation has more people than there are teams, and then as few pairs as
 * possible. A local search then swaps unpinned people between teams to mix roles,
 * never adding a colleague pair. Organisations and roles compare case-, accent- and
 * space-insensitively; an empty organisation never makes colleagues.
 *
 * Everything is deterministic for a given seed (splitmix64 drives every tie-break).
 */
#ifndef SP_ORG_ASSIGN_H
#define SP_ORG_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *organisation;  /* borrowed; NULL or "" = none */
    const char *role;          /* borrowed; NULL or "" = none */
    int choice1, choice2;      /* group index or -1 */
    bool willing_captain, willing_timekeeper;
    int pin_group;             /* -1 = free */
    int pin_team;              /* -1 = free; team number within pin_group (requires pin_group) */
} assign_person_t;

typedef struct {
    size_t n_groups;
    const int *capacity;       /* n_groups entries, a negative entry = unlimited; NULL = all unlimited */
    int team_min, team_max;    /* 0 = the defaults 6 and 8 */
    uint64_t seed;
} assign_options_t;

typedef struct {
    int group;
    int number;                /* 0-based within the group */
    int *members;              /* person indexes, ascending */
    size_t n_members;
    int captain, timekeeper;   /* suggested person indexes, -1 when nobody offered */
    size_t colleague_pairs;    /* pairs of members from the same organisation */
    size_t role_pairs;         /* pairs of members with the same role */
} assign_team_t;

typedef struct {
    size_t n_people;
    int *group;                /* per person: group index, -1 when no group had room */
    int *team;                 /* per person: index into teams, -1 when unplaced */
    assign_team_t *teams;      /* ordered by group, then number */
    size_t n_teams;
    size_t *group_size;        /* per group */
    /* Figures shown to the organiser. Shares are of the people with at least one choice. */
    size_t n_with_choice, n_first, n_second, n_neither, n_no_choice, n_unplaced;
    double share_first, share_neither;
    size_t colleague_pairs;    /* over all teams */
    size_t colleague_pairs_min;/* the least possible for the chosen team counts */
    size_t role_pairs;
    size_t team_size_min, team_size_max;   /* 0 when there are no teams */
    bool bounds_met;           /* every team within [team_min, team_max] */
    bool sizes_refit;          /* step 1b changed the flow's group sizes */
    size_t *group_first;       /* per group: people whose first choice it is */
} assign_result_t;

/* Whether m people can form teams that all lie within [lo, hi] (0 people: yes). */
bool assign_size_fits(int m, int lo, int hi);

enum {
    ASSIGN_E_OPTIONS = -1,     /* no groups, a team size range that makes no sense, > 200,000 people */
    ASSIGN_E_PIN = -2,         /* a pin names a group or team that cannot exist */
    ASSIGN_E_CHOICE = -3,      /* a choice names a group that does not exist */
};

const char *assign_err_code(int e);
const char *assign_err_nl(int e);
const char *assign_err_en(int e);

/* Runs both steps. people is borrowed. On success returns 0 and fills *out (release
 * with assign_result_free()); on failure returns an ASSIGN_E_* value and *out is zeroed. */
int assign_run(const assign_person_t *people, size_t n, const assign_options_t *opt, assign_result_t *out);
void assign_result_free(assign_result_t *r);

/* The number of teams the rule above picks for m people whose largest organisation has
 * max_org members; exposed for the organiser's preview and for tests. */
int assign_team_count(int m, int team_min, int team_max, int max_org);

/* A small, fast, seedable generator (splitmix64), shared so tests can generate data. */
uint64_t assign_rand(uint64_t *state);

#endif
