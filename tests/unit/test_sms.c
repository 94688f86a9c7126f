/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for handlers/sms.c: every command in every built-in language,
 * configured command words and category keywords, folding, codes in every
 * form, REF arguments, and junk. The configs are built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "lib/lang.h"
#include "handlers/sms.h"

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Copy the NULL-terminated list W into SV. */
static void
strv_set(struct cfg_strv *sv, const char *const *w)
{
	size_t i, n;

	for (n = 0; w[n] != NULL; n++)
		;
	sv->v = calloc(n, sizeof *sv->v);
	assert_non_null(sv->v);
	for (i = 0; i < n; i++) {
		sv->v[i] = strdup(w[i]);
		assert_non_null(sv->v[i]);
	}
	sv->n = n;
}

static void
strv_free(struct cfg_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
}

/* Add the words W of language LANG to WS. */
static void
words_add(struct cfg_wordset *ws, const char *lang, const char *const *w)
{
	struct cfg_words *v;

	v = realloc(ws->v, (ws->n + 1) * sizeof *ws->v);
	assert_non_null(v);
	ws->v = v;
	memset(&v[ws->n], 0, sizeof v[ws->n]);
	strcpy(v[ws->n].lang, lang);
	strv_set(&v[ws->n].words, w);
	ws->n++;
}

static void
wordset_free(struct cfg_wordset *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		strv_free(&ws->v[i].words);
	free(ws->v);
}

/* A new category ID in CFG; the caller adds its keywords. */
static struct cfg_category *
category_add(struct cfg *cfg, const char *id)
{
	struct cfg_category *c;

	c = realloc(cfg->categories, (cfg->ncategories + 1) * sizeof *c);
	assert_non_null(c);
	cfg->categories = c;
	c = &c[cfg->ncategories++];
	memset(c, 0, sizeof *c);
	strcpy(c->id, id);
	return c;
}

/* A config with languages LANGS and nothing else. */
static struct cfg *
cfg_langs(const char *const *langs)
{
	struct cfg *cfg = calloc(1, sizeof *cfg);

	assert_non_null(cfg);
	strv_set(&cfg->gateway.languages, langs);
	return cfg;
}

static void
test_cfg_free(struct cfg *cfg)
{
	size_t i;

	strv_free(&cfg->gateway.languages);
	for (i = 0; i < CFG_CMD_COUNT; i++)
		wordset_free(&cfg->commands[i]);
	for (i = 0; i < cfg->ncategories; i++)
		wordset_free(&cfg->categories[i].keywords);
	free(cfg->categories);
	free(cfg);
}

/* The config most tests use: four languages, five categories. */
static struct cfg *
test_cfg(void)
{
	struct cfg *cfg = cfg_langs(W("en", "fr", "ar", "fa"));
	struct cfg_category *c;

	words_add(&cfg->commands[CFG_CMD_HELP], "fa", W("کمک"));
	words_add(&cfg->commands[CFG_CMD_HELP], "en", W("SOS", "S.O.S!"));
	words_add(&cfg->commands[CFG_CMD_ACK], "en", W("TAKE"));
	words_add(&cfg->commands[CFG_CMD_STOP], "en", W("END ALL"));
	words_add(&cfg->commands[CFG_CMD_CLOSE], "fa", W("بستن"));
	/* keywords that can never match are left out quietly */
	words_add(&cfg->commands[CFG_CMD_LIST], "en",
	    W("", "ـــ", "...", "A B C D E",
		"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
		"XXXXXXXXXXXXXXXXXXXX"));

	c = category_add(cfg, "food");
	words_add(&c->keywords, "en", W("FOOD", "HUNGRY"));
	words_add(&c->keywords, "fr", W("NOURRITURE", "FAIM"));
	words_add(&c->keywords, "ar", W("طعام", "أكل"));
	words_add(&c->keywords, "fa", W("غذا"));
	c = category_add(cfg, "medical");
	words_add(&c->keywords, "en", W("MEDICAL", "DOCTOR", "SICK"));
	words_add(&c->keywords, "fr", W("MÉDECIN", "SANTÉ"));
	words_add(&c->keywords, "ar", W("طبيب"));
	c = category_add(cfg, "child");
	words_add(&c->keywords, "en", W("LOST CHILD", "CHILD"));
	words_add(&c->keywords, "fr", W("ENFANT"));
	category_add(cfg, "shelter");
	c = category_add(cfg, "water");
	words_add(&c->keywords, "en", W("WATER"));
	return cfg;
}

