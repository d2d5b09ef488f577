/* simulate.c – bots play a whole Staatsprint day through the real server (simulate.h).
 *
 * How it runs: the day is a list of rounds. In each round every bot that has something
 * to do sends its commands at once (pipelined over its own WebSocket); then the
 * simulator reads all sockets until every command is acknowledged and every bot has
 * received the events up to its last ack. The bots' picture of the day (note ids,
 * clusters, what a vote selected, race rounds) comes only from the events they
 * receive, exactly as a browser's would: nothing is read from the database.
 */
#include "sim/simulate.h"
#include "sim/child.h"
#include "sim/phrases.h"
#include "sim/ws.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_TEAMS 200
#define MAX_BOTS (MAX_TEAMS * 6 + 64)
#define WAIT_MS 20000

enum { BOT_ORG, BOT_FAC, BOT_MEMBER, BOT_JUROR };

typedef struct {
    ws_t ws;
    int kind, team, room, slot;   /* slot: index within the team */
    char member[16];
    int npend, synced;
    int64_t max_ack, last_seq;
} bot_t;

typedef struct {
    char id[16];
    int team, theme;              /* theme: index into the bank, -1 if unknown */
    char board[16];
    int private_;
    char author[16];
    char text[300];
} snote_t;

typedef struct {
    char id[16], name[64], room[16], code[32];
    int room_ix;
    int bots[6], nbots;
    json_t *votes;                /* step → {selected, tie} from vote events */
    int ideas_used[30];
    int step;
    int pace;                     /* percent chance a member adds an idea per wave */
} steam_t;

typedef struct {
    char id[16], challenge[16], fac_token[80];
    int round, running, won, fac_bot;
} sroom_t;

typedef struct {
    const sim_opts_t *o;
    pid_t child;
    int port;
    uint64_t rng;
    bot_t *bots;
    int nbots;
    steam_t teams[MAX_TEAMS];
    int nteams, played;
    sroom_t rooms[16];
    int nrooms;
    snote_t *notes;
    size_t nnotes, capnotes;
    json_t *clusters;             /* [{id, team, board, name}] */
    json_t *items;                /* [{id, team}] */
    unsigned char *seen;
    size_t capseen;
    long cmds, errors;
    char org_token[128];
    int ncmd;
    json_t *criteria;             /* jury criterion ids */
    struct {
        char id[16], token[128];
        int chair, bot;
    } jurors[8];
    int njurors;
} sim_t;

/* ---- small helpers -------------------------------------------------------------------- */

static int64_t mono_ms(void)
{
    return clock_mono_ns() / 1000000;
}

static uint32_t rnd(sim_t *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (uint32_t)((s->rng * 2685821657736338717ULL) >> 32);
}

static int rn(sim_t *s, int n) { return n > 0 ? (int)(rnd(s) % (uint32_t)n) : 0; }

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static int team_ix(sim_t *s, const char *id)
{
    for (int i = 0; i < s->nteams; i++)
        if (strcmp(s->teams[i].id, id) == 0)
            return i;
    return -1;
}

static int room_ix(sim_t *s, const char *id)
{
    for (int i = 0; i < s->nrooms; i++)
        if (strcmp(s->rooms[i].id, id) == 0)
            return i;
    return -1;
}

static const ph_bank_t *bank_of(sim_t *s, int t) { return ph_bank(s->rooms[s->teams[t].room_ix].challenge); }

/* The bank theme a problem note came from (notes are written from the bank). */
static int theme_of(const ph_bank_t *b, const char *text)
{
    for (int k = 0; k < PH_THEMES; k++)
        for (int n = 0; n < PH_NOTES; n++)
            if (strcmp(b->themes[k].notes[n], text) == 0)
                return k;
    for (int k = 0; k < PH_HKW_THEMES; k++)
        for (int n = 0; n < PH_HKW; n++)
            if (strcmp(b->hkw[k].questions[n], text) == 0)
                return k;
    return -1;
}

/* ---- events from the server ------------------------------------------------------------- */

static int seen_once(sim_t *s, int64_t seq)
{
    if (seq <= 0)
        return 0;
    size_t old = s->capseen;
    xgrow((void **)&s->seen, &s->capseen, (size_t)seq + 1, 1);
    memset(s->seen + old, 0, s->capseen - old);   /* xgrow leaves new room uninitialised */
    if (s->seen[seq])
        return 0;
    s->seen[seq] = 1;
    return 1;
}

