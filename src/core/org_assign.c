/* org_assign.c – the assignment of registrations to challenge groups and teams, pins, moves, figures. */
#include "core/err.h"
#include "core/org.h"
#include "org/assign.h"
#include "org/registration.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The figures of the placement held in the state (after a run, a move, a deletion). */
json_t *org_figures_now(const core_t *c, size_t colleague_min)
{
    org_t *o = org_of(c);
    size_t with = 0, first = 0, second = 0, neither = 0, none = 0, unplaced = 0, people = 0, pairs = 0;
    size_t *size = xcalloc(c->nteams + 1, sizeof *size);
    for (size_t i = 0; i < o->n; i++) {
        const person_t *p = &o->people[i];
        if (p->deleted)
            continue;
        people++;
        if (p->team < 0) {
            unplaced++;
            continue;
        }
        size[p->team]++;
        int g = org_team_group(c, p->team);
        if (p->choice1 < 0 && p->choice2 < 0) {
            none++;
            continue;
        }
        with++;
        if (g == p->choice1)
            first++;
        else if (g == p->choice2)
            second++;
        else
            neither++;
    }
    /* Colleagues sharing a team: pairs of the same (normalised) organisation. */
    for (size_t t = 0; t < c->nteams; t++) {
        if (size[t] < 2)
            continue;
        char **orgs = xcalloc(size[t], sizeof *orgs);
        size_t k = 0;
        for (size_t i = 0; i < o->n; i++)
            if (!o->people[i].deleted && o->people[i].team == (int)t)
                orgs[k++] = reg_normalise(o->people[i].organisation);
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++)
                if (orgs[a][0] != '\0' && strcmp(orgs[a], orgs[b]) == 0)
                    pairs++;
        for (size_t a = 0; a < k; a++)
            free(orgs[a]);
        free(orgs);
    }
    size_t smin = 0, smax = 0, nteams = 0;
    for (size_t t = 0; t < c->nteams; t++) {
        if (size[t] == 0)
            continue;
        if (nteams++ == 0 || size[t] < smin)
            smin = size[t];
        if (size[t] > smax)
            smax = size[t];
    }
    json_t *per = json_array();
    for (size_t g = 0; g < json_array_size(o->challenges); g++) {
        size_t gp = 0, g1 = 0, g2 = 0, gn = 0, gnone = 0, gteams = 0, grooms = 0;
        for (size_t i = 0; i < o->n; i++) {
            const person_t *p = &o->people[i];
            if (p->deleted || p->team < 0 || org_team_group(c, p->team) != (int)g)
                continue;
            gp++;
            if (p->choice1 < 0 && p->choice2 < 0)
                gnone++;
            else if (p->choice1 == (int)g)
                g1++;
            else if (p->choice2 == (int)g)
                g2++;
            else
                gn++;
        }
        size_t *in_room = xcalloc(c->nrooms + 1, sizeof *in_room);
        for (size_t t = 0; t < c->nteams; t++)
            if (size[t] > 0 && org_team_group(c, (int)t) == (int)g) {
                gteams++;
                if (in_room[c->teams[t].room]++ == 0)
                    grooms++;
            }
        size_t most = 0;
        for (size_t r = 0; r < c->nrooms; r++)
            if (in_room[r] > most)
                most = in_room[r];
        free(in_room);
        json_array_append_new(per, json_pack("{ss sI sI sI sI sI sI sI sI}", "challenge", org_nz(org_challenge_id(c, (int)g)),
                                             "people", (json_int_t)gp, "first", (json_int_t)g1, "second",
                                             (json_int_t)g2, "neither", (json_int_t)gn, "no_choice",
                                             (json_int_t)gnone, "teams", (json_int_t)gteams, "rooms",
                                             (json_int_t)grooms, "most_teams_in_a_room", (json_int_t)most));
    }
    free(size);
    json_t *fig = json_pack("{sI sI sI sI sI sI sI sf sf sI sI sI sI sI}", "people", (json_int_t)people,
                     "with_choice", (json_int_t)with, "first", (json_int_t)first, "second",
                     (json_int_t)second, "neither", (json_int_t)neither, "no_choice",
                     (json_int_t)none, "unplaced", (json_int_t)unplaced, "share_first",
                     with ? (double)first / (double)with : 0.0, "share_neither",
                     with ? (double)neither / (double)with : 0.0, "colleague_pairs",
                     (json_int_t)pairs, "colleague_pairs_min", (json_int_t)colleague_min,
                     "teams", (json_int_t)nteams, "team_size_min", (json_int_t)smin,
                     "team_size_max", (json_int_t)smax);
    json_object_set_new(fig, "challenges", per);
    json_object_set_new(fig, "notes", o->notes ? json_incref(o->notes) : json_array());
    json_object_set_new(fig, "teams_per_room", json_integer(o->teams_per_room ? o->teams_per_room : 6));
    return fig;
}