struct test_lex {
	struct cfg *cfg;
	struct sms_lexicon *lex;
};

static int
setup(void **state)
{
	struct test_lex *t = calloc(1, sizeof *t);

	if (t == NULL)
		return -1;
	t->cfg = test_cfg();
	t->lex = sms_lexicon_new(t->cfg);
	*state = t;
	return t->lex == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct test_lex *t = *state;

	sms_lexicon_free(t->lex);
	test_cfg_free(t->cfg);
	free(t);
	return 0;
}

/* What a message should parse to; NULL strings mean "". */
struct parse_case {
	const char *in;
	enum sms_kind kind;
	const char *lang;
	const char *cat;
	const char *code; /* NULL: CODE_NONE */
	int bad;	  /* boolean: CODE_BAD_CHECK rather than CODE_OK */
	const char *text;
	const char *phone;
	int persons;
};

/* Compare field NAME of case I (input IN); NULL WANT means "". */
static void
check_str(size_t i, const char *in, const char *name, const char *got,
    const char *want)
{
	if (want == NULL)
		want = "";
	if (strcmp(got, want) != 0)
		fail_msg("case %zu \"%s\": %s \"%s\", want \"%s\"", i, in, name,
		    got, want);
}

/* Parse C->in with LEX and compare every field; I numbers the case. */
static void
check(const struct sms_lexicon *lex, const struct parse_case *c, size_t i)
{
	struct sms_cmd cmd;
	enum code_status want_st = CODE_NONE;

	if (c->code != NULL)
		want_st = c->bad ? CODE_BAD_CHECK : CODE_OK;
	memset(&cmd, 'X', sizeof cmd);
	sms_parse(lex, c->in, &cmd);
	if (cmd.kind != c->kind)
		fail_msg("case %zu \"%s\": kind %d, want %d", i, c->in,
		    cmd.kind, c->kind);
	check_str(i, c->in, "lang", cmd.lang, c->lang);
	check_str(i, c->in, "category", cmd.category, c->cat);
	check_str(i, c->in, "code", cmd.code, c->code);
	check_str(i, c->in, "text", cmd.text, c->text);
	check_str(i, c->in, "phone", cmd.phone, c->phone);
	if (cmd.code_status != want_st)
		fail_msg("case %zu \"%s\": code_status %d, want %d", i, c->in,
		    cmd.code_status, want_st);
	if (cmd.persons != c->persons)
		fail_msg("case %zu \"%s\": persons %d, want %d", i, c->in,
		    cmd.persons, c->persons);
}

