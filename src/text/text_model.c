/* text_model – TF-IDF vectors of Dutch notes (stems + character n-grams) and cosine similarity. */
#include "text/text_model.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_dict.h"
#include "text/text_norm.h"
#include "text/text_stem.h"
#include "text/text_stop.h"
#include "text/text_vocab.h"

/*
 * Design notes.
 *  - Features are 64-bit FNV-1a hashes of the feature text; the top bit says whether it is
 *    a word (stem) or a character n-gram. A collision between two different features is
 *    possible in principle and would only add a sliver of similarity; with a few thousand
 *    features per model its chance is about 1e-12.
 *  - After counting, the distinct hashes of the whole model are sorted and numbered, so
 *    every vector is a list of (feature id, weight) sorted by id: a dot product is a merge,
 *    and the inverted index (postings per id, sorted by note) is a counting sort.
 *  - Invariant: every vector has unit length or is empty; weights are > 0.
 *  - Nothing here depends on hash-table iteration order or on time, so the same notes in
 *    the same order always give the same model.
 */

#define WORD_BIT (UINT64_C(1) << 63)

typedef struct feat {
    uint32_t id;
    float w;
} feat_t;

typedef struct term { /* a word of a note, for labels */
    uint64_t hash;    /* the word feature's hash */
    uint32_t surface; /* offset of the surface form in the model's arena */
} term_t;

struct text_model {
    text_options_t opt;
    size_t n;
    size_t *vec_start; /* n + 1: note i's features are feats[vec_start[i] .. vec_start[i+1]) */
    feat_t *feats;
    size_t nfeat;      /* distinct features */
    uint64_t *fhash;   /* nfeat, sorted */
    float *idf;        /* nfeat */
    size_t *term_start; /* n + 1 */
    term_t *terms;
    char *arena;
};

/* Chosen with `bench/text.sh --sweep` on data/eval/notes.tsv, preferring the middle of a
 * plateau over its peak. Issue 19: character n-grams are off (the sweep's "n-grams 3-5
 * weight 0.3", the old default, scores 0.36 at 0.10 against 0.42 without them, and their
 * one use, typos, is served by the word list's typo correction); a mean ARI of 0.40-0.42
 * holds for thresholds 0.08-0.14. A lower threshold makes fewer, larger groups; on a
 * wall it is easier to merge two groups than to split one. */
void text_options_default(text_options_t *o)
{
    o->threshold = 0.10;
    o->ngram_weight = 0.3;
    o->ngram_min = 3;
    o->ngram_max = 0;
    o->use_stop = 1;
    o->use_vocab = 1;
    o->use_stem = 1;
    o->use_concepts = 1;
    o->use_compounds = 1;
    o->use_typos = 1;
    o->use_dict = 1;
    o->neighbors = 8;
    o->neighbor_weight = 0.5;
}

static uint64_t fnv(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}
#define FNV_BASIS UINT64_C(0xcbf29ce484222325)

