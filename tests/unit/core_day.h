/* core_day.h – a day played through the core for tests: the fixture sprint with the real
 * playbook, Anna and Bram in t1, Dirk in t2, the facilitator of r1, a clock. */
#ifndef SP_CORE_DAY_H
#define SP_CORE_DAY_H

#include "core_fixture.h"

#include <stdio.h>
#include <unistd.h>

typedef struct {
    core_t *c;
    evlist_t log;
    who_t a, b, d, f1;
    int64_t now;
    int ids;
} day_t;

static void day_init(day_t *y)
{
    memset(y, 0, sizeof *y);
    y->c = core_new();
    assert_int_equal(fixture_setup_pb(y->c, &y->log, NULL), 0);
    y->a = fixture_join(y->c, "AAAA-1111", "Anna", "ha", &y->log);
    y->b = fixture_join(y->c, "AAAA-1111", "Bram", "hb", &y->log);
    y->d = fixture_join(y->c, "BBBB-2222", "Dirk", "hd", &y->log);
    core_auth(y->c, "hash-f1", &y->f1);
    y->now = 100000;
}

static void day_free(day_t *y)
{
    evlist_free(&y->log);
    core_free(y->c);
}

static int run(day_t *y, const who_t *w, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    y->now += 10;
    int rc = fixture_vrun(y->c, w, cmd, y->now, "d", ++y->ids, &y->log, fmt, ap);
    va_end(ap);
    return rc;
}

/* Removes a SQLite database file of a test (with its -wal and -shm) and its directory. */
static void day_rm_db(const char *dir, const char *db)
{
    char path[200];
    snprintf(path, sizeof path, "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db);
    unlink(path);
    unlink(db);
    rmdir(dir);
}

#endif
