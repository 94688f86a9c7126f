/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMS command parser. A message is cut into words at white space and at
 * the punctuation that never sits inside a word (, ; : ! ? and their Arabic
 * forms); quotes, brackets and full stops around a word are trimmed; each
 * word is folded with lang_fold(). Keywords, which may be several words,
 * are cut and folded the same way when the lexicon is built, and match the
 * words at the start of the message, the longest first; on a tie a command
 * wins over a category, then the word added first (languages in
 * gateway.languages order, built-in words before configured ones).
 *
 * Free text (HELP notes, DECLINE reasons, CLOSE notes) and REF phones are
 * copied from the original bytes, so replies and case records keep what
 * the sender wrote.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/lang.h"
#include "handlers/sms.h"

#define SMS_TOKEN_MAX 64  /* bytes of a folded word, NUL included */
#define SMS_TOKEN_LONG 60 /* a word folded to this many bytes never matches */
#define SMS_WORD_TOKENS 4 /* words in one keyword */
#define SMS_TOKENS 16	  /* words of a message that the grammar looks at */
#define SMS_PHONE_DIGITS_MIN 7
#define SMS_PHONE_DIGITS_MAX 17 /* "00" and 15 digits */

_Static_assert(SMS_HELP == (int)CFG_CMD_HELP && SMS_CODE == (int)CFG_CMD_CODE &&
	SMS_STATUS == (int)CFG_CMD_STATUS && SMS_STOP == (int)CFG_CMD_STOP &&
	SMS_START == (int)CFG_CMD_START && SMS_ACK == (int)CFG_CMD_ACK &&
	SMS_DECLINE == (int)CFG_CMD_DECLINE &&
	SMS_CLOSE == (int)CFG_CMD_CLOSE && SMS_LIST == (int)CFG_CMD_LIST &&
	SMS_REF == (int)CFG_CMD_REF && SMS_UNKNOWN == (int)CFG_CMD_COUNT,
    "enum sms_kind mirrors enum cfg_cmd");

/* Built-in command words of one language; the first is used in hints. */
struct sms_default {
	enum sms_kind kind;
	const char *lang;
	const char *words[3]; /* NULL-terminated */
};

static const struct sms_default sms_defaults[] = {
	{ SMS_HELP, "en", { "HELP" } },		       /* [category] [text] */
	{ SMS_CODE, "en", { "CODE" } },		       /* <code> */
	{ SMS_STATUS, "en", { "STATUS" } },	       /* [<code>] */
	{ SMS_STOP, "en", { "STOP", "UNSUBSCRIBE" } }, /* opt out */
	{ SMS_START, "en", { "START" } },	       /* opt in again */
	{ SMS_ACK, "en", { "ACK", "ACCEPT" } },	       /* <code> */
	{ SMS_DECLINE, "en", { "DECLINE" } },	       /* <code> [reason] */
	{ SMS_CLOSE, "en", { "CLOSE" } },	       /* <code> [note] */
	{ SMS_LIST, "en", { "LIST" } },		       /* open cases */
	{ SMS_REF, "en", { "REF", "REFER" } }, /* <category> [phone] [n] */

	{ SMS_HELP, "fr", { "AIDE", "SECOURS" } },
	{ SMS_CODE, "fr", { "CODE" } },
	{ SMS_STATUS, "fr", { "STATUT", "ÉTAT" } },
	{ SMS_STOP, "fr", { "STOP", "ARRÊT" } },
	{ SMS_START, "fr", { "START", "REPRENDRE" } },
	{ SMS_ACK, "fr", { "ACCEPTER", "ACCEPTÉ" } },
	{ SMS_DECLINE, "fr", { "REFUSER", "REFUSÉ" } },
	{ SMS_CLOSE, "fr", { "FERMER", "CLÔTURER" } },
	{ SMS_LIST, "fr", { "LISTE" } },
	{ SMS_REF, "fr", { "REF", "ORIENTER" } },

	{ SMS_HELP, "ar", { "مساعدة", "ساعدني" } }, /* help, help me */
	{ SMS_CODE, "ar", { "رمز", "كود" } },	    /* code */
	{ SMS_STATUS, "ar", { "حالة" } },	    /* status */
	{ SMS_STOP, "ar", { "توقف", "إيقاف" } },    /* stop, stopping */
	{ SMS_START, "ar", { "ابدأ", "استئناف" } }, /* start, resume */
	{ SMS_ACK, "ar", { "قبول", "موافق" } },	    /* acceptance, agreed */
	{ SMS_DECLINE, "ar", { "رفض" } },	    /* refusal */
	{ SMS_CLOSE, "ar", { "إغلاق" } },	    /* closing */
	{ SMS_LIST, "ar", { "قائمة" } },	    /* list */
	{ SMS_REF, "ar", { "إحالة" } },		    /* referral */
};

