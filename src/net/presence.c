/* presence.c – which participants are online, for the staff who see their teams. See srv.h. */
#include "net/srv.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- presence ---------------------------------------------------------------------
 *
 * Which participants are connected is not an event: it is not in the log and has no
 * seq. Staff (the organiser; a facilitator for the teams of their room) receive
 * {"t":"presence","teams":{TEAM:[member…]}} – on authentication for every team they
 * see, then for the teams whose set changed, at most once per tick (so a wave of joins
 * costs one frame per staff connection, not one per join). */

static int staff_sees_team(const conn_t *c, const char *team)
{
    return c->authed && (c->who.role == ROLE_ORGANISER ||
                         (c->who.role == ROLE_FACILITATOR &&
                          core_may_see(srv.core, &c->who, AUD_TEAM, team)));
}

void presence_mark(int team)
{
    if (team < 0)
        return;
    if ((size_t)team >= srv.npdirty) {
        size_t n = (size_t)team + 64;
        srv.pdirty = xrealloc(srv.pdirty, n);
        memset(srv.pdirty + srv.npdirty, 0, n - srv.npdirty);
        srv.npdirty = n;
    }
    srv.pdirty[team] = 1;
}

/* The members of team t with at least one authenticated connection, for every team t
 * marked in only (NULL: all teams; nteams entries): one pass over the connections, not
 * one per team (after a wave of joins every team is marked). */
static void presence_of(json_t **arrays, const unsigned char *only, size_t nonly, size_t nteams)
{
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        if (!c->authed || c->who.role != ROLE_PARTICIPANT || c->who.team < 0)
            continue;
        size_t t = (size_t)c->who.team;
        if (t >= nteams || arrays[t] == NULL || (only != NULL && (t >= nonly || !only[t])))
            continue;
        int seen = 0;
        size_t i;
        json_t *v;
        json_array_foreach(arrays[t], i, v)
            seen |= strcmp(json_string_value(v), c->who.actor) == 0;
        if (!seen)
            json_array_append_new(arrays[t], json_string(c->who.actor));
    }
}

/* Sends staff connection c (or every staff connection, c == NULL) the presence of
 * the teams marked in only (NULL: all teams). */
void presence_send(conn_t *only_conn, const unsigned char *only, size_t nonly)
{
    size_t nt = core_team_count(srv.core);
    json_t *all = json_object();
    json_t **arrays = xcalloc(nt ? nt : 1, sizeof *arrays);
    for (size_t t = 0; t < nt; t++) {
        if (only != NULL && (t >= nonly || !only[t]))
            continue;
        const char *id, *name, *room, *code;
        if (core_team_info(srv.core, t, &id, &name, &room, &code) == 0) {
            arrays[t] = json_array();
            json_object_set_new(all, id, arrays[t]);   /* all holds it; arrays borrows */
        }
    }
    presence_of(arrays, only, nonly, nt);
    free(arrays);
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        if ((only_conn != NULL && c != only_conn) ||
            (c->who.role != ROLE_ORGANISER && c->who.role != ROLE_FACILITATOR))
            continue;
        json_t *mine = json_object(), *v;
        const char *team;
        json_object_foreach(all, team, v)
            if (staff_sees_team(c, team))
                json_object_set(mine, team, v);
        if (json_object_size(mine) > 0 || only_conn != NULL)
            conn_send_json(c, json_pack("{ss so}", "t", "presence", "teams", mine));
        else
            json_decref(mine);
    }
    json_decref(all);
}

void presence_flush(void)
{
    int any = 0;
    for (size_t i = 0; i < srv.npdirty; i++)
        any |= srv.pdirty[i];
    if (!any || srv.stopping)
        return;
    presence_send(NULL, srv.pdirty, srv.npdirty);
    memset(srv.pdirty, 0, srv.npdirty);
}
