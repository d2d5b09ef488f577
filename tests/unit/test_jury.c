/* test_jury.c – the jury: arithmetic (jury_calc), jurors, phases, permissions, recusal,
 * conflicts, the announcement and that nothing about scores reaches anyone early. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"
#include "core/jury_calc.h"
#include "core/state.h"
#include "core_fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

/* ---- jury_calc ---------------------------------------------------------------------------- */

static jc_input_t input(size_t nj, size_t nt, size_t nc, const double *w, const jc_score_t *s,
                        size_t ns)
{
    jc_input_t in = {nj, nt, nc, w, s, ns, NULL, NULL, 0, 0, 1.8};
    return in;
}

static const jc_team_t *team_of(const jc_team_t *r, size_t n, int t)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].team == t)
            return &r[i];
    fail();
    return NULL;
}

static void calc_weighted_mean(void **state)
{
    (void)state;
    /* Criterion 0 weighs twice criterion 1. Juror 0: team 0 (8, 2), team 1 (5, 9);
     * juror 1: team 0 (6, 6), team 1 (7, 7). */
    const double w[] = {2, 1};
    const jc_score_t s[] = {{0, 0, 0, 8}, {0, 0, 1, 2}, {0, 1, 0, 5}, {0, 1, 1, 9},
                            {1, 0, 0, 6}, {1, 0, 1, 6}, {1, 1, 0, 7}, {1, 1, 1, 7}};
    jc_input_t in = input(2, 2, 2, w, s, 8);
    jc_team_t r[2];
    assert_int_equal(jc_rank(&in, r), 0);
    const jc_team_t *t0 = team_of(r, 2, 0), *t1 = team_of(r, 2, 1);
    double a0 = (2 * 8 + 2) / 3.0, b0 = 6, a1 = (2 * 5 + 9) / 3.0, b1 = 7;
    NEAR(t0->mean, (a0 + b0) / 2);
    NEAR(t1->mean, (a1 + b1) / 2);
    NEAR(t0->crit_mean[0], 7);
    NEAR(t1->crit_mean[1], 8);
    assert_int_equal(t0->jurors, 2);
    /* 6.0 vs 6.6667: team 1 first. */
    assert_int_equal(r[0].team, 1);
    assert_int_equal(r[0].rank, 1);
    assert_int_equal(r[1].rank, 2);
    /* A later score of the same cell replaces the earlier one. */
    const jc_score_t s2[] = {{0, 0, 0, 1}, {0, 0, 0, 9}};
    jc_input_t in2 = input(1, 1, 2, w, s2, 2);
    assert_int_equal(jc_rank(&in2, r), 0);
    NEAR(r[0].mean, 9);
}

static void calc_rejects_bad_input(void **state)
{
    (void)state;
    const double w0[] = {0, 0}, w[] = {1, 1};
    const jc_score_t s[] = {{0, 3, 0, 5}};
    jc_team_t r[4];
    jc_input_t in = input(1, 1, 2, w0, NULL, 0);
    assert_int_equal(jc_rank(&in, r), -1);   /* all weights 0 */
    in = input(1, 2, 2, w, s, 1);
    assert_int_equal(jc_rank(&in, r), -1);   /* team index out of range */
    const int tb[] = {5};
    in = input(1, 1, 2, w, NULL, 0);
    in.tiebreak = tb;
    in.ntiebreak = 1;
    assert_int_equal(jc_rank(&in, r), -1);   /* tie-break criterion out of range */
}

static void calc_normalisation(void **state)
{
    (void)state;
    /* A lenient juror and a strict one with a wide range: the plain mean puts team 1
     * first, normalising each juror's scale puts team 0 first. */
    const double w[] = {1};
    const jc_score_t s[] = {{0, 0, 0, 10}, {0, 1, 0, 6}, {0, 2, 0, 8},
                            {1, 0, 0, 1},  {1, 1, 0, 9}, {1, 2, 0, 2}};
    jc_input_t in = input(2, 3, 1, w, s, 6);
    jc_team_t r[3];
    assert_int_equal(jc_rank(&in, r), 0);
    assert_int_equal(r[0].team, 1);
    double sa = sqrt(8.0 / 3), sb = sqrt((9.0 + 25 + 4) / 3);
    double z0 = ((10 - 8) / sa + (1 - 4) / sb) / 2, z1 = ((6 - 8) / sa + (9 - 4) / sb) / 2;
    NEAR(team_of(r, 3, 0)->normalised, z0);
    NEAR(team_of(r, 3, 1)->normalised, z1);
    in.normalise = 1;
    assert_int_equal(jc_rank(&in, r), 0);
    assert_int_equal(r[0].team, 0);
    /* A juror who gives everyone the same score has sd 0: all their z are 0. */
    const jc_score_t flat[] = {{0, 0, 0, 7}, {0, 1, 0, 7}};
    jc_input_t in2 = input(1, 2, 1, w, flat, 2);
    assert_int_equal(jc_rank(&in2, r), 0);
    NEAR(r[0].normalised, 0);
    NEAR(r[1].normalised, 0);
}

