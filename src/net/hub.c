/* hub.c – per-channel frame lists with merged cursors per subscriber. */
#include "net/hub.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t seq;
    unsigned char *buf;   /* headroom + len bytes */
    size_t len;
} frame_t;

typedef hub_link_t link_t;

typedef struct {
    uint32_t *frames;     /* indices into hub->frames */
    size_t n, cap;
    link_t *subs;         /* intrusive list of subscriptions */
} chan_t;

struct hub {
    size_t headroom;
    void (*wake)(void *ud);
    frame_t *frames;
    size_t nframes, capframes, bytes;
    chan_t *chans;
    size_t nchans, capchans;
    strmap_t chan_ids;
    int64_t head;
};

hub_t *hub_new(size_t headroom, void (*wake)(void *ud))
{
    hub_t *h = xcalloc(1, sizeof *h);
    h->headroom = headroom;
    h->wake = wake;
    strmap_init(&h->chan_ids);
    return h;
}

void hub_free(hub_t *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->nframes; i++)
        free(h->frames[i].buf);
    for (size_t i = 0; i < h->nchans; i++)
        free(h->chans[i].frames);
    free(h->frames);
    free(h->chans);
    strmap_free(&h->chan_ids);
    free(h);
}

int hub_chan(hub_t *h, int kind, const char *id)
{
    char key[64];
    int64_t v;
    snprintf(key, sizeof key, "%d:%s", kind, id);
    if (strmap_get(&h->chan_ids, key, &v))
        return (int)v;
    xgrow((void **)&h->chans, &h->capchans, h->nchans + 1, sizeof *h->chans);
    memset(&h->chans[h->nchans], 0, sizeof h->chans[0]);
    strmap_put(&h->chan_ids, key, (int64_t)h->nchans);
    return (int)h->nchans++;
}

void hub_publish(hub_t *h, int64_t seq, int chan, const char *frame, size_t len)
{
    xgrow((void **)&h->frames, &h->capframes, h->nframes + 1, sizeof *h->frames);
    frame_t *f = &h->frames[h->nframes];
    f->seq = seq;
    f->len = len;
    f->buf = xmalloc(h->headroom + len + 1);
    memcpy(f->buf + h->headroom, frame, len);
    f->buf[h->headroom + len] = '\0';
    h->bytes += len;

    chan_t *c = &h->chans[chan];
    xgrow((void **)&c->frames, &c->cap, c->n + 1, sizeof *c->frames);
    c->frames[c->n++] = (uint32_t)h->nframes;
    h->nframes++;
    if (seq > h->head)
        h->head = seq;
    for (link_t *l = c->subs; l != NULL; l = l->next)
        if (l->sub->armed) {
            l->sub->armed = 0;
            h->wake(l->sub->ud);
        }
}

void hub_rewrite(hub_t *h, char *(*fn)(void *ud, const char *frame, size_t len, size_t *newlen),
                 void *ud)
{
    for (size_t i = 0; i < h->nframes; i++) {
        frame_t *f = &h->frames[i];
        size_t len = 0;
        char *s = fn(ud, (const char *)f->buf + h->headroom, f->len, &len);
        if (s == NULL)
            continue;
        unsigned char *buf = xmalloc(h->headroom + len + 1);
        memcpy(buf + h->headroom, s, len);
        buf[h->headroom + len] = '\0';
        free(s);
        free(f->buf);
        h->bytes = h->bytes - f->len + len;
        f->buf = buf;
        f->len = len;
    }
}

int64_t hub_head(const hub_t *h) { return h->head; }

void hub_set_head(hub_t *h, int64_t seq)
{
    if (seq > h->head)
        h->head = seq;
}

void hub_stats(const hub_t *h, size_t *frames, size_t *bytes)
{
    *frames = h->nframes;
    *bytes = h->bytes;
}

