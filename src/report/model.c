/* model.c – folds a sprint's event log into the results document (see model.h).
 *
 * What passes is the core's projection (model.h); the fold only arranges it: notes,
 * clusters, items, canvases, milestones, votes and race rounds keyed by id, in jansson
 * objects, because the report needs texts and counts in the order they were made, not
 * the core's indices.
 */
#include "report/model.h"
#include "log/event.h"
#include "store/store.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct report_fold {
    const core_t *core;
    json_t *sprint, *programme, *playbook, *challenges, *rooms, *teams, *jury_criteria;
    json_t *members, *member_order, *roles;
    json_t *notes, *note_order, *clusters, *cluster_order, *items, *item_order;
    json_t *milestones, *ms_order, *canvases, *votes, *race, *jury;
    json_t *archive;   /* {bank, orgs, public, at} once archived (several sprints), else NULL */
    int64_t head, first_ts, last_ts;
};

const char *rm_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

const char *rm_nl(const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    const char *s = json_string_value(json_object_get(v, "nl"));
    return s ? s : "";
}

long long rm_int(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

const json_t *rm_team(const json_t *doc, const char *id)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, "teams"), i, t)
        if (strcmp(rm_str(t, "id"), id) == 0)
            return t;
    return NULL;
}

report_fold_t *report_fold_new(const core_t *core)
{
    report_fold_t *f = xcalloc(1, sizeof *f);
    f->core = core;
    f->sprint = json_object();
    f->programme = json_array();
    f->playbook = json_null();
    f->challenges = json_array();
    f->rooms = json_array();
    f->teams = json_array();
    f->jury_criteria = json_null();
    f->members = json_object();
    f->member_order = json_array();
    f->roles = json_object();
    f->notes = json_object();
    f->note_order = json_array();
    f->clusters = json_object();
    f->cluster_order = json_array();
    f->items = json_object();
    f->item_order = json_array();
    f->milestones = json_object();
    f->ms_order = json_array();
    f->canvases = json_object();
    f->votes = json_object();
    f->race = json_object();
    f->jury = json_object();
    return f;
}

void report_fold_free(report_fold_t *f)
{
    if (f == NULL)
        return;
    json_t *all[] = {f->sprint, f->programme, f->playbook, f->challenges, f->rooms, f->teams,
                     f->jury_criteria, f->members, f->member_order, f->roles, f->notes,
                     f->note_order, f->clusters, f->cluster_order, f->items, f->item_order,
                     f->milestones, f->ms_order, f->canvases, f->votes, f->race, f->jury,
                     f->archive};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        json_decref(all[i]);
    free(f);
}

/* Adds obj under its id to map and the id to order (a second add replaces). */
static void keep(json_t *map, json_t *order, json_t *obj)
{
    const char *id = rm_str(obj, "id");
    if (json_object_get(map, id) == NULL)
        json_array_append_new(order, json_string(id));
    json_object_set_new(map, id, obj);
}

static void set_copy(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v != NULL)
        json_object_set(dst, key, v);
}

static json_t *vote_of(report_fold_t *f, const char *team, const char *step)
{
    char key[80];
    snprintf(key, sizeof key, "%s|%s", team, step);
    json_t *v = json_object_get(f->votes, key);
    if (v == NULL) {
        v = json_object();
        json_object_set_new(f->votes, key, v);
    }
    return v;
}

static json_t *race_of(report_fold_t *f, const char *room)
{
    json_t *r = json_object_get(f->race, room);
    if (r == NULL) {
        r = json_pack("{s[] s[] si sn}", "rounds", "winners", "count", 0, "prize");
        json_object_set_new(f->race, room, r);
    }
    return r;
}

static void on_race_round(report_fold_t *f, const ev_t *ev)
{
    json_t *r = race_of(f, rm_str(ev->data, "room"));
    json_t *rounds = json_object_get(r, "rounds");
    long long n = rm_int(ev->data, "round");
    if (n < 1 || n > 100)
        return;
    while ((long long)json_array_size(rounds) < n)
        json_array_append_new(rounds, json_pack("{sI sn sn}", "round",
                                                (json_int_t)json_array_size(rounds) + 1,
                                                "started", "ended"));
    json_t *round = json_array_get(rounds, (size_t)n - 1);
    if (strcmp(rm_str(ev->data, "state"), "running") == 0) {
        json_object_set_new(round, "started", json_integer(ev->ts));
        json_object_set_new(round, "ended", json_null());
    } else {
        json_object_set_new(round, "ended", json_integer(ev->ts));
    }
}

