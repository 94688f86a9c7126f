/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * New cases: HELP from a migrant, REF from an official by SMS, and
 * referrals from an official's USSD session (cases_referral()), which share
 * REF's logic; and the short views of cases an official's menu shows.
 *
 * A referral made through cases_referral() carries its caller's operation
 * id: the script that creates the case also writes its code to
 * {hbm}:opcode:<opid>, kept as long as apply.c keeps the op id, so a
 * replay finds the code there and queues nothing. Referrals are indexed by
 * the official's number hash in {hbm}:official:<hash>:cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "lib/crypto.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "lib/phone.h"
#include "handlers/route.h"
#include "handlers/sms.h"
#include "lib/template.h"
#include "store/case.h"

#define CASES_OPID_MAX 100 /* bytes of a referral's operation id */
#define CASES_OPEN_LOOK 10 /* the sender's latest cases looked at */

/* A referral by an official, the sender of the operation; borrowed. */
struct cases_refer {
	const struct cfg_official *off;
	const struct cfg_category *cat;
	const char *migrant;	 /* E.164, or "" */
	int persons;		 /* 1-99 */
	int consent;		 /* 1: the acknowledging agency may call */
	char code[CODE_LEN + 1]; /* out: the new case's code */
};

/*
 * Create a case: draw a code, route it to the first agency (region first),
 * index it, start its SLA clock and notify the agency. Writes the code to
 * CODE, as shown to SHOWN, and the agency to *AGENCY. -1 when nothing can
 * be routed.
 */
static int
cases_create(struct cases_ctx *c, const struct cases_new *nc,
    char code[CODE_LEN + 1], char shown[CODE_LEN + 2],
    const struct cfg_agency **agency, char **cause)
{
	const struct cfg_category *cat = nc->cat;
	const struct cfg_agency *ag[16];
	char key[KEY_MAX], buf[32], prio[8];
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
	/* A new code: no case has it (its history is in its hash). */
	key_case(key, code);
	apply_guard_absent(c->a, key);
	apply_hset(c->a, key, "code", code);
	apply_hset(c->a, key, "kind", nc->kind);
	apply_hset(c->a, key, "category", cat->id);
	apply_hset(c->a, key, "status", "notified");
	apply_hset(c->a, key, "agency", ag[0]->id);
	apply_hset(c->a, key, "region", nc->region);
	apply_hset(c->a, key, "persons", persons);
	apply_hset_sealed(c->a, key, "note", nc->note);
	apply_hset(c->a, key, "lang", c->lang);
	apply_hset(c->a, key, "num", nc->num);
	if (nc->phone_plain[0] != '\0')
		apply_hset_sealed(c->a, key, "phone", nc->phone_plain);
	else
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
	apply_zadd(c->a, KEY_SLA, (double)due, code);
	apply_zadd(c->a, KEY_CASES, (double)c->now, code);
	key_agency_open(key, ag[0]->id);
	apply_zadd(c->a, key, cases_open_score(cat->priority, c->now), code);
	if (nc->num[0] != '\0')
		cases_num_link(c, key_num(key, nc->num), nc->numrec, code);
	if (nc->official[0] != '\0') {
		key_official_cases(key, nc->official);
		apply_zadd(c->a, key, (double)c->now, code);
		apply_expire(c->a, key, cfg_message_ttl(c->cfg));
	}
	cases_log(c, code, nc->official[0] != '\0' ? "official" : "migrant",
	    "created", cat->id);
	cases_log(c, code, "gateway", "notified", ag[0]->id);
	snprintf(prio, sizeof(prio), "P%d", cat->priority);
	struct template_var av[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region", nc->region[0] != '\0' ? nc->region : "-" },
		{ "persons", persons } };
	cases_tell_agency(c, code, ag[0], "agency_notify", av, 5);
	cases_event(c, cat->id, "created");
	return 0;
}

/*
 * Whether the sender has a case of CATEGORY that is not closed, among the
 * latest CASES_OPEN_LOOK: 1 with its code in CODE, 0, or CASES_NEED.
 */
static int
cases_open_in(
    struct cases_ctx *c, const char *category, char code[CODE_LEN + 1])
{
	const struct store_num_case *codes = c->num.cases;
	struct store_case k;
	size_t i, n;
	int found = 0, rc = 0;

