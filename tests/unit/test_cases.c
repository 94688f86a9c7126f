/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The referral entry points of handlers/cases*.c against a real
 * redis-server (HBM_TEST_REDIS_SOCKET, started by tests/run.sh) and a real
 * config file: a referral's case and its three SMS, a replay that returns
 * the same code and queues nothing, consent, every bad input, a case's
 * brief, and an official's referrals by time.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "lib/crypto.h"
#include "store/num.h"
#include "store/store.h"
#include "gateway/outbox.h"
#include "handlers/cases.h"
#include "handlers/code.h"

#define OFFICIAL "+256700000201"
#define OFFICIAL2 "+256700000202"
#define MIGRANT "+256700000001"
#define AGENCY "+256700000101"

/* What every test uses; made once. */
struct fix {
	struct store *st;
	struct cfg *cfg;
	struct crypto_key *key;
	char dir[64];
};

static const char conf[] =
    "gateway: { instance = \"t\"; country_code = \"256\"; };\n"
    "redis: { url = \"unix://%s\"; };\n"
    "http: { listen = \"127.0.0.1:0\"; };\n"
    "channels = ( { name = \"agg\"; type = \"http\";\n"
    "  url = \"http://127.0.0.1:9/send\"; } );\n"
    "agencies = ( { id = \"wfp\"; name = \"WFP\";\n"
    "  phones = [\"" AGENCY "\"]; regions = [\"north\"]; } );\n"
    "categories = ( { id = \"food\"; agencies = [\"wfp\"]; priority = 3;\n"
    "  sms_label = \"food\"; keywords = { en = [\"FOOD\"]; }; } );\n"
    "officials = (\n"
    "  { phone = \"" OFFICIAL "\"; name = \"A\"; pin_hash = \"$6$s$h\";\n"
    "    region = \"north\"; },\n"
    "  { phone = \"" OFFICIAL2 "\"; name = \"B\"; pin_hash = \"$6$s$h\"; }\n"
    ");\n";