static void fold_setup(report_fold_t *f, const ev_t *ev, const char *t)
{
    const json_t *d = ev->data;
    if (strcmp(t, "sprint.created") == 0) {
        json_decref(f->sprint);
        f->sprint = json_deep_copy(d);
    } else if (strcmp(t, "programme.set") == 0) {
        json_decref(f->programme);
        f->programme = json_deep_copy(json_object_get(d, "items"));
    } else if (strcmp(t, "playbook.set") == 0) {
        json_decref(f->playbook);
        f->playbook = json_deep_copy(d);
    } else if (strcmp(t, "sprint.updated") == 0) {
        json_object_update(f->sprint, (json_t *)d);
    } else if (strcmp(t, "sprint.archived") == 0 || strcmp(t, "sprint.published") == 0) {
        /* What the organiser chose to publish of the archive (the idea bank reads it). */
        json_int_t at = f->archive ? json_integer_value(json_object_get(f->archive, "at")) : rm_int(d, "at");
        json_decref(f->archive);
        f->archive = json_pack("{sb sb sb sI}", "bank", json_is_true(json_object_get(d, "bank")), "orgs",
                               json_is_true(json_object_get(d, "orgs")), "public",
                               json_is_true(json_object_get(d, "public")), "at", at);
    } else if (strcmp(t, "challenge.set") == 0) {
        size_t i;
        json_t *ch;
        int found = 0;
        json_array_foreach(f->challenges, i, ch)
            if (!found && strcmp(rm_str(ch, "id"), rm_str(d, "id")) == 0) {
                json_array_set_new(f->challenges, i, json_deep_copy(d));
                found = 1;
            }
        if (!found)
            json_array_append_new(f->challenges, json_deep_copy(d));
    } else if (strcmp(t, "room.created") == 0) {
        json_array_append_new(f->rooms, json_deep_copy(d));
    } else if (strcmp(t, "room.updated") == 0) {
        size_t i;
        json_t *r;
        json_array_foreach(f->rooms, i, r)
            if (strcmp(rm_str(r, "id"), rm_str(d, "id")) == 0) {
                set_copy(r, d, "name");
                set_copy(r, d, "challenge");
            }
    } else if (strcmp(t, "team.created") == 0) {
        json_array_append_new(f->teams, json_deep_copy(d));
    } else if (strcmp(t, "jury.criteria") == 0) {
        json_decref(f->jury_criteria);
        f->jury_criteria = json_deep_copy(json_object_get(d, "criteria"));
    } else if (strcmp(t, "member.joined") == 0) {
        json_t *m = json_pack("{ss ss ss ss ss ss}", "id", rm_str(d, "id"), "team", rm_str(d, "team"),
                              "name", rm_str(d, "name"), "organisation", "", "role", "",
                              "motivation", "");
        keep(f->members, f->member_order, m);
    } else if (strcmp(t, "member.profile") == 0) {
        json_t *m = json_object_get(f->members, rm_str(d, "member"));
        if (m) {
            set_copy(m, d, "organisation");
            set_copy(m, d, "role");
            set_copy(m, d, "motivation");
        }
    } else if (strcmp(t, "member.forgotten") == 0) {
        /* AVG: the name, organisation, role and motivation are gone; the work stays. */
        json_t *m = json_object_get(f->members, rm_str(d, "id"));
        static const char *const personal[] = {"name", "organisation", "role", "motivation"};
        for (size_t k = 0; m && k < 4; k++)
            json_object_set_new(m, personal[k], json_string(""));
    } else if (strcmp(t, "team.roles") == 0) {
        json_object_set(f->roles, rm_str(d, "team"), (json_t *)d);
    }
}

