/* server.c – the WebSocket protocol of docs/protocol.md on libwebsockets + libuv:
 * hello, join, cmd and ping, the lws callback, and start-up (replay) and stop.
 *
 * Design notes
 *  - Everything here runs on the one lws service thread, except the writer thread
 *    (store/writer.c), which only calls lws_cancel_service(). The service thread
 *    then sees LWS_CALLBACK_EVENT_WAIT_CANCELLED and calls on_committed() (commit.c).
 *  - A command's events are applied to the core at once (so the next command sees
 *    them) but kept in `uncommitted` until the writer has them on disk; only then
 *    are they published to the hub (fan-out) and the command acknowledged.
 *    Invariant: every frame in the hub and every ack sent has seq <= committed.
 *  - What a connection is owed goes out once per loop turn (a uv_check handle), with one
 *    direct non-blocking send of coalesced frames (all the turn's sends in one
 *    io_uring_enter() where the kernel allows it, net/sendq.h): first its own messages (welcome, acks,
 *    errors), then hub frames in seq order, then `synced` once the replay that hello
 *    asked for is done. Only a refusing socket waits for a writeable callback (conn.c).
 *  - A client that does not read is cut off when its own queue or its hub backlog
 *    grows past a limit; memory per connection stays bounded.
 *  - Messages over the rate are not answered one by one: one rate_limited per tick lists
 *    their ids, so a client that reads is never cut off for sending too fast.
 * The parts of the server and what they share: srv.h.
 */
#include "net/srv.h"
#include "bank/bank.h"
#include "log/boot.h"
#include "log/event.h"
#include "net/cluster.h"
#include "net/sprints.h"
#include "store/pg.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

server_t srv;   /* the one server (srv.h) */

static void conn_authenticate(conn_t *c, const who_t *who, int64_t since)
{
    if (c->authed && c->who.role == ROLE_PARTICIPANT)
        presence_mark(c->who.team);
    c->who = *who;
    c->authed = 1;
    conn_watch(c);
    if (who->role == ROLE_PARTICIPANT)
        presence_mark(who->team);
    if (since < 0)
        since = 0;
    conn_subscribe(c, since);
    c->sync_at = srv.committed;
    c->sent_seq = since;
    c->need_sync = 1;
    conn_send_json(c, json_pack("{ss ss so ss sI sI}", "t", "welcome", "role", role_name(who->role),
                                "me", core_who_json(srv.core, who), "sprint", core_sprint_id(srv.core),
                                "head", (json_int_t)srv.committed, "now", (json_int_t)clock_now_ms()));
    if (who->role == ROLE_ORGANISER || who->role == ROLE_FACILITATOR)
        presence_send(c, NULL, 0);
    if (who->role == ROLE_ORGANISER || who->role == ROLE_FACILITATOR || who->role == ROLE_SCREEN)
        live_flush(c);
}

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > LIMIT_CLIENT_ID)
        return 0;
    for (; *id; id++)
        if (*id < 0x21 || *id > 0x7e)
            return 0;
    return 1;
}

/* A WebSocket command's answer: the ack once durable, or the error. A refusal is given at
 * once, right after core_exec(), so what the core has to add (a conflict's current text)
 * is still there. */
static void conn_cmd_done(void *ud, const char *id, int rc, int64_t seq)
{
    json_t *detail = rc < 0 ? core_error_detail(srv.core) : NULL;
    if (rc == SP_E_STORE_UNAVAILABLE) {   /* not the core's answer */
        json_decref(detail);
        detail = NULL;
    }
    if (rc < 0)
        conn_err_detail(ud, id, rc, detail);
    else
        conn_ack(ud, id, seq);
}

/* On a cluster, the token's hash goes with every forward (cluster_forward_cmd); without
 * one nothing needs it, and an idle connection keeps no side struct for it. (A cluster
 * starts before the first connection, so a forwarding node has the hash of each.) */
