/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for gateway/outbox.c and gateway/channel_http.c: the pure
 * parts (channel choice, backoff, the rate limit bucket, record parsing,
 * the JSON and Kannel requests), then enqueue, get and list against the
 * real redis-server that tests/run.sh names in HBM_TEST_REDIS_SOCKET.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "gateway/chanhealth.h"
#include "gateway/channel_http.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/outbox.h"
#include "gateway/retention.h"
#include "store/keys.h"
#include "store/store.h"

#define TEST_STREAM "{hbm}:outbox:t-outbox"

static char test_ug[] = "+256", test_ke7[] = "+2547", test_ke1[] = "+2541";
static char *test_uganda[] = { test_ug };
static char *test_kenya[] = { test_ke7, test_ke1 };

/* Three channels: a modem for Uganda, a Kenyan http one, a fallback. */
static void
test_cfg_init(struct cfg *cfg, struct cfg_channel ch[3])
{
	memset(cfg, 0, sizeof(*cfg));
	memset(ch, 0, 3 * sizeof(*ch));
	strcpy(ch[0].name, "modem0");
	ch[0].type = CFG_CHANNEL_MODEM;
	ch[0].prefixes.v = test_uganda;
	ch[0].prefixes.n = 1;
	strcpy(ch[1].name, "ke");
	ch[1].type = CFG_CHANNEL_HTTP;
	ch[1].prefixes.v = test_kenya;
	ch[1].prefixes.n = 2;
	strcpy(ch[2].name, "t-outbox");
	ch[2].type = CFG_CHANNEL_HTTP;
	cfg->channels = ch;
	cfg->nchannels = 3;
	cfg->privacy.message_days = 1;
}

static void
test_pick_channel(void **state)
{
	struct cfg_channel ch[3];
	struct cfg cfg;

	(void)state;
	test_cfg_init(&cfg, ch);
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+256700000101", NULL), "modem0");
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+254712345678", NULL), "ke");
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+254112345678", NULL), "ke");
	/* No prefix matches: the first http channel. */
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+254212345678", NULL), "ke");
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+33612345678", NULL), "ke");
	/* A request wins over prefixes; an unknown one is refused. */
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+256700000101", "t-outbox"), "t-outbox");
	assert_null(outbox_pick_channel(&cfg, "+256700000101", "nope"));
	assert_null(outbox_pick_channel(&cfg, "+256700000101", ""));
	/* Only modems: the first channel. */
	ch[1].type = ch[2].type = CFG_CHANNEL_MODEM;
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+33612345678", NULL), "modem0");
}

/* The probe of test_choose: modem0 down, or (all_down) every channel. */
static int test_all_down;

static int
test_probe(const char *name)
{
	return test_all_down ? 0 : strcmp(name, "modem0") != 0;
}

static void
test_choose(void **state)
{
	struct cfg_channel ch[3];
	struct cfg cfg;

	(void)state;
	test_cfg_init(&cfg, ch);
	chanhealth_reset();
	/* Least busy within a tier: two http channels, no prefix. */
	chanhealth_set_queue("ke", 10, 0);
	assert_string_equal(
	    outbox_choose(&cfg, "+33612345678", NULL), "t-outbox");
	/* A prefix beats a shorter queue. */
	assert_string_equal(outbox_choose(&cfg, "+254712345678", NULL), "ke");
	/* Never the channel given up on. */
	assert_string_equal(
	    outbox_choose(&cfg, "+254712345678", "ke"), "t-outbox");
	/* A modem that is down is passed over, even with its prefix. */
	chanhealth_set_probe(test_probe);
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+256700000101", NULL), "t-outbox");
	/* When nothing is up, the choice is made as if all were. */
	test_all_down = 1;
	assert_string_equal(
	    outbox_choose(&cfg, "+256700000101", NULL), "modem0");
	/* A request is kept, whatever the state. */
	assert_string_equal(
	    outbox_pick_channel(&cfg, "+256700000101", "modem0"), "modem0");
	/* No channel but the one given up on: none. */
	cfg.nchannels = 1;
	assert_null(outbox_choose(&cfg, "+256700000101", "modem0"));
	test_all_down = 0;
	chanhealth_reset();
}

