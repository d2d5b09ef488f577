/* pg.c – the PostgreSQL engine of the store (libpq): events table, a head row per log.
 *
 * Design notes
 *  - Tables (created in the first schema of the search_path when missing):
 *      staatsprint_meta(name, value)   holds 'schema_version'
 *      logs(log, head)                 one row per log: its newest seq
 *      events(log, seq, …)             the records, primary key (log, seq)
 *    The schema is created under a transaction-scoped advisory lock, so nodes that start
 *    at the same moment on an empty database do not trip over each other. A version
 *    higher than ours is refused (STORE_ENEWER) before anything is written.
 *  - An append claims its range on the log's row first: "UPDATE logs SET head = last
 *    WHERE head = first - 1" (or, for seq 1, an INSERT of the row). That row lock is held
 *    to COMMIT, so of two nodes appending to one log at once the second waits, then finds
 *    the head moved and gets STORE_ECONFLICT (invariant 2) without writing anything. The
 *    primary key of events is the backstop: a duplicate also maps to STORE_ECONFLICT.
 *  - The claim statement also queues pg_notify(channel of the log, "<head> <log>"):
 *    PostgreSQL delivers it at COMMIT and drops it on ROLLBACK, so listeners (pg.h) never
 *    hear of records they cannot read yet.
 *  - Durability: COMMIT returns once the WAL is flushed (fsync on, synchronous_commit at
 *    least local). Open refuses a server with fsync off and raises a session's
 *    synchronous_commit from off to on, so an acknowledged event is on disk as with SQLite.
 *  - Records go in with multi-row INSERTs of 256, 128, … 1 rows (at most 9 statements
 *    besides the full ones), each prepared once per connection on first use. Values are
 *    always bound; the body is sent in binary form so that its length, not a NUL, ends it.
 *  - An append uses libpq's pipeline mode: BEGIN and the claim go in one round trip, the
 *    INSERTs and COMMIT in the next (PG_PIPELINE_DEPTH statements per round trip), so a
 *    group commit costs two round trips and one WAL flush however many rows it holds.
 *    The COMMIT is only sent once the claim has succeeded.
 *  - Reads fetch pages of PG_READ_PAGE rows by seq (keyset), so a large log is never in
 *    memory at once and the connection is free between pages (a callback may call
 *    store_head()).
 *
 * Append states:
 *   idle --[BEGIN, claim] sync--> claimed --[INSERT…, COMMIT] sync--> idle (durable)
 *                      |                      |
 *                      +-- no row claimed / any statement failed --> ROLLBACK --> idle
 * A lost connection is reset at the start of the next call (the session is set up and the
 * statements prepared again), so a later append succeeds once the server is back. A
 * COMMIT whose answer was lost is reported as STORE_EIO although it may have committed;
 * the retry then meets STORE_ECONFLICT, which the writer treats as fatal rather than
 * guessing.
 */
#include "store/pg.h"
#include "store/pg_int.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "util/xalloc.h"

#define PG_READ_PAGE 256
#define PG_INSERT_MAX 256 /* rows per INSERT statement; a power of two */
#define PG_INSERT_SIZES 9 /* statements for 1, 2, 4, … 256 rows */
#define PG_ROW_PARAMS 8   /* per row; the log is one shared parameter ($1) */
#define PG_INSERT_PARAMS (1 + PG_ROW_PARAMS * PG_INSERT_MAX)
/* INSERTs sent per round trip in one append (up to 16,384 rows). */
#define PG_PIPELINE_DEPTH 64
/* Notification payloads are limited to 8000 bytes; the head and a space go first. */
#define PG_LOG_MAX 7900
/* The advisory lock that serialises schema creation ("staatspr" in ASCII). */
#define PG_SCHEMA_LOCK "8319381482853593202"

/* Type oids of the parameters (server/catalog/pg_type_d.h is not part of libpq-dev). */
#define PG_INT8 20
#define PG_INT4 23
#define PG_TEXT 25

enum { PG_CLAIM_NEW, PG_CLAIM, PG_HEAD, PG_READ, PG_LOGS, PG_NSTMT };

