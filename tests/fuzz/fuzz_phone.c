/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for phone numbers and senders (lib/phone.c): any
 * bytes through phone_normalise() with three country codes, and every
 * number it gives through phone_mask() and log_mask_numbers() (the filter
 * every log line passes). Promises: a success is "+" and 8 to 15 digits
 * that normalise to themselves; a failure has a reason and leaves no
 * number; a mask is at most PHONE_MAX bytes and never shows the middle
 * digits. The raw bytes also go through log_mask_numbers(), which must keep
 * the length and leave no run of 8 or more digits after a "+" unmasked
 * (a 15-digit number keeps its first 8 and last 3 digits).
 *
 * `make check` replays tests/fuzz/corpus/phone/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * 1 when every "+" in S that a run of 8 or more digits follows has had
 * four of them masked: the run is at most 11 digits (of 15) and is cut by
 * a "*", or, when the number goes on after a space or a "-" (a 15-digit
 * number written "+12345678-1234567" keeps its first 8), the group after
 * it holds the "*".
 */
static int
fuzz_masked(const char *s)
{
	const char *t;
	size_t n;

	for (; (s = strchr(s, '+')) != NULL; s++) {
		n = strspn(s + 1, "0123456789");
		t = s + 1 + n;
		if (n < 8 || *t == '*')
			continue;
		if ((*t == ' ' || *t == '-') &&
		    memchr(t + 1, '*', strspn(t + 1, "0123456789*")) != NULL)
			continue;
		return 0;
	}
	return 1;
}

static void
fuzz_number(const char *in, const char *cc)
{
	char out[PHONE_MAX], again[PHONE_MAX], mask[PHONE_MAX];
	char line[PHONE_MAX + 2];
	const char *why = NULL;
	size_t n;

	memset(out, 'x', sizeof(out));
	if (phone_normalise(in, cc, out, &why) == -1) {
		if (why == NULL || *why == '\0')
			abort();
		return;
	}
	n = strlen(out);
	if (out[0] != '+' || n < 9 || n > PHONE_MAX - 1 ||
	    strspn(out + 1, "0123456789") != n - 1)
		abort();
	/* a normalised number is its own normal form, whatever the cc */
	if (phone_normalise(out, "1", again, &why) != 0 ||
	    strcmp(out, again) != 0)
		abort();
	phone_mask(out, mask);
	if (strlen(mask) != n || strncmp(mask, out, 2) != 0 ||
	    strchr(mask, '*') == NULL || strcmp(mask, out) == 0)
		abort();
	snprintf(line, sizeof(line), "%s", out);
	log_mask_numbers(line);
	if (strlen(line) != n || !fuzz_masked(line))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, mask[PHONE_MAX];
	size_t n;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);

	fuzz_number(s, "256");
	fuzz_number(s, "33");
	fuzz_number(s, "");

	phone_mask(s, mask);
	if (strnlen(mask, PHONE_MAX) == PHONE_MAX)
		abort();

	log_mask_numbers(s);
	if (strlen(s) != n || !fuzz_masked(s))
		abort();
	free(s);
	return 0;
}
