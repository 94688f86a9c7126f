/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Case operations for SMS commands: the sender's commands that read (code,
 * STATUS), STOP and START, and what every operation shares.
 *
 * Each operation reads the records it concerns (the sender's number record,
 * a case), decides what changes and which SMS go out, and hands everything
 * to one atomic script (store/apply.c) guarded by the version fields it
 * read; a conflict (another thread changed a record meanwhile) reads and
 * decides again (cases_run()). A message's operation is applied with the
 * acknowledgement of its inbox entry, so a message handled twice (after a
 * crash, or by two gateways) changes nothing the second time. New cases
 * are made in cases_new.c, agency commands are in cases_agency.c, SLA
 * steps in cases_sla.c.
 *
 * Records: {hbm}:case:<code> (hash, its history entries among its fields),
 * {hbm}:num:<hash> (per number: lang, optout, counters, ver, and c:<code>
 * for each of its cases), {hbm}:agency:<id>:open, {hbm}:cases and
 * {hbm}:sla (sorted sets). See docs/redis.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/case.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "lib/phone.h"
#include "handlers/route.h"
#include "handlers/sms.h"
#include "lib/template.h"

/* Count NAME{LABELS} by V when this attempt is applied. */
void
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

/*
 * The metrics label of category ID, escaped for the Prometheus text
 * format: its sms_label, never its id (the operator's own word, such as
 * "gbv", which sms_label exists to keep out of sight); "category-N", its
 * place in the configuration, when the label is the id (sms_label unset);
 * "other" for a category no longer configured.
 */
static void
cases_category_label(
    const struct cfg *cfg, const char *id, char *out, size_t size)
{
	const char *label = "other", *p;
	size_t i, n = 0;

	for (i = 0; i < cfg->ncategories; i++) {
		if (strcmp(cfg->categories[i].id, id) != 0)
			continue;
		if (strcmp(cfg->categories[i].sms_label, id) == 0) {
			snprintf(out, size, "category-%zu", i + 1);
			return;
		}
		label = cfg->categories[i].sms_label;
		break;
	}
	for (p = label; *p != '\0' && n + 3 < size; p++) {
		if (*p == '"' || *p == '\\' || *p == '\n') {
			out[n++] = '\\';
			out[n++] = *p == '\n' ? 'n' : *p;
		} else
			out[n++] = *p;
	}
	out[n] = '\0';
}

/* A case event by category: created, acknowledged, closed, escalated... */
void
cases_event(struct cases_ctx *c, const char *category, const char *event)
{
	char label[64], labels[128];

	cases_category_label(c->cfg, category, label, sizeof(label));
	snprintf(labels, sizeof(labels), "category=\"%s\",event=\"%s\"", label,
	    event);
	cases_count(c, "hbmgw_case_events_total", labels, 1, 0);
}

/* Count the metrics of an applied attempt. */
void
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

long long
cases_window(long long from, long long count, long long now, long long span)
{
	if (from <= 0 || now - from >= span)
		return 0;
	return count;
}

/*
 * The events counted in the sender's window that opened at MS and counted
 * N (store/num.h). *FROM is the start to keep: MS, or now when the window
 * is over and the next event opens a new one.
 */
long long
cases_window_get(struct cases_ctx *c, long long ms, long long n, long long span,
    long long *from)
{
	n = cases_window(ms, n, c->now, span);
	*from = n > 0 ? ms : c->now;
	return n;
}

/* Record N events in the sender's window that opened at FROM. */
void
cases_window_add(struct cases_ctx *c, const char *ms_field, const char *n_field,
    long long from, long long n)
{
	char buf[32];

	cases_ll(buf, sizeof(buf), from);
	apply_hset(c->a, c->numkey, ms_field, buf);
	cases_ll(buf, sizeof(buf), n);
	apply_hset(c->a, c->numkey, n_field, buf);
}

/*
 * (Re)set the TTL of the sender's record after this operation's writes:
 * privacy.message_days from now, like its messages; an opted-out number's
 * record keeps its opt-out for privacy.retention_days instead, so that
 * STOP is still honoured after a quiet week. The later call wins (the
 * script runs its EXPIREs in order), so call it again when optout changes.
 */