	n = c->num.ncases < CASES_OPEN_LOOK ? c->num.ncases : CASES_OPEN_LOOK;
	for (i = 0; i < n; i++)
		if (code_check(codes[i].code) &&
		    cases_read_case(c, codes[i].code, &k) != 0)
			rc = CASES_NEED;
	if (rc != 0)
		return rc;
	for (i = 0; !found && i < n; i++) {
		if (!code_check(codes[i].code))
			continue;
		cases_read_case(c, codes[i].code, &k);
		if (strcmp(k.category, category) == 0 && k.status[0] != '\0' &&
		    strcmp(k.status, CASE_CLOSED) != 0) {
			memcpy(code, codes[i].code, CODE_LEN + 1);
			found = 1;
		}
	}
	return found;
}

/* HELP with a category: a new relief case, routed and notified. */
int
cases_help(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	const struct cfg_agency *ag;
	struct cases_new nc;
	char code[CODE_LEN + 1], shown[CODE_LEN + 2], buf[32], kw[200];
	long long day_cases, day_from;
	int rc;

	if (cmd->category[0] == '\0') {
		/* The categories the message named, or all: a numbered menu. */
		cases_menu(c, cmd->ncands > 1 ? cmd->cands : NULL, cmd->ncands,
		    kw, sizeof(kw));
		struct template_var v[] = { { "keywords", kw } };
		cases_reply(c, "ask_category", v, 1, 1);
		return 0;
	}
	day_cases = cases_window_get(
	    c, c->num.case_ms, c->num.case_n, CASES_DAY_MS, &day_from);
	if (!c->staff && day_cases >= c->cfg->limits.cases_per_day) {
		cases_ll(buf, sizeof(buf), c->cfg->limits.cases_per_day);
		struct template_var v[] = { { "count", buf } };
		cases_count(c, "hbmgw_cases_limited_total", "", 1, 0);
		cases_reply(c, "limit", v, 1, 0);
		return 0;
	}
	if ((rc = cases_open_in(c, cmd->category, code)) != 0) {
		if (rc == CASES_NEED)
			return rc;
		code_format(code, shown);
		struct template_var v[] = { { "code", shown },
			{ "label",
			    cfg_category_label(
				route_category(c->cfg, cmd->category),
				c->lang) } };
		cases_reply(c, "already_open", v, 2, 0);
		return 0;
	}
	memset(&nc, 0, sizeof(nc));
	nc.cat = route_category(c->cfg, cmd->category);
	nc.kind = "relief";
	nc.region = "";
	nc.persons = 1;
	nc.note = cmd->text;
	nc.phone = c->sealed;
	nc.phone_plain =
	    c->sealed != NULL && c->sealed[0] == '\0' ? c->e164 : "";
	nc.num = c->hash;
	nc.numrec = &c->num;
	/* Asking for help from a number is consent to be called back on it
	 * by the agency that takes the case; STOP withdraws it. */
	nc.consent = "1";
	nc.official = "";
	if (cases_create(c, &nc, code, shown, &ag, cause) == -1)
		return -1;
	cases_window_add(c, "case_ms", "case_n", day_from, day_cases + 1);
	struct template_var mv[] = { { "code", shown },
		{ "label", cfg_category_label(nc.cat, c->lang) } };
	c->code = code;
	cases_reply(c, "received", mv, 2, 0);
	c->code = NULL;
	return 0;
}


/*
 * Make the referral R from the official who is C's sender: a case in the
 * official's region, its code by SMS to the official and, when a number is
 * given, to the migrant.
 */
static int
cases_refer(struct cases_ctx *c, struct cases_refer *r, char **cause)
{
	const struct cfg_agency *ag;
	struct cases_new nc;
	struct store_num mig;
	char shown[CODE_LEN + 2], hash[CRYPTO_SHA256_HEX], persons[8];
	char key[KEY_MAX], *text;
	int rc;

	memset(&nc, 0, sizeof(nc));
	nc.cat = r->cat;
	nc.kind = "referral";
	nc.region = r->off->region != NULL ? r->off->region : "";
	nc.persons = r->persons;
	nc.note = "";
	nc.phone = "";
	nc.phone_plain = r->migrant;
	nc.num = "";
	nc.consent = "0";
	nc.official = c->hash;
	if (r->migrant[0] != '\0') {
		/* The migrant's record gets the case: read and guarded like a
		 * sender's, its lifetime kept as its opt-out wants it. */
		crypto_phone_hash(c->key, r->migrant, hash);
		if ((rc = cases_read_num(c, hash, &mig)) != 0)
			return rc;
		key_num(key, hash);
		apply_guard_version(c->a, key, mig.ver);
		apply_expire(c->a, key,
		    mig.optout ? cfg_retention_ttl(c->cfg)
			       : cfg_message_ttl(c->cfg));
		/* its code, sent to it, is listed from its record */
		if (mig.nmsgs < STORE_NUM_MSGS)
			apply_sms_index(c->a, key);
		nc.num = hash;
		nc.numrec = &mig;
		nc.consent = r->consent ? "1" : "0";
	}
	if (cases_create(c, &nc, r->code, shown, &ag, cause) == -1)
		return -1;
	snprintf(persons, sizeof(persons), "%d", r->persons);
	struct template_var v[] = { { "code", shown },
		{ "label", cfg_category_label(nc.cat, c->lang) },
		{ "agency", ag->name }, { "persons", persons } };
	c->code = r->code;
	cases_reply(c, "ref_issued", v, 4, 0);
	c->code = NULL;
	if (r->migrant[0] != '\0' &&
	    (text = template_render(c->cfg, c->lang, "ref_issued", v, 4)) !=
		NULL) {
		cases_send_plain(
		    c, r->code, "migrant", r->migrant, text, "notify");
		free(text);
	}
	return 0;
}

