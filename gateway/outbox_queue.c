/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Consuming a channel's outbox stream {hbm}:outbox:<channel> through the
 * group "send", under the instance's name (see gateway/outbox.h for the
 * layout).
 *
 * A take reads the consumer's own pending entries first (what a crash or a
 * Redis failure left unacknowledged), then new ones with a blocking read;
 * every so often it also moves due retries back into the stream, takes
 * over the pending entries of dead instances (gateway/takeover.c), claims
 * entries another instance has held too long, and publishes the stream's
 * depth and age. Before it takes anything it asks the channel's breaker:
 * while the breaker is open only a probe goes out now and then, and the
 * rest of the queue moves to a channel that is up or waits where it is,
 * spending no attempts. A new entry carries its message's sealed number
 * and text, so a batch of new entries reads no record; the records of
 * entries read again (own pending, claimed, taken over) or added by the
 * retry, failover and requeue paths are fetched with one script, which
 * drops those no longer queued. A batch's outcomes are recorded with one
 * more, so a batch costs two or three round trips whatever its size.
 *
 * The scripts are store/lua/outbox_commit.lua,
 * outbox_fetch.lua and outbox_due.lua.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "gateway/chanhealth.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/outbox_alert.h"
#include "gateway/outbox_queue.h"
#include "store/store.h"
#include "gateway/takeover.h"
#include "lib/xmalloc.h"
#include "lua/outbox_commit.h"
#include "lua/outbox_due.h"
#include "lua/outbox_fetch.h"
#include "store/keys.h"

/* The senders' consumer group; store/lua/outbox_commit.lua acks in it. */
#define QUEUE_GROUP "send"
#define QUEUE_DUE_BATCH "256"  /* retries looked at per pass */
#define QUEUE_DUE_EVERY_MS 200 /* how often due retries move */
/* A live but stuck consumer's entries; dead instances: takeover.c. */
#define QUEUE_CLAIM_IDLE_MS 30000 /* pending this long: claimable */
#define QUEUE_CLAIM_EVERY_MS 10000
#define QUEUE_DEPTH_EVERY_MS 2000
#define QUEUE_REF_TTL "172800" /* seconds a delivery reference is kept */
#define QUEUE_BLOCK_MIN_MS 10

/* Record a batch's outcomes: store/lua/outbox_commit.lua. */
static struct store_script queue_commit_script = {
	.name = "outbox_commit",
	.body = LUA_OUTBOX_COMMIT,
};
/* The sending fields of a batch's records: store/lua/outbox_fetch.lua. */
static struct store_script queue_fetch_script = {
	.name = "outbox_fetch",
	.body = LUA_OUTBOX_FETCH,
};
/* Due retries back to the stream: store/lua/outbox_due.lua. */
static struct store_script queue_due_script = {
	.name = "outbox_due",
	.body = LUA_OUTBOX_DUE,
};

struct outbox_queue {
	const struct cfg *cfg;
	const struct cfg_channel *ch;
	struct store *st;
	const struct crypto_key *key;
	char stream[KEY_MAX];	      /* {hbm}:outbox:<channel> */
	char labels[CFG_ID_MAX + 16]; /* channel="<channel>" */
	char *consumer;		      /* owned; the group's consumer name */
	struct outbox_bucket bucket;
	long long base_ms;	       /* first retry delay */
	char max_age[24];	       /* retry_max_age in ms */
	unsigned seed;		       /* for retry jitter */
	int block_ms;		       /* longest blocking read */
	int grouped;		       /* boolean: the group exists */
	char cursor[OUTBOX_ENTRY_MAX]; /* own pending after this; "" new */
	char claim[OUTBOX_ENTRY_MAX];  /* XAUTOCLAIM cursor */
	long long due_at, claim_at, depth_at; /* monotonic ms */
	long long takeover_at;		      /* monotonic ms */
	long long wait_ms; /* how long OUTBOX_WAIT messages wait */
};

