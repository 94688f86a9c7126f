/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Case decisions from a view alone (handlers/cases_view.c and
 * cases_decide_view()), with no Redis: each row gives the records a
 * decision may read, an SMS and its sender, and the effects that must and
 * must not come of it, as apply_describe() prints them with every sealed
 * value opened ("[...]"); HBM_TEST_SHOW=1 prints them. In an expected line, $M is the migrant's number
 * hash, $W and $U the WFP and UNHCR phones' hashes, $C the case code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "store/num.h"
#include "lib/crypto.h"
#include "store/store.h"
#include "handlers/cases.h"
#include "handlers/cases_int.h"
#include "handlers/code.h"
#include "handlers/sms.h"

#define MIGRANT "+256700000001"
#define WFP "+256700000101"
#define UNHCR "+256700000102"
#define COORD "+256700000301"
#define NOW 1800000000000LL

static const char conf[] =
    "gateway: { instance = \"t\"; country_code = \"256\"; };\n"
    "redis: { url = \"unix:///nonexistent\"; };\n"
    "http: { listen = \"127.0.0.1:0\"; };\n"
    "channels = ( { name = \"agg\"; type = \"http\";\n"
    "  url = \"http://127.0.0.1:9/send\"; } );\n"
    "agencies = (\n"
    "  { id = \"wfp\"; name = \"WFP\"; phones = [\"" WFP "\"]; },\n"
    "  { id = \"unhcr\"; name = \"UNHCR\"; phones = [\"" UNHCR "\"]; } );\n"
    "categories = ( { id = \"food\"; agencies = [\"wfp\", \"unhcr\"];\n"
    "  priority = 3; sms_label = \"food\"; keywords = { en = [\"FOOD\"]; };\n"
    "  } );\n"
    "coordinator: { phones = [\"" COORD "\"]; };\n";

/* What every row uses; made once. */
struct fix {
	struct cfg *cfg;
	struct crypto_key *key;
	struct sms_lexicon *lex;
	char code[CODE_LEN + 1];
	char m[CRYPTO_SHA256_HEX], w[CRYPTO_SHA256_HEX], u[CRYPTO_SHA256_HEX];
	char *mphone; /* the migrant's number, sealed as the case keeps it */
};

