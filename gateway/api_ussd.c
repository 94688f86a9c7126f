/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The officials' USSD routes: POST /v1/ussd/africastalking (form, token in
 * the query; the text holds every input so far joined by "*") and POST
 * /v1/ussd/generic (JSON, the last input only). Both become one normalised
 * request that drives the menu of handlers/ussd.c; the session lives in
 * Redis (gateway/ussd_store.c). A referral is one Redis script that queues
 * its SMS, so the answer never waits for sending.
 *
 * A repeated request (the same Africa's Talking text again, or any input to
 * a session that has ended) is answered with the answer given before, so
 * an aggregator's retry changes nothing.
 *
 * A number that is no official's gets the same PIN page, its tries counted
 * and locked alike, and its PIN hashed against an official's hash (the
 * same cost) and always wrong: the answers do not tell who is an official.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "lib/clock.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "gateway/ussd_store.h"
#include "lib/xmalloc.h"
#include "handlers/cases.h"
#include "handlers/form.h"
#include "handlers/route.h"
#include "handlers/ussd.h"

/* Store failures repeat through a Redis outage: one line per interval. */
static struct log_limit store_down_limit = LOG_LIMIT_INIT;

#define API_USSD_SESSION_MAX 128 /* bytes of an aggregator's session id */

/* What an unknown number's PIN is hashed against when no official is set. */
#define API_USSD_DUMMY_HASH                                                   \
	"$6$hbmgwdummysalt$BpNX/DYuVkWgYsba1ox0u6Lv7IAiPPJ3zKqpbmow/vEqbBoKk" \
	"Y18ckze4iYwOxNpCVR0Wg2OSYiqRXUMEouap/"

/* One USSD request, whichever route it came by; borrowed. */
struct api_ussd_req {
	const char *route;   /* "at" or "generic": keeps sessions apart */
	const char *session; /* the aggregator's session id */
	const char *phone;   /* the official's number as sent */
	const char *text;    /* at: every input joined by "*"; else NULL */
	const char *input;   /* generic: the last input */
	int is_new;	     /* generic: the first request of a session */
};

/* Everything one request works with. */
struct api_ussd {
	const struct cfg *cfg;
	const struct api_ussd_req *req;
	const struct cfg_official *off; /* NULL: not an official */
	char e164[PHONE_MAX];		/* the official's number */
	char hash[CRYPTO_SHA256_HEX];	/* its look-up hash */
	char key[KEY_MAX];		/* the session's key */
	struct ussd_sess sess;		/* loaded, then saved */
	struct ussd_out out;		/* the page to answer */
	struct cases_brief cases[USSD_MINE_MAX];
};

/* Midnight of today, local time, in ms since the epoch. */
static long long
api_ussd_today_ms(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		return 0;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm) * 1000;
}

/*
 * The operation id of the referral in this session: an HMAC of the session
 * key and what is referred, so a retried confirmation creates nothing new
 * while a different referral in the same session is a new one.
 */
static void
api_ussd_opid(struct api_ussd *u, char *out, size_t len)
{
	char hex[CRYPTO_SHA256_HEX], *s;

	xasprintf(&s, "%s\n%s\n%s\n%d\n%d", u->key, u->sess.st.category,
	    u->sess.st.migrant, u->sess.st.persons, u->sess.st.consent);
	crypto_phone_hash(gw_key(), s, hex);
	explicit_bzero(s, strlen(s));
	free(s);
	snprintf(out, len, "ussd:%s", hex);
}

/* Perform the action the menu asked for; fills RES. */
static void
api_ussd_act(struct api_ussd *u, struct ussd_result *res)
{
	struct store *st = gw_store();
	struct cases_referral ref;
	char opid[80], *cause = NULL;
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	if (u->off == NULL && u->out.action != USSD_ACT_PIN &&
	    u->out.action != USSD_ACT_NONE) {
		/* a session that outlived its official in the config */
		res->status = USSD_ERROR;
		xasprintf(&cause, "no longer an official");
		goto out;
	}
	switch (u->out.action) {
	case USSD_ACT_NONE:
		return;
	case USSD_ACT_PIN:
		res->status = ussd_pin_try(st, u->hash,
		    u->off != NULL		 ? u->off->pin_hash
			: u->cfg->nofficials > 0 ? u->cfg->officials[0].pin_hash
						 : API_USSD_DUMMY_HASH,
		    u->out.arg, u->off != NULL, &res->tries_left, &cause);
		if (res->status == USSD_LOCKED)
			log_info("ussd: %s: locked after wrong PINs", u->e164);
		break;
	case USSD_ACT_REFER:
		api_ussd_opid(u, opid, sizeof(opid));
		ref.opid = opid;
		ref.official_e164 = u->e164;
		ref.category = u->sess.st.category;
		ref.migrant_e164 = u->sess.st.migrant;
		ref.persons = u->sess.st.persons;
		ref.consent = u->sess.st.consent;
		res->status = cases_referral(st, u->cfg, gw_key(), &ref,
				  res->code, &cause) == 0
		    ? USSD_OK
		    : USSD_ERROR;
		break;
	case USSD_ACT_CHECK:
		switch (cases_brief_get(st, u->out.arg, &u->cases[0], &cause)) {
		case 1:
			res->status = USSD_OK;
			res->cases = u->cases;
			res->ncases = 1;
			break;
		case 0:
			res->status = USSD_NONE;
			break;
		default:
			res->status = USSD_ERROR;
		}
		break;
	case USSD_ACT_MINE:
		res->status = cases_by_official(st, gw_key(), u->e164,
				  api_ussd_today_ms(), u->cases, USSD_MINE_MAX,
				  &n, &cause) == 0
		    ? USSD_OK
		    : USSD_ERROR;
		res->cases = u->cases;
		res->ncases = n;
		break;
	}
out:
	if (res->status == USSD_ERROR) {
		log_warnx("ussd: %s: %s", u->e164, cause ? cause : "failed");
		free(cause);
	}
}

