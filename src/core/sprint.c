/* sprint.c – setting up a sprint (rooms, teams, links) and the events that describe it. */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

static int bilingual_ok(const json_t *v)
{
    return json_is_object(v) && json_is_string(json_object_get(v, "nl")) &&
           json_is_string(json_object_get(v, "en"));
}

static int id_ok(const json_t *v)
{
    const char *s = json_string_value(v);
    return s != NULL && s[0] != '\0' && strlen(s) < 16;
}

/* Checks the whole description before anything is emitted (invariant 2 of core.h). */
static int setup_check(const core_t *c, const json_t *d, const core_secrets_t *sec)
{
    if (c->head != 0 || !json_is_object(d))
        return SP_E_BAD_SETUP;
    const char *id = json_string_value(json_object_get(d, "id"));
    if (id == NULL || id[0] == '\0' || strlen(id) >= sizeof c->sprint_id)
        return SP_E_BAD_SETUP;
    if (!bilingual_ok(json_object_get(d, "title")))
        return SP_E_BAD_SETUP;
    json_t *rooms = json_object_get(d, "rooms"), *teams = json_object_get(d, "teams");
    if (!json_is_array(rooms) || json_array_size(rooms) == 0 || !json_is_array(teams))
        return SP_E_BAD_SETUP;
    size_t i, j;
    json_t *r, *t, *ch;
    json_array_foreach(rooms, i, r)
        if (!id_ok(json_object_get(r, "id")) || !bilingual_ok(json_object_get(r, "name")))
            return SP_E_BAD_SETUP;
    json_array_foreach(teams, i, t) {
        const char *room = json_string_value(json_object_get(t, "room"));
        int found = 0;
        json_array_foreach(rooms, j, r)
            if (room && strcmp(room, json_string_value(json_object_get(r, "id"))) == 0)
                found = 1;
        if (!found || !id_ok(json_object_get(t, "id")) ||
            !json_is_string(json_object_get(t, "name")))
            return SP_E_BAD_SETUP;
    }
    json_array_foreach(json_object_get(d, "challenges"), i, ch)
        if (!id_ok(json_object_get(ch, "id")) || !bilingual_ok(json_object_get(ch, "title")))
            return SP_E_BAD_SETUP;
    if (sec->ncodes != json_array_size(teams))
        return SP_E_BAD_SETUP;
    const json_t *pbj = json_object_get(d, "playbook");
    if (pbj != NULL) {
        playbook_t pb;
        if (playbook_parse(pbj, &pb) != 0)
            return SP_E_BAD_PLAYBOOK;
        playbook_free(&pb);
    }
    return 0;
}

int core_setup(core_t *c, const json_t *d, const core_secrets_t *sec, int64_t now,
               evlist_t *out)
{
    int rc = setup_check(c, d, sec);
    if (rc != 0)
        return rc;
    cmdctx_t x = {c, NULL, NULL, now, out};
    size_t i;
    json_t *v;

    cmd_emit(&x, "sprint.created", AUD_ALL, "",
             json_pack("{sO sO sO sO sO}", "id", json_object_get(d, "id"), "title",
                       json_object_get(d, "title"), "date",
                       json_object_get(d, "date") ? json_object_get(d, "date") : json_null(),
                       "venue", json_object_get(d, "venue") ? json_object_get(d, "venue") : json_null(),
                       "organiser", json_object_get(d, "organiser") ? json_object_get(d, "organiser") : json_null()));
    if (json_is_object(json_object_get(d, "playbook")))
        cmd_emit(&x, "playbook.set", AUD_ALL, "", json_deep_copy(json_object_get(d, "playbook")));
    if (json_is_array(json_object_get(d, "programme")))
        cmd_emit(&x, "programme.set", AUD_ALL, "",
                 json_pack("{sO}", "items", json_object_get(d, "programme")));
    json_array_foreach(json_object_get(d, "challenges"), i, v)
        cmd_emit(&x, "challenge.set", AUD_ALL, "", json_deep_copy(v));
    json_array_foreach(json_object_get(d, "rooms"), i, v)
        cmd_emit(&x, "room.created", AUD_ALL, "",
                 json_pack("{sO sO sO}", "id", json_object_get(v, "id"), "name",
                           json_object_get(v, "name"), "challenge",
                           json_object_get(v, "challenge") ? json_object_get(v, "challenge") : json_null()));
    json_array_foreach(json_object_get(d, "teams"), i, v)
        cmd_emit(&x, "team.created", AUD_ALL, "",
                 json_pack("{sO sO sO}", "id", json_object_get(v, "id"), "name",
                           json_object_get(v, "name"), "room", json_object_get(v, "room")));
    for (i = 0; i < sec->ncodes; i++)
        /* A join code is for its team, its room's facilitator and the organiser. */
        cmd_emit(&x, "team.code", AUD_TEAM, c->teams[i].id,
                 json_pack("{ss ss}", "team", c->teams[i].id, "code", sec->team_codes[i]));
    if (json_is_object(json_object_get(d, "jury")))
        cmd_emit(&x, "jury.criteria", AUD_ALL, "", json_deep_copy(json_object_get(d, "jury")));

    json_t *links = json_array();
    for (i = 0; i < sec->nlinks; i++) {
        const core_link_t *l = &sec->links[i];
        json_t *o = json_pack("{ss ss}", "role", l->role, "token", l->token);
        if (l->room)
            json_object_set_new(o, "room", json_string(l->room));
        json_array_append_new(links, o);
        cmd_emit(&x, "auth.link", AUD_SERVER, "",
                 json_pack("{ss ss ss}", "role", l->role, "room", l->room ? l->room : "",
                           "hash", l->hash));
    }
    cmd_emit(&x, "links.set", AUD_ORG, "", json_pack("{so}", "links", links));
    return 0;
}

