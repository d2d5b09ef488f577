/* loadgen.c – WebSocket load generator for staatsprint and its Node.js baseline (see bench/run).
 *
 * Build (bench/run does this):
 *   cc -std=c17 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
 *      -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc -o build/loadgen bench/loadgen.c \
 *      src/util/lathist.c -lm
 * It needs no library beyond libc: see "Why no libwebsockets" below. From the server it
 * takes only the latency histogram (util/lathist), to read /healthz's buckets as they are.
 *
 * What it does
 *  - Reads the server's start-up lines (--server-out FILE): `Teamcode <name> <CODE>`, the
 *    organiser, screen and facilitator links. Opens N participant connections spread over
 *    teams (--team-size 8, or --teams T), plus facilitator and screen watchers; every
 *    participant joins its team with the join code.
 *  - Once every connection has its `synced`, the participants send note commands, either
 *    open loop at --rate per client (fixed intervals with a random phase, or --poisson), or
 *    closed loop with --max (next command when the previous ack arrives, capped by --rate
 *    when given, because the server limits every connection to 100 messages per second).
 *  - Every command carries its *scheduled* send time in the note text ("L<client>:<seq>:<ns>").
 *    Ack latency and fan-out latency are both measured from that time, not from the moment
 *    the generator managed to write it, so a stalled server cannot hide its stall by making
 *    the generator send later (no coordinated omission).
 *  - Fan-out latency of a command is the time until *all* other members of the sender's team
 *    have its event; each single delivery is also recorded (column "rcpt").
 *  - Only commands scheduled in the measurement window (after --warmup, for --duration) count.
 *    After the window the generator stops sending and waits up to --drain seconds; commands
 *    without ack and events that did not reach every team member then count as errors.
 *  - --pid: the server's RSS (VmRSS of /proc/PID/status) and CPU (utime+stime of
 *    /proc/PID/stat over the window, in % of one core).
 *  - The server's own share (staatsprint only): /healthz is read as the window opens and as
 *    it closes; its "acks" histogram (exec_cmd to the answer, in the server) between the
 *    two readings gives srv_ack_p50/p99: how much of the ack time is the server's, and how
 *    much the way there and back (scheduling, the generator itself). -1 when it has none.
 *  - --idle: S4. Connections authenticate (--idle-auth screen|join|none) and then sit for
 *    --duration; reports the server's RSS growth per connection and its idle CPU.
 *
 * Output: a `RESULT key=value …` line that bench/run turns into the table, and a
 * human-readable summary on stderr.
 *
 * Why no libwebsockets on this side: one process must hold 20,000 client connections and
 * still cost clearly less CPU than the server it measures on a 2-core machine. A client
 * connection here is ~120 bytes of state plus a receive buffer only while a frame is
 * incomplete; frames are written with one send() and parsed in place from one shared read
 * buffer. Choosing the source address of every socket (several 127.0.0.x addresses, to get
 * past the ~28,000 ephemeral ports per destination) is one bind(). The client side of the
 * protocol is small (upgrade request, masked text frames, answer pings) and fully under test
 * here, because every run checks every frame it receives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util/lathist.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define SLOTS 512          /* commands remembered per sender (ring) */
#define NOTES 8            /* own note ids remembered per sender, for edit and delete */
#define RBUF (256 * 1024)  /* the shared read buffer */
#define MAXTEAMS 20000

/* ---- time --------------------------------------------------------------------------- */

static int64_t t0_ns; /* CLOCK_MONOTONIC at start: stamps are relative to it */

static int64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - t0_ns;
}

/* ---- histogram: 64 linear sub-buckets per power of two (~1.6 % resolution) ------------- */

#define HSUB 64
#define HBUCKETS ((64 - 6) * HSUB + HSUB)

typedef struct {
    uint64_t n, max, b[HBUCKETS];
} hist_t;

static int hist_index(uint64_t v)
{
    if (v < HSUB)
        return (int)v;
    int e = 63 - __builtin_clzll(v);          /* >= 6 */
    int sub = (int)((v >> (e - 6)) & (HSUB - 1));
    return (e - 5) * HSUB + sub;
}

static uint64_t hist_value(int i)            /* upper edge of bucket i */
{
    if (i < HSUB)
        return (uint64_t)i;
    int e = i / HSUB + 5, sub = i % HSUB;
    return ((uint64_t)(HSUB + sub + 1) << (e - 6)) - 1;
}

static void hist_add(hist_t *h, int64_t v)
{
    if (v < 0)
        v = 0;
    h->b[hist_index((uint64_t)v)]++;
    h->n++;
    if ((uint64_t)v > h->max)
        h->max = (uint64_t)v;
}

static double hist_q_ms(const hist_t *h, double q)
{
    if (h->n == 0)
        return 0;
    uint64_t want = (uint64_t)ceil(q * (double)h->n), seen = 0;
    if (want == 0)
        want = 1;
    for (int i = 0; i < HBUCKETS; i++) {
        seen += h->b[i];
        if (seen >= want) {
            uint64_t v = hist_value(i);
            return (double)(v < h->max ? v : h->max) / 1e6;
        }
    }
    return (double)h->max / 1e6;
}

/* ---- options ------------------------------------------------------------------------ */

static struct {
    const char *host, *server_out, *name, *idle_auth;
    int port, clients, team_size, teams, facilitators, screens, organisers, window, srcaddrs;
    int max_mode, poisson, idle, series, conn_burst, mix_add, mix_edit, mix_del, pid, text_len;
    double rate, duration, warmup, drain, setup_timeout;
} opt = {
    .host = "127.0.0.1", .name = "run", .idle_auth = "screen", .port = 8080, .clients = 16,
    .team_size = 8, .facilitators = -1, .screens = 1, .window = 1, .srcaddrs = 1,
    .conn_burst = 256, .mix_add = 100, .text_len = 80, .rate = 1, .duration = 10,
    .warmup = 2, .drain = 3, .setup_timeout = 120,
};

/* ---- connections -------------------------------------------------------------------- */

enum { ST_IDLE, ST_CONNECTING, ST_UPGRADING, ST_AUTH, ST_READY, ST_DEAD };
enum { R_PART, R_FAC, R_SCREEN, R_ORG };
enum { K_FREE, K_ADD, K_EDIT, K_DEL };

typedef struct {
    int64_t sched;       /* scheduled send time (ns since t0) */
    uint32_t seq;
    int16_t left;        /* team members that still have to receive the event */
    uint8_t kind;
    uint8_t acked;       /* ack (or err) received */
    uint8_t echoed;      /* the sender has its own event (or none will come) */
    uint8_t nofan;       /* no one else gets an event (delete, a team of one) */
    uint8_t pad[2];
} slot_t;

