/* test_sprints.c – several sprints in the core: archiving, publishing, the archived
 * refusal and its AVG exception, copying a sprint's set-up into a new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"
#include "core_fixture.h"
#include "log/boot.h"
#include "log/event.h"
#include "store/store.h"

#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    core_t *c;
    evlist_t log;    /* every event so far */
    who_t org, fac, anna;
} fx_t;

static void keep(fx_t *f, const evlist_t *out) { fixture_keep(&f->log, out); }

static fx_t *fx_new(void)
{
    fx_t *f = calloc(1, sizeof *f);
    f->c = core_new();
    core_secret_src_t s = {fixture_fake_code, fixture_fake_token, NULL};
    core_set_secret_source(f->c, &s);
    evlist_t out = {0};
    assert_int_equal(fixture_setup_pb(f->c, &out, NULL), 0);
    keep(f, &out);
    evlist_clear(&out);
    assert_int_equal(core_auth(f->c, "hash-org", &f->org), 0);
    assert_int_equal(core_auth(f->c, "hash-f1", &f->fac), 0);
    f->anna = fixture_join(f->c, "AAAA-1111", "Anna", "hash-anna", &out);
    assert_int_equal(f->anna.role, ROLE_PARTICIPANT);
    keep(f, &out);
    evlist_free(&out);
    return f;
}

static void fx_free(fx_t *f)
{
    evlist_free(&f->log);
    core_free(f->c);
    free(f);
}

/* Runs cmd with args (JSON text, NULL for {}); the events go to the fixture's log. */
static int run(fx_t *f, const who_t *w, const char *cmd, const char *args_json)
{
    static int n;
    char id[32];
    snprintf(id, sizeof id, "s%d", ++n);
    json_t *a = json_loads(args_json ? args_json : "{}", 0, NULL);
    assert_non_null(a);
    int64_t dup;
    evlist_t out = {0};
    int rc = core_exec(f->c, w, cmd, a, id, 5000 + n, &out, &dup);
    json_decref(a);
    if (rc == 0)
        keep(f, &out);
    evlist_free(&out);
    return rc;
}

static const ev_t *last_of(const fx_t *f, const char *type)
{
    return fixture_find_last(&f->log, type);
}

static void import_people(fx_t *f)
{
    assert_int_equal(run(f, &f->org, "registrations.import",
                         "{\"people\":[{\"name\":\"Piet Jansen\",\"email\":\"Piet.Jansen@Example.NL\","
                         "\"organisation\":\"Gemeente Delft\"},{\"name\":\"Sara Bakker\","
                         "\"email\":\"sara@example.nl\",\"organisation\":\"UWV\"}]}"),
                     0);
}

/* ---- archiving --------------------------------------------------------------------- */

static void test_archive_needs_announcement_or_confirm(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_false(core_archived(f->c));
    assert_null(core_archive_info(f->c));
    /* Not the organiser's colleagues: a facilitator or participant may not archive. */
    assert_int_equal(run(f, &f->fac, "sprint.archive", "{\"confirm\":true}"), SP_E_FORBIDDEN);
    assert_int_equal(run(f, &f->anna, "sprint.archive", "{\"confirm\":true}"), SP_E_FORBIDDEN);
    /* The jury has not announced: refused unless confirmed. */
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"bank\":true}"), SP_E_JURY_UNANNOUNCED);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"bank\":true,\"confirm\":false}"), SP_E_JURY_UNANNOUNCED);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"bank\":\"ja\",\"confirm\":true}"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"confirm\":1}"), SP_E_BAD_MESSAGE);
    assert_false(core_archived(f->c));
    assert_null(last_of(f, "sprint.archived"));
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"bank\":true,\"orgs\":false,\"public\":true,\"confirm\":true}"), 0);
    const ev_t *e = last_of(f, "sprint.archived");
    assert_non_null(e);
    assert_int_equal(e->aud_kind, AUD_ALL);
    assert_true(json_is_true(json_object_get(e->data, "bank")));
    assert_true(json_is_false(json_object_get(e->data, "orgs")));
    assert_true(json_is_true(json_object_get(e->data, "public")));
    assert_true(json_integer_value(json_object_get(e->data, "at")) > 0);
    assert_true(core_archived(f->c));
    json_t *info = core_archive_info(f->c);
    assert_true(json_is_true(json_object_get(info, "bank")));
    assert_true(json_is_true(json_object_get(info, "public")));
    json_decref(info);
    json_t *sum = core_sprint_summary(f->c);
    assert_string_equal(json_string_value(json_object_get(sum, "state")), "archived");
    assert_string_equal(json_string_value(json_object_get(sum, "id")), "test-sprint");
    assert_string_equal(json_string_value(json_object_get(sum, "date")), "2024-03-13");
    assert_int_equal(json_integer_value(json_object_get(sum, "people")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "teams")), 1);
    json_decref(sum);
    fx_free(f);
}

