/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/cases and GET /v1/cases/{code}: cases as the coordinator and the
 * agencies see them; POST /v1/cases/{code}/ack, /decline and /close: what
 * an agency does to its cases, as its SMS commands do (handlers/cases.h). An admin token sees every case; an agency token (its
 * SHA-256 is the agency's token_sha256) sees only the cases assigned to the
 * agency now, and any other case is "no such case", exactly as a code that
 * does not exist or has a wrong check digit; a {code} that is not a code at
 * all is 400. The migrant's number is shown masked to the admin, and in
 * clear only to the agency that acknowledged the case, with consent: to
 * its token; its console users (a session) get it masked, with
 * "phone_reveal", and POST /v1/cases/{code}/reveal gives it in clear, an
 * audit entry "revealed" naming the case and "<agency>:<login>" (never
 * the number) written first. GET /v1/export/cases.csv is the caller's
 * cases as a list has them, as CSV with no number, note or free text,
 * audited as "exported".
 *
 * A list is newest first. Its "next" cursor ("<created_ms>:<code>", opaque
 * to clients) is where the page ended. One list looks at no more than
 * API_CASES_SCAN entries of {hbm}:cases, the ones offset= skips included,
 * so a filtered page may be short, even empty, and still have a "next";
 * "next" is null only at the end. A list so costs at most API_CASES_SCAN
 * case reads and API_CASES_SCAN / API_CASES_BATCH + 1 range reads, whatever
 * it asks. offset= (at most API_CASES_OFFSET_MAX) skips that many matching
 * cases from the newest instead of a cursor; deeper pages are reached by
 * cursor only. Times are ISO 8601 UTC strings with milliseconds, or
 * null.
 *
 * The POST routes need an agency token (an admin's is 403: nobody acts for
 * an agency), but for POST /v1/cases/{code}/reassign, which is the
 * coordinator's alone (the admin token or a coordinator's session). Each request is one case operation with an operation id:
 * "api:<agency>:<verb>:<code>:<key>" when the request carries an
 * Idempotency-Key header, so that a retry of it changes nothing, else a
 * fresh random one. Acknowledging a case the agency acknowledged already,
 * or closing a closed one, is 200 with the case; acknowledging or
 * declining a closed case is 409.
 *
 * POST /v1/cases/{code}/note and /sms are case operations of the same
 * kind (cases_agency_act()) that no SMS command has: a note for the
 * agency's eyes only, and an SMS to the case's person through its sealed
 * number. GET /v1/cases/{code} shows an agency's "note" and "sms to
 * person" history entries only to that agency (and to the admin, masked
 * as every note is), so that the next agency after a DECLINE does not
 * read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "handlers/route.h"
#include "gateway/api_cases.h"
#include "gateway/case_sms.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "gateway/session.h"
#include "store/audit.h"
#include "store/case.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "handlers/cases.h"
#include "handlers/code.h"
#include "lib/phone.h"
#include "store/keys.h"

#define API_CASES_LIMIT 50	  /* cases on a page by default */
#define API_CASES_LIMIT_MAX 200	  /* the largest limit= */
#define API_CASES_OFFSET_MAX 1000 /* the largest offset=: use cursor= */
#define API_CASES_BATCH 100	  /* {hbm}:cases entries read at a time */
#define API_CASES_HIST_MAX 1000	  /* history entries shown: the first ones */
#define API_CASES_CURSOR_MAX 40	  /* "<ms>:<code>" and NUL */
#define API_CASES_MS_DIGITS 15	  /* digits of a cursor's created_ms */
#define API_CASES_TEXT_MAX 400	  /* bytes of a reason or note */
#define API_CASES_IDEM_MAX 64	  /* bytes of an Idempotency-Key */
#define API_CASES_OPID_MAX 160	  /* "api:<agency>:<verb>:<code>:<key>" */
#define API_CASES_ACTOR_MAX 96	  /* "<agency>:<login>" in the audit */

/* Answer a failed read: 503 when Redis is unreachable, else 500. */
void
api_cases_failed(struct http_response *resp, char *cause)
{
	log_warnx("cases: %s", cause);
	free(cause);
	if (store_connected(gw_store()))
		http_reply_error(resp, 500, "store error");
	else
		http_reply_error(resp, 503, "store unavailable, retry later");
}

/*
 * The caller by a session cookie, for a request with no Authorization
 * header: a caseworker or manager as its agency's token, a coordinator as
 * the admin token reads (the POST routes refuse it). A state-changing
 * request needs the session's X-CSRF-Token. 0, or -1 with the answer set.
 */
static int
api_cases_session(const struct http_request *req, const struct cfg *cfg,
    struct api_caller *who, struct http_response *resp)
{
	struct session s;
	char *cause = NULL;
	int rc;

	if ((rc = session_of(req, cfg, &s, &cause)) == -1) {
		api_cases_failed(resp, cause);
		return -1;
	}
	if (rc == 0) {
		http_reply_error(resp, 401, "missing or wrong token");
		return -1;
	}
	if (!session_csrf_ok(req, &s, resp))
		return -1;
	who->login = s.user->login;
	who->user = s.user;
	if (s.user->role == CFG_ROLE_COORDINATOR)
		who->admin = 1;
	else if ((who->agency = cfg_agency_find(cfg, s.user->agency)) == NULL) {
		http_reply_error(resp, 401, "missing or wrong token");
		return -1;
	}
	return 0;
}

/*
 * Decide who the bearer token (or, without one, the session cookie)
 * belongs to; 401 and -1 when nobody.
 */
