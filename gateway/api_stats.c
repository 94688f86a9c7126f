/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/stats: the figures of the coordinator page, from the cases made
 * in the last API_STATS_DAYS UTC days (today's included), as a list reads
 * them (gateway/api_cases.h): newest first, no more than API_CASES_SCAN
 * entries of {hbm}:cases, "truncated": true when more were left. A
 * manager's session gets its agency's figures, a coordinator's session or
 * the admin token every agency's, with the escalated and overdue cases
 * and the audit chain's last check; a caseworker or an agency token is
 * 403. Categories are named by their sms_label, never their id.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/api_cases.h"
#include "gateway/gw.h"
#include "handlers/code.h"
#include "handlers/route.h"
#include "lib/clock.h"
#include "lib/metrics.h"
#include "store/case.h"
#include "store/store.h"

#define API_STATS_DAYS 30
#define API_STATS_DAY_MS (24 * 60 * 60 * 1000LL)

/* What the figures are made of, as the scan collects it. */
struct api_stats {
	long long now, since; /* ms; since: 00:00 UTC, API_STATS_DAYS ago */
	int all;	      /* every agency: the overdue list too */
	json_t *per_day;      /* label: [count per day] */
	json_t *ack;	      /* agency: [seconds to acknowledge] */
	json_t *missed;	      /* agency: {escalated, late} */
	json_t *open;	      /* {notified, acknowledged, escalated} */
	json_t *overdue;      /* [{code, label, agency, due_at}] */
};

/* A time of a case, 0 when unset (store/case.h: 0 when not a number). */
static json_int_t
api_stats_ms(long long ms)
{
	return (json_int_t)(ms > 0 ? ms : 0);
}

/*
 * The case CODE as the figures need it: raw times, the label (never the
 * category id), the state. The scan's row function.
 */
static json_t *
api_stats_row(const char *code, const struct store_case *k)
{
	const struct cfg *cfg = gw_cfg_get();
	const struct cfg_category *cat;
	char shown[CODE_LEN + 2];
	json_t *o;

	cat = route_category(cfg, k->category);
	code_format(code, shown);
	o = json_pack("{s:s,s:s?,s:s,s:s,s:I,s:I,s:I,s:b}", "code", shown,
	    "label", cat != NULL ? cat->sms_label : NULL, "status", k->status,
	    "agency", k->agency, "created_ms", api_stats_ms(k->created_ms),
	    "acked_ms", api_stats_ms(k->acked_ms), "due_ms",
	    api_stats_ms(k->due_ms), "escalated", k->escalated);
	gw_cfg_put(cfg);
	return o;
}

/* Add 1 to the integer member KEY of the object O. */
static void
api_stats_bump(json_t *o, const char *key)
{
	json_object_set_new(o, key,
	    json_integer(json_integer_value(json_object_get(o, key)) + 1));
}

/* Add 1 to the integer at index I of the array A. */
static void
api_stats_bump_at(json_t *a, size_t i)
{
	json_array_set_new(
	    a, i, json_integer(json_integer_value(json_array_get(a, i)) + 1));
}

/* The member KEY of O, made by MAKE when O has none yet. */
static json_t *
api_stats_slot(json_t *o, const char *key, json_t *(*make)(void))
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		v = make();
		json_object_set_new(o, key, v);
	}
	return v;
}

static json_t *
api_stats_days(void)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < API_STATS_DAYS; i++)
		json_array_append_new(a, json_integer(0));
	return a;
}

static json_t *
api_stats_missed_new(void)
{
	return json_pack("{s:i,s:i}", "escalated", 0, "late", 0);
}

/* 1 when the case C is past its deadline or escalated, and still open. */
static int
api_stats_is_overdue(const struct api_stats *st, const json_t *c)
{
	const char *status = json_string_value(json_object_get(c, "status"));
	long long due = json_integer_value(json_object_get(c, "due_ms"));

	if (strcmp(status, "closed") == 0 ||
	    strcmp(status, "acknowledged") == 0)
		return 0;
	return json_is_true(json_object_get(c, "escalated")) ||
	    (due > 0 && due < st->now);
}

/* Count the open case C by its state. */
static void
api_stats_open(struct api_stats *st, const json_t *c)
{
	const char *status = json_string_value(json_object_get(c, "status"));

	if (strcmp(status, "closed") == 0)
		return;
	if (strcmp(status, "acknowledged") == 0)
		api_stats_bump(st->open, "acknowledged");
	else if (json_is_true(json_object_get(c, "escalated")))
		api_stats_bump(st->open, "escalated");
	else
		api_stats_bump(st->open, "notified");
}

