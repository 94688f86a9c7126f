/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMS PDU codec of the simulated AT modem: GSM 03.38 default alphabet
 * and extension table, UCS-2 with surrogate pairs, 8-bit data, and the
 * concatenation headers (8-bit and 16-bit references). See pdu.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/tools/atsim/pdu.h"

#define GSM7_ESC 0x1B

/* The GSM 03.38 default alphabet, by septet. */
static const uint16_t gsm7_base[128] = {
	0x0040,
	0x00A3,
	0x0024,
	0x00A5,
	0x00E8,
	0x00E9,
	0x00F9,
	0x00EC,
	0x00F2,
	0x00C7,
	0x000A,
	0x00D8,
	0x00F8,
	0x000D,
	0x00C5,
	0x00E5,
	0x0394,
	0x005F,
	0x03A6,
	0x0393,
	0x039B,
	0x03A9,
	0x03A0,
	0x03A8,
	0x03A3,
	0x0398,
	0x039E,
	0x00A0,
	0x00C6,
	0x00E6,
	0x00DF,
	0x00C9,
	0x0020,
	0x0021,
	0x0022,
	0x0023,
	0x00A4,
	0x0025,
	0x0026,
	0x0027,
	0x0028,
	0x0029,
	0x002A,
	0x002B,
	0x002C,
	0x002D,
	0x002E,
	0x002F,
	0x0030,
	0x0031,
	0x0032,
	0x0033,
	0x0034,
	0x0035,
	0x0036,
	0x0037,
	0x0038,
	0x0039,
	0x003A,
	0x003B,
	0x003C,
	0x003D,
	0x003E,
	0x003F,
	0x00A1,
	0x0041,
	0x0042,
	0x0043,
	0x0044,
	0x0045,
	0x0046,
	0x0047,
	0x0048,
	0x0049,
	0x004A,
	0x004B,
	0x004C,
	0x004D,
	0x004E,
	0x004F,
	0x0050,
	0x0051,
	0x0052,
	0x0053,
	0x0054,
	0x0055,
	0x0056,
	0x0057,
	0x0058,
	0x0059,
	0x005A,
	0x00C4,
	0x00D6,
	0x00D1,
	0x00DC,
	0x00A7,
	0x00BF,
	0x0061,
	0x0062,
	0x0063,
	0x0064,
	0x0065,
	0x0066,
	0x0067,
	0x0068,
	0x0069,
	0x006A,
	0x006B,
	0x006C,
	0x006D,
	0x006E,
	0x006F,
	0x0070,
	0x0071,
	0x0072,
	0x0073,
	0x0074,
	0x0075,
	0x0076,
	0x0077,
	0x0078,
	0x0079,
	0x007A,
	0x00E4,
	0x00F6,
	0x00F1,
	0x00FC,
	0x00E0,
};

/* The extension table: septet after the escape, and its character. */
static const struct {
	uint8_t sept;
	uint16_t cp;
} gsm7_ext[] = {
	{ 0x0A, 0x000C },
	{ 0x14, 0x005E },
	{ 0x28, 0x007B },
	{ 0x29, 0x007D },
	{ 0x2F, 0x005C },
	{ 0x3C, 0x005B },
	{ 0x3D, 0x007E },
	{ 0x3E, 0x005D },
	{ 0x40, 0x007C },
	{ 0x65, 0x20AC },
};

#define NEXT ((int)(sizeof(gsm7_ext) / sizeof(gsm7_ext[0])))

