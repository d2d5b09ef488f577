/* test_org.c – the organiser's core module: registrations, assignment, pins, moves, AVG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"
#include "core_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two challenges, a room each, one team each: the assignment must create more. */
static const char desc[] =
    "{\"id\":\"org-test\",\"title\":{\"nl\":\"Dag\",\"en\":\"Day\"},"
    "\"challenges\":[{\"id\":\"c1\",\"title\":{\"nl\":\"Een\",\"en\":\"One\"}},"
    "{\"id\":\"c2\",\"title\":{\"nl\":\"Twee\",\"en\":\"Two\"}}],"
    "\"rooms\":[{\"id\":\"r1\",\"name\":{\"nl\":\"Zaal 1\",\"en\":\"Room 1\"},\"challenge\":\"c1\"},"
    "{\"id\":\"r2\",\"name\":{\"nl\":\"Zaal 2\",\"en\":\"Room 2\"},\"challenge\":\"c2\"}],"
    "\"teams\":[{\"id\":\"t1\",\"name\":\"Team Een\",\"room\":\"r1\"},"
    "{\"id\":\"t2\",\"name\":\"Team Twee\",\"room\":\"r2\"}]}";

static const core_link_t links[] = {
    {"organiser", NULL, "tok-org", "hash-org"},
    {"facilitator", "r1", "tok-f1", "hash-f1"},
};
static const char *const codes[] = {"AAAA-1111", "BBBB-2222"};


typedef struct {
    core_t *c;
    evlist_t log;    /* every event so far, for replay and audience checks */
    who_t org;
} fx_t;

static void keep(fx_t *f, evlist_t *out) { fixture_keep(&f->log, out); }

static fx_t *fx_new(int with_secrets)
{
    fx_t *f = calloc(1, sizeof *f);
    f->c = core_new();
    if (with_secrets) {
        core_secret_src_t s = {fixture_fake_code, fixture_fake_token, NULL};
        core_set_secret_source(f->c, &s);
    }
    json_t *d = json_loads(desc, 0, NULL);
    core_secrets_t sec = {links, 2, codes, 2};
    evlist_t out = {0};
    assert_int_equal(core_setup(f->c, d, &sec, 1000, &out), 0);
    keep(f, &out);
    evlist_free(&out);
    json_decref(d);
    assert_int_equal(core_auth(f->c, "hash-org", &f->org), 0);
    return f;
}

static void fx_free(fx_t *f)
{
    evlist_free(&f->log);
    core_free(f->c);
    free(f);
}

static int run(fx_t *f, const who_t *w, const char *cmd, const char *args_json, evlist_t *out)
{
    static int n;
    char id[32];
    snprintf(id, sizeof id, "c%d", ++n);
    json_t *a = json_loads(args_json, 0, NULL);
    assert_non_null(a);
    int64_t dup;
    evlist_clear(out);
    int rc = core_exec(f->c, w, cmd, a, id, 5000, out, &dup);
    json_decref(a);
    if (rc == 0)
        keep(f, out);
    return rc;
}

static const ev_t *find(const evlist_t *l, const char *type)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].type, type) == 0)
            return &l->v[i];
    return NULL;
}

/* 24 people: half want c1 first, half c2; four organisations. */
static void import_people(fx_t *f, size_t n)
{
    json_t *people = json_array();
    for (size_t i = 0; i < n; i++) {
        char name[32], email[48], org[16];
        snprintf(name, sizeof name, "Persoon %zu", i + 1);
        snprintf(email, sizeof email, "p%zu@example.nl", i + 1);
        snprintf(org, sizeof org, "Org %zu", (i / 2) % 4);
        json_array_append_new(people, json_pack("{ss ss ss ss ss sb}", "name", name, "email", email,
                                                "organisation", org, "choice1", i % 2 ? "c2" : "c1",
                                                "choice2", i % 2 ? "c1" : "c2", "captain", i % 5 == 0));
    }
    json_t *args = json_pack("{so}", "people", people);
    char *s = json_dumps(args, 0);
    json_decref(args);
    evlist_t out = {0};
    assert_int_equal(run(f, &f->org, "registrations.import", s, &out), 0);
    assert_true(out.n >= 1);
    free(s);
    evlist_free(&out);
}

