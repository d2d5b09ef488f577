/* lathist.c – the latency histogram (lathist.h).
 *
 * A value v ≥ 32 lies in [2^e, 2^(e+1)) with e ≥ 5; its bucket is one of sixteen equal
 * parts of that range, picked by the four bits after the leading one. So a bucket's width
 * is 2^(e-4) ≤ v/16. Values from 2^(TOP+1) on share the last bucket. */
#include "util/lathist.h"

#include <math.h>

int lathist_bucket(int64_t us)
{
    if (us < LATHIST_EXACT)
        return us < 0 ? 0 : (int)us;
    int e = 63 - __builtin_clzll((unsigned long long)us);
    if (e > LATHIST_TOP)
        return LATHIST_N - 1;
    int sub = (int)((us >> (e - 4)) & (LATHIST_SUB - 1));
    return LATHIST_EXACT + (e - 5) * LATHIST_SUB + sub;
}

int64_t lathist_upper(int i)
{
    if (i < LATHIST_EXACT)
        return i;
    int e = (i - LATHIST_EXACT) / LATHIST_SUB + 5;
    int sub = (i - LATHIST_EXACT) % LATHIST_SUB;
    return ((int64_t)(LATHIST_SUB + sub + 1) << (e - 4)) - 1;
}

void lathist_add(lathist_t *h, int64_t us)
{
    if (us < 0)
        us = 0;
    h->count[lathist_bucket(us)]++;
    h->n++;
    if (us > h->max_us)
        h->max_us = us;
}

int64_t lathist_quantile_of(const uint64_t count[LATHIST_N], double q)
{
    uint64_t n = 0;
    for (int i = 0; i < LATHIST_N; i++)
        n += count[i];
    if (n == 0)
        return 0;
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    /* The rank of the value asked for, 1-based: p99 of 100 values is the 99th. */
    uint64_t rank = (uint64_t)ceil(q * (double)n);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (int i = 0; i < LATHIST_N; i++) {
        seen += count[i];
        if (seen >= rank)
            return lathist_upper(i);
    }
    return lathist_upper(LATHIST_N - 1);
}

int64_t lathist_quantile(const lathist_t *h, double q)
{
    int64_t v = lathist_quantile_of(h->count, q);
    return v > h->max_us ? h->max_us : v;
}
