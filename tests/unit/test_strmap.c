/* test_strmap.c – the string map: growth, replacement, misses, and a random run against a
 * plain list as the reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shape of the dedupe keys: actor, unit separator, command id. */
static void key_of(char *buf, size_t len, int i)
{
    snprintf(buf, len, "m%d\x1f" "c-%08x", i % 977, (unsigned)i * 2654435761u);
}

static void many_keys_survive_growth(void **state)
{
    (void)state;
    strmap_t m;
    strmap_init(&m);
    enum { N = 60000 };
    char k[64];
    for (int i = 0; i < N; i++) {
        key_of(k, sizeof k, i);
        strmap_put(&m, k, i * 3);
    }
    assert_int_equal(m.len, N);
    assert_true(m.len * 2 <= m.cap);   /* at most half full */
    for (int i = 0; i < N; i++) {
        int64_t v = -1;
        key_of(k, sizeof k, i);
        assert_true(strmap_get(&m, k, &v));
        assert_int_equal(v, i * 3);
    }
    for (int i = N; i < 2 * N; i++) {
        key_of(k, sizeof k, i);
        assert_false(strmap_get(&m, k, NULL));
    }
    strmap_free(&m);
    assert_int_equal(m.cap, 0);
    assert_false(strmap_get(&m, "m1", NULL));
}

static void replace_and_edge_keys(void **state)
{
    (void)state;
    strmap_t m;
    strmap_init(&m);
    assert_false(strmap_get(&m, "", NULL));   /* empty map */
    strmap_put(&m, "", 7);
    strmap_put(&m, "a", 1);
    strmap_put(&m, "a", 2);                   /* replaced, not added */
    strmap_put(&m, "a\x1f", 3);               /* a prefix of another key is another key */
    assert_int_equal(m.len, 3);
    int64_t v = 0;
    assert_true(strmap_get(&m, "", &v));
    assert_int_equal(v, 7);
    assert_true(strmap_get(&m, "a", &v));
    assert_int_equal(v, 2);
    assert_true(strmap_get(&m, "a\x1f", &v));
    assert_int_equal(v, 3);
    assert_false(strmap_get(&m, "A", NULL));
    assert_false(strmap_get(&m, "a\x1f\x1f", NULL));
    strmap_free(&m);
}

/* Random puts and gets against a list searched from end to start (the newest value wins). */
static void random_run_matches_a_list(void **state)
{
    (void)state;
    enum { OPS = 20000, SPACE = 3000 };
    static char keys[OPS][16];
    static int64_t vals[OPS];
    size_t nlist = 0;
    strmap_t m;
    strmap_init(&m);
    srand(12345);
    for (int op = 0; op < OPS; op++) {
        char k[16];
        snprintf(k, sizeof k, "t%d", rand() % SPACE);
        if (rand() % 3 != 0) {
            int64_t v = rand();
            strmap_put(&m, k, v);
            snprintf(keys[nlist], sizeof keys[nlist], "%s", k);
            vals[nlist++] = v;
        } else {
            int64_t want = -1, got = -1;
            int found = 0;
            for (size_t i = nlist; i-- > 0;)
                if (strcmp(keys[i], k) == 0) {
                    want = vals[i];
                    found = 1;
                    break;
                }
            assert_int_equal(strmap_get(&m, k, &got), found);
            if (found)
                assert_int_equal(got, want);
        }
    }
    strmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_keys_survive_growth),
        cmocka_unit_test(replace_and_edge_keys),
        cmocka_unit_test(random_run_matches_a_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
