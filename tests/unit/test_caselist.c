/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/caselist.c: the LIST reply's list of cases, with
 * the "more" marker whenever a case is left out (too many or too long),
 * never a partial item, and the marker in every built-in language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "handlers/caselist.h"
#include "lib/template.h"

static const char *const seven[] = { "1111-1111 P1 food", "2222-2222 P1 health",
	"3333-3333 P2 water", "4444-4444 P3 food", "5555-5555 P3 food",
	"6666-6666 P3 family", "7777-7777 P3 water" };

/* Languages, as the callback's argument. */
static char en[] = "en", fr[] = "fr", ar[] = "ar";

/* The marker as LIST makes it: template list_more in the language ARG. */
static char *
more(size_t left, void *arg)
{
	char count[24];
	struct template_var v[] = { { "count", count } };

	snprintf(count, sizeof(count), "%zu", left);
	return template_render(NULL, (const char *)arg, "list_more", v, 1);
}

static void
test_all_fit(void **state)
{
	char out[200];

	(void)state;
	assert_int_equal(
	    caselist_join(out, sizeof(out), seven, 3, 3, more, en), 3);
	assert_string_equal(
	    out, "1111-1111 P1 food; 2222-2222 P1 health; 3333-3333 P2 water");
}

/* Seven open, six fetched (the LIST limit): the seventh is announced. */
static void
test_count_cut(void **state)
{
	char out[200];

	(void)state;
	assert_int_equal(
	    caselist_join(out, sizeof(out), seven, 6, 7, more, en), 6);
	assert_string_equal(out,
	    "1111-1111 P1 food; 2222-2222 P1 health; 3333-3333 P2 water; "
	    "4444-4444 P3 food; 5555-5555 P3 food; 6666-6666 P3 family; "
	    "+1 more");
}

/* Too long for the SMS: whole items only, and the marker fits too. */
static void
test_length_cut(void **state)
{
	char out[64];
	size_t k;

	(void)state;
	k = caselist_join(out, sizeof(out), seven, 7, 7, more, en);
	assert_int_equal(k, 2);
	assert_string_equal(
	    out, "1111-1111 P1 food; 2222-2222 P1 health; +5 more");
	assert_true(strlen(out) < sizeof(out));
}

/* The marker in each built-in language. */
static void
test_languages(void **state)
{
	char out[200];

	(void)state;
	caselist_join(out, sizeof(out), seven, 6, 9, more, fr);
	assert_non_null(strstr(out, "6666-6666 P3 family; +3 autres"));
	caselist_join(out, sizeof(out), seven, 6, 9, more, ar);
	assert_non_null(strstr(out, "6666-6666 P3 family; +3 أخرى"));
	caselist_join(out, sizeof(out), seven, 6, 9, more, en);
	assert_non_null(strstr(out, "6666-6666 P3 family; +3 more"));
}

/* Exactly full: no marker when nothing is left out. */
static void
test_exact_fit(void **state)
{
	char out[18];

	(void)state;
	assert_int_equal(
	    caselist_join(out, sizeof(out), seven, 1, 1, more, en), 1);
	assert_string_equal(out, "1111-1111 P1 food");
}

/* Nothing fits but the marker; a buffer too small for it cuts it. */
static void
test_marker_only(void **state)
{
	char out[12], tiny[4];

	(void)state;
	assert_int_equal(
	    caselist_join(out, sizeof(out), seven, 7, 7, more, en), 0);
	assert_string_equal(out, "+7 more");
	assert_int_equal(
	    caselist_join(tiny, sizeof(tiny), seven, 7, 7, more, en), 0);
	assert_string_equal(tiny, "+7 ");
}

/* No items and none left out: empty. */
static void
test_empty(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(
	    caselist_join(out, sizeof(out), seven, 0, 0, more, en), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_fit),
		cmocka_unit_test(test_count_cut),
		cmocka_unit_test(test_length_cut),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_marker_only),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
