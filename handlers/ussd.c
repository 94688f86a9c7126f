/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The officials' USSD menu: one step per input, from a page and an input to
 * the next page, and the rendering of every page within USSD_TEXT_MAX bytes
 * and USSD_OPTIONS_MAX numbered choices. Lists longer than a page (the
 * categories, today's referrals) end in "9 More"; how many items a page
 * holds depends only on the items, so "0" can find the page before.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/cases.h"
#include "handlers/route.h"
#include "handlers/ussd.h"

#define USSD_INVALID "Invalid choice"
#define USSD_NOTE_ROOM (sizeof(USSD_INVALID)) /* the note and a newline */
#define USSD_MORE "9 More\n"
#define USSD_BACK "0 Back"
#define USSD_LIST_ITEM_MAX 64 /* bytes of one list line, newline included */

static const char *const ussd_page_names[USSD_PAGE_COUNT] = { "pin", "main",
	"category", "phone", "persons", "consent", "confirm", "code", "mine" };

/* Append to the page; what does not fit is cut (never mid-way by design). */
static void __attribute__((format(printf, 2, 3)))
ussd_add(struct ussd_out *out, const char *fmt, ...)
{
	size_t len = strlen(out->text);
	va_list ap;

	if (len >= sizeof(out->text) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out->text + len, sizeof(out->text) - len, fmt, ap);
	va_end(ap);
}

/* Start OUT afresh, with NOTE (or NULL) as its first line. */
static void
ussd_begin(struct ussd_out *out, const char *note)
{
	memset(out, 0, sizeof(*out));
	if (note != NULL)
		ussd_add(out, "%s\n", note);
}

/* Back to the main menu, forgetting the referral under way. */
static void
ussd_to_main(struct ussd_state *st)
{
	memset(st, 0, sizeof(*st));
	st->page = USSD_PAGE_MAIN;
}

/* The line for category I of a list page: "N id\n". */
static size_t
ussd_cat_line(const struct cfg *cfg, size_t i, size_t n, char *buf, size_t len)
{
	int w = snprintf(buf, len, "%zu %s\n", n, cfg->categories[i].id);

	return w < 0 ? 0 : (size_t)w;
}

/* The line for a referral of today's list: "4821-3957 food notified\n". */
static size_t
ussd_mine_line(const struct cases_brief *b, char *buf, size_t len)
{
	char code[CODE_LEN + 2];
	int w;

	code_format(b->code, code);
	w = snprintf(buf, len, "%s %s %s\n", code, b->category, b->status);
	return w < 0 ? 0 : (size_t)w;
}

/*
 * How many list items from OFF fit on a page with HEADER: at most
 * USSD_OPTIONS_MAX, with room kept for a note, "9 More" and "0 Back".
 */
static size_t
ussd_fit(const struct cfg *cfg, const struct cases_brief *list, size_t nitems,
    size_t off, size_t header)
{
	char line[USSD_LIST_ITEM_MAX];
	size_t used, n = 0, l;

	used = USSD_NOTE_ROOM + header + strlen(USSD_MORE USSD_BACK);
	while (off + n < nitems && n < USSD_OPTIONS_MAX) {
		if (list != NULL)
			l = ussd_mine_line(&list[off + n], line, sizeof(line));
		else
			l = ussd_cat_line(
			    cfg, off + n, n + 1, line, sizeof(line));
		if (used + l > USSD_TEXT_MAX)
			break;
		used += l;
		n++;
	}
	/* a single item always fits: ids and codes are short */
	return n == 0 && off < nitems ? 1 : n;
}

#define USSD_CAT_HEADER "Category:\n"

/* The first item of the page before the one starting at OFF. */
static size_t
ussd_cat_prev(const struct cfg *cfg, size_t off)
{
	size_t o = 0, prev = 0, k;

	while (o < off) {
		prev = o;
		k = ussd_fit(
		    cfg, NULL, cfg->ncategories, o, strlen(USSD_CAT_HEADER));
		if (k == 0)
			break;
		o += k;
	}
	return prev;
}

/* Render the category page at st->off and set st->next. */
static void
ussd_show_categories(
    const struct cfg *cfg, struct ussd_state *st, struct ussd_out *out)
{
	char line[USSD_LIST_ITEM_MAX];
	size_t i, k, off = (size_t)st->off;

	k = ussd_fit(cfg, NULL, cfg->ncategories, off, strlen(USSD_CAT_HEADER));
	ussd_add(out, "%s", USSD_CAT_HEADER);
	for (i = 0; i < k; i++) {
		ussd_cat_line(cfg, off + i, i + 1, line, sizeof(line));
		ussd_add(out, "%s", line);
	}
	st->next = off + k < cfg->ncategories ? (int)(off + k) : 0;
	if (st->next != 0)
		ussd_add(out, "%s", USSD_MORE);
	ussd_add(out, "%s", USSD_BACK);
}

/* Render today's referrals from st->off and set st->next. */
static void
ussd_show_mine(struct ussd_state *st, const struct cases_brief *list, size_t n,
    struct ussd_out *out)
{
	char header[32], line[USSD_LIST_ITEM_MAX];
	size_t i, k, off = (size_t)st->off;

	snprintf(header, sizeof(header), "Today: %zu\n", n);
	k = ussd_fit(NULL, list, n, off, strlen(header));
	ussd_add(out, "%s", header);
	for (i = 0; i < k; i++) {
		ussd_mine_line(&list[off + i], line, sizeof(line));
		ussd_add(out, "%s", line);
	}
	st->next = off + k < n ? (int)(off + k) : 0;
	if (st->next != 0)
		ussd_add(out, "%s", USSD_MORE);
	ussd_add(out, "%s", USSD_BACK);
}

/* Render every page but the list of today's referrals. */
static void
ussd_show(const struct cfg *cfg, struct ussd_state *st, const char *note,
    struct ussd_out *out)
{
	ussd_begin(out, note);
	switch (st->page) {
	case USSD_PAGE_PIN:
		ussd_add(out, "Enter your PIN");
		break;
	case USSD_PAGE_MAIN:
	case USSD_PAGE_MINE:
		st->page = USSD_PAGE_MAIN;
		ussd_add(out,
		    "1 New referral\n2 Check a code\n"
		    "3 My referrals today\n0 Exit");
		break;
	case USSD_PAGE_CATEGORY:
		ussd_show_categories(cfg, st, out);
		break;
	case USSD_PAGE_PHONE:
		ussd_add(out, "Migrant's phone number\n0 No phone");
		break;
	case USSD_PAGE_PERSONS:
		ussd_add(out, "Number of persons (1-99)\n" USSD_BACK);
		break;
	case USSD_PAGE_CONSENT:
		ussd_add(out,
		    "Share the phone number with the agency?\n"
		    "1 Yes\n2 No\n" USSD_BACK);
		break;
	case USSD_PAGE_CONFIRM:
		ussd_add(out, "Refer: %s, %d person%s\n", st->category,
		    st->persons, st->persons == 1 ? "" : "s");
		if (st->migrant[0] == '\0')
			ussd_add(out, "No phone\n");
		else
			ussd_add(out, "Phone: %s (%s)\n", st->migrant,
			    st->consent ? "shared" : "not shared");
		ussd_add(out, "1 Confirm\n2 Cancel\n" USSD_BACK);
		break;
	case USSD_PAGE_CODE:
		ussd_add(out, "Enter the code\n" USSD_BACK);
		break;
	case USSD_PAGE_COUNT:
		break;
	}
}

/* INPUT without surrounding blanks into BUF; -1 when too long. */
static int
ussd_trim(const char *input, char buf[USSD_INPUT_MAX + 1])
{
	size_t n;

	while (*input == ' ' || *input == '\t')
		input++;
	n = strlen(input);
	while (n > 0 && (input[n - 1] == ' ' || input[n - 1] == '\t'))
		n--;
	if (n > USSD_INPUT_MAX)
		return -1;
	memcpy(buf, input, n);
	buf[n] = '\0';
	return 0;
}

/* A choice of 1 or 2 digits without a leading 0 ("0" itself is 0); or -1. */
static int
ussd_choice(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 2 || strspn(s, "0123456789") != n ||
	    (n == 2 && s[0] == '0'))
		return -1;
	return atoi(s);
}

