/* cluster.c – one leader, many followers on one PostgreSQL database (see cluster.h).
 *
 * Design notes
 *  - Why one leader: every node folds the log into its own core and a command is
 *    validated against that core. Two nodes validating independently would decide on
 *    different states (two members taking the last dot of a budget). One leader decides;
 *    followers only apply what is committed, so every core is a prefix of the same log.
 *  - The leader lock is a session-level advisory lock on the cluster connection, which
 *    also LISTENs. Losing that connection means possibly losing the lock, so a leader
 *    that loses it stops (its core may hold applied but uncommitted events and another
 *    node may already lead); a supervisor starts it again as a follower.
 *  - A node that takes the lock waits LEAD_GRACE_MS before reading the log to its head:
 *    a killed leader's connections close together, but a COMMIT its server process had
 *    already received may finish a moment after the lock was released. Should one still
 *    land later, the new leader's first append meets STORE_ECONFLICT and the node stops
 *    rather than fork the log (server.c, on_committed).
 *  - Forwards go through the table staatsprint_inbox, so a command sent while no node
 *    leads waits there for the next leader (UNLOGGED: see cl_connect). Answers are
 *    NOTIFY payloads on the asking node's channel, not rows: they are small, only
 *    useful to a node that is alive and listening, and need no clean-up when a node
 *    dies. An answer lost with a broken connection is recovered by resending the
 *    forward (RESEND_MS, and at once on a reconnect or a leader change); the leader's
 *    core deduplicates the command.
 *  - The leader answers an accepted command only after its commit (like a local ack);
 *    the follower acknowledges its client only after it applied that seq itself, so a
 *    client never holds an ack for an event it could not yet receive.
 *
 * Cluster thread states:
 *   connecting --ok--> follower --lock taken--> (grace, read to head) --> leader
 *        ^  failed: retry after RECONNECT_MS   |                              |
 *        +------- connection lost -------------+          connection lost: stop the node
 */
#include "net/cluster.h"
#include "core/err.h"
#include "log/event.h"
#include "util/secret.h"
#include "store/pg_node.h"
#include "store/store.h"
#include "util/xalloc.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 500        /* read the log / the inbox this often even without a NOTIFY */
#define LOCK_EVERY_MS 300  /* a follower tries the leader lock this often */
#define LEAD_GRACE_MS 1000 /* see the design notes */
#define RESEND_MS 5000     /* an unanswered forward is sent again after this long */
#define TICK_MS 1000       /* the service thread looks for aged forwards this often */
#define RECONNECT_MS 500
#define INBOX_BATCH 1000
#define LOCK_SALT 0x5354415453505249ull /* "STATSPRI": leader locks apart from other keys */

enum { CI_EVENT, CI_LEAD, CI_INBOX, CI_ANSWER, CI_RESEND, CI_STOP };

typedef struct citem {
    struct citem *next;
    int kind;
    ev_t ev;        /* CI_EVENT: data owned by the item */
    char *frame;    /* CI_EVENT: the wire frame, NULL when nobody may see it */
    size_t flen;
    json_t *msg;    /* CI_INBOX, CI_ANSWER */
    int all;        /* CI_RESEND: every unanswered forward, not only the aged ones */
    char text[200]; /* CI_STOP: why */
} citem_t;

enum { FWD_CMD, FWD_JOIN };

typedef struct {
    uint64_t serial;
    void *conn;
    int kind;
    char id[72];
    char hash[SECRET_HASH_LEN + 1];
    char token[SECRET_TOKEN_LEN + 1];
    json_t *row;    /* the inbox message, kept for resending */
    int answered;   /* the leader answered with seq; waiting until it is applied here */
    int64_t seq;
    int64_t sent_at;
} fwd_t;

typedef struct {
    char node[24];
    uint64_t serial;
    int kind;
    int64_t seq;
} rpend_t;

