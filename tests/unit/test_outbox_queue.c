/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for gateway/outbox_queue.c and the delivery-report side of
 * gateway/outbox.c, against the real redis-server of the test run
 * (HBM_TEST_REDIS_SOCKET): taking batches, recording every outcome,
 * retries, dead letters, handoff, pending entries after a restart, expired
 * records, the rate limit, and delivery reports.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "config/cfg.h"
#include "gateway/chanhealth.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/outbox.h"
#include "gateway/outbox_queue.h"
#include "store/store.h"

#define Q_STREAM "{hbm}:outbox:t-q"
#define KE_STREAM "{hbm}:outbox:t-ke"

static char test_ke[] = "+254";
static char *test_kenya[] = { test_ke };
static char test_instance[] = "t-instance";

struct t {
	struct store *st;
	struct crypto_key *key;
	struct cfg cfg;
	struct cfg_channel ch[2];
};

static int
setup(void **state)
{
	static const unsigned char secret[CRYPTO_SECRET_LEN] = { 7, 7, 7 };
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");
	struct store_params p = { 0 };
	struct t *t;

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	setenv("HBM_RETRY_BASE_MS", "1", 1);
	t = calloc(1, sizeof(*t));
	p.socket = sock;
	p.timeout_ms = 500;
	t->st = store_new(&p);
	t->key = crypto_key_from_bytes(secret);
	strcpy(t->ch[0].name, "t-q");
	t->ch[0].type = CFG_CHANNEL_HTTP;
	t->ch[0].retry_max_age = 86400;
	strcpy(t->ch[1].name, "t-ke");
	t->ch[1].retry_max_age = 86400;
	t->ch[1].type = CFG_CHANNEL_HTTP;
	t->ch[1].prefixes.v = test_kenya;
	t->ch[1].prefixes.n = 1;
	t->cfg.channels = t->ch;
	t->cfg.nchannels = 2;
	t->cfg.privacy.message_days = 1;
	t->cfg.redis.timeout_ms = 500;
	t->cfg.gateway.instance = test_instance;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;

	store_free(t->st);
	crypto_key_free(t->key);
	free(t);
	return 0;
}

/* Start every test from empty streams and retries. */
static int
clean(void **state)
{
	struct t *t = *state;
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(t->st, &cause, "DEL", Q_STREAM, KE_STREAM,
	    "{hbm}:retry", "{hbm}:dead", NULL);
	assert_non_null(r);
	store_reply_free(r);
	t->ch[0].max_per_minute = 0;
	chanhealth_reset();
	return 0;
}

