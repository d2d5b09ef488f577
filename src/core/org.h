/* org.h – the state of the organiser's module (org.c, org_assign.c), private to src/core. */
#ifndef SP_CORE_ORG_H
#define SP_CORE_ORG_H

#include "core/state.h"

/* One registration. Personal data: only ever in AUD_ORG events. */
typedef struct {
    char id[16];
    char *name, *email, *organisation, *role, *motivation;   /* email may be NULL */
    int choice1, choice2;       /* challenge index or -1 */
    int captain, timekeeper;    /* stated willingness */
    int deleted;
    int team;                   /* planned team index or -1 */
    int member;                 /* the member who joined as this person, or -1 */
    int pin_group, pin_team;    /* challenge index / team index, or -1 */
    char *key;                  /* what a re-import finds them by (org.c, person_key()) */
    char claim[8];              /* the confirmation code of a claim from another device, "" */
    int64_t claim_at;           /* when it was made (ms) */
} person_t;

typedef struct {
    person_t *people;
    size_t n, cap;
    strmap_t ids, emails;       /* emails: normalised address → index, -1 once deleted */
    strmap_t keys;              /* person_key() → index, -1 once deleted */
    json_t *challenges;         /* [challenge.set data] in order; index = group */
    int assigned;               /* an assign.result was applied */
    json_t *figures;            /* the latest figures */
    json_t *notes;              /* what the latest run reports (too few people, bounds) */
    int teams_per_room;         /* of the latest run */
    int walkins_closed;         /* join.walkins: only registered names may join a team */
    json_t *facilitators;       /* room id → [names], from room.updated */
} org_t;

org_t *org_of(const core_t *c);
const char *org_nz(const char *s);   /* "" for NULL */
/* The index of a challenge (its group number), -1 when unknown; and back. */
int org_challenge_index(const core_t *c, const char *id);
const char *org_challenge_id(const core_t *c, int g);
/* The group of team t: its room's challenge, -1 when that is none. */
int org_team_group(const core_t *c, int t);
/* The live registration named by args.person, or NULL with *err set. */
person_t *org_person_arg(const core_t *c, const json_t *args, int *err);
/* The figures of the placement held in the state; colleague_min comes from the run. */
json_t *org_figures_now(const core_t *c, size_t colleague_min);
size_t org_last_colleague_min(const core_t *c);

/* A new room of challenge ch with its own facilitator and screen links: its index, or
 * SP_E_NO_SECRETS. Moving team t to room r (team.moved). */
int org_room_create(cmdctx_t *x, const json_t *name, const char *ch);
void org_team_move(cmdctx_t *x, int t, int r);

/* The member who joined as p, or -1; linking member m to p (member.linked, and the
 * registration's organisation and role to the team); the registrations planned in team t
 * (t < 0: all), sorted by surname: [{person, name, key, team}]. */
int org_person_member(const core_t *c, const person_t *p);
void org_link_member(cmdctx_t *x, int m, const person_t *p);
json_t *org_planned_sorted(const core_t *c, int t);

/* Joining by name (org_join.c). */
int org_cmd_join_walkins(cmdctx_t *x, const json_t *args);
void org_on_join_walkins(core_t *c, const ev_t *ev);
void org_on_member_claim(core_t *c, const ev_t *ev);
void org_on_member_claimed(core_t *c, const ev_t *ev);

/* The assignment (org_assign.c): commands and appliers listed in org.c's tables. */
int org_cmd_assign_run(cmdctx_t *x, const json_t *args);
int org_cmd_assign_pin(cmdctx_t *x, const json_t *args);
int org_cmd_assign_move(cmdctx_t *x, const json_t *args);
void org_on_assign_result(core_t *c, const ev_t *ev);
void org_on_assign_figures(core_t *c, const ev_t *ev);
void org_on_assign_pinned(core_t *c, const ev_t *ev);
void org_on_assign_moved(core_t *c, const ev_t *ev);

#endif
