/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl: the operator's command line client for hbmgwd's HTTP API.
 * Each command is one entry in ctl_cmds[]; all of them share one libcurl
 * handle and print "key: value" lines, or one JSON object with --json.
 */

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#define CTL_DEFAULT_URL "http://127.0.0.1:8080"
#define CTL_DEFAULT_TIMEOUT 5		 /* seconds */
#define CTL_MAX_TIMEOUT 3600		 /* seconds */
#define CTL_MAX_BODY (4 << 20)		 /* bytes of one answer we accept */
#define CTL_MAX_COUNT 9007199254740992.0 /* 2^53: larger is not exact */

/* Exit statuses, as documented in hbmctl(1). */
enum ctl_exit {
	CTL_OK = 0,	     /* ready, or the command succeeded */
	CTL_NOT_READY = 1,   /* the daemon answered but is not ready */
	CTL_USAGE = 2,	     /* bad options or arguments */
	CTL_UNREACHABLE = 3, /* no answer, or one we cannot read */
	CTL_AUTH = 4,	     /* the daemon refused our credentials */
};

/* getopt_long() values of the options; all above any char, so that optopt
 * tells a bad short option from a bad long one. */
enum ctl_opt {
	OPT_URL = 256,
	OPT_TOKEN,
	OPT_JSON,
	OPT_TIMEOUT,
	OPT_HELP,
	OPT_VERSION,
};

/* What every command needs to talk to the daemon. */
struct ctl {
	char *url;	   /* base URL without trailing '/', owned */
	const char *token; /* bearer token or NULL, borrowed; never printed */
	int json;	   /* --json: machine-readable output */
	long timeout_ms;   /* per request, connect included */
	CURL *curl;	   /* one handle, so requests share a connection */
	struct curl_slist *headers; /* Authorization header, owned */
};

/* One HTTP answer. */
struct reply {
	long status;  /* HTTP status code */
	char *body;   /* NUL-terminated, owned */
	size_t len;   /* bytes in body, terminator not counted */
	int overflow; /* set when the body passed CTL_MAX_BODY */
};

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

/* One command: its name, how many arguments it takes, and its code. */
struct ctl_cmd {
	const char *name;
	int min_args;
	int max_args;
	const char *usage;   /* name and arguments, for usage lines */
	const char *summary; /* one line for --help */
	int (*run)(struct ctl *, int, char **);
};

static int cmd_status(struct ctl *, int, char **);

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", 0, 0, "status",
	    "readiness, Redis, uptime, memory, counters", cmd_status },
};

/* Replaces control characters so that a daemon's text cannot drive the
 * terminal. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

/* Prints "hbmctl: what: problem" to stderr. */
static void __attribute__((format(printf, 2, 3)))
ctl_warn(const char *what, const char *fmt, ...)
{
	char msg[1024];
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s", what, msg);
	sanitize(line);
	fprintf(stderr, "hbmctl: %s\n", line);
}

/* Prints the help text; to stdout and exit 0 when asked for, otherwise to
 * stderr and exit 2. */
static _Noreturn void
usage(int status)
{
	FILE *fp = status == CTL_OK ? stdout : stderr;
	size_t i;

	fprintf(fp,
	    "usage: hbmctl [options] command [arguments]\n"
	    "\n"
	    "options:\n"
	    "  --url URL          the daemon's HTTP address (default: "
	    "$HBMGW_URL,\n"
	    "                     else " CTL_DEFAULT_URL ")\n"
	    "  --token TOKEN      bearer token (default: $HBMGW_TOKEN)\n"
	    "  --json             print one JSON object, for scripts\n"
	    "  --timeout SECONDS  give up on a request after this long "
	    "(default: %d)\n"
	    "  --help             print this help and exit\n"
	    "  --version          print the version and exit\n"
	    "\n"
	    "commands:\n",
	    CTL_DEFAULT_TIMEOUT);
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		fprintf(
		    fp, "  %-18s %s\n", ctl_cmds[i].usage, ctl_cmds[i].summary);
	fprintf(fp,
	    "\n"
	    "exit status:\n"
	    "  0  ready, or success\n"
	    "  1  the daemon answered but is not ready\n"
	    "  2  usage error\n"
	    "  3  cannot reach the daemon, or its answer is malformed\n"
	    "  4  authentication refused\n");
	exit(status);
}

/* Reports a bad or unknown option without echoing a value that may be a
 * token. */
static _Noreturn void
bad_option(const char *arg, const char *problem)
{
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	ctl_warn(name, "%s", problem);
	usage(CTL_USAGE);
}

