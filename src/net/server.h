/* server.h – the staatsprint server: HTTP, WebSocket, core and store tied together.
 *
 * One libwebsockets service thread (on libuv) runs the core and the fan-out; a
 * writer thread (store/writer.h) group-commits events. A command's events are
 * applied to the core at once, handed to the writer, and only after the writer
 * reports them durable are they sent to anyone and the command acknowledged.
 */
#ifndef SP_SERVER_H
#define SP_SERVER_H

#include <stddef.h>

struct core;

typedef struct {
    int port;                 /* 8080 */
    const char *db;           /* "staatsprint.db" or "postgresql://…" */
    const char *bind;         /* interface to listen on, NULL for all */
    const char *public_url;   /* base of printed links, NULL: http://localhost:PORT */
    const char *const *origins;  /* extra allowed Origin values for /ws */
    size_t norigins;
    int quiet;                /* print nothing on start */
    int again;                /* a restart (SERVER_AGAIN): no port check, no links, and the
                                 database is waited for */
    int extra_teams;          /* teams added when a new sprint is created */
    int gather_us;            /* the writer's gather window (writer_set_gather); < 0: default */
    /* Called once the server listens, unless quiet (the command line prints the links). */
    void (*on_start)(const struct core *core, const char *base_url);
} serve_opts_t;

/* Runs the server until SIGINT or SIGTERM. Returns the process exit status (0 on a
 * clean stop); on failure to start prints a reason (Dutch and English) to stderr. */
int server_run(const serve_opts_t *o);

/* What server_run returns when a node of several must start again as a follower
 * (net/cluster.h: it lost its lease or the database while leading): the caller runs
 * server_run again with opts.again set. */
#define SERVER_AGAIN 75

#endif