typedef struct {
    int fd;
    uint8_t state, role, in_window_sent;
    int team;            /* participant: its team; watcher: room index or -1 */
    uint32_t next_seq, outstanding;
    int64_t next_at;     /* next scheduled send */
    int heap_pos;        /* -1: not scheduled */
    slot_t *slots;       /* senders only */
    uint32_t notes[NOTES];
    int nnotes;
    char *rx;            /* incomplete frame or upgrade response, else NULL */
    uint32_t rxlen, rxcap;
    char *tx;            /* unsent bytes, else NULL */
    uint32_t txlen, txcap;
    char *frag;          /* a fragmented message being reassembled */
    uint32_t fraglen;
} conn_t;

typedef struct {
    char code[40];
    int room;
    int members;
} team_t;

static conn_t *conns;
static int nconns;
static team_t teams[MAXTEAMS];
static int nteams_avail, nteams_used;
static char tok_org[128], tok_screen[128], tok_fac[64][128];
static int nrooms;
static int epfd, tfd;
static char rbuf[RBUF];
static uint64_t rng = 88172645463325252ULL;

static struct {
    hist_t ack, fan, rcpt, watch, lag; /* lag: how late the generator itself sent */
    uint64_t sent_win, acked_win, errs, err_frames, conn_fail, closed, overrun, no_ack,
        fan_incomplete, frames_in, bytes_in, bytes_out, deliveries_win, fanned_win;
    char err_codes[512];
} st;

static int64_t win_start = INT64_MAX, win_end = INT64_MAX;

/* --series: per 100 ms of scheduled time, the commands and their worst ack (ms). */
#define SERIES 6000
static uint32_t ser_n[SERIES];
static float ser_max[SERIES];
static int sending;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void note_err_code(const char *code, size_t len)
{
    if (len > 40)
        len = 40;
    char key[48];
    snprintf(key, sizeof key, "%.*s", (int)len, code);
    if (strstr(st.err_codes, key) == NULL &&
        strlen(st.err_codes) + len + 2 < sizeof st.err_codes) {
        if (st.err_codes[0])
            strcat(st.err_codes, ",");
        strcat(st.err_codes, key);
    }
}

/* ---- scheduling heap of next send times --------------------------------------------- */

static int *heap;
static int nheap;

static void heap_swap(int a, int b)
{
    int t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
    conns[heap[a]].heap_pos = a;
    conns[heap[b]].heap_pos = b;
}

static void heap_up(int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (conns[heap[p]].next_at <= conns[heap[i]].next_at)
            break;
        heap_swap(i, p);
        i = p;
    }
}

static void heap_down(int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < nheap && conns[heap[l]].next_at < conns[heap[m]].next_at)
            m = l;
        if (r < nheap && conns[heap[r]].next_at < conns[heap[m]].next_at)
            m = r;
        if (m == i)
            return;
        heap_swap(i, m);
        i = m;
    }
}

static void heap_push(int ci, int64_t at)
{
    conns[ci].next_at = at;
    conns[ci].heap_pos = nheap;
    heap[nheap++] = ci;
    heap_up(nheap - 1);
}

static int heap_pop(void)
{
    int ci = heap[0];
    heap_swap(0, nheap - 1);
    nheap--;
    if (nheap > 0)
        heap_down(0);
    conns[ci].heap_pos = -1;
    return ci;
}

/* ---- socket output ------------------------------------------------------------------ */

static void conn_close(conn_t *c, int error);

static void want_out(conn_t *c, int on)
{
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
                             .data.u32 = (uint32_t)(c - conns)};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_write(conn_t *c, const char *buf, size_t len)
{
    st.bytes_out += len;
    if (c->txlen == 0) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN) {
            conn_close(c, 1);
            return;
        }
        if (n < 0)
            n = 0;
        buf += n;
        len -= (size_t)n;
        if (len == 0)
            return;
        want_out(c, 1);
    }
    if (c->txlen + len > c->txcap) {
        c->txcap = (uint32_t)(c->txlen + len) * 2;
        c->tx = realloc(c->tx, c->txcap);
    }
    memcpy(c->tx + c->txlen, buf, len);
    c->txlen += (uint32_t)len;
}

static void conn_flush(conn_t *c)
{
    ssize_t n = send(c->fd, c->tx, c->txlen, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) {
        conn_close(c, 1);
        return;
    }
    if (n > 0) {
        memmove(c->tx, c->tx + n, c->txlen - (size_t)n);
        c->txlen -= (uint32_t)n;
    }
    if (c->txlen == 0) {
        free(c->tx);
        c->tx = NULL;
        c->txcap = 0;
        want_out(c, 0);
    }
}

/* One masked client frame (RFC 6455 §5.3: clients must mask). */
static void ws_send(conn_t *c, int opcode, const char *payload, size_t len)
{
    char buf[2048];
    if (len > sizeof buf - 14)
        return;
    size_t h = 0;
    buf[h++] = (char)(0x80 | opcode);
    if (len < 126) {
        buf[h++] = (char)(0x80 | len);
    } else {
        buf[h++] = (char)(0x80 | 126);
        buf[h++] = (char)(len >> 8);
        buf[h++] = (char)(len & 0xff);
    }
    uint32_t m = (uint32_t)rnd();
    unsigned char mask[4] = {(unsigned char)m, (unsigned char)(m >> 8), (unsigned char)(m >> 16),
                             (unsigned char)(m >> 24)};
    memcpy(buf + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < len; i++)
        buf[h + i] = (char)(payload[i] ^ mask[i & 3]);
    conn_write(c, buf, h + len);
}

static void ws_text(conn_t *c, const char *s, size_t len)
{
    ws_send(c, 1, s, len);
}

/* ---- commands ----------------------------------------------------------------------- */

static const char filler[] =
    "Burgers vullen dezelfde gegevens steeds opnieuw in bij elke aanvraag die ze doen; "
    "maak hergebruik van gegevens de standaard en vraag alleen wat nog ontbreekt. ";

