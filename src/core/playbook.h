/* playbook.h – the method as data: phases, steps, activities and their parameters.
 *
 * A playbook is JSON (data/playbooks/README in docs/protocol.md); the core reads it
 * from the `playbook.set` event so the log holds the method it was played with.
 */
#ifndef SP_PLAYBOOK_H
#define SP_PLAYBOOK_H

#include <jansson.h>
#include <stddef.h>

typedef enum {
    ACT_INTRO,
    ACT_BRAINSTORM,
    ACT_CLUSTER,
    ACT_ITEMS,
    ACT_VOTE,
    ACT_CANVAS,
    ACT_RACE,
    ACT_TIMELINE
} activity_t;

typedef enum { TARGET_LIST, TARGET_CLUSTERS, TARGET_BOARD } vote_target_t;

#define PB_ID 32

typedef struct {
    char id[PB_ID];
    activity_t act;
    int minutes;
    char phase[PB_ID];
    char board[PB_ID];        /* brainstorm, cluster, race */
    int private_notes;        /* brainstorm */
    char list[PB_ID];         /* items */
    vote_target_t target;     /* vote */
    char target_id[PB_ID];    /* vote: the list or board */
    int budget, select;       /* vote */
    char canvas[PB_ID];       /* canvas */
    char (*fields)[PB_ID];
    size_t nfields;
    int rounds, round_minutes;/* race */
    json_t *prize;            /* race, {"nl","en"}, owned */
    char vote_step[PB_ID];    /* timeline: the vote whose selection it works on */
    int years;                /* timeline */
    unsigned kinds;           /* timeline: bit per milestone kind */
} pb_step_t;

typedef struct {
    char id[PB_ID];
    pb_step_t *steps;
    size_t nsteps;
} playbook_t;

/* Milestone kinds of the Crystal Ball. */
extern const char *const pb_milestone_kinds[4];   /* goal, role, dropped, added */

/* Parses and checks a playbook. Returns 0, or SP_E_BAD_PLAYBOOK (out is then empty).
 * Checks: known activities, unique step ids, positive durations, budgets 1..100,
 * a vote's list or board written by an earlier step, a timeline's vote earlier. */
int playbook_parse(const json_t *j, playbook_t *out);
void playbook_free(playbook_t *pb);

/* The index of the step with this id, or -1. */
int playbook_find(const playbook_t *pb, const char *id);

/* The index of a canvas field, or -1. */
int playbook_field(const pb_step_t *s, const char *field);

#endif
