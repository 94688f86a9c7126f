/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMS text conversions for the modem channel: UTF-16BE and 8-bit data to
 * UTF-8, UTF-8 to UTF-16BE, and prepaid balance figures. Pure functions.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lib/lang.h"
#include "modem/decode.h"

#define DECODE_BAD 0xfffd /* a lone surrogate or a NUL decodes to this */

/* Append code point CP as UTF-8 at *AT in OUT; -1 when it does not fit. */
static int
put_utf8(uint32_t cp, char *out, size_t size, size_t *at)
{
	unsigned char b[4];
	size_t n, i;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*at + n >= size)
		return -1;
	for (i = 0; i < n; i++)
		out[(*at)++] = (char)b[i];
	out[*at] = '\0';
	return 0;
}

int
decode_utf16be(const unsigned char *src, size_t n, char *out, size_t size)
{
	uint32_t u, lo;
	size_t i, at = 0;

	if (size == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		u = (uint32_t)src[2 * i] << 8 | src[2 * i + 1];
		if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
			lo = (uint32_t)src[2 * i + 2] << 8 | src[2 * i + 3];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i++;
			}
		}
		if (u == 0 || (u >= 0xd800 && u <= 0xdfff))
			u = DECODE_BAD;
		if (put_utf8(u, out, size, &at) == -1)
			return -1;
	}
	return (int)at;
}

int
decode_8bit(const unsigned char *src, size_t len, char *out, size_t size)
{
	size_t i, at = 0;

	if (size == 0)
		return -1;
	out[0] = '\0';
	if (memchr(src, '\0', len) == NULL &&
	    lang_utf8_valid((const char *)src, len)) {
		if (len >= size) {
			/* never half a character: back off to its lead byte */
			i = size - 1;
			while (i > 0 && (src[i] & 0xc0) == 0x80)
				i--;
			memcpy(out, src, i);
			out[i] = '\0';
			return -1;
		}
		memcpy(out, src, len);
		out[len] = '\0';
		return (int)len;
	}
	for (i = 0; i < len; i++)
		if (put_utf8(src[i] == 0 ? DECODE_BAD : src[i], out, size,
			&at) == -1)
			return -1;
	return (int)at;
}

int
decode_to_utf16be(const char *text, unsigned char *out, size_t size)
{
	size_t len = strlen(text), i = 0, at = 0, k;
	uint32_t cp, unit[2];
	size_t n, nu;

	while (i < len) {
		if ((n = lang_utf8_decode(text + i, len - i, &cp)) == 0)
			return -1;
		i += n;
		if (cp >= 0x10000) {
			unit[0] = 0xd800 + ((cp - 0x10000) >> 10);
			unit[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			nu = 2;
		} else {
			unit[0] = cp;
			nu = 1;
		}
		if (at + 2 * nu + 2 > size)
			return -1;
		for (k = 0; k < nu; k++) {
			out[at++] = (unsigned char)(unit[k] >> 8);
			out[at++] = (unsigned char)(unit[k] & 0xff);
		}
	}
	if (at + 2 > size)
		return -1;
	out[at] = out[at + 1] = 0;
	return (int)(at / 2);
}

/* Where the first balance word in TEXT ends, or TEXT when none is there. */
static const char *
balance_start(const char *text)
{
	static const char *const words[] = { "balance", "solde", "credit",
		"crédit", "رصيد", NULL };
	const char *p, *best = NULL;
	size_t i, wl;

	for (i = 0; words[i] != NULL; i++) {
		wl = strlen(words[i]);
		for (p = text; *p != '\0'; p++)
			if (strncasecmp(p, words[i], wl) == 0) {
				if (best == NULL || p + wl < best)
					best = p + wl;
				break;
			}
	}
	return best != NULL ? best : text;
}

/* 1 when P starts with exactly three digits not followed by a fourth. */
static int
three_digits(const char *p)
{
	return p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && !(p[3] >= '0' && p[3] <= '9');
}

int
decode_balance(const char *text, double *out)
{
	const char *p = balance_start(text);
	double v = 0, scale;
	int neg = 0;

	while (*p != '\0' && !(*p >= '0' && *p <= '9'))
		p++;
	if (*p == '\0')
		return -1;
	neg = p > text && p[-1] == '-';
	for (;;) {
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (*p++ - '0');
		if ((*p == ',' || *p == ' ') && three_digits(p + 1))
			p++;
		else
			break;
	}
	if ((*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
		for (p++, scale = 0.1; *p >= '0' && *p <= '9'; p++) {
			v += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (!isfinite(v))
		return -1; /* hundreds of digits: no balance, and no JSON */
	*out = neg ? -v : v;
	return 0;
}
