/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/route.c: the agency order for a category and
 * region (region first, then everywhere, the fallback to all), the next
 * agency after declines, and who a phone number belongs to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "handlers/route.h"

#define LIST_MAX 6 /* longest list in the tables below, and NULL */

struct agency_def {
	const char *id;
	const char *phones[LIST_MAX];
	const char *regions[LIST_MAX];
};

/* Agencies in config order; msf writes a region in capitals. */
static const struct agency_def agency_defs[] = {
	{ "redcross", { "+256700000111", NULL }, { "south", NULL } },
	{ "wfp", { "+256700000101", "+256700000102", NULL },
	    { "north", NULL } },
	{ "unhcr", { "+256700000121", NULL }, { NULL } },
	{ "msf", { NULL }, { "North", "east", NULL } },
	{ "iom", { "+256700000141", NULL }, { NULL } },
};

struct category_def {
	const char *id;
	const char *agencies[LIST_MAX];
};

/* shelter lists its agencies in another order than the config. */
static const struct category_def category_defs[] = {
	{ "food", { "redcross", "wfp", "unhcr", "msf", "iom", NULL } },
	{ "medical", { "redcross", NULL } },
	{ "shelter", { "iom", "msf", "wfp", NULL } },
	{ "empty", { NULL } },
	{ "ghost", { "nosuch", "unhcr", NULL } },
};

/* A list of strings copied from the NULL-ended LIST. */
static struct cfg_strv
strv(const char *const *list)
{
	struct cfg_strv sv = { NULL, 0 };
	size_t i;

	while (list[sv.n] != NULL)
		sv.n++;
	sv.v = calloc(sv.n + 1, sizeof *sv.v);
	assert_non_null(sv.v);
	for (i = 0; i < sv.n; i++) {
		sv.v[i] = strdup(list[i]);
		assert_non_null(sv.v[i]);
	}
	return sv;
}

static void
strv_free(struct cfg_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
}

/* A config with the agencies, categories, officials and coordinators. */
static int
setup(void **state)
{
	static const char *const coordinators[] = { "+256700000301",
		"+256700000302", NULL };
	struct cfg *cfg;
	size_t i;

	cfg = calloc(1, sizeof *cfg);
	assert_non_null(cfg);
	cfg->nagencies = sizeof agency_defs / sizeof agency_defs[0];
	cfg->agencies = calloc(cfg->nagencies, sizeof *cfg->agencies);
	assert_non_null(cfg->agencies);
	for (i = 0; i < cfg->nagencies; i++) {
		strcpy(cfg->agencies[i].id, agency_defs[i].id);
		cfg->agencies[i].phones = strv(agency_defs[i].phones);
		cfg->agencies[i].regions = strv(agency_defs[i].regions);
	}
	cfg->ncategories = sizeof category_defs / sizeof category_defs[0];
	cfg->categories = calloc(cfg->ncategories, sizeof *cfg->categories);
	assert_non_null(cfg->categories);
	for (i = 0; i < cfg->ncategories; i++) {
		strcpy(cfg->categories[i].id, category_defs[i].id);
		cfg->categories[i].agencies = strv(category_defs[i].agencies);
	}
	cfg->nofficials = 2;
	cfg->officials = calloc(cfg->nofficials, sizeof *cfg->officials);
	assert_non_null(cfg->officials);
	strcpy(cfg->officials[0].phone, "+256700000201");
	strcpy(cfg->officials[1].phone, "+256700000202");
	cfg->coordinator_phones = strv(coordinators);
	*state = cfg;
	return 0;
}

static int
teardown(void **state)
{
	struct cfg *cfg = *state;
	size_t i;

	for (i = 0; i < cfg->nagencies; i++) {
		strv_free(&cfg->agencies[i].phones);
		strv_free(&cfg->agencies[i].regions);
	}
	for (i = 0; i < cfg->ncategories; i++)
		strv_free(&cfg->categories[i].agencies);
	strv_free(&cfg->coordinator_phones);
	free(cfg->agencies);
	free(cfg->categories);
	free(cfg->officials);
	free(cfg);
	return 0;
}

