/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parser against first messages as people write them:
 * tests/corpus/first-messages.tsv, with a fixed config of five categories
 * and base keywords only (and one configured irregular form, kiddos). Prints the rate of messages understood (the
 * category, or ask, or none, as the corpus says) and of replies in the
 * expected language; fails below 95% understood, below 90% in the right
 * language, or when any message that is not a request opens a case.
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
#include "handlers/sms.h"

#define S(s) ((char[]){ s })
#define RATE_MIN 0.95
#define LANG_RATE_MIN 0.90

static char *langs[] = { S("en"), S("fr"), S("ar"), S("fa") };

static char *food_en[] = { S("FOOD"), S("HUNGRY") };
static char *food_fr[] = { S("NOURRITURE"), S("FAIM") };
static char *food_ar[] = { S("طعام") };
static char *food_fa[] = { S("غذا") };
static char *water_en[] = { S("WATER") };
static char *water_fr[] = { S("EAU") };
static char *water_ar[] = { S("ماء") };
static char *water_fa[] = { S("آب") };
static char *medical_en[] = { S("DOCTOR"), S("SICK"), S("MEDICAL") };
static char *medical_fr[] = { S("MÉDECIN") };
static char *medical_ar[] = { S("طبيب") };
static char *medical_fa[] = { S("دکتر") };
static char *child_en[] = { S("CHILD") };
static char *child_fr[] = { S("ENFANT") };
static char *child_ar[] = { S("طفل") };
static char *child_fa[] = { S("بچه") };
static char *shelter_en[] = { S("TENT"), S("SHELTER") };
static char *shelter_fr[] = { S("ABRI") };
static char *shelter_ar[] = { S("مأوى") };
static char *shelter_fa[] = { S("چادر") };

#define WS(a)                             \
	{                                 \
		a, sizeof a / sizeof a[0] \
	}
static struct cfg_words food[] = { { "en", WS(food_en) }, { "fr", WS(food_fr) },
	{ "ar", WS(food_ar) }, { "fa", WS(food_fa) } };
static struct cfg_words water[] = { { "en", WS(water_en) },
	{ "fr", WS(water_fr) }, { "ar", WS(water_ar) },
	{ "fa", WS(water_fa) } };
static struct cfg_words medical[] = { { "en", WS(medical_en) },
	{ "fr", WS(medical_fr) }, { "ar", WS(medical_ar) },
	{ "fa", WS(medical_fa) } };
static struct cfg_words child[] = { { "en", WS(child_en) },
	{ "fr", WS(child_fr) }, { "ar", WS(child_ar) },
	{ "fa", WS(child_fa) } };
static struct cfg_words shelter[] = { { "en", WS(shelter_en) },
	{ "fr", WS(shelter_fr) }, { "ar", WS(shelter_ar) },
	{ "fa", WS(shelter_fa) } };

/* One configured irregular form, as `irregular = { en = [...]; };`. */
static char *irregular_en[] = { S("kiddos child") };
static struct cfg_words irregular[] = { { "en", WS(irregular_en) } };

static struct cfg_category categories[] = {
	{ .id = "food", .keywords = { food, 4 } },
	{ .id = "water", .keywords = { water, 4 } },
	{ .id = "medical", .keywords = { medical, 4 } },
	{ .id = "child", .keywords = { child, 4 } },
	{ .id = "shelter", .keywords = { shelter, 4 } },
};

/* The corpus file: $HBM_SRCDIR/tests/corpus/..., or from the top. */
static FILE *
corpus_open(void)
{
	const char *top = getenv("HBM_SRCDIR");
	char path[4096];

	snprintf(path, sizeof path, "%s/tests/corpus/first-messages.tsv",
	    top != NULL ? top : ".");
	return fopen(path, "r");
}

/* What the parser made of a message, in the corpus's words. */
static const char *
outcome(const struct sms_cmd *cmd)
{
	if (cmd->kind != SMS_HELP)
		return "none";
	return cmd->category[0] != '\0' ? cmd->category : "ask";
}

static void
test_corpus(void **state)
{
	struct sms_lexicon *lex;
	struct sms_cmd cmd;
	struct cfg cfg;
	char line[2048], *want, *lang, *text = NULL, *nl;
	const char *got;
	size_t n = 0, ok = 0, nlang = 0, oklang = 0, opened = 0;
	FILE *f;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.gateway.languages.v = langs;
	cfg.gateway.languages.n = 4;
	cfg.categories = categories;
	cfg.ncategories = sizeof categories / sizeof categories[0];
	cfg.irregular.v = irregular;
	cfg.irregular.n = 1;
	assert_non_null(lex = sms_lexicon_new(&cfg));
	assert_non_null(f = corpus_open());
	while (fgets(line, sizeof line, f) != NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		want = line;
		if ((lang = strchr(want, '\t')) == NULL ||
		    (text = strchr(lang + 1, '\t')) == NULL)
			fail_msg("corpus: not three fields: %s", line);
		*lang++ = '\0';
		*text++ = '\0';
		sms_parse(lex, text, &cmd);
		got = outcome(&cmd);
		n++;
		if (strcmp(got, want) == 0)
			ok++;
		else
			printf("# miss: %-7s got %-7s %s\n", want, got, text);
		if (strcmp(want, "none") == 0 && cmd.kind == SMS_HELP &&
		    cmd.category[0] != '\0') {
			printf("# a negative opens a case: %s\n", text);
			opened++;
		}
		if (strcmp(lang, "-") != 0) {
			nlang++;
			if (strcmp(cmd.lang, lang) == 0)
				oklang++;
			else
				printf("# lang: want %s got \"%s\": %s\n", lang,
				    cmd.lang, text);
		}
	}
	fclose(f);
	sms_lexicon_free(lex);
	printf("# corpus: %zu of %zu understood (%.1f%%), %zu of %zu in the "
	       "right language (%.1f%%)\n\n",
	    ok, n, 100.0 * (double)ok / (double)n, oklang, nlang,
	    100.0 * (double)oklang / (double)nlang);
	assert_true(n >= 150);
	assert_int_equal(opened, 0);
	assert_true((double)ok >= RATE_MIN * (double)n);
	assert_true((double)oklang >= LANG_RATE_MIN * (double)nlang);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
