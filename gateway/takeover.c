/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Claiming the pending entries of dead instances (see takeover.h). It runs
 * on the calling consumer's thread and connection. The consumers of a
 * group are listed with XINFO CONSUMERS; for each one idle long enough
 * whose instance is not ours, one script checks that the instance has no
 * lease, claims its entries idle TAKEOVER_IDLE_MS (XCLAIM resets their idle
 * time, so two instances looking at once never both claim one entry), and
 * removes the consumer once nothing is pending on it.
 *
 * The script is store/lua/takeover_claim.lua.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/lease.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "gateway/takeover.h"
#include "lib/xmalloc.h"
#include "lua/takeover_claim.h"

/* Claim a dead instance's entries: store/lua/takeover_claim.lua. */
static struct store_script takeover_script = {
	.name = "takeover_claim",
	.body = LUA_TAKEOVER_CLAIM,
};

int
takeover_instance(const char *name, char out[TAKEOVER_NAME_MAX])
{
	const char *slash = strchr(name, '/');
	size_t len = strlen(name);

	if (slash != NULL) {
		/* "<instance>/<digits>", and no other slash. */
		if (slash[1] == '\0' ||
		    strspn(slash + 1, "0123456789") != strlen(slash + 1))
			return -1;
		len = (size_t)(slash - name);
	}
	if (len == 0 || len >= TAKEOVER_NAME_MAX)
		return -1;
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

/*
 * Run the script for dead consumer NAME of instance INSTANCE: how many
 * entries it claimed (*ENTRIES set when some), or -1 with *cause.
 */
static int
takeover_one(struct store *st, const char *stream, const char *group,
    const char *name, const char *instance, const char *consumer, int count,
    struct store_reply **entries, char **cause)
{
	char key[LEASE_KEY_MAX], idle[16], max[16], labels[300];
	const char *argv[7];
	struct store_reply *r;
	int n = 0;

	if (lease_key(instance, key) == -1)
		return 0;
	snprintf(idle, sizeof(idle), "%d", TAKEOVER_IDLE_MS);
	snprintf(max, sizeof(max), "%d", count);
	argv[0] = stream;
	argv[1] = key;
	argv[2] = group;
	argv[3] = name;
	argv[4] = consumer;
	argv[5] = idle;
	argv[6] = max;
	r = store_eval(st, &takeover_script, 2, 7, argv, NULL, cause);
	if (r == NULL)
		return -1;
	if (r->type != STORE_ARRAY || r->elements != 3 ||
	    r->element[0]->type != STORE_INTEGER ||
	    r->element[1]->type != STORE_ARRAY ||
	    r->element[2]->type != STORE_INTEGER) {
		xasprintf(cause, "redis: takeover_claim: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	snprintf(labels, sizeof(labels), "stream=\"%s\"", stream);
	if (r->element[0]->integer > 0) {
		n = (int)r->element[0]->integer;
		log_warnx("takeover: %s: took %d pending entries of %s, whose "
			  "instance has no lease",
		    stream, n, name);
		metrics_add("hbmgw_takeover_entries_total", labels, n);
		*entries = r->element[1];
		r->element[1] = NULL;
	}
	if (r->element[2]->integer == 1) {
		log_info("takeover: %s: removed consumer %s", stream, name);
		metrics_add(
		    "hbmgw_takeover_consumers_removed_total", labels, 1);
	}
	store_reply_free(r);
	return n;
}

int
takeover_claim(struct store *st, const char *stream, const char *group,
    const char *self, const char *consumer, int count,
    struct store_reply **entries, char **cause)
{
	char instance[TAKEOVER_NAME_MAX];
	const struct store_reply *c, *name, *idle;
	struct store_reply *r;
	size_t i;
	int n = 0;

	*entries = NULL;
	r = store_commandl(
	    st, cause, "XINFO", "CONSUMERS", stream, group, NULL);
	if (r == NULL)
		return -1;
	/* No stream or group yet: nothing to take over. */
	for (i = 0; r->type == STORE_ARRAY && i < r->elements && n == 0; i++) {
		c = r->element[i];
		name = store_field(c, "name");
		idle = store_field_any(c, "idle");
		if (name == NULL || name->type != STORE_STRING ||
		    idle == NULL || idle->type != STORE_INTEGER ||
		    idle->integer < TAKEOVER_IDLE_MS ||
		    takeover_instance(name->str, instance) == -1 ||
		    strcmp(instance, self) == 0)
			continue;
		n = takeover_one(st, stream, group, name->str, instance,
		    consumer, count, entries, cause);
	}
	store_reply_free(r);
	return n;
}
