/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the config reader (config/cfg.c and the checks it
 * runs): any bytes written to a temporary file and loaded through
 * cfg_load(), as hbmgwd --check-config and a reload would. Promises: a
 * config or a cause, never both and never neither; a cause is one
 * "FILE:LINE: ..." problem a line, each naming the file; a config dumps
 * (cfg_dump()) to the same text twice and frees cleanly.
 *
 * The file lives in a directory of its own under $TMPDIR (or /tmp), made
 * once per process and removed at exit, so an "@include" in the input
 * finds nothing of ours.
 *
 * `make check` replays tests/fuzz/corpus/cfg/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[4096], fuzz_path[4200];

static void
fuzz_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

/* CFG dumped into a new string. */
static char *
fuzz_dump(const struct cfg *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	cfg_dump(cfg, f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

/* Every line of CAUSE names the file. */
static void
fuzz_cause(const char *cause)
{
	const char *line = cause, *nl;
	size_t n = strlen(fuzz_path);

	if (cause == NULL || *cause == '\0')
		abort();
	for (; line != NULL; line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, fuzz_path, n) != 0 || line[n] != ':')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char *cause = NULL, *a, *b;
	struct cfg *cfg;
	FILE *f;

	if (fuzz_dir[0] == '\0') {
		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/hbm-fuzz-cfg.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		snprintf(
		    fuzz_path, sizeof(fuzz_path), "%s/hbmgw.conf", fuzz_dir);
		atexit(fuzz_cleanup);
	}
	if ((f = fopen(fuzz_path, "wb")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();

	if ((cfg = cfg_load(fuzz_path, &cause)) == NULL) {
		fuzz_cause(cause);
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	a = fuzz_dump(cfg);
	b = fuzz_dump(cfg);
	if (strcmp(a, b) != 0)
		abort();
	free(a);
	free(b);
	cfg_free(cfg);
	return 0;
}
