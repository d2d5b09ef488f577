/* org.c – the organiser's part: event details, briefs, rooms, registrations, the assignment, AVG. */
#include "core/core.h"
#include "core/err.h"
#include "core/org.h"
#include "core/state.h"
#include "org/registration.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEOPLE_MAX LIMIT_PEOPLE
#define CHUNK 200           /* registrations per event: 10,000 people make 50 frames, not one huge one */
#define FIELD_MAX LIMIT_PERSON_FIELD
#define MOTIVATION_MAX LIMIT_MOTIVATION
#define BRIEF_MAX LIMIT_BRIEF

static void *org_new(void)
{
    org_t *o = xcalloc(1, sizeof *o);
    strmap_init(&o->ids);
    strmap_init(&o->emails);
    strmap_init(&o->keys);
    o->challenges = json_array();
    o->facilitators = json_object();
    return o;
}

static void person_clear(person_t *p)
{
    free(p->name);
    free(p->email);
    free(p->organisation);
    free(p->role);
    free(p->motivation);
    free(p->key);
    p->name = p->email = p->organisation = p->role = p->motivation = p->key = NULL;
}

static void org_free(void *st)
{
    org_t *o = st;
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++)
        person_clear(&o->people[i]);
    free(o->people);
    strmap_free(&o->ids);
    strmap_free(&o->emails);
    strmap_free(&o->keys);
    json_decref(o->challenges);
    json_decref(o->figures);
    json_decref(o->notes);
    json_decref(o->facilitators);
    free(o);
}

org_t *org_of(const core_t *c) { return core_mod(c, MOD_ORG); }

const char *org_nz(const char *s) { return s ? s : ""; }

static int bilingual_ok(const json_t *v, size_t max)
{
    const char *nl = json_string_value(json_object_get(v, "nl"));
    const char *en = json_string_value(json_object_get(v, "en"));
    return json_is_object(v) && nl && en && !utf8_len_over(nl, max) && !utf8_len_over(en, max);
}

int org_challenge_index(const core_t *c, const char *id)
{
    size_t i;
    json_t *ch;
    if (id == NULL)
        return -1;
    json_array_foreach(org_of(c)->challenges, i, ch)
        if (strcmp(org_nz(json_string_value(json_object_get(ch, "id"))), id) == 0)
            return (int)i;
    return -1;
}

const char *org_challenge_id(const core_t *c, int g)
{
    return json_string_value(json_object_get(json_array_get(org_of(c)->challenges, (size_t)g), "id"));
}

/* The group (challenge index) of a team: its room's challenge. */
int org_team_group(const core_t *c, int t)
{
    return org_challenge_index(c, c->rooms[c->teams[t].room].challenge);
}

person_t *org_person_arg(const core_t *c, const json_t *args, int *err)
{
    const char *id = json_string_value(json_object_get(args, "person"));
    int64_t i;
    *err = 0;
    if (id == NULL) {
        *err = SP_E_BAD_MESSAGE;
        return NULL;
    }
    if (!strmap_get(&org_of(c)->ids, id, &i) || org_of(c)->people[i].deleted) {
        *err = SP_E_NOT_FOUND;
        return NULL;
    }
    return &org_of(c)->people[i];
}

/* The member who joined as this person (member.linked), or -1. */
int org_person_member(const core_t *c, const person_t *p)
{
    return p->member >= 0 && (size_t)p->member < c->nmembers ? p->member : -1;
}

/* Links member m to person p: the organiser sees who has come, the team sees the
 * organisation and role the person registered with (they may change it with
 * profile.set). Nothing else of the registration reaches the team. */
void org_link_member(cmdctx_t *x, int m, const person_t *p)
{
    core_t *c = x->core;
    const char *team = c->teams[c->members[m].team].id;
    cmd_emit(x, "member.linked", AUD_ORG, "",
             json_pack("{ss ss}", "member", c->members[m].id, "person", p->id));
    if (p->organisation[0] != '\0' || p->role[0] != '\0')
        cmd_emit(x, "member.profile", AUD_TEAM, team,
                 json_pack("{ss ss ss ss}", "member", c->members[m].id, "organisation",
                           p->organisation, "role", p->role, "motivation", ""));
}

/* A participant types their name when they join; a registration planned in that team
 * under the same name (case-, accent- and space-insensitive) and not yet linked is
 * theirs. Two registrations with that name in one team link neither: the organiser
 * decides with person.link. */
void org_member_joined(cmdctx_t *x, int m)
{
    core_t *c = x->core;
    org_t *o = org_of(c);
    char *want = reg_normalise(c->members[m].name);
    int found = -1, count = 0;
    for (size_t i = 0; i < o->n && want[0] != '\0'; i++) {
        const person_t *p = &o->people[i];
        if (p->deleted || p->member >= 0 || p->team != c->members[m].team)
            continue;
        char *got = reg_normalise(p->name);
        if (strcmp(got, want) == 0) {
            found = (int)i;
            count++;
        }
        free(got);
    }
    free(want);
    if (count == 1)
        org_link_member(x, m, &o->people[found]);
}

