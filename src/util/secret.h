/* secret.h – tokens, join codes and their hashes, from libsodium's CSPRNG. */
#ifndef SP_SECRET_H
#define SP_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_TOKEN_LEN 43   /* 256 bits in URL-safe base64 without padding */
#define SECRET_HASH_LEN 64    /* BLAKE2b-256 in hex */
#define SECRET_CODE_LEN 9     /* "K7QM-X2PA": 40 bits */

/* Initialises libsodium; returns 0 or -1 when the CSPRNG is unavailable. */
int secret_init(void);

/* Writes a new random token (SECRET_TOKEN_LEN chars + NUL) to out. */
void secret_token(char out[SECRET_TOKEN_LEN + 1]);

/* Writes the hex hash of a token (SECRET_HASH_LEN chars + NUL) to out. Tokens are
 * only ever kept as hashes, so a copy of the database holds no usable session. */
void secret_hash(const char *token, char out[SECRET_HASH_LEN + 1]);

/* A keyed 64-bit hash (SipHash-2-4, key made once per process) of a source address:
 * equal addresses give equal keys, and nobody outside can make two addresses collide.
 * The per-address join limit keeps these 8 bytes per connection instead of the text. */
uint64_t secret_addr_key(const char *addr);

/* Writes a new join code "XXXX-XXXX" from an alphabet without look-alikes. */
void secret_code(char out[SECRET_CODE_LEN + 1]);

#endif
