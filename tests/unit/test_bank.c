/* test_bank.c – the idea bank: the tokenizer, extraction from a report document, search on
 * SQLite (FTS5 with our tokenizer), bank_sync over archived sprints, and "this came up
 * before" in the core (core_set_priors, idea.before). PostgreSQL: test_bank_pg.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bank/bank.h"
#include "bank_fixture.h"
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "core_fixture.h"
#include "core_day.h"
#include "log/event.h"
#include "report/model.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the tokenizer ------------------------------------------------------------------------- */

static int add_term(void *ud, const char *term, size_t len, int colocated)
{
    (void)colocated;
    json_array_append_new(ud, json_stringn(term, len));
    return 0;
}

static json_t *terms(bank_an_t *a, const char *text)
{
    json_t *t = json_array();
    assert_int_equal(bank_terms(a, text, strlen(text), add_term, t), 0);
    return t;
}

static int share(bank_an_t *a, const char *x, const char *y)
{
    json_t *tx = terms(a, x), *ty = terms(a, y), *u, *v;
    size_t i, j;
    int found = 0;
    json_array_foreach(tx, i, u)
        json_array_foreach(ty, j, v)
            found |= strcmp(json_string_value(u), json_string_value(v)) == 0;
    json_decref(tx);
    json_decref(ty);
    return found;
}

static void test_tokenizer(void **state)
{
    (void)state;
    bank_an_t *a = bank_an_new();
    /* Inflection, a participle, a hyphenated compound: one family. */
    assert_true(share(a, "inloggen", "ingelogd"));
    assert_true(share(a, "inloggen", "DigiD-inlog"));
    assert_true(share(a, "ingelogd", "DigiD-inlog"));
    assert_true(share(a, "aanvraagformulier", "formulier"));
    assert_true(share(a, "aanvraagformulieren", "aanvraag"));
    assert_true(share(a, "aangevraagd", "aanvragen"));
    assert_true(share(a, "Geëvalueerd", "GEEVALUEERD"));
    /* Words that are not related stay apart. */
    assert_false(share(a, "inloggen", "formulier"));
    assert_false(share(a, "gemeente", "aanvraag"));
    /* Stop words give no term at all. */
    json_t *t = terms(a, "de het een van hoe");
    assert_int_equal(json_array_size(t), 0);
    json_decref(t);
    /* The first term of a word is at its own position, the rest colocated. */
    t = terms(a, "aanvraagformulier");
    assert_true(json_array_size(t) >= 3);
    json_decref(t);
    /* Query words: stop words out, duplicates once, nothing but a-z and 0-9. */
    json_t *w = bank_query_words("Hoe kunnen we het INLOGGEN, inloggen en 'DigiD-inlog' verbeteren?", 16);
    assert_int_equal(json_array_size(w), 4);
    assert_string_equal(json_string_value(json_array_get(w, 0)), "inloggen");
    assert_string_equal(json_string_value(json_array_get(w, 1)), "digid");
    assert_string_equal(json_string_value(json_array_get(w, 2)), "inlog");
    char *s = bank_snippet(a, "Sneller ingelogd met de DigiD-app, zonder aanvraagformulier", w);
    assert_string_equal(s, "Sneller [ingelogd] met de [DigiD]-app, zonder aanvraagformulier");
    free(s);
    s = bank_snippet(a, "Inloggen [met] DigiD]", w);   /* brackets of the text are no marks */
    assert_string_equal(s, "[Inloggen] ［met］ [DigiD]］");
    free(s);
    json_decref(w);
    bank_an_free(a);
}

/* ---- extraction from a document written from docs/report-schema.json ------------------------- */

