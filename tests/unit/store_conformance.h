/* store_conformance.h – the store's contract (store.h, writer.h), tested once for every engine.
 *
 * A test program includes this file after cmocka.h, then defines the four hooks below for
 * its engine and lists CONF_TESTS in its main(). Each case gets a fresh, empty store
 * location from conf_fresh() and opens it by URI through store_open(), so the cases see
 * nothing but store_t.
 */
#ifndef SP_STORE_CONFORMANCE_H
#define SP_STORE_CONFORMANCE_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/writer.h"

typedef struct {
    char uri[1024];  /* what store_open() takes */
    char name[256];  /* the hooks' own note of what they made (a directory, a schema) */
} conf_fx_t;

/* ---- hooks each test program defines -------------------------------------------------- */

/* The engine name store_open() must pick for the URIs of conf_fresh(). */
static const char *conf_engine(void);
/* Makes a new, empty store location and writes its URI into fx->uri. */
static void conf_fresh(conf_fx_t *fx);
/* Removes what conf_fresh() made. */
static void conf_cleanup(conf_fx_t *fx);
/* Reads the schema version of the store at fx (set >= 0: first sets it). */
static int conf_schema_version(conf_fx_t *fx, int set);

/* ---- helpers ---------------------------------------------------------------------- */

static int conf_setup(void **state)
{
    conf_fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    conf_fresh(fx);
    *state = fx;
    return 0;
}

static int conf_teardown(void **state)
{
    conf_fx_t *fx = *state;
    conf_cleanup(fx);
    free(fx);
    return 0;
}

static store_t *conf_open(const char *uri)
{
    char err[512];
    store_t *s = NULL;
    int rc = store_open(uri, &s, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "store_open(%s): %d %s\n", uri, rc, err);
    assert_int_equal(rc, 0);
    assert_non_null(s);
    assert_string_equal(s->engine->name, conf_engine());
    return s;
}

static store_rec_t conf_rec(int64_t seq, const char *body)
{
    store_rec_t r = {
        .seq = seq,
        .ts = 1700000000000 + seq,
        .type = "note.added",
        .aud_kind = (int)(seq % 3),
        .aud_id = seq % 2 ? "t3" : "",
        .actor = "m4",
        .cmd_id = seq % 5 ? "c1" : "",
        .body = body,
        .body_len = strlen(body),
    };
    return r;
}

/* Bodies name their log and seq, so a record read from the wrong log or place shows. */
static void conf_body(char *buf, size_t len, const char *log, int64_t seq)
{
    snprintf(buf, len, "{\"log\":\"%s\",\"i\":%lld,\"tekst\":\"idee ë \\\" \\\\ 🙂\"}", log,
             (long long)seq);
}

/* Appends seqs from..to to log as one batch. */
static int conf_append(store_t *s, const char *log, int64_t from, int64_t to)
{
    size_t n = (size_t)(to - from + 1);
    store_rec_t *recs = calloc(n, sizeof *recs);
    char(*bodies)[96] = calloc(n, sizeof *bodies);
    assert_non_null(recs);
    assert_non_null(bodies);
    for (size_t i = 0; i < n; i++) {
        conf_body(bodies[i], sizeof bodies[i], log, from + (int64_t)i);
        recs[i] = conf_rec(from + (int64_t)i, bodies[i]);
    }
    int rc = store_append(s, log, recs, n);
    free(recs);
    free(bodies);
    return rc;
}

/* Checks every record read against conf_rec()/conf_body() and that seqs run on by one. */
typedef struct {
    const char *log;
    int64_t next;      /* the seq expected next */
    size_t count;
    size_t stop_after; /* 0: never stop */
    int bad;           /* records that did not match */
    store_t *s;        /* when set, the callback also calls store_head() on it */
    int64_t head_seen;
} conf_check_t;

static int conf_check_cb(void *ud, const store_rec_t *r)
{
    conf_check_t *c = ud;
    char body[96];
    conf_body(body, sizeof body, c->log, r->seq);
    store_rec_t want = conf_rec(r->seq, body);
    if (r->seq != c->next || r->ts != want.ts || strcmp(r->type, want.type) != 0 ||
        r->aud_kind != want.aud_kind || strcmp(r->aud_id, want.aud_id) != 0 ||
        strcmp(r->actor, want.actor) != 0 || strcmp(r->cmd_id, want.cmd_id) != 0 ||
        r->body_len != want.body_len || memcmp(r->body, want.body, want.body_len) != 0)
        c->bad++;
    c->next = r->seq + 1;
    c->count++;
    if (c->s != NULL && store_head(c->s, c->log, &c->head_seen) != 0)
        c->bad++;
    return c->stop_after && c->count >= c->stop_after;
}

