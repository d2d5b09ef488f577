/* api.c – the organiser's HTTP API: CSV import and PDF rendering in worker threads, AVG export. */
#include "net/api.h"
#include "bank/bank.h"
#include "core/err.h"
#include "net/cluster.h"
#include "util/secret.h"
#include "net/http.h"
#include "net/sprints.h"
#include "log/boot.h"
#include "org/import.h"
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

enum { K_IMPORT, K_SHEETS, K_DOOR, K_REPORT, K_PERSON, K_BANK, K_ERROR,
       K_SPRINTS, K_SREPORT, K_SNEW, K_SPUBLISH, K_FORGET };   /* several sprints (sprints.h) */
enum { S_READING, S_WORKING, S_WAIT_COMMIT, S_SENDING };

struct api_req {
    struct api_req *next;
    struct lws *wsi;            /* NULL once the connection is gone */
    int kind, state;
    who_t who;
    char hash[SECRET_HASH_LEN + 1]; /* the organiser's token hash (forwards of a cluster) */
    /* the request */
    char *body;
    size_t blen, bcap;
    int too_big, preview, json_body;   /* json_body: {csv, map, choices} instead of the bare CSV */
    char id[LIMIT_IMPORT_ID + 1];
    char map[LIMIT_IMPORT_MAP + 1];
    int map_too_long;
    reg_challenge_t *ch;        /* copies for the worker */
    size_t nch;
    json_t *sheet_in;
    char *title;
    bank_query_t bq;            /* a bank search: the strings below are its copies */
    char bq_q[LIMIT_BANK_QUERY + 1], bq_sprint[64], bq_challenge[64], bq_kind[16];
    /* the worker */
    pthread_t th;
    int thread;
    atomic_int done;
    int rc;
    json_t *summary, *args;
    unsigned char *pdf;
    size_t pdflen;
    /* several sprints: the sprint of the URL, the report's format, what a forget did,
     * the new sprint's id and organiser token, a switch once the answer is out */
    char sid[64], fmt[8];
    json_t *ids;
    int people, switch_after;
    char tok[SECRET_TOKEN_LEN + 1];
    /* the answer */
    unsigned status;
    const char *mime;
    char *resp;
    size_t rlen, rpos;
    int headers_sent;
};

static api_host_t host;
#define BANK_WORKERS_MAX 8      /* idea-bank searches running at once (a thread and a connection each) */
static int bank_workers;        /* service thread only */
static api_req_t *reqs;

/* Several sprints (below): the list, an archive's reports, a new sprint, publishing,
 * forgetting a person everywhere. */
static int sprints_begin(struct lws *wsi, api_req_t *r, const char *url, int post, int auth_rc);
static int sprints_body_done(api_req_t *r);
static void sprints_worked(api_req_t *r);
static int creating;   /* a new sprint is being made or the server switches to it */
static unsigned import_count;   /* names imports sent without an id */

void api_init(const api_host_t *h)
{
    host = *h;
    creating = 0;   /* a new server_run after a switch */
    bank_workers = 0;   /* the last run's searches were joined (api_stop) */
}

int api_wants(const char *url) { return url != NULL && strncmp(url, "/api/", 5) == 0; }

