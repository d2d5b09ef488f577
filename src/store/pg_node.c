/* pg_node.c – the cluster's statements on a node's listener connection (see pg_node.h). */
#include "store/pg_node.h"
#include "store/pg_int.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_pg_node_open(const char *uri, store_pg_listener_t **out, char *err, size_t errlen)
{
    int rc = store_pg_listen_open(uri, out, err, errlen);
    if (rc != STORE_OK)
        return rc;
    PGconn *c = (*out)->conn;
    store_pg__ok(c, "SET synchronous_commit TO off");
    /* Nodes starting together must not race on CREATE TABLE (a unique-key error). */
    int ok = store_pg__ok(c, "BEGIN") &&
             store_pg__ok(c, "SELECT pg_advisory_xact_lock(8319381482853593203)") &&
             store_pg__ok(c, "CREATE UNLOGGED TABLE IF NOT EXISTS staatsprint_inbox ("
                             " id bigserial PRIMARY KEY,"
                             " log text NOT NULL,"
                             " msg json NOT NULL,"
                             " created timestamptz NOT NULL DEFAULT now())") &&
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
