/* work.c – what a team builds: clusters, knelpunten, canvases and Crystal Ball milestones.
 *
 * Each kind of work is accepted only at its step (wrong_step otherwise): clusters of
 * a board during that board's cluster step, items of a list during its items step, a
 * canvas during its canvas step, milestones during the timeline step and only for
 * ideas the vote selected. A team that goes back to a step can amend its work.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CP LIMIT_CLUSTER_NAME
#define ITEM_MAX LIMIT_ITEM
#define FIELD_MAX LIMIT_CANVAS_FIELD
#define MILESTONE_MAX LIMIT_MILESTONE
/* The wall is a surface of WALL_W x WALL_H units, the same on every screen (each client
 * scales it to fit); a position is the top-left corner of a note or a group's area. */
#define WALL_W LIMIT_WALL_W
#define WALL_H LIMIT_WALL_H
#define GROUP_NOTES_MAX LIMIT_GROUP_NOTES

/* The team's current step if it has activity act, else NULL. */
static const pb_step_t *at_step(cmdctx_t *x, activity_t act)
{
    const pb_step_t *s = team_step(x->core, x->who->team);
    return (s && s->act == act) ? s : NULL;
}

/* The index of the live object of team t whose id is args[key], in an array of
 * structs that each have `int team` and `int deleted`; a negative error when there
 * is none (another team's object is reported as missing). */
static int own_lookup(const strmap_t *map, const json_t *args, const char *key, const void *arr,
                      size_t size, size_t team_off, size_t del_off, int t)
{
    const char *id = json_string_value(json_object_get(args, key));
    if (id == NULL)
        return SP_E_BAD_MESSAGE;
    int64_t i = map_index(map, id);
    if (i < 0)
        return SP_E_NOT_FOUND;
    const char *e = (const char *)arr + (size_t)i * size;
    int team, deleted;
    memcpy(&team, e + team_off, sizeof team);
    memcpy(&deleted, e + del_off, sizeof deleted);
    return (team != t || deleted) ? SP_E_NOT_FOUND : (int)i;
}

#define OWN(c, map, arr, type, key, args, t)                                              \
    own_lookup(&(c)->map, args, key, (c)->arr, sizeof(type), offsetof(type, team),        \
               offsetof(type, deleted), t)

/* ---- clusters ------------------------------------------------------------------------- */

/* Reads the wall position args x and y when present (both or neither): 1 when read, 0
 * when absent, or SP_E_BAD_MESSAGE (not integers, or only one) / SP_E_BAD_POSITION (off
 * the wall). */
static int arg_position(const json_t *args, int *x, int *y)
{
    const json_t *jx = json_object_get(args, "x"), *jy = json_object_get(args, "y");
    if (!jx && !jy)
        return 0;
    if (!json_is_integer(jx) || !json_is_integer(jy))
        return SP_E_BAD_MESSAGE;
    json_int_t vx = json_integer_value(jx), vy = json_integer_value(jy);
    if (vx < 0 || vy < 0 || vx > WALL_W || vy > WALL_H)
        return SP_E_BAD_POSITION;
    *x = (int)vx;
    *y = (int)vy;
    return 1;
}

/* The index of note args[key] if the member's team may move it in step s: its own
 * team's, shared, on the step's board. */
static int movable_note(cmdctx_t *x, const pb_step_t *s, const json_t *args, const char *key)
{
    core_t *c = x->core;
    int n = OWN(c, note_ids, notes, note_t, key, args, x->who->team);
    if (n < 0)
        return n;
    if (c->notes[n].private_)
        return SP_E_NOT_FOUND; /* a private note is nobody else's business, and not on the wall */
    if (strcmp(c->notes[n].board, s->board) != 0)
        return SP_E_WRONG_STEP;
    return n;
}

