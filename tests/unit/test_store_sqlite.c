/* test_store_sqlite.c – the store conformance suite against the SQLite engine, then what is
 * SQLite's own: its errors at open, I/O failure, and the writer under injected faults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <signal.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_conformance.h"
#include "store/sqlite.h"

static const char *conf_engine(void)
{
    return "sqlite";
}

/* A new temporary directory; the database file is created by the first open. */
static void conf_fresh(conf_fx_t *fx)
{
    snprintf(fx->name, sizeof fx->name, "/tmp/sp-conf-XXXXXX");
    assert_non_null(mkdtemp(fx->name));
    snprintf(fx->uri, sizeof fx->uri, "%s/conf.db", fx->name);
}

static void conf_cleanup(conf_fx_t *fx)
{
    DIR *d = opendir(fx->name);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", fx->name, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(fx->name);
}

/* The SQLite engine keeps its schema version in PRAGMA user_version. */
static int conf_schema_version(conf_fx_t *fx, int set)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->uri, &db), SQLITE_OK);
    if (set >= 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", set);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}


/* ---- SQLite's own ---------------------------------------------------------------- */

/* Waits up to ms for the writer to reach seq; returns whether it did. */
static int wait_committed(const writer_t *w, int64_t seq, int ms)
{
    for (int i = 0; i < ms && writer_committed(w) < seq; i++)
        conf_sleep_ms(1);
    return writer_committed(w) >= seq;
}

/* ---- the store -------------------------------------------------------------------- */

static void expect_open_error(const char *path, int code, const char *needle)
{
    char err[512] = "";
    store_t *s = NULL;
    int rc = store_open(path, &s, err, sizeof err);
    if (rc != code || strstr(err, needle) == NULL)
        fprintf(stderr, "store_open(%s): %d \"%s\"\n", path, rc, err);
    assert_int_equal(rc, code);
    assert_null(s);
    assert_non_null(strstr(err, needle));
}

/* Plain checks for a forked child, where a cmocka assertion would jump back into the
 * child's copy of the test runner. Returns the number of failed checks. */
static int ro_expect(const char *path, const char *needle)
{
    char err[512] = "";
    store_t *s = NULL;
    int rc = store_open(path, &s, err, sizeof err);
    int bad = rc != STORE_EOPEN || s != NULL || strstr(err, needle) == NULL;
    if (bad)
        fprintf(stderr, "store_open(%s): %d \"%s\", wanted EOPEN with \"%s\"\n", path, rc,
                err, needle);
    store_close(s);
    return bad;
}

static int ro_checks(const conf_fx_t *fx)
{
    char path[512];
    int bad = 0;
    /* A new database in a directory without write permission. */
    snprintf(path, sizeof path, "%s/rodir/new.db", fx->name);
    bad += ro_expect(path, "not writable");
    /* An existing database file without write permission (SQLite would quietly open it
     * read-only; the store must refuse at open, not at the first append). */
    snprintf(path, sizeof path, "%s/rofile.db", fx->name);
    bad += ro_expect(path, "read-only");
    /* A writable database file in a directory where its WAL cannot be created. */
    snprintf(path, sizeof path, "%s/rodir/old.db", fx->name);
    bad += ro_expect(path, "for writing");
    return bad;
}

/* Root may write anywhere, so as root the checks run in a child that became "nobody". */
static void check_read_only_places(conf_fx_t *fx)
{
    char path[700], dir[600];
    snprintf(dir, sizeof dir, "%s/rodir", fx->name);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/old.db", dir);
    store_close(conf_open(path));
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(chmod(dir, 0555), 0);
    snprintf(path, sizeof path, "%s/rofile.db", fx->name);
    store_close(conf_open(path));
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(chmod(fx->name, 0777), 0);

    int bad;
    if (geteuid() != 0) {
        bad = ro_checks(fx);
    } else {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(100);
            _exit(ro_checks(fx) ? 1 : 0);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        bad = WEXITSTATUS(status);
    }
    chmod(dir, 0700);
    chmod(fx->name, 0700);
    assert_int_not_equal(bad, 100); /* could not become an ordinary user */
    assert_int_equal(bad, 0);
    /* The failed opens changed nothing: both databases still open and read. */
    store_t *s = conf_open(path);
    assert_int_equal(conf_head(s, "s1"), 0);
    store_close(s);
    snprintf(path, sizeof path, "%s/rodir/new.db", fx->name);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(dir, sizeof dir, "%s/rodir", fx->name);
    char p[700];
    snprintf(p, sizeof p, "%s/old.db", dir);
    unlink(p);
    rmdir(dir);
}

static void test_unwritable_refused(void **state)
{
    conf_fx_t *fx = *state;
    char path[512];

    /* A directory that does not exist. */
    snprintf(path, sizeof path, "%s/missing/test.db", fx->name);
    expect_open_error(path, STORE_EOPEN, path);
    expect_open_error(path, STORE_EOPEN, strerror(ENOENT));

    /* A "directory" that is a file. */
    char file[400];
    snprintf(file, sizeof file, "%s/plain", fx->name);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/test.db", file);
    expect_open_error(path, STORE_EOPEN, "not a directory");

    /* The path is a directory. */
    expect_open_error(fx->name, STORE_EOPEN, "is a directory");

    /* A place no one may create files, not even root (sysfs). */
    expect_open_error("/sys/staatsprint-test.db", STORE_EOPEN, "/sys/staatsprint-test.db");

    /* Places that exist but may not be written: checked as an ordinary user. */
    check_read_only_places(fx);
    /* Nothing was left behind by the failed opens. */
    assert_int_equal(access(fx->uri, F_OK), -1);
}

static void test_not_a_database_refused(void **state)
{
    conf_fx_t *fx = *state;
    FILE *f = fopen(fx->uri, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("dit is geen database, this is not a database\n", f);
    fclose(f);
    struct stat before, after;
    assert_int_equal(stat(fx->uri, &before), 0);
    expect_open_error(fx->uri, STORE_EOPEN, "not a SQLite database");
    assert_int_equal(stat(fx->uri, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
}

static void test_uri_and_errors(void **state)
{
    (void)state;
    /* Both schemes go to the PostgreSQL engine (its own suite: test_store_conformance_pg.c);
     * nothing listens on port 1, so the open fails with the reason. */
    expect_open_error("postgresql://127.0.0.1:1/sp", STORE_EOPEN, "Connection refused");
    expect_open_error("postgres://u@127.0.0.1:1/db", STORE_EOPEN, "Connection refused");
    expect_open_error("", STORE_EINVAL, "");
    store_close(NULL);

    /* ":memory:" works without a directory (used by tests of other modules). */
    store_t *s = conf_open(":memory:");
    assert_int_equal(conf_append(s, "m", 1, 3), 0);
    assert_int_equal(conf_read(s, "m", 0).count, 3);
    store_close(s);

    int codes[] = {STORE_OK,   STORE_EIO,   STORE_ECONFLICT, STORE_ENEWER,
                   STORE_EOPEN, STORE_EINVAL, STORE_ESTOP};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_true(strlen(store_strerror(codes[i])) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(store_strerror(codes[i]), store_strerror(codes[j]));
    }
    assert_string_equal(store_strerror(-99), "unknown store error");
}

/* A real I/O failure: a file-size limit makes the WAL write fail (EFBIG) in the middle of
 * an append. The append must fail as a whole and the store must work once the limit goes. */
static void test_io_error_rolls_back(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 1), 0);

    size_t big_len = 4u << 20;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    memset(big, 'x', big_len);
    big[0] = '"';
    big[big_len - 1] = '"';
    big[big_len] = '\0';
    store_rec_t recs[2] = {conf_rec(2, "{}"), conf_rec(3, big)};
    recs[1].body_len = big_len;

    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 1u << 20;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc_full = store_append(s, "s1", recs, 2);
    int64_t head_during = -1;
    int rc_head = store_head(s, "s1", &head_during);
    int rc_small = store_append(s, "s1", recs, 1); /* small enough for the limit */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(rc_full, STORE_EIO);
    assert_int_equal(rc_head, 0);
    assert_int_equal(head_during, 1);
    assert_int_equal(rc_small, 0);
    /* The failed batch left nothing; the big record now goes in after seq 2. */
    assert_int_equal(conf_head(s, "s1"), 2);
    assert_int_equal(store_append(s, "s1", &recs[1], 1), 0);
    assert_int_equal(conf_head(s, "s1"), 3);
    store_close(s);

    s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 3);
    store_close(s);
    free(big);
}

/* ---- the writer ------------------------------------------------------------------- */

typedef struct {
    _Atomic int calls;
    _Atomic int failing_seen;   /* calls that saw writer_failing() set */
    _Atomic int recovered_seen; /* calls that saw it clear again after being set */
    _Atomic(writer_t *) w;
} notes_t;

static void notify_cb(void *ud)
{
    notes_t *n = ud;
    atomic_fetch_add(&n->calls, 1);
    writer_t *w = atomic_load(&n->w);
    if (w == NULL)
        return;
    if (writer_failing(w, NULL))
        atomic_fetch_add(&n->failing_seen, 1);
    else if (atomic_load(&n->failing_seen) > 0)
        atomic_fetch_add(&n->recovered_seen, 1);
}

/* notify runs just after committed advances: wait for the call to have happened. */
static int wait_calls(notes_t *n, int calls)
{
    for (int i = 0; i < 5000 && atomic_load(&n->calls) < calls; i++)
        conf_sleep_ms(1);
    return atomic_load(&n->calls);
}

/* A store whose appends fail while fail_left > 0, wrapping the real SQLite store. */
typedef struct {
    store_t base;
    store_t *inner;
    _Atomic int fail_left;    /* < 0: fail for ever */
    _Atomic int attempts;
    _Atomic int64_t ok_records;    /* records in appends that succeeded */
    _Atomic int64_t max_committed_while_failing;
    _Atomic(writer_t *) w;
} fake_t;

static int fake_open(const char *uri, store_t **out, char *err, size_t errlen)
{
    return STORE_EINVAL; /* only built by fake_new() */
}

static void fake_close(store_t *s)
{
    fake_t *f = (fake_t *)s;
    store_close(f->inner);
    free(f);
}

static int fake_append(store_t *s, const char *log, const store_rec_t *recs, size_t n)
{
    fake_t *f = (fake_t *)s;
    atomic_fetch_add(&f->attempts, 1);
    int left = atomic_load(&f->fail_left);
    if (left != 0) {
        if (left > 0)
            atomic_fetch_sub(&f->fail_left, 1);
        writer_t *w = atomic_load(&f->w);
        int64_t c = w ? writer_committed(w) : 0;
        if (c > atomic_load(&f->max_committed_while_failing))
            atomic_store(&f->max_committed_while_failing, c);
        return STORE_EIO;
    }
    int rc = store_append(f->inner, log, recs, n);
    if (rc == 0)
        atomic_fetch_add(&f->ok_records, (int64_t)n);
    return rc;
}

static int fake_read(store_t *s, const char *log, int64_t after, store_read_cb cb, void *ud)
{
    return store_read(((fake_t *)s)->inner, log, after, cb, ud);
}

static int fake_head(store_t *s, const char *log, int64_t *seq)
{
    return store_head(((fake_t *)s)->inner, log, seq);
}

static int fake_logs(store_t *s, void (*cb)(void *ud, const char *log), void *ud)
{
    return store_logs(((fake_t *)s)->inner, cb, ud);
}

static const store_engine_t fake_engine = {
    .name = "fake",
    .open = fake_open,
    .close = fake_close,
    .append = fake_append,
    .read = fake_read,
    .head = fake_head,
    .logs = fake_logs,
};

static fake_t *fake_new(const char *path, int fail)
{
    fake_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->base.engine = &fake_engine;
    f->inner = conf_open(path);
    atomic_init(&f->fail_left, fail);
    return f;
}

static void test_writer_retries_until_fault_clears(void **state)
{
    conf_fx_t *fx = *state;
    const int k = 3;
    fake_t *f = fake_new(fx->uri, k);
    notes_t notes = {0};
    writer_t *w = writer_start(&f->base, "s1", 0, notify_cb, &notes);
    assert_non_null(w);
    atomic_store(&f->w, w);
    atomic_store(&notes.w, w);

    conf_submit(w, "s1", 1, 100);
    int rc = 0;
    for (int i = 0; i < 5000 && !writer_failing(w, &rc); i++)
        conf_sleep_ms(1);
    assert_int_not_equal(writer_failing(w, &rc), 0);
    assert_int_equal(rc, STORE_EIO);
    assert_int_equal(writer_committed(w), 0);
    /* More records arrive while the disk is failing; they queue behind the kept batch. */
    conf_submit(w, "s1", 101, 200);
    assert_true(writer_pending(w) > 0);

    assert_true(wait_committed(w, 200, 20000));
    assert_int_equal(writer_committed(w), 200);
    assert_int_equal(writer_pending(w), 0);
    assert_int_equal(writer_failing(w, &rc), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(atomic_load(&f->max_committed_while_failing), 0);
    assert_int_equal(atomic_load(&f->ok_records), 200); /* nothing twice */

    writer_stats_t st;
    writer_get_stats(w, &st);
    assert_int_equal(st.failures, (uint64_t)k);
    assert_int_equal(st.records, 200);
    assert_int_equal(atomic_load(&f->attempts), k + (int)st.commits);
    /* notify: once on entering the failing state, then once per commit (the first of
     * which is also the way out of it). */
    assert_int_equal(wait_calls(&notes, 1 + (int)st.commits), 1 + (int)st.commits);
    assert_int_equal(atomic_load(&notes.failing_seen), 1);
    assert_true(atomic_load(&notes.recovered_seen) >= 1);

    conf_check_t c = conf_read(f->inner, "s1", 0);
    assert_int_equal(c.count, 200);
    assert_int_equal(c.next, 201);
    writer_stop(w);
}

/* A fault that never clears: stop gives up after a few tries instead of hanging, and
 * nothing is reported as committed. */
static void test_writer_stop_while_failing(void **state)
{
    conf_fx_t *fx = *state;
    fake_t *f = fake_new(fx->uri, -1);
    writer_t *w = writer_start(&f->base, "s1", 0, NULL, NULL);
    assert_non_null(w);
    conf_submit(w, "s1", 1, 10);
    for (int i = 0; i < 5000 && !writer_failing(w, NULL); i++)
        conf_sleep_ms(1);
    assert_int_not_equal(writer_failing(w, NULL), 0);
    conf_submit(w, "s1", 11, 20);
    assert_int_equal(writer_committed(w), 0);
    double t0 = conf_now();
    writer_stop(w); /* closes f */
    assert_true(conf_now() - t0 < 10.0);

    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 0);
    store_close(s);
}

/* Gathering: a stream of records shares fsyncs (groups of up to 64 while records come
 * faster than one per window), but a lone record after a pause is committed at once. The
 * window here is 500 ms, so "at once" (within 300 ms) and "gathered" are far apart. */
static void test_writer_gathers_a_stream_not_a_lone_record(void **state)
{
    conf_fx_t *fx = *state;
    writer_t *w = writer_start(conf_open(fx->uri), "s1", 0, NULL, NULL);
    assert_non_null(w);
    writer_set_gather(w, 500000);
    conf_submit(w, "s1", 1, 1);
    assert_true(wait_committed(w, 1, 300));   /* the first: no rate yet */
    conf_sleep_ms(700);
    conf_submit(w, "s1", 2, 2);
    assert_true(wait_committed(w, 2, 300));   /* after a pause longer than the window */
    writer_stats_t before, after;
    writer_get_stats(w, &before);
    for (int64_t i = 3; i <= 202; i++) {      /* a stream: one record a millisecond */
        conf_submit(w, "s1", i, i);
        conf_sleep_ms(1);
    }
    assert_true(wait_committed(w, 202, 5000));
    writer_get_stats(w, &after);
    uint64_t groups = after.commits - before.commits;
    assert_int_equal(after.records - before.records, 200);
    assert_true(groups <= 12);                /* 200 one by one would be ~200 groups */
    assert_true(after.max_batch >= 32);
    /* The stream is over: a quiet window ends the writer's cadence, and the next lone
     * record is committed at once, not at the end of a window (500 ms). */
    conf_sleep_ms(1200);
    writer_get_stats(w, &before);
    conf_submit(w, "s1", 203, 203);
    assert_true(wait_committed(w, 203, 300));
    writer_get_stats(w, &after);
    assert_int_equal(after.commits - before.commits, 1);
    writer_stop(w);
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 203);
    store_close(s);
}

