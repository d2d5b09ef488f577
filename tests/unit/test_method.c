/* test_method.c – every rule of the Staatsprint method, enforced by the core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"
#include "core/playbook.h"
#include "core/state.h"
#include "core_fixture.h"
#include "util/jtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A day in a test: the core, its log, the members and staff. */
typedef struct {
    core_t *c;
    evlist_t log;
    who_t a, b, d;      /* a, b in team t1 (room r1); d in team t2 (room r1) */
    who_t f1, f2, org;
    int64_t now;
    int ids;
} day_t;

static void day_init(day_t *y, const char *playbook)
{
    memset(y, 0, sizeof *y);
    y->c = core_new();
    assert_int_equal(fixture_setup_pb(y->c, &y->log, playbook), 0);
    y->a = fixture_join(y->c, "AAAA-1111", "Anna", "ha", &y->log);
    y->b = fixture_join(y->c, "AAAA-1111", "Bram", "hb", &y->log);
    y->d = fixture_join(y->c, "BBBB-2222", "Dirk", "hd", &y->log);
    core_auth(y->c, "hash-f1", &y->f1);
    core_auth(y->c, "hash-f2", &y->f2);
    core_auth(y->c, "hash-org", &y->org);
    y->now = 100000;
}

static void day_free(day_t *y)
{
    evlist_free(&y->log);
    core_free(y->c);
}

/* Runs a command with a fresh id; returns its result. */
static int run(day_t *y, const who_t *w, const char *cmd, const char *argfmt, ...)
{
    va_list ap;
    va_start(ap, argfmt);
    int rc = fixture_vrun(y->c, w, cmd, y->now, "x", ++y->ids, &y->log, argfmt, ap);
    va_end(ap);
    assert_true(rc != -1);
    return rc;
}

static const ev_t *last(day_t *y) { return &y->log.v[y->log.n - 1]; }

static const ev_t *find_last(day_t *y, const char *type) { return fixture_find_last(&y->log, type); }

static const char *last_id(day_t *y, const char *type)
{
    const ev_t *e = find_last(y, type);
    assert_non_null(e);
    return json_string_value(json_object_get(e->data, "id"));
}

static size_t count_type(day_t *y, size_t from, const char *type)
{
    size_t n = 0;
    for (size_t i = from; i < y->log.n; i++)
        n += strcmp(y->log.v[i].type, type) == 0;
    return n;
}

/* Makes a captain and timekeeper of t1 (Anna both) and of t2 (Dirk). */
static void roles(day_t *y)
{
    assert_int_equal(run(y, &y->a, "roles.set", "{ss ss}", "captain", y->a.actor, "timekeeper", y->a.actor), 0);
    assert_int_equal(run(y, &y->d, "roles.set", "{ss}", "captain", y->d.actor), 0);
}

/* Moves teams t1 and t2 forward to the step with this id; vote steps on the way are
 * revealed by the captain and any tie decided for the first candidates. */
static void goto_step(day_t *y, const char *step)
{
    const who_t *caps[2] = {&y->a, &y->d};
    int target = playbook_find(&y->c->pb, step);
    assert_true(target >= 0);
    for (int k = 0; k < 2; k++)
        while (y->c->teams[k].step < target) {
            int rc = run(y, caps[k], "step.next", NULL);
            if (rc == SP_E_VOTE_NOT_REVEALED) {
                assert_int_equal(run(y, caps[k], "vote.reveal", NULL), 0);
                rc = run(y, caps[k], "step.next", NULL);
            }
            if (rc == SP_E_RACE_NOT_STARTED) {
                assert_int_equal(run(y, &y->f1, "race.start", "{ss}", "room", "r1"), 0);
                rc = SP_E_RACE_RUNNING;
            }
            if (rc == SP_E_RACE_RUNNING) {
                assert_int_equal(run(y, &y->f1, "race.end", "{ss}", "room", "r1"), 0);
                rc = run(y, caps[k], "step.next", NULL);
            }
            if (rc == SP_E_TIE_UNRESOLVED) {
                const ev_t *r = find_last(y, "vote.revealed");
                json_t *tie = json_object_get(r->data, "tie");
                json_t *cands = json_object_get(tie, "candidates");
                json_int_t places = json_integer_value(json_object_get(tie, "places"));
                json_t *pick = json_array();
                for (json_int_t p = 0; p < places; p++)
                    json_array_append(pick, json_array_get(cands, (size_t)p));
                assert_int_equal(run(y, caps[k], "vote.decide", "{so}", "targets", pick), 0);
                rc = run(y, caps[k], "step.next", NULL);
            }
            assert_int_equal(rc, 0);
        }
}

/* ---- the step table: where work may change ------------------------------------------------- */

typedef struct {
    day_t *y;
    int act;            /* the activity of the team's step */
    int checked;
} table_walk_t;

static const char *const act_names[] = {"intro", "brainstorm", "cluster", "items",
                                        "vote",  "canvas",     "race",    "timeline"};

/* Every command of the table, with empty arguments, at the team's current step: refused
 * with wrong_step exactly when the step's activity is not listed for it. */
static void table_row(void *ud, const char *cmd, const char *const *acts, size_t n, int wall)
{
    table_walk_t *w = ud;
    int listed = 0;
    for (size_t i = 0; i < n; i++)
        listed |= strcmp(acts[i], act_names[w->act]) == 0;
    if (wall)
        return;   /* checked with real notes below */
    int rc = run(w->y, &w->y->b, cmd, NULL);
    if (listed)
        assert_int_not_equal(rc, SP_E_WRONG_STEP);
    else
        assert_int_equal(rc, SP_E_WRONG_STEP);
    w->checked++;
}

static void test_step_table(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    /* A wall note, and a problem note written at the brain dump. */
    assert_int_equal(run(&y, &y.a, "note.add", "{ss ss}", "board", "wall", "text", "Lunch om 12"), 0);
    char wall[16], prob[16];
    snprintf(wall, sizeof wall, "%s", last_id(&y, "note.added"));
    goto_step(&y, "p1-dump");
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Te veel formulieren"), 0);
    snprintf(prob, sizeof prob, "%s", last_id(&y, "note.added"));
    for (size_t s = (size_t)y.c->teams[0].step; s < y.c->pb.nsteps; s++) {
        goto_step(&y, y.c->pb.steps[s].id);
        const pb_step_t *st = &y.c->pb.steps[s];
        table_walk_t w = {&y, (int)st->act, 0};
        core_step_table(table_row, &w);
        assert_true(w.checked >= 15);
        /* The wall is open at every step; a board note only at its board's steps. */
        assert_int_equal(run(&y, &y.a, "note.edit", "{ss ss}", "note", wall, "text", "Lunch om 12.30"), 0);
        int on_problems = strcmp(st->board, "problems") == 0 &&
                          (st->act == ACT_BRAINSTORM || st->act == ACT_CLUSTER);
        int rc = run(&y, &y.a, "note.edit", "{ss ss}", "note", prob, "text", "Te veel formulieren!");
        assert_int_equal(rc, on_problems ? 0 : SP_E_WRONG_STEP);
        if (!on_problems)
            assert_int_equal(run(&y, &y.a, "note.delete", "{ss}", "note", prob), SP_E_WRONG_STEP);
        /* A canvas only at its own step. */
        if (st->act == ACT_CANVAS && strcmp(st->canvas, "vehicle") != 0)
            assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "vehicle", "field",
                                 "driver", "text", "x"), SP_E_WRONG_STEP);
    }
    day_free(&y);
}

/* Problem 1 of issue 16: ideas with dots change neither during their vote nor after it
 * chose them; deleting an option that carries dots gives the dots back, with events. */
