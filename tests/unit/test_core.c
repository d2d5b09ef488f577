/* test_core.c – core: validation, identities, visibility, dedupe and the fold. */
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

static core_t *setup_core(evlist_t *log)
{
    core_t *c = core_new();
    assert_int_equal(fixture_setup(c, log), 0);
    return c;
}

static const ev_t *last(const evlist_t *l) { return &l->v[l->n - 1]; }

static void test_setup_events(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    assert_int_equal(core_head(c), (int64_t)log.n);
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(log.v[i].seq, (int64_t)i + 1);
    assert_string_equal(core_sprint_id(c), "test-sprint");
    assert_string_equal(core_link_token(c, "organiser", NULL), "tok-org");
    assert_string_equal(core_link_token(c, "facilitator", "r2"), "tok-f2");
    assert_int_equal(core_team_count(c), 3);
    /* Codes and tokens are never in an event everyone sees: a join code goes to its
     * team's audience (the team, its room's facilitator, the organiser). */
    for (size_t i = 0; i < log.n; i++) {
        char *s = json_dumps(log.v[i].data, JSON_COMPACT);
        if (strstr(s, "AAAA-1111")) {
            assert_int_equal(log.v[i].aud_kind, AUD_TEAM);
            assert_string_equal(log.v[i].aud_id, "t1");
        }
        if (strstr(s, "tok-org"))
            assert_int_equal(log.v[i].aud_kind, AUD_ORG);
        if (strstr(s, "hash-org"))
            assert_int_equal(log.v[i].aud_kind, AUD_SERVER);
        free(s);
    }
    /* A second set-up on a used core is refused and changes nothing. */
    int64_t head = core_head(c);
    evlist_t more = {0};
    assert_int_equal(fixture_setup(c, &more), SP_E_BAD_SETUP);
    assert_int_equal(core_head(c), head);
    assert_int_equal(more.n, 0);
    evlist_free(&more);
    evlist_free(&log);
    core_free(c);
}

static void test_bad_setup(void **state)
{
    (void)state;
    core_t *c = core_new();
    evlist_t out = {0};
    json_t *d = json_loads("{\"id\":\"x\",\"title\":{\"nl\":\"a\",\"en\":\"b\"},\"rooms\":[],"
                           "\"teams\":[]}", 0, NULL);
    core_secrets_t sec = {fixture_links, 5, fixture_codes, 0};
    assert_int_equal(core_setup(c, d, &sec, 1, &out), SP_E_BAD_SETUP);
    assert_int_equal(core_head(c), 0);
    json_decref(d);
    /* A team in a room that does not exist. */
    d = json_loads("{\"id\":\"x\",\"title\":{\"nl\":\"a\",\"en\":\"b\"},\"rooms\":[{\"id\":\"r1\","
                   "\"name\":{\"nl\":\"a\",\"en\":\"b\"}}],\"teams\":[{\"id\":\"t1\",\"name\":\"T\","
                   "\"room\":\"r9\"}]}", 0, NULL);
    sec.ncodes = 1;
    assert_int_equal(core_setup(c, d, &sec, 1, &out), SP_E_BAD_SETUP);
    assert_int_equal(core_head(c), 0);
    json_decref(d);
    evlist_free(&out);
    core_free(c);
}

static void test_auth(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t w;
    assert_int_equal(core_auth(c, "hash-org", &w), 0);
    assert_int_equal(w.role, ROLE_ORGANISER);
    assert_int_equal(core_auth(c, "hash-f2", &w), 0);
    assert_int_equal(w.role, ROLE_FACILITATOR);
    assert_int_equal(w.room, 1);
    assert_int_equal(core_auth(c, "hash-jury", &w), 0);
    assert_int_equal(w.role, ROLE_JURY);
    assert_int_equal(core_auth(c, "tok-org", &w), SP_E_BAD_TOKEN);
    assert_int_equal(core_auth(c, "", &w), SP_E_BAD_TOKEN);
    evlist_free(&log);
    core_free(c);
}

