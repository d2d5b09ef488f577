/* server.c – the WebSocket protocol of docs/protocol.md on libwebsockets + libuv.
 *
 * Design notes
 *  - Everything here runs on the one lws service thread, except the writer thread
 *    (store/writer.c), which only calls lws_cancel_service(). The service thread
 *    then sees LWS_CALLBACK_EVENT_WAIT_CANCELLED and calls on_committed().
 *  - A command's events are applied to the core at once (so the next command sees
 *    them) but kept in `uncommitted` until the writer has them on disk; only then
 *    are they published to the hub (fan-out) and the command acknowledged.
 *    Invariant: every frame in the hub and every ack sent has seq <= committed.
 *  - One lws_write per WRITEABLE callback: first the connection's own messages
 *    (welcome, acks, errors), then hub frames in seq order, then `synced` once the
 *    replay that hello asked for is done.
 *  - A client that does not read is cut off when its own queue or its hub backlog
 *    grows past a limit; memory per connection stays bounded.
 */
#include "net/server.h"
#include "core/core.h"
#include "core/err.h"
/* uv.h first: lws declares its libuv helpers only when it has seen libuv. */
#include <uv.h>

#include "net/api.h"
#include "net/boot.h"
#include "net/guard.h"
#include "util/clock.h"
#include "net/cluster.h"
#include "net/http.h"
#include "net/hub.h"
#include "net/secret.h"
#include "net/start.h"
#include "store/writer.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX (64 * 1024)      /* a bigger message closes the connection with 1009 */
#define DRAIN_MAX (8 * 1024 * 1024) /* an oversized message is read and dropped up to this */
#define OUTQ_MAX 512             /* own messages waiting while its socket is full: cut off */
#define OUTQ_BYTES_MAX (1024 * 1024)  /* bytes of own messages waiting: cut off in any case */
#define BACKLOG_MAX 100000       /* hub frames waiting; past this the client is cut off */
#define RATE_BURST 200.0         /* messages a client may send at once */
#define RATE_PER_SEC 100.0       /* …and per second after that */
#define JOIN_FAILS_MAX 10        /* wrong join codes per connection per minute */
#define ADDR_FAILS_MAX 60        /* …and per source address per minute (many connections) */

typedef struct outmsg {
    struct outmsg *next;
    size_t len;
    unsigned char buf[];         /* LWS_PRE headroom, then the frame */
} outmsg_t;

enum { PEND_ACK, PEND_JOINED };

typedef struct {
    int64_t seq;
    int kind;
    char id[72];
    char token[SECRET_TOKEN_LEN + 1];
    who_t who;
} pend_t;

typedef struct conn {
    struct lws *wsi;
    struct conn *next, *prev;    /* all WebSocket connections */
    who_t who;
    int authed;
    hub_sub_t *sub;
    int64_t sync_at;             /* send `synced` once frames up to here are out */
    int64_t sent_seq;            /* hub frames up to here are handled (for resubscribing) */
    int need_sync;
    char *rx;                    /* message being reassembled */
    size_t rxlen;
    outmsg_t *qhead, *qtail;
    size_t qlen, qbytes;
    pend_t *pend;                /* commands waiting for their commit, seq order */
    size_t npend, cappend;
    struct conn *pnext, *pprev;  /* in srv.waiting while npend > 0 */
    guard_bucket_t bucket;       /* messages per second */
    int join_fails;
    int64_t join_window;
    char addr[64];               /* source address, for the per-address join limit */
    int cut;                     /* close at the next writeable */
    size_t too_big;              /* bytes of an oversized message dropped so far */
    char hash[SECRET_HASH_LEN + 1]; /* cluster: the token's hash, sent with forwards */
} conn_t;

typedef struct {
    int64_t seq;
    int chan;                    /* -1: no one may see it */
    char *frame;
    size_t len;
} unc_t;

typedef struct {
    struct lws_context *ctx;
    core_t *core;
    hub_t *hub;
    writer_t *writer;
    char log[64];
    const serve_opts_t *opts;
    unc_t *unc;                  /* uncommitted events, seq order, from unc_head */
    size_t nunc, capunc, unc_head;
    conn_t *conns;
    size_t nconns;
    conn_t *waiting;             /* connections with commands waiting for a commit */
    int64_t committed;
    uv_loop_t loop;              /* ours; lws joins it (a "foreign" loop) */
    uv_signal_t sigint, sigterm;
    uv_timer_t tick;             /* lets time pass in the core (timers, race rounds) */
    int fatal;                   /* stopped because the log cannot be kept whole: exit 1 */
    int resubscribe;             /* a team or room was created: staff need its channel */
    unsigned char *pdirty;       /* per team index: presence changed since the last tick */
    size_t npdirty;
    int stopping;                /* no presence frames while connections are torn down */
} server_t;

typedef struct {
    conn_t *conn;                /* WebSocket */
    http_resp_t http;            /* HTTP */
    api_req_t *api;              /* HTTP: a request of the organiser's API (net/api.h) */
} pss_t;

static server_t srv;

/* ---- the connection's own messages --------------------------------------------- */

/* Cuts a connection off: nothing more is queued for it, and lws closes it at once
 * (a client that does not read never becomes writeable, so waiting for that would keep
 * its queue, and our memory, growing). */