/* Checks that a token holds only what a bearer token may (RFC 6750), so it
 * cannot break the header it is sent in. */
static int
token_valid(const char *token)
{
	const char *p;

	for (p = token; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	}
	return 1;
}

/* Stores the base URL in ctl after checking its scheme. */
static int
set_url(struct ctl *ctl, const char *url)
{
	size_t scheme, len;

	if (strncasecmp(url, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		scheme = 8;
	else {
		ctl_warn("url", "must start with http:// or https://");
		return -1;
	}
	len = strlen(url);
	while (len > scheme && url[len - 1] == '/')
		len--;
	if (len == scheme || url[scheme] == '/') {
		ctl_warn("url", "has no host");
		return -1;
	}
	if ((ctl->url = strndup(url, len)) == NULL) {
		ctl_warn("url", "out of memory");
		return -1;
	}
	return 0;
}

/* Reads the options before the command into ctl; exits on --help,
 * --version or a usage error. Returns the index of the command. */
static int
parse_options(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, OPT_URL },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = getenv("HBMGW_URL");
	char *end;
	long secs = CTL_DEFAULT_TIMEOUT;
	char shortopt[3];
	int c;

	ctl->token = getenv("HBMGW_TOKEN");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_URL:
			url = optarg;
			break;
		case OPT_TOKEN:
			ctl->token = optarg;
			break;
		case OPT_JSON:
			ctl->json = 1;
			break;
		case OPT_TIMEOUT:
			secs = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || secs < 1 ||
			    secs > CTL_MAX_TIMEOUT) {
				ctl_warn("--timeout",
				    "expected whole seconds from 1 to %d",
				    CTL_MAX_TIMEOUT);
				usage(CTL_USAGE);
			}
			break;
		case OPT_HELP:
			usage(CTL_OK);
		case OPT_VERSION:
			printf("hbmctl %s\n", HBM_VERSION);
			exit(CTL_OK);
		case ':':
			bad_option(argv[optind - 1], "needs an argument");
		default:
			if (optopt > 0 && optopt < OPT_URL) {
				snprintf(
				    shortopt, sizeof(shortopt), "-%c", optopt);
				bad_option(shortopt, "unknown option");
			}
			bad_option(argv[optind - 1],
			    optopt == 0 ? "unknown option"
					: "takes no argument");
		}
	}
	if (url == NULL || *url == '\0')
		url = CTL_DEFAULT_URL;
	if (ctl->token != NULL && *ctl->token == '\0')
		ctl->token = NULL;
	if (ctl->token != NULL && !token_valid(ctl->token)) {
		ctl_warn("token", "holds spaces or control characters");
		exit(CTL_USAGE);
	}
	if (set_url(ctl, url) == -1)
		exit(CTL_USAGE);
	ctl->timeout_ms = secs * 1000;
	return optind;
}

/* Collects an answer's body; curl_easy_perform() fails when this returns
 * less than it was given. */
static size_t
reply_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t add = size * n;
	char *body;

	if (add > CTL_MAX_BODY - r->len) {
		r->overflow = 1;
		return 0;
	}
	if ((body = realloc(r->body, r->len + add + 1)) == NULL)
		return 0;
	memcpy(body + r->len, data, add);
	r->len += add;
	body[r->len] = '\0';
	r->body = body;
	return add;
}

/* Frees what a reply holds; a zeroed reply is fine. */
static void
reply_free(struct reply *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Copies the daemon's {"error": "..."} text into buf, or "" if none. */
static const char *
reply_error(const struct reply *r, char *buf, size_t size)
{
	json_t *root, *err;

	buf[0] = '\0';
	root = json_loadb(r->body, r->len, 0, NULL);
	err = json_object_get(root, "error");
	if (json_is_string(err))
		snprintf(buf, size, "%s", json_string_value(err));
	json_decref(root);
	return buf;
}

/* Reports an HTTP status the command does not expect. */
static int
reply_unexpected(const char *path, const struct reply *r)
{
	char err[256];

	reply_error(r, err, sizeof(err));
	ctl_warn(path, "unexpected HTTP status %ld%s%s", r->status,
	    err[0] != '\0' ? ": " : "", err);
	return CTL_UNREACHABLE;
}

/* Sets up libcurl for every request: timeout, protocols, token. */
static int
ctl_open(struct ctl *ctl)
{
	char *auth;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (ctl->curl = curl_easy_init()) == NULL) {
		ctl_warn("curl", "cannot initialise");
		return -1;
	}
	curl_easy_setopt(ctl->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT_MS, ctl->timeout_ms);
	curl_easy_setopt(ctl->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ctl->curl, CURLOPT_USERAGENT, "hbmctl/" HBM_VERSION);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, reply_write_cb);
	if (ctl->token == NULL)
		return 0;
	if (asprintf(&auth, "Authorization: Bearer %s", ctl->token) == -1) {
		ctl_warn("token", "out of memory");
		return -1;
	}
	ctl->headers = curl_slist_append(NULL, auth);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	if (ctl->headers == NULL) {
		ctl_warn("token", "out of memory");
		return -1;
	}
	curl_easy_setopt(ctl->curl, CURLOPT_HTTPHEADER, ctl->headers);
	return 0;
}