/* ---- appliers ---------------------------------------------------------------- */

static const char *str(const ev_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(ev->data, key));
    return s ? s : "";
}

static void on_sprint_created(core_t *c, const ev_t *ev)
{
    snprintf(c->sprint_id, sizeof c->sprint_id, "%s", str(ev, "id"));
    snprintf(c->date, sizeof c->date, "%s", str(ev, "date"));
    const char *nl = json_string_value(json_object_get(json_object_get(ev->data, "title"), "nl"));
    free(c->title_nl);
    c->title_nl = xstrdup(nl ? nl : "");
}

static void on_room_created(core_t *c, const ev_t *ev)
{
    xgrow((void **)&c->rooms, &c->caprooms, c->nrooms + 1, sizeof *c->rooms);
    room_t *r = &c->rooms[c->nrooms];
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", str(ev, "id"));
    snprintf(r->challenge, sizeof r->challenge, "%s", str(ev, "challenge"));
    r->name = json_incref(json_object_get(ev->data, "name"));
    strmap_put(&c->room_ids, r->id, (int64_t)c->nrooms);
    c->nrooms++;
    c->races = xrealloc(c->races, c->nrooms * sizeof *c->races);
    memset(&c->races[c->nrooms - 1], 0, sizeof *c->races);
    c->effects |= CORE_FX_CHANNELS;
}

static void on_team_created(core_t *c, const ev_t *ev)
{
    int64_t room;
    if (!strmap_get(&c->room_ids, str(ev, "room"), &room))
        return;
    xgrow((void **)&c->teams, &c->capteams, c->nteams + 1, sizeof *c->teams);
    team_t *t = &c->teams[c->nteams];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", str(ev, "id"));
    t->name = xstrdup(str(ev, "name"));
    t->room = (int)room;
    t->captain = t->timekeeper = t->presenter = -1;
    t->canvases = json_object();
    t->versions = json_object();
    strmap_put(&c->team_ids, t->id, (int64_t)c->nteams);
    c->nteams++;
    c->effects |= CORE_FX_CHANNELS;
}

static void on_team_code(core_t *c, const ev_t *ev)
{
    int t = team_index(c, str(ev, "team"));
    if (t < 0)
        return;
    char norm[32];
    snprintf(c->teams[t].code, sizeof c->teams[t].code, "%s", str(ev, "code"));
    core_code_normalise(c->teams[t].code, norm, sizeof norm);
    strmap_put(&c->codes, norm, t);
}

static void on_auth_link(core_t *c, const ev_t *ev)
{
    role_t role = ROLE_NONE;
    const char *r = str(ev, "role");
    int idx = 0;
    if (strcmp(r, "organiser") == 0)
        role = ROLE_ORGANISER;
    else if (strcmp(r, "jury") == 0)
        role = ROLE_JURY;
    else if (strcmp(r, "screen") == 0) {
        /* Index 0: the plenary screen; k > 0: the screen of break-out room k-1. */
        int64_t room;
        role = ROLE_SCREEN;
        if (str(ev, "room")[0] != '\0' && strmap_get(&c->room_ids, str(ev, "room"), &room))
            idx = (int)room + 1;
    }
    else if (strcmp(r, "facilitator") == 0) {
        int64_t room;
        if (!strmap_get(&c->room_ids, str(ev, "room"), &room))
            return;
        role = ROLE_FACILITATOR;
        idx = (int)room;
    }
    if (role != ROLE_NONE)
        strmap_put(&c->tokens, str(ev, "hash"), ident_pack(role, idx));
}

static void on_links_set(core_t *c, const ev_t *ev)
{
    json_decref(c->links);
    c->links = json_incref(json_object_get(ev->data, "links"));
}

static void on_member_joined(core_t *c, const ev_t *ev)
{
    int t = team_index(c, str(ev, "team"));
    if (t < 0)
        return;
    xgrow((void **)&c->members, &c->capmembers, c->nmembers + 1, sizeof *c->members);
    member_t *m = &c->members[c->nmembers];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", str(ev, "id"));
    m->name = xstrdup(str(ev, "name"));
    m->team = t;
    strmap_put(&c->member_ids, m->id, (int64_t)c->nmembers);
    c->nmembers++;
}

static void on_session_opened(core_t *c, const ev_t *ev)
{
    int m = member_index(c, str(ev, "member"));
    if (m < 0)
        return;
    strmap_put(&c->tokens, str(ev, "hash"), ident_pack(ROLE_PARTICIPANT, m));
    if (str(ev, "join")[0] != '\0')
        strmap_put(&c->joins, str(ev, "join"), m);
}

