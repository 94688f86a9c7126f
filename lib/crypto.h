/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hashes, MACs, sealing of personal fields, Base64, constant-time comparison
 * and random bytes, in our own terms. The only module that includes OpenSSL
 * headers.
 */
#ifndef HBM_GATEWAY_CRYPTO_H
#define HBM_GATEWAY_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_HEX 65	/* 64 hex digits and NUL */
#define CRYPTO_SHA1_HEX 41	/* 40 hex digits and NUL */
#define CRYPTO_HMAC_SHA1_B64 29 /* 28 Base64 characters and NUL */
#define CRYPTO_SECRET_LEN 32	/* bytes in privacy.key_file */

/*
 * The privacy key: subkeys derived with HKDF-SHA256 from the secret in
 * privacy.key_file, one for look-up hashes (HMAC-SHA256), one for sealed
 * fields (AES-256-GCM) and one for delivery-report URL signatures
 * (HMAC-SHA256). Opaque; wiped by crypto_key_free().
 */
struct crypto_key;

/* Lowercase hex SHA-256 of BUF into OUT. */
void crypto_sha256_hex(
    const void *buf, size_t len, char out[CRYPTO_SHA256_HEX]);
/* Lowercase hex SHA-1 of BUF into OUT (Redis script ids). */
void crypto_sha1_hex(const void *buf, size_t len, char out[CRYPTO_SHA1_HEX]);
/* 1 when A and B (LEN bytes each) are equal, in time independent of data. */
int crypto_equal(const void *a, const void *b, size_t len);
/* Fill BUF with LEN cryptographically random bytes; -1 on failure. */
int crypto_random(void *buf, size_t len);

/* Lowercase hex HMAC-SHA256 of MSG under KEY into OUT. */
void crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *msg,
    size_t len, char out[CRYPTO_SHA256_HEX]);
/* Base64 HMAC-SHA1 of MSG under KEY into OUT (Twilio request signatures). */
void crypto_hmac_sha1_b64(const void *key, size_t keylen, const void *msg,
    size_t len, char out[CRYPTO_HMAC_SHA1_B64]);

/* Standard Base64 with padding of BUF, NUL-terminated; the caller frees. */
char *crypto_b64_encode(const void *buf, size_t len);
/*
 * Strict Base64 decoding: only the standard alphabet, length a multiple of
 * four, canonical padding. *OUT (NUL-terminated, the caller frees) and
 * *OUTLEN are set on success; -1 on any bad input.
 */
int crypto_b64_decode(const char *s, unsigned char **out, size_t *outlen);

/*
 * Read the secret from PATH: exactly 32 raw bytes, or 64 hex digits and an
 * optional newline. Refuses a file that is not a regular file, is not owned
 * by the effective user, or that group or others can read or write.
 */
struct crypto_key *crypto_key_load(const char *path, char **cause);
/* A key from a secret in memory (tests, tools). Never fails. */
struct crypto_key *crypto_key_from_bytes(
    const unsigned char secret[CRYPTO_SECRET_LEN]);
/* Wipe and free K; NULL is a no-op. */
void crypto_key_free(struct crypto_key *k);
/* Write 32 fresh random bytes to a new file PATH, mode 0600; never replaces. */
int crypto_key_generate(const char *path, char **cause);

/* Lowercase hex HMAC-SHA256 of an E.164 number: its stable look-up name. */
void crypto_phone_hash(
    const struct crypto_key *k, const char *e164, char out[CRYPTO_SHA256_HEX]);
/*
 * Lowercase hex HMAC-SHA256 of a message id under the delivery-report
 * subkey: proves that a delivery-report URL was made by this gateway.
 */
void crypto_dlr_sig(const struct crypto_key *k, const char *msg_id,
    char out[CRYPTO_SHA256_HEX]);
/*
 * Encrypt PLAIN with AES-256-GCM under a nonce never used before in this
 * process: a random field drawn per process (and per fork) and a counter.
 * Returns Base64 of 0x01 || nonce (12) || ciphertext || tag (16); the
 * caller frees. Exits through fatalx() only when the system random
 * generator fails.
 */
char *crypto_seal(const struct crypto_key *k, const void *plain, size_t len);
/*
 * Decrypt and authenticate what crypto_seal() made. *PLAIN (NUL-terminated,
 * the caller frees) and *LEN are set on success; -1 with *CAUSE when the
 * data is not sealed data, was altered, or was sealed under another key.
 */
int crypto_open(const struct crypto_key *k, const char *b64, char **plain,
    size_t *len, char **cause);
/* crypto_seal() of the string S. */
char *crypto_seal_str(const struct crypto_key *k, const char *s);
/*
 * The text a field holds, the caller frees: S opened when it is sealed, else
 * S itself (a record written in clear before texts were sealed, or ""). A
 * field that is sealed data under another key or altered also comes back
 * as it is, never as an error: a reader shows what is there.
 */
char *crypto_open_str(const struct crypto_key *k, const char *s);

#endif