static void conn_keep_hash(conn_t *c, const char *hash)
{
    if (cluster_on())
        memcpy(conn_x(c)->hash, hash, SECRET_HASH_LEN + 1);
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
    /* cluster hook: a follower's commands go to the leader; one it knows already is
     * answered here (exec_cmd asks the core first). */
    int64_t known;
    if (cluster_forwarding() && !core_known(srv.core, &c->who, id, &known)) {
        cluster_forward_cmd(c, id, msg, c->x ? c->x->hash : "");
        return;
    }
    exec_cmd(&c->who, cmd, args, id, conn_cmd_done, c);
}


/* Wrong codes and tokens per connection: at most JOIN_FAILS_MAX in a minute from the
 * first of them (the count lives in the side struct, so a connection that never fails
 * keeps none). */
static int join_allowed(conn_t *c)
{
    int64_t now = clock_now_ms();
    conn_x_t *x = c->x;
    if (x != NULL && x->join_fails > 0 && now - x->join_window > 60000) {
        x->join_fails = 0;
        conn_x_trim(c);
        x = c->x;
    }
    int fails = x ? x->join_fails : 0;
    return fails < JOIN_FAILS_MAX && guard_addr_fails(c->addr, now) < ADDR_FAILS_MAX;
}

/* A wrong code or token: counts against the connection and its address. */
static void join_failed(conn_t *c)
{
    int64_t now = clock_now_ms();
    conn_x_t *x = conn_x(c);
    if (x->join_fails++ == 0)
        x->join_window = now;
    guard_addr_failed(c->addr, now);
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
    if (id != NULL && !id_ok(id)) {
        conn_err(c, NULL, SP_E_BAD_ID);
        return;
    }
    if (id == NULL || code == NULL || name == NULL) {
        conn_err(c, id, SP_E_BAD_MESSAGE);
        return;
    }
    if (!join_allowed(c)) {
        conn_err(c, id, SP_E_RATE_LIMITED);
        return;
    }
    if (!commit_store_ok()) {
        conn_err(c, id, SP_E_STORE_UNAVAILABLE);
        return;
    }
    /* A team code of an archived sprint (and not of this one): said so, before anything. */
    json_t *archived = sprints_lookup(code, 1), *live = archived ? core_roster(srv.core, code) : NULL;
    json_decref(live);
    if (archived != NULL && live == NULL) {
        conn_err_detail(c, id, SP_E_SPRINT_ARCHIVED, archived);
        return;
    }
    json_decref(archived);
    if (cluster_forwarding()) {   /* cluster hook: the leader makes the member */
        cluster_forward_join(c, id, code, name, person, claim);
        return;
    }
    pend_t p = {.seq = 0};
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
    json_t *archived = r == NULL ? sprints_lookup(code, 1) : NULL;
    if (archived != NULL) {
        conn_err_detail(c, id, SP_E_SPRINT_ARCHIVED, archived);
        return;
    }
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
    /* hello needs no id; one that is given comes back with an error. */
    const char *hid = json_string_value(json_object_get(msg, "id"));
    if (hid != NULL && !id_ok(hid))
        hid = NULL;
    if (token == NULL || (since && !json_is_integer(since))) {
        conn_err(c, hid, SP_E_BAD_MESSAGE);
        return;
    }
    char hash[SECRET_HASH_LEN + 1];
    secret_hash(token, hash);
    who_t who;
    int known = core_auth(srv.core, hash, &who) == 0;
    /* A link of an archived sprint – or of this one while the server switches to the next:
     * said so, never bad_token, and nothing of the live sprint. */
    json_t *archived = srv.switching && known ? json_pack("{ss ss}", "sprint", srv.log, "title", core_sprint_title(srv.core))
                       : known            ? NULL
                                          : sprints_lookup(hash, 0);
    if (archived != NULL) {
        conn_err_detail(c, hid, SP_E_SPRINT_ARCHIVED, archived);
        return;
    }
    if (!known && srv.switching) {
        conn_cut(c);   /* perhaps a link of the next sprint: the client connects again */
        return;
    }
    if (!known) {
        /* Guessing tokens counts like guessing codes: the 10th wrong one in a minute is
         * still bad_token, the 11th rate_limited (the budget is looked at before this
         * one is counted, as for join). A right token is never refused for it: people
         * reconnecting from a shared address must not be locked out by a guesser. */
        int allowed = join_allowed(c);
        join_failed(c);
        conn_err(c, hid, allowed ? SP_E_BAD_TOKEN : SP_E_RATE_LIMITED);
        return;
    }
    /* A client that has seen events this log does not hold (another server's, or a
     * database restored from an older backup) would get a stream with a hole: refused,
     * the client starts again from 0. On a cluster follower the leader may be ahead of
     * this node for a moment: there the stream simply begins once this node catches up. */
    if (since && json_integer_value(since) > srv.committed && cluster_may_write()) {
        conn_err_detail(c, hid, SP_E_BAD_SINCE, json_pack("{sI}", "head", (json_int_t)srv.committed));
        return;
    }
    conn_keep_hash(c, hash);
    conn_authenticate(c, &who, since ? json_integer_value(since) : 0);
}

