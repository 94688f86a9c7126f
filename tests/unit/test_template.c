/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/template.c: the name list, the built-in texts in
 * every language (alphabet, size, privacy), lookup order through the
 * config, rendering of missing and unknown placeholders, and the checks the
 * config loader runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "lib/gsm.h"
#include "lib/template.h"

/* The names, in order, that the config validator also lists. */
static const char *const names[] = { "received", "ask_category", "already_open",
	"code_info", "status", "status_none", "stop_confirm", "start_confirm",
	"unknown", "not_found", "check_code", "acked_migrant", "person_contact",
	"person_visit", "agency_notify", "agency_renotify", "escalated",
	"declined", "declined_last", "closed", "list", "list_more",
	"ref_issued", "limit", "ack_confirm", "ack_confirm_nophone",
	"ref_acked", "ref_declined", "ref_closed", "code_state", "code_later",
	"sms_expired" };

#define NNAMES (sizeof names / sizeof names[0])

static const char *const langs[] = { "en", "fr", "ar" };

/* Words no SMS may carry, in every language (lower case). */
static const char *const sensitive[] = { "gbv", "trafficking", "asylum",
	"refugee", "vbg", "traite", "asile", "réfugié", "لجوء", "لاجئ", "اتجار",
	"عنف" };

/* Every value a template can receive, long and plausible. */
static const struct template_var all_vars[] = {
	{ "code", "4821-3957" },
	{ "label", "food-water" },
	{ "agency", "Red Cross UG" },
	{ "priority", "P1" },
	{ "region", "north-gate" },
	{ "persons", "12" },
	{ "status", "acknowledged" },
	{ "keywords", "FOOD WATER HEALTH SHELTER CHILD" },
	{ "count", "12" },
	{ "cases", "4821-3957 P1, 5930-1128 P2, 7712-0456 P3" },
	{ "reason", "no capacity this week" },
	{ "note", "family moved on" },
	{ "phone", "+256700000101" },
};

#define NALL (sizeof all_vars / sizeof all_vars[0])

/* Set T to TEXT for (LANG, NAME), copying the strings. */
static void
tmpl_set(struct cfg_template *t, const char *lang, const char *name,
    const char *text)
{
	memset(t, 0, sizeof *t);
	strcpy(t->lang, lang);
	t->name = strdup(name);
	t->text = strdup(text);
	assert_non_null(t->name);
	assert_non_null(t->text);
}

/* Free the strings of the templates of CFG. */
static void
tmpl_free(struct cfg *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ntemplates; i++) {
		free(cfg->templates[i].name);
		free(cfg->templates[i].text);
	}
}

/* A config that holds only TEMPLATES. */
static struct cfg *
cfg_with(struct cfg *cfg, struct cfg_template *t, size_t n)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->templates = t;
	cfg->ntemplates = n;
	return cfg;
}

/* Render and compare, freeing the result. */
static void
expect(const struct cfg *cfg, const char *lang, const char *name,
    const struct template_var *vars, size_t nvars, const char *want)
{
	char *got = template_render(cfg, lang, name, vars, nvars);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_names(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(template_count(), NNAMES);
	for (i = 0; i < NNAMES; i++) {
		assert_string_equal(template_name(i), names[i]);
		assert_true(template_known(names[i]));
	}
	assert_null(template_name(NNAMES));
	assert_false(template_known("receive"));
	assert_false(template_known("RECEIVED"));
	assert_false(template_known(""));
	assert_false(template_known(NULL));
}

/* Every name has a default in every language, valid for its name. */
static void
test_defaults_exist(void **state)
{
	const char *text;
	char *cause = NULL;
	size_t i, l;

	(void)state;
	for (i = 0; i < NNAMES; i++)
		for (l = 0; l < 3; l++) {
			text = template_default(langs[l], names[i]);
			if (text == NULL || *text == '\0')
				fail_msg(
				    "%s: no %s default", names[i], langs[l]);
			if (template_check_for(names[i], text, &cause) != 0)
				fail_msg(
				    "%s %s: %s", names[i], langs[l], cause);
		}
	assert_null(template_default("de", "received"));
	assert_null(template_default("en", "nope"));
	assert_null(template_default(NULL, "received"));
}

/*
 * English and French defaults are GSM-7, Arabic ones UCS-2, and each fits
 * one segment both as the worst case and rendered with every value.
 */
static void
test_defaults_fit(void **state)
{
	struct gsm_info info;
	const char *text;
	size_t i, l;
	char *out;

	(void)state;
	for (i = 0; i < NNAMES; i++)
		for (l = 0; l < 3; l++) {
			text = template_default(langs[l], names[i]);
			assert_int_equal(gsm_is_gsm7(text), l < 2);
			if (template_worst_segments(text) != 1)
				fail_msg("%s %s: %d segments", names[i],
				    langs[l], template_worst_segments(text));
			out = template_render(
			    NULL, langs[l], names[i], all_vars, NALL);
			gsm_measure(out, &info);
			assert_int_equal(info.ucs2, l == 2);
			assert_int_equal(info.segments, 1);
			assert_null(strchr(out, '{'));
			free(out);
		}
}

/* Lower-case ASCII letters of S, in place. */
static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* No sensitive word; the phone number only in ack_confirm. */
static void
test_defaults_private(void **state)
{
	size_t i, l, w;
	char *text;
	int phone;

	(void)state;
	for (i = 0; i < NNAMES; i++)
		for (l = 0; l < 3; l++) {
			text = strdup(template_default(langs[l], names[i]));
			assert_non_null(text);
			lower(text);
			for (w = 0; w < sizeof sensitive / sizeof sensitive[0];
			     w++)
				if (strstr(text, sensitive[w]) != NULL)
					fail_msg("%s %s: \"%s\"", names[i],
					    langs[l], sensitive[w]);
			phone = strstr(text, "{phone}") != NULL;
			assert_int_equal(
			    phone, strcmp(names[i], "ack_confirm") == 0);
			free(text);
		}
}

/* The phone value reaches no template but ack_confirm. */
static void
test_phone_only_in_ack_confirm(void **state)
{
	struct cfg_template t[NNAMES];
	struct cfg cfg;
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < NNAMES; i++)
		tmpl_set(&t[i], "en", names[i], "[{phone}]");
	cfg_with(&cfg, t, NNAMES);
	for (i = 0; i < NNAMES; i++) {
		out = template_render(&cfg, "en", names[i], all_vars, NALL);
		assert_string_equal(out,
		    strcmp(names[i], "ack_confirm") == 0 ? "[+256700000101]"
							 : "[]");
		free(out);
	}
	tmpl_free(&cfg);
}

