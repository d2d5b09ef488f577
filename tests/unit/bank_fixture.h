/* bank_fixture.h – one search suite for both engines of the idea bank (SQLite, PostgreSQL).
 *
 * The entries are written by hand from the contract (SPRINTS.md, docs/bank-schema.json),
 * not made by our extraction: two sprints, March (public) and September (not public). */
#ifndef SP_BANK_FIXTURE_H
#define SP_BANK_FIXTURE_H

#include "bank/bank.h"

#include <string.h>

static json_t *bf_entry(const char *sprint, const char *challenge, const char *kind, const char *team,
                        const char *text, int count, int chosen, int won)
{
    char url[64];
    snprintf(url, sizeof url, "/r/%s/%s", sprint, team);
    return json_pack("{ss ss ss ss ss ss ss ss ss si si si s{} s[] ss}", "sprint", sprint, "sprint_title",
                     strcmp(sprint, "maart") == 0 ? "Staatsprint maart" : "Staatsprint september", "date",
                     strcmp(sprint, "maart") == 0 ? "2026-03-12" : "2026-09-17", "challenge", challenge,
                     "challenge_title", "Uitdaging", "kind", kind, "team", team, "team_name", "Team", "text", text,
                     "count", count, "chosen", chosen, "won", won, "detail", "orgs", "url", url);
}

static void bf_fill(bank_t *b)
{
    json_t *m = json_array(), *s = json_array();
    json_array_append_new(m, bf_entry("maart", "c1", "idee", "t1", "Inloggen met DigiD makkelijker maken voor ouderen", 5, 1, 1));
    json_array_append_new(m, bf_entry("maart", "c2", "idee", "t2", "Eén aanvraagformulier voor alle toeslagen", 2, 0, 0));
    json_array_append_new(m, bf_entry("maart", "c1", "knelpunt", "t1", "Wachtwoorden vergeten bij elke gemeente", 7, 0, 1));
    json_array_append_new(m, bf_entry("maart", "c2", "probleem", "t3", "Burgers weten niet welke gegevens de overheid over hen heeft", 0, 0, 0));
    json_array_append_new(s, bf_entry("september", "c1", "idee", "t1", "Ingelogd blijven op de website van de gemeente", 3, 0, 0));
    json_array_append_new(s, bf_entry("september", "c2", "gekozen", "t2", "Een formulier voor de aanvraag in gewone taal", 4, 1, 0));
    bank_flags_t pub = {1, 1, 0, 1}, priv = {1, 1, 0, 0};
    assert_int_equal(bank_put(b, "maart", 40, &pub, m), 0);
    assert_int_equal(bank_put(b, "september", 30, &priv, s), 0);
    json_decref(m);
    json_decref(s);
}

static json_t *bf_search(bank_t *b, const char *q, const char *sprint, const char *kind, int chosen, int won,
                         int pub)
{
    bank_query_t bq = {q, sprint, NULL, kind, chosen, won, pub, 0, 0};
    json_t *out = NULL;
    assert_int_equal(bank_search(b, &bq, &out), 0);
    assert_non_null(out);
    return out;
}

static int bf_has(const json_t *res, const char *text)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(res, "hits"), i, h)
        if (strcmp(json_string_value(json_object_get(h, "text")), text) == 0)
            return 1;
    return 0;
}

static long long bf_total(const json_t *res) { return json_integer_value(json_object_get(res, "total")); }

