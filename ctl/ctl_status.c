/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl status: readiness and Redis from /readyz, uptime, memory and
 * counters from /metrics on the metrics listener (--metrics-url), and with
 * the admin token every channel from /v1/channels (up, signal, queue
 * depth, counters, last error). The metrics listener is loopback-only by
 * default: when it cannot be read, status says so and goes on without
 * those figures.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

/* One value read from /metrics; it counts only when have is set. */
struct metric {
	double value;
	int have;
};

/* What status reads from /metrics. */
struct metrics {
	struct metric resident_bytes; /* hbmgw_process_resident_memory_bytes */
	struct metric http_requests;  /* sum of hbmgw_http_requests_total */
	struct metric reloads_ok;     /* hbmgw_config_reloads_total, ok */
	struct metric reloads_failed; /* hbmgw_config_reloads_total, failed */
};

/* One sample line of the Prometheus text format. */
struct sample {
	const char *name; /* metric name inside the text, not NUL-terminated */
	size_t name_len;
	char result[16]; /* the "result" label's value, "" when absent */
	double value;
};

/* Tells whether c may appear in a metric or label name; digits not
 * first. */
static int
name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (!first && c >= '0' && c <= '9');
}

/* Skips blanks inside a line. */
static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Parses the label set after '{' up to its '}', keeping the "result"
 * label in s. Returns the position after '}', or NULL if malformed. */
static const char *
parse_labels(const char *p, const char *end, struct sample *s)
{
	const char *name;
	size_t n;
	int want;
	char c;

	for (;;) {
		p = skip_blanks(p, end);
		if (p < end && *p == '}')
			return p + 1;
		for (name = p; p < end && name_char(*p, p == name); p++)
			;
		if (p == name)
			return NULL;
		want = p - name == 6 && memcmp(name, "result", 6) == 0;
		p = skip_blanks(p, end);
		if (p == end || *p++ != '=')
			return NULL;
		p = skip_blanks(p, end);
		if (p == end || *p++ != '"')
			return NULL;
		/* A value too long for result is cut short, and so matches
		 * no result we look for. */
		for (n = 0; p < end && *p != '"';) {
			if ((c = *p++) == '\\') {
				if (p == end)
					return NULL;
				c = *p == 'n' ? '\n' : *p;
				p++;
			}
			if (want && n + 1 < sizeof(s->result))
				s->result[n++] = c;
		}
		if (p == end)
			return NULL;
		if (want)
			s->result[n] = '\0';
		p = skip_blanks(p + 1, end);
		if (p < end && *p == ',')
			p++;
		else if (p == end || *p != '}')
			return NULL;
	}
}

/* Parses one line of the Prometheus text format (no newline) into s.
 * Returns -1 for comments, blank lines and anything malformed. */
static int
parse_sample(const char *p, const char *end, struct sample *s)
{
	char num[64];
	const char *v;
	char *num_end;

	memset(s, 0, sizeof(*s));
	p = skip_blanks(p, end);
	for (s->name = p; p < end && name_char(*p, p == s->name); p++)
		;
	if ((s->name_len = p - s->name) == 0)
		return -1;
	if (p < end && *p == '{' && (p = parse_labels(p + 1, end, s)) == NULL)
		return -1;
	v = skip_blanks(p, end);
	if (v == p && p != end)
		return -1;
	for (p = v; p < end && *p != ' ' && *p != '\t'; p++)
		;
	if (p == v || (size_t)(p - v) >= sizeof(num))
		return -1;
	memcpy(num, v, p - v);
	num[p - v] = '\0';
	s->value = strtod(num, &num_end);
	if (*num_end != '\0' || !isfinite(s->value))
		return -1;
	return 0;
}

/* Tells whether sample s is of the metric called name. */
static int
sample_is(const struct sample *s, const char *name)
{
	return s->name_len == strlen(name) &&
	    memcmp(s->name, name, s->name_len) == 0;
}

/* Sets a gauge from a sample's value. */
static void
metric_set(struct metric *m, double value)
{
	m->value = value;
	m->have = 1;
}

/* Adds a sample's value to a counter. */
static void
metric_add(struct metric *m, double value)
{
	m->value += value;
	m->have = 1;
}

/* Reads the metrics that status shows from a /metrics answer; unknown
 * metrics, comments and malformed lines are skipped. */