static void test_registrations_only_org(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    /* 450 people: three events (chunks of 200), each for the organiser only. */
    import_people(f, 450);
    size_t regs = 0;
    for (size_t i = 0; i < f->log.n; i++)
        if (strcmp(f->log.v[i].type, "registrations.imported") == 0) {
            regs++;
            assert_int_equal(f->log.v[i].aud_kind, AUD_ORG);
        }
    assert_int_equal(regs, 3);
    assert_true(core_person_known_email(f->c, "p7@example.nl"));

    /* The same address and name again (another case) updates the registration under the
     * same id; the same again changes nothing at all. */
    const char *again = "{\"people\":[{\"name\":\"PERSOON 7\",\"email\":\"P7@Example.NL\",\"organisation\":\"Nieuw\"}]}";
    json_t *args = json_loads(again, 0, NULL);
    json_t *plan = core_import_plan(f->c, json_object_get(args, "people"));
    assert_int_equal(json_integer_value(json_object_get(plan, "updated")), 1);
    json_decref(plan);
    json_decref(args);
    assert_int_equal(run(f, &f->org, "registrations.import", again, &out), 0);
    json_t *p = json_array_get(json_object_get(out.v[0].data, "people"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "id")), "p7");
    json_t *x = core_person_export(f->c, "p7");
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "registration"), "organisation")),
                        "Nieuw");
    json_decref(x);
    evlist_free(&out);
    int64_t before = core_head(f->c);
    assert_int_equal(run(f, &f->org, "registrations.import", again, &out), 0);
    assert_int_equal(core_head(f->c), before);

    /* Another name on a held address is never merged: left out and listed for the organiser. */
    const char *other = "{\"people\":[{\"name\":\"Iemand Anders\",\"email\":\"p7@example.nl\"}]}";
    args = json_loads(other, 0, NULL);
    plan = core_import_plan(f->c, json_object_get(args, "people"));
    assert_int_equal(json_integer_value(json_object_get(plan, "conflicts_count")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(plan, "conflicts"), 0), "person")), "p7");
    json_decref(plan);
    json_decref(args);
    assert_int_equal(run(f, &f->org, "registrations.import", other, &out), 0);
    assert_int_equal(core_head(f->c), before);
    /* Two names sharing an address in one import: two people; without an address, name and
     * organisation (normalised) find the registration again. */
    const char *pair = "{\"people\":[{\"name\":\"Fatima El Amrani\",\"email\":\"Secretariaat@RVO.nl\"},"
                       "{\"name\":\"Pieter Bakker\",\"email\":\"secretariaat@rvo.nl\"},"
                       "{\"name\":\"Björn Smit\",\"email\":\"Bj\u00d6rn.smit@ede.nl\"},"
                       "{\"name\":\"Kees Jansen\",\"organisation\":\"DUO\"}]}";
    evlist_free(&out);
    assert_int_equal(run(f, &f->org, "registrations.import", pair, &out), 0);
    args = json_loads(pair, 0, NULL);
    plan = core_import_plan(f->c, json_object_get(args, "people"));
    assert_int_equal(json_integer_value(json_object_get(plan, "new")), 0);
    assert_int_equal(json_integer_value(json_object_get(plan, "unchanged")), 4);
    json_decref(plan);
    json_decref(args);
    const char *decomposed = "{\"people\":[{\"name\":\"Bjo\u0308rn Smit\",\"email\":\"bjo\u0308rn.smit@ede.nl\"},"
                             "{\"name\":\"kees  jansen\",\"organisation\":\"duo\"}]}";
    args = json_loads(decomposed, 0, NULL);
    plan = core_import_plan(f->c, json_object_get(args, "people"));
    assert_int_equal(json_integer_value(json_object_get(plan, "new")), 0);
    assert_int_equal(json_integer_value(json_object_get(plan, "updated")), 2);
    json_decref(plan);
    json_decref(args);

    /* Bad input changes nothing. */
    int64_t head = core_head(f->c);
    assert_int_equal(run(f, &f->org, "registrations.import",
                         "{\"people\":[{\"name\":\"A\"},{\"name\":\"B\",\"email\":\"geen-adres\"}]}", &out),
                     SP_E_BAD_EMAIL);
    assert_int_equal(run(f, &f->org, "registrations.import", "{\"people\":[{\"name\":\" \"}]}", &out),
                     SP_E_TEXT_EMPTY);
    assert_int_equal(run(f, &f->org, "registrations.import",
                         "{\"people\":[{\"name\":\"A\",\"choice1\":\"c9\"}]}", &out), SP_E_NOT_FOUND);
    assert_int_equal(core_head(f->c), head);

    /* Nobody but the organiser may import. */
    who_t fac;
    assert_int_equal(core_auth(f->c, "hash-f1", &fac), 0);
    assert_int_equal(run(f, &fac, "registrations.import", "{\"people\":[]}", &out), SP_E_FORBIDDEN);
    evlist_free(&out);
    fx_free(f);
}