/* A store whose next append, when asked, takes slow_ms longer (an fsync that stalls), and
 * which notes when each append began and ended. */
static const store_engine_t *slow_real;
static store_engine_t slow_engine;
static _Atomic int slow_next_ms;
static double slow_began[64], slow_ended[64];
static _Atomic int slow_n;

static int slow_append(store_t *s, const char *log, const store_rec_t *recs, size_t n)
{
    int i = atomic_load(&slow_n);
    if (i < 64)
        slow_began[i] = conf_now();
    s->engine = slow_real;
    int rc = store_append(s, log, recs, n);
    s->engine = &slow_engine;
    int ms = atomic_exchange(&slow_next_ms, 0);
    if (ms > 0)
        conf_sleep_ms(ms);
    if (i < 64)
        slow_ended[i] = conf_now();
    atomic_store(&slow_n, i + 1);
    return rc;
}

/* While a stream lasts the writer sleeps a window after each commit, but records that
 * came during a stalled commit have waited long enough: the next group goes as soon as the
 * stall ends. Window 100 ms, a record every 10 ms (a stream), then one commit stalls
 * 300 ms (30 records, fewer than a full group of 64). */
static void test_writer_does_not_add_a_window_after_a_stall(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    slow_real = s->engine;
    slow_engine = *s->engine;
    slow_engine.append = slow_append;
    s->engine = &slow_engine;
    atomic_store(&slow_n, 0);
    writer_t *w = writer_start(s, "s1", 0, NULL, NULL);
    assert_non_null(w);
    writer_set_gather(w, 100000);
    int64_t seq = 0;
    for (; seq < 40; seq++) {                  /* 400 ms of stream: the cadence is on */
        conf_submit(w, "s1", seq + 1, seq + 1);
        conf_sleep_ms(10);
    }
    assert_true(wait_committed(w, seq, 2000));
    atomic_store(&slow_next_ms, 300);
    int stalled = -1;
    for (int k = 0; k < 60; k++, seq++) {      /* the stall and a little after it */
        if (stalled < 0 && atomic_load(&slow_next_ms) == 0)
            stalled = atomic_load(&slow_n);    /* the append that takes the stall */
        conf_submit(w, "s1", seq + 1, seq + 1);
        conf_sleep_ms(10);
    }
    assert_true(wait_committed(w, seq, 3000));
    assert_true(stalled >= 0 && stalled + 1 < atomic_load(&slow_n) && stalled + 1 < 64);
    assert_true(slow_ended[stalled] - slow_began[stalled] >= 0.29);
    /* The next group began at once after the stall, not a window (100 ms) later. */
    double gap = slow_began[stalled + 1] - slow_ended[stalled];
    assert_true(gap < 0.05);
    /* In the steady stream before it, groups were a window apart: the cadence was on. */
    assert_true(stalled >= 2 && slow_began[stalled - 1] - slow_ended[stalled - 2] >= 0.08);
    writer_stop(w);   /* closes s */
    store_t *r = conf_open(fx->uri);
    assert_int_equal(conf_head(r, "s1"), seq);
    store_close(r);
}

