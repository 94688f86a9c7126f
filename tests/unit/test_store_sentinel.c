/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c with redis.sentinels against a scripted server on loopback that
 * answers both as a sentinel (SENTINEL get-master-addr-by-name names its own
 * address, or another server's) and as the data server (AUTH, ROLE, PING,
 * SET), so each answer a real sentinel or a demoted primary can give is
 * produced on demand: an unknown master, a replica named as the primary,
 * READONLY, a new primary named while connected, and a sentinel that is not
 * running.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

/* The scripted server; fields below lock are shared with its threads. */
struct fake {
	int fd;	  /* listening socket */
	int port; /* its loopback port */
	pthread_t thread;
	pthread_mutex_t lock;
	int know_master;   /* boolean: SENTINEL names our address, else nil */
	int replica;	   /* boolean: ROLE says slave */
	int readonly;	   /* boolean: SET answers READONLY */
	int sentinel_asks; /* SENTINEL commands answered */
	int name_port;	   /* port SENTINEL names; 0: our own */
	int data_conns;	   /* ROLE commands answered: data connections */
	char auths[128];   /* AUTH passwords received, each followed by ',' */
};

/* One request's arguments (at most 4, each up to 127 bytes), or -1 at EOF. */
static int
fake_read(FILE *in, char argv[4][128])
{
	char line[160];
	int argc, i;
	long len;

	if (fgets(line, sizeof line, in) == NULL || line[0] != '*')
		return -1;
	argc = atoi(line + 1);
	for (i = 0; i < argc; i++) {
		if (fgets(line, sizeof line, in) == NULL || line[0] != '$')
			return -1;
		len = atol(line + 1);
		if (len < 0 || len > 127 || i >= 4)
			return -1;
		if (fread(argv[i], 1, (size_t)len + 2, in) != (size_t)len + 2)
			return -1;
		argv[i][len] = '\0';
	}
	return argc;
}

/* Answer one request on FD as the script says. */
static void
fake_answer(struct fake *f, int fd, int argc, char argv[4][128])
{
	char buf[256];
	int n;

	pthread_mutex_lock(&f->lock);
	if (strcasecmp(argv[0], "AUTH") == 0 && argc == 2) {
		strncat(
		    f->auths, argv[1], sizeof f->auths - strlen(f->auths) - 2);
		strcat(f->auths, ",");
		n = snprintf(buf, sizeof buf, "+OK\r\n");
	} else if (strcasecmp(argv[0], "SENTINEL") == 0) {
		f->sentinel_asks++;
		if (f->know_master && argc == 3 &&
		    strcmp(argv[2], "mymaster") == 0) {
			char port[8];

			snprintf(port, sizeof port, "%d",
			    f->name_port != 0 ? f->name_port : f->port);
			n = snprintf(buf, sizeof buf,
			    "*2\r\n$9\r\n127.0.0.1\r\n$%zu\r\n%s\r\n",
			    strlen(port), port);
		} else
			n = snprintf(buf, sizeof buf, "*-1\r\n");
	} else if (strcasecmp(argv[0], "ROLE") == 0) {
		f->data_conns++;
		n = snprintf(buf, sizeof buf, "%s",
		    f->replica ? "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n"
				 ":6379\r\n$9\r\nconnected\r\n:0\r\n"
			       : "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
	} else if (strcasecmp(argv[0], "PING") == 0)
		n = snprintf(buf, sizeof buf, "+PONG\r\n");
	else if (strcasecmp(argv[0], "SET") == 0)
		n = snprintf(buf, sizeof buf, "%s",
		    f->readonly ? "-READONLY You can't write against a read "
				  "only replica.\r\n"
				: "+OK\r\n");
	else
		n = snprintf(buf, sizeof buf, "-ERR unknown command\r\n");
	pthread_mutex_unlock(&f->lock);
	if (write(fd, buf, (size_t)n) != n)
		return;
}

struct fake_conn {
	struct fake *f;
	int fd;
};

/* Serve one client until it closes. */
static void *
fake_conn_cb(void *arg)
{
	struct fake_conn *c = arg;
	char argv[4][128];
	FILE *in;
	int argc;

	if ((in = fdopen(c->fd, "r")) == NULL) {
		close(c->fd);
		free(c);
		return NULL;
	}
	while ((argc = fake_read(in, argv)) > 0)
		fake_answer(c->f, c->fd, argc, argv);
	fclose(in);
	free(c);
	return NULL;
}

/* Accept clients, one thread each, until the listening socket is shut. */
static void *
fake_accept_cb(void *arg)
{
	struct fake *f = arg;
	struct fake_conn *c;
	pthread_t t;
	int fd;

	while ((fd = accept(f->fd, NULL, NULL)) != -1) {
		c = calloc(1, sizeof(*c));
		assert_non_null(c);
		c->f = f;
		c->fd = fd;
		assert_int_equal(pthread_create(&t, NULL, fake_conn_cb, c), 0);
		pthread_detach(t);
	}
	return NULL;
}

/* A loopback TCP socket bound to a free port; listening when LISTEN. */
static int
loopback_socket(int *port, int listen_too)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	if (listen_too)
		assert_int_equal(listen(fd, 16), 0);
	return fd;
}