static json_t *err_json(const char *code, const char *nl, const char *en)
{
    return json_pack("{ss ss ss}", "code", code, "nl", nl, "en", en);
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
            r->rc = import_parse(json_string_value(csv), json_string_length(csv), r->ch, r->nch,
                                 map ? json_string_value(map) : "", choices, r->preview, NULL, NULL,
                                 &r->summary, &r->args);
        json_decref(env);
    } else
        r->rc = import_parse(r->body, r->blen, r->ch, r->nch, r->map, NULL, r->preview, NULL, NULL,
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

/* A bank search opens its own connection to the database (never the server's store) and
 * answers from the engine's full-text index; the public page first checks that some
 * sprint is public at all. */
static void *bank_worker(void *arg)
{
    api_req_t *r = arg;
    bank_t *b = NULL;
    char err[256] = "";
    r->rc = bank_open(host.db, &b, err, sizeof err);
    if (r->rc != 0)
        fprintf(stderr, "staatsprint: de ideeënbank kan niet open (cannot open the idea bank): %s\n", err);
    int npub = 1;
    if (r->rc == 0 && r->bq.public_only)
        r->rc = bank_public_count(b, &npub);
    if (r->rc == 0 && npub == 0)
        r->rc = 1;   /* nothing public: 404 not_public */
    else if (r->rc == 0)
        r->rc = bank_search(b, &r->bq, &r->summary);
    bank_close(b);
    atomic_store(&r->done, 1);
    lws_cancel_service(host.ctx);
    return NULL;
}

/* ---- keeping the bank in step: a background re-sync, the priors back on this thread ---- */

static struct {
    pthread_mutex_t mu;
    pthread_t th;
    int running, again, joinable;
    json_t *priors;    /* new priors for the core, taken by api_poll */
} resync = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, NULL};

static void *resync_worker(void *arg)
{
    (void)arg;
    for (;;) {
        json_t *pri = NULL;
        if (bank_sync(host.db, NULL) != 0 || bank_priors(host.db, &pri) != 0)
            fprintf(stderr, "staatsprint: de ideeënbank is niet bijgewerkt (the idea bank was not updated)\n");
        pthread_mutex_lock(&resync.mu);
        if (pri) {
            json_decref(resync.priors);
            resync.priors = pri;
        }
        int again = resync.again;
        resync.again = 0;
        if (!again)
            resync.running = 0;
        pthread_mutex_unlock(&resync.mu);
        lws_cancel_service(host.ctx);
        if (!again)
            return NULL;
    }
}

void api_bank_resync(void)
{
    pthread_mutex_lock(&resync.mu);
    if (resync.running) {
        resync.again = 1;   /* the running one goes round once more */
    } else {
        if (resync.joinable)
            pthread_join(resync.th, NULL);
        resync.joinable = resync.running = pthread_create(&resync.th, NULL, resync_worker, NULL) == 0;
    }
    pthread_mutex_unlock(&resync.mu);
}

static void resync_take(void)
{
    pthread_mutex_lock(&resync.mu);
    json_t *pri = resync.priors;
    resync.priors = NULL;
    pthread_mutex_unlock(&resync.mu);
    if (pri) {
        core_set_priors(host.core, pri);
        json_decref(pri);
    }
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
    json_decref(r->ids);
    free(r->title);
    free(r->pdf);
    free(r->resp);
    free(r);
}

/* The organiser behind `Authorization: Bearer TOKEN`. */
static int authorise(struct lws *wsi, who_t *who, char *hash)
{
    char h[256];
    if (lws_hdr_copy(wsi, h, sizeof h, WSI_TOKEN_HTTP_AUTHORIZATION) <= 0 || strncasecmp(h, "Bearer ", 7) != 0)
        return SP_E_NOT_AUTHENTICATED;
    secret_hash(h + 7, hash);
    if (core_auth(host.core, hash, who) != 0) {
        json_t *old = sprints_lookup(hash, 0);   /* a link of an archived sprint */
        json_decref(old);
        return old ? SP_E_SPRINT_ARCHIVED : SP_E_BAD_TOKEN;
    }
    return who->role == ROLE_ORGANISER ? 0 : SP_E_FORBIDDEN;
}

static void urlarg(struct lws *wsi, const char *name, char *out, size_t len)
{
    char buf[600];
    const char *v = lws_get_urlarg_by_name(wsi, name, buf, (int)sizeof buf);
    snprintf(out, len, "%s", v ? v : "");
}

/* The search of GET /api/bank and /api/public/bank from the query string; -1 when a
 * filter is malformed (a kind or flag the bank does not know, a limit out of range). */
