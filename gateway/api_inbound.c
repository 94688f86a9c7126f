/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inbound SMS webhooks: POST /v1/inbound/sms (generic JSON). A message is
 * answered 202 only once it is in the inbox stream; with Redis down the
 * answer is 503 so the aggregator retries, and nothing is half done.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/gw.h"
#include "gateway/inbox.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/store.h"
#include "handlers/lang.h"

#define API_EXT_ID_MAX 128 /* bytes of an aggregator's message id */
#define API_TEXT_MAX 4096  /* bytes of a (joined) inbound SMS */

/* A required, non-empty string member of O, or NULL. */
static const char *
api_member(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	return json_string_value(v);
}

/* Validate and queue one SMS; answers the request either way. */
static void
api_inbound_queue(const struct cfg *cfg, struct http_response *resp,
    const char *source, const char *from, const char *to, const char *text,
    const char *ext_id)
{
	struct inbox_msg m;
	char sender[17], id[INBOX_ID_MAX], *cause = NULL;
	const char *why = NULL;
	int dup = 0;

	if (strlen(ext_id) > API_EXT_ID_MAX) {
		http_reply_error(
		    resp, 400, "id: longer than %d bytes", API_EXT_ID_MAX);
		return;
	}
	if (strlen(text) > API_TEXT_MAX) {
		http_reply_error(
		    resp, 413, "text: longer than %d bytes", API_TEXT_MAX);
		return;
	}
	if (!lang_utf8_valid(text, strlen(text))) {
		http_reply_error(resp, 400, "text: invalid UTF-8");
		return;
	}
	if (inbox_sender_parse(from, cfg->gateway.country_code, &m.sender,
		sender, &why) == -1) {
		http_reply_error(resp, 400, "from: invalid number: %s", why);
		return;
	}
	m.from = sender;
	m.to = to;
	m.text = text;
	m.ext_id = ext_id;
	m.source = source;
	if (inbox_add(gw_store(), gw_key(), &m, id, &dup, &cause) == -1) {
		log_warnx("api: inbound from %s: %s", source, cause);
		free(cause);
		metrics_add("hbmgw_inbound_total",
		    "source=\"http\",status=\"unavailable\"", 1);
		http_reply_error(resp, 503, "store unavailable, retry later");
		return;
	}
	metrics_add("hbmgw_inbound_total",
	    dup ? "source=\"http\",status=\"duplicate\""
		: "source=\"http\",status=\"accepted\"",
	    1);
	api_reply_json(
	    resp, 202, json_pack("{s:s,s:b}", "id", id, "duplicate", dup));
}

/* POST /v1/inbound/sms: {"from", "to", "text", "id"}, channel token. */
static void
api_inbound_sms(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	const char *from, *to, *text, *id;
	json_error_t err;
	json_t *o = NULL;

	if (!api_bearer_ok(req, &cfg->tokens.channels)) {
		http_reply_error(resp, 401, "missing or wrong channel token");
		goto done;
	}
	if ((o = json_loadb(req->body, req->body_len, 0, &err)) == NULL) {
		http_reply_error(resp, 400, "malformed JSON: %s", err.text);
		goto done;
	}
	if (!json_is_object(o)) {
		http_reply_error(resp, 400, "expected a JSON object");
		goto done;
	}
	if ((from = api_member(o, "from")) == NULL ||
	    (to = api_member(o, "to")) == NULL ||
	    (id = api_member(o, "id")) == NULL ||
	    !json_is_string(json_object_get(o, "text"))) {
		http_reply_error(
		    resp, 400, "from, to, text and id are required strings");
		goto done;
	}
	text = json_string_value(json_object_get(o, "text"));
	if (strlen(text) != json_string_length(json_object_get(o, "text"))) {
		http_reply_error(resp, 400, "text: contains a NUL character");
		goto done;
	}
	api_inbound_queue(cfg, resp, "http", from, to, text, id);
done:
	json_decref(o);
	gw_cfg_put(cfg);
}

const struct http_route api_inbound_routes[] = {
	{ "POST", "/v1/inbound/sms", HTTP_BODY_JSON, api_inbound_sms },
};
const size_t api_inbound_nroutes =
    sizeof(api_inbound_routes) / sizeof(api_inbound_routes[0]);