/* Decode one character of S at *I; -1 on invalid or overlong UTF-8. */
static int
utf8_next(const char *s, size_t len, size_t *i, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	size_t left = len - *i, n, k;
	uint32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		*i += 1;
		return 0;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		n = 2;
		c = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3;
		c = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4;
		c = u[0] & 0x07;
	} else
		return -1;
	if (left < n)
		return -1;
	for (k = 1; k < n; k++) {
		if ((u[k] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (u[k] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	*i += n;
	return 0;
}

/* Append CP as UTF-8 at OUT[*O]; -1 when there is no room for it and NUL. */
static int
utf8_put(uint32_t cp, char *out, size_t outsz, size_t *o)
{
	unsigned char b[4];
	size_t n, k;

	if (cp < 0x80) {
		b[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = 0xC0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3F);
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xE0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3F);
		b[2] = 0x80 | (cp & 0x3F);
		n = 3;
	} else {
		b[0] = 0xF0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3F);
		b[2] = 0x80 | ((cp >> 6) & 0x3F);
		b[3] = 0x80 | (cp & 0x3F);
		n = 4;
	}
	if (*o + n + 1 > outsz)
		return -1;
	for (k = 0; k < n; k++)
		out[(*o)++] = (char)b[k];
	out[*o] = '\0';
	return 0;
}

/* The septets CP takes (1, 2 with the escape), or 0 when it has none. */
static int
gsm7_lookup(uint32_t cp, uint8_t *sept)
{
	int i;

	for (i = 0; i < 128; i++) {
		if (gsm7_base[i] == cp && i != GSM7_ESC) {
			sept[0] = (uint8_t)i;
			return 1;
		}
	}
	for (i = 0; i < NEXT; i++) {
		if (gsm7_ext[i].cp == cp) {
			sept[0] = GSM7_ESC;
			sept[1] = gsm7_ext[i].sept;
			return 2;
		}
	}
	return 0;
}

int
pdu_gsm7_from_utf8(const char *utf8, size_t len, uint8_t *sept, size_t max)
{
	uint8_t s[2];
	uint32_t cp;
	size_t i = 0, n = 0;
	int k;

	while (i < len) {
		if (utf8_next(utf8, len, &i, &cp) == -1)
			return -1;
		if ((k = gsm7_lookup(cp, s)) == 0 || n + (size_t)k > max)
			return -1;
		memcpy(sept + n, s, (size_t)k);
		n += (size_t)k;
	}
	return (int)n;
}

int
pdu_gsm7_to_utf8(const uint8_t *sept, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	uint32_t cp;
	int k;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		cp = gsm7_base[sept[i] & 0x7F];
		if ((sept[i] & 0x7F) == GSM7_ESC) {
			/* An unknown escape shows the base character. */
			cp = ' ';
			if (i + 1 < n) {
				i++;
				cp = gsm7_base[sept[i] & 0x7F];
				for (k = 0; k < NEXT; k++)
					if (gsm7_ext[k].sept == sept[i])
						cp = gsm7_ext[k].cp;
			}
		}
		if (utf8_put(cp, out, outsz, &o) == -1)
			return -1;
	}
	return 0;
}

/* Bytes from hex text; the count, or -1 on an odd length or a bad digit. */
static int
hex_decode(const char *hex, uint8_t *b, size_t max)
{
	size_t n = strlen(hex), i;
	unsigned int hi, lo;
	char c;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n; i++) {
		c = hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
			(c >= 'a' && c <= 'f')))
			return -1;
	}
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%1x%1x", &hi, &lo) != 2)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* Upper-case hex of N bytes into HEX; -1 when HEXSZ is too small. */
static int
hex_encode(const uint8_t *b, size_t n, char *hex, size_t hexsz)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (2 * n + 1 > hexsz)
		return -1;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

/* Septet IDX of packed user data UD (N octets); -1 past the end. */
static int
septet_get(const uint8_t *ud, size_t n, size_t idx)
{
	size_t bit = idx * 7, o = bit / 8, shift = bit % 8;
	unsigned int v;

	if (o >= n)
		return -1;
	v = ud[o] >> shift;
	if (shift > 1) {
		if (o + 1 >= n)
			return -1;
		v |= (unsigned int)ud[o + 1] << (8 - shift);
	}
	return (int)(v & 0x7F);
}

/* Store septet S at index IDX of packed user data UD (zeroed first). */
static void
septet_put(uint8_t *ud, size_t idx, uint8_t s)
{
	size_t bit = idx * 7, o = bit / 8, shift = bit % 8;

	ud[o] |= (uint8_t)(s << shift);
	if (shift > 1)
		ud[o + 1] |= (uint8_t)(s >> (8 - shift));
}