static int cmd_cluster_add(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s = at_step(x, ACT_CLUSTER);
    const char *name;
    if (s == NULL)
        return SP_E_WRONG_STEP;
    const char *board = json_string_value(json_object_get(args, "board"));
    if (board && strcmp(board, s->board) != 0)
        return SP_E_WRONG_STEP;
    int rc = arg_text(args, "name", NAME_MAX_CP, &name);
    if (rc != 0)
        return rc;
    int px = 0, py = 0, placed = arg_position(args, &px, &py);
    if (placed < 0)
        return placed;
    /* Optional: notes that make up the new group at once (a note dropped onto a note). */
    const json_t *list = json_object_get(args, "notes");
    int idx[GROUP_NOTES_MAX];
    size_t nn = 0;
    if (list) {
        if (!json_is_array(list) || json_array_size(list) > GROUP_NOTES_MAX)
            return SP_E_BAD_MESSAGE;
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *one = json_pack("{sO}", "note", json_array_get(list, i));
            int n = one ? movable_note(x, s, one, "note") : SP_E_BAD_MESSAGE;
            json_decref(one);
            if (n < 0)
                return n;
            idx[nn++] = n;
        }
    }
    core_t *c = x->core;
    char id[16];
    snprintf(id, sizeof id, "k%zu", c->nclusters + 1);
    const char *team = c->teams[x->who->team].id;
    json_t *d = json_pack("{ss ss ss ss}", "id", id, "team", team, "board", s->board, "name", name);
    if (placed) {
        json_object_set_new(d, "x", json_integer(px));
        json_object_set_new(d, "y", json_integer(py));
    }
    cmd_emit(x, "cluster.added", AUD_TEAM, team, d);
    for (size_t i = 0; i < nn; i++)
        cmd_emit(x, "note.moved", AUD_TEAM, team, json_pack("{ss ss}", "id", c->notes[idx[i]].id, "cluster", id));
    return 0;
}

static int own_cluster(cmdctx_t *x, const json_t *args, const char *key)
{
    const pb_step_t *s = at_step(x, ACT_CLUSTER);
    if (s == NULL)
        return SP_E_WRONG_STEP;
    int k = OWN(x->core, cluster_ids, clusters, cluster_t, key, args, x->who->team);
    if (k >= 0 && strcmp(x->core->clusters[k].board, s->board) != 0)
        return SP_E_WRONG_STEP;
    return k;
}

static int cmd_cluster_rename(cmdctx_t *x, const json_t *args)
{
    const char *name;
    int k = own_cluster(x, args, "cluster"), rc;
    if (k < 0)
        return k;
    if ((rc = vote_frozen(x->core, x->who->team, x->core->clusters[k].id)) != 0 ||
        (rc = arg_text(args, "name", NAME_MAX_CP, &name)) != 0)
        return rc;
    cluster_t *cl = &x->core->clusters[k];
    cmd_emit(x, "cluster.renamed", AUD_TEAM, x->core->teams[cl->team].id,
             json_pack("{ss ss}", "id", cl->id, "name", name));
    return 0;
}

static int cmd_cluster_delete(cmdctx_t *x, const json_t *args)
{
    int k = own_cluster(x, args, "cluster"), rc;
    if (k < 0)
        return k;
    if ((rc = vote_frozen(x->core, x->who->team, x->core->clusters[k].id)) != 0)
        return rc;
    cluster_t *cl = &x->core->clusters[k];
    vote_drop_target(x, cl->team, cl->id);
    cmd_emit(x, "cluster.deleted", AUD_TEAM, x->core->teams[cl->team].id,
             json_pack("{ss}", "id", cl->id));
    return 0;
}

/* The note args["note"] if the member may move it now: at a cluster step, its board's. */
static int note_here(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s = at_step(x, ACT_CLUSTER);
    return s == NULL ? SP_E_WRONG_STEP : movable_note(x, s, args, "note");
}

static int cmd_note_move(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int n = note_here(x, args);
    if (n < 0)
        return n;
    note_t *note = &c->notes[n];
    const json_t *cl = json_object_get(args, "cluster");
    int k = -1;
    if (cl == NULL)
        return SP_E_BAD_MESSAGE;
    if (!json_is_null(cl)) {
        k = own_cluster(x, args, "cluster");
        if (k < 0)
            return k;
    }
    json_t *d = json_pack("{ss}", "id", note->id);
    json_object_set_new(d, "cluster", k >= 0 ? json_string(c->clusters[k].id) : json_null());
    cmd_emit(x, "note.moved", AUD_TEAM, c->teams[note->team].id, d);
    return 0;
}

/* Emits `type` {id, x, y} to team t for the required position args (placing is moving:
 * the caller has checked the object against the rules of note.move). */
static int emit_place(cmdctx_t *x, const json_t *args, const char *type, int t, const char *id)
{
    int px, py, rc = arg_position(args, &px, &py);
    if (rc <= 0)
        return rc < 0 ? rc : SP_E_BAD_MESSAGE;
    cmd_emit(x, type, AUD_TEAM, x->core->teams[t].id, json_pack("{ss si si}", "id", id, "x", px, "y", py));
    return 0;
}

