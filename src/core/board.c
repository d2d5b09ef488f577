/* board.c – the team board: sticky notes that a team writes together. */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_MAX 280   /* code points: a sticky note holds one thought */

static const char *str(const ev_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(ev->data, key));
    return s ? s : "";
}

/* The live note with this id in the caller's team, or a negative error. */
static int note_of_team(const core_t *c, const json_t *args, int team)
{
    const char *id = json_string_value(json_object_get(args, "note"));
    int64_t i;
    if (id == NULL)
        return SP_E_BAD_MESSAGE;
    if (!strmap_get(&c->note_ids, id, &i) || c->notes[i].deleted)
        return SP_E_NOT_FOUND;
    /* Another team's note is reported as missing, not as forbidden: its existence
     * is not this member's business. */
    if (c->notes[i].team != team)
        return SP_E_NOT_FOUND;
    return (int)i;
}

static int cmd_note_add(cmdctx_t *x, const json_t *args)
{
    const char *text;
    int rc = arg_text(args, "text", NOTE_MAX, &text);
    if (rc != 0)
        return rc;
    core_t *c = x->core;
    const char *team = c->teams[x->who->team].id;
    char id[16];
    snprintf(id, sizeof id, "n%zu", c->nnotes + 1);
    cmd_emit(x, "note.added", AUD_TEAM, team,
             json_pack("{ss ss ss}", "id", id, "team", team, "text", text));
    return 0;
}

static int cmd_note_edit(cmdctx_t *x, const json_t *args)
{
    const char *text;
    int n = note_of_team(x->core, args, x->who->team);
    if (n < 0)
        return n;
    int rc = arg_text(args, "text", NOTE_MAX, &text);
    if (rc != 0)
        return rc;
    note_t *note = &x->core->notes[n];
    cmd_emit(x, "note.edited", AUD_TEAM, x->core->teams[note->team].id,
             json_pack("{ss ss}", "id", note->id, "text", text));
    return 0;
}

static int cmd_note_delete(cmdctx_t *x, const json_t *args)
{
    int n = note_of_team(x->core, args, x->who->team);
    if (n < 0)
        return n;
    note_t *note = &x->core->notes[n];
    cmd_emit(x, "note.deleted", AUD_TEAM, x->core->teams[note->team].id,
             json_pack("{ss}", "id", note->id));
    return 0;
}

const cmddef_t board_cmds[] = {
    {"note.add", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_add},
    {"note.edit", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_edit},
    {"note.delete", ROLE_BIT(ROLE_PARTICIPANT), cmd_note_delete},
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

const applydef_t board_apply[] = {
    {"note.added", on_note_added},
    {"note.edited", on_note_edited},
    {"note.deleted", on_note_deleted},
    {NULL, NULL},
};
