/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only module that includes hiredis (Debian 12: 0.14).
 *
 * A store is a lazily opened, synchronous connection owned by one thread.
 * When a connect or a command fails at the I/O level, the connection is
 * dropped and the next attempt waits out a backoff (100 ms doubling to 5 s),
 * so callers never spin and never block longer than the timeout while Redis
 * is down. A connection that was healthy is retried at once after it breaks,
 * so a Redis restart costs one failed call, not a backoff period.
 *
 * With sentinels, every connect first asks them in turn (the last one that
 * answered first) for the primary's address, and then checks with ROLE that
 * the server there is a master. A READONLY reply means the primary became a
 * replica: the connection is dropped like a broken one, so each thread's
 * store finds the new primary on its next call. A demoted primary keeps
 * accepting writes until the sentinels reconfigure it, so a connected store
 * also asks again every STORE_RECHECK_MS over a kept sentinel connection,
 * and moves when the answer changes. The address in use is shared by all
 * stores only to log a change once per process.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "lib/clock.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/xmalloc.h"

#define STORE_BACKOFF_MIN_MS 100
#define STORE_BACKOFF_MAX_MS 5000
#define STORE_ARGS_MAX 64
#define STORE_RECHECK_MS 500 /* how often a connected store asks again */

/* A sentinel's address, owned. */
struct store_addr {
	char *host;
	int port;
};

struct store {
	char *host; /* owned; NULL for unix sockets; with sentinels, the
		       primary they named last */
	int port;
	char *socket;	/* owned; NULL for TCP */
	char *password; /* owned; or NULL */
	int db;
	int timeout_ms;
	redisContext *ctx;  /* NULL while disconnected */
	long long retry_at; /* monotonic ms before which we fail fast */
	int backoff_ms;	    /* next wait after a failed connect */
	char *last_error;   /* owned; why the last connect failed */

	/* Run on each new connection, or NULL; in_connect_cb while it runs. */
	store_connect_cb connect_cb;
	int in_connect_cb;
	struct store_addr *sentinels; /* owned; or NULL */
	size_t nsentinels;
	size_t sentinel_first;	 /* index of the sentinel to ask first, and
				  of the one sctx is connected to */
	redisContext *sctx;	 /* to a sentinel that answered, or NULL */
	long long recheck_at;	 /* monotonic ms of the next recheck */
	char *master;		 /* owned; with sentinels */
	char *sentinel_password; /* owned; or NULL */
};

/* The primary the last store to find one connected to, "host:port". */
static pthread_mutex_t store_primary_lock = PTHREAD_MUTEX_INITIALIZER;
static char store_primary[300];

struct store *
store_new(const struct store_params *p)
{
	struct store *s;
	size_t i;

	s = xcalloc(1, sizeof(*s));
	s->host = p->host != NULL ? xstrdup(p->host) : NULL;
	s->port = p->port;
	s->socket = p->socket != NULL ? xstrdup(p->socket) : NULL;
	s->password = p->password != NULL ? xstrdup(p->password) : NULL;
	s->db = p->db;
	s->timeout_ms = p->timeout_ms > 0 ? p->timeout_ms : 1000;
	s->backoff_ms = STORE_BACKOFF_MIN_MS;
	s->connect_cb = p->connect_cb;
	if (p->nsentinels > 0) {
		s->sentinels = xcalloc(p->nsentinels, sizeof(*s->sentinels));
		for (i = 0; i < p->nsentinels; i++) {
			s->sentinels[i].host = xstrdup(p->sentinels[i].host);
			s->sentinels[i].port = p->sentinels[i].port;
		}
		s->nsentinels = p->nsentinels;
		s->master = xstrdup(p->master != NULL ? p->master : "");
		s->sentinel_password = p->sentinel_password != NULL
		    ? xstrdup(p->sentinel_password)
		    : NULL;
		free(s->socket);
		s->socket = NULL;
	}
	return s;
}

static void
store_disconnect(struct store *s)
{
	if (s->ctx != NULL) {
		redisFree(s->ctx);
		s->ctx = NULL;
	}
}

void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	store_disconnect(s);
	if (s->sctx != NULL)
		redisFree(s->sctx);
	free(s->host);
	free(s->socket);
	free(s->password);
	free(s->last_error);
	for (i = 0; i < s->nsentinels; i++)
		free(s->sentinels[i].host);
	free(s->sentinels);
	free(s->master);
	free(s->sentinel_password);
	free(s);
}

int
store_connected(const struct store *s)
{
	return s->ctx != NULL;
}

