/* boot.c – from a database file to a core holding the sprint. */
#include "util/clock.h"
#include "log/boot.h"
#include "log/event.h"
#include "core/err.h"
#include "util/secret.h"
#include "util/embedded.h"

#include <stdatomic.h>
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

static json_t *default_desc(void)
{
    const embed_file_t *f = embed_find(DEFAULT_EVENT);
    json_error_t jerr;
    json_t *desc = f ? json_loadb((const char *)f->data, f->len, 0, &jerr) : NULL;
    if (desc == NULL)
        fprintf(stderr, "staatsprint: de standaarddag ontbreekt of is ongeldig "
                        "(the default event is missing or invalid): %s\n",
                f ? jerr.text : DEFAULT_EVENT);
    return desc;
}

/* Sets up the sprint of desc (borrowed) on core and appends it durably to its own log
 * (id = the description's id): tokens for every link, a code per team. The organiser's
 * token goes to org_token when that is not NULL. */
static int create_sprint(store_t *s, core_t *core, json_t *desc, char *log, size_t loglen,
                         void (*on_event)(void *ud, const ev_t *ev), void *ud, char *org_token,
                         size_t org_token_len)
{
    json_t *rooms = json_object_get(desc, "rooms"), *teams = json_object_get(desc, "teams");
    if (!json_is_object(json_object_get(desc, "playbook")) && attach_playbook(desc) != 0)
        return -1;
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
        if (org_token != NULL)
            snprintf(org_token, org_token_len, "%s", tok[0]);
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
    return rc == 0 ? 0 : -1;
}

static int create_default(store_t *s, core_t *core, char *log, size_t loglen,
                          void (*on_event)(void *ud, const ev_t *ev), void *ud)
{
    json_t *desc = default_desc();
    if (desc == NULL)
        return -1;
    add_extra_teams(json_object_get(desc, "rooms"), json_object_get(desc, "teams"));
    int rc = create_sprint(s, core, desc, log, loglen, on_event, ud, NULL, 0);
    json_decref(desc);
    return rc;
}

/* ---- a new sprint beside the others ------------------------------------------------ */

static int template_cb(void *ud, const ev_t *ev)
{
    core_template_event(ud, ev);
    return 0;
}

static int date_ok(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return 0;
    return 1;
}

int boot_new_sprint(store_t *s, const char *from, const char *title, const char *date,
                    char *log, size_t loglen, char *org_token, size_t org_token_len)
{
    char today[16];
    if (date == NULL || date[0] == '\0') {
        time_t now = (time_t)(clock_now_ms() / 1000);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        date = today;
    }
    if (!date_ok(date) || (title != NULL && strlen(title) > 200))
        return BOOT_EBAD;
    json_t *base = default_desc();
    if (base == NULL)
        return BOOT_EIO;
    /* A fresh id: the date, and a number when that day has a sprint already. */
    char id[64];
    int64_t head = 1;
    for (int n = 1; head > 0 && n < 1000; n++) {
        if (n == 1)
            snprintf(id, sizeof id, "staatsprint-%s", date);
        else
            snprintf(id, sizeof id, "staatsprint-%s-%d", date, n);
        if (store_head(s, id, &head) != 0) {
            json_decref(base);
            return BOOT_EIO;
        }
    }
    json_t *desc;
    if (from == NULL || from[0] == '\0' || strcmp(from, "default") == 0) {
        desc = json_deep_copy(base);
        json_object_set_new(desc, "id", json_string(id));
        json_object_set_new(desc, "date", json_string(date));
        if (title != NULL && title[0] != '\0')
            json_object_set_new(desc, "title", json_pack("{ss ss}", "nl", title, "en", title));
    } else {
        int64_t fh = 0;
        if (strlen(from) >= 64 || store_head(s, from, &fh) != 0 || fh == 0) {
            json_decref(base);
            return BOOT_ENOTFOUND;
        }
        core_template_t *t = core_template_new();
        int rc = log_read(s, from, 0, template_cb, t, NULL);
        if (rc != 0) {
            core_template_free(t);
            json_decref(base);
            return BOOT_EIO;
        }
        desc = core_template_desc(t, json_object_get(base, "teams"), id, title, date);
        core_template_free(t);
    }
    json_decref(base);
    core_t *core = core_new();
    int rc = create_sprint(s, core, desc, log, loglen, NULL, NULL, org_token, org_token_len);
    core_free(core);
    json_decref(desc);
    return rc == 0 ? 0 : BOOT_EIO;
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

/* ---- a command on an archive ------------------------------------------------------ */

core_t *boot_load(store_t *s, const char *log, int *rc)
{
    int64_t head = 0;
    *rc = 0;
    if (strlen(log) >= 64 || store_head(s, log, &head) != 0 || head == 0) {
        *rc = BOOT_ENOTFOUND;
        return NULL;
    }
    core_t *c = core_new();
    replay_t r = {c, NULL, NULL, 0};
    int64_t bad = 0;
    int e = log_read(s, log, 0, replay_cb, &r, &bad);
    if (e == LOG_EBAD)
        damaged(bad);
    if (e != 0 || r.bad) {
        core_free(c);
        *rc = e != 0 ? e : LOG_EBAD;
        return NULL;
    }
    return c;
}

/* See boot.h; another writer in between (a second node) makes it read the log again. */
int boot_exec(store_t *s, const char *id, const char *cmd, const json_t *args, int *changed)
{
    static atomic_uint counter;
    who_t org;
    memset(&org, 0, sizeof org);
    org.role = ROLE_ORGANISER;
    org.member = org.team = org.room = -1;
    snprintf(org.actor, sizeof org.actor, "org");
    *changed = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        int rc;
        core_t *c = boot_load(s, id, &rc);
        if (c == NULL)
            return rc == BOOT_ENOTFOUND ? rc : SP_E_STORE_UNAVAILABLE;
        char cid[64];
        snprintf(cid, sizeof cid, "%s-%lld-%u", cmd, (long long)clock_now_ms(), atomic_fetch_add(&counter, 1) + 1);
        evlist_t out = {0};
        int64_t dup;
        rc = core_exec(c, &org, cmd, args, cid, clock_now_ms(), &out, &dup);
        if (rc == 0 && out.n > 0) {
            rc = log_append(s, id, &out);
            if (rc == STORE_ECONFLICT) {
                evlist_free(&out);
                core_free(c);
                continue;
            }
            rc = rc == 0 ? 0 : SP_E_STORE_UNAVAILABLE;
            *changed = rc == 0;
        }
        evlist_free(&out);
        core_free(c);
        return rc;
    }
    return SP_E_STORE_UNAVAILABLE;
}