/* An integer reply to a command of up to three words. */
static long long
t_int(struct t *t, const char *a, const char *b, const char *c)
{
	struct store_reply *r;
	char *cause = NULL;
	long long n;

	r = store_commandl(t->st, &cause, a, b, c, NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	n = r->integer;
	store_reply_free(r);
	return n;
}

/* Entries of Q_STREAM read by the group and not yet acknowledged. */
static long long
t_pending(struct t *t, const char *stream)
{
	struct store_reply *r;
	char *cause = NULL;
	long long n;

	r = store_commandl(t->st, &cause, "XPENDING", stream, "send", NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_ARRAY);
	n = r->element[0]->integer;
	store_reply_free(r);
	return n;
}

static void
t_enqueue(struct t *t, const char *to, const char *text, const char *ch,
    char id[OUTBOX_ID_MAX])
{
	char *cause = NULL;

	assert_int_equal(outbox_enqueue(t->st, &t->cfg, t->key, to, text, ch,
			     "api", id, &cause),
	    0);
}

static void
t_get(struct t *t, const char *id, struct outbox_msg *m)
{
	char *cause = NULL;

	assert_int_equal(outbox_get(t->st, id, m, &cause), 1);
}

static void
test_take_and_outcomes(void **state)
{
	struct t *t = *state;
	struct outbox_item it[8];
	struct outbox_queue *q;
	struct outbox_msg m;
	char id[3][OUTBOX_ID_MAX], found[OUTBOX_ID_MAX], *cause = NULL;
	int n;

	memset(it, 0, sizeof(it));
	t_enqueue(t, "+256700000101", "one", "t-q", id[0]);
	t_enqueue(t, "+256700000102", "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", "t-q",
	    id[1]);
	t_enqueue(t, "+254712345678", "three", "t-q", id[2]);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	n = outbox_queue_take(q, 100, it, 8, &cause);
	assert_int_equal(n, 3);
	assert_string_equal(it[0].id, id[0]);
	assert_string_equal(it[0].to, "+256700000101");
	assert_string_equal(it[0].text, "one");
	assert_string_equal(it[1].text, "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
	assert_int_equal(it[2].attempts, 0);
	assert_int_equal(t_pending(t, Q_STREAM), 3);

	it[0].outcome = OUTBOX_SENT;
	it[0].ref = strdup("42");
	it[1].outcome = OUTBOX_FAILED;
	it[1].error = strdup("aggregator answered HTTP 500");
	it[2].outcome = OUTBOX_HANDOFF;
	it[2].error = strdup("modem down");
	assert_int_equal(outbox_queue_commit(q, it, 3, &cause), 0);
	assert_int_equal(t_pending(t, Q_STREAM), 0);
	assert_int_equal(t_int(t, "XLEN", Q_STREAM, NULL), 0);

	t_get(t, id[0], &m);
	assert_string_equal(m.status, "sent");
	assert_int_equal(m.attempts, 1);
	outbox_msg_clear(&m);
	assert_int_equal(
	    outbox_ref_lookup(t->st, "t-q", "42", found, &cause), 1);
	assert_string_equal(found, id[0]);
	assert_int_equal(
	    outbox_ref_lookup(t->st, "t-q", "43", found, &cause), 0);

	t_get(t, id[1], &m);
	assert_string_equal(m.status, "queued");
	assert_string_equal(m.error, "aggregator answered HTTP 500");
	assert_int_equal(m.attempts, 1);
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "ZCARD", "{hbm}:retry", NULL), 1);

	/* Handed to the channel whose prefix matches the number. */
	t_get(t, id[2], &m);
	assert_string_equal(m.channel, "t-ke");
	assert_string_equal(m.status, "queued");
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "XLEN", KE_STREAM, NULL), 1);
	outbox_queue_free(q);
}

/* The calls of COMMAND Redis has counted (INFO commandstats). */
static long long
t_calls(struct t *t, const char *command)
{
	struct store_reply *r;
	char *cause = NULL, want[64];
	const char *p;
	long long n = 0;

	r = store_commandl(t->st, &cause, "INFO", "commandstats", NULL);
	assert_non_null(r);
	snprintf(want, sizeof(want), "cmdstat_%s:calls=", command);
	if (r->type == STORE_STRING && (p = strstr(r->str, want)) != NULL)
		n = strtoll(p + strlen(want), NULL, 10);
	store_reply_free(r);
	return n;
}

/*
 * Recording the first send of a message its new entry carried costs one
 * write of the record and no read (a delivery report is kept apart, in
 * dlr); any other outcome one read and one write. The attempt is counted
 * in the HSET of the outcome, with no HINCRBY. Two sent and one failed:
 * one HMGET, three HSET.
 */
static void
test_commit_cost(void **state)
{
	static const char *const cmds[] = { "hmget", "hset", "hincrby" };
	struct t *t = *state;
	struct outbox_item it[4];
	struct outbox_queue *q;
	struct outbox_msg m;
	char id[3][OUTBOX_ID_MAX], *cause = NULL;
	long long before[3];
	size_t i;

	memset(it, 0, sizeof(it));
	for (i = 0; i < 3; i++)
		t_enqueue(t, "+256700000101", "one", "t-q", id[i]);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, it, 4, &cause), 3);
	it[0].outcome = it[1].outcome = OUTBOX_SENT;
	it[2].outcome = OUTBOX_FAILED;
	it[2].error = strdup("aggregator answered HTTP 500");
	for (i = 0; i < 3; i++)
		before[i] = t_calls(t, cmds[i]);
	assert_int_equal(outbox_queue_commit(q, it, 3, &cause), 0);
	assert_int_equal(t_calls(t, "hmget") - before[0], 1);
	assert_int_equal(t_calls(t, "hset") - before[1], 3);
	assert_int_equal(t_calls(t, "hincrby") - before[2], 0);
	for (i = 0; i < 3; i++) {
		t_get(t, id[i], &m);
		assert_int_equal(m.attempts, 1);
		assert_string_equal(m.status, i < 2 ? "sent" : "queued");
		outbox_msg_clear(&m);
	}
	outbox_queue_free(q);
}

