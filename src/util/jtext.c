/* jtext.c – see jtext.h. */
#include "util/jtext.h"

#include <stdio.h>
#include <string.h>

#include "util/xalloc.h"

static void tb_grow(tbuf_t *b, size_t more)
{
    if (b->len + more + 1 > b->cap) {
        b->cap = (b->len + more + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
}

void tb_raw(tbuf_t *b, const char *s)
{
    size_t n = strlen(s);
    tb_grow(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void tb_str(tbuf_t *b, const char *s)
{
    tb_grow(b, 2 * strlen(s) + 8);
    b->s[b->len++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            tb_grow(b, 2);
            b->s[b->len++] = '\\';
            b->s[b->len++] = (char)*p;
        } else if (*p < 0x20) {
            tb_grow(b, 6);
            b->len += (size_t)snprintf(b->s + b->len, 7, "\\u%04x", *p);
        } else {
            tb_grow(b, 1);
            b->s[b->len++] = (char)*p;
        }
    }
    tb_grow(b, 1);
    b->s[b->len++] = '"';
    b->s[b->len] = '\0';
}