static void test_archived_refuses_everything_else(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(run(f, &f->fac, "timer.start", "{\"room\":\"r1\"}"), 0);
    assert_int_equal(run(f, &f->anna, "profile.set", "{\"organisation\":\"Gemeente Delft\"}"), 0);
    int64_t head = core_head(f->c);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"confirm\":true}"), 0);
    head = core_head(f->c);
    /* Every role, every kind of command: archived, nothing changes. */
    assert_int_equal(run(f, &f->anna, "note.add", "{\"board\":\"dump\",\"text\":\"nog een idee\"}"), SP_E_ARCHIVED);
    assert_int_equal(run(f, &f->anna, "profile.set", "{\"organisation\":\"UWV\"}"), SP_E_ARCHIVED);
    assert_int_equal(run(f, &f->fac, "step.next", "{\"team\":\"t1\"}"), SP_E_ARCHIVED);
    assert_int_equal(run(f, &f->org, "programme.set", "{\"items\":[]}"), SP_E_ARCHIVED);
    assert_int_equal(run(f, &f->org, "sprint.update", "{\"venue\":\"Utrecht\"}"), SP_E_ARCHIVED);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"confirm\":true}"), SP_E_ARCHIVED);
    /* A role that may not send the command still hears forbidden; an unknown one stays unknown. */
    assert_int_equal(run(f, &f->anna, "programme.set", "{\"items\":[]}"), SP_E_FORBIDDEN);
    assert_int_equal(run(f, &f->org, "no.such", NULL), SP_E_UNKNOWN_COMMAND);
    /* Nobody joins an archive. */
    evlist_t out = {0};
    who_t w;
    assert_int_equal(core_join(f->c, "BBBB-2222", "Bert", "j-bert", "hash-bert", 9000, &out, &w), SP_E_ARCHIVED);
    /* A wrong code is still a wrong code. */
    assert_int_equal(core_join(f->c, "QQQQ-0000", "Bert", "j-bert", "hash-bert", 9000, &out, &w), SP_E_BAD_CODE);
    /* Time stopped: the running timer does not run out in the archive. */
    assert_int_equal(core_tick(f->c, INT64_C(1) << 50, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(core_head(f->c), head);
    evlist_free(&out);
    fx_free(f);
}

static void test_person_delete_in_archive(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    import_people(f);
    const char *pid = core_person_by_email(f->c, "piet.jansen@EXAMPLE.nl");
    assert_non_null(pid);
    char id[16];
    snprintf(id, sizeof id, "%s", pid);
    assert_null(core_person_by_email(f->c, "nobody@example.nl"));
    assert_null(core_person_by_email(f->c, ""));
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"confirm\":true}"), 0);
    /* AVG: a person is deleted from an archive too, and only by the organiser. */
    char args[64];
    snprintf(args, sizeof args, "{\"person\":\"%s\"}", id);
    assert_int_equal(run(f, &f->anna, "person.delete", args), SP_E_FORBIDDEN);
    assert_int_equal(run(f, &f->org, "person.delete", args), 0);
    assert_non_null(last_of(f, "person.deleted"));
    assert_null(core_person_by_email(f->c, "piet.jansen@example.nl"));
    assert_non_null(core_person_by_email(f->c, "SARA@example.nl"));
    json_t *x = core_person_export(f->c, id);
    char *xs = x ? json_dumps(x, 0) : NULL;
    assert_true(xs == NULL || (strstr(xs, "Piet") == NULL && strstr(xs, "example") == NULL));
    free(xs);
    json_decref(x);
    /* A member who joined without a registration is forgotten the same way. */
    assert_int_equal(run(f, &f->org, "person.delete", "{\"member\":\"m1\"}"), 0);
    assert_non_null(last_of(f, "member.forgotten"));
    /* Still archived: nothing else. */
    assert_int_equal(run(f, &f->org, "registrations.import", "{\"people\":[]}"), SP_E_ARCHIVED);
    fx_free(f);
}