/* Languages with built-in words, the order used when there is no config. */
static const char *const sms_default_langs[] = { "en", "fr", "ar" };

/* One keyword, folded and cut into words. */
struct sms_word {
	enum sms_kind kind;	 /* the command; SMS_HELP for a category */
	int cat;		 /* category index, or -1 for a command */
	char lang[CFG_LANG_MAX]; /* "" for a category id */
	size_t ntok;		 /* 1..SMS_WORD_TOKENS */
	char tok[SMS_WORD_TOKENS][SMS_TOKEN_MAX];
	char *orig; /* owned: a category keyword as written, else NULL */
};

struct sms_lexicon {
	struct sms_word *words; /* in matching priority order */
	size_t nwords;
	size_t cap;
	char (*cats)[CFG_ID_MAX]; /* category ids in config order */
	size_t ncats;
	struct match_lexicon *m;      /* category keywords, for anywhere */
	char langs[16][CFG_LANG_MAX]; /* the languages replies may be in */
	size_t nlangs;
};

/* One word of a message or of a keyword. */
struct sms_tok {
	size_t raw;	/* offset of its first byte */
	size_t raw_end; /* offset after its last byte */
	size_t s, e;	/* the same without punctuation at either end */
	int toolong;	/* boolean: too long for fold[]; never matches */
	char fold[SMS_TOKEN_MAX];
};

/* The words of a message. */
struct sms_toks {
	struct sms_tok v[SMS_TOKENS];
	size_t n;     /* words in v */
	size_t total; /* words in the text, maybe more than n */
	size_t end;   /* offset after the last character that is not space */
};

/* What match() may return. */
enum sms_match {
	SMS_MATCH_ANY,
	SMS_MATCH_CATEGORY,
};

/* Punctuation trimmed from either end of a word. */
static const char *const sms_punct[] = {
	".", "'", "\"", "(", ")", "[", "]", "{", "}", "<", ">", "*", "#",
	"\xc2\xab",	/* « */
	"\xc2\xbb",	/* » */
	"\xc2\xa1",	/* ¡ */
	"\xc2\xbf",	/* ¿ */
	"\xe2\x80\x98", /* ‘ */
	"\xe2\x80\x99", /* ’ */
	"\xe2\x80\x9c", /* “ */
	"\xe2\x80\x9d", /* ” */
	"\xe2\x80\xa6", /* … */
	"\xdb\x94",	/* Arabic full stop */
};

/* Punctuation that ends a word: , ; : ! ? and the Arabic comma, ; and ?. */
static int
is_break(uint32_t cp)
{
	return cp == ',' || cp == ';' || cp == ':' || cp == '!' || cp == '?' ||
	    cp == 0x060c || cp == 0x061b || cp == 0x061f;
}

/* The character at S (LEN bytes); an invalid byte counts as one U+FFFD. */
static size_t
char_at(const char *s, size_t len, uint32_t *cp)
{
	size_t n;

	if ((n = lang_utf8_decode(s, len, cp)) == 0) {
		*cp = 0xfffd;
		n = 1;
	}
	return n;
}

/* Length of the trimmed punctuation at the start (END 0) or end of S. */
static size_t
punct_len(const char *s, size_t len, int end)
{
	size_t i, n;

	for (i = 0; i < sizeof sms_punct / sizeof sms_punct[0]; i++) {
		n = strlen(sms_punct[i]);
		if (n <= len &&
		    memcmp(end ? s + len - n : s, sms_punct[i], n) == 0)
			return n;
	}
	return 0;
}

