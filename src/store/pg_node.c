/* pg_node.c – the cluster's statements on a node's listener connection (see pg_node.h). */
#include "store/pg_node.h"
#include "store/pg_int.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_pg_node_open(const char *uri, const char *app, store_pg_listener_t **out, char *err,
                       size_t errlen)
{
    int rc = store_pg_listen_open(uri, out, err, errlen);
    if (rc != STORE_OK)
        return rc;
    PGconn *c = (*out)->conn;
    store_pg__ok(c, "SET synchronous_commit TO off");
    const char *av[] = {app ? app : "staatsprint-cluster"};
    PQclear(PQexecParams(c, "SELECT set_config('application_name', $1, false)", 1, NULL, av,
                         NULL, NULL, 0));
    /* Nodes starting together must not race on CREATE TABLE (a unique-key error). The
     * inbox is an ordinary (logged) table: the sequence of an UNLOGGED one is unusable on
     * a standby promoted after a crash ("bad magic number"). Its commits still wait for
     * no flush (synchronous_commit off above). */
    int ok = store_pg__ok(c, "BEGIN") &&
             store_pg__ok(c, "SELECT pg_advisory_xact_lock(8319381482853593203)") &&
             store_pg__ok(c, "CREATE TABLE IF NOT EXISTS staatsprint_inbox ("
                             " id bigserial PRIMARY KEY,"
                             " log text NOT NULL,"
                             " msg json NOT NULL,"
                             " created timestamptz NOT NULL DEFAULT now())") &&
             store_pg__ok(c, "DO $$ BEGIN IF (SELECT relpersistence FROM pg_class"
                             " WHERE oid = to_regclass('staatsprint_inbox')) = 'u' THEN"
                             " ALTER TABLE staatsprint_inbox SET LOGGED; END IF; END $$") &&
             /* The lease: who leads the log, in which term, until when (database time). */
             store_pg__ok(c, "CREATE TABLE IF NOT EXISTS staatsprint_lease ("
                             " log text PRIMARY KEY,"
                             " node text NOT NULL,"
                             " term bigint NOT NULL,"
                             " expires timestamptz NOT NULL)") &&
             /* One row per node, renewed every second: the status, and its presence. */
             store_pg__ok(c, "CREATE UNLOGGED TABLE IF NOT EXISTS staatsprint_nodes ("
                             " log text NOT NULL,"
                             " node text NOT NULL,"
                             " url text NOT NULL,"
                             " role text NOT NULL,"
                             " head bigint NOT NULL,"
                             " seen timestamptz NOT NULL DEFAULT now(),"
                             " presence json,"
                             " PRIMARY KEY (log, node))") &&
             store_pg__ok(c, "COMMIT");
    if (!ok) {
        snprintf(err, errlen, "%s", PQerrorMessage(c));
        store_pg_listen_close(*out);
        *out = NULL;
        return STORE_EIO;
    }
    return STORE_OK;
}

int store_pg_node_alive(const store_pg_listener_t *l)
{
    return l != NULL && PQstatus(l->conn) == CONNECTION_OK;
}

const char *store_pg_node_error(const store_pg_listener_t *l)
{
    return l ? PQerrorMessage(l->conn) : "no connection";
}

/* Runs one statement with text values; 1 with the result kept in *res (caller clears),
 * or 0 on failure. */