/* The suite: inflection, compounds, filters, public only, snippets, ranking, replacing. */
static void bf_suite(bank_t *b)
{
    bf_fill(b);
    /* "ingelogd" finds "Inloggen met DigiD" and "Ingelogd blijven"; nothing about forms. */
    json_t *r = bf_search(b, "ingelogd", NULL, NULL, -1, -1, 0);
    assert_true(bf_has(r, "Inloggen met DigiD makkelijker maken voor ouderen"));
    assert_true(bf_has(r, "Ingelogd blijven op de website van de gemeente"));
    assert_false(bf_has(r, "Eén aanvraagformulier voor alle toeslagen"));
    json_decref(r);
    /* "DigiD-inlog" (a hyphenated compound, another form) finds the same idea first. */
    r = bf_search(b, "problemen met DigiD-inlog", NULL, NULL, -1, -1, 0);
    assert_true(bf_total(r) >= 2);
    json_t *first = json_array_get(json_object_get(r, "hits"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "text")), "Inloggen met DigiD makkelijker maken voor ouderen");
    assert_string_equal(json_string_value(json_object_get(first, "snippet")), "[Inloggen] met [DigiD] makkelijker maken voor ouderen");
    assert_string_equal(json_string_value(json_object_get(first, "url")), "/r/maart/t1");
    /* Ranked: best first, each rank no better than the one before. */
    double prev = 1e300;
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(r, "hits"), i, h) {
        double rk = json_real_value(json_object_get(h, "rank"));
        assert_true(rk <= prev);
        prev = rk;
    }
    json_decref(r);
    /* Compounds both ways: "formulier" finds "aanvraagformulier"; "aanvraagformulieren"
     * finds "formulier voor de aanvraag". */
    r = bf_search(b, "formulier", NULL, NULL, -1, -1, 0);
    assert_true(bf_has(r, "Eén aanvraagformulier voor alle toeslagen"));
    assert_true(bf_has(r, "Een formulier voor de aanvraag in gewone taal"));
    json_decref(r);
    r = bf_search(b, "aanvraagformulieren", NULL, NULL, -1, -1, 0);
    assert_true(bf_has(r, "Een formulier voor de aanvraag in gewone taal"));
    assert_true(bf_has(r, "Eén aanvraagformulier voor alle toeslagen"));
    json_decref(r);
    /* Filters. */
    r = bf_search(b, "ingelogd", "september", NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 1);
    assert_true(bf_has(r, "Ingelogd blijven op de website van de gemeente"));
    json_decref(r);
    r = bf_search(b, "inloggen wachtwoord", NULL, "knelpunt", -1, -1, 0);
    assert_int_equal(bf_total(r), 1);
    assert_true(bf_has(r, "Wachtwoorden vergeten bij elke gemeente"));
    json_decref(r);
    r = bf_search(b, "ingelogd", NULL, NULL, 1, -1, 0);
    assert_int_equal(bf_total(r), 1);
    assert_true(bf_has(r, "Inloggen met DigiD makkelijker maken voor ouderen"));
    json_decref(r);
    r = bf_search(b, "formulier", NULL, NULL, -1, 1, 0);
    assert_int_equal(bf_total(r), 0);
    json_decref(r);
    r = bf_search(b, "gemeente", NULL, NULL, -1, 0, 0);
    assert_true(bf_has(r, "Ingelogd blijven op de website van de gemeente"));
    assert_false(bf_has(r, "Wachtwoorden vergeten bij elke gemeente"));
    json_decref(r);
    /* Public only: September is not public. */
    r = bf_search(b, "ingelogd formulier", NULL, NULL, -1, -1, 1);
    assert_true(bf_has(r, "Inloggen met DigiD makkelijker maken voor ouderen"));
    assert_false(bf_has(r, "Ingelogd blijven op de website van de gemeente"));
    assert_false(bf_has(r, "Een formulier voor de aanvraag in gewone taal"));
    json_decref(r);
    int npub = -1;
    assert_int_equal(bank_public_count(b, &npub), 0);
    assert_int_equal(npub, 1);
    /* Paging: the total stays, the page moves. */
    bank_query_t pq = {"ingelogd formulier gemeente", NULL, NULL, NULL, -1, -1, 0, 2, 2};
    assert_int_equal(bank_search(b, &pq, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r, "hits")), 2);
    assert_true(bf_total(r) >= 4);
    json_decref(r);
    /* Only stop words: nothing; a bad filter: refused. */
    r = bf_search(b, "hoe kunnen we het", NULL, NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 0);
    json_decref(r);
    bank_query_t bad = {"inloggen", NULL, NULL, "geheim", -1, -1, 0, 0, 0};
    assert_int_equal(bank_search(b, &bad, &r), BANK_EINVAL);
    /* Re-indexing replaces, dropping removes. */
    int64_t head;
    bank_flags_t fl;
    assert_int_equal(bank_indexed(b, "maart", &head, &fl), 0);
    assert_int_equal(head, 40);
    assert_true(fl.pub);
    json_t *one = json_array();
    json_array_append_new(one, bf_entry("maart", "c1", "idee", "t1", "Een app voor de parkeervergunning", 1, 0, 0));
    bank_flags_t pub = {1, 1, 0, 1};
    assert_int_equal(bank_put(b, "maart", 41, &pub, one), 0);
    json_decref(one);
    r = bf_search(b, "inloggen", "maart", NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 0);
    json_decref(r);
    r = bf_search(b, "parkeervergunningen", NULL, NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 1);
    json_decref(r);
    assert_int_equal(bank_drop(b, "september"), 0);
    r = bf_search(b, "ingelogd", NULL, NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 0);
    json_decref(r);
    json_t *all;
    assert_int_equal(bank_all(b, 0, NULL, &all), 0);
    assert_int_equal(json_array_size(all), 1);
    json_decref(all);
}

/* A large bank where one word is everywhere: the search ranks over the rare word first
 * (both engines cap the entries they rank), and the total still says how many match. */
static void bf_large(bank_t *b)
{
    json_t *many = json_array();
    for (int i = 0; i < 6500; i++) {
        char text[96];
        snprintf(text, sizeof text, "De gemeente regelt onderwerp %d", i);
        json_array_append_new(many, bf_entry("groot", "c1", "knelpunt", "t1", text, 0, 0, 0));
    }
    json_array_append_new(many, bf_entry("groot", "c1", "idee", "t2", "Een parkeervergunning van de gemeente", 0, 0, 0));
    bank_flags_t fl = {1, 1, 0, 1};
    assert_int_equal(bank_put(b, "groot", 1, &fl, many), 0);
    json_decref(many);
    json_t *r = bf_search(b, "gemeentelijke parkeervergunningen", "groot", NULL, -1, -1, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r, "hits"), 0), "text")),
                        "Een parkeervergunning van de gemeente");
    assert_true(bf_total(r) >= 6500);
    json_decref(r);
    /* A common word alone still answers, best first. */
    r = bf_search(b, "gemeenten", NULL, "idee", -1, -1, 0);
    assert_int_equal(json_array_size(json_object_get(r, "hits")), 1);
    json_decref(r);
}

#endif
