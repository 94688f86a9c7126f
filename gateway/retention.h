/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forgetting on schedule: raw inbound messages older than
 * privacy.message_days leave the inbox stream, audit entries older than
 * privacy.audit_days leave the audit stream (its chain anchored), and
 * closed cases lose their personal fields (the sealed number, its hash,
 * the free-text note) privacy.retention_days after closing.
 */
#ifndef HBM_GATEWAY_RETENTION_H
#define HBM_GATEWAY_RETENTION_H

struct cfg;
struct store;

/* hbmgw_retention_errors_total at 0 for every step, served from the start. */
void retention_metrics_init(void);

/*
 * One pass at time NOW_MS (ms since the epoch). Returns how many closed
 * cases were purged, or -1 with *cause when Redis is unreachable (the
 * pass ends there) or a step failed (the first failure's cause; each one
 * was logged and counted, and the other steps ran). *CAUSE is NULL on
 * entry.
 */
int retention_run(
    struct store *, const struct cfg *, long long now_ms, char **cause);

#endif
