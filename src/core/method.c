/* method.c – walking the playbook: steps, timers, team roles and introductions.
 *
 * Each team is at one step of the playbook (team_t.step). Moving on is the captain's
 * (or staff's) call and is refused while the step's result is not settled: an
 * unrevealed vote, a tie the captain has not decided, a running race round. Going
 * back to an earlier step is always allowed, so a team can sharpen earlier results;
 * every change stays in the log.
 *
 * Timer states:  idle ──start──▶ running ──pause──▶ paused ──resume──▶ running
 *                running ──(time passes, core_tick)──▶ expired ──extend──▶ running
 *                running/paused/expired ──stop──▶ stopped ──start──▶ running
 * A step change resets the timer to idle with the new step's duration.
 */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEAMS_PER_CMD LIMIT_TEAMS_PER_CMD

static json_t *timer_json(const core_t *c, int t, timer_state_t st, int64_t duration,
                          int64_t ends_at, int64_t remaining)
{
    static const char *const names[] = {"idle", "running", "paused", "stopped", "expired"};
    const pb_step_t *s = team_step(c, t);
    json_t *o = json_pack("{ss ss ss sI}", "team", c->teams[t].id, "step", s ? s->id : "",
                          "state", names[st], "duration_ms", (json_int_t)duration);
    if (st == TIMER_RUNNING)
        json_object_set_new(o, "ends_at", json_integer(ends_at));
    if (st == TIMER_PAUSED)
        json_object_set_new(o, "remaining_ms", json_integer(remaining));
    return o;
}

/* ---- steps --------------------------------------------------------------------------- */

/* Whether team t may leave its current step. */
static int step_settled(core_t *c, int t)
{
    const pb_step_t *s = team_step(c, t);
    if (s->act == ACT_VOTE) {
        vote_t *v = vote_of(c, t, c->teams[t].step, 0);
        if (v == NULL || !v->revealed)
            return SP_E_VOTE_NOT_REVEALED;
        if (s->select > 0 && v->selected == NULL)
            return SP_E_TIE_UNRESOLVED;
    }
    if (s->act == ACT_RACE && c->races[c->teams[t].room].running)
        return SP_E_RACE_RUNNING;
    /* The race is the step: a team does not skip it before one round was played. */
    if (s->act == ACT_RACE && c->races[c->teams[t].room].round == 0)
        return SP_E_RACE_NOT_STARTED;
    return 0;
}

static int may_lead(core_t *c, const who_t *who, int t)
{
    return is_captain(c, who, t) || is_staff_for(c, who, t);
}

static void emit_step(cmdctx_t *x, int t, int index, int back)
{
    core_t *c = x->core;
    cmd_emit(x, "step.changed", AUD_TEAM, c->teams[t].id,
             json_pack("{ss ss si sb si}", "team", c->teams[t].id, "step", c->pb.steps[index].id,
                       "index", index, "back", back, "minutes", c->pb.steps[index].minutes));
}

static int check_next(cmdctx_t *x, int t, void *ud)
{
    (void)ud;
    core_t *c = x->core;
    if (!may_lead(c, x->who, t))
        return SP_E_FORBIDDEN;
    if ((size_t)c->teams[t].step + 1 >= c->pb.nsteps)
        return SP_E_LAST_STEP;
    return step_settled(c, t);
}

static int cmd_step_next(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int teams[MAX_TEAMS_PER_CMD];
    if (!c->has_pb)
        return SP_E_NO_PLAYBOOK;
    int n = cmd_teams_checked(x, args, teams, MAX_TEAMS_PER_CMD, check_next, NULL);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        int t = teams[i];
        const pb_step_t *s = team_step(c, t);
        /* The end of a private brainstorm shares what was still private. */
        if (s->act == ACT_BRAINSTORM && s->private_notes)
            share_private_notes(x, t, s->board);
        emit_step(x, t, c->teams[t].step + 1, 0);
        /* The ideas go on the ballot: each one close to an earlier sprint's says so. */
        const pb_step_t *ns = team_step(c, t);
        if (ns->act == ACT_VOTE && ns->target == TARGET_BOARD)
            suggest_prior_vote(x, t, ns->target_id);
    }
    return 0;
}

