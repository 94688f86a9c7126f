/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The modem workers. modem_start() starts one thread per modem channel;
 * each owns its struct gammu (libgammu state machine), its Redis
 * connection, its outbox queue and its multipart book, and loops: connect
 * when disconnected (backoff 1 s doubling to 60 s), read the SIM every
 * poll_interval seconds (or when the modem announces an SMS), refresh
 * signal, operator and IMEI every minute and the balance every hour, and
 * send what the channel's outbox has, waiting on it between polls.
 *
 * Received SMS go to the inbox before they are deleted from the SIM; with
 * Redis down they stay on the SIM and are read again on the next poll (the
 * inbox's deduplication id makes a second read harmless). Multipart parts
 * wait on the SIM until every part is there or the oldest has waited
 * HBM_MODEM_MULTIPART_MS (default 60 s); then what arrived is stored.
 *
 * A send that the network refuses is tried once more on the same modem,
 * then handed to another channel (outbox_queue_handoff()); a send whose
 * modem stopped answering is handed off at once and the modem reconnected.
 * While a modem is down, its queue is handed to another channel when one is
 * up (an http channel, or a modem that answers), and otherwise waits.
 *
 * Hung calls: closing a modem's device from another thread races with the
 * driver, and libgammu's per-command timeouts restart whenever a byte
 * arrives, so a modem that chatters without answering can hold a call
 * forever. Each worker records when its current libgammu call began
 * (busy_since). Readers of the status (GET /v1/channels, /readyz, /metrics)
 * count a modem whose call has run longer than HBM_MODEM_HANG_MS (default
 * 60 s) as down at once, and the watchdog thread then asks libgammu to
 * abort the call (GSM_AbortOperation: a flag its wait loops test), which
 * then returns ERR_ABORTED; the worker closes the state machine and
 * reconnects with backoff. The watchdog touches a modem's struct gammu
 * only under modem_lock, under which the worker sets and clears it.
 *
 * Other threads see a modem only through modem_status_list() and
 * modem_up_count(), which copy the status under modem_lock.
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
#include "gateway/chanhealth.h"
#include "lib/clock.h"
#include "gateway/gw.h"
#include "gateway/inbox.h"
#include "gateway/lease.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/outbox.h"
#include "gateway/outbox_queue.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "modem/decode.h"
#include "modem/gammu.h"
#include "modem/join.h"
#include "gateway/modem.h"

#define MODEM_BACKOFF_MIN_MS 1000
#define MODEM_BACKOFF_MAX_MS 60000
#define MODEM_HANG_MS 60000	 /* a call this long: hung; HBM_MODEM_HANG_MS */
#define MODEM_MULTIPART_MS 60000 /* wait for parts; HBM_MODEM_MULTIPART_MS */
#define MODEM_SEND_TIMEOUT_MS 30000 /* the network's answer to one part */
#define MODEM_USSD_TIMEOUT_MS 30000
#define MODEM_INFO_EVERY_MS 60000
#define MODEM_BALANCE_EVERY_MS 3600000
#define MODEM_TAKE 8	       /* messages per outbox take */
#define MODEM_TAKE_WAIT_MS 200 /* longest wait on the outbox */

struct modem {
	struct modem *next;
	const struct cfg_channel *ch; /* borrowed from modem_cfg */
	pthread_t thread;
	int running;		      /* boolean: thread started */
	char labels[CFG_ID_MAX + 16]; /* `modem="name"` */
	atomic_llong busy_since; /* monotonic ms a libgammu call began, 0 */

	/* Under modem_lock: what other threads read. */
	int connected; /* boolean: the state machine is open */
	struct modem_status status;
	struct gammu *g;	/* NULL while disconnected; set by the worker */
	long long aborted_call; /* busy_since of the call last aborted */

	/* The worker's own. */
	struct store *st;	  /* Redis, this thread only */
	struct outbox_queue *q;	  /* the channel's outbox */
	struct join_book *book;	  /* incomplete multipart messages */
	long long backoff_ms;	  /* next reconnect delay */
	long long open_at;	  /* monotonic ms of the next connect */
	long long poll_at;	  /* next SIM read */
	long long info_at;	  /* next signal/operator refresh */
	long long balance_at;	  /* next balance USSD */
	long long pause_ms;	  /* Redis failure backoff, 0 when fine */
	struct backoff outage;	  /* Redis failures, logged once each */
	char who[CFG_ID_MAX + 8]; /* "modem <name>", for the log */
};

static const struct cfg *modem_cfg; /* held from start to stop */
static struct modem *modem_list;
static pthread_mutex_t modem_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t modem_wake; /* CLOCK_MONOTONIC; broadcast on stop */
static pthread_once_t modem_once = PTHREAD_ONCE_INIT;
static atomic_int modem_stopping;
static pthread_t modem_watchdog;
static int modem_watchdog_running; /* boolean */
static long long modem_hang_ms = MODEM_HANG_MS;
static long long modem_multipart_ms = MODEM_MULTIPART_MS;

static void
modem_wake_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (pthread_cond_init(&modem_wake, &a) != 0)
		fatalx("modem: pthread_cond_init");
	pthread_condattr_destroy(&a);
}