/* Add the word TEXT[S, E) to T, unless it is only punctuation or marks. */
static void
add_token(struct sms_toks *t, const char *text, size_t s, size_t e)
{
	struct sms_tok tok;
	size_t n, flen;

	tok.raw = s;
	tok.raw_end = e;
	while ((n = punct_len(text + s, e - s, 0)) != 0)
		s += n;
	while ((n = punct_len(text + s, e - s, 1)) != 0)
		e -= n;
	if (s == e)
		return;
	tok.s = s;
	tok.e = e;
	if ((flen = lang_foldn(text + s, e - s, tok.fold, sizeof tok.fold)) ==
	    0)
		return;
	tok.toolong = flen >= SMS_TOKEN_LONG;
	if (t->n < SMS_TOKENS)
		t->v[t->n++] = tok;
	t->total++;
}

/* Cut the LEN bytes of TEXT into words. */
static void
tokenise(const char *text, size_t len, struct sms_toks *t)
{
	size_t i, n, start = 0;
	int in = 0, space, brk;
	uint32_t cp;

	t->n = t->total = t->end = 0;
	for (i = 0; i < len; i += n) {
		n = char_at(text + i, len - i, &cp);
		space = lang_is_space(cp);
		brk = space || is_break(cp);
		if (!space)
			t->end = i + n;
		if (brk && in) {
			add_token(t, text, start, i);
			in = 0;
		} else if (!brk && !in) {
			start = i;
			in = 1;
		}
	}
	if (in)
		add_token(t, text, start, len);
}