static int check_back(cmdctx_t *x, int t, void *ud)
{
    core_t *c = x->core;
    int target = *(const int *)ud;
    if (!may_lead(c, x->who, t))
        return SP_E_FORBIDDEN;
    if (target < 0)
        return SP_E_NOT_FOUND;   /* an unknown step: only after the role (order of refusals) */
    if (target >= c->teams[t].step)
        return SP_E_NOT_EARLIER_STEP;
    if (c->pb.steps[c->teams[t].step].act == ACT_RACE && c->races[c->teams[t].room].running)
        return SP_E_RACE_RUNNING;
    return 0;
}

static int cmd_step_back(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int teams[MAX_TEAMS_PER_CMD];
    if (!c->has_pb)
        return SP_E_NO_PLAYBOOK;
    const char *step = json_string_value(json_object_get(args, "step"));
    if (step == NULL)
        return SP_E_BAD_MESSAGE;
    int target = playbook_find(&c->pb, step);
    int n = cmd_teams_checked(x, args, teams, MAX_TEAMS_PER_CMD, check_back, &target);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++)
        emit_step(x, teams[i], target, 1);
    return 0;
}

/* ---- timers ---------------------------------------------------------------------------- */

enum { T_START, T_PAUSE, T_RESUME, T_EXTEND, T_STOP };

static int timer_minutes(const json_t *args, int lo, int hi, int dflt, int64_t *ms)
{
    const json_t *m = json_object_get(args, "minutes");
    if (m == NULL) {
        if (dflt <= 0)
            return SP_E_BAD_MESSAGE;
        *ms = (int64_t)dflt * 60000;
        return 0;
    }
    if (!json_is_number(m) || json_number_value(m) < lo || json_number_value(m) > hi)
        return SP_E_BAD_MESSAGE;
    *ms = (int64_t)(json_number_value(m) * 60000.0);
    return 0;
}

static int timer_check(const sp_timer_t *tm, int op)
{
    switch (op) {
    case T_START: return tm->state == TIMER_RUNNING || tm->state == TIMER_PAUSED ? SP_E_TIMER_STATE : 0;
    case T_PAUSE: return tm->state == TIMER_RUNNING ? 0 : SP_E_TIMER_STATE;
    case T_RESUME: return tm->state == TIMER_PAUSED ? 0 : SP_E_TIMER_STATE;
    case T_EXTEND:
        return tm->state == TIMER_RUNNING || tm->state == TIMER_PAUSED || tm->state == TIMER_EXPIRED
                   ? 0 : SP_E_TIMER_STATE;
    default:
        return tm->state == TIMER_RUNNING || tm->state == TIMER_PAUSED || tm->state == TIMER_EXPIRED
                   ? 0 : SP_E_TIMER_STATE;
    }
}

typedef struct {
    int op;
    const json_t *args;
} timer_check_t;

static int check_timer(cmdctx_t *x, int t, void *ud)
{
    const timer_check_t *tc = ud;
    core_t *c = x->core;
    const who_t *w = x->who;
    int64_t ms;
    int rc;
    int keeper = w->role == ROLE_PARTICIPANT && c->teams[t].timekeeper == w->member;
    if (!keeper && !is_staff_for(c, w, t))
        return SP_E_FORBIDDEN;
    if ((rc = timer_check(&c->teams[t].timer, tc->op)) != 0)
        return rc;
    return tc->op == T_START ? timer_minutes(tc->args, 1, 180, team_step(c, t)->minutes, &ms) : 0;
}

static int timer_cmd(cmdctx_t *x, const json_t *args, int op)
{
    core_t *c = x->core;
    int teams[MAX_TEAMS_PER_CMD], rc;
    if (!c->has_pb)
        return SP_E_NO_PLAYBOOK;
    int64_t ms = 0;
    if (op == T_EXTEND && (rc = timer_minutes(args, 1, 30, 0, &ms)) != 0)
        return rc;
    timer_check_t tc = {op, args};
    int n = cmd_teams_checked(x, args, teams, MAX_TEAMS_PER_CMD, check_timer, &tc);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        int t = teams[i];
        const sp_timer_t *tm = &c->teams[t].timer;
        json_t *d;
        switch (op) {
        case T_START:
            /* Each team's own step length, unless minutes were given (checked above). */
            timer_minutes(args, 1, 180, team_step(c, t)->minutes, &ms);
            d = timer_json(c, t, TIMER_RUNNING, ms, x->now + ms, 0);
            break;
        case T_PAUSE: {
            int64_t left = tm->ends_at - x->now;
            d = timer_json(c, t, TIMER_PAUSED, tm->duration_ms, 0, left > 0 ? left : 0);
            break;
        }
        case T_RESUME: d = timer_json(c, t, TIMER_RUNNING, tm->duration_ms, x->now + tm->remaining_ms, 0); break;
        case T_EXTEND:
            if (tm->state == TIMER_PAUSED)
                d = timer_json(c, t, TIMER_PAUSED, tm->duration_ms + ms, 0, tm->remaining_ms + ms);
            else if (tm->state == TIMER_EXPIRED)
                d = timer_json(c, t, TIMER_RUNNING, tm->duration_ms + ms, x->now + ms, 0);
            else
                d = timer_json(c, t, TIMER_RUNNING, tm->duration_ms + ms, tm->ends_at + ms, 0);
            break;
        default: d = timer_json(c, t, TIMER_STOPPED, tm->duration_ms, 0, 0); break;
        }
        cmd_emit(x, "timer.changed", AUD_TEAM, c->teams[t].id, d);
    }
    return 0;
}