static void
test_render(void **state)
{
	const struct template_var v[] = {
		{ "code", "4821-3957" },
		{ "label", "food" },
		{ "agency", "WFP" },
	};

	(void)state;
	expect(NULL, "en", "received", v, 3,
	    "Request 4821-3957 received (food). We will tell you when an "
	    "agency takes it. Reply STATUS for news.");
	expect(NULL, "fr", "acked_migrant", v, 3,
	    "WFP a pris en charge votre demande 4821-3957 (food). Gardez ce "
	    "code. Répondez STATUT pour suivre.");
	expect(NULL, "ar", "not_found", v, 3, "لا يوجد طلب بالرمز 4821-3957.");
	expect(
	    NULL, NULL, "closed", v, 3, "Case 4821-3957 is closed. Thank you.");
	/* a missing value, a NULL value, an unnamed var: all render "" */
	expect(
	    NULL, "en", "not_found", NULL, 0, "No request found with code .");
	expect(NULL, "en", "not_found",
	    (const struct template_var[]){ { "code", NULL } }, 1,
	    "No request found with code .");
	expect(NULL, "en", "not_found",
	    (const struct template_var[]){ { NULL, "x" }, { "code", "1" } }, 2,
	    "No request found with code 1.");
	/* values are not expanded again */
	expect(NULL, "en", "not_found",
	    (const struct template_var[]){ { "code", "{label}" } }, 1,
	    "No request found with code {label}.");
	assert_null(template_render(NULL, "en", "nope", v, 3));
	assert_null(template_render(NULL, "en", NULL, v, 3));
}

/* Lookup: config for LANG, built-in for LANG, config en, built-in en. */
static void
test_lookup(void **state)
{
	const struct template_var v[] = { { "code", "4821-3957" } };
	struct cfg_template t[4];
	struct cfg cfg;

	(void)state;
	tmpl_set(&t[0], "fr", "received", "Reçu {code}");
	tmpl_set(&t[1], "en", "closed", "Closed {code}");
	tmpl_set(&t[2], "sw", "closed", "Imefungwa {code}");
	tmpl_set(&t[3], "en", "extra", "Extra {code}");
	cfg_with(&cfg, t, 4);
	/* the config wins for its language only */
	expect(&cfg, "fr", "received", v, 1, "Reçu 4821-3957");
	expect(&cfg, "en", "received", v, 1,
	    "Request 4821-3957 received (). We will tell you when an agency "
	    "takes it. Reply STATUS for news.");
	/* a built-in for the language comes before the config's English */
	expect(&cfg, "fr", "closed", v, 1, "Le cas 4821-3957 est clos. Merci.");
	expect(&cfg, "en", "closed", v, 1, "Closed 4821-3957");
	expect(&cfg, "sw", "closed", v, 1, "Imefungwa 4821-3957");
	/* no text for the language: the config's English, then built-in */
	expect(&cfg, "de", "closed", v, 1, "Closed 4821-3957");
	expect(&cfg, "de", "not_found", v, 1,
	    "No request found with code 4821-3957.");
	expect(&cfg, "sw", "not_found", v, 1,
	    "No request found with code 4821-3957.");
	expect(&cfg, NULL, "closed", v, 1, "Closed 4821-3957");
	/* a name only the config knows receives no values */
	expect(&cfg, "en", "extra", v, 1, "Extra ");
	expect(
	    NULL, "de", "closed", v, 1, "Case 4821-3957 is closed. Thank you.");
	tmpl_free(&cfg);
}

