/* assign.c – optimal group assignment by min-cost flow, then balanced, colleague-spreading teams. */
#include "org/assign.h"

#include <stdlib.h>
#include <string.h>

#include "org/registration.h"
#include "util/strmap.h"
#include "util/xalloc.h"

static const struct { int e; const char *code, *nl, *en; } assign_errs[] = {
    {ASSIGN_E_OPTIONS, "assign_bad_options",
     "Er zijn geen groepen, of de teamgrootte klopt niet (minimaal 1, minimum niet boven maximum).",
     "There are no groups, or the team size is wrong (at least 1, minimum not above maximum)."},
    {ASSIGN_E_PIN, "assign_bad_pin", "Iemand is vastgezet in een groep of team dat niet bestaat.",
     "Someone is pinned to a group or team that does not exist."},
    {ASSIGN_E_CHOICE, "assign_bad_choice", "Een keuze verwijst naar een groep die niet bestaat.",
     "A choice refers to a group that does not exist."},
};

static int assign_err_index(int e)
{
    for (size_t i = 0; i < sizeof assign_errs / sizeof assign_errs[0]; i++)
        if (assign_errs[i].e == e)
            return (int)i;
    return -1;
}

const char *assign_err_code(int e) { int i = assign_err_index(e); return i < 0 ? "internal" : assign_errs[i].code; }
const char *assign_err_nl(int e) { int i = assign_err_index(e); return i < 0 ? "Onbekende fout." : assign_errs[i].nl; }
const char *assign_err_en(int e) { int i = assign_err_index(e); return i < 0 ? "Unknown error." : assign_errs[i].en; }

uint64_t assign_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rand_below(uint64_t *st, size_t n)
{
    return n ? (size_t)(assign_rand(st) % n) : 0;
}

static void shuffle(int *a, size_t n, uint64_t *st)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rand_below(st, i);
        int t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* ---- step 1: min-cost flow over choice classes ---- */

typedef struct {
    int to, rev;
    int64_t cap, flow;
    int64_t cost;            /* per unit; for a convex edge the cost of its first unit */
    bool convex, reverse;    /* convex: the k-th unit costs cost + k - 1 */
} mcf_edge_t;

typedef struct {
    mcf_edge_t *e;
    size_t n_e, cap_e;
    int *head_off;           /* adjacency built once: edges of node v are adj[off[v] .. off[v+1]) */
    int *adj;
    int n_nodes;
} mcf_t;

static void mcf_add(mcf_t *g, int from, int to, int64_t cap, int64_t cost, bool convex, int *from_of)
{
    xgrow((void **)&g->e, &g->cap_e, g->n_e + 2, sizeof *g->e);
    size_t a = g->n_e, b = g->n_e + 1;
    g->e[a] = (mcf_edge_t){to, (int)b, cap, 0, cost, convex, false};
    g->e[b] = (mcf_edge_t){from, (int)a, 0, 0, cost, convex, true};
    from_of[a] = from;
    from_of[b] = to;
    g->n_e += 2;
}

/* Residual cost of pushing one more unit along e. */
static int64_t mcf_cost(const mcf_edge_t *e)
{
    if (!e->convex)
        return e->reverse ? -e->cost : e->cost;
    /* Forward: the next unit is unit flow+1. Reverse (flow = -f): undo unit f. */
    return e->reverse ? -(e->cost + (-e->flow) - 1) : e->cost + e->flow;
}

/* Successive shortest paths, one unit at a time (convex edges change cost per unit);
 * SPFA copes with the negative residual costs. Returns the units sent. */
