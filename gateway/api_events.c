/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/events: a text/event-stream that says "changed" when cases may
 * have changed, so the console's queue refetches instead of polling. It
 * carries no case data at all: no code, number, category or text, only
 * the event name.
 *
 * The signal comes from Redis, so a change made by another instance
 * sharing it reaches this one's clients too: every case operation (and
 * every reveal and export) appends an entry to {hbm}:audit:new in the
 * operation's own script, and the stream's last-generated-id (XINFO
 * STREAM) moves with each append, even after audit_chain() has moved the
 * entry on. One thread reads it every EVENTS_TICK_MS; when it moved, every
 * stream gets an event. After Redis restarts, the id read first differs,
 * and the clients refetch once, which is what they should do anyway.
 *
 * A stream holds no pool thread while it waits: its reader suspends the
 * connection when it has nothing to send (gateway/http.c), and this
 * thread resumes it with an event, a heartbeat comment every
 * EVENTS_HEARTBEAT_MS, or its end: after EVENTS_LIFETIME_MS, or at
 * shutdown (events_stop()). The first bytes are "retry:", so the browser's
 * EventSource comes back on its own. At most http.max_streams are open at
 * once; beyond, 503 with Retry-After. hbmgw_event_streams counts them.
 *
 * A stream is in one of three states, under events_lock: running (its
 * reader may run), suspending (the reader is about to suspend, outside
 * the lock) or suspended. Only this thread resumes a suspended stream,
 * after marking it running; news for a suspending one is left for the
 * reader, which resumes itself. So a connection is resumed only while it
 * is suspended, and libmicrohttpd is never called under the lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/api_cases.h"
#include "gateway/api_events.h"
#include "gateway/gw.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/xmalloc.h"
#include "store/keys.h"
#include "store/store.h"

#define EVENTS_ID_MAX 48 /* a stream id, "<ms>-<seq>" */
#define EVENTS_STR(x) EVENTS_STR2(x)
#define EVENTS_STR2(x) #x

enum events_state {
	EVENTS_RUNNING,
	EVENTS_SUSPENDING,
	EVENTS_SUSPENDED,
};

/* One open stream. */
struct events_stream {
	void *conn; /* libmicrohttpd's connection */
	enum events_state state;
	int wake;	 /* news came while suspending */
	int changed;	 /* an event to send */
	int beat;	 /* a heartbeat to send */
	int ending;	 /* end once what is pending is sent */
	long long end;	 /* clock_mono_ms() when it ends */
	long long sent;	 /* clock_mono_ms() of the last bytes */
	char out[64];	 /* bytes being sent */
	size_t off, len; /* sent and total of out */
	struct events_stream *next;
};

static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static struct events_stream *events_list; /* under events_lock */
static size_t events_count;		  /* under events_lock */
static int events_closing;		  /* under events_lock */
static pthread_mutex_t events_tick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t events_tick_cond; /* signalled by events_stop() */
static int events_stopping;		/* under events_tick_lock */
static pthread_t events_thread_id;
static int events_running;

static const char events_hello[] = "retry: " EVENTS_STR(EVENTS_RETRY_MS) "\n\n";
static const char events_changed[] = "event: changed\ndata: {}\n\n";
static const char events_beat[] = ": keep-alive\n\n";
_Static_assert(
    sizeof(events_changed) <= sizeof(((struct events_stream *)0)->out) &&
	sizeof(events_hello) <= sizeof(((struct events_stream *)0)->out),
    "events_stream.out holds every message");

/* Queue the next message of S into its buffer; 0 when it has none. */
static int
events_next(struct events_stream *s)
{
	const char *m;

	if (s->changed) {
		m = events_changed;
		s->changed = 0;
		s->beat = 0;
	} else if (s->beat) {
		m = events_beat;
		s->beat = 0;
	} else
		return 0;
	s->len = strlen(m);
	memcpy(s->out, m, s->len);
	s->off = 0;
	return 1;
}

