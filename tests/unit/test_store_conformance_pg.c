/* test_store_conformance_pg.c – the store conformance suite against the PostgreSQL engine,
 * plus what only PostgreSQL has: connection errors, several nodes, LISTEN/NOTIFY, reconnect.
 *
 * The server is named by the environment variable STAATSPRINT_PG_URI (make test starts a
 * private one with scripts/pg-test-server). Without it the test fails: a conformance suite
 * that skips itself would prove nothing. Every case works in a schema of its own, made
 * here and dropped afterwards, so nothing outside it is touched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "store/pg.h"
#include "store_conformance.h"

static const char *pg_base; /* STAATSPRINT_PG_URI */
static int pg_counter;

/* ---- building URIs ---------------------------------------------------------------------- */

static void pg_put_enc(char *out, size_t outlen, size_t *o, const char *v)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        assert_true(*o + 4 < outlen);
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.') {
            out[(*o)++] = (char)*p;
        } else {
            out[(*o)++] = '%';
            out[(*o)++] = hex[*p >> 4];
            out[(*o)++] = hex[*p & 15];
        }
    }
    out[*o] = '\0';
}

/* Writes a URI with the settings of base, except that each (key, value) pair of the
 * NULL-terminated list replaces (or adds, or with value NULL removes) one setting. */
static void pg_uri_with(char *out, size_t outlen, const char *base, ...)
{
    static const char *const keys[] = {"host", "hostaddr", "port", "user", "password",
                                       "dbname", "options", "sslmode", "application_name",
                                       "connect_timeout"};
    const char *vals[sizeof keys / sizeof keys[0]] = {0};
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(base, &perr);
    if (opts == NULL)
        fail_msg("cannot parse STAATSPRINT_PG_URI: %s", perr ? perr : "out of memory");
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strcmp(o->keyword, keys[i]) == 0 && o->val != NULL && o->val[0] != '\0')
                vals[i] = o->val;
    va_list ap;
    va_start(ap, base);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        size_t i = 0;
        while (i < sizeof keys / sizeof keys[0] && strcmp(keys[i], k) != 0)
            i++;
        assert_true(i < sizeof keys / sizeof keys[0]);
        vals[i] = v;
    }
    va_end(ap);
    size_t o = (size_t)snprintf(out, outlen, "postgresql://");
    char sep = '?';
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (vals[i] == NULL)
            continue;
        o += (size_t)snprintf(out + o, outlen - o, "%c%s=", sep, keys[i]);
        pg_put_enc(out, outlen, &o, vals[i]);
        sep = '&';
    }
    PQconninfoFree(opts);
}

/* DROP SCHEMA … CASCADE lists what it drops as notices: not worth a screenful. */
static void pg_quiet_cb(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;
}

static PGconn *pg_admin(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", uri, PQerrorMessage(c));
    PQsetNoticeProcessor(c, pg_quiet_cb, NULL);
    return c;
}

/* Runs sql with bound values on a new connection to uri; returns the first value of the
 * first row ("" when none) in out. */