/* A forwarded command waiting for its answer from the one command path; owned by the
 * server's exec until it calls remote_done (which it always does, also on stopping). */
typedef struct {
    char node[24];
    uint64_t serial;
} remote_t;

typedef struct {
    cluster_host_t host;
    char *uri;
    char node[24];   /* random id of this node; its answers come on chan_node */
    char chan_log[STORE_PG_CHANNEL_MAX + 1], chan_inbox[40], chan_node[40], chan_lead[40];
    char lockkey[24];
    pthread_t thread;
    int efd;         /* wakes the cluster thread */

    pthread_mutex_t mu;
    citem_t *in_head, *in_tail; /* to the service thread, in order */
    json_t *out_fwd;            /* inbox messages to insert */
    json_t *out_ans;            /* [channel, payload] to notify */
    int stop;

    /* cluster thread only */
    store_pg_listener_t *pl;   /* LISTENs, the leader lock, the inbox (store/pg_node.h) */
    store_t *rs;
    int64_t cursor;  /* the log has been read up to here */
    int t_leader;

    /* service thread only */
    int leader;
    fwd_t *fwd;
    size_t nfwd, capfwd, nopen;
    uint64_t serial;
    rpend_t *rp;                /* joins waiting for their commit */
    size_t nrp, caprp;
    int64_t head;    /* newest seq applied here and durable */
    int failed;      /* the node was stopped by fatal() */
} cluster_t;

static cluster_t *cl;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t fnv64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static void cl_poke(void)
{
    uint64_t one = 1;
    ssize_t n = write(cl->efd, &one, sizeof one);
    (void)n; /* a full counter already means "wake up" */
}

/* ---- the cluster thread ------------------------------------------------------------- */

static void cl_push(citem_t *head, citem_t *tail)
{
    if (head == NULL)
        return;
    pthread_mutex_lock(&cl->mu);
    if (cl->in_tail)
        cl->in_tail->next = head;
    else
        cl->in_head = head;
    cl->in_tail = tail;
    pthread_mutex_unlock(&cl->mu);
    cl->host.wake();
}

static void cl_push1(int kind, const char *text)
{
    citem_t *it = xcalloc(1, sizeof *it);
    it->kind = kind;
    it->all = 1;
    if (text)
        snprintf(it->text, sizeof it->text, "%s", text);
    cl_push(it, it);
}

static int cl_stopping(void)
{
    pthread_mutex_lock(&cl->mu);
    int s = cl->stop;
    pthread_mutex_unlock(&cl->mu);
    return s;
}

/* Waits up to ms for a poke (or, when fd >= 0, input on fd). Returns 1 if fd is readable. */
static int cl_wait(int fd, int ms)
{
    struct pollfd p[2] = {{.fd = cl->efd, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int n = poll(p, fd >= 0 ? 2 : 1, ms < 0 ? 0 : ms);
    if (n > 0 && (p[0].revents & POLLIN)) {
        uint64_t v;
        ssize_t r = read(cl->efd, &v, sizeof v);
        (void)r;
    }
    return n > 0 && fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR));
}

/* The cluster connection: the inbox, LISTEN on the four channels (store/pg_node.h). */
static int cl_connect(char *err, size_t errlen)
{
    store_pg_listen_close(cl->pl);
    cl->pl = NULL;
    if (store_pg_node_open(cl->uri, &cl->pl, err, errlen) != 0)
        return -1;
    if (store_pg_listen(cl->pl, cl->host.log) || store_pg_listen_channel(cl->pl, cl->chan_inbox) ||
        store_pg_listen_channel(cl->pl, cl->chan_node) ||
        store_pg_listen_channel(cl->pl, cl->chan_lead)) {
        snprintf(err, errlen, "%s", store_pg_node_error(cl->pl));
        return -1;
    }
    if (cl->rs == NULL && store_open(cl->uri, &cl->rs, err, errlen) != 0)
        return -1;
    return 0;
}

