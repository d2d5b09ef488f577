/* api.c – the organiser's HTTP API: CSV import and PDF rendering in worker threads, AVG export. */
#include "net/api.h"
#include "core/err.h"
#include "net/secret.h"
#include "net/http.h"
#include "report/cli.h"
#include "report/sheets.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CHUNK 16384
#define ISSUES_MAX 2000     /* rejected rows and warnings listed in one answer */
#define PREVIEW_ROWS 10

enum { K_IMPORT, K_SHEETS, K_DOOR, K_REPORT, K_PERSON, K_ERROR };
enum { S_READING, S_WORKING, S_WAIT_COMMIT, S_SENDING };

struct api_req {
    struct api_req *next;
    struct lws *wsi;            /* NULL once the connection is gone */
    int kind, state;
    who_t who;
    /* the request */
    char *body;
    size_t blen, bcap;
    int too_big, preview, json_body;   /* json_body: {csv, map, choices} instead of the bare CSV */
    char id[72];
    char map[512];
    reg_challenge_t *ch;        /* copies for the worker */
    size_t nch;
    json_t *sheet_in;
    char *title;
    /* the worker */
    pthread_t th;
    int thread;
    atomic_int done;
    int rc;
    json_t *summary, *args;
    unsigned char *pdf;
    size_t pdflen;
    /* the answer */
    int64_t wait_seq;
    unsigned status;
    const char *mime;
    char *resp;
    size_t rlen, rpos;
    int headers_sent;
};

static api_host_t host;
static api_req_t *reqs;
static unsigned import_count;   /* names imports sent without an id */

void api_init(const api_host_t *h) { host = *h; }

int api_wants(const char *url) { return url != NULL && strncmp(url, "/api/", 5) == 0; }

/* ---- secrets ----------------------------------------------------------------------- */

static void fresh_code(void *ud, char *out, size_t len)
{
    char c[SECRET_CODE_LEN + 1];
    secret_code(c);
    snprintf(out, len, "%s", c);
}

static void fresh_token(void *ud, char *tok, size_t toklen, char *hash, size_t hashlen)
{
    char t[SECRET_TOKEN_LEN + 1], h[SECRET_HASH_LEN + 1];
    secret_token(t);
    secret_hash(t, h);
    snprintf(tok, toklen, "%s", t);
    snprintf(hash, hashlen, "%s", h);
    memset(t, 0, sizeof t);
}

void api_secret_source(core_secret_src_t *src)
{
    src->code = fresh_code;
    src->token = fresh_token;
    src->ud = NULL;
}

/* ---- the import (any thread) ------------------------------------------------------- */

static json_t *err_json(const char *code, const char *nl, const char *en)
{
    return json_pack("{ss ss ss}", "code", code, "nl", nl, "en", en);
}

/* Applies "field=column,…" to m; column: 1-based number, header text, or "-". */
static int apply_map(reg_mapping_t *m, const char *spec, char *const *headers, size_t nh)
{
    char *copy = xstrdup(spec), *save = NULL;
    int rc = 0;
    for (char *part = strtok_r(copy, ",", &save); part && rc == 0; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        int f = -1, col = -2;
        if (eq == NULL) {
            rc = -1;
            break;
        }
        *eq = '\0';
        for (int i = 0; i < REG_F_COUNT; i++)
            if (strcasecmp(reg_field_code((reg_field_t)i), part) == 0)
                f = i;
        const char *v = eq + 1;
        char *end;
        long n = strtol(v, &end, 10);
        if (strcmp(v, "-") == 0)
            col = -1;
        else if (*v && *end == '\0' && n >= 1 && (size_t)n <= nh)
            col = (int)n - 1;
        else {
            char *want = reg_normalise(v);
            for (size_t i = 0; i < nh && col == -2; i++) {
                char *h = reg_normalise(headers[i]);
                if (strcmp(h, want) == 0)
                    col = (int)i;
                free(h);
            }
            free(want);
        }
        if (f < 0 || col == -2)
            rc = -1;
        else {
            m->column[f] = col;
            m->score[f] = 0;
        }
    }
    free(copy);
    return rc;
}

