/* csv.c – a forgiving RFC 4180 reader and a formula-neutralising writer. */
#include "org/csv.h"

#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "util/xalloc.h"

#define CSV_ERRORS(X)                                                                  \
    X(CSV_E_UTF8, "invalid_utf8", "De regel bevat tekens die geen geldige UTF-8 zijn.", \
      "The row contains characters that are not valid UTF-8.")                         \
    X(CSV_E_FIELD_TOO_LONG, "field_too_long", "Een cel in deze regel is te lang.",     \
      "A cell in this row is too long.")                                               \
    X(CSV_E_TOO_MANY_FIELDS, "too_many_fields", "Deze regel heeft te veel kolommen.",  \
      "This row has too many columns.")                                                \
    X(CSV_E_QUOTE, "unclosed_quote",                                                    \
      "Een aanhalingsteken wordt niet gesloten voor het einde van het bestand.",        \
      "A quotation mark is not closed before the end of the file.")                    \
    X(CSV_E_ROW_TOO_LONG, "row_too_long", "Deze regel is te lang.", "This row is too long.")

typedef struct {
    int e;
    const char *code, *nl, *en;
} csv_err_t;

static const csv_err_t csv_errs[] = {
#define CSV_ERR_ROW(v, c, n, e) {v, c, n, e},
    CSV_ERRORS(CSV_ERR_ROW)
#undef CSV_ERR_ROW
};

static const csv_err_t *csv_err_find(int e)
{
    for (size_t i = 0; i < sizeof csv_errs / sizeof csv_errs[0]; i++)
        if (csv_errs[i].e == e)
            return &csv_errs[i];
    return NULL;
}

const char *csv_err_code(int e)
{
    const csv_err_t *x = csv_err_find(e);
    return x ? x->code : (e == 0 ? "ok" : "internal");
}

const char *csv_err_nl(int e)
{
    const csv_err_t *x = csv_err_find(e);
    return x ? x->nl : "Onbekende fout.";
}

const char *csv_err_en(int e)
{
    const csv_err_t *x = csv_err_find(e);
    return x ? x->en : "Unknown error.";
}

struct csv_reader {
    const char *data;
    size_t len, pos;
    long line;
    char delim;
    bool bom;
    size_t max_field, max_fields, max_row;
    char *buf;               /* the current row's fields, each NUL-terminated */
    size_t buf_len, buf_cap;
    size_t *offs;            /* start of each field in buf */
    size_t offs_cap;
    char **ptrs;
    size_t ptrs_cap;
    long row_end_line;       /* physical line of the last row's final byte */
};

char csv_detect_delimiter(const char *data, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < len; i++) {
        char c = data[i];
        if (c == '"')
            quoted = !quoted;   /* a doubled quote toggles twice: still right */
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            comma++;
        else if (!quoted && c == ';')
            semi++;
        else if (!quoted && c == '\t')
            tab++;
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

csv_reader_t *csv_reader_new(const char *data, size_t len, const csv_options_t *opt)
{
    csv_reader_t *r = xcalloc(1, sizeof *r);
    r->data = data;
    r->len = len;
    r->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        r->bom = true;
        r->pos = 3;
    }
    r->delim = opt && opt->delimiter ? opt->delimiter : csv_detect_delimiter(data, len);
    r->max_field = opt && opt->max_field ? opt->max_field : 64 * 1024;
    r->max_fields = opt && opt->max_fields ? opt->max_fields : 1000;
    r->max_row = opt && opt->max_row ? opt->max_row : 1024 * 1024;
    return r;
}

void csv_reader_free(csv_reader_t *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r->offs);
    free(r->ptrs);
    free(r);
}

char csv_reader_delimiter(const csv_reader_t *r) { return r->delim; }
bool csv_reader_had_bom(const csv_reader_t *r) { return r->bom; }
size_t csv_reader_offset(const csv_reader_t *r) { return r->pos; }

/* Per-row parse state, so the helpers below stay small. */
typedef struct {
    size_t n_fields;         /* fields stored */
    size_t field_len;        /* bytes of the current field */
    size_t row_bytes;
    int error;
} csv_parse_t;

static void set_error(csv_parse_t *p, int e)
{
    if (p->error == 0)
        p->error = e;
}

static void put_byte(csv_reader_t *r, csv_parse_t *p, char c)
{
    p->row_bytes++;
    if (p->row_bytes > r->max_row) {
        set_error(p, CSV_E_ROW_TOO_LONG);
        return;
    }
    if (p->n_fields >= r->max_fields)
        return;              /* the row is already flagged; keep scanning to its end */
    if (p->field_len >= r->max_field) {
        set_error(p, CSV_E_FIELD_TOO_LONG);
        return;
    }
    xgrow((void **)&r->buf, &r->buf_cap, r->buf_len + 2, 1);
    r->buf[r->buf_len++] = c;
    p->field_len++;
}

static void begin_field(csv_reader_t *r, csv_parse_t *p)
{
    p->field_len = 0;
    if (p->n_fields >= r->max_fields) {
        set_error(p, CSV_E_TOO_MANY_FIELDS);
        return;
    }
    xgrow((void **)&r->offs, &r->offs_cap, p->n_fields + 1, sizeof *r->offs);
    r->offs[p->n_fields] = r->buf_len;
}

