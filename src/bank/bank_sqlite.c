/* bank_sqlite.c – the bank in a SQLite file: FTS5 with our own tokenizer.
 *
 * Tables (next to the store's): bank_sprint (one row per indexed sprint: the log head it
 * was built from and the organiser's choices), bank_entry (one row per entry: the filter
 * columns and the entry's JSON) and bank_fts, an FTS5 table over the entries' texts whose
 * rowid is bank_entry.id. Its tokenizer "staatsprint" is registered on every connection
 * through the fts5_api: it runs bank_terms, giving a compound's parts, a participle's
 * infinitive and a word's concept class as colocated tokens. A query is built from the
 * user's words, each a quoted FTS5 string that the same tokenizer turns into its terms
 * (colocated terms of a query string are alternatives), OR'd together and ranked by
 * FTS5's bm25(). Without the tokenizer a connection cannot read bank_fts: tools that open
 * the file (sqlite3) see the other tables only.
 */
#include "bank/bank_int.h"
#include "util/xalloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB(b) ((sqlite3 *)(b)->db)

/* ---- the tokenizer ------------------------------------------------------------------------- */

typedef struct {
    bank_an_t *an;
} tok_t;

static int tok_create(void *ctx, const char **azArg, int nArg, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)azArg;
    (void)nArg;
    tok_t *t = xcalloc(1, sizeof *t);
    t->an = bank_an_new();
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
    tok_t *t = (tok_t *)p;
    bank_an_free(t->an);
    free(t);
}

typedef struct {
    void *ctx;
    int (*xToken)(void *, int, const char *, int, int, int);
    int n;
} emit_t;

static int emit_cb(void *ud, const char *term, size_t len, int colocated)
{
    emit_t *e = ud;
    /* Offsets are for FTS5's highlight() and snippet(), which the bank does not use
     * (bank_snippet marks words by the same analysis); they span the whole text. */
    return e->xToken(e->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, term, (int)len, 0, e->n);
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n,
                        int (*xToken)(void *, int, const char *, int, int, int))
{
    (void)flags;
    tok_t *t = (tok_t *)p;
    emit_t e = {ctx, xToken, n};
    return bank_terms(t->an, text, (size_t)(n < 0 ? 0 : n), emit_cb, &e);
}

static int register_tokenizer(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (api == NULL || api->iVersion < 2)
        return -1;
    static fts5_tokenizer tk = {tok_create, tok_delete, tok_tokenize};
    return api->xCreateTokenizer(api, "staatsprint", NULL, &tk, NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- the engine ---------------------------------------------------------------------------- */

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS bank_sprint(sprint TEXT PRIMARY KEY, head INTEGER NOT NULL,"
    " bank INTEGER NOT NULL, orgs INTEGER NOT NULL, public INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bank_entry(id INTEGER PRIMARY KEY, sprint TEXT NOT NULL,"
    " challenge TEXT NOT NULL, kind TEXT NOT NULL, team TEXT NOT NULL, chosen INTEGER NOT NULL,"
    " won INTEGER NOT NULL, entry TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS bank_entry_sprint ON bank_entry(sprint);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS bank_fts USING fts5(text, tokenize='staatsprint');";

static int sq_fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "staatsprint: bank (SQLite) %s: %s\n", what, sqlite3_errmsg(db));
    return BANK_EIO;
}

static int sq_drop_in(sqlite3 *db, const char *sprint)
{
    static const char *const sql[] = {
        "DELETE FROM bank_fts WHERE rowid IN (SELECT id FROM bank_entry WHERE sprint = ?1)",
        "DELETE FROM bank_entry WHERE sprint = ?1",
        "DELETE FROM bank_sprint WHERE sprint = ?1",
    };
    for (size_t i = 0; i < 3; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql[i], -1, &st, NULL) != SQLITE_OK)
            return sq_fail(db, "drop");
        sqlite3_bind_text(st, 1, sprint, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return sq_fail(db, "drop");
    }
    return 0;
}

