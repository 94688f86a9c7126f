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

static int
retention_trim_inbox(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	struct store_reply *r;
	char minid[32];

	snprintf(
	    minid, sizeof(minid), "%lld", now - cfg_message_ttl(cfg) * 1000);
	r = store_commandl(st, cause, "XTRIM", KEY_INBOX, "MINID", minid, NULL);
	if (r == NULL)
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
	if (r == NULL)
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
			xasprintf(cause, "redis: retention_msgs: %s",
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

static int
retention_purge_cases(
    struct store *st, const struct cfg *cfg, long long now, char **cause)
{
	struct store_reply *r, *p;
	const char *argv[3];
	char max[32], key[KEY_MAX];
	size_t i;
	int n = 0;

	snprintf(max, sizeof(max), "%lld", now - cfg_retention_ttl(cfg) * 1000);
	r = store_commandl(st, cause, "ZRANGEBYSCORE", KEY_CLOSED, "-inf", max,
	    "LIMIT", "0", RETENTION_BATCH, NULL);
	if (r == NULL)
		return -1;
	for (i = 0; r->type == STORE_ARRAY && i < r->elements; i++) {
		key_case(key, r->element[i]->str);
		argv[0] = key;
		argv[1] = KEY_CLOSED;
		argv[2] = r->element[i]->str;
		if ((p = store_eval(st, &retention_purge_script, 2, 3, argv,
			 NULL, cause)) == NULL) {
			store_reply_free(r);
			return -1;
		}
		store_reply_free(p);
		n++;
	}
	store_reply_free(r);
	if (n > 0) {
		log_info("retention: %d closed cases past privacy."
			 "retention_days purged",
		    n);
		metrics_add("hbmgw_cases_purged_total", "", n);
	}
	return n;
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

int
retention_run(
    struct store *st, const struct cfg *cfg, long long now_ms, char **cause)
{
	if (retention_trim_inbox(st, cfg, now_ms, cause) == -1 ||
	    retention_msgs(st, cfg, now_ms, cause) == -1 ||
	    retention_trim_msgs_all(st, cfg, now_ms, cause) == -1 ||
	    retention_trim_audit(st, cfg, now_ms, cause) == -1)
		return -1;
	return retention_purge_cases(st, cfg, now_ms, cause);
}