static void calc_disagreement(void **state)
{
    (void)state;
    const double w[] = {1};
    /* Team 0: totals 2 and 10 (spread 4); team 1: 6 and 7 (spread 0.5); team 2: one juror. */
    const jc_score_t s[] = {{0, 0, 0, 2}, {1, 0, 0, 10}, {0, 1, 0, 6}, {1, 1, 0, 7}, {0, 2, 0, 1}};
    jc_input_t in = input(2, 3, 1, w, s, 5);
    jc_team_t r[3];
    assert_int_equal(jc_rank(&in, r), 0);
    NEAR(team_of(r, 3, 0)->spread, 4);
    assert_true(team_of(r, 3, 0)->disagree);
    assert_false(team_of(r, 3, 1)->disagree);
    assert_false(team_of(r, 3, 2)->disagree);
    in.disagree_threshold = 4.5;
    assert_int_equal(jc_rank(&in, r), 0);
    assert_false(team_of(r, 3, 0)->disagree);
}

static void calc_ties_and_tiebreak(void **state)
{
    (void)state;
    const double w[] = {1, 1};
    /* Teams 0, 1, 2 all total 6; team 1 is best on criterion 1, teams 0 and 2 are
     * equal on both; team 3 is unscored. */
    const jc_score_t s[] = {{0, 0, 0, 6}, {0, 0, 1, 6}, {0, 1, 0, 4}, {0, 1, 1, 8},
                            {0, 2, 0, 6}, {0, 2, 1, 6}};
    jc_input_t in = input(1, 4, 2, w, s, 6);
    jc_team_t r[4];
    assert_int_equal(jc_rank(&in, r), 0);
    /* Without a tie-break all three share rank 1. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].rank, 1);
        assert_true(r[i].tied);
    }
    assert_int_equal(r[3].team, 3);
    assert_int_equal(r[3].rank, 0);
    const int tb[] = {1};
    in.tiebreak = tb;
    in.ntiebreak = 1;
    assert_int_equal(jc_rank(&in, r), 0);
    assert_int_equal(r[0].team, 1);
    assert_int_equal(r[0].rank, 1);
    assert_false(r[0].tied);
    assert_true(r[0].broken);
    assert_int_equal(r[1].rank, 2);
    assert_int_equal(r[2].rank, 2);
    assert_true(r[1].tied && r[2].tied);
    /* The order of the tie-break matters: criterion 0 first puts team 1 last. */
    const int tb2[] = {0, 1};
    in.tiebreak = tb2;
    in.ntiebreak = 2;
    assert_int_equal(jc_rank(&in, r), 0);
    assert_int_equal(r[2].team, 1);
    assert_int_equal(r[2].rank, 3);
}

static void calc_recusal(void **state)
{
    (void)state;
    const double w[] = {1};
    const jc_score_t s[] = {{0, 0, 0, 10}, {1, 0, 0, 4}, {0, 1, 0, 2}, {1, 1, 0, 6}};
    unsigned char rec[4] = {0};
    jc_input_t in = input(2, 2, 1, w, s, 4);
    jc_team_t r[2];
    assert_int_equal(jc_rank(&in, r), 0);
    NEAR(team_of(r, 2, 0)->mean, 7);
    rec[0 * 2 + 0] = 1;   /* juror 0 recuses for team 0 */
    in.recused = rec;
    assert_int_equal(jc_rank(&in, r), 0);
    NEAR(team_of(r, 2, 0)->mean, 4);
    assert_int_equal(team_of(r, 2, 0)->jurors, 1);
    NEAR(team_of(r, 2, 0)->crit_mean[0], 4);
    NEAR(team_of(r, 2, 1)->mean, 4);
}

static void calc_winners(void **state)
{
    (void)state;
    const double w[] = {1};
    /* Group 0: teams 0, 1; group 1: teams 2, 3 (tied), team 4 unscored in group 0. */
    const jc_score_t s[] = {{0, 0, 0, 9}, {0, 1, 0, 5}, {0, 2, 0, 7}, {0, 3, 0, 7}};
    jc_input_t in = input(1, 5, 1, w, s, 4);
    jc_team_t r[5];
    int group[] = {0, 0, 1, 1, 0}, win[5];
    assert_int_equal(jc_rank(&in, r), 0);
    assert_int_equal(jc_winners(r, 5, group, 0, win), 1);
    assert_int_equal(win[0], 0);
    assert_int_equal(jc_winners(r, 5, group, 1, win), 2);
    assert_true((win[0] == 2 && win[1] == 3) || (win[0] == 3 && win[1] == 2));
    assert_int_equal(jc_winners(r, 5, group, 7, win), 0);
}

