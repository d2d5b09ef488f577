/* core.c – dispatch of commands and events, identities and visibility. */
#include "core/core.h"
#include "core/err.h"
#include "core/state.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every module, in MOD_ order. */
static const core_module_t *const core_modules[MOD_COUNT] = {
    [MOD_SPRINT] = &sprint_module, [MOD_BOARD] = &board_module, [MOD_METHOD] = &method_module,
    [MOD_VOTE] = &vote_module,     [MOD_WORK] = &work_module,   [MOD_RACE] = &race_module,
    [MOD_SUGGEST] = &suggest_module, [MOD_ORG] = &org_module,
    [MOD_JURY] = &jury_module, [MOD_CONSOLE] = &console_module,
};

void core_set_secret_source(core_t *c, const core_secret_src_t *src)
{
    memset(&c->secrets, 0, sizeof c->secrets);
    if (src != NULL)
        c->secrets = *src;
}

void *core_mod(const core_t *c, int mod)
{
    return (mod >= 0 && mod < MOD_COUNT) ? c->mod[mod] : NULL;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *aud_name(int kind)
{
    static const char *const names[] = {"server", "all",   "room", "team",  "member",
                                        "staff",  "organiser", "jury", "juror", "screen",
                                        "desk"};
    return (kind >= 0 && kind < (int)NELEM(names)) ? names[kind] : "server";
}

const char *role_name(role_t r)
{
    switch (r) {
    case ROLE_ORGANISER: return "organiser";
    case ROLE_FACILITATOR: return "facilitator";
    case ROLE_PARTICIPANT: return "participant";
    case ROLE_JURY: return "jury";
    case ROLE_SCREEN: return "screen";
    default: return "none";
    }
}

void evlist_clear(evlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->v[i].data);
    l->n = 0;
}

void evlist_free(evlist_t *l)
{
    evlist_clear(l);
    free(l->v);
    l->v = NULL;
    l->cap = 0;
}

core_t *core_new(void)
{
    core_t *c = xcalloc(1, sizeof *c);
    c->live_all = 1;
    strmap_init(&c->room_ids);
    strmap_init(&c->team_ids);
    strmap_init(&c->member_ids);
    strmap_init(&c->note_ids);
    strmap_init(&c->cluster_ids);
    strmap_init(&c->item_ids);
    strmap_init(&c->milestone_ids);
    strmap_init(&c->codes);
    strmap_init(&c->tokens);
    strmap_init(&c->cmds);
    strmap_init(&c->joins);
    for (int m = 0; m < MOD_COUNT; m++)
        if (core_modules[m]->state_new)
            c->mod[m] = core_modules[m]->state_new();
    return c;
}

void core_free(core_t *c)
{
    if (c == NULL)
        return;
    for (int m = 0; m < MOD_COUNT; m++)
        if (core_modules[m]->state_free)
            core_modules[m]->state_free(c->mod[m]);
    for (size_t i = 0; i < c->nrooms; i++)
        json_decref(c->rooms[i].name);
    for (size_t i = 0; i < c->nteams; i++) {
        team_t *t = &c->teams[i];
        free(t->name);
        for (size_t v = 0; v < t->nvotes; v++) {
            free(t->votes[v].ballots);
            free(t->votes[v].done);
            json_decref(t->votes[v].selected);
            json_decref(t->votes[v].tie);
        }
        free(t->votes);
        json_decref(t->canvases);
        json_decref(t->versions);
    }
    for (size_t i = 0; i < c->nmembers; i++) {
        free(c->members[i].name);
        free(c->members[i].organisation);
        free(c->members[i].role);
        free(c->members[i].motivation);
    }
    for (size_t i = 0; i < c->nnotes; i++)
        free(c->notes[i].text);
    for (size_t i = 0; i < c->nclusters; i++)
        free(c->clusters[i].name);
    for (size_t i = 0; i < c->nitems; i++)
        free(c->items[i].text);
    for (size_t i = 0; i < c->nmilestones; i++)
        free(c->milestones[i].text);
    free(c->clusters);
    free(c->items);
    free(c->milestones);
    free(c->races);
    if (c->has_pb)
        playbook_free(&c->pb);
    free(c->rooms);
    free(c->teams);
    free(c->members);
    free(c->notes);
    free(c->title_nl);
    json_decref(c->archive);
    strmap_free(&c->room_ids);
    strmap_free(&c->team_ids);
    strmap_free(&c->member_ids);
    strmap_free(&c->note_ids);
    strmap_free(&c->cluster_ids);
    strmap_free(&c->item_ids);
    strmap_free(&c->milestone_ids);
    strmap_free(&c->codes);
    strmap_free(&c->tokens);
    strmap_free(&c->cmds);
    strmap_free(&c->joins);
    json_decref(c->links);
    json_decref(c->err_detail);
    free(c->live);
    free(c);
}

