/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Outbound SMS: the message records, their queues, and the HTTP senders.
 *
 * Records and queues live in Redis (all keys tagged {hbm}): the record
 * {hbm}:msg:<id> and the index {hbm}:msgs:<to_hash> expire after
 * privacy.message_days; each channel has a stream {hbm}:outbox:<channel>
 * whose entries name a message id, consumed through the group "send" under
 * the instance's name. Failed sends wait in the zset {hbm}:retry
 * ("<channel>|<id>" scored by due time in ms) and go back to their stream
 * when due; a message that failed OUTBOX_MAX_ATTEMPTS times is marked failed
 * and appended to {hbm}:dead. Every change of state is one Lua script, and
 * the stream entry is acknowledged and deleted in that same script, so a
 * crash leaves either the old state with the entry pending or the new one.
 *
 * outbox_enqueue(), outbox_get() and outbox_list() run on the caller's
 * thread with its Redis connection. outbox_start() starts one sender thread
 * per http channel; each owns its Redis connection, its libcurl handle and
 * its rate limit bucket. A sender reads its own pending entries first (what
 * a crash or a Redis failure left unacknowledged), then new ones, and every
 * few seconds claims entries another instance has held too long.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "gateway/clock.h"
#include "gateway/channel_http.h"
#include "gateway/crypto.h"
#include "gateway/gw.h"
#include "gateway/log.h"
#include "gateway/lua_outbox.h"
#include "gateway/metrics.h"
#include "gateway/outbox.h"
#include "gateway/store.h"
#include "gateway/xmalloc.h"
#include "handlers/phone.h"

#define OUTBOX_RETRY_KEY "{hbm}:retry"
#define OUTBOX_DEAD_KEY "{hbm}:dead"
#define OUTBOX_BATCH "32"	   /* entries per read */
#define OUTBOX_DUE_BATCH "256"	   /* retries looked at per pass */
#define OUTBOX_BLOCK_MS 500	   /* XREADGROUP BLOCK, at most */
#define OUTBOX_CLAIM_IDLE_MS 30000 /* pending this long: claimable */
#define OUTBOX_CLAIM_EVERY_MS 10000
#define OUTBOX_BATCH_MS 15000 /* then re-read, which keeps entries fresh */
#define OUTBOX_DEPTH_EVERY_MS 2000
#define OUTBOX_PAUSE_MIN_MS 250 /* after a Redis failure, doubling */
#define OUTBOX_PAUSE_MAX_MS 5000
#define OUTBOX_GRACE_MS 3000 /* for the message in hand at shutdown */
#define OUTBOX_STREAM_ID_MAX 48

/* KEYS[1] {hbm}:msgseq, for routing; ARGV: enqueue()'s arguments. */
static struct store_script outbox_enqueue_script = {
	.name = "outbox_enqueue",
	.body = LUA_ENQUEUE
	"return enqueue(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],\n"
	"    ARGV[6], ARGV[7])\n",
};

static struct store_script outbox_sent_script = { .name = "outbox_sent",
	.body = LUA_OUTBOX_SENT };
static struct store_script outbox_fail_script = { .name = "outbox_fail",
	.body = LUA_OUTBOX_FAIL };
static struct store_script outbox_drop_script = { .name = "outbox_drop",
	.body = LUA_OUTBOX_DROP };
static struct store_script outbox_due_script = { .name = "outbox_due",
	.body = LUA_OUTBOX_DUE };
static struct store_script outbox_list_script = { .name = "outbox_list",
	.body = LUA_OUTBOX_LIST };

/* One sender thread, for one http channel. */
struct outbox_sender {
	char channel[CFG_ID_MAX];
	char stream[CFG_ID_MAX + 16]; /* {hbm}:outbox:<channel> */
	char labels[CFG_ID_MAX + 16]; /* channel="<channel>" */
	char *instance;		      /* consumer name, owned */
	struct store *store;	      /* owned; used by the thread only */
	struct channel_http *http;    /* owned; used by the thread only */
	struct outbox_bucket bucket;  /* rate limit */
	int block_ms;		      /* XREADGROUP BLOCK, below the timeout */
	int grouped;		      /* boolean: the group is known to exist */
	int down;		      /* boolean: Redis failed, logged once */
	int pause_ms;		      /* next wait after a Redis failure */
	char cursor[OUTBOX_STREAM_ID_MAX]; /* own pending after this; "" new */
	char claim[OUTBOX_STREAM_ID_MAX];  /* XAUTOCLAIM cursor */
	long long claim_at;		   /* monotonic ms of next XAUTOCLAIM */
	long long depth_at;		   /* monotonic ms of next depth */
	pthread_t thread;
	int running; /* boolean: thread started and not joined */
	struct outbox_sender *next;
};

