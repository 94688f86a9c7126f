/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text in a named charset to UTF-8 (iconv), and the charset of an SMS as
 * Kannel describes it with its coding and charset escape codes. Pure
 * functions: no I/O, no globals.
 */
#ifndef HBM_HANDLERS_CHARSET_H
#define HBM_HANDLERS_CHARSET_H

#include <stddef.h>

#define CHARSET_NAME_MAX 40 /* bytes of a charset name */

/*
 * The charset of a Kannel MO message's text from its coding (%c: "0"
 * 7-bit, "1" 8-bit, "2" UCS-2, "-1" not set; NULL when absent) and charset
 * (%C; NULL or "" when absent): CHARSET when given, else UTF-16BE for
 * UCS-2 and UTF-8 otherwise. Kannel's "8-BIT" and "binary" name no charset
 * and count as UTF-8. NULL with *why set (static, naming the field) for
 * another coding or a charset name that is not 1-CHARSET_NAME_MAX of
 * letters, digits, "-", "_", ".", ":". The result is CHARSET or a static
 * string.
 */
const char *charset_kannel(
    const char *coding, const char *charset, const char **why);

/* What charset_to_utf8() made of a text. */
enum charset_result {
	CHARSET_OK,	  /* *out holds the UTF-8 text */
	CHARSET_UNKNOWN,  /* iconv does not know the charset */
	CHARSET_INVALID,  /* not valid text in it (incomplete included) */
	CHARSET_NUL,	  /* valid, but holds a NUL character */
	CHARSET_TOO_LONG, /* longer than the limit once UTF-8 */
};

/*
 * Convert the LEN bytes at IN, text in charset FROM, to UTF-8 of at most
 * MAX bytes: a new NUL-terminated string in *OUT on CHARSET_OK, NULL
 * otherwise.
 */
enum charset_result charset_to_utf8(
    const char *from, const char *in, size_t len, size_t max, char **out);

#endif
