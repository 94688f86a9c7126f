/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the typed records (store/record.c): a case hash read into
 * struct store_case and a number record into struct store_num, every
 * field in its type; a missing field "" or 0; a number that is not one 0;
 * a flag set only by "1"; unknown fields left aside; no hash at all is a
 * record that does not exist; a number's cases, its "c:<code>" fields,
 * newest first and at most STORE_NUM_CASES of them. store_case_get()
 * against the test Redis reads what a write put there.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/case.h"
#include "store/num.h"
#include "store/store.h"

#define NV(a) (sizeof(a) / sizeof((a)[0]))

static void
test_every_field(void **state)
{
	const char *v[] = { "code", "14876842", "kind", "relief", "category",
		"gbv", "status", "acknowledged", "agency", "wfp", "region",
		"north", "note", "c2VhbGVk", "lang", "ar", "num", "4c6b",
		"phone", "AQID", "official", "e05b", "tried", "unhcr,irc",
		"ver", "7", "consent", "1", "escalated", "1", "purged", "0",
		"persons", "3", "priority", "1", "stage", "2", "created_ms",
		"1800000000000", "updated_ms", "1800000000001", "acked_ms",
		"1800000000002", "closed_ms", "1800000000003", "due_ms",
		"1800000900000", "later", "a field of a newer version" };
	struct store_reply *r = store_reply_strings(v, NV(v));
	struct store_case k;

	(void)state;
	store_case_from(r, &k);
	assert_true(k.exists);
	assert_string_equal(k.code, "14876842");
	assert_string_equal(k.kind, "relief");
	assert_string_equal(k.category, "gbv");
	assert_string_equal(k.status, CASE_ACKNOWLEDGED);
	assert_string_equal(k.agency, "wfp");
	assert_string_equal(k.region, "north");
	assert_string_equal(k.note, "c2VhbGVk");
	assert_string_equal(k.lang, "ar");
	assert_string_equal(k.num, "4c6b");
	assert_string_equal(k.phone, "AQID");
	assert_string_equal(k.official, "e05b");
	assert_string_equal(k.tried, "unhcr,irc");
	assert_string_equal(k.ver, "7");
	assert_int_equal(k.consent, 1);
	assert_int_equal(k.escalated, 1);
	assert_int_equal(k.purged, 0);
	assert_int_equal(k.persons, 3);
	assert_int_equal(k.priority, 1);
	assert_int_equal(k.stage, 2);
	assert_int_equal(k.created_ms, 1800000000000LL);
	assert_int_equal(k.updated_ms, 1800000000001LL);
	assert_int_equal(k.acked_ms, 1800000000002LL);
	assert_int_equal(k.closed_ms, 1800000000003LL);
	assert_int_equal(k.due_ms, 1800000900000LL);
	store_reply_free(r);
}

static void
test_missing_and_bad(void **state)
{
	const char *v[] = { "status", "notified", "persons", "two", "priority",
		"3x", "consent", "yes", "created_ms", "" };
	struct store_reply *r = store_reply_strings(v, NV(v));
	struct store_case k;

	(void)state;
	store_case_from(r, &k);
	assert_true(k.exists);
	assert_string_equal(k.status, CASE_NOTIFIED);
	/* missing: "" or 0 */
	assert_string_equal(k.agency, "");
	assert_string_equal(k.phone, "");
	assert_string_equal(k.ver, "");
	assert_int_equal(k.stage, 0);
	/* not numbers, not "1" */
	assert_int_equal(k.persons, 0);
	assert_int_equal(k.priority, 0);
	assert_int_equal(k.consent, 0);
	assert_int_equal(k.created_ms, 0);
	store_reply_free(r);
}

static void
test_no_case(void **state)
{
	struct store_reply *r = store_reply_strings(NULL, 0);
	struct store_case k;

	(void)state;
	store_case_from(r, &k);
	assert_false(k.exists);
	assert_string_equal(k.status, "");
	assert_string_equal(k.category, "");
	store_reply_free(r);
	store_case_from(NULL, &k);
	assert_false(k.exists);
	assert_string_equal(k.code, "");
}

static void
test_num(void **state)
{
	const char *v[] = { "lang", "fr", "optout", "1", "menu", "food,water",
		"menu_ms", "1800000000000", "help_ms", "1800000000001",
		"case_ms", "1800000000002", "case_n", "2", "reply_ms",
		"1800000000003", "reply_n", "4", "code_ms", "1800000000004",
		"code_n", "9", "ver", "12" };
	const char *bad[] = { "optout", "0", "reply_n", "-", "lang", "" };
	struct store_reply *r = store_reply_strings(v, NV(v));
	struct store_num n;

	(void)state;
	store_num_from(r, &n);
	assert_true(n.exists);
	assert_string_equal(n.lang, "fr");
	assert_int_equal(n.optout, 1);
	assert_string_equal(n.menu, "food,water");
	assert_int_equal(n.menu_ms, 1800000000000LL);
	assert_int_equal(n.help_ms, 1800000000001LL);
	assert_int_equal(n.case_ms, 1800000000002LL);
	assert_int_equal(n.case_n, 2);
	assert_int_equal(n.reply_ms, 1800000000003LL);
	assert_int_equal(n.reply_n, 4);
	assert_int_equal(n.code_ms, 1800000000004LL);
	assert_int_equal(n.code_n, 9);
	assert_string_equal(n.ver, "12");
	store_reply_free(r);
	r = store_reply_strings(bad, NV(bad));
	store_num_from(r, &n);
	assert_true(n.exists);
	assert_int_equal(n.optout, 0);
	assert_int_equal(n.reply_n, 0);
	assert_string_equal(n.lang, "");
	assert_string_equal(n.ver, "");
	store_reply_free(r);
	store_num_from(NULL, &n);
	assert_false(n.exists);
	assert_string_equal(n.menu, "");
}

