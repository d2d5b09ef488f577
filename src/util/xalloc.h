/* xalloc.h – allocation that aborts with a message instead of returning NULL.
 *
 * staatsprint does not pretend to recover from an exhausted heap: a server that
 * cannot allocate a few bytes cannot keep its promises either, so it stops loudly.
 */
#ifndef SP_XALLOC_H
#define SP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *arr (of *cap elements of size elem) so that it holds at least need. */
void xgrow(void **arr, size_t *cap, size_t need, size_t elem);

#endif
