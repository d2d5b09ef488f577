/* sendq.h – many non-blocking sends to many sockets in one system call (io_uring).
 *
 * At the end of a loop turn the server owes frames to many connections: a note of one
 * team goes to its eight members, a writer group of several commands to several teams.
 * One send() per connection costs a system call each, and on a virtual machine a system
 * call is dear (about 1.1 µs for an empty one on our test machine, against ~0.1 µs on bare
 * metal). The queue collects the sends of a turn and hands them to the kernel together:
 * one io_uring_enter() for up to SENDQ_MAX sends. Each send carries MSG_DONTWAIT, so the
 * kernel tries it at once and answers like send() would (bytes taken, or -EAGAIN when the
 * socket is full): the caller's EAGAIN and partial-send handling stays the same.
 * bench/ and docs/benchmarks.md ("Third round") have the measurements.
 *
 * Without io_uring (an old kernel, a container whose seccomp profile forbids it, sysctl
 * kernel.io_uring_disabled, or STAATSPRINT_NO_URING=1 in the environment) sendq_open()
 * says so and the caller sends one by one.
 *
 * Not thread-safe: the network thread owns the queue. No liburing: the rings are mapped
 * here, with the memory-ordering rules of io_uring(7).
 */
#ifndef SP_SENDQ_H
#define SP_SENDQ_H

#include <stddef.h>
#include <sys/types.h>

/* Sends per system call; a turn with more submits in rounds. */
#define SENDQ_MAX 256

typedef struct sendq sendq_t;

/* A new queue, or NULL when io_uring cannot be used here (then *why, if given, says
 * why in a few words). */
sendq_t *sendq_open(const char **why);
void sendq_close(sendq_t *q);   /* accepts NULL */

/* Room for another send before sendq_run() must be called. */
int sendq_full(const sendq_t *q);

/* Queues a send of len bytes at buf to fd; buf must stay as it is until sendq_run()
 * returns. The queue must not be full. Returns the send's index in this round. */
int sendq_add(sendq_t *q, int fd, const void *buf, size_t len);

/* Sends what is queued; res[i] is what send() would have returned for the i-th send:
 * bytes taken, or -errno (-EAGAIN: the socket is full). Returns how many sends there were,
 * or -1 when the kernel took none of them (the caller then sends them one by one). */
int sendq_run(sendq_t *q, ssize_t *res);

#endif
