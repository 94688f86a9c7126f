/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POST /v1/messages, GET /v1/messages/{id}, GET /v1/messages (?to=,
 * ?status=, ?limit=, ?before=) and POST /v1/messages/{id}/requeue and
 * /v1/messages/requeue: send an SMS, follow it, find dead letters and
 * queue them again (admin token). A message is shown as
 * {"id","status","channel","kind","attempts","created_at","updated_at",
 * "to","text"} and "error" after a failed attempt; "to" and the numbers
 * in "text" are masked ("+25670****001", log_mask_numbers()) and times are ISO 8601 UTC strings with milliseconds
 * ("2025-03-01T09:30:00.250Z").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "lib/crypto.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "gateway/outbox.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lib/phone.h"


/* Set KEY to the string VALUE, left out when VALUE is not UTF-8. */
static void
api_messages_set(json_t *o, const char *key, const char *value)
{
	json_t *v;

	if ((v = json_string(value)) != NULL)
		json_object_set_new(o, key, v);
}

/* A message as the API shows it. */
static json_t *
api_messages_json(const struct outbox_msg *m)
{
	char masked[PHONE_MAX], when[API_TIME_MAX], *to = NULL, *cause = NULL;
	char *text;
	size_t len;
	json_t *o;

	if (crypto_open(gw_key(), m->to_sealed, &to, &len, &cause) == -1) {
		log_warnx("messages: %s: %s", m->id, cause);
		free(cause);
	}
	phone_mask(to != NULL ? to : "", masked);
	free(to);
	o = json_object();
	api_messages_set(o, "id", m->id);
	api_messages_set(o, "status", m->status);
	api_messages_set(o, "channel", m->channel);
	api_messages_set(o, "kind", m->kind);
	json_object_set_new(o, "attempts", json_integer(m->attempts));
	api_time(m->created_ms, when);
	api_messages_set(o, "created_at", when);
	api_time(m->updated_ms, when);
	api_messages_set(o, "updated_at", when);
	if (m->error[0] != '\0')
		api_messages_set(o, "error", m->error);
	api_messages_set(o, "to", masked);
	/* Numbers in it are masked too: "to" is never shown whole here. */
	text = crypto_open_str(gw_key(), m->text);
	log_mask_numbers(text);
	api_messages_set(o, "text", text);
	free(text);
	return o;
}

/*
 * The string member NAME of O into *OUT (NULL when absent or null and not
 * REQUIRED); else a 400 and -1.
 */