static int cmd_timer_start(cmdctx_t *x, const json_t *a) { return timer_cmd(x, a, T_START); }
static int cmd_timer_pause(cmdctx_t *x, const json_t *a) { return timer_cmd(x, a, T_PAUSE); }
static int cmd_timer_resume(cmdctx_t *x, const json_t *a) { return timer_cmd(x, a, T_RESUME); }
static int cmd_timer_extend(cmdctx_t *x, const json_t *a) { return timer_cmd(x, a, T_EXTEND); }
static int cmd_timer_stop(cmdctx_t *x, const json_t *a) { return timer_cmd(x, a, T_STOP); }

size_t core_tick(core_t *c, int64_t now, evlist_t *out)
{
    size_t before = out->n;
    cmdctx_t x = {c, NULL, NULL, now, out};
    if (core_archived(c))
        return 0;   /* an archive's time has stopped: no timer runs out after sprint.archived */
    for (size_t t = 0; t < c->nteams; t++) {
        const sp_timer_t *tm = &c->teams[t].timer;
        if (tm->state == TIMER_RUNNING && now >= tm->ends_at)
            cmd_emit(&x, "timer.changed", AUD_TEAM, c->teams[t].id,
                     timer_json(c, (int)t, TIMER_EXPIRED, tm->duration_ms, 0, 0));
    }
    for (size_t r = 0; r < c->nrooms; r++)
        if (c->races[r].running && now >= c->races[r].ends_at)
            race_end_round(&x, (int)r);
    return out->n - before;
}

int core_clock_running(const core_t *c)
{
    if (core_archived(c))
        return 0;
    for (size_t t = 0; t < c->nteams; t++)
        if (c->teams[t].timer.state == TIMER_RUNNING)
            return 1;
    for (size_t r = 0; r < c->nrooms; r++)
        if (c->races[r].running)
            return 1;
    return 0;
}

/* ---- roles and introductions -------------------------------------------------------------- */

/* A member id of team t from args[key]: sets *m (-1 for JSON null). */
static int role_arg(const core_t *c, const json_t *args, const char *key, int t, int null_ok,
                    int *m)
{
    const json_t *v = json_object_get(args, key);
    if (v == NULL)
        return 0;
    if (json_is_null(v) && null_ok) {
        *m = -1;
        return 0;
    }
    int i = member_index(c, json_string_value(v) ? json_string_value(v) : "");
    if (i < 0 || c->members[i].team != t)
        return SP_E_NOT_FOUND;
    *m = i;
    return 0;
}

static int cmd_roles_set(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    int t = cmd_team(x, args), rc;
    if (t < 0)
        return t;
    team_t *tm = &c->teams[t];
    /* The captain sets roles; until there is one, any member may. */
    if (!is_staff_for(c, x->who, t) && !is_captain(c, x->who, t) && tm->captain >= 0)
        return SP_E_FORBIDDEN;
    int cap = tm->captain, keeper = tm->timekeeper, pres = tm->presenter;
    if ((rc = role_arg(c, args, "captain", t, 0, &cap)) != 0 ||
        (rc = role_arg(c, args, "timekeeper", t, 1, &keeper)) != 0 ||
        (rc = role_arg(c, args, "presenter", t, 1, &pres)) != 0)
        return rc;
    json_t *d = json_pack("{ss}", "team", tm->id);
    json_object_set_new(d, "captain", cap >= 0 ? json_string(c->members[cap].id) : json_null());
    json_object_set_new(d, "timekeeper", keeper >= 0 ? json_string(c->members[keeper].id) : json_null());
    json_object_set_new(d, "presenter", pres >= 0 ? json_string(c->members[pres].id) : json_null());
    cmd_emit(x, "team.roles", AUD_TEAM, tm->id, d);
    return 0;
}