static void test_publish(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(run(f, &f->org, "sprint.publish", "{\"bank\":true}"), SP_E_NOT_ARCHIVED);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"confirm\":true}"), 0);
    json_t *info = core_archive_info(f->c);
    assert_true(json_is_false(json_object_get(info, "bank")));
    int64_t at = json_integer_value(json_object_get(info, "at"));
    json_decref(info);
    assert_int_equal(run(f, &f->fac, "sprint.publish", "{\"bank\":true}"), SP_E_FORBIDDEN);
    assert_int_equal(run(f, &f->org, "sprint.publish", "{\"public\":\"yes\"}"), SP_E_BAD_MESSAGE);
    assert_int_equal(run(f, &f->org, "sprint.publish", "{\"bank\":true,\"orgs\":true,\"public\":false}"), 0);
    const ev_t *e = last_of(f, "sprint.published");
    assert_non_null(e);
    assert_int_equal(e->aud_kind, AUD_ALL);
    assert_true(json_is_true(json_object_get(e->data, "orgs")));
    info = core_archive_info(f->c);
    assert_true(json_is_true(json_object_get(info, "bank")));
    assert_true(json_is_true(json_object_get(info, "orgs")));
    assert_true(json_is_false(json_object_get(info, "public")));
    assert_int_equal(json_integer_value(json_object_get(info, "at")), at);   /* archived at stays */
    json_decref(info);
    /* Replaying the log gives the same archive (invariant 3). */
    core_t *r = core_new();
    for (size_t i = 0; i < f->log.n; i++)
        assert_int_equal(core_apply(r, &f->log.v[i]), 0);
    assert_true(core_archived(r));
    json_t *a = core_archive_info(f->c), *b = core_archive_info(r);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    who_t org;
    assert_int_equal(core_auth(r, "hash-org", &org), 0);
    int64_t dup;
    evlist_t out = {0};
    json_t *args = json_pack("{s[]}", "items");
    assert_int_equal(core_exec(r, &org, "programme.set", args, "x1", 9999, &out, &dup), SP_E_ARCHIVED);
    json_decref(args);
    evlist_free(&out);
    core_free(r);
    fx_free(f);
}

/* ---- copying -------------------------------------------------------------------------- */