/* Growable arrays, kept deliberately plain. */
typedef struct { uint64_t *v; size_t n, cap; } u64vec_t;
static void u64_push(u64vec_t *a, uint64_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->v = text_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static size_t find_hash(const uint64_t *h, size_t n, uint64_t x)
{
    return text_lower_bound(h, n, x); /* callers only look up hashes that are present */
}

typedef struct btok { /* a content token of a note, after stop words and synonyms */
    uint32_t key;        /* offset of the canonical key in the arena */
    uint32_t key_len;
    uint32_t surface;    /* offset of the surface form in the arena */
    uint32_t stem_len;
    uint64_t stem_hash;  /* word feature hash */
    const char *concept; /* static, or NULL */
} btok_t;

typedef struct builder {
    text_stemmer_t *stem;
    btok_t *tok;
    size_t ntok, tok_cap;
    size_t *tok_start;   /* n + 1 */
    uint64_t *stems;     /* sorted distinct hashes of stems of >= 4 bytes (decompounding) */
    size_t nstems;
    u64vec_t raw;        /* feature hashes of all notes, note after note */
    size_t *raw_start;   /* n + 1 */
    term_t *terms;
    size_t nterms, terms_cap;
    char *arena;
    size_t arena_len, arena_cap;
} builder_t;

static uint32_t arena_add(builder_t *b, const char *s)
{
    size_t len = strlen(s);
    if (b->arena_len + len + 1 > b->arena_cap) {
        size_t cap = b->arena_cap ? b->arena_cap * 2 : 4096;
        while (cap < b->arena_len + len + 1)
            cap *= 2;
        b->arena = text_xrealloc(b->arena, cap);
        b->arena_cap = cap;
    }
    uint32_t off = (uint32_t)b->arena_len;
    memcpy(b->arena + off, s, len + 1);
    b->arena_len += len + 1;
    return off;
}

static void add_term(builder_t *b, uint64_t hash, uint32_t surface)
{
    if (b->nterms == b->terms_cap) {
        b->terms_cap = b->terms_cap ? b->terms_cap * 2 : 256;
        b->terms = text_xrealloc(b->terms, b->terms_cap * sizeof *b->terms);
    }
    b->terms[b->nterms].hash = hash;
    b->terms[b->nterms].surface = surface;
    b->nterms++;
}

static uint32_t arena_addn(builder_t *b, const char *s, size_t len)
{
    char tmp[64];
    if (len >= sizeof tmp)
        len = sizeof tmp - 1; /* keys this long are not words; keep a prefix */
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return arena_add(b, tmp);
}

/* Pass 1: the content tokens of one note, canonical and stemmed. */
static void collect(builder_t *b, const text_options_t *o, const text_tokens_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *key = t->tok[i].key;
        size_t len = t->tok[i].key_len;
        if (o->use_stop && text_stop_is(key, len))
            continue;
        btok_t bt = {0};
        if (o->use_concepts)
            bt.concept = text_vocab_concept(key, len);
        if (o->use_vocab) {
            const char *syn = text_vocab_lookup(key, len);
            if (syn) {
                key = syn;
                len = strlen(syn);
            }
        }
        const char *word = key;
        size_t wlen = len;
        if (o->use_stem)
            word = text_stem(b->stem, key, len, &wlen);
        bt.stem_hash = fnv(FNV_BASIS, word, wlen) | WORD_BIT;
        bt.stem_len = (uint32_t)wlen;
        bt.key = arena_addn(b, key, len);
        bt.key_len = (uint32_t)strlen(b->arena + bt.key);
        bt.surface = arena_add(b, t->tok[i].surface);
        if (b->ntok == b->tok_cap) {
            b->tok_cap = b->tok_cap ? b->tok_cap * 2 : 256;
            b->tok = text_xrealloc(b->tok, b->tok_cap * sizeof *b->tok);
        }
        b->tok[b->ntok++] = bt;
    }
}

static int has_stem(const builder_t *b, const char *s, size_t len)
{
    if (len < 4)
        return 0;
    uint64_t h = fnv(FNV_BASIS, s, len) | WORD_BIT;
    size_t at = find_hash(b->stems, b->nstems, h);
    return at < b->nstems && b->stems[at] == h;
}

/*
 * Corpus-driven decompounding. Dutch writes compounds as one word, and a stemmer leaves
 * them whole, so "gegevensuitwisseling" and "uitwisselen van gegevens" would share no
 * word. When a long word splits into a head and a tail that both occur as stems of other
 * words in these notes, the two stems are added as word features. The head may carry a
 * linking "s", "e" or "en" ("gegevens|uitwisseling" -> "gegeven"), the tail an
 * inflection of up to 4 bytes ("uitwisseling" -> "uitwissel"). Only stems seen in the
 * notes count, so no dictionary is needed and nothing foreign is invented.
 * Writes up to two hashes to `out` and returns how many.
 */
