/* text_stem – Dutch stemming with Snowball's Dutch stemmer (libstemmer). */
#ifndef TEXT_STEM_H
#define TEXT_STEM_H

#include <stddef.h>

typedef struct text_stemmer text_stemmer_t;

/* A Snowball stemmer is not thread-safe, so each caller (each model build) owns one.
 * Returns a new stemmer; aborts with a message when libstemmer cannot create one. */
text_stemmer_t *text_stemmer_new(void);
/* Accepts NULL. */
void text_stemmer_free(text_stemmer_t *s);

/* Stems the lower-case UTF-8 word `word` of `len` bytes ("gemeenten" -> "gemeent").
 * Returns a pointer into the stemmer's buffer, valid until the next call, and sets
 * *out_len. Words of digits are returned unchanged. */
const char *text_stem(text_stemmer_t *s, const char *word, size_t len, size_t *out_len);

#endif