static int
setup(void **state)
{
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");
	struct store_params p = { 0 };
	unsigned char secret[CRYPTO_SECRET_LEN];
	struct fix *f;
	char path[96], *cause = NULL;
	FILE *fp;

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/hbm-test-cases.XXXXXX");
	if (f == NULL || mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/gw.conf", f->dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fprintf(fp, conf, sock);
	fclose(fp);
	if ((f->cfg = cfg_load(path, &cause)) == NULL) {
		print_error("%s\n", cause);
		return -1;
	}
	unlink(path);
	rmdir(f->dir);
	memset(secret, 7, sizeof(secret));
	f->key = crypto_key_from_bytes(secret);
	apply_set_key(f->key); /* as gw_init() does */
	p.socket = sock;
	p.timeout_ms = 2000;
	f->st = store_new(&p);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	store_free(f->st);
	cfg_free(f->cfg);
	apply_set_key(NULL);
	crypto_key_free(f->key);
	free(f);
	return 0;
}

/* A command whose reply must come back; the test fails otherwise. */
static struct store_reply *
cmd(struct fix *f, const char *a, const char *b, const char *c)
{
	const char *argv[] = { a, b, c };
	struct store_reply *r;
	char *cause = NULL;
	int argc = c != NULL ? 3 : b != NULL ? 2 : 1;

	if ((r = store_command(f->st, argc, argv, NULL, &cause)) == NULL)
		fail_msg("redis: %s", cause);
	assert_int_not_equal(r->type, STORE_ERROR);
	return r;
}

/* The same with four words. */
static struct store_reply *
cmd3(struct fix *f, const char *a, const char *b, const char *c, const char *d)
{
	const char *argv[] = { a, b, c, d };
	struct store_reply *r;
	char *cause = NULL;

	if ((r = store_command(f->st, 4, argv, NULL, &cause)) == NULL)
		fail_msg("redis: %s", cause);
	assert_int_not_equal(r->type, STORE_ERROR);
	return r;
}

/* The integer reply of a command. */
static long long
num(struct fix *f, const char *a, const char *b)
{
	struct store_reply *r = cmd(f, a, b, NULL);
	long long n = r->type == STORE_INTEGER ? r->integer
	    : r->type == STORE_STRING	       ? strtoll(r->str, NULL, 10)
					       : 0;

	store_reply_free(r);
	return n;
}

/* HGET of case CODE's FIELD, into BUF. */
static const char *
field(struct fix *f, const char *code, const char *name, char *buf, size_t len)
{
	char key[64];
	struct store_reply *r;

	snprintf(key, sizeof(key), "{hbm}:case:%s", code);
	r = cmd(f, "HGET", key, name);
	snprintf(buf, len, "%s", r->type == STORE_STRING ? r->str : "");
	store_reply_free(r);
	return buf;
}

/* SMS queued to E164 so far, as GET /v1/messages?to= lists them. */
static long long
sms_to(struct fix *f, const char *e164)
{
	char hash[CRYPTO_SHA256_HEX], *cause = NULL;
	struct outbox_filter flt = { NULL, NULL, NULL, OUTBOX_LIST_MAX };
	struct outbox_msg *msgs;
	size_t n;

	crypto_phone_hash(f->key, e164, hash);
	flt.to_hash = hash;
	assert_int_equal(outbox_list(f->st, &flt, &msgs, &n, &cause), 0);
	outbox_msgs_free(msgs, n);
	return (long long)n;
}

static void
flush(struct fix *f)
{
	store_reply_free(cmd(f, "FLUSHALL", NULL, NULL));
}

static void
test_referral(void **state)
{
	struct fix *f = *state;
	struct cases_referral r = { "ussd:s1", OFFICIAL, "food", MIGRANT, 3,
		1 };
	char code[CODE_LEN + 1], again[CODE_LEN + 1], buf[128];
	char hash[CRYPTO_SHA256_HEX], *cause = NULL;
	long long seq;

	flush(f);
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), 0);
	assert_true(code_check(code));
	assert_string_equal(
	    field(f, code, "kind", buf, sizeof(buf)), "referral");
	assert_string_equal(
	    field(f, code, "status", buf, sizeof(buf)), "notified");
	assert_string_equal(field(f, code, "agency", buf, sizeof(buf)), "wfp");
	assert_string_equal(
	    field(f, code, "region", buf, sizeof(buf)), "north");
	assert_string_equal(field(f, code, "persons", buf, sizeof(buf)), "3");
	assert_string_equal(field(f, code, "consent", buf, sizeof(buf)), "1");
	crypto_phone_hash(f->key, OFFICIAL, hash);
	assert_string_equal(field(f, code, "official", buf, sizeof(buf)), hash);
	crypto_phone_hash(f->key, MIGRANT, hash);
	assert_string_equal(field(f, code, "num", buf, sizeof(buf)), hash);
	/* Sealed, not in clear. */
	assert_null(strstr(field(f, code, "phone", buf, sizeof(buf)), "2567"));
	assert_int_equal(sms_to(f, OFFICIAL), 1);
	assert_int_equal(sms_to(f, MIGRANT), 1);
	assert_int_equal(sms_to(f, AGENCY), 1);

	/* A replay: the same code, nothing queued, no second case. */
	seq = num(f, "GET", "{hbm}:msgseq");
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, again, &cause), 0);
	assert_string_equal(again, code);
	assert_int_equal(num(f, "GET", "{hbm}:msgseq"), seq);
	assert_int_equal(num(f, "ZCARD", "{hbm}:cases"), 1);

	/* Another operation id is another referral. */
	r.opid = "ussd:s2";
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, again, &cause), 0);
	assert_string_not_equal(again, code);
	assert_int_equal(num(f, "ZCARD", "{hbm}:cases"), 2);
}

/*
 * The code a referral sends the migrant is indexed in the migrant's
 * record, which the referral writes anyway: a field "m:<id>" and no sorted
 * set of its own; a record that indexes STORE_NUM_MSGS already leaves it
 * to the sorted set. Both are listed by number.
 */
static void
test_referral_index(void **state)
{
	struct fix *f = *state;
	struct cases_referral r = { "ussd:x1", OFFICIAL, "food", MIGRANT, 1,
		1 };
	char code[CODE_LEN + 1], hash[CRYPTO_SHA256_HEX], key[128], zkey[128];
	char field[32], *cause = NULL;
	struct store_reply *rep;
	size_t i, m = 0;
	int k;

	flush(f);
	crypto_phone_hash(f->key, MIGRANT, hash);
	snprintf(key, sizeof(key), "{hbm}:num:%s", hash);
	snprintf(zkey, sizeof(zkey), "{hbm}:msgs:%s", hash);
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), 0);
	assert_int_equal(num(f, "EXISTS", zkey), 0);
	rep = cmd(f, "HKEYS", key, NULL);
	for (i = 0; i < rep->elements; i++)
		m += strncmp(rep->element[i]->str, "m:m", 3) == 0;
	store_reply_free(rep);
	assert_int_equal(m, 1);
	assert_int_equal(sms_to(f, MIGRANT), 1);

	/* a record full of them: the sorted set takes the next */
	for (k = 0; k < STORE_NUM_MSGS; k++) {
		snprintf(field, sizeof(field), "m:m%d", k + 1);
		store_reply_free(cmd3(f, "HSET", key, field, "1"));
	}
	r.opid = "ussd:x2";
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), 0);
	assert_int_equal(num(f, "ZCARD", zkey), 1);
	assert_int_equal(sms_to(f, MIGRANT), 2);
}

