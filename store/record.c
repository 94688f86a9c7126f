/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_record_from(): one walk over an HGETALL reply, each field matched
 * against the record's table (store/record.h).
 */
#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"

/* Set the field SPEC of OUT to V. */
static void
store_record_set(const struct store_fspec *spec, void *out, const char *v)
{
	char *p = (char *)out + spec->off, *end;
	long long n;

	switch (spec->type) {
	case STORE_FSTR:
		*(const char **)(void *)p = v;
		break;
	case STORE_FNUM:
		n = strtoll(v, &end, 10);
		*(long long *)(void *)p = *v != '\0' && *end == '\0' ? n : 0;
		break;
	case STORE_FFLAG:
		*(int *)(void *)p = strcmp(v, "1") == 0;
		break;
	}
}

int
store_record_from(const struct store_fspec *spec, size_t n,
    const struct store_reply *r, void *out)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		store_record_set(
		    &spec[i], out, spec[i].type == STORE_FSTR ? "" : "0");
	if (r == NULL || r->type != STORE_ARRAY || r->elements == 0)
		return 0;
	for (j = 0; j + 1 < r->elements; j += 2) {
		if (r->element[j]->type != STORE_STRING ||
		    r->element[j + 1]->type != STORE_STRING)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(r->element[j]->str, spec[i].name) == 0) {
				store_record_set(
				    &spec[i], out, r->element[j + 1]->str);
				break;
			}
	}
	return 1;
}