static void apply(sim_t *s, bot_t *b, const json_t *m)
{
    const char *type = jstr(m, "type");
    const json_t *d = json_object_get(m, "data");
    int64_t seq = json_integer_value(json_object_get(m, "seq"));
    /* Vote events name no team: only a member's connection tells whose they are. */
    int teamless = strncmp(type, "vote.", 5) == 0;
    if (teamless && b->kind != BOT_MEMBER)
        return;
    if (!seen_once(s, seq))
        return;
    if (strcmp(type, "room.created") == 0 && s->nrooms < 16) {
        sroom_t *r = &s->rooms[s->nrooms++];
        memset(r, 0, sizeof *r);
        snprintf(r->id, sizeof r->id, "%s", jstr(d, "id"));
        snprintf(r->challenge, sizeof r->challenge, "%s", jstr(d, "challenge"));
        r->fac_bot = -1;
    } else if (strcmp(type, "team.created") == 0 && s->nteams < MAX_TEAMS) {
        steam_t *t = &s->teams[s->nteams];
        memset(t, 0, sizeof *t);
        snprintf(t->id, sizeof t->id, "%s", jstr(d, "id"));
        snprintf(t->name, sizeof t->name, "%s", jstr(d, "name"));
        snprintf(t->room, sizeof t->room, "%s", jstr(d, "room"));
        t->room_ix = room_ix(s, t->room);
        t->votes = json_object();
        if (t->room_ix >= 0)
            s->nteams++;
    } else if (strcmp(type, "team.code") == 0) {
        int t = team_ix(s, jstr(d, "team"));
        if (t >= 0)
            snprintf(s->teams[t].code, sizeof s->teams[t].code, "%s", jstr(d, "code"));
    } else if (strcmp(type, "links.set") == 0) {
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(d, "links"), i, l) {
            int r = room_ix(s, jstr(l, "room"));
            if (strcmp(jstr(l, "role"), "facilitator") == 0 && r >= 0)
                snprintf(s->rooms[r].fac_token, sizeof s->rooms[r].fac_token, "%s", jstr(l, "token"));
        }
    } else if (strcmp(type, "note.added") == 0) {
        int t = team_ix(s, jstr(d, "team"));
        if (t < 0)
            return;
        xgrow((void **)&s->notes, &s->capnotes, s->nnotes + 1, sizeof *s->notes);
        snote_t *n = &s->notes[s->nnotes++];
        memset(n, 0, sizeof *n);
        snprintf(n->id, sizeof n->id, "%s", jstr(d, "id"));
        snprintf(n->board, sizeof n->board, "%s", jstr(d, "board"));
        snprintf(n->author, sizeof n->author, "%s", jstr(m, "by"));
        n->team = t;
        n->private_ = json_is_true(json_object_get(d, "private"));
        n->theme = theme_of(bank_of(s, t), jstr(d, "text"));
        snprintf(n->text, sizeof n->text, "%s", jstr(d, "text"));
    } else if (strcmp(type, "note.shared") == 0) {
        for (size_t i = 0; i < s->nnotes; i++)
            if (strcmp(s->notes[i].id, jstr(d, "id")) == 0)
                s->notes[i].private_ = 0;
    } else if (strcmp(type, "cluster.added") == 0) {
        json_array_append_new(s->clusters, json_pack("{ss ss ss ss}", "id", jstr(d, "id"), "team", jstr(d, "team"),
                                                     "board", jstr(d, "board"), "name", jstr(d, "name")));
    } else if (strcmp(type, "item.added") == 0) {
        json_array_append_new(s->items, json_pack("{ss ss}", "id", jstr(d, "id"), "team", jstr(d, "team")));
    } else if (strcmp(type, "vote.revealed") == 0 || strcmp(type, "vote.decided") == 0) {
        json_t *v = json_object_get(s->teams[b->team].votes, jstr(d, "step"));
        if (v == NULL)
            json_object_set_new(s->teams[b->team].votes, jstr(d, "step"), v = json_object());
        json_object_set(v, "selected", json_object_get(d, "selected"));
        json_object_set(v, "tie", strcmp(type, "vote.decided") == 0 ? json_null() : json_object_get(d, "tie"));
    } else if (strcmp(type, "race.round") == 0) {
        int r = room_ix(s, jstr(d, "room"));
        if (r >= 0) {
            s->rooms[r].round = (int)json_integer_value(json_object_get(d, "round"));
            s->rooms[r].running = strcmp(jstr(d, "state"), "running") == 0;
        }
    } else if (strcmp(type, "race.won") == 0) {
        int r = room_ix(s, jstr(d, "room"));
        if (r >= 0)
            s->rooms[r].won = 1;
    } else if (strcmp(type, "jury.criteria") == 0) {
        size_t i;
        json_t *c;
        json_array_clear(s->criteria);
        json_array_foreach(json_object_get(d, "criteria"), i, c)
            json_array_append_new(s->criteria, json_string(jstr(c, "id")));
    } else if (strcmp(type, "jury.link") == 0 && s->njurors < 8) {
        snprintf(s->jurors[s->njurors].id, sizeof s->jurors[0].id, "%s", jstr(d, "juror"));
        snprintf(s->jurors[s->njurors].token, sizeof s->jurors[0].token, "%s", jstr(d, "token"));
        s->jurors[s->njurors].chair = json_is_true(json_object_get(d, "chair"));
        s->njurors++;
    } else if (strcmp(type, "step.changed") == 0) {
        int t = team_ix(s, jstr(d, "team"));
        if (t >= 0)
            s->teams[t].step = (int)json_integer_value(json_object_get(d, "index"));
    }
}

