/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMS command parser: a message's text in, what it asks for out. Pure:
 * no I/O, no globals; the lexicon is built once per config and is read-only
 * afterwards, so threads may share it.
 */
#ifndef HBM_HANDLERS_SMS_H
#define HBM_HANDLERS_SMS_H

#include <stddef.h>

#include "config/cfg.h"
#include "handlers/code.h"
#include "handlers/match.h"

#define SMS_TEXT_MAX 480	     /* bytes of sms_cmd.text, NUL included */
#define SMS_PHONE_MAX 40	     /* bytes of sms_cmd.phone, NUL included */
#define SMS_CANDS_MAX MATCH_HITS_MAX /* categories one message can name */

/* What a message asks for; the first ten mirror enum cfg_cmd. */
enum sms_kind {
	SMS_HELP,
	SMS_CODE,
	SMS_STATUS,
	SMS_STOP,
	SMS_START,
	SMS_ACK,
	SMS_DECLINE,
	SMS_CLOSE,
	SMS_LIST,
	SMS_REF,
	SMS_UNKNOWN
};

/* Every keyword of one config, folded for matching (opaque). */
struct sms_lexicon;

/* One parsed message. */
struct sms_cmd {
	enum sms_kind kind;
	char lang[CFG_LANG_MAX];      /* language of the matched keyword; "" if
				      none or language-neutral (a category id) */
	char category[CFG_ID_MAX];    /* HELP, REF: a category id, or "" */
	char code[CODE_LEN + 1];      /* ASCII digits when code_status is not
				      CODE_NONE, else "" */
	enum code_status code_status; /* CODE_NONE when no code was given */
	char text[SMS_TEXT_MAX];      /* HELP location or note, DECLINE reason,
				      CLOSE note: the original bytes, trimmed,
				      cut at a character boundary */
	char phone[SMS_PHONE_MAX];    /* REF: the phone token as typed, or "" */
	int persons;		      /* REF: 1-99, default 1, 0 if invalid;
				      0 for other kinds */
	/* HELP without a category: the categories the message named, when
	   more than one (the menu offers these), else none (all of them) */
	char cands[SMS_CANDS_MAX][CFG_ID_MAX];
	size_t ncands;
	int choice; /* UNKNOWN: the message is only this digit, 1-9 (a menu
		       answer), else 0 */
	int quiet;  /* UNKNOWN: a thanks or an ok, not a request: no reply */
};

/*
 * The lexicon of CFG: the built-in command words of each language in
 * gateway.languages, the configured command words, and each category's
 * keywords and id. CFG NULL: the built-in words of every language, no
 * categories. Copies what it keeps. Returns NULL when out of memory.
 */
struct sms_lexicon *sms_lexicon_new(const struct cfg *cfg);

/* Free a lexicon; NULL is a no-op. */
void sms_lexicon_free(struct sms_lexicon *);

/*
 * The first built-in word for command KIND in language LANG ("HELP",
 * "AIDE", "مساعدة"), for hints in replies; NULL when there is none.
 */
const char *sms_default_word(enum sms_kind kind, const char *lang);

/*
 * For each category in config order, up to MAX: its first keyword in
 * language LANG as written in the config, or its id when it has none.
 * Pointers stay valid while the lexicon lives. Returns how many were set.
 */
size_t sms_category_words(
    const struct sms_lexicon *, const char *lang, const char **out, size_t max);

/*
 * Parse the message TEXT (UTF-8, checked by the caller; other bytes are
 * dropped safely) into OUT. A command word counts as the first word only
 * (and HELP takes a category keyword right after it); command and keyword
 * phrases match whole words after lang_fold(), the longest first. A
 * message that does not start with a command other than HELP is searched
 * for category keywords anywhere with handlers/match.h: one category is
 * HELP with it, several are HELP without a category and with cands set, a
 * thanks or ok without a word of need is a quiet UNKNOWN. OUT->lang is the
 * command's language; else, for a message without a command, that of the
 * script (Arabic, Persian, French letters), of the keywords matched, of
 * the marker words, when the lexicon has that language; else "".
 */
void sms_parse(
    const struct sms_lexicon *, const char *text, struct sms_cmd *out);

#endif
