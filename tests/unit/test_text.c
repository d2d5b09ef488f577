/* test_text – Dutch normalisation, stemming, similarity, clustering and labels (src/text). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_cluster.h"
#include "text/text_dict.h"
#include "text/text_model.h"
#include "text/text_norm.h"
#include "text/text_stem.h"
#include "text/text_stop.h"
#include "text/text_vocab.h"

static void assert_norm(const char *in, const char *want)
{
    char *got = text_normalize(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_normalize_case_accents_punctuation(void **state)
{
    assert_norm("Geëvalueerd", "geevalueerd");
    assert_norm("Geëvalueerd, door de ICT-afdeling!", "geevalueerd door de ict afdeling");
    assert_norm("ÉÉN keer   VRAGEN…", "een keer vragen");
    assert_norm("Privacy (AVG) & ‘regels’?", "privacy avg regels");
    assert_norm("  ", "");
    assert_norm("", "");
}

static void test_normalize_digits_and_apostrophes(void **state)
{
    assert_norm("Boven €135.000 europees", "boven 135.000 europees");
    assert_norm("2,5 sollicitanten in 2023.", "2,5 sollicitanten in 2023");
    assert_norm("zzp'ers en IT’ers", "zzp en it");
    assert_norm("cv's", "cv");
}

static void test_normalize_invalid_utf8(void **state)
{
    /* A lone continuation byte and a truncated sequence become separators. */
    assert_norm("data\x80lek \xc3", "data lek");
}

static void test_tokens_keep_surface(void **state)
{
    text_tokens_t t;
    text_tokens_init(&t);
    text_tokenize("Geëvalueerde Ideeën", &t);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.tok[0].surface, "geëvalueerde");
    assert_string_equal(t.tok[0].key, "geevalueerde");
    assert_string_equal(t.tok[1].surface, "ideeën");
    assert_string_equal(t.tok[1].key, "ideeen");
    assert_int_equal(t.tok[1].key_len, 6);
    /* The list is reusable: a second call replaces the contents. */
    text_tokenize("één", &t);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.tok[0].key, "een");
    text_tokens_free(&t);
    text_tokens_free(NULL);
}

static void assert_same_stem(text_stemmer_t *s, const char *a, const char *b)
{
    size_t la, lb;
    const char *ra = text_stem(s, a, strlen(a), &la);
    char *ca = strndup(ra, la);
    const char *rb = text_stem(s, b, strlen(b), &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ca, rb, la);
    free(ca);
}

static void test_stem_dutch(void **state)
{
    text_stemmer_t *s = text_stemmer_new();
    assert_same_stem(s, "gemeenten", "gemeente");
    assert_same_stem(s, "aanbestedingen", "aanbesteding");
    assert_same_stem(s, "leveranciers", "leverancier");
    size_t l;
    const char *r = text_stem(s, "2023", 4, &l);
    assert_int_equal(l, 4);
    assert_memory_equal(r, "2023", 4);
    r = text_stem(s, "gemeenten", 9, &l);
    assert_true(l < 9); /* something was actually stripped */
    text_stemmer_free(s);
    text_stemmer_free(NULL);
}

static void test_stop_words(void **state)
{
    assert_true(text_stop_is("de", 2));
    assert_true(text_stop_is("het", 3));
    assert_true(text_stop_is("misschien", 9));
    assert_true(text_stop_is("hkw", 3));
    assert_true(text_stop_is("x", 1));
    assert_false(text_stop_is("gemeente", 8));
    assert_false(text_stop_is("privacy", 7));
    assert_false(text_stop_is("5", 1));
    /* Length is honoured: "dex" is not "de". */
    assert_false(text_stop_is("dex", 3));
    assert_true(text_stop_is("dex", 2));
    for (size_t i = 1; i < text_stop_count; i++)
        assert_true(strcmp(text_stop_words[i - 1], text_stop_words[i]) < 0);
}