/* Every built-in word, alone and with a code after it where one fits. */
static const struct parse_case default_cases[] = {
	{ "HELP", SMS_HELP, .lang = "en" },
	{ "CODE 4821-3955", SMS_CODE, .lang = "en", .code = "48213955" },
	{ "STATUS 4821-3955", SMS_STATUS, .lang = "en", .code = "48213955" },
	{ "STOP", SMS_STOP, .lang = "en" },
	{ "UNSUBSCRIBE", SMS_STOP, .lang = "en" },
	{ "START", SMS_START, .lang = "en" },
	{ "ACK 4821-3955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "ACCEPT 4821-3955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "DECLINE 4821-3955", SMS_DECLINE, .lang = "en", .code = "48213955" },
	{ "CLOSE 4821-3955", SMS_CLOSE, .lang = "en", .code = "48213955" },
	{ "LIST", SMS_LIST, .lang = "en" },
	{ "REF", SMS_REF, .lang = "en", .persons = 1 },
	{ "REFER", SMS_REF, .lang = "en", .persons = 1 },

	{ "AIDE", SMS_HELP, .lang = "fr" },
	{ "SECOURS", SMS_HELP, .lang = "fr" },
	{ "STATUT 4821-3955", SMS_STATUS, .lang = "fr", .code = "48213955" },
	{ "ÉTAT 4821-3955", SMS_STATUS, .lang = "fr", .code = "48213955" },
	{ "ARRÊT", SMS_STOP, .lang = "fr" },
	{ "REPRENDRE", SMS_START, .lang = "fr" },
	{ "ACCEPTER 4821-3955", SMS_ACK, .lang = "fr", .code = "48213955" },
	{ "ACCEPTÉ 4821-3955", SMS_ACK, .lang = "fr", .code = "48213955" },
	{ "REFUSER 4821-3955", SMS_DECLINE, .lang = "fr", .code = "48213955" },
	{ "REFUSÉ 4821-3955", SMS_DECLINE, .lang = "fr", .code = "48213955" },
	{ "FERMER 4821-3955", SMS_CLOSE, .lang = "fr", .code = "48213955" },
	{ "CLÔTURER 4821-3955", SMS_CLOSE, .lang = "fr", .code = "48213955" },
	{ "LISTE", SMS_LIST, .lang = "fr" },
	{ "ORIENTER", SMS_REF, .lang = "fr", .persons = 1 },

	{ "مساعدة", SMS_HELP, .lang = "ar" },
	{ "ساعدني", SMS_HELP, .lang = "ar" },
	{ "رمز ٤٨٢١-٣٩٥٥", SMS_CODE, .lang = "ar", .code = "48213955" },
	{ "كود ٤٨٢١-٣٩٥٥", SMS_CODE, .lang = "ar", .code = "48213955" },
	{ "حالة ٤٨٢١-٣٩٥٥", SMS_STATUS, .lang = "ar", .code = "48213955" },
	{ "توقف", SMS_STOP, .lang = "ar" },
	{ "إيقاف", SMS_STOP, .lang = "ar" },
	{ "ابدأ", SMS_START, .lang = "ar" },
	{ "استئناف", SMS_START, .lang = "ar" },
	{ "قبول ٤٨٢١-٣٩٥٥", SMS_ACK, .lang = "ar", .code = "48213955" },
	{ "موافق ٤٨٢١-٣٩٥٥", SMS_ACK, .lang = "ar", .code = "48213955" },
	{ "رفض ٤٨٢١-٣٩٥٥", SMS_DECLINE, .lang = "ar", .code = "48213955" },
	{ "إغلاق ٤٨٢١-٣٩٥٥", SMS_CLOSE, .lang = "ar", .code = "48213955" },
	{ "قائمة", SMS_LIST, .lang = "ar" },
	{ "إحالة", SMS_REF, .lang = "ar", .persons = 1 },
};

static void
test_defaults(void **state)
{
	struct test_lex *t = *state;
	struct sms_lexicon *lex;
	size_t i;

	for (i = 0; i < sizeof default_cases / sizeof default_cases[0]; i++)
		check(t->lex, &default_cases[i], i);
	/* the same words without a config */
	lex = sms_lexicon_new(NULL);
	assert_non_null(lex);
	for (i = 0; i < sizeof default_cases / sizeof default_cases[0]; i++)
		check(lex, &default_cases[i], i);
	sms_lexicon_free(lex);
}