static void fold_work(report_fold_t *f, const ev_t *ev, const char *t)
{
    const json_t *d = ev->data;
    json_t *o;
    if (strcmp(t, "note.added") == 0) {
        o = json_pack("{ss ss ss ss sb sn sI sI ss sb}", "id", rm_str(d, "id"), "team",
                      rm_str(d, "team"), "board", rm_str(d, "board")[0] ? rm_str(d, "board") : "wall",
                      "text", rm_str(d, "text"), "private", json_is_true(json_object_get(d, "private")),
                      "cluster", "round", (json_int_t)rm_int(d, "round"), "ts", (json_int_t)ev->ts,
                      "author", ev->actor, "deleted", 0);
        keep(f->notes, f->note_order, o);
    } else if (strcmp(t, "note.shared") == 0 && json_object_get(f->notes, rm_str(d, "id")) == NULL) {
        /* A private note becomes public only now: the projection never showed it. */
        o = json_pack("{ss ss ss ss sb sn sI sI ss sb}", "id", rm_str(d, "id"), "team",
                      rm_str(d, "team"), "board", rm_str(d, "board")[0] ? rm_str(d, "board") : "wall",
                      "text", rm_str(d, "text"), "private", 0, "cluster", "round",
                      (json_int_t)rm_int(d, "round"), "ts",
                      (json_int_t)(rm_int(d, "created") ? rm_int(d, "created") : ev->ts), "author",
                      rm_str(d, "author"), "deleted", 0);
        keep(f->notes, f->note_order, o);
    } else if ((o = json_object_get(f->notes, rm_str(d, "id"))) != NULL &&
               strncmp(t, "note.", 5) == 0) {
        if (strcmp(t, "note.edited") == 0)
            set_copy(o, d, "text");
        else if (strcmp(t, "note.deleted") == 0)
            json_object_set_new(o, "deleted", json_true());
        else if (strcmp(t, "note.shared") == 0)
            json_object_set_new(o, "private", json_false());
        else if (strcmp(t, "note.moved") == 0)
            set_copy(o, d, "cluster");
    } else if (strcmp(t, "cluster.added") == 0) {
        keep(f->clusters, f->cluster_order,
             json_pack("{ss ss ss ss sb}", "id", rm_str(d, "id"), "team", rm_str(d, "team"), "board",
                       rm_str(d, "board"), "name", rm_str(d, "name"), "deleted", 0));
    } else if ((o = json_object_get(f->clusters, rm_str(d, "id"))) != NULL &&
               strncmp(t, "cluster.", 8) == 0) {
        if (strcmp(t, "cluster.renamed") == 0)
            set_copy(o, d, "name");
        else if (strcmp(t, "cluster.deleted") == 0)
            json_object_set_new(o, "deleted", json_true());
    } else if (strcmp(t, "item.added") == 0) {
        keep(f->items, f->item_order,
             json_pack("{ss ss ss ss ss sb}", "id", rm_str(d, "id"), "team", rm_str(d, "team"), "list",
                       rm_str(d, "list"), "text", rm_str(d, "text"), "cluster", rm_str(d, "cluster"),
                       "deleted", 0));
    } else if ((o = json_object_get(f->items, rm_str(d, "id"))) != NULL &&
               strncmp(t, "item.", 5) == 0) {
        if (strcmp(t, "item.edited") == 0)
            set_copy(o, d, "text");
        else if (strcmp(t, "item.deleted") == 0)
            json_object_set_new(o, "deleted", json_true());
    } else if (strcmp(t, "canvas.updated") == 0) {
        json_t *team = json_object_get(f->canvases, rm_str(d, "team"));
        if (team == NULL)
            json_object_set_new(f->canvases, rm_str(d, "team"), team = json_object());
        json_t *cv = json_object_get(team, rm_str(d, "canvas"));
        if (cv == NULL)
            json_object_set_new(team, rm_str(d, "canvas"), cv = json_object());
        json_t *text = json_object_get(d, "text");
        json_object_set_new(cv, rm_str(d, "field"), json_is_string(text) ? json_incref(text) : json_string(""));
    } else if (strcmp(t, "milestone.added") == 0) {
        keep(f->milestones, f->ms_order,
             json_pack("{ss ss ss sI ss ss sb}", "id", rm_str(d, "id"), "team", rm_str(d, "team"),
                       "idea", rm_str(d, "idea"), "at", (json_int_t)rm_int(d, "at"), "kind",
                       rm_str(d, "kind"), "text", rm_str(d, "text"), "deleted", 0));
    } else if ((o = json_object_get(f->milestones, rm_str(d, "id"))) != NULL &&
               strncmp(t, "milestone.", 10) == 0) {
        if (strcmp(t, "milestone.edited") == 0) {
            set_copy(o, d, "at");
            set_copy(o, d, "kind");
            set_copy(o, d, "text");
        } else if (strcmp(t, "milestone.deleted") == 0) {
            json_object_set_new(o, "deleted", json_true());
        }
    }
}

static void fold_public(report_fold_t *f, const ev_t *ev);

void report_fold_event(report_fold_t *f, const ev_t *logged)
{
    f->head = logged->seq;
    if (f->first_ts == 0)
        f->first_ts = logged->ts;
    f->last_ts = logged->ts;
    /* The core's projection: a public audience, as the data reads after deletions. */
    if (!core_in_record(logged))
        return;
    ev_t ev = *logged;
    json_t *red = core_redact(f->core, logged);
    if (red != NULL)
        ev.data = red;
    fold_public(f, &ev);
    json_decref(red);
}

