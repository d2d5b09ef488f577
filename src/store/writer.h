/* writer.h – a thread that group-commits appends, off the network thread.
 *
 * The network thread submits records as it produces them; the writer thread takes
 * everything queued, appends it in one transaction (one fsync for the whole group)
 * and then publishes the newest committed seq and calls the notify callback, from the
 * writer thread (net passes a function that calls lws_cancel_service()).
 *
 * Invariants
 *  1. writer_committed() never exceeds what store_append() returned 0 for.
 *  2. Records are committed in the order they were submitted.
 *  3. When an append fails (disk full, fsync error) the writer keeps the batch, sets
 *     the failing state (writer_failing() != 0) and retries with a back-off (starting
 *     at 50 ms, at most 2 s) until it succeeds; nothing is dropped, nothing acked early.
 *     Records must carry consecutive seqs following head. A refusal that retrying cannot
 *     cure (STORE_ECONFLICT: another writer took those seqs; STORE_EINVAL) also keeps
 *     the writer failing with that code: the server has to treat it as fatal.
 */
#ifndef SP_WRITER_H
#define SP_WRITER_H

#include "store/store.h"

typedef struct writer writer_t;

/* Starts a writer thread that owns store s (takes ownership; closed by writer_stop),
 * appending to log whose newest durable seq is head. notify is called from the writer
 * thread after each commit or state change. Returns NULL if the thread cannot start
 * (or s or log is missing); s then stays the caller's to close. */
writer_t *writer_start(store_t *s, const char *log, int64_t head,
                       void (*notify)(void *ud), void *ud);

/* Queues a record; copies every string, so the caller keeps ownership of rec.
 * Never blocks on I/O. */
void writer_submit(writer_t *w, const store_rec_t *rec);

/* The gather window in microseconds (default 1500; 0: commit at once, always): while
 * records arrive faster than one per window, a group waits until the window since its
 * first record has passed (or 64 records are queued), so one fsync serves several
 * commands. A lone command is never delayed. See writer.c. */
void writer_set_gather(writer_t *w, int us);

/* The newest seq known to be durable (head at start). Safe from any thread. */
int64_t writer_committed(const writer_t *w);

/* The number of records submitted but not yet committed. */
size_t writer_pending(const writer_t *w);

/* Non-zero while appends are failing (the last attempt returned an error). The last
 * store error code is written to *rc when rc is not NULL. */
int writer_failing(const writer_t *w, int *rc);

/* Any thread but the writer's: asks the writer thread to prove its own connection
 * with a round trip (store_head) once everything queued is committed, and waits up to
 * timeout_ms. Returns 0 with *head (when not NULL) the log's head in the store, or a
 * negative store code (STORE_EIO also on time-out). A connection lost meanwhile is
 * reported once and made again by the next call (the engine resets it). */
int writer_probe(writer_t *w, int64_t *head, int timeout_ms);

/* Commits what is queued, stops the thread and closes the store; accepts NULL.
 * If appends are failing it makes a few more attempts (50 ms apart) and then gives up
 * on the records still queued, with a message on stderr: they were never committed, so
 * never acknowledged. */
void writer_stop(writer_t *w);

/* Statistics for /metrics and benchmarks. */
typedef struct {
    uint64_t commits;       /* transactions committed */
    uint64_t records;       /* records committed */
    uint64_t failures;      /* failed append attempts */
    uint64_t max_batch;     /* largest group committed at once */
} writer_stats_t;
void writer_get_stats(const writer_t *w, writer_stats_t *out);

#endif
