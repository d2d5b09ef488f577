/* orgcli.h – `staatsprint import` and `staatsprint assign`: the organiser's work on a database file.
 *
 * Both open the database directly (boot_open), run one command through the core as
 * the organiser and append its events. They must not run while a server uses the
 * same database: the server would not see the new events. When a server wrote in the
 * meantime the append is refused (STORE_ECONFLICT) and nothing changes.
 */
#ifndef SP_ORGCLI_H
#define SP_ORGCLI_H

/* argv holds the arguments after the command name. Return the exit status (0 ok,
 * 1 failure, 2 bad usage) after printing to stdout/stderr. */
int orgcli_import(int argc, char **argv);
int orgcli_assign(int argc, char **argv);

#endif
