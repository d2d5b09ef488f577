/* start.c – what the server tells the organiser on start, and the port check before it. */
#include "cli/links.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* lws reports a busy port only in its log; find out first, with a clear message. */
int start_port_free(int port, const char *bind_addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind_addr)
        inet_pton(AF_INET, bind_addr, &a.sin_addr);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    int err = errno;
    close(fd);
    if (!ok && err != EADDRINUSE && err != EACCES)
        return 1;
    return ok ? 1 : -err;
}

void start_print_links(const core_t *core, const serve_opts_t *o)
{
    char base[256];
    if (o->public_url)
        snprintf(base, sizeof base, "%s", o->public_url);
    else
        snprintf(base, sizeof base, "http://localhost:%d", o->port);
    printf("staatsprint %s – %s\n", SP_VERSION, core_sprint_title(core));
    printf("Luistert op / listening on %s\n\n", base);
    printf("Organisator: %s/#/o/%s\n", base, core_link_token(core, "organiser", NULL));
    printf("Jury:        %s/#/j/%s\n", base, core_link_token(core, "jury", NULL));
    printf("Scherm:      %s/#/s/%s\n", base, core_link_token(core, "screen", NULL));
    /* Teams grouped by room, rooms in the order they first appear. */
    size_t n = core_team_count(core);
    for (size_t i = 0; i < n; i++) {
        const char *id, *name, *room, *code, *id2, *name2, *room2, *code2;
        core_team_info(core, i, &id, &name, &room, &code);
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++) {
            core_team_info(core, k, &id2, &name2, &room2, &code2);
            seen = strcmp(room2, room) == 0;
        }
        if (seen)
            continue;
        const char *ft = core_link_token(core, "facilitator", room);
        printf("\nZaal/room %s – facilitator: %s/#/f/%s\n", room, base, ft ? ft : "");
        for (size_t k = i; k < n; k++) {
            core_team_info(core, k, &id2, &name2, &room2, &code2);
            if (strcmp(room2, room) == 0)
                printf("  Teamcode %-24s %s\n", name2, code2);
        }
    }
    printf("\nDeelnemers openen %s/ en vullen hun teamcode in.\n"
           "(Participants open %s/ and enter their team code.)\n",
           base, base);
    fflush(stdout);
}