static json_t *person_json(const reg_person_t *p, const reg_challenge_t *ch, size_t nch, int full)
{
    json_t *o = json_pack("{ss ss ss sb sb sI}", "name", p->name, "organisation", p->organisation,
                          "role", p->role, "captain", p->willing_captain, "timekeeper",
                          p->willing_timekeeper, "line", (json_int_t)p->line);
    json_object_set_new(o, "email", p->email ? json_string(p->email) : json_null());
    json_object_set_new(o, "choice1", p->choice1 >= 0 && (size_t)p->choice1 < nch ? json_string(ch[p->choice1].id) : json_null());
    json_object_set_new(o, "choice2", p->choice2 >= 0 && (size_t)p->choice2 < nch ? json_string(ch[p->choice2].id) : json_null());
    if (full)
        json_object_set_new(o, "motivation", json_string(p->motivation));
    return o;
}

/* The organiser's answer matches: [{answer, challenge}] with a challenge id, or null /
 * "-" to ignore the answer. Returns the count, or -1 when an entry names no challenge. */
static int read_choices(const json_t *choices, const reg_challenge_t *ch, size_t nch, reg_override_t *out)
{
    size_t i;
    json_t *c;
    int n = 0;
    json_array_foreach(choices, i, c) {
        const char *answer = json_string_value(json_object_get(c, "answer"));
        const json_t *cv = json_object_get(c, "challenge");
        const char *id = json_string_value(cv);
        int k = REG_CHOICE_NONE;
        if (answer == NULL || (cv && !json_is_null(cv) && id == NULL))
            return -1;
        if (id && strcmp(id, "-") != 0) {
            k = -1;
            for (size_t j = 0; j < nch; j++)
                if (strcmp(ch[j].id, id) == 0)
                    k = (int)j;
            if (k < 0)
                return -1;
        }
        out[n++] = (reg_override_t){answer, k};
    }
    return n;
}

static json_t *answers_json(const reg_import_t *imp, const reg_challenge_t *ch, size_t nch)
{
    json_t *a = json_array();
    for (size_t i = 0; i < imp->n_answers && i < ISSUES_MAX; i++) {
        const reg_answer_t *x = &imp->answers[i];
        int k = x->choice;
        json_array_append_new(a, json_pack("{ss ss sI sI sI so sb sb}", "answer", x->text, "key", x->key,
                                           "count", (json_int_t)x->count, "first", (json_int_t)x->first,
                                           "second", (json_int_t)x->second, "challenge",
                                           k >= 0 && (size_t)k < nch ? json_string(ch[k].id) : json_null(),
                                           "matched", k >= 0, "overridden", x->overridden));
    }
    return a;
}

