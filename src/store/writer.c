/* writer.c – the group-commit thread: takes the whole queue, appends it in one transaction.
 *
 * Design notes
 *  - Two buffers: submitters append to `q` under the mutex; the writer swaps `q` with
 *    `spare` and appends the taken batch without holding the mutex, so a slow fsync never
 *    blocks the network thread. While one group is being committed the next one fills up,
 *    which is what makes groups large exactly when the load is high.
 *  - Each queued record owns one heap block holding all its strings; the block starts
 *    with the type string, so `rec.type` is the pointer to free.
 *  - committed, pending, failing and the statistics are C11 atomics: readers on other
 *    threads never take the mutex.
 *
 * States of the thread:
 *   waiting --records queued--> committing --append ok--> (publish, notify) --> waiting
 *                                   |  ^
 *                     append failed v  | back-off elapsed (50 ms, doubling, at most 2 s)
 *                                 failing (notify once on entry; batch kept)
 *   After writer_stop(): the queue is drained as usual; the thread ends when it is empty.
 *
 * Gathering (commit delay). Under a steady stream of commands a group is usually one
 * record: the fsync of the last one is over before the next arrives. Each group then costs
 * an fsync, two thread wake-ups and a turn of the network loop – a fifth of the server's
 * CPU at 2,500 commands a second (docs/benchmarks.md). So when records arrive faster than
 * one per gather window (the rate of the recent groups says so), the thread waits until the
 * window since the group's first record has passed, or until GATHER_MAX records are queued,
 * before it commits. At lower rates (a real day: a command every few ms at most) it commits
 * at once, so gathering never delays a lone command.
 *   While the stream lasts the thread keeps a cadence instead: after a group's commit it
 * sleeps one window and then takes what has come, without being woken for the next group's
 * first record (the submitter does not signal it then; only a full group, a probe or stop
 * does). That is one thread wake-up per group instead of two, for the same wait. (A
 * window counted from when the group was taken, not from the end of its commit, gave
 * shorter waits but a third more groups and fsyncs: docs/benchmarks.md.) A window that
 * passes with nothing queued ends the cadence: the next record wakes the thread again.
 * A group whose oldest record has already waited two windows (it came during a slow
 * commit: a virtual disk's fsync now and then takes 5–15 ms) is taken as soon as that
 * commit ends, without the window's sleep: the sleep is there to gather, and a stall has
 * gathered enough. That takes a window off the tail of the latency.
 *   Only if appends still fail after WRITER_STOP_TRIES more attempts does it give up,
 *   which loses nothing acknowledged (nothing uncommitted was ever acknowledged).
 */
#include "store/writer.h"
#include "util/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

#define WRITER_BACKOFF_MIN_MS 50
#define WRITER_BACKOFF_MAX_MS 2000
#define WRITER_STOP_TRIES 3
#define WRITER_GATHER_US 1500     /* default window; writer_set_gather() */
#define WRITER_GATHER_MAX 64      /* a group this large goes at once */

struct writer {
    store_t *s;
    char *log;
    void (*notify)(void *ud);
    void *ud;
    pthread_t thread;

    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled on new records and on stop */
    store_rec_t *q;    /* under mu */
    size_t qlen, qcap; /* under mu */
    store_rec_t *spare; /* the writer thread's buffer; only it touches this */
    size_t spare_cap;
    int stop;    /* under mu */
    unsigned probe_req, probe_done; /* under mu: writer_probe() asks, the thread answers */
    int probe_rc;                   /* under mu */
    int64_t probe_head;             /* under mu */
    pthread_cond_t pcv;             /* signalled when a probe is answered */
    int abandon; /* writer thread only: gave up after stop */
    int64_t first_ns;  /* under mu: when the oldest queued record was submitted */
    int cadence;       /* under mu: a stream is on, the thread takes a group every window */
    int64_t next_ns;   /* under mu: with cadence, when the next group is taken */
    int gather_us;     /* under mu: the window, 0 = never wait */
    double rate;       /* writer thread only: records per second of the recent groups */
    int64_t last_take; /* writer thread only: when the last group was taken */

