/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for paging cursors and ids in URLs: any bytes as the
 * cursor= of GET /v1/cases through api_cases_cursor_parse() and as the
 * {id} of /v1/messages/{id} through outbox_id_valid(). Promises: a cursor
 * read is set, a non-negative time of at most 15 digits and a valid case
 * code, and written back as the route writes it ("%lld:%s") it reads the
 * same; a refused cursor leaves the place untouched; a message id is "m"
 * and 1 to 19 digits, nothing else.
 *
 * `make check` replays tests/fuzz/corpus/cursor/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_cases_cursor.h"
#include "gateway/outbox.h"
#include "handlers/code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_cases_pos pos, back;
	char *s, text[64];
	size_t n;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);

	memset(&pos, 0x5a, sizeof(pos));
	if (api_cases_cursor_parse(s, &pos) == 0) {
		if (pos.set != 1 || pos.ms < 0 || pos.ms > 999999999999999LL ||
		    !code_check(pos.code))
			abort();
		snprintf(text, sizeof(text), "%lld:%s", pos.ms, pos.code);
		memset(&back, 0, sizeof(back));
		if (api_cases_cursor_parse(text, &back) != 0 ||
		    back.ms != pos.ms || strcmp(back.code, pos.code) != 0)
			abort();
	} else {
		for (n = 0; n < sizeof(pos); n++)
			if (((unsigned char *)&pos)[n] != 0x5a)
				abort();
	}

	n = strlen(s);
	if (outbox_id_valid(s) !=
	    (n >= 2 && n <= 20 && s[0] == 'm' &&
		strspn(s + 1, "0123456789") == n - 1))
		abort();
	free(s);
	return 0;
}
