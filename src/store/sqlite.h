/* sqlite.h – the SQLite engine of the store (one file, WAL, synchronous=FULL). */
#ifndef SP_STORE_SQLITE_H
#define SP_STORE_SQLITE_H

#include "store/store.h"

/* The engine table; store_open() selects it for every uri that is not PostgreSQL.
 * Its open() takes a file path (created if missing) or ":memory:". */
extern const store_engine_t store_sqlite_engine;

#endif
