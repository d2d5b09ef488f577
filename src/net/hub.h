/* hub.h – fan-out of committed events to subscribers, by channel, in seq order.
 *
 * Every committed event that anyone may see is published once, as a ready frame,
 * to the one channel of its audience ("team t3", "member m4", "all"). A subscriber
 * (a connection) reads the channels its identity allows, through one cursor per
 * channel; hub_sub_peek() merges them so frames come out in seq order. Frames are
 * kept for the whole sprint, so a subscriber can resume from any seq.
 *
 * Invariants
 *  1. Frames are published with strictly increasing seq.
 *  2. A subscriber never receives a frame twice nor a frame with seq <= the `after`
 *     it was subscribed with.
 *  3. wake(ud) is called at most once between two moments the subscriber is found
 *     drained by hub_sub_peek(); the caller then asks its socket for writability.
 *
 * No I/O here: the hub is unit-tested on its own.
 */
#ifndef SP_HUB_H
#define SP_HUB_H

#include <stddef.h>
#include <stdint.h>

typedef struct hub hub_t;
typedef struct hub_sub hub_sub_t;

/* Links a subscriber keeps inline: a screen reads two channels ("all", "screen"), so an
 * idle screen needs no allocation of its own for its subscription (a participant's four
 * put two in `more`). */
#define HUB_SUB_INLINE 2

/* One channel of a subscriber, in the channel's list of subscribers. */
typedef struct hub_link {
    struct hub_link *prev, *next;
    hub_sub_t *sub;
    int32_t chan;
    uint32_t pos;           /* next index into the channel's frame list */
} hub_link_t;

/* A subscriber. The fields are the hub's own (hub.c); the struct is public only so that a
 * connection can embed it (hub_sub_init/hub_sub_fini): per idle connection, memory counts
 * (docs/benchmarks.md, S4). */
struct hub_sub {
    void *ud;
    hub_link_t *more;       /* links HUB_SUB_INLINE and up; NULL while they fit inline */
    unsigned nlinks : 31;
    unsigned armed : 1;     /* wake on the next publish (see invariant 3) */
    int32_t peeked;         /* index of the link of the last peek, or -1 */
    hub_link_t links[HUB_SUB_INLINE];
};

/* headroom: bytes kept free in front of every frame (LWS_PRE for lws_write). */
hub_t *hub_new(size_t headroom, void (*wake)(void *ud));
void hub_free(hub_t *h);   /* accepts NULL; subscribers must be freed first */

/* The channel of an audience, created on first use. */
int hub_chan(hub_t *h, int kind, const char *id);

/* Publishes a frame (copied) for seq on channel chan and wakes its subscribers. */
void hub_publish(hub_t *h, int64_t seq, int chan, const char *frame, size_t len);

/* The highest seq published, or set with hub_set_head (events nobody may see also
 * advance it). */
int64_t hub_head(const hub_t *h);
void hub_set_head(hub_t *h, int64_t seq);

/* Offers every frame held to fn, in seq order; when fn returns a new frame (malloc'd,
 * *newlen bytes) it takes the old one's place for every later reader (a subscriber
 * mid-way reads the new one). For deletions (AVG): frames kept for replay must not
 * keep what was deleted. */
void hub_rewrite(hub_t *h, char *(*fn)(void *ud, const char *frame, size_t len, size_t *newlen),
                 void *ud);

/* Statistics: frames held and their bytes. */
void hub_stats(const hub_t *h, size_t *frames, size_t *bytes);

hub_sub_t *hub_sub_new(hub_t *h, void *ud);
void hub_sub_free(hub_t *h, hub_sub_t *s);   /* accepts NULL */

/* The same for a subscriber embedded in the caller's struct: init before use, fini
 * (unsubscribes, frees its overflow links) before the memory goes. */
void hub_sub_init(hub_t *h, hub_sub_t *s, void *ud);
void hub_sub_fini(hub_t *h, hub_sub_t *s);

/* Subscribes s to exactly these channels, delivering frames with seq > after. */
void hub_sub_set(hub_t *h, hub_sub_t *s, const int *chans, size_t n, int64_t after);

/* The next frame for s: returns 1 and sets *buf (the frame, with headroom in front),
 * *len and *seq; returns 0 when s has seen everything (and re-arms wake). */
int hub_sub_peek(hub_t *h, hub_sub_t *s, unsigned char **buf, size_t *len, int64_t *seq);

/* Moves s past the frame hub_sub_peek() returned. */
void hub_sub_pop(hub_t *h, hub_sub_t *s);

/* The number of frames waiting for s (for cutting off clients that do not read). */
size_t hub_sub_backlog(const hub_t *h, const hub_sub_t *s);

#endif