static void calc_org_match(void **state)
{
    (void)state;
    assert_true(jc_org_match("Gemeente Utrecht", "gemeente  utrecht"));
    assert_true(jc_org_match("Min. BZK", "min bzk"));
    assert_true(jc_org_match("Rijks-ICT", "rijks ict"));
    assert_false(jc_org_match("Gemeente Utrecht", "Gemeente Amersfoort"));
    assert_false(jc_org_match("", ""));
    assert_false(jc_org_match(" ", "  "));
    assert_false(jc_org_match(NULL, "x"));
}

/* ---- the jury in the core ------------------------------------------------------------------- */

typedef struct {
    core_t *c;
    evlist_t log;
    who_t a, b, d, e;      /* a, b: t1; d: t2 (room r1); e: t3 (room r2) */
    who_t f1, org, screen, room;
    who_t jr[3];           /* j1 (chair), j2, j3 */
    int ids, secrets;
    size_t announced_at;   /* log length before jury.announce (0 until then) */
} jday_t;

static void fake_token(void *ud, char *tok, size_t toklen, char *hash, size_t hashlen)
{
    jday_t *y = ud;
    y->secrets++;
    snprintf(tok, toklen, "tok-j%d", y->secrets);
    snprintf(hash, hashlen, "hash-j%d", y->secrets);
}

static int run(jday_t *y, const who_t *w, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ++y->ids;
    int rc = fixture_vrun(y->c, w, cmd, 5000 + y->ids, "y", y->ids, &y->log, fmt, ap);
    va_end(ap);
    assert_true(rc != -1);
    return rc;
}

static const ev_t *find_last(jday_t *y, const char *type)
{
    for (size_t i = y->log.n; i > 0; i--)
        if (strcmp(y->log.v[i - 1].type, type) == 0)
            return &y->log.v[i - 1];
    return NULL;
}

static const char crit_json[] =
    "[{\"id\":\"problem\",\"name\":{\"nl\":\"Probleem\",\"en\":\"Problem\"},\"weight\":2},"
    "{\"id\":\"idea\",\"name\":{\"nl\":\"Idee\",\"en\":\"Idea\"},\"weight\":1},"
    "{\"id\":\"pitch\",\"name\":{\"nl\":\"Pitch\",\"en\":\"Pitch\"},\"weight\":1}]";

static void jday_init(jday_t *y)
{
    memset(y, 0, sizeof *y);
    y->c = core_new();
    core_secret_src_t src = {NULL, fake_token, y};
    core_set_secret_source(y->c, &src);
    assert_int_equal(fixture_setup_pb(y->c, &y->log, NULL), 0);
    y->a = fixture_join(y->c, "AAAA-1111", "Anna", "ha", &y->log);
    y->b = fixture_join(y->c, "AAAA-1111", "Bram", "hb", &y->log);
    y->d = fixture_join(y->c, "BBBB-2222", "Dirk", "hd", &y->log);
    y->e = fixture_join(y->c, "CCCC-3333", "Eva", "he", &y->log);
    assert_int_equal(core_auth(y->c, "hash-f1", &y->f1), 0);
    assert_int_equal(core_auth(y->c, "hash-org", &y->org), 0);
    assert_int_equal(core_auth(y->c, "hash-screen", &y->screen), 0);
    assert_int_equal(core_auth(y->c, "hash-jury", &y->room), 0);
    json_t *crit = json_loads(crit_json, 0, NULL);
    assert_int_equal(run(y, &y->org, "jury.criteria.set", "{sO si}", "criteria", crit, "scale", 10), 0);
    json_decref(crit);
    assert_int_equal(run(y, &y->org, "jury.add", "{ss ss sb}", "name", "Carla", "organisation",
                         "Gemeente Utrecht", "chair", 1), 0);
    assert_int_equal(run(y, &y->org, "jury.add", "{ss ss}", "name", "Joost", "organisation", "AcICT"), 0);
    assert_int_equal(run(y, &y->org, "jury.add", "{ss}", "name", "Noor"), 0);
    char h[32];
    for (int i = 0; i < 3; i++) {
        snprintf(h, sizeof h, "hash-j%d", i + 1);
        assert_int_equal(core_auth(y->c, h, &y->jr[i]), 0);
    }
}

static void jday_free(jday_t *y)
{
    evlist_free(&y->log);
    core_free(y->c);
}