static conf_check_t conf_read(store_t *s, const char *log, int64_t after)
{
    conf_check_t c = {.log = log, .next = after < 0 ? 1 : after + 1};
    assert_int_equal(store_read(s, log, after, conf_check_cb, &c), 0);
    assert_int_equal(c.bad, 0);
    return c;
}

static int64_t conf_head(store_t *s, const char *log)
{
    int64_t h = -1;
    assert_int_equal(store_head(s, log, &h), 0);
    return h;
}

static void conf_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double conf_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void conf_submit(writer_t *w, const char *log, int64_t from, int64_t to)
{
    char body[96];
    for (int64_t i = from; i <= to; i++) {
        conf_body(body, sizeof body, log, i);
        store_rec_t r = conf_rec(i, body);
        writer_submit(w, &r);
    }
}

/* ---- append, read, head ------------------------------------------------------------- */

static void conf_append_read_reopen(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 0);
    assert_int_equal(conf_read(s, "s1", 0).count, 0);

    assert_int_equal(conf_append(s, "s1", 1, 3), 0);
    assert_int_equal(conf_head(s, "s1"), 3);
    conf_check_t c = conf_read(s, "s1", 0);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.next, 4);
    assert_int_equal(conf_read(s, "s1", 2).count, 1);
    assert_int_equal(conf_read(s, "s1", 3).count, 0);

    /* A single record whose body is a C string (body_len 0). */
    char body[96];
    conf_body(body, sizeof body, "s1", 4);
    store_rec_t r = conf_rec(4, body);
    r.body_len = 0;
    assert_int_equal(store_append(s, "s1", &r, 1), 0);
    store_close(s);

    /* Everything is still there after closing. */
    s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 4);
    assert_int_equal(conf_read(s, "s1", 0).count, 4);
    assert_int_equal(conf_append(s, "s1", 5, 9), 0);
    assert_int_equal(conf_read(s, "s1", 0).count, 9);
    /* An empty batch writes nothing and succeeds. */
    assert_int_equal(store_append(s, "s1", NULL, 0), 0);
    assert_int_equal(conf_head(s, "s1"), 9);
    store_close(s);
}

static void conf_conflict_writes_nothing(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    /* An empty log must start at 1. */
    assert_int_equal(conf_append(s, "s1", 2, 3), STORE_ECONFLICT);
    assert_int_equal(conf_head(s, "s1"), 0);
    assert_int_equal(conf_append(s, "s1", 1, 2), 0);
    /* Taken seqs and a gap after the head: refused, nothing of the batch written. */
    assert_int_equal(conf_append(s, "s1", 2, 5), STORE_ECONFLICT);
    assert_int_equal(conf_append(s, "s1", 1, 1), STORE_ECONFLICT);
    assert_int_equal(conf_append(s, "s1", 4, 6), STORE_ECONFLICT);
    assert_int_equal(conf_head(s, "s1"), 2);
    assert_int_equal(conf_read(s, "s1", 0).count, 2);
    /* The store is still usable after the refusals. */
    assert_int_equal(conf_append(s, "s1", 3, 3), 0);
    assert_int_equal(conf_read(s, "s1", 0).count, 3);
    store_close(s);
}

static void conf_bad_arguments(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 1), 0);
    /* A gap inside a batch, a seq below 1, an empty or missing log id. */
    store_rec_t recs[2] = {conf_rec(2, "{}"), conf_rec(4, "{}")};
    assert_int_equal(store_append(s, "s1", recs, 2), STORE_EINVAL);
    store_rec_t zero = conf_rec(0, "{}");
    assert_int_equal(store_append(s, "s1", &zero, 1), STORE_EINVAL);
    assert_int_equal(store_append(s, "", recs, 1), STORE_EINVAL);
    assert_int_equal(store_append(s, NULL, recs, 1), STORE_EINVAL);
    assert_int_equal(store_append(s, "s1", NULL, 1), STORE_EINVAL);
    conf_check_t c = {.log = "s1", .next = 1};
    assert_int_equal(store_read(s, "", 0, conf_check_cb, &c), STORE_EINVAL);
    assert_int_equal(store_read(s, "s1", 0, NULL, NULL), STORE_EINVAL);
    int64_t h = 7;
    assert_int_equal(store_head(s, "", &h), STORE_EINVAL);
    assert_int_equal(store_logs(s, NULL, NULL), STORE_EINVAL);
    assert_int_equal(store_append(NULL, "s1", recs, 1), STORE_EINVAL);
    /* Nothing of that was written; the next append works. */
    assert_int_equal(conf_head(s, "s1"), 1);
    assert_int_equal(conf_append(s, "s1", 2, 2), 0);
    assert_int_equal(conf_read(s, "s1", 0).count, 2);
    store_close(s);
}

