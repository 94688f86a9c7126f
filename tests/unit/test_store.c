/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c against a real redis-server: the harness (tests/run.sh) starts one
 * and names its socket in HBM_TEST_REDIS_SOCKET.
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

#include "store/store.h"
#include "lua/test_incrby.h"

static struct store *
test_store_open(const char *socket)
{
	struct store_params p = { 0 };

	p.socket = socket;
	p.timeout_ms = 500;
	return store_new(&p);
}

static int
setup(void **state)
{
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	/* As in hbmgwd: a write to a closed connection is an error, not death. */
	signal(SIGPIPE, SIG_IGN);
	*state = test_store_open(sock);
	return 0;
}

static int
teardown(void **state)
{
	store_free(*state);
	return 0;
}

static void
test_ping(void **state)
{
	char *cause = NULL;

	assert_int_equal(store_ping(*state, &cause), 0);
	assert_null(cause);
	assert_true(store_connected(*state));
}

static void
test_binary_arguments(void **state)
{
	const char *set[] = { "SET", "hbm:test:bin", "a\0b%s\r\n" };
	const size_t setlen[] = { 3, 12, 8 };
	struct store_reply *r;
	char *cause = NULL;

	r = store_command(*state, 3, set, setlen, &cause);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_STATUS);
	store_reply_free(r);
	r = store_commandl(*state, &cause, "GET", "hbm:test:bin", NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_STRING);
	assert_int_equal(r->len, 8);
	assert_memory_equal(r->str, "a\0b%s\r\n", 8);
	store_reply_free(r);
}

static void
test_reply_types(void **state)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(*state, &cause, "DEL", "hbm:test:list", NULL);
	assert_int_equal(r->type, STORE_INTEGER);
	store_reply_free(r);
	r = store_commandl(
	    *state, &cause, "RPUSH", "hbm:test:list", "x", "y", NULL);
	assert_int_equal(r->type, STORE_INTEGER);
	assert_int_equal(r->integer, 2);
	store_reply_free(r);
	r = store_commandl(
	    *state, &cause, "LRANGE", "hbm:test:list", "0", "-1", NULL);
	assert_int_equal(r->type, STORE_ARRAY);
	assert_int_equal(r->elements, 2);
	assert_string_equal(r->element[1]->str, "y");
	store_reply_free(r);
	r = store_commandl(*state, &cause, "GET", "hbm:test:none", NULL);
	assert_int_equal(r->type, STORE_NIL);
	store_reply_free(r);
	/* A Redis-level error is a reply, not a connection failure. */
	r = store_commandl(*state, &cause, "NOSUCHCOMMAND", NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_ERROR);
	assert_true(store_connected(*state));
	store_reply_free(r);
}

/* tests/unit/lua/incrby.lua */
static struct store_script test_script = {
	.name = "test",
	.body = LUA_TEST_INCRBY,
};

static void
test_eval_reloads_after_flush(void **state)
{
	const char *argv[] = { "hbm:test:n", "5" };
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(*state, &cause, "DEL", "hbm:test:n", NULL);
	store_reply_free(r);
	r = store_eval(*state, &test_script, 1, 2, argv, NULL, &cause);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	assert_int_equal(r->integer, 5);
	store_reply_free(r);
	/* After SCRIPT FLUSH, EVALSHA answers NOSCRIPT: loaded again. */
	r = store_commandl(*state, &cause, "SCRIPT", "FLUSH", NULL);
	store_reply_free(r);
	r = store_eval(*state, &test_script, 1, 2, argv, NULL, &cause);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	assert_int_equal(r->integer, 10);
	store_reply_free(r);
}

static void
test_reconnects_after_kill(void **state)
{
	struct store_reply *r;
	char *cause = NULL;

	assert_int_equal(store_ping(*state, &cause), 0);
	/* Redis closes our connection, as it does when it restarts. */
	r = store_commandl(
	    *state, &cause, "CLIENT", "KILL", "SKIPME", "no", NULL);
	store_reply_free(r);
	assert_int_equal(store_ping(*state, &cause), 0);
	assert_null(cause);
	assert_true(store_connected(*state));
}

/*
 * A command on a connection the server closed while it was idle is sent
 * on a new one, once: no error, and the INCR runs exactly once.
 */
