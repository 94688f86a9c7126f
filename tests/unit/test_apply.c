/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply.c against a real redis-server (HBM_TEST_REDIS_SOCKET, started by
 * tests/run.sh): idempotence, guards, binary-safe values, all-or-nothing,
 * the audit hash chain and its tampering, Redis down, and a throughput
 * figure printed for information.
 */
#include <math.h>
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
#include <jansson.h>

#include "gateway/outbox.h"
#include "store/apply.h"
#include "store/audit.h"
#include "store/case.h"
#include "lib/crypto.h"
#include "store/store.h"

#define TEST_TTL 600
#define TEST_CHANNEL "t-modem"
#define TEST_OUTBOX "{hbm}:outbox:t-modem"
#define TEST_CASE "{hbm}:case:t1"
#define TEST_OPEN "{hbm}:agency:t-wfp:open"
#define TEST_STREAM "{hbm}:t-stream"
#define TEST_SEALED "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define TEST_HASH \
	"5f1c0c3c8d0b2b1f3a0e5c3b0d2f1e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e"
#define TEST_ZEROS \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* A reply that must come back; the test fails otherwise. */
static struct store_reply *
test_cmd(struct store *s, int argc, const char **argv)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_command(s, argc, argv, NULL, &cause);
	if (r == NULL)
		fail_msg("redis: %s", cause);
	assert_int_not_equal(r->type, STORE_ERROR);
	return r;
}

/* Run a command for its integer reply. */
static long long
test_int(struct store *s, int argc, const char **argv)
{
	struct store_reply *r;
	long long n;

	r = test_cmd(s, argc, argv);
	assert_int_equal(r->type, STORE_INTEGER);
	n = r->integer;
	store_reply_free(r);
	return n;
}

/* HGET as a copy, or NULL when the field is missing. */
static char *
test_hget(struct store *s, const char *key, const char *field)
{
	const char *argv[] = { "HGET", key, field };
	struct store_reply *r;
	char *v;

	r = test_cmd(s, 3, argv);
	v = r->type == STORE_STRING ? strdup(r->str) : NULL;
	store_reply_free(r);
	return v;
}

/* GET as a copy, or NULL when the key is missing. */
static char *
test_get(struct store *s, const char *key)
{
	const char *argv[] = { "GET", key };
	struct store_reply *r;
	char *v;

	r = test_cmd(s, 2, argv);
	v = r->type == STORE_STRING ? strdup(r->str) : NULL;
	store_reply_free(r);
	return v;
}

/* DEL, whether or not the key exists. */
static void
test_del(struct store *s, const char *key)
{
	const char *argv[] = { "DEL", key };

	test_int(s, 2, argv);
}

/* EXISTS: 1 or 0. */
static long long
test_exists(struct store *s, const char *key)
{
	const char *argv[] = { "EXISTS", key };

	return test_int(s, 2, argv);
}

/* The history of case t1 (TEST_CASE), oldest first: an array to free. */
static struct store_reply *
test_history(struct store *s)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_case_history(s, "t1", 1000, &cause);
	assert_null(cause);
	assert_non_null(r);
	return r;
}

/* How many entries the history of case t1 has. */
static size_t
test_history_len(struct store *s)
{
	struct store_reply *r = test_history(s);
	size_t n = r->elements;

	store_reply_free(r);
	return n;
}

/* Entries in a stream. */
static long long
test_xlen(struct store *s, const char *key)
{
	const char *argv[] = { "XLEN", key };

	return test_int(s, 2, argv);
}

/* A member's score in a sorted set, or -1 when it is not there. */
static long long
test_zscore(struct store *s, const char *key, const char *member)
{
	const char *argv[] = { "ZSCORE", key, member };
	struct store_reply *r = test_cmd(s, 3, argv);
	long long n = r->type == STORE_NIL ? -1 : strtoll(r->str, NULL, 10);

	store_reply_free(r);
	return n;
}

/* Forget everything the tests below write, so each starts clean. */
/* The calls of COMMAND Redis has counted (INFO commandstats). */
static long long
test_calls(struct store *s, const char *command)
{
	const char *info[] = { "INFO", "commandstats" };
	struct store_reply *r = test_cmd(s, 2, info);
	char want[64];
	const char *p;
	long long n = 0;

	snprintf(want, sizeof(want), "cmdstat_%s:calls=", command);
	if (r->type == STORE_STRING && (p = strstr(r->str, want)) != NULL)
		n = strtoll(p + strlen(want), NULL, 10);
	store_reply_free(r);
	return n;
}

static void
test_clean(struct store *s)
{
	static const char *const keys[] = { TEST_CASE, TEST_OPEN, TEST_OUTBOX,
		"{hbm}:case:t2", "{hbm}:sla", "{hbm}:audit", "{hbm}:audit:head",
		"{hbm}:audit:new", "{hbm}:audit:anchor",
		("{hbm}:msgs:" TEST_HASH), "{hbm}:op:t-ok", "{hbm}:op:t-guard",
		"{hbm}:op:t-absent", "{hbm}:op:t-absent2", "{hbm}:op:t-empty",
		"{hbm}:op:t-empty2", "{hbm}:op:t-bytes", "{hbm}:op:t-type",
		"{hbm}:op:t-refuse", "{hbm}:op:t-keys", "{hbm}:op:t-runs",
		"{hbm}:op:t-b-old", "{hbm}:op:t-b0", "{hbm}:op:t-b1",
		"{hbm}:op:t-b2", "{hbm}:op:t-b4", TEST_STREAM };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		test_del(s, keys[i]);
}

/* The privacy key the runs seal with. */
static struct crypto_key *test_key;

/* A value of Redis opened with test_key (to free), or NULL. */
static char *
test_open(const char *sealed)
{
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (sealed == NULL ||
	    crypto_open(test_key, sealed, &plain, &len, &cause) == -1) {
		free(cause);
		free(plain);
		return NULL;
	}
	return plain;
}

/* test_open() as apply_describe() calls it. */
static char *
test_opener(void *arg, const char *sealed)
{
	(void)arg;
	return test_open(sealed);
}

/* One connection to the test Redis for the whole group, and a key. */
static int
setup(void **state)
{
	unsigned char secret[CRYPTO_SECRET_LEN] = { 7, 7, 7 };

	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");
	struct store_params p = { 0 };

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	/* As in hbmgwd: a write to a closed connection fails, not kills. */
	signal(SIGPIPE, SIG_IGN);
	p.socket = sock;
	p.timeout_ms = 2000;
	*state = store_new(&p);
	test_key = crypto_key_from_bytes(secret);
	apply_set_key(test_key);
	return 0;
}

/* Close it. */
static int
teardown(void **state)
{
	store_free(*state);
	apply_set_key(NULL);
	crypto_key_free(test_key);
	return 0;
}

/* Each test starts from no keys of its own. */
static int
setup_test(void **state)
{
	test_clean(*state);
	return 0;
}

/* Run A, free it, and return the result; no cause is expected. */
static enum apply_result
test_run(struct store *s, struct apply *a)
{
	enum apply_result res;
	char *cause = NULL;

	res = apply_run(s, a, TEST_TTL, &cause);
	if (cause != NULL)
		fail_msg("apply: %s", cause);
	apply_free(a);
	return res;
}

/* Free a batch's N operations and the causes apply_run_batch() gave. */
static void
test_batch_free(struct apply **a, char **causes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(causes[i]);
		apply_free(a[i]);
	}
}

/* Delete the op keys {hbm}:op:<PREFIX><i> of N operations, i from 0. */
static void
test_del_ops(struct store *s, const char *prefix, size_t n)
{
	char key[128];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "{hbm}:op:%s%zu", prefix, i);
		test_del(s, key);
	}
}

/* The operation of an ACK: a guard, writes of every kind, an SMS, audit. */
static struct apply *
test_ack(const char *opid)
{
	struct apply *a;

	a = apply_new(opid, 1700000000000LL);
	apply_guard(a, TEST_CASE, "state", "");
	apply_hset(a, TEST_CASE, "state", "acknowledged");
	apply_hincr(a, TEST_CASE, "version", 1);
	apply_history(a, TEST_CASE, "1700000000000 t-wfp ack");
	apply_zadd(a, TEST_OPEN, 1700000003600.0, "t1");
	apply_zadd(a, "{hbm}:sla", 1.5, "t1");
	apply_zrem(a, "{hbm}:sla", "t1");
	apply_expire(a, TEST_CASE, 3600);
	apply_sms(a, TEST_SEALED, TEST_HASH, "Accepted", TEST_CHANNEL, "reply");
	apply_audit(a, "case:t1", "agency:t-wfp", "ack", "");
	return a;
}

/* A router: TEST_SEALED goes to TEST_CHANNEL, any other number nowhere. */
static int
test_router(void *arg, const char *to_sealed, char buf[APPLY_CHANNEL_MAX])
{
	int *calls = arg;

	(*calls)++;
	if (strcmp(to_sealed, TEST_SEALED) != 0)
		return -1;
	snprintf(buf, APPLY_CHANNEL_MAX, "%s", TEST_CHANNEL);
	return 0;
}

/*
 * An SMS queued with no channel goes where the router chooses when the
 * operation runs; one with a channel is not routed.
 */
static void
test_routed(void **state)
{
	struct store *s = *state;
	struct apply *a;
	int calls = 0;

	apply_set_router(test_router, &calls);
	a = apply_new("t-route", 1700000000000LL);
	apply_sms(a, TEST_SEALED, TEST_HASH, "routed", "", "reply");
	apply_sms(a, TEST_SEALED, TEST_HASH, "named", "t-other", "reply");
	apply_sms(a, "AQID", TEST_ZEROS, "nowhere", "", "notify");
	apply_sms(a, TEST_SEALED, TEST_HASH, "routed too", "", "notify");
	assert_int_equal(test_run(s, a), APPLY_OK);
	apply_set_router(NULL, NULL);
	/* the router saw the three SMS queued with no channel, not more */
	assert_int_equal(calls, 3);
	assert_int_equal(test_xlen(s, TEST_OUTBOX), 2);
	assert_int_equal(test_xlen(s, "{hbm}:outbox:t-other"), 1);
	/* no channel for it: as before routing, the empty name */
	assert_int_equal(test_xlen(s, "{hbm}:outbox:"), 1);
}

