/* text_norm – Dutch note normalisation and tokenising (Unicode case folding, accent stripping). */
#ifndef TEXT_NORM_H
#define TEXT_NORM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Rules, applied to every note before anything else looks at it:
 *  - invalid UTF-8 bytes become separators (notes come from browsers; we never reject one);
 *  - Unicode case folding (utf8proc), so "ICT", "Ict" and "ict" are one word;
 *  - a token is a run of letters and digits; everything else (punctuation, symbols,
 *    hyphens, spaces) separates tokens, so "ICT-personeel" gives "ict" and "personeel";
 *  - a '.' or ',' between two digits stays inside the number ("135.000", "2,5");
 *  - an apostrophe suffix after a word is dropped ("zzp'ers" -> "zzp", "cv's" -> "cv");
 *  - each token keeps two forms: `surface` (case-folded, accents kept: "geëvalueerd", used
 *    in labels shown to people) and `key` (accents stripped as well: "geevalueerd", used for
 *    matching, stop words, synonyms and stemming).
 */

typedef struct text_token {
    const char *surface; /* NUL-terminated; owned by the text_tokens_t */
    const char *key;     /* NUL-terminated; owned by the text_tokens_t */
    size_t key_len;
} text_token_t;

typedef struct text_tokens {
    text_token_t *tok;
    size_t n;
    /* private */
    char *arena;
    size_t arena_len, arena_cap, tok_cap;
} text_tokens_t;

/* Tokenises the NUL-terminated UTF-8 string `s` into `out`, which the caller initialises
 * with text_tokens_init (a text_tokens_t may be reused: each call replaces its contents).
 * Returns 0; allocation failure aborts with a message. */
void text_tokens_init(text_tokens_t *out);
int text_tokenize(const char *s, text_tokens_t *out);
/* Releases what the list owns; the struct itself is the caller's. Accepts NULL. */
void text_tokens_free(text_tokens_t *t);

/* The normalised form of `s`: the `key` of every token joined by single spaces
 * ("Geëvalueerd, door de ICT-afdeling!" -> "geevalueerd door de ict afdeling").
 * Returns a malloc'd string the caller frees. */
char *text_normalize(const char *s);

/* Shared helper: the index of the first of the n sorted values h[] that is >= x (n when
 * none is), for the sorted hash arrays of the model and the word list. */
size_t text_lower_bound(const uint64_t *h, size_t n, uint64_t x);

/* Shared helper: a malloc/realloc that aborts with a message on failure, so the text
 * modules never carry half-handled out-of-memory paths. */
void *text_xrealloc(void *p, size_t size);

#endif
