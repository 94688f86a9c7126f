/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The list of cases in a LIST reply, cut to fit with a "more" marker
 * (handlers/caselist.h).
 */
#include <stdlib.h>
#include <string.h>

#include "handlers/caselist.h"

#define SEP "; "
#define SEP_LEN 2

/* Bytes of the first K items joined. */
static size_t
joined_len(const char *const *items, size_t k)
{
	size_t i, len = 0;

	for (i = 0; i < k; i++)
		len += (i > 0 ? SEP_LEN : 0) + strlen(items[i]);
	return len;
}

/* Append the LEN bytes at S to OUT at *OFF (room checked by the caller). */
static void
put(char *out, size_t *off, const char *s, size_t len)
{
	memcpy(out + *off, s, len);
	*off += len;
	out[*off] = '\0';
}

/* The longest prefix of S, at most MAX bytes, that ends on a character. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

size_t
caselist_join(char *out, size_t size, const char *const *items, size_t n,
    size_t total, caselist_more_cb more, void *arg)
{
	size_t k, i, off = 0, need;
	char *mark = NULL;

	out[0] = '\0';
	if (total < n)
		total = n;
	for (k = n + 1; k-- > 0;) {
		free(mark);
		mark = k < total && more != NULL ? more(total - k, arg) : NULL;
		need = joined_len(items, k);
		if (mark != NULL)
			need += (k > 0 ? SEP_LEN : 0) + strlen(mark);
		if (need < size)
			break;
		if (k == 0) {
			/* Not even the marker alone fits: as much of it as
			 * does. */
			if (mark != NULL)
				put(out, &off, mark, utf8_cut(mark, size - 1));
			free(mark);
			return 0;
		}
	}
	for (i = 0; i < k; i++) {
		if (i > 0)
			put(out, &off, SEP, SEP_LEN);
		put(out, &off, items[i], strlen(items[i]));
	}
	if (mark != NULL) {
		if (k > 0)
			put(out, &off, SEP, SEP_LEN);
		put(out, &off, mark, strlen(mark));
	}
	free(mark);
	return k;
}
