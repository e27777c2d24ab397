/*
 * clock.c -- the monotonic clock, in milliseconds and seconds, for the
 * timers and for how long the signer has been waited for.
 */
#include "config.h"

#include <time.h>

#include "ikesignd.h"

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}