void
cases_num_expire(struct cases_ctx *c)
{
	apply_expire(c->a, c->numkey,
	    c->optout ? cfg_retention_ttl(c->cfg) : cfg_message_ttl(c->cfg));
}

/*
 * Add CODE, made now, to the cases of the number whose record N is at KEY:
 * a field "c:<code>" (store/num.h). A record that holds STORE_NUM_CASES
 * already gives up its oldest, so that it never holds more.
 */
void
cases_num_link(struct cases_ctx *c, const char *key, const struct store_num *n,
    const char *code)
{
	char field[KEY_MAX], ms[32];

	snprintf(field, sizeof(field), STORE_NUM_CASE_PREFIX "%s", code);
	cases_ll(ms, sizeof(ms), c->now);
	apply_hset(c->a, key, field, ms);
	if (n->drop != NULL) {
		snprintf(
		    field, sizeof(field), STORE_NUM_CASE_PREFIX "%s", n->drop);
		apply_hdel(c->a, key, field);
	}
}

double
cases_open_score(int priority, long long created_ms)
{
	return (double)priority * 1e13 + (double)created_ms;
}

void
cases_ll(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

/*
 * A history entry as compact JSON: who did what, with a note ("" for none),
 * and with no "note" at all for NULL (the caller adds it).
 */
static char *
cases_history(
    long long now, const char *who, const char *what, const char *note)
{
	json_t *o;
	char *s;

	o = json_pack(
	    "{s:I,s:s,s:s}", "t", (json_int_t)now, "who", who, "what", what);
	if (o != NULL && note != NULL &&
	    json_object_set_new(o, "note", json_string(note)) == -1) {
		json_decref(o);
		o = NULL;
	}
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("cases: cannot encode history");
	json_decref(o);
	return s;
}

/*
 * Append a history entry and an audit entry for case CODE, NOTE sealed in
 * both when the operation runs when SEAL.
 */
static void
cases_log_entry(struct cases_ctx *c, const char *code, const char *who,
    const char *what, const char *note, int seal)
{
	char key[KEY_MAX], *h, *pre, *actor = NULL;

	if (note == NULL)
		note = "";
	key_case(key, code);
	if (seal) {
		/* {"t":..,"who":..,"what":..} with ,"note":"<sealed>" */
		h = cases_history(c->now, who, what, NULL);
		h[strlen(h) - 1] = '\0';
		xasprintf(&pre, "%s,\"note\":\"", h);
		apply_history_sealed(c->a, key, pre, note, "\"}");
		free(pre);
	} else {
		h = cases_history(c->now, who, what, note);
		apply_history(c->a, key, h);
	}
	free(h);
	/* the agency's own step by a console user names the user too */
	if (c->login != NULL && c->agency != NULL &&
	    strcmp(who, c->agency->id) == 0)
		xasprintf(&actor, "%s:%s", who, c->login);
	if (seal)
		apply_audit_sealed(
		    c->a, code, actor != NULL ? actor : who, what, note);
	else
		apply_audit(
		    c->a, code, actor != NULL ? actor : who, what, note);
	free(actor);
}

void
cases_log(struct cases_ctx *c, const char *code, const char *who,
    const char *what, const char *note)
{
	cases_log_entry(c, code, who, what, note, 0);
}

void
cases_log_text(struct cases_ctx *c, const char *code, const char *who,
    const char *what, const char *note)
{
	cases_log_entry(c, code, who, what, note, 1);
}

/*
 * Queue TEXT to TO, sealed or in clear (TO_PLAIN), for case CODE or none,
 * as WHO's in its history.
 */
static void
cases_queue(struct cases_ctx *c, const char *code, const char *role,
    const char *who, const char *to, int to_plain, const char *to_hash,
    const char *text, const char *kind)
{
	char key[KEY_MAX];

	/* Sealed, and its channel chosen, when it is queued (apply.h). */
	if (code == NULL) {
		if (to_plain)
			apply_sms_number(c->a, to, to_hash, text, "", kind);
		else
			apply_sms(c->a, to, to_hash, text, "", kind);
		return;
	}
	key_case(key, code);
	apply_case_sms(c->a, key, role, who, to, to_plain, to_hash, text, kind);
}

void
cases_sms(struct cases_ctx *c, const char *code, const char *role,
    const char *to_sealed, const char *to_hash, const char *text,
    const char *kind)
{
	cases_queue(
	    c, code, role, "gateway", to_sealed, 0, to_hash, text, kind);
}

void
cases_sms_own(struct cases_ctx *c, const char *code, const char *to_sealed,
    const char *to_hash, const char *text)
{
	cases_queue(c, code, "migrant", c->agency->id, to_sealed, 0, to_hash,
	    text, "notify");
}

/* Queue TEXT to a number given in clear (an agency's or coordinator's). */
void
cases_send_plain(struct cases_ctx *c, const char *code, const char *role,
    const char *e164, const char *text, const char *kind)
{
	char hash[CRYPTO_SHA256_HEX];

	crypto_phone_hash(c->key, e164, hash);
	cases_queue(c, code, role, "gateway", e164, 1, hash, text, kind);
}

/* Render template NAME in LANG and queue it to every phone of AGENCY. */
void
cases_tell_agency(struct cases_ctx *c, const char *code,
    const struct cfg_agency *ag, const char *name, const struct template_var *v,
    size_t n)
{
	char *text;
	size_t i;

	text =
	    template_render(c->cfg, c->cfg->gateway.languages.v[0], name, v, n);
	if (text == NULL)
		return;
	for (i = 0; i < ag->phones.n; i++)
		cases_send_plain(
		    c, code, "agency", ag->phones.v[i], text, "notify");
	free(text);
}

/*
 * Reply to the sender, unless they opted out or had enough replies this
 * hour. FORCE bypasses both (the one STOP confirmation, START). An API call
 * has no sender: its answer is the HTTP reply.
 */
void
cases_reply(struct cases_ctx *c, const char *name, const struct template_var *v,
    size_t n, int force)
{
	const char *role;
	char *text;

	if (c->sealed == NULL || (!force && c->optout))
		return;
	if (!force && !c->staff &&
	    c->replies >= c->cfg->limits.replies_per_hour) {
		cases_count(c, "hbmgw_replies_limited_total", "", 1, 0);
		return;
	}
	if ((text = template_render(c->cfg, c->lang, name, v, n)) == NULL)
		return;
	role = c->agency != NULL ? "agency" : c->staff ? "official" : "migrant";
	if (c->sealed[0] != '\0')
		cases_sms(c, c->code, role, c->sealed, c->hash, text, "reply");
	else
		cases_send_plain(c, c->code, role, c->e164, text, "reply");
	free(text);
	cases_window_add(
	    c, "reply_ms", "reply_n", c->replies_from, ++c->replies);
}

void
cases_reply_case(struct cases_ctx *c, const char *code, const char *name,
    const struct template_var *v, size_t n)
{
	const char *was = c->code;

	c->code = code;
	cases_reply(c, name, v, n, 0);
	c->code = was;
}

/*
 * What the menu calls CAT: its sms_label in the reply language; else its
 * keyword in that language (W, the N words sms_category_words() gave);
 * else its sms_label.
 */
static const char *
cases_label(struct cases_ctx *c, const struct cfg_category *cat,
    const char *const *w, size_t n)
{
	size_t i;

	if (cfg_category_label(cat, c->lang) != cat->sms_label)
		return cfg_category_label(cat, c->lang);
	for (i = 0; i < n && i < c->cfg->ncategories; i++)
		if (&c->cfg->categories[i] == cat && strcmp(w[i], cat->id) != 0)
			return w[i];
	return cat->sms_label;
}

/*
 * Where a case stands, in plain words in the reply language LANG, into
 * BUF: "waiting for an agency", "taken by WFP", "closed". AGENCY is the
 * display name of the case's agency.
 */
static const char *
cases_status_text(const char *lang, const char *status, const char *agency,
    char *buf, size_t len)
{
	static const struct {
		const char *status, *en, *fr, *ar;
	} words[] = {
		{ "new", "received", "reçue", "مستلم" },
		{ "notified", "waiting for an agency",
		    "en attente d'une agence", "بانتظار جهة" },
		{ "acknowledged", "taken by ", "prise en charge par ",
		    "قبلته " },
		{ "closed", "closed", "close", "مغلق" },
	};
	const char *fmt = NULL;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(words[i].status, status) != 0)
			continue;
		if (strcmp(lang, "fr") == 0)
			fmt = words[i].fr;
		else if (strcmp(lang, "ar") == 0)
			fmt = words[i].ar;
		else
			fmt = words[i].en;
	}
	if (fmt == NULL)
		snprintf(buf, len, "%s", status);
	else /* the agency after the words that end with a space */
		snprintf(buf, len, "%s%s", fmt,
		    fmt[strlen(fmt) - 1] == ' ' ? agency : "");
	return buf;
}