/* Sleep MS, or less when stopping; returns 0 once stopping. */
static int
modem_sleep(long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&modem_lock);
	while (!atomic_load(&modem_stopping) &&
	    pthread_cond_timedwait(&modem_wake, &modem_lock, &ts) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&modem_lock);
	return !atomic_load(&modem_stopping);
}

/* A duration in ms from the environment (tests), or DEF. */
static long long
modem_env_ms(const char *name, long long def)
{
	const char *v = getenv(name);
	char *end;
	long long n;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < 1 || n > 86400000) {
		log_warnx("modem: %s: not 1-86400000, using %lld", name, def);
		return def;
	}
	return n;
}

/* Mark the start and the end of a libgammu call, for the hang watchdog. */
static void
modem_call_begin(struct modem *m)
{
	atomic_store(&m->busy_since, clock_mono_ms());
}

/* Returns how long the call took (ms). */
static long long
modem_call_end(struct modem *m)
{
	long long began = atomic_exchange(&m->busy_since, 0);

	return clock_mono_ms() - began;
}

/* Record and log an error of modem M; takes CAUSE. */
static void
modem_error(struct modem *m, char *cause)
{
	log_warnx("modem %s: %s", m->ch->name, cause);
	pthread_mutex_lock(&modem_lock);
	snprintf(
	    m->status.last_error, sizeof(m->status.last_error), "%s", cause);
	m->status.errors++;
	pthread_mutex_unlock(&modem_lock);
	metrics_add("hbmgw_modem_errors_total", m->labels, 1);
	free(cause);
}

/* Set the shared connected flag and the gauge. */
static void
modem_set_connected(struct modem *m, int up)
{
	pthread_mutex_lock(&modem_lock);
	m->connected = up;
	pthread_mutex_unlock(&modem_lock);
	metrics_set("hbmgw_modem_up", m->labels, up);
}

/* Close the state machine and schedule a reconnect; takes CAUSE. */
static void
modem_lost(struct modem *m, char *cause)
{
	struct gammu *g;

	modem_error(m, cause);
	modem_set_connected(m, 0);
	pthread_mutex_lock(&modem_lock);
	g = m->g;
	m->g = NULL;
	pthread_mutex_unlock(&modem_lock);
	modem_call_begin(m);
	gammu_close(g);
	modem_call_end(m);
	m->open_at = clock_mono_ms() + m->backoff_ms;
	log_info(
	    "modem %s: reconnecting in %lld ms", m->ch->name, m->backoff_ms);
	m->backoff_ms *= 2;
	if (m->backoff_ms > MODEM_BACKOFF_MAX_MS)
		m->backoff_ms = MODEM_BACKOFF_MAX_MS;
}

/*
 * The outcome RC of a call that took TOOK ms: a call past the hang limit
 * counts as a lost modem whatever it returned.
 */
static enum gammu_rc
modem_check(enum gammu_rc rc, long long took, char **cause)
{
	if (took > modem_hang_ms && rc != GAMMU_LOST) {
		free(*cause);
		xasprintf(cause, "a call hung for %lld ms", took);
		return GAMMU_LOST;
	}
	return rc;
}