static void send_cmd(int ci, int64_t sched)
{
    conn_t *c = &conns[ci];
    if (c->state != ST_READY)
        return;
    if (c->slots == NULL)
        c->slots = calloc(SLOTS, sizeof *c->slots);
    uint32_t seq = c->next_seq++;
    slot_t *s = &c->slots[seq % SLOTS];
    if (s->kind != K_FREE && s->sched >= win_start && s->sched < win_end &&
        (!s->acked || s->left > 0))
        st.overrun++;
    int r = (int)(rnd() % 100);
    int kind = r < opt.mix_add ? K_ADD : r < opt.mix_add + opt.mix_edit ? K_EDIT : K_DEL;
    if (kind != K_ADD && c->nnotes == 0)
        kind = K_ADD;
    s->sched = sched;
    s->seq = seq;
    s->kind = (uint8_t)kind;
    s->acked = 0;
    s->echoed = kind == K_DEL;
    s->left = kind == K_DEL ? 0 : (int16_t)(teams[c->team].members - 1);
    s->nofan = s->left == 0;
    char text[400], msg[700];
    int tl = snprintf(text, sizeof text, "L%d:%u:%lld ", ci, seq, (long long)sched);
    int pad = opt.text_len - tl;
    if (pad < 0)
        pad = 0;
    if (pad > (int)sizeof filler - 1)
        pad = (int)sizeof filler - 1;
    int n = snprintf(msg, sizeof msg, "{\"t\":\"cmd\",\"id\":\"c%d.%u\",", ci, seq);
    if (kind == K_ADD)
        n += snprintf(msg + n, sizeof msg - (size_t)n,
                      "\"cmd\":\"note.add\",\"args\":{\"text\":\"%s%.*s\"}}", text, pad, filler);
    else if (kind == K_EDIT)
        n += snprintf(msg + n, sizeof msg - (size_t)n,
                      "\"cmd\":\"note.edit\",\"args\":{\"note\":\"n%u\",\"text\":\"%s%.*s\"}}",
                      c->notes[c->nnotes - 1], text, pad, filler);
    else
        n += snprintf(msg + n, sizeof msg - (size_t)n,
                      "\"cmd\":\"note.delete\",\"args\":{\"note\":\"n%u\"}}", c->notes[--c->nnotes]);
    c->outstanding++;
    if (sched >= win_start && sched < win_end)
        st.sent_win++;
    ws_text(c, msg, (size_t)n);
}

static int64_t interval_ns(void)
{
    double mean = 1e9 / opt.rate;
    if (opt.poisson)
        return (int64_t)(-log(1.0 - rnd01()) * mean);
    return (int64_t)mean;
}

/* Closed loop: send as soon as the window allows, no earlier than the rate cap. */
static void max_try_send(int ci, int64_t now)
{
    conn_t *c = &conns[ci];
    while (sending && c->state == ST_READY && c->outstanding < (uint32_t)opt.window &&
           c->heap_pos < 0) {
        if (opt.rate > 0 && c->next_at > now) {
            heap_push(ci, c->next_at);
            return;
        }
        send_cmd(ci, now);
        c->next_at = (opt.rate > 0 ? (c->next_at > now - 1000000000 ? c->next_at : now) : now) +
                     (opt.rate > 0 ? interval_ns() : 0);
    }
}

/* ---- incoming messages -------------------------------------------------------------- */

/* The string value after `"key":"` in s, or NULL. Server frames are compact JSON. */
static const char *jstr(const char *s, size_t len, const char *pat, size_t *vlen)
{
    const char *p = memmem(s, len, pat, strlen(pat));
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    const char *e = memchr(p, '"', len - (size_t)(p - s));
    if (e == NULL)
        return NULL;
    *vlen = (size_t)(e - p);
    return p;
}

/* A command is finished for its sender when the ack and its own event are both in: only
 * then does --max send the next one. Waiting for the event too keeps the closed loop from
 * outrunning the fan-out (a server that acks faster than it delivers would otherwise pile
 * up an unbounded backlog and report a throughput nobody receives). */
static void slot_done(int ci, slot_t *sl, int64_t now)
{
    conn_t *c = &conns[ci];
    if (c->outstanding > 0)
        c->outstanding--;
    (void)sl;
    if (opt.max_mode && sending)
        max_try_send(ci, now);
}

static void on_ev(conn_t *c, int ci, const char *m, size_t len, int64_t now)
{
    size_t tlen;
    const char *type = jstr(m, len, "\"type\":\"", &tlen);
    if (type == NULL)
        return;
    int added = tlen == 10 && memcmp(type, "note.added", 10) == 0;
    int edited = tlen == 11 && memcmp(type, "note.edited", 11) == 0;
    if (!added && !edited)
        return;
    size_t xlen;
    const char *text = jstr(m, len, "\"text\":\"L", &xlen);
    if (text == NULL)
        return;
    char *end;
    long sender = strtol(text, &end, 10);
    if (*end != ':' || sender < 0 || sender >= nconns)
        return;
    unsigned long seq = strtoul(end + 1, &end, 10);
    if (*end != ':')
        return;
    long long sched = strtoll(end + 1, &end, 10);
    int in_win = sched >= win_start && sched < win_end;
    if (sender == ci) {
        slot_t *own = c->slots ? &c->slots[seq % SLOTS] : NULL;
        if (own && own->seq == seq && !own->echoed) {
            own->echoed = 1;
            if (own->acked)
                slot_done(ci, own, now);
        }
        if (added) {
            size_t ilen;
            const char *id = jstr(m, len, "\"id\":\"n", &ilen);
            if (id) {
                if (c->nnotes == NOTES) {
                    memmove(c->notes, c->notes + 1, (NOTES - 1) * sizeof c->notes[0]);
                    c->nnotes--;
                }
                c->notes[c->nnotes++] = (uint32_t)strtoul(id, NULL, 10);
            }
        }
        return;
    }
    if (c->role != R_PART) {
        if (in_win)
            hist_add(&st.watch, now - sched);
        return;
    }
    if (in_win) {
        hist_add(&st.rcpt, now - sched);
        st.deliveries_win++;
    }
    conn_t *s = &conns[sender];
    if (s->slots == NULL)
        return;
    slot_t *sl = &s->slots[seq % SLOTS];
    if (sl->seq == seq && sl->left > 0 && --sl->left == 0) {
        if (in_win)
            hist_add(&st.fan, now - sched);
        if (now >= win_start && now < win_end)
            st.fanned_win++;
    }
}

