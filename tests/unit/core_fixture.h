/* core_fixture.h – a small sprint for core tests: 2 rooms, 3 teams, known tokens. */
#ifndef SP_CORE_FIXTURE_H
#define SP_CORE_FIXTURE_H

#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static const char fixture_desc[] =
    "{\"id\":\"test-sprint\",\"title\":{\"nl\":\"Testdag\",\"en\":\"Test day\"},"
    "\"date\":\"2024-03-13\",\"programme\":[{\"time\":\"09:30\",\"title\":{\"nl\":\"Opening\",\"en\":\"Opening\"},\"kind\":\"plenary\"}],"
    "\"challenges\":[{\"id\":\"c1\",\"title\":{\"nl\":\"Uitdaging\",\"en\":\"Challenge\"}}],"
    "\"rooms\":[{\"id\":\"r1\",\"name\":{\"nl\":\"Zaal 1\",\"en\":\"Room 1\"},\"challenge\":\"c1\"},"
    "{\"id\":\"r2\",\"name\":{\"nl\":\"Zaal 2\",\"en\":\"Room 2\"},\"challenge\":\"c1\"}],"
    "\"teams\":[{\"id\":\"t1\",\"name\":\"Team Een\",\"room\":\"r1\"},"
    "{\"id\":\"t2\",\"name\":\"Team Twee\",\"room\":\"r1\"},"
    "{\"id\":\"t3\",\"name\":\"Team Drie\",\"room\":\"r2\"}]}";

static const core_link_t fixture_links[] = {
    {"organiser", NULL, "tok-org", "hash-org"},
    {"jury", NULL, "tok-jury", "hash-jury"},
    {"screen", NULL, "tok-screen", "hash-screen"},
    {"facilitator", "r1", "tok-f1", "hash-f1"},
    {"facilitator", "r2", "tok-f2", "hash-f2"},
};
static const char *const fixture_codes[] = {"AAAA-1111", "BBBB-2222", "CCCC-3333"};

/* Sets up the fixture sprint on c; the set-up events go to out. */
static inline int fixture_setup(core_t *c, evlist_t *out)
{
    json_t *d = json_loads(fixture_desc, 0, NULL);
    core_secrets_t sec = {fixture_links, 5, fixture_codes, 3};
    int rc = core_setup(c, d, &sec, 1000, out);
    json_decref(d);
    return rc;
}

/* Joins code with name and a session hash; returns the identity. */
static inline who_t fixture_join(core_t *c, const char *code, const char *name, const char *hash,
                                 evlist_t *out)
{
    who_t w;
    memset(&w, 0, sizeof w);
    char jid[64];
    strncpy(jid, hash, sizeof jid - 1);
    jid[sizeof jid - 1] = '\0';
    if (core_join(c, code, name, jid, hash, 2000, out, &w) != 0)
        w.role = ROLE_NONE;
    return w;
}



#include "util/embedded.h"

/* Sets up the fixture sprint with a playbook (JSON text, or NULL for the real
 * Staatsprint playbook embedded in the binary). */
static inline int fixture_setup_pb(core_t *c, evlist_t *out, const char *playbook)
{
    json_t *d = json_loads(fixture_desc, 0, NULL);
    json_t *pb;
    if (playbook == NULL) {
        const embed_file_t *f = embed_find("data/playbooks/staatsprint.json");
        pb = f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
    } else {
        pb = json_loads(playbook, 0, NULL);
    }
    json_object_set_new(d, "playbook", pb);
    core_secrets_t sec = {fixture_links, 5, fixture_codes, 3};
    int rc = core_setup(c, d, &sec, 1000, out);
    json_decref(d);
    return rc;
}
#include <stdarg.h>
#include <stdio.h>

/* Runs cmd for w with args packed from fmt (a jansson pack format; NULL for {}) under the
 * command id "<prefix><id_no>" at time now; returns what core_exec returns. */
static inline int fixture_vrun(core_t *c, const who_t *w, const char *cmd, int64_t now,
                               const char *prefix, int id_no, evlist_t *log, const char *fmt,
                               va_list ap)
{
    json_t *args = fmt ? json_vpack_ex(NULL, 0, fmt, ap) : json_object();
    if (args == NULL)
        return -1;
    char id[24];
    snprintf(id, sizeof id, "%s%d", prefix, id_no);
    int64_t dup;
    int rc = core_exec(c, w, cmd, args, id, now, log, &dup);
    json_decref(args);
    return rc;
}

/* Fresh secrets for the commands that make codes and links after the set-up
 * (core_set_secret_source): codes "ZZ00-0000", "ZZ01-0001", …, tokens "tok-new-N" with
 * hashes "hash-new-N". */
static int fixture_made;
static inline void fixture_fake_code(void *ud, char *out, size_t len)
{
    (void)ud;
    snprintf(out, len, "ZZ%02d-%04d", fixture_made % 100, fixture_made);
    fixture_made++;
}
static inline void fixture_fake_token(void *ud, char *tok, size_t tl, char *hash, size_t hl)
{
    (void)ud;
    snprintf(tok, tl, "tok-new-%d", fixture_made);
    snprintf(hash, hl, "hash-new-%d", fixture_made++);
}

/* Appends the events of out to log, each with its own reference to the data (a test's
 * record of everything so far, for replay and audience checks). */
static inline void fixture_keep(evlist_t *log, const evlist_t *out)
{
    for (size_t i = 0; i < out->n; i++) {
        if (log->n == log->cap) {
            log->cap = log->cap ? log->cap * 2 : 64;
            log->v = realloc(log->v, log->cap * sizeof *log->v);
        }
        log->v[log->n] = out->v[i];
        log->v[log->n].data = json_incref(out->v[i].data);
        log->n++;
    }
}

/* The last event of this type in log, or NULL. */
static inline const ev_t *fixture_find_last(const evlist_t *log, const char *type)
{
    for (size_t i = log->n; i > 0; i--)
        if (strcmp(log->v[i - 1].type, type) == 0)
            return &log->v[i - 1];
    return NULL;
}

#endif
