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
#include "store/apply.h"
#include "store/store.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "handlers/route.h"
#include "lib/template.h"
#include "store/case.h"

/* Decide the SLA step for the case K into C->a. */
static void
cases_sla_decide(
    struct cases_ctx *c, const char *code, const struct store_case *k)
{
	const struct cfg_category *cat;
	const struct cfg_agency *ag;
	char key[KEY_MAX], shown[CODE_LEN + 2], prio[8], buf[32], *text;
	char persons[24];
	size_t i;

	cat = route_category(c->cfg, k->category);
	if (cat == NULL || strcmp(k->status, CASE_NOTIFIED) != 0 ||
	    k->stage >= 2) {
		apply_zrem(c->a, KEY_SLA, code);
		return;
	}
	key_case(key, code);
	apply_guard_version(c->a, key, k->ver);
	code_format(code, shown);
	snprintf(prio, sizeof(prio), "P%d", cat->priority);
	ag = cfg_agency_find(c->cfg, k->agency);
	snprintf(persons, sizeof(persons), "%lld", k->persons);
	struct template_var v[] = { { "code", shown },
		{ "label", cat->sms_label }, { "priority", prio },
		{ "region", k->region[0] != '\0' ? k->region : "-" },
		{ "persons", persons },
		{ "agency", ag != NULL ? ag->name : "-" },
		{ "reason", "no acknowledgement" } };
	if (k->stage == 0 && ag != NULL) {
		/* Once again to the agency, then the coordinator. */
		cases_tell_agency(c, code, ag, "agency_renotify", v, 5);
		apply_hset(c->a, key, "stage", "1");
		cases_ll(buf, sizeof(buf), c->now + cat->ack_timeout * 1000LL);
		apply_hset(c->a, key, "due_ms", buf);
		apply_zadd(c->a, KEY_SLA,
		    (double)(c->now + cat->ack_timeout * 1000LL), code);
		cases_log(c, code, "gateway", "renotified", ag->id);
		cases_count(c, "hbmgw_renotifications_total", "", 1, 0);
		return;
	}
	text = template_render(
	    c->cfg, c->cfg->gateway.languages.v[0], "escalated", v, 7);
	for (i = 0; text != NULL && i < c->cfg->coordinator_phones.n; i++)
		cases_send_plain(c, code, "coordinator",
		    c->cfg->coordinator_phones.v[i], text, "notify");
	free(text);
	apply_hset(c->a, key, "stage", "2");
	apply_hset(c->a, key, "escalated", "1");
	apply_zrem(c->a, KEY_SLA, code);
	cases_log(c, code, "gateway", "escalated", "not acknowledged in time");
	cases_event(c, cat->id, "escalated");
	cases_count(c, "hbmgw_escalations_total", "reason=\"timeout\"", 1, 0);
}

/* The case an SLA step acts on, and the step's operation id. */
struct cases_sla_arg {
	const char *code;
	char opid[96];
};

/*
 * One attempt at the SLA step of ARG's case: read the case from C's view,
 * name the step by the state it acts on, so that it applies once per
 * state, and decide.
 */
static int
cases_sla_cb(struct cases_ctx *c, void *arg, char **cause)
{
	struct cases_sla_arg *sa = arg;
	struct store_case k;
	int rc;

	(void)cause;
	if ((rc = cases_read_case(c, sa->code, &k)) != 0)
		return rc;
	snprintf(sa->opid, sizeof(sa->opid), "sla:%s:%s:%s", sa->code, k.agency,
	    k.ver);
	c->opid = sa->opid;
	apply_free(c->a);
	c->a = apply_new(c->opid, c->now);
	cases_sla_decide(c, sa->code, &k);
	return 0;
}

/* C set up for the SLA step of SA's case. */
static void
cases_sla_ctx(struct cases_ctx *c, struct cases_sla_arg *sa, struct store *st,
    const struct cfg *cfg, const struct crypto_key *key, const char *code)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->cfg = cfg;
	c->key = key;
	sa->code = code;
	snprintf(sa->opid, sizeof(sa->opid), "sla:%s", code);
	c->opid = sa->opid;
}

int
cases_sla_step(struct store *st, const struct cfg *cfg,
    const struct crypto_key *key, const char *code, char **cause)
{
	struct cases_ctx c;
	struct cases_sla_arg sa;

	cases_sla_ctx(&c, &sa, st, cfg, key, code);
	return cases_run(&c, cases_sla_cb, &sa, cause) == APPLY_ERROR ? -1 : 0;
}

int
cases_sla_view(const struct cfg *cfg, const struct crypto_key *key,
    const char *code, long long now, struct cases_view *view,
    struct apply **out, char **cause)
{
	struct cases_ctx c;
	struct cases_sla_arg sa;
	int rc;

	*out = NULL;
	cases_sla_ctx(&c, &sa, NULL, cfg, key, code);
	c.view = *view;
	c.now = now;
	c.a = apply_new(c.opid, c.now);
	rc = cases_sla_cb(&c, &sa, cause);
	*view = c.view;
	if (rc == 0)
		*out = c.a;
	else
		apply_free(c.a);
	return rc;
}