static void on_reply(conn_t *c, int ci, const char *m, size_t len, int64_t now, int is_err)
{
    size_t ilen;
    const char *id = jstr(m, len, "\"id\":\"c", &ilen);
    if (is_err) {
        size_t clen;
        const char *code = jstr(m, len, "\"code\":\"", &clen);
        if (code)
            note_err_code(code, clen);
        st.err_frames++;
    }
    if (id == NULL)
        return;
    char *end;
    long who = strtol(id, &end, 10);
    if (who != ci || *end != '.')
        return;
    uint32_t seq = (uint32_t)strtoul(end + 1, NULL, 10);
    if (c->slots == NULL)
        return;
    slot_t *sl = &c->slots[seq % SLOTS];
    if (sl->seq != seq || sl->acked)
        return;
    sl->acked = 1;
    if (is_err) {
        sl->left = 0;
        sl->echoed = 1;
    }
    if (sl->nofan && !is_err && now >= win_start && now < win_end)
        st.fanned_win++; /* complete with its ack */
    if (sl->sched >= win_start && sl->sched < win_end && !is_err) {
        hist_add(&st.ack, now - sl->sched);
        st.acked_win++;
        int64_t b = (sl->sched - win_start) / 100000000;
        if (b >= 0 && b < SERIES) {
            ser_n[b]++;
            float ms = (float)(now - sl->sched) / 1e6f;
            if (ms > ser_max[b])
                ser_max[b] = ms;
        }
    }
    if (sl->echoed)
        slot_done(ci, sl, now);
}

static int nready, nsetup_failed;

static void on_message(conn_t *c, const char *m, size_t len, int64_t now)
{
    int ci = (int)(c - conns);
    st.frames_in++;
    size_t tlen;
    const char *t = (len > 6 && memcmp(m, "{\"t\":\"", 6) == 0) ? m + 6 : NULL;
    if (t == NULL) {
        t = jstr(m, len, "\"t\":\"", &tlen);
        if (t == NULL)
            return;
    } else {
        const char *e = memchr(t, '"', len - 6);
        if (e == NULL)
            return;
        tlen = (size_t)(e - t);
    }
#define IS(s) (tlen == sizeof(s) - 1 && memcmp(t, s, sizeof(s) - 1) == 0)
    if (IS("ev"))
        on_ev(c, ci, m, len, now);
    else if (IS("ack"))
        on_reply(c, ci, m, len, now, 0);
    else if (IS("err")) {
        if (c->state == ST_AUTH) {
            size_t clen;
            const char *code = jstr(m, len, "\"code\":\"", &clen);
            fprintf(stderr, "loadgen: connection %d refused at set-up: %.*s\n", ci,
                    code ? (int)clen : 1, code ? code : "?");
            nsetup_failed++;
            conn_close(c, 1);
            return;
        }
        on_reply(c, ci, m, len, now, 1);
    } else if (IS("synced")) {
        if (c->state == ST_AUTH) {
            c->state = ST_READY;
            nready++;
        }
    }
#undef IS
}

/* Parses complete frames from buf; returns the bytes consumed. */
static size_t ws_parse(conn_t *c, const char *buf, size_t len, int64_t now)
{
    size_t off = 0;
    while (len - off >= 2) {
        const unsigned char *p = (const unsigned char *)buf + off;
        int fin = p[0] & 0x80, op = p[0] & 0x0f;
        uint64_t plen = p[1] & 0x7f;
        size_t h = 2;
        if (p[1] & 0x80)
            h += 4; /* servers do not mask; tolerate it anyway */
        if (plen == 126) {
            if (len - off < 4)
                break;
            plen = ((uint64_t)p[2] << 8) | p[3];
            h += 2;
        } else if (plen == 127) {
            if (len - off < 10)
                break;
            plen = 0;
            for (int i = 0; i < 8; i++)
                plen = (plen << 8) | p[2 + i];
            h += 8;
        }
        if (len - off < h + plen)
            break;
        const char *pl = buf + off + h;
        st.bytes_in += h + plen;
        if (op == 8) {
            conn_close(c, 1);
            return len;
        } else if (op == 9) {
            ws_send(c, 10, pl, (size_t)plen);
        } else if (op == 1 || op == 0 || op == 2) {
            if (!fin || c->frag) {
                c->frag = realloc(c->frag, c->fraglen + plen + 1);
                memcpy(c->frag + c->fraglen, pl, plen);
                c->fraglen += (uint32_t)plen;
                if (fin) {
                    on_message(c, c->frag, c->fraglen, now);
                    free(c->frag);
                    c->frag = NULL;
                    c->fraglen = 0;
                }
            } else {
                on_message(c, pl, (size_t)plen, now);
            }
        }
        if (c->state == ST_DEAD)
            return len;
        off += h + plen;
    }
    return off;
}

/* ---- connection life ---------------------------------------------------------------- */

static int ninflight, next_to_open, nopen_total;

static void conn_close(conn_t *c, int error)
{
    if (c->state == ST_DEAD)
        return;
    if (c->state != ST_READY && ninflight > 0)
        ninflight--;
    if (c->state == ST_READY)
        nready--;
    if (error && c->state != ST_READY)
        st.conn_fail++;
    else if (error && sending)
        st.closed++;
    c->state = ST_DEAD;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->rx);
    free(c->tx);
    free(c->frag);
    c->rx = c->tx = c->frag = NULL;
    c->rxlen = c->txlen = c->fraglen = 0;
}

static void conn_open(int ci)
{
    conn_t *c = &conns[ci];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (opt.srcaddrs > 1) {
        /* Several loopback source addresses: the kernel then picks the port per
         * (source, destination) pair at connect time, not per source address. */
        setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET};
        src.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(ci % opt.srcaddrs));
        if (bind(c->fd, (struct sockaddr *)&src, sizeof src) != 0)
            die("bind source address");
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    inet_pton(AF_INET, opt.host, &dst.sin_addr);
    c->state = ST_CONNECTING;
    c->heap_pos = -1;
    ninflight++;
    nopen_total++;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)ci};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    if (connect(c->fd, (struct sockaddr *)&dst, sizeof dst) != 0 && errno != EINPROGRESS) {
        fprintf(stderr, "loadgen: connect: %s\n", strerror(errno));
        conn_close(c, 1);
    }
}

static void send_upgrade(conn_t *c)
{
    char req[512];
    unsigned char key[16];
    for (int i = 0; i < 16; i++)
        key[i] = (unsigned char)rnd();
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char k[25];
    int j = 0;
    for (int i = 0; i < 15; i += 3) {
        uint32_t v = ((uint32_t)key[i] << 16) | ((uint32_t)key[i + 1] << 8) | key[i + 2];
        k[j++] = b64[(v >> 18) & 63];
        k[j++] = b64[(v >> 12) & 63];
        k[j++] = b64[(v >> 6) & 63];
        k[j++] = b64[v & 63];
    }
    k[j++] = b64[key[15] >> 2];
    k[j++] = b64[(key[15] & 3) << 4];
    k[j++] = '=';
    k[j++] = '=';
    k[j] = '\0';
    int n = snprintf(req, sizeof req,
                     "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: staatsprint\r\n\r\n",
                     opt.host, opt.port, k);
    conn_write(c, req, (size_t)n);
}

