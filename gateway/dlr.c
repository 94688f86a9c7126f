/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kannel delivery reports. The configuration holds only hashes of channel
 * tokens, so Kannel cannot be given a token to call back with; instead
 * each message's dlr-url carries an HMAC of its id under a subkey of the
 * privacy key, and only URLs made here are accepted.
 */
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "lib/crypto.h"
#include "gateway/dlr.h"
#include "gateway/outbox.h"
#include "lib/xmalloc.h"

char *
dlr_kannel_url(
    const struct cfg *cfg, const struct crypto_key *key, const char *msg_id)
{
	char sig[CRYPTO_SHA256_HEX], *path, *url;

	if (cfg->http.public_url == NULL || !outbox_id_valid(msg_id))
		return NULL;
	crypto_dlr_sig(key, msg_id, sig);
	xasprintf(&path, "/v1/dlr/kannel?id=%s&status=%%d&sig=%s", msg_id, sig);
	url = api_public_url(cfg, path, NULL);
	free(path);
	return url;
}

int
dlr_kannel_sig_ok(
    const struct crypto_key *key, const char *msg_id, const char *sig)
{
	char want[CRYPTO_SHA256_HEX];

	if (sig == NULL || strlen(sig) != CRYPTO_SHA256_HEX - 1)
		return 0;
	crypto_dlr_sig(key, msg_id, want);
	return crypto_equal(want, sig, CRYPTO_SHA256_HEX - 1);
}

int
dlr_kannel_type(const char *type, struct dlr_report *r)
{
	static const struct {
		const char *type;
		struct dlr_report r;
	} types[] = {
		{ "1", { "delivered", "delivered", NULL } },
		{ "2",
		    { "undelivered", "failed", "not delivered to the phone" } },
		{ "4", { "buffered", NULL, NULL } },
		{ "8", { "submitted", NULL, NULL } },
		{ "16", { "rejected", "failed", "rejected by the SMSC" } },
	};
	size_t i;

	for (i = 0; type != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(type, types[i].type) == 0) {
			*r = types[i].r;
			return 0;
		}
	}
	return -1;
}