static const struct parse_case parse_cases[] = {
	/* HELP */
	{ "help", SMS_HELP, .lang = "en" },
	{ "  Help  ", SMS_HELP, .lang = "en" },
	{ "HELP!", SMS_HELP, .lang = "en" },
	{ "HELP FOOD near gate 3", SMS_HELP, .lang = "en", .cat = "food",
	    .text = "near gate 3" },
	{ "help food   near   Gate 3  ", SMS_HELP, .lang = "en", .cat = "food",
	    .text = "near   Gate 3" },
	{ "HELP near gate 3", SMS_HELP, .lang = "en", .text = "near gate 3" },
	{ "HELP HUNGRY", SMS_HELP, .lang = "en", .cat = "food" },
	{ "HELP NOURRITURE", SMS_HELP, .lang = "en", .cat = "food" },
	{ "HELP shelter", SMS_HELP, .lang = "en", .cat = "shelter" },
	{ "HELP food", SMS_HELP, .lang = "en", .cat = "food" },
	{ "HELP, FOOD", SMS_HELP, .lang = "en", .cat = "food" },
	{ "HELP:FOOD", SMS_HELP, .lang = "en", .cat = "food" },
	{ "Help food.", SMS_HELP, .lang = "en", .cat = "food" },
	{ "HELP FOOD, near the gate!", SMS_HELP, .lang = "en", .cat = "food",
	    .text = "near the gate!" },
	{ "HELP FOOD \"near the gate\"", SMS_HELP, .lang = "en", .cat = "food",
	    .text = "\"near the gate\"" },
	{ "HELP LOST CHILD at the market", SMS_HELP, .lang = "en",
	    .cat = "child", .text = "at the market" },
	{ "HELP CHILD LOST", SMS_HELP, .lang = "en", .cat = "child",
	    .text = "LOST" },
	{ "HELP\tFOOD\r\nnear\xc2\xa0gate", SMS_HELP, .lang = "en",
	    .cat = "food", .text = "near\xc2\xa0gate" },
	{ "AIDE NOURRITURE près de la porte", SMS_HELP, .lang = "fr",
	    .cat = "food", .text = "près de la porte" },
	{ "aide faim", SMS_HELP, .lang = "fr", .cat = "food" },
	{ "Aide Santé", SMS_HELP, .lang = "fr", .cat = "medical" },
	{ "aide sante", SMS_HELP, .lang = "fr", .cat = "medical" },
	{ "مساعدة طعام عند البوابة", SMS_HELP, .lang = "ar", .cat = "food",
	    .text = "عند البوابة" },
	{ "مساعده طعام", SMS_HELP, .lang = "ar", .cat = "food" },
	{ "مُساعَدة", SMS_HELP, .lang = "ar" },
	{ "مـساعدة طبيب", SMS_HELP, .lang = "ar", .cat = "medical" },
	{ "مساعدة، طعام", SMS_HELP, .lang = "ar", .cat = "food" },
	{ "کمک غذا", SMS_HELP, .lang = "fa", .cat = "food" },
	{ "كمك غذا", SMS_HELP, .lang = "fa", .cat = "food" },
	{ "SOS", SMS_HELP, .lang = "en" },
	{ "s.o.s.", SMS_HELP, .lang = "en" },
	/* a category keyword alone */
	{ "FOOD near gate 3", SMS_HELP, .lang = "en", .cat = "food",
	    .text = "near gate 3" },
	{ "food", SMS_HELP, .lang = "en", .cat = "food" },
	{ "nourriture", SMS_HELP, .lang = "fr", .cat = "food" },
	{ "طعام", SMS_HELP, .lang = "ar", .cat = "food" },
	{ "اكل", SMS_HELP, .lang = "ar", .cat = "food" },
	{ "غذا", SMS_HELP, .lang = "fa", .cat = "food" },
	{ "shelter please", SMS_HELP, .lang = "en", .cat = "shelter",
	    .text = "please" },
	{ "Médecin", SMS_HELP, .lang = "fr", .cat = "medical" },
	{ "LOST CHILD", SMS_HELP, .lang = "en", .cat = "child" },
	{ "lost  child  near the river", SMS_HELP, .lang = "en", .cat = "child",
	    .text = "near the river" },
	{ "water", SMS_HELP, .lang = "en", .cat = "water" },
	/* whole words only */
	{ "HELPFUL", .kind = SMS_UNKNOWN },
	{ "HELPFOOD", .kind = SMS_UNKNOWN },
	{ "LOST", .kind = SMS_UNKNOWN },
	{ "STOPP", .kind = SMS_UNKNOWN },
	{ "END", .kind = SMS_UNKNOWN },
	{ "XHELP", .kind = SMS_UNKNOWN },
	/* codes */
	{ "CODE", SMS_CODE, .lang = "en" },
	{ "code 4821 3955", SMS_CODE, .lang = "en", .code = "48213955" },
	{ "CODE 4821-3957", SMS_CODE, .lang = "en", .code = "48213957",
	    .bad = 1 },
	{ "CODE FOOD", SMS_CODE, .lang = "en" },
	{ "4821-3955", SMS_CODE, .code = "48213955" },
	{ "48213955", SMS_CODE, .code = "48213955" },
	{ "4821 3955", SMS_CODE, .code = "48213955" },
	{ "  4821-3955.  ", SMS_CODE, .code = "48213955" },
	{ "٤٨٢١-٣٩٥٥", SMS_CODE, .code = "48213955" },
	{ "۴۸۲۱۳۹۵۵", SMS_CODE, .code = "48213955" },
	{ "۴۸۲۱ ۳۹۵۵", SMS_CODE, .code = "48213955" },
	{ "4821-3957", SMS_CODE, .code = "48213957", .bad = 1 },
	{ "4821 3957", SMS_CODE, .code = "48213957", .bad = 1 },
	{ "4821395", .kind = SMS_UNKNOWN },
	{ "08213955", .kind = SMS_UNKNOWN },
	{ "48213955 please", .kind = SMS_UNKNOWN, .lang = "en" },
	{ "4821 3955 4821", .kind = SMS_UNKNOWN },
	/* STATUS */
	{ "STATUS", SMS_STATUS, .lang = "en" },
	{ "status 4821 3955", SMS_STATUS, .lang = "en", .code = "48213955" },
	{ "STATUS of my case", SMS_STATUS, .lang = "en" },
	{ "statut", SMS_STATUS, .lang = "fr" },
	{ "ETAT", SMS_STATUS, .lang = "fr" },
	{ "حاله", SMS_STATUS, .lang = "ar" },
	/* STOP, START, LIST ignore what follows */
	{ "stop", SMS_STOP, .lang = "en" },
	{ "STOP please", SMS_STOP, .lang = "en" },
	{ "STOP.", SMS_STOP, .lang = "en" },
	{ "Stop!!!", SMS_STOP, .lang = "en" },
	{ "arret", SMS_STOP, .lang = "fr" },
	{ "ايقاف", SMS_STOP, .lang = "ar" },
	{ "END ALL", SMS_STOP, .lang = "en" },
	{ "end  all messages", SMS_STOP, .lang = "en" },
	{ "Start", SMS_START, .lang = "en" },
	{ "START 4821-3955", SMS_START, .lang = "en" },
	{ "reprendre", SMS_START, .lang = "fr" },
	{ "ابدا", SMS_START, .lang = "ar" },
	{ "LIST", SMS_LIST, .lang = "en" },
	{ "list all please", SMS_LIST, .lang = "en" },
	{ "قائمه", SMS_LIST, .lang = "ar" },
	/* ACK */
	{ "ACK", SMS_ACK, .lang = "en" },
	{ "ACK 4821-3955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "ack 4821 3955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "Ack  48213955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "ACK ٤٨٢١٣٩٥٥", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "ACK 4821-3955 thanks", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "ACK 4821-3957", SMS_ACK, .lang = "en", .code = "48213957",
	    .bad = 1 },
	{ "ACK 4821 3957", SMS_ACK, .lang = "en", .code = "48213957",
	    .bad = 1 },
	{ "ACK 1234", SMS_ACK, .lang = "en" },
	{ "ACK 48213955 1234", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "ACK: 4821-3955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "TAKE 48213955", SMS_ACK, .lang = "en", .code = "48213955" },
	{ "accepte 4821-3955", SMS_ACK, .lang = "fr", .code = "48213955" },
	/* DECLINE, CLOSE */
	{ "DECLINE 4821-3955 no capacity today", SMS_DECLINE, .lang = "en",
	    .code = "48213955", .text = "no capacity today" },
	{ "decline 4821 3955 full", SMS_DECLINE, .lang = "en",
	    .code = "48213955", .text = "full" },
	{ "DECLINE 4821-3955 2 beds left", SMS_DECLINE, .lang = "en",
	    .code = "48213955", .text = "2 beds left" },
	{ "DECLINE", SMS_DECLINE, .lang = "en" },
	{ "DECLINE full", SMS_DECLINE, .lang = "en", .text = "full" },
	{ "DECLINE 4821-3957 full", SMS_DECLINE, .lang = "en",
	    .code = "48213957", .bad = 1, .text = "full" },
	{ "refuser 4821-3955 pas de place", SMS_DECLINE, .lang = "fr",
	    .code = "48213955", .text = "pas de place" },
	{ "رفض ٤٨٢١-٣٩٥٥ لا يوجد مكان", SMS_DECLINE, .lang = "ar",
	    .code = "48213955", .text = "لا يوجد مكان" },
	{ "CLOSE 4821-3955 food given", SMS_CLOSE, .lang = "en",
	    .code = "48213955", .text = "food given" },
	{ "CLOSE 4821-3955", SMS_CLOSE, .lang = "en", .code = "48213955" },
	{ "fermer 48213955 fait", SMS_CLOSE, .lang = "fr", .code = "48213955",
	    .text = "fait" },
	{ "cloturer 48213955", SMS_CLOSE, .lang = "fr", .code = "48213955" },
	{ "اغلاق ۴۸۲۱۳۹۵۵", SMS_CLOSE, .lang = "ar", .code = "48213955" },
	{ "بستن ۴۸۲۱۳۹۵۵", SMS_CLOSE, .lang = "fa", .code = "48213955" },
	/* REF */
	{ "REF FOOD", SMS_REF, .lang = "en", .cat = "food", .persons = 1 },
	{ "REF FOOD +256700000101 3", SMS_REF, .lang = "en", .cat = "food",
	    .phone = "+256700000101", .persons = 3 },
	{ "REF FOOD 3", SMS_REF, .lang = "en", .cat = "food", .persons = 3 },
	{ "REF FOOD 0700000101", SMS_REF, .lang = "en", .cat = "food",
	    .phone = "0700000101", .persons = 1 },
	{ "REF FOOD 3 0700000101", SMS_REF, .lang = "en", .cat = "food",
	    .phone = "0700000101", .persons = 3 },
	{ "ref medical 00256700000101 12", SMS_REF, .lang = "en",
	    .cat = "medical", .phone = "00256700000101", .persons = 12 },
	{ "REF LOST CHILD 2", SMS_REF, .lang = "en", .cat = "child",
	    .persons = 2 },
	{ "REF XYZ 0700000101 2", SMS_REF, .lang = "en", .phone = "0700000101",
	    .persons = 2 },
	{ "REF 0700000101", SMS_REF, .lang = "en", .phone = "0700000101",
	    .persons = 1 },
	{ "REF 4", SMS_REF, .lang = "en", .persons = 4 },
	{ "REF FOOD 0", SMS_REF, .lang = "en", .cat = "food", .persons = 0 },
	{ "REF FOOD 100", SMS_REF, .lang = "en", .cat = "food", .persons = 0 },
	{ "REF FOOD many", SMS_REF, .lang = "en", .cat = "food", .persons = 0 },
	{ "REF FOOD 12345", SMS_REF, .lang = "en", .cat = "food",
	    .persons = 0 },
	{ "REF FOOD 99", SMS_REF, .lang = "en", .cat = "food", .persons = 99 },
	{ "REF FOOD 2 3", SMS_REF, .lang = "en", .cat = "food", .persons = 2 },
	{ "REF FOOD 0700000101 0700000102", SMS_REF, .lang = "en",
	    .cat = "food", .phone = "0700000101", .persons = 0 },
	{ "REF FOOD +256-700-000-101", SMS_REF, .lang = "en", .cat = "food",
	    .phone = "+256-700-000-101", .persons = 1 },
	{ "REF FOOD (0700000101)", SMS_REF, .lang = "en", .cat = "food",
	    .phone = "0700000101", .persons = 1 },
	{ "REF FOOD ٠٧٠٠٠٠٠١٠١ ٣", SMS_REF, .lang = "en", .cat = "food",
	    .phone = "٠٧٠٠٠٠٠١٠١", .persons = 3 },
	{ "REF FOOD +12345678901234567890", SMS_REF, .lang = "en",
	    .cat = "food", .persons = 0 },
	{ "إحالة طعام ٣", SMS_REF, .lang = "ar", .cat = "food", .persons = 3 },
	{ "orienter santé 2", SMS_REF, .lang = "fr", .cat = "medical",
	    .persons = 2 },
	{ "REFER water 5", SMS_REF, .lang = "en", .cat = "water",
	    .persons = 5 },
	{ "REF shelter", SMS_REF, .lang = "en", .cat = "shelter",
	    .persons = 1 },
	/* junk */
	{ "", .kind = SMS_UNKNOWN },
	{ "   ", .kind = SMS_UNKNOWN },
	{ "\t\r\n", .kind = SMS_UNKNOWN },
	{ "hello", .kind = SMS_UNKNOWN, .lang = "en" },
	{ "?", .kind = SMS_UNKNOWN },
	{ "!!! ...", .kind = SMS_UNKNOWN },
	{ "\x01\x02\x03", .kind = SMS_UNKNOWN },
	{ "\xe2\x80\x8f\xe2\x80\x8e", .kind = SMS_UNKNOWN },
	{ "😀", .kind = SMS_UNKNOWN },
	{ "HELP😀", SMS_HELP, .lang = "en", .text = "HELP😀" },
	{ "😀 HELP", SMS_HELP, .lang = "en", .text = "😀 HELP" },
	{ "\xff\xfe HELP", SMS_HELP,
	    .lang = "en" }, /* invalid bytes are dropped */
	{ "HE\xffLP", SMS_HELP, .lang = "en" },
	{ "ПОМОЩЬ", .kind = SMS_UNKNOWN },
};

static void
test_parse(void **state)
{
	struct test_lex *t = *state;
	size_t i;

	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++)
		check(t->lex, &parse_cases[i], i);
}