static int
api_messages_string(const json_t *o, const char *name, int required,
    const char **out, struct http_response *resp)
{
	const json_t *v = json_object_get(o, name);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		http_reply_error(resp, 400, "missing \"%s\"", name);
		return -1;
	}
	if (!json_is_string(v)) {
		http_reply_error(resp, 400, "\"%s\" must be a string", name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* Check the text of a new message; else a 400 and -1. */
static int
api_messages_text_ok(const json_t *o, struct http_response *resp)
{
	size_t len = json_string_length(json_object_get(o, "text"));

	if (len == 0) {
		http_reply_error(resp, 400, "\"text\" is empty");
		return -1;
	}
	if (len > OUTBOX_TEXT_MAX) {
		http_reply_error(resp, 400, "\"text\" is %zu bytes, over %d",
		    len, OUTBOX_TEXT_MAX);
		return -1;
	}
	return 0;
}

/* Validate and queue {"to","text","channel"?} from ROOT. */
static void
api_messages_send(
    const json_t *root, const struct cfg *cfg, struct http_response *resp)
{
	const char *to, *text, *channel, *ch, *why;
	char e164[PHONE_MAX], masked[PHONE_MAX], id[OUTBOX_ID_MAX];
	char *cause = NULL;

	if (api_messages_string(root, "to", 1, &to, resp) == -1 ||
	    api_messages_string(root, "text", 1, &text, resp) == -1 ||
	    api_messages_string(root, "channel", 0, &channel, resp) == -1 ||
	    api_messages_text_ok(root, resp) == -1)
		return;
	if (phone_normalise(to, cfg->gateway.country_code, e164, &why) == -1) {
		http_reply_error(resp, 400, "invalid number: %s", why);
		return;
	}
	if ((ch = outbox_pick_channel(cfg, e164, channel)) == NULL) {
		http_reply_error(resp, 400, "unknown channel \"%s\"", channel);
		return;
	}
	if (outbox_enqueue(gw_store(), cfg, gw_key(), e164, text, ch, "api", id,
		&cause) == -1) {
		log_warnx("messages: queue: %s", cause);
		http_reply_error(resp, 503, "%s", cause);
		free(cause);
		return;
	}
	phone_mask(e164, masked);
	log_info("messages: %s: queued on %s to %s", id, ch, masked);
	api_reply_json(resp, 202, json_pack("{s:s}", "id", id));
}

static void
api_messages_post(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg;
	json_error_t err;
	json_t *root;

	if (!api_require_admin(req, resp))
		return;
	root =
	    json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		http_reply_error(resp, 400, "malformed JSON: %s", err.text);
		return;
	}
	if (!json_is_object(root)) {
		http_reply_error(resp, 400, "the body must be a JSON object");
		json_decref(root);
		return;
	}
	cfg = gw_cfg_get();
	api_messages_send(root, cfg, resp);
	gw_cfg_put(cfg);
	json_decref(root);
}

/* Answer a failed read: 503 when Redis is unreachable, else 500. */
static void
api_messages_failed(struct http_response *resp, char *cause)
{
	log_warnx("messages: %s", cause);
	http_reply_error(
	    resp, store_connected(gw_store()) ? 500 : 503, "%s", cause);
	free(cause);
}

static void
api_messages_get(const struct http_request *req, struct http_response *resp)
{
	const char *id = req->params[0];
	struct outbox_msg m;
	char *cause = NULL;
	int rc = 0;

	if (!api_require_admin(req, resp))
		return;
	if (!outbox_id_valid(id) ||
	    (rc = outbox_get(gw_store(), id, &m, &cause)) == 0) {
		http_reply_error(resp, 404, "no such message");
		return;
	}
	if (rc == -1) {
		api_messages_failed(resp, cause);
		return;
	}
	api_reply_json(resp, 200, api_messages_json(&m));
	outbox_msg_clear(&m);
}

/* A positive decimal number of at most MAX from S, else -1. */
static int
api_messages_limit(const char *s, int max)
{
	char *end;
	long n;

	if (s == NULL)
		return 50;
	if (*s < '0' || *s > '9')
		return -1;
	n = strtol(s, &end, 10);
	return *end != '\0' || n < 1 || n > max ? -1 : (int)n;
}

static void
api_messages_list(const struct http_request *req, struct http_response *resp)
{
	const char *to = http_query(req, "to"), *why;
	char e164[PHONE_MAX], hash[CRYPTO_SHA256_HEX], *cause = NULL;
	struct outbox_filter f = { NULL, NULL, NULL, 0 };
	const struct cfg *cfg;
	struct outbox_msg *msgs;
	json_t *a, *o;
	size_t n, i;
	int rc;

	if (!api_require_admin(req, resp))
		return;
	f.status = http_query(req, "status");
	f.before = http_query(req, "before");
	if (f.status != NULL && !outbox_status_valid(f.status)) {
		http_reply_error(resp, 400,
		    "\"status\" must be queued, sent, delivered, failed or dead");
		return;
	}
	if (f.before != NULL && !outbox_id_valid(f.before)) {
		http_reply_error(resp, 400, "\"before\" must be a message id");
		return;
	}
	if ((f.limit = api_messages_limit(
		 http_query(req, "limit"), OUTBOX_LIST_MAX)) == -1) {
		http_reply_error(
		    resp, 400, "\"limit\" must be 1-%d", OUTBOX_LIST_MAX);
		return;
	}
	if (to != NULL) {
		cfg = gw_cfg_get();
		rc = phone_normalise(to, cfg->gateway.country_code, e164, &why);
		gw_cfg_put(cfg);
		if (rc == -1) {
			http_reply_error(resp, 400, "invalid number: %s", why);
			return;
		}
		crypto_phone_hash(gw_key(), e164, hash);
		f.to_hash = hash;
	}
	if (outbox_list(gw_store(), &f, &msgs, &n, &cause) == -1) {
		api_messages_failed(resp, cause);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, api_messages_json(&msgs[i]));
	o = json_pack("{s:o}", "messages", a);
	/* A full page may have more after it: where to go on from. */
	json_object_set_new(o, "next",
	    n > 0 && n == (size_t)f.limit ? json_string(msgs[n - 1].id)
					  : json_null());
	outbox_msgs_free(msgs, n);
	api_reply_json(resp, 200, o);
}

/*
 * Queue message ID again, on its own channel while that is configured,
 * else on the one outbox_choose() picks. 1 queued (*CHANNEL set), 0 not
 * dead or failed (*STATUS set), -1 with *cause.
 */
static int
api_messages_requeue_one(
    const char *id, char status[16], char channel[CFG_ID_MAX], char **cause)
{
	const struct cfg *cfg;
	const char *ch = NULL;
	struct outbox_msg m;
	char *to = NULL;
	size_t len, i;
	int rc;

	if ((rc = outbox_get(gw_store(), id, &m, cause)) != 1) {
		if (rc == 0)
			xasprintf(cause, "no such message");
		return -1;
	}
	cfg = gw_cfg_get();
	for (i = 0; i < cfg->nchannels; i++)
		if (strcmp(cfg->channels[i].name, m.channel) == 0)
			ch = cfg->channels[i].name;
	if (ch == NULL &&
	    crypto_open(gw_key(), m.to_sealed, &to, &len, cause) == 0) {
		ch = outbox_choose(cfg, to, NULL);
		free(to);
	}
	if (ch == NULL) {
		gw_cfg_put(cfg);
		outbox_msg_clear(&m);
		if (*cause == NULL)
			xasprintf(cause, "no channel to queue it on");
		return -1;
	}
	snprintf(channel, CFG_ID_MAX, "%s", ch);
	gw_cfg_put(cfg);
	outbox_msg_clear(&m);
	if ((rc = outbox_requeue(gw_store(), id, channel, status, cause)) == 1)
		log_info("messages: %s: queued again on %s", id, channel);
	return rc;
}

/* POST /v1/messages/{id}/requeue: one dead or failed message. */
static void
api_messages_requeue(const struct http_request *req, struct http_response *resp)
{
	const char *id = req->params[0];
	char status[16], channel[CFG_ID_MAX], *cause = NULL;
	int rc;

	if (!api_require_admin(req, resp))
		return;
	if (!outbox_id_valid(id)) {
		http_reply_error(resp, 404, "no such message");
		return;
	}
	rc = api_messages_requeue_one(id, status, channel, &cause);
	if (rc == -1 && strcmp(cause, "no such message") == 0) {
		http_reply_error(resp, 404, "no such message");
		free(cause);
	} else if (rc == -1)
		api_messages_failed(resp, cause);
	else if (rc == 0)
		http_reply_error(resp, 409,
		    "message %s is %s: only dead or failed messages are queued "
		    "again",
		    id, status);
	else
		api_reply_json(resp, 200,
		    json_pack("{s:s,s:s,s:s}", "id", id, "status", "queued",
			"channel", channel));
}

/*
 * Queue IDS[0..N) again into REQUEUED and SKIPPED; -1 after answering
 * when Redis failed.
 */
static int
api_messages_requeue_all(const char *const *ids, size_t n, json_t *requeued,
    json_t *skipped, struct http_response *resp)
{
	char status[16], channel[CFG_ID_MAX], *cause = NULL;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = api_messages_requeue_one(ids[i], status, channel, &cause);
		if (rc == 1)
			json_array_append_new(requeued, json_string(ids[i]));
		else if (rc == 0 || (rc == -1 && !outbox_id_valid(ids[i])) ||
		    (rc == -1 && strcmp(cause, "no such message") == 0))
			json_array_append_new(skipped,
			    json_pack("{s:s,s:s}", "id", ids[i], "status",
				rc == 0 ? status : "unknown"));
		else {
			api_messages_failed(resp, cause);
			return -1;
		}
		free(cause);
		cause = NULL;
	}
	return 0;
}