/* A message refused by the rate limit is not answered on its own: its id is noted and
 * one rate_limited answer per tick lists them, so a flood cannot fill the send queue of
 * a client that reads (see limited_flush). */
static void conn_limited(conn_t *c, const char *id)
{
    conn_x_t *x = conn_x(c);
    if (x->limited++ == 0) {
        x->lnext = srv.limited;
        srv.limited = c;
    }
    if (x->limited_ids == NULL)
        x->limited_ids = json_array();
    if (id != NULL && json_array_size(x->limited_ids) < LIMITED_IDS_MAX)
        json_array_append_new(x->limited_ids, json_string(id));
}

static void limited_flush(void)
{
    for (conn_t *c = srv.limited, *next; c != NULL; c = next) {
        conn_x_t *x = c->x;
        next = x->lnext;
        double wait = (1.0 - c->bucket.tokens) * 1000.0 / RATE_PER_SEC;
        conn_err_detail(c, NULL, SP_E_RATE_LIMITED,
                        json_pack("{so sI sI}", "ids", x->limited_ids ? x->limited_ids : json_array(),
                                  "count", (json_int_t)x->limited, "retry_ms",
                                  (json_int_t)(wait > 0 ? wait + 1 : 0)));
        x->limited_ids = NULL;
        x->limited = 0;
        x->lnext = NULL;
        conn_x_trim(c);
    }
    srv.limited = NULL;
}

void handle_message(conn_t *c, const char *text, size_t len)
{
    json_t *msg;
    int drc = guard_decode(text, len, &msg);
    int fresh = guard_bucket_take(&c->bucket, RATE_BURST, RATE_PER_SEC, clock_now_ms());
    /* The message's id, when it has a valid one: every answer to it carries the id. */
    const char *id = json_string_value(json_object_get(msg, "id"));
    if (id != NULL && !id_ok(id))
        id = NULL;
    if (!fresh) {
        conn_limited(c, id);
        json_decref(msg);
        return;
    }
    if (drc != 0) {
        /* Only a message that parsed has an id to answer with (bad_text). */
        conn_err(c, id, drc);
        json_decref(msg);
        return;
    }
    const char *t = json_string_value(json_object_get(msg, "t"));
    if (t == NULL)
        conn_err(c, id, SP_E_BAD_MESSAGE);
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
        conn_err(c, id, SP_E_UNKNOWN_MESSAGE);
    json_decref(msg);
}

