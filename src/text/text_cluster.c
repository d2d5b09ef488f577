/* text_cluster – group sticky notes by meaning and label each group (deterministic). */
#include "text/text_cluster.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_norm.h"

/*
 * Average linkage with the nearest-neighbour chain.
 * Invariants:
 *  1. sim[a*n+b] for active groups a, b (a group is named by its lowest note index, its
 *     representative) is the average similarity over all note pairs across a and b
 *     (Lance-Williams update on every merge).
 *  2. Every element of the chain is active, and each is the nearest neighbour of the one
 *     below it. Average linkage is reducible (a merged group is never closer to a third
 *     group than the nearer of its parts), so the chain stays valid after a merge, and
 *     merging reciprocal nearest neighbours gives the same tree as always merging the
 *     globally closest pair.
 *  3. If the top of the chain has no neighbour at >= threshold it never will (merges only
 *     average similarities), and neither has any group below it in the chain (each one's
 *     nearest neighbour is the next, at a lower or equal similarity); they are final.
 * Ties go to the lowest index, and the previous chain element wins a tie (needed for
 * termination), so the result depends only on the matrix.
 */
void text_cluster_matrix(float *sim, size_t n, const unsigned char *skip, double threshold, size_t *root)
{
    unsigned char *active = text_xrealloc(NULL, n ? n : 1);
    size_t *size = text_xrealloc(NULL, (n ? n : 1) * sizeof *size);
    size_t *chain = text_xrealloc(NULL, (n ? n : 1) * sizeof *chain);
    size_t *parent = text_xrealloc(NULL, (n ? n : 1) * sizeof *parent);
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        active[i] = !(skip && skip[i]);
        live += active[i];
        size[i] = 1;
        parent[i] = i;
    }
    size_t next_start = 0, top = 0;
    while (live > 0) {
        if (top == 0) {
            while (!active[next_start])
                next_start++;
            chain[top++] = next_start;
        }
        size_t a = chain[top - 1];
        const float *row = sim + a * n;
        size_t best = SIZE_MAX;
        float bs = -1.0f;
        if (top >= 2) {
            best = chain[top - 2];
            bs = row[best];
        }
        for (size_t c = 0; c < n; c++)
            if (active[c] && c != a && row[c] > bs) {
                bs = row[c];
                best = c;
            }
        if (best == SIZE_MAX || (double)bs < threshold) {
            /* Invariant 3: the whole chain is final. */
            for (size_t q = 0; q < top; q++) {
                active[chain[q]] = 0;
                live--;
            }
            top = 0;
            continue;
        }
        if (top >= 2 && best == chain[top - 2]) {
            size_t x = a < best ? a : best, y = a < best ? best : a;
            top -= 2;
            float nx = (float)size[x], ny = (float)size[y];
            for (size_t c = 0; c < n; c++) {
                if (!active[c] || c == x || c == y)
                    continue;
                float v = (nx * sim[x * n + c] + ny * sim[y * n + c]) / (nx + ny);
                sim[x * n + c] = v;
                sim[c * n + x] = v;
            }
            size[x] += size[y];
            active[y] = 0;
            parent[y] = x;
            live--;
            if (live == 1) { /* x is alone now */
                active[x] = 0;
                live = 0;
            }
        } else {
            chain[top++] = best;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (skip && skip[i]) {
            root[i] = SIZE_MAX;
            continue;
        }
        size_t r = i;
        while (parent[r] != r)
            r = parent[r];
        root[i] = r;
        parent[i] = r; /* path compression keeps later lookups short */
    }
    free(active);
    free(size);
    free(chain);
    free(parent);
}

/*
 * Shared-neighbour smoothing. Two notes on one topic often share no word at all ("Salaris
 * kan niet op tegen het bedrijfsleven", "Bedrijven bieden leaseauto en bonus"), but they
 * tend to be similar to the same third notes. Each note gets a profile: itself (weight 1)
 * plus its k most similar notes (weight = their similarity); the cosine of two profiles
 * is the second-order similarity, and sim becomes (1 - w) * sim + w * that. The profiles
 * are sparse (k + 1 entries), so this costs about n * (k + 1)^2 plus one pass over sim.
 */
typedef struct nb {
    uint32_t note;
    float w;
} nb_t;