static const char report_doc[] =
    "{\"$schema\":\"https://staatsprint.nl/schema/report-1.json\",\"version\":1,\"names\":false,\"head\":900,"
    "\"sprint\":{\"id\":\"test-sprint\",\"title\":\"Staatsprint maart\",\"title_en\":\"\",\"date\":\"2026-03-12\","
    "\"venue\":\"Den Haag\",\"organiser\":\"BZK\"},"
    "\"challenges\":[{\"id\":\"c1\",\"title\":\"Digitale overheid\",\"question\":\"\",\"problem\":\"\"}],"
    "\"teams\":[{\"id\":\"t1\",\"name\":\"De Bronnen\",\"room\":\"r1\",\"challenge\":\"c1\","
    "\"members\":[{\"id\":\"m1\",\"organisation\":\"Gemeente Zwolle\",\"role\":\"Architect\",\"team_roles\":[]},"
    "{\"id\":\"m2\",\"organisation\":\"Belastingdienst\",\"role\":\"\",\"team_roles\":[]},"
    "{\"id\":\"m3\",\"organisation\":\"Gemeente Zwolle\",\"role\":\"\",\"team_roles\":[]}],"
    "\"problems\":{\"clusters\":[],\"unclustered\":[\"Gedeeld briefje\"]},"
    "\"knelpunten\":{\"revealed\":true,\"items\":[{\"id\":\"i1\",\"text\":\"Wachtwoorden vergeten\",\"cluster\":\"\",\"dots\":7},"
    "{\"id\":\"i2\",\"text\":\"Te veel formulieren\",\"cluster\":\"\",\"dots\":3}]},"
    "\"themes\":{\"clusters\":[{\"id\":\"k1\",\"name\":\"Toegang\",\"notes\":[\"Hoe kunnen we inloggen makkelijker maken?\"],"
    "\"dots\":4,\"chosen\":true}],\"unclustered\":[\"Hoe kunnen we minder vragen?\"],\"revealed\":true,\"decided_by_captain\":false},"
    "\"canvases\":{\"problem\":{\"issue\":\"Ouderen lukt het inloggen niet\",\"owner\":\"Logius\",\"activity\":\"\",\"result\":\"\"},"
    "\"pitch\":{\"idea\":\"Inloggen met een pasje\",\"team_name\":\"De Bronnen\"},\"plan\":{\"impact\":\"Groot\"}},"
    "\"race\":{\"rounds\":[{\"round\":1,\"count\":2,\"duration_ms\":300000}],\"total\":2,\"won\":true},"
    "\"ideas\":[{\"id\":\"n1\",\"text\":\"Inloggen met een pasje\",\"round\":1,\"ts\":1,\"elapsed_ms\":1,\"votes\":3,\"chosen\":true},"
    "{\"id\":\"n2\",\"text\":\"Eén loket\",\"round\":1,\"ts\":2,\"elapsed_ms\":2,\"votes\":null,\"chosen\":false}],"
    "\"chosen\":[{\"id\":\"n1\",\"text\":\"Inloggen met een pasje\",\"votes\":3,"
    "\"milestones\":[{\"at\":0,\"kind\":\"role\",\"text\":\"Kwartiermaker\"}]}],\"ideas_decided_by_captain\":false}],"
    "\"jury\":{\"criteria\":[],\"phase\":\"announced\",\"results\":{\"teams\":[{\"team\":\"t1\",\"name\":\"De Bronnen\","
    "\"room\":\"r1\",\"challenge\":\"c1\",\"rank\":1,\"jurors\":3,\"mean\":8.5,\"normalised\":1.2,\"spread\":0.5,"
    "\"disagree\":false,\"tied\":false,\"tiebreak_used\":false,\"criteria\":{}}],\"winners\":{}}}}";

static const json_t *entry_of(const json_t *entries, const char *kind, int nth)
{
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
        if (strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0 && nth-- == 0)
            return e;
    return NULL;
}