/* An address (TP-DA, TP-RA) of DIGITS semi-octets and type TOA. */
static int
addr_decode(const uint8_t *b, int digits, int toa, char *out, size_t outsz)
{
	static const char bcd[] = "0123456789*#abc?";
	uint8_t sept[PDU_ADDR_MAX];
	size_t o = 0, i, n;
	int s;

	if ((toa & 0x70) == 0x50) {
		n = (size_t)digits * 4 / 7;
		if (n >= sizeof(sept))
			return -1;
		for (i = 0; i < n; i++) {
			if ((s = septet_get(b, (size_t)(digits + 1) / 2, i)) <
			    0)
				return -1;
			sept[i] = (uint8_t)s;
		}
		return pdu_gsm7_to_utf8(sept, n, out, outsz);
	}
	if ((size_t)digits + 2 > outsz)
		return -1;
	if ((toa & 0x70) == 0x10)
		out[o++] = '+';
	for (i = 0; i < (size_t)digits; i++)
		out[o++] = bcd[(b[i / 2] >> (i % 2 ? 4 : 0)) & 15];
	out[o] = '\0';
	return 0;
}

/*
 * Encode ADDR at B: digits with an optional "+" as BCD, anything else as
 * an alphanumeric address. SMSC gives the SMSC field (length in octets).
 * Returns the octets written, or -1.
 */
static int
addr_encode(const char *addr, int smsc, uint8_t *b, size_t max)
{
	uint8_t sept[PDU_ADDR_MAX];
	size_t n = strlen(addr), i, digits, oct;
	int intl = addr[0] == '+', ns;

	digits = n - (size_t)intl;
	for (i = intl; i < n; i++)
		if (addr[i] < '0' || addr[i] > '9')
			break;
	if (i < n || digits == 0) {
		if (smsc || intl)
			return -1;
		ns = pdu_gsm7_from_utf8(addr, n, sept, 11);
		if (ns <= 0)
			return -1;
		oct = ((size_t)ns * 7 + 7) / 8;
		if (oct + 2 > max)
			return -1;
		memset(b, 0, oct + 2);
		b[0] = (uint8_t)(oct * 2);
		b[1] = 0xD0;
		for (i = 0; i < (size_t)ns; i++)
			septet_put(b + 2, i, sept[i]);
		return (int)oct + 2;
	}
	if (digits > 20)
		return -1;
	oct = (digits + 1) / 2;
	if (oct + 2 > max)
		return -1;
	b[0] = (uint8_t)(smsc ? oct + 1 : digits);
	b[1] = intl ? 0x91 : 0x81;
	memset(b + 2, 0xFF, oct);
	for (i = 0; i < digits; i++) {
		uint8_t d = (uint8_t)(addr[intl + i] - '0');

		if (i % 2)
			b[2 + i / 2] =
			    (uint8_t)((b[2 + i / 2] & 0x0F) | d << 4);
		else
			b[2 + i / 2] = (uint8_t)(0xF0 | d);
	}
	return (int)oct + 2;
}

/* The encoding a DCS names; -1 for compressed or reserved groups. */
static int
dcs_encoding(int dcs)
{
	if ((dcs & 0xC0) == 0x00 || (dcs & 0xC0) == 0x40) {
		if (dcs & 0x20)
			return -1;
		switch ((dcs >> 2) & 3) {
		case 0:
			return PDU_GSM7;
		case 1:
			return PDU_8BIT;
		case 2:
			return PDU_UCS2;
		default:
			return -1;
		}
	}
	if ((dcs & 0xF0) == 0xF0)
		return (dcs & 0x04) ? PDU_8BIT : PDU_GSM7;
	if ((dcs & 0xF0) == 0xC0 || (dcs & 0xF0) == 0xD0)
		return PDU_GSM7;
	if ((dcs & 0xF0) == 0xE0)
		return PDU_UCS2;
	return -1;
}

/* Read the concatenation IEs of a user data header of HL octets. */
static int
udh_parse(const uint8_t *h, size_t hl, struct pdu_submit *out)
{
	size_t i = 0, iel;

	while (i < hl) {
		if (i + 2 > hl || i + 2 + h[i + 1] > hl)
			return -1;
		iel = h[i + 1];
		if (h[i] == 0x00 && iel == 3) {
			out->ref = h[i + 2];
			out->parts = h[i + 3];
			out->part = h[i + 4];
			out->ref16 = 0;
		} else if (h[i] == 0x08 && iel == 4) {
			out->ref = h[i + 2] << 8 | h[i + 3];
			out->parts = h[i + 4];
			out->part = h[i + 5];
			out->ref16 = 1;
		}
		i += 2 + iel;
	}
	if (out->parts < 1 || out->part < 1 || out->part > out->parts)
		return -1;
	return 0;
}