static void
test_backoff(void **state)
{
	(void)state;
	/* With no jitter (RND 0): 1, 4, 16 bases. */
	assert_int_equal(outbox_backoff_ms(1, 1000, 0), 1000);
	assert_int_equal(outbox_backoff_ms(2, 1000, 0), 4000);
	assert_int_equal(outbox_backoff_ms(3, 1000, 0), 16000);
	assert_int_equal(outbox_backoff_ms(2, 50, 0), 200);
	assert_int_equal(outbox_backoff_ms(0, 1000, 0), 1000);
	/* Growth stops at OUTBOX_RETRY_CAP bases, never overflowing. */
	assert_int_equal(outbox_backoff_ms(5, 1000, 0), 256000);
	assert_int_equal(
	    outbox_backoff_ms(6, 1000, 0), 1000LL * OUTBOX_RETRY_CAP);
	assert_int_equal(
	    outbox_backoff_ms(1000, 1000, 0), 1000LL * OUTBOX_RETRY_CAP);
	/* Jitter takes off at most half. */
	assert_int_equal(outbox_backoff_ms(2, 1000, 2000), 2000);
	assert_int_equal(outbox_backoff_ms(2, 1000, 2001), 4000);
	assert_int_equal(outbox_backoff_ms(2, 1000, 1), 3999);
	assert_in_range(outbox_backoff_ms(3, 1000, 0xffffffffu), 8000, 16000);
}

static void
test_breaker(void **state)
{
	struct chanhealth_info h;
	long long wait;
	int i;

	(void)state;
	chanhealth_reset();
	/* Unknown: up, and no limit. */
	assert_int_equal(chanhealth_up("agg"), 1);
	assert_int_equal(chanhealth_allow("agg", 1000, &wait), -1);
	/* Failures below the trip point leave it closed. */
	for (i = 1; i < CHANHEALTH_TRIP; i++)
		assert_int_equal(chanhealth_failed("agg", "HTTP 500", 5000), 0);
	assert_int_equal(chanhealth_up("agg"), 1);
	/* A success in between starts the count again. */
	chanhealth_sent("agg", 6000);
	for (i = 1; i < CHANHEALTH_TRIP; i++)
		assert_int_equal(chanhealth_failed("agg", "HTTP 500", 7000), 0);
	assert_int_equal(chanhealth_failed("agg", "HTTP 503", 8000), 1);
	assert_int_equal(chanhealth_up("agg"), 0);
	chanhealth_get("agg", &h);
	assert_int_equal(h.open, 1);
	assert_int_equal(h.up, 0);
	assert_string_equal(h.last_error, "HTTP 503");
	assert_int_equal(h.last_ok, 6000);
	assert_int_equal(h.last_error_at, 8000);
	/* Open: nothing until the first probe, then one, then back off. */
	assert_int_equal(chanhealth_allow("agg", 10000, &wait), 0);
	assert_int_equal(wait, CHANHEALTH_PROBE_MS);
	assert_int_equal(
	    chanhealth_allow("agg", 10000 + CHANHEALTH_PROBE_MS - 1, &wait), 0);
	assert_int_equal(wait, 1);
	assert_int_equal(
	    chanhealth_allow("agg", 10000 + CHANHEALTH_PROBE_MS, &wait), 1);
	/* Only one probe at a time; the next waits twice as long. */
	assert_int_equal(
	    chanhealth_allow("agg", 10000 + CHANHEALTH_PROBE_MS, &wait), 0);
	assert_int_equal(wait, 2 * CHANHEALTH_PROBE_MS);
	/* The probe failed: still open. */
	assert_int_equal(chanhealth_failed("agg", "HTTP 500", 13000), 0);
	assert_int_equal(chanhealth_up("agg"), 0);
	/* Probes never wait more than CHANHEALTH_PROBE_MAX_MS. */
	for (i = 0; i < 20; i++)
		chanhealth_allow("agg", 100000LL * (i + 1), &wait);
	assert_int_equal(chanhealth_allow("agg", 2000001, &wait), 0);
	assert_true(wait <= CHANHEALTH_PROBE_MAX_MS);
	/* A probe that goes out closes it. */
	chanhealth_sent("agg", 20000);
	assert_int_equal(chanhealth_up("agg"), 1);
	assert_int_equal(chanhealth_allow("agg", 2000002, &wait), -1);
	/* Another channel is not affected by this one's. */
	assert_int_equal(chanhealth_up("other"), 1);
	chanhealth_set_queue("agg", 7, 123);
	chanhealth_get("agg", &h);
	assert_int_equal(h.depth, 7);
	assert_int_equal(h.oldest, 123);
	assert_int_equal(h.open, 0);
	chanhealth_reset();
}

