/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for gateway/takeover.c and the pure parts of gateway/lease.c:
 * consumer names to instances (every bad name), lease keys and holders,
 * and takeover_claim() against a real redis-server (the harness names its
 * socket in HBM_TEST_REDIS_SOCKET): a dead instance's entries are claimed
 * and its consumers removed; a live instance's, our own, and consumers
 * with foreign names are left alone.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gateway/lease.h"
#include "store/store.h"
#include "gateway/takeover.h"

struct name_case {
	const char *name;
	const char *want; /* NULL: refused */
};

static const struct name_case name_cases[] = {
	{ "post-3", "post-3" },
	{ "post-3/0", "post-3" },
	{ "post-3/17", "post-3" },
	{ "a", "a" },
	{ "a/1", "a" },
	{ "host.example.org/7", "host.example.org" },
	{ "", NULL },
	{ "/", NULL },
	{ "/3", NULL },
	{ "a/", NULL },
	{ "a/x", NULL },
	{ "a/3x", NULL },
	{ "a/-1", NULL },
	{ "a/1/2", NULL },
	{ "a/b/1", NULL },
	{ "a//1", NULL },
};

static void
test_instance(void **state)
{
	char out[TAKEOVER_NAME_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		int rc = takeover_instance(c->name, out);

		if (c->want == NULL) {
			if (rc != -1)
				fail_msg(
				    "\"%s\": accepted as \"%s\"", c->name, out);
		} else {
			if (rc != 0)
				fail_msg("\"%s\": refused", c->name);
			assert_string_equal(out, c->want);
		}
	}
}

static void
test_instance_long(void **state)
{
	char name[TAKEOVER_NAME_MAX + 8], out[TAKEOVER_NAME_MAX];

	(void)state;
	memset(name, 'a', TAKEOVER_NAME_MAX - 1);
	name[TAKEOVER_NAME_MAX - 1] = '\0';
	assert_int_equal(takeover_instance(name, out), 0);
	assert_int_equal(strlen(out), TAKEOVER_NAME_MAX - 1);
	memcpy(name + TAKEOVER_NAME_MAX - 1, "/2", 3);
	assert_int_equal(takeover_instance(name, out), 0);
	memset(name, 'a', TAKEOVER_NAME_MAX);
	name[TAKEOVER_NAME_MAX] = '\0';
	assert_int_equal(takeover_instance(name, out), -1);
	memcpy(name + TAKEOVER_NAME_MAX, "/2", 3);
	assert_int_equal(takeover_instance(name, out), -1);
}

static void
test_lease_key(void **state)
{
	char key[LEASE_KEY_MAX], name[LEASE_KEY_MAX];

	(void)state;
	assert_int_equal(lease_key("post-3", key), 0);
	assert_string_equal(key, "{hbm}:instance:post-3");
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(lease_key(name, key), -1);
	/* Every name takeover_instance() accepts has a key. */
	memset(name, 'a', TAKEOVER_NAME_MAX - 1);
	name[TAKEOVER_NAME_MAX - 1] = '\0';
	assert_int_equal(lease_key(name, key), 0);
}

static void
test_lease_holder(void **state)
{
	(void)state;
	assert_string_equal(
	    lease_holder("0123abcd host-a:4242"), "host-a:4242");
	assert_string_equal(lease_holder("tokenonly"), "tokenonly");
	assert_string_equal(lease_holder("token "), "token ");
	assert_string_equal(lease_holder(""), "");
}

/* Redis-backed tests. */

#define T_STREAM "{hbm}:test:takeover"
#define T_GROUP "g"


static struct store *
test_store_open(void)
{
	struct store_params p = { 0 };
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");

	if (sock == NULL)
		return NULL;
	p.socket = sock;
	p.timeout_ms = 500;
	return store_new(&p);
}

/* Run a command that must not fail; returns its reply (caller frees). */
static struct store_reply *
test_cmd(struct store *st, const char *a0, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5, const char *a6,
    const char *a7, const char *a8)
{
	const char *argv[9] = { a0, a1, a2, a3, a4, a5, a6, a7, a8 };
	struct store_reply *r;
	char *cause = NULL;
	int argc = 0;

	while (argc < 9 && argv[argc] != NULL)
		argc++;
	r = store_command(st, argc, argv, NULL, &cause);
	if (r == NULL)
		fail_msg("%s: %s", a0, cause);
	if (r->type == STORE_ERROR)
		fail_msg("%s: %s", a0, r->str);
	return r;
}

static void
test_do(struct store *st, const char *a0, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5, const char *a6,
    const char *a7, const char *a8)
{
	store_reply_free(test_cmd(st, a0, a1, a2, a3, a4, a5, a6, a7, a8));
}

/* Pending entries of consumer NAME. */
static long long
test_pending(struct store *st, const char *name)
{
	struct store_reply *r;
	long long n;

	r = test_cmd(st, "XPENDING", T_STREAM, T_GROUP, "-", "+", "1000", name,
	    NULL, NULL);
	n = r->type == STORE_ARRAY ? (long long)r->elements : -1;
	store_reply_free(r);
	return n;
}

/* 1 when consumer NAME is in the group. */
static int
test_has_consumer(struct store *st, const char *name)
{
	struct store_reply *r;
	size_t i, j;
	int found = 0;

	r = test_cmd(st, "XINFO", "CONSUMERS", T_STREAM, T_GROUP, NULL, NULL,
	    NULL, NULL, NULL);
	for (i = 0; r->type == STORE_ARRAY && i < r->elements; i++)
		for (j = 0; j + 1 < r->element[i]->elements; j += 2)
			if (strcmp(r->element[i]->element[j]->str, "name") ==
				0 &&
			    strcmp(r->element[i]->element[j + 1]->str, name) ==
				0)
				found = 1;
	store_reply_free(r);
	return found;
}