static int cmd_person_link(cmdctx_t *x, const json_t *args)
{
    int err;
    person_t *p = org_person_arg(x->core, args, &err);
    if (p == NULL)
        return err;
    const char *mid = json_string_value(json_object_get(args, "member"));
    if (mid == NULL)
        return SP_E_BAD_MESSAGE;
    int m = member_index(x->core, mid);
    if (m < 0 || x->core->members[m].name[0] == '\0')
        return SP_E_NOT_FOUND;
    org_link_member(x, m, p);
    return 0;
}

static void on_member_linked(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    int m = member_index(c, ev_str(ev, "member"));
    int64_t p;
    if (m < 0 || !strmap_get(&o->ids, ev_str(ev, "person"), &p))
        return;
    for (size_t i = 0; i < o->n; i++)
        if (o->people[i].member == m)
            o->people[i].member = -1;
    o->people[p].member = m;
}

/* ---- event details, briefs, programme, rooms ---------------------------------------- */

static int cmd_sprint_update(cmdctx_t *x, const json_t *args)
{
    static const char *const keys[] = {"date", "venue", "organiser"};
    json_t *data = json_object();
    const json_t *title = json_object_get(args, "title");
    if (title != NULL) {
        if (!bilingual_ok(title, 200)) {
            json_decref(data);
            return SP_E_BAD_MESSAGE;
        }
        json_object_set(data, "title", (json_t *)title);
    }
    for (size_t i = 0; i < 3; i++) {
        const json_t *v = json_object_get(args, keys[i]);
        if (v == NULL)
            continue;
        if (!json_is_string(v) || utf8_len_over(json_string_value(v), 200)) {
            json_decref(data);
            return SP_E_BAD_MESSAGE;
        }
        json_object_set(data, keys[i], (json_t *)v);
    }
    if (json_object_size(data) == 0) {
        json_decref(data);
        return SP_E_BAD_MESSAGE;
    }
    cmd_emit(x, "sprint.updated", AUD_ALL, "", data);
    return 0;
}

static int cmd_challenge_update(cmdctx_t *x, const json_t *args)
{
    static const char *const fields[] = {"title", "question", "problem", "tried", "address"};
    int g = org_challenge_index(x->core, json_string_value(json_object_get(args, "challenge")));
    if (g < 0)
        return json_is_string(json_object_get(args, "challenge")) ? SP_E_NOT_FOUND : SP_E_BAD_MESSAGE;
    json_t *next = json_deep_copy(json_array_get(org_of(x->core)->challenges, (size_t)g));
    int changed = 0;
    for (size_t i = 0; i < 5; i++) {
        const json_t *v = json_object_get(args, fields[i]);
        if (v == NULL)
            continue;
        if (!bilingual_ok(v, BRIEF_MAX)) {
            json_decref(next);
            return SP_E_BAD_MESSAGE;
        }
        json_object_set(next, fields[i], (json_t *)v);
        changed = 1;
    }
    if (!changed) {
        json_decref(next);
        return SP_E_BAD_MESSAGE;
    }
    /* The whole brief again: clients fold challenge.set by id, as at the set-up. */
    cmd_emit(x, "challenge.set", AUD_ALL, "", next);
    return 0;
}

static int cmd_programme_set(cmdctx_t *x, const json_t *args)
{
    const json_t *items = json_object_get(args, "items");
    size_t i;
    json_t *it;
    if (!json_is_array(items) || json_array_size(items) > 100)
        return SP_E_BAD_MESSAGE;
    json_array_foreach(items, i, it) {
        const char *time = json_string_value(json_object_get(it, "time"));
        const json_t *end = json_object_get(it, "end"), *kind = json_object_get(it, "kind");
        if (time == NULL || strlen(time) > 5 || !bilingual_ok(json_object_get(it, "title"), 200) ||
            (end && !json_is_string(end)) || (kind && !json_is_string(kind)))
            return SP_E_BAD_MESSAGE;
    }
    cmd_emit(x, "programme.set", AUD_ALL, "", json_pack("{sO}", "items", (json_t *)items));
    return 0;
}

/* The facilitators' names of a room as last set (a new reference). */
static json_t *room_facilitators(const core_t *c, const char *room)
{
    json_t *f = json_object_get(org_of(c)->facilitators, room);
    return f ? json_incref(f) : json_array();
}

static int cmd_room_update(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int64_t r = map_index(&c->room_ids, json_string_value(json_object_get(args, "room")));
    if (r < 0)
        return json_is_string(json_object_get(args, "room")) ? SP_E_NOT_FOUND : SP_E_BAD_MESSAGE;
    const json_t *name = json_object_get(args, "name"), *ch = json_object_get(args, "challenge");
    const json_t *fac = json_object_get(args, "facilitators");
    if (name && !bilingual_ok(name, 100))
        return SP_E_BAD_MESSAGE;
    if (ch && org_challenge_index(c, json_string_value(ch)) < 0)
        return json_is_string(ch) ? SP_E_NOT_FOUND : SP_E_BAD_MESSAGE;
    if (fac) {
        size_t i;
        json_t *f;
        if (!json_is_array(fac) || json_array_size(fac) > 10)
            return SP_E_BAD_MESSAGE;
        json_array_foreach(fac, i, f)
            if (!json_is_string(f) || utf8_len_over(json_string_value(f), 60))
                return SP_E_BAD_MESSAGE;
    }
    room_t *rm = &c->rooms[r];
    /* Not given: the names stay as last set. "so" takes the reference. */
    json_t *facs = fac ? json_incref((json_t *)fac) : room_facilitators(c, rm->id);
    cmd_emit(x, "room.updated", AUD_ALL, "",
             json_pack("{ss sO ss so}", "id", rm->id, "name", name ? (json_t *)name : rm->name,
                       "challenge", ch ? json_string_value(ch) : rm->challenge, "facilitators",
                       facs));
    return 0;
}

