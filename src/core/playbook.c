/* playbook.c – reading and checking a playbook. */
#include "core/playbook.h"
#include "core/err.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const pb_milestone_kinds[4] = {"goal", "role", "dropped", "added"};

static const char *const act_names[] = {"intro",  "brainstorm", "cluster", "items",
                                        "vote",   "canvas",     "race",    "timeline"};

static int copy_id(char dst[PB_ID], const json_t *v)
{
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) >= PB_ID)
        return -1;
    snprintf(dst, PB_ID, "%s", s);
    return 0;
}

static int int_in(const json_t *o, const char *key, int lo, int hi, int dflt, int *out)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return -1;
    *out = (int)json_integer_value(v);
    return 0;
}

/* Whether an earlier step (before index upto) writes to board/list `id`. */
static int written_before(const playbook_t *pb, size_t upto, activity_t act, const char *id)
{
    for (size_t i = 0; i < upto; i++) {
        const pb_step_t *s = &pb->steps[i];
        if (act == ACT_ITEMS && s->act == ACT_ITEMS && strcmp(s->list, id) == 0)
            return 1;
        if (act != ACT_ITEMS && (s->act == ACT_BRAINSTORM || s->act == ACT_RACE ||
                                 (act == ACT_CLUSTER && s->act == ACT_CLUSTER)) &&
            strcmp(s->board, id) == 0)
            return 1;
    }
    return 0;
}

static int parse_step(playbook_t *pb, const json_t *j, const char *phase)
{
    pb_step_t *s = &pb->steps[pb->nsteps];
    memset(s, 0, sizeof *s);
    const json_t *p = json_object_get(j, "params");
    const char *act = json_string_value(json_object_get(j, "activity"));
    int found = 0;
    if (copy_id(s->id, json_object_get(j, "id")) != 0 || act == NULL)
        return -1;
    snprintf(s->phase, PB_ID, "%s", phase);
    for (size_t i = 0; i < sizeof act_names / sizeof act_names[0]; i++)
        if (strcmp(act, act_names[i]) == 0) {
            s->act = (activity_t)i;
            found = 1;
        }
    if (!found || int_in(j, "minutes", 1, 600, 0, &s->minutes) != 0 || s->minutes == 0)
        return -1;
    if (playbook_find(pb, s->id) >= 0)
        return -1;
    switch (s->act) {
    case ACT_BRAINSTORM:
        s->private_notes = json_is_true(json_object_get(p, "private"));
        if (copy_id(s->board, json_object_get(p, "board")) != 0)
            return -1;
        break;
    case ACT_CLUSTER:
        if (copy_id(s->board, json_object_get(p, "board")) != 0 ||
            !written_before(pb, pb->nsteps, ACT_CLUSTER, s->board))
            return -1;
        break;
    case ACT_ITEMS:
        if (copy_id(s->list, json_object_get(p, "list")) != 0)
            return -1;
        break;
    case ACT_VOTE: {
        const char *t = json_string_value(json_object_get(p, "target"));
        if (t == NULL || int_in(p, "budget", 1, 100, 0, &s->budget) != 0 || s->budget == 0 ||
            int_in(p, "select", 0, 100, 0, &s->select) != 0)
            return -1;
        const char *colon = strchr(t, ':');
        if (colon == NULL || strlen(colon + 1) == 0 || strlen(colon + 1) >= PB_ID)
            return -1;
        snprintf(s->target_id, PB_ID, "%s", colon + 1);
        if (strncmp(t, "list:", 5) == 0)
            s->target = TARGET_LIST;
        else if (strncmp(t, "clusters:", 9) == 0)
            s->target = TARGET_CLUSTERS;
        else if (strncmp(t, "board:", 6) == 0)
            s->target = TARGET_BOARD;
        else
            return -1;
        activity_t need = s->target == TARGET_LIST ? ACT_ITEMS
                          : s->target == TARGET_CLUSTERS ? ACT_CLUSTER : ACT_BRAINSTORM;
        if (!written_before(pb, pb->nsteps, need, s->target_id))
            return -1;
        break;
    }
    case ACT_CANVAS: {
        const json_t *fields = json_object_get(p, "fields"), *f;
        size_t i;
        if (copy_id(s->canvas, json_object_get(p, "canvas")) != 0 || !json_is_array(fields) ||
            json_array_size(fields) == 0)
            return -1;
        s->fields = xcalloc(json_array_size(fields), sizeof *s->fields);
        json_array_foreach(fields, i, f) {
            if (copy_id(s->fields[i], json_object_get(f, "id")) != 0)
                return -1;
            s->nfields = i + 1;
        }
        break;
    }
    case ACT_RACE:
        if (copy_id(s->board, json_object_get(p, "board")) != 0 ||
            int_in(p, "rounds", 1, 5, 2, &s->rounds) != 0 ||
            int_in(p, "round_minutes", 1, 60, 5, &s->round_minutes) != 0)
            return -1;
        s->prize = json_incref(json_object_get(p, "prize"));
        break;
    case ACT_TIMELINE: {
        const json_t *kinds = json_object_get(p, "kinds"), *k;
        size_t i;
        if (copy_id(s->vote_step, json_object_get(p, "vote")) != 0 ||
            int_in(p, "years", 1, 50, 5, &s->years) != 0)
            return -1;
        int v = playbook_find(pb, s->vote_step);
        if (v < 0 || pb->steps[v].act != ACT_VOTE || pb->steps[v].select == 0)
            return -1;
        json_array_foreach(kinds, i, k)
            for (int m = 0; m < 4; m++)
                if (json_is_string(k) && strcmp(json_string_value(k), pb_milestone_kinds[m]) == 0)
                    s->kinds |= 1u << m;
        if (s->kinds == 0)
            s->kinds = 0xf;
        break;
    }
    case ACT_INTRO: break;
    }
    pb->nsteps++;
    return 0;
}

int playbook_parse(const json_t *j, playbook_t *out)
{
    memset(out, 0, sizeof *out);
    const json_t *phases = json_object_get(j, "phases"), *ph, *st;
    size_t i, k, n = 0;
    if (copy_id(out->id, json_object_get(j, "id")) != 0 || !json_is_array(phases))
        return SP_E_BAD_PLAYBOOK;
    json_array_foreach(phases, i, ph)
        n += json_array_size(json_object_get(ph, "steps"));
    if (n == 0 || n > 200)
        return SP_E_BAD_PLAYBOOK;
    out->steps = xcalloc(n, sizeof *out->steps);
    json_array_foreach(phases, i, ph) {
        const char *phase = json_string_value(json_object_get(ph, "id"));
        json_array_foreach(json_object_get(ph, "steps"), k, st)
            if (phase == NULL || parse_step(out, st, phase) != 0) {
                /* The step being parsed may own fields already. */
                out->nsteps++;
                playbook_free(out);
                return SP_E_BAD_PLAYBOOK;
            }
    }
    return 0;
}

void playbook_free(playbook_t *pb)
{
    for (size_t i = 0; i < pb->nsteps; i++) {
        free(pb->steps[i].fields);
        json_decref(pb->steps[i].prize);
    }
    free(pb->steps);
    memset(pb, 0, sizeof *pb);
}

int playbook_find(const playbook_t *pb, const char *id)
{
    for (size_t i = 0; i < pb->nsteps; i++)
        if (strcmp(pb->steps[i].id, id) == 0)
            return (int)i;
    return -1;
}

int playbook_field(const pb_step_t *s, const char *field)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i], field) == 0)
            return (int)i;
    return -1;
}