static void jurors_have_identities(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    assert_int_equal(y.jr[0].role, ROLE_JURY);
    assert_string_equal(y.jr[0].actor, "j1");
    assert_string_equal(y.jr[2].actor, "j3");
    assert_string_equal(y.room.actor, "jury");
    json_t *wj = core_who_json(y.c, &y.jr[0]);
    assert_string_equal(json_string_value(json_object_get(wj, "name")), "Carla");
    assert_true(json_is_true(json_object_get(wj, "chair")));
    json_decref(wj);
    /* The token reaches the organiser only; the hash stays on the server. */
    const ev_t *link = find_last(&y, "jury.link");
    assert_int_equal(link->aud_kind, AUD_ORG);
    assert_string_equal(json_string_value(json_object_get(link->data, "token")), "tok-j3");
    const ev_t *auth = find_last(&y, "auth.juror");
    assert_int_equal(auth->aud_kind, AUD_SERVER);
    assert_int_equal(find_last(&y, "jury.juror")->aud_kind, AUD_JURY);
    /* Only the organiser adds jurors; a client-side field cannot pick the token. */
    assert_int_equal(run(&y, &y.a, "jury.add", "{ss}", "name", "X"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.jr[0], "jury.add", "{ss}", "name", "X"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "jury.add", "{ss s{ss ss}}", "name", "Mallory", "_secret",
                         "token", "chosen", "hash", "chosen-hash"), 0);
    who_t w;
    assert_int_equal(core_auth(y.c, "chosen-hash", &w), SP_E_BAD_TOKEN);
    assert_int_equal(core_auth(y.c, "hash-j4", &w), 0);
    assert_string_equal(w.actor, "j4");
    /* A second chair takes over from the first. */
    assert_int_equal(run(&y, &y.org, "jury.add", "{ss sb}", "name", "Piet", "chair", 1), 0);
    assert_int_equal(core_auth(y.c, "hash-j1", &w), 0);
    assert_int_equal(run(&y, &w, "jury.open", NULL), SP_E_FORBIDDEN);
    /* Without a secret source the core cannot make a link. */
    core_set_secret_source(y.c, NULL);
    assert_int_equal(run(&y, &y.org, "jury.add", "{ss}", "name", "Z"), SP_E_NO_SECRETS);
    jday_free(&y);
}

static void setup_rules_and_phases(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    /* Criteria: checked, organiser only. */
    assert_int_equal(run(&y, &y.f1, "jury.criteria.set", "{s[]}", "criteria"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "jury.criteria.set", "{s[]}", "criteria"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.org, "jury.criteria.set", "{s[{ss s{ssss}}] si}", "criteria", "id",
                         "x", "name", "nl", "X", "en", "X", "scale", 7), SP_E_BAD_MESSAGE);
    /* Scores wait for jury.open. */
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "idea", "score", 7), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.org, "jury.tiebreak.set", "{s[ss] sb}", "order", "idea", "nope",
                         "normalise", 0), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.org, "jury.tiebreak.set", "{s[ss]}", "order", "idea", "idea"),
                     SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.org, "jury.tiebreak.set", "{s[ss] sb}", "order", "pitch", "idea",
                         "normalise", 0), 0);
    const ev_t *tb = find_last(&y, "jury.tiebreak");
    assert_int_equal(tb->aud_kind, AUD_ALL);
    /* Only the organiser or the chair opens; the room link and other jurors do not. */
    assert_int_equal(run(&y, &y.jr[1], "jury.open", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.room, "jury.open", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.jr[0], "jury.open", NULL), 0);
    assert_string_equal(json_string_value(json_object_get(find_last(&y, "jury.phase")->data, "state")), "open");
    const ev_t *dos = find_last(&y, "jury.dossier");
    assert_non_null(dos);
    assert_int_equal(dos->aud_kind, AUD_JURY);
    /* The rules are fixed once scoring is open. */
    assert_int_equal(run(&y, &y.org, "jury.tiebreak.set", "{s[s]}", "order", "idea"), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.org, "jury.criteria.set", "{s[{ss s{ssss}}]}", "criteria", "id",
                         "x", "name", "nl", "X", "en", "X"), SP_E_JURY_PHASE);
    /* Scores: a juror only, in range, a known criterion and team. */
    assert_int_equal(run(&y, &y.room, "jury.score", "{ss ss si}", "team", "t1", "criterion", "idea",
                         "score", 7), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "jury.score", "{ss ss si}", "team", "t1", "criterion", "idea",
                         "score", 7), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "idea", "score", 11), SP_E_BAD_SCORE);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "idea", "score", 0), SP_E_BAD_SCORE);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t9", "criterion",
                         "idea", "score", 5), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "nope", "score", 5), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "idea", "score", 5), 0);
    const ev_t *sc = find_last(&y, "jury.scored");
    assert_int_equal(sc->aud_kind, AUD_JUROR);
    assert_string_equal(sc->aud_id, "j2");
    /* Lock and announce: the chair only, in order. */
    assert_int_equal(run(&y, &y.jr[0], "jury.announce", NULL), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.jr[1], "jury.lock", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "jury.lock", NULL), SP_E_FORBIDDEN);
    /* Teams that took part are unscored: the chair confirms before locking. */
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", NULL), SP_E_JURY_UNSCORED);
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", "{ss}", "confirm", "yes"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", "{sb}", "confirm", 1), 0);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "idea", "score", 6), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.jr[0], "jury.unlock", NULL), 0);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion",
                         "idea", "score", 6), 0);
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", "{sb}", "confirm", 1), 0);
    assert_int_equal(run(&y, &y.jr[1], "jury.announce", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.jr[0], "jury.announce", NULL), 0);
    assert_int_equal(run(&y, &y.jr[0], "jury.announce", NULL), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.jr[0], "jury.unlock", NULL), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.org, "jury.add", "{ss}", "name", "Laat"), SP_E_JURY_PHASE);
    jday_free(&y);
}