/* HBM_RETRY_BASE_MS from the environment (tests), or the default. */
static long long
queue_retry_base(void)
{
	const char *v = getenv("HBM_RETRY_BASE_MS");
	char *end;
	long long n;

	if (v == NULL)
		return OUTBOX_RETRY_BASE_MS;
	n = strtoll(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || n < 1 || n > 3600000) {
		log_warnx("outbox: HBM_RETRY_BASE_MS: not 1-3600000, using %d",
		    OUTBOX_RETRY_BASE_MS);
		return OUTBOX_RETRY_BASE_MS;
	}
	return n;
}

/* Counters at zero, so they are exported before the first send. */
static void
queue_metrics_init(const struct outbox_queue *q)
{
	static const char *const statuses[] = { "sent", "retried", "dead",
		"handoff", "moved" };
	char labels[CFG_ID_MAX + 48];
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		snprintf(labels, sizeof(labels), "%s,status=\"%s\"", q->labels,
		    statuses[i]);
		metrics_add("hbmgw_outbound_total", labels, 0);
	}
	metrics_add("hbmgw_outbox_dead_total", q->labels, 0);
	metrics_set("hbmgw_outbox_depth", q->labels, 0);
	metrics_set("hbmgw_outbox_oldest_seconds", q->labels, 0);
}

struct outbox_queue *
outbox_queue_new(
    const struct cfg *cfg, const struct cfg_channel *ch, struct store *st)
{
	return outbox_queue_new_key(cfg, ch, st, gw_key());
}

struct outbox_queue *
outbox_queue_new_key(const struct cfg *cfg, const struct cfg_channel *ch,
    struct store *st, const struct crypto_key *key)
{
	struct outbox_queue *q;

	q = xcalloc(1, sizeof(*q));
	q->cfg = cfg;
	q->key = key;
	q->consumer = xstrdup(cfg->gateway.instance);
	q->ch = ch;
	q->st = st;
	key_outbox(q->stream, ch->name);
	snprintf(q->labels, sizeof(q->labels), "channel=\"%s\"", ch->name);
	outbox_bucket_init(&q->bucket, ch->max_per_minute, clock_mono_ms());
	q->base_ms = queue_retry_base();
	snprintf(q->max_age, sizeof(q->max_age), "%lld",
	    (long long)ch->retry_max_age * 1000);
	q->seed = (unsigned)clock_mono_ms() ^ (unsigned)(uintptr_t)q;
	/* A blocked read must end well before the connection times out. */
	q->block_ms = cfg->redis.timeout_ms / 2;
	strcpy(q->cursor, "0");
	strcpy(q->claim, "0-0");
	queue_metrics_init(q);
	return q;
}

void
outbox_queue_consumer(struct outbox_queue *q, int n)
{
	free(q->consumer);
	xasprintf(&q->consumer, "%s/%d", q->cfg->gateway.instance, n);
}

void
outbox_queue_free(struct outbox_queue *q)
{
	if (q == NULL)
		return;
	free(q->consumer);
	free(q);
}

void
outbox_item_clear(struct outbox_item *it)
{
	free(it->text);
	free(it->error);
	free(it->ref);
	memset(it, 0, sizeof(*it));
}

/* Redis failed: read own pending entries again once it is back. */
static int
queue_lost(struct outbox_queue *q)
{
	q->grouped = 0;
	strcpy(q->cursor, "0");
	return -1;
}

/* A reply that is an error, as *cause; 1 when it was one. */
static int
queue_refused(const struct store_reply *r, const char *what, char **cause)
{
	if (r->type != STORE_ERROR)
		return 0;
	xasprintf(cause, "redis: %s: %s", what, r->str);
	return 1;
}

/* Make sure the consumer group exists. */
static int
queue_group(struct outbox_queue *q, char **cause)
{
	struct store_reply *r;

	/* From 0: entries still in the stream are all undelivered work. */
	r = store_commandl(q->st, cause, "XGROUP", "CREATE", q->stream,
	    QUEUE_GROUP, "0", "MKSTREAM", NULL);
	if (r == NULL)
		return queue_lost(q);
	if (r->type == STORE_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
		xasprintf(cause, "redis: XGROUP CREATE: %s", r->str);
		store_reply_free(r);
		return queue_lost(q);
	}
	store_reply_free(r);
	q->grouped = 1;
	return 0;
}