/* Start a scripted server on a free loopback port. */
static struct fake *
fake_start(void)
{
	struct fake *f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	pthread_mutex_init(&f->lock, NULL);
	f->know_master = 1;
	f->fd = loopback_socket(&f->port, 1);
	assert_int_equal(
	    pthread_create(&f->thread, NULL, fake_accept_cb, f), 0);
	return f;
}

static void
fake_stop(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->fd);
	free(f);
}

static int
setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	*state = fake_start();
	return 0;
}

static int
teardown(void **state)
{
	fake_stop(*state);
	return 0;
}

/* A store whose sentinels are a closed port, then the fake. */
static struct store *
open_store(struct fake *f, const char *password, const char *spassword)
{
	struct store_sentinel sv[2];
	struct store_params p = { 0 };
	int dead_port, fd;

	fd = loopback_socket(&dead_port, 0);
	close(fd);
	sv[0].host = "127.0.0.1";
	sv[0].port = dead_port;
	sv[1].host = "127.0.0.1";
	sv[1].port = f->port;
	p.sentinels = sv;
	p.nsentinels = 2;
	p.master = "mymaster";
	p.password = password;
	p.sentinel_password = spassword;
	p.timeout_ms = 500;
	return store_new(&p);
}

static void
set_flag(struct fake *f, int *flag, int v)
{
	pthread_mutex_lock(&f->lock);
	*flag = v;
	pthread_mutex_unlock(&f->lock);
}