static const char *
cases_agency_name(const struct cfg *cfg, const char *id)
{
	const struct cfg_agency *ag = cfg_agency_find(cfg, id);

	return ag != NULL ? ag->name : "-";
}

/*
 * The numbered menu of the categories IDS (N of them; NULL: every
 * category) in the reply language, "1 food, 2 water", into BUF; the ids
 * it offers go to the sender's number record with the time, so that a
 * digit sent back within CASES_MENU_MS answers it (cases_choice()).
 */
void
cases_menu(struct cases_ctx *c, const char (*ids)[CFG_ID_MAX], size_t n,
    char *buf, size_t len)
{
	const struct cfg_category *cat;
	char menu[CASES_MENU_BYTES], now[32];
	const char *w[CASES_MENU_MAX];
	size_t i, k = 0, off = 0, moff = 0, nw;

	buf[0] = '\0';
	menu[0] = '\0';
	nw = sms_category_words(c->lex, c->lang, w, CASES_MENU_MAX);
	if (ids == NULL)
		n = c->cfg->ncategories;
	for (i = 0; i < n && k < CASES_MENU_MAX; i++) {
		cat = ids != NULL ? route_category(c->cfg, ids[i])
				  : &c->cfg->categories[i];
		if (cat == NULL)
			continue;
		k++;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off,
			    "%s%zu %s", k > 1 ? ", " : "", k,
			    cases_label(c, cat, w, nw));
		if (moff < sizeof(menu))
			moff +=
			    (size_t)snprintf(menu + moff, sizeof(menu) - moff,
				"%s%s", k > 1 ? "," : "", cat->id);
	}
	if (moff >= sizeof(menu))
		return; /* too many to remember: a digit will not answer */
	cases_ll(now, sizeof(now), c->now);
	apply_hset(c->a, c->numkey, "menu", menu);
	apply_hset(c->a, c->numkey, "menu_ms", now);
}

