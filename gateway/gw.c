/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration snapshots and per-thread Redis connections.
 *
 * Configurations are reference counted under one mutex: a request holds the
 * snapshot it started with, so a reload never changes settings under it,
 * and a retired snapshot is freed by whoever drops its last reference.
 * Redis connections live in thread-local storage and are freed by a
 * pthread key destructor when a worker thread ends.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "lib/crypto.h"
#include "gateway/compact.h"
#include "gateway/durable.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "gateway/outbox.h"
#include "store/store.h"
#include "lib/xmalloc.h"

struct gw_snapshot {
	struct cfg *cfg; /* owned */
	int refs;	 /* holders, plus one while current */
	struct gw_snapshot *next;
};

static pthread_mutex_t gw_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gw_snapshot *gw_snapshots; /* current first, then retired */
static pthread_key_t gw_store_key;
static pthread_once_t gw_store_once = PTHREAD_ONCE_INIT;
static time_t gw_start;
static struct crypto_key *gw_privacy_key; /* set by gw_init, read-only */

static void
gw_store_free_cb(void *arg)
{
	store_free(arg);
}

static void
gw_store_key_init(void)
{
	if (pthread_key_create(&gw_store_key, gw_store_free_cb) != 0)
		fatalx("gw: pthread_key_create");
}

/* CFG's privacy key, or NULL with *CAUSE: unset, unreadable or unsafe. */
static struct crypto_key *
gw_key_load(const struct cfg *cfg, char **cause)
{
	if (cfg->privacy.key_file == NULL) {
		xasprintf(cause,
		    "%s: privacy.key_file: required to store "
		    "phone numbers (create one with hbmgwd "
		    "--gen-key FILE)",
		    cfg->path);
		return NULL;
	}
	return crypto_key_load(cfg->privacy.key_file, cause);
}

int
gw_key_check(const struct cfg *cfg, char **cause)
{
	struct crypto_key *k;

	if ((k = gw_key_load(cfg, cause)) == NULL)
		return -1;
	crypto_key_free(k);
	return 0;
}

/*
 * The channel of an SMS a case operation queues (apply_router): the one
 * outbox_pick_channel() chooses for its number now.
 */
static int
gw_route_sms(void *arg, const char *to_sealed, char buf[APPLY_CHANNEL_MAX])
{
	const struct cfg *cfg;
	const char *ch;
	char *plain = NULL, *cause = NULL;
	size_t len;
	int rc = -1;

	(void)arg;
	if (crypto_open(gw_privacy_key, to_sealed, &plain, &len, &cause) ==
	    -1) {
		log_warnx("cases: an SMS's number: %s", cause);
		free(cause);
		return -1;
	}
	cfg = gw_cfg_get();
	if ((ch = outbox_pick_channel(cfg, plain, NULL)) != NULL &&
	    strlen(ch) < APPLY_CHANNEL_MAX) {
		memcpy(buf, ch, strlen(ch) + 1);
		rc = 0;
	}
	gw_cfg_put(cfg);
	free(plain);
	return rc;
}

int
gw_init(struct cfg *cfg, char **cause)
{
	if ((gw_privacy_key = gw_key_load(cfg, cause)) == NULL)
		return -1;
	gw_start = time(NULL);
	pthread_once(&gw_store_once, gw_store_key_init);
	gw_cfg_swap(cfg);
	apply_set_router(gw_route_sms, NULL);
	apply_set_key(gw_privacy_key);
	return 0;
}

const struct crypto_key *
gw_key(void)
{
	return gw_privacy_key;
}

/* Drop one reference to S; free it when it was the last. Lock held. */
static void
gw_unref(struct gw_snapshot *s)
{
	struct gw_snapshot **pp;

	if (--s->refs > 0)
		return;
	for (pp = &gw_snapshots; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	cfg_free(s->cfg);
	free(s);
}

void
gw_cfg_swap(struct cfg *new_cfg)
{
	struct gw_snapshot *s, *old;

	s = xcalloc(1, sizeof(*s));
	s->cfg = new_cfg;
	s->refs = 1;
	pthread_mutex_lock(&gw_lock);
	old = gw_snapshots;
	s->next = old;
	gw_snapshots = s;
	if (old != NULL)
		gw_unref(old);
	pthread_mutex_unlock(&gw_lock);
}

const struct cfg *
gw_cfg_get(void)
{
	const struct cfg *cfg;

	pthread_mutex_lock(&gw_lock);
	if (gw_snapshots == NULL)
		fatalx("gw: no configuration");
	gw_snapshots->refs++;
	cfg = gw_snapshots->cfg;
	pthread_mutex_unlock(&gw_lock);
	return cfg;
}

void
gw_cfg_put(const struct cfg *cfg)
{
	struct gw_snapshot *s;

	pthread_mutex_lock(&gw_lock);
	for (s = gw_snapshots; s != NULL && s->cfg != cfg; s = s->next)
		;
	if (s == NULL)
		fatalx("gw: releasing an unknown configuration");
	gw_unref(s);
	pthread_mutex_unlock(&gw_lock);
}

/*
 * Every new connection: the persistence settings (which may refuse it),
 * then how compact Redis keeps records (only ever a note).
 */
static int
gw_connect_cb(struct store *st, char **cause)
{
	if (durable_connect_cb(st, cause) == -1)
		return -1;
	return compact_check(st, cause);
}

struct store *
gw_store_open(const struct cfg *cfg)
{
	struct store_sentinel *sv = NULL;
	struct store_params p;
	struct store *st;
	size_t i, n = cfg->redis.sentinels.n;

	if (n > 0) {
		sv = xcalloc(n, sizeof(*sv));
		for (i = 0; i < n; i++) {
			sv[i].host = cfg->redis.sentinel_addrs[i].host;
			sv[i].port = cfg->redis.sentinel_addrs[i].port;
		}
	}
	p.host = cfg->redis.host;
	p.port = cfg->redis.port;
	p.socket = cfg->redis.socket;
	p.password = cfg->redis.password;
	p.db = cfg->redis.db;
	p.timeout_ms = cfg->redis.timeout_ms;
	p.connect_cb = gw_connect_cb;
	p.sentinels = sv;
	p.nsentinels = n;
	p.master = cfg->redis.master;
	p.sentinel_password = cfg->redis.sentinel_password;
	st = store_new(&p);
	free(sv);
	return st;
}

struct store *
gw_store(void)
{
	const struct cfg *cfg;
	struct store *st;

	if ((st = pthread_getspecific(gw_store_key)) != NULL)
		return st;
	cfg = gw_cfg_get();
	st = gw_store_open(cfg);
	gw_cfg_put(cfg);
	if (pthread_setspecific(gw_store_key, st) != 0)
		fatalx("gw: pthread_setspecific");
	return st;
}

void
gw_shutdown(void)
{
	struct store *st;

	/* The key may never have been made (no gw_init(), no gw_store()):
	 * key 0 would then be another library's. */
	pthread_once(&gw_store_once, gw_store_key_init);
	if ((st = pthread_getspecific(gw_store_key)) != NULL) {
		store_free(st);
		pthread_setspecific(gw_store_key, NULL);
	}
	pthread_mutex_lock(&gw_lock);
	if (gw_snapshots != NULL)
		gw_unref(gw_snapshots);
	pthread_mutex_unlock(&gw_lock);
	crypto_key_free(gw_privacy_key);
	gw_privacy_key = NULL;
}

time_t
gw_started(void)
{
	return gw_start;
}
