/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the multipart join (modem/join.c). The input is a
 * SIM's worth of parts, one a line: three bytes give the reference (the
 * first; 0xff is -1, a single SMS), the total and the sequence number, and
 * the rest is "sender<TAB>SMSC time<TAB>text". The parts go through
 * join_run() twice with one book: first with a wait that holds incomplete
 * messages back, then once the wait has passed. Promises: every part is
 * delivered at most once per round and, in the second round, exactly once;
 * a message has at least one part, at most its total distinct parts, a
 * text no longer than its parts' texts together, and a join_id().
 *
 * `make check` replays tests/fuzz/corpus/join/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modem/join.h"

#define FUZZ_PARTS 64 /* parts of one input looked at */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Field I (0-2, cut at tabs) of LINE, NUL-terminated in place. */
static char *
fuzz_field(char **line)
{
	char *s = *line, *tab;

	if ((tab = strchr(s, '\t')) != NULL) {
		*tab = '\0';
		*line = tab + 1;
	} else
		*line = s + strlen(s);
	return s;
}

/* One round: check the messages and count each part delivered in SEEN. */
static void
fuzz_round(struct join_book *book, const struct join_part *parts, size_t n,
    long long now, int *seen)
{
	char id[CRYPTO_SHA256_HEX];
	struct join_msg *out;
	size_t nout, i, j, len;

	join_run(book, parts, n, now, 1000, &out, &nout);
	if ((nout == 0) != (out == NULL) || nout > n)
		abort();
	for (i = 0; i < nout; i++) {
		if (out[i].nparts == 0 || out[i].have < 1 ||
		    out[i].have > out[i].total || out[i].total > 255 ||
		    out[i].from == NULL || out[i].smsc_time == NULL)
			abort();
		len = 0;
		for (j = 0; j < out[i].nparts; j++) {
			if (out[i].parts[j] >= n || seen[out[i].parts[j]]++)
				abort();
			len += strlen(parts[out[i].parts[j]].text);
		}
		if (strlen(out[i].text) > len)
			abort();
		join_id("modem0", &out[i], id);
		if (strlen(id) != CRYPTO_SHA256_HEX - 1)
			abort();
	}
	join_msgs_free(out, nout);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct join_part parts[FUZZ_PARTS];
	int seen[FUZZ_PARTS];
	struct join_book *book;
	char *s, *line, *next;
	size_t n = 0, i;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	for (line = s; line != NULL && n < FUZZ_PARTS; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strlen(line) < 3)
			continue;
		parts[n].ref = (unsigned char)line[0] == 0xff
		    ? -1
		    : (unsigned char)line[0];
		parts[n].total = (unsigned char)line[1] % 8;
		parts[n].seq = (unsigned char)line[2] % 8;
		line += 3;
		parts[n].from = fuzz_field(&line);
		parts[n].smsc_time = fuzz_field(&line);
		parts[n].text = line;
		n++;
	}

	if ((book = join_book_new()) == NULL)
		abort();
	memset(seen, 0, sizeof(seen));
	fuzz_round(book, parts, n, 0, seen);
	memset(seen, 0, sizeof(seen));
	fuzz_round(book, parts, n, 5000, seen);
	for (i = 0; i < n; i++)
		if (seen[i] != 1)
			abort();
	join_book_free(book);
	free(s);
	return 0;
}
