#ifndef CLAIMSCRUB_WALLCLOCK_H
#define CLAIMSCRUB_WALLCLOCK_H

#include <time.h>

/* Unix time in seconds: the timestamps people and metrics read (the
 * daemon's timers and ages use CLOCK_MONOTONIC instead). */
static inline double
wallclock_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

#endif
