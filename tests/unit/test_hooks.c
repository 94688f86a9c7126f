/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the webhook signatures: Twilio's X-Twilio-Signature
 * (gateway/twilio.c) against Twilio's published example, and the signed
 * Kannel delivery-report URL and report types (gateway/dlr.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "gateway/crypto.h"
#include "gateway/dlr.h"
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

static const unsigned char test_secret[CRYPTO_SECRET_LEN] = { 0, 1, 2, 3, 4, 5,
	6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
	25, 26, 27, 28, 29, 30, 31 };

/*
 * HMAC-SHA256 of "m123" under HKDF-SHA256(secret 00..1f, no salt, info
 * "hbmgw dlr"), computed independently (Python hmac and hashlib).
 */
static const char dlr_m123[] =
    "2fc76d9e2c9d4a26dad92633ff73027aa85598c65305329dc4702c366253f2e3";

static void
test_dlr_sig(void **state)
{
	struct crypto_key *k, *other;
	unsigned char secret2[CRYPTO_SECRET_LEN];
	char out[CRYPTO_SHA256_HEX], upper[CRYPTO_SHA256_HEX];
	char phone[CRYPTO_SHA256_HEX];
	size_t i;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	crypto_dlr_sig(k, "m123", out);
	assert_string_equal(out, dlr_m123);
	/* a subkey of its own: not the look-up hash of the same text */
	crypto_phone_hash(k, "m123", phone);
	assert_string_not_equal(out, phone);

	assert_int_equal(dlr_kannel_sig_ok(k, "m123", dlr_m123), 1);
	assert_int_equal(dlr_kannel_sig_ok(k, "m124", dlr_m123), 0);
	assert_int_equal(dlr_kannel_sig_ok(k, "m123", NULL), 0);
	assert_int_equal(dlr_kannel_sig_ok(k, "m123", ""), 0);
	/* cut, longer, one digit off, uppercase */
	memcpy(out, dlr_m123, sizeof(out));
	out[63] = '\0';
	assert_int_equal(dlr_kannel_sig_ok(k, "m123", out), 0);
	assert_int_equal(dlr_kannel_sig_ok(k, "m123",
			     "2fc76d9e2c9d4a26dad92633ff73027aa85598c65305329dc"
			     "4702c366253f2e30"),
	    0);
	memcpy(out, dlr_m123, sizeof(out));
	out[10] = out[10] == '0' ? '1' : '0';
	assert_int_equal(dlr_kannel_sig_ok(k, "m123", out), 0);
	for (i = 0; i < sizeof(upper); i++)
		upper[i] = (char)(dlr_m123[i] >= 'a' && dlr_m123[i] <= 'f'
			? dlr_m123[i] - 'a' + 'A'
			: dlr_m123[i]);
	assert_int_equal(dlr_kannel_sig_ok(k, "m123", upper), 0);

	/* another key signs differently */
	memcpy(secret2, test_secret, sizeof(secret2));
	secret2[0] = 0xff;
	other = crypto_key_from_bytes(secret2);
	assert_int_equal(dlr_kannel_sig_ok(other, "m123", dlr_m123), 0);
	crypto_key_free(other);
	crypto_key_free(k);
}

/* The URL handed to Kannel, and the signature it carries. */
static void
test_dlr_url(void **state)
{
	struct crypto_key *k;
	struct cfg cfg;
	char *url, want[256];

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	memset(&cfg, 0, sizeof(cfg));
	assert_null(dlr_kannel_url(&cfg, k, "m123"));

	cfg.http.public_url = (char[]){ "https://gw.example.org" };
	url = dlr_kannel_url(&cfg, k, "m123");
	snprintf(want, sizeof(want),
	    "https://gw.example.org/v1/dlr/kannel?id=m123&status=%%d&sig=%s",
	    dlr_m123);
	assert_non_null(url);
	assert_string_equal(url, want);
	free(url);

	/* a path prefix is kept, trailing slashes are not doubled */
	cfg.http.public_url = (char[]){ "http://10.0.0.1:8080/hbm//" };
	url = dlr_kannel_url(&cfg, k, "m123");
	snprintf(want, sizeof(want),
	    "http://10.0.0.1:8080/hbm/v1/dlr/kannel?id=m123&status=%%d&sig=%s",
	    dlr_m123);
	assert_string_equal(url, want);
	free(url);

	/* only message ids go into a URL unescaped */
	assert_null(dlr_kannel_url(&cfg, k, "m12&x=1"));
	assert_null(dlr_kannel_url(&cfg, k, "123"));
	assert_null(dlr_kannel_url(&cfg, k, ""));
	crypto_key_free(k);
}

static void
test_dlr_type(void **state)
{
	static const struct {
		const char *type, *name, *status;
	} good[] = {
		{ "1", "delivered", "delivered" },
		{ "2", "undelivered", "failed" },
		{ "4", "buffered", NULL },
		{ "8", "submitted", NULL },
		{ "16", "rejected", "failed" },
	};
	static const char *const bad[] = { "", "0", "3", "01", "1 ", " 1", "32",
		"16x", "-1", "+1", "1.0", "%d", NULL };
	struct dlr_report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&r, 0, sizeof(r));
		assert_int_equal(dlr_kannel_type(good[i].type, &r), 0);
		assert_string_equal(r.name, good[i].name);
		if (good[i].status == NULL) {
			assert_null(r.status);
			assert_null(r.error);
		} else {
			assert_string_equal(r.status, good[i].status);
			if (strcmp(r.status, "failed") == 0)
				assert_non_null(r.error);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dlr_kannel_type(bad[i], &r) != -1)
			fail_msg("type \"%s\" accepted",
			    bad[i] != NULL ? bad[i] : "(null)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twilio_vector),
		cmocka_unit_test(test_twilio_order),
		cmocka_unit_test(test_twilio_wrong),
		cmocka_unit_test(test_twilio_repeated),
		cmocka_unit_test(test_dlr_sig),
		cmocka_unit_test(test_dlr_url),
		cmocka_unit_test(test_dlr_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