/* Consumer NAME reads N new entries and leaves them pending. */
static void
test_read(struct store *st, const char *name, const char *n)
{
	test_do(st, "XREADGROUP", "GROUP", T_GROUP, name, "COUNT", n, "STREAMS",
	    T_STREAM, ">");
}

static void
test_claim(void **state)
{
	struct store *st = *state;
	struct store_reply *entries;
	struct timespec idle = { TAKEOVER_IDLE_MS / 1000 + 1, 0 };
	char *cause = NULL;
	int i, n, total = 0;

	test_do(st, "DEL", T_STREAM, "{hbm}:instance:live", NULL, NULL, NULL,
	    NULL, NULL, NULL);
	test_do(st, "XGROUP", "CREATE", T_STREAM, T_GROUP, "0", "MKSTREAM",
	    NULL, NULL, NULL);
	for (i = 0; i < 20; i++)
		test_do(st, "XADD", T_STREAM, "*", "msg", "m1", NULL, NULL,
		    NULL, NULL);
	test_read(st, "dead/0", "3"); /* a dead instance, entries pending */
	/* ... and one with nothing pending */
	test_do(st, "XGROUP", "CREATECONSUMER", T_STREAM, T_GROUP, "dead/1",
	    NULL, NULL, NULL, NULL);
	test_read(st, "dead", "2");   /* its consumer without a number */
	test_read(st, "live/0", "2"); /* an instance with a lease */
	test_read(st, "me/0", "2");   /* ourselves */
	test_read(st, "odd/x", "2");  /* a name none of ours would have */
	test_do(st, "SET", "{hbm}:instance:live", "t host:1", "PX", "60000",
	    NULL, NULL, NULL, NULL);

	/* Not idle long enough yet: nothing happens. */
	assert_int_equal(takeover_claim(st, T_STREAM, T_GROUP, "me", "me/1", 32,
			     &entries, &cause),
	    0);
	assert_null(entries);
	assert_true(test_has_consumer(st, "dead/1"));

	nanosleep(&idle, NULL);
	/* Each call takes one consumer's entries; call until none left. */
	for (i = 0; i < 10; i++) {
		n = takeover_claim(
		    st, T_STREAM, T_GROUP, "me", "me/1", 32, &entries, &cause);
		if (n == -1)
			fail_msg("takeover_claim: %s", cause);
		if (n == 0)
			break;
		assert_non_null(entries);
		assert_int_equal(entries->type, STORE_ARRAY);
		assert_int_equal(entries->elements, (size_t)n);
		assert_int_equal(entries->element[0]->type, STORE_ARRAY);
		store_reply_free(entries);
		total += n;
	}
	assert_int_equal(total, 5);
	assert_int_equal(test_pending(st, "me/1"), 5);
	/* The dead consumers are gone; the others are as they were. */
	assert_false(test_has_consumer(st, "dead/0"));
	assert_false(test_has_consumer(st, "dead/1"));
	assert_false(test_has_consumer(st, "dead"));
	assert_int_equal(test_pending(st, "live/0"), 2);
	assert_int_equal(test_pending(st, "me/0"), 2);
	assert_int_equal(test_pending(st, "odd/x"), 2);

	/* A count smaller than the pending entries: the rest next time. */
	test_read(st, "gone/0", "3");
	nanosleep(&idle, NULL);
	n = takeover_claim(
	    st, T_STREAM, T_GROUP, "me", "me/1", 2, &entries, &cause);
	assert_int_equal(n, 2);
	store_reply_free(entries);
	assert_true(test_has_consumer(st, "gone/0"));
	/* The claimed entries are fresh again: only the third one now. */
	n = takeover_claim(
	    st, T_STREAM, T_GROUP, "me", "me/1", 2, &entries, &cause);
	assert_int_equal(n, 1);
	store_reply_free(entries);
	assert_false(test_has_consumer(st, "gone/0"));

	/* No stream or group: nothing to do, no error. */
	assert_int_equal(takeover_claim(st, "{hbm}:test:none", T_GROUP, "me",
			     "me/1", 32, &entries, &cause),
	    0);
	test_do(st, "DEL", T_STREAM, "{hbm}:instance:live", NULL, NULL, NULL,
	    NULL, NULL, NULL);
}

static void
test_claim_down(void **state)
{
	struct store_params p = { 0 };
	struct store_reply *entries;
	struct store *st;
	char *cause = NULL;

	(void)state;
	/* Nothing listens there: -1 with a cause. */
	p.socket = "/nonexistent/redis.sock";
	p.timeout_ms = 100;
	st = store_new(&p);
	assert_int_equal(takeover_claim(st, T_STREAM, T_GROUP, "me", "me/1", 32,
			     &entries, &cause),
	    -1);
	assert_non_null(cause);
	assert_null(entries);
	free(cause);
	store_free(st);
}

static int
setup(void **state)
{
	if ((*state = test_store_open()) == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int
teardown(void **state)
{
	store_free(*state);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instance),
		cmocka_unit_test(test_instance_long),
		cmocka_unit_test(test_lease_key),
		cmocka_unit_test(test_lease_holder),
		cmocka_unit_test_setup_teardown(test_claim, setup, teardown),
		cmocka_unit_test(test_claim_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