static void conn_cut(conn_t *c)
{
    if (c->cut)
        return;
    c->cut = 1;
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void conn_send_json(conn_t *c, json_t *msg)
{
    if (c->cut) {
        json_decref(msg);
        return;
    }
    char *s = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    size_t len = strlen(s);
    outmsg_t *m = xmalloc(sizeof *m + LWS_PRE + len);
    m->next = NULL;
    m->len = len;
    memcpy(m->buf + LWS_PRE, s, len);
    free(s);
    if (c->qtail)
        c->qtail->next = m;
    else
        c->qhead = m;
    c->qtail = m;
    /* A burst of small answers to a client that reads is fine; a client whose socket is
     * full (it does not read) or whose queue holds too many bytes is cut off. */
    c->qbytes += sizeof *m + LWS_PRE + len;
    if ((++c->qlen > OUTQ_MAX && lws_send_pipe_choked(c->wsi)) || c->qbytes > OUTQ_BYTES_MAX) {
        conn_cut(c);
        return;
    }
    lws_callback_on_writable(c->wsi);
}

static void conn_err(conn_t *c, const char *id, int e)
{
    json_t *m = json_pack("{ss ss ss ss}", "t", "err", "code", err_code(e), "nl", err_nl(e), "en",
                          err_en(e));
    if (id)
        json_object_set_new(m, "id", json_string(id));
    conn_send_json(c, m);
}

static void conn_ack(conn_t *c, const char *id, int64_t seq)
{
    conn_send_json(c, json_pack("{ss ss sI}", "t", "ack", "id", id, "seq", (json_int_t)seq));
}

/* ---- authentication and subscription ------------------------------------------- */

typedef struct {
    int chans[8192];             /* an organiser of a very large day sees every team */
    size_t n;
} chanset_t;

static void chan_cb(void *ud, int kind, const char *id)
{
    chanset_t *cs = ud;
    if (cs->n < sizeof cs->chans / sizeof cs->chans[0])
        cs->chans[cs->n++] = hub_chan(srv.hub, kind, id);
}

/* ---- presence ---------------------------------------------------------------------
 *
 * Which participants are connected is not an event: it is not in the log and has no
 * seq. Staff (the organiser; a facilitator for the teams of their room) receive
 * {"t":"presence","teams":{TEAM:[member…]}} – on authentication for every team they
 * see, then for the teams whose set changed, at most once per tick (so a wave of joins
 * costs one frame per staff connection, not one per join). */

static int staff_sees_team(const conn_t *c, const char *team)
{
    return c->authed && (c->who.role == ROLE_ORGANISER ||
                         (c->who.role == ROLE_FACILITATOR &&
                          core_may_see(srv.core, &c->who, AUD_TEAM, team)));
}

static void presence_mark(int team)
{
    if (team < 0)
        return;
    if ((size_t)team >= srv.npdirty) {
        size_t n = (size_t)team + 64;
        srv.pdirty = xrealloc(srv.pdirty, n);
        memset(srv.pdirty + srv.npdirty, 0, n - srv.npdirty);
        srv.npdirty = n;
    }
    srv.pdirty[team] = 1;
}

/* The members of team t with at least one authenticated connection. */
static json_t *presence_of(int t)
{
    json_t *a = json_array();
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        if (!c->authed || c->who.role != ROLE_PARTICIPANT || c->who.team != t)
            continue;
        int seen = 0;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
            seen |= strcmp(json_string_value(v), c->who.actor) == 0;
        if (!seen)
            json_array_append_new(a, json_string(c->who.actor));
    }
    return a;
}

/* Sends staff connection c (or every staff connection, c == NULL) the presence of
 * the teams marked in only (NULL: all teams). */
static void presence_send(conn_t *only_conn, const unsigned char *only, size_t nonly)
{
    size_t nt = core_team_count(srv.core);
    json_t *all = json_object();
    for (size_t t = 0; t < nt; t++) {
        if (only != NULL && (t >= nonly || !only[t]))
            continue;
        const char *id, *name, *room, *code;
        if (core_team_info(srv.core, t, &id, &name, &room, &code) == 0)
            json_object_set_new(all, id, presence_of((int)t));
    }
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        if ((only_conn != NULL && c != only_conn) ||
            (c->who.role != ROLE_ORGANISER && c->who.role != ROLE_FACILITATOR))
            continue;
        json_t *mine = json_object(), *v;
        const char *team;
        json_object_foreach(all, team, v)
            if (staff_sees_team(c, team))
                json_object_set(mine, team, v);
        if (json_object_size(mine) > 0 || only_conn != NULL)
            conn_send_json(c, json_pack("{ss so}", "t", "presence", "teams", mine));
        else
            json_decref(mine);
    }
    json_decref(all);
}

static void presence_flush(void)
{
    int any = 0;
    for (size_t i = 0; i < srv.npdirty; i++)
        any |= srv.pdirty[i];
    if (!any || srv.stopping)
        return;
    presence_send(NULL, srv.pdirty, srv.npdirty);
    memset(srv.pdirty, 0, srv.npdirty);
}

static void conn_authenticate(conn_t *c, const who_t *who, int64_t since)
{
    if (c->authed && c->who.role == ROLE_PARTICIPANT)
        presence_mark(c->who.team);
    c->who = *who;
    c->authed = 1;
    if (who->role == ROLE_PARTICIPANT)
        presence_mark(who->team);
    chanset_t cs = {.n = 0};
    core_channels(srv.core, who, chan_cb, &cs);
    if (since < 0)
        since = 0;
    hub_sub_set(srv.hub, c->sub, cs.chans, cs.n, since);
    c->sync_at = srv.committed;
    c->sent_seq = since;
    c->need_sync = 1;
    conn_send_json(c, json_pack("{ss ss so ss sI sI}", "t", "welcome", "role", role_name(who->role),
                                "me", core_who_json(srv.core, who), "sprint", core_sprint_id(srv.core),
                                "head", (json_int_t)srv.committed, "now", (json_int_t)clock_now_ms()));
    if (who->role == ROLE_ORGANISER || who->role == ROLE_FACILITATOR)
        presence_send(c, NULL, 0);
}

