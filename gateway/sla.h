/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The acknowledgement timer: cases whose deadline passed, found in the
 * sorted set {hbm}:sla, are re-notified once and then escalated.
 */
#ifndef HBM_GATEWAY_SLA_H
#define HBM_GATEWAY_SLA_H

int sla_start(char **cause);
void sla_stop(void);

#endif