static void send_auth(conn_t *c, int ci)
{
    char msg[300];
    int n;
    const char *auth = opt.idle ? opt.idle_auth : "join";
    if (c->role == R_PART && strcmp(auth, "none") == 0) {
        c->state = ST_READY;
        nready++;
        return;
    }
    c->state = ST_AUTH;
    /* The join id is new in every run: an id used before gives back the member of that
     * earlier run (the protocol's retry rule), who may be in another team. */
    if (c->role == R_PART && strcmp(auth, "join") == 0)
        n = snprintf(msg, sizeof msg,
                     "{\"t\":\"join\",\"id\":\"j%d-%d\",\"code\":\"%s\",\"name\":\"Deelnemer %d\"}",
                     (int)getpid(), ci, teams[c->team].code, ci);
    else {
        const char *tok = c->role == R_FAC   ? tok_fac[c->team]
                          : c->role == R_ORG ? tok_org
                                             : tok_screen;
        n = snprintf(msg, sizeof msg, "{\"t\":\"hello\",\"token\":\"%s\"}", tok);
    }
    ws_text(c, msg, (size_t)n);
}

static void conn_input(conn_t *c, int64_t now)
{
    int ci = (int)(c - conns);
    for (;;) {
        ssize_t n = recv(c->fd, rbuf, sizeof rbuf, 0);
        if (n == 0) {
            conn_close(c, 1);
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN)
                conn_close(c, 1);
            return;
        }
        const char *buf = rbuf;
        size_t len = (size_t)n;
        if (c->rxlen > 0 || c->state == ST_UPGRADING) {
            if (c->rxlen + len > c->rxcap) {
                c->rxcap = (uint32_t)(c->rxlen + len) * 2;
                c->rx = realloc(c->rx, c->rxcap);
            }
            memcpy(c->rx + c->rxlen, rbuf, len);
            c->rxlen += (uint32_t)len;
            buf = c->rx;
            len = c->rxlen;
        }
        size_t used = 0;
        if (c->state == ST_UPGRADING) {
            const char *e = memmem(buf, len, "\r\n\r\n", 4);
            if (e == NULL)
                continue;
            if (len < 12 || memcmp(buf, "HTTP/1.1 101", 12) != 0) {
                fprintf(stderr, "loadgen: upgrade refused: %.*s\n", (int)(len < 60 ? len : 60),
                        buf);
                conn_close(c, 1);
                return;
            }
            used = (size_t)(e + 4 - buf);
            send_auth(c, ci);
            if (c->state == ST_DEAD)
                return;
        }
        used += ws_parse(c, buf + used, len - used, now);
        if (c->state == ST_DEAD)
            return;
        size_t rest = len - used;
        if (rest == 0) {
            free(c->rx);
            c->rx = NULL;
            c->rxlen = c->rxcap = 0;
        } else if (buf == c->rx) {
            memmove(c->rx, c->rx + used, rest);
            c->rxlen = (uint32_t)rest;
        } else {
            c->rxcap = (uint32_t)rest * 2 + 64;
            c->rx = malloc(c->rxcap);
            memcpy(c->rx, buf + used, rest);
            c->rxlen = (uint32_t)rest;
        }
        if ((size_t)n < sizeof rbuf)
            return;
    }
}

static void conn_event(conn_t *c, uint32_t events, int64_t now)
{
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
            if (st.conn_fail < 5)
                fprintf(stderr, "loadgen: connect: %s\n", strerror(err ? err : ECONNRESET));
            conn_close(c, 1);
            return;
        }
        if (!(events & EPOLLOUT))
            return;
        c->state = ST_UPGRADING;
        want_out(c, 0);
        send_upgrade(c);
        return;
    }
    if ((events & EPOLLOUT) && c->txlen > 0)
        conn_flush(c);
    if (c->state != ST_DEAD && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        conn_input(c, now);
}

/* ---- server start-up lines ---------------------------------------------------------- */

static void copy_token(char *dst, size_t cap, const char *p)
{
    size_t n = 0;
    while (p[n] && p[n] != '\n' && p[n] != '\r' && p[n] != ' ' && n + 1 < cap)
        n++;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static void read_server_out(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die(path);
    char line[1024];
    int room = -1;
    while (fgets(line, sizeof line, f)) {
        char *p;
        if ((p = strstr(line, "#/o/")))
            copy_token(tok_org, sizeof tok_org, p + 4);
        else if ((p = strstr(line, "#/s/")))
            copy_token(tok_screen, sizeof tok_screen, p + 4);
        else if ((p = strstr(line, "#/f/"))) {
            /* A room's line comes again whenever the team list returns to that room. */
            char tok[128];
            copy_token(tok, sizeof tok, p + 4);
            room = -1;
            for (int i = 0; i < nrooms; i++)
                if (strcmp(tok_fac[i], tok) == 0)
                    room = i;
            if (room < 0 && nrooms < 64) {
                snprintf(tok_fac[nrooms], sizeof tok_fac[0], "%s", tok);
                room = nrooms++;
            }
        } else if ((p = strstr(line, "Teamcode ")) && nteams_avail < MAXTEAMS) {
            /* The name may hold spaces: the code is the last word. */
            size_t l = strlen(line);
            while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' '))
                line[--l] = '\0';
            char *code = strrchr(line, ' ');
            if (code == NULL)
                continue;
            snprintf(teams[nteams_avail].code, sizeof teams[0].code, "%s", code + 1);
            teams[nteams_avail].room = room < 0 ? 0 : room;
            nteams_avail++;
        }
    }
    fclose(f);
}

/* ---- /healthz of the server: its "acks" histogram ------------------------------------ */

typedef struct {
    int ok;
    uint64_t count[LATHIST_N];   /* the server's buckets (util/lathist.h), all of them */
} srv_hist_t;

/* One GET /healthz (blocking, 2 s at most; twice a run) and the pairs of "hist":[[µs,n],…],
 * each the upper end of one of the server's buckets and its count. */