/* ---- commands -------------------------------------------------------------------- */

/* Teams and rooms made after the set-up (the assignment, room.add): the organiser and
 * facilitators get the channels their identity now allows, from the frame after the
 * last one they were sent, so nothing comes twice and nothing is missed. Participants
 * never gain channels this way. */
static void staff_resubscribe(void)
{
    srv.resubscribe = 0;
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        if (!c->authed || (c->who.role != ROLE_ORGANISER && c->who.role != ROLE_FACILITATOR))
            continue;
        chanset_t cs = {.n = 0};
        core_channels(srv.core, &c->who, chan_cb, &cs);
        hub_sub_set(srv.hub, c->sub, cs.chans, cs.n, c->sent_seq);
        lws_callback_on_writable(c->wsi);
    }
}

/* Hands the events of one command to the writer and keeps their frames until commit. */
static void submit_events(const evlist_t *out)
{
    for (size_t i = 0; i < out->n; i++) {
        const ev_t *ev = &out->v[i];
        size_t blen, flen;
        char *body = ev_to_body(ev, &blen);
        store_rec_t rec;
        ev_to_rec(ev, body, blen, &rec);
        writer_submit(srv.writer, &rec);
        free(body);
        xgrow((void **)&srv.unc, &srv.capunc, srv.nunc + 1, sizeof *srv.unc);
        unc_t *u = &srv.unc[srv.nunc++];
        u->seq = ev->seq;
        if (strcmp(ev->type, "team.created") == 0 || strcmp(ev->type, "room.created") == 0)
            srv.resubscribe = 1;
        u->chan = ev->aud_kind == AUD_SERVER ? -1 : hub_chan(srv.hub, ev->aud_kind, ev->aud_id);
        u->frame = ev->aud_kind == AUD_SERVER ? NULL : ev_frame(ev, &flen);
        u->len = u->frame ? flen : 0;
    }
}

/* Only connections that wait for a commit are visited after one, so a commit costs
 * nothing for the thousands of idle connections. */
static void waiting_unlink(conn_t *c)
{
    if (c->pprev)
        c->pprev->pnext = c->pnext;
    else if (srv.waiting == c)
        srv.waiting = c->pnext;
    if (c->pnext)
        c->pnext->pprev = c->pprev;
    c->pnext = c->pprev = NULL;
}

static void conn_pend(conn_t *c, const pend_t *p)
{
    xgrow((void **)&c->pend, &c->cappend, c->npend + 1, sizeof *c->pend);
    c->pend[c->npend++] = *p;
    if (c->npend == 1) {
        c->pnext = srv.waiting;
        c->pprev = NULL;
        if (srv.waiting)
            srv.waiting->pprev = c;
        srv.waiting = c;
    }
}

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return 0;
    for (; *id; id++)
        if (*id < 0x21 || *id > 0x7e)
            return 0;
    return 1;
}

static int store_ok(void)
{
    return !writer_failing(srv.writer, NULL);
}

static void handle_cmd(conn_t *c, json_t *msg)
{
    const char *id = json_string_value(json_object_get(msg, "id"));
    const char *cmd = json_string_value(json_object_get(msg, "cmd"));
    json_t *args = json_object_get(msg, "args");
    if (id == NULL || !id_ok(id)) {
        conn_err(c, NULL, id ? SP_E_BAD_ID : SP_E_BAD_MESSAGE);
        return;
    }
    if (!c->authed) {
        conn_err(c, id, SP_E_NOT_AUTHENTICATED);
        return;
    }
    if (cmd == NULL || (args != NULL && !json_is_object(args))) {
        conn_err(c, id, SP_E_BAD_MESSAGE);
        return;
    }
    if (cluster_forwarding()) {   /* cluster hook: a follower's commands go to the leader */
        cluster_forward_cmd(c, id, msg, c->hash);
        return;
    }
    json_t *empty = args ? NULL : json_object();
    evlist_t out = {0};
    int64_t dup = 0;
    int rc;
    if (!store_ok())
        rc = SP_E_STORE_UNAVAILABLE;
    else
        rc = core_exec(srv.core, &c->who, cmd, args ? args : empty, id, clock_now_ms(), &out, &dup);
    json_decref(empty);
    if (rc < 0) {
        conn_err(c, id, rc);
    } else if (rc == 1) {
        if (dup <= srv.committed)
            conn_ack(c, id, dup);
        else {
            pend_t p = {.seq = dup, .kind = PEND_ACK};
            snprintf(p.id, sizeof p.id, "%s", id);
            conn_pend(c, &p);
        }
    } else if (out.n > 0) {
        submit_events(&out);
        pend_t p = {.seq = out.v[out.n - 1].seq, .kind = PEND_ACK};
        snprintf(p.id, sizeof p.id, "%s", id);
        conn_pend(c, &p);
    } else {
        conn_ack(c, id, srv.committed);
    }
    evlist_free(&out);
}

static int join_allowed(conn_t *c)
{
    int64_t now = clock_now_ms();
    if (now - c->join_window > 60000) {
        c->join_window = now;
        c->join_fails = 0;
    }
    return c->join_fails < JOIN_FAILS_MAX && guard_addr_fails(c->addr, now) < ADDR_FAILS_MAX;
}

