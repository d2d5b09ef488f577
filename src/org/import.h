/* import.h – the registration import shared by the HTTP API and `staatsprint import`. */
#ifndef SP_ORG_IMPORT_H
#define SP_ORG_IMPORT_H

#include "org/registration.h"

#include <jansson.h>
#include <stddef.h>

/* The CSV import shared by the HTTP API and `staatsprint import`: reads data with the
 * guessed mapping, changed by map ("field=column,…": column is a 1-based number or a
 * header text; "-" unmaps). On success returns 0 with *summary (rows, imported,
 * replaced, rejected, warnings, headers, mapping, issues, preview) and, unless
 * preview, *args ({people:[…]} for the registrations.import command); both owned by
 * the caller. On failure returns a REG_E_* value or -100 for a bad map, with
 * *summary holding {code, nl, en}. */
int import_parse(const char *data, size_t len, const reg_challenge_t *ch, size_t nch,
                 const char *map, int preview, reg_progress_cb progress, void *ud,
                 json_t **summary, json_t **args);

#endif
