/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for Twilio request signatures (gateway/twilio.c): the
 * input is "<url>\t<X-Twilio-Signature>\t<form body>"; the body goes
 * through form_parse() as the webhook's does and then twilio_check().
 * Promises: a signature is accepted exactly when it is the one
 * twilio_signature() computes; the signature does not depend on the
 * order of the parameters; it is 28 Base64 characters.
 *
 * `make check` replays tests/fuzz/corpus/twilio/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/twilio.h"
#include "handlers/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char token[] = "12345678901234567890123456789012";
	char want[CRYPTO_HMAC_SHA1_B64], again[CRYPTO_HMAC_SHA1_B64];
	char *s, *url, *sig, *body, *tab;
	const char *why = NULL;
	struct form_pair tmp;
	struct form f;
	size_t i;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	url = s;
	sig = NULL;
	body = s + strlen(s);
	if ((tab = strchr(url, '\t')) != NULL) {
		*tab = '\0';
		sig = tab + 1;
		if ((tab = strchr(sig, '\t')) != NULL) {
			*tab = '\0';
			body = tab + 1;
		}
	}
	if (form_parse(body, strlen(body), &f, &why) == -1) {
		free(s);
		return 0;
	}
	twilio_signature(token, url, &f, want);
	if (strlen(want) != CRYPTO_HMAC_SHA1_B64 - 1 ||
	    strspn(want,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/=") != CRYPTO_HMAC_SHA1_B64 - 1)
		abort();
	if (twilio_check(token, url, &f, sig) !=
	    (sig != NULL && strcmp(sig, want) == 0))
		abort();
	if (!twilio_check(token, url, &f, want))
		abort();
	for (i = 0; i < f.n / 2; i++) {
		tmp = f.v[i];
		f.v[i] = f.v[f.n - 1 - i];
		f.v[f.n - 1 - i] = tmp;
	}
	twilio_signature(token, url, &f, again);
	if (strcmp(want, again) != 0)
		abort();
	form_free(&f);
	free(s);
	return 0;
}
