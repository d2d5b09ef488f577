/* suggest.c – the text engine in the method: proposed clusters and similar-idea hints.
 *
 * A suggestion is only a proposal (cluster.suggested): the team sees it and accepts
 * it, possibly edited, in one step (cluster.accept), which creates the clusters and
 * moves the notes as ordinary events and records a batch; cluster.undo reverts a batch
 * in one step. The text engine (src/text) is pure and deterministic, so suggesting
 * from the same notes gives the same proposal.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "text/text_cluster.h"
#include "text/text_norm.h"
#include "text/text_stem.h"
#include "text/text_stop.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CP LIMIT_CLUSTER_NAME
#define SIMILAR_THRESHOLD 0.45   /* near rewordings score 0.6–1.0 (tests/unit/test_text.c) */

/* The priors: published bank entries of earlier sprints (core_set_priors), never in the
 * log. An inverted index from word stems to priors picks the few worth comparing. */
typedef struct {
    uint32_t *v;
    size_t n, cap;
} posting_t;

typedef struct {
    strmap_t ids;        /* suggestion or batch id → index */
    json_t *items;       /* array of {kind, team, board, data, undone} */
    json_t *priors;      /* array of {sprint, sprint_title, date, kind, text, chosen, won} */
    strmap_t stems;      /* stem → index into post */
    posting_t *post;
    size_t npost, cappost;
    strmap_t hinted;     /* note id → 1 once its team had an idea.before (from the log) */
} suggest_state_t;

static void *state_new(void)
{
    suggest_state_t *s = xcalloc(1, sizeof *s);
    strmap_init(&s->ids);
    strmap_init(&s->stems);
    strmap_init(&s->hinted);
    s->items = json_array();
    s->priors = json_array();
    return s;
}

static void state_free(void *p)
{
    suggest_state_t *s = p;
    if (s == NULL)
        return;
    strmap_free(&s->ids);
    strmap_free(&s->stems);
    strmap_free(&s->hinted);
    for (size_t i = 0; i < s->npost; i++)
        free(s->post[i].v);
    free(s->post);
    json_decref(s->items);
    json_decref(s->priors);
    free(s);
}

static suggest_state_t *st(const core_t *c) { return core_mod(c, MOD_SUGGEST); }

static json_t *item_of(const core_t *c, const char *id, const char *kind, int team)
{
    int64_t i = id ? map_index(&st(c)->ids, id) : -1;
    json_t *it = i >= 0 ? json_array_get(st(c)->items, (size_t)i) : NULL;
    if (it == NULL || strcmp(json_string_value(json_object_get(it, "kind")), kind) != 0 ||
        json_integer_value(json_object_get(it, "team")) != team)
        return NULL;
    return it;
}

static const pb_step_t *cluster_step(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s = team_step(x->core, x->who->team);
    const char *board = json_string_value(json_object_get(args, "board"));
    if (s == NULL || s->act != ACT_CLUSTER || (board && strcmp(board, s->board) != 0))
        return NULL;
    return s;
}

static int cmd_suggest(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const pb_step_t *s = cluster_step(x, args);
    if (s == NULL)
        return SP_E_WRONG_STEP;
    int t = x->who->team;
    size_t n = 0;
    const char **texts = xcalloc(c->nnotes ? c->nnotes : 1, sizeof *texts);
    int *idx = xcalloc(c->nnotes ? c->nnotes : 1, sizeof *idx);
    for (size_t i = 0; i < c->nnotes; i++) {
        const note_t *nt = &c->notes[i];
        if (nt->team == t && !nt->deleted && !nt->private_ && strcmp(nt->board, s->board) == 0) {
            texts[n] = nt->text;
            idx[n++] = (int)i;
        }
    }
    text_clustering_t tc;
    int rc = n > 0 ? text_cluster(texts, n, NULL, &tc) : SP_E_NOT_FOUND;
    if (rc != 0) {
        free(texts);
        free(idx);
        return rc == SP_E_NOT_FOUND ? rc : SP_E_BAD_MESSAGE;
    }
    json_t *groups = json_array();
    for (size_t k = 1; k <= tc.n_clusters; k++) {
        json_t *notes = json_array();
        for (size_t i = 0; i < n; i++)
            if (tc.cluster[i] == (int)k)
                json_array_append_new(notes, json_string(c->notes[idx[i]].id));
        json_array_append_new(groups, json_pack("{ss so}", "name",
                                                tc.label[k][0] ? tc.label[k] : "Overig", "notes", notes));
    }
    text_clustering_free(&tc);
    free(texts);
    free(idx);
    char id[16];
    snprintf(id, sizeof id, "g%zu", json_array_size(st(c)->items) + 1);
    cmd_emit(x, "cluster.suggested", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss ss so}", "id", id, "team", c->teams[t].id, "board", s->board,
                       "groups", groups));
    return 0;
}

