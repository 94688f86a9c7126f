/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenSSL libcrypto behind small functions; nothing else includes it.
 *
 * The privacy key is a 32-byte secret in privacy.key_file. HKDF-SHA256 (no
 * salt) turns it into three subkeys, info "hbmgw mac" for the HMAC-SHA256
 * look-up hashes of phone numbers, info "hbmgw enc" for AES-256-GCM and
 * info "hbmgw dlr" for the signatures of delivery-report URLs, so no use
 * weakens another. A struct crypto_key is immutable once made
 * and may be shared by threads. Sealed data is Base64 of a version byte,
 * a 96-bit nonce, the ciphertext and the 128-bit tag.
 *
 * Nonces are made the deterministic way of NIST SP 800-38D, 8.2.1: a
 * random 64-bit field drawn once per process (again in a forked child, and
 * when the counter wraps) and a 32-bit counter. Within a process no nonce
 * repeats; processes sharing a key (several gateways) collide only if two
 * 64-bit random draws do. Drawing 12 random bytes per seal instead cost a
 * getpid(2) each (OpenSSL's fork check): three per case, the gateway's most
 * frequent system call under load.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define CRYPTO_SUBKEY_LEN 32
#define CRYPTO_SEAL_VERSION 0x01
#define CRYPTO_NONCE_LEN 12
#define CRYPTO_TAG_LEN 16
#define CRYPTO_SEAL_OVERHEAD (1 + CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN)
#define CRYPTO_CHUNK (1 << 30) /* bytes per EVP update, which takes int */

#define CRYPTO_NONCE_FIXED 8 /* the random field; the rest counts */

static pthread_mutex_t crypto_nonce_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t crypto_nonce_once = PTHREAD_ONCE_INIT;
static unsigned char crypto_nonce_fixed[CRYPTO_NONCE_FIXED];
static uint32_t crypto_nonce_count;
static int crypto_nonce_drawn; /* boolean: the fixed field is good */

struct crypto_key {
	unsigned char mac[CRYPTO_SUBKEY_LEN]; /* HMAC-SHA256 look-up key */
	unsigned char enc[CRYPTO_SUBKEY_LEN]; /* AES-256-GCM key */
	unsigned char dlr[CRYPTO_SUBKEY_LEN]; /* HMAC-SHA256 of DLR URLs */
};

static const char crypto_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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

/* HMAC with DIGEST ("SHA256", "SHA1") into MD; returns the length. */
static size_t
crypto_hmac(const char *digest, const void *key, size_t keylen, const void *msg,
    size_t len, unsigned char md[EVP_MAX_MD_SIZE])
{
	size_t mdlen = 0;

	/* An empty key or message still needs a valid pointer. */
	if (keylen == 0)
		key = "";
	if (len == 0)
		msg = "";
	if (EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, key, keylen, msg, len,
		md, EVP_MAX_MD_SIZE, &mdlen) == NULL)
		fatalx("crypto: HMAC-%s failed", digest);
	return mdlen;
}

void
crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *msg,
    size_t len, char out[CRYPTO_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];

	crypto_hex(md, crypto_hmac("SHA256", key, keylen, msg, len, md), out);
}

