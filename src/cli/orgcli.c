/* orgcli.c – the command-line import of registrations and the assignment, on a database file. */
#include "util/clock.h"
#include "cli/orgcli.h"
#include "core/err.h"
#include "util/limits.h"
#include "org/import.h"
#include "log/boot.h"
#include "log/event.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int usage_err(const char *what)
{
    fprintf(stderr, "staatsprint: %s\n(see staatsprint --help)\n", what);
    return 2;
}

static void org_who(who_t *w)
{
    memset(w, 0, sizeof *w);
    w->role = ROLE_ORGANISER;
    w->member = w->team = w->room = -1;
    snprintf(w->actor, sizeof w->actor, "org");
}

/* Appends the events of one command; a server writing the same log makes it fail. */
static int append(store_t *st, const char *log, const evlist_t *out)
{
    int rc = log_append(st, log, out);
    if (rc == STORE_ECONFLICT)
        fprintf(stderr, "staatsprint: een ander proces (een draaiende server?) schrijft in deze "
                        "database; er is niets veranderd. Stop de server en probeer het opnieuw.\n"
                        "(another process – a running server? – writes to this database; nothing "
                        "changed. Stop the server and try again.)\n");
    else if (rc != 0)
        fprintf(stderr, "staatsprint: opslaan mislukt (saving failed): %s\n", store_strerror(rc));
    return rc;
}

/* Opens db into a fresh core with the organiser's secrets source. */
static int open_db(const char *db, core_t **core, store_t **st, char *log, size_t loglen)
{
    *core = core_new();
    boot_secret_source(*core);
    if (boot_open(db, st, *core, log, loglen, NULL, NULL) != 0) {
        core_free(*core);
        *core = NULL;
        return -1;
    }
    return 0;
}

static int run_org(core_t *core, store_t *st, const char *log, const char *cmd, const json_t *args)
{
    who_t w;
    org_who(&w);
    char id[64];
    snprintf(id, sizeof id, "cli-%s-%lld", cmd, (long long)clock_now_ms());
    evlist_t out = {0};
    int64_t dup;
    int rc = core_exec(core, &w, cmd, args, id, clock_now_ms(), &out, &dup);
    if (rc < 0)
        fprintf(stderr, "staatsprint: %s\n(%s)\n", err_nl(rc), err_en(rc));
    else if (out.n > 0 && append(st, log, &out) != 0)
        rc = -1;
    evlist_free(&out);
    return rc < 0 ? -1 : 0;
}

/* ---- import ------------------------------------------------------------------------- */

typedef struct {
    int tty;
    size_t total;
    int last;
} progress_t;

