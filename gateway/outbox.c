/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Outbound SMS: the message records and their queues.
 *
 * Records and queues live in Redis (all keys tagged {hbm}): the record
 * {hbm}:msg:<id> and the index {hbm}:msgs:<to_hash> expire after
 * privacy.message_days; each channel has a stream {hbm}:outbox:<channel>
 * whose entries name a message id, consumed by that channel's sender
 * through gateway/outbox_queue.c. These functions run on the caller's
 * thread with its Redis connection.
 *
 * The scripts are store/lua/outbox_enqueue.lua (with
 * store/lua/lib/enqueue.lua), outbox_list.lua, outbox_mark.lua and
 * outbox_requeue.lua.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "gateway/chanhealth.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/outbox.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/outbox_enqueue.h"
#include "lua/outbox_list.h"
#include "lua/outbox_mark.h"
#include "lua/outbox_requeue.h"
#include "store/keys.h"

/* Queue an SMS: store/lua/outbox_enqueue.lua (with lib/enqueue.lua). */
static struct store_script outbox_enqueue_script = {
	.name = "outbox_enqueue",
	.body = LUA_OUTBOX_ENQUEUE,
};

/* The newest records of an index: store/lua/outbox_list.lua. */
static struct store_script outbox_list_script = {
	.name = "outbox_list",
	.body = LUA_OUTBOX_LIST,
};
/* A delivery report: store/lua/outbox_mark.lua. */
static struct store_script outbox_mark_script = {
	.name = "outbox_mark",
	.body = LUA_OUTBOX_MARK,
};
/* Queue a dead or failed message again: store/lua/outbox_requeue.lua. */
static struct store_script outbox_requeue_script = {
	.name = "outbox_requeue",
	.body = LUA_OUTBOX_REQUEUE,
};

/* How channel C ranks for a message to TO_E164: lower is better. */
static int
outbox_tier(const struct cfg_channel *c, const char *to_e164)
{
	size_t j;

	for (j = 0; j < c->prefixes.n; j++)
		if (strncmp(to_e164, c->prefixes.v[j],
			strlen(c->prefixes.v[j])) == 0)
			return 0;
	return c->type == CFG_CHANNEL_HTTP ? 1 : 2;
}

const char *
outbox_choose(const struct cfg *cfg, const char *to_e164, const char *except)
{
	const struct cfg_channel *c, *best = NULL;
	int best_down = 0, best_tier = 0, down, tier;
	long long best_depth = 0, depth;
	size_t i;

	for (i = 0; i < cfg->nchannels; i++) {
		c = &cfg->channels[i];
		if (except != NULL && strcmp(c->name, except) == 0)
			continue;
		down = !chanhealth_up(c->name);
		tier = outbox_tier(c, to_e164);
		depth = chanhealth_depth(c->name);
		if (best == NULL || down < best_down ||
		    (down == best_down &&
			(tier < best_tier ||
			    (tier == best_tier && depth < best_depth)))) {
			best = c;
			best_down = down;
			best_tier = tier;
			best_depth = depth;
		}
	}
	return best != NULL ? best->name : NULL;
}

const char *
outbox_failover(const struct cfg *cfg, const char *to_e164, const char *except)
{
	const char *other = outbox_choose(cfg, to_e164, except);

	/* The choice prefers channels that are up: a down one means none. */
	return other != NULL && chanhealth_up(other) ? other : NULL;
}

const char *
outbox_pick_channel(
    const struct cfg *cfg, const char *to_e164, const char *requested)
{
	size_t i;

	if (requested == NULL)
		return outbox_choose(cfg, to_e164, NULL);
	for (i = 0; i < cfg->nchannels; i++)
		if (strcmp(cfg->channels[i].name, requested) == 0)
			return cfg->channels[i].name;
	return NULL;
}

int
outbox_enqueue(struct store *st, const struct cfg *cfg,
    const struct crypto_key *key, const char *to_e164, const char *text,
    const char *channel, const char *kind, char id[OUTBOX_ID_MAX], char **cause)
{
	char hash[CRYPTO_SHA256_HEX], now[32], ttl[32], *sealed, *body;
	const char *ch, *argv[8];
	struct store_reply *r;
	int rc = -1;

	if ((ch = outbox_pick_channel(cfg, to_e164, channel)) == NULL) {
		xasprintf(cause, "unknown channel \"%s\"",
		    channel != NULL ? channel : "");
		return -1;
	}
	sealed = crypto_seal(key, to_e164, strlen(to_e164));
	body = crypto_seal_str(key, text);
	crypto_phone_hash(key, to_e164, hash);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	snprintf(ttl, sizeof(ttl), "%lld", cfg_message_ttl(cfg));
	argv[0] = KEY_MSGSEQ;
	argv[1] = sealed;
	argv[2] = hash;
	argv[3] = body;
	argv[4] = ch;
	argv[5] = kind;
	argv[6] = now;
	argv[7] = ttl;
	r = store_eval(st, &outbox_enqueue_script, 1, 8, argv, NULL, cause);
	free(sealed);
	free(body);
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
	F_TEXT,
	F_CHANNEL,
	F_KIND,
	F_STATUS,
	F_ERROR,
	F_ATTEMPTS,
	F_CREATED,
	F_UPDATED,
	F_DLR,
	F_COUNT
};

