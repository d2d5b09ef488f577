/* bank_pg.c – the bank in PostgreSQL: the 'dutch' text search configuration plus our terms,
 * in a GIN index.
 *
 * bank_entry.tsv = to_tsvector('dutch', text) || array_to_tsvector(our terms), so both
 * PostgreSQL's own Dutch stemming and our analysis (bank_terms: a compound's parts, a
 * participle's infinitive, concept classes) are in the one GIN-indexed column. A query is
 * to_tsquery('dutch', w1 | w2 …) || (our terms of each word, OR'd, as a tsquery literal,
 * which PostgreSQL takes as written), matched with @@ (the GIN index) and ranked with
 * ts_rank (normalised by the text's length, as bm25 does).
 */
#include "bank/bank_int.h"
#include "util/xalloc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG(b) ((PGconn *)(b)->db)

static const char schema[] =
    "SELECT pg_advisory_xact_lock(7432017);"
    "CREATE TABLE IF NOT EXISTS bank_sprint(sprint text PRIMARY KEY, head bigint NOT NULL,"
    " bank boolean NOT NULL, orgs boolean NOT NULL, public boolean NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bank_entry(id bigserial PRIMARY KEY, sprint text NOT NULL,"
    " challenge text NOT NULL, kind text NOT NULL, team text NOT NULL, chosen int NOT NULL,"
    " won int NOT NULL, entry text NOT NULL, tsv tsvector NOT NULL);"
    "CREATE INDEX IF NOT EXISTS bank_entry_sprint ON bank_entry(sprint);"
    "CREATE INDEX IF NOT EXISTS bank_entry_tsv ON bank_entry USING GIN(tsv);";

static void notice_cb(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;   /* "text-search query contains only stop words": expected, not news */
}

static int pg_fail(PGconn *c, PGresult *r, const char *what)
{
    fprintf(stderr, "staatsprint: bank (PostgreSQL) %s: %s", what,
            r ? PQresultErrorMessage(r) : PQerrorMessage(c));
    PQclear(r);
    return BANK_EIO;
}

static int exec_ok(PGconn *c, const char *sql, int nparams, const char *const *vals, ExecStatusType want,
                   const char *what)
{
    PGresult *r = PQexecParams(c, sql, nparams, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != want)
        return pg_fail(c, r, what);
    PQclear(r);
    return 0;
}

/* Appends s to the growing buffer, as a quoted element of a text[] literal or a tsquery. */
static void put_quoted(char **buf, size_t *n, size_t *cap, const char *s, size_t len, char quote)
{
    xgrow((void **)buf, cap, *n + len * 2 + 8, 1);
    (*buf)[(*n)++] = quote;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == quote || s[i] == '\\')
            (*buf)[(*n)++] = '\\';
        (*buf)[(*n)++] = s[i];
    }
    (*buf)[(*n)++] = quote;
    (*buf)[*n] = '\0';
}

typedef struct {
    char *buf;
    size_t n, cap;
} arr_t;

static int arr_cb(void *ud, const char *term, size_t len, int colocated)
{
    (void)colocated;
    arr_t *a = ud;
    if (a->n > 1)
        a->buf[a->n++] = ',';
    put_quoted(&a->buf, &a->n, &a->cap, term, len, '"');
    return 0;
}

static int pg_drop_in(PGconn *c, const char *sprint)
{
    const char *v[1] = {sprint};
    int rc = exec_ok(c, "DELETE FROM bank_entry WHERE sprint = $1", 1, v, PGRES_COMMAND_OK, "drop");
    if (rc == 0)
        rc = exec_ok(c, "DELETE FROM bank_sprint WHERE sprint = $1", 1, v, PGRES_COMMAND_OK, "drop");
    return rc;
}

static int pg_tx(PGconn *c, const char *sql)
{
    return exec_ok(c, sql, 0, NULL, PGRES_COMMAND_OK, sql);
}

static int pgb_drop(bank_t *b, const char *sprint)
{
    int rc = pg_tx(PG(b), "BEGIN");
    if (rc == 0)
        rc = pg_drop_in(PG(b), sprint);
    if (rc == 0)
        rc = pg_tx(PG(b), "COMMIT");
    else
        pg_tx(PG(b), "ROLLBACK");
    return rc;
}

