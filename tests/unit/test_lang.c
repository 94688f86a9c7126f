/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/lang.c: folding of case, accents, Arabic and
 * Persian variants, marks, digits and white space; truncation; strict UTF-8
 * validation and decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/lang.h"

struct fold_case {
	const char *in;
	const char *want;
};

static const struct fold_case fold_cases[] = {
	/* case */
	{ "HELP", "help" },
	{ "Help Me", "help me" },
	{ "hElP", "help" },
	{ "ABCXYZ abcxyz 0189", "abcxyz abcxyz 0189" },
	{ "@[`{", "@[`{" },
	/* Latin-1 accents */
	{ "ARRÊT", "arret" },
	{ "CLÔTURER", "cloturer" },
	{ "Élève À Ça", "eleve a ca" },
	{ "ÀÁÂÃÄÅàáâãäå", "aaaaaaaaaaaa" },
	{ "ÈÉÊËèéêë ÌÍÎÏìíîï", "eeeeeeee iiiiiiii" },
	{ "ÒÓÔÕÖØòóôõöø ÙÚÛÜùúûü", "oooooooooooo uuuuuuuu" },
	{ "Ññ Çç Ýýÿ Ÿ", "nn cc yyy y" },
	{ "Æ æ ß Œuvre cœur", "ae ae ss oeuvre coeur" },
	{ "Ðð Þþ", "dd þþ" },
	{ "× ÷ ¿ « »", "× ÷ ¿ « »" },
	/* other scripts are left alone */
	{ "ПОМОЩЬ", "ПОМОЩЬ" },
	{ "😀 HELP", "😀 help" },
	/* Arabic and Persian letter variants */
	{ "مساعدة", "مساعده" },
	{ "مساعده", "مساعده" },
	{ "کمک", "كمك" },
	{ "كمك", "كمك" },
	{ "ی", "ي" },
	{ "ى", "ي" },
	{ "ي", "ي" },
	{ "أ إ آ ٱ ا", "ا ا ا ا ا" },
	{ "إغلاق", "اغلاق" },
	{ "ۀ", "ه" },
	{ "گ پ چ ژ", "گ پ چ ژ" },
	{ "ؤ ئ", "ؤ ئ" },
	/* diacritics and tatweel */
	{ "مُسَاعَدَةٌ", "مساعده" },
	{ "بًٌٍَُِّْ", "ب" },
	{ "هٰذا", "هذا" },
	{ "مـــساعدة", "مساعده" },
	{ "ا\xd9\x94", "ا" }, /* combining hamza above */
	/* digits */
	{ "٠١٢٣٤٥٦٧٨٩", "0123456789" },
	{ "۰۱۲۳۴۵۶۷۸۹", "0123456789" },
	{ "٤٨٢١-٣٩٥٧", "4821-3957" },
	{ "۴۸۲۱ ۳۹۵۷", "4821 3957" },
	/* white space */
	{ "", "" },
	{ "   ", "" },
	{ "  help  ", "help" },
	{ "\tHELP\r\nFOOD\n", "help food" },
	{ "a  \t \n b", "a b" },
	{ "HELP\xc2\xa0"
	  "FOOD",
	    "help food" }, /* no-break space */
	{ "HELP\xe2\x80\x8b"
	  "FOOD",
	    "help food" }, /* zero width space */
	{ "HELP\xe3\x80\x80"
	  "FOOD",
	    "help food" }, /* ideographic space */
	{ "HELP\xe2\x80\xaf"
	  "FOOD\xe2\x80\xa8",
	    "help food" }, /* narrow no-break, line separator */
	{ "HELP\x01\x7f"
	  "FOOD",
	    "help food" }, /* controls */
	{ "HELP\xc2\x85"
	  "FOOD",
	    "help food" }, /* C1 control NEL */
	/* invisible marks are dropped */
	{ "می\xe2\x80\x8cخواهم", "ميخواهم" }, /* ZWNJ inside a Persian word */
	{ "\xe2\x80\x8fHELP\xe2\x80\x8e", "help" }, /* RLM, LRM */
	{ "\xef\xbb\xbfHELP", "help" },		    /* BOM */
	{ "HE\xc2\xadLP", "help" },		    /* soft hyphen */
	{ "\xd8\x9cقبول", "قبول" },		    /* Arabic letter mark */
	{ "\xe2\x81\xa6HELP\xe2\x81\xa9", "help" }, /* bidi isolates */
	{ "a \xe2\x80\x8d b", "a b" },		    /* ZWJ between spaces */
	/* invalid UTF-8 is dropped */
	{ "HE\xffLP", "help" },
	{ "\xc3", "" },
	{ "A\xe2\x82", "a" },
	{ "\xc0\xaf"
	  "x",
	    "x" },		  /* overlong '/' */
	{ "\xed\xa0\x80X", "x" }, /* surrogate */
	{ "\xf4\x90\x80\x80Y", "y" },
	{ "\x80\xbf Z", "z" },
};