static void test_assign_creates_teams(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    import_people(f, 24);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5,\"seed\":3}", &out), 0);
    /* 12 per challenge in teams of 4-5: 3 teams each; 1 exists per room, 2 are new. */
    size_t created = 0, codes_seen = 0;
    for (size_t i = 0; i < out.n; i++) {
        if (strcmp(out.v[i].type, "team.created") == 0) {
            created++;
            assert_int_equal(out.v[i].aud_kind, AUD_ALL);
        }
        if (strcmp(out.v[i].type, "team.code") == 0) {
            codes_seen++;
            assert_int_equal(out.v[i].aud_kind, AUD_TEAM);
            assert_string_equal(out.v[i].aud_id, json_string_value(json_object_get(out.v[i].data, "team")));
        }
    }
    assert_int_equal(created, 4);
    assert_int_equal(codes_seen, 4);
    assert_int_equal(core_team_count(f->c), 6);
    const ev_t *res = find(&out, "assign.result");
    assert_non_null(res);
    assert_int_equal(res->aud_kind, AUD_ORG);
    assert_int_equal(json_array_size(json_object_get(res->data, "teams")), 6);
    json_t *fig = core_assign_figures(f->c);
    assert_non_null(fig);
    assert_int_equal(json_integer_value(json_object_get(fig, "people")), 24);
    assert_int_equal(json_integer_value(json_object_get(fig, "first")), 24);
    assert_int_equal(json_integer_value(json_object_get(fig, "team_size_min")), 4);
    assert_int_equal(json_integer_value(json_object_get(fig, "team_size_max")), 4);
    /* Four organisations of 3 per group spread over 3 teams: no colleagues together. */
    assert_int_equal(json_integer_value(json_object_get(fig, "colleague_pairs")), 0);
    json_decref(fig);
    /* Six sheets now: every team has planned members. */
    json_t *sheets = core_sheets(f->c);
    assert_int_equal(json_array_size(sheets), 6);
    json_decref(sheets);

    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":9,\"team_size_max\":3}", &out),
                     SP_E_TEAM_SIZE);
    evlist_free(&out);
    fx_free(f);
}

/* The size of the day: 300 people with uneven preferences (c1 wanted by most, c2 first by
 * 40) in teams of 6–8; at most 6 teams in a room (the default), rooms added with their own
 * facilitator and screen links; a room renamed, a team moved between rooms. */