/* The main menu. */
static void
ussd_step_main(
    const struct cfg *cfg, struct ussd_state *st, int c, struct ussd_out *out)
{
	switch (c) {
	case 0:
		ussd_begin(out, NULL);
		out->end = 1;
		ussd_add(out, "Goodbye.");
		return;
	case 1:
		if (cfg->ncategories == 0) {
			ussd_show(cfg, st, "No categories configured", out);
			return;
		}
		st->page = USSD_PAGE_CATEGORY;
		st->off = 0;
		break;
	case 2:
		st->page = USSD_PAGE_CODE;
		break;
	case 3:
		st->page = USSD_PAGE_MINE;
		st->off = st->next = 0;
		ussd_begin(out, NULL);
		out->action = USSD_ACT_MINE;
		return;
	default:
		ussd_show(cfg, st, USSD_INVALID, out);
		return;
	}
	ussd_show(cfg, st, NULL, out);
}

/* A category page: 1-N picks, 9 pages on, 0 pages back. */
static void
ussd_step_category(
    const struct cfg *cfg, struct ussd_state *st, int c, struct ussd_out *out)
{
	size_t k, off = (size_t)st->off;

	k = ussd_fit(cfg, NULL, cfg->ncategories, off, strlen(USSD_CAT_HEADER));
	if (c == 0) {
		if (off == 0) {
			ussd_to_main(st);
		} else {
			st->off = (int)ussd_cat_prev(cfg, off);
		}
	} else if (c == 9 && st->next != 0) {
		st->off = st->next;
	} else if (c >= 1 && (size_t)c <= k) {
		snprintf(st->category, sizeof(st->category), "%s",
		    cfg->categories[off + (size_t)c - 1].id);
		st->page = USSD_PAGE_PHONE;
	} else {
		ussd_show(cfg, st, USSD_INVALID, out);
		return;
	}
	ussd_show(cfg, st, NULL, out);
}

