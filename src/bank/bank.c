/* bank.c – the engine-neutral half of the idea bank: opening, search with snippets, keeping
 * the bank in step with the sprints' logs (bank_sync), the priors and `export --all`. */
#include "bank/bank_int.h"
#include "org/csv.h"
#include "report/model.h"
#include "store/store.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BANK_SCHEMA_ID "https://staatsprint.nl/schema/bank-1.json"
#define QUERY_WORDS_MAX 16

static const char *const kinds[] = {"knelpunt", "hkw", "probleem", "idee", "gekozen", "jury"};

int bank_kind_ok(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i], kind) == 0)
            return 1;
    return 0;
}

static int is_pg(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

int bank_open(const char *db, bank_t **out, char *err, size_t errlen)
{
    *out = NULL;
    bank_t *b = xcalloc(1, sizeof *b);
    int rc = is_pg(db) ? bank_pg_open(b, db, err, errlen) : bank_sqlite_open(b, db, err, errlen);
    if (rc != 0) {
        free(b);
        return rc;
    }
    b->an = bank_an_new();
    *out = b;
    return 0;
}

void bank_close(bank_t *b)
{
    if (b == NULL)
        return;
    b->eng->close(b);
    bank_an_free(b->an);
    free(b);
}

int bank_put(bank_t *b, const char *sprint, int64_t head, const bank_flags_t *fl, const json_t *entries)
{
    return b->eng->put(b, sprint, head, fl, entries);
}

int bank_drop(bank_t *b, const char *sprint) { return b->eng->drop(b, sprint); }

int bank_indexed(bank_t *b, const char *sprint, int64_t *head, bank_flags_t *fl)
{
    return b->eng->indexed(b, sprint, head, fl);
}

int bank_public_count(bank_t *b, int *n) { return b->eng->public_count(b, n); }

typedef struct {
    json_t *arr;
} collect_t;

static int collect_cb(void *ud, const char *term, size_t len, int colocated)
{
    (void)colocated;
    json_t *a = ((collect_t *)ud)->arr;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
        if (strlen(json_string_value(v)) == len && memcmp(json_string_value(v), term, len) == 0)
            return 0;
    json_array_append_new(a, json_stringn(term, len));
    return 0;
}

json_t *bank_word_terms(bank_an_t *a, const json_t *words)
{
    json_t *out = json_array(), *w;
    size_t i;
    json_array_foreach(words, i, w) {
        collect_t c = {json_array()};
        bank_terms(a, json_string_value(w), strlen(json_string_value(w)), collect_cb, &c);
        json_array_append_new(out, c.arr);
    }
    return out;
}

json_t *bank_query_terms(bank_an_t *a, const json_t *words)
{
    json_t *terms = json_array(), *per = bank_word_terms(a, words), *alts, *t, *u;
    size_t i, j, k;
    json_array_foreach(per, i, alts)
        json_array_foreach(alts, j, t) {
            int dup = 0;
            json_array_foreach(terms, k, u)
                dup |= json_equal(u, t);
            if (!dup)
                json_array_append(terms, t);
        }
    json_decref(per);
    return terms;
}

unsigned char *bank_rarest(const long long *df, size_t n, long long cap, long long *taken)
{
    unsigned char *used = xcalloc(n ? n : 1, 1);
    *taken = 0;
    for (size_t k = 0; k < n; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && df[i] > 0 && (best == n || df[i] < df[best]))
                best = i;
        if (best == n || (*taken > 0 && *taken + df[best] > cap))
            break;
        used[best] = 1;
        *taken += df[best];
    }
    return used;
}

int bank_search(bank_t *b, const bank_query_t *in, json_t **out)
{
    *out = NULL;
    bank_query_t q = *in;
    if (q.limit == 0)
        q.limit = 20;
    if (q.limit < 1 || q.limit > 100 || q.offset < 0 || q.chosen < -1 || q.chosen > 1 || q.won < -1 || q.won > 1 ||
        (q.kind && q.kind[0] && !bank_kind_ok(q.kind)))
        return BANK_EINVAL;
    json_t *words = bank_query_words(q.q, QUERY_WORDS_MAX);
    json_t *hits = json_array(), *res = json_array();
    long long total = 0;
    int rc = json_array_size(words) ? b->eng->search(b, &q, words, hits, &total) : 0;
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        json_t *e = json_incref(json_object_get(h, "entry"));
        char *snip = bank_snippet(b->an, json_string_value(json_object_get(e, "text")), words);
        json_object_set_new(e, "snippet", json_string(snip));
        free(snip);
        json_object_set(e, "rank", json_object_get(h, "rank"));
        json_array_append_new(res, e);
    }
    json_decref(hits);
    json_decref(words);
    if (rc != 0) {
        json_decref(res);
        return rc;
    }
    /* An engine that ranked only the rarest terms of a huge match gives -1 - estimate. */
    int estimated = total < 0;
    if (estimated)
        total = -1 - total;
    *out = json_pack("{sI so}", "total", (json_int_t)total, "hits", res);
    if (estimated)
        json_object_set_new(*out, "estimated", json_true());
    return 0;
}