static void test_day_size_rooms(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    json_t *people = json_array();
    for (int i = 0; i < 300; i++) {
        char name[32], email[48], org[16];
        snprintf(name, sizeof name, "Deelnemer %d", i);
        snprintf(email, sizeof email, "d%d@example.nl", i);
        snprintf(org, sizeof org, "Org %d", i % 23);
        json_array_append_new(people, json_pack("{ss ss ss ss so?}", "name", name, "email", email, "organisation", org,
                                                "choice1", i % 15 < 2 ? "c2" : "c1", "choice2",
                                                i % 3 == 0 ? json_string("c2") : NULL));
    }
    json_t *args = json_pack("{so}", "people", people);
    char *s = json_dumps(args, 0);
    json_decref(args);
    assert_int_equal(run(f, &f->org, "registrations.import", s, &out), 0);
    free(s);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"seed\":4}", &out), 0);
    const ev_t *res = find(&out, "assign.result");
    size_t i;
    json_t *tm;
    size_t *per_room = calloc(core_team_count(f->c) + 8, sizeof *per_room);
    json_array_foreach(json_object_get(res->data, "teams"), i, tm) {
        size_t n = json_array_size(json_object_get(tm, "members"));
        assert_true(n >= 6 && n <= 8);
        const char *id, *name, *room, *code;
        for (size_t t = 0; t < core_team_count(f->c); t++) {
            core_team_info(f->c, t, &id, &name, &room, &code);
            if (strcmp(id, json_string_value(json_object_get(tm, "team"))) == 0)
                per_room[atoi(room + 1)]++;
        }
    }
    size_t teams = json_array_size(json_object_get(res->data, "teams"));
    if (teams < 38 || teams > 50)
        fprintf(stderr, "teams: %zu\n", teams);
    assert_true(teams >= 38 && teams <= 50);
    for (size_t r = 0; r < core_team_count(f->c) + 8; r++)
        assert_true(per_room[r] <= 6);
    free(per_room);
    /* Every room has its own facilitator link and, when added, its own screen link. */
    size_t rooms = 0, screens = 0;
    for (i = 0; i < out.n; i++)
        if (strcmp(out.v[i].type, "room.created") == 0)
            rooms++;
        else if (strcmp(out.v[i].type, "auth.link") == 0 &&
                 strcmp(json_string_value(json_object_get(out.v[i].data, "role")), "screen") == 0)
            screens++;
    assert_true(rooms >= 5);
    assert_int_equal(screens, rooms);
    const char *tok = core_link_token(f->c, "facilitator", "r3");
    assert_non_null(tok);
    json_t *fig = core_assign_figures(f->c);
    json_t *per = json_object_get(fig, "challenges");
    assert_int_equal(json_array_size(per), 2);
    json_t *c2 = json_array_get(per, 1);
    assert_true(json_integer_value(json_object_get(c2, "people")) >= 40);
    assert_true(json_integer_value(json_object_get(c2, "most_teams_in_a_room")) <= 6);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(per, 0), "first")) +
                         json_integer_value(json_object_get(c2, "first")) + json_integer_value(json_object_get(c2, "second")) +
                         json_integer_value(json_object_get(json_array_get(per, 0), "second")),
                     300);
    assert_int_equal(json_integer_value(json_object_get(fig, "teams_per_room")), 6);
    json_decref(fig);
    /* Fewer teams per room: more rooms. A rename and a move between rooms. */
    assert_int_equal(run(f, &f->org, "assign.run", "{\"seed\":4,\"teams_per_room\":4}", &out), 0);
    fig = core_assign_figures(f->c);
    json_array_foreach(json_object_get(fig, "challenges"), i, tm)
        assert_true(json_integer_value(json_object_get(tm, "most_teams_in_a_room")) <= 4);
    json_decref(fig);
    assert_int_equal(run(f, &f->org, "room.update", "{\"room\":\"r3\",\"name\":{\"nl\":\"Blauwe zaal\",\"en\":\"Blue room\"}}", &out), 0);
    assert_int_equal(run(f, &f->org, "team.move", "{\"team\":\"t1\",\"room\":\"r3\"}", &out), 0);
    const ev_t *mv = find(&out, "team.moved");
    assert_non_null(mv);
    assert_int_equal(mv->aud_kind, AUD_ALL);
    const char *id, *name, *room, *code;
    core_team_info(f->c, 0, &id, &name, &room, &code);
    assert_string_equal(room, "r3");
    assert_int_equal(run(f, &f->org, "team.move", "{\"team\":\"t1\",\"room\":\"r99\"}", &out), SP_E_NOT_FOUND);
    who_t fac;
    assert_int_equal(core_auth(f->c, "hash-f1", &fac), 0);
    assert_int_equal(run(f, &fac, "team.move", "{\"team\":\"t1\",\"room\":\"r1\"}", &out), SP_E_FORBIDDEN);
    evlist_free(&out);
    fx_free(f);
}

/* A challenge with fewer first choices than one team needs is reported. */
static void test_too_few_reported(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    json_t *people = json_array();
    for (int i = 0; i < 27; i++) {
        char name[32];
        snprintf(name, sizeof name, "Mens %d", i);
        json_array_append_new(people, json_pack("{ss ss ss}", "name", name, "organisation", "O", "choice1",
                                                i < 3 ? "c2" : "c1"));
    }
    json_t *args = json_pack("{so}", "people", people);
    char *s = json_dumps(args, 0);
    json_decref(args);
    assert_int_equal(run(f, &f->org, "registrations.import", s, &out), 0);
    free(s);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"seed\":1}", &out), 0);
    json_t *fig = core_assign_figures(f->c);
    json_t *note = json_array_get(json_object_get(fig, "notes"), 0);
    assert_string_equal(json_string_value(json_object_get(note, "code")), "too_few");
    assert_string_equal(json_string_value(json_object_get(note, "challenge")), "c2");
    assert_int_equal(json_integer_value(json_object_get(note, "first")), 3);
    assert_true(json_integer_value(json_object_get(fig, "team_size_min")) >= 6);
    assert_true(json_integer_value(json_object_get(fig, "team_size_max")) <= 8);
    json_decref(fig);
    evlist_free(&out);
    fx_free(f);
}

