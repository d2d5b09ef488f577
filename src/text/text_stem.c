/* text_stem – Dutch stemming with Snowball's Dutch stemmer (libstemmer). */
#include "text/text_stem.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>

#include "text/text_norm.h"

struct text_stemmer {
    struct sb_stemmer *sb;
};

text_stemmer_t *text_stemmer_new(void)
{
    text_stemmer_t *s = text_xrealloc(NULL, sizeof *s);
    s->sb = sb_stemmer_new("dutch", "UTF_8");
    if (!s->sb) {
        fprintf(stderr, "text: libstemmer has no Dutch UTF-8 stemmer\n");
        abort();
    }
    return s;
}

void text_stemmer_free(text_stemmer_t *s)
{
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    free(s);
}

const char *text_stem(text_stemmer_t *s, const char *word, size_t len, size_t *out_len)
{
    if (len > 0 && word[0] >= '0' && word[0] <= '9') {
        *out_len = len;
        return word;
    }
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (!r) {
        fprintf(stderr, "text: out of memory in the stemmer\n");
        abort();
    }
    *out_len = (size_t)sb_stemmer_length(s->sb);
    return (const char *)r;
}
