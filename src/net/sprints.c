/* sprints.c – the archives beside the live sprint (see sprints.h). */
#include "net/sprints.h"
#include "net/api.h"
#include "core/core.h"
#include "core/err.h"
#include "log/boot.h"
#include "log/event.h"
#include "report/md.h"
#include "report/model.h"
#include "report/pdf.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- credentials of the archives (service thread) ---------------------------------- */

static strmap_t creds;        /* "h" hash / "c" normalised code → index into names */
static int creds_init;
static json_t *names;         /* [{sprint, title}] */

typedef struct {
    core_t *core;
    int idx;
} load_t;

static int load_cb(void *ud, const ev_t *ev)
{
    load_t *l = ud;
    if (core_apply(l->core, ev) != 0)
        return 1;
    char key[160];
    key[0] = 'h';
    int k = core_event_credential(ev, key + 1, sizeof key - 1);
    if (k != 0) {
        key[0] = k == 2 ? 'c' : 'h';
        strmap_put(&creds, key, l->idx);
    }
    return 0;
}

static store_t *watch;   /* sprints_newer's own connection */

int sprints_newer(const char *db, const char *live)
{
    char err[256], id[64];
    if (watch == NULL && store_open(db, &watch, err, sizeof err) != 0) {
        watch = NULL;
        return 0;
    }
    if (log_live(watch, id, sizeof id) != 0) {
        store_close(watch);   /* the next call connects again */
        watch = NULL;
        return 0;
    }
    return id[0] != '\0' && strcmp(id, live) != 0;
}

void sprints_unload(void)
{
    store_close(watch);
    watch = NULL;
    if (creds_init)
        strmap_free(&creds);
    creds_init = 0;
    json_decref(names);
    names = NULL;
}

