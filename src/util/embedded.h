/* embedded.h – files of web/ and data/ compiled into the binary (tools/embed.c). */
#ifndef SP_EMBEDDED_H
#define SP_EMBEDDED_H

#include <stddef.h>

typedef struct {
    const char *path;            /* "web/index.html", "data/events/…" */
    const unsigned char *data;   /* NUL-terminated for convenience */
    size_t len;                  /* length without the terminating NUL */
} embed_file_t;

extern const embed_file_t embed_files[];

/* Returns the embedded file with this exact path, or NULL. */
const embed_file_t *embed_find(const char *path);

#endif
