/* bank_pg.c – the bank in PostgreSQL: the 'dutch' text search configuration plus our terms,
 * in a GIN index.
 *
 * bank_entry holds what a match needs, kept narrow so a match reads few heap pages: the
 * filter columns and tsv = to_tsvector('dutch', text) || array_to_tsvector(our terms), so
 * both PostgreSQL's own Dutch stemming and our analysis (bank_terms: a compound's parts, a
 * participle's infinitive, concept classes) are in the one GIN-indexed column. The entries'
 * JSON is in bank_doc, read for the page only. bank_term counts the entries per term and
 * sprint (our terms), for choosing the terms that rank.
 * A query is to_tsquery('dutch', w1 | w2 …) || (our terms, OR'd, as a tsquery literal,
 * which PostgreSQL takes as written), matched with @@ (the GIN index), ranked with ts_rank
 * (normalised by the text's length, as bm25 does). Every match costs a visit to its heap
 * row (the recheck): when the query's terms hold more than PG_RANK_CAP entries, only its
 * rarest terms rank (as in SQLite) and the total is estimated ("estimated": true).
 */
#include "bank/bank_int.h"
#include "util/xalloc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG(b) ((PGconn *)(b)->db)
#define PG_RANK_CAP 1000
#define PG_RANK_CAP_S "1000"

static const char schema[] =
    "SELECT pg_advisory_xact_lock(7432017);"
    "CREATE TABLE IF NOT EXISTS bank_sprint(sprint text PRIMARY KEY, head bigint NOT NULL,"
    " bank boolean NOT NULL, orgs boolean NOT NULL, public boolean NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bank_entry(id bigserial PRIMARY KEY, sprint text NOT NULL,"
    " challenge text NOT NULL, kind text NOT NULL, team text NOT NULL, chosen int NOT NULL,"
    " won int NOT NULL, pub boolean NOT NULL, tsv tsvector NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bank_doc(id bigint PRIMARY KEY, sprint text NOT NULL, entry text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bank_term(term text NOT NULL, sprint text NOT NULL, docs int NOT NULL,"
    " PRIMARY KEY (term, sprint));"
    "CREATE INDEX IF NOT EXISTS bank_entry_sprint ON bank_entry(sprint);"
    "CREATE INDEX IF NOT EXISTS bank_doc_sprint ON bank_doc(sprint);"
    "CREATE INDEX IF NOT EXISTS bank_term_sprint ON bank_term(sprint);"
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
    json_t *seen;     /* this entry's terms */
} arr_t;

static int arr_cb(void *ud, const char *term, size_t len, int colocated)
{
    (void)colocated;
    arr_t *a = ud;
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(len < 127 ? len : 127), term);
    if (json_object_get(a->seen, key))
        return 0;
    json_object_set_new(a->seen, key, json_true());
    if (a->n > 1)
        a->buf[a->n++] = ',';
    put_quoted(&a->buf, &a->n, &a->cap, term, len, '"');
    return 0;
}

