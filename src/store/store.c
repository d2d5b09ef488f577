/* store.c – picks the engine from the uri and dispatches every call through its table. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "store/pg.h"
#include "store/sqlite.h"

static int store_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int store_open(const char *uri, store_t **out, char *err, size_t errlen)
{
    /* Engines get a valid uri and a message buffer, always. */
    char scratch[8];
    if (err == NULL || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    if (out == NULL)
        return STORE_EINVAL;
    *out = NULL;
    if (uri == NULL || uri[0] == '\0') {
        snprintf(err, errlen, "no database given");
        return STORE_EINVAL;
    }
    const store_engine_t *engine = &store_sqlite_engine;
    if (store_has_prefix(uri, "postgresql://") || store_has_prefix(uri, "postgres://"))
        engine = &store_pg_engine;
    int rc = engine->open(uri, out, err, errlen);
    if (rc < 0)
        *out = NULL;
    return rc;
}

void store_close(store_t *s)
{
    if (s != NULL)
        s->engine->close(s);
}

int store_append(store_t *s, const char *log, const store_rec_t *recs, size_t n)
{
    if (s == NULL)
        return STORE_EINVAL;
    return s->engine->append(s, log, recs, n);
}

int store_read(store_t *s, const char *log, int64_t after, store_read_cb cb, void *ud)
{
    if (s == NULL)
        return STORE_EINVAL;
    return s->engine->read(s, log, after, cb, ud);
}

int store_head(store_t *s, const char *log, int64_t *seq)
{
    if (s == NULL)
        return STORE_EINVAL;
    return s->engine->head(s, log, seq);
}

int store_logs(store_t *s, void (*cb)(void *ud, const char *log), void *ud)
{
    if (s == NULL)
        return STORE_EINVAL;
    return s->engine->logs(s, cb, ud);
}

const char *store_strerror(int rc)
{
    switch (rc) {
    case STORE_OK:
        return "ok";
    case STORE_EIO:
        return "the database could not be read or written (disk full or I/O error)";
    case STORE_ECONFLICT:
        return "the sequence number is taken (another writer got there first)";
    case STORE_ENEWER:
        return "the database was made by a newer staatsprint";
    case STORE_EOPEN:
        return "the database cannot be opened or created";
    case STORE_EINVAL:
        return "invalid argument";
    case STORE_ESTOP:
        return "stopped by the callback";
    default:
        return "unknown store error";
    }
}