/*
 * A first send recorded without reading the record does not make again a
 * record that is gone (expired, or deleted by hand) meanwhile: the write
 * that made it is undone, and the outcome is "gone".
 */
static void
test_sent_record_gone(void **state)
{
	struct t *t = *state;
	struct outbox_item it[2];
	struct outbox_queue *q;
	struct outbox_msg m;
	struct store_reply *r;
	char id[2][OUTBOX_ID_MAX], key[64], *cause = NULL;

	memset(it, 0, sizeof(it));
	t_enqueue(t, "+256700000101", "gone", "t-q", id[0]);
	t_enqueue(t, "+256700000101", "kept", "t-q", id[1]);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, it, 2, &cause), 2);
	assert_true(it[0].carried && it[1].carried);
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id[0]);
	r = store_commandl(t->st, &cause, "DEL", key, NULL);
	store_reply_free(r);
	it[0].outcome = it[1].outcome = OUTBOX_SENT;
	assert_int_equal(outbox_queue_commit(q, it, 2, &cause), 0);
	assert_int_equal(t_int(t, "EXISTS", key, NULL), 0);
	assert_int_equal(outbox_get(t->st, id[0], &m, &cause), 0);
	t_get(t, id[1], &m);
	assert_string_equal(m.status, "sent");
	assert_int_equal(m.attempts, 1);
	outbox_msg_clear(&m);
	/* The live record was written over, with no field added. */
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id[1]);
	assert_int_equal(t_int(t, "HLEN", key, NULL), 8);
	/* Both entries are acknowledged. */
	assert_int_equal(t_pending(t, Q_STREAM), 0);
	outbox_queue_free(q);
}

/*
 * A new entry carries the sealed number and text, so taking it reads no
 * record: no HMGET (the fetch script is not run). An entry read again (the
 * consumer's own, after a crash) reads its record, once.
 */
static void
test_take_cost(void **state)
{
	struct t *t = *state;
	struct outbox_item it[4];
	struct outbox_queue *q;
	char id[3][OUTBOX_ID_MAX], *cause = NULL;
	long long hmget;
	size_t i;

	memset(it, 0, sizeof(it));
	for (i = 0; i < 3; i++)
		t_enqueue(t, "+256700000101", "new", "t-q", id[i]);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	hmget = t_calls(t, "hmget");
	assert_int_equal(outbox_queue_take(q, 100, it, 4, &cause), 3);
	assert_int_equal(t_calls(t, "hmget") - hmget, 0);
	for (i = 0; i < 3; i++) {
		assert_string_equal(it[i].id, id[i]);
		assert_string_equal(it[i].to, "+256700000101");
		assert_string_equal(it[i].text, "new");
		assert_int_equal(it[i].attempts, 0);
		assert_true(it[i].carried);
		outbox_item_clear(&it[i]);
	}
	outbox_queue_free(q); /* a crash: nothing recorded */

	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	hmget = t_calls(t, "hmget");
	assert_int_equal(outbox_queue_take(q, 100, it, 4, &cause), 3);
	assert_int_equal(t_calls(t, "hmget") - hmget, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(it[i].text, "new");
		assert_false(it[i].carried);
		it[i].outcome = OUTBOX_SENT;
	}
	assert_int_equal(outbox_queue_commit(q, it, 3, &cause), 0);
	assert_int_equal(t_pending(t, Q_STREAM), 0);
	outbox_queue_free(q);
}