static void
modem_open(struct modem *m)
{
	char *cause = NULL;
	struct gammu *g;
	long long now;

	modem_call_begin(m);
	g = gammu_open(m->ch->name, &m->ch->gammu, &cause);
	modem_call_end(m);
	now = clock_mono_ms();
	pthread_mutex_lock(&modem_lock);
	m->g = g;
	pthread_mutex_unlock(&modem_lock);
	if (m->g == NULL) {
		modem_error(m, cause);
		m->open_at = now + m->backoff_ms;
		m->backoff_ms *= 2;
		if (m->backoff_ms > MODEM_BACKOFF_MAX_MS)
			m->backoff_ms = MODEM_BACKOFF_MAX_MS;
		return;
	}
	log_info("modem %s: connected", m->ch->name);
	m->backoff_ms = MODEM_BACKOFF_MIN_MS;
	m->poll_at = m->info_at = m->balance_at = now;
	modem_set_connected(m, 1);
}

/* Redis failed (CAUSE, taken): log once per outage; the wait grows. */
static void
modem_redis_failed(struct modem *m, char *cause)
{
	m->pause_ms = backoff_fail(&m->outage, m->who, cause);
}

/* Redis answered again. */
static void
modem_redis_ok(struct modem *m)
{
	backoff_ok(&m->outage, m->who);
	m->pause_ms = 0;
}
/* Delete SMS S from the SIM; -1 when the modem was lost. */
static int
modem_delete(struct modem *m, const struct gammu_sms *s)
{
	enum gammu_rc rc;
	char *cause = NULL;

	modem_call_begin(m);
	rc = gammu_delete(m->g, s, &cause);
	rc = modem_check(rc, modem_call_end(m), &cause);
	if (rc == GAMMU_LOST) {
		modem_lost(m, cause);
		return -1;
	}
	if (rc != GAMMU_OK)
		modem_error(m, cause);
	return 0;
}

/*
 * Apply delivery report S to the message it names: 0 when done (the report
 * may go), -1 when Redis failed (it stays on the SIM).
 */
static int
modem_report(struct modem *m, const struct gammu_sms *s)
{
	char ref[16], id[OUTBOX_ID_MAX], *cause = NULL;
	int rc;

	if (s->report_state == 0)
		return 0; /* still trying: a final report follows */
	snprintf(ref, sizeof(ref), "%d", s->report_ref);
	rc = outbox_ref_lookup(m->st, m->ch->name, ref, id, &cause);
	if (rc == 1)
		rc = outbox_mark(m->st, id,
		    s->report_state == 1 ? "delivered" : "failed",
		    s->report_state == 1 ? NULL : "delivery failed", &cause);
	if (rc == -1) {
		modem_redis_failed(m, cause);
		return -1;
	}
	modem_redis_ok(m);
	return 0;
}

/*
 * Store message J in the inbox: 0 (stored or unusable), -1 when Redis
 * failed or too few replicas confirmed it (it stays on the SIM).
 */
static int
modem_store(struct modem *m, const struct join_msg *j)
{
	char sender[17], hex[CRYPTO_SHA256_HEX], id[INBOX_ID_MAX];
	char *cause = NULL;
	struct inbox_msg im;
	const char *why = NULL;
	int dup = 0;

	if (inbox_sender_parse(j->from, modem_cfg->gateway.country_code,
		&im.sender, sender, &why) == -1) {
		log_warnx("modem %s: SMS from an unusable sender (%s): "
			  "deleted",
		    m->ch->name, why != NULL ? why : "empty");
		return 0;
	}
	join_id(m->ch->name, j, hex);
	im.from = sender;
	im.to = m->ch->name;
	im.text = j->text;
	im.ext_id = hex;
	im.source = m->ch->name;
	if (inbox_add(m->st, gw_key(), &im, id, &dup, &cause) == -1) {
		metrics_add("hbmgw_inbound_total",
		    "source=\"modem\",status=\"unavailable\"", 1);
		modem_redis_failed(m, cause);
		return -1;
	}
	modem_redis_ok(m);
	metrics_add("hbmgw_inbound_total",
	    dup ? "source=\"modem\",status=\"duplicate\""
		: "source=\"modem\",status=\"accepted\"",
	    1);
	if (!dup) {
		pthread_mutex_lock(&modem_lock);
		m->status.received++;
		pthread_mutex_unlock(&modem_lock);
		metrics_add("hbmgw_modem_received_total", m->labels, 1);
	}
	if (j->have < j->total)
		log_info("modem %s: stored a message with %d of %d parts",
		    m->ch->name, j->have, j->total);
	return 0;
}