static int cmd_profile_set(cmdctx_t *x, const json_t *args)
{
    const char *org, *role, *mot;
    int rc;
    if ((rc = arg_opt_text(args, "organisation", 200, &org)) != 0 ||
        (rc = arg_opt_text(args, "role", 200, &role)) != 0 ||
        (rc = arg_opt_text(args, "motivation", 500, &mot)) != 0)
        return rc;
    core_t *c = x->core;
    cmd_emit(x, "member.profile", AUD_TEAM, c->teams[x->who->team].id,
             json_pack("{ss ss ss ss}", "member", x->who->actor, "organisation", org, "role", role,
                       "motivation", mot));
    return 0;
}

static const cmddef_t method_cmds[] = {
    {"step.next", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_step_next},
    {"step.back", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_step_back},
    {"timer.start", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_timer_start},
    {"timer.pause", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_timer_pause},
    {"timer.resume", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_timer_resume},
    {"timer.extend", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_timer_extend},
    {"timer.stop", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_timer_stop},
    {"roles.set", ROLE_BIT(ROLE_PARTICIPANT) | ROLE_BIT(ROLE_FACILITATOR) | ROLE_BIT(ROLE_ORGANISER), cmd_roles_set},
    {"profile.set", ROLE_BIT(ROLE_PARTICIPANT), cmd_profile_set},
    {NULL, 0, NULL},
};

/* ---- appliers ------------------------------------------------------------------------------ */

static int ev_team(const core_t *c, const ev_t *ev)
{
    return team_index(c, ev_str(ev, "team"));
}

static void on_step_changed(core_t *c, const ev_t *ev)
{
    int t = ev_team(c, ev);
    int s = c->has_pb ? playbook_find(&c->pb, ev_str(ev, "step")) : -1;
    if (t < 0 || s < 0)
        return;
    c->teams[t].step = s;
    memset(&c->teams[t].timer, 0, sizeof c->teams[t].timer);
    c->teams[t].timer.state = TIMER_IDLE;
    c->teams[t].timer.duration_ms = (int64_t)c->pb.steps[s].minutes * 60000;
}

static void on_timer_changed(core_t *c, const ev_t *ev)
{
    int t = ev_team(c, ev);
    if (t < 0)
        return;
    static const char *const names[] = {"idle", "running", "paused", "stopped", "expired"};
    sp_timer_t *tm = &c->teams[t].timer;
    const char *st = ev_str(ev, "state");
    for (int i = 0; i < 5; i++)
        if (strcmp(st, names[i]) == 0)
            tm->state = (timer_state_t)i;
    tm->duration_ms = json_integer_value(json_object_get(ev->data, "duration_ms"));
    tm->ends_at = json_integer_value(json_object_get(ev->data, "ends_at"));
    tm->remaining_ms = json_integer_value(json_object_get(ev->data, "remaining_ms"));
}

static void on_team_roles(core_t *c, const ev_t *ev)
{
    int t = ev_team(c, ev);
    if (t < 0)
        return;
    c->teams[t].captain = member_index(c, ev_str(ev, "captain"));
    c->teams[t].timekeeper = member_index(c, ev_str(ev, "timekeeper"));
    c->teams[t].presenter = member_index(c, ev_str(ev, "presenter"));
}

static void replace(char **dst, const char *src)
{
    free(*dst);
    *dst = xstrdup(src);
}

static void on_member_profile(core_t *c, const ev_t *ev)
{
    int m = member_index(c, ev_str(ev, "member"));
    if (m < 0)
        return;
    replace(&c->members[m].organisation, ev_str(ev, "organisation"));
    replace(&c->members[m].role, ev_str(ev, "role"));
    replace(&c->members[m].motivation, ev_str(ev, "motivation"));
}

static const applydef_t method_apply[] = {
    {"step.changed", on_step_changed},
    {"timer.changed", on_timer_changed},
    {"team.roles", on_team_roles},
    {"member.profile", on_member_profile},
    {NULL, NULL},
};

const core_module_t method_module = {"method", method_cmds, method_apply, NULL, NULL};
