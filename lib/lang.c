/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Folding text so that keywords match however a phone spells them: case,
 * Latin accents, Arabic and Persian letter variants, diacritics, digits and
 * white space. Also the strict UTF-8 decoder the rest of the tree uses.
 *
 * Zero-width characters are dropped, not turned into spaces: U+200C (ZWNJ)
 * sits inside Persian words and U+200D..U+200F, U+061C and the bidi controls
 * are invisible marks that phones insert on their own, so a word matches
 * with or without them. U+200B (zero width space) is a word break and folds
 * to a space like the other Unicode spaces.
 */
#include <string.h>

#include "lib/lang.h"

/* What one character folds to. */
enum lang_class {
	LANG_DROP,  /* nothing */
	LANG_SPACE, /* a word break */
	LANG_TEXT,  /* the bytes in the caller's buffer */
};

/* Latin-1 letters U+00C0..U+00FF, lower case without accents. */
static const char *const lang_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* C0-C7 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* C8-CF */
	"d", "n", "o", "o", "o", "o", "o", "\xc3\x97",	/* D0-D7 */
	"o", "u", "u", "u", "u", "y", "\xc3\xbe", "ss", /* D8-DF */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* E0-E7 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* E8-EF */
	"d", "n", "o", "o", "o", "o", "o", "\xc3\xb7",	/* F0-F7 */
	"o", "u", "u", "u", "u", "y", "\xc3\xbe", "y",	/* F8-FF */
};

/* One Arabic-script letter and the form it folds to. */
struct lang_map {
	uint32_t from;
	uint32_t to;
};

static const struct lang_map lang_arabic[] = {
	{ 0x0622, 0x0627 }, /* alef with madda above -> alef */
	{ 0x0623, 0x0627 }, /* alef with hamza above -> alef */
	{ 0x0625, 0x0627 }, /* alef with hamza below -> alef */
	{ 0x0671, 0x0627 }, /* alef wasla -> alef */
	{ 0x0629, 0x0647 }, /* teh marbuta -> heh */
	{ 0x06c0, 0x0647 }, /* heh with yeh above (Persian) -> heh */
	{ 0x0649, 0x064a }, /* alef maksura -> yeh */
	{ 0x06cc, 0x064a }, /* Farsi yeh -> yeh */
	{ 0x06a9, 0x0643 }, /* keheh (Persian kaf) -> kaf */
};

size_t
lang_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t c;

	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		c = u[0] & 0x0f;
		if (u[0] == 0xe0)
			lo = 0xa0; /* no overlong forms */
		else if (u[0] == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		c = u[0] & 0x07;
		if (u[0] == 0xf0)
			lo = 0x90; /* no overlong forms */
		else if (u[0] == 0xf4)
			hi = 0x8f; /* nothing above U+10FFFF */
	} else
		return 0;
	if (len < n || u[1] < lo || u[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	*cp = c;
	return n;
}

int
lang_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = lang_utf8_decode(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
lang_is_space(uint32_t cp)
{
	return cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* Invisible characters that fold to nothing, and Arabic marks. */
static int
is_dropped(uint32_t cp)
{
	return cp == 0x00ad ||		      /* soft hyphen */
	    cp == 0x061c ||		      /* Arabic letter mark */
	    cp == 0x0640 ||		      /* tatweel */
	    (cp >= 0x064b && cp <= 0x065f) || /* harakat, hamza marks */
	    cp == 0x0670 ||		      /* superscript alef */
	    (cp >= 0x200c && cp <= 0x200f) || /* ZWNJ, ZWJ, LRM, RLM */
	    (cp >= 0x202a && cp <= 0x202e) || /* bidi embeddings */
	    (cp >= 0x2060 && cp <= 0x206f) || /* word joiner, isolates */
	    (cp >= 0xfe00 && cp <= 0xfe0f) || /* variation selectors */
	    cp == 0xfeff;		      /* byte order mark */
}

/* Encode CP as UTF-8 into BUF; returns the length. */
static size_t
encode(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* What CP folds to; for LANG_TEXT, its bytes go to BUF and *N. */
static enum lang_class
fold_char(uint32_t cp, char buf[4], size_t *n)
{
	size_t i;

	if (lang_is_space(cp))
		return LANG_SPACE;
	if (is_dropped(cp))
		return LANG_DROP;
	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	else if (cp >= 0xc0 && cp <= 0xff) {
		*n = strlen(lang_latin1[cp - 0xc0]);
		memcpy(buf, lang_latin1[cp - 0xc0], *n);
		return LANG_TEXT;
	} else if (cp == 0x0152 || cp == 0x0153) {
		memcpy(buf, "oe", 2);
		*n = 2;
		return LANG_TEXT;
	} else if (cp == 0x0178)
		cp = 'y';
	else if (cp >= 0x0660 && cp <= 0x0669)
		cp = '0' + (cp - 0x0660);
	else if (cp >= 0x06f0 && cp <= 0x06f9)
		cp = '0' + (cp - 0x06f0);
	else {
		for (i = 0; i < sizeof lang_arabic / sizeof lang_arabic[0];
		     i++) {
			if (lang_arabic[i].from == cp) {
				cp = lang_arabic[i].to;
				break;
			}
		}
	}
	*n = encode(cp, buf);
	return LANG_TEXT;
}

size_t
lang_foldn(const char *in, size_t inlen, char *out, size_t outlen)
{
	char buf[4];
	size_t i = 0, o = 0, n, blen = 0;
	int space = 0;
	uint32_t cp;

	if (outlen == 0)
		return 0;
	while (i < inlen) {
		if ((n = lang_utf8_decode(in + i, inlen - i, &cp)) == 0) {
			i++; /* an invalid byte: dropped */
			continue;
		}
		i += n;
		switch (fold_char(cp, buf, &blen)) {
		case LANG_DROP:
			continue;
		case LANG_SPACE:
			space = o > 0;
			continue;
		case LANG_TEXT:
			break;
		}
		if (o + (size_t)space + blen >= outlen)
			break;
		if (space)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, buf, blen);
		o += blen;
	}
	out[o] = '\0';
	return o;
}

size_t
lang_fold(const char *in, char *out, size_t outlen)
{
	return lang_foldn(in, strlen(in), out, outlen);
}
