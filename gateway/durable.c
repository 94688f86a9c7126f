/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Acknowledged means durable: the persistence check and the WAIT for
 * replicas.
 *
 * durable_connect_cb() runs on whichever thread opens a connection (every
 * thread owns one), so a Redis restarted with other settings is noticed
 * on the reconnect. What was last reported is shared behind a lock, so
 * that eight threads reconnecting log one line, and a change (fixed, or
 * weakened) logs again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "gateway/durable.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/xmalloc.h"

#define DURABLE_FIX "set appendonly yes and appendfsync always in redis.conf"

static pthread_mutex_t durable_lock = PTHREAD_MUTEX_INITIALIZER;
static char *durable_reported; /* last problem logged, "" for none; owned */
static int durable_refused;    /* the last check refused the connection */

const char *
durable_verdict(const char *appendonly, const char *appendfsync,
    const char *no_fsync_on_rewrite)
{
	if (appendonly == NULL || strcmp(appendonly, "yes") != 0)
		return "appendonly is not yes: a crash or power loss loses "
		       "every message acknowledged since the last snapshot; " DURABLE_FIX;
	if (appendfsync == NULL || strcmp(appendfsync, "always") != 0) {
		if (appendfsync != NULL && strcmp(appendfsync, "no") == 0)
			return "appendfsync is no: a power loss loses the "
			       "acknowledged messages the kernel had not yet "
			       "written (about 30 s); " DURABLE_FIX;
		return "appendfsync is not always: a power loss loses up to "
		       "about the last 2 s of acknowledged messages; " DURABLE_FIX;
	}
	if (no_fsync_on_rewrite != NULL &&
	    strcmp(no_fsync_on_rewrite, "yes") == 0)
		return "no-appendfsync-on-rewrite is yes: a power loss during "
		       "an AOF rewrite loses acknowledged messages; set it to "
		       "no in redis.conf";
	return NULL;
}

/*
 * What ST's Redis can lose: NULL when nothing, else a text (owned). -1
 * with *cause when the connection failed while reading.
 */
static int
durable_read(struct store *st, char **problem, char **cause)
{
	static const char *const names[] = { "appendonly", "appendfsync",
		"no-appendfsync-on-rewrite" };
	char *v[3] = { NULL, NULL, NULL }, *why = NULL;
	const char *verdict;
	size_t i;
	int rc = 0;

	*problem = NULL;
	for (i = 0; i < 3; i++) {
		if (store_config_get(st, names[i], &v[i], &why) == 0)
			continue;
		if (!store_connected(st)) {
			*cause = why;
			rc = -1;
		} else {
			xasprintf(problem,
			    "could not check persistence (%s): make sure "
			    "appendonly is yes and appendfsync always, or "
			    "acknowledged messages can be lost",
			    why);
			free(why);
		}
		goto out;
	}
	if ((verdict = durable_verdict(v[0], v[1], v[2])) != NULL)
		*problem = xstrdup(verdict);
out:
	for (i = 0; i < 3; i++)
		free(v[i]);
	return rc;
}

/* Log PROBLEM (or its end) unless it is what was logged last. */
static void
durable_report(const char *problem, int require)
{
	const char *now = problem != NULL ? problem : "";

	pthread_mutex_lock(&durable_lock);
	durable_refused = require && problem != NULL;
	if (durable_reported == NULL || strcmp(durable_reported, now) != 0) {
		if (problem == NULL)
			log_info("redis: persistence keeps acknowledged "
				 "messages (appendonly yes, appendfsync "
				 "always)");
		else if (require)
			log_errx("redis: %s (redis.durability is require: "
				 "Redis is treated as down)",
			    problem);
		else
			log_warnx("redis: %s", problem);
		free(durable_reported);
		durable_reported = xstrdup(now);
	}
	pthread_mutex_unlock(&durable_lock);
}

int
durable_connect_cb(struct store *st, char **cause)
{
	const struct cfg *cfg;
	char *problem = NULL;
	int require;

	if (durable_read(st, &problem, cause) == -1)
		return -1;
	cfg = gw_cfg_get();
	require = cfg->redis.durability == CFG_DURABILITY_REQUIRE;
	gw_cfg_put(cfg);
	durable_report(problem, require);
	if (problem != NULL && require) {
		xasprintf(cause, "redis: not durable: %s", problem);
		free(problem);
		return -1;
	}
	free(problem);
	return 0;
}

int
durable_startup(char **cause)
{
	char *why = NULL;
	int refused;

	if (store_ping(gw_store(), &why) == 0)
		return 0;
	pthread_mutex_lock(&durable_lock);
	refused = durable_refused;
	pthread_mutex_unlock(&durable_lock);
	if (refused) {
		xasprintf(cause,
		    "%s; redis.durability is require: refusing "
		    "to start",
		    why);
		free(why);
		return -1;
	}
	log_warnx("redis: persistence not checked at start-up (%s); it is "
		  "checked on every connection",
	    why);
	free(why);
	return 0;
}

int
durable_wait(struct store *st, char **cause)
{
	const struct cfg *cfg;
	struct store_reply *r;
	char n[16], ms[16];
	int want, rc = -1;

	cfg = gw_cfg_get();
	want = cfg->redis.wait_replicas;
	snprintf(n, sizeof(n), "%d", want);
	snprintf(ms, sizeof(ms), "%d", cfg->redis.wait_timeout_ms);
	gw_cfg_put(cfg);
	if (want == 0)
		return 0;
	if ((r = store_commandl(st, cause, "WAIT", n, ms, NULL)) == NULL)
		return -1;
	if (r->type == STORE_INTEGER && r->integer >= want)
		rc = 0;
	else if (r->type == STORE_INTEGER)
		xasprintf(cause,
		    "redis: WAIT: %lld of %d replicas confirmed within %s ms",
		    r->integer, want, ms);
	else
		xasprintf(cause, "redis: WAIT: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
	store_reply_free(r);
	return rc;
}
