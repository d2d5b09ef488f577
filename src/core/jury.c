/* jury.c – the jury: jurors with their own links, criteria, pitch order, scores, recusal,
 * conflicts of interest, lock and the announcement of the winners.
 *
 * Phases:  setup ──jury.open──▶ open ──jury.lock──▶ locked ──jury.announce──▶ announced
 *                                  ◀──jury.unlock──
 * Criteria and the tie-break may change only in setup; the tie-break in effect is
 * published to everyone (jury.tiebreak, audience all) before scoring opens. Scores are
 * accepted only while open; the chair locks, and only after the lock announces.
 *
 * Invariants
 *  1. Until jury.announce, a score, a juror's note or anything derived from scores is
 *     only ever in an event for one juror (audience juror): the scorer, or the chair
 *     for progress counts and recusals. Participants, facilitators, the organiser and
 *     screens see only the phase, the criteria, the tie-break and the pitch order.
 *  2. Identity comes from the connection: a juror is the who whose actor is their id
 *     ("j1"); the shared jury link (actor "jury") only reads the jury room.
 *  3. jury.results is computed from the state at the announcement by jury_calc.c; the
 *     log replays to the same results (appliers only store what events say).
 *  4. After the announcement participants see what the organiser chose to publish
 *     (jury.publish; the default is "places"): the winners (jury.winners, audience all)
 *     and, with "places", their own team's place (jury.place, audience team); the full
 *     table (jury.results) goes to staff and the jury, and to all only with "full".
 */
#include "core/core.h"
#include "core/err.h"
#include "core/jury_calc.h"
#include "core/state.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JUROR_NAME_MAX LIMIT_JUROR_NAME
#define JUROR_ORG_MAX LIMIT_JUROR_ORG
#define JURY_NOTE_MAX LIMIT_JURY_NOTE
#define MAX_TEAMS_PER_CMD LIMIT_TEAMS_PER_CMD

enum { JP_SETUP, JP_OPEN, JP_LOCKED, JP_ANNOUNCED };
/* What participants see after the announcement; the zero value is the default. */
enum { LV_PLACES, LV_WINNERS, LV_FULL };
static const char *const level_names[] = {"places", "winners", "full"};
static const char *const phase_names[] = {"setup", "open", "locked", "announced"};

typedef struct {
    char id[16];
    char *name, *org;
    int chair;
    char challenge[16];         /* the challenge the juror judges first ("" for all) */
} juror_t;

typedef struct {
    char id[PB_ID];
    double weight;
} jcrit_t;

typedef struct {
    int juror, team;
} jpair_t;

typedef struct {
    juror_t *jurors;
    size_t njurors, capjurors;
    jcrit_t crit[JC_MAX_CRIT];
    size_t ncrit;
    int scale;                  /* highest score: 10 or 5 */
    int tiebreak[JC_MAX_CRIT];  /* criterion indices */
    size_t ntiebreak;
    int tb_published;
    int normalise;
    int phase;
    int level;                  /* what participants see after the announcement (LV_) */
    jc_score_t *scores;         /* the latest score per (juror, team, crit) */
    size_t nscores, capscores;
    jpair_t *recused, *conflicts;
    size_t nrecused, caprecused, nconflicts, capconflicts;
} jury_t;

static void *jury_new(void)
{
    jury_t *j = xcalloc(1, sizeof *j);
    j->scale = 10;
    return j;
}

static void jury_free(void *st)
{
    jury_t *j = st;
    if (j == NULL)
        return;
    for (size_t i = 0; i < j->njurors; i++) {
        free(j->jurors[i].name);
        free(j->jurors[i].org);
    }
    free(j->jurors);
    free(j->scores);
    free(j->recused);
    free(j->conflicts);
    free(j);
}

static jury_t *J(const core_t *c) { return core_mod(c, MOD_JURY); }

int jury_announced(const core_t *c) { return J(c)->phase == JP_ANNOUNCED; }