static int decompound(const builder_t *b, const char *key, size_t len, uint64_t out[2])
{
    if (len < 9 || b->nstems == 0)
        return 0;
    for (size_t p = 4; p + 4 <= len; p++) {
        size_t hl = 0;
        static const char *const link[] = {"", "s", "e", "en"};
        for (size_t q = 0; q < 4 && !hl; q++) {
            size_t ll = strlen(link[q]);
            if (p > ll + 3 && memcmp(key + p - ll, link[q], ll) == 0 && has_stem(b, key, p - ll))
                hl = p - ll;
        }
        if (!hl)
            continue;
        const char *tail = key + p;
        size_t tl = len - p;
        for (size_t cut = 0; cut <= 4 && cut + 4 <= tl; cut++)
            if (has_stem(b, tail, tl - cut)) {
                out[0] = fnv(FNV_BASIS, key, hl) | WORD_BIT;
                out[1] = fnv(FNV_BASIS, tail, tl - cut) | WORD_BIT;
                return 2;
            }
    }
    return 0;
}

/* True when a and b (lengths la, lb) differ by one edit: a letter changed, added,
 * dropped, or two neighbours swapped ("uitvagen"/"uitvragen", "gegvens"/"gegevens"). */
static int one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > lb)
        return one_edit(b, lb, a, la);
    if (lb - la > 1)
        return 0;
    size_t i = 0;
    while (i < la && a[i] == b[i])
        i++;
    if (i == la)
        return lb == la + 1; /* b is a plus one letter at the end (equal words are no typo) */
    if (la == lb) {
        if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
            return 1; /* one letter changed */
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               memcmp(a + i + 2, b + i + 2, la - i - 2) == 0; /* a swap */
    }
    return memcmp(a + i, b + i + 1, la - i) == 0; /* one letter added in b */
}

/*
 * Typos. A word of at least 6 bytes that the word list does not know, and that one edit
 * turns into a word another note uses which the list does know, takes that word's stem
 * ("gegvens" -> "gegeven"). Needs the word list: without it nothing is corrected. Takes
 * the place of character n-grams, which also matched typos but blurred every other
 * note (bench/text.sh --sweep: "n-grams 3-5" against "no n-grams").
 */
static void fix_typos(builder_t *b)
{
    if (text_dict_size() == 0)
        return;
    for (size_t k = 0; k < b->ntok; k++) {
        btok_t *t = &b->tok[k];
        const char *key = b->arena + t->key;
        if (t->key_len < 6 || (key[0] >= '0' && key[0] <= '9') || text_dict_has(key, t->key_len))
            continue;
        for (size_t q = 0; q < b->ntok; q++) {
            const btok_t *u = &b->tok[q];
            const char *uk = b->arena + u->key;
            if (u->stem_hash == t->stem_hash || !one_edit(key, t->key_len, uk, u->key_len) ||
                !text_dict_has(uk, u->key_len))
                continue;
            t->stem_hash = u->stem_hash;
            t->stem_len = u->stem_len;
            break;
        }
    }
}

/* Pass 2: the raw feature hashes of note i (with repeats: they become tf). */
static void featurize(builder_t *b, const text_options_t *o, size_t i)
{
    for (size_t k = b->tok_start[i]; k < b->tok_start[i + 1]; k++) {
        const btok_t *bt = &b->tok[k];
        const char *key = b->arena + bt->key;
        size_t len = bt->key_len;
        u64_push(&b->raw, bt->stem_hash);
        add_term(b, bt->stem_hash, bt->surface);
        if (bt->concept)
            u64_push(&b->raw, fnv(fnv(FNV_BASIS, "#", 1), bt->concept, strlen(bt->concept)) | WORD_BIT);
        if (key[0] >= '0' && key[0] <= '9')
            continue; /* parts and n-grams of numbers only add noise */
        uint64_t parts[2];
        int np = o->use_compounds ? decompound(b, key, len, parts) : 0;
        size_t hl, to;
        if (!np && o->use_compounds && o->use_dict && text_dict_split(key, len, &hl, &to)) {
            /* The word list knows both parts; a part counts when another note uses it as
             * a word ("inkoop|voorwaarden" meets "inkoop"): a part no note uses would
             * only dilute the vector. */
            size_t sl;
            const char *st = text_stem(b->stem, key, hl, &sl);
            if (has_stem(b, st, sl))
                parts[np++] = fnv(FNV_BASIS, st, sl) | WORD_BIT;
            st = text_stem(b->stem, key + to, len - to, &sl);
            if (has_stem(b, st, sl))
                parts[np++] = fnv(FNV_BASIS, st, sl) | WORD_BIT;
        }
        for (int q = 0; q < np; q++)
            u64_push(&b->raw, parts[q]);
        for (int g = o->ngram_min; g <= o->ngram_max; g++) {
            if ((size_t)g > len)
                break;
            for (size_t p = 0; p + (size_t)g <= len; p++) {
                uint64_t h = fnv(fnv(FNV_BASIS, "g", 1), key + p, (size_t)g) & ~WORD_BIT;
                u64_push(&b->raw, h);
            }
        }
    }
}

