/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the case decisions (handlers/cases*.c) through
 * cases_decide_view(), with no Redis: the first three bytes choose the
 * sender (a migrant, either agency, the coordinator, a sender name), the
 * state of case 1487-6842 in the view (none, with WFP, acknowledged,
 * closed, with UNHCR after WFP declined, escalated) and the sender's
 * record (opted out, the day's cases used up, the hour's replies used
 * up); the rest is the SMS text. A read the view lacks is answered empty,
 * as Redis answers a missing key, and the decision made again.
 *
 * Promises: a decision never fails without Redis; it reads what it needs
 * within CASES_ROUNDS rounds; an operation it makes is one apply_describe()
 * prints whole (every line a known effect), whose SMS all have a text and
 * leave the channel to be chosen when they are queued, and whose audit subject, actor and action hold no
 * newline; a sender name is never answered.
 *
 * With the top bit of the third byte set, the input is instead an agency's
 * step through the API (cases_act_view()): the first byte chooses WFP or
 * UNHCR and a template, bits 3-5 of the third the verb, the rest the text
 * (at most 400 bytes, as the API takes), the migrant's record opted out
 * by bit 0; the verb may be the coordinator's CASES_REASSIGN, to WFP or
 * UNHCR. Promises: it never fails, a note queues no SMS, an SMS to the
 * person goes to the case's number only, and not when it opted out, and
 * a reassignment sends the person nothing.
 *
 * `make check` replays tests/fuzz/corpus/cases/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "lib/crypto.h"
#include "store/store.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "handlers/sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char fuzz_conf[] =
    "gateway: { instance = \"t\"; country_code = \"256\";\n"
    "  languages = [\"en\", \"fr\", \"ar\"]; };\n"
    "redis: { url = \"unix:///nonexistent\"; };\n"
    "http: { listen = \"127.0.0.1:0\"; };\n"
    "channels = ( { name = \"agg\"; type = \"http\";\n"
    "  url = \"http://127.0.0.1:9/send\"; } );\n"
    "agencies = (\n"
    "  { id = \"wfp\"; name = \"WFP\"; phones = [\"+256700000101\"]; },\n"
    "  { id = \"unhcr\"; name = \"UNHCR\"; phones = [\"+256700000102\"]; } );\n"
    "categories = (\n"
    "  { id = \"food\"; agencies = [\"wfp\", \"unhcr\"]; priority = 3;\n"
    "    keywords = { en = [\"FOOD\"]; fr = [\"NOURRITURE\"]; }; },\n"
    "  { id = \"child\"; agencies = [\"unhcr\"]; priority = 1;\n"
    "    sms_label = \"support\"; keywords = { en = [\"CHILD\"]; }; } );\n"
    "officials = ( { phone = \"+256700000201\"; name = \"A\";\n"
    "  pin_hash = \"$6$s$h\"; } );\n"
    "coordinator: { phones = [\"+256700000301\"]; };\n"
    "limits: { cases_per_day = 3; replies_per_hour = 5; };\n";

static const char *const fuzz_senders[] = { "+256700000001", "+256700000101",
	"+256700000102", "+256700000301", "+256700000201", "NEWS" };

/* What every input uses, made on the first. */
struct fuzz {
	struct cfg *cfg;
	struct crypto_key *key;
	struct sms_lexicon *lex;
	char migrant[CRYPTO_SHA256_HEX];
	char *phone;		 /* the migrant's number, sealed */
	char code[CODE_LEN + 1]; /* the case in the view: 14876842 */
};

