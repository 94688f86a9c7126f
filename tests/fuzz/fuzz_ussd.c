/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the USSD menu (handlers/ussd.c). The first byte
 * picks a config (3 short categories, 12, 24 with the longest ids, none);
 * the rest, cut at newlines, is a session: each line an input, and after a
 * step that asks for an action the next line makes up its outcome (status,
 * tries left, a code, a list of cases). After every page: at most 182
 * bytes with "CON "/"END ", at most 8 numbered options, a state that stays
 * in range and survives ussd_state_encode()/decode(). The same bytes go
 * through the Africa's Talking path splitting (path and text cut at a tab)
 * and through ussd_state_decode(), whose every success must encode back to
 * the very same text.
 *
 * `make check` replays tests/fuzz/corpus/ussd/ through tests/fuzz/driver.c;
 * `make fuzz` builds it with libFuzzer (clang) and runs it for a while.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "handlers/cases.h"
#include "handlers/code.h"
#include "handlers/route.h"
#include "handlers/ussd.h"

#define FUZZ_NCATS 24
#define FUZZ_LINES 256 /* inputs of one session looked at */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg_category fuzz_cats[FUZZ_NCATS];
static struct cfg fuzz_cfgs[4];

/* The four configs, built on first use. */
static const struct cfg *
fuzz_cfg(unsigned pick)
{
	static const char *const names[] = { "food", "medical", "shelter",
		"water", "child", "gbv", "trafficking", "legal", "documents",
		"transport", "psychosocial", "other" };
	static int ready;
	size_t i;

	if (!ready) {
		for (i = 0; i < FUZZ_NCATS; i++) {
			if (i < 12)
				snprintf(fuzz_cats[i].id, CFG_ID_MAX, "%s",
				    names[i]);
			else
				snprintf(fuzz_cats[i].id, CFG_ID_MAX,
				    "%02zu-aaaaaaaaaaaaaaaaaaaaaaaaaaaa", i);
		}
		for (i = 0; i < 4; i++) {
			memcpy(fuzz_cfgs[i].gateway.country_code, "256", 4);
			fuzz_cfgs[i].categories =
			    i == 2 ? fuzz_cats + 12 : fuzz_cats;
		}
		fuzz_cfgs[0].ncategories = 3;
		fuzz_cfgs[1].ncategories = 12;
		fuzz_cfgs[2].ncategories = 12;
		fuzz_cfgs[3].ncategories = 0;
		ready = 1;
	}
	return &fuzz_cfgs[pick % 4];
}

/* The promises every page and state keeps. */
static void
fuzz_check(const struct cfg *cfg, const struct ussd_state *st,
    const struct ussd_out *out)
{
	struct ussd_state back;
	char enc[USSD_STATE_MAX];
	const char *p;
	int options = 0;

	if (strlen(out->text) > USSD_TEXT_MAX ||
	    strlen(out->text) + 4 > USSD_PAGE_MAX ||
	    (out->action == USSD_ACT_NONE && !out->text[0]))
		abort();
	for (p = out->text; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (p[0] >= '1' && p[0] <= '8' && p[1] == ' ')
			options++;
	}
	if (options > USSD_OPTIONS_MAX)
		abort();
	if (st->page >= USSD_PAGE_COUNT || st->persons < 0 ||
	    st->persons > 99 || (st->consent != 0 && st->consent != 1) ||
	    st->off < 0 || st->next < 0)
		abort();
	if (st->category[0] != '\0' &&
	    route_category(cfg, st->category) == NULL)
		abort();
	if (st->migrant[0] != '\0' &&
	    (st->migrant[0] != '+' || strlen(st->migrant) < 8))
		abort();
	switch (out->action) {
	case USSD_ACT_PIN:
		if (st->page != USSD_PAGE_PIN || out->arg[0] == '\0')
			abort();
		break;
	case USSD_ACT_REFER:
		if (st->page != USSD_PAGE_CONFIRM || st->persons < 1 ||
		    route_category(cfg, st->category) == NULL)
			abort();
		break;
	case USSD_ACT_CHECK:
		if (!code_check(out->arg))
			abort();
		break;
	case USSD_ACT_MINE:
	case USSD_ACT_NONE:
		break;
	}
	if (ussd_state_encode(st, enc, sizeof(enc)) == -1 ||
	    ussd_state_decode(enc, &back) == -1 || back.page != st->page ||
	    back.off != st->off || back.next != st->next ||
	    back.persons != st->persons || back.consent != st->consent ||
	    strcmp(back.category, st->category) != 0)
		abort();
}

