/* text_dict – a Dutch word list for splitting compounds (Debian's wdutch, loaded once). */
#ifndef TEXT_DICT_H
#define TEXT_DICT_H

#include <stddef.h>

/*
 * Where the words come from: the file named by $STAATSPRINT_DICT, else
 * /usr/share/dict/nederlands (Debian package `wdutch`, installed by scripts/deps). It is
 * read once per process, on first use, and kept as a sorted array of 64-bit hashes of
 * the lower-case, accent-free words (about 3 MiB for its ~400,000 words). Not embedded
 * in the binary: the list is 5 MB and belongs to its package. Without the file the
 * engine still works: text_dict_has answers 0 and compounds are split only into parts
 * that occur elsewhere in the notes (the corpus-driven rule in text_model.c).
 * Thread-safe (pthread_once); `staatsprint serve` reads it at start.
 */

/* Number of words loaded (0 when no list could be read). Loads on first call. */
size_t text_dict_size(void);

/* True when the accent-free lower-case word s[0..len) is in the list. */
int text_dict_has(const char *s, size_t len);

/* Splits a compound into a head and a tail that are both words of the list, each of at
 * least 4 bytes (the tail 5: shorter tails are mostly suffixes, "dien|sten", "soft|ware"); the head may carry a linking "s", "e" or "en" ("gegevens|uitwisseling",
 * "inkoop|voorwaarden"). Of all splits, the one with the longest shorter part wins
 * (balanced splits are the real ones: "salaris|schalen", not "sala|risschalen").
 * Words shorter than 9 bytes are not split. On success sets *head_len (without the
 * linking letters) and *tail_off and returns 1; else returns 0. */
int text_dict_split(const char *s, size_t len, size_t *head_len, size_t *tail_off);

#endif