static void test_vote_freeze(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    /* Knelpunten with Bram's dots, then back to the list: a deleted item takes its dots
     * back to the voter (vote.removed, gone), an edit is an amendment. */
    goto_step(&y, "p1-knelpunten");
    char items[2][16];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", i ? "Tweede" : "Eerste"), 0);
        snprintf(items[i], 16, "%s", last_id(&y, "item.added"));
    }
    goto_step(&y, "p1-vote");
    for (int i = 0; i < 3; i++)
        assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", items[0]), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", items[1]), 0);
    assert_int_equal(run(&y, &y.a, "item.edit", "{ss ss}", "item", items[0], "text", "Anders"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "item.delete", "{ss}", "item", items[0]), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "step.back", "{ss}", "step", "p1-knelpunten"), 0);
    size_t from = y.log.n;
    assert_int_equal(run(&y, &y.a, "item.delete", "{ss}", "item", items[0]), 0);
    assert_int_equal(count_type(&y, from, "vote.removed"), 1);
    const ev_t *rm = &y.log.v[from];
    assert_string_equal(rm->type, "vote.removed");   /* the dots go before the item */
    assert_int_equal(rm->aud_kind, AUD_MEMBER);
    assert_string_equal(rm->aud_id, y.b.actor);
    assert_int_equal(json_integer_value(json_object_get(rm->data, "mine")), 0);
    assert_int_equal(json_integer_value(json_object_get(rm->data, "used")), 1);
    assert_true(json_is_true(json_object_get(rm->data, "gone")));
    assert_string_equal(y.log.v[from + 1].type, "item.deleted");
    /* Back at the vote, Bram has 9 dots left, not 6. */
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    for (int i = 0; i < 9; i++)
        assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", items[1]), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", items[1]), SP_E_VOTE_BUDGET_EXHAUSTED);

    /* Themes: the chosen cluster is frozen after the vote, also after going back. */
    goto_step(&y, "p2-themes");
    char themes[2][16];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(run(&y, &y.a, "cluster.add", "{ss ss}", "board", "hkw", "name", i ? "Twee" : "Een"), 0);
        snprintf(themes[i], 16, "%s", last_id(&y, "cluster.added"));
    }
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", themes[0]), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", themes[0]), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", themes[1]), 0);
    assert_int_equal(run(&y, &y.a, "cluster.rename", "{ss ss}", "cluster", themes[0], "name", "X"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "vote.reveal", NULL), 0);
    assert_int_equal(run(&y, &y.a, "step.back", "{ss}", "step", "p2-themes"), 0);
    assert_int_equal(run(&y, &y.a, "cluster.rename", "{ss ss}", "cluster", themes[0], "name", "X"), SP_E_FROZEN);
    assert_int_equal(run(&y, &y.a, "cluster.delete", "{ss}", "cluster", themes[0]), SP_E_FROZEN);
    /* What was not chosen may change; the vote is closed, its tally is history. */
    from = y.log.n;
    assert_int_equal(run(&y, &y.a, "cluster.rename", "{ss ss}", "cluster", themes[1], "name", "Y"), 0);
    assert_int_equal(run(&y, &y.a, "cluster.delete", "{ss}", "cluster", themes[1]), 0);
    assert_int_equal(count_type(&y, from, "vote.removed"), 0);

    /* Ideas: neither during their vote nor in the Crystal Ball. */
    goto_step(&y, "p3-race");
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    char ideas[3][16];
    for (int i = 0; i < 3; i++) {
        char t[24];
        snprintf(t, sizeof t, "Idee %d", i);
        assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", t), 0);
        snprintf(ideas[i], 16, "%s", last_id(&y, "note.added"));
    }
    assert_int_equal(run(&y, &y.f1, "race.end", NULL), 0);
    goto_step(&y, "p3-vote");
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", ideas[0]), 0);
    assert_int_equal(run(&y, &y.a, "note.edit", "{ss ss}", "note", ideas[0], "text", "Anders"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "note.delete", "{ss}", "note", ideas[0]), SP_E_WRONG_STEP);
    goto_step(&y, "p3-crystal");
    assert_int_equal(run(&y, &y.a, "note.edit", "{ss ss}", "note", ideas[0], "text", "Anders"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "note.delete", "{ss}", "note", ideas[0]), SP_E_WRONG_STEP);
    assert_int_equal(vote_frozen(y.c, 0, ideas[0]), SP_E_FROZEN);
    assert_int_equal(vote_frozen(y.c, 0, ideas[2]), 0);
    day_free(&y);
}

/* Problem 7 of issue 16: round-1 ideas stay with their author; the race is not skipped. */
static void test_race_round_one_and_skip(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    while (strcmp(y.c->pb.steps[y.c->teams[0].step].id, "p3-race") != 0) {
        int rc = run(&y, &y.a, "step.next", NULL);
        if (rc == SP_E_VOTE_NOT_REVEALED)
            assert_int_equal(run(&y, &y.a, "vote.reveal", NULL), 0);
        else if (rc == SP_E_TIE_UNRESOLVED)
            assert_true(0);
        else
            assert_int_equal(rc, 0);
    }
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_RACE_NOT_STARTED);
    assert_int_equal(run(&y, &y.f1, "step.next", "{ss}", "team", "t1"), SP_E_RACE_NOT_STARTED);
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Blind idee"), 0);
    const char *idea = last_id(&y, "note.added");
    char id[16];
    snprintf(id, sizeof id, "%s", idea);
    assert_int_equal(run(&y, &y.a, "note.share", "{ss}", "note", id), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.f1, "race.end", NULL), 0);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    day_free(&y);
}

/* ---- the playbook as data ------------------------------------------------------------ */

static void test_playbook_parse(void **state)
{
    (void)state;
    const embed_file_t *f = embed_find("data/playbooks/staatsprint.json");
    assert_non_null(f);
    json_t *j = json_loadb((const char *)f->data, f->len, 0, NULL);
    playbook_t pb;
    assert_int_equal(playbook_parse(j, &pb), 0);
    assert_int_equal(pb.nsteps, 15);
    int v1 = playbook_find(&pb, "p1-vote"), v2 = playbook_find(&pb, "p2-vote"),
        v3 = playbook_find(&pb, "p3-vote"), race = playbook_find(&pb, "p3-race");
    assert_int_equal(pb.steps[v1].budget, 10);
    assert_int_equal(pb.steps[v1].select, 0);
    assert_int_equal(pb.steps[v2].budget, 2);
    assert_int_equal(pb.steps[v2].select, 1);
    assert_int_equal(pb.steps[v3].budget, 3);
    assert_int_equal(pb.steps[v3].select, 3);
    assert_int_equal(pb.steps[race].rounds, 2);
    assert_int_equal(pb.steps[race].round_minutes, 5);
    const pb_step_t *veh = &pb.steps[playbook_find(&pb, "p1-vehicle")];
    assert_int_equal(veh->nfields, 6);
    assert_int_equal(pb.steps[playbook_find(&pb, "p2-statement")].nfields, 4);
    playbook_free(&pb);
    json_decref(j);

    static const char *const bad[] = {
        "{\"id\":\"x\",\"phases\":[{\"id\":\"p\",\"steps\":[{\"id\":\"s\",\"activity\":\"juggle\",\"minutes\":5}]}]}",
        "{\"id\":\"x\",\"phases\":[{\"id\":\"p\",\"steps\":[{\"id\":\"s\",\"activity\":\"intro\",\"minutes\":5},{\"id\":\"s\",\"activity\":\"intro\",\"minutes\":5}]}]}",
        /* a vote on a list that no earlier step writes */
        "{\"id\":\"x\",\"phases\":[{\"id\":\"p\",\"steps\":[{\"id\":\"v\",\"activity\":\"vote\",\"minutes\":5,\"params\":{\"target\":\"list:k\",\"budget\":3}}]}]}",
        "{\"id\":\"x\",\"phases\":[{\"id\":\"p\",\"steps\":[{\"id\":\"s\",\"activity\":\"intro\",\"minutes\":0}]}]}",
        "{\"id\":\"x\",\"phases\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = json_loads(bad[i], 0, NULL);
        assert_non_null(b);
        assert_int_equal(playbook_parse(b, &pb), SP_E_BAD_PLAYBOOK);
        json_decref(b);
    }
}

