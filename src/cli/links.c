/* links.c – what `staatsprint serve` tells the organiser on start: the links and codes. */
#include "cli/links.h"

#include <stdio.h>
#include <string.h>

void cli_print_links(const core_t *core, const char *base)
{
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

