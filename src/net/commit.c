/* commit.c – the one command path and the commit: events to the writer, frames kept
 * until durable, then fan-out (hub) and answers. See srv.h and net/exec.h.
 *
 * Invariant: every frame in the hub and every answer sent has seq <= srv.committed.
 */
#include "net/srv.h"
#include "log/event.h"
#include "net/cluster.h"
#include "net/sprints.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what durable events change for the viewers -------------------------------- */

/* Teams and rooms made after the set-up (the assignment, room.add): the organiser and
 * facilitators get the channels their identity now allows, from the frame after the
 * last one they were sent, so nothing comes twice and nothing is missed. Participants
 * never gain channels this way. */
static void staff_resubscribe(void)
{
    for (size_t i = 0; i < srv.nwatch; i++) {
        conn_t *c = srv.watch[i];
        if (c->who.role != ROLE_ORGANISER && c->who.role != ROLE_FACILITATOR)
            continue;
        conn_subscribe(c, c->sent_seq);
        conn_dirty(c);
    }
}

/* A frame kept for replay, as it may be sent now: NULL when unchanged. */
static char *redact_frame(void *ud, const char *frame, size_t len, size_t *outlen)
{
    (void)ud;
    ev_t ev;
    char type[sizeof ev.type];
    /* Most frames cannot hold personal data: they are passed over without being parsed,
     * so a deletion costs a scan of the frames, not a parse of each. */
    if (ev_frame_type(frame, len, type, sizeof type) != 0 || !core_redactable(type))
        return NULL;
    if (ev_from_frame(frame, len, &ev) != 0)
        return NULL;
    json_t *red = core_redact(srv.core, &ev);
    char *out = NULL;
    if (red != NULL) {
        json_decref(ev.data);
        ev.data = red;
        out = ev_frame(&ev, outlen);
    }
    json_decref(ev.data);
    return out;
}

/* Acts on what the core reported about durable events (core_take_effects): staff get
 * the channels of new teams and rooms; after a deletion (AVG) the frames kept for
 * replay lose the deleted personal data, so no connection gets it from now on. */
void effects_apply(void)
{
    unsigned fx = srv.effects;
    srv.effects = 0;
    if (fx & CORE_FX_CHANNELS)
        staff_resubscribe();
    if (fx & CORE_FX_REDACTED)
        hub_rewrite(srv.hub, redact_frame, NULL);
    if (fx & CORE_FX_ARCHIVE)
        sprints_bank_sync(srv.opts->db);   /* archived, published, or forgotten in the archive */
}

/* Hands events the core applied to the writer and keeps their frames until commit. */
void submit_events(const evlist_t *out)
{
    srv.effects |= core_take_effects(srv.core);
    for (size_t i = 0; i < out->n; i++) {
        const ev_t *ev = &out->v[i];
        size_t blen, flen;
        char *body = ev_to_body(ev, &blen);
        store_rec_t rec;
        ev_to_rec(ev, body, blen, &rec);
        writer_submit(srv.writer, &rec);
        xgrow((void **)&srv.unc, &srv.capunc, srv.nunc + 1, sizeof *srv.unc);
        unc_t *u = &srv.unc[srv.nunc++];
        u->seq = ev->seq;
        u->last = out->v[out->n - 1].seq;
        u->chan = ev->aud_kind == AUD_SERVER ? -1 : hub_chan(srv.hub, ev->aud_kind, ev->aud_id);
        /* The data is encoded once, for the log and the frame. */
        u->frame = ev->aud_kind == AUD_SERVER ? NULL : ev_frame_body(ev, body, blen, &flen);
        u->len = u->frame ? flen : 0;
        free(body);
    }
}

int commit_store_ok(void)
{
    return !writer_failing(srv.writer, NULL);
}

/* ---- the one command path ----------------------------------------------------------- */

static void waiter_add(int64_t seq, int rc, const char *id, exec_done_cb done, void *ud,
                       int64_t t0_us)
{
    xgrow((void **)&srv.wait, &srv.capwait, srv.nwait + 1, sizeof *srv.wait);
    waiter_t *w = &srv.wait[srv.nwait++];
    w->seq = seq;
    w->rc = rc;
    w->done = done;
    w->ud = ud;
    w->t0_us = t0_us;
    snprintf(w->id, sizeof w->id, "%s", id);
}

/* Every command, from a WebSocket connection (handle_cmd), the organiser's HTTP API
 * (api.c) or a follower's inbox (cluster.c), runs here: in the core for who, its events
 * to the writer and their frames kept until durable; done(ud, id, rc, seq) is called
 * once the answer may go out – at once for a refusal (rc < 0) or a command whose seq is
 * durable already, else after that commit (on_committed). rc 1: the same (who, id) was
 * seen before and seq is its first answer. args may be NULL (no arguments). */
