/* test_store_conformance_sqlite.c – the store conformance suite against the SQLite engine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_conformance.h"

static const char *conf_engine(void)
{
    return "sqlite";
}

/* A new temporary directory; the database file is created by the first open. */
static void conf_fresh(conf_fx_t *fx)
{
    snprintf(fx->name, sizeof fx->name, "/tmp/sp-conf-XXXXXX");
    assert_non_null(mkdtemp(fx->name));
    snprintf(fx->uri, sizeof fx->uri, "%s/conf.db", fx->name);
}

static void conf_cleanup(conf_fx_t *fx)
{
    DIR *d = opendir(fx->name);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", fx->name, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(fx->name);
}

/* The SQLite engine keeps its schema version in PRAGMA user_version. */
static int conf_schema_version(conf_fx_t *fx, int set)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->uri, &db), SQLITE_OK);
    if (set >= 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", set);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

int main(void)
{
    const struct CMUnitTest tests[] = {CONF_TESTS};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
