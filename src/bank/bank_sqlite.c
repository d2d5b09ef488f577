/* bank_sqlite.c – the bank in a SQLite file: FTS5 with our own tokenizer.
 *
 * Tables (next to the store's): bank_sprint (one row per indexed sprint: the log head it
 * was built from and the organiser's choices), bank_entry (one row per entry: the filter
 * columns and the entry's JSON), bank_fts, an FTS5 table of two columns whose rowid is
 * bank_entry.id – text, and tags (the entry's sprint, challenge, kind, chosen, won and
 * public as tokens, so every filter is part of the full-text query) – and bank_vocab
 * (fts5vocab: how many entries hold a term). The tokenizer "staatsprint" is registered
 * on every connection through the fts5_api: it runs bank_terms on a text, giving a
 * compound's parts, a participle's infinitive and a word's concept class as colocated
 * tokens; a text that starts with TAG_MARK is taken as raw tokens (the tags, and the
 * terms of a query, which bank_terms already made). Without the tokenizer a connection
 * cannot read bank_fts: tools that open the file (sqlite3) see the other tables only.
 */
#include "bank/bank_int.h"
#include "util/xalloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB(b) ((sqlite3 *)(b)->db)

/* The tags column starts with this byte: its tokens are taken as written. A tag holds an
 * underscore, which no query word does (bank_query_words), so words never meet tags. */
#define TAG_MARK '\x1f'

/* A query matching more entries than this is ranked over the entries of its rarest words
 * (see sq_search); the total still counts every match. */
#define RANK_CAP 6000

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
    if (n > 0 && text[0] == TAG_MARK) {
        /* The tags column and a tag of a query: raw tokens separated by spaces. */
        for (int i = 1; i < n;) {
            int e = i;
            while (e < n && text[e] != ' ')
                e++;
            if (e > i) {
                int rc = xToken(ctx, 0, text + i, e - i, i, e);
                if (rc != SQLITE_OK)
                    return rc;
            }
            i = e + 1;
        }
        return SQLITE_OK;
    }
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
    "CREATE VIRTUAL TABLE IF NOT EXISTS bank_fts USING fts5(text, tags, tokenize='staatsprint');"
    "CREATE VIRTUAL TABLE IF NOT EXISTS bank_vocab USING fts5vocab(bank_fts, 'row');";

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
         sqlite3_prepare_v2(db, "INSERT INTO bank_fts(rowid, text, tags) VALUES(?1, ?2, ?3)", -1, &ft, NULL) != SQLITE_OK))
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
        char tags[300];
        snprintf(tags, sizeof tags, "%cs_%s c_%s k_%s%s%s%s", TAG_MARK, sprint,
                 json_string_value(json_object_get(e, "challenge")), json_string_value(json_object_get(e, "kind")),
                 json_integer_value(json_object_get(e, "chosen")) ? " x_chosen" : "",
                 json_integer_value(json_object_get(e, "won")) ? " x_won" : "", fl->pub ? " x_pub" : "");
        sqlite3_bind_text(ft, 3, tags, -1, SQLITE_TRANSIENT);
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

/* A growing string. */
typedef struct {
    char *s;
    size_t n, cap;
} sb_t;

static void sb_add(sb_t *b, const char *s)
{
    size_t l = strlen(s);
    xgrow((void **)&b->s, &b->cap, b->n + l + 1, 1);
    memcpy(b->s + b->n, s, l + 1);
    b->n += l;
}

/* A tag as a quoted query string (ids hold no quote: refused otherwise). */
static int sb_tag(sb_t *b, const char *op, const char *prefix, const char *v)
{
    if (strchr(v, '"') || strchr(v, ' '))
        return -1;
    char t[160];
    snprintf(t, sizeof t, " %s \"%c%s%s\"", op, TAG_MARK, prefix, v);
    sb_add(b, t);
    return 0;
}

/* The MATCH expression: the chosen terms (used[i]) of the query, each a raw token (so
 * FTS5 meets each on its own, without merging alternatives row by row), OR'd; then the
 * filters as tags. NULL when a filter cannot be a tag (a quote or space in an id). */