static void fold_public(report_fold_t *f, const ev_t *ev)
{
    const char *t = ev->type;
    fold_setup(f, ev, t);
    fold_work(f, ev, t);
    if (strcmp(t, "vote.revealed") == 0 && ev->aud_kind == AUD_TEAM) {
        json_t *v = vote_of(f, ev->aud_id, rm_str(ev->data, "step"));
        json_object_set_new(v, "revealed", json_true());
        set_copy(v, ev->data, "tally");
        set_copy(v, ev->data, "selected");
        set_copy(v, ev->data, "tie");
    } else if (strcmp(t, "vote.decided") == 0 && ev->aud_kind == AUD_TEAM) {
        json_t *v = vote_of(f, ev->aud_id, rm_str(ev->data, "step"));
        set_copy(v, ev->data, "selected");
        json_object_set_new(v, "decided_by_captain", json_true());
    } else if (strcmp(t, "race.round") == 0) {
        on_race_round(f, ev);
    } else if (strcmp(t, "race.won") == 0) {
        json_t *r = race_of(f, rm_str(ev->data, "room"));
        set_copy(r, ev->data, "count");
        set_copy(r, ev->data, "prize");
        json_object_set(r, "winners", json_object_get(ev->data, "teams"));
    } else if (strncmp(t, "jury.", 5) == 0 && strcmp(t, "jury.criteria") != 0) {
        /* What the jury made public (phases, the announcement): a juror's scores are
         * in a juror's audience, which the projection never passes. */
        json_object_set(f->jury, t, ev->data);
    }
}

/* ---- the document ---------------------------------------------------------------------- */

/* What the playbook calls its boards, lists and votes: the report follows the method as
 * data instead of hard-coding step ids. */
typedef struct {
    const char *problem_board, *theme_board, *idea_board, *list;
    const char *list_vote, *theme_vote, *idea_vote;
    json_t *canvases;   /* [{id, name, fields:[{id,name}]}] */
} pbinfo_t;

static void pb_info(const json_t *pb, pbinfo_t *p)
{
    memset(p, 0, sizeof *p);
    p->canvases = json_array();
    size_t i, j;
    json_t *ph, *st;
    json_array_foreach(json_object_get(pb, "phases"), i, ph) {
        json_array_foreach(json_object_get(ph, "steps"), j, st) {
            const char *act = rm_str(st, "activity"), *id = rm_str(st, "id");
            json_t *params = json_object_get(st, "params");
            const char *board = rm_str(params, "board"), *target = rm_str(params, "target");
            if (strcmp(act, "cluster") == 0 && p->problem_board == NULL)
                p->problem_board = board;
            else if (strcmp(act, "items") == 0 && p->list == NULL)
                p->list = rm_str(params, "list");
            else if (strcmp(act, "race") == 0)
                p->idea_board = board;
            else if (strcmp(act, "canvas") == 0) {
                json_t *fields = json_array(), *fd;
                size_t k;
                json_array_foreach(json_object_get(params, "fields"), k, fd)
                    json_array_append_new(fields, json_pack("{ss ss}", "id", rm_str(fd, "id"), "name",
                                                            rm_nl(json_object_get(fd, "name"))));
                json_array_append_new(p->canvases,
                                      json_pack("{ss ss ss so}", "id", rm_str(params, "canvas"), "step", id,
                                                "name", rm_nl(json_object_get(st, "name")), "fields", fields));
            } else if (strcmp(act, "vote") == 0) {
                if (strncmp(target, "list:", 5) == 0)
                    p->list_vote = id;
                else if (strncmp(target, "clusters:", 9) == 0) {
                    p->theme_vote = id;
                    p->theme_board = target + 9;
                } else if (strncmp(target, "board:", 6) == 0)
                    p->idea_vote = id;
            }
        }
    }
    if (p->theme_board && p->problem_board && strcmp(p->theme_board, p->problem_board) == 0)
        p->problem_board = NULL;
}

/* The revealed dots of target in vote v, or -1 when the vote was not revealed. */
static int dots(const json_t *v, const char *target)
{
    if (!json_is_true(json_object_get(v, "revealed")))
        return -1;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v, "tally"), i, e)
        if (strcmp(rm_str(e, "target"), target) == 0)
            return (int)rm_int(e, "count");
    return 0;
}

static json_t *dots_json(int n) { return n < 0 ? json_null() : json_integer(n); }

