/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * application/x-www-form-urlencoded bodies and query strings decoded into
 * name/value pairs, as webhooks and USSD aggregators send them. Pure
 * functions: no I/O, no globals.
 */
#ifndef HBM_HANDLERS_FORM_H
#define HBM_HANDLERS_FORM_H

#include <stddef.h>

#define FORM_PAIRS_MAX 64 /* more pairs than this is a bad request */

/* One decoded pair; both strings are owned by the struct form. */
struct form_pair {
	char *name;  /* percent-decoded, '+' -> ' ', valid UTF-8, no NUL */
	char *value; /* the same; "" when the pair had no '=' */
};

/* The pairs in the order they came; released by form_free(). */
struct form {
	struct form_pair *v; /* N pairs, NULL when N is 0 */
	size_t n;	     /* number of pairs, at most FORM_PAIRS_MAX */
};

/*
 * Decode S (LEN bytes, no NUL needed): pairs separated by '&', name and
 * value by the first '='; empty pieces ("a=1&&b=2", a trailing '&') are
 * skipped. Returns 0, or -1 with *why set to a static lowercase reason on a
 * bad %-escape, an embedded NUL (raw or "%00"), invalid UTF-8 or more than
 * FORM_PAIRS_MAX pairs; F is then empty. F needs no form_free() after -1.
 */
int form_parse(const char *s, size_t len, struct form *f, const char **why);

/* The first value of NAME (compared exactly), or NULL. */
const char *form_get(const struct form *, const char *name);

/*
 * The first value of NAME (written as it is, not escaped) in the LEN bytes
 * at S, percent-decoded as raw bytes: a NUL or bytes that are not UTF-8
 * are kept, for text in another charset. Returns 1 with a new string of
 * *OUTLEN bytes (and a NUL after them) in *OUT, 0 when NAME is absent, or
 * -1 with *why set on a bad %-escape in its value.
 */
int form_raw_get(const char *s, size_t len, const char *name, char **out,
    size_t *outlen, const char **why);

/* Release the pairs and leave F empty; safe on an empty or freed form. */
void form_free(struct form *);

#endif
