/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMS of a case's timeline and their statuses (case_sms.h). The
 * script is store/lua/msg_status.lua.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/case_sms.h"
#include "store/keys.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/msg_status.h"

static struct store_script msg_status_script = {
	.name = "msg_status",
	.body = LUA_MSG_STATUS,
};

struct case_sms {
	struct store_reply *r; /* per SMS read, { status, channel } */
	size_t *at;	       /* per history entry, its index in r + 1, or 0 */
};

/* The message id of the SMS entry S (a history entry), or NULL. */
static const char *
case_sms_id(json_t *e)
{
	const char *what, *id;

	if (json_unpack(e, "{s:s,s:s}", "what", &what, "msg", &id) == -1 ||
	    strcmp(what, "sms") != 0)
		return NULL;
	return id;
}

struct case_sms *
case_sms_load(struct store *st, const struct store_reply *h, char **cause)
{
	struct case_sms *cs = xcalloc(1, sizeof(*cs));
	char(*keys)[KEY_MAX] = NULL;
	const char **argv = NULL;
	const char *id;
	size_t i, n = 0;
	json_t *e;

	cs->at = xcalloc(h->elements + 1, sizeof(*cs->at));
	/* the last CASE_SMS_MAX, from the end */
	for (i = h->elements; i > 0 && n < CASE_SMS_MAX; i--) {
		e = json_loadb(
		    h->element[i - 1]->str, h->element[i - 1]->len, 0, NULL);
		if ((id = case_sms_id(e)) != NULL) {
			keys = xreallocarray(keys, n + 1, sizeof(*keys));
			key_msg(keys[n], id);
			cs->at[i - 1] = ++n;
		}
		json_decref(e);
	}
	/* keys moves as it grows: point at it once it is whole */
	argv = xreallocarray(NULL, n + 1, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = keys[i];
	if (n > 0) {
		cs->r = store_eval(
		    st, &msg_status_script, (int)n, (int)n, argv, NULL, cause);
		if (cs->r != NULL &&
		    (cs->r->type != STORE_ARRAY || cs->r->elements != n)) {
			xasprintf(cause, "msg_status: unexpected reply");
			store_reply_free(cs->r);
			cs->r = NULL;
		}
		if (cs->r == NULL) {
			case_sms_free(cs);
			cs = NULL;
		}
	}
	free(keys);
	free(argv);
	return cs;
}

void
case_sms_free(struct case_sms *cs)
{
	if (cs == NULL)
		return;
	store_reply_free(cs->r);
	free(cs->at);
	free(cs);
}

/* Field J of the read R ({ status, channel }), or NULL. */
static const char *
case_sms_field(const struct store_reply *r, size_t j)
{
	if (r->type != STORE_ARRAY || j >= r->elements ||
	    r->element[j]->type != STORE_STRING)
		return NULL;
	return r->element[j]->str;
}

int
case_sms_entry(const struct case_sms *cs, size_t i, json_t *e, const char *when,
    json_t **out)
{
	const struct store_reply *r;
	const char *role, *kind, *status, *channel;

	*out = NULL;
	if (case_sms_id(e) == NULL)
		return 0;
	if ((cs != NULL && cs->at[i] == 0) ||
	    json_unpack(e, "{s:s,s:s}", "to", &role, "kind", &kind) == -1)
		return 1;
	if (cs == NULL) /* the statuses could not be read */
		status = "unknown", channel = NULL;
	else {
		r = cs->r->element[cs->at[i] - 1];
		if ((status = case_sms_field(r, 0)) == NULL)
			status = "expired";
		channel = case_sms_field(r, 1);
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s*}", "at", when, "what",
	    "sms", "to_role", role, "kind", kind, "status", status, "channel",
	    channel != NULL && channel[0] != '\0' ? channel : NULL);
	return 1;
}
