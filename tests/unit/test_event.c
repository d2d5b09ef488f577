/* test_event.c – the wire frame of an event is built around the log's body text (the data
 * encoded once): byte for byte what jansson makes of the whole frame, and readable back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The frame as jansson encodes it whole: the reference. */
static char *reference(const ev_t *ev)
{
    json_t *f = json_pack("{ss sI sI ss ss sO}", "t", "ev", "seq", (json_int_t)ev->seq, "ts",
                          (json_int_t)ev->ts, "type", ev->type, "by", ev->actor, "data", ev->data);
    assert_non_null(f);
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    return s;
}

static void check(const char *type, const char *actor, const char *data_json)
{
    ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = 9007199254740991LL;
    ev.ts = 1764892800123LL;
    snprintf(ev.type, sizeof ev.type, "%s", type);
    snprintf(ev.actor, sizeof ev.actor, "%s", actor);
    ev.data = json_loads(data_json, 0, NULL);
    assert_non_null(ev.data);
    size_t blen, flen;
    char *body = ev_to_body(&ev, &blen);
    char *frame = ev_frame_body(&ev, body, blen, &flen);
    char *want = reference(&ev);
    assert_string_equal(frame, want);
    assert_int_equal(flen, strlen(want));
    size_t len2;
    char *frame2 = ev_frame(&ev, &len2);
    assert_string_equal(frame2, want);

    ev_t back;
    assert_int_equal(ev_from_frame(frame, flen, &back), 0);
    assert_int_equal(back.seq, ev.seq);
    assert_int_equal(back.ts, ev.ts);
    assert_string_equal(back.type, ev.type);
    assert_string_equal(back.actor, ev.actor);
    assert_true(json_equal(back.data, ev.data));
    json_decref(back.data);
    free(frame2);
    free(want);
    free(frame);
    free(body);
    json_decref(ev.data);
}

static void test_frame_plain(void **state)
{
    (void)state;
    check("note.add", "m12", "{\"team\":\"t3\",\"note\":\"n7\",\"text\":\"Wachttijd / wait\"}");
}

static void test_frame_escapes(void **state)
{
    (void)state;
    /* Ids are printable ASCII, quotes and backslashes included; control characters and
     * UTF-8 must come out as jansson writes them too. */
    check("x.y", "a\"b\\c/d", "{\"t\":\"tab\\there, nl\\n, \\u0001, é, 😀\"}");
    check("ctl\x01\x1f\b\f\n\r\t", "é€", "[]");
    check("", "", "{}");
}

static void test_frame_nested(void **state)
{
    (void)state;
    check("canvas.set", "org",
          "{\"fields\":{\"a\":[1,2,{\"b\":null,\"c\":true}],\"d\":-3.5},\"empty\":\"\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_plain),
        cmocka_unit_test(test_frame_escapes),
        cmocka_unit_test(test_frame_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
