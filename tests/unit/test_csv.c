/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/csv.c: plain fields as they are, RFC 4180 quoting of
 * a comma, a quote, a CR or a LF, CRLF row ends, and the apostrophe that
 * keeps a spreadsheet from reading a field as a formula.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/csv.h"

struct field_case {
	const char *in;
	const char *want;
};

static const struct field_case field_cases[] = {
	{ "food", "food" },
	{ "", "" },
	{ "4821-3955", "4821-3955" },
	{ "2026-12-06T21:00:00.000Z", "2026-12-06T21:00:00.000Z" },
	{ "blankets, warm", "\"blankets, warm\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ "two\nlines", "\"two\nlines\"" },
	{ "cr\rhere", "\"cr\rhere\"" },
	{ "=HYPERLINK(1)", "'=HYPERLINK(1)" },
	{ "+1", "'+1" },
	{ "-1", "'-1" },
	{ "@x", "'@x" },
	{ "\tx", "'\tx" },
	{ "=a,b", "\"'=a,b\"" },
	{ "a=b", "a=b" },
	{ "الماء", "الماء" },
};

static void
test_field(void **state)
{
	struct csv c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof field_cases / sizeof field_cases[0]; i++) {
		memset(&c, 0, sizeof(c));
		csv_field(&c, field_cases[i].in);
		assert_non_null(c.buf);
		assert_string_equal(c.buf, field_cases[i].want);
		csv_free(&c);
	}
}

static void
test_rows(void **state)
{
	struct csv c;
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	csv_field(&c, "code");
	csv_field(&c, "label");
	csv_field(&c, NULL);
	csv_row_end(&c);
	csv_field(&c, "1234-5678");
	csv_field(&c, "a,b");
	csv_field(&c, "");
	csv_row_end(&c);
	assert_string_equal(c.buf, "code,label,\r\n1234-5678,\"a,b\",\r\n");
	assert_int_equal(c.len, strlen(c.buf));
	csv_free(&c);
	assert_null(c.buf);

	/* Growth past the first allocation keeps every byte. */
	for (i = 0; i < 1000; i++)
		csv_field(&c, "abcdefgh");
	csv_row_end(&c);
	assert_int_equal(c.len, 1000 * 8 + 999 + 2);
	assert_memory_equal(c.buf + c.len - 10, "abcdefgh\r\n", 10);
	csv_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