void exec_cmd(const who_t *who, const char *cmd, const json_t *args, const char *id,
                     exec_done_cb done, void *ud)
{
    int64_t t0_us = clock_mono_ns() / 1000;
    json_t *empty = args ? NULL : json_object();
    evlist_t out = {0};
    int64_t seq = 0;
    int rc;
    /* A command this node knows is answered with its ack (at once, or after its commit)
     * before anything else: never with an error saying nothing was applied. */
    if (core_known(srv.core, who, id, &seq))
        rc = 1;
    else if (!commit_store_ok() || !cluster_may_write())   /* cluster hook: only the leader */
        rc = SP_E_STORE_UNAVAILABLE;                       /* decides; certainly not applied */
    else
        rc = core_exec(srv.core, who, cmd, args ? args : empty, id, clock_now_ms(), &out, &seq);
    json_decref(empty);
    if (rc == 0)
        seq = out.n > 0 ? out.v[out.n - 1].seq : srv.committed;
    if (out.n > 0)
        submit_events(&out);
    evlist_free(&out);
    if (rc < 0 || seq <= srv.committed) {
        if (rc >= 0)
            lathist_add(&srv.acks, clock_mono_ns() / 1000 - t0_us);
        done(ud, id, rc, rc < 0 ? 0 : seq);
    } else {
        waiter_add(seq, rc, id, done, ud, t0_us);
    }
}

/* The asker ud is gone (a closed connection): its answers are dropped. */
void exec_forget(void *ud)
{
    for (size_t i = 0; i < srv.nwait; i++)
        if (srv.wait[i].ud == ud)
            srv.wait[i].done = NULL;
}

/* Stopping: every answer still owed is given as store_unavailable (nothing of it was
 * acknowledged), so every asker frees what it lent. */
void exec_stop(void)
{
    for (size_t i = 0; i < srv.nwait; i++)
        if (srv.wait[i].done)
            srv.wait[i].done(srv.wait[i].ud, srv.wait[i].id, SP_E_STORE_UNAVAILABLE, 0);
    srv.nwait = 0;
}

/* Answers what is durable now, in the order asked. */
void exec_committed(int64_t committed)
{
    size_t k = 0;
    int64_t now_us = srv.nwait > 0 ? clock_mono_ns() / 1000 : 0;
    for (size_t i = 0; i < srv.nwait; i++) {
        waiter_t w = srv.wait[i];
        if (w.seq > committed) {
            srv.wait[k++] = w;
        } else if (w.done) {
            lathist_add(&srv.acks, now_us - w.t0_us);
            w.done(w.ud, w.id, w.rc, w.seq);
        }
    }
    srv.nwait = k;
}

/* ---- commit: fan-out and answers ----------------------------------------------- */

/* The writer may commit the first events of a command in one group and the rest in the
 * next. A command's events count as durable only together: its ack (sent when its last
 * event is durable) must go out before any of its events reach the commanding connection
 * (protocol.md, "Order of ack and events"). So the head stops short of a command that is
 * durable only in part; the writer's next commit brings the rest. */
static int64_t whole_commands(int64_t durable)
{
    for (size_t i = srv.unc_head; i < srv.nunc && srv.unc[i].seq <= durable; i++)
        if (srv.unc[i].last > durable)
            return srv.unc[i].seq - 1;
    return durable;
}

void on_committed(void)
{
    int rc = 0;
    if (writer_failing(srv.writer, &rc) && rc == STORE_ECONFLICT && cluster_conflict())
        return;   /* cluster hook: deposed; the node starts again as a follower */
    if (writer_failing(srv.writer, &rc) && (rc == STORE_ECONFLICT || rc == STORE_EINVAL)) {
        /* Only another process writing the same log causes this: two servers on one
         * SQLite file. Stopping is the only way to keep the log whole. */
        fprintf(stderr, "staatsprint: een ander proces schrijft in dezelfde database; de server "
                        "stopt.\n(another process writes to the same database; stopping.)\n");
        srv.fatal = 1;
        uv_stop(&srv.loop);
        return;
    }
    int64_t committed = whole_commands(writer_committed(srv.writer));
    if (committed <= srv.committed)
        return;
    while (srv.unc_head < srv.nunc && srv.unc[srv.unc_head].seq <= committed) {
        unc_t *u = &srv.unc[srv.unc_head++];
        if (u->chan >= 0)
            hub_publish(srv.hub, u->seq, u->chan, u->frame, u->len);
        free(u->frame);
    }
    if (srv.unc_head == srv.nunc)
        srv.unc_head = srv.nunc = 0;
    hub_set_head(srv.hub, committed);
    srv.committed = committed;
    effects_apply();
    exec_committed(committed);

    for (conn_t *c = srv.waiting, *next; c != NULL; c = next) {
        conn_x_t *x = c->x;
        next = x->pnext;
        size_t k = 0;
        while (k < x->npend && x->pend[k].seq <= committed) {
            pend_t *p = &x->pend[k++];
            conn_joined(c, p->id, p->token, &p->who);
        }
        if (k > 0) {
            memmove(x->pend, x->pend + k, (x->npend - k) * sizeof *x->pend);
            x->npend -= k;
            if (x->npend == 0) {
                waiting_unlink(c);
                conn_x_trim(c);
            }
        }
    }
    cluster_committed(committed);   /* cluster hook: answer other nodes' commands */
}

void commit_notify(void *ud)
{
    (void)ud;
    /* The only lws call that is safe from another thread. */
    lws_cancel_service(srv.ctx);
}
