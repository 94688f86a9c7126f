/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/form.c: every accepted shape of a URL-encoded form,
 * every rejected one (bad escapes, NUL, invalid UTF-8, too many pairs), the
 * empty form left behind by a failure, and raw values (form_raw_get).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/form.h"

#define FORM_CASE_PAIRS 4

struct form_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	size_t n;   /* pairs expected */
	const char *pairs[FORM_CASE_PAIRS][2];
};

static const struct form_case good_cases[] = {
	{ "", 0, 0, { { NULL } } },
	{ "&", 0, 0, { { NULL } } },
	{ "&&&", 0, 0, { { NULL } } },
	{ "a=1", 0, 1, { { "a", "1" } } },
	{ "a=1&b=2", 0, 2, { { "a", "1" }, { "b", "2" } } },
	{ "a=1&&b=2&", 0, 2, { { "a", "1" }, { "b", "2" } } },
	{ "&a=1", 0, 1, { { "a", "1" } } },
	{ "a", 0, 1, { { "a", "" } } },
	{ "a=", 0, 1, { { "a", "" } } },
	{ "=v", 0, 1, { { "", "v" } } },
	{ "=", 0, 1, { { "", "" } } },
	{ "a==b", 0, 1, { { "a", "=b" } } },
	{ "a=1=2", 0, 1, { { "a", "1=2" } } },
	{ "a=1&a=2", 0, 2, { { "a", "1" }, { "a", "2" } } },
	{ "text=hello+world", 0, 1, { { "text", "hello world" } } },
	{ "text=a%2Bb", 0, 1, { { "text", "a+b" } } },
	{ "from=%2B256700000101", 0, 1, { { "from", "+256700000101" } } },
	{ "k%3D=v%26w", 0, 1, { { "k=", "v&w" } } },
	{ "x=%e2%82%ac%E2%82%AC", 0, 1, { { "x", "€€" } } },
	{ "x=%25", 0, 1, { { "x", "%" } } },
	{ "x=%2525", 0, 1, { { "x", "%25" } } },
	{ "text=مرحبا", 0, 1, { { "text", "مرحبا" } } },
	{ "text=%D9%85%D8%B1", 0, 1, { { "text", "مر" } } },
	{ "a=1&b", 0, 2, { { "a", "1" }, { "b", "" } } },
	{ "a=;b", 0, 1, { { "a", ";b" } } },
	/* LEN limits what is read: the rest is not part of the form */
	{ "a=1&b=2", 3, 1, { { "a", "1" } } },
	{ "a=%41BC", 5, 1, { { "a", "A" } } },
};

struct bad_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{ "a=%", 0, "bad percent-escape" },
	{ "a=%4", 0, "bad percent-escape" },
	{ "a=%4g", 0, "bad percent-escape" },
	{ "a=%g4", 0, "bad percent-escape" },
	{ "a=% 1", 0, "bad percent-escape" },
	{ "%zz=1", 0, "bad percent-escape" },
	{ "a=1&b=%", 0, "bad percent-escape" },
	{ "a=%41", 4, "bad percent-escape" }, /* cut by LEN */
	{ "a=%00", 0, "NUL byte" },
	{ "%00=1", 0, "NUL byte" },
	{ "a=x\0y", 5, "NUL byte" },
	{ "a\0=1", 4, "NUL byte" },
	{ "a=%ff", 0, "invalid UTF-8" },
	{ "a=%C0%AF", 0, "invalid UTF-8" },	  /* overlong '/' */
	{ "a=%ED%A0%80", 0, "invalid UTF-8" },	  /* surrogate */
	{ "a=%E2%82", 0, "invalid UTF-8" },	  /* truncated */
	{ "a=%F4%90%80%80", 0, "invalid UTF-8" }, /* above U+10FFFF */
	{ "a=\xff", 0, "invalid UTF-8" },
	{ "\xc3=1", 0, "invalid UTF-8" },
	{ "ok=1&a=\xe2\x82", 0, "invalid UTF-8" },
};

static void
check_empty(const struct form *f)
{
	assert_null(f->v);
	assert_int_equal(f->n, 0);
}

static void
test_good(void **state)
{
	const struct form_case *c;
	struct form f;
	const char *why;
	size_t i, j, len;

	(void)state;
	for (i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
		c = &good_cases[i];
		len = c->len != 0 ? c->len : strlen(c->in);
		why = NULL;
		if (form_parse(c->in, len, &f, &why) != 0)
			fail_msg(
			    "case %zu \"%s\": rejected: %s", i, c->in, why);
		if (f.n != c->n)
			fail_msg("case %zu \"%s\": %zu pairs, want %zu", i,
			    c->in, f.n, c->n);
		for (j = 0; j < c->n; j++) {
			assert_string_equal(f.v[j].name, c->pairs[j][0]);
			assert_string_equal(f.v[j].value, c->pairs[j][1]);
		}
		form_free(&f);
		check_empty(&f);
	}
}