/*
 * POST /v1/messages/requeue: {"ids": [...]} or {"status": "dead"} (up to
 * OUTBOX_LIST_MAX of the newest dead letters).
 */
static void
api_messages_requeue_many(
    const struct http_request *req, struct http_response *resp)
{
	const json_t *ids, *status, *v;
	const char **idv = NULL;
	struct outbox_filter f = { NULL, "dead", NULL, OUTBOX_LIST_MAX };
	struct outbox_msg *msgs = NULL;
	char *cause = NULL;
	json_t *root, *requeued, *skipped;
	size_t n = 0, i;

	if (!api_require_admin(req, resp))
		return;
	if ((root = api_json_object(req, resp)) == NULL)
		return;
	ids = json_object_get(root, "ids");
	status = json_object_get(root, "status");
	if ((ids == NULL) == (status == NULL)) {
		http_reply_error(
		    resp, 400, "give either \"ids\" or \"status\": \"dead\"");
		goto out;
	}
	if (status != NULL &&
	    (!json_is_string(status) ||
		strcmp(json_string_value(status), "dead") != 0)) {
		http_reply_error(resp, 400, "\"status\" must be \"dead\"");
		goto out;
	}
	if (ids != NULL) {
		if (!json_is_array(ids) || json_array_size(ids) == 0 ||
		    json_array_size(ids) > OUTBOX_LIST_MAX) {
			http_reply_error(resp, 400,
			    "\"ids\" must be an array of 1-%d message ids",
			    OUTBOX_LIST_MAX);
			goto out;
		}
		n = json_array_size(ids);
		idv = xcalloc(n, sizeof(*idv));
		for (i = 0; i < n; i++) {
			v = json_array_get(ids, i);
			if (!json_is_string(v) ||
			    !outbox_id_valid(json_string_value(v))) {
				http_reply_error(resp, 400,
				    "\"ids\"[%zu] is not a message id", i);
				goto out;
			}
			idv[i] = json_string_value(v);
		}
	} else {
		if (outbox_list(gw_store(), &f, &msgs, &n, &cause) == -1) {
			api_messages_failed(resp, cause);
			goto out;
		}
		idv = xcalloc(n + 1, sizeof(*idv));
		for (i = 0; i < n; i++)
			idv[i] = msgs[i].id;
	}
	requeued = json_array();
	skipped = json_array();
	if (api_messages_requeue_all(idv, n, requeued, skipped, resp) == 0)
		api_reply_json(resp, 200,
		    json_pack(
			"{s:O,s:O}", "requeued", requeued, "skipped", skipped));
	json_decref(requeued);
	json_decref(skipped);
out:
	if (msgs != NULL)
		outbox_msgs_free(msgs, n);
	free(idv);
	json_decref(root);
}

const struct http_route api_messages_routes[] = {
	{ "POST", "/v1/messages", HTTP_BODY_JSON, api_messages_post, NULL },
	{ "GET", "/v1/messages", HTTP_BODY_NONE, api_messages_list, NULL },
	{ "GET", "/v1/messages/{id}", HTTP_BODY_NONE, api_messages_get, NULL },
	{ "POST", "/v1/messages/requeue", HTTP_BODY_JSON,
	    api_messages_requeue_many, NULL },
	{ "POST", "/v1/messages/{id}/requeue", HTTP_BODY_NONE,
	    api_messages_requeue, NULL },
};
const size_t api_messages_nroutes =
    sizeof(api_messages_routes) / sizeof(api_messages_routes[0]);