static void
test_referral_consent(void **state)
{
	struct fix *f = *state;
	struct cases_referral r = { "ussd:c1", OFFICIAL, "food", MIGRANT, 1,
		0 };
	char code[CODE_LEN + 1], buf[128], *cause = NULL;

	flush(f);
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), 0);
	assert_string_equal(field(f, code, "consent", buf, sizeof(buf)), "0");
	assert_string_not_equal(field(f, code, "phone", buf, sizeof(buf)), "");

	/* No migrant: no number, no consent, no SMS but two. */
	r.opid = "ussd:c2";
	r.migrant_e164 = "";
	r.consent = 1;
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), 0);
	assert_string_equal(field(f, code, "consent", buf, sizeof(buf)), "0");
	assert_string_equal(field(f, code, "phone", buf, sizeof(buf)), "");
	assert_string_equal(field(f, code, "num", buf, sizeof(buf)), "");
	assert_int_equal(sms_to(f, OFFICIAL), 2);
	assert_int_equal(sms_to(f, AGENCY), 2);
	assert_int_equal(sms_to(f, MIGRANT), 1);

	/* A national number is normalised; an official without a region. */
	r.opid = "ussd:c3";
	r.official_e164 = OFFICIAL2;
	r.migrant_e164 = "0700000001";
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), 0);
	assert_string_equal(field(f, code, "region", buf, sizeof(buf)), "");
	assert_int_equal(sms_to(f, MIGRANT), 2);
}

static void
test_referral_bad(void **state)
{
	struct fix *f = *state;
	static const struct cases_referral bad[] = {
		{ "", OFFICIAL, "food", MIGRANT, 1, 1 },
		{ NULL, OFFICIAL, "food", MIGRANT, 1, 1 },
		{ "ussd:b", MIGRANT, "food", "", 1, 1 },   /* not an official */
		{ "ussd:b", "garbage", "food", "", 1, 1 }, /* not a number */
		{ "ussd:b", NULL, "food", "", 1, 1 },
		{ "ussd:b", OFFICIAL, "shelter", "", 1, 1 }, /* no category */
		{ "ussd:b", OFFICIAL, NULL, "", 1, 1 },
		{ "ussd:b", OFFICIAL, "food", "", 0, 1 },
		{ "ussd:b", OFFICIAL, "food", "", 100, 1 },
		{ "ussd:b", OFFICIAL, "food", "12", 1, 1 }, /* bad number */
	};
	char code[CODE_LEN + 1], opid[200], *cause;
	struct cases_referral r;
	size_t i;

	flush(f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause = NULL;
		assert_int_equal(cases_referral(f->st, f->cfg, f->key, &bad[i],
				     code, &cause),
		    -1);
		assert_non_null(cause);
		free(cause);
	}
	memset(opid, 'x', sizeof(opid) - 1);
	opid[sizeof(opid) - 1] = '\0';
	r = bad[0];
	r.opid = opid;
	cause = NULL;
	assert_int_equal(
	    cases_referral(f->st, f->cfg, f->key, &r, code, &cause), -1);
	free(cause);
	/* Nothing was written, nothing queued. */
	assert_int_equal(num(f, "DBSIZE", NULL), 0);
}