static int node_exec(store_pg_listener_t *l, const char *sql, int n, const char *const *v,
                     PGresult **res)
{
    PGresult *r = PQexecParams(l->conn, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        PQclear(r);
        return 0;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 1;
}

int store_pg_node_try_lock(store_pg_listener_t *l, const char *key)
{
    const char *v[] = {key};
    PGresult *r;
    if (!node_exec(l, "SELECT pg_try_advisory_lock($1::bigint)", 1, v, &r))
        return STORE_EIO;
    int got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return got;
}

int store_pg_node_unlock(store_pg_listener_t *l, const char *key)
{
    const char *v[] = {key};
    return node_exec(l, "SELECT pg_advisory_unlock($1::bigint)", 1, v, NULL) ? 0 : STORE_EIO;
}

int store_pg_node_notify(store_pg_listener_t *l, const char *channel, const char *payload)
{
    const char *v[] = {channel, payload};
    return node_exec(l, "SELECT pg_notify($1, $2)", 2, v, NULL) ? 0 : STORE_EIO;
}

int store_pg_node_notify_each(store_pg_listener_t *l, const char *pairs)
{
    const char *v[] = {pairs};
    return node_exec(l, "SELECT pg_notify(x->>0, x->>1) FROM json_array_elements($1::json) x",
                     1, v, NULL) ? 0 : STORE_EIO;
}

int store_pg_node_inbox_put(store_pg_listener_t *l, const char *log, const char *msgs,
                            const char *channel)
{
    const char *v[] = {log, msgs, channel};
    return node_exec(l,
                     "WITH ins AS (INSERT INTO staatsprint_inbox(log, msg)"
                     " SELECT $1, x.v FROM json_array_elements($2::json)"
                     " WITH ORDINALITY AS x(v, o) ORDER BY x.o RETURNING 1)"
                     " SELECT pg_notify($3, '')",
                     3, v, NULL) ? 0 : STORE_EIO;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int store_pg_node_inbox_take(store_pg_listener_t *l, const char *log, int max,
                             void (*cb)(void *ud, const char *msg), void *ud)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", max);
    const char *v[] = {log, lim};
    PGresult *r;
    if (!node_exec(l,
                   "DELETE FROM staatsprint_inbox WHERE id IN (SELECT id FROM "
                   "staatsprint_inbox WHERE log = $1 ORDER BY id LIMIT $2::int)"
                   " RETURNING id, msg",
                   2, v, &r))
        return STORE_EIO;
    int n = PQntuples(r);
    /* RETURNING promises no order: sort the rows by id (a node's forwards in its order). */
    int64_t (*ix)[2] = n > 0 ? xmalloc((size_t)n * sizeof *ix) : NULL;
    for (int i = 0; i < n; i++) {
        ix[i][0] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        ix[i][1] = i;
    }
    if (n > 1)
        qsort(ix, (size_t)n, sizeof *ix, cmp_id);
    for (int i = 0; i < n; i++)
        cb(ud, PQgetvalue(r, (int)ix[i][1], 1));
    free(ix);
    PQclear(r);
    return n;
}

/* ---- the lease ---------------------------------------------------------------------- */

int64_t store_pg_node_take_lease(store_pg_listener_t *l, const char *log, const char *node,
                                 int lease_ms, const char *app_prefix)
{
    char lease[24];
    snprintf(lease, sizeof lease, "%d", lease_ms);
    const char *v[] = {log, node, lease, app_prefix};
    if (!node_exec(l, "BEGIN", 0, NULL, NULL))
        return STORE_EIO;
    int64_t term = 0;
    PGresult *r = NULL;
    int ok = node_exec(l, "SET LOCAL synchronous_commit TO on", 0, NULL, NULL) &&
             node_exec(l,
                       "INSERT INTO staatsprint_lease(log, node, term, expires)"
                       " VALUES ($1, $2, 0, now() - interval '1 second')"
                       " ON CONFLICT (log) DO NOTHING",
                       2, v, NULL) &&
             node_exec(l,
                       "UPDATE staatsprint_lease s SET node = $2,"
                       " term = GREATEST(s.term, COALESCE((SELECT g.term FROM logs g"
                       " WHERE g.log = $1), 0)) + 1,"
                       " expires = now() + $3::int * interval '1 millisecond'"
                       " WHERE s.log = $1 AND (s.expires < now() OR s.node = $2 OR NOT EXISTS"
                       " (SELECT 1 FROM pg_stat_activity a"
                       " WHERE a.application_name = $4 || s.node))"
                       " RETURNING s.term",
                       4, v, &r);
    if (ok && PQntuples(r) == 1)
        term = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    if (r)
        PQclear(r);
    if (ok && term > 0) {
        char t[24];
        snprintf(t, sizeof t, "%lld", (long long)term);
        const char *tv[] = {log, t};
        ok = node_exec(l, "UPDATE logs SET term = $2::bigint WHERE log = $1", 2, tv, NULL);
    }
    if (!ok || term == 0) {
        node_exec(l, "ROLLBACK", 0, NULL, NULL);
        return ok ? 0 : STORE_EIO;
    }
    return node_exec(l, "COMMIT", 0, NULL, NULL) ? term : STORE_EIO;
}

void store_pg_node_drop_lease(store_pg_listener_t *l, const char *log, const char *node,
                              int64_t term)
{
    char t[24];
    snprintf(t, sizeof t, "%lld", (long long)term);
    const char *v[] = {log, node, t};
    node_exec(l,
              "UPDATE staatsprint_lease SET expires = now() - interval '1 second'"
              " WHERE log = $1 AND node = $2 AND term = $3::bigint",
              3, v, NULL);
}

int store_pg_node_renew(store_pg_listener_t *l, const char *log, const char *node, int64_t term,
                        int lease_ms)
{
    char lease[24], t[24];
    snprintf(lease, sizeof lease, "%d", lease_ms);
    snprintf(t, sizeof t, "%lld", (long long)term);
    const char *v[] = {log, node, lease, t};
    PGresult *r;
    if (!node_exec(l,
                   "UPDATE staatsprint_lease SET"
                   " expires = now() + $3::int * interval '1 millisecond'"
                   " WHERE log = $1 AND node = $2 AND term = $4::bigint RETURNING 1",
                   4, v, &r))
        return STORE_EIO;
    int rc = PQntuples(r) == 1;
    PQclear(r);
    return rc;
}

/* ---- the nodes' rows ---------------------------------------------------------------- */

/* Row i of a result whose columns are node, url, role, head, seen_ms_ago (valid while r). */
static store_pg_node_row_t node_row(const PGresult *r, int i)
{
    store_pg_node_row_t row = {
        .node = PQgetvalue(r, i, 0),
        .url = PQgetvalue(r, i, 1),
        .role = PQgetvalue(r, i, 2),
        .head = strtoll(PQgetvalue(r, i, 3), NULL, 10),
        .seen_ms_ago = strtoll(PQgetvalue(r, i, 4), NULL, 10),
    };
    return row;
}

int store_pg_node_beat(store_pg_listener_t *l, const char *log, const store_pg_node_row_t *me,
                       int stale_s, store_pg_node_lease_t *lease,
                       void (*cb)(void *ud, const store_pg_node_row_t *row), void *ud)
{
    char head[24], stale[16];
    snprintf(head, sizeof head, "%lld", (long long)me->head);
    snprintf(stale, sizeof stale, "%d", stale_s);
    const char *v[] = {log, me->node, me->url ? me->url : "", me->role, head, me->presence};
    if (!node_exec(l,
                   "INSERT INTO staatsprint_nodes(log, node, url, role, head, seen, presence)"
                   " VALUES ($1, $2, $3, $4, $5::bigint, now(), $6::json)"
                   " ON CONFLICT (log, node) DO UPDATE SET url = EXCLUDED.url,"
                   " role = EXCLUDED.role, head = EXCLUDED.head, seen = now(),"
                   " presence = EXCLUDED.presence",
                   6, v, NULL))
        return STORE_EIO;
    const char *q[] = {log, stale};
    PGresult *r, *lr;
    if (!node_exec(l,
                   "SELECT node, url, role, head,"
                   " (extract(epoch FROM now() - seen) * 1000)::bigint, presence"
                   " FROM staatsprint_nodes WHERE log = $1"
                   " AND seen > now() - $2::int * interval '1 second' ORDER BY node",
                   2, q, &r))
        return STORE_EIO;
    if (!node_exec(l,
                   "SELECT node, term, (extract(epoch FROM expires - now()) * 1000)::bigint"
                   " FROM staatsprint_lease WHERE log = $1",
                   1, q, &lr)) {
        PQclear(r);
        return STORE_EIO;
    }
    memset(lease, 0, sizeof *lease);
    if (PQntuples(lr) == 1) {
        snprintf(lease->node, sizeof lease->node, "%s", PQgetvalue(lr, 0, 0));
        lease->term = strtoll(PQgetvalue(lr, 0, 1), NULL, 10);
        lease->expires_in_ms = strtoll(PQgetvalue(lr, 0, 2), NULL, 10);
    }
    PQclear(lr);
    for (int i = 0; i < PQntuples(r); i++) {
        store_pg_node_row_t row = node_row(r, i);
        row.presence = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
        cb(ud, &row);
    }
    PQclear(r);
    return STORE_OK;
}

int store_pg_node_status(const char *uri,
                         void (*log_cb)(void *ud, const char *log, int64_t head, int64_t term,
                                        const store_pg_node_lease_t *lease),
                         void (*node_cb)(void *ud, const store_pg_node_row_t *row), void *ud,
                         char *err, size_t errlen)
{
    store_pg_listener_t *l = NULL;
    int rc = store_pg_listen_open(uri, &l, err, errlen);
    if (rc != STORE_OK)
        return rc;
    PGresult *g;
    if (!node_exec(l,
                   "SELECT g.log, g.head, g.term, s.node,"
                   " (extract(epoch FROM s.expires - now()) * 1000)::bigint"
                   " FROM logs g LEFT JOIN staatsprint_lease s ON s.log = g.log ORDER BY g.log",
                   0, NULL, &g)) {
        snprintf(err, errlen, "%s", PQerrorMessage(l->conn));
        store_pg_listen_close(l);
        return STORE_EIO;
    }
    for (int i = 0; i < PQntuples(g); i++) {
        const char *log = PQgetvalue(g, i, 0);
        store_pg_node_lease_t lease = {.term = 0};
        if (!PQgetisnull(g, i, 3)) {
            snprintf(lease.node, sizeof lease.node, "%s", PQgetvalue(g, i, 3));
            lease.expires_in_ms = strtoll(PQgetvalue(g, i, 4), NULL, 10);
        }
        log_cb(ud, log, strtoll(PQgetvalue(g, i, 1), NULL, 10),
               strtoll(PQgetvalue(g, i, 2), NULL, 10), &lease);
        const char *v[] = {log};
        PGresult *r;
        if (node_exec(l,
                      "SELECT node, url, role, head, (extract(epoch FROM now() - seen)"
                      " * 1000)::bigint FROM staatsprint_nodes WHERE log = $1"
                      " ORDER BY role, node",
                      1, v, &r)) {
            for (int k = 0; k < PQntuples(r); k++) {
                store_pg_node_row_t row = node_row(r, k);
                node_cb(ud, &row);
            }
            PQclear(r);
        }
    }
    PQclear(g);
    store_pg_listen_close(l);
    return STORE_OK;
}