/* Move this channel's due retries back to its stream. */
static int
queue_move_due(struct outbox_queue *q, char **cause)
{
	char now[32];
	const char *argv[5] = { KEY_RETRY, q->stream, now, q->ch->name,
		QUEUE_DUE_BATCH };
	struct store_reply *r;
	int rc = 0;

	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	r = store_eval(q->st, &queue_due_script, 2, 5, argv, NULL, cause);
	if (r == NULL)
		return queue_lost(q);
	if (queue_refused(r, "outbox_due", cause))
		rc = -1;
	else if (r->type == STORE_INTEGER && r->integer > 0)
		log_debug(
		    "outbox %s: %lld retries due", q->ch->name, r->integer);
	store_reply_free(r);
	return rc;
}

/*
 * Publish the stream's length (queued and in flight) and the age of its
 * oldest entry (whose id is the time it was added) as gauges.
 */
static void
queue_depth(struct outbox_queue *q)
{
	struct store_reply *r;
	char *cause = NULL;
	long long depth, oldest = 0, now = clock_wall_ms();

	if ((r = store_commandl(q->st, &cause, "XLEN", q->stream, NULL)) ==
	    NULL) {
		free(cause);
		return;
	}
	depth = r->type == STORE_INTEGER ? r->integer : -1;
	store_reply_free(r);
	if (depth < 0)
		return;
	if (depth > 0 &&
	    (r = store_commandl(q->st, &cause, "XRANGE", q->stream, "-", "+",
		 "COUNT", "1", NULL)) != NULL) {
		if (r->type == STORE_ARRAY && r->elements == 1 &&
		    r->element[0]->type == STORE_ARRAY &&
		    r->element[0]->elements >= 1 &&
		    r->element[0]->element[0]->type == STORE_STRING)
			oldest = atoll(r->element[0]->element[0]->str);
		store_reply_free(r);
	}
	free(cause);
	metrics_set("hbmgw_outbox_depth", q->labels, (double)depth);
	metrics_set("hbmgw_outbox_oldest_seconds", q->labels,
	    oldest > 0 && now > oldest ? (now - oldest) / 1000.0 : 0);
	chanhealth_set_queue(q->ch->name, depth, oldest);
}

/*
 * Open IT's number TO and text TEXT, both sealed: OUTBOX_PENDING, or
 * OUTBOX_DEAD with an error when the number cannot be opened.
 */
static void
queue_open(struct outbox_queue *q, struct outbox_item *it, const char *to,
    const char *text)
{
	char *plain = NULL, *why = NULL;
	size_t len;

	it->outcome = OUTBOX_DEAD;
	if (crypto_open(q->key, to, &plain, &len, &why) == -1 || len == 0 ||
	    len >= sizeof(it->to)) {
		log_errx("outbox %s: %s: %s", q->ch->name, it->id,
		    why != NULL ? why : "number too long");
		free(why);
		free(plain);
		it->error = xstrdup("cannot decrypt the number");
		return;
	}
	memcpy(it->to, plain, len);
	it->to[len] = '\0';
	free(plain);
	it->text = crypto_open_str(q->key, text);
	it->outcome = OUTBOX_PENDING;
}

/*
 * Whether stream entry ENTRY ("<ms>-<seq>") was added less than half the
 * message lifetime ago, so that its record cannot have expired, even
 * with the clocks of two gateways apart.
 */
static int
queue_entry_young(const struct outbox_queue *q, const char *entry)
{
	long long ms = strtoll(entry, NULL, 10);

	return ms > 0 &&
	    clock_wall_ms() - ms < cfg_message_ttl(q->cfg) * 1000 / 2;
}

/*
 * Items from the stream entries ENTRIES ({id, fields} pairs), at most MAX.
 * An entry that names no message is given the id "" and dropped later.
 * With FRESH (entries no consumer read before) a young entry that carries
 * the sealed number and text, as enqueue() writes them, is opened here
 * and needs no record read (carried); any other waits for queue_fetch().
 */
static int
queue_entries(struct outbox_queue *q, const struct store_reply *entries,
    struct outbox_item *items, int max, int fresh)
{
	const struct store_reply *e;
	const char *id, *to, *text;
	size_t i;
	int n = 0;