/* Sleep MS milliseconds. */
static void
t_nap(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* Take ID from Q, waiting up to about half a second for its retry. */
static void
t_take_one(struct outbox_queue *q, struct outbox_item *it, const char *id)
{
	char *cause = NULL;
	int n, tries;

	for (n = 0, tries = 0; n == 0 && tries < 100; tries++) {
		n = outbox_queue_take(q, 20, it, 4, &cause);
		if (n == 0)
			t_nap(5);
	}
	assert_int_equal(n, 1);
	assert_string_equal(it[0].id, id);
}

static void
test_retry_then_dead(void **state)
{
	struct t *t = *state;
	struct outbox_item it[4];
	struct outbox_queue *q;
	struct outbox_msg m;
	struct store_reply *r;
	char id[OUTBOX_ID_MAX], key[64], old[32], st[16], *cause = NULL;
	int attempt;

	memset(it, 0, sizeof(it));
	t_enqueue(t, "+256700000101", "retry me", "t-q", id);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	/* Retried while young, well past the 3 attempts of old. */
	for (attempt = 0; attempt < 4; attempt++) {
		t_take_one(q, it, id);
		assert_int_equal(it[0].attempts, attempt);
		assert_int_equal(
		    outbox_queue_failed(q, &it[0], "no route", &cause), 0);
		/* Successes elsewhere keep the breaker closed. */
		chanhealth_sent("t-q", 1);
	}
	t_get(t, id, &m);
	assert_string_equal(m.status, "queued");
	assert_int_equal(m.attempts, 4);
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "ZCARD", "{hbm}:retry", NULL), 1);
	assert_int_equal(t_int(t, "XLEN", "{hbm}:dead", NULL), 0);
	/* Older than retry_max_age: the next failure is its last. */
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id);
	snprintf(
	    old, sizeof(old), "%lld", clock_wall_ms() - 86400LL * 1000 - 1);
	r = store_commandl(t->st, &cause, "HSET", key, "created_ms", old, NULL);
	store_reply_free(r);
	t_take_one(q, it, id);
	assert_int_equal(outbox_queue_failed(q, &it[0], "no route", &cause), 0);
	t_get(t, id, &m);
	assert_string_equal(m.status, "dead");
	assert_int_equal(m.attempts, 5);
	assert_string_equal(m.error, "no route");
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "XLEN", "{hbm}:dead", NULL), 1);
	assert_int_equal(t_int(t, "ZCARD", "{hbm}:retry", NULL), 0);
	/* Nothing left to take. */
	assert_int_equal(outbox_queue_take(q, 20, it, 4, &cause), 0);
	/* Queued again, its age counted from now: it is taken and retried. */
	assert_int_equal(outbox_requeue(t->st, id, NULL, st, &cause), 1);
	assert_string_equal(st, "queued");
	t_take_one(q, it, id);
	assert_int_equal(outbox_queue_failed(q, &it[0], "no route", &cause), 0);
	t_get(t, id, &m);
	assert_string_equal(m.status, "queued");
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "ZCARD", "{hbm}:retry", NULL), 1);
	assert_int_equal(outbox_requeue(t->st, id, NULL, st, &cause), 0);
	assert_string_equal(st, "queued");
	outbox_queue_free(q);
}