static void smooth_neighbors(float *sim, size_t n, const unsigned char *skip, int k, double weight)
{
    if (k <= 0 || weight <= 0 || n < 3)
        return;
    size_t K = (size_t)k + 1;
    nb_t *prof = text_xrealloc(NULL, n * K * sizeof *prof);
    size_t *plen = text_xrealloc(NULL, n * sizeof *plen);
    for (size_t i = 0; i < n; i++) {
        nb_t *p = prof + i * K;
        size_t m = 0;
        if (!skip[i]) {
            p[m].note = (uint32_t)i;
            p[m++].w = 1.0f;
            /* Insertion into a short sorted list: strongest first, lower index on ties. */
            for (size_t j = 0; j < n; j++) {
                float s = sim[i * n + j];
                if (j == i || skip[j] || s <= 0.0f)
                    continue;
                if (m == K && s <= p[m - 1].w)
                    continue;
                size_t at = m < K ? m++ : K - 1;
                while (at > 1 && p[at - 1].w < s) {
                    p[at] = p[at - 1];
                    at--;
                }
                p[at].note = (uint32_t)j;
                p[at].w = s;
            }
            double ss = 0;
            for (size_t q = 0; q < m; q++)
                ss += (double)p[q].w * p[q].w;
            float inv = (float)(1.0 / sqrt(ss));
            for (size_t q = 0; q < m; q++)
                p[q].w *= inv;
        }
        plen[i] = m;
    }
    /* Inverted index: which profiles mention note c. */
    size_t *ps = text_xrealloc(NULL, (n + 1) * sizeof *ps);
    memset(ps, 0, (n + 1) * sizeof *ps);
    for (size_t i = 0; i < n; i++)
        for (size_t q = 0; q < plen[i]; q++)
            ps[prof[i * K + q].note + 1]++;
    for (size_t c = 0; c < n; c++)
        ps[c + 1] += ps[c];
    size_t *fill = text_xrealloc(NULL, n * sizeof *fill);
    memcpy(fill, ps, n * sizeof *fill);
    nb_t *post = text_xrealloc(NULL, (ps[n] ? ps[n] : 1) * sizeof *post);
    for (size_t i = 0; i < n; i++)
        for (size_t q = 0; q < plen[i]; q++) {
            nb_t e = {(uint32_t)i, prof[i * K + q].w};
            post[fill[prof[i * K + q].note]++] = e;
        }
    float *acc = text_xrealloc(NULL, n * sizeof *acc);
    float a = (float)(weight > 1 ? 1 : weight);
    for (size_t i = 0; i < n; i++) {
        memset(acc, 0, n * sizeof *acc);
        for (size_t q = 0; q < plen[i]; q++) {
            const nb_t *e = &prof[i * K + q];
            for (size_t r = ps[e->note]; r < ps[e->note + 1]; r++)
                acc[post[r].note] += e->w * post[r].w;
        }
        /* Only the upper triangle is computed; the lower is mirrored. */
        for (size_t j = i + 1; j < n; j++) {
            float v = (1.0f - a) * sim[i * n + j] + a * (acc[j] > 1.0f ? 1.0f : acc[j]);
            sim[i * n + j] = v;
            sim[j * n + i] = v;
        }
    }
    free(acc);
    free(post);
    free(fill);
    free(ps);
    free(plen);
    free(prof);
}

void text_clustering_free(text_clustering_t *c)
{
    if (!c)
        return;
    if (c->label)
        for (size_t k = 0; k <= c->n_clusters; k++)
            free(c->label[k]);
    free(c->label);
    free(c->cluster);
    free(c->size);
    memset(c, 0, sizeof *c);
}