static int64_t mcf_run(mcf_t *g, int s, int t)
{
    int n = g->n_nodes;
    int64_t *dist = xmalloc((size_t)n * sizeof *dist);
    int *via = xmalloc((size_t)n * sizeof *via);
    int *queue = xmalloc(((size_t)n + 1) * sizeof *queue);
    bool *inq = xmalloc((size_t)n * sizeof *inq);
    int64_t sent = 0;
    for (;;) {
        for (int v = 0; v < n; v++) {
            dist[v] = INT64_MAX;
            via[v] = -1;
            inq[v] = false;
        }
        size_t qh = 0, qt = 0, qn = (size_t)n + 1;
        dist[s] = 0;
        queue[qt++] = s;
        inq[s] = true;
        while (qh != qt) {
            int v = queue[qh];
            qh = (qh + 1) % qn;
            inq[v] = false;
            for (int k = g->head_off[v]; k < g->head_off[v + 1]; k++) {
                mcf_edge_t *e = &g->e[g->adj[k]];
                if (e->cap - e->flow <= 0)
                    continue;
                int64_t d = dist[v] + mcf_cost(e);
                if (d < dist[e->to]) {
                    dist[e->to] = d;
                    via[e->to] = g->adj[k];
                    if (!inq[e->to]) {
                        inq[e->to] = true;
                        queue[qt] = e->to;
                        qt = (qt + 1) % qn;
                    }
                }
            }
        }
        if (dist[t] == INT64_MAX)
            break;
        for (int v = t; v != s;) {
            mcf_edge_t *e = &g->e[via[v]];
            e->flow++;
            g->e[e->rev].flow--;
            v = g->e[e->rev].to;
        }
        sent++;
    }
    free(dist);
    free(via);
    free(queue);
    free(inq);
    return sent;
}

static void mcf_index(mcf_t *g, const int *from_of)
{
    g->head_off = xcalloc((size_t)g->n_nodes + 1, sizeof *g->head_off);
    g->adj = xmalloc((g->n_e + 1) * sizeof *g->adj);
    for (size_t i = 0; i < g->n_e; i++)
        g->head_off[from_of[i] + 1]++;
    for (int v = 0; v < g->n_nodes; v++)
        g->head_off[v + 1] += g->head_off[v];
    int *fill = xmalloc(((size_t)g->n_nodes + 1) * sizeof *fill);
    memcpy(fill, g->head_off, ((size_t)g->n_nodes + 1) * sizeof *fill);
    for (size_t i = 0; i < g->n_e; i++)
        g->adj[fill[from_of[i]]++] = (int)i;
    free(fill);
}

static void assign_groups(const assign_person_t *p, size_t n, const assign_options_t *opt, const int *capacity,
                          uint64_t *rng, int *group)
{
    int G = (int)opt->n_groups, C = (G + 1) * (G + 1);
    int64_t nn = (int64_t)n;
    /* See the header: W1 exceeds any balance total (< n²), W2 any total of W1s. A person
     * without choices costs W2 everywhere, like one placed outside both choices: with the
     * number placed fixed by max flow, the cost then counts the seats not given to a
     * choice, so a chooser is never left out (or moved) for someone without a choice. */
    int64_t W1 = nn * nn + 1, W2 = W1 * (nn + 1);
    int64_t *count = xcalloc((size_t)C, sizeof *count);
    int64_t *pinned = xcalloc((size_t)G, sizeof *pinned);
    for (size_t i = 0; i < n; i++) {
        if (p[i].pin_group >= 0) {
            group[i] = p[i].pin_group;
            pinned[p[i].pin_group]++;
        } else
            count[(p[i].choice1 + 1) * (G + 1) + (p[i].choice2 + 1)]++;
    }
    /* Nodes: 0 source, 1..C classes, C+1..C+G groups, C+G+1 sink. */
    mcf_t g = {0};
    g.n_nodes = C + G + 2;
    int src = 0, sink = C + G + 1;
    size_t max_e = 2 * ((size_t)C * (G + 1) + (size_t)G) + 2;
    int *from_of = xmalloc(max_e * sizeof *from_of);
    int *class_edge = xmalloc((size_t)C * G * sizeof *class_edge);
    for (int c = 0; c < C; c++) {
        if (count[c] == 0)
            continue;
        int c1 = c / (G + 1) - 1, c2 = c % (G + 1) - 1;
        mcf_add(&g, src, 1 + c, count[c], 0, false, from_of);
        for (int k = 0; k < G; k++) {
            int64_t cost = k == c1 ? 0 : k == c2 ? W1 : W2;
            class_edge[c * G + k] = (int)g.n_e;
            mcf_add(&g, 1 + c, 1 + C + k, count[c], cost, false, from_of);
        }
    }
    for (int k = 0; k < G; k++) {
        int cap = capacity ? capacity[k] : -1;
        int64_t room = cap < 0 ? nn : cap - pinned[k] < 0 ? 0 : cap - pinned[k];
        /* The seat after the pinned ones costs pinned[k]: balance counts pinned people. */
        mcf_add(&g, 1 + C + k, sink, room, pinned[k], true, from_of);
    }
    mcf_index(&g, from_of);
    mcf_run(&g, src, sink);
    /* Hand out the seats of each class to its members in a seeded order. */
    int *members = xmalloc((n + 1) * sizeof *members);
    for (int c = 0; c < C; c++) {
        if (count[c] == 0)
            continue;
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i].pin_group < 0 && (p[i].choice1 + 1) * (G + 1) + (p[i].choice2 + 1) == c)
                members[m++] = (int)i;
        shuffle(members, m, rng);
        int c1 = c / (G + 1) - 1, c2 = c % (G + 1) - 1;
        size_t at = 0;
        for (int pass = 0; pass < G + 2; pass++) {
            int k = pass == 0 ? c1 : pass == 1 ? c2 : pass - 2;
            if (k < 0 || (pass >= 2 && (k == c1 || k == c2)))
                continue;
            int64_t seats = g.e[class_edge[c * G + k]].flow;
            for (int64_t s = 0; s < seats && at < m; s++)
                group[members[at++]] = k;
        }
        for (; at < m; at++)
            group[members[at]] = -1;
    }
    free(members);
    free(class_edge);
    free(from_of);
    free(g.e);
    free(g.head_off);
    free(g.adj);
    free(count);
    free(pinned);
}

