/* board.c – the team board: sticky notes that a team writes together. */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_MAX LIMIT_NOTE

static const char *str(const ev_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(ev->data, key));
    return s ? s : "";
}

/* The live note with this id in the caller's team, or a negative error. A private
 * note of someone else does not exist as far as the caller can tell. */
static int note_of_team(const core_t *c, const json_t *args, const who_t *who)
{
    const char *id = json_string_value(json_object_get(args, "note"));
    int64_t i;
    if (id == NULL)
        return SP_E_BAD_MESSAGE;
    if (!strmap_get(&c->note_ids, id, &i) || c->notes[i].deleted)
        return SP_E_NOT_FOUND;
    /* Another team's note is reported as missing, not as forbidden: its existence
     * is not this member's business. */
    if (c->notes[i].team != who->team)
        return SP_E_NOT_FOUND;
    if (c->notes[i].private_ && c->notes[i].author != who->member)
        return SP_E_NOT_FOUND;
    return (int)i;
}

size_t team_board_count(const core_t *c, int team, const char *board)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nnotes; i++)
        if (c->notes[i].team == team && !c->notes[i].deleted && strcmp(c->notes[i].board, board) == 0)
            n++;
    return n;
}

/* Where a new note goes and who sees it, from the step the team is at. */
static int note_place(cmdctx_t *x, const json_t *args, const char **board, int *private_,
                      int *round)
{
    core_t *c = x->core;
    int t = x->who->team;
    const pb_step_t *st = team_step(c, t);
    const char *b = json_string_value(json_object_get(args, "board"));
    int has_board = st && (st->act == ACT_BRAINSTORM || st->act == ACT_CLUSTER || st->act == ACT_RACE);
    if (json_object_get(args, "board") && b == NULL)
        return SP_E_BAD_MESSAGE;
    if (b == NULL)
        b = has_board ? st->board : "wall";
    *private_ = 0;
    *round = 0;
    *board = b;
    if (strcmp(b, "wall") == 0)
        return 0;
    int rc = step_allows(c, t, "note.add", b);
    if (rc != 0)
        return rc;
    if (st->act == ACT_BRAINSTORM)
        *private_ = st->private_notes;
    if (st->act == ACT_RACE) {
        const race_t *r = &c->races[c->teams[t].room];
        if (!r->running || r->step != c->teams[t].step || x->now >= r->ends_at)
            return SP_E_RACE_NOT_RUNNING;
        *round = r->round;
        /* In round 1 nobody reads along: each idea stays with its author. */
        *private_ = r->round == 1;
    }
    return 0;
}

static int cmd_note_add(cmdctx_t *x, const json_t *args)
{
    const char *text, *board;
    int private_, round;
    int rc = arg_text(args, "text", NOTE_MAX, &text);
    if (rc == 0)
        rc = note_place(x, args, &board, &private_, &round);
    if (rc != 0)
        return rc;
    core_t *c = x->core;
    int t = x->who->team;
    const char *team = c->teams[t].id;
    char id[16];
    snprintf(id, sizeof id, "n%zu", c->nnotes + 1);
    json_t *data = json_pack("{ss ss ss ss sb}", "id", id, "team", team, "board", board, "text",
                             text, "private", private_);
    if (round)
        json_object_set_new(data, "round", json_integer(round));
    cmd_emit(x, "note.added", private_ ? AUD_MEMBER : AUD_TEAM,
             private_ ? x->who->actor : team, data);
    if (round) {
        int note = (int)c->nnotes - 1;
        const char *room = c->rooms[c->teams[t].room].id;
        cmd_emit(x, "race.count", AUD_ALL, "",
                 json_pack("{ss ss si si}", "room", room, "team", team, "round", round, "count",
                           (int)team_board_count(c, t, board)));
        suggest_similar_idea(x, note);
        suggest_prior_hint(x, note);
    }
    return 0;
}

/* A note as it becomes visible to its team: whole, with its round and the time it was
 * written, so whoever never saw it private (a teammate, the report) has all of it. */
static json_t *shared_json(const core_t *c, const note_t *n, const char *author)
{
    json_t *d = json_pack("{ss ss ss ss ss sI}", "id", n->id, "team", c->teams[n->team].id,
                          "board", n->board, "text", n->text, "author", author, "created",
                          (json_int_t)n->created);
    if (n->round)
        json_object_set_new(d, "round", json_integer(n->round));
    return d;
}

void share_private_notes(cmdctx_t *x, int t, const char *board)
{
    core_t *c = x->core;
    for (size_t i = 0; i < c->nnotes; i++) {
        note_t *n = &c->notes[i];
        if (n->team != t || !n->private_ || n->deleted || strcmp(n->board, board) != 0)
            continue;
        cmd_emit(x, "note.shared", AUD_TEAM, c->teams[t].id,
                 shared_json(c, n, n->author >= 0 ? c->members[n->author].id : ""));
        if (c->notes[i].round > 0)
            suggest_prior_hint(x, (int)i);   /* the team now reads it: and what came before */
    }
}

/* Whether the note may change now (cmd: note.edit, note.delete, note.share): the step
 * table, a race idea only while a round runs, and nothing a vote selected. */