static void normalize_part(feat_t *f, size_t n, const uint64_t *fhash, int want_word, double scale)
{
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (((fhash[f[i].id] & WORD_BIT) != 0) == want_word)
            ss += (double)f[i].w * f[i].w;
    if (ss <= 0)
        return;
    double k = scale / sqrt(ss);
    for (size_t i = 0; i < n; i++)
        if (((fhash[f[i].id] & WORD_BIT) != 0) == want_word)
            f[i].w = (float)(f[i].w * k);
}

static int has_part(const feat_t *f, size_t n, const uint64_t *fhash, int want_word)
{
    for (size_t i = 0; i < n; i++)
        if (((fhash[f[i].id] & WORD_BIT) != 0) == want_word)
            return 1;
    return 0;
}

text_model_t *text_model_new(const char *const *texts, size_t n, const text_options_t *opt)
{
    text_model_t *m = text_xrealloc(NULL, sizeof *m);
    memset(m, 0, sizeof *m);
    if (opt)
        m->opt = *opt;
    else
        text_options_default(&m->opt);
    text_options_t *o = &m->opt;
    if (o->ngram_min < 2)
        o->ngram_min = 2;
    if (o->ngram_max > 8)
        o->ngram_max = 8;
    m->n = n;

    builder_t b = {0};
    b.stem = text_stemmer_new();
    b.raw_start = text_xrealloc(NULL, (n + 1) * sizeof *b.raw_start);
    m->term_start = text_xrealloc(NULL, (n + 1) * sizeof *m->term_start);
    b.tok_start = text_xrealloc(NULL, (n + 1) * sizeof *b.tok_start);
    text_tokens_t tok;
    text_tokens_init(&tok);
    for (size_t i = 0; i < n; i++) {
        b.tok_start[i] = b.ntok;
        text_tokenize(texts[i] ? texts[i] : "", &tok);
        collect(&b, o, &tok);
    }
    b.tok_start[n] = b.ntok;
    text_tokens_free(&tok);
    if (o->use_typos && o->use_dict)
        fix_typos(&b);
    b.stems = text_xrealloc(NULL, (b.ntok ? b.ntok : 1) * sizeof *b.stems);
    for (size_t k = 0; k < b.ntok; k++)
        if (b.tok[k].stem_len >= 4)
            b.stems[b.nstems++] = b.tok[k].stem_hash;
    if (b.nstems > 1)
        qsort(b.stems, b.nstems, sizeof *b.stems, cmp_u64);
    size_t ns = 0;
    for (size_t k = 0; k < b.nstems; k++)
        if (ns == 0 || b.stems[ns - 1] != b.stems[k])
            b.stems[ns++] = b.stems[k];
    b.nstems = ns;
    for (size_t i = 0; i < n; i++) {
        b.raw_start[i] = b.raw.n;
        m->term_start[i] = b.nterms;
        featurize(&b, o, i);
        /* Sorted per note so repeats are adjacent (tf) and df counts each note once. */
        if (b.raw.n - b.raw_start[i] > 1)
            qsort(b.raw.v + b.raw_start[i], b.raw.n - b.raw_start[i], sizeof *b.raw.v, cmp_u64);
    }
    b.raw_start[n] = b.raw.n;
    m->term_start[n] = b.nterms;
    text_stemmer_free(b.stem);
    free(b.tok);
    free(b.tok_start);
    free(b.stems);
    m->terms = b.terms;
    m->arena = b.arena;

    /* Distinct features with document frequency. */
    uint64_t *all = text_xrealloc(NULL, (b.raw.n ? b.raw.n : 1) * sizeof *all);
    size_t na = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = b.raw_start[i]; k < b.raw_start[i + 1]; k++)
            if (k == b.raw_start[i] || b.raw.v[k] != b.raw.v[k - 1])
                all[na++] = b.raw.v[k];
    if (na > 1)
        qsort(all, na, sizeof *all, cmp_u64);
    m->fhash = text_xrealloc(NULL, (na ? na : 1) * sizeof *m->fhash);
    uint32_t *df = text_xrealloc(NULL, (na ? na : 1) * sizeof *df);
    size_t nf = 0;
    for (size_t k = 0; k < na; k++) {
        if (nf && m->fhash[nf - 1] == all[k]) {
            df[nf - 1]++;
        } else {
            m->fhash[nf] = all[k];
            df[nf++] = 1;
        }
    }
    free(all);
    m->nfeat = nf;
    m->idf = text_xrealloc(NULL, (nf ? nf : 1) * sizeof *m->idf);
    for (size_t k = 0; k < nf; k++)
        m->idf[k] = (float)(log((1.0 + (double)n) / (1.0 + df[k])) + 1.0);
    free(df);

    /* Vectors. */
    m->vec_start = text_xrealloc(NULL, (n + 1) * sizeof *m->vec_start);
    m->feats = text_xrealloc(NULL, (b.raw.n ? b.raw.n : 1) * sizeof *m->feats);
    size_t nv = 0;
    double gw = o->ngram_max >= o->ngram_min ? o->ngram_weight : 0.0;
    if (gw < 0)
        gw = 0;
    if (gw > 1)
        gw = 1;
    for (size_t i = 0; i < n; i++) {
        m->vec_start[i] = nv;
        size_t k = b.raw_start[i], end = b.raw_start[i + 1];
        while (k < end) {
            size_t r = k;
            while (r < end && b.raw.v[r] == b.raw.v[k])
                r++;
            uint32_t id = (uint32_t)find_hash(m->fhash, nf, b.raw.v[k]);
            m->feats[nv].id = id;
            m->feats[nv].w = (float)((1.0 + log((double)(r - k))) * m->idf[id]);
            nv++;
            k = r;
        }
        feat_t *f = m->feats + m->vec_start[i];
        size_t cnt = nv - m->vec_start[i];
        int hw = has_part(f, cnt, m->fhash, 1), hg = has_part(f, cnt, m->fhash, 0);
        normalize_part(f, cnt, m->fhash, 1, hg ? sqrt(1.0 - gw) : 1.0);
        normalize_part(f, cnt, m->fhash, 0, hw ? sqrt(gw) : 1.0);
        /* Both parts are now unit length times their scale; with one part missing or a
         * zero weight the whole is rescaled so it stays a unit vector. */
        double ss = 0;
        for (size_t q = 0; q < cnt; q++)
            ss += (double)f[q].w * f[q].w;
        if (ss > 0) {
            size_t keep = 0;
            double inv = 1.0 / sqrt(ss);
            for (size_t q = 0; q < cnt; q++) {
                float w = (float)(f[q].w * inv);
                if (w > 0.0f) {
                    f[keep] = f[q];
                    f[keep].w = w;
                    keep++;
                }
            }
            nv = m->vec_start[i] + keep;
        }
    }
    m->vec_start[n] = nv;
    free(b.raw.v);
    free(b.raw_start);
    return m;
}