/* The door list sorts by surname the Dutch way; the join sheets list each team's members. */
static void test_door_list(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    assert_int_equal(run(f, &f->org, "registrations.import",
                         "{\"people\":[{\"name\":\"Dirk Zwart\",\"choice1\":\"c1\"},{\"name\":\"Anna de Groot\",\"choice1\":\"c1\"},"
                         "{\"name\":\"Cor van der Berg\",\"choice1\":\"c1\"},{\"name\":\"Bram Bakker\",\"choice1\":\"c1\"},"
                         "{\"name\":\"Madonna\",\"choice1\":\"c1\"}]}", &out), 0);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":2,\"team_size_max\":5}", &out), 0);
    json_t *door = core_door_list(f->c);
    const char *want[] = {"Bram Bakker", "Cor van der Berg", "Anna de Groot", "Madonna", "Dirk Zwart"};
    assert_int_equal(json_array_size(door), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *r = json_array_get(door, i);
        assert_string_equal(json_string_value(json_object_get(r, "name")), want[i]);
        assert_non_null(json_string_value(json_object_get(r, "team")));
        assert_non_null(json_string_value(json_object_get(json_object_get(r, "room"), "nl")));
    }
    json_decref(door);
    json_t *sheets = core_sheets(f->c);
    size_t names = 0, i;
    json_t *sh;
    json_array_foreach(sheets, i, sh)
        names += json_array_size(json_object_get(sh, "members"));
    assert_int_equal(names, 5);
    json_decref(sheets);
    evlist_free(&out);
    fx_free(f);
}

/* Joining by picking a registered name; the same name from a second device needs a
 * teammate's confirmation code and moves the member, role included; walk-ins closed. */