static int selected(const json_t *v, const char *target)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v, "selected"), i, e)
        if (strcmp(json_string_value(e), target) == 0)
            return 1;
    return 0;
}

static const json_t *vote_get(const report_fold_t *f, const char *team, const char *step)
{
    char key[80];
    snprintf(key, sizeof key, "%s|%s", team, step ? step : "");
    return json_object_get(f->votes, key);
}

static int visible_note(const json_t *n, const char *team, const char *board)
{
    return strcmp(rm_str(n, "team"), team) == 0 && strcmp(rm_str(n, "board"), board ? board : "") == 0 &&
           !json_is_true(json_object_get(n, "deleted")) && !json_is_true(json_object_get(n, "private"));
}

/* The clusters of a board with their notes, and the notes in no cluster. */
static json_t *board_json(const report_fold_t *f, const char *team, const char *board,
                          const json_t *vote)
{
    json_t *clusters = json_array(), *loose = json_array(), *id;
    size_t i, j;
    json_array_foreach(f->cluster_order, i, id) {
        json_t *k = json_object_get(f->clusters, json_string_value(id));
        if (strcmp(rm_str(k, "team"), team) != 0 || strcmp(rm_str(k, "board"), board ? board : "") != 0 ||
            json_is_true(json_object_get(k, "deleted")))
            continue;
        json_t *notes = json_array(), *nid;
        json_array_foreach(f->note_order, j, nid) {
            json_t *n = json_object_get(f->notes, json_string_value(nid));
            if (visible_note(n, team, board) && strcmp(rm_str(n, "cluster"), rm_str(k, "id")) == 0)
                json_array_append_new(notes, json_string(rm_str(n, "text")));
        }
        json_t *c = json_pack("{ss ss so}", "id", rm_str(k, "id"), "name", rm_str(k, "name"), "notes", notes);
        if (vote) {
            json_object_set_new(c, "dots", dots_json(dots(vote, rm_str(k, "id"))));
            json_object_set_new(c, "chosen", json_boolean(selected(vote, rm_str(k, "id"))));
        }
        json_array_append_new(clusters, c);
    }
    json_array_foreach(f->note_order, i, id) {
        json_t *n = json_object_get(f->notes, json_string_value(id));
        const char *cl = rm_str(n, "cluster");
        json_t *k = cl[0] ? json_object_get(f->clusters, cl) : NULL;
        if (visible_note(n, team, board) && (k == NULL || json_is_true(json_object_get(k, "deleted"))))
            json_array_append_new(loose, json_string(rm_str(n, "text")));
    }
    return json_pack("{so so}", "clusters", clusters, "unclustered", loose);
}

static json_t *members_json(const report_fold_t *f, const char *team, int names)
{
    json_t *out = json_array(), *id;
    const json_t *roles = json_object_get(f->roles, team);
    size_t i;
    json_array_foreach(f->member_order, i, id) {
        json_t *m = json_object_get(f->members, json_string_value(id));
        if (strcmp(rm_str(m, "team"), team) != 0)
            continue;
        json_t *r = json_array();
        static const char *const kinds[] = {"captain", "timekeeper", "presenter"};
        for (int k = 0; k < 3; k++)
            if (strcmp(rm_str(roles, kinds[k]), rm_str(m, "id")) == 0)
                json_array_append_new(r, json_string(kinds[k]));
        json_t *o = json_pack("{ss ss ss so}", "id", rm_str(m, "id"), "organisation", rm_str(m, "organisation"),
                              "role", rm_str(m, "role"), "team_roles", r);
        if (names) {
            json_object_set_new(o, "name", json_string(rm_str(m, "name")));
            json_object_set_new(o, "motivation", json_string(rm_str(m, "motivation")));
        }
        json_array_append_new(out, o);
    }
    return out;
}