/* Releases what ctl_open() and set_url() took. */
static void
ctl_close(struct ctl *ctl)
{
	curl_easy_cleanup(ctl->curl);
	curl_slist_free_all(ctl->headers);
	curl_global_cleanup();
	free(ctl->url);
}

/* GETs path from the daemon into r. Returns CTL_OK when an answer came
 * that was not an authentication refusal (the caller judges its status),
 * otherwise reports why and returns the exit status. */
static int
ctl_get(struct ctl *ctl, const char *path, struct reply *r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char err[256];
	char *url;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (asprintf(&url, "%s%s", ctl->url, path) == -1 ||
	    (r->body = calloc(1, 1)) == NULL) {
		ctl_warn(path, "out of memory");
		return CTL_UNREACHABLE;
	}
	curl_easy_setopt(ctl->curl, CURLOPT_URL, url);
	curl_easy_setopt(ctl->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(ctl->curl);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, NULL);
	free(url);
	if (r->overflow) {
		ctl_warn(path, "answer longer than %d bytes", CTL_MAX_BODY);
		return CTL_UNREACHABLE;
	}
	if (rc != CURLE_OK) {
		ctl_warn(path, "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		return CTL_UNREACHABLE;
	}
	curl_easy_getinfo(ctl->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status == 401 || r->status == 403) {
		reply_error(r, err, sizeof(err));
		ctl_warn(path, "authentication refused (HTTP %ld%s%s)%s",
		    r->status, err[0] != '\0' ? ": " : "", err,
		    ctl->token == NULL ? "; no token given" : "");
		return CTL_AUTH;
	}
	return CTL_OK;
}

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

/* The string member key of obj, or NULL. */
static const char *
json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
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

/* Prints one "key: value" line; value comes from the daemon. */
static void
print_field(const char *key, const char *value)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", value != NULL ? value : "unknown");
	sanitize(buf);
	printf("%s: %s\n", key, buf);
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

/* Prints status as one JSON object, leaving out what is unknown. */
static int
status_print_json(const json_t *ready, const struct metrics *m)
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

/* status: /readyz and /metrics in one report; exit 0 when ready, 1 when
 * the daemon answers that it is not. */
static int
cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct metrics m;
	struct reply r;
	json_t *ready = NULL;
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
	if ((rc = ctl_get(ctl, "/metrics", &r)) != CTL_OK)
		goto out;
	if (r.status != 200) {
		rc = reply_unexpected("/metrics", &r);
		goto out;
	}
	metrics_parse(r.body, r.len, &m);
	if (!ctl->json)
		status_print_text(ready, &m);
	else if (status_print_json(ready, &m) == -1) {
		rc = CTL_UNREACHABLE;
		goto out;
	}
	if (!json_is_true(json_object_get(ready, "ready")))
		rc = CTL_NOT_READY;
out:
	reply_free(&r);
	json_decref(ready);
	return rc;
}

/* The command called name, or NULL. */
static const struct ctl_cmd *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	}
	return NULL;
}

/* hbmctl [options] command [arguments]: runs one command, exits with its
 * status. */
int
main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	const struct ctl_cmd *cmd;
	int first, nargs, rc;

	first = parse_options(&ctl, argc, argv);
	if (first == argc) {
		ctl_warn("command", "missing");
		usage(CTL_USAGE);
	}
	if ((cmd = cmd_find(argv[first])) == NULL) {
		ctl_warn(argv[first], "unknown command");
		usage(CTL_USAGE);
	}
	nargs = argc - first - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		ctl_warn(cmd->name, "wrong number of arguments");
		fprintf(stderr, "usage: hbmctl [options] %s\n", cmd->usage);
		free(ctl.url);
		return CTL_USAGE;
	}
	if (ctl_open(&ctl) == -1)
		rc = CTL_UNREACHABLE;
	else
		rc = cmd->run(&ctl, nargs, argv + first + 1);
	ctl_close(&ctl);
	return rc;
}
