/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyword matcher. A message is folded with lang_fold() (case, accents,
 * Arabic and Persian letter variants, diacritics) and cut into words at
 * every character that is not a letter or a digit, so punctuation without a
 * space ("food.please"), French elisions ("d'eau", "j'ai", also with ’)
 * and possessives ("child's") come apart by themselves.
 *
 * Each word is read in a few forms: itself; its base when it is an
 * irregular form ("children" -> "child"); and, in Arabic script, itself
 * without the conjunctions و ف, the prepositions ب ل ك, the article ال (and
 * لل), and without one pronoun or plural suffix (ي ك ه ها نا هم كم ات ون ين
 * ان, Persian های ام اش مان ...), when at least three letters are left.
 * A form matches a keyword when it is the same, when both have the same
 * Snowball stem in the keyword's language (English, French, Arabic; an
 * id is stemmed as English), or, for a word that matched nothing and has
 * five letters or more, when it is one edit (insert, delete, substitute,
 * transpose) from a keyword of five letters or more that starts with the
 * same letter. A typo match counts only when nothing in the message
 * matched without one.
 *
 * Marker words (thanks, ok, received; need, want, please; help; hello) are
 * reported so that the caller can tell a reply from a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "lib/lang.h"
#include "handlers/match.h"

#define MW 64	     /* bytes of a folded word, NUL included */
#define MCP 32	     /* code points of a word that distances look at */
#define MWORDS 96    /* words of a message looked at */
#define MVARIANTS 24 /* forms of one word */
#define MFUZZY_MIN 5 /* letters for a typo match */
#define MSTRIP_MIN 3 /* letters left after Arabic affixes are stripped */
#define MVOTES 8     /* languages told apart in one message */

/* Stemmer languages: index 0 English, 1 French, 2 Arabic. */
enum { ST_EN, ST_FR, ST_AR, ST_COUNT, ST_NONE = -1 };
static const char *const st_algo[ST_COUNT] = { "english", "french", "arabic" };

/* One keyword. */
struct entry {
	int id;
	char lang[MATCH_LANG_MAX];
	int stl; /* stemmer language, or ST_NONE */
	char form[MW];
	char stem[MW]; /* "" when not stemmed */
	unsigned cp[MCP];
	size_t ncp;
};

/* One irregular form and its base, folded. */
struct irregular {
	char lang[MATCH_LANG_MAX];
	char form[MW];
	char base[MW];
};

/* What a marker word says. */
enum marker { MK_THANKS, MK_NEED, MK_HELP, MK_GREETING, MK_WORD };

struct mword {
	enum marker kind;
	char lang[MATCH_LANG_MAX];
	char form[MW];
};

struct match_lexicon {
	struct entry *e;
	size_t n, cap;
	struct irregular *irr;
	size_t nirr, irrcap;
	struct mword *mk;
	size_t nmk, mkcap;
	char langs[MVOTES][MATCH_LANG_MAX]; /* whose marker words count */
	size_t nlangs;
};

/* Built-in irregular forms (folded when the lexicon is made). */
static const char *const builtin_irregular[][3] = {
	{ "en", "children", "child" },
	{ "en", "childs", "child" },
	{ "en", "kids", "child" },
	{ "en", "kid", "child" },
	{ "en", "women", "woman" },
	{ "en", "men", "man" },
	{ "en", "people", "person" },
	{ "en", "feet", "foot" },
	{ "en", "teeth", "tooth" },
	{ "en", "mice", "mouse" },
	{ "en", "geese", "goose" },
	{ "en", "doc", "doctor" },
	{ "en", "dr", "doctor" },
	{ "en", "drs", "doctor" },
	{ "fr", "yeux", "oeil" },
	{ "fr", "travaux", "travail" },
	{ "fr", "chevaux", "cheval" },
	{ "ar", "اطفال", "طفل" },
	{ "ar", "مياه", "ماء" },
	{ "ar", "اطباء", "طبيب" },
	{ "ar", "ادويه", "دواء" },
	{ "ar", "خيام", "خيمه" },
	{ "ar", "نساء", "امراه" },
	{ "fa", "كودكان", "كودك" },
};

