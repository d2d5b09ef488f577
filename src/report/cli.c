/* cli.c – `staatsprint export --db FILE [--pdf OUT] [--json OUT] [--md OUT]
 * [--csv-ideas OUT] [--csv-votes OUT] [--names]`. */
#include "report/cli.h"
#include "report/csv.h"
#include "report/json.h"
#include "report/md.h"
#include "report/model.h"
#include "report/pdf.h"
#include "report/sheets.h"

#include <stdio.h>
#include <string.h>

int report_cli_export(int argc, char **argv)
{
    const char *db = NULL, *pdf = NULL, *js = NULL, *md = NULL, *ideas = NULL, *votes = NULL;
    int names = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = strcmp(a, "--db") == 0 ? &db : strcmp(a, "--pdf") == 0 ? &pdf
                         : strcmp(a, "--json") == 0 ? &js : strcmp(a, "--md") == 0 ? &md
                         : strcmp(a, "--csv-ideas") == 0 ? &ideas : strcmp(a, "--csv-votes") == 0 ? &votes
                         : NULL;
        if (strcmp(a, "--names") == 0) {
            names = 1;
        } else if (dst && v) {
            *dst = v;
            i++;
        } else {
            fprintf(stderr, "staatsprint export: onbekende of onvolledige optie %s (unknown or incomplete option)\n", a);
            return 2;
        }
    }
    if (db == NULL || !(pdf || js || md || ideas || votes)) {
        fprintf(stderr, "staatsprint export: geef --db en minstens één uitvoer (give --db and at least one output: "
                        "--pdf, --json, --md, --csv-ideas, --csv-votes)\n");
        return 2;
    }
    json_t *doc;
    if (report_model_load(db, names, &doc) != 0)
        return 1;
    int rc = 0;
    if (js && report_json_write(doc, js) != 0)
        rc = 1;
    if (md && report_md_write(doc, md) != 0)
        rc = 1;
    if (ideas && report_csv_ideas(doc, ideas) != 0)
        rc = 1;
    if (votes && report_csv_votes(doc, votes) != 0)
        rc = 1;
    if (pdf && report_pdf_write(doc, pdf) != 0)
        rc = 1;
    if (pdf)
        sheets_cleanup();   /* the process ends: give the font caches back (shared with sheets.c) */
    json_decref(doc);
    return rc;
}

int report_pdf_from_db(const char *db, int names, unsigned char **pdf, size_t *len)
{
    json_t *doc;
    *pdf = NULL;
    *len = 0;
    if (report_model_load(db, names, &doc) != 0)
        return -1;
    int rc = report_pdf_render(doc, pdf, len);
    json_decref(doc);
    return rc;
}
