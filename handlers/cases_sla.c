/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SLA step of a case whose acknowledgement deadline passed: re-notify
 * its agency once, then escalate to the coordinator. The operation id names
 * the case, its agency and its version, so a step applies once per state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "gateway/apply.h"
#include "gateway/clock.h"
#include "gateway/store.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "handlers/route.h"
#include "handlers/template.h"

/* Build the SLA step for the case CS; 1 when there is something to do. */
static int
cases_sla_decide(
    struct cases_ctx *c, const char *code, const struct store_reply *cs)
{
	const struct cfg_category *cat;
	const struct cfg_agency *ag;
	char key[KEY_MAX], shown[CODE_LEN + 2], prio[8], buf[32], *text;
	long long stage = cases_hv_ll(cs, "stage");
	size_t i;

	cat = route_category(c->cfg, cases_hv(cs, "category"));
	if (cat == NULL || strcmp(cases_hv(cs, "status"), "notified") != 0 ||
	    stage >= 2) {
		apply_zrem(c->a, KEY_SLA, code);
		return 1;
	}
	key_case(key, code);
	apply_guard_version(c->a, key, cases_hv(cs, "ver"));
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
		apply_zadd(c->a, KEY_SLA,
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
	apply_zrem(c->a, KEY_SLA, code);
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
	char ckey[KEY_MAX], opid[96];
	int tries;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.cfg = cfg;
	c.key = key;
	key_case(ckey, code);
	for (tries = 0; tries < CASES_TRIES && res == APPLY_CONFLICT; tries++) {
		if (cases_hgetall(st, ckey, &cs, cause) == -1)
			return -1;
		snprintf(opid, sizeof(opid), "sla:%s:%s:%s", code,
		    cases_hv(cs, "agency"), cases_hv(cs, "ver"));
		c.now = clock_wall_ms();
		c.a = apply_new(opid, c.now);
		cases_sla_decide(&c, code, cs);
		res = apply_run(st, c.a, cfg_message_ttl(cfg), cause);
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
