/* conn.c – a WebSocket connection: its own message queue, its subscription, writing
 * (coalesced frames) and reading (reassembly, size limits). See srv.h. */
#include "net/srv.h"
#include "net/cluster.h"
#include "net/sendq.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- the connection's own messages --------------------------------------------- */

/* Cuts a connection off: nothing more is queued for it, and lws closes it at once
 * (a client that does not read never becomes writeable, so waiting for that would keep
 * its queue, and our memory, growing). */
void conn_cut(conn_t *c)
{
    if (c->cut)
        return;
    c->cut = 1;
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* Queues m (len bytes of text after LWS_PRE) for c, or cuts c off when it owes too much. */
static void conn_enqueue(conn_t *c, outmsg_t *m, size_t len)
{
    m->next = NULL;
    m->len = len;
    if (c->qtail)
        c->qtail->next = m;
    else
        c->qhead = m;
    c->qtail = m;
    /* A burst of small answers to a client that reads is fine; a client whose socket is
     * full (it does not read: we wait for its writability) or whose queue holds too many
     * bytes is cut off. */
    c->qbytes += (uint32_t)(sizeof *m + LWS_PRE + len);
    if ((++c->qlen > OUTQ_MAX && c->wait_w) || c->qbytes > OUTQ_BYTES_MAX) {
        conn_cut(c);
        return;
    }
    conn_dirty(c);
}

void conn_send_json(conn_t *c, json_t *msg)
{
    if (c->cut) {
        json_decref(msg);
        return;
    }
    /* Encoded straight into the message: no second buffer, no copy. */
    size_t len = json_dumpb(msg, NULL, 0, JSON_COMPACT);
    outmsg_t *m = xmalloc(sizeof *m + LWS_PRE + len);
    json_dumpb(msg, (char *)m->buf + LWS_PRE, len, JSON_COMPACT);
    json_decref(msg);
    conn_enqueue(c, m, len);
}

void conn_send_text(conn_t *c, const char *text, size_t len)
{
    if (c->cut)
        return;
    outmsg_t *m = xmalloc(sizeof *m + LWS_PRE + len);
    memcpy(m->buf + LWS_PRE, text, len);
    conn_enqueue(c, m, len);
}

void conn_err(conn_t *c, const char *id, int e)
{
    conn_err_detail(c, id, e, NULL);
}

/* An error with more to say (detail: fields added to the err message, taken over). */
void conn_err_detail(conn_t *c, const char *id, int e, json_t *detail)
{
    json_t *m = json_pack("{ss ss ss ss}", "t", "err", "code", err_code(e), "nl", err_nl(e), "en",
                          err_en(e));
    if (id)
        json_object_set_new(m, "id", json_string(id));
    if (detail)
        json_object_update_missing(m, detail);
    json_decref(detail);
    conn_send_json(c, m);
}

void conn_ack(conn_t *c, const char *id, int64_t seq)
{
    conn_send_json(c, json_pack("{ss ss sI}", "t", "ack", "id", id, "seq", (json_int_t)seq));
}

/* ---- subscription -------------------------------------------------------------- */

/* The channels of a viewer: grows with the day (an organiser sees every team), never cut. */
typedef struct {
    int *chans;
    size_t n, cap;
} chanset_t;

static void chan_cb(void *ud, int kind, const char *id)
{
    chanset_t *cs = ud;
    xgrow((void **)&cs->chans, &cs->cap, cs->n + 1, sizeof *cs->chans);
    cs->chans[cs->n++] = hub_chan(srv.hub, kind, id);
}

void conn_subscribe(conn_t *c, int64_t after)
{
    chanset_t cs = {NULL, 0, 0};
    core_channels(srv.core, &c->who, chan_cb, &cs);
    hub_sub_set(srv.hub, &c->sub, cs.chans, cs.n, after);
    free(cs.chans);
}

/* ---- the side struct ------------------------------------------------------------ */

conn_x_t *conn_x(conn_t *c)
{
    if (c->x == NULL)
        c->x = xcalloc(1, sizeof *c->x);
    return c->x;
}

void conn_x_trim(conn_t *c)
{
    conn_x_t *x = c->x;
    if (x == NULL || x->rx || x->npend || x->limited || x->limited_ids || x->join_fails ||
        x->hash[0])
        return;
    free(x->pend);
    free(x);
    c->x = NULL;
}

/* Only connections that wait for a commit are visited after one, so a commit costs
 * nothing for the thousands of idle connections. */
void waiting_unlink(conn_t *c)
{
    conn_x_t *x = c->x;
    if (x->pprev)
        x->pprev->x->pnext = x->pnext;
    else if (srv.waiting == c)
        srv.waiting = x->pnext;
    if (x->pnext)
        x->pnext->x->pprev = x->pprev;
    x->pnext = x->pprev = NULL;
}

void conn_pend(conn_t *c, const pend_t *p)
{
    conn_x_t *x = conn_x(c);
    xgrow((void **)&x->pend, &x->cappend, x->npend + 1, sizeof *x->pend);
    x->pend[x->npend++] = *p;
    if (x->npend == 1) {
        x->pnext = srv.waiting;
        x->pprev = NULL;
        if (srv.waiting)
            srv.waiting->x->pprev = c;
        srv.waiting = c;
    }
}

void conn_wake(void *ud)
{
    conn_dirty(ud);
}

/* ---- life, writing and reading of a connection --------------------------------- */

conn_t *conn_new(struct lws *wsi)
{
    conn_t *c = xcalloc(1, sizeof *c);
    c->wsi = wsi;
    c->fd = lws_get_socket_fd(wsi);
    c->tls = lws_is_ssl(wsi) != 0;
    hub_sub_init(srv.hub, &c->sub, c);
    guard_bucket_init(&c->bucket, RATE_BURST, clock_now_ms());
    c->next = srv.conns;
    if (srv.conns)
        srv.conns->prev = c;
    srv.conns = c;
    srv.nconns++;
    return c;
}

/* The peer's address; behind a reverse proxy on this machine (a loopback peer) the
 * first address of X-Forwarded-For, so that every guesser has an address of its own. */
void conn_addr(conn_t *c, struct lws *wsi)
{
    char addr[64];
    lws_get_peer_simple(wsi, addr, sizeof addr);
    char fwd[128];
    int loopback = strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
    if (loopback && lws_hdr_copy(wsi, fwd, sizeof fwd, WSI_TOKEN_X_FORWARDED_FOR) > 0) {
        size_t n = strcspn(fwd, ", ");
        if (n > 0 && n < sizeof addr) {
            memcpy(addr, fwd, n);
            addr[n] = '\0';
        }
    }
    c->addr = secret_addr_key(addr);
}

static int is_watcher(const conn_t *c)
{
    role_t r = c->who.role;
    return c->authed && (r == ROLE_ORGANISER || r == ROLE_FACILITATOR || r == ROLE_SCREEN);
}

void conn_watch(conn_t *c)
{
    int want = is_watcher(c);
    if (want && !c->watching) {
        xgrow((void **)&srv.watch, &srv.capwatch, srv.nwatch + 1, sizeof *srv.watch);
        srv.watch[srv.nwatch++] = c;
    } else if (!want && c->watching) {
        for (size_t i = 0; i < srv.nwatch; i++)   /* a few dozen at most */
            if (srv.watch[i] == c) {
                srv.watch[i] = srv.watch[--srv.nwatch];
                break;
            }
    }
    c->watching = (unsigned)want;
}

void conn_free(conn_t *c)
{
    if (c->authed && c->who.role == ROLE_PARTICIPANT && !srv.stopping)
        presence_mark(c->who.team);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv.conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv.nconns--;
    c->authed = 0;
    conn_watch(c);
    if (c->dirty)
        dirty_unlink(c);
    conn_x_t *x = c->x;
    if (x != NULL) {
        if (x->npend > 0)
            waiting_unlink(c);
        if (x->limited > 0)
            for (conn_t **l = &srv.limited; *l != NULL; l = &(*l)->x->lnext)
                if (*l == c) {
                    *l = x->lnext;
                    break;
                }
        json_decref(x->limited_ids);
        free(x->pend);
        free(x->rx);
        free(x);
    }
    exec_forget(c);
    cluster_conn_gone(c);   /* cluster hook */
    hub_sub_fini(srv.hub, &c->sub);
    for (outmsg_t *m = c->qhead, *n; m != NULL; m = n) {
        n = m->next;
        free(m);
    }
    free(c);
}

/* What a connection is owed next: its own messages first, then hub frames in seq order,
 * then `synced` once the replay hello asked for is out. */
typedef struct {
    enum { OWED_NONE, OWED_OWN, OWED_FRAME, OWED_SYNCED } kind;
    const unsigned char *buf;
    size_t len;
    int64_t seq;
    char sync[64];
} owed_t;

static void conn_next(conn_t *c, owed_t *o)
{
    unsigned char *buf;
    size_t len;
    int64_t seq;
    o->kind = OWED_NONE;
    if (c->qhead) {
        o->kind = OWED_OWN;
        o->buf = c->qhead->buf + LWS_PRE;
        o->len = c->qhead->len;
        return;
    }
    if (!c->authed)
        return;
    while (hub_sub_peek(srv.hub, &c->sub, &buf, &len, &seq)) {
        if (seq <= c->sent_seq) {
            /* cluster hook: a client resuming on a follower may already have events from
             * the leader that this node publishes only now; never send one twice. */
            hub_sub_pop(srv.hub, &c->sub);
            continue;
        }
        if (c->need_sync && seq > c->sync_at)
            break;   /* the replay asked for is done: `synced` comes first */
        o->kind = OWED_FRAME;
        o->buf = buf;
        o->len = len;
        o->seq = seq;
        return;
    }
    if (c->need_sync) {
        o->kind = OWED_SYNCED;
        o->len = (size_t)snprintf(o->sync, sizeof o->sync, "{\"t\":\"synced\",\"seq\":%lld}",
                                  (long long)c->sync_at);
        o->buf = (const unsigned char *)o->sync;
    }
}

static void conn_consume(conn_t *c, const owed_t *o)
{
    if (o->kind == OWED_OWN) {
        outmsg_t *m = c->qhead;
        c->qhead = m->next;
        if (c->qhead == NULL)
            c->qtail = NULL;
        c->qlen--;
        c->qbytes -= (uint32_t)(sizeof *m + LWS_PRE + m->len);
        free(m);
    } else if (o->kind == OWED_FRAME) {
        hub_sub_pop(srv.hub, &c->sub);
        c->sent_seq = o->seq;
    } else if (o->kind == OWED_SYNCED) {
        c->need_sync = 0;
    }
}

/* ---- the send path --------------------------------------------------------------
 *
 * What a connection is owed goes out at the end of the loop turn in which it became
 * owed (a uv_check handle, conn_flush_dirty), coalesced: its own messages and hub frames,
 * framed here (unmasked text frames; we use no extensions), written with one
 * non-blocking send straight to the upgraded socket – the sends of all the turn's
 * connections together in one io_uring_enter() (net/sendq.h, below), or one send() each
 * where io_uring is not available. While the socket takes it and nothing is queued, that
 * is the whole cost of a delivery: no poll-interest change, no writeable callback. Only
 * when the kernel refuses (EAGAIN or a partial send) does the rest go to lws (lws_write, which keeps what the socket did not take and flushes it
 * before anything else, pongs and close frames included) and the connection wait for
 * its writeable callback, which writes on the same way. lws_partial_buffered() tells
 * whether lws still holds bytes of ours, so frames are never interleaved. TLS is the
 * proxy's job; a TLS connection (none today) would write through lws_write. */

/* A batch is at most this big; a connection with a larger backlog (a facilitator, a
 * screen, the organiser) gets several in one turn. */
#define COALESCE_MAX (64 * 1024)
/* Batches per connection per loop turn: enough for 1 MiB of backlog at once, few enough
 * that one watcher cannot hold up a loop turn for everyone else. */
#define WRITE_ROUNDS 16

static conn_t *dirty_head;   /* connections owed something, flushed at the turn's end */

void dirty_unlink(conn_t *c)
{
    if (c->dprev)
        c->dprev->dnext = c->dnext;
    else
        dirty_head = c->dnext;
    if (c->dnext)
        c->dnext->dprev = c->dprev;
    c->dnext = c->dprev = NULL;
    c->dirty = 0;
}

void conn_dirty(conn_t *c)
{
    if (c->dirty)
        return;
    c->dirty = 1;
    c->dprev = NULL;
    c->dnext = dirty_head;
    if (dirty_head)
        dirty_head->dprev = c;
    dirty_head = c;
}

/* From now on the connection writes only from its writeable callback. */
static void conn_wait_writeable(conn_t *c)
{
    c->wait_w = 1;
    lws_callback_on_writable(c->wsi);
}

/* What the kernel took of a batch of len bytes at buf (with LWS_PRE bytes of headroom in
 * front): n bytes, or -errno. The rest goes to lws. Returns 1 when all of it is with the
 * kernel, 0 when some of it waits (in lws), -1 on error. */
static int conn_sent(conn_t *c, unsigned char *buf, size_t len, ssize_t n)
{
    if (n == (ssize_t)len)
        return 1;
    if (n < 0) {
        if (n != -EAGAIN && n != -EWOULDBLOCK && n != -EINTR)
            return -1;
        n = 0;
    }
    if (lws_write(c->wsi, buf + n, len - (size_t)n, LWS_WRITE_RAW) < 0)
        return -1;
    return lws_partial_buffered(c->wsi) ? 0 : 1;
}

/* One non-blocking send() to the upgraded socket: bytes taken, or -errno. */
static ssize_t conn_send_now(conn_t *c, const unsigned char *buf, size_t len)
{
    ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

/* Hands a batch to the socket: directly while lws holds nothing of ours (the callers
 * make sure of that), through lws on TLS. */
static int conn_send_raw(conn_t *c, unsigned char *buf, size_t len)
{
    return conn_sent(c, buf, len, c->tls ? 0 : conn_send_now(c, buf, len));
}

/* Appends one unmasked WebSocket text frame header (RFC 6455 5.2) to out. */
static size_t ws_header(unsigned char *out, size_t len)
{
    size_t h = 0;
    out[h++] = 0x81;   /* FIN, text */
    if (len < 126) {
        out[h++] = (unsigned char)len;
    } else if (len < 65536) {
        out[h++] = 126;
        out[h++] = (unsigned char)(len >> 8);
        out[h++] = (unsigned char)len;
    } else {
        out[h++] = 127;
        for (int i = 7; i >= 0; i--)
            out[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    return h;
}

/* Frames the next batch of what c is owed into out (COALESCE_MAX bytes, LWS_PRE of
 * headroom in front), or into a buffer of its own, *big (the same headroom), when the
 * first message alone is larger. Returns the batch's bytes; 0 when nothing is owed. */
static size_t conn_fill(conn_t *c, unsigned char *out, unsigned char **big)
{
    owed_t o;
    size_t used = 0;
    *big = NULL;
    for (conn_next(c, &o); o.kind != OWED_NONE; conn_next(c, &o)) {
        if (used + o.len + 10 > COALESCE_MAX) {
            if (used > 0)
                break;
            *big = xmalloc(LWS_PRE + o.len + 10);
            used = ws_header(*big + LWS_PRE, o.len);
            memcpy(*big + LWS_PRE + used, o.buf, o.len);
            used += o.len;
            conn_consume(c, &o);
            break;
        }
        used += ws_header(out + used, o.len);
        memcpy(out + used, o.buf, o.len);
        used += o.len;
        conn_consume(c, &o);
    }
    return used;
}

/* Whether c may write now; if not, what it waits for is arranged. */
static int conn_may_write(conn_t *c)
{
    if (c->wait_w || c->closing)
        return 0;
    if (lws_partial_buffered(c->wsi)) {
        conn_wait_writeable(c);
        return 0;
    }
    if (c->authed && hub_sub_backlog(srv.hub, &c->sub) > BACKLOG_MAX) {
        conn_cut(c);
        return 0;
    }
    return 1;
}

/* Writes what c is owed, batch after batch (at most `rounds`), while the socket takes it. */
static int conn_write_rounds(conn_t *c, int rounds)
{
    static unsigned char out[LWS_PRE + COALESCE_MAX + 16];
    for (int round = 0; round < rounds; round++) {
        unsigned char *big;
        size_t used = conn_fill(c, out + LWS_PRE, &big);
        if (used == 0)
            return 0;   /* all out; conn_next re-armed the hub's wake */
        int r = conn_send_raw(c, big ? big + LWS_PRE : out + LWS_PRE, used);
        free(big);
        if (r < 0)
            return -1;
        if (r == 0) {
            conn_wait_writeable(c);   /* the kernel refused: the rest waits for it */
            return 0;
        }
    }
    /* Still owed after all the rounds: the socket took them all, so the writeable
     * callback comes at once, after the other connections of this turn. */
    owed_t o;
    conn_next(c, &o);
    if (o.kind != OWED_NONE)
        conn_wait_writeable(c);
    return 0;
}

static int conn_flush(conn_t *c)
{
    return conn_may_write(c) ? conn_write_rounds(c, WRITE_ROUNDS) : 0;
}

/* ---- the batched send path (net/sendq.h) ----------------------------------------
 *
 * At the end of a turn each dirty connection's first batch is framed into one arena and
 * queued; one io_uring_enter() sends them all, and each answer is handled as send()'s
 * would be (conn_sent). A connection with more than one batch owed (a watcher with a
 * backlog) writes the rest with send() right after. Without io_uring: conn_flush, one by
 * one. */

/* The arena holds at least one full batch beyond what a round has queued. */
#define ARENA_BYTES (256 * 1024)

typedef struct {
    conn_t *c;
    unsigned char *buf, *big;
    size_t len;
} queued_t;

static sendq_t *sendq;

void conn_send_open(void)
{
    const char *why = NULL;
    if (sendq == NULL && (sendq = sendq_open(&why)) == NULL)
        fprintf(stderr, "staatsprint: verzenden zonder io_uring (sending without io_uring): %s\n", why);
}

void conn_send_close(void)
{
    sendq_close(sendq);
    sendq = NULL;
}

const char *conn_send_path(void)
{
    return sendq ? "io_uring" : "send";
}

/* Sends the n queued batches in one system call and handles each answer. */
static void conn_send_queued(const queued_t *q, int n)
{
    static ssize_t res[SENDQ_MAX];
    int ran = sendq_run(sendq, res);
    for (int i = 0; i < n; i++) {
        conn_t *c = q[i].c;
        /* ran < 0: the ring took none, so each goes by send() after all */
        int r = conn_sent(c, q[i].buf, q[i].len, ran < 0 ? conn_send_now(c, q[i].buf, q[i].len) : res[i]);
        free(q[i].big);
        if (r == 0)
            conn_wait_writeable(c);
        else if (r < 0 || conn_write_rounds(c, WRITE_ROUNDS - 1) < 0)
            conn_cut(c);
    }
}

void conn_flush_dirty(void)
{
    static unsigned char arena[ARENA_BYTES];
    static queued_t q[SENDQ_MAX];
    while (dirty_head) {
        /* A round: the first batch of each dirty connection, until the ring or the arena
         * is full (without io_uring, every connection at once). */
        size_t used = 0;
        int n = 0;
        while (dirty_head && (sendq == NULL || (!sendq_full(sendq) &&
                                                used + LWS_PRE + COALESCE_MAX + 16 <= ARENA_BYTES))) {
            conn_t *c = dirty_head;
            dirty_unlink(c);
            if (c->cut) {
                lws_callback_on_writable(c->wsi);
                continue;
            }
            if (sendq == NULL || c->tls) {
                if (conn_flush(c) < 0)
                    conn_cut(c);
                continue;
            }
            if (!conn_may_write(c))
                continue;
            unsigned char *big, *out = arena + used + LWS_PRE;
            size_t len = conn_fill(c, out, &big);
            if (len == 0)
                continue;
            if (big == NULL)
                used += LWS_PRE + len;
            q[n] = (queued_t){c, big ? big + LWS_PRE : out, big, len};
            sendq_add(sendq, c->fd, q[n].buf, len);
            n++;
        }
        if (n > 0)
            conn_send_queued(q, n);
    }
}

int conn_writeable(conn_t *c)
{
    if (c->cut) {
        lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too slow", 8);
        return -1;
    }
    c->wait_w = 0;   /* lws has flushed what it held of ours */
    return conn_flush(c);
}

int conn_receive(conn_t *c, struct lws *wsi, const void *in, size_t len)
{
    if (c->cut)
        return -1;
    int final = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    conn_x_t *x = c->x;
    size_t rxlen = x ? x->rxlen : 0;
    if (c->too_big || rxlen + len > MSG_MAX) {
        /* Read the rest of the oversized message and drop it, then close with 1009:
         * closing while the client still sends would reset the connection and lose the
         * close frame. A client that keeps sending past DRAIN_MAX is cut at once. */
        if (x != NULL) {
            free(x->rx);
            x->rx = NULL;
            x->rxlen = x->rxcap = 0;
            conn_x_trim(c);
        }
        if ((size_t)c->too_big + len > DRAIN_MAX)
            return -1;
        c->too_big += (uint32_t)len;
        if (final) {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too big", 7);
            return -1;
        }
        return 0;
    }
    if (lws_frame_is_binary(wsi)) {
        if (lws_is_final_fragment(wsi))
            conn_err(c, NULL, SP_E_BAD_MESSAGE);
        return 0;
    }
    if (final && rxlen == 0) {
        /* The whole message in one piece (the usual case): read where lws has it. */
        handle_message(c, in, len);
        return 0;
    }
    /* In pieces: put together in a buffer that grows with the message (never past
     * MSG_MAX, checked above) and is freed with it, so an idle connection keeps none. */
    x = conn_x(c);
    if (x->rxlen + len > x->rxcap) {
        size_t cap = x->rxcap ? x->rxcap : 1024;
        while (cap < x->rxlen + len)
            cap *= 2;
        x->rx = xrealloc(x->rx, cap);
        x->rxcap = cap;
    }
    memcpy(x->rx + x->rxlen, in, len);
    x->rxlen += len;
    if (final) {
        /* Taken out of the side struct first: handling may use (and trim) it. */
        char *rx = x->rx;
        size_t n = x->rxlen;
        x->rx = NULL;
        x->rxlen = x->rxcap = 0;
        handle_message(c, rx, n);
        free(rx);
        conn_x_trim(c);
    }
    return 0;
}