/* Checks edited groups: names 1..80, notes live shared notes of the team's board,
 * each in at most one group. */
static int groups_ok(const core_t *c, int t, const char *board, const json_t *groups)
{
    size_t i, j;
    json_t *g, *nv;
    strmap_t seen;
    int rc = 0;
    if (!json_is_array(groups) || json_array_size(groups) == 0 || json_array_size(groups) > 200)
        return SP_E_BAD_MESSAGE;
    strmap_init(&seen);
    json_array_foreach(groups, i, g) {
        const char *name;
        if (!json_is_object(g) || (rc = arg_text(g, "name", NAME_MAX_CP, &name)) != 0 ||
            !json_is_array(json_object_get(g, "notes"))) {
            rc = rc ? rc : SP_E_BAD_MESSAGE;
            break;
        }
        json_array_foreach(json_object_get(g, "notes"), j, nv) {
            int64_t k = map_index(&c->note_ids, json_string_value(nv));
            if (k < 0 || c->notes[k].team != t || c->notes[k].deleted || c->notes[k].private_ ||
                strcmp(c->notes[k].board, board) != 0 || strmap_get(&seen, c->notes[k].id, NULL)) {
                rc = SP_E_BAD_TARGET;
                break;
            }
            strmap_put(&seen, c->notes[k].id, 1);
        }
        if (rc)
            break;
    }
    strmap_free(&seen);
    return rc;
}

static int cmd_accept(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const pb_step_t *s = cluster_step(x, args);
    if (s == NULL)
        return SP_E_WRONG_STEP;
    int t = x->who->team, rc;
    json_t *sug = item_of(c, json_string_value(json_object_get(args, "suggestion")), "suggestion", t);
    if (sug == NULL)
        return SP_E_NOT_FOUND;
    if (strcmp(json_string_value(json_object_get(sug, "board")), s->board) != 0)
        return SP_E_WRONG_STEP;
    const json_t *groups = json_object_get(args, "groups");
    if (groups == NULL)
        groups = json_object_get(json_object_get(sug, "data"), "groups");
    if ((rc = groups_ok(c, t, s->board, groups)) != 0)
        return rc;
    json_t *made = json_array(), *moved = json_array(), *g, *nv;
    size_t i, j;
    json_array_foreach(groups, i, g) {
        char kid[16];
        snprintf(kid, sizeof kid, "k%zu", c->nclusters + 1);
        cmd_emit(x, "cluster.added", AUD_TEAM, c->teams[t].id,
                 json_pack("{ss ss ss sO}", "id", kid, "team", c->teams[t].id, "board", s->board,
                           "name", json_object_get(g, "name")));
        json_array_append_new(made, json_string(kid));
        json_array_foreach(json_object_get(g, "notes"), j, nv) {
            int64_t k = map_index(&c->note_ids, json_string_value(nv));
            int from = c->notes[k].cluster;
            json_array_append_new(moved, json_pack("{ss so}", "note", c->notes[k].id, "from",
                                                   from >= 0 ? json_string(c->clusters[from].id) : json_null()));
            cmd_emit(x, "note.moved", AUD_TEAM, c->teams[t].id,
                     json_pack("{ss ss}", "id", c->notes[k].id, "cluster", kid));
        }
    }
    char bid[16];
    snprintf(bid, sizeof bid, "b%zu", json_array_size(st(c)->items) + 1);
    cmd_emit(x, "cluster.batch", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss sO so so}", "id", bid, "team", c->teams[t].id, "suggestion",
                       json_object_get(args, "suggestion"), "clusters", made, "moved", moved));
    return 0;
}