/* Where a note lies on the wall. Clients send it while a note is dragged (throttled) and
 * when it is dropped. */
static int cmd_note_place(cmdctx_t *x, const json_t *args)
{
    int n = note_here(x, args);
    if (n < 0)
        return n;
    const note_t *note = &x->core->notes[n];
    return emit_place(x, args, "note.placed", note->team, note->id);
}

/* Where a group's area lies on the wall; its notes go with it. */
static int cmd_cluster_place(cmdctx_t *x, const json_t *args)
{
    int k = own_cluster(x, args, "cluster");
    if (k < 0)
        return k;
    const cluster_t *cl = &x->core->clusters[k];
    return emit_place(x, args, "cluster.placed", cl->team, cl->id);
}

/* ---- items (knelpunten) ------------------------------------------------------------------ */

static int cmd_item_add(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const pb_step_t *s = at_step(x, ACT_ITEMS);
    const char *text;
    if (s == NULL)
        return SP_E_WRONG_STEP;
    const char *list = json_string_value(json_object_get(args, "list"));
    if (list && strcmp(list, s->list) != 0)
        return SP_E_WRONG_STEP;
    int rc = arg_text(args, "text", ITEM_MAX, &text);
    if (rc != 0)
        return rc;
    const char *from = "";
    if (json_object_get(args, "cluster")) {
        int k = OWN(c, cluster_ids, clusters, cluster_t, "cluster", args, x->who->team);
        if (k < 0)
            return SP_E_BAD_TARGET;
        from = c->clusters[k].id;
    }
    char id[16];
    snprintf(id, sizeof id, "i%zu", c->nitems + 1);
    const char *team = c->teams[x->who->team].id;
    cmd_emit(x, "item.added", AUD_TEAM, team,
             json_pack("{ss ss ss ss ss}", "id", id, "team", team, "list", s->list, "text", text,
                       "cluster", from));
    return 0;
}

static int own_item(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s = at_step(x, ACT_ITEMS);
    if (s == NULL)
        return SP_E_WRONG_STEP;
    int i = OWN(x->core, item_ids, items, item_t, "item", args, x->who->team);
    if (i >= 0 && strcmp(x->core->items[i].list, s->list) != 0)
        return SP_E_WRONG_STEP;
    return i;
}

static int cmd_item_edit(cmdctx_t *x, const json_t *args)
{
    const char *text;
    int i = own_item(x, args), rc;
    if (i < 0)
        return i;
    if ((rc = vote_frozen(x->core, x->who->team, x->core->items[i].id)) != 0 ||
        (rc = arg_text(args, "text", ITEM_MAX, &text)) != 0)
        return rc;
    item_t *it = &x->core->items[i];
    cmd_emit(x, "item.edited", AUD_TEAM, x->core->teams[it->team].id,
             json_pack("{ss ss}", "id", it->id, "text", text));
    return 0;
}

static int cmd_item_delete(cmdctx_t *x, const json_t *args)
{
    int i = own_item(x, args), rc;
    if (i < 0)
        return i;
    if ((rc = vote_frozen(x->core, x->who->team, x->core->items[i].id)) != 0)
        return rc;
    item_t *it = &x->core->items[i];
    vote_drop_target(x, it->team, it->id);
    cmd_emit(x, "item.deleted", AUD_TEAM, x->core->teams[it->team].id, json_pack("{ss}", "id", it->id));
    return 0;
}

/* ---- canvases ------------------------------------------------------------------------------- */

/* The version of a canvas field: how many canvas.updated events it has had (0: never
 * written). */
static json_int_t field_version(const core_t *c, int t, const char *canvas, const char *field)
{
    return json_integer_value(json_object_get(json_object_get(c->teams[t].versions, canvas), field));
}