/* The order of gateway.languages decides words two languages share. */
static void
test_language_order(void **state)
{
	static const struct parse_case fr_first[] = {
		{ "STOP", SMS_STOP, .lang = "fr" },
		{ "CODE 48213955", SMS_CODE, .lang = "fr", .code = "48213955" },
		{ "HELP", SMS_HELP, .lang = "en" },
	};
	static const struct parse_case ar_only[] = {
		{ "HELP", .kind = SMS_UNKNOWN },
		{ "AIDE", .kind = SMS_UNKNOWN },
		{ "STOP", .kind = SMS_UNKNOWN },
		{ "توقف", SMS_STOP, .lang = "ar" },
		{ "4821-3955", SMS_CODE, .code = "48213955" },
	};
	struct sms_lexicon *lex;
	struct cfg *cfg;
	size_t i;

	(void)state;
	cfg = cfg_langs(W("fr", "en"));
	lex = sms_lexicon_new(cfg);
	assert_non_null(lex);
	for (i = 0; i < sizeof fr_first / sizeof fr_first[0]; i++)
		check(lex, &fr_first[i], i);
	sms_lexicon_free(lex);
	test_cfg_free(cfg);

	cfg = cfg_langs(W("ar"));
	lex = sms_lexicon_new(cfg);
	assert_non_null(lex);
	for (i = 0; i < sizeof ar_only / sizeof ar_only[0]; i++)
		check(lex, &ar_only[i], i);
	sms_lexicon_free(lex);
	test_cfg_free(cfg);
}