/* A wrong code or token: counts against the connection and its address. */
static void join_failed(conn_t *c)
{
    c->join_fails++;
    guard_addr_failed(c->addr, clock_now_ms());
}

static void handle_join(conn_t *c, json_t *msg)
{
    const char *id = json_string_value(json_object_get(msg, "id"));
    const char *code = json_string_value(json_object_get(msg, "code"));
    const char *name = json_string_value(json_object_get(msg, "name"));
    /* Picking a registered name: person (and claim, the confirmation code) instead of a name. */
    const char *person = json_string_value(json_object_get(msg, "person"));
    const char *claim = json_string_value(json_object_get(msg, "claim"));
    if (person != NULL && name == NULL)
        name = "";
    if (id == NULL || code == NULL || name == NULL) {
        conn_err(c, id, SP_E_BAD_MESSAGE);
        return;
    }
    if (!id_ok(id)) {
        conn_err(c, NULL, SP_E_BAD_ID);
        return;
    }
    if (!join_allowed(c)) {
        conn_err(c, id, SP_E_RATE_LIMITED);
        return;
    }
    if (!store_ok()) {
        conn_err(c, id, SP_E_STORE_UNAVAILABLE);
        return;
    }
    if (cluster_forwarding()) {   /* cluster hook: the leader makes the member */
        cluster_forward_join(c, id, code, name, person, claim);
        return;
    }
    pend_t p = {.kind = PEND_JOINED};
    char hash[SECRET_HASH_LEN + 1];
    secret_token(p.token);
    secret_hash(p.token, hash);
    evlist_t out = {0};
    core_join_t j = {code, name, person, claim, id, hash};
    int rc = core_join_ex(srv.core, &j, clock_now_ms(), &out, &p.who);
    if (rc == CORE_JOIN_CLAIM_PENDING) {
        submit_events(&out);   /* the teammates see the confirmation code */
        conn_err(c, id, SP_E_CLAIM_PENDING);
    } else if (rc != 0) {
        if (rc == SP_E_BAD_CODE || rc == SP_E_BAD_CLAIM)
            join_failed(c);   /* guessing a confirmation code counts like guessing a team code */
        conn_err(c, id, rc);
    } else {
        submit_events(&out);
        p.seq = out.v[out.n - 1].seq;
        snprintf(p.id, sizeof p.id, "%s", id);
        conn_pend(c, &p);
    }
    evlist_free(&out);
}

/* The names a participant may pick on the join page, for whoever knows the team code
 * (the join sheet prints them too); a wrong code counts like a failed join. */
static void handle_roster(conn_t *c, json_t *msg)
{
    const char *id = json_string_value(json_object_get(msg, "id"));
    const char *code = json_string_value(json_object_get(msg, "code"));
    if (id == NULL || code == NULL || !id_ok(id)) {
        conn_err(c, id && id_ok(id) ? id : NULL, id ? SP_E_BAD_MESSAGE : SP_E_BAD_ID);
        return;
    }
    if (!join_allowed(c)) {
        conn_err(c, id, SP_E_RATE_LIMITED);
        return;
    }
    json_t *r = core_roster(srv.core, code);
    if (r == NULL) {
        join_failed(c);
        conn_err(c, id, SP_E_BAD_CODE);
        return;
    }
    json_object_set_new(r, "t", json_string("roster"));
    json_object_set_new(r, "id", json_string(id));
    conn_send_json(c, r);
}

static void handle_hello(conn_t *c, json_t *msg)
{
    const char *token = json_string_value(json_object_get(msg, "token"));
    json_t *since = json_object_get(msg, "since");
    if (token == NULL || (since && !json_is_integer(since))) {
        conn_err(c, NULL, SP_E_BAD_MESSAGE);
        return;
    }
    char hash[SECRET_HASH_LEN + 1];
    secret_hash(token, hash);
    who_t who;
    if (core_auth(srv.core, hash, &who) != 0) {
        join_failed(c);   /* guessing tokens counts like guessing codes */
        conn_err(c, NULL, join_allowed(c) ? SP_E_BAD_TOKEN : SP_E_RATE_LIMITED);
        return;
    }
    memcpy(c->hash, hash, sizeof c->hash);
    conn_authenticate(c, &who, since ? json_integer_value(since) : 0);
}

static void handle_message(conn_t *c, const char *text, size_t len)
{
    if (!guard_bucket_take(&c->bucket, RATE_BURST, RATE_PER_SEC, clock_now_ms())) {
        conn_err(c, NULL, SP_E_RATE_LIMITED);
        return;
    }
    json_t *msg;
    int drc = guard_decode(text, len, &msg);
    if (drc != 0) {
        conn_err(c, NULL, drc);
        return;
    }
    const char *t = json_string_value(json_object_get(msg, "t"));
    if (t == NULL)
        conn_err(c, NULL, SP_E_BAD_MESSAGE);
    else if (strcmp(t, "cmd") == 0)
        handle_cmd(c, msg);
    else if (strcmp(t, "hello") == 0)
        handle_hello(c, msg);
    else if (strcmp(t, "join") == 0)
        handle_join(c, msg);
    else if (strcmp(t, "roster") == 0)
        handle_roster(c, msg);
    else if (strcmp(t, "ping") == 0) {
        json_t *m = json_pack("{ss sI}", "t", "pong", "now", (json_int_t)clock_now_ms());
        json_t *echo = json_object_get(msg, "now");
        if (echo)
            json_object_set(m, "echo", echo);
        conn_send_json(c, m);
    } else
        conn_err(c, NULL, SP_E_UNKNOWN_MESSAGE);
    json_decref(msg);
}

