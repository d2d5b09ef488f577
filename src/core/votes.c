/* votes.c – dot voting: budgets, hidden dots, reveal, ranked tally, ties for the captain.
 *
 * Invariants
 *  1. Until a team's vote is revealed, a dot is only ever in an event for its voter
 *     (vote.placed / vote.removed have audience member); the team learns only who is
 *     done (vote.progress).
 *  2. A member never holds more dots than the step's budget.
 *  3. After the reveal the vote is closed: no dot moves any more.
 *  4. With `select` > 0 the options that go on are known (selected) or a tie waits
 *     for the captain (tie); leaving the step needs selected.
 *  5. What a vote selected (or holds in a tie) is frozen: no edit, no delete (frozen).
 *  6. A dot never silently disappears: deleting an option of a vote not yet revealed
 *     first takes every dot on it back with vote.removed to its voter.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options of vote step s for team t, in creation order; returns a JSON array
 * of ids (caller owns). */
static json_t *vote_options(const core_t *c, int t, const pb_step_t *s)
{
    json_t *a = json_array();
    switch (s->target) {
    case TARGET_LIST:
        for (size_t i = 0; i < c->nitems; i++)
            if (c->items[i].team == t && !c->items[i].deleted && strcmp(c->items[i].list, s->target_id) == 0)
                json_array_append_new(a, json_string(c->items[i].id));
        break;
    case TARGET_CLUSTERS:
        for (size_t i = 0; i < c->nclusters; i++)
            if (c->clusters[i].team == t && !c->clusters[i].deleted &&
                strcmp(c->clusters[i].board, s->target_id) == 0)
                json_array_append_new(a, json_string(c->clusters[i].id));
        break;
    case TARGET_BOARD:
        for (size_t i = 0; i < c->nnotes; i++)
            if (c->notes[i].team == t && !c->notes[i].deleted && !c->notes[i].private_ &&
                strcmp(c->notes[i].board, s->target_id) == 0)
                json_array_append_new(a, json_string(c->notes[i].id));
        break;
    }
    return a;
}

static int option_valid(const core_t *c, int t, const pb_step_t *s, const char *target)
{
    json_t *a = vote_options(c, t, s), *v;
    size_t i;
    int ok = 0;
    json_array_foreach(a, i, v)
        if (strcmp(json_string_value(v), target) == 0)
            ok = 1;
    json_decref(a);
    return ok;
}

static int dots_of(const vote_t *v, int member, const char *target)
{
    int n = 0;
    for (size_t i = 0; v && i < v->nballots; i++)
        if (v->ballots[i].member == member && (target == NULL || strcmp(v->ballots[i].target, target) == 0))
            n += v->ballots[i].count;
    return n;
}

/* The vote step the caller's team is at, or an error. */
static int current_vote(cmdctx_t *x, int t, const pb_step_t **s, vote_t **v)
{
    *s = team_step(x->core, t);
    if (*s == NULL)
        return SP_E_NO_PLAYBOOK;
    if ((*s)->act != ACT_VOTE)
        return SP_E_WRONG_STEP;
    *v = vote_of(x->core, t, x->core->teams[t].step, 0);
    if (*v && (*v)->revealed)
        return SP_E_VOTE_CLOSED;
    return 0;
}

static int cmd_vote_dot(cmdctx_t *x, const json_t *args, int delta)
{
    const pb_step_t *s;
    vote_t *v;
    int t = x->who->team, rc = current_vote(x, t, &s, &v);
    if (rc != 0)
        return rc;
    const char *target = json_string_value(json_object_get(args, "target"));
    if (target == NULL)
        return SP_E_BAD_MESSAGE;
    if (!option_valid(x->core, t, s, target))
        return SP_E_BAD_TARGET;
    int m = x->who->member, mine = dots_of(v, m, target), used = dots_of(v, m, NULL);
    if (delta > 0 && used >= s->budget)
        return SP_E_VOTE_BUDGET_EXHAUSTED;
    if (delta < 0 && mine == 0)
        return SP_E_VOTE_NO_DOT;
    /* Invariant 1: only the voter hears of the dot. */
    cmd_emit(x, delta > 0 ? "vote.placed" : "vote.removed", AUD_MEMBER, x->who->actor,
             json_pack("{ss ss si si si}", "step", s->id, "target", target, "mine", mine + delta,
                       "used", used + delta, "budget", s->budget));
    return 0;
}

