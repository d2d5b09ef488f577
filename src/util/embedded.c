/* embedded.c – lookup in the table of embedded files. */
#include "util/embedded.h"

#include <string.h>

const embed_file_t *embed_find(const char *path)
{
    for (const embed_file_t *f = embed_files; f->path != NULL; f++)
        if (strcmp(f->path, path) == 0)
            return f;
    return NULL;
}
