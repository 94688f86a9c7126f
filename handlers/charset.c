/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text in a named charset to UTF-8 through iconv(3), and Kannel's
 * description of an SMS's charset. Pure functions: no I/O, no globals.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xmalloc.h"
#include "handlers/charset.h"
#include "lib/lang.h"

/* 1 when S is a plausible charset name (no "//" suffixes, no spaces). */
static int
charset_name_ok(const char *s)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789-_.:";
	size_t n = strlen(s);

	return n >= 1 && n <= CHARSET_NAME_MAX && strspn(s, ok) == n;
}

const char *
charset_kannel(const char *coding, const char *charset, const char **why)
{
	int ucs2 = 0;

	if (coding != NULL) {
		if (strcmp(coding, "2") == 0)
			ucs2 = 1;
		else if (strcmp(coding, "0") != 0 && strcmp(coding, "1") != 0 &&
		    strcmp(coding, "-1") != 0) {
			*why =
			    "coding: expected 0 (7-bit), 1 (8-bit) or 2 (UCS-2)";
			return NULL;
		}
	}
	if (charset == NULL || *charset == '\0')
		return ucs2 ? "UTF-16BE" : "UTF-8";
	if (!charset_name_ok(charset)) {
		*why = "charset: malformed name";
		return NULL;
	}
	if (strcasecmp(charset, "8-BIT") == 0 ||
	    strcasecmp(charset, "binary") == 0)
		return "UTF-8";
	return charset;
}

enum charset_result
charset_to_utf8(
    const char *from, const char *in, size_t len, size_t max, char **out)
{
	enum charset_result r = CHARSET_OK;
	iconv_t cd;
	char *buf, *src = (char *)(uintptr_t)in, *dst;
	size_t left = len, room, n;

	*out = NULL;
	if (!charset_name_ok(from) ||
	    (cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return CHARSET_UNKNOWN;
	/* Room for one character past MAX, so that "too long" is seen. */
	buf = xmalloc(max + 5);
	dst = buf;
	room = max + 4;
	n = iconv(cd, &src, &left, &dst, &room);
	if (n != (size_t)-1)
		n = iconv(cd, NULL, NULL, &dst, &room);
	if (n == (size_t)-1)
		r = errno == E2BIG ? CHARSET_TOO_LONG : CHARSET_INVALID;
	iconv_close(cd);
	n = (size_t)(dst - buf);
	if (r == CHARSET_OK && n > max)
		r = CHARSET_TOO_LONG;
	else if (r == CHARSET_OK && memchr(buf, '\0', n) != NULL)
		r = CHARSET_NUL;
	else if (r == CHARSET_OK && !lang_utf8_valid(buf, n))
		r = CHARSET_INVALID;
	if (r != CHARSET_OK) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	return CHARSET_OK;
}