void text_model_free(text_model_t *m)
{
    if (!m)
        return;
    free(m->vec_start);
    free(m->feats);
    free(m->fhash);
    free(m->idf);
    free(m->term_start);
    free(m->terms);
    free(m->arena);
    free(m);
}

size_t text_model_count(const text_model_t *m)
{
    return m->n;
}

int text_model_is_empty(const text_model_t *m, size_t i)
{
    return m->vec_start[i] == m->vec_start[i + 1];
}

double text_model_similarity(const text_model_t *m, size_t i, size_t j)
{
    const feat_t *a = m->feats + m->vec_start[i], *ae = m->feats + m->vec_start[i + 1];
    const feat_t *b = m->feats + m->vec_start[j], *be = m->feats + m->vec_start[j + 1];
    double dot = 0;
    while (a < ae && b < be) {
        if (a->id < b->id)
            a++;
        else if (a->id > b->id)
            b++;
        else
            dot += (double)(a++)->w * (b++)->w;
    }
    return dot > 1.0 ? 1.0 : dot; /* rounding may overshoot by an ulp */
}

void text_model_similarity_matrix(const text_model_t *m, float *sim)
{
    size_t n = m->n, nf = m->nfeat;
    memset(sim, 0, n * n * sizeof *sim);
    /* Postings per feature, sorted by note (notes are visited in order). */
    size_t *ps = text_xrealloc(NULL, (nf + 1) * sizeof *ps);
    memset(ps, 0, (nf + 1) * sizeof *ps);
    for (size_t k = 0; k < m->vec_start[n]; k++)
        ps[m->feats[k].id + 1]++;
    for (size_t f = 0; f < nf; f++)
        ps[f + 1] += ps[f];
    size_t *cur = text_xrealloc(NULL, (nf ? nf : 1) * sizeof *cur);
    memcpy(cur, ps, nf * sizeof *cur);
    uint32_t *pdoc = text_xrealloc(NULL, (m->vec_start[n] ? m->vec_start[n] : 1) * sizeof *pdoc);
    float *pw = text_xrealloc(NULL, (m->vec_start[n] ? m->vec_start[n] : 1) * sizeof *pw);
    for (size_t i = 0; i < n; i++)
        for (size_t k = m->vec_start[i]; k < m->vec_start[i + 1]; k++) {
            size_t at = cur[m->feats[k].id]++;
            pdoc[at] = (uint32_t)i;
            pw[at] = m->feats[k].w;
        }
    /* Row i gathers only notes after i: cur[f] walks each posting list once, so at note i
     * it points just past i's own posting. */
    memcpy(cur, ps, nf * sizeof *cur);
    for (size_t i = 0; i < n; i++) {
        float *row = sim + i * n;
        for (size_t k = m->vec_start[i]; k < m->vec_start[i + 1]; k++) {
            uint32_t f = m->feats[k].id;
            float w = m->feats[k].w;
            size_t from = ++cur[f], to = ps[f + 1];
            for (size_t p = from; p < to; p++)
                row[pdoc[p]] += w * pw[p];
        }
        if (m->vec_start[i] != m->vec_start[i + 1])
            row[i] = 1.0f;
        for (size_t j = i + 1; j < n; j++) {
            if (row[j] > 1.0f)
                row[j] = 1.0f;
            sim[j * n + i] = row[j];
        }
    }
    free(ps);
    free(cur);
    free(pdoc);
    free(pw);
}