typedef struct {
    citem_t *head, *tail;
} clist_t;

/* Unreadable data stops the read (log_read) rather than skip a seq, which would leave
 * a gap. */
static int cl_read_cb(void *ud, const ev_t *ev)
{
    clist_t *l = ud;
    citem_t *it = xcalloc(1, sizeof *it);
    it->kind = CI_EVENT;
    it->ev = *ev;
    json_incref(it->ev.data);
    if (it->ev.aud_kind != AUD_SERVER)
        it->frame = ev_frame(&it->ev, &it->flen);
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
    cl->cursor = ev->seq;
    return 0;
}

/* Reads the log after the cursor and hands the records over. Returns 0 or -1. */
static int cl_read_log(void)
{
    clist_t l = {NULL, NULL};
    int rc = log_read(cl->rs, cl->host.log, cl->cursor, cl_read_cb, &l, NULL);
    cl_push(l.head, l.tail);
    if (rc == LOG_EBAD) {
        char why[160];
        snprintf(why, sizeof why, "event %lld in the database is damaged",
                 (long long)cl->cursor + 1);
        cl_push1(CI_STOP, why);
    }
    return rc == STORE_OK ? 0 : -1;
}

/* The lock is ours: catch up with the log, then lead. */
static void cl_take_lead(void)
{
    int64_t until = mono_ms() + LEAD_GRACE_MS;
    while (!cl_stopping() && mono_ms() < until)
        cl_wait(-1, (int)(until - mono_ms()));
    if (cl_stopping())
        return;
    if (cl_read_log() != 0) {
        /* Cannot catch up: give the lock back and let the next attempt (or node) try. */
        store_pg_node_unlock(cl->pl, cl->lockkey);
        return;
    }
    cl->t_leader = 1;
    cl_push1(CI_LEAD, NULL);
    store_pg_node_notify(cl->pl, cl->chan_lead, cl->node);
}

static void cl_inbox_cb(void *ud, const char *msg)
{
    clist_t *l = ud;
    json_t *m = json_loads(msg, 0, NULL);
    if (!json_is_object(m)) {
        json_decref(m);
        return;
    }
    citem_t *it = xcalloc(1, sizeof *it);
    it->kind = CI_INBOX;
    it->msg = m;
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
}

/* Leader: takes the waiting forwards out of the inbox, in id order. Returns whether a
 * full batch came (more may wait). */
static int cl_claim_inbox(void)
{
    clist_t l = {NULL, NULL};
    int n = store_pg_node_inbox_take(cl->pl, cl->host.log, INBOX_BATCH, cl_inbox_cb, &l);
    cl_push(l.head, l.tail);
    return n == INBOX_BATCH;
}

/* Sends what the service thread queued: forwards into the inbox, answers as NOTIFYs.
 * On failure they are dropped: the forward is resent (RESEND_MS, or at the reconnect). */
static void cl_flush_out(void)
{
    pthread_mutex_lock(&cl->mu);
    json_t *fwd = cl->out_fwd, *ans = cl->out_ans;
    cl->out_fwd = json_array();
    cl->out_ans = json_array();
    pthread_mutex_unlock(&cl->mu);
    if (json_array_size(fwd) > 0) {
        char *body = json_dumps(fwd, JSON_COMPACT);
        store_pg_node_inbox_put(cl->pl, cl->host.log, body, cl->chan_inbox);
        free(body);
    }
    if (json_array_size(ans) > 0) {
        char *body = json_dumps(ans, JSON_COMPACT);
        store_pg_node_notify_each(cl->pl, body);
        free(body);
    }
    json_decref(fwd);
    json_decref(ans);
}

typedef struct {
    int *need_read, *need_inbox;
    clist_t l;
} drain_t;