int
store_timeout_ms(const struct store *s)
{
	return s->timeout_ms;
}

static void
store_set_error(struct store *s, const char *what)
{
	free(s->last_error);
	s->last_error = xstrdup(what);
}

/*
 * Replies on the data connection are built by hiredis's reader straight
 * into struct store_reply, each node one allocation (a string's bytes and
 * an array's element pointers follow the node), rather than as
 * redisReply trees copied and freed after: a stream read of a batch has
 * hundreds of elements, and this halves their allocations and copies.
 */
static struct store_reply *
store_node(const redisReadTask *task, enum store_type type, size_t extra)
{
	struct store_reply *r, *parent;

	r = xcalloc(1, sizeof(*r) + extra);
	r->type = type;
	if (task->parent != NULL) {
		parent = task->parent->obj;
		parent->element[task->idx] = r;
	}
	return r;
}

static void *
store_read_string(const redisReadTask *task, char *str, size_t len)
{
	struct store_reply *r;
	enum store_type type;

	type = task->type == REDIS_REPLY_ERROR ? STORE_ERROR
	    : task->type == REDIS_REPLY_STATUS ? STORE_STATUS
					       : STORE_STRING;
	r = store_node(task, type, len + 1);
	r->str = (char *)(r + 1);
	memcpy(r->str, str, len);
	r->len = len;
	return r;
}

static void *
store_read_array(const redisReadTask *task, int elements)
{
	struct store_reply *r;
	size_t n = elements > 0 ? (size_t)elements : 0;

	r = store_node(task, STORE_ARRAY, n * sizeof(r->element[0]));
	r->element = (struct store_reply **)(void *)(r + 1);
	r->elements = n;
	return r;
}

static void *
store_read_integer(const redisReadTask *task, long long v)
{
	struct store_reply *r = store_node(task, STORE_INTEGER, 0);

	r->integer = v;
	return r;
}

static void *
store_read_nil(const redisReadTask *task)
{
	return store_node(task, STORE_NIL, 0);
}

static void
store_read_free(void *r)
{
	store_reply_free(r);
}

static redisReplyObjectFunctions store_reply_fns = {
	.createString = store_read_string,
	.createArray = store_read_array,
	.createInteger = store_read_integer,
	.createNil = store_read_nil,
	.freeObject = store_read_free,
};

void
store_reply_free(struct store_reply *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->elements; i++)
		store_reply_free(r->element[i]);
	free(r);
}

/* Send a setup command on a fresh context; 0 when Redis answered OK. */
static int
store_setup(redisContext *c, int argc, const char **argv, char **cause)
{
	redisReply *r;
	int rc = 0;

	r = redisCommandArgv(c, argc, argv, NULL);
	if (r == NULL) {
		xasprintf(cause, "redis: %s: %s", argv[0], c->errstr);
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		xasprintf(cause, "redis: %s: %s", argv[0], r->str);
		rc = -1;
	}
	freeReplyObject(r);
	return rc;
}

/* Open a context to HOST:PORT (or SOCKET) with the store's timeout. */
static redisContext *
store_open(struct store *s, const char *host, int port, const char *socket,
    char **cause)
{
	struct timeval tv;
	redisContext *c;

	tv.tv_sec = s->timeout_ms / 1000;
	tv.tv_usec = (s->timeout_ms % 1000) * 1000;
	if (socket != NULL)
		c = redisConnectUnixWithTimeout(socket, tv);
	else
		c = redisConnectWithTimeout(host, port, tv);
	if (c == NULL) {
		xasprintf(cause, "redis: connect: out of memory");
		return NULL;
	}
	if (c->err) {
		xasprintf(cause, "redis: connect: %s", c->errstr);
		goto fail;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		xasprintf(cause, "redis: set timeout: %s", c->errstr);
		goto fail;
	}
	if (socket == NULL)
		redisEnableKeepAlive(c);
	return c;
fail:
	redisFree(c);
	return NULL;
}

/*
 * Ask sentinel K for the primary's address into *host (allocated) and
 * *port, over the kept connection when it is to K; the connection is kept
 * when it answers and dropped when it does not.
 */
static int
store_ask_sentinel(
    struct store *s, size_t k, char **host, int *port, char **cause)
{
	const struct store_addr *sa = &s->sentinels[k];
	const char *auth[] = { "AUTH", s->sentinel_password };
	const char *ask[] = { "SENTINEL", "get-master-addr-by-name",
		s->master };
	redisReply *r = NULL;
	char *why = NULL;
	long p;
	int rc = -1;