/* A second, small method: the engine is not wired to one playbook. */
static const char mini[] =
    "{\"id\":\"mini\",\"phases\":[{\"id\":\"only\",\"steps\":["
    "{\"id\":\"ideas\",\"activity\":\"brainstorm\",\"minutes\":3,\"params\":{\"board\":\"b\",\"private\":false}},"
    "{\"id\":\"pick\",\"activity\":\"vote\",\"minutes\":2,\"params\":{\"target\":\"board:b\",\"budget\":1,\"select\":1,\"tie\":\"captain\"}},"
    "{\"id\":\"why\",\"activity\":\"canvas\",\"minutes\":4,\"params\":{\"canvas\":\"why\",\"fields\":[{\"id\":\"because\"}]}}]}]}";

static void test_second_playbook(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, mini);
    roles(&y);
    /* Notes go straight to the team: this brainstorm is not private. */
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Open data"), 0);
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    char n1[16];
    snprintf(n1, sizeof n1, "%s", last_id(&y, "note.added"));
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Eén loket"), 0);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss}", "field", "because", "text", "x"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    /* Budget 1 per member. */
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", n1), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", n1), SP_E_VOTE_BUDGET_EXHAUSTED);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", n1), 0);
    assert_int_equal(run(&y, &y.a, "vote.done", NULL), 0);
    assert_int_equal(run(&y, &y.b, "vote.done", NULL), 0);
    const ev_t *r = find_last(&y, "vote.revealed");
    assert_non_null(r);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r->data, "selected"), 0)), n1);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss}", "field", "because", "text", "Het scheelt tijd"), 0);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss}", "field", "nope", "text", "x"), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_LAST_STEP);
    day_free(&y);
}

/* ---- roles and steps ---------------------------------------------------------------------- */

static void test_roles_powers(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    /* Without a captain anyone may set roles; then only the captain. */
    assert_int_equal(run(&y, &y.b, "roles.set", "{ss}", "captain", y.a.actor), 0);
    assert_int_equal(run(&y, &y.b, "roles.set", "{ss}", "captain", y.b.actor), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "timekeeper", y.b.actor), 0);
    /* Someone of another team is no valid role holder. */
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "presenter", y.d.actor), SP_E_NOT_FOUND);
    /* The presenter may be chosen late and unset again. */
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "presenter", y.b.actor), 0);
    assert_int_equal(run(&y, &y.a, "roles.set", "{sn}", "presenter"), 0);
    const ev_t *e = last(&y);
    assert_true(json_is_null(json_object_get(e->data, "presenter")));
    assert_string_equal(json_string_value(json_object_get(e->data, "timekeeper")), y.b.actor);
    /* Only the captain (or staff) closes a step. */
    assert_int_equal(run(&y, &y.b, "step.next", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    assert_string_equal(json_string_value(json_object_get(last(&y)->data, "step")), "p1-dump");
    /* Only the timekeeper (or staff) runs the timer: Bram, not Anna the captain. */
    assert_int_equal(run(&y, &y.a, "timer.start", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.b, "timer.start", NULL), 0);
    /* A facilitator of another room has no say over this team. */
    assert_int_equal(run(&y, &y.f2, "step.next", "{ss}", "team", "t1"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "timer.pause", "{ss}", "team", "t1"), 0);
    /* Profiles: own, with limits. */
    assert_int_equal(run(&y, &y.a, "profile.set", "{ss ss ss}", "organisation", "Gemeente Utrecht",
                         "role", "Informatiemanager", "motivation", "Minder dubbel werk"), 0);
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    char big[260];
    memset(big, 'a', 250);
    big[250] = '\0';
    assert_int_equal(run(&y, &y.a, "profile.set", "{ss}", "organisation", big), SP_E_TEXT_TOO_LONG);
    assert_int_equal(run(&y, &y.org, "profile.set", "{ss}", "organisation", "x"), SP_E_FORBIDDEN);
    day_free(&y);
}

static void test_phase_order_and_going_back(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    /* The role is refused before the step: at the intro only the captain hears wrong_step. */
    assert_int_equal(run(&y, &y.b, "vote.decide", "{s[]}", "targets"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "vote.decide", "{ss s[]}", "team", "t1", "targets"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.org, "vote.decide", "{ss s[]}", "team", "t1", "targets"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[]}", "targets"), SP_E_WRONG_STEP);
    /* Work belongs to its step. */
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "vehicle", "field", "driver", "text", "x"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", "x"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "note.add", "{ss ss}", "board", "problems", "text", "x"), SP_E_WRONG_STEP);
    goto_step(&y, "p1-vehicle");
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "vehicle", "field", "driver", "text", "De wethouder"), 0);
    /* Back to the knelpunten to amend them; the vehicle is then closed. */
    assert_int_equal(run(&y, &y.a, "step.back", "{ss}", "step", "p1-vehicle"), SP_E_NOT_EARLIER_STEP);
    assert_int_equal(run(&y, &y.a, "step.back", "{ss}", "step", "p1-knelpunten"), 0);
    assert_true(json_is_true(json_object_get(last(&y)->data, "back")));
    assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", "Nog een knelpunt"), 0);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss}", "field", "driver", "text", "x"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.b, "step.back", "{ss}", "step", "intro"), SP_E_FORBIDDEN);
    /* An unknown step: forbidden for who may not go back at all, not_found for the captain. */
    assert_int_equal(run(&y, &y.b, "step.back", "{ss}", "step", "no-such-step"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "step.back", "{ss}", "step", "no-such-step"), SP_E_NOT_FOUND);
    /* A facilitator moves all teams of the room at once. */
    size_t before = y.log.n;
    assert_int_equal(run(&y, &y.f1, "step.back", "{ss ss}", "room", "r1", "step", "intro"), 0);
    assert_int_equal(y.log.n - before, 2);
    /* Room-wide commands skip the teams they do not fit; for one team they refuse. */
    goto_step(&y, "p2-vote");
    assert_int_equal(run(&y, &y.a, "vote.reveal", NULL), 0);   /* only t1 revealed */
    before = y.log.n;
    assert_int_equal(run(&y, &y.f1, "step.next", "{ss}", "room", "r1"), 0);
    assert_int_equal(y.log.n - before, 1);
    assert_string_equal(y.log.v[before].aud_id, "t1");
    assert_int_equal(run(&y, &y.f1, "step.next", "{ss}", "team", "t2"), SP_E_VOTE_NOT_REVEALED);
    /* When it fits no team, the first refusal is the answer. */
    assert_int_equal(run(&y, &y.f1, "timer.pause", "{ss}", "room", "r1"), SP_E_TIMER_STATE);
    before = y.log.n;
    assert_int_equal(run(&y, &y.f1, "timer.start", "{ss}", "room", "r1"), 0);
    assert_int_equal(y.log.n - before, 2);
    /* Each team gets its own step's length: t1 at the statement (15), t2 at the vote (5). */
    assert_int_equal(json_integer_value(json_object_get(y.log.v[before].data, "duration_ms")) +
                         json_integer_value(json_object_get(y.log.v[before + 1].data, "duration_ms")),
                     (15 + 5) * 60000);
    day_free(&y);
}