/* Copy the string S into DST (LEN bytes), cut to fit. */
static void
copy_str(char *dst, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Add KEYWORD to LEX; a keyword that cannot match is left out. 0 or -1. */
static int
add_word(struct sms_lexicon *lex, enum sms_kind kind, int cat, const char *lang,
    const char *keyword, int keep)
{
	struct sms_toks t;
	struct sms_word *w;
	size_t i;

	tokenise(keyword, strlen(keyword), &t);
	if (t.total == 0 || t.total > SMS_WORD_TOKENS)
		return 0;
	for (i = 0; i < t.n; i++) {
		if (t.v[i].toolong)
			return 0;
	}
	if (lex->nwords == lex->cap) {
		size_t cap = lex->cap != 0 ? lex->cap * 2 : 64;

		if ((w = reallocarray(lex->words, cap, sizeof *w)) == NULL)
			return -1;
		lex->words = w;
		lex->cap = cap;
	}
	w = &lex->words[lex->nwords];
	memset(w, 0, sizeof *w);
	if (keep && (w->orig = strdup(keyword)) == NULL)
		return -1;
	w->kind = kind;
	w->cat = cat;
	copy_str(w->lang, sizeof w->lang, lang);
	w->ntok = t.n;
	for (i = 0; i < t.n; i++)
		memcpy(w->tok[i], t.v[i].fold, sizeof w->tok[i]);
	lex->nwords++;
	/* One-word category keywords are found anywhere in a message. */
	if (cat >= 0 && match_add(lex->m, cat, lang, keyword) == -1)
		return -1;
	return 0;
}

/* Add every word of WS to LEX. 0 or -1. */
static int
add_wordset(struct sms_lexicon *lex, enum sms_kind kind, int cat,
    const struct cfg_wordset *ws)
{
	size_t i, j;

	for (i = 0; i < ws->n; i++) {
		for (j = 0; j < ws->v[i].words.n; j++) {
			if (add_word(lex, kind, cat, ws->v[i].lang,
				ws->v[i].words.v[j], cat >= 0) == -1)
				return -1;
		}
	}
	return 0;
}

/* Add the built-in command words of LANG to LEX. 0 or -1. */
static int
add_defaults(struct sms_lexicon *lex, const char *lang)
{
	const struct sms_default *d;
	size_t i, j;

	for (i = 0; i < sizeof sms_defaults / sizeof sms_defaults[0]; i++) {
		d = &sms_defaults[i];
		if (strcmp(d->lang, lang) != 0)
			continue;
		for (j = 0; d->words[j] != NULL; j++) {
			if (add_word(lex, d->kind, -1, lang, d->words[j], 0) ==
			    -1)
				return -1;
		}
	}
	return 0;
}

/* Note LANG as one replies may be in. */
static void
add_lang(struct sms_lexicon *lex, const char *lang)
{
	size_t i;

	for (i = 0; i < lex->nlangs; i++)
		if (strcmp(lex->langs[i], lang) == 0)
			return;
	if (lang[0] != '\0' &&
	    lex->nlangs < sizeof lex->langs / sizeof lex->langs[0])
		copy_str(lex->langs[lex->nlangs++], sizeof lex->langs[0], lang);
	match_language(lex->m, lang);
}

/* Add the configured irregular forms WS ("FORM BASE") to LEX. 0 or -1. */
static int
add_irregular(struct sms_lexicon *lex, const struct cfg_wordset *ws)
{
	char form[SMS_TOKEN_MAX];
	const char *s, *sp;
	size_t i, j, n;

	for (i = 0; i < ws->n; i++) {
		for (j = 0; j < ws->v[i].words.n; j++) {
			s = ws->v[i].words.v[j];
			if ((sp = strchr(s, ' ')) == NULL ||
			    (n = (size_t)(sp - s)) >= sizeof form)
				continue; /* the config loader refuses these */
			memcpy(form, s, n);
			form[n] = '\0';
			if (match_irregular(
				lex->m, ws->v[i].lang, form, sp + 1) == -1)
				return -1;
		}
	}
	return 0;
}

/* Add everything CFG names to LEX. 0 or -1. */
static int
add_config(struct sms_lexicon *lex, const struct cfg *cfg)
{
	const struct cfg_category *c;
	size_t i;

	for (i = 0; i < cfg->gateway.languages.n; i++) {
		add_lang(lex, cfg->gateway.languages.v[i]);
		if (add_defaults(lex, cfg->gateway.languages.v[i]) == -1)
			return -1;
	}
	for (i = 0; i < CFG_CMD_COUNT; i++) {
		if (add_wordset(lex, (enum sms_kind)i, -1, &cfg->commands[i]) ==
		    -1)
			return -1;
	}
	if (add_irregular(lex, &cfg->irregular) == -1)
		return -1;
	if (cfg->ncategories == 0)
		return 0;
	lex->cats = calloc(cfg->ncategories, sizeof *lex->cats);
	if (lex->cats == NULL)
		return -1;
	lex->ncats = cfg->ncategories;
	for (i = 0; i < cfg->ncategories; i++) {
		c = &cfg->categories[i];
		copy_str(lex->cats[i], sizeof lex->cats[i], c->id);
		if (add_wordset(lex, SMS_HELP, (int)i, &c->keywords) == -1 ||
		    add_word(lex, SMS_HELP, (int)i, "", c->id, 0) == -1)
			return -1;
	}
	return 0;
}

struct sms_lexicon *
sms_lexicon_new(const struct cfg *cfg)
{
	struct sms_lexicon *lex;
	size_t i;

	if ((lex = calloc(1, sizeof *lex)) == NULL)
		return NULL;
	if ((lex->m = match_lexicon_new()) == NULL)
		goto fail;
	if (cfg != NULL) {
		if (add_config(lex, cfg) == -1)
			goto fail;
		return lex;
	}
	for (i = 0; i < sizeof sms_default_langs / sizeof sms_default_langs[0];
	     i++) {
		add_lang(lex, sms_default_langs[i]);
		if (add_defaults(lex, sms_default_langs[i]) == -1)
			goto fail;
	}
	return lex;
fail:
	sms_lexicon_free(lex);
	return NULL;
}

void
sms_lexicon_free(struct sms_lexicon *lex)
{
	size_t i;

	if (lex == NULL)
		return;
	for (i = 0; i < lex->nwords; i++)
		free(lex->words[i].orig);
	free(lex->words);
	free(lex->cats);
	match_lexicon_free(lex->m);
	free(lex);
}

const char *
sms_default_word(enum sms_kind kind, const char *lang)
{
	size_t i;

	if (lang == NULL)
		return NULL;
	for (i = 0; i < sizeof sms_defaults / sizeof sms_defaults[0]; i++) {
		if (sms_defaults[i].kind == kind &&
		    strcmp(sms_defaults[i].lang, lang) == 0)
			return sms_defaults[i].words[0];
	}
	return NULL;
}

size_t
sms_category_words(const struct sms_lexicon *lex, const char *lang,
    const char **out, size_t max)
{
	const struct sms_word *w;
	size_t i, j;

	for (i = 0; i < lex->ncats && i < max; i++) {
		out[i] = lex->cats[i];
		for (j = 0; j < lex->nwords; j++) {
			w = &lex->words[j];
			if (w->cat == (int)i && w->orig != NULL &&
			    lang != NULL && strcmp(w->lang, lang) == 0) {
				out[i] = w->orig;
				break;
			}
		}
	}
	return i;
}

/* Whether W is the words of T from AT on. */
static int
word_matches(const struct sms_word *w, const struct sms_toks *t, size_t at)
{
	size_t i;

	if (at + w->ntok > t->n)
		return 0;
	for (i = 0; i < w->ntok; i++) {
		if (t->v[at + i].toolong ||
		    strcmp(t->v[at + i].fold, w->tok[i]) != 0)
			return 0;
	}
	return 1;
}

/* The longest keyword (of kind WHICH) at word AT of T, or NULL. */
static const struct sms_word *
match(const struct sms_lexicon *lex, const struct sms_toks *t, size_t at,
    enum sms_match which)
{
	const struct sms_word *w, *best = NULL;
	size_t i;

	for (i = 0; i < lex->nwords; i++) {
		w = &lex->words[i];
		if (which == SMS_MATCH_CATEGORY && w->cat < 0)
			continue;
		if (best != NULL && w->ntok <= best->ntok)
			continue; /* commands come first, so they win ties */
		if (word_matches(w, t, at))
			best = w;
	}
	return best;
}

/* Read a code at word AT of T, one word or two; returns the words used. */
static size_t
take_code(const struct sms_toks *t, size_t at, struct sms_cmd *out)
{
	char buf[2 * SMS_TOKEN_MAX];
	enum code_status st;
	size_t n;

	if (at >= t->n || t->v[at].toolong)
		return 0;
	if (at + 1 < t->n && !t->v[at + 1].toolong) {
		n = strlen(t->v[at].fold);
		memcpy(buf, t->v[at].fold, n);
		buf[n] = ' ';
		copy_str(buf + n + 1, sizeof buf - n - 1, t->v[at + 1].fold);
		if ((st = code_parse(buf, out->code)) != CODE_NONE) {
			out->code_status = st;
			return 2;
		}
	}
	if ((st = code_parse(t->v[at].fold, out->code)) != CODE_NONE) {
		out->code_status = st;
		return 1;
	}
	return 0;
}

/* The length of S cut to at most MAX bytes at a character boundary. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = max, back;

	for (back = 0; back < 3 && n > 0; back++) {
		if (((unsigned char)s[n] & 0xc0) != 0x80)
			break;
		n--;
	}
	return n;
}

/* Copy the original text after the first K words of T into OUT->text. */
static void
copy_rest(
    const char *text, const struct sms_toks *t, size_t k, struct sms_cmd *out)
{
	size_t s, n;
	uint32_t cp;

	if (k == 0 || k > t->n)
		return;
	s = t->v[k - 1].raw_end;
	while (s < t->end) {
		n = char_at(text + s, t->end - s, &cp);
		if (!lang_is_space(cp) && !is_break(cp))
			break;
		s += n;
	}
	if (s >= t->end)
		return;
	n = t->end - s;
	if (n >= sizeof out->text)
		n = utf8_cut(text + s, sizeof out->text - 1);
	memcpy(out->text, text + s, n);
	out->text[n] = '\0';
}

/* Whether TOK is a phone number: "+" or not, 7-17 digits, '-' or '.'. */
static int
is_phone(const struct sms_tok *tok)
{
	const char *p = tok->fold;
	size_t digits = 0;

	if (tok->toolong || strlen(p) >= SMS_PHONE_MAX)
		return 0;
	if (*p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != '-' && *p != '.')
			return 0;
	}
	return digits >= SMS_PHONE_DIGITS_MIN && digits <= SMS_PHONE_DIGITS_MAX;
}