struct order_case {
	const char *category;
	const char *region;
	const char *want; /* agency ids, comma-separated */
};

static const struct order_case order_cases[] = {
	/* no region: the category's order */
	{ "food", NULL, "redcross,wfp,unhcr,msf,iom" },
	{ "food", "", "redcross,wfp,unhcr,msf,iom" },
	{ "shelter", NULL, "iom,msf,wfp" },
	/* the region's agencies first, then those serving every region */
	{ "food", "north", "wfp,msf,unhcr,iom" },
	{ "food", "NORTH", "wfp,msf,unhcr,iom" },
	{ "food", "south", "redcross,unhcr,iom" },
	{ "food", "east", "msf,unhcr,iom" },
	{ "shelter", "north", "msf,wfp,iom" },
	{ "shelter", "south", "iom" },
	/* a region nobody names: only those serving every region */
	{ "food", "west", "unhcr,iom" },
	/* nobody serves it: everyone, never unroutable */
	{ "medical", "north", "redcross" },
	{ "medical", NULL, "redcross" },
	/* unknown agency ids are skipped */
	{ "ghost", "north", "unhcr" },
	{ "ghost", NULL, "unhcr" },
	/* nothing to route to */
	{ "empty", "north", "" },
	{ "empty", NULL, "" },
	{ "nosuch", "north", "" },
	{ NULL, NULL, "" },
};

/* The ids of the N agencies in LIST, comma-separated, into BUF. */
static void
join(const struct cfg_agency **list, size_t n, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(buf, ",", size - strlen(buf) - 1);
		strncat(buf, list[i]->id, size - strlen(buf) - 1);
	}
}

static void
test_order(void **state)
{
	const struct cfg_agency *list[LIST_MAX];
	const struct cfg *cfg = *state;
	char got[128];
	size_t i, n;

	for (i = 0; i < sizeof order_cases / sizeof order_cases[0]; i++) {
		const struct order_case *c = &order_cases[i];

		n = route_agencies(cfg, c->category, c->region, list, LIST_MAX);
		join(list, n, got, sizeof got);
		if (strcmp(got, c->want) != 0)
			fail_msg("case %zu (%s, %s): \"%s\", want \"%s\"", i,
			    c->category, c->region, got, c->want);
	}
}

/* A short OUT gets the head of the list. */
static void
test_order_max(void **state)
{
	const struct cfg_agency *list[LIST_MAX];
	const struct cfg *cfg = *state;
	char got[128];
	size_t n;

	n = route_agencies(cfg, "food", "north", list, 2);
	join(list, n, got, sizeof got);
	assert_string_equal(got, "wfp,msf");
	n = route_agencies(cfg, "food", "north", list, 1);
	join(list, n, got, sizeof got);
	assert_string_equal(got, "wfp");
	assert_int_equal(route_agencies(cfg, "food", "north", list, 0), 0);
}

struct next_case {
	const char *category;
	const char *region;
	const char *tried[LIST_MAX];
	size_t ntried;
	const char *want; /* NULL: the coordinator */
};

