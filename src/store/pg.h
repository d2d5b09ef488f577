/* pg.h – the PostgreSQL engine of the store (libpq), and LISTEN for the other nodes.
 *
 * Several server nodes may share one database. Every append that commits also sends a
 * notification on the log's channel, inside the same transaction, so it is delivered
 * exactly when the records become visible and never for a batch that was rolled back.
 * Its payload is "<head> <log>": the new head, a space, the log id. A node that serves a
 * log opens a listener (its own connection), listens on that log and reads the store
 * from its last seen seq whenever a notification arrives.
 */
#ifndef SP_STORE_PG_H
#define SP_STORE_PG_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The engine table; store_open() selects it for "postgresql://…" and "postgres://…".
 * Its open() takes any libpq connection URI; the schema (in the first schema of the
 * connection's search_path) is created when missing. Log ids longer than 7,900 bytes are
 * refused with STORE_EINVAL (the notification payload carries them), and so is text that
 * is not valid UTF-8 (PostgreSQL would never accept it, so retrying cannot help). */
extern const store_engine_t store_pg_engine;

/* The fence of several nodes on one log: from now on an append of s claims its seqs
 * only while the log's row holds this term (logs.term), else it is refused with
 * STORE_ECONFLICT and nothing is written. A node that takes the leadership raises
 * logs.term in the transaction that takes the lease (net/cluster.c), under the row
 * lock every claim takes, so a deposed leader's later appends, even a COMMIT already
 * on its way, are refused. 0 (the default) appends without the fence. Any thread;
 * does nothing for a store of another engine. */
void store_pg_set_term(store_t *s, int64_t term);

/* The longest channel name PostgreSQL accepts (NAMEDATALEN - 1). */
#define STORE_PG_CHANNEL_MAX 63

/* Writes the notification channel of log into out (at least STORE_PG_CHANNEL_MAX + 1
 * bytes): "sp:" followed by the log id, or, for a log id too long for a channel name,
 * "sp#" followed by a hash of it (listeners then compare the payload's log id).
 * Returns 0, or STORE_EINVAL for an empty log or a short buffer. */
int store_pg_channel(const char *log, char *out, size_t outlen);

typedef struct store_pg_listener store_pg_listener_t;

/* Connects a listener to the database named by uri (same forms as store_open). On error
 * returns a negative code, sets *out to NULL and writes a readable reason to err.
 * The caller owns the listener and frees it with store_pg_listen_close(). */
int store_pg_listen_open(const char *uri, store_pg_listener_t **out, char *err,
                         size_t errlen);

/* Starts or stops receiving the notifications of log. Returns 0, STORE_EINVAL, or
 * STORE_EIO when the server cannot be reached (the listener must then be reopened). */
int store_pg_listen(store_pg_listener_t *l, const char *log);
int store_pg_unlisten(store_pg_listener_t *l, const char *log);

/* The connection's socket, to watch for readability in an event loop (uv_poll); -1
 * when the connection is gone. Read it with store_pg_listen_drain() when readable. */
int store_pg_listen_fd(const store_pg_listener_t *l);

/* Reads what has arrived without blocking and calls cb once per notification, with the
 * log id and head from its payload (valid during the call only). Returns the number of
 * notifications delivered, or STORE_EIO when the connection is lost. */
int store_pg_listen_drain(store_pg_listener_t *l,
                          void (*cb)(void *ud, const char *log, int64_t head), void *ud);

/* Like store_pg_listen_drain(), for every notification of every channel the listener
 * listens on (store_pg_listen_channel): cb gets the channel and the payload (valid during
 * the call) and returns 1 to count it. Returns the count, or STORE_EIO when the
 * connection is lost. */
int store_pg_listen_drain_any(store_pg_listener_t *l,
                              int (*cb)(void *ud, const char *channel, const char *payload),
                              void *ud);

/* Starts receiving the notifications of a channel by its name (not a log id). Returns 0,
 * STORE_EINVAL or STORE_EIO. */
int store_pg_listen_channel(store_pg_listener_t *l, const char *channel);

/* Waits up to timeout_ms (negative: no limit) for input on the connection, then drains
 * it as store_pg_listen_drain() does. Returns the number delivered (0 on timeout) or
 * STORE_EIO. For threads without an event loop, and for tests. */
int store_pg_listen_wait(store_pg_listener_t *l, int timeout_ms,
                         void (*cb)(void *ud, const char *log, int64_t head), void *ud);

/* Closes the connection and frees the listener; accepts NULL. */
void store_pg_listen_close(store_pg_listener_t *l);

#endif
