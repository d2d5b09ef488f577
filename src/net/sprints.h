/* sprints.h – several sprints on one server: the archives beside the live sprint.
 *
 * The server serves one live sprint over WebSocket (its core, srv.core). Every other log
 * of the store is an archive: read-only, never served over WebSocket again. This file
 * holds what the server knows of the archives:
 *  - their credentials (token hashes, join codes), so that a link of an archived sprint
 *    gets `sprint_archived` ({sprint, title}) and never `bad_token`, and never opens
 *    anything of the live sprint (sprints_load at start, sprints_lookup);
 *  - the work of the endpoints that read or change archives (api.c): each opens a store
 *    of its own and touches neither the server's core nor lws, so it runs in a worker
 *    thread (like the report).
 * The bank hook (sprints_bank_sync) is the one place the server tells the idea bank that
 * an archive changed.
 */
#ifndef SP_NET_SPRINTS_H
#define SP_NET_SPRINTS_H

#include <jansson.h>
#include <stddef.h>

/* Reads every log of db except `live` and keeps its credentials (service thread, at
 * start). Returns 0, or -1 when the store cannot be read (a reason on stderr). */
int sprints_load(const char *db, const char *live);
/* Forgets what sprints_load kept. */
void sprints_unload(void);

/* The archived sprint a token hash (is_code 0) or a join code (is_code 1, as typed)
 * belongs to: {sprint, title} (caller owns), or NULL. */
json_t *sprints_lookup(const char *key, int is_code);

/* Whether the store now has a newer sprint than `live` (another node of a cluster made
 * one). Service thread; keeps a store connection of its own between calls (closed by
 * sprints_unload). Asked only while the live sprint is archived. */
int sprints_newer(const char *db, const char *live);

/* ---- worker side: own store, no core of the server, no lws ---------------------------- */

/* GET /api/sprints: {live, sprints:[summary…]} newest first (core_sprint_summary).
 * Returns 0 or -1. */
int sprints_list(const char *db, const char *live, json_t **out);

/* GET /api/sprints/<id>/report.<fmt> (fmt "pdf", "json" or "md"): the sprint's report
 * (report_model_load_log). bank_only (a facilitator): only an archive whose results are
 * in the idea bank (archive.bank). Returns 0 with *buf (caller frees) of *len bytes, -2
 * for an unknown sprint, -3 when bank_only refuses it, -1 when it failed. */
int sprints_report(const char *db, const char *id, const char *fmt, int names, int bank_only, char **buf,
                   size_t *len);

/* POST /api/sprints: boot_new_sprint on db. Returns 0 with the new id in log and the
 * organiser's token in tok; or a BOOT_E* code of log/boot.h. */
int sprints_create(const char *db, const char *from, const char *title, const char *date, char *log,
                   size_t loglen, char *tok, size_t toklen);

/* sprint.publish (args {bank, orgs, public}) as the organiser on the archive `id`,
 * appended durably to its log. Returns 0, -2 for an unknown sprint, a negative SP_E_*
 * of the core (not_archived, bad_message), or SP_E_STORE_UNAVAILABLE. */
int sprints_publish(const char *db, const char *id, const json_t *args);

/* person.delete in every archive (every log but `live`) that holds a live registration
 * with this e-mail address (core_person_by_email). Appends each archive's id that had
 * one to ids and adds the number of people deleted to *people. Returns 0 or
 * SP_E_STORE_UNAVAILABLE. */
int sprints_forget(const char *db, const char *live, const char *email, json_t *ids, int *people);

/* The bank hook: called after an archive, a publication and a forget (service thread).
 * H1 / the lead wires bank_sync(db) in here (in a worker thread if it is slow). */
void sprints_bank_sync(const char *db);

#endif
