/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl --token-file: the bearer token from a file, so that it is not on
 * the command line, where every user sees it in ps(1). The token is the
 * file's first line without its line ending; an empty first line, or a
 * file that cannot be read, is an error. The token itself is never echoed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

int
ctl_token_file(const char *path, char **token)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	*token = NULL;
	if ((fp = fopen(path, "re")) == NULL) {
		ctl_warn(
		    path, "cannot read the token file: %s", strerror(errno));
		return -1;
	}
	errno = 0;
	n = getline(&line, &cap, fp);
	if (n == -1 && ferror(fp)) {
		ctl_warn(path, "cannot read the token file: %s",
		    strerror(errno != 0 ? errno : EIO));
		goto fail;
	}
	fclose(fp);
	fp = NULL;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n <= 0) {
		ctl_warn(path, "the token file's first line is empty");
		goto fail;
	}
	*token = line;
	return 0;

fail:
	if (fp != NULL)
		fclose(fp);
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	return -1;
}