static void
test_bucket_unlimited(void **state)
{
	struct outbox_bucket b;
	int i;

	(void)state;
	outbox_bucket_init(&b, 0, 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(outbox_bucket_take(&b, 0), 0);
}

static void
test_bucket_per_second(void **state)
{
	struct outbox_bucket b;
	long long w;

	(void)state;
	/* 60 a minute: one now, then one a second. */
	outbox_bucket_init(&b, 60, 1000);
	assert_int_equal(outbox_bucket_take(&b, 1000), 0);
	w = outbox_bucket_take(&b, 1000);
	assert_in_range(w, 999, 1001);
	/* Asking again takes nothing: the wait only shrinks. */
	w = outbox_bucket_take(&b, 1400);
	assert_in_range(w, 599, 601);
	assert_int_equal(outbox_bucket_take(&b, 2000), 0);
	assert_true(outbox_bucket_take(&b, 2000) > 0);
	/* A long idle time does not store more than a second's worth. */
	assert_int_equal(outbox_bucket_take(&b, 100000), 0);
	assert_true(outbox_bucket_take(&b, 100000) > 0);
}

static void
test_bucket_burst_and_slow(void **state)
{
	struct outbox_bucket b;
	int i, sent = 0;
	long long t;

	(void)state;
	/* 600 a minute: bursts of 10, then one per 100 ms. */
	outbox_bucket_init(&b, 600, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(outbox_bucket_take(&b, 0), 0);
	assert_in_range(outbox_bucket_take(&b, 0), 99, 101);
	/* Over a simulated minute the rate holds: 10 + 600, never more. */
	for (t = 1; t <= 60000; t++)
		if (outbox_bucket_take(&b, t) == 0)
			sent++;
	assert_in_range(sent, 599, 600);
	/* 30 a minute: one now, the next after 2 s. */
	outbox_bucket_init(&b, 30, 0);
	assert_int_equal(outbox_bucket_take(&b, 0), 0);
	assert_in_range(outbox_bucket_take(&b, 0), 1999, 2001);
	assert_int_equal(outbox_bucket_take(&b, 2000), 0);
}

static void
test_id_valid(void **state)
{
	(void)state;
	assert_true(outbox_id_valid("m1"));
	assert_true(outbox_id_valid("m1234567890123456789"));
	assert_false(outbox_id_valid("m12345678901234567890"));
	assert_false(outbox_id_valid("m"));
	assert_false(outbox_id_valid(""));
	assert_false(outbox_id_valid("1"));
	assert_false(outbox_id_valid("m1a"));
	assert_false(outbox_id_valid("m-1"));
	assert_false(outbox_id_valid("M1"));
	assert_false(outbox_id_valid("m1/.."));
}

static void
test_msg_parse(void **state)
{
	const char *fv[] = { "to", "AQID", "to_hash", "ab", "text", "hi",
		"channel", "agg", "kind", "api", "status", "sent", "attempts",
		"2", "created_ms", "1700000000000", "updated_ms",
		"1700000000500", "error", "timeout" };
	struct outbox_msg m;

	(void)state;
	assert_int_equal(outbox_msg_parse("m7", fv, 10, &m), 0);
	assert_string_equal(m.id, "m7");
	assert_string_equal(m.to_sealed, "AQID");
	assert_string_equal(m.text, "hi");
	assert_string_equal(m.status, "sent");
	assert_string_equal(m.error, "timeout");
	assert_int_equal(m.attempts, 2);
	assert_true(m.created_ms == 1700000000000LL);
	assert_true(m.updated_ms == 1700000000500LL);
	outbox_msg_clear(&m);
	/* Optional fields default to "". */
	assert_int_equal(outbox_msg_parse("m7", fv, 9, &m), 0);
	assert_string_equal(m.error, "");
	outbox_msg_clear(&m);
}

static void
test_msg_parse_bad(void **state)
{
	const char *fv[] = { "to", "AQID", "text", "hi", "channel", "agg",
		"status", "queued", "attempts", "0", "created_ms", "1",
		"updated_ms", "1" };
	const char *bad[] = { "x", "-1", "", "1e3", "12 ", "99999999999" };
	struct outbox_msg m;
	size_t i;

	(void)state;
	assert_int_equal(outbox_msg_parse("m1", fv, 7, &m), 0);
	outbox_msg_clear(&m);
	/* Each required field missing in turn. */
	for (i = 0; i < 7; i++) {
		const char *less[14];
		size_t j, n = 0;

		for (j = 0; j < 7; j++)
			if (j != i) {
				less[2 * n] = fv[2 * j];
				less[2 * n + 1] = fv[2 * j + 1];
				n++;
			}
		assert_int_equal(outbox_msg_parse("m1", less, n, &m), -1);
	}
	/* Malformed numbers. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *copy[14];

		memcpy(copy, fv, sizeof(copy));
		copy[9] = bad[i];
		assert_int_equal(outbox_msg_parse("m1", copy, 7, &m), -1);
	}
	assert_int_equal(
	    outbox_msg_parse("m123456789012345678901234567890123", fv, 7, &m),
	    -1);
}

static void
test_json_body(void **state)
{
	char *s;

	(void)state;
	s = channel_http_json_body("m1", "+256700000101", "hi", "agg", NULL);
	assert_string_equal(s,
	    "{\"id\":\"m1\",\"to\":\"+256700000101\",\"text\":\"hi\","
	    "\"channel\":\"agg\"}");
	free(s);
	/* A channel's sender is a member of its own. */
	s = channel_http_json_body(
	    "m1", "+256700000101", "hi", "agg", "HBM-Relief");
	assert_string_equal(s,
	    "{\"id\":\"m1\",\"to\":\"+256700000101\",\"text\":\"hi\","
	    "\"channel\":\"agg\",\"from\":\"HBM-Relief\"}");
	free(s);
	/* Quotes, backslashes and newlines escaped; UTF-8 kept as it is. */
	s = channel_http_json_body("m2", "+256700000101",
	    "\"a\\b\"\n\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", "agg", NULL);
	assert_string_equal(s,
	    "{\"id\":\"m2\",\"to\":\"+256700000101\",\"text\":"
	    "\"\\\"a\\\\b\\\"\\n\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7\","
	    "\"channel\":\"agg\"}");
	free(s);
	assert_null(
	    channel_http_json_body("m3", "+256700000101", "\xff", "a", NULL));
	assert_null(
	    channel_http_json_body("m3", "+256700000101", "x", "a", "\xff"));
}

struct kannel_case {
	struct channel_http_kannel k;
	const char *text, *dlr, *want;
};

static const struct kannel_case kannel_cases[] = {
	{ { "http://k:13013/cgi-bin/sendsms", "hbm", "p&w=d", NULL },
	    "Hello world", NULL,
	    "http://k:13013/cgi-bin/sendsms?username=hbm&password=p%26w%3Dd"
	    "&to=%2B256700000101&text=Hello%20world&charset=UTF-8"
	    "&dlr-mask=31" },
	{ { "http://k/send?smsc=a", NULL, NULL, NULL }, "a+b", NULL,
	    "http://k/send?smsc=a&to=%2B256700000101&text=a%2Bb"
	    "&charset=UTF-8&dlr-mask=31" },
	{ { "http://k/send?", "u", NULL, NULL }, "x", NULL,
	    "http://k/send?username=u&to=%2B256700000101&text=x"
	    "&charset=UTF-8&dlr-mask=31" },
	/* Not GSM-7: UCS-2, from UTF-8. */
	{ { "http://k/send", NULL, "p", NULL }, "\xd9\x85\xd8\xb1", NULL,
	    "http://k/send?password=p&to=%2B256700000101"
	    "&text=%D9%85%D8%B1&charset=UTF-8&coding=2&dlr-mask=31" },
	/* A sender: a number's "+" and a name's space are encoded. */
	{ { "http://k/send", "u", "p", "+256700000100" }, "x", NULL,
	    "http://k/send?username=u&password=p&from=%2B256700000100"
	    "&to=%2B256700000101&text=x&charset=UTF-8&dlr-mask=31" },
	{ { "http://k/send", NULL, NULL, "Aid Desk" }, "x", NULL,
	    "http://k/send?from=Aid%20Desk&to=%2B256700000101&text=x"
	    "&charset=UTF-8&dlr-mask=31" },
	/* A delivery-report URL, itself carrying a query, is encoded. */
	{ { "http://k/send", NULL, NULL, NULL }, "x",
	    "http://gw/v1/dlr/kannel?id=m7&status=%d&sig=ab",
	    "http://k/send?to=%2B256700000101&text=x&charset=UTF-8"
	    "&dlr-mask=31&dlr-url=http%3A%2F%2Fgw%2Fv1%2Fdlr%2Fkannel%3Fid%3Dm7"
	    "%26status%3D%25d%26sig%3Dab" },
};

static void
test_kannel_url(void **state)
{
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(kannel_cases) / sizeof(kannel_cases[0]); i++) {
		const struct kannel_case *c = &kannel_cases[i];

		s = channel_http_kannel_url(
		    &c->k, "+256700000101", c->text, c->dlr);
		assert_string_equal(s, c->want);
		free(s);
	}
}

/* The Redis part: a store on the test server and a fixed key. */
struct test_redis {
	struct store *store;
	struct crypto_key *key;
};

static int
redis_setup(void **state)
{
	static const unsigned char secret[CRYPTO_SECRET_LEN] = { 1, 2, 3 };
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");
	struct store_params p = { 0 };
	struct test_redis *t;

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	t = calloc(1, sizeof(*t));
	p.socket = sock;
	p.timeout_ms = 500;
	t->store = store_new(&p);
	t->key = crypto_key_from_bytes(secret);
	*state = t;
	return 0;
}

static int
redis_teardown(void **state)
{
	struct test_redis *t = *state;

	store_free(t->store);
	crypto_key_free(t->key);
	free(t);
	return 0;
}

/* An integer reply to a command given as strings ending in NULL. */
static long long
test_int(struct store *s, const char *a, const char *b, const char *c)
{
	struct store_reply *r;
	char *cause = NULL;
	long long n;

	r = store_commandl(s, &cause, a, b, c, NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	n = r->integer;
	store_reply_free(r);
	return n;
}

static void
test_enqueue_get_list(void **state)
{
	struct test_redis *t = *state;
	struct cfg_channel ch[3];
	struct outbox_msg m, *msgs;
	char id1[OUTBOX_ID_MAX], id2[OUTBOX_ID_MAX], hash[CRYPTO_SHA256_HEX];
	char key[64], st[16], *cause = NULL, *plain = NULL;
	struct outbox_filter f = { NULL, NULL, NULL, 0 };
	long long before, ttl;
	size_t n, len;
	struct cfg cfg;

	test_cfg_init(&cfg, ch);
	before = test_int(t->store, "XLEN", TEST_STREAM, NULL);
	assert_int_equal(outbox_enqueue(t->store, &cfg, t->key, "+33612345678",
			     "first", "t-outbox", "api", id1, &cause),
	    0);
	assert_int_equal(outbox_enqueue(t->store, &cfg, t->key, "+33612345678",
			     "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", "t-outbox",
			     "reply", id2, &cause),
	    0);
	assert_true(outbox_id_valid(id1));
	assert_string_not_equal(id1, id2);
	assert_int_equal(
	    test_int(t->store, "XLEN", TEST_STREAM, NULL), before + 2);

	assert_int_equal(outbox_get(t->store, id2, &m, &cause), 1);
	assert_string_equal(m.status, "queued");
	assert_string_equal(m.channel, "t-outbox");
	assert_string_equal(m.kind, "reply");
	/* The text is stored sealed too, and opens to what was given. */
	assert_string_not_equal(m.text, "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
	plain = crypto_open_str(t->key, m.text);
	assert_string_equal(plain, "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
	free(plain);
	assert_int_equal(m.attempts, 0);
	assert_true(m.created_ms > 1600000000000LL);
	/* The number is stored sealed, and opens to what was given. */
	assert_null(strstr(m.to_sealed, "612345678"));
	assert_int_equal(
	    crypto_open(t->key, m.to_sealed, &plain, &len, &cause), 0);
	assert_string_equal(plain, "+33612345678");
	free(plain);
	crypto_phone_hash(t->key, "+33612345678", hash);
	outbox_msg_clear(&m);
	/* The record holds no hash of the number: its index is by number. */
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id2);
	assert_int_equal(test_int(t->store, "HEXISTS", key, "to_hash"), 0);
	assert_int_equal(test_int(t->store, "HLEN", key, NULL), 8);

	/* Records have no TTL: retention deletes them (test_log_retention). */
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id1);
	ttl = test_int(t->store, "TTL", key, NULL);
	assert_int_equal(ttl, -1);

	f.to_hash = hash;
	assert_int_equal(outbox_list(t->store, &f, &msgs, &n, &cause), 0);
	assert_true(n >= 2);
	assert_string_equal(msgs[0].id, id2); /* newest first */
	assert_string_equal(msgs[1].id, id1);
	outbox_msgs_free(msgs, n);
	/* A page of one, then the next after it. */
	f.limit = 1;
	assert_int_equal(outbox_list(t->store, &f, &msgs, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(msgs[0].id, id2);
	outbox_msgs_free(msgs, n);
	f.before = id2;
	assert_int_equal(outbox_list(t->store, &f, &msgs, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(msgs[0].id, id1);
	outbox_msgs_free(msgs, n);
	/* Every message, by status: both are queued, none is sent. */
	f.to_hash = NULL;
	f.before = NULL;
	f.limit = 10;
	f.status = "queued";
	assert_int_equal(outbox_list(t->store, &f, &msgs, &n, &cause), 0);
	assert_true(n >= 2);
	assert_string_equal(msgs[0].id, id2);
	assert_string_equal(msgs[0].status, "queued");
	outbox_msgs_free(msgs, n);
	f.status = "sent";
	assert_int_equal(outbox_list(t->store, &f, &msgs, &n, &cause), 0);
	assert_int_equal(n, 0);
	outbox_msgs_free(msgs, n);
	/* Only a dead or failed message is queued again. */
	assert_int_equal(outbox_requeue(t->store, id1, NULL, st, &cause), 0);
	assert_string_equal(st, "queued");
	assert_int_equal(
	    outbox_requeue(t->store, "m999999999999", NULL, st, &cause), -1);
	assert_string_equal(cause, "no such message");
	free(cause);
	cause = NULL;

	assert_int_equal(outbox_get(t->store, "m999999999999", &m, &cause), 0);
	/* Unknown channel: refused, nothing queued. */
	assert_int_equal(outbox_enqueue(t->store, &cfg, t->key, "+33612345678",
			     "x", "nope", "api", id1, &cause),
	    -1);
	assert_non_null(strstr(cause, "unknown channel"));
	free(cause);
}

/* Enqueue one message to a test number; returns its id's number. */
static long long
test_enqueue_n(struct test_redis *t, const struct cfg *cfg, char *id)
{
	char *cause = NULL;

	assert_int_equal(outbox_enqueue(t->store, cfg, t->key, "+33612345678",
			     "n", "t-outbox", "api", id, &cause),
	    0);
	assert_true(outbox_id_valid(id));
	return strtoll(id + 1, NULL, 10);
}

/* SET {hbm}:msgseq to V, as an AOF that lost its tail would leave it. */
static void
test_set_seq(struct store *s, const char *v)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(s, &cause, "SET", "{hbm}:msgseq", v, NULL);
	assert_non_null(r);
	store_reply_free(r);
}

/*
 * Message ids are at least now_ms * 1000: a counter set back (a Redis that
 * lost the tail of its AOF) jumps past every id drawn before, and a
 * counter ahead of the clock just counts on.
 */
static void
test_enqueue_id_floor(void **state)
{
	struct test_redis *t = *state;
	struct cfg_channel ch[3];
	char id[OUTBOX_ID_MAX];
	long long t0, a, b, c;
	struct cfg cfg;

	test_cfg_init(&cfg, ch);
	test_set_seq(t->store, "41");
	t0 = clock_wall_ms();
	a = test_enqueue_n(t, &cfg, id);
	assert_true(a >= t0 * 1000);
	assert_true(a <= clock_wall_ms() * 1000);
	assert_int_equal(strlen(id), 17);
	b = test_enqueue_n(t, &cfg, id);
	assert_true(b > a);

	/* The counter goes back to before a and b were drawn. */
	test_set_seq(t->store, "42");
	while (clock_wall_ms() * 1000 <= b)
		;
	c = test_enqueue_n(t, &cfg, id);
	assert_true(c > b);

	/* Ahead of the clock (another instance's, or a burst): it counts. */
	test_set_seq(t->store, "4000000000000000");
	assert_int_equal(test_enqueue_n(t, &cfg, id), 4000000000000001LL);
	assert_string_equal(id, "m4000000000000001");
	assert_int_equal(test_int(t->store, "DEL", "{hbm}:msgseq", NULL), 1);
}

/* A command given as strings ending in NULL; its reply is dropped. */
static void
test_do(
    struct store *s, const char *a, const char *b, const char *c, const char *d)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(s, &cause, a, b, c, d, NULL);
	assert_non_null(r);
	assert_int_not_equal(r->type, STORE_ERROR);
	store_reply_free(r);
}

/* List every message with F; the ids, newest first, in BUF. */
static void
test_list_ids(struct store *s, struct outbox_filter *f, char *buf, size_t size)
{
	struct outbox_msg *msgs;
	char *cause = NULL;
	size_t n, i, len = 0;

	buf[0] = '\0';
	assert_int_equal(outbox_list(s, f, &msgs, &n, &cause), 0);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? " " : "", msgs[i].id);
	outbox_msgs_free(msgs, n);
}

/*
 * Every message is listed from the log {hbm}:msglog, where m<n> is the
 * entry <n div 1000>-<n mod 1000>, then from the zset {hbm}:msgs:all of
 * the ids from before the log, which are older: one list and its pages
 * run across both, a page may hold some of each, and a status filter
 * looks at both. A log whose last entry is above a new id (its counter
 * set back by hand) still takes the message, at an id of its own.
 */
static void
test_list_log(void **state)
{
	struct test_redis *t = *state;
	struct outbox_filter f = { NULL, NULL, NULL, 0 };
	struct cfg_channel ch[3];
	char a[3][OUTBOX_ID_MAX], b[2][OUTBOX_ID_MAX], c[OUTBOX_ID_MAX];
	char want[256], got[256], sid[32], score[32];
	struct store_reply *r;
	char *cause = NULL;
	long long n;
	struct cfg cfg;
	int i;

	test_cfg_init(&cfg, ch);
	test_do(t->store, "DEL", KEY_MSGLOG, KEY_MSGS_ALL, KEY_MSGSEQ);
	/* three messages as a version before the log indexed them */
	for (i = 0; i < 3; i++) {
		n = test_enqueue_n(t, &cfg, a[i]);
		snprintf(score, sizeof(score), "%lld", n / 1000);
		test_do(t->store, "ZADD", KEY_MSGS_ALL, score, a[i]);
	}
	test_do(t->store, "DEL", KEY_MSGLOG, NULL, NULL);
	for (i = 0; i < 2; i++)
		n = test_enqueue_n(t, &cfg, b[i]);
	/* the last one's entry is where its id says */
	snprintf(sid, sizeof(sid), "%lld-%lld", n / 1000, n % 1000);
	r = store_commandl(
	    t->store, &cause, "XRANGE", KEY_MSGLOG, sid, sid, NULL);
	assert_non_null(r);
	assert_int_equal(r->elements, 1);
	assert_string_equal(r->element[0]->element[1]->element[1]->str, b[1]);
	store_reply_free(r);
	assert_int_equal(test_int(t->store, "XLEN", KEY_MSGLOG, NULL), 2);

	f.limit = 10;
	snprintf(
	    want, sizeof(want), "%s %s %s %s %s", b[1], b[0], a[2], a[1], a[0]);
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, want);
	f.status = "queued";
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, want);
	f.status = NULL;
	/* pages of two: within the log, across, within the zset, the end */
	f.limit = 2;
	test_list_ids(t->store, &f, got, sizeof(got));
	snprintf(want, sizeof(want), "%s %s", b[1], b[0]);
	assert_string_equal(got, want);
	f.before = b[1];
	test_list_ids(t->store, &f, got, sizeof(got));
	snprintf(want, sizeof(want), "%s %s", b[0], a[2]);
	assert_string_equal(got, want);
	f.before = a[2];
	test_list_ids(t->store, &f, got, sizeof(got));
	snprintf(want, sizeof(want), "%s %s", a[1], a[0]);
	assert_string_equal(got, want);
	f.before = a[0];
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, "");
	f.before = "m1";
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, "");

	/* a log ahead of the counter: the entry gets an id of Redis's */
	r = store_commandl(t->store, &cause, "XADD", KEY_MSGLOG,
	    "9999999999999-0", "m", "x", NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_STRING);
	store_reply_free(r);
	test_do(t->store, "XTRIM", KEY_MSGLOG, "MAXLEN", "0");
	test_enqueue_n(t, &cfg, c);
	assert_int_equal(test_int(t->store, "XLEN", KEY_MSGLOG, NULL), 1);
	f.before = NULL;
	f.limit = 1;
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, c);
	test_do(t->store, "DEL", KEY_MSGLOG, KEY_MSGS_ALL, KEY_MSGSEQ);
}

