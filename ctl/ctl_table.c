/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl's tables: columns as wide as their widest cell, two spaces apart,
 * titles in capitals, control characters from the daemon replaced.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

/* The columns a UTF-8 string takes: one per character. */
static size_t
ctl_table_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Sets row AT to copies of CELLS (NULL and "" cells print "-"). */
static void
ctl_table_row(struct ctl_table *t, size_t at, const char *const *cells)
{
	char **row;
	size_t i, w;

	t->rows = realloc(t->rows, (at + 1) * sizeof(*t->rows));
	row = calloc(t->ncols, sizeof(*row));
	if (t->rows == NULL || row == NULL) {
		ctl_warn("table", "out of memory");
		exit(CTL_UNREACHABLE);
	}
	for (i = 0; i < t->ncols; i++) {
		row[i] = strdup(
		    cells[i] != NULL && cells[i][0] != '\0' ? cells[i] : "-");
		if (row[i] == NULL) {
			ctl_warn("table", "out of memory");
			exit(CTL_UNREACHABLE);
		}
		sanitize(row[i]);
		if ((w = ctl_table_width(row[i])) > t->width[i])
			t->width[i] = w;
	}
	t->rows[at] = row;
}

void
ctl_table_init(struct ctl_table *t, size_t ncols, const char *const *titles)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < CTL_TABLE_COLS ? ncols : CTL_TABLE_COLS;
	ctl_table_row(t, 0, titles);
}

void
ctl_table_add(struct ctl_table *t, const char *const *cells)
{
	ctl_table_row(t, t->nrows + 1, cells);
	t->nrows++;
}

/* Prints the titles and the rows, then frees them. */
void
ctl_table_print(struct ctl_table *t)
{
	size_t r, i, pad;

	for (r = 0; r <= t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			fputs(t->rows[r][i], stdout);
			if (i + 1 == t->ncols)
				break;
			pad = t->width[i] - ctl_table_width(t->rows[r][i]) + 2;
			printf("%*s", (int)pad, "");
		}
		putchar('\n');
		for (i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
