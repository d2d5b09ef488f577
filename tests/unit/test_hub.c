/* test_hub.c – fan-out: channels, merged order, resume, wake-ups, backlog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/hub.h"

#include "util/xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int wakes[8];

static void wake(void *ud)
{
    wakes[(intptr_t)ud]++;
}

static void publish(hub_t *h, int64_t seq, int chan)
{
    char f[32];
    int n = snprintf(f, sizeof f, "frame-%lld", (long long)seq);
    hub_publish(h, seq, chan, f, (size_t)n);
}

/* Drains s, writing the seqs it receives to out; returns how many. */
static size_t drain(hub_t *h, hub_sub_t *s, int64_t *out, size_t max)
{
    unsigned char *buf;
    size_t len, n = 0;
    int64_t seq;
    while (hub_sub_peek(h, s, &buf, &len, &seq)) {
        char expect[32];
        snprintf(expect, sizeof expect, "frame-%lld", (long long)seq);
        assert_int_equal(len, strlen(expect));
        assert_memory_equal(buf, expect, len);
        if (n < max)
            out[n] = seq;
        n++;
        hub_sub_pop(h, s);
    }
    return n;
}

static void test_merge_and_filter(void **state)
{
    (void)state;
    hub_t *h = hub_new(16, wake);
    int all = hub_chan(h, 1, ""), t1 = hub_chan(h, 3, "t1"), t2 = hub_chan(h, 3, "t2");
    assert_int_equal(hub_chan(h, 3, "t1"), t1);   /* same audience, same channel */
    hub_sub_t *a = hub_sub_new(h, (void *)(intptr_t)1);
    hub_sub_t *b = hub_sub_new(h, (void *)(intptr_t)2);
    int ca[] = {all, t1}, cb[] = {all, t2};
    hub_sub_set(h, a, ca, 2, 0);
    hub_sub_set(h, b, cb, 2, 0);
    publish(h, 1, all);
    publish(h, 2, t1);
    publish(h, 3, t2);
    publish(h, 5, t1);    /* seq 4 was for nobody (a server-only event) */
    hub_set_head(h, 6);
    publish(h, 7, all);
    int64_t got[16];
    assert_int_equal(drain(h, a, got, 16), 4);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 5);
    assert_int_equal(got[3], 7);
    assert_int_equal(drain(h, b, got, 16), 3);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 3);
    assert_int_equal(got[2], 7);
    assert_int_equal(hub_head(h), 7);
    hub_sub_free(h, a);
    hub_sub_free(h, b);
    hub_free(h);
}

static void test_resume_after(void **state)
{
    (void)state;
    hub_t *h = hub_new(0, wake);
    int all = hub_chan(h, 1, ""), t1 = hub_chan(h, 3, "t1");
    for (int64_t s = 1; s <= 100; s++)
        publish(h, s, s % 3 ? all : t1);
    hub_sub_t *a = hub_sub_new(h, (void *)(intptr_t)0);
    int ch[] = {all, t1};
    hub_sub_set(h, a, ch, 2, 60);
    int64_t got[64];
    size_t n = drain(h, a, got, 64);
    assert_int_equal(n, 40);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], 61 + (int64_t)i);
    /* Only its own channel: every third. */
    hub_sub_set(h, a, &t1, 1, 0);
    n = drain(h, a, got, 64);
    assert_int_equal(n, 33);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i] % 3, 0);
    hub_sub_free(h, a);
    hub_free(h);
}

