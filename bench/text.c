/* bench/text – quality (ARI vs gold) and speed of the Dutch note clustering in src/text.
 *
 * Build and run (from the repository root; bench/text.sh does exactly this):
 *   cc -std=c17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
 *      -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc bench/text.c src/text/text_*.c \
 *      $(pkg-config --cflags --libs libutf8proc) -lstemmer -lm -lpthread -o build/bench-text
 *   build/bench-text [SET.tsv ...] [--sweep] [--labels] [--no-speed]
 *
 * Prints, per challenge of each evaluation set (default data/eval/notes.tsv), the Adjusted Rand Index of our clustering
 * (default options, no tuning per challenge) against the gold groups, next to a baseline:
 * Jaccard similarity of raw lower-case words with the same average-linkage procedure, at
 * the threshold that is best for the baseline on that very challenge (an oracle choice,
 * so the comparison flatters the baseline, not us). Then the time to cluster 1,000 notes
 * made by sampling and perturbing the notes of the first set: the median of 7 runs.
 * With several sets, a summary table closes: mean ARI of c1-c3 per set, ours and baseline.
 * --sweep adds ARI per threshold and per feature switch (how the defaults were chosen), on
 * the first set only (the set we tune on); --labels prints each suggested group's label.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/text_cluster.h"
#include "text/text_dict.h"
#include "text/text_model.h"
#include "text/text_norm.h"

typedef struct note {
    char chal[8];
    char gold[64];
    char *text;
} note_t;

static note_t *notes;
static size_t n_notes;

static void load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0, ncap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        *t1 = *t2 = '\0';
        if (n_notes == ncap) {
            ncap = ncap ? ncap * 2 : 256;
            notes = text_xrealloc(notes, ncap * sizeof *notes);
        }
        note_t *x = &notes[n_notes++];
        snprintf(x->chal, sizeof x->chal, "%s", line);
        snprintf(x->gold, sizeof x->gold, "%s/%s", line, t1 + 1);
        x->text = strdup(t2 + 1);
    }
    free(line);
    fclose(f);
}

/* Gold labels as ints, and the texts, of one challenge ("" = all). */
static size_t select_notes(const char *chal, const char **texts, int *gold)
{
    size_t k = 0;
    for (size_t i = 0; i < n_notes; i++) {
        if (*chal && strcmp(notes[i].chal, chal) != 0)
            continue;
        texts[k] = notes[i].text;
        int g = -1;
        for (size_t j = 0; j < i && g < 0; j++)
            if (strcmp(notes[j].gold, notes[i].gold) == 0)
                g = (int)j;
        gold[k++] = g < 0 ? (int)i : g;
    }
    return k;
}

static double ours(const char **texts, const int *gold, size_t k, const text_options_t *o, size_t *nclust)
{
    text_clustering_t c;
    if (text_cluster(texts, k, o, &c) != 0) {
        fprintf(stderr, "text_cluster failed\n");
        exit(1);
    }
    /* Notes in cluster 0 (no telling words) count as singletons. */
    int *lab = malloc(k * sizeof *lab);
    for (size_t i = 0; i < k; i++)
        lab[i] = c.cluster[i] ? c.cluster[i] : -(int)i - 1;
    double ari = text_ari(lab, gold, k);
    if (nclust)
        *nclust = c.n_clusters;
    free(lab);
    text_clustering_free(&c);
    return ari;
}

/* The baseline: sets of raw lower-case words (split on ASCII non-alphanumerics, no stop
 * words, no stemming), Jaccard similarity, the same clustering step. */
typedef struct { char **w; size_t n; } wordset_t;

