/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sd_notify(3) wrappers; the only module that includes libsystemd. */
#include <systemd/sd-daemon.h>

#include "lib/log.h"
#include "gateway/notify.h"

void
notify_send(const char *state)
{
	int rc;

	if ((rc = sd_notify(0, state)) < 0)
		log_warnx("notify: %s: error %d", state, -rc);
}

long
notify_watchdog_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return (long)(usec / 2000);
}
