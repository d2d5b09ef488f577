/* sheets.h – the printable join sheets: one A4 page per team with its code and a QR code.
 *
 * Pure rendering (cairo + pango + libqrencode), no core and no network: the caller
 * hands over a copy of what to print, so this runs on any thread (the server renders
 * in a worker thread, off the service thread).
 */
#ifndef SP_REPORT_SHEETS_H
#define SP_REPORT_SHEETS_H

#include <jansson.h>
#include <stddef.h>

/* Renders teams ([{team, name, code, room:{nl,en}, challenge:{nl,en}|null, members:[names]}], see
 * core_sheets()) as a PDF. title is the event's name, base_url the public address
 * ("https://sprint.example.nl", no trailing slash): the QR code holds
 * base_url/#/join/CODE. On success returns 0 and *pdf (caller frees) holds *len
 * bytes; returns -1 when cairo or qrencode fail (nothing to free then). With no
 * teams the PDF has one page that says so. */
int sheets_render(const json_t *teams, const char *title, const char *base_url,
                  unsigned char **pdf, size_t *len);

/* The door list: rows ([{name, team, room:{nl,en}}], see core_door_list(), already sorted)
 * as an A4 table to hang at the door, repeating its header on every page. Returns like
 * sheets_render(). */
int sheets_door_render(const json_t *rows, const char *title, unsigned char **pdf, size_t *len);

/* Frees the font and cairo caches; call once at exit, when no rendering runs. */
void sheets_cleanup(void);

/* The join URL of a code: base_url/#/join/CODE (caller frees). */
char *sheets_join_url(const char *base_url, const char *code);

#endif