/*
 * REF <category> [phone] [persons] from an official: a referral in the
 * official's region. The migrant, when a phone is given, gets the code;
 * with no consent step by SMS, the agency never gets the number.
 */
int
cases_ref(struct cases_ctx *c, const struct sms_cmd *cmd, char **cause)
{
	struct cases_refer r;
	char e164[PHONE_MAX];
	const char *why;

	memset(&r, 0, sizeof(r));
	r.off = route_official_by_phone(c->cfg, c->e164);
	if (r.off == NULL || cmd->category[0] == '\0' || cmd->persons == 0) {
		cases_unknown(c);
		return 0;
	}
	r.cat = route_category(c->cfg, cmd->category);
	r.migrant = "";
	r.persons = cmd->persons;
	if (cmd->phone[0] != '\0') {
		if (phone_normalise(cmd->phone, c->cfg->gateway.country_code,
			e164, &why) == -1) {
			cases_unknown(c);
			return 0;
		}
		r.migrant = e164;
	}
	return cases_refer(c, &r, cause);
}

/* The code referral OPID made: 1, 0 when there is none, -1 with *cause. */
static int
cases_opcode_get(
    struct store *st, const char *opid, char code[CODE_LEN + 1], char **cause)
{
	struct store_reply *r;
	char key[KEY_MAX];
	int rc = 0;