/* UTF-16BE user data to UTF-8; a lone surrogate becomes U+FFFD. */
static int
ucs2_to_utf8(const uint8_t *b, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	uint32_t u, lo;

	out[0] = '\0';
	for (i = 0; i + 1 < n; i += 2) {
		u = (uint32_t)b[i] << 8 | b[i + 1];
		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
			lo = (uint32_t)b[i + 2] << 8 | b[i + 3];
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i += 2;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		if (utf8_put(u, out, outsz, &o) == -1)
			return -1;
	}
	return 0;
}

/* Decode the user data of OUT's encoding: UD holds UDOCT octets. */
static int
ud_decode(const uint8_t *ud, size_t udoct, int udl, int udhi,
    struct pdu_submit *out, const char **cause)
{
	uint8_t sept[160];
	size_t hl = 0, skip = 0, i, o = 0;
	int s;

	if (udhi) {
		if (udoct < 1 || (size_t)ud[0] + 1 > udoct) {
			*cause = "user data header overruns the PDU";
			return -1;
		}
		hl = (size_t)ud[0] + 1;
		if (udh_parse(ud + 1, hl - 1, out) == -1) {
			*cause = "bad user data header";
			return -1;
		}
	}
	if (out->encoding == PDU_GSM7) {
		skip = (hl * 8 + 6) / 7;
		if (udl > 160 || ((size_t)udl * 7 + 7) / 8 > udoct ||
		    skip > (size_t)udl) {
			*cause = "user data length exceeds the PDU";
			return -1;
		}
		for (i = skip; i < (size_t)udl; i++) {
			if ((s = septet_get(ud, udoct, i)) < 0) {
				*cause = "user data length exceeds the PDU";
				return -1;
			}
			sept[i - skip] = (uint8_t)s;
		}
		if (pdu_gsm7_to_utf8(sept, (size_t)udl - skip, out->text,
			sizeof(out->text)) == -1) {
			*cause = "text too long";
			return -1;
		}
		return 0;
	}
	if ((size_t)udl > udoct || hl > (size_t)udl || udl > PDU_UD_MAX) {
		*cause = "user data length exceeds the PDU";
		return -1;
	}
	if (out->encoding == PDU_UCS2) {
		if ((udl - hl) % 2 != 0) {
			*cause = "odd UCS-2 length";
			return -1;
		}
		return ucs2_to_utf8(
		    ud + hl, (size_t)udl - hl, out->text, sizeof(out->text));
	}
	hex_encode(ud + hl, (size_t)udl - hl, out->hex, sizeof(out->hex));
	out->text[0] = '\0';
	for (i = hl; i < (size_t)udl; i++)
		if (utf8_put(ud[i], out->text, sizeof(out->text), &o) == -1)
			return -1;
	return 0;
}

int
pdu_decode_submit(
    const char *hex, int len, struct pdu_submit *out, const char **cause)
{
	uint8_t b[PDU_HEX_MAX / 2];
	int n, p, fo, vpf, dalen, toa, udl;

	memset(out, 0, sizeof(*out));
	out->part = out->parts = 1;
	if ((n = hex_decode(hex, b, sizeof(b))) <= 0) {
		*cause = "not hex";
		return -1;
	}
	p = 1 + b[0];
	if (p + 7 > n) {
		*cause = "PDU too short";
		return -1;
	}
	if (len >= 0 && n - p != len) {
		*cause = "length does not match AT+CMGS";
		return -1;
	}
	fo = b[p++];
	if ((fo & 3) != 1) {
		*cause = "not an SMS-SUBMIT";
		return -1;
	}
	out->srr = (fo >> 5) & 1;
	vpf = (fo >> 3) & 3;
	out->mr = b[p++];
	dalen = b[p++];
	toa = b[p++];
	if (dalen == 0 || dalen > 20 || p + (dalen + 1) / 2 + 2 > n ||
	    addr_decode(b + p, dalen, toa, out->to, sizeof(out->to)) == -1) {
		*cause = "bad destination address";
		return -1;
	}
	p += (dalen + 1) / 2;
	p++; /* TP-PID */
	if ((out->encoding = dcs_encoding(b[p++])) == -1) {
		*cause = "unsupported data coding scheme";
		return -1;
	}
	p += vpf == 2 ? 1 : vpf != 0 ? 7 : 0;
	if (p + 1 > n) {
		*cause = "PDU too short";
		return -1;
	}
	udl = b[p++];
	return ud_decode(
	    b + p, (size_t)(n - p), udl, (fo >> 6) & 1, out, cause);
}

