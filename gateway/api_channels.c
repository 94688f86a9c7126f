/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/channels (admin token, or a coordinator's console session):
 * every channel with its state. Modems
 * report what their worker last saw (up, signal, operator, IMEI, balance,
 * counters, last error); every channel reports its circuit breaker
 * (gateway/chanhealth.h): up only while the breaker is closed (and, for a
 * modem, while the modem answers), the last send error and success, and
 * the age of the oldest message waiting. Queue depth is the length of the
 * channel's outbox stream, or null when Redis does not answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/api_cases.h"
#include "gateway/chanhealth.h"
#include "lib/clock.h"
#include "gateway/gw.h"
#include "gateway/inbound_channel.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "gateway/modem.h"
#include "store/keys.h"

/* The length of CHANNEL's outbox stream, or NULL when Redis failed. */
static json_t *
api_channel_queue(const char *channel)
{
	struct store_reply *r;
	char key[KEY_MAX], *cause = NULL;
	json_t *v = json_null();

	key_outbox(key, channel);
	if ((r = store_commandl(gw_store(), &cause, "XLEN", key, NULL)) ==
	    NULL) {
		free(cause);
		return v;
	}
	if (r->type == STORE_INTEGER)
		v = json_integer(r->integer);
	store_reply_free(r);
	return v;
}

/* An outbound counter of http channel CHANNEL with STATUS. */
static json_int_t
api_channel_count(const char *channel, const char *status)
{
	char labels[CFG_ID_MAX + 48];

	snprintf(labels, sizeof(labels), "channel=\"%s\",status=\"%s\"",
	    channel, status);
	return (json_int_t)metrics_get("hbmgw_outbound_total", labels);
}

/* "" as null, anything else as a string. */
static json_t *
api_str_or_null(const char *s)
{
	return s[0] == '\0' ? json_null() : json_string(s);
}

/* A wall-clock time in ms as ISO 8601, or null when 0. */
static json_t *
api_channel_time(long long ms)
{
	char when[API_TIME_MAX];

	if (ms <= 0)
		return json_null();
	api_time(ms, when);
	return json_string(when);
}

/* The breaker's view of channel NAME, added to O. */
static void
api_channel_health(json_t *o, const char *name, int up, const char *error)
{
	struct chanhealth_info h;
	long long now = clock_wall_ms();

	chanhealth_get(name, &h);
	json_object_set_new(o, "up", json_boolean(up && h.up));
	json_object_set_new(
	    o, "breaker", json_string(h.open ? "open" : "closed"));
	json_object_set_new(o, "last_ok", api_channel_time(h.last_ok));
	json_object_set_new(
	    o, "last_error_at", api_channel_time(h.last_error_at));
	/* The modem's own error first; else the last failed send. */
	if (error[0] == '\0')
		error = h.last_error;
	json_object_set_new(o, "last_error", api_str_or_null(error));
	json_object_set_new(o, "queue_age_seconds",
	    h.oldest > 0 && now > h.oldest
		? json_integer((now - h.oldest) / 1000)
		: json_integer(0));
}

static json_t *
api_channel_modem(const struct modem_status *s)
{
	json_t *o;

	o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "name",
	    s->name, "type", "modem", "signal",
	    s->signal < 0 ? json_null() : json_integer(s->signal), "operator",
	    api_str_or_null(s->operator), "imei", api_str_or_null(s->imei),
	    "balance", s->has_balance ? json_real(s->balance) : json_null(),
	    "queue", api_channel_queue(s->name), "sent", (json_int_t)s->sent,
	    "received", (json_int_t)s->received, "errors",
	    (json_int_t)s->errors);
	api_channel_health(o, s->name, s->up, s->last_error);
	return o;
}

static json_t *
api_channel_http(const struct cfg_channel *ch)
{
	json_t *o;

	o = json_pack("{s:s,s:s,s:n,s:n,s:n,s:n,s:o,s:I,s:I,s:I}", "name",
	    ch->name, "type", "http", "signal", "operator", "imei", "balance",
	    "queue", api_channel_queue(ch->name), "sent",
	    api_channel_count(ch->name, "sent"), "received",
	    (json_int_t)inbound_channel_received(ch->name), "errors",
	    api_channel_count(ch->name, "retried") +
		api_channel_count(ch->name, "dead"));
	api_channel_health(o, ch->name, 1, "");
	return o;
}

/*
 * 1 when the admin token or a coordinator's session asks; otherwise
 * answers (401 for nobody, 403 for an agency) and 0.
 */
static int
api_channels_allowed(const struct http_request *req, const struct cfg *cfg,
    struct http_response *resp)
{
	struct api_caller who;

	if (api_cases_caller(req, cfg, &who, resp) == -1)
		return 0;
	if (!who.admin) {
		http_reply_error(resp, 403, "for coordinators only");
		return 0;
	}
	return 1;
}

static void
api_channels(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct modem_status *ms;
	size_t i, j, nms;
	json_t *a;

	if (!api_channels_allowed(req, cfg, resp)) {
		gw_cfg_put(cfg);
		return;
	}
	modem_status_list(&ms, &nms);
	a = json_array();
	for (i = 0; i < cfg->nchannels; i++) {
		const struct cfg_channel *ch = &cfg->channels[i];

		if (ch->type == CFG_CHANNEL_HTTP) {
			json_array_append_new(a, api_channel_http(ch));
			continue;
		}
		for (j = 0; j < nms; j++)
			if (strcmp(ms[j].name, ch->name) == 0)
				json_array_append_new(
				    a, api_channel_modem(&ms[j]));
	}
	gw_cfg_put(cfg);
	free(ms);
	api_reply_json(resp, 200, json_pack("{s:o}", "channels", a));
}

const struct http_route api_channels_routes[] = {
	{ "GET", "/v1/channels", HTTP_BODY_NONE, api_channels, NULL },
};
const size_t api_channels_nroutes =
    sizeof(api_channels_routes) / sizeof(api_channels_routes[0]);
