/* console.c – what the facilitator console and the room screens need beyond the team
 * events: a short message to every team of a room, counts a facilitator cannot derive
 * from the events they receive, and the status of a room for its projector.
 *
 * Counts (core_team_counts) are not logged: the server pushes them to the staff of the
 * room as non-durable frames, throttled, like presence; console.counts still gives a
 * snapshot as team.counts events. Their audience is the room's desk (its facilitators
 * and the organiser), never the team: a member must not learn how many dots the team
 * has placed before the reveal, and private notes and hidden dots are sent to staff only
 * as numbers, never their text or targets.
 *
 * The status of a room (core_room_status) is what its projector shows: the step most of
 * the room's teams are at, the timer of those teams, the latest room message and whether
 * the facilitator turned on the time-up sound. Like counts it is derived from the state
 * and pushed by the server (to screens and the organiser) when it changes, not logged:
 * commands keep their events, and a screen derives the time-up moment from ends_at.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/org.h"
#include "core/state.h"
#include "util/jtext.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX LIMIT_MESSAGE
#define MAX_TEAMS_PER_CMD LIMIT_TEAMS_PER_CMD

typedef struct {
    json_t *messages;   /* room id → the latest room.message text */
    json_t *sound;      /* room id → true when the time-up sound is on */
} console_t;

static void *console_new(void)
{
    console_t *k = xcalloc(1, sizeof *k);
    k->messages = json_object();
    k->sound = json_object();
    return k;
}

static void console_free(void *st)
{
    console_t *k = st;
    if (k == NULL)
        return;
    json_decref(k->messages);
    json_decref(k->sound);
    free(k);
}

static console_t *K(const core_t *c) { return core_mod(c, MOD_CONSOLE); }

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

/* room.sound: the facilitator turns the time-up sound of the room's phones and screen on
 * or off (off by default: a room full of phones beeping is a choice, not a default). */
static int cmd_room_sound(cmdctx_t *x, const json_t *args)
{
    int r = staff_room(x, args);
    if (r < 0)
        return r;
    const json_t *on = json_object_get(args, "on");
    if (!json_is_boolean(on))
        return SP_E_BAD_MESSAGE;
    const char *room = x->core->rooms[r].id;
    cmd_emit(x, "room.sound", AUD_ROOM, room, json_pack("{ss sb}", "room", room, "on", json_is_true(on)));
    return 0;
}

/* The planned members of team t: registrations the organiser's assignment put there. */
static int team_assigned(const core_t *c, int t)
{
    const org_t *o = org_of(c);
    int n = 0;
    for (size_t i = 0; o && i < o->n; i++)
        n += !o->people[i].deleted && o->people[i].team == t;
    return n;
}

/* ---- counts as text ------------------------------------------------------------------
 *
 * The server compares and sends the counts of hundreds of teams a second (S2: 625), so
 * they are written as JSON text straight from the tallies, without building jansson
 * objects to encode, compare and copy; the JSON API below parses the same text, so there
 * is one definition of the counts. */

static void tb_key_int(tbuf_t *b, const char *key, long long v)
{
    char num[48];
    snprintf(num, sizeof num, ",\"%s\":%lld", key, v);
    tb_raw(b, num);
}

/* Notes per board of one team: the playbook has a handful of boards. */
typedef struct {
    const char *board;
    int n;
} board_n_t;

typedef struct {
    int members, shared, priv, items;
    board_n_t *boards;
    size_t nboards;
} tally_t;

static void tally_board(tally_t *k, const char *board)
{
    for (size_t i = 0; i < k->nboards; i++)
        if (strcmp(k->boards[i].board, board) == 0) {
            k->boards[i].n++;
            return;
        }
    k->boards = xrealloc(k->boards, (k->nboards + 1) * sizeof *k->boards);
    k->boards[k->nboards++] = (board_n_t){board, 1};
}