static void
test_ok_then_replay(void **state)
{
	const char *ttl[] = { "TTL", "{hbm}:op:t-ok" };
	const char *zscore[] = { "ZSCORE", TEST_OPEN, "t1" };
	const char *case_ttl[] = { "TTL", TEST_CASE };
	struct store *s = *state;
	struct store_reply *r;
	char *v;

	assert_int_equal(test_run(s, test_ack("t-ok")), APPLY_OK);
	assert_int_equal(test_run(s, test_ack("t-ok")), APPLY_DONE);

	v = test_hget(s, TEST_CASE, "state");
	assert_string_equal(v, "acknowledged");
	free(v);
	v = test_hget(s, TEST_CASE, "version");
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(test_history_len(s), 1);
	assert_int_equal(test_xlen(s, TEST_OUTBOX), 1);
	/* The audit entry waits for its hash (store/audit.c). */
	assert_int_equal(test_xlen(s, "{hbm}:audit:new"), 1);
	assert_int_equal(test_exists(s, "{hbm}:audit"), 0);
	assert_int_equal(test_exists(s, "{hbm}:sla"), 0);
	r = test_cmd(s, 3, zscore);
	assert_int_equal(r->type, STORE_STRING);
	assert_string_equal(r->str, "1700000003600");
	store_reply_free(r);
	assert_in_range(test_int(s, 2, ttl), APPLY_OP_TTL - 800, APPLY_OP_TTL);
	assert_in_range(test_int(s, 2, case_ttl), 3500, 3600);
}

static void
test_script_flush(void **state)
{
	const char *flush[] = { "SCRIPT", "FLUSH" };
	struct store *s = *state;

	/* After a Redis restart the script is gone: loaded again. */
	store_reply_free(test_cmd(s, 2, flush));
	assert_int_equal(test_run(s, test_ack("t-ok")), APPLY_OK);
	store_reply_free(test_cmd(s, 2, flush));
	assert_int_equal(test_run(s, test_ack("t-ok")), APPLY_DONE);
}

static void
test_guard_mismatch(void **state)
{
	const char *hset[] = { "HSET", TEST_CASE, "state", "notified" };
	struct store *s = *state;
	struct apply *a;
	char *v;

	test_int(s, 4, hset);
	a = apply_new("t-guard", 1);
	apply_guard(a, TEST_CASE, "state", "notified");
	apply_guard(a, TEST_CASE, "agency", "t-wfp");
	apply_hset(a, TEST_CASE, "state", "acknowledged");
	apply_history(a, TEST_CASE, "x");
	apply_sms(a, TEST_SEALED, TEST_HASH, "x", TEST_CHANNEL, "reply");
	apply_audit(a, "case:t1", "agency:t-wfp", "ack", "");
	assert_int_equal(test_run(s, a), APPLY_CONFLICT);

	v = test_hget(s, TEST_CASE, "state");
	assert_string_equal(v, "notified");
	free(v);
	assert_int_equal(test_history_len(s), 0);
	assert_int_equal(test_exists(s, TEST_OUTBOX), 0);
	assert_int_equal(test_exists(s, "{hbm}:audit:new"), 0);
	assert_int_equal(test_exists(s, "{hbm}:op:t-guard"), 0);

	/* A conflict is not remembered: decided again, it applies. */
	a = apply_new("t-guard", 1);
	apply_guard(a, TEST_CASE, "state", "notified");
	apply_hset(a, TEST_CASE, "state", "acknowledged");
	assert_int_equal(test_run(s, a), APPLY_OK);
}

static void
test_guard_absent(void **state)
{
	struct store *s = *state;
	struct apply *a;
	char *v;

	a = apply_new("t-absent", 1);
	apply_guard_absent(a, TEST_CASE);
	apply_hset(a, TEST_CASE, "state", "new");
	assert_int_equal(test_run(s, a), APPLY_OK);

	/* The same code claimed again by another operation: refused. */
	a = apply_new("t-absent2", 1);
	apply_guard_absent(a, TEST_CASE);
	apply_hset(a, TEST_CASE, "state", "other");
	assert_int_equal(test_run(s, a), APPLY_CONFLICT);
	v = test_hget(s, TEST_CASE, "state");
	assert_string_equal(v, "new");
	free(v);
	assert_int_equal(test_exists(s, "{hbm}:op:t-absent2"), 0);
}

/*
 * Absent guards in a row are one EXISTS, and the keys they name need no
 * type check: a new case with its history and another new key cost one
 * call. Either key existing is a conflict.
 */
static void
test_guard_absent_row(void **state)
{
	const char *rpush[] = { "RPUSH", "{hbm}:case:t2", "old" };
	struct store *s = *state;
	struct apply *a;
	long long exists, type;

	a = apply_new("t-absent3", 1);
	apply_guard_absent(a, "{hbm}:case:t2");
	apply_guard_absent(a, TEST_CASE);
	apply_hset(a, TEST_CASE, "state", "new");
	apply_history(a, TEST_CASE, "created");
	apply_hset(a, "{hbm}:case:t2", "state", "new");
	exists = test_calls(s, "exists");
	type = test_calls(s, "type");
	assert_int_equal(test_run(s, a), APPLY_OK);
	/* one for the op key, one for both guards */
	assert_int_equal(test_calls(s, "exists") - exists, 2);
	assert_int_equal(test_calls(s, "type") - type, 0);

	/* Only the other key there: still a conflict. */
	test_del(s, TEST_CASE);
	test_del(s, "{hbm}:case:t2");
	assert_int_equal(test_int(s, 3, rpush), 1);
	a = apply_new("t-absent4", 1);
	apply_guard_absent(a, "{hbm}:case:t2");
	apply_guard_absent(a, TEST_CASE);
	apply_hset(a, TEST_CASE, "state", "other");
	assert_int_equal(test_run(s, a), APPLY_CONFLICT);
	assert_null(test_hget(s, TEST_CASE, "state"));
}

static void
test_guard_empty(void **state)
{
	const char *hset[] = { "HSET", TEST_CASE, "acked_by", "t-wfp" };
	struct store *s = *state;
	struct apply *a;
	char *v;

	/* "" matches a missing key and a missing field alike. */
	a = apply_new("t-empty", 1);
	apply_guard(a, TEST_CASE, "acked_by", "");
	apply_hset(a, TEST_CASE, "acked_by", "t-unhcr");
	assert_int_equal(test_run(s, a), APPLY_OK);

	test_int(s, 4, hset);
	a = apply_new("t-empty2", 1);
	apply_guard(a, TEST_CASE, "acked_by", "");
	apply_hset(a, TEST_CASE, "acked_by", "t-unhcr");
	assert_int_equal(test_run(s, a), APPLY_CONFLICT);
	v = test_hget(s, TEST_CASE, "acked_by");
	assert_string_equal(v, "t-wfp");
	free(v);
}

static void
test_values_survive(void **state)
{
	static const char *const values[] = {
		"مرحبا، طلبك 4821-3957 وصل",
		"line one\nline two\r\n",
		"\"quoted\" 'single' \\ back\\slash \\n \\\\",
		"12:34:5:",
		"{\"json\": [1, 2]} %s %d",
		"",
	};
	const char *xr[] = { "XRANGE", TEST_OUTBOX, "-", "+" };
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a;
	char field[16], msgkey[64], *v, *sealed;
	size_t i, n = sizeof(values) / sizeof(values[0]);

	a = apply_new("t-bytes", 1);
	for (i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "f%zu", i);
		apply_hset(a, TEST_CASE, field, values[i]);
		apply_history(a, TEST_CASE, values[i]);
	}
	apply_hset(a, TEST_CASE, values[0], "arabic field");
	apply_guard(a, TEST_CASE, values[2], "");
	apply_sms(a, TEST_SEALED, TEST_HASH, values[0], TEST_CHANNEL, "reply");
	apply_audit(a, "case:t1", "agency:t-wfp", "note", values[1]);
	assert_int_equal(test_run(s, a), APPLY_OK);

	for (i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "f%zu", i);
		v = test_hget(s, TEST_CASE, field);
		assert_non_null(v);
		assert_string_equal(v, values[i]);
		free(v);
	}
	v = test_hget(s, TEST_CASE, values[0]);
	assert_string_equal(v, "arabic field");
	free(v);
	/* and the history entries, in the order given */
	r = test_history(s);
	assert_int_equal(r->elements, n);
	for (i = 0; i < n; i++)
		assert_string_equal(r->element[i]->str, values[i]);
	store_reply_free(r);

	/* The SMS text reached the message record byte for byte. */
	r = test_cmd(s, 4, xr);
	assert_int_equal(r->elements, 1);
	assert_string_equal(r->element[0]->element[1]->element[0]->str, "msg");
	snprintf(msgkey, sizeof(msgkey), "{hbm}:msg:%s",
	    r->element[0]->element[1]->element[1]->str);
	store_reply_free(r);
	v = test_hget(s, msgkey, "text");
	sealed = test_open(v);
	assert_non_null(sealed);
	assert_string_equal(sealed, values[0]);
	free(sealed);
	free(v);
}

/* Record of the router's calls, for test_sealed. */
struct test_routes {
	int calls;
	char *to[4]; /* the numbers it was given */
};

static int
test_router_keep(void *arg, const char *to_sealed, char buf[APPLY_CHANNEL_MAX])
{
	struct test_routes *r = arg;

	if (r->calls < 4)
		r->to[r->calls] = strdup(to_sealed);
	r->calls++;
	snprintf(buf, APPLY_CHANNEL_MAX, "%s", TEST_CHANNEL);
	return 0;
}

/* The first entry of the audit stream being chained: its DETAIL (to free). */
static char *
test_audit_detail(struct store *s)
{
	const char *xr[] = { "XRANGE", "{hbm}:audit:new", "-", "+" };
	struct store_reply *r = test_cmd(s, 4, xr);
	const struct store_reply *f;
	char *v = NULL;

	if (r->elements > 0) {
		f = store_field(r->element[0]->element[1], "detail");
		if (f != NULL && f->type == STORE_STRING)
			v = strdup(f->str);
	}
	store_reply_free(r);
	return v;
}

/*
 * What a decision gives in clear is sealed when the operation runs, never
 * stored so: a field, a history entry's middle, an audit detail, an SMS's
 * text and a number given in clear (the router sees it sealed). "" stays
 * "". apply_describe() shows "[plain]" with an opener and "[sealed]"
 * without. With no key set, the operation is refused and nothing written.
 */
