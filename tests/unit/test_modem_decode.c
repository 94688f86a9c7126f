/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for modem/decode.c: UTF-16BE (GSM-7 and UCS-2 text as
 * libgammu hands it over) and 8-bit data to UTF-8, surrogate pairs and
 * lone surrogates, buffers too small, UTF-8 back to UTF-16BE, and balance
 * figures in USSD replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modem/decode.h"

/* UTF-16BE bytes of hex string HEX into OUT; returns the units. */
static size_t
units(const char *hex, unsigned char *out)
{
	size_t i, n = strlen(hex) / 2;

	for (i = 0; i < n; i++) {
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		out[i] = (unsigned char)strtoul(b, NULL, 16);
	}
	return n / 2;
}

struct utf16_case {
	const char *hex; /* UTF-16BE */
	const char *utf8;
};

static const struct utf16_case utf16_cases[] = {
	{ "", "" },
	/* GSM-7 text as libgammu decodes it: "HELP @ £ € {" */
	{ "00480045004C005000200040002000A3002020AC0020007B",
	    "HELP @ \xc2\xa3 \xe2\x82\xac {" },
	/* Arabic "مساعدة" */
	{ "0645063306270639062F0629",
	    "\xd9\x85\xd8\xb3\xd8\xa7\xd8\xb9\xd8\xaf\xd8\xa9" },
	/* an emoji as a surrogate pair: U+1F600 */
	{ "D83DDE00", "\xf0\x9f\x98\x80" },
	{ "0041D83DDE000042",
	    "A\xf0\x9f\x98\x80"
	    "B" },
	/* a lone high surrogate, a lone low one, a reversed pair */
	{ "D83D0041",
	    "\xef\xbf\xbd"
	    "A" },
	{ "DE00", "\xef\xbf\xbd" },
	{ "DE00D83D", "\xef\xbf\xbd\xef\xbf\xbd" },
	/* a high surrogate at the very end */
	{ "0041D83D", "A\xef\xbf\xbd" },
	/* U+0000 inside the text */
	{ "004100000042",
	    "A\xef\xbf\xbd"
	    "B" },
};

static void
test_utf16(void **state)
{
	unsigned char buf[64];
	char out[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(utf16_cases) / sizeof(utf16_cases[0]); i++) {
		n = units(utf16_cases[i].hex, buf);
		assert_int_equal(decode_utf16be(buf, n, out, sizeof(out)),
		    (int)strlen(utf16_cases[i].utf8));
		assert_string_equal(out, utf16_cases[i].utf8);
	}
}

static void
test_utf16_small(void **state)
{
	unsigned char buf[16];
	char out[4];
	size_t n;

	(void)state;
	n = units("004100420043", buf);
	assert_int_equal(decode_utf16be(buf, n, out, 4), 3); /* fits exactly */
	assert_string_equal(out, "ABC");
	n = units("0041004200430044", buf);
	assert_int_equal(decode_utf16be(buf, n, out, 4), -1);
	assert_string_equal(out, "ABC"); /* what fitted, terminated */
	n = units("00410645", buf);	 /* A and a 2-byte character */
	assert_int_equal(decode_utf16be(buf, n, out, 3), -1);
	assert_string_equal(out, "A"); /* never half a character */
	assert_int_equal(decode_utf16be(buf, n, out, 0), -1);
}

static void
test_8bit(void **state)
{
	char out[32];

	(void)state;
	/* valid UTF-8 is kept */
	assert_int_equal(decode_8bit((const unsigned char *)"caf\xc3\xa9", 5,
			     out, sizeof(out)),
	    5);
	assert_string_equal(out, "caf\xc3\xa9");
	/* otherwise ISO 8859-1 */
	assert_int_equal(
	    decode_8bit((const unsigned char *)"caf\xe9", 4, out, sizeof(out)),
	    5);
	assert_string_equal(out, "caf\xc3\xa9");
	/* a NUL byte becomes U+FFFD */
	assert_int_equal(
	    decode_8bit((const unsigned char *)"a\0b", 3, out, sizeof(out)), 5);
	assert_string_equal(out,
	    "a\xef\xbf\xbd"
	    "b");
	/* too small */
	assert_int_equal(
	    decode_8bit((const unsigned char *)"abcdef", 6, out, 4), -1);
	assert_string_equal(out, "abc");
	assert_int_equal(
	    decode_8bit((const unsigned char *)"\xff\xff", 2, out, 4), -1);
	assert_int_equal(decode_8bit((const unsigned char *)"", 0, out, 4), 0);
	assert_string_equal(out, "");
	/* too small for valid UTF-8: cut before a character, never inside
	 * one (found by tests/fuzz/fuzz_decode.c) */
	assert_int_equal(
	    decode_8bit((const unsigned char *)"\xcd\xb1", 2, out, 2), -1);
	assert_string_equal(out, "");
	assert_int_equal(
	    decode_8bit((const unsigned char *)"a\xe2\x82\xac", 4, out, 4), -1);
	assert_string_equal(out, "a");
	assert_int_equal(
	    decode_8bit((const unsigned char *)"ab\xf0\x9f\x98\x80", 6, out, 6),
	    -1);
	assert_string_equal(out, "ab");
}