/* ---- step 1b: group sizes that teams can meet ---- */

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

bool assign_size_fits(int m, int lo, int hi)
{
    if (m <= 0)
        return m == 0;
    int k = ceil_div(m, hi);   /* the fewest teams no larger than hi; more only shrink them */
    return (int64_t)k * lo <= m;
}

/* The cost of moving d people out of (d < 0) or into (d > 0) a group where `cheap` such
 * moves respect everyone's choices. */
static int64_t move_cost(int d, int cheap)
{
    int a = d < 0 ? -d : d;
    return a <= cheap ? a : cheap + 3 * (int64_t)(a - cheap);
}

/* Chooses target sizes (see the header, step 1b). Returns false when none fit. */
static bool fit_targets(const assign_person_t *p, size_t n, const assign_options_t *opt, const int *group,
                        int lo, int hi, int *target)
{
    int G = (int)opt->n_groups, R = 2 * hi, W = 2 * R * G + 1;
    if ((int64_t)G * W > 4000000)
        return false;   /* hundreds of groups: beyond any sprint; keep the flow's sizes */
    int *size = xcalloc((size_t)G, sizeof *size), *pinned = xcalloc((size_t)G, sizeof *pinned);
    int *out_ok = xcalloc((size_t)G, sizeof *out_ok), *in_ok = xcalloc((size_t)G, sizeof *in_ok);
    for (size_t i = 0; i < n; i++) {
        int g = group[i];
        if (g >= 0)
            size[g]++;
        if (p[i].pin_group >= 0) {
            pinned[p[i].pin_group]++;
            continue;
        }
        bool any = p[i].choice1 >= 0 || p[i].choice2 >= 0;
        for (int k = 0; k < G; k++) {
            bool wants = !any || p[i].choice1 == k || p[i].choice2 == k;
            if (k == g && (!any || (p[i].choice1 >= 0 && p[i].choice1 != g) || (p[i].choice2 >= 0 && p[i].choice2 != g)))
                out_ok[k]++;
            else if (k != g && g >= 0 && wants)
                in_ok[k]++;
        }
    }
    /* cost[j][d + R*G]: the least cost of groups < j with total change d; pick[j][…] the size. */
    int64_t INF = INT64_MAX / 4;
    int64_t *cost = xmalloc((size_t)(G + 1) * (size_t)W * sizeof *cost);
    int *pick = xmalloc((size_t)(G + 1) * (size_t)W * sizeof *pick);
    for (int i = 0; i < (G + 1) * W; i++)
        cost[i] = INF;
    cost[R * G] = 0;
    for (int j = 0; j < G; j++) {
        int cap = opt->capacity ? opt->capacity[j] : -1;
        for (int d = 0; d < W; d++) {
            int64_t base = cost[j * W + d];
            if (base >= INF)
                continue;
            for (int t = size[j] - R < 0 ? 0 : size[j] - R; t <= size[j] + R; t++) {
                if (!assign_size_fits(t, lo, hi) || t < pinned[j] || (cap >= 0 && t > cap))
                    continue;
                int nd = d + (t - size[j]);
                if (nd < 0 || nd >= W)
                    continue;
                int64_t c = base + move_cost(t - size[j], t < size[j] ? out_ok[j] : in_ok[j]);
                if (c < cost[(j + 1) * W + nd]) {
                    cost[(j + 1) * W + nd] = c;
                    pick[(j + 1) * W + nd] = t;
                }
            }
        }
    }
    bool ok = cost[G * W + R * G] < INF;
    for (int j = G, d = R * G; ok && j > 0; j--) {
        target[j - 1] = pick[j * W + d];
        d -= target[j - 1] - size[j - 1];
    }
    free(cost);
    free(pick);
    free(size);
    free(pinned);
    free(out_ok);
    free(in_ok);
    return ok;
}