int api_import_parse(const char *data, size_t len, const reg_challenge_t *ch, size_t nch,
                     const char *map, const json_t *choices, int preview, reg_progress_cb progress,
                     void *ud, json_t **summary, json_t **args)
{
    *summary = *args = NULL;
    reg_override_t *ov = xcalloc(json_array_size(choices) + 1, sizeof *ov);
    int nov = read_choices(choices, ch, nch, ov);
    if (nov < 0) {
        free(ov);
        *summary = err_json("bad_choice_map",
                            "Een gekozen koppeling van antwoord aan challenge noemt een challenge die niet bestaat.",
                            "A chosen match of answer to challenge names a challenge that does not exist.");
        return -101;
    }
    reg_import_t head, imp;
    reg_options_t opt = {.challenges = ch, .n_challenges = nch, .max_rows = 1, .keep_duplicates = true};
    int rc = reg_import(data, len, &opt, &head);
    if (rc != 0) {
        free(ov);
        *summary = err_json(reg_err_code(rc), reg_err_nl(rc), reg_err_en(rc));
        return rc;
    }
    reg_mapping_t m = head.mapping;
    if (map && *map && apply_map(&m, map, head.headers, head.n_headers) != 0) {
        free(ov);
        reg_import_free(&head);
        *summary = err_json("bad_map",
                            "De koppeling van velden aan kolommen klopt niet (veld=kolom, gescheiden door komma's).",
                            "The mapping of fields to columns is wrong (field=column, separated by commas).");
        return -100;
    }
    reg_import_free(&head);
    opt = (reg_options_t){.mapping = &m, .overrides = ov, .n_overrides = (size_t)nov, .challenges = ch,
                          .n_challenges = nch, .progress = progress, .progress_ud = ud};
    rc = reg_import(data, len, &opt, &imp);
    free(ov);
    if (rc != 0) {
        *summary = err_json(reg_err_code(rc), reg_err_nl(rc), reg_err_en(rc));
        return rc;
    }
    json_t *headers = json_array(), *mapping = json_array(), *issues = json_array(), *prev = json_array();
    for (size_t i = 0; i < imp.n_headers; i++)
        json_array_append_new(headers, json_string(imp.headers[i]));
    for (int f = 0; f < REG_F_COUNT; f++) {
        int col = imp.mapping.column[f];
        json_array_append_new(mapping, json_pack("{ss ss ss so so si}", "field", reg_field_code((reg_field_t)f),
                                                 "nl", reg_field_nl((reg_field_t)f), "en", reg_field_en((reg_field_t)f),
                                                 "column", col >= 0 ? json_integer(col) : json_null(), "header",
                                                 col >= 0 && (size_t)col < imp.n_headers ? json_string(imp.headers[col]) : json_null(),
                                                 "score", imp.mapping.score[f]));
    }
    for (size_t i = 0; i < imp.n_issues && i < ISSUES_MAX; i++) {
        const reg_issue_t *is = &imp.issues[i];
        json_t *o = json_pack("{sI ss ss ss sb ss}", "line", (json_int_t)is->line, "code",
                              reg_reason_code(is->reason), "nl", reg_reason_nl(is->reason), "en",
                              reg_reason_en(is->reason), "rejects", reg_reason_rejects(is->reason),
                              "field", reg_field_code(is->field));
        if (is->value)
            json_object_set_new(o, "value", json_string(is->value));
        if (is->other_line)
            json_object_set_new(o, "other_line", json_integer(is->other_line));
        json_array_append_new(issues, o);
    }
    for (size_t i = 0; i < imp.n_people && i < PREVIEW_ROWS; i++)
        json_array_append_new(prev, person_json(&imp.people[i], ch, nch, 0));
    /* Honest figures: who has no recognised choice, and how many real first choices. */
    json_t *nochoice = json_array();
    size_t firsts = 0, unmatched = 0;
    for (size_t i = 0; i < imp.n_people; i++) {
        const reg_person_t *p = &imp.people[i];
        firsts += p->choice1 >= 0;
        if (p->choice1 < 0 && p->choice2 < 0 && json_array_size(nochoice) < ISSUES_MAX)
            json_array_append_new(nochoice, json_pack("{sI ss}", "line", (json_int_t)p->line, "name", p->name));
    }
    for (size_t i = 0; i < imp.n_answers; i++)
        unmatched += imp.answers[i].choice == REG_CHOICE_UNKNOWN;
    char delim[2] = {imp.delimiter, '\0'};
    *summary = json_pack("{sI sI sI sI sI ss sb so so so sI so}", "rows", (json_int_t)imp.rows, "imported",
                         (json_int_t)imp.n_people, "replaced", (json_int_t)imp.replaced, "rejected",
                         (json_int_t)imp.rejected, "warnings", (json_int_t)imp.warnings, "delimiter",
                         delim, "bom", imp.had_bom, "headers", headers, "mapping", mapping, "issues",
                         issues, "issues_total", (json_int_t)imp.n_issues, "preview", prev);
    json_object_set_new(*summary, "answers", answers_json(&imp, ch, nch));
    json_object_set_new(*summary, "unmatched_answers", json_integer((json_int_t)unmatched));
    json_object_set_new(*summary, "first_choices", json_integer((json_int_t)firsts));
    json_object_set_new(*summary, "no_choice", json_integer((json_int_t)imp.no_choice));
    json_object_set_new(*summary, "no_choice_people", nochoice);
    json_object_set_new(*summary, "shared_email", json_integer((json_int_t)imp.shared_email));
    /* The mapping as a map string that reproduces it exactly: what the browser sends back. */
    char exact[1024] = "";
    for (int f = 0; f < REG_F_COUNT; f++) {
        size_t n = strlen(exact);
        int col = imp.mapping.column[f];
        char colbuf[16];
        snprintf(colbuf, sizeof colbuf, col >= 0 ? "%d" : "-", col + 1);
        snprintf(exact + n, sizeof exact - n, "%s%s=%s", n ? "," : "", reg_field_code((reg_field_t)f), colbuf);
    }
    json_object_set_new(*summary, "map", json_string(exact));
    (void)preview;   /* a preview gets the people too: the plan (new/updated/…) needs them */
    {
        json_t *people = json_array();
        for (size_t i = 0; i < imp.n_people; i++)
            json_array_append_new(people, person_json(&imp.people[i], ch, nch, 1));
        *args = json_pack("{so}", "people", people);
    }
    reg_import_free(&imp);
    return 0;
}