int
pdu_split_text(const char *utf8, struct pdu_split *out)
{
	size_t len = strlen(utf8), i = 0, prev, units = 0, cur = 0, lim;
	uint8_t s[2];
	uint32_t cp;
	int gsm7 = 1;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		if (utf8_next(utf8, len, &i, &cp) == -1)
			return -1;
		if (gsm7 && gsm7_lookup(cp, s) == 0)
			gsm7 = 0;
	}
	out->encoding = gsm7 ? PDU_GSM7 : PDU_UCS2;
	for (i = 0; i < len;) {
		utf8_next(utf8, len, &i, &cp);
		units += gsm7	  ? (size_t)gsm7_lookup(cp, s)
		    : cp > 0xFFFF ? 2
				  : 1;
	}
	out->parts = 1;
	out->end[0] = len;
	if (units <= (gsm7 ? 160u : 70u))
		return 0;
	lim = gsm7 ? 153 : 67;
	out->parts = 0;
	for (i = 0; i < len;) {
		prev = i;
		utf8_next(utf8, len, &i, &cp);
		units = gsm7 ? (size_t)gsm7_lookup(cp, s) : cp > 0xFFFF ? 2 : 1;
		if (out->parts == 0 || cur + units > lim) {
			if (out->parts == 255)
				return -1;
			out->start[out->parts++] = prev;
			cur = 0;
		}
		cur += units;
		out->end[out->parts - 1] = i;
	}
	return 0;
}

/* Seven semi-octet swapped BCD octets of TIME (UTC, zone 0) at B. */
static void
scts_encode(long long time, uint8_t *b)
{
	struct tm tm;
	time_t t = (time_t)time;
	int v[6], i;

	gmtime_r(&t, &tm);
	v[0] = tm.tm_year % 100;
	v[1] = tm.tm_mon + 1;
	v[2] = tm.tm_mday;
	v[3] = tm.tm_hour;
	v[4] = tm.tm_min;
	v[5] = tm.tm_sec;
	for (i = 0; i < 6; i++)
		b[i] = (uint8_t)((v[i] % 10) << 4 | v[i] / 10);
	b[6] = 0;
}

/* The SMSC field at B; the octets written, or -1. */
static int
smsc_encode(const char *smsc, uint8_t *b, size_t max)
{
	if (smsc == NULL || smsc[0] == '\0') {
		b[0] = 0;
		return 1;
	}
	return addr_encode(smsc, 1, b, max);
}

/*
 * TP-UDL and TP-UD at UD: header H (HL octets with its length octet, or
 * none) and LEN bytes of UTF8. Returns the octets written, or -1.
 */
static int
ud_encode(const char *utf8, size_t len, int encoding, const uint8_t *h,
    size_t hl, uint8_t *ud, size_t max)
{
	uint8_t sept[161];
	size_t i, o, skip, n, octets;
	uint32_t cp;
	int ns;

	memset(ud, 0, max);
	if (hl > 0)
		memcpy(ud + 1, h, hl);
	if (encoding == PDU_GSM7) {
		skip = hl ? (hl * 8 + 6) / 7 : 0;
		ns = pdu_gsm7_from_utf8(utf8, len, sept, 160 - skip);
		if (ns < 0)
			return -1;
		n = skip + (size_t)ns;
		octets = (n * 7 + 7) / 8;
		if (octets > PDU_UD_MAX || octets + 1 > max)
			return -1;
		for (i = 0; i < (size_t)ns; i++)
			septet_put(ud + 1, skip + i, sept[i]);
		ud[0] = (uint8_t)n;
		return (int)octets + 1;
	}
	o = 1 + hl;
	for (i = 0; i < len;) {
		if (utf8_next(utf8, len, &i, &cp) == -1)
			return -1;
		if (encoding == PDU_8BIT) {
			if (cp > 0xFF || o + 1 > max)
				return -1;
			ud[o++] = (uint8_t)cp;
			continue;
		}
		if (cp > 0xFFFF) {
			if (o + 4 > max)
				return -1;
			cp -= 0x10000;
			ud[o++] = (uint8_t)(0xD8 | cp >> 18);
			ud[o++] = (uint8_t)(cp >> 10);
			ud[o++] = (uint8_t)(0xDC | ((cp >> 8) & 3));
			ud[o++] = (uint8_t)cp;
		} else {
			if (o + 2 > max)
				return -1;
			ud[o++] = (uint8_t)(cp >> 8);
			ud[o++] = (uint8_t)cp;
		}
	}
	if (o - 1 > PDU_UD_MAX)
		return -1;
	ud[0] = (uint8_t)(o - 1);
	return (int)o;
}

