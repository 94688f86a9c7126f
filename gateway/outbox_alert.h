/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * No message is given up in silence: every message dead-lettered (its
 * channel's retry_max_age passed, or it could never be sent) is counted
 * here, and the SLA thread tells the coordinator's phones how many, at
 * most once per OUTBOX_ALERT_EVERY_MS, with the template "sms_expired"
 * (in the first configured language), and logs it. Thread-safe.
 */
#ifndef HBM_GATEWAY_OUTBOX_ALERT_H
#define HBM_GATEWAY_OUTBOX_ALERT_H

#define OUTBOX_ALERT_EVERY_MS 600000 /* 10 minutes */

struct cfg;
struct crypto_key;
struct store;

/* N more messages were dead-lettered. */
void outbox_alert_dead(int n);

/*
 * When messages were dead-lettered since the last alert and the last one
 * was long enough ago, queue the alert to the coordinators on ST (numbers
 * sealed with KEY). Kept for the next call when Redis failed. Returns how
 * many dead letters the alert reported (0 when none was due).
 */
int outbox_alert_flush(
    struct store *st, const struct cfg *, const struct crypto_key *key);

#endif