static int cmd_vote_place(cmdctx_t *x, const json_t *args) { return cmd_vote_dot(x, args, 1); }
static int cmd_vote_remove(cmdctx_t *x, const json_t *args) { return cmd_vote_dot(x, args, -1); }

typedef struct {
    const char *target;
    int count, order;
} tally_t;

static int tally_cmp(const void *a, const void *b)
{
    const tally_t *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return x->order - y->order;
}

/* Emits vote.revealed for team t: the ranked tally and what goes on. */
static void reveal(cmdctx_t *x, int t)
{
    core_t *c = x->core;
    const pb_step_t *s = team_step(c, t);
    vote_t *v = vote_of(c, t, c->teams[t].step, 0);
    json_t *opts = vote_options(c, t, s);
    size_t n = json_array_size(opts);
    tally_t *tl = xcalloc(n ? n : 1, sizeof *tl);
    for (size_t i = 0; i < n; i++) {
        tl[i].target = json_string_value(json_array_get(opts, i));
        tl[i].order = (int)i;
        for (size_t b = 0; v && b < v->nballots; b++)
            if (strcmp(v->ballots[b].target, tl[i].target) == 0)
                tl[i].count += v->ballots[b].count;
    }
    qsort(tl, n, sizeof *tl, tally_cmp);
    json_t *tally = json_array(), *selected = json_null(), *tie = json_null();
    size_t voted = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(tally, json_pack("{ss si}", "target", tl[i].target, "count", tl[i].count));
        if (tl[i].count > 0)
            voted++;
    }
    size_t k = (size_t)s->select;
    if (k > 0) {
        if (voted <= k || tl[k].count < tl[k - 1].count) {
            /* A clear cut: at most k options, only ones with dots. */
            json_decref(selected);
            selected = json_array();
            for (size_t i = 0; i < n && i < k && tl[i].count > 0; i++)
                json_array_append_new(selected, json_string(tl[i].target));
        } else {
            int cut = tl[k - 1].count;
            json_t *fixed = json_array(), *cands = json_array();
            for (size_t i = 0; i < n; i++) {
                if (tl[i].count > cut)
                    json_array_append_new(fixed, json_string(tl[i].target));
                else if (tl[i].count == cut)
                    json_array_append_new(cands, json_string(tl[i].target));
            }
            json_decref(tie);
            tie = json_pack("{so so si}", "fixed", fixed, "candidates", cands, "places",
                            (int)(k - json_array_size(fixed)));
        }
    }
    cmd_emit(x, "vote.revealed", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss so so so}", "team", c->teams[t].id, "step", s->id, "tally", tally,
                       "selected", selected, "tie", tie));
    free(tl);
    json_decref(opts);
}

static int team_size(const core_t *c, int t)
{
    int n = 0;
    for (size_t m = 0; m < c->nmembers; m++)
        if (c->members[m].team == t)
            n++;
    return n;
}

static int cmd_vote_done(cmdctx_t *x, const json_t *args)
{
    const pb_step_t *s;
    vote_t *v;
    core_t *c = x->core;
    int t = x->who->team, rc = current_vote(x, t, &s, &v);
    if (rc != 0)
        return rc;
    json_t *done = json_array();
    int ndone = 0, me_done = 0;
    for (size_t m = 0; m < c->nmembers; m++) {
        int is_done = (v && m < v->ndone && v->done[m]) || (int)m == x->who->member;
        if (c->members[m].team == t && is_done) {
            json_array_append_new(done, json_string(c->members[m].id));
            ndone++;
        }
        if ((int)m == x->who->member && v && m < v->ndone && v->done[m])
            me_done = 1;
    }
    if (me_done) {
        json_decref(done);
        return 0;
    }
    int members = team_size(c, t);
    cmd_emit(x, "vote.progress", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss so si}", "team", c->teams[t].id, "step", s->id, "done", done,
                       "members", members));
    if (ndone >= members)
        reveal(x, t);
    return 0;
}