size_t org_last_colleague_min(const core_t *c)
{
    return (size_t)json_integer_value(json_object_get(org_of(c)->figures, "colleague_pairs_min"));
}

static int int_arg(const json_t *args, const char *key, int def, int lo, int hi, int *out)
{
    const json_t *v = json_object_get(args, key);
    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return SP_E_TEAM_SIZE;
    *out = (int)json_integer_value(v);
    return 0;
}

/* The teams of group g, in team order (their number within the group is the index). */
static size_t group_teams(const core_t *c, int g, int *out)
{
    size_t n = 0;
    for (size_t t = 0; t < c->nteams; t++)
        if (org_team_group(c, (int)t) == g)
            out[n++] = (int)t;
    return n;
}

static int pos_of(const int *v, size_t n, int x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return (int)i;
    return -1;
}

int org_cmd_assign_run(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    org_t *o = org_of(c);
    int tmin, tmax, seed, rc;
    if ((rc = int_arg(args, "team_size_min", 6, 1, 50, &tmin)) != 0 ||
        (rc = int_arg(args, "team_size_max", tmin > 8 ? tmin : 8, 1, 50, &tmax)) != 0)
        return rc;
    if (int_arg(args, "seed", 1, 0, 2000000000, &seed) != 0)
        return SP_E_BAD_MESSAGE;
    int per_room;
    if (int_arg(args, "teams_per_room", 6, 1, 100, &per_room) != 0)
        return SP_E_BAD_MESSAGE;
    if (tmin > tmax)
        return SP_E_TEAM_SIZE;
    size_t ng = json_array_size(o->challenges);
    if (ng == 0)
        return SP_E_NOT_FOUND;
    int **gteams = xcalloc(ng, sizeof *gteams);
    size_t *ngteams = xcalloc(ng, sizeof *ngteams);
    int *cap = xcalloc(ng, sizeof *cap);
    int *rooms_of = xcalloc(ng, sizeof *rooms_of);
    for (size_t g = 0; g < ng; g++) {
        gteams[g] = xcalloc(c->nteams + 1, sizeof **gteams);
        ngteams[g] = group_teams(c, (int)g, gteams[g]);
        rooms_of[g] = -1;
        for (size_t r = 0; r < c->nrooms && rooms_of[g] < 0; r++)
            if (strcmp(c->rooms[r].challenge, org_nz(org_challenge_id(c, (int)g))) == 0)
                rooms_of[g] = (int)r;
        /* A challenge without a room has no seats. */
        cap[g] = rooms_of[g] < 0 ? 0 : -1;
    }
    size_t *idx = xcalloc(o->n + 1, sizeof *idx);
    assign_person_t *ap = xcalloc(o->n + 1, sizeof *ap);
    size_t n = 0;
    for (size_t i = 0; i < o->n; i++) {
        const person_t *p = &o->people[i];
        if (p->deleted)
            continue;
        idx[n] = i;
        ap[n] = (assign_person_t){p->organisation, p->role, p->choice1, p->choice2, p->captain,
                                  p->timekeeper, p->pin_group, -1};
        if (p->pin_team >= 0) {
            int g = org_team_group(c, p->pin_team);
            ap[n].pin_group = g;
            ap[n].pin_team = g >= 0 ? pos_of(gteams[g], ngteams[g], p->pin_team) : -1;
            if (g < 0)
                ap[n].pin_group = -1;
        }
        n++;
    }
    assign_options_t opt = {ng, cap, tmin, tmax, (uint64_t)seed};
    assign_result_t res;
    rc = assign_run(ap, n, &opt, &res);
    if (rc != 0) {
        rc = rc == ASSIGN_E_OPTIONS ? SP_E_TEAM_SIZE : SP_E_BAD_MESSAGE;
        goto out;
    }
    /* Teams beyond the challenge's existing ones are created, each with a fresh code; a
     * room holds at most per_room of the teams in use (one facilitator each), so rooms
     * are added as needed, each with its own facilitator and screen link. */
    size_t need = 0;
    for (size_t k = 0; k < res.n_teams; k++)
        if ((size_t)res.teams[k].number >= ngteams[res.teams[k].group])
            need++;
    /* New rooms need new links: checked before anything is emitted. */
    int rooms_short = 0;
    for (size_t g = 0; g < ng; g++) {
        size_t used = 0, rooms = 0;
        for (size_t k = 0; k < res.n_teams; k++)
            used += res.teams[k].group == (int)g;
        for (size_t r = 0; r < c->nrooms; r++)
            rooms += strcmp(c->rooms[r].challenge, org_nz(org_challenge_id(c, (int)g))) == 0;
        rooms_short |= used > rooms * (size_t)per_room;
    }
    if ((need > 0 && c->secrets.code == NULL) || (rooms_short && c->secrets.token == NULL)) {
        rc = SP_E_NO_SECRETS;
        assign_result_free(&res);
        goto out;
    }
    int *team_of = xcalloc(res.n_teams + 1, sizeof *team_of);
    size_t load_cap = c->nrooms + res.n_teams + 1;
    size_t *load = xcalloc(load_cap, sizeof *load);
    for (size_t k = 0; k < res.n_teams; k++) {
        const assign_team_t *at = &res.teams[k];
        team_of[k] = -1;
        if ((size_t)at->number < ngteams[at->group]) {
            int t = gteams[at->group][at->number];
            if (load[c->teams[t].room] < (size_t)per_room) {
                load[c->teams[t].room]++;
                team_of[k] = t;
            } else
                team_of[k] = -2 - t;   /* stays, but in another room */
        }
    }
    for (size_t k = 0; k < res.n_teams; k++) {
        const assign_team_t *at = &res.teams[k];
        if (team_of[k] >= 0)
            continue;
        int g = at->group;
        const char *chid = org_nz(org_challenge_id(c, g));
        int room = -1;
        for (size_t r = 0; r < c->nrooms; r++)
            if (strcmp(c->rooms[r].challenge, chid) == 0 && load[r] < (size_t)per_room &&
                (room < 0 || load[r] < load[room]))
                room = (int)r;
        if (room < 0) {
            json_t *ch = json_array_get(o->challenges, (size_t)g);
            const char *nl = org_nz(json_string_value(json_object_get(json_object_get(ch, "title"), "nl")));
            const char *en = org_nz(json_string_value(json_object_get(json_object_get(ch, "title"), "en")));
            char rn[160], re[160];
            snprintf(rn, sizeof rn, "Zaal %zu – %s", c->nrooms + 1, nl);
            snprintf(re, sizeof re, "Room %zu – %s", c->nrooms + 1, *en ? en : nl);
            json_t *name = json_pack("{ss ss}", "nl", rn, "en", re);
            room = org_room_create(x, name, chid);
            json_decref(name);
        }
        load[room]++;
        if (team_of[k] <= -2) {
            int t = -2 - team_of[k];
            org_team_move(x, t, room);
            team_of[k] = t;
            continue;
        }
        char id[16], tname[32], code[32], norm[32];
        size_t q = c->nteams + 1;
        do
            snprintf(id, sizeof id, "t%zu", q++);
        while (team_index(c, id) >= 0);
        snprintf(tname, sizeof tname, "Team %zu", q - 1);
        do {
            c->secrets.code(c->secrets.ud, code, sizeof code);
            core_code_normalise(code, norm, sizeof norm);
        } while (strmap_get(&c->codes, norm, NULL));
        cmd_emit(x, "team.created", AUD_ALL, "", json_pack("{ss ss ss}", "id", id, "name", tname, "room", c->rooms[room].id));
        team_of[k] = team_index(c, id);
        cmd_emit(x, "team.code", AUD_TEAM, id, json_pack("{ss ss}", "team", id, "code", code));
    }
    json_t *teams = json_array();
    for (size_t k = 0; k < res.n_teams; k++) {
        const assign_team_t *at = &res.teams[k];
        int g = at->group, t = team_of[k];
        json_t *members = json_array();
        for (size_t m = 0; m < at->n_members; m++)
            json_array_append_new(members, json_string(o->people[idx[at->members[m]]].id));
        json_array_append_new(
            teams, json_pack("{ss ss so so so}", "team", c->teams[t].id, "challenge",
                             org_nz(org_challenge_id(c, g)), "members", members, "captain",
                             at->captain >= 0 ? json_string(o->people[idx[at->captain]].id) : json_null(),
                             "timekeeper",
                             at->timekeeper >= 0 ? json_string(o->people[idx[at->timekeeper]].id) : json_null()));
    }
    free(team_of);
    free(load);
    /* What the organiser must know: a challenge too small for one team, bounds not met. */
    json_t *notes = json_array();
    for (size_t g = 0; g < ng; g++)
        if (res.group_first[g] > 0 && res.group_first[g] < (size_t)tmin)
            json_array_append_new(notes, json_pack("{ss ss sI sI sI}", "code", "too_few", "challenge",
                                                   org_nz(org_challenge_id(c, (int)g)), "first",
                                                   (json_int_t)res.group_first[g], "placed",
                                                   (json_int_t)res.group_size[g], "team_size_min", (json_int_t)tmin));
    if (!res.bounds_met)
        json_array_append_new(notes, json_pack("{ss sI sI}", "code", "bounds_unmet", "team_size_min", (json_int_t)tmin,
                                               "team_size_max", (json_int_t)tmax));
    json_t *unplaced = json_array();
    for (size_t i = 0; i < n; i++)
        if (res.team[i] < 0)
            json_array_append_new(unplaced, json_string(o->people[idx[i]].id));
    size_t cmin = res.colleague_pairs_min;
    assign_result_free(&res);
    cmd_emit(x, "assign.result", AUD_ORG, "",
             json_pack("{si si si si so so so}", "seed", seed, "team_size_min", tmin, "team_size_max", tmax,
                       "teams_per_room", per_room, "teams", teams, "unplaced", unplaced, "notes", notes));
    cmd_emit(x, "assign.figures", AUD_ORG, "", json_pack("{so}", "figures", org_figures_now(c, cmin)));
    rc = 0;
out:
    for (size_t g = 0; g < ng; g++)
        free(gteams[g]);
    free(gteams);
    free(ngteams);
    free(cap);
    free(rooms_of);
    free(idx);
    free(ap);
    return rc;
}

