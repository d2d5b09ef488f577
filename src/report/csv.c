/* csv.c – ideas and votes as CSV (see csv.h). */
#include "report/csv.h"
#include "org/csv.h"
#include "report/model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int save(csv_buf_t *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    int ok = f && (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "staatsprint: kan %s niet schrijven (cannot write): %s\n", path, strerror(errno));
    csv_buf_free(b);
    return ok ? 0 : -1;
}

static const char *num(char *buf, size_t n, const json_t *v)
{
    if (!json_is_integer(v))
        return "";
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    return buf;
}

int report_csv_ideas(const json_t *doc, const char *path)
{
    csv_buf_t b = {0};
    csv_write_bom(&b);
    static const char *const head[] = {"team_id", "team", "room", "challenge", "idea_id", "round",
                                       "elapsed_s", "text", "votes", "chosen"};
    csv_write_row(&b, head, 10, ',');
    size_t i, j;
    json_t *t, *idea;
    json_array_foreach(json_object_get(doc, "teams"), i, t) {
        json_array_foreach(json_object_get(t, "ideas"), j, idea) {
            char round[24], el[32], votes[24];
            snprintf(round, sizeof round, "%lld", rm_int(idea, "round"));
            snprintf(el, sizeof el, "%.1f", (double)rm_int(idea, "elapsed_ms") / 1000.0);
            const char *row[] = {rm_str(t, "id"), rm_str(t, "name"), rm_str(t, "room"), rm_str(t, "challenge"),
                                 rm_str(idea, "id"), round, el, rm_str(idea, "text"),
                                 num(votes, sizeof votes, json_object_get(idea, "votes")),
                                 json_is_true(json_object_get(idea, "chosen")) ? "ja" : "nee"};
            csv_write_row(&b, row, 10, ',');
        }
    }
    return save(&b, path);
}

static void vote_row(csv_buf_t *b, const json_t *t, const char *vote, const json_t *opt, const char *text,
                     int chosen)
{
    char dots[24];
    const char *row[] = {rm_str(t, "id"), rm_str(t, "name"), vote, rm_str(opt, "id"), text,
                         num(dots, sizeof dots, json_object_get(opt, vote[0] == 'i' ? "votes" : "dots")),
                         chosen ? "ja" : "nee"};
    csv_write_row(b, row, 7, ',');
}

int report_csv_votes(const json_t *doc, const char *path)
{
    csv_buf_t b = {0};
    csv_write_bom(&b);
    static const char *const head[] = {"team_id", "team", "vote", "option_id", "option", "dots", "chosen"};
    csv_write_row(&b, head, 7, ',');
    size_t i, j;
    json_t *t, *o;
    json_array_foreach(json_object_get(doc, "teams"), i, t) {
        json_array_foreach(json_object_get(json_object_get(t, "knelpunten"), "items"), j, o)
            vote_row(&b, t, "knelpunten", o, rm_str(o, "text"), 0);
        json_array_foreach(json_object_get(json_object_get(t, "themes"), "clusters"), j, o)
            vote_row(&b, t, "themes", o, rm_str(o, "name"), json_is_true(json_object_get(o, "chosen")));
        json_array_foreach(json_object_get(t, "ideas"), j, o)
            vote_row(&b, t, "ideas", o, rm_str(o, "text"), json_is_true(json_object_get(o, "chosen")));
    }
    return save(&b, path);
}
