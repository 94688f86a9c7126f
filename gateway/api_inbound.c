/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inbound SMS webhooks: the generic JSON route and the Africa's Talking,
 * Twilio and Kannel formats. Each route authenticates the caller and reads
 * its format; one accept function does everything else for all of them
 * (number, UTF-8 and size checks, deduplication on the source's id, the
 * XADD). A message is answered 2xx only once it is in the inbox stream
 * (and on redis.wait_replicas replicas); with Redis down, or too few
 * replicas confirming, the answer is 503 so the aggregator retries, and
 * the retry is deduplicated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "lib/crypto.h"
#include "gateway/gw.h"
#include "gateway/inbound_channel.h"
#include "gateway/inbox.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/twilio.h"
#include "handlers/charset.h"
#include "handlers/form.h"
#include "lib/lang.h"

/* Store failures repeat through a Redis outage: one line per interval. */
static struct log_limit store_down_limit = LOG_LIMIT_INIT;

#define API_EXT_ID_MAX 128     /* bytes of an aggregator's message id */
#define API_TEXT_MAX 4096      /* bytes of a (joined) inbound SMS */
#define API_INJECT_ID_BYTES 16 /* random bytes of a generated id */

/* The empty TwiML answer: take the message, send nothing back. */
static const char api_twiml_empty[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

/* How a route answers a message it took (a new one or a repeat). */
enum api_answer {
	API_ANSWER_JSON,  /* 202 {"id": entry id, "duplicate": bool} */
	API_ANSWER_TWIML, /* 200 empty TwiML, text/xml */
	API_ANSWER_EMPTY, /* 202 with an empty body */
};

/* One webhook format: its field names, id space and answer. */
struct api_format {
	const char *source; /* inbox source; deduplication is per source */
	const char *from;   /* field names: sender, our number, text, id */
	const char *to;
	const char *text;
	const char *id;
	enum api_answer answer;
};

static const struct api_format api_fmt_generic = { "http", "from", "to", "text",
	"id", API_ANSWER_JSON };
static const struct api_format api_fmt_inject = { "inject", "from", "to",
	"text", "id", API_ANSWER_JSON };
static const struct api_format api_fmt_at = { "africastalking", "from", "to",
	"text", "id", API_ANSWER_JSON };
static const struct api_format api_fmt_twilio = { "twilio", "From", "To",
	"Body", "MessageSid", API_ANSWER_TWIML };
static const struct api_format api_fmt_kannel = { "kannel", "from", "to",
	"text", "id", API_ANSWER_EMPTY };

/* Where a route's fields come from: the value of NAME in SRC, or NULL. */
typedef const char *(*api_field_cb)(const void *src, const char *name);

static const char *
api_form_field_cb(const void *src, const char *name)
{
	return form_get(src, name);
}

static const char *
api_json_field_cb(const void *src, const char *name)
{
	return json_string_value(json_object_get(src, name));
}

/* Count one inbound request of SOURCE that ended as STATUS. */
static void
api_inbound_count(const char *source, const char *status)
{
	char labels[96];

	snprintf(labels, sizeof(labels), "source=\"%s\",status=\"%s\"", source,
	    status);
	metrics_add("hbmgw_inbound_total", labels, 1);
}

/* Answer a message that is in the inbox as entry ID, the way FMT does. */
static void
api_inbound_answer(struct http_response *resp, const struct api_format *fmt,
    const char *id, int dup)
{
	switch (fmt->answer) {
	case API_ANSWER_JSON:
		api_reply_json(resp, 202,
		    json_pack("{s:s,s:b}", "id", id, "duplicate", dup));
		break;
	case API_ANSWER_TWIML:
		http_reply(resp, 200, "text/xml", api_twiml_empty,
		    sizeof(api_twiml_empty) - 1);
		break;
	case API_ANSWER_EMPTY:
		http_reply(resp, 202, "text/plain", "", 0);
		break;
	}
}

/* 1 when S is missing or empty. */
static int
api_blank(const char *s)
{
	return s == NULL || *s == '\0';
}

/*
 * The one way in for every inbound route, once the caller is
 * authenticated: read FMT's fields through FIELD from SRC, check them,
 * queue the message (unless it is a repeat) and answer. Every failure is
 * answered (400, 413, 503) with nothing queued.
 */
static void
api_inbound_accept(const struct cfg *cfg, struct http_response *resp,
    const struct api_format *fmt, api_field_cb field, const void *src)
{
	const struct cfg_channel *ch;
	struct inbox_msg m;
	char sender[17], id[INBOX_ID_MAX], *cause = NULL;
	const char *why = NULL;
	int dup = 0;

	m.from = field(src, fmt->from);
	m.to = field(src, fmt->to);
	m.text = field(src, fmt->text);
	m.ext_id = field(src, fmt->id);
	m.source = fmt->source;
	if (api_blank(m.from) || api_blank(m.to) || api_blank(m.ext_id) ||
	    m.text == NULL) {
		http_reply_error(resp, 400, "%s, %s, %s and %s are required",
		    fmt->from, fmt->to, fmt->text, fmt->id);
		return;
	}
	if (strlen(m.ext_id) > API_EXT_ID_MAX) {
		http_reply_error(resp, 400, "%s: longer than %d bytes", fmt->id,
		    API_EXT_ID_MAX);
		return;
	}
	if (strlen(m.text) > API_TEXT_MAX) {
		http_reply_error(resp, 413, "%s: longer than %d bytes",
		    fmt->text, API_TEXT_MAX);
		return;
	}
	if (!lang_utf8_valid(m.text, strlen(m.text)) ||
	    !lang_utf8_valid(m.to, strlen(m.to)) ||
	    !lang_utf8_valid(m.ext_id, strlen(m.ext_id))) {
		http_reply_error(resp, 400, "invalid UTF-8");
		return;
	}
	if (inbox_sender_parse(m.from, cfg->gateway.country_code, &m.sender,
		sender, &why) == -1) {
		http_reply_error(
		    resp, 400, "%s: invalid number: %s", fmt->from, why);
		return;
	}
	m.from = sender;
	if (inbox_add(gw_store(), gw_key(), &m, id, &dup, &cause) == -1) {
		log_warnx_limit(&store_down_limit, "api: inbound from %s: %s",
		    fmt->source, cause);
		free(cause);
		api_inbound_count(fmt->source, "unavailable");
		http_reply_error(resp, 503, "store unavailable, retry later");
		return;
	}
	api_inbound_count(fmt->source, dup ? "duplicate" : "accepted");
	if (!dup && (ch = inbound_channel(cfg, fmt->source, m.to)) != NULL)
		inbound_channel_count(ch->name);
	api_inbound_answer(resp, fmt, id, dup);
}

/* 1 when a string member of O named in FMT holds a NUL character. */
static int
api_json_has_nul(json_t *o, const struct api_format *fmt)
{
	const char *names[] = { fmt->from, fmt->to, fmt->text, fmt->id };
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = json_object_get(o, names[i]);
		if (json_is_string(v) &&
		    strlen(json_string_value(v)) != json_string_length(v))
			return 1;
	}
	return 0;
}

