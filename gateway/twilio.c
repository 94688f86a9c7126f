/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Twilio request signatures, as Twilio's own libraries compute them: the
 * parameters sorted by name (byte order; equal names by value), each
 * appended as name then value to the URL, then HMAC-SHA1 and Base64.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "gateway/twilio.h"
#include "lib/xmalloc.h"
#include "handlers/form.h"

/* qsort() order of two struct form_pair pointers: name, then value. */
static int
twilio_pair_cmp(const void *a, const void *b)
{
	const struct form_pair *pa = *(const struct form_pair *const *)a;
	const struct form_pair *pb = *(const struct form_pair *const *)b;
	int c;

	if ((c = strcmp(pa->name, pb->name)) != 0)
		return c;
	return strcmp(pa->value, pb->value);
}

void
twilio_signature(const char *auth_token, const char *url,
    const struct form *params, char out[CRYPTO_HMAC_SHA1_B64])
{
	const struct form_pair **sorted;
	size_t i, len, nlen, vlen;
	char *msg, *p;

	sorted = xcalloc(params->n + 1, sizeof(*sorted));
	len = strlen(url);
	for (i = 0; i < params->n; i++) {
		sorted[i] = &params->v[i];
		len += strlen(params->v[i].name) + strlen(params->v[i].value);
	}
	qsort(sorted, params->n, sizeof(*sorted), twilio_pair_cmp);
	msg = xmalloc(len + 1);
	p = msg;
	memcpy(p, url, strlen(url));
	p += strlen(url);
	for (i = 0; i < params->n; i++) {
		nlen = strlen(sorted[i]->name);
		vlen = strlen(sorted[i]->value);
		memcpy(p, sorted[i]->name, nlen);
		memcpy(p + nlen, sorted[i]->value, vlen);
		p += nlen + vlen;
	}
	crypto_hmac_sha1_b64(auth_token, strlen(auth_token), msg, len, out);
	free(msg);
	free(sorted);
}

int
twilio_check(const char *auth_token, const char *url, const struct form *params,
    const char *sig)
{
	char want[CRYPTO_HMAC_SHA1_B64];

	if (sig == NULL || strlen(sig) != CRYPTO_HMAC_SHA1_B64 - 1)
		return 0;
	twilio_signature(auth_token, url, params, want);
	return crypto_equal(want, sig, CRYPTO_HMAC_SHA1_B64 - 1);
}