static const struct {
    const char *name;
    const char *sql;
    int nparams;
    Oid types[6];
} pg_stmt[PG_NSTMT] = {
    /* $5/$6: the writer's term (store_pg_set_term); 0 writes without the fence. */
    [PG_CLAIM_NEW] = {"sp_claim_new",
                      "WITH c AS (INSERT INTO logs(log, head, term) VALUES ($1, $2, $5)"
                      " ON CONFLICT (log) DO NOTHING RETURNING head)"
                      " SELECT pg_notify($3, $4) FROM c",
                      5, {PG_TEXT, PG_INT8, PG_TEXT, PG_TEXT, PG_INT8}},
    [PG_CLAIM] = {"sp_claim",
                  "WITH c AS (UPDATE logs SET head = $3 WHERE log = $1 AND head = $2"
                  " AND ($6 = 0 OR term = $6) RETURNING head)"
                  " SELECT pg_notify($4, $5) FROM c",
                  6, {PG_TEXT, PG_INT8, PG_INT8, PG_TEXT, PG_TEXT, PG_INT8}},
    [PG_HEAD] = {"sp_head", "SELECT head FROM logs WHERE log = $1", 1, {PG_TEXT}},
    [PG_READ] = {"sp_read",
                 "SELECT seq, ts, type, aud_kind, aud_id, actor, cmd_id, body FROM events"
                 " WHERE log = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                 3, {PG_TEXT, PG_INT8, PG_INT8}},
    /* COLLATE "C": byte order, as SQLite lists them, whatever the database's locale. */
    [PG_LOGS] = {"sp_logs", "SELECT log FROM logs ORDER BY log COLLATE \"C\"", 0, {0}},
};

static const char *const pg_schema[] = {
    "CREATE TABLE IF NOT EXISTS staatsprint_meta ("
    " name text PRIMARY KEY,"
    " value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS logs ("
    " log text PRIMARY KEY,"
    " head bigint NOT NULL)",
    /* The fence of several nodes (pg.h, store_pg_set_term): added to older databases. */
    "ALTER TABLE logs ADD COLUMN IF NOT EXISTS term bigint NOT NULL DEFAULT 0",
    "CREATE TABLE IF NOT EXISTS events ("
    " log text NOT NULL,"
    " seq bigint NOT NULL,"
    " ts bigint NOT NULL,"
    " type text NOT NULL,"
    " aud_kind integer NOT NULL,"
    " aud_id text NOT NULL,"
    " actor text NOT NULL,"
    " cmd_id text NOT NULL,"
    " body text NOT NULL,"
    " PRIMARY KEY (log, seq))",
};

typedef struct {
    store_t base; /* must stay first: store.c sees only this */
    PGconn *conn;
    int prepared;       /* session set up, fixed statements exist on this connection */
    unsigned ins_ready; /* bit k: the INSERT of 2^k rows is prepared on this connection */
    /* Parameters of one INSERT; point into the records and into nums. */
    const char *values[PG_INSERT_PARAMS];
    int lengths[PG_INSERT_PARAMS];
    int formats[PG_INSERT_PARAMS];
    char nums[PG_INSERT_MAX][3][24];
    _Atomic int64_t term; /* the fence: appends only while logs.term is this (0: none) */
} pg_store_t;

static pg_store_t *pg_of(store_t *s)
{
    return (pg_store_t *)s;
}

static const char *pg_nz(const char *s)
{
    return s ? s : "";
}

/* "CREATE TABLE IF NOT EXISTS" and friends talk on stderr through notices; the store
 * reports what matters through its return codes instead. */
static void pg_notice_cb(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;
}

/* Copies libpq's message (several lines, tabs, "FATAL:  ") into one readable line. */
static void pg_one_line(const char *msg, char *out, size_t outlen)
{
    size_t o = 0;
    int space = 0;
    for (const char *p = msg ? msg : ""; *p && o + 1 < outlen; p++) {
        if (*p == '\n' || *p == '\t' || *p == ' ') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < outlen)
            out[o++] = ' ';
        space = 0;
        out[o++] = *p;
    }
    if (outlen > 0)
        out[o] = '\0';
}

/* Explains a failed connection: what was tried (never the password) and why it failed,
 * with the likely remedy for the three common cases. */
static void pg_open_reason(PGconn *c, char *err, size_t errlen)
{
    /* libpq says 'connection to server at "h", port p failed: <reason>\n\t<its hint>':
     * the place is said below and the remedy after, so only the reason is kept. */
    char first[600], msg[600];
    const char *full = c ? PQerrorMessage(c) : "out of memory";
    size_t cut = strcspn(full, "\n");
    snprintf(first, sizeof first, "%.*s", (int)(cut < sizeof first ? cut : sizeof first - 1),
             full);
    const char *reason = strstr(first, " failed: ");
    reason = reason ? reason + strlen(" failed: ") : first;
    if (strncmp(reason, "FATAL:", 6) == 0)
        reason += 6;
    pg_one_line(reason, msg, sizeof msg);
    const char *db = c ? PQdb(c) : NULL;
    const char *user = c ? PQuser(c) : NULL;
    const char *host = c ? PQhost(c) : NULL;
    const char *port = c ? PQport(c) : NULL;
    char where[300];
    if (host == NULL || host[0] == '\0')
        snprintf(where, sizeof where, "the default server");
    else if (host[0] == '/')
        snprintf(where, sizeof where, "socket %s/.s.PGSQL.%s", host, pg_nz(port));
    else
        snprintf(where, sizeof where, "%s port %s", host, pg_nz(port));

    const char *hint = "";
    if (strstr(msg, "password authentication failed") || strstr(msg, "role \"") ||
        strstr(msg, "pg_hba.conf") || strstr(msg, "authentication") ||
        strstr(msg, "no password supplied"))
        hint = "authentication failed: check the user name and password in the URI "
               "(and pg_hba.conf on the server)";
    else if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
        hint = "the database does not exist: create it first (createdb)";
    else if (strstr(msg, "Connection refused") || strstr(msg, "No such file or directory") ||
             strstr(msg, "timeout expired") || strstr(msg, "could not translate host name"))
        hint = "no server answers there: is PostgreSQL running and accepting connections?";

    if (db == NULL)
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", msg);
    else
        snprintf(err, errlen,
                 "cannot connect to PostgreSQL database \"%s\" as user \"%s\" at %s: %s%s%s",
                 db, pg_nz(user), where, msg, hint[0] ? " – " : "", hint);
}