typedef struct {
    sim_t *s;
    bot_t *b;
} msgctx_t;

static void on_msg(void *ud, char *text, size_t len)
{
    msgctx_t *x = ud;
    bot_t *b = x->b;
    json_t *m = json_loadb(text, len, 0, NULL);
    const char *t = jstr(m, "t");
    if (strcmp(t, "ev") == 0) {
        int64_t seq = json_integer_value(json_object_get(m, "seq"));
        if (seq > b->last_seq)
            b->last_seq = seq;
        apply(x->s, b, m);
    } else if (strcmp(t, "ack") == 0) {
        int64_t seq = json_integer_value(json_object_get(m, "seq"));
        if (seq > b->max_ack && jstr(m, "id")[0] != 'i')
            b->max_ack = seq;
        b->npend--;
    } else if (strcmp(t, "joined") == 0) {
        snprintf(b->member, sizeof b->member, "%s", jstr(m, "member"));
        b->npend--;
    } else if (strcmp(t, "synced") == 0) {
        b->synced = 1;
    } else if (strcmp(t, "err") == 0) {
        x->s->errors++;
        fprintf(stderr, "staatsprint simulate: geweigerd (refused) %s: %s\n", jstr(m, "id"), jstr(m, "code"));
        if (json_object_get(m, "id"))
            b->npend--;
    }
    json_decref(m);
}

/* Reads every socket for up to ms milliseconds (or until done() holds). */
static int pump(sim_t *s, int ms, int (*done)(sim_t *s))
{
    int64_t until = mono_ms() + ms;
    struct pollfd *p = xcalloc((size_t)s->nbots + 1, sizeof *p);
    int rc = -1;
    for (;;) {
        if (done && done(s)) {
            rc = 0;
            break;
        }
        int64_t left = until - mono_ms();
        if (left <= 0) {
            rc = done ? -1 : 0;
            break;
        }
        for (int i = 0; i < s->nbots; i++) {
            p[i].fd = s->bots[i].ws.closed ? -1 : s->bots[i].ws.fd;
            p[i].events = POLLIN;
            p[i].revents = 0;
        }
        if (poll(p, (nfds_t)s->nbots, (int)(left < 50 ? left : 50)) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < s->nbots; i++)
            if (p[i].revents) {
                msgctx_t x = {s, &s->bots[i]};
                if (ws_pump(&s->bots[i].ws, on_msg, &x) != 0) {
                    fprintf(stderr, "staatsprint simulate: verbinding verbroken (connection lost)\n");
                    free(p);
                    return -1;
                }
            }
    }
    free(p);
    return rc;
}

static int all_settled(sim_t *s)
{
    for (int i = 0; i < s->nbots; i++) {
        const bot_t *b = &s->bots[i];
        if (b->npend > 0 || b->last_seq < b->max_ack)
            return 0;
    }
    return 1;
}

static int all_synced(sim_t *s)
{
    for (int i = 0; i < s->nbots; i++)
        if (!s->bots[i].synced)
            return 0;
    return 1;
}

/* Waits until every command sent so far is answered and its events arrived. */
static int settle(sim_t *s)
{
    if (pump(s, WAIT_MS, all_settled) != 0) {
        fprintf(stderr, "staatsprint simulate: de server antwoordt niet op tijd (the server does not answer in time)\n");
        return -1;
    }
    return 0;
}

static void send_json(bot_t *b, json_t *msg)
{
    char *txt = json_dumps(msg, JSON_COMPACT);
    ws_send_text(&b->ws, txt, strlen(txt));
    free(txt);
    json_decref(msg);
}

/* Sends a command from bot bi; args are stolen. A command whose last event goes to
 * someone else (a juror's score may end with progress for the chair) gets an id
 * starting with 'i': its ack does not make the bot wait for that event. */
static void cmd(sim_t *s, int bi, const char *name, json_t *args)
{
    bot_t *b = &s->bots[bi];
    char id[32];
    int unseen = strcmp(name, "jury.open") == 0 || strcmp(name, "jury.score") == 0;
    snprintf(id, sizeof id, "%s%d", unseen ? "i" : "c", ++s->ncmd);
    b->npend++;
    s->cmds++;
    send_json(b, json_pack("{ss ss ss so}", "t", "cmd", "id", id, "cmd", name, "args", args ? args : json_object()));
}

static int add_bot(sim_t *s, int kind, int team, int room)
{
    bot_t *b = &s->bots[s->nbots];
    memset(b, 0, sizeof *b);
    if (ws_connect(&b->ws, s->port) != 0) {
        fprintf(stderr, "staatsprint simulate: kan niet verbinden met de server (cannot connect)\n");
        return -1;
    }
    b->kind = kind;
    b->team = team;
    b->room = room;
    return s->nbots++;
}

static int start_server(sim_t *s, int extra)
{
    return sim_child_start(s->o->exe, s->o->db, extra, &s->port, &s->child, s->org_token, sizeof s->org_token);
}

