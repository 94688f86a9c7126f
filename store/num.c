/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The number record read into struct store_num (store/num.h), by the table
 * of its fields (store/record.h), and its "c:<code>" fields into the list
 * of its cases.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store/num.h"
#include "store/record.h"
#include "store/store.h"

#define F(name, type)                                         \
	{                                                     \
#name, type, offsetof(struct store_num, name) \
	}

static const struct store_fspec store_num_fields[] = {
	F(lang, STORE_FSTR),
	F(menu, STORE_FSTR),
	F(ver, STORE_FSTR),
	F(optout, STORE_FFLAG),
	F(menu_ms, STORE_FNUM),
	F(help_ms, STORE_FNUM),
	F(case_ms, STORE_FNUM),
	F(case_n, STORE_FNUM),
	F(reply_ms, STORE_FNUM),
	F(reply_n, STORE_FNUM),
	F(code_ms, STORE_FNUM),
	F(code_n, STORE_FNUM),
};

/* 1 when A is newer than B: a later time, or the same and a higher code. */
static int
store_num_newer(const struct store_num_case *a, const struct store_num_case *b)
{
	return a->ms != b->ms ? a->ms > b->ms : strcmp(a->code, b->code) > 0;
}

/* A case's code: the digits after the prefix of FIELD; else NULL. */
static const char *
store_num_code(const char *field)
{
	const char *code;
	size_t len;

	if (strncmp(field, STORE_NUM_CASE_PREFIX,
		sizeof(STORE_NUM_CASE_PREFIX) - 1) != 0)
		return NULL;
	code = field + sizeof(STORE_NUM_CASE_PREFIX) - 1;
	len = strspn(code, "0123456789");
	return len > 0 && len < 32 && code[len] == '\0' ? code : NULL;
}

/* Add C to N's list: kept newest first, the oldest beyond the cap left. */
static void
store_num_add(struct store_num *n, const struct store_num_case *c,
    struct store_num_case *oldest, size_t *total)
{
	size_t i;

	if ((*total)++ == 0 || store_num_newer(oldest, c))
		*oldest = *c;
	if (n->ncases == STORE_NUM_CASES &&
	    !store_num_newer(c, &n->cases[STORE_NUM_CASES - 1]))
		return;
	i = n->ncases < STORE_NUM_CASES ? n->ncases++ : STORE_NUM_CASES - 1;
	for (; i > 0 && store_num_newer(c, &n->cases[i - 1]); i--)
		n->cases[i] = n->cases[i - 1];
	n->cases[i] = *c;
}

void
store_num_from(const struct store_reply *r, struct store_num *n)
{
	struct store_num_case c, oldest = { NULL, 0 };
	size_t j, total = 0;
	char *end;

	memset(n, 0, sizeof(*n));
	n->exists = store_record_from(store_num_fields,
	    sizeof(store_num_fields) / sizeof(store_num_fields[0]), r, n);
	if (!n->exists)
		return;
	for (j = 0; j + 1 < r->elements; j += 2) {
		if (r->element[j]->type == STORE_STRING &&
		    strncmp(r->element[j]->str, STORE_NUM_MSG_PREFIX,
			sizeof(STORE_NUM_MSG_PREFIX) - 1) == 0)
			n->nmsgs++;
		if (r->element[j]->type != STORE_STRING ||
		    r->element[j + 1]->type != STORE_STRING ||
		    (c.code = store_num_code(r->element[j]->str)) == NULL)
			continue;
		c.ms = strtoll(r->element[j + 1]->str, &end, 10);
		if (r->element[j + 1]->str[0] == '\0' || *end != '\0')
			continue;
		store_num_add(n, &c, &oldest, &total);
	}
	if (total >= STORE_NUM_CASES)
		n->drop = oldest.code;
}
