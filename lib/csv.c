/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSV text for exports (RFC 4180); see csv.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/xmalloc.h"

/* Room for N more bytes and the NUL. */
static void
csv_grow(struct csv *c, size_t n)
{
	size_t cap = c->cap != 0 ? c->cap : 256;

	if (c->len + n + 1 <= c->cap)
		return;
	while (c->len + n + 1 > cap)
		cap *= 2;
	c->buf = xreallocarray(c->buf, cap, 1);
	c->cap = cap;
}

static void
csv_put(struct csv *c, const char *s, size_t n)
{
	csv_grow(c, n);
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

void
csv_field(struct csv *c, const char *s)
{
	const char *p;
	int quote;

	if (s == NULL)
		s = "";
	if (c->fields++ > 0)
		csv_put(c, ",", 1);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		csv_put(c, "\"", 1);
	/* A spreadsheet would read it as a formula. */
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		csv_put(c, "'", 1);
	if (!quote) {
		csv_put(c, s, strlen(s));
		return;
	}
	while ((p = strchr(s, '"')) != NULL) {
		csv_put(c, s, (size_t)(p - s) + 1);
		csv_put(c, "\"", 1);
		s = p + 1;
	}
	csv_put(c, s, strlen(s));
	csv_put(c, "\"", 1);
}

void
csv_row_end(struct csv *c)
{
	csv_put(c, "\r\n", 2);
	c->fields = 0;
}

void
csv_free(struct csv *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
