/* test_lathist.c – the latency histogram: its buckets, its error bound, and quantiles
 * against the exact ones of a sorted list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/lathist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Buckets follow each other without a gap: the upper end of one is just below the
 * lowest value of the next, and every value lands in the bucket whose range holds it. */
static void buckets_tile_the_line(void **state)
{
    (void)state;
    for (int i = 0; i < LATHIST_N - 1; i++) {
        int64_t hi = lathist_upper(i);
        assert_true(hi < lathist_upper(i + 1));
        assert_int_equal(lathist_bucket(hi), i);
        assert_int_equal(lathist_bucket(hi + 1), i + 1);
    }
    for (int64_t v = 0; v < LATHIST_EXACT; v++)
        assert_int_equal(lathist_upper(lathist_bucket(v)), v);   /* exact */
    assert_int_equal(lathist_bucket(-5), 0);
    assert_int_equal(lathist_bucket(INT64_MAX), LATHIST_N - 1);
    assert_int_equal(lathist_upper(LATHIST_N - 1), ((int64_t)1 << (LATHIST_TOP + 1)) - 1);
}

/* A value is reported at most 1/16 of itself too high, never too low (up to 2^31 µs). */
static void error_is_one_sixteenth_at_most(void **state)
{
    (void)state;
    srand(7);
    for (int k = 0; k < 200000; k++) {
        int64_t v = (int64_t)(exp((double)rand() / RAND_MAX * 21.4));   /* 1 µs … 2^31 µs */
        if (v >= ((int64_t)1 << (LATHIST_TOP + 1)))
            continue;
        int64_t hi = lathist_upper(lathist_bucket(v));
        assert_true(hi >= v);
        assert_true(hi - v <= v / LATHIST_SUB);
    }
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Quantiles of 20,000 latencies shaped like a server's (most near 2 ms, a tail to 40 ms)
 * agree with the sorted list within the bucket error, and never pass the largest value. */
static void quantiles_match_a_sorted_list(void **state)
{
    (void)state;
    enum { N = 20000 };
    int64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    lathist_t h;
    memset(&h, 0, sizeof h);
    assert_int_equal(lathist_quantile(&h, 0.99), 0);   /* empty */
    srand(11);
    for (int i = 0; i < N; i++) {
        double u = (double)rand() / RAND_MAX;
        v[i] = (int64_t)(2000.0 * exp(0.6 * sqrt(-2 * log(u + 1e-12)) * cos(6.283 * rand() / RAND_MAX)));
        if (i % 97 == 0)
            v[i] *= 15;   /* the tail */
        lathist_add(&h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp64);
    assert_int_equal(h.n, N);
    assert_int_equal(h.max_us, v[N - 1]);
    const double qs[] = {0.0, 0.5, 0.9, 0.99, 0.999, 1.0};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        size_t rank = (size_t)ceil(qs[k] * N);
        int64_t exact = v[rank < 1 ? 0 : rank - 1];
        int64_t got = lathist_quantile(&h, qs[k]);
        assert_true(got >= exact);
        assert_true(got - exact <= exact / LATHIST_SUB);
        assert_true(got <= h.max_us);
    }
    assert_int_equal(lathist_quantile(&h, 1.0), v[N - 1]);
    free(v);
}

/* The difference of two snapshots gives the quantiles of what came in between, as a load
 * generator reads them from /healthz before and after its window. */
static void quantiles_of_a_window(void **state)
{
    (void)state;
    lathist_t h;
    memset(&h, 0, sizeof h);
    for (int i = 0; i < 1000; i++)
        lathist_add(&h, 50000);   /* before the window: all slow */
    lathist_t before = h;
    for (int i = 1; i <= 100; i++)
        lathist_add(&h, i * 10);   /* the window: 10 … 1000 µs */
    uint64_t diff[LATHIST_N];
    for (int i = 0; i < LATHIST_N; i++)
        diff[i] = h.count[i] - before.count[i];
    int64_t p50 = lathist_quantile_of(diff, 0.5), p99 = lathist_quantile_of(diff, 0.99);
    assert_true(p50 >= 500 && p50 <= 500 + 500 / LATHIST_SUB);
    assert_true(p99 >= 990 && p99 <= 990 + 990 / LATHIST_SUB);
    assert_true(lathist_quantile(&h, 0.5) >= 50000);   /* the whole: the slow ones */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buckets_tile_the_line),
        cmocka_unit_test(error_is_one_sixteenth_at_most),
        cmocka_unit_test(quantiles_match_a_sorted_list),
        cmocka_unit_test(quantiles_of_a_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
