/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * URL-encoded forms (request bodies and query strings) split into pairs and
 * percent-decoded. Every decoded name and value is strict UTF-8 without NUL,
 * so callers can treat them as C strings. Pure functions: no I/O.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "handlers/form.h"
#include "lib/lang.h"

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
 * Percent-decode the LEN bytes at S into D (room for LEN bytes): "%XY"
 * escapes and '+' as a space. The decoded length, or -1 on a bad escape.
 */
static long
decode_bytes(const char *s, size_t len, char *d)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n = 0;
	int hi, lo;

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
		    (lo = hex_value(p[i + 2])) < 0)
			return -1;
		d[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	return (long)n;
}

/*
 * Decode the LEN bytes at S into a new string in *OUT: "%XY" escapes and
 * '+' as a space. Returns 0, or -1 with *why set (and *OUT NULL).
 */
static int
decode(const char *s, size_t len, char **out, const char **why)
{
	char *d;
	long n;

	*out = NULL;
	d = xmalloc(len + 1);
	if ((n = decode_bytes(s, len, d)) < 0) {
		*why = "bad percent-escape";
		goto fail;
	}
	if (memchr(d, '\0', (size_t)n) != NULL) {
		*why = "NUL byte";
		goto fail;
	}
	if (!lang_utf8_valid(d, (size_t)n)) {
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

int
form_raw_get(const char *s, size_t len, const char *name, char **out,
    size_t *outlen, const char **why)
{
	const char *end = s + len, *amp, *eq;
	size_t plen, nlen = strlen(name);
	long n;

	*out = NULL;
	*outlen = 0;
	while (s < end) {
		amp = memchr(s, '&', (size_t)(end - s));
		plen = (size_t)((amp != NULL ? amp : end) - s);
		eq = memchr(s, '=', plen);
		if (eq != NULL && (size_t)(eq - s) == nlen &&
		    memcmp(s, name, nlen) == 0) {
			plen -= nlen + 1;
			*out = xmalloc(plen + 1);
			if ((n = decode_bytes(eq + 1, plen, *out)) < 0) {
				free(*out);
				*out = NULL;
				*why = "bad percent-escape";
				return -1;
			}
			(*out)[n] = '\0';
			*outlen = (size_t)n;
			return 1;
		}
		if (amp == NULL)
			break;
		s = amp + 1;
	}
	return 0;
}
