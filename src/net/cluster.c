/* cluster.c – one leader, many followers on one PostgreSQL database (see cluster.h).
 *
 * Design notes
 *  - Why one leader: every node folds the log into its own core and a command is
 *    validated against that core. Two nodes validating independently would decide on
 *    different states (two members taking the last dot of a budget). One leader decides;
 *    followers only apply what is committed, so every core is a prefix of the same log.
 *  - Leadership is a lease (staatsprint_lease: node, term, expiry in database time),
 *    renewed every RENEW_MS for LEASE_MS. A follower takes it when it expired or when
 *    the holder's cluster session is gone (pg_stat_activity, by the application_name
 *    that carries the node id): a killed leader is replaced at once, a frozen one after
 *    at most LEASE_MS. A leader that cannot renew stops deciding (CI_DEMOTE) and, once
 *    the database answers, starts again as a follower (CI_RESTART, host.restart): its
 *    core may hold applied but uncommitted events.
 *  - The fence: taking the lease raises the term in the log's row (logs.term) in the
 *    same transaction, under the row lock every append's claim takes, and the writer
 *    appends only with its own term (store_pg_set_term). A COMMIT of the old leader still
 *    on its way finishes before the take-over or is refused after it, so the new leader
 *    reads the log to its end without waiting; a deposed leader's append meets
 *    STORE_ECONFLICT (cluster_conflict: it starts again as a follower).
 *  - Before it declares itself leader a node proves its writer's own connection
 *    (host.probe): after a database crash that connection is broken, and the first
 *    commit of the new leader would fail.
 *  - Answers are true: a known command id is answered with its ack before anything
 *    else; while the store fails, forwards wait (deferred) instead of being refused; a
 *    refusal is remembered per forward, so a resent copy is never applied after it.
 *  - Forwards go through the table staatsprint_inbox, so a command sent while no node
 *    leads waits there for the next leader (see cl_connect). Answers are
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
 *   connecting --ok--> follower --lease taken--> (read to head, probe writer) --> leader
 *        ^  failed: retry after RECONNECT_MS   |                                   |
 *        +------- connection lost -------------+    connection lost / lease lost:  |
 *   restart as a follower (host.restart) <-- database back <-- demoted <-----------+
 */
#include "net/cluster.h"
#include "core/err.h"
#include "log/event.h"
#include "util/clock.h"
#include "util/secret.h"
#include "store/pg_node.h"
#include "store/store.h"
#include "util/xalloc.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 500        /* read the log / the inbox this often even without a NOTIFY */
#define LOCK_EVERY_MS 300  /* a follower tries to take the lease this often */
#define LEASE_MS 5000      /* a leader that does not renew its lease is replaced after this */
#define RENEW_MS 1000      /* the leader renews its lease (and every node its row) this often */
#define RESEND_MS 5000     /* an unanswered forward is sent again after this long */
#define TICK_MS 1000       /* the service thread looks for aged forwards this often */
#define RECONNECT_MS 500
#define INBOX_BATCH 1000
#define REFUSED_MAX 1024   /* refusals remembered per forward (see refuse()) */
#define NODE_STALE_S 10    /* a node row not renewed for this long is left out of the status */
#define APP_PREFIX "staatsprint-cluster-" /* application_name of a node's cluster session */

enum { CI_EVENT, CI_LEAD, CI_INBOX, CI_ANSWER, CI_RESEND, CI_STOP, CI_DEMOTE, CI_RESTART,
       CI_PRESENCE };

typedef struct citem {
    struct citem *next;
    int kind;
    ev_t ev;        /* CI_EVENT: data owned by the item */
    char *frame;    /* CI_EVENT: the wire frame, NULL when nobody may see it */
    size_t flen;
    json_t *msg;    /* CI_INBOX, CI_ANSWER */
    int all;        /* CI_RESEND: every unanswered forward, not only the aged ones */
    char text[200]; /* CI_STOP, CI_DEMOTE, CI_RESTART: why; CI_LEAD: the term */
} citem_t;

enum { FWD_CMD, FWD_JOIN, FWD_REQ };

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
    exec_done_cb done;  /* FWD_REQ: the asker's answer (net/exec.h) */
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
    char node[24];
    uint64_t serial;
    int code;
} refused_t;

