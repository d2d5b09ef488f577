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

int import_parse(const char *data, size_t len, const reg_challenge_t *ch, size_t nch,
                 const char *map, int preview, reg_progress_cb progress, void *ud,
                 json_t **summary, json_t **args)
{
    *summary = *args = NULL;
    reg_import_t head, imp;
    reg_options_t opt = {.challenges = ch, .n_challenges = nch, .max_rows = 1, .keep_duplicates = true};
    int rc = reg_import(data, len, &opt, &head);
    if (rc != 0) {
        *summary = err_json(reg_err_code(rc), reg_err_nl(rc), reg_err_en(rc));
        return rc;
    }
    reg_mapping_t m = head.mapping;
    if (map && *map && apply_map(&m, map, head.headers, head.n_headers) != 0) {
        reg_import_free(&head);
        *summary = err_json("bad_map",
                            "De koppeling van velden aan kolommen klopt niet (veld=kolom, gescheiden door komma's).",
                            "The mapping of fields to columns is wrong (field=column, separated by commas).");
        return -100;
    }
    reg_import_free(&head);
    opt = (reg_options_t){&m, ch, nch, 0, false, progress, ud};
    rc = reg_import(data, len, &opt, &imp);
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
    char delim[2] = {imp.delimiter, '\0'};
    *summary = json_pack("{sI sI sI sI sI ss sb so so so sI so}", "rows", (json_int_t)imp.rows, "imported",
                         (json_int_t)imp.n_people, "replaced", (json_int_t)imp.replaced, "rejected",
                         (json_int_t)imp.rejected, "warnings", (json_int_t)imp.warnings, "delimiter",
                         delim, "bom", imp.had_bom, "headers", headers, "mapping", mapping, "issues",
                         issues, "issues_total", (json_int_t)imp.n_issues, "preview", prev);
    if (!preview) {
        json_t *people = json_array();
        for (size_t i = 0; i < imp.n_people; i++)
            json_array_append_new(people, person_json(&imp.people[i], ch, nch, 1));
        *args = json_pack("{so}", "people", people);
    }
    reg_import_free(&imp);
    return 0;
}
