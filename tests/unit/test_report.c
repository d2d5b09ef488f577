/* test_report.c – the results document folded from a day played through the core, and
 * the exports written from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "core_fixture.h"
#include "core_day.h"
#include "org/csv.h"
#include "report/csv.h"
#include "report/json.h"
#include "report/md.h"
#include "report/model.h"
#include "report/pdf.h"
#include "report/cli.h"
#include "report/sheets.h"
#include "log/event.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *last_id(day_t *y, const char *type)
{
    for (size_t i = y->log.n; i > 0; i--)
        if (strcmp(y->log.v[i - 1].type, type) == 0)
            return json_string_value(json_object_get(y->log.v[i - 1].data, "id"));
    fail();
    return NULL;
}

/* Moves t1 (captain Anna) and t2 (captain Dirk) to step; votes on the way are revealed. */
static void goto_step(day_t *y, const char *step)
{
    const who_t *caps[2] = {&y->a, &y->d};
    int target = playbook_find(&y->c->pb, step);
    for (int k = 0; k < 2; k++)
        while (y->c->teams[k].step < target) {
            int rc = run(y, caps[k], "step.next", NULL);
            if (rc == SP_E_VOTE_NOT_REVEALED) {
                assert_int_equal(run(y, caps[k], "vote.reveal", NULL), 0);
                rc = run(y, caps[k], "step.next", NULL);
            }
            assert_int_equal(rc, 0);
        }
}

static json_t *fold(day_t *y, int names)
{
    report_fold_t *f = report_fold_new(y->c);
    for (size_t i = 0; i < y->log.n; i++)
        report_fold_event(f, &y->log.v[i]);
    json_t *doc = report_fold_doc(f, names);
    report_fold_free(f);
    return doc;
}

static int array_has(const json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    return 0;
}

/* The console's live counts recompute only the teams the core marks as changed
 * (core_live_changed): replaying the day's log event by event, a team left unmarked must
 * have the same counts as before, and a room none of whose teams is marked the same status.
 * Also shows the marks are not "every team, always": a participant's event marks fewer. */
static void live_replay_check(const day_t *y)
{
    core_t *c = core_new();
    size_t partial = 0;
    json_t *prev = NULL, **rooms = NULL;
    size_t nrooms = 0;
    for (size_t i = 0; i < y->log.n; i++) {
        assert_int_equal(core_apply(c, &y->log.v[i]), 0);
        size_t nt = core_team_count(c), nr = core_room_count(c);
        unsigned char *mark = calloc(nt + 1, 1);
        size_t k = core_live_changed(c, mark);
        partial += k > 0 && k < nt;
        json_t *now = core_counts_all(c);
        unsigned char *room_marked = calloc(nr + 1, 1);
        for (size_t t = 0; t < nt; t++) {
            const char *id, *name, *room, *code;
            assert_int_equal(core_team_info(c, t, &id, &name, &room, &code), 0);
            if (mark[t]) {
                int r = core_team_room(c, t);
                if (r >= 0)
                    room_marked[r] = 1;
                continue;
            }
            json_t *before = prev ? json_object_get(prev, id) : NULL;
            if (before == NULL || !json_equal(before, json_object_get(now, id))) {
                char *a = before ? json_dumps(before, JSON_SORT_KEYS) : NULL;
                char *b = json_dumps(json_object_get(now, id), JSON_SORT_KEYS);
                fail_msg("event %zu (%s) changed the counts of team %s without marking it:\n%s\n%s",
                         i, y->log.v[i].type, id, a ? a : "(none)", b);
            }
        }
        rooms = realloc(rooms, (nr + 1) * sizeof *rooms);
        for (size_t r = nrooms; r < nr; r++)
            rooms[r] = NULL;
        for (size_t r = 0; r < nr; r++) {
            json_t *st = core_room_status(c, r);
            if (!room_marked[r] && k < nt && rooms[r] != NULL && st != NULL && !json_equal(rooms[r], st))
                fail_msg("event %zu (%s) changed the status of room %zu without marking a team of it",
                         i, y->log.v[i].type, r);
            json_decref(rooms[r]);
            rooms[r] = st;
        }
        nrooms = nr;
        json_decref(prev);
        prev = now;
        free(mark);
        free(room_marked);
    }
    assert_true(partial > 0);
    for (size_t r = 0; r < nrooms; r++)
        json_decref(rooms[r]);
    free(rooms);
    json_decref(prev);
    core_free(c);
}