    _Atomic int64_t committed;
    _Atomic size_t pending;
    _Atomic int failing;
    _Atomic int last_rc;
    _Atomic uint64_t commits, records, failures, max_batch;
};

static const char *writer_nz(const char *s)
{
    return s ? s : "";
}

/* Copies rec into out; all strings go into one block that out->type points to. */
static void writer_copy(store_rec_t *out, const store_rec_t *rec)
{
    const char *body = writer_nz(rec->body);
    size_t body_len = rec->body_len ? rec->body_len : strlen(body);
    const char *src[4] = {writer_nz(rec->type), writer_nz(rec->aud_id), writer_nz(rec->actor),
                          writer_nz(rec->cmd_id)};
    size_t len[4];
    size_t total = body_len + 1;
    for (int i = 0; i < 4; i++) {
        len[i] = strlen(src[i]);
        total += len[i] + 1;
    }
    char *block = xmalloc(total);
    char *dst[4];
    char *p = block;
    for (int i = 0; i < 4; i++) {
        dst[i] = p;
        memcpy(p, src[i], len[i] + 1);
        p += len[i] + 1;
    }
    memcpy(p, body, body_len);
    p[body_len] = '\0';
    *out = *rec;
    out->type = dst[0];
    out->aud_id = dst[1];
    out->actor = dst[2];
    out->cmd_id = dst[3];
    out->body = p;
    out->body_len = body_len;
}

static void writer_free_batch(store_rec_t *batch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((char *)batch[i].type); /* the record's block, see writer_copy() */
}

static void writer_notify(writer_t *w)
{
    if (w->notify != NULL)
        w->notify(w->ud);
}

/* The monotonic time ms milliseconds from now (the clock of the condition variables). */
static void deadline_in(int ms, struct timespec *until)
{
    clock_gettime(CLOCK_MONOTONIC, until);
    until->tv_sec += ms / 1000;
    until->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until->tv_nsec >= 1000000000L) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000L;
    }
}

/* Waits ms milliseconds, or less when stop is requested meanwhile; returns the stop flag.
 * Once stopping, every wait is the shortest back-off, so a failing disk delays shutdown
 * by a fraction of a second, not by the full back-off. */
static int writer_sleep(writer_t *w, int ms)
{
    pthread_mutex_lock(&w->mu);
    int stopping = w->stop;
    if (stopping)
        ms = WRITER_BACKOFF_MIN_MS;
    struct timespec until;
    deadline_in(ms, &until);
    int rc = 0;
    /* New records also signal cv; they do not end the back-off. */
    while (rc != ETIMEDOUT && (stopping || !w->stop))
        rc = pthread_cond_timedwait(&w->cv, &w->mu, &until);
    stopping = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stopping;
}

/* Appends one batch, retrying until it succeeds (or, after stop, until it gives up). */
static void writer_commit(writer_t *w, const store_rec_t *batch, size_t n)
{
    int delay = WRITER_BACKOFF_MIN_MS;
    int tries_after_stop = 0;
    while (!w->abandon) {
        int rc = store_append(w->s, w->log, batch, n);
        if (rc == STORE_OK) {
            /* committed goes last: whoever sees it advance also sees the rest. */
            atomic_fetch_add(&w->commits, 1);
            atomic_fetch_add(&w->records, n);
            if (n > atomic_load(&w->max_batch))
                atomic_store(&w->max_batch, n);
            atomic_fetch_sub(&w->pending, n);
            atomic_store(&w->last_rc, STORE_OK);
            atomic_store(&w->failing, 0);
            atomic_store(&w->committed, batch[n - 1].seq);
            writer_notify(w);
            return;
        }
        atomic_fetch_add(&w->failures, 1);
        atomic_store(&w->last_rc, rc);
        if (atomic_exchange(&w->failing, 1) == 0)
            writer_notify(w);
        int stopping = writer_sleep(w, delay);
        if (stopping && ++tries_after_stop > WRITER_STOP_TRIES) {
            w->abandon = 1;
            break;
        }
        delay = delay * 2 > WRITER_BACKOFF_MAX_MS ? WRITER_BACKOFF_MAX_MS : delay * 2;
    }
    fprintf(stderr,
            "staatsprint: writer: stopping with %zu uncommitted records of log %s "
            "(never acknowledged): %s\n",
            n, w->log, store_strerror(atomic_load(&w->last_rc)));
    atomic_fetch_sub(&w->pending, n);
}