static int cmd_canvas_set(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s = at_step(x, ACT_CANVAS);
    if (s == NULL)
        return SP_E_WRONG_STEP;
    const char *canvas = json_string_value(json_object_get(args, "canvas"));
    const char *field = json_string_value(json_object_get(args, "field"));
    const json_t *text = json_object_get(args, "text");
    const json_t *version = json_object_get(args, "version");
    if (field == NULL || !json_is_string(text) || (version != NULL && !json_is_integer(version)))
        return SP_E_BAD_MESSAGE;
    if (canvas && strcmp(canvas, s->canvas) != 0)
        return SP_E_WRONG_STEP;
    if (playbook_field(s, field) < 0)
        return SP_E_NOT_FOUND;
    /* An empty text clears a field. */
    if (utf8_len_over(json_string_value(text), FIELD_MAX))
        return SP_E_TEXT_TOO_LONG;
    core_t *c = x->core;
    int t = x->who->team;
    json_int_t cur = field_version(c, t, s->canvas, field);
    /* Two people typing in one field: the text written on an older version than the
     * current one would silently replace the other's; the writer gets it back to merge. */
    if (version != NULL && json_integer_value(version) != cur) {
        json_t *now = json_object_get(json_object_get(c->teams[t].canvases, s->canvas), field);
        cmd_error_detail(x, json_pack("{s{ss ss so sI}}", "current", "canvas", s->canvas, "field", field,
                                      "text", now ? json_incref(now) : json_string(""), "version", cur));
        return SP_E_CONFLICT;
    }
    const char *team = c->teams[t].id;
    cmd_emit(x, "canvas.updated", AUD_TEAM, team,
             json_pack("{ss ss ss sO sI}", "team", team, "canvas", s->canvas, "field", field, "text",
                       text, "version", cur + 1));
    return 0;
}

/* ---- Crystal Ball milestones ------------------------------------------------------------------ */

static int selected_idea(core_t *c, int t, const pb_step_t *s, const char *idea)
{
    vote_t *v = vote_of(c, t, playbook_find(&c->pb, s->vote_step), 0);
    json_t *e;
    size_t i;
    if (v == NULL || v->selected == NULL || idea == NULL)
        return 0;
    json_array_foreach(v->selected, i, e)
        if (strcmp(json_string_value(e), idea) == 0)
            return 1;
    return 0;
}

static int milestone_fields(const pb_step_t *s, const json_t *args, int need, int *at, int *kind,
                            const char **text)
{
    const json_t *a = json_object_get(args, "at");
    const char *k = json_string_value(json_object_get(args, "kind"));
    if (a != NULL || need) {
        if (!json_is_integer(a) || json_integer_value(a) < 0 || json_integer_value(a) > s->years)
            return SP_E_BAD_MESSAGE;
        *at = (int)json_integer_value(a);
    }
    if (k != NULL || need) {
        *kind = -1;
        for (int i = 0; i < 4 && k; i++)
            if (strcmp(k, pb_milestone_kinds[i]) == 0 && (s->kinds & (1u << i)))
                *kind = i;
        if (*kind < 0)
            return SP_E_BAD_MESSAGE;
    }
    if (json_object_get(args, "text") != NULL || need)
        return arg_text(args, "text", MILESTONE_MAX, text);
    return 0;
}

static int cmd_milestone_add(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const pb_step_t *s = at_step(x, ACT_TIMELINE);
    int at = 0, kind = 0, rc;
    const char *text = NULL;
    if (s == NULL)
        return SP_E_WRONG_STEP;
    const char *idea = json_string_value(json_object_get(args, "idea"));
    if (!selected_idea(c, x->who->team, s, idea))
        return SP_E_BAD_TARGET;
    if ((rc = milestone_fields(s, args, 1, &at, &kind, &text)) != 0)
        return rc;
    char id[16];
    snprintf(id, sizeof id, "s%zu", c->nmilestones + 1);
    const char *team = c->teams[x->who->team].id;
    cmd_emit(x, "milestone.added", AUD_TEAM, team,
             json_pack("{ss ss ss si ss ss}", "id", id, "team", team, "idea", idea, "at", at, "kind",
                       pb_milestone_kinds[kind], "text", text));
    return 0;
}

static int own_milestone(cmdctx_t *x, const json_t *args, const pb_step_t **s)
{
    *s = at_step(x, ACT_TIMELINE);
    if (*s == NULL)
        return SP_E_WRONG_STEP;
    return OWN(x->core, milestone_ids, milestones, milestone_t, "milestone", args, x->who->team);
}

static int cmd_milestone_edit(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s;
    int m = own_milestone(x, args, &s), rc;
    if (m < 0)
        return m;
    milestone_t *ms = &x->core->milestones[m];
    int at = ms->at, kind = ms->kind;
    const char *text = ms->text;
    if ((rc = milestone_fields(s, args, 0, &at, &kind, &text)) != 0)
        return rc;
    cmd_emit(x, "milestone.edited", AUD_TEAM, x->core->teams[ms->team].id,
             json_pack("{ss si ss ss}", "id", ms->id, "at", at, "kind", pb_milestone_kinds[kind],
                       "text", text));
    return 0;
}