typedef struct {
    char names[8][16];
    int n;
} conf_logs_t;

static void conf_logs_cb(void *ud, const char *log)
{
    conf_logs_t *l = ud;
    if (l->n < 8)
        snprintf(l->names[l->n], sizeof l->names[0], "%s", log);
    l->n++;
}

static void conf_logs_side_by_side(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    conf_logs_t l = {0};
    assert_int_equal(store_logs(s, conf_logs_cb, &l), 0);
    assert_int_equal(l.n, 0);

    assert_int_equal(conf_append(s, "b", 1, 5), 0);
    assert_int_equal(conf_append(s, "a", 1, 2), 0);
    assert_int_equal(conf_append(s, "b", 6, 7), 0);
    assert_int_equal(conf_append(s, "a", 3, 3), 0);
    assert_int_equal(conf_append(s, "B", 1, 1), 0);
    /* Each log has its own seqs: "a" at 3 does not conflict with "b" at 7. */
    assert_int_equal(conf_append(s, "a", 8, 8), STORE_ECONFLICT);
    assert_int_equal(conf_head(s, "a"), 3);
    assert_int_equal(conf_head(s, "b"), 7);
    assert_int_equal(conf_head(s, "B"), 1);
    assert_int_equal(conf_head(s, "c"), 0);
    assert_int_equal(conf_read(s, "a", 0).count, 3);
    assert_int_equal(conf_read(s, "b", 0).count, 7);
    assert_int_equal(conf_read(s, "b", 5).count, 2);
    assert_int_equal(conf_read(s, "c", 0).count, 0);

    /* Listed in byte order, whatever the database's locale. */
    assert_int_equal(store_logs(s, conf_logs_cb, &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.names[0], "B");
    assert_string_equal(l.names[1], "a");
    assert_string_equal(l.names[2], "b");
    store_close(s);
}

static void conf_read_stops(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 10), 0);
    conf_check_t c = {.log = "s1", .next = 1, .stop_after = 3};
    assert_int_equal(store_read(s, "s1", 0, conf_check_cb, &c), STORE_ESTOP);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.bad, 0);
    /* The store is ready for the next read and append. */
    assert_int_equal(conf_read(s, "s1", 0).count, 10);
    assert_int_equal(conf_append(s, "s1", 11, 11), 0);
    assert_int_equal(conf_head(s, "s1"), 11);
    store_close(s);
}

/* Reading from every interesting place of a log of 1,000, including the boundaries of
 * the pages an engine may read in; the callback also asks for the head (allowed). */
static void conf_read_from_seq(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 1000), 0);
    const int64_t from[] = {-5, 0, 1, 127, 128, 255, 256, 257, 511, 512, 513, 998, 999, 1000,
                            1001, 5000};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        int64_t after = from[i] < 0 ? 0 : from[i];
        int64_t want = after >= 1000 ? 0 : 1000 - after;
        conf_check_t c = conf_read(s, "s1", from[i]);
        assert_int_equal(c.count, (size_t)want);
        if (want > 0)
            assert_int_equal(c.next, 1001);
    }
    conf_check_t c = {.log = "s1", .next = 1, .s = s};
    assert_int_equal(store_read(s, "s1", 0, conf_check_cb, &c), 0);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.count, 1000);
    assert_int_equal(c.head_seen, 1000);
    /* Stopping in the middle of a later page. */
    c = (conf_check_t){.log = "s1", .next = 301, .stop_after = 600};
    assert_int_equal(store_read(s, "s1", 300, conf_check_cb, &c), STORE_ESTOP);
    assert_int_equal(c.count, 600);
    assert_int_equal(c.next, 901);
    assert_int_equal(c.bad, 0);
    store_close(s);
}