static void
test_fold(void **state)
{
	char out[256];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof fold_cases / sizeof fold_cases[0]; i++) {
		const struct fold_case *c = &fold_cases[i];

		memset(out, 'X', sizeof out);
		n = lang_fold(c->in, out, sizeof out);
		if (strcmp(out, c->want) != 0)
			fail_msg("case %zu \"%s\": \"%s\", want \"%s\"", i,
			    c->in, out, c->want);
		assert_int_equal(n, strlen(c->want));
	}
}

/* Different spellings that must fold the same. */
static void
test_fold_equal(void **state)
{
	static const char *const pairs[][2] = {
		{ "كمك", "کمک" },
		{ "مساعدة", "مساعده" },
		{ "مُسَاعَدَة", "مساعدة" },
		{ "مـساعدة", "مساعدة" },
		{ "إيقاف", "ايقاف" },
		{ "أبدأ", "ابدا" },
		{ "موسى", "موسي" },
		{ "فارسی", "فارسي" },
		{ "STOP", "stop" },
		{ "ARRÊT", "arret" },
		{ "Arrêt", "ARRET" },
		{ "۴۸۲۱", "٤٨٢١" },
		{ "۴۸۲۱", "4821" },
		{ " a  b ", "a\tb" },
	};
	char a[64], b[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		lang_fold(pairs[i][0], a, sizeof a);
		lang_fold(pairs[i][1], b, sizeof b);
		if (strcmp(a, b) != 0)
			fail_msg("pair %zu: \"%s\" != \"%s\"", i, a, b);
	}
}

struct trunc_case {
	const char *in;
	size_t outlen;
	const char *want;
};

static const struct trunc_case trunc_cases[] = {
	{ "héllo", 3, "he" },
	{ "héllo", 6, "hello" },
	{ "héllo", 5, "hell" },
	{ "ab", 1, "" },
	{ "ش", 2, "" },
	{ "ش", 3, "ش" },
	{ "aش", 3, "a" },
	{ "a b", 3, "a" }, /* never a trailing space */
	{ "a b", 4, "a b" },
	{ "😀x", 4, "" },
	{ "😀x", 5, "😀" },
	{ "😀x", 6, "😀x" },
	{ "ßa", 2, "" }, /* "ss" is one unit */
	{ "ßa", 3, "ss" },
	{ "œ", 2, "" },
	{ "٤٨", 2, "4" },
};

static void
test_fold_truncate(void **state)
{
	char out[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof trunc_cases / sizeof trunc_cases[0]; i++) {
		const struct trunc_case *c = &trunc_cases[i];

		memset(out, 'X', sizeof out);
		n = lang_fold(c->in, out, c->outlen);
		if (strcmp(out, c->want) != 0)
			fail_msg("case %zu \"%s\"/%zu: \"%s\", want \"%s\"", i,
			    c->in, c->outlen, out, c->want);
		assert_int_equal(n, strlen(c->want));
		assert_int_equal(out[c->outlen], 'X');
	}
	/* no room at all: nothing written */
	memset(out, 'X', sizeof out);
	assert_int_equal(lang_fold("abc", out, 0), 0);
	assert_int_equal(out[0], 'X');
}

static void
test_foldn(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(lang_foldn("HELP FOOD", 4, out, sizeof out), 4);
	assert_string_equal(out, "help");
	/* a character cut by INLEN is invalid and dropped */
	assert_int_equal(lang_foldn("aé", 2, out, sizeof out), 1);
	assert_string_equal(out, "a");
	/* NUL inside counts as a control character */
	assert_int_equal(lang_foldn("A\0B", 3, out, sizeof out), 3);
	assert_string_equal(out, "a b");
}

/* A small fixed-seed generator (xorshift64), so failures repeat. */
static uint64_t
test_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Folding random text: valid UTF-8, spaces single, idempotent. */
static void
test_fold_random(void **state)
{
	static const char *const pieces[] = { "A", "z", " ", "\t", "É", "ß",
		"œ", "مُ", "ة", "ی", "ک", "ـ", "٤", "۴", "\xe2\x80\x8c",
		"\xc2\xa0", "\xff", "\xe2\x82", "\xf0\x9f\x98\x80",
		"\xed\xa0\x80", "\x01", "-", "\xc3" };
	char in[128], a[96], b[96];
	uint64_t s = 1;
	size_t i, j, len, n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = 0;
		for (j = test_rand(&s) % 24; j > 0; j--) {
			const char *p = pieces[test_rand(&s) %
			    (sizeof pieces / sizeof pieces[0])];

			memcpy(in + len, p, strlen(p));
			len += strlen(p);
		}
		in[len] = '\0';
		n = lang_fold(in, a, sizeof a);
		assert_int_equal(n, strlen(a));
		assert_true(lang_utf8_valid(a, n));
		assert_null(strstr(a, "  "));
		assert_true(n == 0 || (a[0] != ' ' && a[n - 1] != ' '));
		lang_fold(a, b, sizeof b);
		assert_string_equal(a, b);
	}
}