/* A new break-out room of challenge ch with its own facilitator link and its own screen
 * link (secrets made by net). Returns the room's index, or SP_E_NO_SECRETS. */
int org_room_create(cmdctx_t *x, const json_t *name, const char *ch)
{
    core_t *c = x->core;
    if (c->secrets.token == NULL)
        return SP_E_NO_SECRETS;
    char id[16];
    size_t k = c->nrooms + 1;
    do
        snprintf(id, sizeof id, "r%zu", k++);
    while (map_index(&c->room_ids, id) >= 0);
    cmd_emit(x, "room.created", AUD_ALL, "", json_pack("{ss sO ss}", "id", id, "name", (json_t *)name, "challenge", ch));
    json_t *links = c->links ? json_deep_copy(c->links) : json_array();
    static const char *const roles[] = {"facilitator", "screen"};
    for (int i = 0; i < 2; i++) {
        char tok[96], hash[96];
        c->secrets.token(c->secrets.ud, tok, sizeof tok, hash, sizeof hash);
        cmd_emit(x, "auth.link", AUD_SERVER, "", json_pack("{ss ss ss}", "role", roles[i], "room", id, "hash", hash));
        json_array_append_new(links, json_pack("{ss ss ss}", "role", roles[i], "room", id, "token", tok));
        memset(tok, 0, sizeof tok);
    }
    cmd_emit(x, "links.set", AUD_ORG, "", json_pack("{so}", "links", links));
    return (int)map_index(&c->room_ids, id);
}

static int cmd_room_add(cmdctx_t *x, const json_t *args)
{
    const json_t *name = json_object_get(args, "name");
    const char *ch = json_string_value(json_object_get(args, "challenge"));
    if (!bilingual_ok(name, 100) || ch == NULL)
        return SP_E_BAD_MESSAGE;
    if (org_challenge_index(x->core, ch) < 0)
        return SP_E_NOT_FOUND;
    int r = org_room_create(x, name, ch);
    return r < 0 ? r : 0;
}

/* Moves a team to another break-out room (its facilitator and screen follow the room).
 * Connections already open see the change after they reconnect. */
static int cmd_team_move(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const char *tid = json_string_value(json_object_get(args, "team"));
    const char *rid = json_string_value(json_object_get(args, "room"));
    if (tid == NULL || rid == NULL)
        return SP_E_BAD_MESSAGE;
    int t = team_index(c, tid);
    int64_t r = map_index(&c->room_ids, rid);
    if (t < 0 || r < 0)
        return SP_E_NOT_FOUND;
    if (c->teams[t].room == (int)r)
        return 0;
    org_team_move(x, t, (int)r);
    return 0;
}

void org_team_move(cmdctx_t *x, int t, int r)
{
    core_t *c = x->core;
    cmd_emit(x, "team.moved", AUD_ALL, "",
             json_pack("{ss ss ss}", "team", c->teams[t].id, "from", c->rooms[c->teams[t].room].id, "room",
                       c->rooms[r].id));
}

static void on_team_moved(core_t *c, const ev_t *ev)
{
    int t = team_index(c, ev_str(ev, "team"));
    int64_t r = map_index(&c->room_ids, ev_str(ev, "room"));
    if (t >= 0 && r >= 0)
        c->teams[t].room = (int)r;
}

/* ---- registrations ---------------------------------------------------------------- */

static const char *opt_str(const json_t *p, const char *key, size_t max, int *bad)
{
    const json_t *v = json_object_get(p, key);
    if (v == NULL || json_is_null(v))
        return "";
    if (!json_is_string(v) || utf8_len_over(json_string_value(v), max)) {
        *bad = 1;
        return "";
    }
    return json_string_value(v);
}

static int person_ok(const core_t *c, const json_t *p)
{
    int bad = 0;
    const char *name = opt_str(p, "name", FIELD_MAX, &bad);
    const char *email = opt_str(p, "email", 254, &bad);
    opt_str(p, "organisation", FIELD_MAX, &bad);
    opt_str(p, "role", FIELD_MAX, &bad);
    opt_str(p, "motivation", MOTIVATION_MAX, &bad);
    if (bad || !json_is_object(p))
        return SP_E_BAD_MESSAGE;
    if (name[strspn(name, " \t\r\n")] == '\0')
        return SP_E_TEXT_EMPTY;
    if (email[0] != '\0' && !reg_email_valid(email))
        return SP_E_BAD_EMAIL;
    static const char *const ch[] = {"choice1", "choice2"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(p, ch[i]);
        if (v && !json_is_null(v) && org_challenge_index(c, json_string_value(v)) < 0)
            return SP_E_NOT_FOUND;
    }
    return 0;
}