void api_plan_summary(const core_t *core, json_t *summary, const json_t *args)
{
    json_t *plan = core_import_plan(core, json_object_get(args, "people"));
    size_t file_dups = (size_t)json_integer_value(json_object_get(summary, "replaced"));
    json_int_t updated = json_integer_value(json_object_get(plan, "updated"));
    json_object_set(summary, "new", json_object_get(plan, "new"));
    json_object_set(summary, "updated", json_object_get(plan, "updated"));
    json_object_set(summary, "unchanged", json_object_get(plan, "unchanged"));
    json_object_set(summary, "conflicts", json_object_get(plan, "conflicts"));
    json_object_set_new(summary, "imported", json_integer(json_integer_value(json_object_get(plan, "new"))));
    json_object_set_new(summary, "replaced", json_integer((json_int_t)file_dups + updated));
    json_decref(plan);
}

/* ---- workers ----------------------------------------------------------------------- */

static void *import_worker(void *arg)
{
    api_req_t *r = arg;
    if (r->json_body) {
        /* The browser sends back exactly the mapping and answer matches it previewed. */
        json_t *env = json_loadb(r->body, r->blen, 0, NULL);
        const json_t *csv = json_object_get(env, "csv"), *map = json_object_get(env, "map");
        const json_t *choices = json_object_get(env, "choices");
        if (!json_is_string(csv) || (map && !json_is_string(map)) || (choices && !json_is_array(choices))) {
            r->rc = -102;
            r->summary = err_json("bad_message", "Het verzoek is onleesbaar: verwacht {csv, map, choices}.",
                                  "The request is unreadable: expected {csv, map, choices}.");
        } else
            r->rc = api_import_parse(json_string_value(csv), json_string_length(csv), r->ch, r->nch,
                                     map ? json_string_value(map) : "", choices, r->preview, NULL, NULL,
                                     &r->summary, &r->args);
        json_decref(env);
    } else
        r->rc = api_import_parse(r->body, r->blen, r->ch, r->nch, r->map, NULL, r->preview, NULL, NULL,
                                 &r->summary, &r->args);
    atomic_store(&r->done, 1);
    lws_cancel_service(host.ctx);
    return NULL;
}

static void *sheets_worker(void *arg)
{
    api_req_t *r = arg;
    if (r->kind == K_DOOR)
        r->rc = sheets_door_render(r->sheet_in, r->title, &r->pdf, &r->pdflen);
    else
        r->rc = sheets_render(r->sheet_in, r->title, host.base_url, &r->pdf, &r->pdflen);
    atomic_store(&r->done, 1);
    lws_cancel_service(host.ctx);
    return NULL;
}

/* The report reads the database through its own store connection (SQLite in WAL
 * mode and PostgreSQL both allow a reader beside the writer): no core, no lws. */
static void *report_worker(void *arg)
{
    api_req_t *r = arg;
    r->rc = report_pdf_from_db(host.db, r->preview, &r->pdf, &r->pdflen);
    atomic_store(&r->done, 1);
    lws_cancel_service(host.ctx);
    return NULL;
}