static void test_timer(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    assert_int_equal(run(&y, &y.a, "timer.pause", NULL), SP_E_TIMER_STATE);
    assert_false(core_clock_running(y.c));   /* nothing to wait for: the server may sleep */
    assert_int_equal(run(&y, &y.a, "timer.start", "{sf}", "minutes", 2.0), 0);
    assert_true(core_clock_running(y.c));
    const ev_t *e = last(&y);
    assert_string_equal(json_string_value(json_object_get(e->data, "state")), "running");
    assert_int_equal(json_integer_value(json_object_get(e->data, "ends_at")), y.now + 120000);
    assert_int_equal(run(&y, &y.a, "timer.start", NULL), SP_E_TIMER_STATE);
    y.now += 30000;
    assert_int_equal(run(&y, &y.a, "timer.pause", NULL), 0);
    assert_false(core_clock_running(y.c));   /* paused: only a command goes on */
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "remaining_ms")), 90000);
    y.now += 600000;   /* paused: no time passes for the team */
    evlist_t out = {0};
    assert_int_equal(core_tick(y.c, y.now, &out), 0);
    assert_int_equal(run(&y, &y.a, "timer.extend", "{si}", "minutes", 1), 0);
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "remaining_ms")), 150000);
    assert_int_equal(run(&y, &y.a, "timer.resume", NULL), 0);
    assert_true(core_clock_running(y.c));
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "ends_at")), y.now + 150000);
    assert_int_equal(run(&y, &y.a, "timer.extend", "{si}", "minutes", 31), SP_E_BAD_MESSAGE);
    /* Time runs out: one expiry, not two. */
    assert_int_equal(core_tick(y.c, y.now + 149999, &out), 0);
    assert_true(core_clock_running(y.c));
    assert_int_equal(core_tick(y.c, y.now + 150000, &out), 1);
    assert_string_equal(json_string_value(json_object_get(out.v[0].data, "state")), "expired");
    assert_false(core_clock_running(y.c));   /* run out: nothing left to wait for */
    assert_int_equal(core_tick(y.c, y.now + 200000, &out), 0);
    evlist_free(&out);
    /* A new step resets the timer. */
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    assert_int_equal(run(&y, &y.a, "timer.start", NULL), 0);
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "duration_ms")), 5 * 60000);
    day_free(&y);
}

/* ---- phase 1 --------------------------------------------------------------------------------- */

static void test_private_brain_dump(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-dump");
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Burgers vullen alles drie keer in"), 0);
    const ev_t *e = last(&y);
    assert_int_equal(e->aud_kind, AUD_MEMBER);
    assert_string_equal(e->aud_id, y.a.actor);
    char na[16], nb[16];
    snprintf(na, sizeof na, "%s", last_id(&y, "note.added"));
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Systemen praten niet met elkaar"), 0);
    snprintf(nb, sizeof nb, "%s", last_id(&y, "note.added"));
    /* Bram cannot see, edit or delete Anna's private note. */
    assert_int_equal(run(&y, &y.b, "note.edit", "{ss ss}", "note", na, "text", "x"), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.b, "note.delete", "{ss}", "note", na), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.a, "note.edit", "{ss ss}", "note", na, "text", "Burgers vullen alles vaak in"), 0);
    assert_int_equal(last(&y)->aud_kind, AUD_MEMBER);
    /* Sharing makes it the team's. */
    assert_int_equal(run(&y, &y.a, "note.share", "{ss}", "note", na), 0);
    assert_string_equal(last(&y)->type, "note.shared");
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    assert_string_equal(json_string_value(json_object_get(last(&y)->data, "text")), "Burgers vullen alles vaak in");
    assert_int_equal(run(&y, &y.b, "note.edit", "{ss ss}", "note", na, "text", "Burgers vullen alles vaak opnieuw in"), 0);
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    /* The step moves on: what is still private is shared, once. */
    size_t before = y.log.n;
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    int shared = 0;
    for (size_t i = before; i < y.log.n; i++)
        if (strcmp(y.log.v[i].type, "note.shared") == 0) {
            shared++;
            assert_string_equal(json_string_value(json_object_get(y.log.v[i].data, "id")), nb);
            assert_int_equal(y.log.v[i].aud_kind, AUD_TEAM);
        }
    assert_int_equal(shared, 1);
    day_free(&y);
}

static void test_clusters_and_knelpunten(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-dump");
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Gegevens dubbel uitgevraagd"), 0);
    char na[16];
    snprintf(na, sizeof na, "%s", last_id(&y, "note.added"));
    goto_step(&y, "p1-cluster");
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss}", "name", "Gegevens"), 0);
    char k[16];
    snprintf(k, sizeof k, "%s", last_id(&y, "cluster.added"));
    assert_int_equal(run(&y, &y.b, "note.move", "{ss ss}", "note", na, "cluster", k), 0);
    /* Another team can neither see nor use the cluster. */
    assert_int_equal(run(&y, &y.d, "note.move", "{ss ss}", "note", na, "cluster", k), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.b, "cluster.rename", "{ss ss}", "cluster", k, "name", "Gegevens en privacy"), 0);
    assert_int_equal(run(&y, &y.b, "note.move", "{ss sn}", "note", na, "cluster"), 0);
    /* New notes may still come up during clustering, shared at once. */
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Geen overzicht"), 0);
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    goto_step(&y, "p1-knelpunten");
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss}", "name", "Te laat"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "item.add", "{ss ss}", "text", "Data zit in silo's", "cluster", k), 0);
    assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", ""), SP_E_TEXT_EMPTY);
    assert_int_equal(run(&y, &y.a, "item.add", "{ss ss}", "list", "other", "text", "x"), SP_E_WRONG_STEP);
    day_free(&y);
}

/* The wall: positions of notes and groups are events, under the rules of note.move. */
static void test_wall_positions(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-dump");
    char na[16], nb[16], np[16], nd[16];
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Gegevens dubbel uitgevraagd"), 0);
    snprintf(na, sizeof na, "%s", last_id(&y, "note.added"));
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "NAW drie keer invullen"), 0);
    snprintf(nb, sizeof nb, "%s", last_id(&y, "note.added"));
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Andere wand"), 0);
    snprintf(nd, sizeof nd, "%s", last_id(&y, "note.added"));
    /* Not before the cluster step, while notes are still private. */
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", na, "x", 10, "y", 10), SP_E_WRONG_STEP);
    goto_step(&y, "p1-cluster");
    /* Anna places Bram's note: any member of the team may, as with note.move. */
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", nb, "x", 300, "y", 120), 0);
    assert_string_equal(last(&y)->type, "note.placed");
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "x")), 300);
    int64_t ib = map_index(&y.c->note_ids, nb);
    assert_true(ib >= 0);
    assert_int_equal(y.c->notes[ib].placed, 1);
    assert_int_equal(y.c->notes[ib].x, 300);
    assert_int_equal(y.c->notes[ib].y, 120);
    /* The edges of the wall are on it; beyond them is not. */
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", nb, "x", 0, "y", 1000), 0);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", nb, "x", 1601, "y", 5), SP_E_BAD_POSITION);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", nb, "x", -1, "y", 5), SP_E_BAD_POSITION);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si}", "note", nb, "x", 5), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss ss si}", "note", nb, "x", "5", "y", 5), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss sf si}", "note", nb, "x", 5.5, "y", 5), SP_E_BAD_MESSAGE);
    assert_int_equal(y.c->notes[ib].x, 0);
    assert_int_equal(y.c->notes[ib].y, 1000);
    /* Another team's note is not there for us; staff do not move a team's notes. */
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", nd, "x", 5, "y", 5), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.f1, "note.place", "{ss si si}", "note", na, "x", 5, "y", 5), SP_E_FORBIDDEN);
    /* Dropping a note onto a note: one group with both, placed, in one command. */
    assert_int_equal(run(&y, &y.b, "cluster.add", "{ss s[ss] si si}", "name", "Dubbel uitvragen",
                         "notes", na, nb, "x", 400, "y", 200), 0);
    char k[16];
    snprintf(k, sizeof k, "%s", last_id(&y, "cluster.added"));
    assert_int_equal(count_type(&y, y.log.n - 3, "note.moved"), 2);
    int64_t ik = map_index(&y.c->cluster_ids, k);
    assert_int_equal(y.c->clusters[ik].placed, 1);
    assert_int_equal(y.c->clusters[ik].x, 400);
    assert_int_equal(y.c->notes[ib].cluster, (int)ik);
    /* A bad note in the list refuses the whole command: no group, nothing moved. */
    size_t before = y.log.n;
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss s[ss]}", "name", "X", "notes", na, nd), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss s[i]}", "name", "X", "notes", 3), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss ss}", "name", "X", "notes", na), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss si si}", "name", "X", "x", 1, "y", 2000), SP_E_BAD_POSITION);
    assert_int_equal(y.log.n, before);
    /* Dragging the group. */
    assert_int_equal(run(&y, &y.a, "cluster.place", "{ss si si}", "cluster", k, "x", 800, "y", 500), 0);
    assert_string_equal(last(&y)->type, "cluster.placed");
    assert_int_equal(y.c->clusters[ik].x, 800);
    assert_int_equal(y.c->clusters[ik].y, 500);
    assert_int_equal(run(&y, &y.d, "cluster.place", "{ss si si}", "cluster", k, "x", 1, "y", 1), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.a, "cluster.place", "{ss si si}", "cluster", k, "x", 1, "y", 1001), SP_E_BAD_POSITION);
    /* After the step nothing moves any more. */
    goto_step(&y, "p1-knelpunten");
    assert_int_equal(run(&y, &y.a, "cluster.place", "{ss si si}", "cluster", k, "x", 1, "y", 1), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", na, "x", 1, "y", 1), SP_E_WRONG_STEP);
    /* The HKW themes step is a wall too, for its own board only: during the private HKW
     * brainstorm nothing is placed; at the themes step Bram's (now shared) note is, and a
     * problems note is not on this wall. */
    goto_step(&y, "p2-hkw");
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Hoe kunnen we eenmalig uitvragen?"), 0);
    snprintf(np, sizeof np, "%s", last_id(&y, "note.added"));
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", np, "x", 1, "y", 1), SP_E_WRONG_STEP);
    goto_step(&y, "p2-themes");
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", np, "x", 1, "y", 1), 0);
    assert_int_equal(run(&y, &y.a, "note.place", "{ss si si}", "note", na, "x", 1, "y", 1), SP_E_WRONG_STEP);
    day_free(&y);
}