void org_on_assign_result(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    for (size_t i = 0; i < o->n; i++)
        o->people[i].team = -1;
    size_t i, j;
    json_t *t, *m;
    json_array_foreach(json_object_get(ev->data, "teams"), i, t) {
        int ti = team_index(c, org_nz(json_string_value(json_object_get(t, "team"))));
        json_array_foreach(json_object_get(t, "members"), j, m) {
            int64_t p;
            if (ti >= 0 && strmap_get(&o->ids, org_nz(json_string_value(m)), &p))
                o->people[p].team = ti;
        }
    }
    o->assigned = 1;
    json_decref(o->notes);
    o->notes = json_incref(json_object_get(ev->data, "notes"));
    o->teams_per_room = (int)json_integer_value(json_object_get(ev->data, "teams_per_room"));
}

void org_on_assign_figures(core_t *c, const ev_t *ev)
{
    org_t *o = org_of(c);
    json_decref(o->figures);
    o->figures = json_incref(json_object_get(ev->data, "figures"));
}

/* Pins: a person to a team, to a challenge group, or free again (neither). */
int org_cmd_assign_pin(cmdctx_t *x, const json_t *args)
{
    int err;
    person_t *p = org_person_arg(x->core, args, &err);
    if (p == NULL)
        return err;
    const json_t *tv = json_object_get(args, "team"), *gv = json_object_get(args, "challenge");
    int t = -1, g = -1;
    if (tv && !json_is_null(tv)) {
        if ((t = team_index(x->core, org_nz(json_string_value(tv)))) < 0)
            return SP_E_NOT_FOUND;
        if (org_team_group(x->core, t) < 0)
            return SP_E_NOT_FOUND;
    } else if (gv && !json_is_null(gv)) {
        if ((g = org_challenge_index(x->core, json_string_value(gv))) < 0)
            return SP_E_NOT_FOUND;
    }
    if (t >= 0)
        g = org_team_group(x->core, t);
    cmd_emit(x, "assign.pinned", AUD_ORG, "",
             json_pack("{ss so so}", "person", p->id, "team",
                       t >= 0 ? json_string(x->core->teams[t].id) : json_null(), "challenge",
                       g >= 0 ? json_string(org_challenge_id(x->core, g)) : json_null()));
    return 0;
}