static void stop_server(sim_t *s)
{
    sim_child_stop(s->child);
    s->child = 0;
}

/* ---- the day, round by round ------------------------------------------------------------------- */

static int captain(sim_t *s, int t) { return s->teams[t].bots[0]; }

/* Every played team's captain closes the step. */
static int step_next(sim_t *s)
{
    for (int t = 0; t < s->played; t++)
        cmd(s, captain(s, t), "step.next", NULL);
    return settle(s);
}

static int join_all(sim_t *s)
{
    for (int t = 0; t < s->played; t++) {
        steam_t *tm = &s->teams[t];
        tm->nbots = 3 + rn(s, 4);
        tm->pace = 14 + rn(s, 24);
        for (int k = 0; k < tm->nbots; k++) {
            int bi = add_bot(s, BOT_MEMBER, t, tm->room_ix);
            if (bi < 0)
                return -1;
            tm->bots[k] = bi;
            s->bots[bi].slot = k;
            char id[32], name[80];
            snprintf(id, sizeof id, "j-%s-%d", tm->id, k);
            snprintf(name, sizeof name, "%s %s", ph_first[rn(s, 24)], ph_last[rn(s, 24)]);
            s->bots[bi].npend++;
            send_json(&s->bots[bi], json_pack("{ss ss ss ss}", "t", "join", "id", id, "code", tm->code, "name", name));
        }
    }
    if (settle(s) != 0 || pump(s, WAIT_MS, all_synced) != 0)
        return -1;
    for (int t = 0; t < s->played; t++) {
        steam_t *tm = &s->teams[t];
        const ph_bank_t *b = bank_of(s, t);
        for (int k = 0; k < tm->nbots; k++)
            cmd(s, tm->bots[k], "profile.set",
                json_pack("{ss ss ss}", "organisation", b->organisations[rn(s, 8)], "role", ph_jobs[rn(s, 16)],
                          "motivation", ph_motivations[rn(s, 8)]));
        const char *keeper = s->bots[tm->bots[tm->nbots > 1 ? 1 : 0]].member;
        cmd(s, tm->bots[0], "roles.set",
            json_pack("{ss ss}", "captain", s->bots[tm->bots[0]].member, "timekeeper", keeper));
    }
    return settle(s);
}

/* Private notes of a brainstorm: problem notes from the themes, or HKW questions. */
static int brainstorm(sim_t *s, int hkw)
{
    for (int t = 0; t < s->played; t++) {
        steam_t *tm = &s->teams[t];
        const ph_bank_t *b = bank_of(s, t);
        int used[PH_THEMES][PH_NOTES] = {{0}};
        int skip = hkw ? -1 : rn(s, PH_THEMES + 1) - 1;   /* most teams leave one theme out */
        for (int k = 0; k < tm->nbots; k++) {
            int n = hkw ? 2 + rn(s, 2) : 3 + rn(s, 2);
            for (int i = 0; i < n; i++) {
                int th, ix, tries = 0;
                do {
                    th = rn(s, hkw ? PH_HKW_THEMES : PH_THEMES);
                    ix = rn(s, hkw ? PH_HKW : PH_NOTES);
                } while ((th == skip || used[th][ix]) && ++tries < 50);
                if (tries >= 50)
                    break;
                used[th][ix] = 1;
                cmd(s, tm->bots[k], "note.add",
                    json_pack("{ss}", "text", hkw ? b->hkw[th].questions[ix] : b->themes[th].notes[ix]));
            }
        }
    }
    if (settle(s) != 0)
        return -1;
    /* Some notes are shared by hand; the rest when the captain closes the step. */
    for (size_t i = 0; i < s->nnotes; i++) {
        snote_t *n = &s->notes[i];
        if (!n->private_ || rn(s, 2))
            continue;
        for (int bi = 0; bi < s->nbots; bi++)
            if (strcmp(s->bots[bi].member, n->author) == 0)
                cmd(s, bi, "note.share", json_pack("{ss}", "note", n->id));
    }
    return settle(s);
}

/* Clusters for the themes the team's notes came from, then every note into its cluster. */
static int cluster(sim_t *s, const char *board, int hkw)
{
    for (int t = 0; t < s->played; t++) {
        steam_t *tm = &s->teams[t];
        const ph_bank_t *b = bank_of(s, t);
        int has[PH_THEMES] = {0};
        for (size_t i = 0; i < s->nnotes; i++)
            if (s->notes[i].team == t && strcmp(s->notes[i].board, board) == 0 && s->notes[i].theme >= 0)
                has[s->notes[i].theme] = 1;
        for (int th = 0; th < (hkw ? PH_HKW_THEMES : PH_THEMES); th++)
            if (has[th])
                cmd(s, tm->bots[th % tm->nbots], "cluster.add",
                    json_pack("{ss ss}", "board", board, "name", hkw ? b->hkw[th].name : b->themes[th].name));
    }
    if (settle(s) != 0)
        return -1;
    for (size_t i = 0; i < s->nnotes; i++) {
        snote_t *n = &s->notes[i];
        if (n->team >= s->played || strcmp(n->board, board) != 0 || n->theme < 0)
            continue;
        const ph_bank_t *b = bank_of(s, n->team);
        const char *name = hkw ? b->hkw[n->theme].name : b->themes[n->theme].name;
        size_t k;
        json_t *c;
        json_array_foreach(s->clusters, k, c)
            if (strcmp(jstr(c, "name"), name) == 0 && strcmp(jstr(c, "team"), s->teams[n->team].id) == 0 &&
                strcmp(jstr(c, "board"), board) == 0)
                cmd(s, s->teams[n->team].bots[rn(s, s->teams[n->team].nbots)], "note.move",
                    json_pack("{ss ss}", "note", n->id, "cluster", jstr(c, "id")));
    }
    return settle(s);
}