/* ---- commit: fan-out and acks ----------------------------------------------------- */

/* A join is durable: the session token goes to the client, then the welcome. */
static void conn_joined(conn_t *c, const char *id, const char *token, const who_t *who)
{
    json_t *w = core_who_json(srv.core, who);
    conn_send_json(c, json_pack("{ss ss ss sO sO}", "t", "joined", "id", id, "token", token,
                                "member", json_object_get(w, "member"), "team",
                                json_object_get(w, "team")));
    json_decref(w);
    secret_hash(token, c->hash);
    conn_authenticate(c, who, 0);
}

static void on_committed(void)
{
    int rc = 0;
    if (writer_failing(srv.writer, &rc) && (rc == STORE_ECONFLICT || rc == STORE_EINVAL)) {
        /* Only another process writing the same log causes this: two servers on one
         * SQLite file. Stopping is the only way to keep the log whole. */
        fprintf(stderr, "staatsprint: een ander proces schrijft in dezelfde database; de server "
                        "stopt.\n(another process writes to the same database; stopping.)\n");
        srv.fatal = 1;
        uv_stop(&srv.loop);
        return;
    }
    int64_t committed = writer_committed(srv.writer);
    if (committed <= srv.committed)
        return;
    while (srv.unc_head < srv.nunc && srv.unc[srv.unc_head].seq <= committed) {
        unc_t *u = &srv.unc[srv.unc_head++];
        if (u->chan >= 0)
            hub_publish(srv.hub, u->seq, u->chan, u->frame, u->len);
        free(u->frame);
    }
    if (srv.unc_head == srv.nunc)
        srv.unc_head = srv.nunc = 0;
    hub_set_head(srv.hub, committed);
    srv.committed = committed;
    if (srv.resubscribe)
        staff_resubscribe();
    api_committed(committed);

    for (conn_t *c = srv.waiting, *next; c != NULL; c = next) {
        next = c->pnext;
        size_t k = 0;
        while (k < c->npend && c->pend[k].seq <= committed) {
            pend_t *p = &c->pend[k++];
            if (p->kind == PEND_ACK)
                conn_ack(c, p->id, p->seq);
            else
                conn_joined(c, p->id, p->token, &p->who);
        }
        if (k > 0) {
            memmove(c->pend, c->pend + k, (c->npend - k) * sizeof *c->pend);
            c->npend -= k;
            if (c->npend == 0)
                waiting_unlink(c);
        }
    }
    cluster_committed(committed);   /* cluster hook: answer other nodes' commands */
}

static void writer_notify(void *ud)
{
    (void)ud;
    /* The only lws call that is safe from another thread. */
    lws_cancel_service(srv.ctx);
}

static void hub_wake(void *ud)
{
    conn_t *c = ud;
    lws_callback_on_writable(c->wsi);
}

/* ---- the lws callback -------------------------------------------------------------- */

static conn_t *conn_new(struct lws *wsi)
{
    conn_t *c = xcalloc(1, sizeof *c);
    c->wsi = wsi;
    c->sub = hub_sub_new(srv.hub, c);
    guard_bucket_init(&c->bucket, RATE_BURST, clock_now_ms());
    c->join_window = c->bucket.at;
    c->next = srv.conns;
    if (srv.conns)
        srv.conns->prev = c;
    srv.conns = c;
    srv.nconns++;
    return c;
}

/* The peer's address; behind a reverse proxy on this machine (a loopback peer) the
 * first address of X-Forwarded-For, so that every guesser has an address of its own. */
static void conn_addr(conn_t *c, struct lws *wsi)
{
    lws_get_peer_simple(wsi, c->addr, sizeof c->addr);
    char fwd[128];
    int loopback = strncmp(c->addr, "127.", 4) == 0 || strcmp(c->addr, "::1") == 0;
    if (loopback && lws_hdr_copy(wsi, fwd, sizeof fwd, WSI_TOKEN_X_FORWARDED_FOR) > 0) {
        size_t n = strcspn(fwd, ", ");
        if (n > 0 && n < sizeof c->addr) {
            memcpy(c->addr, fwd, n);
            c->addr[n] = '\0';
        }
    }
}

static void conn_free(conn_t *c)
{
    if (c->authed && c->who.role == ROLE_PARTICIPANT && !srv.stopping)
        presence_mark(c->who.team);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv.conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv.nconns--;
    if (c->npend > 0)
        waiting_unlink(c);
    cluster_conn_gone(c);   /* cluster hook */
    hub_sub_free(srv.hub, c->sub);
    for (outmsg_t *m = c->qhead, *n; m != NULL; m = n) {
        n = m->next;
        free(m);
    }
    free(c->pend);
    free(c->rx);
    free(c);
}

/* What a connection is owed next: its own messages first, then hub frames in seq order,
 * then `synced` once the replay hello asked for is out. */
typedef struct {
    enum { OWED_NONE, OWED_OWN, OWED_FRAME, OWED_SYNCED } kind;
    const unsigned char *buf;
    size_t len;
    int64_t seq;
    char sync[64];
} owed_t;

