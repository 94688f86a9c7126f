/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The schema version of the data (store/schema.h). Data with no version
 * is told by what only an older schema wrote: a number's set of cases
 * (schema 1), a case's history list (schema 2). Looking for one takes a
 * SCAN of the keys, done once: when none is found, the data is given this
 * version's schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/keys.h"
#include "store/schema.h"
#include "store/store.h"

#define SCHEMA_SCAN_COUNT "1000"

/* The version in {hbm}:schema: 0 when there is none, or -1 with *cause. */
static int
schema_read(struct store *st, char **cause)
{
	struct store_reply *r;
	int v = 0;

	if ((r = store_commandl(st, cause, "GET", KEY_SCHEMA, NULL)) == NULL)
		return -1;
	if (r->type == STORE_STRING)
		v = atoi(r->str) > 0 ? atoi(r->str) : 1;
	else if (r->type != STORE_NIL) {
		xasprintf(cause, "redis: GET %s: %s", KEY_SCHEMA,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		v = -1;
	}
	store_reply_free(r);
	return v;
}

/* 1 when a key matching PATTERN exists, 0 when none, -1 with *cause. */
static int
schema_found(struct store *st, const char *pattern, char **cause)
{
	struct store_reply *r;
	char cursor[32] = "0";
	int found = 0;

	do {
		r = store_commandl(st, cause, "SCAN", cursor, "MATCH", pattern,
		    "COUNT", SCHEMA_SCAN_COUNT, NULL);
		if (r == NULL)
			return -1;
		if (r->type != STORE_ARRAY || r->elements != 2 ||
		    r->element[0]->type != STORE_STRING ||
		    r->element[1]->type != STORE_ARRAY) {
			xasprintf(cause, "redis: SCAN: %s",
			    r->type == STORE_ERROR ? r->str
						   : "unexpected reply");
			store_reply_free(r);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		found = r->element[1]->elements > 0;
		store_reply_free(r);
	} while (!found && strcmp(cursor, "0") != 0);
	return found;
}

int
store_schema_get(struct store *st, char **cause)
{
	struct store_reply *r;
	char version[16];
	int v;

	if ((v = schema_read(st, cause)) != 0)
		return v;
	if ((v = schema_found(st, KEY_NUM_CASES_V1_MATCH, cause)) != 0)
		return v; /* 1, or -1 */
	if ((v = schema_found(st, KEY_CASE_HIST_V2_MATCH, cause)) != 0)
		return v == 1 ? 2 : -1;
	snprintf(version, sizeof(version), "%d", STORE_SCHEMA);
	r = store_commandl(st, cause, "SET", KEY_SCHEMA, version, "NX", NULL);
	if (r == NULL)
		return -1;
	store_reply_free(r);
	v = schema_read(st, cause); /* ours, or another daemon's */
	return v == 0 ? STORE_SCHEMA : v;
}

int
store_schema_set(struct store *st, char **cause)
{
	struct store_reply *r;
	char version[16];
	int rc = 0;

	snprintf(version, sizeof(version), "%d", STORE_SCHEMA);
	if ((r = store_commandl(st, cause, "SET", KEY_SCHEMA, version, NULL)) ==
	    NULL)
		return -1;
	if (r->type == STORE_ERROR) {
		xasprintf(cause, "redis: SET %s: %s", KEY_SCHEMA, r->str);
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}
