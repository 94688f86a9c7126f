/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Referral codes: 8 ASCII digits, the first 1-9 and the last a Damm check
 * digit over the first 7, shown as "4821-3957". Pure functions, no I/O.
 */
#ifndef HBM_HANDLERS_CODE_H
#define HBM_HANDLERS_CODE_H

#include <stddef.h>

#define CODE_LEN 8 /* digits in a code */

/* What code_parse() found. */
enum code_status {
	CODE_OK,	/* a well-formed code with a valid check digit */
	CODE_BAD_CHECK, /* 8 digits, but the check digit is wrong: mistyped */
	CODE_NONE,	/* not a code at all */
};

/*
 * The Damm check digit (0-9) of the N ASCII digits at DIGITS, or -1 when one
 * of them is not a digit. Appending it makes code_damm() of the whole 0.
 */
int code_damm(const char *digits, size_t n);

/*
 * A code from 8 random bytes (from a CSPRNG): the first digit 1-9, six more,
 * then the check digit; OUT is NUL-terminated.
 */
void code_from_random(const unsigned char rnd[8], char out[CODE_LEN + 1]);

/* Whether CODE is exactly a valid code in ASCII digits: 1 or 0. */
int code_check(const char *code);

/*
 * Read a code as people type it: ASCII, Arabic-Indic or Persian digits,
 * with one dash (or Unicode dash) or one run of white space between digits
 * and white space around them ("4821-3955", "4821 3955", "٤٨٢١-٣٩٥٥").
 * Invisible marks and invalid bytes are ignored, as lang_fold() does.
 * Eight digits, the first not 0: CODE_OK or CODE_BAD_CHECK, with OUT set
 * to the 8 ASCII digits either way. Anything else is CODE_NONE, OUT "".
 */
enum code_status code_parse(const char *in, char out[CODE_LEN + 1]);

/* "48213957" -> "4821-3957"; other text is copied as it is (cut to fit). */
void code_format(const char *code, char out[CODE_LEN + 2]);

#endif
