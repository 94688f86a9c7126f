/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The number record read into struct store_num (store/num.h), by the table
 * of its fields (store/record.h).
 */
#include <stddef.h>
#include <string.h>

#include "store/num.h"
#include "store/record.h"

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

void
store_num_from(const struct store_reply *r, struct store_num *n)
{
	memset(n, 0, sizeof(*n));
	n->exists = store_record_from(store_num_fields,
	    sizeof(store_num_fields) / sizeof(store_num_fields[0]), r, n);
}