/* The registration as it goes into the log: normalised fields, the id it gets. */
static json_t *person_data(const json_t *p, const char *id)
{
    int bad = 0;
    char *email = reg_email_normalise(opt_str(p, "email", 254, &bad));
    json_t *o = json_pack("{ss ss ss ss ss sb sb}", "id", id, "name", opt_str(p, "name", FIELD_MAX, &bad),
                          "organisation", opt_str(p, "organisation", FIELD_MAX, &bad), "role",
                          opt_str(p, "role", FIELD_MAX, &bad), "motivation",
                          opt_str(p, "motivation", MOTIVATION_MAX, &bad), "captain",
                          json_is_true(json_object_get(p, "captain")), "timekeeper",
                          json_is_true(json_object_get(p, "timekeeper")));
    json_object_set_new(o, "email", email[0] ? json_string(email) : json_null());
    free(email);
    static const char *const ch[] = {"choice1", "choice2"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(p, ch[i]);
        json_object_set_new(o, ch[i], json_is_string(v) ? json_string(json_string_value(v)) : json_null());
    }
    if (json_is_integer(json_object_get(p, "line")))
        json_object_set(o, "line", json_object_get(p, "line"));
    return o;
}

/* The key a registration is found by again: "e\n<address>\n<name>" with an address,
 * "n\n<name>\n<organisation>" without one (names and organisations normalised: case,
 * accents, punctuation and spaces do not count). */
static char *person_key(const char *email, const char *name, const char *organisation)
{
    char *n = reg_normalise(name), *o = reg_normalise(email ? "" : organisation);
    size_t len = strlen(email ? email : "") + strlen(n) + strlen(o) + 8;
    char *k = xmalloc(len);
    if (email)
        snprintf(k, len, "e\n%s\n%s", email, n);
    else
        snprintf(k, len, "n\n%s\n%s", n, o);
    free(n);
    free(o);
    return k;
}

static int same_str(const char *a, const char *b) { return strcmp(org_nz(a), org_nz(b)) == 0; }

/* Whether registration d (person_data()) says anything new about p. */
static int person_changed(const core_t *c, const person_t *p, const json_t *d)
{
    const char *email = json_string_value(json_object_get(d, "email"));
    return !same_str(p->name, json_string_value(json_object_get(d, "name"))) ||
           !same_str(p->email, email) ||
           !same_str(p->organisation, json_string_value(json_object_get(d, "organisation"))) ||
           !same_str(p->role, json_string_value(json_object_get(d, "role"))) ||
           !same_str(p->motivation, json_string_value(json_object_get(d, "motivation"))) ||
           p->choice1 != org_challenge_index(c, json_string_value(json_object_get(d, "choice1"))) ||
           p->choice2 != org_challenge_index(c, json_string_value(json_object_get(d, "choice2"))) ||
           p->captain != json_is_true(json_object_get(d, "captain")) ||
           p->timekeeper != json_is_true(json_object_get(d, "timekeeper"));
}

typedef enum { PLAN_NEW, PLAN_UPDATED, PLAN_UNCHANGED, PLAN_CONFLICT } plan_t;

/* What an import does with registration d: see core_import_plan() in core.h. *at gets
 * the registration it updates (or conflicts with). shared: addresses that more than one
 * name uses in this import. */
static plan_t plan_one(const core_t *c, const json_t *d, const strmap_t *shared, int64_t *at)
{
    org_t *o = org_of(c);
    const char *email = json_string_value(json_object_get(d, "email"));
    char *key = person_key(email, json_string_value(json_object_get(d, "name")),
                           json_string_value(json_object_get(d, "organisation")));
    plan_t r = PLAN_NEW;
    *at = -1;
    if (strmap_get(&o->keys, key, at) && *at >= 0)
        r = person_changed(c, &o->people[*at], d) ? PLAN_UPDATED : PLAN_UNCHANGED;
    else if (email && strmap_get(&o->emails, email, at) && *at >= 0 && !strmap_get(shared, email, NULL))
        /* The address is held under another name: two people, or one who renamed? The
         * organiser decides; never merged silently. */
        r = PLAN_CONFLICT;
    else
        *at = -1;
    free(key);
    return r;
}

/* The addresses that several names use in one import. */
static void shared_emails(const json_t *people, strmap_t *shared)
{
    strmap_t name_of;
    strmap_init(&name_of);
    size_t i;
    json_t *p;
    json_array_foreach(people, i, p) {
        const char *email = json_string_value(json_object_get(p, "email"));
        int64_t first;
        if (email == NULL)
            continue;
        char *e = reg_email_normalise(email);
        if (!strmap_get(&name_of, e, &first))
            strmap_put(&name_of, e, (int64_t)i);
        else {
            char *a = reg_normalise(json_string_value(json_object_get(json_array_get(people, (size_t)first), "name")));
            char *b = reg_normalise(json_string_value(json_object_get(p, "name")));
            if (strcmp(a, b) != 0)
                strmap_put(shared, e, 1);
            free(a);
            free(b);
        }
        free(e);
    }
    strmap_free(&name_of);
}

