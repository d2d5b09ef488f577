/* text_stop – our Dutch stop-word list: function words and sticky-note filler. */
#ifndef TEXT_STOP_H
#define TEXT_STOP_H

#include <stddef.h>

/* True when the normalised token `key` (as text_tokenize's `key`: case-folded, accents
 * stripped) of `len` bytes carries no topic: a Dutch function word, a filler word people
 * put on sticky notes ("idee", "misschien", "eigenlijk"), a common abbreviation of
 * filler ("bijv", "mbt"), or a single letter. Digits are never stop words. */
int text_stop_is(const char *key, size_t len);

/* The list itself, sorted by strcmp, for tests and tools. */
extern const char *const text_stop_words[];
extern const size_t text_stop_count;

#endif