/* Unknown placeholders and stray braces in a configured text. */
static void
test_render_odd(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "{cod}!", "!" },
		{ "{}!", "!" },
		{ "{phone}{label}", "food" },
		{ "a { b", "a { b" },
		{ "a } b", "a } b" },
		{ "{{code}", "{4821-3957" },
		{ "{code}}", "4821-3957}" },
		{ "{code", "{code" },
		{ "{", "{" },
		{ "", "" },
		{ "{code}{code}{label}", "4821-39574821-3957food" },
		{ "{CODE}", "" },
	};
	const struct template_var v[] = {
		{ "code", "4821-3957" },
		{ "label", "food" },
		{ "phone", "+256700000101" },
	};
	struct cfg_template t;
	struct cfg cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tmpl_set(&t, "en", "received", cases[i].text);
		cfg_with(&cfg, &t, 1);
		expect(&cfg, "en", "received", v, 3, cases[i].want);
		tmpl_free(&cfg);
	}
}

static void
test_check(void **state)
{
	static const struct {
		const char *name; /* NULL: template_check() */
		const char *text;
		const char *cause; /* NULL: accepted */
	} cases[] = {
		{ NULL, "", NULL },
		{ NULL, "plain text", NULL },
		{ NULL, "{code} {label} {agency} {priority} {region} {persons}",
		    NULL },
		{ NULL, "{status}{keywords}{count}{cases}{reason}{note}{phone}",
		    NULL },
		{ NULL, "{cod}", "unknown placeholder \"{cod}\"" },
		{ NULL, "ok {code} {Code}", "unknown placeholder \"{Code}\"" },
		{ NULL, "{}", "unknown placeholder \"{}\"" },
		{ NULL, "{ code }", "unknown placeholder \"{ code }\"" },
		{ NULL,
		    "{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
		    "unknown placeholder "
		    "\"{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...}\"" },
		{ NULL, "{code", "unbalanced \"{\"" },
		{ NULL, "code}", "unbalanced \"}\"" },
		{ NULL, "{code}}", "unbalanced \"}\"" },
		{ NULL, "{{code}}", "unbalanced \"{\"" },
		{ NULL, "{co{de}", "unbalanced \"{\"" },
		{ NULL, "a {", "unbalanced \"{\"" },
		{ "received", "{code} {label}", NULL },
		{ "received", "{code} {phone}",
		    "placeholder \"{phone}\" is not available in template "
		    "\"received\"" },
		{ "agency_notify", "{phone}",
		    "placeholder \"{phone}\" is not available in template "
		    "\"agency_notify\"" },
		{ "ack_confirm", "{code} {phone}", NULL },
		{ "status_none", "{code}",
		    "placeholder \"{code}\" is not available in template "
		    "\"status_none\"" },
		{ "received", "{cod}", "unknown placeholder \"{cod}\"" },
		{ "received", "{code", "unbalanced \"{\"" },
		{ "nope", "text", "unknown template \"nope\"" },
	};
	char *cause;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		if (cases[i].name == NULL)
			rc = template_check(cases[i].text, &cause);
		else
			rc = template_check_for(
			    cases[i].name, cases[i].text, &cause);
		if (cases[i].cause == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, cause);
			assert_null(cause);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_non_null(cause);
		assert_string_equal(cause, cases[i].cause);
		free(cause);
	}
}

static void
test_worst_segments(void **state)
{
	static const struct {
		const char *text;
		int segments;
	} cases[] = {
		{ "", 1 },
		{ "Case {code} is closed.", 1 },
		/* 4 x 40 characters of cases is 160 */
		{ "{cases}{cases}{cases}{cases}", 1 },
		{ "{cases}{cases}{cases}{cases}.", 2 },
		/* every value once and the reason twice: 160 */
		{ "{phone}{code}{label}{agency}{keywords}{region}{status}{reason}"
		  "{note}{priority}{persons}{count}{reason}",
		    1 },
		{ "{phone}{code}{label}{agency}{keywords}{region}{status}{reason}"
		  "{note}{priority}{persons}{count}{reason}!",
		    2 },
		/* Arabic: 61 + 9 = 70 UCS-2 units */
		{ "ببببببببببببببببببببببببببببببببببببببببببببببببببببببببببببب"
		  "{code}",
		    1 },
		{ "بببببببببببببببببببببببببببببببببببببببببببببببببببببببببببببب"
		  "{code}",
		    2 },
		/* unknown placeholders count as nothing */
		{ "{nope}{nope}", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (template_worst_segments(cases[i].text) != cases[i].segments)
			fail_msg("case %zu: %d segments", i,
			    template_worst_segments(cases[i].text));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_defaults_exist),
		cmocka_unit_test(test_defaults_fit),
		cmocka_unit_test(test_defaults_private),
		cmocka_unit_test(test_phone_only_in_ack_confirm),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_render_odd),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_worst_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