static int
setup(void **state)
{
	unsigned char secret[CRYPTO_SECRET_LEN], rnd[8] = { 1, 2, 3, 4, 5, 6 };
	char dir[] = "/tmp/hbm-test-view.XXXXXX", path[64], *cause = NULL;
	struct fix *f;
	FILE *fp;

	if ((f = calloc(1, sizeof(*f))) == NULL || mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fputs(conf, fp);
	fclose(fp);
	f->cfg = cfg_load(path, &cause);
	unlink(path);
	rmdir(dir);
	if (f->cfg == NULL) {
		print_error("%s\n", cause);
		return -1;
	}
	memset(secret, 7, sizeof(secret));
	f->key = crypto_key_from_bytes(secret);
	f->lex = sms_lexicon_new(f->cfg);
	code_from_random(rnd, f->code);
	crypto_phone_hash(f->key, MIGRANT, f->m);
	f->mphone = crypto_seal(f->key, MIGRANT, strlen(MIGRANT));
	crypto_phone_hash(f->key, WFP, f->w);
	crypto_phone_hash(f->key, UNHCR, f->u);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	sms_lexicon_free(f->lex);
	cfg_free(f->cfg);
	crypto_key_free(f->key);
	free(f->mphone);
	free(f);
	return 0;
}

/* S with $M, $W, $U, $C and $D (the code as shown) replaced, into BUF. */
static const char *
expand(const struct fix *f, const char *s, char *buf, size_t len)
{
	char shown[CODE_LEN + 2];
	size_t n = 0;
	const char *v;

	code_format(f->code, shown);
	for (; *s != '\0' && n + 1 < len; s++) {
		v = NULL;
		if (s[0] == '$' && s[1] == 'M')
			v = f->m;
		else if (s[0] == '$' && s[1] == 'W')
			v = f->w;
		else if (s[0] == '$' && s[1] == 'U')
			v = f->u;
		else if (s[0] == '$' && s[1] == 'C')
			v = f->code;
		else if (s[0] == '$' && s[1] == 'D')
			v = shown;
		if (v == NULL) {
			buf[n++] = *s;
			continue;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s", v);
		s++;
	}
	buf[n < len ? n : len - 1] = '\0';
	return buf;
}

/* Open a sealed value for apply_describe(), or NULL when it is not one. */
static char *
open_sealed(void *arg, const char *v)
{
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (crypto_open(arg, v, &plain, &len, &cause) == -1) {
		free(cause);
		free(plain);
		return NULL;
	}
	return plain;
}

/* A case with AGENCY, in STATUS and SLA STAGE, with the migrant's sealed
 * number. */
static struct store_reply *
case_record_at(const struct fix *f, const char *status, const char *agency,
    const char *tried, const char *stage)
{
	const char *v[] = { "code", f->code, "kind", "relief", "category",
		"food", "status", status, "agency", agency, "num", f->m,
		"phone", f->mphone, "lang", "en", "consent", "1", "priority",
		"3", "created_ms", "1799999000000", "due_ms", "1800000900000",
		"stage", stage, "ver", "4", "tried", tried, "persons", "1" };
	return store_reply_strings(v, sizeof(v) / sizeof(v[0]));
}

static struct store_reply *
case_record(const struct fix *f, const char *status, const char *agency,
    const char *tried)
{
	return case_record_at(f, status, agency, tried, "0");
}

/*
 * Check the effects OUT of the decision NAME: each line of WANT starts a
 * line of OUT, no line of NEVER does (both up to a NULL).
 */
static void
check_effects(const struct fix *f, const char *name, const char *out,
    const char *const *want, const char *const *never)
{
	char line[600];
	size_t j;

	for (j = 0; want[j] != NULL; j++) {
		expand(f, want[j], line + 1, sizeof(line) - 1);
		line[0] = '\n';
		if (strncmp(out, line + 1, strlen(line + 1)) != 0 &&
		    strstr(out, line) == NULL) {
			fprintf(stderr, "%s\n", out);
			fail_msg(
			    "%s: no \"%s\" (effects above)", name, line + 1);
		}
	}
	for (j = 0; never[j] != NULL; j++) {
		expand(f, never[j], line + 1, sizeof(line) - 1);
		line[0] = '\n';
		if (strncmp(out, line + 1, strlen(line + 1)) == 0 ||
		    strstr(out, line) != NULL) {
			fprintf(stderr, "%s\n", out);
			fail_msg("%s: \"%s\" (effects above)", name, line + 1);
		}
	}
}

/* What decision A amounts to, as apply_describe() prints it (to free). */
static char *
describe(const struct fix *f, const char *name, int rc, struct apply *a)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	fp = open_memstream(&out, &len);
	if (a != NULL)
		apply_describe(a, fp, open_sealed, f->key);
	fclose(fp);
	/* HBM_TEST_SHOW=1 prints what each row decided */
	if (getenv("HBM_TEST_SHOW") != NULL)
		fprintf(stderr, "--- %s (%d)\n%s", name, rc, out);
	return out;
}

/* One row: a sender, a text, what the view holds, what must come of it. */
struct row {
	const char *name;
	const char *from;     /* E.164 */
	const char *sender;   /* "phone", "alnum" */
	const char *text;     /* $C is the case code */
	const char *status;   /* the case's status, NULL: no case */
	const char *agency;   /* the agency it is with */
	const char *tried;    /* agencies that declined it */
	const char *num[8];   /* the sender's number record */
	int cases;	      /* the case is in the sender's list */
	int rc;		      /* what the decision answers */
	const char *want[8];  /* lines that must be there (prefixes) */
	const char *never[4]; /* lines that must not */
};

static const struct row rows[] = {
	{ "HELP FOOD opens a case and notifies WFP", MIGRANT, "phone",
	    "HELP FOOD near gate 3", NULL, NULL, NULL, { NULL }, 0, 0,
	    { "absent {hbm}:case:", "hset {hbm}:case:", "zadd {hbm}:sla ",
		"zadd {hbm}:agency:wfp:open ", "sms [" WFP "] $W [New case ",
		"sms [" MIGRANT "] $M [Request ", "audit ", NULL },
	    { "sms [" UNHCR "]", NULL } },
	{ "HELP past the day's limit opens nothing", MIGRANT, "phone",
	    "HELP FOOD", NULL, NULL, NULL,
	    { "case_ms", "1799999999000", "case_n", "3", NULL }, 0, 0,
	    { "sms [" MIGRANT "] $M ", "guard {hbm}:num:$M ver ", NULL },
	    { "absent {hbm}:case:", "zadd {hbm}:sla", NULL } },
	{ "STOP opts out and takes the number off the case", MIGRANT, "phone",
	    "STOP", "notified", "wfp", "", { NULL }, 1, 0,
	    { "hset {hbm}:num:$M optout 1", "guard {hbm}:case:$C ver ",
		"hset {hbm}:case:$C phone ", "hset {hbm}:case:$C consent 0",
		"sms [" MIGRANT "] $M ", NULL },
	    { "hdel {hbm}:num:$M", NULL } },
	{ "STOP does not write a purged case again: it leaves the list",
	    MIGRANT, "phone", "STOP", NULL, NULL, NULL, { NULL }, 1, 0,
	    { "hdel {hbm}:num:$M c:$C", "hset {hbm}:num:$M optout 1",
		"sms [" MIGRANT "] $M ", NULL },
	    { "hset {hbm}:case:", "guard {hbm}:case:", "audit ", NULL } },
	{ "STOP again is silent", MIGRANT, "phone", "STOP", NULL, NULL, NULL,
	    { "optout", "1", NULL }, 0, 0, { "guard {hbm}:num:$M ", NULL },
	    { "sms ", "hset {hbm}:num:$M optout", NULL } },
	{ "ACK from the case's agency", WFP, "phone", "ACK $C", "notified",
	    "wfp", "", { NULL }, 0, 0,
	    { "guard {hbm}:case:$C ver 4",
		"hset {hbm}:case:$C status "
		"acknowledged",
		"zrem {hbm}:sla $C", "sms [" MIGRANT "] $M ",
		"audit $C wfp acknowledged",
		"sms [" WFP "] $W [Case $D (food, 1 person(s)) is yours. "
		"Contact: " MIGRANT ". Reply CLOSE $D when done.]  reply "
		"agency gateway for {hbm}:case:$C",
		NULL },
	    { NULL } },
	{ "ACK of an acknowledged case changes nothing", WFP, "phone", "ACK $C",
	    "acknowledged", "wfp", "", { NULL }, 0, 0,
	    { "sms [" WFP "] $W ", NULL },
	    { "hset {hbm}:case:$C status", "sms [" MIGRANT "]", NULL } },
	{ "ACK from another agency: not found", UNHCR, "phone", "ACK $C",
	    "notified", "wfp", "", { NULL }, 0, 0,
	    { "sms [" UNHCR "] $U ", NULL },
	    { "hset {hbm}:case:", "sms [" MIGRANT "]", NULL } },
	{ "ACK of an unknown code: not found", WFP, "phone", "ACK $C", "", "",
	    "", { NULL }, 0, 0, { "sms [" WFP "] $W ", NULL },
	    { "hset {hbm}:case:", NULL } },
	{ "ACK with a bad check digit reads no case", WFP, "phone",
	    "ACK 1234-5678", NULL, NULL, NULL, { NULL }, 0, 0,
	    { "sms [" WFP "] $W ", NULL }, { "hset {hbm}:case:", NULL } },
	{ "DECLINE passes the case to the next agency", WFP, "phone",
	    "DECLINE $C no stock", "notified", "wfp", "", { NULL }, 0, 0,
	    { "hset {hbm}:case:$C agency unhcr", "hset {hbm}:case:$C due_ms ",
		"zadd {hbm}:agency:unhcr:open ",
		"zrem {hbm}:agency:wfp:open $C", "sms [" UNHCR "] $U ",
		"audit $C wfp declined [no stock]",
		"sms [" WFP
		"] $W [You declined case $D. It will go to the next "
		"agency",
		NULL },
	    { NULL } },
	{ "DECLINE by the last agency escalates", UNHCR, "phone", "DECLINE $C",
	    "notified", "unhcr", "wfp", { NULL }, 0, 0,
	    { "hset {hbm}:case:$C agency ", "hset {hbm}:case:$C escalated 1",
		"audit $C gateway escalated", "sms [" COORD "] ",
		"sms [" UNHCR "] $U [You declined case $D. No other agency "
		"takes it",
		NULL },
	    { "zadd {hbm}:agency:",
		"sms [" UNHCR "] $U [You declined case "
		"$D. It will go to the next agency",
		NULL } },
	{ "CLOSE with a note", WFP, "phone", "CLOSE $C food given",
	    "acknowledged", "wfp", "", { NULL }, 0, 0,
	    { "hset {hbm}:case:$C status closed", "zadd {hbm}:closed ",
		"audit $C wfp closed [food given]", NULL },
	    { NULL } },
	{ "a code from a stranger gets its state only", UNHCR, "phone", "$C",
	    "notified", "wfp", "", { NULL }, 0, 0,
	    { "sms [" UNHCR "] $U [Code ", NULL },
	    { "sms [" MIGRANT "]", NULL } },
	{ "the case's own number gets all of it", MIGRANT, "phone", "$C",
	    "notified", "wfp", "", { NULL }, 1, 0,
	    { "sms [" MIGRANT "] $M [Code ", NULL },
	    { "hset {hbm}:case:", NULL } },
	{ "STATUS lists the sender's cases", MIGRANT, "phone", "STATUS",
	    "acknowledged", "wfp", "", { NULL }, 1, 0,
	    { "sms [" MIGRANT "] $M [", NULL }, { "hset {hbm}:case:", NULL } },
	{ "a new case is one more field of the sender's record", MIGRANT,
	    "phone", "HELP FOOD", NULL, NULL, NULL, { NULL }, 0, 0,
	    { "hset {hbm}:num:$M c:", "expire {hbm}:num:$M ", NULL },
	    { "hdel ", "zadd {hbm}:num:", "expire {hbm}:num:$M:", NULL } },
	{ "HELP with a case of it open names that case, opens none", MIGRANT,
	    "phone", "HELP FOOD", "acknowledged", "wfp", "", { NULL }, 1, 0,
	    { "sms [" MIGRANT "] $M [", NULL },
	    { "absent {hbm}:case:", "hset {hbm}:num:$M c:", NULL } },
	{ "START after STOP", MIGRANT, "phone", "START", NULL, NULL, NULL,
	    { "optout", "1", NULL }, 0, 0,
	    { "hset {hbm}:num:$M optout 0", "sms [" MIGRANT "] $M ", NULL },
	    { NULL } },
	{ "LIST from an agency", WFP, "phone", "LIST", "notified", "wfp", "",
	    { NULL }, 0, 0, { "sms [" WFP "] $W [WFP open cases (1): ", NULL },
	    { "hset {hbm}:case:", NULL } },
	{ "a sender name is never answered", "NEWS", "alnum", "HELP FOOD", NULL,
	    NULL, NULL, { NULL }, 0, 1, { NULL }, { NULL } },
};

/* A message from ROW's sender, sealed as the inbox keeps it. */
static void
row_msg(const struct fix *f, const struct row *row, struct cases_msg *m,
    char *text, size_t len, char **sealed, char hash[CRYPTO_SHA256_HEX])
{
	memset(m, 0, sizeof(*m));
	expand(f, row->text, text, len);
	*sealed = crypto_seal(f->key, row->from, strlen(row->from));
	crypto_phone_hash(f->key, row->from, hash);
	m->entry_id = "1800000000000-0";
	m->from_sealed = *sealed;
	m->from = strcmp(row->sender, "phone") == 0 ? row->from : "";
	m->from_hash = hash;
	m->sender = row->sender;
	m->text = text;
	m->received_ms = "1800000000000";
}

/* Every read ROW's decision may make, in VIEW. */
static void
row_view(const struct fix *f, const struct row *row, const char *hash,
    struct cases_view *view)
{
	const char *codes[] = { f->code };
	const char *numv[10];
	char key[KEY_MAX], ckey[KEY_MAX], field[KEY_MAX];
	size_t n = 0;

	while (row->num[n] != NULL)
		numv[n] = row->num[n], n++;
	/* the sender's list of cases is in its record (store/num.h) */
	if (row->cases) {
		snprintf(field, sizeof(field), "c:%s", f->code);
		numv[n++] = field;
		numv[n++] = "1799999000000";
	}
	cases_view_put(view, store_reply_strings(numv, n), "HGETALL",
	    key_num(key, hash), NULL);
	cases_view_put(view,
	    store_reply_strings(codes, row->status != NULL ? 1 : 0), "ZRANGE",
	    key_agency_open(key, "wfp"), "0", "-1", NULL);
	key_case(ckey, f->code);
	if (row->status != NULL && row->status[0] != '\0')
		cases_view_put(view,
		    case_record(f, row->status, row->agency, row->tried),
		    "HGETALL", ckey, NULL);
	else
		cases_view_put(
		    view, store_reply_strings(codes, 0), "HGETALL", ckey, NULL);
	/* the migrant's number, opened by the loader for the agency's ACK */
	const char *opened[] = { MIGRANT };
	cases_view_put(view, store_reply_strings(opened, 1), CASES_READ_OPEN,
	    f->mphone, NULL);
	/* the migrant's record, read to tell them of an ACK */
	if (strcmp(hash, f->m) != 0)
		cases_view_put(view, store_reply_strings(codes, 0), "HGETALL",
		    key_num(key, f->m), NULL);
}

static void
test_rows(void **state)
{
	struct fix *f = *state;
	char text[200], hash[CRYPTO_SHA256_HEX], *sealed, *out;
	char *cause = NULL;
	struct cases_view view;
	struct cases_msg m;
	struct apply *a;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];

		memset(&view, 0, sizeof(view));
		row_msg(f, row, &m, text, sizeof(text), &sealed, hash);
		row_view(f, row, hash, &view);
		rc = cases_decide_view(
		    f->cfg, f->lex, f->key, &m, NOW, &view, &a, &cause);
		if (rc != row->rc)
			fail_msg("%s: answered %d, not %d (%s)", row->name, rc,
			    row->rc, cause != NULL ? cause : "");
		out = describe(f, row->name, rc, a);
		check_effects(f, row->name, out, row->want, row->never);
		free(out);
		apply_free(a);
		cases_view_clear(&view);
		free(sealed);
	}
}

