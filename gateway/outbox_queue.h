/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sending side of one channel's outbox stream, for the thread that
 * sends on that channel (an HTTP sender, a modem worker). It takes batches
 * of messages to send now -- the channel's own pending entries first, then
 * new ones, due retries moved back in and entries another instance held too
 * long claimed -- within the channel's rate limit and its circuit breaker
 * (gateway/chanhealth.h), and records what became of each: sent, failed
 * (retried with backoff until the channel's retry_max_age, then
 * dead-lettered), or handed to another channel. While the breaker is open
 * the channel's messages move to a channel that is up, or wait. Each record of outcomes is one Lua script that
 * also acknowledges the stream entries, so a crash anywhere leaves a
 * message either pending (sent again later) or recorded, never lost.
 */
#ifndef HBM_GATEWAY_OUTBOX_QUEUE_H
#define HBM_GATEWAY_OUTBOX_QUEUE_H

#include "gateway/outbox.h"
#include "lib/phone.h"

struct cfg;
struct cfg_channel;
struct crypto_key;
struct store;

#define OUTBOX_ENTRY_MAX 48 /* a stream entry id and NUL */
#define OUTBOX_TAKE_MAX 64  /* messages one take returns, at most */

enum outbox_outcome {
	OUTBOX_PENDING, /* not decided yet */
	OUTBOX_SENT,	/* the channel took it; ref may name it */
	OUTBOX_FAILED,	/* try again later, or dead-letter it */
	OUTBOX_DEAD,	/* cannot ever be sent: dead-letter it now */
	OUTBOX_HANDOFF, /* send it on another channel */
	OUTBOX_WAIT,	/* the channel is down: wait, spending no attempt */
	OUTBOX_MOVE,	/* the channel is down: to another, no attempt */
};

/* One message to send. */
struct outbox_item {
	char id[OUTBOX_ID_MAX];	      /* message id "m123" */
	char entry[OUTBOX_ENTRY_MAX]; /* stream entry id */
	char to[PHONE_MAX];	      /* E.164, decrypted */
	char *text;		      /* UTF-8, owned */
	int attempts;		      /* sends tried before this one */
	int carried; /* to and text came with a new entry: no record read */
	/* set by the sender, read by outbox_queue_commit() */
	enum outbox_outcome outcome;
	char *error; /* owned; why it failed, without numbers or text */
	char *ref;   /* owned; the channel's reference, or NULL */
};

struct outbox_queue;

/*
 * A queue for channel CH of CFG (both borrowed for the queue's life) on ST
 * (borrowed: the calling thread's own connection), opening numbers with
 * the daemon's privacy key (gw_key()); outbox_queue_new_key() names the
 * key (borrowed).
 */
struct outbox_queue *outbox_queue_new(
    const struct cfg *, const struct cfg_channel *ch, struct store *st);
struct outbox_queue *outbox_queue_new_key(const struct cfg *,
    const struct cfg_channel *ch, struct store *st,
    const struct crypto_key *key);
void outbox_queue_free(struct outbox_queue *);

/*
 * Consume as "<instance>/<N>" rather than "<instance>": for the Nth of
 * several senders of one channel, each with its own pending entries. The
 * rate limit is per queue.
 */
void outbox_queue_consumer(struct outbox_queue *, int n);

/*
 * Up to MAX (at most OUTBOX_TAKE_MAX) messages to send now, within the
 * rate limit, waiting up to WAIT_MS when there are none. Returns how many
 * (0 on timeout), or -1 with *cause when Redis failed: nothing is lost, the
 * caller waits and takes again. Entries whose record expired or was dealt
 * with already are dropped on the way.
 */
int outbox_queue_take(struct outbox_queue *, int wait_ms,
    struct outbox_item *items, int max, char **cause);

/*
 * Record the outcome of each of ITEMS[0..N) in one step and clear the
 * items. A failed message is retried after outbox_backoff_ms() until it is
 * the channel's retry_max_age old, then it is dead; a handoff goes to the
 * channel outbox_failover() picks, or fails when there is none. Every
 * outcome feeds the channel's breaker. 0, or -1 with *cause when Redis
 * failed: the entries stay pending and come back.
 */
int outbox_queue_commit(
    struct outbox_queue *, struct outbox_item *items, int n, char **cause);

/* One item's outcome, committed alone. */
int outbox_queue_sent(
    struct outbox_queue *, struct outbox_item *, const char *ref, char **cause);
int outbox_queue_failed(struct outbox_queue *, struct outbox_item *,
    const char *error, char **cause);
int outbox_queue_handoff(struct outbox_queue *, struct outbox_item *,
    const char *error, char **cause);

/* Release what ITEM holds; it may be reused. */
void outbox_item_clear(struct outbox_item *);

#endif
