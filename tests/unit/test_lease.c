/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gateway/lease.c against a real redis-server (the harness names its
 * socket in HBM_TEST_REDIS_SOCKET): a free lease is taken, renewed and
 * given up; a lease another daemon renews, or one that never expires, is
 * refused; a stale one is waited out; one taken from us while running
 * stops the consumers until it is free; Redis down at start does not stop
 * the start; a name too long for a key is refused.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "lib/clock.h"
#include "gateway/gw.h"
#include "gateway/lease.h"
#include "lib/metrics.h"
#include "store/store.h"

#define T_KEY "{hbm}:instance:t"

struct t_state {
	struct cfg cfg;
	struct store *st; /* the test's own connection */
};

static void
t_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Run a command that must not fail; its reply, freed by the caller. */
static struct store_reply *
t_cmd(struct store *st, const char *a0, const char *a1, const char *a2,
    const char *a3, const char *a4)
{
	const char *argv[5] = { a0, a1, a2, a3, a4 };
	struct store_reply *r;
	char *cause = NULL;
	int argc = 0;

	while (argc < 5 && argv[argc] != NULL)
		argc++;
	if ((r = store_command(st, argc, argv, NULL, &cause)) == NULL)
		fail_msg("%s: %s", a0, cause);
	if (r->type == STORE_ERROR)
		fail_msg("%s: %s", a0, r->str);
	return r;
}

static void
t_do(struct store *st, const char *a0, const char *a1, const char *a2,
    const char *a3, const char *a4)
{
	store_reply_free(t_cmd(st, a0, a1, a2, a3, a4));
}

/* The lease's value, or "" when there is none. */
static void
t_value(struct store *st, char *out, size_t len)
{
	struct store_reply *r = t_cmd(st, "GET", T_KEY, NULL, NULL, NULL);

	snprintf(out, len, "%s", r->type == STORE_STRING ? r->str : "");
	store_reply_free(r);
}

/* Wait up to MS for lease_held() to be WANT. */
static int
t_wait_held(int want, long ms)
{
	long long until = clock_mono_ms() + ms;

	while (lease_held() != want) {
		if (clock_mono_ms() > until)
			return 0;
		t_sleep_ms(20);
	}
	return 1;
}

static int
setup(void **state)
{
	static struct t_state s;
	struct store_params p = { 0 };
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof(s));
	s.cfg.path = (char *)(uintptr_t) "test.conf";
	s.cfg.gateway.instance = (char *)(uintptr_t) "t";
	s.cfg.redis.socket = (char *)(uintptr_t)sock;
	s.cfg.redis.timeout_ms = 500;
	p.socket = sock;
	p.timeout_ms = 500;
	s.st = store_new(&p);
	t_do(s.st, "DEL", T_KEY, NULL, NULL, NULL);
	*state = &s;
	return 0;
}

static int
teardown(void **state)
{
	struct t_state *s = *state;

	t_do(s->st, "DEL", T_KEY, NULL, NULL, NULL);
	store_free(s->st);
	return 0;
}

static void
test_take_renew_release(void **state)
{
	struct t_state *s = *state;
	struct store_reply *r;
	char *cause = NULL, v1[300], v2[300];

	assert_int_equal(lease_start(&s->cfg, &cause), 0);
	assert_true(lease_held());
	assert_string_equal(lease_instance(), "t");
	t_value(s->st, v1, sizeof(v1));
	/* "<32 hex> <host>:<pid>" */
	assert_true(strlen(v1) > 34);
	assert_int_equal(strspn(v1, "0123456789abcdef"), 32);
	assert_int_equal(v1[32], ' ');
	assert_non_null(strchr(v1 + 33, ':'));
	r = t_cmd(s->st, "PTTL", T_KEY, NULL, NULL, NULL);
	assert_true(r->integer > 0 && r->integer <= LEASE_TTL_MS);
	store_reply_free(r);
	/* Renewed: still there, with the same value, after one TTL. */
	t_sleep_ms(LEASE_TTL_MS + 500);
	t_value(s->st, v2, sizeof(v2));
	assert_string_equal(v1, v2);
	assert_true(lease_held());
	lease_stop();
	assert_false(lease_held());
	assert_null(lease_instance());
	t_value(s->st, v2, sizeof(v2));
	assert_string_equal(v2, "");
}

