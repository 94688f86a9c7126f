/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Phone numbers as people write them, turned into E.164, and E.164 numbers
 * masked for logs. Pure functions: no I/O, no globals.
 */
#include <string.h>

#include "lib/phone.h"

#define PHONE_DIGITS 15	   /* E.164 maximum */
#define PHONE_MIN_DIGITS 8 /* shortest number we accept */
#define PHONE_SCAN_MAX 64  /* digits kept while scanning the input */

/*
 * The value of the digit at S (ASCII, Arabic-Indic U+0660..0669 or Persian
 * U+06F0..06F9 in UTF-8), with *len set to its length in bytes; or -1.
 */
static int
digit_at(const unsigned char *s, size_t *len)
{
	if (s[0] >= '0' && s[0] <= '9') {
		*len = 1;
		return s[0] - '0';
	}
	if (s[0] == 0xd9 && s[1] >= 0xa0 && s[1] <= 0xa9) {
		*len = 2;
		return s[1] - 0xa0;
	}
	if (s[0] == 0xdb && s[1] >= 0xb0 && s[1] <= 0xb9) {
		*len = 2;
		return s[1] - 0xb0;
	}
	return -1;
}

/* Characters people put between digits. */
static int
is_separator(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' ||
	    c == ')';
}

/* A country code: 1 to 3 ASCII digits, not starting with 0. */
static int
valid_cc(const char *cc)
{
	size_t n;

	if (cc == NULL)
		return 0;
	n = strlen(cc);
	if (n < 1 || n > 3 || cc[0] == '0')
		return 0;
	return strspn(cc, "0123456789") == n;
}

/*
 * Collect the digits of IN into D (ASCII, NUL-terminated, at most
 * PHONE_SCAN_MAX; *n counts them all) and whether it started with "+".
 */
static int
scan(const char *in, char d[PHONE_SCAN_MAX + 1], size_t *n, int *plus,
    const char **why)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len;
	int v, seen = 0;

	*n = 0;
	*plus = 0;
	while (*s != '\0') {
		if (is_separator(*s)) {
			s++;
			continue;
		}
		if (*s == '+' && !seen && !*plus) {
			*plus = 1;
			s++;
			continue;
		}
		if ((v = digit_at(s, &len)) == -1) {
			*why = "not a phone number";
			return -1;
		}
		if (*n < PHONE_SCAN_MAX)
			d[*n] = (char)('0' + v);
		(*n)++;
		seen = 1;
		s += len;
	}
	d[*n < PHONE_SCAN_MAX ? *n : PHONE_SCAN_MAX] = '\0';
	if (*n == 0) {
		*why = *plus ? "not a phone number" : "empty";
		return -1;
	}
	return 0;
}

/* Normalise a phone number as people write it to E.164. */
int
phone_normalise(
    const char *in, const char *cc, char out[PHONE_MAX], const char **why)
{
	char d[PHONE_SCAN_MAX + 1];
	const char *intl = NULL, *national = NULL;
	size_t n, cclen, total;
	int plus;

	if (in == NULL) {
		*why = "empty";
		return -1;
	}
	if (scan(in, d, &n, &plus, why) == -1)
		return -1;
	cclen = valid_cc(cc) ? strlen(cc) : 0;

	if (plus)
		intl = d;
	else if (d[0] == '0' && d[1] == '0')
		intl = d + 2;
	else if (d[0] == '0')
		national = d + 1;
	else if (cclen != 0 && strncmp(d, cc, cclen) == 0 && n >= cclen + 7)
		intl = d;
	else
		national = d;

	if (national != NULL && cclen == 0) {
		*why = "national number without a country code";
		return -1;
	}
	if (intl != NULL && intl[0] == '0') {
		*why = "not a phone number";
		return -1;
	}
	total = intl != NULL ? n - (size_t)(intl - d)
			     : cclen + n - (size_t)(national - d);
	if (total < PHONE_MIN_DIGITS) {
		*why = "too short";
		return -1;
	}
	if (total > PHONE_DIGITS) {
		*why = "too long";
		return -1;
	}
	out[0] = '+';
	if (intl != NULL)
		memcpy(out + 1, intl, total + 1);
	else {
		memcpy(out + 1, cc, cclen);
		memcpy(out + 1 + cclen, national, total - cclen + 1);
	}
	return 0;
}

/* Mask the middle digits of an E.164 number for logs. */
void
phone_mask(const char *e164, char out[PHONE_MAX])
{
	size_t off, n, i;

	if (e164 == NULL)
		goto whole;
	off = e164[0] == '+';
	n = strlen(e164 + off);
	if (n < PHONE_MIN_DIGITS || n > PHONE_DIGITS ||
	    strspn(e164 + off, "0123456789") != n)
		goto whole;
	memcpy(out, e164, off + n + 1);
	for (i = n - 7; i <= n - 4; i++)
		out[off + i] = '*';
	return;
whole:
	memcpy(out, "****", 5);
}