/*
 * Built-in marker words; "" for a word of every language (ok), which
 * counts whatever the languages and does not tell one. Thanks words are
 * ones that say a request was met; "got", "arrived" and "fine" are not
 * among them, as in "I got sick" or "we arrived, my child is ill".
 */
static const struct {
	enum marker kind;
	const char *lang;
	const char *word;
} builtin_markers[] = {
	{ MK_THANKS, "en", "thanks" },
	{ MK_THANKS, "en", "thank" },
	{ MK_THANKS, "en", "thx" },
	{ MK_THANKS, "en", "thanx" },
	{ MK_THANKS, "en", "ty" },
	{ MK_THANKS, "", "ok" },
	{ MK_THANKS, "", "okay" },
	{ MK_THANKS, "en", "received" },
	{ MK_THANKS, "en", "bye" },
	{ MK_THANKS, "fr", "merci" },
	{ MK_THANKS, "fr", "recu" },
	{ MK_THANKS, "fr", "recus" },
	{ MK_THANKS, "fr", "recue" },
	{ MK_THANKS, "fr", "accord" },
	{ MK_THANKS, "fr", "daccord" },
	{ MK_THANKS, "ar", "شكرا" },
	{ MK_THANKS, "ar", "مشكور" },
	{ MK_THANKS, "ar", "مشكورين" },
	{ MK_THANKS, "ar", "وصل" },
	{ MK_THANKS, "ar", "وصلت" },
	{ MK_THANKS, "ar", "استلمت" },
	{ MK_THANKS, "ar", "استلمنا" },
	{ MK_THANKS, "ar", "تم" },
	{ MK_THANKS, "ar", "حسنا" },
	{ MK_THANKS, "ar", "تمام" },
	{ MK_THANKS, "ar", "اوكي" },
	{ MK_THANKS, "fa", "ممنون" },
	{ MK_THANKS, "fa", "ممنونم" },
	{ MK_THANKS, "fa", "مرسی" },
	{ MK_THANKS, "fa", "متشکرم" },
	{ MK_THANKS, "fa", "سپاس" },
	{ MK_THANKS, "fa", "سپاسگزارم" },
	{ MK_THANKS, "fa", "گرفتیم" },
	{ MK_THANKS, "fa", "گرفتم" },
	{ MK_THANKS, "fa", "رسید" },
	{ MK_THANKS, "fa", "باشه" },
	{ MK_NEED, "en", "need" },
	{ MK_NEED, "en", "needs" },
	{ MK_NEED, "en", "needed" },
	{ MK_NEED, "en", "want" },
	{ MK_NEED, "en", "please" },
	{ MK_NEED, "en", "pls" },
	{ MK_NEED, "en", "plz" },
	{ MK_HELP, "en", "help" },
	{ MK_HELP, "en", "sos" },
	{ MK_HELP, "fr", "aider" },
	{ MK_HELP, "fr", "secours" },
	{ MK_HELP, "ar", "النجده" },
	{ MK_NEED, "en", "urgent" },
	{ MK_NEED, "en", "send" },
	{ MK_NEED, "en", "no" },
	{ MK_NEED, "en", "more" },
	{ MK_NEED, "en", "still" },
	{ MK_NEED, "en", "again" },
	{ MK_NEED, "fr", "besoin" },
	{ MK_NEED, "fr", "veux" },
	{ MK_NEED, "fr", "voudrais" },
	{ MK_NEED, "fr", "voulons" },
	{ MK_NEED, "fr", "svp" },
	{ MK_NEED, "fr", "stp" },
	{ MK_HELP, "fr", "aide" },
	{ MK_HELP, "fr", "aidez" },
	{ MK_NEED, "fr", "urgence" },
	{ MK_NEED, "fr", "manque" },
	{ MK_NEED, "fr", "manquons" },
	{ MK_NEED, "fr", "pas" },
	{ MK_NEED, "fr", "encore" },
	{ MK_NEED, "fr", "plus" },
	{ MK_NEED, "ar", "نحتاج" },
	{ MK_NEED, "ar", "احتاج" },
	{ MK_NEED, "ar", "بحاجه" },
	{ MK_NEED, "ar", "محتاج" },
	{ MK_NEED, "ar", "نريد" },
	{ MK_NEED, "ar", "اريد" },
	{ MK_NEED, "ar", "ارجو" },
	{ MK_HELP, "ar", "ساعدني" },
	{ MK_HELP, "ar", "ساعدونا" },
	{ MK_HELP, "ar", "مساعده" },
	{ MK_NEED, "ar", "عاجل" },
	{ MK_NEED, "ar", "لا" },
	{ MK_NEED, "ar", "يوجد" },
	{ MK_NEED, "fa", "نیاز" },
	{ MK_NEED, "fa", "لطفا" },
	{ MK_HELP, "fa", "کمک" },
	{ MK_NEED, "fa", "میخواهم" },
	{ MK_NEED, "fa", "میخوام" },
	{ MK_NEED, "fa", "داریم" },
	{ MK_NEED, "fa", "نداریم" },
	{ MK_NEED, "fa", "لازم" },
	{ MK_NEED, "fa", "فوری" },
	{ MK_GREETING, "en", "hello" },
	{ MK_GREETING, "en", "hi" },
	{ MK_GREETING, "en", "hey" },
	{ MK_GREETING, "en", "morning" },
	{ MK_GREETING, "fr", "bonjour" },
	{ MK_GREETING, "fr", "salut" },
	{ MK_GREETING, "fr", "bonsoir" },
	{ MK_GREETING, "ar", "مرحبا" },
	{ MK_GREETING, "ar", "سلام" },
	{ MK_GREETING, "ar", "اهلا" },
	{ MK_GREETING, "ar", "السلام" },
	{ MK_GREETING, "fa", "درود" },
	/* Common words that only tell the language. */
	{ MK_WORD, "en", "the" },
	{ MK_WORD, "en", "you" },
	{ MK_WORD, "en", "are" },
	{ MK_WORD, "en", "we" },
	{ MK_WORD, "en", "my" },
	{ MK_WORD, "en", "is" },
	{ MK_WORD, "en", "am" },
	{ MK_WORD, "en", "for" },
	{ MK_WORD, "en", "yes" },
	{ MK_WORD, "en", "at" },
	{ MK_WORD, "fr", "je" },
	{ MK_WORD, "fr", "nous" },
	{ MK_WORD, "fr", "le" },
	{ MK_WORD, "fr", "la" },
	{ MK_WORD, "fr", "les" },
	{ MK_WORD, "fr", "des" },
	{ MK_WORD, "fr", "une" },
	{ MK_WORD, "fr", "un" },
	{ MK_WORD, "fr", "est" },
	{ MK_WORD, "fr", "pour" },
	{ MK_WORD, "fr", "oui" },
	{ MK_WORD, "fr", "mon" },
	{ MK_WORD, "fr", "ma" },
	{ MK_WORD, "fr", "mes" },
	{ MK_WORD, "fr", "avons" },
	{ MK_WORD, "fr", "ai" },
	{ MK_WORD, "fa", "است" },
	{ MK_WORD, "fa", "هستیم" },
	{ MK_WORD, "fa", "هستند" },
	{ MK_WORD, "fa", "را" },
	{ MK_WORD, "fa", "خیلی" },
	{ MK_WORD, "ar", "نحن" },
	{ MK_WORD, "ar", "في" },
	{ MK_WORD, "ar", "عند" },
};

