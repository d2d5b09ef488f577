/* org_join.c – joining by a registered name: the roster of a team, picking a name, claiming a
 * name in use on another device with a teammate's confirmation code, walk-ins. */
#include "core/core.h"
#include "core/err.h"
#include "core/org.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLAIM_MS 600000   /* a confirmation code is good for 10 minutes */

int org_walkin_allowed(const core_t *c, int t)
{
    org_t *o = org_of(c);
    if (!o->walkins_closed)
        return 1;
    for (size_t i = 0; i < o->n; i++)
        if (!o->people[i].deleted && o->people[i].team == t)
            return 0;
    return 1;   /* a team nobody was planned in stays open */
}

/* The first max code points of s (a member's name holds at most 60). */
static char *cut_utf8(const char *s, size_t max)
{
    size_t i = 0, cps = 0;
    while (s[i] && cps < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cps++;
    }
    return xstrndup(s, i);
}

int org_join_person(cmdctx_t *x, int t, const char *person, const char *claim_code, int *m)
{
    core_t *c = x->core;
    org_t *o = org_of(c);
    int64_t at;
    if (!strmap_get(&o->ids, person, &at) || o->people[at].deleted || o->people[at].team != t)
        return SP_E_NOT_FOUND;
    person_t *p = &o->people[at];
    int mm = org_person_member(c, p);
    if (mm < 0) {
        char *name = cut_utf8(p->name, 60);
        cmd_emit(x, "member.joined", AUD_TEAM, c->teams[t].id,
                 json_pack("{ss ss ss}", "id", x->who->actor, "team", c->teams[t].id, "name", name));
        free(name);
        *m = (int)c->nmembers - 1;
        org_link_member(x, *m, p);
        return 0;
    }
    if (claim_code == NULL || claim_code[0] == '\0') {
        /* Someone else uses this name: its teammates or facilitator confirm with a code. */
        if (c->secrets.code == NULL)
            return SP_E_NO_SECRETS;
        char fresh[32], norm[32];
        c->secrets.code(c->secrets.ud, fresh, sizeof fresh);
        core_code_normalise(fresh, norm, sizeof norm);
        norm[4] = '\0';
        cmd_emit(x, "member.claim", AUD_TEAM, c->teams[t].id,
                 json_pack("{ss ss ss ss}", "member", c->members[mm].id, "team", c->teams[t].id, "name",
                           c->members[mm].name, "code", norm));
        return CORE_JOIN_CLAIM_PENDING;
    }
    char norm[32];
    core_code_normalise(claim_code, norm, sizeof norm);
    if (p->claim[0] == '\0' || strcmp(norm, p->claim) != 0 || x->now - p->claim_at > CLAIM_MS)
        return SP_E_BAD_CLAIM;
    cmd_emit(x, "member.claimed", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss}", "member", c->members[mm].id, "team", c->teams[t].id));
    *m = mm;
    return 0;
}

void org_on_member_claim(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    int m = member_index(c, ev_str(ev, "member"));
    for (size_t i = 0; i < o->n && m >= 0; i++)
        if (o->people[i].member == m) {
            snprintf(o->people[i].claim, sizeof o->people[i].claim, "%s", ev_str(ev, "code"));
            o->people[i].claim_at = ev->ts;
        }
}

void org_on_member_claimed(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    int m = member_index(c, ev_str(ev, "member"));
    for (size_t i = 0; i < o->n && m >= 0; i++)
        if (o->people[i].member == m)
            o->people[i].claim[0] = '\0';   /* a code confirms one device */
}

json_t *core_roster(const core_t *c, const char *code)
{
    char norm[32];
    int64_t t;
    if (code == NULL || strlen(code) > 24)
        return NULL;
    core_code_normalise(code, norm, sizeof norm);
    if (!strmap_get(&c->codes, norm, &t))
        return NULL;
    json_t *sorted = org_planned_sorted(c, (int)t), *r, *names = json_array();
    size_t i;
    org_t *o = org_of(c);
    json_array_foreach(sorted, i, r) {
        int64_t at;
        if (strmap_get(&o->ids, json_string_value(json_object_get(r, "person")), &at))
            json_array_append_new(names, json_pack("{ss ss sb}", "person", o->people[at].id, "name", o->people[at].name,
                                                   "taken", org_person_member(c, &o->people[at]) >= 0));
    }
    json_decref(sorted);
    return json_pack("{ss sb so}", "team", c->teams[t].id, "walkins", org_walkin_allowed(c, (int)t), "names", names);
}

int org_cmd_join_walkins(cmdctx_t *x, const json_t *args)
{
    const json_t *v = json_object_get(args, "allowed");
    if (!json_is_boolean(v))
        return SP_E_BAD_MESSAGE;
    cmd_emit(x, "join.walkins", AUD_ORG, "", json_pack("{sb}", "allowed", json_is_true(v)));
    return 0;
}

void org_on_join_walkins(core_t *c, const ev_t *ev)
{
    org_of(c)->walkins_closed = !json_is_true(json_object_get(ev->data, "allowed"));
}