static void test_wake_once_until_drained(void **state)
{
    (void)state;
    memset(wakes, 0, sizeof wakes);
    hub_t *h = hub_new(0, wake);
    int t1 = hub_chan(h, 3, "t1"), t2 = hub_chan(h, 3, "t2");
    hub_sub_t *a = hub_sub_new(h, (void *)(intptr_t)3);
    hub_sub_t *b = hub_sub_new(h, (void *)(intptr_t)4);
    hub_sub_set(h, a, &t1, 1, 0);
    hub_sub_set(h, b, &t2, 1, 0);
    publish(h, 1, t1);
    publish(h, 2, t1);
    publish(h, 3, t1);
    assert_int_equal(wakes[3], 1);   /* one wake-up for a burst */
    assert_int_equal(wakes[4], 0);   /* nothing for another team */
    assert_int_equal(hub_sub_backlog(h, a), 3);
    int64_t got[8];
    assert_int_equal(drain(h, a, got, 8), 3);
    assert_int_equal(hub_sub_backlog(h, a), 0);
    publish(h, 4, t1);
    assert_int_equal(wakes[3], 2);   /* drained, so woken again */
    hub_sub_free(h, a);
    /* A freed subscriber is no longer woken; the other still is. */
    publish(h, 5, t1);
    publish(h, 6, t2);
    assert_int_equal(wakes[3], 2);
    assert_int_equal(wakes[4], 1);
    size_t frames, bytes;
    hub_stats(h, &frames, &bytes);
    assert_int_equal(frames, 6);
    assert_int_equal(bytes, 6 * strlen("frame-1"));
    hub_sub_free(h, b);
    hub_free(h);
}

static void test_many_subscribers_unlink(void **state)
{
    (void)state;
    hub_t *h = hub_new(0, wake);
    int all = hub_chan(h, 1, "");
    hub_sub_t *subs[1000];
    for (int i = 0; i < 1000; i++) {
        subs[i] = hub_sub_new(h, (void *)(intptr_t)5);
        hub_sub_set(h, subs[i], &all, 1, 0);
    }
    /* Free every other one, in an order that exercises head, middle and tail. */
    for (int i = 0; i < 1000; i += 2)
        hub_sub_free(h, subs[i]);
    memset(wakes, 0, sizeof wakes);
    publish(h, 1, all);
    assert_int_equal(wakes[5], 500);
    for (int i = 1; i < 1000; i += 2)
        hub_sub_free(h, subs[i]);
    hub_free(h);
}

/* The first HUB_SUB_INLINE links live in the subscriber, the rest in an array of their
 * own: merging, waking, backlog and resubscribing work the same across both, for a
 * subscriber embedded in another struct too (as in a connection). */
static void test_inline_and_overflow_links(void **state)
{
    (void)state;
    memset(wakes, 0, sizeof wakes);
    hub_t *h = hub_new(8, wake);
    int ch[6];
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        ch[i] = hub_chan(h, 3, id);
    }
    struct {
        int before;
        hub_sub_t sub;   /* embedded, as in conn_t */
        int after;
    } owner = {1, {0}, 2};
    hub_sub_init(h, &owner.sub, (void *)(intptr_t)6);
    assert_true(HUB_SUB_INLINE < 5);
    /* 1, HUB_SUB_INLINE, one more and all six channels: inline only, then overflow. */
    const size_t counts[] = {1, HUB_SUB_INLINE, HUB_SUB_INLINE + 1, 6};
    int64_t seq = 0;
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        size_t n = counts[k];
        hub_sub_set(h, &owner.sub, ch, n, seq);
        assert_int_equal(owner.sub.nlinks, n);
        assert_true(n > HUB_SUB_INLINE ? owner.sub.more != NULL : owner.sub.more == NULL);
        /* One frame on each of the six channels, last channel first: the subscriber gets
         * those of its n channels, in seq order. */
        int before = wakes[6];
        for (int i = 5; i >= 0; i--)
            publish(h, ++seq, ch[i]);
        assert_int_equal(wakes[6], before + 1);   /* once, whichever link it came by */
        assert_int_equal(hub_sub_backlog(h, &owner.sub), n);
        int64_t got[8];
        assert_int_equal(drain(h, &owner.sub, got, 8), n);
        for (size_t i = 0; i < n; i++)   /* channel j got seq - j, so ascending order */
            assert_int_equal(got[i], seq - (int64_t)(n - 1) + (int64_t)i);
        assert_int_equal(hub_sub_backlog(h, &owner.sub), 0);
    }
    /* Back from six to one: the overflow links are gone from their channels. */
    hub_sub_set(h, &owner.sub, &ch[5], 1, seq);
    assert_null(owner.sub.more);
    int before = wakes[6];
    publish(h, ++seq, ch[0]);
    publish(h, ++seq, ch[4]);
    assert_int_equal(wakes[6], before);
    assert_int_equal(hub_sub_backlog(h, &owner.sub), 0);
    publish(h, ++seq, ch[5]);
    assert_int_equal(wakes[6], before + 1);
    /* A second subscriber on the same channels, through overflow links, is unlinked
     * without disturbing the first. */
    hub_sub_t *b = hub_sub_new(h, (void *)(intptr_t)7);
    hub_sub_set(h, b, ch, 6, seq);
    hub_sub_set(h, &owner.sub, ch, 6, seq);
    hub_sub_free(h, b);
    publish(h, ++seq, ch[5]);
    assert_int_equal(hub_sub_backlog(h, &owner.sub), 1);
    assert_int_equal(wakes[7], 0);
    hub_sub_fini(h, &owner.sub);
    assert_int_equal(owner.sub.nlinks, 0);
    assert_null(owner.sub.more);
    assert_int_equal(owner.before, 1);
    assert_int_equal(owner.after, 2);
    publish(h, ++seq, ch[5]);   /* nobody left to wake */
    hub_free(h);
}