/* Arabic-script letters after lang_fold(). */
#define AR_ALEF 0x0627u
#define AR_BEH 0x0628u
#define AR_FEH 0x0641u
#define AR_KAF 0x0643u
#define AR_LAM 0x0644u
#define AR_WAW 0x0648u

/* Suffixes stripped from Arabic-script words, longest first; folded. */
static const char *const ar_suffixes[] = { "هما", "كما", "هاي", "مان", "تان",
	"شان", "ها", "نا", "هم", "هن", "كم", "كن", "ني", "ات", "ون", "ين", "ان",
	"ام", "اش", "ي", "ك", "ه" };

/* The stemmer language of LANG, or ST_NONE. */
static int
stem_lang(const char *lang)
{
	if (lang[0] == '\0' || strcmp(lang, "en") == 0)
		return ST_EN;
	if (strcmp(lang, "fr") == 0)
		return ST_FR;
	if (strcmp(lang, "ar") == 0)
		return ST_AR;
	return ST_NONE;
}

/* Whether CP is part of a word (a letter, a digit or a mark). */
static int
is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= '0' && cp <= '9');
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
		return 0;
	if (cp == 0x060c || cp == 0x061b || cp == 0x061f ||
	    (cp >= 0x066a && cp <= 0x066d) || cp == 0x06d4)
		return 0; /* Arabic punctuation */
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
	    (cp >= 0xfe10 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff20) ||
	    cp >= 0x1f000)
		return 0; /* punctuation, symbols, emoji */
	return 1;
}

