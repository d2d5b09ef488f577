/* boot.c – from a database file to a core holding the sprint. */
#include "util/clock.h"
#include "log/boot.h"
#include "core/err.h"
#include "util/secret.h"
#include "util/embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_EVENT "data/events/staatsprint-13-maart.json"

char *ev_to_body(const ev_t *ev, size_t *len)
{
    char *s = json_dumps(ev->data, JSON_COMPACT | JSON_ENCODE_ANY);
    *len = s ? strlen(s) : 0;
    return s;
}

void ev_to_rec(const ev_t *ev, const char *body, size_t len, store_rec_t *rec)
{
    rec->seq = ev->seq;
    rec->ts = ev->ts;
    rec->type = ev->type;
    rec->aud_kind = ev->aud_kind;
    rec->aud_id = ev->aud_id;
    rec->actor = ev->actor;
    rec->cmd_id = ev->cmd_id;
    rec->body = body;
    rec->body_len = len;
}

int ev_from_rec(const store_rec_t *rec, ev_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->seq = rec->seq;
    ev->ts = rec->ts;
    snprintf(ev->type, sizeof ev->type, "%s", rec->type);
    ev->aud_kind = rec->aud_kind;
    snprintf(ev->aud_id, sizeof ev->aud_id, "%s", rec->aud_id);
    snprintf(ev->actor, sizeof ev->actor, "%s", rec->actor);
    snprintf(ev->cmd_id, sizeof ev->cmd_id, "%s", rec->cmd_id);
    ev->data = json_loadb(rec->body, rec->body_len, JSON_DECODE_ANY, NULL);
    return ev->data ? 0 : -1;
}

char *ev_frame(const ev_t *ev, size_t *len)
{
    json_t *f = json_pack("{ss sI sI ss ss sO}", "t", "ev", "seq", (json_int_t)ev->seq, "ts",
                          (json_int_t)ev->ts, "type", ev->type, "by", ev->actor, "data",
                          ev->data);
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    *len = strlen(s);
    return s;
}

typedef struct {
    core_t *core;
    void (*on_event)(void *ud, const ev_t *ev);
    void *ud;
    int bad;
} replay_t;

static int replay_cb(void *ud, const store_rec_t *rec)
{
    replay_t *r = ud;
    ev_t ev;
    if (ev_from_rec(rec, &ev) != 0 || core_apply(r->core, &ev) != 0) {
        fprintf(stderr, "staatsprint: gebeurtenis %lld in de database is beschadigd "
                        "(event %lld in the database is damaged)\n",
                (long long)rec->seq, (long long)rec->seq);
        json_decref(ev.data);
        r->bad = 1;
        return 1;
    }
    if (r->on_event)
        r->on_event(r->ud, &ev);
    json_decref(ev.data);
    return 0;
}

static void first_log(void *ud, const char *log)
{
    char *out = ud;
    if (out[0] == '\0')
        snprintf(out, 64, "%s", log);
}

int boot_extra_teams = 0;

/* The description names its playbook ("staatsprint" by default); the playbook itself
 * goes into the log with the sprint, so a replay never depends on files changing. */
static int attach_playbook(json_t *desc)
{
    const char *name = json_string_value(json_object_get(desc, "playbook"));
    char path[128];
    snprintf(path, sizeof path, "data/playbooks/%s.json", name ? name : "staatsprint");
    const embed_file_t *f = embed_find(path);
    json_error_t jerr;
    json_t *pb = f ? json_loadb((const char *)f->data, f->len, 0, &jerr) : NULL;
    if (pb == NULL) {
        fprintf(stderr, "staatsprint: het draaiboek %s ontbreekt of is ongeldig (the playbook is "
                        "missing or invalid)\n", path);
        return -1;
    }
    json_object_set_new(desc, "playbook", pb);
    return 0;
}

static void add_extra_teams(json_t *rooms, json_t *teams)
{
    size_t base = json_array_size(teams), nrooms = json_array_size(rooms);
    for (int i = 0; i < boot_extra_teams && nrooms > 0; i++) {
        char id[16], name[32];
        snprintf(id, sizeof id, "t%zu", base + (size_t)i + 1);
        snprintf(name, sizeof name, "Team %zu", base + (size_t)i + 1);
        json_t *room = json_object_get(json_array_get(rooms, (size_t)i % nrooms), "id");
        json_array_append_new(teams, json_pack("{ss ss sO}", "id", id, "name", name, "room", room));
    }
}