int bank_all(bank_t *b, int public_only, const char *const *keep, json_t **out)
{
    json_t *all = json_array();
    int rc = b->eng->all(b, public_only, all);
    if (rc != 0) {
        json_decref(all);
        *out = NULL;
        return rc;
    }
    if (keep) {
        json_t *kept = json_array(), *e;
        size_t i;
        json_array_foreach(all, i, e)
            for (const char *const *k = keep; *k; k++)
                if (strcmp(json_string_value(json_object_get(e, "kind")), *k) == 0)
                    json_array_append(kept, e);
        json_decref(all);
        all = kept;
    }
    *out = all;
    return 0;
}

/* ---- bank_sync ------------------------------------------------------------------------------ */

typedef struct {
    char **ids;
    size_t n, cap;
} logs_t;

static void log_cb(void *ud, const char *log)
{
    logs_t *l = ud;
    xgrow((void **)&l->ids, &l->cap, l->n + 1, sizeof *l->ids);
    l->ids[l->n++] = xstrdup(log);
}

/* The organiser's choices: sprint.archived, then each sprint.published, as they stand. */
static int flags_cb(void *ud, const store_rec_t *rec)
{
    bank_flags_t *fl = ud;
    int arch = strcmp(rec->type, "sprint.archived") == 0;
    if (!arch && strcmp(rec->type, "sprint.published") != 0)
        return 0;
    json_t *d = json_loadb(rec->body, rec->body_len ? rec->body_len : strlen(rec->body), 0, NULL);
    if (arch)
        fl->archived = 1;
    if (fl->archived) {
        fl->bank = json_is_true(json_object_get(d, "bank"));
        fl->orgs = json_is_true(json_object_get(d, "orgs"));
        fl->pub = json_is_true(json_object_get(d, "public"));
    }
    json_decref(d);
    return 0;
}

static int sync_one(bank_t *b, store_t *s, const char *db, const char *log, int *changed)
{
    int64_t head = 0, ihead = 0;
    bank_flags_t fl = {0}, ifl = {0};
    if (store_head(s, log, &head) != 0 || bank_indexed(b, log, &ihead, &ifl) != 0)
        return BANK_EIO;
    if (ihead == head && ifl.archived)
        return 0;   /* nothing was added since: the choices cannot have changed */
    if (store_read(s, log, 0, flags_cb, &fl) != 0)
        return BANK_EIO;
    if (!fl.archived || !fl.bank) {
        if (ifl.archived) {
            if (bank_drop(b, log) != 0)
                return BANK_EIO;
            (*changed)++;
        }
        return 0;
    }
    json_t *doc;
    if (report_model_load_log(db, log, 0, &doc) != 0)
        return BANK_EIO;
    json_t *entries = bank_extract(doc, log, fl.orgs);
    json_decref(doc);
    int rc = bank_put(b, log, head, &fl, entries);
    json_decref(entries);
    if (rc == 0)
        (*changed)++;
    return rc;
}

