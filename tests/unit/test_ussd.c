/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/ussd.c: every path through the officials' menu,
 * back ("0") and main menu ("00") from every page, cancel, bad input on
 * every page, page sizes and "9 More" paging, the Africa's Talking path
 * splitting and the stored state's encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "handlers/cases.h"
#include "handlers/ussd.h"

#define NCATS_MAX 24

static struct cfg_category test_cats[NCATS_MAX];
static struct cfg test_cfg;

/* A config with the N categories IDS (or generated ids when NULL). */
static const struct cfg *
cfg_with(const char *const *ids, size_t n, size_t idlen)
{
	size_t i;

	memset(&test_cfg, 0, sizeof(test_cfg));
	memset(test_cats, 0, sizeof(test_cats));
	snprintf(test_cfg.gateway.country_code,
	    sizeof(test_cfg.gateway.country_code), "256");
	for (i = 0; i < n; i++) {
		if (ids != NULL)
			snprintf(test_cats[i].id, sizeof(test_cats[i].id), "%s",
			    ids[i]);
		else {
			memset(test_cats[i].id, 'a' + (int)(i % 26), idlen);
			test_cats[i].id[idlen] = '\0';
			test_cats[i].id[0] = (char)('a' + (int)(i % 26));
			test_cats[i].id[idlen - 2] = (char)('0' + i / 10 % 10);
			test_cats[i].id[idlen - 1] = (char)('0' + i % 10);
		}
	}
	test_cfg.categories = test_cats;
	test_cfg.ncategories = n;
	return &test_cfg;
}

static const char *const three[] = { "food", "medical", "shelter" };

