/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The outbox: every outbound SMS is a message record in Redis and an entry
 * in its channel's stream {hbm}:outbox:<channel>; the channel's sender
 * (gateway/sender_http.c, modem/) takes it through gateway/outbox_queue.h,
 * retries it with backoff until it is its channel's retry_max_age old, and
 * then dead-letters it (status dead), where outbox_requeue() can find it
 * and queue it again. Its scripts are store/lua/outbox_*.lua and
 * store/lua/lib/enqueue.lua.
 *
 * Every key carries the hash tag {hbm}, so on Redis Cluster they share one
 * slot; scripts that build key names inside name one such key in KEYS so
 * they are routed there. Times are ms since the epoch, passed in by the
 * caller so scripts stay deterministic; ARGV values arrive as strings.
 *
 *   {hbm}:msgseq                 counter; message ids are "m" .. INCR,
 *                                raised to now_ms * 1000 when below it
 *   {hbm}:msg:<id>               hash: to (sealed), text, channel,
 *                                kind, status (queued, sent, failed,
 *                                delivered, dead), attempts, created_ms,
 *                                updated_ms, since_ms (when requeued),
 *                                error; expires
 *   {hbm}:msgs:<to_hash>         zset of ids by created_ms; expires
 *   {hbm}:msglog                 stream of every recent id (field m,
 *                                one entry a script's run of ids), the
 *                                entry of m<n>... at <n/1000>-<n%1000>
 *   {hbm}:msgs:all               zset of the ids queued before the log
 *                                was, read after it; emptied by retention
 *   {hbm}:outbox:<channel>       stream of {msg = <id>}, and for a new
 *                                message to and text as in its record;
 *                                group "send"
 *   {hbm}:retry                  zset of "<channel>|<id>" by due ms
 *   {hbm}:dead                   stream of {msg, channel, error, reason}
 *   {hbm}:ref:<channel>:<ref>    the id of the message the channel knows
 *                                by <ref> (delivery reports); expires
 *
 * A stream entry is acknowledged and deleted by the same script that
 * records what became of its message.
 */
#ifndef HBM_GATEWAY_OUTBOX_H
#define HBM_GATEWAY_OUTBOX_H

#include <stddef.h>

struct cfg;
struct crypto_key;
struct store;

#define OUTBOX_ID_MAX 32	  /* "m" and a decimal number, and NUL */
#define OUTBOX_TEXT_MAX 1600	  /* bytes of UTF-8 in one message */
#define OUTBOX_RETRY_BASE_MS 1000 /* first retry delay; HBM_RETRY_BASE_MS */
#define OUTBOX_RETRY_CAP 300	  /* longest retry delay, in base delays */
#define OUTBOX_LIST_MAX 1000	  /* messages outbox_list() returns */
#define OUTBOX_SCAN_MAX 20000	  /* records one list looks at, at most */

/* A message record as stored; strings owned, "" when missing. */
struct outbox_msg {
	char id[OUTBOX_ID_MAX];
	char *to_sealed;      /* crypto_seal() of the E.164 number */
	char *text;	      /* as stored: sealed (crypto_open_str()) */
	char *channel;	      /* the channel it is queued on */
	char *kind;	      /* "api", "reply", "notify" */
	char *status;	      /* queued, sent, failed, delivered, dead */
	char *error;	      /* last error, no numbers; "" when none */
	int attempts;	      /* sends tried */
	long long created_ms; /* ms since the epoch */
	long long updated_ms;
};

/* A token bucket: at most per_minute sends a minute, bursts of a second. */
struct outbox_bucket {
	int per_minute;	 /* 0: unlimited */
	double tokens;	 /* sends allowed now */
	long long at_ms; /* when tokens was computed (monotonic ms) */
};

/*
 * The channel for a message to TO_E164 other than EXCEPT (NULL: none):
 * among the channels that are up (gateway/chanhealth.h), one with a prefix
 * of the number first, then an http channel, then any, and the least busy
 * within each of those; when none is up, the same choice among all. NULL
 * when there is no channel but EXCEPT. Borrowed from CFG.
 */
const char *outbox_choose(
    const struct cfg *, const char *to_e164, const char *except);

/*
 * A channel other than EXCEPT that is up and can take a message to TO_E164
 * now (outbox_choose()'s choice), or NULL when none is up.
 */
const char *outbox_failover(
    const struct cfg *, const char *to_e164, const char *except);

/*
 * REQUESTED when it names a configured channel (NULL when it names none);
 * with no request, outbox_choose()'s channel.
 */
const char *outbox_pick_channel(
    const struct cfg *, const char *to_e164, const char *requested);

/*
 * Queue TEXT to TO_E164 on CHANNEL (or the one outbox_pick_channel()
 * chooses), sealing the number and the text and hashing the number with
 * KEY. Sets ID. -1 with *cause when the channel is unknown or Redis
 * failed: nothing was queued.
 */
int outbox_enqueue(struct store *, const struct cfg *,
    const struct crypto_key *, const char *to_e164, const char *text,
    const char *channel, const char *kind, char id[OUTBOX_ID_MAX],
    char **cause);

/* 1 when ID has the form of a message id ("m" and 1-19 digits). */
int outbox_id_valid(const char *id);

/* The record of message ID into MSG: 1, 0 when there is none, -1 (cause). */
int outbox_get(
    struct store *, const char *id, struct outbox_msg *msg, char **cause);

/* What outbox_list() looks for; zero values: no condition. */
struct outbox_filter {
	const char *to_hash; /* crypto_phone_hash() of the number, or NULL */
	const char *status;  /* one status, or NULL */
	const char *before;  /* only messages older than this id, or NULL */
	int limit;	     /* at most; 0 means 50 (OUTBOX_LIST_MAX caps) */
};

/* 1 when S is one of the statuses a message can have. */
int outbox_status_valid(const char *s);

/*
 * The records that match F, newest first, into *MSGS (*N of them; free
 * with outbox_msgs_free()). Messages to one number come from its index;
 * dead ones from the dead letters; others from the index of all recent
 * messages, looking at no more than OUTBOX_SCAN_MAX records. -1 with
 * *cause when Redis failed.
 */
int outbox_list(struct store *, const struct outbox_filter *f,
    struct outbox_msg **msgs, size_t *n, char **cause);
void outbox_msgs_free(struct outbox_msg *msgs, size_t n);

/* Release what MSG holds; it may be reused. */
void outbox_msg_clear(struct outbox_msg *msg);

/*
 * Fill MSG from the field/value pairs of HGETALL (FV holds 2 * N strings).
 * -1 when a field is missing or malformed.
 */
int outbox_msg_parse(
    const char *id, const char *const *fv, size_t n, struct outbox_msg *msg);

/*
 * The delay before retrying a message that failed ATTEMPTS times: BASE_MS,
 * four times longer after each failure up to OUTBOX_RETRY_CAP bases, less
 * a jitter of up to half taken from RND (a random number), so that
 * messages that failed together do not all come back together.
 */
long long outbox_backoff_ms(int attempts, long long base_ms, unsigned rnd);

/*
 * Queue message ID again on CHANNEL (or its own, NULL) when it is dead or
 * failed: status queued, its retry_max_age counted from now. 1 when it
 * was queued, 0 when its status is another (copied into STATUS, at least
 * 16 bytes), -1 with *cause (no such message: "no such message").
 */
int outbox_requeue(struct store *, const char *id, const char *channel,
    char *status, char **cause);

/* A full bucket for PER_MINUTE sends a minute, at NOW_MS. */
void outbox_bucket_init(
    struct outbox_bucket *, int per_minute, long long now_ms);
/*
 * Take one send from the bucket at NOW_MS and return 0, or return how many
 * ms to wait before one is there (taking nothing).
 */
long long outbox_bucket_take(struct outbox_bucket *, long long now_ms);

/* Put N unused sends back into the bucket. */
void outbox_bucket_give(struct outbox_bucket *, int n);

/*
 * A delivery report for message ID: STATUS "delivered" or "failed" with
 * ERROR (or NULL). delivered is final, and an unknown or expired id is
 * ignored. 1 when the state changed, 0 when not, -1 with *cause.
 */
int outbox_mark(struct store *, const char *id, const char *status,
    const char *error, char **cause);

/*
 * The message CHANNEL sent under the reference REF (a modem's message
 * reference), into ID: 1, 0 when none is known, -1 with *cause.
 */
int outbox_ref_lookup(struct store *, const char *channel, const char *ref,
    char id[OUTBOX_ID_MAX], char **cause);

#endif
