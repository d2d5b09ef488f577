/* model.h – the results of a sprint as one document: what every report and export reads.
 *
 * The model is the open-data document itself (docs/open-data.md, docs/report-schema.json):
 * a jansson tree built by folding the sprint's event log. Keeping one tree means the PDF,
 * the Markdown, the CSV files and the JSON can never disagree about a count or a text.
 *
 * What it holds, and what it leaves out on purpose:
 *  - only what the team made visible: private notes that were never shared are left out;
 *    dot counts only from revealed votes (a tally that was never revealed stays secret);
 *  - participants appear with their organisation and role; their names only when the
 *    organiser asks (names = 1);
 *  - jury criteria from the set-up; jury results only when the jury module announced them.
 */
#ifndef SP_REPORT_MODEL_H
#define SP_REPORT_MODEL_H

#include "core/core.h"

#include <jansson.h>

#define REPORT_SCHEMA_ID "https://staatsprint.nl/schema/report-1.json"

typedef struct report_fold report_fold_t;

/* A fold over events in log order. Never fails (aborts on allocation failure). */
report_fold_t *report_fold_new(void);
void report_fold_event(report_fold_t *f, const ev_t *ev);   /* ev is borrowed */
/* The document of what was folded so far; the caller owns it. */
json_t *report_fold_doc(const report_fold_t *f, int names);
void report_fold_free(report_fold_t *f);   /* accepts NULL */

/* Reads the first sprint of the database db (never creates one) into a document.
 * Returns 0 with *out owned by the caller, or -1 with a reason (Dutch and English)
 * on stderr. */
int report_model_load(const char *db, int names, json_t **out);

/* Small readers used by every export: the string at key ("" when absent), the Dutch
 * text of a bilingual value (or the string itself), an integer (0 when absent). */
const char *rm_str(const json_t *o, const char *key);
const char *rm_nl(const json_t *v);
long long rm_int(const json_t *o, const char *key);

/* The team of the document with this id, NULL when absent. */
const json_t *rm_team(const json_t *doc, const char *id);

#endif
