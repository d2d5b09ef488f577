/* text_norm – Dutch note normalisation and tokenising (Unicode case folding, accent stripping). */
#include "text/text_norm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

void *text_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fprintf(stderr, "text: out of memory (%zu bytes)\n", size);
        abort();
    }
    return q;
}

void text_tokens_init(text_tokens_t *out)
{
    memset(out, 0, sizeof *out);
}

void text_tokens_free(text_tokens_t *t)
{
    if (!t)
        return;
    free(t->tok);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

/* Appends bytes to the arena and returns their offset; pointers are fixed up at the end
 * because the arena may move while it grows. */
static size_t arena_put(text_tokens_t *t, const char *s, size_t len)
{
    if (t->arena_len + len + 1 > t->arena_cap) {
        size_t cap = t->arena_cap ? t->arena_cap * 2 : 256;
        while (cap < t->arena_len + len + 1)
            cap *= 2;
        t->arena = text_xrealloc(t->arena, cap);
        t->arena_cap = cap;
    }
    size_t off = t->arena_len;
    memcpy(t->arena + off, s, len);
    t->arena[off + len] = '\0';
    t->arena_len += len + 1;
    return off;
}

/* Invalid UTF-8 would make utf8proc refuse the whole note; replace each bad byte by a
 * space instead, so one broken character costs one separator and nothing more. */
static char *sanitize_utf8(const char *s, size_t len)
{
    char *out = text_xrealloc(NULL, len + 1);
    size_t o = 0, i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            out[o++] = ' ';
            i++;
            continue;
        }
        memcpy(out + o, s + i, (size_t)k);
        o += (size_t)k;
        i += (size_t)k;
    }
    out[o] = '\0';
    return out;
}

static int is_word_cp(utf8proc_int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static int is_digit_at(const char *s, size_t i, size_t len)
{
    return i < len && s[i] >= '0' && s[i] <= '9';
}

static int is_apostrophe(utf8proc_int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x00B4 || cp == '`';
}

static void add_token(text_tokens_t *t, const char *surf, size_t len)
{
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)surf[i] >= 0x80)
            ascii = 0;
    size_t soff = arena_put(t, surf, len);
    size_t koff, klen;
    if (ascii) {
        koff = soff;
        klen = len;
    } else {
        utf8proc_uint8_t *k = NULL;
        utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)surf, (utf8proc_ssize_t)len, &k,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
        if (r < 0) {
            /* Only possible on allocation failure: the input was sanitised before. */
            fprintf(stderr, "text: utf8proc_map: %s\n", utf8proc_errmsg(r));
            abort();
        }
        klen = (size_t)r;
        koff = arena_put(t, (const char *)k, klen);
        free(k);
    }
    if (klen == 0)
        return;
    if (t->n == t->tok_cap) {
        t->tok_cap = t->tok_cap ? t->tok_cap * 2 : 16;
        t->tok = text_xrealloc(t->tok, t->tok_cap * sizeof *t->tok);
    }
    /* Offsets for now (stored in the pointers' place); text_tokenize turns them into
     * pointers once the arena no longer moves. */
    t->tok[t->n].surface = (const char *)(uintptr_t)soff;
    t->tok[t->n].key = (const char *)(uintptr_t)koff;
    t->tok[t->n].key_len = klen;
    t->n++;
}

int text_tokenize(const char *s, text_tokens_t *out)
{
    out->n = 0;
    out->arena_len = 0;
    size_t slen = strlen(s);
    char *clean = sanitize_utf8(s, slen);
    utf8proc_uint8_t *fold = NULL;
    utf8proc_ssize_t flen = utf8proc_map((const utf8proc_uint8_t *)clean, 0, &fold,
                                         UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    free(clean);
    if (flen < 0) {
        fprintf(stderr, "text: utf8proc_map: %s\n", utf8proc_errmsg(flen));
        abort();
    }
    const char *f = (const char *)fold;
    size_t len = (size_t)flen, i = 0;
    size_t start = 0, wlen = 0; /* current word: f[start .. start+wlen) */
    int in_word = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)f + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) { /* cannot happen after sanitising; treat as a separator */
            k = 1;
            cp = ' ';
        }
        if (is_word_cp(cp)) {
            if (!in_word) {
                start = i;
                in_word = 1;
            }
            wlen = i + (size_t)k - start;
        } else if (in_word && (cp == '.' || cp == ',') && is_digit_at(f, i - 1, len) && is_digit_at(f, i + 1, len)) {
            wlen = i + 1 - start;
        } else if (in_word && is_apostrophe(cp)) {
            /* "zzp'ers": end the word here and skip the letters of the suffix. */
            add_token(out, f + start, wlen);
            in_word = 0;
            size_t j = i + (size_t)k;
            while (j < len) {
                utf8proc_int32_t c2;
                utf8proc_ssize_t k2 = utf8proc_iterate((const utf8proc_uint8_t *)f + j, (utf8proc_ssize_t)(len - j), &c2);
                if (k2 <= 0 || !is_word_cp(c2) || (c2 >= '0' && c2 <= '9'))
                    break;
                j += (size_t)k2;
            }
            i = j;
            continue;
        } else if (in_word) {
            add_token(out, f + start, wlen);
            in_word = 0;
        }
        i += (size_t)k;
    }
    if (in_word)
        add_token(out, f + start, wlen);
    free(fold);
    for (size_t t = 0; t < out->n; t++) {
        out->tok[t].surface = out->arena + (uintptr_t)out->tok[t].surface;
        out->tok[t].key = out->arena + (uintptr_t)out->tok[t].key;
    }
    return 0;
}

char *text_normalize(const char *s)
{
    text_tokens_t t;
    text_tokens_init(&t);
    text_tokenize(s, &t);
    size_t len = 0;
    for (size_t i = 0; i < t.n; i++)
        len += t.tok[i].key_len + 1;
    char *out = text_xrealloc(NULL, len + 1), *p = out;
    for (size_t i = 0; i < t.n; i++) {
        if (i)
            *p++ = ' ';
        memcpy(p, t.tok[i].key, t.tok[i].key_len);
        p += t.tok[i].key_len;
    }
    *p = '\0';
    text_tokens_free(&t);
    return out;
}

size_t text_lower_bound(const uint64_t *h, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
