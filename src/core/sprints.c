/* sprints.c – what the core knows across sprints: copying a sprint's set-up into the
 * description of a new one, a sprint's summary for the list of sprints, the credentials
 * (token hashes, join codes) a log hands out, a registration found by e-mail address.
 *
 * Archiving itself (sprint.archive, sprint.publish, the refusal) is in sprint.c and
 * core.c; the log and the HTTP side are in log/boot.c and net/sprints.c.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/org.h"
#include "core/state.h"
#include "org/registration.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- copying a sprint ------------------------------------------------------------ */

struct core_template {
    json_t *sprint;       /* venue, organiser, title as last set */
    json_t *playbook;     /* playbook.set data, or NULL */
    json_t *programme;    /* programme.set items, or NULL */
    json_t *challenges;   /* [challenge.set data] in first-seen order */
    json_t *rooms;        /* [{id, name, challenge}] in creation order */
    json_t *jury;         /* jury.criteria data, or NULL */
};

core_template_t *core_template_new(void)
{
    core_template_t *t = xcalloc(1, sizeof *t);
    t->sprint = json_object();
    t->challenges = json_array();
    t->rooms = json_array();
    return t;
}

void core_template_free(core_template_t *t)
{
    if (t == NULL)
        return;
    json_decref(t->sprint);
    json_decref(t->playbook);
    json_decref(t->programme);
    json_decref(t->challenges);
    json_decref(t->rooms);
    json_decref(t->jury);
    free(t);
}

/* The element of arr whose "id" is id, or NULL (with its index in *at). */
static json_t *by_id(const json_t *arr, const char *id, size_t *at)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (id != NULL && strcmp(json_string_value(json_object_get(v, "id")) ? json_string_value(json_object_get(v, "id")) : "", id) == 0) {
            if (at)
                *at = i;
            return v;
        }
    return NULL;
}

static void set_last(json_t **slot, json_t *v)
{
    json_decref(*slot);
    *slot = v ? json_deep_copy(v) : NULL;
}

void core_template_event(core_template_t *t, const ev_t *ev)
{
    const json_t *d = ev->data;
    if (strcmp(ev->type, "sprint.created") == 0 || strcmp(ev->type, "sprint.updated") == 0) {
        static const char *const keys[] = {"title", "venue", "organiser"};
        for (size_t i = 0; i < 3; i++) {
            json_t *v = json_object_get(d, keys[i]);
            if (v != NULL && !json_is_null(v))
                json_object_set_new(t->sprint, keys[i], json_deep_copy(v));
        }
    } else if (strcmp(ev->type, "playbook.set") == 0) {
        set_last(&t->playbook, (json_t *)d);
    } else if (strcmp(ev->type, "programme.set") == 0) {
        set_last(&t->programme, json_object_get(d, "items"));
    } else if (strcmp(ev->type, "challenge.set") == 0) {
        size_t at;
        if (by_id(t->challenges, ev_str(ev, "id"), &at))
            json_array_set_new(t->challenges, at, json_deep_copy(d));
        else
            json_array_append_new(t->challenges, json_deep_copy(d));
    } else if (strcmp(ev->type, "room.created") == 0 || strcmp(ev->type, "room.updated") == 0) {
        /* Only what describes the room: its facilitators' names are people's data. */
        json_t *r = json_pack("{ss sO}", "id", ev_str(ev, "id"), "name",
                              json_object_get(d, "name") ? json_object_get(d, "name") : json_null());
        const char *ch = ev_str(ev, "challenge");
        if (ch[0] != '\0')
            json_object_set_new(r, "challenge", json_string(ch));
        size_t at;
        if (by_id(t->rooms, ev_str(ev, "id"), &at))
            json_array_set_new(t->rooms, at, r);
        else
            json_array_append_new(t->rooms, r);
    } else if (strcmp(ev->type, "jury.criteria") == 0) {
        set_last(&t->jury, (json_t *)d);
    }
}

