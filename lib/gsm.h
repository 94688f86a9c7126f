/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a UTF-8 text costs as SMS: whether it fits the GSM 03.38 7-bit
 * alphabet, its length in septets or UTF-16 units, and how many segments it
 * takes. Measuring only; the modem layer encodes with libgammu. Pure
 * functions, no I/O, no globals.
 */
#ifndef HBM_HANDLERS_GSM_H
#define HBM_HANDLERS_GSM_H

#include <stddef.h>

#define GSM_SINGLE_GSM7 160 /* septets in a single-segment message */
#define GSM_PART_GSM7 153   /* septets per segment of a multipart message */
#define GSM_SINGLE_UCS2 70  /* UTF-16 units in a single-segment message */
#define GSM_PART_UCS2 67    /* UTF-16 units per segment of a multipart one */

/* The cost of one text as SMS. */
struct gsm_info {
	int ucs2;     /* boolean: needs UCS-2 (not all GSM-7) */
	size_t units; /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	int segments; /* SMS segments, at least 1 */
};

/*
 * 1 when every character of UTF8 is in the GSM 03.38 default alphabet or
 * the printable characters of its extension table (^ { } \ [ ~ ] | and the
 * euro sign), else 0. Invalid UTF-8 gives 0. NULL and "" give 1.
 */
int gsm_is_gsm7(const char *utf8);

/*
 * Measure UTF8 into OUT. GSM-7: extension characters count 2 septets and
 * are never split across segments. UCS-2: characters beyond the BMP count 2
 * units (a surrogate pair), never split. Each byte that is not valid UTF-8
 * counts as one replacement character (1 unit) and makes the text UCS-2.
 * An empty text (or NULL) is 0 units in 1 segment.
 */
void gsm_measure(const char *utf8, struct gsm_info *out);

#endif