/* Rewrites frame-2 (only) into a longer text; NULL leaves a frame as it is. */
static char *rewrite_two(void *ud, const char *frame, size_t len, size_t *newlen)
{
    (*(int *)ud)++;
    if (len != 7 || memcmp(frame, "frame-2", 7) != 0)
        return NULL;
    char *s = malloc(32);
    *newlen = (size_t)snprintf(s, 32, "frame-2-redacted");
    return s;
}

/* Frames kept for replay can be rewritten (AVG): a later reader gets the new text. */
static void test_rewrite(void **state)
{
    (void)state;
    hub_t *h = hub_new(16, wake);
    int all = hub_chan(h, 1, "");
    for (int64_t i = 1; i <= 3; i++)
        publish(h, i, all);
    int seen = 0;
    hub_rewrite(h, rewrite_two, &seen);
    assert_int_equal(seen, 3);
    hub_sub_t *a = hub_sub_new(h, (void *)(intptr_t)1);
    hub_sub_set(h, a, &all, 1, 0);
    unsigned char *buf;
    size_t len;
    int64_t seq;
    assert_true(hub_sub_peek(h, a, &buf, &len, &seq));
    hub_sub_pop(h, a);
    assert_true(hub_sub_peek(h, a, &buf, &len, &seq));
    assert_int_equal(seq, 2);
    assert_int_equal(len, strlen("frame-2-redacted"));
    assert_memory_equal(buf, "frame-2-redacted", len);
    size_t frames, bytes;
    hub_stats(h, &frames, &bytes);
    assert_int_equal(frames, 3);
    assert_int_equal(bytes, 7 + 16 + 7);
    hub_sub_free(h, a);
    hub_free(h);
}

/* Growth that does not fit in size_t aborts; it never wraps to a small buffer. */
static void test_growth_never_wraps(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fclose(stderr);   /* the out-of-memory message is expected */
        void *arr = NULL;
        size_t cap = 0;
        xgrow(&arr, &cap, SIZE_MAX / 8, 16);
        _exit(0);   /* wrapped: came back with a buffer far too small */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_and_filter),
        cmocka_unit_test(test_resume_after),
        cmocka_unit_test(test_wake_once_until_drained),
        cmocka_unit_test(test_many_subscribers_unlink),
        cmocka_unit_test(test_inline_and_overflow_links),
        cmocka_unit_test(test_rewrite),
        cmocka_unit_test(test_growth_never_wraps),
    };
    return cmocka_run_group_tests_name("hub", tests, NULL, NULL);
}