int
pdu_encode_deliver(const char *smsc, const char *from, const char *utf8,
    size_t len, int encoding, int ref, int part, int parts, long long time,
    char *hex, size_t hexsz, int *tpdu_len)
{
	static const uint8_t dcs[] = { 0x00, 0x04, 0x08 };
	uint8_t b[PDU_HEX_MAX / 2], h[6];
	int p, s, k, hl = 0;

	if (encoding < PDU_GSM7 || encoding > PDU_UCS2 || parts < 1 ||
	    parts > 255 || part < 1 || part > parts)
		return -1;
	if ((s = smsc_encode(smsc, b, sizeof(b))) == -1)
		return -1;
	p = s;
	b[p++] = parts > 1 ? 0x44 : 0x04;
	if ((k = addr_encode(from, 0, b + p, sizeof(b) - (size_t)p)) == -1)
		return -1;
	p += k;
	if ((size_t)p + 9 > sizeof(b))
		return -1;
	b[p++] = 0x00;
	b[p++] = dcs[encoding];
	scts_encode(time, b + p);
	p += 7;
	if (parts > 1) {
		h[0] = 5; /* UDHL, then IE 0: 8-bit reference concatenation */
		h[1] = 0x00;
		h[2] = 3;
		h[3] = (uint8_t)ref;
		h[4] = (uint8_t)parts;
		h[5] = (uint8_t)part;
		hl = 6;
	}
	k = ud_encode(utf8, len, encoding, h, hl, b + p, sizeof(b) - (size_t)p);
	if (k == -1)
		return -1;
	p += k;
	*tpdu_len = p - s;
	return hex_encode(b, (size_t)p, hex, hexsz);
}

int
pdu_encode_report(const char *smsc, int mr, const char *to, long long time,
    char *hex, size_t hexsz, int *tpdu_len)
{
	uint8_t b[64];
	int p, s, k;

	if ((s = smsc_encode(smsc, b, sizeof(b))) == -1)
		return -1;
	p = s;
	b[p++] = 0x06;
	b[p++] = (uint8_t)mr;
	if ((k = addr_encode(to, 0, b + p, sizeof(b) - (size_t)p - 15)) == -1)
		return -1;
	p += k;
	scts_encode(time, b + p);
	p += 7;
	scts_encode(time, b + p);
	p += 7;
	b[p++] = 0x00;
	*tpdu_len = p - s;
	return hex_encode(b, (size_t)p, hex, hexsz);
}

/* Four upper-case hex digits of V at HEX. */
static void
hex16(char *hex, unsigned int v)
{
	static const char digits[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 4; i++)
		hex[i] = digits[(v >> (12 - 4 * i)) & 15];
}

int
pdu_ucs2_hex(const char *utf8, char *hex, size_t hexsz)
{
	size_t len = strlen(utf8), i = 0, o = 0;
	uint32_t cp;

	while (i < len) {
		if (utf8_next(utf8, len, &i, &cp) == -1)
			return -1;
		if (o + (cp > 0xFFFF ? 8 : 4) + 1 > hexsz)
			return -1;
		if (cp > 0xFFFF) {
			cp -= 0x10000;
			hex16(hex + o, 0xD800 | cp >> 10);
			hex16(hex + o + 4, 0xDC00 | (cp & 0x3FF));
			o += 8;
		} else {
			hex16(hex + o, cp);
			o += 4;
		}
	}
	if (o >= hexsz)
		return -1;
	hex[o] = '\0';
	return 0;
}