/* ---- step 2: teams ---- */

/* How far sizes floor/ceil(m/k) fall outside [lo, hi]. */
static int violation(int m, int k, int lo, int hi)
{
    int small = m / k, big = ceil_div(m, k);
    return (big > hi ? big - hi : 0) + (small < lo ? lo - small : 0);
}

int assign_team_count(int m, int lo, int hi, int max_org)
{
    if (m <= 0)
        return 0;
    double mid = (lo + hi) / 2.0;
    int best = 1;
    /* Score: violation first, then whether colleagues can be kept apart, then closeness
     * of the average size to the middle of the range. */
    double best_score = 1e300;
    for (int k = 1; k <= m; k++) {
        int v = violation(m, k, lo, hi);
        double dist = (double)m / k - mid;
        if (dist < 0)
            dist = -dist;
        double score = v * 1e6 + (k < max_org ? 1e3 : 0) + dist;
        if (score < best_score) {
            best_score = score;
            best = k;
        }
    }
    /* With colleagues unavoidable in every fitting k, more teams spread them best. */
    if (max_org > best && violation(m, best, lo, hi) == 0)
        for (int k = best + 1; k <= m && violation(m, k, lo, hi) == 0; k++)
            best = k;
    return best;
}

typedef struct {
    const assign_person_t *p;
    const int *org, *role;   /* interned ids per person; -1 = none */
    int *team_of;            /* per person: team number within the group */
    int **tm;                /* members per team */
    int *ts;                 /* size per team */
    size_t *tcap;            /* allocated members per team */
    int k;
} team_ctx_t;

static int same_in(const team_ctx_t *c, int t, const int *key, int person, int skip)
{
    if (key[person] < 0)
        return 0;
    int n = 0;
    for (int i = 0; i < c->ts[t]; i++)
        if (c->tm[t][i] != skip && key[c->tm[t][i]] == key[person])
            n++;
    return n;
}

static void team_put(team_ctx_t *c, int t, int person)
{
    xgrow((void **)&c->tm[t], &c->tcap[t], (size_t)c->ts[t] + 1, sizeof(int));
    c->tm[t][c->ts[t]++] = person;
    c->team_of[person] = t;
}

static void team_remove(team_ctx_t *c, int t, int person)
{
    for (int i = 0; i < c->ts[t]; i++)
        if (c->tm[t][i] == person) {
            c->tm[t][i] = c->tm[t][--c->ts[t]];
            return;
        }
}

/* Cost of a's membership in team t if b (already in t, or -1) were not there. */
static int64_t member_cost(const team_ctx_t *c, int t, int a, int skip)
{
    return 1000 * (int64_t)same_in(c, t, c->org, a, skip) + same_in(c, t, c->role, a, skip);
}

/* Swaps unpinned members between teams while that strictly lowers
 * 1000 × colleague pairs + role pairs; bounded so huge groups stay fast. */
static void improve(team_ctx_t *c, int *mem, int m, uint64_t *rng)
{
    long budget = 4000000;
    for (int pass = 0; pass < 20 && budget > 0; pass++) {
        bool better = false;
        shuffle(mem, (size_t)m, rng);
        for (int i = 0; i < m && budget > 0; i++) {
            for (int j = i + 1; j < m && budget > 0; j++, budget--) {
                int a = mem[i], b = mem[j], ta = c->team_of[a], tb = c->team_of[b];
                if (ta == tb || c->p[a].pin_team >= 0 || c->p[b].pin_team >= 0)
                    continue;
                int64_t before = member_cost(c, ta, a, a) + member_cost(c, tb, b, b);
                int64_t after = member_cost(c, tb, a, b) + member_cost(c, ta, b, a);
                if (after < before) {
                    team_remove(c, ta, a);
                    team_remove(c, tb, b);
                    team_put(c, tb, a);
                    team_put(c, ta, b);
                    better = true;
                }
            }
        }
        if (!better)
            break;
    }
}

