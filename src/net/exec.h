/* exec.h – the one command path, as the sources of commands see it.
 *
 * A command reaches the core in one way only, whatever its source: a WebSocket
 * connection (server.c), the organiser's HTTP API (api.c) or a follower's inbox on the
 * leader (cluster.c). The server's exec function runs it in the core for who, hands its
 * events to the writer and calls done once the answer may go out: at once for a refusal
 * or for a command whose events are durable already, else after their commit. The
 * sources get that function through their host structs (api_host_t, cluster_host_t).
 */
#ifndef SP_EXEC_H
#define SP_EXEC_H

#include "core/core.h"

#include <stdint.h>

/* The answer of a command: rc is 0 (done), 1 (the same who and id were seen before:
 * nothing new happened) or a negative SP_E_* error; seq the durable seq to answer with
 * (0 for an error). id is borrowed for the call. */
typedef void (*exec_done_cb)(void *ud, const char *id, int rc, int64_t seq);

/* Runs cmd with args (borrowed, NULL for none) and command id for who; done(ud, …)
 * follows, at once or after the commit. */
typedef void (*exec_fn)(const who_t *who, const char *cmd, const json_t *args, const char *id,
                        exec_done_cb done, void *ud);

#endif
