/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the keyword matcher: any bytes through match_text()
 * with a fixed lexicon in English, French, Arabic and Persian, checking its
 * promises (ids known, languages terminated, counts in range) and that the
 * same text gives the same answer twice (nothing kept between calls).
 *
 * Built and replayed over tests/fuzz/corpus/match like the other targets
 * (see the Makefile); `make fuzz` runs it under libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	int id;
	const char *lang, *word;
} fuzz_words[] = {
	{ 0, "en", "FOOD" },
	{ 0, "en", "HUNGRY" },
	{ 0, "fr", "NOURRITURE" },
	{ 0, "ar", "طعام" },
	{ 0, "fa", "غذا" },
	{ 1, "en", "WATER" },
	{ 1, "fr", "EAU" },
	{ 1, "ar", "ماء" },
	{ 1, "fa", "آب" },
	{ 2, "en", "DOCTOR" },
	{ 2, "fr", "MÉDECIN" },
	{ 2, "ar", "الطبيب" },
	{ 3, "en", "CHILD" },
	{ 3, "ar", "طفل" },
	{ 3, "fa", "بچه" },
	{ 4, "", "shelter" },
};

static const struct match_lexicon *
fuzz_lexicon(void)
{
	static struct match_lexicon *lex;
	size_t i;

	if (lex != NULL)
		return lex;
	if ((lex = match_lexicon_new()) == NULL)
		abort();
	for (i = 0; i < sizeof fuzz_words / sizeof fuzz_words[0]; i++)
		if (match_add(lex, fuzz_words[i].id, fuzz_words[i].lang,
			fuzz_words[i].word) != 0)
			abort();
	if (match_irregular(lex, "en", "kiddos", "child") != 0 ||
	    match_language(lex, "en") != 0 || match_language(lex, "fr") != 0 ||
	    match_language(lex, "ar") != 0 || match_language(lex, "fa") != 0)
		abort();
	return lex;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct match_lexicon *lex = fuzz_lexicon();
	struct match_result a, b;
	char *text;
	size_t i;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	match_text(lex, text, &a);
	match_text(lex, text, &b);
	if (memcmp(&a, &b, sizeof a) != 0 || a.nhits > MATCH_HITS_MAX)
		abort();
	if (strnlen(a.script, sizeof a.script) == sizeof a.script ||
	    strnlen(a.lang, sizeof a.lang) == sizeof a.lang)
		abort();
	for (i = 0; i < a.nhits; i++) {
		if (a.hits[i].id < 0 || a.hits[i].id > 4 ||
		    strnlen(a.hits[i].lang, sizeof a.hits[i].lang) ==
			sizeof a.hits[i].lang)
			abort();
	}
	free(text);
	return 0;
}