typedef struct {
    cluster_host_t host;
    char *uri;
    char node[24];   /* random id of this node; its answers come on chan_node */
    char chan_log[STORE_PG_CHANNEL_MAX + 1], chan_inbox[40], chan_node[40], chan_lead[40];
    pthread_t thread;
    int efd;         /* wakes the cluster thread */

    pthread_mutex_t mu;
    citem_t *in_head, *in_tail; /* to the service thread, in order */
    json_t *out_fwd;            /* inbox messages to insert */
    json_t *out_ans;            /* [channel, payload] to notify */
    int stop;

    json_t *status;             /* the cluster as the last heartbeat saw it (/healthz) */
    char *presence;             /* this node's presence (JSON) for its row, or NULL */
    _Atomic int64_t pub_head;   /* the newest seq applied here, for its row */

    /* cluster thread only */
    int64_t term;     /* the lease's term while leading (the fence of the writer) */
    int64_t renewed;  /* mono_ms of the last successful renewal */
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
    int restarting;  /* the node starts again as a follower (host.restart) */
    json_t *deferred;   /* leader: forwards waiting for the store to work again */
    refused_t refused[REFUSED_MAX];
    size_t nrefused;
} cluster_t;

static cluster_t *cl;

static int64_t mono_ms(void)
{
    return clock_mono_ns() / 1000000;
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
    /* The session carries the node id in its name: a node whose session is gone (a
     * killed process) no longer holds its lease. */
    char app[64];
    snprintf(app, sizeof app, APP_PREFIX "%s", cl->node);
    if (store_pg_node_open(cl->uri, app, &cl->pl, err, errlen) != 0)
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

/* The lease is ours in term: catch up with the log, make sure the writer's own
 * connection works (a database that just came back broke it), then lead. */
static void cl_take_lead(int64_t term)
{
    int64_t head = -1;
    int ok = cl_read_log() == 0;
    if (ok && cl->host.fence)
        cl->host.fence(term);
    for (int i = 0; ok && cl->host.probe && i < 10 && !cl_stopping(); i++) {
        if (cl->host.probe(&head) == 0)
            break;
        head = -1;
        cl_wait(-1, 200);
    }
    if (!ok || (cl->host.probe && head != cl->cursor)) {
        /* Cannot catch up or cannot write: give the lease back, try again later. */
        fprintf(stderr, "staatsprint: cluster: kan nog niet leiden (cannot lead yet): %s\n",
                !ok ? "the log cannot be read" : "the writer's connection does not work");
        store_pg_node_drop_lease(cl->pl, cl->host.log, cl->node, term);
        return;
    }
    cl->term = term;
    cl->renewed = mono_ms();
    cl->t_leader = 1;
    char text[64];
    snprintf(text, sizeof text, "%lld", (long long)term);
    cl_push1(CI_LEAD, text);
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

typedef struct {
    json_t *nodes, *others;
    const char *leader;
    int64_t top;
} beat_t;

static void beat_top(void *ud, const store_pg_node_row_t *row)
{
    beat_t *b = ud;
    if (strcmp(row->node, b->leader) == 0 && row->head > b->top)
        b->top = row->head;
}

static void beat_row(void *ud, const store_pg_node_row_t *row)
{
    beat_t *b = ud;
    json_array_append_new(
        b->nodes,
        json_pack("{ss ss ss sI sI sI sb}", "node", row->node, "url", row->url, "role", row->role,
                  "head", (json_int_t)row->head, "behind",
                  (json_int_t)(b->top > row->head ? b->top - row->head : 0), "seen_ms_ago",
                  (json_int_t)row->seen_ms_ago, "self", strcmp(row->node, cl->node) == 0));
    if (strcmp(row->node, cl->node) != 0 && row->presence != NULL) {
        json_t *p = json_loads(row->presence, 0, NULL);
        if (json_is_object(p))
            json_object_set_new(b->others, row->node, p);
        else
            json_decref(p);
    }
}

typedef struct {
    store_pg_node_row_t *rows;
    size_t n, cap;
} rows_t;

static void beat_keep(void *ud, const store_pg_node_row_t *row)
{
    rows_t *r = ud;
    xgrow((void **)&r->rows, &r->cap, r->n + 1, sizeof *r->rows);
    store_pg_node_row_t *k = &r->rows[r->n++];
    k->node = xstrdup(row->node);
    k->url = xstrdup(row->url);
    k->role = xstrdup(row->role);
    k->head = row->head;
    k->seen_ms_ago = row->seen_ms_ago;
    k->presence = row->presence ? xstrdup(row->presence) : NULL;
}

/* Every node, every RENEW_MS: renews its row (role, head, the presence of its clients)
 * and reads every node's row and the lease, for /healthz and for the presence of the
 * clients of the other nodes. */
static void cl_beat(void)
{
    pthread_mutex_lock(&cl->mu);
    char *presence = cl->presence ? xstrdup(cl->presence) : NULL;
    pthread_mutex_unlock(&cl->mu);
    store_pg_node_row_t me = {cl->node, cl->host.url, cl->t_leader ? "leader" : "follower",
                              atomic_load(&cl->pub_head), 0, presence};
    store_pg_node_lease_t lease;
    rows_t rows = {NULL, 0, 0};
    int rc = store_pg_node_beat(cl->pl, cl->host.log, &me, NODE_STALE_S, &lease, beat_keep,
                                &rows);
    free(presence);
    if (rc == STORE_OK) {
        json_t *st = json_pack("{ss ss sI}", "node", cl->node, "role",
                               cl->t_leader ? "leader" : "follower", "term",
                               (json_int_t)cl->term);
        if (lease.node[0])
            json_object_set_new(st, "lease",
                                json_pack("{ss sI sI sb}", "node", lease.node, "term",
                                          (json_int_t)lease.term, "expires_in_ms",
                                          (json_int_t)lease.expires_in_ms, "valid",
                                          lease.expires_in_ms > 0));
        else
            json_object_set_new(st, "lease", json_null());
        beat_t b = {json_array(), json_object(), lease.node, 0};
        for (size_t i = 0; i < rows.n; i++)
            beat_top(&b, &rows.rows[i]);
        for (size_t i = 0; i < rows.n; i++)
            beat_row(&b, &rows.rows[i]);
        json_object_set_new(st, "nodes", b.nodes);
        pthread_mutex_lock(&cl->mu);
        json_decref(cl->status);
        cl->status = st;
        pthread_mutex_unlock(&cl->mu);
        citem_t *it = xcalloc(1, sizeof *it);
        it->kind = CI_PRESENCE;
        it->msg = b.others;
        cl_push(it, it);
    }
    for (size_t i = 0; i < rows.n; i++) {
        free((char *)rows.rows[i].node);
        free((char *)rows.rows[i].url);
        free((char *)rows.rows[i].role);
        free((char *)rows.rows[i].presence);
    }
    free(rows.rows);
}

static void *cl_main(void *arg)
{
    (void)arg;
    int need_read = 1, need_inbox = 1;
    int connected = store_pg_node_alive(cl->pl); /* cluster_start connected it */
    int demoted = 0;  /* lost the database while leading: restart once it is back */
    int64_t next_lock = 0, next_poll = 0, next_tick = mono_ms() + TICK_MS, next_beat = 0;
    char err[512];
    while (!cl_stopping()) {
        if (!connected || !store_pg_node_alive(cl->pl)) {
            if (cl->t_leader) {
                /* Whether the lease is still ours cannot be known now: stop deciding at
                 * once; the fence refuses whatever the writer still tries if another
                 * node leads meanwhile. */
                cl->t_leader = 0;
                demoted = 1;
                cl_push1(CI_DEMOTE, "the connection holding the lease was lost");
            }
            if (cl_connect(err, sizeof err) != 0) {
                if (connected)
                    fprintf(stderr, "staatsprint: cluster: geen verbinding met PostgreSQL, "
                                    "opnieuw (no connection to PostgreSQL, retrying): %s\n", err);
                connected = 0;
                cl_wait(-1, RECONNECT_MS);
                continue;
            }
            if (demoted) {
                /* The core may hold events that never became durable: start again from
                 * the log, as a follower. */
                cl_push1(CI_RESTART, "PostgreSQL is back");
                break;
            }
            /* Answers may have been lost meanwhile: resend, and read what was missed. */
            cl_push1(CI_RESEND, NULL);
            connected = 1;
            need_read = 1;
        }
        int64_t now = mono_ms();
        if (cl->t_leader && now - cl->renewed >= RENEW_MS) {
            int rc = store_pg_node_renew(cl->pl, cl->host.log, cl->node, cl->term, LEASE_MS);
            if (rc == 0) {
                cl->t_leader = 0;
                cl_push1(CI_RESTART, "another node holds the lease now (this node was too slow "
                                     "to renew it)");
                break;
            }
            if (rc > 0)
                cl->renewed = now;
            else if (now - cl->renewed >= LEASE_MS - RENEW_MS) {
                cl->t_leader = 0;
                demoted = 1;
                cl_push1(CI_DEMOTE, "the lease could not be renewed in time");
                connected = 0;   /* a new connection, then start again as a follower */
                continue;
            }
        }
        if (now >= next_beat) {
            next_beat = now + RENEW_MS;
            cl_beat();
        }
        if (!cl->t_leader && now >= next_lock) {
            next_lock = now + LOCK_EVERY_MS;
            int64_t term = store_pg_node_take_lease(cl->pl, cl->host.log, cl->node, LEASE_MS,
                                                    APP_PREFIX);
            if (term > 0) {
                cl_take_lead(term);
                next_beat = 0;
            }
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
        if (next_beat < wake)
            wake = next_beat;
        if (cl->t_leader && cl->renewed + RENEW_MS < wake)
            wake = cl->renewed + RENEW_MS;
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
        } else if (f->kind == FWD_REQ) {
            f->done(f->conn, f->id, 0, f->seq);
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
                       kind == FWD_JOIN ? "join" : "cmd", "i", id);
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
            int e = (int)json_integer_value(json_object_get(m, "e"));
            if (f->kind == FWD_REQ)
                f->done(f->conn, f->id, e, 0);
            else
                cl->host.err(f->conn, f->id, e);
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

/* A refusal is remembered per forward (node, serial), so that a copy of the same
 * forward that arrives later (a resend crossing the answer) gets the same answer and is
 * never applied after its client was told it was refused. */
static int refused_get(const char *node, uint64_t serial)
{
    for (size_t i = 0; i < REFUSED_MAX; i++) {
        const refused_t *r = &cl->refused[i];
        if (r->code != 0 && r->serial == serial && strcmp(r->node, node) == 0)
            return r->code;
    }
    return 0;
}

static void refuse(const char *node, uint64_t serial, int code)
{
    refused_t *r = &cl->refused[cl->nrefused++ % REFUSED_MAX];
    snprintf(r->node, sizeof r->node, "%s", node);
    r->serial = serial;
    r->code = code;
    answer(node, serial, "err", 0, code);
}

/* Leader: a forwarded command's answer, once durable (or refused). */
static void remote_done(void *ud, const char *id, int rc, int64_t seq)
{
    (void)id;
    remote_t *rm = ud;
    /* cl NULL: the node stopped; the other node resends the forward. A command the
     * stopping server gives up on is not answered: its events may still be written. */
    if (cl != NULL && !cl->restarting) {
        if (rc < 0)
            refuse(rm->node, rm->serial, rc);
        else
            answer(rm->node, rm->serial, "ack", seq, 0);
    }
    free(rm);
}

/* Leader: one forwarded message, as if it came from a connection of that identity.
 * The order of the checks is what keeps every answer true: an id already known is
 * answered with its ack (the command path asks the core first); a forward refused
 * before gets the same refusal; and while the store fails, a new command waits here
 * (neither applied nor refused) until the store works again. */
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
    int64_t seq = 0;
    int before = refused_get(node, serial);
    if (before != 0) {
        answer(node, serial, "err", 0, before);
    } else if (strcmp(kind, "cmd") == 0) {
        const char *cmd = json_string_value(json_object_get(m, "m"));
        json_t *args = json_object_get(m, "a");
        if (core_auth(core, hash, &who) != 0)
            refuse(node, serial, SP_E_BAD_TOKEN);
        else if (cmd == NULL)
            refuse(node, serial, SP_E_BAD_MESSAGE);
        else if (!core_known(core, &who, id, &seq) && !cl->host.store_ok())
            json_array_append(cl->deferred, m);
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
        if (!cl->host.store_ok()) {
            json_array_append(cl->deferred, m);
        } else {
            core_join_t j = {code, name, json_string_value(json_object_get(m, "person")),
                             json_string_value(json_object_get(m, "claim")), id, hash};
            int rc = code && name ? core_join_ex(core, &j, wall_ms(), &out, &who) : SP_E_BAD_MESSAGE;
            if (rc == CORE_JOIN_CLAIM_PENDING) {
                cl->host.submit(&out);   /* the team sees the confirmation code */
                refuse(node, serial, SP_E_CLAIM_PENDING);
            } else if (rc != 0)
                refuse(node, serial, rc);
            else {
                cl->host.submit(&out);
                rpend_add(node, serial, FWD_JOIN, out.v[out.n - 1].seq);
            }
        }
    }
    evlist_free(&out);
}

/* Leader: the forwards that waited for the store, in their order, once it works. */
static void deferred_run(void)
{
    if (!cl->leader || json_array_size(cl->deferred) == 0 || !cl->host.store_ok())
        return;
    json_t *all = cl->deferred;
    cl->deferred = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(all, i, m)
        leader_exec(m);
    json_decref(all);
}

void cluster_committed(int64_t committed)
{
    if (cl == NULL)
        return;
    if (committed > cl->head)
        cl->head = committed;
    atomic_store(&cl->pub_head, cl->head);
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
    deferred_run();
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
    atomic_store(&cl->pub_head, cl->head);
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

/* The node stops deciding and starts again as a follower (host.restart). */
static void start_again(const char *why)
{
    fprintf(stderr, "staatsprint: cluster: deze node begint opnieuw als volger (this node "
                    "starts again as a follower): %s\n", why);
    cl->leader = 0;
    cl->restarting = 1;
    if (cl->host.restart)
        cl->host.restart();
    else
        cl->host.stop();
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
                            "seq %lld, term %s\n", (long long)cl->head, it->text);
            fwd_resend(1);
        } else if (it->kind == CI_DEMOTE) {
            if (cl->leader)
                fprintf(stderr, "staatsprint: cluster: deze node leidt niet meer (this node no "
                                "longer leads): %s\n", it->text);
            cl->leader = 0;
            cl->nrp = 0;   /* their nodes resend; the next leader answers them */
            json_array_clear(cl->deferred);
        } else if (it->kind == CI_RESTART) {
            start_again(it->text);
            dead = 1;
        } else if (it->kind == CI_PRESENCE) {
            if (cl->host.presence)
                cl->host.presence(it->msg);
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
    if (!dead) {
        advance(&last);
        deferred_run();
    }
}

/* ---- the server's hooks ------------------------------------------------------------- */

json_t *cluster_status(void)
{
    if (cl == NULL)
        return NULL;
    pthread_mutex_lock(&cl->mu);
    json_t *st = cl->status ? json_deep_copy(cl->status)
                            : json_pack("{ss ss}", "node", cl->node, "role", "starting");
    pthread_mutex_unlock(&cl->mu);
    /* The service thread's own view is newer than the last heartbeat's. */
    json_object_set_new(st, "role", json_string(cl->leader ? "leader" : "follower"));
    json_object_set_new(st, "head", json_integer(cl->head));
    return st;
}

void cluster_presence(const json_t *mine)
{
    if (cl == NULL)
        return;
    char *s = mine ? json_dumps(mine, JSON_COMPACT) : NULL;
    pthread_mutex_lock(&cl->mu);
    free(cl->presence);
    cl->presence = s;
    pthread_mutex_unlock(&cl->mu);
}

int cluster_conflict(void)
{
    if (cl == NULL)
        return 0;
    if (!cl->restarting) {
        fprintf(stderr, "staatsprint: cluster: de database weigert de schrijfopdracht van deze "
                        "node: een andere node leidt (refused by the fence: another node leads "
                        "now)\n");
        start_again("refused by the fence");
    }
    return 1;
}

int cluster_on(void)
{
    return cl != NULL;
}

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

void cluster_forward_req(const char *hash, const char *cmd, const json_t *args, const char *id,
                         exec_done_cb done, void *ud)
{
    if (cl == NULL) {
        done(ud, id, SP_E_STORE_UNAVAILABLE, 0);
        return;
    }
    fwd_t *f = fwd_new(ud, FWD_REQ, id);
    f->done = done;
    snprintf(f->hash, sizeof f->hash, "%s", hash);
    json_object_set_new(f->row, "h", json_string(hash));
    json_object_set_new(f->row, "m", json_string(cmd));
    if (args)
        json_object_set_new(f->row, "a", json_deep_copy(args));
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
    cl->out_fwd = json_array();
    cl->out_ans = json_array();
    cl->head = host->committed();
    cl->cursor = cl->head;
    cl->deferred = json_array();
    atomic_init(&cl->pub_head, cl->head);
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
        json_decref(cl->deferred);
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
    json_decref(cl->deferred);
    json_decref(cl->status);
    free(cl->presence);
    pthread_mutex_destroy(&cl->mu);
    free(cl->uri);
    free(cl);
    cl = NULL;
    return failed;
}