/* Text is cut at a character boundary; long words match nothing. */
static void
test_long(void **state)
{
	struct test_lex *t = *state;
	struct sms_cmd cmd;
	char in[2100];
	size_t i;

	strcpy(in, "HELP FOOD ");
	for (i = strlen(in); i < 2000; i += 2)
		memcpy(in + i, "x ", 2);
	in[i] = '\0';
	sms_parse(t->lex, in, &cmd);
	assert_int_equal(cmd.kind, SMS_HELP);
	assert_string_equal(cmd.category, "food");
	assert_int_equal(strlen(cmd.text), SMS_TEXT_MAX - 1);
	assert_int_equal(strncmp(cmd.text, "x x x", 5), 0);

	strcpy(in, "HELP FOOD ");
	for (i = strlen(in); i < 2000; i += 2)
		memcpy(in + i, "ش", 2);
	in[i] = '\0';
	sms_parse(t->lex, in, &cmd);
	assert_int_equal(cmd.kind, SMS_HELP);
	assert_true(strlen(cmd.text) >= SMS_TEXT_MAX - 4);
	assert_true(lang_utf8_valid(cmd.text, strlen(cmd.text)));

	/* one 2000-byte word */
	memset(in, 'a', 2000);
	in[2000] = '\0';
	sms_parse(t->lex, in, &cmd);
	assert_int_equal(cmd.kind, SMS_UNKNOWN);

	/* a keyword, then a 2000-byte word */
	memcpy(in, "DECLINE ", 8);
	sms_parse(t->lex, in, &cmd);
	assert_int_equal(cmd.kind, SMS_DECLINE);
	assert_int_equal(cmd.code_status, CODE_NONE);
	assert_int_equal(strlen(cmd.text), SMS_TEXT_MAX - 1);

	/* many words */
	strcpy(in, "ACK");
	for (i = 0; i < 200; i++)
		strcat(in, " ab");
	sms_parse(t->lex, in, &cmd);
	assert_int_equal(cmd.kind, SMS_ACK);
}