/* The counts of team t given its tallies from one pass over the state. */
static char *counts_text(const core_t *c, int t, const tally_t *k)
{
    const pb_step_t *s = team_step(c, t);
    int dots = 0, done = 0, tie = 0;
    if (s && s->act == ACT_VOTE) {
        const vote_t *v = NULL;
        for (size_t i = 0; i < c->teams[t].nvotes; i++)
            if (c->teams[t].votes[i].step == c->teams[t].step)
                v = &c->teams[t].votes[i];
        for (size_t i = 0; v && i < v->nballots; i++)
            dots += v->ballots[i].count;
        for (size_t m = 0; v && m < v->ndone && m < c->nmembers; m++)
            done += v->done[m] && c->members[m].team == t;
        tie = v && v->revealed && v->tie != NULL && v->selected == NULL;
    }
    tbuf_t b = {0};
    tb_raw(&b, "{\"team\":");
    tb_str(&b, c->teams[t].id);
    tb_raw(&b, ",\"room\":");
    tb_str(&b, c->rooms[c->teams[t].room].id);
    tb_raw(&b, ",\"step\":");
    tb_str(&b, s ? s->id : "");
    tb_key_int(&b, "members", k->members);
    tb_key_int(&b, "assigned", team_assigned(c, t));
    tb_key_int(&b, "notes", k->shared);
    tb_key_int(&b, "private", k->priv);
    tb_raw(&b, ",\"boards\":{");
    for (size_t i = 0; i < k->nboards; i++) {
        if (i > 0)
            tb_raw(&b, ",");
        tb_str(&b, k->boards[i].board);
        char num[24];
        snprintf(num, sizeof num, ":%d", k->boards[i].n);
        tb_raw(&b, num);
    }
    tb_raw(&b, "}");
    tb_key_int(&b, "items", k->items);
    tb_key_int(&b, "dots", dots);
    tb_key_int(&b, "dots_budget", (s && s->act == ACT_VOTE) ? s->budget * k->members : 0);
    tb_key_int(&b, "voted", done);
    tb_raw(&b, tie ? ",\"tie\":true" : ",\"tie\":false");
    tb_key_int(&b, "active", (long long)c->teams[t].active);
    tb_raw(&b, "}");
    return b.s;
}

void core_counts_texts(const core_t *c, const unsigned char *mark, char **texts)
{
    size_t nt = c->nteams;
    tally_t *k = xcalloc(nt + 1, sizeof *k);
#define MARKED(t) ((t) >= 0 && (size_t)(t) < nt && (mark == NULL || mark[t]))
    for (size_t m = 0; m < c->nmembers; m++)
        if (MARKED(c->members[m].team))
            k[c->members[m].team].members++;
    for (size_t i = 0; i < c->nnotes; i++) {
        const note_t *x = &c->notes[i];
        if (x->deleted || !MARKED(x->team))
            continue;
        if (x->private_)
            k[x->team].priv++;
        else
            k[x->team].shared++;
        tally_board(&k[x->team], x->board);
    }
    for (size_t i = 0; i < c->nitems; i++) {
        const item_t *x = &c->items[i];
        if (x->deleted || !MARKED(x->team))
            continue;
        const pb_step_t *s = team_step(c, x->team);
        k[x->team].items += s && s->act == ACT_ITEMS && strcmp(x->list, s->list) == 0;
    }
    for (size_t t = 0; t < nt; t++) {
        texts[t] = MARKED((int)t) ? counts_text(c, (int)t, &k[t]) : NULL;
        free(k[t].boards);
    }
#undef MARKED
    free(k);
}

json_t *core_counts_some(const core_t *c, const unsigned char *mark)
{
    size_t nt = c->nteams;
    char **texts = xcalloc(nt + 1, sizeof *texts);
    core_counts_texts(c, mark, texts);
    json_t *all = json_object();
    for (size_t t = 0; t < nt; t++) {
        if (texts[t] != NULL)
            json_object_set_new(all, c->teams[t].id, json_loads(texts[t], 0, NULL));
        free(texts[t]);
    }
    free(texts);
    return all;
}

json_t *core_counts_all(const core_t *c)
{
    return core_counts_some(c, NULL);
}