typedef struct {
    size_t n;
    int bad;
    const char *big;
    size_t big_len;
} conf_bodies_t;

static int conf_bodies_cb(void *ud, const store_rec_t *r)
{
    conf_bodies_t *b = ud;
    if (r->seq == 1 && (r->body_len != b->big_len || memcmp(r->body, b->big, b->big_len) != 0))
        b->bad++;
    if (r->seq == 2 && (r->body_len != 7 || memcmp(r->body, "{\"a\":1}", 7) != 0))
        b->bad++;
    /* Bodies read back are NUL-terminated, whatever the engine. */
    if (r->body[r->body_len] != '\0')
        b->bad++;
    b->n++;
    return 0;
}

/* Batches of awkward sizes, a large body, and a body given by length only. */
static void conf_large_batch(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    /* 5,000 in one batch, then 257 and 511 (just over and under powers of two). */
    assert_int_equal(conf_append(s, "s1", 1, 5000), 0);
    assert_int_equal(conf_append(s, "s1", 5001, 5257), 0);
    assert_int_equal(conf_append(s, "s1", 5258, 5768), 0);
    assert_int_equal(conf_head(s, "s1"), 5768);
    conf_check_t c = conf_read(s, "s1", 0);
    assert_int_equal(c.count, 5768);
    assert_int_equal(c.next, 5769);

    /* A 1 MiB body, and a body that is a slice of a longer string (no NUL after it). */
    size_t big_len = 1u << 20;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('a' + (int)(i % 26));
    big[0] = '"';
    big[big_len - 1] = '"';
    big[big_len] = '\0';
    static const char text[] = "{\"a\":1}{\"b\":2}";
    store_rec_t recs[2] = {conf_rec(1, big), conf_rec(2, text)};
    recs[1].body_len = 7;
    assert_int_equal(store_append(s, "big", recs, 2), 0);
    store_close(s);

    s = conf_open(fx->uri);
    conf_bodies_t b = {.big = big, .big_len = big_len};
    assert_int_equal(store_read(s, "big", 0, conf_bodies_cb, &b), 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.bad, 0);
    store_close(s);
    free(big);
}

/* A database made by a newer staatsprint is refused before anything is written. */
static void conf_newer_schema_refused(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 2), 0);
    store_close(s);
    assert_int_equal(conf_schema_version(fx, -1), STORE_SCHEMA_VERSION);
    conf_schema_version(fx, STORE_SCHEMA_VERSION + 1);

    char err[512] = "";
    s = (store_t *)&err; /* must be reset to NULL */
    assert_int_equal(store_open(fx->uri, &s, err, sizeof err), STORE_ENEWER);
    assert_null(s);
    assert_non_null(strstr(err, "newer staatsprint"));
    assert_int_equal(conf_schema_version(fx, -1), STORE_SCHEMA_VERSION + 1);

    conf_schema_version(fx, STORE_SCHEMA_VERSION);
    s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 2);
    assert_int_equal(conf_read(s, "s1", 0).count, 2);
    store_close(s);
}

/* ---- several connections -------------------------------------------------------------- */

typedef struct {
    const char *uri;
    _Atomic int *ready; /* racers that have opened their store */
    _Atomic int *go;
    int rc;
    char err[512];
    int ok, conflicts, other; /* append results */
    int64_t target;
} conf_racer_t;

/* Each racer reads the head and appends the next 3 records, until the log reaches
 * target: two writers on two connections, as two server nodes on one database. */
static void *conf_race_thread(void *arg)
{
    conf_racer_t *r = arg;
    store_t *s = NULL;
    r->rc = store_open(r->uri, &s, r->err, sizeof r->err);
    atomic_fetch_add(r->ready, 1);
    if (r->rc != 0)
        return NULL;
    while (!atomic_load(r->go))
        sched_yield();
    for (;;) {
        int64_t h = 0;
        if (store_head(s, "race", &h) != 0) {
            r->other++;
            break;
        }
        if (h >= r->target)
            break;
        int rc = conf_append(s, "race", h + 1, h + 3);
        if (rc == 0)
            r->ok++;
        else if (rc == STORE_ECONFLICT)
            r->conflicts++;
        else
            r->other++;
    }
    store_close(s);
    return NULL;
}

