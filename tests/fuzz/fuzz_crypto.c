/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for Base64 and sealed fields (lib/crypto.c): any
 * bytes through crypto_b64_decode() and crypto_open() under a fixed key,
 * and as data through crypto_b64_encode() and crypto_seal(). Promises: a
 * strict decode that succeeds encodes back to the very same text (one text
 * per byte string); encoding then decoding gives the bytes back; opening
 * what was not sealed under the key fails with a cause and no output;
 * what crypto_seal() made opens to the same bytes, and fails under another
 * key or with any one byte of the sealed blob changed.
 *
 * `make check` replays tests/fuzz/corpus/crypto/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct crypto_key *fuzz_key, *fuzz_other;

/* Open B64 under K; 1 when it opened (to PLAIN, LEN), else 0. */
static int
fuzz_open(
    const struct crypto_key *k, const char *b64, char **plain, size_t *len)
{
	char *cause = NULL;

	*plain = NULL;
	if (crypto_open(k, b64, plain, len, &cause) == 0) {
		if (*plain == NULL || cause != NULL || (*plain)[*len] != '\0')
			abort();
		return 1;
	}
	if (cause == NULL || *cause == '\0' || *plain != NULL)
		abort();
	free(cause);
	return 0;
}

/* Seal DATA, open it, and open it changed. */
static void
fuzz_seal(const uint8_t *data, size_t size)
{
	unsigned char *blob;
	size_t bloblen, len;
	char *sealed, *plain, *changed;

	sealed = crypto_seal(fuzz_key, data, size);
	if (!fuzz_open(fuzz_key, sealed, &plain, &len) || len != size ||
	    memcmp(plain, data, size) != 0)
		abort();
	free(plain);
	if (fuzz_open(fuzz_other, sealed, &plain, &len))
		abort();
	if (crypto_b64_decode(sealed, &blob, &bloblen) == -1)
		abort();
	blob[size > 0 ? data[0] % bloblen : 0] ^= 0x01;
	changed = crypto_b64_encode(blob, bloblen);
	if (fuzz_open(fuzz_key, changed, &plain, &len))
		abort();
	free(changed);
	free(blob);
	free(sealed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char secret[CRYPTO_SECRET_LEN] = "fuzz fuzz fuzz";
	static const unsigned char other[CRYPTO_SECRET_LEN] = "zzuf zzuf zzuf";
	unsigned char *dec;
	char *s, *enc, *plain;
	size_t len;

	if (fuzz_key == NULL) {
		fuzz_key = crypto_key_from_bytes(secret);
		fuzz_other = crypto_key_from_bytes(other);
	}
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	if (crypto_b64_decode(s, &dec, &len) == 0) {
		if (dec[len] != '\0' || len > strlen(s) / 4 * 3)
			abort();
		enc = crypto_b64_encode(dec, len);
		if (strcmp(enc, s) != 0)
			abort();
		free(enc);
		free(dec);
	}
	if (fuzz_open(fuzz_key, s, &plain, &len))
		abort(); /* forging a seal by chance: nothing else opens */

	enc = crypto_b64_encode(data, size);
	if (strlen(enc) != (size + 2) / 3 * 4 ||
	    crypto_b64_decode(enc, &dec, &len) == -1 || len != size ||
	    memcmp(dec, data, size) != 0)
		abort();
	free(dec);
	free(enc);

	fuzz_seal(data, size);
	free(s);
	return 0;
}
