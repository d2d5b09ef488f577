/* text_cluster – group sticky notes by meaning and label each group (deterministic). */
#ifndef TEXT_CLUSTER_H
#define TEXT_CLUSTER_H

#include <stddef.h>
#include <stdio.h>

#include "text/text_model.h"

/* More notes than this are refused: the similarity matrix is n*n floats (64 MiB here),
 * and no wall holds that many notes. */
#define TEXT_CLUSTER_MAX_NOTES 4096

typedef struct text_clustering {
    size_t n_notes;
    size_t n_clusters; /* clusters are numbered 1..n_clusters */
    int *cluster;      /* n_notes entries; 0 = a note without telling words (empty line,
                          punctuation, stop words only) that belongs to no group */
    char **label;      /* n_clusters + 1 entries; label[0] is "", label[c] of cluster c */
    size_t *size;      /* n_clusters + 1 entries: notes per cluster (size[0]: notes in 0) */
} text_clustering_t;

/*
 * Groups `notes[0..n)` (borrowed NUL-terminated UTF-8) by average-linkage agglomerative
 * clustering over TF-IDF cosine similarity: groups keep merging, the most similar pair
 * first, while their average similarity is at least opt->threshold, so the number of
 * groups follows from the notes. Clusters are numbered by their first note (note order),
 * so equal input gives equal output. A note like no other forms a cluster of its own.
 * The similarity is the TF-IDF cosine of text_model blended with a shared-neighbour
 * similarity (opt->neighbors), which joins notes on one theme that share no word.
 * `opt` may be NULL for the defaults.
 * Fills `out`, which the caller releases with text_clustering_free.
 * Returns 0, -EINVAL for NULL arguments, -E2BIG for more than TEXT_CLUSTER_MAX_NOTES.
 * On failure `out` is left empty (safe to free).
 */
int text_cluster(const char *const *notes, size_t n, const text_options_t *opt, text_clustering_t *out);
void text_clustering_free(text_clustering_t *c); /* accepts NULL; frees the contents only */

/*
 * The clustering step alone, for any similarity: `sim` is a symmetric n x n row-major
 * matrix (it is overwritten: used as scratch), `skip[i]` true leaves note i out (may be
 * NULL). Writes to `root[i]` the lowest note index of i's group (or SIZE_MAX for skipped
 * notes). Average linkage via the nearest-neighbour chain, O(n^2) time, no extra n*n memory.
 */
void text_cluster_matrix(float *sim, size_t n, const unsigned char *skip, double threshold, size_t *root);

/*
 * Reads one note per line from `in` (a trailing "\r" is ignored) and writes for each line,
 * in order, "<cluster>\t<label>\n"; empty lines and notes without telling words get
 * "0\t\n". Uses the default options. Returns 0, -EIO on a read or write error, -E2BIG for
 * too many lines.
 */
int text_cluster_cli(FILE *in, FILE *out);

/* Adjusted Rand Index of two labelings of n items (any integer labels); 1 = identical
 * partitions, about 0 = chance agreement. Used by the tests and the benchmark. */
double text_ari(const int *a, const int *b, size_t n);

#endif