static void
test_to_utf16(void **state)
{
	unsigned char out[32];
	char back[32];

	(void)state;
	assert_int_equal(decode_to_utf16be("A\xf0\x9f\x98\x80", out, 32), 3);
	assert_memory_equal(out, "\x00\x41\xd8\x3d\xde\x00\x00\x00", 8);
	assert_int_equal(decode_utf16be(out, 3, back, sizeof(back)), 5);
	assert_string_equal(back, "A\xf0\x9f\x98\x80");
	/* Arabic round trip */
	assert_int_equal(
	    decode_to_utf16be("\xd8\xb7\xd8\xb9\xd8\xa7\xd9\x85", out, 32), 4);
	assert_int_equal(decode_utf16be(out, 4, back, sizeof(back)), 8);
	assert_string_equal(back, "\xd8\xb7\xd8\xb9\xd8\xa7\xd9\x85");
	/* empty: just the terminator */
	assert_int_equal(decode_to_utf16be("", out, 2), 0);
	assert_memory_equal(out, "\x00\x00", 2);
	/* invalid UTF-8, overlong, lone continuation, and too small */
	assert_int_equal(decode_to_utf16be("a\xff", out, 32), -1);
	assert_int_equal(decode_to_utf16be("\xc0\x80", out, 32), -1);
	assert_int_equal(decode_to_utf16be("\x80", out, 32), -1);
	assert_int_equal(decode_to_utf16be("abc", out, 7), -1);
	assert_int_equal(decode_to_utf16be("abc", out, 8), 3);
	assert_int_equal(decode_to_utf16be("\xf0\x9f\x98\x80", out, 5), -1);
}

struct balance_case {
	const char *text;
	int rc;
	double value;
};

static const struct balance_case balance_cases[] = {
	{ "Your balance is UGX 1,250.50. Dial *131# for bundles", 0, 1250.5 },
	{ "Dial *131#. Balance: 300", 0, 300 },
	{ "Votre solde est de 2 500 FCFA", 0, 2500 },
	{ "SOLDE 12,5 EUR", 0, 12.5 },
	{ "Credit: -3.25 USD", 0, -3.25 },
	{ "\xd8\xb1\xd8\xb5\xd9\x8a\xd8\xaf\xd9\x83 45 \xd8\xac\xd9\x86\xd9\x8a\xd9\x87",
	    0, 45 },
	{ "1 000 000 units left", 0, 1000000 },
	{ "Reply for *131#", 0, 131 },
	{ "Balance: 1,2345", 0, 1.2345 },
	{ "Your balance is low", -1, 0 },
	{ "", -1, 0 },
};

static void
test_balance(void **state)
{
	char big[400];
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(balance_cases) / sizeof(balance_cases[0]); i++) {
		v = -999;
		assert_int_equal(decode_balance(balance_cases[i].text, &v),
		    balance_cases[i].rc);
		if (balance_cases[i].rc == 0)
			assert_float_equal(v, balance_cases[i].value, 1e-9);
	}
	/* a figure too long to be finite is no balance: json_real() would
	 * refuse it in GET /v1/channels (found by tests/fuzz/fuzz_decode.c) */
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Balance ", 8);
	v = -999;
	assert_int_equal(decode_balance(big, &v), -1);
	assert_float_equal(v, -999, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_utf16_small),
		cmocka_unit_test(test_8bit),
		cmocka_unit_test(test_to_utf16),
		cmocka_unit_test(test_balance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