static int note_changeable(cmdctx_t *x, const note_t *note, const char *cmd)
{
    const core_t *c = x->core;
    int rc = step_allows(c, note->team, cmd, note->board);
    if (rc != 0)
        return rc;
    const pb_step_t *st = team_step(c, note->team);
    if (st != NULL && st->act == ACT_RACE && strcmp(note->board, st->board) == 0) {
        const race_t *r = &c->races[c->teams[note->team].room];
        if (!r->running || r->step != c->teams[note->team].step || x->now >= r->ends_at)
            return SP_E_RACE_NOT_RUNNING;
    }
    return vote_frozen(c, note->team, note->id);
}

static int cmd_note_share(cmdctx_t *x, const json_t *args)
{
    int n = note_of_team(x->core, args, x->who);
    if (n < 0)
        return n;
    note_t *note = &x->core->notes[n];
    if (!note->private_)
        return 0;   /* already shared: nothing to do, and not an error on a retry */
    /* Round-1 ideas of the race are the author's alone until the round ends. */
    int rc = note_changeable(x, note, "note.share");
    if (rc != 0)
        return rc;
    cmd_emit(x, "note.shared", AUD_TEAM, x->core->teams[note->team].id,
             shared_json(x->core, note, x->who->actor));
    return 0;
}

/* Edits and deletions reach the note's audience: its author while private. */
static void emit_note_change(cmdctx_t *x, const note_t *note, const char *type, json_t *data)
{
    if (note->private_)
        cmd_emit(x, type, AUD_MEMBER, x->core->members[note->author].id, data);
    else
        cmd_emit(x, type, AUD_TEAM, x->core->teams[note->team].id, data);
}

static int cmd_note_edit(cmdctx_t *x, const json_t *args)
{
    const char *text;
    int n = note_of_team(x->core, args, x->who);
    if (n < 0)
        return n;
    note_t *note = &x->core->notes[n];
    int rc = note_changeable(x, note, "note.edit");
    if (rc == 0)
        rc = arg_text(args, "text", NOTE_MAX, &text);
    if (rc != 0)
        return rc;
    emit_note_change(x, note, "note.edited", json_pack("{ss ss}", "id", note->id, "text", text));
    return 0;
}

static int cmd_note_delete(cmdctx_t *x, const json_t *args)
{
    int n = note_of_team(x->core, args, x->who);
    if (n < 0)
        return n;
    note_t *note = &x->core->notes[n];
    int rc = note_changeable(x, note, "note.delete");
    if (rc != 0)
        return rc;
    vote_drop_target(x, note->team, note->id);
    emit_note_change(x, note, "note.deleted", json_pack("{ss}", "id", note->id));
    return 0;
}

static const cmddef_t board_cmds[] = {
    {"note.add", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_add},
    {"note.edit", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_edit},
    {"note.delete", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_delete},
    {"note.share", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_share},
    {NULL, 0, NULL},
};

static void on_note_added(core_t *c, const ev_t *ev)
{
    int t = team_index(c, str(ev, "team"));
    int m = member_index(c, ev->actor);
    if (t < 0)
        return;
    xgrow((void **)&c->notes, &c->capnotes, c->nnotes + 1, sizeof *c->notes);
    note_t *n = &c->notes[c->nnotes];
    memset(n, 0, sizeof *n);
    snprintf(n->id, sizeof n->id, "%s", str(ev, "id"));
    n->team = t;
    n->author = m;
    n->text = xstrdup(str(ev, "text"));
    snprintf(n->board, sizeof n->board, "%s", str(ev, "board")[0] ? str(ev, "board") : "wall");
    n->private_ = json_is_true(json_object_get(ev->data, "private"));
    n->round = (int)json_integer_value(json_object_get(ev->data, "round"));
    n->cluster = -1;
    n->created = n->updated = ev->ts;
    strmap_put(&c->note_ids, n->id, (int64_t)c->nnotes);
    c->nnotes++;
}

static note_t *note_by_id(core_t *c, const char *id)
{
    int64_t i;
    return strmap_get(&c->note_ids, id, &i) ? &c->notes[i] : NULL;
}

static void on_note_edited(core_t *c, const ev_t *ev)
{
    note_t *n = note_by_id(c, str(ev, "id"));
    if (n == NULL)
        return;
    free(n->text);
    n->text = xstrdup(str(ev, "text"));
    n->updated = ev->ts;
}

static void on_note_deleted(core_t *c, const ev_t *ev)
{
    note_t *n = note_by_id(c, str(ev, "id"));
    if (n != NULL) {
        n->deleted = 1;
        n->updated = ev->ts;
    }
}

static void on_note_shared(core_t *c, const ev_t *ev)
{
    note_t *n = note_by_id(c, str(ev, "id"));
    if (n != NULL)
        n->private_ = 0;
}

static const applydef_t board_apply[] = {
    {"note.shared", on_note_shared},
    {"note.added", on_note_added},
    {"note.edited", on_note_edited},
    {"note.deleted", on_note_deleted},
    {NULL, NULL},
};

const core_module_t board_module = {"board", board_cmds, board_apply, NULL, NULL};