/* Store, then delete, the messages in V; stops at a Redis failure. */
static void
modem_store_all(struct modem *m, struct gammu_sms *v, size_t n)
{
	struct join_part *parts;
	struct join_msg *msgs = NULL;
	size_t *map, i, k, np = 0, nm = 0;

	parts = xcalloc(n + 1, sizeof(*parts));
	map = xcalloc(n + 1, sizeof(*map));
	for (i = 0; i < n; i++) {
		if (v[i].report) {
			if (modem_report(m, &v[i]) == -1)
				goto done;
			if (modem_delete(m, &v[i]) == -1)
				goto done;
			continue;
		}
		parts[np].from = v[i].from;
		parts[np].smsc_time = v[i].time;
		parts[np].ref = v[i].ref;
		parts[np].total = v[i].total;
		parts[np].seq = v[i].seq;
		parts[np].text = v[i].text;
		map[np++] = i;
	}
	join_run(m->book, parts, np, clock_mono_ms(), modem_multipart_ms, &msgs,
	    &nm);
	for (k = 0; k < nm; k++) {
		if (modem_store(m, &msgs[k]) == -1)
			break;
		for (i = 0; i < msgs[k].nparts; i++)
			if (modem_delete(m, &v[map[msgs[k].parts[i]]]) == -1)
				goto done;
	}
done:
	join_msgs_free(msgs, nm);
	free(parts);
	free(map);
}

/* Read the SIM and store what it holds. */
static void
modem_receive(struct modem *m)
{
	struct gammu_sms *v = NULL;
	enum gammu_rc rc;
	char *cause = NULL;
	size_t n = 0;

	modem_call_begin(m);
	rc = gammu_read(m->g, &v, &n, &cause);
	rc = modem_check(rc, modem_call_end(m), &cause);
	if (rc == GAMMU_LOST) {
		gammu_sms_free(v, n);
		modem_lost(m, cause);
		return;
	}
	if (rc != GAMMU_OK) {
		modem_error(m, cause);
		return;
	}
	if (n > 0)
		modem_store_all(m, v, n);
	gammu_sms_free(v, n);
	/* Counted once the poll is over, stored or not: a test (or an
	 * operator) waiting for it knows the SIM was read and handled. */
	metrics_add("hbmgw_modem_polls_total", m->labels, 1);
}

/* Signal, operator and IMEI; the balance when it is due. */
static void
modem_refresh(struct modem *m, long long now)
{
	struct gammu_info info;
	char reply[512], *cause = NULL;
	enum gammu_rc rc;
	double bal;

	if (now >= m->info_at) {
		m->info_at = now + MODEM_INFO_EVERY_MS;
		memset(&info, 0, sizeof(info));
		modem_call_begin(m);
		rc = gammu_info(m->g, &info, &cause);
		rc = modem_check(rc, modem_call_end(m), &cause);
		if (rc == GAMMU_LOST) {
			modem_lost(m, cause);
			return;
		}
		if (rc != GAMMU_OK)
			modem_error(m, cause);
		pthread_mutex_lock(&modem_lock);
		m->status.signal = info.signal;
		memcpy(m->status.operator, info.operator,
		    sizeof(m->status.operator));
		memcpy(m->status.imei, info.imei, sizeof(m->status.imei));
		pthread_mutex_unlock(&modem_lock);
		metrics_set(
		    "hbmgw_modem_signal_percent", m->labels, info.signal);
	}
	if (m->ch->balance_ussd == NULL || now < m->balance_at)
		return;
	m->balance_at = now + MODEM_BALANCE_EVERY_MS;
	modem_call_begin(m);
	rc = gammu_ussd(m->g, m->ch->balance_ussd, MODEM_USSD_TIMEOUT_MS, reply,
	    sizeof(reply), &cause);
	rc = modem_check(rc, modem_call_end(m), &cause);
	if (rc == GAMMU_LOST) {
		modem_lost(m, cause);
		return;
	}
	if (rc != GAMMU_OK) {
		modem_error(m, cause);
		return;
	}
	if (decode_balance(reply, &bal) == -1) {
		log_warnx(
		    "modem %s: balance reply holds no figure", m->ch->name);
		return;
	}
	pthread_mutex_lock(&modem_lock);
	m->status.balance = bal;
	m->status.has_balance = 1;
	pthread_mutex_unlock(&modem_lock);
	metrics_set("hbmgw_modem_balance", m->labels, bal);
}