static int
asks(struct fake *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->sentinel_asks;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* SET through the store; 1 when it was answered OK. */
static int
set_ok(struct store *st, char **cause)
{
	struct store_reply *r;
	int ok;

	r = store_commandl(st, cause, "SET", "k", "v", NULL);
	if (r == NULL)
		return 0;
	ok = r->type == STORE_STATUS;
	store_reply_free(r);
	return ok;
}

/* The dead sentinel is skipped; passwords go where they belong. */
static void
test_finds_primary(void **state)
{
	struct fake *f = *state;
	struct store *st;
	char *cause = NULL;

	st = open_store(f, "data-pw", "sentinel-pw");
	assert_int_equal(store_ping(st, &cause), 0);
	assert_null(cause);
	assert_true(store_connected(st));
	assert_int_equal(asks(f), 1);
	assert_true(set_ok(st, &cause));
	pthread_mutex_lock(&f->lock);
	assert_string_equal(f->auths, "sentinel-pw,data-pw,");
	pthread_mutex_unlock(&f->lock);
	store_free(st);
}

static void
test_unknown_master(void **state)
{
	struct fake *f = *state;
	struct store *st;
	char *cause = NULL;

	set_flag(f, &f->know_master, 0);
	st = open_store(f, NULL, NULL);
	assert_int_equal(store_ping(st, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "no sentinel named the primary"));
	assert_non_null(strstr(cause, "master mymaster is unknown"));
	assert_false(store_connected(st));
	free(cause);
	store_free(st);
}

/* A replica named as the primary (mid-failover) is not written to. */
static void
test_replica_refused(void **state)
{
	struct fake *f = *state;
	struct store *st;
	char *cause = NULL;

	set_flag(f, &f->replica, 1);
	st = open_store(f, NULL, NULL);
	assert_int_equal(store_ping(st, &cause), -1);
	assert_non_null(strstr(cause, "is a slave, not the primary"));
	assert_false(store_connected(st));
	free(cause);
	store_free(st);
}

/* READONLY drops the connection; the next call asks the sentinels again. */
static void
test_readonly_rediscovers(void **state)
{
	struct fake *f = *state;
	struct store *st;
	char *cause = NULL;

	st = open_store(f, NULL, NULL);
	assert_true(set_ok(st, &cause));
	assert_int_equal(asks(f), 1);
	set_flag(f, &f->readonly, 1);
	assert_false(set_ok(st, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "read-only now (master mymaster)"));
	assert_false(store_connected(st));
	free(cause);
	cause = NULL;
	set_flag(f, &f->readonly, 0);
	assert_true(set_ok(st, &cause));
	assert_null(cause);
	assert_int_equal(asks(f), 2);
	store_free(st);
}

static int
count(struct fake *f, const int *n)
{
	int v;

	pthread_mutex_lock(&f->lock);
	v = *n;
	pthread_mutex_unlock(&f->lock);
	return v;
}

/*
 * While connected, the store asks again after the recheck interval: it
 * moves when the sentinel names another primary, and stays when the
 * sentinel no longer answers.
 */
static void
test_recheck_follows(void **state)
{
	struct fake *f = *state, *g = fake_start();
	struct store *st;
	char *cause = NULL;

	st = open_store(f, NULL, NULL);
	assert_true(set_ok(st, &cause));
	assert_int_equal(count(f, &f->data_conns), 1);
	set_flag(f, &f->name_port, g->port);
	usleep(600 * 1000); /* past the 500 ms recheck interval */
	assert_true(set_ok(st, &cause));
	assert_null(cause);
	assert_int_equal(count(g, &g->data_conns), 1);
	assert_int_equal(count(f, &f->data_conns), 1);
	set_flag(f, &f->know_master, 0);
	usleep(600 * 1000);
	assert_true(set_ok(st, &cause));
	assert_true(store_connected(st));
	assert_int_equal(count(g, &g->data_conns), 1);
	store_free(st);
	fake_stop(g);
}

/* No sentinel answers: fails with the last reason, then backs off. */
static void
test_no_sentinel(void **state)
{
	struct store_sentinel sv[1];
	struct store_params p = { 0 };
	struct store *st;
	char *cause = NULL;
	int port, fd;

	(void)state;
	fd = loopback_socket(&port, 0);
	close(fd);
	sv[0].host = "127.0.0.1";
	sv[0].port = port;
	p.sentinels = sv;
	p.nsentinels = 1;
	p.master = "mymaster";
	p.timeout_ms = 500;
	st = store_new(&p);
	assert_int_equal(store_ping(st, &cause), -1);
	assert_non_null(strstr(cause, "no sentinel named the primary"));
	assert_non_null(strstr(cause, "Connection refused"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_ping(st, &cause), -1);
	assert_non_null(strstr(cause, "next attempt in"));
	free(cause);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_finds_primary, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unknown_master, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_replica_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_readonly_rediscovers, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_recheck_follows, setup, teardown),
		cmocka_unit_test(test_no_sentinel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
