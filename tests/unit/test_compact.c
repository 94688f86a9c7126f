/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compact.c: the verdict on hash-max-listpack-value (pure), and the
 * reading of it from the real redis-server the harness names in
 * HBM_TEST_REDIS_SOCKET, with a record's encoding under each value.
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

#include "gateway/compact.h"
#include "store/store.h"

static const char *test_socket;

static void
test_verdict(void **state)
{
	static const char *const fine[] = { "1024", "4096", NULL, "", "x",
		"64x", "99999999999999999999" };
	static const char *const low[] = { "64", "0", "1023", "-1" };
	const char *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fine) / sizeof(*fine); i++)
		assert_null(compact_verdict(fine[i]));
	for (i = 0; i < sizeof(low) / sizeof(*low); i++) {
		assert_non_null(v = compact_verdict(low[i]));
		/* One line that says how to fix it. */
		assert_null(strchr(v, '\n'));
		assert_non_null(strstr(
		    v, "set hash-max-listpack-value 1024 in redis.conf"));
	}
}

static struct store *
test_store(void)
{
	struct store_params p = { 0 };

	p.socket = test_socket;
	p.timeout_ms = 500;
	return store_new(&p);
}

/* Run the command ARGV (NULL-terminated strings); its reply. */
static struct store_reply *
test_cmd(struct store *st, const char *a, const char *b, const char *c,
    const char *d)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(st, &cause, a, b, c, d, NULL);
	if (r == NULL)
		fail_msg("%s", cause);
	return r;
}

/* The encoding of a hash written as a message record is, under VALUE. */
static void
test_record_is(struct store *st, const char *value, const char *encoding)
{
	char text[200];
	struct store_reply *r;

	memset(text, 'A', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	store_reply_free(
	    test_cmd(st, "CONFIG", "SET", "hash-max-listpack-value", value));
	store_reply_free(test_cmd(st, "DEL", "{hbm}:t-msg", NULL, NULL));
	store_reply_free(
	    test_cmd(st, "HSET", "{hbm}:t-msg", "status", "queued"));
	store_reply_free(test_cmd(st, "HSET", "{hbm}:t-msg", "text", text));
	r = test_cmd(st, "OBJECT", "ENCODING", "{hbm}:t-msg", NULL);
	assert_int_equal(r->type, STORE_STRING);
	assert_string_equal(r->str, encoding);
	store_reply_free(r);
}

static void
test_read(void **state)
{
	struct store *st = test_store();
	char *problem = NULL, *cause = NULL;

	(void)state;
	/* Redis's default: a 200-byte text makes a hash table, and a note. */
	test_record_is(st, "64", "hashtable");
	assert_int_equal(compact_read(st, &problem, &cause), 0);
	assert_null(cause);
	assert_non_null(problem);
	assert_memory_equal(problem, "hash-max-listpack-value is 64: ",
	    strlen("hash-max-listpack-value is 64: "));
	free(problem);
	assert_int_equal(compact_check(st, &cause), 0);

	/* The advised value: the same record is compact, nothing to say. */
	test_record_is(st, "1024", "listpack");
	assert_int_equal(compact_read(st, &problem, &cause), 0);
	assert_null(problem);
	assert_int_equal(compact_check(st, &cause), 0);
	assert_null(cause);

	store_reply_free(
	    test_cmd(st, "CONFIG", "SET", "hash-max-listpack-value", "64"));
	store_reply_free(test_cmd(st, "DEL", "{hbm}:t-msg", NULL, NULL));
	store_free(st);
}

/* Redis unreachable: -1 and why, not a note. */
static void
test_read_down(void **state)
{
	struct store_params p = { 0 };
	struct store *st;
	char *problem = NULL, *cause = NULL;

	(void)state;
	p.socket = "/nonexistent/hbm-test.sock";
	p.timeout_ms = 100;
	st = store_new(&p);
	assert_int_equal(compact_read(st, &problem, &cause), -1);
	assert_null(problem);
	assert_non_null(cause);
	free(cause);
	store_free(st);
}

static int
setup(void **state)
{
	(void)state;
	if ((test_socket = getenv("HBM_TEST_REDIS_SOCKET")) == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_down),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