/*
 * A number's messages are listed from its sorted set {hbm}:msgs:<hash>
 * and from the fields m:<id> of its record (the replies to what it sent),
 * together, newest first, in pages that run across both.
 */
static void
test_list_number(void **state)
{
	struct test_redis *t = *state;
	struct outbox_filter f = { NULL, NULL, NULL, 10 };
	struct cfg_channel ch[3];
	char id[4][OUTBOX_ID_MAX], hash[CRYPTO_SHA256_HEX];
	char zkey[KEY_MAX], nkey[KEY_MAX], field[64], want[256], got[256];
	struct cfg cfg;
	int i;

	test_cfg_init(&cfg, ch);
	crypto_phone_hash(t->key, "+33612345678", hash);
	key_msgs(zkey, hash);
	key_num(nkey, hash);
	test_do(t->store, "DEL", zkey, nkey, NULL);
	for (i = 0; i < 4; i++)
		test_enqueue_n(t, &cfg, id[i]);
	/* the second and the fourth as an operation's replies keep them */
	for (i = 1; i < 4; i += 2) {
		test_do(t->store, "ZREM", zkey, id[i], NULL);
		snprintf(field, sizeof(field), "m:%s", id[i]);
		test_do(t->store, "HSET", nkey, field, "1");
	}
	test_do(t->store, "HSET", nkey, "lang", "en");
	f.to_hash = hash;
	snprintf(want, sizeof(want), "%s %s %s %s", id[3], id[2], id[1], id[0]);
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, want);
	f.limit = 2;
	f.before = id[3];
	test_list_ids(t->store, &f, got, sizeof(got));
	snprintf(want, sizeof(want), "%s %s", id[2], id[1]);
	assert_string_equal(got, want);
	f.before = id[1];
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, id[0]);
	f.before = "m1";
	test_list_ids(t->store, &f, got, sizeof(got));
	assert_string_equal(got, "");
	test_do(t->store, "DEL", zkey, nkey, NULL);
}