static void test_cluster_suggestions(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-dump");
    static const char *const notes[] = {
        "Burgers moeten gegevens steeds opnieuw invullen", "Gegevens worden dubbel uitgevraagd",
        "Te weinig ICT-personeel bij gemeenten", "Tekort aan ICT-talent in de regio",
        "Gegevens opnieuw invullen bij elke aanvraag", "Gemeenten vinden geen ICT-personeel"};
    for (int i = 0; i < 6; i++)
        assert_int_equal(run(&y, i % 2 ? &y.b : &y.a, "note.add", "{ss}", "text", notes[i]), 0);
    assert_int_equal(run(&y, &y.a, "cluster.suggest", NULL), SP_E_WRONG_STEP);
    goto_step(&y, "p1-cluster");
    assert_int_equal(run(&y, &y.a, "cluster.add", "{ss}", "name", "Eigen groep"), 0);
    char own[16];
    snprintf(own, sizeof own, "%s", last_id(&y, "cluster.added"));
    const char *first_note = json_string_value(json_object_get(find_last(&y, "note.shared")->data, "id"));
    char moved_note[16];
    snprintf(moved_note, sizeof moved_note, "%s", first_note);
    assert_int_equal(run(&y, &y.a, "note.move", "{ss ss}", "note", moved_note, "cluster", own), 0);
    size_t before = y.log.n;
    assert_int_equal(run(&y, &y.b, "cluster.suggest", NULL), 0);
    const ev_t *sg = last(&y);
    assert_string_equal(sg->type, "cluster.suggested");
    assert_int_equal(sg->aud_kind, AUD_TEAM);
    assert_int_equal(y.log.n - before, 1);   /* a proposal only: nothing moved */
    json_t *groups = json_object_get(sg->data, "groups");
    assert_int_equal(json_array_size(groups), 2);
    char sid[16];
    snprintf(sid, sizeof sid, "%s", json_string_value(json_object_get(sg->data, "id")));
    /* Edited before accepting: a name changed; a note in two groups is refused. */
    json_t *edited = json_deep_copy(groups);
    json_object_set_new(json_array_get(edited, 0), "name", json_string("Gegevens en formulieren"));
    json_t *bad = json_deep_copy(edited);
    json_array_extend(json_object_get(json_array_get(bad, 1), "notes"),
                      json_object_get(json_array_get(bad, 0), "notes"));
    assert_int_equal(run(&y, &y.a, "cluster.accept", "{ss so}", "suggestion", sid, "groups", bad), SP_E_BAD_TARGET);
    assert_int_equal(run(&y, &y.d, "cluster.accept", "{ss}", "suggestion", sid), SP_E_NOT_FOUND);
    assert_int_equal(run(&y, &y.a, "cluster.accept", "{ss so}", "suggestion", sid, "groups", edited), 0);
    const ev_t *batch = last(&y);
    assert_string_equal(batch->type, "cluster.batch");
    assert_int_equal(json_array_size(json_object_get(batch->data, "clusters")), 2);
    assert_int_equal(json_array_size(json_object_get(batch->data, "moved")), 6);
    assert_string_equal(json_string_value(json_object_get(find_last(&y, "cluster.added")->data, "name")),
                        json_string_value(json_object_get(json_array_get(groups, 1), "name")));
    char bid[16];
    snprintf(bid, sizeof bid, "%s", json_string_value(json_object_get(batch->data, "id")));
    /* Undo in one step: the note that was in our own cluster goes back there. */
    before = y.log.n;
    assert_int_equal(run(&y, &y.b, "cluster.undo", "{ss}", "batch", bid), 0);
    assert_int_equal(count_type(&y, before, "cluster.deleted"), 2);
    assert_int_equal(count_type(&y, before, "note.moved"), 6);
    for (size_t i = before; i < y.log.n; i++)
        if (strcmp(y.log.v[i].type, "note.moved") == 0 &&
            strcmp(json_string_value(json_object_get(y.log.v[i].data, "id")), moved_note) == 0)
            assert_string_equal(json_string_value(json_object_get(y.log.v[i].data, "cluster")), own);
    assert_int_equal(run(&y, &y.b, "cluster.undo", "{ss}", "batch", bid), SP_E_NOT_FOUND);
    day_free(&y);
}

/* Adds n knelpunten for t1 at the items step; ids to out. */
static void add_items(day_t *y, int n, char out[][16])
{
    for (int i = 0; i < n; i++) {
        char text[32];
        snprintf(text, sizeof text, "Knelpunt %d", i + 1);
        assert_int_equal(run(y, &y->a, "item.add", "{ss}", "text", text), 0);
        snprintf(out[i], 16, "%s", last_id(y, "item.added"));
    }
}