int64_t core_head(const core_t *c) { return c->head; }

static void dedupe_key(char *buf, size_t len, const char *actor, const char *cmd_id)
{
    snprintf(buf, len, "%s\x1f%s", actor, cmd_id);
}

static void live_mark_team(core_t *c, int t)
{
    if (t < 0) {
        c->live_all = 1;
        return;
    }
    if ((size_t)t >= c->nlive) {
        size_t n = c->nteams > (size_t)t ? c->nteams + 64 : (size_t)t + 64;
        c->live = xrealloc(c->live, n);
        memset(c->live + c->nlive, 0, n - c->nlive);
        c->nlive = n;
    }
    c->live[t] = 1;
}

/* Marks the teams whose console counts ev may change (core_live_changed). */
static void live_mark(core_t *c, const ev_t *ev)
{
    if (c->live_all)
        return;
    int m = ev->actor[0] == 'm' ? member_index(c, ev->actor) : -1;
    if (m < 0) {
        c->live_all = 1;   /* staff, timers, set-up: rare, and may touch any team */
        return;
    }
    if (c->members[m].team >= 0)
        live_mark_team(c, c->members[m].team);
    if (ev->aud_kind == AUD_TEAM)
        live_mark_team(c, team_index(c, ev->aud_id));
    else if (ev->aud_kind == AUD_MEMBER) {
        int am = member_index(c, ev->aud_id);
        live_mark_team(c, am >= 0 ? c->members[am].team : -1);
    } else
        c->live_all = 1;
}

size_t core_live_changed(core_t *c, unsigned char *mark)
{
    size_t k = 0;
    for (size_t t = 0; t < c->nteams; t++) {
        mark[t] = c->live_all || (t < c->nlive && c->live[t]);
        k += mark[t];
    }
    if (c->nlive > 0)
        memset(c->live, 0, c->nlive);
    c->live_all = 0;
    return k;
}

int core_apply(core_t *c, const ev_t *ev)
{
    if (ev->seq != c->head + 1)
        return SP_E_BAD_SETUP;
    c->head = ev->seq;
    if (ev->cmd_id[0] != '\0') {
        char key[sizeof ev->actor + LIMIT_CMD_ID + 2];
        dedupe_key(key, sizeof key, ev->actor, ev->cmd_id);
        strmap_put(&c->cmds, key, ev->seq);
    }
    /* The console's "stalled for N minutes": the last thing a member of a team did. */
    if (ev->actor[0] == 'm') {
        int m = member_index(c, ev->actor);
        if (m >= 0 && c->members[m].team >= 0)
            c->teams[c->members[m].team].active = ev->ts;
    }
    live_mark(c, ev);   /* before: a member's old team */
    for (size_t t = 0; t < MOD_COUNT; t++)
        for (const applydef_t *a = core_modules[t]->apply; a && a->type != NULL; a++)
            if (strcmp(a->type, ev->type) == 0) {
                a->fn(c, ev);
                live_mark(c, ev);   /* after: a member's new team */
                return 0;
            }
    /* An event type this build does not know changes nothing; it stays in the log
     * (and is still sent to its audience), so an older server can replay a newer log's
     * known parts. */
    return 0;
}