/* Record an outcome that Redis could not take: the entry comes back. */
static void
modem_outcome(struct modem *m, struct outbox_item *it, int rc, char *cause)
{
	if (rc == -1)
		modem_redis_failed(m, cause);
	else
		modem_redis_ok(m);
	outbox_item_clear(it);
}

/* Send IT: once more on a refusal, then hand it to another channel. */
static void
modem_send(struct modem *m, struct outbox_item *it)
{
	enum gammu_rc rc = GAMMU_FAILED;
	char ref[16], *cause = NULL, *why = NULL;
	int tries, rc2, sent_ref = -1;

	for (tries = 0; tries < 2 && m->g != NULL; tries++) {
		modem_call_begin(m);
		rc = gammu_send(m->g, it->to, it->text, m->ch->delivery_reports,
		    MODEM_SEND_TIMEOUT_MS, &sent_ref, &cause);
		rc = modem_check(rc, modem_call_end(m), &cause);
		if (rc == GAMMU_OK)
			break;
		free(why);
		why = xstrdup(cause);
		if (rc == GAMMU_LOST)
			modem_lost(m, cause);
		else
			modem_error(m, cause);
		cause = NULL;
		if (rc == GAMMU_LOST)
			break;
	}
	if (rc == GAMMU_OK) {
		free(why);
		pthread_mutex_lock(&modem_lock);
		m->status.sent++;
		pthread_mutex_unlock(&modem_lock);
		metrics_add("hbmgw_modem_sent_total", m->labels, 1);
		snprintf(ref, sizeof(ref), "%d", sent_ref);
		rc2 = outbox_queue_sent(m->q, it,
		    m->ch->delivery_reports && sent_ref >= 0 ? ref : NULL,
		    &cause);
		modem_outcome(m, it, rc2, cause);
		return;
	}
	rc2 = outbox_queue_handoff(
	    m->q, it, why != NULL ? why : "modem down", &cause);
	modem_outcome(m, it, rc2, cause);
	free(why);
}

/* 1 when M is connected and not stuck in a call (modem_lock held). */
static int
modem_is_up(struct modem *m, long long now)
{
	long long busy = atomic_load(&m->busy_since);

	return m->connected && (busy == 0 || now - busy <= modem_hang_ms);
}

/* The channel health probe: whether modem NAME is up, -1 for no modem. */
static int
modem_probe(const char *name)
{
	long long now = clock_mono_ms();
	struct modem *m;
	int up = -1;

	pthread_mutex_lock(&modem_lock);
	for (m = modem_list; m != NULL; m = m->next)
		if (strcmp(m->ch->name, name) == 0)
			up = modem_is_up(m, now);
	pthread_mutex_unlock(&modem_lock);
	return up;
}

/*
 * 1 when a channel other than M can take its messages: one that
 * gateway/chanhealth.c does not know to be down (an http channel, or a
 * modem that is up), as outbox_choose() sees them.
 */
static int
modem_elsewhere(struct modem *m)
{
	size_t i;

	for (i = 0; i < modem_cfg->nchannels; i++)
		if (strcmp(modem_cfg->channels[i].name, m->ch->name) != 0 &&
		    chanhealth_up(modem_cfg->channels[i].name))
			return 1;
	return 0;
}

