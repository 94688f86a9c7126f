/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case hash read into struct store_case (store/case.h), by the table
 * of its fields (store/record.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "lua/case_history.h"
#include "store/case.h"
#include "store/keys.h"
#include "store/record.h"
#include "store/store.h"

#define F(name, type)                                          \
	{                                                      \
#name, type, offsetof(struct store_case, name) \
	}

static const struct store_fspec store_case_fields[] = {
	F(code, STORE_FSTR),
	F(kind, STORE_FSTR),
	F(category, STORE_FSTR),
	F(status, STORE_FSTR),
	F(agency, STORE_FSTR),
	F(region, STORE_FSTR),
	F(note, STORE_FSTR),
	F(lang, STORE_FSTR),
	F(num, STORE_FSTR),
	F(phone, STORE_FSTR),
	F(official, STORE_FSTR),
	F(tried, STORE_FSTR),
	F(ver, STORE_FSTR),
	F(consent, STORE_FFLAG),
	F(escalated, STORE_FFLAG),
	F(purged, STORE_FFLAG),
	F(persons, STORE_FNUM),
	F(priority, STORE_FNUM),
	F(stage, STORE_FNUM),
	F(created_ms, STORE_FNUM),
	F(updated_ms, STORE_FNUM),
	F(acked_ms, STORE_FNUM),
	F(closed_ms, STORE_FNUM),
	F(due_ms, STORE_FNUM),
	F(sms_ms, STORE_FNUM),
	F(sms_n, STORE_FNUM),
};

void
store_case_from(const struct store_reply *r, struct store_case *c)
{
	memset(c, 0, sizeof(*c));
	c->exists = store_record_from(store_case_fields,
	    sizeof(store_case_fields) / sizeof(store_case_fields[0]), r, c);
}

int
store_case_get(struct store *st, const char *code, struct store_reply **keep,
    struct store_case *c, char **cause)
{
	struct store_reply *r;
	char key[KEY_MAX];

	*keep = NULL;
	r = store_commandl(st, cause, "HGETALL", key_case(key, code), NULL);
	if (r == NULL)
		return -1;
	if (r->type != STORE_ARRAY) {
		xasprintf(cause, "case %s: HGETALL: %s", code,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	*keep = r;
	store_case_from(r, c);
	return 0;
}

/* store/lua/case_history.lua. */
static struct store_script store_case_history_script = {
	.name = "case_history",
	.body = LUA_CASE_HISTORY,
};

struct store_reply *
store_case_history(struct store *st, const char *code, long max, char **cause)
{
	struct store_reply *r;
	char key[KEY_MAX], most[24];
	const char *argv[] = { key, most };

	key_case(key, code);
	snprintf(most, sizeof(most), "%ld", max);
	r = store_eval(st, &store_case_history_script, 1, 2, argv, NULL, cause);
	if (r == NULL)
		return NULL;
	if (r->type != STORE_ARRAY) {
		xasprintf(cause, "case %s: history: %s", code,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return NULL;
	}
	return r;
}