static void
test_brief_and_by_official(void **state)
{
	struct fix *f = *state;
	struct cases_referral r = { NULL, OFFICIAL, "food", "", 2, 0 };
	struct cases_brief b, out[8];
	char codes[3][CODE_LEN + 1], opid[32], *cause = NULL;
	size_t n;
	int i;

	flush(f);
	for (i = 0; i < 3; i++) {
		snprintf(opid, sizeof(opid), "ussd:o%d", i);
		r.opid = opid;
		assert_int_equal(
		    cases_referral(f->st, f->cfg, f->key, &r, codes[i], &cause),
		    0);
		usleep(3000); /* distinct created_ms */
	}
	assert_int_equal(cases_brief_get(f->st, codes[1], &b, &cause), 1);
	assert_string_equal(b.code, codes[1]);
	assert_string_equal(b.category, "food");
	assert_string_equal(b.status, "notified");
	assert_string_equal(b.agency, "wfp");
	assert_int_equal(b.persons, 2);
	assert_true(b.created_ms > 0);
	snprintf(opid, sizeof(opid), "1234567%d", code_damm("1234567", 7));
	assert_true(code_check(opid));
	assert_int_equal(cases_brief_get(f->st, opid, &b, &cause), 0);
	assert_int_equal(cases_brief_get(f->st, "12345678", &b, &cause), 0);
	assert_int_equal(cases_brief_get(f->st, "x", &b, &cause), 0);

	/* Newest first, at most MAX, since SINCE_MS. */
	assert_int_equal(
	    cases_by_official(f->st, f->key, OFFICIAL, 0, out, 8, &n, &cause),
	    0);
	assert_int_equal(n, 3);
	assert_string_equal(out[0].code, codes[2]);
	assert_string_equal(out[2].code, codes[0]);
	assert_int_equal(
	    cases_by_official(f->st, f->key, OFFICIAL, 0, out, 2, &n, &cause),
	    0);
	assert_int_equal(n, 2);
	assert_string_equal(out[1].code, codes[1]);
	assert_int_equal(cases_by_official(f->st, f->key, OFFICIAL,
			     out[1].created_ms, out, 8, &n, &cause),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(
	    cases_by_official(f->st, f->key, OFFICIAL2, 0, out, 8, &n, &cause),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(
	    cases_by_official(f->st, f->key, OFFICIAL, 0, out, 0, &n, &cause),
	    0);
	assert_int_equal(n, 0);
}

/*
 * A limit's window opens at its first event: a burst that straddles the
 * clock's hour or day counts as one (a flood across 12:00 used to get
 * twice replies_per_hour replies).
 */
static void
test_window(void **state)
{
	const long long noon = 1796040000000LL; /* 2026-11-30 12:00:00 UTC */
	long long from;

	(void)state;
	assert_int_equal(noon % CASES_HOUR_MS, 0);
	assert_int_equal(cases_window(0, 0, noon, CASES_HOUR_MS), 0);
	assert_int_equal(cases_window(0, 4, noon, CASES_HOUR_MS), 0);
	/* opened a second before noon: still counting after it */
	from = noon - 1000;
	assert_int_equal(cases_window(from, 5, noon + 1000, CASES_HOUR_MS), 5);
	assert_int_equal(cases_window(from, 5, noon - 1000 + CASES_HOUR_MS - 1,
			     CASES_HOUR_MS),
	    5);
	/* over exactly SPAN after it opened */
	assert_int_equal(
	    cases_window(from, 5, noon - 1000 + CASES_HOUR_MS, CASES_HOUR_MS),
	    0);
	/* the same across midnight */
	from = noon + 12 * CASES_HOUR_MS - 1;
	assert_int_equal(
	    cases_window(from, 3, noon + 12 * CASES_HOUR_MS, CASES_DAY_MS), 3);
	assert_int_equal(
	    cases_window(from, 3, noon + 36 * CASES_HOUR_MS - 1, CASES_DAY_MS),
	    0);
	/* a clock set back keeps the window */
	assert_int_equal(cases_window(from, 3, noon, CASES_DAY_MS), 3);
}

/*
 * Who sees all of a case from its code: its own number, its referring
 * official, its agency; nobody else, and empty fields match nobody.
 */
static void
test_code_full(void **state)
{
	(void)state;
	assert_int_equal(cases_code_full("hm", NULL, "hm", "", "wfp"), 1);
	assert_int_equal(cases_code_full("ho", NULL, "", "ho", "wfp"), 1);
	assert_int_equal(cases_code_full("ha", "wfp", "hm", "ho", "wfp"), 1);
	/* another number, another agency, an earlier agency */
	assert_int_equal(cases_code_full("hx", NULL, "hm", "ho", "wfp"), 0);
	assert_int_equal(cases_code_full("hb", "rc", "hm", "ho", "wfp"), 0);
	/* a case without a number, an official or an agency */
	assert_int_equal(cases_code_full("", NULL, "", "", ""), 0);
	assert_int_equal(cases_code_full("hx", "", "", "", ""), 0);
	assert_int_equal(cases_code_full("hx", "wfp", "", "", ""), 0);
}

/* The neutral state words, in each language. */
static void
test_code_state(void **state)
{
	(void)state;
	assert_string_equal(cases_code_state("en", "new"), "open");
	assert_string_equal(cases_code_state("en", "notified"), "open");
	assert_string_equal(
	    cases_code_state("en", "acknowledged"), "being handled");
	assert_string_equal(cases_code_state("en", "closed"), "closed");
	assert_string_equal(cases_code_state("fr", "notified"), "ouvert");
	assert_string_equal(
	    cases_code_state("fr", "acknowledged"), "en cours de traitement");
	assert_string_equal(cases_code_state("fr", "closed"), "clos");
	assert_string_equal(cases_code_state("ar", "notified"), "مفتوح");
	assert_string_equal(
	    cases_code_state("ar", "acknowledged"), "قيد المعالجة");
	assert_string_equal(cases_code_state("ar", "closed"), "مغلق");
	/* an unknown language or state: English, open */
	assert_string_equal(cases_code_state("sw", "closed"), "closed");
	assert_string_equal(cases_code_state("en", ""), "open");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_referral_index),
		cmocka_unit_test(test_referral_consent),
		cmocka_unit_test(test_referral_bad),
		cmocka_unit_test(test_brief_and_by_official),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_code_full),
		cmocka_unit_test(test_code_state),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