static void
test_sealed(void **state)
{
	const char *xr[] = { "XRANGE", TEST_OUTBOX, "-", "+" };
	struct store *s = *state;
	struct store_reply *r;
	struct test_routes routes = { 0 };
	struct apply *a;
	char *v, *o, *out = NULL, msgkey[64], *cause = NULL;
	size_t len = 0, i;
	FILE *fp;

	a = apply_new("t-seal", 1700000000000LL);
	apply_hset_sealed(a, TEST_CASE, "note", "near gate 3");
	apply_hset_sealed(a, TEST_CASE, "empty", "");
	apply_history_sealed(a, TEST_CASE, "{\"note\":\"", "my brother", "\"}");
	apply_audit_sealed(a, "case:t1", "wfp", "declined", "no stock");
	apply_sms_number(a, "+256700000101", TEST_HASH,
	    "Contact: +256700000001", "", "notify");

	fp = open_memstream(&out, &len);
	apply_describe(a, fp, NULL, NULL);
	fclose(fp);
	assert_non_null(strstr(out, "hset {hbm}:case:t1 note [sealed]\n"));
	assert_non_null(strstr(out, "hset {hbm}:case:t1 empty \n"));
	assert_non_null(
	    strstr(out, "history {hbm}:case:t1 {\"note\":\"[sealed]\"}\n"));
	assert_null(strstr(out, "gate"));
	assert_null(strstr(out, "brother"));
	assert_null(strstr(out, "+2567"));
	free(out);
	out = NULL;
	fp = open_memstream(&out, &len);
	apply_describe(a, fp, test_opener, NULL);
	fclose(fp);
	assert_non_null(strstr(out, "hset {hbm}:case:t1 note [near gate 3]\n"));
	assert_non_null(strstr(out, "audit case:t1 wfp declined [no stock]\n"));
	assert_non_null(strstr(out, "sms [+256700000101] "));
	free(out);

	/* no key: refused before anything runs */
	apply_set_key(NULL);
	assert_int_equal(apply_run(s, a, TEST_TTL, &cause), APPLY_ERROR);
	assert_non_null(strstr(cause, "no privacy key"));
	free(cause);
	assert_int_equal(test_exists(s, TEST_CASE), 0);
	apply_set_key(test_key);

	apply_set_router(test_router_keep, &routes);
	assert_int_equal(test_run(s, a), APPLY_OK);
	apply_set_router(NULL, NULL);

	v = test_hget(s, TEST_CASE, "note");
	assert_null(strstr(v, "gate"));
	o = test_open(v);
	assert_string_equal(o, "near gate 3");
	free(o);
	free(v);
	v = test_hget(s, TEST_CASE, "empty");
	assert_string_equal(v, "");
	free(v);
	r = test_history(s);
	assert_int_equal(r->elements, 1);
	v = r->element[0]->str;
	assert_memory_equal(v, "{\"note\":\"", 9);
	assert_string_equal(v + strlen(v) - 2, "\"}");
	v[strlen(v) - 2] = '\0';
	o = test_open(v + 9);
	assert_string_equal(o, "my brother");
	free(o);
	store_reply_free(r);
	v = test_audit_detail(s);
	assert_string_not_equal(v, "no stock");
	o = test_open(v);
	assert_string_equal(o, "no stock");
	free(o);
	free(v);

	/* the number, sealed, was routed and queued; never in clear */
	assert_int_equal(routes.calls, 1);
	assert_null(strstr(routes.to[0], "+256"));
	o = test_open(routes.to[0]);
	assert_string_equal(o, "+256700000101");
	free(o);
	r = test_cmd(s, 4, xr);
	assert_int_equal(r->elements, 1);
	snprintf(msgkey, sizeof(msgkey), "{hbm}:msg:%s",
	    r->element[0]->element[1]->element[1]->str);
	store_reply_free(r);
	v = test_hget(s, msgkey, "to");
	assert_string_equal(v, routes.to[0]);
	free(v);
	v = test_hget(s, msgkey, "text");
	o = test_open(v);
	assert_string_equal(o, "Contact: +256700000001");
	free(o);
	free(v);
	for (i = 0; i < 4; i++)
		free(routes.to[i]);
}

/*
 * The HSETs of one key and its history entries become one call, in order;
 * every operation takes exactly its own values (a ZREM followed by an HSET
 * removes one member, not also one named like the next opcode).
 */
static void
test_runs_and_order(void **state)
{
	const char *zcard[] = { "ZCARD", TEST_OPEN };
	const char *zscore[] = { "ZSCORE", TEST_OPEN, "h" };
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a;
	long long hset;
	char *v;

	a = apply_new("t-runs", 1);
	apply_zadd(a, TEST_OPEN, 1, "t1");
	apply_zadd(a, TEST_OPEN, 2, "h");
	apply_history(a, TEST_CASE, "one");
	apply_history(a, TEST_CASE, "two");
	apply_hset(a, TEST_CASE, "a", "1");
	apply_history(a, TEST_CASE, "three");
	apply_zrem(a, TEST_OPEN, "t1");
	apply_hset(a, TEST_CASE, "b", "2");
	apply_hset(a, TEST_CASE, "a", "3");
	hset = test_calls(s, "hset");
	assert_int_equal(test_run(s, a), APPLY_OK);
	assert_int_equal(test_calls(s, "hset") - hset, 1);

	r = test_history(s);
	assert_int_equal(r->elements, 3);
	assert_string_equal(r->element[0]->str, "one");
	assert_string_equal(r->element[1]->str, "two");
	assert_string_equal(r->element[2]->str, "three");
	store_reply_free(r);
	assert_int_equal(test_int(s, 2, zcard), 1);
	r = test_cmd(s, 3, zscore);
	assert_int_equal(r->type, STORE_STRING);
	assert_string_equal(r->str, "2");
	store_reply_free(r);
	v = test_hget(s, TEST_CASE, "a");
	assert_string_equal(v, "3");
	free(v);
	v = test_hget(s, TEST_CASE, "b");
	assert_string_equal(v, "2");
	free(v);

	/* A later operation's entries follow, even one made earlier. */
	a = apply_new("t-runs-2", 0);
	apply_history(a, TEST_CASE, "four");
	assert_int_equal(test_run(s, a), APPLY_OK);
	r = test_history(s);
	assert_int_equal(r->elements, 4);
	assert_string_equal(r->element[2]->str, "three");
	assert_string_equal(r->element[3]->str, "four");
	store_reply_free(r);
	test_del(s, "{hbm}:op:t-runs-2");
}

/*
 * HDEL comes after the HSETs of its key before it (they are one call, sent
 * first), and HSETs after it still happen: a field set then deleted is
 * gone, one deleted then set is there; apply_describe() shows it.
 */
static void
test_hdel(void **state)
{
	struct store *s = *state;
	struct apply *a;
	char *v, *out = NULL;
	size_t len;
	FILE *f;

	a = apply_new("t-hdel", 1);
	apply_hset(a, TEST_CASE, "c:1", "10");
	apply_hset(a, TEST_CASE, "c:2", "20");
	apply_hdel(a, TEST_CASE, "c:1");
	apply_hdel(a, TEST_CASE, "c:3");
	apply_hset(a, TEST_CASE, "c:3", "30");
	assert_non_null(f = open_memstream(&out, &len));
	apply_describe(a, f, NULL, NULL);
	fclose(f);
	assert_non_null(strstr(out, "hdel " TEST_CASE " c:1\n"));
	free(out);
	assert_int_equal(test_run(s, a), APPLY_OK);
	v = test_hget(s, TEST_CASE, "c:1");
	assert_null(v);
	v = test_hget(s, TEST_CASE, "c:2");
	assert_string_equal(v, "20");
	free(v);
	v = test_hget(s, TEST_CASE, "c:3");
	assert_string_equal(v, "30");
	free(v);
}

/*
 * A batch: each operation all or nothing on its own, each told its own
 * result, the entries of those applied (now or before) acknowledged with
 * the extra ones, the others left pending; a version guard and a record
 * written by an earlier operation of the same batch.
 */
static void
test_batch(void **state)
{
	const char *xgroup[] = { "XGROUP", "CREATE", TEST_STREAM, "g", "0",
		"MKSTREAM" };
	const char *xread[] = { "XREADGROUP", "GROUP", "g", "c", "STREAMS",
		TEST_STREAM, ">" };
	const char *xpending[] = { "XPENDING", TEST_STREAM, "g", "-", "+",
		"10" };
	const char *xadd[] = { "XADD", TEST_STREAM, "*", "k", "v" };
	const char *hset[] = { "HSET", TEST_CASE, "ver", "1" };
	const char *xack[] = { "XACK", TEST_STREAM, "g", NULL };
	const char *exists0[] = { "EXISTS", "{hbm}:op:t-b0" };
	const char *exists4[] = { "EXISTS", "{hbm}:op:t-b4" };
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a[5];
	enum apply_result res[5];
	char *causes[5], *cause = NULL, ids[6][64], *v;
	const char *opids[5], *extra[1];
	struct apply_ack ack;
	int i;

	store_reply_free(test_cmd(s, 6, xgroup));
	for (i = 0; i < 6; i++) {
		r = test_cmd(s, 5, xadd);
		snprintf(ids[i], sizeof(ids[i]), "%s", r->str);
		store_reply_free(r);
	}
	xack[3] = ids[3];
	store_reply_free(test_cmd(s, 7, xread));
	/* Another dispatcher applied entry 3 and acknowledged it. */
	assert_int_equal(test_int(s, 4, xack), 1);

	/* 0 applies; 1 conflicts with what 0 wrote; 2 is refused. */
	a[0] = apply_new("t-b0", 5);
	apply_guard_version(a[0], TEST_CASE, "1");
	apply_hset(a[0], TEST_CASE, "who", "first");
	a[1] = apply_new("t-b1", 5);
	apply_guard_version(a[1], TEST_CASE, "1");
	apply_hset(a[1], TEST_CASE, "who", "second");
	a[2] = apply_new("t-b2", 5);
	apply_hset(a[2], "{hbm}:case:t2", "x", "1");
	apply_audit(a[2], "line\nbreak", "system", "x", "");
	/*
	 * 3 was applied before, through its entry: done, though its guard
	 * holds, and nothing written; 4 applies after the refusal.
	 */
	a[3] = apply_new("t-b3", 5);
	apply_guard_absent(a[3], "{hbm}:case:t3");
	apply_hset(a[3], "{hbm}:case:t3", "x", "again");
	a[4] = apply_new("t-b4", 5);
	apply_guard_absent(a[4], "{hbm}:case:t2");
	apply_hset(a[4], "{hbm}:case:t2", "y", "2");
	for (i = 0; i < 5; i++)
		opids[i] = ids[i];
	extra[0] = ids[5];
	ack.stream = TEST_STREAM;
	ack.group = "g";
	ack.ids = opids;
	ack.extra = extra;
	ack.nextra = 1;
	/* A version to guard on. */
	test_int(s, 4, hset);
	assert_int_equal(
	    apply_run_batch(s, a, 5, TEST_TTL, &ack, res, causes, &cause), 0);
	assert_int_equal(res[0], APPLY_OK);
	assert_int_equal(res[1], APPLY_CONFLICT);
	assert_int_equal(res[2], APPLY_ERROR);
	assert_non_null(causes[2]);
	assert_non_null(strstr(causes[2], "newline"));
	assert_int_equal(res[3], APPLY_DONE);
	assert_int_equal(res[4], APPLY_OK);
	for (i = 0; i < 5; i++) {
		if (i != 2)
			assert_null(causes[i]);
		free(causes[i]);
		apply_free(a[i]);
	}
	v = test_hget(s, TEST_CASE, "who");
	assert_string_equal(v, "first");
	free(v);
	v = test_hget(s, TEST_CASE, "ver");
	assert_string_equal(v, "2");
	free(v);
	assert_null(test_hget(s, "{hbm}:case:t2", "x"));
	v = test_hget(s, "{hbm}:case:t2", "y");
	assert_string_equal(v, "2");
	free(v);
	assert_null(test_hget(s, "{hbm}:case:t3", "x"));
	/* The entries are the guard: no op key for an operation with one. */
	assert_int_equal(test_int(s, 2, exists0), 0);
	assert_int_equal(test_int(s, 2, exists4), 0);

	/* Pending: the conflict's and the refused one's entries only. */
	r = test_cmd(s, 6, xpending);
	assert_int_equal(r->elements, 2);
	assert_string_equal(r->element[0]->element[0]->str, ids[1]);
	assert_string_equal(r->element[1]->element[0]->str, ids[2]);
	store_reply_free(r);
}

