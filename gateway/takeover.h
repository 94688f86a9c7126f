/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Taking over the pending work of dead instances. The consumers of a
 * stream's group are named "<instance>" or "<instance>/<n>"; a consumer
 * whose instance has no lease (gateway/lease.h) and that has been idle
 * TAKEOVER_IDLE_MS is dead: its pending entries are claimed by a live
 * consumer, which handles them as its own, and it is removed from the
 * group once nothing is pending on it. The inbox dispatchers and the
 * outbox senders each call takeover_claim() every TAKEOVER_EVERY_MS.
 */
#ifndef HBM_GATEWAY_TAKEOVER_H
#define HBM_GATEWAY_TAKEOVER_H

#include <stddef.h>

struct store;
struct store_reply;

#define TAKEOVER_EVERY_MS 2000 /* how often each consumer looks */
#define TAKEOVER_IDLE_MS 3000  /* a consumer and its entries idle this long */
#define TAKEOVER_NAME_MAX 256  /* an instance name and NUL */

/*
 * The instance of consumer NAME ("<instance>" or "<instance>/<n>", n
 * digits) into OUT: 0, or -1 for a name no instance of ours would use
 * (empty, too long, or another "/" in it): such consumers are left alone.
 */
int takeover_instance(const char *name, char out[TAKEOVER_NAME_MAX]);

/*
 * Claim for CONSUMER, of instance SELF, up to COUNT pending entries of
 * STREAM's group GROUP from dead consumers, removing those left with
 * nothing pending. Returns how many entries were claimed, with *ENTRIES
 * (owned by the caller) the claimed [id, fields] pairs as XREADGROUP gives
 * them, or NULL when none; -1 with *cause when Redis failed.
 */
int takeover_claim(struct store *, const char *stream, const char *group,
    const char *self, const char *consumer, int count,
    struct store_reply **entries, char **cause);

#endif
