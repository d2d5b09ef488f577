/* guard.c – message decoding and rate limits (see guard.h). */
#include "net/guard.h"
#include "core/err.h"
#include "util/utf8.h"

#include <stdio.h>
#include <string.h>

#define ADDR_SLOTS 256
#define ADDR_WINDOW_MS 60000

typedef struct {
    char addr[64];
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

int guard_decode(const char *text, size_t len, json_t **msg)
{
    *msg = NULL;
    if (!utf8_valid(text, len))
        return SP_E_BAD_UTF8;
    if (!json_depth_ok(text, len))
        return SP_E_TOO_DEEP;
    json_t *m = json_loadb(text, len, 0, NULL);
    if (!json_is_object(m)) {
        json_decref(m);
        return SP_E_BAD_JSON;
    }
    *msg = m;
    return 0;
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

static addr_slot_t *addr_slot(const char *addr, int64_t now)
{
    addr_slot_t *oldest = &addr_slots[0];
    for (size_t i = 0; i < ADDR_SLOTS; i++) {
        addr_slot_t *a = &addr_slots[i];
        if (strcmp(a->addr, addr) == 0) {
            if (now - a->window > ADDR_WINDOW_MS) {
                a->window = now;
                a->fails = 0;
            }
            return a;
        }
        if (a->window < oldest->window)
            oldest = a;
    }
    snprintf(oldest->addr, sizeof oldest->addr, "%s", addr);
    oldest->fails = 0;
    oldest->window = now;
    return oldest;
}

int guard_addr_fails(const char *addr, int64_t now)
{
    return addr_slot(addr, now)->fails;
}

void guard_addr_failed(const char *addr, int64_t now)
{
    addr_slot(addr, now)->fails++;
}