/* Run A, which must be refused with a cause containing WANT; free it. */
static void
test_refusal(struct store *s, struct apply *a, const char *want)
{
	char *cause = NULL;

	assert_int_equal(apply_run(s, a, TEST_TTL, &cause), APPLY_ERROR);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
	apply_free(a);
}

/*
 * A batch checks the type of a key that many of its operations write
 * once: four operations writing one sorted set and a list each of their
 * own make five TYPE calls, not eight. A key checked by one operation and
 * used as another type by a later one is still refused.
 */
static void
test_type_once(void **state)
{
	struct store *s = *state;
	struct apply *a[5];
	enum apply_result res[5];
	char *causes[5], *cause = NULL, opid[32], own[32];
	long long before;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(opid, sizeof(opid), "t-once-%zu", i);
		snprintf(own, sizeof(own), "{hbm}:t-own-%zu", i);
		a[i] = apply_new(opid, 1700000000000LL);
		apply_zadd(a[i], TEST_OPEN, (double)i, opid);
		apply_history(a[i], own, "x");
	}
	a[4] = apply_new("t-once-4", 1700000000000LL);
	apply_hset(a[4], TEST_OPEN, "f", "v");
	before = test_calls(s, "type");
	assert_int_equal(
	    apply_run_batch(s, a, 5, TEST_TTL, NULL, res, causes, &cause), 0);
	assert_int_equal(test_calls(s, "type") - before, 4 + 1 + 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(res[i], APPLY_OK);
	assert_int_equal(res[4], APPLY_ERROR);
	assert_non_null(strstr(causes[4], "holds a zset, not a hash"));
	test_batch_free(a, causes, 5);
	for (i = 0; i < 4; i++) {
		snprintf(own, sizeof(own), "{hbm}:t-own-%zu", i);
		test_del(s, own);
	}
	test_del_ops(s, "t-once-", 4);
}

/*
 * A sorted set that many operations of a batch add to takes one ZADD and
 * one EXPIRE: four operations, each adding its member to TEST_OPEN and
 * expiring it, and each queueing an SMS to one number, make two ZADDs (the
 * set, the number's index) and two EXPIREs of them. The members keep
 * their scores, a member added twice its later one, and the last EXPIRE
 * counts. What else looks at the key comes after the ZADDs before it: an
 * absent guard on it in the fifth operation sees it exist (a conflict),
 * and a ZREM in the sixth removes a member the first added.
 */
static void
test_zadd_once(void **state)
{
	const char *card[] = { "ZCARD", TEST_OPEN };
	const char *ttl[] = { "TTL", TEST_OPEN };
	const char *bycard[] = { "ZCARD", "{hbm}:msgs:" TEST_HASH };
	struct store *s = *state;
	struct apply *a[6];
	enum apply_result res[6];
	char *causes[6], *cause = NULL, opid[32], member[32];
	long long zadd, expire, zrem;
	size_t i;

	test_del(s, TEST_OPEN);
	test_del(s, "{hbm}:msgs:" TEST_HASH);
	for (i = 0; i < 4; i++) {
		snprintf(opid, sizeof(opid), "t-zonce-%zu", i);
		snprintf(member, sizeof(member), "c%zu", i);
		a[i] = apply_new(opid, 1700000000000LL);
		apply_zadd(a[i], TEST_OPEN, (double)(10 + i), member);
		if (i == 3)
			apply_zadd(a[i], TEST_OPEN, 99, "c1");
		apply_expire(a[i], TEST_OPEN, i == 3 ? 900 : 300);
		apply_sms(a[i], TEST_SEALED, TEST_HASH, "Hello", "", "reply");
	}
	a[4] = apply_new("t-zonce-4", 1700000000000LL);
	apply_guard_absent(a[4], TEST_OPEN);
	apply_zadd(a[4], TEST_OPEN, 1, "never");
	a[5] = apply_new("t-zonce-5", 1700000000000LL);
	apply_zrem(a[5], TEST_OPEN, "c0");
	zadd = test_calls(s, "zadd");
	expire = test_calls(s, "expire");
	zrem = test_calls(s, "zrem");
	assert_int_equal(
	    apply_run_batch(s, a, 6, TEST_TTL, NULL, res, causes, &cause), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(res[i], i == 4 ? APPLY_CONFLICT : APPLY_OK);
	assert_int_equal(test_calls(s, "zadd") - zadd, 2);
	/* the set and the number's index; an SMS record has no TTL */
	assert_int_equal(test_calls(s, "expire") - expire, 2);
	assert_int_equal(test_calls(s, "zrem") - zrem, 1);
	assert_int_equal(test_int(s, 2, card), 3);
	assert_int_equal(test_zscore(s, TEST_OPEN, "c0"), -1); /* after ZADD */
	assert_int_equal(test_zscore(s, TEST_OPEN, "c1"), 99);
	assert_int_equal(test_zscore(s, TEST_OPEN, "c3"), 13);
	assert_int_equal(test_zscore(s, TEST_OPEN, "never"), -1);
	assert_in_range(test_int(s, 2, ttl), 800, 900);
	assert_int_equal(test_int(s, 2, bycard), 4);
	test_batch_free(a, causes, 6);
	test_del_ops(s, "t-zonce-", 6);
	test_del(s, TEST_OPEN);
}

/* The message log's entries, oldest first: their ids in BUF, an entry's
 * ids joined by ",", entries by " "; how many entries. */
static size_t
test_log(struct store *s, char *buf, size_t size)
{
	const char *xr[] = { "XRANGE", "{hbm}:msglog", "-", "+" };
	struct store_reply *r = test_cmd(s, 4, xr), *f;
	size_t i, j, len = 0, n = r->elements;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		f = r->element[i]->element[1];
		for (j = 0; j + 1 < f->elements; j += 2) {
			assert_string_equal(f->element[j]->str, "m");
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    j > 0 ? "," : (i > 0 ? " " : ""),
			    f->element[j + 1]->str);
		}
		if (i == 0) {
			/* a run's entry is at its first id's place */
			long long m = strtoll(f->element[1]->str + 1, NULL, 10);
			char sid[48];

			snprintf(
			    sid, sizeof(sid), "%lld-%lld", m / 1000, m % 1000);
			assert_string_equal(
			    r->element[i]->element[0]->str, sid);
		}
	}
	store_reply_free(r);
	return n;
}

/* Every message listed, newest first, BEFORE an id or NULL, at most LIMIT. */
static void
test_listed(
    struct store *s, const char *before, int limit, char *buf, size_t size)
{
	struct outbox_filter f = { NULL, NULL, before, limit };
	struct outbox_msg *msgs;
	char *cause = NULL;
	size_t n, i, len = 0;

	buf[0] = '\0';
	assert_int_equal(outbox_list(s, &f, &msgs, &n, &cause), 0);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? " " : "", msgs[i].id);
	outbox_msgs_free(msgs, n);
}

/*
 * The SMS one script queues are one entry of the message log, a field m
 * for each, oldest first, at the place of the first's id: three
 * operations of a batch queueing three SMS (the second conflicts, its SMS
 * never drawn) make one XADD. A list runs through the entry and on into
 * the next, page by page, from any id of it. A run is at most 100 ids:
 * 120 SMS are two entries.
 */