static void open_without_tiebreak_publishes_default(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    size_t before = y.log.n;
    assert_int_equal(run(&y, &y.org, "jury.open", NULL), 0);
    const ev_t *tb = find_last(&y, "jury.tiebreak");
    assert_non_null(tb);
    assert_true((size_t)(tb - y.log.v) >= before);
    assert_int_equal(tb->aud_kind, AUD_ALL);
    /* Published before the phase opens. */
    assert_true(tb < find_last(&y, "jury.phase"));
    json_t *order = json_object_get(tb->data, "order");
    assert_int_equal(json_array_size(order), 3);
    assert_string_equal(json_string_value(json_array_get(order, 0)), "problem");
    jday_free(&y);
}

static void recusal_and_conflicts(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    /* Bram works for the chair's organisation (spelled differently). */
    assert_int_equal(run(&y, &y.b, "profile.set", "{ss}", "organisation", "gemeente  UTRECHT"), 0);
    assert_int_equal(run(&y, &y.d, "profile.set", "{ss}", "organisation", "acict"), 0);
    assert_int_equal(run(&y, &y.org, "jury.open", NULL), 0);
    int chair_t1 = 0, j2_t2 = 0, chair_t2 = 0, other = 0;
    for (size_t i = 0; i < y.log.n; i++) {
        const ev_t *e = &y.log.v[i];
        if (strcmp(e->type, "jury.conflict") != 0)
            continue;
        const char *team = json_string_value(json_object_get(e->data, "team"));
        assert_int_equal(e->aud_kind, AUD_JUROR);
        if (strcmp(e->aud_id, "j1") == 0 && strcmp(team, "t1") == 0) {
            chair_t1++;
            assert_string_equal(json_string_value(json_array_get(json_object_get(e->data, "members"), 0)),
                                y.b.actor);
        } else if (strcmp(e->aud_id, "j2") == 0 && strcmp(team, "t2") == 0)
            j2_t2++;
        else if (strcmp(e->aud_id, "j1") == 0 && strcmp(team, "t2") == 0)
            chair_t2++;   /* the chair hears of j2's conflict */
        else
            other++;
    }
    assert_int_equal(chair_t1, 1);
    assert_int_equal(j2_t2, 1);
    assert_int_equal(chair_t2, 1);
    assert_int_equal(other, 0);
    /* Refreshing flags nothing twice. */
    size_t n = y.log.n;
    assert_int_equal(run(&y, &y.org, "jury.refresh", NULL), 0);
    for (size_t i = n; i < y.log.n; i++)
        assert_string_not_equal(y.log.v[i].type, "jury.conflict");
    /* j2 recuses for t2: the chair hears it, j2 can no longer score t2. */
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t2", "criterion",
                         "idea", "score", 1), 0);
    n = y.log.n;
    assert_int_equal(run(&y, &y.jr[1], "jury.recuse", "{ss}", "team", "t2"), 0);
    int to_chair = 0, to_self = 0;
    for (size_t i = n; i < y.log.n; i++)
        if (strcmp(y.log.v[i].type, "jury.recused") == 0) {
            to_chair += strcmp(y.log.v[i].aud_id, "j1") == 0;
            to_self += strcmp(y.log.v[i].aud_id, "j2") == 0;
        }
    assert_int_equal(to_chair, 1);
    assert_int_equal(to_self, 1);
    assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t2", "criterion",
                         "idea", "score", 9), SP_E_JURY_RECUSED);
    /* Everyone scores t2 (j2's earlier score no longer counts) and t1. */
    const char *crit[] = {"problem", "idea", "pitch"};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(run(&y, &y.jr[0], "jury.score", "{ss ss si}", "team", "t2", "criterion", crit[k], "score", 8), 0);
        assert_int_equal(run(&y, &y.jr[2], "jury.score", "{ss ss si}", "team", "t2", "criterion", crit[k], "score", 6), 0);
        assert_int_equal(run(&y, &y.jr[1], "jury.score", "{ss ss si}", "team", "t1", "criterion", crit[k], "score", 9), 0);
    }
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", "{sb}", "confirm", 1), 0);
    assert_int_equal(run(&y, &y.jr[1], "jury.recuse", "{ss sb}", "team", "t2", "recused", 0), SP_E_JURY_PHASE);
    assert_int_equal(run(&y, &y.jr[0], "jury.announce", NULL), 0);
    const ev_t *res = find_last(&y, "jury.results");
    json_t *teams = json_object_get(res->data, "teams");
    /* t1 (9 from one juror) beats t2 (7 = mean of 8 and 6, j2's 1 ignored). */
    assert_string_equal(json_string_value(json_object_get(json_array_get(teams, 0), "team")), "t1");
    json_t *t2 = json_array_get(teams, 1);
    assert_string_equal(json_string_value(json_object_get(t2, "team")), "t2");
    NEAR(json_real_value(json_object_get(t2, "mean")), 7.0);
    assert_int_equal(json_integer_value(json_object_get(t2, "jurors")), 2);
    jday_free(&y);
}

