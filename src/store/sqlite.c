/* sqlite.c – the SQLite engine of the store: one table of events, WAL, fsync per commit.
 *
 * Design notes
 *  - One row per record in `events`, keyed by (log, seq) WITHOUT ROWID, so a log's
 *    records are stored together in seq order and reading from a seq is a range scan.
 *  - The schema version lives in PRAGMA user_version. 0 means "new file": the schema is
 *    created and the version set. A higher version than ours is refused (STORE_ENEWER)
 *    before anything is written, so an older binary never touches a newer database.
 *  - journal_mode=WAL with synchronous=FULL: every COMMIT fsyncs the WAL, which is what
 *    makes invariant 1 of store.h hold. The writer thread groups records so that one
 *    fsync covers many of them.
 *  - Writability is proven at open by switching to WAL and running one write
 *    transaction; a read-only file or directory is reported then, not at the first append.
 *  - Every statement is prepared once at open and reused (reset after each use); values
 *    are always bound, never spliced into SQL.
 *
 *  - Checkpoints run beside the writer, not in it. SQLite's automatic checkpoint runs
 *    inside the COMMIT that pushes the WAL past 1,000 pages: copying ~4 MB into the
 *    database and an fsync of it, while every command of that group (and the groups queued
 *    behind it) waits – at 2,500 commands a second, a stall of several ms twice a second.
 *    A store that appends (a writer) turns that off for its connection and, from a WAL hook
 *    after each commit, wakes a thread of its own with a second connection. It runs a
 *    PASSIVE checkpoint, which copies the bulk without taking the write lock (commits go on
 *    meanwhile), then a RESTART, which copies the few frames written meanwhile and makes the
 *    next write start the WAL afresh; that one holds the writer for its moment, and with
 *    no busy timeout it gives up at once when the writer is in a group or a reader still
 *    needs the WAL (then the thread tries again 100 ms later). Restarting promptly keeps
 *    the WAL within the blocks it already has: a WAL that grows makes every fdatasync
 *    write the file's size too (S2: 6 % more CPU per frame with PASSIVE alone).
 *    Only a WAL that keeps growing past SQ_CKPT_HARD_PAGES (writes without any pause, so
 *    the thread never catches up) is checkpointed by the writer itself, as SQLite would.
 *    Closing the store stops the thread first; the last connection to close checkpoints
 *    what is left, as before. If the thread cannot start, SQLite's own checkpoint stays on.
 *
 * Append states: idle --BEGIN IMMEDIATE--> writing --COMMIT--> idle
 *                                            \--any failure--> ROLLBACK --> idle
 * The connection is back in autocommit mode after every append, whatever happened, so a
 * later append can succeed once the cause (disk full, I/O error) is gone.
 */
#include "store/sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/xalloc.h"

/* How long a connection waits for another connection's write lock (ms). */
#define SQ_BUSY_TIMEOUT_MS 5000
/* WAL pages after a commit that wake the checkpoint thread (SQLite's own default)… */
#define SQ_CKPT_PAGES 1000
/* …and the size at which the writer checkpoints itself: under writes without a pause the
 * thread never finds the WAL fully copied, so the WAL could not start afresh and would
 * grow without end. */
#define SQ_CKPT_HARD_PAGES 4000
/* The pause after a checkpoint that could not finish (ms). */
#define SQ_CKPT_RETRY_MS 100

enum {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_HEAD,
    SQ_INSERT,
    SQ_READ,
    SQ_LOGS,
    SQ_NSTMT
};

static const char *const sq_sql[SQ_NSTMT] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_HEAD] = "SELECT max(seq) FROM events WHERE log = ?1",
    [SQ_INSERT] = "INSERT INTO events(log, seq, ts, type, aud_kind, aud_id, actor, cmd_id, body)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [SQ_READ] = "SELECT seq, ts, type, aud_kind, aud_id, actor, cmd_id, body FROM events"
                " WHERE log = ?1 AND seq > ?2 ORDER BY seq",
    [SQ_LOGS] = "SELECT DISTINCT log FROM events ORDER BY log",
};

static const char sq_schema[] =
    "CREATE TABLE IF NOT EXISTS events ("
    " log TEXT NOT NULL,"
    " seq INTEGER NOT NULL,"
    " ts INTEGER NOT NULL,"
    " type TEXT NOT NULL,"
    " aud_kind INTEGER NOT NULL,"
    " aud_id TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " cmd_id TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " PRIMARY KEY (log, seq)"
    ") WITHOUT ROWID";

