/* boot.c – from a database file to a core holding the sprint. */
#include "util/clock.h"
#include "log/boot.h"
#include "log/event.h"
#include "core/err.h"
#include "util/secret.h"
#include "util/embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_EVENT "data/events/staatsprint-13-maart.json"

typedef struct {
    core_t *core;
    void (*on_event)(void *ud, const ev_t *ev);
    void *ud;
    int bad;
} replay_t;

static void damaged(int64_t seq)
{
    fprintf(stderr, "staatsprint: gebeurtenis %lld in de database is beschadigd "
                    "(event %lld in the database is damaged)\n", (long long)seq, (long long)seq);
}

static int replay_cb(void *ud, const ev_t *ev)
{
    replay_t *r = ud;
    if (core_apply(r->core, ev) != 0) {
        damaged(ev->seq);
        r->bad = 1;
        return 1;
    }
    if (r->on_event)
        r->on_event(r->ud, ev);
    return 0;
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
        rc = log_append(s, log, &out);
        if (rc != 0)
            fprintf(stderr, "staatsprint: kan de nieuwe dag niet opslaan (cannot save the new "
                            "event): %s\n", store_strerror(rc));
        for (size_t i = 0; i < out.n && rc == 0 && on_event; i++)
            on_event(ud, &out.v[i]);
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
    /* Several sprints: the live one is the most recently created log (the others are
     * archives, read by the report and the archive endpoints only). */
    char first[64];
    rc = log_live(*store, first, sizeof first);
    if (rc != 0) {
        fprintf(stderr, "staatsprint: kan de database niet lezen (cannot read the database): %s\n",
                store_strerror(rc));
        store_close(*store);
        *store = NULL;
        return -1;
    }
    if (first[0] == '\0')
        return create_default(*store, core, log, loglen, on_event, ud) == 0 ? 0 : (store_close(*store), *store = NULL, -1);
    snprintf(log, loglen, "%s", first);
    replay_t r = {core, on_event, ud, 0};
    int64_t bad = 0;
    rc = log_read(*store, log, 0, replay_cb, &r, &bad);
    if (rc == LOG_EBAD)
        damaged(bad);
    if (rc != 0 || r.bad) {
        if (!r.bad && rc != LOG_EBAD)
            fprintf(stderr, "staatsprint: kan de database niet lezen (cannot read the database): %s\n",
                    store_strerror(rc));
        store_close(*store);
        *store = NULL;
        return -1;
    }
    return 0;
}

/* Fresh secrets for commands that make links or codes after the set-up (core.h). */
static void fresh_code(void *ud, char *out, size_t len)
{
    (void)ud;
    char code[SECRET_CODE_LEN + 1];
    secret_code(code);
    snprintf(out, len, "%s", code);
}

static void fresh_token(void *ud, char *tok, size_t toklen, char *hash, size_t hashlen)
{
    (void)ud;
    char t[SECRET_TOKEN_LEN + 1], h[SECRET_HASH_LEN + 1];
    secret_token(t);
    secret_hash(t, h);
    snprintf(tok, toklen, "%s", t);
    snprintf(hash, hashlen, "%s", h);
    memset(t, 0, sizeof t);
}

void boot_secret_source(core_t *core)
{
    const core_secret_src_t src = {fresh_code, fresh_token, NULL};
    core_set_secret_source(core, &src);
}