void org_on_assign_pinned(core_t *c, const ev_t *ev)
{
    int64_t p;
    if (!strmap_get(&org_of(c)->ids, ev_str(ev, "person"), &p))
        return;
    person_t *pp = &org_of(c)->people[p];
    pp->pin_team = team_index(c, ev_str(ev, "team"));
    pp->pin_group = org_challenge_index(c, json_string_value(json_object_get(ev->data, "challenge")));
}

/* A move places the person in the team at once and pins them there, so a re-run
 * keeps what the organiser decided. */
int org_cmd_assign_move(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int err;
    person_t *p = org_person_arg(c, args, &err);
    if (p == NULL)
        return err;
    if (!org_of(c)->assigned)
        return SP_E_NO_ASSIGNMENT;
    const char *tid = json_string_value(json_object_get(args, "team"));
    if (tid == NULL)
        return SP_E_BAD_MESSAGE;
    int t = team_index(c, tid);
    if (t < 0 || org_team_group(c, t) < 0)
        return SP_E_NOT_FOUND;
    const char *from = p->team >= 0 ? c->teams[p->team].id : NULL;
    cmd_emit(x, "assign.moved", AUD_ORG, "",
             json_pack("{ss so ss ss}", "person", p->id, "from", from ? json_string(from) : json_null(),
                       "team", tid, "challenge", org_nz(org_challenge_id(c, org_team_group(c, t)))));
    cmd_emit(x, "assign.figures", AUD_ORG, "",
             json_pack("{so}", "figures", org_figures_now(c, org_last_colleague_min(c))));
    return 0;
}

void org_on_assign_moved(core_t *c, const ev_t *ev)
{
    int64_t p;
    int t = team_index(c, ev_str(ev, "team"));
    if (!strmap_get(&org_of(c)->ids, ev_str(ev, "person"), &p) || t < 0)
        return;
    person_t *pp = &org_of(c)->people[p];
    pp->team = pp->pin_team = t;
    pp->pin_group = org_team_group(c, t);
}