static void test_dot_vote_budget_and_hiding(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-knelpunten");
    char it[3][16];
    add_items(&y, 3, it);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", it[0]), SP_E_WRONG_STEP);
    goto_step(&y, "p1-vote");
    size_t start = y.log.n;
    /* Ten dots, several on one knelpunt. */
    for (int i = 0; i < 10; i++)
        assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", it[i < 7 ? 0 : 1]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", it[2]), SP_E_VOTE_BUDGET_EXHAUSTED);
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "used")), 10);
    assert_int_equal(run(&y, &y.a, "vote.remove", "{ss}", "target", it[2]), SP_E_VOTE_NO_DOT);
    assert_int_equal(run(&y, &y.a, "vote.remove", "{ss}", "target", it[1]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", it[2]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", "i999"), SP_E_BAD_TARGET);
    /* Another team's knelpunt is not an option. */
    assert_int_equal(run(&y, &y.d, "vote.place", "{ss}", "target", it[0]), SP_E_BAD_TARGET);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", it[2]), 0);
    /* Hidden: every dot event goes to its voter only. */
    for (size_t i = start; i < y.log.n; i++)
        if (strncmp(y.log.v[i].type, "vote.", 5) == 0) {
            assert_int_equal(y.log.v[i].aud_kind, AUD_MEMBER);
            assert_string_equal(y.log.v[i].aud_id, y.log.v[i].actor);
        }
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_VOTE_NOT_REVEALED);
    /* Anna is done: the team learns that, not what she chose. */
    assert_int_equal(run(&y, &y.a, "vote.done", NULL), 0);
    assert_string_equal(last(&y)->type, "vote.progress");
    assert_int_equal(last(&y)->aud_kind, AUD_TEAM);
    char *s = json_dumps(last(&y)->data, 0);
    assert_null(strstr(s, it[0]));
    free(s);
    assert_null(find_last(&y, "vote.revealed"));
    /* Bram is done too: everyone is, so the dots are revealed. */
    assert_int_equal(run(&y, &y.b, "vote.done", NULL), 0);
    const ev_t *r = find_last(&y, "vote.revealed");
    assert_non_null(r);
    assert_int_equal(r->aud_kind, AUD_TEAM);
    json_t *tally = json_object_get(r->data, "tally");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tally, 0), "target")), it[0]);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tally, 0), "count")), 7);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tally, 1), "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tally, 2), "count")), 2);
    assert_true(json_is_null(json_object_get(r->data, "selected")));   /* a ranked tally only */
    /* Closed now. */
    assert_int_equal(run(&y, &y.a, "vote.remove", "{ss}", "target", it[0]), SP_E_VOTE_CLOSED);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    day_free(&y);
}

static void test_reveal_by_captain_or_facilitator(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-knelpunten");
    char it[2][16];
    add_items(&y, 2, it);
    goto_step(&y, "p1-vote");
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", it[1]), 0);
    assert_int_equal(run(&y, &y.b, "vote.reveal", NULL), SP_E_FORBIDDEN);      /* not the captain */
    assert_int_equal(run(&y, &y.f2, "vote.reveal", "{ss}", "team", "t1"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "vote.reveal", "{ss}", "team", "t1"), 0);
    assert_non_null(find_last(&y, "vote.revealed"));
    assert_int_equal(run(&y, &y.a, "vote.reveal", NULL), SP_E_VOTE_CLOSED);
    day_free(&y);
}

/* ---- phase 2: a tie blocks the step until the captain decides ---------------------------------- */

static void test_theme_tie_captain_decides(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p2-hkw");
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Hoe kunnen we gegevens één keer vragen?"), 0);
    char q[16];
    snprintf(q, sizeof q, "%s", last_id(&y, "note.added"));
    goto_step(&y, "p2-themes");
    char th[3][16];
    const char *names[] = {"Eenmalige uitvraag", "Samenwerking", "Regie"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(run(&y, &y.b, "cluster.add", "{ss}", "name", names[i]), 0);
        snprintf(th[i], 16, "%s", last_id(&y, "cluster.added"));
    }
    assert_int_equal(run(&y, &y.a, "note.move", "{ss ss}", "note", q, "cluster", th[0]), 0);
    goto_step(&y, "p2-vote");
    /* Two dots each: Anna both on theme 0, Bram both on theme 1 → a tie. */
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", th[0]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", th[0]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", th[2]), SP_E_VOTE_BUDGET_EXHAUSTED);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", th[1]), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", th[1]), 0);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[s]}", "targets", th[0]), SP_E_NOT_A_TIE);
    assert_int_equal(run(&y, &y.a, "vote.done", NULL), 0);
    assert_int_equal(run(&y, &y.b, "vote.done", NULL), 0);
    const ev_t *r = find_last(&y, "vote.revealed");
    assert_true(json_is_null(json_object_get(r->data, "selected")));
    json_t *tie = json_object_get(r->data, "tie");
    assert_int_equal(json_array_size(json_object_get(tie, "candidates")), 2);
    assert_int_equal(json_integer_value(json_object_get(tie, "places")), 1);
    /* The tie blocks the step. */
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_TIE_UNRESOLVED);
    assert_int_equal(run(&y, &y.f1, "step.next", "{ss}", "team", "t1"), SP_E_TIE_UNRESOLVED);
    /* Only the captain decides, exactly one of the tied themes. */
    assert_int_equal(run(&y, &y.b, "vote.decide", "{s[s]}", "targets", th[1]), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "vote.decide", "{ss s[s]}", "team", "t1", "targets", th[1]), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[ss]}", "targets", th[0], th[1]), SP_E_BAD_CHOICE);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[s]}", "targets", th[2]), SP_E_BAD_CHOICE);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[s]}", "targets", th[1]), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(last(&y)->data, "selected"), 0)), th[1]);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "problem", "field", "owner", "text", "De gemeente"), 0);
    day_free(&y);
}

/* ---- phase 3: the Idee Race --------------------------------------------------------------------- */

static void test_idee_race(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p3-race");
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Te vroeg"), SP_E_RACE_NOT_RUNNING);
    assert_int_equal(run(&y, &y.a, "race.start", NULL), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f2, "race.start", "{ss}", "room", "r1"), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    const ev_t *e = last(&y);
    assert_int_equal(e->aud_kind, AUD_ALL);
    assert_int_equal(json_integer_value(json_object_get(e->data, "ends_at")), y.now + 5 * 60000);
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), SP_E_RACE_RUNNING);
    /* Round 1 is blind: ideas go to their author; the count goes to everyone. */
    static const char *const race_ideas[] = {"Een app voor vacatures", "Stages bij het Rijk",
                                             "Een app voor alle vacatures"};
    for (int i = 0; i < 3; i++) {
        size_t from = y.log.n;
        assert_int_equal(run(&y, i == 1 ? &y.b : &y.a, "note.add", "{ss}", "text", race_ideas[i]), 0);
        assert_string_equal(y.log.v[from].type, "note.added");
        assert_int_equal(y.log.v[from].aud_kind, AUD_MEMBER);
        assert_string_equal(y.log.v[from + 1].type, "race.count");
        assert_int_equal(y.log.v[from + 1].aud_kind, AUD_ALL);
        assert_int_equal(json_integer_value(json_object_get(y.log.v[from + 1].data, "count")), i + 1);
        /* The third idea looks like the first, which its author (Anna) can see: a hint
         * to her alone. */
        if (i == 2) {
            assert_int_equal(y.log.n - from, 3);
            assert_string_equal(last(&y)->type, "idea.similar");
            assert_int_equal(last(&y)->aud_kind, AUD_MEMBER);
            assert_string_equal(last(&y)->aud_id, y.a.actor);
        } else {
            assert_int_equal(y.log.n - from, 2);
        }
    }
    /* Bram's idea like Anna's private round-1 idea: no hint, which would leak it. */
    size_t from_b = y.log.n;
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Een app voor vacatures"), 0);
    assert_int_equal(count_type(&y, from_b, "idea.similar"), 0);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Idee van team 2"), 0);
    /* The captain cannot leave the race while a round runs. */
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_RACE_RUNNING);
    /* Time is up: the round ends by itself, ideas are shared, the leaderboard shows. */
    evlist_t out = {0};
    assert_int_equal(core_tick(y.c, y.now + 5 * 60000 - 1, &out), 0);
    size_t before = y.log.n;
    y.now += 5 * 60000;
    core_tick(y.c, y.now, &y.log);
    assert_int_equal(count_type(&y, before, "race.round"), 1);
    assert_int_equal(count_type(&y, before, "note.shared"), 5);
    assert_int_equal(count_type(&y, before, "race.leaderboard"), 1);
    assert_int_equal(count_type(&y, before, "race.won"), 0);
    const ev_t *lb = find_last(&y, "race.leaderboard");
    json_t *first = json_array_get(json_object_get(lb->data, "teams"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "team")), "t1");
    assert_int_equal(json_integer_value(json_object_get(first, "count")), 4);
    /* Between rounds no idea counts. */
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Te laat"), SP_E_RACE_NOT_RUNNING);
    /* Round 2: ideas go to the team at once. */
    assert_int_equal(run(&y, &y.f1, "race.start", "{ss sf}", "room", "r1", "minutes", 0.5), 0);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Voortbouwen"), 0);
    assert_int_equal(y.log.v[y.log.n - 2].aud_kind, AUD_TEAM);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Nog een"), 0);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "En nog een"), 0);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Winnaar"), 0);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Vijfde"), 0);
    before = y.log.n;
    y.now += 30000;
    core_tick(y.c, y.now, &y.log);
    const ev_t *won = find_last(&y, "race.won");
    assert_non_null(won);
    assert_true(won - y.log.v >= (ptrdiff_t)before);
    assert_string_equal(json_string_value(json_array_get(json_object_get(won->data, "teams"), 0)), "t2");
    assert_int_equal(json_integer_value(json_object_get(won->data, "count")), 6);
    assert_non_null(json_object_get(json_object_get(won->data, "prize"), "nl"));
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), SP_E_RACE_OVER);
    evlist_free(&out);
    day_free(&y);
}