static struct outbox_sender *outbox_senders;
static atomic_int outbox_stopping; /* senders finish the message in hand */
static atomic_int outbox_cancel;   /* requests in flight are abandoned */
static pthread_mutex_t outbox_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t outbox_wake; /* CLOCK_MONOTONIC; broadcast on stop */
static pthread_once_t outbox_wake_once = PTHREAD_ONCE_INIT;
static long long outbox_base_ms = OUTBOX_RETRY_BASE_MS;
static int outbox_curl; /* boolean: libcurl initialised */

const char *
outbox_pick_channel(
    const struct cfg *cfg, const char *to_e164, const char *requested)
{
	size_t i, j;

	if (requested != NULL) {
		for (i = 0; i < cfg->nchannels; i++)
			if (strcmp(cfg->channels[i].name, requested) == 0)
				return cfg->channels[i].name;
		return NULL;
	}
	for (i = 0; i < cfg->nchannels; i++)
		for (j = 0; j < cfg->channels[i].prefixes.n; j++)
			if (strncmp(to_e164, cfg->channels[i].prefixes.v[j],
				strlen(cfg->channels[i].prefixes.v[j])) == 0)
				return cfg->channels[i].name;
	for (i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].type == CFG_CHANNEL_HTTP)
			return cfg->channels[i].name;
	return cfg->nchannels > 0 ? cfg->channels[0].name : NULL;
}

