/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Referral codes and the Damm check digit. The Damm quasigroup of order 10
 * catches every single-digit error and every swap of adjacent digits, which
 * are the mistakes people make copying a code from one phone to another.
 */
#include <stdint.h>
#include <string.h>

#include "handlers/code.h"
#include "lib/lang.h"

#define CODE_SCAN_MAX 64 /* folded bytes code_parse() looks at */
#define CODE_TEXT_MAX 40 /* longest folded text that can be a code */

/* The standard Damm operation table (totally anti-symmetric quasigroup). */
static const unsigned char code_table[10][10] = {
	{ 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 },
	{ 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 },
	{ 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 },
	{ 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 },
	{ 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 },
	{ 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
	{ 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 },
	{ 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 },
	{ 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 },
	{ 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
};

int
code_damm(const char *digits, size_t n)
{
	unsigned char interim = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return -1;
		interim = code_table[interim][digits[i] - '0'];
	}
	return interim;
}

void
code_from_random(const unsigned char rnd[8], char out[CODE_LEN + 1])
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | rnd[i];
	out[0] = (char)('1' + v % 9);
	v /= 9;
	for (i = 1; i < CODE_LEN - 1; i++) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[CODE_LEN - 1] = (char)('0' + code_damm(out, CODE_LEN - 1));
	out[CODE_LEN] = '\0';
}

int
code_check(const char *code)
{
	return strlen(code) == CODE_LEN &&
	    strspn(code, "0123456789") == CODE_LEN && code[0] != '0' &&
	    code_damm(code, CODE_LEN) == 0;
}

/* Length of the separator at S (folded text): '-', ' ', a Unicode dash. */
static size_t
separator_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == '-' || *u == ' ')
		return 1;
	/* U+2010..U+2015 hyphens and dashes, U+2212 minus sign */
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x95)
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x88 && u[2] == 0x92)
		return 3;
	return 0;
}

enum code_status
code_parse(const char *in, char out[CODE_LEN + 1])
{
	char buf[CODE_SCAN_MAX], d[CODE_LEN + 1];
	size_t len, i = 0, n, digits = 0;
	int sep = 1; /* a separator may not come first */

	out[0] = '\0';
	len = strnlen(in, CODE_SCAN_MAX * 4);
	if (len == CODE_SCAN_MAX * 4 ||
	    lang_foldn(in, len, buf, sizeof buf) > CODE_TEXT_MAX)
		return CODE_NONE;
	while (buf[i] != '\0') {
		if (buf[i] >= '0' && buf[i] <= '9') {
			if (digits == CODE_LEN)
				return CODE_NONE;
			d[digits++] = buf[i++];
			sep = 0;
		} else if (!sep && (n = separator_len(buf + i)) != 0) {
			i += n;
			sep = 1;
		} else
			return CODE_NONE;
	}
	if (sep || digits != CODE_LEN || d[0] == '0')
		return CODE_NONE;
	d[CODE_LEN] = '\0';
	memcpy(out, d, sizeof d);
	return code_damm(d, CODE_LEN) == 0 ? CODE_OK : CODE_BAD_CHECK;
}

void
code_format(const char *code, char out[CODE_LEN + 2])
{
	if (strlen(code) != CODE_LEN) {
		strncpy(out, code, CODE_LEN + 1);
		out[CODE_LEN + 1] = '\0';
		return;
	}
	memcpy(out, code, 4);
	out[4] = '-';
	memcpy(out + 5, code + 4, 5);
}
