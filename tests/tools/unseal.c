/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opens sealed fields in tests: reads values one per line on stdin (as
 * redis-cli --raw prints them) and prints each opened with the privacy key
 * in KEYFILE, or as it is when it is not sealed under that key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

int
main(int argc, char **argv)
{
	struct crypto_key *k;
	char *line = NULL, *cause = NULL, *s;
	size_t cap = 0;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: unseal KEYFILE < values\n");
		return 2;
	}
	if ((k = crypto_key_load(argv[1], &cause)) == NULL) {
		fprintf(stderr, "unseal: %s\n", cause);
		return 1;
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		s = crypto_open_str(k, line);
		puts(s);
		free(s);
	}
	free(line);
	crypto_key_free(k);
	return 0;
}