/*
 * Message records have no TTL: retention deletes the records that the
 * log's entries older than message_days name, with those entries. 150
 * entries from 1970, each naming a record, and a new message: the old
 * records and entries go, the new ones stay.
 */
static void
test_log_retention(void **state)
{
	struct test_redis *t = *state;
	struct cfg_channel ch[3];
	char id[OUTBOX_ID_MAX], sid[32], key[64], old[64];
	struct store_reply *r;
	char *cause = NULL;
	struct cfg cfg;
	int i;

	test_cfg_init(&cfg, ch);
	test_do(t->store, "DEL", KEY_MSGLOG, KEY_MSGSEQ, NULL);
	for (i = 1; i <= 150; i++) {
		snprintf(sid, sizeof(sid), "%d-0", i);
		snprintf(key, sizeof(key), "m%d000", i);
		r = store_commandl(
		    t->store, &cause, "XADD", KEY_MSGLOG, sid, "m", key, NULL);
		assert_non_null(r);
		assert_int_equal(r->type, STORE_STRING);
		store_reply_free(r);
		snprintf(old, sizeof(old), "{hbm}:msg:m%d000", i);
		test_do(t->store, "HSET", old, "status", "sent");
	}
	test_enqueue_n(t, &cfg, id);
	snprintf(key, sizeof(key), "{hbm}:msg:%s", id);
	assert_int_equal(test_int(t->store, "TTL", key, NULL), -1);
	assert_int_equal(test_int(t->store, "XLEN", KEY_MSGLOG, NULL), 151);

	assert_int_equal(
	    retention_run(t->store, &cfg, clock_wall_ms(), &cause), 0);
	assert_int_equal(test_int(t->store, "XLEN", KEY_MSGLOG, NULL), 1);
	for (i = 1; i <= 150; i++) {
		snprintf(old, sizeof(old), "{hbm}:msg:m%d000", i);
		assert_int_equal(test_int(t->store, "EXISTS", old, NULL), 0);
	}
	assert_int_equal(test_int(t->store, "EXISTS", key, NULL), 1);
	r = store_commandl(t->store, &cause, "XREVRANGE", KEY_MSGLOG, "+", "-",
	    "COUNT", "1", NULL);
	assert_non_null(r);
	assert_int_equal(r->elements, 1);
	assert_string_equal(r->element[0]->element[1]->element[1]->str, id);
	store_reply_free(r);
	/* A pass with nothing old changes nothing. */
	assert_int_equal(
	    retention_run(t->store, &cfg, clock_wall_ms(), &cause), 0);
	assert_int_equal(test_int(t->store, "EXISTS", key, NULL), 1);
	test_do(t->store, "DEL", KEY_MSGLOG, KEY_MSGSEQ, key);
}

