/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/code.c: the Damm check digit against known
 * vectors, every single-digit error and adjacent swap over a sample of
 * codes, codes from random bytes, and every way of typing a code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/code.h"

#define TEST_SAMPLE 1000 /* codes checked for every error */

/* A small fixed-seed generator (xorshift64), so failures repeat. */
static uint64_t
test_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Eight random bytes from S. */
static void
test_bytes(uint64_t *s, unsigned char rnd[8])
{
	uint64_t v = test_rand(s);
	size_t i;

	for (i = 0; i < 8; i++)
		rnd[i] = (unsigned char)(v >> (8 * i));
}

struct damm_case {
	const char *digits;
	int want;
};

static const struct damm_case damm_cases[] = {
	{ "572", 4 },  /* the textbook example */
	{ "5724", 0 }, /* ... which then validates */
	{ "", 0 },
	{ "0", 0 },
	{ "4821395", 5 },
	{ "48213955", 0 },
	{ "48213957", 5 }, /* DESIGN.md's sample code is not a valid one */
	{ "1234567", 1 },
	{ "12345671", 0 },
	{ "1000000", 4 },
	{ "3141592", 9 },
	{ "12a", -1 },
	{ "-1", -1 },
	{ "٤", -1 },
};

static void
test_damm(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof damm_cases / sizeof damm_cases[0]; i++) {
		const struct damm_case *c = &damm_cases[i];
		int got = code_damm(c->digits, strlen(c->digits));

		if (got != c->want)
			fail_msg("case %zu \"%s\": %d, want %d", i, c->digits,
			    got, c->want);
	}
	/* only the first N digits count */
	assert_int_equal(code_damm("572x", 3), 4);
}

static void
test_from_random(void **state)
{
	static const unsigned char zero[8],
	    ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char rnd[8];
	char out[CODE_LEN + 1];
	int first[10] = { 0 };
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t i;

	(void)state;
	code_from_random(zero, out);
	assert_string_equal(out, "10000004");
	code_from_random(ones, out);
	assert_true(code_check(out));
	for (i = 0; i < 100000; i++) {
		test_bytes(&s, rnd);
		memset(out, 'X', sizeof out);
		code_from_random(rnd, out);
		assert_int_equal(strlen(out), CODE_LEN);
		assert_int_equal(strspn(out, "0123456789"), CODE_LEN);
		assert_true(out[0] != '0');
		assert_true(code_check(out));
		first[out[0] - '0']++;
	}
	for (i = 1; i < 10; i++)
		assert_true(first[i] > 100000 / 9 - 1000);
}

/* Every single-digit substitution of a valid code is caught. */
static void
test_substitution(void **state)
{
	unsigned char rnd[8];
	char code[CODE_LEN + 1], bad[CODE_LEN + 1], out[CODE_LEN + 1];
	uint64_t s = 42;
	size_t n, pos;
	char d;

	(void)state;
	for (n = 0; n < TEST_SAMPLE; n++) {
		test_bytes(&s, rnd);
		code_from_random(rnd, code);
		assert_int_equal(code_parse(code, out), CODE_OK);
		for (pos = 0; pos < CODE_LEN; pos++) {
			for (d = '0'; d <= '9'; d++) {
				if (d == code[pos])
					continue;
				memcpy(bad, code, sizeof bad);
				bad[pos] = d;
				assert_false(code_check(bad));
				assert_int_equal(code_parse(bad, out),
				    pos == 0 && d == '0' ? CODE_NONE
							 : CODE_BAD_CHECK);
			}
		}
	}
}

/* Every swap of two different adjacent digits of a valid code is caught. */
static void
test_transposition(void **state)
{
	unsigned char rnd[8];
	char code[CODE_LEN + 1], bad[CODE_LEN + 1], out[CODE_LEN + 1];
	uint64_t s = 7;
	size_t n, pos, swaps = 0;

	(void)state;
	for (n = 0; n < TEST_SAMPLE; n++) {
		test_bytes(&s, rnd);
		code_from_random(rnd, code);
		for (pos = 0; pos + 1 < CODE_LEN; pos++) {
			if (code[pos] == code[pos + 1])
				continue;
			memcpy(bad, code, sizeof bad);
			bad[pos] = code[pos + 1];
			bad[pos + 1] = code[pos];
			assert_false(code_check(bad));
			assert_int_not_equal(code_parse(bad, out), CODE_OK);
			swaps++;
		}
	}
	assert_true(swaps > TEST_SAMPLE * 5);
}

/* Every single-digit error and adjacent swap of every 3-digit string. */
static void
test_damm_exhaustive(void **state)
{
	char s[5], t[5];
	int v, pos, d;

	(void)state;
	for (v = 0; v < 1000; v++) {
		s[0] = (char)('0' + v / 100);
		s[1] = (char)('0' + v / 10 % 10);
		s[2] = (char)('0' + v % 10);
		s[3] = (char)('0' + code_damm(s, 3));
		assert_int_equal(code_damm(s, 4), 0);
		for (pos = 0; pos < 4; pos++) {
			for (d = '0'; d <= '9'; d++) {
				if (d == s[pos])
					continue;
				memcpy(t, s, 4);
				t[pos] = (char)d;
				assert_int_not_equal(code_damm(t, 4), 0);
			}
			if (pos < 3 && s[pos] != s[pos + 1]) {
				memcpy(t, s, 4);
				t[pos] = s[pos + 1];
				t[pos + 1] = s[pos];
				assert_int_not_equal(code_damm(t, 4), 0);
			}
		}
	}
}

struct parse_case {
	const char *in;
	enum code_status want;
	const char *code; /* OUT afterwards */
};

