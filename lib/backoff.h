/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting out a Redis outage in a worker thread: the first failure of an
 * outage is logged as a warning and later ones at debug level, the wait
 * doubles from BACKOFF_MIN_MS up to BACKOFF_MAX_MS, and the end of the
 * outage is logged once.
 */
#ifndef HBM_GATEWAY_BACKOFF_H
#define HBM_GATEWAY_BACKOFF_H

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000

struct backoff {
	int down;     /* boolean: in an outage */
	int pause_ms; /* the last wait */
};

/*
 * Redis failed for WHO ("outbox sink", "modem modem0") with CAUSE (freed):
 * log it and return how long to wait.
 */
int backoff_fail(struct backoff *, const char *who, char *cause);

/* Redis answered WHO again. */
void backoff_ok(struct backoff *, const char *who);

#endif
