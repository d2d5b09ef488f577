/* fuzz_playbook.c – libFuzzer target: the playbook loader on any JSON.
 *
 * Checked: playbook_parse either refuses (and leaves nothing to free) or gives a
 * playbook whose step ids are unique and findable, and that a core accepts as the
 * playbook of a sprint. */
#include "core/playbook.h"
#include "core_fixture.h"
#include "core/err.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (j == NULL)
        return 0;
    playbook_t pb;
    memset(&pb, 0xa5, sizeof pb);
    int rc = playbook_parse(j, &pb);
    if (rc == 0) {
        for (size_t i = 0; i < pb.nsteps; i++)
            if (playbook_find(&pb, pb.steps[i].id) != (int)i)
                abort();
        playbook_free(&pb);

        /* A playbook the parser accepts must also set up a sprint. */
        char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        core_t *c = core_new();
        evlist_t out = {0};
        if (fixture_setup_pb(c, &out, text) != 0)
            abort();
        evlist_free(&out);
        core_free(c);
        free(text);
    } else if (rc != SP_E_BAD_PLAYBOOK) {
        abort();
    }
    json_decref(j);
    return 0;
}
