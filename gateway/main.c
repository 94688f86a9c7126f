/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmgwd: options, startup, signals and shutdown.
 *
 * The main thread owns the process: it loads the configuration, starts the
 * HTTP server (whose worker threads do the request work), and then only
 * waits for signals, reloading on SIGHUP, pinging the systemd watchdog
 * between signals, and stopping on SIGTERM or SIGINT. Signals are blocked in
 * every thread and taken synchronously here, so no handler runs in a signal
 * context.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "lib/clock.h"
#include "gateway/api.h"
#include "gateway/api_events.h"
#include "lib/crypto.h"
#include "gateway/durable.h"
#include "gateway/gw.h"
#include "gateway/inbound_channel.h"
#include "gateway/inbox.h"
#include "gateway/http.h"
#include "gateway/lease.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/migrate.h"
#include "gateway/notify.h"
#include "gateway/retention.h"
#include "gateway/sender_http.h"
#include "gateway/sla.h"
#include "gateway/modem.h"

#define MAIN_DEFAULT_CONFIG "/etc/hbmgw/hbmgw.conf"
#define MAIN_STOP_WAIT_MS 8000 /* in-flight work gets this long */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hbmgwd [-d] [-c FILE] [--check-config | --migrate]\n"
	    "       hbmgwd --gen-key FILE\n"
	    "       hbmgwd --version | --help\n"
	    "\n"
	    "  -c, --config FILE   configuration file (default %s)\n"
	    "  -n, --check-config  validate the configuration and the privacy "
	    "key, and exit\n"
	    "  -m, --migrate       seal what an older version left in clear in "
	    "Redis, and exit\n"
	    "  -d, --debug         log debug lines\n"
	    "  -k, --gen-key FILE  write a new privacy key to FILE and exit\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          print this help and exit\n",
	    MAIN_DEFAULT_CONFIG);
}

/* Log every line of a multi-line error text, then free it. */
static void
main_log_lines(const char *prefix, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		log_errx("%s%s", prefix, line);
	free(text);
}

/* Whether A and B are equal strings or both NULL. */
static int
main_same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Whether the Redis connection settings of A and B are the same. */
static int
main_same_redis(const struct cfg *a, const struct cfg *b)
{
	size_t i;

	if (!main_same_str(a->redis.url, b->redis.url) ||
	    !main_same_str(a->redis.master, b->redis.master) ||
	    a->redis.db != b->redis.db ||
	    a->redis.sentinels.n != b->redis.sentinels.n)
		return 0;
	for (i = 0; i < a->redis.sentinels.n; i++)
		if (strcmp(a->redis.sentinels.v[i], b->redis.sentinels.v[i]) !=
		    0)
			return 0;
	return 1;
}

/* Warn about changed settings that only a restart applies. */
static void
main_restart_settings(const struct cfg *old, const struct cfg *new_cfg)
{
	if (strcmp(old->http.listen, new_cfg->http.listen) != 0 ||
	    old->http.threads != new_cfg->http.threads ||
	    old->http.max_connections != new_cfg->http.max_connections ||
	    old->http.max_per_address != new_cfg->http.max_per_address ||
	    old->http.timeout != new_cfg->http.timeout)
		log_warnx("config: http.listen, threads, max_connections, "
			  "max_per_address and timeout change on restart "
			  "only");
	if (strcmp(old->metrics.listen, new_cfg->metrics.listen) != 0)
		log_warnx("config: metrics.listen changes on restart only");
	if (strcmp(old->gateway.instance, new_cfg->gateway.instance) != 0)
		log_warnx("config: gateway.instance changes on restart only");
	if (!main_same_redis(old, new_cfg))
		log_warnx("config: redis settings change on restart only");
}

/* SIGHUP: load PATH again; keep the old configuration if it is bad. */
static void
main_reload(const char *path)
{
	const struct cfg *old;
	struct cfg *new_cfg;
	char *cause = NULL;

	notify_send("RELOADING=1");
	if ((new_cfg = cfg_load(path, &cause)) == NULL) {
		main_log_lines("config: reload rejected: ", cause);
		log_warnx("config: keeping the running configuration");
		metrics_add(
		    "hbmgw_config_reloads_total", "result=\"failed\"", 1);
		notify_send("READY=1");
		return;
	}
	old = gw_cfg_get();
	main_restart_settings(old, new_cfg);
	gw_cfg_put(old);
	gw_cfg_swap(new_cfg);
	metrics_add("hbmgw_config_reloads_total", "result=\"ok\"", 1);
	log_info("config: reloaded %s", path);
	notify_send("READY=1");
}

/* Wait for signals until told to stop; returns the stopping signal. */
static int
main_loop(const char *path, const sigset_t *set)
{
	long wd_ms = notify_watchdog_ms();
	long long last_wd = 0, now;
	struct timespec ts;
	int sig;

	for (;;) {
		now = clock_mono_ms();
		if (wd_ms > 0 && now - last_wd >= wd_ms) {
			notify_send("WATCHDOG=1");
			last_wd = now;
		}
		ts.tv_sec = wd_ms > 0 ? wd_ms / 1000 : 1;
		ts.tv_nsec = wd_ms > 0 ? (wd_ms % 1000) * 1000000 : 0;
		sig = sigtimedwait(set, NULL, &ts);
		if (sig == -1) {
			if (errno != EAGAIN && errno != EINTR)
				fatal("sigtimedwait");
			continue;
		}
		if (sig != SIGHUP)
			return sig;
		log_info("config: SIGHUP, reloading");
		main_reload(path);
	}
}