/* ---- phase 3: at most three ideas go on; the Crystal Ball works on those --------------------------- */

static void test_idea_selection_and_crystal_ball(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p3-race");
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    y.now += 1000;
    char ideas[5][16];
    for (int i = 0; i < 5; i++) {
        char t[24];
        snprintf(t, sizeof t, "Idee %c", 'A' + i);
        assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", t), 0);
        snprintf(ideas[i], 16, "%s", last_id(&y, "note.added"));
    }
    y.now += 5 * 60000;
    core_tick(y.c, y.now, &y.log);
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    y.now += 5 * 60000;
    core_tick(y.c, y.now, &y.log);
    goto_step(&y, "p3-vote");
    /* Three votes each: A 2, B 1 (Anna); C 1, D 1, E 1 (Bram): B, C, D, E tie at the cut. */
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", ideas[0]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", ideas[0]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", ideas[1]), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", ideas[2]), SP_E_VOTE_BUDGET_EXHAUSTED);
    for (int i = 2; i < 5; i++)
        assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", ideas[i]), 0);
    assert_int_equal(run(&y, &y.a, "vote.done", NULL), 0);
    assert_int_equal(run(&y, &y.b, "vote.done", NULL), 0);
    const ev_t *r = find_last(&y, "vote.revealed");
    json_t *tie = json_object_get(r->data, "tie");
    assert_non_null(tie);
    assert_int_equal(json_array_size(json_object_get(tie, "fixed")), 1);
    assert_int_equal(json_array_size(json_object_get(tie, "candidates")), 4);
    assert_int_equal(json_integer_value(json_object_get(tie, "places")), 2);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_TIE_UNRESOLVED);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[sss]}", "targets", ideas[1], ideas[2], ideas[3]), SP_E_BAD_CHOICE);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[ss]}", "targets", ideas[2], ideas[2]), SP_E_BAD_CHOICE);
    assert_int_equal(run(&y, &y.a, "vote.decide", "{s[ss]}", "targets", ideas[4], ideas[2]), 0);
    json_t *sel = json_object_get(last(&y)->data, "selected");
    assert_int_equal(json_array_size(sel), 3);
    assert_string_equal(json_string_value(json_array_get(sel, 0)), ideas[0]);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), 0);
    /* Milestones only for the three chosen ideas, from Nu (0) to 5 years. */
    assert_int_equal(run(&y, &y.a, "milestone.add", "{ss si ss ss}", "idea", ideas[0], "at", 0, "kind", "goal", "text", "Pilot in drie gemeenten"), 0);
    char ms[16];
    snprintf(ms, sizeof ms, "%s", last_id(&y, "milestone.added"));
    assert_int_equal(run(&y, &y.a, "milestone.add", "{ss si ss ss}", "idea", ideas[1], "at", 1, "kind", "role", "text", "x"), SP_E_BAD_TARGET);
    assert_int_equal(run(&y, &y.a, "milestone.add", "{ss si ss ss}", "idea", ideas[4], "at", 6, "kind", "goal", "text", "x"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.a, "milestone.add", "{ss si ss ss}", "idea", ideas[4], "at", 5, "kind", "magic", "text", "x"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(&y, &y.b, "milestone.add", "{ss si ss ss}", "idea", ideas[4], "at", 5, "kind", "dropped", "text", "Papieren formulieren"), 0);
    assert_int_equal(run(&y, &y.b, "milestone.edit", "{ss si}", "milestone", ms, "at", 2), 0);
    assert_int_equal(json_integer_value(json_object_get(last(&y)->data, "at")), 2);
    assert_string_equal(json_string_value(json_object_get(last(&y)->data, "text")), "Pilot in drie gemeenten");
    assert_int_equal(run(&y, &y.d, "milestone.delete", "{ss}", "milestone", ms), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.a, "milestone.delete", "{ss}", "milestone", ms), 0);
    day_free(&y);
}

/* At most three: with fewer voted ideas, only those with votes go on. */
static void test_at_most_three_with_votes(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p3-race");
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    char ideas[4][16];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Idee"), 0);
        snprintf(ideas[i], 16, "%s", last_id(&y, "note.added"));
    }
    assert_int_equal(run(&y, &y.f1, "race.end", NULL), 0);
    goto_step(&y, "p3-vote");
    for (int i = 0; i < 3; i++)
        assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", ideas[0]), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", ideas[1]), 0);
    assert_int_equal(run(&y, &y.a, "vote.reveal", NULL), 0);
    json_t *sel = json_object_get(find_last(&y, "vote.revealed")->data, "selected");
    assert_int_equal(json_array_size(sel), 2);
    day_free(&y);
}

/* ---- phase 4 and the whole day replayed ------------------------------------------------------------ */

static void test_pitch_and_replay(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p4-pitch");
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "pitch", "field", "idea", "text", "Eén gegevenskluis per burger"), 0);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "pitch", "field", "team_name", "text", "De Kluiswachters"), 0);
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "presenter", y.b.actor), 0);
    char big[2100];
    memset(big, 'x', 2001);
    big[2001] = '\0';
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss}", "field", "idea", "text", big), SP_E_TEXT_TOO_LONG);
    goto_step(&y, "p4-plan");
    assert_int_equal(run(&y, &y.b, "canvas.set", "{ss ss ss}", "canvas", "plan", "field", "duration", "text", "Twee jaar"), 0);
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_LAST_STEP);
    /* The whole day replays into the same state: the same next ids and refusals. */
    core_t *r = core_new();
    for (size_t i = 0; i < y.log.n; i++)
        assert_int_equal(core_apply(r, &y.log.v[i]), 0);
    core_t *orig = y.c;
    y.c = r;
    assert_int_equal(run(&y, &y.a, "step.next", NULL), SP_E_LAST_STEP);
    assert_int_equal(run(&y, &y.a, "canvas.set", "{ss ss ss}", "canvas", "pitch", "field", "idea", "text", "x"), SP_E_WRONG_STEP);
    assert_int_equal(run(&y, &y.b, "canvas.set", "{ss ss}", "field", "cost", "text", "Moed"), 0);
    assert_int_equal(core_head(r), (int64_t)y.log.n);
    y.c = orig;
    core_free(r);
    day_free(&y);
}

/* ---- the console: a race only for the teams at the race step; counts; the room's status ---- */

/* Moves one team (index k, captain cap) forward to step. */
static void team_to_step(day_t *y, int k, const who_t *cap, const char *step)
{
    int target = playbook_find(&y->c->pb, step);
    assert_true(target >= 0);
    while (y->c->teams[k].step < target) {
        int rc = run(y, cap, "step.next", NULL);
        if (rc == SP_E_VOTE_NOT_REVEALED) {
            assert_int_equal(run(y, cap, "vote.reveal", NULL), 0);
            rc = run(y, cap, "step.next", NULL);
        }
        assert_int_equal(rc, 0);
    }
}