static int
is_arabic(uint32_t cp)
{
	return cp >= 0x0600 && cp <= 0x06ff;
}

/* Copy S into DST of MW bytes, cut to fit. */
static void
copy_word(char dst[MW], const char *s)
{
	size_t n = strlen(s);

	if (n >= MW)
		n = MW - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The code points of the UTF-8 word S into CP (at most MCP); the count. */
static size_t
to_cps(const char *s, unsigned cp[MCP])
{
	size_t i = 0, n, len = strlen(s), k = 0;
	uint32_t c;

	while (i < len && k < MCP) {
		if ((n = lang_utf8_decode(s + i, len - i, &c)) == 0)
			break;
		cp[k++] = c;
		i += n;
	}
	return k;
}

/* Encode the code points CP (N) as UTF-8 into DST (MW bytes). */
static void
from_cps(const unsigned *cp, size_t n, char dst[MW])
{
	size_t i, o = 0;
	unsigned c;

	for (i = 0; i < n; i++) {
		c = cp[i];
		if (c < 0x80) {
			if (o + 1 >= MW)
				break;
			dst[o++] = (char)c;
		} else if (c < 0x800) {
			if (o + 2 >= MW)
				break;
			dst[o++] = (char)(0xc0 | (c >> 6));
			dst[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			if (o + 3 >= MW)
				break;
			dst[o++] = (char)(0xe0 | (c >> 12));
			dst[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			dst[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			if (o + 4 >= MW)
				break;
			dst[o++] = (char)(0xf0 | (c >> 18));
			dst[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
			dst[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			dst[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	dst[o] = '\0';
}

/*
 * Fold WORD into OUT (MW bytes) as one word: 0, or 1 when it is empty or
 * more than one word.
 */
static int
fold_one(const char *word, char out[MW])
{
	size_t i, n, len;
	uint32_t cp;
	char buf[MW * 2];

	lang_fold(word, buf, sizeof buf);
	len = strlen(buf);
	if (len == 0 || len >= MW)
		return 1;
	for (i = 0; i < len; i += n) {
		if ((n = lang_utf8_decode(buf + i, len - i, &cp)) == 0 ||
		    !is_letter(cp))
			return 1;
	}
	memcpy(out, buf, len + 1);
	return 0;
}

/* STEMMER's stem of WORD into OUT (MW bytes); "" when it cannot. */
static void
stem_with(struct sb_stemmer *st, const char *word, char out[MW])
{
	const sb_symbol *s;
	int n;

	out[0] = '\0';
	if (st == NULL)
		return;
	s = sb_stemmer_stem(st, (const sb_symbol *)word, (int)strlen(word));
	if (s == NULL || (n = sb_stemmer_length(st)) <= 0 || n >= MW)
		return;
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
}

/* Grow *V (of *CAP items of SIZE) to hold N + 1; 0 or -1. */
static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap != 0 ? *cap * 2 : 32;
	if ((p = reallocarray(*v, c, size)) == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* Add the folded FORM as an entry; 0 or -1. */
static int
add_entry(struct match_lexicon *lex, int id, const char *lang, const char *form)
{
	struct sb_stemmer *st;
	struct entry *e;

	if (grow((void **)&lex->e, &lex->cap, lex->n, sizeof *lex->e) == -1)
		return -1;
	e = &lex->e[lex->n];
	memset(e, 0, sizeof *e);
	e->id = id;
	snprintf(e->lang, sizeof e->lang, "%s", lang);
	copy_word(e->form, form);
	e->ncp = to_cps(e->form, e->cp);
	e->stl = stem_lang(lang);
	if (e->stl != ST_NONE) {
		/* Only while the lexicon is built: one stemmer, one thread. */
		st = sb_stemmer_new(st_algo[e->stl], "UTF_8");
		if (st == NULL)
			return -1;
		stem_with(st, e->form, e->stem);
		sb_stemmer_delete(st);
	}
	lex->n++;
	return 0;
}

int
match_add(
    struct match_lexicon *lex, int id, const char *lang, const char *keyword)
{
	char form[MW];
	unsigned cp[MCP];
	size_t n;

	if (fold_one(keyword, form) != 0)
		return 1;
	if (add_entry(lex, id, lang, form) == -1)
		return -1;
	/* An Arabic keyword written with its article also matches without. */
	n = to_cps(form, cp);
	if (n >= 2 + MSTRIP_MIN && cp[0] == AR_ALEF && cp[1] == AR_LAM) {
		from_cps(cp + 2, n - 2, form);
		if (add_entry(lex, id, lang, form) == -1)
			return -1;
	}
	return 0;
}

int
match_irregular(struct match_lexicon *lex, const char *lang, const char *form,
    const char *base)
{
	struct irregular *r;
	char f[MW], b[MW];

	if (fold_one(form, f) != 0 || fold_one(base, b) != 0)
		return 1;
	if (grow((void **)&lex->irr, &lex->irrcap, lex->nirr, sizeof *r) == -1)
		return -1;
	r = &lex->irr[lex->nirr++];
	snprintf(r->lang, sizeof r->lang, "%s", lang);
	memcpy(r->form, f, sizeof r->form);
	memcpy(r->base, b, sizeof r->base);
	return 0;
}

/* Add a marker word; 0 or -1. */
static int
add_marker(struct match_lexicon *lex, enum marker kind, const char *lang,
    const char *word)
{
	struct mword *m;
	char f[MW];

	if (fold_one(word, f) != 0)
		return 0;
	if (grow((void **)&lex->mk, &lex->mkcap, lex->nmk, sizeof *m) == -1)
		return -1;
	m = &lex->mk[lex->nmk++];
	m->kind = kind;
	snprintf(m->lang, sizeof m->lang, "%s", lang);
	memcpy(m->form, f, sizeof m->form);
	return 0;
}

struct match_lexicon *
match_lexicon_new(void)
{
	struct match_lexicon *lex;
	size_t i;

	if ((lex = calloc(1, sizeof *lex)) == NULL)
		return NULL;
	for (i = 0; i < sizeof builtin_irregular / sizeof builtin_irregular[0];
	     i++) {
		if (match_irregular(lex, builtin_irregular[i][0],
			builtin_irregular[i][1], builtin_irregular[i][2]) == -1)
			goto fail;
	}
	for (i = 0; i < sizeof builtin_markers / sizeof builtin_markers[0];
	     i++) {
		if (add_marker(lex, builtin_markers[i].kind,
			builtin_markers[i].lang, builtin_markers[i].word) == -1)
			goto fail;
	}
	return lex;
fail:
	match_lexicon_free(lex);
	return NULL;
}

void
match_lexicon_free(struct match_lexicon *lex)
{
	if (lex == NULL)
		return;
	free(lex->e);
	free(lex->irr);
	free(lex->mk);
	free(lex);
}

int
match_distance(const unsigned *a, size_t la, const unsigned *b, size_t lb)
{
	unsigned d[MCP + 1][MCP + 1];
	size_t i, j;
	unsigned cost, v;

	if (la > MCP || lb > MCP)
		return 2;
	if ((la > lb ? la - lb : lb - la) > 1)
		return 2;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > 2 ? 2 : (int)d[la][lb];
}

/* The forms of one word a message is read in. */
struct variants {
	char v[MVARIANTS][MW];
	size_t n;
};

static void
variant_add(struct variants *vs, const char *s)
{
	size_t i;

	if (s[0] == '\0' || vs->n == MVARIANTS)
		return;
	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i], s) == 0)
			return;
	copy_word(vs->v[vs->n++], s);
}

/* Whether the code points CP (N) end with the folded suffix SUF. */
static size_t
ends_with(const unsigned *cp, size_t n, const char *suf)
{
	unsigned s[MCP];
	size_t k = to_cps(suf, s);

	if (k == 0 || k > n || memcmp(cp + n - k, s, k * sizeof *s) != 0)
		return 0;
	return k;
}

/* Add CP (N) and it without one suffix, each when long enough. */
static void
add_suffixed(struct variants *vs, const unsigned *cp, size_t n, int stripped)
{
	char buf[MW];
	size_t i, k;

	if (n >= MSTRIP_MIN || !stripped) {
		from_cps(cp, n, buf);
		variant_add(vs, buf);
	}
	for (i = 0; i < sizeof ar_suffixes / sizeof ar_suffixes[0]; i++) {
		if ((k = ends_with(cp, n, ar_suffixes[i])) != 0 &&
		    n - k >= MSTRIP_MIN) {
			from_cps(cp, n - k, buf);
			variant_add(vs, buf);
		}
	}
}

/* The Arabic-script forms of the word CP (N): affixes stripped. */
static void
arabic_variants(struct variants *vs, const unsigned *cp, size_t n)
{
	static const unsigned conj[] = { 0, AR_WAW, AR_FEH };
	static const unsigned prep[] = { 0, AR_BEH, AR_LAM, AR_KAF };
	size_t c, p, a, i, j, k;

	for (c = 0; c < 3; c++) {
		i = 0;
		if (conj[c] != 0) {
			if (n < 1 || cp[0] != conj[c])
				continue;
			i = 1;
		}
		for (p = 0; p < 4; p++) {
			j = i;
			if (prep[p] != 0) {
				if (j >= n || cp[j] != prep[p])
					continue;
				j++;
			}
			for (a = 0; a < 3; a++) {
				k = j;
				if (a == 1) { /* ال */
					if (k + 1 >= n || cp[k] != AR_ALEF ||
					    cp[k + 1] != AR_LAM)
						continue;
					k += 2;
				} else if (a == 2) { /* لل: ل and ال */
					if (prep[p] != AR_LAM || k >= n ||
					    cp[k] != AR_LAM)
						continue;
					k += 1;
				}
				add_suffixed(vs, cp + k, n - k, k > 0);
			}
		}
	}
}

/* Every form WORD (folded) is read in, for the languages of LEX. */
static void
word_variants(
    const struct match_lexicon *lex, const char *word, struct variants *vs)
{
	unsigned cp[MCP];
	size_t n, i, j;

	vs->n = 0;
	variant_add(vs, word);
	n = to_cps(word, cp);
	if (n > 0 && is_arabic(cp[0]))
		arabic_variants(vs, cp, n);
	/* Irregular forms, of the word and of its stripped forms. */
	for (j = 0, n = vs->n; j < n; j++) {
		for (i = 0; i < lex->nirr; i++)
			if (strcmp(lex->irr[i].form, vs->v[j]) == 0)
				variant_add(vs, lex->irr[i].base);
	}
}

/* The stemmers one match_text() call uses, made when first needed. */
struct stemmers {
	struct sb_stemmer *s[ST_COUNT];
	int tried[ST_COUNT];
};

static struct sb_stemmer *
stemmer(struct stemmers *ss, int l)
{
	if (!ss->tried[l]) {
		ss->tried[l] = 1;
		ss->s[l] = sb_stemmer_new(st_algo[l], "UTF_8");
	}
	return ss->s[l];
}

/* How a word matched an entry. */
enum how { HOW_NONE, HOW_FUZZY, HOW_STEM, HOW_EXACT };

/* The best entry the forms VS match, and how; NULL for none. */
static const struct entry *
best_entry(const struct match_lexicon *lex, const struct variants *vs,
    struct stemmers *ss, enum how *how)
{
	char stems[MVARIANTS][ST_COUNT][MW];
	int done[MVARIANTS][ST_COUNT];
	const struct entry *e;
	size_t i, v;
	int l, arabic;
	unsigned cp[MCP];

	memset(done, 0, sizeof done);
	*how = HOW_NONE;
	for (i = 0; i < lex->n; i++)
		for (v = 0; v < vs->n; v++)
			if (strcmp(lex->e[i].form, vs->v[v]) == 0) {
				*how = HOW_EXACT;
				return &lex->e[i];
			}
	for (i = 0; i < lex->n; i++) {
		e = &lex->e[i];
		if ((l = e->stl) == ST_NONE || e->stem[0] == '\0')
			continue;
		for (v = 0; v < vs->n; v++) {
			to_cps(vs->v[v], cp);
			arabic = is_arabic(cp[0]);
			if (arabic != (l == ST_AR))
				continue;
			if (!done[v][l]) {
				stem_with(
				    stemmer(ss, l), vs->v[v], stems[v][l]);
				done[v][l] = 1;
			}
			if (strcmp(stems[v][l], e->stem) == 0) {
				*how = HOW_STEM;
				return e;
			}
		}
	}
	return NULL;
}

/* The entry one typo from the word WORD, or NULL. */
static const struct entry *
fuzzy_entry(const struct match_lexicon *lex, const char *word)
{
	unsigned cp[MCP];
	size_t n, i;
	const struct entry *e;

	if ((n = to_cps(word, cp)) < MFUZZY_MIN || n >= MCP)
		return NULL;
	for (i = 0; i < lex->n; i++) {
		e = &lex->e[i];
		if (e->ncp < MFUZZY_MIN || e->cp[0] != cp[0])
			continue;
		if (match_distance(cp, n, e->cp, e->ncp) <= 1)
			return e;
	}
	return NULL;
}

/* Words seen per language, to tell the language of a message. */
struct votes {
	char lang[MVOTES][MATCH_LANG_MAX];
	int n[MVOTES];
	size_t count;
};

static void
vote(struct votes *vt, const char *lang)
{
	size_t i;

	for (i = 0; i < vt->count; i++)
		if (strcmp(vt->lang[i], lang) == 0) {
			vt->n[i]++;
			return;
		}
	if (vt->count == MVOTES)
		return;
	snprintf(vt->lang[vt->count], MATCH_LANG_MAX, "%s", lang);
	vt->n[vt->count++] = 1;
}

/* Whether LANG is one of LEX's languages. */
static int
has_lang(const struct match_lexicon *lex, const char *lang)
{
	size_t i;

	for (i = 0; i < lex->nlangs; i++)
		if (strcmp(lex->langs[i], lang) == 0)
			return 1;
	return 0;
}

int
match_language(struct match_lexicon *lex, const char *lang)
{
	if (has_lang(lex, lang))
		return 0;
	if (lang[0] == '\0' || strlen(lang) >= MATCH_LANG_MAX ||
	    lex->nlangs == MVOTES)
		return 1;
	snprintf(lex->langs[lex->nlangs++], MATCH_LANG_MAX, "%s", lang);
	return 0;
}

/* Note a marker word in VS, if any, into OUT and VOTES. */
static void
markers(const struct match_lexicon *lex, const struct variants *vs,
    struct match_result *out, struct votes *votes)
{
	size_t i, v;
	const struct mword *m;

	for (i = 0; i < lex->nmk; i++) {
		m = &lex->mk[i];
		if (m->lang[0] != '\0' && !has_lang(lex, m->lang))
			continue;
		for (v = 0; v < vs->n; v++) {
			if (strcmp(m->form, vs->v[v]) != 0)
				continue;
			if (m->kind == MK_THANKS)
				out->thanks = 1;
			else if (m->kind == MK_NEED)
				out->need = 1;
			else if (m->kind == MK_HELP)
				out->need = out->help = 1;
			else if (m->kind == MK_GREETING)
				out->greeting = 1;
			if (m->lang[0] != '\0')
				vote(votes, m->lang);
			return;
		}
	}
}

/* Add a hit for E unless its id is there already. */
static void
add_hit(struct match_result *out, const struct entry *e, int fuzzy)
{
	size_t i;

	for (i = 0; i < out->nhits; i++)
		if (out->hits[i].id == e->id) {
			if (out->hits[i].lang[0] == '\0')
				snprintf(out->hits[i].lang,
				    sizeof out->hits[i].lang, "%s", e->lang);
			return;
		}
	if (out->nhits == MATCH_HITS_MAX)
		return;
	out->hits[out->nhits].id = e->id;
	snprintf(out->hits[out->nhits].lang, sizeof out->hits[0].lang, "%s",
	    e->lang);
	out->hits[out->nhits].fuzzy = fuzzy;
	out->nhits++;
}

/* The script language of the raw TEXT: "ar", "fa", "fr" or "". */
static int
script_lang(const char *text, char out[MATCH_LANG_MAX])
{
	size_t i = 0, n, len = strlen(text);
	int arabic = 0, fa = 0, ar = 0, fr = 0;
	uint32_t cp;

	while (i < len) {
		if ((n = lang_utf8_decode(text + i, len - i, &cp)) == 0) {
			i++;
			continue;
		}
		i += n;
		if (is_arabic(cp))
			arabic++;
		if (cp == 0x067e || cp == 0x0686 || cp == 0x0698 ||
		    cp == 0x06af || cp == 0x06a9 || cp == 0x06cc)
			fa++; /* پ چ ژ گ ک ی */
		else if (cp == 0x0629 || cp == 0x0649 || cp == 0x064a ||
		    cp == 0x0643)
			ar++; /* ة ى ي ك */
		else if (strchr("\xe0\xe2\xe7\xe8\xe9\xea\xeb\xee\xef\xf4\xf9"
				"\xfb\xc0\xc2\xc7\xc8\xc9\xca\xcb\xce\xcf\xd4"
				"\xd9\xdb",
			     (int)cp) != NULL &&
		    cp >= 0xc0 && cp <= 0xff)
			fr++; /* à â ç è é ê ë î ï ô ù û */
		else if (cp == 0x0152 || cp == 0x0153)
			fr++; /* Œ œ */
	}
	if (arabic > 0 && fa != ar)
		snprintf(out, MATCH_LANG_MAX, "%s", fa > ar ? "fa" : "ar");
	else if (arabic > 0)
		out[0] = '\0'; /* Arabic or Persian: the words will tell */
	else if (fr > 0)
		snprintf(out, MATCH_LANG_MAX, "fr");
	else
		out[0] = '\0';
	return arabic > 0;
}

void
match_text(
    const struct match_lexicon *lex, const char *text, struct match_result *out)
{
	char folded[MATCH_TEXT_MAX], words[MWORDS][MW], word[MW];
	struct stemmers ss;
	struct variants vs;
	struct votes votes;
	const struct entry *e;
	enum how how;
	size_t len, i, n, w = 0, nw = 0, nmiss = 0, k;
	int toolong = 0, exact = 0;
	uint32_t cp;

	memset(out, 0, sizeof *out);
	memset(&ss, 0, sizeof ss);
	memset(&votes, 0, sizeof votes);
	out->arabic = script_lang(text, out->script);
	len = lang_foldn(
	    text, strnlen(text, MATCH_TEXT_MAX), folded, sizeof folded);
	for (i = 0; i <= len; i += n) {
		n = 1;
		if (i < len &&
		    (n = lang_utf8_decode(folded + i, len - i, &cp)) != 0 &&
		    is_letter(cp)) {
			if (w + n < MW)
				memcpy(word + w, folded + i, n);
			else
				toolong = 1;
			w += n;
			continue;
		}
		if (n == 0)
			n = 1;
		if (w == 0)
			continue;
		word[w < MW ? w : MW - 1] = '\0';
		w = 0;
		out->nwords++;
		if (toolong || nw == MWORDS) {
			toolong = 0;
			continue;
		}
		if (strspn(word, "0123456789") == strlen(word))
			continue;
		word_variants(lex, word, &vs);
		markers(lex, &vs, out, &votes);
		if ((e = best_entry(lex, &vs, &ss, &how)) != NULL) {
			add_hit(out, e, 0);
			exact = 1;
		} else
			copy_word(words[nmiss++], word);
		nw++;
	}
	/* One typo counts only when nothing matched without one. */
	for (k = 0; !exact && k < nmiss; k++)
		if ((e = fuzzy_entry(lex, words[k])) != NULL)
			add_hit(out, e, 1);
	for (k = 0; k < ST_COUNT; k++)
		if (ss.s[k] != NULL)
			sb_stemmer_delete(ss.s[k]);
	/* The language most marker words are in; the first on a tie. */
	for (k = 0, i = 0; k < votes.count; k++)
		if (votes.n[k] > votes.n[i])
			i = k;
	if (votes.count > 0)
		snprintf(out->lang, sizeof out->lang, "%s", votes.lang[i]);
}
