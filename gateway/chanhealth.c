/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Channels' state, breakers and queues: chanhealth.h. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg.h"
#include "gateway/chanhealth.h"

#define CHANHEALTH_MAX 64 /* channels on record */

struct chanhealth_chan {
	char name[CFG_ID_MAX];
	struct chanhealth_info info; /* up is computed when asked */
	long long probe_at;	     /* monotonic ms of the next probe */
	long long probe_every;	     /* ms; doubles while probes fail */
};

static pthread_mutex_t chanhealth_lock = PTHREAD_MUTEX_INITIALIZER;
static chanhealth_probe_cb chanhealth_probe;
static struct chanhealth_chan chanhealth_chans[CHANHEALTH_MAX];
static size_t chanhealth_n;

/* NAME's record, made when ADD; NULL when unknown or full. Locked. */
static struct chanhealth_chan *
chanhealth_find(const char *name, int add)
{
	struct chanhealth_chan *c;
	size_t i;

	for (i = 0; i < chanhealth_n; i++)
		if (strcmp(chanhealth_chans[i].name, name) == 0)
			return &chanhealth_chans[i];
	if (!add || chanhealth_n == CHANHEALTH_MAX)
		return NULL;
	c = &chanhealth_chans[chanhealth_n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

void
chanhealth_set_probe(chanhealth_probe_cb probe)
{
	pthread_mutex_lock(&chanhealth_lock);
	chanhealth_probe = probe;
	pthread_mutex_unlock(&chanhealth_lock);
}

int
chanhealth_up(const char *name)
{
	const struct chanhealth_chan *c;
	chanhealth_probe_cb probe;
	int open;

	pthread_mutex_lock(&chanhealth_lock);
	probe = chanhealth_probe;
	c = chanhealth_find(name, 0);
	open = c != NULL && c->info.open;
	pthread_mutex_unlock(&chanhealth_lock);
	/* The probe takes modem locks: called without ours. */
	return !open && (probe == NULL || probe(name) != 0);
}

void
chanhealth_sent(const char *name, long long now_ms)
{
	struct chanhealth_chan *c;

	pthread_mutex_lock(&chanhealth_lock);
	if ((c = chanhealth_find(name, 1)) != NULL) {
		c->info.open = 0;
		c->info.failures = 0;
		c->info.last_ok = now_ms;
		c->probe_every = 0;
	}
	pthread_mutex_unlock(&chanhealth_lock);
}

int
chanhealth_failed(const char *name, const char *error, long long now_ms)
{
	struct chanhealth_chan *c;
	int opened = 0;

	pthread_mutex_lock(&chanhealth_lock);
	if ((c = chanhealth_find(name, 1)) != NULL) {
		c->info.failures++;
		c->info.last_error_at = now_ms;
		snprintf(c->info.last_error, sizeof(c->info.last_error), "%s",
		    error != NULL && *error != '\0' ? error : "send failed");
		if (!c->info.open && c->info.failures >= CHANHEALTH_TRIP) {
			c->info.open = 1;
			opened = 1;
			/* The first probe is scheduled by chanhealth_allow(). */
			c->probe_at = 0;
			c->probe_every = 0;
		}
	}
	pthread_mutex_unlock(&chanhealth_lock);
	return opened;
}

int
chanhealth_allow(const char *name, long long now, long long *wait_ms)
{
	struct chanhealth_chan *c;
	int n = -1;

	*wait_ms = 0;
	pthread_mutex_lock(&chanhealth_lock);
	c = chanhealth_find(name, 0);
	if (c != NULL && c->info.open) {
		if (c->probe_every == 0) {
			/* Just opened: the first probe after an interval. */
			c->probe_every = CHANHEALTH_PROBE_MS;
			c->probe_at = now + c->probe_every;
		}
		if (now >= c->probe_at) {
			n = 1;
			c->probe_every *= 2;
			if (c->probe_every > CHANHEALTH_PROBE_MAX_MS)
				c->probe_every = CHANHEALTH_PROBE_MAX_MS;
			c->probe_at = now + c->probe_every;
		} else {
			n = 0;
			*wait_ms = c->probe_at - now;
		}
	}
	pthread_mutex_unlock(&chanhealth_lock);
	return n;
}

void
chanhealth_set_queue(const char *name, long long depth, long long oldest)
{
	struct chanhealth_chan *c;

	pthread_mutex_lock(&chanhealth_lock);
	if ((c = chanhealth_find(name, 1)) != NULL) {
		c->info.depth = depth;
		c->info.oldest = oldest;
	}
	pthread_mutex_unlock(&chanhealth_lock);
}

long long
chanhealth_depth(const char *name)
{
	const struct chanhealth_chan *c;
	long long depth = 0;

	pthread_mutex_lock(&chanhealth_lock);
	if ((c = chanhealth_find(name, 0)) != NULL)
		depth = c->info.depth;
	pthread_mutex_unlock(&chanhealth_lock);
	return depth;
}

void
chanhealth_get(const char *name, struct chanhealth_info *info)
{
	const struct chanhealth_chan *c;

	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&chanhealth_lock);
	if ((c = chanhealth_find(name, 0)) != NULL)
		*info = c->info;
	pthread_mutex_unlock(&chanhealth_lock);
	info->up = chanhealth_up(name);
}

void
chanhealth_reset(void)
{
	pthread_mutex_lock(&chanhealth_lock);
	chanhealth_n = 0;
	chanhealth_probe = NULL;
	pthread_mutex_unlock(&chanhealth_lock);
}