/* Whether TOK starts like a number (so it is not a category name). */
static int
is_numeric(const struct sms_tok *tok)
{
	return !tok->toolong &&
	    (tok->fold[0] == '+' ||
		(tok->fold[0] >= '0' && tok->fold[0] <= '9'));
}

/* The number of persons TOK says: 1-99, or 0 when it is not one. */
static int
persons(const struct sms_tok *tok)
{
	size_t n = strlen(tok->fold);
	int v;

	if (tok->toolong || n == 0 || n > 2 ||
	    strspn(tok->fold, "0123456789") != n)
		return 0;
	v = atoi(tok->fold);
	return v >= 1 && v <= 99 ? v : 0;
}

/* REF <category> [phone] [persons], from word K of T. */
static void
parse_ref(const struct sms_lexicon *lex, const char *text,
    const struct sms_toks *t, size_t k, struct sms_cmd *out)
{
	const struct sms_word *c;
	const struct sms_tok *tok;
	size_t n, slot;
	int counted = 0;

	out->persons = 1;
	if ((c = match(lex, t, k, SMS_MATCH_CATEGORY)) != NULL) {
		copy_str(
		    out->category, sizeof out->category, lex->cats[c->cat]);
		k += c->ntok;
	} else if (k < t->n && !is_numeric(&t->v[k]))
		k++; /* an unknown category */
	for (slot = 0; slot < 2 && k < t->n; slot++, k++) {
		tok = &t->v[k];
		if (out->phone[0] == '\0' && is_phone(tok)) {
			n = tok->e - tok->s;
			if (n < sizeof out->phone) {
				memcpy(out->phone, text + tok->s, n);
				out->phone[n] = '\0';
			} else
				copy_str(
				    out->phone, sizeof out->phone, tok->fold);
		} else if (!counted) {
			out->persons = persons(tok);
			counted = 1;
		} else
			break;
	}
}