static void test_vocab(void **state)
{
    assert_string_equal(text_vocab_lookup("it", 2), "ict");
    assert_string_equal(text_vocab_lookup("gemeentelijke", 13), "gemeente");
    assert_string_equal(text_vocab_lookup("avg", 3), "privacy");
    assert_null(text_vocab_lookup("fiets", 5));
    assert_string_equal(text_vocab_concept("cao", 3), "salaris");
    assert_string_equal(text_vocab_concept("wachtwoord", 10), "inloggen");
    assert_string_equal(text_vocab_concept("projectbudget", 13), "geld"); /* compound head */
    assert_null(text_vocab_concept("fiets", 5));
    for (size_t i = 1; i < text_vocab_count; i++)
        assert_true(strcmp(text_vocab[i - 1].from, text_vocab[i].from) < 0);
    for (size_t i = 1; i < text_concepts_count; i++)
        assert_true(strcmp(text_concepts[i - 1].from, text_concepts[i].from) < 0);
}

static void test_similarity(void **state)
{
    const char *notes[] = {
        "Gegevensuitwisseling tussen gemeenten loopt stroef",
        "Uitwisselen van gegevens tussen gemeentes",
        "Gegevensuitwisseling tussen gemeenten loopt stroef",
        "Salaris ontwikkelaars te laag",
        "De en het",
        "Wachtwoord kwijt en DigiD werkt niet",
    };
    text_model_t *m = text_model_new(notes, 6, NULL);
    assert_int_equal(text_model_count(m), 6);
    assert_true(fabs(text_model_similarity(m, 0, 2) - 1.0) < 1e-5);
    assert_true(fabs(text_model_similarity(m, 0, 0) - 1.0) < 1e-5);
    double compound = text_model_similarity(m, 0, 1);
    assert_true(compound > 0.4);
    assert_true(text_model_similarity(m, 0, 3) < 0.05);
    assert_true(text_model_similarity(m, 3, 5) < 0.05);
    assert_true(text_model_is_empty(m, 4));
    assert_false(text_model_is_empty(m, 3));
    assert_true(text_model_similarity(m, 4, 0) == 0.0);
    /* The matrix agrees with the pairwise function. */
    float sim[36];
    text_model_similarity_matrix(m, sim);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 6; j++) {
            double want = (i == j && !text_model_is_empty(m, i)) ? 1.0 : text_model_similarity(m, i, j);
            assert_true(fabs(sim[i * 6 + j] - want) < 1e-4);
        }
    text_model_free(m);
    text_model_free(NULL);

    /* Without n-grams and decompounding the compound and its split form share only the
     * stem of "gemeenten"/"gemeentes": those two are what carries most of the match. */
    text_options_t o;
    text_options_default(&o);
    o.ngram_max = 0;
    o.use_compounds = 0;
    m = text_model_new(notes, 6, &o);
    assert_true(text_model_similarity(m, 0, 1) < compound);
    text_model_free(m);
}

static void test_cluster_matrix_average_linkage(void **state)
{
    /* s(0,1) = 0.9 merges first; {0,1} vs 2 then averages (0.2 + 0.4) / 2 = 0.3. */
    float base[9] = {1, 0.9f, 0.2f, 0.9f, 1, 0.4f, 0.2f, 0.4f, 1};
    float sim[9];
    size_t root[3];
    memcpy(sim, base, sizeof sim);
    text_cluster_matrix(sim, 3, NULL, 0.29, root);
    assert_int_equal(root[0], 0);
    assert_int_equal(root[1], 0);
    assert_int_equal(root[2], 0);
    memcpy(sim, base, sizeof sim);
    text_cluster_matrix(sim, 3, NULL, 0.31, root);
    assert_int_equal(root[0], 0);
    assert_int_equal(root[1], 0);
    assert_int_equal(root[2], 2);
    /* A skipped note is left out and reported as SIZE_MAX. */
    unsigned char skip[3] = {0, 1, 0};
    memcpy(sim, base, sizeof sim);
    text_cluster_matrix(sim, 3, skip, 0.1, root);
    assert_int_equal(root[0], 0);
    assert_int_equal(root[1], SIZE_MAX);
    assert_int_equal(root[2], 0);
    memcpy(sim, base, sizeof sim);
    text_cluster_matrix(sim, 3, NULL, 0.95, root);
    assert_int_equal(root[0], 0);
    assert_int_equal(root[1], 1);
    assert_int_equal(root[2], 2);
}