/* Connects; defaults go before the URI so that the URI's own settings win. */
static PGconn *pg_connect(const char *uri, char *err, size_t errlen)
{
    /* Keepalives: a database that vanishes without a word (a cable, a crashed machine) is
     * noticed within ~25 s instead of the system's two hours (a node's leader lock and
     * LISTEN ride on such a connection). */
    const char *const keys[] = {"connect_timeout", "application_name", "keepalives_idle",
                                "keepalives_interval", "keepalives_count", "dbname", NULL};
    const char *const vals[] = {"10", "staatsprint", "10", "5", "3", uri, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        pg_open_reason(c, err, errlen);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, pg_notice_cb, NULL);
    if (PQsetClientEncoding(c, "UTF8") != 0) {
        snprintf(err, errlen, "PostgreSQL: cannot use UTF-8 on this connection");
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* Runs a statement without values (transaction control, settings, DDL) and returns
 * whether it answered with the expected status. */
static int pg_ok(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == want;
    PQclear(r);
    return ok;
}

/* Maps a failed statement to a store code: a taken seq is a conflict; bad data (class
 * 22: invalid UTF-8, a NUL in text) can never be written, so retrying is pointless. */
static int pg_code(const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL && strcmp(state, "23505") == 0)
        return STORE_ECONFLICT;
    if (state != NULL && strncmp(state, "22", 2) == 0)
        return STORE_EINVAL;
    return STORE_EIO;
}

/* Writes "what: <server message>" to err and returns code. */
static int pg_fail(PGconn *c, char *err, size_t errlen, int code, const char *what)
{
    char msg[600];
    pg_one_line(PQerrorMessage(c), msg, sizeof msg);
    snprintf(err, errlen, "%s: %s", what, msg);
    return code;
}

/* The first value of a one-row answer to a statement with bound values, into out
 * ("" when there is no row). Returns 0, or -1 when the statement failed. */
static int pg_value(PGconn *c, const char *sql, int n, const char *const *vals, char *out,
                    size_t outlen)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    out[0] = '\0';
    if (ok && PQntuples(r) > 0 && PQnfields(r) > 0)
        snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok ? 0 : -1;
}

/* Reads the schema version: 0 when the tables are not there yet. */
static int pg_version(PGconn *c, long *version)
{
    char v[32];
    *version = 0;
    if (pg_value(c, "SELECT to_regclass('staatsprint_meta') IS NOT NULL", 0, NULL, v,
                 sizeof v) < 0)
        return -1;
    if (strcmp(v, "t") != 0)
        return 0;
    if (pg_value(c, "SELECT value FROM staatsprint_meta WHERE name = 'schema_version'", 0,
                 NULL, v, sizeof v) < 0)
        return -1;
    *version = strtol(v, NULL, 10);
    return 0;
}

static int pg_newer(const char *db, long version, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "PostgreSQL database \"%s\" has schema version %ld: it was made by a newer "
             "staatsprint (this one knows up to version %d); upgrade staatsprint to open it",
             db, version, STORE_SCHEMA_VERSION);
    return STORE_ENEWER;
}

/* Refuses a newer schema, creates a missing one. One-off statements at open go through
 * PQexec (no values) or PQexecParams (bound values). */
