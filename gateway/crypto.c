/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OpenSSL libcrypto behind small functions; nothing else includes it. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "gateway/crypto.h"
#include "gateway/log.h"

static void
crypto_hex(const unsigned char *md, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static void
crypto_digest_hex(const EVP_MD *type, const void *buf, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(buf, len, md, &mdlen, type, NULL) != 1)
		fatalx("crypto: digest failed");
	crypto_hex(md, mdlen, out);
}

void
crypto_sha256_hex(const void *buf, size_t len, char out[CRYPTO_SHA256_HEX])
{
	crypto_digest_hex(EVP_sha256(), buf, len, out);
}

void
crypto_sha1_hex(const void *buf, size_t len, char out[CRYPTO_SHA1_HEX])
{
	crypto_digest_hex(EVP_sha1(), buf, len, out);
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

int
crypto_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}