static void test_private_notes_and_hidden_dots_stay_out(void **state)
{
    (void)state;
    day_t y;
    day_init(&y);
    assert_int_equal(run(&y, &y.a, "roles.set", "{ss}", "captain", y.a.actor), 0);
    assert_int_equal(run(&y, &y.d, "roles.set", "{ss}", "captain", y.d.actor), 0);
    assert_int_equal(run(&y, &y.a, "profile.set", "{ss ss}", "organisation", "Gemeente Zwolle", "role", "Architect"), 0);
    goto_step(&y, "p1-dump");
    assert_int_equal(run(&y, &y.a, "note.add", "{ss}", "text", "Geheim briefje"), 0);
    assert_int_equal(run(&y, &y.b, "note.add", "{ss}", "text", "Gedeeld briefje"), 0);
    assert_int_equal(run(&y, &y.b, "note.share", "{ss}", "note", last_id(&y, "note.added")), 0);
    json_t *doc = fold(&y, 0);
    const json_t *t1 = rm_team(doc, "t1");
    json_t *loose = json_object_get(json_object_get(t1, "problems"), "unclustered");
    assert_true(array_has(loose, "Gedeeld briefje"));
    assert_false(array_has(loose, "Geheim briefje"));
    /* No names unless asked; organisations and roles always. */
    json_t *m0 = json_array_get(json_object_get(t1, "members"), 0);
    assert_null(json_object_get(m0, "name"));
    assert_string_equal(rm_str(m0, "organisation"), "Gemeente Zwolle");
    assert_true(array_has(json_object_get(m0, "team_roles"), "captain"));
    json_decref(doc);
    doc = fold(&y, 1);
    assert_string_equal(rm_str(json_array_get(json_object_get(rm_team(doc, "t1"), "members"), 0), "name"), "Anna");
    json_decref(doc);

    /* Leaving the step shares what was private: then it is in the report. */
    goto_step(&y, "p1-knelpunten");
    char it[2][16];
    assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", "Minder belangrijk"), 0);
    snprintf(it[0], 16, "%s", last_id(&y, "item.added"));
    assert_int_equal(run(&y, &y.a, "item.add", "{ss}", "text", "Het grootste knelpunt"), 0);
    snprintf(it[1], 16, "%s", last_id(&y, "item.added"));
    goto_step(&y, "p1-vote");
    for (int i = 0; i < 10; i++)
        assert_int_equal(run(&y, &y.a, "vote.place", "{ss}", "target", it[i < 3 ? 0 : 1]), 0);
    doc = fold(&y, 0);
    t1 = rm_team(doc, "t1");
    assert_true(array_has(json_object_get(json_object_get(t1, "problems"), "unclustered"), "Geheim briefje"));
    const json_t *kn = json_object_get(t1, "knelpunten");
    assert_false(json_is_true(json_object_get(kn, "revealed")));
    /* Dots before the reveal are secret: null, and the written order. */
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(kn, "items"), 0), "dots")));
    assert_string_equal(rm_str(json_array_get(json_object_get(kn, "items"), 0), "id"), it[0]);
    json_decref(doc);
    assert_int_equal(run(&y, &y.a, "vote.done", NULL), 0);
    assert_int_equal(run(&y, &y.b, "vote.place", "{ss}", "target", it[0]), 0);
    assert_int_equal(run(&y, &y.b, "vote.done", NULL), 0);
    doc = fold(&y, 0);
    kn = json_object_get(rm_team(doc, "t1"), "knelpunten");
    assert_true(json_is_true(json_object_get(kn, "revealed")));
    json_t *first = json_array_get(json_object_get(kn, "items"), 0);
    assert_string_equal(rm_str(first, "text"), "Het grootste knelpunt");
    assert_int_equal(rm_int(first, "dots"), 7);
    assert_int_equal(rm_int(json_array_get(json_object_get(kn, "items"), 1), "dots"), 4);
    json_decref(doc);
    live_replay_check(&y);
    day_free(&y);
}