	if (s->sctx != NULL && s->sentinel_first != k) {
		redisFree(s->sctx);
		s->sctx = NULL;
	}
	if (s->sctx == NULL) {
		s->sentinel_first = k;
		s->sctx = store_open(s, sa->host, sa->port, NULL, &why);
		if (s->sctx == NULL)
			goto out;
		if (s->sentinel_password != NULL &&
		    store_setup(s->sctx, 2, auth, &why) == -1)
			goto out;
	}
	if ((r = redisCommandArgv(s->sctx, 3, ask, NULL)) == NULL)
		xasprintf(&why, "redis: %s", s->sctx->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		xasprintf(&why, "redis: %s", r->str);
	else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		xasprintf(&why, "redis: master %s is unknown", s->master);
	else if ((p = strtol(r->element[1]->str, NULL, 10)) < 1 || p > 65535)
		xasprintf(&why, "redis: bad port for master %s", s->master);
	else {
		*host = xstrdup(r->element[0]->str);
		*port = (int)p;
		rc = 0;
	}
out:
	if (rc == -1) {
		xasprintf(cause, "sentinel %s:%d: %s", sa->host, sa->port, why);
		if (s->sctx != NULL) {
			redisFree(s->sctx);
			s->sctx = NULL;
		}
	}
	free(why);
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

/*
 * Ask the sentinels in turn, the last that answered first, for the
 * primary's address into *host (allocated) and *port.
 */
static int
store_discover(struct store *s, char **host, int *port, char **cause)
{
	char *why = NULL;
	size_t i, k, first = s->sentinel_first;

	for (i = 0; i < s->nsentinels; i++) {
		k = (first + i) % s->nsentinels;
		free(why);
		why = NULL;
		if (store_ask_sentinel(s, k, host, port, &why) == 0) {
			s->recheck_at = clock_mono_ms() + STORE_RECHECK_MS;
			return 0;
		}
		log_debug("store: %s", why);
	}
	xasprintf(cause, "redis: no sentinel named the primary (master %s): %s",
	    s->master, why);
	free(why);
	return -1;
}

/*
 * Every STORE_RECHECK_MS while connected, ask the sentinels again: 1 when
 * they name another primary (a failover while the old one still answers),
 * 0 when they name this one or none answers.
 */
static int
store_recheck(struct store *s)
{
	char *host = NULL, *why = NULL;
	int port, moved;

	if (clock_mono_ms() < s->recheck_at)
		return 0;
	if (store_discover(s, &host, &port, &why) == -1) {
		log_debug("store: recheck: %s", why);
		free(why);
		s->recheck_at = clock_mono_ms() + STORE_RECHECK_MS;
		return 0;
	}
	moved = port != s->port || strcmp(host, s->host) != 0;
	free(host);
	return moved;
}

/* Whether the server on C is a master (ROLE); the primary must be. */
static int
store_check_role(struct store *s, redisContext *c, char **cause)
{
	redisReply *r;
	int rc = -1;

	if ((r = redisCommand(c, "ROLE")) == NULL) {
		xasprintf(cause, "redis: ROLE: %s", c->errstr);
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR)
		xasprintf(cause, "redis: ROLE: %s", r->str);
	else if (r->type != REDIS_REPLY_ARRAY || r->elements == 0 ||
	    r->element[0]->type != REDIS_REPLY_STRING)
		xasprintf(cause, "redis: ROLE: unexpected reply");
	else if (strcmp(r->element[0]->str, "master") != 0)
		xasprintf(cause,
		    "redis: %s:%d is a %s, not the primary (master %s)",
		    s->host, s->port, r->element[0]->str, s->master);
	else
		rc = 0;
	freeReplyObject(r);
	return rc;
}

/* Log the primary the sentinels named when it differs from the last one. */
static void
store_primary_note(const struct store *s)
{
	char addr[sizeof(store_primary)];

	snprintf(addr, sizeof(addr), "%s:%d", s->host, s->port);
	pthread_mutex_lock(&store_primary_lock);
	if (strcmp(addr, store_primary) != 0) {
		memcpy(store_primary, addr, sizeof(store_primary));
		log_info(
		    "redis: primary is now %s (master %s)", addr, s->master);
	}
	pthread_mutex_unlock(&store_primary_lock);
}

static int
store_connect(struct store *s, char **cause)
{
	redisContext *c = NULL;
	char db[16], *host;
	int port;
	const char *auth[] = { "AUTH", s->password };
	const char *sel[] = { "SELECT", db };
	long long now = clock_mono_ms();
	int rc;

	if (s->in_connect_cb) {
		xasprintf(cause, "redis: connection lost while checking it");
		return -1;
	}
	if (now < s->retry_at) {
		xasprintf(cause, "redis: down, next attempt in %lld ms (%s)",
		    s->retry_at - now,
		    s->last_error != NULL ? s->last_error : "not connected");
		return -1;
	}
	if (s->nsentinels > 0) {
		if (store_discover(s, &host, &port, cause) == -1)
			goto fail;
		free(s->host);
		s->host = host;
		s->port = port;
	}
	if ((c = store_open(s, s->host, s->port, s->socket, cause)) == NULL)
		goto fail;
	if (s->password != NULL && store_setup(c, 2, auth, cause) == -1)
		goto fail;
	snprintf(db, sizeof(db), "%d", s->db);
	if (s->db != 0 && store_setup(c, 2, sel, cause) == -1)
		goto fail;
	if (s->nsentinels > 0) {
		if (store_check_role(s, c, cause) == -1)
			goto fail;
		store_primary_note(s);
	}
	/* From here on, replies are read as struct store_reply. */
	c->reader->fn = &store_reply_fns;
	s->ctx = c;
	c = NULL;
	if (s->connect_cb != NULL) {
		s->in_connect_cb = 1;
		rc = s->connect_cb(s, cause);
		s->in_connect_cb = 0;
		if (rc == -1) {
			store_disconnect(s);
			goto fail;
		}
	}
	s->backoff_ms = STORE_BACKOFF_MIN_MS;
	s->retry_at = 0;
	return 0;

fail:
	if (c != NULL)
		redisFree(c);
	store_set_error(s, *cause);
	s->retry_at = now + s->backoff_ms;
	s->backoff_ms *= 2;
	if (s->backoff_ms > STORE_BACKOFF_MAX_MS)
		s->backoff_ms = STORE_BACKOFF_MAX_MS;
	return -1;
}

struct store_reply *
store_reply_strings(const char *const *v, size_t n)
{
	redisReadTask top = { .type = REDIS_REPLY_ARRAY };
	redisReadTask t = { .type = REDIS_REPLY_STRING, .parent = &top };
	size_t i;

	top.obj = store_read_array(&top, (int)n);
	for (i = 0; i < n; i++) {
		t.idx = (int)i;
		store_read_string(&t, (char *)(uintptr_t)v[i], strlen(v[i]));
	}
	return top.obj;
}

const struct store_reply *
store_field_any(const struct store_reply *r, const char *field)
{
	size_t i;

	if (r == NULL || r->type != STORE_ARRAY)
		return NULL;
	for (i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == STORE_STRING &&
		    strcmp(r->element[i]->str, field) == 0)
			return r->element[i + 1];
	return NULL;
}

const struct store_reply *
store_field(const struct store_reply *r, const char *field)
{
	const struct store_reply *v = store_field_any(r, field);

	return v != NULL && v->type == STORE_STRING ? v : NULL;
}

const char *
store_fieldstr(const struct store_reply *r, const char *field, const char *dflt)
{
	const struct store_reply *v = store_field(r, field);

	return v != NULL ? v->str : dflt;
}

/*
 * 1 when the server has closed connection C while it sat idle (Redis
 * restarted, or its client timeout): its end of the socket reads as ended.
 * Nothing is waiting to be read on an idle connection, so a peek that
 * finds bytes or would block means the connection is alive.
 */
static int
store_closed_by_peer(const redisContext *c)
{
	char b;
	ssize_t n;

	do
		n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	return n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK);
}

struct store_reply *
store_command(struct store *s, int argc, const char **argv,
    const size_t *argvlen, char **cause)
{
	struct store_reply *r;

	/* The sentinels named another primary: follow it now. */
	if (s->ctx != NULL && s->nsentinels > 0 && store_recheck(s) == 1)
		store_disconnect(s);
	/*
	 * Connect again before sending rather than fail this command: it has
	 * not been sent, so it cannot run twice.
	 */
	if (s->ctx != NULL && store_closed_by_peer(s->ctx))
		store_disconnect(s);
	if (s->ctx == NULL && store_connect(s, cause) == -1)
		return NULL;
	r = redisCommandArgv(s->ctx, argc, argv, argvlen);
	if (r == NULL) {
		xasprintf(cause, "redis: %s", s->ctx->errstr);
		store_set_error(s, *cause);
		/* The next call reconnects at once: Redis may be back. */
		store_disconnect(s);
		return NULL;
	}
	if (s->nsentinels > 0 && r->type == STORE_ERROR &&
	    strncmp(r->str, "READONLY", 8) == 0) {
		xasprintf(cause, "redis: %s:%d is read-only now (master %s)",
		    s->host, s->port, s->master);
		store_reply_free(r);
		store_set_error(s, *cause);
		/* The next call asks the sentinels for the new primary. */
		store_disconnect(s);
		return NULL;
	}
	return r;
}

struct store_reply *
store_commandl(struct store *s, char **cause, ...)
{
	const char *argv[STORE_ARGS_MAX];
	const char *a;
	va_list ap;
	int argc = 0;

	va_start(ap, cause);
	while ((a = va_arg(ap, const char *)) != NULL) {
		if (argc == STORE_ARGS_MAX)
			fatalx("store: more than %d arguments", STORE_ARGS_MAX);
		argv[argc++] = a;
	}
	va_end(ap);
	return store_command(s, argc, argv, NULL, cause);
}

int
store_ping(struct store *s, char **cause)
{
	struct store_reply *r;
	int was_up = s->ctx != NULL, rc;

	r = store_commandl(s, cause, "PING", NULL);
	if (r == NULL && was_up) {
		free(*cause);
		*cause = NULL;
		r = store_commandl(s, cause, "PING", NULL);
	}
	if (r == NULL)
		return -1;
	rc = 0;
	if (r->type == STORE_ERROR) {
		xasprintf(cause, "redis: PING: %s", r->str);
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

int
store_config_get(struct store *s, const char *name, char **value, char **cause)
{
	struct store_reply *r;
	int rc = -1;

	*value = NULL;
	if ((r = store_commandl(s, cause, "CONFIG", "GET", name, NULL)) == NULL)
		return -1;
	if (r->type == STORE_ARRAY && r->elements == 2 &&
	    r->element[1]->type == STORE_STRING) {
		*value = xstrdup(r->element[1]->str);
		rc = 0;
	} else if (r->type == STORE_ARRAY && r->elements == 0) {
		rc = 0; /* a Redis without this setting */
	} else
		xasprintf(cause, "CONFIG GET %s: %s", name,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
	store_reply_free(r);
	return rc;
}

static int
store_is_noscript(const struct store_reply *r)
{
	return r->type == STORE_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0;
}

/* Fill in a script's SHA-1 once; scripts are shared by all threads. */
static void
store_script_sha(struct store_script *sc)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	if (sc->sha[0] == '\0')
		crypto_sha1_hex(sc->body, strlen(sc->body), sc->sha);
	pthread_mutex_unlock(&lock);
}

struct store_reply *
store_eval(struct store *s, struct store_script *sc, int nkeys, int argc,
    const char **argv, const size_t *argvlen, char **cause)
{
	const char *stack_args[STORE_ARGS_MAX], **args = stack_args;
	size_t stack_lens[STORE_ARGS_MAX], *lens = stack_lens;
	struct store_reply *r;
	char nk[16];
	int i;

	/* Batches (the outbox's) may pass more than a stack's worth. */
	if (argc + 3 > STORE_ARGS_MAX) {
		args = xcalloc((size_t)argc + 3, sizeof(*args));
		lens = xcalloc((size_t)argc + 3, sizeof(*lens));
	}
	store_script_sha(sc);
	snprintf(nk, sizeof(nk), "%d", nkeys);
	args[0] = "EVALSHA";
	args[1] = sc->sha;
	args[2] = nk;
	for (i = 0; i < 3; i++)
		lens[i] = strlen(args[i]);
	for (i = 0; i < argc; i++) {
		args[3 + i] = argv[i];
		lens[3 + i] = argvlen != NULL ? argvlen[i] : strlen(argv[i]);
	}
	r = store_command(s, argc + 3, args, lens, cause);
	if (r == NULL || !store_is_noscript(r))
		goto out;
	store_reply_free(r);
	log_debug("store: script %s: loading", sc->name);
	r = store_commandl(s, cause, "SCRIPT", "LOAD", sc->body, NULL);
	if (r == NULL)
		goto out;
	if (r->type == STORE_ERROR) {
		xasprintf(cause, "redis: script %s: %s", sc->name, r->str);
		store_reply_free(r);
		r = NULL;
		goto out;
	}
	store_reply_free(r);
	r = store_command(s, argc + 3, args, lens, cause);
out:
	if (args != stack_args) {
		free(args);
		free(lens);
	}
	return r;
}
