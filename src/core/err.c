/* err.c – the table behind err.h. */
#include "core/err.h"

typedef struct {
    const char *code, *nl, *en;
} errdef_t;

static const errdef_t table[] = {
#define SP_ERR_ROW(name, code, nl, en) {code, nl, en},
    SP_ERRORS(SP_ERR_ROW)
#undef SP_ERR_ROW
};

static const errdef_t internal = {"internal", "Er ging iets mis in de server.",
                                  "Something went wrong in the server."};

static const errdef_t *lookup(int e)
{
    int i = e - SP_ERR_FIRST_ - 1;
    if (i < 0 || i >= (int)(sizeof table / sizeof table[0]))
        return &internal;
    return &table[i];
}

const char *err_code(int e) { return lookup(e)->code; }
const char *err_nl(int e) { return lookup(e)->nl; }
const char *err_en(int e) { return lookup(e)->en; }