static void srv_hist_read(int port, srv_hist_t *h)
{
    memset(h, 0, sizeof *h);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return;
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static const char req[] = "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL || connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
        free(buf);
        close(fd);
        return;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        const char *body = strstr(buf, "\r\n\r\n");
        if (body && len >= 2 && buf[len - 2] == '}' && buf[len - 1] == '\n')
            break;   /* the whole JSON (the server ends it with a newline) */
    }
    close(fd);
    buf[len] = '\0';
    const char *p = strstr(buf, "\"hist\":[");
    if (p != NULL) {
        p += 8;
        for (;;) {
            while (*p == ',' || *p == ' ')
                p++;
            if (*p != '[')
                break;
            char *end;
            long long u = strtoll(p + 1, &end, 10);
            if (*end != ',')
                break;
            unsigned long long c = strtoull(end + 1, &end, 10);
            int i = lathist_bucket(u);
            if (*end != ']' || lathist_upper(i) != u)
                break;   /* not one of our buckets: a server of another version */
            h->count[i] = c;
            p = end + 1;
        }
        h->ok = *p == ']';
    }
    free(buf);
}

/* The quantile q of what the server counted between two readings, in ms (-1: unknown). */
static double srv_hist_q_ms(const srv_hist_t *a, const srv_hist_t *b, double q)
{
    if (!a->ok || !b->ok)
        return -1;
    uint64_t diff[LATHIST_N], n = 0;
    for (int i = 0; i < LATHIST_N; i++) {
        diff[i] = b->count[i] >= a->count[i] ? b->count[i] - a->count[i] : 0;
        n += diff[i];
    }
    return n == 0 ? -1 : (double)lathist_quantile_of(diff, q) / 1000.0;
}

/* ---- /proc of the server ------------------------------------------------------------ */

static long proc_rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

/* CPU ticks of process pid, user and system together; *sys gets the system (kernel) part. */
static long long proc_cpu_ticks(int pid, long long *sys)
{
    char path[64], buf[1024];
    *sys = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL)
        return -1;
    /* Fields after the command: state(3) … utime(14) stime(15). */
    long long ut = 0, stt = 0;
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        field++;
        if (field == 14)
            ut = atoll(tok);
        else if (field == 15) {
            stt = atoll(tok);
            break;
        }
    }
    *sys = stt;
    return ut + stt;
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- main --------------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: loadgen --server-out FILE [--host H] [--port P] [--pid PID] [--name S1]\n"
          "  --clients N --team-size 8 | --teams T   participants and their teams\n"
          "  --facilitators F (default: one per room) --screens S (1) --organisers O (0)\n"
          "  --rate R (commands/s per client) [--poisson] | --max [--window W] [--rate cap]\n"
          "  --mix ADD,EDIT,DEL (percent, 100,0,0) --text-len N (80)\n"
          "  --duration S (10) --warmup S (2) --drain S (3) --setup-timeout S (120)\n"
          "  --idle [--idle-auth screen|join|none]   S4: connect, authenticate, sit\n"
          "  --srcaddrs K   use 127.0.0.1 … 127.0.0.K as source addresses\n"
          "  --conn-burst B connections being set up at once (256)\n",
          stderr);
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(s) (strcmp(a, s) == 0 && v && ++i)
        if (strcmp(a, "--max") == 0)
            opt.max_mode = 1;
        else if (strcmp(a, "--poisson") == 0)
            opt.poisson = 1;
        else if (strcmp(a, "--idle") == 0)
            opt.idle = 1;
        else if (strcmp(a, "--series") == 0)
            opt.series = 1;
        else if (OPT("--server-out"))
            opt.server_out = v;
        else if (OPT("--host"))
            opt.host = v;
        else if (OPT("--name"))
            opt.name = v;
        else if (OPT("--idle-auth"))
            opt.idle_auth = v;
        else if (OPT("--port"))
            opt.port = atoi(v);
        else if (OPT("--pid"))
            opt.pid = atoi(v);
        else if (OPT("--clients"))
            opt.clients = atoi(v);
        else if (OPT("--team-size"))
            opt.team_size = atoi(v);
        else if (OPT("--teams"))
            opt.teams = atoi(v);
        else if (OPT("--facilitators"))
            opt.facilitators = atoi(v);
        else if (OPT("--screens"))
            opt.screens = atoi(v);
        else if (OPT("--organisers"))
            opt.organisers = atoi(v);
        else if (OPT("--window"))
            opt.window = atoi(v);
        else if (OPT("--srcaddrs"))
            opt.srcaddrs = atoi(v);
        else if (OPT("--conn-burst"))
            opt.conn_burst = atoi(v);
        else if (OPT("--text-len"))
            opt.text_len = atoi(v);
        else if (OPT("--rate"))
            opt.rate = atof(v);
        else if (OPT("--duration"))
            opt.duration = atof(v);
        else if (OPT("--warmup"))
            opt.warmup = atof(v);
        else if (OPT("--drain"))
            opt.drain = atof(v);
        else if (OPT("--setup-timeout"))
            opt.setup_timeout = atof(v);
        else if (OPT("--mix")) {
            if (sscanf(v, "%d,%d,%d", &opt.mix_add, &opt.mix_edit, &opt.mix_del) != 3)
                usage();
        } else
            usage();
#undef OPT
    }
    if (opt.server_out == NULL || opt.clients < 0 || opt.team_size < 1 || opt.window < 1 ||
        opt.srcaddrs < 1 || opt.conn_burst < 1 || (!opt.idle && !opt.max_mode && opt.rate <= 0))
        usage();
}

static void raise_nofile(int need)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t want = (rlim_t)need + 64;
    if (rl.rlim_cur >= want)
        return;
    if (rl.rlim_max < want)
        rl.rlim_max = want; /* only root may raise the hard limit; tried anyway */
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "loadgen: cannot raise the open-file limit to %llu: %s\n",
                (unsigned long long)want, strerror(errno));
        exit(1);
    }
}

