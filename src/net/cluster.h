/* cluster.h – several server nodes on one PostgreSQL database: one leader, many followers.
 *
 * Only active for `serve --db postgresql://…`; with SQLite cluster_start() does nothing
 * and every hook below answers "not clustered", so the single node behaves as before.
 *
 * Roles
 *  - The leader is the node that holds the lease of the log (table staatsprint_lease),
 *    renewed every second for five. It works exactly as a single node: it validates and
 *    applies commands, the writer group-commits them and the store NOTIFYs the new head.
 *    Its appends are fenced by the lease's term (store_pg_set_term).
 *  - A follower's core only ever applies committed events: on a NOTIFY of the log (and
 *    every POLL_MS as a safety net) it reads the log after its head and applies and
 *    publishes the records in order, so its clients get every event once, in order.
 *  - A follower forwards its clients' commands and joins to the leader through the table
 *    staatsprint_inbox (+ NOTIFY). The leader authenticates each by the session token's
 *    hash with its own core (never by an identity the follower claims) and answers after
 *    the commit with a NOTIFY on the follower's node channel; the follower acknowledges
 *    its client once it has itself applied the answered seq.
 *  - When the leader dies (its session is gone) or stops renewing (frozen: after at most
 *    LEASE_MS) a follower takes the lease and raises the term, reads the log to its
 *    head, checks its writer's connection, and leads. Unanswered forwards are sent again
 *    (the core deduplicates a command by (actor, id), so a command runs once). A leader
 *    that lost the database or its lease starts again as a follower (host.restart).
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
 * except wake(), fence() and probe(), which are called from the cluster thread. conn is
 * the server's opaque connection, valid until the server calls cluster_conn_gone() for
 * it. Members after stop may be NULL. */
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
    /* cluster thread: the writer's appends are fenced by this term from now on */
    void (*fence)(int64_t term);
    /* cluster thread: a round trip on the writer's own connection (writer_probe);
     * 0 with *head the log's head in the database, or a negative store code */
    int (*probe)(int64_t *head);
    /* start the node again as a follower, from the log (its core may hold events that
     * never became durable); NULL: stop instead */
    void (*restart)(void);
    /* the presence of the other nodes' clients: {node: {team: [member…]}} (borrowed) */
    void (*presence)(const json_t *others);
    const char *url;                         /* this node's public address, for the status */
} cluster_host_t;

/* Starts the cluster for db when it names PostgreSQL (else returns 0 and stays off).
 * The host struct is copied. Returns 0, or -1 with a reason (Dutch and English) on
 * stderr when the cluster connection or thread cannot be set up. */
int cluster_start(const char *db, const cluster_host_t *host);

/* Stops the thread and frees everything; safe when never started. Returns 1 when the
 * cluster had stopped the node (host->stop) because it could not go on, else 0, so the
 * process can exit with a failure status and a supervisor restarts it. */
int cluster_stop(void);

/* Whether a cluster was started (this node has a PostgreSQL log shared with others). */
int cluster_on(void);

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

/* Forwards a command of another source (the organiser's HTTP API: an import) to the
 * leader as the identity of token hash hash; done(ud, id, rc, seq) follows as on the one
 * command path (net/exec.h), once the answered seq is applied here. Borrowed args. */
void cluster_forward_req(const char *hash, const char *cmd, const json_t *args, const char *id,
                         exec_done_cb done, void *ud);

/* Forwards a join; a fresh session token is made here, so it never leaves the node. */
void cluster_forward_join(void *conn, const char *id, const char *code, const char *name, const char *person,
                          const char *claim);

/* The connection is closing: forget its forwards. */
void cluster_conn_gone(void *conn);

/* The channel a node listens on for answers (node: its id, as in its forwards). For
 * tests that act as the leader. */
void cluster_node_channel(const char *node, char *out, size_t outlen);

/* The cluster as this node sees it, for /healthz (caller owns; NULL without a cluster):
 * {node, role, head, term, lease: {node, term, expires_in_ms, valid} | null,
 *  nodes: [{node, url, role, head, behind, seen_ms_ago, self}…]}. */
json_t *cluster_status(void);

/* This node's presence ({team: [member…]}, borrowed; NULL for none), published with its
 * row for the other nodes. */
void cluster_presence(const json_t *mine);

/* The server's writer met STORE_ECONFLICT: with a cluster this means the fence refused
 * a deposed leader's append; the node starts again as a follower (host.restart) and 1
 * is returned. Without a cluster returns 0 (the caller stops). */
int cluster_conflict(void);

/* Service thread, on every wake: applies what the cluster thread brought. */
void cluster_poll(void);

/* The leader's writer made events up to committed durable: answer remote commands. */
void cluster_committed(int64_t committed);

#endif
