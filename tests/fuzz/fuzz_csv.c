/* fuzz_csv.c – libFuzzer target: the CSV reader and the registration import on any bytes.
 *
 * Checked: the reader ends, every field of a row without error is valid UTF-8 and lies
 * within the caps; the import either fails with a REG_E_* code and nothing to free, or
 * returns people and issues that are consistent (counts, lines within the file). */
#include "org/csv.h"
#include "org/registration.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    csv_options_t opt = {.max_field = 4096, .max_fields = 64, .max_row = 16384};
    csv_reader_t *r = csv_reader_new(s, size, &opt);
    csv_row_t row;
    long last_line = 0;
    size_t rows = 0;
    while (csv_reader_next(r, &row) == 1) {
        if (row.line < last_line || row.end_line < row.line)
            abort();
        last_line = row.line;
        if (row.error == 0) {
            if (row.n_fields > opt.max_fields)
                abort();
            for (size_t i = 0; i < row.n_fields; i++) {
                size_t n = strlen(row.fields[i]);
                if (n > opt.max_field || !utf8_valid(row.fields[i], n))
                    abort();
            }
        }
        if (++rows > size + 1)
            abort();   /* more rows than bytes: the reader does not advance */
    }
    if (csv_reader_offset(r) > size)
        abort();
    csv_reader_free(r);

    /* Whatever we write must read back as the same fields. */
    if (size > 0 && utf8_valid(s, size) && memchr(s, '\0', size) == NULL) {
        char *cell = malloc(size + 1);
        memcpy(cell, s, size);
        cell[size] = '\0';
        const char *fields[2] = {cell, "x"};
        csv_buf_t b = {0};
        csv_write_bom(&b);   /* as every export does; a cell may itself start with U+FEFF */
        csv_write_row(&b, fields, 2, ';');
        csv_options_t big = {.delimiter = ';', .max_field = size + 16, .max_row = 2 * size + 64};
        csv_reader_t *back = csv_reader_new(b.data, b.len, &big);
        csv_row_t rr;
        if (csv_reader_next(back, &rr) != 1 || rr.error != 0 || rr.n_fields != 2)
            abort();
        /* Read back: a formula-like cell carries its apostrophe, and line breaks inside a
         * quoted field come back as "\n" (the reader's documented normalisation). */
        char *want = malloc(size + 2);
        size_t k = 0;
        if (csv_is_formula_like(cell))
            want[k++] = '\'';
        for (size_t i = 0; i < size; i++) {
            if (cell[i] == '\r') {
                want[k++] = '\n';
                if (i + 1 < size && cell[i + 1] == '\n')
                    i++;
            } else {
                want[k++] = cell[i];
            }
        }
        want[k] = '\0';
        if (strcmp(rr.fields[0], want) != 0 || strcmp(rr.fields[1], "x") != 0)
            abort();
        free(want);
        csv_reader_free(back);
        csv_buf_free(&b);
        free(cell);
    }

    static const reg_challenge_t ch[] = {{"gemeentelijke-it", "Moderniseren van de gemeentelijke IT", NULL},
                                         {"zorg", "Zorg dichtbij", NULL}};
    reg_options_t ro = {.challenges = ch, .n_challenges = 2};
    reg_import_t imp;
    int rc = reg_import(s, size, &ro, &imp);
    if (rc == 0) {
        if (imp.n_people > imp.rows || imp.rejected > imp.rows)
            abort();
        for (size_t i = 0; i < imp.n_issues; i++)
            if (imp.issues[i].line < 1)
                abort();
        reg_import_free(&imp);
    } else if (rc > 0) {
        abort();
    }
    return 0;
}