static void test_join(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    int64_t head = core_head(c);
    who_t w;
    assert_int_equal(core_join(c, "ZZZZ-9999", "Anna", "j1", "h1", 5, &log, &w), SP_E_BAD_CODE);
    assert_int_equal(core_join(c, "AAAA-1111", "   ", "j1", "h1", 5, &log, &w), SP_E_TEXT_EMPTY);
    assert_int_equal(core_head(c), head);
    /* Case and dashes do not matter. */
    assert_int_equal(core_join(c, "aaaa1111", "Anna", "j1", "h1", 5, &log, &w), 0);
    assert_int_equal(core_head(c), head + 2);
    assert_string_equal(log.v[log.n - 2].type, "member.joined");
    assert_int_equal(log.v[log.n - 2].aud_kind, AUD_TEAM);
    assert_string_equal(log.v[log.n - 2].aud_id, "t1");
    assert_string_equal(last(&log)->type, "session.opened");
    assert_int_equal(last(&log)->aud_kind, AUD_SERVER);
    assert_int_equal(w.role, ROLE_PARTICIPANT);
    who_t again;
    assert_int_equal(core_auth(c, "h1", &again), 0);
    assert_string_equal(again.actor, w.actor);
    /* The same join id again: a new session, not a second member. */
    assert_int_equal(core_join(c, "AAAA-1111", "Anna", "j1", "h1b", 6, &log, &again), 0);
    assert_string_equal(again.actor, w.actor);
    assert_string_equal(last(&log)->type, "session.opened");
    assert_string_not_equal(log.v[log.n - 2].type, "member.joined");
    /* The join id is never in an event anyone receives. */
    for (size_t i = 0; i < log.n; i++) {
        char *s = json_dumps(log.v[i].data, JSON_COMPACT);
        if (strstr(s, "\"j1\""))
            assert_int_equal(log.v[i].aud_kind, AUD_SERVER);
        free(s);
    }
    /* A long name is refused. */
    char name[80];
    memset(name, 'x', 61);
    name[61] = '\0';
    assert_int_equal(core_join(c, "AAAA-1111", name, "j2", "h2", 7, &log, &w), SP_E_TEXT_TOO_LONG);
    evlist_free(&log);
    core_free(c);
}

static void test_notes_validation(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t a = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);
    who_t b = fixture_join(c, "BBBB-2222", "Bert", "hb", &log);
    who_t org;
    core_auth(c, "hash-org", &org);
    int64_t dup;
    json_t *args = json_pack("{ss}", "text", "Gegevens worden dubbel uitgevraagd");
    assert_int_equal(core_exec(c, &a, "note.add", args, "c1", 10, &log, &dup), 0);
    const ev_t *ev = last(&log);
    assert_string_equal(ev->type, "note.added");
    assert_int_equal(ev->aud_kind, AUD_TEAM);
    assert_string_equal(ev->aud_id, "t1");
    assert_string_equal(ev->actor, a.actor);
    const char *nid = json_string_value(json_object_get(ev->data, "id"));
    char note_id[16];
    snprintf(note_id, sizeof note_id, "%s", nid);
    /* Roles: the organiser and the jury write no team notes. */
    assert_int_equal(core_exec(c, &org, "note.add", args, "c2", 10, &log, &dup), SP_E_FORBIDDEN);
    who_t jury;
    core_auth(c, "hash-jury", &jury);
    assert_int_equal(core_exec(c, &jury, "note.add", args, "c2", 10, &log, &dup), SP_E_FORBIDDEN);
    json_decref(args);
    /* Limits: empty, 280 code points fine (multi-byte), 281 too long. */
    char big[281 * 2 + 1];
    for (int i = 0; i < 280; i++)
        memcpy(big + 2 * i, "\xc3\xab", 2);   /* ë */
    big[560] = '\0';
    args = json_pack("{ss}", "text", big);
    assert_int_equal(core_exec(c, &a, "note.add", args, "c3", 10, &log, &dup), 0);
    json_decref(args);
    memcpy(big + 560, "x", 2);
    args = json_pack("{ss}", "text", big);
    assert_int_equal(core_exec(c, &a, "note.add", args, "c4", 10, &log, &dup), SP_E_TEXT_TOO_LONG);
    json_decref(args);
    args = json_pack("{ss}", "text", " \n ");
    assert_int_equal(core_exec(c, &a, "note.add", args, "c5", 10, &log, &dup), SP_E_TEXT_EMPTY);
    json_decref(args);
    args = json_pack("{si}", "text", 5);
    assert_int_equal(core_exec(c, &a, "note.add", args, "c6", 10, &log, &dup), SP_E_BAD_MESSAGE);
    json_decref(args);
    /* Another team cannot edit or delete it, nor learn that it exists. */
    args = json_pack("{ss ss}", "note", note_id, "text", "gekaapt");
    assert_int_equal(core_exec(c, &b, "note.edit", args, "c7", 10, &log, &dup), SP_E_NOT_FOUND);
    assert_int_equal(core_exec(c, &a, "note.edit", args, "c8", 11, &log, &dup), 0);
    assert_string_equal(last(&log)->type, "note.edited");
    json_decref(args);
    args = json_pack("{ss}", "note", note_id);
    assert_int_equal(core_exec(c, &b, "note.delete", args, "c9", 10, &log, &dup), SP_E_NOT_FOUND);
    assert_int_equal(core_exec(c, &a, "note.delete", args, "c10", 12, &log, &dup), 0);
    assert_int_equal(core_exec(c, &a, "note.delete", args, "c11", 12, &log, &dup), SP_E_NOT_FOUND);
    json_decref(args);
    assert_int_equal(core_exec(c, &a, "note.fly", args, "c12", 12, &log, &dup),
                     SP_E_UNKNOWN_COMMAND);
    assert_int_equal(core_note_count(c, 0), 1);
    assert_int_equal(core_note_count(c, 1), 2);
    evlist_free(&log);
    core_free(c);
}