static void arm_timer(int64_t at)
{
    struct itimerspec its = {0};
    if (at != INT64_MAX) {
        int64_t abs_ns = at + t0_ns;
        if (abs_ns <= 0)
            abs_ns = 1;
        its.it_value.tv_sec = abs_ns / 1000000000;
        its.it_value.tv_nsec = abs_ns % 1000000000;
    }
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    t0_ns = 0;
    t0_ns = mono() - 1000000000; /* stamps start at 1 s: never 0 or negative */
    rng ^= (uint64_t)getpid() << 20;
    signal(SIGPIPE, SIG_IGN);
    read_server_out(opt.server_out);
    if (nteams_avail == 0 && opt.clients > 0 && !(opt.idle && strcmp(opt.idle_auth, "join") != 0)) {
        fprintf(stderr, "loadgen: no `Teamcode` lines in %s\n", opt.server_out);
        return 1;
    }
    int want_teams = opt.teams > 0 ? opt.teams : (opt.clients + opt.team_size - 1) / opt.team_size;
    if (opt.idle && strcmp(opt.idle_auth, "join") != 0)
        want_teams = 0;
    if (want_teams > nteams_avail) {
        fprintf(stderr, "loadgen: %d teams needed, the server printed %d (start it with --teams)\n",
                want_teams, nteams_avail);
        return 1;
    }
    nteams_used = want_teams;
    if (opt.facilitators < 0)
        opt.facilitators = opt.idle ? 0 : nrooms;
    if (opt.idle)
        opt.screens = 0;
    if (opt.screens > 0 && tok_screen[0] == '\0')
        opt.screens = 0;
    if (opt.organisers > 0 && tok_org[0] == '\0')
        opt.organisers = 0;
    if (opt.facilitators > nrooms)
        opt.facilitators = nrooms;
    nconns = opt.clients + opt.facilitators + opt.screens + opt.organisers;
    raise_nofile(nconns + 16);

    conns = calloc((size_t)nconns, sizeof *conns);
    heap = calloc((size_t)nconns + 1, sizeof *heap);
    for (int i = 0; i < nconns; i++) {
        conn_t *c = &conns[i];
        c->heap_pos = -1;
        c->fd = -1;
        if (i < opt.clients) {
            c->role = R_PART;
            c->team = nteams_used ? i % nteams_used : -1;
            if (c->team >= 0)
                teams[c->team].members++;
        } else if (i < opt.clients + opt.facilitators) {
            c->role = R_FAC;
            c->team = i - opt.clients;
        } else if (i < opt.clients + opt.facilitators + opt.screens) {
            c->role = R_SCREEN;
        } else {
            c->role = R_ORG;
        }
    }
    if (opt.idle && strcmp(opt.idle_auth, "screen") == 0 && tok_screen[0] == '\0') {
        fprintf(stderr, "loadgen: no screen link (`#/s/`) in %s\n", opt.server_out);
        return 1;
    }

    epfd = epoll_create1(EPOLL_CLOEXEC);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epfd < 0 || tfd < 0)
        die("epoll/timerfd");
    struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev);

    long rss0 = opt.pid ? proc_rss_kib(opt.pid) : -1;
    static srv_hist_t srv_a, srv_b;   /* /healthz at the window's start and end */
    int64_t setup_start = mono(), setup_end = 0, run_start = 0, drain_end = 0;
    long long cpu_a = 0, cpu_b = 0, sys_a = 0, sys_b = 0;
    uint64_t frames_a = 0, frames_b = 0;   /* frames received, at the CPU samples */
    long rss1 = -1;
    double self_a = 0, self_b = 0;
    enum { P_SETUP, P_RUN, P_DRAIN, P_DONE } phase = P_SETUP;
    static struct epoll_event evs[1024];
    int64_t armed = INT64_MAX, drain_checked = 0;

    while (phase != P_DONE) {
        int64_t now = mono();
        /* Open more connections while few are being set up. */
        while (phase == P_SETUP && next_to_open < nconns && ninflight < opt.conn_burst)
            conn_open(next_to_open++);

        if (phase == P_SETUP && next_to_open == nconns && ninflight == 0) {
            setup_end = now;
            fprintf(stderr, "loadgen: %s: %d of %d connections ready in %.1f s (%d refused)\n",
                    opt.name, nready, nconns, (double)(setup_end - setup_start) / 1e9,
                    nsetup_failed);
            phase = P_RUN;
            run_start = now;
            win_start = run_start + (int64_t)(opt.warmup * 1e9);
            win_end = win_start + (int64_t)(opt.duration * 1e9);
            if (!opt.idle) {
                sending = 1;
                for (int i = 0; i < opt.clients; i++) {
                    if (conns[i].state != ST_READY)
                        continue;
                    int64_t phase_ns = opt.rate > 0 ? (int64_t)(rnd01() * 1e9 / opt.rate) : 0;
                    if (opt.max_mode) {
                        conns[i].next_at = now + phase_ns;
                        max_try_send(i, now);
                    } else {
                        heap_push(i, now + phase_ns);
                    }
                }
            }
        } else if (phase == P_SETUP && now - setup_start > (int64_t)(opt.setup_timeout * 1e9)) {
            fprintf(stderr, "loadgen: set-up timed out: %d of %d ready\n", nready, nconns);
            for (int i = 0; i < nconns; i++)
                if (conns[i].state != ST_READY && conns[i].state != ST_DEAD && conns[i].fd >= 0)
                    conn_close(&conns[i], 1);
            next_to_open = nconns;
            ninflight = 0;
            continue;
        }
        if (phase == P_RUN && cpu_a == 0 && now >= win_start) {
            cpu_a = opt.pid ? proc_cpu_ticks(opt.pid, &sys_a) : 0;
            frames_a = st.frames_in;
            self_a = self_cpu_s();
            if (cpu_a == 0)
                cpu_a = 1;
            if (opt.idle)
                rss1 = opt.pid ? proc_rss_kib(opt.pid) : -1;
            if (!opt.idle)
                srv_hist_read(opt.port, &srv_a);
        }
        if (phase == P_RUN && now >= win_end) {
            cpu_b = opt.pid ? proc_cpu_ticks(opt.pid, &sys_b) : 0;
            frames_b = st.frames_in;
            self_b = self_cpu_s();
            if (!opt.idle)
                rss1 = opt.pid ? proc_rss_kib(opt.pid) : -1;
            sending = 0;
            nheap = 0;
            for (int i = 0; i < nconns; i++)
                conns[i].heap_pos = -1;
            phase = P_DRAIN;
            drain_end = now + (int64_t)(opt.drain * 1e9);
        }
        if (phase == P_DRAIN && now - drain_checked > 50000000) {
            drain_checked = now;
            int busy = 0;
            for (int i = 0; i < opt.clients && !busy; i++) {
                conn_t *c = &conns[i];
                if (c->state != ST_READY || c->slots == NULL)
                    continue;
                if (c->outstanding > 0)
                    busy = 1;
                for (int k = 0; k < SLOTS && !busy; k++)
                    if (c->slots[k].kind != K_FREE && c->slots[k].left > 0)
                        busy = 1;
            }
            if (!busy || now >= drain_end || opt.idle) {
                phase = P_DONE;
                break;
            }
        }

        /* Due sends, stamped with their scheduled time. */
        while (sending && nheap > 0 && conns[heap[0]].next_at <= now) {
            int ci = heap_pop();
            conn_t *c = &conns[ci];
            if (opt.max_mode) {
                max_try_send(ci, now);
                continue;
            }
            int64_t sched = c->next_at;
            if (sched >= win_start && sched < win_end)
                hist_add(&st.lag, now - sched);
            send_cmd(ci, sched);
            if (c->state == ST_READY)
                heap_push(ci, sched + interval_ns());
        }
        int64_t next = sending && nheap > 0 ? conns[heap[0]].next_at : INT64_MAX;
        if (next != armed) {
            arm_timer(next);
            armed = next;
        }
        int n = epoll_wait(epfd, evs, 1024, 20);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        now = mono();
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u32 == UINT32_MAX) {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0)
                    (void)0;
                armed = INT64_MAX;
                continue;
            }
            conn_t *c = &conns[evs[i].data.u32];
            int was_ready = c->state == ST_READY;
            if (c->state != ST_DEAD)
                conn_event(c, evs[i].events, now);
            if (!was_ready && c->state == ST_READY && ninflight > 0)
                ninflight--;
        }
    }

    /* Commands of the window without ack, events that missed a team member. */
    for (int i = 0; i < opt.clients; i++) {
        conn_t *c = &conns[i];
        if (c->slots == NULL)
            continue;
        for (int k = 0; k < SLOTS; k++) {
            slot_t *s = &c->slots[k];
            if (s->kind == K_FREE || s->sched < win_start || s->sched >= win_end)
                continue;
            if (!s->acked)
                st.no_ack++;
            if (s->left > 0)
                st.fan_incomplete++;
        }
    }
    /* After the drain: every command of the window has been answered (or counts as an error),
     * and none was sent since the window closed. */
    if (!opt.idle && srv_a.ok)
        srv_hist_read(opt.port, &srv_b);
    st.errs = st.err_frames + st.conn_fail + st.closed + st.overrun + st.no_ack + st.fan_incomplete;
    double secs = opt.duration;
    double cpu_pct = 0;
    if (opt.pid && cpu_b > cpu_a)
        cpu_pct = (double)(cpu_b - cpu_a) / (double)sysconf(_SC_CLK_TCK) / secs * 100.0;
    double self_pct = (self_b - self_a) / secs * 100.0;
    /* Server CPU per frame delivered: every frame any connection received in the window
     * (events, acks, pongs), against the server's CPU time over the same two samples. */
    double us_per_frame = 0, sys_per_frame = 0;
    if (opt.pid && cpu_b > cpu_a && frames_b > frames_a) {
        double us_per_tick = 1e6 / (double)sysconf(_SC_CLK_TCK) / (double)(frames_b - frames_a);
        us_per_frame = (double)(cpu_b - cpu_a) * us_per_tick;
        /* Of it, the kernel's (system time): the sends, receives and fsyncs themselves. */
        sys_per_frame = (double)(sys_b - sys_a) * us_per_tick;
    }
    int nconnected = nready;
    double kib_per_conn = 0;
    if (rss0 > 0 && rss1 > 0 && nconnected > 0)
        kib_per_conn = (double)(rss1 - rss0) / nconnected;
    if (st.err_codes[0] == '\0')
        strcpy(st.err_codes, "-");

    printf("RESULT name=%s clients=%d teams=%d conns=%d connected=%d sent=%llu acked=%llu "
           "cmd_rate=%.0f fanned_rate=%.0f deliv_rate=%.0f ack_p50=%.3f ack_p99=%.3f ack_max=%.3f "
           "fan_p50=%.3f fan_p99=%.3f fan_max=%.3f rcpt_p50=%.3f rcpt_p99=%.3f watch_p99=%.3f "
           "lag_p99=%.3f errors=%llu "
           "err_frames=%llu err_codes=%s conn_fail=%llu closed=%llu no_ack=%llu fan_incomplete=%llu "
           "overrun=%llu rss_kib=%ld rss0_kib=%ld kib_per_conn=%.2f cpu_pct=%.1f lg_cpu_pct=%.1f "
           "setup_s=%.1f frames_win=%llu us_per_frame=%.2f sys_per_frame=%.2f srv_ack_p50=%.3f srv_ack_p99=%.3f\n",
           opt.name, opt.clients, nteams_used, nconns, nconnected,
           (unsigned long long)st.sent_win, (unsigned long long)st.acked_win,
           (double)st.acked_win / secs, (double)st.fanned_win / secs,
           (double)st.deliveries_win / secs, hist_q_ms(&st.ack, 0.5),
           hist_q_ms(&st.ack, 0.99), (double)st.ack.max / 1e6, hist_q_ms(&st.fan, 0.5),
           hist_q_ms(&st.fan, 0.99), (double)st.fan.max / 1e6, hist_q_ms(&st.rcpt, 0.5),
           hist_q_ms(&st.rcpt, 0.99), hist_q_ms(&st.watch, 0.99), hist_q_ms(&st.lag, 0.99),
           (unsigned long long)st.errs,
           (unsigned long long)st.err_frames, st.err_codes, (unsigned long long)st.conn_fail,
           (unsigned long long)st.closed, (unsigned long long)st.no_ack,
           (unsigned long long)st.fan_incomplete, (unsigned long long)st.overrun, rss1, rss0,
           kib_per_conn, cpu_pct, self_pct, (double)(setup_end - setup_start) / 1e9,
           (unsigned long long)(frames_b - frames_a), us_per_frame, sys_per_frame,
           srv_hist_q_ms(&srv_a, &srv_b, 0.5), srv_hist_q_ms(&srv_a, &srv_b, 0.99));
    fprintf(stderr,
            "loadgen: %s: %llu commands in %.0f s (%.0f/s), ack p50 %.2f p99 %.2f max %.2f ms, "
            "fan-out p50 %.2f p99 %.2f max %.2f ms, %llu errors (%s), server RSS %ld KiB, "
            "CPU %.0f%%, loadgen CPU %.0f%%; in the server: ack p50 %.2f p99 %.2f ms\n",
            opt.name, (unsigned long long)st.acked_win, secs, (double)st.acked_win / secs,
            hist_q_ms(&st.ack, 0.5), hist_q_ms(&st.ack, 0.99), (double)st.ack.max / 1e6,
            hist_q_ms(&st.fan, 0.5), hist_q_ms(&st.fan, 0.99), (double)st.fan.max / 1e6,
            (unsigned long long)st.errs, st.err_codes, rss1, cpu_pct, self_pct,
            srv_hist_q_ms(&srv_a, &srv_b, 0.5), srv_hist_q_ms(&srv_a, &srv_b, 0.99));
    fflush(stdout);
    for (int b = 0; opt.series && b < SERIES && b < opt.duration * 10; b++)
        fprintf(stderr, "series %5.1f s: %5u acks, worst %8.2f ms\n", b / 10.0, ser_n[b],
                (double)ser_max[b]);
    return 0;
}