static void
test_redis_down(void **state)
{
	struct store_params p = { 0 };
	struct test_redis *t = *state;
	struct cfg_channel ch[3];
	char id[OUTBOX_ID_MAX], *cause = NULL;
	struct outbox_filter f = { "ab", NULL, NULL, 0 };
	struct outbox_msg *msgs;
	struct store *down;
	struct cfg cfg;
	size_t n;

	test_cfg_init(&cfg, ch);
	p.socket = "/nonexistent/redis.sock";
	p.timeout_ms = 100;
	down = store_new(&p);
	assert_int_equal(outbox_enqueue(down, &cfg, t->key, "+33612345678", "x",
			     NULL, "api", id, &cause),
	    -1);
	assert_non_null(strstr(cause, "redis"));
	free(cause);
	cause = NULL;
	assert_int_equal(outbox_list(down, &f, &msgs, &n, &cause), -1);
	free(cause);
	store_free(down);
}

int
main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_pick_channel),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_breaker),
		cmocka_unit_test(test_bucket_unlimited),
		cmocka_unit_test(test_bucket_per_second),
		cmocka_unit_test(test_bucket_burst_and_slow),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_msg_parse),
		cmocka_unit_test(test_msg_parse_bad),
		cmocka_unit_test(test_json_body),
		cmocka_unit_test(test_kannel_url),
	};
	const struct CMUnitTest redis[] = {
		cmocka_unit_test(test_enqueue_get_list),
		cmocka_unit_test(test_enqueue_id_floor),
		cmocka_unit_test(test_list_log),
		cmocka_unit_test(test_log_retention),
		cmocka_unit_test(test_list_number),
		cmocka_unit_test(test_redis_down),
	};
	int fails;

	fails = cmocka_run_group_tests(pure, NULL, NULL);
	fails += cmocka_run_group_tests(redis, redis_setup, redis_teardown);
	return fails;
}