static int check_reveal(cmdctx_t *x, int t, void *ud)
{
    (void)ud;
    const pb_step_t *s;
    vote_t *v;
    /* Who may comes before when: a member who may not reveal hears so at every step. */
    if (!is_captain(x->core, x->who, t) && !is_staff_for(x->core, x->who, t))
        return SP_E_FORBIDDEN;
    return current_vote(x, t, &s, &v);
}

static int cmd_vote_reveal(cmdctx_t *x, const json_t *args)
{
    int teams[LIMIT_TEAMS_PER_CMD];
    int n = cmd_teams_checked(x, args, teams, LIMIT_TEAMS_PER_CMD, check_reveal, NULL);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++)
        reveal(x, teams[i]);
    return 0;
}

static int cmd_vote_decide(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int t = cmd_team(x, args);
    if (t < 0)
        return t;
    /* The captain's call; staff only stand in for a team without a captain. The role is
     * checked before the step (protocol.md, order of refusals). */
    if (!is_captain(c, x->who, t) && !(c->teams[t].captain < 0 && is_staff_for(c, x->who, t)))
        return SP_E_FORBIDDEN;
    const pb_step_t *s = team_step(c, t);
    if (s == NULL || s->act != ACT_VOTE)
        return SP_E_WRONG_STEP;
    vote_t *v = vote_of(c, t, c->teams[t].step, 0);
    if (v == NULL || !v->revealed || v->tie == NULL)
        return SP_E_NOT_A_TIE;
    json_t *chosen = json_object_get(args, "targets"), *ch;
    if (!json_is_array(chosen))
        return SP_E_BAD_MESSAGE;
    json_t *cands = json_object_get(v->tie, "candidates");
    size_t places = (size_t)json_integer_value(json_object_get(v->tie, "places")), i, j, k;
    if (json_array_size(chosen) != places)
        return SP_E_BAD_CHOICE;
    json_array_foreach(chosen, i, ch) {
        int in = 0;
        json_t *cd;
        if (!json_is_string(ch))
            return SP_E_BAD_CHOICE;
        json_array_foreach(cands, j, cd)
            if (strcmp(json_string_value(cd), json_string_value(ch)) == 0)
                in = 1;
        for (k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(chosen, k)), json_string_value(ch)) == 0)
                in = 0;   /* the same option twice */
        if (!in)
            return SP_E_BAD_CHOICE;
    }
    json_t *selected = json_deep_copy(json_object_get(v->tie, "fixed"));
    json_array_extend(selected, chosen);
    cmd_emit(x, "vote.decided", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss so}", "team", c->teams[t].id, "step", s->id, "selected", selected));
    return 0;
}

static int in_array(const json_t *a, const char *target)
{
    const json_t *e;
    size_t i;
    json_array_foreach(a, i, e)
        if (json_is_string(e) && strcmp(json_string_value(e), target) == 0)
            return 1;
    return 0;
}

int vote_frozen(const core_t *c, int t, const char *target)
{
    const team_t *tm = &c->teams[t];
    for (size_t i = 0; target != NULL && i < tm->nvotes; i++) {
        const vote_t *v = &tm->votes[i];
        /* Invariant 5: what goes on (or still may, in a tie) stays as it was chosen. */
        if (in_array(v->selected, target) || in_array(json_object_get(v->tie, "fixed"), target) ||
            in_array(json_object_get(v->tie, "candidates"), target))
            return SP_E_FROZEN;
    }
    return 0;
}

void vote_drop_target(cmdctx_t *x, int t, const char *target)
{
    core_t *c = x->core;
    team_t *tm = &c->teams[t];
    for (size_t i = 0; i < tm->nvotes; i++) {
        vote_t *v = &tm->votes[i];
        if (v->revealed)
            continue;   /* closed: its tally is published history */
        const pb_step_t *s = &c->pb.steps[v->step];
        for (size_t b = 0; b < v->nballots; b++) {
            ballot_t *bl = &v->ballots[b];
            if (bl->count <= 0 || strcmp(bl->target, target) != 0)
                continue;
            int used = dots_of(v, bl->member, NULL) - bl->count;
            const char *mid = c->members[bl->member].id;
            /* Invariant 6: the voter hears that the dot is gone and gets it back. */
            cmd_emit(x, "vote.removed", AUD_MEMBER, mid,
                     json_pack("{ss ss si si si sb}", "step", s->id, "target", target, "mine", 0,
                               "used", used, "budget", s->budget, "gone", 1));
        }
    }
}

