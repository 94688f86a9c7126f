/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A main for libFuzzer targets built without libFuzzer: it runs
 * LLVMFuzzerTestOneInput() over the empty input and then over every
 * regular file named on the command line or found in a directory named
 * there (tests/fuzz/corpus/<name>/), in name order. The target aborts on a
 * broken promise, so a corpus becomes a regression test that any compiler
 * can build and `make check` runs (under ASan with SANITIZE=1).
 *
 *   build/tests/fuzz_ussd tests/fuzz/corpus/ussd
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRIVER_FILE_MAX (1024 * 1024) /* bytes read from one input file */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run the target over the file PATH; -1 when it cannot be read. */
static int
driver_file(const char *path)
{
	uint8_t *buf;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((buf = malloc(DRIVER_FILE_MAX)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, DRIVER_FILE_MAX, f);
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* a copy of exactly N bytes, so ASan sees any read past the end */
	buf = realloc(buf, n > 0 ? n : 1);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
driver_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run the target over the regular files in DIR; how many, or -1. */
static long
driver_dir(const char *dir)
{
	struct dirent *de;
	struct stat sb;
	char **names = NULL, **grown;
	size_t n = 0, i;
	long done = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((grown = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			break;
		names = grown;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) == -1)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), driver_cmp);
	for (i = 0; i < n; i++) {
		if (done != -1 && stat(names[i], &sb) == 0 &&
		    S_ISREG(sb.st_mode))
			done = driver_file(names[i]) == -1 ? -1 : done + 1;
		free(names[i]);
	}
	free(names);
	return done;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	long total = 1, n;
	int i;

	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(sb.st_mode))
			n = driver_dir(argv[i]);
		else
			n = driver_file(argv[i]) == -1 ? -1 : 1;
		if (n == -1)
			return 1;
		total += n;
	}
	printf("%ld inputs passed\n", total);
	return 0;
}