/* Start serving CFG (owned by gw from here); returns the server. */
/* Log that SRV listens on HOST, as NAME. */
static void
main_listening(const char *name, const char *host, struct http_server *srv)
{
	int v6 = strchr(host, ':') != NULL;

	log_info("%s: listening on %s%s%s:%d", name, v6 ? "[" : "", host,
	    v6 ? "]" : "", http_port(srv));
}

/*
 * The metrics listener: two threads, few connections and small bodies (it
 * takes none); a scraper or an operator's curl is all that comes.
 */
static struct http_server *
main_start_metrics(const struct cfg *cfg)
{
	struct http_options o;
	struct http_server *srv;
	char *cause = NULL;

	memset(&o, 0, sizeof(o));
	o.host = cfg->metrics.host;
	o.port = cfg->metrics.port;
	o.threads = 2; /* libmicrohttpd wants a pool of 2 or more */
	o.max_body = 1024;
	o.max_connections = 32;
	o.max_per_address = 16;
	o.timeout = cfg->http.timeout;
	if ((srv = http_start(
		 &o, api_metrics_routes, api_metrics_nroutes, &cause)) == NULL)
		fatalx("metrics: %s", cause);
	main_listening("metrics", o.host, srv);
	return srv;
}

static struct http_server *
main_start(struct cfg *cfg, struct http_server **metrics_srv)
{
	struct http_options o;
	struct http_server *srv;
	const struct http_route *routes;
	size_t nroutes;
	char *cause = NULL;

	if (gw_init(cfg, &cause) == -1 || durable_startup(&cause) == -1)
		fatalx("%s", cause);
	/* Nothing consumes before the instance's name is known to be ours. */
	if (lease_start(cfg, &cause) == -1)
		fatalx("%s", cause);
	metrics_set(
	    "hbmgw_process_start_time_seconds", "", (double)gw_started());
	metrics_add("hbmgw_config_reloads_total", "result=\"ok\"", 0);
	metrics_add("hbmgw_config_reloads_total", "result=\"failed\"", 0);
	/* Served from the start, for the dashboard and the alerts. */
	metrics_add("hbmgw_escalations_total", "reason=\"timeout\"", 0);
	metrics_add("hbmgw_escalations_total", "reason=\"declined\"", 0);
	retention_metrics_init();
	metrics_histogram_init("hbmgw_ack_latency_seconds");
	inbound_channel_init(cfg);
	o.host = cfg->http.host;
	o.port = cfg->http.port;
	o.threads = cfg->http.threads;
	o.max_body = cfg->http.max_body;
	o.max_connections = cfg->http.max_connections;
	o.max_per_address = cfg->http.max_per_address;
	o.timeout = cfg->http.timeout;
	if (inbox_start(&cause) == -1 || sender_http_start(&cause) == -1 ||
	    modem_start(&cause) == -1 || sla_start(&cause) == -1 ||
	    events_start(&cause) == -1)
		fatalx("%s", cause);
	routes = api_routes(&nroutes);
	if ((srv = http_start(&o, routes, nroutes, &cause)) == NULL)
		fatalx("%s", cause);
	main_listening("http", o.host, srv);
	*metrics_srv = main_start_metrics(cfg);
	return srv;
}

/* --migrate: seal what an older version wrote in clear, and exit. */
static int
main_migrate(struct cfg *cfg)
{
	char *cause = NULL;
	int rc = 0;

	if (gw_init(cfg, &cause) == -1 ||
	    migrate_run(gw_store(), gw_key(), &cause) == -1) {
		log_warnx("migrate: %s", cause);
		free(cause);
		rc = 1;
	}
	gw_shutdown();
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "debug", no_argument, NULL, 'd' },
		{ "gen-key", required_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = MAIN_DEFAULT_CONFIG;
	struct http_server *srv, *metrics_srv;
	struct cfg *cfg;
	char *cause = NULL;
	int ch, check = 0, debug = 0, migrate = 0, sig;
	sigset_t set;

	while (
	    (ch = getopt_long(argc, argv, "c:nmdk:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'm':
			migrate = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'k':
			if (crypto_key_generate(optarg, &cause) == -1) {
				fprintf(stderr, "hbmgwd: %s\n", cause);
				free(cause);
				return 1;
			}
			printf("privacy key written to %s\n", optarg);
			return 0;
		case 'V':
			printf("hbmgwd %s\n", HBM_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	log_init("hbmgwd", debug);

	if ((cfg = cfg_load(path, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return 1;
	}
	if (check) {
		/* The same key check as at start-up, so ExecStartPre catches it. */
		if (gw_key_check(cfg, &cause) == -1) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			cfg_free(cfg);
			return 1;
		}
		printf("configuration OK\n");
		cfg_free(cfg);
		return 0;
	}

	if (migrate)
		return main_migrate(cfg);

	/* Signals are taken by sigtimedwait() in main_loop(), nowhere else. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		fatalx("pthread_sigmask");
	signal(SIGPIPE, SIG_IGN);

	log_info("hbmgwd %s starting with %s", HBM_VERSION, path);
	srv = main_start(cfg, &metrics_srv);
	notify_send("READY=1");

	sig = main_loop(path, &set);
	log_info("%s: stopping", strsignal(sig));
	notify_send("STOPPING=1");
	events_stop(); /* open streams end, so the server can stop */
	http_stop(srv, MAIN_STOP_WAIT_MS);
	http_stop(metrics_srv, MAIN_STOP_WAIT_MS);
	inbox_stop();
	sla_stop();
	sender_http_stop();
	modem_stop();
	lease_stop();
	gw_shutdown();
	metrics_reset();
	log_info("stopped");
	return 0;
}
