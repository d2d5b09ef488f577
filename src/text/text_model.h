/* text_model – TF-IDF vectors of Dutch notes (stems + character n-grams) and cosine similarity. */
#ifndef TEXT_MODEL_H
#define TEXT_MODEL_H

#include <stddef.h>

/*
 * How a note becomes a vector:
 *  1. text_tokenize (case folding, accents stripped, punctuation splits);
 *  2. stop words dropped (text_stop), synonyms mapped to one word (text_vocab);
 *  3. word features: the Snowball Dutch stem of every remaining token, the concept class
 *     of the word if it has one, and the stems of a compound's parts when both parts
 *     occur as words elsewhere in the notes ("gegevensuitwisseling" -> "gegeven",
 *     "uitwissel"), or when the Dutch word list (text_dict) splits it and another note
 *     uses a part ("inkoop|voorwaarden" meets "inkoop"); a word the list does not know
 *     that is one edit from a known word of another note takes that word's stem (typos);
 *  4. n-gram features (off by default since issue 19): character n-grams
 *     (ngram_min..ngram_max bytes) of every remaining token;
 *  5. TF-IDF weights (sublinear tf, smoothed idf over the notes of the model), each part
 *     scaled to unit length, the n-gram part weighted by `ngram_weight`, the whole vector
 *     scaled to unit length again, so cosine similarity is a dot product in [0, 1] and an
 *     identical note scores exactly 1.
 * A model is built once over a set of notes (the idf depends on all of them) and is
 * read-only afterwards, so several threads may query one model at once.
 */

typedef struct text_options {
    double threshold;     /* clustering: groups merge while their average similarity >= this */
    double ngram_weight;  /* share of the n-gram part in the similarity, 0..1 */
    int ngram_min;        /* shortest character n-gram, in bytes (>= 2) */
    int ngram_max;        /* longest character n-gram (<= 8); 0 turns n-grams off */
    int use_stop;         /* drop stop words */
    int use_vocab;        /* map synonyms and abbreviations */
    int use_stem;         /* stem words (else the normalised word is the feature) */
    int use_concepts;     /* add concept-class features (text_vocab_concept) */
    int use_compounds;    /* split compounds into parts seen elsewhere in the notes */
    int use_typos;        /* map a misspelt word onto a word of the other notes (text_dict) */
    int use_dict;         /* use the Dutch word list (text_dict) for compounds and typos */
    int neighbors;        /* clustering: k of the shared-neighbour similarity; 0 = off */
    double neighbor_weight; /* share of the shared-neighbour similarity, 0..1 */
} text_options_t;

/* Fills `o` with the defaults that the evaluation set (data/eval/notes.tsv) supports. */
void text_options_default(text_options_t *o);

typedef struct text_model text_model_t;

/* Builds a model over `n` NUL-terminated UTF-8 texts (borrowed; not kept after return).
 * `opt` may be NULL for the defaults. Returns the model (caller frees it with
 * text_model_free); allocation failure aborts with a message. */
text_model_t *text_model_new(const char *const *texts, size_t n, const text_options_t *opt);
void text_model_free(text_model_t *m); /* accepts NULL */

size_t text_model_count(const text_model_t *m);
/* True when note `i` has no telling word at all (empty, punctuation or stop words only). */
int text_model_is_empty(const text_model_t *m, size_t i);
/* Cosine similarity of notes i and j, in [0, 1]; 0 when either is empty. */
double text_model_similarity(const text_model_t *m, size_t i, size_t j);
/* Writes the full n x n similarity matrix into `sim` (caller-owned, n*n floats, row-major)
 * through an inverted index, so pairs without a shared feature cost nothing. */
void text_model_similarity_matrix(const text_model_t *m, float *sim);

/* A label a person would write for the notes `members[0..k)`: the best run of 1..5 words
 * taken from one of the notes `texts` (the texts the model was built from), weighed by
 * how many of the group's notes share its words and how rare those words are; capital
 * first ("Gegevens uitwisselen tussen systemen"). Returns a malloc'd string the caller
 * frees; "" when the notes have no telling words. */
char *text_model_label(const text_model_t *m, const char *const *texts, const size_t *members, size_t k);

/* Near-duplicate check for the Idee Race: compares `text` with `existing[0..n)` (borrowed)
 * and, when the most similar one scores >= threshold, sets *index and *score and returns 1.
 * Returns 0 when none reaches the threshold (or n == 0, or `text` has no telling words),
 * -EINVAL when an argument is NULL. Ties go to the lowest index. */
int text_similar(const char *text, const char *const *existing, size_t n, double threshold,
                 size_t *index, double *score);

#endif