static int knelpunten(sim_t *s)
{
    size_t k;
    json_t *c;
    json_array_foreach(s->clusters, k, c) {
        int t = team_ix(s, jstr(c, "team"));
        if (t < 0 || t >= s->played || strcmp(jstr(c, "board"), "problems") != 0)
            continue;
        const ph_bank_t *b = bank_of(s, t);
        for (int th = 0; th < PH_THEMES; th++)
            if (strcmp(b->themes[th].name, jstr(c, "name")) == 0)
                cmd(s, s->teams[t].bots[rn(s, s->teams[t].nbots)], "item.add",
                    json_pack("{ss ss}", "text", b->themes[th].knelpunt, "cluster", jstr(c, "id")));
    }
    return settle(s);
}

/* Everyone places budget dots on the team's options, with a taste shared by the team so
 * the tally has a shape; then says done (the last one reveals). */
static int vote(sim_t *s, int budget, json_t *(*options)(sim_t *s, int t))
{
    for (int t = 0; t < s->played; t++) {
        steam_t *tm = &s->teams[t];
        json_t *opts = options(s, t);
        size_t n = json_array_size(opts);
        int w[64];
        for (size_t i = 0; i < n && i < 64; i++)
            w[i] = 1 + rn(s, 6) * rn(s, 3);
        for (int k = 0; k < tm->nbots && n > 0; k++) {
            for (int d = 0; d < budget; d++) {
                int sum = 0, pick = 0;
                for (size_t i = 0; i < n && i < 64; i++)
                    sum += w[i];
                int r = rn(s, sum);
                for (size_t i = 0; i < n && i < 64; i++) {
                    if (r < w[i]) {
                        pick = (int)i;
                        break;
                    }
                    r -= w[i];
                }
                cmd(s, tm->bots[k], "vote.place", json_pack("{sO}", "target", json_array_get(opts, (size_t)pick)));
            }
        }
        json_decref(opts);
        for (int k = 0; k < tm->nbots; k++)
            cmd(s, tm->bots[k], "vote.done", NULL);
    }
    if (settle(s) != 0)
        return -1;
    /* A tie at the cut: the captain hakt de knoop door. */
    for (int t = 0; t < s->played; t++) {
        const char *k;
        json_t *v;
        json_object_foreach(s->teams[t].votes, k, v) {
            json_t *tie = json_object_get(v, "tie");
            if (!json_is_object(tie))
                continue;
            json_t *pick = json_array(), *cands = json_object_get(tie, "candidates");
            for (json_int_t p = 0; p < json_integer_value(json_object_get(tie, "places")); p++)
                json_array_append(pick, json_array_get(cands, (size_t)p));
            cmd(s, captain(s, t), "vote.decide", json_pack("{so}", "targets", pick));
            json_object_set_new(v, "tie", json_null());
        }
    }
    return settle(s);
}

static json_t *opt_items(sim_t *s, int t)
{
    json_t *a = json_array(), *c;
    size_t k;
    json_array_foreach(s->items, k, c)
        if (strcmp(jstr(c, "team"), s->teams[t].id) == 0)
            json_array_append_new(a, json_string(jstr(c, "id")));
    return a;
}

static json_t *opt_themes(sim_t *s, int t)
{
    json_t *a = json_array(), *c;
    size_t k;
    json_array_foreach(s->clusters, k, c)
        if (strcmp(jstr(c, "team"), s->teams[t].id) == 0 && strcmp(jstr(c, "board"), "hkw") == 0)
            json_array_append_new(a, json_string(jstr(c, "id")));
    return a;
}

static json_t *opt_ideas(sim_t *s, int t)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nnotes; i++)
        if (s->notes[i].team == t && strcmp(s->notes[i].board, "ideas") == 0)
            json_array_append_new(a, json_string(s->notes[i].id));
    return a;
}

static void canvas(sim_t *s, int t, const char *cv, const char *field, const char *text)
{
    steam_t *tm = &s->teams[t];
    cmd(s, tm->bots[rn(s, tm->nbots)], "canvas.set", json_pack("{ss ss ss}", "canvas", cv, "field", field, "text", text));
}

