/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instance lease and its heartbeat thread (see lease.h).
 *
 * lease_start() runs on the main thread before any consumer starts: it
 * opens the heartbeat's own Redis connection, starts the thread and waits
 * for its first decision. The thread owns the connection and the lease
 * value; it takes or renews the lease with one script (the value is ours,
 * or the key is free), and publishes whether it holds it in an atomic flag
 * that the consumers read. At start a lease held by someone else is
 * watched: renewed (its time to live grows, or its value changes) means a
 * live daemon with our name, and the start is refused; never renewed means
 * a dead one, and its lease is waited out. Once running, a lease found in
 * other hands is an error the daemon survives: it stops consuming and
 * says so until the lease is free again.
 *
 * The scripts are store/lua/lease_take.lua and store/lua/lease_drop.lua.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/cfg.h"
#include "lib/backoff.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/gw.h"
#include "gateway/lease.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/lease_drop.h"
#include "lua/lease_take.h"
#include "store/keys.h"

#define LEASE_WATCH_MS 250 /* how often a lease in other hands is read */

/* Take or renew the lease: store/lua/lease_take.lua. */
static struct store_script lease_take_script = {
	.name = "lease_take",
	.body = LUA_LEASE_TAKE,
};

/* Drop the lease if it is ours: store/lua/lease_drop.lua. */
static struct store_script lease_drop_script = {
	.name = "lease_drop",
	.body = LUA_LEASE_DROP,
};

enum lease_decision {
	LEASE_DECIDING, /* the thread has not answered lease_start() yet */
	LEASE_GO,	/* held, or Redis unreachable: start the consumers */
	LEASE_REFUSED,	/* another live daemon has our name */
};

/* What the heartbeat thread saw of a lease in other hands. */
struct lease_watch {
	long long since;   /* monotonic ms of the first look, or -1 */
	long long pttl;	   /* its time to live then, ms */
	char *value;	   /* owned; its value then */
	int complained;	   /* boolean: the loss was logged */
	long long lost_at; /* monotonic ms the loss was logged */
};

static struct {
	pthread_t thread;
	int running;		 /* boolean: thread started, not joined */
	struct store *st;	 /* owned; the thread's while it runs */
	char *instance;		 /* owned */
	char *path;		 /* owned; the configuration file, for errors */
	char key[LEASE_KEY_MAX]; /* {hbm}:instance:<instance> */
	char *value;		 /* owned; "<token> <host>:<pid>" */
	atomic_int held;	 /* boolean, read by the consumers */
	atomic_int stopping;
	pthread_mutex_t lock; /* guards decision, cause; with wake */
	pthread_cond_t wake;  /* CLOCK_MONOTONIC: decisions, stop */
	enum lease_decision decision;
	char *cause; /* owned; why the start was refused */
} lease = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t lease_once = PTHREAD_ONCE_INIT;

static void
lease_wake_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lease.wake, &ca);
	pthread_condattr_destroy(&ca);
}

int
lease_key(const char *instance, char key[LEASE_KEY_MAX])
{
	int n;

	n = snprintf(key, LEASE_KEY_MAX, "%s%s", KEY_INSTANCE_PREFIX, instance);
	return n < 0 || n >= LEASE_KEY_MAX ? -1 : 0;
}

const char *
lease_holder(const char *value)
{
	const char *sp = strchr(value, ' ');

	return sp != NULL && sp[1] != '\0' ? sp + 1 : value;
}

int
lease_held(void)
{
	return atomic_load(&lease.held);
}

const char *
lease_instance(void)
{
	return lease.instance;
}

/* Wait MS, or less when lease_stop() is called. */
static void
lease_sleep(long long ms)
{
	struct timespec ts;
	long long until = clock_mono_ms() + ms;

	ts.tv_sec = until / 1000;
	ts.tv_nsec = (until % 1000) * 1000000;
	pthread_mutex_lock(&lease.lock);
	while (!atomic_load(&lease.stopping) &&
	    pthread_cond_timedwait(&lease.wake, &lease.lock, &ts) == 0)
		;
	pthread_mutex_unlock(&lease.lock);
}

/* Answer lease_start(): D, with CAUSE (taken) when refused. */
static void
lease_decide(enum lease_decision d, char *cause)
{
	pthread_mutex_lock(&lease.lock);
	if (lease.decision == LEASE_DECIDING) {
		lease.decision = d;
		lease.cause = cause;
		cause = NULL;
		pthread_cond_broadcast(&lease.wake);
	}
	pthread_mutex_unlock(&lease.lock);
	free(cause);
}