void cmd_emit(cmdctx_t *x, const char *type, int aud_kind, const char *aud_id, json_t *data)
{
    evlist_t *l = x->out;
    xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    ev_t *ev = &l->v[l->n++];
    memset(ev, 0, sizeof *ev);
    ev->seq = x->core->head + 1;
    ev->ts = x->now;
    snprintf(ev->type, sizeof ev->type, "%s", type);
    ev->aud_kind = aud_kind;
    snprintf(ev->aud_id, sizeof ev->aud_id, "%s", aud_id ? aud_id : "");
    snprintf(ev->actor, sizeof ev->actor, "%s", x->who ? x->who->actor : "");
    snprintf(ev->cmd_id, sizeof ev->cmd_id, "%s", x->cmd_id ? x->cmd_id : "");
    ev->data = data;
    core_apply(x->core, ev);
}

int utf8_len_over(const char *s, size_t max)
{
    return utf8_count(s) > max;
}

int arg_opt_text(const json_t *args, const char *key, size_t max, const char **out)
{
    const json_t *v = json_object_get(args, key);
    *out = "";
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return SP_E_BAD_MESSAGE;
    if (utf8_len_over(json_string_value(v), max))
        return SP_E_TEXT_TOO_LONG;
    *out = json_string_value(v);
    return 0;
}

int arg_text(const json_t *args, const char *key, size_t max, const char **out)
{
    const json_t *v = json_object_get(args, key);
    if (!json_is_string(v))
        return SP_E_BAD_MESSAGE;
    const char *s = json_string_value(v);
    /* Leading and trailing white space does not make a text non-empty. */
    const char *p = s;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return SP_E_TEXT_EMPTY;
    if (utf8_count(s) > max)
        return SP_E_TEXT_TOO_LONG;
    *out = s;
    return 0;
}

int64_t map_index(const strmap_t *m, const char *id)
{
    int64_t v;
    return (id != NULL && strmap_get(m, id, &v)) ? v : -1;
}

const char *ev_str(const ev_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(ev->data, key));
    return s ? s : "";
}

int is_staff_for(const core_t *c, const who_t *who, int t)
{
    return who->role == ROLE_ORGANISER ||
           (who->role == ROLE_FACILITATOR && c->teams[t].room == who->room);
}

int is_captain(const core_t *c, const who_t *who, int t)
{
    return who->role == ROLE_PARTICIPANT && who->team == t && c->teams[t].captain == who->member;
}

const pb_step_t *team_step(const core_t *c, int t)
{
    if (!c->has_pb)
        return NULL;
    return &c->pb.steps[c->teams[t].step];
}

vote_t *vote_of(core_t *c, int t, int s, int create)
{
    team_t *tm = &c->teams[t];
    for (size_t i = 0; i < tm->nvotes; i++)
        if (tm->votes[i].step == s)
            return &tm->votes[i];
    if (!create)
        return NULL;
    xgrow((void **)&tm->votes, &tm->capvotes, tm->nvotes + 1, sizeof *tm->votes);
    vote_t *v = &tm->votes[tm->nvotes++];
    memset(v, 0, sizeof *v);
    v->step = s;
    return v;
}

int cmd_team(cmdctx_t *x, const json_t *args)
{
    const who_t *w = x->who;
    if (w->role == ROLE_PARTICIPANT)
        return w->team;
    if (w->role != ROLE_ORGANISER && w->role != ROLE_FACILITATOR)
        return SP_E_FORBIDDEN;
    const char *id = json_string_value(json_object_get(args, "team"));
    if (id == NULL)
        return SP_E_BAD_MESSAGE;
    int t = team_index(x->core, id);
    if (t < 0)
        return SP_E_NOT_FOUND;
    return is_staff_for(x->core, w, t) ? t : SP_E_FORBIDDEN;
}

