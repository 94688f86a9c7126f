/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd readiness and watchdog notifications (no-ops without systemd). */
#ifndef HBM_GATEWAY_NOTIFY_H
#define HBM_GATEWAY_NOTIFY_H

/* Send "READY=1", "STOPPING=1", "RELOADING=1", "WATCHDOG=1", ... */
void notify_send(const char *state);
/* Half the watchdog interval in milliseconds, or 0 when not enabled. */
long notify_watchdog_ms(void);

#endif