json_t *core_template_desc(const core_template_t *t, const json_t *teams, const char *id,
                           const char *title, const char *date)
{
    json_t *d = json_object();
    json_object_set_new(d, "id", json_string(id));
    json_t *old = json_object_get(t->sprint, "title");
    if (title != NULL && title[0] != '\0')
        json_object_set_new(d, "title", json_pack("{ss ss}", "nl", title, "en", title));
    else if (old != NULL)
        json_object_set(d, "title", old);
    if (date != NULL && date[0] != '\0')
        json_object_set_new(d, "date", json_string(date));
    static const char *const keep[] = {"venue", "organiser"};
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(t->sprint, keep[i]))
            json_object_set(d, keep[i], json_object_get(t->sprint, keep[i]));
    if (t->programme)
        json_object_set_new(d, "programme", json_deep_copy(t->programme));
    json_object_set_new(d, "challenges", json_deep_copy(t->challenges));
    json_object_set_new(d, "rooms", json_deep_copy(t->rooms));
    /* Teams as in the default event: in their own room when the copy has it, else spread
     * over the copied rooms in turn (the assignment makes the real ones). */
    json_t *tm = json_array(), *v;
    size_t i, spread = 0, nrooms = json_array_size(t->rooms);
    json_array_foreach(teams, i, v) {
        if (nrooms == 0)
            break;
        const char *room = json_string_value(json_object_get(v, "room"));
        json_t *r = by_id(t->rooms, room, NULL);
        if (r == NULL)
            r = json_array_get(t->rooms, spread++ % nrooms);
        json_array_append_new(tm, json_pack("{sO sO sO}", "id", json_object_get(v, "id"), "name",
                                            json_object_get(v, "name"), "room", json_object_get(r, "id")));
    }
    json_object_set_new(d, "teams", tm);
    if (t->jury)
        json_object_set_new(d, "jury", json_deep_copy(t->jury));
    if (t->playbook)
        json_object_set_new(d, "playbook", json_deep_copy(t->playbook));
    return d;
}

/* ---- across sprints ----------------------------------------------------------------- */

json_t *core_sprint_summary(const core_t *c)
{
    size_t ideas = 0, teams = 0;
    for (size_t i = 0; i < c->nnotes; i++)
        if (c->notes[i].round > 0 && !c->notes[i].deleted)
            ideas++;
    unsigned char *seen = xcalloc(c->nteams + 1, 1);
    for (size_t m = 0; m < c->nmembers; m++)
        if (c->members[m].team >= 0 && !seen[c->members[m].team]) {
            seen[c->members[m].team] = 1;
            teams++;
        }
    free(seen);
    json_t *a = c->archive;
    return json_pack("{ss ss ss ss sb sb sb sI sI sI}", "id", c->sprint_id, "title", core_sprint_title(c), "date",
                     c->date, "state", a ? "archived" : "live", "bank", json_is_true(json_object_get(a, "bank")),
                     "orgs", json_is_true(json_object_get(a, "orgs")), "public",
                     json_is_true(json_object_get(a, "public")), "teams", (json_int_t)teams, "people",
                     (json_int_t)c->nmembers, "ideas", (json_int_t)ideas);
}

int core_event_credential(const ev_t *ev, char *out, size_t outlen)
{
    out[0] = '\0';
    if (strcmp(ev->type, "auth.link") == 0 || strcmp(ev->type, "session.opened") == 0 ||
        strcmp(ev->type, "auth.juror") == 0) {
        if (ev_str(ev, "hash")[0] == '\0')
            return 0;
        snprintf(out, outlen, "%s", ev_str(ev, "hash"));
        return 1;
    }
    if (strcmp(ev->type, "team.code") == 0 && ev_str(ev, "code")[0] != '\0') {
        core_code_normalise(ev_str(ev, "code"), out, outlen);
        return 2;
    }
    return 0;
}

const char *core_person_by_email(const core_t *c, const char *email)
{
    char *norm = reg_email_normalise(email ? email : "");
    int64_t at = -1;
    const org_t *o = org_of(c);
    int found = norm[0] != '\0' && strmap_get(&o->emails, norm, &at) && at >= 0;
    free(norm);
    return found ? o->people[at].id : NULL;
}