static void test_race_only_for_teams_at_the_race_step(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    /* Nobody at the race step: the start fits no team. */
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), SP_E_WRONG_STEP);
    assert_int_equal(y.c->races[0].round, 0);
    /* t1 reaches the race, t2 is still at the brainstorm: the round is t1's alone. */
    team_to_step(&y, 0, &y.a, "p3-race");
    team_to_step(&y, 1, &y.d, "p1-dump");
    assert_int_equal(run(&y, &y.f1, "race.start", NULL), 0);
    const ev_t *r = find_last(&y, "race.round");
    json_t *teams = json_object_get(r->data, "teams");
    assert_int_equal(json_array_size(teams), 1);
    assert_string_equal(json_string_value(json_array_get(teams, 0)), "t1");
    /* t2 writes on its own board, not in the race; t1's idea counts. */
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Een idee"), 0);
    assert_int_equal(run(&y, &y.d, "note.add", "{ss}", "text", "Gewoon een briefje"), 0);
    assert_string_equal(json_string_value(json_object_get(find_last(&y, "note.added")->data, "board")), "problems");
    assert_int_equal(run(&y, &y.f1, "race.end", NULL), 0);
    const ev_t *lb = find_last(&y, "race.leaderboard");
    json_t *rows = json_object_get(lb->data, "teams");
    assert_int_equal(json_array_size(rows), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "team")), "t1");
    /* A replay gives the same participation. */
    core_t *c2 = core_new();
    for (size_t i = 0; i < y.log.n; i++)
        assert_int_equal(core_apply(c2, &y.log.v[i]), 0);
    assert_int_equal(c2->teams[0].raced, 1);
    assert_int_equal(c2->teams[1].raced, 0);
    core_free(c2);
    day_free(&y);
}

/* JSON text written by hand (util/jtext) is JSON: quotes, backslashes, control characters
 * and UTF-8 come back as they went in. */
static void test_jtext_strings(void **state)
{
    (void)state;
    const char *cases[] = {"", "t1", "a\"b", "back\\slash", "tab\tnew\nline\x01", "één 🙂"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tbuf_t b = {0};
        tb_raw(&b, "[");
        tb_str(&b, cases[i]);
        tb_raw(&b, "]");
        json_t *v = json_loads(b.s, 0, NULL);
        assert_non_null(v);
        assert_string_equal(json_string_value(json_array_get(v, 0)), cases[i]);
        json_decref(v);
        free(b.s);
    }
}

static void test_counts_and_room_status(void **state)
{
    (void)state;
    day_t y;
    day_init(&y, NULL);
    roles(&y);
    goto_step(&y, "p1-knelpunten");
    assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", "Silo's"), 0);
    assert_int_equal(run(&y, &y.b, "item.add", "{ss}", "text", "Geen budget"), 0);
    const char *item = last_id(&y, "item.added");
    goto_step(&y, "p1-vote");
    y.now += 7000;
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", item), 0);
    assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", item), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", item), 0);
    assert_int_equal(run(&y, &y.b, "vote.done", NULL), 0);
    json_t *k = core_team_counts(y.c, 0);
    assert_int_equal(json_integer_value(json_object_get(k, "members")), 2);
    assert_int_equal(json_integer_value(json_object_get(k, "dots")), 3);
    assert_int_equal(json_integer_value(json_object_get(k, "voted")), 1);
    assert_int_equal(json_integer_value(json_object_get(k, "dots_budget")), 20);
    assert_int_equal(json_integer_value(json_object_get(k, "active")), y.now);
    assert_int_equal(json_integer_value(json_object_get(k, "assigned")), 0);
    assert_false(json_is_true(json_object_get(k, "tie")));
    /* A total only: nothing in the counts names an option. */
    char *dump = json_dumps(k, JSON_COMPACT);
    assert_null(strstr(dump, item));
    free(dump);
    json_decref(k);
    assert_null(core_team_counts(y.c, 99));
    /* The text the server sends is the same object. */
    char *texts[3] = {0};
    unsigned char mark[3] = {1, 0, 1};
    assert_int_equal(core_team_count(y.c), 3);
    core_counts_texts(y.c, mark, texts);
    assert_non_null(texts[0]);
    assert_null(texts[1]);
    assert_non_null(texts[2]);
    json_t *parsed = json_loads(texts[0], 0, NULL), *again = core_team_counts(y.c, 0);
    assert_non_null(parsed);
    assert_true(json_equal(parsed, again));
    json_decref(parsed);
    json_decref(again);
    free(texts[0]);
    free(texts[2]);
    /* The room's status: the step of its teams, their timer, the message and the sound. */
    assert_int_equal(run(&y, &y.f1, "timer.start", "{ss si}", "room", "r1", "minutes", 4), 0);
    assert_int_equal(run(&y, &y.f1, "room.message", "{ss}", "text", "Nog vier minuten"), 0);
    assert_int_equal(run(&y, &y.f1, "room.sound", "{sb}", "on", 1), 0);
    assert_int_equal(run(&y, &y.f1, "room.sound", "{ss sb}", "room", "r2", "on", 1), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.a, "room.sound", "{sb}", "on", 1), SP_E_FORBIDDEN);
    assert_int_equal(run(&y, &y.f1, "room.sound", "{ss}", "on", "ja"), SP_E_BAD_MESSAGE);
    json_t *st = core_room_status(y.c, 0);
    assert_string_equal(json_string_value(json_object_get(st, "step")), "p1-vote");
    assert_int_equal(json_integer_value(json_object_get(st, "at")), 2);
    json_t *tm = json_object_get(st, "timer");
    assert_string_equal(json_string_value(json_object_get(tm, "state")), "running");
    assert_int_equal(json_integer_value(json_object_get(tm, "ends_at")), y.now + 4 * 60000);
    assert_string_equal(json_string_value(json_object_get(st, "message")), "Nog vier minuten");
    assert_true(json_is_true(json_object_get(st, "sound")));
    json_decref(st);
    /* Room 2 has no members: every team counts, all at the first step. */
    st = core_room_status(y.c, 1);
    assert_int_equal(json_integer_value(json_object_get(st, "index")), 0);
    assert_false(json_is_true(json_object_get(st, "sound")));
    json_decref(st);
    assert_null(core_room_status(y.c, 5));
    day_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_playbook_parse),
        cmocka_unit_test(test_second_playbook),
        cmocka_unit_test(test_roles_powers),
        cmocka_unit_test(test_phase_order_and_going_back),
        cmocka_unit_test(test_timer),
        cmocka_unit_test(test_private_brain_dump),
        cmocka_unit_test(test_clusters_and_knelpunten),
        cmocka_unit_test(test_wall_positions),
        cmocka_unit_test(test_cluster_suggestions),
        cmocka_unit_test(test_dot_vote_budget_and_hiding),
        cmocka_unit_test(test_reveal_by_captain_or_facilitator),
        cmocka_unit_test(test_theme_tie_captain_decides),
        cmocka_unit_test(test_idee_race),
        cmocka_unit_test(test_idea_selection_and_crystal_ball),
        cmocka_unit_test(test_at_most_three_with_votes),
        cmocka_unit_test(test_pitch_and_replay),
        cmocka_unit_test(test_step_table),
        cmocka_unit_test(test_vote_freeze),
        cmocka_unit_test(test_race_round_one_and_skip),
        cmocka_unit_test(test_race_only_for_teams_at_the_race_step),
        cmocka_unit_test(test_counts_and_room_status),
        cmocka_unit_test(test_jtext_strings),
    };
    return cmocka_run_group_tests_name("method", tests, NULL, NULL);
}