static int vehicle(sim_t *s)
{
    static const char *const f[6] = {"driver", "passengers", "chassis", "engine", "fuel", "road"};
    for (int t = 0; t < s->played; t++)
        for (int i = 0; i < 6; i++)
            canvas(s, t, "vehicle", f[i], bank_of(s, t)->vehicle[i][rn(s, PH_VAR)]);
    return settle(s);
}

static int statement(sim_t *s)
{
    static const char *const f[4] = {"issue", "owner", "activity", "result"};
    for (int t = 0; t < s->played; t++)
        for (int i = 0; i < 4; i++)
            canvas(s, t, "problem", f[i], bank_of(s, t)->problem[i][rn(s, PH_VAR)]);
    return settle(s);
}

static int race_ended(sim_t *s)
{
    for (int r = 0; r < s->nrooms; r++)
        if (s->rooms[r].fac_bot >= 0 && s->rooms[r].running)
            return 0;
    return 1;
}

/* One round of the Idee Race in every room: members write ideas in waves while it runs. */
static int race_round(sim_t *s, double minutes, int round)
{
    /* A round is for the teams at the race step: a room where no team plays has none. */
    for (int r = 0; r < s->nrooms; r++) {
        int plays = 0;
        for (int t = 0; t < s->played; t++)
            plays |= s->teams[t].room_ix == r;
        if (s->rooms[r].fac_bot >= 0 && plays)
            cmd(s, s->rooms[r].fac_bot, "race.start", json_pack("{ss sf}", "room", s->rooms[r].id, "minutes", minutes));
    }
    if (settle(s) != 0)
        return -1;
    int64_t start = mono_ms(), len = (int64_t)(minutes * 60000.0);
    int waves = 6;
    for (int w = 0; w < waves; w++) {
        for (int t = 0; t < s->played; t++) {
            steam_t *tm = &s->teams[t];
            const ph_bank_t *b = bank_of(s, t);
            for (int k = 0; k < tm->nbots; k++) {
                /* Fast and slow writers; round 2 builds on round 1 and is a bit quicker. */
                if (rn(s, 100) >= tm->pace + (round == 2 ? 8 : 0) + 4 * (k % 3))
                    continue;
                int free_ideas[30], nf = 0;
                for (int i = 0; i < 30; i++)
                    if (!tm->ideas_used[i])
                        free_ideas[nf++] = i;
                if (nf == 0)
                    break;
                int pick = free_ideas[rn(s, nf)];
                tm->ideas_used[pick] = 1;
                cmd(s, tm->bots[k], "note.add", json_pack("{ss ss}", "board", "ideas", "text", b->ideas[pick]));
            }
        }
        /* Waves spread over the round, the last one well before the bell. */
        int64_t next = start + (len - 900) * (w + 1) / waves;
        if (settle(s) != 0)
            return -1;
        if (next > mono_ms())
            pump(s, (int)(next - mono_ms()), NULL);
    }
    if (pump(s, (int)len + WAIT_MS, race_ended) != 0) {
        fprintf(stderr, "staatsprint simulate: de ronde eindigt niet (the round does not end)\n");
        return -1;
    }
    return settle(s);
}

static const json_t *selected(sim_t *s, int t, const char *step)
{
    return json_object_get(json_object_get(s->teams[t].votes, step), "selected");
}

static int crystal_ball(sim_t *s)
{
    static const int at[5] = {0, 1, 2, 3, 5};
    static const int kind[5] = {1, 0, 3, 2, 0};
    static const char *const kinds[4] = {"goal", "role", "dropped", "added"};
    for (int t = 0; t < s->played; t++) {
        size_t i;
        json_t *idea;
        json_array_foreach(selected(s, t, "p3-vote"), i, idea)
            for (int m = 0; m < 5; m++) {
                if (m == 3 && rn(s, 3) == 0)
                    continue;
                cmd(s, s->teams[t].bots[rn(s, s->teams[t].nbots)], "milestone.add",
                    json_pack("{sO si ss ss}", "idea", idea, "at", at[m], "kind", kinds[kind[m]], "text",
                              ph_milestones[kind[m]][rn(s, 6)]));
            }
    }
    return settle(s);
}

static const char *note_text(sim_t *s, const char *id)
{
    for (size_t i = 0; i < s->nnotes; i++)
        if (strcmp(s->notes[i].id, id) == 0)
            return s->notes[i].text;
    return NULL;
}

