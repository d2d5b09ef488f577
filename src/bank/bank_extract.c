/* bank_extract.c – the bank entries of one sprint, taken from its report document.
 *
 * The document is the one projection (src/report/model.c): only public, redacted data.
 * It is read with names = 0, so no person's name is in it; organisations are taken from
 * the team's members only when the organiser allowed it (orgs). What becomes an entry:
 *   knelpunt  each item of the team's knelpunten list, count = its dots once revealed;
 *   hkw       each HKW question on the theme board, count = its theme's dots, chosen =
 *             the theme was chosen;
 *   probleem  the team's problem statement (the problem canvas, fields joined);
 *   idee      each race idea, count = its votes, chosen = the idea vote selected it;
 *   gekozen   each chosen idea, detail = its Crystal Ball milestones, the action plan
 *             and the pitch;
 *   jury      the team's announced jury result, detail = {place, total}, won = place 1.
 */
#include "bank/bank.h"
#include "report/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    json_t *out;
    const json_t *doc, *team;
    const char *sprint;
    json_t *orgs;
    int won_race, won;   /* the team won its race; the jury placed it first */
} ex_t;

static const char *challenge_title(const json_t *doc, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "challenges"), i, c)
        if (strcmp(rm_str(c, "id"), id) == 0)
            return rm_str(c, "title");
    return "";
}

static void add(ex_t *x, const char *kind, const char *text, long long count, int chosen, json_t *detail)
{
    int won = x->won;
    if (text == NULL || text[0] == '\0') {
        json_decref(detail);
        return;
    }
    const json_t *sp = json_object_get(x->doc, "sprint");
    const char *tid = rm_str(x->team, "id"), *ch = rm_str(x->team, "challenge");
    char url[256];
    snprintf(url, sizeof url, "/r/%s/%s", x->sprint, tid);
    json_t *e = json_pack("{ss ss ss ss ss ss ss ss ss sI si si so sO ss}", "sprint", x->sprint,
                          "sprint_title", rm_str(sp, "title"), "date", rm_str(sp, "date"), "challenge", ch,
                          "challenge_title", challenge_title(x->doc, ch), "kind", kind, "team", tid,
                          "team_name", rm_str(x->team, "name"), "text", text, "count", (json_int_t)count,
                          "chosen", chosen ? 1 : 0, "won", won ? 1 : 0, "detail",
                          detail ? detail : json_object(), "orgs", x->orgs, "url", url);
    json_array_append_new(x->out, e);
}

/* The fields of a canvas of the team joined by " – " (empty ones left out). */
static char *canvas_text(const json_t *team, const char *canvas)
{
    const json_t *cv = json_object_get(json_object_get(team, "canvases"), canvas);
    size_t cap = 64, n = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)cv, k, v) {
        (void)k;
        cap += strlen(json_string_value(v) ? json_string_value(v) : "") + 8;
    }
    char *s = malloc(cap);
    if (s == NULL)
        abort();
    s[0] = '\0';
    json_object_foreach((json_t *)cv, k, v) {
        const char *t = json_string_value(v);
        if (t == NULL || t[0] == '\0')
            continue;
        n += (size_t)snprintf(s + n, cap - n, "%s%s", n ? " – " : "", t);
    }
    return s;
}

static void team_entries(ex_t *x)
{
    const json_t *t = x->team;
    size_t i, j;
    json_t *v, *w;
    /* Knelpunten: dots are null until the vote was revealed. */
    json_array_foreach(json_object_get(json_object_get(t, "knelpunten"), "items"), i, v)
        add(x, "knelpunt", rm_str(v, "text"), rm_int(v, "dots"), 0, NULL);
    /* HKW questions, grouped in themes. */
    const json_t *themes = json_object_get(t, "themes");
    json_array_foreach(json_object_get(themes, "clusters"), i, v) {
        json_array_foreach(json_object_get(v, "notes"), j, w)
            add(x, "hkw", json_string_value(w), rm_int(v, "dots"), json_is_true(json_object_get(v, "chosen")),
                json_pack("{ss}", "theme", rm_str(v, "name")));
    }
    json_array_foreach(json_object_get(themes, "unclustered"), i, w)
        add(x, "hkw", json_string_value(w), 0, 0, NULL);
    char *prob = canvas_text(t, "problem");
    add(x, "probleem", prob, 0, 0, json_deep_copy(json_object_get(json_object_get(t, "canvases"), "problem")));
    free(prob);
    json_array_foreach(json_object_get(t, "ideas"), i, v)
        add(x, "idee", rm_str(v, "text"), rm_int(v, "votes"), json_is_true(json_object_get(v, "chosen")),
            json_pack("{sI sb}", "round", (json_int_t)rm_int(v, "round"), "race_won", x->won_race));
    const json_t *cvs = json_object_get(t, "canvases");
    json_array_foreach(json_object_get(t, "chosen"), i, v)
        add(x, "gekozen", rm_str(v, "text"), rm_int(v, "votes"), 1,
            json_pack("{sO sO sO}", "milestones", json_object_get(v, "milestones"), "plan",
                      json_object_get(cvs, "plan") ? json_object_get(cvs, "plan") : json_null(), "pitch",
                      json_object_get(cvs, "pitch") ? json_object_get(cvs, "pitch") : json_null()));
    /* The jury's result: only once announced (the document has results only then). */
    json_array_foreach(json_object_get(json_object_get(json_object_get(x->doc, "jury"), "results"), "teams"), i, v) {
        if (strcmp(rm_str(v, "team"), rm_str(t, "id")) != 0 || rm_int(v, "rank") <= 0)
            continue;
        const char *idea = rm_str(json_object_get(cvs, "pitch"), "idea");
        char text[512];
        snprintf(text, sizeof text, "%s%s%s", rm_str(t, "name"), idea[0] ? ": " : "", idea);
        json_t *mean = json_object_get(v, "mean");
        add(x, "jury", text, rm_int(v, "rank"), 0,
            json_pack("{sI sO}", "place", (json_int_t)rm_int(v, "rank"), "total", mean ? mean : json_null()));
    }
}

json_t *bank_extract(const json_t *doc, const char *sprint, int orgs)
{
    ex_t x = {json_array(), doc, NULL, sprint, NULL, 0, 0};
    size_t i, j;
    json_t *t, *m;
    json_array_foreach(json_object_get(doc, "teams"), i, t) {
        x.team = t;
        x.orgs = json_array();
        if (orgs)
            json_array_foreach(json_object_get(t, "members"), j, m) {
                const char *o = rm_str(m, "organisation");
                size_t k;
                json_t *seen;
                int dup = 0;
                json_array_foreach(x.orgs, k, seen)
                    dup |= strcmp(json_string_value(seen), o) == 0;
                if (o[0] && !dup)
                    json_array_append_new(x.orgs, json_string(o));
            }
        x.won_race = json_is_true(json_object_get(json_object_get(t, "race"), "won"));
        x.won = 0;
        json_array_foreach(json_object_get(json_object_get(json_object_get(doc, "jury"), "results"), "teams"), j, m)
            if (strcmp(rm_str(m, "team"), rm_str(t, "id")) == 0 && rm_int(m, "rank") == 1)
                x.won = 1;
        team_entries(&x);
        json_decref(x.orgs);
    }
    return x.out;
}
