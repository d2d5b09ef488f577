/* bank_text.c – the terms both full-text indexes are built from (see bank.h, bank_terms).
 *
 * One analysis for the SQLite tokenizer, the PostgreSQL term array, the query and the
 * snippet, so a word marked in a snippet is exactly a word that matched. It stands on
 * src/text: text_tokenize (case folding, accents, punctuation), text_stop, text_vocab
 * (synonyms, concept classes), text_stem (Snowball Dutch) and text_dict (wdutch compounds).
 * Two small Dutch rules are added on top of the stemmer, which leaves them apart:
 *  - a stem ending in a doubled consonant loses one ("inlogg" of "inloggen" -> "inlog",
 *    the stem of "inlog");
 *  - a past participle (ge- after an optional separable prefix, ending in -d or -t) also
 *    gives the stem of its infinitive when the word list knows it ("ingelogd" ->
 *    "inloggen", "aangevraagd" -> "aanvragen").
 */
#include "bank/bank.h"
#include "text/text_dict.h"
#include "text/text_norm.h"
#include "text/text_stem.h"
#include "text/text_stop.h"
#include "text/text_vocab.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define TERM_MAX 64

struct bank_an {
    text_stemmer_t *stem;
    text_tokens_t toks;
};

bank_an_t *bank_an_new(void)
{
    bank_an_t *a = xcalloc(1, sizeof *a);
    a->stem = text_stemmer_new();
    text_tokens_init(&a->toks);
    return a;
}

void bank_an_free(bank_an_t *a)
{
    if (a == NULL)
        return;
    text_stemmer_free(a->stem);
    text_tokens_free(&a->toks);
    free(a);
}

static int is_vowel(char ch) { return strchr("aeiouy", ch) != NULL; }

/* The stem of word w[0..n) into out (TERM_MAX bytes); returns its length. */
static size_t stem_of(bank_an_t *a, const char *w, size_t n, char *out)
{
    size_t sl;
    const char *s = text_stem(a->stem, w, n, &sl);
    if (sl >= TERM_MAX)
        sl = TERM_MAX - 1;
    memcpy(out, s, sl);
    if (sl >= 3 && s[sl - 1] == s[sl - 2] && !is_vowel(s[sl - 1]) && s[sl - 1] >= 'a' && s[sl - 1] <= 'z')
        sl--;
    out[sl] = '\0';
    return sl;
}

/* The infinitive of a past participle w[0..n), when the word list knows it; into inf. */
static int infinitive(const char *w, size_t n, char *inf)
{
    static const char *const pre[] = {"", "aan", "af", "bij", "door", "in", "mee", "na", "om", "onder",
                                      "op", "over", "samen", "terug", "toe", "uit", "vast", "voor", "weg"};
    if (n < 6 || n >= TERM_MAX - 4 || (w[n - 1] != 'd' && w[n - 1] != 't'))
        return 0;
    for (size_t p = 0; p < sizeof pre / sizeof *pre; p++) {
        size_t pl = strlen(pre[p]);
        if (n < pl + 5 || memcmp(w, pre[p], pl) != 0 || memcmp(w + pl, "ge", 2) != 0)
            continue;
        char base[TERM_MAX];
        size_t bl = 0;
        memcpy(base, w, pl);
        bl = pl;
        memcpy(base + bl, w + pl + 2, n - pl - 3);   /* without "ge" and the final d/t */
        bl += n - pl - 3;
        if (bl < 3)
            continue;
        /* "inlog" + "gen", "aanvraag" -> "aanvragen" (long vowel written once), "+en". */
        char c[TERM_MAX + 4];
        size_t cl;
        memcpy(c, base, bl);
        c[bl] = base[bl - 1];
        memcpy(c + bl + 1, "en", 2);
        cl = bl + 3;
        if (!is_vowel(base[bl - 1]) && text_dict_has(c, cl)) {
            memcpy(inf, c, cl);
            inf[cl] = '\0';
            return 1;
        }
        if (bl >= 4 && is_vowel(base[bl - 2]) && base[bl - 2] == base[bl - 3]) {
            memcpy(c, base, bl - 2);
            c[bl - 2] = base[bl - 1];
            memcpy(c + bl - 1, "en", 2);
            cl = bl + 1;
            if (text_dict_has(c, cl)) {
                memcpy(inf, c, cl);
                inf[cl] = '\0';
                return 1;
            }
        }
        memcpy(c, base, bl);
        memcpy(c + bl, "en", 2);
        cl = bl + 2;
        if (text_dict_has(c, cl)) {
            memcpy(inf, c, cl);
            inf[cl] = '\0';
            return 1;
        }
    }
    return 0;
}

typedef struct {
    char t[8][TERM_MAX + 1];
    size_t len[8];
    int n;
} termset_t;

static void ts_add(termset_t *s, const char *t, size_t len)
{
    if (len == 0 || s->n == 8)
        return;
    for (int i = 0; i < s->n; i++)
        if (s->len[i] == len && memcmp(s->t[i], t, len) == 0)
            return;
    memcpy(s->t[s->n], t, len);
    s->t[s->n][len] = '\0';
    s->len[s->n++] = len;
}

