/* event.c – the event record: codec between core events, store records and wire frames. */
#include "log/event.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ev_to_body(const ev_t *ev, size_t *len)
{
    char *s = json_dumps(ev->data, JSON_COMPACT | JSON_ENCODE_ANY);
    *len = s ? strlen(s) : 0;
    return s;
}

void ev_to_rec(const ev_t *ev, const char *body, size_t len, store_rec_t *rec)
{
    rec->seq = ev->seq;
    rec->ts = ev->ts;
    rec->type = ev->type;
    rec->aud_kind = ev->aud_kind;
    rec->aud_id = ev->aud_id;
    rec->actor = ev->actor;
    rec->cmd_id = ev->cmd_id;
    rec->body = body;
    rec->body_len = len;
}

int ev_from_rec(const store_rec_t *rec, ev_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->seq = rec->seq;
    ev->ts = rec->ts;
    snprintf(ev->type, sizeof ev->type, "%s", rec->type);
    ev->aud_kind = rec->aud_kind;
    snprintf(ev->aud_id, sizeof ev->aud_id, "%s", rec->aud_id);
    snprintf(ev->actor, sizeof ev->actor, "%s", rec->actor);
    snprintf(ev->cmd_id, sizeof ev->cmd_id, "%s", rec->cmd_id);
    ev->data = json_loadb(rec->body, rec->body_len, JSON_DECODE_ANY, NULL);
    return ev->data ? 0 : -1;
}

/* A JSON string for text we made (a type, a member id): quotes, backslashes and control
 * characters escaped as jansson does; anything else is copied (it is UTF-8 already). */
static size_t put_jstr(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char)*p;
        } else if (*p < 0x20) {
            char e = *p == '\b' ? 'b' : *p == '\f' ? 'f' : *p == '\n' ? 'n' : *p == '\r' ? 'r'
                   : *p == '\t' ? 't' : 0;
            if (e) {
                out[n++] = '\\';
                out[n++] = e;
                continue;
            }
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[*p >> 4];
            out[n + 5] = hex[*p & 15];
            n += 6;
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n++] = '"';
    return n;
}

char *ev_frame_body(const ev_t *ev, const char *body, size_t blen, size_t *len)
{
    /* Every byte of type and actor may grow to six when escaped. */
    size_t cap = 96 + 6 * (strlen(ev->type) + strlen(ev->actor)) + blen;
    char *s = xmalloc(cap);
    size_t n = (size_t)snprintf(s, cap, "{\"t\":\"ev\",\"seq\":%lld,\"ts\":%lld,\"type\":",
                                (long long)ev->seq, (long long)ev->ts);
    n += put_jstr(s + n, ev->type);
    memcpy(s + n, ",\"by\":", 6);
    n += 6;
    n += put_jstr(s + n, ev->actor);
    memcpy(s + n, ",\"data\":", 8);
    n += 8;
    memcpy(s + n, body, blen);
    n += blen;
    s[n++] = '}';
    s[n] = '\0';
    *len = n;
    return s;
}

char *ev_frame(const ev_t *ev, size_t *len)
{
    size_t blen;
    char *body = ev_to_body(ev, &blen);
    char *s = ev_frame_body(ev, body, blen, len);
    free(body);
    return s;
}

int ev_frame_type(const char *frame, size_t len, char *type, size_t typelen)
{
    /* ev_frame writes "type" before "data" (ev_frame_body writes the keys in order), so the
     * first "type" key is the event's, never one inside its data. */
    static const char key[] = "\"type\":\"";
    const char *end = frame + len;
    const char *p = memmem(frame, len, key, sizeof key - 1);
    if (p == NULL)
        return -1;
    p += sizeof key - 1;
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (q == NULL || (size_t)(q - p) >= typelen)
        return -1;
    memcpy(type, p, (size_t)(q - p));
    type[q - p] = '\0';
    return 0;
}

int ev_from_frame(const char *frame, size_t len, ev_t *ev)
{
    memset(ev, 0, sizeof *ev);
    json_t *f = json_loadb(frame, len, 0, NULL);
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *by = json_string_value(json_object_get(f, "by"));
    json_t *data = json_object_get(f, "data");
    if (type == NULL || data == NULL) {
        json_decref(f);
        return -1;
    }
    ev->seq = json_integer_value(json_object_get(f, "seq"));
    ev->ts = json_integer_value(json_object_get(f, "ts"));
    snprintf(ev->type, sizeof ev->type, "%s", type);
    snprintf(ev->actor, sizeof ev->actor, "%s", by ? by : "");
    ev->data = json_incref(data);
    json_decref(f);
    return 0;
}

typedef struct {
    log_event_cb cb;
    void *ud;
    int64_t bad;
} read_t;

static int read_cb(void *ud, const store_rec_t *rec)
{
    read_t *r = ud;
    ev_t ev;
    if (ev_from_rec(rec, &ev) != 0) {
        r->bad = rec->seq;
        return 1;
    }
    int stop = r->cb(r->ud, &ev);
    json_decref(ev.data);
    return stop;
}

int log_read(store_t *s, const char *log, int64_t after, log_event_cb cb, void *ud,
             int64_t *bad_seq)
{
    read_t r = {cb, ud, 0};
    int rc = store_read(s, log, after, read_cb, &r);
    if (r.bad != 0) {
        if (bad_seq)
            *bad_seq = r.bad;
        return LOG_EBAD;
    }
    return rc;
}

int log_append(store_t *s, const char *log, const evlist_t *out)
{
    store_rec_t *recs = xcalloc(out->n + 1, sizeof *recs);
    char **bodies = xcalloc(out->n + 1, sizeof *bodies);
    for (size_t i = 0; i < out->n; i++) {
        size_t len;
        bodies[i] = ev_to_body(&out->v[i], &len);
        ev_to_rec(&out->v[i], bodies[i], len, &recs[i]);
    }
    int rc = store_append(s, log, recs, out->n);
    for (size_t i = 0; i < out->n; i++)
        free(bodies[i]);
    free(bodies);
    free(recs);
    return rc;
}

typedef struct {
    log_info_t *v;
    size_t n, cap;
} infos_t;

static void info_cb(void *ud, const char *log)
{
    infos_t *l = ud;
    xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    snprintf(l->v[l->n].id, sizeof l->v[l->n].id, "%s", log);
    l->n++;
}

static int created_cb(void *ud, const store_rec_t *rec)
{
    *(int64_t *)ud = rec->ts;
    return 1;   /* the first record is enough */
}

static int newest_first(const void *a, const void *b)
{
    const log_info_t *x = a, *y = b;
    if (x->created != y->created)
        return x->created > y->created ? -1 : 1;
    return -strcmp(x->id, y->id);
}

int log_list(store_t *s, log_info_t **out, size_t *n)
{
    infos_t l = {0};
    *out = NULL;
    *n = 0;
    int rc = store_logs(s, info_cb, &l);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        rc = store_read(s, l.v[i].id, 0, created_cb, &l.v[i].created);
        if (rc == STORE_ESTOP)
            rc = 0;
    }
    if (rc != 0) {
        free(l.v);
        return rc;
    }
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, newest_first);
    *out = l.v;
    *n = l.n;
    return 0;
}

int log_live(store_t *s, char *out, size_t outlen)
{
    log_info_t *v;
    size_t n;
    out[0] = '\0';
    int rc = log_list(s, &v, &n);
    if (rc == 0 && n > 0)
        snprintf(out, outlen, "%s", v[0].id);
    free(v);
    return rc;
}