/* libmicrohttpd may send: copy what is pending, else end or suspend. */
static long
events_read(void *arg, char *buf, size_t max)
{
	struct events_stream *s = arg;
	size_t n;
	int resume;

	pthread_mutex_lock(&events_lock);
	if (s->off == s->len && !events_next(s) && s->ending) {
		pthread_mutex_unlock(&events_lock);
		return -1;
	}
	if (s->off < s->len) {
		n = s->len - s->off < max ? s->len - s->off : max;
		memcpy(buf, s->out + s->off, n);
		s->off += n;
		s->sent = clock_mono_ms();
		pthread_mutex_unlock(&events_lock);
		return (long)n;
	}
	s->state = EVENTS_SUSPENDING;
	s->wake = 0;
	pthread_mutex_unlock(&events_lock);
	http_suspend(s->conn);
	pthread_mutex_lock(&events_lock);
	resume = s->wake;
	s->state = resume ? EVENTS_RUNNING : EVENTS_SUSPENDED;
	pthread_mutex_unlock(&events_lock);
	if (resume)
		http_resume(s->conn);
	return 0;
}

/* The stream is done with: libmicrohttpd freed its response. */
static void
events_free(void *arg)
{
	struct events_stream *s = arg, **pp;

	pthread_mutex_lock(&events_lock);
	for (pp = &events_list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			events_count--;
			metrics_set(
			    "hbmgw_event_streams", "", (double)events_count);
			break;
		}
	}
	pthread_mutex_unlock(&events_lock);
	free(s);
}

/*
 * Wake S for what was just marked pending: 1 when the caller must resume
 * its connection (after dropping the lock). Under events_lock.
 */
static int
events_wake(struct events_stream *s)
{
	switch (s->state) {
	case EVENTS_SUSPENDED:
		s->state = EVENTS_RUNNING;
		return 1;
	case EVENTS_SUSPENDING:
		s->wake = 1;
		return 0;
	default:
		return 0;
	}
}

/*
 * Mark every stream: CHANGED gives each an event, ENDING ends each; a
 * stream past its lifetime ends and one quiet for EVENTS_HEARTBEAT_MS
 * gets a heartbeat. Then resume those that were suspended.
 */
static void
events_mark(int changed, int ending)
{
	struct events_stream *s;
	void **conns = NULL;
	size_t i, n = 0;
	long long now = clock_mono_ms();

	pthread_mutex_lock(&events_lock);
	if (ending)
		events_closing = 1;
	if (events_count > 0)
		conns = xcalloc(events_count, sizeof(*conns));
	for (s = events_list; s != NULL; s = s->next) {
		s->changed |= changed;
		s->ending |= ending || now >= s->end;
		s->beat |= now - s->sent >= EVENTS_HEARTBEAT_MS;
		if ((s->changed || s->ending || s->beat) && events_wake(s))
			conns[n++] = s->conn;
	}
	pthread_mutex_unlock(&events_lock);
	for (i = 0; i < n; i++)
		http_resume(conns[i]);
	free(conns);
}

/*
 * The last-generated-id of {hbm}:audit:new into ID ("" while the stream
 * does not exist); -1 when Redis could not say.
 */
