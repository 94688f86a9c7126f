/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the modem's text decoding (modem/decode.c): any
 * bytes as UTF-16BE and as 8-bit data into UTF-8, with an output buffer
 * the first byte sizes, back to UTF-16BE, and as a USSD balance reply.
 * Promises: the output is always NUL-terminated, valid UTF-8 without NUL,
 * and within the buffer; -1 only when the buffer is too small; UTF-8 that
 * came out of a full decode encodes back to UTF-16BE; a balance found is
 * finite (GET /v1/channels puts it in JSON, which has no infinity).
 *
 * `make check` replays tests/fuzz/corpus/decode/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lang.h"
#include "modem/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check what decode_*() wrote: RC bytes of OUT (SIZE bytes). */
static void
fuzz_out(int rc, const char *out, size_t size)
{
	size_t n = strnlen(out, size);

	if (n == size || !lang_utf8_valid(out, n))
		abort();
	if (rc != -1 && (size_t)rc != n)
		abort();
}

/* Decode the full text into a big buffer and encode it back. */
static void
fuzz_back(const char *utf8)
{
	size_t n = strlen(utf8), size = 2 * n + 2;
	unsigned char *u16;
	int units;

	if ((u16 = malloc(size)) == NULL)
		abort();
	units = decode_to_utf16be(utf8, u16, size);
	if (units == -1 || (size_t)units > n || u16[2 * units] != 0 ||
	    u16[2 * units + 1] != 0)
		abort();
	/* too small by one unit fails cleanly */
	if (units > 0 && decode_to_utf16be(utf8, u16, 2 * (size_t)units) != -1)
		abort();
	free(u16);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t big = 3 * size + 8, small = size > 0 ? data[0] % 12 + 1 : 1;
	char *out, *text;
	double bal;
	int rc;

	if ((out = malloc(big)) == NULL || (text = malloc(size + 1)) == NULL)
		abort();
	rc = decode_utf16be(data, size / 2, out, big);
	if (rc == -1)
		abort();
	fuzz_out(rc, out, big);
	fuzz_back(out);
	fuzz_out(decode_utf16be(data, size / 2, out, small), out, small);

	rc = decode_8bit(data, size, out, big);
	if (rc == -1)
		abort();
	fuzz_out(rc, out, big);
	fuzz_back(out);
	fuzz_out(decode_8bit(data, size, out, small), out, small);

	memcpy(text, data, size);
	text[size] = '\0';
	if (decode_balance(text, &bal) == 0 && !isfinite(bal))
		abort();
	if (!lang_utf8_valid(text, strlen(text)) &&
	    decode_to_utf16be(text, (unsigned char *)out, big) != -1)
		abort();
	free(out);
	free(text);
	return 0;
}