/* Ideas with the time since the race began (rounds laid end to end), round counts. */
static void race_json(const report_fold_t *f, const json_t *team, const pbinfo_t *p, json_t *out)
{
    const char *tid = rm_str(team, "id");
    json_t *race = json_object_get(f->race, rm_str(team, "room"));
    json_t *rounds = json_object_get(race, "rounds");
    const json_t *vote = vote_get(f, tid, p->idea_vote);
    size_t nr = json_array_size(rounds);
    json_t *counts = json_array(), *ideas = json_array(), *id;
    size_t i;
    long long offset = 0;
    for (size_t r = 0; r < (nr ? nr : 1); r++) {
        json_t *rd = json_array_get(rounds, r);
        long long started = rm_int(rd, "started"), ended = rm_int(rd, "ended");
        int n = 0;
        json_array_foreach(f->note_order, i, id) {
            json_t *nt = json_object_get(f->notes, json_string_value(id));
            if (!visible_note(nt, tid, p->idea_board) || rm_int(nt, "round") != (long long)r + 1)
                continue;
            n++;
            long long ts = rm_int(nt, "ts");
            json_t *o = json_pack("{ss ss sI sI sI}", "id", rm_str(nt, "id"), "text", rm_str(nt, "text"),
                                  "round", (json_int_t)r + 1, "ts", (json_int_t)ts, "elapsed_ms",
                                  (json_int_t)(offset + (started && ts >= started ? ts - started : 0)));
            json_object_set_new(o, "votes", dots_json(vote ? dots(vote, rm_str(nt, "id")) : -1));
            json_object_set_new(o, "chosen", json_boolean(vote && selected(vote, rm_str(nt, "id"))));
            json_array_append_new(ideas, o);
        }
        json_t *c = json_pack("{sI si}", "round", (json_int_t)r + 1, "count", n);
        json_object_set_new(c, "duration_ms", started && ended > started ? json_integer(ended - started) : json_null());
        json_array_append_new(counts, c);
        if (started && ended > started)
            offset += ended - started;
    }
    /* Ideas written outside a round (another playbook, or round 0) still count. */
    json_array_foreach(f->note_order, i, id) {
        json_t *nt = json_object_get(f->notes, json_string_value(id));
        if (visible_note(nt, tid, p->idea_board) && (rm_int(nt, "round") < 1 || rm_int(nt, "round") > (long long)(nr ? nr : 1))) {
            json_t *o = json_pack("{ss ss sI sI sI}", "id", rm_str(nt, "id"), "text", rm_str(nt, "text"), "round",
                                  (json_int_t)rm_int(nt, "round"), "ts", (json_int_t)rm_int(nt, "ts"), "elapsed_ms", (json_int_t)0);
            json_object_set_new(o, "votes", dots_json(vote ? dots(vote, rm_str(nt, "id")) : -1));
            json_object_set_new(o, "chosen", json_boolean(vote && selected(vote, rm_str(nt, "id"))));
            json_array_append_new(ideas, o);
        }
    }
    int won = 0;
    json_t *w;
    json_array_foreach(json_object_get(race, "winners"), i, w)
        if (strcmp(json_string_value(w), tid) == 0)
            won = 1;
    json_object_set_new(out, "race", json_pack("{so sI sb}", "rounds", counts, "total",
                                               (json_int_t)json_array_size(ideas), "won", won));
    /* The chosen ideas in the order the vote put them, each with its Crystal Ball. */
    json_t *chosen = json_array(), *sel;
    json_array_foreach(json_object_get(vote, "selected"), i, sel) {
        const json_t *nt = json_object_get(f->notes, json_string_value(sel));
        if (nt == NULL)
            continue;
        json_t *ms = json_array(), *mid;
        size_t j;
        for (int at = 0; at <= 100; at++)
            json_array_foreach(f->ms_order, j, mid) {
                json_t *m = json_object_get(f->milestones, json_string_value(mid));
                if (strcmp(rm_str(m, "idea"), json_string_value(sel)) == 0 && rm_int(m, "at") == at &&
                    strcmp(rm_str(m, "team"), tid) == 0 && !json_is_true(json_object_get(m, "deleted")))
                    json_array_append_new(ms, json_pack("{sI ss ss}", "at", (json_int_t)at, "kind",
                                                        rm_str(m, "kind"), "text", rm_str(m, "text")));
            }
        json_t *o = json_pack("{ss ss so}", "id", json_string_value(sel), "text", rm_str(nt, "text"),
                              "milestones", ms);
        json_object_set_new(o, "votes", dots_json(dots(vote, json_string_value(sel))));
        json_array_append_new(chosen, o);
    }
    json_object_set_new(out, "ideas", ideas);
    json_object_set_new(out, "chosen", chosen);
}

