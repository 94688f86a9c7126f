/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an agency does to its cases: ACK, DECLINE, CLOSE and LIST by SMS
 * from a registered phone, and ACK, DECLINE and CLOSE through the agency
 * API (cases_agency_act()), which run the same decisions with no sender to
 * answer; a note (for the agency's eyes only) and an SMS to the person
 * exist only through the API. A case with another agency is "not found",
 * whichever way asked. The coordinator's REASSIGN (CASES_REASSIGN) runs
 * through the same API path: it hands a case to another agency as DECLINE
 * hands it to the next (cases_hand_over()).
 *
 * The official who made a referral is told when an agency acknowledges,
 * declines or closes it. The case keeps only the official's number hash
 * (`official`); the number is found again by hashing the phones of the
 * configured officials, so an official removed from the config is no
 * longer told anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "handlers/caselist.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "handlers/route.h"
#include "handlers/sms.h"
#include "lib/template.h"
#include "store/case.h"

/*
 * Tell the official who referred case K, if one did and is still in the
 * config, with template NAME (code, label, and the agency acting).
 */
static void
cases_tell_official(
    struct cases_ctx *c, const struct store_case *k, const char *name)
{
	const struct cfg_category *cat;
	const char *h = k->official, *lang;
	char hash[CRYPTO_SHA256_HEX], shown[CODE_LEN + 2], *text;
	size_t i;

	if (*h == '\0' || (cat = route_category(c->cfg, k->category)) == NULL)
		return;
	for (i = 0; i < c->cfg->nofficials; i++) {
		crypto_phone_hash(c->key, c->cfg->officials[i].phone, hash);
		if (strcmp(hash, h) == 0)
			break;
	}
	if (i == c->cfg->nofficials)
		return;
	code_format(k->code, shown);
	lang = k->lang[0] != '\0' ? k->lang : c->cfg->gateway.languages.v[0];
	struct template_var v[] = { { "code", shown },
		{ "label", cfg_category_label(cat, lang) },
		{ "agency", c->agency->name } };
	if ((text = template_render(c->cfg, lang, name, v, 3)) == NULL)
		return;
	cases_send_plain(
	    c, k->code, "official", c->cfg->officials[i].phone, text, "notify");
	free(text);
}

/*
 * The case CODE for an agency command into *K: 0; 1 when it is not this
 * agency's (answered "not found"); CASES_NEED.
 */
static int
cases_agency_case(struct cases_ctx *c, const char *code, struct store_case *k)
{
	char key[KEY_MAX];
	int rc;

	if ((rc = cases_read_case(c, code, k)) != 0)
		return rc;
	/* Another agency's case does not exist, as far as this one knows. */
	if (!k->exists || c->agency == NULL ||
	    strcmp(k->agency, c->agency->id) != 0 ||
	    route_category(c->cfg, k->category) == NULL) {
		c->missing = 1;
		cases_not_found(c, code);
		return 1;
	}
	apply_guard_version(c->a, key_case(key, code), k->ver);
	return 0;
}

/*
 * Tell the migrant of case K (if reachable) with template NAME: 0, or
 * CASES_NEED.
 */
static int
cases_tell_migrant(struct cases_ctx *c, const struct store_case *k,
    const char *name, const struct template_var *v, size_t n)
{
	struct store_num num;
	char *text;
	const char *lang;
	int rc;

	if (k->phone[0] == '\0')
		return 0;
	if ((rc = cases_read_num(c, k->num, &num)) != 0)
		return rc;
	if (num.optout)
		return 0;
	lang = num.lang[0] != '\0' ? num.lang : k->lang;
	if ((text = template_render(c->cfg, lang, name, v, n)) != NULL) {
		cases_sms(
		    c, k->code, "migrant", k->phone, k->num, text, "notify");
		free(text);
	}
	return 0;
}

/* ACK <code> from the agency the case is with. */
int
cases_ack(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_category *cat;
	const struct store_reply *opened;
	struct store_case k;
	char key[KEY_MAX], shown[CODE_LEN + 2], buf[32], persons[24];
	const char *phone = NULL;
	int rc;

	(void)cause;
	if (cases_bad_code(c, cmd))
		return 0;
	if ((rc = cases_agency_case(c, cmd->code, &k)) != 0)
		return rc == 1 ? 0 : rc;
	cat = route_category(c->cfg, k.category);
	code_format(cmd->code, shown);
	key_case(key, cmd->code);
	if (strcmp(k.status, CASE_NOTIFIED) == 0) {
		apply_hset(c->a, key, "status", CASE_ACKNOWLEDGED);
		cases_ll(buf, sizeof(buf), c->now);
		apply_hset(c->a, key, "acked_ms", buf);
		apply_hset(c->a, key, "updated_ms", buf);
		apply_zrem(c->a, KEY_SLA, cmd->code);
		cases_log(c, cmd->code, c->agency->id, "acknowledged", NULL);
		struct template_var mv[] = { { "code", shown },
			{ "label", cfg_category_label(cat, k.lang) },
			{ "agency", c->agency->name } };
		if (cases_tell_migrant(c, &k, "acked_migrant", mv, 3) ==
		    CASES_NEED)
			return CASES_NEED;
		cases_tell_official(c, &k, "ref_acked");
		cases_event(c, cat->id, "acknowledged");
		cases_count(c, "hbmgw_ack_latency_seconds", "",
		    (double)(c->now - k.created_ms) / 1000.0, 1);
	} else if (strcmp(k.status, CASE_ACKNOWLEDGED) != 0) {
		c->refused = 1;
		cases_not_found(c, cmd->code);
		return 0;
	}
	/* The number goes only to the agency that took it, with consent. */
	if (k.consent && k.phone[0] != '\0') {
		if (cases_read(c, &opened, CASES_READ_OPEN, k.phone, NULL) != 0)
			return CASES_NEED;
		if (opened->elements == 1)
			phone = opened->element[0]->str;
	}
	snprintf(persons, sizeof(persons), "%lld", k.persons);
	struct template_var av[] = { { "code", shown },
		{ "label", cat->sms_label }, { "persons", persons },
		{ "phone", phone } };
	cases_reply_case(c, cmd->code,
	    phone != NULL ? "ack_confirm" : "ack_confirm_nophone", av, 4);
	return 0;
}

/*
 * Case K of category CAT to agency AG, whose status the caller sets to
 * notified: in AG's open list, with
 * AG's own deadline in the case as in the SLA index, logged, and AG's
 * phones told with agency_notify and the first five of NV (code, label,
 * priority, region, persons). Leaving the previous agency is the caller's.
 */
static void
cases_hand_over(struct cases_ctx *c, const struct store_case *k,
    const struct cfg_category *cat, const struct cfg_agency *ag,
    const struct template_var *nv)
{
	char key[KEY_MAX], okey[KEY_MAX], buf[32];
	long long due = c->now + cat->ack_timeout * 1000LL;

	key_case(key, k->code);
	apply_hset(c->a, key, "agency", ag->id);
	key_agency_open(okey, ag->id);
	apply_zadd(c->a, okey, cases_open_score(cat->priority, k->created_ms),
	    k->code);
	cases_ll(buf, sizeof(buf), due);
	apply_hset(c->a, key, "due_ms", buf);
	apply_zadd(c->a, KEY_SLA, (double)due, k->code);
	cases_log(c, k->code, "gateway", "notified", ag->id);
	cases_tell_agency(c, k->code, ag, "agency_notify", nv, 5);
}

/* DECLINE <code> [reason]: the next agency, or the coordinator. */
int
cases_decline(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_category *cat;
	const struct cfg_agency *next;
	struct store_case k;
	char key[KEY_MAX], okey[KEY_MAX], shown[CODE_LEN + 2];
	char buf[32], prio[24], persons[24], tried[512], *ids[32];
	char *save = NULL, *t;
	const char *tried_ids[32];
	size_t ntried = 0, i;
	int rc;

	(void)cause;
	if (cases_bad_code(c, cmd))
		return 0;
	if ((rc = cases_agency_case(c, cmd->code, &k)) != 0)
		return rc == 1 ? 0 : rc;
	if (strcmp(k.status, CASE_CLOSED) == 0) {
		c->refused = 1;
		cases_not_found(c, cmd->code);
		return 0;
	}
	cat = route_category(c->cfg, k.category);
	code_format(cmd->code, shown);
	key_case(key, cmd->code);
	snprintf(tried, sizeof(tried), "%s%s%s", k.tried,
	    k.tried[0] != '\0' ? "," : "", c->agency->id);
	apply_hset(c->a, key, "tried", tried);
	for (t = strtok_r(tried, ",", &save); t != NULL && ntried < 32;
	     t = strtok_r(NULL, ",", &save))
		ids[ntried++] = t;
	for (i = 0; i < ntried; i++)
		tried_ids[i] = ids[i];
	next = route_next(c->cfg, cat->id, k.region, tried_ids, ntried);
	key_agency_open(okey, c->agency->id);
	apply_zrem(c->a, okey, cmd->code);
	cases_log_text(c, cmd->code, c->agency->id, "declined", cmd->text);
	snprintf(prio, sizeof(prio), "P%lld", k.priority);
	snprintf(persons, sizeof(persons), "%lld", k.persons);
	struct template_var nv[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region", k.region[0] != '\0' ? k.region : "-" },
		{ "persons", persons }, { "agency", c->agency->name },
		{ "reason", cmd->text } };
	cases_tell_official(c, &k, "ref_declined");
	apply_hset(c->a, key, "status", CASE_NOTIFIED);
	apply_hset(c->a, key, "stage", "0");
	if (next != NULL)
		cases_hand_over(c, &k, cat, next, nv);
	else {
		/* Nobody is left: the coordinator takes it over. */
		apply_hset(c->a, key, "agency", "");
		apply_hset(c->a, key, "escalated", "1");
		apply_zrem(c->a, KEY_SLA, cmd->code);
		cases_log(
		    c, cmd->code, "gateway", "escalated", "no agency left");
		for (i = 0; i < c->cfg->coordinator_phones.n; i++) {
			char *text = template_render(c->cfg,
			    c->cfg->gateway.languages.v[0], "escalated", nv, 7);
			if (text != NULL)
				cases_send_plain(c, cmd->code, "coordinator",
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
	/* The decliner is told where the case went: on, or to the
	 * coordinator. */
	cases_reply_case(
	    c, cmd->code, next != NULL ? "declined" : "declined_last", dv, 2);
	return 0;
}

/* CLOSE <code> [note]. */
int
cases_close(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct store_case k;
	char key[KEY_MAX], shown[CODE_LEN + 2], buf[KEY_MAX];
	int rc;

	(void)cause;
	if (cases_bad_code(c, cmd))
		return 0;
	if ((rc = cases_agency_case(c, cmd->code, &k)) != 0)
		return rc == 1 ? 0 : rc;
	code_format(cmd->code, shown);
	if (strcmp(k.status, CASE_CLOSED) != 0) {
		key_case(key, cmd->code);
		apply_hset(c->a, key, "status", CASE_CLOSED);
		cases_ll(buf, sizeof(buf), c->now);
		apply_hset(c->a, key, "closed_ms", buf);
		apply_hset(c->a, key, "updated_ms", buf);
		apply_zrem(c->a, KEY_SLA, cmd->code);
		key_agency_open(buf, c->agency->id);
		apply_zrem(c->a, buf, cmd->code);
		apply_zadd(c->a, KEY_CLOSED, (double)c->now, cmd->code);
		cases_log_text(
		    c, cmd->code, c->agency->id, "closed", cmd->text);
		cases_event(c, k.category, "closed");
		cases_tell_official(c, &k, "ref_closed");
	}
	struct template_var v[] = { { "code", shown }, { "note", cmd->text } };
	cases_reply_case(c, cmd->code, "closed", v, 2);
	return 0;
}

/* The end of a LIST cut short: "+N more" in the agency's language. */
static char *
cases_list_more(size_t left, void *arg)
{
	const struct cases_ctx *c = arg;
	char count[24];

	snprintf(count, sizeof(count), "%zu", left);
	struct template_var v[] = { { "count", count } };
	return template_render(c->cfg, c->lang, "list_more", v, 1);
}

/*
 * LIST: the agency's open cases, most urgent first, in one SMS: as many
 * as fit (at most CASES_LIST_MAX), and how many more there are.
 */
int
cases_list(struct cases_ctx *c, char **cause)
{
	const struct store_reply *codes;
	const struct cfg_category *cat;
	struct store_case k;
	char key[KEY_MAX], shown[CODE_LEN + 2], list[CASES_LIST_BYTES];
	char items[CASES_LIST_MAX][CASES_ITEM_MAX], count[16];
	const char *itemv[CASES_LIST_MAX];
	size_t i, n = 0, total;
	int rc;

	(void)cause;
	if (c->agency == NULL) {
		cases_reply(c, "unknown", NULL, 0, 0);
		return 0;
	}
	key_agency_open(key, c->agency->id);
	if ((rc = cases_read(c, &codes, "ZRANGE", key, "0", "-1", NULL)) != 0)
		return rc;
	total = codes->elements;
	for (i = 0; i < total && i < CASES_LIST_MAX; i++)
		if (cases_read_case(c, codes->element[i]->str, &k) != 0)
			rc = CASES_NEED;
	if (rc != 0)
		return rc;
	for (i = 0; i < total && n < CASES_LIST_MAX; i++) {
		cases_read_case(c, codes->element[i]->str, &k);
		cat = route_category(c->cfg, k.category);
		code_format(codes->element[i]->str, shown);
		snprintf(items[n], sizeof(items[n]), "%s P%lld %s", shown,
		    k.priority, cat != NULL ? cat->sms_label : "-");
		itemv[n] = items[n];
		n++;
	}
	caselist_join(list, sizeof(list), itemv, n, total, cases_list_more, c);
	snprintf(count, sizeof(count), "%zu", total);
	struct template_var v[] = { { "cases", list }, { "count", count },
		{ "agency", c->agency->name } };
	cases_reply(c, "list", v, 3, 0);
	return 0;
}

/*
 * NOTE <code> <text> through the API: a history entry for the agency's
 * eyes only (GET /v1/cases/{code} shows "note" entries to the agency that
 * wrote them), sealed at rest; no SMS to anyone.
 */
static int
cases_note(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct store_case k;
	int rc;

	(void)cause;
	if ((rc = cases_agency_case(c, cmd->code, &k)) != 0)
		return rc == 1 ? 0 : rc;
	if (cmd->text[0] == '\0') {
		c->refused = 1;
		return 0;
	}
	cases_log_text(c, cmd->code, c->agency->id, "note", cmd->text);
	return 0;
}

int
cases_sms_template_ok(const char *name)
{
	static const char *const names[] = { CASES_SMS_TEMPLATES };
	size_t i;

	for (i = 0; name != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The text of the agency's SMS to the person of case K: template NAME in
 * the person's language, or TEXT as written. NULL when NAME is not one an
 * agency may send. To free.
 */
static char *
cases_person_text(struct cases_ctx *c, const struct store_case *k,
    const struct store_num *num, const char *name, const char *text)
{
	const struct cfg_category *cat = route_category(c->cfg, k->category);
	char shown[CODE_LEN + 2];
	const char *lang;

	if (name == NULL)
		return xstrdup(text);
	if (!cases_sms_template_ok(name) || cat == NULL)
		return NULL;
	lang = num->lang[0] != '\0' ? num->lang
	    : k->lang[0] != '\0'    ? k->lang
				    : c->cfg->gateway.languages.v[0];
	code_format(k->code, shown);
	struct template_var v[] = { { "code", shown },
		{ "label", cfg_category_label(cat, lang) },
		{ "agency", c->agency->name } };
	return template_render(c->cfg, lang, name, v, 3);
}

/*
 * An SMS to the person of case CODE from the agency that acknowledged it
 * and holds it, with consent, while it is open: template NAME or TEXT,
 * through the case's sealed number (the number never leaves the server).
 * At most CASES_SMS_DAY a case in 24 hours (sms_ms, sms_n); never to a
 * number that sent STOP. The history and the audit have the text, sealed,
 * as "sms to person".
 */
static int
cases_sms_person(struct cases_ctx *c, const struct sms_cmd *cmd,
    const char *name, char **cause)
{
	struct store_case k;
	struct store_num num;
	char key[KEY_MAX], buf[32], *text;
	long long from, n;
	int rc;

	(void)cause;
	if ((rc = cases_agency_case(c, cmd->code, &k)) != 0)
		return rc == 1 ? 0 : rc;
	if (strcmp(k.status, CASE_ACKNOWLEDGED) != 0 || !k.consent ||
	    k.phone[0] == '\0' || k.num[0] == '\0' ||
	    (name == NULL && cmd->text[0] == '\0')) {
		c->refused = 1;
		return 0;
	}
	if ((rc = cases_read_num(c, k.num, &num)) != 0)
		return rc;
	if (num.optout) {
		c->optedout = 1;
		return 0;
	}
	n = cases_window(k.sms_ms, k.sms_n, c->now, CASES_DAY_MS);
	if (n >= CASES_SMS_DAY) {
		c->limited = 1;
		return 0;
	}
	if ((text = cases_person_text(c, &k, &num, name, cmd->text)) == NULL) {
		c->refused = 1;
		return 0;
	}
	from = n == 0 ? c->now : k.sms_ms;
	key_case(key, cmd->code);
	cases_ll(buf, sizeof(buf), from);
	apply_hset(c->a, key, "sms_ms", buf);
	cases_ll(buf, sizeof(buf), n + 1);
	apply_hset(c->a, key, "sms_n", buf);
	cases_sms_own(c, cmd->code, k.phone, k.num, text);
	cases_log_text(c, cmd->code, c->agency->id, "sms to person", text);
	free(text);
	return 0;
}

/*
 * REASSIGN through the API, the coordinator's: the open case CODE, with an
 * agency or escalated to the coordinator, to C->agency, notified afresh as
 * a DECLINE hands a case on (stage 0, not escalated, the new agency's own
 * deadline, its phones told). An acknowledged case is notified again: the
 * new agency has still to take it, and the agency it leaves no longer
 * sees it, nor its number. The person is told nothing, as on a DECLINE.
 * The history and the audit have "reassigned" by "coordinator" (or
 * "coordinator:<login>") with the new agency's id and the reason, sealed.
 */
static int
cases_reassign(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_category *cat;
	struct store_case k;
	char key[KEY_MAX], okey[KEY_MAX], shown[CODE_LEN + 2], buf[32];
	char prio[24], persons[24], who[CFG_ID_MAX + 64];
	char note[CFG_ID_MAX + SMS_TEXT_MAX + 2];
	int rc;

	(void)cause;
	if ((rc = cases_read_case(c, cmd->code, &k)) != 0)
		return rc;
	if (!k.exists || (cat = route_category(c->cfg, k.category)) == NULL) {
		c->missing = 1;
		return 0;
	}
	if (strcmp(k.status, CASE_CLOSED) == 0 ||
	    strcmp(k.agency, c->agency->id) == 0) {
		c->refused = 1;
		return 0;
	}
	key_case(key, cmd->code);
	apply_guard_version(c->a, key, k.ver);
	if (k.agency[0] != '\0') {
		key_agency_open(okey, k.agency);
		apply_zrem(c->a, okey, cmd->code);
	}
	snprintf(who, sizeof(who), "coordinator%s%s",
	    c->login != NULL ? ":" : "", c->login != NULL ? c->login : "");
	snprintf(note, sizeof(note), "%s%s%s", c->agency->id,
	    cmd->text[0] != '\0' ? ": " : "", cmd->text);
	cases_log_text(c, cmd->code, who, "reassigned", note);
	apply_hset(c->a, key, "status", CASE_NOTIFIED);
	apply_hset(c->a, key, "stage", "0");
	apply_hset(c->a, key, "escalated", "0");
	code_format(cmd->code, shown);
	snprintf(prio, sizeof(prio), "P%lld", k.priority);
	snprintf(persons, sizeof(persons), "%lld", k.persons);
	struct template_var nv[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region", k.region[0] != '\0' ? k.region : "-" },
		{ "persons", persons } };
	cases_hand_over(c, &k, cat, c->agency, nv);
	cases_ll(buf, sizeof(buf), c->now);
	apply_hset(c->a, key, "updated_ms", buf);
	cases_event(c, cat->id, "reassigned");
	return 0;
}

/* The agency's API command: its verb, and what an SMS command lacks. */
struct cases_act_arg {
	const struct cases_action *act;
	struct sms_cmd cmd;
};

/* One attempt at the agency's API command ARG. */
static int
cases_act_cb(struct cases_ctx *c, void *arg, char **cause)
{
	struct cases_act_arg *aa = arg;
	const struct sms_cmd *cmd = &aa->cmd;
	int rc;

	switch (aa->act->verb) {
	case CASES_ACK:
		rc = cases_ack(c, cmd, cause);
		break;
	case CASES_DECLINE:
		rc = cases_decline(c, cmd, cause);
		break;
	case CASES_NOTE:
		rc = cases_note(c, cmd, cause);
		break;
	case CASES_SMS:
		rc = cases_sms_person(c, cmd, aa->act->template, cause);
		break;
	case CASES_REASSIGN:
		rc = cases_reassign(c, cmd, cause);
		break;
	default:
		rc = cases_close(c, cmd, cause);
		break;
	}
	/* Nothing to apply: the op id stays free for a later try. */
	if (rc == 0 && (c->missing || c->refused || c->optedout || c->limited))
		return 1;
	return rc;
}

/*
 * Set C and AA up for the agency's API command ACT: 1 when it is to be
 * decided, 0 when the agency or the code is unknown (missing), -1 with
 * *cause when the text is too long.
 */
static int
cases_act_ctx(struct cases_ctx *c, struct cases_act_arg *aa, struct store *st,
    const struct cfg *cfg, const struct crypto_key *key,
    const struct cases_action *act, char **cause)
{
	static const enum sms_kind kinds[] = { SMS_ACK, SMS_DECLINE, SMS_CLOSE,
		SMS_CLOSE, SMS_CLOSE, SMS_CLOSE };

	memset(c, 0, sizeof(*c));
	memset(aa, 0, sizeof(*aa));
	if ((c->agency = cfg_agency_find(cfg, act->agency)) == NULL ||
	    !code_check(act->code))
		return 0;
	if (act->text != NULL && strlen(act->text) >= sizeof(aa->cmd.text)) {
		xasprintf(cause, "cases: %s: text over %zu bytes", act->opid,
		    sizeof(aa->cmd.text) - 1);
		return -1;
	}
	aa->act = act;
	aa->cmd.kind = kinds[act->verb];
	memcpy(aa->cmd.code, act->code, CODE_LEN + 1);
	aa->cmd.code_status = CODE_OK;
	snprintf(aa->cmd.text, sizeof(aa->cmd.text), "%s",
	    act->text != NULL ? act->text : "");
	c->st = st;
	c->cfg = cfg;
	c->key = key;
	c->opid = act->opid;
	c->login = act->login;
	c->hash = "";
	c->staff = 1;
	snprintf(c->lang, sizeof(c->lang), "%s", cfg->gateway.languages.v[0]);
	return 1;
}

/* What C's decision came to. */
static enum cases_outcome
cases_act_outcome(const struct cases_ctx *c)
{
	if (c->missing)
		return CASES_MISSING;
	if (c->refused)
		return CASES_REFUSED;
	if (c->optedout)
		return CASES_OPTED_OUT;
	if (c->limited)
		return CASES_LIMITED;
	return CASES_APPLIED;
}

int
cases_agency_act(struct store *st, const struct cfg *cfg,
    const struct crypto_key *key, const struct cases_action *act,
    enum cases_outcome *outcome, char **cause)
{
	struct cases_ctx c;
	struct cases_act_arg aa;
	int rc;

	*outcome = CASES_MISSING;
	if ((rc = cases_act_ctx(&c, &aa, st, cfg, key, act, cause)) != 1)
		return rc;
	if (cases_run(&c, cases_act_cb, &aa, cause) == APPLY_ERROR)
		return -1;
	/* Refused now, because this very operation was applied before? */
	if (cases_act_outcome(&c) != CASES_APPLIED) {
		if ((rc = apply_seen(st, act->opid, cause)) == -1)
			return -1;
		if (rc == 1)
			c.missing = c.refused = c.optedout = c.limited = 0;
	}
	*outcome = cases_act_outcome(&c);
	return 0;
}

int
cases_act_view(const struct cfg *cfg, const struct crypto_key *key,
    const struct cases_action *act, long long now, struct cases_view *view,
    struct apply **out, enum cases_outcome *outcome, char **cause)
{
	struct cases_ctx c;
	struct cases_act_arg aa;
	int rc;

	*out = NULL;
	*outcome = CASES_MISSING;
	if ((rc = cases_act_ctx(&c, &aa, NULL, cfg, key, act, cause)) != 1)
		return rc == 0 ? 1 : rc;
	c.view = *view;
	c.now = now;
	c.a = apply_new(c.opid, c.now);
	rc = cases_act_cb(&c, &aa, cause);
	*view = c.view;
	*outcome = cases_act_outcome(&c);
	if (rc == 0)
		*out = c.a;
	else
		apply_free(c.a);
	return rc;
}