static void progress(void *ud, size_t rows, size_t done, size_t total)
{
    progress_t *p = ud;
    if (!p->tty || total == 0)
        return;
    int pct = (int)(done * 100 / total);
    if (pct == p->last && done < total)
        return;
    p->last = pct;
    char bar[31];
    int full = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < full ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %zu rijen/rows", bar, pct, rows);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            if (cap >= LIMIT_IMPORT_FILE_BYTES) {
                /* Far beyond any real form export. */
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static long long num(const json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }

static void print_answers(const json_t *s)
{
    size_t i;
    json_t *a;
    printf("\nAntwoorden op de keuzevragen / answers to the choice questions:\n");
    json_array_foreach(json_object_get(s, "answers"), i, a) {
        const char *ch = json_string_value(json_object_get(a, "challenge"));
        printf("  %4lldx  %-50s → %s%s\n", num(a, "count"), json_string_value(json_object_get(a, "answer")),
               ch ? ch : json_is_true(json_object_get(a, "overridden")) ? "genegeerd/ignored" : "GEEN/NONE (?)",
               json_is_true(json_object_get(a, "overridden")) ? " (gekozen/chosen)" : "");
    }
    if (num(s, "unmatched_answers") > 0)
        printf("  %lld antwoord(en) horen bij geen challenge; kies met --choice \"ANTWOORD=c2\" of negeer met "
               "--choice \"ANTWOORD=-\"\n  (%lld answer(s) match no challenge; choose with --choice "
               "\"ANSWER=c2\" or ignore with --choice \"ANSWER=-\")\n",
               num(s, "unmatched_answers"), num(s, "unmatched_answers"));
}

static void print_summary(const json_t *s, int preview)
{
    size_t i;
    json_t *v;
    printf("Kolommen / columns:\n");
    json_array_foreach(json_object_get(s, "mapping"), i, v) {
        const char *h = json_string_value(json_object_get(v, "header"));
        if (h)
            printf("  %-18s ← %s\n", json_string_value(json_object_get(v, "field")), h);
    }
    print_answers(s);
    printf("\nRijen / rows:                %lld\n", num(s, "rows"));
    printf("%s %lld\n", preview ? "Nieuw (straks) / new (to be):" : "Nieuw / new:                ", num(s, "new"));
    printf("Bijgewerkt / updated:        %lld\n", num(s, "updated"));
    printf("Ongewijzigd / unchanged:     %lld\n", num(s, "unchanged"));
    printf("Afgewezen / rejected:        %lld\n", num(s, "rejected"));
    printf("Dubbel in bestand / duplicates in the file: %lld\n", num(s, "replaced") - num(s, "updated"));
    printf("Waarschuwingen / warnings:   %lld\n", num(s, "warnings"));
    printf("Eerste keuze / first choice: %lld\n", num(s, "first_choices"));
    printf("Zonder herkende keuze / without a recognised choice: %lld\n", num(s, "no_choice"));
    json_array_foreach(json_object_get(s, "no_choice_people"), i, v)
        printf("  regel/line %lld  %s\n", num(v, "line"), json_string_value(json_object_get(v, "name")));
    json_array_foreach(json_object_get(s, "conflicts"), i, v) {
        if (i == 0)
            printf("\nZelfde e-mailadres, andere naam – niet samengevoegd, beslis zelf (same address, other "
                   "name – not merged, you decide):\n");
        printf("  regel/line %lld  %s <%s>: al ingeschreven als / already registered as %s (%s)\n", num(v, "line"),
               json_string_value(json_object_get(v, "name")), json_string_value(json_object_get(v, "email")),
               json_string_value(json_object_get(v, "registered")), json_string_value(json_object_get(v, "person")));
    }
    size_t shown = 0;
    json_array_foreach(json_object_get(s, "issues"), i, v) {
        if (shown++ == 0)
            printf("\nRegels met opmerkingen / rows with remarks:\n");
        const char *val = json_string_value(json_object_get(v, "value"));
        printf("  regel/line %lld %s %s: %s (%s)%s%s%s\n", num(v, "line"),
               json_is_true(json_object_get(v, "rejects")) ? "AFGEWEZEN/REJECTED" : "waarschuwing/warning",
               json_string_value(json_object_get(v, "code")), json_string_value(json_object_get(v, "nl")),
               json_string_value(json_object_get(v, "en")), val ? " «" : "", val ? val : "", val ? "»" : "");
    }
}

/* --choice "ANSWER=c2" (or "ANSWER=-" to ignore); the last "=" separates, so an answer
 * may hold one itself. */
static int add_choice(json_t *choices, const char *spec)
{
    const char *eq = strrchr(spec, '=');
    if (eq == NULL || eq == spec || eq[1] == '\0')
        return -1;
    char *answer = xstrndup(spec, (size_t)(eq - spec));
    json_array_append_new(choices, json_pack("{ss so}", "answer", answer, "challenge",
                                             strcmp(eq + 1, "-") == 0 ? json_null() : json_string(eq + 1)));
    free(answer);
    return 0;
}

int orgcli_import(int argc, char **argv)
{
    const char *db = "staatsprint.db", *file = NULL;
    char map[2048] = "";
    int preview = 0;
    json_t *choices = json_array();
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--db") == 0 && v)
            db = argv[++i];
        else if (strcmp(a, "--map") == 0 && v) {
            size_t n = strlen(map);
            snprintf(map + n, sizeof map - n, "%s%s", n ? "," : "", v);
            i++;
        } else if (strcmp(a, "--choice") == 0 && v) {
            if (add_choice(choices, argv[++i]) != 0) {
                json_decref(choices);
                return usage_err("--choice verwacht \"ANTWOORD=challenge-id\" of \"ANTWOORD=-\" "
                                 "(--choice expects \"ANSWER=challenge-id\" or \"ANSWER=-\")");
            }
        } else if (strcmp(a, "--preview") == 0)
            preview = 1;
        else if (a[0] != '-' && file == NULL)
            file = a;
        else {
            json_decref(choices);
            return usage_err("onbekende of onvolledige optie (unknown or incomplete option)");
        }
    }
    if (file == NULL) {
        json_decref(choices);
        return usage_err("geef het CSV-bestand (give the CSV file)");
    }
    size_t len = 0;
    char *data = read_file(file, &len);
    if (data == NULL) {
        fprintf(stderr, "staatsprint: kan %s niet lezen (cannot read it)\n", file);
        json_decref(choices);
        return 1;
    }
    core_t *core;
    store_t *st;
    char log[64];
    if (open_db(db, &core, &st, log, sizeof log) != 0) {
        free(data);
        json_decref(choices);
        return 1;
    }
    size_t nch = core_challenge_count(core);
    reg_challenge_t *ch = xcalloc(nch + 1, sizeof *ch);
    for (size_t i = 0; i < nch; i++)
    {
        core_challenge_info(core, i, &ch[i].id, &ch[i].title);
        ch[i].title_en = core_challenge_title_en(core, i);
    }
    progress_t pr = {isatty(2), len, -1};
    json_t *summary, *args;
    int rc = import_parse(data, len, ch, nch, map, choices, preview, progress, &pr, &summary, &args);
    free(data);
    free(ch);
    json_decref(choices);
    int status = 0;
    if (rc != 0) {
        fprintf(stderr, "staatsprint: %s\n(%s)\n", json_string_value(json_object_get(summary, "nl")),
                json_string_value(json_object_get(summary, "en")));
        status = 1;
    } else {
        core_import_summary(core, summary, args);
        if (!preview && run_org(core, st, log, "registrations.import", args) != 0)
            status = 1;
    }
    if (rc == 0 && status == 0)
        print_summary(summary, preview);
    json_decref(summary);
    json_decref(args);
    store_close(st);
    core_free(core);
    return status;
}