typedef struct {
    store_t base; /* must stay first: store.c sees only this */
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_NSTMT];
    char *path;               /* NULL for ":memory:" */
    /* The checkpoint thread (design notes): started by the first append. */
    int ck_tried, ck_running;
    pthread_t ck_thread;
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_cv;
    int ck_want, ck_stop;     /* under ck_mu */
    _Atomic unsigned long ck_done;    /* checkpoints of the thread */
    _Atomic unsigned long ck_inline;  /* …and of the writer itself (SQ_CKPT_HARD_PAGES) */
} sq_store_t;

static sq_store_t *sq_of(store_t *s)
{
    return (sq_store_t *)s;
}

/* Writes "<what>: <sqlite message>[ (<errno text>)]" to err; the errno text is what tells
 * an operator "Permission denied" or "Read-only file system". */
static void sq_reason(char *err, size_t errlen, sqlite3 *db, const char *what)
{
    if (err == NULL || errlen == 0)
        return;
    const char *msg = db ? sqlite3_errmsg(db) : "out of memory";
    int sys = db ? sqlite3_system_errno(db) : 0;
    if (sys != 0)
        snprintf(err, errlen, "%s: %s (%s)", what, msg, strerror(sys));
    else
        snprintf(err, errlen, "%s: %s", what, msg);
}

/* Runs a statement that returns no rows (or whose rows are of no interest) and resets it,
 * so it is ready for the next use whatever happened. Returns the sqlite3_step() code. */
static int sq_run(sqlite3_stmt *st)
{
    int rc;
    do
        rc = sqlite3_step(st);
    while (rc == SQLITE_ROW);
    sqlite3_reset(st);
    return rc;
}

/* Runs one SQL text once (open-time only: pragmas and the schema). */
static int sq_exec1(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if (out && outlen)
        out[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        if (out && outlen && v)
            snprintf(out, outlen, "%s", (const char *)v);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Checks the place of the database file and creates it when missing, so that the
 * message names the real problem ("directory … does not exist", "Permission denied",
 * "Read-only file system") instead of SQLite's "unable to open database file" with
 * whatever errno its last fallback left. Sets *created when it made the file. */
static int sq_check_path(const char *path, int *created, char *err, size_t errlen)
{
    struct stat st;
    *created = 0;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "cannot open database %s: it is a directory", path);
            return STORE_EOPEN;
        }
        return STORE_OK; /* an existing file: SQLite will judge it */
    }
    char *copy = xstrdup(path);
    const char *dir = dirname(copy);
    int rc = STORE_OK;
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "cannot create database %s: directory %s: %s", path, dir,
                 strerror(errno));
        rc = STORE_EOPEN;
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot create database %s: %s is not a directory", path, dir);
        rc = STORE_EOPEN;
    } else if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "cannot create database %s: directory %s is not writable: %s",
                 path, dir, strerror(errno));
        rc = STORE_EOPEN;
    } else {
        /* An empty file is a valid empty SQLite database. */
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST) {
            /* Another process made it between our stat and open: it exists now, and
             * SQLite will judge it like any existing file. */
        } else if (fd < 0) {
            snprintf(err, errlen, "cannot create database %s: %s", path, strerror(errno));
            rc = STORE_EOPEN;
        } else {
            close(fd);
            *created = 1;
        }
    }
    free(copy);
    return rc;
}

/* Removes what a failed open created, so that a failed open leaves nothing behind. */
static void sq_remove_created(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[4096];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        if (snprintf(p, sizeof p, "%s%s", path, suffix[i]) < (int)sizeof p)
            unlink(p);
    }
}

/* Reads the schema version, refuses newer ones, switches to WAL and creates the schema
 * inside a write transaction (which also proves the file can be written). */