static const cmddef_t vote_cmds[] = {
    {"vote.place", ROLE_BIT(ROLE_PARTICIPANT), cmd_vote_place},
    {"vote.remove", ROLE_BIT(ROLE_PARTICIPANT), cmd_vote_remove},
    {"vote.done", ROLE_BIT(ROLE_PARTICIPANT), cmd_vote_done},
    {"vote.reveal", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_vote_reveal},
    {"vote.decide", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_vote_decide},
    {NULL, 0, NULL},
};

/* ---- appliers --------------------------------------------------------------------------- */

/* The team and vote an event is about: a member event names no team, so it comes
 * from the voter. */
static vote_t *ev_vote(core_t *c, const ev_t *ev, int *member)
{
    int t;
    *member = member_index(c, ev->aud_kind == AUD_MEMBER ? ev->aud_id : ev->actor);
    if (ev->aud_kind == AUD_TEAM)
        t = team_index(c, ev->aud_id);
    else
        t = *member >= 0 ? c->members[*member].team : -1;
    int s = c->has_pb ? playbook_find(&c->pb, ev_str(ev, "step")) : -1;
    if (t < 0 || s < 0)
        return NULL;
    return vote_of(c, t, s, 1);
}

static void on_vote_dot(core_t *c, const ev_t *ev)
{
    int m;
    vote_t *v = ev_vote(c, ev, &m);
    if (v == NULL || m < 0)
        return;
    const char *target = ev_str(ev, "target");
    int mine = (int)json_integer_value(json_object_get(ev->data, "mine"));
    for (size_t i = 0; i < v->nballots; i++)
        if (v->ballots[i].member == m && strcmp(v->ballots[i].target, target) == 0) {
            v->ballots[i].count = mine;
            return;
        }
    xgrow((void **)&v->ballots, &v->capballots, v->nballots + 1, sizeof *v->ballots);
    ballot_t *b = &v->ballots[v->nballots++];
    b->member = m;
    snprintf(b->target, sizeof b->target, "%s", target);
    b->count = mine;
}

static void on_vote_progress(core_t *c, const ev_t *ev)
{
    int m;
    vote_t *v = ev_vote(c, ev, &m);
    json_t *d;
    size_t i;
    if (v == NULL)
        return;
    json_array_foreach(json_object_get(ev->data, "done"), i, d) {
        int k = member_index(c, json_string_value(d) ? json_string_value(d) : "");
        if (k < 0)
            continue;
        if ((size_t)k >= v->ndone) {
            v->done = xrealloc(v->done, c->nmembers);
            memset(v->done + v->ndone, 0, c->nmembers - v->ndone);
            v->ndone = c->nmembers;
        }
        v->done[k] = 1;
    }
}

static void on_vote_revealed(core_t *c, const ev_t *ev)
{
    int m;
    vote_t *v = ev_vote(c, ev, &m);
    if (v == NULL)
        return;
    v->revealed = 1;
    json_t *sel = json_object_get(ev->data, "selected"), *tie = json_object_get(ev->data, "tie");
    json_decref(v->selected);
    json_decref(v->tie);
    v->selected = json_is_array(sel) ? json_incref(sel) : NULL;
    v->tie = json_is_object(tie) ? json_incref(tie) : NULL;
}

static void on_vote_decided(core_t *c, const ev_t *ev)
{
    int m;
    vote_t *v = ev_vote(c, ev, &m);
    if (v == NULL)
        return;
    json_decref(v->selected);
    json_decref(v->tie);
    v->selected = json_incref(json_object_get(ev->data, "selected"));
    v->tie = NULL;
}

static const applydef_t vote_apply[] = {
    {"vote.placed", on_vote_dot},
    {"vote.removed", on_vote_dot},
    {"vote.progress", on_vote_progress},
    {"vote.revealed", on_vote_revealed},
    {"vote.decided", on_vote_decided},
    {NULL, NULL},
};

const core_module_t vote_module = {"vote", vote_cmds, vote_apply, NULL, NULL};