int text_cluster(const char *const *notes, size_t n, const text_options_t *opt, text_clustering_t *out)
{
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (!notes && n)
        return -EINVAL;
    if (n > TEXT_CLUSTER_MAX_NOTES)
        return -E2BIG;
    text_options_t o;
    if (opt)
        o = *opt;
    else
        text_options_default(&o);
    text_model_t *m = text_model_new(notes, n, &o);
    float *sim = text_xrealloc(NULL, (n ? n * n : 1) * sizeof *sim);
    unsigned char *skip = text_xrealloc(NULL, n ? n : 1);
    size_t *root = text_xrealloc(NULL, (n ? n : 1) * sizeof *root);
    for (size_t i = 0; i < n; i++)
        skip[i] = (unsigned char)text_model_is_empty(m, i);
    text_model_similarity_matrix(m, sim);
    smooth_neighbors(sim, n, skip, o.neighbors, o.neighbor_weight);
    text_cluster_matrix(sim, n, skip, o.threshold, root);
    free(sim);

    /* Number groups by their first note; root[i] <= i, so a root is met first as itself. */
    out->n_notes = n;
    out->cluster = text_xrealloc(NULL, (n ? n : 1) * sizeof *out->cluster);
    int *num = text_xrealloc(NULL, (n ? n : 1) * sizeof *num);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (skip[i]) {
            out->cluster[i] = 0;
            continue;
        }
        if (root[i] == i)
            num[i] = (int)++k;
        out->cluster[i] = num[root[i]];
    }
    out->n_clusters = k;
    out->size = text_xrealloc(NULL, (k + 1) * sizeof *out->size);
    memset(out->size, 0, (k + 1) * sizeof *out->size);
    for (size_t i = 0; i < n; i++)
        out->size[out->cluster[i]]++;
    /* Members of every cluster, in note order, grouped by a counting sort. */
    size_t *start = text_xrealloc(NULL, (k + 2) * sizeof *start);
    start[0] = 0;
    for (size_t c = 0; c <= k; c++)
        start[c + 1] = start[c] + out->size[c];
    size_t *members = text_xrealloc(NULL, (n ? n : 1) * sizeof *members);
    size_t *fill = text_xrealloc(NULL, (k + 1) * sizeof *fill);
    memcpy(fill, start, (k + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        members[fill[out->cluster[i]]++] = i;
    out->label = text_xrealloc(NULL, (k + 1) * sizeof *out->label);
    out->label[0] = text_xrealloc(NULL, 1);
    out->label[0][0] = '\0';
    for (size_t c = 1; c <= k; c++)
        out->label[c] = text_model_label(m, notes, members + start[c], out->size[c]);
    free(fill);
    free(members);
    free(start);
    free(num);
    free(root);
    free(skip);
    text_model_free(m);
    return 0;
}

int text_cluster_cli(FILE *in, FILE *out)
{
    char **lines = NULL;
    size_t n = 0, cap = 0;
    char *buf = NULL;
    size_t bcap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&buf, &bcap, in)) >= 0) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            lines = text_xrealloc(lines, cap * sizeof *lines);
        }
        lines[n] = text_xrealloc(NULL, (size_t)len + 1);
        memcpy(lines[n], buf, (size_t)len + 1);
        n++;
    }
    free(buf);
    if (ferror(in))
        rc = -EIO;
    text_clustering_t c;
    if (rc == 0)
        rc = text_cluster((const char *const *)lines, n, NULL, &c);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            if (fprintf(out, "%d\t%s\n", c.cluster[i], c.label[c.cluster[i]]) < 0)
                rc = -EIO;
        if (fflush(out) != 0)
            rc = -EIO;
        text_clustering_free(&c);
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    return rc;
}

double text_ari(const int *a, const int *b, size_t n)
{
    if (n < 2)
        return 1.0;
    /* Relabel both to 0..k-1 in order of first appearance, then count the contingency table. */
    int *ra = text_xrealloc(NULL, n * sizeof *ra), *rb = text_xrealloc(NULL, n * sizeof *rb);
    size_t ka = 0, kb = 0;
    for (size_t i = 0; i < n; i++) {
        ra[i] = rb[i] = -1;
        for (size_t j = 0; j < i; j++) {
            if (ra[i] < 0 && a[j] == a[i])
                ra[i] = ra[j];
            if (rb[i] < 0 && b[j] == b[i])
                rb[i] = rb[j];
        }
        if (ra[i] < 0)
            ra[i] = (int)ka++;
        if (rb[i] < 0)
            rb[i] = (int)kb++;
    }
    double *t = text_xrealloc(NULL, ka * kb * sizeof *t);
    memset(t, 0, ka * kb * sizeof *t);
    double *sa = text_xrealloc(NULL, ka * sizeof *sa), *sb = text_xrealloc(NULL, kb * sizeof *sb);
    memset(sa, 0, ka * sizeof *sa);
    memset(sb, 0, kb * sizeof *sb);
    for (size_t i = 0; i < n; i++) {
        t[(size_t)ra[i] * kb + (size_t)rb[i]] += 1;
        sa[ra[i]] += 1;
        sb[rb[i]] += 1;
    }
#define C2(x) ((x) * ((x) - 1) / 2.0)
    double idx = 0, xa = 0, xb = 0;
    for (size_t q = 0; q < ka * kb; q++)
        idx += C2(t[q]);
    for (size_t q = 0; q < ka; q++)
        xa += C2(sa[q]);
    for (size_t q = 0; q < kb; q++)
        xb += C2(sb[q]);
    double expected = xa * xb / C2((double)n);
    double maxi = (xa + xb) / 2.0;
#undef C2
    free(t);
    free(sa);
    free(sb);
    free(ra);
    free(rb);
    if (maxi == expected)
        return 1.0; /* both partitions trivial in the same way */
    return (idx - expected) / (maxi - expected);
}
