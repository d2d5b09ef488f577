/* test_cluster.c – net/cluster: a follower applies only committed events and forwards
 * commands; as leader it authenticates forwards by token hash and answers after commit.
 *
 * Runs against the PostgreSQL server named by STAATSPRINT_PG_URI (make unit starts a
 * private one), in a schema of its own. The test plays the other node: it writes the log
 * with a core of its own, holds (then releases) the leader lock, answers forwards as a
 * leader would, and forwards as a follower would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "core/err.h"
#include "core_fixture.h"
#include "log/event.h"
#include "net/cluster.h"
#include "net/hub.h"
#include "store/pg.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG "test-sprint"

static char uri[2048];

/* ---- the fake server around the cluster ---------------------------------------------- */

static core_t *fcore;
static hub_t *fhub;
static store_t *fstore;          /* the "writer" of this node once it leads */
static atomic_int woke;
static int64_t committed, advanced;
static int nacks, nerrs, njoined, nstops, last_err;
static int64_t ack_seq, head_at_ack;
static void *ack_conn;
static char ack_id[72];
static int64_t submitted_last;
static size_t nsubmitted;
static size_t nvisible;          /* events written that someone may see (hub frames) */

static void h_wake(void) { atomic_store(&woke, 1); }
static void h_advance(int64_t head)
{
    advanced = head;
    committed = head;
}
static int64_t h_committed(void) { return committed; }
static int h_store_ok(void) { return 1; }
static void h_ack(void *conn, const char *id, int64_t seq)
{
    nacks++;
    ack_conn = conn;
    ack_seq = seq;
    head_at_ack = core_head(fcore);
    snprintf(ack_id, sizeof ack_id, "%s", id);
}
static void h_err(void *conn, const char *id, int code)
{
    (void)conn;
    (void)id;
    nerrs++;
    last_err = code;
}
static void h_joined(void *conn, const char *id, const char *token, const who_t *who)
{
    (void)conn;
    (void)id;
    (void)token;
    (void)who;
    njoined++;
}
static void h_stop(void) { nstops++; }

static void append(store_t *s, const evlist_t *out)
{
    for (size_t i = 0; i < out->n; i++)
        nvisible += out->v[i].aud_kind != AUD_SERVER;
    assert_int_equal(log_append(s, LOG, out), 0);
}

/* The leader's writer, done at once: the events are durable when this returns. */
static void h_submit(const evlist_t *out)
{
    append(fstore, out);
    nsubmitted += out->n;
    submitted_last = out->v[out->n - 1].seq;
}

/* The server's one command path (exec_cmd in server.c), in small: the core decides, the
 * "writer" appends at once, and the answer waits for h_commit (on_committed). */
static exec_done_cb pend_done;
static void *pend_ud;
static char pend_id[LIMIT_CMD_ID + 1];
static int64_t pend_seq;
static void h_exec(const who_t *who, const char *cmd, const json_t *args, const char *id,
                   exec_done_cb done, void *ud)
{
    evlist_t out = {0};
    int64_t seq = 0;
    json_t *empty = json_object();
    int rc = core_exec(fcore, who, cmd, args ? args : empty, id, 1000, &out, &seq);
    json_decref(empty);
    if (out.n > 0)
        h_submit(&out);
    if (rc == 0)
        seq = out.n > 0 ? out.v[out.n - 1].seq : committed;
    evlist_free(&out);
    if (rc < 0 || seq <= committed) {
        done(ud, id, rc, rc < 0 ? 0 : seq);
        return;
    }
    assert_null(pend_done);
    pend_done = done;
    pend_ud = ud;
    pend_seq = seq;
    snprintf(pend_id, sizeof pend_id, "%s", id);
}
static void h_commit(int64_t seq)
{
    committed = seq;
    if (pend_done && pend_seq <= seq) {
        exec_done_cb d = pend_done;
        pend_done = NULL;
        d(pend_ud, pend_id, 0, pend_seq);
    }
}

/* Runs the service thread's side until cond holds (or 15 s pass). */
#define PUMP_UNTIL(cond)                                                                   \
    do {                                                                                   \
        for (int i_ = 0; i_ < 1500 && !(cond); i_++) {                                     \
            if (atomic_exchange(&woke, 0))                                                 \
                cluster_poll();                                                            \
            if (!(cond))                                                                   \
                usleep(10000);                                                             \
        }                                                                                  \
        assert_true(cond);                                                                 \
    } while (0)

/* ---- PostgreSQL helpers ------------------------------------------------------------- */

