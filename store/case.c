/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case hash read into struct store_case (store/case.h): one walk over
 * the reply's fields, each matched against one table of names.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/case.h"
#include "store/keys.h"
#include "store/store.h"

enum store_case_type { STR, NUM, FLAG };

static const struct {
	const char *name;
	enum store_case_type type;
	size_t off;
} store_case_fields[] = {
	{ "code", STR, offsetof(struct store_case, code) },
	{ "kind", STR, offsetof(struct store_case, kind) },
	{ "category", STR, offsetof(struct store_case, category) },
	{ "status", STR, offsetof(struct store_case, status) },
	{ "agency", STR, offsetof(struct store_case, agency) },
	{ "region", STR, offsetof(struct store_case, region) },
	{ "note", STR, offsetof(struct store_case, note) },
	{ "lang", STR, offsetof(struct store_case, lang) },
	{ "num", STR, offsetof(struct store_case, num) },
	{ "phone", STR, offsetof(struct store_case, phone) },
	{ "official", STR, offsetof(struct store_case, official) },
	{ "tried", STR, offsetof(struct store_case, tried) },
	{ "ver", STR, offsetof(struct store_case, ver) },
	{ "consent", FLAG, offsetof(struct store_case, consent) },
	{ "escalated", FLAG, offsetof(struct store_case, escalated) },
	{ "purged", FLAG, offsetof(struct store_case, purged) },
	{ "persons", NUM, offsetof(struct store_case, persons) },
	{ "priority", NUM, offsetof(struct store_case, priority) },
	{ "stage", NUM, offsetof(struct store_case, stage) },
	{ "created_ms", NUM, offsetof(struct store_case, created_ms) },
	{ "updated_ms", NUM, offsetof(struct store_case, updated_ms) },
	{ "acked_ms", NUM, offsetof(struct store_case, acked_ms) },
	{ "closed_ms", NUM, offsetof(struct store_case, closed_ms) },
	{ "due_ms", NUM, offsetof(struct store_case, due_ms) },
};

#define STORE_CASE_NFIELDS \
	(sizeof(store_case_fields) / sizeof(store_case_fields[0]))

/* Set field I of C to V. */
static void
store_case_set(struct store_case *c, size_t i, const char *v)
{
	char *p = (char *)c + store_case_fields[i].off, *end;
	long long n;

	switch (store_case_fields[i].type) {
	case STR:
		*(const char **)(void *)p = v;
		break;
	case NUM:
		n = strtoll(v, &end, 10);
		*(long long *)(void *)p = *end == '\0' ? n : 0;
		break;
	case FLAG:
		*(int *)(void *)p = strcmp(v, "1") == 0;
		break;
	}
}

void
store_case_from(const struct store_reply *r, struct store_case *c)
{
	size_t i, j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < STORE_CASE_NFIELDS; i++)
		if (store_case_fields[i].type == STR)
			store_case_set(c, i, "");
	if (r == NULL || r->type != STORE_ARRAY || r->elements == 0)
		return;
	c->exists = 1;
	for (j = 0; j + 1 < r->elements; j += 2) {
		if (r->element[j]->type != STORE_STRING ||
		    r->element[j + 1]->type != STORE_STRING)
			continue;
		for (i = 0; i < STORE_CASE_NFIELDS; i++)
			if (strcmp(r->element[j]->str,
				store_case_fields[i].name) == 0) {
				store_case_set(c, i, r->element[j + 1]->str);
				break;
			}
	}
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