/* The outcome of OUT's action, made up from the bytes of LINE. */
static void
fuzz_result(const struct cfg *cfg, const char *line, struct ussd_result *res,
    struct cases_brief *cases)
{
	size_t n = strlen(line), i;
	unsigned char rnd[8] = { 0 };

	memset(res, 0, sizeof(*res));
	res->status =
	    n > 0 ? (enum ussd_status)((unsigned char)line[0] % 5) : USSD_OK;
	res->tries_left = n > 1 ? (unsigned char)line[1] % USSD_PIN_TRIES : 1;
	memcpy(rnd, line, n < 8 ? n : 8);
	code_from_random(rnd, res->code);
	res->ncases = n % (USSD_MINE_MAX + 1);
	for (i = 0; i < res->ncases; i++) {
		rnd[0] = (unsigned char)i;
		code_from_random(rnd, cases[i].code);
		snprintf(cases[i].category, sizeof(cases[i].category), "%s",
		    cfg->ncategories > 0
			? cfg->categories[i % cfg->ncategories].id
			: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		snprintf(cases[i].status, sizeof(cases[i].status), "%s",
		    i % 2 ? "acknowledged" : "notified");
		memset(cases[i].agency, 'z', CFG_ID_MAX - 1);
		cases[i].agency[i % 3 == 0 ? 0 : CFG_ID_MAX - 1] = '\0';
		cases[i].persons = 1 + (int)(i % 99);
	}
	res->cases = cases;
}

/* The session: one line per input, results from the line after an action. */
static void
fuzz_session(const struct cfg *cfg, char *s)
{
	static struct cases_brief cases[USSD_MINE_MAX];
	struct ussd_result res;
	struct ussd_state st;
	struct ussd_out out;
	char *line, *next;
	int lines = 0;

	ussd_start(&st, &out);
	fuzz_check(cfg, &st, &out);
	for (line = s; line != NULL && lines++ < FUZZ_LINES; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (out.end)
			ussd_start(&st, &out);
		ussd_step(cfg, &st, line, &out);
		fuzz_check(cfg, &st, &out);
		if (out.action == USSD_ACT_NONE)
			continue;
		line = next;
		if (line != NULL && (next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		fuzz_result(cfg, line != NULL ? line : "", &res, cases);
		ussd_resume(cfg, &st, &res, &out);
		if (out.action != USSD_ACT_NONE && out.arg[0] != '\0')
			abort();
		out.action = USSD_ACT_NONE;
		fuzz_check(cfg, &st, &out);
	}
}

/* The Africa's Talking splitting of TEXT after PATH. */
static void
fuzz_at(const char *path, const char *text)
{
	const char *in = ussd_at_input(path, text);
	size_t n = strlen(path);

	if ((in == NULL) != (strcmp(path, text) == 0))
		abort();
	if (in != NULL && (in < text || in > text + strlen(text)))
		abort();
	if (in != NULL && n > 0 && strncmp(text, path, n) == 0 &&
	    text[n] == '*' && in != text + n + 1)
		abort();
	if (in != NULL && in != text && in[-1] != '*')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ussd_state st;
	char *s, *tab, enc[USSD_STATE_MAX];

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	if (ussd_state_decode(s, &st) == 0 &&
	    (ussd_state_encode(&st, enc, sizeof(enc)) == -1 ||
		strcmp(enc, s) != 0))
		abort();
	if ((tab = strchr(s, '\t')) != NULL) {
		*tab = '\0';
		fuzz_at(s, tab + 1);
		*tab = '\t';
	} else
		fuzz_at("", s);

	if (size > 0)
		fuzz_session(fuzz_cfg(data[0]), s + 1);
	free(s);
	return 0;
}
