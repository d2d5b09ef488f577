/* presence.c – which participants are online, and the live counts and room statuses, for the
 * staff and screens who see them: frames outside the log. See srv.h. */
#include "net/srv.h"
#include "net/cluster.h"
#include "util/jtext.h"
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
    tick_wake();
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

/* The members of every team with at least one authenticated connection to this node: an
 * array per team (NULL where none is online), from one pass over the connections – a
 * pass per team would cost teams × connections (625 × 5,000 in S2) on every flush. */
static json_t **presence_collect(size_t nt)
{
    json_t **local = xcalloc(nt + 1, sizeof *local);
    for (conn_t *c = srv.conns; c != NULL; c = c->next) {
        int t = c->who.team;
        if (!c->authed || c->who.role != ROLE_PARTICIPANT || t < 0 || (size_t)t >= nt)
            continue;
        if (local[t] == NULL)
            local[t] = json_array();
        presence_add(local[t], c->who.actor);
    }
    return local;
}

static void presence_free(json_t **local, size_t nt)
{
    for (size_t t = 0; t < nt; t++)
        json_decref(local[t]);
    free(local);
}

/* The members of team t (id team) online at any node of the cluster; local: this node's. */
static json_t *presence_of(const json_t *local, const char *team)
{
    json_t *a = local ? json_copy((json_t *)local) : json_array(), *p;
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
static void presence_publish(json_t **local, size_t nt)
{
    json_t *mine = json_object();
    for (size_t t = 0; t < nt; t++) {
        const char *id, *name, *room, *code;
        if (local[t] != NULL && core_team_info(srv.core, t, &id, &name, &room, &code) == 0)
            json_object_set(mine, id, local[t]);
    }
    cluster_presence(mine);
    json_decref(mine);
}

/* Sends staff connection c (or every staff connection, c == NULL) the presence of
 * the teams marked in only (NULL: all teams); local: presence_collect()'s, or NULL. */
static void presence_send_with(conn_t *only_conn, const unsigned char *only, size_t nonly,
                               json_t **local)
{
    size_t nt = core_team_count(srv.core);
    json_t *all = json_object();
    for (size_t t = 0; t < nt; t++) {
        if (only != NULL && (t >= nonly || !only[t]))
            continue;
        const char *id, *name, *room, *code;
        if (core_team_info(srv.core, t, &id, &name, &room, &code) == 0)
            json_object_set_new(all, id, presence_of(local[t], id));
    }
    for (size_t i = 0; i < srv.nwatch; i++) {
        conn_t *c = srv.watch[i];
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

void presence_send(conn_t *only_conn, const unsigned char *only, size_t nonly)
{
    size_t nt = core_team_count(srv.core);
    json_t **local = presence_collect(nt);
    presence_send_with(only_conn, only, nonly, local);
    presence_free(local, nt);
}

void presence_flush(void)
{
    int any = 0;
    for (size_t i = 0; i < srv.npdirty; i++)
        any |= srv.pdirty[i];
    if (!any || srv.stopping)
        return;
    size_t nt = core_team_count(srv.core);
    json_t **local = presence_collect(nt);
    presence_publish(local, nt);
    presence_send_with(NULL, srv.pdirty, srv.npdirty, local);
    presence_free(local, nt);
    memset(srv.pdirty, 0, srv.npdirty);
}

/* ---- live counts and room statuses -------------------------------------------------
 *
 * What the console counts (core_team_counts) and what a room's screen shows
 * (core_room_status) are derived from the state, not logged. Once a second per team, the
 * server compares them with what it pushed last and sends what changed:
 * {"t":"counts","teams":{TEAM:{…}}} to the staff who see the team (never to members:
 * the dots placed are hidden from the team until the reveal), and
 * {"t":"rooms","rooms":{ROOM:{…}}} to screens and staff. A connection gets everything it
 * may see right after its welcome.
 *
 * The cost is kept off the commands' path: only teams the core marks as changed are
 * recomputed (core_live_changed), and they are taken in LIVE_SLICES slices, one per tick
 * (team t in slice t % LIVE_SLICES), so 625 busy teams cost five short pauses a second,
 * not one long one; a frame is encoded once per audience (the organiser, the facilitators
 * of a room, the screens), not once per connection. */

#define LIVE_SLICES 5

/* The counts frame for the staff connection c: {"t":"counts","teams":{TEAM:{…},…}} with the
 * teams of ctext (per team index: the counts text, NULL when unchanged) c may see; NULL
 * when there is none. */
static char *live_counts_frame(const conn_t *c, char *const *ctext, size_t nt, size_t *len)
{
    tbuf_t f = {0};
    for (size_t t = 0; t < nt; t++) {
        const char *id, *name, *room, *code;
        if (ctext[t] == NULL || core_team_info(srv.core, t, &id, &name, &room, &code) != 0 ||
            !staff_sees_team(c, id))
            continue;
        tb_raw(&f, f.len == 0 ? "{\"t\":\"counts\",\"teams\":{" : ",");
        tb_str(&f, id);
        tb_raw(&f, ":");
        tb_raw(&f, ctext[t]);
    }
    if (f.len == 0)
        return NULL;
    tb_raw(&f, "}}");
    *len = f.len;
    return f.s;
}

/* Sends the changed counts (ctext, see live_counts_frame) and room statuses (rooms) to
 * connection only, or to everyone who may see them (only == NULL). */
static void live_send(conn_t *only, char *const *ctext, size_t nchanged, json_t *rooms)
{
    size_t nr = core_room_count(srv.core), nt = core_team_count(srv.core);
    /* The counts frame per audience: [0] the organiser, [1 + r] the facilitators of room r. */
    char **frame = xcalloc(nr + 2, sizeof *frame);
    size_t *flen = xcalloc(nr + 2, sizeof *flen);
    unsigned char *made = xcalloc(nr + 2, 1);
    char *rtext = NULL;
    size_t rlen = 0;
    int any_rooms = rooms && json_object_size(rooms) > 0;
    for (size_t i = 0; i < srv.nwatch && (nchanged > 0 || any_rooms); i++) {
        conn_t *c = srv.watch[i];
        if (only != NULL && c != only)
            continue;
        role_t r = c->who.role;
        int staff = r == ROLE_ORGANISER || r == ROLE_FACILITATOR;
        size_t k = r == ROLE_ORGANISER ? 0 : (size_t)c->who.room + 1;
        if (nchanged > 0 && staff && k < nr + 2) {
            if (!made[k]) {
                frame[k] = live_counts_frame(c, ctext, nt, &flen[k]);
                made[k] = 1;
            }
            if (frame[k] != NULL)
                conn_send_text(c, frame[k], flen[k]);
        }
        if (any_rooms && (staff || r == ROLE_SCREEN)) {
            if (rtext == NULL) {
                json_t *m = json_pack("{ss sO}", "t", "rooms", "rooms", rooms);
                rtext = json_dumps(m, JSON_COMPACT);
                rlen = strlen(rtext);
                json_decref(m);
            }
            conn_send_text(c, rtext, rlen);
        }
    }
    for (size_t k = 0; k < nr + 2; k++)
        free(frame[k]);
    free(frame);
    free(flen);
    free(made);
    free(rtext);
}

/* Puts v into out under key when it differs from what slot *i of *cache last held, or
 * always for a newcomer (only). Only a flush for everyone updates the cache: a newcomer's
 * snapshot must not swallow a change the others are still owed. Borrows v. */
static void live_diff(json_t ***cache, size_t *n, size_t i, json_t *v, const char *key,
                      json_t *out, int only)
{
    if (v == NULL || key == NULL)
        return;
    if (i >= *n) {
        *cache = xrealloc(*cache, (i + 1) * sizeof **cache);
        memset(*cache + *n, 0, (i + 1 - *n) * sizeof **cache);
        *n = i + 1;
    }
    if (!only && (*cache)[i] != NULL && json_equal((*cache)[i], v))
        return;
    json_object_set(out, key, v);
    if (!only) {
        json_decref((*cache)[i]);
        (*cache)[i] = json_incref(v);
    }
}

/* Which teams to compare now: for a newcomer every team (NULL); else this tick's slice of
 * the teams changed since they were last compared (sel, nt bytes). Returns 0 when there is
 * nothing to do. */
static int live_select(unsigned char *sel, size_t nt)
{
    if (nt > srv.nlive_pend) {
        srv.live_pend = xrealloc(srv.live_pend, nt);
        memset(srv.live_pend + srv.nlive_pend, 0, nt - srv.nlive_pend);
        srv.nlive_pend = nt;
    }
    size_t changed = core_live_changed(srv.core, sel);
    if (changed == nt)
        srv.live_rooms_all = 1;   /* also the rooms without a team */
    size_t slice = srv.live_ticks++ % LIVE_SLICES, k = 0;
    for (size_t t = 0; t < nt; t++) {
        srv.live_pend[t] |= sel[t];
        sel[t] = srv.live_pend[t] && t % LIVE_SLICES == slice;
        srv.live_pend[t] &= !sel[t];
        k += sel[t];
    }
    return k > 0 || srv.live_rooms_all;
}

/* Everything (only != NULL: for one new connection), or what changed (NULL). */
void live_flush(conn_t *only)
{
    size_t nt = core_team_count(srv.core), nr = core_room_count(srv.core);
    unsigned char *sel = NULL;
    int rooms_all = 1;
    if (only == NULL) {
        sel = xmalloc(nt + 1);
        if (srv.stopping || !live_select(sel, nt)) {
            free(sel);
            return;
        }
        rooms_all = srv.live_rooms_all;
        srv.live_rooms_all = 0;
    }
    if (nt > srv.nlive_counts) {
        srv.live_counts = xrealloc(srv.live_counts, nt * sizeof *srv.live_counts);
        memset(srv.live_counts + srv.nlive_counts, 0, (nt - srv.nlive_counts) * sizeof *srv.live_counts);
        srv.nlive_counts = nt;
    }
    /* texts[t]: team t's counts now; ctext[t]: the same when it is to be sent. Only a flush
     * for everyone updates the cache (a newcomer's snapshot must not swallow a change the
     * others are still owed); the cache then owns the text. */
    char **texts = xcalloc(nt + 1, sizeof *texts), **ctext = xcalloc(nt + 1, sizeof *ctext);
    core_counts_texts(srv.core, sel, texts);
    unsigned char *room_sel = xcalloc(nr + 1, 1);
    size_t nchanged = 0;
    for (size_t t = 0; t < nt; t++) {
        if (texts[t] == NULL)
            continue;
        int r = core_team_room(srv.core, t);
        if (r >= 0 && (size_t)r < nr)
            room_sel[r] = 1;
        if (only != NULL) {
            ctext[t] = texts[t];
            nchanged++;
        } else if (srv.live_counts[t] == NULL || strcmp(srv.live_counts[t], texts[t]) != 0) {
            free(srv.live_counts[t]);
            srv.live_counts[t] = ctext[t] = texts[t];
            texts[t] = NULL;
            nchanged++;
        }
    }
    json_t *rooms = json_object(), *st;
    for (size_t r = 0; r < nr; r++) {
        if (!rooms_all && !room_sel[r])
            continue;   /* no team of it changed */
        if ((st = core_room_status(srv.core, r)) == NULL)
            break;
        live_diff(&srv.live_rooms, &srv.nlive_rooms, r, st, json_string_value(json_object_get(st, "room")),
                  rooms, only != NULL);
        json_decref(st);
    }
    live_send(only, ctext, nchanged, rooms);
    for (size_t t = 0; t < nt; t++)
        free(texts[t]);
    free(texts);
    free(ctext);
    free(room_sel);
    free(sel);
    json_decref(rooms);
}

int live_idle(void)
{
    if (srv.live_rooms_all)
        return 0;
    for (size_t i = 0; i < srv.npdirty; i++)
        if (srv.pdirty[i])
            return 0;
    for (size_t t = 0; t < srv.nlive_pend; t++)
        if (srv.live_pend[t])
            return 0;
    return 1;
}

void live_free(void)
{
    for (size_t i = 0; i < srv.nlive_counts; i++)
        free(srv.live_counts[i]);
    for (size_t i = 0; i < srv.nlive_rooms; i++)
        json_decref(srv.live_rooms[i]);
    free(srv.live_pend);
    free(srv.live_counts);
    free(srv.live_rooms);
}