/* Give O a random "id" ("inject-" and 32 hex digits); -1 on failure. */
static int
api_inject_id(json_t *o)
{
	unsigned char rnd[API_INJECT_ID_BYTES];
	char gen[2 * API_INJECT_ID_BYTES + 8];
	size_t i;

	if (crypto_random(rnd, sizeof(rnd)) == -1)
		return -1;
	memcpy(gen, "inject-", 7);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(gen + 7 + 2 * i, 3, "%02x", rnd[i]);
	return json_object_set_new(o, "id", json_string(gen));
}

/*
 * POST /v1/inbound/sms: {"from", "to", "text", "id"}, channel token. The
 * admin token is accepted too (drills, hbmctl inject): such messages have
 * source "inject", and a random id when they bring none.
 */
static void
api_inbound_sms(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	const struct api_format *fmt = &api_fmt_generic;
	json_t *o = NULL;

	if (api_bearer_ok(req, &cfg->tokens.admin))
		fmt = &api_fmt_inject;
	else if (!api_bearer_ok(req, &cfg->tokens.channels)) {
		http_reply_error(resp, 401, "missing or wrong channel token");
		goto done;
	}
	if ((o = api_json_object(req, resp)) == NULL)
		goto done;
	if (api_json_has_nul(o, fmt)) {
		http_reply_error(resp, 400, "contains a NUL character");
		goto done;
	}
	if (fmt == &api_fmt_inject && json_object_get(o, "id") == NULL &&
	    api_inject_id(o) == -1) {
		http_reply_error(resp, 503, "no random bytes, retry later");
		goto done;
	}
	api_inbound_accept(cfg, resp, fmt, api_json_field_cb, o);
done:
	json_decref(o);
	gw_cfg_put(cfg);
}

/*
 * POST /v1/inbound/africastalking?token=: form from, to, text, id (date
 * and linkId are not used).
 */
static void
api_inbound_at(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct form f = { NULL, 0 };
	const char *why = NULL;

	if (!api_query_token_ok(req, &cfg->tokens.channels))
		http_reply_error(resp, 401, "missing or wrong channel token");
	else if (form_parse(req->body, req->body_len, &f, &why) == -1)
		http_reply_error(resp, 400, "malformed form: %s", why);
	else
		api_inbound_accept(
		    cfg, resp, &api_fmt_at, api_form_field_cb, &f);
	form_free(&f);
	gw_cfg_put(cfg);
}

/*
 * POST /v1/inbound/twilio: form From, To, Body, MessageSid, signed with
 * X-Twilio-Signature over http.public_url, the path and the query as
 * sent (when the webhook URL has one). Answers empty
 * TwiML, so Twilio sends no reply of its own.
 */
