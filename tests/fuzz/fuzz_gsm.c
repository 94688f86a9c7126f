/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the GSM-7 measure (lib/gsm.c): any bytes
 * through gsm_is_gsm7() and gsm_measure(). Promises: at least one segment;
 * the segment count fits the units (a single segment holds at most 160
 * septets or 70 UTF-16 units; n segments need more than n - 1 part's worth
 * and at most n parts, allowing the one unit each segment may lose to an
 * unsplit character); GSM-7 exactly when the text is all GSM-7; invalid
 * UTF-8 is never GSM-7; appending a character never costs fewer segments.
 *
 * `make check` replays tests/fuzz/corpus/gsm/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/gsm.h"
#include "lib/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gsm_info gi, more;
	size_t n, single, part;
	char *s;
	int gsm7;

	if ((s = malloc(size + 2)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);

	gsm7 = gsm_is_gsm7(s);
	if (gsm7 != 0 && gsm7 != 1)
		abort();
	if (gsm7 && !lang_utf8_valid(s, n))
		abort();
	gsm_measure(s, &gi);
	if (gi.ucs2 != !gsm7 || gi.segments < 1)
		abort();
	if (n == 0 && (gi.units != 0 || gi.segments != 1))
		abort();
	if (n > 0 && (gi.units == 0 || gi.units > 2 * n))
		abort();
	single = gi.ucs2 ? GSM_SINGLE_UCS2 : GSM_SINGLE_GSM7;
	part = gi.ucs2 ? GSM_PART_UCS2 : GSM_PART_GSM7;
	if (gi.segments == 1 && gi.units > single)
		abort();
	if (gi.segments > 1 &&
	    (gi.units <= single || gi.units > (size_t)gi.segments * part ||
		gi.units <= (size_t)(gi.segments - 1) * (part - 1)))
		abort();

	/* one more plain character never makes it cheaper */
	s[n] = 'a';
	s[n + 1] = '\0';
	gsm_measure(s, &more);
	if (more.segments < gi.segments || more.units < gi.units + 1 ||
	    (!gi.ucs2 && more.ucs2))
		abort();
	free(s);
	return 0;
}