static void
test_log_run(void **state)
{
	struct store *s = *state;
	struct apply *a[3];
	enum apply_result res[3];
	char *causes[3], *cause = NULL, log[4096], got[256], want[256];
	char ids[4][OUTBOX_ID_MAX], *p;
	long long xadd;
	size_t i, j;

	test_del(s, "{hbm}:msglog");
	test_del(s, "{hbm}:msgs:all");
	a[0] = apply_new("t-run-0", 1700000000000LL);
	apply_sms(a[0], TEST_SEALED, TEST_HASH, "one", TEST_CHANNEL, "reply");
	apply_sms(a[0], TEST_SEALED, TEST_HASH, "two", TEST_CHANNEL, "reply");
	a[1] = apply_new("t-run-1", 1700000000000LL);
	apply_guard(a[1], TEST_CASE, "state", "never");
	apply_sms(a[1], TEST_SEALED, TEST_HASH, "none", TEST_CHANNEL, "reply");
	a[2] = apply_new("t-run-2", 1700000000000LL);
	apply_sms(a[2], TEST_SEALED, TEST_HASH, "three", TEST_CHANNEL, "reply");
	xadd = test_calls(s, "xadd");
	assert_int_equal(
	    apply_run_batch(s, a, 3, TEST_TTL, NULL, res, causes, &cause), 0);
	assert_int_equal(res[1], APPLY_CONFLICT);
	/* three outbox entries and one of the log */
	assert_int_equal(test_calls(s, "xadd") - xadd, 3 + 1);
	test_batch_free(a, causes, 3);
	assert_int_equal(test_log(s, log, sizeof(log)), 1);
	for (i = 0, p = log; i < 3; i++) {
		j = strcspn(p, ",");
		assert_true(j < OUTBOX_ID_MAX);
		memcpy(ids[i], p, j);
		ids[i][j] = '\0';
		p += j + (p[j] != '\0');
		if (i > 0)
			assert_true(strtoll(ids[i] + 1, NULL, 10) ==
			    strtoll(ids[i - 1] + 1, NULL, 10) + 1);
	}
	assert_int_equal(*p, '\0');

	/* the next script's SMS is an entry of its own */
	a[0] = apply_new("t-run-3", 1700000000000LL);
	apply_sms(a[0], TEST_SEALED, TEST_HASH, "four", TEST_CHANNEL, "reply");
	assert_int_equal(test_run(s, a[0]), APPLY_OK);
	assert_int_equal(test_log(s, log, sizeof(log)), 2);
	strcpy(ids[3], strchr(log, ' ') + 1);

	test_listed(s, NULL, 10, got, sizeof(got));
	snprintf(
	    want, sizeof(want), "%s %s %s %s", ids[3], ids[2], ids[1], ids[0]);
	assert_string_equal(got, want);
	/* pages of two: across the entries, then the end of the run */
	test_listed(s, NULL, 2, got, sizeof(got));
	snprintf(want, sizeof(want), "%s %s", ids[3], ids[2]);
	assert_string_equal(got, want);
	test_listed(s, ids[2], 2, got, sizeof(got));
	snprintf(want, sizeof(want), "%s %s", ids[1], ids[0]);
	assert_string_equal(got, want);
	test_listed(s, ids[1], 2, got, sizeof(got));
	assert_string_equal(got, ids[0]);
	test_listed(s, ids[0], 2, got, sizeof(got));
	assert_string_equal(got, "");

	/* 120 SMS in one script: a run of 100 and one of 20 */
	test_del(s, "{hbm}:msglog");
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "t-run-big-%zu", i);
		a[i] = apply_new(want, 1700000000000LL);
		for (j = 0; j < 40; j++)
			apply_sms(a[i], TEST_SEALED, TEST_HASH, "x",
			    TEST_CHANNEL, "reply");
	}
	assert_int_equal(
	    apply_run_batch(s, a, 3, TEST_TTL, NULL, res, causes, &cause), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(res[i], APPLY_OK);
	test_batch_free(a, causes, 3);
	assert_int_equal(test_log(s, log, sizeof(log)), 2);
	for (j = 1, p = log; *p != '\0'; p++)
		j += *p == ',' || *p == ' ';
	assert_int_equal(j, 120);
	for (i = 0, p = log; *p != ' '; p++)
		i += *p == ',';
	assert_int_equal(i + 1, 100);
	test_del_ops(s, "t-run-", 4);
	test_del_ops(s, "t-run-big-", 3);
	test_del(s, "{hbm}:msglog");
}

/*
 * The ids of a batch's SMS are drawn with one SET ... GET, as a block
 * raised to now_ms * 1000: three operations queueing four SMS, the second
 * of which conflicts, make one SET of the counter (beside the op keys of
 * the two applied, one SET each) and no INCR or INCRBY. The three SMS queued have
 * distinct ids from the block, the first at least now_ms * 1000; the
 * conflicting operation's id is a gap, and the next batch draws after it.
 */
static void
test_ids_block(void **state)
{
	const char *xrange[] = { "XRANGE", TEST_OUTBOX, "-", "+" };
	const char *get[] = { "GET", "{hbm}:msgseq" };
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a[3];
	enum apply_result res[3];
	char *causes[3], *cause = NULL;
	long long incrby, incr, set, seq, ids[4];
	const long long now = 1700000000000LL;
	size_t i;

	test_del(s, "{hbm}:msgseq"); /* earlier tests drew at today's time */
	a[0] = apply_new("t-ids-0", now);
	apply_sms(a[0], TEST_SEALED, TEST_HASH, "one", TEST_CHANNEL, "reply");
	apply_sms(a[0], TEST_SEALED, TEST_HASH, "two", TEST_CHANNEL, "reply");
	a[1] = apply_new("t-ids-1", now);
	apply_guard(a[1], TEST_CASE, "state", "never");
	apply_sms(a[1], TEST_SEALED, TEST_HASH, "none", TEST_CHANNEL, "reply");
	a[2] = apply_new("t-ids-2", now);
	apply_sms(a[2], TEST_SEALED, TEST_HASH, "three", TEST_CHANNEL, "reply");
	incrby = test_calls(s, "incrby");
	incr = test_calls(s, "incr");
	set = test_calls(s, "set");
	assert_int_equal(
	    apply_run_batch(s, a, 3, TEST_TTL, NULL, res, causes, &cause), 0);
	assert_int_equal(test_calls(s, "incrby") - incrby, 0);
	assert_int_equal(test_calls(s, "incr") - incr, 0);
	assert_int_equal(test_calls(s, "set") - set, 1 + 2);
	assert_int_equal(res[0], APPLY_OK);
	assert_int_equal(res[1], APPLY_CONFLICT);
	assert_int_equal(res[2], APPLY_OK);
	test_batch_free(a, causes, 3);
	r = test_cmd(s, 2, get);
	assert_int_equal(r->type, STORE_STRING);
	seq = strtoll(r->str, NULL, 10);
	store_reply_free(r);
	/* A block of four, its first at now_ms * 1000. */
	assert_true(seq == now * 1000 + 3);
	r = test_cmd(s, 4, xrange);
	assert_int_equal(r->elements, 3);
	for (i = 0; i < 3; i++) {
		const char *id =
		    store_fieldstr(r->element[i]->element[1], "msg", NULL);

		assert_non_null(id);
		ids[i] = strtoll(id + 1, NULL, 10);
		assert_true(ids[i] >= now * 1000 && ids[i] <= seq);
		if (i > 0)
			assert_true(ids[i] > ids[i - 1]);
	}
	store_reply_free(r);

	/* The next script draws after the block. */
	a[0] = apply_new("t-ids-3", now);
	apply_sms(a[0], TEST_SEALED, TEST_HASH, "four", TEST_CHANNEL, "reply");
	assert_int_equal(test_run(s, a[0]), APPLY_OK);
	r = test_cmd(s, 2, get);
	ids[3] = strtoll(r->str, NULL, 10);
	store_reply_free(r);
	assert_true(ids[3] == seq + 1);
}

/*
 * Every command Redis has counted (INFO commandstats), INFO included, but
 * the trims enqueue() makes one message in 16 (the id's count decides).
 */
static long long
test_calls_all(struct store *s)
{
	const char *info[] = { "INFO", "commandstats" };
	struct store_reply *r = test_cmd(s, 2, info);
	const char *p;
	long long n = 0;

	for (p = r->str; (p = strstr(p, ":calls=")) != NULL; p++)
		n += strtoll(p + strlen(":calls="), NULL, 10);
	store_reply_free(r);
	return n - test_calls(s, "zremrangebyscore");
}

/*
 * The commands and HSETs an operation of a case's field, a history entry
 * and an SMS makes.
 */
static void
test_case_sms_cost(struct store *s, const char *opid, int linked,
    long long *all, long long *hset)
{
	struct apply *a;
	long long all0, hset0;

	a = apply_new(opid, 1700000000000LL);
	apply_hset(a, TEST_CASE, "status", "acknowledged");
	apply_history(a, TEST_CASE, "{\"what\":\"acknowledged\"}");
	if (linked)
		apply_case_sms(a, TEST_CASE, "migrant", "gateway", TEST_SEALED,
		    0, TEST_HASH, "Accepted", "notify");
	else
		apply_sms(a, TEST_SEALED, TEST_HASH, "Accepted", "", "notify");
	all0 = test_calls_all(s);
	hset0 = test_calls(s, "hset");
	assert_int_equal(test_run(s, a), APPLY_OK);
	*hset = test_calls(s, "hset") - hset0;
	*all = test_calls_all(s) - all0;
}

/*
 * An SMS a case caused puts its id, with the recipient's role and the
 * kind, into the case's history, in the HSET of the case, which carries
 * the operation's own entries too: no command more than the same SMS
 * unlinked (the message record's HSET aside, one HSET of the case). Alone,
 * it is one HSET of the case.
 */
static void
test_case_sms(void **state)
{
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a;
	long long all[2], hset[2];
	char key[64], *st;
	const char *p;

	test_case_sms_cost(s, "t-csms-0", 0, &all[0], &hset[0]);
	test_del(s, TEST_CASE);
	test_case_sms_cost(s, "t-csms-1", 1, &all[1], &hset[1]);
	assert_int_equal(hset[0], 2);
	assert_int_equal(hset[1], 2);
	assert_int_equal(all[1], all[0]);
	r = test_history(s);
	assert_int_equal(r->elements, 2);
	assert_string_equal(r->element[0]->str, "{\"what\":\"acknowledged\"}");
	p = r->element[1]->str;
	assert_non_null(strstr(p,
	    "\"what\":\"sms\",\"to\":\"migrant\","
	    "\"kind\":\"notify\",\"msg\":\"m"));
	assert_non_null(strstr(p, "\"t\":1700000000000,"));
	/* the id names the message queued, no number and no text */
	snprintf(key, sizeof(key), "{hbm}:msg:%s", strstr(p, "\"msg\":\"") + 7);
	key[strlen(key) - 2] = '\0';
	assert_null(strstr(p, TEST_SEALED));
	assert_null(strstr(p, "Accepted"));
	store_reply_free(r);
	assert_non_null(st = test_hget(s, key, "status"));
	assert_string_equal(st, "queued");
	free(st);
	test_del(s, key);

	/* an operation with nothing else for the case: one HSET of it */
	a = apply_new("t-csms-2", 1700000000000LL);
	apply_case_sms(a, TEST_CASE, "agency", "t-wfp", TEST_SEALED, 0,
	    TEST_HASH, "New case", "notify");
	hset[0] = test_calls(s, "hset");
	assert_int_equal(test_run(s, a), APPLY_OK);
	/* and the message record's */
	assert_int_equal(test_calls(s, "hset") - hset[0], 2);
	r = test_history(s);
	assert_int_equal(r->elements, 3);
	assert_non_null(strstr(r->element[2]->str, "\"to\":\"agency\""));
	assert_non_null(strstr(r->element[2]->str, "\"who\":\"t-wfp\""));
	store_reply_free(r);
	test_del(s, "{hbm}:op:t-csms-0");
	test_del(s, "{hbm}:op:t-csms-1");
	test_del(s, "{hbm}:op:t-csms-2");
}