/* The numbered menu of every category, for the short help replies. */
void
cases_keywords(struct cases_ctx *c, char *buf, size_t len)
{
	cases_menu(c, NULL, 0, buf, len);
}

/*
 * The category a digit CHOICE picks from the menu the sender was sent in
 * the last CASES_MENU_MS, into ID; 0 when there is none.
 */
static int
cases_choice(struct cases_ctx *c, int choice, char id[CFG_ID_MAX])
{
	const char *menu = c->num.menu, *p, *e;
	long long at = c->num.menu_ms;
	int k;

	if (menu[0] == '\0' || c->now - at >= CASES_MENU_MS || c->now < at)
		return 0;
	for (p = menu, k = 1; k < choice && p != NULL; k++)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	if (p == NULL || *p == '\0')
		return 0;
	e = strchr(p, ',');
	if (e == NULL)
		e = p + strlen(p);
	if ((size_t)(e - p) >= CFG_ID_MAX)
		return 0;
	memcpy(id, p, (size_t)(e - p));
	id[e - p] = '\0';
	return route_category(c->cfg, id) != NULL;
}

/* Anything else: one short help reply per number per hour. */
void
cases_unknown(struct cases_ctx *c)
{
	char now[32], kw[200];

	if (cases_window(c->num.help_ms, 1, c->now, CASES_HOUR_MS) > 0)
		return;
	cases_ll(now, sizeof(now), c->now);
	apply_hset(c->a, c->numkey, "help_ms", now);
	cases_keywords(c, kw, sizeof(kw));
	struct template_var v[] = { { "keywords", kw } };
	cases_reply(c, "unknown", v, 1, 0);
}