static int juror_find(const jury_t *j, const char *id)
{
    for (size_t i = 0; i < j->njurors; i++)
        if (strcmp(j->jurors[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int crit_find(const jury_t *j, const char *id)
{
    for (size_t i = 0; i < j->ncrit; i++)
        if (strcmp(j->crit[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int chair_of(const jury_t *j)
{
    for (size_t i = 0; i < j->njurors; i++)
        if (j->jurors[i].chair)
            return (int)i;
    return -1;
}

static int pair_has(const jpair_t *p, size_t n, int juror, int team)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].juror == juror && p[i].team == team)
            return 1;
    return 0;
}

/* ---- for core.c: identities of jurors ------------------------------------------------ */

const char *jury_juror_id(const core_t *c, int j)
{
    const jury_t *jy = J(c);
    return (j >= 0 && (size_t)j < jy->njurors) ? jy->jurors[j].id : NULL;
}

void jury_who_extend(const core_t *c, const who_t *who, json_t *o)
{
    const jury_t *jy = J(c);
    int j = juror_find(jy, who->actor);
    if (j < 0)
        return;
    json_object_set_new(o, "juror", json_string(jy->jurors[j].id));
    json_object_set_new(o, "name", json_string(jy->jurors[j].name));
    json_object_set_new(o, "chair", json_boolean(jy->jurors[j].chair));
}

/* The juror index of the caller, or a negative error (the shared jury link is no juror). */
static int me(cmdctx_t *x)
{
    if (x->who->role != ROLE_JURY)
        return SP_E_FORBIDDEN;
    int j = juror_find(J(x->core), x->who->actor);
    return j >= 0 ? j : SP_E_FORBIDDEN;
}

static int is_chair(cmdctx_t *x)
{
    int j = me(x);
    return j >= 0 && J(x->core)->jurors[j].chair;
}

static int arg_team(cmdctx_t *x, const json_t *args)
{
    const char *id = json_string_value(json_object_get(args, "team"));
    if (id == NULL)
        return SP_E_BAD_MESSAGE;
    int t = team_index(x->core, id);
    return t >= 0 ? t : SP_E_NOT_FOUND;
}

/* ---- progress, conflicts, dossiers ------------------------------------------------------- */

/* Whether juror j has scored team t on every criterion. */
static int fully_scored(const jury_t *jy, int j, int t)
{
    size_t n = 0;
    for (size_t i = 0; i < jy->nscores; i++)
        if (jy->scores[i].juror == j && jy->scores[i].team == t)
            n++;
    return jy->ncrit > 0 && n >= jy->ncrit;
}

/* Teams juror j has scored on every criterion, and the teams they score at all; the ids
 * of the scored ones are appended to scored when it is not NULL. */
static void progress_of(const core_t *c, int j, int *done, int *total, json_t *scored)
{
    const jury_t *jy = J(c);
    *done = *total = 0;
    for (size_t t = 0; t < c->nteams; t++) {
        if (pair_has(jy->recused, jy->nrecused, j, (int)t))
            continue;
        (*total)++;
        if (fully_scored(jy, j, (int)t)) {
            (*done)++;
            if (scored)
                json_array_append_new(scored, json_string(c->teams[t].id));
        }
    }
}

/* Whether team t took part in the day: someone joined it. */
static int took_part(const core_t *c, int t)
{
    for (size_t m = 0; m < c->nmembers; m++)
        if (c->members[m].team == t)
            return 1;
    return 0;
}

/* The chair hears how far a juror is (counts only, never scores). */
static void emit_progress(cmdctx_t *x, int j)
{
    const jury_t *jy = J(x->core);
    int ch = chair_of(jy), done, total;
    if (ch < 0)
        return;
    json_t *scored = json_array();
    progress_of(x->core, j, &done, &total, scored);
    /* Which teams, never what: the chair sees who still has to score whom. */
    cmd_emit(x, "jury.progress", AUD_JUROR, jy->jurors[ch].id,
             json_pack("{ss si si so}", "juror", jy->jurors[j].id, "done", done, "teams", total,
                       "scored", scored));
}

/* Flags every (juror, team) pair whose organisations match and that was not flagged
 * before, to the juror and the chair. */
static void emit_conflicts(cmdctx_t *x, int only)
{
    core_t *c = x->core;
    for (size_t j = 0; j < J(c)->njurors; j++) {
        if (only >= 0 && (int)j != only)
            continue;
        for (size_t t = 0; t < c->nteams; t++) {
            jury_t *jy = J(c);
            if (pair_has(jy->conflicts, jy->nconflicts, (int)j, (int)t))
                continue;
            json_t *who = json_array();
            for (size_t m = 0; m < c->nmembers; m++)
                if (c->members[m].team == (int)t &&
                    jc_org_match(jy->jurors[j].org, c->members[m].organisation))
                    json_array_append_new(who, json_string(c->members[m].id));
            if (json_array_size(who) == 0) {
                json_decref(who);
                continue;
            }
            json_t *d = json_pack("{ss ss ss so}", "juror", jy->jurors[j].id, "team",
                                  c->teams[t].id, "organisation", jy->jurors[j].org, "members", who);
            int ch = chair_of(jy);
            if (ch >= 0 && ch != (int)j)
                cmd_emit(x, "jury.conflict", AUD_JUROR, jy->jurors[ch].id, json_deep_copy(d));
            cmd_emit(x, "jury.conflict", AUD_JUROR, jy->jurors[j].id, d);
        }
    }
}

/* What a juror reads of a team: its canvases (pitch, plan, …) and its Crystal Ball. */
static void emit_dossiers(cmdctx_t *x)
{
    core_t *c = x->core;
    for (size_t t = 0; t < c->nteams; t++) {
        const team_t *tm = &c->teams[t];
        json_t *ms = json_array();
        for (size_t i = 0; i < c->nmilestones; i++) {
            const milestone_t *m = &c->milestones[i];
            if (m->team != (int)t || m->deleted)
                continue;
            int64_t n = map_index(&c->note_ids, m->idea);
            json_array_append_new(
                ms, json_pack("{ss ss ss si ss ss}", "id", m->id, "idea", m->idea, "idea_text",
                              n >= 0 ? c->notes[n].text : "", "at", m->at, "kind",
                              pb_milestone_kinds[m->kind], "text", m->text));
        }
        json_t *d = json_pack("{ss ss ss ss sO so}", "team", tm->id, "name", tm->name, "room",
                              c->rooms[tm->room].id, "challenge", c->rooms[tm->room].challenge,
                              "canvases", tm->canvases, "milestones", ms);
        cmd_emit(x, "jury.dossier", AUD_JURY, "", d);
    }
}

/* ---- set-up: jurors, criteria, tie-break, pitch order ------------------------------------ */

static int cmd_jury_add(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    jury_t *jy = J(c);
    const char *name, *org;
    int rc;
    if ((rc = arg_text(args, "name", JUROR_NAME_MAX, &name)) != 0 ||
        (rc = arg_opt_text(args, "organisation", JUROR_ORG_MAX, &org)) != 0)
        return rc;
    const json_t *chair = json_object_get(args, "chair");
    if (chair != NULL && !json_is_boolean(chair))
        return SP_E_BAD_MESSAGE;
    const char *challenge;
    if ((rc = arg_opt_text(args, "challenge", 15, &challenge)) != 0)
        return rc;
    if (challenge[0] != '\0') {
        int known = 0;
        for (size_t r = 0; r < c->nrooms; r++)
            known |= strcmp(c->rooms[r].challenge, challenge) == 0;
        if (!known)
            return SP_E_NOT_FOUND;
    }
    if (jy->phase == JP_ANNOUNCED)
        return SP_E_JURY_PHASE;
    /* The personal link: a token from the caller's secret source (core.h), never
     * from a client; the token goes to the organiser only, its hash to the server. */
    if (c->secrets.token == NULL)
        return SP_E_NO_SECRETS;
    char token[96], hash[96];
    c->secrets.token(c->secrets.ud, token, sizeof token, hash, sizeof hash);
    char id[16];
    snprintf(id, sizeof id, "j%zu", jy->njurors + 1);
    int ch = chair_of(jy);
    if (json_is_true(chair) && ch >= 0) {
        /* One chair: a new chair takes over. */
        juror_t *o = &jy->jurors[ch];
        cmd_emit(x, "jury.juror", AUD_JURY, "",
                 json_pack("{ss ss ss sb ss}", "id", o->id, "name", o->name, "organisation", o->org,
                           "chair", 0, "challenge", o->challenge));
    }
    cmd_emit(x, "jury.juror", AUD_JURY, "",
             json_pack("{ss ss ss sb ss}", "id", id, "name", name, "organisation", org, "chair",
                       json_is_true(chair), "challenge", challenge));
    cmd_emit(x, "auth.juror", AUD_SERVER, "", json_pack("{ss ss}", "juror", id, "hash", hash));
    cmd_emit(x, "jury.link", AUD_ORG, "",
             json_pack("{ss ss ss sb ss ss}", "juror", id, "name", name, "organisation", org,
                       "chair", json_is_true(chair), "challenge", challenge, "token", token));
    memset(token, 0, sizeof token);
    if (jy->phase == JP_OPEN)
        emit_conflicts(x, (int)jy->njurors - 1);
    return 0;
}

static int bilingual(const json_t *v)
{
    return json_is_object(v) && json_is_string(json_object_get(v, "nl")) &&
           json_is_string(json_object_get(v, "en"));
}

static int cmd_criteria_set(cmdctx_t *x, const json_t *args)
{
    jury_t *jy = J(x->core);
    const json_t *list = json_object_get(args, "criteria"), *scale = json_object_get(args, "scale");
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > JC_MAX_CRIT)
        return SP_E_BAD_MESSAGE;
    if (scale != NULL && !(json_is_integer(scale) &&
                           (json_integer_value(scale) == 5 || json_integer_value(scale) == 10)))
        return SP_E_BAD_MESSAGE;
    if (jy->phase != JP_SETUP)
        return SP_E_JURY_PHASE;
    json_t *out = json_array(), *v;
    size_t i;
    double wsum = 0;
    json_array_foreach(list, i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));
        const json_t *w = json_object_get(v, "weight"), *hint = json_object_get(v, "hint");
        int dup = 0;
        for (size_t k = 0; k < i && id; k++)
            dup |= strcmp(id, json_string_value(json_object_get(json_array_get(list, k), "id"))) == 0;
        if (id == NULL || id[0] == '\0' || strlen(id) >= PB_ID || dup ||
            !bilingual(json_object_get(v, "name")) || (hint && !bilingual(hint)) ||
            (w && (!json_is_number(w) || json_number_value(w) < 0 || json_number_value(w) > 10))) {
            json_decref(out);
            return SP_E_BAD_MESSAGE;
        }
        double wv = w ? json_number_value(w) : 1.0;
        wsum += wv;
        json_t *o = json_pack("{ss sO sf}", "id", id, "name", json_object_get(v, "name"), "weight", wv);
        if (hint)
            json_object_set(o, "hint", (json_t *)hint);
        json_array_append_new(out, o);
    }
    if (wsum <= 0) {
        json_decref(out);
        return SP_E_BAD_MESSAGE;
    }
    cmd_emit(x, "jury.criteria", AUD_ALL, "",
             json_pack("{so si}", "criteria", out, "scale",
                       scale ? (int)json_integer_value(scale) : jy->scale));
    return 0;
}

static int cmd_tiebreak_set(cmdctx_t *x, const json_t *args)
{
    jury_t *jy = J(x->core);
    const json_t *order = json_object_get(args, "order"), *norm = json_object_get(args, "normalise");
    if (!json_is_array(order) || json_array_size(order) > jy->ncrit ||
        (norm != NULL && !json_is_boolean(norm)))
        return SP_E_BAD_MESSAGE;
    if (jy->phase != JP_SETUP)
        return SP_E_JURY_PHASE;
    size_t i;
    json_t *v;
    json_array_foreach(order, i, v) {
        int k = crit_find(jy, json_string_value(v) ? json_string_value(v) : "");
        if (k < 0)
            return SP_E_NOT_FOUND;
        for (size_t p = 0; p < i; p++)
            if (strcmp(json_string_value(json_array_get(order, p)), json_string_value(v)) == 0)
                return SP_E_BAD_MESSAGE;
    }
    cmd_emit(x, "jury.tiebreak", AUD_ALL, "",
             json_pack("{sO sb}", "order", order, "normalise", json_is_true(norm)));
    return 0;
}

static int cmd_pitch_order_set(cmdctx_t *x, const json_t *args)
{
    core_t *c = x->core;
    const json_t *teams = json_object_get(args, "teams");
    const char *room = json_string_value(json_object_get(args, "room"));
    if (!json_is_array(teams) || json_array_size(teams) == 0 ||
        json_array_size(teams) > MAX_TEAMS_PER_CMD)
        return SP_E_BAD_MESSAGE;
    int r = -1;
    if (x->who->role == ROLE_FACILITATOR)
        r = x->who->room;
    if (room != NULL) {
        int64_t rr = map_index(&c->room_ids, room);
        if (rr < 0)
            return SP_E_NOT_FOUND;
        if (r >= 0 && rr != r)
            return SP_E_FORBIDDEN;
        r = (int)rr;
    }
    size_t i;
    json_t *v;
    json_array_foreach(teams, i, v) {
        int t = team_index(c, json_string_value(v) ? json_string_value(v) : "");
        if (t < 0)
            return SP_E_NOT_FOUND;
        if (r >= 0 && c->teams[t].room != r)
            return x->who->role == ROLE_FACILITATOR ? SP_E_FORBIDDEN : SP_E_BAD_MESSAGE;
        for (size_t p = 0; p < i; p++)
            if (strcmp(json_string_value(json_array_get(teams, p)), json_string_value(v)) == 0)
                return SP_E_BAD_MESSAGE;
    }
    json_t *d = json_pack("{sO}", "teams", teams);
    json_object_set_new(d, "room", r >= 0 ? json_string(c->rooms[r].id) : json_null());
    cmd_emit(x, "pitch.order", AUD_ALL, "", d);
    return 0;
}

/* ---- phases ----------------------------------------------------------------------------- */

static void emit_phase(cmdctx_t *x, int phase)
{
    cmd_emit(x, "jury.phase", AUD_ALL, "", json_pack("{ss}", "state", phase_names[phase]));
}

static int cmd_jury_open(cmdctx_t *x, const json_t *args)
{
    jury_t *jy = J(x->core);
    if (x->who->role != ROLE_ORGANISER && !is_chair(x))
        return SP_E_FORBIDDEN;
    if (jy->phase != JP_SETUP)
        return SP_E_JURY_PHASE;
    if (jy->ncrit == 0)
        return SP_E_NO_CRITERIA;
    if (!jy->tb_published) {
        /* The tie-break is known to all before the first score: by default the
         * criteria in their listed order, ranked on the plain mean. */
        json_t *order = json_array();
        for (size_t i = 0; i < jy->ncrit; i++)
            json_array_append_new(order, json_string(jy->crit[i].id));
        cmd_emit(x, "jury.tiebreak", AUD_ALL, "",
                 json_pack("{so sb}", "order", order, "normalise", 0));
    }
    emit_phase(x, JP_OPEN);
    emit_dossiers(x);
    emit_conflicts(x, -1);
    return 0;
}

static int cmd_jury_refresh(cmdctx_t *x, const json_t *args)
{
    if (x->who->role != ROLE_ORGANISER && !is_chair(x))
        return SP_E_FORBIDDEN;
    if (J(x->core)->phase != JP_OPEN)
        return SP_E_JURY_PHASE;
    emit_dossiers(x);
    emit_conflicts(x, -1);
    return 0;
}

static int chair_step(cmdctx_t *x, int from, int to)
{
    if (!is_chair(x))
        return SP_E_FORBIDDEN;
    if (J(x->core)->phase != from)
        return SP_E_JURY_PHASE;
    emit_phase(x, to);
    return 0;
}

/* Locking while a team that took part has no complete score from any juror needs
 * `confirm: true` (the chair's client names those teams and asks first). */
static int cmd_jury_lock(cmdctx_t *x, const json_t *a)
{
    const json_t *confirm = json_object_get(a, "confirm");
    if (confirm != NULL && !json_is_boolean(confirm))
        return SP_E_BAD_MESSAGE;
    const core_t *c = x->core;
    const jury_t *jy = J(c);
    if (is_chair(x) && jy->phase == JP_OPEN && !json_is_true(confirm))
        for (size_t t = 0; t < c->nteams; t++) {
            if (!took_part(c, (int)t))
                continue;
            int any = 0;
            for (size_t j = 0; j < jy->njurors && !any; j++)
                any = fully_scored(jy, (int)j, (int)t) &&
                      !pair_has(jy->recused, jy->nrecused, (int)j, (int)t);
            if (!any)
                return SP_E_JURY_UNSCORED;
        }
    return chair_step(x, JP_OPEN, JP_LOCKED);
}
static int cmd_jury_unlock(cmdctx_t *x, const json_t *a) { return chair_step(x, JP_LOCKED, JP_OPEN); }

/* ---- scoring ------------------------------------------------------------------------------ */

static int cmd_jury_score(cmdctx_t *x, const json_t *args)
{
    jury_t *jy = J(x->core);
    int j = me(x), t = arg_team(x, args);
    if (j < 0)
        return j;
    if (t < 0)
        return t;
    const char *crit = json_string_value(json_object_get(args, "criterion"));
    const json_t *score = json_object_get(args, "score");
    if (crit == NULL || !json_is_integer(score))
        return SP_E_BAD_MESSAGE;
    int k = crit_find(jy, crit);
    if (k < 0)
        return SP_E_NOT_FOUND;
    if (json_integer_value(score) < 1 || json_integer_value(score) > jy->scale)
        return SP_E_BAD_SCORE;
    if (jy->phase != JP_OPEN)
        return SP_E_JURY_PHASE;
    if (pair_has(jy->recused, jy->nrecused, j, t))
        return SP_E_JURY_RECUSED;
    int before, after, total;
    progress_of(x->core, j, &before, &total, NULL);
    cmd_emit(x, "jury.scored", AUD_JUROR, jy->jurors[j].id,
             json_pack("{ss ss ss si}", "juror", jy->jurors[j].id, "team", x->core->teams[t].id,
                       "criterion", crit, "score", (int)json_integer_value(score)));
    progress_of(x->core, j, &after, &total, NULL);
    if (after != before)
        emit_progress(x, j);
    return 0;
}

static int cmd_jury_note(cmdctx_t *x, const json_t *args)
{
    jury_t *jy = J(x->core);
    int j = me(x), t = arg_team(x, args), rc;
    const char *text;
    if (j < 0)
        return j;
    if (t < 0)
        return t;
    if (!json_is_string(json_object_get(args, "text")))
        return SP_E_BAD_MESSAGE;
    if ((rc = arg_opt_text(args, "text", JURY_NOTE_MAX, &text)) != 0)
        return rc;
    cmd_emit(x, "jury.noted", AUD_JUROR, jy->jurors[j].id,
             json_pack("{ss ss ss}", "juror", jy->jurors[j].id, "team", x->core->teams[t].id,
                       "text", text));
    return 0;
}

static int cmd_jury_recuse(cmdctx_t *x, const json_t *args)
{
    jury_t *jy = J(x->core);
    int j = me(x), t = arg_team(x, args);
    if (j < 0)
        return j;
    if (t < 0)
        return t;
    const json_t *flag = json_object_get(args, "recused");
    if (flag != NULL && !json_is_boolean(flag))
        return SP_E_BAD_MESSAGE;
    if (jy->phase != JP_SETUP && jy->phase != JP_OPEN)
        return SP_E_JURY_PHASE;
    int on = flag == NULL || json_is_true(flag);
    json_t *d = json_pack("{ss ss sb}", "juror", jy->jurors[j].id, "team", x->core->teams[t].id,
                          "recused", on);
    int ch = chair_of(jy);
    if (ch >= 0 && ch != j)
        cmd_emit(x, "jury.recused", AUD_JUROR, jy->jurors[ch].id, json_deep_copy(d));
    cmd_emit(x, "jury.recused", AUD_JUROR, jy->jurors[j].id, d);
    emit_progress(x, j);
    return 0;
}

/* ---- the announcement --------------------------------------------------------------------- */

static json_t *num(double v) { return json_real(round(v * 1000.0) / 1000.0); }

/* The results of the locked scores as jury.results data (caller owns). */
static json_t *results_json(const core_t *c)
{
    const jury_t *jy = J(c);
    size_t nt = c->nteams, nj = jy->njurors;
    double w[JC_MAX_CRIT];
    for (size_t k = 0; k < jy->ncrit; k++)
        w[k] = jy->crit[k].weight;
    unsigned char *rec = xcalloc(nj * nt + 1, 1);
    for (size_t i = 0; i < jy->nrecused; i++)
        rec[(size_t)jy->recused[i].juror * nt + (size_t)jy->recused[i].team] = 1;
    double threshold = 0.2 * (jy->scale - 1);
    jc_input_t in = {nj, nt, jy->ncrit, w, jy->scores, jy->nscores, rec, jy->tiebreak,
                     jy->ntiebreak, jy->normalise, threshold};
    jc_team_t *r = xcalloc(nt + 1, sizeof *r);
    int *group = xcalloc(nt + 1, sizeof *group), *win = xcalloc(nt + 1, sizeof *win);
    json_t *teams = json_array(), *ties = json_array(), *chal = json_array();
    if (jc_rank(&in, r) != 0)
        nt = 0;   /* criteria checked at jury.open; nothing to rank otherwise */
    for (size_t i = 0; i < nt; i++) {
        const jc_team_t *e = &r[i];
        const team_t *tm = &c->teams[e->team];
        json_t *cm = json_object();
        for (size_t k = 0; k < jy->ncrit; k++)
            json_object_set_new(cm, jy->crit[k].id, num(e->crit_mean[k]));
        json_t *o = json_pack("{ss ss ss ss si si so so so sb sb sb so}", "team", tm->id, "name",
                              tm->name, "room", c->rooms[tm->room].id, "challenge",
                              c->rooms[tm->room].challenge, "rank", e->rank, "jurors", e->jurors,
                              "mean", num(e->mean), "normalised", num(e->normalised), "spread",
                              num(e->spread), "disagree", e->disagree, "tied", e->tied,
                              "tiebreak_used", e->broken, "criteria", cm);
        json_array_append_new(teams, o);
        if (e->tied && (i == 0 || r[i - 1].rank != e->rank)) {
            json_t *tt = json_array();
            for (size_t k = i; k < nt && r[k].rank == e->rank; k++)
                json_array_append_new(tt, json_string(c->teams[r[k].team].id));
            json_array_append_new(ties, json_pack("{si so}", "rank", e->rank, "teams", tt));
        }
    }
    /* Winners per challenge: the challenges of the rooms, in room order. */
    for (size_t ri = 0; ri < c->nrooms; ri++) {
        const char *ch = c->rooms[ri].challenge;
        int seen = 0;
        for (size_t p = 0; p < ri; p++)
            seen |= strcmp(c->rooms[p].challenge, ch) == 0;
        if (seen)
            continue;
        for (size_t t = 0; t < c->nteams; t++)
            group[t] = strcmp(c->rooms[c->teams[t].room].challenge, ch) == 0;
        size_t n = jc_winners(r, nt, group, 1, win);
        json_t *wa = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(wa, json_string(c->teams[win[k]].id));
        json_array_append_new(chal, json_pack("{ss so sb}", "challenge", ch, "teams", wa, "tied", n > 1));
    }
    for (size_t t = 0; t < c->nteams; t++)
        group[t] = 0;
    size_t n = jc_winners(r, nt, group, 0, win);
    json_t *overall = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(overall, json_string(c->teams[win[k]].id));
    json_t *order = json_array();
    for (size_t k = 0; k < jy->ntiebreak; k++)
        json_array_append_new(order, json_string(jy->crit[jy->tiebreak[k]].id));
    json_t *d = json_pack("{sb si so so so so s{so sb so}}", "normalise", jy->normalise, "scale",
                          jy->scale, "threshold", num(threshold), "tiebreak", order, "teams",
                          teams, "ties", ties, "winners", "overall", overall, "overall_tied",
                          n > 1, "challenges", chal);
    free(rec);
    free(r);
    free(group);
    free(win);
    return d;
}

/* Each ranked team hears its own place, and how many teams were ranked. */
static void emit_places(cmdctx_t *x, const json_t *teams)
{
    size_t i, ranked = 0;
    json_t *row;
    json_array_foreach(teams, i, row)
        ranked += json_integer_value(json_object_get(row, "rank")) > 0;
    json_array_foreach(teams, i, row) {
        json_int_t rank = json_integer_value(json_object_get(row, "rank"));
        if (rank <= 0)
            continue;
        const char *id = json_string_value(json_object_get(row, "team"));
        cmd_emit(x, "jury.place", AUD_TEAM, id,
                 json_pack("{ss sI sI sb}", "team", id, "rank", rank, "of", (json_int_t)ranked,
                           "tied", json_is_true(json_object_get(row, "tied"))));
    }
}

static int cmd_jury_announce(cmdctx_t *x, const json_t *args)
{
    if (!is_chair(x))
        return SP_E_FORBIDDEN;
    if (J(x->core)->phase != JP_LOCKED)
        return SP_E_JURY_PHASE;
    core_t *c = x->core;
    const jury_t *jy = J(c);
    json_t *res = results_json(c);
    /* The winners for everyone (screens too), with names: participants may not receive
     * the table they would be read from. */
    json_t *w = json_deep_copy(json_object_get(res, "winners"));
    json_t *names = json_object(), *row;
    size_t i;
    json_array_foreach(json_object_get(res, "teams"), i, row) {
        json_object_set(names, json_string_value(json_object_get(row, "team")),
                        json_object_get(row, "name"));
    }
    json_t *winners_names = json_object(), *v;
    json_array_foreach(json_object_get(w, "overall"), i, v)
        json_object_set(winners_names, json_string_value(v), json_object_get(names, json_string_value(v)));
    json_t *ch;
    json_array_foreach(json_object_get(w, "challenges"), i, ch) {
        size_t k;
        json_array_foreach(json_object_get(ch, "teams"), k, v)
            json_object_set(winners_names, json_string_value(v), json_object_get(names, json_string_value(v)));
    }
    json_decref(names);
    json_object_set_new(w, "names", winners_names);
    cmd_emit(x, "jury.results", AUD_STAFF, "", json_deep_copy(res));
    cmd_emit(x, "jury.results", AUD_JURY, "", jy->level == LV_FULL ? json_deep_copy(res) : res);
    if (jy->level == LV_FULL)
        cmd_emit(x, "jury.results", AUD_ALL, "", res);
    cmd_emit(x, "jury.winners", AUD_ALL, "", w);
    if (jy->level != LV_WINNERS)
        emit_places(x, json_object_get(res, "teams"));
    emit_phase(x, JP_ANNOUNCED);
    return 0;
}

/* jury.publish: the organiser chooses what participants see after the announcement. Before
 * it, the choice is only recorded; after it, a wider choice sends what it adds (a narrower
 * one cannot take back what phones already have). */
static int cmd_jury_publish(cmdctx_t *x, const json_t *args)
{
    const char *lv = json_string_value(json_object_get(args, "level"));
    if (lv == NULL)
        return SP_E_BAD_MESSAGE;
    int level = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(lv, level_names[i]) == 0)
            level = i;
    if (level < 0)
        return SP_E_BAD_LEVEL;
    jury_t *jy = J(x->core);
    int before = jy->level;
    if (jy->phase == JP_ANNOUNCED && level != LV_FULL && before == LV_FULL)
        return SP_E_JURY_PHASE;
    cmd_emit(x, "jury.publication", AUD_STAFF, "", json_pack("{ss}", "level", level_names[level]));
    if (jy->phase != JP_ANNOUNCED || level == before)
        return 0;
    json_t *res = results_json(x->core);
    if (before == LV_WINNERS)
        emit_places(x, json_object_get(res, "teams"));
    if (level == LV_FULL)
        cmd_emit(x, "jury.results", AUD_ALL, "", res);
    else
        json_decref(res);
    return 0;
}

#define ORG ROLE_BIT(ROLE_ORGANISER)
#define JURY ROLE_BIT(ROLE_JURY)
static const cmddef_t jury_cmds[] = {
    {"jury.add", ORG, cmd_jury_add},
    {"jury.criteria.set", ORG, cmd_criteria_set},
    {"jury.tiebreak.set", ORG, cmd_tiebreak_set},
    {"pitch.order.set", ORG | ROLE_BIT(ROLE_FACILITATOR), cmd_pitch_order_set},
    {"jury.open", ORG | JURY, cmd_jury_open},
    {"jury.refresh", ORG | JURY, cmd_jury_refresh},
    {"jury.score", JURY, cmd_jury_score},
    {"jury.note", JURY, cmd_jury_note},
    {"jury.recuse", JURY, cmd_jury_recuse},
    {"jury.lock", JURY, cmd_jury_lock},
    {"jury.unlock", JURY, cmd_jury_unlock},
    {"jury.announce", JURY, cmd_jury_announce},
    {"jury.publish", ORG, cmd_jury_publish},
    {NULL, 0, NULL},
};

/* ---- appliers ------------------------------------------------------------------------------ */

static void on_criteria(core_t *c, const ev_t *ev)
{
    jury_t *jy = J(c);
    const json_t *list = json_object_get(ev->data, "criteria"), *v;
    size_t i;
    jy->ncrit = 0;
    json_array_foreach(list, i, v) {
        if (jy->ncrit >= JC_MAX_CRIT)
            break;
        jcrit_t *k = &jy->crit[jy->ncrit++];
        snprintf(k->id, sizeof k->id, "%s", json_string_value(json_object_get(v, "id")) ?
                 json_string_value(json_object_get(v, "id")) : "");
        const json_t *w = json_object_get(v, "weight");
        k->weight = json_is_number(w) ? json_number_value(w) : 1.0;
    }
    const json_t *s = json_object_get(ev->data, "scale");
    if (json_is_integer(s))
        jy->scale = (int)json_integer_value(s);
    /* New criteria make an earlier tie-break meaningless. */
    jy->ntiebreak = 0;
    jy->tb_published = 0;
}

static void on_tiebreak(core_t *c, const ev_t *ev)
{
    jury_t *jy = J(c);
    const json_t *v;
    size_t i;
    jy->ntiebreak = 0;
    json_array_foreach(json_object_get(ev->data, "order"), i, v) {
        int k = crit_find(jy, json_string_value(v) ? json_string_value(v) : "");
        if (k >= 0 && jy->ntiebreak < JC_MAX_CRIT)
            jy->tiebreak[jy->ntiebreak++] = k;
    }
    jy->normalise = json_is_true(json_object_get(ev->data, "normalise"));
    jy->tb_published = 1;
}

static void on_juror(core_t *c, const ev_t *ev)
{
    jury_t *jy = J(c);
    int j = juror_find(jy, ev_str(ev, "id"));
    if (j < 0) {
        xgrow((void **)&jy->jurors, &jy->capjurors, jy->njurors + 1, sizeof *jy->jurors);
        j = (int)jy->njurors++;
        memset(&jy->jurors[j], 0, sizeof jy->jurors[j]);
        snprintf(jy->jurors[j].id, sizeof jy->jurors[j].id, "%s", ev_str(ev, "id"));
    }
    juror_t *p = &jy->jurors[j];
    free(p->name);
    free(p->org);
    p->name = xstrdup(ev_str(ev, "name"));
    p->org = xstrdup(ev_str(ev, "organisation"));
    p->chair = json_is_true(json_object_get(ev->data, "chair"));
    snprintf(p->challenge, sizeof p->challenge, "%s", ev_str(ev, "challenge"));
}

static void on_auth_juror(core_t *c, const ev_t *ev)
{
    int j = juror_find(J(c), ev_str(ev, "juror"));
    /* Index 0 is the shared jury link (sprint.c); juror j is j + 1. */
    if (j >= 0)
        strmap_put(&c->tokens, ev_str(ev, "hash"), ident_pack(ROLE_JURY, j + 1));
}

static void on_phase(core_t *c, const ev_t *ev)
{
    const char *s = ev_str(ev, "state");
    for (int i = 0; i < 4; i++)
        if (strcmp(s, phase_names[i]) == 0)
            J(c)->phase = i;
}

static void on_scored(core_t *c, const ev_t *ev)
{
    jury_t *jy = J(c);
    int j = juror_find(jy, ev_str(ev, "juror")), t = team_index(c, ev_str(ev, "team"));
    int k = crit_find(jy, ev_str(ev, "criterion"));
    if (j < 0 || t < 0 || k < 0)
        return;
    double s = (double)json_integer_value(json_object_get(ev->data, "score"));
    for (size_t i = 0; i < jy->nscores; i++)
        if (jy->scores[i].juror == j && jy->scores[i].team == t && jy->scores[i].crit == k) {
            jy->scores[i].score = s;
            return;
        }
    xgrow((void **)&jy->scores, &jy->capscores, jy->nscores + 1, sizeof *jy->scores);
    jy->scores[jy->nscores++] = (jc_score_t){j, t, k, s};
}

static void pair_set(jpair_t **arr, size_t *n, size_t *cap, int juror, int team, int on)
{
    for (size_t i = 0; i < *n; i++)
        if ((*arr)[i].juror == juror && (*arr)[i].team == team) {
            if (!on)
                (*arr)[i] = (*arr)[--*n];
            return;
        }
    if (!on)
        return;
    xgrow((void **)arr, cap, *n + 1, sizeof **arr);
    (*arr)[(*n)++] = (jpair_t){juror, team};
}

static void on_recused(core_t *c, const ev_t *ev)
{
    jury_t *jy = J(c);
    int j = juror_find(jy, ev_str(ev, "juror")), t = team_index(c, ev_str(ev, "team"));
    /* The same recusal also goes to the chair: applying it twice changes nothing. */
    if (j >= 0 && t >= 0)
        pair_set(&jy->recused, &jy->nrecused, &jy->caprecused, j, t,
                 json_is_true(json_object_get(ev->data, "recused")));
}

static void on_conflict(core_t *c, const ev_t *ev)
{
    jury_t *jy = J(c);
    int j = juror_find(jy, ev_str(ev, "juror")), t = team_index(c, ev_str(ev, "team"));
    if (j >= 0 && t >= 0)
        pair_set(&jy->conflicts, &jy->nconflicts, &jy->capconflicts, j, t, 1);
}

static void on_publication(core_t *c, const ev_t *ev)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(ev_str(ev, "level"), level_names[i]) == 0)
            J(c)->level = i;
}

static const applydef_t jury_apply[] = {
    {"jury.publication", on_publication},
    {"jury.criteria", on_criteria},
    {"jury.tiebreak", on_tiebreak},
    {"jury.juror", on_juror},
    {"auth.juror", on_auth_juror},
    {"jury.phase", on_phase},
    {"jury.scored", on_scored},
    {"jury.recused", on_recused},
    {"jury.conflict", on_conflict},
    {NULL, NULL},
};

const core_module_t jury_module = {"jury", jury_cmds, jury_apply, jury_new, jury_free};