static void test_extract_document(void **state)
{
    (void)state;
    json_t *doc = json_loads(report_doc, 0, NULL);
    assert_non_null(doc);
    json_t *en = bank_extract(doc, "maart", 0);
    /* 2 knelpunten, 2 HKW, 1 problem, 2 ideas, 1 chosen, 1 jury. */
    assert_int_equal(json_array_size(en), 9);
    const json_t *k = entry_of(en, "knelpunt", 0);
    assert_string_equal(json_string_value(json_object_get(k, "text")), "Wachtwoorden vergeten");
    assert_int_equal(json_integer_value(json_object_get(k, "count")), 7);
    assert_string_equal(json_string_value(json_object_get(k, "sprint")), "maart");
    assert_string_equal(json_string_value(json_object_get(k, "sprint_title")), "Staatsprint maart");
    assert_string_equal(json_string_value(json_object_get(k, "challenge_title")), "Digitale overheid");
    assert_string_equal(json_string_value(json_object_get(k, "url")), "/r/maart/t1");
    assert_int_equal(json_integer_value(json_object_get(k, "won")), 1);   /* the jury placed t1 first */
    assert_int_equal(json_array_size(json_object_get(k, "orgs")), 0);    /* orgs not allowed */
    const json_t *h = entry_of(en, "hkw", 0);
    assert_int_equal(json_integer_value(json_object_get(h, "chosen")), 1);
    assert_int_equal(json_integer_value(json_object_get(h, "count")), 4);
    assert_int_equal(json_integer_value(json_object_get(entry_of(en, "hkw", 1), "chosen")), 0);
    assert_string_equal(json_string_value(json_object_get(entry_of(en, "probleem", 0), "text")),
                        "Ouderen lukt het inloggen niet – Logius");
    const json_t *i2 = entry_of(en, "idee", 1);
    assert_int_equal(json_integer_value(json_object_get(i2, "count")), 0);   /* votes null: never revealed */
    assert_int_equal(json_integer_value(json_object_get(i2, "chosen")), 0);
    const json_t *g = entry_of(en, "gekozen", 0);
    assert_int_equal(json_integer_value(json_object_get(g, "chosen")), 1);
    const json_t *det = json_object_get(g, "detail");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(det, "milestones"), 0), "text")),
                        "Kwartiermaker");
    assert_string_equal(json_string_value(json_object_get(json_object_get(det, "plan"), "impact")), "Groot");
    const json_t *j = entry_of(en, "jury", 0);
    assert_string_equal(json_string_value(json_object_get(j, "text")), "De Bronnen: Inloggen met een pasje");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "detail"), "place")), 1);
    assert_true(json_real_value(json_object_get(json_object_get(j, "detail"), "total")) == 8.5);
    /* Nothing of the brain dump, no member ids, no person at all. */
    char *all = json_dumps(en, 0);
    assert_null(strstr(all, "Gedeeld briefje"));
    assert_null(strstr(all, "\"m1\""));
    free(all);
    json_decref(en);
    /* With orgs: each organisation once. */
    en = bank_extract(doc, "maart", 1);
    const json_t *orgs = json_object_get(json_array_get(en, 0), "orgs");
    assert_int_equal(json_array_size(orgs), 2);
    assert_string_equal(json_string_value(json_array_get(orgs, 0)), "Gemeente Zwolle");
    json_decref(en);
    json_decref(doc);
}

/* ---- search on SQLite -------------------------------------------------------------------------- */