static json_t *team_json(const report_fold_t *f, const json_t *team, const pbinfo_t *p, int names)
{
    const char *tid = rm_str(team, "id"), *room = rm_str(team, "room"), *challenge = "";
    size_t i;
    json_t *r, *id;
    json_array_foreach(f->rooms, i, r)
        if (strcmp(rm_str(r, "id"), room) == 0)
            challenge = rm_str(r, "challenge");
    json_t *o = json_pack("{ss ss ss ss}", "id", tid, "name", rm_str(team, "name"), "room", room,
                          "challenge", challenge);
    json_object_set_new(o, "members", members_json(f, tid, names));
    json_object_set_new(o, "problems", board_json(f, tid, p->problem_board, NULL));
    /* Knelpunten, most dots first once the vote was revealed. */
    const json_t *lv = vote_get(f, tid, p->list_vote);
    json_t *items = json_array();
    int revealed = lv && json_is_true(json_object_get(lv, "revealed"));
    json_array_foreach(f->item_order, i, id) {
        json_t *it = json_object_get(f->items, json_string_value(id));
        if (strcmp(rm_str(it, "team"), tid) != 0 || strcmp(rm_str(it, "list"), p->list ? p->list : "") != 0 ||
            json_is_true(json_object_get(it, "deleted")))
            continue;
        const json_t *k = json_object_get(f->clusters, rm_str(it, "cluster"));
        json_t *e = json_pack("{ss ss ss}", "id", rm_str(it, "id"), "text", rm_str(it, "text"), "cluster",
                              rm_str(k, "name"));
        json_object_set_new(e, "dots", dots_json(lv ? dots(lv, rm_str(it, "id")) : -1));
        json_array_append_new(items, e);
    }
    if (revealed) {
        /* A stable insertion sort by dots: ties keep the order they were written in. */
        size_t n = json_array_size(items);
        for (size_t a = 1; a < n; a++)
            for (size_t b = a; b > 0 && rm_int(json_array_get(items, b), "dots") >
                                           rm_int(json_array_get(items, b - 1), "dots"); b--) {
                json_t *x = json_incref(json_array_get(items, b));
                json_array_set(items, b, json_array_get(items, b - 1));
                json_array_set_new(items, b - 1, x);
            }
    }
    json_object_set_new(o, "knelpunten", json_pack("{sb so}", "revealed", revealed, "items", items));
    const json_t *tv = vote_get(f, tid, p->theme_vote);
    json_t *none = json_object();
    json_t *themes = board_json(f, tid, p->theme_board, tv ? tv : none);
    json_decref(none);
    json_object_set_new(themes, "revealed", json_boolean(tv && json_is_true(json_object_get(tv, "revealed"))));
    json_object_set_new(themes, "decided_by_captain",
                        json_boolean(tv && json_is_true(json_object_get(tv, "decided_by_captain"))));
    json_object_set_new(o, "themes", themes);
    json_t *cv = json_object_get(f->canvases, tid), *canv = json_object(), *c;
    json_array_foreach(p->canvases, i, c) {
        json_t *fields = json_object(), *fd;
        size_t k;
        json_array_foreach(json_object_get(c, "fields"), k, fd)
            json_object_set_new(fields, rm_str(fd, "id"),
                                json_string(rm_str(json_object_get(cv, rm_str(c, "id")), rm_str(fd, "id"))));
        json_object_set_new(canv, rm_str(c, "id"), fields);
    }
    json_object_set_new(o, "canvases", canv);
    race_json(f, team, p, o);
    const json_t *iv = vote_get(f, tid, p->idea_vote);
    json_object_set_new(o, "ideas_decided_by_captain",
                        json_boolean(iv && json_is_true(json_object_get(iv, "decided_by_captain"))));
    return o;
}

