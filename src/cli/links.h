/* links.h – the links and team codes printed when the server starts. */
#ifndef SP_CLI_LINKS_H
#define SP_CLI_LINKS_H

#include "core/core.h"

/* Prints the sprint's title, the organiser, jury, screen and facilitator links and the
 * team codes to stdout, base_url the server's public address without a trailing slash:
 * the organiser hands each to the one person it is for. Given to server_run as
 * serve_opts_t.on_start. */
void cli_print_links(const core_t *core, const char *base_url);

#endif