int cmd_teams(cmdctx_t *x, const json_t *args, int *out, int max)
{
    const who_t *w = x->who;
    const char *room = json_string_value(json_object_get(args, "room"));
    if (w->role == ROLE_PARTICIPANT || room == NULL) {
        int t = cmd_team(x, args);
        if (t < 0)
            return t;
        out[0] = t;
        return 1;
    }
    if (w->role != ROLE_ORGANISER && w->role != ROLE_FACILITATOR)
        return SP_E_FORBIDDEN;
    int64_t r = map_index(&x->core->room_ids, room);
    if (r < 0)
        return SP_E_NOT_FOUND;
    if (w->role == ROLE_FACILITATOR && w->room != (int)r)
        return SP_E_FORBIDDEN;
    int n = 0;
    for (size_t t = 0; t < x->core->nteams; t++)
        if (x->core->teams[t].room == (int)r) {
            if (n == max)
                return SP_E_TOO_MANY_TEAMS;   /* all or nothing, never the first max */
            out[n++] = (int)t;
        }
    return n;
}

int cmd_teams_checked(cmdctx_t *x, const json_t *args, int *teams, int max,
                      int (*check)(cmdctx_t *x, int t, void *ud), void *ud)
{
    int n = cmd_teams(x, args, teams, max);
    if (n < 0)
        return n;
    int room_wide = json_object_get(args, "room") != NULL, kept = 0, first = 0;
    for (int i = 0; i < n; i++) {
        int rc = check(x, teams[i], ud);
        if (rc == 0)
            teams[kept++] = teams[i];
        else if (!room_wide)
            return rc;
        else if (first == 0)
            first = rc;
    }
    return kept > 0 ? kept : first;
}

int team_index(const core_t *c, const char *id)
{
    int64_t v;
    return strmap_get(&c->team_ids, id, &v) ? (int)v : -1;
}

int member_index(const core_t *c, const char *id)
{
    int64_t v;
    return strmap_get(&c->member_ids, id, &v) ? (int)v : -1;
}

static void who_fill(const core_t *c, role_t role, int idx, who_t *who)
{
    memset(who, 0, sizeof *who);
    who->role = role;
    who->member = who->team = who->room = -1;
    switch (role) {
    case ROLE_PARTICIPANT:
        who->member = idx;
        who->team = c->members[idx].team;
        who->room = c->teams[who->team].room;
        snprintf(who->actor, sizeof who->actor, "%s", c->members[idx].id);
        break;
    case ROLE_FACILITATOR:
        who->room = idx;
        snprintf(who->actor, sizeof who->actor, "fac:%s", c->rooms[idx].id);
        break;
    case ROLE_ORGANISER: snprintf(who->actor, sizeof who->actor, "org"); break;
    case ROLE_JURY:
        /* Index 0: the shared jury link (a read-only jury room); k > 0: juror k-1. */
        snprintf(who->actor, sizeof who->actor, "%s",
                 idx > 0 && jury_juror_id(c, idx - 1) ? jury_juror_id(c, idx - 1) : "jury");
        break;
    case ROLE_SCREEN:
        who->room = idx > 0 && (size_t)idx <= c->nrooms ? idx - 1 : -1;
        snprintf(who->actor, sizeof who->actor, "screen");
        break;
    default: break;
    }
}

int core_auth(const core_t *c, const char *token_hash, who_t *who)
{
    int64_t v;
    if (!strmap_get(&c->tokens, token_hash, &v))
        return SP_E_BAD_TOKEN;
    who_fill(c, ident_role(v), ident_index(v), who);
    return 0;
}

void core_code_normalise(const char *in, char *out, size_t outlen)
{
    size_t n = 0;
    for (; *in && n + 1 < outlen; in++) {
        if (*in == '-' || *in == ' ')
            continue;
        out[n++] = (char)toupper((unsigned char)*in);
    }
    out[n] = '\0';
}