static int cmd_milestone_delete(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s;
    int m = own_milestone(x, args, &s);
    if (m < 0)
        return m;
    milestone_t *ms = &x->core->milestones[m];
    cmd_emit(x, "milestone.deleted", AUD_TEAM, x->core->teams[ms->team].id,
             json_pack("{ss}", "id", ms->id));
    return 0;
}

#define P ROLE_BIT(ROLE_PARTICIPANT)
static const cmddef_t work_cmds[] = {
    {"cluster.add", P, cmd_cluster_add},
    {"cluster.rename", P, cmd_cluster_rename},
    {"cluster.delete", P, cmd_cluster_delete},
    {"note.move", P, cmd_note_move},
    {"note.place", P, cmd_note_place},
    {"cluster.place", P, cmd_cluster_place},
    {"item.add", P, cmd_item_add},
    {"item.edit", P, cmd_item_edit},
    {"item.delete", P, cmd_item_delete},
    {"canvas.set", P, cmd_canvas_set},
    {"milestone.add", P, cmd_milestone_add},
    {"milestone.edit", P, cmd_milestone_edit},
    {"milestone.delete", P, cmd_milestone_delete},
    {NULL, 0, NULL},
};
#undef P

/* ---- appliers ------------------------------------------------------------------------------------ */

static void set_text(char **dst, const char *src)
{
    free(*dst);
    *dst = xstrdup(src);
}

/* Reads the x, y of a placing event into *placed, *px, *py (when it has them). */
static void read_place(const ev_t *ev, int *placed, int *px, int *py)
{
    if (!json_is_integer(json_object_get(ev->data, "x")))
        return;
    *placed = 1;
    *px = (int)json_integer_value(json_object_get(ev->data, "x"));
    *py = (int)json_integer_value(json_object_get(ev->data, "y"));
}

static void on_cluster_added(core_t *c, const ev_t *ev)
{
    int t = team_index(c, ev_str(ev, "team"));
    if (t < 0)
        return;
    xgrow((void **)&c->clusters, &c->capclusters, c->nclusters + 1, sizeof *c->clusters);
    cluster_t *k = &c->clusters[c->nclusters];
    memset(k, 0, sizeof *k);
    snprintf(k->id, sizeof k->id, "%s", ev_str(ev, "id"));
    snprintf(k->board, sizeof k->board, "%s", ev_str(ev, "board"));
    k->team = t;
    k->name = xstrdup(ev_str(ev, "name"));
    read_place(ev, &k->placed, &k->x, &k->y);
    strmap_put(&c->cluster_ids, k->id, (int64_t)c->nclusters++);
}

static void on_cluster_placed(core_t *c, const ev_t *ev)
{
    int64_t k = map_index(&c->cluster_ids, ev_str(ev, "id"));
    if (k >= 0)
        read_place(ev, &c->clusters[k].placed, &c->clusters[k].x, &c->clusters[k].y);
}

static void on_note_placed(core_t *c, const ev_t *ev)
{
    int64_t n = map_index(&c->note_ids, ev_str(ev, "id"));
    if (n >= 0)
        read_place(ev, &c->notes[n].placed, &c->notes[n].x, &c->notes[n].y);
}

static void on_cluster_renamed(core_t *c, const ev_t *ev)
{
    int64_t k = map_index(&c->cluster_ids, ev_str(ev, "id"));
    if (k >= 0)
        set_text(&c->clusters[k].name, ev_str(ev, "name"));
}

static void on_cluster_deleted(core_t *c, const ev_t *ev)
{
    int64_t k = map_index(&c->cluster_ids, ev_str(ev, "id"));
    if (k < 0)
        return;
    c->clusters[k].deleted = 1;
    for (size_t i = 0; i < c->nnotes; i++)
        if (c->notes[i].cluster == (int)k)
            c->notes[i].cluster = -1;
}

static void on_note_moved(core_t *c, const ev_t *ev)
{
    int64_t n = map_index(&c->note_ids, ev_str(ev, "id"));
    if (n >= 0)
        c->notes[n].cluster = (int)map_index(&c->cluster_ids, ev_str(ev, "cluster"));
}