static void test_join_pick_and_claim(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    assert_int_equal(run(f, &f->org, "registrations.import",
                         "{\"people\":[{\"name\":\"Anna de Groot\",\"choice1\":\"c1\"},{\"name\":\"Bram Bakker\",\"choice1\":\"c1\"},"
                         "{\"name\":\"Cor Smit\",\"choice1\":\"c1\"}]}", &out), 0);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":2,\"team_size_max\":5}", &out), 0);
    const char *tid, *tname, *room, *code;
    core_team_info(f->c, 0, &tid, &tname, &room, &code);
    assert_null(core_roster(f->c, "NOPE-0000"));
    json_t *r = core_roster(f->c, code);
    assert_non_null(r);
    json_t *names = json_object_get(r, "names");
    assert_int_equal(json_array_size(names), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(names, 0), "name")), "Bram Bakker");
    assert_false(json_is_true(json_object_get(json_array_get(names, 0), "taken")));
    char bram[16];
    snprintf(bram, sizeof bram, "%s", json_string_value(json_object_get(json_array_get(names, 0), "person")));
    json_decref(r);

    /* Bram picks his name: a member with that name, linked to the registration. */
    who_t phone1, phone2, mate;
    core_join_t j = {code, NULL, bram, NULL, "join-1", "hash-phone-1"};
    evlist_clear(&out);
    assert_int_equal(core_join_ex(f->c, &j, 6000, &out, &phone1), 0);
    keep(f, &out);
    const ev_t *joined = find(&out, "member.joined");
    assert_string_equal(json_string_value(json_object_get(joined->data, "name")), "Bram Bakker");
    assert_non_null(find(&out, "member.linked"));
    r = core_roster(f->c, code);
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(r, "names"), 0), "taken")));
    json_decref(r);
    /* A teammate joins by name (walk-in) and Bram becomes captain. */
    assert_int_equal(core_join(f->c, code, "Dirk", "join-2", "hash-mate", 6100, &out, &mate), 0);
    keep(f, &out);
    char roles[96];
    snprintf(roles, sizeof roles, "{\"captain\":\"%s\"}", phone1.actor);
    assert_int_equal(run(f, &phone1, "roles.set", roles, &out), 0);
    size_t members = 0;
    for (size_t i = 0; i < f->log.n; i++)
        members += strcmp(f->log.v[i].type, "member.joined") == 0;

    /* A second phone picks "Bram Bakker": the team sees a confirmation code, no member yet. */
    core_join_t j2 = {code, NULL, bram, NULL, "join-3", "hash-phone-2"};
    evlist_clear(&out);
    assert_int_equal(core_join_ex(f->c, &j2, 7000, &out, &phone2), CORE_JOIN_CLAIM_PENDING);
    keep(f, &out);
    const ev_t *claim = find(&out, "member.claim");
    assert_non_null(claim);
    assert_int_equal(claim->aud_kind, AUD_TEAM);
    assert_null(find(&out, "session.opened"));
    char confirm[8];
    snprintf(confirm, sizeof confirm, "%s", json_string_value(json_object_get(claim->data, "code")));
    assert_int_equal(strlen(confirm), 4);
    /* A wrong code, then the right one: the same member, no second one. */
    core_join_t bad = {code, NULL, bram, "ZZZZ", "join-4", "hash-phone-2"};
    assert_int_equal(core_join_ex(f->c, &bad, 7100, &out, &phone2), SP_E_BAD_CLAIM);
    core_join_t good = {code, NULL, bram, confirm, "join-5", "hash-phone-2"};
    evlist_clear(&out);
    assert_int_equal(core_join_ex(f->c, &good, 7200, &out, &phone2), 0);
    keep(f, &out);
    assert_null(find(&out, "member.joined"));
    assert_non_null(find(&out, "member.claimed"));
    assert_int_equal(phone2.member, phone1.member);
    size_t members_now = 0;
    for (size_t i = 0; i < f->log.n; i++)
        members_now += strcmp(f->log.v[i].type, "member.joined") == 0;
    assert_int_equal(members_now, members);
    /* The role came along: only the captain may change roles now, and the new phone can. */
    snprintf(roles, sizeof roles, "{\"timekeeper\":\"%s\"}", mate.actor);
    assert_int_equal(run(f, &mate, "roles.set", roles, &out), SP_E_FORBIDDEN);
    assert_int_equal(run(f, &phone2, "roles.set", roles, &out), 0);
    who_t again;
    assert_int_equal(core_auth(f->c, "hash-phone-2", &again), 0);
    assert_int_equal(again.member, phone1.member);
    /* The code confirms one device only, and expires. */
    core_join_t reuse = {code, NULL, bram, confirm, "join-6", "hash-phone-3"};
    assert_int_equal(core_join_ex(f->c, &reuse, 7300, &out, &phone2), SP_E_BAD_CLAIM);

    /* Walk-ins closed: a name of one's own is refused in a team with registered people. */
    assert_int_equal(run(f, &f->org, "join.walkins", "{\"allowed\":false}", &out), 0);
    assert_int_equal(core_join(f->c, code, "Eve", "join-7", "hash-eve", 8000, &out, &again), SP_E_WALKINS_CLOSED);
    r = core_roster(f->c, code);
    assert_false(json_is_true(json_object_get(r, "walkins")));
    json_decref(r);
    assert_int_equal(run(f, &f->org, "join.walkins", "{\"allowed\":true}", &out), 0);
    assert_int_equal(core_join(f->c, code, "Eve", "join-8", "hash-eve", 8100, &out, &again), 0);
    /* Someone else's registration from another team cannot be picked with this code. */
    core_join_t wrong = {code, NULL, "p999", NULL, "join-9", "hash-x"};
    assert_int_equal(core_join_ex(f->c, &wrong, 8200, &out, &again), SP_E_NOT_FOUND);
    evlist_free(&out);
    fx_free(f);
}

static void test_no_secrets(void **st)
{
    (void)st;
    fx_t *f = fx_new(0);
    evlist_t out = {0};
    import_people(f, 24);
    int64_t head = core_head(f->c);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5}", &out),
                     SP_E_NO_SECRETS);
    assert_int_equal(core_head(f->c), head);
    /* Large teams fit in the existing two: no codes needed. */
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":10,\"team_size_max\":14}", &out), 0);
    assert_null(find(&out, "team.created"));
    evlist_free(&out);
    fx_free(f);
}

static const char *team_of(fx_t *f, const char *person)
{
    static char buf[16];
    json_t *x = core_person_export(f->c, person);
    const char *t = json_string_value(json_object_get(json_object_get(x, "registration"), "team"));
    snprintf(buf, sizeof buf, "%s", t ? t : "-");
    json_decref(x);
    return buf;
}

