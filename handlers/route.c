/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routing of cases to agencies by category and region, and who a phone
 * number belongs to. The rule is written down in route.h. Pure functions
 * over a loaded config: no I/O, no globals.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"
#include "lib/xmalloc.h"
#include "handlers/route.h"

/* The passes of the routing rule over a category's agencies. */
enum route_pass {
	PASS_REGION,	 /* the agency's regions include the region */
	PASS_EVERYWHERE, /* the agency lists no regions */
	PASS_ALL,	 /* any agency */
};

/* Whether agency A is taken in pass PASS for REGION. */
static int
route_takes(
    const struct cfg_agency *a, const char *region, enum route_pass pass)
{
	size_t i;

	if (pass == PASS_ALL)
		return 1;
	if (pass == PASS_EVERYWHERE)
		return a->regions.n == 0;
	for (i = 0; i < a->regions.n; i++)
		if (strcasecmp(a->regions.v[i], region) == 0)
			return 1;
	return 0;
}

/*
 * Append to OUT (N stored so far, room for MAX) the agencies of CAT that
 * pass PASS for REGION, in the category's order. Returns the new count.
 */
static size_t
route_collect(const struct cfg *cfg, const struct cfg_category *cat,
    const char *region, enum route_pass pass, const struct cfg_agency **out,
    size_t max, size_t n)
{
	const struct cfg_agency *a;
	size_t i;

	for (i = 0; i < cat->agencies.n && n < max; i++) {
		a = cfg_agency_find(cfg, cat->agencies.v[i]);
		if (a != NULL && route_takes(a, region, pass))
			out[n++] = a;
	}
	return n;
}

const struct cfg_category *
route_category(const struct cfg *cfg, const char *id)
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < cfg->ncategories; i++)
		if (strcmp(cfg->categories[i].id, id) == 0)
			return &cfg->categories[i];
	return NULL;
}

size_t
route_agencies(const struct cfg *cfg, const char *category, const char *region,
    const struct cfg_agency **out, size_t max)
{
	const struct cfg_category *cat;
	size_t n;

	if ((cat = route_category(cfg, category)) == NULL)
		return 0;
	if (region == NULL || *region == '\0')
		return route_collect(cfg, cat, region, PASS_ALL, out, max, 0);
	n = route_collect(cfg, cat, region, PASS_REGION, out, max, 0);
	n = route_collect(cfg, cat, region, PASS_EVERYWHERE, out, max, n);
	if (n == 0)
		n = route_collect(cfg, cat, region, PASS_ALL, out, max, 0);
	return n;
}

const struct cfg_agency *
route_next(const struct cfg *cfg, const char *category, const char *region,
    const char *const *tried, size_t ntried)
{
	const struct cfg_category *cat;
	const struct cfg_agency **list, *next = NULL;
	size_t i, j, n;

	if ((cat = route_category(cfg, category)) == NULL)
		return NULL;
	list = xcalloc(cat->agencies.n, sizeof *list);
	n = route_agencies(cfg, category, region, list, cat->agencies.n);
	for (i = 0; i < n && next == NULL; i++) {
		for (j = 0; j < ntried; j++)
			if (tried[j] != NULL &&
			    strcmp(tried[j], list[i]->id) == 0)
				break;
		if (j == ntried)
			next = list[i];
	}
	free(list);
	return next;
}

const struct cfg_agency *
route_agency_by_phone(const struct cfg *cfg, const char *e164)
{
	size_t i, j;

	if (e164 == NULL)
		return NULL;
	for (i = 0; i < cfg->nagencies; i++)
		for (j = 0; j < cfg->agencies[i].phones.n; j++)
			if (strcmp(cfg->agencies[i].phones.v[j], e164) == 0)
				return &cfg->agencies[i];
	return NULL;
}

const struct cfg_official *
route_official_by_phone(const struct cfg *cfg, const char *e164)
{
	size_t i;

	if (e164 == NULL)
		return NULL;
	for (i = 0; i < cfg->nofficials; i++)
		if (strcmp(cfg->officials[i].phone, e164) == 0)
			return &cfg->officials[i];
	return NULL;
}

int
route_is_coordinator(const struct cfg *cfg, const char *e164)
{
	size_t i;

	if (e164 == NULL)
		return 0;
	for (i = 0; i < cfg->coordinator_phones.n; i++)
		if (strcmp(cfg->coordinator_phones.v[i], e164) == 0)
			return 1;
	return 0;
}
