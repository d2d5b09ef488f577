/* boot.h – opening a sprint: the store, the log folded into the core, first-start set-up.
 * The codec of the log is log/event.h. */
#ifndef SP_BOOT_H
#define SP_BOOT_H

#include "core/core.h"
#include "store/store.h"

#include <stddef.h>

/* Opens the store at db and folds its (first) log into core, calling on_event (may
 * be NULL) for every event in order. An empty store gets the default sprint of the
 * embedded data (data/events/staatsprint-13-maart.json) with fresh tokens and codes,
 * appended durably. On success returns 0 with *store open and log holding the log
 * id; on failure prints a Dutch and English reason to stderr and returns -1. */
int boot_open(const char *db, store_t **store, core_t *core, char *log, size_t loglen,
              void (*on_event)(void *ud, const ev_t *ev), void *ud);

/* Creates a new sprint in its own log of store s, durably, and leaves the others as they
 * are (the newest log is the live sprint at the next boot_open): from NULL or "default"
 * the default event, else a copy of the set-up of the sprint with that log id
 * (core_template: programme, challenges, rooms, jury criteria, playbook – never people,
 * notes, tokens or codes), with the teams of the default event. title (NULL or "": the
 * default's or the copied one's) is used in Dutch and English; date "YYYY-MM-DD" (NULL
 * or "": today, UTC). The id is "staatsprint-DATE" (with "-2", "-3", … when taken).
 * Every link gets a fresh token and every team a fresh code. Returns 0 with log holding
 * the new id and org_token (may be NULL) the organiser's token; BOOT_EBAD for a bad
 * title or date, BOOT_ENOTFOUND for an unknown `from`, BOOT_EIO when the store failed
 * (reason on stderr). */
enum { BOOT_EBAD = -2, BOOT_ENOTFOUND = -3, BOOT_EIO = -4 };
int boot_new_sprint(store_t *s, const char *from, const char *title, const char *date,
                    char *log, size_t loglen, char *org_token, size_t org_token_len);

/* The core of the sprint of log id in s, folded from the whole log (caller frees), or
 * NULL with *rc BOOT_ENOTFOUND (no such log), LOG_EBAD or the store's error. */
core_t *boot_load(store_t *s, const char *log, int *rc);

/* Runs cmd (args borrowed) as the organiser on the sprint of log id (not the one a server
 * serves: an archive) and appends its events durably to that log: sprint.publish on an
 * archive, person.delete in every sprint (AVG). *changed says whether events were
 * written. Returns 0, BOOT_ENOTFOUND for an unknown log,
 * the core's refusal (a negative SP_E_*), or SP_E_STORE_UNAVAILABLE. */
int boot_exec(store_t *s, const char *log, const char *cmd, const json_t *args, int *changed);

/* Extra teams added to the default sprint when it is created (for load tests and
 * large days), spread over the rooms. Set before boot_open; 0 by default. */
extern int boot_extra_teams;

/* Gives core fresh join codes and link tokens from libsodium (util/secret.h) for the
 * commands that make them after the set-up. */
void boot_secret_source(core_t *core);

#endif