int core_join(core_t *c, const char *code, const char *name, const char *join_id,
              const char *token_hash, int64_t now, evlist_t *out, who_t *who)
{
    core_join_t j = {code, name, NULL, NULL, join_id, token_hash};
    return core_join_ex(c, &j, now, out, who);
}

/* The team of a join code, or -1. */
static int64_t code_team(const core_t *c, const char *code)
{
    char norm[32];
    int64_t t;
    if (code == NULL || strlen(code) > 24)
        return -1;
    core_code_normalise(code, norm, sizeof norm);
    return strmap_get(&c->codes, norm, &t) ? t : -1;
}

int core_join_ex(core_t *c, const core_join_t *j, int64_t now, evlist_t *out, who_t *who)
{
    if (j->join_id != NULL && strlen(j->join_id) > LIMIT_CMD_ID)
        return SP_E_BAD_ID;   /* never cut: a cut id would match another join */
    int64_t t = code_team(c, j->code), m;
    if (t < 0)
        return SP_E_BAD_CODE;
    if (c->archive != NULL)
        return SP_E_ARCHIVED;
    json_t *args = json_pack("{ss}", "name", j->name ? j->name : "");
    const char *nm;
    int rc = j->person ? 0 : arg_text(args, "name", LIMIT_MEMBER_NAME, &nm);
    if (rc != 0) {
        json_decref(args);
        return rc;
    }
    char jkey[LIMIT_CMD_ID + 1];
    snprintf(jkey, sizeof jkey, "%s", j->join_id ? j->join_id : "");
    who_t newbie = {.role = ROLE_PARTICIPANT};
    cmdctx_t x = {c, &newbie, NULL, now, out};
    if (jkey[0] != '\0' && strmap_get(&c->joins, jkey, &m) && c->members[m].team == (int)t) {
        /* A retried join: the same member gets another session. */
        snprintf(newbie.actor, sizeof newbie.actor, "%s", c->members[m].id);
    } else if (j->person) {
        int mi;
        snprintf(newbie.actor, sizeof newbie.actor, "m%zu", c->nmembers + 1);   /* if a member is made */
        rc = org_join_person(&x, (int)t, j->person, j->claim_code, &mi);
        if (rc != 0) {
            json_decref(args);
            return rc;
        }
        m = mi;
    } else if (!org_walkin_allowed(c, (int)t)) {
        json_decref(args);
        return SP_E_WALKINS_CLOSED;
    } else {
        snprintf(newbie.actor, sizeof newbie.actor, "m%zu", c->nmembers + 1);
        cmd_emit(&x, "member.joined", AUD_TEAM, c->teams[t].id,
                 json_pack("{ss ss ss}", "id", newbie.actor, "team", c->teams[t].id, "name", nm));
        m = c->nmembers - 1;
        org_member_joined(&x, (int)m);
    }
    json_decref(args);
    /* The join id stays on the server: whoever knows it gets a session. */
    cmd_emit(&x, "session.opened", AUD_SERVER, "",
             json_pack("{ss ss ss}", "member", c->members[m].id, "hash", j->token_hash, "join", jkey));
    who_fill(c, ROLE_PARTICIPANT, (int)m, who);
    return 0;
}

