/* lathist.h – a latency histogram with a fixed error: exact below 32 µs, then sixteen
 * buckets per doubling (a value is off by at most 1/16 of itself), up to about 17 minutes.
 * Adding is a few instructions and no allocation; it is meant to sit on the command path.
 */
#ifndef SP_LATHIST_H
#define SP_LATHIST_H

#include <stdint.h>

#define LATHIST_EXACT 32      /* values below this have a bucket each */
#define LATHIST_SUB 16        /* buckets per doubling above that */
#define LATHIST_TOP 30        /* the last doubling: 2^30 µs; larger values count there */
#define LATHIST_N (LATHIST_EXACT + (LATHIST_TOP - 4) * LATHIST_SUB)

typedef struct {
    uint64_t count[LATHIST_N];
    uint64_t n;
    int64_t max_us;
} lathist_t;

/* Counts one value (µs; negative counts as 0). */
void lathist_add(lathist_t *h, int64_t us);

/* The bucket a value falls in, and the largest value of bucket i. */
int lathist_bucket(int64_t us);
int64_t lathist_upper(int i);

/* The value at quantile q (0..1): the upper end of the bucket that holds it, never above
 * the largest value seen. 0 when empty. */
int64_t lathist_quantile(const lathist_t *h, double q);

/* The same over counts per bucket only (the difference of two snapshots, say). */
int64_t lathist_quantile_of(const uint64_t count[LATHIST_N], double q);

#endif
