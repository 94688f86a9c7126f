/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a case decision may read (handlers/cases_int.h: struct cases_view).
 *
 * A decision never reads Redis itself. It asks its view for the reply to a
 * read (cases_read()); a reply the view lacks is noted, and the decision
 * answers CASES_NEED. The caller then loads every noted read
 * (cases_view_load()) and decides again from the start, with everything
 * read so far still in the view. Replies stay valid until the view is
 * emptied, which the caller does when a conflict shows they are stale.
 * A test fills a view by hand (cases_view_put()) and decides with no
 * Redis at all.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/case.h"
#include "store/store.h"
#include "lib/crypto.h"
#include "lib/xmalloc.h"
#include "handlers/cases_int.h"

#define CASES_VIEW_WORDS 16 /* words in one read */

/* The words of AP, up to a NULL, as one query; its length in *LEN. */
static char *
cases_view_query(const char *first, va_list ap, size_t *len)
{
	const char *w;
	size_t n = 0;
	char *q = NULL;

	for (w = first; w != NULL; w = va_arg(ap, const char *)) {
		size_t l = strlen(w) + 1;

		q = xreallocarray(q, n + l, 1);
		memcpy(q + n, w, l);
		n += l;
	}
	*len = n;
	return q;
}

/* The read of QUERY in V, or NULL. */
static struct cases_read *
cases_view_find(struct cases_view *v, const char *q, size_t len)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->reads[i].len == len &&
		    memcmp(v->reads[i].query, q, len) == 0)
			return &v->reads[i];
	return NULL;
}

/* Add QUERY (taken) with REPLY (taken, or NULL: still to load). */
static struct cases_read *
cases_view_add(struct cases_view *v, char *q, size_t len, struct store_reply *r)
{
	struct cases_read *rd;

	if (v->n == v->cap) {
		v->cap = v->cap != 0 ? v->cap * 2 : 8;
		v->reads = xreallocarray(v->reads, v->cap, sizeof(*v->reads));
	}
	rd = &v->reads[v->n++];
	rd->query = q;
	rd->len = len;
	rd->reply = r;
	if (r == NULL)
		v->need++;
	return rd;
}

/* The read of the words FIRST and AP in V, added (to load) when new. */
static struct cases_read *
cases_view_entry(struct cases_view *v, const char *first, va_list ap)
{
	struct cases_read *rd;
	size_t len;
	char *q;

	q = cases_view_query(first, ap, &len);
	if ((rd = cases_view_find(v, q, len)) == NULL)
		return cases_view_add(v, q, len, NULL);
	free(q);
	return rd;
}

int
cases_read(
    struct cases_ctx *c, const struct store_reply **out, const char *first, ...)
{
	struct cases_read *rd;
	va_list ap;

	va_start(ap, first);
	rd = cases_view_entry(&c->view, first, ap);
	va_end(ap);
	*out = rd->reply;
	return rd->reply != NULL ? 0 : CASES_NEED;
}

int
cases_read_case(struct cases_ctx *c, const char *code, struct store_case *k)
{
	const struct store_reply *r;
	char key[KEY_MAX];
	int rc;

	rc = cases_read(c, &r, "HGETALL", key_case(key, code), NULL);
	store_case_from(rc == 0 ? r : NULL, k);
	return rc;
}

int
cases_read_num(struct cases_ctx *c, const char *hash, struct store_num *n)
{
	const struct store_reply *r;
	char key[KEY_MAX];
	int rc;

	rc = cases_read(c, &r, "HGETALL", key_num(key, hash), NULL);
	store_num_from(rc == 0 ? r : NULL, n);
	return rc;
}

void
cases_view_put(
    struct cases_view *v, struct store_reply *r, const char *first, ...)
{
	struct cases_read *rd;
	va_list ap;

	va_start(ap, first);
	rd = cases_view_entry(v, first, ap);
	va_end(ap);
	if (rd->reply == NULL)
		v->need--;
	store_reply_free(rd->reply);
	rd->reply = r;
}

/* The answer to CASES_READ_OPEN SEALED (cases_int.h). */
static struct store_reply *
cases_view_open(const struct crypto_key *key, const char *sealed)
{
	struct store_reply *r;
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (crypto_open(key, sealed, &plain, &len, &cause) == -1 ||
	    strlen(plain) != len) {
		free(cause);
		free(plain);
		return store_reply_strings(NULL, 0);
	}
	r = store_reply_strings((const char *const *)&plain, 1);
	free(plain);
	return r;
}

int
cases_view_load(struct cases_view *v, struct store *st,
    const struct crypto_key *key, char **cause)
{
	const char *argv[CASES_VIEW_WORDS];
	struct store_reply *r;
	size_t i, off;
	int argc;

	for (i = 0; i < v->n && v->need > 0; i++) {
		if (v->reads[i].reply != NULL)
			continue;
		for (argc = 0, off = 0;
		     off < v->reads[i].len && argc < CASES_VIEW_WORDS; argc++) {
			argv[argc] = v->reads[i].query + off;
			off += strlen(argv[argc]) + 1;
		}
		if (argc == 2 && strcmp(argv[0], CASES_READ_OPEN) == 0) {
			v->reads[i].reply = cases_view_open(key, argv[1]);
			v->need--;
			continue;
		}
		if ((r = store_command(st, argc, argv, NULL, cause)) == NULL)
			return -1;
		/* Every read a decision makes answers an array. */
		if (r->type != STORE_ARRAY) {
			xasprintf(cause, "cases: %s %s: %s", argv[0],
			    argc > 1 ? argv[1] : "",
			    r->type == STORE_ERROR ? r->str
						   : "unexpected reply");
			store_reply_free(r);
			return -1;
		}
		v->reads[i].reply = r;
		v->need--;
	}
	return 0;
}

void
cases_view_clear(struct cases_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->reads[i].query);
		store_reply_free(v->reads[i].reply);
	}
	free(v->reads);
	memset(v, 0, sizeof(*v));
}
