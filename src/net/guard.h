/* guard.h – what keeps bad and abusive input out: message decoding and rate limits.
 *
 * No I/O and no lws: the server and the fuzzers use the same functions.
 */
#ifndef SP_GUARD_H
#define SP_GUARD_H

#include "util/limits.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_JSON_DEPTH_MAX LIMIT_JSON_DEPTH

/* Checks and parses one message: valid UTF-8, nested at most GUARD_JSON_DEPTH_MAX deep,
 * a JSON object. Returns 0 with *msg set (caller owns), or SP_E_BAD_UTF8, SP_E_TOO_DEEP
 * or SP_E_BAD_JSON with *msg NULL. A message whose strings hold U+0000 or a lone UTF-16
 * surrogate (both valid JSON escapes, neither a character we store) returns SP_E_BAD_TEXT
 * with *msg set, so the caller can answer with the message's id (and must free it). */
int guard_decode(const char *text, size_t len, json_t **msg);

/* A token bucket: `burst` messages at once, `per_sec` after that. */
typedef struct {
    double tokens;
    int64_t at;
} guard_bucket_t;

void guard_bucket_init(guard_bucket_t *b, double burst, int64_t now);

/* Takes one token; returns 1, or 0 when the bucket is empty (the message is refused). */
int guard_bucket_take(guard_bucket_t *b, double burst, double per_sec, int64_t now);

/* Wrong join codes and tokens per source address in the last minute: a guesser can open
 * many connections, so a per-connection limit alone does not bound the guesses. A fixed
 * table of addresses (the stalest is forgotten first), so memory stays bounded. */
/* addr: the address's key (secret_addr_key), compared only for equality. */
int guard_addr_fails(uint64_t addr, int64_t now);
void guard_addr_failed(uint64_t addr, int64_t now);

#endif