static const char *nine[] = {
    "DigiD wachtwoord kwijt, herstel duurt lang",
    "Salaris ICT'ers bij de overheid te laag",
    "Europese aanbesteding duurt maanden",
    "Inloggen met DigiD lukt ouderen niet",
    "Aanbesteding boven 135.000 euro verplicht",
    "Beloning en salaris niet marktconform",
    "Nieuw DigiD wachtwoord aanvragen moet sneller",
    "Cao en salaris te star voor ICT-specialisten",
    "Aanbestedingsregels maken de aanbesteding traag",
};

static void test_cluster_three_groups(void **state)
{
    text_clustering_t c;
    assert_int_equal(text_cluster(nine, 9, NULL, &c), 0);
    assert_int_equal(c.n_notes, 9);
    assert_int_equal(c.n_clusters, 3);
    /* Numbered by first note: DigiD = 1, salaris = 2, aanbesteding = 3. */
    const int want[9] = {1, 2, 3, 1, 3, 2, 1, 2, 3};
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(c.cluster[i], want[i]);
    assert_int_equal(c.size[0], 0);
    assert_int_equal(c.size[1], 3);
    assert_int_equal(c.size[2], 3);
    assert_int_equal(c.size[3], 3);
    assert_string_equal(c.label[0], "");
    /* Labels are phrases from the notes, as written (capital first), not joined stems. */
    assert_non_null(strstr(c.label[1], "DigiD"));
    assert_non_null(strcasestr(c.label[2], "salaris"));
    assert_non_null(strcasestr(c.label[3], "aanbesteding"));
    for (size_t k = 1; k <= 3; k++) {
        assert_null(strstr(c.label[k], "\xc2\xb7"));
        assert_true(c.label[k][0] >= 'A' && c.label[k][0] <= 'Z');
    }
    text_clustering_free(&c);
    text_clustering_free(NULL);
}

static void test_cluster_deterministic(void **state)
{
    text_clustering_t a, b;
    assert_int_equal(text_cluster(nine, 9, NULL, &a), 0);
    assert_int_equal(text_cluster(nine, 9, NULL, &b), 0);
    assert_int_equal(a.n_clusters, b.n_clusters);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(a.cluster[i], b.cluster[i]);
    for (size_t k = 0; k <= a.n_clusters; k++)
        assert_string_equal(a.label[k], b.label[k]);
    text_clustering_free(&a);
    text_clustering_free(&b);
}

static void test_cluster_threshold_controls_count(void **state)
{
    text_options_t o;
    text_options_default(&o);
    o.threshold = 1.01; /* nothing is that similar: every note on its own */
    text_clustering_t c;
    assert_int_equal(text_cluster(nine, 9, &o, &c), 0);
    assert_int_equal(c.n_clusters, 9);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(c.cluster[i], (int)i + 1);
    text_clustering_free(&c);
    o.threshold = 0.0; /* everything with any overlap at all, and more, joins */
    assert_int_equal(text_cluster(nine, 9, &o, &c), 0);
    assert_true(c.n_clusters < 3);
    text_clustering_free(&c);
}

static void test_cluster_empty_and_edge_cases(void **state)
{
    const char *notes[] = {"", "DigiD kwijt", "   !!  ", "de het een", "DigiD wachtwoord kwijt"};
    text_clustering_t c;
    assert_int_equal(text_cluster(notes, 5, NULL, &c), 0);
    assert_int_equal(c.cluster[0], 0);
    assert_int_equal(c.cluster[2], 0);
    assert_int_equal(c.cluster[3], 0);
    assert_int_equal(c.cluster[1], 1);
    assert_int_equal(c.cluster[4], 1);
    assert_int_equal(c.n_clusters, 1);
    assert_int_equal(c.size[0], 3);
    text_clustering_free(&c);

    assert_int_equal(text_cluster(NULL, 0, NULL, &c), 0);
    assert_int_equal(c.n_clusters, 0);
    text_clustering_free(&c);
    assert_int_equal(text_cluster(NULL, 3, NULL, &c), -EINVAL);
    assert_int_equal(text_cluster(notes, 5, NULL, NULL), -EINVAL);
    const char **many = calloc(TEXT_CLUSTER_MAX_NOTES + 1, sizeof *many);
    assert_int_equal(text_cluster(many, TEXT_CLUSTER_MAX_NOTES + 1, NULL, &c), -E2BIG);
    text_clustering_free(&c);
    free(many);
}

