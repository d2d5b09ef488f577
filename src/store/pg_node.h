/* pg_node.h – the database side of several server nodes on one PostgreSQL (net/cluster.c).
 *
 * A node keeps one listener connection (pg.h) for everything the cluster asks of the
 * database besides the log: its LISTENs, the leader's session-level advisory lock (lost
 * with the connection, which is why the two share it), the inbox table through which
 * followers forward their clients' commands, and the notifications that answer them.
 * Every statement binds its values. Errors are STORE_* codes; after STORE_EIO the caller
 * reconnects (store_pg_listen_close, store_pg_node_open).
 */
#ifndef SP_STORE_PG_NODE_H
#define SP_STORE_PG_NODE_H

#include "store/pg.h"

#include <stdint.h>

/* Opens a listener for a node, named app in pg_stat_activity (application_name: the
 * lease of a node whose session is gone is free at once): the inbox, lease and nodes
 * tables are created when missing, and the session does not wait for WAL flushes (a
 * forward costs no fsync; every unanswered forward is resent anyway). On error
 * returns a negative code with a reason in err and *out NULL. */
int store_pg_node_open(const char *uri, const char *app, store_pg_listener_t **out, char *err,
                       size_t errlen);

/* Whether the connection is still up. */
int store_pg_node_alive(const store_pg_listener_t *l);

/* The last error of the connection, for messages (valid until the next call). */
const char *store_pg_node_error(const store_pg_listener_t *l);

/* Tries the session-level advisory lock key (a bigint as decimal text): 1 taken (held
 * until store_pg_node_unlock or the connection ends), 0 held by another session, or
 * STORE_EIO. */
int store_pg_node_try_lock(store_pg_listener_t *l, const char *key);
int store_pg_node_unlock(store_pg_listener_t *l, const char *key);

/* pg_notify(channel, payload). Returns 0 or STORE_EIO. */
int store_pg_node_notify(store_pg_listener_t *l, const char *channel, const char *payload);

/* pg_notify for each [channel, payload] of pairs (a JSON array text). */
int store_pg_node_notify_each(store_pg_listener_t *l, const char *pairs);

/* Puts the messages of msgs (a JSON array text of objects) into the inbox of log, in
 * order, and notifies channel once. Returns 0 or STORE_EIO. */
int store_pg_node_inbox_put(store_pg_listener_t *l, const char *log, const char *msgs,
                            const char *channel);

/* Takes up to max messages out of the inbox of log, oldest first, and calls cb with each
 * (JSON text, valid during the call). Returns how many were taken, or STORE_EIO. */
int store_pg_node_inbox_take(store_pg_listener_t *l, const char *log, int max,
                             void (*cb)(void *ud, const char *msg), void *ud);

/* The lease of a log (staatsprint_lease) and the fence: takes the lease for node when it
 * expired, was never taken, or its holder's session (application_name app_prefix+node)
 * is gone, for lease_ms, and raises the term in the log's row in the same transaction
 * (store_pg_set_term). Returns the new term, 0 when another node holds it, STORE_EIO. */
int64_t store_pg_node_take_lease(store_pg_listener_t *l, const char *log, const char *node,
                                 int lease_ms, const char *app_prefix);
/* Lets the lease of term expire now (a take-over that could not complete). */
void store_pg_node_drop_lease(store_pg_listener_t *l, const char *log, const char *node,
                              int64_t term);
/* Renews it: 1 renewed, 0 another node holds it now, STORE_EIO. */
int store_pg_node_renew(store_pg_listener_t *l, const char *log, const char *node, int64_t term,
                        int lease_ms);

/* One node's row (staatsprint_nodes), and what the lease says. */
typedef struct {
    const char *node, *url, *role;
    int64_t head, seen_ms_ago;
    const char *presence;   /* JSON text or NULL */
} store_pg_node_row_t;
typedef struct {
    char node[64];          /* "" when no node ever led */
    int64_t term, expires_in_ms;
} store_pg_node_lease_t;

/* Renews this node's row (me: node, url, role, head, presence) and reads the rows seen in
 * the last stale_s seconds (cb, valid during the call) and the lease. 0 or STORE_EIO. */
int store_pg_node_beat(store_pg_listener_t *l, const char *log, const store_pg_node_row_t *me,
                       int stale_s, store_pg_node_lease_t *lease,
                       void (*cb)(void *ud, const store_pg_node_row_t *row), void *ud);

/* For `staatsprint status`: every log with its head, term and lease, then its nodes'
 * rows. Connects to uri itself. 0, or a negative code with a reason in err. */
int store_pg_node_status(const char *uri,
                         void (*log_cb)(void *ud, const char *log, int64_t head, int64_t term,
                                        const store_pg_node_lease_t *lease),
                         void (*node_cb)(void *ud, const store_pg_node_row_t *row), void *ud,
                         char *err, size_t errlen);

#endif