static void
api_inbound_twilio(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	const char *sig = http_header(req, "X-Twilio-Signature");
	struct form f = { NULL, 0 };
	const char *why = NULL;
	char *url = NULL;

	if (cfg->twilio.auth_token == NULL || cfg->http.public_url == NULL)
		http_reply_error(resp, 403,
		    "twilio.auth_token and http.public_url are not set");
	else if (sig == NULL)
		http_reply_error(resp, 403, "missing X-Twilio-Signature");
	else if (form_parse(req->body, req->body_len, &f, &why) == -1)
		http_reply_error(resp, 400, "malformed form: %s", why);
	else if (!twilio_check(cfg->twilio.auth_token,
		     (url = api_public_url(cfg, req->path, req->query)), &f,
		     sig))
		http_reply_error(resp, 403, "wrong X-Twilio-Signature");
	else
		api_inbound_accept(
		    cfg, resp, &api_fmt_twilio, api_form_field_cb, &f);
	free(url);
	form_free(&f);
	gw_cfg_put(cfg);
}

/* A Kannel request's fields, its text already converted to UTF-8. */
struct api_kannel_src {
	const struct http_request *req; /* borrowed */
	const char *text;		/* borrowed; NULL when absent */
};

static const char *
api_kannel_field_cb(const void *src, const char *name)
{
	const struct api_kannel_src *k = src;

	if (strcmp(name, api_fmt_kannel.text) == 0)
		return k->text;
	return http_query(k->req, name);
}

/*
 * The text of Kannel request REQ as UTF-8 in *OUT (NULL when there is
 * none): its bytes as sent (%b may hold NULs and UTF-16), converted from
 * the charset that its coding (%c) and charset (%C) name. -1 when it has
 * been answered 400 or 413.
 */
static int
api_kannel_text(
    const struct http_request *req, struct http_response *resp, char **out)
{
	const char *from, *why = NULL;
	char *raw = NULL;
	size_t len = 0;
	int found;

	*out = NULL;
	if ((from = charset_kannel(http_query(req, "coding"),
		 http_query(req, "charset"), &why)) == NULL) {
		http_reply_error(resp, 400, "%s", why);
		return -1;
	}
	found = req->query == NULL
	    ? 0
	    : form_raw_get(req->query, strlen(req->query), api_fmt_kannel.text,
		  &raw, &len, &why);
	if (found == -1) {
		http_reply_error(resp, 400, "text: %s", why);
		return -1;
	}
	if (found == 0)
		return 0;
	switch (charset_to_utf8(from, raw, len, API_TEXT_MAX, out)) {
	case CHARSET_OK:
		break;
	case CHARSET_UNKNOWN:
		http_reply_error(
		    resp, 400, "charset: unknown charset %s", from);
		break;
	case CHARSET_INVALID:
		http_reply_error(resp, 400, "text: not valid %s", from);
		break;
	case CHARSET_NUL:
		http_reply_error(resp, 400, "text: contains a NUL character");
		break;
	case CHARSET_TOO_LONG:
		http_reply_error(
		    resp, 413, "text: longer than %d bytes", API_TEXT_MAX);
		break;
	}
	free(raw);
	return *out != NULL ? 0 : -1;
}

/*
 * GET /v1/inbound/kannel?token=&from=&to=&text=&id=[&coding=&charset=]:
 * Kannel's sms-service get-url. The text is converted to UTF-8 from the
 * charset Kannel names (UTF-16BE for UCS-2 without one), whatever
 * smsbox's mo-recode. The answer is 202 with an empty body (configure the
 * service with max-messages = 0, so Kannel sends nothing back).
 */
static void
api_inbound_kannel(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_kannel_src k = { req, NULL };
	char *text = NULL;

	if (!api_query_token_ok(req, &cfg->tokens.channels))
		http_reply_error(resp, 401, "missing or wrong channel token");
	else if (api_kannel_text(req, resp, &text) == 0) {
		k.text = text;
		api_inbound_accept(
		    cfg, resp, &api_fmt_kannel, api_kannel_field_cb, &k);
	}
	free(text);
	gw_cfg_put(cfg);
}

const struct http_route api_inbound_routes[] = {
	{ "POST", "/v1/inbound/sms", HTTP_BODY_JSON, api_inbound_sms, NULL },
	{ "POST", "/v1/inbound/africastalking", HTTP_BODY_FORM, api_inbound_at,
	    NULL },
	{ "POST", "/v1/inbound/twilio", HTTP_BODY_FORM, api_inbound_twilio,
	    NULL },
	{ "GET", "/v1/inbound/kannel", HTTP_BODY_NONE, api_inbound_kannel,
	    "text" },
};
const size_t api_inbound_nroutes =
    sizeof(api_inbound_routes) / sizeof(api_inbound_routes[0]);