	if (entries->type != STORE_ARRAY)
		return 0;
	for (i = 0; i < entries->elements && n < max; i++) {
		e = entries->element[i];
		if (e->type != STORE_ARRAY || e->elements != 2 ||
		    e->element[0]->type != STORE_STRING ||
		    e->element[0]->len >= OUTBOX_ENTRY_MAX)
			continue;
		memset(&items[n], 0, sizeof(items[n]));
		strcpy(items[n].entry, e->element[0]->str);
		id = store_fieldstr(e->element[1], "msg", NULL);
		if (id != NULL && outbox_id_valid(id))
			strcpy(items[n].id, id);
		else
			log_warnx("outbox %s: entry %s: no message id, dropped",
			    q->ch->name, items[n].entry);
		to = store_fieldstr(e->element[1], "to", NULL);
		text = store_fieldstr(e->element[1], "text", NULL);
		if (fresh && items[n].id[0] != '\0' && to != NULL &&
		    text != NULL && queue_entry_young(q, items[n].entry)) {
			queue_open(q, &items[n], to, text);
			items[n].carried = 1;
		}
		n++;
	}
	if (q->cursor[0] != '\0' && n > 0)
		strcpy(q->cursor, items[n - 1].entry);
	return n;
}

/* Claim entries other consumers have held too long, as items. */
static int
queue_autoclaim(
    struct outbox_queue *q, struct outbox_item *items, int max, char **cause)
{
	struct store_reply *r;
	char idle[16], count[16];
	int n = 0;

	snprintf(idle, sizeof(idle), "%d", QUEUE_CLAIM_IDLE_MS);
	snprintf(count, sizeof(count), "%d", max);
	r = store_commandl(q->st, cause, "XAUTOCLAIM", q->stream, QUEUE_GROUP,
	    q->consumer, idle, q->claim, "COUNT", count, NULL);
	if (r == NULL)
		return queue_lost(q);
	if (r->type == STORE_ERROR)
		log_warnx("outbox %s: XAUTOCLAIM: %s", q->ch->name, r->str);
	else if (r->type == STORE_ARRAY && r->elements >= 2 &&
	    r->element[0]->type == STORE_STRING &&
	    r->element[0]->len < sizeof(q->claim)) {
		strcpy(q->claim, r->element[0]->str);
		/* Claimed entries are now ours: read them as pending. */
		n = queue_entries(q, r->element[1], items, max, 0);
		if (n > 0)
			log_info("outbox %s: claimed %d stale entries",
			    q->ch->name, n);
	}
	store_reply_free(r);
	return n;
}

/* Take over up to MAX pending entries of dead instances, as items. */
static int
queue_takeover(
    struct outbox_queue *q, struct outbox_item *items, int max, char **cause)
{
	char cursor[OUTBOX_ENTRY_MAX];
	struct store_reply *entries;
	int n;

	n = takeover_claim(q->st, q->stream, QUEUE_GROUP,
	    q->cfg->gateway.instance, q->consumer, max, &entries, cause);
	if (n == -1)
		return queue_lost(q);
	/* Own pending entries are still read from where they were. */
	memcpy(cursor, q->cursor, sizeof(cursor));
	if (n > 0)
		n = queue_entries(q, entries, items, max, 0);
	memcpy(q->cursor, cursor, sizeof(cursor));
	store_reply_free(entries);
	return n;
}

