/* utf8.h – UTF-8 validation and code point counting. */
#ifndef SP_UTF8_H
#define SP_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF), else 0. */
int utf8_valid(const char *s, size_t len);

/* The number of code points in a valid UTF-8 string. */
size_t utf8_count(const char *s);

#endif
