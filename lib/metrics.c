/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small metrics registry. Values live in a hash table keyed by
 * "name{labels}" behind one mutex; any thread may update, the HTTP thread
 * that serves /metrics renders. Process-wide figures (memory, start time,
 * build) are read when rendering.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/xmalloc.h"

#define METRICS_BUCKETS 256

enum metric_type { COUNTER, GAUGE, HISTOGRAM };

struct metric_desc {
	const char *name;
	enum metric_type type;
	const char *help;
};

/* Every metric the daemon exports; metrics_add() refuses others. */
static const struct metric_desc metric_descs[] = {
	{ "hbmgw_http_requests_total", COUNTER,
	    "HTTP requests by route pattern, method and status" },
	{ "hbmgw_redis_up", GAUGE, "1 when the last Redis check succeeded" },
	{ "hbmgw_audit_chain_ok", GAUGE,
	    "1 when the last check of the audit hash chain found it intact, "
	    "0 broken" },
	{ "hbmgw_audit_verified_seconds", GAUGE,
	    "When the audit chain was last checked, Unix time" },
	{ "hbmgw_config_reloads_total", COUNTER,
	    "Configuration reloads by result" },
	{ "hbmgw_outbound_total", COUNTER,
	    "Outbound SMS send outcomes by channel and result (sent, "
	    "retried, dead, handoff, moved)" },
	{ "hbmgw_outbox_dead_total", COUNTER,
	    "Outbound SMS dead-lettered (expired or undeliverable), by channel" },
	{ "hbmgw_outbox_depth", GAUGE,
	    "Entries in a channel's outbox stream, queued or in flight" },
	{ "hbmgw_outbox_oldest_seconds", GAUGE,
	    "Age of the oldest entry in a channel's outbox stream" },
	{ "hbmgw_channel_up", GAUGE,
	    "1 when a channel can send (breaker closed, modem answering)" },
	{ "hbmgw_inbound_total", COUNTER, "Inbound SMS by source and result" },
	{ "hbmgw_http_received_total", COUNTER,
	    "New SMS a webhook took, by the http channel they came through" },
	{ "hbmgw_delivery_reports_total", COUNTER,
	    "Delivery reports by format and report" },
	{ "hbmgw_inbox_processed_total", COUNTER,
	    "Inbox entries handed to the case logic" },
	{ "hbmgw_inbox_batches_total", COUNTER,
	    "Batches of inbox entries decided and applied together" },
	{ "hbmgw_inbox_conflicts_total", COUNTER,
	    "Inbox entries decided again because their sender's state "
	    "changed meanwhile" },
	{ "hbmgw_inbox_ignored_total", COUNTER,
	    "Inbox entries not answered, by reason" },
	{ "hbmgw_case_events_total", COUNTER,
	    "Case changes by category and event (created, acknowledged, "
	    "closed, escalated, reassigned)" },
	{ "hbmgw_ack_latency_seconds", HISTOGRAM,
	    "Time from a case's creation to its acknowledgement" },
	{ "hbmgw_inbox_depth", GAUGE, "Entries in the inbox stream" },
	{ "hbmgw_inbox_pending", GAUGE,
	    "Inbox entries read and not yet acknowledged" },
	{ "hbmgw_cases_limited_total", COUNTER,
	    "New cases refused by limits.cases_per_day" },
	{ "hbmgw_replies_limited_total", COUNTER,
	    "Replies withheld by limits.replies_per_hour" },
	{ "hbmgw_renotifications_total", COUNTER,
	    "Agencies reminded of an unacknowledged case" },
	{ "hbmgw_escalations_total", COUNTER,
	    "Cases escalated to the coordinator, by reason" },
	{ "hbmgw_cases_purged_total", COUNTER,
	    "Closed cases whose personal fields were removed" },
	{ "hbmgw_retention_errors_total", COUNTER,
	    "Retention steps that failed, by step (inbox, msgs, msgs_all, "
	    "audit, cases)" },
	{ "hbmgw_ussd_requests_total", COUNTER,
	    "USSD requests answered, by result (continue, end)" },
	{ "hbmgw_code_lookups_total", COUNTER,
	    "Case codes looked up by SMS, by result (full, state, not_found, "
	    "limited)" },
	{ "hbmgw_ussd_pin_checks_total", COUNTER,
	    "USSD PIN tries, by result (ok, wrong; locked: refused unhashed)" },
	{ "hbmgw_event_streams", GAUGE, "Open GET /v1/events streams" },
	{ "hbmgw_signins_total", COUNTER,
	    "Console sign-ins, by result (ok, wrong; locked: refused "
	    "unhashed)" },
	{ "hbmgw_process_start_time_seconds", GAUGE,
	    "Start time of the process in seconds since the epoch" },
	{ "hbmgw_modem_up", GAUGE,
	    "1 while a modem is connected and answering, by modem" },
	{ "hbmgw_modem_signal_percent", GAUGE,
	    "A modem's last signal quality in percent, -1 unknown" },
	{ "hbmgw_modem_balance", GAUGE,
	    "A modem's prepaid balance from its balance_ussd reply, by modem" },
	{ "hbmgw_modem_sent_total", COUNTER, "SMS a modem sent, by modem" },
	{ "hbmgw_modem_received_total", COUNTER,
	    "SMS a modem received and stored in the inbox, by modem" },
	{ "hbmgw_modem_polls_total", COUNTER,
	    "Reads of a modem's SIM that ended, by modem" },
	{ "hbmgw_modem_errors_total", COUNTER,
	    "Modem errors (connect, read, send, hang), by modem" },
	{ "hbmgw_instance_lease_held", GAUGE,
	    "1 while this daemon holds its instance lease and consumes" },
	{ "hbmgw_instance_lease_lost_total", COUNTER,
	    "Times the instance lease was found in another daemon's hands" },
	{ "hbmgw_takeover_entries_total", COUNTER,
	    "Pending entries claimed from dead instances, by stream" },
	{ "hbmgw_takeover_consumers_removed_total", COUNTER,
	    "Consumers of dead instances removed from a group, by stream" },
};

