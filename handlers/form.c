/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * URL-encoded forms (request bodies and query strings) split into pairs and
 * percent-decoded. Every decoded name and value is strict UTF-8 without NUL,
 * so callers can treat them as C strings. Pure functions: no I/O.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/xmalloc.h"
#include "handlers/form.h"
#include "handlers/lang.h"

/* The value of the hex digit C (either case), or -1. */
static int
hex_value(unsigned char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p;

	if (c == '\0' || (p = strchr(digits, tolower(c))) == NULL)
		return -1;
	return (int)(p - digits);
}

/*
 * Decode the LEN bytes at S into a new string in *OUT: "%XY" escapes and
 * '+' as a space. Returns 0, or -1 with *why set (and *OUT NULL).
 */
static int
decode(const char *s, size_t len, char **out, const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	char *d;
	size_t i, n = 0;
	int hi, lo;

	*out = NULL;
	d = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (p[i] == '+') {
			d[n++] = ' ';
			continue;
		}
		if (p[i] != '%') {
			d[n++] = (char)p[i];
			continue;
		}
		if (len - i < 3 || (hi = hex_value(p[i + 1])) < 0 ||
		    (lo = hex_value(p[i + 2])) < 0) {
			*why = "bad percent-escape";
			goto fail;
		}
		d[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	if (memchr(d, '\0', n) != NULL) {
		*why = "NUL byte";
		goto fail;
	}
	if (!lang_utf8_valid(d, n)) {
		*why = "invalid UTF-8";
		goto fail;
	}
	d[n] = '\0';
	*out = d;
	return 0;
fail:
	free(d);
	return -1;
}

/* Decode the pair in the LEN bytes at S (not empty) into P. */
static int
pair_parse(const char *s, size_t len, struct form_pair *p, const char **why)
{
	const char *eq;
	size_t nlen;

	eq = memchr(s, '=', len);
	nlen = eq != NULL ? (size_t)(eq - s) : len;
	if (decode(s, nlen, &p->name, why) == -1)
		return -1;
	if (eq == NULL)
		p->value = xstrdup("");
	else if (decode(eq + 1, len - nlen - 1, &p->value, why) == -1) {
		free(p->name);
		p->name = NULL;
		return -1;
	}
	return 0;
}

int
form_parse(const char *s, size_t len, struct form *f, const char **why)
{
	const char *end, *amp;
	size_t plen;

	f->v = NULL;
	f->n = 0;
	if (len == 0)
		return 0;
	end = s + len;
	for (;;) {
		amp = memchr(s, '&', (size_t)(end - s));
		plen = (size_t)((amp != NULL ? amp : end) - s);
		if (plen > 0) {
			if (f->n == FORM_PAIRS_MAX) {
				*why = "too many fields";
				goto fail;
			}
			if (f->v == NULL)
				f->v = xcalloc(FORM_PAIRS_MAX, sizeof *f->v);
			if (pair_parse(s, plen, &f->v[f->n], why) == -1)
				goto fail;
			f->n++;
		}
		if (amp == NULL)
			break;
		s = amp + 1;
	}
	return 0;
fail:
	form_free(f);
	return -1;
}

const char *
form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, name) == 0)
			return f->v[i].value;
	}
	return NULL;
}

void
form_free(struct form *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