/*
 * A record that holds STORE_NUM_CASES cases gives up its oldest for a new
 * one, so that it never holds more: one HSET and one HDEL of its fields.
 */
static void
test_full_list(void **state)
{
	static const struct row row = { "a full list", MIGRANT, "phone",
		"HELP FOOD", NULL, NULL, NULL, { NULL }, 0, 0, { NULL },
		{ NULL } };
	struct fix *f = *state;
	static char fields[STORE_NUM_CASES][16], times[STORE_NUM_CASES][24];
	const char *numv[2 * STORE_NUM_CASES];
	const char *none[1] = { NULL };
	char text[200], hash[CRYPTO_SHA256_HEX], key[KEY_MAX], *sealed, *out;
	char *cause = NULL;
	struct cases_view view;
	struct cases_msg m;
	struct apply *a;
	size_t i;

	memset(&view, 0, sizeof(view));
	row_msg(f, &row, &m, text, sizeof(text), &sealed, hash);
	for (i = 0; i < STORE_NUM_CASES; i++) {
		/* closed cases of other categories, the oldest 10000063 */
		snprintf(fields[i], sizeof(fields[i]), "c:%08zu", 10000000 + i);
		snprintf(times[i], sizeof(times[i]), "%lld",
		    NOW - 1000 * (long long)(i + 1));
		numv[2 * i] = fields[i];
		numv[2 * i + 1] = times[i];
		cases_view_put(&view, store_reply_strings(none, 0), "HGETALL",
		    key_case(key, fields[i] + 2), NULL);
	}
	cases_view_put(&view, store_reply_strings(numv, 2 * STORE_NUM_CASES),
	    "HGETALL", key_num(key, hash), NULL);
	assert_int_equal(cases_decide_view(f->cfg, f->lex, f->key, &m, NOW,
			     &view, &a, &cause),
	    0);
	out = describe(f, row.name, 0, a);
	{
		const char *want[] = { "hset {hbm}:num:$M c:",
			"hdel {hbm}:num:$M c:10000063",
			"absent {hbm}:case:", NULL };
		const char *never[] = { "hdel {hbm}:num:$M c:10000062", NULL };
		check_effects(f, row.name, out, want, never);
	}
	free(out);
	apply_free(a);
	cases_view_clear(&view);
	free(sealed);
}