static int cl_heard(void *ud, const char *chan, const char *payload)
{
    drain_t *d = ud;
    if (strcmp(chan, cl->chan_log) == 0) {
        *d->need_read = 1;
    } else if (strcmp(chan, cl->chan_inbox) == 0) {
        *d->need_inbox = 1;
    } else if (strcmp(chan, cl->chan_node) == 0 || strcmp(chan, cl->chan_lead) == 0) {
        citem_t *it = xcalloc(1, sizeof *it);
        if (strcmp(chan, cl->chan_lead) == 0) {
            /* Another node leads now: whatever the old leader held is lost. */
            it->kind = CI_RESEND;
            it->all = 1;
        } else {
            it->kind = CI_ANSWER;
            it->msg = json_loads(payload, 0, NULL);
        }
        if (d->l.tail)
            d->l.tail->next = it;
        else
            d->l.head = it;
        d->l.tail = it;
    }
    return 1;
}

/* Reads notifications; sets *need_read (the log moved) and *need_inbox (forwards wait). */
static void cl_drain(int *need_read, int *need_inbox)
{
    drain_t d = {need_read, need_inbox, {NULL, NULL}};
    store_pg_listen_drain_any(cl->pl, cl_heard, &d);
    cl_push(d.l.head, d.l.tail);
}

static void *cl_main(void *arg)
{
    (void)arg;
    int need_read = 1, need_inbox = 1;
    int connected = store_pg_node_alive(cl->pl); /* cluster_start connected it */
    int64_t next_lock = 0, next_poll = 0, next_tick = mono_ms() + TICK_MS;
    char err[512];
    while (!cl_stopping()) {
        if (!connected || !store_pg_node_alive(cl->pl)) {
            if (cl->t_leader) {
                cl_push1(CI_STOP, "the connection holding the leader lock was lost; another "
                                  "node takes over");
                break;
            }
            if (cl_connect(err, sizeof err) != 0) {
                if (connected)
                    fprintf(stderr, "staatsprint: cluster: geen verbinding met PostgreSQL, "
                                    "opnieuw (no connection to PostgreSQL, retrying): %s\n", err);
                connected = 0;
                cl_wait(-1, RECONNECT_MS);
                continue;
            }
            /* Answers may have been lost meanwhile: resend, and read what was missed. */
            cl_push1(CI_RESEND, NULL);
            connected = 1;
            need_read = 1;
        }
        int64_t now = mono_ms();
        if (!cl->t_leader && now >= next_lock) {
            next_lock = now + LOCK_EVERY_MS;
            if (store_pg_node_try_lock(cl->pl, cl->lockkey) == 1)
                cl_take_lead();
            continue;
        }
        if (!cl->t_leader && (need_read || now >= next_poll)) {
            need_read = 0;
            next_poll = now + POLL_MS;
            cl_read_log();
        }
        if (cl->t_leader && (need_inbox || now >= next_poll)) {
            need_inbox = 0;
            next_poll = now + POLL_MS;
            need_inbox = cl_claim_inbox();
        }
        if (now >= next_tick) {
            next_tick = now + TICK_MS;
            citem_t *it = xcalloc(1, sizeof *it);
            it->kind = CI_RESEND;
            cl_push(it, it);
        }
        cl_flush_out();
        cl_drain(&need_read, &need_inbox);
        /* Each role heeds one of the two: the leader hears its own commits, a follower
         * hears the forwards of the others. */
        if (cl->t_leader)
            need_read = 0;
        else
            need_inbox = 0;
        if (need_read || need_inbox)
            continue;
        int64_t wake = next_poll < next_tick ? next_poll : next_tick;
        if (!cl->t_leader && next_lock < wake)
            wake = next_lock;
        if (cl_wait(store_pg_listen_fd(cl->pl), (int)(wake - mono_ms())))
            cl_drain(&need_read, &need_inbox);
    }
    return NULL;
}

/* ---- the service thread ------------------------------------------------------------- */

