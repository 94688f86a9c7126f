/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GET /healthz, /readyz and /metrics: liveness, readiness, Prometheus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/chanhealth.h"
#include "gateway/gw.h"
#include "gateway/schema_gate.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "gateway/modem.h"

/* Check Redis on this thread's connection; keeps hbmgw_redis_up current. */
static int
api_redis_check(char **cause)
{
	int up;

	up = store_ping(gw_store(), cause) == 0;
	metrics_set("hbmgw_redis_up", "", up);
	return up;
}

static void
api_healthz(const struct http_request *req, struct http_response *resp)
{
	(void)req;
	api_reply_json(resp, 200, json_pack("{s:s}", "status", "alive"));
}

/*
 * How many channels can send now: modems that answer and channels whose
 * breaker is closed. When none can, *WHY says why (the first channel's
 * last error), allocated.
 */
static int
api_channels_up(const struct cfg *cfg, char **why)
{
	struct chanhealth_info h;
	const char *error = NULL;
	size_t i;
	int n = 0;

	*why = NULL;
	for (i = 0; i < cfg->nchannels; i++) {
		chanhealth_get(cfg->channels[i].name, &h);
		if (h.up)
			n++;
		else if (error == NULL && h.last_error[0] != '\0') {
			xasprintf(why, "no channel can send: %s: %s",
			    cfg->channels[i].name, h.last_error);
			error = *why;
		}
	}
	if (n > 0) {
		free(*why);
		*why = NULL;
	} else if (*why == NULL)
		xasprintf(why, "no channel can send");
	return n;
}

static void
api_readyz(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg;
	char *cause = NULL, *why = NULL;
	json_t *o;
	int up, schema, ready, channels;

	(void)req;
	up = api_redis_check(&cause);
	schema = up && schema_gate_open(gw_store());
	cfg = gw_cfg_get();
	channels = api_channels_up(cfg, &why);
	ready = up && schema && channels > 0;
	o = json_pack("{s:b,s:s,s:i,s:s,s:s,s:I}", "ready", ready, "redis",
	    up ? "up" : "down", "channels_up", channels, "version", HBM_VERSION,
	    "instance", cfg->gateway.instance, "uptime_seconds",
	    (json_int_t)(time(NULL) - gw_started()));
	gw_cfg_put(cfg);
	if (!up)
		json_object_set_new(o, "error", json_string(cause));
	else if (!schema)
		json_object_set_new(o, "error",
		    json_string(schema_gate_why() != NULL
			    ? schema_gate_why()
			    : "the data's schema is not known yet"));
	else if (channels == 0)
		json_object_set_new(o, "error", json_string(why));
	free(cause);
	free(why);
	api_reply_json(resp, ready ? 200 : 503, o);
}

/* hbmgw_channel_up for every channel, as chanhealth sees it now. */
static void
api_channel_gauges(void)
{
	const struct cfg *cfg = gw_cfg_get();
	char labels[CFG_ID_MAX + 16];
	size_t i;

	for (i = 0; i < cfg->nchannels; i++) {
		snprintf(labels, sizeof(labels), "channel=\"%s\"",
		    cfg->channels[i].name);
		metrics_set("hbmgw_channel_up", labels,
		    chanhealth_up(cfg->channels[i].name));
	}
	gw_cfg_put(cfg);
}

static void
api_metrics(const struct http_request *req, struct http_response *resp)
{
	struct modem_status *ms;
	char *cause = NULL, *buf = NULL;
	size_t len = 0, nms;
	FILE *f;

	(void)req;
	if (!api_redis_check(&cause))
		free(cause);
	modem_status_list(&ms, &nms); /* hbmgw_modem_up counts hung calls */
	free(ms);
	api_channel_gauges();
	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("api: open_memstream");
	metrics_render(f);
	fclose(f);
	http_reply(resp, 200, "text/plain; version=0.0.4", buf, len);
	free(buf);
}

const struct http_route api_health_routes[] = {
	{ "GET", "/healthz", HTTP_BODY_NONE, api_healthz, NULL },
	{ "GET", "/readyz", HTTP_BODY_NONE, api_readyz, NULL },
};
const size_t api_health_nroutes =
    sizeof(api_health_routes) / sizeof(api_health_routes[0]);

/* Served on metrics.listen alone, never on the webhook listener. */
const struct http_route api_metrics_routes[] = {
	{ "GET", "/metrics", HTTP_BODY_NONE, api_metrics, NULL },
};
const size_t api_metrics_nroutes =
    sizeof(api_metrics_routes) / sizeof(api_metrics_routes[0]);