static void test_search_sqlite(void **state)
{
    (void)state;
    char dir[] = "/tmp/sp-bank-XXXXXX", db[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/bank.db", dir);
    bank_t *b;
    assert_int_equal(bank_open(db, &b, err, sizeof err), 0);
    bf_suite(b);
    bf_large(b);
    bank_close(b);
    /* The index is in the file: a new connection finds what was put. */
    assert_int_equal(bank_open(db, &b, err, sizeof err), 0);
    json_t *r = bf_search(b, "parkeren vergunning", "maart", NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 1);
    json_decref(r);
    bank_close(b);
    day_rm_db(dir, db);
}

/* ---- two sprints played through the core, archived, synced; priors ------------------------------ */

/* A day of the fixture sprint; priors (may be NULL) handed to its core first. */
static void day_with(day_t *y, const json_t *priors)
{
    day_init(y);
    if (priors)
        core_set_priors(y->c, priors);
}

/* Moves team k (captain w) to step; votes on the way are revealed. */
static void team_to(day_t *y, int k, const who_t *w, const char *step)
{
    int target = playbook_find(&y->c->pb, step);
    while (y->c->teams[k].step < target) {
        int rc = run(y, w, "step.next", NULL);
        if (rc == SP_E_VOTE_NOT_REVEALED) {
            assert_int_equal(run(y, w, "vote.reveal", NULL), 0);
            rc = run(y, w, "step.next", NULL);
        }
        assert_int_equal(rc, 0);
    }
}

/* t2 (Dirk) stays in the brain dump with a private note; t1 races with the ideas given
 * (round 1: ideas[0..n1), round 2: the rest), votes, and reaches the pitch. */
static void play(day_t *y, const char *secret, const char *const *ideas, size_t n1, size_t n)
{
    assert_int_equal(run(y, &y->a, "roles.set", "{ss}", "captain", y->a.actor), 0);
    assert_int_equal(run(y, &y->d, "roles.set", "{ss}", "captain", y->d.actor), 0);
    team_to(y, 1, &y->d, "p1-dump");
    assert_int_equal(run(y, &y->d, "note.add", "{ss}", "text", secret), 0);
    team_to(y, 0, &y->a, "p3-race");
    assert_int_equal(run(y, &y->f1, "race.start", "{sf}", "minutes", 1.0), 0);
    assert_true(core_clock_running(y->c));   /* the round's end is to be waited for */
    for (size_t i = 0; i < n; i++) {
        if (i == n1) {
            y->now += 60000;
            core_tick(y->c, y->now, &y->log);
            assert_int_equal(run(y, &y->f1, "race.start", "{sf}", "minutes", 1.0), 0);
        }
        y->now += 1000;
        assert_int_equal(run(y, i % 2 ? &y->b : &y->a, "note.add", "{ss}", "text", ideas[i]), 0);
    }
    y->now += 60000;
    core_tick(y->c, y->now, &y->log);
    team_to(y, 0, &y->a, "p3-vote");
}

/* The organiser archives the sprint with these publication choices (sprint.archive). */
static void archive(day_t *y, int bank, int orgs, int pub)
{
    who_t org;
    assert_int_equal(core_auth(y->c, "hash-org", &org), 0);
    assert_int_equal(run(y, &org, "sprint.archive", "{sb sb sb sb}", "bank", bank, "orgs", orgs, "public", pub,
                         "confirm", 1), 0);
}

static const char *const ideas_a[] = {"Inloggen met DigiD makkelijker maken voor ouderen",
                                      "Eén aanvraagformulier voor alle toeslagen",
                                      "Een chatbot die vragen over de WOZ beantwoordt"};
static const char *const ideas_c[] = {"Parkeervergunning automatisch verlengen",
                                      "Gratis koffie in elk stadskantoor"};

static void test_sync_and_priors(void **state)
{
    (void)state;
    char dir[] = "/tmp/sp-bank-XXXXXX", db[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/dagen.db", dir);
    store_t *st;
    assert_int_equal(store_open(db, &st, err, sizeof err), 0);
    /* Sprint A: banked and public. Sprint C: archived without the bank. Sprint D: live
     * (the same day as C, not archived). */
    day_t ya, y;
    day_with(&ya, NULL);
    play(&ya, "Geheime wachtwoordkluis voor alle ambtenaren", ideas_a, 2, 3);
    archive(&ya, 1, 0, 1);
    assert_int_equal(log_append(st, "sprint-a", &ya.log), 0);
    size_t a_written = ya.log.n;
    day_with(&y, NULL);
    play(&y, "Nog een geheim", ideas_c, 1, 2);
    assert_int_equal(log_append(st, "sprint-d", &y.log), 0);
    archive(&y, 0, 0, 1);
    assert_int_equal(log_append(st, "sprint-c", &y.log), 0);
    day_free(&y);
    int changed = -1;
    assert_int_equal(bank_sync(db, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(bank_sync(db, &changed), 0);
    assert_int_equal(changed, 0);   /* nothing new: nothing re-indexed */

    bank_t *b;
    assert_int_equal(bank_open(db, &b, err, sizeof err), 0);
    json_t *r = bf_search(b, "ingelogd", NULL, NULL, -1, -1, 0);
    assert_true(bf_has(r, "Inloggen met DigiD makkelijker maken voor ouderen"));
    json_t *first = json_array_get(json_object_get(r, "hits"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "sprint")), "sprint-a");
    assert_string_equal(json_string_value(json_object_get(first, "kind")), "idee");
    json_decref(r);
    /* The private note of A and everything of C are never found. */
    r = bf_search(b, "wachtwoordkluis ambtenaren geheim", NULL, NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 0);
    json_decref(r);
    r = bf_search(b, "parkeervergunning verlengen", NULL, NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 0);
    json_decref(r);
    bank_close(b);

    /* Published later with bank: false – A leaves the bank. Then back in. */
    json_t *pri;
    assert_int_equal(bank_priors(db, &pri), 0);
    assert_int_equal(json_array_size(pri), 3);   /* three ideas of A, nothing else of any kind */

    /* A new sprint with these priors: a near-duplicate gets idea.before, round 1 to its
     * author only, after round 1 to the team and the room's desk; C's idea and the secret
     * give none. */
    json_t *extra = json_deep_copy(pri);
    day_with(&y, extra);
    json_decref(extra);
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "captain", y.a.actor), 0);
    team_to(&y, 0, &y.a, "p3-race");
    assert_int_equal(run(&y, &y.f1, "race.start", "{sf}", "minutes", 1.0), 0);
    size_t mark = y.log.n;
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "DigiD inloggen makkelijker maken voor ouderen"), 0);
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Parkeervergunning automatisch verlengen"), 0);
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Een wachtwoordkluis voor alle ambtenaren"), 0);
    int seen_member = 0, seen_other = 0;
    for (size_t i = mark; i < y.log.n; i++) {
        const ev_t *ev = &y.log.v[i];
        if (strcmp(ev->type, "idea.before") != 0)
            continue;
        if (ev->aud_kind == AUD_MEMBER && strcmp(ev->aud_id, y.a.actor) == 0) {
            seen_member++;
            assert_string_equal(json_string_value(json_object_get(ev->data, "sprint")), "sprint-a");
            assert_string_equal(json_string_value(json_object_get(ev->data, "text")), ideas_a[0]);
            assert_string_equal(json_string_value(json_object_get(ev->data, "kind")), "idee");
            assert_true(json_real_value(json_object_get(ev->data, "score")) >= 0.5);
            assert_non_null(json_object_get(ev->data, "chosen"));
            assert_non_null(json_object_get(ev->data, "won"));
        } else {
            seen_other++;
        }
    }
    assert_int_equal(seen_member, 1);
    assert_int_equal(seen_other, 0);   /* round 1: no team, no desk, nothing for the others */
    mark = y.log.n;
    y.now += 60000;
    core_tick(y.c, y.now, &y.log);   /* round 1 ends: the team reads the ideas */
    int team = 0, desk = 0, other = 0;
    for (size_t i = mark; i < y.log.n; i++) {
        const ev_t *ev = &y.log.v[i];
        if (strcmp(ev->type, "idea.before") != 0)
            continue;
        if (ev->aud_kind == AUD_TEAM && strcmp(ev->aud_id, "t1") == 0)
            team++;
        else if (ev->aud_kind == AUD_DESK && strcmp(ev->aud_id, "r1") == 0)
            desk++;
        else
            other++;
        assert_string_equal(json_string_value(json_object_get(ev->data, "text")), ideas_a[0]);
    }
    assert_int_equal(team, 1);
    assert_int_equal(desk, 1);
    assert_int_equal(other, 0);
    /* The ballot of the idea vote: hinted ideas are not hinted twice. */
    mark = y.log.n;
    assert_int_equal(run(&y, &y.f1, "race.start", "{sf}", "minutes", 1.0), 0);
    y.now += 1000;
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Eén formulier voor alle toeslagen aanvragen"), 0);
    y.now += 60000;
    core_tick(y.c, y.now, &y.log);
    team_to(&y, 0, &y.a, "p3-vote");
    team = 0;
    for (size_t i = mark; i < y.log.n; i++)
        if (strcmp(y.log.v[i].type, "idea.before") == 0 && y.log.v[i].aud_kind == AUD_TEAM) {
            team++;
            assert_string_equal(json_string_value(json_object_get(y.log.v[i].data, "text")), ideas_a[1]);
        }
    assert_int_equal(team, 1);
    /* Replaying the log gives the same core: no second hint for a hinted idea. */
    core_t *again = core_new();
    for (size_t i = 0; i < y.log.n; i++)
        assert_int_equal(core_apply(again, &y.log.v[i]), 0);
    core_free(again);
    day_free(&y);

    /* Without priors (an unpublished sprint gives none): no hint at all. */
    json_t *none = json_array();
    json_array_append_new(none, json_pack("{ss ss ss}", "kind", "knelpunt", "text",
                                          "DigiD inloggen makkelijker maken voor ouderen", "sprint", "x"));
    day_with(&y, none);
    json_decref(none);
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "captain", y.a.actor), 0);
    team_to(&y, 0, &y.a, "p3-race");
    assert_int_equal(run(&y, &y.f1, "race.start", "{sf}", "minutes", 1.0), 0);
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "DigiD inloggen makkelijker maken voor ouderen"), 0);
    assert_null(fixture_find_last(&y.log, "idea.before"));   /* a knelpunt is no prior */
    day_free(&y);

    /* bank: false later (sprint.publish on the archive): A leaves the bank, its priors go. */
    who_t org;
    assert_int_equal(core_auth(ya.c, "hash-org", &org), 0);
    assert_int_equal(run(&ya, &org, "sprint.publish", "{sb sb sb}", "bank", 0, "orgs", 0, "public", 0), 0);
    evlist_t more = {ya.log.v + a_written, ya.log.n - a_written, ya.log.n - a_written};
    assert_int_equal(log_append(st, "sprint-a", &more), 0);
    day_free(&ya);
    store_close(st);
    assert_int_equal(bank_sync(db, &changed), 0);
    assert_int_equal(changed, 1);
    json_decref(pri);
    assert_int_equal(bank_priors(db, &pri), 0);
    assert_int_equal(json_array_size(pri), 0);
    json_decref(pri);
    day_rm_db(dir, db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenizer),
        cmocka_unit_test(test_extract_document),
        cmocka_unit_test(test_search_sqlite),
        cmocka_unit_test(test_sync_and_priors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
