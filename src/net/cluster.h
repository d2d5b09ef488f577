/* cluster.h – several server nodes on one PostgreSQL database: one leader, many followers.
 *
 * Only active for `serve --db postgresql://…`; with SQLite cluster_start() does nothing
 * and every hook below answers "not clustered", so the single node behaves as before.
 *
 * Roles
 *  - The leader is the node whose cluster connection holds a session-level advisory lock
 *    of the log. It works exactly as a single node: it validates and applies commands,
 *    the writer group-commits them and the store NOTIFYs the new head.
 *  - A follower's core only ever applies committed events: on a NOTIFY of the log (and
 *    every POLL_MS as a safety net) it reads the log after its head and applies and
 *    publishes the records in order, so its clients get every event once, in order.
 *  - A follower forwards its clients' commands and joins to the leader through the table
 *    staatsprint_inbox (+ NOTIFY). The leader authenticates each by the session token's
 *    hash with its own core (never by an identity the follower claims) and answers after
 *    the commit with a NOTIFY on the follower's node channel; the follower acknowledges
 *    its client once it has itself applied the answered seq.
 *  - When the leader dies its lock is released; a follower takes it, reads the log to
 *    its head, and leads. Unanswered forwards are sent again (the core deduplicates a
 *    command by (actor, id), so a command runs once).
 *
 * Threads: a cluster thread does every PostgreSQL round trip (blocking libpq on its own
 * connections) and hands results to the service thread through a queue, waking it with
 * host->wake() (lws_cancel_service). Everything else here runs on the service thread.
 */
#ifndef SP_CLUSTER_H
#define SP_CLUSTER_H

#include "core/core.h"
#include "net/exec.h"
#include "net/hub.h"

#include <stddef.h>
#include <stdint.h>

/* What the server lends the cluster; every function is called on the service thread,
 * except wake(), which is called from the cluster thread. conn is the server's opaque
 * connection, valid until the server calls cluster_conn_gone() for it. */
typedef struct {
    core_t *core;
    hub_t *hub;
    const char *log;                         /* the log (sprint) id */
    void (*wake)(void);                      /* any thread: run cluster_poll() soon */
    void (*advance)(int64_t head);           /* follower applied up to head (the core's
                                                effects tell what else changed) */
    exec_fn exec;                            /* leader: a remote command (net/exec.h) */
    void (*submit)(const evlist_t *out);     /* leader: write a remote join's events */
    int64_t (*committed)(void);              /* the newest durable seq */
    int (*store_ok)(void);
    void (*ack)(void *conn, const char *id, int64_t seq);
    void (*err)(void *conn, const char *id, int code);
    void (*joined)(void *conn, const char *id, const char *token, const who_t *who);
    void (*stop)(void);                      /* fatal: stop the node */
} cluster_host_t;

/* Starts the cluster for db when it names PostgreSQL (else returns 0 and stays off).
 * The host struct is copied. Returns 0, or -1 with a reason (Dutch and English) on
 * stderr when the cluster connection or thread cannot be set up. */
int cluster_start(const char *db, const cluster_host_t *host);

/* Stops the thread and frees everything; safe when never started. Returns 1 when the
 * cluster had stopped the node (host->stop) because it could not go on, else 0, so the
 * process can exit with a failure status and a supervisor restarts it. */
int cluster_stop(void);

/* Whether commands and joins must go to the leader instead of the local core: on a
 * follower, and on a new leader until its forwards from before are answered (so a
 * client's commands keep their order). */
int cluster_forwarding(void);

/* Whether this node may write to the log itself (the leader, or no cluster). The tick
 * and the HTTP API only act when this holds. */
int cluster_may_write(void);

/* Forwards an authenticated connection's command (the whole message, borrowed) to the
 * leader; the answer later reaches host->ack/err. hash is the connection's token hash. */
void cluster_forward_cmd(void *conn, const char *id, json_t *msg, const char *hash);

/* Forwards a join; a fresh session token is made here, so it never leaves the node. */
void cluster_forward_join(void *conn, const char *id, const char *code, const char *name, const char *person,
                          const char *claim);

/* The connection is closing: forget its forwards. */
void cluster_conn_gone(void *conn);

/* The advisory lock key (a bigint, as decimal text) whose holder leads the nodes of log,
 * and the channel a node listens on for answers (node: its id, as in its forwards).
 * For tools and tests that must hold leadership or act as the leader. */
void cluster_lock_key(const char *log, char *out, size_t outlen);
void cluster_node_channel(const char *node, char *out, size_t outlen);

/* Service thread, on every wake: applies what the cluster thread brought. */
void cluster_poll(void);

/* The leader's writer made events up to committed durable: answer remote commands. */
void cluster_committed(int64_t committed);

#endif