static void test_copy_setup_not_people(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    import_people(f);
    assert_int_equal(run(f, &f->org, "programme.set",
                         "{\"items\":[{\"time\":\"10:00\",\"end\":\"10:30\",\"kind\":\"plenary\","
                         "\"title\":{\"nl\":\"Aftrap\",\"en\":\"Kick-off\"}}]}"),
                     0);
    assert_int_equal(run(f, &f->org, "challenge.update",
                         "{\"challenge\":\"c1\",\"question\":{\"nl\":\"Hoe helpen we?\",\"en\":\"How do we help?\"}}"),
                     0);
    assert_int_equal(run(f, &f->org, "jury.criteria.set",
                         "{\"criteria\":[{\"id\":\"impact\",\"name\":{\"nl\":\"Impact\",\"en\":\"Impact\"},\"weight\":2},"
                         "{\"id\":\"haalbaar\",\"name\":{\"nl\":\"Haalbaar\",\"en\":\"Feasible\"},\"weight\":1}]}"),
                     0);
    assert_int_equal(run(f, &f->org, "room.update", "{\"room\":\"r2\",\"name\":{\"nl\":\"Zaal Oost\",\"en\":\"East room\"},"
                                                    "\"facilitators\":[\"Fleur de Vries\"]}"),
                     0);
    assert_int_equal(run(f, &f->anna, "profile.set", "{\"organisation\":\"Gemeente Delft\"}"), 0);
    assert_int_equal(run(f, &f->org, "sprint.archive", "{\"confirm\":true}"), 0);

    core_template_t *t = core_template_new();
    for (size_t i = 0; i < f->log.n; i++)
        core_template_event(t, &f->log.v[i]);
    /* The default event's teams: t1 in r1 (copied), t9 in a room the copy lacks. */
    json_t *teams = json_loads("[{\"id\":\"t1\",\"name\":\"Team 1\",\"room\":\"r1\"},"
                               "{\"id\":\"t9\",\"name\":\"Team 9\",\"room\":\"r7\"}]", 0, NULL);
    json_t *d = core_template_desc(t, teams, "test-sprint-2", "Tweede dag", "2024-09-18");
    core_template_free(t);
    json_decref(teams);
    char *text = json_dumps(d, JSON_COMPACT);
    /* Nothing of the people, the tokens, the codes or the facilitators' names. */
    assert_null(strstr(text, "Piet"));
    assert_null(strstr(text, "example.nl"));
    assert_null(strstr(text, "Anna"));
    assert_null(strstr(text, "Fleur"));
    assert_null(strstr(text, "hash-"));
    assert_null(strstr(text, "tok-"));
    assert_null(strstr(text, "AAAA"));
    free(text);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "title"), "nl")), "Tweede dag");
    assert_string_equal(json_string_value(json_object_get(d, "date")), "2024-09-18");

    /* The new sprint: its own core, its own secrets. */
    core_t *n = core_new();
    static const core_link_t nlinks[] = {
        {"organiser", NULL, "tok-org2", "hash-org2"},
        {"facilitator", "r1", "tok-f1b", "hash-f1b"},
    };
    static const char *const ncodes[] = {"NNNN-1111", "NNNN-2222"};
    core_secrets_t sec = {nlinks, 2, ncodes, 2};
    evlist_t out = {0};
    assert_int_equal(core_setup(n, d, &sec, 100000, &out), 0);
    json_decref(d);
    assert_string_equal(core_sprint_id(n), "test-sprint-2");
    assert_string_equal(core_sprint_title(n), "Tweede dag");
    assert_false(core_archived(n));
    /* The earlier sprint's links and codes open nothing here. */
    who_t w;
    assert_int_equal(core_auth(n, "hash-org", &w), SP_E_BAD_TOKEN);
    assert_int_equal(core_auth(n, "hash-anna", &w), SP_E_BAD_TOKEN);
    assert_int_equal(core_auth(n, "hash-org2", &w), 0);
    evlist_t jo = {0};
    assert_int_equal(core_join(n, "AAAA-1111", "Bert", "j1", "hash-b", 100001, &jo, &w), SP_E_BAD_CODE);
    evlist_free(&jo);
    /* What was copied: the edited programme, challenge, room, criteria and the playbook. */
    const ev_t *pg = fixture_find_last(&out, "programme.set");
    assert_non_null(pg);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
                            json_object_get(pg->data, "items"), 0), "title"), "nl")),
                        "Aftrap");
    const ev_t *ch = fixture_find_last(&out, "challenge.set");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ch->data, "question"), "nl")),
                        "Hoe helpen we?");
    const ev_t *jc = fixture_find_last(&out, "jury.criteria");
    assert_non_null(jc);
    assert_int_equal(json_array_size(json_object_get(jc->data, "criteria")), 2);
    assert_non_null(fixture_find_last(&out, "playbook.set"));
    size_t rooms = 0, teamsn = 0;
    for (size_t i = 0; i < out.n; i++) {
        if (strcmp(out.v[i].type, "room.created") == 0) {
            rooms++;
            if (strcmp(json_string_value(json_object_get(out.v[i].data, "id")), "r2") == 0)
                assert_string_equal(json_string_value(json_object_get(json_object_get(out.v[i].data, "name"), "en")),
                                    "East room");
        }
        if (strcmp(out.v[i].type, "team.created") == 0) {
            teamsn++;
            const char *room = json_string_value(json_object_get(out.v[i].data, "room"));
            assert_true(strcmp(room, "r1") == 0 || strcmp(room, "r2") == 0);
        }
        assert_true(strcmp(out.v[i].type, "member.joined") != 0);
        assert_true(strcmp(out.v[i].type, "registrations.imported") != 0);
    }
    assert_int_equal(rooms, 2);
    assert_int_equal(teamsn, 2);
    assert_null(core_person_by_email(n, "sara@example.nl"));
    json_t *sum = core_sprint_summary(n);
    assert_string_equal(json_string_value(json_object_get(sum, "state")), "live");
    assert_int_equal(json_integer_value(json_object_get(sum, "people")), 0);
    json_decref(sum);
    evlist_free(&out);
    core_free(n);
    fx_free(f);
}