/*
 * STOP and a case retention purged (no number, no consent left): nothing
 * to take off it, so no write, no guard and no audit line of it; the
 * opt-out and its confirmation as ever.
 */
static void
test_stop_purged(void **state)
{
	static const struct row row = { "STOP, a purged case", MIGRANT, "phone",
		"STOP", NULL, NULL, NULL, { NULL }, 0, 0, { NULL }, { NULL } };
	struct fix *f = *state;
	const char *numv[] = { "ver", "2", "lang", "en", NULL,
		"1799999000000" };
	const char *casev[] = { "code", NULL, "kind", "relief", "category",
		"food", "status", "closed", "agency", "wfp", "consent", "0",
		"purged", "1", "ver", "6" };
	char text[200], hash[CRYPTO_SHA256_HEX], key[KEY_MAX], field[16];
	char *sealed, *out, *cause = NULL;
	struct cases_view view;
	struct cases_msg m;
	struct apply *a;

	memset(&view, 0, sizeof(view));
	row_msg(f, &row, &m, text, sizeof(text), &sealed, hash);
	snprintf(field, sizeof(field), "c:%s", f->code);
	numv[4] = field;
	casev[1] = f->code;
	cases_view_put(&view, store_reply_strings(numv, 6), "HGETALL",
	    key_num(key, hash), NULL);
	cases_view_put(&view, store_reply_strings(casev, 16), "HGETALL",
	    key_case(key, f->code), NULL);
	assert_int_equal(cases_decide_view(f->cfg, f->lex, f->key, &m, NOW,
			     &view, &a, &cause),
	    0);
	out = describe(f, row.name, 0, a);
	{
		const char *want[] = { "hset {hbm}:num:$M optout 1",
			"sms [" MIGRANT "] $M ", NULL };
		const char *never[] = { "hset {hbm}:case:", "guard {hbm}:case:",
			"audit ", "hdel ", NULL };
		check_effects(f, row.name, out, want, never);
	}
	free(out);
	apply_free(a);
	cases_view_clear(&view);
	free(sealed);
}

