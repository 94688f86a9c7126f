/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seals values in tests, as the gateway stores them: reads values one per
 * line on stdin and prints each sealed with the privacy key in KEYFILE, or
 * with -h its keyed look-up hash (a number's, crypto_phone_hash()). Tests
 * use it to plant inbox entries before a daemon starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

int
main(int argc, char **argv)
{
	struct crypto_key *k;
	char *line = NULL, *cause = NULL, *s, hash[CRYPTO_SHA256_HEX];
	size_t cap = 0;
	ssize_t n;
	int h = argc == 3 && strcmp(argv[1], "-h") == 0;

	if (argc != 2 + h) {
		fprintf(stderr, "usage: seal [-h] KEYFILE < values\n");
		return 2;
	}
	if ((k = crypto_key_load(argv[1 + h], &cause)) == NULL) {
		fprintf(stderr, "seal: %s\n", cause);
		return 1;
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (h) {
			crypto_phone_hash(k, line, hash);
			puts(hash);
			continue;
		}
		s = crypto_seal_str(k, line);
		puts(s);
		free(s);
	}
	free(line);
	crypto_key_free(k);
	return 0;
}