static const struct next_case next_cases[] = {
	{ "food", "north", { NULL }, 0, "wfp" },
	{ "food", "north", { "wfp" }, 1, "msf" },
	{ "food", "north", { "wfp", "msf" }, 2, "unhcr" },
	{ "food", "north", { "msf", "wfp" }, 2, "unhcr" },
	{ "food", "north", { "wfp", "msf", "unhcr" }, 3, "iom" },
	{ "food", "north", { "wfp", "msf", "unhcr", "iom" }, 4, NULL },
	/* an agency outside the region's list does not count */
	{ "food", "north", { "redcross", "wfp", "msf", "unhcr" }, 4, "iom" },
	{ "food", NULL, { "redcross" }, 1, "wfp" },
	{ "food", NULL, { "redcross", "wfp", "unhcr", "msf", "iom" }, 5, NULL },
	{ "food", "west", { "unhcr" }, 1, "iom" },
	{ "food", "north", { NULL, "wfp" }, 2, "msf" },
	{ "medical", "north", { NULL }, 0, "redcross" },
	{ "medical", "north", { "redcross" }, 1, NULL },
	{ "empty", NULL, { NULL }, 0, NULL },
	{ "nosuch", NULL, { NULL }, 0, NULL },
};

static void
test_next(void **state)
{
	const struct cfg *cfg = *state;
	const struct cfg_agency *a;
	size_t i;

	for (i = 0; i < sizeof next_cases / sizeof next_cases[0]; i++) {
		const struct next_case *c = &next_cases[i];

		a = route_next(
		    cfg, c->category, c->region, c->tried, c->ntried);
		if (c->want == NULL && a != NULL)
			fail_msg("case %zu: %s, want none", i, a->id);
		if (c->want != NULL &&
		    (a == NULL || strcmp(a->id, c->want) != 0))
			fail_msg("case %zu: %s, want %s", i,
			    a != NULL ? a->id : "none", c->want);
	}
}

static void
test_category(void **state)
{
	const struct cfg *cfg = *state;

	assert_ptr_equal(route_category(cfg, "food"), &cfg->categories[0]);
	assert_ptr_equal(route_category(cfg, "ghost"), &cfg->categories[4]);
	assert_null(route_category(cfg, "FOOD"));
	assert_null(route_category(cfg, "foo"));
	assert_null(route_category(cfg, ""));
	assert_null(route_category(cfg, NULL));
}

static void
test_phones(void **state)
{
	const struct cfg *cfg = *state;

	/* agencies, by any of their phones */
	assert_ptr_equal(
	    route_agency_by_phone(cfg, "+256700000101"), &cfg->agencies[1]);
	assert_ptr_equal(
	    route_agency_by_phone(cfg, "+256700000102"), &cfg->agencies[1]);
	assert_ptr_equal(
	    route_agency_by_phone(cfg, "+256700000141"), &cfg->agencies[4]);
	assert_null(route_agency_by_phone(cfg, "+256700000103"));
	assert_null(route_agency_by_phone(cfg, "+25670000010"));
	assert_null(route_agency_by_phone(cfg, "+256700000201"));
	assert_null(route_agency_by_phone(cfg, ""));
	assert_null(route_agency_by_phone(cfg, NULL));
	/* officials */
	assert_ptr_equal(
	    route_official_by_phone(cfg, "+256700000202"), &cfg->officials[1]);
	assert_null(route_official_by_phone(cfg, "+256700000101"));
	assert_null(route_official_by_phone(cfg, NULL));
	/* coordinators */
	assert_true(route_is_coordinator(cfg, "+256700000301"));
	assert_true(route_is_coordinator(cfg, "+256700000302"));
	assert_false(route_is_coordinator(cfg, "+256700000303"));
	assert_false(route_is_coordinator(cfg, "+256700000201"));
	assert_false(route_is_coordinator(cfg, NULL));
}

/* An empty config routes nothing and knows nobody. */
static void
test_empty_config(void **state)
{
	const struct cfg_agency *list[LIST_MAX];
	struct cfg cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	assert_int_equal(route_agencies(&cfg, "food", "north", list, 6), 0);
	assert_null(route_next(&cfg, "food", NULL, NULL, 0));
	assert_null(route_category(&cfg, "food"));
	assert_null(route_agency_by_phone(&cfg, "+256700000101"));
	assert_null(route_official_by_phone(&cfg, "+256700000201"));
	assert_false(route_is_coordinator(&cfg, "+256700000301"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_max),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_category),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_empty_config),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