static void
test_idle_close_is_not_an_error(void **state)
{
	struct store_reply *r;
	char *cause = NULL;

	struct store *other;
	char id[32];

	r = store_commandl(*state, &cause, "DEL", "t:idle", NULL);
	assert_non_null(r);
	store_reply_free(r);
	r = store_commandl(*state, &cause, "CLIENT", "ID", NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	snprintf(id, sizeof(id), "%lld", r->integer);
	store_reply_free(r);
	/*
	 * Another client kills ours, as a restart does: Redis closes the
	 * socket before it answers the killer, so the close has reached us
	 * when the answer is read. (A connection that kills itself is closed
	 * only after its own answer, and a command sent at once may race it.)
	 */
	other = test_store_open(getenv("HBM_TEST_REDIS_SOCKET"));
	r = store_commandl(other, &cause, "CLIENT", "KILL", "ID", id, NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	assert_int_equal(r->integer, 1);
	store_reply_free(r);
	store_free(other);
	r = store_commandl(*state, &cause, "INCR", "t:idle", NULL);
	assert_null(cause);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_INTEGER);
	assert_int_equal(r->integer, 1);
	store_reply_free(r);
	r = store_commandl(*state, &cause, "GET", "t:idle", NULL);
	assert_non_null(r);
	assert_string_equal(r->str, "1");
	store_reply_free(r);
}

static void
test_down_fails_fast_with_backoff(void **state)
{
	struct store *s = test_store_open("/nonexistent/redis.sock");
	char *cause = NULL;

	(void)state;
	assert_int_equal(store_ping(s, &cause), -1);
	assert_non_null(strstr(cause, "connect"));
	free(cause);
	cause = NULL;
	/* Inside the backoff window no connect is tried at all. */
	assert_int_equal(store_ping(s, &cause), -1);
	assert_non_null(strstr(cause, "next attempt"));
	assert_non_null(strstr(cause, "No such file"));
	assert_false(store_connected(s));
	free(cause);
	store_free(s);
	store_free(NULL);
}

/* The one field look-up, on a real HGETALL and XINFO-like replies. */
static void
test_field(void **state)
{
	const char *hset[] = { "HSET", "t:field", "a", "1", "b", "", "c", "x" };
	struct store_reply *r, *xi;
	char *cause = NULL;

	r = store_command(*state, 8, hset, NULL, &cause);
	assert_non_null(r);
	store_reply_free(r);
	r = store_commandl(*state, &cause, "HGETALL", "t:field", NULL);
	assert_non_null(r);
	assert_string_equal(store_fieldstr(r, "a", NULL), "1");
	assert_string_equal(store_fieldstr(r, "b", NULL), "");
	assert_string_equal(store_field(r, "c")->str, "x");
	assert_null(store_field(r, "d"));
	assert_string_equal(store_fieldstr(r, "d", "none"), "none");
	/* a value, not a field name, never matches */
	assert_null(store_field(r, "1"));
	store_reply_free(r);

	/* not an array, or nothing at all */
	r = store_commandl(*state, &cause, "PING", NULL);
	assert_non_null(r);
	assert_null(store_field(r, "PONG"));
	store_reply_free(r);
	assert_null(store_field(NULL, "a"));
	assert_string_equal(store_fieldstr(NULL, "a", ""), "");

	/* XINFO GROUPS answers integers: store_field_any() finds them */
	r = store_commandl(
	    *state, &cause, "XADD", "t:fstream", "*", "f", "v", NULL);
	assert_non_null(r);
	store_reply_free(r);
	r = store_commandl(
	    *state, &cause, "XGROUP", "CREATE", "t:fstream", "g", "0", NULL);
	assert_non_null(r);
	store_reply_free(r);
	xi = store_commandl(
	    *state, &cause, "XINFO", "GROUPS", "t:fstream", NULL);
	assert_non_null(xi);
	assert_int_equal(xi->type, STORE_ARRAY);
	assert_int_equal(xi->elements, 1);
	assert_string_equal(store_fieldstr(xi->element[0], "name", NULL), "g");
	assert_null(store_field(xi->element[0], "consumers"));
	assert_int_equal(
	    store_field_any(xi->element[0], "consumers")->type, STORE_INTEGER);
	assert_int_equal(
	    store_field_any(xi->element[0], "consumers")->integer, 0);
	store_reply_free(xi);
	r = store_commandl(*state, &cause, "DEL", "t:field", "t:fstream", NULL);
	store_reply_free(r);
	assert_null(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_binary_arguments),
		cmocka_unit_test(test_reply_types),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_eval_reloads_after_flush),
		cmocka_unit_test(test_reconnects_after_kill),
		cmocka_unit_test(test_idle_close_is_not_an_error),
		cmocka_unit_test(test_down_fails_fast_with_backoff),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