int
api_cases_caller(const struct http_request *req, const struct cfg *cfg,
    struct api_caller *who, struct http_response *resp)
{
	const char *h = http_header(req, "Authorization");
	const struct cfg_agency *ag;
	char hex[CRYPTO_SHA256_HEX];
	size_t i;

	memset(who, 0, sizeof(*who));
	if (h == NULL)
		return api_cases_session(req, cfg, who, resp);
	if (api_bearer_ok(req, &cfg->tokens.admin)) {
		who->admin = 1;
		return 0;
	}
	if (strncasecmp(h, "Bearer ", 7) == 0 && h[7] != '\0') {
		crypto_sha256_hex(h + 7, strlen(h + 7), hex);
		/* Every agency's hash is compared, each in constant time. */
		for (i = 0; i < cfg->nagencies; i++) {
			ag = &cfg->agencies[i];
			if (ag->token_sha256[0] != '\0' &&
			    crypto_equal(
				hex, ag->token_sha256, CRYPTO_SHA256_HEX - 1) &&
			    who->agency == NULL)
				who->agency = ag;
		}
	}
	if (who->agency == NULL) {
		http_reply_error(resp, 401, "missing or wrong token");
		return -1;
	}
	return 0;
}

/* The one answer for a case this caller may not see, or that is not. */
static void
api_cases_missing(struct http_response *resp)
{
	http_reply_error(resp, 404, "no such case");
}

/*
 * The case code in the route into CODE: 0, or -1 with the answer in RESP
 * (400 for what is no code; 404, as for a missing case, for a mistyped
 * one: it says nothing more).
 */
static int
api_cases_code(const struct http_request *req, char code[CODE_LEN + 1],
    struct http_response *resp)
{
	switch (code_parse(req->params[0], code)) {
	case CODE_NONE:
		http_reply_error(resp, 400, "not a case code");
		return -1;
	case CODE_BAD_CHECK:
		api_cases_missing(resp);
		return -1;
	case CODE_OK:
		break;
	}
	return 0;
}

/*
 * The caller, who must act for an agency (an admin is 403: nobody acts for
 * an agency but itself), and the code in the route: 0, or -1 with the
 * answer in RESP.
 */
static int
api_cases_agency_code(const struct http_request *req, const struct cfg *cfg,
    struct api_caller *who, char code[CODE_LEN + 1], struct http_response *resp)
{
	if (api_cases_caller(req, cfg, who, resp) == -1)
		return -1;
	if (who->admin) {
		http_reply_error(resp, 403,
		    who->login != NULL ? "an agency account is required"
				       : "an agency token is required");
		return -1;
	}
	return api_cases_code(req, code, resp);
}