/*
 * Answer a malformed or missing code: "check the code" for a wrong check
 * digit, the short help otherwise. Returns 1 when it answered.
 */
int
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

void
cases_not_found(struct cases_ctx *c, const char *code)
{
	char shown[CODE_LEN + 2];

	code_format(code, shown);
	struct template_var v[] = { { "code", shown } };
	cases_reply(c, "not_found", v, 1, 0);
}

int
cases_code_full(const char *sender_hash, const char *sender_agency,
    const char *case_num, const char *case_official, const char *case_agency)
{
	if (case_num[0] != '\0' && strcmp(case_num, sender_hash) == 0)
		return 1;
	if (case_official[0] != '\0' && strcmp(case_official, sender_hash) == 0)
		return 1;
	return sender_agency != NULL && case_agency[0] != '\0' &&
	    strcmp(case_agency, sender_agency) == 0;
}

const char *
cases_code_state(const char *lang, const char *status)
{
	static const char *const words[][3] = {
		{ "open", "ouvert", "مفتوح" },
		{ "being handled", "en cours de traitement", "قيد المعالجة" },
		{ "closed", "clos", "مغلق" },
	};
	int i = strcmp(status, "closed") == 0	  ? 2
	    : strcmp(status, "acknowledged") == 0 ? 1
						  : 0;

	if (strcmp(lang, "fr") == 0)
		return words[i][1];
	if (strcmp(lang, "ar") == 0)
		return words[i][2];
	return words[i][0];
}

/* Count a code look-up by RESULT: full, state, not_found, limited. */
static void
cases_code_count(struct cases_ctx *c, const char *result)
{
	char labels[40];

	snprintf(labels, sizeof(labels), "result=\"%s\"", result);
	cases_count(c, "hbmgw_code_lookups_total", labels, 1, 0);
}

/*
 * Count a code look-up in the sender's hour: 0, or 1 when the sender has
 * had CASES_CODE_LOOKUPS already (then answered "try later"). Staff, and
 * calls without a sender, are not limited.
 */
static int
cases_code_limited(struct cases_ctx *c)
{
	long long n, from;

	if (c->sealed == NULL || c->staff)
		return 0;
	n = cases_window_get(
	    c, c->num.code_ms, c->num.code_n, CASES_HOUR_MS, &from);
	if (n >= CASES_CODE_LOOKUPS) {
		cases_code_count(c, "limited");
		cases_reply(c, "code_later", NULL, 0, 0);
		return 1;
	}
	cases_window_add(c, "code_ms", "code_n", from, n + 1);
	return 0;
}

/*
 * CODE <code>, or STATUS <code>: what the case is and where it stands to
 * its own number, its agency and its referring official; only whether it
 * is open, being handled or closed to anybody else, so that a code found
 * or guessed tells no category or agency.
 */
static int
cases_code(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_category *cat;
	struct store_case k;
	const char *agency;
	char shown[CODE_LEN + 2], st[80];
	int rc;

	(void)cause;
	if (cases_bad_code(c, cmd))
		return 0;
	if (cases_code_limited(c))
		return 0;
	if ((rc = cases_read_case(c, cmd->code, &k)) != 0)
		return rc;
	if (!k.exists || (cat = route_category(c->cfg, k.category)) == NULL) {
		cases_code_count(c, "not_found");
		cases_not_found(c, cmd->code);
		return 0;
	}
	code_format(cmd->code, shown);
	agency = cases_agency_name(c->cfg, k.agency);
	if (!cases_code_full(c->hash, c->agency != NULL ? c->agency->id : NULL,
		k.num, k.official, k.agency)) {
		struct template_var sv[] = { { "code", shown },
			{ "status", cases_code_state(c->lang, k.status) } };
		cases_code_count(c, "state");
		cases_reply(c, "code_state", sv, 2, 0);
		return 0;
	}
	struct template_var v[] = { { "code", shown },
		{ "label", cfg_category_label(cat, c->lang) },
		{ "agency", agency },
		{ "status",
		    cases_status_text(
			c->lang, k.status, agency, st, sizeof(st)) } };
	cases_code_count(c, "full");
	cases_reply(c, "code_info", v, 4, 0);
	return 0;
}

