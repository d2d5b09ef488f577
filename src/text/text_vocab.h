/* text_vocab – a small hand-written Dutch government vocabulary: synonyms and abbreviations. */
#ifndef TEXT_VOCAB_H
#define TEXT_VOCAB_H

#include <stddef.h>

/* Maps a normalised token (text_tokenize's `key`) to the word that stands for its meaning
 * in this domain ("it" -> "ict", "gemeentelijke" -> "gemeente", "avg" -> "privacy"), or
 * returns NULL when the token has no entry. The returned string is static. */
const char *text_vocab_lookup(const char *key, size_t len);

typedef struct text_vocab_entry {
    const char *from;
    const char *to;
} text_vocab_entry_t;

/* The table, sorted by `from` in strcmp order (checked by the unit test). */
extern const text_vocab_entry_t text_vocab[];
extern const size_t text_vocab_count;

/* The concept class of a normalised token ("cao" -> "salaris", "wachtwoord" ->
 * "inloggen"), or NULL. A compound matches by a head of at least TEXT_VOCAB_HEAD_MIN
 * bytes ("ict-budget" is split by the tokeniser; "projectbudget" matches "budget").
 * The returned string is static. */
#define TEXT_VOCAB_HEAD_MIN 5
const char *text_vocab_concept(const char *key, size_t len);

/* The concept table, sorted by `from` in strcmp order (checked by the unit test). */
extern const text_vocab_entry_t text_concepts[];
extern const size_t text_concepts_count;

#endif