static int cmd_undo(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    if (cluster_step(x, args) == NULL)
        return SP_E_WRONG_STEP;
    int t = x->who->team;
    json_t *b = item_of(c, json_string_value(json_object_get(args, "batch")), "batch", t);
    if (b == NULL || json_is_true(json_object_get(b, "undone")))
        return SP_E_NOT_FOUND;
    json_t *data = json_object_get(b, "data"), *v;
    size_t i;
    json_array_foreach(json_object_get(data, "clusters"), i, v)
        if (vote_frozen(c, t, json_string_value(v)) != 0)
            return SP_E_FROZEN;
    /* Notes first, back where they were; then the batch's clusters go. */
    json_array_foreach(json_object_get(data, "moved"), i, v) {
        int64_t k = map_index(&c->note_ids, json_string_value(json_object_get(v, "note")));
        if (k < 0 || c->notes[k].deleted)
            continue;
        const char *from = json_string_value(json_object_get(v, "from"));
        int64_t fk = from ? map_index(&c->cluster_ids, from) : -1;
        json_t *d = json_pack("{ss}", "id", c->notes[k].id);
        json_object_set_new(d, "cluster", fk >= 0 && !c->clusters[fk].deleted ? json_string(from) : json_null());
        cmd_emit(x, "note.moved", AUD_TEAM, c->teams[t].id, d);
    }
    json_array_foreach(json_object_get(data, "clusters"), i, v) {
        int64_t k = map_index(&c->cluster_ids, json_string_value(v));
        if (k >= 0 && !c->clusters[k].deleted) {
            vote_drop_target(x, t, c->clusters[k].id);
            cmd_emit(x, "cluster.deleted", AUD_TEAM, c->teams[t].id, json_pack("{sO}", "id", v));
        }
    }
    cmd_emit(x, "cluster.undone", AUD_TEAM, c->teams[t].id,
             json_pack("{sO}", "batch", json_object_get(args, "batch")));
    return 0;
}

void suggest_similar_idea(cmdctx_t *x, int note)
{
    core_t *c = x->core;
    const note_t *nw = &c->notes[note];
    size_t n = 0;
    const char **texts = xcalloc(c->nnotes ? c->nnotes : 1, sizeof *texts);
    int *idx = xcalloc(c->nnotes ? c->nnotes : 1, sizeof *idx);
    for (size_t i = 0; i < c->nnotes; i++) {
        const note_t *o = &c->notes[i];
        /* Only what the author can already see: round 1 stays blind. */
        if ((int)i == note || o->team != nw->team || o->deleted || strcmp(o->board, nw->board) != 0 ||
            (o->private_ && o->author != nw->author))
            continue;
        texts[n] = o->text;
        idx[n++] = (int)i;
    }
    size_t best;
    double score;
    if (n > 0 && text_similar(nw->text, texts, n, SIMILAR_THRESHOLD, &best, &score) == 1)
        cmd_emit(x, "idea.similar", AUD_MEMBER, c->members[nw->author].id,
                 json_pack("{ss ss ss sf}", "note", nw->id, "similar", c->notes[idx[best]].id, "text",
                           c->notes[idx[best]].text, "score", score));
    free(texts);
    free(idx);
}

/* ---- "this came up before" ------------------------------------------------------------------ */

#define PRIOR_THRESHOLD 0.5     /* a close rewording, as for idea.similar (test_text.c) */
#define PRIOR_CANDIDATES 16     /* compared with text_similar (about 0.1 ms): those sharing most stems */
#define PRIOR_COMMON 5000       /* a stem in more priors than this tells nothing */

/* Calls fn for each distinct content stem of text (stop words left out). */
static void each_stem(text_stemmer_t *st, text_tokens_t *tk, const char *text,
                      void (*fn)(void *ud, const char *stem), void *ud)
{
    text_tokenize(text, tk);
    for (size_t i = 0; i < tk->n; i++) {
        const char *k = tk->tok[i].key;
        size_t len = tk->tok[i].key_len, sl;
        if (len >= 64 || text_stop_is(k, len))
            continue;
        const char *w = text_stem(st, k, len, &sl);
        char buf[64];
        memcpy(buf, w, sl < 63 ? sl : 63);
        buf[sl < 63 ? sl : 63] = '\0';
        fn(ud, buf);
    }
}