/* The migrant's phone: "0" for none, else a number of this country. */
static void
ussd_step_phone(const struct cfg *cfg, struct ussd_state *st, const char *in,
    struct ussd_out *out)
{
	const char *why;

	if (strcmp(in, "0") == 0) {
		st->migrant[0] = '\0';
	} else if (in[0] == '\0' ||
	    phone_normalise(in, cfg->gateway.country_code, st->migrant, &why) ==
		-1) {
		st->migrant[0] = '\0';
		ussd_show(cfg, st, USSD_INVALID, out);
		return;
	}
	st->page = USSD_PAGE_PERSONS;
	ussd_show(cfg, st, NULL, out);
}

/* The number of persons, 1-99; 0 goes back to the phone. */
static void
ussd_step_persons(
    const struct cfg *cfg, struct ussd_state *st, int c, struct ussd_out *out)
{
	if (c == 0) {
		st->page = USSD_PAGE_PHONE;
	} else if (c >= 1 && c <= 99) {
		st->persons = c;
		st->consent = 0;
		st->page = st->migrant[0] != '\0' ? USSD_PAGE_CONSENT
						  : USSD_PAGE_CONFIRM;
	} else {
		ussd_show(cfg, st, USSD_INVALID, out);
		return;
	}
	ussd_show(cfg, st, NULL, out);
}