/* Called with mu held and records queued: waits (releasing mu) while gathering is worth it:
 * when the recent rate says another record comes within the window. A gap since the last
 * group caps that rate (no record for g seconds: at most 1/g a second), so the first
 * command after a pause is never held back. */
static void writer_gather(writer_t *w)
{
    double rate = w->rate, gap = (double)(w->first_ns - w->last_take) / 1e9;
    if (gap > 0 && rate > 1.0 / gap)
        rate = 1.0 / gap;
    if (w->gather_us <= 0 || rate * w->gather_us < 1e6)
        return;
    int64_t until_ns = w->first_ns + (int64_t)w->gather_us * 1000;
    struct timespec until = {.tv_sec = until_ns / 1000000000, .tv_nsec = until_ns % 1000000000};
    while (!w->stop && w->qlen > 0 && w->qlen < WRITER_GATHER_MAX &&
           pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
        ;
}

/* The arrival rate, from the group just taken (n records since the last one was taken). */
static void writer_rate(writer_t *w, size_t n)
{
    int64_t now = clock_mono_ns();
    double dt = (double)(now - w->last_take) / 1e9;
    w->last_take = now;
    double r = dt > 0 ? (double)n / dt : 0;
    /* Smoothed: two commands that happen to come together on a quiet day are no stream. */
    w->rate = 0.75 * w->rate + 0.25 * r;
}

/* Called with mu held: waits until there is a group to take, a probe to answer or a stop.
 * With a cadence the thread sleeps until its deadline (or a full group); a deadline that
 * finds nothing queued ends the cadence. */
static void writer_wait(writer_t *w)
{
    while (!w->stop && w->probe_req == w->probe_done) {
        if (!w->cadence) {
            if (w->qlen > 0)
                return;
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        if (w->qlen >= WRITER_GATHER_MAX)
            return;
        /* Records that came during a slow commit (an fsync of several ms) have waited
         * two windows already: they go at once, not one more window later. */
        int64_t due = w->next_ns, budget = 2 * (int64_t)w->gather_us * 1000;
        if (w->qlen > 0 && w->first_ns + budget < due)
            due = w->first_ns + budget;
        if (clock_mono_ns() >= due) {
            if (w->qlen > 0)
                return;
            w->cadence = 0;   /* a quiet window: the stream is over */
            continue;
        }
        struct timespec until = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
    }
}

static void *writer_main(void *arg)
{
    writer_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        writer_wait(w);
        if (w->qlen == 0 && w->probe_req != w->probe_done) {
            /* Idle and asked: prove the connection with a round trip of its own. */
            unsigned req = w->probe_req;
            pthread_mutex_unlock(&w->mu);
            int64_t head = 0;
            int rc = store_head(w->s, w->log, &head);
            pthread_mutex_lock(&w->mu);
            w->probe_done = req;
            w->probe_rc = rc;
            w->probe_head = head;
            pthread_cond_broadcast(&w->pcv);
            continue;
        }
        if (w->qlen == 0) {
            if (w->stop)
                break; /* stopped and drained */
            continue;
        }
        if (!w->cadence)
            writer_gather(w);
        store_rec_t *batch = w->q;
        size_t n = w->qlen, cap = w->qcap;
        w->q = w->spare;
        w->qcap = w->spare_cap;
        w->qlen = 0;
        pthread_mutex_unlock(&w->mu);
        writer_rate(w, n);   /* also notes when the group was taken (last_take) */

        writer_commit(w, batch, n);
        writer_free_batch(batch, n);
        w->spare = batch;
        w->spare_cap = cap;

        pthread_mutex_lock(&w->mu);
        /* Still a stream (the same test as writer_gather's): keep the cadence, the next
         * group one window after this commit. */
        w->cadence = !w->stop && w->gather_us > 0 && w->rate * w->gather_us >= 1e6;
        w->next_ns = clock_mono_ns() + (int64_t)w->gather_us * 1000;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

writer_t *writer_start(store_t *s, const char *log, int64_t head, void (*notify)(void *ud),
                       void *ud)
{
    if (s == NULL || log == NULL || log[0] == '\0')
        return NULL;
    writer_t *w = xcalloc(1, sizeof *w);
    w->s = s;
    w->log = xstrdup(log);
    w->notify = notify;
    w->ud = ud;
    w->gather_us = WRITER_GATHER_US;
    w->last_take = clock_mono_ns();
    atomic_init(&w->committed, head);
    atomic_init(&w->pending, 0);
    atomic_init(&w->failing, 0);
    atomic_init(&w->last_rc, STORE_OK);
    atomic_init(&w->commits, 0);
    atomic_init(&w->records, 0);
    atomic_init(&w->failures, 0);
    atomic_init(&w->max_batch, 0);

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    /* Back-off deadlines must not jump with the wall clock. */
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int ok = pthread_mutex_init(&w->mu, NULL) == 0;
    if (ok && pthread_cond_init(&w->cv, &ca) != 0) {
        pthread_mutex_destroy(&w->mu);
        ok = 0;
    }
    if (ok && pthread_cond_init(&w->pcv, &ca) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        ok = 0;
    }
    pthread_condattr_destroy(&ca);
    if (ok && pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->pcv);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        ok = 0;
    }
    if (!ok) {
        free(w->log);
        free(w);
        return NULL;
    }
    return w;
}

void writer_submit(writer_t *w, const store_rec_t *rec)
{
    store_rec_t copy;
    writer_copy(&copy, rec); /* outside the lock: the writer thread never waits on malloc */
    pthread_mutex_lock(&w->mu);
    if (w->qlen == w->qcap) {
        size_t cap = w->qcap ? w->qcap * 2 : 256;
        w->q = xrealloc(w->q, cap * sizeof *w->q);
        w->qcap = cap;
    }
    w->q[w->qlen++] = copy;
    atomic_fetch_add(&w->pending, 1);
    if (w->qlen == 1)
        w->first_ns = clock_mono_ns();
    if ((w->qlen == 1 && !w->cadence) || w->qlen == WRITER_GATHER_MAX)
        pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void writer_set_gather(writer_t *w, int us)
{
    pthread_mutex_lock(&w->mu);
    w->gather_us = us < 0 ? 0 : us;
    pthread_mutex_unlock(&w->mu);
}

int64_t writer_committed(const writer_t *w)
{
    return atomic_load(&w->committed);
}

size_t writer_pending(const writer_t *w)
{
    return atomic_load(&w->pending);
}

int writer_failing(const writer_t *w, int *rc)
{
    if (rc != NULL)
        *rc = atomic_load(&w->last_rc);
    return atomic_load(&w->failing);
}

int writer_probe(writer_t *w, int64_t *head, int timeout_ms)
{
    struct timespec until;
    deadline_in(timeout_ms, &until);
    pthread_mutex_lock(&w->mu);
    unsigned mine = ++w->probe_req;
    pthread_cond_signal(&w->cv);
    int rc = 0;
    while (rc != ETIMEDOUT && (int)(w->probe_done - mine) < 0 && !w->stop)
        rc = pthread_cond_timedwait(&w->pcv, &w->mu, &until);
    int answered = (int)(w->probe_done - mine) >= 0;
    int out = answered ? w->probe_rc : STORE_EIO;
    if (answered && head != NULL)
        *head = w->probe_head;
    pthread_mutex_unlock(&w->mu);
    return out;
}

void writer_get_stats(const writer_t *w, writer_stats_t *out)
{
    out->commits = atomic_load(&w->commits);
    out->records = atomic_load(&w->records);
    out->failures = atomic_load(&w->failures);
    out->max_batch = atomic_load(&w->max_batch);
}

void writer_stop(writer_t *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    store_close(w->s);
    free(w->q);
    free(w->spare);
    pthread_cond_destroy(&w->pcv);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->log);
    free(w);
}
