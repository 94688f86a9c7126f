/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sender threads for http channels: SENDER_THREADS per channel, each a
 * consumer of its own ("<instance>/<n>"), or a single one when the channel
 * has a rate limit (kept per queue). Each owns its Redis connection, its
 * queue and its libcurl handles, and loops: take a batch, send it over
 * parallel requests, record every outcome in one step.
 * When Redis fails it waits, doubling the wait up to a few seconds, and
 * carries on where it was: a batch already sent is recorded once Redis is
 * back, and entries never recorded stay pending and are taken again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "lib/backoff.h"
#include "gateway/channel_http.h"
#include "gateway/dlr.h"
#include "gateway/gw.h"
#include "gateway/lease.h"
#include "lib/log.h"
#include "gateway/outbox_queue.h"
#include "gateway/sender_http.h"
#include "store/store.h"
#include "lib/xmalloc.h"

#define SENDER_BATCH 32	     /* messages per batch */
#define SENDER_THREADS 3     /* per channel without a rate limit */
#define SENDER_WAIT_MS 500   /* a take waits this long for work */
#define SENDER_GRACE_MS 3000 /* for the batch in hand at shutdown */

struct sender {
	const struct cfg *cfg; /* a reference, held for the thread's life */
	const struct cfg_channel *ch;
	struct store *store;	   /* owned; used by the thread only */
	struct outbox_queue *q;	   /* owned */
	struct channel_http *http; /* owned */
	struct backoff outage;	   /* Redis failures */
	char who[CFG_ID_MAX + 8];  /* "outbox <channel>", for the log */
	pthread_t thread;
	int running; /* boolean: thread started and not joined */
	struct sender *next;
};

static struct sender *senders;
static atomic_int stopping; /* senders finish the batch in hand */
static atomic_int cancel;   /* requests in flight are abandoned */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake; /* CLOCK_MONOTONIC; broadcast on stop */
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static int curl_ready; /* boolean: libcurl initialised */

static void
sender_wake_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &ca);
	pthread_condattr_destroy(&ca);
}

/* Wait MS or until stopping. */
static void
sender_sleep(long long ms)
{
	struct timespec ts;
	long long until;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms;
	ts.tv_sec = until / 1000;
	ts.tv_nsec = (until % 1000) * 1000000;
	pthread_mutex_lock(&lock);
	while (!atomic_load(&stopping) &&
	    pthread_cond_timedwait(&wake, &lock, &ts) == 0)
		;
	pthread_mutex_unlock(&lock);
}

/* Redis failed (CAUSE, freed): log once per outage, then wait. */
static void
sender_pause(struct sender *s, char *cause)
{
	sender_sleep(backoff_fail(&s->outage, s->who, cause));
}

/* Send ITEMS[0..N) and record what became of them. */
static void
sender_batch(struct sender *s, struct outbox_item *items, int n)
{
	struct channel_http_msg msgs[SENDER_BATCH];
	char *cause = NULL, *dlr[SENDER_BATCH];
	int i, aborted = 0;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < n; i++) {
		msgs[i].id = items[i].id;
		msgs[i].to = items[i].to;
		msgs[i].text = items[i].text;
		/* Kannel reports delivery to a URL signed for this message. */
		dlr[i] = s->ch->format == CFG_FORMAT_KANNEL
		    ? dlr_kannel_url(s->cfg, gw_key(), items[i].id)
		    : NULL;
		msgs[i].dlr_url = dlr[i];
	}
	channel_http_send_all(s->http, msgs, (size_t)n);
	for (i = 0; i < n; i++) {
		free(dlr[i]);
		if (msgs[i].result == CHANNEL_HTTP_SENT)
			items[i].outcome = OUTBOX_SENT;
		else if (msgs[i].result == CHANNEL_HTTP_FAILED) {
			items[i].outcome = OUTBOX_FAILED;
			items[i].error = msgs[i].cause;
			msgs[i].cause = NULL;
		} else
			aborted++; /* stays pending: sent after a restart */
		free(msgs[i].cause);
	}
	if (aborted > 0)
		log_warnx("outbox %s: %d messages abandoned at shutdown: they "
			  "may be sent again",
		    s->ch->name, aborted);
	/* What was sent must be recorded, or it is sent again. */
	while (outbox_queue_commit(s->q, items, n, &cause) == -1) {
		if (atomic_load(&stopping)) {
			log_warnx("outbox %s: %s: outcomes not recorded: "
				  "those messages may be sent again",
			    s->ch->name, cause);
			free(cause);
			break;
		}
		sender_pause(s, cause);
		cause = NULL;
	}
	for (i = 0; i < n; i++)
		outbox_item_clear(&items[i]);
}