static void
test_breaker_moves_or_waits(void **state)
{
	struct t *t = *state;
	struct outbox_item it[4];
	struct outbox_queue *q;
	struct outbox_msg m;
	char id[OUTBOX_ID_MAX], id2[OUTBOX_ID_MAX], *cause = NULL;
	int i;

	memset(it, 0, sizeof(it));
	/* Retries far off: only new messages come back from the stream. */
	setenv("HBM_RETRY_BASE_MS", "1000000", 1);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	setenv("HBM_RETRY_BASE_MS", "1", 1);
	/* CHANHEALTH_TRIP failures in a row: the channel is down. */
	for (i = 0; i < CHANHEALTH_TRIP; i++) {
		t_enqueue(t, "+256700000101", "fails", "t-q", id);
		t_take_one(q, it, id);
		assert_int_equal(
		    outbox_queue_failed(q, &it[0], "HTTP 500", &cause), 0);
	}
	assert_int_equal(chanhealth_up("t-q"), 0);
	assert_int_equal(
	    t_int(t, "ZCARD", "{hbm}:retry", NULL), CHANHEALTH_TRIP);
	/* A new message moves to the channel that is up, attempts unspent. */
	t_enqueue(t, "+256700000102", "moves", "t-q", id2);
	assert_int_equal(outbox_queue_take(q, 20, it, 4, &cause), 0);
	t_get(t, id2, &m);
	assert_string_equal(m.channel, "t-ke");
	assert_string_equal(m.status, "queued");
	assert_int_equal(m.attempts, 0);
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "XLEN", KE_STREAM, NULL), 1);
	/* With no channel up, nothing is taken: it waits in the stream. */
	t->cfg.nchannels = 1;
	t_enqueue(t, "+256700000103", "waits", "t-q", id2);
	assert_int_equal(outbox_queue_take(q, 20, it, 4, &cause), 0);
	t_get(t, id2, &m);
	assert_string_equal(m.channel, "t-q");
	assert_int_equal(m.attempts, 0);
	outbox_msg_clear(&m);
	t->cfg.nchannels = 2;
	outbox_queue_free(q);
}

static void
test_handoff_without_other_fails(void **state)
{
	struct t *t = *state;
	struct outbox_item it[1];
	struct outbox_queue *q;
	struct outbox_msg m;
	char id[OUTBOX_ID_MAX], *cause = NULL;

	memset(it, 0, sizeof(it));
	t->cfg.nchannels = 1; /* t-q alone */
	t_enqueue(t, "+256700000101", "alone", "t-q", id);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, it, 1, &cause), 1);
	assert_int_equal(outbox_queue_handoff(q, &it[0], "down", &cause), 0);
	t->cfg.nchannels = 2;
	t_get(t, id, &m);
	assert_string_equal(m.channel, "t-q");
	assert_string_equal(m.error, "down");
	outbox_msg_clear(&m);
	assert_int_equal(t_int(t, "ZCARD", "{hbm}:retry", NULL), 1);
	outbox_queue_free(q);
	assert_string_equal(
	    outbox_choose(&t->cfg, "+254712345678", "t-q"), "t-ke");
	assert_string_equal(
	    outbox_choose(&t->cfg, "+256700000101", "t-ke"), "t-q");
}

static void
test_pending_after_restart(void **state)
{
	struct t *t = *state;
	struct outbox_item it[4], again[4];
	struct outbox_queue *q;
	char id[2][OUTBOX_ID_MAX], *cause = NULL;
	int i;

	memset(it, 0, sizeof(it));
	memset(again, 0, sizeof(again));
	t_enqueue(t, "+256700000101", "a", "t-q", id[0]);
	t_enqueue(t, "+256700000101", "b", "t-q", id[1]);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, it, 4, &cause), 2);
	outbox_queue_free(q); /* a crash: nothing recorded */
	for (i = 0; i < 2; i++)
		outbox_item_clear(&it[i]);

	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, again, 4, &cause), 2);
	assert_string_equal(again[0].id, id[0]);
	assert_string_equal(again[1].id, id[1]);
	again[0].outcome = again[1].outcome = OUTBOX_SENT;
	assert_int_equal(outbox_queue_commit(q, again, 2, &cause), 0);
	assert_int_equal(t_pending(t, Q_STREAM), 0);
	outbox_queue_free(q);
}

/*
 * An entry read again (here after a crash) is checked against its record:
 * one whose record expired, or that is no longer queued, is dropped; so
 * is an entry that names no message.
 */