/*
 * A case SMS's history entry is JSON whatever its "who", "to" and "kind"
 * hold: quotes, backslashes, control characters and UTF-8 come back as
 * they were given, and "msg" names the message queued.
 */
static void
test_case_sms_json(void **state)
{
	const char *who = "a\"b\\c\nd/\xc3\xa9\x01";
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a;
	json_t *e;
	char key[64], *st;

	test_del(s, TEST_CASE);
	a = apply_new("t-csms-json", 1700000000000LL);
	apply_case_sms(a, TEST_CASE, "agency \"x\"", who, TEST_SEALED, 0,
	    TEST_HASH, "New case", "notify\t");
	assert_int_equal(test_run(s, a), APPLY_OK);
	r = test_history(s);
	assert_int_equal(r->elements, 1);
	e = json_loads(r->element[0]->str, 0, NULL);
	store_reply_free(r);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "who")), who);
	assert_string_equal(
	    json_string_value(json_object_get(e, "to")), "agency \"x\"");
	assert_string_equal(
	    json_string_value(json_object_get(e, "kind")), "notify\t");
	assert_string_equal(
	    json_string_value(json_object_get(e, "what")), "sms");
	assert_int_equal(
	    json_integer_value(json_object_get(e, "t")), 1700000000000LL);
	snprintf(key, sizeof(key), "{hbm}:msg:%s",
	    json_string_value(json_object_get(e, "msg")));
	json_decref(e);
	assert_non_null(st = test_hget(s, key, "kind"));
	assert_string_equal(st, "notify\t");
	free(st);
	test_del(s, key);
	test_del(s, TEST_CASE);
	test_del(s, "{hbm}:op:t-csms-json");
}

/*
 * An SMS to a number whose record the operation names (apply_sms_index()),
 * writes and keeps at least as long as the message is indexed in that
 * record, a field "m:<id>" of the time it was queued, with no sorted set
 * of its own: one ZADD and one EXPIRE fewer, whether it is a case's SMS or
 * not. A record written but kept less long, not written, or not named,
 * leaves it to {hbm}:msgs:<hash>.
 */
static void
test_sms_in_record(void **state)
{
	const char *hk[] = { "HKEYS", "{hbm}:num:" TEST_HASH };
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a;
	long long zadd, expire;
	size_t i, m = 0;
	char *v;

	test_del(s, "{hbm}:num:" TEST_HASH);
	test_del(s, "{hbm}:msgs:" TEST_HASH);
	test_del(s, TEST_CASE);
	a = apply_new("t-inrec", 1700000000000LL);
	apply_sms_index(a, "{hbm}:num:" TEST_HASH);
	apply_hset(a, "{hbm}:num:" TEST_HASH, "lang", "en");
	apply_expire(a, "{hbm}:num:" TEST_HASH, TEST_TTL);
	apply_sms(a, TEST_SEALED, TEST_HASH, "Received", "", "reply");
	apply_case_sms(a, TEST_CASE, "migrant", "gateway", TEST_SEALED, 0,
	    TEST_HASH, "Case made", "notify");
	zadd = test_calls(s, "zadd");
	expire = test_calls(s, "expire");
	assert_int_equal(test_run(s, a), APPLY_OK);
	/* the message log's XADD is no ZADD; the number record's one EXPIRE
	 * (an SMS record has no TTL) */
	assert_int_equal(test_calls(s, "zadd") - zadd, 0);
	assert_int_equal(test_calls(s, "expire") - expire, 1);
	assert_int_equal(test_exists(s, "{hbm}:msgs:" TEST_HASH), 0);
	r = test_cmd(s, 2, hk);
	for (i = 0; i < r->elements; i++) {
		if (strncmp(r->element[i]->str, "m:m", 3) != 0)
			continue;
		m++;
		v = test_hget(s, "{hbm}:num:" TEST_HASH, r->element[i]->str);
		assert_non_null(v);
		assert_string_equal(v, "1700000000000");
		free(v);
	}
	store_reply_free(r);
	assert_int_equal(m, 2);

	/* kept less long than the message: the number's sorted set */
	a = apply_new("t-inrec-2", 1700000000000LL);
	apply_sms_index(a, "{hbm}:num:" TEST_HASH);
	apply_hset(a, "{hbm}:num:" TEST_HASH, "lang", "fr");
	apply_expire(a, "{hbm}:num:" TEST_HASH, TEST_TTL - 1);
	apply_sms(a, TEST_SEALED, TEST_HASH, "Recu", "", "reply");
	zadd = test_calls(s, "zadd");
	assert_int_equal(test_run(s, a), APPLY_OK);
	assert_int_equal(test_calls(s, "zadd") - zadd, 1);
	assert_int_equal(test_exists(s, "{hbm}:msgs:" TEST_HASH), 1);
	/* not written at all, or written and not named: the same */
	a = apply_new("t-inrec-3", 1700000000000LL);
	apply_sms_index(a, "{hbm}:num:" TEST_HASH);
	apply_expire(a, "{hbm}:num:" TEST_HASH, TEST_TTL);
	apply_sms(a, TEST_SEALED, TEST_HASH, "Again", "", "reply");
	zadd = test_calls(s, "zadd");
	assert_int_equal(test_run(s, a), APPLY_OK);
	assert_int_equal(test_calls(s, "zadd") - zadd, 1);
	a = apply_new("t-inrec-4", 1700000000000LL);
	apply_hset(a, "{hbm}:num:" TEST_HASH, "lang", "en");
	apply_expire(a, "{hbm}:num:" TEST_HASH, TEST_TTL);
	apply_sms(a, TEST_SEALED, TEST_HASH, "Again", "", "reply");
	zadd = test_calls(s, "zadd");
	assert_int_equal(test_run(s, a), APPLY_OK);
	assert_int_equal(test_calls(s, "zadd") - zadd, 1);
	test_del(s, "{hbm}:num:" TEST_HASH);
	test_del(s, "{hbm}:msgs:" TEST_HASH);
	test_del(s, TEST_CASE);
	test_del(s, "{hbm}:op:t-inrec");
	test_del(s, "{hbm}:op:t-inrec-2");
	test_del(s, "{hbm}:op:t-inrec-3");
	test_del(s, "{hbm}:op:t-inrec-4");
}

/*
 * Two lifetimes given to one key in one operation (a number's record is
 * given its by more than one step) make one EXPIRE, with the last of them.
 */
static void
test_expire_once(void **state)
{
	const char *ttl[] = { "TTL", TEST_CASE };
	struct store *s = *state;
	struct apply *a;
	long long before;

	a = apply_new("t-expire", 1700000000000LL);
	apply_history(a, TEST_CASE, "x");
	apply_expire(a, TEST_CASE, 600);
	apply_zadd(a, TEST_OPEN, 1, "t1");
	apply_expire(a, TEST_OPEN, 900);
	apply_expire(a, TEST_CASE, 3600);
	before = test_calls(s, "expire");
	assert_int_equal(test_run(s, a), APPLY_OK);
	assert_int_equal(test_calls(s, "expire") - before, 2);
	assert_in_range(test_int(s, 2, ttl), 3500, 3600);
	test_del(s, "{hbm}:op:t-expire");
}

static void
test_wrong_type(void **state)
{
	const char *rpush[] = { "RPUSH", "{hbm}:case:t2", "a list" };
	const char *hset[] = { "HSET", TEST_CASE, "state", "new" };
	struct store *s = *state;
	struct apply *a;

	/* The second write would fail half way: nothing may be written. */
	test_int(s, 3, rpush);
	a = apply_new("t-type", 1);
	apply_hset(a, TEST_CASE, "state", "new");
	apply_hset(a, "{hbm}:case:t2", "state", "new");
	apply_audit(a, "case:t2", "system", "create", "");
	test_refusal(s, a, "holds a list, not a hash");
	assert_int_equal(test_exists(s, TEST_CASE), 0);
	assert_int_equal(test_exists(s, "{hbm}:audit"), 0);
	assert_int_equal(test_exists(s, "{hbm}:op:t-type"), 0);

	/* So would HINCRBY of a field that is not a number. */
	test_int(s, 4, hset);
	a = apply_new("t-type", 1);
	apply_hset(a, TEST_CASE, "x", "1");
	apply_hincr(a, TEST_CASE, "state", 1);
	test_refusal(s, a, "state is not an integer");
	assert_null(test_hget(s, TEST_CASE, "x"));
	test_del(s, TEST_CASE);

	/* A guard on a key of another type: refused, nothing written. */
	test_int(s, 3, rpush);
	a = apply_new("t-type", 1);
	apply_guard(a, "{hbm}:case:t2", "ver", "");
	apply_hset(a, TEST_CASE, "x", "1");
	test_refusal(s, a, "WRONGTYPE");
	assert_null(test_hget(s, TEST_CASE, "x"));

	/* One key used as two types in one operation. */
	a = apply_new("t-type", 1);
	apply_hset(a, "{hbm}:case:t3", "state", "new");
	apply_zadd(a, "{hbm}:case:t3", 1, "x");
	test_refusal(s, a, "used as zset and hash");
	assert_int_equal(test_exists(s, "{hbm}:case:t3"), 0);
	/* A history entry of a key that is no hash: nothing written. */
	test_del(s, "{hbm}:case:t2");
	test_int(s, 3, rpush);
	a = apply_new("t-type", 1);
	apply_hset(a, TEST_CASE, "x", "1");
	apply_history(a, "{hbm}:case:t2", "x");
	test_refusal(s, a, "holds a list, not a hash");
	assert_null(test_hget(s, TEST_CASE, "x"));
}