/* Consent to share the phone: 1 yes, 2 no, 0 back. */
static void
ussd_step_consent(
    const struct cfg *cfg, struct ussd_state *st, int c, struct ussd_out *out)
{
	if (c == 0) {
		st->page = USSD_PAGE_PERSONS;
	} else if (c == 1 || c == 2) {
		st->consent = c == 1;
		st->page = USSD_PAGE_CONFIRM;
	} else {
		ussd_show(cfg, st, USSD_INVALID, out);
		return;
	}
	ussd_show(cfg, st, NULL, out);
}

/* 1 confirms (the referral is created), 2 cancels, 0 goes back. */
static void
ussd_step_confirm(
    const struct cfg *cfg, struct ussd_state *st, int c, struct ussd_out *out)
{
	if (c == 1) {
		if (route_category(cfg, st->category) == NULL) {
			/* gone with a reload: choose again */
			st->page = USSD_PAGE_CATEGORY;
			st->off = 0;
			st->category[0] = '\0';
			ussd_show(cfg, st, USSD_INVALID, out);
			return;
		}
		ussd_begin(out, NULL);
		out->action = USSD_ACT_REFER;
		return;
	}
	if (c == 2) {
		ussd_to_main(st);
		ussd_show(cfg, st, "Referral cancelled", out);
		return;
	}
	if (c == 0) {
		st->page = st->migrant[0] != '\0' ? USSD_PAGE_CONSENT
						  : USSD_PAGE_PERSONS;
		ussd_show(cfg, st, NULL, out);
		return;
	}
	ussd_show(cfg, st, USSD_INVALID, out);
}

/* A code to look up; 0 goes back. */
static void
ussd_step_code(const struct cfg *cfg, struct ussd_state *st, const char *in,
    struct ussd_out *out)
{
	char code[CODE_LEN + 1];

	if (strcmp(in, "0") == 0) {
		ussd_to_main(st);
		ussd_show(cfg, st, NULL, out);
		return;
	}
	switch (code_parse(in, code)) {
	case CODE_OK:
		ussd_begin(out, NULL);
		out->action = USSD_ACT_CHECK;
		memcpy(out->arg, code, sizeof(code));
		return;
	case CODE_BAD_CHECK:
		ussd_show(cfg, st, "Check the code", out);
		return;
	case CODE_NONE:
		break;
	}
	ussd_show(cfg, st, USSD_INVALID, out);
}

/* Today's referrals: 9 pages on (the list is read again), 0 back. */
static void
ussd_step_mine(
    const struct cfg *cfg, struct ussd_state *st, int c, struct ussd_out *out)
{
	if (c == 0) {
		ussd_to_main(st);
		ussd_show(cfg, st, NULL, out);
		return;
	}
	ussd_begin(out, NULL);
	out->action = USSD_ACT_MINE;
	if (c == 9 && st->next != 0)
		st->off = st->next;
	else
		out->note = USSD_INVALID; /* the same page again */
}

void
ussd_start(struct ussd_state *st, struct ussd_out *out)
{
	memset(st, 0, sizeof(*st));
	st->page = USSD_PAGE_PIN;
	ussd_show(NULL, st, NULL, out);
}

void
ussd_step(const struct cfg *cfg, struct ussd_state *st, const char *input,
    struct ussd_out *out)
{
	char in[USSD_INPUT_MAX + 1];
	int c;

