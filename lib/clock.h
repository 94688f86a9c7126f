/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Milliseconds: wall-clock for stored times, monotonic for intervals. */
#ifndef HBM_GATEWAY_CLOCK_H
#define HBM_GATEWAY_CLOCK_H

/* Milliseconds since the epoch (times stored in Redis and shown). */
long long clock_wall_ms(void);
/* Milliseconds on the monotonic clock (timeouts, backoff, intervals). */
long long clock_mono_ms(void);

#endif
