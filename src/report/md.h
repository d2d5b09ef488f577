/* md.h – the results of a sprint as one Markdown file (CommonMark with pipe tables). */
#ifndef SP_REPORT_MD_H
#define SP_REPORT_MD_H

#include <jansson.h>

/* Writes the report of doc to path. Returns 0 or -1 with a reason on stderr. */
int report_md_write(const json_t *doc, const char *path);

#include <stdio.h>
/* The same Markdown onto an open stream (the server's /api/sprints/<id>/report.md). */
void report_md_put(const json_t *doc, FILE *f);

/* The Dutch label of a milestone kind or team role ("goal" → "Doel"); the key itself
 * when unknown. Shared by the PDF. */
const char *report_label_nl(const char *key);

#endif