static void
metrics_parse(const char *text, size_t len, struct metrics *m)
{
	const char *end = text + len;
	const char *p, *nl, *line_end;
	struct sample s;

	memset(m, 0, sizeof(*m));
	for (p = text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		line_end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (parse_sample(p, line_end, &s) == 0 && s.value >= 0 &&
		    s.value <= CTL_MAX_COUNT) {
			if (sample_is(
				&s, "hbmgw_process_resident_memory_bytes"))
				metric_set(&m->resident_bytes, s.value);
			else if (sample_is(&s, "hbmgw_http_requests_total"))
				metric_add(&m->http_requests, s.value);
			else if (sample_is(&s, "hbmgw_config_reloads_total") &&
			    strcmp(s.result, "ok") == 0)
				metric_add(&m->reloads_ok, s.value);
			else if (sample_is(&s, "hbmgw_config_reloads_total") &&
			    strcmp(s.result, "failed") == 0)
				metric_add(&m->reloads_failed, s.value);
		}
		if (nl == end)
			break;
	}
	/* A daemon exports a result only once it has counted one: with the
	 * family present, a missing result is zero. */
	if (m->reloads_ok.have || m->reloads_failed.have)
		m->reloads_ok.have = m->reloads_failed.have = 1;
}

/* Parses a /readyz answer: a JSON object with a boolean "ready". */
static json_t *
readyz_parse(const struct reply *r)
{
	json_error_t jerr;
	json_t *root;

	if ((root = json_loadb(r->body, r->len, 0, &jerr)) == NULL) {
		ctl_warn("/readyz", "malformed JSON: %s", jerr.text);
		return NULL;
	}
	if (!json_is_boolean(json_object_get(root, "ready"))) {
		ctl_warn("/readyz", "malformed answer: no boolean \"ready\"");
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The uptime in /readyz, or -1 if absent or not a plausible number. */
static double
readyz_uptime(const json_t *ready)
{
	const json_t *v = json_object_get(ready, "uptime_seconds");
	double secs;

	if (!json_is_number(v))
		return -1;
	secs = json_number_value(v);
	return secs >= 0 && secs <= CTL_MAX_COUNT ? secs : -1;
}

/* Formats a byte count with binary units, e.g. "5.0 MiB". */
static void
format_bytes(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t i = 0;

	while (bytes >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, size, i == 0 ? "%.0f %s" : "%.1f %s", bytes, units[i]);
}

/* Prints status as "key: value" lines. */
static void
status_print_text(const json_t *ready, const struct metrics *m)
{
	double secs = readyz_uptime(ready);
	unsigned long long up = secs >= 0 ? (unsigned long long)secs : 0;
	char buf[64];

	print_field("ready",
	    json_is_true(json_object_get(ready, "ready")) ? "yes" : "no");
	if (json_str(ready, "error") != NULL)
		print_field("error", json_str(ready, "error"));
	print_field("redis", json_str(ready, "redis"));
	print_field("version", json_str(ready, "version"));
	print_field("instance", json_str(ready, "instance"));
	snprintf(buf, sizeof(buf), "%llud %02llu:%02llu:%02llu", up / 86400,
	    up / 3600 % 24, up / 60 % 60, up % 60);
	print_field("uptime", secs >= 0 ? buf : NULL);
	format_bytes(m->resident_bytes.value, buf, sizeof(buf));
	print_field("memory", m->resident_bytes.have ? buf : NULL);
	snprintf(buf, sizeof(buf), "%.0f", m->http_requests.value);
	print_field("http requests", m->http_requests.have ? buf : NULL);
	snprintf(buf, sizeof(buf), "%.0f ok, %.0f failed", m->reloads_ok.value,
	    m->reloads_failed.value);
	print_field("config reloads",
	    m->reloads_ok.have && m->reloads_failed.have ? buf : NULL);
}

/* Adds a metric to obj as an integer member when it was seen. */
static void
json_set_metric(json_t *obj, const char *key, const struct metric *m)
{
	double v = m->value < CTL_MAX_COUNT ? m->value : CTL_MAX_COUNT;

	if (m->have)
		json_object_set_new(obj, key, json_integer((json_int_t)v));
}

/* Adds a string member of ready to obj when ready has it. */
static void
json_copy_str(json_t *obj, const json_t *ready, const char *key)
{
	if (json_str(ready, key) != NULL)
		json_object_set_new(
		    obj, key, json_string(json_str(ready, key)));
}

/* Prints status as one JSON object, leaving out what is unknown (the
 * channels among it, without an admin token). */
static int
status_print_json(
    const json_t *ready, const struct metrics *m, json_t *channels)
{
	json_t *obj = json_object();
	double secs = readyz_uptime(ready);
	char *text;

	json_object_set_new(obj, "ready",
	    json_boolean(json_is_true(json_object_get(ready, "ready"))));
	json_copy_str(obj, ready, "redis");
	json_copy_str(obj, ready, "version");
	json_copy_str(obj, ready, "instance");
	json_copy_str(obj, ready, "error");
	if (secs >= 0)
		json_object_set_new(
		    obj, "uptime_seconds", json_integer((json_int_t)secs));
	json_set_metric(obj, "memory_bytes", &m->resident_bytes);
	json_set_metric(obj, "http_requests", &m->http_requests);
	json_set_metric(obj, "config_reloads_ok", &m->reloads_ok);
	json_set_metric(obj, "config_reloads_failed", &m->reloads_failed);
	if (channels != NULL)
		json_object_set(obj, "channels", channels);
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (text == NULL) {
		ctl_warn("json", "out of memory");
		return -1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

/*
 * GET /v1/channels into *CHANNELS (the array), left NULL when the daemon
 * has no such route or wants the admin token; the rest of status stands
 * without it. CTL_OK, or the exit status after reporting why.
 */
static int
channels_get(struct ctl *ctl, json_t **channels)
{
	struct reply r;
	json_t *root;
	int rc;

	*channels = NULL;
	if ((rc = ctl_request(ctl, "GET", "/v1/channels", NULL, &r)) !=
	    CTL_OK) {
		reply_free(&r);
		return rc;
	}
	if (r.status == 401 || r.status == 403 || r.status == 404) {
		reply_free(&r);
		return CTL_OK;
	}
	if (r.status != 200) {
		rc = reply_unexpected("/v1/channels", &r);
		reply_free(&r);
		return rc;
	}
	root = reply_json("/v1/channels", &r);
	reply_free(&r);
	if (root == NULL || !json_is_array(json_object_get(root, "channels"))) {
		if (root != NULL)
			ctl_warn("/v1/channels", "no \"channels\" array");
		json_decref(root);
		return CTL_UNREACHABLE;
	}
	*channels = json_incref(json_object_get(root, "channels"));
	json_decref(root);
	return CTL_OK;
}

/* A number member of O as text into BUF, or NULL when it has none. */
static const char *
json_num(const json_t *o, const char *key, char *buf, size_t size)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return NULL;
	snprintf(buf, size, "%.0f", json_number_value(v));
	return buf;
}

/* Prints the channels as a table, or that they are unknown. */
static void
channels_print(const json_t *channels)
{
	static const char *const titles[] = { "CHANNEL", "TYPE", "UP", "SIGNAL",
		"QUEUE", "SENT", "RECEIVED", "ERRORS", "LAST ERROR" };
	char sig[32], queue[32], sent[32], recv[32], errs[32];
	struct ctl_table t;
	const json_t *c;
	size_t i;

	if (channels == NULL) {
		print_field("channels", "unknown (needs the admin token)");
		return;
	}
	printf("\n");
	ctl_table_init(&t, 9, titles);
	json_array_foreach(channels, i, c)
	{
		const char *row[] = { json_str(c, "name"), json_str(c, "type"),
			json_is_true(json_object_get(c, "up")) ? "yes" : "no",
			json_num(c, "signal", sig, sizeof(sig)),
			json_num(c, "queue", queue, sizeof(queue)),
			json_num(c, "sent", sent, sizeof(sent)),
			json_num(c, "received", recv, sizeof(recv)),
			json_num(c, "errors", errs, sizeof(errs)),
			json_str(c, "last_error") };
		ctl_table_add(&t, row);
	}
	ctl_table_print(&t);
}

/* The metrics that status shows into M, from the metrics listener; M
 * stays empty, with a warning, when that cannot be read. */
static void
status_metrics(struct ctl *ctl, struct metrics *m)
{
	struct reply r;

	memset(m, 0, sizeof(*m));
	if (ctl_request_at(
		ctl, ctl->metrics_url, "GET", "/metrics", NULL, &r) == CTL_OK) {
		if (r.status == 200)
			metrics_parse(r.body, r.len, m);
		else
			ctl_warn("/metrics", "HTTP %ld from %s", r.status,
			    ctl->metrics_url);
	}
	reply_free(&r);
}

/* status: /readyz, /metrics and /v1/channels in one report; exit 0 when
 * ready, 1 when the daemon answers that it is not. */
int
cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct metrics m;
	struct reply r;
	json_t *ready = NULL, *channels = NULL;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = ctl_get(ctl, "/readyz", &r)) != CTL_OK)
		goto out;
	if (r.status != 200 && r.status != 503) {
		rc = reply_unexpected("/readyz", &r);
		goto out;
	}
	if ((ready = readyz_parse(&r)) == NULL) {
		rc = CTL_UNREACHABLE;
		goto out;
	}
	reply_free(&r);
	status_metrics(ctl, &m);
	if ((rc = channels_get(ctl, &channels)) != CTL_OK)
		goto out;
	if (!ctl->json) {
		status_print_text(ready, &m);
		channels_print(channels);
	} else if (status_print_json(ready, &m, channels) == -1) {
		rc = CTL_UNREACHABLE;
		goto out;
	}
	if (!json_is_true(json_object_get(ready, "ready")))
		rc = CTL_NOT_READY;
out:
	reply_free(&r);
	json_decref(ready);
	json_decref(channels);
	return rc;
}