static int pg_prepare_db(PGconn *c, char *err, size_t errlen)
{
    const char *db = PQdb(c);
    long version = 0;
    if (pg_version(c, &version) < 0)
        return pg_fail(c, err, errlen, STORE_EOPEN, "cannot read the staatsprint schema");
    if (version > STORE_SCHEMA_VERSION)
        return pg_newer(db, version, err, errlen);
    char fenced[8];
    if (version == STORE_SCHEMA_VERSION &&
        pg_value(c, "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass('logs')"
                    " AND attname = 'term' AND NOT attisdropped", 0, NULL, fenced,
                 sizeof fenced) == 0 && strcmp(fenced, "1") == 0)
        return STORE_OK;

    if (!pg_ok(c, "BEGIN", PGRES_COMMAND_OK))
        return pg_fail(c, err, errlen, STORE_EOPEN, "cannot start a transaction");
    const char *lock[] = {PG_SCHEMA_LOCK};
    char dummy[8];
    int rc = STORE_OK;
    if (pg_value(c, "SELECT pg_advisory_xact_lock($1::bigint)", 1, lock, dummy,
                 sizeof dummy) < 0 ||
        pg_version(c, &version) < 0) {
        rc = pg_fail(c, err, errlen, STORE_EOPEN, "cannot read the staatsprint schema");
    } else if (version > STORE_SCHEMA_VERSION) {
        rc = pg_newer(db, version, err, errlen); /* another node, newer, got there first */
    } else {
        for (size_t i = 0; rc == STORE_OK && i < sizeof pg_schema / sizeof pg_schema[0]; i++)
            if (!pg_ok(c, pg_schema[i], PGRES_COMMAND_OK))
                rc = pg_fail(c, err, errlen, STORE_EOPEN,
                             "cannot create the staatsprint tables (may this user create "
                             "tables in the schema?)");
        char ver[16];
        snprintf(ver, sizeof ver, "%d", STORE_SCHEMA_VERSION);
        const char *vals[] = {ver};
        PGresult *r = NULL;
        if (rc == STORE_OK)
            r = PQexecParams(c,
                             "INSERT INTO staatsprint_meta(name, value)"
                             " VALUES ('schema_version', $1)"
                             " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                             1, NULL, vals, NULL, NULL, 0);
        if (rc == STORE_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_fail(c, err, errlen, STORE_EOPEN, "cannot record the schema version");
        PQclear(r);
    }
    if (rc == STORE_OK && !pg_ok(c, "COMMIT", PGRES_COMMAND_OK))
        rc = pg_fail(c, err, errlen, STORE_EOPEN, "cannot create the staatsprint schema");
    if (rc != STORE_OK)
        pg_ok(c, "ROLLBACK", PGRES_COMMAND_OK);
    return rc;
}

/* Proves at open that appends can work and are durable, so that a problem is reported
 * now, with its reason, and not at the first event of the day. */
static int pg_check_writable(PGconn *c, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),"
                            " has_table_privilege('events', 'INSERT'),"
                            " has_table_privilege('logs', 'INSERT, UPDATE'),"
                            " current_setting('fsync'), current_setting('synchronous_commit')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return pg_fail(c, err, errlen, STORE_EOPEN, "cannot check the PostgreSQL server");
    }
    const char *db = PQdb(c);
    int rc = STORE_EOPEN;
    if (strcmp(PQgetvalue(r, 0, 0), "t") == 0 || strcmp(PQgetvalue(r, 0, 1), "on") == 0)
        snprintf(err, errlen, "PostgreSQL database \"%s\" is read-only here (a standby or a "
                 "read-only session); connect to the primary", db);
    else if (strcmp(PQgetvalue(r, 0, 2), "t") != 0 || strcmp(PQgetvalue(r, 0, 3), "t") != 0)
        snprintf(err, errlen, "PostgreSQL user \"%s\" may not write the staatsprint tables "
                 "of database \"%s\"; grant INSERT and UPDATE on events and logs",
                 pg_nz(PQuser(c)), db);
    else if (strcmp(PQgetvalue(r, 0, 4), "on") != 0)
        snprintf(err, errlen, "PostgreSQL server of database \"%s\" runs with fsync off: "
                 "acknowledged events could be lost; turn fsync on", db);
    else if (strcmp(PQgetvalue(r, 0, 5), "off") == 0 &&
             !pg_ok(c, "SET synchronous_commit TO on", PGRES_COMMAND_OK))
        pg_fail(c, err, errlen, STORE_EOPEN, "cannot turn synchronous_commit on");
    else
        rc = STORE_OK;
    PQclear(r);
    return rc;
}

/* Prepares the fixed statements on a fresh (or reset) connection. */
static int pg_prepare_stmts(pg_store_t *s)
{
    s->prepared = 0;
    s->ins_ready = 0;
    /* After a half-done attempt some names may exist already. */
    if (!pg_ok(s->conn, "DEALLOCATE ALL", PGRES_COMMAND_OK))
        return -1;
    for (int i = 0; i < PG_NSTMT; i++) {
        PGresult *r = PQprepare(s->conn, pg_stmt[i].name, pg_stmt[i].sql, pg_stmt[i].nparams,
                                pg_stmt[i].types);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return -1;
    }
    s->prepared = 1;
    return 0;
}

static void pg_close(store_t *base)
{
    pg_store_t *s = pg_of(base);
    if (s == NULL)
        return;
    PQfinish(s->conn);
    free(s);
}

static int pg_open(const char *uri, store_t **out, char *err, size_t errlen)
{
    /* store_open() has checked the arguments and cleared *out and err. */
    PGconn *c = pg_connect(uri, err, errlen);
    if (c == NULL)
        return STORE_EOPEN;
    pg_store_t *s = xcalloc(1, sizeof *s);
    s->base.engine = &store_pg_engine;
    s->conn = c;
    int rc = pg_prepare_db(c, err, errlen);
    if (rc == STORE_OK)
        rc = pg_check_writable(c, err, errlen);
    if (rc == STORE_OK && pg_prepare_stmts(s) < 0)
        rc = pg_fail(c, err, errlen, STORE_EOPEN,
                     "the staatsprint tables have an unexpected layout");
    if (rc != STORE_OK) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return STORE_OK;
}

/* Makes the connection usable: resets a lost one (and prepares again) and ends a
 * transaction a failure left open. Returns 0 or STORE_EIO. */
