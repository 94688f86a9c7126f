/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for gateway/twilio.c: Twilio's X-Twilio-Signature against
 * Twilio's published example, parameter order, wrong and repeated
 * parameters. The Kannel delivery reports are in test_dlr.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "lib/crypto.h"
#include "gateway/twilio.h"
#include "handlers/form.h"

/* Twilio's documented example: token, URL, parameters and signature. */
static const char tw_token[] = "12345";
static const char tw_url[] = "https://mycompany.com/myapp.php?foo=1&bar=2";
static const char tw_body[] =
    "CallSid=CA1234567890ABCDE&Caller=%2B12349013030"
    "&Digits=1234&From=%2B12349013030&To=%2B18005551212";
static const char tw_sig[] = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

static void
parse(const char *s, struct form *f)
{
	const char *why = NULL;

	if (form_parse(s, strlen(s), f, &why) != 0)
		fail_msg("\"%s\": %s", s, why);
}

static void
test_twilio_vector(void **state)
{
	char out[CRYPTO_HMAC_SHA1_B64];
	struct form f;

	(void)state;
	parse(tw_body, &f);
	twilio_signature(tw_token, tw_url, &f, out);
	assert_string_equal(out, tw_sig);
	assert_int_equal(twilio_check(tw_token, tw_url, &f, tw_sig), 1);
	form_free(&f);
}

/* Parameters are sorted before signing: their order in the body is free. */
static void
test_twilio_order(void **state)
{
	struct form f;

	(void)state;
	parse("To=%2B18005551212&From=%2B12349013030&Digits=1234"
	      "&Caller=%2B12349013030&CallSid=CA1234567890ABCDE",
	    &f);
	assert_int_equal(twilio_check(tw_token, tw_url, &f, tw_sig), 1);
	form_free(&f);
}

/* Everything signed matters; a wrong or malformed header never passes. */
static void
test_twilio_wrong(void **state)
{
	static const char *const bodies[] = {
		"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1235"
		"&From=%2B12349013030&To=%2B18005551212",
		"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234"
		"&From=%2B12349013030",
		"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234"
		"&From=%2B12349013030&To=%2B18005551212&X=",
		"callsid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234"
		"&From=%2B12349013030&To=%2B18005551212",
	};
	static const char *const sigs[] = {
		"0/KCTR6DLpKmkAf8muzZqo1nDgQ",	 /* cut */
		"0/KCTR6DLpKmkAf8muzZqo1nDgQ==", /* longer */
		"0/KCTR6DLpKmkAf8muzZqo1nDgq=",	 /* one letter */
		"1/KCTR6DLpKmkAf8muzZqo1nDgQ=",
		"",
		NULL,
	};
	struct form f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		parse(bodies[i], &f);
		if (twilio_check(tw_token, tw_url, &f, tw_sig) != 0)
			fail_msg("body %zu passed", i);
		form_free(&f);
	}
	parse(tw_body, &f);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (twilio_check(tw_token, tw_url, &f, sigs[i]) != 0)
			fail_msg("signature %zu passed", i);
	}
	assert_int_equal(twilio_check("12346", tw_url, &f, tw_sig), 0);
	assert_int_equal(
	    twilio_check(tw_token,
		"https://mycompany.com/myapp.php?foo=1&bar=3", &f, tw_sig),
	    0);
	assert_int_equal(
	    twilio_check(tw_token, "http://mycompany.com/myapp.php?foo=1&bar=2",
		&f, tw_sig),
	    0);
	form_free(&f);
}

/*
 * Repeated names are ordered by value, so their order in the body does not
 * matter either; no parameters sign the URL alone.
 */
static void
test_twilio_repeated(void **state)
{
	char a[CRYPTO_HMAC_SHA1_B64], b[CRYPTO_HMAC_SHA1_B64];
	char c[CRYPTO_HMAC_SHA1_B64];
	struct form f;

	(void)state;
	parse("A=2&B=x&A=1", &f);
	twilio_signature(tw_token, tw_url, &f, a);
	form_free(&f);
	parse("A=1&A=2&B=x", &f);
	twilio_signature(tw_token, tw_url, &f, b);
	form_free(&f);
	assert_string_equal(a, b);

	parse("", &f);
	twilio_signature(tw_token, tw_url, &f, a);
	crypto_hmac_sha1_b64(
	    tw_token, strlen(tw_token), tw_url, strlen(tw_url), c);
	assert_string_equal(a, c);
	form_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twilio_vector),
		cmocka_unit_test(test_twilio_order),
		cmocka_unit_test(test_twilio_wrong),
		cmocka_unit_test(test_twilio_repeated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