/* Plays t1 from the race to the plan: two rounds, a vote, milestones, canvases. */
static json_t *play_ideas(day_t *y)
{
    assert_int_equal(run(y, &y->a, "roles.set", "{ss}", "captain", y->a.actor), 0);
    assert_int_equal(run(y, &y->d, "roles.set", "{ss}", "captain", y->d.actor), 0);
    goto_step(y, "p2-statement");
    assert_int_equal(run(y, &y->a, "canvas.set", "{ss ss}", "field", "issue", "text", "Gegevens zitten in silo's"), 0);
    goto_step(y, "p3-race");
    assert_int_equal(run(y, &y->f1, "race.start", "{sf}", "minutes", 1.0), 0);
    int64_t start = y->now;
    char ideas[4][16];
    for (int i = 0; i < 3; i++) {
        char t[32];
        snprintf(t, sizeof t, "Idee %c", 'A' + i);
        y->now += 5000;
        assert_int_equal(run(y, i ? &y->b : &y->a, "note.add", "{ss}", "text", t), 0);
        snprintf(ideas[i], 16, "%s", last_id(y, "note.added"));
    }
    y->now = start + 60000;
    core_tick(y->c, y->now, &y->log);
    assert_int_equal(run(y, &y->f1, "race.start", "{sf}", "minutes", 1.0), 0);
    y->now += 2000;
    assert_int_equal(run(y, &y->b, "note.add", "{ss}", "text", "Idee D"), 0);
    snprintf(ideas[3], 16, "%s", last_id(y, "note.added"));
    y->now += 60000;
    core_tick(y->c, y->now, &y->log);
    goto_step(y, "p3-vote");
    assert_int_equal(run(y, &y->a, "vote.place", "{ss}", "target", ideas[3]), 0);
    assert_int_equal(run(y, &y->a, "vote.place", "{ss}", "target", ideas[3]), 0);
    assert_int_equal(run(y, &y->a, "vote.place", "{ss}", "target", ideas[1]), 0);
    assert_int_equal(run(y, &y->b, "vote.place", "{ss}", "target", ideas[1]), 0);
    assert_int_equal(run(y, &y->b, "vote.place", "{ss}", "target", ideas[1]), 0);
    assert_int_equal(run(y, &y->b, "vote.place", "{ss}", "target", ideas[0]), 0);
    assert_int_equal(run(y, &y->a, "vote.done", NULL), 0);
    assert_int_equal(run(y, &y->b, "vote.done", NULL), 0);
    goto_step(y, "p3-crystal");
    assert_int_equal(run(y, &y->a, "milestone.add", "{ss si ss ss}", "idea", ideas[1], "at", 5, "kind", "goal", "text", "Landelijk"), 0);
    assert_int_equal(run(y, &y->b, "milestone.add", "{ss si ss ss}", "idea", ideas[1], "at", 0, "kind", "role", "text", "Kwartiermaker"), 0);
    assert_int_equal(run(y, &y->b, "milestone.add", "{ss si ss ss}", "idea", ideas[1], "at", 2, "kind", "dropped", "text", "Weg ermee"), 0);
    assert_int_equal(run(y, &y->b, "milestone.delete", "{ss}", "milestone", last_id(y, "milestone.added")), 0);
    goto_step(y, "p4-pitch");
    assert_int_equal(run(y, &y->a, "canvas.set", "{ss ss}", "field", "team_name", "text", "De Bronnen"), 0);
    return fold(y, 0);
}

static void test_race_votes_and_crystal_ball(void **state)
{
    (void)state;
    day_t y;
    day_init(&y);
    json_t *doc = play_ideas(&y);
    const json_t *t1 = rm_team(doc, "t1");
    const json_t *race = json_object_get(t1, "race");
    assert_int_equal(rm_int(race, "total"), 4);
    assert_int_equal(rm_int(json_array_get(json_object_get(race, "rounds"), 0), "count"), 3);
    assert_int_equal(rm_int(json_array_get(json_object_get(race, "rounds"), 1), "count"), 1);
    assert_int_equal(rm_int(json_array_get(json_object_get(race, "rounds"), 0), "duration_ms"), 60000);
    assert_true(json_is_true(json_object_get(race, "won")));
    /* Time since the race began, rounds laid end to end. */
    const json_t *ideas = json_object_get(t1, "ideas");
    long long e0 = rm_int(json_array_get(ideas, 0), "elapsed_ms"), e3 = rm_int(json_array_get(ideas, 3), "elapsed_ms");
    assert_true(e0 >= 5000 && e0 < 6000);
    assert_true(e3 >= 62000 && e3 < 63000);
    /* B (3 votes), D (2), A (1): all three go on, B first; each with its votes. */
    const json_t *chosen = json_object_get(t1, "chosen");
    assert_int_equal(json_array_size(chosen), 3);
    assert_string_equal(rm_str(json_array_get(chosen, 0), "text"), "Idee B");
    assert_int_equal(rm_int(json_array_get(chosen, 0), "votes"), 3);
    assert_string_equal(rm_str(json_array_get(chosen, 1), "text"), "Idee D");
    /* Milestones in time order, the deleted one gone. */
    const json_t *ms = json_object_get(json_array_get(chosen, 0), "milestones");
    assert_int_equal(json_array_size(ms), 2);
    assert_int_equal(rm_int(json_array_get(ms, 0), "at"), 0);
    assert_string_equal(rm_str(json_array_get(ms, 1), "kind"), "goal");
    const json_t *cv = json_object_get(t1, "canvases");
    assert_string_equal(rm_str(json_object_get(cv, "problem"), "issue"), "Gegevens zitten in silo's");
    assert_string_equal(rm_str(json_object_get(cv, "pitch"), "team_name"), "De Bronnen");
    assert_string_equal(rm_str(json_object_get(cv, "plan"), "impact"), "");
    json_decref(doc);
    live_replay_check(&y);
    day_free(&y);
}