static int pg_ready(pg_store_t *s)
{
    if (PQstatus(s->conn) != CONNECTION_OK) {
        s->prepared = 0;
        PQreset(s->conn);
        if (PQstatus(s->conn) != CONNECTION_OK)
            return STORE_EIO;
    }
    if (PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF && !PQexitPipelineMode(s->conn))
        return STORE_EIO;
    if (!s->prepared) {
        /* A new session: the same settings and checks as at open, then the statements. */
        char err[256];
        PQsetNoticeProcessor(s->conn, pg_notice_cb, NULL);
        if (PQsetClientEncoding(s->conn, "UTF8") != 0 ||
            pg_check_writable(s->conn, err, sizeof err) != STORE_OK ||
            pg_prepare_stmts(s) < 0)
            return STORE_EIO;
    }
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        pg_ok(s->conn, "ROLLBACK", PGRES_COMMAND_OK);
    return STORE_OK;
}

/* Prepares the INSERT of 2^k rows on first use:
 * INSERT INTO events(…) VALUES ($1, $2, …, $9), ($1, $10, …, $17), … */
static int pg_insert_stmt(pg_store_t *s, unsigned k, char *name, size_t namelen)
{
    snprintf(name, namelen, "sp_ins_%u", 1u << k);
    if (s->ins_ready & (1u << k))
        return STORE_OK;
    size_t rows = (size_t)1 << k;
    size_t cap = 128 + rows * 64;
    char *sql = xmalloc(cap);
    size_t o = (size_t)snprintf(sql, cap, "INSERT INTO events(log, seq, ts, type, aud_kind,"
                                " aud_id, actor, cmd_id, body) VALUES ");
    Oid types[PG_INSERT_PARAMS];
    static const Oid row_types[PG_ROW_PARAMS] = {PG_INT8, PG_INT8, PG_TEXT, PG_INT4,
                                                 PG_TEXT, PG_TEXT, PG_TEXT, PG_TEXT};
    types[0] = PG_TEXT;
    for (size_t i = 0; i < rows; i++) {
        size_t p = 2 + i * PG_ROW_PARAMS;
        o += (size_t)snprintf(sql + o, cap - o, "%s($1,$%zu,$%zu,$%zu,$%zu,$%zu,$%zu,$%zu,$%zu)",
                              i ? "," : "", p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7);
        memcpy(&types[1 + i * PG_ROW_PARAMS], row_types, sizeof row_types);
    }
    PGresult *r = PQprepare(s->conn, name, sql, (int)(1 + rows * PG_ROW_PARAMS), types);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? STORE_OK : STORE_EIO;
    PQclear(r);
    free(sql);
    if (rc == STORE_OK)
        s->ins_ready |= 1u << k;
    return rc;
}

/* Bodies over PostgreSQL's limit for one value (1 GB) can never be stored. */
static int pg_check_bodies(const store_rec_t *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = recs[i].body_len ? recs[i].body_len : strlen(pg_nz(recs[i].body));
        if (len > (size_t)0x3fffffff)
            return STORE_EINVAL;
    }
    return STORE_OK;
}

/* Queues the INSERT of recs[0..2^k) on the pipeline. libpq copies the values into its
 * output buffer at once, so the scratch arrays can be reused for the next one. */
static int pg_send_insert(pg_store_t *s, const char *log, const store_rec_t *recs, unsigned k)
{
    char name[32];
    snprintf(name, sizeof name, "sp_ins_%u", 1u << k);
    size_t rows = (size_t)1 << k;
    s->values[0] = log;
    s->formats[0] = 0;
    s->lengths[0] = 0;
    for (size_t i = 0; i < rows; i++) {
        const store_rec_t *r = &recs[i];
        const char **v = &s->values[1 + i * PG_ROW_PARAMS];
        int *len = &s->lengths[1 + i * PG_ROW_PARAMS];
        int *fmt = &s->formats[1 + i * PG_ROW_PARAMS];
        snprintf(s->nums[i][0], sizeof s->nums[i][0], "%lld", (long long)r->seq);
        snprintf(s->nums[i][1], sizeof s->nums[i][1], "%lld", (long long)r->ts);
        snprintf(s->nums[i][2], sizeof s->nums[i][2], "%d", r->aud_kind);
        const char *body = pg_nz(r->body);
        size_t body_len = r->body_len ? r->body_len : strlen(body);
        v[0] = s->nums[i][0];
        v[1] = s->nums[i][1];
        v[2] = pg_nz(r->type);
        v[3] = s->nums[i][2];
        v[4] = pg_nz(r->aud_id);
        v[5] = pg_nz(r->actor);
        v[6] = pg_nz(r->cmd_id);
        v[7] = body;
        for (int j = 0; j < PG_ROW_PARAMS; j++) {
            len[j] = 0;
            fmt[j] = 0;
        }
        /* Binary text is the bytes themselves: the length ends the body, not a NUL. */
        len[7] = (int)body_len;
        fmt[7] = 1;
    }
    return PQsendQueryPrepared(s->conn, name, (int)(1 + rows * PG_ROW_PARAMS), s->values,
                               s->lengths, s->formats, 0)
               ? STORE_OK
               : STORE_EIO;
}

/* Queues the claim of seqs first..last of log (see the design notes) with its
 * notification. */
