/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Case operations for SMS commands and SLA steps.
 *
 * Each operation reads the records it concerns (the sender's number record,
 * a case), decides what changes and which SMS go out, and hands everything
 * to one atomic script (gateway/apply.c) guarded by the version fields it
 * read; a conflict (another thread changed a record meanwhile) reads and
 * decides again. The operation id is the inbox entry id, so a message
 * handled twice after a crash changes nothing the second time.
 *
 * Records: {hbm}:case:<code> (hash), {hbm}:case:<code>:hist (list),
 * {hbm}:num:<hash> (per number: lang, optout, counters, ver),
 * {hbm}:num:<hash>:cases, {hbm}:agency:<id>:open, {hbm}:cases and
 * {hbm}:sla (sorted sets). See docs/redis.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/clock.h"
#include "gateway/apply.h"
#include "gateway/crypto.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/outbox.h"
#include "gateway/store.h"
#include "gateway/xmalloc.h"
#include "handlers/cases.h"
#include "handlers/code.h"
#include "handlers/phone.h"
#include "handlers/route.h"
#include "handlers/sms.h"
#include "handlers/template.h"

#define CASES_TRIES 8	 /* decide again this often on conflicts */
#define CASES_LIST_MAX 6 /* cases named in a LIST or STATUS reply */
#define CASES_KEY_MAX 128
#define CASES_METRICS_MAX 8

/* A metric to count once the operation is applied (not on replays). */
struct cases_metric {
	const char *name;
	char labels[128];
	double value; /* added, or observed for a histogram */
	int observe;  /* 1: a histogram observation */
};

/* Everything one operation needs; lives for one attempt. */
struct cases_ctx {
	struct store *st;
	const struct cfg *cfg;
	const struct crypto_key *key;
	const struct sms_lexicon *lex;
	struct apply *a;
	long long now; /* ms since the epoch */
	const char *opid;
	/* the sender */
	char e164[PHONE_MAX];
	const char *sealed; /* borrowed from the inbox entry */
	const char *hash;
	char numkey[CASES_KEY_MAX];
	struct store_reply *num; /* HGETALL of numkey, owned */
	char lang[CFG_LANG_MAX]; /* reply language */
	int staff;		 /* an agency, official or coordinator phone */
	const struct cfg_agency *agency; /* the sender's agency, or NULL */
	long long hour_replies;		 /* replies counted this hour */
	int optout;
	struct cases_metric metrics[CASES_METRICS_MAX];
	int nmetrics;
};

/* Count NAME{LABELS} by V when this attempt is applied. */
static void
cases_count(struct cases_ctx *c, const char *name, const char *labels, double v,
    int observe)
{
	struct cases_metric *m;

	if (c->nmetrics == CASES_METRICS_MAX)
		return;
	m = &c->metrics[c->nmetrics++];
	m->name = name;
	snprintf(m->labels, sizeof(m->labels), "%s", labels);
	m->value = v;
	m->observe = observe;
}

/* A case event by category: created, acknowledged, closed, escalated... */
static void
cases_event(struct cases_ctx *c, const char *category, const char *event)
{
	char labels[128];

	snprintf(labels, sizeof(labels), "category=\"%s\",event=\"%s\"",
	    category, event);
	cases_count(c, "hbmgw_case_events_total", labels, 1, 0);
}

static void
cases_flush_metrics(struct cases_ctx *c)
{
	int i;

	for (i = 0; i < c->nmetrics; i++) {
		if (c->metrics[i].observe)
			metrics_observe(
			    c->metrics[i].name, c->metrics[i].value);
		else
			metrics_add(c->metrics[i].name, c->metrics[i].labels,
			    c->metrics[i].value);
	}
	c->nmetrics = 0;
}

/* The value of FIELD in an HGETALL reply, "" when missing. */
static const char *
cases_hv(const struct store_reply *r, const char *field)
{
	size_t i;

	if (r == NULL || r->type != STORE_ARRAY)
		return "";
	for (i = 0; i + 1 < r->elements; i += 2)
		if (strcmp(r->element[i]->str, field) == 0)
			return r->element[i + 1]->str;
	return "";
}

static long long
cases_hv_ll(const struct store_reply *r, const char *field)
{
	return strtoll(cases_hv(r, field), NULL, 10);
}

/* HGETALL KEY into *OUT; -1 when Redis is unreachable or refuses. */
static int
cases_hgetall(
    struct store *st, const char *key, struct store_reply **out, char **cause)
{
	struct store_reply *r;

