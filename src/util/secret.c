/* secret.c – random tokens and codes (libsodium). */
#include "util/secret.h"

#include <sodium.h>
#include <string.h>

int secret_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void secret_token(char out[SECRET_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void secret_hash(const char *token, char out[SECRET_HASH_LEN + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, SECRET_HASH_LEN + 1, h, sizeof h);
}

uint64_t secret_addr_key(const char *addr)
{
    static unsigned char key[crypto_shorthash_KEYBYTES];
    static int have_key;
    if (!have_key) {
        crypto_shorthash_keygen(key);
        have_key = 1;
    }
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)addr, strlen(addr), key);
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof h; i++)
        v = v << 8 | h[i];
    return v;
}

void secret_code(char out[SECRET_CODE_LEN + 1])
{
    /* 32 symbols: no 0/O, 1/I; 8 symbols give 40 bits, and wrong guesses are
     * rate-limited, so a code cannot be found by trying during a day. */
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    int k = 0;
    for (int i = 0; i < 8; i++) {
        if (i == 4)
            out[k++] = '-';
        out[k++] = alphabet[randombytes_uniform(32)];
    }
    out[k] = '\0';
}