/* Run ARGV; the reply must be an array of strings, else NULL and *cause. */
static struct store_reply *
api_cases_cmd(int argc, const char **argv, char **cause)
{
	struct store_reply *r;
	size_t i;

	if ((r = store_command(gw_store(), argc, argv, NULL, cause)) == NULL)
		return NULL;
	for (i = 0; r->type == STORE_ARRAY && i < r->elements; i++)
		if (r->element[i]->type != STORE_STRING)
			break;
	if (r->type != STORE_ARRAY || i < r->elements) {
		xasprintf(cause, "%s: %s", argv[0],
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return NULL;
	}
	return r;
}

/*
 * Read the case CODE into *K (store/case.h): the reply K borrows from, to
 * free; NULL and *cause when Redis failed.
 */
static struct store_reply *
api_cases_load(const char *code, struct store_case *k, char **cause)
{
	struct store_reply *keep;

	if (store_case_get(gw_store(), code, &keep, k, cause) == -1)
		return NULL;
	return keep;
}

/* The history of the case CODE; NULL and *cause when Redis failed. */
static struct store_reply *
api_cases_load_hist(const char *code, char **cause)
{
	return store_case_history(gw_store(), code, API_CASES_HIST_MAX, cause);
}

/* 1 when the case K exists and WHO may see it. */
static int
api_cases_visible(const struct api_caller *who, const struct store_case *k)
{
	if (!k->exists)
		return 0;
	return who->admin || strcmp(k->agency, who->agency->id) == 0;
}

/* Set KEY to the string VALUE; null when VALUE is not UTF-8. */
static void
api_cases_str(json_t *o, const char *key, const char *value)
{
	json_t *v = json_string(value);

	json_object_set_new(o, key, v != NULL ? v : json_null());
}

/* Set KEY to VALUE, or null when VALUE is "". */
static void
api_cases_str_or_null(json_t *o, const char *key, const char *value)
{
	if (*value == '\0')
		json_object_set_new(o, key, json_null());
	else
		api_cases_str(o, key, value);
}

/* Set KEY to the time MS (ms since the epoch), or null when unset. */
static void
api_cases_when(json_t *o, const char *key, long long ms)
{
	char when[API_TIME_MAX];

	if (ms <= 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	api_time(ms, when);
	api_cases_str(o, key, when);
}

/* The case CODE as a list shows it. */
static json_t *
api_cases_summary(const char *code, const struct store_case *k)
{
	const struct cfg *cfg;
	const struct cfg_category *cat;
	char shown[CODE_LEN + 2];
	json_t *o = json_object();

	code_format(code, shown);
	api_cases_str(o, "code", shown);
	api_cases_str(o, "kind", k->kind);
	api_cases_str(o, "category", k->category);
	/* The neutral word the SMS use, for pages a stranger may see. */
	cfg = gw_cfg_get();
	cat = route_category(cfg, k->category);
	api_cases_str_or_null(o, "label", cat != NULL ? cat->sms_label : "");
	gw_cfg_put(cfg);
	api_cases_str(o, "status", k->status);
	api_cases_str_or_null(o, "agency", k->agency);
	json_object_set_new(o, "priority", json_integer(k->priority));
	api_cases_str_or_null(o, "region", k->region);
	json_object_set_new(o, "persons", json_integer(k->persons));
	json_object_set_new(o, "escalated", json_boolean(k->escalated));
	api_cases_when(o, "created_at", k->created_ms);
	api_cases_when(o, "updated_at", k->updated_ms);
	/* A deadline only while an agency has still to acknowledge. */
	if (strcmp(k->status, CASE_NOTIFIED) == 0 && !k->escalated)
		api_cases_when(o, "due_at", k->due_ms);
	else
		json_object_set_new(o, "due_at", json_null());
	return o;
}

/*
 * 1 when the history entry WHO did WHAT is the agency's own (a note, an
 * SMS to the person) and so hidden from CALLER, another agency.
 */
static int
api_cases_private(
    const struct api_caller *caller, const char *who, const char *what)
{
	if (caller->admin || strcmp(who, caller->agency->id) == 0)
		return 0;
	return strcmp(what, "note") == 0 || strcmp(what, "sms to person") == 0;
}

/*
 * 1 when the history entry E (the Ith) is an SMS's (case_sms.h), appended
 * to A with its status unless it is older than the last CASE_SMS_MAX or
 * another agency's own (api_cases_private()).
 */
static int
api_cases_sms_entry(const struct api_caller *caller, const struct case_sms *cs,
    size_t i, json_t *e, json_t *a)
{
	const char *who = "gateway";
	char when[API_TIME_MAX];
	json_int_t t = 0;
	json_t *o;

	(void)json_unpack(e, "{s:I}", "t", &t);
	api_time((long long)t, when);
	if (!case_sms_entry(cs, i, e, when, &o))
		return 0;
	/* an agency's own SMS to the person, as its "sms to person" entry */
	(void)json_unpack(e, "{s:s}", "who", &who);
	if (o != NULL && strcmp(who, "gateway") != 0 &&
	    api_cases_private(caller, who, "sms to person")) {
		json_decref(o);
		o = NULL;
	}
	if (o != NULL)
		json_array_append_new(a, o);
	return 1;
}

/*
 * The history list H as WHO may see it, as JSON: notes masked as the
 * phone for the admin; an agency's notes and SMS to the person only to
 * that agency; the SMS the case caused with their statuses CS, to whoever
 * sees the case, without number or text.
 */
static json_t *
api_cases_history(const char *code, const struct store_reply *h,
    const struct case_sms *cs, const struct api_caller *caller)
{
	int admin = caller->admin;
	char when[API_TIME_MAX];
	json_t *a = json_array(), *e, *o;
	json_int_t t;
	const char *who, *what, *note;
	char *plain;
	size_t i;

	for (i = 0; i < h->elements; i++) {
		e = json_loadb(h->element[i]->str, h->element[i]->len, 0, NULL);
		if (api_cases_sms_entry(caller, cs, i, e, a)) {
			json_decref(e);
			continue;
		}
		if (json_unpack(e, "{s:I,s:s,s:s,s:s}", "t", &t, "who", &who,
			"what", &what, "note", &note) == -1) {
			log_warnx("cases: case %s: history entry %zu malformed",
			    code, i);
			json_decref(e);
			continue;
		}
		if (api_cases_private(caller, who, what)) {
			json_decref(e);
			continue;
		}
		o = json_object();
		api_time((long long)t, when);
		api_cases_str(o, "at", when);
		api_cases_str(o, "who", who);
		api_cases_str(o, "what", what);
		plain = crypto_open_str(gw_key(), note);
		if (admin)
			log_mask_numbers(plain); /* as the phone */
		api_cases_str(o, "note", plain);
		free(plain);
		json_array_append_new(a, o);
		json_decref(e);
	}
	return a;
}

/* 1 when AGENCY acknowledged the case at some point, by its history H. */
static int
api_cases_acked(const struct store_reply *h, const char *agency)
{
	const char *who, *what;
	json_t *e;
	size_t i;
	int acked = 0;

	for (i = 0; i < h->elements && !acked; i++) {
		e = json_loadb(h->element[i]->str, h->element[i]->len, 0, NULL);
		if (json_unpack(e, "{s:s,s:s}", "who", &who, "what", &what) ==
			0 &&
		    strcmp(who, agency) == 0 &&
		    strcmp(what, "acknowledged") == 0)
			acked = 1;
		json_decref(e);
	}
	return acked;
}

/*
 * 1 when the migrant's number of the case CS may go to the agency that
 * sees it (ACKED: acknowledged it): with consent, while the case is
 * acknowledged or closed.
 */
static int
api_cases_phone_ok(const struct store_case *k, int acked)
{
	return acked && k->consent &&
	    (strcmp(k->status, CASE_ACKNOWLEDGED) == 0 ||
		strcmp(k->status, CASE_CLOSED) == 0);
}

/* The migrant's number of the case CODE in clear, or NULL (logged). */
static char *
api_cases_phone_open(const char *code, const struct store_case *k)
{
	const char *sealed = k->phone;
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (*sealed == '\0')
		return NULL;
	if (crypto_open(gw_key(), sealed, &plain, &len, &cause) == -1) {
		log_warnx("cases: case %s: phone: %s", code, cause);
		free(cause);
		return NULL;
	}
	return plain;
}

/*
 * Add the migrant's number, when there is one and WHO may have it: masked
 * for the admin; for the agency that acknowledged the case and holds it
 * still, and only with consent, in clear to its token and masked to its
 * console users, who reveal it by POST .../reveal (audited). 1 when a
 * number was added.
 */
static int
api_cases_phone(json_t *o, const char *code, const struct store_case *k,
    const struct api_caller *who, int acked)
{
	char masked[PHONE_MAX], *plain;

	if (!who->admin && !api_cases_phone_ok(k, acked))
		return 0;
	if ((plain = api_cases_phone_open(code, k)) == NULL)
		return 0;
	if (who->admin || who->login != NULL) {
		phone_mask(plain, masked);
		api_cases_str(o, "phone", masked);
	} else
		api_cases_str(o, "phone", plain);
	free(plain);
	return 1;
}

/* The case CODE in full, with its history H, as WHO may see it. */
static json_t *
api_cases_full(const struct api_caller *who, const char *code,
    const struct store_case *k, const struct store_reply *h)
{
	json_t *o = api_cases_summary(code, k);
	struct case_sms *cs;
	char *note, *cause = NULL;
	int shown;

	note = crypto_open_str(gw_key(), k->note);
	if (who->admin)
		log_mask_numbers(note); /* as the phone */
	api_cases_str(o, "note", note);
	free(note);
	api_cases_when(o, "acked_at", k->acked_ms);
	api_cases_when(o, "closed_at", k->closed_ms);
	if ((cs = case_sms_load(gw_store(), h, &cause)) == NULL) {
		log_warnx("cases: case %s: SMS statuses: %s", code, cause);
		free(cause);
	}
	json_object_set_new(o, "history", api_cases_history(code, h, cs, who));
	case_sms_free(cs);
	shown = api_cases_phone(o, code, k, who,
	    !who->admin && api_cases_acked(h, who->agency->id));
	/* A console user of the agency sees the number masked: can it show? */
	if (who->login != NULL && !who->admin)
		json_object_set_new(o, "phone_reveal", json_boolean(shown));
	return o;
}

/* GET /v1/cases/{code}. */
static void
api_cases_get(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_caller who;
	struct store_reply *cs = NULL, *h = NULL;
	struct store_case k;
	char code[CODE_LEN + 1], *cause = NULL;

	if (api_cases_caller(req, cfg, &who, resp) == -1 ||
	    api_cases_code(req, code, resp) == -1)
		goto done;
	if ((cs = api_cases_load(code, &k, &cause)) == NULL) {
		api_cases_failed(resp, cause);
		goto done;
	}
	if (!api_cases_visible(&who, &k)) {
		api_cases_missing(resp);
		goto done;
	}
	if ((h = api_cases_load_hist(code, &cause)) == NULL) {
		api_cases_failed(resp, cause);
		goto done;
	}
	api_reply_json(resp, 200, api_cases_full(&who, code, &k, h));
done:
	store_reply_free(cs);
	store_reply_free(h);
	gw_cfg_put(cfg);
}

/* 1 when S is 1 to MAX ASCII digits. */
static int
api_cases_digits(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

int
api_cases_cursor_parse(const char *s, struct api_cases_pos *pos)
{
	char ms[API_CASES_MS_DIGITS + 1];
	const char *colon = strchr(s, ':');
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - s)) > API_CASES_MS_DIGITS)
		return -1;
	memcpy(ms, s, n);
	ms[n] = '\0';
	if (!api_cases_digits(ms, API_CASES_MS_DIGITS) ||
	    !code_check(colon + 1))
		return -1;
	pos->set = 1;
	pos->ms = strtoll(ms, NULL, 10);
	memcpy(pos->code, colon + 1, CODE_LEN + 1);
	return 0;
}

