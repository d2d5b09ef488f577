/* limits.h – every limit of staatsprint in one place.
 *
 * Each limit is either enforced with a clear error (the code in core/err.h, documented
 * in docs/protocol.md) or the structure behind it grows; nothing is cut or dropped
 * silently. Sizes of texts count code points unless they say bytes.
 */
#ifndef SP_LIMITS_H
#define SP_LIMITS_H

/* ---- identifiers (bad_id) ---- */
#define LIMIT_CLIENT_ID 64       /* bytes of a client's command or join id (printable ASCII) */
#define LIMIT_IMPORT_ID 100      /* bytes of the id of an HTTP import (?id=), before "import-" */
#define LIMIT_CMD_ID 120         /* bytes of any command id the core keeps (ev_t.cmd_id): a
                                    longer one is refused by core_exec, never cut */

/* ---- commands ---- */
#define LIMIT_TEAMS_PER_CMD 2048 /* teams one room-wide command acts on; more: too_many_teams */

/* ---- input sizes ---- */
#define LIMIT_IMPORT_BYTES (20u * 1024u * 1024u)  /* a CSV import over HTTP (413 too_big) */
#define LIMIT_IMPORT_FILE_BYTES (LIMIT_IMPORT_BYTES * 5u) /* `staatsprint import` reads a file up to this */

#endif