static struct fuzz *
fuzz_get(void)
{
	static struct fuzz f;
	unsigned char secret[CRYPTO_SECRET_LEN];
	char dir[] = "/tmp/hbm-fuzz-cases.XXXXXX", path[64], *cause = NULL;
	FILE *fp;

	if (f.cfg != NULL)
		return &f;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs(fuzz_conf, fp);
	fclose(fp);
	f.cfg = cfg_load(path, &cause);
	unlink(path);
	rmdir(dir);
	if (f.cfg == NULL) {
		fprintf(stderr, "fuzz_cases: %s\n", cause);
		abort();
	}
	memset(secret, 7, sizeof(secret));
	f.key = crypto_key_from_bytes(secret);
	f.lex = sms_lexicon_new(f.cfg);
	crypto_phone_hash(f.key, fuzz_senders[0], f.migrant);
	f.phone = crypto_seal(f.key, fuzz_senders[0], strlen(fuzz_senders[0]));
	code_from_random((const unsigned char[8]){ 1, 2, 3, 4, 5, 6 }, f.code);
	return &f;
}

/* An array reply of the N strings V. */
static struct store_reply *
fuzz_reply(const char *const *v, size_t n)
{
	return store_reply_strings(v, n);
}

/* The case in state S (1-5), as the view holds it. */
static struct store_reply *
fuzz_case(const struct fuzz *f, int s)
{
	static const char *const status[] = { "", "notified", "acknowledged",
		"closed", "notified", "notified" };
	static const char *const agency[] = { "", "wfp", "wfp", "wfp", "unhcr",
		"" };
	const char *v[] = { "code", f->code, "kind", "relief", "category",
		"food", "status", status[s], "agency", agency[s], "num",
		f->migrant, "phone", f->phone, "lang", "en", "consent", "1",
		"priority", "3", "persons", "1", "created_ms", "1799999000000",
		"due_ms", "1800000900000", "stage", s == 5 ? "2" : "0",
		"escalated", s == 5 ? "1" : "0", "ver", "4", "tried",
		s >= 4 ? "wfp" : "" };

	return fuzz_reply(v, sizeof(v) / sizeof(v[0]));
}

/* The sender's record from FLAGS. */
static struct store_reply *
fuzz_num(unsigned flags)
{
	const char *v[12];
	size_t n = 0;

	v[n++] = "ver";
	v[n++] = "3";
	if (flags & 1) {
		v[n++] = "optout";
		v[n++] = "1";
	}
	if (flags & 2) {
		v[n++] = "case_ms";
		v[n++] = "1799999999000";
		v[n++] = "case_n";
		v[n++] = "3";
	}
	if (flags & 4) {
		v[n++] = "reply_ms";
		v[n++] = "1799999999000";
		v[n++] = "reply_n";
		v[n++] = "5";
	}
	return fuzz_reply(v, n);
}

/* The answer to the read CASES_READ_OPEN SEALED. */
static struct store_reply *
fuzz_opened(const struct fuzz *f, const char *sealed)
{
	struct store_reply *r;
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (crypto_open(f->key, sealed, &plain, &len, &cause) == -1) {
		free(cause);
		free(plain);
		return fuzz_reply(NULL, 0);
	}
	r = fuzz_reply((const char *const *)&plain, 1);
	free(plain);
	return r;
}