static void pg_run(const char *uri, const char *sql, int n, const char *const *vals, char *out,
                   size_t outlen)
{
    PGconn *c = pg_admin(uri);
    PGresult *r = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    if (out != NULL) {
        out[0] = '\0';
        if (st == PGRES_TUPLES_OK && PQntuples(r) > 0)
            snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    PQfinish(c);
}

/* ---- hooks of the shared suite ------------------------------------------------------------ */

static const char *conf_engine(void)
{
    return "postgresql";
}

/* A new schema; the URI puts it first on the search_path, where the store creates its
 * tables. */
static void conf_fresh(conf_fx_t *fx)
{
    snprintf(fx->name, sizeof fx->name, "sp_conf_%ld_%d", (long)getpid(), ++pg_counter);
    char sql[300], opt[300];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", fx->name);
    pg_run(pg_base, sql, 0, NULL, NULL, 0);
    snprintf(opt, sizeof opt, "-c search_path=%s", fx->name);
    pg_uri_with(fx->uri, sizeof fx->uri, pg_base, "options", opt, (const char *)NULL);
}

static void conf_cleanup(conf_fx_t *fx)
{
    char sql[300];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", fx->name);
    pg_run(pg_base, sql, 0, NULL, NULL, 0);
}

static int conf_schema_version(conf_fx_t *fx, int set)
{
    char v[32];
    if (set >= 0) {
        snprintf(v, sizeof v, "%d", set);
        const char *vals[] = {v};
        pg_run(fx->uri, "UPDATE staatsprint_meta SET value = $1 WHERE name = 'schema_version'",
               1, vals, NULL, 0);
    }
    pg_run(fx->uri, "SELECT value FROM staatsprint_meta WHERE name = 'schema_version'", 0,
           NULL, v, sizeof v);
    return atoi(v);
}

/* ---- connection errors -------------------------------------------------------------------- */

static void pg_expect_open_error(const char *uri, int code, const char *n1, const char *n2,
                                 const char *secret)
{
    char err[1024] = "";
    store_t *s = (store_t *)&err; /* must be reset to NULL */
    int rc = store_open(uri, &s, err, sizeof err);
    print_message("store_open: %d \"%s\"\n", rc, err);
    assert_int_equal(rc, code);
    assert_null(s);
    assert_non_null(strstr(err, n1));
    if (n2 != NULL)
        assert_non_null(strstr(err, n2));
    if (secret != NULL)
        assert_null(strstr(err, secret));
}

static void pg_open_errors(void **state)
{
    (void)state;
    char uri[1024];
    /* Nothing listens on port 1: refused, with the place and the remedy. */
    pg_expect_open_error("postgresql://127.0.0.1:1/staatsprint?connect_timeout=5", STORE_EOPEN,
                         "127.0.0.1 port 1", "is PostgreSQL running", NULL);
    pg_expect_open_error("postgres://sp:geheim@127.0.0.1:1/staatsprint", STORE_EOPEN,
                         "Connection refused", "is PostgreSQL running", "geheim");
    /* A database that does not exist. */
    pg_uri_with(uri, sizeof uri, pg_base, "dbname", "sp_bestaat_niet", (const char *)NULL);
    pg_expect_open_error(uri, STORE_EOPEN, "database \"sp_bestaat_niet\" does not exist",
                         "create it first", NULL);
    /* A user that does not exist. */
    pg_uri_with(uri, sizeof uri, pg_base, "user", "sp_geen_rol", (const char *)NULL);
    pg_expect_open_error(uri, STORE_EOPEN, "sp_geen_rol", "authentication failed", NULL);
    /* A wrong password over TCP (the test server asks for one there); it is not shown. */
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(pg_base, &perr);
    assert_non_null(opts);
    const char *port = NULL;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "port") == 0)
            port = o->val;
    assert_non_null(port);
    pg_uri_with(uri, sizeof uri, pg_base, "host", "127.0.0.1", "port", port, "password",
                "fout-wachtwoord-42", (const char *)NULL);
    PQconninfoFree(opts);
    pg_expect_open_error(uri, STORE_EOPEN, "password authentication failed",
                         "authentication failed: check", "fout-wachtwoord-42");
    /* A URI libpq cannot parse. */
    pg_expect_open_error("postgresql://h/db?geen_optie=1", STORE_EOPEN, "geen_optie", NULL,
                         NULL);
}

/* ---- several nodes ------------------------------------------------------------------------ */

static void *pg_open_thread(void *arg)
{
    conf_racer_t *r = arg;
    atomic_fetch_add(r->ready, 1);
    while (!atomic_load(r->go))
        sched_yield();
    store_t *s = NULL;
    r->rc = store_open(r->uri, &s, r->err, sizeof r->err);
    store_close(s);
    return NULL;
}

/* Nodes starting at the same moment on an empty database all get a working store. */
static void pg_open_at_once(void **state)
{
    conf_fx_t *fx = *state;
    _Atomic int go = 0, ready = 0;
    conf_racer_t r[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        r[i] = (conf_racer_t){.uri = fx->uri, .ready = &ready, .go = &go};
        assert_int_equal(pthread_create(&t[i], NULL, pg_open_thread, &r[i]), 0);
    }
    while (atomic_load(&ready) < 3)
        conf_sleep_ms(1);
    atomic_store(&go, 1);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        if (r[i].rc != 0)
            fprintf(stderr, "open %d: %d %s\n", i, r[i].rc, r[i].err);
        assert_int_equal(r[i].rc, 0);
    }
    assert_int_equal(conf_schema_version(fx, -1), STORE_SCHEMA_VERSION);
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 1), 0);
    store_close(s);
}

/* A row that got into events past the head row (written by hand, or by a bug) still
 * cannot be overwritten: the primary key refuses it as a conflict. */
static void pg_primary_key_backstop(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 2), 0);
    pg_run(fx->uri,
           "INSERT INTO events VALUES ('s1', 4, 0, 'x', 0, '', '', '', '{}')", 0, NULL, NULL,
           0);
    assert_int_equal(conf_append(s, "s1", 3, 5), STORE_ECONFLICT);
    assert_int_equal(conf_head(s, "s1"), 2);
    char n[16];
    pg_run(fx->uri, "SELECT count(*) FROM events WHERE log = 's1'", 0, NULL, n, sizeof n);
    assert_string_equal(n, "3");
    store_close(s);
}

/* Data PostgreSQL cannot store (text that is not UTF-8) fails the whole batch with
 * STORE_EINVAL, wherever in the batch it is, and leaves the store usable. */
