/* srv.h – what the parts of the server share: its state, a connection, and their functions.
 *
 * Internal to src/net (never included from outside it). The server is one state (srv) on
 * the lws service thread, in four files by job:
 *   server.c    the protocol (hello, join, cmd, ping), the lws callback, start-up and replay
 *   conn.c      connections: their own message queues, subscriptions, writing, reading
 *   presence.c  who is online, for staff
 *   commit.c    the one command path (net/exec.h), events to the writer, fan-out and
 *               answers after the commit
 */
#ifndef SP_NET_SRV_H
#define SP_NET_SRV_H

#include "core/core.h"
#include "core/err.h"
/* uv.h first: lws declares its libuv helpers only when it has seen libuv. */
#include <uv.h>

#include "net/api.h"
#include "net/exec.h"
#include "net/guard.h"
#include "net/http.h"
#include "net/hub.h"
#include "net/server.h"
#include "store/writer.h"
#include "util/lathist.h"
#include "util/limits.h"
#include "util/secret.h"

#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

/* The limits are in util/limits.h, with every other. */
#define MSG_MAX LIMIT_MSG_BYTES
#define DRAIN_MAX LIMIT_MSG_DRAIN_BYTES
#define OUTQ_MAX LIMIT_OUTQ
#define OUTQ_BYTES_MAX LIMIT_OUTQ_BYTES
#define BACKLOG_MAX LIMIT_BACKLOG
#define RATE_BURST LIMIT_RATE_BURST
#define RATE_PER_SEC LIMIT_RATE_PER_SEC
#define LIMITED_IDS_MAX LIMIT_LIMITED_IDS
#define JOIN_FAILS_MAX LIMIT_JOIN_FAILS
#define ADDR_FAILS_MAX LIMIT_ADDR_FAILS

typedef struct outmsg {
    struct outmsg *next;
    size_t len;
    unsigned char buf[];         /* LWS_PRE headroom, then the frame */
} outmsg_t;

/* A join waiting for its commit (commands wait in srv.wait, see exec_cmd). */
typedef struct {
    int64_t seq;
    char id[LIMIT_CLIENT_ID + 1];
    char token[SECRET_TOKEN_LEN + 1];
    who_t who;
} pend_t;

/* One answer owed once seq is durable (exec_cmd). */
typedef struct {
    int64_t seq;
    int rc;                      /* 0: done, 1: seen before */
    exec_done_cb done;           /* NULL: the asker is gone */
    void *ud;
    int64_t t0_us;               /* when exec_cmd began (clock_mono_ns, in µs) */
    char id[LIMIT_CMD_ID + 1];
} waiter_t;

/* What a connection needs only at times: a message arriving in pieces, joins waiting for
 * their commit, refused messages owed a rate_limited answer, wrong joins counted, and on a
 * cluster the token's hash. Made on first need (conn_x), freed when nothing in it is in
 * use any more (conn_x_trim) and with the connection. */
typedef struct {
    char *rx;                    /* message being reassembled (only while in pieces) */
    size_t rxlen, rxcap;
    pend_t *pend;                /* joins waiting for their commit, seq order */
    size_t npend, cappend;
    struct conn *pnext, *pprev;  /* in srv.waiting while npend > 0 */
    json_t *limited_ids;         /* ids of messages refused by the bucket since the last answer */
    size_t limited;              /* …and how many were refused (with or without an id) */
    struct conn *lnext;          /* in srv.limited while limited > 0 */
    int join_fails;              /* wrong codes and tokens since join_window began */
    int64_t join_window;
    char hash[SECRET_HASH_LEN + 1]; /* cluster only: the token's hash, sent with forwards */
} conn_x_t;

/* A WebSocket connection. Kept small on purpose: most connections of a day sit idle
 * (screens, participants between commands) and each costs its conn_t plus what lws keeps
 * (~2 KiB in all, the S4 benchmark's target; docs/benchmarks.md). Whatever is needed only
 * at times goes in conn_x_t; the subscription is embedded (no allocation of its own);
 * flags are bits. Check sizeof (the _Static_assert below) before adding a field. */
typedef struct conn {
    struct lws *wsi;
    struct conn *next, *prev;    /* all WebSocket connections */
    struct conn *dnext, *dprev;  /* in the list flushed at the loop turn's end (dirty) */
    conn_x_t *x;                 /* NULL while nothing in it is needed */
    who_t who;
    int64_t sync_at;             /* send `synced` once frames up to here are out */
    int64_t sent_seq;            /* hub frames up to here are handled (for resubscribing) */
    outmsg_t *qhead, *qtail;
    uint32_t qbytes;             /* bounded: OUTQ_BYTES_MAX */
    int fd;                      /* the upgraded socket; with `tls`, asked of lws once: asking
                                  * per send touched lws's own struct, a cache miss each */
    guard_bucket_t bucket;       /* messages per second */
    uint64_t addr;               /* source address's key (secret_addr_key), per-address join limit */
    uint32_t too_big;            /* bytes of an oversized message dropped so far (<= DRAIN_MAX) */
    uint16_t qlen;               /* bounded: OUTQ_MAX */
    unsigned tls : 1;            /* lws encrypts this socket */
    unsigned watching : 1;       /* in srv.watch */
    unsigned authed : 1;
    unsigned need_sync : 1;
    unsigned cut : 1;            /* close at the next writeable */
    unsigned wait_w : 1;         /* the kernel refused: write only when writeable again */
    unsigned closing : 1;        /* the peer began the close: nothing more from us */
    unsigned dirty : 1;          /* in the dirty list */
    hub_sub_t sub;               /* its channels (net/hub.h); inline links for the usual few */
} conn_t;

