/* status.h – `staatsprint status --db postgresql://…`: the nodes of a cluster. */
#ifndef SP_CLI_STATUS_H
#define SP_CLI_STATUS_H

/* Prints every log of the database with its leader, lease and nodes (role, head, how far
 * behind, last seen). Returns 0 when a log has a valid lease, 1 when none leads or on
 * error, 2 on bad usage. */
int cli_status(int argc, char **argv);

#endif