static int pgb_put(bank_t *b, const char *sprint, int64_t head, const bank_flags_t *fl, const json_t *entries)
{
    PGconn *c = PG(b);
    int rc = pg_tx(c, "BEGIN");
    /* Two nodes syncing at once take turns: each put replaces the sprint whole. */
    if (rc == 0)
        rc = exec_ok(c, "SELECT pg_advisory_xact_lock(7432018)", 0, NULL, PGRES_TUPLES_OK, "lock");
    if (rc == 0)
        rc = pg_drop_in(c, sprint);
    char hs[24];
    snprintf(hs, sizeof hs, "%lld", (long long)head);
    const char *sv[5] = {sprint, hs, fl->bank ? "t" : "f", fl->orgs ? "t" : "f", fl->pub ? "t" : "f"};
    if (rc == 0)
        rc = exec_ok(c, "INSERT INTO bank_sprint VALUES($1, $2, $3, $4, $5)", 5, sv, PGRES_COMMAND_OK, "insert");
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        if (rc != 0)
            break;
        const char *text = json_string_value(json_object_get(e, "text"));
        arr_t a = {NULL, 0, 0};
        xgrow((void **)&a.buf, &a.cap, 8, 1);
        a.buf[a.n++] = '{';
        a.buf[a.n] = '\0';
        bank_terms(b->an, text, strlen(text), arr_cb, &a);
        xgrow((void **)&a.buf, &a.cap, a.n + 2, 1);
        a.buf[a.n++] = '}';
        a.buf[a.n] = '\0';
        char *js = json_dumps(e, JSON_COMPACT);
        char ch[4], wo[4];
        snprintf(ch, sizeof ch, "%d", (int)json_integer_value(json_object_get(e, "chosen")));
        snprintf(wo, sizeof wo, "%d", (int)json_integer_value(json_object_get(e, "won")));
        const char *v[9] = {sprint, json_string_value(json_object_get(e, "challenge")),
                            json_string_value(json_object_get(e, "kind")), json_string_value(json_object_get(e, "team")),
                            ch, wo, js, text, a.buf};
        rc = exec_ok(c,
                     "INSERT INTO bank_entry(sprint, challenge, kind, team, chosen, won, entry, tsv)"
                     " VALUES($1, $2, $3, $4, $5, $6, $7, to_tsvector('dutch', $8) || array_to_tsvector($9::text[]))",
                     9, v, PGRES_COMMAND_OK, "insert");
        free(js);
        free(a.buf);
    }
    if (rc == 0)
        rc = pg_tx(c, "COMMIT");
    else
        pg_tx(c, "ROLLBACK");
    return rc;
}

