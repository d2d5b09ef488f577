/* bank.c – the idea-bank benchmark: search latency over 100,000 entries.
 *
 * Builds a bank of N entries (default 100,000) from the simulator's Dutch phrases
 * (src/sim/phrases.c): race ideas, knelpunten, HKW questions, brain-dump notes and problem
 * statements of the three challenges, each varied with an organisation, a target group or a
 * second phrase, spread over 20 sprints; then runs Q searches (default 2,000) with queries
 * worded differently from the entries: HKW questions and notes of the phrases, their words
 * inflected and shuffled, single words, compounds split or joined, with and without filters
 * (kind, sprint, chosen). Each search is the whole of bank_search: the engine's index, the
 * ranking, the first page of 20 hits with snippets. Prints a markdown table of p50/p95/p99.
 *
 * Usage: build/bench-bank [--n N] [--queries Q] [--db FILE|postgresql://…] [--seed S] [--reuse 1]
 * (make bench runs it on SQLite; give a PostgreSQL URI to measure that engine.)
 */
#include "bank/bank.h"
#include "sim/phrases.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TARGET_P99_MS 20.0

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *const groups[] = {"ouderen", "ondernemers", "jongeren", "statushouders", "mantelzorgers",
                                     "ambtenaren", "inwoners", "zzp'ers", "studenten", "gemeenten"};
static const char *const kinds[] = {"idee", "knelpunt", "hkw", "probleem", "gekozen"};

/* A phrase of the bank of a challenge: one of its ideas, knelpunten, HKW questions, notes. */
static const char *phrase(const ph_bank_t *pb, int *kind)
{
    switch (rnd(5)) {
    case 0:
    case 1:
        *kind = rnd(6) == 0 ? 4 : 0;
        return pb->ideas[rnd(30)];
    case 2:
        *kind = 1;
        return pb->themes[rnd(PH_THEMES)].knelpunt;
    case 3:
        *kind = 2;
        return pb->hkw[rnd(PH_HKW_THEMES)].questions[rnd(PH_HKW)];
    default:
        *kind = rnd(2) ? 1 : 3;
        return pb->themes[rnd(PH_THEMES)].notes[rnd(PH_NOTES)];
    }
}

static json_t *make_entry(int i, int nsprints)
{
    const ph_bank_t *pb = &ph_banks[rnd(3)];
    int kind;
    const char *a = phrase(pb, &kind);
    char text[600], sprint[16], team[16];
    switch (rnd(4)) {
    case 0:
        snprintf(text, sizeof text, "%s voor %s", a, groups[rnd(10)]);
        break;
    case 1:
        snprintf(text, sizeof text, "%s, samen met %s", a, pb->organisations[rnd(8)]);
        break;
    case 2: {
        int k2;
        snprintf(text, sizeof text, "%s. %s", a, phrase(pb, &k2));
        break;
    }
    default:
        snprintf(text, sizeof text, "%s", a);
    }
    snprintf(sprint, sizeof sprint, "s%02d", i % nsprints);
    snprintf(team, sizeof team, "t%d", (int)rnd(40) + 1);
    return json_pack("{ss ss ss ss ss ss ss ss ss si si si s{} s[] ss}", "sprint", sprint, "sprint_title",
                     "Staatsprint", "date", "2026-03-12", "challenge", pb->challenge, "challenge_title", "",
                     "kind", kinds[kind], "team", team, "team_name", "Team", "text", text, "count",
                     (int)rnd(12), "chosen", kind == 4 || rnd(10) == 0, "won", rnd(40) == 0, "detail", "orgs",
                     "url", "/r/s/t");
}

/* One word in another form: a plural, a singular, a verb's other ending (Dutch rules of
 * thumb: a word the rule does not fit stays as it is). */
static void inflect(const char *w, char *out, size_t len)
{
    size_t n = strlen(w);
    switch (rnd(3)) {
    case 0:
        if (n > 5 && strcmp(w + n - 2, "en") == 0) {
            snprintf(out, len, "%.*s", (int)(n - 2), w);   /* "leveranciers"… "gemeenten" -> "gemeent" */
            return;
        }
        break;
    case 1:
        if (n > 4 && strchr("dlmnrt", w[n - 1]) && !strchr("aeiou", w[n - 2])) {
            snprintf(out, len, "%sen", w);   /* "formulier" -> "formulieren" */
            return;
        }
        break;
    default:
        break;
    }
    snprintf(out, len, "%s", w);
}

/* Rewords a phrase: some words dropped, some inflected, the order shuffled. */
static void reword(const char *src, char *out, size_t outlen)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s", src);
    char *w[64];
    int n = 0;
    for (char *t = strtok(buf, " ,.?!:;"); t && n < 64; t = strtok(NULL, " ,.?!:;"))
        w[n++] = t;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd((uint32_t)i + 1);
        char *x = w[i];
        w[i] = w[j];
        w[j] = x;
    }
    int keep = n > 4 ? 2 + (int)rnd(4) : n;
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < keep && o + 80 < outlen; i++) {
        char f[64];
        inflect(w[i], f, sizeof f);
        o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? " " : "", f);
    }
}