static void conf_two_writers(void **state)
{
    conf_fx_t *fx = *state;
    _Atomic int go = 0, ready = 0;
    conf_racer_t r[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        r[i] = (conf_racer_t){.uri = fx->uri, .ready = &ready, .go = &go, .target = 600};
        assert_int_equal(pthread_create(&t[i], NULL, conf_race_thread, &r[i]), 0);
    }
    while (atomic_load(&ready) < 2)
        conf_sleep_ms(1);
    atomic_store(&go, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        if (r[i].rc != 0)
            fprintf(stderr, "racer %d: %d %s\n", i, r[i].rc, r[i].err);
        assert_int_equal(r[i].rc, 0);
        assert_int_equal(r[i].other, 0);
    }
    print_message("two writers: %d + %d batches committed, %d + %d refused as conflicts\n",
                  r[0].ok, r[1].ok, r[0].conflicts, r[1].conflicts);
    /* Every committed batch is there exactly once, with no gap and nothing lost. */
    store_t *s = conf_open(fx->uri);
    int64_t head = conf_head(s, "race");
    assert_int_equal(head, 3 * (r[0].ok + r[1].ok));
    assert_true(head >= 600);
    conf_check_t c = conf_read(s, "race", 0);
    assert_int_equal(c.count, (size_t)head);
    store_close(s);
}

/* ---- the writer thread ------------------------------------------------------------------ */

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic int calls;
    _Atomic(const writer_t *) w;
} conf_waker_t;

static void conf_waker_cb(void *ud)
{
    conf_waker_t *k = ud;
    atomic_fetch_add(&k->calls, 1);
    pthread_mutex_lock(&k->mu);
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

/* Waits (woken by notify, as net is) until the writer has committed seq. */
static void conf_wait(conf_waker_t *k, int64_t seq)
{
    pthread_mutex_lock(&k->mu);
    while (writer_committed(atomic_load(&k->w)) < seq) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 30;
        assert_int_equal(pthread_cond_timedwait(&k->cv, &k->mu, &until), 0);
    }
    pthread_mutex_unlock(&k->mu);
}

static void conf_waker_init(conf_waker_t *k)
{
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    atomic_init(&k->calls, 0);
    atomic_init(&k->w, NULL);
}

static void conf_waker_destroy(conf_waker_t *k)
{
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
}

/* 10,000 records submitted at once: committed in order, in groups, all readable. */
static void conf_writer_10000(void **state)
{
    conf_fx_t *fx = *state;
    const int64_t n = 10000;
    conf_waker_t k;
    conf_waker_init(&k);
    writer_t *w = writer_start(conf_open(fx->uri), "s1", 0, conf_waker_cb, &k);
    assert_non_null(w);
    atomic_store(&k.w, w);
    assert_int_equal(writer_committed(w), 0);
    conf_submit(w, "s1", 1, n);
    conf_wait(&k, n);
    assert_int_equal(writer_committed(w), n);
    assert_int_equal(writer_pending(w), 0);
    int rc = -1;
    assert_int_equal(writer_failing(w, &rc), 0);
    assert_int_equal(rc, 0);
    writer_stats_t st;
    writer_get_stats(w, &st);
    assert_int_equal(st.records, (uint64_t)n);
    assert_true(st.commits >= 1);
    assert_true(st.commits < (uint64_t)n); /* groups were formed */
    assert_true(st.max_batch > 1);
    assert_int_equal(st.failures, 0);
    writer_stop(w);
    assert_true(atomic_load(&k.calls) >= (int)st.commits);
    conf_waker_destroy(&k);
    print_message("writer: %lld records in %llu commits, largest group %llu\n", (long long)n,
                  (unsigned long long)st.commits, (unsigned long long)st.max_batch);

    store_t *s = conf_open(fx->uri);
    conf_check_t c = conf_read(s, "s1", 0);
    assert_int_equal(c.count, (size_t)n);
    assert_int_equal(c.next, n + 1);
    /* Reading from a seq in the middle. */
    assert_int_equal(conf_read(s, "s1", 9000).count, 1000);
    store_close(s);
}

/* A writer started on an existing log continues from its head; stop drains the queue. */
static void conf_writer_resumes_and_drains(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 5), 0);
    writer_t *w = writer_start(s, "s1", 5, NULL, NULL);
    assert_non_null(w);
    assert_int_equal(writer_committed(w), 5);
    conf_submit(w, "s1", 6, 500);
    writer_stop(w); /* must commit all 495 before returning */

    s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "s1"), 500);
    assert_int_equal(conf_read(s, "s1", 0).count, 500);
    store_close(s);
}