static int sq_prepare_db(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    char what[512];
    char val[32];
    int rc = sq_exec1(db, "PRAGMA user_version", val, sizeof val);
    if (rc == SQLITE_NOTADB) {
        snprintf(err, errlen, "cannot open %s: the file is not a SQLite database", path);
        return STORE_EOPEN;
    }
    if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN) {
        /* A WAL database needs its -wal and -shm files even for reading. */
        snprintf(what, sizeof what,
                 "cannot open %s for writing (is its directory writable? the -wal and -shm "
                 "files go next to it)", path);
        sq_reason(err, errlen, db, what);
        return STORE_EOPEN;
    }
    if (rc != SQLITE_OK) {
        snprintf(what, sizeof what, "cannot read %s", path);
        sq_reason(err, errlen, db, what);
        return STORE_EOPEN;
    }
    long version = strtol(val, NULL, 10);
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "database %s has schema version %ld: it was made by a newer staatsprint "
                 "(this one knows up to version %d); upgrade staatsprint to open it",
                 path, version, STORE_SCHEMA_VERSION);
        return STORE_ENEWER;
    }

    rc = sq_exec1(db, "PRAGMA journal_mode=WAL", val, sizeof val);
    const char *file = sqlite3_db_filename(db, "main");
    int in_memory = file == NULL || file[0] == '\0';
    if (rc != SQLITE_OK || (strcmp(val, "wal") != 0 && !in_memory)) {
        snprintf(what, sizeof what, "cannot switch %s to WAL mode (is it writable?)", path);
        if (rc != SQLITE_OK)
            sq_reason(err, errlen, db, what);
        else
            snprintf(err, errlen, "%s: journal mode stays %s", what, val);
        return STORE_EOPEN;
    }
    rc = sq_exec1(db, "PRAGMA synchronous=FULL", NULL, 0);
    if (rc == SQLITE_OK)
        rc = sq_exec1(db, "BEGIN IMMEDIATE", NULL, 0);
    if (rc == SQLITE_OK)
        rc = sq_exec1(db, sq_schema, NULL, 0);
    if (rc == SQLITE_OK && version < STORE_SCHEMA_VERSION) {
        /* PRAGMA takes no bound values; the number is our own constant. */
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", STORE_SCHEMA_VERSION);
        rc = sq_exec1(db, sql, NULL, 0);
    }
    if (rc == SQLITE_OK)
        rc = sq_exec1(db, "COMMIT", NULL, 0);
    if (rc != SQLITE_OK) {
        snprintf(what, sizeof what, "cannot write to %s", path);
        sq_reason(err, errlen, db, what);
        if (!sqlite3_get_autocommit(db))
            sq_exec1(db, "ROLLBACK", NULL, 0);
        return STORE_EOPEN;
    }
    return STORE_OK;
}

/* ---- the checkpoint thread ------------------------------------------------------ */

static void *sq_ck_main(void *arg)
{
    sq_store_t *s = arg;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close_v2(db);
        db = NULL;
    } else {
        sqlite3_busy_timeout(db, 0);   /* never wait: see the checkpoints below */
        /* A connection learns the file is in WAL mode when it first reads it; before that a
         * checkpoint does nothing (and says so only by *pnLog = -1). */
        if (sq_exec1(db, "PRAGMA journal_mode", NULL, 0) != SQLITE_OK) {
            sqlite3_close_v2(db);
            db = NULL;
        }
    }
    pthread_mutex_lock(&s->ck_mu);
    for (;;) {
        while (!s->ck_want && !s->ck_stop)
            pthread_cond_wait(&s->ck_cv, &s->ck_mu);
        if (s->ck_stop)
            break;
        s->ck_want = 0;
        pthread_mutex_unlock(&s->ck_mu);
        int nlog = 0, nckpt = 0, ok = 0;
        if (db != NULL) {
            /* The bulk, without blocking the writer; then the frames written meanwhile and
             * the restart of the WAL, which holds the writer for that moment only: without
             * a busy timeout it gives up at once (SQLITE_BUSY) when the writer is in a
             * group or a reader still needs the WAL, and the thread tries again later. */
            ok = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt) ==
                     SQLITE_OK &&
                 nlog >= 0 &&
                 sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_RESTART, &nlog, &nckpt) ==
                     SQLITE_OK;
        }
        if (ok)
            atomic_fetch_add(&s->ck_done, 1);
        pthread_mutex_lock(&s->ck_mu);
        if (!ok && !s->ck_stop) {
            /* Busy (a long reader) or failing: the next commit asks again, not at once. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += SQ_CKPT_RETRY_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (!s->ck_stop && pthread_cond_timedwait(&s->ck_cv, &s->ck_mu, &until) != ETIMEDOUT)
                ;
        }
    }
    pthread_mutex_unlock(&s->ck_mu);
    sqlite3_close_v2(db);
    return NULL;
}

/* After every commit of the writer's connection, with the WAL's size in pages. */
static int sq_wal_hook(void *ud, sqlite3 *db, const char *name, int pages)
{
    sq_store_t *s = ud;
    if (pages >= SQ_CKPT_HARD_PAGES) {
        int nlog = 0, nckpt = 0;
        if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt) == SQLITE_OK)
            atomic_fetch_add(&s->ck_inline, 1);
    } else if (pages >= SQ_CKPT_PAGES) {
        pthread_mutex_lock(&s->ck_mu);
        s->ck_want = 1;
        pthread_cond_signal(&s->ck_cv);
        pthread_mutex_unlock(&s->ck_mu);
    }
    return SQLITE_OK;
}

