/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instance lease: the key {hbm}:instance:<name> that says the daemon
 * named <name> (gateway.instance) is alive. It holds a random token, lives
 * LEASE_TTL_MS and is renewed every LEASE_RENEW_MS by a heartbeat thread,
 * only while it still holds our token. The stream consumers named after
 * the instance consume only while the lease is held, so two daemons never
 * share consumer names, and other instances take over the pending work of
 * an instance whose lease has ended (gateway/takeover.c).
 */
#ifndef HBM_GATEWAY_LEASE_H
#define HBM_GATEWAY_LEASE_H

#include <stddef.h>

struct cfg;

#define LEASE_TTL_MS 6000    /* a lease not renewed ends this long after */
#define LEASE_RENEW_MS 2000  /* the heartbeat */
#define LEASE_MARGIN_MS 2000 /* beyond the TTL, waiting for a stale lease */
#define LEASE_KEY_MAX 320    /* "{hbm}:instance:" and a name, and NUL */

/*
 * Take the lease of CFG's instance and start the heartbeat. A lease that
 * another daemon keeps renewing is refused: -1 with *cause, and nothing
 * runs. A stale one (its holder died) is waited out, at most LEASE_TTL_MS
 * plus LEASE_MARGIN_MS. When Redis cannot be reached it returns 0 and the
 * heartbeat keeps trying; consumers wait until lease_held().
 */
int lease_start(const struct cfg *, char **cause);
/* Stop the heartbeat and give the lease up (after the consumers stopped). */
void lease_stop(void);

/* 1 while this daemon holds its lease: its consumers may consume. */
int lease_held(void);

/* The instance name the lease was taken for (fixed at start), or NULL. */
const char *lease_instance(void);

/* The lease key of INSTANCE into KEY; -1 when the name is too long. */
int lease_key(const char *instance, char key[LEASE_KEY_MAX]);

/*
 * The holder a lease value names ("<host>:<pid>"), borrowed from VALUE
 * ("<token> <host>:<pid>"), or VALUE itself when it has no token.
 */
const char *lease_holder(const char *value);

#endif