typedef struct {
    int person, org_count, org, rank;
} deal_t;

static int deal_cmp(const void *x, const void *y)
{
    const deal_t *a = x, *b = y;
    if (a->org_count != b->org_count)
        return b->org_count - a->org_count;
    if (a->org != b->org)            /* rank is per organisation: keeps colleagues together */
        return a->rank != b->rank ? (a->rank < b->rank ? -1 : 1) : (a->org < b->org ? -1 : 1);
    return a->person - b->person;
}

/* Deals the people of one group over k teams; see the header for the rule. */
static void form_teams(team_ctx_t *c, int *mem, int m, int n_org, uint64_t *rng)
{
    int k = c->k, lo = m / k, r = m - lo * k;
    for (int i = 0; i < m; i++)
        if (c->p[mem[i]].pin_team >= 0)
            team_put(c, c->p[mem[i]].pin_team, mem[i]);
    int *org_count = xcalloc((size_t)n_org + 1, sizeof *org_count);
    int *org_rank = xmalloc(((size_t)n_org + 1) * sizeof *org_rank);
    for (int o = 0; o < n_org; o++)
        org_rank[o] = (int)(assign_rand(rng) >> 33);
    deal_t *d = xmalloc(((size_t)m + 1) * sizeof *d);
    int nd = 0;
    for (int i = 0; i < m; i++)
        if (c->p[mem[i]].pin_team < 0 && c->org[mem[i]] >= 0)
            org_count[c->org[mem[i]]]++;
    for (int i = 0; i < m; i++) {
        int a = mem[i];
        if (c->p[a].pin_team >= 0)
            continue;
        int o = c->org[a];
        d[nd++] = (deal_t){a, o >= 0 ? org_count[o] : 1, o >= 0 ? o : n_org + a,
                           o >= 0 ? org_rank[o] : (int)(assign_rand(rng) >> 33)};
    }
    qsort(d, (size_t)nd, sizeof *d, deal_cmp);
    int *rank = xmalloc((size_t)k * sizeof *rank);
    for (int t = 0; t < k; t++)
        rank[t] = t;
    shuffle(rank, (size_t)k, rng);
    for (int i = 0; i < nd; i++) {
        int a = d[i].person, at_hi = 0, best = -1;
        int best_key[5] = {0};
        for (int t = 0; t < k; t++)
            if (c->ts[t] > lo)
                at_hi++;
        for (int t = 0; t < k; t++) {
            bool allowed = c->ts[t] < lo || (c->ts[t] == lo && at_hi < r);
            int key[5] = {!allowed, same_in(c, t, c->org, a, -1), c->ts[t], same_in(c, t, c->role, a, -1),
                          (rank[t] + i) % k};
            int cmp = 0;
            for (int j = 0; j < 5 && cmp == 0 && best >= 0; j++)
                cmp = key[j] < best_key[j] ? -1 : key[j] > best_key[j];
            if (best < 0 || cmp < 0) {
                best = t;
                memcpy(best_key, key, sizeof key);
            }
        }
        team_put(c, best, a);
    }
    improve(c, mem, m, rng);
    free(rank);
    free(d);
    free(org_rank);
    free(org_count);
}

static size_t pairs(size_t x) { return x * (x ? x - 1 : 0) / 2; }

/* Interns normalised keys (case-, accent- and space-insensitive); -1 for empty. */
static int intern(strmap_t *m, const char *s, int *next)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *k = reg_normalise(s);
    size_t w = 0;
    for (size_t i = 0; k[i]; i++)
        if (k[i] != ' ')
            k[w++] = k[i];
    k[w] = '\0';
    int64_t v = -1;
    if (w > 0 && !strmap_get(m, k, &v)) {
        v = (*next)++;
        strmap_put(m, k, v);
    }
    free(k);
    return (int)v;
}