static void conn_next(conn_t *c, owed_t *o)
{
    unsigned char *buf;
    size_t len;
    int64_t seq;
    o->kind = OWED_NONE;
    if (c->qhead) {
        o->kind = OWED_OWN;
        o->buf = c->qhead->buf + LWS_PRE;
        o->len = c->qhead->len;
        return;
    }
    if (!c->authed)
        return;
    while (hub_sub_peek(srv.hub, c->sub, &buf, &len, &seq)) {
        if (seq <= c->sent_seq) {
            /* cluster hook: a client resuming on a follower may already have events from
             * the leader that this node publishes only now; never send one twice. */
            hub_sub_pop(srv.hub, c->sub);
            continue;
        }
        if (c->need_sync && seq > c->sync_at)
            break;   /* the replay asked for is done: `synced` comes first */
        o->kind = OWED_FRAME;
        o->buf = buf;
        o->len = len;
        o->seq = seq;
        return;
    }
    if (c->need_sync) {
        o->kind = OWED_SYNCED;
        o->len = (size_t)snprintf(o->sync, sizeof o->sync, "{\"t\":\"synced\",\"seq\":%lld}",
                                  (long long)c->sync_at);
        o->buf = (const unsigned char *)o->sync;
    }
}

static void conn_consume(conn_t *c, const owed_t *o)
{
    if (o->kind == OWED_OWN) {
        outmsg_t *m = c->qhead;
        c->qhead = m->next;
        if (c->qhead == NULL)
            c->qtail = NULL;
        c->qlen--;
        c->qbytes -= sizeof *m + LWS_PRE + m->len;
        free(m);
    } else if (o->kind == OWED_FRAME) {
        hub_sub_pop(srv.hub, c->sub);
        c->sent_seq = o->seq;
    } else if (o->kind == OWED_SYNCED) {
        c->need_sync = 0;
    }
}