	if (st->page >= USSD_PAGE_COUNT)
		ussd_to_main(st);
	if (ussd_trim(input, in) == -1)
		in[0] = '\0'; /* too long: invalid everywhere */
	if (st->page != USSD_PAGE_PIN && strcmp(in, "00") == 0) {
		ussd_to_main(st);
		ussd_show(cfg, st, NULL, out);
		return;
	}
	c = ussd_choice(in);
	switch (st->page) {
	case USSD_PAGE_PIN:
		if (in[0] == '\0') {
			ussd_show(cfg, st, USSD_INVALID, out);
			break;
		}
		ussd_begin(out, NULL);
		out->action = USSD_ACT_PIN;
		memcpy(out->arg, in, sizeof(in));
		break;
	case USSD_PAGE_MAIN:
		ussd_step_main(cfg, st, c, out);
		break;
	case USSD_PAGE_CATEGORY:
		ussd_step_category(cfg, st, c, out);
		break;
	case USSD_PAGE_PHONE:
		ussd_step_phone(cfg, st, in, out);
		break;
	case USSD_PAGE_PERSONS:
		ussd_step_persons(cfg, st, c, out);
		break;
	case USSD_PAGE_CONSENT:
		ussd_step_consent(cfg, st, c, out);
		break;
	case USSD_PAGE_CONFIRM:
		ussd_step_confirm(cfg, st, c, out);
		break;
	case USSD_PAGE_CODE:
		ussd_step_code(cfg, st, in, out);
		break;
	case USSD_PAGE_MINE:
		ussd_step_mine(cfg, st, c, out);
		break;
	case USSD_PAGE_COUNT:
		break;
	}
	explicit_bzero(in, sizeof(in));
}

/* The page after a PIN check. */
static void
ussd_resume_pin(const struct cfg *cfg, struct ussd_state *st,
    const struct ussd_result *res, struct ussd_out *out)
{
	char note[48];

	switch (res->status) {
	case USSD_OK:
		ussd_to_main(st);
		ussd_show(cfg, st, NULL, out);
		break;
	case USSD_WRONG:
		snprintf(note, sizeof(note), "Wrong PIN, %d %s left",
		    res->tries_left, res->tries_left == 1 ? "try" : "tries");
		ussd_show(cfg, st, note, out);
		break;
	case USSD_LOCKED:
		ussd_end(USSD_END_LOCKED, out);
		break;
	case USSD_NONE:
	case USSD_ERROR:
		ussd_end(USSD_END_UNAVAILABLE, out);
		break;
	}
}

/* The page after a code look-up: the case above the main menu. */
static void
ussd_resume_check(const struct cfg *cfg, struct ussd_state *st,
    const struct ussd_result *res, struct ussd_out *out)
{
	const struct cases_brief *b = res->cases;
	char note[USSD_LIST_ITEM_MAX + CFG_ID_MAX + 32], code[CODE_LEN + 2];

	if (res->status == USSD_OK && b != NULL && res->ncases > 0) {
		code_format(b->code, code);
		snprintf(note, sizeof(note), "%s: %s, %d person%s, %s%s%s%s",
		    code, b->category, b->persons, b->persons == 1 ? "" : "s",
		    b->status, b->agency[0] != '\0' ? " (" : "", b->agency,
		    b->agency[0] != '\0' ? ")" : "");
		ussd_to_main(st);
		ussd_show(cfg, st, note, out);
	} else if (res->status == USSD_ERROR) {
		ussd_show(cfg, st, "Not available, try again", out);
	} else {
		ussd_show(cfg, st, "Code not found", out);
	}
}

/* The page after reading today's referrals. */
static void
ussd_resume_mine(const struct cfg *cfg, struct ussd_state *st,
    const struct ussd_result *res, const char *note, struct ussd_out *out)
{
	if (res->status != USSD_OK) {
		ussd_to_main(st);
		ussd_show(cfg, st, "Not available, try again", out);
		return;
	}
	if (res->ncases == 0 || res->cases == NULL) {
		ussd_to_main(st);
		ussd_show(cfg, st, "No referrals today", out);
		return;
	}
	if ((size_t)st->off >= res->ncases)
		st->off = 0;
	st->page = USSD_PAGE_MINE;
	ussd_begin(out, note);
	ussd_show_mine(st, res->cases, res->ncases, out);
}

