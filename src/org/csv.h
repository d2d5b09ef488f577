/* csv.h – a forgiving RFC 4180 reader for real form exports, and a writer that neutralises formulas.
 *
 * Reader: the caller hands over the whole file in memory (borrowed, must outlive the
 * reader). The reader skips a UTF-8 byte-order mark, detects the delimiter (`,` `;` or
 * tab) from the header line outside quotes, accepts CRLF, LF and lone CR line ends,
 * quoted fields with embedded line breaks and doubled quotes, and remembers the
 * physical line on which each row starts (1-based, the way a spreadsheet numbers rows
 * when no cell holds a line break). A bad row – invalid UTF-8, a field or row over the
 * caps, an unterminated quote – is returned with an error code and its line number, and
 * reading continues with the next row: one bad row never costs the whole file.
 *
 * Writer: every CSV the product writes goes through csv_write_field()/csv_write_row().
 * A cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe so a
 * spreadsheet shows it as text instead of running it as a formula (CSV injection).
 * Yes, this also turns "-5" into "'-5": we never export bare numbers that matter, and
 * a predictable rule beats a clever one that an attacker can work around.
 */
#ifndef SP_ORG_CSV_H
#define SP_ORG_CSV_H

#include <stdbool.h>
#include <stddef.h>

enum {
    CSV_OK = 0,
    CSV_E_UTF8 = -1,        /* the row holds bytes that are not valid UTF-8 */
    CSV_E_FIELD_TOO_LONG = -2,
    CSV_E_TOO_MANY_FIELDS = -3,
    CSV_E_QUOTE = -4,       /* a quoted field is not closed before the end of the file */
    CSV_E_ROW_TOO_LONG = -5,
};

/* The stable code ("invalid_utf8"), Dutch and English message of a CSV_E_* value. */
const char *csv_err_code(int e);
const char *csv_err_nl(int e);
const char *csv_err_en(int e);

typedef struct {
    char delimiter;          /* 0 = detect from the first line */
    size_t max_field;        /* bytes per field; 0 = 64 KiB */
    size_t max_fields;       /* fields per row; 0 = 1,000 */
    size_t max_row;          /* bytes per row; 0 = 1 MiB */
} csv_options_t;

typedef struct {
    char **fields;           /* NUL-terminated, owned by the reader, valid until the next call */
    size_t n_fields;
    long line;               /* physical line where the row starts, 1-based */
    long end_line;           /* physical line where the row ends */
    int error;               /* 0 or a CSV_E_* value; on error fields may be incomplete */
} csv_row_t;

typedef struct csv_reader csv_reader_t;

/* Borrows data[0..len) until csv_reader_free(). opt may be NULL. Never fails. */
csv_reader_t *csv_reader_new(const char *data, size_t len, const csv_options_t *opt);
void csv_reader_free(csv_reader_t *r);

/* Reads the next row into *row. Returns 1 when a row was read (check row->error),
 * 0 at the end of the data. Rows that are entirely empty (a blank line) are skipped. */
int csv_reader_next(csv_reader_t *r, csv_row_t *row);

char csv_reader_delimiter(const csv_reader_t *r);
bool csv_reader_had_bom(const csv_reader_t *r);
size_t csv_reader_offset(const csv_reader_t *r);   /* bytes consumed so far */

/* Detects the delimiter from the first line (outside quotes) of data: the most frequent
 * of `,` `;` tab; `,` when none occurs or on a tie with `,`. */
char csv_detect_delimiter(const char *data, size_t len);

/* A growable output buffer; zero-initialise, free with csv_buf_free(). */
typedef struct {
    char *data;              /* NUL-terminated while len > 0 */
    size_t len, cap;
} csv_buf_t;

void csv_buf_free(csv_buf_t *b);

/* True when a cell starting like s would be taken for a formula by a spreadsheet. */
bool csv_is_formula_like(const char *s);

/* Appends one field (no delimiter), neutralised and quoted when needed: quotes when the
 * value holds the delimiter, a quote, CR or LF, or starts/ends with a space. */
void csv_write_field(csv_buf_t *b, const char *s, char delim);

/* Appends fields separated by delim and ends the row with CRLF (RFC 4180). A NULL
 * field is written as empty. */
void csv_write_row(csv_buf_t *b, const char *const *fields, size_t n, char delim);

/* Appends a UTF-8 byte-order mark, which Excel needs to read UTF-8 correctly. */
void csv_write_bom(csv_buf_t *b);

#endif