/* The report goes through the core's projection: a member deleted later (AVG) is in it
 * without name, organisation or role, also in the events from before the deletion; a
 * room renamed later has its new name. */
static void test_deleted_member_and_updates(void **state)
{
    (void)state;
    day_t y;
    day_init(&y);
    assert_int_equal(run(&y, &y.a, "profile.set", "{ss ss}", "organisation", "Gemeente Zwolle", "role", "Architect"), 0);
    json_t *doc = fold(&y, 1);
    char *before = json_dumps(doc, JSON_COMPACT);
    assert_non_null(strstr(before, "Gemeente Zwolle"));   /* the check below can fail */
    free(before);
    json_decref(doc);
    who_t org;
    assert_int_equal(core_auth(y.c, "hash-org", &org), 0);
    assert_int_equal(run(&y, &org, "person.delete", "{ss}", "member", y.a.actor), 0);
    assert_int_equal(run(&y, &org, "room.update", "{ss s{ss ss}}", "room", "r1", "name", "nl", "Zaal Noord", "en", "North room"), 0);
    doc = fold(&y, 1);
    char *after = json_dumps(doc, JSON_COMPACT);
    assert_null(strstr(after, "Anna"));
    assert_null(strstr(after, "Gemeente Zwolle"));
    assert_null(strstr(after, "Architect"));
    free(after);
    const json_t *t1 = rm_team(doc, "t1");
    json_t *m, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(t1, "members"), i, m)
        if (strcmp(rm_str(m, "id"), y.a.actor) == 0)
            found = m;
    assert_non_null(found);   /* still counted, without personal data */
    assert_string_equal(rm_str(found, "name"), "");
    assert_string_equal(rm_str(json_array_get(json_object_get(doc, "rooms"), 0), "name"), "Zaal Noord");
    json_decref(doc);
    live_replay_check(&y);
    day_free(&y);
}

/* The log's codec: a frame's type read without parsing is the event's, even when its
 * data holds a "type" of its own; ev_from_frame gives the event back. */
