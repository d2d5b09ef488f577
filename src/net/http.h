/* http.h – the plain HTTP side: embedded web files, /healthz, headers, upgrade checks. */
#ifndef SP_HTTP_H
#define SP_HTTP_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

#include "util/lathist.h"

/* One HTTP response in progress; lives in the connection's per-session data. */
typedef struct {
    const unsigned char *body;   /* borrowed (embedded file) or owned (dynamic) */
    char *owned;
    size_t len, pos;
} http_resp_t;

/* What /healthz reports. */
typedef struct {
    int64_t seq;
    size_t connections;
    int store_failing;
    size_t pending;
    json_t *cluster;             /* net/cluster.h cluster_status(), NULL without a cluster */
    const char *send;            /* how frames go out: "io_uring" or "send" (net/sendq.h) */
    const lathist_t *acks;       /* commands acknowledged since the start, NULL: none kept */
} http_status_t;

/* Starts the response for url. Returns 0, or non-zero to close the connection. */
int http_begin(struct lws *wsi, http_resp_t *r, const char *url, const http_status_t *st);

/* Writes the next part of the body. */
int http_continue(struct lws *wsi, http_resp_t *r);

/* Frees what the response owns. */
void http_end(http_resp_t *r);

/* Adds one response header ("name:" with the colon) at *p; non-zero when it does not fit. */
int http_add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                    unsigned char *end);

/* The origins a page of this server may have: the printed address
 * (http://localhost:PORT and http://127.0.0.1:PORT), the public URL (--url) and the
 * allow-list (--origin). */
typedef struct {
    int port;
    const char *public_url;      /* NULL when not given */
    const char *const *extra;
    size_t n;
} http_origins_t;

/* Whether origin equals one of them as scheme + host + port (case of scheme and host and
 * a default port do not matter; a path is ignored). */
int http_origin_allowed(const char *origin, const http_origins_t *o);

/* Whether a WebSocket upgrade may go ahead: the path is /ws and the Origin, when
 * present, is allowed (http_origin_allowed). The Host header plays no part. */
int http_ws_allowed(struct lws *wsi, const http_origins_t *o);

#endif
