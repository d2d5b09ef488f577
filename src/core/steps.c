/* steps.c – the one table of where a team's work may change.
 *
 * Every command that changes a note, cluster, item, canvas field, milestone or dot
 * names the activities of the steps at which it is allowed; everywhere else it is
 * refused with wrong_step. "At the step" also means the object belongs to that step:
 * a note of the board of the current brainstorm, cluster or race step, an item of the
 * current items list, a field of the current canvas. Notes on the `wall` are open at
 * every step. docs/protocol.md ("Where work may change") prints the same table.
 *
 * Invariants
 *  1. A command in the table is refused (wrong_step) unless the team's current step
 *     has one of its activities – what a step settled (a vote's options, a selection)
 *     changes only when the team goes back to that step.
 *  2. Commands outside the table (steps, timers, roles, staff commands) check their
 *     own conditions.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"

#include <string.h>

#define A(act) (1u << (act))
#define BOARDS (A(ACT_BRAINSTORM) | A(ACT_CLUSTER) | A(ACT_RACE))

typedef struct {
    const char *cmd;
    unsigned acts;     /* bit per activity_t at whose steps the command is allowed */
    int wall;          /* also at every step for a note on the wall */
} step_rule_t;

static const step_rule_t step_rules[] = {
    {"note.add", BOARDS, 1},
    {"note.edit", BOARDS, 1},
    {"note.delete", BOARDS, 1},
    {"note.share", A(ACT_BRAINSTORM), 0},
    {"note.move", A(ACT_CLUSTER), 0},
    {"note.place", A(ACT_CLUSTER), 0},
    {"cluster.add", A(ACT_CLUSTER), 0},
    {"cluster.rename", A(ACT_CLUSTER), 0},
    {"cluster.delete", A(ACT_CLUSTER), 0},
    {"cluster.place", A(ACT_CLUSTER), 0},
    {"cluster.suggest", A(ACT_CLUSTER), 0},
    {"cluster.accept", A(ACT_CLUSTER), 0},
    {"cluster.undo", A(ACT_CLUSTER), 0},
    {"item.add", A(ACT_ITEMS), 0},
    {"item.edit", A(ACT_ITEMS), 0},
    {"item.delete", A(ACT_ITEMS), 0},
    {"canvas.set", A(ACT_CANVAS), 0},
    {"milestone.add", A(ACT_TIMELINE), 0},
    {"milestone.edit", A(ACT_TIMELINE), 0},
    {"milestone.delete", A(ACT_TIMELINE), 0},
    {"vote.place", A(ACT_VOTE), 0},
    {"vote.remove", A(ACT_VOTE), 0},
    {"vote.done", A(ACT_VOTE), 0},
};

static const step_rule_t *rule_of(const char *cmd)
{
    for (size_t i = 0; i < sizeof step_rules / sizeof step_rules[0]; i++)
        if (strcmp(step_rules[i].cmd, cmd) == 0)
            return &step_rules[i];
    return NULL;
}

/* The board, list or canvas a step works on ("" for votes and timelines). */
static const char *step_object(const pb_step_t *s)
{
    switch (s->act) {
    case ACT_BRAINSTORM:
    case ACT_CLUSTER:
    case ACT_RACE: return s->board;
    case ACT_ITEMS: return s->list;
    case ACT_CANVAS: return s->canvas;
    default: return "";
    }
}

int step_allows(const core_t *c, int t, const char *cmd, const char *where)
{
    const step_rule_t *r = rule_of(cmd);
    if (r == NULL)
        return 0;
    if (r->wall && where != NULL && strcmp(where, "wall") == 0)
        return 0;
    if (!c->has_pb)
        return SP_E_NO_PLAYBOOK;
    const pb_step_t *s = team_step(c, t);
    if (!(r->acts & A(s->act)))
        return SP_E_WRONG_STEP;
    if (where != NULL && strcmp(where, step_object(s)) != 0)
        return SP_E_WRONG_STEP;
    return 0;
}

int step_check_cmd(const core_t *c, const who_t *who, const char *cmd)
{
    const step_rule_t *r = rule_of(cmd);
    /* Wall notes are allowed anywhere: board.c checks them with the note's board. */
    if (r == NULL || r->wall || who->role != ROLE_PARTICIPANT || !c->has_pb)
        return 0;
    return step_allows(c, who->team, cmd, NULL);
}

void core_step_table(void (*cb)(void *ud, const char *cmd, const char *const *acts, size_t n,
                                int wall),
                     void *ud)
{
    static const char *const names[] = {"intro", "brainstorm", "cluster", "items",
                                        "vote",  "canvas",     "race",    "timeline"};
    for (size_t i = 0; i < sizeof step_rules / sizeof step_rules[0]; i++) {
        const char *acts[8];
        size_t n = 0;
        for (int a = 0; a < 8; a++)
            if (step_rules[i].acts & (1u << a))
                acts[n++] = names[a];
        cb(ud, step_rules[i].cmd, acts, n, step_rules[i].wall);
    }
}