/* Every byte value, and random mixes of keywords and junk. */
static void
test_junk(void **state)
{
	static const char *const pieces[] = { "HELP", "FOOD", "ACK", "REF",
		"4821", "3955", "-", " ", "  ", ",", ".", "\"", "+256",
		"0700000101", "3", "٤٨", "مساعدة", "\xe2\x80\x8c", "\xff",
		"\xc3", "\xf0\x9f\x98\x80", "\t", "LOST", "CHILD", "ـ", "é" };
	struct test_lex *t = *state;
	struct sms_cmd cmd;
	char in[600];
	uint64_t s = 99;
	size_t i, j, len;

	for (i = 1; i < 256; i++)
		in[i - 1] = (char)i;
	in[255] = '\0';
	sms_parse(t->lex, in, &cmd);
	assert_int_equal(cmd.kind, SMS_UNKNOWN);

	for (i = 0; i < 20000; i++) {
		len = 0;
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		for (j = s % 40; j > 0; j--) {
			const char *p;

			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			p = pieces[s % (sizeof pieces / sizeof pieces[0])];
			memcpy(in + len, p, strlen(p));
			len += strlen(p);
		}
		in[len] = '\0';
		sms_parse(t->lex, in, &cmd);
		assert_true(cmd.kind <= SMS_UNKNOWN);
		assert_true(strlen(cmd.text) < sizeof cmd.text);
		assert_true(strlen(cmd.phone) < sizeof cmd.phone);
		assert_true(cmd.persons >= 0 && cmd.persons <= 99);
		assert_true(cmd.code_status == CODE_NONE
			? cmd.code[0] == '\0'
			: strlen(cmd.code) == CODE_LEN);
	}
}