static void *
sender_run(void *arg)
{
	struct sender *s = arg;
	struct outbox_item items[SENDER_BATCH];
	char *cause = NULL;
	int n;

	memset(items, 0, sizeof(items));
	log_info("outbox %s: sender started", s->ch->name);
	while (!atomic_load(&stopping)) {
		if (!lease_held()) {
			/* Another daemon may have our name: send nothing. */
			sender_sleep(SENDER_WAIT_MS);
			continue;
		}
		n = outbox_queue_take(
		    s->q, SENDER_WAIT_MS, items, SENDER_BATCH, &cause);
		if (n == -1) {
			sender_pause(s, cause);
			cause = NULL;
			continue;
		}
		backoff_ok(&s->outage, s->who);
		if (n > 0)
			sender_batch(s, items, n);
	}
	log_info("outbox %s: sender stopped", s->ch->name);
	return NULL;
}

static void
sender_free(struct sender *s)
{
	outbox_queue_free(s->q);
	store_free(s->store);
	channel_http_free(s->http);
	gw_cfg_put(s->cfg);
	free(s);
}

/*
 * Sender N of http channel CH of CFG (a reference it takes over); the only
 * one when N is -1.
 */
static struct sender *
sender_new(
    const struct cfg *cfg, const struct cfg_channel *ch, int n, char **cause)
{
	struct sender *s;

	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->ch = ch;
	snprintf(s->who, sizeof(s->who), "outbox %s", ch->name);
	s->store = gw_store_open(cfg);
	s->q = outbox_queue_new(cfg, ch, s->store);
	if (n >= 0)
		outbox_queue_consumer(s->q, n);
	if ((s->http = channel_http_new(ch, &cancel, cause)) == NULL) {
		sender_free(s);
		return NULL;
	}
	return s;
}

/* Start sender N of channel CH; -1 with *cause. */
static int
sender_start_one(const struct cfg_channel *ch, int n, char **cause)
{
	struct sender *s;

	if ((s = sender_new(gw_cfg_get(), ch, n, cause)) == NULL)
		return -1;
	s->next = senders;
	senders = s;
	if ((errno = pthread_create(&s->thread, NULL, sender_run, s)) != 0) {
		xasprintf(cause, "outbox %s: pthread_create: %s", ch->name,
		    strerror(errno));
		return -1;
	}
	s->running = 1;
	return 0;
}

int
sender_http_start(char **cause)
{
	const struct cfg_channel *ch;
	const struct cfg *cfg;
	size_t i;
	int n, rc = 0;

	pthread_once(&wake_once, sender_wake_init);
	atomic_store(&stopping, 0);
	atomic_store(&cancel, 0);
	cfg = gw_cfg_get();
	for (i = 0; i < cfg->nchannels && rc == 0; i++) {
		ch = &cfg->channels[i];
		if (ch->type != CFG_CHANNEL_HTTP)
			continue;
		if (!curl_ready && channel_http_init(cause) == -1) {
			rc = -1;
			break;
		}
		curl_ready = 1;
		/* A rate limit is kept by one sender; otherwise several. */
		if (ch->max_per_minute > 0)
			rc = sender_start_one(ch, -1, cause);
		else
			for (n = 0; n < SENDER_THREADS && rc == 0; n++)
				rc = sender_start_one(ch, n, cause);
	}
	gw_cfg_put(cfg);
	if (rc == -1)
		sender_http_stop();
	return rc;
}

void
sender_http_stop(void)
{
	struct sender *s, *next;
	struct timespec deadline;

	pthread_once(&wake_once, sender_wake_init);
	pthread_mutex_lock(&lock);
	atomic_store(&stopping, 1);
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	/* The batch in hand gets a grace period, then its requests end. */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SENDER_GRACE_MS / 1000;
	for (s = senders; s != NULL; s = s->next)
		if (s->running &&
		    pthread_timedjoin_np(s->thread, NULL, &deadline) == 0)
			s->running = 0;
	atomic_store(&cancel, 1);
	for (s = senders; s != NULL; s = next) {
		next = s->next;
		if (s->running)
			pthread_join(s->thread, NULL);
		sender_free(s);
	}
	senders = NULL;
	if (curl_ready)
		channel_http_cleanup();
	curl_ready = 0;
}