/* Read up to MAX entries: own pending first, then new ones (blocking). */
static int
queue_read(struct outbox_queue *q, int wait_ms, struct outbox_item *items,
    int max, char **cause)
{
	const char *argv[12];
	struct store_reply *r;
	char block[16], count[16];
	int argc = 0, pending = q->cursor[0] != '\0', n = 0;

	if (wait_ms > q->block_ms)
		wait_ms = q->block_ms;
	if (wait_ms < QUEUE_BLOCK_MIN_MS)
		wait_ms = QUEUE_BLOCK_MIN_MS;
	snprintf(block, sizeof(block), "%d", wait_ms);
	snprintf(count, sizeof(count), "%d", max);
	argv[argc++] = "XREADGROUP";
	argv[argc++] = "GROUP";
	argv[argc++] = QUEUE_GROUP;
	argv[argc++] = q->consumer;
	argv[argc++] = "COUNT";
	argv[argc++] = count;
	if (!pending) {
		argv[argc++] = "BLOCK";
		argv[argc++] = block;
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = q->stream;
	argv[argc++] = pending ? q->cursor : ">";
	if ((r = store_command(q->st, argc, argv, NULL, cause)) == NULL)
		return queue_lost(q);
	if (queue_refused(r, "XREADGROUP", cause)) {
		/* NOGROUP: the stream was deleted; make it again. */
		store_reply_free(r);
		return queue_lost(q);
	}
	if (r->type == STORE_ARRAY && r->elements == 1 &&
	    r->element[0]->type == STORE_ARRAY &&
	    r->element[0]->elements == 2) {
		n = queue_entries(
		    q, r->element[0]->element[1], items, max, !pending);
		if (pending && n == 0)
			q->cursor[0] = '\0'; /* caught up: read new ones */
	} else if (pending)
		q->cursor[0] = '\0';
	store_reply_free(r);
	return n;
}

/*
 * Fill ITEMS[0..N) that were not carried from their records. Items whose
 * record is gone or no longer queued are marked to be dropped, those
 * whose number cannot be opened dead; the rest stay OUTBOX_PENDING.
 */
static int
queue_fetch(
    struct outbox_queue *q, struct outbox_item *items, int n, char **cause)
{
	const char *argv[OUTBOX_TAKE_MAX + 1];
	const struct store_reply *rec;
	struct store_reply *r;
	int i, argc = 1;

	argv[0] = KEY_MSGSEQ;
	for (i = 0; i < n; i++) {
		if (items[i].carried)
			continue;
		items[i].outcome = OUTBOX_DEAD; /* until its record is read */
		if (items[i].id[0] != '\0')
			argv[argc++] = items[i].id;
	}
	if (argc == 1)
		return 0;
	r = store_eval(q->st, &queue_fetch_script, 1, argc, argv, NULL, cause);
	if (r == NULL)
		return queue_lost(q);
	if (queue_refused(r, "outbox_fetch", cause) || r->type != STORE_ARRAY ||
	    r->elements != (size_t)argc - 1) {
		if (*cause == NULL)
			xasprintf(cause, "redis: outbox_fetch: bad reply");
		store_reply_free(r);
		return -1;
	}
	for (i = 0, argc = 0; i < n; i++) {
		if (items[i].carried || items[i].id[0] == '\0')
			continue;
		rec = r->element[argc++];
		if (rec->type != STORE_ARRAY || rec->elements != 4 ||
		    rec->element[0]->type != STORE_STRING ||
		    rec->element[1]->type != STORE_STRING ||
		    rec->element[2]->type != STORE_STRING) {
			log_warnx("outbox %s: %s: record expired, dropped",
			    q->ch->name, items[i].id);
			items[i].id[0] = '\0';
			continue;
		}
		if (strcmp(rec->element[2]->str, "queued") != 0) {
			log_debug("outbox %s: %s: already %s", q->ch->name,
			    items[i].id, rec->element[2]->str);
			items[i].id[0] = '\0';
			continue;
		}
		queue_open(
		    q, &items[i], rec->element[0]->str, rec->element[1]->str);
		items[i].attempts = rec->element[3]->type == STORE_STRING
		    ? atoi(rec->element[3]->str)
		    : 0;
	}
	store_reply_free(r);
	return 0;
}

/* Housekeeping that is due: group, retries, depth; -1 when Redis failed. */
static int
queue_chores(struct outbox_queue *q, long long now, char **cause)
{
	if (!q->grouped && queue_group(q, cause) == -1)
		return -1;
	if (now >= q->due_at) {
		if (queue_move_due(q, cause) == -1)
			return -1;
		q->due_at = now + QUEUE_DUE_EVERY_MS;
	}
	if (now >= q->depth_at) {
		queue_depth(q);
		q->depth_at = now + QUEUE_DEPTH_EVERY_MS;
	}
	return 0;
}

/* Sleep MS, at most. */
static void
queue_nap(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* 1 when a channel other than this one is up. */
static int
queue_elsewhere(const struct outbox_queue *q)
{
	size_t i;

	for (i = 0; i < q->cfg->nchannels; i++)
		if (strcmp(q->cfg->channels[i].name, q->ch->name) != 0 &&
		    chanhealth_up(q->cfg->channels[i].name))
			return 1;
	return 0;
}

/*
 * The breaker is open and another channel is up: move up to MAX queued
 * messages to a channel that can take each, and put back those that none
 * can, due when the next probe is (WAIT ms). 0, or -1 with *cause.
 */
static int
queue_divert(struct outbox_queue *q, struct outbox_item *items, int max,
    long long wait, char **cause)
{
	int i, n, pending = q->cursor[0] != '\0';

	n = queue_read(q, QUEUE_BLOCK_MIN_MS, items, max, cause);
	if (n == 0 && pending && q->cursor[0] == '\0')
		n = queue_read(q, QUEUE_BLOCK_MIN_MS, items, max, cause);
	if (n <= 0) {
		queue_nap(wait < 500 ? wait : 500);
		return n;
	}
	if (queue_fetch(q, items, n, cause) == -1) {
		for (i = 0; i < n; i++)
			outbox_item_clear(&items[i]);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (items[i].outcome != OUTBOX_PENDING)
			continue;
		items[i].outcome =
		    outbox_failover(q->cfg, items[i].to, q->ch->name) != NULL
		    ? OUTBOX_MOVE
		    : OUTBOX_WAIT;
	}
	q->wait_ms = wait > 1000 ? wait : 1000;
	if (outbox_queue_commit(q, items, n, cause) == -1) {
		for (i = 0; i < n; i++)
			outbox_item_clear(&items[i]);
		return -1;
	}
	return 0;
}

int
outbox_queue_take(struct outbox_queue *q, int wait_ms,
    struct outbox_item *items, int max, char **cause)
{
	long long now = clock_mono_ms(), wait = 0;
	int i, n, ready, pending, allow;

	if (max > OUTBOX_TAKE_MAX)
		max = OUTBOX_TAKE_MAX;
	if (queue_chores(q, now, cause) == -1)
		return -1;
	/* An open breaker lets a probe through now and then, nothing else. */
	if ((allow = chanhealth_allow(q->ch->name, now, &wait)) == 0) {
		if (queue_elsewhere(q))
			return queue_divert(q, items, max, wait, cause);
		queue_nap(wait < wait_ms ? wait : wait_ms);
		return 0;
	}
	if (allow == 1) {
		max = 1;
		log_info(
		    "outbox %s: channel down, sending a probe", q->ch->name);
	}
	/* Only as many as the rate limit allows now. */
	for (ready = 0; ready < max; ready++)
		if ((wait = outbox_bucket_take(&q->bucket, now)) > 0)
			break;
	if (ready == 0) {
		queue_nap(wait < wait_ms ? wait : wait_ms);
		return 0;
	}
	n = 0;
	if (now >= q->takeover_at) {
		n = queue_takeover(q, items, ready, cause);
		/* More may wait: look again at the next take. */
		q->takeover_at = n > 0 ? now : now + TAKEOVER_EVERY_MS;
	}
	if (n == 0 && now >= q->claim_at) {
		q->claim_at = now + QUEUE_CLAIM_EVERY_MS;
		n = queue_autoclaim(q, items, ready, cause);
	}
	if (n == 0) {
		pending = q->cursor[0] != '\0';
		n = queue_read(q, wait_ms, items, ready, cause);
		/* Own pending entries all done: new ones, in the same take. */
		if (n == 0 && pending && q->cursor[0] == '\0')
			n = queue_read(q, wait_ms, items, ready, cause);
	}
	/* Unused sends go back to the bucket. */
	outbox_bucket_give(&q->bucket, ready - (n > 0 ? n : 0));
	if (n <= 0)
		return n;
	if (queue_fetch(q, items, n, cause) == -1) {
		for (i = 0; i < n; i++)
			outbox_item_clear(&items[i]);
		return -1;
	}
	/* What needs no sending is recorded now; the rest is returned. */
	if (outbox_queue_commit(q, items, n, cause) == -1) {
		for (i = 0; i < n; i++)
			outbox_item_clear(&items[i]);
		return -1;
	}
	for (i = 0, ready = 0; i < n; i++)
		if (items[i].entry[0] != '\0' && ready++ != i) {
			items[ready - 1] = items[i];
			memset(&items[i], 0, sizeof(items[i]));
		}
	return ready;
}

/* Warnings that repeat under an outage: one line per interval, counted. */
static struct log_limit queue_retry_limit = LOG_LIMIT_INIT;
static struct log_limit queue_dead_limit = LOG_LIMIT_INIT;

/* Count one outcome of the commit script's reply; feed the breaker. */
static void
queue_count(struct outbox_queue *q, const struct outbox_item *it,
    const char *outcome, long long attempts)
{
	char labels[CFG_ID_MAX + 48], masked[PHONE_MAX];
	const char *status = NULL, *error = it->error != NULL ? it->error : "";
	long long now = clock_wall_ms();

	if (strcmp(outcome, "sent") == 0) {
		status = "sent";
		chanhealth_sent(q->ch->name, now);
		phone_mask(it->to, masked);
		log_debug(
		    "outbox %s: %s: sent to %s", q->ch->name, it->id, masked);
	} else if (strcmp(outcome, "retry") == 0) {
		status = "retried";
		log_warnx_limit(&queue_retry_limit,
		    "outbox %s: %s: attempt %lld failed (%s), will retry",
		    q->ch->name, it->id, attempts, error);
	} else if (strcmp(outcome, "expired") == 0 ||
	    strcmp(outcome, "dead") == 0) {
		status = "dead";
		log_errx_limit(&queue_dead_limit,
		    "outbox %s: %s: %s after %lld attempts (%s), "
		    "dead-lettered",
		    q->ch->name, it->id,
		    outcome[0] == 'e' ? "expired" : "undeliverable", attempts,
		    error);
		metrics_add("hbmgw_outbox_dead_total", q->labels, 1);
		outbox_alert_dead(1);
	} else if (strcmp(outcome, "handoff") == 0) {
		status = "handoff";
		log_debug("outbox %s: %s: handed to channel %s (%s)",
		    q->ch->name, it->id, it->ref, error);
	} else if (strcmp(outcome, "moved") == 0) {
		status = "moved";
		log_debug("outbox %s: %s: channel down, moved to %s",
		    q->ch->name, it->id, it->ref);
	}
	/* A channel fault, not a message's: the breaker counts it. */
	if ((strcmp(outcome, "retry") == 0 || strcmp(outcome, "expired") == 0 ||
		strcmp(outcome, "handoff") == 0) &&
	    chanhealth_failed(q->ch->name, error, now))
		log_errx("outbox %s: channel down after %d failed sends "
			 "(%s); its messages wait or move to another channel",
		    q->ch->name, CHANHEALTH_TRIP, error);
	if (status == NULL)
		return;
	snprintf(labels, sizeof(labels), "%s,status=\"%s\"", q->labels, status);
	metrics_add("hbmgw_outbound_total", labels, 1);
}

/* The commit script's five values for item IT into ARGV; how many. */
static int
queue_commit_args(struct outbox_queue *q, struct outbox_item *it,
    const char **argv, char due[32])
{
	const char *other;

	argv[0] = it->entry;
	argv[1] = it->id;
	argv[3] = it->error != NULL ? it->error : "";
	argv[4] = "";
	if (it->id[0] == '\0') {
		argv[1] = "-";
		argv[2] = "drop";
		return 5;
	}
	switch (it->outcome) {
	case OUTBOX_SENT:
		argv[2] = "sent";
		argv[3] = it->ref != NULL ? it->ref : "";
		/* Fresh from its enqueue: the record need not be read. */
		argv[4] = it->carried ? "0" : "";
		break;
	case OUTBOX_HANDOFF:
		other = outbox_failover(q->cfg, it->to, q->ch->name);
		if (other != NULL) {
			argv[2] = "handoff";
			free(it->ref);
			it->ref = xstrdup(other); /* for the log line */
			argv[4] = it->ref;
			break;
		}
		/* No other channel: a plain failure. */
		__attribute__((fallthrough));
	case OUTBOX_FAILED:
		argv[2] = "fail";
		snprintf(due, 32, "%lld",
		    clock_wall_ms() +
			outbox_backoff_ms(
			    it->attempts + 1, q->base_ms, rand_r(&q->seed)));
		argv[4] = due;
		break;
	case OUTBOX_MOVE:
		other = outbox_failover(q->cfg, it->to, q->ch->name);
		if (other != NULL) {
			argv[2] = "move";
			free(it->ref);
			it->ref = xstrdup(other); /* for the log line */
			argv[4] = it->ref;
			break;
		}
		__attribute__((fallthrough));
	case OUTBOX_WAIT:
		argv[2] = "wait";
		snprintf(due, 32, "%lld", clock_wall_ms() + q->wait_ms);
		argv[4] = due;
		break;
	case OUTBOX_DEAD:
		argv[2] = "dead";
		break;
	case OUTBOX_PENDING:
	default:
		return 0; /* still in hand */
	}
	return 5;
}

int
outbox_queue_commit(
    struct outbox_queue *q, struct outbox_item *items, int n, char **cause)
{
	const char *argv[7 + 5 * OUTBOX_TAKE_MAX];
	char now[32], due[OUTBOX_TAKE_MAX][32];
	int i, k, argc = 4, done[OUTBOX_TAKE_MAX], ndone = 0;
	struct store_reply *r;
	const char *keys[3] = { q->stream, KEY_RETRY, KEY_DEAD };

	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	for (i = 0; i < n && i < OUTBOX_TAKE_MAX; i++) {
		k = queue_commit_args(q, &items[i], argv + 3 + argc, due[i]);
		if (k > 0) {
			argc += k;
			done[ndone++] = i;
		}
	}
	if (ndone == 0)
		return 0;
	/* KEYS first, then ARGV: now, max age, channel, ref lifetime. */
	argv[0] = keys[0];
	argv[1] = keys[1];
	argv[2] = keys[2];
	argv[3] = now;
	argv[4] = q->max_age;
	argv[5] = q->ch->name;
	argv[6] = QUEUE_REF_TTL;
	r = store_eval(
	    q->st, &queue_commit_script, 3, argc + 3, argv, NULL, cause);
	if (r == NULL)
		return queue_lost(q);
	if (queue_refused(r, "outbox_commit", cause) ||
	    r->type != STORE_ARRAY || r->elements != 2 * (size_t)ndone) {
		if (*cause == NULL)
			xasprintf(cause, "redis: outbox_commit: bad reply");
		store_reply_free(r);
		return queue_lost(q);
	}
	for (i = 0; i < ndone; i++) {
		if (r->element[2 * i]->type == STORE_STRING)
			queue_count(q, &items[done[i]], r->element[2 * i]->str,
			    r->element[2 * i + 1]->integer);
		outbox_item_clear(&items[done[i]]);
	}
	store_reply_free(r);
	return 0;
}

/* Commit IT alone with OUTCOME, ERROR and REF (copied). */
static int
queue_one(struct outbox_queue *q, struct outbox_item *it,
    enum outbox_outcome outcome, const char *error, const char *ref,
    char **cause)
{
	it->outcome = outcome;
	free(it->error);
	free(it->ref);
	it->error = error != NULL ? xstrdup(error) : NULL;
	it->ref = ref != NULL ? xstrdup(ref) : NULL;
	return outbox_queue_commit(q, it, 1, cause);
}

int
outbox_queue_sent(struct outbox_queue *q, struct outbox_item *it,
    const char *ref, char **cause)
{
	return queue_one(q, it, OUTBOX_SENT, NULL, ref, cause);
}

int
outbox_queue_failed(struct outbox_queue *q, struct outbox_item *it,
    const char *error, char **cause)
{
	return queue_one(q, it, OUTBOX_FAILED, error, NULL, cause);
}

int
outbox_queue_handoff(struct outbox_queue *q, struct outbox_item *it,
    const char *error, char **cause)
{
	return queue_one(q, it, OUTBOX_HANDOFF, error, NULL, cause);
}