int sprints_load(const char *db, const char *live)
{
    sprints_unload();
    strmap_init(&creds);
    creds_init = 1;
    names = json_array();
    store_t *s = NULL;
    char err[256] = "";
    if (store_open(db, &s, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: kan de database niet openen (cannot open the database): %s\n", err);
        return -1;
    }
    log_info_t *v;
    size_t n;
    int rc = log_list(s, &v, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (strcmp(v[i].id, live) == 0)
            continue;
        load_t l = {core_new(), (int)json_array_size(names)};
        rc = log_read(s, v[i].id, 0, load_cb, &l, NULL);
        json_array_append_new(names, json_pack("{ss ss}", "sprint", v[i].id, "title", core_sprint_title(l.core)));
        core_free(l.core);
    }
    free(v);
    store_close(s);
    if (rc != 0)
        fprintf(stderr, "staatsprint: kan de gearchiveerde sprints niet lezen (cannot read the archived "
                        "sprints): %s\n", store_strerror(rc));
    return rc == 0 ? 0 : -1;
}

json_t *sprints_lookup(const char *key, int is_code)
{
    if (!creds_init || key == NULL || strlen(key) > 128)
        return NULL;
    char k[160];
    k[0] = is_code ? 'c' : 'h';
    if (is_code)
        core_code_normalise(key, k + 1, sizeof k - 1);
    else
        snprintf(k + 1, sizeof k - 1, "%s", key);
    int64_t idx;
    if (!strmap_get(&creds, k, &idx))
        return NULL;
    return json_deep_copy(json_array_get(names, (size_t)idx));
}

/* ---- worker side ---------------------------------------------------------------------- */

/* The core of log `id` in s, or NULL (*rc: -2 unknown, else the store's error). */
static core_t *replay(store_t *s, const char *id, int *rc)
{
    core_t *c = boot_load(s, id, rc);
    if (c == NULL && *rc == BOOT_ENOTFOUND)
        *rc = -2;
    return c;
}

static store_t *open_store(const char *db)
{
    store_t *s = NULL;
    char err[256] = "";
    if (store_open(db, &s, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: kan de database niet openen (cannot open the database): %s\n", err);
        return NULL;
    }
    return s;
}

/* The summaries already made, by log id: {id: {head, summary}}; a log whose head moved
 * is folded again. Workers run side by side: under the lock. */
static json_t *summaries;
static pthread_mutex_t summaries_mu = PTHREAD_MUTEX_INITIALIZER;

static json_t *summary_of(store_t *s, const char *id, int *rc)
{
    int64_t head = 0;
    if ((*rc = store_head(s, id, &head)) != 0)
        return NULL;
    pthread_mutex_lock(&summaries_mu);
    json_t *hit = json_object_get(summaries, id);
    json_t *sum = hit && json_integer_value(json_object_get(hit, "head")) == head
                      ? json_deep_copy(json_object_get(hit, "summary"))
                      : NULL;
    pthread_mutex_unlock(&summaries_mu);
    if (sum != NULL)
        return sum;
    core_t *c = replay(s, id, rc);
    if (c == NULL)
        return NULL;
    sum = core_sprint_summary(c);
    head = core_head(c);
    core_free(c);
    pthread_mutex_lock(&summaries_mu);
    if (summaries == NULL)
        summaries = json_object();
    json_object_set_new(summaries, id, json_pack("{sI so}", "head", (json_int_t)head, "summary", json_deep_copy(sum)));
    pthread_mutex_unlock(&summaries_mu);
    return sum;
}

int sprints_list(const char *db, const char *live, json_t **out)
{
    *out = NULL;
    store_t *s = open_store(db);
    if (s == NULL)
        return -1;
    log_info_t *v;
    size_t n;
    int rc = log_list(s, &v, &n);
    json_t *list = json_array();
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *sum = summary_of(s, v[i].id, &rc);
        if (sum == NULL)
            break;
        /* The log is the sprint; its id is the one the endpoints take. */
        json_object_set_new(sum, "id", json_string(v[i].id));
        /* Only one sprint is served: any other is an archive, whatever its log says. */
        if (strcmp(v[i].id, live) != 0)
            json_object_set_new(sum, "state", json_string("archived"));
        json_array_append_new(list, sum);
    }
    free(v);
    store_close(s);
    if (rc != 0) {
        json_decref(list);
        return -1;
    }
    *out = json_pack("{ss so}", "live", live, "sprints", list);
    return 0;
}

int sprints_report(const char *db, const char *id, const char *fmt, int names_on, int bank_only, char **buf,
                   size_t *len)
{
    *buf = NULL;
    *len = 0;
    store_t *s = open_store(db);
    if (s == NULL)
        return -1;
    int64_t head = 0;
    int known = strlen(id) < 64 && store_head(s, id, &head) == 0 && head > 0;
    store_close(s);
    if (!known)
        return -2;
    json_t *doc;
    if (report_model_load_log(db, id, names_on, &doc) != 0)
        return -1;
    if (bank_only && !json_is_true(json_object_get(json_object_get(doc, "archive"), "bank"))) {
        json_decref(doc);
        return -3;
    }
    int rc = 0;
    if (strcmp(fmt, "pdf") == 0) {
        unsigned char *pdf;
        rc = report_pdf_render(doc, &pdf, len);
        *buf = (char *)pdf;
    } else if (strcmp(fmt, "json") == 0) {
        *buf = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        *len = *buf ? strlen(*buf) : 0;
        rc = *buf ? 0 : -1;
    } else {
        FILE *f = open_memstream(buf, len);
        if (f == NULL) {
            rc = -1;
        } else {
            report_md_put(doc, f);
            rc = fclose(f) == 0 ? 0 : -1;
        }
    }
    json_decref(doc);
    if (rc != 0) {
        free(*buf);
        *buf = NULL;
        *len = 0;
        return -1;
    }
    return 0;
}

int sprints_create(const char *db, const char *from, const char *title, const char *date, char *log,
                   size_t loglen, char *tok, size_t toklen)
{
    store_t *s = open_store(db);
    if (s == NULL)
        return BOOT_EIO;
    int rc = boot_new_sprint(s, from, title, date, log, loglen, tok, toklen);
    store_close(s);
    return rc;
}

int sprints_publish(const char *db, const char *id, const json_t *args)
{
    store_t *s = open_store(db);
    if (s == NULL)
        return SP_E_STORE_UNAVAILABLE;
    int changed;
    int rc = boot_exec(s, id, "sprint.publish", args, &changed);
    store_close(s);
    return rc == BOOT_ENOTFOUND ? -2 : rc;
}

int sprints_forget(const char *db, const char *live, const char *email, json_t *ids, int *people)
{
    store_t *s = open_store(db);
    if (s == NULL)
        return SP_E_STORE_UNAVAILABLE;
    log_info_t *v;
    size_t n;
    int rc = log_list(s, &v, &n) == 0 ? 0 : SP_E_STORE_UNAVAILABLE;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (strcmp(v[i].id, live) == 0)
            continue;
        /* One registration per address and sprint; deleting it frees the address. */
        for (int round = 0; round < 100 && rc == 0; round++) {
            int r;
            core_t *c = replay(s, v[i].id, &r);
            if (c == NULL) {
                rc = SP_E_STORE_UNAVAILABLE;
                break;
            }
            const char *pid = core_person_by_email(c, email);
            json_t *args = pid ? json_pack("{ss}", "person", pid) : NULL;
            core_free(c);
            if (args == NULL)
                break;
            int changed;
            rc = boot_exec(s, v[i].id, "person.delete", args, &changed);
            json_decref(args);
            if (rc == 0 && changed) {
                if (round == 0)
                    json_array_append_new(ids, json_string(v[i].id));
                (*people)++;
            }
        }
    }
    free(v);
    store_close(s);
    return rc;
}

/* ---- the idea bank ---------------------------------------------------------------------- */

void sprints_bank_sync(const char *db)
{
    /* The one call site of the idea bank's re-index after an archive, a publication or
     * a forget: in a background thread (api.c), the priors back to the core after. */
    (void)db;   /* the API's host knows the database */
    api_bank_resync();
}