/* Read status=, limit= and cursor=; 400 and -1 when one is bad. */
static int
api_cases_query_parse(const struct http_request *req, struct api_cases_query *q,
    struct http_response *resp)
{
	static const char *const statuses[] = { "new", "notified",
		"acknowledged", "closed" };
	const char *status = http_query(req, "status");
	const char *limit = http_query(req, "limit");
	const char *cursor = http_query(req, "cursor");
	const char *offset = http_query(req, "offset");
	size_t i;

	memset(q, 0, sizeof(*q));
	q->limit = API_CASES_LIMIT;
	if (status != NULL) {
		for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
			if (strcmp(status, statuses[i]) == 0)
				q->status = statuses[i];
		if (q->status == NULL) {
			http_reply_error(resp, 400,
			    "status: one of new, notified, acknowledged, "
			    "closed");
			return -1;
		}
	}
	if (limit != NULL) {
		if (!api_cases_digits(limit, 3) || atoi(limit) < 1 ||
		    atoi(limit) > API_CASES_LIMIT_MAX) {
			http_reply_error(
			    resp, 400, "limit: 1 to %d", API_CASES_LIMIT_MAX);
			return -1;
		}
		q->limit = (size_t)atoi(limit);
	}
	if (cursor != NULL && api_cases_cursor_parse(cursor, &q->after) == -1) {
		http_reply_error(resp, 400, "cursor: not one this server gave");
		return -1;
	}
	if (offset != NULL) {
		if (cursor != NULL || !api_cases_digits(offset, 4) ||
		    atoi(offset) > API_CASES_OFFSET_MAX) {
			http_reply_error(resp, 400,
			    "offset: 0 to %d, and not with cursor; page "
			    "further with cursor=",
			    API_CASES_OFFSET_MAX);
			return -1;
		}
		q->offset = (size_t)atoi(offset);
	}
	return 0;
}

/* 1 when (MS, CODE) comes after POS, newest first. */
static int
api_cases_after(const struct api_cases_pos *pos, long long ms, const char *code)
{
	if (!pos->set)
		return 1;
	return ms < pos->ms || (ms == pos->ms && strcmp(code, pos->code) < 0);
}

