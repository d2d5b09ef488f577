/* state.h – the core's state, shared by the modules of src/core (not public). */
#ifndef SP_CORE_STATE_H
#define SP_CORE_STATE_H

#include "core/core.h"
#include "core/playbook.h"
#include "util/strmap.h"

typedef struct {
    char id[16];
    json_t *name;       /* {"nl","en"}, owned */
    char challenge[16];
} room_t;

/* The modules of the core (see core_module_t below). */
enum { MOD_SPRINT, MOD_BOARD, MOD_METHOD, MOD_VOTE, MOD_WORK, MOD_RACE, MOD_SUGGEST, MOD_ORG, MOD_JURY,
       MOD_CONSOLE, MOD_COUNT };

typedef enum { TIMER_IDLE, TIMER_RUNNING, TIMER_PAUSED, TIMER_STOPPED, TIMER_EXPIRED } timer_state_t;

typedef struct {
    timer_state_t state;
    int64_t duration_ms;
    int64_t ends_at;        /* running: server time it runs out */
    int64_t remaining_ms;   /* paused */
} sp_timer_t;

/* One dot-vote of a team at one step. Ballots are (member, target) → dots. */
typedef struct {
    int member;
    char target[16];
    int count;
} ballot_t;

typedef struct {
    int step;               /* playbook step index */
    ballot_t *ballots;
    size_t nballots, capballots;
    unsigned char *done;    /* per member index of the core, 1 when done */
    size_t ndone;
    int revealed;
    json_t *selected;       /* array of targets going on, NULL while undecided */
    json_t *tie;            /* {candidates, places} while a tie waits for the captain */
} vote_t;

typedef struct {
    char id[16];
    char *name;
    int room;               /* index */
    char code[24];          /* as shown: "K7QM-X2PA"; "" until team.code */
    int step;               /* playbook step index the team is at */
    sp_timer_t timer;
    int captain, timekeeper, presenter;   /* member indices or -1 */
    vote_t *votes;          /* one per vote step played */
    size_t nvotes, capvotes;
    json_t *canvases;       /* {canvas: {field: text}}, owned */
    json_t *versions;       /* {canvas: {field: n}}: canvas.updated events per field, owned */
    int64_t active;         /* ts of the last event a member of the team caused, 0 before */
    int raced;              /* the last Idee Race round the team took part in, 0 before */
} team_t;

typedef struct {
    char id[16];
    char *name;
    int team;
    char *organisation, *role, *motivation;
} member_t;

typedef struct {
    char id[16];
    int team;
    int author;             /* member index */
    char board[PB_ID];
    char *text;
    int private_;           /* seen only by its author */
    int cluster;            /* index or -1 */
    int round;              /* race round it was written in, 0 outside the race */
    int deleted;
    int placed, x, y;       /* where it lies on the wall (note.placed); placed 0 = not yet */
    int64_t created, updated;
} note_t;

typedef struct {
    char id[16];
    int team;
    char board[PB_ID];
    char *name;
    int deleted;
    int placed, x, y;       /* the group's area on the wall (cluster.added / cluster.placed) */
} cluster_t;

typedef struct {
    char id[16];
    int team;
    char list[PB_ID];
    char *text;
    char cluster[16];
    int deleted;
} item_t;

typedef struct {
    char id[16];
    int team;
    char idea[16];
    int at;                 /* years from now: 0 = Nu */
    int kind;               /* index into pb_milestone_kinds */
    char *text;
    int deleted;
} milestone_t;

/* The Idee Race of one room. */
typedef struct {
    int round;              /* 0 before the start, then 1.. */
    int running;
    int64_t ends_at;
    int step;               /* the race step index */
    int won;
} race_t;

struct core {
    int64_t head;
    char sprint_id[64];
    char date[16];       /* "YYYY-MM-DD" of sprint.created / sprint.updated, "" when none */
    char *title_nl;
    json_t *archive;     /* {bank, orgs, public, at} once sprint.archived (owned), else NULL */

    room_t *rooms;
    size_t nrooms, caprooms;
    team_t *teams;
    size_t nteams, capteams;
    member_t *members;
    size_t nmembers, capmembers;
    note_t *notes;
    size_t nnotes, capnotes;
    cluster_t *clusters;
    size_t nclusters, capclusters;
    item_t *items;
    size_t nitems, capitems;
    milestone_t *milestones;
    size_t nmilestones, capmilestones;
    race_t *races;          /* one per room, same index */