/* One SLA step: the case's state at its deadline, what must come of it. */
struct sla_row {
	const char *name;
	const char *status; /* NULL: no such case */
	const char *agency;
	const char *stage;
	const char *opid;     /* the step's operation id ($C, the code) */
	const char *want[10]; /* lines that must be there (prefixes) */
	const char *never[6]; /* lines that must not */
};

static const struct sla_row sla_rows[] = {
	{ "a first missed deadline reminds the agency and sets a new one",
	    "notified", "wfp", "0", "sla:$C:wfp:4",
	    { "guard {hbm}:case:$C ver 4", "hset {hbm}:case:$C stage 1",
		"hset {hbm}:case:$C due_ms 1800259200000",
		"zadd {hbm}:sla 1800259200000 $C", "sms [" WFP "] $W [",
		"audit $C gateway renotified wfp", NULL },
	    { "sms [" COORD "]", "hset {hbm}:case:$C escalated", NULL } },
	{ "a second missed deadline escalates to the coordinator", "notified",
	    "wfp", "1", "sla:$C:wfp:4",
	    { "guard {hbm}:case:$C ver 4", "hset {hbm}:case:$C stage 2",
		"hset {hbm}:case:$C escalated 1", "zrem {hbm}:sla $C",
		"sms [" COORD "] ", "audit $C gateway escalated", NULL },
	    { "sms [" WFP "]", "zadd {hbm}:sla", NULL } },
	{ "an acknowledged case leaves the schedule, nothing else",
	    "acknowledged", "wfp", "0", "sla:$C:wfp:4",
	    { "zrem {hbm}:sla $C", NULL },
	    { "sms ", "hset ", "audit ", "guard ", NULL } },
	{ "a closed case leaves the schedule", "closed", "wfp", "1",
	    "sla:$C:wfp:4", { "zrem {hbm}:sla $C", NULL },
	    { "sms ", "hset ", NULL } },
	{ "an escalated case is not escalated again", "notified", "", "2",
	    "sla:$C::4", { "zrem {hbm}:sla $C", NULL },
	    { "sms ", "hset ", NULL } },
	{ "an agency gone from the config: straight to the coordinator",
	    "notified", "gone", "0", "sla:$C:gone:4",
	    { "hset {hbm}:case:$C escalated 1", "sms [" COORD "] ", NULL },
	    { "sms [" WFP "]", "hset {hbm}:case:$C stage 1", NULL } },
	{ "a case gone (purged) leaves the schedule", NULL, NULL, NULL,
	    "sla:$C::", { "zrem {hbm}:sla $C", NULL },
	    { "sms ", "hset ", NULL } },
};

