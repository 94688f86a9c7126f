/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMS cost of UTF-8 text: the GSM 03.38 alphabet test, septet or UTF-16
 * unit counts and segment counts with the multipart header taken off each
 * segment. Pure functions: no I/O, no globals.
 */
#include <stdint.h>
#include <string.h>

#include "lib/gsm.h"
#include "lib/lang.h"

#define GSM_BAD 0xfffd /* what an invalid UTF-8 sequence decodes to */

/* The characters above ASCII in the GSM-7 default alphabet. */
static const char gsm_default_upper[] =
    "¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ";

#define GSM_EURO 0x20ac /* the one extension character above ASCII */

/* Septets for ASCII character C in GSM-7: 1, 2 (extension), or 0 (none). */
static int
gsm7_ascii_cost(unsigned char c)
{
	if (c == '\n' || c == '\r' || (c >= ' ' && c <= 'Z') || c == '_' ||
	    (c >= 'a' && c <= 'z'))
		return 1;
	if (c != '\0' && strchr("[\\]^{|}~", c) != NULL)
		return 2;
	return 0; /* control characters, backquote and DEL */
}

/*
 * The character at byte I of the LEN bytes at S, into *CP; returns its
 * length. An invalid byte decodes as GSM_BAD, one byte long.
 */
static size_t
next_char(const char *s, size_t len, size_t i, uint32_t *cp)
{
	size_t n;

	if ((n = lang_utf8_decode(s + i, len - i, cp)) != 0)
		return n;
	*cp = GSM_BAD;
	return 1;
}

/* Septets for code point CP in GSM-7: 1, 2 (extension), or 0 (none). */
static int
gsm7_cost(uint32_t cp)
{
	size_t i, n, len = strlen(gsm_default_upper);
	uint32_t c;

	if (cp < 128)
		return gsm7_ascii_cost((unsigned char)cp);
	if (cp == GSM_EURO)
		return 2;
	for (i = 0; i < len; i += n) {
		n = next_char(gsm_default_upper, len, i, &c);
		if (c == cp)
			return 1;
	}
	return 0;
}

int
gsm_is_gsm7(const char *utf8)
{
	size_t i, n, len = utf8 != NULL ? strlen(utf8) : 0;
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		n = next_char(utf8, len, i, &cp);
		if (gsm7_cost(cp) == 0)
			return 0;
	}
	return 1;
}

void
gsm_measure(const char *utf8, struct gsm_info *out)
{
	size_t i, n, len, single, part, fill = 0;
	uint32_t cp;
	int cost;

	out->ucs2 = !gsm_is_gsm7(utf8);
	out->units = 0;
	out->segments = 1;
	single = out->ucs2 ? GSM_SINGLE_UCS2 : GSM_SINGLE_GSM7;
	part = out->ucs2 ? GSM_PART_UCS2 : GSM_PART_GSM7;
	len = utf8 != NULL ? strlen(utf8) : 0;
	for (i = 0; i < len; i += n) {
		n = next_char(utf8, len, i, &cp);
		if (out->ucs2)
			cost = cp > 0xffff ? 2 : 1;
		else
			cost = gsm7_cost(cp);
		out->units += (size_t)cost;
		/* Multipart segments: a pair of units is never split. */
		if (fill + (size_t)cost > part) {
			out->segments++;
			fill = 0;
		}
		fill += (size_t)cost;
	}
	if (out->units <= single)
		out->segments = 1;
}