typedef struct {
    suggest_state_t *s;
    uint32_t prior;
} index_ctx_t;

static void index_stem(void *ud, const char *stem)
{
    index_ctx_t *x = ud;
    suggest_state_t *s = x->s;
    int64_t at;
    if (!strmap_get(&s->stems, stem, &at)) {
        xgrow((void **)&s->post, &s->cappost, s->npost + 1, sizeof *s->post);
        memset(&s->post[s->npost], 0, sizeof *s->post);
        at = (int64_t)s->npost++;
        strmap_put(&s->stems, stem, at);
    }
    posting_t *p = &s->post[at];
    if (p->n && p->v[p->n - 1] == x->prior)
        return;   /* a stem twice in one text */
    xgrow((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v);
    p->v[p->n++] = x->prior;
}

static const char *rm_s(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

void core_set_priors(core_t *c, const json_t *entries)
{
    suggest_state_t *s = st(c);
    json_array_clear(s->priors);
    strmap_free(&s->stems);
    strmap_init(&s->stems);
    for (size_t i = 0; i < s->npost; i++)
        free(s->post[i].v);
    free(s->post);
    s->post = NULL;
    s->npost = s->cappost = 0;
    text_stemmer_t *stem = text_stemmer_new();
    text_tokens_t tk;
    text_tokens_init(&tk);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *text = json_string_value(json_object_get(e, "text"));
        if (kind == NULL || text == NULL || text[0] == '\0' ||
            (strcmp(kind, "idee") != 0 && strcmp(kind, "gekozen") != 0 && strcmp(kind, "probleem") != 0))
            continue;
        json_t *p = json_pack("{ss ss ss ss ss si si}", "sprint", rm_s(e, "sprint"), "sprint_title",
                              rm_s(e, "sprint_title"), "date", rm_s(e, "date"), "kind", kind, "text", text,
                              "chosen", (int)json_integer_value(json_object_get(e, "chosen")), "won",
                              (int)json_integer_value(json_object_get(e, "won")));
        index_ctx_t x = {s, (uint32_t)json_array_size(s->priors)};
        json_array_append_new(s->priors, p);
        each_stem(stem, &tk, text, index_stem, &x);
    }
    text_tokens_free(&tk);
    text_stemmer_free(stem);
}

typedef struct {
    suggest_state_t *s;
    uint16_t *hits;
    uint32_t *touched;
    size_t ntouched;
} cand_ctx_t;

static void cand_stem(void *ud, const char *stem)
{
    cand_ctx_t *x = ud;
    int64_t at;
    if (!strmap_get(&x->s->stems, stem, &at) || x->s->post[at].n > PRIOR_COMMON)
        return;
    const posting_t *p = &x->s->post[at];
    for (size_t i = 0; i < p->n; i++) {
        if (x->hits[p->v[i]]++ == 0)
            x->touched[x->ntouched++] = p->v[i];
    }
}

static int cand_cmp(const void *a, const void *b, void *ud)
{
    const cand_ctx_t *cx = ud;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int hx = cx->hits[x], hy = cx->hits[y];
    return hx != hy ? hy - hx : (x > y) - (x < y);
}

/* The closest prior to text, or -1: candidates share stems, text_similar decides. */
static int closest_prior(suggest_state_t *s, const char *text, double *score)
{
    size_t np = json_array_size(s->priors);
    if (np == 0)
        return -1;
    text_stemmer_t *stem = text_stemmer_new();
    text_tokens_t tk;
    text_tokens_init(&tk);
    cand_ctx_t x = {s, xcalloc(np, sizeof(uint16_t)), xcalloc(np, sizeof(uint32_t)), 0};
    each_stem(stem, &tk, text, cand_stem, &x);
    text_tokens_free(&tk);
    text_stemmer_free(stem);
    qsort_r(x.touched, x.ntouched, sizeof *x.touched, cand_cmp, &x);
    size_t n = x.ntouched < PRIOR_CANDIDATES ? x.ntouched : PRIOR_CANDIDATES;
    const char **texts = xcalloc(n ? n : 1, sizeof *texts);
    for (size_t i = 0; i < n; i++)
        texts[i] = json_string_value(json_object_get(json_array_get(s->priors, x.touched[i]), "text"));
    size_t best;
    int found = n > 0 && text_similar(text, texts, n, PRIOR_THRESHOLD, &best, score) == 1
                    ? (int)x.touched[best] : -1;
    free(texts);
    free(x.hits);
    free(x.touched);
    return found;
}

void suggest_prior_hint(cmdctx_t *x, int note)
{
    core_t *c = x->core;
    suggest_state_t *s = st(c);
    const note_t *nw = &c->notes[note];
    if (nw->deleted || map_index(&s->hinted, nw->id) >= 0)
        return;
    double score = 0;
    int p = closest_prior(s, nw->text, &score);
    if (p < 0)
        return;
    const json_t *pr = json_array_get(s->priors, (size_t)p);
    json_t *d = json_deep_copy(pr);
    json_object_set_new(d, "note", json_string(nw->id));
    json_object_set_new(d, "score", json_real(score));
    /* A round-1 idea is its author's alone; once the team sees it, the team (and the
     * room's desk) hear what became of the earlier one. */
    if (nw->private_) {
        cmd_emit(x, "idea.before", AUD_MEMBER, c->members[nw->author].id, d);
        return;
    }
    cmd_emit(x, "idea.before", AUD_DESK, c->rooms[c->teams[nw->team].room].id, json_deep_copy(d));
    cmd_emit(x, "idea.before", AUD_TEAM, c->teams[nw->team].id, d);
}

void suggest_prior_vote(cmdctx_t *x, int t, const char *board)
{
    core_t *c = x->core;
    for (size_t i = 0; i < c->nnotes; i++) {
        const note_t *n = &c->notes[i];
        if (n->team == t && !n->deleted && !n->private_ && strcmp(n->board, board) == 0)
            suggest_prior_hint(x, (int)i);
    }
}

static const cmddef_t suggest_cmds[] = {
    {"cluster.suggest", ROLE_BIT(ROLE_PARTICIPANT), cmd_suggest},
    {"cluster.accept", ROLE_BIT(ROLE_PARTICIPANT), cmd_accept},
    {"cluster.undo", ROLE_BIT(ROLE_PARTICIPANT), cmd_undo},
    {NULL, 0, NULL},
};

static void remember(core_t *c, const ev_t *ev, const char *kind)
{
    int t = team_index(c, ev_str(ev, "team"));
    suggest_state_t *s = st(c);
    strmap_put(&s->ids, ev_str(ev, "id"), (int64_t)json_array_size(s->items));
    json_array_append_new(s->items, json_pack("{ss si sO sO}", "kind", kind, "team", t, "board",
                                              json_object_get(ev->data, "board") ? json_object_get(ev->data, "board") : json_null(),
                                              "data", ev->data));
}

static void on_suggested(core_t *c, const ev_t *ev) { remember(c, ev, "suggestion"); }

static void on_before(core_t *c, const ev_t *ev)
{
    if (ev->aud_kind == AUD_TEAM)
        strmap_put(&st(c)->hinted, ev_str(ev, "note"), 1);
}
static void on_batch(core_t *c, const ev_t *ev) { remember(c, ev, "batch"); }

static void on_undone(core_t *c, const ev_t *ev)
{
    int64_t i = map_index(&st(c)->ids, ev_str(ev, "batch"));
    if (i >= 0)
        json_object_set_new(json_array_get(st(c)->items, (size_t)i), "undone", json_true());
}

static const applydef_t suggest_apply[] = {
    {"cluster.suggested", on_suggested},
    {"cluster.batch", on_batch},
    {"cluster.undone", on_undone},
    {"idea.before", on_before},
    {NULL, NULL},
};

const core_module_t suggest_module = {"suggest", suggest_cmds, suggest_apply, state_new, state_free};