/* A writer whose seqs were taken by another node stays failing with STORE_ECONFLICT and
 * never reports them committed. */
static void conf_writer_conflict_is_fatal(void **state)
{
    conf_fx_t *fx = *state;
    store_t *other = conf_open(fx->uri);
    writer_t *w = writer_start(conf_open(fx->uri), "s1", 0, NULL, NULL);
    assert_non_null(w);
    assert_int_equal(conf_append(other, "s1", 1, 3), 0);
    conf_submit(w, "s1", 1, 2);
    int rc = 0;
    for (int i = 0; i < 5000 && !writer_failing(w, &rc); i++)
        conf_sleep_ms(1);
    assert_int_not_equal(writer_failing(w, &rc), 0);
    assert_int_equal(rc, STORE_ECONFLICT);
    assert_int_equal(writer_committed(w), 0);
    writer_stop(w);
    assert_int_equal(conf_head(other, "s1"), 3);
    assert_int_equal(conf_read(other, "s1", 0).count, 3);
    store_close(other);
}

/* Submits n records in steps of group, waiting for each step when paced (a network thread
 * that produces records only as fast as they are acknowledged). Prints records/s; timing
 * is reported, not asserted. */
static void conf_throughput_run(const char *uri, const char *log, int64_t n, int64_t group,
                                int paced)
{
    store_t *s = conf_open(uri);
    int64_t head = conf_head(s, log);
    conf_waker_t k;
    conf_waker_init(&k);
    writer_t *w = writer_start(s, log, head, conf_waker_cb, &k);
    assert_non_null(w);
    atomic_store(&k.w, w);
    double t0 = conf_now();
    for (int64_t i = 1; i <= n; i += group) {
        int64_t last = i + group - 1 > n ? n : i + group - 1;
        conf_submit(w, log, head + i, head + last);
        if (paced)
            conf_wait(&k, head + last);
    }
    conf_wait(&k, head + n);
    double t1 = conf_now();
    writer_stats_t st;
    writer_get_stats(w, &st);
    writer_stop(w);
    conf_waker_destroy(&k);
    assert_int_equal(st.records, (uint64_t)n);
    print_message("%s writer throughput (%s, groups of %lld): %lld records in %.3f s = %.0f "
                  "records/s, %llu commits, largest %llu, %.3f ms per commit\n",
                  conf_engine(), paced ? "paced" : "burst", (long long)group, (long long)n,
                  t1 - t0, (double)n / (t1 - t0), (unsigned long long)st.commits,
                  (unsigned long long)st.max_batch, (t1 - t0) * 1000.0 / (double)st.commits);
}

static void conf_writer_throughput(void **state)
{
    conf_fx_t *fx = *state;
    /* 100k submitted as fast as possible: the writer takes whatever has queued up. */
    conf_throughput_run(fx->uri, "burst", 100000, 100000, 0);
    /* 100k in groups of 100, each waited for: one commit per 100 records. */
    conf_throughput_run(fx->uri, "g100", 100000, 100, 1);
    /* 500 one at a time, each waited for: the cost of one commit. */
    conf_throughput_run(fx->uri, "g1", 500, 1, 1);
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_head(s, "burst"), 100000);
    assert_int_equal(conf_head(s, "g100"), 100000);
    assert_int_equal(conf_head(s, "g1"), 500);
    store_close(s);
}

#define CONF_CASE(f) cmocka_unit_test_setup_teardown(f, conf_setup, conf_teardown)

/* The shared cases, for the test array of main(). */
#define CONF_TESTS                                                                          \
    CONF_CASE(conf_append_read_reopen), CONF_CASE(conf_conflict_writes_nothing),            \
        CONF_CASE(conf_bad_arguments), CONF_CASE(conf_logs_side_by_side),                   \
        CONF_CASE(conf_read_stops), CONF_CASE(conf_read_from_seq),                          \
        CONF_CASE(conf_large_batch), CONF_CASE(conf_newer_schema_refused),                  \
        CONF_CASE(conf_two_writers),                                                        \
        CONF_CASE(conf_writer_10000), CONF_CASE(conf_writer_resumes_and_drains),            \
        CONF_CASE(conf_writer_conflict_is_fatal), CONF_CASE(conf_writer_throughput)

#endif