/* The first append makes this store a writer: checkpoints move to a thread of their own. */
static void sq_ck_start(sq_store_t *s)
{
    s->ck_tried = 1;
    if (s->path == NULL)
        return;
    if (pthread_mutex_init(&s->ck_mu, NULL) != 0)
        return;
    if (pthread_cond_init(&s->ck_cv, NULL) != 0) {
        pthread_mutex_destroy(&s->ck_mu);
        return;
    }
    if (pthread_create(&s->ck_thread, NULL, sq_ck_main, s) != 0) {
        pthread_cond_destroy(&s->ck_cv);
        pthread_mutex_destroy(&s->ck_mu);
        return;   /* SQLite's own checkpoint stays on */
    }
    s->ck_running = 1;
    sqlite3_wal_autocheckpoint(s->db, 0);   /* also removes SQLite's own hook */
    sqlite3_wal_hook(s->db, sq_wal_hook, s);
}

static void sq_ck_stop(sq_store_t *s)
{
    if (!s->ck_running)
        return;
    pthread_mutex_lock(&s->ck_mu);
    s->ck_stop = 1;
    pthread_cond_signal(&s->ck_cv);
    pthread_mutex_unlock(&s->ck_mu);
    pthread_join(s->ck_thread, NULL);
    pthread_cond_destroy(&s->ck_cv);
    pthread_mutex_destroy(&s->ck_mu);
    sqlite3_wal_hook(s->db, NULL, NULL);
    s->ck_running = 0;
}

unsigned long store_sqlite_checkpoints(const store_t *base, unsigned long *by_writer)
{
    const sq_store_t *s = (const sq_store_t *)base;
    int mine = s && base->engine == &store_sqlite_engine;
    if (by_writer != NULL)
        *by_writer = mine ? atomic_load(&s->ck_inline) : 0;
    return mine ? atomic_load(&s->ck_done) : 0;
}