static void test_dedupe(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t a = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);
    who_t a2 = fixture_join(c, "AAAA-1111", "Anders", "ha2", &log);
    json_t *args = json_pack("{ss}", "text", "Eén keer");
    int64_t dup = 0;
    assert_int_equal(core_exec(c, &a, "note.add", args, "same", 10, &log, &dup), 0);
    int64_t seq = last(&log)->seq;
    size_t n = log.n;
    assert_int_equal(core_exec(c, &a, "note.add", args, "same", 11, &log, &dup), 1);
    assert_int_equal(dup, seq);
    assert_int_equal(log.n, n);
    /* Command ids are per actor: another member may use the same id. */
    assert_int_equal(core_exec(c, &a2, "note.add", args, "same", 12, &log, &dup), 0);
    assert_int_equal(core_note_count(c, 0), 2);
    json_decref(args);
    evlist_free(&log);
    core_free(c);
}

/* Ids are refused, never cut: a cut id would make two commands one (or a retry two). */
static void test_ids_never_cut(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t a = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);
    json_t *args = json_pack("{ss}", "text", "Lange id");
    char id[LIMIT_CMD_ID + 2];
    memset(id, 'x', LIMIT_CMD_ID);
    id[LIMIT_CMD_ID] = '\0';
    int64_t dup = 0;
    assert_int_equal(core_exec(c, &a, "note.add", args, id, 10, &log, &dup), 0);
    int64_t seq = last(&log)->seq;
    assert_string_equal(last(&log)->cmd_id, id);
    assert_int_equal(core_exec(c, &a, "note.add", args, id, 11, &log, &dup), 1);
    assert_int_equal(dup, seq);
    /* The same prefix one longer: refused, nothing happens (before, it was cut to the
     * first id's length and could be taken for it). */
    size_t n = log.n;
    id[LIMIT_CMD_ID] = 'y';
    id[LIMIT_CMD_ID + 1] = '\0';
    assert_int_equal(core_exec(c, &a, "note.add", args, id, 12, &log, &dup), SP_E_BAD_ID);
    assert_int_equal(core_exec(c, &a, "note.add", args, "", 12, &log, &dup), SP_E_BAD_ID);
    who_t w;
    assert_int_equal(core_join(c, "AAAA-1111", "Bob", id, "hb", 13, &log, &w), SP_E_BAD_ID);
    assert_int_equal(log.n, n);
    assert_int_equal(core_note_count(c, 0), 1);
    /* A replay keeps the full id: the retry is still recognised. */
    core_t *r = core_new();
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(core_apply(r, &log.v[i]), 0);
    id[LIMIT_CMD_ID] = '\0';
    assert_int_equal(core_exec(r, &a, "note.add", args, id, 14, &log, &dup), 1);
    assert_int_equal(dup, seq);
    core_free(r);
    json_decref(args);
    evlist_free(&log);
    core_free(c);
}