/*
 * Where the request stands against its stored session: 0 when the menu
 * must step (*INPUT NULL for a new session), 1 when OUT holds a refusal,
 * -1 when the answer stored with the session stands (a repeat).
 */
static int
api_ussd_enter(struct api_ussd *u, const char **input)
{
	const struct api_ussd_req *req = u->req;
	char *cause = NULL;
	int found, is_new;

	found = ussd_store_load(gw_store(), gw_key(), u->key, &u->sess, &cause);
	if (found == -1) {
		log_warnx_limit(&store_down_limit, "ussd: %s", cause);
		free(cause);
		ussd_end(USSD_END_UNAVAILABLE, &u->out);
		return 1;
	}
	is_new = req->text != NULL ? found == 0 && req->text[0] == '\0'
				   : req->is_new;
	if (is_new) {
		ussd_sess_clear(&u->sess);
		switch (ussd_pin_locked(gw_store(), u->hash, &cause)) {
		case -1:
			log_warnx_limit(&store_down_limit, "ussd: %s", cause);
			free(cause);
			ussd_end(USSD_END_UNAVAILABLE, &u->out);
			return 1;
		case 1:
			ussd_end(USSD_END_LOCKED, &u->out);
			return 1;
		}
		ussd_start(&u->sess.st, &u->out);
		return 0;
	}
	if (found == 0) {
		ussd_end(USSD_END_EXPIRED, &u->out);
		return 1;
	}
	if (req->text != NULL)
		*input = ussd_at_input(u->sess.path, req->text);
	else
		*input = req->input;
	if (u->sess.ended || *input == NULL)
		return -1; /* a repeat: the answer given before */
	return 0;
}

/*
 * Run one request through the menu into *ANSWER ("CON ..." or "END ...",
 * the caller frees) and *END. A refused request is an answer too.
 */
static void
api_ussd_run(struct api_ussd *u, char **answer, int *end)
{
	struct ussd_result res;
	const char *input = NULL;
	char *cause = NULL;
	int rc;

	if ((u->off = route_official_by_phone(u->cfg, u->e164)) == NULL)
		log_info("ussd: %s: not an official", u->e164);
	crypto_phone_hash(gw_key(), u->e164, u->hash);
	ussd_store_key(u->req->route, u->req->session, u->hash, u->key);
	if ((rc = api_ussd_enter(u, &input)) == 1)
		goto answer;
	if (rc == -1) {
		*answer = xstrdup(u->sess.answer);
		*end = u->sess.ended || strncmp(*answer, "END ", 4) == 0;
		goto done;
	}
	if (input != NULL)
		ussd_step(u->cfg, &u->sess.st, input, &u->out);
	if (u->out.action != USSD_ACT_NONE) {
		api_ussd_act(u, &res);
		ussd_resume(u->cfg, &u->sess.st, &res, &u->out);
	}
	xasprintf(answer, "%s %s", u->out.end ? "END" : "CON", u->out.text);
	free(u->sess.answer);
	u->sess.answer = xstrdup(*answer);
	free(u->sess.path);
	u->sess.path = xstrdup(u->req->text != NULL ? u->req->text : "");
	u->sess.ended = u->out.end;
	if (ussd_store_save(gw_store(), gw_key(), u->key, &u->sess, &cause) ==
	    -1) {
		log_warnx_limit(&store_down_limit, "ussd: %s", cause);
		free(cause);
		free(*answer);
		ussd_end(USSD_END_UNAVAILABLE, &u->out);
		goto answer;
	}
	*end = u->out.end;
	goto done;
answer:
	xasprintf(answer, "%s %s", u->out.end ? "END" : "CON", u->out.text);
	*end = u->out.end;
done:
	ussd_sess_clear(&u->sess);
	explicit_bzero(&u->out, sizeof(u->out));
}