int core_exec(core_t *c, const who_t *who, const char *cmd, const json_t *args,
              const char *cmd_id, int64_t now, evlist_t *out, int64_t *dup_seq)
{
    char key[sizeof who->actor + LIMIT_CMD_ID + 2];
    int64_t seq;
    size_t idlen = cmd_id ? strlen(cmd_id) : 0;
    json_decref(c->err_detail);
    c->err_detail = NULL;
    if (idlen == 0 || idlen > LIMIT_CMD_ID)
        return SP_E_BAD_ID;
    dedupe_key(key, sizeof key, who->actor, cmd_id);
    if (strmap_get(&c->cmds, key, &seq)) {
        *dup_seq = seq;
        return 1;
    }
    for (size_t t = 0; t < MOD_COUNT; t++)
        for (const cmddef_t *d = core_modules[t]->cmds; d && d->name != NULL; d++) {
            if (strcmp(d->name, cmd) != 0)
                continue;
            if (!(d->roles & ROLE_BIT(who->role)))
                return SP_E_FORBIDDEN;
            if (!json_is_object(args))
                return SP_E_BAD_MESSAGE;
            /* An archive is read-only; only the AVG deletion and the organiser's publication
             * choices still change it (sprint.c). */
            if (c->archive != NULL && strcmp(cmd, "person.delete") != 0 && strcmp(cmd, "sprint.publish") != 0)
                return SP_E_ARCHIVED;
            int rc = step_check_cmd(c, who, cmd);
            if (rc != 0)
                return rc;
            cmdctx_t x = {c, who, cmd_id, now, out};
            return d->fn(&x, args);
        }
    return SP_E_UNKNOWN_COMMAND;
}

json_t *core_error_detail(core_t *c)
{
    json_t *d = c->err_detail;
    c->err_detail = NULL;
    return d;
}

void cmd_error_detail(cmdctx_t *x, json_t *d)
{
    json_decref(x->core->err_detail);
    x->core->err_detail = d;
}

unsigned core_take_effects(core_t *c)
{
    unsigned fx = c->effects;
    c->effects = 0;
    return fx;
}

int core_known(const core_t *c, const who_t *who, const char *cmd_id, int64_t *seq)
{
    char key[128];
    dedupe_key(key, sizeof key, who->actor, cmd_id);
    return strmap_get(&c->cmds, key, seq) ? 1 : 0;
}

void core_commands(void (*cb)(void *ud, const char *name, unsigned roles), void *ud)
{
    for (size_t t = 0; t < MOD_COUNT; t++)
        for (const cmddef_t *d = core_modules[t]->cmds; d && d->name != NULL; d++)
            cb(ud, d->name, d->roles);
}

int core_aud_public(int aud_kind)
{
    return aud_kind == AUD_ALL || aud_kind == AUD_ROOM || aud_kind == AUD_TEAM;
}

int core_in_record(const ev_t *ev)
{
    return core_aud_public(ev->aud_kind) ||
           (ev->aud_kind == AUD_STAFF && strcmp(ev->type, "jury.results") == 0);
}

int core_may_see(const core_t *c, const who_t *who, int kind, const char *id)
{
    int t;
    switch (kind) {
    case AUD_ALL: return who->role != ROLE_NONE;
    case AUD_ROOM:
        if (who->role == ROLE_ORGANISER)
            return 1;
        return who->room >= 0 &&
               (who->role == ROLE_PARTICIPANT || who->role == ROLE_FACILITATOR || who->role == ROLE_SCREEN) &&
               strcmp(c->rooms[who->room].id, id) == 0;
    case AUD_TEAM:
        if (who->role == ROLE_ORGANISER)
            return 1;
        t = team_index(c, id);
        if (t < 0)
            return 0;
        if (who->role == ROLE_PARTICIPANT)
            return who->team == t;
        return who->role == ROLE_FACILITATOR && c->teams[t].room == who->room;
    case AUD_MEMBER:
        return who->role == ROLE_PARTICIPANT && strcmp(c->members[who->member].id, id) == 0;
    case AUD_STAFF: return who->role == ROLE_ORGANISER || who->role == ROLE_FACILITATOR;
    case AUD_ORG: return who->role == ROLE_ORGANISER;
    case AUD_JURY: return who->role == ROLE_JURY;
    case AUD_JUROR: return who->role == ROLE_JURY && strcmp(who->actor, id) == 0;
    case AUD_SCREEN: return who->role == ROLE_SCREEN || who->role == ROLE_ORGANISER;
    case AUD_DESK:
        return who->role == ROLE_ORGANISER ||
               (who->role == ROLE_FACILITATOR && who->room >= 0 &&
                strcmp(c->rooms[who->room].id, id) == 0);
    default: return 0;
    }
}