/* Every SLA step of the table, decided from a view alone. */
static void
test_sla(void **state)
{
	struct fix *f = *state;
	char key[KEY_MAX], opid[128], *cause = NULL, *out;
	const char *none[] = { NULL };
	struct cases_view view;
	struct apply *a;
	size_t i;
	int rc;

	key_case(key, f->code);
	for (i = 0; i < sizeof(sla_rows) / sizeof(sla_rows[0]); i++) {
		const struct sla_row *row = &sla_rows[i];

		memset(&view, 0, sizeof(view));
		/* first the view is empty: the step asks for the case */
		rc = cases_sla_view(
		    f->cfg, f->key, f->code, NOW, &view, &a, &cause);
		if (rc != CASES_NEED || a != NULL || view.need != 1)
			fail_msg(
			    "%s: an empty view answered %d", row->name, rc);
		cases_view_put(&view,
		    row->status != NULL ? case_record_at(f, row->status,
					      row->agency, "", row->stage)
					: store_reply_strings(none, 0),
		    "HGETALL", key, NULL);
		rc = cases_sla_view(
		    f->cfg, f->key, f->code, NOW, &view, &a, &cause);
		if (rc != 0 || a == NULL)
			fail_msg("%s: answered %d (%s)", row->name, rc,
			    cause != NULL ? cause : "");
		expand(f, row->opid, opid, sizeof(opid));
		if (strcmp(apply_opid(a), opid) != 0)
			fail_msg("%s: op id %s, not %s", row->name,
			    apply_opid(a), opid);
		out = describe(f, row->name, rc, a);
		check_effects(f, row->name, out, row->want, row->never);
		free(out);
		apply_free(a);
		cases_view_clear(&view);
	}
}

/*
 * An agency's step through the API (cases_act_view()): a note, an SMS to
 * the person. The case is with AGENCY in STATUS, CONSENT as given, its
 * agency SMS window SMS_N (opened a minute ago); the migrant's record NUM.
 */
struct act_row {
	const char *name;
	const char *agency; /* who acts */
	enum cases_verb verb;
	const char *tmpl; /* CASES_SMS: a template, or NULL */
	const char *text;
	const char *status; /* the case's */
	const char *with;   /* the agency the case is with */
	const char *consent;
	const char *sms_n;
	const char *num[4]; /* the migrant's number record */
	enum cases_outcome outcome;
	const char *want[8];
	const char *never[6];
};