static void end_field(csv_reader_t *r, csv_parse_t *p)
{
    if (p->n_fields >= r->max_fields)
        return;
    xgrow((void **)&r->buf, &r->buf_cap, r->buf_len + 1, 1);
    size_t start = r->offs[p->n_fields];
    if (!utf8_valid(r->buf + start, r->buf_len - start))
        set_error(p, CSV_E_UTF8);
    r->buf[r->buf_len++] = '\0';
    p->n_fields++;
}

/* Consumes a line break at r->pos if there is one; returns whether it did. */
static bool eat_newline(csv_reader_t *r)
{
    if (r->pos >= r->len)
        return false;
    if (r->data[r->pos] == '\r') {
        r->pos++;
        if (r->pos < r->len && r->data[r->pos] == '\n')
            r->pos++;
        r->line++;
        return true;
    }
    if (r->data[r->pos] == '\n') {
        r->pos++;
        r->line++;
        return true;
    }
    return false;
}

/* Reads a quoted field body starting after the opening quote; line breaks inside are
 * stored as "\n". Returns false when the file ends before the closing quote. */
static bool read_quoted(csv_reader_t *r, csv_parse_t *p)
{
    while (r->pos < r->len) {
        char c = r->data[r->pos];
        if (c == '"') {
            if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
                put_byte(r, p, '"');
                r->pos += 2;
                continue;
            }
            r->pos++;
            return true;
        }
        if (c == '\r' || c == '\n') {
            eat_newline(r);
            put_byte(r, p, '\n');
            continue;
        }
        put_byte(r, p, c);
        r->pos++;
    }
    return false;
}

/* Parses one physical row (which may span lines). Returns false at end of data. */
static bool parse_row(csv_reader_t *r, csv_parse_t *p, bool *blank)
{
    if (r->pos >= r->len)
        return false;
    memset(p, 0, sizeof *p);
    r->buf_len = 0;
    bool any_quote = false;
    for (;;) {
        begin_field(r, p);
        if (r->pos < r->len && r->data[r->pos] == '"') {
            any_quote = true;
            r->pos++;
            if (!read_quoted(r, p)) {
                set_error(p, CSV_E_QUOTE);
                end_field(r, p);
                r->row_end_line = r->line;
                break;
            }
        }
        /* Unquoted text, or stray text after a closing quote (kept, as spreadsheets do). */
        while (r->pos < r->len) {
            char c = r->data[r->pos];
            if (c == r->delim || c == '\r' || c == '\n')
                break;
            put_byte(r, p, c);
            r->pos++;
        }
        end_field(r, p);
        if (r->pos < r->len && r->data[r->pos] == r->delim) {
            r->pos++;
            continue;
        }
        r->row_end_line = r->line;
        eat_newline(r);
        break;
    }
    *blank = !any_quote && p->n_fields == 1 && r->offs[0] + 1 == r->buf_len && p->error == 0;
    return true;
}

int csv_reader_next(csv_reader_t *r, csv_row_t *row)
{
    csv_parse_t p;
    for (;;) {
        long start = r->line;
        bool blank = false;
        if (!parse_row(r, &p, &blank))
            return 0;
        if (blank)
            continue;
        xgrow((void **)&r->ptrs, &r->ptrs_cap, p.n_fields + 1, sizeof *r->ptrs);
        for (size_t i = 0; i < p.n_fields; i++)
            r->ptrs[i] = r->buf + r->offs[i];
        r->ptrs[p.n_fields] = NULL;
        row->fields = r->ptrs;
        row->n_fields = p.n_fields;
        row->line = start;
        row->end_line = r->row_end_line;
        row->error = p.error;
        return 1;
    }
}

/* ---- writer ---- */

void csv_buf_free(csv_buf_t *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void buf_put(csv_buf_t *b, const char *s, size_t n)
{
    xgrow((void **)&b->data, &b->cap, b->len + n + 1, 1);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

bool csv_is_formula_like(const char *s)
{
    return s != NULL && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                         s[0] == '\t' || s[0] == '\r');
}

void csv_write_field(csv_buf_t *b, const char *s, char delim)
{
    if (s == NULL)
        s = "";
    size_t n = strlen(s);
    bool guard = csv_is_formula_like(s);
    bool quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            quote = true;
    if (quote)
        buf_put(b, "\"", 1);
    if (guard)
        buf_put(b, "'", 1);
    if (!quote) {
        buf_put(b, s, n);
        return;
    }
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            buf_put(b, s + from, i + 1 - from);
            buf_put(b, "\"", 1);
            from = i + 1;
        }
    }
    buf_put(b, s + from, n - from);
    buf_put(b, "\"", 1);
}

void csv_write_row(csv_buf_t *b, const char *const *fields, size_t n, char delim)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_put(b, &delim, 1);
        csv_write_field(b, fields[i], delim);
    }
    buf_put(b, "\r\n", 2);
}

void csv_write_bom(csv_buf_t *b)
{
    buf_put(b, "\xEF\xBB\xBF", 3);
}
