/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/channels (admin token): every channel with its state. Modems
 * report what their worker last saw (up, signal, operator, IMEI, balance,
 * counters, last error); http channels are up by definition and report the
 * outbound counters. Queue depth is the length of the channel's outbox
 * stream, or null when Redis does not answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/gw.h"
#include "gateway/metrics.h"
#include "gateway/store.h"
#include "modem/modem.h"

/* The length of CHANNEL's outbox stream, or NULL when Redis failed. */
static json_t *
api_channel_queue(const char *channel)
{
	struct store_reply *r;
	char key[CFG_ID_MAX + 16], *cause = NULL;
	json_t *v = json_null();

	snprintf(key, sizeof(key), "{hbm}:outbox:%s", channel);
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

static json_t *
api_channel_modem(const struct modem_status *s)
{
	json_t *o;

	o = json_pack("{s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:o}",
	    "name", s->name, "type", "modem", "up", s->up, "signal",
	    s->signal < 0 ? json_null() : json_integer(s->signal), "operator",
	    api_str_or_null(s->operator), "imei", api_str_or_null(s->imei),
	    "balance", s->has_balance ? json_real(s->balance) : json_null(),
	    "queue", api_channel_queue(s->name), "sent", (json_int_t)s->sent,
	    "received", (json_int_t)s->received, "errors",
	    (json_int_t)s->errors, "last_error",
	    api_str_or_null(s->last_error));
	return o;
}

static json_t *
api_channel_http(const struct cfg_channel *ch)
{
	return json_pack("{s:s,s:s,s:b,s:n,s:n,s:n,s:n,s:o,s:I,s:I,s:I,s:n}",
	    "name", ch->name, "type", "http", "up", 1, "signal", "operator",
	    "imei", "balance", "queue", api_channel_queue(ch->name), "sent",
	    api_channel_count(ch->name, "sent"), "received", (json_int_t)0,
	    "errors",
	    api_channel_count(ch->name, "retried") +
		api_channel_count(ch->name, "failed"),
	    "last_error");
}

static void
api_channels(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg;
	struct modem_status *ms;
	size_t i, j, nms;
	json_t *a;

	if (!api_require_admin(req, resp))
		return;
	modem_status_list(&ms, &nms);
	cfg = gw_cfg_get();
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
	{ "GET", "/v1/channels", HTTP_BODY_NONE, api_channels },
};
const size_t api_channels_nroutes =
    sizeof(api_channels_routes) / sizeof(api_channels_routes[0]);