struct metric_value {
	char *key;	/* "name{labels}" or "name", owned */
	size_t namelen; /* bytes of key that are the name */
	double value;
	struct metric_value *next; /* hash chain */
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metric_value *metrics_table[METRICS_BUCKETS];

static const struct metric_desc *
metrics_desc_exact(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(metric_descs) / sizeof(metric_descs[0]); i++) {
		if (strlen(metric_descs[i].name) == len &&
		    memcmp(metric_descs[i].name, name, len) == 0)
			return &metric_descs[i];
	}
	return NULL;
}

/* The declaration of NAME; a histogram's _bucket, _sum and _count too. */
static const struct metric_desc *
metrics_desc(const char *name, size_t len)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	const struct metric_desc *d;
	size_t i, n;

	if ((d = metrics_desc_exact(name, len)) != NULL)
		return d;
	for (i = 0; i < 3; i++) {
		n = strlen(suffixes[i]);
		if (len > n && memcmp(name + len - n, suffixes[i], n) == 0 &&
		    (d = metrics_desc_exact(name, len - n)) != NULL &&
		    d->type == HISTOGRAM)
			return d;
	}
	return NULL;
}

static unsigned
metrics_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % METRICS_BUCKETS;
}

/* The value slot for NAME{LABELS}, created at 0; call with the lock held. */
static struct metric_value *
metrics_slot(const char *name, const char *labels)
{
	struct metric_value *m;
	char *key;
	unsigned h;

	if (metrics_desc(name, strlen(name)) == NULL)
		fatalx("metrics: %s: not declared", name);
	if (labels == NULL || *labels == '\0')
		key = xstrdup(name);
	else
		xasprintf(&key, "%s{%s}", name, labels);
	h = metrics_hash(key);
	for (m = metrics_table[h]; m != NULL; m = m->next) {
		if (strcmp(m->key, key) == 0) {
			free(key);
			return m;
		}
	}
	m = xcalloc(1, sizeof(*m));
	m->key = key;
	m->namelen = strlen(name);
	m->next = metrics_table[h];
	metrics_table[h] = m;
	return m;
}

void
metrics_add(const char *name, const char *labels, double n)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_slot(name, labels)->value += n;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_set(const char *name, const char *labels, double v)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_slot(name, labels)->value = v;
	pthread_mutex_unlock(&metrics_lock);
}