static PGconn *db(void)
{
    PGconn *c = PQconnectdb(uri);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static void notify(PGconn *c, const char *chan, const char *payload)
{
    const char *v[] = {chan, payload};
    PGresult *r = PQexecParams(c, "SELECT pg_notify($1, $2)", 2, NULL, v, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
}

/* Takes the forwards out of the inbox (as a leader does); returns them as a JSON array. */
static json_t *take_inbox(PGconn *c, size_t want)
{
    json_t *all = json_array();
    for (int i = 0; i < 1500 && json_array_size(all) < want; i++) {
        PGresult *r = PQexec(c, "DELETE FROM staatsprint_inbox RETURNING id, msg");
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        for (int k = 0; k < PQntuples(r); k++)
            json_array_append_new(all, json_loads(PQgetvalue(r, k, 1), 0, NULL));
        PQclear(r);
        if (atomic_exchange(&woke, 0))
            cluster_poll();
        if (json_array_size(all) < want)
            usleep(10000);
    }
    assert_int_equal(json_array_size(all), want);
    return all;
}

/* Waits for one notification on c and returns its payload as JSON. */
static json_t *wait_notify(PGconn *c)
{
    for (int i = 0; i < 1500; i++) {
        PQconsumeInput(c);
        PGnotify *n = PQnotifies(c);
        if (n != NULL) {
            json_t *j = json_loads(n->extra, 0, NULL);
            PQfreemem(n);
            assert_non_null(j);
            return j;
        }
        if (atomic_exchange(&woke, 0))
            cluster_poll();
        struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
        poll(&p, 1, 10);
    }
    fail_msg("no notification came");
    return NULL;
}

static int64_t jint(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ---- the tests ---------------------------------------------------------------------- */

static void test_sqlite_stays_single(void **state)
{
    (void)state;
    cluster_host_t h = {.committed = h_committed};
    assert_int_equal(cluster_start("/tmp/some.db", &h), 0);
    assert_int_equal(cluster_forwarding(), 0);
    assert_int_equal(cluster_may_write(), 1);
    cluster_poll();            /* no-ops without a cluster */
    cluster_committed(5);
    assert_int_equal(cluster_stop(), 0);
}

static void test_follower_then_leader(void **state)
{
    (void)state;
    /* The other node: a core that decides, writing the log. */
    core_t *a = core_new();
    evlist_t out = {0};
    assert_int_equal(fixture_setup(a, &out), 0);
    store_t *w = NULL;
    char err[512];
    assert_int_equal(store_open(uri, &w, err, sizeof err), 0);
    append(w, &out);
    evlist_clear(&out);
    who_t m1 = fixture_join(a, "AAAA-1111", "Anna", "hash-m1", &out);
    assert_int_equal(m1.role, ROLE_PARTICIPANT);
    append(w, &out);
    evlist_clear(&out);

    /* It holds the lease (its cluster session is alive, the lease far from expired), so
     * the node under test follows. */
    char sql[256];
    char lockuri[2200];
    snprintf(lockuri, sizeof lockuri, "%s&application_name=staatsprint-cluster-test-leader", uri);
    PGconn *lock = PQconnectdb(lockuri);
    assert_int_equal(PQstatus(lock), CONNECTION_OK);
    exec_ok(lock, "CREATE TABLE IF NOT EXISTS staatsprint_lease (log text PRIMARY KEY,"
                  " node text NOT NULL, term bigint NOT NULL, expires timestamptz NOT NULL)");
    exec_ok(lock, "INSERT INTO staatsprint_lease VALUES ('" LOG "', 'test-leader', 7,"
                  " now() + interval '1 hour')");

    fcore = core_new();
    fhub = hub_new(0, NULL);
    assert_int_equal(store_open(uri, &fstore, err, sizeof err), 0);
    cluster_host_t h = {.core = fcore, .hub = fhub, .log = LOG, .wake = h_wake,
                        .advance = h_advance, .exec = h_exec, .submit = h_submit,
                        .committed = h_committed, .store_ok = h_store_ok, .ack = h_ack,
                        .err = h_err, .joined = h_joined, .stop = h_stop};
    assert_int_equal(cluster_start(uri, &h), 0);
    assert_int_equal(cluster_may_write(), 0);
    assert_int_equal(cluster_forwarding(), 1);

    /* 1. It reads the whole log, applies it and tells the server, in order. */
    int64_t head = core_head(a);
    PUMP_UNTIL(advanced == head);
    assert_int_equal(core_head(fcore), head);
    size_t frames, bytes;
    hub_stats(fhub, &frames, &bytes);
    assert_int_equal(frames, nvisible);   /* every visible event published, once */
    who_t seen;
    assert_int_equal(core_auth(fcore, "hash-m1", &seen), 0);

    /* 2. A later commit arrives by NOTIFY and is applied too. */
    json_t *args = json_pack("{ss}", "text", "van de andere node");
    int64_t dup = 0;
    assert_int_equal(core_exec(a, &m1, "note.add", args, "x1", 3000, &out, &dup), 0);
    json_decref(args);
    append(w, &out);
    evlist_clear(&out);
    head = core_head(a);
    PUMP_UNTIL(advanced == head);
    assert_int_equal(core_note_count(fcore, 1), 1);

    /* 3. A command of a client here goes to the inbox with the connection's token hash,
     *    never applied locally. */
    PGconn *t = db();
    void *conn = (void *)&out; /* any unique pointer stands for a connection */
    json_t *msg = json_pack("{ss ss ss s{ss}}", "t", "cmd", "id", "c1", "cmd", "note.add", "args",
                            "text", "doorgestuurd");
    cluster_forward_cmd(conn, "c1", msg, "hash-m1");
    json_decref(msg);
    json_t *rows = take_inbox(t, 1);
    json_t *row = json_array_get(rows, 0);
    assert_string_equal(jstr(row, "k"), "cmd");
    assert_string_equal(jstr(row, "h"), "hash-m1");
    assert_string_equal(jstr(row, "i"), "c1");
    assert_string_equal(jstr(row, "m"), "note.add");
    assert_int_equal(core_head(fcore), head);   /* nothing applied here */

    /* 4. The leader (the test) applies it, commits, answers: the ack comes only once the
     *    node has applied that seq itself. */
    char chan[64];
    cluster_node_channel(jstr(row, "n"), chan, sizeof chan);
    json_t *rargs = json_object_get(row, "a");
    assert_int_equal(core_exec(a, &m1, "note.add", rargs, "c1", 4000, &out, &dup), 0);
    int64_t seq = out.v[out.n - 1].seq;
    char payload[128];
    snprintf(payload, sizeof payload, "{\"c\":%lld,\"k\":\"ack\",\"s\":%lld,\"e\":0}",
             (long long)jint(row, "c"), (long long)seq);
    notify(t, chan, payload);   /* the answer first: the node must wait for the event */
    for (int i = 0; i < 30; i++) {
        if (atomic_exchange(&woke, 0))
            cluster_poll();
        usleep(10000);
    }
    assert_int_equal(nacks, 0);
    append(w, &out);
    evlist_clear(&out);
    PUMP_UNTIL(nacks == 1);
    assert_ptr_equal(ack_conn, conn);
    assert_string_equal(ack_id, "c1");
    assert_int_equal(ack_seq, seq);
    assert_true(head_at_ack >= seq);
    json_decref(rows);

    /* 5. A refusal reaches the client as its error; a closed connection gets nothing. */
    msg = json_pack("{ss ss ss}", "t", "cmd", "id", "c2", "cmd", "timer.start");
    cluster_forward_cmd(conn, "c2", msg, "hash-m1");
    cluster_forward_cmd((void *)&w, "c3", msg, "hash-m1");
    json_decref(msg);
    rows = take_inbox(t, 2);
    cluster_conn_gone((void *)&w);
    for (size_t i = 0; i < 2; i++) {
        row = json_array_get(rows, i);
        snprintf(payload, sizeof payload, "{\"c\":%lld,\"k\":\"err\",\"s\":0,\"e\":%d}",
                 (long long)jint(row, "c"), SP_E_FORBIDDEN);
        notify(t, chan, payload);
    }
    PUMP_UNTIL(nerrs == 1);
    for (int i = 0; i < 30; i++) {
        if (atomic_exchange(&woke, 0))
            cluster_poll();
        usleep(10000);
    }
    assert_int_equal(nerrs, 1);
    assert_int_equal(last_err, SP_E_FORBIDDEN);
    json_decref(rows);

    /* 6. The old leader writes once more and goes away: the node takes the lock, reads
     *    the log to its end, and only then leads. */
    args = json_pack("{ss}", "text", "laatste van de oude leider");
    assert_int_equal(core_exec(a, &m1, "note.add", args, "x2", 5000, &out, &dup), 0);
    json_decref(args);
    append(w, &out);
    evlist_clear(&out);
    PQfinish(lock);   /* its session is gone: no need to wait for the lease to expire */
    PUMP_UNTIL(cluster_may_write() == 1);
    assert_int_equal(core_head(fcore), core_head(a));
    assert_int_equal(nstops, 0);

    /* The fence: the term went up with the lease (7 → 8); an append of the old term is
     * refused and writes nothing. */
    PGconn *q = db();
    PGresult *tr = PQexec(q, "SELECT term FROM logs WHERE log = '" LOG "'");
    assert_int_equal(PQresultStatus(tr), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(tr, 0, 0), "8");
    PQclear(tr);
    PQfinish(q);
    args = json_pack("{ss}", "text", "te laat");
    assert_int_equal(core_exec(a, &m1, "note.add", args, "late-1", 6000, &out, &dup), 0);
    json_decref(args);
    store_pg_set_term(w, 7);
    int64_t head_before = 0, head_after = 0;
    assert_int_equal(store_head(w, LOG, &head_before), 0);
    assert_int_equal(log_append(w, LOG, &out), STORE_ECONFLICT);
    assert_int_equal(store_head(w, LOG, &head_after), 0);
    assert_int_equal(head_after, head_before);
    evlist_clear(&out);
    /* The node's own writes from here on carry the new term. */
    store_pg_set_term(fstore, 8);

    /* 7. As leader: a forward from another node is authenticated by its hash with this
     *    node's core, applied, written and answered after the commit... */
    char other[64];
    cluster_node_channel("nodeX", other, sizeof other);
    snprintf(sql, sizeof sql, "LISTEN \"%s\"", other);
    exec_ok(t, sql);
    PGconn *f = db();
    exec_ok(f, "INSERT INTO staatsprint_inbox(log, msg) VALUES ('" LOG "', '{\"n\":\"nodeX\","
               "\"c\":7,\"k\":\"cmd\",\"h\":\"hash-m1\",\"i\":\"c9\",\"m\":\"note.add\","
               "\"a\":{\"text\":\"via de inbox\"}}')");
    PUMP_UNTIL(nsubmitted > 0);
    assert_int_equal(core_note_count(fcore, 1), 4);
    h_commit(submitted_last);     /* what server.c's on_committed does before the hook */
    cluster_committed(submitted_last);
    json_t *ans = wait_notify(t);
    assert_int_equal(jint(ans, "c"), 7);
    assert_string_equal(jstr(ans, "k"), "ack");
    assert_int_equal(jint(ans, "s"), submitted_last);
    json_decref(ans);

    /* ...and a forward with a hash no session has (a follower claiming an identity) is
     * refused with bad_token, changing nothing. */
    size_t before = nsubmitted;
    exec_ok(f, "INSERT INTO staatsprint_inbox(log, msg) VALUES ('" LOG "', '{\"n\":\"nodeX\","
               "\"c\":8,\"k\":\"cmd\",\"h\":\"hash-org-guess\",\"i\":\"c10\","
               "\"m\":\"note.add\",\"a\":{\"text\":\"vervalst\"}}')");
    ans = wait_notify(t);
    assert_int_equal(jint(ans, "c"), 8);
    assert_string_equal(jstr(ans, "k"), "err");
    assert_int_equal(jint(ans, "e"), SP_E_BAD_TOKEN);
    assert_int_equal(nsubmitted, before);
    json_decref(ans);

    /* The same command id again is answered with the same seq, without new events. */
    int64_t first = submitted_last;
    exec_ok(f, "INSERT INTO staatsprint_inbox(log, msg) VALUES ('" LOG "', '{\"n\":\"nodeX\","
               "\"c\":9,\"k\":\"cmd\",\"h\":\"hash-m1\",\"i\":\"c9\",\"m\":\"note.add\","
               "\"a\":{\"text\":\"via de inbox\"}}')");
    ans = wait_notify(t);
    assert_int_equal(jint(ans, "c"), 9);
    assert_string_equal(jstr(ans, "k"), "ack");
    assert_int_equal(jint(ans, "s"), first);
    assert_int_equal(nsubmitted, before);
    json_decref(ans);

    assert_int_equal(cluster_stop(), 0);
    PQfinish(f);
    PQfinish(t);
    store_close(w);
    store_close(fstore);
    hub_free(fhub);
    core_free(fcore);
    core_free(a);
    evlist_free(&out);
}

static void quiet(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;
}

int main(void)
{
    const char *base = getenv("STAATSPRINT_PG_URI");
    if (base == NULL || base[0] == '\0') {
        fprintf(stderr, "test_cluster: FAILED: STAATSPRINT_PG_URI is not set (make unit starts "
                        "a private PostgreSQL: scripts/pg-test-server start).\n");
        return 1;
    }
    /* A schema of its own, so runs never see each other's tables. */
    char schema[64];
    snprintf(schema, sizeof schema, "cluster_test_%ld_%ld", (long)getpid(), (long)time(NULL));
    PGconn *c = PQconnectdb(base);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "test_cluster: cannot connect: %s", PQerrorMessage(c));
        return 1;
    }
    PQsetNoticeProcessor(c, quiet, NULL);   /* DROP … CASCADE lists every table */
    char sql[160];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    PQclear(PQexec(c, sql));
    snprintf(uri, sizeof uri, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", schema);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_stays_single),
        cmocka_unit_test(test_follower_then_leader),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    PQclear(PQexec(c, sql));
    PQfinish(c);
    return rc;
}