/* Appends one unmasked WebSocket text frame (RFC 6455 5.2) to out. */
static size_t ws_frame(unsigned char *out, const unsigned char *payload, size_t len)
{
    size_t h = 0;
    out[h++] = 0x81;   /* FIN, text */
    if (len < 126) {
        out[h++] = (unsigned char)len;
    } else if (len < 65536) {
        out[h++] = 126;
        out[h++] = (unsigned char)(len >> 8);
        out[h++] = (unsigned char)len;
    } else {
        out[h++] = 127;
        for (int i = 7; i >= 0; i--)
            out[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    memcpy(out + h, payload, len);
    return h + len;
}

/* Everything owed is coalesced into one send of several WebSocket frames (framed here
 * and written raw): one system call and one writeability round per batch instead of
 * per frame, which is what the CPU went to under load. lws keeps what the socket does
 * not take and calls back only when it is flushed. */
#define COALESCE_MAX (64 * 1024)

/* One batch: frames owed, framed into out until it holds COALESCE_MAX bytes, written
 * raw. Returns 1 when it wrote, 0 when nothing was owed, -1 on error. */
static int conn_write_batch(conn_t *c)
{
    static unsigned char out[LWS_PRE + COALESCE_MAX + 16];
    size_t used = 0;
    owed_t o;
    for (conn_next(c, &o); o.kind != OWED_NONE; conn_next(c, &o)) {
        if (o.kind == OWED_FRAME && hub_sub_backlog(srv.hub, c->sub) > BACKLOG_MAX) {
            conn_cut(c);
            return 0;
        }
        if (used + o.len + 10 > COALESCE_MAX) {
            if (used > 0)
                break;
            /* Larger than a batch: on its own, framed by lws. */
            int n = lws_write(c->wsi, (unsigned char *)o.buf, o.len, LWS_WRITE_TEXT);
            conn_consume(c, &o);
            return n < 0 ? -1 : 1;
        }
        used += ws_frame(out + LWS_PRE + used, o.buf, o.len);
        conn_consume(c, &o);
    }
    if (used == 0)
        return 0;
    return lws_write(c->wsi, out + LWS_PRE, used, LWS_WRITE_RAW) < 0 ? -1 : 1;
}

/* A connection that watches many teams (a facilitator, the organiser) is owed far more
 * than one batch per loop turn under load: it gets batches while its socket takes them,
 * up to WRITE_ROUNDS, or it falls further behind with every turn. */
#define WRITE_ROUNDS 16

static int conn_writeable(conn_t *c)
{
    if (c->cut) {
        lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too slow", 8);
        return -1;
    }
    for (int i = 0; i < WRITE_ROUNDS; i++) {
        int r = conn_write_batch(c);
        if (r < 0)
            return -1;
        if (r == 0 || c->cut || lws_send_pipe_choked(c->wsi))
            break;
    }
    owed_t o;
    conn_next(c, &o);
    if (c->cut || o.kind != OWED_NONE)
        lws_callback_on_writable(c->wsi);
    return 0;
}

static int conn_receive(conn_t *c, struct lws *wsi, const void *in, size_t len)
{
    if (c->cut)
        return -1;
    int final = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    if (c->too_big || c->rxlen + len > MSG_MAX) {
        /* Read the rest of the oversized message and drop it, then close with 1009:
         * closing while the client still sends would reset the connection and lose the
         * close frame. A client that keeps sending past DRAIN_MAX is cut at once. */
        c->too_big += len;
        free(c->rx);
        c->rx = NULL;
        c->rxlen = 0;
        if (c->too_big > DRAIN_MAX)
            return -1;
        if (final) {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too big", 7);
            return -1;
        }
        return 0;
    }
    if (lws_frame_is_binary(wsi)) {
        if (lws_is_final_fragment(wsi))
            conn_err(c, NULL, SP_E_BAD_MESSAGE);
        return 0;
    }
    if (c->rx == NULL)
        c->rx = xmalloc(MSG_MAX + 1);
    memcpy(c->rx + c->rxlen, in, len);
    c->rxlen += len;
    if (final) {
        handle_message(c, c->rx, c->rxlen);
        c->rxlen = 0;
        /* Keep no 64 KiB buffer per idle connection. */
        free(c->rx);
        c->rx = NULL;
    }
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    pss_t *pss = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return http_ws_allowed(wsi, srv.opts->origins, srv.opts->norigins) ? 0 : -1;
    case LWS_CALLBACK_ESTABLISHED:
        pss->conn = conn_new(wsi);
        conn_addr(pss->conn, wsi);
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (pss->conn)
            conn_free(pss->conn);
        pss->conn = NULL;
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return pss->conn ? conn_receive(pss->conn, wsi, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return pss->conn ? conn_writeable(pss->conn) : 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        if (srv.writer)
            on_committed();
        cluster_poll();   /* cluster hook: committed events and answers from PostgreSQL */
        api_poll();
        return 0;
    case LWS_CALLBACK_HTTP: {
        api_closed(&pss->api);
        if (api_wants((const char *)in))
            return api_begin(wsi, &pss->api, (const char *)in);
        http_status_t st = {srv.committed, srv.nconns, !store_ok(), writer_pending(srv.writer)};
        return http_begin(wsi, &pss->http, (const char *)in, &st);
    }
    case LWS_CALLBACK_HTTP_BODY:
        return pss->api ? api_body(pss->api, in, len) : 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return pss->api ? api_body_done(pss->api) : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (pss->api)
            return api_writeable(wsi, &pss->api);
        return http_continue(wsi, &pss->http);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        api_closed(&pss->api);
        http_end(&pss->http);
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"staatsprint", callback, sizeof(pss_t), 1024, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};


/* ---- start and stop ---------------------------------------------------------------- */

static void boot_event(void *ud, const ev_t *ev);

/* The hub's frames are made after the whole log is folded, so that personal data
 * deleted later in the log (person.delete, AVG) is left out of every replay from the
 * start on: core_redact() knows the final state. */
static int boot_publish(void *ud, const store_rec_t *rec)
{
    (void)ud;
    ev_t ev;
    if (ev_from_rec(rec, &ev) != 0) {
        json_decref(ev.data);
        return 1;
    }
    json_t *red = core_redact(srv.core, &ev);
    if (red != NULL) {
        json_decref(ev.data);
        ev.data = red;
    }
    boot_event(NULL, &ev);
    json_decref(ev.data);
    return 0;
}

static void boot_event(void *ud, const ev_t *ev)
{
    (void)ud;
    if (ev->aud_kind != AUD_SERVER) {
        size_t len;
        char *f = ev_frame(ev, &len);
        hub_publish(srv.hub, ev->seq, hub_chan(srv.hub, ev->aud_kind, ev->aud_id), f, len);
        free(f);
    }
    hub_set_head(srv.hub, ev->seq);
}

/* Timers and race rounds end without anyone sending a command: the core hears of
 * the time five times a second and emits what ran out, committed like any event. */
static void tick_cb(uv_timer_t *h)
{
    (void)h;
    presence_flush();
    if (!store_ok() || !cluster_may_write())   /* cluster hook: only the leader decides */
        return;
    evlist_t out = {0};
    if (core_tick(srv.core, clock_now_ms(), &out) > 0)
        submit_events(&out);
    evlist_free(&out);
}

/* Fresh secrets for commands that make links or codes after the set-up (core.h). */
static void secret_src_code(void *ud, char *out, size_t len)
{
    (void)ud;
    char code[SECRET_CODE_LEN + 1];
    secret_code(code);
    snprintf(out, len, "%s", code);
}

static void secret_src_token(void *ud, char *tok, size_t toklen, char *hash, size_t hashlen)
{
    (void)ud;
    char t[SECRET_TOKEN_LEN + 1], h[SECRET_HASH_LEN + 1];
    secret_token(t);
    secret_hash(t, h);
    snprintf(tok, toklen, "%s", t);
    snprintf(hash, hashlen, "%s", h);
    memset(t, 0, sizeof t);
}

/* The API's way into the core: like handle_cmd, for a request on the service thread. */
static int api_exec(const who_t *who, const char *cmd, const json_t *args, const char *id,
                    int64_t *seq)
{
    if (!store_ok() || !cluster_may_write())   /* cluster hook: not on a follower */
        return SP_E_STORE_UNAVAILABLE;
    evlist_t out = {0};
    int64_t dup = 0;
    int rc = core_exec(srv.core, who, cmd, args, id, clock_now_ms(), &out, &dup);
    if (rc == 1)
        *seq = dup;
    else if (rc == 0 && out.n > 0) {
        submit_events(&out);
        *seq = out.v[out.n - 1].seq;
    } else if (rc == 0)
        *seq = srv.committed;
    evlist_free(&out);
    return rc;
}

static int64_t api_committed_seq(void) { return srv.committed; }

/* ---- cluster hooks (net/cluster.h): several nodes on one PostgreSQL ----------------- */

static void clh_wake(void) { lws_cancel_service(srv.ctx); }

/* A follower applied committed events up to head (already published to the hub). */
static void clh_advance(int64_t head, int resubscribe)
{
    hub_set_head(srv.hub, head);
    srv.committed = head;
    if (resubscribe || srv.resubscribe)
        staff_resubscribe();
    api_committed(head);
}

static int64_t clh_committed(void) { return srv.committed; }
static void clh_ack(void *c, const char *id, int64_t seq) { conn_ack(c, id, seq); }
static void clh_joined(void *c, const char *id, const char *token, const who_t *who)
{
    conn_joined(c, id, token, who);
}
static void clh_err(void *c, const char *id, int e)
{
    if (e == SP_E_BAD_CODE)
        join_failed(c);
    conn_err(c, id, e);
}
static void clh_stop(void) { uv_stop(&srv.loop); }

static void signal_cb(uv_signal_t *h, int signum)
{
    (void)signum;
    uv_stop(h->loop);
}

int server_run(const serve_opts_t *o)
{
    memset(&srv, 0, sizeof srv);
    srv.opts = o;
    signal(SIGPIPE, SIG_IGN);
    int pf = start_port_free(o->port, o->bind);
    if (pf < 0) {
        fprintf(stderr, "staatsprint: poort %d is al in gebruik of niet toegestaan; kies een andere "
                        "met --port.\n(port %d is already in use or not allowed: %s; choose another "
                        "with --port.)\n", o->port, o->port, strerror(-pf));
        return 1;
    }
    srv.core = core_new();
    srv.hub = hub_new(LWS_PRE, hub_wake);
    store_t *store = NULL;
    boot_extra_teams = o->extra_teams;
    if (boot_open(o->db, &store, srv.core, srv.log, sizeof srv.log, NULL, NULL) != 0) {
        hub_free(srv.hub);
        core_free(srv.core);
        return 1;
    }
    if (store_read(store, srv.log, 0, boot_publish, NULL) != 0) {
        fprintf(stderr, "staatsprint: kan de database niet lezen (cannot read the database)\n");
        store_close(store);
        hub_free(srv.hub);
        core_free(srv.core);
        return 1;
    }
    srv.committed = core_head(srv.core);
    const core_secret_src_t src = {secret_src_code, secret_src_token, NULL};
    core_set_secret_source(srv.core, &src);
    srv.writer = writer_start(store, srv.log, srv.committed, writer_notify, NULL);
    if (srv.writer == NULL) {
        fprintf(stderr, "staatsprint: kan de schrijfthread niet starten (cannot start the writer)\n");
        store_close(store);
        return 1;
    }

    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = o->port;
    info.iface = o->bind;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6;
    /* Dead peers are found by TCP keepalive (probes after 30 s idle, closed after about
     * a minute of silence), not by lws' validity pings: lws keeps every connection's
     * timer in one sorted list, so rescheduling a ping timer on each message costs
     * O(connections) and dominated the CPU at thousands of connections. */
    info.ka_time = 30;
    info.ka_probes = 3;
    info.ka_interval = 10;
    info.timeout_secs = 30;
    void *foreign[1] = {&srv.loop};
    uv_loop_init(&srv.loop);
    info.foreign_loops = foreign;
    srv.ctx = lws_create_context(&info);
    char base[256];
    if (o->public_url)
        snprintf(base, sizeof base, "%s", o->public_url);
    else
        snprintf(base, sizeof base, "http://localhost:%d", o->port);
    const api_host_t api = {srv.ctx, srv.core, base, api_exec, api_committed_seq, o->db};
    api_init(&api);
    if (srv.ctx == NULL) {
        fprintf(stderr, "staatsprint: kan niet luisteren op poort %d (cannot listen on port %d)\n",
                o->port, o->port);
        writer_stop(srv.writer);
        uv_loop_close(&srv.loop);
        return 1;
    }
    const cluster_host_t clh = {srv.core, srv.hub, srv.log, clh_wake, clh_advance, submit_events,
                                clh_committed, store_ok, clh_ack, clh_err, clh_joined, clh_stop};
    if (cluster_start(o->db, &clh) != 0) {
        lws_context_destroy(srv.ctx);
        writer_stop(srv.writer);
        uv_loop_close(&srv.loop);
        return 1;
    }
    uv_signal_init(&srv.loop, &srv.sigint);
    uv_signal_init(&srv.loop, &srv.sigterm);
    uv_signal_start(&srv.sigint, signal_cb, SIGINT);
    uv_signal_start(&srv.sigterm, signal_cb, SIGTERM);
    uv_timer_init(&srv.loop, &srv.tick);
    uv_timer_start(&srv.tick, tick_cb, 200, 200);

    if (!o->quiet)
        start_print_links(srv.core, o);

    uv_run(&srv.loop, UV_RUN_DEFAULT);

    fprintf(stderr, "staatsprint: stoppen (stopping)\n");
    /* cluster hook: stopped before the context goes (its thread wakes the service thread) */
    int cluster_failed = cluster_stop();
    uv_signal_stop(&srv.sigint);
    uv_signal_stop(&srv.sigterm);
    uv_close((uv_handle_t *)&srv.sigint, NULL);
    uv_close((uv_handle_t *)&srv.sigterm, NULL);
    uv_timer_stop(&srv.tick);
    uv_close((uv_handle_t *)&srv.tick, NULL);
    srv.stopping = 1;
    api_stop();
    lws_context_destroy(srv.ctx);
    api_shutdown();
    /* lws closes its libuv handles asynchronously: let the loop finish them. */
    for (int i = 0; i < 100 && uv_run(&srv.loop, UV_RUN_NOWAIT) != 0; i++)
        ;
    uv_loop_close(&srv.loop);
    writer_stop(srv.writer);
    for (size_t i = srv.unc_head; i < srv.nunc; i++)
        free(srv.unc[i].frame);
    free(srv.unc);
    while (srv.conns)
        conn_free(srv.conns);
    hub_free(srv.hub);
    core_free(srv.core);
    free(srv.pdirty);
    return cluster_failed || srv.fatal ? 1 : 0;
}
