/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/gsm.c: the GSM-7 alphabet test, unit counts and
 * segment counts at every boundary, with extension characters and
 * surrogate pairs that must not be split, and invalid UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/gsm.h"

/* A piece of text repeated N times. */
struct piece {
	const char *s;
	size_t n;
};

/* A text made of up to three pieces, and what it costs. */
struct measure_case {
	struct piece p[3];
	int ucs2;
	size_t units;
	int segments;
};

static const struct measure_case measure_cases[] = {
	/* empty */
	{ { { "", 1 } }, 0, 0, 1 },
	/* plain GSM-7 at the boundaries */
	{ { { "a", 1 } }, 0, 1, 1 },
	{ { { "a", 160 } }, 0, 160, 1 },
	{ { { "a", 161 } }, 0, 161, 2 },
	{ { { "a", 306 } }, 0, 306, 2 },
	{ { { "a", 307 } }, 0, 307, 3 },
	{ { { "a", 459 } }, 0, 459, 3 },
	{ { { "a", 460 } }, 0, 460, 4 },
	{ { { "\r\n", 3 } }, 0, 6, 1 },
	/* the default alphabet above ASCII, one septet each */
	{ { { "é", 160 } }, 0, 160, 1 },
	{ { { "é", 161 } }, 0, 161, 2 },
	{ { { "£¥èéùìòÇØøÅåÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", 1 } }, 0, 29, 1 },
	{ { { "ΔΦΓΛΩΠΨΣΘΞ@$_", 1 } }, 0, 13, 1 },
	/* the extension table, two septets each */
	{ { { "^{}\\[~]|€", 1 } }, 0, 18, 1 },
	{ { { "Prix 5€", 1 } }, 0, 8, 1 },
	{ { { "{", 80 } }, 0, 160, 1 },
	{ { { "{", 81 } }, 0, 162, 2 },
	{ { { "a", 1 }, { "{", 80 } }, 0, 161, 2 },
	{ { { "a", 152 }, { "€", 1 } }, 0, 154, 1 },
	{ { { "€", 1 }, { "a", 304 } }, 0, 306, 2 },
	/* an escape pair never straddles two segments */
	{ { { "a", 152 }, { "€", 1 }, { "a", 7 } }, 0, 161, 2 },
	{ { { "a", 152 }, { "€", 1 }, { "a", 152 } }, 0, 306, 3 },
	{ { { "a", 305 }, { "€", 1 } }, 0, 307, 3 },
	{ { { "a", 151 }, { "€", 1 }, { "a", 153 } }, 0, 306, 2 },
	{ { { "{", 76 }, { "a", 153 } }, 0, 305, 2 },
	{ { { "aa", 1 }, { "{", 76 }, { "a", 152 } }, 0, 306, 3 },
	{ { { "~", 153 } }, 0, 306, 3 },
	/* characters outside GSM-7 make the whole text UCS-2 */
	{ { { "ç", 1 } }, 1, 1, 1 },
	{ { { "`", 1 } }, 1, 1, 1 },
	{ { { "a\tb", 1 } }, 1, 3, 1 },
	{ { { "α", 1 } }, 1, 1, 1 },
	{ { { "ê", 1 }, { "a", 159 } }, 1, 160, 3 },
	{ { { "€", 1 }, { "ب", 1 } }, 1, 2, 1 },
	{ { { "{", 70 }, { "ب", 1 } }, 1, 71, 2 },
	{ { { "Hello مرحبا", 1 } }, 1, 11, 1 },
	/* Arabic at the boundaries */
	{ { { "ب", 70 } }, 1, 70, 1 },
	{ { { "ب", 71 } }, 1, 71, 2 },
	{ { { "ب", 134 } }, 1, 134, 2 },
	{ { { "ب", 135 } }, 1, 135, 3 },
	{ { { "ب", 201 } }, 1, 201, 3 },
	{ { { "ب", 202 } }, 1, 202, 4 },
	/* beyond the BMP: a surrogate pair, two units, never split */
	{ { { "😀", 1 } }, 1, 2, 1 },
	{ { { "😀", 35 } }, 1, 70, 1 },
	{ { { "😀", 36 } }, 1, 72, 2 },
	{ { { "ب", 68 }, { "😀", 1 } }, 1, 70, 1 },
	{ { { "ب", 69 }, { "😀", 1 } }, 1, 71, 2 },
	{ { { "ب", 66 }, { "😀", 1 }, { "ب", 66 } }, 1, 134, 3 },
	{ { { "ب", 65 }, { "😀", 1 }, { "ب", 67 } }, 1, 134, 2 },
	{ { { "😀", 67 } }, 1, 134, 3 },
	{ { { "Hi ", 1 }, { "😀", 2 }, { " ok", 1 } }, 1, 10, 1 },
	/* invalid UTF-8: one replacement character per byte, UCS-2 */
	{ { { "\xff", 1 } }, 1, 1, 1 },
	{ { { "a\xc3", 1 } }, 1, 2, 1 },
	{ { { "\xe2\x82", 1 } }, 1, 2, 1 },
	{ { { "\xc0\xaf", 1 } }, 1, 2, 1 },
	{ { { "\xed\xa0\x80", 1 } }, 1, 3, 1 },
	{ { { "\xf4\x90\x80\x80", 1 } }, 1, 4, 1 },
	{ { { "\x80", 1 }, { "a", 70 } }, 1, 71, 2 },
};

/* The text of case C, newly allocated. */
static char *
build(const struct measure_case *c)
{
	size_t i, j, len = 0;
	char *s;

	for (i = 0; i < 3; i++)
		if (c->p[i].s != NULL)
			len += strlen(c->p[i].s) * c->p[i].n;
	s = malloc(len + 1);
	assert_non_null(s);
	s[0] = '\0';
	for (i = 0; i < 3; i++)
		for (j = 0; c->p[i].s != NULL && j < c->p[i].n; j++)
			strcat(s, c->p[i].s);
	return s;
}

static void
test_measure(void **state)
{
	struct gsm_info info;
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof measure_cases / sizeof measure_cases[0]; i++) {
		const struct measure_case *c = &measure_cases[i];

		s = build(c);
		memset(&info, 0xff, sizeof info);
		gsm_measure(s, &info);
		if (info.ucs2 != c->ucs2 || info.units != c->units ||
		    info.segments != c->segments)
			fail_msg("case %zu: ucs2 %d units %zu segments %d, "
				 "want %d %zu %d",
			    i, info.ucs2, info.units, info.segments, c->ucs2,
			    c->units, c->segments);
		assert_int_equal(gsm_is_gsm7(s), !c->ucs2);
		free(s);
	}
}

/* NULL is an empty text. */
static void
test_null(void **state)
{
	struct gsm_info info;

	(void)state;
	gsm_measure(NULL, &info);
	assert_int_equal(info.ucs2, 0);
	assert_int_equal(info.units, 0);
	assert_int_equal(info.segments, 1);
	assert_int_equal(gsm_is_gsm7(NULL), 1);
	assert_int_equal(gsm_is_gsm7(""), 1);
}

/* Every printable ASCII character but the backquote is GSM-7. */
static void
test_ascii(void **state)
{
	char s[2] = { 0, 0 };
	int c;

	(void)state;
	for (c = 1; c < 128; c++) {
		s[0] = (char)c;
		assert_int_equal(gsm_is_gsm7(s),
		    (c >= ' ' && c < 127 && c != '`') || c == '\n' ||
			c == '\r');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