static int bank_args(struct lws *wsi, api_req_t *r, int pub)
{
    char q[600], v[64];
    urlarg(wsi, "q=", q, sizeof q);
    if (strlen(q) > LIMIT_BANK_QUERY)
        return -1;   /* refused, never cut */
    memcpy(r->bq_q, q, strlen(q) + 1);
    urlarg(wsi, "sprint=", r->bq_sprint, sizeof r->bq_sprint);
    urlarg(wsi, "challenge=", r->bq_challenge, sizeof r->bq_challenge);
    urlarg(wsi, "kind=", r->bq_kind, sizeof r->bq_kind);
    r->bq = (bank_query_t){r->bq_q, r->bq_sprint, r->bq_challenge, r->bq_kind, -1, -1, pub, 20, 0};
    static const char *const flags[] = {"chosen=", "won="};
    for (int i = 0; i < 2; i++) {
        urlarg(wsi, flags[i], v, sizeof v);
        if (v[0] && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
            return -1;
        if (v[0])
            *(i ? &r->bq.won : &r->bq.chosen) = v[0] - '0';
    }
    static const char *const nums[] = {"limit=", "offset="};
    for (int i = 0; i < 2; i++) {
        urlarg(wsi, nums[i], v, sizeof v);
        if (!v[0])
            continue;
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < (i ? 0 : 1) || n > (i ? 100000 : 100))
            return -1;
        *(i ? &r->bq.offset : &r->bq.limit) = (int)n;
    }
    if (r->bq_kind[0] && !bank_kind_ok(r->bq_kind))
        return -1;
    return 0;
}