/* A room with nteams teams and the real playbook; the organiser's identity in *org. */
static core_t *big_room(size_t nteams, evlist_t *log, who_t *org)
{
    json_t *d = json_loads(fixture_desc, 0, NULL);
    json_t *teams = json_array();
    for (size_t i = 0; i < nteams; i++) {
        char id[24], name[32];
        snprintf(id, sizeof id, "t%zu", i + 1);
        snprintf(name, sizeof name, "Team %zu", i + 1);
        json_array_append_new(teams, json_pack("{ss ss ss}", "id", id, "name", name, "room", "r1"));
    }
    json_object_set_new(d, "teams", teams);
    const embed_file_t *f = embed_find("data/playbooks/staatsprint.json");
    json_object_set_new(d, "playbook", json_loadb((const char *)f->data, f->len, 0, NULL));
    char (*codes)[48] = calloc(nteams, sizeof *codes);
    const char **cp = calloc(nteams, sizeof *cp);
    for (size_t i = 0; i < nteams; i++) {
        snprintf(codes[i], sizeof codes[i], "K%03zu-%04zu", i / 10000, i % 10000);
        cp[i] = codes[i];
    }
    core_secrets_t sec = {fixture_links, 5, cp, nteams};
    core_t *c = core_new();
    assert_int_equal(core_setup(c, d, &sec, 1000, log), 0);
    free(cp);
    free(codes);
    json_decref(d);
    assert_int_equal(core_auth(c, "hash-org", org), 0);
    return c;
}

static size_t count_type(const evlist_t *l, size_t from, const char *type)
{
    size_t n = 0;
    for (size_t i = from; i < l->n; i++)
        n += strcmp(l->v[i].type, type) == 0;
    return n;
}

/* Room-wide staff commands act on every team of the room, or refuse clearly. */
static void test_room_wide_on_600_teams(void **state)
{
    (void)state;
    evlist_t log = {0};
    who_t org;
    core_t *c = big_room(600, &log, &org);
    assert_int_equal(core_team_count(c), 600);
    json_t *args = json_pack("{ss}", "room", "r1");
    int64_t dup;
    size_t from = log.n;
    assert_int_equal(core_exec(c, &org, "timer.start", args, "all-1", 10, &log, &dup), 0);
    assert_int_equal(count_type(&log, from, "timer.changed"), 600);
    from = log.n;
    assert_int_equal(core_exec(c, &org, "step.next", args, "all-2", 20, &log, &dup), 0);
    assert_int_equal(count_type(&log, from, "step.changed"), 600);
    from = log.n;
    assert_int_equal(core_exec(c, &org, "console.counts", args, "all-3", 30, &log, &dup), 0);
    assert_int_equal(count_type(&log, from, "team.counts"), 600);
    evlist_free(&log);
    core_free(c);

    /* Beyond what one command may act on: refused with too_many_teams, nothing done. */
    evlist_t log2 = {0};
    c = big_room(LIMIT_TEAMS_PER_CMD + 1, &log2, &org);
    size_t n = log2.n;
    assert_int_equal(core_exec(c, &org, "timer.start", args, "all-4", 10, &log2, &dup), SP_E_TOO_MANY_TEAMS);
    assert_int_equal(core_exec(c, &org, "console.counts", args, "all-5", 10, &log2, &dup), SP_E_TOO_MANY_TEAMS);
    assert_int_equal(log2.n, n);
    assert_string_equal(err_code(SP_E_TOO_MANY_TEAMS), "too_many_teams");
    json_decref(args);
    evlist_free(&log2);
    core_free(c);
}

