/* main.c – the command line: staatsprint serve | --help | --version. */
#include "bank/bank.h"
#include "cli/links.h"
#include "cli/orgcli.h"
#include "core/core.h"
#include "cli/status.h"
#include "net/server.h"
#include "report/cli.h"
#include "sim/simulate.h"
#include "text/text_cluster.h"
#include "text/text_dict.h"
#include "util/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "staatsprint – de Staatsprint digitale overheid, van aanmelding tot winnaars.\n"
    "(the Staatsprint design sprint, from registration to the winners)\n"
    "\n"
    "Gebruik / usage:\n"
    "  staatsprint serve [--port N] [--db FILE] [--bind ADDR] [--url URL] [--teams N]\n"
    "                    [--origin ORIGIN]... [--gather-us N]\n"
    "      start de server (standaard poort 8080, database staatsprint.db)\n"
    "      starts the server (default port 8080, database staatsprint.db)\n"
    "  staatsprint cluster < notes.txt\n"
    "      groepeert briefjes (één per regel): clusternummer, tab, label per regel\n"
    "      groups notes (one per line): cluster number, tab, label for each line\n"
    "  staatsprint export --db FILE [--pdf OUT] [--json OUT] [--md OUT] [--csv-ideas OUT]\n"
    "                     [--csv-votes OUT] [--names]\n"
    "      de resultaten als PDF-verslag, open data (JSON, Markdown, CSV); namen alleen met --names\n"
    "      the results as a PDF report and open data; participants' names only with --names\n"
    "  staatsprint export --all --db FILE [--json OUT] [--csv OUT]\n"
    "      de ideeënbank van alle openbare sprints als open data (JSON, CSV), zonder namen\n"
    "      the idea bank of every public sprint as open data (JSON, CSV), without names\n"
    "  staatsprint simulate --db FILE [--teams N] [--idle N] [--seed S] [--speed X]\n"
    "      bots spelen een hele dag via de echte server (nieuw bestand, standaard 12 teams)\n"
    "      bots play a whole day through the real server (new file, 12 teams by default)\n"
    "  staatsprint import [--db FILE] [--map VELD=KOLOM]... [--choice ANTWOORD=CHALLENGE]...\n"
    "                     [--preview] aanmeldingen.csv\n"
    "      leest de aanmeldingen van een formulier (CSV-export) in de database\n"
    "      imports the registrations of a form (CSV export) into the database\n"
    "      --map email=3 of --map \"email=E-mailadres\": welke kolom bij een veld hoort\n"
    "      (which column holds a field; \"-\" leaves a field out)\n"
    "      --choice \"Slimme IT=c2\": welke challenge een antwoord bedoelt, \"-\" negeert het\n"
    "      (which challenge an answer means; \"-\" ignores it)\n"
    "  staatsprint assign [--db FILE] [--team-size N|MIN-MAX] [--teams-per-room N] [--seed S]\n"
    "      deelt de deelnemers in over de challenges en teams (standaard 6-8)\n"
    "      assigns the participants to challenges and teams (default 6-8)\n"
    "      hooguit N teams per zaal, elk met een eigen begeleider (standaard 6); zalen komen erbij\n"
    "      (at most N teams per room, each with its own facilitator (default 6); rooms are added)\n"
    "      import en assign werken direct op het bestand: niet terwijl een server het\n"
    "      gebruikt (import and assign work on the file itself: not while a server uses it)\n"
    "  staatsprint status --db postgresql://…\n"
    "      de nodes van een cluster: wie leidt, de lease, hoe ver elke node achter is\n"
    "      the nodes of a cluster: which one leads, its lease, how far behind each is\n"
    "  staatsprint --help       deze hulp / this help\n"
    "  staatsprint --version    de versie / the version\n"
    "\n"
    "Opties van serve / options of serve:\n"
    "  --port N        poort om op te luisteren / port to listen on\n"
    "  --db FILE       SQLite-bestand of postgresql://-adres / SQLite file or postgresql:// URI\n"
    "  --bind ADDR     alleen op dit adres luisteren / listen on this address only\n"
    "  --url URL       basis van de geprinte links, bijv. https://sprint.example.nl\n"
    "                  base of the printed links\n"
    "  --teams N       N extra teams bij het aanmaken van een nieuwe dag (voor belastingtests)\n"
    "                  N extra teams when a new day is created (for load tests)\n"
    "  --origin ORIGIN extra toegestane Origin voor /ws (achter een proxy)\n"
    "                  extra allowed Origin for /ws (behind a proxy)\n"
    "  --gather-us N   bij drukte wacht een commit tot N µs na zijn eerste opdracht (standaard\n"
    "                  1500, 0 = nooit): minder fsyncs, iets later bevestigd\n"
    "                  when busy a commit waits up to N µs after its first command (default\n"
    "                  1500, 0 = never): fewer fsyncs, acknowledged a little later\n";

