/* import.c – a form tool's CSV as the organiser's import: mapping, summary and command arguments. */
#include "org/import.h"
#include "util/limits.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ISSUES_MAX LIMIT_IMPORT_ISSUES
#define PREVIEW_ROWS 10

static json_t *err_json(const char *code, const char *nl, const char *en)
{
    return json_pack("{ss ss ss}", "code", code, "nl", nl, "en", en);
}

/* Applies "field=column,…" to m; column: 1-based number, header text, or "-". */
static int apply_map(reg_mapping_t *m, const char *spec, char *const *headers, size_t nh)
{
    char *copy = xstrdup(spec), *save = NULL;
    int rc = 0;
    for (char *part = strtok_r(copy, ",", &save); part && rc == 0; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        int f = -1, col = -2;
        if (eq == NULL) {
            rc = -1;
            break;
        }
        *eq = '\0';
        for (int i = 0; i < REG_F_COUNT; i++)
            if (strcasecmp(reg_field_code((reg_field_t)i), part) == 0)
                f = i;
        const char *v = eq + 1;
        char *end;
        long n = strtol(v, &end, 10);
        if (strcmp(v, "-") == 0)
            col = -1;
        else if (*v && *end == '\0' && n >= 1 && (size_t)n <= nh)
            col = (int)n - 1;
        else {
            char *want = reg_normalise(v);
            for (size_t i = 0; i < nh && col == -2; i++) {
                char *h = reg_normalise(headers[i]);
                if (strcmp(h, want) == 0)
                    col = (int)i;
                free(h);
            }
            free(want);
        }
        if (f < 0 || col == -2)
            rc = -1;
        else {
            m->column[f] = col;
            m->score[f] = 0;
        }
    }
    free(copy);
    return rc;
}

static json_t *person_json(const reg_person_t *p, const reg_challenge_t *ch, size_t nch, int full)
{
    json_t *o = json_pack("{ss ss ss sb sb sI}", "name", p->name, "organisation", p->organisation,
                          "role", p->role, "captain", p->willing_captain, "timekeeper",
                          p->willing_timekeeper, "line", (json_int_t)p->line);
    json_object_set_new(o, "email", p->email ? json_string(p->email) : json_null());
    json_object_set_new(o, "choice1", p->choice1 >= 0 && (size_t)p->choice1 < nch ? json_string(ch[p->choice1].id) : json_null());
    json_object_set_new(o, "choice2", p->choice2 >= 0 && (size_t)p->choice2 < nch ? json_string(ch[p->choice2].id) : json_null());
    if (full)
        json_object_set_new(o, "motivation", json_string(p->motivation));
    return o;
}

/* The organiser's answer matches: [{answer, challenge}] with a challenge id, or null /
 * "-" to ignore the answer. Returns the count, or -1 when an entry names no challenge. */
static int read_choices(const json_t *choices, const reg_challenge_t *ch, size_t nch, reg_override_t *out)
{
    size_t i;
    json_t *c;
    int n = 0;
    json_array_foreach(choices, i, c) {
        const char *answer = json_string_value(json_object_get(c, "answer"));
        const json_t *cv = json_object_get(c, "challenge");
        const char *id = json_string_value(cv);
        int k = REG_CHOICE_NONE;
        if (answer == NULL || (cv && !json_is_null(cv) && id == NULL))
            return -1;
        if (id && strcmp(id, "-") != 0) {
            k = -1;
            for (size_t j = 0; j < nch; j++)
                if (strcmp(ch[j].id, id) == 0)
                    k = (int)j;
            if (k < 0)
                return -1;
        }
        out[n++] = (reg_override_t){answer, k};
    }
    return n;
}

static json_t *answers_json(const reg_import_t *imp, const reg_challenge_t *ch, size_t nch)
{
    json_t *a = json_array();
    for (size_t i = 0; i < imp->n_answers && i < ISSUES_MAX; i++) {
        const reg_answer_t *x = &imp->answers[i];
        int k = x->choice;
        json_array_append_new(a, json_pack("{ss ss sI sI sI so sb sb}", "answer", x->text, "key", x->key,
                                           "count", (json_int_t)x->count, "first", (json_int_t)x->first,
                                           "second", (json_int_t)x->second, "challenge",
                                           k >= 0 && (size_t)k < nch ? json_string(ch[k].id) : json_null(),
                                           "matched", k >= 0, "overridden", x->overridden));
    }
    return a;
}