static void
test_expired_and_done_dropped(void **state)
{
	struct t *t = *state;
	struct outbox_item it[4];
	struct outbox_queue *q;
	struct store_reply *r;
	char id[3][OUTBOX_ID_MAX], key[64], *cause = NULL;
	int i;

	memset(it, 0, sizeof(it));
	t_enqueue(t, "+256700000101", "gone", "t-q", id[0]);
	t_enqueue(t, "+256700000101", "done", "t-q", id[1]);
	t_enqueue(t, "+256700000101", "live", "t-q", id[2]);
	/* An entry that names no message at all. */
	r = store_commandl(
	    t->st, &cause, "XADD", Q_STREAM, "*", "junk", "1", NULL);
	store_reply_free(r);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	/* New: the three carry what their send needs; the junk is dropped. */
	assert_int_equal(outbox_queue_take(q, 100, it, 4, &cause), 3);
	outbox_queue_free(q); /* a crash: nothing recorded */
	for (i = 0; i < 3; i++)
		outbox_item_clear(&it[i]);
	assert_int_equal(t_int(t, "XLEN", Q_STREAM, NULL), 3);

	snprintf(key, sizeof(key), "{hbm}:msg:%s", id[0]);
	r = store_commandl(t->st, &cause, "DEL", key, NULL);
	store_reply_free(r);
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id[1]);
	r = store_commandl(t->st, &cause, "HSET", key, "status", "sent", NULL);
	store_reply_free(r);

	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, it, 4, &cause), 1);
	assert_string_equal(it[0].id, id[2]);
	assert_string_equal(it[0].text, "live");
	assert_false(it[0].carried);
	/* The two others are acknowledged and gone from the stream. */
	assert_int_equal(t_int(t, "XLEN", Q_STREAM, NULL), 1);
	assert_int_equal(t_pending(t, Q_STREAM), 1);
	assert_int_equal(outbox_queue_sent(q, &it[0], NULL, &cause), 0);
	outbox_queue_free(q);
}

static void
test_rate_limit(void **state)
{
	struct t *t = *state;
	struct outbox_item it[8];
	struct outbox_queue *q;
	char id[OUTBOX_ID_MAX], *cause = NULL;
	int i, n;

	memset(it, 0, sizeof(it));
	for (i = 0; i < 5; i++)
		t_enqueue(t, "+256700000101", "r", "t-q", id);
	t->ch[0].max_per_minute = 60; /* one a second, bursts of one */
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	n = outbox_queue_take(q, 10, it, 8, &cause);
	assert_int_equal(n, 1);
	it[0].outcome = OUTBOX_SENT;
	assert_int_equal(outbox_queue_commit(q, it, 1, &cause), 0);
	/* Within the same second: nothing more. */
	assert_int_equal(outbox_queue_take(q, 10, it, 8, &cause), 0);
	outbox_queue_free(q);
	/* The rest stays queued. */
	assert_int_equal(t_int(t, "XLEN", Q_STREAM, NULL), 4);
}

static void
test_mark(void **state)
{
	struct t *t = *state;
	struct outbox_item it[1];
	struct outbox_queue *q;
	struct outbox_msg m;
	char id[2][OUTBOX_ID_MAX], *cause = NULL;

	memset(it, 0, sizeof(it));
	t_enqueue(t, "+256700000101", "dlr", "t-q", id[0]);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	assert_int_equal(outbox_queue_take(q, 100, it, 1, &cause), 1);
	/* A report that overtakes the record of the send is kept. */
	assert_int_equal(
	    outbox_mark(t->st, id[0], "delivered", NULL, &cause), 1);
	assert_int_equal(outbox_queue_sent(q, &it[0], NULL, &cause), 0);
	t_get(t, id[0], &m);
	assert_string_equal(m.status, "delivered");
	outbox_msg_clear(&m);
	memset(it, 0, sizeof(it));

	t_enqueue(t, "+256700000101", "dlr2", "t-q", id[1]);
	assert_int_equal(outbox_queue_take(q, 100, it, 1, &cause), 1);
	assert_int_equal(outbox_queue_sent(q, &it[0], NULL, &cause), 0);
	assert_int_equal(
	    outbox_mark(t->st, id[1], "failed", "rejected", &cause), 1);
	t_get(t, id[1], &m);
	assert_string_equal(m.status, "failed");
	assert_string_equal(m.error, "rejected");
	outbox_msg_clear(&m);
	assert_int_equal(
	    outbox_mark(t->st, id[1], "delivered", NULL, &cause), 1);
	/* delivered is final; unknown and malformed ids change nothing. */
	assert_int_equal(
	    outbox_mark(t->st, id[1], "failed", "late", &cause), 0);
	assert_int_equal(
	    outbox_mark(t->st, "m999999999999", "delivered", NULL, &cause), 0);
	assert_int_equal(
	    outbox_mark(t->st, "x1", "delivered", NULL, &cause), 0);
	t_get(t, id[1], &m);
	assert_string_equal(m.status, "delivered");
	outbox_msg_clear(&m);
	outbox_queue_free(q);
}