static const struct act_row act_rows[] = {
	{ "a note is history and audit, sealed, and no SMS", "wfp", CASES_NOTE,
	    NULL, "called back, no answer", "acknowledged", "wfp", "1", "0",
	    { NULL }, CASES_APPLIED,
	    { "guard {hbm}:case:$C ver 4",
		"history {hbm}:case:$C {\"t\":1800000000000,\"who\":"
		"\"wfp\",\"what\":\"note\",\"note\":\"[called back, no "
		"answer]",
		"audit $C wfp:ana note [called back, no answer]", NULL },
	    { "sms ", "hset {hbm}:case:$C status", "zadd ", NULL } },
	{ "a note on a notified case too, never an SMS", "wfp", CASES_NOTE,
	    NULL, "+256700000001 asked twice", "notified", "wfp", "1", "0",
	    { NULL }, CASES_APPLIED, { "audit $C wfp:ana note [", NULL },
	    { "sms ", NULL } },
	{ "a note on another agency's case: not found", "unhcr", CASES_NOTE,
	    NULL, "mine", "acknowledged", "wfp", "1", "0", { NULL },
	    CASES_MISSING, { NULL }, { "history ", "audit ", "sms ", NULL } },
	{ "an empty note is refused", "wfp", CASES_NOTE, NULL, "",
	    "acknowledged", "wfp", "1", "0", { NULL }, CASES_REFUSED, { NULL },
	    { "history ", "audit ", NULL } },
	{ "free text to the person, through the case's sealed number", "wfp",
	    CASES_SMS, NULL, "Come at 10 tomorrow", "acknowledged", "wfp", "1",
	    "0", { NULL }, CASES_APPLIED,
	    { "guard {hbm}:case:$C ver 4",
		"sms [" MIGRANT "] $M [Come at 10 tomorrow]",
		"hset {hbm}:case:$C sms_n 1",
		"hset {hbm}:case:$C sms_ms 1800000000000",
		"audit $C wfp:ana sms to person [Come at 10 tomorrow]", NULL },
	    { "sms [" WFP "]", NULL } },
	{ "a template in the person's language", "wfp", CASES_SMS,
	    "person_visit", NULL, "acknowledged", "wfp", "1", "1",
	    { "lang", "fr", NULL }, CASES_APPLIED,
	    { "sms [" MIGRANT "] $M [WFP, demande $D : venez",
		"hset {hbm}:case:$C sms_n 2",
		"hset {hbm}:case:$C sms_ms 1799999940000", NULL },
	    { NULL } },
	{ "a template not allowed is refused", "wfp", CASES_SMS, "ack_confirm",
	    NULL, "acknowledged", "wfp", "1", "0", { NULL }, CASES_REFUSED,
	    { NULL }, { "sms ", "audit ", NULL } },
	{ "an opted-out number gets no SMS", "wfp", CASES_SMS, NULL, "hello",
	    "acknowledged", "wfp", "1", "0", { "optout", "1", NULL },
	    CASES_OPTED_OUT, { NULL }, { "sms ", "audit ", "hset ", NULL } },
	{ "no SMS without consent", "wfp", CASES_SMS, NULL, "hello",
	    "acknowledged", "wfp", "0", "0", { NULL }, CASES_REFUSED, { NULL },
	    { "sms ", "audit ", NULL } },
	{ "no SMS before the agency acknowledged", "wfp", CASES_SMS, NULL,
	    "hello", "notified", "wfp", "1", "0", { NULL }, CASES_REFUSED,
	    { NULL }, { "sms ", "audit ", NULL } },
	{ "no SMS once closed", "wfp", CASES_SMS, NULL, "hello", "closed",
	    "wfp", "1", "0", { NULL }, CASES_REFUSED, { NULL },
	    { "sms ", NULL } },
	{ "no SMS from another agency", "unhcr", CASES_SMS, NULL, "hello",
	    "acknowledged", "wfp", "1", "0", { NULL }, CASES_MISSING, { NULL },
	    { "sms ", NULL } },
	{ "the case's daily cap", "wfp", CASES_SMS, NULL, "hello",
	    "acknowledged", "wfp", "1", "3", { NULL }, CASES_LIMITED, { NULL },
	    { "sms ", "audit ", "hset ", NULL } },
	{ "the coordinator reassigns an escalated case to an agency", "unhcr",
	    CASES_REASSIGN, NULL, "WFP has no stock", "notified", "", "1", "0",
	    { NULL }, CASES_APPLIED,
	    { "guard {hbm}:case:$C ver 4", "hset {hbm}:case:$C agency unhcr",
		"hset {hbm}:case:$C escalated 0", "hset {hbm}:case:$C stage 0",
		"zadd {hbm}:agency:unhcr:open ",
		"zadd {hbm}:sla 1800259200000 $C", "sms [" UNHCR "] $U [",
		NULL },
	    { "sms [" MIGRANT "]", "sms [" WFP "]", "zrem {hbm}:agency::open",
		NULL } },
	{ "a reassigned case leaves its agency, acknowledged or not", "unhcr",
	    CASES_REASSIGN, NULL, "", "acknowledged", "wfp", "1", "0", { NULL },
	    CASES_APPLIED,
	    { "zrem {hbm}:agency:wfp:open $C",
		"hset {hbm}:case:$C status notified",
		"audit $C coordinator:ana reassigned [unhcr]",
		"history {hbm}:case:$C {\"t\":1800000000000,\"who\":"
		"\"coordinator:ana\",\"what\":\"reassigned\"",
		NULL },
	    { "sms [" MIGRANT "]", "sms [" WFP "]", NULL } },
	{ "the reason is in the audit, sealed", "unhcr", CASES_REASSIGN, NULL,
	    "WFP has no stock", "notified", "wfp", "1", "0", { NULL },
	    CASES_APPLIED,
	    { "audit $C coordinator:ana reassigned [unhcr: WFP has no stock]",
		NULL },
	    { "WFP has no stock\"", NULL } },
	{ "no reassigning a closed case", "unhcr", CASES_REASSIGN, NULL, "",
	    "closed", "wfp", "1", "0", { NULL }, CASES_REFUSED, { NULL },
	    { "sms ", "audit ", "hset ", "zadd ", "zrem ", NULL } },
	{ "no reassigning to the agency it is with", "wfp", CASES_REASSIGN,
	    NULL, "", "notified", "wfp", "1", "0", { NULL }, CASES_REFUSED,
	    { NULL }, { "sms ", "audit ", "hset ", "zadd ", NULL } },
};