int bank_sync(const char *db, int *changed)
{
    int dummy = 0;
    if (changed == NULL)
        changed = &dummy;
    *changed = 0;
    /* stat, never open and close: closing any descriptor of the file would drop the
     * POSIX locks SQLite holds on it in this process (the server's own connections), and
     * another process could then take the WAL for its own and remove it. */
    struct stat sb;
    if (!is_pg(db) && stat(db, &sb) != 0) {
        fprintf(stderr, "staatsprint: de database %s bestaat niet (the database does not exist)\n", db);
        return BANK_EOPEN;
    }
    char err[256] = "";
    store_t *s = NULL;
    bank_t *b = NULL;
    if (store_open(db, &s, err, sizeof err) != 0 || bank_open(db, &b, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: de ideeënbank kan niet open (cannot open the idea bank): %s\n", err);
        store_close(s);
        return BANK_EOPEN;
    }
    logs_t l = {0};
    int rc = store_logs(s, log_cb, &l) == 0 ? 0 : BANK_EIO;
    for (size_t i = 0; i < l.n; i++) {
        if (rc == 0)
            rc = sync_one(b, s, db, l.ids[i], changed);
        free(l.ids[i]);
    }
    free(l.ids);
    bank_close(b);
    store_close(s);
    return rc;
}

int bank_priors(const char *db, json_t **out)
{
    *out = NULL;
    char err[256] = "";
    bank_t *b;
    if (bank_open(db, &b, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: de ideeënbank kan niet open (cannot open the idea bank): %s\n", err);
        return BANK_EOPEN;
    }
    static const char *const keep[] = {"idee", "gekozen", "probleem", NULL};
    int rc = bank_all(b, 0, keep, out);
    bank_close(b);
    return rc;
}

/* ---- export --all ----------------------------------------------------------------------------- */

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && (len == 0 || fwrite(data, 1, len, f) == len);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "staatsprint: kan %s niet schrijven (cannot write): %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

static int write_csv(const json_t *entries, const char *path)
{
    csv_buf_t b = {0};
    csv_write_bom(&b);
    static const char *const head[] = {"sprint", "sprint_title", "date", "challenge", "challenge_title", "kind",
                                       "team", "team_name", "text", "count", "chosen", "won", "orgs", "url",
                                       "detail"};
    csv_write_row(&b, head, 15, ',');
    size_t i, j;
    json_t *e, *o;
    json_array_foreach(entries, i, e) {
        char count[24], orgs[1024] = "";
        size_t on = 0;
        snprintf(count, sizeof count, "%lld", (long long)json_integer_value(json_object_get(e, "count")));
        json_array_foreach(json_object_get(e, "orgs"), j, o)
            if (on < sizeof orgs)
                on += (size_t)snprintf(orgs + on, sizeof orgs - on, "%s%s", j ? "; " : "", json_string_value(o));
        char *detail = json_dumps(json_object_get(e, "detail"), JSON_COMPACT | JSON_ENCODE_ANY);
        const char *row[15] = {rm_str(e, "sprint"), rm_str(e, "sprint_title"), rm_str(e, "date"),
                               rm_str(e, "challenge"), rm_str(e, "challenge_title"), rm_str(e, "kind"),
                               rm_str(e, "team"), rm_str(e, "team_name"), rm_str(e, "text"), count,
                               rm_int(e, "chosen") ? "1" : "0", rm_int(e, "won") ? "1" : "0", orgs,
                               rm_str(e, "url"), detail ? detail : "{}"};
        csv_write_row(&b, row, 15, ',');
        free(detail);
    }
    int rc = write_file(path, b.data ? b.data : "", b.len);
    csv_buf_free(&b);
    return rc;
}

int bank_export_cli(int argc, char **argv)
{
    const char *db = NULL, *js = NULL, *csv = NULL;
    int all = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = strcmp(a, "--db") == 0 ? &db : strcmp(a, "--json") == 0 ? &js
                         : strcmp(a, "--csv") == 0 ? &csv : NULL;
        if (strcmp(a, "--all") == 0) {
            all = 1;
        } else if (dst && v) {
            *dst = v;
            i++;
        } else {
            fprintf(stderr, "staatsprint export --all: onbekende of onvolledige optie %s (unknown or incomplete option)\n", a);
            return 2;
        }
    }
    if (!all || db == NULL || !(js || csv)) {
        fprintf(stderr, "staatsprint export --all: geef --db en --json en/of --csv (give --db and --json and/or --csv)\n");
        return 2;
    }
    if (bank_sync(db, NULL) != 0)
        return 1;
    bank_t *b;
    char err[256] = "";
    if (bank_open(db, &b, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: de ideeënbank kan niet open (cannot open the idea bank): %s\n", err);
        return 1;
    }
    json_t *entries;
    int rc = bank_all(b, 1, NULL, &entries) == 0 ? 0 : 1;
    bank_close(b);
    if (rc != 0)
        return 1;
    if (js) {
        json_t *doc = json_pack("{ss si sO}", "$schema", BANK_SCHEMA_ID, "version", 1, "entries", entries);
        char *s = json_dumps(doc, JSON_INDENT(2));
        if (s == NULL || write_file(js, s, strlen(s)) != 0)
            rc = 1;
        free(s);
        json_decref(doc);
    }
    if (csv && write_csv(entries, csv) != 0)
        rc = 1;
    json_decref(entries);
    return rc;
}
