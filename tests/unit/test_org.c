/* test_org.c – the organiser's core module: registrations, assignment, pins, moves, AVG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"

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

static int ncodes_made;
static void fake_code(void *ud, char *out, size_t len)
{
    (void)ud;
    snprintf(out, len, "ZZ%02d-%04d", ncodes_made % 100, ncodes_made);
    ncodes_made++;
}
static void fake_token(void *ud, char *tok, size_t tl, char *hash, size_t hl)
{
    (void)ud;
    snprintf(tok, tl, "tok-new-%d", ncodes_made);
    snprintf(hash, hl, "hash-new-%d", ncodes_made++);
}

typedef struct {
    core_t *c;
    evlist_t log;    /* every event so far, for replay and audience checks */
    who_t org;
} fx_t;

static void keep(fx_t *f, evlist_t *out)
{
    for (size_t i = 0; i < out->n; i++) {
        if (f->log.n == f->log.cap) {
            f->log.cap = f->log.cap ? f->log.cap * 2 : 64;
            f->log.v = realloc(f->log.v, f->log.cap * sizeof *f->log.v);
        }
        f->log.v[f->log.n] = out->v[i];
        f->log.v[f->log.n].data = json_incref(out->v[i].data);
        f->log.n++;
    }
}

static fx_t *fx_new(int with_secrets)
{
    fx_t *f = calloc(1, sizeof *f);
    f->c = core_new();
    if (with_secrets) {
        core_secret_src_t s = {fake_code, fake_token, NULL};
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

    /* The same address again replaces the registration under the same id. */
    assert_int_equal(run(f, &f->org, "registrations.import",
                         "{\"people\":[{\"name\":\"Persoon Zeven\",\"email\":\"P7@Example.NL\"}]}", &out), 0);
    json_t *p = json_array_get(json_object_get(out.v[0].data, "people"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "id")), "p7");
    json_t *x = core_person_export(f->c, "p7");
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "registration"), "name")),
                        "Persoon Zeven");
    json_decref(x);

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
        cmocka_unit_test(test_move_and_pin),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