static int pg_send_claim(pg_store_t *s, const char *log, int64_t first, int64_t last)
{
    char prev[24], head[24], chan[STORE_PG_CHANNEL_MAX + 1];
    char term[24];
    snprintf(prev, sizeof prev, "%lld", (long long)(first - 1));
    snprintf(head, sizeof head, "%lld", (long long)last);
    snprintf(term, sizeof term, "%lld", (long long)atomic_load(&s->term));
    store_pg_channel(log, chan, sizeof chan);
    size_t plen = strlen(head) + 1 + strlen(log) + 1;
    char *payload = xmalloc(plen);
    snprintf(payload, plen, "%s %s", head, log);
    int ok;
    if (first == 1) {
        const char *v[] = {log, head, chan, payload, term};
        ok = PQsendQueryPrepared(s->conn, pg_stmt[PG_CLAIM_NEW].name, 5, v, NULL, NULL, 0);
    } else {
        const char *v[] = {log, prev, head, chan, payload, term};
        ok = PQsendQueryPrepared(s->conn, pg_stmt[PG_CLAIM].name, 6, v, NULL, NULL, 0);
    }
    free(payload);
    return ok ? STORE_OK : STORE_EIO;
}

static int pg_send_sql(PGconn *c, const char *sql)
{
    return PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) ? STORE_OK : STORE_EIO;
}

/* Sends a sync for the nq statements queued and reads their results, up to the sync's.
 * Returns 0 when all succeeded, else the code of the first failure (later ones are
 * skipped by the server). *rows, when rows is not NULL, gets the row count of result
 * number rows_of; with commit set, the last statement must have committed. */
