/* strmap.h – an open-addressing hash map from strings to 64-bit integers.
 *
 * Keys are copied and owned by the map. Values are plain int64_t (an index, a
 * sequence number). Removal is not supported: staatsprint's maps only grow during
 * a sprint (ids, command ids, token hashes), which keeps probing simple.
 *
 * Each slot keeps its key's hash in a separate array, and the table is at most half
 * full. A probe reads the next hash in that array and compares strings only when the
 * hashes are equal. So a lookup costs about one string comparison: a hit compares once,
 * a miss (every new command id) almost never. Each key is its own allocation, so every
 * string compared is a likely cache miss. At 2,500 commands a second, string
 * comparisons while probing were 2 % of the server's CPU (docs/benchmarks.md).
 */
#ifndef SP_STRMAP_H
#define SP_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char **keys;      /* NULL = empty slot */
    uint64_t *hashes; /* each key's hash, beside it: a probe compares these, not strings */
    int64_t *vals;
    size_t cap;       /* power of two */
    size_t len;
} strmap_t;

void strmap_init(strmap_t *m);
void strmap_free(strmap_t *m);          /* frees the keys; the struct may be reused after init */

/* Sets key to val (replacing an existing value). Aborts on allocation failure. */
void strmap_put(strmap_t *m, const char *key, int64_t val);

/* Returns 1 and sets *val when key is present, else 0. val may be NULL. */
int strmap_get(const strmap_t *m, const char *key, int64_t *val);

#endif
