/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/crypto.c: published MAC vectors, Base64, the key
 * file, sealing.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "lib/xmalloc.h"

/* The secret 00 01 02 ... 1f, used for the known answers below. */
static const unsigned char test_secret[CRYPTO_SECRET_LEN] = { 0, 1, 2, 3, 4, 5,
	6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
	25, 26, 27, 28, 29, 30, 31 };

/* Made independently (Python hmac, cryptography's HKDF and AESGCM). */
#define TEST_NUMBER "+256700000101"
#define TEST_NUMBER_HASH \
	"679e47ba39fa11a59458348b8434aea0d6e5c4634f76c1fbe5cd47a2e9991db1"
#define TEST_NUMBER_SEALED \
	"AQABAgMEBQYHCAkKC36XW1Jy2eHPsEDON0XjVZQi8Ej70TRWO+URvvDk"

static void
test_hmac_sha256(void **state)
{
	unsigned char key1[20];
	char out[CRYPTO_SHA256_HEX];

	(void)state;
	/* RFC 4231, test case 1. */
	memset(key1, 0x0b, sizeof(key1));
	crypto_hmac_sha256_hex(key1, sizeof(key1), "Hi There", 8, out);
	assert_string_equal(out,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* RFC 4231, test case 2. */
	crypto_hmac_sha256_hex(
	    "Jefe", 4, "what do ya want for nothing?", 28, out);
	assert_string_equal(out,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* Empty key and message. */
	crypto_hmac_sha256_hex(NULL, 0, NULL, 0, out);
	assert_string_equal(out,
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void
test_hmac_sha1_b64(void **state)
{
	const char *msg = "The quick brown fox jumps over the lazy dog";
	char out[CRYPTO_HMAC_SHA1_B64];

	(void)state;
	/* Hex de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9. */
	crypto_hmac_sha1_b64("key", 3, msg, strlen(msg), out);
	assert_string_equal(out, "3nybhbi3iqa8ino29wqQcBydtNk=");
}

struct b64_case {
	const char *plain;
	const char *b64;
};

/* RFC 4648, section 10. */
static const struct b64_case b64_cases[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const char *const b64_bad[] = {
	"Zg",	      /* no padding */
	"Zg=",	      /* short padding */
	"Zm9\n",      /* newline */
	"Zm 9",	      /* space */
	"Zm9v====",   /* a padding-only group */
	"Zg==Zg==",   /* padding inside */
	"Z===",	      /* too much padding */
	"Zm=v",	      /* padding before data */
	"Zh==",	      /* bits beside the padding set */
	"Zm9=",	      /* the same, one pad */
	"Zm9v-_8=",   /* URL-safe alphabet */
	"Zm\xc3\xa9", /* not ASCII */
};

static void
test_b64(void **state)
{
	const unsigned char bin[] = { 0x00, 0xff, 0xfe, 0x80, 0x7f, 0x00 };
	unsigned char *out;
	size_t i, len;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		s = crypto_b64_encode(
		    b64_cases[i].plain, strlen(b64_cases[i].plain));
		assert_string_equal(s, b64_cases[i].b64);
		free(s);
		assert_int_equal(
		    crypto_b64_decode(b64_cases[i].b64, &out, &len), 0);
		assert_int_equal(len, strlen(b64_cases[i].plain));
		assert_memory_equal(out, b64_cases[i].plain, len);
		assert_int_equal(out[len], '\0');
		free(out);
	}
	s = crypto_b64_encode(bin, sizeof(bin));
	assert_string_equal(s, "AP/+gH8A");
	assert_int_equal(crypto_b64_decode(s, &out, &len), 0);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(out, bin, len);
	free(out);
	free(s);
	for (i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
		out = NULL;
		if (crypto_b64_decode(b64_bad[i], &out, &len) != -1)
			fail_msg("accepted \"%s\"", b64_bad[i]);
		assert_null(out);
	}
}

/* Bytes from lowercase hex HEX (test data only). */
static void
test_unhex(const char *hex, unsigned char *out, size_t len)
{
	size_t i;
	unsigned int v;

	for (i = 0; i < len; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static void
test_phone_hash_known(void **state)
{
	unsigned char zero[32] = { 0 }, prk[32], mac[32];
	struct crypto_key *k;
	char hex[CRYPTO_SHA256_HEX], want[CRYPTO_SHA256_HEX];

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	crypto_phone_hash(k, TEST_NUMBER, hex);
	assert_string_equal(hex, TEST_NUMBER_HASH);
	/* The same by RFC 5869: no salt, one block of "hbmgw mac" || 0x01. */
	crypto_hmac_sha256_hex(
	    zero, sizeof(zero), test_secret, sizeof(test_secret), hex);
	test_unhex(hex, prk, sizeof(prk));
	crypto_hmac_sha256_hex(prk, sizeof(prk), "hbmgw mac\x01", 10, hex);
	test_unhex(hex, mac, sizeof(mac));
	crypto_hmac_sha256_hex(
	    mac, sizeof(mac), TEST_NUMBER, strlen(TEST_NUMBER), want);
	assert_string_equal(want, TEST_NUMBER_HASH);
	crypto_key_free(k);
	crypto_key_free(NULL);
}

static void
test_phone_hash_keyed(void **state)
{
	unsigned char other[CRYPTO_SECRET_LEN];
	struct crypto_key *k1, *k2, *k3;
	char h1[CRYPTO_SHA256_HEX], h2[CRYPTO_SHA256_HEX];
	size_t i;

	(void)state;
	memcpy(other, test_secret, sizeof(other));
	other[31] ^= 1;
	k1 = crypto_key_from_bytes(test_secret);
	k2 = crypto_key_from_bytes(test_secret);
	k3 = crypto_key_from_bytes(other);
	crypto_phone_hash(k1, TEST_NUMBER, h1);
	crypto_phone_hash(k2, TEST_NUMBER, h2);
	assert_string_equal(h1, h2);
	assert_int_equal(strlen(h1), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", h1[i]));
	crypto_phone_hash(k3, TEST_NUMBER, h2);
	assert_string_not_equal(h1, h2);
	crypto_phone_hash(k1, "+256700000102", h2);
	assert_string_not_equal(h1, h2);
	/* Not the plain SHA-256 of the number, which anyone can compute. */
	crypto_sha256_hex(TEST_NUMBER, strlen(TEST_NUMBER), h2);
	assert_string_not_equal(h1, h2);
	crypto_key_free(k1);
	crypto_key_free(k2);
	crypto_key_free(k3);
}

/* Seal LEN bytes of PLAIN and open them again. */
static void
test_round_trip(const struct crypto_key *k, const void *plain, size_t len)
{
	char *sealed, *opened = NULL, *cause = NULL;
	size_t openlen = 0;

	sealed = crypto_seal(k, plain, len);
	assert_non_null(sealed);
	assert_int_equal(strlen(sealed), (29 + len + 2) / 3 * 4);
	assert_int_equal(crypto_open(k, sealed, &opened, &openlen, &cause), 0);
	assert_null(cause);
	assert_int_equal(openlen, len);
	assert_memory_equal(opened, plain, len);
	assert_int_equal(opened[len], '\0');
	free(opened);
	free(sealed);
}

static void
test_seal_round_trip(void **state)
{
	const char binary[] = { 'a', '\0', 'b', '\0', '\xff', '\0' };
	struct crypto_key *k;
	unsigned char *big;
	size_t i;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	test_round_trip(k, "", 0);
	test_round_trip(k, "x", 1);
	test_round_trip(k, binary, sizeof(binary));
	big = xmalloc(10240);
	for (i = 0; i < 10240; i++)
		big[i] = (unsigned char)(i * 131 + 7);
	test_round_trip(k, big, 10240);
	free(big);
	crypto_key_free(k);
}

/*
 * Text fields: a sealed one opens; one in clear (written before texts were
 * sealed), "" and one sealed under another key come back as they are.
 */
static void
test_open_str(void **state)
{
	unsigned char other[CRYPTO_SECRET_LEN];
	struct crypto_key *k, *k2;
	char *sealed, *s;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	memset(other, 7, sizeof(other));
	k2 = crypto_key_from_bytes(other);
	sealed = crypto_seal_str(k, "HELP FOOD call 0772123456");
	assert_null(strstr(sealed, "0772123456"));
	s = crypto_open_str(k, sealed);
	assert_string_equal(s, "HELP FOOD call 0772123456");
	free(s);
	s = crypto_open_str(k2, sealed);
	assert_string_equal(s, sealed);
	free(s);
	s = crypto_open_str(k, "HELP FOOD");
	assert_string_equal(s, "HELP FOOD");
	free(s);
	s = crypto_open_str(k, "");
	assert_string_equal(s, "");
	free(s);
	free(sealed);
	crypto_key_free(k);
	crypto_key_free(k2);
}

static void
test_seal_known(void **state)
{
	struct crypto_key *k;
	char *plain = NULL, *cause = NULL;
	size_t len = 0;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	assert_int_equal(
	    crypto_open(k, TEST_NUMBER_SEALED, &plain, &len, &cause), 0);
	assert_string_equal(plain, TEST_NUMBER);
	assert_int_equal(len, strlen(TEST_NUMBER));
	free(plain);
	crypto_key_free(k);
}

static void
test_seal_fresh_nonce(void **state)
{
	struct crypto_key *k;
	unsigned char *b1, *b2;
	size_t l1, l2;
	char *s1, *s2;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	s1 = crypto_seal(k, TEST_NUMBER, strlen(TEST_NUMBER));
	s2 = crypto_seal(k, TEST_NUMBER, strlen(TEST_NUMBER));
	assert_string_not_equal(s1, s2);
	assert_int_equal(crypto_b64_decode(s1, &b1, &l1), 0);
	assert_int_equal(crypto_b64_decode(s2, &b2, &l2), 0);
	assert_int_equal(l1, 1 + 12 + strlen(TEST_NUMBER) + 16);
	assert_int_equal(b1[0], 0x01);
	assert_memory_not_equal(b1 + 1, b2 + 1, 12);
	free(b1);
	free(b2);
	free(s1);
	free(s2);
	crypto_key_free(k);
}

/* The nonce of a seal of TEST_NUMBER under K. */
static void
test_nonce_of(const struct crypto_key *k, unsigned char nonce[12])
{
	unsigned char *blob;
	size_t len;
	char *s;

	s = crypto_seal(k, TEST_NUMBER, strlen(TEST_NUMBER));
	assert_int_equal(crypto_b64_decode(s, &blob, &len), 0);
	memcpy(nonce, blob + 1, 12);
	free(blob);
	free(s);
}

/* The 32-bit counter at the end of NONCE. */
static uint32_t
test_nonce_count(const unsigned char nonce[12])
{
	return (uint32_t)nonce[8] << 24 | (uint32_t)nonce[9] << 16 |
	    (uint32_t)nonce[10] << 8 | nonce[11];
}

/*
 * Nonces are a random field and a counter: consecutive seals keep the
 * field and count up by one, from any thread; a forked child draws a field
 * of its own rather than repeat its parent's nonces, and the parent goes
 * on counting.
 */
static void
test_seal_nonce_counter(void **state)
{
	struct crypto_key *k;
	unsigned char n1[12], n2[12], n3[12], child[12];
	int fd[2], status;
	ssize_t got;
	pid_t pid;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	test_nonce_of(k, n1);
	test_nonce_of(k, n2);
	assert_memory_equal(n1, n2, 8);
	assert_int_equal(test_nonce_count(n2), test_nonce_count(n1) + 1);

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		test_nonce_of(k, child);
		_exit(write(fd[1], child, sizeof(child)) == sizeof(child) ? 0
									  : 1);
	}
	close(fd[1]);
	got = read(fd[0], child, sizeof(child));
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, sizeof(child));
	assert_memory_not_equal(child, n2, 8);
	assert_int_equal(test_nonce_count(child), 0);

	test_nonce_of(k, n3);
	assert_memory_equal(n3, n2, 8);
	assert_int_equal(test_nonce_count(n3), test_nonce_count(n2) + 1);
	crypto_key_free(k);
}

/* Expect crypto_open() to refuse B64 with a cause containing WANT. */
static void
test_refused(const struct crypto_key *k, const char *b64, const char *want)
{
	char *plain = NULL, *cause = NULL;
	size_t len = 0;

	assert_int_equal(crypto_open(k, b64, &plain, &len, &cause), -1);
	assert_null(plain);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("\"%s\": cause \"%s\", want \"%s\"", b64, cause, want);
	free(cause);
}

static void
test_open_tampered(void **state)
{
	struct crypto_key *k;
	unsigned char *blob;
	size_t len, i;
	char *sealed, *s;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	sealed = crypto_seal(k, TEST_NUMBER, strlen(TEST_NUMBER));
	assert_int_equal(crypto_b64_decode(sealed, &blob, &len), 0);
	/* Every byte: version, nonce, ciphertext, tag; low and high bits. */
	for (i = 0; i < len; i++) {
		blob[i] ^= 0x01;
		s = crypto_b64_encode(blob, len);
		test_refused(
		    k, s, i == 0 ? "version" : "authentication failed");
		free(s);
		blob[i] ^= 0x81;
		s = crypto_b64_encode(blob, len);
		test_refused(
		    k, s, i == 0 ? "version" : "authentication failed");
		free(s);
		blob[i] ^= 0x80;
	}
	/* Cut short and lengthened. */
	s = crypto_b64_encode(blob, len - 1);
	test_refused(k, s, "authentication failed");
	free(s);
	blob = xreallocarray(blob, len + 1, 1);
	blob[len] = 'x';
	s = crypto_b64_encode(blob, len + 1);
	test_refused(k, s, "authentication failed");
	free(s);
	free(blob);
	free(sealed);
	crypto_key_free(k);
}

static void
test_open_wrong_key(void **state)
{
	unsigned char other[CRYPTO_SECRET_LEN];
	struct crypto_key *k1, *k2;
	char *sealed;

	(void)state;
	memcpy(other, test_secret, sizeof(other));
	other[0] ^= 0x80;
	k1 = crypto_key_from_bytes(test_secret);
	k2 = crypto_key_from_bytes(other);
	sealed = crypto_seal(k1, TEST_NUMBER, strlen(TEST_NUMBER));
	test_refused(k2, sealed, "cannot decrypt: authentication failed");
	test_refused(k2, TEST_NUMBER_SEALED, "authentication failed");
	free(sealed);
	crypto_key_free(k1);
	crypto_key_free(k2);
}

static void
test_open_garbage(void **state)
{
	static const char *const garbage[] = {
		"",
		"AQ==",
		"AAAA",
		"not base64 at all",
		TEST_NUMBER,
		/* 28 bytes: one short of an empty sealed text */
		"AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGg==",
		"AQABAgMEBQYHCAkKC36XW1Jy2eHPsEDON0XjVZQi8Ej70TRWO+URvvD",
		"AQABAgMEBQYHCAkKC36XW1Jy2eHPsEDON0XjVZQi8Ej70TRWO+URvvDk\n",
		" AQABAgMEBQYHCAkKC36XW1Jy2eHPsEDON0XjVZQi8Ej70TRWO+URvvDk",
		"AQABAgMEBQYHCAkKC36XW1Jy2eHPsEDON0XjVZQi8Ej70TRWO-URvvDk",
	};
	struct crypto_key *k;
	size_t i;

	(void)state;
	k = crypto_key_from_bytes(test_secret);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		test_refused(k, garbage[i], "not sealed data");
	/* Well-formed but of a version we do not know. */
	test_refused(k,
	    "AgABAgMEBQYHCAkKC36XW1Jy2eHPsEDON0XjVZQi8Ej70TRWO+URvvDk",
	    "sealed data version 2 not supported");
	crypto_key_free(k);
}

/* A scratch directory for key files, removed with all it holds. */
static int
keydir_setup(void **state)
{
	char tmpl[] = "/tmp/hbm-test-crypto.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	*state = xstrdup(tmpl);
	return 0;
}

static int
keydir_teardown(void **state)
{
	struct dirent *de;
	char *dir = *state, *path;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		unlink(path);
		free(path);
	}
	closedir(d);
	rmdir(dir);
	free(dir);
	return 0;
}

/* Write LEN bytes of DATA to DIR/NAME with MODE; returns the path. */
static char *
test_key_file(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char *path;
	int fd;

	xasprintf(&path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* Load a key file that must be good; its phone hash must be the known one. */
static void
test_key_good(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	struct crypto_key *k;
	char hex[CRYPTO_SHA256_HEX], *path, *cause = NULL;

	path = test_key_file(dir, name, data, len, mode);
	k = crypto_key_load(path, &cause);
	if (k == NULL)
		fail_msg("%s: %s", name, cause);
	crypto_phone_hash(k, TEST_NUMBER, hex);
	assert_string_equal(hex, TEST_NUMBER_HASH);
	crypto_key_free(k);
	free(path);
}

/* Load a key file that must be refused: "privacy key PATH: " and WHY. */
static void
test_key_bad(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, const char *why)
{
	char *path, *expect, *cause = NULL;

	path = test_key_file(dir, name, data, len, mode);
	assert_null(crypto_key_load(path, &cause));
	assert_non_null(cause);
	xasprintf(&expect, "privacy key %s: %s", path, why);
	assert_string_equal(cause, expect);
	free(expect);
	free(cause);
	free(path);
}

#define TEST_HEX \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void
test_key_load(void **state)
{
	const char *dir = *state, *upper;
	char *path, *cause = NULL;

	upper =
	    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
	test_key_good(dir, "raw", test_secret, 32, 0600);
	test_key_good(dir, "hex", TEST_HEX, 64, 0600);
	test_key_good(dir, "hex-nl", TEST_HEX "\n", 65, 0600);
	test_key_good(dir, "upper", upper, 64, 0600);
	test_key_good(dir, "read-only", test_secret, 32, 0400);
	test_key_bad(dir, "short", test_secret, 31, 0600,
	    "31 bytes, must be 32 raw bytes or 64 hex digits");
	test_key_bad(dir, "empty", "", 0, 0600,
	    "0 bytes, must be 32 raw bytes or 64 hex digits");
	test_key_bad(dir, "long", TEST_HEX TEST_HEX, 128, 0600,
	    "over 65 bytes, must be 32 raw bytes or 64 hex "
	    "digits");
	test_key_bad(dir, "hex-crlf", TEST_HEX "\r\n", 66, 0600,
	    "over 65 bytes, must be 32 raw bytes or 64 hex "
	    "digits");
	test_key_bad(dir, "hex-space", TEST_HEX " ", 65, 0600,
	    "65 bytes, must be 32 raw bytes or 64 hex digits");
	test_key_bad(dir, "not-hex",
	    "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	    64, 0600, "not 64 hex digits");
	test_key_bad(dir, "mode644", test_secret, 32, 0644,
	    "mode 0644, must not be readable by group or "
	    "others");
	test_key_bad(dir, "mode604", test_secret, 32, 0604,
	    "mode 0604, must not be readable by group or "
	    "others");
	test_key_bad(dir, "mode620", test_secret, 32, 0620,
	    "mode 0620, must not be writable by group or "
	    "others");
	/* Another user's file, even at mode 0600 (testable as root only). */
	if (geteuid() == 0) {
		path = test_key_file(dir, "nobody", test_secret, 32, 0600);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_null(crypto_key_load(path, &cause));
		assert_non_null(cause);
		assert_non_null(strstr(cause, path));
		assert_non_null(strstr(
		    cause, "owned by uid 65534, must be owned by uid 0"));
		free(cause);
		free(path);
	}
	/* Missing, and a directory. */
	xasprintf(&path, "%s/missing", dir);
	assert_null(crypto_key_load(path, &cause));
	assert_non_null(strstr(cause, path));
	assert_non_null(strstr(cause, "No such file or directory"));
	free(cause);
	free(path);
	assert_null(crypto_key_load(dir, &cause));
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
}

static void
test_key_generate(void **state)
{
	const char *dir = *state;
	unsigned char before[33], after[33];
	struct crypto_key *k;
	struct stat st;
	char *path, *cause = NULL;
	mode_t mask;
	int fd;

	xasprintf(&path, "%s/generated", dir);
	/* A permissive umask must not loosen the mode. */
	mask = umask(0);
	assert_int_equal(crypto_key_generate(path, &cause), 0);
	umask(mask);
	assert_null(cause);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 32);
	k = crypto_key_load(path, &cause);
	assert_non_null(k);
	crypto_key_free(k);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, before, sizeof(before)), 32);
	close(fd);
	/* Never overwritten: same bytes afterwards. */
	assert_int_equal(crypto_key_generate(path, &cause), -1);
	assert_non_null(strstr(cause, path));
	assert_non_null(strstr(cause, ": exists, not overwritten"));
	free(cause);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, after, sizeof(after)), 32);
	close(fd);
	assert_memory_equal(before, after, 32);
	free(path);
	/* Two keys differ; a missing directory is an error naming the path. */
	xasprintf(&path, "%s/second", dir);
	assert_int_equal(crypto_key_generate(path, &cause), 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, after, sizeof(after)), 32);
	close(fd);
	assert_memory_not_equal(before, after, 32);
	free(path);
	xasprintf(&path, "%s/no/such/dir", dir);
	assert_int_equal(crypto_key_generate(path, &cause), -1);
	assert_non_null(strstr(cause, path));
	free(cause);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test(test_hmac_sha1_b64),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_phone_hash_known),
		cmocka_unit_test(test_phone_hash_keyed),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_seal_known),
		cmocka_unit_test(test_open_str),
		cmocka_unit_test(test_seal_fresh_nonce),
		cmocka_unit_test(test_seal_nonce_counter),
		cmocka_unit_test(test_open_tampered),
		cmocka_unit_test(test_open_wrong_key),
		cmocka_unit_test(test_open_garbage),
		cmocka_unit_test_setup_teardown(
		    test_key_load, keydir_setup, keydir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_key_generate, keydir_setup, keydir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