static void fwd_remove(size_t i)
{
    fwd_t *f = &cl->fwd[i];
    if (!f->answered)
        cl->nopen--;
    json_decref(f->row);
    memmove(f, f + 1, (cl->nfwd - i - 1) * sizeof *f);
    cl->nfwd--;
}

/* Acknowledges the forwards whose answered seq is applied here, in order. */
static void fwd_check(void)
{
    size_t i = 0;
    while (i < cl->nfwd) {
        fwd_t *f = &cl->fwd[i];
        if (!f->answered || f->seq > cl->head) {
            i++;
            continue;
        }
        if (f->kind == FWD_CMD) {
            cl->host.ack(f->conn, f->id, f->seq);
        } else {
            who_t who;
            if (core_auth(cl->host.core, f->hash, &who) == 0)
                cl->host.joined(f->conn, f->id, f->token, &who);
            else
                cl->host.err(f->conn, f->id, SP_E_BAD_TOKEN);
        }
        fwd_remove(i);
    }
}

static void fwd_send(fwd_t *f)
{
    f->sent_at = mono_ms();
    pthread_mutex_lock(&cl->mu);
    json_array_append(cl->out_fwd, f->row);
    pthread_mutex_unlock(&cl->mu);
}

static void fwd_resend(int all)
{
    int64_t now = mono_ms();
    int any = 0;
    for (size_t i = 0; i < cl->nfwd; i++) {
        fwd_t *f = &cl->fwd[i];
        if (!f->answered && (all || now - f->sent_at >= RESEND_MS)) {
            fwd_send(f);
            any = 1;
        }
    }
    if (any)
        cl_poke();
}

static fwd_t *fwd_new(void *conn, int kind, const char *id)
{
    xgrow((void **)&cl->fwd, &cl->capfwd, cl->nfwd + 1, sizeof *cl->fwd);
    fwd_t *f = &cl->fwd[cl->nfwd++];
    memset(f, 0, sizeof *f);
    f->serial = ++cl->serial;
    f->conn = conn;
    f->kind = kind;
    snprintf(f->id, sizeof f->id, "%s", id);
    f->row = json_pack("{ss sI ss ss}", "n", cl->node, "c", (json_int_t)f->serial, "k",
                       kind == FWD_CMD ? "cmd" : "join", "i", id);
    cl->nopen++;
    return f;
}

static void on_answer(json_t *m)
{
    json_int_t serial = json_integer_value(json_object_get(m, "c"));
    const char *k = json_string_value(json_object_get(m, "k"));
    if (k == NULL)
        return;
    for (size_t i = 0; i < cl->nfwd; i++) {
        fwd_t *f = &cl->fwd[i];
        if (f->serial != (uint64_t)serial)
            continue;
        if (f->answered)
            return; /* a resent forward answered twice */
        if (strcmp(k, "err") == 0) {
            cl->host.err(f->conn, f->id, (int)json_integer_value(json_object_get(m, "e")));
            fwd_remove(i);
        } else {
            f->answered = 1;
            f->seq = json_integer_value(json_object_get(m, "s"));
            cl->nopen--;
            fwd_check();
        }
        return;
    }
}

/* The leader's answer to a forward, sent now (errors, old commands) or after the commit. */
static void answer(const char *node, uint64_t serial, const char *kind, int64_t seq, int e)
{
    char chan[40];
    cluster_node_channel(node, chan, sizeof chan);
    json_t *p = json_pack("{sI ss sI si}", "c", (json_int_t)serial, "k", kind, "s",
                          (json_int_t)seq, "e", e);
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    pthread_mutex_lock(&cl->mu);
    json_array_append_new(cl->out_ans, json_pack("[ss]", chan, s));
    pthread_mutex_unlock(&cl->mu);
    free(s);
    cl_poke();
}