static int pitch_and_plan(sim_t *s, int plan)
{
    for (int t = 0; t < s->played; t++) {
        const ph_bank_t *b = bank_of(s, t);
        steam_t *tm = &s->teams[t];
        if (!plan) {
            const json_t *sel = selected(s, t, "p3-vote");
            const char *first = json_string_value(json_array_get(sel, 0));
            char idea[512];
            const char *text = note_text(s, first ? first : "");
            snprintf(idea, sizeof idea, "%s. We beginnen klein, met gebruikers aan tafel, en bouwen voort op wat er al is.",
                     text ? text : b->ideas[rn(s, 30)]);
            canvas(s, t, "pitch", "problem", b->problem[0][rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "for_whom", b->pitch_for_whom[rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "idea", idea);
            canvas(s, t, "pitch", "risks", ph_risks[rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "whom", b->pitch_whom[rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "path", ph_path[rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "cost", ph_cost[rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "team_name", b->team_names[rn(s, PH_VAR)]);
            canvas(s, t, "pitch", "yell", ph_yell[rn(s, PH_VAR)]);
            cmd(s, tm->bots[0], "roles.set", json_pack("{ss}", "presenter", s->bots[tm->bots[rn(s, tm->nbots)]].member));
        } else {
            canvas(s, t, "plan", "impact", ph_impact[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "responsible", b->plan_responsible[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "executor", b->plan_executor[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "how", ph_how[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "duration", ph_duration[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "cost", ph_plan_cost[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "yield", ph_yield[rn(s, PH_VAR)]);
            canvas(s, t, "plan", "unique", ph_unique[rn(s, PH_VAR)]);
        }
    }
    return settle(s);
}

/* The jury: three jurors with their own links score every pitch on every criterion;
 * the chair locks and announces. Each team has a quality the jurors roughly agree on. */
static int jury(sim_t *s, int org)
{
    static const char *const names[3][2] = {{"Marieke van den Berg", "Staat van de Uitvoering"},
                                            {"Hamid Bouzid", "Raad voor het Openbaar Bestuur"},
                                            {"Els Verhoeven", "Nationale ombudsman"}};
    for (int j = 0; j < 3; j++)
        cmd(s, org, "jury.add", json_pack("{ss ss sb}", "name", names[j][0], "organisation", names[j][1], "chair", j == 0));
    if (settle(s) != 0)
        return -1;
    for (int j = 0; j < s->njurors; j++) {
        int bi = add_bot(s, BOT_JUROR, -1, -1);
        if (bi < 0)
            return -1;
        s->jurors[j].bot = bi;
        send_json(&s->bots[bi], json_pack("{ss ss}", "t", "hello", "token", s->jurors[j].token));
    }
    if (pump(s, WAIT_MS, all_synced) != 0)
        return -1;
    cmd(s, org, "jury.open", NULL);
    if (settle(s) != 0)
        return -1;
    int chair = -1, quality[MAX_TEAMS];
    for (int t = 0; t < s->played; t++)
        quality[t] = 4 + rn(s, 5);
    for (int j = 0; j < s->njurors; j++) {
        if (s->jurors[j].chair)
            chair = s->jurors[j].bot;
        for (int t = 0; t < s->played; t++) {
            size_t k;
            json_t *c;
            json_array_foreach(s->criteria, k, c) {
                int score = quality[t] + rn(s, 3) - 1 + (rn(s, 4) == 0);
                score = score < 1 ? 1 : score > 10 ? 10 : score;
                cmd(s, s->jurors[j].bot, "jury.score",
                    json_pack("{ss sO si}", "team", s->teams[t].id, "criterion", c, "score", score));
            }
        }
    }
    if (settle(s) != 0 || chair < 0)
        return -1;
    cmd(s, chair, "jury.lock", NULL);
    if (settle(s) != 0)
        return -1;
    cmd(s, chair, "jury.announce", NULL);
    return settle(s);
}

static int play(sim_t *s)
{
    int64_t t0 = mono_ms();
    double round_min = 5.0 / (s->o->speed > 0 ? s->o->speed : 50.0);
    if (round_min < 0.1)
        round_min = 0.1;
    /* The organiser first: its events name the rooms, teams, codes and links. */
    int org = add_bot(s, BOT_ORG, -1, -1);
    if (org < 0)
        return -1;
    send_json(&s->bots[org], json_pack("{ss ss}", "t", "hello", "token", s->org_token));
    if (pump(s, WAIT_MS, all_synced) != 0)
        return -1;
    s->played = s->nteams < s->o->teams ? s->nteams : s->o->teams;
    for (int r = 0; r < s->nrooms; r++) {
        int bi = add_bot(s, BOT_FAC, -1, r);
        if (bi < 0)
            return -1;
        s->rooms[r].fac_bot = bi;
        send_json(&s->bots[bi], json_pack("{ss ss}", "t", "hello", "token", s->rooms[r].fac_token));
    }
    if (pump(s, WAIT_MS, all_synced) != 0 || join_all(s) != 0)
        return -1;
    int64_t t_join = mono_ms();
    /* Phase 1 */
    if (step_next(s) || brainstorm(s, 0) || step_next(s) || cluster(s, "problems", 0) || step_next(s) ||
        knelpunten(s) || step_next(s) || vote(s, 10, opt_items) || step_next(s) || vehicle(s))
        return -1;
    /* Phase 2 */
    if (step_next(s) || brainstorm(s, 1) || step_next(s) || cluster(s, "hkw", 1) || step_next(s) ||
        vote(s, 2, opt_themes) || step_next(s) || statement(s))
        return -1;
    /* Phase 3 */
    int64_t t_race = mono_ms();
    if (step_next(s) || race_round(s, round_min, 1) || race_round(s, round_min, 2))
        return -1;
    int64_t t_race_end = mono_ms();
    if (step_next(s) || vote(s, 3, opt_ideas) || step_next(s) || crystal_ball(s))
        return -1;
    /* Phase 4 */
    if (step_next(s) || pitch_and_plan(s, 0) || step_next(s) || pitch_and_plan(s, 1))
        return -1;
    /* Pitches, jury deliberation, winners. */
    if (jury(s, org) != 0)
        return -1;
    int64_t t_end = mono_ms();
    int members = 0;
    for (int t = 0; t < s->played; t++)
        members += s->teams[t].nbots;
    printf("Gesimuleerd / simulated: %d teams, %d deelnemers (participants), %ld opdrachten (commands), "
           "%ld geweigerd (refused)\n", s->played, members, s->cmds, s->errors);
    printf("Tijd / time: totaal %.1f s (aanmelden %.1f s, Idee Race %.1f s, overige stappen %.1f s)\n",
           (double)(t_end - t0) / 1000.0, (double)(t_join - t0) / 1000.0, (double)(t_race_end - t_race) / 1000.0,
           (double)((t_end - t0) - (t_join - t0) - (t_race_end - t_race)) / 1000.0);
    if (s->played < s->nteams)
        printf("Let op: %d van de %d teams van de standaarddag spelen mee; de andere blijven leeg\n"
               "(note: %d of the default day's %d teams play; the others stay empty)\n",
               s->played, s->nteams, s->played, s->nteams);
    return 0;
}

int sim_run(const sim_opts_t *o)
{
    struct stat st;
    if (stat(o->db, &st) == 0) {
        fprintf(stderr, "staatsprint simulate: %s bestaat al; kies een nieuw bestand (already exists; choose a new file)\n", o->db);
        return 2;
    }
    if (o->teams < 1 || o->teams > MAX_TEAMS) {
        fprintf(stderr, "staatsprint simulate: --teams verwacht 1 tot %d (expects 1 to %d)\n", MAX_TEAMS, MAX_TEAMS);
        return 2;
    }
    sim_t *s = xcalloc(1, sizeof *s);
    s->o = o;
    s->rng = (uint64_t)o->seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    srand((unsigned)o->seed);
    s->bots = xcalloc(MAX_BOTS, sizeof *s->bots);
    s->clusters = json_array();
    s->items = json_array();
    s->criteria = json_array();
    signal(SIGPIPE, SIG_IGN);
    /* The default day has 9 teams; the server adds the rest when it creates the day, and
     * the idle ones: planned teams nobody joins, as on a real day. */
    int extra = (o->teams > 9 ? o->teams - 9 : 0) + o->idle;
    if (o->teams + o->idle > MAX_TEAMS) {
        fprintf(stderr, "staatsprint simulate: --teams en --idle samen hooguit %d (together at most %d)\n", MAX_TEAMS, MAX_TEAMS);
        free(s->bots);
        json_decref(s->clusters);
        json_decref(s->items);
        json_decref(s->criteria);
        free(s);
        return 2;
    }
    int rc = 2;
    if (start_server(s, extra) != 0) {
        fprintf(stderr, "staatsprint simulate: de server start niet (the server does not start)\n");
    } else if (play(s) == 0) {
        rc = s->errors ? 1 : 0;
    }
    for (int i = 0; i < s->nbots; i++)
        ws_close(&s->bots[i].ws);
    stop_server(s);
    for (int t = 0; t < s->nteams; t++)
        json_decref(s->teams[t].votes);
    json_decref(s->clusters);
    json_decref(s->items);
    json_decref(s->criteria);
    free(s->notes);
    free(s->seen);
    free(s->bots);
    free(s);
    return rc;
}

int sim_cli(int argc, char **argv)
{
    sim_opts_t o = {.teams = 12, .seed = 1, .speed = 50};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--verbose") == 0) {
            o.verbose = 1;
            continue;
        }
        if (v == NULL)
            goto bad;
        if (strcmp(a, "--db") == 0)
            o.db = v;
        else if (strcmp(a, "--teams") == 0)
            o.teams = (int)strtol(v, &end, 10);
        else if (strcmp(a, "--idle") == 0)
            o.idle = (int)strtol(v, &end, 10);
        else if (strcmp(a, "--seed") == 0)
            o.seed = strtoul(v, &end, 10);
        else if (strcmp(a, "--speed") == 0)
            o.speed = strtod(v, &end);
        else if (strcmp(a, "--exe") == 0)
            o.exe = v;
        else
            goto bad;
        if (end && *end != '\0')
            goto bad;
        i++;
    }
    if (o.db == NULL || o.speed <= 0 || o.idle < 0 || o.idle > 200)
        goto bad;
    return sim_run(&o);
bad:
    fprintf(stderr, "staatsprint simulate: gebruik (usage): staatsprint simulate --db FILE [--teams N] "
                    "[--idle N] [--seed S] [--speed X]\n");
    return 2;
}
