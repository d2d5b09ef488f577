/* presence.c – which participants are online, and the live counts and room statuses, for the
 * staff and screens who see them: frames outside the log. See srv.h. */
#include "net/srv.h"
#include "net/cluster.h"
#include "util/xalloc.h"

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

static void presence_add(json_t *a, const char *actor)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
        if (strcmp(json_string_value(v), actor) == 0)
            return;
    json_array_append_new(a, json_string(actor));
}

/* The members of team t with at least one authenticated connection to this node. */
static json_t *presence_local(int t)
{
    json_t *a = json_array();
    for (conn_t *c = srv.conns; c != NULL; c = c->next)
        if (c->authed && c->who.role == ROLE_PARTICIPANT && c->who.team == t)
            presence_add(a, c->who.actor);
    return a;
}

/* …and to any node of the cluster (team: its id). */
static json_t *presence_of(int t, const char *team)
{
    json_t *a = presence_local(t), *p;
    const char *node;
    json_object_foreach(srv.remote, node, p) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(p, team), i, v)
            if (json_is_string(v))
                presence_add(a, json_string_value(v));
    }
    return a;
}

/* Publishes this node's own presence for the other nodes of a cluster. */
static void presence_publish(void)
{
    json_t *mine = json_object();
    size_t nt = core_team_count(srv.core);
    for (size_t t = 0; t < nt; t++) {
        const char *id, *name, *room, *code;
        json_t *a = presence_local((int)t);
        if (json_array_size(a) > 0 && core_team_info(srv.core, t, &id, &name, &room, &code) == 0)
            json_object_set_new(mine, id, a);
        else
            json_decref(a);
    }
    cluster_presence(mine);
    json_decref(mine);
}


/* Sends staff connection c (or every staff connection, c == NULL) the presence of
 * the teams marked in only (NULL: all teams). */
void presence_send(conn_t *only_conn, const unsigned char *only, size_t nonly)
{
    size_t nt = core_team_count(srv.core);
    json_t *all = json_object();
    for (size_t t = 0; t < nt; t++) {
        if (only != NULL && (t >= nonly || !only[t]))
            continue;
        const char *id, *name, *room, *code;
        if (core_team_info(srv.core, t, &id, &name, &room, &code) == 0)
            json_object_set_new(all, id, presence_of((int)t, id));
    }
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
    presence_publish();
    presence_send(NULL, srv.pdirty, srv.npdirty);
    memset(srv.pdirty, 0, srv.npdirty);
}

/* ---- live counts and room statuses -------------------------------------------------
 *
 * What the console counts (core_team_counts) and what a room's screen shows
 * (core_room_status) are derived from the state, not logged. Once a second, when the log
 * grew, the server compares them with what it pushed last and sends what changed:
 * {"t":"counts","teams":{TEAM:{…}}} to the staff who see the team (never to members:
 * the dots placed are hidden from the team until the reveal), and
 * {"t":"rooms","rooms":{ROOM:{…}}} to screens and staff. A connection gets everything it
 * may see right after its welcome. */

#define LIVE_EVERY_TICKS 5

static void live_send(conn_t *only, json_t *teams, json_t *rooms)
{
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        if ((only != NULL && c != only) || !c->authed)
            continue;
        role_t r = c->who.role;
        if (teams && json_object_size(teams) > 0 && (r == ROLE_ORGANISER || r == ROLE_FACILITATOR)) {
            json_t *mine = json_object(), *v;
            const char *team;
            json_object_foreach(teams, team, v)
                if (staff_sees_team(c, team))
                    json_object_set(mine, team, v);
            if (json_object_size(mine) > 0)
                conn_send_json(c, json_pack("{ss so}", "t", "counts", "teams", mine));
            else
                json_decref(mine);
        }
        if (rooms && json_object_size(rooms) > 0 &&
            (r == ROLE_ORGANISER || r == ROLE_FACILITATOR || r == ROLE_SCREEN))
            conn_send_json(c, json_pack("{ss sO}", "t", "rooms", "rooms", rooms));
    }
}

/* Puts v into out under key when it differs from what slot *i of *cache last held, or
 * always for a newcomer (only). Only a flush for everyone updates the cache: a newcomer's
 * snapshot must not swallow a change the others are still owed. Borrows v. */
static void live_diff(char ***cache, size_t *n, size_t i, const json_t *v, const char *key,
                      json_t *out, int only)
{
    if (v == NULL || key == NULL)
        return;
    if (i >= *n) {
        *cache = xrealloc(*cache, (i + 1) * sizeof **cache);
        memset(*cache + *n, 0, (i + 1 - *n) * sizeof **cache);
        *n = i + 1;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    if (only || (*cache)[i] == NULL || strcmp(text, (*cache)[i]) != 0)
        json_object_set(out, key, (json_t *)v);
    if (only) {
        free(text);
        return;
    }
    free((*cache)[i]);
    (*cache)[i] = text;
}

/* Everything (only != NULL: for one new connection), or what changed (NULL). */
void live_flush(conn_t *only)
{
    size_t nt = core_team_count(srv.core);
    if (only == NULL) {
        if (srv.stopping || ++srv.live_ticks % LIVE_EVERY_TICKS != 0 ||
            srv.live_head == core_head(srv.core))
            return;
        srv.live_head = core_head(srv.core);
    }
    json_t *teams = json_object(), *rooms = json_object(), *st;
    json_t *counts = core_counts_all(srv.core);
    for (size_t t = 0; t < nt; t++) {
        const char *id, *name, *room, *code;
        if (core_team_info(srv.core, t, &id, &name, &room, &code) == 0)
            live_diff(&srv.live_counts, &srv.nlive_counts, t, json_object_get(counts, id), id, teams,
                      only != NULL);
    }
    json_decref(counts);
    for (size_t r = 0; (st = core_room_status(srv.core, r)) != NULL; r++) {
        live_diff(&srv.live_rooms, &srv.nlive_rooms, r, st, json_string_value(json_object_get(st, "room")),
                  rooms, only != NULL);
        json_decref(st);
    }
    live_send(only, teams, rooms);
    json_decref(teams);
    json_decref(rooms);
}

void live_free(void)
{
    for (size_t i = 0; i < srv.nlive_counts; i++)
        free(srv.live_counts[i]);
    for (size_t i = 0; i < srv.nlive_rooms; i++)
        free(srv.live_rooms[i]);
    free(srv.live_counts);
    free(srv.live_rooms);
}
