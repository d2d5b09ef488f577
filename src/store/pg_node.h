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

/* Opens a listener for a node: the inbox table (UNLOGGED: nothing in it must outlive a
 * crash of PostgreSQL, as every unanswered forward is resent) is created when missing,
 * and the session does not wait for WAL flushes (a forward costs no fsync). On error
 * returns a negative code with a reason in err and *out NULL. */
int store_pg_node_open(const char *uri, store_pg_listener_t **out, char *err, size_t errlen);

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

#endif
