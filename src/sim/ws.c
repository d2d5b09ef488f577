/* ws.c – a minimal WebSocket client for the simulator (see ws.h for why). */
#include "sim/ws.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void b64(const unsigned char *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

static int send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void rbuf_add(ws_t *w, const void *p, size_t n)
{
    xgrow((void **)&w->rbuf, &w->rcap, w->rlen + n + 1, 1);
    memcpy(w->rbuf + w->rlen, p, n);
    w->rlen += n;
}

int ws_connect(ws_t *w, int port)
{
    memset(w, 0, sizeof *w);
    w->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (w->fd < 0)
        return -1;
    int one = 1;
    setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(w->fd, (struct sockaddr *)&a, sizeof a) != 0)
        goto fail;
    unsigned char nonce[16];
    for (int i = 0; i < 16; i++)
        nonce[i] = (unsigned char)rand();
    char key[32], req[256];
    b64(nonce, 16, key);
    int n = snprintf(req, sizeof req,
                     "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     port, key);
    if (send_all(w->fd, req, (size_t)n) != 0)
        goto fail;
    /* Read the response head; whatever follows it already belongs to the frames. */
    char head[2048];
    size_t hl = 0;
    for (;;) {
        ssize_t k = recv(w->fd, head + hl, sizeof head - 1 - hl, 0);
        if (k <= 0)
            goto fail;
        hl += (size_t)k;
        head[hl] = '\0';
        char *end = strstr(head, "\r\n\r\n");
        if (end) {
            if (strncmp(head, "HTTP/1.1 101", 12) != 0)
                goto fail;
            size_t used = (size_t)(end + 4 - head);
            rbuf_add(w, head + used, hl - used);
            return 0;
        }
        if (hl >= sizeof head - 1)
            goto fail;
    }
fail:
    ws_close(w);
    return -1;
}

static int send_frame(ws_t *w, int opcode, const char *s, size_t n)
{
    unsigned char h[14];
    size_t hl = 0;
    h[hl++] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        h[hl++] = (unsigned char)(0x80 | n);
    } else if (n <= 0xffff) {
        h[hl++] = 0x80 | 126;
        h[hl++] = (unsigned char)(n >> 8);
        h[hl++] = (unsigned char)n;
    } else {
        h[hl++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            h[hl++] = (unsigned char)((uint64_t)n >> (8 * i));
    }
    unsigned char mask[4];
    for (int i = 0; i < 4; i++)
        mask[i] = (unsigned char)rand();
    memcpy(h + hl, mask, 4);
    hl += 4;
    unsigned char *buf = xmalloc(hl + n);
    memcpy(buf, h, hl);
    for (size_t i = 0; i < n; i++)
        buf[hl + i] = (unsigned char)s[i] ^ mask[i & 3];
    int rc = send_all(w->fd, buf, hl + n);
    free(buf);
    return rc;
}

int ws_send_text(ws_t *w, const char *s, size_t n)
{
    if (w->closed)
        return -1;
    return send_frame(w, 1, s, n);
}

/* Parses complete frames from rbuf. */
static int parse(ws_t *w, void (*cb)(void *ud, char *msg, size_t len), void *ud)
{
    size_t off = 0;
    for (;;) {
        unsigned char *p = w->rbuf + off;
        size_t avail = w->rlen - off;
        if (avail < 2)
            break;
        int fin = p[0] & 0x80, op = p[0] & 0x0f, masked = p[1] & 0x80;
        uint64_t len = p[1] & 0x7f;
        size_t hl = 2;
        if (len == 126) {
            if (avail < 4)
                break;
            len = (uint64_t)p[2] << 8 | p[3];
            hl = 4;
        } else if (len == 127) {
            if (avail < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; i++)
                len = len << 8 | p[2 + i];
            hl = 10;
        }
        if (masked || len > (64u << 20))
            return -1;   /* a server never masks; nothing we expect is that big */
        if (avail < hl + len)
            break;
        unsigned char *pl = p + hl;
        if (op == 8) {
            w->closed = 1;
            return -1;
        } else if (op == 9) {
            send_frame(w, 10, (const char *)pl, (size_t)len);
        } else if (op == 0 || op == 1) {
            xgrow((void **)&w->msg, &w->msgcap, w->msglen + len + 1, 1);
            memcpy(w->msg + w->msglen, pl, len);
            w->msglen += len;
            if (fin) {
                w->msg[w->msglen] = '\0';
                size_t ml = w->msglen;
                w->msglen = 0;
                cb(ud, w->msg, ml);
            }
        }
        off += hl + len;
    }
    memmove(w->rbuf, w->rbuf + off, w->rlen - off);
    w->rlen -= off;
    return 0;
}

int ws_pump(ws_t *w, void (*cb)(void *ud, char *msg, size_t len), void *ud)
{
    if (w->closed)
        return -1;
    /* Frames that came with the handshake response are parsed first. */
    if (parse(w, cb, ud) != 0)
        return -1;
    for (;;) {
        unsigned char buf[65536];
        ssize_t k = recv(w->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            w->closed = 1;
            return -1;
        }
        rbuf_add(w, buf, (size_t)k);
        if (parse(w, cb, ud) != 0)
            return -1;
    }
}

void ws_close(ws_t *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    w->closed = 1;
    free(w->rbuf);
    free(w->msg);
    w->rbuf = NULL;
    w->msg = NULL;
    w->rlen = w->rcap = w->msglen = w->msgcap = 0;
}