static void
test_default_word(void **state)
{
	(void)state;
	assert_string_equal(sms_default_word(SMS_HELP, "en"), "HELP");
	assert_string_equal(sms_default_word(SMS_HELP, "fr"), "AIDE");
	assert_string_equal(sms_default_word(SMS_HELP, "ar"), "مساعدة");
	assert_string_equal(sms_default_word(SMS_STOP, "fr"), "STOP");
	assert_string_equal(sms_default_word(SMS_STOP, "ar"), "توقف");
	assert_string_equal(sms_default_word(SMS_ACK, "en"), "ACK");
	assert_string_equal(sms_default_word(SMS_REF, "ar"), "إحالة");
	assert_null(sms_default_word(SMS_HELP, "fa"));
	assert_null(sms_default_word(SMS_UNKNOWN, "en"));
	assert_null(sms_default_word(SMS_HELP, NULL));
	/* the kinds mirror the config's command list */
	assert_int_equal((enum sms_kind)CFG_CMD_ACK, SMS_ACK);
	assert_int_equal((enum sms_kind)CFG_CMD_REF, SMS_REF);
}

static void
test_category_words(void **state)
{
	struct test_lex *t = *state;
	const char *w[8];

	assert_int_equal(sms_category_words(t->lex, "en", w, 8), 5);
	assert_string_equal(w[0], "FOOD");
	assert_string_equal(w[1], "MEDICAL");
	assert_string_equal(w[2], "LOST CHILD");
	assert_string_equal(w[3], "shelter");
	assert_string_equal(w[4], "WATER");
	assert_int_equal(sms_category_words(t->lex, "fr", w, 8), 5);
	assert_string_equal(w[0], "NOURRITURE");
	assert_string_equal(w[1], "MÉDECIN");
	assert_string_equal(w[2], "ENFANT");
	assert_string_equal(w[3], "shelter");
	assert_string_equal(w[4], "water");
	assert_int_equal(sms_category_words(t->lex, "ar", w, 2), 2);
	assert_string_equal(w[0], "طعام");
	assert_string_equal(w[1], "طبيب");
	assert_int_equal(sms_category_words(t->lex, "de", w, 8), 5);
	assert_string_equal(w[0], "food");
	assert_int_equal(sms_category_words(t->lex, "en", w, 0), 0);
}

static void
test_lexicon_edges(void **state)
{
	struct sms_lexicon *lex;
	struct cfg *cfg;
	const char *w[2];

	(void)state;
	sms_lexicon_free(NULL);
	/* no languages, no categories: only codes are understood */
	cfg = cfg_langs(W("xx"));
	lex = sms_lexicon_new(cfg);
	assert_non_null(lex);
	assert_int_equal(sms_category_words(lex, "en", w, 2), 0);
	check(lex, &(struct parse_case){ "HELP", .kind = SMS_UNKNOWN }, 0);
	check(lex,
	    &(struct parse_case){ "48213955", SMS_CODE, .code = "48213955" },
	    1);
	sms_lexicon_free(lex);
	test_cfg_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test(test_language_order),
		cmocka_unit_test_setup_teardown(test_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junk, setup, teardown),
		cmocka_unit_test(test_default_word),
		cmocka_unit_test_setup_teardown(
		    test_category_words, setup, teardown),
		cmocka_unit_test(test_lexicon_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