/* The case of ROW, with its SMS window. */
static struct store_reply *
act_case(const struct fix *f, const struct act_row *row)
{
	const char *v[] = { "code", f->code, "kind", "relief", "category",
		"food", "status", row->status, "agency", row->with, "num", f->m,
		"phone", f->mphone, "lang", "en", "consent", row->consent,
		"priority", "3", "created_ms", "1799999000000", "ver", "4",
		"tried", "", "persons", "1", "sms_ms", "1799999940000", "sms_n",
		row->sms_n };
	return store_reply_strings(v, sizeof(v) / sizeof(v[0]));
}

static void
test_act(void **state)
{
	struct fix *f = *state;
	char key[KEY_MAX], text[200], *cause = NULL, *out;
	const char *numv[4];
	struct cases_action act;
	enum cases_outcome outcome;
	struct cases_view view;
	struct apply *a;
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(act_rows) / sizeof(act_rows[0]); i++) {
		const struct act_row *row = &act_rows[i];

		memset(&view, 0, sizeof(view));
		cases_view_put(&view, act_case(f, row), "HGETALL",
		    key_case(key, f->code), NULL);
		for (n = 0; row->num[n] != NULL; n++)
			numv[n] = row->num[n];
		cases_view_put(&view, store_reply_strings(numv, n), "HGETALL",
		    key_num(key, f->m), NULL);
		memset(&act, 0, sizeof(act));
		act.opid = "api:test";
		act.agency = row->agency;
		act.verb = row->verb;
		act.code = f->code;
		act.text = row->text != NULL
		    ? expand(f, row->text, text, sizeof(text))
		    : NULL;
		act.template = row->tmpl;
		act.login = "ana";
		rc = cases_act_view(
		    f->cfg, f->key, &act, NOW, &view, &a, &outcome, &cause);
		if (rc != (row->outcome == CASES_APPLIED ? 0 : 1) ||
		    outcome != row->outcome)
			fail_msg("%s: answered %d, outcome %d, not %d (%s)",
			    row->name, rc, (int)outcome, (int)row->outcome,
			    cause != NULL ? cause : "");
		out = describe(f, row->name, rc, a);
		check_effects(f, row->name, out, row->want, row->never);
		free(out);
		apply_free(a);
		cases_view_clear(&view);
	}
}

/* A read the view lacks is noted, and the decision says it needs it. */
static void
test_need(void **state)
{
	struct fix *f = *state;
	char text[64], hash[CRYPTO_SHA256_HEX], key[KEY_MAX], *sealed;
	char *cause = NULL;
	const struct row row = { "ACK", WFP, "phone", "ACK $C", NULL, NULL,
		NULL, { NULL }, 0, 0, { NULL }, { NULL } };
	struct cases_view view;
	struct cases_msg m;
	struct apply *a;
	size_t i;
	int found = 0;

	memset(&view, 0, sizeof(view));
	row_msg(f, &row, &m, text, sizeof(text), &sealed, hash);
	/* nothing at all: first the sender's record */
	assert_int_equal(cases_decide_view(f->cfg, f->lex, f->key, &m, NOW,
			     &view, &a, &cause),
	    CASES_NEED);
	assert_null(a);
	assert_int_equal(view.need, 1);
	assert_string_equal(view.reads[0].query, "HGETALL");
	assert_string_equal(view.reads[0].query + 8, key_num(key, hash));
	/* given it, the case */
	cases_view_put(
	    &view, store_reply_strings(NULL, 0), "HGETALL", key, NULL);
	assert_int_equal(view.need, 0);
	assert_int_equal(cases_decide_view(f->cfg, f->lex, f->key, &m, NOW,
			     &view, &a, &cause),
	    CASES_NEED);
	key_case(key, f->code);
	for (i = 0; i < view.n; i++)
		if (view.reads[i].reply == NULL &&
		    strcmp(view.reads[i].query + 8, key) == 0)
			found = 1;
	assert_true(found);
	cases_view_clear(&view);
	free(sealed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_full_list),
		cmocka_unit_test(test_stop_purged),
		cmocka_unit_test(test_need),
		cmocka_unit_test(test_sla),
		cmocka_unit_test(test_act),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