/* Whether replies may be in LANG. */
static int
known_lang(const struct sms_lexicon *lex, const char *lang)
{
	size_t i;

	for (i = 0; lang[0] != '\0' && i < lex->nlangs; i++)
		if (strcmp(lex->langs[i], lang) == 0)
			return 1;
	return 0;
}

/*
 * OUT->lang from R when not set: the script; else the language of the
 * marker and common words; else that of the keywords matched.
 */
static void
guess_lang(const struct sms_lexicon *lex, const struct match_result *r,
    struct sms_cmd *out)
{
	size_t i;

	if (out->lang[0] != '\0')
		return;
	if (known_lang(lex, r->script)) {
		copy_str(out->lang, sizeof out->lang, r->script);
		return;
	}
	if (known_lang(lex, r->lang)) {
		copy_str(out->lang, sizeof out->lang, r->lang);
		return;
	}
	for (i = 0; i < r->nhits; i++) {
		if (known_lang(lex, r->hits[i].lang)) {
			copy_str(out->lang, sizeof out->lang, r->hits[i].lang);
			return;
		}
	}
	if (r->arabic && known_lang(lex, "ar"))
		copy_str(out->lang, sizeof out->lang, "ar");
}

/* Add category CAT to OUT->cands unless it is there. */
static void
add_cand(const struct sms_lexicon *lex, int cat, struct sms_cmd *out)
{
	size_t i;

	if (cat < 0 || (size_t)cat >= lex->ncats)
		return;
	for (i = 0; i < out->ncands; i++)
		if (strcmp(out->cands[i], lex->cats[cat]) == 0)
			return;
	if (out->ncands < SMS_CANDS_MAX)
		copy_str(out->cands[out->ncands++], sizeof out->cands[0],
		    lex->cats[cat]);
}