    playbook_t pb;
    int has_pb;
    void *mod[MOD_COUNT];   /* module states, see core_module_t */

    strmap_t room_ids, team_ids, member_ids, note_ids, cluster_ids, item_ids, milestone_ids;
    strmap_t codes;      /* normalised join code → team index */
    strmap_t tokens;     /* token hash → identity (see ident_pack) */
    strmap_t cmds;       /* actor \x1f cmd id → seq */
    strmap_t joins;      /* join id → member index */
    json_t *links;       /* links.set data: [{role, room, token}], owned */
    core_secret_src_t secrets;   /* fresh codes and tokens after set-up (see core.h) */
    json_t *err_detail;  /* extra fields of the last command's error (core_error_detail) */
    unsigned effects;            /* CORE_FX_* since core_take_effects() */
    unsigned char *live;         /* per team: may have changed since core_live_changed() */
    size_t nlive;
    int live_all;                /* every team may have (set-up, staff and timer events) */
};

/* Identities in the token map: role in the high bits, index (member or room) low. */
static inline int64_t ident_pack(role_t r, int idx) { return ((int64_t)r << 32) | (uint32_t)(idx + 1); }
static inline role_t ident_role(int64_t v) { return (role_t)(v >> 32); }
static inline int ident_index(int64_t v) { return (int)(uint32_t)v - 1; }

/* The context of one command: events go through cmd_emit, which applies them. */
typedef struct {
    core_t *core;
    const who_t *who;
    const char *cmd_id;
    int64_t now;
    evlist_t *out;
} cmdctx_t;

/* Emits an event of the command: takes ownership of data, assigns the next seq,
 * applies it and appends it to the output. Handlers validate everything before the
 * first emit, so a command never half-happens. */
void cmd_emit(cmdctx_t *x, const char *type, int aud_kind, const char *aud_id, json_t *data);

typedef struct {
    const char *name;
    unsigned roles;      /* bit (1 << role) for each role allowed */
    int (*fn)(cmdctx_t *x, const json_t *args);
} cmddef_t;

typedef struct {
    const char *type;
    void (*fn)(core_t *c, const ev_t *ev);
} applydef_t;

#define ROLE_BIT(r) (1u << (r))

/* Whether a UTF-8 string has more than max code points. */
int utf8_len_over(const char *s, size_t max);

/* Reads an optional string argument of at most max code points: *out is "" when it is
 * absent. Returns 0, SP_E_BAD_MESSAGE or SP_E_TEXT_TOO_LONG. */
int arg_opt_text(const json_t *args, const char *key, size_t max, const char **out);

/* Reads a string argument and checks its length in code points (1..max).
 * Returns 0, SP_E_BAD_MESSAGE, SP_E_TEXT_EMPTY or SP_E_TEXT_TOO_LONG. */
int arg_text(const json_t *args, const char *key, size_t max, const char **out);

/* A core module: its commands and appliers (tables ended by a NULL name/type, or
 * NULL for none) and, if it needs one, a state of its own that core_new() makes and
 * core_free() frees; reach it with core_mod(c, MOD_X). A new module adds its value
 * to the enum at the top, declares itself here and joins core_modules[] in core.c. */
typedef struct {
    const char *name;
    const cmddef_t *cmds;
    const applydef_t *apply;
    void *(*state_new)(void);
    void (*state_free)(void *st);
} core_module_t;

extern const core_module_t sprint_module, board_module, method_module, vote_module,
    work_module, race_module, suggest_module, org_module,
    jury_module, console_module;

/* Emits idea.similar to the author of a new race idea (note index) when it looks like
 * an idea they can already see (suggest.c). */
void suggest_similar_idea(cmdctx_t *x, int note);
/* Emits idea.before when the race idea (note index) is close to a prior (core_set_priors):
 * to its author while the idea is private (round 1), else to its team and a copy to the
 * room's desk, once per note (suggest.c). */
void suggest_prior_hint(cmdctx_t *x, int note);
/* The same for every idea of team t on board as the idea vote puts them on the ballot. */
void suggest_prior_vote(cmdctx_t *x, int t, const char *board);

