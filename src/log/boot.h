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

/* Extra teams added to the default sprint when it is created (for load tests and
 * large days), spread over the rooms. Set before boot_open; 0 by default. */
extern int boot_extra_teams;

/* Gives core fresh join codes and link tokens from libsodium (util/secret.h) for the
 * commands that make them after the set-up. */
void boot_secret_source(core_t *core);

#endif
