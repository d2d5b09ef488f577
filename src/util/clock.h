/* clock.h – the wall clock in milliseconds, for the edges that pass time into the core, and
 * a monotonic clock for durations. */
#ifndef SP_CLOCK_H
#define SP_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_now_ms(void);

/* Nanoseconds of CLOCK_MONOTONIC, for durations and deadlines. */
int64_t clock_mono_ns(void);

#endif