static void suggest_roles(const assign_person_t *p, assign_team_t *t, uint64_t *rng)
{
    int *order = xmalloc((t->n_members + 1) * sizeof *order);
    if (t->n_members > 0)
        memcpy(order, t->members, t->n_members * sizeof *order);
    shuffle(order, t->n_members, rng);
    t->captain = t->timekeeper = -1;
    for (size_t i = 0; i < t->n_members && t->captain < 0; i++)
        if (p[order[i]].willing_captain)
            t->captain = order[i];
    /* The timekeeper may be the captain (METHOD.md), but another volunteer is better. */
    for (size_t i = 0; i < t->n_members && t->timekeeper < 0; i++)
        if (p[order[i]].willing_timekeeper && order[i] != t->captain)
            t->timekeeper = order[i];
    if (t->timekeeper < 0 && t->captain >= 0 && p[t->captain].willing_timekeeper)
        t->timekeeper = t->captain;
    free(order);
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int validate(const assign_person_t *p, size_t n, const assign_options_t *opt)
{
    int G = (int)opt->n_groups;
    int lo = opt->team_min ? opt->team_min : 6, hi = opt->team_max ? opt->team_max : 8;
    /* The cost weights grow like n³ and must fit in 64 bits: 200,000 people is plenty. */
    if (G <= 0 || G > 1000 || lo < 1 || hi < lo || n > 200000)
        return ASSIGN_E_OPTIONS;
    for (size_t i = 0; i < n; i++) {
        if (p[i].choice1 < -1 || p[i].choice1 >= G || p[i].choice2 < -1 || p[i].choice2 >= G)
            return ASSIGN_E_CHOICE;
        if (p[i].pin_group < -1 || p[i].pin_group >= G || p[i].pin_team < -1 ||
            (p[i].pin_team >= 0 && p[i].pin_group < 0) || p[i].pin_team > (int)n)
            return ASSIGN_E_PIN;
    }
    return 0;
}

/* Forms the teams of group gi and appends them to out->teams. */
static void group_teams(const assign_person_t *p, size_t n, const assign_options_t *opt, int gi, const int *org,
                        const int *role, int n_org, uint64_t *rng, assign_result_t *out, size_t *teams_cap)
{
    int lo = opt->team_min ? opt->team_min : 6, hi = opt->team_max ? opt->team_max : 8;
    int *mem = xmalloc((n + 1) * sizeof *mem);
    int m = 0, pin_k = 0, max_org = 0;
    int *cnt = xcalloc((size_t)n_org + 1, sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
        if (out->group[i] != gi)
            continue;
        mem[m++] = (int)i;
        if (p[i].pin_team + 1 > pin_k)
            pin_k = p[i].pin_team + 1;
        if (org[i] >= 0 && ++cnt[org[i]] > max_org)
            max_org = cnt[org[i]];
    }
    out->group_size[gi] = (size_t)m;
    int k = assign_team_count(m, lo, hi, max_org);
    if (pin_k > k)
        k = pin_k;
    for (int o = 0; o < n_org && k > 0; o++)
        out->colleague_pairs_min += (size_t)(cnt[o] % k) * pairs((size_t)(cnt[o] / k + 1)) +
                                    (size_t)(k - cnt[o] % k) * pairs((size_t)(cnt[o] / k));
    free(cnt);
    if (k == 0) {
        free(mem);
        return;
    }
    team_ctx_t c = {p, org, role, xmalloc(n * sizeof(int) + 1), xcalloc((size_t)k, sizeof(int *)),
                    xcalloc((size_t)k, sizeof(int)), xcalloc((size_t)k, sizeof(size_t)), k};
    form_teams(&c, mem, m, n_org, rng);
    size_t base = out->n_teams;
    xgrow((void **)&out->teams, teams_cap, base + (size_t)k, sizeof *out->teams);
    for (int t = 0; t < k; t++) {
        assign_team_t *T = &out->teams[base + (size_t)t];
        memset(T, 0, sizeof *T);
        T->group = gi;
        T->number = t;
        T->members = c.tm[t];
        T->n_members = (size_t)c.ts[t];
        if (T->n_members > 1)
            qsort(T->members, T->n_members, sizeof(int), int_cmp);
        for (size_t a = 0; a < T->n_members; a++) {
            out->team[T->members[a]] = (int)(base + (size_t)t);
            T->colleague_pairs += (size_t)same_in(&c, t, org, T->members[a], T->members[a]);
            T->role_pairs += (size_t)same_in(&c, t, role, T->members[a], T->members[a]);
        }
        T->colleague_pairs /= 2;
        T->role_pairs /= 2;
        suggest_roles(p, T, rng);
    }
    out->n_teams += (size_t)k;
    free(c.team_of);
    free(c.tm);
    free(c.ts);
    free(c.tcap);
    free(mem);
}

static void figures(const assign_person_t *p, size_t n, assign_result_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int g = out->group[i];
        bool any = p[i].choice1 >= 0 || p[i].choice2 >= 0;
        if (g < 0)
            out->n_unplaced++;
        if (!any) {
            out->n_no_choice++;
            continue;
        }
        out->n_with_choice++;
        if (g >= 0 && g == p[i].choice1)
            out->n_first++;
        else if (g >= 0 && g == p[i].choice2)
            out->n_second++;
        else
            out->n_neither++;
    }
    out->share_first = out->n_with_choice ? (double)out->n_first / (double)out->n_with_choice : 1.0;
    out->share_neither = out->n_with_choice ? (double)out->n_neither / (double)out->n_with_choice : 0.0;
    for (size_t t = 0; t < out->n_teams; t++) {
        const assign_team_t *T = &out->teams[t];
        out->colleague_pairs += T->colleague_pairs;
        out->role_pairs += T->role_pairs;
        if (t == 0 || T->n_members < out->team_size_min)
            out->team_size_min = T->n_members;
        if (T->n_members > out->team_size_max)
            out->team_size_max = T->n_members;
    }
}