static void make_query(char *q, size_t len, bank_query_t *bq, int nsprints, char *sprint)
{
    const ph_bank_t *pb = &ph_banks[rnd(3)];
    int kind;
    switch (rnd(4)) {
    case 0:
        reword(pb->hkw[rnd(PH_HKW_THEMES)].questions[rnd(PH_HKW)], q, len);
        break;
    case 1:
        reword(pb->themes[rnd(PH_THEMES)].notes[rnd(PH_NOTES)], q, len);
        break;
    case 2:
        reword(phrase(pb, &kind), q, len);
        break;
    default: {
        char tmp[600];
        reword(pb->ideas[rnd(30)], tmp, sizeof tmp);
        char *sp = strchr(tmp, ' ');
        if (sp)
            *sp = '\0';   /* one word */
        snprintf(q, len, "%s", tmp);
    }
    }
    *bq = (bank_query_t){q, NULL, NULL, NULL, -1, -1, 0, 20, 0};
    switch (rnd(6)) {
    case 0:
        bq->kind = kinds[rnd(5)];
        break;
    case 1:
        snprintf(sprint, 16, "s%02d", (int)rnd((uint32_t)nsprints));
        bq->sprint = sprint;
        break;
    case 2:
        bq->chosen = 1;
        break;
    default:
        break;
    }
}

int main(int argc, char **argv)
{
    int n = 100000, nq = 2000, nsprints = 20, reuse = 0;
    const char *db = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--n") == 0)
            n = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--queries") == 0)
            nq = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--db") == 0)
            db = argv[i + 1];
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0)
            rng = strtoull(argv[i + 1], NULL, 10) | 1;
        else {
            fprintf(stderr, "usage: bench-bank [--n N] [--queries Q] [--db FILE|URI] [--seed S] [--reuse 1]\n");
            return 2;
        }
    }
    char tmpdb[64] = "";
    if (db == NULL) {
        snprintf(tmpdb, sizeof tmpdb, "/tmp/sp-bench-bank-%ld.db", (long)getpid());
        db = tmpdb;
    }
    bank_t *b;
    char err[256];
    if (bank_open(db, &b, err, sizeof err) != 0) {
        fprintf(stderr, "bench-bank: %s\n", err);
        return 1;
    }
    /* Build: one put per sprint (a sprint is indexed whole); --reuse keeps a bank of the
     * same size that an earlier run left (--db FILE given). */
    double t0 = now_ms();
    int64_t head = 0;
    bank_flags_t ifl;
    char last[16];
    snprintf(last, sizeof last, "s%02d", nsprints - 1);
    if (reuse && bank_indexed(b, last, &head, &ifl) == 0 && head == n) {
        for (int i = 0; i < n; i++)
            json_decref(make_entry(i, nsprints));   /* the same random stream as a build */
        goto built;
    }
    json_t **per = calloc((size_t)nsprints, sizeof *per);
    for (int s = 0; s < nsprints; s++)
        per[s] = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(per[i % nsprints], make_entry(i, nsprints));
    for (int s = 0; s < nsprints; s++) {
        char id[16];
        snprintf(id, sizeof id, "s%02d", s);
        bank_flags_t fl = {1, 1, 0, s % 2};
        if (bank_put(b, id, n, &fl, per[s]) != 0) {
            fprintf(stderr, "bench-bank: indexing failed\n");
            return 1;
        }
        json_decref(per[s]);
    }
    free(per);
built:;
    double build = now_ms() - t0;
    /* Warm-up, then the measured searches. */
    double *lat = calloc((size_t)nq, sizeof *lat);
    long long hits = 0, total = 0;
    int empty = 0;
    for (int i = 0; i < nq + 50; i++) {
        char q[600], sprint[16];
        bank_query_t bq;
        make_query(q, sizeof q, &bq, nsprints, sprint);
        json_t *res;
        double s0 = now_ms();
        if (bank_search(b, &bq, &res) != 0) {
            fprintf(stderr, "bench-bank: search failed: %s\n", q);
            return 1;
        }
        double dt = now_ms() - s0;
        if (getenv("BENCH_BANK_DEBUG") && (dt > 20 || json_integer_value(json_object_get(res, "total")) == 0))
            fprintf(stderr, "%.1f ms total %lld q=%s kind=%s sprint=%s chosen=%d\n", dt,
                    (long long)json_integer_value(json_object_get(res, "total")), q, bq.kind ? bq.kind : "",
                    bq.sprint ? bq.sprint : "", bq.chosen);
        if (i >= 50) {
            lat[i - 50] = dt;
            hits += (long long)json_array_size(json_object_get(res, "hits"));
            total += json_integer_value(json_object_get(res, "total"));
            empty += json_integer_value(json_object_get(res, "total")) == 0;
        }
        json_decref(res);
    }
    qsort(lat, (size_t)nq, sizeof *lat, cmp_double);
    double p50 = lat[nq / 2], p95 = lat[(size_t)(nq * 0.95)], p99 = lat[(size_t)(nq * 0.99)], mx = lat[nq - 1];
    printf("| engine | entries | build s | queries | p50 ms | p95 ms | p99 ms | max ms | matches/query | empty | target p99 | met |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    printf("| %s | %d | %.1f | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %d | < %.0f ms | %s |\n",
           strncmp(db, "postgres", 8) == 0 ? "PostgreSQL" : "SQLite FTS5", n, build / 1000.0, nq, p50, p95, p99, mx,
           (double)total / nq, empty, TARGET_P99_MS, p99 < TARGET_P99_MS ? "yes" : "NO");
    (void)hits;
    free(lat);
    bank_close(b);
    if (tmpdb[0]) {
        char p[96];
        unlink(tmpdb);
        snprintf(p, sizeof p, "%s-wal", tmpdb);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", tmpdb);
        unlink(p);
    }
    return 0;
}