/*
 * Look at the (code, score) pairs of one batch R in order, adding to PAGE
 * the cases that match. Returns how many pairs it looked at (fewer than all
 * when the page is done or the scan budget spent), or -1 with *cause.
 */
static long
api_cases_batch(const struct api_caller *who, const struct api_cases_query *q,
    const struct store_reply *r, json_t *page, struct api_cases_scan *sc,
    char **cause)
{
	struct store_reply *cs;
	struct store_case k;
	const char *code;
	long long ms;
	size_t i;
	int match;

	for (i = 0; i + 1 < r->elements; i += 2) {
		if (sc->more || sc->looked == API_CASES_SCAN)
			break;
		sc->looked++;
		code = r->element[i]->str;
		ms = (long long)strtod(r->element[i + 1]->str, NULL);
		if (!api_cases_after(&sc->pos, ms, code) || !code_check(code))
			continue;
		sc->pos.set = 1;
		sc->pos.ms = ms;
		memcpy(sc->pos.code, code, CODE_LEN + 1);
		sc->moves++;
		if ((cs = api_cases_load(code, &k, cause)) == NULL)
			return -1;
		match = api_cases_visible(who, &k) &&
		    (q->status == NULL || strcmp(k.status, q->status) == 0);
		if (match && sc->skipped < q->offset)
			sc->skipped++;
		else if (match && json_array_size(page) == q->limit)
			sc->more = 1;
		else if (match) {
			json_array_append_new(page,
			    q->row != NULL ? q->row(code, &k)
					   : api_cases_summary(code, &k));
			sc->last = sc->pos;
		}
		store_reply_free(cs);
	}
	return (long)(i / 2);
}

/* Fill PAGE from {hbm}:cases, newest first; -1 with *cause. */
int
api_cases_scan(const struct api_caller *who, const struct api_cases_query *q,
    json_t *page, struct api_cases_scan *sc, char **cause)
{
	char max[32], min[32], off[32], count[16];
	const char *argv[] = { "ZREVRANGEBYSCORE", KEY_CASES, max, min,
		"WITHSCORES", "LIMIT", off, count };
	struct store_reply *r;
	long long offset = 0;
	long n, seen;
	size_t moves;

	memset(sc, 0, sizeof(*sc));
	sc->pos = q->after;
	snprintf(count, sizeof(count), "%d", API_CASES_BATCH);
	if (q->since_ms > 0)
		snprintf(min, sizeof(min), "%lld", q->since_ms);
	else
		snprintf(min, sizeof(min), "-inf");
	while (!sc->end && !sc->more && sc->looked < API_CASES_SCAN) {
		/* From the score reached, so that new cases shift nothing. */
		if (sc->pos.set)
			snprintf(max, sizeof(max), "%lld", sc->pos.ms);
		else
			snprintf(max, sizeof(max), "+inf");
		snprintf(off, sizeof(off), "%lld", offset);
		if ((r = api_cases_cmd(8, argv, cause)) == NULL)
			return -1;
		moves = sc->moves;
		n = (long)(r->elements / 2);
		seen = api_cases_batch(who, q, r, page, sc, cause);
		store_reply_free(r);
		if (seen == -1)
			return -1;
		if (seen == n && n < API_CASES_BATCH)
			sc->end = 1;
		/* Ties at one score that were all seen before: read on. */
		if (sc->moves == moves)
			offset += API_CASES_BATCH;
		else
			offset = 0;
	}
	return 0;
}

/* GET /v1/cases?status=&limit=&cursor= (or &offset=). */
static void
api_cases_list(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_caller who;
	struct api_cases_query q;
	struct api_cases_scan sc;
	const struct api_cases_pos *next = NULL;
	char cursor[API_CASES_CURSOR_MAX], *cause = NULL;
	json_t *page = NULL;

	if (api_cases_caller(req, cfg, &who, resp) == -1 ||
	    api_cases_query_parse(req, &q, resp) == -1)
		goto done;
	page = json_array();
	if (api_cases_scan(&who, &q, page, &sc, &cause) == -1) {
		api_cases_failed(resp, cause);
		goto done;
	}
	if (sc.more)
		next = &sc.last;
	else if (!sc.end && sc.pos.set)
		next = &sc.pos;
	if (next != NULL)
		snprintf(
		    cursor, sizeof(cursor), "%lld:%s", next->ms, next->code);
	api_reply_json(resp, 200,
	    json_pack("{s:O,s:o}", "cases", page, "next",
		next != NULL ? json_string(cursor) : json_null()));
done:
	json_decref(page);
	gw_cfg_put(cfg);
}

/*
 * The operation id of this request by BY (an agency's id, "coordinator")
 * into OPID: from its Idempotency-Key, else fresh. 400 and -1 when the key is not 1-64 of [A-Za-z0-9._:-].
 */
static int
api_cases_opid(const struct http_request *req, const char *by, const char *verb,
    const char *code, char opid[API_CASES_OPID_MAX], struct http_response *resp)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-";
	const char *k = http_header(req, "Idempotency-Key");
	unsigned char rnd[16];
	char hex[2 * sizeof(rnd) + 1];
	size_t i, n;

	if (k != NULL) {
		n = strlen(k);
		if (n == 0 || n > API_CASES_IDEM_MAX || strspn(k, ok) != n) {
			http_reply_error(resp, 400,
			    "Idempotency-Key: 1 to %d of A-Z a-z 0-9 . _ : -",
			    API_CASES_IDEM_MAX);
			return -1;
		}
		snprintf(opid, API_CASES_OPID_MAX, "api:%s:%s:%s:%s", by, verb,
		    code, k);
		return 0;
	}
	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		http_reply_error(resp, 500, "no random bytes");
		return -1;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	snprintf(opid, API_CASES_OPID_MAX, "api:%s", hex);
	return 0;
}