/* Whether the jury announced its results (jury.c). */
int jury_announced(const core_t *c);

/* The state of module mod (NULL when it has none). */
void *core_mod(const core_t *c, int mod);

int team_index(const core_t *c, const char *id);
int member_index(const core_t *c, const char *id);
int64_t map_index(const strmap_t *m, const char *id);   /* -1 when absent */

/* The string field key of an event's data, "" when absent. */
const char *ev_str(const ev_t *ev, const char *key);

/* The team a command acts on: a participant's own; for staff the `team` argument
 * (a facilitator only in their room). Returns the index or a negative error. */
int cmd_team(cmdctx_t *x, const json_t *args);

/* The teams a staff command acts on: `team`, or every team of `room`; a
 * participant's own team. Writes the indices to out; returns the count or an error
 * (SP_E_TOO_MANY_TEAMS when the room has more than max: none is cut off). */
int cmd_teams(cmdctx_t *x, const json_t *args, int *out, int max);

/* The teams a command acts on (cmd_teams), each kept when check(x, t, ud) returns 0.
 * A command for one team is all or nothing: its refusal is returned. A staff command
 * for a whole `room` acts on every team of the room that passes the check and skips
 * the others; the first refusal is returned only when no team is kept. Returns the
 * number of teams kept in teams[] or a negative error. */
int cmd_teams_checked(cmdctx_t *x, const json_t *args, int *teams, int max,
                      int (*check)(cmdctx_t *x, int t, void *ud), void *ud);

/* Whether who is staff for team t (its room's facilitator or the organiser). */
int is_staff_for(const core_t *c, const who_t *who, int t);
int is_captain(const core_t *c, const who_t *who, int t);

/* The playbook step a team is at, or NULL when no playbook is set. */
const pb_step_t *team_step(const core_t *c, int t);

/* The team's vote at step index s, created on first use by appliers only. */
vote_t *vote_of(core_t *c, int t, int s, int create);

/* The step table (steps.c): whether team t's current step allows cmd on an object of
 * `where` (a board, list or canvas id; NULL: whatever the step works on). Returns 0,
 * SP_E_WRONG_STEP, or SP_E_NO_PLAYBOOK; 0 for a command not in the table. */
int step_allows(const core_t *c, int t, const char *cmd, const char *where);

/* The table's check of a participant's command before it runs (wall notes excepted:
 * their board is known only to the handler). */
int step_check_cmd(const core_t *c, const who_t *who, const char *cmd);

/* Vote freeze (votes.c): SP_E_FROZEN when target (an item, cluster or note id) of team t
 * was selected by a vote of the team, else 0. */
int vote_frozen(const core_t *c, int t, const char *target);

/* Before target is deleted: every dot on it in the team's votes not yet revealed is
 * taken back with vote.removed to its voter (`gone: true`), so budgets and tallies never
 * count a dot on something that no longer exists. */
void vote_drop_target(cmdctx_t *x, int t, const char *target);

/* Sets the extra fields of the command's error (core_error_detail); takes over d. */
void cmd_error_detail(cmdctx_t *x, json_t *d);

/* Shares every private note of board in team t (emits note.shared). */
void share_private_notes(cmdctx_t *x, int t, const char *board);

/* The live notes of a team on a board. */
size_t team_board_count(const core_t *c, int team, const char *board);

/* A new member m joined (core_join): links them to the registration planned in their
 * team under the same name and shares its organisation and role with the team (org.c). */
void org_member_joined(cmdctx_t *x, int m);
/* core_join_ex()'s part for a registration picked by id in team t (see core.h): 0 with
 * *m the member, CORE_JOIN_CLAIM_PENDING, or an error with nothing emitted. Walk-ins:
 * whether a plain name may join team t. */
int org_join_person(cmdctx_t *x, int t, const char *person, const char *claim_code, int *m);
int org_walkin_allowed(const core_t *c, int t);

/* Emits what happens when a race round of room r ends (core_tick and tests). */
void race_end_round(cmdctx_t *x, int r);

/* Jurors (jury.c): the id of juror j ("j1"), or NULL; and the juror's part of
 * core_who_json (juror, name, chair) – nothing for the shared jury link. */
const char *jury_juror_id(const core_t *c, int j);
void jury_who_extend(const core_t *c, const who_t *who, json_t *o);

#endif