/* The case C on the overdue list, with its deadline, or null. */
static json_t *
api_stats_overdue_row(const json_t *c)
{
	long long due = json_integer_value(json_object_get(c, "due_ms"));
	const char *agency = json_string_value(json_object_get(c, "agency"));
	char when[API_TIME_MAX];

	if (due > 0)
		api_time(due, when);
	return json_pack("{s:O,s:O,s:s?,s:s?,s:O}", "code",
	    json_object_get(c, "code"), "label", json_object_get(c, "label"),
	    "agency", *agency != '\0' ? agency : NULL, "due_at",
	    due > 0 ? when : NULL, "escalated",
	    json_object_get(c, "escalated"));
}

/* Add the case C to the figures. */
static void
api_stats_add(struct api_stats *st, const json_t *c)
{
	const char *label = json_string_value(json_object_get(c, "label"));
	const char *agency = json_string_value(json_object_get(c, "agency"));
	long long created =
	    json_integer_value(json_object_get(c, "created_ms"));
	long long acked = json_integer_value(json_object_get(c, "acked_ms"));
	long long due = json_integer_value(json_object_get(c, "due_ms"));
	int escalated = json_is_true(json_object_get(c, "escalated"));
	long long day = (created - st->since) / API_STATS_DAY_MS;

	if (label != NULL && created >= st->since && day < API_STATS_DAYS)
		api_stats_bump_at(
		    api_stats_slot(st->per_day, label, api_stats_days),
		    (size_t)day);
	if (acked > 0 && acked >= created)
		json_array_append_new(
		    api_stats_slot(st->ack, agency, json_array),
		    json_integer((acked - created) / 1000));
	if (escalated)
		api_stats_bump(
		    api_stats_slot(st->missed, agency, api_stats_missed_new),
		    "escalated");
	else if (acked > 0 && due > 0 && acked > due)
		api_stats_bump(
		    api_stats_slot(st->missed, agency, api_stats_missed_new),
		    "late");
	api_stats_open(st, c);
	if (st->all && api_stats_is_overdue(st, c))
		json_array_append_new(st->overdue, api_stats_overdue_row(c));
}

static int
api_stats_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
api_stats_llcmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * The members of O as an array sorted by name, each made by ROW from its
 * name and value.
 */
static json_t *
api_stats_sorted(json_t *o, json_t *(*row)(const char *, json_t *))
{
	const char **keys, *k;
	json_t *a = json_array(), *v;
	size_t i = 0, n = json_object_size(o);

	keys = calloc(n + 1, sizeof(*keys));
	if (keys == NULL)
		return a;
	json_object_foreach(o, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), api_stats_strcmp);
	for (i = 0; i < n; i++)
		json_array_append_new(
		    a, row(keys[i], json_object_get(o, keys[i])));
	free(keys);
	return a;
}

/* An agency id as the figures name it: null for none (the coordinator). */
static json_t *
api_stats_agency(const char *id)
{
	return *id != '\0' ? json_string(id) : json_null();
}

static json_t *
api_stats_per_day_row(const char *label, json_t *counts)
{
	return json_pack("{s:s,s:O}", "label", label, "counts", counts);
}

/* The nearest-rank P-th percentile of the N sorted values V. */
static long long
api_stats_rank(const long long *v, size_t n, int p)
{
	size_t r = (n * (size_t)p + 99) / 100;

	return v[r > 0 ? r - 1 : 0];
}

static json_t *
api_stats_ack_row(const char *agency, json_t *secs)
{
	size_t i, n = json_array_size(secs);
	long long *v;
	json_t *o;

	if ((v = calloc(n, sizeof(*v))) == NULL)
		return json_null();
	for (i = 0; i < n; i++)
		v[i] = json_integer_value(json_array_get(secs, i));
	qsort(v, n, sizeof(*v), api_stats_llcmp);
	o = json_pack("{s:o,s:I,s:I,s:I}", "agency", api_stats_agency(agency),
	    "count", (json_int_t)n, "median_seconds",
	    (json_int_t)api_stats_rank(v, n, 50), "p90_seconds",
	    (json_int_t)api_stats_rank(v, n, 90));
	free(v);
	return o;
}

static json_t *
api_stats_missed_row(const char *agency, json_t *m)
{
	json_int_t e = json_integer_value(json_object_get(m, "escalated"));
	json_int_t l = json_integer_value(json_object_get(m, "late"));

	return json_pack("{s:o,s:I,s:I,s:I}", "agency",
	    api_stats_agency(agency), "count", e + l, "escalated", e, "late",
	    l);
}