static const struct parse_case parse_cases[] = {
	/* every accepted form */
	{ "48213955", CODE_OK, "48213955" },
	{ "4821-3955", CODE_OK, "48213955" },
	{ "4821 3955", CODE_OK, "48213955" },
	{ " 48213955 ", CODE_OK, "48213955" },
	{ "\t4821-3955\r\n", CODE_OK, "48213955" },
	{ "4821  3955", CODE_OK, "48213955" }, /* spaces fold to one */
	{ "48-21-39-55", CODE_OK, "48213955" },
	{ "4 8 2 1 3 9 5 5", CODE_OK, "48213955" },
	{ "٤٨٢١-٣٩٥٥", CODE_OK, "48213955" },
	{ "٤٨٢١ ٣٩٥٥", CODE_OK, "48213955" },
	{ "۴۸۲۱۳۹۵۵", CODE_OK, "48213955" },
	{ "۴۸۲۱-۳۹۵۵", CODE_OK, "48213955" },
	{ "48٢١۳۹55", CODE_OK, "48213955" },
	{ "4821\xe2\x80\x93"
	  "3955",
	    CODE_OK, "48213955" }, /* en dash */
	{ "4821\xe2\x88\x92"
	  "3955",
	    CODE_OK, "48213955" }, /* minus sign */
	{ "4821\xc2\xa0"
	  "3955",
	    CODE_OK, "48213955" }, /* no-break space */
	{ "\xe2\x80\x8f"
	  "48213955\xe2\x80\x8e",
	    CODE_OK, "48213955" }, /* direction marks */
	{ "10000004", CODE_OK, "10000004" },
	{ "12345671", CODE_OK, "12345671" },
	/* eight digits, wrong check digit: echoed */
	{ "48213957", CODE_BAD_CHECK, "48213957" },
	{ "4821-3957", CODE_BAD_CHECK, "48213957" },
	{ "٤٨٢١-٣٩٥٧", CODE_BAD_CHECK, "48213957" },
	{ "۴۸۲۱۳۹۵۷", CODE_BAD_CHECK, "48213957" },
	{ "48213595", CODE_BAD_CHECK, "48213595" }, /* swapped 9 and 5 */
	{ "99999999", CODE_BAD_CHECK, "99999999" },
	/* not a code */
	{ "", CODE_NONE, "" },
	{ "   ", CODE_NONE, "" },
	{ "4821395", CODE_NONE, "" },
	{ "482139550", CODE_NONE, "" },
	{ "4821-39550", CODE_NONE, "" },
	{ "08213955", CODE_NONE, "" },
	{ "0821-3955", CODE_NONE, "" },
	{ "4821--3955", CODE_NONE, "" },
	{ "4821 - 3955", CODE_NONE, "" },
	{ "-48213955", CODE_NONE, "" },
	{ "48213955-", CODE_NONE, "" },
	{ "4821-395a", CODE_NONE, "" },
	{ "ABCD-EFGH", CODE_NONE, "" },
	{ "HELP", CODE_NONE, "" },
	{ "+48213955", CODE_NONE, "" },
	{ "4821.3955", CODE_NONE, "" },
	{ "4821_3955", CODE_NONE, "" },
	{ "4821/3955", CODE_NONE, "" },
	{ "48213955 48213955", CODE_NONE, "" },
	{ "\xff\xfe", CODE_NONE, "" },
	{ "4821\xff"
	  "3955",
	    CODE_OK, "48213955" }, /* invalid bytes are dropped */
	{ "4821 3955 "
	  "                                                                  "
	  "                                                                  "
	  "x",
	    CODE_NONE, "" },
};

static void
test_parse(void **state)
{
	char out[CODE_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		enum code_status got;

		memset(out, 'X', sizeof out);
		got = code_parse(c->in, out);
		if (got != c->want)
			fail_msg("case %zu \"%s\": status %d, want %d", i,
			    c->in, got, c->want);
		if (strcmp(out, c->code) != 0)
			fail_msg("case %zu \"%s\": \"%s\", want \"%s\"", i,
			    c->in, out, c->code);
	}
}

/* Padding folds away up to 255 bytes; longer text is never a code. */
static void
test_parse_long(void **state)
{
	char in[1200], out[CODE_LEN + 1];

	(void)state;
	memset(in, ' ', sizeof in);
	memcpy(in + 100, "48213955", 8);
	in[200] = '\0';
	assert_int_equal(code_parse(in, out), CODE_OK);
	in[200] = ' ';
	in[sizeof in - 1] = '\0';
	assert_int_equal(code_parse(in, out), CODE_NONE);
	assert_string_equal(out, "");
}

static void
test_check(void **state)
{
	(void)state;
	assert_true(code_check("48213955"));
	assert_true(code_check("10000004"));
	assert_false(code_check("48213957"));
	assert_false(code_check("08213955"));
	assert_false(code_check("4821-3955"));
	assert_false(code_check("4821395"));
	assert_false(code_check("482139550"));
	assert_false(code_check("٤٨٢١٣٩٥٥"));
	assert_false(code_check(""));
}

static void
test_format(void **state)
{
	char out[CODE_LEN + 2];
	char shortcode[CODE_LEN + 1] = "123", empty[CODE_LEN + 1] = "";

	(void)state;
	code_format("48213955", out);
	assert_string_equal(out, "4821-3955");
	code_format("10000004", out);
	assert_string_equal(out, "1000-0004");
	code_format(shortcode, out);
	assert_string_equal(out, "123");
	code_format(empty, out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damm),
		cmocka_unit_test(test_from_random),
		cmocka_unit_test(test_substitution),
		cmocka_unit_test(test_transposition),
		cmocka_unit_test(test_damm_exhaustive),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
