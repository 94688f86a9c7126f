/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/charset.c: the charset Kannel's coding and
 * charset escape codes name, and text in UTF-16BE, ISO-8859-1,
 * WINDOWS-1252 and UTF-8 to UTF-8, with every refusal (unknown or
 * malformed charset, invalid or incomplete text, NUL, too long).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/charset.h"

struct kannel_case {
	const char *coding, *charset, *want; /* want NULL: refused */
};

static const struct kannel_case kannel_cases[] = {
	{ NULL, NULL, "UTF-8" },
	{ "0", NULL, "UTF-8" },
	{ "-1", "", "UTF-8" },
	{ "1", "8-BIT", "UTF-8" },
	{ "1", "binary", "UTF-8" },
	{ "2", NULL, "UTF-16BE" },
	{ "2", "", "UTF-16BE" },
	{ "2", "UTF-16BE", "UTF-16BE" },
	{ "0", "ISO-8859-1", "ISO-8859-1" },
	{ NULL, "WINDOWS-1252", "WINDOWS-1252" },
	{ "0", "UTF-8", "UTF-8" },
	{ "3", NULL, NULL },
	{ "", NULL, NULL },
	{ "02", NULL, NULL },
	{ "%c", NULL, NULL },
	{ "2", "UTF-8//IGNORE", NULL },
	{ "2", "UTF 8", NULL },
	{ "0", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL },
};

static void
test_kannel(void **state)
{
	const char *got, *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof kannel_cases / sizeof kannel_cases[0]; i++) {
		const struct kannel_case *c = &kannel_cases[i];

		why = NULL;
		got = charset_kannel(c->coding, c->charset, &why);
		if (c->want == NULL) {
			if (got != NULL || why == NULL)
				fail_msg("case %zu: accepted", i);
			continue;
		}
		if (got == NULL || strcmp(got, c->want) != 0)
			fail_msg("case %zu: got %s, want %s", i,
			    got != NULL ? got : "(refused)", c->want);
	}
	why = NULL;
	charset_kannel("7", NULL, &why);
	assert_string_equal(
	    why, "coding: expected 0 (7-bit), 1 (8-bit) or 2 (UCS-2)");
	charset_kannel("2", "a b", &why);
	assert_string_equal(why, "charset: malformed name");
}

struct conv_case {
	const char *from;
	const char *in;
	size_t len;
	enum charset_result want;
	const char *out; /* on CHARSET_OK */
};

static const struct conv_case conv_cases[] = {
	/* "مرحبا" and "HELP FOOD" as a phone sends them in UCS-2. */
	{ "UTF-16BE", "\x06\x45\x06\x31\x06\x2d\x06\x28\x06\x27", 10,
	    CHARSET_OK, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7" },
	{ "UTF-16BE", "\0H\0E\0L\0P\0 \0F\0O\0O\0D", 18, CHARSET_OK,
	    "HELP FOOD" },
	/* A surrogate pair: U+1F600. */
	{ "UTF-16BE", "\xd8\x3d\xde\x00", 4, CHARSET_OK, "\xf0\x9f\x98\x80" },
	{ "ISO-8859-1", "caf\xe9", 4, CHARSET_OK, "caf\xc3\xa9" },
	{ "WINDOWS-1252", "\x80 5", 3, CHARSET_OK, "\xe2\x82\xac 5" },
	{ "UTF-8", "HELP \xe2\x9c\x93", 8, CHARSET_OK, "HELP \xe2\x9c\x93" },
	{ "utf-16be", "\0a", 2, CHARSET_OK, "a" },
	{ "UTF-16BE", "", 0, CHARSET_OK, "" },
	/* Odd length, a lone surrogate: not UTF-16BE. */
	{ "UTF-16BE", "\x06\x45\x06", 3, CHARSET_INVALID, NULL },
	{ "UTF-16BE", "\xd8\x3d\0a", 4, CHARSET_INVALID, NULL },
	{ "UTF-16BE", "\xdc\x00", 2, CHARSET_INVALID, NULL },
	/* 0x81 is not a WINDOWS-1252 character. */
	{ "WINDOWS-1252", "a\x81", 2, CHARSET_INVALID, NULL },
	{ "UTF-8", "\xff\xfe", 2, CHARSET_INVALID, NULL },
	{ "UTF-8", "\xc0\x80", 2, CHARSET_INVALID, NULL },
	{ "UTF-8", "\xe2\x82", 2, CHARSET_INVALID, NULL },
	{ "UTF-16BE", "\0a\0\0", 4, CHARSET_NUL, NULL },
	{ "UTF-8", "a\0b", 3, CHARSET_NUL, NULL },
	{ "X-NO-SUCH-CHARSET", "a", 1, CHARSET_UNKNOWN, NULL },
	{ "UTF-8//IGNORE", "a", 1, CHARSET_UNKNOWN, NULL },
	{ "", "a", 1, CHARSET_UNKNOWN, NULL },
};

static void
test_to_utf8(void **state)
{
	enum charset_result r;
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++) {
		const struct conv_case *c = &conv_cases[i];

		out = (char *)1;
		r = charset_to_utf8(c->from, c->in, c->len, 64, &out);
		if (r != c->want)
			fail_msg("case %zu: result %d, want %d", i, (int)r,
			    (int)c->want);
		if (c->want == CHARSET_OK) {
			assert_non_null(out);
			if (strcmp(out, c->out) != 0)
				fail_msg("case %zu: wrong text", i);
			free(out);
		} else if (out != NULL)
			fail_msg("case %zu: *out not NULL", i);
	}
}

/* MAX counts UTF-8 bytes: 2 Arabic letters are 4 bytes of either. */
static void
test_max(void **state)
{
	static const char in[] = "\x06\x45\x06\x31\x06\x2d";
	char *out;

	(void)state;
	assert_int_equal(
	    charset_to_utf8("UTF-16BE", in, 4, 4, &out), CHARSET_OK);
	assert_string_equal(out, "\xd9\x85\xd8\xb1");
	free(out);
	assert_int_equal(
	    charset_to_utf8("UTF-16BE", in, 6, 4, &out), CHARSET_TOO_LONG);
	assert_null(out);
	assert_int_equal(
	    charset_to_utf8("UTF-16BE", in, 6, 5, &out), CHARSET_TOO_LONG);
	assert_int_equal(
	    charset_to_utf8("UTF-16BE", in, 6, 6, &out), CHARSET_OK);
	free(out);
	assert_int_equal(charset_to_utf8("UTF-8", "abcdefghijk", 11, 10, &out),
	    CHARSET_TOO_LONG);
	assert_int_equal(
	    charset_to_utf8("UTF-8", "abcdefghij", 10, 10, &out), CHARSET_OK);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kannel),
		cmocka_unit_test(test_to_utf8),
		cmocka_unit_test(test_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