/* Copy the whole message, trimmed, into OUT->text. */
static void
copy_all(const char *text, const struct sms_toks *t, struct sms_cmd *out)
{
	size_t s, n;

	if (t->n == 0)
		return;
	s = t->v[0].raw;
	n = t->end - s;
	if (n >= sizeof out->text)
		n = utf8_cut(text + s, sizeof out->text - 1);
	memcpy(out->text, text + s, n);
	out->text[n] = '\0';
}

/*
 * A message without a command but HELP: its category keywords anywhere.
 * FIRST is the category keyword it starts with, or -1; HELP whether it
 * starts with HELP.
 */
static void
parse_free(const struct sms_lexicon *lex, const char *text,
    const struct sms_toks *t, int first, int help, struct sms_cmd *out)
{
	struct match_result r;
	size_t i;

	match_text(lex->m, text, &r);
	guess_lang(lex, &r, out);
	if (!help && r.thanks && !r.need) {
		out->kind = SMS_UNKNOWN; /* a reply, not a request */
		out->quiet = 1;
		out->text[0] = '\0';
		out->category[0] = '\0';
		return;
	}
	add_cand(lex, first, out);
	for (i = 0; i < r.nhits; i++)
		add_cand(lex, r.hits[i].id, out);
	if (out->ncands == 0 && !help && !r.help) {
		out->kind = SMS_UNKNOWN;
		out->text[0] = '\0';
		return;
	}
	out->kind = SMS_HELP;
	if (!help && first < 0)
		copy_all(text, t, out);
	if (out->ncands == 1) {
		copy_str(out->category, sizeof out->category, out->cands[0]);
		out->ncands = 0;
		out->cands[0][0] = '\0';
	}
}

void
sms_parse(const struct sms_lexicon *lex, const char *text, struct sms_cmd *out)
{
	struct sms_toks t;
	const struct sms_word *w, *c;
	size_t k;

	memset(out, 0, sizeof *out);
	out->kind = SMS_UNKNOWN;
	out->code_status = CODE_NONE;
	tokenise(text, strlen(text), &t);
	if (t.total == 0)
		return;
	if ((w = match(lex, &t, 0, SMS_MATCH_ANY)) == NULL) {
		/* A message that is only a code. */
		if ((k = take_code(&t, 0, out)) != 0 && k == t.total) {
			out->kind = SMS_CODE;
			return;
		}
		out->code_status = CODE_NONE;
		out->code[0] = '\0';
		/* A message that is only a digit: a menu answer. */
		if (t.total == 1 && !t.v[0].toolong && t.v[0].fold[0] >= '1' &&
		    t.v[0].fold[0] <= '9' && t.v[0].fold[1] == '\0') {
			out->choice = t.v[0].fold[0] - '0';
			return;
		}
		parse_free(lex, text, &t, -1, 0, out);
		return;
	}
	k = w->ntok;
	if (w->cat >= 0) {
		/* A category keyword first: the rest is its note. */
		copy_rest(text, &t, k, out);
		parse_free(lex, text, &t, w->cat, 0, out);
		return;
	}
	copy_str(out->lang, sizeof out->lang, w->lang);
	out->kind = w->kind;
	switch (w->kind) {
	case SMS_HELP:
		if ((c = match(lex, &t, k, SMS_MATCH_CATEGORY)) != NULL) {
			copy_str(out->category, sizeof out->category,
			    lex->cats[c->cat]);
			k += c->ntok;
			copy_rest(text, &t, k, out);
			break;
		}
		copy_rest(text, &t, k, out);
		parse_free(lex, text, &t, -1, 1, out);
		break;
	case SMS_CODE:
	case SMS_STATUS:
	case SMS_ACK:
		take_code(&t, k, out);
		break;
	case SMS_DECLINE:
	case SMS_CLOSE:
		k += take_code(&t, k, out);
		copy_rest(text, &t, k, out);
		break;
	case SMS_REF:
		parse_ref(lex, text, &t, k, out);
		break;
	default:
		break; /* STOP, START, LIST: the rest does not matter */
	}
}
