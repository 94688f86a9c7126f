/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Milliseconds from clock_gettime(2), the one place that converts them. */
#include <time.h>

#include "lib/clock.h"

static long long
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
clock_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

long long
clock_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