static int sq_drop(bank_t *b, const char *sprint)
{
    sqlite3 *db = DB(b);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(db, "begin");
    int rc = sq_drop_in(db, sprint);
    sqlite3_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int sq_put(bank_t *b, const char *sprint, int64_t head, const bank_flags_t *fl, const json_t *entries)
{
    sqlite3 *db = DB(b);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(db, "begin");
    int rc = sq_drop_in(db, sprint);
    sqlite3_stmt *sp = NULL, *en = NULL, *ft = NULL;
    if (rc == 0 &&
        (sqlite3_prepare_v2(db, "INSERT INTO bank_sprint VALUES(?1, ?2, ?3, ?4, ?5)", -1, &sp, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "INSERT INTO bank_entry(sprint, challenge, kind, team, chosen, won, entry)"
                                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &en, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "INSERT INTO bank_fts(rowid, text) VALUES(?1, ?2)", -1, &ft, NULL) != SQLITE_OK))
        rc = sq_fail(db, "prepare");
    if (rc == 0) {
        sqlite3_bind_text(sp, 1, sprint, -1, SQLITE_STATIC);
        sqlite3_bind_int64(sp, 2, head);
        sqlite3_bind_int(sp, 3, fl->bank);
        sqlite3_bind_int(sp, 4, fl->orgs);
        sqlite3_bind_int(sp, 5, fl->pub);
        if (sqlite3_step(sp) != SQLITE_DONE)
            rc = sq_fail(db, "insert");
    }
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        if (rc != 0)
            break;
        char *js = json_dumps(e, JSON_COMPACT);
        sqlite3_reset(en);
        sqlite3_bind_text(en, 1, sprint, -1, SQLITE_STATIC);
        sqlite3_bind_text(en, 2, json_string_value(json_object_get(e, "challenge")), -1, SQLITE_STATIC);
        sqlite3_bind_text(en, 3, json_string_value(json_object_get(e, "kind")), -1, SQLITE_STATIC);
        sqlite3_bind_text(en, 4, json_string_value(json_object_get(e, "team")), -1, SQLITE_STATIC);
        sqlite3_bind_int(en, 5, (int)json_integer_value(json_object_get(e, "chosen")));
        sqlite3_bind_int(en, 6, (int)json_integer_value(json_object_get(e, "won")));
        sqlite3_bind_text(en, 7, js, -1, free);
        if (sqlite3_step(en) != SQLITE_DONE) {
            rc = sq_fail(db, "insert");
            break;
        }
        sqlite3_reset(ft);
        sqlite3_bind_int64(ft, 1, sqlite3_last_insert_rowid(db));
        sqlite3_bind_text(ft, 2, json_string_value(json_object_get(e, "text")), -1, SQLITE_STATIC);
        if (sqlite3_step(ft) != SQLITE_DONE)
            rc = sq_fail(db, "index");
    }
    sqlite3_finalize(sp);
    sqlite3_finalize(en);
    sqlite3_finalize(ft);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = sq_fail(db, "commit");
    if (rc != 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int sq_indexed(bank_t *b, const char *sprint, int64_t *head, bank_flags_t *fl)
{
    sqlite3_stmt *st;
    *head = 0;
    memset(fl, 0, sizeof *fl);
    if (sqlite3_prepare_v2(DB(b), "SELECT head, bank, orgs, public FROM bank_sprint WHERE sprint = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return sq_fail(DB(b), "read");
    sqlite3_bind_text(st, 1, sprint, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *head = sqlite3_column_int64(st, 0);
        fl->archived = 1;
        fl->bank = sqlite3_column_int(st, 1);
        fl->orgs = sqlite3_column_int(st, 2);
        fl->pub = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(DB(b), "read");
}

/* The MATCH expression: each word a quoted string (letters and digits only), OR'd. */
static char *match_expr(const json_t *words)
{
    size_t i, cap = 8, n = 0;
    json_t *w;
    json_array_foreach(words, i, w)
        cap += strlen(json_string_value(w)) + 8;
    char *s = xmalloc(cap);
    s[0] = '\0';
    json_array_foreach(words, i, w)
        n += (size_t)snprintf(s + n, cap - n, "%s\"%s\"", i ? " OR " : "", json_string_value(w));
    return s;
}

static const char filters[] =
    " AND (?2 IS NULL OR e.sprint = ?2) AND (?3 IS NULL OR e.challenge = ?3) AND (?4 IS NULL OR e.kind = ?4)"
    " AND (?5 IS NULL OR e.chosen = ?5) AND (?6 IS NULL OR e.won = ?6)"
    " AND (?7 = 0 OR EXISTS (SELECT 1 FROM bank_sprint s WHERE s.sprint = e.sprint AND s.public = 1))";

static void bind_filters(sqlite3_stmt *st, const bank_query_t *q, const char *match)
{
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    if (q->sprint && q->sprint[0])
        sqlite3_bind_text(st, 2, q->sprint, -1, SQLITE_STATIC);
    if (q->challenge && q->challenge[0])
        sqlite3_bind_text(st, 3, q->challenge, -1, SQLITE_STATIC);
    if (q->kind && q->kind[0])
        sqlite3_bind_text(st, 4, q->kind, -1, SQLITE_STATIC);
    if (q->chosen >= 0)
        sqlite3_bind_int(st, 5, q->chosen);
    if (q->won >= 0)
        sqlite3_bind_int(st, 6, q->won);
    sqlite3_bind_int(st, 7, q->public_only ? 1 : 0);
}

static int sq_search(bank_t *b, const bank_query_t *q, const json_t *words, json_t *hits, long long *total)
{
    sqlite3 *db = DB(b);
    char *match = match_expr(words);
    char sql[1024];
    sqlite3_stmt *st;
    int rc = 0;
    snprintf(sql, sizeof sql,
             "SELECT e.entry, bm25(bank_fts) FROM bank_fts JOIN bank_entry e ON e.id = bank_fts.rowid"
             " WHERE bank_fts MATCH ?1%s ORDER BY bm25(bank_fts), e.id LIMIT ?8 OFFSET ?9", filters);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(match);
        return sq_fail(db, "search");
    }
    bind_filters(st, q, match);
    sqlite3_bind_int(st, 8, q->limit);
    sqlite3_bind_int(st, 9, q->offset);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *e = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        if (e)
            json_array_append_new(hits, json_pack("{so sf}", "entry", e, "rank", -sqlite3_column_double(st, 1)));
    }
    if (r != SQLITE_DONE)
        rc = sq_fail(db, "search");
    sqlite3_finalize(st);
    /* The total: the first page tells when it is short, else count the matches. */
    size_t n = json_array_size(hits);
    if (rc == 0 && q->offset == 0 && n < (size_t)q->limit) {
        *total = (long long)n;
    } else if (rc == 0) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM bank_fts JOIN bank_entry e ON e.id = bank_fts.rowid WHERE bank_fts MATCH ?1%s",
                 filters);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            free(match);
            return sq_fail(db, "count");
        }
        bind_filters(st, q, match);
        if (sqlite3_step(st) == SQLITE_ROW)
            *total = sqlite3_column_int64(st, 0);
        else
            rc = sq_fail(db, "count");
        sqlite3_finalize(st);
    }
    free(match);
    return rc;
}

