/* test_sendq.c – batched sends through io_uring: what arrives, in which order, and the
 * answers a full socket, a closed peer and a bad descriptor give (they must read like
 * send()'s, because conn.c handles them the same way). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/sendq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The queue, or NULL (with the reason printed) on a kernel or container without io_uring:
 * the server then sends one by one, which the integration suite covers
 * (sendpath.test.mjs runs both ways). */
static sendq_t *open_or_explain(void)
{
    const char *why = NULL;
    sendq_t *q = sendq_open(&why);
    if (q == NULL) {
        assert_non_null(why);
        fprintf(stderr, "# io_uring not available here (%s): the batched path is not tested\n", why);
    }
    return q;
}

static void pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
}

/* Reads exactly len bytes that must be there already. */
static void expect_bytes(int fd, const char *want, size_t len)
{
    char buf[4096];
    assert_true(len <= sizeof buf);
    assert_int_equal(read(fd, buf, sizeof buf), (ssize_t)len);
    assert_memory_equal(buf, want, len);
}

static void test_rounds_of_sends_to_many_sockets(void **state)
{
    (void)state;
    sendq_t *q = open_or_explain();
    if (q == NULL)
        return;
    enum { N = 40 };
    int sv[N][2];
    for (int i = 0; i < N; i++)
        pair(sv[i]);
    static ssize_t res[SENDQ_MAX];
    char msg[N][32];
    /* Many rounds, so the rings wrap around several times. */
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < N; i++) {
            snprintf(msg[i], sizeof msg[i], "r%d-s%d|", round, i);
            assert_false(sendq_full(q));
            assert_int_equal(sendq_add(q, sv[i][0], msg[i], strlen(msg[i])), i);
        }
        assert_int_equal(sendq_run(q, res), N);
        for (int i = 0; i < N; i++) {
            assert_int_equal(res[i], (ssize_t)strlen(msg[i]));
            expect_bytes(sv[i][1], msg[i], strlen(msg[i]));
        }
    }
    /* Order within one round: three sends to one socket. */
    sendq_add(q, sv[0][0], "een ", 4);
    sendq_add(q, sv[0][0], "twee ", 5);
    sendq_add(q, sv[0][0], "drie", 4);
    assert_int_equal(sendq_run(q, res), 3);
    expect_bytes(sv[0][1], "een twee drie", 13);
    assert_int_equal(sendq_run(q, res), 0);   /* nothing queued: nothing sent */
    for (int i = 0; i < N; i++) {
        close(sv[i][0]);
        close(sv[i][1]);
    }
    sendq_close(q);
}

static void test_a_full_round_then_the_next(void **state)
{
    (void)state;
    sendq_t *q = open_or_explain();
    if (q == NULL)
        return;
    int sv[2];
    pair(sv);
    static ssize_t res[SENDQ_MAX];
    char all[SENDQ_MAX * 4 + 1];
    for (int i = 0; i < SENDQ_MAX; i++) {
        char num[16];
        snprintf(num, sizeof num, "%03d,", i % 1000);
        memcpy(all + 4 * i, num, 4);
        assert_false(sendq_full(q));
        sendq_add(q, sv[0], all + 4 * i, 4);
    }
    assert_true(sendq_full(q));
    assert_int_equal(sendq_run(q, res), SENDQ_MAX);
    assert_false(sendq_full(q));
    char got[SENDQ_MAX * 4];
    assert_int_equal(read(sv[1], got, sizeof got), (ssize_t)sizeof got);
    assert_memory_equal(got, all, sizeof got);
    for (int i = 0; i < SENDQ_MAX; i++)
        assert_int_equal(res[i], 4);
    close(sv[0]);
    close(sv[1]);
    sendq_close(q);
}

/* A full socket answers -EAGAIN (what conn.c hands to lws to keep), a closed peer -EPIPE
 * without a SIGPIPE, a bad descriptor -EBADF – and none of them stops the other sends of
 * the round. */
static void test_refusals_read_like_send(void **state)
{
    (void)state;
    sendq_t *q = open_or_explain();
    if (q == NULL)
        return;
    int full[2], gone[2], ok[2];
    pair(full);
    pair(gone);
    pair(ok);
    static char fill[65536];
    memset(fill, 'x', sizeof fill);
    while (send(full[0], fill, sizeof fill, MSG_DONTWAIT) > 0)
        ;
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(gone[1]);
    int closed_fd = dup(ok[0]);
    close(closed_fd);   /* a descriptor number that is no longer open */

    static ssize_t res[SENDQ_MAX];
    sendq_add(q, full[0], "vol", 3);
    sendq_add(q, gone[0], "weg", 3);
    sendq_add(q, closed_fd, "dicht", 5);
    sendq_add(q, ok[0], "goed", 4);
    assert_int_equal(sendq_run(q, res), 4);
    assert_true(res[0] == -EAGAIN || res[0] == -EWOULDBLOCK);
    assert_int_equal(res[1], -EPIPE);
    assert_int_equal(res[2], -EBADF);
    assert_int_equal(res[3], 4);
    expect_bytes(ok[1], "goed", 4);

    /* Room again after the reader drained: the same socket takes the next round. */
    char sink[65536];
    while (read(full[1], sink, sizeof sink) > 0)
        ;
    sendq_add(q, full[0], "weer", 4);
    assert_int_equal(sendq_run(q, res), 1);
    assert_int_equal(res[0], 4);
    expect_bytes(full[1], "weer", 4);
    close(full[0]);
    close(full[1]);
    close(gone[0]);
    close(ok[0]);
    close(ok[1]);
    sendq_close(q);
}

/* A partial send: a socket with room for less than the message takes what fits and says
 * how much, like send(). */
static void test_a_partial_send_says_how_much(void **state)
{
    (void)state;
    sendq_t *q = open_or_explain();
    if (q == NULL)
        return;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    size_t len = 4 * 1024 * 1024;
    char *big = malloc(len);
    assert_non_null(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)('a' + i % 26);
    static ssize_t res[SENDQ_MAX];
    sendq_add(q, sv[0], big, len);
    assert_int_equal(sendq_run(q, res), 1);
    assert_true(res[0] > 0);
    assert_true(res[0] < (ssize_t)len);
    /* What arrived is the message's beginning, exactly res[0] bytes of it. */
    size_t got = 0;
    char buf[65536];
    ssize_t r;
    while ((r = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT)) > 0) {
        assert_memory_equal(buf, big + got, (size_t)r);
        got += (size_t)r;
    }
    assert_int_equal(got, (size_t)res[0]);
    free(big);
    close(sv[0]);
    close(sv[1]);
    sendq_close(q);
}

static void test_the_environment_turns_it_off(void **state)
{
    (void)state;
    setenv("STAATSPRINT_NO_URING", "1", 1);
    const char *why = NULL;
    sendq_t *q = sendq_open(&why);
    assert_null(q);
    assert_string_equal(why, "STAATSPRINT_NO_URING");
    setenv("STAATSPRINT_NO_URING", "0", 1);   /* "0" means: not off */
    why = NULL;
    q = sendq_open(&why);
    assert_true(q != NULL || (why != NULL && strcmp(why, "STAATSPRINT_NO_URING") != 0));
    sendq_close(q);
    unsetenv("STAATSPRINT_NO_URING");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounds_of_sends_to_many_sockets),
        cmocka_unit_test(test_a_full_round_then_the_next),
        cmocka_unit_test(test_refusals_read_like_send),
        cmocka_unit_test(test_a_partial_send_says_how_much),
        cmocka_unit_test(test_the_environment_turns_it_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
