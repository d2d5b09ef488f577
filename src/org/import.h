/* import.h – the registration import shared by the HTTP API and `staatsprint import`. */
#ifndef SP_ORG_IMPORT_H
#define SP_ORG_IMPORT_H

#include "org/registration.h"

#include <jansson.h>
#include <stddef.h>

/* The CSV import shared by the HTTP API and `staatsprint import`: reads data with the
 * guessed mapping, changed by map ("field=column,…": column is a 1-based number or a
 * header text; "-" unmaps), and the challenge answers as matched, changed by choices
 * ([{answer, challenge}], challenge an id or null to ignore; may be NULL). On success
 * returns 0 with *summary (rows, imported, replaced, rejected, warnings, headers,
 * mapping, map, answers, unmatched_answers, first_choices, no_choice, no_choice_people,
 * shared_email, issues, preview) and *args ({people:[…]} for the registrations.import
 * command; also for a preview, so the caller can say what it would do); both owned by
 * the caller. On failure returns a REG_E_* value, -100 for a bad map or -101 for bad
 * choices, with *summary holding {code, nl, en}. */
int import_parse(const char *data, size_t len, const reg_challenge_t *ch, size_t nch,
                 const char *map, const json_t *choices, int preview, reg_progress_cb progress,
                 void *ud, json_t **summary, json_t **args);

#endif