static int pg_sync(PGconn *c, int nq, int rows_of, int *rows, int commit)
{
    if (!PQpipelineSync(c))
        return STORE_EIO;
    int rc = STORE_OK, seen = 0, nulls = 0;
    for (;;) {
        PGresult *r = PQgetResult(c);
        if (r == NULL) {
            /* One NULL ends each statement's results; more in a row means the answers
             * stopped (a lost connection). */
            if (PQstatus(c) != CONNECTION_OK || ++nulls > 1)
                return rc != STORE_OK ? rc : STORE_EIO;
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        int i = seen++;
        if (rc == STORE_OK) {
            if (st == PGRES_FATAL_ERROR)
                rc = pg_code(r);
            else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
                rc = STORE_EIO;
            else if (rows != NULL && i == rows_of)
                *rows = PQntuples(r);
            else if (commit && i == nq - 1 && strcmp(PQcmdStatus(r), "COMMIT") != 0)
                rc = STORE_EIO;
        }
        PQclear(r);
    }
    return rc == STORE_OK && seen != nq ? STORE_EIO : rc;
}

/* The INSERT sizes a batch of n uses: 2^k rows while more than that remain. */
static unsigned pg_chunk(size_t left)
{
    unsigned k = PG_INSERT_SIZES - 1;
    while (((size_t)1 << k) > left)
        k--;
    return k;
}

/* The append proper, in pipeline mode: round trip 1 sends BEGIN and the claim; then the
 * INSERTs go PG_PIPELINE_DEPTH at a time, the last group with the COMMIT. A typical
 * group commit is two round trips and one WAL flush. */
static int pg_append_pipelined(pg_store_t *s, const char *log, const store_rec_t *recs,
                               size_t n)
{
    PGconn *c = s->conn;
    int rows = -1;
    int rc = pg_send_sql(c, "BEGIN");
    if (rc == STORE_OK)
        rc = pg_send_claim(s, log, recs[0].seq, recs[n - 1].seq);
    if (rc == STORE_OK)
        rc = pg_sync(c, 2, 1, &rows, 0);
    if (rc == STORE_OK && rows != 1)
        rc = STORE_ECONFLICT;
    size_t done = 0;
    while (rc == STORE_OK) {
        int nq = 0;
        while (rc == STORE_OK && done < n && nq < PG_PIPELINE_DEPTH) {
            unsigned k = pg_chunk(n - done);
            rc = pg_send_insert(s, log, recs + done, k);
            done += (size_t)1 << k;
            nq++;
        }
        int last = done == n;
        if (rc == STORE_OK && last) {
            rc = pg_send_sql(c, "COMMIT");
            nq++;
        }
        if (rc != STORE_OK)
            break;
        rc = pg_sync(c, nq, -1, NULL, last);
        if (last)
            break;
    }
    return rc;
}

static int pg_append(store_t *base, const char *log, const store_rec_t *recs, size_t n)
{
    pg_store_t *s = pg_of(base);
    if (log == NULL || log[0] == '\0' || strlen(log) > PG_LOG_MAX || (n > 0 && recs == NULL))
        return STORE_EINVAL;
    if (n == 0)
        return STORE_OK;
    /* A batch must itself be gap-free; checked before touching the database. */
    if (recs[0].seq < 1)
        return STORE_EINVAL;
    for (size_t i = 1; i < n; i++)
        if (recs[i].seq != recs[0].seq + (int64_t)i)
            return STORE_EINVAL;
    if (pg_check_bodies(recs, n) != STORE_OK)
        return STORE_EINVAL;

    if (pg_ready(s) != STORE_OK)
        return STORE_EIO;
    /* PQprepare cannot run inside a pipeline: prepare the sizes this batch needs first. */
    char name[32];
    size_t rest = n % PG_INSERT_MAX;
    for (unsigned k = 0; k < PG_INSERT_SIZES; k++) {
        int needed = k == PG_INSERT_SIZES - 1 ? n >= PG_INSERT_MAX : (rest >> k) & 1;
        if (needed && pg_insert_stmt(s, k, name, sizeof name) != STORE_OK)
            return STORE_EIO;
    }
    if (!PQenterPipelineMode(s->conn))
        return STORE_EIO;
    int rc = pg_append_pipelined(s, log, recs, n);
    /* Leaving pipeline mode fails only when answers are still owed: a send failed before
     * its sync. The connection is then in no known state; a new one replaces it and the
     * server rolls the open transaction back. */
    if (!PQexitPipelineMode(s->conn) && PQstatus(s->conn) == CONNECTION_OK) {
        s->prepared = 0;
        PQreset(s->conn);
    }
    if (rc != STORE_OK && PQstatus(s->conn) == CONNECTION_OK &&
        PQpipelineStatus(s->conn) == PQ_PIPELINE_OFF &&
        PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        pg_ok(s->conn, "ROLLBACK", PGRES_COMMAND_OK);
    return rc;
}

static int64_t pg_int(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int pg_read(store_t *base, const char *log, int64_t after, store_read_cb cb, void *ud)
{
    pg_store_t *s = pg_of(base);
    if (log == NULL || log[0] == '\0' || cb == NULL)
        return STORE_EINVAL;
    if (pg_ready(s) != STORE_OK)
        return STORE_EIO;
    char from[24], page[16];
    snprintf(page, sizeof page, "%d", PG_READ_PAGE);
    for (;;) {
        snprintf(from, sizeof from, "%lld", (long long)after);
        const char *v[] = {log, from, page};
        PGresult *r = PQexecPrepared(s->conn, pg_stmt[PG_READ].name, 3, v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            PQclear(r);
            return STORE_EIO;
        }
        int rows = PQntuples(r);
        for (int i = 0; i < rows; i++) {
            store_rec_t rec = {
                .seq = pg_int(r, i, 0),
                .ts = pg_int(r, i, 1),
                .type = PQgetvalue(r, i, 2),
                .aud_kind = (int)pg_int(r, i, 3),
                .aud_id = PQgetvalue(r, i, 4),
                .actor = PQgetvalue(r, i, 5),
                .cmd_id = PQgetvalue(r, i, 6),
                .body = PQgetvalue(r, i, 7),
                .body_len = (size_t)PQgetlength(r, i, 7),
            };
            after = rec.seq;
            if (cb(ud, &rec) != 0) {
                PQclear(r);
                return STORE_ESTOP;
            }
        }
        PQclear(r);
        if (rows < PG_READ_PAGE)
            return STORE_OK;
    }
}

static int pg_head(store_t *base, const char *log, int64_t *seq)
{
    if (log == NULL || log[0] == '\0' || seq == NULL)
        return STORE_EINVAL;
    *seq = 0;
    pg_store_t *s = pg_of(base);
    if (pg_ready(s) != STORE_OK)
        return STORE_EIO;
    const char *v[] = {log};
    PGresult *r = PQexecPrepared(s->conn, pg_stmt[PG_HEAD].name, 1, v, NULL, NULL, 0);
    int rc = STORE_EIO;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        if (PQntuples(r) > 0)
            *seq = pg_int(r, 0, 0);
        rc = STORE_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_logs(store_t *base, void (*cb)(void *ud, const char *log), void *ud)
{
    if (cb == NULL)
        return STORE_EINVAL;
    pg_store_t *s = pg_of(base);
    if (pg_ready(s) != STORE_OK)
        return STORE_EIO;
    PGresult *r = PQexecPrepared(s->conn, pg_stmt[PG_LOGS].name, 0, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return STORE_EIO;
    }
    for (int i = 0; i < PQntuples(r); i++)
        cb(ud, PQgetvalue(r, i, 0));
    PQclear(r);
    return STORE_OK;
}

const store_engine_t store_pg_engine = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .append = pg_append,
    .read = pg_read,
    .head = pg_head,
    .logs = pg_logs,
};

void store_pg_set_term(store_t *base, int64_t term)
{
    if (base != NULL && base->engine == &store_pg_engine)
        atomic_store(&pg_of(base)->term, term);
}

/* ---- notifications ---------------------------------------------------------------- */

int store_pg_channel(const char *log, char *out, size_t outlen)
{
    if (log == NULL || log[0] == '\0' || out == NULL || outlen < STORE_PG_CHANNEL_MAX + 1)
        return STORE_EINVAL;
    size_t len = strlen(log);
    if (3 + len <= STORE_PG_CHANNEL_MAX) {
        snprintf(out, outlen, "sp:%s", log);
        return STORE_OK;
    }
    /* FNV-1a, 64 bits: a stable name; a rare collision only costs a needless read,
     * because listeners take the log id from the payload. */
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)log[i];
        h *= 0x100000001b3ull;
    }
    snprintf(out, outlen, "sp#%016llx", (unsigned long long)h);
    return STORE_OK;
}

PGconn *store_pg__connect(const char *uri, char *err, size_t errlen)
{
    return pg_connect(uri, err, errlen);
}

int store_pg__ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

int store_pg_listen_open(const char *uri, store_pg_listener_t **out, char *err,
                         size_t errlen)
{
    char scratch[8];
    if (err == NULL || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (out == NULL)
        return STORE_EINVAL;
    *out = NULL;
    if (uri == NULL || uri[0] == '\0') {
        snprintf(err, errlen, "no database URI given");
        return STORE_EINVAL;
    }
    PGconn *c = pg_connect(uri, err, errlen);
    if (c == NULL)
        return STORE_EOPEN;
    store_pg_listener_t *l = xcalloc(1, sizeof *l);
    l->conn = c;
    *out = l;
    return STORE_OK;
}

/* LISTEN takes a channel name, not a value, so it cannot be bound: the name is quoted
 * with PQescapeIdentifier() instead, which makes any name a single identifier. The one
 * LISTEN of staatsprint: a log's channel (store_pg_listen) and a node's (pg_node.c). */
static int pg_listen_raw(store_pg_listener_t *l, const char *verb, const char *chan)
{
    if (l == NULL || chan == NULL || chan[0] == '\0')
        return STORE_EINVAL;
    char *ident = PQescapeIdentifier(l->conn, chan, strlen(chan));
    if (ident == NULL)
        return STORE_EIO;
    size_t len = strlen(verb) + 1 + strlen(ident) + 1;
    char *sql = xmalloc(len);
    snprintf(sql, len, "%s %s", verb, ident);
    PQfreemem(ident);
    int ok = pg_ok(l->conn, sql, PGRES_COMMAND_OK);
    free(sql);
    return ok ? STORE_OK : STORE_EIO;
}

static int pg_listen_cmd(store_pg_listener_t *l, const char *verb, const char *log)
{
    char chan[STORE_PG_CHANNEL_MAX + 1];
    if (l == NULL || store_pg_channel(log, chan, sizeof chan) != STORE_OK)
        return STORE_EINVAL;
    return pg_listen_raw(l, verb, chan);
}

int store_pg_listen_channel(store_pg_listener_t *l, const char *channel)
{
    return pg_listen_raw(l, "LISTEN", channel);
}

int store_pg_listen(store_pg_listener_t *l, const char *log)
{
    return pg_listen_cmd(l, "LISTEN", log);
}

int store_pg_unlisten(store_pg_listener_t *l, const char *log)
{
    return pg_listen_cmd(l, "UNLISTEN", log);
}

int store_pg_listen_fd(const store_pg_listener_t *l)
{
    return l ? PQsocket(l->conn) : -1;
}

int store_pg_listen_drain_any(store_pg_listener_t *l,
                              int (*cb)(void *ud, const char *channel, const char *payload),
                              void *ud)
{
    if (l == NULL)
        return STORE_EINVAL;
    if (PQconsumeInput(l->conn) == 0)
        return STORE_EIO;
    int count = 0;
    PGnotify *n;
    while ((n = PQnotifies(l->conn)) != NULL) {
        count += cb(ud, n->relname, n->extra);
        PQfreemem(n);
    }
    return count;
}

typedef struct {
    void (*cb)(void *ud, const char *log, int64_t head);
    void *ud;
} head_cb_t;

/* A log's notification: only our own payloads ("<head> <log>") count. */
static int pg_deliver_head(void *ud, const char *channel, const char *payload)
{
    (void)channel;
    head_cb_t *h = ud;
    char *end = NULL;
    long long head = strtoll(payload, &end, 10);
    if (end == payload || *end != ' ' || end[1] == '\0')
        return 0;
    if (h->cb != NULL)
        h->cb(h->ud, end + 1, (int64_t)head);
    return 1;
}

int store_pg_listen_drain(store_pg_listener_t *l,
                          void (*cb)(void *ud, const char *log, int64_t head), void *ud)
{
    head_cb_t h = {cb, ud};
    return store_pg_listen_drain_any(l, pg_deliver_head, &h);
}

int store_pg_listen_wait(store_pg_listener_t *l, int timeout_ms,
                         void (*cb)(void *ud, const char *log, int64_t head), void *ud)
{
    int got = store_pg_listen_drain(l, cb, ud);
    if (got != 0)
        return got;
    struct pollfd p = {.fd = PQsocket(l->conn), .events = POLLIN};
    if (p.fd < 0)
        return STORE_EIO;
    int rc;
    do
        rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return STORE_EIO;
    if (rc == 0)
        return 0;
    return store_pg_listen_drain(l, cb, ud);
}

void store_pg_listen_close(store_pg_listener_t *l)
{
    if (l == NULL)
        return;
    PQfinish(l->conn);
    free(l);
}
