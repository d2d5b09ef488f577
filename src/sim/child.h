/* child.h – the server the simulator plays against: this binary, started as `serve`. */
#ifndef SP_SIM_CHILD_H
#define SP_SIM_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* Starts exe (NULL: /proc/self/exe) as `serve --port P --bind 127.0.0.1 --db db --teams
 * extra` on a free port and reads the organiser's token from its start-up message
 * ("Organisator: …/#/o/TOKEN"). Returns 0 with *port, *pid and token set, or -1 (a child
 * that started is stopped again). */
int sim_child_start(const char *exe, const char *db, int extra, int *port, pid_t *pid,
                    char *token, size_t toklen);

/* Stops the child with SIGTERM and waits for it; accepts pid <= 0. */
void sim_child_stop(pid_t pid);

#endif