int api_begin(struct lws *wsi, api_req_t **rp, const char *url)
{
    api_req_t *r = xcalloc(1, sizeof *r);
    r->wsi = wsi;
    r->next = reqs;
    reqs = r;
    *rp = r;
    int post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
    int rc = authorise(wsi, &r->who, r->hash);
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
        char id[600];
        urlarg(wsi, "id=", id, sizeof id);
        if (r->kind != K_ERROR && strlen(id) > LIMIT_IMPORT_ID)
            r->kind = K_ERROR, r->rc = SP_E_BAD_ID;   /* refused, never cut (limits.h) */
        else
            memcpy(r->id, id, strlen(id) + 1);
        char map[600];
        urlarg(wsi, "map=", map, sizeof map);
        if (strlen(map) > LIMIT_IMPORT_MAP)
            r->map_too_long = 1;   /* refused in api_body_done, never cut */
        else
            memcpy(r->map, map, strlen(map) + 1);
        char ctype[64] = "";
        if (lws_hdr_copy(wsi, ctype, sizeof ctype, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0)
            r->json_body = strncasecmp(ctype, "application/json", 16) == 0;
        return 0;
    }
    if (strcmp(url, "/api/sprints") == 0 || strncmp(url, "/api/sprints/", 13) == 0 ||
        strcmp(url, "/api/people/forget") == 0)
        return sprints_begin(wsi, r, url, post, rc);
    if (post) {
        r->kind = K_ERROR;
        r->rc = SP_E_NOT_FOUND;
        r->state = S_READING;
        return 0;
    }
    r->kind = K_ERROR;
    int pub = strcmp(url, "/api/public/bank") == 0;
    if (pub || strcmp(url, "/api/bank") == 0) {
        /* The organiser or a facilitator of the live sprint; the public page: nobody. */
        if (!pub && rc == SP_E_FORBIDDEN && r->who.role == ROLE_FACILITATOR)
            rc = 0;
        if (!pub && rc != 0) {
            answer_err(r, rc == SP_E_FORBIDDEN ? 403 : 401, rc);
            return 0;
        }
        if (bank_args(wsi, r, pub) != 0) {
            answer_err(r, 400, SP_E_BAD_MESSAGE);
            return 0;
        }
        /* The public page needs no token: searches at once are capped, not queued. */
        if (bank_workers >= BANK_WORKERS_MAX) {
            answer_err(r, 429, SP_E_RATE_LIMITED);
            return 0;
        }
        r->kind = K_BANK;
        if (start_worker(r, bank_worker) != 0)
            answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
        else
            bank_workers++;
        return 0;
    }
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
    if (r->kind >= K_SPRINTS && r->kind != K_ERROR && !r->too_big)
        return sprints_body_done(r);
    if (r->kind == K_ERROR) {
        int e = r->rc ? r->rc : SP_E_NOT_FOUND;
        answer_err(r, e == SP_E_FORBIDDEN ? 403 : e == SP_E_NOT_FOUND ? 404 : e == SP_E_BAD_ID ? 400 : 401, e);
        return 0;
    }
    if (r->too_big) {
        answer_json(r, 413, err_json("too_big", "Het bestand is groter dan 20 MB.", "The file is larger than 20 MB."));
        return 0;
    }
    if (r->map_too_long) {
        answer_json(r, 422, err_json("bad_map", "De koppeling van velden aan kolommen is te lang.",
                                     "The mapping of fields to columns is too long."));
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

/* The import's answer once its events are durable (or it was refused). Frees a request
 * whose connection is gone. */
static void import_done(void *ud, const char *id, int rc, int64_t seq)
{
    (void)id;
    api_req_t *r = ud;
    if (r->wsi == NULL) {
        req_free(r);
        return;
    }
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
    answer_json(r, 200, r->summary);
    r->summary = NULL;
}

/* An import parsed: apply it through the core (service thread). */
static void import_apply(api_req_t *r)
{
    if (r->rc != 0) {
        answer_json(r, 422, r->summary);
        r->summary = NULL;
        return;
    }
    core_import_summary(host.core, r->summary, r->args);
    if (r->preview) {
        answer_json(r, 200, r->summary);
        r->summary = NULL;
        return;
    }
    char id[LIMIT_CMD_ID + 1];   /* "import-" and at most LIMIT_IMPORT_ID: never cut */
    if (r->id[0])
        snprintf(id, sizeof id, "import-%s", r->id);
    else
        snprintf(id, sizeof id, "import-%lld-%u", (long long)time(NULL), ++import_count);
    r->state = S_WAIT_COMMIT;   /* answered by import_done, at once or after the commit */
    if (cluster_forwarding())   /* cluster hook: on a follower the leader runs it */
        cluster_forward_req(r->hash, "registrations.import", r->args, id, import_done, r);
    else
        host.exec(&r->who, "registrations.import", r->args, id, import_done, r);
}

/* ---- several sprints (net/sprints.h) ---------------------------------------------------- */

static void *sprints_worker(void *arg)
{
    api_req_t *r = arg;
    switch (r->kind) {
    case K_SPRINTS:
        r->rc = sprints_list(host.db, host.log, &r->summary);
        break;
    case K_SREPORT: {
        char *buf;
        r->rc = sprints_report(host.db, r->sid, r->fmt, r->preview, r->people, &buf, &r->pdflen);
        r->pdf = (unsigned char *)buf;
        break;
    }
    case K_SNEW:
        r->rc = sprints_create(host.db, json_string_value(json_object_get(r->args, "from")),
                               json_string_value(json_object_get(r->args, "title")),
                               json_string_value(json_object_get(r->args, "date")), r->sid, sizeof r->sid,
                               r->tok, sizeof r->tok);
        break;
    case K_SPUBLISH:
        r->rc = sprints_publish(host.db, r->sid, r->args);
        break;
    case K_FORGET:
        r->rc = sprints_forget(host.db, host.log, json_string_value(json_object_get(r->args, "email")), r->ids,
                               &r->people);
        break;
    default:
        break;
    }
    atomic_store(&r->done, 1);
    lws_cancel_service(host.ctx);
    return NULL;
}

static int sprints_begin(struct lws *wsi, api_req_t *r, const char *url, int post, int auth_rc)
{
    r->state = S_READING;
    /* A facilitator reads the reports of archives in the idea bank (their teams' pages):
     * GET only, without names, never the live sprint's (below and sprints_report). */
    int fac_report = auth_rc == SP_E_FORBIDDEN && r->who.role == ROLE_FACILITATOR && !post &&
                     strncmp(url, "/api/sprints/", 13) == 0 && strstr(url + 13, "/report.") != NULL;
    if (fac_report)
        auth_rc = 0;
    if (auth_rc != 0) {
        r->kind = K_ERROR;
        r->rc = auth_rc;
        if (!post)
            answer_err(r, auth_rc == SP_E_FORBIDDEN ? 403 : 401, auth_rc);
        return 0;
    }
    const char *rest = url + 12;   /* after "/api/sprints" */
    if (strcmp(url, "/api/people/forget") == 0)
        r->kind = K_FORGET;
    else if (*rest == '\0')
        r->kind = post ? K_SNEW : K_SPRINTS;
    else {
        const char *id = rest + 1, *slash = strchr(id, '/');
        size_t n = slash ? (size_t)(slash - id) : 0;
        if (slash && n > 0 && n < sizeof r->sid) {
            memcpy(r->sid, id, n);
            r->sid[n] = '\0';
            if (post && strcmp(slash, "/publish") == 0)
                r->kind = K_SPUBLISH;
            else if (!post && strncmp(slash, "/report.", 8) == 0 &&
                     (strcmp(slash + 8, "pdf") == 0 || strcmp(slash + 8, "json") == 0 || strcmp(slash + 8, "md") == 0)) {
                r->kind = K_SREPORT;
                snprintf(r->fmt, sizeof r->fmt, "%s", slash + 8);
            }
        }
    }
    int wants_post = r->kind == K_SNEW || r->kind == K_SPUBLISH || r->kind == K_FORGET;
    if (r->kind < K_SPRINTS || wants_post != post) {
        r->kind = K_ERROR;
        r->rc = SP_E_NOT_FOUND;
        if (!post)
            answer_err(r, 404, SP_E_NOT_FOUND);
        return 0;
    }
    if (post)
        return 0;   /* the body comes: sprints_body_done */
    if (fac_report && (r->kind != K_SREPORT || strcmp(r->sid, host.log) == 0)) {
        r->kind = K_ERROR;
        answer_err(r, 403, SP_E_FORBIDDEN);
        return 0;
    }
    if (r->kind == K_SREPORT) {
        char names[8];
        urlarg(wsi, "names=", names, sizeof names);
        r->preview = names[0] == '1' && !fac_report;   /* "with names", as for /api/report.pdf */
        r->people = fac_report;   /* reused: only an archive in the bank */
    }
    if (start_worker(r, sprints_worker) != 0)
        answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
    return 0;
}

static void answer_bad(api_req_t *r, const char *nl, const char *en)
{
    answer_json(r, 400, err_json("bad_message", nl, en));
}

/* The live sprint's publish or person.delete, answered once durable. */
static void live_done(void *ud, const char *id, int rc, int64_t seq)
{
    (void)id;
    (void)seq;
    api_req_t *r = ud;
    if (r->wsi == NULL) {
        req_free(r);
        return;
    }
    if (rc < 0) {
        answer_err(r, rc == SP_E_STORE_UNAVAILABLE ? 503 : rc == SP_E_NOT_ARCHIVED ? 409 : 422, rc);
        return;
    }
    if (r->kind == K_FORGET) {
        json_array_append_new(r->ids, json_string(host.log));
        r->people++;
        sprints_bank_sync(host.db);
        answer_json(r, 200, json_pack("{sO si}", "sprints", r->ids, "people", r->people));
    } else {
        answer_json(r, 200, json_pack("{ss sb}", "sprint", host.log, "live", 1));
    }
}

static void live_exec(api_req_t *r, const char *cmd, const json_t *args)
{
    static unsigned n;
    char id[LIMIT_CMD_ID + 1];
    snprintf(id, sizeof id, "%s-%lld-%u", cmd, (long long)time(NULL), ++n);
    r->state = S_WAIT_COMMIT;
    if (cluster_forwarding())   /* cluster hook: on a follower the leader runs it */
        cluster_forward_req(r->hash, cmd, args, id, live_done, r);
    else
        host.exec(&r->who, cmd, args, id, live_done, r);
}

static int sprints_body_done(api_req_t *r)
{
    json_t *body = r->body ? json_loadb(r->body, r->blen, 0, NULL) : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        answer_bad(r, "Het verzoek is geen JSON-object.", "The request is not a JSON object.");
        return 0;
    }
    r->args = body;
    if (r->kind == K_SNEW) {
        static const char *const keys[] = {"from", "title", "date"};
        for (size_t i = 0; i < 3; i++) {
            const json_t *v = json_object_get(body, keys[i]);
            if (v != NULL && !json_is_string(v)) {
                answer_bad(r, "Verwacht {from, title, date} als teksten.", "Expected {from, title, date} as strings.");
                return 0;
            }
        }
        if (creating || !core_archived(host.core)) {
            answer_err(r, 409, SP_E_NOT_ARCHIVED);
            return 0;
        }
        creating = 1;
    } else if (r->kind == K_SPUBLISH) {
        if (strcmp(r->sid, host.log) == 0) {
            live_exec(r, "sprint.publish", body);
            return 0;
        }
    } else if (r->kind == K_FORGET) {
        const char *email = json_string_value(json_object_get(body, "email"));
        if (email == NULL || email[0] == '\0' || strlen(email) > 254) {
            answer_bad(r, "Verwacht {email}.", "Expected {email}.");
            return 0;
        }
        r->ids = json_array();
    }
    if (start_worker(r, sprints_worker) != 0) {
        if (r->kind == K_SNEW)
            creating = 0;
        answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
    }
    return 0;
}

/* A worker of several sprints is done (service thread). */
static void sprints_worked(api_req_t *r)
{
    switch (r->kind) {
    case K_SPRINTS:
        if (r->rc != 0)
            answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
        else
            answer_json(r, 200, r->summary);
        r->summary = NULL;
        break;
    case K_SREPORT:
        if (r->rc == -2)
            answer_err(r, 404, SP_E_NOT_FOUND);
        else if (r->rc == -3)
            answer_err(r, 403, SP_E_FORBIDDEN);
        else if (r->rc != 0)
            answer_err(r, 500, SP_E_NOT_FOUND);
        else {
            const char *mime = strcmp(r->fmt, "pdf") == 0    ? "application/pdf"
                               : strcmp(r->fmt, "json") == 0 ? "application/json"
                                                             : "text/markdown; charset=utf-8";
            answer(r, 200, mime, (char *)r->pdf, r->pdflen);
            r->pdf = NULL;
        }
        break;
    case K_SNEW:
        if (r->rc != 0) {
            creating = 0;
            if (r->rc == BOOT_EBAD)
                answer_bad(r, "De titel of datum (JJJJ-MM-DD) is ongeldig.", "The title or date (YYYY-MM-DD) is invalid.");
            else
                answer_err(r, r->rc == BOOT_ENOTFOUND ? 404 : 503,
                           r->rc == BOOT_ENOTFOUND ? SP_E_NOT_FOUND : SP_E_STORE_UNAVAILABLE);
            break;
        }
        {
            char url[512];
            snprintf(url, sizeof url, "%s/#/o/%s", host.base_url, r->tok);
            memset(r->tok, 0, sizeof r->tok);
            /* The switch follows once this answer is out (api_writeable); a request whose
             * connection is gone switches at once. */
            r->switch_after = 1;
            answer_json(r, 201, json_pack("{ss ss}", "sprint", r->sid, "organiser", url));
        }
        break;
    case K_SPUBLISH:
        if (r->rc == 0) {
            sprints_bank_sync(host.db);
            answer_json(r, 200, json_pack("{ss sb}", "sprint", r->sid, "live", 0));
        } else if (r->rc == -2)
            answer_err(r, 404, SP_E_NOT_FOUND);
        else
            answer_err(r, r->rc == SP_E_STORE_UNAVAILABLE ? 503 : r->rc == SP_E_NOT_ARCHIVED ? 409 : 400, r->rc);
        break;
    case K_FORGET: {
        if (r->rc != 0) {
            answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
            break;
        }
        const char *pid = core_person_by_email(host.core, json_string_value(json_object_get(r->args, "email")));
        if (pid != NULL) {
            json_t *args = json_pack("{ss}", "person", pid);
            live_exec(r, "person.delete", args);   /* answered by live_done */
            json_decref(args);
            break;
        }
        if (r->people > 0)
            sprints_bank_sync(host.db);
        answer_json(r, 200, json_pack("{sO si}", "sprints", r->ids, "people", r->people));
        break;
    }
    default:
        break;
    }
}

void api_poll(void)
{
    resync_take();
    api_req_t *r = reqs, *next;
    for (; r; r = next) {
        next = r->next;
        if (r->state != S_WORKING || !atomic_load(&r->done))
            continue;
        pthread_join(r->th, NULL);
        r->thread = 0;
        if (r->kind == K_BANK)
            bank_workers--;
        if (r->wsi == NULL) {
            /* Nobody waits for the answer; an import is still applied (the organiser
             * may have closed the tab), a PDF is dropped. A new sprint is durable: the
             * server switches to it all the same. */
            if (r->kind == K_IMPORT && r->rc == 0 && !r->preview) {
                import_apply(r);   /* import_done frees it */
                continue;
            }
            if (r->kind == K_SNEW && r->rc == 0 && host.on_switch) {
                req_free(r);
                host.on_switch();
                continue;
            }
            if (r->kind == K_SNEW)
                creating = 0;
            if (r->kind == K_FORGET) {   /* AVG: the live sprint too, whoever waits */
                sprints_worked(r);
                if (r->state == S_SENDING)
                    req_free(r);
                continue;
            }
            req_free(r);
            continue;
        }
        if (r->kind == K_IMPORT) {
            import_apply(r);
        } else if (r->kind == K_BANK) {
            if (r->rc == 1)
                answer_err(r, 404, SP_E_NOT_PUBLIC);
            else if (r->rc != 0)
                answer_err(r, 503, SP_E_STORE_UNAVAILABLE);
            else {
                answer_json(r, 200, r->summary);
                r->summary = NULL;
            }
        } else if (r->kind >= K_SPRINTS) {
            sprints_worked(r);
        } else if (r->rc != 0) {
            answer_err(r, 500, SP_E_NOT_FOUND);
        } else {
            answer(r, 200, "application/pdf", (char *)r->pdf, r->pdflen);
            r->pdf = NULL;
        }
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
            ((r->kind == K_REPORT || (r->kind == K_SREPORT && strcmp(r->fmt, "pdf") == 0)) && r->status == 200 &&
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
    int sw = r->switch_after;
    req_free(r);
    *rp = NULL;
    int done = lws_http_transaction_completed(wsi) ? -1 : 0;
    if (sw && host.on_switch)
        host.on_switch();   /* the new sprint's answer is out: the server switches to it */
    return done;
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
    pthread_mutex_lock(&resync.mu);
    int join = resync.joinable;
    resync.joinable = 0;
    pthread_mutex_unlock(&resync.mu);
    if (join)
        pthread_join(resync.th, NULL);
    json_decref(resync.priors);
    resync.priors = NULL;
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