static char *match_expr(const json_t *terms, const unsigned char *used, const bank_query_t *q)
{
    sb_t b = {0};
    size_t i;
    json_t *t;
    int k = 0;
    sb_add(&b, "(");
    json_array_foreach(terms, i, t) {
        if (used && !used[i])
            continue;
        char x[96];
        snprintf(x, sizeof x, "%s\"%c%s\"", k++ ? " OR " : "", TAG_MARK, json_string_value(t));
        sb_add(&b, x);
    }
    sb_add(&b, ")");
    int bad = 0;
    if (q->sprint && q->sprint[0])
        bad |= sb_tag(&b, "AND", "s_", q->sprint);
    if (q->challenge && q->challenge[0])
        bad |= sb_tag(&b, "AND", "c_", q->challenge);
    if (q->kind && q->kind[0])
        bad |= sb_tag(&b, "AND", "k_", q->kind);
    if (q->public_only)
        bad |= sb_tag(&b, "AND", "x_", "pub");
    if (q->chosen >= 0)
        bad |= sb_tag(&b, q->chosen ? "AND" : "NOT", "x_", "chosen");
    if (q->won >= 0)
        bad |= sb_tag(&b, q->won ? "AND" : "NOT", "x_", "won");
    if (bad) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static long long sq_count(sqlite3 *db, const char *match)
{
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM bank_fts WHERE bank_fts MATCH ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/*
 * One search. The filters are tags in the index, so FTS5 answers the whole query; bm25
 * (the text column only) ranks, and only the page's entries are read from bank_entry.
 * Ranking costs about a microsecond per match, so the terms that rank are the rarest:
 * from the rarest on (document counts from bank_vocab) while their matches stay under
 * RANK_CAP, at least one. A term in a large share of the bank (a common word, a concept
 * class) adds little to bm25 and much to the time. The total counts every match.
 */
static int sq_search(bank_t *b, const bank_query_t *q, const json_t *words, json_t *hits, long long *total)
{
    sqlite3 *db = DB(b);
    json_t *terms = bank_query_terms(b->an, words), *t;
    size_t i;
    size_t nt = json_array_size(terms);
    char *match = match_expr(terms, NULL, q);
    if (match == NULL || nt == 0) {
        *total = 0;
        free(match);
        json_decref(terms);
        return 0;   /* an id with a quote or a space matches nothing */
    }
    *total = sq_count(db, match);
    if (*total < 0) {
        free(match);
        json_decref(terms);
        return sq_fail(db, "count");
    }
    if (*total > RANK_CAP && nt > 1) {
        long long *df = xcalloc(nt, sizeof *df);
        unsigned char *used = NULL;
        sqlite3_stmt *vs;
        if (sqlite3_prepare_v2(db, "SELECT doc FROM bank_vocab WHERE term = ?1", -1, &vs, NULL) == SQLITE_OK) {
            json_array_foreach(terms, i, t) {
                sqlite3_reset(vs);
                sqlite3_bind_text(vs, 1, json_string_value(t), -1, SQLITE_STATIC);
                df[i] = sqlite3_step(vs) == SQLITE_ROW ? sqlite3_column_int64(vs, 0) : 0;
            }
            sqlite3_finalize(vs);
        }
        long long sum = 0;
        used = bank_rarest(df, nt, RANK_CAP, &sum);
        if (sum > 0) {
            free(match);
            match = match_expr(terms, used, q);
        }
        free(df);
        free(used);
    }
    json_decref(terms);
    sqlite3_stmt *st, *get;
    int rc = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT rowid, bm25(bank_fts, 1.0, 0.0) FROM bank_fts WHERE bank_fts MATCH ?1"
                           " ORDER BY 2, rowid LIMIT ?2 OFFSET ?3", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT entry FROM bank_entry WHERE id = ?1", -1, &get, NULL) != SQLITE_OK) {
        free(match);
        return sq_fail(db, "search");
    }
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, q->limit);
    sqlite3_bind_int(st, 3, q->offset);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_reset(get);
        sqlite3_bind_int64(get, 1, sqlite3_column_int64(st, 0));
        if (sqlite3_step(get) != SQLITE_ROW)
            continue;
        json_t *e = json_loads((const char *)sqlite3_column_text(get, 0), 0, NULL);
        if (e)
            json_array_append_new(hits, json_pack("{so sf}", "entry", e, "rank", -sqlite3_column_double(st, 1)));
    }
    if (r != SQLITE_DONE)
        rc = sq_fail(db, "search");
    sqlite3_finalize(st);
    sqlite3_finalize(get);
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