/* Checks every page must pass: size, options, prefix-free text. */
static void
check_page(const struct ussd_out *out)
{
	const char *p = out->text;
	int options = 0;

	assert_true(strlen(out->text) + 4 <= USSD_PAGE_MAX);
	assert_true(strlen(out->text) <= USSD_TEXT_MAX);
	while (p != NULL && *p != '\0') {
		if (p[0] >= '1' && p[0] <= '8' && p[1] == ' ')
			options++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	assert_true(options <= USSD_OPTIONS_MAX);
	assert_true(strncmp(out->text, "CON", 3) != 0);
}

/* Step with INPUT and check the page. */
static void
step(const struct cfg *cfg, struct ussd_state *st, const char *input,
    struct ussd_out *out)
{
	ussd_step(cfg, st, input, out);
	check_page(out);
}

/* A session logged in and on the main menu. */
static void
logged_in(const struct cfg *cfg, struct ussd_state *st, struct ussd_out *out)
{
	struct ussd_result res = { .status = USSD_OK };

	ussd_start(st, out);
	step(cfg, st, "1234", out);
	assert_int_equal(out->action, USSD_ACT_PIN);
	ussd_resume(cfg, st, &res, out);
	assert_int_equal(st->page, USSD_PAGE_MAIN);
}

/* A session on PAGE of a referral with a phone (and consent pages). */
static void
on_page(const struct cfg *cfg, struct ussd_state *st, struct ussd_out *out,
    enum ussd_page page)
{
	static const char *const path[] = { "1", "2", "0772123456", "3", "1" };
	static const enum ussd_page after[] = { USSD_PAGE_CATEGORY,
		USSD_PAGE_PHONE, USSD_PAGE_PERSONS, USSD_PAGE_CONSENT,
		USSD_PAGE_CONFIRM };
	size_t i;

	logged_in(cfg, st, out);
	if (page == USSD_PAGE_MAIN)
		return;
	if (page == USSD_PAGE_CODE) {
		step(cfg, st, "2", out);
		return;
	}
	for (i = 0; i < 5; i++) {
		step(cfg, st, path[i], out);
		assert_int_equal(st->page, after[i]);
		if (after[i] == page)
			return;
	}
	fail();
}

static void
test_start_pin(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_result res = { .status = USSD_WRONG, .tries_left = 2 };
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	ussd_start(&st, &out);
	assert_int_equal(st.page, USSD_PAGE_PIN);
	assert_string_equal(out.text, "Enter your PIN");
	assert_false(out.end);
	assert_int_equal(out.action, USSD_ACT_NONE);

	/* empty and overlong input: asked again, nothing to check */
	step(cfg, &st, "", &out);
	assert_int_equal(out.action, USSD_ACT_NONE);
	assert_string_equal(out.text, "Invalid choice\nEnter your PIN");
	step(cfg, &st,
	    "12345678901234567890123456789012345678901234567890"
	    "123456789012345",
	    &out);
	assert_int_equal(out.action, USSD_ACT_NONE);
	assert_false(out.end);

	/* "00" is a PIN here, blanks around it are not */
	step(cfg, &st, " 00 ", &out);
	assert_int_equal(out.action, USSD_ACT_PIN);
	assert_string_equal(out.arg, "00");

	ussd_resume(cfg, &st, &res, &out);
	assert_string_equal(
	    out.text, "Wrong PIN, 2 tries left\nEnter your PIN");
	assert_int_equal(out.arg[0], '\0');
	assert_int_equal(st.page, USSD_PAGE_PIN);
	assert_false(out.end);

	step(cfg, &st, "1111", &out);
	res.tries_left = 1;
	ussd_resume(cfg, &st, &res, &out);
	assert_string_equal(out.text, "Wrong PIN, 1 try left\nEnter your PIN");

	step(cfg, &st, "2222", &out);
	res.status = USSD_LOCKED;
	ussd_resume(cfg, &st, &res, &out);
	assert_true(out.end);
	assert_string_equal(
	    out.text, "Too many wrong PINs. Try again in 15 minutes.");
}

static void
test_pin_ok_and_error(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_result res = { .status = USSD_ERROR };
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	logged_in(cfg, &st, &out);
	assert_string_equal(out.text,
	    "1 New referral\n2 Check a code\n3 My referrals today\n0 Exit");
	assert_false(out.end);

	ussd_start(&st, &out);
	step(cfg, &st, "1234", &out);
	ussd_resume(cfg, &st, &res, &out);
	assert_true(out.end);
	assert_string_equal(
	    out.text, "Service unavailable. Please try again later.");
}

static void
test_main_menu(void **unused)
{
	static const char *const bad[] = { "4", "9", "01", "1x", "abc", "",
		"-1", "100", "*", "#" };
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st;
	struct ussd_out out;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		logged_in(cfg, &st, &out);
		step(cfg, &st, bad[i], &out);
		assert_int_equal(st.page, USSD_PAGE_MAIN);
		assert_false(out.end);
		assert_int_equal(out.action, USSD_ACT_NONE);
		assert_string_equal(out.text,
		    "Invalid choice\n1 New referral\n2 Check a code\n"
		    "3 My referrals today\n0 Exit");
	}
	logged_in(cfg, &st, &out);
	step(cfg, &st, "00", &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	step(cfg, &st, "0", &out);
	assert_true(out.end);
	assert_string_equal(out.text, "Goodbye.");

	/* without categories there is nothing to refer to */
	cfg = cfg_with(NULL, 0, 0);
	logged_in(cfg, &st, &out);
	step(cfg, &st, "1", &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	assert_non_null(strstr(out.text, "No categories configured\n"));
}

static void
test_referral_with_phone(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_result res = { .status = USSD_OK };
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	logged_in(cfg, &st, &out);
	step(cfg, &st, "1", &out);
	assert_int_equal(st.page, USSD_PAGE_CATEGORY);
	assert_string_equal(
	    out.text, "Category:\n1 food\n2 medical\n3 shelter\n0 Back");
	step(cfg, &st, "2", &out);
	assert_int_equal(st.page, USSD_PAGE_PHONE);
	assert_string_equal(st.category, "medical");
	assert_string_equal(out.text, "Migrant's phone number\n0 No phone");
	step(cfg, &st, "0772 123 456", &out);
	assert_int_equal(st.page, USSD_PAGE_PERSONS);
	assert_string_equal(st.migrant, "+256772123456");
	assert_string_equal(out.text, "Number of persons (1-99)\n0 Back");
	step(cfg, &st, "12", &out);
	assert_int_equal(st.page, USSD_PAGE_CONSENT);
	assert_int_equal(st.persons, 12);
	assert_string_equal(out.text,
	    "Share the phone number with the agency?\n1 Yes\n2 No\n0 Back");
	step(cfg, &st, "1", &out);
	assert_int_equal(st.page, USSD_PAGE_CONFIRM);
	assert_int_equal(st.consent, 1);
	assert_string_equal(out.text,
	    "Refer: medical, 12 persons\nPhone: +256772123456 (shared)\n"
	    "1 Confirm\n2 Cancel\n0 Back");
	step(cfg, &st, "1", &out);
	assert_int_equal(out.action, USSD_ACT_REFER);
	assert_false(out.end);

	/* a store failure keeps the confirmation page */
	res.status = USSD_ERROR;
	ussd_resume(cfg, &st, &res, &out);
	assert_int_equal(st.page, USSD_PAGE_CONFIRM);
	assert_false(out.end);
	assert_true(
	    strncmp(out.text, "Not saved, try again\nRefer: medical", 35) == 0);

	step(cfg, &st, "1", &out);
	assert_int_equal(out.action, USSD_ACT_REFER);
	res.status = USSD_OK;
	memcpy(res.code, "48213957", 9);
	assert_int_equal(code_check(res.code), 0);
	snprintf(
	    res.code, sizeof(res.code), "4821395%d", code_damm("4821395", 7));
	ussd_resume(cfg, &st, &res, &out);
	assert_true(out.end);
	check_page(&out);
	assert_true(strncmp(out.text, "Referral 4821-395", 17) == 0);
	assert_non_null(strstr(out.text, "created. The code was sent by SMS."));
}

static void
test_referral_without_phone(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	on_page(cfg, &st, &out, USSD_PAGE_PHONE);
	step(cfg, &st, "0", &out);
	assert_int_equal(st.page, USSD_PAGE_PERSONS);
	assert_string_equal(st.migrant, "");
	step(cfg, &st, "1", &out);
	/* no phone: no consent page */
	assert_int_equal(st.page, USSD_PAGE_CONFIRM);
	assert_int_equal(st.consent, 0);
	assert_string_equal(out.text,
	    "Refer: medical, 1 person\nNo phone\n"
	    "1 Confirm\n2 Cancel\n0 Back");
	/* back from confirm skips the consent page too */
	step(cfg, &st, "0", &out);
	assert_int_equal(st.page, USSD_PAGE_PERSONS);
	step(cfg, &st, "99", &out);
	step(cfg, &st, "1", &out);
	assert_int_equal(out.action, USSD_ACT_REFER);
	assert_int_equal(st.persons, 99);
}

static void
test_consent_no_and_cancel(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	on_page(cfg, &st, &out, USSD_PAGE_CONSENT);
	step(cfg, &st, "2", &out);
	assert_int_equal(st.consent, 0);
	assert_non_null(strstr(out.text, "(not shared)"));
	step(cfg, &st, "2", &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	assert_false(out.end);
	assert_string_equal(out.text,
	    "Referral cancelled\n1 New referral\n2 Check a code\n"
	    "3 My referrals today\n0 Exit");
	assert_string_equal(st.category, "");
	assert_string_equal(st.migrant, "");
	assert_int_equal(st.persons, 0);
}

static void
test_back(void **unused)
{
	static const struct {
		enum ussd_page from, to;
	} backs[] = {
		{ USSD_PAGE_CATEGORY, USSD_PAGE_MAIN },
		{ USSD_PAGE_PERSONS, USSD_PAGE_PHONE },
		{ USSD_PAGE_CONSENT, USSD_PAGE_PERSONS },
		{ USSD_PAGE_CONFIRM, USSD_PAGE_CONSENT },
		{ USSD_PAGE_CODE, USSD_PAGE_MAIN },
	};
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st;
	struct ussd_out out;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(backs) / sizeof(backs[0]); i++) {
		on_page(cfg, &st, &out, backs[i].from);
		step(cfg, &st, "0", &out);
		assert_int_equal(st.page, backs[i].to);
		assert_false(out.end);
		assert_null(strstr(out.text, "Invalid"));
	}
	/* on the phone page "0" is an answer: no phone */
	on_page(cfg, &st, &out, USSD_PAGE_PHONE);
	step(cfg, &st, "0", &out);
	assert_int_equal(st.page, USSD_PAGE_PERSONS);
}

static void
test_main_from_everywhere(void **unused)
{
	static const enum ussd_page pages[] = { USSD_PAGE_MAIN,
		USSD_PAGE_CATEGORY, USSD_PAGE_PHONE, USSD_PAGE_PERSONS,
		USSD_PAGE_CONSENT, USSD_PAGE_CONFIRM, USSD_PAGE_CODE };
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st;
	struct ussd_out out;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		on_page(cfg, &st, &out, pages[i]);
		step(cfg, &st, "00", &out);
		assert_int_equal(st.page, USSD_PAGE_MAIN);
		assert_false(out.end);
		assert_string_equal(st.category, "");
		assert_string_equal(st.migrant, "");
		assert_int_equal(st.persons, 0);
		assert_string_equal(out.text,
		    "1 New referral\n2 Check a code\n3 My referrals today\n"
		    "0 Exit");
	}
}

static void
test_bad_input_every_page(void **unused)
{
	static const struct {
		enum ussd_page page;
		const char *input;
	} bad[] = {
		{ USSD_PAGE_CATEGORY, "4" },
		{ USSD_PAGE_CATEGORY, "9" }, /* no more pages */
		{ USSD_PAGE_CATEGORY, "01" },
		{ USSD_PAGE_CATEGORY, "food" },
		{ USSD_PAGE_CATEGORY, "" },
		{ USSD_PAGE_PHONE, "" },
		{ USSD_PAGE_PHONE, "abc" },
		{ USSD_PAGE_PHONE, "12" },
		{ USSD_PAGE_PHONE, "+1234567890123456789" },
		{ USSD_PAGE_PERSONS, "100" },
		{ USSD_PAGE_PERSONS, "-1" },
		{ USSD_PAGE_PERSONS, "05" },
		{ USSD_PAGE_PERSONS, "two" },
		{ USSD_PAGE_PERSONS, "" },
		{ USSD_PAGE_CONSENT, "3" },
		{ USSD_PAGE_CONSENT, "yes" },
		{ USSD_PAGE_CONFIRM, "3" },
		{ USSD_PAGE_CONFIRM, "" },
		{ USSD_PAGE_CODE, "" },
		{ USSD_PAGE_CODE, "1234" },
		{ USSD_PAGE_CODE, "01234567" },
	};
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st, before;
	struct ussd_out out;
	char page[USSD_TEXT_MAX + 1], want[USSD_TEXT_MAX + 32];
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		on_page(cfg, &st, &out, bad[i].page);
		memcpy(page, out.text, sizeof(page));
		before = st;
		step(cfg, &st, bad[i].input, &out);
		assert_int_equal(st.page, bad[i].page);
		assert_false(out.end);
		assert_int_equal(out.action, USSD_ACT_NONE);
		snprintf(want, sizeof(want), "Invalid choice\n%s", page);
		assert_string_equal(out.text, want);
		assert_memory_equal(&st, &before, sizeof(st));
	}
	/* an overlong input is invalid on every page */
	on_page(cfg, &st, &out, USSD_PAGE_PERSONS);
	step(cfg, &st,
	    "1                                                             "
	    "                    x",
	    &out);
	assert_int_equal(st.page, USSD_PAGE_PERSONS);
	assert_true(strncmp(out.text, "Invalid choice\n", 15) == 0);
}