static void test_frame_codec(void **state)
{
    (void)state;
    ev_t ev = {.seq = 7, .ts = 1234};
    snprintf(ev.type, sizeof ev.type, "member.joined");
    snprintf(ev.actor, sizeof ev.actor, "m1");
    ev.data = json_pack("{ss ss}", "type", "note.added", "name", "Anna \"type\":\"x\"");
    size_t len;
    char *f = ev_frame(&ev, &len);
    char type[40];
    assert_int_equal(ev_frame_type(f, len, type, sizeof type), 0);
    assert_string_equal(type, "member.joined");
    assert_int_equal(ev_frame_type(f, len, type, 5), -1);   /* does not fit: refused, not cut */
    ev_t back;
    assert_int_equal(ev_from_frame(f, len, &back), 0);
    assert_int_equal(back.seq, 7);
    assert_string_equal(back.type, "member.joined");
    assert_true(json_equal(back.data, ev.data));
    json_decref(back.data);
    free(f);
    json_decref(ev.data);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

static void test_exports(void **state)
{
    (void)state;
    day_t y;
    day_init(&y);
    json_t *doc = play_ideas(&y);
    char dir[] = "/tmp/sp-report-XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    size_t len;

    /* CSV of ideas: one row per idea, read back with the CSV reader. */
    snprintf(path, sizeof path, "%s/ideas.csv", dir);
    assert_int_equal(report_csv_ideas(doc, path), 0);
    char *s = slurp(path, &len);
    csv_reader_t *r = csv_reader_new(s, len, NULL);
    csv_row_t row;
    int rows = 0, chosen = 0;
    while (csv_reader_next(r, &row)) {
        assert_int_equal(row.error, 0);
        assert_int_equal(row.n_fields, 10);
        if (rows++ == 0) {
            assert_string_equal(row.fields[7], "text");
            continue;
        }
        chosen += strcmp(row.fields[9], "ja") == 0;
    }
    assert_true(csv_reader_had_bom(r));
    csv_reader_free(r);
    free(s);
    assert_int_equal(rows, 1 + 4);
    assert_int_equal(chosen, 3);

    /* CSV of votes: the knelpunten, themes and ideas of every team. */
    snprintf(path, sizeof path, "%s/votes.csv", dir);
    assert_int_equal(report_csv_votes(doc, path), 0);
    s = slurp(path, &len);
    assert_non_null(strstr(s, "ideas,n"));
    free(s);

    snprintf(path, sizeof path, "%s/r.md", dir);
    assert_int_equal(report_md_write(doc, path), 0);
    s = slurp(path, &len);
    assert_non_null(strstr(s, "### Team Een"));
    assert_non_null(strstr(s, "Gegevens zitten in silo's"));
    assert_null(strstr(s, "Anna"));
    free(s);

    snprintf(path, sizeof path, "%s/r.json", dir);
    assert_int_equal(report_json_write(doc, path), 0);
    json_t *back = json_load_file(path, 0, NULL);
    assert_true(json_equal(back, doc));
    json_decref(back);

    snprintf(path, sizeof path, "%s/r.pdf", dir);
    assert_int_equal(report_pdf_write(doc, path), 0);
    s = slurp(path, &len);
    assert_true(len > 2000);
    assert_memory_equal(s, "%PDF", 4);
    free(s);
    assert_int_equal(report_pdf_write(doc, "/nonexistent-dir/r.pdf"), -1);

    const char *files[] = {"ideas.csv", "votes.csv", "r.md", "r.json", "r.pdf"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    json_decref(doc);
    day_free(&y);
}

/* The same document from a database as from the events in memory. */
static void test_load_from_database(void **state)
{
    (void)state;
    day_t y;
    day_init(&y);
    json_t *doc = play_ideas(&y);
    char dir[] = "/tmp/sp-report-XXXXXX", db[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/dag.db", dir);
    store_t *st;
    assert_int_equal(store_open(db, &st, err, sizeof err), 0);
    assert_int_equal(log_append(st, "test-sprint", &y.log), 0);
    store_close(st);
    json_t *loaded = NULL;
    assert_int_equal(report_model_load(db, 0, &loaded), 0);
    assert_true(json_equal(loaded, doc));
    assert_int_equal(rm_int(loaded, "head"), (long long)y.log.n);
    json_decref(loaded);
    unsigned char *pdf;
    size_t len;
    assert_int_equal(report_pdf_from_db(db, 1, &pdf, &len), 0);
    assert_true(len > 2000);
    assert_memory_equal(pdf, "%PDF", 4);
    free(pdf);
    day_rm_db(dir, db);
    json_decref(doc);
    day_free(&y);
}

static void test_load_missing_database(void **state)
{
    (void)state;
    json_t *doc = (json_t *)1;
    assert_int_equal(report_model_load("/nonexistent-dir/none.db", 0, &doc), -1);
    assert_null(doc);
    unsigned char *pdf = (unsigned char *)1;
    size_t len = 1;
    assert_int_equal(report_pdf_from_db("/nonexistent-dir/none.db", 0, &pdf, &len), -1);
    assert_null(pdf);
    assert_int_equal(len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_notes_and_hidden_dots_stay_out),
        cmocka_unit_test(test_race_votes_and_crystal_ball),
        cmocka_unit_test(test_deleted_member_and_updates),
        cmocka_unit_test(test_frame_codec),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_load_from_database),
        cmocka_unit_test(test_load_missing_database),
    };
    int rc = cmocka_run_group_tests_name("report", tests, NULL, NULL);
    sheets_cleanup();   /* font caches of the PDF renderer, for the leak checker */
    return rc;
}
