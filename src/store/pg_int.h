/* pg_int.h – what the PostgreSQL files of the store share (internal to src/store). */
#ifndef SP_STORE_PG_INT_H
#define SP_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>

/* A listener is one connection of its own (pg.h). */
struct store_pg_listener {
    PGconn *conn;
};

/* A connection set up as every store connection (keepalives, UTF-8, quiet notices), or
 * NULL with a reason in err. */
PGconn *store_pg__connect(const char *uri, char *err, size_t errlen);

/* Runs a statement without values; whether it succeeded (command or rows). */
int store_pg__ok(PGconn *c, const char *sql);

#endif