static const char *const outbox_field_names[F_COUNT] = { "to", "text",
	"channel", "kind", "status", "error", "attempts", "created_ms",
	"updated_ms", "dlr" };

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
	m->text = xstrdup(v[F_TEXT]);
	m->channel = xstrdup(v[F_CHANNEL]);
	m->kind = xstrdup(v[F_KIND] != NULL ? v[F_KIND] : "");
	/* A delivery report's state is kept apart from the senders'. */
	m->status = xstrdup(v[F_DLR] != NULL ? v[F_DLR] : v[F_STATUS]);
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
	char key[KEY_MAX];
	int rc = 1;

	key_msg(key, id);
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
outbox_status_valid(const char *s)
{
	static const char *const statuses[] = { "queued", "sent", "delivered",
		"failed", "dead" };
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

int
outbox_list(struct store *st, const struct outbox_filter *f,
    struct outbox_msg **msgs, size_t *n, char **cause)
{
	char key[KEY_MAX], num[KEY_MAX], limit[16], scan[16];
	const char *argv[6];
	const struct store_reply *id;
	struct store_reply *r;
	int want = f->limit > 0 ? f->limit : 50, nkeys = 1, argc = 0;
	size_t i;

	argv[argc++] = key;
	if (f->to_hash != NULL) {
		/* the number's zset, and its record's m:<id> fields */
		key_msgs(key, f->to_hash);
		argv[argc++] = key_num(num, f->to_hash);
		nkeys = 2;
	} else if (f->status != NULL && strcmp(f->status, "dead") == 0)
		snprintf(key, sizeof(key), "%s", KEY_DEAD);
	else {
		/* every message: the log, then the ids from before it */
		snprintf(key, sizeof(key), "%s", KEY_MSGLOG);
		argv[argc++] = KEY_MSGS_ALL;
		nkeys = 2;
	}
	snprintf(limit, sizeof(limit), "%d",
	    want < OUTBOX_LIST_MAX ? want : OUTBOX_LIST_MAX);
	snprintf(scan, sizeof(scan), "%d", OUTBOX_SCAN_MAX);
	argv[argc++] = limit;
	argv[argc++] = f->status != NULL ? f->status : "";
	argv[argc++] = f->before != NULL ? f->before : "";
	argv[argc++] = scan;
	*msgs = NULL;
	*n = 0;
	if ((r = store_eval(st, &outbox_list_script, nkeys, argc, argv, NULL,
		 cause)) == NULL)
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

int
outbox_requeue(struct store *st, const char *id, const char *channel,
    char *status, char **cause)
{
	char key[KEY_MAX], now[32];
	const char *argv[3] = { key, now, channel != NULL ? channel : "" };
	const struct store_reply *s;
	struct store_reply *r;
	int rc = -1;

	status[0] = '\0';
	if (!outbox_id_valid(id)) {
		xasprintf(cause, "no such message");
		return -1;
	}
	key_msg(key, id);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	if ((r = store_eval(
		 st, &outbox_requeue_script, 1, 3, argv, NULL, cause)) == NULL)
		return -1;
	s = r->type == STORE_ARRAY && r->elements >= 1 ? r->element[0] : NULL;
	if (s == NULL || s->type != STORE_STRING)
		xasprintf(cause, "redis: outbox_requeue: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
	else if (strcmp(s->str, "gone") == 0)
		xasprintf(cause, "no such message");
	else if (strcmp(s->str, "requeued") == 0) {
		snprintf(status, 16, "queued");
		rc = 1;
	} else {
		snprintf(status, 16, "%s", s->str);
		rc = 0;
	}
	store_reply_free(r);
	return rc;
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
outbox_backoff_ms(int attempts, long long base_ms, unsigned rnd)
{
	long long d = base_ms, cap = base_ms * OUTBOX_RETRY_CAP;

	/* 1 base, then 4 bases, then 16, ... up to the cap. */
	while (--attempts > 0 && d < cap)
		d *= 4;
	if (d > cap)
		d = cap;
	/* Equal jitter: between half the delay and all of it. */
	return d - (long long)(rnd % (unsigned long long)(d / 2 + 1));
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


void
outbox_bucket_give(struct outbox_bucket *b, int n)
{
	double cap;

	if (b->per_minute == 0 || n <= 0)
		return;
	cap = b->per_minute >= 60 ? b->per_minute / 60.0 : 1;
	b->tokens += n;
	if (b->tokens > cap)
		b->tokens = cap;
}

int
outbox_mark(struct store *st, const char *id, const char *status,
    const char *error, char **cause)
{
	char key[KEY_MAX], now[32];
	const char *argv[4] = { key, status, error != NULL ? error : "", now };
	struct store_reply *r;
	int rc;

	if (!outbox_id_valid(id))
		return 0;
	key_msg(key, id);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	if ((r = store_eval(
		 st, &outbox_mark_script, 1, 4, argv, NULL, cause)) == NULL)
		return -1;
	if (r->type == STORE_INTEGER)
		rc = r->integer == 1;
	else {
		xasprintf(cause, "redis: outbox_mark: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

int
outbox_ref_lookup(struct store *st, const char *channel, const char *ref,
    char id[OUTBOX_ID_MAX], char **cause)
{
	struct store_reply *r;
	char *key;
	int rc = 0;

	xasprintf(&key, KEY_REF_PREFIX "%s:%s", channel, ref);
	r = store_commandl(st, cause, "GET", key, NULL);
	free(key);
	if (r == NULL)
		return -1;
	if (r->type == STORE_ERROR) {
		xasprintf(cause, "redis: GET: %s", r->str);
		rc = -1;
	} else if (r->type == STORE_STRING && outbox_id_valid(r->str)) {
		strcpy(id, r->str);
		rc = 1;
	}
	store_reply_free(r);
	return rc;
}