static void test_credentials(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    size_t hashes = 0, codes = 0;
    int anna = 0, code1 = 0;
    char buf[128];
    for (size_t i = 0; i < f->log.n; i++) {
        int k = core_event_credential(&f->log.v[i], buf, sizeof buf);
        if (k == 1) {
            hashes++;
            anna |= strcmp(buf, "hash-anna") == 0;
        } else if (k == 2) {
            codes++;
            code1 |= strcmp(buf, "AAAA1111") == 0;
        } else {
            assert_string_equal(buf, "");
        }
    }
    assert_int_equal(hashes, 5 + 1);   /* five links and Anna's session */
    assert_int_equal(codes, 3);
    assert_true(anna);
    assert_true(code1);
    fx_free(f);
}

/* ---- the log: the live sprint, a new sprint, a command on an archive ------------------ */

static void test_log_new_sprint(void **state)
{
    (void)state;
    char dir[] = "/tmp/sp-sprints-XXXXXX", db[64];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/s.db", dir);
    store_t *s = NULL;
    core_t *c = core_new();
    char live[64], first[64];
    assert_int_equal(boot_open(db, &s, c, first, sizeof first, NULL, NULL), 0);
    core_free(c);
    assert_int_equal(log_live(s, live, sizeof live), 0);
    assert_string_equal(live, first);
    /* Refusals change nothing. */
    char id[64], tok[128];
    assert_int_equal(boot_new_sprint(s, "default", "Dag", "2026-9-1", id, sizeof id, tok, sizeof tok), BOOT_EBAD);
    assert_int_equal(boot_new_sprint(s, "geen-sprint", "Dag", "2026-09-01", id, sizeof id, tok, sizeof tok), BOOT_ENOTFOUND);
    int changed = 0;
    assert_int_equal(boot_exec(s, "geen-sprint", "sprint.archive", NULL, &changed), BOOT_ENOTFOUND);
    log_info_t *v;
    size_t n;
    assert_int_equal(log_list(s, &v, &n), 0);
    assert_int_equal(n, 1);
    free(v);
    /* A command on a sprint's log as the organiser: archive it. */
    json_t *args = json_pack("{sb sb}", "bank", 1, "confirm", 1);
    assert_int_equal(boot_exec(s, first, "sprint.archive", args, &changed), 0);
    assert_true(changed);
    assert_int_equal(boot_exec(s, first, "programme.set", args, &changed), SP_E_ARCHIVED);
    assert_false(changed);
    json_decref(args);
    /* Two new sprints on one date: the second gets its own id; the newest is live. */
    usleep(2000);
    assert_int_equal(boot_new_sprint(s, first, "Tweede", "2026-09-01", id, sizeof id, tok, sizeof tok), 0);
    assert_string_equal(id, "staatsprint-2026-09-01");
    assert_true(strlen(tok) > 20);
    usleep(2000);
    char id2[64], tok2[128];
    assert_int_equal(boot_new_sprint(s, "default", NULL, "2026-09-01", id2, sizeof id2, tok2, sizeof tok2), 0);
    assert_string_equal(id2, "staatsprint-2026-09-01-2");
    assert_string_not_equal(tok, tok2);
    assert_int_equal(log_live(s, live, sizeof live), 0);
    assert_string_equal(live, id2);
    assert_int_equal(log_list(s, &v, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].id, id2);
    assert_string_equal(v[1].id, id);
    assert_string_equal(v[2].id, first);
    assert_true(v[0].created >= v[1].created && v[1].created >= v[2].created);
    free(v);
    int rc;
    core_t *a = boot_load(s, first, &rc);
    assert_non_null(a);
    assert_true(core_archived(a));
    core_t *b = boot_load(s, id, &rc);
    assert_non_null(b);
    assert_false(core_archived(b));
    assert_string_equal(core_sprint_title(b), "Tweede");
    assert_string_equal(core_sprint_date(b), "2026-09-01");
    /* Fresh links: the new organiser token is not the old one's. */
    assert_string_not_equal(core_link_token(a, "organiser", NULL), core_link_token(b, "organiser", NULL));
    assert_string_equal(core_link_token(b, "organiser", NULL), tok);
    core_free(a);
    core_free(b);
    store_close(s);
    /* Opening the database again serves the newest sprint. */
    c = core_new();
    assert_int_equal(boot_open(db, &s, c, live, sizeof live, NULL, NULL), 0);
    assert_string_equal(live, id2);
    assert_string_equal(core_sprint_id(c), id2);
    core_free(c);
    store_close(s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_archive_needs_announcement_or_confirm),
        cmocka_unit_test(test_archived_refuses_everything_else),
        cmocka_unit_test(test_person_delete_in_archive),
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_copy_setup_not_people),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_log_new_sprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