int import_parse(const char *data, size_t len, const reg_challenge_t *ch, size_t nch,
                 const char *map, const json_t *choices, int preview, reg_progress_cb progress,
                 void *ud, json_t **summary, json_t **args)
{
    *summary = *args = NULL;
    reg_override_t *ov = xcalloc(json_array_size(choices) + 1, sizeof *ov);
    int nov = read_choices(choices, ch, nch, ov);
    if (nov < 0) {
        free(ov);
        *summary = err_json("bad_choice_map",
                            "Een gekozen koppeling van antwoord aan challenge noemt een challenge die niet bestaat.",
                            "A chosen match of answer to challenge names a challenge that does not exist.");
        return -101;
    }
    reg_import_t head, imp;
    reg_options_t opt = {.challenges = ch, .n_challenges = nch, .max_rows = 1, .keep_duplicates = true};
    int rc = reg_import(data, len, &opt, &head);
    if (rc != 0) {
        free(ov);
        *summary = err_json(reg_err_code(rc), reg_err_nl(rc), reg_err_en(rc));
        return rc;
    }
    reg_mapping_t m = head.mapping;
    if (map && *map && apply_map(&m, map, head.headers, head.n_headers) != 0) {
        free(ov);
        reg_import_free(&head);
        *summary = err_json("bad_map",
                            "De koppeling van velden aan kolommen klopt niet (veld=kolom, gescheiden door komma's).",
                            "The mapping of fields to columns is wrong (field=column, separated by commas).");
        return -100;
    }
    reg_import_free(&head);
    opt = (reg_options_t){.mapping = &m, .overrides = ov, .n_overrides = (size_t)nov, .challenges = ch,
                          .n_challenges = nch, .progress = progress, .progress_ud = ud};
    rc = reg_import(data, len, &opt, &imp);
    free(ov);
    if (rc != 0) {
        *summary = err_json(reg_err_code(rc), reg_err_nl(rc), reg_err_en(rc));
        return rc;
    }
    json_t *headers = json_array(), *mapping = json_array(), *issues = json_array(), *prev = json_array();
    for (size_t i = 0; i < imp.n_headers; i++)
        json_array_append_new(headers, json_string(imp.headers[i]));
    for (int f = 0; f < REG_F_COUNT; f++) {
        int col = imp.mapping.column[f];
        json_array_append_new(mapping, json_pack("{ss ss ss so so si}", "field", reg_field_code((reg_field_t)f),
                                                 "nl", reg_field_nl((reg_field_t)f), "en", reg_field_en((reg_field_t)f),
                                                 "column", col >= 0 ? json_integer(col) : json_null(), "header",
                                                 col >= 0 && (size_t)col < imp.n_headers ? json_string(imp.headers[col]) : json_null(),
                                                 "score", imp.mapping.score[f]));
    }
    for (size_t i = 0; i < imp.n_issues && i < ISSUES_MAX; i++) {
        const reg_issue_t *is = &imp.issues[i];
        json_t *o = json_pack("{sI ss ss ss sb ss}", "line", (json_int_t)is->line, "code",
                              reg_reason_code(is->reason), "nl", reg_reason_nl(is->reason), "en",
                              reg_reason_en(is->reason), "rejects", reg_reason_rejects(is->reason),
                              "field", reg_field_code(is->field));
        if (is->value)
            json_object_set_new(o, "value", json_string(is->value));
        if (is->other_line)
            json_object_set_new(o, "other_line", json_integer(is->other_line));
        json_array_append_new(issues, o);
    }
    for (size_t i = 0; i < imp.n_people && i < PREVIEW_ROWS; i++)
        json_array_append_new(prev, person_json(&imp.people[i], ch, nch, 0));
    /* Honest figures: who has no recognised choice, and how many real first choices. */
    json_t *nochoice = json_array();
    size_t firsts = 0, unmatched = 0;
    for (size_t i = 0; i < imp.n_people; i++) {
        const reg_person_t *p = &imp.people[i];
        firsts += p->choice1 >= 0;
        if (p->choice1 < 0 && p->choice2 < 0 && json_array_size(nochoice) < ISSUES_MAX)
            json_array_append_new(nochoice, json_pack("{sI ss}", "line", (json_int_t)p->line, "name", p->name));
    }
    for (size_t i = 0; i < imp.n_answers; i++)
        unmatched += imp.answers[i].choice == REG_CHOICE_UNKNOWN;
    char delim[2] = {imp.delimiter, '\0'};
    *summary = json_pack("{sI sI sI sI sI ss sb so so so sI so}", "rows", (json_int_t)imp.rows, "imported",
                         (json_int_t)imp.n_people, "replaced", (json_int_t)imp.replaced, "rejected",
                         (json_int_t)imp.rejected, "warnings", (json_int_t)imp.warnings, "delimiter",
                         delim, "bom", imp.had_bom, "headers", headers, "mapping", mapping, "issues",
                         issues, "issues_total", (json_int_t)imp.n_issues, "preview", prev);
    json_object_set_new(*summary, "answers", answers_json(&imp, ch, nch));
    json_object_set_new(*summary, "unmatched_answers", json_integer((json_int_t)unmatched));
    json_object_set_new(*summary, "first_choices", json_integer((json_int_t)firsts));
    json_object_set_new(*summary, "no_choice", json_integer((json_int_t)imp.no_choice));
    json_object_set_new(*summary, "no_choice_people", nochoice);
    json_object_set_new(*summary, "shared_email", json_integer((json_int_t)imp.shared_email));
    /* The mapping as a map string that reproduces it exactly: what the browser sends back. */
    char exact[1024] = "";
    for (int f = 0; f < REG_F_COUNT; f++) {
        size_t n = strlen(exact);
        int col = imp.mapping.column[f];
        char colbuf[16];
        snprintf(colbuf, sizeof colbuf, col >= 0 ? "%d" : "-", col + 1);
        snprintf(exact + n, sizeof exact - n, "%s%s=%s", n ? "," : "", reg_field_code((reg_field_t)f), colbuf);
    }
    json_object_set_new(*summary, "map", json_string(exact));
    (void)preview;   /* a preview gets the people too: the plan (new/updated/…) needs them */
    {
        json_t *people = json_array();
        for (size_t i = 0; i < imp.n_people; i++)
            json_array_append_new(people, person_json(&imp.people[i], ch, nch, 1));
        *args = json_pack("{so}", "people", people);
    }
    reg_import_free(&imp);
    return 0;
}

