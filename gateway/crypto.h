/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hashes, constant-time comparison and random bytes, in our own terms. The
 * only module that includes OpenSSL headers.
 */
#ifndef HBM_GATEWAY_CRYPTO_H
#define HBM_GATEWAY_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_HEX 65 /* 64 hex digits and NUL */
#define CRYPTO_SHA1_HEX 41

/* Lowercase hex SHA-256 of BUF into OUT. */
void crypto_sha256_hex(
    const void *buf, size_t len, char out[CRYPTO_SHA256_HEX]);
/* Lowercase hex SHA-1 of BUF into OUT (Redis script ids). */
void crypto_sha1_hex(const void *buf, size_t len, char out[CRYPTO_SHA1_HEX]);
/* 1 when A and B (LEN bytes each) are equal, in time independent of data. */
int crypto_equal(const void *a, const void *b, size_t len);
/* Fill BUF with LEN cryptographically random bytes; -1 on failure. */
int crypto_random(void *buf, size_t len);

#endif