/* STATUS without a code: the sender's latest cases. */
static int
cases_status(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct store_num_case *codes = c->num.cases;
	const struct cfg_category *cat;
	struct store_case k;
	char shown[CODE_LEN + 2], list[160], count[16];
	char st[80];
	size_t i, n, off = 0;
	int rc = 0;

	if (cmd->code_status != CODE_NONE)
		return cases_code(c, cmd, cause);
	n = c->num.ncases < CASES_STATUS_SHOWN ? c->num.ncases
					       : CASES_STATUS_SHOWN;
	for (i = 0; i < n; i++)
		if (cases_read_case(c, codes[i].code, &k) != 0)
			rc = CASES_NEED;
	if (rc != 0)
		return rc;
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		cases_read_case(c, codes[i].code, &k);
		code_format(codes[i].code, shown);
		cat = route_category(c->cfg, k.category);
		if (k.exists && off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%s %s: %s", off > 0 ? "; " : "", shown,
			    cat != NULL ? cfg_category_label(cat, c->lang)
					: "-",
			    cases_status_text(c->lang, k.status,
				cases_agency_name(c->cfg, k.agency), st,
				sizeof(st)));
	}
	snprintf(count, sizeof(count), "%zu", n);
	if (list[0] == '\0') {
		cases_reply(c, "status_none", NULL, 0, 0);
		return 0;
	}
	struct template_var v[] = { { "cases", list }, { "count", count } };
	cases_reply(c, "status", v, 2, 0);
	return 0;
}

/*
 * STOP: opt out, one confirmation, the number leaves its cases, each under
 * its version guard (an ACK deciding at the same time reads the number
 * either before or not at all). A case that holds no number (retention
 * purged it, or STOP took it before) is not written again, and one that
 * is gone leaves the number's list.
 */
static int
cases_stop(struct cases_ctx *c, char **cause)
{
	const struct store_num_case *codes = c->num.cases;
	struct store_case k;
	char key[KEY_MAX], field[CODE_LEN + 3];
	size_t i;
	int rc = 0;

	(void)cause;
	if (c->optout)
		return 0; /* already out: silence */
	for (i = 0; i < c->num.ncases; i++)
		if (cases_read_case(c, codes[i].code, &k) != 0)
			rc = CASES_NEED;
	if (rc != 0)
		return rc;
	/* oldest first, as the audit has always listed them */
	for (i = c->num.ncases; i-- > 0;) {
		cases_read_case(c, codes[i].code, &k);
		if (!k.exists) {
			snprintf(field, sizeof(field), "c:%s", codes[i].code);
			apply_hdel(c->a, c->numkey, field);
			continue;
		}
		if (k.phone[0] == '\0' && !k.consent)
			continue;
		key_case(key, codes[i].code);
		apply_guard_version(c->a, key, k.ver);
		apply_hset(c->a, key, "phone", "");
		apply_hset(c->a, key, "consent", "0");
		cases_log(c, codes[i].code, "migrant", "opted out", NULL);
	}
	apply_hset(c->a, c->numkey, "optout", "1");
	cases_reply(c, "stop_confirm", NULL, 0, 1);
	c->optout = 1;
	cases_num_expire(c);
	return 0;
}

/*
 * Anything that is not a command: a digit answering the menu opens the
 * case it picks; a thanks or an ok gets no reply; the rest the short help.
 */
static int
cases_other(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct sms_cmd help;

	if (cmd->quiet) {
		cases_count(
		    c, "hbmgw_inbox_ignored_total", "reason=\"thanks\"", 1, 0);
		return 0;
	}
	if (cmd->choice == 0 || c->staff) {
		cases_unknown(c);
		return 0;
	}
	memset(&help, 0, sizeof(help));
	if (!cases_choice(c, cmd->choice, help.category)) {
		cases_unknown(c);
		return 0;
	}
	help.kind = SMS_HELP;
	help.code_status = CODE_NONE;
	apply_hset(c->a, c->numkey, "menu", "");
	if (c->optout)
		apply_hset(c->a, c->numkey, "optout", "0");
	c->optout = 0;
	return cases_help(c, &help, cause);
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
		if (c->optout) {
			apply_hset(c->a, c->numkey, "optout", "0");
			c->optout = 0;
			cases_num_expire(c);
		}
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
		cases_num_expire(c);
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
		return cases_other(c, cmd, cause);
	}
	return 0;
}

