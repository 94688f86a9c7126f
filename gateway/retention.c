/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retention passes, run by the SLA thread every few seconds. Stream entry
 * ids begin with their time in ms, so the inbox is trimmed with XTRIM
 * MINID, and so is the audit stream (keeping the last trimmed entry's hash
 * as the chain's anchor); closed cases are found in {hbm}:closed (scored by closing time)
 * and purged one script call each, so a case is never half purged.
 * Message records have no TTL: the oldest entries of the message log
 * name them, and they are deleted here with those entries, a few hundred
 * a script call; the zset of ids from before the log is trimmed here too.
 * Number records expire by themselves (EXPIRE).
 *
 * The steps are independent: one that fails (a key of the wrong type, a
 * script error) is counted in hbmgw_retention_errors_total{step} and
 * logged, and the pass goes on with the others, so that one broken key
 * does not hold back every other purge. Only an unreachable Redis ends a
 * pass early.
 *
 * The scripts are store/lua/retention_purge.lua and retention_msgs.lua.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/cfg.h"
#include "store/audit.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/retention.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/retention_msgs.h"
#include "lua/retention_purge.h"
#include "store/keys.h"

#define RETENTION_BATCH "100"
#define RETENTION_MSG_ENTRIES 20 /* log entries a call: 2000 ids at most */
#define RETENTION_MSG_CALLS 50	 /* calls a pass, the rest next time */

/* Delete old message records: store/lua/retention_msgs.lua. */
static struct store_script retention_msgs_script = {
	.name = "retention_msgs",
	.body = LUA_RETENTION_MSGS,
};

/* Purge one closed case: store/lua/retention_purge.lua. */
static struct store_script retention_purge_script = {
	.name = "retention_purge",
	.body = LUA_RETENTION_PURGE,
};

/*
 * An error reply R to WHAT: freed, *CAUSE set and -1; otherwise 0 and R
 * kept.
 */
static int
retention_failed(struct store_reply *r, const char *what, char **cause)
{
	if (r->type != STORE_ERROR)
		return 0;
	xasprintf(cause, "%s: %s", what, r->str);
	store_reply_free(r);
	return -1;
}

static int
retention_trim_inbox(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	struct store_reply *r;
	char minid[32];

	snprintf(
	    minid, sizeof(minid), "%lld", now - cfg_message_ttl(cfg) * 1000);
	r = store_commandl(st, cause, "XTRIM", KEY_INBOX, "MINID", minid, NULL);
	if (r == NULL || retention_failed(r, KEY_INBOX, cause) == -1)
		return -1;
	if (r->type == STORE_INTEGER && r->integer > 0)
		log_info("retention: %lld inbox entries past privacy."
			 "message_days removed",
		    r->integer);
	store_reply_free(r);
	return 0;
}

/*
 * The message ids that versions before {hbm}:msglog indexed in the zset
 * {hbm}:msgs:all, past message_days: nothing adds to it now, and once
 * empty it is gone.
 */
static int
retention_trim_msgs_all(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	struct store_reply *r;
	char max[32];

	snprintf(max, sizeof(max), "(%lld", now - cfg_message_ttl(cfg) * 1000);
	r = store_commandl(
	    st, cause, "ZREMRANGEBYSCORE", KEY_MSGS_ALL, "-inf", max, NULL);
	if (r == NULL || retention_failed(r, KEY_MSGS_ALL, cause) == -1)
		return -1;
	store_reply_free(r);
	return 0;
}

/*
 * The message records queued before privacy.message_days, with the log
 * entries that name them. A pass stops after RETENTION_MSG_CALLS calls,
 * so that a backlog (a gateway that was down) goes over a few passes.
 */
static int
retention_msgs(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	const char *argv[3] = { KEY_MSGLOG, NULL, NULL };
	struct store_reply *r;
	char last[32], count[16];
	long long n = 0, entries;
	int i;

	snprintf(
	    last, sizeof(last), "%lld", now - cfg_message_ttl(cfg) * 1000 - 1);
	snprintf(count, sizeof(count), "%d", RETENTION_MSG_ENTRIES);
	argv[1] = last;
	argv[2] = count;
	for (i = 0; i < RETENTION_MSG_CALLS; i++) {
		if ((r = store_eval(st, &retention_msgs_script, 1, 3, argv,
			 NULL, cause)) == NULL)
			return -1;
		if (r->type != STORE_ARRAY || r->elements != 2 ||
		    r->element[0]->type != STORE_INTEGER ||
		    r->element[1]->type != STORE_INTEGER) {
			xasprintf(cause, "%s: retention_msgs: %s", KEY_MSGLOG,
			    r->type == STORE_ERROR ? r->str
						   : "unexpected reply");
			store_reply_free(r);
			return -1;
		}
		n += r->element[0]->integer;
		entries = r->element[1]->integer;
		store_reply_free(r);
		if (entries < RETENTION_MSG_ENTRIES)
			break;
	}
	if (n > 0)
		log_info("retention: %lld message records past privacy."
			 "message_days removed",
		    n);
	return 0;
}

/*
 * A case whose purge fails (its key holds something else) is left in
 * {hbm}:closed and named in *CAUSE, and the others of the batch are
 * purged all the same.
 */
static int
retention_purge_cases(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	struct store_reply *r, *p;
	const char *argv[3];
	char max[32], key[KEY_MAX], *why;
	size_t i;
	int n = 0, failed = 0;

	snprintf(max, sizeof(max), "%lld", now - cfg_retention_ttl(cfg) * 1000);
	r = store_commandl(st, cause, "ZRANGEBYSCORE", KEY_CLOSED, "-inf", max,
	    "LIMIT", "0", RETENTION_BATCH, NULL);
	if (r == NULL || retention_failed(r, KEY_CLOSED, cause) == -1)
		return -1;
	for (i = 0; r->type == STORE_ARRAY && i < r->elements; i++) {
		key_case(key, r->element[i]->str);
		argv[0] = key;
		argv[1] = KEY_CLOSED;
		argv[2] = r->element[i]->str;
		why = NULL;
		p = store_eval(
		    st, &retention_purge_script, 2, 3, argv, NULL, &why);
		if (p == NULL) {
			/* Redis is away: the rest waits for the next pass. */
			store_reply_free(r);
			free(*cause);
			*cause = why;
			return -1;
		}
		if (retention_failed(p, key, &why) == -1) {
			if (failed++ == 0)
				*cause = why;
			else
				free(why);
			continue;
		}
		n++;
		store_reply_free(p);
	}
	store_reply_free(r);
	if (n > 0) {
		log_info("retention: %d closed cases past privacy."
			 "retention_days purged",
		    n);
		metrics_add("hbmgw_cases_purged_total", "", n);
	}
	return failed ? -1 : n;
}

/* The audit entries past audit_days, leaving an anchor (audit.c). */
static int
retention_trim_audit(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	char minid[32];
	long long n;

	snprintf(minid, sizeof(minid), "%lld", now - cfg_audit_ttl(cfg) * 1000);
	if (audit_trim(st, minid, &n, cause) == -1)
		return -1;
	if (n > 0)
		log_info("retention: %lld audit entries past privacy."
			 "audit_days removed, the chain anchored",
		    n);
	return 0;
}

/*
 * The steps of a pass, in order, with their metric labels. Each returns
 * -1 with a cause, or what it counts for the pass (the purge, the cases
 * it purged; the others 0).
 */
#define RETENTION_STEP(name, fn)              \
	{                                     \
		name, "step=\"" name "\"", fn \
	}
static const struct retention_step {
	const char *name;
	const char *labels;
	int (*run)(struct store *, const struct cfg *, long long, char **);
} retention_steps[] = {
	RETENTION_STEP("inbox", retention_trim_inbox),
	RETENTION_STEP("msgs", retention_msgs),
	RETENTION_STEP("msgs_all", retention_trim_msgs_all),
	RETENTION_STEP("audit", retention_trim_audit),
	RETENTION_STEP("cases", retention_purge_cases),
};
#define RETENTION_STEPS (sizeof(retention_steps) / sizeof(retention_steps[0]))

void
retention_metrics_init(void)
{
	size_t i;

	for (i = 0; i < RETENTION_STEPS; i++)
		metrics_add("hbmgw_retention_errors_total",
		    retention_steps[i].labels, 0);
}

int
retention_run(
    struct store *st, const struct cfg *cfg, long long now_ms, char **cause)
{
	/* Only the SLA thread runs passes. */
	static struct log_limit limit[RETENTION_STEPS];
	static int failing[RETENTION_STEPS];
	char *why;
	size_t i;
	int rc, purged = 0, failed = 0;

	for (i = 0; i < RETENTION_STEPS; i++) {
		why = NULL;
		rc = retention_steps[i].run(st, cfg, now_ms, &why);
		if (rc == -1 && !store_connected(st)) {
			/* Redis is away: said where the connection is. */
			free(*cause);
			*cause = why;
			return -1;
		}
		if (rc == -1) {
			metrics_add("hbmgw_retention_errors_total",
			    retention_steps[i].labels, 1);
			log_warnx_limit(&limit[i],
			    "retention: %s: %s; the other steps go on",
			    retention_steps[i].name, why);
			failing[i] = 1;
			if (failed++ == 0)
				*cause = why;
			else
				free(why);
			continue;
		}
		if (failing[i]) {
			log_info("retention: %s: working again",
			    retention_steps[i].name);
			failing[i] = 0;
		}
		purged += rc;
	}
	return failed ? -1 : purged;
}