static int start_worker(api_req_t *r, void *(*fn)(void *))
{
    r->state = S_WORKING;
    atomic_store(&r->done, 0);
    if (pthread_create(&r->th, NULL, fn, r) != 0)
        return -1;
    r->thread = 1;
    return 0;
}

/* ---- answers ------------------------------------------------------------------------ */

static void answer(api_req_t *r, unsigned status, const char *mime, char *body, size_t len)
{
    free(r->resp);
    r->status = status;
    r->mime = mime;
    r->resp = body;
    r->rlen = len;
    r->rpos = 0;
    r->state = S_SENDING;
    if (r->wsi)
        lws_callback_on_writable(r->wsi);
}

static void answer_json(api_req_t *r, unsigned status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    answer(r, status, "application/json", s, strlen(s));
}

static void answer_err(api_req_t *r, unsigned status, int e)
{
    answer_json(r, status, err_json(err_code(e), err_nl(e), err_en(e)));
}

static void req_free(api_req_t *r)
{
    for (api_req_t **p = &reqs; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    free(r->body);
    for (size_t i = 0; i < r->nch; i++) {
        free((char *)r->ch[i].id);
        free((char *)r->ch[i].title);
        free((char *)r->ch[i].title_en);
    }
    free(r->ch);
    json_decref(r->sheet_in);
    json_decref(r->summary);
    json_decref(r->args);
    free(r->title);
    free(r->pdf);
    free(r->resp);
    free(r);
}

/* The organiser behind `Authorization: Bearer TOKEN`. */
static int authorise(struct lws *wsi, who_t *who)
{
    char h[256];
    if (lws_hdr_copy(wsi, h, sizeof h, WSI_TOKEN_HTTP_AUTHORIZATION) <= 0 || strncasecmp(h, "Bearer ", 7) != 0)
        return SP_E_NOT_AUTHENTICATED;
    char hash[SECRET_HASH_LEN + 1];
    secret_hash(h + 7, hash);
    if (core_auth(host.core, hash, who) != 0)
        return SP_E_BAD_TOKEN;
    return who->role == ROLE_ORGANISER ? 0 : SP_E_FORBIDDEN;
}

static void urlarg(struct lws *wsi, const char *name, char *out, size_t len)
{
    char buf[600];
    const char *v = lws_get_urlarg_by_name(wsi, name, buf, (int)sizeof buf);
    snprintf(out, len, "%s", v ? v : "");
}

int api_begin(struct lws *wsi, api_req_t **rp, const char *url)
{
    api_req_t *r = xcalloc(1, sizeof *r);
    r->wsi = wsi;
    r->next = reqs;
    reqs = r;
    *rp = r;
    int post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
    int rc = authorise(wsi, &r->who);
    if (strcmp(url, "/api/import") == 0) {
        r->kind = K_IMPORT;
        r->state = S_READING;
        if (!post) {
            r->kind = K_ERROR;
            answer_json(r, 405, err_json("method", "Stuur het bestand met POST.", "Send the file with POST."));
            return 0;
        }
        /* Errors are answered once the body has arrived: lws reads it anyway. */
        if (rc != 0)
            r->kind = K_ERROR, r->rc = rc;
        char pv[8];
        urlarg(wsi, "preview=", pv, sizeof pv);
        r->preview = pv[0] == '1' || strcmp(pv, "true") == 0;
        urlarg(wsi, "id=", r->id, sizeof r->id);
        urlarg(wsi, "map=", r->map, sizeof r->map);
        char ctype[64] = "";
        if (lws_hdr_copy(wsi, ctype, sizeof ctype, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0)
            r->json_body = strncasecmp(ctype, "application/json", 16) == 0;
        return 0;
    }
    if (post) {
        r->kind = K_ERROR;
        r->rc = SP_E_NOT_FOUND;
        r->state = S_READING;
        return 0;
    }
    r->kind = K_ERROR;
    if (rc != 0) {
        answer_err(r, rc == SP_E_FORBIDDEN ? 403 : 401, rc);
        return 0;
    }
    if (strcmp(url, "/api/sheets.pdf") == 0 || strcmp(url, "/api/doorlist.pdf") == 0) {
        r->kind = url[5] == 's' ? K_SHEETS : K_DOOR;
        r->sheet_in = r->kind == K_SHEETS ? core_sheets(host.core) : core_door_list(host.core);
        r->title = xstrdup(core_sprint_title(host.core));
        if (start_worker(r, sheets_worker) != 0)
            answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
        return 0;
    }
    if (strcmp(url, "/api/report.pdf") == 0) {
        char names[8];
        urlarg(wsi, "names=", names, sizeof names);
        r->kind = K_REPORT;
        r->preview = names[0] == '1';   /* reused as the "with names" flag */
        if (start_worker(r, report_worker) != 0)
            answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
        return 0;
    }
    if (strncmp(url, "/api/person/", 12) == 0) {
        r->kind = K_PERSON;
        json_t *x = core_person_export(host.core, url + 12);
        if (x == NULL)
            answer_err(r, 404, SP_E_NOT_FOUND);
        else
            answer_json(r, 200, x);
        return 0;
    }
    answer_err(r, 404, SP_E_NOT_FOUND);
    return 0;
}

int api_body(api_req_t *r, const void *in, size_t len)
{
    if (r->too_big || r->kind == K_ERROR || len == 0)
        return 0;
    if (r->blen + len > API_BODY_MAX) {
        r->too_big = 1;
        free(r->body);
        r->body = NULL;
        r->blen = r->bcap = 0;
        return 0;
    }
    xgrow((void **)&r->body, &r->bcap, r->blen + len + 1, 1);
    memcpy(r->body + r->blen, in, len);
    r->blen += len;
    return 0;
}

int api_body_done(api_req_t *r)
{
    if (r->kind == K_ERROR) {
        int e = r->rc ? r->rc : SP_E_NOT_FOUND;
        answer_err(r, e == SP_E_FORBIDDEN ? 403 : e == SP_E_NOT_FOUND ? 404 : 401, e);
        return 0;
    }
    if (r->too_big) {
        answer_json(r, 413, err_json("too_big", "Het bestand is groter dan 20 MB.", "The file is larger than 20 MB."));
        return 0;
    }
    if (r->body == NULL)
        r->body = xstrdup("");
    /* The worker gets copies of the challenges: it never reads the core. */
    r->nch = core_challenge_count(host.core);
    r->ch = xcalloc(r->nch + 1, sizeof *r->ch);
    for (size_t i = 0; i < r->nch; i++) {
        const char *id, *title;
        core_challenge_info(host.core, i, &id, &title);
        r->ch[i].id = xstrdup(id);
        r->ch[i].title = xstrdup(title);
        r->ch[i].title_en = xstrdup(core_challenge_title_en(host.core, i));
    }
    if (start_worker(r, import_worker) != 0)
        answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
    return 0;
}

/* An import parsed: apply it through the core (service thread). */
static void import_apply(api_req_t *r)
{
    if (r->rc != 0) {
        answer_json(r, 422, r->summary);
        r->summary = NULL;
        return;
    }
    if (r->preview) {
        api_plan_summary(host.core, r->summary, r->args);
        answer_json(r, 200, r->summary);
        r->summary = NULL;
        return;
    }
    api_plan_summary(host.core, r->summary, r->args);
    char id[80];
    if (r->id[0])
        snprintf(id, sizeof id, "import-%s", r->id);
    else
        snprintf(id, sizeof id, "import-%lld-%u", (long long)time(NULL), ++import_count);
    int64_t seq = 0;
    int rc = host.exec(&r->who, "registrations.import", r->args, id, &seq);
    if (rc < 0) {
        answer_err(r, rc == SP_E_STORE_UNAVAILABLE ? 503 : 422, rc);
        return;
    }
    if (rc == 1) {
        /* The same id again: the first request imported it; nothing changed now. */
        json_object_set_new(r->summary, "already", json_true());
        json_object_set_new(r->summary, "imported", json_integer(0));
        json_object_set_new(r->summary, "replaced", json_integer(0));
        json_object_set_new(r->summary, "new", json_integer(0));
        json_object_set_new(r->summary, "updated", json_integer(0));
    }
    json_object_set_new(r->summary, "seq", json_integer(seq));
    r->wait_seq = seq;
    r->state = S_WAIT_COMMIT;   /* answered by api_committed(), also when already durable */
}

void api_poll(void)
{
    api_req_t *r = reqs, *next;
    for (; r; r = next) {
        next = r->next;
        if (r->state != S_WORKING || !atomic_load(&r->done))
            continue;
        pthread_join(r->th, NULL);
        r->thread = 0;
        if (r->wsi == NULL) {
            /* Nobody waits for the answer; an import is still applied (the organiser
             * may have closed the tab), a PDF is dropped. */
            if (r->kind == K_IMPORT && r->rc == 0 && !r->preview) {
                import_apply(r);
                if (r->state == S_WAIT_COMMIT)
                    continue;
            }
            req_free(r);
            continue;
        }
        if (r->kind == K_IMPORT) {
            import_apply(r);
        } else if (r->rc != 0) {
            answer_err(r, 500, SP_E_NOT_FOUND);
        } else {
            answer(r, 200, "application/pdf", (char *)r->pdf, r->pdflen);
            r->pdf = NULL;
        }
    }
    /* A repeated import id is durable already: answer it now. */
    api_committed(host.committed());
}

void api_committed(int64_t committed)
{
    api_req_t *r = reqs, *next;
    for (; r; r = next) {
        next = r->next;
        if (r->state != S_WAIT_COMMIT || r->wait_seq > committed)
            continue;
        if (r->wsi == NULL) {
            req_free(r);
            continue;
        }
        answer_json(r, 200, r->summary);
        r->summary = NULL;
    }
}

int api_writeable(struct lws *wsi, api_req_t **rp)
{
    api_req_t *r = *rp;
    if (r == NULL || r->state != S_SENDING)
        return 0;
    if (!r->headers_sent) {
        unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
        if (lws_add_http_common_headers(wsi, r->status, r->mime, (lws_filepos_t)r->rlen, &p, end) ||
            http_add_header(wsi, "x-content-type-options:", "nosniff", &p, end) ||
            http_add_header(wsi, "cache-control:", "no-store", &p, end) ||
            http_add_header(wsi, "referrer-policy:", "no-referrer", &p, end) ||
            (r->kind == K_SHEETS && r->status == 200 &&
             http_add_header(wsi, "content-disposition:", "inline; filename=\"teamcodes.pdf\"", &p, end)) ||
            (r->kind == K_DOOR && r->status == 200 &&
             http_add_header(wsi, "content-disposition:", "inline; filename=\"deurlijst.pdf\"", &p, end)) ||
            (r->kind == K_REPORT && r->status == 200 &&
             http_add_header(wsi, "content-disposition:", "inline; filename=\"verslag.pdf\"", &p, end)) ||
            lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        r->headers_sent = 1;
        lws_callback_on_writable(wsi);
        return 0;
    }
    unsigned char buf[LWS_PRE + CHUNK];
    size_t n = r->rlen - r->rpos;
    if (n > CHUNK)
        n = CHUNK;
    memcpy(buf + LWS_PRE, r->resp + r->rpos, n);
    r->rpos += n;
    int final = r->rpos >= r->rlen;
    if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return -1;
    if (!final) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    /* The connection may carry another request (keep-alive): this one is done. */
    req_free(r);
    *rp = NULL;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

void api_closed(api_req_t **rp)
{
    api_req_t *r = *rp;
    *rp = NULL;
    if (r == NULL)
        return;
    r->wsi = NULL;
    /* A running worker or an import waiting for its commit finishes first. */
    if (r->state != S_WORKING && r->state != S_WAIT_COMMIT)
        req_free(r);
}

void api_stop(void)
{
    for (api_req_t *r = reqs; r; r = r->next)
        if (r->thread) {
            pthread_join(r->th, NULL);
            r->thread = 0;
        }
}

void api_shutdown(void)
{
    api_stop();
    while (reqs)
        req_free(reqs);
    sheets_cleanup();
}