/* Appends rounds × n (≤ 100) records of 4 KB to log s1 of s, pausing ms between rounds. */
static void append_4k(store_t *s, int64_t *seq, int rounds, int n, int ms)
{
    static char body[4001];
    memset(body, 'x', sizeof body - 1);
    store_rec_t recs[100];
    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < n; i++) {
            recs[i] = conf_rec(++*seq, body);
            recs[i].body_len = sizeof body - 1;
        }
        assert_int_equal(store_append(s, "s1", recs, (size_t)n), STORE_OK);
        if (ms > 0)
            conf_sleep_ms(ms);
    }
}

/* Checkpoints run in the store's own thread, not inside a commit: with pauses between
 * groups (a server's load) the thread does every one; without any pause the writer steps
 * in at SQ_CKPT_HARD_PAGES so the WAL stays bounded; every record reads back. (If the
 * thread could not start, SQLite's own checkpoint would run in the commits and the thread's
 * count would stay 0.) */
static void test_checkpoints_beside_the_writer(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    int64_t seq = 0;
    unsigned long inline_ck = 0;
    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", fx->uri);
    struct stat st;
    append_4k(s, &seq, 500, 10, 5);   /* 20 MB, groups of 40 KB 5 ms apart */
    assert_true(store_sqlite_checkpoints(s, &inline_ck) >= 2);
    assert_int_equal(inline_ck, 0);
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size < 10 * 1024 * 1024);   /* it started afresh, more than once */
    append_4k(s, &seq, 100, 100, 0);   /* 40 MB without a pause */
    store_sqlite_checkpoints(s, &inline_ck);
    assert_true(inline_ck >= 1);
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size < 24 * 1024 * 1024);
    int64_t head = 0;
    assert_int_equal(store_head(s, "s1", &head), STORE_OK);
    assert_int_equal(head, 15000);
    store_close(s);
    /* A store that only reads starts no thread. */
    s = conf_open(fx->uri);
    assert_int_equal(store_head(s, "s1", &head), STORE_OK);
    assert_int_equal(store_sqlite_checkpoints(s, NULL), 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CONF_TESTS,
        cmocka_unit_test_setup_teardown(test_unwritable_refused, conf_setup, conf_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database_refused, conf_setup, conf_teardown),
        cmocka_unit_test(test_uri_and_errors),
        cmocka_unit_test_setup_teardown(test_io_error_rolls_back, conf_setup, conf_teardown),
        cmocka_unit_test_setup_teardown(test_writer_retries_until_fault_clears, conf_setup, conf_teardown),
        cmocka_unit_test_setup_teardown(test_writer_stop_while_failing, conf_setup, conf_teardown),
        cmocka_unit_test_setup_teardown(test_writer_gathers_a_stream_not_a_lone_record, conf_setup, conf_teardown),
        cmocka_unit_test_setup_teardown(test_writer_does_not_add_a_window_after_a_stall, conf_setup, conf_teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints_beside_the_writer, conf_setup, conf_teardown),
    };
    return cmocka_run_group_tests_name("store (SQLite)", tests, NULL, NULL);
}
