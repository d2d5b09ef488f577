/* fuzz_command.c – libFuzzer target: client messages through the server's decoding and
 * the core, as server.c does it (guard_decode, then core_exec for the connection's
 * identity).
 *
 * One input is a session: its first byte picks who is connected (organiser, facilitator
 * of r1 or r2, jury, screen, or one of three members), every line after it is one
 * message. Checked after every message: a refused command emits nothing and leaves the
 * head alone; the emitted events have consecutive seqs, serialise, and fold into a
 * second core (a replay of the log) without error; the two cores agree. */
#include "core_fixture.h"
#include "log/event.h"
#include "net/guard.h"
#include "util/secret.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int64_t now;

/* Applies the new events of out to the replica and checks them. */
static void mirror(core_t *replica, const evlist_t *out, int64_t head_before)
{
    for (size_t i = 0; i < out->n; i++) {
        const ev_t *ev = &out->v[i];
        if (ev->seq != head_before + 1 + (int64_t)i)
            abort();
        size_t len;
        char *f = ev_frame(ev, &len);
        char *b = ev_to_body(ev, &len);
        if (f == NULL || b == NULL)
            abort();
        free(f);
        free(b);
        if (core_apply(replica, ev) != 0)
            abort();
    }
}

static void run_line(core_t *c, core_t *replica, const who_t *who, const char *s, size_t len)
{
    json_t *msg;
    if (guard_decode(s, len, &msg) != 0) {
        json_decref(msg);
        return;
    }
    const char *t = json_string_value(json_object_get(msg, "t"));
    const char *id = json_string_value(json_object_get(msg, "id"));
    const char *cmd = json_string_value(json_object_get(msg, "cmd"));
    json_t *args = json_object_get(msg, "args");
    now += 7000;   /* time passes: timers and race rounds run out */
    evlist_t out = {0};
    int64_t head = core_head(c);
    if (t && strcmp(t, "cmd") == 0 && id && cmd && (args == NULL || json_is_object(args))) {
        json_t *empty = args ? NULL : json_object();
        int64_t dup = 0;
        int rc = core_exec(c, who, cmd, args ? args : empty, id, now, &out, &dup);
        json_decref(empty);
        if (rc < 0 && (out.n != 0 || core_head(c) != head))
            abort();   /* a refused command must change nothing */
        if (rc == 1 && (dup < 1 || dup > head || out.n != 0))
            abort();
    }
    mirror(replica, &out, head);
    evlist_clear(&out);
    head = core_head(c);
    core_tick(c, now, &out);
    mirror(replica, &out, head);
    evlist_free(&out);
    json_decref(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    now = 1000;
    core_t *c = core_new(), *replica = core_new();
    evlist_t out = {0};
    if (fixture_setup_pb(c, &out, NULL) != 0)
        abort();
    mirror(replica, &out, 0);
    evlist_clear(&out);

    who_t members[3];
    const char *codes[3] = {"AAAA-1111", "AAAA-1111", "BBBB-2222"};
    const char *hashes[3] = {"hash-m1", "hash-m2", "hash-m3"};
    for (int i = 0; i < 3; i++) {
        int64_t head = core_head(c);
        members[i] = fixture_join(c, codes[i], i == 2 ? "Ander" : "Lid", hashes[i], &out);
        if (members[i].role != ROLE_PARTICIPANT)
            abort();
        mirror(replica, &out, head);
        evlist_clear(&out);
    }
    static const char *const link_hashes[] = {"hash-org", "hash-f1", "hash-f2", "hash-jury",
                                              "hash-screen"};
    who_t who;
    unsigned pick = data[0] % 8;
    if (pick < 5) {
        if (core_auth(c, link_hashes[pick], &who) != 0)
            abort();
    } else {
        who = members[pick - 5];
    }

    size_t start = 1;
    for (size_t i = 1; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            if (i > start)
                run_line(c, replica, &who, (const char *)data + start, i - start);
            start = i + 1;
        }
    }
    if (core_head(c) != core_head(replica) || core_note_count(c, 1) != core_note_count(replica, 1))
        abort();
    evlist_free(&out);
    core_free(c);
    core_free(replica);
    return 0;
}