static void pg_bad_data_rolls_back(void **state)
{
    conf_fx_t *fx = *state;
    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, "s1", 1, 2), 0);
    const size_t n = 20000;
    store_rec_t *recs = calloc(n, sizeof *recs);
    assert_non_null(recs);
    const size_t bad_at[] = {0, 300, 19990};
    for (size_t b = 0; b < sizeof bad_at / sizeof bad_at[0]; b++) {
        for (size_t i = 0; i < n; i++)
            recs[i] = conf_rec(3 + (int64_t)i, "{}");
        recs[bad_at[b]].body = "\"\xff\xfe\"";
        recs[bad_at[b]].body_len = 4;
        assert_int_equal(store_append(s, "s1", recs, n), STORE_EINVAL);
        assert_int_equal(conf_head(s, "s1"), 2);
        char count[16];
        pg_run(fx->uri, "SELECT count(*) FROM events", 0, NULL, count, sizeof count);
        assert_string_equal(count, "2");
    }
    free(recs);
    assert_int_equal(conf_append(s, "s1", 3, 600), 0);
    assert_int_equal(conf_read(s, "s1", 0).count, 600);
    store_close(s);
}

/* ---- LISTEN / NOTIFY ---------------------------------------------------------------------- */

typedef struct {
    int n;
    char log[128];
    int64_t head;
} pg_heard_t;

static void pg_heard_cb(void *ud, const char *log, int64_t head)
{
    pg_heard_t *h = ud;
    h->n++;
    snprintf(h->log, sizeof h->log, "%s", log);
    h->head = head;
}