static void
test_bad(void **state)
{
	const struct bad_case *c;
	struct form f;
	const char *why;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		c = &bad_cases[i];
		len = c->len != 0 ? c->len : strlen(c->in);
		why = NULL;
		memset(&f, 0x55, sizeof f);
		if (form_parse(c->in, len, &f, &why) != -1)
			fail_msg("case %zu \"%s\": accepted", i, c->in);
		assert_non_null(why);
		assert_string_equal(why, c->why);
		check_empty(&f);
		form_free(&f);
	}
}

/* NULL with no bytes is the empty form (a GET without a query string). */
static void
test_null_empty(void **state)
{
	struct form f;
	const char *why = NULL;

	(void)state;
	assert_int_equal(form_parse(NULL, 0, &f, &why), 0);
	check_empty(&f);
	assert_null(form_get(&f, "a"));
	form_free(&f);
	form_free(NULL);
}

/* Write N pairs "k0=0&k1=1..." into a new string. */
static char *
pairs_text(size_t n)
{
	char *s, *p;
	size_t i;

	s = malloc(n * 16 + 1);
	assert_non_null(s);
	p = s;
	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%sk%zu=%zu", i > 0 ? "&" : "", i, i);
	return s;
}

/* FORM_PAIRS_MAX pairs pass; one more fails; empty pieces do not count. */
static void
test_pairs_max(void **state)
{
	struct form f;
	const char *why = NULL;
	char *s, *t;

	(void)state;
	s = pairs_text(FORM_PAIRS_MAX);
	assert_int_equal(form_parse(s, strlen(s), &f, &why), 0);
	assert_int_equal(f.n, FORM_PAIRS_MAX);
	assert_string_equal(form_get(&f, "k63"), "63");
	form_free(&f);

	t = malloc(strlen(s) + 8);
	assert_non_null(t);
	sprintf(t, "&&%s&&&", s);
	assert_int_equal(form_parse(t, strlen(t), &f, &why), 0);
	assert_int_equal(f.n, FORM_PAIRS_MAX);
	form_free(&f);
	free(t);
	free(s);

	s = pairs_text(FORM_PAIRS_MAX + 1);
	assert_int_equal(form_parse(s, strlen(s), &f, &why), -1);
	assert_string_equal(why, "too many fields");
	check_empty(&f);
	free(s);
}

static void
test_get(void **state)
{
	struct form f;
	const char *why = NULL;
	const char *s = "From=%2B1&from=x&Body=&a=1&a=2";

	(void)state;
	assert_int_equal(form_parse(s, strlen(s), &f, &why), 0);
	assert_string_equal(form_get(&f, "From"), "+1");
	assert_string_equal(form_get(&f, "from"), "x");
	assert_string_equal(form_get(&f, "Body"), "");
	assert_string_equal(form_get(&f, "a"), "1");
	assert_null(form_get(&f, "FROM"));
	assert_null(form_get(&f, "body"));
	assert_null(form_get(&f, ""));
	form_free(&f);
	assert_null(form_get(&f, "From"));
}

/* Raw values keep NULs and bytes that are not UTF-8; names are exact. */
static void
test_raw_get(void **state)
{
	static const char q[] = "token=t&text0=x&Text=y&tex=z&text=%06%33+%00%"
				"FF%fe&text=second&x=%4";
	const char *why = NULL;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(
	    form_raw_get(q, strlen(q), "text", &out, &len, &why), 1);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "\x06\x33\x20\x00\xff\xfe", 6);
	assert_int_equal(out[6], '\0');
	free(out);
	assert_int_equal(
	    form_raw_get(q, strlen(q), "token", &out, &len, &why), 1);
	assert_string_equal(out, "t");
	free(out);
	/* Empty value, value-less pair, absent name. */
	assert_int_equal(form_raw_get("a=&b", 4, "a", &out, &len, &why), 1);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(form_raw_get("a=&b", 4, "b", &out, &len, &why), 0);
	assert_null(out);
	assert_int_equal(form_raw_get("", 0, "a", &out, &len, &why), 0);
	assert_int_equal(
	    form_raw_get(q, strlen(q), "TEXT", &out, &len, &why), 0);
	/* LEN bounds the input: the pair past it is not seen. */
	assert_int_equal(form_raw_get("a=1&b=2", 3, "b", &out, &len, &why), 0);
	assert_int_equal(form_raw_get("a=1&b=2", 6, "b", &out, &len, &why), 1);
	assert_int_equal(len, 0);
	free(out);
	/* Bad escapes in the value asked for. */
	assert_int_equal(form_raw_get(q, strlen(q), "x", &out, &len, &why), -1);
	assert_null(out);
	assert_string_equal(why, "bad percent-escape");
	assert_int_equal(form_raw_get("t=%G1", 5, "t", &out, &len, &why), -1);
	assert_int_equal(form_raw_get("t=%", 3, "t", &out, &len, &why), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_null_empty),
		cmocka_unit_test(test_pairs_max),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_raw_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
