/* bank_int.h – what the engines of the bank share (internal to src/bank). */
#ifndef SP_BANK_INT_H
#define SP_BANK_INT_H

#include "bank/bank.h"

typedef struct bank_engine {
    int (*put)(bank_t *b, const char *sprint, int64_t head, const bank_flags_t *fl, const json_t *entries);
    int (*drop)(bank_t *b, const char *sprint);
    int (*indexed)(bank_t *b, const char *sprint, int64_t *head, bank_flags_t *fl);
    /* hits: array of {"entry": object, "rank": number}; *total the number of matches. */
    int (*search)(bank_t *b, const bank_query_t *q, const json_t *words, json_t *hits, long long *total);
    int (*all)(bank_t *b, int public_only, json_t *out);
    int (*public_count)(bank_t *b, int *n);
    void (*close)(bank_t *b);
} bank_engine_t;

struct bank {
    const bank_engine_t *eng;
    bank_an_t *an;
    void *db;   /* sqlite3 * or PGconn * */
};

int bank_sqlite_open(bank_t *b, const char *path, char *err, size_t errlen);
int bank_pg_open(bank_t *b, const char *uri, char *err, size_t errlen);

/* The terms of the query words, each word's alternatives together: [[t, …], …]. */
json_t *bank_word_terms(bank_an_t *a, const json_t *words);
/* The same, distinct and flat: [t, …]. */
json_t *bank_query_terms(bank_an_t *a, const json_t *words);

/* Which terms rank when a query matches too many entries: from the rarest on (df[i]
 * entries hold term i) while the sum stays within cap, at least the rarest one. Returns
 * a malloc'd array of n flags; *taken is the sum of the chosen terms' df. */
unsigned char *bank_rarest(const long long *df, size_t n, long long cap, long long *taken);


#endif