/* A join is durable: the session token goes to the client, then the welcome. */
void conn_joined(conn_t *c, const char *id, const char *token, const who_t *who)
{
    json_t *w = core_who_json(srv.core, who);
    conn_send_json(c, json_pack("{ss ss ss sO sO}", "t", "joined", "id", id, "token", token,
                                "member", json_object_get(w, "member"), "team",
                                json_object_get(w, "team")));
    json_decref(w);
    if (cluster_on()) {
        char hash[SECRET_HASH_LEN + 1];
        secret_hash(token, hash);
        conn_keep_hash(c, hash);
    }
    conn_authenticate(c, who, 0);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    pss_t *pss = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        const http_origins_t org = {srv.opts->port, srv.opts->public_url, srv.opts->origins,
                                    srv.opts->norigins};
        return http_ws_allowed(wsi, &org) ? 0 : -1;
    }
    case LWS_CALLBACK_ESTABLISHED:
        pss->conn = conn_new(wsi);
        conn_addr(pss->conn, wsi);
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (pss->conn)
            conn_free(pss->conn);
        pss->conn = NULL;
        return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (pss->conn)
            pss->conn->closing = 1;   /* lws answers the close; we send nothing more */
        return 0;
    case LWS_CALLBACK_RECEIVE:
        tick_wake();
        return pss->conn ? conn_receive(pss->conn, wsi, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return pss->conn ? conn_writeable(pss->conn) : 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        tick_wake();   /* a commit, the cluster, the API: each may leave the tick work */
        if (srv.writer)
            on_committed();
        cluster_poll();   /* cluster hook: committed events and answers from PostgreSQL */
        api_poll();
        return 0;
    case LWS_CALLBACK_HTTP: {
        tick_wake();
        api_closed(&pss->api);
        if (api_wants((const char *)in))
            return api_begin(wsi, &pss->api, (const char *)in);
        http_status_t st = {srv.committed, srv.nconns, !commit_store_ok(), writer_pending(srv.writer),
                            cluster_status(), conn_send_path(), &srv.acks};
        int hrc = http_begin(wsi, &pss->http, (const char *)in, &st);
        json_decref(st.cluster);
        return hrc;
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
        /* lws may close a connection before it has per-session data (seen under UBSan
         * while /healthz was polled during start-up). */
        if (pss != NULL) {
            api_closed(&pss->api);
            http_end(&pss->http);
        }
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* The receive buffer lws keeps for every WebSocket connection, idle or not: 256 bytes
 * take a whole command of the usual size (a note of a few words, a vote), which is then
 * handled where lws has it; longer messages arrive in pieces that conn_receive() puts
 * together. At 1024 this buffer was a third of an idle connection (docs/benchmarks.md).
 * 128 would save 0.12 KiB per connection (S4: 1.82 against 1.94 KiB), but a note command
 * of the benchmarks (~150 bytes) would then always arrive in pieces: kept at 256. */
#define RX_BUFFER 256

static const struct lws_protocols protocols[] = {
    {"staatsprint", callback, sizeof(pss_t), RX_BUFFER, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* No validity pings (see server_run). Without a policy of its own a vhost takes the
 * context's default, which pings after 300 s and so still reschedules a timer on every
 * message received: the policy must be given, with both times zero. */
static const lws_retry_bo_t no_validity = {.secs_since_valid_ping = 0, .secs_since_valid_hangup = 0};

/* lws reports a busy port only in its log; find out first, with a clear message. */
static int port_free(int port, const char *bind_addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind_addr)
        inet_pton(AF_INET, bind_addr, &a.sin_addr);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    int err = errno;
    close(fd);
    if (!ok && err != EADDRINUSE && err != EACCES)
        return 1;
    return ok ? 1 : -err;
}

/* ---- start and stop ---------------------------------------------------------------- */

/* The idea bank at start: archived sprints (re)indexed (bank_sync), and the entries their
 * organisers published handed to the core for "this came up before" (core_set_priors).
 * A bank that cannot be read costs the hints, never the day: a warning, and on. */
static void boot_priors(const char *db, core_t *core)
{
    json_t *priors = NULL;
    if (bank_sync(db, NULL) != 0 || bank_priors(db, &priors) != 0) {
        fprintf(stderr, "staatsprint: de ideeënbank is niet bijgewerkt; geen hints uit eerdere sprints "
                        "(the idea bank was not updated; no hints from earlier sprints)\n");
        return;
    }
    core_set_priors(core, priors);
    json_decref(priors);
}

/* The hub's frames are made after the whole log is folded, so that personal data
 * deleted later in the log (person.delete, AVG) is left out of every replay from the
 * start on: core_redact() knows the final state. */
static int boot_publish(void *ud, const ev_t *logged)
{
    (void)ud;
    ev_t ev = *logged;
    core_event_upgrade(&ev);
    json_t *red = core_redact(srv.core, &ev);
    if (red != NULL)
        ev.data = red;
    if (ev.aud_kind != AUD_SERVER) {
        size_t len;
        char *f = ev_frame(&ev, &len);
        hub_publish(srv.hub, ev.seq, hub_chan(srv.hub, ev.aud_kind, ev.aud_id), f, len);
        free(f);
    }
    hub_set_head(srv.hub, ev.seq);
    json_decref(red);
    return 0;
}

static void server_switch(void);

/* ---- the tick ----------------------------------------------------------------------
 *
 * Timers and race rounds end without anyone sending a command: the core hears of the
 * time five times a second and emits what ran out, committed like any event. The same
 * tick sends what was gathered: presence, rate-limit answers, live counts (in slices).
 * It runs only while there is something for it: a timer or race round running, something
 * gathered and not yet sent, an archived sprint (another node may start the next one), a
 * cluster (other nodes' presence). Anything that can give it work first wakes it
 * (tick_wake: a message received – a command, a rate-limited one –, a commit or news from
 * the cluster, an HTTP request, presence marked), so a server with every connection idle does not wake up at all (S4: idle
 * CPU 0 %, not five wake-ups a second). */
#define TICK_MS 200

static void tick_cb(uv_timer_t *h);

void tick_wake(void)
{
    if (!srv.tick_on && !srv.stopping) {
        srv.tick_on = 1;
        uv_timer_start(&srv.tick, tick_cb, TICK_MS, TICK_MS);
    }
}

/* After a tick: whether the next would have nothing to do. */
static int tick_idle(void)
{
    return srv.limited == NULL && live_idle() && !core_clock_running(srv.core) &&
           !core_archived(srv.core) && !cluster_on();
}

static void tick_cb(uv_timer_t *h)
{
    (void)h;
    presence_flush();
    limited_flush();
    live_flush(NULL);
    /* An archived sprint: another node of a cluster may have made the next one (every 2 s). */
    static unsigned ticks;
    if (core_archived(srv.core) && !srv.switching && ++ticks % 10 == 0 && sprints_newer(srv.opts->db, srv.log))
        server_switch();
    if (!commit_store_ok() || !cluster_may_write())   /* cluster hook: only the leader decides */
        return;
    evlist_t out = {0};
    if (core_tick(srv.core, clock_now_ms(), &out) > 0)
        submit_events(&out);
    evlist_free(&out);
    if (tick_idle()) {
        uv_timer_stop(&srv.tick);
        srv.tick_on = 0;
    }
}

/* ---- cluster hooks (net/cluster.h): several nodes on one PostgreSQL ----------------- */

static void clh_wake(void) { lws_cancel_service(srv.ctx); }

/* A follower applied committed events up to head (already published to the hub). */
static void clh_advance(int64_t head)
{
    hub_set_head(srv.hub, head);
    srv.committed = head;
    srv.effects |= core_take_effects(srv.core);
    effects_apply();
    exec_committed(head);
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
static void clh_fence(int64_t term) { store_pg_set_term(srv.store, term); }
static int clh_probe(int64_t *head) { return writer_probe(srv.writer, head, 3000); }
static void clh_restart(void)
{
    srv.again = 1;
    uv_stop(&srv.loop);
}
static void clh_presence(const json_t *others)
{
    if (json_equal(others, srv.remote))
        return;
    json_decref(srv.remote);
    srv.remote = json_deep_copy(others);
    for (size_t t = 0; t < core_team_count(srv.core); t++)
        presence_mark((int)t);
}

/* ---- several sprints: the switch to a new live sprint (net/sprints.h) ----------------- */

static int switched;   /* the next server_run serves a new sprint: its links are printed */

/* Every 50 ms after the switch began: once every connection has its last message out
 * (or after 2 s: a client that does not read is not waited for), start again. */
static void switch_cb(uv_timer_t *h)
{
    static unsigned waits;
    int owed = 0;
    for (conn_t *c = srv.conns; c != NULL && !owed; c = c->next)
        owed = c->qhead != NULL && !c->cut;
    if (owed && ++waits < 40)
        return;
    waits = 0;
    uv_timer_stop(h);
    switched = 1;
    srv.again = 1;   /* server_run returns SERVER_AGAIN: main boots the new live sprint */
    uv_stop(&srv.loop);
}

/* A new sprint is durable and its creator has the answer: every connection hears that
 * this sprint is archived and is closed; the server starts again in-process and serves
 * the newest log (boot_open). */
static void server_switch(void)
{
    if (srv.switching)
        return;
    srv.switching = 1;
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        conn_err_detail(c, NULL, SP_E_SPRINT_ARCHIVED,
                        json_pack("{ss ss}", "sprint", srv.log, "title", core_sprint_title(srv.core)));
    }
    conn_flush_dirty();
    /* What is owed goes out in the next turns; then the context (and every connection) goes. */
    uv_timer_init(&srv.loop, &srv.switch_timer);
    uv_timer_start(&srv.switch_timer, switch_cb, 50, 50);
}

/* The end of every loop turn: what the turn's commits, commands and answers owe goes out. */
static void flush_cb(uv_check_t *h)
{
    (void)h;
    conn_flush_dirty();
}

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
    int pf = o->again ? 0 : port_free(o->port, o->bind);
    if (pf < 0) {
        fprintf(stderr, "staatsprint: poort %d is al in gebruik of niet toegestaan; kies een andere "
                        "met --port.\n(port %d is already in use or not allowed: %s; choose another "
                        "with --port.)\n", o->port, o->port, strerror(-pf));
        return 1;
    }
    srv.core = core_new();
    srv.hub = hub_new(LWS_PRE, conn_wake);
    store_t *store = NULL;
    boot_extra_teams = o->extra_teams;
    while (boot_open(o->db, &store, srv.core, srv.log, sizeof srv.log, NULL, NULL) != 0) {
        if (!o->again) {
            hub_free(srv.hub);
            core_free(srv.core);
            return 1;
        }
        /* Starting again after the database was lost: wait until it is back. */
        core_free(srv.core);
        srv.core = core_new();
        usleep(1000 * 1000);
    }
    if (log_read(store, srv.log, 0, boot_publish, NULL, NULL) != 0) {
        fprintf(stderr, "staatsprint: kan de database niet lezen (cannot read the database)\n");
        store_close(store);
        hub_free(srv.hub);
        core_free(srv.core);
        return 1;
    }
    srv.committed = core_head(srv.core);
    core_take_effects(srv.core);   /* the replay's: acted on by subscribing at all */
    /* The other logs are archives: their links are known, to be refused as such. Not
     * readable now: the live sprint is served all the same (old links get bad_token). */
    if (sprints_load(o->db, srv.log) != 0)
        fprintf(stderr, "staatsprint: de links van gearchiveerde sprints worden niet herkend (links of "
                        "archived sprints are not recognised)\n");
    boot_secret_source(srv.core);
    boot_priors(o->db, srv.core);   /* the idea bank catches up with the archives (bank_sync), then the priors */
    srv.writer = writer_start(store, srv.log, srv.committed, commit_notify, NULL);
    if (srv.writer != NULL && o->gather_us >= 0)
        writer_set_gather(srv.writer, o->gather_us);
    srv.store = store;
    srv.remote = json_object();
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
    info.retry_and_idle_policy = &no_validity;
    info.ka_time = 30;
    info.ka_probes = 3;
    info.ka_interval = 10;
    info.timeout_secs = 30;
    void *foreign[1] = {&srv.loop};
    uv_loop_init(&srv.loop);
    info.foreign_loops = foreign;
    info.pcontext = &srv.ctx;   /* set to NULL once the context is wholly destroyed */
    srv.ctx = lws_create_context(&info);
    char base[256];
    if (o->public_url)
        snprintf(base, sizeof base, "%s", o->public_url);
    else
        snprintf(base, sizeof base, "http://localhost:%d", o->port);
    const api_host_t api = {srv.ctx, srv.core, base, exec_cmd, o->db, srv.log, server_switch};
    api_init(&api);
    if (srv.ctx == NULL) {
        fprintf(stderr, "staatsprint: kan niet luisteren op poort %d (cannot listen on port %d)\n",
                o->port, o->port);
        writer_stop(srv.writer);
        uv_loop_close(&srv.loop);
        return 1;
    }
    const cluster_host_t clh = {srv.core,   srv.hub,      srv.log,        clh_wake,
                                clh_advance, exec_cmd,     submit_events,  clh_committed,
                                commit_store_ok, clh_ack,  clh_err,        clh_joined,
                                clh_stop,   clh_fence,    clh_probe,      clh_restart,
                                clh_presence, base};
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
    tick_wake();
    conn_send_open();
    uv_check_init(&srv.loop, &srv.flush);
    uv_check_start(&srv.flush, flush_cb);
    uv_unref((uv_handle_t *)&srv.flush);

    if (!o->quiet && (!o->again || switched) && o->on_start)
        o->on_start(srv.core, base);   /* also the new sprint's links after a switch */
    switched = 0;

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
    uv_check_stop(&srv.flush);
    uv_close((uv_handle_t *)&srv.flush, NULL);
    conn_send_close();   /* a later flush (none is expected) sends one by one */
    if (srv.switching) {
        uv_timer_stop(&srv.switch_timer);
        uv_close((uv_handle_t *)&srv.switch_timer, NULL);
    }
    srv.stopping = 1;
    /* The writer wakes the lws context: it stops first (what it still commits is never
     * acknowledged: nobody is served any more). */
    writer_stop(srv.writer);
    srv.writer = NULL;
    api_stop();
    struct lws_context *ctx = srv.ctx;
    lws_context_destroy(ctx);
    exec_stop();
    api_shutdown();
    /* lws closes its libuv handles asynchronously: let the loop finish them. On a foreign
     * loop the context is freed by a second destroy once they are closed (info.pcontext
     * tells when it is done); a node that starts again must not leave it behind. */
    for (int i = 0; i < 100 && uv_run(&srv.loop, UV_RUN_NOWAIT) != 0; i++)
        ;
    if (srv.ctx != NULL)
        lws_context_destroy(ctx);
    for (int i = 0; i < 100 && uv_run(&srv.loop, UV_RUN_NOWAIT) != 0; i++)
        ;
    uv_loop_close(&srv.loop);
    for (size_t i = srv.unc_head; i < srv.nunc; i++)
        free(srv.unc[i].frame);
    free(srv.unc);
    free(srv.wait);
    while (srv.conns)
        conn_free(srv.conns);
    free(srv.watch);
    srv.watch = NULL;
    srv.nwatch = srv.capwatch = 0;
    hub_free(srv.hub);
    core_free(srv.core);
    free(srv.pdirty);
    live_free();
    sprints_unload();
    json_decref(srv.remote);
    if (srv.again && !cluster_failed && !srv.fatal)
        return SERVER_AGAIN;
    return cluster_failed || srv.fatal ? 1 : 0;
}
