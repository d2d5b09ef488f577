/* model.h – the results of a sprint as one document: what every report and export reads.
 *
 * The model is the open-data document itself (docs/open-data.md, docs/report-schema.json):
 * a jansson tree built by folding the sprint's event log. Keeping one tree means the PDF,
 * the Markdown, the CSV files and the JSON can never disagree about a count or a text.
 *
 * What it may show is decided by the core, not here: the fold reads the log through the
 * core's projection – only events of a public audience (core_aud_public: a team, a room,
 * everyone), each as core_redact() gives it after the whole log (so a person deleted
 * later, AVG, is gone from every output). The same rules pick what a live viewer gets.
 * So: private notes only once shared (note.shared), dots only from revealed votes,
 * jury results only once announced, never a juror's scores; participants with their
 * organisation and role, their names only when the organiser asks (names = 1), and a
 * forgotten member (member.forgotten) with none of the three.
 */
#ifndef SP_REPORT_MODEL_H
#define SP_REPORT_MODEL_H

#include "core/core.h"

#include <jansson.h>

#define REPORT_SCHEMA_ID "https://staatsprint.nl/schema/report-1.json"

typedef struct report_fold report_fold_t;

/* A fold over events in log order through the projection of core, a core that holds
 * the whole log (borrowed; it redacts what was deleted later). Never fails (aborts on
 * allocation failure). */
report_fold_t *report_fold_new(const core_t *core);
void report_fold_event(report_fold_t *f, const ev_t *ev);   /* ev is borrowed */
/* The document of what was folded so far; the caller owns it. */
json_t *report_fold_doc(const report_fold_t *f, int names);
void report_fold_free(report_fold_t *f);   /* accepts NULL */

/* Reads the sprint with log id `log` of the database db (never creates one) into a
 * document; log NULL: the live sprint (the most recently created, log_live()).
 * Returns 0 with *out owned by the caller, or -1 with a reason (Dutch and English)
 * on stderr (also when db holds no log of that id). Opens its own store: safe in a
 * worker thread beside the server. */
int report_model_load_log(const char *db, const char *log, int names, json_t **out);

/* report_model_load_log(db, NULL, names, out): the live sprint. */
int report_model_load(const char *db, int names, json_t **out);

/* Small readers used by every export: the string at key ("" when absent), the Dutch
 * text of a bilingual value (or the string itself), an integer (0 when absent). */
const char *rm_str(const json_t *o, const char *key);
const char *rm_nl(const json_t *v);
long long rm_int(const json_t *o, const char *key);

/* The team of the document with this id, NULL when absent. */
const json_t *rm_team(const json_t *doc, const char *id);

#endif
