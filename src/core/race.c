/* race.c – the Idee Race: timed rounds per room, live counts, leaderboards, a winner.
 *
 * A facilitator starts a round for the whole room; ideas (notes on the race board)
 * count only while it runs, which board.c checks. Round 1 is written blind: each idea
 * stays with its author until the round ends, then the team reads all of them and
 * the room sees the leaderboard. After the last round the team with the most ideas
 * wins the prize of the playbook.
 *
 * A round is for the teams of the room that are at the race step when it starts
 * (race.round lists them); a team still at an earlier step is skipped, as other
 * room-wide commands skip the teams they do not fit, and the start is refused
 * (wrong_step) when no team of the room is at the race step. The leaderboard lists the
 * teams that took part in a round (and any team with ideas).
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int race_step(const core_t *c)
{
    for (size_t i = 0; c->has_pb && i < c->pb.nsteps; i++)
        if (c->pb.steps[i].act == ACT_RACE)
            return (int)i;
    return -1;
}

static int cmd_room(cmdctx_t *x, const json_t *args)
{
    const char *room = json_string_value(json_object_get(args, "room"));
    if (x->who->role == ROLE_FACILITATOR && room == NULL)
        return x->who->room;
    if (room == NULL)
        return SP_E_BAD_MESSAGE;
    int64_t r = map_index(&x->core->room_ids, room);
    if (r < 0)
        return SP_E_NOT_FOUND;
    if (x->who->role == ROLE_FACILITATOR && x->who->room != (int)r)
        return SP_E_FORBIDDEN;
    return (int)r;
}

static int cmd_race_start(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int r = cmd_room(x, args), s = race_step(c);
    if (r < 0)
        return r;
    if (s < 0)
        return SP_E_WRONG_STEP;
    const race_t *race = &c->races[r];
    const pb_step_t *st = &c->pb.steps[s];
    if (race->running)
        return SP_E_RACE_RUNNING;
    if (race->round >= st->rounds)
        return SP_E_RACE_OVER;
    json_t *teams = json_array();
    for (size_t t = 0; t < c->nteams; t++)
        if (c->teams[t].room == r && c->teams[t].step == s)
            json_array_append_new(teams, json_string(c->teams[t].id));
    if (json_array_size(teams) == 0) {
        json_decref(teams);
        return SP_E_WRONG_STEP;
    }
    int64_t ms = (int64_t)st->round_minutes * 60000;
    const json_t *m = json_object_get(args, "minutes");
    if (m != NULL) {
        /* A shorter or longer round for rehearsals and tests; 0.1 minute and up. */
        if (!json_is_number(m) || json_number_value(m) < 0.1 || json_number_value(m) > 60) {
            json_decref(teams);
            return SP_E_BAD_MESSAGE;
        }
        ms = (int64_t)(json_number_value(m) * 60000.0);
    }
    cmd_emit(x, "race.round", AUD_ALL, "",
             json_pack("{ss si si ss sI sI ss so}", "room", c->rooms[r].id, "round", race->round + 1,
                       "rounds", st->rounds, "state", "running", "ends_at", (json_int_t)(x->now + ms),
                       "duration_ms", (json_int_t)ms, "step", st->id, "teams", teams));
    return 0;
}

typedef struct {
    int team, count;
} score_t;

static int score_cmp(const void *a, const void *b)
{
    const score_t *x = a, *y = b;
    return x->count != y->count ? y->count - x->count : x->team - y->team;
}

void race_end_round(cmdctx_t *x, int r)
{
    core_t *c = x->core;
    const race_t *race = &c->races[r];
    const pb_step_t *st = &c->pb.steps[race->step];
    int round = race->round;
    cmd_emit(x, "race.round", AUD_ALL, "",
             json_pack("{ss si si ss ss}", "room", c->rooms[r].id, "round", round, "rounds",
                       st->rounds, "state", "ended", "step", st->id));
    score_t *sc = xcalloc(c->nteams ? c->nteams : 1, sizeof *sc);
    size_t n = 0;
    for (size_t t = 0; t < c->nteams; t++) {
        if (c->teams[t].room != r)
            continue;
        /* Round 1 was blind; now the team reads what everyone wrote. */
        share_private_notes(x, (int)t, st->board);
        int count = (int)team_board_count(c, (int)t, st->board);
        if (c->teams[t].raced == 0 && count == 0)
            continue;   /* not at the race step when a round started */
        sc[n].team = (int)t;
        sc[n].count = count;
        n++;
    }
    qsort(sc, n, sizeof *sc, score_cmp);
    json_t *board = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(board, json_pack("{ss ss si}", "team", c->teams[sc[i].team].id,
                                               "name", c->teams[sc[i].team].name, "count", sc[i].count));
    cmd_emit(x, "race.leaderboard", AUD_ALL, "",
             json_pack("{ss si so}", "room", c->rooms[r].id, "round", round, "teams", board));
    if (round >= st->rounds && n > 0 && sc[0].count > 0) {
        json_t *winners = json_array();
        for (size_t i = 0; i < n && sc[i].count == sc[0].count; i++)
            json_array_append_new(winners, json_string(c->teams[sc[i].team].id));
        cmd_emit(x, "race.won", AUD_ALL, "",
                 json_pack("{ss so si sO}", "room", c->rooms[r].id, "teams", winners, "count",
                           sc[0].count, "prize", st->prize ? st->prize : json_null()));
    }
    free(sc);
}

static int cmd_race_end(cmdctx_t *x, const json_t *args)
{
    int r = cmd_room(x, args);
    if (r < 0)
        return r;
    if (!x->core->races[r].running)
        return SP_E_RACE_NOT_RUNNING;
    race_end_round(x, r);
    return 0;
}

static const cmddef_t race_cmds[] = {
    {"race.start", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_race_start},
    {"race.end", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_race_end},
    {NULL, 0, NULL},
};

static void on_race_round(core_t *c, const ev_t *ev)
{
    int64_t r = map_index(&c->room_ids, ev_str(ev, "room"));
    if (r < 0 || !c->has_pb)
        return;
    race_t *race = &c->races[r];
    race->round = (int)json_integer_value(json_object_get(ev->data, "round"));
    race->running = strcmp(ev_str(ev, "state"), "running") == 0;
    race->ends_at = json_integer_value(json_object_get(ev->data, "ends_at"));
    race->step = playbook_find(&c->pb, ev_str(ev, "step"));
    if (race->step < 0)
        race->step = race_step(c);
    if (!race->running)
        return;
    const json_t *teams = json_object_get(ev->data, "teams"), *v;
    size_t i;
    if (teams == NULL) {
        /* A log from before rounds named their teams: every team of the room. */
        for (size_t t = 0; t < c->nteams; t++)
            if (c->teams[t].room == (int)r)
                c->teams[t].raced = race->round;
        return;
    }
    json_array_foreach(teams, i, v) {
        int t = team_index(c, json_string_value(v) ? json_string_value(v) : "");
        if (t >= 0)
            c->teams[t].raced = race->round;
    }
}

static void on_race_won(core_t *c, const ev_t *ev)
{
    int64_t r = map_index(&c->room_ids, ev_str(ev, "room"));
    if (r >= 0)
        c->races[r].won = 1;
}

static const applydef_t race_apply[] = {
    {"race.round", on_race_round},
    {"race.won", on_race_won},
    {NULL, NULL},
};

const core_module_t race_module = {"race", race_cmds, race_apply, NULL, NULL};