static void
test_refused(void **state)
{
	struct store *s = *state;
	struct apply *a;
	char *cause = NULL;
	char key[32];
	int i;

	a = apply_new("t-refuse", 1);
	apply_hset(a, TEST_CASE, "state", "new");
	apply_audit(a, "case:t1", "agency:t-wfp\nforged", "ack", "");
	assert_int_equal(apply_run(s, a, TEST_TTL, &cause), APPLY_ERROR);
	assert_non_null(strstr(cause, "newline"));
	free(cause);
	cause = NULL;
	apply_free(a);

	a = apply_new("t-refuse", 1);
	apply_zadd(a, "{hbm}:sla", nan(""), "t1");
	assert_int_equal(apply_run(s, a, TEST_TTL, &cause), APPLY_ERROR);
	assert_non_null(strstr(cause, "not a number"));
	free(cause);
	cause = NULL;
	apply_free(a);

	/* More keys than one EVALSHA can name. */
	a = apply_new("t-keys", 1);
	for (i = 0; i < 60; i++) {
		snprintf(key, sizeof(key), "{hbm}:t:k%d", i);
		apply_hset(a, key, "f", "v");
	}
	assert_int_equal(apply_run(s, a, TEST_TTL, &cause), APPLY_ERROR);
	assert_non_null(strstr(cause, "keys"));
	free(cause);
	apply_free(a);
	assert_int_equal(test_exists(s, TEST_CASE), 0);
	assert_int_equal(test_exists(s, "{hbm}:t:k0"), 0);
	assert_int_equal(test_exists(s, "{hbm}:op:t-refuse"), 0);
}

/* Verify the chain; return its result and check the count and id. */
static int
test_verify(struct store *s, long long want_entries, const char *want_bad)
{
	long long entries = -1;
	char *bad = NULL, *cause = NULL;
	int rc;

	rc = audit_verify(s, &entries, &bad, &cause);
	if (rc == -1)
		fail_msg("verify: %s", cause);
	assert_int_equal(entries, want_entries);
	if (want_bad == NULL) {
		assert_null(bad);
	} else {
		assert_non_null(bad);
		assert_string_equal(bad, want_bad);
	}
	free(bad);
	return rc;
}

/* Five entries of one line, from five operations; their ids into IDS. */
static void
test_chain(struct store *s, char ids[5][64])
{
	const char *xr[] = { "XRANGE", "{hbm}:audit", "-", "+" };
	struct store_reply *r;
	struct apply *a;
	char opid[32], *cause = NULL;
	long long chained;
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(opid, sizeof(opid), "{hbm}:op:t-chain-%d", i);
		test_del(s, opid);
		snprintf(opid, sizeof(opid), "t-chain-%d", i);
		a = apply_new(opid, 1700000000000LL + i);
		snprintf(opid, sizeof(opid), "n%d", i);
		apply_audit(a, "case:t1", "official:7", "note", opid);
		assert_int_equal(test_run(s, a), APPLY_OK);
	}
	/* Chained in one go, and nothing waits after. */
	assert_int_equal(audit_chain_all(s, &chained, &cause), 0);
	assert_int_equal(chained, 5);
	assert_int_equal(test_xlen(s, "{hbm}:audit:new"), 0);
	assert_int_equal(audit_chain(s, &chained, &cause), 0);
	assert_int_equal(chained, 0);
	r = test_cmd(s, 4, xr);
	assert_int_equal(r->elements, 5);
	for (i = 0; i < 5; i++)
		snprintf(ids[i], 64, "%s", r->element[i]->element[0]->str);
	store_reply_free(r);
}

static void
test_audit_chain(void **state)
{
	const char *xr[] = { "XRANGE", "{hbm}:audit", "-", "+" };
	struct store *s = *state;
	struct store_reply *r, *f;
	char ids[5][64], want[CRYPTO_SHA256_HEX], *head;
	const char *text;

	test_verify(s, 0, NULL);
	test_chain(s, ids);
	assert_int_equal(test_verify(s, 5, NULL), 0);

	/* The first entry starts from 64 zeros and hashes as documented. */
	r = test_cmd(s, 4, xr);
	f = r->element[0]->element[1];
	assert_string_equal(f->element[0]->str, "ts");
	assert_string_equal(f->element[1]->str, "1700000000000");
	assert_string_equal(f->element[11]->str, TEST_ZEROS);
	text = TEST_ZEROS "\n1700000000000\ncase:t1\nofficial:7\nnote\nn0";
	crypto_sha256_hex(text, strlen(text), want);
	assert_string_equal(f->element[13]->str, want);
	/* The head is the hash of the last entry. */
	f = r->element[4]->element[1];
	head = test_get(s, "{hbm}:audit:head");
	assert_string_equal(head, f->element[13]->str);
	assert_string_equal(
	    f->element[11]->str, r->element[3]->element[1]->element[13]->str);
	free(head);
	store_reply_free(r);
}

/*
 * Write the stream anew as one entry of id ID: ts 1700000000000, the K
 * lines of L (eight strings each: subject, actor, action and detail with
 * their names), PREV and HASH.
 */
static void
test_audit_put(struct store *s, const char *id, const char *const *l, int k,
    const char *prev, const char *hash)
{
	const char *xadd[48];
	int n = 0, i;

	xadd[n++] = "XADD";
	xadd[n++] = "{hbm}:audit";
	xadd[n++] = id;
	xadd[n++] = "ts";
	xadd[n++] = "1700000000000";
	for (i = 0; i < 8 * k; i++)
		xadd[n++] = l[i];
	xadd[n++] = "prev";
	xadd[n++] = prev;
	xadd[n++] = "hash";
	xadd[n++] = hash;
	store_reply_free(test_cmd(s, n, xadd));
}

/*
 * An operation's lines are one entry, hashed line by line as documented
 * and verified. Written anew as it was, it verifies; a line edited, two
 * lines swapped, and the lines regrouped as entries of their own (each
 * with the prev and hash its line had) all show.
 */
static void
test_audit_lines(void **state)
{
	const char *xr[] = { "XRANGE", "{hbm}:audit", "-", "+" };
	struct store *s = *state;
	struct store_reply *r, *f;
	struct apply *a;
	char id[64], id2[64], h1[CRYPTO_SHA256_HEX], want[CRYPTO_SHA256_HEX];
	char *cause = NULL, *text;
	const char *line1;
	long long chained, ms, seq;
	const char *both[16] = { "subject", "case:t1", "actor", "migrant",
		"action", "created", "detail", "food", "subject", "case:t1",
		"actor", "gateway", "action", "notified", "detail", "wfp" };
	const char *other[16];
	int i;

	a = apply_new("t-lines", 1700000000000LL);
	apply_audit(a, "case:t1", "migrant", "created", "food");
	apply_audit(a, "case:t1", "gateway", "notified", "wfp");
	assert_int_equal(test_run(s, a), APPLY_OK);
	test_del(s, "{hbm}:op:t-lines");
	assert_int_equal(test_xlen(s, "{hbm}:audit:new"), 1);
	assert_int_equal(audit_chain_all(s, &chained, &cause), 0);
	assert_int_equal(chained, 1);
	assert_int_equal(test_verify(s, 1, NULL), 0);

	/* ts, both lines in order, prev, and the last line's hash. */
	line1 = TEST_ZEROS "\n1700000000000\ncase:t1\nmigrant\ncreated\nfood";
	crypto_sha256_hex(line1, strlen(line1), h1);
	assert_true(
	    asprintf(&text,
		"%s\n+1700000000000\ncase:t1\ngateway\nnotified\nwfp", h1) > 0);
	crypto_sha256_hex(text, strlen(text), want);
	free(text);
	r = test_cmd(s, 4, xr);
	assert_int_equal(r->elements, 1);
	f = r->element[0]->element[1];
	assert_int_equal(f->elements, 22);
	assert_string_equal(f->element[0]->str, "ts");
	assert_string_equal(f->element[1]->str, "1700000000000");
	for (i = 0; i < 16; i++)
		assert_string_equal(f->element[2 + i]->str, both[i]);
	assert_string_equal(f->element[18]->str, "prev");
	assert_string_equal(f->element[19]->str, TEST_ZEROS);
	assert_string_equal(f->element[21]->str, want);
	snprintf(id, sizeof(id), "%s", r->element[0]->element[0]->str);
	store_reply_free(r);
	assert_int_equal(sscanf(id, "%lld-%lld", &ms, &seq), 2);
	snprintf(id2, sizeof(id2), "%lld-%lld", ms, seq + 1);

	test_del(s, "{hbm}:audit");
	test_audit_put(s, id, both, 2, TEST_ZEROS, want);
	assert_int_equal(test_verify(s, 1, NULL), 0);

	memcpy(other, both, sizeof(other));
	other[15] = "unhcr";
	test_del(s, "{hbm}:audit");
	test_audit_put(s, id, other, 2, TEST_ZEROS, want);
	assert_int_equal(test_verify(s, 0, id), 1);

	memcpy(other, both + 8, 8 * sizeof(*other));
	memcpy(other + 8, both, 8 * sizeof(*other));
	test_del(s, "{hbm}:audit");
	test_audit_put(s, id, other, 2, TEST_ZEROS, want);
	assert_int_equal(test_verify(s, 0, id), 1);

	test_del(s, "{hbm}:audit");
	test_audit_put(s, id, both, 1, TEST_ZEROS, h1);
	test_audit_put(s, id2, both + 8, 1, h1, want);
	assert_int_equal(test_verify(s, 1, id2), 1);
}

static void
test_audit_tamper_delete(void **state)
{
	struct store *s = *state;
	char ids[5][64];
	const char *xdel[] = { "XDEL", "{hbm}:audit", ids[2] };

	test_chain(s, ids);
	test_int(s, 3, xdel);
	assert_int_equal(test_verify(s, 2, ids[3]), 1);
}

static void
test_audit_tamper_edit(void **state)
{
	const char *xr[] = { "XRANGE", "{hbm}:audit", "-", "+" };
	const char *xadd[17];
	struct store *s = *state;
	struct store_reply *r, *f;
	char ids[5][64];
	size_t i, j;

	/* Rewrite the stream with the same ids, one detail changed. */
	test_chain(s, ids);
	r = test_cmd(s, 4, xr);
	test_del(s, "{hbm}:audit");
	for (i = 0; i < r->elements; i++) {
		f = r->element[i]->element[1];
		xadd[0] = "XADD";
		xadd[1] = "{hbm}:audit";
		xadd[2] = r->element[i]->element[0]->str;
		for (j = 0; j < f->elements; j++)
			xadd[3 + j] = f->element[j]->str;
		if (i == 1)
			xadd[3 + 9] = "n1, altered";
		store_reply_free(test_cmd(s, 3 + (int)f->elements, xadd));
	}
	store_reply_free(r);
	assert_int_equal(test_verify(s, 1, ids[1]), 1);
}

