/* ws.h – a minimal WebSocket client (RFC 6455) over a local TCP socket, for the simulator.
 *
 * Why our own and not libwebsockets' client: the simulator drives some seventy bots from
 * one thread with poll(), sending bursts of commands and reading replies in between.
 * A blocking connect plus text frames in and out is all it needs (about 200 lines),
 * while lws' client would bring a second event loop, callbacks and per-connection user
 * data into a tool whose job is to stay simple. The server end is the real one.
 *
 * Scope: ws:// to 127.0.0.1 only, text messages (fragmented ones are reassembled),
 * pings answered with pongs, close frames end the connection. No TLS, no extensions.
 */
#ifndef SP_SIM_WS_H
#define SP_SIM_WS_H

#include <stddef.h>

typedef struct {
    int fd;
    unsigned char *rbuf;     /* bytes received, not yet parsed */
    size_t rlen, rcap;
    char *msg;               /* a message being reassembled from fragments */
    size_t msglen, msgcap;
    int closed;
} ws_t;

/* Connects to ws://127.0.0.1:port/ws and completes the opening handshake.
 * Returns 0, or -1 (w is then closed). */
int ws_connect(ws_t *w, int port);

/* Sends one text message (masked, as a client must). Returns 0 or -1. */
int ws_send_text(ws_t *w, const char *s, size_t n);

/* Reads what the socket has without blocking and calls cb for every complete text
 * message (NUL-terminated; valid during the call). Returns 0, or -1 once the
 * connection is closed or broken. */
int ws_pump(ws_t *w, void (*cb)(void *ud, char *msg, size_t len), void *ud);

void ws_close(ws_t *w);

#endif