json_t *core_import_plan(const core_t *c, const json_t *people)
{
    org_t *o = org_of(c);
    strmap_t shared;
    strmap_init(&shared);
    shared_emails(people, &shared);
    size_t n[4] = {0}, i;
    json_t *p, *conflicts = json_array();
    json_array_foreach(people, i, p) {
        json_t *d = person_data(p, "");
        int64_t at;
        plan_t k = plan_one(c, d, &shared, &at);
        n[k]++;
        if (k == PLAN_CONFLICT)
            json_array_append_new(conflicts,
                                  json_pack("{sO ss so ss ss}", "line",
                                            json_object_get(p, "line") ? json_object_get(p, "line") : json_null(),
                                            "name", org_nz(json_string_value(json_object_get(d, "name"))), "email",
                                            json_incref(json_object_get(d, "email")), "registered",
                                            o->people[at].name, "person", o->people[at].id));
        json_decref(d);
    }
    strmap_free(&shared);
    return json_pack("{sI sI sI sI so}", "new", (json_int_t)n[PLAN_NEW], "updated", (json_int_t)n[PLAN_UPDATED],
                     "unchanged", (json_int_t)n[PLAN_UNCHANGED], "conflicts_count", (json_int_t)n[PLAN_CONFLICT],
                     "conflicts", conflicts);
}

void core_import_summary(const core_t *c, json_t *summary, const json_t *args)
{
    json_t *plan = core_import_plan(c, json_object_get(args, "people"));
    json_int_t file_dups = json_integer_value(json_object_get(summary, "replaced"));
    json_int_t updated = json_integer_value(json_object_get(plan, "updated"));
    json_object_set(summary, "new", json_object_get(plan, "new"));
    json_object_set(summary, "updated", json_object_get(plan, "updated"));
    json_object_set(summary, "unchanged", json_object_get(plan, "unchanged"));
    json_object_set(summary, "conflicts", json_object_get(plan, "conflicts"));
    json_object_set_new(summary, "imported", json_integer(json_integer_value(json_object_get(plan, "new"))));
    json_object_set_new(summary, "replaced", json_integer(file_dups + updated));
    json_decref(plan);
}

/* Imports registrations idempotently: a registration already held (same key) and
 * unchanged emits nothing, a changed one keeps its id (and its placement and pins), a
 * new one gets the next p-number, and one whose address another name holds is left
 * out (core_import_plan() lists it). A chunk never holds one id twice, so each event
 * applies in order like the rows of the file. */
static int cmd_reg_import(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    org_t *o = org_of(c);
    const json_t *people = json_object_get(args, "people");
    size_t i;
    json_t *p;
    if (!json_is_array(people) || json_array_size(people) > PEOPLE_MAX)
        return SP_E_BAD_MESSAGE;
    json_array_foreach(people, i, p) {
        int rc = person_ok(c, p);
        if (rc != 0)
            return rc;
    }
    strmap_t shared, chunk_ids, batch;   /* batch: key → id given earlier in this import */
    strmap_init(&shared);
    strmap_init(&chunk_ids);
    strmap_init(&batch);
    shared_emails(people, &shared);
    json_t *chunk = json_array();
    size_t next = o->n + 1;
    for (i = 0; i <= json_array_size(people); i++) {
        p = json_array_get(people, i);
        json_t *d = p ? person_data(p, "") : NULL;
        char id[16] = "";
        if (d != NULL) {
            int64_t at, prev;
            const char *email = json_string_value(json_object_get(d, "email"));
            char *key = person_key(email, json_string_value(json_object_get(d, "name")),
                                   json_string_value(json_object_get(d, "organisation")));
            plan_t k = plan_one(c, d, &shared, &at);
            if (strmap_get(&batch, key, &prev))
                snprintf(id, sizeof id, "p%lld", (long long)prev);   /* twice in the file: the later wins */
            else if (k == PLAN_UPDATED)
                snprintf(id, sizeof id, "%s", o->people[at].id);
            else if (k == PLAN_NEW) {
                strmap_put(&batch, key, (int64_t)next);
                snprintf(id, sizeof id, "p%zu", next++);
            }
            free(key);
            if (id[0] == '\0') {
                json_decref(d);
                continue;
            }
        }
        if (d == NULL || json_array_size(chunk) == CHUNK || strmap_get(&chunk_ids, id, NULL)) {
            if (json_array_size(chunk) > 0) {
                cmd_emit(x, "registrations.imported", AUD_ORG, "", json_pack("{so}", "people", chunk));
                chunk = json_array();
                strmap_free(&chunk_ids);
                strmap_init(&chunk_ids);
            }
        }
        if (d == NULL)
            break;
        json_object_set_new(d, "id", json_string(id));
        strmap_put(&chunk_ids, id, 1);
        json_array_append_new(chunk, d);
    }
    json_decref(chunk);
    strmap_free(&chunk_ids);
    strmap_free(&batch);
    strmap_free(&shared);
    return 0;
}

