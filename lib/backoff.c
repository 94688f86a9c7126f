/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Waiting out a Redis outage: see backoff.h. */
#include <stdlib.h>

#include "lib/backoff.h"
#include "lib/log.h"

int
backoff_fail(struct backoff *b, const char *who, char *cause)
{
	if (!b->down)
		log_warnx("%s: %s", who, cause);
	else
		log_debug("%s: %s", who, cause);
	free(cause);
	b->down = 1;
	b->pause_ms = b->pause_ms == 0 ? BACKOFF_MIN_MS : b->pause_ms * 2;
	if (b->pause_ms > BACKOFF_MAX_MS)
		b->pause_ms = BACKOFF_MAX_MS;
	return b->pause_ms;
}

void
backoff_ok(struct backoff *b, const char *who)
{
	if (b->down)
		log_info("%s: redis reachable again", who);
	b->down = 0;
	b->pause_ms = 0;
}
