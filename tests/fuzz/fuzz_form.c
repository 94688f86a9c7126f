/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the URL-encoded form decoder: any bytes through
 * form_parse(), checking its promises (an empty form on failure; at most
 * FORM_PAIRS_MAX pairs of NUL-free, valid UTF-8 strings; form_get() finds
 * the first pair of a name), and that encoding the pairs again and
 * decoding that gives the same pairs back. The same bytes go through
 * form_raw_get() (a bounded value, NUL-terminated) and the value it finds
 * through charset_to_utf8() as Kannel's UTF-16BE (valid UTF-8 without NUL
 * out, within the limit).
 *
 * `make check` replays tests/fuzz/corpus/form/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (tests/README.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/charset.h"
#include "handlers/form.h"
#include "lib/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Append S percent-encoded (all but unreserved characters) at *P. */
static void
fuzz_encode(const char *s, char **p)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || strchr("-._~", *u) != NULL) {
			*(*p)++ = (char)*u;
			continue;
		}
		*(*p)++ = '%';
		*(*p)++ = hex[*u >> 4];
		*(*p)++ = hex[*u & 15];
	}
}

/* Check what a successful parse of SIZE bytes promises. */
static void
fuzz_check(const struct form *f, size_t size)
{
	size_t i, j, nlen, vlen;
	const char *first;

	if (f->n > FORM_PAIRS_MAX || (f->n == 0) != (f->v == NULL))
		abort();
	for (i = 0; i < f->n; i++) {
		nlen = strlen(f->v[i].name);
		vlen = strlen(f->v[i].value);
		if (nlen + vlen > size ||
		    !lang_utf8_valid(f->v[i].name, nlen) ||
		    !lang_utf8_valid(f->v[i].value, vlen))
			abort();
		for (j = 0; j < i; j++) {
			if (strcmp(f->v[j].name, f->v[i].name) == 0)
				break;
		}
		first = form_get(f, f->v[i].name);
		if (first != f->v[j].value)
			abort();
	}
}

/* Encode F, parse that, and compare with F. */
static void
fuzz_roundtrip(const struct form *f, size_t size)
{
	struct form g;
	const char *why = NULL;
	char *buf, *p;
	size_t i;

	if ((buf = malloc(3 * size + f->n * 2 + 1)) == NULL)
		abort();
	p = buf;
	for (i = 0; i < f->n; i++) {
		if (i > 0)
			*p++ = '&';
		fuzz_encode(f->v[i].name, &p);
		*p++ = '=';
		fuzz_encode(f->v[i].value, &p);
	}
	if (form_parse(buf, (size_t)(p - buf), &g, &why) != 0 || g.n != f->n)
		abort();
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, g.v[i].name) != 0 ||
		    strcmp(f->v[i].value, g.v[i].value) != 0)
			abort();
	}
	form_free(&g);
	free(buf);
}

/* The raw value of "text" in SIZE bytes, and it read as UTF-16BE. */
static void
fuzz_raw(const char *data, size_t size)
{
	const char *why = NULL;
	char *raw = NULL, *out = NULL;
	size_t len = 0;
	int found;

	found = form_raw_get(data, size, "text", &raw, &len, &why);
	if (found == -1 && (why == NULL || raw != NULL))
		abort();
	if (found == 0 && raw != NULL)
		abort();
	if (found != 1)
		return;
	if (len > size || raw[len] != '\0')
		abort();
	if (charset_to_utf8("UTF-16BE", raw, len, 64, &out) == CHARSET_OK) {
		if (strlen(out) > 64 || !lang_utf8_valid(out, strlen(out)))
			abort();
		free(out);
	} else if (out != NULL)
		abort();
	free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	const char *why = NULL;

	fuzz_raw((const char *)data, size);

	if (form_parse((const char *)data, size, &f, &why) == -1) {
		if (why == NULL || f.v != NULL || f.n != 0)
			abort();
		form_free(&f);
		return 0;
	}
	fuzz_check(&f, size);
	fuzz_roundtrip(&f, size);
	form_free(&f);
	return 0;
}