static void rpend_add(const char *node, uint64_t serial, int kind, int64_t seq)
{
    xgrow((void **)&cl->rp, &cl->caprp, cl->nrp + 1, sizeof *cl->rp);
    rpend_t *r = &cl->rp[cl->nrp++];
    snprintf(r->node, sizeof r->node, "%s", node);
    r->serial = serial;
    r->kind = kind;
    r->seq = seq;
}

/* Leader: a forwarded command's answer, once durable (or refused). */
static void remote_done(void *ud, const char *id, int rc, int64_t seq)
{
    (void)id;
    remote_t *rm = ud;
    if (cl != NULL)   /* else the node stopped: the other node resends the forward */
        answer(rm->node, rm->serial, rc < 0 ? "err" : "ack", rc < 0 ? 0 : seq, rc < 0 ? rc : 0);
    free(rm);
}

/* Leader: one forwarded message, as if it came from a connection of that identity. */
static void leader_exec(json_t *m)
{
    const char *node = json_string_value(json_object_get(m, "n"));
    const char *kind = json_string_value(json_object_get(m, "k"));
    const char *hash = json_string_value(json_object_get(m, "h"));
    const char *id = json_string_value(json_object_get(m, "i"));
    uint64_t serial = (uint64_t)json_integer_value(json_object_get(m, "c"));
    if (node == NULL || kind == NULL || hash == NULL || id == NULL || strlen(node) >= 24)
        return;
    core_t *core = cl->host.core;
    evlist_t out = {0};
    who_t who;
    if (!cl->host.store_ok()) {
        answer(node, serial, "err", 0, SP_E_STORE_UNAVAILABLE);
    } else if (strcmp(kind, "cmd") == 0) {
        const char *cmd = json_string_value(json_object_get(m, "m"));
        json_t *args = json_object_get(m, "a");
        if (core_auth(core, hash, &who) != 0)
            answer(node, serial, "err", 0, SP_E_BAD_TOKEN);
        else if (cmd == NULL)
            answer(node, serial, "err", 0, SP_E_BAD_MESSAGE);
        else {
            /* The one command path (net/exec.h); remote_done answers the node. */
            remote_t *rm = xcalloc(1, sizeof *rm);
            snprintf(rm->node, sizeof rm->node, "%s", node);
            rm->serial = serial;
            cl->host.exec(&who, cmd, json_is_object(args) ? args : NULL, id, remote_done, rm);
        }
    } else if (strcmp(kind, "join") == 0) {
        const char *code = json_string_value(json_object_get(m, "code"));
        const char *name = json_string_value(json_object_get(m, "name"));
        core_join_t j = {code, name, json_string_value(json_object_get(m, "person")),
                         json_string_value(json_object_get(m, "claim")), id, hash};
        int rc = code && name ? core_join_ex(core, &j, wall_ms(), &out, &who) : SP_E_BAD_MESSAGE;
        if (rc == CORE_JOIN_CLAIM_PENDING) {
            cl->host.submit(&out);   /* the team sees the confirmation code */
            answer(node, serial, "err", 0, SP_E_CLAIM_PENDING);
        } else if (rc != 0)
            answer(node, serial, "err", 0, rc);
        else {
            cl->host.submit(&out);
            rpend_add(node, serial, FWD_JOIN, out.v[out.n - 1].seq);
        }
    }
    evlist_free(&out);
}

void cluster_committed(int64_t committed)
{
    if (cl == NULL)
        return;
    if (committed > cl->head)
        cl->head = committed;
    size_t k = 0;
    for (size_t i = 0; i < cl->nrp; i++) {
        rpend_t *r = &cl->rp[i];
        if (r->seq <= committed)
            answer(r->node, r->serial, r->kind == FWD_CMD ? "ack" : "joined", r->seq, 0);
        else
            cl->rp[k++] = *r;
    }
    cl->nrp = k;
    fwd_check();
}