static void test_label_phrase(void **state)
{
    /* The label is a run of words of one note: the words most notes share, with what
     * joins them, capital first, no trailing punctuation. */
    const char *notes[] = {
        "gegevens uitwisselen tussen systemen.",
        "Uitwisselen van gegevens kost te veel tijd",
        "Systemen wisselen geen gegevens uit",
        "Gegevens uitwisselen gaat vaak mis",
    };
    text_model_t *m = text_model_new(notes, 4, NULL);
    size_t members[4] = {0, 1, 2, 3};
    char *label = text_model_label(m, notes, members, 4);
    assert_string_equal(label, "Gegevens uitwisselen tussen systemen");
    free(label);
    /* Accents as written; a clause break (":") is not crossed. */
    const char *acc[] = {"Geëvalueerd: gemeenten doen mee", "gemeenten geëvalueerd door het rijk", "Gemeenten geëvalueerd"};
    text_model_t *m2 = text_model_new(acc, 3, NULL);
    label = text_model_label(m2, acc, members, 3);
    assert_string_equal(label, "Gemeenten geëvalueerd");
    free(label);
    label = text_model_label(m2, acc, members, 0);
    assert_string_equal(label, "");
    free(label);
    text_model_free(m2);
    text_model_free(m);
}

static void test_dict_split(void **state)
{
    /* The word list of Debian's wdutch (scripts/deps installs it). */
    assert_true(text_dict_size() > 100000);
    assert_true(text_dict_has("gegevens", 8));
    assert_false(text_dict_has("gegvens", 7));
    size_t h, t;
    assert_int_equal(text_dict_split("gegevensuitwisseling", 20, &h, &t), 1);
    assert_int_equal(h, 8); /* "gegevens" is a word itself: no linking letter needed */
    assert_int_equal(t, 8);
    assert_int_equal(text_dict_split("vacaturetekst", 13, &h, &t), 1);
    assert_int_equal(h, 8);
    assert_int_equal(t, 8);
    assert_int_equal(text_dict_split("inkoopvoorwaarden", 17, &h, &t), 1);
    assert_int_equal(h, 6);
    assert_int_equal(t, 6);
    /* Short tails are suffixes, not words of a compound; short words are not split. */
    assert_int_equal(text_dict_split("software", 8, &h, &t), 0);
    assert_int_equal(text_dict_split("diensten", 8, &h, &t), 0);
    assert_int_equal(text_dict_split("qqqqqqqqqqqq", 12, &h, &t), 0);
}

static void test_compound_and_typo(void **state)
{
    /* "inkoopvoorwaarden" meets "inkoop" through the word list (the corpus rule alone
     * needs both parts elsewhere); "gegvens" is one edit from "gegevens". */
    const char *notes[] = {"inkoopvoorwaarden schrikken af", "inkoop bij de gemeente", "gegvens dubbel", "gegevens opnieuw"};
    text_model_t *m = text_model_new(notes, 4, NULL);
    double comp = text_model_similarity(m, 0, 1), typo = text_model_similarity(m, 2, 3);
    assert_true(comp > 0.1);
    assert_true(typo > 0.3);
    text_model_free(m);
    text_options_t o;
    text_options_default(&o);
    o.use_dict = 0;
    m = text_model_new(notes, 4, &o);
    assert_true(text_model_similarity(m, 0, 1) < 0.01);
    assert_true(text_model_similarity(m, 2, 3) < 0.01);
    text_model_free(m);
}

static void test_similar(void **state)
{
    const char *row[] = {
        "Eén loket voor alle vragen van inwoners",
        "App om DigiD-wachtwoord te herstellen via videobellen",
        "Talentpool delen tussen gemeenten",
    };
    size_t idx = 99;
    double score = -1;
    assert_int_equal(text_similar("DigiD wachtwoord herstellen met een videogesprek", row, 3, 0.3, &idx, &score), 1);
    assert_int_equal(idx, 1);
    assert_true(score >= 0.3 && score <= 1.0);
    assert_int_equal(text_similar("Eén loket voor alle vragen van inwoners", row, 3, 0.3, &idx, &score), 1);
    assert_int_equal(idx, 0);
    assert_true(fabs(score - 1.0) < 1e-5);
    idx = 99;
    assert_int_equal(text_similar("Koffie bij de lunch", row, 3, 0.3, &idx, &score), 0);
    assert_int_equal(idx, 99);
    assert_int_equal(text_similar("DigiD", row, 0, 0.3, &idx, &score), 0);
    assert_int_equal(text_similar("de het", row, 3, 0.0, &idx, &score), 0);
    assert_int_equal(text_similar(NULL, row, 3, 0.3, &idx, &score), -EINVAL);
    assert_int_equal(text_similar("x", row, 3, 0.3, NULL, &score), -EINVAL);
}

