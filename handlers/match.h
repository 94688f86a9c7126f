/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding category keywords in a message as people write it: anywhere in
 * the text, whatever the case, accents, punctuation, French elisions
 * ("d'eau"), Arabic article, attached prefixes and pronoun suffixes
 * ("الطعام", "طفلي"), Persian plural suffixes, inflections (Snowball
 * stemmers), irregular forms ("children") and one typo in a long word
 * ("docter"). Pure: no I/O; the lexicon is built once and read-only
 * afterwards, so threads may share it.
 *
 * Snowball stemmers (struct sb_stemmer) are not thread-safe: the lexicon
 * uses its own only while it is built, and match_text() makes the ones it
 * needs on its stack of calls and frees them before it returns, so no
 * stemmer is ever shared between threads.
 */
#ifndef HBM_HANDLERS_MATCH_H
#define HBM_HANDLERS_MATCH_H

#include <stddef.h>

#define MATCH_LANG_MAX 8    /* bytes of a language code, NUL included */
#define MATCH_HITS_MAX 8    /* distinct ids one message can name */
#define MATCH_TEXT_MAX 2048 /* bytes of a message looked at */

struct match_lexicon;

/* One thing a message names. */
struct match_hit {
	int id;			   /* as given to match_add() */
	char lang[MATCH_LANG_MAX]; /* language of the keyword; "" if neutral */
	int fuzzy;		   /* 1: found only through one typo */
};

/* What match_text() found in one message. */
struct match_result {
	struct match_hit hits[MATCH_HITS_MAX]; /* distinct ids, in the order
						  the message names them */
	size_t nhits;
	size_t nwords;		     /* words in the message */
	char script[MATCH_LANG_MAX]; /* "ar" or "fa" from letters only one of
					them uses, "fr" from French accents,
					else "" */
	char lang[MATCH_LANG_MAX];   /* the language of the marker words */
	int arabic; /* 1: in Arabic script (script "" when it does not tell
		       Arabic from Persian) */
	int thanks; /* thanks, ok, received: a reply, not a request */
	int need;   /* need, want, please: a request */
	int help; /* help, aide, مساعدة, کمک: asks for help (and need) */
	int greeting;
};

/* A new, empty lexicon with the built-in irregular forms; NULL on ENOMEM. */
struct match_lexicon *match_lexicon_new(void);

/* Free a lexicon; NULL is a no-op. */
void match_lexicon_free(struct match_lexicon *);

/*
 * Add KEYWORD (one word; UTF-8) for ID in language LANG ("" for a
 * language-neutral word such as a category id, which is stemmed as
 * English). Returns 0, 1 when the keyword is not one word (left out), or
 * -1 when out of memory.
 */
int match_add(
    struct match_lexicon *, int id, const char *lang, const char *keyword);

/*
 * Count the built-in marker words (thanks, need, help, hello, common
 * words) of LANG; none count until their language is added. Returns 0, or
 * 1 when LANG is empty, too long or one too many (8 at most).
 */
int match_language(struct match_lexicon *, const char *lang);

/*
 * Read FORM as BASE in language LANG (say "kids" as "child"): a word of a
 * message that folds to FORM is looked up as BASE. Returns 0, 1 when either
 * is not one word, -1 when out of memory.
 */
int match_irregular(struct match_lexicon *, const char *lang, const char *form,
    const char *base);

/* Find what TEXT (UTF-8; invalid bytes are dropped) names, into OUT. */
void match_text(
    const struct match_lexicon *, const char *text, struct match_result *out);

/*
 * Damerau distance of the code points A (LA) and B (LB), capped: returns
 * 0, 1, or 2 for anything more. For tests.
 */
int match_distance(const unsigned *a, size_t la, const unsigned *b, size_t lb);

#endif
