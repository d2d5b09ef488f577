/* sqlite.h – the SQLite engine of the store (one file, WAL, synchronous=FULL). */
#ifndef SP_STORE_SQLITE_H
#define SP_STORE_SQLITE_H

#include "store/store.h"

/* The engine table; store_open() selects it for every uri that is not PostgreSQL.
 * Its open() takes a file path (created if missing) or ":memory:". */
extern const store_engine_t store_sqlite_engine;

/* How many checkpoints the store's own checkpoint thread has run (0 for a store that never
 * appended, or one of another engine); *by_writer (if not NULL): how many the writer ran
 * itself because the WAL outgrew the thread. See sqlite.c. */
unsigned long store_sqlite_checkpoints(const store_t *s, unsigned long *by_writer);

#endif