static void on_playbook_set(core_t *c, const ev_t *ev)
{
    playbook_t pb;
    /* Checked before it was emitted; a log edited by hand may still hold junk. */
    if (playbook_parse(ev->data, &pb) != 0)
        return;
    if (c->has_pb)
        playbook_free(&c->pb);
    c->pb = pb;
    c->has_pb = 1;
}

/* ---- archiving ----------------------------------------------------------------- */

/* The three publication choices of args: each a boolean when given, false when not.
 * Returns 0 or SP_E_BAD_MESSAGE. */
static int publication_args(const json_t *args, json_t **data)
{
    static const char *const keys[] = {"bank", "orgs", "public"};
    *data = json_object();
    for (size_t i = 0; i < 3; i++) {
        const json_t *v = json_object_get(args, keys[i]);
        if (v != NULL && !json_is_boolean(v)) {
            json_decref(*data);
            *data = NULL;
            return SP_E_BAD_MESSAGE;
        }
        json_object_set_new(*data, keys[i], json_boolean(json_is_true(v)));
    }
    return 0;
}

/* The organiser ends the sprint: from now on it is a read-only archive (core_exec).
 * Before the jury announced its results only with confirm: true. */
static int cmd_sprint_archive(cmdctx_t *x, const json_t *args)
{
    const json_t *confirm = json_object_get(args, "confirm");
    if (confirm != NULL && !json_is_boolean(confirm))
        return SP_E_BAD_MESSAGE;
    json_t *data;
    if (publication_args(args, &data) != 0)
        return SP_E_BAD_MESSAGE;
    if (!jury_announced(x->core) && !json_is_true(confirm)) {
        json_decref(data);
        return SP_E_JURY_UNANNOUNCED;
    }
    json_object_set_new(data, "at", json_integer(x->now));
    cmd_emit(x, "sprint.archived", AUD_ALL, "", data);
    return 0;
}

/* The organiser changes what of an archive goes into the idea bank and onto the public
 * page; only an archive has these choices. */
static int cmd_sprint_publish(cmdctx_t *x, const json_t *args)
{
    if (x->core->archive == NULL)
        return SP_E_NOT_ARCHIVED;
    json_t *data;
    if (publication_args(args, &data) != 0)
        return SP_E_BAD_MESSAGE;
    json_object_set_new(data, "at", json_integer(x->now));
    cmd_emit(x, "sprint.published", AUD_ALL, "", data);
    return 0;
}

static void on_sprint_archived(core_t *c, const ev_t *ev)
{
    c->effects |= CORE_FX_ARCHIVE;
    json_decref(c->archive);
    c->archive = json_pack("{sb sb sb sI}", "bank", json_is_true(json_object_get(ev->data, "bank")), "orgs",
                           json_is_true(json_object_get(ev->data, "orgs")), "public",
                           json_is_true(json_object_get(ev->data, "public")), "at",
                           (json_int_t)json_integer_value(json_object_get(ev->data, "at")));
}

static void on_sprint_published(core_t *c, const ev_t *ev)
{
    if (c->archive == NULL)
        return;   /* only ever emitted for an archive */
    json_int_t at = json_integer_value(json_object_get(c->archive, "at"));
    on_sprint_archived(c, ev);
    json_object_set_new(c->archive, "at", json_integer(at));   /* archived at stays */
}

int core_archived(const core_t *c) { return c->archive != NULL; }

json_t *core_archive_info(const core_t *c) { return c->archive ? json_deep_copy(c->archive) : NULL; }

const char *core_sprint_date(const core_t *c) { return c->date; }

#define ORG ROLE_BIT(ROLE_ORGANISER)

static const cmddef_t sprint_cmds[] = {
    {"sprint.archive", ORG, cmd_sprint_archive},
    {"sprint.publish", ORG, cmd_sprint_publish},
    {NULL, 0, NULL},
};

static const applydef_t sprint_apply[] = {
    {"playbook.set", on_playbook_set},
    {"sprint.created", on_sprint_created},
    {"room.created", on_room_created},
    {"team.created", on_team_created},
    {"team.code", on_team_code},
    {"auth.link", on_auth_link},
    {"links.set", on_links_set},
    {"member.joined", on_member_joined},
    {"session.opened", on_session_opened},
    {"sprint.archived", on_sprint_archived},
    {"sprint.published", on_sprint_published},
    {NULL, NULL},
};

const core_module_t sprint_module = {"sprint", sprint_cmds, sprint_apply, NULL, NULL};

void core_event_upgrade(ev_t *ev)
{
    /* Logs written before join codes were kept per room sent team.code to every
     * facilitator: it goes to the audience of its team now, also in replays. */
    if (strcmp(ev->type, "team.code") == 0 && ev->aud_kind == AUD_STAFF) {
        ev->aud_kind = AUD_TEAM;
        snprintf(ev->aud_id, sizeof ev->aud_id, "%s", ev_str(ev, "team"));
    }
}
