/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl: the operator's command line client for hbmgwd's HTTP API.
 * Each command is one entry in ctl_cmds[] (its code in ctl_*.c); all of
 * them share one libcurl handle and print "key: value" lines or tables, or
 * one JSON object with --json.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/ctl.h"

#define CTL_DEFAULT_URL "http://127.0.0.1:8080"
#define CTL_DEFAULT_METRICS_URL "http://127.0.0.1:9464"
#define CTL_DEFAULT_TIMEOUT 5		   /* seconds */
#define CTL_REQUEUE_MAX 1000		   /* ids one requeue takes */
#define CTL_MAX_TIMEOUT 3600		   /* seconds */
#define CTL_INDENT "                     " /* --help: where summaries start */

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", 0, 0, "status",
	    "readiness, Redis, channels and queues, counters", cmd_status },
	{ "cases", 0, 6, "cases [--status S] [--limit N] [--cursor C]",
	    "cases, newest first", cmd_cases },
	{ "case", 1, 1, "case CODE", "one case and its history", cmd_case },
	{ "send", 2, 2, "send NUMBER TEXT", "queue an SMS to NUMBER",
	    cmd_send },
	{ "inject", 2, 2, "inject NUMBER TEXT",
	    "handle TEXT as an SMS from NUMBER", cmd_inject },
	{ "audit", 1, 1, "audit verify", "check the audit hash chain",
	    cmd_audit },
	{ "messages", 0, 6, "messages [--to NUMBER] [--status S] [--limit N]",
	    "outbound SMS, newest first", cmd_messages },
	{ "message", 1, 1, "message ID", "one outbound SMS and its attempts",
	    cmd_message },
	{ "requeue", 1, CTL_REQUEUE_MAX, "requeue ID... | requeue --dead",
	    "queue dead or failed SMS again", cmd_requeue },
	{ "hash-password", 0, 0, "hash-password",
	    "a console user's password_hash, from a password on stdin",
	    cmd_hash_password },
};

/* getopt_long() values of the options; all above any char, so that optopt
 * tells a bad short option from a bad long one. */
enum ctl_opt {
	OPT_URL = 256,
	OPT_METRICS_URL,
	OPT_TOKEN,
	OPT_TOKEN_FILE,
	OPT_JSON,
	OPT_TIMEOUT,
	OPT_HELP,
	OPT_VERSION,
};

/* Replaces control characters so that a daemon's text cannot drive the
 * terminal. */
void
sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

/* Prints "hbmctl: what: problem" to stderr. */
void __attribute__((format(printf, 2, 3)))
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

/* Prints one "key: value" line; value comes from the daemon. */
void
print_field(const char *key, const char *value)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", value != NULL ? value : "unknown");
	sanitize(buf);
	printf("%s: %s\n", key, buf);
}

/* The string member key of obj, or NULL. */
const char *
json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Prints O as one line of compact JSON; -1 when it cannot be encoded. */
int
ctl_print_json(const json_t *o)
{
	char *text;

	if ((text = json_dumps(o, JSON_COMPACT)) == NULL) {
		ctl_warn("json", "out of memory");
		return -1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
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
	    "  --metrics-url URL  the metrics listener, read by status\n"
	    "                     (default: $HBMGW_METRICS_URL, else\n"
	    "                     " CTL_DEFAULT_METRICS_URL ")\n"
	    "  --token-file FILE  bearer token: the first line of FILE\n"
	    "                     (default: $HBMGW_TOKEN_FILE, else "
	    "$HBMGW_TOKEN)\n"
	    "  --token TOKEN      bearer token; other users see it in ps(1),\n"
	    "                     so prefer --token-file or $HBMGW_TOKEN\n"
	    "  --json             print one JSON object, for scripts\n"
	    "  --timeout SECONDS  give up on a request after this long "
	    "(default: %d)\n"
	    "  --help             print this help and exit\n"
	    "  --version          print the version and exit\n"
	    "\n"
	    "commands:\n",
	    CTL_DEFAULT_TIMEOUT);
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		fprintf(fp, "  %-18s%s%s\n", ctl_cmds[i].usage,
		    strlen(ctl_cmds[i].usage) < 18 ? " " : "\n" CTL_INDENT,
		    ctl_cmds[i].summary);
	fprintf(fp,
	    "\n"
	    "exit status:\n"
	    "  0  ready, or success\n"
	    "  1  the daemon is not ready, or the audit chain is broken\n"
	    "  2  usage error, or an empty password (hash-password)\n"
	    "  3  cannot reach the daemon, or its answer is malformed\n"
	    "  4  authentication refused\n"
	    "  5  no such case, or the daemon refused the input\n");
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

/* Stores the base URL in *OUT after checking its scheme. */
static int
set_url(char **out, const char *url)
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
	if ((*out = strndup(url, len)) == NULL) {
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
		{ "metrics-url", required_argument, NULL, OPT_METRICS_URL },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = getenv("HBMGW_URL");
	const char *metrics_url = getenv("HBMGW_METRICS_URL");
	char *end;
	long secs = CTL_DEFAULT_TIMEOUT;
	const char *token_file = getenv("HBMGW_TOKEN_FILE");
	char shortopt[3];
	int c;

	/* The command line over the environment, the last option winning. */
	ctl->token = getenv("HBMGW_TOKEN");
	if (token_file != NULL && *token_file == '\0')
		token_file = NULL;
	if (token_file != NULL)
		ctl->token = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_URL:
			url = optarg;
			break;
		case OPT_METRICS_URL:
			metrics_url = optarg;
			break;
		case OPT_TOKEN:
			ctl->token = optarg;
			token_file = NULL;
			break;
		case OPT_TOKEN_FILE:
			token_file = optarg;
			ctl->token = NULL;
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
	if (metrics_url == NULL || *metrics_url == '\0')
		metrics_url = CTL_DEFAULT_METRICS_URL;
	if (token_file != NULL) {
		if (ctl_token_file(token_file, &ctl->token_buf) == -1)
			exit(CTL_USAGE);
		ctl->token = ctl->token_buf;
	}
	if (ctl->token != NULL && *ctl->token == '\0')
		ctl->token = NULL;
	if (ctl->token != NULL && !token_valid(ctl->token)) {
		ctl_warn("token", "holds spaces or control characters");
		exit(CTL_USAGE);
	}
	if (set_url(&ctl->url, url) == -1 ||
	    set_url(&ctl->metrics_url, metrics_url) == -1)
		exit(CTL_USAGE);
	ctl->timeout_ms = secs * 1000;
	return optind;
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
		free(ctl.metrics_url);
		free(ctl.token_buf);
		return CTL_USAGE;
	}
	if (ctl_open(&ctl) == -1)
		rc = CTL_UNREACHABLE;
	else
		rc = cmd->run(&ctl, nargs, argv + first + 1);
	ctl_close(&ctl);
	if (ctl.token_buf != NULL)
		explicit_bzero(ctl.token_buf, strlen(ctl.token_buf));
	free(ctl.token_buf);
	return rc;
}