json_t *report_fold_doc(const report_fold_t *f, int names)
{
    pbinfo_t p;
    pb_info(f->playbook, &p);
    json_t *doc = json_pack("{ss si sb sI}", "$schema", REPORT_SCHEMA_ID, "version", 1, "names", names,
                            "head", (json_int_t)f->head);
    json_t *sp = json_pack("{ss ss ss ss ss}", "id", rm_str(f->sprint, "id"), "title",
                           rm_nl(json_object_get(f->sprint, "title")), "date", rm_str(f->sprint, "date"),
                           "venue", rm_str(f->sprint, "venue"), "organiser", rm_str(f->sprint, "organiser"));
    json_object_set_new(sp, "title_en", json_string(rm_str(json_object_get(f->sprint, "title"), "en")));
    json_object_set_new(doc, "sprint", sp);
    json_object_set_new(doc, "archive", f->archive ? json_deep_copy(f->archive) : json_null());
    json_t *prog = json_array(), *e;
    size_t i;
    json_array_foreach(f->programme, i, e)
        json_array_append_new(prog, json_pack("{ss ss ss ss}", "time", rm_str(e, "time"), "end", rm_str(e, "end"),
                                              "title", rm_nl(json_object_get(e, "title")), "kind", rm_str(e, "kind")));
    json_object_set_new(doc, "programme", prog);
    json_t *chs = json_array();
    json_array_foreach(f->challenges, i, e) {
        json_t *c = json_pack("{ss ss ss ss}", "id", rm_str(e, "id"), "title", rm_nl(json_object_get(e, "title")),
                              "question", rm_nl(json_object_get(e, "question")), "problem",
                              rm_nl(json_object_get(e, "problem")));
        json_array_append_new(chs, c);
    }
    json_object_set_new(doc, "challenges", chs);
    json_t *rooms = json_array();
    json_array_foreach(f->rooms, i, e) {
        json_t *race = json_object_get(f->race, rm_str(e, "id"));
        json_t *r = json_pack("{ss ss ss}", "id", rm_str(e, "id"), "name", rm_nl(json_object_get(e, "name")),
                              "challenge", rm_str(e, "challenge"));
        json_object_set_new(r, "race_winners", race ? json_deep_copy(json_object_get(race, "winners")) : json_array());
        json_object_set_new(r, "race_prize", json_string(rm_nl(json_object_get(race, "prize"))));
        json_array_append_new(rooms, r);
    }
    json_object_set_new(doc, "rooms", rooms);
    json_object_set_new(doc, "canvases", json_incref(p.canvases));
    json_t *teams = json_array();
    json_array_foreach(f->teams, i, e)
        json_array_append_new(teams, team_json(f, e, &p, names));
    json_object_set_new(doc, "teams", teams);
    json_t *crit = json_array();
    json_array_foreach(f->jury_criteria, i, e)
        json_array_append_new(crit, json_pack("{ss ss sf}", "id", rm_str(e, "id"), "name",
                                              rm_nl(json_object_get(e, "name")), "weight",
                                              json_number_value(json_object_get(e, "weight"))));
    const char *phase = rm_str(json_object_get(f->jury, "jury.phase"), "state");
    json_t *results = json_object_get(f->jury, "jury.results");
    json_t *jury = json_pack("{so ss so}", "criteria", crit, "phase", phase[0] ? phase : "setup", "results",
                             results ? json_deep_copy(results) : json_null());
    json_object_set_new(doc, "jury", jury);
    json_decref(p.canvases);
    return doc;
}

/* ---- from a database ---------------------------------------------------------------------- */

static int fold_cb(void *ud, const ev_t *ev)
{
    report_fold_event(ud, ev);
    return 0;
}

static int apply_cb(void *ud, const ev_t *ev)
{
    return core_apply(ud, ev) != 0;
}

int report_model_load(const char *db, int names, json_t **out)
{
    return report_model_load_log(db, NULL, names, out);
}

int report_model_load_log(const char *db, const char *which, int names, json_t **out)
{
    *out = NULL;
    /* stat, never fopen/fclose: closing a descriptor of the file drops the POSIX locks
     * SQLite holds on it in this process (a server's own connections read reports too). */
    struct stat sb;
    if (strncmp(db, "postgres", 8) != 0 && stat(db, &sb) != 0) {
        fprintf(stderr, "staatsprint: de database %s bestaat niet (the database does not exist)\n", db);
        return -1;
    }
    store_t *s = NULL;
    char err[256] = "", log[64] = "";
    if (store_open(db, &s, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: kan de database %s niet openen (cannot open the database): %s\n", db, err);
        return -1;
    }
    if (which != NULL) {
        int64_t head = 0;
        if (strlen(which) < sizeof log && store_head(s, which, &head) == 0 && head > 0)
            snprintf(log, sizeof log, "%s", which);
    } else {
        log_live(s, log, sizeof log);
    }
    if (log[0] == '\0') {
        fprintf(stderr, "staatsprint: de database %s bevat %s niet (the database does not hold that sprint)\n",
                db, which ? which : "een dag");
        store_close(s);
        return -1;
    }
    /* Twice through the log: into the core (its final state knows every deletion),
     * then through its projection into the document. */
    core_t *core = core_new();
    report_fold_t *f = report_fold_new(core);
    int rc = log_read(s, log, 0, apply_cb, core, NULL);
    if (rc == 0)
        rc = log_read(s, log, 0, fold_cb, f, NULL);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "staatsprint: kan de database niet lezen (cannot read the database): %s\n",
                rc == STORE_ESTOP || rc == LOG_EBAD ? "damaged event" : store_strerror(rc));
        report_fold_free(f);
        core_free(core);
        return -1;
    }
    *out = report_fold_doc(f, names);
    report_fold_free(f);
    core_free(core);
    return 0;
}
