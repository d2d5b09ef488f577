/* strmap.c – open-addressing string → int64 map with linear probing. */
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    /* FNV-1a: short keys, no adversarial pressure worth SipHash here because the
     * keys (ids, hashes of tokens) are made by the server or are length-capped. */
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void strmap_init(strmap_t *m)
{
    memset(m, 0, sizeof *m);
}

void strmap_free(strmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->hashes);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* The slot of key (hash h), or the empty slot where it belongs. */
static size_t find_slot(char *const *keys, const uint64_t *hashes, size_t cap, const char *key,
                        uint64_t h)
{
    size_t i = h & (cap - 1);
    while (keys[i] != NULL && (hashes[i] != h || strcmp(keys[i], key) != 0))
        i = (i + 1) & (cap - 1);
    return i;
}

static void grow(strmap_t *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    char **nk = xcalloc(ncap, sizeof *nk);
    uint64_t *nh = xcalloc(ncap, sizeof *nh);
    int64_t *nv = xcalloc(ncap, sizeof *nv);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = m->hashes[i] & (ncap - 1);   /* the keys are distinct: the first empty slot */
        while (nk[j] != NULL)
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nh[j] = m->hashes[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->hashes);
    free(m->vals);
    m->keys = nk;
    m->hashes = nh;
    m->vals = nv;
    m->cap = ncap;
}

void strmap_put(strmap_t *m, const char *key, int64_t val)
{
    if ((m->len + 1) * 2 > m->cap)
        grow(m);
    uint64_t h = hash_str(key);
    size_t i = find_slot(m->keys, m->hashes, m->cap, key, h);
    if (m->keys[i] == NULL) {
        m->keys[i] = xstrdup(key);
        m->hashes[i] = h;
        m->len++;
    }
    m->vals[i] = val;
}

int strmap_get(const strmap_t *m, const char *key, int64_t *val)
{
    if (m->cap == 0)
        return 0;
    size_t i = find_slot(m->keys, m->hashes, m->cap, key, hash_str(key));
    if (m->keys[i] == NULL)
        return 0;
    if (val)
        *val = m->vals[i];
    return 1;
}
