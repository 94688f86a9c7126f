/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/phone.c: normalisation of every accepted way of
 * writing a number, every rejected one, and masking for logs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/phone.h"

struct norm_case {
	const char *in;
	const char *cc;
	const char *want; /* E.164, or NULL when rejected */
	const char *why;  /* reason when rejected */
};

static const struct norm_case norm_cases[] = {
	/* national forms */
	{ "0700000101", "256", "+256700000101", NULL },
	{ "0700 000 101", "256", "+256700000101", NULL },
	{ "700000101", "256", "+256700000101", NULL },
	{ "0612345678", "33", "+33612345678", NULL },
	{ "12345", "256", "+25612345", NULL },
	/* international forms */
	{ "+256700000101", "256", "+256700000101", NULL },
	{ "+33 6 12 34 56 78", "256", "+33612345678", NULL },
	{ "00256700000101", "256", "+256700000101", NULL },
	{ "0033612345678", "256", "+33612345678", NULL },
	{ "256700000101", "256", "+256700000101", NULL },
	{ "2567000001", "256", "+2567000001", NULL },
	{ "+1 (212) 555-1234", "256", "+12125551234", NULL },
	{ "+12125551234", NULL, "+12125551234", NULL },
	/* CC digits but too short to hold a subscriber number: national */
	{ "256700001", "256", "+256256700001", NULL },
	/* separators */
	{ "0700-000-101", "256", "+256700000101", NULL },
	{ "(0700) 000.101", "256", "+256700000101", NULL },
	{ "\t+256 700\t000 101 ", "256", "+256700000101", NULL },
	{ "+ 256 700 000 101", "256", "+256700000101", NULL },
	/* Arabic-Indic and Persian digits */
	{ "٠٧٠٠٠٠٠١٠١", "256", "+256700000101", NULL },
	{ "+٢٥٦ ٧٠٠ ٠٠٠ ١٠١", "256", "+256700000101", NULL },
	{ "۰۷۰۰۰۰۰۱۰۱", "256", "+256700000101", NULL },
	{ "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹", "256", "+989123456789", NULL },
	{ "07٠٠0۰۰101", "256", "+256700000101", NULL },
	/* length limits: 8 and 15 digits pass */
	{ "+12345678", "256", "+12345678", NULL },
	{ "+123456789012345", "256", "+123456789012345", NULL },
	{ "+1234567", "256", NULL, "too short" },
	{ "+1234567890123456", "256", NULL, "too long" },
	{ "0700", "256", NULL, "too short" },
	{ "8888", "256", NULL, "too short" },
	{ "07000001010000000", "256", NULL, "too long" },
	{ "00", "256", NULL, "too short" },
	{ "+1234567890123456789012345678901234567890123456789012345678901234567"
	  "890",
	    "256", NULL, "too long" },
	/* junk */
	{ "", "256", NULL, "empty" },
	{ "   ", "256", NULL, "empty" },
	{ "- ()", "256", NULL, "empty" },
	{ NULL, "256", NULL, "empty" },
	{ "+", "256", NULL, "not a phone number" },
	{ "HELP", "256", NULL, "not a phone number" },
	{ "0700 000 10l", "256", NULL, "not a phone number" },
	{ "256+700000101", "256", NULL, "not a phone number" },
	{ "++256700000101", "256", NULL, "not a phone number" },
	{ "+0256700000101", "256", NULL, "not a phone number" },
	{ "000256700000101", "256", NULL, "not a phone number" },
	{ "0700/000/101", "256", NULL, "not a phone number" },
	{ "\xd9", "256", NULL, "not a phone number" },
	{ "\xd9\xaa", "256", NULL, "not a phone number" },
	{ "\xdb\xaf", "256", NULL, "not a phone number" },
	{ "٫٧", "256", NULL, "not a phone number" },
	/* national forms need a valid country code */
	{ "0700000101", NULL, NULL, "national number without a country code" },
	{ "0700000101", "", NULL, "national number without a country code" },
	{ "0700000101", "0256", NULL,
	    "national number without a country code" },
	{ "700000101", "25x", NULL, "national number without a country code" },
};

static void
test_normalise(void **state)
{
	char out[PHONE_MAX];
	const char *why;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
		const struct norm_case *c = &norm_cases[i];

		why = NULL;
		memset(out, 'X', sizeof out);
		rc = phone_normalise(c->in, c->cc, out, &why);
		if (c->want != NULL) {
			if (rc != 0)
				fail_msg("case %zu \"%s\": rejected: %s", i,
				    c->in, why);
			assert_string_equal(out, c->want);
		} else {
			if (rc != -1)
				fail_msg("case %zu \"%s\": accepted as %s", i,
				    c->in, out);
			assert_non_null(why);
			assert_string_equal(why, c->why);
		}
	}
}

/* Normalising an E.164 number gives it back unchanged. */
static void
test_normalise_idempotent(void **state)
{
	char once[PHONE_MAX], twice[PHONE_MAX];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
		if (norm_cases[i].want == NULL)
			continue;
		assert_int_equal(phone_normalise(norm_cases[i].in,
				     norm_cases[i].cc, once, &why),
		    0);
		assert_int_equal(phone_normalise(once, "44", twice, &why), 0);
		assert_string_equal(once, twice);
	}
}

struct mask_case {
	const char *in;
	const char *want;
};

static const struct mask_case mask_cases[] = {
	{ "+256700000001", "+25670****001" },
	{ "+33612345678", "+3361****678" },
	{ "+12345678", "+1****678" },
	{ "+123456789012345", "+12345678****345" },
	{ "256700000001", "25670****001" },
	{ "+1234567", "****" },
	{ "+1234567890123456", "****" },
	{ "+25670000000a", "****" },
	{ "+256 700 000 001", "****" },
	{ "MTN", "****" },
	{ "", "****" },
	{ "+", "****" },
	{ NULL, "****" },
};

static void
test_mask(void **state)
{
	char out[PHONE_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof mask_cases / sizeof mask_cases[0]; i++) {
		memset(out, 'X', sizeof out);
		phone_mask(mask_cases[i].in, out);
		assert_string_equal(out, mask_cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_normalise_idempotent),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