static void on_reg_imported(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(ev->data, "people"), i, d) {
        const char *id = org_nz(json_string_value(json_object_get(d, "id")));
        int64_t at;
        person_t *p;
        if (strmap_get(&o->ids, id, &at)) {
            p = &o->people[at];
            person_clear(p);
        } else {
            xgrow((void **)&o->people, &o->cap, o->n + 1, sizeof *o->people);
            at = (int64_t)o->n++;
            p = &o->people[at];
            memset(p, 0, sizeof *p);
            snprintf(p->id, sizeof p->id, "%s", id);
            p->team = p->pin_group = p->pin_team = p->member = -1;
            strmap_put(&o->ids, p->id, at);
        }
        p->deleted = 0;
        p->name = xstrdup(org_nz(json_string_value(json_object_get(d, "name"))));
        const char *email = json_string_value(json_object_get(d, "email"));
        p->email = email ? xstrdup(email) : NULL;
        if (email)
            strmap_put(&o->emails, email, at);
        p->key = person_key(email, p->name, org_nz(json_string_value(json_object_get(d, "organisation"))));
        strmap_put(&o->keys, p->key, at);
        p->organisation = xstrdup(org_nz(json_string_value(json_object_get(d, "organisation"))));
        p->role = xstrdup(org_nz(json_string_value(json_object_get(d, "role"))));
        p->motivation = xstrdup(org_nz(json_string_value(json_object_get(d, "motivation"))));
        p->choice1 = org_challenge_index(c, json_string_value(json_object_get(d, "choice1")));
        p->choice2 = org_challenge_index(c, json_string_value(json_object_get(d, "choice2")));
        p->captain = json_is_true(json_object_get(d, "captain"));
        p->timekeeper = json_is_true(json_object_get(d, "timekeeper"));
    }
}

/* ---- AVG: deletion ------------------------------------------------------------------ */

/* Deletes a registration (and forgets the name of the member who joined as them), or
 * forgets a member who joined without a registration. Notes stay, without a name. */
static int cmd_person_delete(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const char *mid = json_string_value(json_object_get(args, "member"));
    int m = -1;
    person_t *p = NULL;
    if (mid != NULL) {
        if ((m = member_index(c, mid)) < 0)
            return SP_E_NOT_FOUND;
    } else {
        int err;
        if ((p = org_person_arg(c, args, &err)) == NULL)
            return err;
        m = org_person_member(c, p);
    }
    if (p != NULL)
        cmd_emit(x, "person.deleted", AUD_ORG, "", json_pack("{ss}", "id", p->id));
    if (m >= 0)
        cmd_emit(x, "member.forgotten", AUD_TEAM, c->teams[c->members[m].team].id,
                 json_pack("{ss ss}", "id", c->members[m].id, "team", c->teams[c->members[m].team].id));
    if (p != NULL && org_of(c)->assigned)
        cmd_emit(x, "assign.figures", AUD_ORG, "",
                 json_pack("{so}", "figures", org_figures_now(c, org_last_colleague_min(c))));
    return 0;
}

static void on_person_deleted(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    int64_t p;
    if (!strmap_get(&o->ids, ev_str(ev, "id"), &p))
        return;
    person_t *pp = &o->people[p];
    if (pp->email)
        strmap_put(&o->emails, pp->email, -1);
    if (pp->key)
        strmap_put(&o->keys, pp->key, -1);
    person_clear(pp);
    pp->deleted = 1;
    pp->team = pp->pin_team = pp->pin_group = pp->member = -1;
    pp->choice1 = pp->choice2 = -1;
    c->effects |= CORE_FX_REDACTED | (c->archive ? CORE_FX_ARCHIVE : 0);
}

static void on_member_forgotten(core_t *c, const ev_t *ev)
{
    int m = member_index(c, ev_str(ev, "id"));
    if (m < 0)
        return;
    member_t *mm = &c->members[m];
    free(mm->name);
    free(mm->organisation);
    free(mm->role);
    free(mm->motivation);
    mm->name = xstrdup("");
    mm->organisation = mm->role = mm->motivation = NULL;
    c->effects |= CORE_FX_REDACTED | (c->archive ? CORE_FX_ARCHIVE : 0);
}

/* ---- appliers of the set-up events this module keeps -------------------------------- */

static void on_challenge_set(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    int g = org_challenge_index(c, json_string_value(json_object_get(ev->data, "id")));
    if (g >= 0)
        json_array_set(o->challenges, (size_t)g, ev->data);
    else
        json_array_append(o->challenges, ev->data);
}

static void on_sprint_updated(core_t *c, const ev_t *ev)
{
    if (json_is_string(json_object_get(ev->data, "date")))
        snprintf(c->date, sizeof c->date, "%s", ev_str(ev, "date"));
    const char *nl = json_string_value(json_object_get(json_object_get(ev->data, "title"), "nl"));
    if (nl != NULL) {
        free(c->title_nl);
        c->title_nl = xstrdup(nl);
    }
}

static void on_room_updated(core_t *c, const ev_t *ev)
{
    int64_t r = map_index(&c->room_ids, ev_str(ev, "id"));
    if (r < 0)
        return;
    json_decref(c->rooms[r].name);
    c->rooms[r].name = json_incref(json_object_get(ev->data, "name"));
    snprintf(c->rooms[r].challenge, sizeof c->rooms[r].challenge, "%s", ev_str(ev, "challenge"));
    json_t *fac = json_object_get(ev->data, "facilitators");
    if (json_is_array(fac))
        json_object_set(org_of(c)->facilitators, c->rooms[r].id, fac);
}

/* ---- read-only views ------------------------------------------------------------------ */

size_t core_challenge_count(const core_t *c) { return json_array_size(org_of(c)->challenges); }

int core_challenge_info(const core_t *c, size_t i, const char **id, const char **title_nl)
{
    json_t *ch = json_array_get(org_of(c)->challenges, i);
    if (ch == NULL)
        return SP_E_NOT_FOUND;
    *id = org_nz(json_string_value(json_object_get(ch, "id")));
    *title_nl = org_nz(json_string_value(json_object_get(json_object_get(ch, "title"), "nl")));
    return 0;
}

