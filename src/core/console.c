/* console.c – what the facilitator console needs beyond the team events: a short
 * message to every team of a room, and counts a facilitator cannot derive from the
 * events they receive (private notes and hidden dots are never sent to staff; their
 * number is).
 *
 * Counts are a snapshot on request (console.counts), not a stream: a console asks
 * when it opens and after a step change, so the log does not grow with every note.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"

#include <string.h>

#define MESSAGE_MAX LIMIT_MESSAGE
#define MAX_TEAMS_PER_CMD LIMIT_TEAMS_PER_CMD

/* The room a staff command names: `room`, or a facilitator's own room. */
static int staff_room(cmdctx_t *x, const json_t *args)
{
    const char *id = json_string_value(json_object_get(args, "room"));
    if (id == NULL)
        return x->who->role == ROLE_FACILITATOR ? x->who->room : SP_E_BAD_MESSAGE;
    int64_t r = map_index(&x->core->room_ids, id);
    if (r < 0)
        return SP_E_NOT_FOUND;
    if (x->who->role == ROLE_FACILITATOR && x->who->room != (int)r)
        return SP_E_FORBIDDEN;
    return (int)r;
}

static int cmd_room_message(cmdctx_t *x, const json_t *args)
{
    const char *text;
    int r = staff_room(x, args), rc;
    if (r < 0)
        return r;
    if ((rc = arg_text(args, "text", MESSAGE_MAX, &text)) != 0)
        return rc;
    const char *room = x->core->rooms[r].id;
    cmd_emit(x, "room.message", AUD_ROOM, room, json_pack("{ss ss}", "room", room, "text", text));
    return 0;
}

static json_t *team_counts(const core_t *c, int t)
{
    int members = 0, shared = 0, priv = 0, dots = 0;
    json_t *boards = json_object();
    for (size_t m = 0; m < c->nmembers; m++)
        members += c->members[m].team == t;
    for (size_t i = 0; i < c->nnotes; i++) {
        const note_t *n = &c->notes[i];
        if (n->team != t || n->deleted)
            continue;
        if (n->private_)
            priv++;
        else
            shared++;
        json_t *b = json_object_get(boards, n->board);
        json_object_set_new(boards, n->board, json_integer(json_integer_value(b) + 1));
    }
    const pb_step_t *s = team_step(c, t);
    const vote_t *v = NULL;
    if (s && s->act == ACT_VOTE) {
        for (size_t i = 0; i < c->teams[t].nvotes; i++)
            if (c->teams[t].votes[i].step == c->teams[t].step)
                v = &c->teams[t].votes[i];
        for (size_t i = 0; v && i < v->nballots; i++)
            dots += v->ballots[i].count;
    }
    return json_pack("{ss ss si si si so si si}", "team", c->teams[t].id, "step", s ? s->id : "",
                     "members", members, "notes", shared, "private", priv, "boards", boards,
                     "dots", dots, "dots_budget", (s && s->act == ACT_VOTE) ? s->budget * members : 0);
}

static int cmd_console_counts(cmdctx_t *x, const json_t *args)
{
    int teams[MAX_TEAMS_PER_CMD];
    int n;
    if (json_object_get(args, "team") != NULL)
        n = cmd_teams(x, args, teams, MAX_TEAMS_PER_CMD);
    else {
        int r = staff_room(x, args);
        if (r < 0)
            return r;
        n = 0;
        for (size_t t = 0; t < x->core->nteams; t++) {
            if (x->core->teams[t].room != r)
                continue;
            if (n == MAX_TEAMS_PER_CMD)
                return SP_E_TOO_MANY_TEAMS;
            teams[n++] = (int)t;
        }
    }
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++)
        cmd_emit(x, "team.counts", AUD_TEAM, x->core->teams[teams[i]].id,
                 team_counts(x->core, teams[i]));
    return 0;
}

static const cmddef_t console_cmds[] = {
    {"room.message", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_room_message},
    {"console.counts", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_console_counts},
    {NULL, 0, NULL},
};

const core_module_t console_module = {"console", console_cmds, NULL, NULL, NULL};