/* Take what the outbox has for this modem and send or hand it off. */
static void
modem_outbox(struct modem *m, long long now)
{
	struct outbox_item items[MODEM_TAKE];
	char *cause = NULL;
	long long wait = MODEM_TAKE_WAIT_MS;
	int i, n, rc;

	if (m->g == NULL && !modem_elsewhere(m)) {
		modem_sleep(MODEM_TAKE_WAIT_MS); /* nowhere else to send */
		return;
	}
	if (!lease_held()) {
		/* Another daemon may have our name: send nothing. */
		modem_sleep(MODEM_TAKE_WAIT_MS);
		return;
	}
	if (m->g != NULL && m->poll_at - now < wait)
		wait = m->poll_at - now < 0 ? 0 : m->poll_at - now;
	memset(items, 0, sizeof(items));
	if ((n = outbox_queue_take(
		 m->q, (int)wait, items, MODEM_TAKE, &cause)) == -1) {
		modem_redis_failed(m, cause);
		modem_sleep(m->pause_ms);
		return;
	}
	modem_redis_ok(m);
	for (i = 0; i < n; i++) {
		if (m->g != NULL && !atomic_load(&modem_stopping)) {
			modem_send(m, &items[i]);
			continue;
		}
		cause = NULL;
		rc =
		    outbox_queue_handoff(m->q, &items[i], "modem down", &cause);
		modem_outcome(m, &items[i], rc, cause);
	}
}

static void *
modem_run(void *arg)
{
	struct modem *m = arg;
	long long now;

	log_info("modem %s: worker started", m->ch->name);
	while (!atomic_load(&modem_stopping)) {
		now = clock_mono_ms();
		if (m->g == NULL && now >= m->open_at)
			modem_open(m);
		if (m->g != NULL &&
		    (now >= m->poll_at || gammu_incoming(m->g))) {
			m->poll_at = now + m->ch->poll_interval * 1000LL;
			modem_receive(m);
		}
		if (m->g != NULL && !atomic_load(&modem_stopping))
			modem_refresh(m, now);
		if (!atomic_load(&modem_stopping))
			modem_outbox(m, clock_mono_ms());
	}
	if (m->g != NULL) {
		struct gammu *g = m->g;

		pthread_mutex_lock(&modem_lock);
		m->g = NULL;
		pthread_mutex_unlock(&modem_lock);
		gammu_close(g);
	}
	modem_set_connected(m, 0);
	log_info("modem %s: worker stopped", m->ch->name);
	return NULL;
}

static void
modem_free(struct modem *m)
{
	outbox_queue_free(m->q);
	store_free(m->st);
	join_book_free(m->book);
	free(m);
}

/* A worker for modem channel CH of CFG, not yet running. */
static struct modem *
modem_new(const struct cfg *cfg, const struct cfg_channel *ch)
{
	struct modem *m;

	m = xcalloc(1, sizeof(*m));
	m->ch = ch;
	snprintf(m->labels, sizeof(m->labels), "modem=\"%s\"", ch->name);
	snprintf(m->who, sizeof(m->who), "modem %s", ch->name);
	snprintf(m->status.name, sizeof(m->status.name), "%s", ch->name);
	m->status.signal = -1;
	m->st = gw_store_open(cfg);
	m->q = outbox_queue_new(cfg, ch, m->st);
	m->book = join_book_new();
	m->backoff_ms = MODEM_BACKOFF_MIN_MS;
	metrics_set("hbmgw_modem_up", m->labels, 0);
	metrics_set("hbmgw_modem_signal_percent", m->labels, -1);
	metrics_add("hbmgw_modem_sent_total", m->labels, 0);
	metrics_add("hbmgw_modem_received_total", m->labels, 0);
	metrics_add("hbmgw_modem_polls_total", m->labels, 0);
	metrics_add("hbmgw_modem_errors_total", m->labels, 0);
	return m;
}