static void test_cli(void **state)
{
    const char in_text[] =
        "DigiD wachtwoord kwijt, herstel duurt lang\n"
        "\n"
        "Salaris ICT'ers bij de overheid te laag\r\n"
        "Inloggen met DigiD lukt ouderen niet\n"
        "Beloning en salaris niet marktconform";
    FILE *in = fmemopen((void *)in_text, sizeof in_text - 1, "r");
    assert_non_null(in);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(text_cluster_cli(in, out), 0);
    fclose(out);
    fclose(in);
    /* One output line per input line, in order. */
    char *lines[8];
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(buf, "\n", &save); l && n < 8; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    assert_int_equal(n, 5);
    assert_string_equal(lines[1], "0\t");
    assert_int_equal(strncmp(lines[0], "1\t", 2), 0);
    assert_int_equal(strncmp(lines[2], "2\t", 2), 0);
    assert_int_equal(strncmp(lines[3], "1\t", 2), 0);
    assert_int_equal(strncmp(lines[4], "2\t", 2), 0);
    assert_non_null(strcasestr(lines[0], "digid"));
    assert_string_equal(lines[0], lines[3]);
    assert_non_null(strcasestr(lines[2], "salaris"));
    free(buf);
}

static void test_cli_empty_input(void **state)
{
    FILE *in = tmpfile();
    assert_non_null(in);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(text_cluster_cli(in, out), 0);
    fclose(out);
    fclose(in);
    assert_int_equal(len, 0);
    free(buf);
}

static void test_ari(void **state)
{
    const int a[6] = {0, 0, 1, 1, 2, 2};
    const int b[6] = {5, 5, 7, 7, 9, 9};  /* same partition, other names */
    const int c[6] = {0, 0, 0, 0, 0, 0};
    const int d[6] = {0, 1, 2, 3, 4, 5};
    assert_true(fabs(text_ari(a, b, 6) - 1.0) < 1e-12);
    assert_true(fabs(text_ari(a, c, 6)) < 1e-12);
    assert_true(fabs(text_ari(a, d, 6)) < 1e-12);
    /* {0,0,1,1} vs {0,0,0,1}: index 1, expected 2*3/6 = 1, max 2.5 -> 0. */
    const int e[4] = {0, 0, 1, 1}, f[4] = {0, 0, 0, 1};
    assert_true(fabs(text_ari(e, f, 4)) < 1e-12);
    const int g[4] = {0, 0, 1, 2};
    /* {0,0,1,1} vs {0,0,1,2}: index 1, expected 2*1/6, max 1.5 -> (1-1/3)/(1.5-1/3) = 4/7. */
    assert_true(fabs(text_ari(e, g, 4) - 4.0 / 7.0) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_case_accents_punctuation),
        cmocka_unit_test(test_normalize_digits_and_apostrophes),
        cmocka_unit_test(test_normalize_invalid_utf8),
        cmocka_unit_test(test_tokens_keep_surface),
        cmocka_unit_test(test_stem_dutch),
        cmocka_unit_test(test_stop_words),
        cmocka_unit_test(test_vocab),
        cmocka_unit_test(test_similarity),
        cmocka_unit_test(test_cluster_matrix_average_linkage),
        cmocka_unit_test(test_cluster_three_groups),
        cmocka_unit_test(test_cluster_deterministic),
        cmocka_unit_test(test_cluster_threshold_controls_count),
        cmocka_unit_test(test_cluster_empty_and_edge_cases),
        cmocka_unit_test(test_label_phrase),
        cmocka_unit_test(test_dict_split),
        cmocka_unit_test(test_compound_and_typo),
        cmocka_unit_test(test_similar),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_cli_empty_input),
        cmocka_unit_test(test_ari),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