/* ---- labels ---- */

typedef struct lterm {
    uint64_t hash;
    const char *surface;
    uint32_t note;
} lterm_t;

static int cmp_lterm(const void *pa, const void *pb)
{
    const lterm_t *a = pa, *b = pb;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    int c = strcmp(a->surface, b->surface);
    if (c)
        return c;
    return (a->note > b->note) - (a->note < b->note);
}

typedef struct cand {
    uint64_t hash;
    double score;
    size_t cdf;
} cand_t;

static int cmp_cand_hash(const void *pa, const void *pb)
{
    const cand_t *a = pa, *b = pb;
    return (a->hash > b->hash) - (a->hash < b->hash);
}

static double cand_weight(const cand_t *c, size_t nc, uint64_t h)
{
    size_t lo = 0, hi = nc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nc && c[lo].hash == h ? c[lo].score : 0.0;
}

enum { PHRASE_WORDS = 5, NOTE_WORDS = 48, LABEL_MAX = 80 };

typedef struct pword {
    const char *s; /* into the note's text */
    size_t len;
    double w;      /* how much the word tells about the group */
    int content;   /* a word with a telling token (not a stop word, not punctuation) */
    int stop_after; /* the word ends a clause (":", ";", ".", "?", "!") */
} pword_t;

/* The words of one note, split on spaces, each weighed by its tokens' group weight. */
static size_t phrase_words(const text_model_t *m, text_stemmer_t *st, text_tokens_t *tok,
                           const char *text, const cand_t *c, size_t nc, pword_t *w)
{
    size_t n = 0;
    const char *p = text;
    while (*p && n < NOTE_WORDS) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        const char *b = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        if (p == b)
            break;
        char buf[128];
        size_t len = (size_t)(p - b) < sizeof buf - 1 ? (size_t)(p - b) : sizeof buf - 1;
        memcpy(buf, b, len);
        buf[len] = '\0';
        text_tokenize(buf, tok);
        pword_t x = {b, (size_t)(p - b), 0.0, 0, 0};
        char last = b[x.len - 1];
        x.stop_after = last == ':' || last == ';' || last == ',' || last == '.' || last == '?' || last == '!';
        for (size_t t = 0; t < tok->n; t++) {
            const char *key = tok->tok[t].key;
            size_t kl = tok->tok[t].key_len;
            if ((m->opt.use_stop && text_stop_is(key, kl)) || kl < 3)
                continue; /* "af", "in": particles do not carry a label */
            x.content = 1;
            if (m->opt.use_vocab) {
                const char *syn = text_vocab_lookup(key, kl);
                if (syn) {
                    key = syn;
                    kl = strlen(syn);
                }
            }
            size_t sl = kl;
            const char *stem = m->opt.use_stem ? text_stem(st, key, kl, &sl) : key;
            double v = cand_weight(c, nc, fnv(FNV_BASIS, stem, sl) | WORD_BIT);
            if (v > x.w)
                x.w = v;
        }
        if (tok->n == 0)
            x.stop_after = 1; /* a dash, arrow or "=" between words breaks the phrase */
        w[n++] = x;
    }
    return n;
}

