/* csv.h – the ideas and the votes of a sprint as CSV files (RFC 4180, UTF-8 with BOM).
 *
 * ideas: team_id, team, room, challenge, idea_id, round, elapsed_s, text, votes, chosen
 * votes: team_id, team, vote (knelpunten | themes | ideas), option_id, option, dots, chosen
 * Only revealed tallies: an option of a vote that was never revealed has an empty
 * dots cell. Every cell goes through csv_write_field (org/csv.h), which neutralises
 * cells a spreadsheet would run as a formula.
 */
#ifndef SP_REPORT_CSV_H
#define SP_REPORT_CSV_H

#include <jansson.h>

/* Write the file at path. Return 0 or -1 with a reason on stderr. */
int report_csv_ideas(const json_t *doc, const char *path);
int report_csv_votes(const json_t *doc, const char *path);

#endif
