/* json.c – writes the report document as JSON (see json.h). */
#include "report/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int report_json_write(const json_t *doc, const char *path)
{
    if (json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        fprintf(stderr, "staatsprint: kan %s niet schrijven (cannot write): %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}
