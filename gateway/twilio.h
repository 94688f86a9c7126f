/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Twilio request signatures (X-Twilio-Signature): Base64 HMAC-SHA1, under
 * the account's auth token, of the URL Twilio called followed by every POST
 * parameter, sorted by name, as name and value. No I/O.
 */
#ifndef HBM_GATEWAY_TWILIO_H
#define HBM_GATEWAY_TWILIO_H

#include "lib/crypto.h"

struct form;

/*
 * The signature of a request to URL (scheme, host, path and query exactly
 * as Twilio called it) with the decoded POST parameters PARAMS, into OUT.
 */
void twilio_signature(const char *auth_token, const char *url,
    const struct form *params, char out[CRYPTO_HMAC_SHA1_B64]);

/*
 * 1 when SIG (the header's value, or NULL) is that signature, compared in
 * constant time; 0 otherwise.
 */
int twilio_check(const char *auth_token, const char *url,
    const struct form *params, const char *sig);

#endif