static void fatal(const char *why)
{
    fprintf(stderr, "staatsprint: cluster: deze node stopt (this node stops): %s\n", why);
    cl->failed = 1;
    cl->host.stop();
}

/* Follower: one committed record. Returns 0, or -1 after stopping the node. */
static int apply_event(citem_t *it, int64_t *last)
{
    core_t *core = cl->host.core;
    if (cl->leader || it->ev.seq <= core_head(core))
        return 0; /* read twice (a reconnect), or our own while leading */
    if (core_apply(core, &it->ev) != 0) {
        char why[160];
        snprintf(why, sizeof why, "event %lld does not follow %lld in the log",
                 (long long)it->ev.seq, (long long)core_head(core));
        fatal(why);
        return -1;
    }
    if (it->frame)
        hub_publish(cl->host.hub, it->ev.seq,
                    hub_chan(cl->host.hub, it->ev.aud_kind, it->ev.aud_id), it->frame, it->flen);
    *last = it->ev.seq;
    return 0;
}

static void advance(int64_t *last)
{
    if (*last == 0)
        return;
    cl->host.advance(*last);
    if (*last > cl->head)
        cl->head = *last;
    *last = 0;
    fwd_check();
}

static void item_free(citem_t *it)
{
    json_decref(it->ev.data);
    json_decref(it->msg);
    free(it->frame);
    free(it);
}

void cluster_poll(void)
{
    if (cl == NULL)
        return;
    pthread_mutex_lock(&cl->mu);
    citem_t *it = cl->in_head;
    cl->in_head = cl->in_tail = NULL;
    pthread_mutex_unlock(&cl->mu);
    int64_t last = 0;
    int dead = 0;
    while (it != NULL) {
        citem_t *next = it->next;
        if (it->kind != CI_EVENT)
            advance(&last);
        if (dead) {
            /* stopping: only free what is left */
        } else if (it->kind == CI_EVENT) {
            dead = apply_event(it, &last) != 0;
        } else if (it->kind == CI_LEAD) {
            cl->leader = 1;
            cl->head = cl->host.committed();
            fprintf(stderr, "staatsprint: cluster: deze node leidt nu (this node now leads) at "
                            "seq %lld\n", (long long)cl->head);
            fwd_resend(1);
        } else if (it->kind == CI_INBOX) {
            if (cl->leader)
                leader_exec(it->msg);
        } else if (it->kind == CI_ANSWER) {
            if (json_is_object(it->msg))
                on_answer(it->msg);
        } else if (it->kind == CI_RESEND) {
            fwd_resend(it->all);
        } else if (it->kind == CI_STOP) {
            fatal(it->text);
            dead = 1;
        }
        item_free(it);
        it = next;
    }
    if (!dead)
        advance(&last);
}

/* ---- the server's hooks ------------------------------------------------------------- */

int cluster_forwarding(void)
{
    return cl != NULL && (!cl->leader || cl->nopen > 0);
}

int cluster_may_write(void)
{
    return cl == NULL || cl->leader;
}

void cluster_forward_cmd(void *conn, const char *id, json_t *msg, const char *hash)
{
    if (cl == NULL)
        return;
    fwd_t *f = fwd_new(conn, FWD_CMD, id);
    snprintf(f->hash, sizeof f->hash, "%s", hash);
    json_object_set_new(f->row, "h", json_string(hash));
    json_t *cmd = json_object_get(msg, "cmd"), *args = json_object_get(msg, "args");
    json_object_set(f->row, "m", cmd);
    if (args)
        json_object_set(f->row, "a", args);
    fwd_send(f);
    cl_poke();
}

void cluster_forward_join(void *conn, const char *id, const char *code, const char *name, const char *person,
                          const char *claim)
{
    if (cl == NULL)
        return;
    fwd_t *f = fwd_new(conn, FWD_JOIN, id);
    secret_token(f->token);
    secret_hash(f->token, f->hash);
    json_object_set_new(f->row, "h", json_string(f->hash));
    json_object_set_new(f->row, "code", json_string(code));
    json_object_set_new(f->row, "name", json_string(name));
    if (person)
        json_object_set_new(f->row, "person", json_string(person));
    if (claim)
        json_object_set_new(f->row, "claim", json_string(claim));
    fwd_send(f);
    cl_poke();
}