/* Load the sender's number record and fix the reply language. */
int
cases_load_sender(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	int rc;

	(void)cause;
	key_num(c->numkey, c->hash);
	if ((rc = cases_read_num(c, c->hash, &c->num)) != 0)
		return rc;
	apply_guard_version(c->a, c->numkey, c->num.ver);
	c->optout = c->num.optout;
	cases_num_expire(c);
	/* the replies to it are listed from its record, up to a few */
	if (c->num.nmsgs < STORE_NUM_MSGS)
		apply_sms_index(c->a, c->numkey);
	c->replies = cases_window_get(c, c->num.reply_ms, c->num.reply_n,
	    CASES_HOUR_MS, &c->replies_from);
	if (cmd->lang[0] != '\0') {
		snprintf(c->lang, sizeof(c->lang), "%s", cmd->lang);
		if (strcmp(c->num.lang, cmd->lang) != 0)
			apply_hset(c->a, c->numkey, "lang", cmd->lang);
	} else if (c->num.lang[0] != '\0')
		snprintf(c->lang, sizeof(c->lang), "%s", c->num.lang);
	else
		snprintf(c->lang, sizeof(c->lang), "%s",
		    c->cfg->gateway.languages.v[0]);
	return 0;
}

int
cases_decide_loaded(
    struct cases_ctx *c, cases_decide_cb decide, void *arg, char **cause)
{
	int rc = CASES_NEED, rounds;

	for (rounds = 0; rounds < CASES_ROUNDS && rc == CASES_NEED; rounds++) {
		if (rounds > 0 &&
		    cases_view_load(&c->view, c->st, c->key, cause) == -1)
			return -1;
		apply_free(c->a);
		c->a = apply_new(c->opid, c->now);
		memset(&c->num, 0, sizeof(c->num));
		c->missing = c->refused = 0;
		c->nmetrics = 0;
		rc = decide(c, arg, cause);
	}
	if (rc == CASES_NEED) {
		xasprintf(cause, "cases: %s: still reading after %d loads",
		    c->opid, CASES_ROUNDS);
		return -1;
	}
	return rc;
}

/*
 * Decide with DECIDE and apply, deciding again on conflicts. A DECIDE that
 * returns 1 has nothing to apply: APPLY_OK, and nothing ran. A conflict
 * that outlasts CASES_TRIES is an APPLY_ERROR, like Redis failing, with
 * *cause set.
 */
enum apply_result
cases_run(struct cases_ctx *c, cases_decide_cb decide, void *arg, char **cause)
{
	enum apply_result res = APPLY_CONFLICT;
	int tries, rc;

	for (tries = 0; tries < CASES_TRIES && res == APPLY_CONFLICT; tries++) {
		c->now = clock_wall_ms();
		if ((rc = cases_decide_loaded(c, decide, arg, cause)) == -1)
			res = APPLY_ERROR;
		else if (rc == 1)
			res = APPLY_OK;
		else {
			res = apply_run(
			    c->st, c->a, cfg_message_ttl(c->cfg), cause);
			if (res == APPLY_OK)
				cases_flush_metrics(c);
		}
		apply_free(c->a);
		c->a = NULL;
		memset(&c->num, 0, sizeof(c->num));
		c->nmetrics = 0;
		/* What was read is stale: read it again. */
		if (res == APPLY_CONFLICT)
			cases_view_clear(&c->view);
	}
	cases_view_clear(&c->view);
	if (res == APPLY_CONFLICT) {
		xasprintf(cause, "cases: %s: still conflicting after %d tries",
		    c->opid, CASES_TRIES);
		res = APPLY_ERROR;
	}
	return res;
}