/*
 * A number's cases: newest first, a tie by code; a field whose code or
 * time is malformed left out; no drop below the cap. The messages it
 * indexes ("m:<id>") are counted, and are no cases.
 */
static void
test_num_cases(void **state)
{
	const char *v[] = { "ver", "3", "c:11111111", "1800000000005",
		"m:m1800000000005000", "1800000000005", "c:22222222",
		"1800000000009", "c:33333333", "1800000000005",
		"c:", "1800000000001", "c:4444x444", "1800000000002",
		"c:55555555", "soon", "m:m1800000000009000", "1800000000009",
		"c:66666666", "", "cases", "1" };
	struct store_reply *r = store_reply_strings(v, NV(v));
	struct store_num n;

	(void)state;
	store_num_from(r, &n);
	assert_int_equal(n.nmsgs, 2);
	assert_int_equal(n.ncases, 3);
	assert_string_equal(n.cases[0].code, "22222222");
	assert_int_equal(n.cases[0].ms, 1800000000009LL);
	assert_string_equal(n.cases[1].code, "33333333");
	assert_string_equal(n.cases[2].code, "11111111");
	assert_null(n.drop);
	store_reply_free(r);
}

/*
 * A record holding more cases than it keeps: the newest STORE_NUM_CASES,
 * in order, and the oldest of all as the one to drop; at exactly the cap,
 * the oldest is the one to drop too (a new case would pass the cap).
 */
static void
test_num_cases_cap(void **state)
{
	enum { N = STORE_NUM_CASES + 6 };
	static char fields[N][16], times[N][24];
	const char *v[2 * N];
	struct store_reply *r;
	struct store_num n;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		/* times out of order: i * 3 mod N is a permutation */
		snprintf(fields[i], sizeof(fields[i]), "c:%08zu", 10000000 + i);
		snprintf(times[i], sizeof(times[i]), "%lld",
		    1800000000000LL + (long long)((i * 3) % N));
		v[2 * i] = fields[i];
		v[2 * i + 1] = times[i];
	}
	r = store_reply_strings(v, 2 * N);
	store_num_from(r, &n);
	assert_int_equal(n.ncases, STORE_NUM_CASES);
	for (i = 0; i < STORE_NUM_CASES; i++)
		assert_int_equal(
		    n.cases[i].ms, 1800000000000LL + (long long)(N - 1 - i));
	assert_non_null(n.drop);
	assert_string_equal(n.drop, "10000000"); /* time 0 */
	store_reply_free(r);

	r = store_reply_strings(v, 2 * STORE_NUM_CASES);
	store_num_from(r, &n);
	assert_int_equal(n.ncases, STORE_NUM_CASES);
	assert_non_null(n.drop);
	assert_string_equal(n.drop, "10000000");
	store_reply_free(r);
	r = store_reply_strings(v, 2 * (STORE_NUM_CASES - 1));
	store_num_from(r, &n);
	assert_int_equal(n.ncases, STORE_NUM_CASES - 1);
	assert_null(n.drop);
	store_reply_free(r);
}

static void
test_get(void **state)
{
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");
	const char *hset[] = { "HSET", "{hbm}:case:90000001", "status",
		"closed", "persons", "2" };
	const char *del[] = { "DEL", "{hbm}:case:90000001" };
	struct store_params p = { 0 };
	struct store_reply *keep, *r;
	struct store_case k;
	struct store *st;
	char *cause = NULL;

	(void)state;
	if (sock == NULL)
		fail_msg("HBM_TEST_REDIS_SOCKET is not set");
	signal(SIGPIPE, SIG_IGN);
	p.socket = sock;
	p.timeout_ms = 2000;
	st = store_new(&p);
	r = store_command(st, NV(hset), hset, NULL, &cause);
	assert_non_null(r);
	store_reply_free(r);
	assert_int_equal(store_case_get(st, "90000001", &keep, &k, &cause), 0);
	assert_true(k.exists);
	assert_string_equal(k.status, CASE_CLOSED);
	assert_int_equal(k.persons, 2);
	store_reply_free(keep);
	assert_int_equal(store_case_get(st, "90000002", &keep, &k, &cause), 0);
	assert_false(k.exists);
	store_reply_free(keep);
	r = store_command(st, NV(del), del, NULL, &cause);
	store_reply_free(r);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_missing_and_bad),
		cmocka_unit_test(test_no_case),
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_num_cases),
		cmocka_unit_test(test_num_cases_cap),
		cmocka_unit_test(test_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