static void
lease_set_held(int held)
{
	atomic_store(&lease.held, held);
	metrics_set("hbmgw_instance_lease_held", "", held);
}

/*
 * Take or renew the lease: 1 when it is ours, 0 when someone else holds
 * it (*other, owned, and *pttl set), -1 with *cause when Redis failed.
 */
static int
lease_take(char **other, long long *pttl, char **cause)
{
	char ttl[16];
	const char *argv[3] = { lease.key, lease.value, ttl };
	struct store_reply *r;
	int rc = -1;

	snprintf(ttl, sizeof(ttl), "%d", LEASE_TTL_MS);
	r = store_eval(lease.st, &lease_take_script, 1, 3, argv, NULL, cause);
	if (r == NULL)
		return -1;
	if (r->type == STORE_ARRAY && r->elements == 1 &&
	    r->element[0]->type == STORE_INTEGER)
		rc = 1;
	else if (r->type == STORE_ARRAY && r->elements == 3 &&
	    r->element[1]->type == STORE_STRING &&
	    r->element[2]->type == STORE_INTEGER) {
		*other = xstrdup(r->element[1]->str);
		*pttl = r->element[2]->integer;
		rc = 0;
	} else
		xasprintf(cause, "redis: lease_take: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
	store_reply_free(r);
	return rc;
}

/*
 * At start, the lease is in other hands (OTHER, owned, PTTL ms to live):
 * refuse when it was renewed while watched or never ends (-1); otherwise
 * wait (0).
 */
static int
lease_watch_start(struct lease_watch *w, char *other, long long pttl)
{
	long long now = clock_mono_ms();
	char *cause;

	if (w->since < 0 && pttl >= 0) {
		log_warnx("lease: instance %s: %s is held by %s; waiting up to "
			  "%d s for it to expire, in case that daemon is gone",
		    lease.instance, lease.key, lease_holder(other),
		    (LEASE_TTL_MS + LEASE_MARGIN_MS) / 1000);
		w->since = now;
		w->pttl = pttl;
		w->value = other;
		return 0;
	}
	if (pttl < 0 || strcmp(other, w->value) != 0 || pttl > w->pttl ||
	    now - w->since > LEASE_TTL_MS + LEASE_MARGIN_MS) {
		xasprintf(&cause,
		    "lease: instance %s is already running (%s %s by %s): "
		    "give each daemon sharing this Redis its own "
		    "gateway.instance in %s",
		    lease.instance, lease.key,
		    pttl < 0 ? "never expires, held" : "renewed",
		    lease_holder(other), lease.path);
		free(other);
		lease_decide(LEASE_REFUSED, cause);
		return -1;
	}
	w->pttl = pttl;
	free(other);
	return 0;
}

/* Once running, the lease is in other hands (OTHER, owned): stop. */
static void
lease_lost(struct lease_watch *w, char *other)
{
	long long now = clock_mono_ms();

	if (atomic_load(&lease.held) || !w->complained ||
	    now - w->lost_at >= 60000) {
		log_errx("lease: instance %s: %s is held by %s, not by this "
			 "daemon (pid %ld): two daemons run with "
			 "gateway.instance = \"%s\"; this one consumes nothing "
			 "until the lease is free",
		    lease.instance, lease.key, lease_holder(other),
		    (long)getpid(), lease.instance);
		if (atomic_load(&lease.held))
			metrics_add("hbmgw_instance_lease_lost_total", "", 1);
		w->complained = 1;
		w->lost_at = now;
	}
	lease_set_held(0);
	free(other);
}

static void *
lease_thread(void *arg)
{
	struct backoff outage = { 0, 0 };
	struct lease_watch w = { -1, 0, NULL, 0, 0 };
	long long last_ok = -1, pttl = 0, started = clock_mono_ms();
	char *other = NULL, *cause = NULL;
	int starting = 1, wait;

	(void)arg;
	while (!atomic_load(&lease.stopping)) {
		switch (lease_take(&other, &pttl, &cause)) {
		case 1:
			backoff_ok(&outage, "lease");
			last_ok = clock_mono_ms();
			if (!atomic_load(&lease.held))
				log_info("lease: instance %s: %s held%s",
				    lease.instance, lease.key,
				    w.since >= 0 && starting
					? ", the stale one having expired"
					: "");
			if (w.since >= 0 && starting)
				log_info(
				    "lease: waited %lld ms", last_ok - started);
			lease_set_held(1);
			lease_decide(LEASE_GO, NULL);
			starting = 0;
			w.complained = 0;
			lease_sleep(LEASE_RENEW_MS);
			break;
		case 0:
			backoff_ok(&outage, "lease");
			if (starting) {
				if (lease_watch_start(&w, other, pttl) == -1)
					goto out;
				lease_sleep(LEASE_WATCH_MS);
			} else {
				lease_lost(&w, other);
				lease_sleep(LEASE_RENEW_MS);
			}
			other = NULL;
			break;
		default:
			/* Consumers stop before the lease can end in Redis. */
			if (atomic_load(&lease.held) && last_ok >= 0 &&
			    clock_mono_ms() - last_ok >=
				LEASE_TTL_MS - LEASE_RENEW_MS) {
				log_warnx("lease: instance %s: not renewed for "
					  "%d s: consuming paused",
				    lease.instance,
				    (LEASE_TTL_MS - LEASE_RENEW_MS) / 1000);
				lease_set_held(0);
			}
			if (starting) {
				/* Nothing to wait for: start, and keep trying. */
				log_warnx("lease: instance %s: redis "
					  "unreachable; consumers start once "
					  "the lease is held",
				    lease.instance);
				lease_decide(LEASE_GO, NULL);
				starting = 0;
			}
			wait = backoff_fail(&outage, "lease", cause);
			cause = NULL;
			lease_sleep(
			    wait < LEASE_RENEW_MS ? wait : LEASE_RENEW_MS);
			break;
		}
	}
out:
	free(w.value);
	return NULL;
}

/* The value that marks the lease as ours: token, host and pid. */
static char *
lease_value(char **cause)
{
	unsigned char rnd[16];
	char hex[33], host[256], *v;
	size_t i;

	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		xasprintf(cause, "lease: no random bytes for the token");
		return NULL;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	xasprintf(&v, "%s %s:%ld", hex, host, (long)getpid());
	return v;
}

static void
lease_clear(void)
{
	store_free(lease.st);
	lease.st = NULL;
	free(lease.instance);
	free(lease.path);
	free(lease.value);
	free(lease.cause);
	lease.instance = lease.path = lease.value = lease.cause = NULL;
	lease_set_held(0);
}

int
lease_start(const struct cfg *cfg, char **cause)
{
	pthread_once(&lease_once, lease_wake_init);
	if (lease_key(cfg->gateway.instance, lease.key) == -1) {
		xasprintf(cause, "lease: gateway.instance: too long");
		return -1;
	}
	if ((lease.value = lease_value(cause)) == NULL)
		return -1;
	lease.instance = xstrdup(cfg->gateway.instance);
	lease.path = xstrdup(cfg->path);
	lease.st = gw_store_open(cfg);
	lease.decision = LEASE_DECIDING;
	atomic_store(&lease.stopping, 0);
	lease_set_held(0);
	metrics_add("hbmgw_instance_lease_lost_total", "", 0);
	if (pthread_create(&lease.thread, NULL, lease_thread, NULL) != 0) {
		xasprintf(cause, "lease: cannot start a thread");
		lease_clear();
		return -1;
	}
	lease.running = 1;
	pthread_mutex_lock(&lease.lock);
	while (lease.decision == LEASE_DECIDING)
		pthread_cond_wait(&lease.wake, &lease.lock);
	pthread_mutex_unlock(&lease.lock);
	if (lease.decision == LEASE_REFUSED) {
		pthread_join(lease.thread, NULL);
		lease.running = 0;
		*cause = lease.cause;
		lease.cause = NULL;
		lease_clear();
		return -1;
	}
	return 0;
}

void
lease_stop(void)
{
	const char *argv[2];
	struct store_reply *r;
	char *cause = NULL;

	if (!lease.running)
		return;
	pthread_mutex_lock(&lease.lock);
	atomic_store(&lease.stopping, 1);
	pthread_cond_broadcast(&lease.wake);
	pthread_mutex_unlock(&lease.lock);
	pthread_join(lease.thread, NULL);
	lease.running = 0;
	if (atomic_load(&lease.held)) {
		/* The thread has ended: its connection is ours now. */
		argv[0] = lease.key;
		argv[1] = lease.value;
		r = store_eval(
		    lease.st, &lease_drop_script, 1, 2, argv, NULL, &cause);
		if (r == NULL) {
			log_warnx("lease: release: %s", cause);
			free(cause);
		}
		store_reply_free(r);
	}
	lease_clear();
}