json_t *core_team_counts(const core_t *c, size_t ti)
{
    if (ti >= c->nteams)
        return NULL;
    unsigned char *mark = xcalloc(c->nteams, 1);
    mark[ti] = 1;
    json_t *some = core_counts_some(c, mark);
    json_t *one = json_incref(json_object_get(some, c->teams[ti].id));
    json_decref(some);
    free(mark);
    return one;
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
    for (int i = 0; i < n; i++) {
        const team_t *tm = &x->core->teams[teams[i]];
        cmd_emit(x, "team.counts", AUD_DESK, x->core->rooms[tm->room].id,
                 core_team_counts(x->core, (size_t)teams[i]));
    }
    return 0;
}

/* ---- the room's status for its screen ------------------------------------------------- */

static json_t *timer_of(const team_t *tm)
{
    static const char *const names[] = {"idle", "running", "paused", "stopped", "expired"};
    json_t *o = json_pack("{ss sI}", "state", names[tm->timer.state], "duration_ms",
                          (json_int_t)tm->timer.duration_ms);
    if (tm->timer.state == TIMER_RUNNING)
        json_object_set_new(o, "ends_at", json_integer(tm->timer.ends_at));
    if (tm->timer.state == TIMER_PAUSED)
        json_object_set_new(o, "remaining_ms", json_integer(tm->timer.remaining_ms));
    return o;
}

/* The status of room r: the step most of its teams with members are at (every team when
 * none has members yet; on a tie the later step, where the room is heading), the timer
 * of the first of those teams whose timer is set, the message and the sound. */
json_t *core_room_status(const core_t *c, size_t ri)
{
    if (!c->has_pb || ri >= c->nrooms)
        return NULL;
    int r = (int)ri;
    size_t ns = c->pb.nsteps;
    int *at = xcalloc(ns + 1, sizeof *at);
    unsigned char *has = xcalloc(c->nteams + 1, 1);   /* one pass, not teams × members */
    for (size_t m = 0; m < c->nmembers; m++)
        if (c->members[m].team >= 0 && (size_t)c->members[m].team < c->nteams)
            has[c->members[m].team] = 1;
    int with = 0, total = 0;
    for (size_t t = 0; t < c->nteams; t++)
        with += c->teams[t].room == r && has[t];
    for (size_t t = 0; t < c->nteams; t++) {
        if (c->teams[t].room != r || (with > 0 && !has[t]))
            continue;
        at[c->teams[t].step]++;
        total++;
    }
    free(has);
    int best = 0;
    for (size_t s = 0; s < ns; s++)
        if (at[s] >= at[best] && at[s] > 0)
            best = (int)s;
    free(at);
    json_t *timer = NULL;
    int count = 0;
    for (size_t t = 0; t < c->nteams; t++) {
        const team_t *tm = &c->teams[t];
        if (tm->room != r || tm->step != best)
            continue;
        count++;
        if (timer == NULL && tm->timer.state != TIMER_IDLE)
            timer = timer_of(tm);
    }
    if (timer == NULL)
        timer = json_pack("{ss sI}", "state", "idle", "duration_ms",
                          (json_int_t)c->pb.steps[best].minutes * 60000);
    const console_t *k = K(c);
    const char *room = c->rooms[r].id;
    const char *msg = json_string_value(json_object_get(k->messages, room));
    return json_pack("{ss ss si si si so ss sb}", "room", room, "step", c->pb.steps[best].id, "index",
                     best, "at", count, "teams", total, "timer", timer, "message", msg ? msg : "",
                     "sound", json_is_true(json_object_get(k->sound, room)));
}

static const cmddef_t console_cmds[] = {
    {"room.message", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_room_message},
    {"room.sound", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_room_sound},
    {"console.counts", ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_console_counts},
    {NULL, 0, NULL},
};

static void on_room_message(core_t *c, const ev_t *ev)
{
    json_object_set_new(K(c)->messages, ev_str(ev, "room"), json_string(ev_str(ev, "text")));
}

static void on_room_sound(core_t *c, const ev_t *ev)
{
    json_object_set_new(K(c)->sound, ev_str(ev, "room"),
                        json_boolean(json_is_true(json_object_get(ev->data, "on"))));
}

static const applydef_t console_apply[] = {
    {"room.message", on_room_message},
    {"room.sound", on_room_sound},
    {NULL, NULL},
};

const core_module_t console_module = {"console", console_cmds, console_apply, console_new, console_free};
