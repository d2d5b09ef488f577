/* bench/sendq.c – what one delivered frame costs the sender: one send() per socket against
 * the sends of a round in one io_uring_enter() (src/net/sendq.c), on loopback TCP, with a
 * reader in another process that drains every socket through epoll, as the load generator
 * does. Prints a table: CPU µs of the sending process per send, for rounds of 1–64 sends
 * (a loop turn of the server sends to the members of the teams of one writer group), and
 * what an empty system call costs on this machine.
 *
 * Usage: build/bench-sendq [SENDS_PER_ROW (20000)]      (make bench-sendq; ~30 s)
 */
#include "net/sendq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSOCK 512
#define FRAME 200   /* about a note.added event with its WebSocket header */

static double cpu_us(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 +
           (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

/* The reader: drains whatever arrives, until the sockets close. */
static void reader(int *fds, int n)
{
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.fd = fds[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    static char buf[65536];
    struct epoll_event ev[256];
    int open = n;
    while (open > 0) {
        int k = epoll_wait(ep, ev, 256, -1);
        for (int i = 0; i < k; i++)
            if (read(ev[i].data.fd, buf, sizeof buf) == 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, ev[i].data.fd, NULL);
                open--;
            }
    }
    _exit(0);
}

/* CPU µs per send for `rounds` rounds of `batch` sends, one by one or through q; a pause
 * between rounds lets the reader go to sleep, as between two loop turns of the server. */
static double run(sendq_t *q, const int *socks, int batch, int rounds)
{
    static char frame[FRAME];
    static ssize_t res[SENDQ_MAX];
    memset(frame, 'x', sizeof frame);
    struct timespec pause = {0, 100000};
    unsigned k = 0;
    long sent = 0;
    double t0 = cpu_us();
    for (int r = 0; r < rounds; r++) {
        if (q == NULL) {
            for (int j = 0; j < batch; j++)
                if (send(socks[k++ % NSOCK], frame, sizeof frame, MSG_DONTWAIT | MSG_NOSIGNAL) ==
                    (ssize_t)sizeof frame)
                    sent++;
        } else {
            for (int j = 0; j < batch; j++)
                sendq_add(q, socks[k++ % NSOCK], frame, sizeof frame);
            int n = sendq_run(q, res);
            for (int j = 0; j < n; j++)
                sent += res[j] == (ssize_t)sizeof frame;
        }
        nanosleep(&pause, NULL);
    }
    /* the pauses' own nanosleep calls are the same on both sides */
    return sent ? (cpu_us() - t0) / (double)sent : 0;
}

int main(int argc, char **argv)
{
    int sends = argc > 1 ? atoi(argv[1]) : 20000;
    if (sends <= 0)
        sends = 20000;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, NSOCK) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        perror("bench-sendq: listen");
        return 1;
    }
    int cs[NSOCK], ss[NSOCK];
    for (int i = 0; i < NSOCK; i++) {
        cs[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(cs[i], (struct sockaddr *)&a, sizeof a) != 0 || (ss[i] = accept(ls, NULL, NULL)) < 0) {
            perror("bench-sendq: connect");
            return 1;
        }
        int one = 1;
        setsockopt(ss[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < NSOCK; i++)
            close(ss[i]);   /* the sender's ends stay the sender's: its close is the end */
        close(ls);
        reader(cs, NSOCK);
    }
    for (int i = 0; i < NSOCK; i++)
        close(cs[i]);

    double t0 = cpu_us();
    for (int i = 0; i < 1000000; i++)
        syscall(SYS_getppid);
    printf("an empty system call (getppid): %.2f µs\n\n", (cpu_us() - t0) / 1e6);

    const char *why = NULL;
    sendq_t *q = sendq_open(&why);
    if (q == NULL)
        printf("io_uring not available (%s): only send() is measured\n\n", why);
    printf("| sends per round | send() one by one, CPU µs per send | one io_uring_enter() per round | saved |\n");
    printf("|---:|---:|---:|---:|\n");
    static const int batches[] = {1, 4, 8, 16, 32, 64};
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        int batch = batches[b], n = sends / batch;
        /* alternate, twice each, and keep the better: the machine's noise is one-sided */
        double one = 1e9, many = 1e9;
        for (int rep = 0; rep < 2; rep++) {
            double x = run(NULL, ss, batch, n);
            if (x < one)
                one = x;
            if (q) {
                x = run(q, ss, batch, n);
                if (x < many)
                    many = x;
            }
        }
        if (q)
            printf("| %d | %.2f | %.2f | %.0f %% |\n", batch, one, many, 100.0 * (one - many) / one);
        else
            printf("| %d | %.2f | – | – |\n", batch, one);
    }
    sendq_close(q);
    for (int i = 0; i < NSOCK; i++)
        close(ss[i]);
    waitpid(pid, NULL, 0);
    return 0;
}