int assign_run(const assign_person_t *p, size_t n, const assign_options_t *opt, assign_result_t *out)
{
    memset(out, 0, sizeof *out);
    int rc = validate(p, n, opt);
    if (rc < 0)
        return rc;
    uint64_t rng = opt->seed ^ 0x5354415453505249ull;   /* "STATSPRI": seed 0 is as good as any */
    out->n_people = n;
    out->group = xmalloc((n + 1) * sizeof *out->group);
    out->team = xmalloc((n + 1) * sizeof *out->team);
    out->group_size = xcalloc(opt->n_groups, sizeof *out->group_size);
    for (size_t i = 0; i < n; i++)
        out->team[i] = -1;
    assign_groups(p, n, opt, opt->capacity, &rng, out->group);
    int lo = opt->team_min ? opt->team_min : 6, hi = opt->team_max ? opt->team_max : 8;
    out->bounds_met = true;
    out->group_first = xcalloc(opt->n_groups + 1, sizeof *out->group_first);
    int *gsize = xcalloc(opt->n_groups + 1, sizeof *gsize);
    for (size_t i = 0; i < n; i++) {
        if (out->group[i] >= 0)
            gsize[out->group[i]]++;
        if (p[i].choice1 >= 0)
            out->group_first[p[i].choice1]++;
    }
    for (size_t g = 0; g < opt->n_groups; g++)
        if (!assign_size_fits(gsize[g], lo, hi))
            out->bounds_met = false;
    if (!out->bounds_met) {
        int *target = xcalloc(opt->n_groups + 1, sizeof *target);
        if (fit_targets(p, n, opt, out->group, lo, hi, target)) {
            assign_groups(p, n, opt, target, &rng, out->group);
            out->bounds_met = out->sizes_refit = true;
        }
        free(target);
    }
    free(gsize);
    strmap_t orgs, roles;
    strmap_init(&orgs);
    strmap_init(&roles);
    int n_org = 0, n_role = 0;
    int *org = xmalloc((n + 1) * sizeof *org), *role = xmalloc((n + 1) * sizeof *role);
    for (size_t i = 0; i < n; i++) {
        org[i] = intern(&orgs, p[i].organisation, &n_org);
        role[i] = intern(&roles, p[i].role, &n_role);
    }
    size_t teams_cap = 0;
    for (size_t g = 0; g < opt->n_groups; g++)
        group_teams(p, n, opt, (int)g, org, role, n_org, &rng, out, &teams_cap);
    figures(p, n, out);
    strmap_free(&orgs);
    strmap_free(&roles);
    free(org);
    free(role);
    return 0;
}

void assign_result_free(assign_result_t *r)
{
    if (r == NULL)
        return;
    for (size_t t = 0; t < r->n_teams; t++)
        free(r->teams[t].members);
    free(r->teams);
    free(r->group);
    free(r->team);
    free(r->group_size);
    free(r->group_first);
    memset(r, 0, sizeof *r);
}
