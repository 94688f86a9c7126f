/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for language folding (lib/lang.c): any bytes,
 * NUL included, through lang_foldn() into a buffer of a size the first
 * byte picks, lang_utf8_valid() and lang_utf8_decode(). Promises: the
 * folded text is valid UTF-8 with no NUL, no space at either end and no two
 * spaces in a row, fits the buffer, and folds to itself; a small buffer
 * gives a prefix (cut at a character) of what a large one gives; decoding
 * character by character agrees with lang_utf8_valid().
 *
 * `make check` replays tests/fuzz/corpus/lang/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when the LEN bytes at S decode character by character. */
static int
fuzz_decodes(const char *s, size_t len)
{
	size_t k;
	uint32_t cp;

	while (len > 0) {
		if ((k = lang_utf8_decode(s, len, &cp)) == 0)
			return 0;
		if (k > len || k > 4 || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			abort();
		s += k;
		len -= k;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t big = 3 * size + 8, small, n, m;
	char *a, *b, *c;

	if (fuzz_decodes(in, size) != lang_utf8_valid(in, size))
		abort();
	if ((a = malloc(big)) == NULL || (b = malloc(big)) == NULL ||
	    (c = malloc(big)) == NULL)
		abort();
	n = lang_foldn(in, size, a, big);
	if (n != strlen(a) || n + 1 >= big || !lang_utf8_valid(a, n))
		abort();
	if (n > 0 && (a[0] == ' ' || a[n - 1] == ' ' || strstr(a, "  ")))
		abort();
	if (lang_fold(a, b, big) != n || strcmp(a, b) != 0)
		abort();

	small = size > 0 ? data[0] % 16 : 0;
	m = lang_foldn(in, size, c, small);
	if (small > 0 &&
	    (m >= small || m != strlen(c) || strncmp(a, c, m) != 0 ||
		!lang_utf8_valid(c, m)))
		abort();
	free(a);
	free(b);
	free(c);
	return 0;
}