	key_opcode(key, opid);
	if ((r = store_commandl(st, cause, "HGET", key, "code", NULL)) == NULL)
		return -1;
	if (r->type == STORE_STRING && code_check(r->str)) {
		memcpy(code, r->str, CODE_LEN + 1);
		rc = 1;
	} else if (r->type != STORE_NIL) {
		xasprintf(cause, "cases: %s: %s", key,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

/* One attempt at the referral ARG, from the official who is C's sender. */
static int
cases_referral_cb(struct cases_ctx *c, void *arg, char **cause)
{
	struct cases_refer *r = arg;
	struct sms_cmd cmd;
	char key[KEY_MAX];
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	if ((rc = cases_load_sender(c, &cmd, cause)) != 0 ||
	    (rc = cases_refer(c, r, cause)) != 0)
		return rc;
	key_opcode(key, c->opid);
	apply_hset(c->a, key, "code", r->code);
	apply_expire(c->a, key, APPLY_OP_TTL);
	return 0;
}

/* Check REF and fill R from it; -1 with *cause when it will not do. */
static int
cases_referral_check(const struct cfg *cfg, const struct cases_referral *ref,
    struct cases_refer *r, char official[PHONE_MAX], char migrant[PHONE_MAX],
    char **cause)
{
	const char *cc = cfg->gateway.country_code, *why;

	memset(r, 0, sizeof(*r));
	if (ref->opid == NULL || ref->opid[0] == '\0' ||
	    strlen(ref->opid) > CASES_OPID_MAX) {
		xasprintf(cause,
		    "cases: referral: operation id empty or over "
		    "%d bytes",
		    CASES_OPID_MAX);
		return -1;
	}
	if (ref->official_e164 == NULL ||
	    phone_normalise(ref->official_e164, cc, official, &why) == -1 ||
	    (r->off = route_official_by_phone(cfg, official)) == NULL) {
		xasprintf(
		    cause, "cases: referral %s: not an official", ref->opid);
		return -1;
	}
	if (ref->category == NULL ||
	    (r->cat = route_category(cfg, ref->category)) == NULL) {
		xasprintf(
		    cause, "cases: referral %s: unknown category", ref->opid);
		return -1;
	}
	if (ref->persons < 1 || ref->persons > 99) {
		xasprintf(cause, "cases: referral %s: persons not 1 to 99",
		    ref->opid);
		return -1;
	}
	r->migrant = "";
	if (ref->migrant_e164 != NULL && ref->migrant_e164[0] != '\0') {
		if (phone_normalise(ref->migrant_e164, cc, migrant, &why) ==
		    -1) {
			xasprintf(cause, "cases: referral %s: number: %s",
			    ref->opid, why);
			return -1;
		}
		r->migrant = migrant;
	}
	r->persons = ref->persons;
	r->consent = ref->consent != 0;
	return 0;
}

int
cases_referral(struct store *st, const struct cfg *cfg,
    const struct crypto_key *key, const struct cases_referral *ref,
    char code[CODE_LEN + 1], char **cause)
{
	struct cases_ctx c;
	struct cases_refer r;
	char hash[CRYPTO_SHA256_HEX], migrant[PHONE_MAX];
	enum apply_result res;
	int rc;

	memset(&c, 0, sizeof(c));
	if (cases_referral_check(cfg, ref, &r, c.e164, migrant, cause) == -1)
		return -1;
	if ((rc = cases_opcode_get(st, ref->opid, code, cause)) != 0)
		return rc == 1 ? 0 : -1;
	c.st = st;
	c.cfg = cfg;
	c.key = key;
	c.opid = ref->opid;
	crypto_phone_hash(key, c.e164, hash);
	c.sealed = ""; /* the official's number, sealed as it is queued */
	c.hash = hash;
	c.staff = 1;
	c.agency = route_agency_by_phone(cfg, c.e164);
	res = cases_run(&c, cases_referral_cb, &r, cause);
	if (res == APPLY_ERROR)
		return -1;
	if (res == APPLY_OK) {
		memcpy(code, r.code, CODE_LEN + 1);
		return 0;
	}
	/* Made meanwhile by the same operation id: its code is stored. */
	if ((rc = cases_opcode_get(st, ref->opid, code, cause)) == 0)
		xasprintf(cause,
		    "cases: referral %s: made, but its code is gone",
		    ref->opid);
	return rc == 1 ? 0 : -1;
}

int
cases_brief_get(
    struct store *st, const char *code, struct cases_brief *b, char **cause)
{
	struct store_reply *keep;
	struct store_case k;

	memset(b, 0, sizeof(*b));
	if (code == NULL || !code_check(code))
		return 0;
	if (store_case_get(st, code, &keep, &k, cause) == -1)
		return -1;
	if (k.exists) {
		snprintf(b->code, sizeof(b->code), "%s", code);
		snprintf(b->category, sizeof(b->category), "%s", k.category);
		snprintf(b->status, sizeof(b->status), "%s", k.status);
		snprintf(b->agency, sizeof(b->agency), "%s", k.agency);
		b->persons = (int)k.persons;
		b->created_ms = k.created_ms;
	}
	store_reply_free(keep);
	return k.exists;
}

int
cases_by_official(struct store *st, const struct crypto_key *key,
    const char *official_e164, long long since_ms, struct cases_brief *out,
    size_t max, size_t *n, char **cause)
{
	struct store_reply *codes;
	char hash[CRYPTO_SHA256_HEX], k[KEY_MAX], min[32], count[32];
	size_t i;
	int rc;

	*n = 0;
	if (max == 0)
		return 0;
	crypto_phone_hash(key, official_e164, hash);
	key_official_cases(k, hash);
	cases_ll(min, sizeof(min), since_ms);
	snprintf(count, sizeof(count), "%zu", max);
	if ((codes = store_commandl(st, cause, "ZREVRANGEBYSCORE", k, "+inf",
		 min, "LIMIT", "0", count, NULL)) == NULL)
		return -1;
	if (codes->type != STORE_ARRAY) {
		xasprintf(cause, "cases: %s: %s", k,
		    codes->type == STORE_ERROR ? codes->str
					       : "unexpected reply");
		store_reply_free(codes);
		return -1;
	}
	for (i = 0; i < codes->elements && *n < max; i++) {
		if (codes->element[i]->type != STORE_STRING)
			continue;
		rc = cases_brief_get(
		    st, codes->element[i]->str, &out[*n], cause);
		if (rc == -1) {
			store_reply_free(codes);
			return -1;
		}
		if (rc == 1)
			(*n)++;
	}
	store_reply_free(codes);
	return 0;
}