void
crypto_hmac_sha1_b64(const void *key, size_t keylen, const void *msg,
    size_t len, char out[CRYPTO_HMAC_SHA1_B64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen;
	char *s;

	mdlen = crypto_hmac("SHA1", key, keylen, msg, len, md);
	s = crypto_b64_encode(md, mdlen);
	memcpy(out, s, CRYPTO_HMAC_SHA1_B64);
	free(s);
}

char *
crypto_b64_encode(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	const char *a = crypto_b64_alphabet;
	char *out, *o;
	uint32_t v;
	size_t i;

	/* Four characters per started group of three, plus the NUL. */
	out = o = xreallocarray(NULL, len / 3 + 2, 4);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 0x3f];
		*o++ = a[(v >> 6) & 0x3f];
		*o++ = a[v & 0x3f];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 0x3f];
		*o++ = '=';
		*o++ = '=';
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 0x3f];
		*o++ = a[(v >> 6) & 0x3f];
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* The 6-bit value of Base64 character C, or -1. */
static int
crypto_b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
crypto_b64_decode(const char *s, unsigned char **out, size_t *outlen)
{
	size_t slen = strlen(s), pad = 0, i, n = 0;
	unsigned char *buf;
	uint32_t v;
	int j, c;

	if (slen % 4 != 0)
		return -1;
	if (slen > 0 && s[slen - 1] == '=')
		pad = slen > 1 && s[slen - 2] == '=' ? 2 : 1;
	buf = xmalloc(slen / 4 * 3 + 1);
	for (i = 0; i < slen; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + 4 == slen && (size_t)j >= 4 - pad)
				c = 0;
			else if ((c = crypto_b64_value(s[i + j])) == -1)
				goto fail;
			v = v << 6 | (uint32_t)c;
		}
		/* Canonical only: the bits beside the padding must be zero. */
		if (i + 4 == slen &&
		    ((pad == 2 && (v & 0xffff) != 0) ||
			(pad == 1 && (v & 0xff) != 0)))
			goto fail;
		buf[n++] = v >> 16;
		buf[n++] = (v >> 8) & 0xff;
		buf[n++] = v & 0xff;
	}
	n -= pad;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;

fail:
	free(buf);
	return -1;
}

/* One HKDF-SHA256 subkey of SECRET for purpose INFO. */
static void
crypto_hkdf(const unsigned char *secret, const char *info, unsigned char *out)
{
	EVP_PKEY_CTX *ctx;
	size_t outlen = CRYPTO_SUBKEY_LEN;

	if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL)
		fatalx("crypto: HKDF unavailable");
	if (EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_CTX_set1_hkdf_key(ctx, secret, CRYPTO_SECRET_LEN) <= 0 ||
	    EVP_PKEY_CTX_add1_hkdf_info(
		ctx, (const unsigned char *)info, (int)strlen(info)) <= 0 ||
	    EVP_PKEY_derive(ctx, out, &outlen) <= 0 ||
	    outlen != CRYPTO_SUBKEY_LEN)
		fatalx("crypto: HKDF failed");
	EVP_PKEY_CTX_free(ctx);
}

struct crypto_key *
crypto_key_from_bytes(const unsigned char secret[CRYPTO_SECRET_LEN])
{
	struct crypto_key *k;

	k = xmalloc(sizeof(*k));
	crypto_hkdf(secret, "hbmgw mac", k->mac);
	crypto_hkdf(secret, "hbmgw enc", k->enc);
	crypto_hkdf(secret, "hbmgw dlr", k->dlr);
	return k;
}