/* The core says what changed beyond its state; net acts on that, not on event names. */
static void test_effects(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    assert_int_equal(core_take_effects(c), CORE_FX_CHANNELS);   /* rooms and teams made */
    assert_int_equal(core_take_effects(c), 0);
    who_t a = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);
    json_t *args = json_pack("{ss}", "text", "Gewoon");
    int64_t dup;
    assert_int_equal(core_exec(c, &a, "note.add", args, "n1", 10, &log, &dup), 0);
    assert_int_equal(core_take_effects(c), 0);
    who_t org;
    assert_int_equal(core_auth(c, "hash-org", &org), 0);
    json_t *del = json_pack("{ss}", "member", a.actor);
    assert_int_equal(core_exec(c, &org, "person.delete", del, "d1", 20, &log, &dup), 0);
    assert_int_equal(core_take_effects(c), CORE_FX_REDACTED);
    /* A follower applying the same log hears the same. */
    core_t *r = core_new();
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(core_apply(r, &log.v[i]), 0);
    assert_int_equal(core_take_effects(r), CORE_FX_CHANNELS | CORE_FX_REDACTED);
    core_free(r);
    json_decref(del);
    json_decref(args);
    evlist_free(&log);
    core_free(c);
}

static void test_visibility(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t a = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);   /* t1 in r1 */
    who_t b = fixture_join(c, "BBBB-2222", "Bert", "hb", &log);   /* t2 in r1 */
    who_t d = fixture_join(c, "CCCC-3333", "Dirk", "hd", &log);   /* t3 in r2 */
    who_t org, f1, f2, jury, screen;
    core_auth(c, "hash-org", &org);
    core_auth(c, "hash-f1", &f1);
    core_auth(c, "hash-f2", &f2);
    core_auth(c, "hash-jury", &jury);
    core_auth(c, "hash-screen", &screen);
    assert_true(core_may_see(c, &a, AUD_TEAM, "t1"));
    assert_false(core_may_see(c, &b, AUD_TEAM, "t1"));
    assert_false(core_may_see(c, &d, AUD_TEAM, "t1"));
    assert_true(core_may_see(c, &f1, AUD_TEAM, "t1"));
    assert_false(core_may_see(c, &f2, AUD_TEAM, "t1"));
    assert_true(core_may_see(c, &org, AUD_TEAM, "t1"));
    assert_false(core_may_see(c, &jury, AUD_TEAM, "t1"));
    assert_false(core_may_see(c, &screen, AUD_TEAM, "t1"));
    assert_true(core_may_see(c, &a, AUD_MEMBER, a.actor));
    assert_false(core_may_see(c, &b, AUD_MEMBER, a.actor));
    assert_false(core_may_see(c, &org, AUD_MEMBER, a.actor));
    assert_false(core_may_see(c, &f1, AUD_MEMBER, a.actor));
    assert_true(core_may_see(c, &b, AUD_ROOM, "r1"));
    assert_false(core_may_see(c, &d, AUD_ROOM, "r1"));
    assert_true(core_may_see(c, &f1, AUD_STAFF, ""));
    assert_false(core_may_see(c, &a, AUD_STAFF, ""));
    assert_false(core_may_see(c, &f1, AUD_ORG, ""));
    assert_true(core_may_see(c, &org, AUD_ORG, ""));
    for (int k = AUD_ALL; k <= AUD_SCREEN; k++)
        assert_false(core_may_see(c, &a, AUD_SERVER, ""));
    assert_true(core_may_see(c, &screen, AUD_ALL, ""));
    assert_false(core_may_see(c, &org, AUD_JUROR, "jury"));
    evlist_free(&log);
    core_free(c);
}

typedef struct {
    const core_t *c;
    const who_t *who;
    int count;
} chancheck_t;

static void chan_check(void *ud, int kind, const char *id)
{
    chancheck_t *k = ud;
    /* Every channel offered must be one the viewer may see. */
    assert_true(core_may_see(k->c, k->who, kind, id));
    k->count++;
}

static void test_channels_match_visibility(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t ws[6];
    ws[0] = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);
    core_auth(c, "hash-org", &ws[1]);
    core_auth(c, "hash-f1", &ws[2]);
    core_auth(c, "hash-jury", &ws[3]);
    core_auth(c, "hash-screen", &ws[4]);
    ws[5] = fixture_join(c, "CCCC-3333", "Dirk", "hd", &log);
    int expect[6] = {4, 4 + 2 + 2 + 3, 3 + 1 + 2, 3, 2, 4};   /* staff: a desk per room */
    for (int i = 0; i < 6; i++) {
        chancheck_t k = {c, &ws[i], 0};
        core_channels(c, &ws[i], chan_check, &k);
        assert_int_equal(k.count, expect[i]);
    }
    evlist_free(&log);
    core_free(c);
}