static void
test_check_code(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct cases_brief b = { .category = "food",
		.status = "acknowledged",
		.agency = "wfp",
		.persons = 3 };
	struct ussd_result res = { 0 };
	struct ussd_state st;
	struct ussd_out out;
	char code[CODE_LEN + 1], typed[16];

	(void)unused;
	snprintf(code, sizeof(code), "4821395%d", code_damm("4821395", 7));
	on_page(cfg, &st, &out, USSD_PAGE_CODE);
	assert_string_equal(out.text, "Enter the code\n0 Back");

	/* a mistyped check digit */
	snprintf(typed, sizeof(typed), "4821-395%d",
	    (code_damm("4821395", 7) + 1) % 10);
	step(cfg, &st, typed, &out);
	assert_int_equal(out.action, USSD_ACT_NONE);
	assert_string_equal(out.text, "Check the code\nEnter the code\n0 Back");

	snprintf(typed, sizeof(typed), "4821-395%d", code_damm("4821395", 7));
	step(cfg, &st, typed, &out);
	assert_int_equal(out.action, USSD_ACT_CHECK);
	assert_string_equal(out.arg, code);

	res.status = USSD_NONE;
	ussd_resume(cfg, &st, &res, &out);
	assert_int_equal(st.page, USSD_PAGE_CODE);
	assert_string_equal(out.text, "Code not found\nEnter the code\n0 Back");
	assert_int_equal(out.arg[0], '\0');

	step(cfg, &st, code, &out);
	res.status = USSD_ERROR;
	ussd_resume(cfg, &st, &res, &out);
	assert_int_equal(st.page, USSD_PAGE_CODE);
	assert_false(out.end);

	step(cfg, &st, code, &out);
	memcpy(b.code, code, sizeof(code));
	res.status = USSD_OK;
	res.cases = &b;
	res.ncases = 1;
	ussd_resume(cfg, &st, &res, &out);
	check_page(&out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	assert_true(strncmp(out.text, "4821-395", 8) == 0);
	assert_non_null(strstr(
	    out.text, ": food, 3 persons, acknowledged (wfp)\n1 New referral"));

	/* with the coordinator: no agency */
	step(cfg, &st, "2", &out);
	step(cfg, &st, code, &out);
	b.agency[0] = '\0';
	b.persons = 1;
	ussd_resume(cfg, &st, &res, &out);
	assert_non_null(strstr(out.text, ": food, 1 person, acknowledged\n"));
}

static void
test_mine(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct cases_brief list[USSD_MINE_MAX];
	struct ussd_result res = { .status = USSD_OK };
	struct ussd_state st;
	struct ussd_out out;
	char first[USSD_TEXT_MAX + 1];
	size_t i, shown = 0;
	int pages = 0;

	(void)unused;
	memset(list, 0, sizeof(list));
	for (i = 0; i < USSD_MINE_MAX; i++) {
		snprintf(
		    list[i].code, sizeof(list[i].code), "%07zu", 1000000 + i);
		list[i].code[7] = (char)('0' + code_damm(list[i].code, 7));
		list[i].code[8] = '\0';
		snprintf(list[i].category, sizeof(list[i].category), "%s",
		    three[i % 3]);
		snprintf(list[i].status, sizeof(list[i].status), "notified");
	}

	/* none today */
	logged_in(cfg, &st, &out);
	step(cfg, &st, "3", &out);
	assert_int_equal(out.action, USSD_ACT_MINE);
	ussd_resume(cfg, &st, &res, &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	assert_true(strncmp(out.text, "No referrals today\n1 New", 24) == 0);

	/* a store failure */
	step(cfg, &st, "3", &out);
	res.status = USSD_ERROR;
	ussd_resume(cfg, &st, &res, &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	assert_false(out.end);

	/* two on one page */
	step(cfg, &st, "3", &out);
	res.status = USSD_OK;
	res.cases = list;
	res.ncases = 2;
	ussd_resume(cfg, &st, &res, &out);
	assert_int_equal(st.page, USSD_PAGE_MINE);
	assert_string_equal(out.text,
	    "Today: 2\n1000-0004 food notified\n"
	    "1000-0012 medical notified\n0 Back");

	/* bad input: the same page again, read anew */
	step(cfg, &st, "5", &out);
	assert_int_equal(out.action, USSD_ACT_MINE);
	ussd_resume(cfg, &st, &res, &out);
	assert_true(strncmp(out.text, "Invalid choice\nToday: 2\n", 24) == 0);
	step(cfg, &st, "9", &out); /* no more */
	ussd_resume(cfg, &st, &res, &out);
	assert_true(strncmp(out.text, "Invalid choice\n", 15) == 0);

	/* the whole list, a page at a time */
	res.ncases = USSD_MINE_MAX;
	step(cfg, &st, "00", &out);
	step(cfg, &st, "3", &out);
	ussd_resume(cfg, &st, &res, &out);
	memcpy(first, out.text, sizeof(first));
	for (;;) {
		check_page(&out);
		pages++;
		for (i = 0; i < USSD_MINE_MAX; i++) {
			char c[CODE_LEN + 2];

			snprintf(c, sizeof(c), "%.4s-%.4s", list[i].code,
			    list[i].code + 4);
			if (strstr(out.text, c) != NULL)
				shown++;
		}
		if (strstr(out.text, "9 More") == NULL)
			break;
		step(cfg, &st, "9", &out);
		assert_int_equal(out.action, USSD_ACT_MINE);
		ussd_resume(cfg, &st, &res, &out);
		assert_int_equal(st.page, USSD_PAGE_MINE);
		assert_true(pages < USSD_MINE_MAX);
	}
	assert_int_equal(shown, USSD_MINE_MAX);
	assert_true(pages > 1);
	step(cfg, &st, "0", &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
	step(cfg, &st, "3", &out);
	ussd_resume(cfg, &st, &res, &out);
	assert_string_equal(out.text, first);
}

/* Walk every category page with "9"; each category shows exactly once. */
static void
walk_categories(const struct cfg *cfg)
{
	struct ussd_state st;
	struct ussd_out out;
	char pages[NCATS_MAX][USSD_TEXT_MAX + 1];
	size_t seen[NCATS_MAX] = { 0 }, i, npages = 0;
	char want[CFG_ID_MAX + 8];

	on_page(cfg, &st, &out, USSD_PAGE_MAIN);
	step(cfg, &st, "1", &out);
	for (;;) {
		assert_true(npages < NCATS_MAX);
		memcpy(pages[npages++], out.text, sizeof(pages[0]));
		for (i = 0; i < cfg->ncategories; i++) {
			snprintf(
			    want, sizeof(want), " %s\n", cfg->categories[i].id);
			if (strstr(out.text, want) != NULL)
				seen[i]++;
		}
		if (strstr(out.text, "\n9 More\n") == NULL)
			break;
		step(cfg, &st, "9", &out);
		assert_int_equal(st.page, USSD_PAGE_CATEGORY);
	}
	for (i = 0; i < cfg->ncategories; i++)
		assert_int_equal(seen[i], 1);
	/* "9" on the last page is invalid */
	step(cfg, &st, "9", &out);
	assert_true(strncmp(out.text, "Invalid choice\n", 15) == 0);
	/* "0" goes back through the same pages */
	while (npages > 1) {
		step(cfg, &st, "0", &out);
		npages--;
		assert_string_equal(out.text, pages[npages - 1]);
	}
	step(cfg, &st, "0", &out);
	assert_int_equal(st.page, USSD_PAGE_MAIN);
}

static void
test_category_paging(void **unused)
{
	static const char *const twelve[] = { "food", "water", "shelter",
		"medical", "child", "gbv", "trafficking", "legal", "documents",
		"transport", "psychosocial", "other" };
	const struct cfg *cfg = cfg_with(twelve, 12, 0);
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	walk_categories(cfg);

	/* page one holds at most 8, numbered from 1, then "9 More" */
	on_page(cfg, &st, &out, USSD_PAGE_CATEGORY);
	assert_non_null(strstr(out.text, "\n1 food\n"));
	assert_null(strstr(out.text, "\n9 documents"));
	assert_non_null(strstr(out.text, "\n9 More\n0 Back"));
	/* page two numbers from 1 again and picks in config order */
	step(cfg, &st, "9", &out);
	assert_true(strncmp(out.text, "Category:\n1 ", 12) == 0);
	assert_true(st.off >= 1 && st.off <= USSD_OPTIONS_MAX);
	step(cfg, &st, "1", &out);
	assert_int_equal(st.page, USSD_PAGE_PHONE);
	assert_string_equal(st.category, twelve[st.off]);

	/* long ids: fewer to a page, every page within 182 */
	walk_categories(cfg_with(NULL, NCATS_MAX, CFG_ID_MAX - 1));
	walk_categories(cfg_with(NULL, NCATS_MAX, 2));
	walk_categories(cfg_with(NULL, 8, 3));
	walk_categories(cfg_with(NULL, 9, 3));
	walk_categories(cfg_with(NULL, 1, 5));
}

static void
test_category_gone(void **unused)
{
	const struct cfg *cfg = cfg_with(three, 3, 0);
	struct ussd_state st;
	struct ussd_out out;

	(void)unused;
	on_page(cfg, &st, &out, USSD_PAGE_CONFIRM);
	/* the config was reloaded without "medical" */
	cfg = cfg_with(three, 1, 0);
	step(cfg, &st, "1", &out);
	assert_int_equal(out.action, USSD_ACT_NONE);
	assert_int_equal(st.page, USSD_PAGE_CATEGORY);
	assert_string_equal(
	    out.text, "Invalid choice\nCategory:\n1 food\n0 Back");
}

static void
test_ends(void **unused)
{
	static const enum ussd_end ends[] = { USSD_END_UNKNOWN, USSD_END_LOCKED,
		USSD_END_EXPIRED, USSD_END_UNAVAILABLE };
	struct ussd_out out;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		ussd_end(ends[i], &out);
		assert_true(out.end);
		assert_int_equal(out.action, USSD_ACT_NONE);
		assert_true(strlen(out.text) > 0);
		check_page(&out);
	}
	ussd_end(USSD_END_UNKNOWN, &out);
	assert_string_equal(out.text, "This number is not registered.");
}

static void
test_at_input(void **unused)
{
	static const struct {
		const char *path, *text, *input; /* input NULL: a repeat */
	} t[] = {
		{ "", "", NULL },
		{ "", "1234", "1234" },
		{ "", "1*2", "1*2" }, /* the first input as typed */
		{ "1234", "1234*1", "1" },
		{ "1234*1", "1234*1", NULL },
		{ "1234*1", "1234*1*0772123456", "0772123456" },
		{ "1234*1", "1234*1*", "" },
		{ "1234*1", "1234*1**", "*" },
		{ "1234*1", "1234*12", "12" }, /* not a continuation */
		{ "1234*1", "9*8*7", "7" },
		{ "1234*1", "7", "7" },
		{ "1234", "123", "123" },
	};
	const char *in;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		in = ussd_at_input(t[i].path, t[i].text);
		if (t[i].input == NULL)
			assert_null(in);
		else {
			assert_non_null(in);
			assert_string_equal(in, t[i].input);
		}
	}
}

static void
test_state_encoding(void **unused)
{
	static const char *const bad[] = { "", "main", "main 0 0 0 0",
		"main 0 0 0 0 x.y", "nope 0 0 0 0 -", "main -1 0 0 0 -",
		"main 0 0 100 0 -", "main 0 0 0 2 -", "main 0 0 0 0 Food",
		"main 0 0 0 0 ", "main 00000 0 0 0 -", "main  0 0 0 0 -",
		"main 0 0 0 0 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"main 1x 0 0 0 -", "main 0 0 0 0 - ",
		"confirm 0 0 1 1 foo bar" };
	struct ussd_state st, back;
	struct ussd_out out;
	char buf[USSD_STATE_MAX];
	size_t i;

	(void)unused;
	on_page(cfg_with(three, 3, 0), &st, &out, USSD_PAGE_CONFIRM);
	assert_int_equal(ussd_state_encode(&st, buf, sizeof(buf)), 0);
	assert_null(strstr(buf, "772123456")); /* the number is apart */
	assert_int_equal(ussd_state_decode(buf, &back), 0);
	assert_string_equal(back.category, "medical");
	assert_int_equal(back.page, USSD_PAGE_CONFIRM);
	assert_int_equal(back.persons, 3);
	assert_int_equal(back.consent, 1);
	assert_string_equal(back.migrant, "");
	assert_int_equal(ussd_state_encode(&st, buf, 8), -1);

	ussd_start(&st, &out);
	assert_int_equal(ussd_state_encode(&st, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pin 0 0 0 0 -");
	assert_int_equal(ussd_state_decode(buf, &back), 0);
	assert_int_equal(back.page, USSD_PAGE_PIN);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		back.page = USSD_PAGE_MAIN;
		assert_int_equal(ussd_state_decode(bad[i], &back), -1);
		assert_int_equal(back.page, USSD_PAGE_PIN); /* zeroed */
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_pin),
		cmocka_unit_test(test_pin_ok_and_error),
		cmocka_unit_test(test_main_menu),
		cmocka_unit_test(test_referral_with_phone),
		cmocka_unit_test(test_referral_without_phone),
		cmocka_unit_test(test_consent_no_and_cancel),
		cmocka_unit_test(test_back),
		cmocka_unit_test(test_main_from_everywhere),
		cmocka_unit_test(test_bad_input_every_page),
		cmocka_unit_test(test_check_code),
		cmocka_unit_test(test_mine),
		cmocka_unit_test(test_category_paging),
		cmocka_unit_test(test_category_gone),
		cmocka_unit_test(test_ends),
		cmocka_unit_test(test_at_input),
		cmocka_unit_test(test_state_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
