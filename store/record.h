/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Redis hash read into a C struct by a table of its fields: the one
 * field lookup that the typed records (store/case.h, store/num.h) share.
 */
#ifndef HBM_STORE_RECORD_H
#define HBM_STORE_RECORD_H

#include <stddef.h>

struct store_reply;

enum store_ftype {
	STORE_FSTR,  /* const char *, borrowed from the reply; "" if missing */
	STORE_FNUM,  /* long long; 0 if missing or not a decimal number */
	STORE_FFLAG, /* int; 1 for "1", else 0 */
};

/* One field: its name in the hash, its type, and where it goes. */
struct store_fspec {
	const char *name;
	enum store_ftype type;
	size_t off; /* offsetof() in the struct */
};

/*
 * Fill OUT, a struct that SPEC's N fields describe, from R, a reply to
 * HGETALL: every field first set empty, then each one the reply holds
 * (fields not in SPEC are left aside). Returns 1 when the hash exists (R
 * holds any field), else 0.
 */
int store_record_from(const struct store_fspec *spec, size_t n,
    const struct store_reply *r, void *out);

#endif
