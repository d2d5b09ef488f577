/* test_bank_pg.c – the idea bank's search suite (bank_fixture.h) on PostgreSQL: the 'dutch'
 * configuration plus our terms in a GIN index, and the index is what answers. Needs
 * STAATSPRINT_PG_URI (scripts/pg-test-server; make unit starts one): without it the test
 * fails, as a test that skips itself would prove nothing. Each run works in a schema of its
 * own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bank/bank.h"
#include "bank_fixture.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pg_base;
static char schema[64], uri[1024];

static void quiet(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;
}

static PGconn *pg_connect(const char *u)
{
    PGconn *c = PQconnectdb(u);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to STAATSPRINT_PG_URI: %s", PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

static void pg_exec(const char *u, const char *sql)
{
    PGconn *c = pg_connect(u);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static int setup(void **state)
{
    (void)state;
    snprintf(schema, sizeof schema, "sp_bank_%ld", (long)getpid());
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    pg_exec(pg_base, sql);
    /* The schema first on the search path, through the URI's options. */
    snprintf(uri, sizeof uri, "%s%soptions=-c%%20search_path%%3D%s", pg_base, strchr(pg_base, '?') ? "&" : "?",
             schema);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    pg_exec(pg_base, sql);
    return 0;
}

static void test_search_pg(void **state)
{
    (void)state;
    bank_t *b;
    char err[256];
    assert_int_equal(bank_open(uri, &b, err, sizeof err), 0);
    bf_suite(b);
    bf_large(b);
    bank_close(b);
    /* Opening again keeps what is there (the tables exist). */
    assert_int_equal(bank_open(uri, &b, err, sizeof err), 0);
    json_t *r = bf_search(b, "parkeren vergunning", "maart", NULL, -1, -1, 0);
    assert_int_equal(bf_total(r), 1);
    json_decref(r);
    bank_close(b);
}

/* The GIN index answers a match, not a scan of the table (sequential scans off, so the
 * plan shows whether the index can serve the query at all). */
static void test_gin_index(void **state)
{
    (void)state;
    PGconn *c = pg_connect(uri);
    PGresult *r = PQexec(c, "SET enable_seqscan = off");
    PQclear(r);
    r = PQexec(c, "EXPLAIN SELECT id FROM bank_entry WHERE tsv @@ (to_tsquery('dutch', 'inloggen') || 'inlog'::tsquery)");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    int uses = 0;
    for (int i = 0; i < PQntuples(r); i++)
        uses |= strstr(PQgetvalue(r, i, 0), "bank_entry_tsv") != NULL;
    assert_true(uses);
    PQclear(r);
    PQfinish(c);
}

int main(void)
{
    pg_base = getenv("STAATSPRINT_PG_URI");
    if (pg_base == NULL || pg_base[0] == '\0') {
        fprintf(stderr, "test_bank_pg: FAILED: STAATSPRINT_PG_URI is not set.\n"
                        "  Start a private server with export STAATSPRINT_PG_URI=$(scripts/pg-test-server start)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_pg),
        cmocka_unit_test(test_gin_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
