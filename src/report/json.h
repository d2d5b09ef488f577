/* json.h – the results as open data: the report document written as JSON.
 * The format is docs/report-schema.json (JSON Schema 2020-12), described in
 * docs/open-data.md. */
#ifndef SP_REPORT_JSON_H
#define SP_REPORT_JSON_H

#include <jansson.h>

/* Writes doc to path (indented, UTF-8, keys in document order). Returns 0 or -1 with a
 * reason on stderr. */
int report_json_write(const json_t *doc, const char *path);

#endif