const char *core_challenge_title_en(const core_t *c, size_t i)
{
    json_t *ch = json_array_get(org_of(c)->challenges, i);
    return org_nz(json_string_value(json_object_get(json_object_get(ch, "title"), "en")));
}

int core_person_known_email(const core_t *c, const char *email)
{
    int64_t at;
    return email != NULL && strmap_get(&org_of(c)->emails, email, &at) && at >= 0;
}

json_t *core_assign_figures(const core_t *c)
{
    return org_of(c)->assigned ? json_deep_copy(org_of(c)->figures) : NULL;
}

static json_t *member_json(const core_t *c, int m)
{
    const member_t *mm = &c->members[m];
    json_t *notes = json_array();
    for (size_t i = 0; i < c->nnotes; i++)
        if (c->notes[i].author == m && !c->notes[i].deleted)
            json_array_append_new(notes, json_pack("{ss ss ss}", "id", c->notes[i].id, "board",
                                                   c->notes[i].board, "text", c->notes[i].text));
    return json_pack("{ss ss ss ss ss ss so}", "id", mm->id, "name", org_nz(mm->name), "team",
                     c->teams[mm->team].id, "organisation", org_nz(mm->organisation), "role",
                     org_nz(mm->role), "motivation", org_nz(mm->motivation), "notes", notes);
}

json_t *core_person_export(const core_t *c, const char *id)
{
    org_t *o = org_of(c);
    int64_t i;
    if (id == NULL)
        return NULL;
    int m = member_index(c, id);
    if (m >= 0)
        return json_pack("{so}", "member", member_json(c, m));
    if (!strmap_get(&o->ids, id, &i))
        return NULL;
    const person_t *p = &o->people[i];
    if (p->deleted)
        return json_pack("{s{ss sb}}", "registration", "id", p->id, "deleted", 1);
    json_t *reg = json_pack(
        "{ss ss ss ss ss so so sb sb so so so}", "id", p->id, "name", p->name, "organisation",
        p->organisation, "role", p->role, "motivation", p->motivation, "choice1",
        p->choice1 >= 0 ? json_string(org_challenge_id(c, p->choice1)) : json_null(), "choice2",
        p->choice2 >= 0 ? json_string(org_challenge_id(c, p->choice2)) : json_null(), "captain",
        p->captain, "timekeeper", p->timekeeper, "team",
        p->team >= 0 ? json_string(c->teams[p->team].id) : json_null(), "pin_team",
        p->pin_team >= 0 ? json_string(c->teams[p->pin_team].id) : json_null(), "pin_challenge",
        p->pin_group >= 0 ? json_string(org_challenge_id(c, p->pin_group)) : json_null());
    json_object_set_new(reg, "email", p->email ? json_string(p->email) : json_null());
    json_t *out = json_pack("{so}", "registration", reg);
    int mm = org_person_member(c, p);
    if (mm >= 0)
        json_object_set_new(out, "member", member_json(c, mm));
    return out;
}

int core_redactable(const char *type)
{
    return strcmp(type, "registrations.imported") == 0 || strcmp(type, "member.joined") == 0 ||
           strcmp(type, "member.profile") == 0;
}

json_t *core_redact(const core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    if (!core_redactable(ev->type))
        return NULL;
    if (strcmp(ev->type, "registrations.imported") == 0) {
        json_t *people = json_object_get(ev->data, "people"), *p, *out = NULL;
        size_t i;
        json_array_foreach(people, i, p) {
            int64_t at;
            const char *id = org_nz(json_string_value(json_object_get(p, "id")));
            if (!strmap_get(&o->ids, id, &at) || !o->people[at].deleted)
                continue;
            if (out == NULL)
                out = json_deep_copy(ev->data);
            json_array_set_new(json_object_get(out, "people"), i, json_pack("{ss sb}", "id", id, "deleted", 1));
        }
        return out;
    }
    int forgotten_name = strcmp(ev->type, "member.joined") == 0;
    if (forgotten_name || strcmp(ev->type, "member.profile") == 0) {
        int m = member_index(c, ev_str(ev, forgotten_name ? "id" : "member"));
        if (m < 0 || c->members[m].name[0] != '\0')
            return NULL;
        json_t *out = json_deep_copy(ev->data);
        if (forgotten_name)
            json_object_set_new(out, "name", json_string(""));
        else
            for (size_t k = 0; k < 3; k++)
                json_object_set_new(out, (const char *[]){"organisation", "role", "motivation"}[k], json_string(""));
        return out;
    }
    return NULL;
}

/* The key a name sorts under at the door, the Dutch way: the surname without its
 * particles ("de Groot" under G), then the first name: "Anna de Groot" → "groot anna de". */
