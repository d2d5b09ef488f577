/* event.h – the event log: one record (ev_t) as store record, as wire frame, and replay.
 *
 * The one place that knows how an event of the core is written to a store and read
 * back, and how it looks on the wire. net (the server, the cluster), store users (the
 * start-up, the command-line tools) and report all go through it, so a field added to
 * the record is added here once.
 */
#ifndef SP_LOG_EVENT_H
#define SP_LOG_EVENT_H

#include "core/core.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* The JSON text of ev->data (caller frees); *len its length. */
char *ev_to_body(const ev_t *ev, size_t *len);

/* Fills rec from ev and body (rec borrows both). */
void ev_to_rec(const ev_t *ev, const char *body, size_t len, store_rec_t *rec);

/* Fills ev from a record (ev->data owned by ev, NULL and -1 when the body is not JSON;
 * strings longer than ev's fields are cut, which a record written by core never has). */
int ev_from_rec(const store_rec_t *rec, ev_t *ev);

/* The wire frame of an event: {"t":"ev","seq","ts","type","by","data"} (caller frees). */
char *ev_frame(const ev_t *ev, size_t *len);

/* The same frame around body, the text of ev_to_body(): the event's data encoded once
 * for the log and the wire. */
char *ev_frame_body(const ev_t *ev, const char *body, size_t blen, size_t *len);

/* The type of a wire frame made by ev_frame(), read without parsing the frame: 0, or -1
 * when there is none or it does not fit in type[typelen]. */
int ev_frame_type(const char *frame, size_t len, char *type, size_t typelen);

/* Reads a wire frame back into an event (type, seq, ts, actor, data owned by ev; the
 * audience is not in a frame and stays 0). Returns 0, or -1 when it is not a frame. */
int ev_from_frame(const char *frame, size_t len, ev_t *ev);

/* Called for each event of a replay, in log order; ev and its data are borrowed for
 * the call. Return 0 to go on, non-zero to stop. */
typedef int (*log_event_cb)(void *ud, const ev_t *ev);

/* Calls cb for every event of log with seq > after. Returns 0; STORE_ESTOP when cb
 * stopped; LOG_EBAD when a record does not decode (*bad_seq, when not NULL, names
 * it); or the store's error. */
#define LOG_EBAD (-100)
int log_read(store_t *s, const char *log, int64_t after, log_event_cb cb, void *ud,
             int64_t *bad_seq);

/* Appends the events of out to log in one durable batch (store_append). Returns what
 * store_append returns. */
int log_append(store_t *s, const char *log, const evlist_t *out);

/* The sprints of a store: every log with the ts of its first event (when it was
 * created). */
typedef struct {
    char id[64];
    int64_t created;   /* ts of seq 1, ms */
} log_info_t;

/* Every log of s, newest first (by created; equal times by id, larger first). Returns 0
 * with *out (caller frees; NULL when empty) of *n entries, or the store's error. */
int log_list(store_t *s, log_info_t **out, size_t *n);

/* The live sprint of a store: the most recently created log (log_list's first), into
 * out ("" when the store holds none). Returns 0 or the store's error. */
int log_live(store_t *s, char *out, size_t outlen);

#endif
