/* bench/fsync.c – what the disk under bench/out gives a commit: the time of one fdatasync()
 * after a write the size of an S2 writer group, the way SQLite's WAL does it (frames
 * appended to a file that is reused from its start after each checkpoint). Every
 * acknowledged command waits for at least one of these, and one that arrives while a commit
 * is under way waits for that one too, so the tail of this table is the floor under the
 * server's ack p99 (docs/benchmarks.md, sixth round). Prints a table: for a commit every
 * 2.25 ms (S2's ~445 groups a second), one every 10 ms and back to back, the p50 / p90 / p99 /
 * max of one fsync, and the p99 of two in a row (a command that came in during a commit).
 *
 * Usage: build/bench-fsync [DIR (bench/out)] [FSYNCS_PER_ROW (2000)]   (make bench-fsync)
 */
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GROUP (4 * (4096 + 24))  /* four WAL frames of a 4 KiB page with their headers: S2's
                                    * ~8.7 pwrites a commit, two per frame (docs/benchmarks.md) */
#define WRAP (4L * 1024 * 1024)    /* the WAL starts again from the top after ~4 MiB */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double q_ms(const int64_t *sorted, int n, double q)
{
    int i = (int)(q * (double)n);
    if (i >= n)
        i = n - 1;
    return (double)sorted[i] / 1e6;
}

/* n commits of GROUP bytes, each followed by fdatasync() and then a pause of gap_us; the
 * fsync times (ns) go to t. Returns 0, or -1 with errno set. */
static int run(int fd, int n, long gap_us, int64_t *t)
{
    static char group[GROUP];
    memset(group, 'w', sizeof group);
    off_t off = 0;
    for (int i = 0; i < n; i++) {
        if (pwrite(fd, group, sizeof group, off) != (ssize_t)sizeof group)
            return -1;
        off = off + GROUP > WRAP ? 0 : off + GROUP;
        int64_t t0 = clock_mono_ns();
        if (fdatasync(fd) != 0)
            return -1;
        t[i] = clock_mono_ns() - t0;
        if (gap_us > 0) {
            struct timespec ts = {0, gap_us * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "bench/out";
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    if (n < 100) {
        fprintf(stderr, "bench-fsync: at least 100 fsyncs per row\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/bench-fsync.%d.tmp", dir, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "bench-fsync: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    int fill = (int)(WRAP / GROUP) + 1;
    int64_t *t = calloc((size_t)(n > fill ? n : fill), sizeof *t);
    int64_t *pair = calloc((size_t)n, sizeof *pair);
    if (t == NULL || pair == NULL)
        return 1;
    /* The file at its full size first, as a WAL is after its first round. */
    if (run(fd, fill, 0, t) != 0) {
        fprintf(stderr, "bench-fsync: %s: %s\n", path, strerror(errno));
        return 1;
    }

    static const struct {
        long gap_us;
        const char *what;
    } rows[] = {
        {2250, "every 2.25 ms (S2's groups)"},
        {10000, "every 10 ms (S1)"},
        {0, "back to back (S3)"},
    };
    printf("fdatasync() after a %d-byte write, %d per row, file in %s\n\n", GROUP, n, dir);
    printf("| commits | p50 ms | p90 ms | p99 ms | max ms | two in a row, p99 ms |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (run(fd, n, rows[r].gap_us, t) != 0) {
            fprintf(stderr, "bench-fsync: %s: %s\n", path, strerror(errno));
            unlink(path);
            return 1;
        }
        for (int i = 0; i + 1 < n; i++)
            pair[i] = t[i] + t[i + 1];
        qsort(t, (size_t)n, sizeof *t, cmp_i64);
        qsort(pair, (size_t)n - 1, sizeof *pair, cmp_i64);
        printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", rows[r].what, q_ms(t, n, 0.5),
               q_ms(t, n, 0.9), q_ms(t, n, 0.99), (double)t[n - 1] / 1e6,
               q_ms(pair, n - 1, 0.99));
    }
    close(fd);
    unlink(path);
    free(t);
    free(pair);
    return 0;
}