/* Makes the default sprint: tokens for every link, a code per team. */
static int create_default(store_t *s, core_t *core, char *log, size_t loglen,
                          void (*on_event)(void *ud, const ev_t *ev), void *ud)
{
    const embed_file_t *f = embed_find(DEFAULT_EVENT);
    json_error_t jerr;
    json_t *desc = f ? json_loadb((const char *)f->data, f->len, 0, &jerr) : NULL;
    if (desc == NULL) {
        fprintf(stderr, "staatsprint: de standaarddag ontbreekt of is ongeldig "
                        "(the default event is missing or invalid): %s\n",
                f ? jerr.text : DEFAULT_EVENT);
        return -1;
    }
    json_t *rooms = json_object_get(desc, "rooms"), *teams = json_object_get(desc, "teams");
    add_extra_teams(rooms, teams);
    if (attach_playbook(desc) != 0) {
        json_decref(desc);
        return -1;
    }
    size_t nrooms = json_array_size(rooms), nteams = json_array_size(teams);
    size_t nlinks = nrooms + 3;
    core_link_t *links = calloc(nlinks, sizeof *links);
    char (*tok)[SECRET_TOKEN_LEN + 1] = calloc(nlinks, sizeof *tok);
    char (*hash)[SECRET_HASH_LEN + 1] = calloc(nlinks, sizeof *hash);
    char (*codes)[SECRET_CODE_LEN + 1] = calloc(nteams ? nteams : 1, sizeof *codes);
    const char **codeptr = calloc(nteams ? nteams : 1, sizeof *codeptr);
    if (!links || !tok || !hash || !codes || !codeptr) {
        fprintf(stderr, "staatsprint: out of memory\n");
        abort();
    }
    static const char *const fixed[] = {"organiser", "jury", "screen"};
    for (size_t i = 0; i < nlinks; i++) {
        secret_token(tok[i]);
        secret_hash(tok[i], hash[i]);
        links[i].token = tok[i];
        links[i].hash = hash[i];
        if (i < 3) {
            links[i].role = fixed[i];
        } else {
            links[i].role = "facilitator";
            links[i].room = json_string_value(json_object_get(json_array_get(rooms, i - 3), "id"));
        }
    }
    for (size_t i = 0; i < nteams; i++) {
        secret_code(codes[i]);
        codeptr[i] = codes[i];
    }
    core_secrets_t sec = {links, nlinks, codeptr, nteams};
    evlist_t out = {0};
    int rc = core_setup(core, desc, &sec, clock_now_ms(), &out);
    if (rc == 0) {
        snprintf(log, loglen, "%s", core_sprint_id(core));
        store_rec_t *recs = calloc(out.n, sizeof *recs);
        char **bodies = calloc(out.n, sizeof *bodies);
        for (size_t i = 0; i < out.n; i++) {
            size_t len;
            bodies[i] = ev_to_body(&out.v[i], &len);
            ev_to_rec(&out.v[i], bodies[i], len, &recs[i]);
        }
        rc = store_append(s, log, recs, out.n);
        if (rc != 0)
            fprintf(stderr, "staatsprint: kan de nieuwe dag niet opslaan (cannot save the new "
                            "event): %s\n", store_strerror(rc));
        for (size_t i = 0; i < out.n; i++) {
            if (rc == 0 && on_event)
                on_event(ud, &out.v[i]);
            free(bodies[i]);
        }
        free(recs);
        free(bodies);
    } else {
        fprintf(stderr, "staatsprint: %s (%s)\n", err_nl(rc), err_en(rc));
    }
    evlist_free(&out);
    memset(tok, 0, nlinks * sizeof *tok);
    free(links);
    free(tok);
    free(hash);
    free(codes);
    free(codeptr);
    json_decref(desc);
    return rc == 0 ? 0 : -1;
}

int boot_open(const char *db, store_t **store, core_t *core, char *log, size_t loglen,
              void (*on_event)(void *ud, const ev_t *ev), void *ud)
{
    char err[512] = "";
    if (secret_init() != 0) {
        fprintf(stderr, "staatsprint: geen bron van toeval beschikbaar (no source of randomness)\n");
        return -1;
    }
    int rc = store_open(db, store, err, sizeof err);
    if (rc != 0) {
        if (rc == STORE_ENEWER)
            fprintf(stderr, "staatsprint: de database %s is gemaakt door een nieuwere versie van "
                            "staatsprint; werk staatsprint bij.\n(the database was made by a newer "
                            "version of staatsprint; please upgrade.) %s\n", db, err);
        else
            fprintf(stderr, "staatsprint: kan de database %s niet openen of aanmaken "
                            "(cannot open or create the database): %s\n", db, err);
        return -1;
    }
    char first[64] = "";
    store_logs(*store, first_log, first);
    if (first[0] == '\0')
        return create_default(*store, core, log, loglen, on_event, ud) == 0 ? 0 : (store_close(*store), *store = NULL, -1);
    snprintf(log, loglen, "%s", first);
    replay_t r = {core, on_event, ud, 0};
    rc = store_read(*store, log, 0, replay_cb, &r);
    if (rc != 0 || r.bad) {
        if (!r.bad)
            fprintf(stderr, "staatsprint: kan de database niet lezen (cannot read the database): %s\n",
                    store_strerror(rc));
        store_close(*store);
        *store = NULL;
        return -1;
    }
    return 0;
}