	if ((r = store_commandl(st, cause, "HGETALL", key, NULL)) == NULL)
		return -1;
	if (r->type != STORE_ARRAY) {
		xasprintf(cause, "cases: HGETALL: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static void
cases_numkey(char *buf, const char *hash)
{
	snprintf(buf, CASES_KEY_MAX, "{hbm}:num:%s", hash);
}

static void
cases_casekey(char *buf, const char *code, const char *suffix)
{
	snprintf(buf, CASES_KEY_MAX, "{hbm}:case:%s%s", code, suffix);
}

static void
cases_ll(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

/* A history entry as JSON: who did what, with an optional note. */
static char *
cases_history(
    long long now, const char *who, const char *what, const char *note)
{
	json_t *o;
	char *s;

	o = json_pack("{s:I,s:s,s:s,s:s}", "t", (json_int_t)now, "who", who,
	    "what", what, "note", note != NULL ? note : "");
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("cases: cannot encode history");
	json_decref(o);
	return s;
}

/* Append a history entry and an audit entry for case CODE. */
static void
cases_log(struct cases_ctx *c, const char *code, const char *who,
    const char *what, const char *note)
{
	char key[CASES_KEY_MAX], *h;

	cases_casekey(key, code, ":hist");
	h = cases_history(c->now, who, what, note);
	apply_rpush(c->a, key, h);
	free(h);
	apply_audit(c->a, code, who, what, note != NULL ? note : "");
}

/* Queue TEXT to a number given in clear (an agency's or coordinator's). */
static void
cases_send_plain(
    struct cases_ctx *c, const char *e164, const char *text, const char *kind)
{
	char hash[CRYPTO_SHA256_HEX], *sealed;
	const char *ch = outbox_pick_channel(c->cfg, e164, NULL);

	sealed = crypto_seal(c->key, e164, strlen(e164));
	crypto_phone_hash(c->key, e164, hash);
	apply_sms(c->a, sealed, hash, text, ch != NULL ? ch : "", kind);
	free(sealed);
}

/* Render template NAME in LANG and queue it to every phone of AGENCY. */
static void
cases_tell_agency(struct cases_ctx *c, const struct cfg_agency *ag,
    const char *name, const struct template_var *v, size_t n)
{
	char *text;
	size_t i;

	text =
	    template_render(c->cfg, c->cfg->gateway.languages.v[0], name, v, n);
	if (text == NULL)
		return;
	for (i = 0; i < ag->phones.n; i++)
		cases_send_plain(c, ag->phones.v[i], text, "notify");
	free(text);
}

/*
 * Reply to the sender, unless they opted out or had enough replies this
 * hour. FORCE bypasses both (the one STOP confirmation, START).
 */
static void
cases_reply(struct cases_ctx *c, const char *name, const struct template_var *v,
    size_t n, int force)
{
	char buf[32], hour[32], *text;
	const char *ch;

	if (!force && c->optout)
		return;
	if (!force && !c->staff &&
	    c->hour_replies >= c->cfg->limits.replies_per_hour) {
		cases_count(c, "hbmgw_replies_limited_total", "", 1, 0);
		return;
	}
	if ((text = template_render(c->cfg, c->lang, name, v, n)) == NULL)
		return;
	ch = outbox_pick_channel(c->cfg, c->e164, NULL);
	apply_sms(
	    c->a, c->sealed, c->hash, text, ch != NULL ? ch : "", "reply");
	free(text);
	c->hour_replies++;
	cases_ll(hour, sizeof(hour), c->now / 3600000);
	cases_ll(buf, sizeof(buf), c->hour_replies);
	apply_hset(c->a, c->numkey, "hour", hour);
	apply_hset(c->a, c->numkey, "hour_replies", buf);
}

static const struct cfg_category *
cases_category(const struct cfg *cfg, const char *id)
{
	return route_category(cfg, id);
}

/* A status word in the reply language. */
static const char *
cases_status_word(const char *lang, const char *status)
{
	static const struct {
		const char *status, *fr, *ar;
	} words[] = {
		{ "new", "nouveau", "جديد" },
		{ "notified", "transmis", "محال" },
		{ "acknowledged", "pris en charge", "مقبول" },
		{ "closed", "clos", "مغلق" },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(words[i].status, status) != 0)
			continue;
		if (strcmp(lang, "fr") == 0)
			return words[i].fr;
		if (strcmp(lang, "ar") == 0)
			return words[i].ar;
	}
	return status;
}

static const char *
cases_agency_name(const struct cfg *cfg, const char *id)
{
	const struct cfg_agency *ag = cfg_agency_find(cfg, id);

	return ag != NULL ? ag->name : "-";
}

/* The category words of the reply language, joined for ask_category. */
static void
cases_keywords(struct cases_ctx *c, char *buf, size_t len)
{
	const char *w[16];
	size_t n, i, off = 0;

	n = sms_category_words(c->lex, c->lang, w, 16);
	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(
		    buf + off, len - off, "%s%s", i > 0 ? ", " : "", w[i]);
}

/* Anything else: one short help reply per number per hour. */
static void
cases_unknown(struct cases_ctx *c)
{
	char hour[32], kw[200];

	cases_ll(hour, sizeof(hour), c->now / 3600000);
	if (strcmp(cases_hv(c->num, "help_hour"), hour) == 0)
		return;
	apply_hset(c->a, c->numkey, "help_hour", hour);
	cases_keywords(c, kw, sizeof(kw));
	struct template_var v[] = { { "keywords", kw } };
	cases_reply(c, "unknown", v, 1, 0);
}

/* What a new case is made of; strings borrowed. */
struct cases_new {
	const struct cfg_category *cat;
	const char *kind;   /* "relief" or "referral" */
	const char *region; /* "" for none */
	int persons;
	const char *note;
	const char *phone;    /* the migrant's sealed number, or "" */
	const char *num;      /* its keyed hash, or "" */
	const char *consent;  /* "1" or "0" */
	const char *official; /* the referring official's hash, or "" */
};

/*
 * Create a case: draw a code, route it to the first agency (region first),
 * index it, start its SLA clock and notify the agency. Writes the shown
 * code to SHOWN and the agency to *AGENCY. -1 when nothing can be routed.
 */
static int
cases_create(struct cases_ctx *c, const struct cases_new *nc,
    char shown[CODE_LEN + 2], const struct cfg_agency **agency, char **cause)
{
	const struct cfg_category *cat = nc->cat;
	const struct cfg_agency *ag[16];
	char code[CODE_LEN + 1], key[CASES_KEY_MAX], buf[32], prio[8];
	char persons[8];
	unsigned char rnd[8];
	long long due = c->now + cat->ack_timeout * 1000LL;

	if (route_agencies(c->cfg, cat->id, nc->region, ag, 16) == 0 ||
	    crypto_random(rnd, sizeof(rnd)) == -1) {
		xasprintf(cause, "cases: cannot route or draw a code");
		return -1;
	}
	*agency = ag[0];
	code_from_random(rnd, code);
	code_format(code, shown);
	snprintf(persons, sizeof(persons), "%d", nc->persons);
	snprintf(prio, sizeof(prio), "%d", cat->priority);
	cases_casekey(key, code, "");
	apply_guard_absent(c->a, key);
	apply_hset(c->a, key, "code", code);
	apply_hset(c->a, key, "kind", nc->kind);
	apply_hset(c->a, key, "category", cat->id);
	apply_hset(c->a, key, "status", "notified");
	apply_hset(c->a, key, "agency", ag[0]->id);
	apply_hset(c->a, key, "region", nc->region);
	apply_hset(c->a, key, "persons", persons);
	apply_hset(c->a, key, "note", nc->note);
	apply_hset(c->a, key, "lang", c->lang);
	apply_hset(c->a, key, "num", nc->num);
	apply_hset(c->a, key, "phone", nc->phone);
	apply_hset(c->a, key, "consent", nc->consent);
	apply_hset(c->a, key, "official", nc->official);
	apply_hset(c->a, key, "priority", prio);
	cases_ll(buf, sizeof(buf), c->now);
	apply_hset(c->a, key, "created_ms", buf);
	apply_hset(c->a, key, "updated_ms", buf);
	apply_hset(c->a, key, "stage", "0");
	apply_hset(c->a, key, "tried", "");
	apply_hset(c->a, key, "ver", "1");
	cases_ll(buf, sizeof(buf), due);
	apply_hset(c->a, key, "due_ms", buf);
	apply_zadd(c->a, "{hbm}:sla", (double)due, code);
	apply_zadd(c->a, "{hbm}:cases", (double)c->now, code);
	snprintf(key, sizeof(key), "{hbm}:agency:%s:open", ag[0]->id);
	apply_zadd(
	    c->a, key, (double)cat->priority * 1e13 + (double)c->now, code);
	if (nc->num[0] != '\0') {
		snprintf(key, sizeof(key), "{hbm}:num:%s:cases", nc->num);
		apply_zadd(c->a, key, (double)c->now, code);
	}
	cases_log(c, code, nc->official[0] != '\0' ? "official" : "migrant",
	    "created", cat->id);
	cases_log(c, code, "gateway", "notified", ag[0]->id);
	snprintf(prio, sizeof(prio), "P%d", cat->priority);
	struct template_var av[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region", nc->region[0] != '\0' ? nc->region : "-" },
		{ "persons", persons } };
	cases_tell_agency(c, ag[0], "agency_notify", av, 5);
	cases_event(c, cat->id, "created");
	return 0;
}

/* HELP with a category: a new relief case, routed and notified. */
static int
cases_help(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_agency *ag;
	struct cases_new nc;
	char shown[CODE_LEN + 2], buf[32], day[32], kw[200];
	long long day_cases;

	if (cmd->category[0] == '\0') {
		cases_keywords(c, kw, sizeof(kw));
		struct template_var v[] = { { "keywords", kw } };
		cases_reply(c, "ask_category", v, 1, 1);
		return 0;
	}
	cases_ll(day, sizeof(day), c->now / 86400000);
	day_cases = strcmp(cases_hv(c->num, "day"), day) == 0
	    ? cases_hv_ll(c->num, "day_cases")
	    : 0;
	if (!c->staff && day_cases >= c->cfg->limits.cases_per_day) {
		cases_ll(buf, sizeof(buf), c->cfg->limits.cases_per_day);
		struct template_var v[] = { { "count", buf } };
		cases_count(c, "hbmgw_cases_limited_total", "", 1, 0);
		cases_reply(c, "limit", v, 1, 0);
		return 0;
	}
	memset(&nc, 0, sizeof(nc));
	nc.cat = route_category(c->cfg, cmd->category);
	nc.kind = "relief";
	nc.region = "";
	nc.persons = 1;
	nc.note = cmd->text;
	nc.phone = c->sealed;
	nc.num = c->hash;
	/* Asking for help from a number is consent to be called back on it
	 * by the agency that takes the case; STOP withdraws it. */
	nc.consent = "1";
	nc.official = "";
	if (cases_create(c, &nc, shown, &ag, cause) == -1)
		return -1;
	cases_ll(buf, sizeof(buf), day_cases + 1);
	apply_hset(c->a, c->numkey, "day", day);
	apply_hset(c->a, c->numkey, "day_cases", buf);
	struct template_var mv[] = { { "code", shown },
		{ "label", nc.cat->sms_label } };
	cases_reply(c, "received", mv, 2, 0);
	return 0;
}

/*
 * REF <category> [phone] [persons] from an official: a referral in the
 * official's region. The migrant, when a phone is given, gets the code;
 * with no consent step by SMS, the agency never gets the number.
 */
static int
cases_ref(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_official *off;
	const struct cfg_agency *ag;
	struct cases_new nc;
	char shown[CODE_LEN + 2], e164[PHONE_MAX], hash[CRYPTO_SHA256_HEX];
	char persons[8], *sealed = NULL, *text;
	const char *why, *ch;

	off = route_official_by_phone(c->cfg, c->e164);
	if (off == NULL || cmd->category[0] == '\0' || cmd->persons == 0) {
		cases_unknown(c);
		return 0;
	}
	memset(&nc, 0, sizeof(nc));
	nc.cat = route_category(c->cfg, cmd->category);
	nc.kind = "referral";
	nc.region = off->region != NULL ? off->region : "";
	nc.persons = cmd->persons;
	nc.note = "";
	nc.phone = "";
	nc.num = "";
	nc.consent = "0";
	nc.official = c->hash;
	if (cmd->phone[0] != '\0') {
		if (phone_normalise(cmd->phone, c->cfg->gateway.country_code,
			e164, &why) == -1) {
			cases_unknown(c);
			return 0;
		}
		sealed = crypto_seal(c->key, e164, strlen(e164));
		crypto_phone_hash(c->key, e164, hash);
		nc.phone = sealed;
		nc.num = hash;
	}
	if (cases_create(c, &nc, shown, &ag, cause) == -1) {
		free(sealed);
		return -1;
	}
	snprintf(persons, sizeof(persons), "%d", cmd->persons);
	struct template_var v[] = { { "code", shown },
		{ "label", nc.cat->sms_label }, { "agency", ag->name },
		{ "persons", persons } };
	cases_reply(c, "ref_issued", v, 4, 0);
	if (sealed != NULL &&
	    (text = template_render(c->cfg, c->lang, "ref_issued", v, 4)) !=
		NULL) {
		ch = outbox_pick_channel(c->cfg, e164, NULL);
		apply_sms(
		    c->a, sealed, hash, text, ch != NULL ? ch : "", "notify");
		free(text);
	}
	free(sealed);
	return 0;
}

/*
 * Answer a malformed or missing code: "check the code" for a wrong check
 * digit, the short help otherwise. Returns 1 when it answered.
 */
static int
cases_bad_code(struct cases_ctx *c, const struct sms_cmd *cmd)
{
	char shown[CODE_LEN + 2], kw[200];

	if (cmd->code_status == CODE_BAD_CHECK) {
		code_format(cmd->code, shown);
		struct template_var v[] = { { "code", shown } };
		cases_reply(c, "check_code", v, 1, 0);
		return 1;
	}
	if (cmd->code_status == CODE_NONE) {
		cases_keywords(c, kw, sizeof(kw));
		struct template_var v[] = { { "keywords", kw } };
		cases_reply(c, "unknown", v, 1, 0);
		return 1;
	}
	return 0;
}

static void
cases_not_found(struct cases_ctx *c, const char *code)
{
	char shown[CODE_LEN + 2];

	code_format(code, shown);
	struct template_var v[] = { { "code", shown } };
	cases_reply(c, "not_found", v, 1, 0);
}

/* CODE <code>, or STATUS <code>: what the case is and where it stands. */
static int
cases_code(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct store_reply *cs = NULL;
	const struct cfg_category *cat;
	char key[CASES_KEY_MAX], shown[CODE_LEN + 2];

	if (cases_bad_code(c, cmd))
		return 0;
	cases_casekey(key, cmd->code, "");
	if (cases_hgetall(c->st, key, &cs, cause) == -1)
		return -1;
	if (cs->elements == 0 ||
	    (cat = cases_category(c->cfg, cases_hv(cs, "category"))) == NULL) {
		cases_not_found(c, cmd->code);
		store_reply_free(cs);
		return 0;
	}
	code_format(cmd->code, shown);
	struct template_var v[] = {
		{ "code", shown }, { "label", cat->sms_label },
		{ "agency", cases_agency_name(c->cfg, cases_hv(cs, "agency")) },
		{ "status", cases_status_word(c->lang, cases_hv(cs, "status")) }
	};
	cases_reply(c, "code_info", v, 4, 0);
	store_reply_free(cs);
	return 0;
}

/* STATUS without a code: the sender's latest cases. */
static int
cases_status(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct store_reply *codes, *cs;
	char key[CASES_KEY_MAX], shown[CODE_LEN + 2], list[160], count[16];
	size_t i, off = 0;

	if (cmd->code_status != CODE_NONE)
		return cases_code(c, cmd, cause);
	snprintf(key, sizeof(key), "{hbm}:num:%s:cases", c->hash);
	codes = store_commandl(c->st, cause, "ZREVRANGE", key, "0", "3", NULL);
	if (codes == NULL)
		return -1;
	list[0] = '\0';
	for (i = 0; codes->type == STORE_ARRAY && i < codes->elements; i++) {
		cases_casekey(key, codes->element[i]->str, "");
		if (cases_hgetall(c->st, key, &cs, cause) == -1) {
			store_reply_free(codes);
			return -1;
		}
		code_format(codes->element[i]->str, shown);
		if (cs->elements > 0 && off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%s %s", off > 0 ? "; " : "", shown,
			    cases_status_word(c->lang, cases_hv(cs, "status")));
		store_reply_free(cs);
	}
	snprintf(count, sizeof(count), "%zu",
	    codes->type == STORE_ARRAY ? codes->elements : 0);
	store_reply_free(codes);
	if (list[0] == '\0') {
		cases_reply(c, "status_none", NULL, 0, 0);
		return 0;
	}
	struct template_var v[] = { { "cases", list }, { "count", count } };
	cases_reply(c, "status", v, 2, 0);
	return 0;
}

/* STOP: opt out, one confirmation, the number leaves open cases. */
static int
cases_stop(struct cases_ctx *c, char **cause)
{
	struct store_reply *codes;
	char key[CASES_KEY_MAX];
	size_t i;

	if (c->optout)
		return 0; /* already out: silence */
	snprintf(key, sizeof(key), "{hbm}:num:%s:cases", c->hash);
	if ((codes = store_commandl(
		 c->st, cause, "ZRANGE", key, "0", "-1", NULL)) == NULL)
		return -1;
	for (i = 0; codes->type == STORE_ARRAY && i < codes->elements; i++) {
		cases_casekey(key, codes->element[i]->str, "");
		apply_hset(c->a, key, "phone", "");
		apply_hset(c->a, key, "consent", "0");
		cases_log(
		    c, codes->element[i]->str, "migrant", "opted out", NULL);
	}
	store_reply_free(codes);
	apply_hset(c->a, c->numkey, "optout", "1");
	cases_reply(c, "stop_confirm", NULL, 0, 1);
	c->optout = 1;
	return 0;
}

/* Read the case CODE for an agency command; NULL when not this agency's. */
static struct store_reply *
cases_agency_case(struct cases_ctx *c, const char *code, char **cause, int *err)
{
	struct store_reply *cs = NULL;
	char key[CASES_KEY_MAX];

	*err = 0;
	cases_casekey(key, code, "");
	if (cases_hgetall(c->st, key, &cs, cause) == -1) {
		*err = 1;
		return NULL;
	}
	/* Another agency's case does not exist, as far as this one knows. */
	if (cs->elements == 0 || c->agency == NULL ||
	    strcmp(cases_hv(cs, "agency"), c->agency->id) != 0 ||
	    route_category(c->cfg, cases_hv(cs, "category")) == NULL) {
		store_reply_free(cs);
		cases_not_found(c, code);
		return NULL;
	}
	apply_guard(c->a, key, "ver", cases_hv(cs, "ver"));
	apply_hincr(c->a, key, "ver", 1);
	return cs;
}

/* Tell the migrant of case CS (if reachable) with template NAME. */
static void
cases_tell_migrant(struct cases_ctx *c, const struct store_reply *cs,
    const char *name, const struct template_var *v, size_t n, char **cause)
{
	struct store_reply *num = NULL;
	char key[CASES_KEY_MAX], *plain = NULL, *text;
	const char *lang, *ch;
	size_t len;

	if (cases_hv(cs, "phone")[0] == '\0')
		return;
	cases_numkey(key, cases_hv(cs, "num"));
	if (cases_hgetall(c->st, key, &num, cause) == -1) {
		free(*cause);
		*cause = NULL;
	}
	if (num != NULL && strcmp(cases_hv(num, "optout"), "1") == 0) {
		store_reply_free(num);
		return;
	}
	lang = cases_hv(num, "lang")[0] != '\0' ? cases_hv(num, "lang")
						: cases_hv(cs, "lang");
	if (crypto_open(c->key, cases_hv(cs, "phone"), &plain, &len, cause) ==
	    -1) {
		log_warnx("cases: case %s: %s", cases_hv(cs, "code"), *cause);
		free(*cause);
		*cause = NULL;
		store_reply_free(num);
		return;
	}
	if ((text = template_render(c->cfg, lang, name, v, n)) != NULL) {
		ch = outbox_pick_channel(c->cfg, plain, NULL);
		apply_sms(c->a, cases_hv(cs, "phone"), cases_hv(cs, "num"),
		    text, ch != NULL ? ch : "", "notify");
		free(text);
	}
	free(plain);
	store_reply_free(num);
}

/* ACK <code> from the agency the case is with. */
static int
cases_ack(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_category *cat;
	struct store_reply *cs;
	char key[CASES_KEY_MAX], shown[CODE_LEN + 2], buf[32], *phone = NULL;
	size_t len;
	int err;

	if (cases_bad_code(c, cmd))
		return 0;
	if ((cs = cases_agency_case(c, cmd->code, cause, &err)) == NULL)
		return err ? -1 : 0;
	cat = route_category(c->cfg, cases_hv(cs, "category"));
	code_format(cmd->code, shown);
	cases_casekey(key, cmd->code, "");
	if (strcmp(cases_hv(cs, "status"), "notified") == 0) {
		apply_hset(c->a, key, "status", "acknowledged");
		cases_ll(buf, sizeof(buf), c->now);
		apply_hset(c->a, key, "acked_ms", buf);
		apply_hset(c->a, key, "updated_ms", buf);
		apply_zrem(c->a, "{hbm}:sla", cmd->code);
		cases_log(c, cmd->code, c->agency->id, "acknowledged", NULL);
		struct template_var mv[] = { { "code", shown },
			{ "label", cat->sms_label },
			{ "agency", c->agency->name } };
		cases_tell_migrant(c, cs, "acked_migrant", mv, 3, cause);
		cases_event(c, cat->id, "acknowledged");
		cases_count(c, "hbmgw_ack_latency_seconds", "",
		    (double)(c->now - cases_hv_ll(cs, "created_ms")) / 1000.0,
		    1);
	} else if (strcmp(cases_hv(cs, "status"), "acknowledged") != 0) {
		cases_not_found(c, cmd->code);
		store_reply_free(cs);
		return 0;
	}
	/* The number goes only to the agency that took it, with consent. */
	if (strcmp(cases_hv(cs, "consent"), "1") == 0 &&
	    cases_hv(cs, "phone")[0] != '\0' &&
	    crypto_open(c->key, cases_hv(cs, "phone"), &phone, &len, cause) ==
		-1) {
		free(*cause);
		*cause = NULL;
		phone = NULL;
	}
	struct template_var av[] = { { "code", shown },
		{ "label", cat->sms_label },
		{ "persons", cases_hv(cs, "persons") }, { "phone", phone } };
	cases_reply(
	    c, phone != NULL ? "ack_confirm" : "ack_confirm_nophone", av, 4, 0);
	free(phone);
	store_reply_free(cs);
	return 0;
}

/* DECLINE <code> [reason]: the next agency, or the coordinator. */
static int
cases_decline(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_category *cat;
	const struct cfg_agency *next;
	struct store_reply *cs;
	char key[CASES_KEY_MAX], okey[CASES_KEY_MAX], shown[CODE_LEN + 2];
	char buf[32], prio[8], tried[512], *ids[32], *save = NULL, *t;
	const char *tried_ids[32];
	size_t ntried = 0, i;
	int err;

	if (cases_bad_code(c, cmd))
		return 0;
	if ((cs = cases_agency_case(c, cmd->code, cause, &err)) == NULL)
		return err ? -1 : 0;
	if (strcmp(cases_hv(cs, "status"), "closed") == 0) {
		cases_not_found(c, cmd->code);
		store_reply_free(cs);
		return 0;
	}
	cat = route_category(c->cfg, cases_hv(cs, "category"));
	code_format(cmd->code, shown);
	cases_casekey(key, cmd->code, "");
	snprintf(tried, sizeof(tried), "%s%s%s", cases_hv(cs, "tried"),
	    cases_hv(cs, "tried")[0] != '\0' ? "," : "", c->agency->id);
	apply_hset(c->a, key, "tried", tried);
	for (t = strtok_r(tried, ",", &save); t != NULL && ntried < 32;
	     t = strtok_r(NULL, ",", &save))
		ids[ntried++] = t;
	for (i = 0; i < ntried; i++)
		tried_ids[i] = ids[i];
	next = route_next(
	    c->cfg, cat->id, cases_hv(cs, "region"), tried_ids, ntried);
	snprintf(okey, sizeof(okey), "{hbm}:agency:%s:open", c->agency->id);
	apply_zrem(c->a, okey, cmd->code);
	cases_log(c, cmd->code, c->agency->id, "declined", cmd->text);
	snprintf(prio, sizeof(prio), "P%s", cases_hv(cs, "priority"));
	struct template_var nv[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region",
		    cases_hv(cs, "region")[0] != '\0' ? cases_hv(cs, "region")
						      : "-" },
		{ "persons", cases_hv(cs, "persons") },
		{ "agency", c->agency->name }, { "reason", cmd->text } };
	apply_hset(c->a, key, "status", "notified");
	apply_hset(c->a, key, "stage", "0");
	if (next != NULL) {
		apply_hset(c->a, key, "agency", next->id);
		snprintf(okey, sizeof(okey), "{hbm}:agency:%s:open", next->id);
		apply_zadd(c->a, okey,
		    (double)cat->priority * 1e13 +
			(double)cases_hv_ll(cs, "created_ms"),
		    cmd->code);
		apply_zadd(c->a, "{hbm}:sla",
		    (double)(c->now + cat->ack_timeout * 1000LL), cmd->code);
		cases_log(c, cmd->code, "gateway", "notified", next->id);
		cases_tell_agency(c, next, "agency_notify", nv, 5);
	} else {
		/* Nobody is left: the coordinator takes it over. */
		apply_hset(c->a, key, "agency", "");
		apply_hset(c->a, key, "escalated", "1");
		apply_zrem(c->a, "{hbm}:sla", cmd->code);
		cases_log(
		    c, cmd->code, "gateway", "escalated", "no agency left");
		for (i = 0; i < c->cfg->coordinator_phones.n; i++) {
			char *text = template_render(c->cfg,
			    c->cfg->gateway.languages.v[0], "escalated", nv, 7);
			if (text != NULL)
				cases_send_plain(c,
				    c->cfg->coordinator_phones.v[i], text,
				    "notify");
			free(text);
		}
		cases_event(c, cat->id, "escalated");
		cases_count(
		    c, "hbmgw_escalations_total", "reason=\"declined\"", 1, 0);
	}
	cases_ll(buf, sizeof(buf), c->now);
	apply_hset(c->a, key, "updated_ms", buf);
	struct template_var dv[] = { { "code", shown },
		{ "reason", cmd->text } };
	cases_reply(c, "declined", dv, 2, 0);
	store_reply_free(cs);
	return 0;
}

/* CLOSE <code> [note]. */
static int
cases_close(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct store_reply *cs;
	char key[CASES_KEY_MAX], shown[CODE_LEN + 2], buf[CASES_KEY_MAX];
	int err;

	if (cases_bad_code(c, cmd))
		return 0;
	if ((cs = cases_agency_case(c, cmd->code, cause, &err)) == NULL)
		return err ? -1 : 0;
	code_format(cmd->code, shown);
	if (strcmp(cases_hv(cs, "status"), "closed") != 0) {
		cases_casekey(key, cmd->code, "");
		apply_hset(c->a, key, "status", "closed");
		cases_ll(buf, sizeof(buf), c->now);
		apply_hset(c->a, key, "closed_ms", buf);
		apply_hset(c->a, key, "updated_ms", buf);
		apply_zrem(c->a, "{hbm}:sla", cmd->code);
		snprintf(
		    buf, sizeof(buf), "{hbm}:agency:%s:open", c->agency->id);
		apply_zrem(c->a, buf, cmd->code);
		apply_zadd(c->a, "{hbm}:closed", (double)c->now, cmd->code);
		cases_log(c, cmd->code, c->agency->id, "closed", cmd->text);
		cases_event(c, cases_hv(cs, "category"), "closed");
	}
	struct template_var v[] = { { "code", shown }, { "note", cmd->text } };
	cases_reply(c, "closed", v, 2, 0);
	store_reply_free(cs);
	return 0;
}

/* LIST: the agency's open cases, most urgent first, in one SMS. */
static int
cases_list(struct cases_ctx *c, char **cause)
{
	struct store_reply *codes, *cs;
	const struct cfg_category *cat;
	char key[CASES_KEY_MAX], shown[CODE_LEN + 2], list[200], count[16];
	size_t i, off = 0;

	if (c->agency == NULL) {
		cases_reply(c, "unknown", NULL, 0, 0);
		return 0;
	}
	snprintf(key, sizeof(key), "{hbm}:agency:%s:open", c->agency->id);
	if ((codes = store_commandl(
		 c->st, cause, "ZRANGE", key, "0", "-1", NULL)) == NULL)
		return -1;
	list[0] = '\0';
	for (i = 0; codes->type == STORE_ARRAY && i < codes->elements &&
	     i < CASES_LIST_MAX;
	     i++) {
		cases_casekey(key, codes->element[i]->str, "");
		if (cases_hgetall(c->st, key, &cs, cause) == -1) {
			store_reply_free(codes);
			return -1;
		}
		cat = route_category(c->cfg, cases_hv(cs, "category"));
		code_format(codes->element[i]->str, shown);
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%s P%s %s", off > 0 ? "; " : "", shown,
			    cases_hv(cs, "priority"),
			    cat != NULL ? cat->sms_label : "-");
		store_reply_free(cs);
	}
	snprintf(count, sizeof(count), "%zu",
	    codes->type == STORE_ARRAY ? codes->elements : 0);
	store_reply_free(codes);
	struct template_var v[] = { { "cases", list }, { "count", count },
		{ "agency", c->agency->name } };
	cases_reply(c, "list", v, 3, 0);
	return 0;
}

/* Decide CMD for the sender whose number record is loaded into C. */
static int
cases_decide(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	int agency_cmd = cmd->kind == SMS_ACK || cmd->kind == SMS_DECLINE ||
	    cmd->kind == SMS_CLOSE || cmd->kind == SMS_LIST;

	if (agency_cmd && c->agency == NULL) {
		cases_unknown(c);
		return 0;
	}
	switch (cmd->kind) {
	case SMS_HELP:
		/* A new request opts in again. */
		if (c->optout)
			apply_hset(c->a, c->numkey, "optout", "0");
		c->optout = 0;
		return cases_help(c, cmd, cause);
	case SMS_CODE:
		return cases_code(c, cmd, cause);
	case SMS_STATUS:
		return cases_status(c, cmd, cause);
	case SMS_STOP:
		return cases_stop(c, cause);
	case SMS_START:
		if (!c->optout)
			return 0;
		apply_hset(c->a, c->numkey, "optout", "0");
		c->optout = 0;
		cases_reply(c, "start_confirm", NULL, 0, 1);
		return 0;
	case SMS_ACK:
		return cases_ack(c, cmd, cause);
	case SMS_DECLINE:
		return cases_decline(c, cmd, cause);
	case SMS_CLOSE:
		return cases_close(c, cmd, cause);
	case SMS_LIST:
		return cases_list(c, cause);
	case SMS_REF:
		return cases_ref(c, cmd, cause);
	case SMS_UNKNOWN:
		cases_unknown(c);
		return 0;
	}
	return 0;
}

/* Load the sender's number record and fix the reply language. */
static int
cases_load_sender(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	char hour[32];

	cases_numkey(c->numkey, c->hash);
	if (cases_hgetall(c->st, c->numkey, &c->num, cause) == -1)
		return -1;
	apply_guard(c->a, c->numkey, "ver", cases_hv(c->num, "ver"));
	apply_hincr(c->a, c->numkey, "ver", 1);
	apply_expire(
	    c->a, c->numkey, (long long)c->cfg->privacy.retention_days * 86400);
	c->optout = strcmp(cases_hv(c->num, "optout"), "1") == 0;
	cases_ll(hour, sizeof(hour), c->now / 3600000);
	c->hour_replies = strcmp(cases_hv(c->num, "hour"), hour) == 0
	    ? cases_hv_ll(c->num, "hour_replies")
	    : 0;
	if (cmd->lang[0] != '\0') {
		snprintf(c->lang, sizeof(c->lang), "%s", cmd->lang);
		if (strcmp(cases_hv(c->num, "lang"), cmd->lang) != 0)
			apply_hset(c->a, c->numkey, "lang", cmd->lang);
	} else if (cases_hv(c->num, "lang")[0] != '\0')
		snprintf(
		    c->lang, sizeof(c->lang), "%s", cases_hv(c->num, "lang"));
	else
		snprintf(c->lang, sizeof(c->lang), "%s",
		    c->cfg->gateway.languages.v[0]);
	return 0;
}

int
cases_handle(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const struct crypto_key *key,
    const struct cases_msg *m, char **cause)
{
	struct cases_ctx c;
	struct sms_cmd cmd;
	enum apply_result res = APPLY_CONFLICT;
	char *plain = NULL;
	size_t len;
	int tries, rc = 0;

	if (strcmp(m->sender, "phone") != 0) {
		/* Never answer sender names or short codes: no reply loops. */
		metrics_add(
		    "hbmgw_inbox_ignored_total", "reason=\"sender\"", 1);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	if (crypto_open(key, m->from_sealed, &plain, &len, cause) == -1 ||
	    len >= sizeof(c.e164)) {
		log_warnx(
		    "cases: entry %s: sender unreadable, dropped", m->entry_id);
		free(*cause);
		*cause = NULL;
		free(plain);
		return 0;
	}
	memcpy(c.e164, plain, len + 1);
	free(plain);
	sms_parse(lex, m->text, &cmd);
	c.st = st;
	c.cfg = cfg;
	c.key = key;
	c.lex = lex;
	c.opid = m->entry_id;
	c.sealed = m->from_sealed;
	c.hash = m->from_hash;
	c.agency = route_agency_by_phone(cfg, c.e164);
	c.staff = c.agency != NULL ||
	    route_official_by_phone(cfg, c.e164) != NULL ||
	    route_is_coordinator(cfg, c.e164);
	for (tries = 0; tries < CASES_TRIES && res == APPLY_CONFLICT; tries++) {
		c.now = clock_wall_ms();
		c.a = apply_new(m->entry_id, c.now);
		c.num = NULL;
		if ((rc = cases_load_sender(&c, &cmd, cause)) == 0 &&
		    (rc = cases_decide(&c, &cmd, cause)) == 0) {
			res = apply_run(st, c.a,
			    (long long)cfg->privacy.message_days * 86400,
			    cause);
			if (res == APPLY_ERROR)
				rc = -1;
			else if (res == APPLY_OK)
				cases_flush_metrics(&c);
		}
		apply_free(c.a);
		store_reply_free(c.num);
		c.nmetrics = 0;
		if (rc == -1)
			return -1;
	}
	if (res == APPLY_CONFLICT) {
		xasprintf(cause,
		    "cases: entry %s: still conflicting after %d "
		    "tries",
		    m->entry_id, CASES_TRIES);
		return -1;
	}
	return 0;
}

/* Build the SLA step for the case CS; 1 when there is something to do. */
static int
cases_sla_decide(
    struct cases_ctx *c, const char *code, const struct store_reply *cs)
{
	const struct cfg_category *cat;
	const struct cfg_agency *ag;
	char key[CASES_KEY_MAX], shown[CODE_LEN + 2], prio[8], buf[32], *text;
	long long stage = cases_hv_ll(cs, "stage");
	size_t i;

	cat = route_category(c->cfg, cases_hv(cs, "category"));
	if (cat == NULL || strcmp(cases_hv(cs, "status"), "notified") != 0 ||
	    stage >= 2) {
		apply_zrem(c->a, "{hbm}:sla", code);
		return 1;
	}
	cases_casekey(key, code, "");
	apply_guard(c->a, key, "ver", cases_hv(cs, "ver"));
	apply_hincr(c->a, key, "ver", 1);
	code_format(code, shown);
	snprintf(prio, sizeof(prio), "P%d", cat->priority);
	ag = cfg_agency_find(c->cfg, cases_hv(cs, "agency"));
	struct template_var v[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region",
		    cases_hv(cs, "region")[0] != '\0' ? cases_hv(cs, "region")
						      : "-" },
		{ "persons", cases_hv(cs, "persons") },
		{ "agency", ag != NULL ? ag->name : "-" },
		{ "reason", "no acknowledgement" } };
	if (stage == 0 && ag != NULL) {
		/* Once again to the agency, then the coordinator. */
		cases_tell_agency(c, ag, "agency_renotify", v, 5);
		apply_hset(c->a, key, "stage", "1");
		cases_ll(buf, sizeof(buf), c->now + cat->ack_timeout * 1000LL);
		apply_hset(c->a, key, "due_ms", buf);
		apply_zadd(c->a, "{hbm}:sla",
		    (double)(c->now + cat->ack_timeout * 1000LL), code);
		cases_log(c, code, "gateway", "renotified", ag->id);
		cases_count(c, "hbmgw_renotifications_total", "", 1, 0);
		return 1;
	}
	text = template_render(
	    c->cfg, c->cfg->gateway.languages.v[0], "escalated", v, 7);
	for (i = 0; text != NULL && i < c->cfg->coordinator_phones.n; i++)
		cases_send_plain(
		    c, c->cfg->coordinator_phones.v[i], text, "notify");
	free(text);
	apply_hset(c->a, key, "stage", "2");
	apply_hset(c->a, key, "escalated", "1");
	apply_zrem(c->a, "{hbm}:sla", code);
	cases_log(c, code, "gateway", "escalated", "not acknowledged in time");
	cases_event(c, cat->id, "escalated");
	cases_count(c, "hbmgw_escalations_total", "reason=\"timeout\"", 1, 0);
	return 1;
}

int
cases_sla_step(struct store *st, const struct cfg *cfg,
    const struct crypto_key *key, const char *code, char **cause)
{
	struct cases_ctx c;
	struct store_reply *cs = NULL;
	enum apply_result res = APPLY_CONFLICT;
	char ckey[CASES_KEY_MAX], opid[96];
	int tries;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.cfg = cfg;
	c.key = key;
	cases_casekey(ckey, code, "");
	for (tries = 0; tries < CASES_TRIES && res == APPLY_CONFLICT; tries++) {
		if (cases_hgetall(st, ckey, &cs, cause) == -1)
			return -1;
		snprintf(opid, sizeof(opid), "sla:%s:%s:%s", code,
		    cases_hv(cs, "agency"), cases_hv(cs, "ver"));
		c.now = clock_wall_ms();
		c.a = apply_new(opid, c.now);
		cases_sla_decide(&c, code, cs);
		res = apply_run(st, c.a,
		    (long long)cfg->privacy.message_days * 86400, cause);
		if (res == APPLY_OK)
			cases_flush_metrics(&c);
		c.nmetrics = 0;
		apply_free(c.a);
		store_reply_free(cs);
		cs = NULL;
		if (res == APPLY_ERROR)
			return -1;
	}
	return res == APPLY_CONFLICT ? -1 : 0;
}