/* The watchdog: aborts libgammu calls that run past the hang limit. */
static void *
modem_watch(void *arg)
{
	struct modem *m;
	long long now, busy;

	(void)arg;
	while (modem_sleep(500)) {
		now = clock_mono_ms();
		pthread_mutex_lock(&modem_lock);
		for (m = modem_list; m != NULL; m = m->next) {
			busy = atomic_load(&m->busy_since);
			if (busy == 0 || now - busy <= modem_hang_ms ||
			    m->g == NULL || m->aborted_call == busy)
				continue;
			m->aborted_call = busy;
			log_warnx("modem %s: a call has hung for %lld ms, "
				  "aborting it",
			    m->ch->name, now - busy);
			gammu_abort(m->g);
		}
		pthread_mutex_unlock(&modem_lock);
	}
	return NULL;
}

int
modem_start(char **cause)
{
	struct modem *m;
	size_t i;

	pthread_once(&modem_once, modem_wake_init);
	atomic_store(&modem_stopping, 0);
	modem_hang_ms = modem_env_ms("HBM_MODEM_HANG_MS", MODEM_HANG_MS);
	modem_multipart_ms =
	    modem_env_ms("HBM_MODEM_MULTIPART_MS", MODEM_MULTIPART_MS);
	modem_cfg = gw_cfg_get();
	for (i = 0; i < modem_cfg->nchannels; i++) {
		if (modem_cfg->channels[i].type != CFG_CHANNEL_MODEM)
			continue;
		m = modem_new(modem_cfg, &modem_cfg->channels[i]);
		pthread_mutex_lock(&modem_lock);
		m->next = modem_list;
		modem_list = m;
		pthread_mutex_unlock(&modem_lock);
		if ((errno = pthread_create(&m->thread, NULL, modem_run, m)) !=
		    0) {
			xasprintf(cause, "modem %s: pthread_create: %s",
			    m->ch->name, strerror(errno));
			modem_stop();
			return -1;
		}
		m->running = 1;
	}
	if (modem_list != NULL) {
		if ((errno = pthread_create(
			 &modem_watchdog, NULL, modem_watch, NULL)) != 0) {
			xasprintf(cause, "modem: watchdog: pthread_create: %s",
			    strerror(errno));
			modem_stop();
			return -1;
		}
		modem_watchdog_running = 1;
		/* Senders choose among channels by whether modems are up. */
		chanhealth_set_probe(modem_probe);
	}
	return 0;
}

void
modem_stop(void)
{
	struct modem *m, *next;

	pthread_once(&modem_once, modem_wake_init);
	chanhealth_set_probe(NULL);
	pthread_mutex_lock(&modem_lock);
	atomic_store(&modem_stopping, 1);
	pthread_cond_broadcast(&modem_wake);
	pthread_mutex_unlock(&modem_lock);
	if (modem_watchdog_running)
		pthread_join(modem_watchdog, NULL);
	modem_watchdog_running = 0;
	for (m = modem_list; m != NULL; m = m->next)
		if (m->running)
			pthread_join(m->thread, NULL);
	pthread_mutex_lock(&modem_lock);
	m = modem_list;
	modem_list = NULL;
	pthread_mutex_unlock(&modem_lock);
	for (; m != NULL; m = next) {
		next = m->next;
		modem_free(m);
	}
	if (modem_cfg != NULL)
		gw_cfg_put(modem_cfg);
	modem_cfg = NULL;
}

void
modem_status_list(struct modem_status **v, size_t *n)
{
	long long now = clock_mono_ms();
	struct modem *m;
	size_t i = 0;

	pthread_mutex_lock(&modem_lock);
	for (m = modem_list, *n = 0; m != NULL; m = m->next)
		(*n)++;
	*v = xcalloc(*n + 1, sizeof(**v));
	for (m = modem_list; m != NULL; m = m->next, i++) {
		(*v)[i] = m->status;
		(*v)[i].up = modem_is_up(m, now);
		metrics_set("hbmgw_modem_up", m->labels, (*v)[i].up);
	}
	pthread_mutex_unlock(&modem_lock);
}

int
modem_up_count(void)
{
	long long now = clock_mono_ms();
	struct modem *m;
	int n = 0;

	pthread_mutex_lock(&modem_lock);
	for (m = modem_list; m != NULL; m = m->next)
		n += modem_is_up(m, now);
	pthread_mutex_unlock(&modem_lock);
	return n;
}