/* 248 bytes with two inline hub links: malloc's 256-byte class. */
_Static_assert(OUTQ_MAX <= UINT16_MAX, "qlen is 16 bits");
_Static_assert(sizeof(conn_t) <= 248, "conn_t grew: see the comment above it");

typedef struct {
    int64_t seq;
    int64_t last;                /* the last seq of the same command (or batch of events) */
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
    conn_t **watch;              /* the authenticated staff and screens (unordered): the few
                                  * that flushes of counts and presence go to, without a
                                  * pass over every connection (conn_watch) */
    size_t nwatch, capwatch;
    conn_t *waiting;             /* connections with commands waiting for a commit */
    conn_t *limited;             /* connections owed a rate_limited answer (server.c) */
    int64_t committed;
    uv_loop_t loop;              /* ours; lws joins it (a "foreign" loop) */
    uv_signal_t sigint, sigterm;
    uv_timer_t tick;             /* lets time pass in the core (timers, race rounds) */
    uv_check_t flush;            /* writes what connections are owed, once per loop turn */
    int fatal;                   /* stopped because the log cannot be kept whole: exit 1 */
    unsigned effects;            /* CORE_FX_* of events not yet acted on (core_take_effects) */
    waiter_t *wait;              /* answers owed after a commit, in the order asked */
    size_t nwait, capwait;
    unsigned char *pdirty;       /* per team index: presence changed since the last tick */
    size_t npdirty;
    int stopping;                /* no presence frames while connections are torn down */
    int again;                   /* start again as a follower (cluster_conflict, restart) */
    store_t *store;              /* the writer's store (for the fence of a cluster) */
    json_t *remote;              /* presence on the other nodes: {node: {team: [member…]}} */
    char **live_counts;          /* per team index: the counts last pushed (JSON text) */
    size_t nlive_counts;
    json_t **live_rooms;         /* per room index: the status last pushed */
    size_t nlive_rooms;
    unsigned char *live_pend;    /* per team: changed, not yet compared (presence.c) */
    size_t nlive_pend;
    int live_rooms_all;          /* every room's status is to be compared */
    int switching;               /* a new sprint is live: every connection is told and closed */
    uv_timer_t switch_timer;
    unsigned live_ticks;
    lathist_t acks;              /* commands acknowledged: exec_cmd to the answer (/healthz) */
    int tick_on;                 /* the tick runs (server.c, tick_wake) */
} server_t;

typedef struct {
    conn_t *conn;                /* WebSocket */
    http_resp_t http;            /* HTTP */
    api_req_t *api;              /* HTTP: a request of the organiser's API (net/api.h) */
} pss_t;

extern server_t srv;

/* conn.c */
void conn_ack(conn_t *c, const char *id, int64_t seq);
void conn_cut(conn_t *c);   /* closes it at once: nothing more is queued */
void conn_addr(conn_t *c, struct lws *wsi);
void conn_err(conn_t *c, const char *id, int e);
void conn_err_detail(conn_t *c, const char *id, int e, json_t *detail);
void conn_free(conn_t *c);
void conn_watch(conn_t *c);  /* after c->who changes: in srv.watch if staff or a screen */
conn_t *conn_new(struct lws *wsi);
void conn_pend(conn_t *c, const pend_t *p);
/* c's side struct, made when first needed; conn_x_trim frees it once nothing in it is in
 * use (call it after emptying a part). */
conn_x_t *conn_x(conn_t *c);
void conn_x_trim(conn_t *c);
int conn_receive(conn_t *c, struct lws *wsi, const void *in, size_t len);
void conn_send_json(conn_t *c, json_t *msg);
/* Queues a frame already encoded (one text, several connections): copies it. */
void conn_send_text(conn_t *c, const char *text, size_t len);
void conn_subscribe(conn_t *c, int64_t after);
int conn_writeable(conn_t *c);
void conn_dirty(conn_t *c);
void conn_flush_dirty(void);
/* The batched send path (net/sendq.h), for one serve: opened before the first flush,
 * closed after the last; without io_uring frames go out one send() at a time. */
void conn_send_open(void);
void conn_send_close(void);
const char *conn_send_path(void);   /* "io_uring" or "send", for /healthz */
void dirty_unlink(conn_t *c);
void conn_wake(void *ud);
void waiting_unlink(conn_t *c);

/* presence.c */
void presence_flush(void);
void presence_mark(int team);
void presence_send(conn_t *only_conn, const unsigned char *only, size_t nonly);
/* Pushes the live counts (to staff) and room statuses (to screens and staff): everything
 * to one new connection (only), or, with NULL, what changed, about once a second. */
void live_flush(conn_t *only);
void live_free(void);
/* Nothing gathered for the tick to send: no presence, no live counts owed. */
int live_idle(void);

/* commit.c */
void effects_apply(void);
void exec_cmd(const who_t *who, const char *cmd, const json_t *args, const char *id,
                     exec_done_cb done, void *ud);
void exec_committed(int64_t committed);
void exec_forget(void *ud);
void exec_stop(void);
void on_committed(void);
int commit_store_ok(void);
void submit_events(const evlist_t *out);
void commit_notify(void *ud);

/* server.c */
void conn_joined(conn_t *c, const char *id, const char *token, const who_t *who);
void handle_message(conn_t *c, const char *text, size_t len);
/* Starts the tick if it sleeps: call it before anything that gives the tick work. */
void tick_wake(void);

#endif