/* ---- assign ------------------------------------------------------------------------- */

static void print_figures(const json_t *f)
{
#define I(k) ((long long)json_integer_value(json_object_get(f, k)))
#define D(k) (json_real_value(json_object_get(f, k)) * 100.0)
    printf("Deelnemers / participants:                      %lld\n", I("people"));
    printf("Met een keuze / with a choice:                  %lld\n", I("with_choice"));
    printf("Eerste keuze / first choice:                    %.1f%% (%lld)\n", D("share_first"), I("first"));
    printf("Tweede keuze / second choice:                   %lld\n", I("second"));
    printf("Geen van beide / neither choice:                %.1f%% (%lld)\n", D("share_neither"), I("neither"));
    printf("Collega's samen in een team / colleague pairs:  %lld (minimaal mogelijk / least possible %lld)\n",
           I("colleague_pairs"), I("colleague_pairs_min"));
    printf("Teams:                                          %lld\n", I("teams"));
    printf("Teamgrootte / team size:                        %lld–%lld\n", I("team_size_min"), I("team_size_max"));
    printf("Niet geplaatst / unplaced:                      %lld\n", I("unplaced"));
    printf("Teams per zaal / teams per room (max):          %lld\n", I("teams_per_room"));
    printf("\nPer challenge: mensen/people, 1e/1st, 2e/2nd, geen keuze/no choice, anders/neither, teams, zalen/rooms\n");
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(f, "challenges"), i, g)
        printf("  %-6s %4lld  %4lld  %4lld  %4lld  %4lld  %4lld  %3lld\n",
               json_string_value(json_object_get(g, "challenge")), (long long)json_integer_value(json_object_get(g, "people")),
               (long long)json_integer_value(json_object_get(g, "first")), (long long)json_integer_value(json_object_get(g, "second")),
               (long long)json_integer_value(json_object_get(g, "no_choice")), (long long)json_integer_value(json_object_get(g, "neither")),
               (long long)json_integer_value(json_object_get(g, "teams")), (long long)json_integer_value(json_object_get(g, "rooms")));
    json_array_foreach(json_object_get(f, "notes"), i, g) {
        const char *code = json_string_value(json_object_get(g, "code"));
        if (strcmp(code, "too_few") == 0)
            printf("\nLet op / note: challenge %s is de eerste keuze van maar %lld mensen, te weinig voor een team van "
                   "%lld. Wie een tweede keuze had, is daarheen gegaan (nu %lld geplaatst). Andere mogelijkheden: "
                   "kleinere teams (--team-size 4-8) of de challenge samenvoegen met een andere.\n"
                   "(challenge %s is the first choice of only %lld people, too few for a team of %lld. Those with "
                   "a second choice went there (%lld placed now). Other options: smaller teams (--team-size 4-8) "
                   "or merging the challenge with another.)\n",
                   json_string_value(json_object_get(g, "challenge")), (long long)json_integer_value(json_object_get(g, "first")),
                   (long long)json_integer_value(json_object_get(g, "team_size_min")), (long long)json_integer_value(json_object_get(g, "placed")),
                   json_string_value(json_object_get(g, "challenge")), (long long)json_integer_value(json_object_get(g, "first")),
                   (long long)json_integer_value(json_object_get(g, "team_size_min")), (long long)json_integer_value(json_object_get(g, "placed")));
        else
            printf("\nLet op / note: met %lld–%lld per team past niet iedereen: er is geen verdeling waarin elk team "
                   "binnen die grenzen valt. Kies andere grenzen met --team-size.\n(with %lld–%lld per team no "
                   "assignment keeps every team within the bounds; choose others with --team-size.)\n",
                   (long long)json_integer_value(json_object_get(g, "team_size_min")), (long long)json_integer_value(json_object_get(g, "team_size_max")),
                   (long long)json_integer_value(json_object_get(g, "team_size_min")), (long long)json_integer_value(json_object_get(g, "team_size_max")));
    }