/* The terms of one token key (already case-folded and accent-free). */
static void word_terms(bank_an_t *a, const char *key, size_t len, termset_t *out)
{
    char buf[TERM_MAX];
    out->n = 0;
    if (len == 0 || len >= TERM_MAX || text_stop_is(key, len))
        return;
    const char *concept = text_vocab_concept(key, len);
    const char *syn = text_vocab_lookup(key, len);
    const char *w = syn ? syn : key;
    size_t wl = syn ? strlen(syn) : len;
    ts_add(out, buf, stem_of(a, w, wl, buf));
    if (key[0] >= '0' && key[0] <= '9')
        return;
    char inf[TERM_MAX];
    if (infinitive(key, len, inf))
        ts_add(out, buf, stem_of(a, inf, strlen(inf), buf));
    size_t hl, to;
    const char *rest = key;
    size_t rl = len;
    for (int depth = 0; depth < 2 && text_dict_split(rest, rl, &hl, &to); depth++) {
        ts_add(out, buf, stem_of(a, rest, hl, buf));
        ts_add(out, buf, stem_of(a, rest + to, rl - to, buf));
        rest += to;
        rl -= to;
    }
    if (concept) {
        buf[0] = '#';
        size_t cl = strlen(concept);
        if (cl > TERM_MAX - 2)
            cl = TERM_MAX - 2;
        memcpy(buf + 1, concept, cl);
        ts_add(out, buf, cl + 1);
    }
}

int bank_terms(bank_an_t *a, const char *text, size_t len, bank_term_cb cb, void *ud)
{
    char *s = xstrndup(text, len);
    text_tokenize(s, &a->toks);
    free(s);
    for (size_t i = 0; i < a->toks.n; i++) {
        termset_t ts;
        word_terms(a, a->toks.tok[i].key, a->toks.tok[i].key_len, &ts);
        for (int k = 0; k < ts.n; k++) {
            int rc = cb(ud, ts.t[k], ts.len[k], k > 0);
            if (rc)
                return rc;
        }
    }
    return 0;
}

json_t *bank_query_words(const char *q, size_t max)
{
    json_t *out = json_array();
    text_tokens_t t;
    text_tokens_init(&t);
    text_tokenize(q ? q : "", &t);
    for (size_t i = 0; i < t.n && json_array_size(out) < max; i++) {
        const char *k = t.tok[i].key;
        size_t n = t.tok[i].key_len, j;
        if (n >= TERM_MAX || text_stop_is(k, n))
            continue;
        for (j = 0; j < n && ((k[j] >= 'a' && k[j] <= 'z') || (k[j] >= '0' && k[j] <= '9')); j++)
            ;
        if (j < n)
            continue;   /* a number with a separator, or a letter outside a-z: not a term */
        size_t d;
        json_t *v;
        int dup = 0;
        json_array_foreach(out, d, v)
            dup |= strcmp(json_string_value(v), k) == 0;
        if (!dup)
            json_array_append_new(out, json_string(k));
    }
    text_tokens_free(&t);
    return out;
}

/* ---- snippets ----------------------------------------------------------------------------- */

typedef struct {
    termset_t *q;   /* the query's terms (up to 8 per word, words in a list) */
    size_t nq;
    int hit;
} match_t;

static int match_cb(void *ud, const char *term, size_t len, int colocated)
{
    (void)colocated;
    match_t *m = ud;
    for (size_t i = 0; i < m->nq; i++)
        for (int k = 0; k < m->q[i].n; k++)
            if (m->q[i].len[k] == len && memcmp(m->q[i].t[k], term, len) == 0) {
                m->hit = 1;
                return 1;
            }
    return 0;
}

static int word_byte(unsigned char ch)
{
    return ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

char *bank_snippet(bank_an_t *a, const char *text, const json_t *words)
{
    size_t nq = json_array_size(words), i;
    termset_t *q = xcalloc(nq ? nq : 1, sizeof *q);
    json_t *v;
    json_array_foreach(words, i, v)
        word_terms(a, json_string_value(v), strlen(json_string_value(v)), &q[i]);
    size_t len = strlen(text), cap = len * 3 + 16, o = 0, first = (size_t)-1;
    char *out = xmalloc(cap);
    for (size_t p = 0; p < len;) {
        if (!word_byte((unsigned char)text[p])) {
            /* The marks are [ and ]: a bracket of the text itself becomes its full-width
             * form (［ ］), so it is never read as a mark. */
            if (text[p] == '[' || text[p] == ']') {
                memcpy(out + o, text[p] == '[' ? "\xef\xbc\xbb" : "\xef\xbc\xbd", 3);
                o += 3;
                p++;
                continue;
            }
            out[o++] = text[p++];
            continue;
        }
        size_t e = p;
        while (e < len && word_byte((unsigned char)text[e]))
            e++;
        match_t m = {q, nq, 0};
        bank_terms(a, text + p, e - p, match_cb, &m);
        if (m.hit) {
            if (first == (size_t)-1)
                first = o;
            out[o++] = '[';
        }
        memcpy(out + o, text + p, e - p);
        o += e - p;
        if (m.hit)
            out[o++] = ']';
        p = e;
    }
    out[o] = '\0';
    free(q);
    /* Long texts (a plan, a problem statement) are cut around the first mark. */
    enum { SNIP = 240 };
    if (o <= SNIP)
        return out;
    size_t from = first != (size_t)-1 && first > SNIP / 3 ? first - SNIP / 3 : 0;
    while (from > 0 && ((unsigned char)out[from] & 0xC0) == 0x80)
        from--;
    size_t to = from + SNIP < o ? from + SNIP : o;
    while (to < o && ((unsigned char)out[to] & 0xC0) == 0x80)
        to++;
    size_t n = to - from;
    char *cut = xmalloc(n + 8);
    size_t k = 0;
    if (from > 0) {
        memcpy(cut, "…", 3);
        k = 3;
    }
    memcpy(cut + k, out + from, n);
    k += n;
    if (to < o) {
        memcpy(cut + k, "…", 3);
        k += 3;
    }
    cut[k] = '\0';
    free(out);
    return cut;
}
