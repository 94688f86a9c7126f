/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for gateway/dlr.c: the signed Kannel delivery-report URL and
 * the report types.
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
#include "gateway/dlr.h"

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
		cmocka_unit_test(test_dlr_sig),
		cmocka_unit_test(test_dlr_url),
		cmocka_unit_test(test_dlr_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
