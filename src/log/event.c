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

char *ev_frame(const ev_t *ev, size_t *len)
{
    json_t *f = json_pack("{ss sI sI ss ss sO}", "t", "ev", "seq", (json_int_t)ev->seq, "ts",
                          (json_int_t)ev->ts, "type", ev->type, "by", ev->actor, "data",
                          ev->data);
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    *len = strlen(s);
    return s;
}

int ev_frame_type(const char *frame, size_t len, char *type, size_t typelen)
{
    /* ev_frame writes "type" before "data" (jansson keeps the order of insertion), so the
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
    char *out;
    size_t len;
} first_t;

static void first_cb(void *ud, const char *log)
{
    first_t *f = ud;
    if (f->out[0] == '\0')
        snprintf(f->out, f->len, "%s", log);
}

void log_first(store_t *s, char *out, size_t outlen)
{
    out[0] = '\0';
    first_t f = {out, outlen};
    store_logs(s, first_cb, &f);
}
