/* guard.c – message decoding and rate limits (see guard.h). */
#include "net/guard.h"
#include "core/err.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_SLOTS 256
#define ADDR_WINDOW_MS 60000

typedef struct {
    uint64_t addr;
    int fails;
    int64_t window;
} addr_slot_t;

static addr_slot_t addr_slots[ADDR_SLOTS];

/* Nesting depth of a JSON text, counted outside strings; jansson itself allows 2048. */
static int json_depth_ok(const char *s, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '{' || ch == '[') {
            if (++depth > GUARD_JSON_DEPTH_MAX)
                return 0;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return 1;
}

static int hexval(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9')
            v |= ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            v |= ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            v |= ch - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* A \u escape of a lone UTF-16 surrogate is valid JSON grammar but no character; jansson
 * refuses the whole text for it. Each one becomes \u0000 (the same length), so the message
 * still parses and is refused as bad_text with its id. Returns a copy, or NULL when the
 * text has none. */
static char *lone_surrogates(const char *s, size_t len)
{
    char *copy = NULL;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_str) {
            in_str = s[i] == '"';
            continue;
        }
        if (s[i] == '"') {
            in_str = 0;
            continue;
        }
        if (s[i] != '\\' || i + 1 >= len)
            continue;
        if (s[i + 1] != 'u' || i + 6 > len) {
            i++;
            continue;
        }
        int v = hexval(s + i + 2), lone = 0;
        if (v >= 0xD800 && v <= 0xDBFF) {
            int lo = (i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u') ? hexval(s + i + 8) : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF)
                i += 6;   /* a pair: one character */
            else
                lone = 1;
        } else if (v >= 0xDC00 && v <= 0xDFFF) {
            lone = 1;
        }
        if (lone) {
            if (copy == NULL) {
                copy = xmalloc(len);
                memcpy(copy, s, len);
            }
            memcpy(copy + i + 2, "0000", 4);
        }
        i += 5;
    }
    return copy;
}

/* Whether any string value in v holds U+0000 (jansson refuses it in keys). */
static int has_nul(const json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_STRING: return strlen(json_string_value(v)) != json_string_length(v);
    case JSON_ARRAY:
        json_array_foreach(v, i, e)
            if (has_nul(e))
                return 1;
        return 0;
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, k, e)
            if (has_nul(e))
                return 1;
        return 0;
    default: return 0;
    }
}

int guard_decode(const char *text, size_t len, json_t **msg)
{
    *msg = NULL;
    if (!utf8_valid(text, len))
        return SP_E_BAD_UTF8;
    if (!json_depth_ok(text, len))
        return SP_E_TOO_DEEP;
    char *fixed = lone_surrogates(text, len);
    json_t *m = json_loadb(fixed ? fixed : text, len, JSON_ALLOW_NUL, NULL);
    if (!json_is_object(m)) {
        free(fixed);
        json_decref(m);
        return SP_E_BAD_JSON;
    }
    *msg = m;
    int bad = fixed != NULL || has_nul(m);
    free(fixed);
    return bad ? SP_E_BAD_TEXT : 0;
}

void guard_bucket_init(guard_bucket_t *b, double burst, int64_t now)
{
    b->tokens = burst;
    b->at = now;
}

int guard_bucket_take(guard_bucket_t *b, double burst, double per_sec, int64_t now)
{
    b->tokens += (double)(now - b->at) * per_sec / 1000.0;
    if (b->tokens > burst)
        b->tokens = burst;
    b->at = now;
    if (b->tokens < 1.0)
        return 0;
    b->tokens -= 1.0;
    return 1;
}

static addr_slot_t *addr_slot(uint64_t addr, int64_t now)
{
    addr_slot_t *oldest = &addr_slots[0];
    for (size_t i = 0; i < ADDR_SLOTS; i++) {
        addr_slot_t *a = &addr_slots[i];
        if (a->addr == addr) {
            if (now - a->window > ADDR_WINDOW_MS) {
                a->window = now;
                a->fails = 0;
            }
            return a;
        }
        if (a->window < oldest->window)
            oldest = a;
    }
    oldest->addr = addr;
    oldest->fails = 0;
    oldest->window = now;
    return oldest;
}

int guard_addr_fails(uint64_t addr, int64_t now)
{
    return addr_slot(addr, now)->fails;
}

void guard_addr_failed(uint64_t addr, int64_t now)
{
    addr_slot(addr, now)->fails++;
}