static void
test_audit_tamper_head(void **state)
{
	const char *set[] = { "SET", "{hbm}:audit:head", TEST_HASH };
	struct store *s = *state;
	char ids[5][64];

	test_chain(s, ids);
	store_reply_free(test_cmd(s, 3, set));
	assert_int_equal(test_verify(s, 5, ids[4]), 1);
	test_del(s, "{hbm}:audit:head");
	assert_int_equal(test_verify(s, 5, ids[4]), 1);
}

static void
test_audit_tamper_append(void **state)
{
	struct store *s = *state;
	struct store_reply *r;
	char ids[5][64], id[64];
	const char *xadd[] = { "XADD", "{hbm}:audit", "*", "ts", "1", "subject",
		"case:t1", "actor", "x", "action", "close", "detail", "",
		"prev", TEST_ZEROS, "hash", TEST_ZEROS };

	test_chain(s, ids);
	r = test_cmd(s, 17, xadd);
	snprintf(id, sizeof(id), "%s", r->str);
	store_reply_free(r);
	assert_int_equal(test_verify(s, 5, id), 1);
}

static void
test_audit_trimmed(void **state)
{
	const char *trim[] = { "XTRIM", "{hbm}:audit", "MAXLEN", "2" };
	struct store *s = *state;
	char ids[5][64];

	char *cause = NULL, *anchor;
	long long n;

	/* Cut from the front without an anchor: the cut shows. */
	test_chain(s, ids);
	assert_int_equal(test_int(s, 4, trim), 3);
	assert_int_equal(test_verify(s, 0, ids[3]), 1);

	/* Retention trims and anchors: the rest verifies from the anchor. */
	test_del(s, "{hbm}:audit");
	test_del(s, "{hbm}:audit:head");
	test_chain(s, ids);
	assert_int_equal(audit_trim(s, ids[3], &n, &cause), 0);
	assert_int_equal(n, 3);
	anchor = test_get(s, "{hbm}:audit:anchor");
	assert_non_null(strstr(anchor, ids[2]));
	free(anchor);
	assert_int_equal(test_verify(s, 2, NULL), 0);
	/* Nothing below the id: nothing trimmed, the anchor kept. */
	assert_int_equal(audit_trim(s, ids[3], &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(test_verify(s, 2, NULL), 0);
	/* A kept entry deleted from the front still shows. */
	const char *xdel[] = { "XDEL", "{hbm}:audit", ids[3] };
	test_int(s, 3, xdel);
	assert_int_equal(test_verify(s, 0, ids[4]), 1);
	/* Everything trimmed: the head must be the anchor's. */
	test_del(s, "{hbm}:audit");
	test_del(s, "{hbm}:audit:head");
	test_del(s, "{hbm}:audit:anchor");
	test_chain(s, ids);
	assert_int_equal(audit_trim(s, "99999999999999", &n, &cause), 0);
	assert_int_equal(n, 5);
	assert_int_equal(test_verify(s, 0, NULL), 0);
	test_del(s, "{hbm}:audit:head");
	assert_int_equal(test_verify(s, 0, "head"), 1);
}

static void
test_audit_foreign_entry(void **state)
{
	const char *xadd[] = { "XADD", "{hbm}:audit:new", "*", "junk", "1" };
	const char *xr[] = { "XRANGE", "{hbm}:audit", "-", "+" };
	struct store *s = *state;
	struct store_reply *r;
	struct apply *a;
	char *cause = NULL, bad[64];
	long long chained;

	/* An entry the apply script did not write, then a real one. */
	store_reply_free(test_cmd(s, 5, xadd));
	a = apply_new("t-foreign", 1700000000000LL);
	apply_audit(a, "case:t1", "official:7", "note", "after");
	assert_int_equal(test_run(s, a), APPLY_OK);
	test_del(s, "{hbm}:op:t-foreign");
	/* Both are chained: the chain does not stop at the foreign one... */
	assert_int_equal(audit_chain_all(s, &chained, &cause), 0);
	assert_int_equal(chained, 2);
	assert_int_equal(test_xlen(s, "{hbm}:audit:new"), 0);
	/* ...and verification names it. */
	r = test_cmd(s, 4, xr);
	snprintf(bad, sizeof(bad), "%s", r->element[0]->element[0]->str);
	store_reply_free(r);
	assert_int_equal(test_verify(s, 0, bad), 1);
}

static void
test_redis_down(void **state)
{
	struct store_params p = { 0 };
	struct store *s;
	struct apply *a;
	long long entries;
	char *cause = NULL, *bad = NULL;

	(void)state;
	p.socket = "/nonexistent/hbm-test.sock";
	p.timeout_ms = 100;
	s = store_new(&p);
	a = test_ack("t-down");
	assert_int_equal(apply_run(s, a, TEST_TTL, &cause), APPLY_ERROR);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "redis"));
	free(cause);
	cause = NULL;
	apply_free(a);
	assert_int_equal(audit_verify(s, &entries, &bad, &cause), -1);
	assert_non_null(cause);
	assert_null(bad);
	free(cause);
	cause = NULL;
	assert_int_equal(audit_chain_all(s, &entries, &cause), -1);
	assert_non_null(cause);
	free(cause);
	store_free(s);
}

/* Monotonic seconds, for the figure. */
static double
test_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A typical case operation: 3 guards, 8 writes, 2 SMS, 1 audit entry. */
static struct apply *
test_typical(int i)
{
	struct apply *a;
	char opid[32], key[32], detail[32];

	snprintf(opid, sizeof(opid), "t-bench-%d", i);
	snprintf(key, sizeof(key), "{hbm}:case:b%d", i % 50);
	snprintf(detail, sizeof(detail), "ack #%d", i);
	a = apply_new(opid, 1700000000000LL + i);
	apply_guard(a, key, "state", "");
	apply_guard(a, key, "agency", "");
	apply_guard(a, key, "acked_by", "");
	apply_hset(a, key, "updated_ms", "1700000000000");
	apply_hset(a, key, "note", "near gate 3");
	apply_hincr(a, key, "version", 1);
	apply_history(a, key, "1700000000000 agency:t-wfp ack");
	apply_zadd(a, "{hbm}:agency:t-wfp:open", 1700000003600.0 + i, key);
	apply_zrem(a, "{hbm}:agency:t-unhcr:open", key);
	apply_zadd(a, "{hbm}:sla", 1700000003600.0 + i, key);
	apply_expire(a, key, 3600);
	apply_sms(a, TEST_SEALED, TEST_HASH, "Your request 4821-3957: WFP",
	    TEST_CHANNEL, "reply");
	apply_sms(a, TEST_SEALED, TEST_ZEROS, "ACK 4821-3957 received",
	    TEST_CHANNEL, "notify");
	apply_audit(a, key, "agency:t-wfp", "ack", detail);
	return a;
}

static void
test_throughput(void **state)
{
	const int n = 5000;
	struct store *s = *state;
	char key[32], opid[32], *cause = NULL;
	double t0, t1, t2, t3;
	long long chained;
	int i;

	test_del(s, "{hbm}:audit");
	test_del(s, "{hbm}:audit:new");
	test_del(s, "{hbm}:audit:head");
	test_del(s, "{hbm}:audit:anchor");
	t0 = test_seconds();
	for (i = 0; i < n; i++)
		assert_int_equal(test_run(s, test_typical(i)), APPLY_OK);
	t1 = test_seconds();
	assert_int_equal(audit_chain_all(s, &chained, &cause), 0);
	assert_int_equal(chained, n);
	t2 = test_seconds();
	assert_int_equal(test_verify(s, n, NULL), 0);
	t3 = test_seconds();
	printf("apply: %d operations (3 guards, 8 writes, 2 SMS, 1 audit) "
	       "in %.2f s: %.0f/s, %.0f us each; chain %d entries: %.2f s; "
	       "verify: %.2f s\n",
	    n, t1 - t0, n / (t1 - t0), (t1 - t0) * 1e6 / n, n, t2 - t1,
	    t3 - t2);
	assert_int_equal(test_xlen(s, TEST_OUTBOX), 2 * n);

	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "{hbm}:case:b%d", i);
		test_del(s, key);
	}
	for (i = 0; i < n; i++) {
		snprintf(opid, sizeof(opid), "{hbm}:op:t-bench-%d", i);
		test_del(s, opid);
	}
	test_del(s, "{hbm}:agency:t-wfp:open");
	test_del(s, "{hbm}:msgs:" TEST_ZEROS);
	test_clean(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ok_then_replay, setup_test),
		cmocka_unit_test_setup(test_routed, setup_test),
		cmocka_unit_test_setup(test_hdel, setup_test),
		cmocka_unit_test_setup(test_script_flush, setup_test),
		cmocka_unit_test_setup(test_guard_mismatch, setup_test),
		cmocka_unit_test_setup(test_guard_absent, setup_test),
		cmocka_unit_test_setup(test_guard_absent_row, setup_test),
		cmocka_unit_test_setup(test_guard_empty, setup_test),
		cmocka_unit_test_setup(test_values_survive, setup_test),
		cmocka_unit_test_setup(test_sealed, setup_test),
		cmocka_unit_test_setup(test_runs_and_order, setup_test),
		cmocka_unit_test_setup(test_batch, setup_test),
		cmocka_unit_test_setup(test_wrong_type, setup_test),
		cmocka_unit_test_setup(test_type_once, setup_test),
		cmocka_unit_test_setup(test_expire_once, setup_test),
		cmocka_unit_test_setup(test_zadd_once, setup_test),
		cmocka_unit_test_setup(test_ids_block, setup_test),
		cmocka_unit_test_setup(test_log_run, setup_test),
		cmocka_unit_test_setup(test_case_sms, setup_test),
		cmocka_unit_test_setup(test_case_sms_json, setup_test),
		cmocka_unit_test_setup(test_sms_in_record, setup_test),
		cmocka_unit_test_setup(test_refused, setup_test),
		cmocka_unit_test_setup(test_audit_chain, setup_test),
		cmocka_unit_test_setup(test_audit_lines, setup_test),
		cmocka_unit_test_setup(test_audit_tamper_delete, setup_test),
		cmocka_unit_test_setup(test_audit_tamper_edit, setup_test),
		cmocka_unit_test_setup(test_audit_tamper_head, setup_test),
		cmocka_unit_test_setup(test_audit_tamper_append, setup_test),
		cmocka_unit_test_setup(test_audit_trimmed, setup_test),
		cmocka_unit_test_setup(test_audit_foreign_entry, setup_test),
		cmocka_unit_test(test_redis_down),
		cmocka_unit_test_setup(test_throughput, setup_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