static int bad_usage(const char *what)
{
    fprintf(stderr, "staatsprint: %s\n\n%s", what, usage);
    return 2;
}

static int parse_port(const char *s, int *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    serve_opts_t o = {.port = 8080, .db = "staatsprint.db", .gather_us = -1, .on_start = cli_print_links};
    const char **origins = calloc((size_t)argc, sizeof *origins);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--port") == 0 && v) {
            if (parse_port(v, &o.port) != 0) {
                free(origins);
                return bad_usage("--port verwacht een getal van 1 tot 65535 "
                                 "(--port expects a number from 1 to 65535)");
            }
        } else if (strcmp(a, "--db") == 0 && v)
            o.db = v;
        else if (strcmp(a, "--bind") == 0 && v)
            o.bind = v;
        else if (strcmp(a, "--url") == 0 && v)
            o.public_url = v;
        else if (strcmp(a, "--teams") == 0 && v) {
            o.extra_teams = atoi(v);
            if (o.extra_teams < 0 || o.extra_teams > LIMIT_EXTRA_TEAMS) {
                char why[96];
                snprintf(why, sizeof why, "--teams verwacht 0 tot %d (--teams expects 0 to %d)",
                         LIMIT_EXTRA_TEAMS, LIMIT_EXTRA_TEAMS);
                free(origins);
                return bad_usage(why);
            }
        } else if (strcmp(a, "--origin") == 0 && v)
            origins[o.norigins++] = v;
        else if (strcmp(a, "--gather-us") == 0 && v) {
            char *end = NULL;
            long us = strtol(v, &end, 10);
            if (end == v || *end != '\0' || us < 0 || us > 100000) {
                free(origins);
                return bad_usage("--gather-us verwacht 0 tot 100000 (--gather-us expects 0 to 100000)");
            }
            o.gather_us = (int)us;
        }
        else {
            free(origins);
            return bad_usage("onbekende of onvolledige optie (unknown or incomplete option)");
        }
        i++;
    }
    o.origins = origins;
    /* The Dutch word list of the text engine is read now, not in the middle of the first
     * cluster suggestion (src/text/text_dict.h). */
    text_dict_size();
    int rc = server_run(&o);
    while (rc == SERVER_AGAIN) {   /* a node of several starts again as a follower */
        o.again = 1;
        rc = server_run(&o);
    }
    free(origins);
    return rc;
}

/* `staatsprint commands` (not in --help): every command with the roles that may send
 * it, as JSON, one object per line; the access tests enumerate the commands with it. */
static void print_command(void *ud, const char *name, unsigned roles)
{
    (void)ud;
    printf("{\"cmd\":\"%s\",\"roles\":[", name);
    const char *sep = "";
    for (int r = ROLE_ORGANISER; r <= ROLE_SCREEN; r++)
        if (roles & (1u << r)) {
            printf("%s\"%s\"", sep, role_name((role_t)r));
            sep = ",";
        }
    printf("]}\n");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage("geef een opdracht (give a command)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("staatsprint %s\n", SP_VERSION);
        return 0;
    }
    if (strcmp(cmd, "commands") == 0) {
        core_commands(print_command, NULL);
        return 0;
    }
    if (strcmp(cmd, "import") == 0)
        return orgcli_import(argc - 2, argv + 2);
    if (strcmp(cmd, "assign") == 0)
        return orgcli_assign(argc - 2, argv + 2);
    if (strcmp(cmd, "status") == 0)
        return cli_status(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "export") == 0) {
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--all") == 0)
                return bank_export_cli(argc - 2, argv + 2);
        return report_cli_export(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "simulate") == 0)
        return sim_cli(argc - 2, argv + 2);
    if (strcmp(cmd, "cluster") == 0) {
        int rc = text_cluster_cli(stdin, stdout);
        if (rc != 0)
            fprintf(stderr, "staatsprint: clusteren mislukt (clustering failed): %s\n",
                    rc == -E2BIG ? "te veel regels (too many lines)" : "leesfout (read error)");
        return rc == 0 ? 0 : 1;
    }
    return bad_usage("onbekende opdracht (unknown command)");
}