/* Whether anyone but one juror could read something about scores in this event. */
static int hidden_type(const char *type)
{
    return strcmp(type, "jury.scored") == 0 || strcmp(type, "jury.noted") == 0 ||
           strcmp(type, "jury.progress") == 0 || strcmp(type, "jury.recused") == 0 ||
           strcmp(type, "jury.conflict") == 0 || strcmp(type, "jury.results") == 0;
}

static void nothing_leaks_before_the_announcement(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    assert_int_equal(run(&y, &y.b, "profile.set", "{ss}", "organisation", "AcICT"), 0);
    assert_int_equal(run(&y, &y.org, "pitch.order.set", "{s[sss]}", "teams", "t2", "t1", "t3"), 0);
    assert_int_equal(run(&y, &y.org, "jury.open", NULL), 0);
    const char *crit[] = {"problem", "idea", "pitch"}, *teams[] = {"t1", "t2", "t3"};
    int sc[3][3] = {{8, 6, 7}, {5, 9, 4}, {7, 7, 10}};
    for (int j = 0; j < 3; j++)
        for (int t = 0; t < 3; t++) {
            if (j == 1 && t == 0) {
                assert_int_equal(run(&y, &y.jr[j], "jury.recuse", "{ss}", "team", teams[t]), 0);
                continue;
            }
            for (int k = 0; k < 3; k++)
                assert_int_equal(run(&y, &y.jr[j], "jury.score", "{ss ss si}", "team", teams[t],
                                     "criterion", crit[k], "score", sc[j][(t + k) % 3]), 0);
            assert_int_equal(run(&y, &y.jr[j], "jury.note", "{ss ss}", "team", teams[t], "text",
                                 "geheime notitie"), 0);
        }
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", "{sb}", "confirm", 1), 0);
    size_t before = y.log.n;
    /* Every event so far: people other than jurors never see anything hidden, and one
     * juror never sees another juror's scores or notes. */
    const who_t *outsiders[] = {&y.a, &y.b, &y.d, &y.e, &y.f1, &y.org, &y.screen, &y.room};
    int hidden = 0, progress = 0;
    for (size_t i = 0; i < before; i++) {
        const ev_t *e = &y.log.v[i];
        if (strncmp(e->type, "jury.", 5) == 0 || strncmp(e->type, "pitch.", 6) == 0) {
            for (size_t o = 0; o < sizeof outsiders / sizeof *outsiders; o++)
                if (core_may_see(y.c, outsiders[o], e->aud_kind, e->aud_id)) {
                    assert_false(hidden_type(e->type));
                    assert_null(json_object_get(e->data, "score"));
                    assert_null(json_object_get(e->data, "rank"));
                }
        }
        if (hidden_type(e->type)) {
            hidden++;
            assert_int_equal(e->aud_kind, AUD_JUROR);
        }
        if (strcmp(e->type, "jury.scored") == 0 || strcmp(e->type, "jury.noted") == 0) {
            const char *owner = json_string_value(json_object_get(e->data, "juror"));
            for (int j = 0; j < 3; j++)
                assert_int_equal(core_may_see(y.c, &y.jr[j], e->aud_kind, e->aud_id),
                                 strcmp(y.jr[j].actor, owner) == 0);
        }
        if (strcmp(e->type, "jury.progress") == 0) {
            progress++;
            assert_string_equal(e->aud_id, "j1");
            assert_null(json_object_get(e->data, "score"));
        }
    }
    assert_true(hidden > 20);
    assert_true(progress >= 3);
    const ev_t *p = find_last(&y, "jury.progress");
    assert_int_equal(json_integer_value(json_object_get(p->data, "done")),
                     json_integer_value(json_object_get(p->data, "teams")));
    size_t at = y.log.n;
    assert_int_equal(run(&y, &y.jr[0], "jury.announce", NULL), 0);
    /* The full table goes to staff and the jury; participants and screens get the winners
     * and (the default "places") their own team's place, not the table. */
    const ev_t *res = NULL;
    int places = 0, winners = 0;
    for (size_t i = at; i < y.log.n; i++) {
        const ev_t *e = &y.log.v[i];
        if (strcmp(e->type, "jury.results") == 0) {
            assert_true(e->aud_kind == AUD_STAFF || e->aud_kind == AUD_JURY);
            assert_false(core_may_see(y.c, &y.a, e->aud_kind, e->aud_id));
            assert_false(core_may_see(y.c, &y.screen, e->aud_kind, e->aud_id));
            if (e->aud_kind == AUD_STAFF)
                res = e;
        } else if (strcmp(e->type, "jury.place") == 0) {
            places++;
            assert_int_equal(e->aud_kind, AUD_TEAM);
            assert_string_equal(e->aud_id, json_string_value(json_object_get(e->data, "team")));
        } else if (strcmp(e->type, "jury.winners") == 0) {
            winners++;
            assert_int_equal(e->aud_kind, AUD_ALL);
            assert_null(json_object_get(e->data, "teams"));
        }
    }
    assert_non_null(res);
    assert_int_equal(places, 3);
    assert_int_equal(winners, 1);
    assert_true(core_may_see(y.c, &y.org, res->aud_kind, res->aud_id));
    assert_true(core_may_see(y.c, &y.f1, res->aud_kind, res->aud_id));
    /* Publishing the full table sends it to everyone, once. */
    assert_int_equal(run(&y, &y.jr[0], "jury.publish", "{ss}", "level", "full"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "jury.publish", "{ss}", "level", "all"), SP_E_BAD_LEVEL);
    assert_int_equal(run(&y, &y.org, "jury.publish", "{ss}", "level", "full"), 0);
    const ev_t *pub = find_last(&y, "jury.results");
    assert_int_equal(pub->aud_kind, AUD_ALL);
    for (size_t o = 0; o < sizeof outsiders / sizeof *outsiders; o++)
        assert_true(core_may_see(y.c, outsiders[o], pub->aud_kind, pub->aud_id));
    assert_true(json_equal(pub->data, res->data));
    assert_int_equal(run(&y, &y.org, "jury.publish", "{ss}", "level", "winners"), SP_E_JURY_PHASE);
    /* Results by hand: weights problem 2, idea 1, pitch 1 (total 4). */
    double tot[3][3];
    for (int j = 0; j < 3; j++)
        for (int t = 0; t < 3; t++)
            tot[j][t] = (2.0 * sc[j][t % 3] + sc[j][(t + 1) % 3] + sc[j][(t + 2) % 3]) / 4.0;
    double mean[3] = {(tot[0][0] + tot[2][0]) / 2, (tot[0][1] + tot[1][1] + tot[2][1]) / 3,
                      (tot[0][2] + tot[1][2] + tot[2][2]) / 3};
    json_t *rt = json_object_get(res->data, "teams"), *v;
    size_t i;
    double prev = 1e9;
    json_array_foreach(rt, i, v) {
        int t = json_string_value(json_object_get(v, "team"))[1] - '1';
        double m = json_real_value(json_object_get(v, "mean"));
        assert_true(fabs(m - mean[t]) < 0.001);
        assert_true(m <= prev);
        prev = m;
    }
    int best = 0;
    for (int t = 1; t < 3; t++)
        if (mean[t] > mean[best])
            best = t;
    json_t *overall = json_object_get(json_object_get(res->data, "winners"), "overall");
    assert_int_equal(json_array_size(overall), 1);
    assert_int_equal(json_string_value(json_array_get(overall, 0))[1] - '1', best);
    json_t *ch = json_object_get(json_object_get(res->data, "winners"), "challenges");
    assert_int_equal(json_array_size(ch), 1);   /* both rooms of the fixture run c1 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(ch, 0), "challenge")), "c1");
    jday_free(&y);
}

static void pitch_order_permissions(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    assert_int_equal(run(&y, &y.f1, "pitch.order.set", "{s[ss]}", "teams", "t2", "t1"), 0);
    const ev_t *e = find_last(&y, "pitch.order");
    assert_int_equal(e->aud_kind, AUD_ALL);
    assert_string_equal(json_string_value(json_object_get(e->data, "room")), "r1");
    assert_int_equal(run(&y, &y.f1, "pitch.order.set", "{s[ss]}", "teams", "t3", "t1"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "pitch.order.set", "{ss s[s]}", "room", "r2", "teams", "t3"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "pitch.order.set", "{s[ss]}", "teams", "t1", "t1"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.a, "pitch.order.set", "{s[s]}", "teams", "t1"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "pitch.order.set", "{s[sss]}", "teams", "t3", "t1", "t2"), 0);
    assert_true(json_is_null(json_object_get(find_last(&y, "pitch.order")->data, "room")));
    jday_free(&y);
}

static void replay_gives_the_same_jury(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    assert_int_equal(run(&y, &y.org, "jury.open", NULL), 0);
    assert_int_equal(run(&y, &y.jr[2], "jury.score", "{ss ss si}", "team", "t3", "criterion",
                         "pitch", "score", 4), 0);
    assert_int_equal(run(&y, &y.jr[2], "jury.recuse", "{ss}", "team", "t1"), 0);
    assert_int_equal(run(&y, &y.jr[0], "jury.lock", "{sb}", "confirm", 1), 0);
    core_t *c2 = core_new();
    for (size_t i = 0; i < y.log.n; i++)
        assert_int_equal(core_apply(c2, &y.log.v[i]), 0);
    who_t j3, j1;
    assert_int_equal(core_auth(c2, "hash-j3", &j3), 0);
    assert_string_equal(j3.actor, "j3");
    assert_int_equal(core_auth(c2, "hash-j1", &j1), 0);
    evlist_t out = {0};
    int64_t dup;
    json_t *args = json_object();
    /* Still locked after replay; the chair announces the same results. */
    assert_int_equal(core_exec(c2, &j1, "jury.announce", args, "z1", 9000, &out, &dup), 0);
    assert_int_equal(run(&y, &y.jr[0], "jury.announce", NULL), 0);
    const ev_t *r1 = find_last(&y, "jury.results");
    const ev_t *r2 = NULL;
    for (size_t i = 0; i < out.n; i++)
        if (strcmp(out.v[i].type, "jury.results") == 0)
            r2 = &out.v[i];
    assert_non_null(r2);
    assert_true(json_equal(r1->data, r2->data));
    json_decref(args);
    evlist_free(&out);
    core_free(c2);
    jday_free(&y);
}