static int
events_audit_id(struct store *st, char id[EVENTS_ID_MAX])
{
	struct store_reply *r;
	const char *v;
	char *cause = NULL;
	int rc = 0;

	r = store_commandl(st, &cause, "XINFO", "STREAM", KEY_AUDIT_NEW, NULL);
	if (r == NULL) {
		log_debug("events: %s", cause);
		free(cause);
		return -1;
	}
	if (r->type == STORE_ERROR && strstr(r->str, "no such key") != NULL)
		id[0] = '\0';
	else if ((v = store_fieldstr(r, "last-generated-id", NULL)) != NULL)
		snprintf(id, EVENTS_ID_MAX, "%s", v);
	else {
		log_debug("events: XINFO STREAM: unexpected reply");
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

/* Wait a tick, or less when events_stop() says so; 1 when stopping. */
static int
events_sleep(void)
{
	struct timespec ts;
	int stopping;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += EVENTS_TICK_MS / 1000;
	ts.tv_nsec += (EVENTS_TICK_MS % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&events_tick_lock);
	while (!events_stopping &&
	    pthread_cond_timedwait(&events_tick_cond, &events_tick_lock, &ts) ==
		0)
		;
	stopping = events_stopping;
	pthread_mutex_unlock(&events_tick_lock);
	return stopping;
}

static void *
events_thread(void *arg)
{
	struct store *st = gw_store();
	char last[EVENTS_ID_MAX], id[EVENTS_ID_MAX];
	int known = 0, changed;

	(void)arg;
	do {
		changed = 0;
		if (events_audit_id(st, id) == 0) {
			changed = known && strcmp(id, last) != 0;
			memcpy(last, id, sizeof(last));
			known = 1;
		}
		events_mark(changed, 0);
	} while (!events_sleep());
	return NULL;
}

int
events_start(char **cause)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&events_tick_cond, &ca);
	pthread_condattr_destroy(&ca);
	events_stopping = 0;
	pthread_mutex_lock(&events_lock);
	events_closing = 0;
	pthread_mutex_unlock(&events_lock);
	if (pthread_create(&events_thread_id, NULL, events_thread, NULL) != 0) {
		xasprintf(cause, "events: cannot start a thread");
		return -1;
	}
	events_running = 1;
	metrics_set("hbmgw_event_streams", "", 0);
	return 0;
}

void
events_stop(void)
{
	if (!events_running)
		return;
	pthread_mutex_lock(&events_tick_lock);
	events_stopping = 1;
	pthread_cond_signal(&events_tick_cond);
	pthread_mutex_unlock(&events_tick_lock);
	pthread_join(events_thread_id, NULL);
	pthread_cond_destroy(&events_tick_cond);
	events_running = 0;
	events_mark(0, 1);
}

/*
 * 1 when the caller may have events: the admin or an agency by its bearer
 * token, or a signed-in console user whose agency (or coordinator role)
 * the config still has. Otherwise the answer is set and 0.
 */
static int
events_allowed(const struct http_request *req, const struct cfg *cfg,
    struct http_response *resp)
{
	struct api_caller who;

	/* who may read cases may hear that they changed */
	return api_cases_caller(req, cfg, &who, resp) == 0;
}

/* A new stream for CONN, or NULL (answered) at the limit or shutdown. */
static struct events_stream *
events_open(void *conn, int max, struct http_response *resp)
{
	struct events_stream *s;
	long long now = clock_mono_ms();

	pthread_mutex_lock(&events_lock);
	if (events_closing || events_count >= (size_t)max) {
		pthread_mutex_unlock(&events_lock);
		http_reply_error(resp, 503, "too many event streams");
		http_header_add(resp, "Retry-After", EVENTS_RETRY_AFTER);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->conn = conn;
	s->end = now + EVENTS_LIFETIME_MS;
	s->sent = now;
	s->len = strlen(events_hello);
	memcpy(s->out, events_hello, s->len);
	s->next = events_list;
	events_list = s;
	events_count++;
	metrics_set("hbmgw_event_streams", "", (double)events_count);
	pthread_mutex_unlock(&events_lock);
	return s;
}

static void
events_get(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct events_stream *s;
	int max = cfg->http.max_streams;

	if (!events_allowed(req, cfg, resp)) {
		gw_cfg_put(cfg);
		return;
	}
	gw_cfg_put(cfg);
	if ((s = events_open(req->conn, max, resp)) == NULL)
		return;
	http_reply_stream(
	    resp, 200, "text/event-stream", events_read, s, events_free);
	/* A buffering proxy (nginx) passes each event on at once. */
	http_header_add(resp, "X-Accel-Buffering", "no");
}

const struct http_route api_events_routes[] = {
	{ "GET", "/v1/events", HTTP_BODY_NONE, events_get, NULL },
};
const size_t api_events_nroutes =
    sizeof(api_events_routes) / sizeof(api_events_routes[0]);