static wordset_t words_of(const char *s)
{
    wordset_t ws = {0};
    size_t cap = 0;
    const char *p = s;
    while (*p) {
        while (*p && isascii((unsigned char)*p) && !isalnum((unsigned char)*p))
            p++;
        const char *b = p;
        while (*p && !(isascii((unsigned char)*p) && !isalnum((unsigned char)*p)))
            p++;
        if (p == b)
            continue;
        char *w = strndup(b, (size_t)(p - b));
        for (char *q = w; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        int dup = 0;
        for (size_t i = 0; i < ws.n && !dup; i++)
            dup = strcmp(ws.w[i], w) == 0;
        if (dup) {
            free(w);
            continue;
        }
        if (ws.n == cap) {
            cap = cap ? cap * 2 : 8;
            ws.w = text_xrealloc(ws.w, cap * sizeof *ws.w);
        }
        ws.w[ws.n++] = w;
    }
    return ws;
}

static double baseline(const char **texts, const int *gold, size_t k, double threshold)
{
    wordset_t *ws = malloc(k * sizeof *ws);
    for (size_t i = 0; i < k; i++)
        ws[i] = words_of(texts[i]);
    float *sim = malloc(k * k * sizeof *sim);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            size_t inter = 0;
            for (size_t a = 0; a < ws[i].n; a++)
                for (size_t b = 0; b < ws[j].n; b++)
                    inter += strcmp(ws[i].w[a], ws[j].w[b]) == 0;
            size_t uni = ws[i].n + ws[j].n - inter;
            sim[i * k + j] = uni ? (float)inter / (float)uni : 0.0f;
        }
    size_t *root = malloc(k * sizeof *root);
    text_cluster_matrix(sim, k, NULL, threshold, root);
    int *lab = malloc(k * sizeof *lab);
    for (size_t i = 0; i < k; i++)
        lab[i] = (int)root[i];
    double ari = text_ari(lab, gold, k);
    for (size_t i = 0; i < k; i++) {
        for (size_t a = 0; a < ws[i].n; a++)
            free(ws[i].w[a]);
        free(ws[i].w);
    }
    free(ws);
    free(sim);
    free(root);
    free(lab);
    return ari;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* A perturbed copy of an evaluation note: a word dropped, two words swapped, a capital,
 * some filler – the variation of people writing the same thought. */
static char *perturb(const char *s)
{
    char *w[64];
    size_t n = 0;
    char *copy = strdup(s), *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    if (n > 3 && rnd() % 3 == 0) {
        size_t d = rnd() % n;
        memmove(w + d, w + d + 1, (n - d - 1) * sizeof *w);
        n--;
    }
    if (n > 2 && rnd() % 3 == 0) {
        size_t a = rnd() % (n - 1);
        char *t = w[a];
        w[a] = w[a + 1];
        w[a + 1] = t;
    }
    static const char *filler[] = {"", "", "!", "?", " idee", " misschien", " (belangrijk)", " echt"};
    const char *f = filler[rnd() % 8];
    size_t len = strlen(f) + 2;
    for (size_t i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *out = malloc(len), *p = out;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? " " : "", w[i]);
    strcpy(p, f);
    if (rnd() % 4 == 0)
        out[0] = (char)toupper((unsigned char)out[0]);
    free(copy);
    return out;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void speed_run(void)
{
    /* Speed: 1,000 notes sampled from the evaluation set and perturbed. */
    enum { N = 1000, RUNS = 7 };
    char **big = malloc(N * sizeof *big);
    for (size_t i = 0; i < N; i++)
        big[i] = perturb(notes[rnd() % n_notes].text);
    double t[RUNS], cpu[RUNS];
    size_t ncl = 0;
    text_dict_size(); /* the word list is read once per process (the server reads it at start) */
    for (int r = 0; r < RUNS; r++) {
        text_clustering_t c;
        double t0 = now_ms(), c0 = cpu_ms();
        if (text_cluster((const char *const *)big, N, NULL, &c) != 0)
            exit(1);
        t[r] = now_ms() - t0;
        cpu[r] = cpu_ms() - c0;
        ncl = c.n_clusters;
        text_clustering_free(&c);
    }
    qsort(t, RUNS, sizeof *t, cmp_d);
    qsort(cpu, RUNS, sizeof *cpu, cmp_d);
    printf("\nSpeed: clustering %d notes (whole pipeline: tokenise, stem, TF-IDF, similarity, clustering, labels)\n", N);
    printf("%-10s %10s %10s %10s %10s %14s\n", "notes", "median ms", "min ms", "max ms", "clusters", "median CPU ms");
    printf("%-10d %10.2f %10.2f %10.2f %10zu %14.2f\n", N, t[RUNS / 2], t[0], t[RUNS - 1], ncl, cpu[RUNS / 2]);
    printf("(CPU ms: the process's own CPU time, which other work on a shared machine does not inflate)\n");
    for (size_t i = 0; i < N; i++)
        free(big[i]);
    free(big);
}

/* Prints the ARI table of the loaded set; returns the mean over c1-c3 (ours, baseline). */
static void quality(const char *path, double *mean_o, double *mean_b)
{
    const char **texts = malloc(n_notes * sizeof *texts);
    int *gold = malloc(n_notes * sizeof *gold);
    static const char *chals[] = {"c1", "c2", "c3", ""};
    text_options_t def;
    text_options_default(&def);

    printf("Clustering quality: Adjusted Rand Index against the gold groups of %s\n", path);
    printf("%-10s %6s %6s %9s %9s %12s %16s\n", "challenge", "notes", "gold", "clusters", "ours", "baseline", "baseline thr.");
    double sum_o = 0, sum_b = 0;
    for (size_t c = 0; c < 4; c++) {
        size_t k = select_notes(chals[c], texts, gold);
        size_t ng = 0;
        for (size_t i = 0; i < k; i++) {
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                seen = gold[j] == gold[i];
            ng += !seen;
        }
        size_t ncl = 0;
        double o = ours(texts, gold, k, &def, &ncl);
        double best_b = -1, best_t = 0;
        for (int t = 1; t <= 60; t++) {
            double b = baseline(texts, gold, k, t / 100.0);
            if (b > best_b) {
                best_b = b;
                best_t = t / 100.0;
            }
        }
        printf("%-10s %6zu %6zu %9zu %9.3f %12.3f %16.2f\n", *chals[c] ? chals[c] : "all three", k, ng, ncl, o, best_b, best_t);
        if (c < 3) {
            sum_o += o;
            sum_b += best_b;
        }
    }
    printf("%-10s %6s %6s %9s %9.3f %12.3f\n", "mean c1-c3", "", "", "", sum_o / 3, sum_b / 3);
    *mean_o = sum_o / 3;
    *mean_b = sum_b / 3;
    free(texts);
    free(gold);
}

static void sweep_run(void)
{
    const char **texts = malloc(n_notes * sizeof *texts);
    int *gold = malloc(n_notes * sizeof *gold);
    static const char *chals[] = {"c1", "c2", "c3"};
    text_options_t def;
    text_options_default(&def);
    printf("\nSweep (mean ARI over c1-c3)\n%-28s", "threshold:");
    for (int t = 2; t <= 30; t += 2)
        printf(" %5.2f", t / 100.0);
    printf("\n");
    const char *names[] = {"default", "n-grams 3-5 weight 0.3", "n-grams only", "no stemming", "no vocabulary", "no stop words", "n-grams 4-5 weight 0.3", "n-grams 3-5 weight 0.1", "n-grams 3-5 weight 0.5", "no neighbours", "neighbours k=5", "neighbours k=12", "neighbour weight 0.3", "neighbour weight 0.7", "no concepts", "no decompounding", "no typo correction", "no word list"};
    for (int v = 0; v < 18; v++) {
        text_options_t o = def;
        if (v == 1) { o.ngram_min = 3; o.ngram_max = 5; o.ngram_weight = 0.3; }
        if (v == 2) { o.ngram_min = 3; o.ngram_max = 5; o.ngram_weight = 1.0; }
        if (v == 3) o.use_stem = 0;
        if (v == 4) o.use_vocab = 0;
        if (v == 5) o.use_stop = 0;
        if (v == 6) { o.ngram_min = 4; o.ngram_max = 5; o.ngram_weight = 0.3; }
        if (v == 7) { o.ngram_min = 3; o.ngram_max = 5; o.ngram_weight = 0.1; }
        if (v == 8) { o.ngram_min = 3; o.ngram_max = 5; o.ngram_weight = 0.5; }
        if (v == 9) o.neighbors = 0;
        if (v == 10) o.neighbors = 5;
        if (v == 11) o.neighbors = 12;
        if (v == 12) o.neighbor_weight = 0.3;
        if (v == 13) o.neighbor_weight = 0.7;
        if (v == 14) o.use_concepts = 0;
        if (v == 15) o.use_compounds = 0;
        if (v == 16) o.use_typos = 0;
        if (v == 17) o.use_dict = 0;
        printf("%-28s", names[v]);
        for (int t = 2; t <= 30; t += 2) {
            o.threshold = t / 100.0;
            double s = 0;
            for (size_t c = 0; c < 3; c++) {
                size_t k = select_notes(chals[c], texts, gold);
                s += ours(texts, gold, k, &o, NULL);
            }
            printf(" %5.3f", s / 3);
        }
        printf("\n");
    }
    free(texts);
    free(gold);
}

/* Every suggested group of each challenge with its label and size (to read the labels). */
static void label_run(void)
{
    const char **texts = malloc(n_notes * sizeof *texts);
    int *gold = malloc(n_notes * sizeof *gold);
    static const char *chals[] = {"c1", "c2", "c3"};
    for (size_t ch = 0; ch < 3; ch++) {
        size_t k = select_notes(chals[ch], texts, gold);
        text_clustering_t c;
        if (text_cluster(texts, k, NULL, &c) != 0)
            exit(1);
        printf("\nLabels of %s\n", chals[ch]);
        for (size_t g = 1; g <= c.n_clusters; g++)
            if (c.size[g] > 1)
                printf("  %3zu  %s\n", c.size[g], c.label[g]);
        text_clustering_free(&c);
    }
    free(texts);
    free(gold);
}

static void free_notes(void)
{
    for (size_t i = 0; i < n_notes; i++)
        free(notes[i].text);
    free(notes);
    notes = NULL;
    n_notes = 0;
}

int main(int argc, char **argv)
{
    const char *paths[8];
    size_t n_paths = 0;
    int sweep = 0, speed = 1, labels = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sweep") == 0)
            sweep = 1;
        else if (strcmp(argv[i], "--labels") == 0)
            labels = 1;
        else if (strcmp(argv[i], "--no-speed") == 0)
            speed = 0;
        else if (n_paths < 8)
            paths[n_paths++] = argv[i];
    }
    if (!n_paths)
        paths[n_paths++] = "data/eval/notes.tsv";
    double mo[8], mb[8];
    for (size_t p = 0; p < n_paths; p++) {
        load(paths[p]);
        if (p)
            printf("\n");
        quality(paths[p], &mo[p], &mb[p]);
        if (p == 0 && sweep)
            sweep_run();
        if (labels)
            label_run();
        if (p == 0 && speed)
            speed_run();
        free_notes();
    }
    if (n_paths > 1) {
        printf("\nSummary: mean ARI over c1-c3 per set\n%-28s %9s %12s\n", "set", "ours", "baseline");
        for (size_t p = 0; p < n_paths; p++)
            printf("%-28s %9.3f %12.3f\n", paths[p], mo[p], mb[p]);
    }
    return 0;
}
