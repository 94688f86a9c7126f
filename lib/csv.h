/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CSV text as RFC 4180 has it: fields separated by commas, rows ended by
 * CRLF, a field quoted ("...", a quote in it doubled) when it holds a
 * comma, a quote, a CR or a LF. A field that a spreadsheet would take for
 * a formula (its first byte one of = + - @, a tab or a CR) is written with
 * a leading apostrophe, so that opening an export runs nothing.
 */
#ifndef HBM_LIB_CSV_H
#define HBM_LIB_CSV_H

#include <stddef.h>

/* A CSV text being written; zeroed to start, csv_free() at the end. */
struct csv {
	char *buf; /* NUL-terminated; NULL until the first byte */
	size_t len;
	size_t cap;
	int fields; /* fields in the row being written */
};

/* Append the field S ("" for NULL) to the current row. */
void csv_field(struct csv *, const char *s);

/* End the current row with CRLF. */
void csv_row_end(struct csv *);

void csv_free(struct csv *);

#endif