int
outbox_enqueue(struct store *st, const struct cfg *cfg,
    const struct crypto_key *key, const char *to_e164, const char *text,
    const char *channel, const char *kind, char id[OUTBOX_ID_MAX], char **cause)
{
	char hash[CRYPTO_SHA256_HEX], now[32], ttl[32], *sealed;
	const char *ch, *argv[8];
	struct store_reply *r;
	int rc = -1;

	if ((ch = outbox_pick_channel(cfg, to_e164, channel)) == NULL) {
		xasprintf(cause, "unknown channel \"%s\"",
		    channel != NULL ? channel : "");
		return -1;
	}
	sealed = crypto_seal(key, to_e164, strlen(to_e164));
	crypto_phone_hash(key, to_e164, hash);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	snprintf(ttl, sizeof(ttl), "%lld",
	    (long long)cfg->privacy.message_days * 86400);
	argv[0] = "{hbm}:msgseq";
	argv[1] = sealed;
	argv[2] = hash;
	argv[3] = text;
	argv[4] = ch;
	argv[5] = kind;
	argv[6] = now;
	argv[7] = ttl;
	r = store_eval(st, &outbox_enqueue_script, 1, 8, argv, NULL, cause);
	free(sealed);
	if (r == NULL)
		return -1;
	if (r->type == STORE_STRING && r->len > 0 && r->len < OUTBOX_ID_MAX) {
		memcpy(id, r->str, r->len + 1);
		rc = 0;
	} else
		xasprintf(cause, "redis: enqueue: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
	store_reply_free(r);
	return rc;
}

int
outbox_id_valid(const char *id)
{
	size_t n = strspn(id + (id[0] == 'm'), "0123456789");

	return id[0] == 'm' && n >= 1 && n <= 19 && id[n + 1] == '\0';
}

void
outbox_msg_clear(struct outbox_msg *m)
{
	free(m->to_sealed);
	free(m->to_hash);
	free(m->text);
	free(m->channel);
	free(m->kind);
	free(m->status);
	free(m->error);
	memset(m, 0, sizeof(*m));
}

/* A non-negative decimal integer from S into *OUT; -1 when it is not one. */
static int
outbox_number(const char *s, long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* The fields of a record, in the order of outbox_field_names. */
enum outbox_field {
	F_TO,
	F_TO_HASH,
	F_TEXT,
	F_CHANNEL,
	F_KIND,
	F_STATUS,
	F_ERROR,
	F_ATTEMPTS,
	F_CREATED,
	F_UPDATED,
	F_COUNT
};

static const char *const outbox_field_names[F_COUNT] = { "to", "to_hash",
	"text", "channel", "kind", "status", "error", "attempts", "created_ms",
	"updated_ms" };

int
outbox_msg_parse(
    const char *id, const char *const *fv, size_t n, struct outbox_msg *m)
{
	const char *v[F_COUNT] = { NULL };
	long long num[3];
	size_t i, j;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++)
		for (j = 0; j < F_COUNT; j++)
			if (v[j] == NULL &&
			    strcmp(fv[2 * i], outbox_field_names[j]) == 0)
				v[j] = fv[2 * i + 1];
	if (strlen(id) >= sizeof(m->id) || v[F_TO] == NULL ||
	    v[F_TEXT] == NULL || v[F_CHANNEL] == NULL || v[F_STATUS] == NULL)
		return -1;
	for (j = 0; j < 3; j++)
		if (v[F_ATTEMPTS + j] == NULL ||
		    outbox_number(v[F_ATTEMPTS + j], &num[j]) == -1)
			return -1;
	if (num[0] > INT_MAX)
		return -1;
	strcpy(m->id, id);
	m->to_sealed = xstrdup(v[F_TO]);
	m->to_hash = xstrdup(v[F_TO_HASH] != NULL ? v[F_TO_HASH] : "");
	m->text = xstrdup(v[F_TEXT]);
	m->channel = xstrdup(v[F_CHANNEL]);
	m->kind = xstrdup(v[F_KIND] != NULL ? v[F_KIND] : "");
	m->status = xstrdup(v[F_STATUS]);
	m->error = xstrdup(v[F_ERROR] != NULL ? v[F_ERROR] : "");
	m->attempts = (int)num[0];
	m->created_ms = num[1];
	m->updated_ms = num[2];
	return 0;
}

/* Parse an HGETALL reply R for message ID; -1 when it is not a record. */
static int
outbox_msg_from_reply(
    const char *id, const struct store_reply *r, struct outbox_msg *m)
{
	const char **fv;
	size_t i;
	int rc;

	if (r->type != STORE_ARRAY || r->elements % 2 != 0)
		return -1;
	fv = xcalloc(r->elements + 1, sizeof(*fv));
	for (i = 0; i < r->elements; i++) {
		if (r->element[i]->type != STORE_STRING) {
			free(fv);
			return -1;
		}
		fv[i] = r->element[i]->str;
	}
	rc = outbox_msg_parse(id, fv, r->elements / 2, m);
	free(fv);
	return rc;
}

int
outbox_get(struct store *st, const char *id, struct outbox_msg *m, char **cause)
{
	struct store_reply *r;
	char key[OUTBOX_ID_MAX + 16];
	int rc = 1;

	snprintf(key, sizeof(key), "{hbm}:msg:%s", id);
	if ((r = store_commandl(st, cause, "HGETALL", key, NULL)) == NULL)
		return -1;
	if (r->type == STORE_ERROR) {
		xasprintf(cause, "redis: HGETALL: %s", r->str);
		rc = -1;
	} else if (r->type != STORE_ARRAY || r->elements == 0)
		rc = 0;
	else if (outbox_msg_from_reply(id, r, m) == -1) {
		xasprintf(cause, "message %s: malformed record", id);
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

int
outbox_list(struct store *st, const char *to_hash, struct outbox_msg **msgs,
    size_t *n, char **cause)
{
	char key[CRYPTO_SHA256_HEX + 16], limit[16];
	const char *argv[2] = { key, limit };
	const struct store_reply *id;
	struct store_reply *r;
	size_t i;

	snprintf(key, sizeof(key), "{hbm}:msgs:%s", to_hash);
	snprintf(limit, sizeof(limit), "%d", OUTBOX_LIST_MAX);
	*msgs = NULL;
	*n = 0;
	if ((r = store_eval(
		 st, &outbox_list_script, 1, 2, argv, NULL, cause)) == NULL)
		return -1;
	if (r->type != STORE_ARRAY) {
		xasprintf(cause, "redis: list: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	*msgs = xcalloc(r->elements / 2 + 1, sizeof(**msgs));
	for (i = 0; i + 1 < r->elements; i += 2) {
		id = r->element[i];
		if (id->type == STORE_STRING &&
		    outbox_msg_from_reply(
			id->str, r->element[i + 1], &(*msgs)[*n]) == 0)
			(*n)++;
	}
	store_reply_free(r);
	return 0;
}

void
outbox_msgs_free(struct outbox_msg *msgs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		outbox_msg_clear(&msgs[i]);
	free(msgs);
}

long long
outbox_backoff_ms(int attempts, long long base_ms)
{
	long long d = base_ms;

	/* 1 base, then 4 bases, then 16: each wait four times the last. */
	while (--attempts > 0 && d < 86400000)
		d *= 4;
	return d;
}

void
outbox_bucket_init(struct outbox_bucket *b, int per_minute, long long now_ms)
{
	b->per_minute = per_minute > 0 ? per_minute : 0;
	b->tokens = b->per_minute >= 60 ? b->per_minute / 60.0 : 1;
	b->at_ms = now_ms;
}

long long
outbox_bucket_take(struct outbox_bucket *b, long long now_ms)
{
	double cap, ms_per_token;

	if (b->per_minute == 0)
		return 0;
	/* Holds at most a second's worth, and never less than one. */
	cap = b->per_minute >= 60 ? b->per_minute / 60.0 : 1;
	ms_per_token = 60000.0 / b->per_minute;
	if (now_ms > b->at_ms) {
		b->tokens += (now_ms - b->at_ms) / ms_per_token;
		if (b->tokens > cap)
			b->tokens = cap;
		b->at_ms = now_ms;
	}
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 0;
	}
	return (long long)((1 - b->tokens) * ms_per_token) + 1;
}

/* The condition senders sleep on, timed by the monotonic clock. */
static void
outbox_wake_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&outbox_wake, &ca);
	pthread_condattr_destroy(&ca);
}

/* Wait MS or until stopping; 0 when stopping. */
static int
outbox_sleep(long long ms)
{
	struct timespec ts;
	long long until;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms;
	ts.tv_sec = until / 1000;
	ts.tv_nsec = (until % 1000) * 1000000;
	pthread_mutex_lock(&outbox_lock);
	while (!atomic_load(&outbox_stopping) &&
	    pthread_cond_timedwait(&outbox_wake, &outbox_lock, &ts) == 0)
		;
	pthread_mutex_unlock(&outbox_lock);
	return !atomic_load(&outbox_stopping);
}

/* Redis failed (CAUSE, freed): log once per outage, wait, re-read pending. */
static void
outbox_pause(struct outbox_sender *s, char *cause)
{
	if (!s->down)
		log_warnx("outbox %s: %s", s->channel, cause);
	else
		log_debug("outbox %s: %s", s->channel, cause);
	free(cause);
	s->down = 1;
	s->grouped = 0;
	strcpy(s->cursor, "0");
	s->pause_ms = s->pause_ms == 0 ? OUTBOX_PAUSE_MIN_MS : s->pause_ms * 2;
	if (s->pause_ms > OUTBOX_PAUSE_MAX_MS)
		s->pause_ms = OUTBOX_PAUSE_MAX_MS;
	outbox_sleep(s->pause_ms);
}

/*
 * Run script SC until Redis takes it, pausing between tries; NULL only when
 * stopping, or when Redis refused the script (logged).
 */
static struct store_reply *
outbox_commit(struct outbox_sender *s, struct store_script *sc, int nkeys,
    int argc, const char **argv)
{
	struct store_reply *r;
	char *cause = NULL;

	for (;;) {
		r = store_eval(s->store, sc, nkeys, argc, argv, NULL, &cause);
		if (r != NULL && r->type == STORE_ERROR) {
			log_errx("outbox %s: script %s: %s", s->channel,
			    sc->name, r->str);
			store_reply_free(r);
			return NULL;
		}
		if (r != NULL)
			return r;
		outbox_pause(s, cause);
		cause = NULL;
		if (atomic_load(&outbox_stopping))
			return NULL;
	}
}

/* Acknowledge and delete stream entry EID, which needs no more work. */
static void
outbox_drop(struct outbox_sender *s, const char *eid)
{
	const char *argv[2] = { s->stream, eid };

	store_reply_free(outbox_commit(s, &outbox_drop_script, 1, 2, argv));
}

/* Record a send of message M (entry EID) as done. */
static void
outbox_sent(struct outbox_sender *s, const char *eid,
    const struct outbox_msg *m, const char *masked)
{
	char key[OUTBOX_ID_MAX + 16], now[32], labels[CFG_ID_MAX + 48];
	const char *argv[4] = { key, s->stream, eid, now };
	struct store_reply *r;

	snprintf(key, sizeof(key), "{hbm}:msg:%s", m->id);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	snprintf(labels, sizeof(labels), "%s,status=\"sent\"", s->labels);
	metrics_add("hbmgw_outbound_total", labels, 1);
	if ((r = outbox_commit(s, &outbox_sent_script, 2, 4, argv)) == NULL) {
		log_warnx("outbox %s: %s: sent, but not recorded: it may be "
			  "sent again",
		    s->channel, m->id);
		return;
	}
	store_reply_free(r);
	log_debug("outbox %s: %s: sent to %s", s->channel, m->id, masked);
}

/*
 * Record a failed send of message M (entry EID) with ERROR: retry later,
 * or, after ALLOWED attempts, mark it failed and dead-letter it.
 */
static void
outbox_failed(struct outbox_sender *s, const char *eid,
    const struct outbox_msg *m, const char *error, int allowed)
{
	char key[OUTBOX_ID_MAX + 16], now[32], due[32], max[16];
	char labels[CFG_ID_MAX + 48];
	const char *argv[11] = { key, s->stream, OUTBOX_RETRY_KEY,
		OUTBOX_DEAD_KEY, eid, now, error, max, due, m->id, s->channel };
	struct store_reply *r;
	long long t = clock_wall_ms();
	const char *outcome;

	snprintf(key, sizeof(key), "{hbm}:msg:%s", m->id);
	snprintf(now, sizeof(now), "%lld", t);
	snprintf(max, sizeof(max), "%d", allowed);
	snprintf(due, sizeof(due), "%lld",
	    t + outbox_backoff_ms(m->attempts + 1, outbox_base_ms));
	if ((r = outbox_commit(s, &outbox_fail_script, 4, 11, argv)) == NULL)
		return;
	outcome = r->type == STORE_ARRAY && r->elements == 2 &&
		r->element[0]->type == STORE_STRING
	    ? r->element[0]->str
	    : "";
	if (strcmp(outcome, "failed") == 0) {
		log_errx("outbox %s: %s: failed after %d attempts (%s), "
			 "dead-lettered",
		    s->channel, m->id, m->attempts + 1, error);
		snprintf(
		    labels, sizeof(labels), "%s,status=\"failed\"", s->labels);
		metrics_add("hbmgw_outbound_total", labels, 1);
		metrics_add("hbmgw_outbox_dead_total", s->labels, 1);
	} else if (strcmp(outcome, "retry") == 0) {
		log_warnx("outbox %s: %s: attempt %d failed (%s), will retry",
		    s->channel, m->id, m->attempts + 1, error);
		snprintf(
		    labels, sizeof(labels), "%s,status=\"retried\"", s->labels);
		metrics_add("hbmgw_outbound_total", labels, 1);
	}
	store_reply_free(r);
}

/* Send message M (entry EID), waiting for the rate limit first. */
static void
outbox_deliver(
    struct outbox_sender *s, const char *eid, const struct outbox_msg *m)
{
	char masked[PHONE_MAX], *to = NULL, *cause = NULL;
	enum channel_http_result res;
	long long wait;
	size_t len;

	if (crypto_open(gw_key(), m->to_sealed, &to, &len, &cause) == -1) {
		log_errx("outbox %s: %s: %s", s->channel, m->id, cause);
		free(cause);
		outbox_failed(s, eid, m, "cannot decrypt the number", 1);
		return;
	}
	while ((wait = outbox_bucket_take(&s->bucket, clock_mono_ms())) > 0)
		if (!outbox_sleep(wait))
			goto out; /* stays pending, sent after a restart */
	phone_mask(to, masked);
	res = channel_http_send(s->http, m->id, to, m->text, &cause);
	if (res == CHANNEL_HTTP_SENT)
		outbox_sent(s, eid, m, masked);
	else if (res == CHANNEL_HTTP_FAILED)
		outbox_failed(s, eid, m, cause, OUTBOX_MAX_ATTEMPTS);
	else
		log_warnx("outbox %s: %s: abandoned at shutdown: it may be "
			  "sent again",
		    s->channel, m->id);
	free(cause);
out:
	free(to);
}

/* The value of FIELD in a stream entry's field/value array, or NULL. */
static const char *
outbox_entry_field(const struct store_reply *fv, const char *field)
{
	size_t i;

	if (fv->type != STORE_ARRAY)
		return NULL;
	for (i = 0; i + 1 < fv->elements; i += 2)
		if (fv->element[i]->type == STORE_STRING &&
		    fv->element[i + 1]->type == STORE_STRING &&
		    strcmp(fv->element[i]->str, field) == 0)
			return fv->element[i + 1]->str;
	return NULL;
}

/* Handle stream entry EID with fields FV; -1 when Redis failed. */
static int
outbox_entry(
    struct outbox_sender *s, const char *eid, const struct store_reply *fv)
{
	struct outbox_msg m;
	const char *id = outbox_entry_field(fv, "msg");
	char *cause = NULL;
	int rc;

	if (id == NULL || !outbox_id_valid(id)) {
		log_warnx("outbox %s: entry %s: no message id, dropped",
		    s->channel, eid);
		outbox_drop(s, eid);
		return 0;
	}
	if ((rc = outbox_get(s->store, id, &m, &cause)) == -1 &&
	    !store_connected(s->store)) {
		outbox_pause(s, cause);
		return -1;
	}
	if (rc == -1) {
		log_errx("outbox %s: %s", s->channel, cause);
		free(cause);
		outbox_drop(s, eid);
	} else if (rc == 0) {
		log_warnx(
		    "outbox %s: %s: record expired, dropped", s->channel, id);
		outbox_drop(s, eid);
	} else if (strcmp(m.status, "queued") != 0) {
		log_debug(
		    "outbox %s: %s: already %s", s->channel, id, m.status);
		outbox_drop(s, eid);
	} else
		outbox_deliver(s, eid, &m);
	if (rc == 1)
		outbox_msg_clear(&m);
	return 0;
}

/*
 * Handle the entries of ENTRIES ({id, fields} pairs from XREADGROUP or
 * XAUTOCLAIM). In pending mode the cursor follows them. A batch that runs
 * long is cut short and read again, which keeps its entries from looking
 * abandoned to other instances. -1 when Redis failed.
 */
static int
outbox_entries(struct outbox_sender *s, const struct store_reply *entries)
{
	const struct store_reply *e;
	long long until = clock_mono_ms() + OUTBOX_BATCH_MS;
	size_t i;

	if (entries->type != STORE_ARRAY)
		return 0;
	for (i = 0; i < entries->elements; i++) {
		if (atomic_load(&outbox_stopping))
			return 0;
		if (clock_mono_ms() > until) {
			if (s->cursor[0] == '\0')
				strcpy(s->cursor, "0");
			return 0;
		}
		e = entries->element[i];
		if (e->type != STORE_ARRAY || e->elements != 2 ||
		    e->element[0]->type != STORE_STRING ||
		    e->element[0]->len >= OUTBOX_STREAM_ID_MAX)
			continue;
		if (outbox_entry(s, e->element[0]->str, e->element[1]) == -1)
			return -1;
		if (s->cursor[0] != '\0')
			strcpy(s->cursor, e->element[0]->str);
	}
	return 0;
}

/* Make sure the consumer group exists; -1 when Redis failed. */
static int
outbox_group(struct outbox_sender *s)
{
	struct store_reply *r;
	char *cause = NULL;

	/* From 0: entries still in the stream are all undelivered work. */
	r = store_commandl(s->store, &cause, "XGROUP", "CREATE", s->stream,
	    LUA_OUTBOX_GROUP, "0", "MKSTREAM", NULL);
	if (r == NULL) {
		outbox_pause(s, cause);
		return -1;
	}
	if (r->type == STORE_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
		xasprintf(&cause, "XGROUP CREATE: %s", r->str);
		store_reply_free(r);
		outbox_pause(s, cause);
		return -1;
	}
	store_reply_free(r);
	s->grouped = 1;
	return 0;
}

/* Move this channel's due retries back to its stream. */
static int
outbox_move_due(struct outbox_sender *s)
{
	char now[32];
	const char *argv[5] = { OUTBOX_RETRY_KEY, s->stream, now, s->channel,
		OUTBOX_DUE_BATCH };
	struct store_reply *r;
	char *cause = NULL;

	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	r = store_eval(s->store, &outbox_due_script, 2, 5, argv, NULL, &cause);
	if (r == NULL) {
		outbox_pause(s, cause);
		return -1;
	}
	if (r->type == STORE_ERROR)
		log_errx("outbox %s: script %s: %s", s->channel,
		    outbox_due_script.name, r->str);
	else if (r->type == STORE_INTEGER && r->integer > 0)
		log_debug(
		    "outbox %s: %lld retries due", s->channel, r->integer);
	store_reply_free(r);
	return 0;
}

/* Publish the stream's length (queued and in flight) as a gauge. */
static void
outbox_depth(struct outbox_sender *s)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(s->store, &cause, "XLEN", s->stream, NULL);
	if (r == NULL) {
		free(cause);
		return;
	}
	if (r->type == STORE_INTEGER)
		metrics_set(
		    "hbmgw_outbox_depth", s->labels, (double)r->integer);
	store_reply_free(r);
}

/* Claim and handle entries other consumers have held too long. */
static int
outbox_autoclaim(struct outbox_sender *s)
{
	struct store_reply *r;
	char *cause = NULL, idle[16];
	int rc = 0;

	snprintf(idle, sizeof(idle), "%d", OUTBOX_CLAIM_IDLE_MS);
	r = store_commandl(s->store, &cause, "XAUTOCLAIM", s->stream,
	    LUA_OUTBOX_GROUP, s->instance, idle, s->claim, "COUNT",
	    OUTBOX_BATCH, NULL);
	if (r == NULL) {
		outbox_pause(s, cause);
		return -1;
	}
	if (r->type == STORE_ERROR)
		log_warnx("outbox %s: XAUTOCLAIM: %s", s->channel, r->str);
	else if (r->type == STORE_ARRAY && r->elements >= 2 &&
	    r->element[0]->type == STORE_STRING &&
	    r->element[0]->len < sizeof(s->claim)) {
		strcpy(s->claim, r->element[0]->str);
		if (r->element[1]->type == STORE_ARRAY &&
		    r->element[1]->elements > 0)
			log_info("outbox %s: claimed %zu stale entries",
			    s->channel, r->element[1]->elements);
		rc = outbox_entries(s, r->element[1]);
	}
	store_reply_free(r);
	return rc;
}

/* Read a batch, own pending entries first, and handle it. */
static int
outbox_read(struct outbox_sender *s)
{
	const char *argv[12];
	struct store_reply *r;
	char *cause = NULL, block[16];
	int argc = 0, pending = s->cursor[0] != '\0', rc = 0;

	snprintf(block, sizeof(block), "%d", s->block_ms);
	argv[argc++] = "XREADGROUP";
	argv[argc++] = "GROUP";
	argv[argc++] = LUA_OUTBOX_GROUP;
	argv[argc++] = s->instance;
	argv[argc++] = "COUNT";
	argv[argc++] = OUTBOX_BATCH;
	if (!pending) {
		argv[argc++] = "BLOCK";
		argv[argc++] = block;
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = s->stream;
	argv[argc++] = pending ? s->cursor : ">";
	if ((r = store_command(s->store, argc, argv, NULL, &cause)) == NULL) {
		outbox_pause(s, cause);
		return -1;
	}
	if (r->type == STORE_ERROR) {
		/* NOGROUP: the stream was deleted; make it again. */
		xasprintf(&cause, "XREADGROUP: %s", r->str);
		store_reply_free(r);
		outbox_pause(s, cause);
		return -1;
	}
	if (r->type == STORE_ARRAY && r->elements == 1 &&
	    r->element[0]->type == STORE_ARRAY &&
	    r->element[0]->elements == 2) {
		if (pending && r->element[0]->element[1]->elements == 0)
			s->cursor[0] = '\0'; /* caught up: read new ones */
		rc = outbox_entries(s, r->element[0]->element[1]);
	} else if (pending)
		s->cursor[0] = '\0';
	store_reply_free(r);
	return rc;
}

/* One turn of the sender loop; -1 after a Redis failure (paused). */
static int
outbox_turn(struct outbox_sender *s)
{
	long long now = clock_mono_ms();

	if (!s->grouped && outbox_group(s) == -1)
		return -1;
	if (outbox_move_due(s) == -1)
		return -1;
	if (now >= s->depth_at) {
		outbox_depth(s);
		s->depth_at = now + OUTBOX_DEPTH_EVERY_MS;
	}
	if (now >= s->claim_at) {
		s->claim_at = now + OUTBOX_CLAIM_EVERY_MS;
		if (outbox_autoclaim(s) == -1)
			return -1;
	}
	return outbox_read(s);
}

static void *
outbox_run(void *arg)
{
	struct outbox_sender *s = arg;

	log_info("outbox %s: sender started", s->channel);
	while (!atomic_load(&outbox_stopping)) {
		if (outbox_turn(s) == -1)
			continue;
		if (s->down)
			log_info(
			    "outbox %s: redis reachable again", s->channel);
		s->down = 0;
		s->pause_ms = 0;
	}
	log_info("outbox %s: sender stopped", s->channel);
	return NULL;
}

static void
outbox_sender_free(struct outbox_sender *s)
{
	store_free(s->store);
	channel_http_free(s->http);
	free(s->instance);
	free(s);
}

/* A sender for http channel CH, not yet running. */
static struct outbox_sender *
outbox_sender_new(
    const struct cfg *cfg, const struct cfg_channel *ch, char **cause)
{
	struct outbox_sender *s;
	struct store_params p;

	s = xcalloc(1, sizeof(*s));
	snprintf(s->channel, sizeof(s->channel), "%s", ch->name);
	snprintf(s->stream, sizeof(s->stream), "{hbm}:outbox:%s", ch->name);
	snprintf(s->labels, sizeof(s->labels), "channel=\"%s\"", ch->name);
	s->instance = xstrdup(cfg->gateway.instance);
	if ((s->http = channel_http_new(ch, &outbox_cancel, cause)) == NULL) {
		outbox_sender_free(s);
		return NULL;
	}
	p.host = cfg->redis.host;
	p.port = cfg->redis.port;
	p.socket = cfg->redis.socket;
	p.password = cfg->redis.password;
	p.db = cfg->redis.db;
	p.timeout_ms = cfg->redis.timeout_ms;
	s->store = store_new(&p);
	/* A blocked read must end well before the connection times out. */
	s->block_ms = cfg->redis.timeout_ms / 2;
	if (s->block_ms > OUTBOX_BLOCK_MS)
		s->block_ms = OUTBOX_BLOCK_MS;
	if (s->block_ms < 10)
		s->block_ms = 10;
	strcpy(s->cursor, "0");
	strcpy(s->claim, "0-0");
	outbox_bucket_init(&s->bucket, ch->max_per_minute, clock_mono_ms());
	return s;
}

/* HBM_RETRY_BASE_MS from the environment (tests), or the default. */
static long long
outbox_retry_base(void)
{
	const char *v = getenv("HBM_RETRY_BASE_MS");
	long long n;

	if (v == NULL)
		return OUTBOX_RETRY_BASE_MS;
	if (outbox_number(v, &n) == -1 || n < 1 || n > 3600000) {
		log_warnx("outbox: HBM_RETRY_BASE_MS: not 1-3600000, using %d",
		    OUTBOX_RETRY_BASE_MS);
		return OUTBOX_RETRY_BASE_MS;
	}
	return n;
}

/* Counters at zero, so they are exported before the first send. */
static void
outbox_metrics_init(const struct outbox_sender *s)
{
	static const char *const statuses[] = { "sent", "failed", "retried" };
	char labels[CFG_ID_MAX + 48];
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		snprintf(labels, sizeof(labels), "%s,status=\"%s\"", s->labels,
		    statuses[i]);
		metrics_add("hbmgw_outbound_total", labels, 0);
	}
	metrics_add("hbmgw_outbox_dead_total", s->labels, 0);
	metrics_set("hbmgw_outbox_depth", s->labels, 0);
}

int
outbox_start(char **cause)
{
	const struct cfg *cfg;
	struct outbox_sender *s;
	size_t i;
	int rc = 0;

	pthread_once(&outbox_wake_once, outbox_wake_init);
	atomic_store(&outbox_stopping, 0);
	atomic_store(&outbox_cancel, 0);
	outbox_base_ms = outbox_retry_base();
	cfg = gw_cfg_get();
	for (i = 0; i < cfg->nchannels && rc == 0; i++) {
		if (cfg->channels[i].type != CFG_CHANNEL_HTTP)
			continue;
		if (!outbox_curl && channel_http_init(cause) == -1) {
			rc = -1;
			break;
		}
		outbox_curl = 1;
		if ((s = outbox_sender_new(cfg, &cfg->channels[i], cause)) ==
		    NULL) {
			rc = -1;
			break;
		}
		s->next = outbox_senders;
		outbox_senders = s;
		outbox_metrics_init(s);
		if ((errno = pthread_create(&s->thread, NULL, outbox_run, s)) !=
		    0) {
			xasprintf(cause, "outbox %s: pthread_create: %s",
			    s->channel, strerror(errno));
			rc = -1;
		} else
			s->running = 1;
	}
	gw_cfg_put(cfg);
	if (rc == -1)
		outbox_stop();
	return rc;
}

void
outbox_stop(void)
{
	struct outbox_sender *s, *next;
	struct timespec deadline;

	pthread_once(&outbox_wake_once, outbox_wake_init);
	pthread_mutex_lock(&outbox_lock);
	atomic_store(&outbox_stopping, 1);
	pthread_cond_broadcast(&outbox_wake);
	pthread_mutex_unlock(&outbox_lock);
	/* The message in hand gets a grace period, then its request ends. */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += OUTBOX_GRACE_MS / 1000;
	for (s = outbox_senders; s != NULL; s = s->next)
		if (s->running &&
		    pthread_timedjoin_np(s->thread, NULL, &deadline) == 0)
			s->running = 0;
	atomic_store(&outbox_cancel, 1);
	for (s = outbox_senders; s != NULL; s = next) {
		next = s->next;
		if (s->running)
			pthread_join(s->thread, NULL);
		outbox_sender_free(s);
	}
	outbox_senders = NULL;
	if (outbox_curl)
		channel_http_cleanup();
	outbox_curl = 0;
}
