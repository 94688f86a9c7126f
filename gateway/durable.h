/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether an acknowledged inbound message is durable: Redis's persistence
 * settings, read on every new connection (redis.durability says whether a
 * Redis that can lose acknowledged messages is only warned about or
 * refused), and the optional WAIT for replicas before an acknowledgement
 * (redis.wait_replicas).
 */
#ifndef HBM_GATEWAY_DURABLE_H
#define HBM_GATEWAY_DURABLE_H

struct store;

/*
 * What Redis settings APPENDONLY, APPENDFSYNC and NO_FSYNC_ON_REWRITE (as
 * CONFIG GET answers them) can lose of what was acknowledged, and how to
 * fix it, in one line; NULL when an acknowledged write survives a power
 * loss. Pure.
 */
const char *durable_verdict(const char *appendonly, const char *appendfsync,
    const char *no_fsync_on_rewrite);

/*
 * A store_connect_cb: read the persistence settings on a new connection,
 * log when what they mean changed (once per process, not per thread), and
 * refuse the connection under redis.durability = "require" when they can
 * lose an acknowledged message or cannot be read.
 */
int durable_connect_cb(struct store *, char **cause);

/*
 * Connect this thread's store at start-up: -1 with *cause when Redis
 * answers but was refused under "require" (the daemon must not start);
 * Redis being down is only logged (it is checked again on connect).
 */
int durable_startup(char **cause);

/*
 * After a write on ST that is about to be acknowledged: WAIT for
 * redis.wait_replicas replicas (nothing when 0). -1 with *cause when fewer
 * confirmed within redis.wait_timeout_ms or Redis failed.
 */
int durable_wait(struct store *st, char **cause);

#endif
