/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * durable.c: the verdict on persistence settings (pure), and the check on
 * connect, the refusal under "require" and the WAIT for replicas against
 * the real redis-server the harness names in HBM_TEST_REDIS_SOCKET.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "gateway/durable.h"
#include "gateway/gw.h"
#include "store/store.h"

struct verdict_case {
	const char *appendonly, *appendfsync, *no_rewrite;
	const char *starts; /* the verdict's start, or NULL for none */
};

static const struct verdict_case verdict_cases[] = {
	{ "yes", "always", "no", NULL },
	{ "yes", "always", NULL, NULL }, /* a Redis without the setting */
	{ "no", "always", "no", "appendonly is not yes" },
	{ NULL, "always", "no", "appendonly is not yes" },
	{ "yes", "everysec", "no", "appendfsync is not always" },
	{ "yes", NULL, "no", "appendfsync is not always" },
	{ "yes", "no", "no", "appendfsync is no" },
	{ "yes", "always", "yes", "no-appendfsync-on-rewrite is yes" },
	{ "no", "everysec", "yes", "appendonly is not yes" },
};

static void
test_verdict(void **state)
{
	const struct verdict_case *c;
	const char *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(verdict_cases) / sizeof(*verdict_cases); i++) {
		c = &verdict_cases[i];
		v = durable_verdict(
		    c->appendonly, c->appendfsync, c->no_rewrite);
		if (c->starts == NULL) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		assert_memory_equal(v, c->starts, strlen(c->starts));
		/* One line that says how to fix it. */
		assert_null(strchr(v, '\n'));
		assert_non_null(strstr(v, "set "));
	}
}

static const char *test_socket;
static int test_cb_calls;

static int
test_refuse_cb(struct store *st, char **cause)
{
	struct store_reply *r;

	test_cb_calls++;
	/* The callback may use the connection it is given. */
	r = store_commandl(st, cause, "PING", NULL);
	assert_non_null(r);
	store_reply_free(r);
	*cause = strdup("refused by the test");
	return -1;
}

static struct store *
test_store(store_connect_cb cb)
{
	struct store_params p = { 0 };

	p.socket = test_socket;
	p.timeout_ms = 500;
	p.connect_cb = cb;
	return store_new(&p);
}

/* A refused connection fails like a connect, and waits out a backoff. */
static void
test_connect_cb_refuses(void **state)
{
	struct store *st;
	char *cause = NULL;

	(void)state;
	test_cb_calls = 0;
	st = test_store(test_refuse_cb);
	assert_int_equal(store_ping(st, &cause), -1);
	assert_string_equal(cause, "refused by the test");
	free(cause);
	cause = NULL;
	assert_false(store_connected(st));
	assert_int_equal(test_cb_calls, 1);
	assert_int_equal(store_ping(st, &cause), -1);
	assert_non_null(strstr(cause, "next attempt in"));
	free(cause);
	assert_int_equal(test_cb_calls, 1);
	store_free(st);
}

/* Load a configuration with these redis settings and make it current. */
static void
test_cfg(const char *redis_extra)
{
	char path[] = "/tmp/hbm-test-durable.XXXXXX";
	struct cfg *cfg;
	char *cause = NULL;
	FILE *fp;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fprintf(fp,
	    "gateway: { country_code = \"256\"; };\n"
	    "redis: { url = \"unix://%s\"; %s };\n"
	    "http: { listen = \"127.0.0.1:0\"; };\n"
	    "channels = ( { name = \"agg\"; type = \"http\"; "
	    "url = \"http://127.0.0.1:9/\"; } );\n",
	    test_socket, redis_extra);
	fclose(fp);
	cfg = cfg_load(path, &cause);
	unlink(path);
	if (cfg == NULL)
		fail_msg("%s", cause);
	gw_cfg_swap(cfg);
}

/* CONFIG SET NAME VALUE on the test Redis. */
static void
test_config_set(const char *name, const char *value)
{
	struct store *st = test_store(NULL);
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(st, &cause, "CONFIG", "SET", name, value, NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_STATUS);
	store_reply_free(r);
	store_free(st);
}

/* 0 or -1 from a first PING on a new store checked by durable.c. */
static int
test_checked_ping(char **cause)
{
	struct store *st = test_store(durable_connect_cb);
	int rc = store_ping(st, cause);

	store_free(st);
	return rc;
}

static void
test_check_on_connect(void **state)
{
	char *cause = NULL;

	(void)state;
	test_config_set("appendonly", "no");
	test_config_set("appendfsync", "everysec");

	/* "warn": the connection is used. */
	test_cfg("");
	assert_int_equal(test_checked_ping(&cause), 0);
	assert_null(cause);

	/* "require": refused, saying why; as if Redis were down. */
	test_cfg("durability = \"require\";");
	assert_int_equal(test_checked_ping(&cause), -1);
	assert_non_null(strstr(cause, "redis: not durable: appendonly"));
	free(cause);
	cause = NULL;

	test_config_set("appendonly", "yes");
	assert_int_equal(test_checked_ping(&cause), -1);
	assert_non_null(strstr(cause, "not durable: appendfsync is not"));
	free(cause);
	cause = NULL;

	test_config_set("appendfsync", "always");
	assert_int_equal(test_checked_ping(&cause), 0);
	assert_null(cause);

	test_config_set("appendonly", "no");
	test_config_set("appendfsync", "everysec");
}

/* ACL SETUSER default RULE on the test Redis. */
static void
test_acl(const char *rule)
{
	struct store *st = test_store(NULL);
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(st, &cause, "ACL", "SETUSER", "default", rule, NULL);
	assert_non_null(r);
	assert_int_equal(r->type, STORE_STATUS);
	store_reply_free(r);
	store_free(st);
}

/* A Redis that refuses CONFIG (renamed, or an ACL) cannot be checked. */
static void
test_check_config_refused(void **state)
{
	char *cause = NULL;

	(void)state;
	test_acl("-config");
	test_cfg("");
	assert_int_equal(test_checked_ping(&cause), 0);
	assert_null(cause);
	test_cfg("durability = \"require\";");
	assert_int_equal(test_checked_ping(&cause), -1);
	assert_non_null(
	    strstr(cause, "not durable: could not check persistence (CONFIG"));
	free(cause);
	test_acl("+config");
}

static void
test_wait_replicas(void **state)
{
	struct store *st = test_store(NULL);
	char *cause = NULL;

	(void)state;
	test_cfg("");
	assert_int_equal(durable_wait(st, &cause), 0);
	assert_null(cause);

	/* The test Redis has no replica: nobody confirms. */
	test_cfg("wait_replicas = 1; wait_timeout_ms = 50;");
	assert_int_equal(durable_wait(st, &cause), -1);
	assert_string_equal(
	    cause, "redis: WAIT: 0 of 1 replicas confirmed within 50 ms");
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

static int
teardown(void **state)
{
	(void)state;
	gw_shutdown(); /* the last configuration made current */
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_connect_cb_refuses),
		cmocka_unit_test(test_check_on_connect),
		cmocka_unit_test(test_check_config_refused),
		cmocka_unit_test(test_wait_replicas),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