void
crypto_key_free(struct crypto_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* The value of hex digit C, or -1. */
static int
crypto_unhex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The secret from the 64 hex digits in HEX; -1 if any is not a digit. */
static int
crypto_unhex_secret(const unsigned char *hex, unsigned char *secret)
{
	int i, hi, lo;

	for (i = 0; i < CRYPTO_SECRET_LEN; i++) {
		hi = crypto_unhex_digit(hex[2 * i]);
		lo = crypto_unhex_digit(hex[2 * i + 1]);
		if (hi == -1 || lo == -1)
			return -1;
		secret[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Read all of FD (at most SIZE bytes) into BUF; -1 with errno on error. */
static ssize_t
crypto_read_all(int fd, unsigned char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

struct crypto_key *
crypto_key_load(const char *path, char **cause)
{
	/* Room for 64 hex digits, a newline, and one byte to see more. */
	unsigned char buf[2 * CRYPTO_SECRET_LEN + 2], secret[CRYPTO_SECRET_LEN];
	struct crypto_key *k = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO in its place must not hang startup. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		xasprintf(cause, "privacy key %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(cause, "privacy key %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "privacy key %s: not a regular file", path);
		goto fail;
	}
	/* Another user's file could be replaced under the daemon's feet. */
	if (st.st_uid != geteuid()) {
		xasprintf(cause,
		    "privacy key %s: owned by uid %u, must be owned by uid %u "
		    "(the user hbmgwd runs as)",
		    path, (unsigned)st.st_uid, (unsigned)geteuid());
		goto fail;
	}
	if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
		xasprintf(cause,
		    "privacy key %s: mode %04o, must not be readable by group "
		    "or others",
		    path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		xasprintf(cause,
		    "privacy key %s: mode %04o, must not be writable by group "
		    "or others",
		    path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if ((n = crypto_read_all(fd, buf, sizeof(buf))) == -1) {
		xasprintf(cause, "privacy key %s: %s", path, strerror(errno));
		goto fail;
	}
	if (n == CRYPTO_SECRET_LEN)
		memcpy(secret, buf, CRYPTO_SECRET_LEN);
	else if (n == 2 * CRYPTO_SECRET_LEN ||
	    (n == 2 * CRYPTO_SECRET_LEN + 1 && buf[n - 1] == '\n')) {
		if (crypto_unhex_secret(buf, secret) == -1) {
			xasprintf(
			    cause, "privacy key %s: not 64 hex digits", path);
			goto fail;
		}
	} else {
		xasprintf(cause,
		    "privacy key %s: %s%zd bytes, must be 32 raw bytes or 64 "
		    "hex digits",
		    path, (size_t)n == sizeof(buf) ? "over " : "",
		    (size_t)n == sizeof(buf) ? n - 1 : n);
		goto fail;
	}
	k = crypto_key_from_bytes(secret);

fail:
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(secret, sizeof(secret));
	close(fd);
	return k;
}

int
crypto_key_generate(const char *path, char **cause)
{
	unsigned char secret[CRYPTO_SECRET_LEN];
	ssize_t n;
	int fd, error;

	if (RAND_priv_bytes(secret, sizeof(secret)) != 1) {
		xasprintf(cause, "privacy key %s: no random bytes", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
	    S_IRUSR | S_IWUSR);
	if (fd == -1) {
		if (errno == EEXIST)
			xasprintf(cause,
			    "privacy key %s: exists, not overwritten", path);
		else
			xasprintf(
			    cause, "privacy key %s: %s", path, strerror(errno));
		OPENSSL_cleanse(secret, sizeof(secret));
		return -1;
	}
	/* Exactly 0600 whatever the umask. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1)
		goto fail;
	if ((n = write(fd, secret, sizeof(secret))) !=
	    (ssize_t)sizeof(secret)) {
		if (n != -1)
			errno = EIO;
		goto fail;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;

fail:
	error = errno;
	OPENSSL_cleanse(secret, sizeof(secret));
	if (fd != -1)
		close(fd);
	unlink(path);
	xasprintf(cause, "privacy key %s: %s", path, strerror(error));
	return -1;
}

void
crypto_phone_hash(
    const struct crypto_key *k, const char *e164, char out[CRYPTO_SHA256_HEX])
{
	crypto_hmac_sha256_hex(k->mac, sizeof(k->mac), e164, strlen(e164), out);
}

void
crypto_dlr_sig(
    const struct crypto_key *k, const char *msg_id, char out[CRYPTO_SHA256_HEX])
{
	crypto_hmac_sha256_hex(
	    k->dlr, sizeof(k->dlr), msg_id, strlen(msg_id), out);
}

/*
 * AES-256-GCM of LEN bytes from IN to OUT under NONCE: ENC 1 encrypts and
 * writes TAG, ENC 0 decrypts and checks it. -1 only for a tag mismatch.
 */
static int
crypto_gcm(const struct crypto_key *k, int enc, const unsigned char *nonce,
    const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx;
	size_t chunk;
	int n, rc = 0;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		fatalx("crypto: out of memory");
	if (EVP_CipherInit_ex(
		ctx, EVP_aes_256_gcm(), NULL, k->enc, nonce, enc) != 1)
		fatalx("crypto: AES-256-GCM unavailable");
	for (; len > 0; len -= chunk, in += chunk, out += chunk) {
		chunk = len < CRYPTO_CHUNK ? len : CRYPTO_CHUNK;
		if (EVP_CipherUpdate(ctx, out, &n, in, (int)chunk) != 1 ||
		    (size_t)n != chunk)
			fatalx("crypto: AES-256-GCM failed");
	}
	if (enc) {
		if (EVP_CipherFinal_ex(ctx, out, &n) != 1 ||
		    EVP_CIPHER_CTX_ctrl(
			ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_TAG_LEN, tag) != 1)
			fatalx("crypto: AES-256-GCM failed");
	} else {
		if (EVP_CIPHER_CTX_ctrl(
			ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_TAG_LEN, tag) != 1)
			fatalx("crypto: AES-256-GCM failed");
		if (EVP_CipherFinal_ex(ctx, out, &n) != 1)
			rc = -1;
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/*
 * Around a fork the lock is held, so that no child inherits it locked by a
 * thread it does not have; and a child must not go on with its parent's
 * nonces.
 */
static void
crypto_nonce_prefork(void)
{
	pthread_mutex_lock(&crypto_nonce_lock);
}

static void
crypto_nonce_parent(void)
{
	pthread_mutex_unlock(&crypto_nonce_lock);
}

static void
crypto_nonce_child(void)
{
	crypto_nonce_drawn = 0;
	pthread_mutex_unlock(&crypto_nonce_lock);
}

static void
crypto_nonce_init(void)
{
	if (pthread_atfork(crypto_nonce_prefork, crypto_nonce_parent,
		crypto_nonce_child) != 0)
		fatalx("crypto: pthread_atfork failed");
}

/* The next nonce of this process into OUT. */
static void
crypto_nonce(unsigned char out[CRYPTO_NONCE_LEN])
{
	uint32_t n;
	int i;

	pthread_once(&crypto_nonce_once, crypto_nonce_init);
	pthread_mutex_lock(&crypto_nonce_lock);
	if (!crypto_nonce_drawn || crypto_nonce_count == UINT32_MAX) {
		if (RAND_bytes(crypto_nonce_fixed, CRYPTO_NONCE_FIXED) != 1)
			fatalx("crypto: no random bytes for a nonce");
		crypto_nonce_count = 0;
		crypto_nonce_drawn = 1;
	}
	n = crypto_nonce_count++;
	memcpy(out, crypto_nonce_fixed, CRYPTO_NONCE_FIXED);
	pthread_mutex_unlock(&crypto_nonce_lock);
	for (i = CRYPTO_NONCE_LEN - 1; i >= CRYPTO_NONCE_FIXED; i--, n >>= 8)
		out[i] = (unsigned char)(n & 0xff);
}

char *
crypto_seal(const struct crypto_key *k, const void *plain, size_t len)
{
	unsigned char *blob, *nonce, *body;
	char *out;

	blob = xmalloc(CRYPTO_SEAL_OVERHEAD + len);
	blob[0] = CRYPTO_SEAL_VERSION;
	nonce = blob + 1;
	body = nonce + CRYPTO_NONCE_LEN;
	crypto_nonce(nonce);
	crypto_gcm(k, 1, nonce, plain, len, body, body + len);
	out = crypto_b64_encode(blob, CRYPTO_SEAL_OVERHEAD + len);
	free(blob);
	return out;
}

int
crypto_open(const struct crypto_key *k, const char *b64, char **plain,
    size_t *len, char **cause)
{
	unsigned char *blob, *body, *out;
	size_t bloblen, n;

	if (crypto_b64_decode(b64, &blob, &bloblen) == -1) {
		*cause = xstrdup("not sealed data");
		return -1;
	}
	if (bloblen < CRYPTO_SEAL_OVERHEAD) {
		*cause = xstrdup("not sealed data");
		free(blob);
		return -1;
	}
	if (blob[0] != CRYPTO_SEAL_VERSION) {
		xasprintf(
		    cause, "sealed data version %u not supported", blob[0]);
		free(blob);
		return -1;
	}
	n = bloblen - CRYPTO_SEAL_OVERHEAD;
	body = blob + 1 + CRYPTO_NONCE_LEN;
	out = xmalloc(n + 1);
	if (crypto_gcm(k, 0, blob + 1, body, n, out, body + n) == -1) {
		OPENSSL_cleanse(out, n);
		free(out);
		free(blob);
		*cause = xstrdup("cannot decrypt: authentication failed");
		return -1;
	}
	out[n] = '\0';
	*plain = (char *)out;
	*len = n;
	free(blob);
	return 0;
}

char *
crypto_seal_str(const struct crypto_key *k, const char *s)
{
	return crypto_seal(k, s, strlen(s));
}

char *
crypto_open_str(const struct crypto_key *k, const char *s)
{
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (s[0] != '\0' && crypto_open(k, s, &plain, &len, &cause) == 0)
		return plain;
	free(cause);
	return xstrdup(s);
}
