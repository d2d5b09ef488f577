/* jtext.h – JSON written as text into a growing buffer, for the few places that write a
 * lot of small objects (the console's counts, hundreds of teams a second) and would
 * otherwise build jansson objects only to encode them. */
#ifndef SP_JTEXT_H
#define SP_JTEXT_H

#include <stddef.h>

typedef struct {
    char *s;          /* NUL-terminated once anything was added; the caller frees */
    size_t len, cap;
} tbuf_t;

/* Appends s as it is. */
void tb_raw(tbuf_t *b, const char *s);
/* Appends s as a JSON string: quotes, backslashes and control characters escaped. */
void tb_str(tbuf_t *b, const char *s);

#endif