/* The UTC days of the figures, "YYYY-MM-DD", oldest first. */
static json_t *
api_stats_day_names(const struct api_stats *st)
{
	char when[API_TIME_MAX];
	json_t *a = json_array();
	int i;

	for (i = 0; i < API_STATS_DAYS; i++) {
		api_time(st->since + i * API_STATS_DAY_MS, when);
		when[10] = '\0';
		json_array_append_new(a, json_string(when));
	}
	return a;
}

/* The audit chain's last check (the SLA thread's, or /v1/audit/verify's). */
static json_t *
api_stats_audit(void)
{
	double at = metrics_get("hbmgw_audit_verified_seconds", "");
	char when[API_TIME_MAX];

	if (at <= 0)
		return json_pack("{s:n,s:n}", "ok", "checked_at");
	api_time((long long)(at * 1000), when);
	return json_pack("{s:b,s:s}", "ok",
	    metrics_get("hbmgw_audit_chain_ok", "") > 0, "checked_at", when);
}

/* The answer: the figures of the cases of PAGE; SC says how far it got. */
static json_t *
api_stats_json(struct api_stats *st, const json_t *page,
    const struct api_cases_scan *sc, const struct api_caller *who)
{
	char since[API_TIME_MAX];
	json_t *o;
	size_t i;

	for (i = 0; i < json_array_size(page); i++)
		api_stats_add(st, json_array_get(page, i));
	api_time(st->since, since);
	o = json_pack("{s:o,s:s,s:I,s:b,s:o,s:o,s:o,s:O,s:o}", "agency",
	    who->admin ? json_null() : json_string(who->agency->id), "since",
	    since, "cases", (json_int_t)json_array_size(page), "truncated",
	    !sc->end, "days", api_stats_day_names(st), "per_day",
	    api_stats_sorted(st->per_day, api_stats_per_day_row), "ack",
	    api_stats_sorted(st->ack, api_stats_ack_row), "open", st->open,
	    "missed", api_stats_sorted(st->missed, api_stats_missed_row));
	if (st->all) {
		json_object_set(o, "overdue", st->overdue);
		json_object_set_new(o, "audit", api_stats_audit());
	}
	return o;
}

/* 1 when WHO may read figures; otherwise answers 403 and 0. */
static int
api_stats_allowed(const struct api_caller *who, struct http_response *resp)
{
	if (who->admin ||
	    (who->user != NULL && who->user->role == CFG_ROLE_MANAGER))
		return 1;
	http_reply_error(resp, 403,
	    "the figures are for managers and "
	    "coordinators");
	return 0;
}

/* GET /v1/stats. */
static void
api_stats_get(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct api_caller who;
	struct api_cases_query q;
	struct api_cases_scan sc;
	struct api_stats st;
	char *cause = NULL;
	json_t *page = json_array();

	memset(&st, 0, sizeof(st));
	if (api_cases_caller(req, cfg, &who, resp) == -1 ||
	    !api_stats_allowed(&who, resp))
		goto done;
	st.now = clock_wall_ms();
	st.since = st.now - st.now % API_STATS_DAY_MS -
	    (API_STATS_DAYS - 1) * API_STATS_DAY_MS;
	st.all = who.admin;
	memset(&q, 0, sizeof(q));
	q.limit = API_CASES_SCAN;
	q.since_ms = st.since;
	q.row = api_stats_row;
	if (api_cases_scan(&who, &q, page, &sc, &cause) == -1) {
		api_cases_failed(resp, cause);
		goto done;
	}
	st.per_day = json_object();
	st.ack = json_object();
	st.missed = json_object();
	st.open = json_pack(
	    "{s:i,s:i,s:i}", "notified", 0, "acknowledged", 0, "escalated", 0);
	st.overdue = json_array();
	api_reply_json(resp, 200, api_stats_json(&st, page, &sc, &who));
	resp->no_store = 1;
done:
	json_decref(st.per_day);
	json_decref(st.ack);
	json_decref(st.missed);
	json_decref(st.open);
	json_decref(st.overdue);
	json_decref(page);
	gw_cfg_put(cfg);
}

const struct http_route api_stats_routes[] = {
	{ "GET", "/v1/stats", HTTP_BODY_NONE, api_stats_get, NULL },
};
const size_t api_stats_nroutes =
    sizeof(api_stats_routes) / sizeof(api_stats_routes[0]);