static int pgb_indexed(bank_t *b, const char *sprint, int64_t *head, bank_flags_t *fl)
{
    const char *v[1] = {sprint};
    *head = 0;
    memset(fl, 0, sizeof *fl);
    PGresult *r = PQexecParams(PG(b), "SELECT head, bank, orgs, public FROM bank_sprint WHERE sprint = $1", 1, NULL,
                               v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_fail(PG(b), r, "read");
    if (PQntuples(r) == 1) {
        *head = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        fl->archived = 1;
        fl->bank = PQgetvalue(r, 0, 1)[0] == 't';
        fl->orgs = PQgetvalue(r, 0, 2)[0] == 't';
        fl->pub = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return 0;
}

/* The two halves of the query: 'w1 | w2' for the 'dutch' configuration, and our terms
 * ('t1' | 't2' …) as a tsquery literal. */
static void query_parts(bank_t *b, const json_t *words, char **dutch, char **ours)
{
    size_t i, j, n = 0, cap = 0, m = 0, mcap = 0;
    json_t *w, *t;
    char *d = NULL, *o = NULL;
    xgrow((void **)&d, &cap, 8, 1);
    xgrow((void **)&o, &mcap, 8, 1);
    d[0] = o[0] = '\0';
    json_array_foreach(words, i, w) {
        const char *s = json_string_value(w);
        xgrow((void **)&d, &cap, n + strlen(s) + 8, 1);
        n += (size_t)sprintf(d + n, "%s%s", i ? " | " : "", s);
    }
    json_t *terms = bank_word_terms(b->an, words), *alts;
    json_array_foreach(terms, i, alts)
        json_array_foreach(alts, j, t) {
            if (m) {
                xgrow((void **)&o, &mcap, m + 4, 1);
                m += (size_t)sprintf(o + m, " | ");
            }
            put_quoted(&o, &m, &mcap, json_string_value(t), strlen(json_string_value(t)), '\'');
        }
    json_decref(terms);
    *dutch = d;
    *ours = o;
}

static const char pg_filters[] =
    " AND ($3::text IS NULL OR e.sprint = $3) AND ($4::text IS NULL OR e.challenge = $4)"
    " AND ($5::text IS NULL OR e.kind = $5) AND ($6::int IS NULL OR e.chosen = $6)"
    " AND ($7::int IS NULL OR e.won = $7)"
    " AND ($8::int = 0 OR EXISTS (SELECT 1 FROM bank_sprint s WHERE s.sprint = e.sprint AND s.public))";

static int pgb_search(bank_t *b, const bank_query_t *q, const json_t *words, json_t *hits, long long *total)
{
    char *dutch, *ours;
    query_parts(b, words, &dutch, &ours);
    char chosen[4], won[4], pub[4], lim[16], off[16], sql[1200];
    snprintf(chosen, sizeof chosen, "%d", q->chosen);
    snprintf(won, sizeof won, "%d", q->won);
    snprintf(pub, sizeof pub, "%d", q->public_only ? 1 : 0);
    snprintf(lim, sizeof lim, "%d", q->limit);
    snprintf(off, sizeof off, "%d", q->offset);
    const char *v[10] = {dutch, ours, q->sprint && q->sprint[0] ? q->sprint : NULL,
                         q->challenge && q->challenge[0] ? q->challenge : NULL, q->kind && q->kind[0] ? q->kind : NULL,
                         q->chosen >= 0 ? chosen : NULL, q->won >= 0 ? won : NULL, pub, lim, off};
    snprintf(sql, sizeof sql,
             "WITH x AS (SELECT to_tsquery('dutch', $1) || $2::tsquery AS q)"
             " SELECT e.entry, ts_rank(e.tsv, x.q, 1), count(*) OVER () FROM bank_entry e, x"
             " WHERE e.tsv @@ x.q%s ORDER BY 2 DESC, e.id LIMIT $9 OFFSET $10", pg_filters);
    PGresult *r = PQexecParams(PG(b), sql, 10, NULL, v, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pg_fail(PG(b), r, "search");
        r = NULL;
    }
    *total = 0;
    int rows = r ? PQntuples(r) : 0;
    for (int i = 0; i < rows; i++) {
        json_t *e = json_loads(PQgetvalue(r, i, 0), 0, NULL);
        if (e)
            json_array_append_new(hits, json_pack("{so sf}", "entry", e, "rank", strtod(PQgetvalue(r, i, 1), NULL)));
        *total = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    }
    PQclear(r);
    if (rc == 0 && rows == 0 && q->offset > 0) {
        /* A page past the end: the count alone. */
        snprintf(sql, sizeof sql,
                 "WITH x AS (SELECT to_tsquery('dutch', $1) || $2::tsquery AS q)"
                 " SELECT count(*) FROM bank_entry e, x WHERE e.tsv @@ x.q%s AND $9::int > 0 AND $10::int >= 0",
                 pg_filters);
        r = PQexecParams(PG(b), sql, 10, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            *total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        else
            rc = pg_fail(PG(b), r, "count"), r = NULL;
        PQclear(r);
    }
    free(dutch);
    free(ours);
    return rc;
}

static int pgb_all(bank_t *b, int public_only, json_t *out)
{
    const char *v[1] = {public_only ? "1" : "0"};
    PGresult *r = PQexecParams(PG(b),
                               "SELECT e.entry FROM bank_entry e JOIN bank_sprint s ON s.sprint = e.sprint"
                               " WHERE $1::int = 0 OR s.public ORDER BY e.sprint, e.id", 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_fail(PG(b), r, "read");
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *e = json_loads(PQgetvalue(r, i, 0), 0, NULL);
        if (e)
            json_array_append_new(out, e);
    }
    PQclear(r);
    return 0;
}

static int pgb_public_count(bank_t *b, int *n)
{
    PGresult *r = PQexec(PG(b), "SELECT count(*) FROM bank_sprint WHERE public");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_fail(PG(b), r, "read");
    *n = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

static void pgb_close(bank_t *b)
{
    PQfinish(PG(b));
}

static const bank_engine_t pg_engine = {pgb_put, pgb_drop, pgb_indexed, pgb_search, pgb_all, pgb_public_count, pgb_close};

int bank_pg_open(bank_t *b, const char *uri, char *err, size_t errlen)
{
    PGconn *c = PQconnectdb(uri);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", c ? PQerrorMessage(c) : "out of memory");
        PQfinish(c);
        return BANK_EOPEN;
    }
    PQsetNoticeProcessor(c, notice_cb, NULL);
    PQsetClientEncoding(c, "UTF8");
    PGresult *r = PQexec(c, "BEGIN");
    PQclear(r);
    r = PQexec(c, schema);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, errlen, "PostgreSQL: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, ok ? "COMMIT" : "ROLLBACK");
    PQclear(r);
    if (!ok) {
        PQfinish(c);
        return BANK_EOPEN;
    }
    b->db = c;
    b->eng = &pg_engine;
    return 0;
}