/* A sealed value opened for apply_describe(), newlines shown as "\\n". */
static char *
fuzz_open(void *arg, const char *v)
{
	char *plain = NULL, *cause = NULL, *o;
	size_t len, i, n = 0;

	if (crypto_open(arg, v, &plain, &len, &cause) == -1) {
		free(cause);
		free(plain);
		return NULL;
	}
	if ((o = malloc(2 * len + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		if (plain[i] == '\n') {
			o[n++] = '\\';
			o[n++] = 'n';
		} else
			o[n++] = plain[i];
	}
	o[n] = '\0';
	free(plain);
	return o;
}

/*
 * The SMS effect LINE ("sms [TO] HASH [TEXT] CHANNEL KIND", LEN bytes): no
 * channel chosen by the decision (apply_set_router()), never an empty
 * text. The last ']' ends TEXT, whatever TEXT holds (an agency's free
 * text may hold anything).
 */
static void
fuzz_check_sms(const char *line, size_t len)
{
	const char *end = line + len, *to, *text, *rb;

	if ((to = memmem(line, len, "] ", 2)) == NULL ||
	    (text = memmem(to + 2, (size_t)(end - to - 2), " [", 2)) == NULL ||
	    (rb = memrchr(line, ']', len)) == NULL)
		abort();
	if (rb <= text + 2 || end - rb < 3 || rb[1] != ' ' || rb[2] != ' ')
		abort();
}

/* Every line of OUT is a known effect, kept to what the promises say. */
static void
fuzz_check(const char *out)
{
	static const char *const ops[] = { "guard ", "absent ", "hset ",
		"hincr ", "expire ", "zadd ", "zrem ", "history ", "sms ",
		"audit " };
	const char *line, *nl;
	size_t i;

	for (line = out; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			abort(); /* every effect ends its line */
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (strncmp(line, ops[i], strlen(ops[i])) == 0)
				break;
		if (i == sizeof(ops) / sizeof(ops[0]))
			abort();
		if (strncmp(line, "sms ", 4) == 0)
			fuzz_check_sms(line, (size_t)(nl - line));
	}
}

/* Answer every read VIEW lacks as Redis would from an empty database. */
static void
fuzz_fill(const struct fuzz *f, struct cases_view *view)
{
	struct store_reply *empty;
	size_t i;

	/* what the view lacks is not in Redis either; a number to open
	 * is opened, as the loader does */
	for (i = 0; i < view->n; i++)
		if (view->reads[i].reply == NULL) {
			empty =
			    strcmp(view->reads[i].query, CASES_READ_OPEN) == 0
			    ? fuzz_opened(f,
				  view->reads[i].query +
				      sizeof(CASES_READ_OPEN))
			    : fuzz_reply(NULL, 0);
			view->reads[i].reply = empty;
			view->need--;
		}
}

/* 1 when an SMS effect of the operation OUT (described) goes to HASH. */
static int
fuzz_sms_to(const char *out, const char *hash)
{
	const char *l;
	size_t n;

	for (l = out; *l != '\0'; l += n + (l[n] == '\n')) {
		n = strcspn(l, "\n");
		if (strncmp(l, "sms ", 4) == 0 &&
		    memmem(l, n, hash, strlen(hash)) != NULL)
			return 1;
	}
	return 0;
}

/* An agency's step through the API on the case in state S (see above). */
static void
fuzz_act(const struct fuzz *f, const uint8_t *data, int s, char *text)
{
	static const char *const tmpl[] = { NULL, "person_contact",
		"person_visit", "ack_confirm" };
	struct cases_action act;
	struct cases_view view;
	enum cases_outcome outcome;
	struct apply *a = NULL;
	char key[KEY_MAX], *cause = NULL, *out = NULL, *sms;
	size_t len = 0;
	int rc, rounds;
	FILE *fp;

	if (strlen(text) > 400)
		text[400] = '\0';
	memset(&act, 0, sizeof(act));
	act.opid = "api:fuzz";
	act.agency = data[0] & 1 ? "wfp" : "unhcr";
	act.verb = (enum cases_verb)(((data[2] >> 3) & 7) % 6);
	act.code = f->code;
	act.text = text;
	act.template = tmpl[(data[0] >> 1) % 4];
	act.login = "fuzz";
	memset(&view, 0, sizeof(view));
	cases_view_put(&view, fuzz_num(data[2] & 1), "HGETALL",
	    key_num(key, f->migrant), NULL);
	if (s > 0)
		cases_view_put(&view, fuzz_case(f, s), "HGETALL",
		    key_case(key, f->code), NULL);
	for (rounds = 0;; rounds++) {
		rc = cases_act_view(f->cfg, f->key, &act, 1800000000000LL,
		    &view, &a, &outcome, &cause);
		if (rc != CASES_NEED)
			break;
		if (rounds == CASES_ROUNDS)
			abort(); /* reads without end */
		fuzz_fill(f, &view);
	}
	if (rc == -1 || (rc == 0) != (a != NULL))
		abort();
	if (a != NULL) {
		if ((fp = open_memstream(&out, &len)) == NULL)
			abort();
		apply_describe(a, fp, fuzz_open, f->key);
		fclose(fp);
		if (getenv("HBM_FUZZ_SHOW") != NULL)
			fprintf(stderr, "--- act %d\n%s", rc, out);
		fuzz_check(out);
		/* an SMS effect starts its line; a text may say "sms " */
		sms =
		    strncmp(out, "sms ", 4) == 0 ? out : strstr(out, "\nsms ");
		if (sms != NULL && act.verb == CASES_NOTE)
			abort(); /* a note is never an SMS */
		if (sms != NULL && act.verb == CASES_SMS &&
		    ((data[2] & 1) != 0 ||
			memmem(sms, strcspn(sms + 1, "\n") + 1, f->migrant,
			    strlen(f->migrant)) == NULL))
			abort();
		if (act.verb == CASES_REASSIGN && fuzz_sms_to(out, f->migrant))
			abort(); /* the person is told nothing */
		free(out);
	}
	apply_free(a);
	cases_view_clear(&view);
	free(cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz *f = fuzz_get();
	struct cases_view view;
	struct cases_msg m;
	struct apply *a = NULL;
	char hash[CRYPTO_SHA256_HEX], key[KEY_MAX], *text, *sealed;
	char *cause = NULL, *out = NULL;
	const char *from;
	size_t len = 0;
	int rc, rounds, s;
	FILE *fp;

	if (size < 3)
		return 0;
	from = fuzz_senders[data[0] % 6];
	s = data[1] % 6;
	if ((text = malloc(size - 2)) == NULL)
		abort();
	memcpy(text, data + 3, size - 3);
	text[size - 3] = '\0';
	if (data[2] & 0x80) {
		fuzz_act(f, data, s, text);
		free(text);
		return 0;
	}
	memset(&view, 0, sizeof(view));
	memset(&m, 0, sizeof(m));
	crypto_phone_hash(f->key, from, hash);
	sealed = crypto_seal(f->key, from, strlen(from));
	m.entry_id = "1800000000000-0";
	m.from_sealed = sealed;
	m.from = from;
	m.from_hash = hash;
	m.sender = data[0] % 6 == 5 ? "alnum" : "phone";
	m.text = text;
	m.received_ms = "1800000000000";
	cases_view_put(
	    &view, fuzz_num(data[2]), "HGETALL", key_num(key, hash), NULL);
	if (s > 0)
		cases_view_put(&view, fuzz_case(f, s), "HGETALL",
		    key_case(key, f->code), NULL);
	for (rounds = 0;; rounds++) {
		rc = cases_decide_view(f->cfg, f->lex, f->key, &m,
		    1800000000000LL, &view, &a, &cause);
		if (rc != CASES_NEED)
			break;
		if (rounds == CASES_ROUNDS)
			abort(); /* reads without end */
		fuzz_fill(f, &view);
	}
	if (rc == -1 || (rc == 0) != (a != NULL))
		abort();
	if (strcmp(m.sender, "alnum") == 0 && rc != 1)
		abort();
	if (a != NULL) {
		if ((fp = open_memstream(&out, &len)) == NULL)
			abort();
		apply_describe(a, fp, fuzz_open, f->key);
		fclose(fp);
		/* HBM_FUZZ_SHOW=1: what each input decided */
		if (getenv("HBM_FUZZ_SHOW") != NULL)
			fprintf(stderr, "--- %d\n%s", rc, out);
		fuzz_check(out);
		free(out);
	}
	apply_free(a);
	cases_view_clear(&view);
	free(cause);
	free(sealed);
	free(text);
	return 0;
}