static void test_move_and_pin(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    import_people(f, 24);
    assert_int_equal(run(f, &f->org, "assign.move", "{\"person\":\"p1\",\"team\":\"t2\"}", &out),
                     SP_E_NO_ASSIGNMENT);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5,\"seed\":1}", &out), 0);
    /* p1 wants c1 first: move them to t2 (challenge c2). */
    assert_string_not_equal(team_of(f, "p1"), "t2");
    assert_int_equal(run(f, &f->org, "assign.move", "{\"person\":\"p1\",\"team\":\"t2\"}", &out), 0);
    assert_string_equal(team_of(f, "p1"), "t2");
    const ev_t *fig = find(&out, "assign.figures");
    assert_non_null(fig);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(fig->data, "figures"), "second")), 1);
    /* A re-run with another seed keeps the pin. */
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5,\"seed\":99}", &out), 0);
    assert_string_equal(team_of(f, "p1"), "t2");
    /* Unpinned, the optimum puts p1 back in a c1 team. */
    assert_int_equal(run(f, &f->org, "assign.pin", "{\"person\":\"p1\",\"team\":null}", &out), 0);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5,\"seed\":99}", &out), 0);
    assert_string_not_equal(team_of(f, "p1"), "t2");
    json_t *figs = core_assign_figures(f->c);
    assert_int_equal(json_integer_value(json_object_get(figs, "first")), 24);
    json_decref(figs);
    /* A pin to a challenge group is honoured too. */
    assert_int_equal(run(f, &f->org, "assign.pin", "{\"person\":\"p1\",\"challenge\":\"c2\"}", &out), 0);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5,\"seed\":5}", &out), 0);
    json_t *x = core_person_export(f->c, "p1");
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "registration"), "pin_challenge")), "c2");
    json_decref(x);
    const char *t = team_of(f, "p1");
    assert_true(strcmp(t, "t2") == 0 || team_of(f, "p1")[0] == 't');
    assert_int_equal(run(f, &f->org, "assign.move", "{\"person\":\"p999\",\"team\":\"t2\"}", &out), SP_E_NOT_FOUND);
    assert_int_equal(run(f, &f->org, "assign.move", "{\"person\":\"p1\",\"team\":\"t99\"}", &out), SP_E_NOT_FOUND);
    evlist_free(&out);
    fx_free(f);
}

static void test_delete(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    import_people(f, 24);
    assert_int_equal(run(f, &f->org, "assign.run", "{\"team_size_min\":4,\"team_size_max\":5}", &out), 0);
    char team[16];
    snprintf(team, sizeof team, "%s", team_of(f, "p3"));
    /* Persoon 3 joins their planned team and writes a note. */
    size_t i;
    const char *id, *name, *room, *code = NULL;
    for (i = 0; i < core_team_count(f->c); i++) {
        core_team_info(f->c, i, &id, &name, &room, &code);
        if (strcmp(id, team) == 0)
            break;
    }
    who_t m;
    evlist_clear(&out);
    assert_int_equal(core_join(f->c, code, "persoon  3", "j1", "hash-m", 6000, &out, &m), 0);
    keep(f, &out);
    /* Linked to their registration; the team learns their organisation, nothing more. */
    const ev_t *ln = find(&out, "member.linked"), *pr = find(&out, "member.profile");
    assert_non_null(ln);
    assert_int_equal(ln->aud_kind, AUD_ORG);
    assert_string_equal(json_string_value(json_object_get(ln->data, "person")), "p3");
    assert_non_null(pr);
    assert_int_equal(pr->aud_kind, AUD_TEAM);
    assert_string_equal(json_string_value(json_object_get(pr->data, "organisation")), "Org 1");
    assert_null(json_object_get(pr->data, "email"));
    json_t *x = core_person_export(f->c, "p3");
    assert_non_null(json_object_get(x, "member"));
    json_decref(x);
    /* Someone typing a name that is not planned in this team links to nobody. */
    who_t other;
    evlist_clear(&out);
    assert_int_equal(core_join(f->c, code, "Persoon 4", "j2", "hash-m2", 6000, &out, &other), 0);
    keep(f, &out);
    if (strcmp(team_of(f, "p4"), team) != 0)
        assert_null(find(&out, "member.linked"));

    assert_int_equal(run(f, &f->org, "person.delete", "{\"person\":\"p3\"}", &out), 0);
    const ev_t *del = find(&out, "person.deleted"), *fg = find(&out, "member.forgotten");
    assert_non_null(del);
    assert_int_equal(del->aud_kind, AUD_ORG);
    assert_non_null(fg);
    assert_int_equal(fg->aud_kind, AUD_TEAM);
    assert_false(core_person_known_email(f->c, "p3@example.nl"));
    x = core_person_export(f->c, "p3");
    assert_true(json_is_true(json_object_get(json_object_get(x, "registration"), "deleted")));
    assert_null(json_object_get(json_object_get(x, "registration"), "name"));
    json_decref(x);
    /* The member stays (their notes with them) but has no name any more. */
    x = core_person_export(f->c, m.actor);
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "member"), "name")), "");
    json_decref(x);
    json_t *figs = core_assign_figures(f->c);
    assert_int_equal(json_integer_value(json_object_get(figs, "people")), 23);
    json_decref(figs);
    assert_int_equal(run(f, &f->org, "person.delete", "{\"person\":\"p3\"}", &out), SP_E_NOT_FOUND);

    /* The replay frames the server rebuilds at start hold no deleted personal data. */
    size_t redacted = 0;
    for (i = 0; i < f->log.n; i++) {
        json_t *r = core_redact(f->c, &f->log.v[i]);
        if (r == NULL)
            continue;
        redacted++;
        char *txt = json_dumps(r, 0);
        assert_null(strstr(txt, "Persoon 3\""));
        assert_null(strstr(txt, "p3@example.nl"));
        free(txt);
        json_decref(r);
    }
    assert_int_equal(redacted, 3);   /* the registration chunk, member.joined, member.profile */

    /* Replaying the log gives the same state. */
    core_t *r = core_new();
    for (i = 0; i < f->log.n; i++)
        assert_int_equal(core_apply(r, &f->log.v[i]), 0);
    json_t *a = core_assign_figures(f->c), *b = core_assign_figures(r);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    a = core_person_export(f->c, "p4");
    b = core_person_export(r, "p4");
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    core_free(r);
    evlist_free(&out);
    fx_free(f);
}

