/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl hash-password: a console user's password_hash (hbmgw.conf(5),
 * users) from a password read on standard input, one line, its line ending
 * dropped; with no echo when standard input is a terminal. The hash is
 * yescrypt ("$y$") with libxcrypt's default cost and a fresh salt. An empty
 * password is refused. Nothing here talks to the daemon.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/ctl.h"

/* One line of standard input into *line (the caller frees); its length. */
static ssize_t
read_password(char **line, size_t *cap)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	ssize_t n;

	if (tty) {
		fputs("password: ", stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			quiet.c_lflag |= ECHONL;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		} else
			tty = 0;
	}
	n = getline(line, cap, stdin);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	return n;
}

int
cmd_hash_password(struct ctl *ctl, int argc, char **argv)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], *line = NULL;
	struct crypt_data *cd;
	const char *h;
	size_t cap = 0;
	ssize_t n;
	int rc = CTL_OK;

	(void)ctl;
	(void)argc;
	(void)argv;
	if ((n = read_password(&line, &cap)) <= 0) {
		ctl_warn("hash-password", "the password is empty");
		free(line);
		return CTL_USAGE;
	}
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL ||
	    crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_rn(line, salt, cd, (int)sizeof(*cd))) == NULL ||
	    h[0] == '*') {
		ctl_warn("hash-password", "cannot hash the password");
		rc = CTL_USAGE;
	} else
		printf("%s\n", h);
	explicit_bzero(line, cap);
	free(line);
	if (cd != NULL) {
		explicit_bzero(cd, sizeof(*cd));
		free(cd);
	}
	return rc;
}