/* ---- the facilitator console ------------------------------------------------------------------- */

static void room_message_and_counts(void **state)
{
    (void)state;
    jday_t y;
    jday_init(&y);
    assert_int_equal(run(&y, &y.f1, "room.message", "{ss}", "text", "Nog vijf minuten!"), 0);
    const ev_t *m = find_last(&y, "room.message");
    assert_int_equal(m->aud_kind, AUD_ROOM);
    assert_string_equal(m->aud_id, "r1");
    assert_true(core_may_see(y.c, &y.a, m->aud_kind, m->aud_id));
    assert_false(core_may_see(y.c, &y.e, m->aud_kind, m->aud_id));
    assert_int_equal(run(&y, &y.f1, "room.message", "{ss ss}", "room", "r2", "text", "x"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "room.message", "{ss}", "text", "x"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.org, "room.message", "{ss ss}", "room", "r2", "text", " "), SP_E_TEXT_EMPTY);
    assert_int_equal(run(&y, &y.a, "room.message", "{ss}", "text", "x"), SP_E_FORBIDDEN);
    char longtext[300];
    memset(longtext, 'a', 281);
    longtext[281] = '\0';
    assert_int_equal(run(&y, &y.f1, "room.message", "{ss}", "text", longtext), SP_E_TEXT_TOO_LONG);

    /* The first step of the playbook: count notes, private ones included. */
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "een"), 0);
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "twee"), 0);
    size_t n = y.log.n;
    assert_int_equal(run(&y, &y.f1, "console.counts", NULL), 0);
    assert_int_equal(y.log.n - n, 2);   /* t1 and t2 of room r1 */
    const ev_t *e = &y.log.v[n];
    assert_string_equal(e->type, "team.counts");
    /* The room's desk (its facilitators, the organiser), never the team: members must not
     * learn the team's dot total before the reveal. */
    assert_int_equal(e->aud_kind, AUD_DESK);
    assert_string_equal(e->aud_id, "r1");
    assert_false(core_may_see(y.c, &y.a, e->aud_kind, e->aud_id));
    assert_false(core_may_see(y.c, &y.e, e->aud_kind, e->aud_id));
    assert_true(core_may_see(y.c, &y.f1, e->aud_kind, e->aud_id));
    assert_true(core_may_see(y.c, &y.org, e->aud_kind, e->aud_id));
    json_t *d = e->data;
    assert_int_equal(json_integer_value(json_object_get(d, "members")), 2);
    assert_int_equal(json_integer_value(json_object_get(d, "notes")) +
                         json_integer_value(json_object_get(d, "private")), 2);
    assert_int_equal(run(&y, &y.f1, "console.counts", "{ss}", "team", "t3"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "console.counts", "{ss}", "team", "t3"), 0);
    assert_int_equal(run(&y, &y.a, "console.counts", NULL), SP_E_FORBIDDEN);
    jday_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calc_weighted_mean),
        cmocka_unit_test(calc_rejects_bad_input),
        cmocka_unit_test(calc_normalisation),
        cmocka_unit_test(calc_disagreement),
        cmocka_unit_test(calc_ties_and_tiebreak),
        cmocka_unit_test(calc_recusal),
        cmocka_unit_test(calc_winners),
        cmocka_unit_test(calc_org_match),
        cmocka_unit_test(jurors_have_identities),
        cmocka_unit_test(setup_rules_and_phases),
        cmocka_unit_test(open_without_tiebreak_publishes_default),
        cmocka_unit_test(recusal_and_conflicts),
        cmocka_unit_test(nothing_leaks_before_the_announcement),
        cmocka_unit_test(pitch_order_permissions),
        cmocka_unit_test(replay_gives_the_same_jury),
        cmocka_unit_test(room_message_and_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