static void test_details(void **st)
{
    (void)st;
    fx_t *f = fx_new(1);
    evlist_t out = {0};
    assert_int_equal(run(f, &f->org, "challenge.update",
                         "{\"challenge\":\"c2\",\"question\":{\"nl\":\"Hoe?\",\"en\":\"How?\"}}", &out), 0);
    assert_string_equal(out.v[0].type, "challenge.set");
    assert_string_equal(json_string_value(json_object_get(json_object_get(out.v[0].data, "title"), "nl")), "Twee");
    assert_int_equal(run(f, &f->org, "challenge.update", "{\"challenge\":\"c2\",\"question\":\"kaal\"}", &out),
                     SP_E_BAD_MESSAGE);
    assert_int_equal(run(f, &f->org, "sprint.update", "{\"title\":{\"nl\":\"Nieuwe dag\",\"en\":\"New day\"}}", &out), 0);
    assert_string_equal(core_sprint_title(f->c), "Nieuwe dag");
    assert_int_equal(run(f, &f->org, "programme.set",
                         "{\"items\":[{\"time\":\"09:30\",\"title\":{\"nl\":\"Start\",\"en\":\"Start\"}}]}", &out), 0);
    assert_int_equal(run(f, &f->org, "room.update", "{\"room\":\"r1\",\"facilitators\":[\"Jan\"]}", &out), 0);
    /* A later change of the name keeps the facilitators. */
    assert_int_equal(run(f, &f->org, "room.update", "{\"room\":\"r1\",\"name\":{\"nl\":\"Zaal A\",\"en\":\"Room A\"}}", &out), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out.v[0].data, "facilitators"), 0)), "Jan");
    assert_int_equal(run(f, &f->org, "room.update", "{\"room\":\"r1\",\"challenge\":\"c9\"}", &out), SP_E_NOT_FOUND);
    assert_int_equal(run(f, &f->org, "room.add",
                         "{\"name\":{\"nl\":\"Zaal 3\",\"en\":\"Room 3\"},\"challenge\":\"c2\"}", &out), 0);
    assert_non_null(find(&out, "links.set"));
    const ev_t *al = find(&out, "auth.link");
    assert_non_null(al);
    assert_int_equal(al->aud_kind, AUD_SERVER);
    who_t fac;
    assert_int_equal(core_auth(f->c, json_string_value(json_object_get(al->data, "hash")), &fac), 0);
    assert_int_equal(fac.role, ROLE_FACILITATOR);
    evlist_free(&out);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registrations_only_org),
        cmocka_unit_test(test_assign_creates_teams),
        cmocka_unit_test(test_no_secrets),
        cmocka_unit_test(test_day_size_rooms),
        cmocka_unit_test(test_too_few_reported),
        cmocka_unit_test(test_door_list),
        cmocka_unit_test(test_join_pick_and_claim),
        cmocka_unit_test(test_move_and_pin),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