struct valid_case {
	const char *s;
	size_t len;
	int want;
};

#define V(s, want)                     \
	{                              \
		s, sizeof(s) - 1, want \
	}

static const struct valid_case valid_cases[] = {
	V("", 1),
	V("abc", 1),
	V("a\0b", 1),
	V("\xc3\xa9", 1),	  /* é */
	V("\xc2\x80", 1),	  /* U+0080, smallest 2-byte */
	V("\xdf\xbf", 1),	  /* U+07FF */
	V("\xe0\xa0\x80", 1),	  /* U+0800, smallest 3-byte */
	V("\xe2\x82\xac", 1),	  /* € */
	V("\xed\x9f\xbf", 1),	  /* U+D7FF, below the surrogates */
	V("\xee\x80\x80", 1),	  /* U+E000, above them */
	V("\xef\xbf\xbf", 1),	  /* U+FFFF */
	V("\xf0\x90\x80\x80", 1), /* U+10000, smallest 4-byte */
	V("\xf0\x9f\x98\x80", 1), /* emoji */
	V("\xf4\x8f\xbf\xbf", 1), /* U+10FFFF */
	V("مساعدة ۴۸۲۱", 1),
	/* overlong forms */
	V("\xc0\x80", 0),
	V("\xc0\xaf", 0),
	V("\xc1\xbf", 0),
	V("\xe0\x80\x80", 0),
	V("\xe0\x9f\xbf", 0),
	V("\xf0\x80\x80\x80", 0),
	V("\xf0\x8f\xbf\xbf", 0),
	/* surrogates */
	V("\xed\xa0\x80", 0),
	V("\xed\xbf\xbf", 0),
	V("\xed\xa0\xbd\xed\xb8\x80", 0), /* CESU-8 emoji */
	/* above U+10FFFF */
	V("\xf4\x90\x80\x80", 0),
	V("\xf5\x80\x80\x80", 0),
	V("\xf7\xbf\xbf\xbf", 0),
	V("\xf8\x88\x80\x80\x80", 0),
	V("\xfe", 0),
	V("\xff", 0),
	/* truncated */
	V("\xc3", 0),
	V("\xe2\x82", 0),
	V("\xf0\x9f\x98", 0),
	V("a\xe2", 0),
	V("\xf0\x9f\x98 ", 0),
	/* stray or missing continuation bytes */
	V("\x80", 0),
	V("\xbf", 0),
	V("a\x80z", 0),
	V("\xc3\x41", 0),
	V("\xe2\x28\xa1", 0),
	V("\xe2\x82\x28", 0),
	V("\xf0\x9f\x28\x80", 0),
	V("\xc3\xa9\xa9", 0),
};

static void
test_utf8_valid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
		const struct valid_case *c = &valid_cases[i];

		if (lang_utf8_valid(c->s, c->len) != c->want)
			fail_msg("case %zu: got %d", i, !c->want);
	}
	/* a valid character cut short by LEN */
	assert_false(lang_utf8_valid("\xf0\x9f\x98\x80", 3));
	assert_true(lang_utf8_valid("\xf0\x9f\x98\x80", 0));
}

static void
test_utf8_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(lang_utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(lang_utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(lang_utf8_decode("\xdb\xb4", 2, &cp), 2);
	assert_int_equal(cp, 0x06f4);
	assert_int_equal(lang_utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(lang_utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(lang_utf8_decode("\xe2\x82\xac", 2, &cp), 0);
	assert_int_equal(lang_utf8_decode("A", 0, &cp), 0);
	assert_int_equal(lang_utf8_decode("\xc0\x80", 2, &cp), 0);
}

static void
test_is_space(void **state)
{
	static const uint32_t yes[] = { ' ', '\t', '\n', '\r', 0, 0x1f, 0x7f,
		0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x200b, 0x2028, 0x2029,
		0x202f, 0x205f, 0x3000 };
	static const uint32_t no[] = { '!', 'a', '0', 0xa1, 0xad, 0x0640,
		0x200c, 0x200d, 0x200e, 0x200f, 0xfeff, 0x3001 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(lang_is_space(yes[i]));
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(lang_is_space(no[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_equal),
		cmocka_unit_test(test_fold_truncate),
		cmocka_unit_test(test_foldn),
		cmocka_unit_test(test_fold_random),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_is_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