/*
 * Labels a person would write: a short phrase taken from one of the group's notes, not a
 * list of stems. Every word of the group gets a weight (how many of its notes use it,
 * times its idf; only words at least two notes share, unless none is shared); in every
 * note, every run of 1..5 words that starts and ends with a telling word and does not
 * cross a clause break (":", ",", ".", "?", "-", "->", ...) scores the sum of its weights less
 * a little per word; the best run of all notes wins (ties: the shorter, then the earlier
 * note). "Gegevens uitwisselen tussen systemen" stays as written, capital first.
 */
char *text_model_label(const text_model_t *m, const char *const *texts, const size_t *members, size_t k)
{
    size_t total = 0;
    for (size_t q = 0; q < k; q++)
        total += m->term_start[members[q] + 1] - m->term_start[members[q]];
    lterm_t *lt = text_xrealloc(NULL, (total ? total : 1) * sizeof *lt);
    size_t nl = 0;
    for (size_t q = 0; q < k; q++)
        for (size_t t = m->term_start[members[q]]; t < m->term_start[members[q] + 1]; t++) {
            lt[nl].hash = m->terms[t].hash;
            lt[nl].surface = m->arena + m->terms[t].surface;
            lt[nl].note = (uint32_t)members[q];
            nl++;
        }
    qsort(lt, nl, sizeof *lt, cmp_lterm);
    cand_t *c = text_xrealloc(NULL, (nl ? nl : 1) * sizeof *c);
    size_t nc = 0, shared = 0;
    double top = 0;
    for (size_t a = 0; a < nl;) {
        size_t e = a;
        while (e < nl && lt[e].hash == lt[a].hash)
            e++;
        size_t cdf = 0;
        for (size_t s = a; s < e; s++) {
            int dup = 0;
            for (size_t r = a; r < s && !dup; r++)
                dup = lt[r].note == lt[s].note;
            cdf += !dup;
        }
        size_t id = find_hash(m->fhash, m->nfeat, lt[a].hash);
        c[nc].hash = lt[a].hash;
        c[nc].cdf = cdf;
        c[nc].score = (double)cdf * (id < m->nfeat && m->fhash[id] == lt[a].hash ? m->idf[id] : 1.0);
        shared += cdf >= 2;
        nc++;
        a = e;
    }
    free(lt);
    /* In a group, a word only one of its notes uses does not describe the group. */
    for (size_t q = 0; q < nc; q++) {
        if (k >= 2 && shared && c[q].cdf < 2)
            c[q].score *= 0.25; /* may fill out a phrase, never carry it */
        if (c[q].score > top)
            top = c[q].score;
    }
    qsort(c, nc, sizeof *c, cmp_cand_hash);

    text_stemmer_t *st = text_stemmer_new();
    text_tokens_t tok;
    text_tokens_init(&tok);
    pword_t *w = text_xrealloc(NULL, NOTE_WORDS * sizeof *w);
    const char *best_s = NULL;
    size_t best_len = 0, best_words = 0;
    double best = 0;
    double per_word = 0.15 * top, whole = 0.25 * top;
    for (size_t q = 0; q < k && top > 0; q++) {
        const char *text = texts[members[q]] ? texts[members[q]] : "";
        size_t nw = phrase_words(m, st, &tok, text, c, nc, w);
        for (size_t i = 0; i < nw; i++) {
            if (!w[i].content || w[i].w <= 0)
                continue;
            double sum = 0;
            for (size_t j = i; j < nw && j < i + PHRASE_WORDS; j++) {
                if (j > i && w[j - 1].stop_after)
                    break;
                sum += w[j].w;
                if (!w[j].content)
                    continue; /* a run ends on a telling word */
                size_t words = j - i + 1;
                double score = sum - per_word * (double)words;
                if (words >= 2)
                    score += whole * (i == 0 && j + 1 == nw ? 2.0 : 1.0); /* a phrase reads better than a word */
                if (score > best + 1e-9 || (score > best - 1e-9 && best_s && words < best_words)) {
                    best = score;
                    best_s = w[i].s;
                    best_len = (size_t)(w[j].s + w[j].len - w[i].s);
                    best_words = words;
                }
            }
        }
    }
    free(w);
    text_tokens_free(&tok);
    text_stemmer_free(st);
    free(c);

    /* Trim punctuation around the run, keep it short, capital first. */
    while (best_len && strchr("\"'(<[*-", *best_s)) {
        best_s++;
        best_len--;
    }
    while (best_len && strchr(".,:;?!\"')>]*-", best_s[best_len - 1]))
        best_len--;
    if (best_len > LABEL_MAX) {
        best_len = LABEL_MAX;
        while (best_len && ((unsigned char)best_s[best_len] & 0xc0) == 0x80)
            best_len--; /* do not cut a UTF-8 sequence */
    }
    char *out = text_xrealloc(NULL, best_len + 1);
    if (best_len)
        memcpy(out, best_s, best_len);
    out[best_len] = '\0';
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    return out;
}

/* ---- near-duplicates ---- */

int text_similar(const char *text, const char *const *existing, size_t n, double threshold,
                 size_t *index, double *score)
{
    if (!text || (!existing && n) || !index || !score)
        return -EINVAL;
    if (n == 0)
        return 0;
    const char **all = text_xrealloc(NULL, (n + 1) * sizeof *all);
    memcpy(all, existing, n * sizeof *all);
    all[n] = text;
    text_model_t *m = text_model_new(all, n + 1, NULL);
    free(all);
    int found = 0;
    double best = -1;
    size_t bi = 0;
    if (!text_model_is_empty(m, n)) {
        for (size_t i = 0; i < n; i++) {
            double s = text_model_similarity(m, n, i);
            if (s > best) {
                best = s;
                bi = i;
            }
        }
        if (best >= threshold && best > 0) {
            *index = bi;
            *score = best;
            found = 1;
        }
    }
    text_model_free(m);
    return found;
}