static char *surname_key(const char *name)
{
    static const char *const particles[] = {"van", "de", "der", "den", "het", "t", "ter", "ten", "te",
                                            "in", "op", "aan", "vd", "von", "du", "da", "la", "le"};
    char *n = reg_normalise(name);
    char *first_end = strchr(n, ' ');
    if (first_end == NULL)
        return n;
    *first_end = '\0';
    char *rest = first_end + 1, *p = rest;
    for (;;) {
        size_t l = strcspn(p, " ");
        int particle = 0;
        for (size_t i = 0; i < sizeof particles / sizeof particles[0] && p[l] == ' '; i++)
            particle |= strlen(particles[i]) == l && strncmp(particles[i], p, l) == 0;
        if (!particle)
            break;
        p += l + 1;
    }
    size_t len = strlen(n) * 2 + strlen(rest) + 4;
    char *k = xmalloc(len);
    snprintf(k, len, "%s %s %.*s", p, n, (int)(p - rest), rest);
    free(n);
    return k;
}

static int key_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int r = strcmp(json_string_value(json_object_get(x, "key")), json_string_value(json_object_get(y, "key")));
    return r ? r : strcmp(json_string_value(json_object_get(x, "name")), json_string_value(json_object_get(y, "name")));
}

/* The registrations planned in a team (t ≥ 0), or in any team (t < 0), sorted by surname:
 * [{name, key, team}]. */
json_t *org_planned_sorted(const core_t *c, int t)
{
    org_t *o = org_of(c);
    size_t n = 0;
    json_t **v = xcalloc(o->n + 1, sizeof *v);
    for (size_t i = 0; i < o->n; i++) {
        const person_t *p = &o->people[i];
        if (p->deleted || p->team < 0 || (t >= 0 && p->team != t))
            continue;
        char *k = surname_key(p->name);
        v[n++] = json_pack("{ss ss ss si}", "person", p->id, "name", p->name, "key", k, "team", p->team);
        free(k);
    }
    qsort(v, n, sizeof *v, key_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, v[i]);
    free(v);
    return out;
}

json_t *core_door_list(const core_t *c)
{
    json_t *rows = org_planned_sorted(c, -1), *r;
    size_t i;
    json_array_foreach(rows, i, r) {
        int t = (int)json_integer_value(json_object_get(r, "team"));
        json_object_set_new(r, "team", json_string(c->teams[t].name));
        json_object_set(r, "room", c->rooms[c->teams[t].room].name);
        json_object_del(r, "key");
        json_object_del(r, "person");
    }
    return rows;
}

json_t *core_sheets(const core_t *c)
{
    org_t *o = org_of(c);
    size_t *planned = xcalloc(c->nteams + 1, sizeof *planned);
    for (size_t i = 0; i < o->n; i++)
        if (!o->people[i].deleted && o->people[i].team >= 0)
            planned[o->people[i].team]++;
    json_t *out = json_array();
    for (size_t t = 0; t < c->nteams; t++) {
        const team_t *tm = &c->teams[t];
        if (tm->code[0] == '\0' || (o->assigned && planned[t] == 0))
            continue;
        const room_t *r = &c->rooms[tm->room];
        int g = org_challenge_index(c, r->challenge);
        json_t *title = json_object_get(json_array_get(o->challenges, (size_t)(g < 0 ? 0 : g)), "title");
        json_array_append_new(out, json_pack("{ss ss ss sO sO sI}", "team", tm->id, "name", tm->name,
                                             "code", tm->code, "room", r->name, "challenge",
                                             g >= 0 && title ? title : json_null(), "planned",
                                             (json_int_t)planned[t]));
        json_t *names = json_array(), *p, *members = org_planned_sorted(c, (int)t);
        size_t k;
        json_array_foreach(members, k, p)
            json_array_append(names, json_object_get(p, "name"));
        json_decref(members);
        json_object_set_new(json_array_get(out, json_array_size(out) - 1), "members", names);
    }
    free(planned);
    return out;
}

#define ORG ROLE_BIT(ROLE_ORGANISER)

static const cmddef_t org_cmds[] = {
    {"sprint.update", ORG, cmd_sprint_update},
    {"challenge.update", ORG, cmd_challenge_update},
    {"programme.set", ORG, cmd_programme_set},
    {"room.update", ORG, cmd_room_update},
    {"room.add", ORG, cmd_room_add},
    {"team.move", ORG, cmd_team_move},
    {"registrations.import", ORG, cmd_reg_import},
    {"assign.run", ORG, org_cmd_assign_run},
    {"assign.pin", ORG, org_cmd_assign_pin},
    {"assign.move", ORG, org_cmd_assign_move},
    {"person.delete", ORG, cmd_person_delete},
    {"person.link", ORG, cmd_person_link},
    {"join.walkins", ORG, org_cmd_join_walkins},
    {NULL, 0, NULL},
};

static const applydef_t org_apply[] = {
    {"challenge.set", on_challenge_set},
    {"sprint.updated", on_sprint_updated},
    {"room.updated", on_room_updated},
    {"team.moved", on_team_moved},
    {"registrations.imported", on_reg_imported},
    {"assign.result", org_on_assign_result},
    {"assign.figures", org_on_assign_figures},
    {"assign.pinned", org_on_assign_pinned},
    {"assign.moved", org_on_assign_moved},
    {"person.deleted", on_person_deleted},
    {"member.forgotten", on_member_forgotten},
    {"member.linked", on_member_linked},
    {"member.claim", org_on_member_claim},
    {"member.claimed", org_on_member_claimed},
    {"join.walkins", org_on_join_walkins},
    {NULL, NULL},
};

const core_module_t org_module = {"org", org_cmds, org_apply, org_new, org_free};