/* Replaying the log into a new core gives the same state (invariant 3). */
static void test_fold_replay(void **state)
{
    (void)state;
    evlist_t log = {0};
    core_t *c = setup_core(&log);
    who_t a = fixture_join(c, "AAAA-1111", "Anna", "ha", &log);
    int64_t dup;
    for (int i = 0; i < 20; i++) {
        char id[16], text[32];
        snprintf(id, sizeof id, "c%d", i);
        snprintf(text, sizeof text, "Notitie %d", i);
        json_t *args = json_pack("{ss}", "text", text);
        assert_int_equal(core_exec(c, &a, "note.add", args, id, 10 + i, &log, &dup), 0);
        json_decref(args);
    }
    json_t *args = json_pack("{ss}", "note", "n3");
    assert_int_equal(core_exec(c, &a, "note.delete", args, "del", 50, &log, &dup), 0);
    json_decref(args);

    core_t *r = core_new();
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(core_apply(r, &log.v[i]), 0);
    assert_int_equal(core_head(r), core_head(c));
    assert_int_equal(core_note_count(r, 0), 19);
    assert_int_equal(core_note_count(r, 1), 20);
    who_t again;
    assert_int_equal(core_auth(r, "ha", &again), 0);
    assert_string_equal(again.actor, a.actor);
    /* A command id from before the replay is still recognised. */
    args = json_pack("{ss}", "text", "nog eens");
    assert_int_equal(core_exec(r, &again, "note.add", args, "c5", 99, &log, &dup), 1);
    /* New ids continue where the log left off. */
    assert_int_equal(core_exec(r, &again, "note.add", args, "new", 99, &log, &dup), 0);
    assert_string_equal(json_string_value(json_object_get(last(&log)->data, "id")), "n21");
    json_decref(args);
    /* An event out of order is refused and changes nothing. */
    ev_t bad = log.v[0];
    int64_t head = core_head(r);
    assert_int_equal(core_apply(r, &bad), SP_E_BAD_SETUP);
    assert_int_equal(core_head(r), head);
    core_free(r);
    evlist_free(&log);
    core_free(c);
}

/* A join code in a log written before codes were kept per room went to all staff: read
 * back, it goes to its team's audience (issue 16). */
static void test_old_team_code_upgraded(void **state)
{
    (void)state;
    ev_t ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.type, sizeof ev.type, "team.code");
    ev.aud_kind = AUD_STAFF;
    ev.data = json_pack("{ss ss}", "team", "t3", "code", "CCCC-3333");
    core_event_upgrade(&ev);
    assert_int_equal(ev.aud_kind, AUD_TEAM);
    assert_string_equal(ev.aud_id, "t3");
    /* Other events keep their audience. */
    snprintf(ev.type, sizeof ev.type, "links.set");
    ev.aud_kind = AUD_ORG;
    ev.aud_id[0] = '\0';
    core_event_upgrade(&ev);
    assert_int_equal(ev.aud_kind, AUD_ORG);
    json_decref(ev.data);
}

static void test_errors_table(void **state)
{
    (void)state;
    assert_string_equal(err_code(SP_E_BAD_JSON), "bad_json");
    assert_string_equal(err_code(SP_E_STORE_UNAVAILABLE), "store_unavailable");
    assert_string_equal(err_code(12345), "internal");
    for (int e = SP_ERR_FIRST_ + 1; e < SP_ERR_END_; e++) {
        assert_true(strlen(err_nl(e)) > 5);
        assert_true(strlen(err_en(e)) > 5);
        assert_string_not_equal(err_nl(e), err_en(e));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_events),
        cmocka_unit_test(test_bad_setup),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_notes_validation),
        cmocka_unit_test(test_dedupe),
        cmocka_unit_test(test_ids_never_cut),
        cmocka_unit_test(test_room_wide_on_600_teams),
        cmocka_unit_test(test_effects),
        cmocka_unit_test(test_visibility),
        cmocka_unit_test(test_channels_match_visibility),
        cmocka_unit_test(test_fold_replay),
        cmocka_unit_test(test_errors_table),
        cmocka_unit_test(test_old_team_code_upgraded),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
