/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the SMS parser: any bytes through sms_parse() with a
 * fixed lexicon (built-in words plus configured commands and categories),
 * and through lang_fold() and code_parse(), checking their promises.
 *
 * Build and run from the top of the tree:
 *
 *   clang -std=c11 -D_GNU_SOURCE -I. -g -O1 \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *       -o build/fuzz_sms tests/fuzz/fuzz_sms.c \
 *       handlers/sms.c lib/lang.c handlers/code.c
 *   mkdir -p build/fuzz-sms-corpus
 *   build/fuzz_sms -max_total_time=60 -max_len=2048 build/fuzz-sms-corpus \
 *       tests/fuzz/corpus/sms
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "handlers/code.h"
#include "lib/lang.h"
#include "handlers/sms.h"

#define S(s) ((char[]){ s })

static char *fuzz_langs[] = { S("en"), S("fr"), S("ar"), S("fa") };
static char *fuzz_help_fa[] = { S("کمک") };
static char *fuzz_stop_en[] = { S("END ALL") };
static char *fuzz_food_en[] = { S("FOOD"), S("HUNGRY") };
static char *fuzz_food_ar[] = { S("طعام"), S("أكل") };
static char *fuzz_child_en[] = { S("LOST CHILD"), S("CHILD") };
static char *fuzz_child_fr[] = { S("ENFANT") };

static struct cfg_words fuzz_help[] = { { "fa", { fuzz_help_fa, 1 } } };
static struct cfg_words fuzz_stop[] = { { "en", { fuzz_stop_en, 1 } } };
static struct cfg_words fuzz_food[] = { { "en", { fuzz_food_en, 2 } },
	{ "ar", { fuzz_food_ar, 2 } } };
static struct cfg_words fuzz_child[] = { { "en", { fuzz_child_en, 2 } },
	{ "fr", { fuzz_child_fr, 1 } } };

static struct cfg_category fuzz_categories[] = {
	{ .id = "food", .keywords = { fuzz_food, 2 } },
	{ .id = "child", .keywords = { fuzz_child, 2 } },
	{ .id = "shelter" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The lexicon every input is parsed with, built on first use. */
static const struct sms_lexicon *
fuzz_lexicon(void)
{
	static struct cfg cfg;
	static struct sms_lexicon *lex;

	if (lex != NULL)
		return lex;
	cfg.gateway.languages.v = fuzz_langs;
	cfg.gateway.languages.n = 4;
	cfg.commands[CFG_CMD_HELP].v = fuzz_help;
	cfg.commands[CFG_CMD_HELP].n = 1;
	cfg.commands[CFG_CMD_STOP].v = fuzz_stop;
	cfg.commands[CFG_CMD_STOP].n = 1;
	cfg.categories = fuzz_categories;
	cfg.ncategories = 3;
	if ((lex = sms_lexicon_new(&cfg)) == NULL)
		abort();
	return lex;
}

/* Whether the NUL-terminated S of at most MAX bytes is valid UTF-8. */
static int
fuzz_valid(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n < max && lang_utf8_valid(s, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sms_lexicon *lex = fuzz_lexicon();
	struct sms_cmd cmd;
	char *text, *a, *b, code[CODE_LEN + 1];
	enum code_status st;
	int valid;

	if ((text = malloc(size + 1)) == NULL ||
	    (a = malloc(size + 1)) == NULL || (b = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	valid = lang_utf8_valid(text, strlen(text));

	sms_parse(lex, text, &cmd);
	if (cmd.kind > SMS_UNKNOWN || cmd.persons < 0 || cmd.persons > 99)
		abort();
	if (strnlen(cmd.lang, sizeof cmd.lang) == sizeof cmd.lang ||
	    strnlen(cmd.category, sizeof cmd.category) == sizeof cmd.category ||
	    strnlen(cmd.phone, sizeof cmd.phone) == sizeof cmd.phone)
		abort();
	if (cmd.code_status == CODE_NONE ? cmd.code[0] != '\0'
					 : strlen(cmd.code) != CODE_LEN)
		abort();
	if (cmd.code_status == CODE_OK && !code_check(cmd.code))
		abort();
	if (valid && !fuzz_valid(cmd.text, sizeof cmd.text))
		abort();
	if (cmd.kind == SMS_UNKNOWN && cmd.text[0] != '\0')
		abort();
	if (cmd.choice < 0 || cmd.choice > 9 ||
	    (cmd.choice != 0 && cmd.kind != SMS_UNKNOWN) ||
	    cmd.ncands > SMS_CANDS_MAX || cmd.ncands == 1 ||
	    (cmd.ncands > 0 && cmd.category[0] != '\0'))
		abort();

	/* folding is idempotent and never grows the text */
	if (lang_fold(text, a, size + 1) > strlen(text) ||
	    !lang_utf8_valid(a, strlen(a)))
		abort();
	lang_fold(a, b, size + 1);
	if (strcmp(a, b) != 0)
		abort();

	st = code_parse(text, code);
	if ((st == CODE_OK) != (code_check(code) == 1))
		abort();
	if (st == CODE_NONE && code[0] != '\0')
		abort();

	free(text);
	free(a);
	free(b);
	return 0;
}
