/* sendq.c – batched non-blocking sends through io_uring. See sendq.h. */
#include "net/sendq.h"
#include "util/xalloc.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

struct sendq {
    int fd;
    unsigned n;                  /* sends queued in this round */
    /* the submission ring: the kernel reads head..tail; we write the tail */
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    struct io_uring_sqe *sqes;
    /* the completion ring: we read head..tail; the kernel writes the tail */
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_cqe *cqes;
    void *sq_map, *cq_map;
    size_t sq_len, cq_len, sqe_len;
};

static int uring_setup(unsigned entries, struct io_uring_params *p)
{
    return (int)syscall(SYS_io_uring_setup, entries, p);
}

static int uring_enter(int fd, unsigned submit, unsigned wait, unsigned flags)
{
    return (int)syscall(SYS_io_uring_enter, fd, submit, wait, flags, NULL, 0);
}

/* Whether the kernel knows IORING_OP_SEND (5.6 and later). */
static int uring_can_send(int fd)
{
    size_t len = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
    struct io_uring_probe *p = xcalloc(1, len);
    int ok = syscall(SYS_io_uring_register, fd, IORING_REGISTER_PROBE, p, 256) == 0 &&
             p->last_op >= IORING_OP_SEND &&
             (p->ops[IORING_OP_SEND].flags & IO_URING_OP_SUPPORTED);
    free(p);
    return ok;
}

static void *map_ring(int fd, size_t len, off_t what)
{
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, what);
    return m == MAP_FAILED ? NULL : m;
}

sendq_t *sendq_open(const char **why)
{
    const char *off = getenv("STAATSPRINT_NO_URING");
    if (off != NULL && *off != '\0' && strcmp(off, "0") != 0) {
        if (why)
            *why = "STAATSPRINT_NO_URING";
        return NULL;
    }
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* SUBMIT_ALL (5.18): one refused send does not stop the others of the round;
     * COOP_TASKRUN (5.19): no interrupt of the loop thread for completions. */
    p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
    int fd = uring_setup(SENDQ_MAX, &p);
    if (fd < 0 && errno == EINVAL) {
        memset(&p, 0, sizeof p);
        fd = uring_setup(SENDQ_MAX, &p);
    }
    if (fd < 0) {
        if (why)
            *why = errno == ENOSYS || errno == EPERM ? "io_uring not allowed here" : "io_uring_setup failed";
        return NULL;
    }
    if (!uring_can_send(fd)) {
        close(fd);
        if (why)
            *why = "no IORING_OP_SEND";
        return NULL;
    }
    sendq_t *q = xcalloc(1, sizeof *q);
    q->fd = fd;
    q->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    q->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single) {
        if (q->cq_len > q->sq_len)
            q->sq_len = q->cq_len;
        q->cq_len = q->sq_len;
    }
    q->sqe_len = p.sq_entries * sizeof(struct io_uring_sqe);
    q->sq_map = map_ring(fd, q->sq_len, IORING_OFF_SQ_RING);
    q->cq_map = single ? q->sq_map : map_ring(fd, q->cq_len, IORING_OFF_CQ_RING);
    q->sqes = map_ring(fd, q->sqe_len, IORING_OFF_SQES);
    if (q->sq_map == NULL || q->cq_map == NULL || q->sqes == NULL || p.sq_entries < SENDQ_MAX ||
        p.cq_entries < SENDQ_MAX) {
        sendq_close(q);
        if (why)
            *why = "io_uring rings not mapped";
        return NULL;
    }
    char *sq = q->sq_map, *cq = q->cq_map;
    q->sq_head = (unsigned *)(sq + p.sq_off.head);
    q->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    q->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    q->sq_array = (unsigned *)(sq + p.sq_off.array);
    q->cq_head = (unsigned *)(cq + p.cq_off.head);
    q->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    q->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    q->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    return q;
}

void sendq_close(sendq_t *q)
{
    if (q == NULL)
        return;
    if (q->sqes)
        munmap(q->sqes, q->sqe_len);
    if (q->cq_map && q->cq_map != q->sq_map)
        munmap(q->cq_map, q->cq_len);
    if (q->sq_map)
        munmap(q->sq_map, q->sq_len);
    close(q->fd);
    free(q);
}

int sendq_full(const sendq_t *q)
{
    return q->n >= SENDQ_MAX;
}

int sendq_add(sendq_t *q, int fd, const void *buf, size_t len)
{
    unsigned tail = *q->sq_tail + q->n;   /* only we write the tail */
    unsigned i = tail & *q->sq_mask;
    struct io_uring_sqe *e = &q->sqes[i];
    memset(e, 0, sizeof *e);
    e->opcode = IORING_OP_SEND;
    e->fd = fd;
    e->addr = (uint64_t)(uintptr_t)buf;
    e->len = (uint32_t)len;   /* a batch is at most a few MiB */
    e->msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
    e->user_data = q->n;
    q->sq_array[i] = i;
    return (int)q->n++;
}

int sendq_run(sendq_t *q, ssize_t *res)
{
    unsigned n = q->n;
    if (n == 0)
        return 0;
    q->n = 0;
    for (unsigned i = 0; i < n; i++)
        res[i] = -EIO;   /* what a send whose answer never came counts as */
    unsigned start = *q->sq_tail;
    __atomic_store_n(q->sq_tail, start + n, __ATOMIC_RELEASE);
    /* Sends with MSG_DONTWAIT complete while they are submitted, so one call does it all;
     * the loop is for the exceptions (an interrupted call, a kernel that stops submitting
     * at a refused send). The buffers are the caller's again only when every send has
     * its answer. */
    unsigned got = 0;
    while (got < n) {
        unsigned taken = __atomic_load_n(q->sq_head, __ATOMIC_ACQUIRE) - start;
        int r = uring_enter(q->fd, n - taken, 1, IORING_ENTER_GETEVENTS);
        taken = __atomic_load_n(q->sq_head, __ATOMIC_ACQUIRE) - start;
        if (r < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY) {
            if (taken == 0) {
                /* The kernel took none: take them back, the caller sends them itself. */
                __atomic_store_n(q->sq_tail, start, __ATOMIC_RELEASE);
                return -1;
            }
            /* The ring is unusable: the sends not taken are taken back; whether the taken
             * ones went out is not known, so they stay -EIO and the caller cuts them. */
            __atomic_store_n(q->sq_tail, start + taken, __ATOMIC_RELEASE);
            break;

        }
        unsigned head = *q->cq_head;
        unsigned tail = __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++) {
            const struct io_uring_cqe *c = &q->cqes[head & *q->cq_mask];
            if (c->user_data < n)
                res[c->user_data] = c->res;
            got++;
        }
        __atomic_store_n(q->cq_head, head, __ATOMIC_RELEASE);
    }
    return (int)n;
}
