/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/match.c: folding, elisions, Arabic affixes,
 * stems, irregular forms, one typo, marker words, script languages, and
 * the Damerau distance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/match.h"

static const struct {
	int id;
	const char *lang, *word;
} words[] = {
	{ 0, "en", "FOOD" },
	{ 0, "en", "HUNGRY" },
	{ 0, "fr", "FAIM" },
	{ 0, "ar", "طعام" },
	{ 0, "fa", "غذا" },
	{ 1, "en", "WATER" },
	{ 1, "fr", "EAU" },
	{ 1, "ar", "ماء" },
	{ 2, "en", "DOCTOR" },
	{ 2, "en", "MEDICAL" },
	{ 2, "fr", "MÉDECIN" },
	{ 3, "en", "CHILD" },
	{ 3, "ar", "طفل" },
	{ 3, "fa", "بچه" },
	{ 4, "", "shelter" },
};

static struct match_lexicon *
lexicon(void)
{
	struct match_lexicon *lex = match_lexicon_new();
	size_t i;

	assert_non_null(lex);
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		assert_int_equal(
		    match_add(lex, words[i].id, words[i].lang, words[i].word),
		    0);
	assert_int_equal(match_add(lex, 9, "en", "two words"), 1);
	assert_int_equal(match_irregular(lex, "en", "kiddos", "child"), 0);
	assert_int_equal(match_language(lex, "en"), 0);
	assert_int_equal(match_language(lex, "fr"), 0);
	assert_int_equal(match_language(lex, "ar"), 0);
	assert_int_equal(match_language(lex, "fa"), 0);
	assert_int_equal(match_language(lex, ""), 1);
	return lex;
}

/* TEXT names exactly ID (or nothing when ID is -1), FUZZY or not. */
static void
one(const struct match_lexicon *lex, const char *text, int id, int fuzzy)
{
	struct match_result r;

	match_text(lex, text, &r);
	if (id < 0) {
		if (r.nhits != 0)
			fail_msg("\"%s\": %zu hits, want none", text, r.nhits);
		return;
	}
	if (r.nhits != 1 || r.hits[0].id != id || r.hits[0].fuzzy != fuzzy)
		fail_msg("\"%s\": %zu hits, first %d (fuzzy %d), want %d", text,
		    r.nhits, r.nhits > 0 ? r.hits[0].id : -1,
		    r.nhits > 0 ? r.hits[0].fuzzy : -1, id);
}

static void
test_words(void **state)
{
	struct match_lexicon *lex = lexicon();

	(void)state;
	one(lex, "I need food please", 0, 0);
	one(lex, "FOOD.please", 0, 0);
	one(lex, "nous avons besoin d'eau", 1, 0);
	one(lex,
	    "besoin d\xe2\x80\x99"
	    "eau",
	    1, 0);
	one(lex, "j'ai faim", 0, 0);
	one(lex, "médecins", 2, 0);
	one(lex, "MEDECIN", 2, 0);
	one(lex, "doctors", 2, 0);
	one(lex, "children", 3, 0);
	one(lex, "kiddos", 3, 0);
	one(lex, "نحتاج طعام", 0, 0);
	one(lex, "الطعام", 0, 0);
	one(lex, "طفلي", 3, 0);
	one(lex, "للطفل", 3, 0);
	one(lex, "وأطفالنا", 3, 0);
	one(lex, "بالماء", 1, 0);
	one(lex, "بچه‌ها", 3, 0);
	one(lex, "docter", 2, 1);
	one(lex, "medicl", 2, 1);
	one(lex, "sheltr", 4, 1);
	one(lex, "I will come later", -1, 0);
	one(lex, "foo", -1, 0);
	one(lex, "", -1, 0);
	match_lexicon_free(lex);
}

static void
test_markers(void **state)
{
	struct match_lexicon *lex = lexicon();
	struct match_result r;

	(void)state;
	match_text(lex, "thanks we got the food", &r);
	assert_true(r.thanks);
	assert_false(r.need);
	match_text(lex, "hello, we need water", &r);
	assert_true(r.greeting);
	assert_true(r.need);
	assert_string_equal(r.lang, "en");
	match_text(lex, "شكرا", &r);
	assert_true(r.thanks);
	assert_string_equal(r.script, "ar"); /* Arabic kaf */
	match_text(lex, "سلام", &r);
	assert_true(r.greeting);
	assert_string_equal(r.script, "");
	assert_true(r.arabic);
	match_text(lex, "ما عندنا أكل للأطفال", &r);
	assert_string_equal(r.script, "ar");
	match_text(lex, "بچه‌ها گرسنه هستند", &r);
	assert_string_equal(r.script, "fa");
	match_text(lex, "Médecin", &r);
	assert_string_equal(r.script, "fr");
	match_lexicon_free(lex);
}

static void
test_distance(void **state)
{
	const unsigned a[] = { 'd', 'o', 'c', 't', 'o', 'r' };
	const unsigned b[] = { 'd', 'o', 'c', 't', 'e', 'r' };
	const unsigned c[] = { 'd', 'o', 't', 'c', 'o', 'r' };
	const unsigned d[] = { 'd', 'o', 'c', 't', 'r' };
	const unsigned e[] = { 'd', 'c', 'o', 't', 'r' };

	(void)state;
	assert_int_equal(match_distance(a, 6, a, 6), 0);
	assert_int_equal(match_distance(a, 6, b, 6), 1);
	assert_int_equal(match_distance(a, 6, c, 6), 1);
	assert_int_equal(match_distance(a, 6, d, 5), 1);
	assert_int_equal(match_distance(a, 6, e, 5), 2);
	assert_int_equal(match_distance(a, 6, a, 3), 2);
	assert_int_equal(match_distance(a, 0, a, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_distance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