/*
 * Validate the parts every route shares and run the request; 0 with
 * *ANSWER and *END, or -1 after a 400 reply.
 */
static int
api_ussd_handle(const struct cfg *cfg, const struct api_ussd_req *req,
    struct http_response *resp, char **answer, int *end)
{
	struct api_ussd *u;
	const char *why = NULL;
	size_t n = strlen(req->session);

	if (n == 0 || n > API_USSD_SESSION_MAX) {
		http_reply_error(
		    resp, 400, "session: 1 to %d bytes", API_USSD_SESSION_MAX);
		return -1;
	}
	if (req->text != NULL && strlen(req->text) > USSD_PATH_MAX) {
		http_reply_error(
		    resp, 400, "text: longer than %d bytes", USSD_PATH_MAX);
		return -1;
	}
	u = xcalloc(1, sizeof(*u));
	if (phone_normalise(
		req->phone, cfg->gateway.country_code, u->e164, &why) == -1) {
		free(u);
		http_reply_error(resp, 400, "phone: invalid number: %s", why);
		return -1;
	}
	u->cfg = cfg;
	u->req = req;
	api_ussd_run(u, answer, end);
	metrics_add("hbmgw_ussd_requests_total",
	    *end ? "result=\"end\"" : "result=\"continue\"", 1);
	explicit_bzero(u, sizeof(*u));
	free(u);
	return 0;
}

/* POST /v1/ussd/africastalking?token=: form sessionId, phoneNumber, text. */
static void
api_ussd_at(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_ussd_req r = { 0 };
	struct form f = { NULL, 0 };
	const char *why = NULL;
	char *answer = NULL;
	int end = 0;

	if (!api_query_token_ok(req, &cfg->tokens.channels)) {
		http_reply_error(resp, 401, "missing or wrong channel token");
		goto done;
	}
	if (form_parse(req->body, req->body_len, &f, &why) == -1) {
		http_reply_error(resp, 400, "malformed form: %s", why);
		goto done;
	}
	r.route = "at";
	r.session = form_get(&f, "sessionId");
	r.phone = form_get(&f, "phoneNumber");
	r.text = form_get(&f, "text");
	if (r.session == NULL || r.phone == NULL || r.text == NULL) {
		http_reply_error(
		    resp, 400, "sessionId, phoneNumber and text are required");
		goto done;
	}
	if (api_ussd_handle(cfg, &r, resp, &answer, &end) == 0)
		http_reply(resp, 200, "text/plain; charset=utf-8", answer,
		    strlen(answer));
done:
	free(answer);
	form_free(&f);
	gw_cfg_put(cfg);
}

/* A string member of O, or NULL. */
static const char *
api_ussd_string(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/* POST /v1/ussd/generic: {"session","phone","input","new"}, channel token. */
static void
api_ussd_generic(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_ussd_req r = { 0 };
	json_t *o = NULL, *nv;
	json_error_t err;
	char *answer = NULL;
	int end = 0;

	if (!api_bearer_ok(req, &cfg->tokens.channels)) {
		http_reply_error(resp, 401, "missing or wrong channel token");
		goto done;
	}
	if ((o = json_loadb(req->body, req->body_len, 0, &err)) == NULL) {
		http_reply_error(resp, 400, "malformed JSON: %s", err.text);
		goto done;
	}
	nv = json_object_get(o, "new");
	r.route = "generic";
	r.session = api_ussd_string(o, "session");
	r.phone = api_ussd_string(o, "phone");
	r.input = api_ussd_string(o, "input");
	r.is_new = json_is_true(nv);
	if (!json_is_object(o) || r.session == NULL || r.phone == NULL ||
	    (nv != NULL && !json_is_boolean(nv)) ||
	    (r.input == NULL &&
		(!r.is_new || json_object_get(o, "input") != NULL))) {
		http_reply_error(resp, 400,
		    "session and phone are required strings, input a string "
		    "(unless new), new a boolean");
		goto done;
	}
	if (r.input == NULL)
		r.input = "";
	if (api_ussd_handle(cfg, &r, resp, &answer, &end) == 0)
		api_reply_json(resp, 200,
		    json_pack("{s:s,s:b}", "text", answer + 4, "end", end));
done:
	free(answer);
	json_decref(o);
	gw_cfg_put(cfg);
}

const struct http_route api_ussd_routes[] = {
	{ "POST", "/v1/ussd/africastalking", HTTP_BODY_FORM, api_ussd_at,
	    NULL },
	{ "POST", "/v1/ussd/generic", HTTP_BODY_JSON, api_ussd_generic, NULL },
};
const size_t api_ussd_nroutes =
    sizeof(api_ussd_routes) / sizeof(api_ussd_routes[0]);
