/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the config files must be before libconfig reads them: text with no
 * NUL byte, whose every @include names a regular file.
 *
 * libconfig 1.5 opens the file an @include names with fopen(), which
 * succeeds on a directory (`@include ""` or `@include "."` names the
 * include directory itself); its scanner then fails to read it and calls
 * exit(), so a reload (SIGHUP) would end the daemon and --check-config
 * would print "input in flex scanner failed" with no file or line. A FIFO
 * or a device would block the read or never end it. So each file is read
 * here first and its @include lines found as libconfig's scanner finds
 * them: "@include" at the start of a line (after blanks), outside comments
 * and strings, then blanks and a quoted name in which \\ and \" are the
 * only escapes. A name is taken relative to the main file's directory
 * (libconfig 1.5's include directory) unless it starts with '/'. Included
 * regular files are read in turn, to libconfig's depth of 10; a name that
 * cannot be opened, or a deeper nesting, is left for libconfig to report,
 * as is a main file that is not a regular file (a pipe can be read once).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/cfg_int.h"
#include "lib/xmalloc.h"

#define INCLUDE_DEPTH 10 /* libconfig 1.5's MAX_INCLUDE_DEPTH */
#define INCLUDE_SHOWN 64 /* bytes of a name quoted in a problem */

enum { SCAN_OK, SCAN_BAD, SCAN_STOP };

/* One file being scanned. */
struct scan {
	const struct cfg_rd *rd;
	const char *shown; /* the file as problems name it */
	const char *text;
	size_t len, i;
	int line;
};

/* The whole of regular file PATH, or NULL (not read: libconfig reports). */
static char *
scan_slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n;
	FILE *f;

	*len = 0;
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	for (;;) {
		if (cap - *len < 4096)
			buf = xreallocarray(buf, cap = cap * 2 + 4096, 1);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* NAME, cut and with control bytes as '?', for a one-line problem. */
static void
scan_quote(const char *name, char out[INCLUDE_SHOWN + 4])
{
	size_t i;

	for (i = 0; name[i] != '\0' && i < INCLUDE_SHOWN; i++)
		out[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f
		    ? '?'
		    : name[i];
	strcpy(out + i, name[i] != '\0' ? "..." : "");
}

static int scan_file(const struct cfg_rd *, const char *path, const char *shown,
    int depth, char **cause);

/*
 * The @include at S->i, just after its opening quote: the name it gives
 * must be a regular file, itself scanned. S->i ends after the closing
 * quote; a name with none is libconfig's syntax error.
 */
static int
scan_include(struct scan *s, int depth, char **cause)
{
	const struct cfg_rd *rd = s->rd;
	char *name, *path, shown[INCLUDE_SHOWN + 4];
	size_t n = 0;
	struct stat sb;
	int line = s->line, rc = SCAN_OK;

	name = xmalloc(s->len - s->i + 1);
	for (; s->i < s->len && s->text[s->i] != '"'; s->i++) {
		if (s->text[s->i] == '\\' && s->i + 1 < s->len &&
		    (s->text[s->i + 1] == '\\' || s->text[s->i + 1] == '"'))
			name[n++] = s->text[++s->i];
		else if (s->text[s->i] != '\\')
			name[n++] = s->text[s->i];
		if (s->text[s->i] == '\n')
			s->line++;
	}
	name[n] = '\0';
	if (s->i == s->len) {
		free(name);
		return SCAN_STOP;
	}
	s->i++;
	if (name[0] != '/' && rd->dir[0] != '\0')
		xasprintf(&path, "%s%s", rd->dir, name);
	else
		path = xstrdup(name);
	if (stat(path, &sb) != 0) {
		rc = SCAN_OK; /* libconfig cannot open it either, and says so */
	} else if (!S_ISREG(sb.st_mode)) {
		scan_quote(name, shown);
		xasprintf(cause, "%s:%d: @include \"%s\": %snot a regular file",
		    s->shown, line, shown,
		    S_ISDIR(sb.st_mode) ? "a directory, " : "");
		rc = SCAN_BAD;
	} else {
		rc = scan_file(rd, path, path, depth + 1, cause);
	}
	free(path);
	free(name);
	return rc;
}

/* Past a comment or string that starts at S->i, if one does. */
static int
scan_skip(struct scan *s)
{
	const char *t = s->text;
	char c = t[s->i], d = s->i + 1 < s->len ? t[s->i + 1] : '\0';

	if (c == '#' || (c == '/' && d == '/')) {
		while (s->i < s->len && t[s->i] != '\n')
			s->i++;
	} else if (c == '/' && d == '*') {
		for (s->i += 2; s->i < s->len; s->i++) {
			if (t[s->i] == '*' && s->i + 1 < s->len &&
			    t[s->i + 1] == '/') {
				s->i += 2;
				break;
			}
			if (t[s->i] == '\n')
				s->line++;
		}
	} else if (c == '"') {
		for (s->i++; s->i < s->len && t[s->i] != '"'; s->i++) {
			if (t[s->i] == '\\' && s->i + 1 < s->len)
				s->i++;
			if (t[s->i] == '\n')
				s->line++;
		}
		s->i++;
	} else {
		return 0;
	}
	return 1;
}

/* 1 when an @include and its opening quote start at S->i; past them. */
static int
scan_directive(struct scan *s)
{
	static const char kw[] = "@include";
	size_t j = s->i + sizeof(kw) - 1, k;

	if (s->len - s->i < sizeof(kw) ||
	    memcmp(s->text + s->i, kw, sizeof(kw) - 1) != 0)
		return 0;
	for (k = j; k < s->len && (s->text[k] == ' ' || s->text[k] == '\t');)
		k++;
	if (k == j || k == s->len || s->text[k] != '"')
		return 0;
	s->i = k + 1;
	return 1;
}

/* PATH, named SHOWN in problems, at include depth DEPTH. */
static int
scan_file(const struct cfg_rd *rd, const char *path, const char *shown,
    int depth, char **cause)
{
	struct scan s = { rd, shown, NULL, 0, 0, 1 };
	struct stat sb;
	const char *nul;
	char *text;
	int bol = 1, rc = SCAN_OK;

	if (depth > INCLUDE_DEPTH)
		return SCAN_STOP;
	/* a main file that is a pipe is read once, by libconfig */
	if (depth == 0 && (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)))
		return SCAN_OK;
	if ((text = scan_slurp(path, &s.len)) == NULL)
		return SCAN_OK;
	s.text = text;
	if ((nul = memchr(text, '\0', s.len)) != NULL) {
		for (s.i = 0; text + s.i < nul; s.i++)
			s.line += text[s.i] == '\n';
		xasprintf(
		    cause, "%s:%d: a NUL byte: not a text file", shown, s.line);
		free(text);
		return SCAN_BAD;
	}
	while (rc == SCAN_OK && s.i < s.len) {
		if (bol) {
			while (s.i < s.len &&
			    (text[s.i] == ' ' || text[s.i] == '\t'))
				s.i++;
			bol = 0;
			if (scan_directive(&s)) {
				rc = scan_include(&s, depth, cause);
				continue;
			}
			if (s.i == s.len)
				break;
		}
		if (scan_skip(&s))
			continue;
		if (text[s.i++] == '\n') {
			s.line++;
			bol = 1;
		}
	}
	free(text);
	return rc;
}

int
cfg_include_check(const struct cfg_rd *rd, char **cause)
{
	return scan_file(rd, rd->path, rd->path, 0, cause) == SCAN_BAD ? -1 : 0;
}