/* A full batch: more script arguments than a small stack holds. */
static void
test_full_batch(void **state)
{
	struct t *t = *state;
	struct outbox_item it[OUTBOX_TAKE_MAX];
	struct outbox_queue *q;
	char id[OUTBOX_ID_MAX], *cause = NULL;
	int i, n;

	memset(it, 0, sizeof(it));
	for (i = 0; i < OUTBOX_TAKE_MAX + 6; i++)
		t_enqueue(t, "+256700000101", "batch", "t-q", id);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], t->st, t->key);
	n = outbox_queue_take(q, 100, it, OUTBOX_TAKE_MAX + 10, &cause);
	assert_int_equal(n, OUTBOX_TAKE_MAX);
	for (i = 0; i < n; i++)
		it[i].outcome = OUTBOX_SENT;
	assert_int_equal(outbox_queue_commit(q, it, n, &cause), 0);
	assert_int_equal(t_int(t, "XLEN", Q_STREAM, NULL), 6);
	assert_int_equal(t_pending(t, Q_STREAM), 0);
	n = outbox_queue_take(q, 100, it, OUTBOX_TAKE_MAX, &cause);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++)
		it[i].outcome = OUTBOX_FAILED;
	assert_int_equal(outbox_queue_commit(q, it, n, &cause), 0);
	assert_int_equal(t_int(t, "XLEN", Q_STREAM, NULL), 0);
	assert_int_equal(t_int(t, "ZCARD", "{hbm}:retry", NULL), 6);
	outbox_queue_free(q);
}

static void
test_redis_down(void **state)
{
	struct t *t = *state;
	struct store_params p = { 0 };
	struct outbox_item it[1];
	struct outbox_queue *q;
	struct store *down;
	char *cause = NULL;

	memset(it, 0, sizeof(it));
	p.socket = "/nonexistent/redis.sock";
	p.timeout_ms = 100;
	down = store_new(&p);
	q = outbox_queue_new_key(&t->cfg, &t->ch[0], down, t->key);
	assert_int_equal(outbox_queue_take(q, 10, it, 1, &cause), -1);
	assert_non_null(cause);
	free(cause);
	outbox_queue_free(q);
	store_free(down);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_take_and_outcomes, clean),
		cmocka_unit_test_setup(test_commit_cost, clean),
		cmocka_unit_test_setup(test_take_cost, clean),
		cmocka_unit_test_setup(test_retry_then_dead, clean),
		cmocka_unit_test_setup(test_breaker_moves_or_waits, clean),
		cmocka_unit_test_setup(test_handoff_without_other_fails, clean),
		cmocka_unit_test_setup(test_pending_after_restart, clean),
		cmocka_unit_test_setup(test_expired_and_done_dropped, clean),
		cmocka_unit_test_setup(test_sent_record_gone, clean),
		cmocka_unit_test_setup(test_rate_limit, clean),
		cmocka_unit_test_setup(test_mark, clean),
		cmocka_unit_test_setup(test_full_batch, clean),
		cmocka_unit_test_setup(test_redis_down, clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
