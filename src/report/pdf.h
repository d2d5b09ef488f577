/* pdf.h – the printed report of a sprint: A4 PDF with cairo and pango.
 *
 * Cover, table of contents with page numbers, programme, then per challenge and team:
 * members (organisations; names only when the document holds them), clusters,
 * knelpunten with their dots as a bar chart, the vehicle, HKW themes with votes, the
 * problem statement, the Idee Race (counts per round and ideas over time as a step
 * chart), the chosen ideas with votes, Crystal Ball timelines (Nu → 5 jaar), the pitch
 * and the action plan; then the jury and the winners. Running page numbers.
 *
 * The document is laid out twice: the first pass learns on which page every section
 * starts, the second writes the table of contents with those numbers. Rendering is
 * plain CPU work on the caller's thread: callers in the server must run it on a worker
 * thread, never on the network thread.
 */
#ifndef SP_REPORT_PDF_H
#define SP_REPORT_PDF_H

#include <jansson.h>

/* Writes the report of doc (report/model.h) to path. Returns 0, or -1 with a reason on
 * stderr. */
int report_pdf_write(const json_t *doc, const char *path);

/* Renders the report into memory: on success returns 0 and *pdf (caller frees) holds
 * *len bytes; returns -1 (nothing to free) when cairo fails. Thread-safe for one doc
 * per thread: this is what a worker thread of the server calls. */
int report_pdf_render(const json_t *doc, unsigned char **pdf, size_t *len);

#endif