static void
test_refuse_no_ttl(void **state)
{
	struct t_state *s = *state;
	char *cause = NULL;

	t_do(s->st, "SET", T_KEY, "x other:1", NULL, NULL);
	assert_int_equal(lease_start(&s->cfg, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "instance t is already running"));
	assert_non_null(strstr(cause, "never expires, held by other:1"));
	assert_non_null(strstr(cause, "gateway.instance in test.conf"));
	free(cause);
	assert_false(lease_held());
	lease_stop(); /* nothing to stop: a no-op */
}

static atomic_int t_renewing;

/* Another daemon: renews the lease every 300 ms. */
static void *
t_renew_thread(void *arg)
{
	struct store *st = arg;

	while (atomic_load(&t_renewing)) {
		t_do(st, "SET", T_KEY, "y other:2", "PX", "6000");
		t_sleep_ms(300);
	}
	return NULL;
}

static void
test_refuse_renewed(void **state)
{
	struct t_state *s = *state;
	struct store_params p = { 0 };
	struct store *st2;
	pthread_t th;
	char *cause = NULL;

	p.socket = s->cfg.redis.socket;
	p.timeout_ms = 500;
	st2 = store_new(&p);
	atomic_store(&t_renewing, 1);
	assert_int_equal(pthread_create(&th, NULL, t_renew_thread, st2), 0);
	t_sleep_ms(100);
	assert_int_equal(lease_start(&s->cfg, &cause), -1);
	assert_non_null(strstr(cause, "renewed by other:2"));
	free(cause);
	atomic_store(&t_renewing, 0);
	pthread_join(th, NULL);
	store_free(st2);
	t_do(s->st, "DEL", T_KEY, NULL, NULL, NULL);
}

static void
test_stale_waited_out(void **state)
{
	struct t_state *s = *state;
	char *cause = NULL, v[300];
	long long t0 = clock_mono_ms(), took;

	t_do(s->st, "SET", T_KEY, "z gone:3", "PX", "1500");
	assert_int_equal(lease_start(&s->cfg, &cause), 0);
	took = clock_mono_ms() - t0;
	assert_true(took >= 1000);
	assert_true(took < LEASE_TTL_MS + LEASE_MARGIN_MS);
	assert_true(lease_held());
	t_value(s->st, v, sizeof(v));
	assert_null(strstr(v, "gone:3"));
	lease_stop();
}

static void
test_taken_while_running(void **state)
{
	struct t_state *s = *state;
	char *cause = NULL;
	double lost;

	assert_int_equal(lease_start(&s->cfg, &cause), 0);
	lost = metrics_get("hbmgw_instance_lease_lost_total", "");
	t_do(s->st, "SET", T_KEY, "w thief:4", "PX", "60000");
	assert_true(t_wait_held(0, LEASE_RENEW_MS + 1000));
	assert_true(
	    metrics_get("hbmgw_instance_lease_lost_total", "") == lost + 1);
	assert_true(metrics_get("hbmgw_instance_lease_held", "") == 0);
	/* The thief's lease is left alone. */
	t_sleep_ms(LEASE_RENEW_MS + 200);
	assert_false(lease_held());
	/* Free again: ours again. */
	t_do(s->st, "DEL", T_KEY, NULL, NULL, NULL);
	assert_true(t_wait_held(1, LEASE_RENEW_MS + 1000));
	lease_stop();
}

static void
test_redis_down(void **state)
{
	struct t_state *s = *state;
	struct cfg cfg = s->cfg;
	char *cause = NULL;
	long long t0 = clock_mono_ms();

	cfg.redis.socket = (char *)(uintptr_t) "/nonexistent/redis.sock";
	assert_int_equal(lease_start(&cfg, &cause), 0);
	assert_true(clock_mono_ms() - t0 < 2000);
	assert_false(lease_held());
	t_sleep_ms(300);
	assert_false(lease_held());
	lease_stop();
}

static void
test_name_too_long(void **state)
{
	struct t_state *s = *state;
	struct cfg cfg = s->cfg;
	char name[LEASE_KEY_MAX], *cause = NULL;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cfg.gateway.instance = name;
	assert_int_equal(lease_start(&cfg, &cause), -1);
	assert_non_null(strstr(cause, "too long"));
	free(cause);
	lease_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_take_renew_release, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_refuse_no_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_refuse_renewed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stale_waited_out, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_taken_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redis_down, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_name_too_long, setup, teardown),
	};
	/*
	 * The lease's connections check persistence as the daemon's do, and
	 * read redis.durability from the current configuration: the
	 * default, warn, which never refuses a connection.
	 */
	static struct cfg current;

	current.path = (char *)(uintptr_t) "test.conf";
	current.redis.durability = CFG_DURABILITY_WARN;
	gw_cfg_swap(&current);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