void core_channels(const core_t *c, const who_t *who,
                   void (*cb)(void *ud, int kind, const char *id), void *ud)
{
    if (who->role == ROLE_NONE)
        return;
    cb(ud, AUD_ALL, "");
    switch (who->role) {
    case ROLE_PARTICIPANT:
        cb(ud, AUD_ROOM, c->rooms[who->room].id);
        cb(ud, AUD_TEAM, c->teams[who->team].id);
        cb(ud, AUD_MEMBER, c->members[who->member].id);
        break;
    case ROLE_FACILITATOR:
        cb(ud, AUD_STAFF, "");
        cb(ud, AUD_ROOM, c->rooms[who->room].id);
        cb(ud, AUD_DESK, c->rooms[who->room].id);
        for (size_t t = 0; t < c->nteams; t++)
            if (c->teams[t].room == who->room)
                cb(ud, AUD_TEAM, c->teams[t].id);
        break;
    case ROLE_ORGANISER:
        cb(ud, AUD_STAFF, "");
        cb(ud, AUD_ORG, "");
        cb(ud, AUD_SCREEN, "");
        for (size_t r = 0; r < c->nrooms; r++) {
            cb(ud, AUD_ROOM, c->rooms[r].id);
            cb(ud, AUD_DESK, c->rooms[r].id);
        }
        for (size_t t = 0; t < c->nteams; t++)
            cb(ud, AUD_TEAM, c->teams[t].id);
        break;
    case ROLE_JURY:
        cb(ud, AUD_JURY, "");
        cb(ud, AUD_JUROR, who->actor);
        break;
    case ROLE_SCREEN:
        cb(ud, AUD_SCREEN, "");
        if (who->room >= 0)   /* a break-out room's screen also shows that room's timers */
            cb(ud, AUD_ROOM, c->rooms[who->room].id);
        break;
    default: break;
    }
}

const char *core_sprint_id(const core_t *c) { return c->sprint_id; }
const char *core_sprint_title(const core_t *c) { return c->title_nl ? c->title_nl : ""; }

const char *core_link_token(const core_t *c, const char *role, const char *room)
{
    size_t i;
    json_t *l;
    json_array_foreach(c->links, i, l) {
        const char *r = json_string_value(json_object_get(l, "role"));
        const char *rm = json_string_value(json_object_get(l, "room"));
        if (r && strcmp(r, role) == 0 && (room == NULL || (rm && strcmp(rm, room) == 0)))
            return json_string_value(json_object_get(l, "token"));
    }
    return NULL;
}

size_t core_team_count(const core_t *c) { return c->nteams; }
size_t core_room_count(const core_t *c) { return c->nrooms; }
int core_team_room(const core_t *c, size_t t) { return t < c->nteams ? c->teams[t].room : -1; }

int core_team_info(const core_t *c, size_t i, const char **id, const char **name,
                   const char **room, const char **code)
{
    if (i >= c->nteams)
        return SP_E_NOT_FOUND;
    *id = c->teams[i].id;
    *name = c->teams[i].name;
    *room = c->rooms[c->teams[i].room].id;
    *code = c->teams[i].code;
    return 0;
}

size_t core_note_count(const core_t *c, int include_deleted)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nnotes; i++)
        if (include_deleted || !c->notes[i].deleted)
            n++;
    return n;
}

json_t *core_who_json(const core_t *c, const who_t *who)
{
    json_t *o = json_pack("{ss ss}", "role", role_name(who->role), "actor", who->actor);
    if (who->member >= 0) {
        json_object_set_new(o, "member", json_string(c->members[who->member].id));
        json_object_set_new(o, "name", json_string(c->members[who->member].name));
    }
    if (who->team >= 0)
        json_object_set_new(o, "team", json_string(c->teams[who->team].id));
    if (who->room >= 0)
        json_object_set_new(o, "room", json_string(c->rooms[who->room].id));
    if (who->role == ROLE_JURY)
        jury_who_extend(c, who, o);
    return o;
}
