/* store.h – durable, append-only event logs behind one engine-neutral interface.
 *
 * A store holds one or more logs (one per sprint), each a sequence of records with
 * strictly increasing sequence numbers starting at 1 and without gaps. Engines sit
 * behind a table of function pointers (store_engine_t) so SQLite and PostgreSQL live
 * side by side; nothing in this header is specific to one engine.
 *
 * Invariants
 *  1. store_append() either makes every record of the batch durable (fsync'd) and
 *     returns 0, or makes none of them visible and returns a negative code.
 *  2. A batch whose first seq is not head+1 is refused with STORE_ECONFLICT and
 *     nothing is written (another writer got there first).
 *  3. store_read() returns records in seq order.
 *
 * Thread-safety: a store_t is used by one thread at a time. The writer (writer.h)
 * owns one for appends; a reader opens its own.
 */
#ifndef SP_STORE_H
#define SP_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Error codes (negative). */
enum {
    STORE_OK = 0,
    STORE_EIO = -1,        /* the engine failed to read or write (disk full, fsync error) */
    STORE_ECONFLICT = -2,  /* append: first seq is not head+1 */
    STORE_ENEWER = -3,     /* open: the database was made by a newer staatsprint */
    STORE_EOPEN = -4,      /* open: the file/server cannot be opened or created */
    STORE_EINVAL = -5,     /* bad argument (unknown scheme, empty log id) */
    STORE_ESTOP = -6       /* read: the callback asked to stop */
};

/* One record. On append the store borrows every pointer for the call only.
 * On read the pointers are valid only during the callback. */
typedef struct {
    int64_t seq;          /* 1, 2, 3, … within its log */
    int64_t ts;           /* server time, ms since the Unix epoch */
    const char *type;     /* "note.added" */
    int aud_kind;         /* audience kind (core/aud.h); opaque to the store */
    const char *aud_id;   /* audience id ("t3"), "" when the kind has none */
    const char *actor;    /* who caused it ("m4", "org"), "" for the server */
    const char *cmd_id;   /* the client's command id, "" when none */
    const char *body;     /* JSON text of the event data */
    size_t body_len;      /* on append, 0 means body is a NUL-terminated string */
} store_rec_t;

typedef struct store store_t;

/* Called for each record read; return 0 to go on, non-zero to stop (store_read then
 * returns STORE_ESTOP). */
typedef int (*store_read_cb)(void *ud, const store_rec_t *rec);

typedef struct store_engine {
    const char *name;   /* "sqlite", "postgresql" */
    /* Called by store_open() only: uri is non-empty, err a buffer of errlen > 0. */
    int (*open)(const char *uri, store_t **out, char *err, size_t errlen);
    void (*close)(store_t *s);
    int (*append)(store_t *s, const char *log, const store_rec_t *recs, size_t n);
    int (*read)(store_t *s, const char *log, int64_t after, store_read_cb cb, void *ud);
    int (*head)(store_t *s, const char *log, int64_t *seq);
    int (*logs)(store_t *s, void (*cb)(void *ud, const char *log), void *ud);
} store_engine_t;

/* Every engine's store_t starts with this header. */
struct store {
    const store_engine_t *engine;
};

/* The schema version this build writes; a database with a higher one is refused. */
#define STORE_SCHEMA_VERSION 1

/* Opens the store named by uri: "postgresql://…" or "postgres://…" selects PostgreSQL,
 * anything else is a SQLite file path (created if missing). On error returns a negative
 * code, sets *out to NULL and writes a readable reason (English) to err. */
int store_open(const char *uri, store_t **out, char *err, size_t errlen);

/* Closes the store; accepts NULL. */
void store_close(store_t *s);

/* Appends n records to log atomically and durably (see invariants 1 and 2). Seqs within
 * the batch must run on by one (else STORE_EINVAL, nothing written); n == 0 is a no-op.
 * After STORE_EIO the store stays usable: a later append succeeds once the cause is gone. */
int store_append(store_t *s, const char *log, const store_rec_t *recs, size_t n);

/* Calls cb for every record of log with seq > after, in order. cb may call store_head()
 * but not store_read() on the same store. */
int store_read(store_t *s, const char *log, int64_t after, store_read_cb cb, void *ud);

/* Sets *seq to the newest seq of log (0 when the log is empty or unknown). */
int store_head(store_t *s, const char *log, int64_t *seq);

/* Calls cb with the id of every log in the store. */
int store_logs(store_t *s, void (*cb)(void *ud, const char *log), void *ud);

/* A readable name for a store error code. */
const char *store_strerror(int rc);

#endif