/* One attempt at the SMS command ARG from the sender in C. */
static int
cases_sms_cb(struct cases_ctx *c, void *arg, char **cause)
{
	const struct sms_cmd *cmd = arg;
	int rc;

	if ((rc = cases_load_sender(c, cmd, cause)) != 0)
		return rc;
	return cases_decide(c, cmd, cause);
}

/*
 * Set C up for the inbox message M: 1 when it is to be decided, 0 when it
 * is not (a sender name or short code, or a sender that cannot be read).
 */
static int
cases_sms_ctx(struct cases_ctx *c, struct sms_cmd *cmd, struct store *st,
    const struct cfg *cfg, const struct sms_lexicon *lex,
    const struct crypto_key *key, const struct cases_msg *m)
{
	if (strcmp(m->sender, "phone") != 0) {
		/* Never answer sender names or short codes: no reply loops. */
		metrics_add(
		    "hbmgw_inbox_ignored_total", "reason=\"sender\"", 1);
		return 0;
	}
	memset(c, 0, sizeof(*c));
	if (m->from == NULL || m->from[0] == '\0' ||
	    strlen(m->from) >= sizeof(c->e164)) {
		log_warnx(
		    "cases: entry %s: sender unreadable, dropped", m->entry_id);
		return 0;
	}
	memcpy(c->e164, m->from, strlen(m->from) + 1);
	sms_parse(lex, m->text, cmd);
	c->st = st;
	c->cfg = cfg;
	c->key = key;
	c->lex = lex;
	c->opid = m->entry_id;
	c->sealed = m->from_sealed;
	c->hash = m->from_hash;
	c->agency = route_agency_by_phone(cfg, c->e164);
	c->staff = c->agency != NULL ||
	    route_official_by_phone(cfg, c->e164) != NULL ||
	    route_is_coordinator(cfg, c->e164);
	return 1;
}

int
cases_decide_view(const struct cfg *cfg, const struct sms_lexicon *lex,
    const struct crypto_key *key, const struct cases_msg *m, long long now,
    struct cases_view *view, struct apply **out, char **cause)
{
	struct cases_ctx c;
	struct sms_cmd cmd;
	int rc;

	*out = NULL;
	if (cases_sms_ctx(&c, &cmd, NULL, cfg, lex, key, m) == 0)
		return 1;
	c.view = *view;
	c.now = now;
	c.a = apply_new(c.opid, c.now);
	rc = cases_sms_cb(&c, &cmd, cause);
	*view = c.view;
	if (rc == 0)
		*out = c.a;
	else
		apply_free(c.a);
	return rc;
}

struct cases_pending {
	struct cases_ctx c; /* c.a the decided operation, c.view its reads */
};

int
cases_prepare(struct store *st, const struct cfg *cfg,
    const struct sms_lexicon *lex, const struct crypto_key *key,
    const struct cases_msg *m, struct store_reply *num,
    struct cases_pending **out, char **cause)
{
	struct cases_pending *p;
	struct sms_cmd cmd;
	int rc;

	*out = NULL;
	p = xcalloc(1, sizeof(*p));
	if (cases_sms_ctx(&p->c, &cmd, st, cfg, lex, key, m) == 0) {
		store_reply_free(num);
		free(p);
		return 0;
	}
	if (num != NULL && num->type == STORE_ARRAY) {
		key_num(p->c.numkey, p->c.hash);
		cases_view_put(&p->c.view, num, "HGETALL", p->c.numkey, NULL);
	} else
		store_reply_free(num);
	p->c.now = clock_wall_ms();
	if ((rc = cases_decide_loaded(&p->c, cases_sms_cb, &cmd, cause)) == 0) {
		*out = p;
		return 1;
	}
	/* 1: nothing to apply, as cases_run() takes it. */
	cases_pending_done(p, APPLY_ERROR);
	return rc == 1 ? 0 : -1;
}

struct apply *
cases_pending_apply(struct cases_pending *p)
{
	return p->c.a;
}

void
cases_pending_done(struct cases_pending *p, enum apply_result res)
{
	if (p == NULL)
		return;
	if (res == APPLY_OK)
		cases_flush_metrics(&p->c);
	apply_free(p->c.a);
	cases_view_clear(&p->c.view);
	free(p);
}
