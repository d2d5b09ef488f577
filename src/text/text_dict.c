/* text_dict – a Dutch word list for splitting compounds (Debian's wdutch, loaded once). */
#include "text/text_dict.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_norm.h"

static uint64_t *words;
static size_t nwords;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Keeps plain lower-case words of a-z (names start with a capital; words with accents or
 * hyphens are left out: our keys are accent-free and hyphens split tokens anyway). */
static int plain(const char *s, size_t len)
{
    if (len < 3 || len > 40)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return 0;
    return 1;
}

static void load(void)
{
    const char *path = getenv("STAATSPRINT_DICT");
    if (!path || !*path)
        path = "/usr/share/dict/nederlands";
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t cap = 1 << 16;
    uint64_t *w = text_xrealloc(NULL, cap * sizeof *w);
    size_t n = 0;
    char line[128];
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        if (!plain(line, len))
            continue;
        if (n == cap) {
            cap *= 2;
            w = text_xrealloc(w, cap * sizeof *w);
        }
        w[n++] = hash(line, len);
    }
    fclose(f);
    qsort(w, n, sizeof *w, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || w[u - 1] != w[i])
            w[u++] = w[i];
    words = w;
    nwords = u;
}

size_t text_dict_size(void)
{
    pthread_once(&once, load);
    return nwords;
}

int text_dict_has(const char *s, size_t len)
{
    if (text_dict_size() == 0 || len < 3)
        return 0;
    uint64_t h = hash(s, len);
    size_t at = text_lower_bound(words, nwords, h);
    return at < nwords && words[at] == h;
}

int text_dict_split(const char *s, size_t len, size_t *head_len, size_t *tail_off)
{
    enum { PART_MIN = 4, TAIL_MIN = 5 };
    if (len < 9 || text_dict_size() == 0)
        return 0;
    static const char *const link[] = {"", "s", "e", "en"};
    size_t best = 0, bh = 0, bt = 0;
    for (size_t p = PART_MIN; p + TAIL_MIN <= len; p++) {
        if (!text_dict_has(s + p, len - p))
            continue;
        for (size_t q = 0; q < 4; q++) {
            size_t ll = strlen(link[q]);
            if (p < ll + PART_MIN || memcmp(s + p - ll, link[q], ll) != 0)
                continue;
            if (!text_dict_has(s, p - ll))
                continue;
            size_t shorter = p - ll < len - p ? p - ll : len - p;
            if (shorter > best) {
                best = shorter;
                bh = p - ll;
                bt = p;
            }
            break;
        }
    }
    if (!best)
        return 0;
    *head_len = bh;
    *tail_off = bt;
    return 1;
}
