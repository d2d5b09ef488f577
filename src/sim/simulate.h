/* simulate.h – a whole Staatsprint day played by bots through the real server.
 *
 * `staatsprint simulate --db FILE --teams N`: starts this binary as a server child on a
 * free port with a new database, then drives the organiser, one facilitator per room
 * and 3–6 participants per team over real WebSockets through every step of the
 * playbook, at accelerated time: introductions and roles, private notes, clusters,
 * knelpunten and 10 dots, the vehicle, HKW questions, themes and 2 dots (ties decided by
 * the captain), the problem statement, an Idee Race of two short rounds, 3 votes on
 * ideas, Crystal Ball milestones, the pitch and the action plan. For demos, tests and
 * benchmarks: afterwards `staatsprint export` turns the database into reports.
 */
#ifndef SP_SIM_SIMULATE_H
#define SP_SIM_SIMULATE_H

typedef struct {
    const char *db;        /* must not exist yet */
    int teams;             /* 1..200; the default day has 9, more are added */
    int idle;              /* 0..200 more teams that nobody joins (planned, absent) */
    unsigned long seed;    /* the same seed plays the same texts and votes */
    double speed;          /* time compression: a 5-minute race round lasts 5/speed minutes
                              (at least 0.1 minute, the shortest round the core allows) */
    const char *exe;       /* the binary to start as server, NULL: /proc/self/exe */
    int verbose;
} sim_opts_t;

/* Plays the day. Returns 0 when every command was accepted, 1 when some were refused
 * (they are printed), 2 when the day could not be played (reason on stderr). Prints a
 * short summary with timings to stdout. */
int sim_run(const sim_opts_t *o);

/* `staatsprint simulate --db FILE [--teams N] [--idle N] [--seed S] [--speed X]` with the
 * arguments after the command name; returns the exit status of sim_run (2 on bad usage). */
int sim_cli(int argc, char **argv);

#endif
