/* cli.h – `staatsprint export`: the results of a sprint as PDF, JSON, Markdown and CSV. */
#ifndef SP_REPORT_CLI_H
#define SP_REPORT_CLI_H

/* Runs `export` with the arguments after the command name. Returns the exit status:
 * 0, 1 when an export failed, 2 on bad usage (reasons on stderr). */
int report_cli_export(int argc, char **argv);

#endif