void hub_sub_init(hub_t *h, hub_sub_t *s, void *ud)
{
    (void)h;
    memset(s, 0, sizeof *s);
    s->ud = ud;
    s->armed = 1;
    s->peeked = -1;
}

hub_sub_t *hub_sub_new(hub_t *h, void *ud)
{
    hub_sub_t *s = xmalloc(sizeof *s);
    hub_sub_init(h, s, ud);
    return s;
}

/* The i-th link of s: the first HUB_SUB_INLINE inline, the rest in s->more. */
static link_t *link_at(hub_sub_t *s, size_t i)
{
    return i < HUB_SUB_INLINE ? &s->links[i] : &s->more[i - HUB_SUB_INLINE];
}

static const link_t *link_at_c(const hub_sub_t *s, size_t i)
{
    return i < HUB_SUB_INLINE ? &s->links[i] : &s->more[i - HUB_SUB_INLINE];
}

static void unlink_all(hub_t *h, hub_sub_t *s)
{
    for (size_t i = 0; i < s->nlinks; i++) {
        link_t *l = link_at(s, i);
        if (l->prev)
            l->prev->next = l->next;
        else
            h->chans[l->chan].subs = l->next;
        if (l->next)
            l->next->prev = l->prev;
    }
    free(s->more);
    s->more = NULL;
    s->nlinks = 0;
}

void hub_sub_fini(hub_t *h, hub_sub_t *s)
{
    unlink_all(h, s);
}

void hub_sub_free(hub_t *h, hub_sub_t *s)
{
    if (s == NULL)
        return;
    hub_sub_fini(h, s);
    free(s);
}

/* The first index in channel c whose frame has seq > after (binary search). */
static size_t first_after(const hub_t *h, const chan_t *c, int64_t after)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->frames[c->frames[mid]].seq <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void hub_sub_set(hub_t *h, hub_sub_t *s, const int *chans, size_t n, int64_t after)
{
    unlink_all(h, s);
    if (n > HUB_SUB_INLINE)
        s->more = xcalloc(n - HUB_SUB_INLINE, sizeof *s->more);
    s->nlinks = (unsigned)n;
    for (size_t i = 0; i < n; i++) {
        link_t *l = link_at(s, i);
        chan_t *c = &h->chans[chans[i]];
        l->sub = s;
        l->chan = chans[i];
        l->pos = (uint32_t)first_after(h, c, after);
        l->prev = NULL;
        l->next = c->subs;
        if (c->subs)
            c->subs->prev = l;
        c->subs = l;
    }
    s->peeked = -1;
    s->armed = 1;
}

int hub_sub_peek(hub_t *h, hub_sub_t *s, unsigned char **buf, size_t *len, int64_t *seq)
{
    int best = -1;
    int64_t best_seq = 0;
    for (size_t i = 0; i < s->nlinks; i++) {
        link_t *l = link_at(s, i);
        chan_t *c = &h->chans[l->chan];
        if (l->pos >= c->n)
            continue;
        int64_t q = h->frames[c->frames[l->pos]].seq;
        if (best < 0 || q < best_seq) {
            best = (int)i;
            best_seq = q;
        }
    }
    s->peeked = best;
    if (best < 0) {
        s->armed = 1;
        return 0;
    }
    link_t *l = link_at(s, (size_t)best);
    frame_t *f = &h->frames[h->chans[l->chan].frames[l->pos]];
    *buf = f->buf + h->headroom;
    *len = f->len;
    *seq = f->seq;
    return 1;
}

void hub_sub_pop(hub_t *h, hub_sub_t *s)
{
    (void)h;
    if (s->peeked >= 0)
        link_at(s, (size_t)s->peeked)->pos++;
    s->peeked = -1;
}

size_t hub_sub_backlog(const hub_t *h, const hub_sub_t *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nlinks; i++) {
        const link_t *l = link_at_c(s, i);
        n += h->chans[l->chan].n - l->pos;
    }
    return n;
}
