/* start.h – the server's start-up: the port check and the printed links. */
#ifndef SP_START_H
#define SP_START_H

#include "core/core.h"
#include "net/server.h"

/* Whether port can be bound on bind_addr (NULL: all interfaces). Returns 1 when it can
 * (or when that cannot be known), or minus the errno (EADDRINUSE, EACCES) when not:
 * lws reports a busy port only in its log, so the server asks first. */
int start_port_free(int port, const char *bind_addr);

/* Prints the sprint's title, the organiser, jury, screen and facilitator links and the
 * team codes to stdout: the organiser hands each to the one person it is for. */
void start_print_links(const core_t *core, const serve_opts_t *o);

#endif