#undef I
#undef D
}

int orgcli_assign(int argc, char **argv)
{
    const char *db = "staatsprint.db";
    int tmin = 6, tmax = 8, per_room = 6;
    long seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--db") == 0 && v)
            db = argv[++i];
        else if (strcmp(a, "--team-size") == 0 && v) {
            /* N (exactly N where possible) or MIN-MAX */
            int two = sscanf(v, "%d-%d", &tmin, &tmax) == 2;
            if (!two && sscanf(v, "%d", &tmin) == 1)
                tmax = tmin;
            else if (!two)
                return usage_err("--team-size verwacht N of MIN-MAX (--team-size expects N or MIN-MAX)");
            i++;
        } else if (strcmp(a, "--teams-per-room") == 0 && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || n < 1 || n > 100)
                return usage_err("--teams-per-room verwacht een getal 1-100 (--teams-per-room expects a number 1-100)");
            per_room = (int)n;
            i++;
        } else if (strcmp(a, "--seed") == 0 && v) {
            char *end;
            seed = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || seed < 0 || seed > 2000000000)
                return usage_err("--seed verwacht een getal (--seed expects a number)");
            i++;
        } else
            return usage_err("onbekende of onvolledige optie (unknown or incomplete option)");
    }
    core_t *core;
    store_t *st;
    char log[64];
    if (open_db(db, &core, &st, log, sizeof log) != 0)
        return 1;
    json_t *args = json_pack("{si si si si}", "team_size_min", tmin, "team_size_max", tmax, "seed", (int)seed,
                             "teams_per_room", per_room);
    int status = run_org(core, st, log, "assign.run", args) == 0 ? 0 : 1;
    json_decref(args);
    if (status == 0) {
        json_t *f = core_assign_figures(core);
        print_figures(f);
        json_decref(f);
    }
    store_close(st);
    core_free(core);
    return status;
}
