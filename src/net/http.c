/* http.c – static files from the binary, /healthz, and security headers. */
#include "net/http.h"
#include "util/embedded.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 16384

/* No inline script or style anywhere; nothing may frame us. */
static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'";

static const struct {
    const char *ext, *mime;
} mimes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".md", "text/markdown; charset=utf-8"},
};

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
            if (strcmp(dot, mimes[i].ext) == 0)
                return mimes[i].mime;
    return "application/octet-stream";
}

int http_add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                    unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

static int send_headers(struct lws *wsi, unsigned status, const char *mime, size_t len)
{
    unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start,
                                       *end = buf + sizeof buf - 1;
    if (lws_add_http_common_headers(wsi, status, mime, (lws_filepos_t)len, &p, end) ||
        http_add_header(wsi, "content-security-policy:", csp, &p, end) ||
        http_add_header(wsi, "x-content-type-options:", "nosniff", &p, end) ||
        http_add_header(wsi, "x-frame-options:", "DENY", &p, end) ||
        http_add_header(wsi, "referrer-policy:", "no-referrer", &p, end) ||
        http_add_header(wsi, "cache-control:", "no-cache", &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    return 0;
}

static int respond(struct lws *wsi, http_resp_t *r, unsigned status, const char *mime)
{
    if (send_headers(wsi, status, mime, r->len))
        return 1;
    lws_callback_on_writable(wsi);
    return 0;
}

/* Whether url is a team's page of an archived sprint's report, "/r/<sprint>/<team>" (the `url`
 * of a bank entry): served as the browser app, which shows it (web/js/app.js). */
static int is_report_page(const char *url)
{
    if (strncmp(url, "/r/", 3) != 0)
        return 0;
    size_t part = 0, parts = 1;
    for (const char *c = url + 3; *c; c++) {
        if (*c == '/') {
            if (part == 0 || ++parts > 2)
                return 0;
            part = 0;
        } else if (isalnum((unsigned char)*c) || *c == '_' || *c == '-') {
            if (++part > 64)
                return 0;
        } else {
            return 0;
        }
    }
    return parts == 2 && part > 0;
}

/* The server's own share of a command's time, from exec_cmd to its answer (the gather
 * window and the commit included): count, p50, p99 and max in µs, and the histogram's
 * non-empty buckets as [upper end µs, count] so that two readings give a window's
 * quantiles (bench/loadgen.c does that). */
static json_t *acks_json(const lathist_t *h)
{
    json_t *hist = json_array();
    for (int i = 0; i < LATHIST_N; i++)
        if (h->count[i])
            json_array_append_new(hist, json_pack("[II]", (json_int_t)lathist_upper(i),
                                                  (json_int_t)h->count[i]));
    return json_pack("{sI sI sI sI so}", "n", (json_int_t)h->n, "p50_us",
                     (json_int_t)lathist_quantile(h, 0.5), "p99_us",
                     (json_int_t)lathist_quantile(h, 0.99), "max_us", (json_int_t)h->max_us,
                     "hist", hist);
}

int http_begin(struct lws *wsi, http_resp_t *r, const char *url, const http_status_t *st)
{
    memset(r, 0, sizeof *r);
    char path[256];
    if (url == NULL || strlen(url) > 200 || strstr(url, ".."))
        url = "/404";
    if (strcmp(url, "/healthz") == 0) {
        json_t *b = json_pack("{sb sI sI ss sI ss}", "ok", !st->store_failing, "seq",
                              (json_int_t)st->seq, "connections", (json_int_t)st->connections,
                              "store", st->store_failing ? "failing" : "ok", "pending",
                              (json_int_t)st->pending, "send", st->send ? st->send : "send");
        if (st->cluster)
            json_object_set(b, "cluster", st->cluster);
        if (st->acks)
            json_object_set_new(b, "acks", acks_json(st->acks));
        char *text = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        size_t n = strlen(text);
        r->owned = xmalloc(n + 2);
        memcpy(r->owned, text, n);
        r->owned[n++] = '\n';
        r->owned[n] = '\0';
        free(text);
        r->body = (const unsigned char *)r->owned;
        r->len = n;
        return respond(wsi, r, st->store_failing ? 503 : 200, "application/json");
    }
    snprintf(path, sizeof path, "web%s", strcmp(url, "/") == 0 || is_report_page(url) ? "/index.html" : url);
    const embed_file_t *f = embed_find(path);
    if (f == NULL) {
        static const char nf[] = "Niet gevonden / Not found\n";
        r->body = (const unsigned char *)nf;
        r->len = sizeof nf - 1;
        return respond(wsi, r, 404, "text/plain; charset=utf-8");
    }
    r->body = f->data;
    r->len = f->len;
    return respond(wsi, r, 200, mime_of(path));
}

int http_continue(struct lws *wsi, http_resp_t *r)
{
    if (r->body == NULL)
        return 0;
    unsigned char buf[LWS_PRE + CHUNK];
    size_t n = r->len - r->pos;
    if (n > CHUNK)
        n = CHUNK;
    memcpy(buf + LWS_PRE, r->body + r->pos, n);
    r->pos += n;
    int final = r->pos >= r->len;
    if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return 1;
    if (!final) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    http_end(r);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

void http_end(http_resp_t *r)
{
    free(r->owned);
    memset(r, 0, sizeof *r);
}

/* An origin as scheme, host and port ("http", "localhost", 8080): lower case, the
 * scheme's default port filled in, any path dropped. Returns 0, or -1 when it is not
 * an http(s) origin. */
static int origin_parse(const char *in, char *scheme, size_t slen, char *host, size_t hlen,
                        int *port)
{
    const char *p = strstr(in, "://");
    if (p == NULL || (size_t)(p - in) >= slen)
        return -1;
    size_t n = (size_t)(p - in);
    for (size_t i = 0; i < n; i++)
        scheme[i] = (char)tolower((unsigned char)in[i]);
    scheme[n] = '\0';
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        return -1;
    p += 3;
    size_t end = strcspn(p, "/?#");
    const char *colon = NULL;
    if (p[0] == '[') {   /* an IPv6 literal keeps its brackets */
        const char *rb = memchr(p, ']', end);
        if (rb == NULL)
            return -1;
        colon = (rb + 1 < p + end && rb[1] == ':') ? rb + 1 : NULL;
    } else {
        colon = memchr(p, ':', end);
    }
    size_t hn = colon ? (size_t)(colon - p) : end;
    if (hn == 0 || hn >= hlen)
        return -1;
    for (size_t i = 0; i < hn; i++)
        host[i] = (char)tolower((unsigned char)p[i]);
    host[hn] = '\0';
    if (colon) {
        char *e;
        long v = strtol(colon + 1, &e, 10);
        if (e != p + end || v <= 0 || v > 65535)
            return -1;
        *port = (int)v;
    } else {
        *port = strcmp(scheme, "https") == 0 ? 443 : 80;
    }
    return 0;
}

static int origin_same(const char *a, const char *b)
{
    char sa[16], sb[16], ha[256], hb[256];
    int pa, pb;
    if (origin_parse(a, sa, sizeof sa, ha, sizeof ha, &pa) != 0 ||
        origin_parse(b, sb, sizeof sb, hb, sizeof hb, &pb) != 0)
        return 0;
    return strcmp(sa, sb) == 0 && strcmp(ha, hb) == 0 && pa == pb;
}

int http_origin_allowed(const char *origin, const http_origins_t *o)
{
    char own[64];
    /* The address the server prints, in both forms a browser on this machine uses. */
    snprintf(own, sizeof own, "http://localhost:%d", o->port);
    if (origin_same(origin, own))
        return 1;
    snprintf(own, sizeof own, "http://127.0.0.1:%d", o->port);
    if (origin_same(origin, own))
        return 1;
    if (o->public_url && origin_same(origin, o->public_url))
        return 1;
    for (size_t i = 0; i < o->n; i++)
        if (origin_same(origin, o->extra[i]))
            return 1;
    return 0;
}

int http_ws_allowed(struct lws *wsi, const http_origins_t *o)
{
    char uri[64], origin[256];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, "/ws") != 0)
        return 0;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) <= 0)
        return 1;   /* not a browser: command-line clients and tests */
    if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) <= 0)
        return 0;   /* longer than any origin we allow */
    /* The Host header is never consulted: a page on a name the attacker controls
     * (DNS rebinding) sends its own name as Host and as Origin. */
    return http_origin_allowed(origin, o);
}
