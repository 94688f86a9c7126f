/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for delivery reports (gateway/dlr.c): the input is the
 * query of a Kannel report as GET /v1/dlr/kannel receives it
 * ("id=m17&status=1&sig=<hex>"), decoded by form_parse(). Its id, status
 * and sig go through dlr_kannel_type(), dlr_kannel_sig_ok() and
 * dlr_kannel_url(). Promises: a report type reads only as one of the five
 * Kannel types, with a status of "delivered", "failed" or none; a
 * signature is accepted only when it is the id's; a dlr-url is made only
 * for a message id, and its own query, with a type put in for %d, decodes
 * back to the same id and a signature that is accepted.
 *
 * `make check` replays tests/fuzz/corpus/dlr/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "lib/crypto.h"
#include "gateway/dlr.h"
#include "gateway/outbox.h"
#include "handlers/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The type TYPE as a report: it must be one Kannel writes. */
static void
fuzz_type(const char *type)
{
	struct dlr_report r = { NULL, NULL, NULL };

	if (dlr_kannel_type(type, &r) == -1) {
		if (r.name != NULL)
			abort();
		return;
	}
	if (strcmp(type, "1") != 0 && strcmp(type, "2") != 0 &&
	    strcmp(type, "4") != 0 && strcmp(type, "8") != 0 &&
	    strcmp(type, "16") != 0)
		abort();
	if (r.name == NULL ||
	    (r.status != NULL && strcmp(r.status, "delivered") != 0 &&
		strcmp(r.status, "failed") != 0) ||
	    ((r.error != NULL) !=
		(r.status != NULL && strcmp(r.status, "failed") == 0)))
		abort();
}

/* The dlr-url of ID, read back as the route reads it. */
static void
fuzz_url(const struct crypto_key *k, const char *id)
{
	static char public_url[] = "https://gw.example.org";
	struct cfg cfg;
	struct form f;
	const char *why = NULL, *q, *d;
	char *url, *query;

	memset(&cfg, 0, sizeof(cfg));
	cfg.http.public_url = public_url;
	url = dlr_kannel_url(&cfg, k, id);
	if ((url == NULL) == outbox_id_valid(id))
		abort();
	if (url == NULL)
		return;
	/* Kannel puts the report type in for %d */
	if ((q = strchr(url, '?')) == NULL || (d = strstr(q, "%d")) == NULL ||
	    asprintf(&query, "%.*s16%s", (int)(d - q - 1), q + 1, d + 2) == -1)
		abort();
	if (form_parse(query, strlen(query), &f, &why) == -1 ||
	    form_get(&f, "id") == NULL || strcmp(form_get(&f, "id"), id) != 0 ||
	    !dlr_kannel_sig_ok(k, id, form_get(&f, "sig")))
		abort();
	fuzz_type(form_get(&f, "status"));
	form_free(&f);
	free(query);
	free(url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char secret[CRYPTO_SECRET_LEN] = "dlr fuzz";
	static struct crypto_key *k;
	char want[CRYPTO_SHA256_HEX];
	const char *id, *sig, *why = NULL;
	struct form f;
	int ok;

	if (k == NULL)
		k = crypto_key_from_bytes(secret);
	if (form_parse((const char *)data, size, &f, &why) == -1)
		return 0;
	id = form_get(&f, "id");
	sig = form_get(&f, "sig");
	if (form_get(&f, "status") != NULL)
		fuzz_type(form_get(&f, "status"));
	if (id != NULL) {
		ok = dlr_kannel_sig_ok(k, id, sig);
		crypto_dlr_sig(k, id, want);
		if (ok != (sig != NULL && strcmp(sig, want) == 0))
			abort();
		fuzz_url(k, id);
	}
	form_free(&f);
	return 0;
}