static void pg_channels(void **state)
{
    (void)state;
    char a[STORE_PG_CHANNEL_MAX + 1], b[STORE_PG_CHANNEL_MAX + 1];
    assert_int_equal(store_pg_channel("s1", a, sizeof a), 0);
    assert_string_equal(a, "sp:s1");
    char longlog[200];
    memset(longlog, 'x', sizeof longlog - 1);
    longlog[sizeof longlog - 1] = '\0';
    assert_int_equal(store_pg_channel(longlog, a, sizeof a), 0);
    assert_true(strlen(a) <= STORE_PG_CHANNEL_MAX);
    longlog[100] = 'y';
    assert_int_equal(store_pg_channel(longlog, b, sizeof b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(store_pg_channel("", a, sizeof a), STORE_EINVAL);
    assert_int_equal(store_pg_channel("s1", a, 8), STORE_EINVAL);
}

static void pg_notify_on_commit(void **state)
{
    conf_fx_t *fx = *state;
    char log[64], other[64], err[512];
    snprintf(log, sizeof log, "n%ld", (long)getpid());
    snprintf(other, sizeof other, "o%ld", (long)getpid());
    store_pg_listener_t *l = NULL;
    assert_int_equal(store_pg_listen_open(fx->uri, &l, err, sizeof err), 0);
    assert_true(store_pg_listen_fd(l) >= 0);
    assert_int_equal(store_pg_listen(l, log), 0);
    pg_heard_t h = {0};
    assert_int_equal(store_pg_listen_wait(l, 50, pg_heard_cb, &h), 0);

    store_t *s = conf_open(fx->uri);
    assert_int_equal(conf_append(s, log, 1, 3), 0);
    assert_int_equal(store_pg_listen_wait(l, 5000, pg_heard_cb, &h), 1);
    assert_string_equal(h.log, log);
    assert_int_equal(h.head, 3);

    /* A refused batch (rolled back) and another log: nothing is heard. */
    assert_int_equal(conf_append(s, log, 2, 4), STORE_ECONFLICT);
    assert_int_equal(conf_append(s, other, 1, 1), 0);
    assert_int_equal(store_pg_listen_wait(l, 200, pg_heard_cb, &h), 0);
    assert_int_equal(h.n, 1);

    assert_int_equal(conf_append(s, log, 4, 4), 0);
    assert_int_equal(conf_append(s, log, 5, 9), 0);
    int got = 0;
    for (int i = 0; i < 50 && got < 2; i++) {
        int rc = store_pg_listen_wait(l, 100, pg_heard_cb, &h);
        assert_true(rc >= 0);
        got += rc;
    }
    assert_int_equal(got, 2);
    assert_int_equal(h.head, 9);

    /* A log id too long for a channel name is heard by its hashed channel. */
    char longlog[200];
    snprintf(longlog, sizeof longlog, "%s-%0100d", log, 7);
    assert_int_equal(store_pg_listen(l, longlog), 0);
    assert_int_equal(conf_append(s, longlog, 1, 2), 0);
    assert_int_equal(store_pg_listen_wait(l, 5000, pg_heard_cb, &h), 1);
    assert_string_equal(h.log, longlog);
    assert_int_equal(h.head, 2);

    /* After UNLISTEN nothing more arrives. */
    assert_int_equal(store_pg_unlisten(l, log), 0);
    assert_int_equal(conf_append(s, log, 10, 10), 0);
    assert_int_equal(store_pg_listen_wait(l, 200, pg_heard_cb, &h), 0);
    assert_int_equal(store_pg_listen_drain(l, NULL, NULL), 0);
    store_close(s);
    store_pg_listen_close(l);
    store_pg_listen_close(NULL);

    l = (store_pg_listener_t *)&h;
    assert_int_equal(store_pg_listen_open("postgresql://127.0.0.1:1/x?connect_timeout=5", &l,
                                          err, sizeof err),
                     STORE_EOPEN);
    assert_null(l);
    assert_non_null(strstr(err, "refused"));
}

/* ---- a lost connection ---------------------------------------------------------------- */

static int pg_kill(const char *app)
{
    const char *vals[] = {app};
    char n[16];
    pg_run(pg_base,
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
           " WHERE application_name = $1",
           1, vals, n, sizeof n);
    /* Termination is asynchronous: wait until the backend is gone. */
    for (int i = 0; i < 5000; i++) {
        char left[16];
        pg_run(pg_base, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
               1, vals, left, sizeof left);
        if (strcmp(left, "0") == 0)
            break;
        conf_sleep_ms(1);
    }
    return atoi(n);
}

/* The server drops the connection (restart, failover, admin): the call that meets the
 * dead connection fails with STORE_EIO and the next one reconnects and succeeds. */
static void pg_reconnects(void **state)
{
    conf_fx_t *fx = *state;
    char app[64], uri[1200];
    snprintf(app, sizeof app, "sp_kill_%ld", (long)getpid());
    pg_uri_with(uri, sizeof uri, fx->uri, "application_name", app, (const char *)NULL);
    store_t *s = conf_open(uri);
    assert_int_equal(conf_append(s, "s1", 1, 2), 0);

    assert_int_equal(pg_kill(app), 1);
    int rc = conf_append(s, "s1", 3, 4);
    print_message("append on a dropped connection: %s\n", store_strerror(rc));
    if (rc != 0) {
        assert_int_equal(rc, STORE_EIO);
        assert_int_equal(conf_append(s, "s1", 3, 4), 0);
    }
    assert_int_equal(conf_head(s, "s1"), 4);

    assert_int_equal(pg_kill(app), 1);
    int64_t h = 0;
    rc = store_head(s, "s1", &h);
    if (rc != 0) {
        assert_int_equal(rc, STORE_EIO);
        assert_int_equal(store_head(s, "s1", &h), 0);
    }
    assert_int_equal(h, 4);

    assert_int_equal(pg_kill(app), 1);
    conf_check_t c = {.log = "s1", .next = 1};
    rc = store_read(s, "s1", 0, conf_check_cb, &c);
    if (rc != 0) {
        assert_int_equal(rc, STORE_EIO);
        assert_int_equal(c.count, 0);
        assert_int_equal(store_read(s, "s1", 0, conf_check_cb, &c), 0);
    }
    assert_int_equal(c.count, 4);
    assert_int_equal(c.bad, 0);
    assert_int_equal(conf_read(s, "s1", 0).count, 4);
    store_close(s);
}

/* ---- main --------------------------------------------------------------------------------- */

/* Proves the server answers before any case runs, so a missing server shows as one clear
 * message rather than as a failure in every case. */
static int pg_group_setup(void **state)
{
    (void)state;
    PGconn *c = PQconnectdb(pg_base);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (!ok)
        fprintf(stderr, "test_store_conformance_pg: cannot connect to STAATSPRINT_PG_URI: %s",
                PQerrorMessage(c));
    PQfinish(c);
    return ok ? 0 : -1;
}

int main(void)
{
    pg_base = getenv("STAATSPRINT_PG_URI");
    if (pg_base == NULL || pg_base[0] == '\0') {
        fprintf(stderr,
                "test_store_conformance_pg: FAILED: STAATSPRINT_PG_URI is not set.\n"
                "  This test needs a PostgreSQL server it may create schemas in. Start a "
                "private one with\n"
                "    export STAATSPRINT_PG_URI=$(scripts/pg-test-server start)\n"
                "  and stop it afterwards with scripts/pg-test-server stop \"$STAATSPRINT_PG_URI\" "
                "(make test does both).\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        CONF_TESTS,
        cmocka_unit_test(pg_open_errors),
        cmocka_unit_test(pg_channels),
        CONF_CASE(pg_open_at_once),
        CONF_CASE(pg_primary_key_backstop),
        CONF_CASE(pg_bad_data_rolls_back),
        CONF_CASE(pg_notify_on_commit),
        CONF_CASE(pg_reconnects),
    };
    return cmocka_run_group_tests(tests, pg_group_setup, NULL);
}