void
ussd_resume(const struct cfg *cfg, struct ussd_state *st,
    const struct ussd_result *res, struct ussd_out *out)
{
	enum ussd_action act = out->action;
	const char *note = out->note;
	char code[CODE_LEN + 2];

	explicit_bzero(out->arg, sizeof(out->arg));
	switch (act) {
	case USSD_ACT_NONE:
		break;
	case USSD_ACT_PIN:
		ussd_resume_pin(cfg, st, res, out);
		break;
	case USSD_ACT_REFER:
		if (res->status == USSD_OK && code_check(res->code)) {
			code_format(res->code, code);
			ussd_begin(out, NULL);
			out->end = 1;
			ussd_add(out,
			    "Referral %s created. The code was sent by SMS.",
			    code);
		} else {
			ussd_show(cfg, st, "Not saved, try again", out);
		}
		break;
	case USSD_ACT_CHECK:
		ussd_resume_check(cfg, st, res, out);
		break;
	case USSD_ACT_MINE:
		ussd_resume_mine(cfg, st, res, note, out);
		break;
	}
}

void
ussd_end(enum ussd_end why, struct ussd_out *out)
{
	static const char *const texts[] = {
		[USSD_END_UNKNOWN] = "This number is not registered.",
		[USSD_END_LOCKED] = "Too many wrong PINs. Try again in 15 "
				    "minutes.",
		[USSD_END_EXPIRED] = "Session expired. Please dial again.",
		[USSD_END_UNAVAILABLE] = "Service unavailable. Please try "
					 "again later.",
	};

	ussd_begin(out, NULL);
	out->end = 1;
	ussd_add(out, "%s", texts[why]);
}

const char *
ussd_at_input(const char *path, const char *text)
{
	size_t n = strlen(path);
	const char *last;

	if (strcmp(text, path) == 0)
		return NULL;
	if (n == 0)
		return text;
	if (strncmp(text, path, n) == 0 && text[n] == '*')
		return text + n + 1;
	last = strrchr(text, '*');
	return last != NULL ? last + 1 : text;
}

int
ussd_state_encode(const struct ussd_state *st, char *out, size_t len)
{
	int w;

	if (st->page >= USSD_PAGE_COUNT)
		return -1;
	w = snprintf(out, len, "%s %d %d %d %d %s", ussd_page_names[st->page],
	    st->off, st->next, st->persons, st->consent,
	    st->category[0] != '\0' ? st->category : "-");
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* A canonical decimal 0..MAX from the field starting at *S, which moves past it. */
static int
ussd_field_int(const char **s, int max, int *v)
{
	const char *p = *s;
	long n = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != ' '))
		return -1;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (*p - '0');
		if (n > max)
			return -1;
		p++;
	}
	if (*p != ' ')
		return -1;
	*v = (int)n;
	*s = p + 1;
	return 0;
}

int
ussd_state_decode(const char *s, struct ussd_state *st)
{
	static const char idchars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
	const char *sp = strchr(s, ' ');
	size_t i, n;

	memset(st, 0, sizeof(*st));
	if (sp == NULL)
		return -1;
	for (i = 0; i < USSD_PAGE_COUNT; i++)
		if (strlen(ussd_page_names[i]) == (size_t)(sp - s) &&
		    strncmp(s, ussd_page_names[i], (size_t)(sp - s)) == 0)
			break;
	if (i == USSD_PAGE_COUNT)
		return -1;
	st->page = (enum ussd_page)i;
	s = sp + 1;
	if (ussd_field_int(&s, 9999, &st->off) == -1 ||
	    ussd_field_int(&s, 9999, &st->next) == -1 ||
	    ussd_field_int(&s, 99, &st->persons) == -1 ||
	    ussd_field_int(&s, 1, &st->consent) == -1)
		goto fail;
	n = strlen(s);
	if (strcmp(s, "-") == 0)
		return 0;
	if (n == 0 || n >= sizeof(st->category) || strspn(s, idchars) != n)
		goto fail;
	memcpy(st->category, s, n + 1);
	return 0;
fail:
	memset(st, 0, sizeof(*st));
	return -1;
}
