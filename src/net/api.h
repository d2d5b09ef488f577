/* api.h – the organiser's HTTP API: CSV import, join sheets (PDF), AVG export.
 *
 * Endpoints (docs/protocol.md, "HTTP API for the organiser"), all with
 * `Authorization: Bearer <organiser token>`:
 *   POST /api/import[?preview=1][&id=ID][&map=field=column,…]   body: the CSV (≤ 20 MB), or
 *        with Content-Type application/json {csv, map?, choices?:[{answer, challenge}]}
 *   GET  /api/sheets.pdf                                         one A4 page per team, with its members
 *   GET  /api/doorlist.pdf                                       everyone by surname, with team and room
 *   GET  /api/person/<id>                                        everything held about p3 / m4
 *   GET  /api/sprints, POST /api/sprints {from, title, date}     several sprints (net/sprints.h)
 *   GET  /api/sprints/<id>/report.pdf|json|md, POST …/<id>/publish {bank, orgs, public}
 *   POST /api/people/forget {email}                              AVG in every sprint
 *
 * Threads: everything here runs on the lws service thread except the parsing of a
 * CSV and the rendering of a PDF, which run in a worker thread per request on copies
 * of their input. A worker touches neither the core nor lws; when done it sets a flag
 * and calls lws_cancel_service(), and api_poll() (service thread) takes over. An
 * import is applied through the core like any command and answered only once its
 * events are durable (the one command path, net/exec.h).
 */
#ifndef SP_API_H
#define SP_API_H

#include "core/core.h"
#include "util/limits.h"
#include "net/exec.h"

#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

#define API_BODY_MAX LIMIT_IMPORT_BYTES

typedef struct {
    struct lws_context *ctx;
    core_t *core;
    const char *base_url;    /* public address without trailing slash */
    exec_fn exec;            /* the one command path (net/exec.h) */
    const char *db;          /* the database, for reports read by a worker thread */
    const char *log;         /* the live sprint's log id */
    void (*on_switch)(void); /* a new sprint is durable and answered: serve it instead */
} api_host_t;

typedef struct api_req api_req_t;

/* Sets the host once the lws context exists. */
void api_init(const api_host_t *host);

/* Waits for running workers (they wake the lws context when done): call before the
 * lws context is destroyed. */
void api_stop(void);
/* Frees every request and the font caches; call after the lws context is destroyed. */
void api_shutdown(void);

/* Whether url belongs to this API ("/api/…"). */
int api_wants(const char *url);

/* LWS_CALLBACK_HTTP for an API url: *r is set (owned by the API until api_closed).
 * Returns 0, or non-zero to close the connection. */
int api_begin(struct lws *wsi, api_req_t **r, const char *url);
/* LWS_CALLBACK_HTTP_BODY and _COMPLETION. */
int api_body(api_req_t *r, const void *in, size_t len);
int api_body_done(api_req_t *r);
/* LWS_CALLBACK_HTTP_WRITEABLE for a connection with a request; frees it and sets
 * *r to NULL once the answer is out. */
int api_writeable(struct lws *wsi, api_req_t **r);
/* The connection is gone: the request is dropped (a running worker finishes first). */
void api_closed(api_req_t **r);

/* The idea bank changed (an archive, a publication, a forget): bank_sync in a background
 * thread, then the new priors go to the core on the service thread (api_poll). */
void api_bank_resync(void);

/* Service thread, on LWS_CALLBACK_EVENT_WAIT_CANCELLED: takes over finished workers. */
void api_poll(void);

#endif
