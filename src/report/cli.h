/* cli.h – `staatsprint export`: the results of a sprint as PDF, JSON, Markdown and CSV. */
#ifndef SP_REPORT_CLI_H
#define SP_REPORT_CLI_H

/* Runs `export` with the arguments after the command name. Returns the exit status:
 * 0, 1 when an export failed, 2 on bad usage (reasons on stderr). */
int report_cli_export(int argc, char **argv);

#include <stddef.h>

/* The organiser's "download the report" button: reads the database db with a store of
 * its own (never the server's) and renders the PDF into memory. Meant for a worker
 * thread of the server: it touches neither the core nor lws. Returns 0 with *pdf
 * (caller frees) of *len bytes, or -1 (reason on stderr, nothing to free). */
int report_pdf_from_db(const char *db, int names, unsigned char **pdf, size_t *len);

#endif
