/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What this instance knows about its channels, for choosing among them and
 * for reporting them honestly: whether a channel can send now, its last
 * error and last success, and its queue.
 *
 * Every send's outcome feeds a circuit breaker per channel. After
 * CHANHEALTH_TRIP failures in a row the breaker opens: the channel is down,
 * its sender stops taking messages (they wait in Redis, spending no
 * attempts, or move to a channel that is up) and only a probe, one message,
 * is let through at intervals that double from CHANHEALTH_PROBE_MS to
 * CHANHEALTH_PROBE_MAX_MS. A probe that is sent closes the breaker.
 * Modems also answer "up?" through a probe they register (a modem that is
 * down or hung cannot send). A channel nobody reported on counts as up and
 * empty. Thread-safe.
 */
#ifndef HBM_GATEWAY_CHANHEALTH_H
#define HBM_GATEWAY_CHANHEALTH_H

#define CHANHEALTH_TRIP 5	      /* failures in a row that open it */
#define CHANHEALTH_PROBE_MS 2000      /* first probe after opening */
#define CHANHEALTH_PROBE_MAX_MS 60000 /* probes at least this often */
#define CHANHEALTH_ERROR_MAX 160      /* bytes of a last error, with NUL */

/* 1 when channel NAME is up, 0 when down, -1 when PROBE does not know it. */
typedef int (*chanhealth_probe_cb)(const char *name);

/* Use PROBE (or NULL: none) for channels' state. */
void chanhealth_set_probe(chanhealth_probe_cb probe);

/* 0 when channel NAME is known to be down (probe or breaker), else 1. */
int chanhealth_up(const char *name);

/* A send on NAME went out at NOW_MS (wall clock): the breaker closes. */
void chanhealth_sent(const char *name, long long now_ms);
/*
 * A send on NAME failed with ERROR (no numbers or text in it) at NOW_MS
 * (wall clock). Returns 1 when this failure opened the breaker.
 */
int chanhealth_failed(const char *name, const char *error, long long now_ms);

/*
 * How many messages NAME's sender may take at NOW (monotonic ms): -1 as
 * many as it likes (closed), 1 for a probe (open, and a probe is due; the
 * next is scheduled), 0 none (open); then *WAIT_MS is the time to the next
 * probe.
 */
int chanhealth_allow(const char *name, long long now, long long *wait_ms);

/*
 * The entries waiting in channel NAME's stream and the time (wall ms) the
 * oldest was queued, 0 when none, as last seen.
 */
void chanhealth_set_queue(const char *name, long long depth, long long oldest);
long long chanhealth_depth(const char *name);

/* A channel's state, as chanhealth_get() reports it. */
struct chanhealth_info {
	int up;			 /* chanhealth_up() */
	int open;		 /* boolean: the breaker is open */
	int failures;		 /* failed sends in a row */
	long long last_ok;	 /* wall ms of the last send, 0: none */
	long long last_error_at; /* wall ms of the last failure, 0: none */
	char last_error[CHANHEALTH_ERROR_MAX]; /* "" when none */
	long long depth;		       /* queued and in flight */
	long long oldest; /* wall ms the oldest entry was queued, 0: none */
};

/* NAME's state into *INFO (zeroes and up for a channel never seen). */
void chanhealth_get(const char *name, struct chanhealth_info *info);

/* Forget every channel and the probe (tests). */
void chanhealth_reset(void);

#endif
