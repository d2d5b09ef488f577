/* http.c – static files from the binary, /healthz, and security headers. */
#include "net/http.h"
#include "util/embedded.h"
#include "util/xalloc.h"

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

int http_begin(struct lws *wsi, http_resp_t *r, const char *url, const http_status_t *st)
{
    memset(r, 0, sizeof *r);
    char path[256];
    if (url == NULL || strlen(url) > 200 || strstr(url, ".."))
        url = "/404";
    if (strcmp(url, "/healthz") == 0) {
        json_t *b = json_pack("{sb sI sI ss sI}", "ok", !st->store_failing, "seq",
                              (json_int_t)st->seq, "connections", (json_int_t)st->connections,
                              "store", st->store_failing ? "failing" : "ok", "pending",
                              (json_int_t)st->pending);
        if (st->cluster)
            json_object_set(b, "cluster", st->cluster);
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
    snprintf(path, sizeof path, "web%s", strcmp(url, "/") == 0 ? "/index.html" : url);
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

int http_ws_allowed(struct lws *wsi, const char *const *origins, size_t norigins)
{
    char uri[64], origin[256], host[256];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, "/ws") != 0)
        return 0;
    if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) <= 0)
        return 1;   /* not a browser: command-line clients and tests */
    for (size_t i = 0; i < norigins; i++)
        if (strcmp(origins[i], origin) == 0)
            return 1;
    if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0)
        return 0;
    const char *o = strstr(origin, "://");
    return o != NULL && strcmp(o + 3, host) == 0;
}
