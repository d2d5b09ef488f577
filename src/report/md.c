/* md.c – the report as Markdown (see md.h). */
#include "report/md.h"
#include "report/model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *report_label_nl(const char *key)
{
    static const char *const map[][2] = {
        {"goal", "Doel"},           {"role", "Rol"},          {"dropped", "Viel weg"},
        {"added", "Kwam erbij"},    {"captain", "teamcaptain"}, {"timekeeper", "tijdbewaker"},
        {"presenter", "presentator"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], key) == 0)
            return map[i][1];
    return key;
}

/* Text as Markdown: characters with a meaning are escaped, line breaks kept. */
static void put(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\`*_[]<>|#", *s))
            fputc('\\', f);
        if (*s == '\n') {
            fputs("  \n", f);
            continue;
        }
        fputc(*s, f);
    }
}

static void canvas(FILE *f, const json_t *doc, const json_t *team, const char *id)
{
    size_t i;
    json_t *c, *fd;
    const json_t *values = json_object_get(json_object_get(team, "canvases"), id);
    json_array_foreach(json_object_get(doc, "canvases"), i, c) {
        if (strcmp(rm_str(c, "id"), id) != 0)
            continue;
        fprintf(f, "\n#### ");
        put(f, rm_str(c, "name"));
        fputs("\n\n", f);
        size_t j;
        json_array_foreach(json_object_get(c, "fields"), j, fd) {
            const char *v = rm_str(values, rm_str(fd, "id"));
            fputs("- **", f);
            put(f, rm_str(fd, "name"));
            fputs("**: ", f);
            put(f, v[0] ? v : "–");
            fputc('\n', f);
        }
    }
}

static void dots(FILE *f, const json_t *v)
{
    if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    else
        fputs("–", f);
}

static void team_md(FILE *f, const json_t *doc, const json_t *t)
{
    size_t i, j;
    json_t *m, *c, *n;
    fputs("\n### ", f);
    put(f, rm_str(t, "name"));
    fputs("\n\n**Teamleden**\n\n", f);
    json_array_foreach(json_object_get(t, "members"), i, m) {
        fputs("- ", f);
        if (json_object_get(m, "name")) {
            put(f, rm_str(m, "name"));
            fputs(", ", f);
        }
        put(f, rm_str(m, "organisation")[0] ? rm_str(m, "organisation") : "organisatie onbekend");
        if (rm_str(m, "role")[0]) {
            fputs(" (", f);
            put(f, rm_str(m, "role"));
            fputc(')', f);
        }
        json_array_foreach(json_object_get(m, "team_roles"), j, n)
            fprintf(f, " – %s", report_label_nl(json_string_value(n)));
        fputc('\n', f);
    }
    fputs("\n#### Clusters\n\n", f);
    json_array_foreach(json_object_get(json_object_get(t, "problems"), "clusters"), i, c) {
        fputs("- **", f);
        put(f, rm_str(c, "name"));
        fputs("**: ", f);
        json_array_foreach(json_object_get(c, "notes"), j, n) {
            if (j)
                fputs("; ", f);
            put(f, json_string_value(n));
        }
        fputc('\n', f);
    }
    fputs("\n#### Knelpunten\n\n| Knelpunt | Stippen |\n|---|---:|\n", f);
    json_array_foreach(json_object_get(json_object_get(t, "knelpunten"), "items"), i, c) {
        fputs("| ", f);
        put(f, rm_str(c, "text"));
        fputs(" | ", f);
        dots(f, json_object_get(c, "dots"));
        fputs(" |\n", f);
    }
    canvas(f, doc, t, "vehicle");
    fputs("\n#### HKW-thema's\n\n| Thema | Vragen | Stippen |\n|---|---|---:|\n", f);
    json_array_foreach(json_object_get(json_object_get(t, "themes"), "clusters"), i, c) {
        fputs("| ", f);
        put(f, rm_str(c, "name"));
        if (json_is_true(json_object_get(c, "chosen")))
            fputs(" (gekozen)", f);
        fputs(" | ", f);
        json_array_foreach(json_object_get(c, "notes"), j, n) {
            if (j)
                fputs("<br>", f);
            put(f, json_string_value(n));
        }
        fputs(" | ", f);
        dots(f, json_object_get(c, "dots"));
        fputs(" |\n", f);
    }
    canvas(f, doc, t, "problem");
    const json_t *race = json_object_get(t, "race");
    fprintf(f, "\n#### Idee Race\n\n%lld ideeën", rm_int(race, "total"));
    json_array_foreach(json_object_get(race, "rounds"), i, c)
        fprintf(f, "%s ronde %lld: %lld", i ? "," : ":", rm_int(c, "round"), rm_int(c, "count"));
    fputs(json_is_true(json_object_get(race, "won")) ? ". Winnaar van de zaal.\n" : ".\n", f);
    fputs("\n#### Gekozen ideeën\n", f);
    json_array_foreach(json_object_get(t, "chosen"), i, c) {
        fprintf(f, "\n%zu. **", i + 1);
        put(f, rm_str(c, "text"));
        fputs("** (", f);
        dots(f, json_object_get(c, "votes"));
        fputs(" stemmen)\n", f);
        json_array_foreach(json_object_get(c, "milestones"), j, m) {
            long long at = rm_int(m, "at");
            if (at == 0)
                fputs("   - Nu", f);
            else
                fprintf(f, "   - Over %lld jaar", at);
            fprintf(f, " – %s: ", report_label_nl(rm_str(m, "kind")));
            put(f, rm_str(m, "text"));
            fputc('\n', f);
        }
    }
    canvas(f, doc, t, "pitch");
    canvas(f, doc, t, "plan");
}

int report_md_write(const json_t *doc, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "staatsprint: kan %s niet schrijven (cannot write): %s\n", path, strerror(errno));
        return -1;
    }
    report_md_put(doc, f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "staatsprint: kan %s niet schrijven (cannot write)\n", path);
        return -1;
    }
    return 0;
}

void report_md_put(const json_t *doc, FILE *f)
{
    const json_t *sp = json_object_get(doc, "sprint");
    size_t i, j;
    json_t *e, *c, *t;
    fputs("# ", f);
    put(f, rm_str(sp, "title"));
    fprintf(f, "\n\nResultaten van de dag · %s · %s · georganiseerd door ", rm_str(sp, "date"), rm_str(sp, "venue"));
    put(f, rm_str(sp, "organiser"));
    fputs("\n\n## Programma\n\n| Tijd | Onderdeel |\n|---|---|\n", f);
    json_array_foreach(json_object_get(doc, "programme"), i, e) {
        fprintf(f, "| %s–%s | ", rm_str(e, "time"), rm_str(e, "end"));
        put(f, rm_str(e, "title"));
        fputs(" |\n", f);
    }
    json_array_foreach(json_object_get(doc, "challenges"), i, c) {
        fputs("\n## Challenge: ", f);
        put(f, rm_str(c, "title"));
        fputs("\n\n*", f);
        put(f, rm_str(c, "question"));
        fputs("*\n", f);
        json_array_foreach(json_object_get(doc, "teams"), j, t)
            if (strcmp(rm_str(t, "challenge"), rm_str(c, "id")) == 0)
                team_md(f, doc, t);
    }
    fputs("\n## Jury en winnaars\n\n", f);
    json_array_foreach(json_object_get(json_object_get(doc, "jury"), "criteria"), i, e) {
        fputs("- ", f);
        put(f, rm_str(e, "name"));
        fputc('\n', f);
    }
    fputs("\n**Winnaars van de Idee Race**\n\n", f);
    json_array_foreach(json_object_get(doc, "rooms"), i, e) {
        json_t *w;
        fputs("- ", f);
        put(f, rm_str(e, "name"));
        fputs(": ", f);
        json_array_foreach(json_object_get(e, "race_winners"), j, w) {
            const json_t *tm = rm_team(doc, json_string_value(w));
            if (j)
                fputs(", ", f);
            put(f, tm ? rm_str(tm, "name") : json_string_value(w));
        }
        fputc('\n', f);
    }
}