static int pg_drop_in(PGconn *c, const char *sprint)
{
    const char *v[1] = {sprint};
    static const char *const sql[] = {"DELETE FROM bank_entry WHERE sprint = $1", "DELETE FROM bank_doc WHERE sprint = $1",
                                      "DELETE FROM bank_term WHERE sprint = $1", "DELETE FROM bank_sprint WHERE sprint = $1"};
    int rc = 0;
    for (size_t i = 0; i < 4 && rc == 0; i++)
        rc = exec_ok(c, sql[i], 1, v, PGRES_COMMAND_OK, "drop");
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
    json_t *e, *df = json_object();
    json_array_foreach(entries, i, e) {
        if (rc != 0)
            break;
        const char *text = json_string_value(json_object_get(e, "text"));
        arr_t a = {NULL, 0, 0, json_object()};
        xgrow((void **)&a.buf, &a.cap, 8, 1);
        a.buf[a.n++] = '{';
        a.buf[a.n] = '\0';
        bank_terms(b->an, text, strlen(text), arr_cb, &a);
        const char *k;
        json_t *v;
        json_object_foreach(a.seen, k, v) {
            (void)v;
            json_t *n = json_object_get(df, k);
            json_object_set_new(df, k, json_integer(n ? json_integer_value(n) + 1 : 1));
        }
        /* The filters as lexemes too (an underscore: never a word's term), so the GIN index
         * answers a filter with the words and only matching rows are visited. */
        char tag[160];
        const char *tags[6] = {"s_", "c_", "k_", NULL, NULL, NULL};
        const char *vals[3] = {sprint, json_string_value(json_object_get(e, "challenge")),
                               json_string_value(json_object_get(e, "kind"))};
        for (int q = 0; q < 3; q++) {
            snprintf(tag, sizeof tag, "%s%s", tags[q], vals[q] ? vals[q] : "");
            arr_cb(&a, tag, strlen(tag), 0);
        }
        if (json_integer_value(json_object_get(e, "chosen")))
            arr_cb(&a, "x_chosen", 8, 0);
        if (json_integer_value(json_object_get(e, "won")))
            arr_cb(&a, "x_won", 5, 0);
        if (fl->pub)
            arr_cb(&a, "x_pub", 5, 0);
        json_decref(a.seen);
        xgrow((void **)&a.buf, &a.cap, a.n + 2, 1);
        a.buf[a.n++] = '}';
        a.buf[a.n] = '\0';
        char *js = json_dumps(e, JSON_COMPACT);
        char ch[4], wo[4];
        snprintf(ch, sizeof ch, "%d", (int)json_integer_value(json_object_get(e, "chosen")));
        snprintf(wo, sizeof wo, "%d", (int)json_integer_value(json_object_get(e, "won")));
        const char *v9[10] = {sprint, json_string_value(json_object_get(e, "challenge")),
                              json_string_value(json_object_get(e, "kind")), json_string_value(json_object_get(e, "team")),
                              ch, wo, fl->pub ? "t" : "f", text, a.buf, js};
        rc = exec_ok(c,
                     "WITH e AS (INSERT INTO bank_entry(sprint, challenge, kind, team, chosen, won, pub, tsv)"
                     " VALUES($1, $2, $3, $4, $5, $6, $7, to_tsvector('dutch', $8) || array_to_tsvector($9::text[]))"
                     " RETURNING id) INSERT INTO bank_doc SELECT id, $1, $10 FROM e",
                     10, v9, PGRES_COMMAND_OK, "insert");
        free(js);
        free(a.buf);
    }
    /* The entries per term of this sprint, for choosing the rarest terms of a query. */
    if (rc == 0 && json_object_size(df) > 0) {
        arr_t terms = {NULL, 0, 0, json_object()}, counts = {NULL, 0, 0, NULL};
        xgrow((void **)&terms.buf, &terms.cap, 8, 1);
        xgrow((void **)&counts.buf, &counts.cap, 8, 1);
        terms.buf[terms.n++] = '{';
        counts.buf[counts.n++] = '{';
        const char *k;
        json_t *v;
        json_object_foreach(df, k, v) {
            arr_cb(&terms, k, strlen(k), 0);
            char num[24];
            int len = snprintf(num, sizeof num, "%s%lld", counts.n > 1 ? "," : "", (long long)json_integer_value(v));
            xgrow((void **)&counts.buf, &counts.cap, counts.n + (size_t)len + 2, 1);
            memcpy(counts.buf + counts.n, num, (size_t)len);
            counts.n += (size_t)len;
        }
        xgrow((void **)&terms.buf, &terms.cap, terms.n + 2, 1);
        terms.buf[terms.n++] = '}';
        terms.buf[terms.n] = '\0';
        counts.buf[counts.n++] = '}';
        counts.buf[counts.n] = '\0';
        const char *tv[3] = {sprint, terms.buf, counts.buf};
        rc = exec_ok(c, "INSERT INTO bank_term(term, sprint, docs) SELECT unnest($2::text[]), $1, unnest($3::int[])", 3,
                     tv, PGRES_COMMAND_OK, "terms");
        json_decref(terms.seen);
        free(terms.buf);
        free(counts.buf);
    }
    json_decref(df);
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

/* The chosen terms (used[i], or all) as a tsquery literal 't1' | 't2' …, and as a text[]. */
static char *tsquery_of(const json_t *terms, const unsigned char *used)
{
    char *o = NULL;
    size_t m = 0, cap = 0, i;
    json_t *t;
    xgrow((void **)&o, &cap, 8, 1);
    o[0] = '\0';
    json_array_foreach(terms, i, t) {
        if (used && !used[i])
            continue;
        if (m) {
            xgrow((void **)&o, &cap, m + 4, 1);
            m += (size_t)sprintf(o + m, " | ");
        }
        put_quoted(&o, &m, &cap, json_string_value(t), strlen(json_string_value(t)), '\'');
    }
    return o;
}

static char *text_array(const json_t *terms)
{
    arr_t a = {NULL, 0, 0, json_object()};
    xgrow((void **)&a.buf, &a.cap, 8, 1);
    a.buf[a.n++] = '{';
    size_t i;
    json_t *t;
    json_array_foreach(terms, i, t)
        arr_cb(&a, json_string_value(t), strlen(json_string_value(t)), 0);
    xgrow((void **)&a.buf, &a.cap, a.n + 2, 1);
    a.buf[a.n++] = '}';
    a.buf[a.n] = '\0';
    json_decref(a.seen);
    return a.buf;
}

static const char pg_filters[] =
    " AND ($3::text IS NULL OR e.sprint = $3) AND ($4::text IS NULL OR e.challenge = $4)"
    " AND ($5::text IS NULL OR e.kind = $5) AND ($6::int IS NULL OR e.chosen = $6)"
    " AND ($7::int IS NULL OR e.won = $7) AND ($8::int = 0 OR e.pub)";

static int pgb_search(bank_t *b, const bank_query_t *q, const json_t *words, json_t *hits, long long *total)
{
    PGconn *c = PG(b);
    json_t *terms = bank_query_terms(b->an, words);
    size_t nt = json_array_size(terms), i;
    /* How many entries hold each term (bank_term), to rank over the rarest. */
    long long *df = xcalloc(nt ? nt : 1, sizeof *df), sum = 0, maxdf = 0;
    char *arr = text_array(terms);
    const char *av[2] = {arr, q->sprint && q->sprint[0] ? q->sprint : NULL};
    PGresult *r = PQexecParams(c,
                               "SELECT term, sum(docs)::bigint FROM bank_term WHERE term = ANY($1::text[])"
                               " AND ($2::text IS NULL OR sprint = $2) GROUP BY term", 2, NULL, av, NULL, NULL, 0);
    free(arr);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        free(df);
        json_decref(terms);
        return pg_fail(c, r, "terms");
    }
    for (int k = 0; k < PQntuples(r); k++) {
        json_t *t;
        json_array_foreach(terms, i, t)
            if (strcmp(json_string_value(t), PQgetvalue(r, k, 0)) == 0)
                df[i] = strtoll(PQgetvalue(r, k, 1), NULL, 10);
    }
    PQclear(r);
    for (i = 0; i < nt; i++) {
        sum += df[i];
        maxdf = df[i] > maxdf ? df[i] : maxdf;
    }
    unsigned char *used = NULL;
    int pruned = sum > PG_RANK_CAP && nt > 1;
    long long taken = 0;
    if (pruned)
        used = bank_rarest(df, nt, PG_RANK_CAP, &taken);
    /* The 'dutch' half only when all terms rank (its counts are not known). */
    char *dutch = NULL;
    size_t dn = 0, dcap = 0;
    xgrow((void **)&dutch, &dcap, 8, 1);
    dutch[0] = '\0';
    json_t *w;
    if (!pruned)
        json_array_foreach(words, i, w) {
            const char *s = json_string_value(w);
            xgrow((void **)&dutch, &dcap, dn + strlen(s) + 8, 1);
            dn += (size_t)sprintf(dutch + dn, "%s%s", i ? " | " : "", s);
        }
    char *ours = tsquery_of(terms, used);
    /* The filters as a tsquery of tags, met in the GIN index with the words. */
    char *tagq = NULL;
    size_t tn = 0, tcap = 0;
    xgrow((void **)&tagq, &tcap, 8, 1);
    tagq[0] = '\0';
    const char *fk[6] = {"s_", "c_", "k_", "x_pub", "x_chosen", "x_won"};
    const char *fv[6] = {q->sprint, q->challenge, q->kind, q->public_only ? "" : NULL,
                         q->chosen >= 0 ? "" : NULL, q->won >= 0 ? "" : NULL};
    for (int k = 0; k < 6; k++) {
        if (fv[k] == NULL || (k < 3 && fv[k][0] == '\0'))
            continue;
        char t[160];
        snprintf(t, sizeof t, "%s%s", fk[k], fv[k]);
        int neg = (k == 4 && q->chosen == 0) || (k == 5 && q->won == 0);
        xgrow((void **)&tagq, &tcap, tn + 8, 1);
        tn += (size_t)sprintf(tagq + tn, "%s%s", tn ? " & " : "", neg ? "!" : "");
        put_quoted(&tagq, &tn, &tcap, t, strlen(t), '\'');
    }
    char chosen[4], won[4], pub[4], lim[16], off[16], sql[1200];
    snprintf(chosen, sizeof chosen, "%d", q->chosen);
    snprintf(won, sizeof won, "%d", q->won);
    snprintf(pub, sizeof pub, "%d", q->public_only ? 1 : 0);
    snprintf(lim, sizeof lim, "%d", q->limit);
    snprintf(off, sizeof off, "%d", q->offset);
    const char *v[11] = {dutch, ours, q->sprint && q->sprint[0] ? q->sprint : NULL,
                         q->challenge && q->challenge[0] ? q->challenge : NULL, q->kind && q->kind[0] ? q->kind : NULL,
                         q->chosen >= 0 ? chosen : NULL, q->won >= 0 ? won : NULL, pub, lim, off,
                         tn ? tagq : NULL};
    /* Even the rarest term alone in more than the cap (one common word): the first of its
     * entries the index yields rank, the cap of them (the scan stops there). */
    int sample = (pruned && taken > PG_RANK_CAP) || (nt == 1 && sum > PG_RANK_CAP);
    if (sample)
        pruned = 1;
    snprintf(sql, sizeof sql,
             "WITH x AS (SELECT CASE WHEN $11::tsquery IS NULL THEN to_tsquery('dutch', $1) || $2::tsquery"
             " ELSE (to_tsquery('dutch', $1) || $2::tsquery) && $11::tsquery END AS q),"
             " c AS (SELECT e.id, e.tsv FROM bank_entry e, x WHERE e.tsv @@ x.q%s%s),"
             " m AS (SELECT c.id, ts_rank(c.tsv, x.q, 1) AS r, count(*) OVER () AS n FROM c, x"
             " ORDER BY 2 DESC, c.id LIMIT $9 OFFSET $10)"
             " SELECT d.entry, m.r, m.n FROM m JOIN bank_doc d ON d.id = m.id ORDER BY m.r DESC, m.id", pg_filters,
             sample ? " LIMIT " PG_RANK_CAP_S : "");
    r = PQexecParams(c, sql, 11, NULL, v, NULL, NULL, 0);
    int rc = 0;
    *total = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pg_fail(c, r, "search");
        r = NULL;
    }
    int rows = r ? PQntuples(r) : 0;
    for (int k = 0; k < rows; k++) {
        json_t *e = json_loads(PQgetvalue(r, k, 0), 0, NULL);
        if (e)
            json_array_append_new(hits, json_pack("{so sf}", "entry", e, "rank", strtod(PQgetvalue(r, k, 1), NULL)));
        *total = strtoll(PQgetvalue(r, k, 2), NULL, 10);
    }
    PQclear(r);
    if (rc == 0 && rows == 0 && q->offset > 0) {
        /* A page past the end: the count alone. */
        snprintf(sql, sizeof sql,
                 "WITH x AS (SELECT CASE WHEN $11::tsquery IS NULL THEN to_tsquery('dutch', $1) || $2::tsquery"
                 " ELSE (to_tsquery('dutch', $1) || $2::tsquery) && $11::tsquery END AS q)"
                 " SELECT count(*) FROM bank_entry e, x WHERE e.tsv @@ x.q%s AND $9::int > 0 AND $10::int >= 0",
                 pg_filters);
        r = PQexecParams(c, sql, 11, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            *total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        else
            rc = pg_fail(c, r, "count"), r = NULL;
        PQclear(r);
    }
    /* Ranked over the rarest terms: the total is at least what one term alone holds. */
    if (pruned && *total < maxdf && !(q->challenge && q->challenge[0]) &&
        !(q->kind && q->kind[0]) && q->chosen < 0 && q->won < 0 && !q->public_only)
        *total = maxdf;
    if (pruned)
        *total = -1 - *total;   /* bank_search marks it estimated */
    free(dutch);
    free(ours);
    free(tagq);
    free(used);
    free(df);
    json_decref(terms);
    return rc;
}

static int pgb_all(bank_t *b, int public_only, json_t *out)
{
    const char *v[1] = {public_only ? "1" : "0"};
    PGresult *r = PQexecParams(PG(b),
                               "SELECT d.entry FROM bank_doc d JOIN bank_sprint s ON s.sprint = d.sprint"
                               " WHERE $1::int = 0 OR s.public ORDER BY d.sprint, d.id", 1, NULL, v, NULL, NULL, 0);
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
    /* The tables once: a search opens a connection each time, and DDL would take locks. */
    PGresult *r = PQexec(c, "SELECT to_regclass('bank_term') IS NOT NULL");
    int have = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!have) {
        r = PQexec(c, "BEGIN");
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
    }
    b->db = c;
    b->eng = &pg_engine;
    return 0;
}