void cluster_conn_gone(void *conn)
{
    if (cl == NULL)
        return;
    for (size_t i = cl->nfwd; i-- > 0;)
        if (cl->fwd[i].conn == conn)
            fwd_remove(i);
}

void cluster_lock_key(const char *log, char *out, size_t outlen)
{
    snprintf(out, outlen, "%lld", (long long)(int64_t)(fnv64(log) ^ LOCK_SALT));
}

void cluster_node_channel(const char *node, char *out, size_t outlen)
{
    snprintf(out, outlen, "spn:%s", node);
}

static int is_pg(const char *db)
{
    return db != NULL &&
           (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0);
}

int cluster_start(const char *db, const cluster_host_t *host)
{
    if (!is_pg(db))
        return 0;
    cl = xcalloc(1, sizeof *cl);
    cl->host = *host;
    cl->uri = xstrdup(db);
    cl->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    char t[SECRET_TOKEN_LEN + 1];
    secret_token(t); /* only for a node id that no other node has */
    uint64_t r = fnv64(t);
    snprintf(cl->node, sizeof cl->node, "%016llx", (unsigned long long)r);
    uint64_t lh = fnv64(host->log);
    store_pg_channel(host->log, cl->chan_log, sizeof cl->chan_log);
    snprintf(cl->chan_inbox, sizeof cl->chan_inbox, "spi#%016llx", (unsigned long long)lh);
    snprintf(cl->chan_lead, sizeof cl->chan_lead, "spl#%016llx", (unsigned long long)lh);
    cluster_node_channel(cl->node, cl->chan_node, sizeof cl->chan_node);
    cluster_lock_key(host->log, cl->lockkey, sizeof cl->lockkey);
    cl->out_fwd = json_array();
    cl->out_ans = json_array();
    cl->head = host->committed();
    cl->cursor = cl->head;
    pthread_mutex_init(&cl->mu, NULL);
    char err[512];
    if (cl->efd < 0 || cl_connect(err, sizeof err) != 0 ||
        pthread_create(&cl->thread, NULL, cl_main, NULL) != 0) {
        fprintf(stderr, "staatsprint: kan de cluster-verbinding niet opzetten (cannot set up the "
                        "cluster connection): %s\n", cl->efd < 0 ? "eventfd" : err);
        store_pg_listen_close(cl->pl);
        store_close(cl->rs);
        if (cl->efd >= 0)
            close(cl->efd);
        json_decref(cl->out_fwd);
        json_decref(cl->out_ans);
        pthread_mutex_destroy(&cl->mu);
        free(cl->uri);
        free(cl);
        cl = NULL;
        return -1;
    }
    return 0;
}

int cluster_stop(void)
{
    if (cl == NULL)
        return 0;
    int failed = cl->failed;
    pthread_mutex_lock(&cl->mu);
    cl->stop = 1;
    pthread_mutex_unlock(&cl->mu);
    cl_poke();
    pthread_join(cl->thread, NULL);
    store_pg_listen_close(cl->pl);
    store_close(cl->rs);
    close(cl->efd);
    for (citem_t *it = cl->in_head, *n; it != NULL; it = n) {
        n = it->next;
        item_free(it);
    }
    while (cl->nfwd > 0)
        fwd_remove(cl->nfwd - 1);
    free(cl->fwd);
    free(cl->rp);
    json_decref(cl->out_fwd);
    json_decref(cl->out_ans);
    pthread_mutex_destroy(&cl->mu);
    free(cl->uri);
    free(cl);
    cl = NULL;
    return failed;
}