static void sq_close(store_t *base)
{
    sq_store_t *s = sq_of(base);
    if (s == NULL)
        return;
    sq_ck_stop(s);
    for (int i = 0; i < SQ_NSTMT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

static int sq_open(const char *path, store_t **out, char *err, size_t errlen)
{
    /* store_open() has checked the arguments and cleared *out and err. */
    int created = 0;
    if (strcmp(path, ":memory:") != 0) {
        int rc = sq_check_path(path, &created, err, errlen);
        if (rc < 0)
            return rc;
    }

    sq_store_t *s = xcalloc(1, sizeof *s);
    s->base.engine = &store_sqlite_engine;
    atomic_init(&s->ck_done, 0);
    atomic_init(&s->ck_inline, 0);
    if (strcmp(path, ":memory:") != 0)
        s->path = xstrdup(path);

    char what[512];
    int rc = STORE_OK;
    /* NOMUTEX: a store_t is used by one thread at a time (store.h), so SQLite's own
     * per-connection mutex would only cost time. */
    int src = sqlite3_open_v2(path, &s->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                              NULL);
    if (src != SQLITE_OK) {
        snprintf(what, sizeof what, "cannot open database %s", path);
        sq_reason(err, errlen, s->db, what);
        rc = STORE_EOPEN;
        goto fail;
    }
    /* SQLite silently falls back to read-only when the file is write-protected. */
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        snprintf(err, errlen, "cannot open database %s for writing: the file is read-only",
                 path);
        rc = STORE_EOPEN;
        goto fail;
    }
    sqlite3_busy_timeout(s->db, SQ_BUSY_TIMEOUT_MS);

    rc = sq_prepare_db(s->db, path, err, errlen);
    if (rc < 0)
        goto fail;

    for (int i = 0; i < SQ_NSTMT; i++) {
        if (sqlite3_prepare_v3(s->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK) {
            snprintf(what, sizeof what, "database %s has an unexpected layout", path);
            sq_reason(err, errlen, s->db, what);
            rc = STORE_EOPEN;
            goto fail;
        }
    }
    *out = &s->base;
    return STORE_OK;

fail:
    sq_close(&s->base);
    if (created)
        sq_remove_created(path);
    return rc;
}

/* Leaves the connection in autocommit mode after a failed append. */
static void sq_abort(sq_store_t *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sq_run(s->stmt[SQ_ROLLBACK]);
}

static int sq_head_in(sq_store_t *s, const char *log, int64_t *seq)
{
    sqlite3_stmt *st = s->stmt[SQ_HEAD];
    sqlite3_bind_text(st, 1, log, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_OK ? STORE_OK : STORE_EIO;
}

static const char *sq_nz(const char *s)
{
    return s ? s : "";
}

static int sq_insert(sq_store_t *s, const char *log, const store_rec_t *r)
{
    sqlite3_stmt *st = s->stmt[SQ_INSERT];
    /* body_len 0 with a non-empty string: the caller passed a C string. */
    const char *body = sq_nz(r->body);
    size_t len = r->body_len ? r->body_len : strlen(body);
    sqlite3_bind_text(st, 1, log, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->seq);
    sqlite3_bind_int64(st, 3, r->ts);
    sqlite3_bind_text(st, 4, sq_nz(r->type), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, r->aud_kind);
    sqlite3_bind_text(st, 6, sq_nz(r->aud_id), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, sq_nz(r->actor), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, sq_nz(r->cmd_id), -1, SQLITE_STATIC);
    int rc = sqlite3_bind_text64(st, 9, body, len, SQLITE_STATIC, SQLITE_UTF8);
    if (rc == SQLITE_OK)
        rc = sq_run(st);
    /* The bindings borrow the caller's strings; drop them before the call returns. */
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? STORE_OK : STORE_EIO;
}

static int sq_append(store_t *base, const char *log, const store_rec_t *recs, size_t n)
{
    sq_store_t *s = sq_of(base);
    if (log == NULL || log[0] == '\0' || (n > 0 && recs == NULL))
        return STORE_EINVAL;
    if (n == 0)
        return STORE_OK;
    if (!s->ck_tried)
        sq_ck_start(s);
    /* A batch must itself be gap-free; checked before touching the database. */
    if (recs[0].seq < 1)
        return STORE_EINVAL;
    for (size_t i = 1; i < n; i++)
        if (recs[i].seq != recs[0].seq + (int64_t)i)
            return STORE_EINVAL;

    if (sq_run(s->stmt[SQ_BEGIN]) != SQLITE_DONE) {
        sq_abort(s);
        return STORE_EIO;
    }
    int64_t head = 0;
    int rc = sq_head_in(s, log, &head);
    if (rc == STORE_OK && recs[0].seq != head + 1)
        rc = STORE_ECONFLICT;
    for (size_t i = 0; rc == STORE_OK && i < n; i++)
        rc = sq_insert(s, log, &recs[i]);
    if (rc == STORE_OK && sq_run(s->stmt[SQ_COMMIT]) != SQLITE_DONE)
        rc = STORE_EIO;
    if (rc != STORE_OK)
        sq_abort(s);
    return rc;
}

static const char *sq_col(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? (const char *)v : "";
}

static int sq_read(store_t *base, const char *log, int64_t after, store_read_cb cb, void *ud)
{
    sq_store_t *s = sq_of(base);
    if (log == NULL || log[0] == '\0' || cb == NULL)
        return STORE_EINVAL;
    sqlite3_stmt *st = s->stmt[SQ_READ];
    sqlite3_bind_text(st, 1, log, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    int rc;
    int out = STORE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_rec_t r = {
            .seq = sqlite3_column_int64(st, 0),
            .ts = sqlite3_column_int64(st, 1),
            .type = sq_col(st, 2),
            .aud_kind = sqlite3_column_int(st, 3),
            .aud_id = sq_col(st, 4),
            .actor = sq_col(st, 5),
            .cmd_id = sq_col(st, 6),
            .body = sq_col(st, 7),
        };
        r.body_len = (size_t)sqlite3_column_bytes(st, 7);
        if (cb(ud, &r) != 0) {
            out = STORE_ESTOP;
            break;
        }
    }
    if (out == STORE_OK && rc != SQLITE_DONE)
        out = STORE_EIO;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

static int sq_head(store_t *base, const char *log, int64_t *seq)
{
    if (log == NULL || log[0] == '\0' || seq == NULL)
        return STORE_EINVAL;
    *seq = 0;
    sq_store_t *s = sq_of(base);
    int rc = sq_head_in(s, log, seq);
    sqlite3_clear_bindings(s->stmt[SQ_HEAD]);
    return rc;
}

static int sq_logs(store_t *base, void (*cb)(void *ud, const char *log), void *ud)
{
    if (cb == NULL)
        return STORE_EINVAL;
    sqlite3_stmt *st = sq_of(base)->stmt[SQ_LOGS];
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cb(ud, sq_col(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : STORE_EIO;
}

const store_engine_t store_sqlite_engine = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .append = sq_append,
    .read = sq_read,
    .head = sq_head,
    .logs = sq_logs,
};