/*
 * The optional string member NAME of the JSON object in the body (an empty
 * body is {}), copied to *TEXT (NULL when absent); 400 and -1 when bad.
 */
static int
api_cases_text(const struct http_request *req, const char *name, char **text,
    struct http_response *resp)
{
	json_error_t err;
	json_t *root, *v;
	int rc = -1;

	*text = NULL;
	if (req->body_len == 0)
		return 0;
	root =
	    json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		http_reply_error(resp, 400, "malformed JSON: %s", err.text);
		return -1;
	}
	v = json_object_get(root, name);
	if (!json_is_object(root))
		http_reply_error(resp, 400, "the body must be a JSON object");
	else if (v != NULL && !json_is_null(v) && !json_is_string(v))
		http_reply_error(resp, 400, "\"%s\" must be a string", name);
	else if (json_string_length(v) > API_CASES_TEXT_MAX)
		http_reply_error(resp, 400, "\"%s\" is over %d bytes", name,
		    API_CASES_TEXT_MAX);
	else if (json_string_length(v) > 0 &&
	    memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
		http_reply_error(resp, 400, "\"%s\" holds a NUL", name);
	else {
		if (json_is_string(v))
			*text = xstrdup(json_string_value(v));
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* 400 and -1 when TEXT, the body member NAME, is absent or empty. */
static int
api_cases_nonempty(
    const char *text, const char *name, struct http_response *resp)
{
	if (text != NULL && text[0] != '\0')
		return 0;
	http_reply_error(resp, 400, "\"%s\" is required", name);
	return -1;
}

/*
 * The body of POST .../sms: {"template": name} of CASES_SMS_TEMPLATES
 * into *TMPL, or {"text": free text} into *TEXT, one of them. 400 and -1
 * when neither or both, or a template not allowed.
 */
static int
api_cases_sms_body(const struct http_request *req, char **text, char **tmpl,
    struct http_response *resp)
{
	if (api_cases_text(req, "text", text, resp) == -1 ||
	    api_cases_text(req, "template", tmpl, resp) == -1)
		return -1;
	if ((*text == NULL || **text == '\0') == (*tmpl == NULL)) {
		http_reply_error(
		    resp, 400, "either \"template\" or a non-empty \"text\"");
		return -1;
	}
	if (*tmpl != NULL && !cases_sms_template_ok(*tmpl)) {
		http_reply_error(resp, 400,
		    "\"template\": one of person_contact, person_visit");
		return -1;
	}
	return 0;
}

/* Reply with the case CODE as WHO sees it now, or 404. */
static void
api_cases_show(
    const struct api_caller *who, const char *code, struct http_response *resp)
{
	struct store_reply *cs = NULL, *h = NULL;
	struct store_case k;
	char *cause = NULL;

	if ((cs = api_cases_load(code, &k, &cause)) == NULL) {
		api_cases_failed(resp, cause);
		return;
	}
	if (!api_cases_visible(who, &k))
		api_cases_missing(resp);
	else if ((h = api_cases_load_hist(code, &cause)) == NULL)
		api_cases_failed(resp, cause);
	else
		api_reply_json(resp, 200, api_cases_full(who, code, &k, h));
	store_reply_free(cs);
	store_reply_free(h);
}

/* POST /v1/cases/{code}/VERB, with the body member FIELD as its text. */
static void
api_cases_act(const struct http_request *req, struct http_response *resp,
    enum cases_verb verb, const char *name, const char *field)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_caller who;
	struct cases_action act;
	enum cases_outcome out;
	char code[CODE_LEN + 1], shown[CODE_LEN + 2];
	char opid[API_CASES_OPID_MAX], *text = NULL, *tmpl = NULL;
	char *cause = NULL;

	if (api_cases_agency_code(req, cfg, &who, code, resp) == -1)
		goto done;
	if ((field != NULL && api_cases_text(req, field, &text, resp) == -1) ||
	    (verb == CASES_SMS &&
		api_cases_sms_body(req, &text, &tmpl, resp) == -1) ||
	    (verb == CASES_NOTE &&
		api_cases_nonempty(text, field, resp) == -1) ||
	    api_cases_opid(req, who.agency->id, name, code, opid, resp) == -1)
		goto done;
	memset(&act, 0, sizeof(act));
	act.opid = opid;
	act.agency = who.agency->id;
	act.login = who.login;
	act.verb = verb;
	act.code = code;
	act.text = text;
	act.template = tmpl;
	if (cases_agency_act(gw_store(), cfg, gw_key(), &act, &out, &cause) ==
	    -1) {
		api_cases_failed(resp, cause);
		goto done;
	}
	code_format(code, shown);
	if (who.login != NULL && out != CASES_MISSING)
		log_info("cases: %s of %s: %s %s", who.login, who.agency->id,
		    name, shown);
	if (out == CASES_MISSING)
		api_cases_missing(resp);
	else if (out == CASES_REFUSED && verb == CASES_SMS)
		http_reply_error(resp, 409,
		    "an SMS goes to the person only from the agency that "
		    "acknowledged the case, with consent, while it is open");
	else if (out == CASES_REFUSED)
		http_reply_error(resp, 409, "the case is closed");
	else if (out == CASES_OPTED_OUT)
		http_reply_error(
		    resp, 409, "the person opted out of SMS (STOP)");
	else if (out == CASES_LIMITED)
		http_reply_error(resp, 429,
		    "at most %d SMS to the person a case in 24 hours",
		    CASES_SMS_DAY);
	else if (verb == CASES_DECLINE)
		api_reply_json(resp, 200,
		    json_pack(
			"{s:s,s:s}", "code", shown, "status", "declined"));
	else
		api_cases_show(&who, code, resp);
done:
	free(text);
	free(tmpl);
	gw_cfg_put(cfg);
}

static void
api_cases_ack(const struct http_request *req, struct http_response *resp)
{
	api_cases_act(req, resp, CASES_ACK, "ack", NULL);
}

static void
api_cases_decline(const struct http_request *req, struct http_response *resp)
{
	api_cases_act(req, resp, CASES_DECLINE, "decline", "reason");
}

static void
api_cases_close(const struct http_request *req, struct http_response *resp)
{
	api_cases_act(req, resp, CASES_CLOSE, "close", "note");
}

static void
api_cases_note(const struct http_request *req, struct http_response *resp)
{
	api_cases_act(req, resp, CASES_NOTE, "note", "note");
}

static void
api_cases_sms(const struct http_request *req, struct http_response *resp)
{
	api_cases_act(req, resp, CASES_SMS, "sms", NULL);
}

/*
 * POST /v1/cases/{code}/reassign {"agency": id, "reason": text}: the
 * coordinator's (the admin token, a coordinator's session) case to another
 * agency (cases_agency_act(), CASES_REASSIGN). 400 for an unknown agency,
 * 409 for a closed case or one with that agency already.
 */
static void
api_cases_reassign(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	const struct cfg_agency *to;
	struct api_caller who;
	struct cases_action act;
	enum cases_outcome out;
	char code[CODE_LEN + 1], shown[CODE_LEN + 2], opid[API_CASES_OPID_MAX];
	char *agency = NULL, *reason = NULL, *cause = NULL;

	if (api_cases_caller(req, cfg, &who, resp) == -1)
		goto done;
	if (!who.admin) {
		http_reply_error(resp, 403, "only the coordinator reassigns");
		goto done;
	}
	if (api_cases_code(req, code, resp) == -1 ||
	    api_cases_text(req, "agency", &agency, resp) == -1 ||
	    api_cases_text(req, "reason", &reason, resp) == -1 ||
	    api_cases_nonempty(agency, "agency", resp) == -1)
		goto done;
	if ((to = cfg_agency_find(cfg, agency)) == NULL) {
		http_reply_error(resp, 400, "\"agency\": no such agency");
		goto done;
	}
	if (api_cases_opid(req, "coordinator", "reassign", code, opid, resp) ==
	    -1)
		goto done;
	memset(&act, 0, sizeof(act));
	act.opid = opid;
	act.agency = to->id;
	act.login = who.login;
	act.verb = CASES_REASSIGN;
	act.code = code;
	act.text = reason;
	if (cases_agency_act(gw_store(), cfg, gw_key(), &act, &out, &cause) ==
	    -1) {
		api_cases_failed(resp, cause);
		goto done;
	}
	code_format(code, shown);
	if (out == CASES_MISSING)
		api_cases_missing(resp);
	else if (out == CASES_REFUSED)
		http_reply_error(resp, 409,
		    "the case is closed, or with that agency already");
	else {
		log_info("cases: %s reassigned %s to %s",
		    who.login != NULL ? who.login : "admin", shown, to->id);
		api_cases_show(&who, code, resp);
	}
done:
	free(agency);
	free(reason);
	gw_cfg_put(cfg);
}

/* Who WHO is in the audit: "<agency>:<login>", "<agency>", "admin". */
static void
api_cases_actor(const struct api_caller *who, char out[API_CASES_ACTOR_MAX])
{
	if (who->admin && who->login != NULL)
		snprintf(
		    out, API_CASES_ACTOR_MAX, "coordinator:%s", who->login);
	else if (who->admin)
		snprintf(out, API_CASES_ACTOR_MAX, "admin");
	else if (who->login != NULL)
		snprintf(out, API_CASES_ACTOR_MAX, "%s:%s", who->agency->id,
		    who->login);
	else
		snprintf(out, API_CASES_ACTOR_MAX, "%s", who->agency->id);
}

/*
 * Reply with the migrant's number of the case CODE (CS, its history H) to
 * WHO, an agency that sees the case, once the audit has it: 409 when the
 * number is not the agency's to have (the case not acknowledged by it, no
 * consent, or no number).
 */
static void
api_cases_reveal_to(const struct api_caller *who, const char *code,
    const struct store_case *k, const struct store_reply *h,
    struct http_response *resp)
{
	char actor[API_CASES_ACTOR_MAX], shown[CODE_LEN + 2];
	char *plain = NULL, *cause = NULL;

	if (!api_cases_phone_ok(k, api_cases_acked(h, who->agency->id)) ||
	    k->phone[0] == '\0') {
		http_reply_error(resp, 409,
		    "the number is only for the agency that acknowledged the "
		    "case, with consent");
		return;
	}
	if ((plain = api_cases_phone_open(code, k)) == NULL) {
		http_reply_error(resp, 500, "the number cannot be read");
		return;
	}
	/* Never the number in the audit: who saw which case's, and when. */
	api_cases_actor(who, actor);
	if (audit_append(gw_store(), code, actor, "revealed", "", &cause) ==
	    -1) {
		api_cases_failed(resp, cause);
		free(plain);
		return;
	}
	code_format(code, shown);
	log_info("cases: %s: revealed the number of %s", actor, shown);
	api_reply_json(resp, 200, json_pack("{s:s}", "phone", plain));
	resp->no_store = 1;
	free(plain);
}

/* POST /v1/cases/{code}/reveal. */
static void
api_cases_reveal(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_caller who;
	struct store_reply *cs = NULL, *h = NULL;
	struct store_case k;
	char code[CODE_LEN + 1], *cause = NULL;

	if (api_cases_agency_code(req, cfg, &who, code, resp) == -1)
		goto done;
	if ((cs = api_cases_load(code, &k, &cause)) == NULL)
		api_cases_failed(resp, cause);
	else if (!api_cases_visible(&who, &k))
		api_cases_missing(resp);
	else if ((h = api_cases_load_hist(code, &cause)) == NULL)
		api_cases_failed(resp, cause);
	else
		api_cases_reveal_to(&who, code, &k, h, resp);
done:
	store_reply_free(cs);
	store_reply_free(h);
	gw_cfg_put(cfg);
}

/* The case CODE as the export has it: the summary and the times. */
static json_t *
api_cases_export_row(const char *code, const struct store_case *k)
{
	json_t *o = api_cases_summary(code, k);

	api_cases_when(o, "acked_at", k->acked_ms);
	api_cases_when(o, "closed_at", k->closed_ms);
	return o;
}

/* The columns of the export: no number, no note, no free text. */
static const char *const api_cases_columns[] = { "code", "label", "priority",
	"region", "status", "agency", "created_at", "acked_at", "closed_at",
	"escalated" };

/* The member KEY of the case O as a CSV field. */
static void
api_cases_csv_value(struct csv *c, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	char n[32];

	if (json_is_string(v))
		csv_field(c, json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(
		    n, sizeof(n), "%lld", (long long)json_integer_value(v));
		csv_field(c, n);
	} else if (json_is_boolean(v))
		csv_field(c, json_is_true(v) ? "true" : "false");
	else
		csv_field(c, "");
}

/* The cases of PAGE as CSV text into C, a header row first. */
static void
api_cases_csv(struct csv *c, const json_t *page)
{
	const size_t ncols =
	    sizeof(api_cases_columns) / sizeof(api_cases_columns[0]);
	size_t i, j;

	for (j = 0; j < ncols; j++)
		csv_field(c, api_cases_columns[j]);
	csv_row_end(c);
	for (i = 0; i < json_array_size(page); i++) {
		for (j = 0; j < ncols; j++)
			api_cases_csv_value(
			    c, json_array_get(page, i), api_cases_columns[j]);
		csv_row_end(c);
	}
}

/*
 * GET /v1/export/cases.csv: the cases GET /v1/cases would list to the
 * caller, newest first, as CSV, the scan as bounded as a list's
 * (API_CASES_SCAN entries); X-Truncated: 1 when {hbm}:cases held more.
 * The audit has who exported, and how many cases.
 */
static void
api_cases_export(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_caller who;
	struct api_cases_query q;
	struct api_cases_scan sc;
	struct csv c;
	char actor[API_CASES_ACTOR_MAX], detail[64], *cause = NULL;
	json_t *page = json_array();

	memset(&c, 0, sizeof(c));
	if (api_cases_caller(req, cfg, &who, resp) == -1)
		goto done;
	memset(&q, 0, sizeof(q));
	q.limit = API_CASES_SCAN;
	q.row = api_cases_export_row;
	if (api_cases_scan(&who, &q, page, &sc, &cause) == -1) {
		api_cases_failed(resp, cause);
		goto done;
	}
	api_cases_csv(&c, page);
	api_cases_actor(&who, actor);
	snprintf(detail, sizeof(detail), "%zu cases%s", json_array_size(page),
	    sc.end ? "" : ", truncated");
	if (audit_append(gw_store(), "cases.csv", actor, "exported", detail,
		&cause) == -1) {
		api_cases_failed(resp, cause);
		goto done;
	}
	log_info("cases: %s: exported %s", actor, detail);
	http_reply(resp, 200, "text/csv; charset=utf-8", c.buf, c.len);
	resp->no_store = 1;
	http_header_add(
	    resp, "Content-Disposition", "attachment; filename=\"cases.csv\"");
	if (!sc.end)
		http_header_add(resp, "X-Truncated", "1");
done:
	csv_free(&c);
	json_decref(page);
	gw_cfg_put(cfg);
}

const struct http_route api_cases_routes[] = {
	{ "GET", "/v1/cases", HTTP_BODY_NONE, api_cases_list, NULL },
	{ "GET", "/v1/cases/{code}", HTTP_BODY_NONE, api_cases_get, NULL },
	{ "POST", "/v1/cases/{code}/ack", HTTP_BODY_NONE, api_cases_ack, NULL },
	{ "POST", "/v1/cases/{code}/decline", HTTP_BODY_JSON, api_cases_decline,
	    NULL },
	{ "POST", "/v1/cases/{code}/close", HTTP_BODY_JSON, api_cases_close,
	    NULL },
	{ "POST", "/v1/cases/{code}/reveal", HTTP_BODY_NONE, api_cases_reveal,
	    NULL },
	{ "POST", "/v1/cases/{code}/note", HTTP_BODY_JSON, api_cases_note,
	    NULL },
	{ "POST", "/v1/cases/{code}/sms", HTTP_BODY_JSON, api_cases_sms, NULL },
	{ "POST", "/v1/cases/{code}/reassign", HTTP_BODY_JSON,
	    api_cases_reassign, NULL },
	{ "GET", "/v1/export/cases.csv", HTTP_BODY_NONE, api_cases_export,
	    NULL },
};
const size_t api_cases_nroutes =
    sizeof(api_cases_routes) / sizeof(api_cases_routes[0]);