double
metrics_get(const char *name, const char *labels)
{
	double v;

	pthread_mutex_lock(&metrics_lock);
	v = metrics_slot(name, labels)->value;
	pthread_mutex_unlock(&metrics_lock);
	return v;
}

/* Add N observations of V to histogram NAME (N 0: its series, at 0). */
static void
metrics_hist_add(const char *name, double v, int n)
{
	/* Seconds: a minute to three days, the range of ack deadlines. */
	static const double le[] = { 60, 300, 900, 3600, 14400, 86400, 259200 };
	char key[128], labels[32];
	size_t i;

	pthread_mutex_lock(&metrics_lock);
	snprintf(key, sizeof(key), "%s_bucket", name);
	for (i = 0; i < sizeof(le) / sizeof(le[0]); i++) {
		snprintf(labels, sizeof(labels), "le=\"%g\"", le[i]);
		metrics_slot(key, labels)->value += n * (v <= le[i]);
	}
	metrics_slot(key, "le=\"+Inf\"")->value += n;
	snprintf(key, sizeof(key), "%s_sum", name);
	metrics_slot(key, "")->value += n * v;
	snprintf(key, sizeof(key), "%s_count", name);
	metrics_slot(key, "")->value += n;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_observe(const char *name, double v)
{
	metrics_hist_add(name, v, 1);
}

void
metrics_histogram_init(const char *name)
{
	metrics_hist_add(name, 0, 0);
}

void
metrics_http(const char *route, const char *method, int status)
{
	char labels[256];

	snprintf(labels, sizeof(labels),
	    "route=\"%s\",method=\"%s\",status=\"%d\"", route, method, status);
	metrics_add("hbmgw_http_requests_total", labels, 1);
}

static int
metrics_cmp(const void *a, const void *b)
{
	const struct metric_value *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

/* Resident set size in bytes, from /proc/self/statm. */
static long long
metrics_rss(void)
{
	long long pages = 0, rss = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	if (fscanf(f, "%lld %lld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static void
metrics_render_values(FILE *f)
{
	struct metric_value **all, *m;
	const struct metric_desc *d, *last = NULL;
	size_t n = 0, i;

	for (i = 0; i < METRICS_BUCKETS; i++)
		for (m = metrics_table[i]; m != NULL; m = m->next)
			n++;
	all = xcalloc(n, sizeof(*all));
	n = 0;
	for (i = 0; i < METRICS_BUCKETS; i++)
		for (m = metrics_table[i]; m != NULL; m = m->next)
			all[n++] = m;
	qsort(all, n, sizeof(*all), metrics_cmp);
	for (i = 0; i < n; i++) {
		d = metrics_desc(all[i]->key, all[i]->namelen);
		if (d != last) {
			fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", d->name,
			    d->help, d->name,
			    d->type == COUNTER	   ? "counter"
				: d->type == GAUGE ? "gauge"
						   : "histogram");
			last = d;
		}
		fprintf(f, "%s %.17g\n", all[i]->key, all[i]->value);
	}
	free(all);
}

void
metrics_render(FILE *f)
{
	fprintf(f,
	    "# HELP hbmgw_build_info Version of this daemon\n"
	    "# TYPE hbmgw_build_info gauge\n"
	    "hbmgw_build_info{version=\"%s\"} 1\n",
	    HBM_VERSION);
	fprintf(f,
	    "# HELP hbmgw_process_resident_memory_bytes Resident "
	    "memory\n"
	    "# TYPE hbmgw_process_resident_memory_bytes gauge\n"
	    "hbmgw_process_resident_memory_bytes %lld\n",
	    metrics_rss());
	pthread_mutex_lock(&metrics_lock);
	metrics_render_values(f);
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_reset(void)
{
	struct metric_value *m, *next;
	size_t i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < METRICS_BUCKETS; i++) {
		for (m = metrics_table[i]; m != NULL; m = next) {
			next = m->next;
			free(m->key);
			free(m);
		}
		metrics_table[i] = NULL;
	}
	pthread_mutex_unlock(&metrics_lock);
}