static void on_item_added(core_t *c, const ev_t *ev)
{
    int t = team_index(c, ev_str(ev, "team"));
    if (t < 0)
        return;
    xgrow((void **)&c->items, &c->capitems, c->nitems + 1, sizeof *c->items);
    item_t *it = &c->items[c->nitems];
    memset(it, 0, sizeof *it);
    snprintf(it->id, sizeof it->id, "%s", ev_str(ev, "id"));
    snprintf(it->list, sizeof it->list, "%s", ev_str(ev, "list"));
    snprintf(it->cluster, sizeof it->cluster, "%s", ev_str(ev, "cluster"));
    it->team = t;
    it->text = xstrdup(ev_str(ev, "text"));
    strmap_put(&c->item_ids, it->id, (int64_t)c->nitems++);
}

static void on_item_edited(core_t *c, const ev_t *ev)
{
    int64_t i = map_index(&c->item_ids, ev_str(ev, "id"));
    if (i >= 0)
        set_text(&c->items[i].text, ev_str(ev, "text"));
}

static void on_item_deleted(core_t *c, const ev_t *ev)
{
    int64_t i = map_index(&c->item_ids, ev_str(ev, "id"));
    if (i >= 0)
        c->items[i].deleted = 1;
}

static void on_canvas_updated(core_t *c, const ev_t *ev)
{
    int t = team_index(c, ev_str(ev, "team"));
    if (t < 0)
        return;
    json_t *cv = json_object_get(c->teams[t].canvases, ev_str(ev, "canvas"));
    if (cv == NULL) {
        cv = json_object();
        json_object_set_new(c->teams[t].canvases, ev_str(ev, "canvas"), cv);
    }
    json_object_set(cv, ev_str(ev, "field"), json_object_get(ev->data, "text"));
    json_t *vs = json_object_get(c->teams[t].versions, ev_str(ev, "canvas"));
    if (vs == NULL) {
        vs = json_object();
        json_object_set_new(c->teams[t].versions, ev_str(ev, "canvas"), vs);
    }
    json_object_set_new(vs, ev_str(ev, "field"),
                        json_integer(json_integer_value(json_object_get(vs, ev_str(ev, "field"))) + 1));
}

static int kind_index(const char *k)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(k, pb_milestone_kinds[i]) == 0)
            return i;
    return 0;
}

static void on_milestone_added(core_t *c, const ev_t *ev)
{
    int t = team_index(c, ev_str(ev, "team"));
    if (t < 0)
        return;
    xgrow((void **)&c->milestones, &c->capmilestones, c->nmilestones + 1, sizeof *c->milestones);
    milestone_t *m = &c->milestones[c->nmilestones];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", ev_str(ev, "id"));
    snprintf(m->idea, sizeof m->idea, "%s", ev_str(ev, "idea"));
    m->team = t;
    m->at = (int)json_integer_value(json_object_get(ev->data, "at"));
    m->kind = kind_index(ev_str(ev, "kind"));
    m->text = xstrdup(ev_str(ev, "text"));
    strmap_put(&c->milestone_ids, m->id, (int64_t)c->nmilestones++);
}

static void on_milestone_edited(core_t *c, const ev_t *ev)
{
    int64_t i = map_index(&c->milestone_ids, ev_str(ev, "id"));
    if (i < 0)
        return;
    c->milestones[i].at = (int)json_integer_value(json_object_get(ev->data, "at"));
    c->milestones[i].kind = kind_index(ev_str(ev, "kind"));
    set_text(&c->milestones[i].text, ev_str(ev, "text"));
}

static void on_milestone_deleted(core_t *c, const ev_t *ev)
{
    int64_t i = map_index(&c->milestone_ids, ev_str(ev, "id"));
    if (i >= 0)
        c->milestones[i].deleted = 1;
}

static const applydef_t work_apply[] = {
    {"cluster.added", on_cluster_added},
    {"cluster.renamed", on_cluster_renamed},
    {"cluster.deleted", on_cluster_deleted},
    {"note.moved", on_note_moved},
    {"note.placed", on_note_placed},
    {"cluster.placed", on_cluster_placed},
    {"item.added", on_item_added},
    {"item.edited", on_item_edited},
    {"item.deleted", on_item_deleted},
    {"canvas.updated", on_canvas_updated},
    {"milestone.added", on_milestone_added},
    {"milestone.edited", on_milestone_edited},
    {"milestone.deleted", on_milestone_deleted},
    {NULL, NULL},
};

const core_module_t work_module = {"work", work_cmds, work_apply, NULL, NULL};