static int sq_all(bank_t *b, int public_only, json_t *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(DB(b),
                           "SELECT e.entry FROM bank_entry e JOIN bank_sprint s ON s.sprint = e.sprint"
                           " WHERE ?1 = 0 OR s.public = 1 ORDER BY e.sprint, e.id", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(DB(b), "read");
    sqlite3_bind_int(st, 1, public_only);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *e = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        if (e)
            json_array_append_new(out, e);
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : sq_fail(DB(b), "read");
}

static int sq_public_count(bank_t *b, int *n)
{
    sqlite3_stmt *st;
    *n = 0;
    if (sqlite3_prepare_v2(DB(b), "SELECT count(*) FROM bank_sprint WHERE public = 1", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(DB(b), "read");
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static void sq_close(bank_t *b)
{
    sqlite3_close(DB(b));
}

static const bank_engine_t sqlite_engine = {sq_put, sq_drop, sq_indexed, sq_search, sq_all, sq_public_count, sq_close};

int bank_sqlite_open(bank_t *b, const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s", db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return BANK_EOPEN;
    }
    sqlite3_busy_timeout(db, 5000);
    if (register_tokenizer(db) != 0) {
        snprintf(err, errlen, "SQLite has no FTS5");
        sqlite3_close(db);
        return BANK_EOPEN;
    }
    char *msg = NULL;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_close(db);
        return BANK_EOPEN;
    }
    b->db = db;
    b->eng = &sqlite_engine;
    return 0;
}
