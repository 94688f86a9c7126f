/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for modem/join.c: multipart SMS joined in part order whatever
 * order they are read in, kept apart by sender and reference, held until
 * complete or until the wait ends (then what arrived), duplicates of a
 * part, malformed concatenation data, and the deduplication id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modem/join.h"

#define P(from, ref, total, seq, text)                                  \
	{                                                               \
		from, "2026-11-29T06:53:51+0000", ref, total, seq, text \
	}

/* The message in V (N of them) whose text starts with PREFIX, or NULL. */
static const struct join_msg *
find(const struct join_msg *v, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(v[i].text, prefix, strlen(prefix)) == 0)
			return &v[i];
	return NULL;
}

static void
test_single(void **state)
{
	const struct join_part parts[] = {
		P("+256700000001", -1, 1, 1, "HELP FOOD"),
		P("+256700000002", -1, 1, 1, "STOP"),
	};
	struct join_book *b = join_book_new();
	struct join_msg *v;
	size_t n;

	(void)state;
	join_run(b, parts, 2, 0, 60000, &v, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].text, "HELP FOOD");
	assert_int_equal(v[0].ref, -1);
	assert_int_equal(v[0].nparts, 1);
	assert_int_equal(v[0].parts[0], 0);
	assert_string_equal(v[1].from, "+256700000002");
	assert_int_equal(v[1].parts[0], 1);
	join_msgs_free(v, n);
	join_run(b, parts, 0, 0, 60000, &v, &n);
	assert_int_equal(n, 0);
	assert_null(v);
	join_book_free(b);
}

static void
test_any_order(void **state)
{
	/* three parts read 3, 1, 2, another sender's parts in between */
	const struct join_part parts[] = {
		P("+256700000001", 7, 3, 3, "three"),
		P("+256700000002", 7, 2, 2, "-b"),
		P("+256700000001", 7, 3, 1, "one-"),
		P("+256700000002", 7, 2, 1, "a"),
		P("+256700000001", 7, 3, 2, "two-"),
	};
	struct join_book *b = join_book_new();
	const struct join_msg *m;
	struct join_msg *v;
	size_t n;

	(void)state;
	join_run(b, parts, 5, 0, 60000, &v, &n);
	assert_int_equal(n, 2);
	assert_non_null(m = find(v, n, "one-"));
	assert_string_equal(m->text, "one-two-three");
	assert_int_equal(m->have, 3);
	assert_int_equal(m->total, 3);
	assert_int_equal(m->nparts, 3);
	assert_non_null(m = find(v, n, "a"));
	assert_string_equal(m->text, "a-b");
	assert_string_equal(m->from, "+256700000002");
	join_msgs_free(v, n);
	join_book_free(b);
}

static void
test_wait(void **state)
{
	const struct join_part first[] = {
		P("+256700000001", 9, 3, 1, "one-"),
		P("+256700000001", 9, 3, 3, "three"),
	};
	const struct join_part all[] = {
		P("+256700000001", 9, 3, 1, "one-"),
		P("+256700000001", 9, 3, 3, "three"),
		P("+256700000001", 9, 3, 2, "two-"),
	};
	struct join_book *b = join_book_new();
	struct join_msg *v;
	size_t n;

	(void)state;
	/* incomplete: held, and still held just before the wait ends */
	join_run(b, first, 2, 1000, 5000, &v, &n);
	assert_int_equal(n, 0);
	join_run(b, first, 2, 5999, 5000, &v, &n);
	assert_int_equal(n, 0);
	/* the missing part arrives: complete at once */
	join_run(b, all, 3, 6000, 5000, &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].text, "one-two-three");
	join_msgs_free(v, n);

	/* never completed: what arrived, once the wait has passed */
	join_run(b, first, 2, 10000, 5000, &v, &n);
	assert_int_equal(n, 0);
	join_run(b, first, 2, 15000, 5000, &v, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].text, "one-three");
	assert_int_equal(v[0].have, 2);
	assert_int_equal(v[0].total, 3);
	assert_string_equal(v[0].smsc_time, "2026-11-29T06:53:51+0000");
	join_msgs_free(v, n);

	/* parts that left the SIM are forgotten: the wait starts again */
	join_run(b, first, 0, 16000, 5000, &v, &n);
	join_run(b, first, 2, 17000, 5000, &v, &n);
	assert_int_equal(n, 0);
	join_run(b, first, 2, 21999, 5000, &v, &n);
	assert_int_equal(n, 0);
	join_book_free(b);
}

static void
test_duplicates_and_bad(void **state)
{
	const struct join_part parts[] = {
		P("+256700000001", 5, 2, 1, "one-"),
		P("+256700000001", 5, 2, 1, "one-"), /* stored twice */
		P("+256700000001", 5, 2, 2, "two"),
		P("+256700000003", 6, 2, 0, "seq 0"),
		P("+256700000003", 6, 2, 3, "seq past total"),
		P("+256700000003", 6, 300, 1, "total too large"),
		P("+256700000003", -1, 2, 1, "no reference"),
	};
	struct join_book *b = join_book_new();
	const struct join_msg *m;
	struct join_msg *v;
	size_t n;

	(void)state;
	join_run(b, parts, 7, 0, 60000, &v, &n);
	assert_int_equal(n, 5);
	assert_non_null(m = find(v, n, "one-"));
	assert_string_equal(m->text, "one-two");
	assert_int_equal(m->nparts, 3); /* the copy is deleted too */
	/* malformed concatenation data: each taken as a single SMS */
	assert_non_null(m = find(v, n, "seq 0"));
	assert_int_equal(m->total, 1);
	assert_int_equal(m->ref, -1);
	assert_non_null(find(v, n, "seq past total"));
	assert_non_null(find(v, n, "total too large"));
	assert_non_null(find(v, n, "no reference"));
	join_msgs_free(v, n);
	join_book_free(b);
}

static void
test_id(void **state)
{
	const struct join_part parts[] = {
		P("+256700000001", -1, 1, 1, "HELP"),
		P("+256700000001", -1, 1, 1, "HELP!"),
	};
	struct join_book *b = join_book_new();
	char a[CRYPTO_SHA256_HEX], a2[CRYPTO_SHA256_HEX], c[CRYPTO_SHA256_HEX];
	char d[CRYPTO_SHA256_HEX];
	struct join_msg *v;
	size_t n;

	(void)state;
	join_run(b, parts, 2, 0, 60000, &v, &n);
	assert_int_equal(n, 2);
	join_id("modem0", &v[0], a);
	join_id("modem0", &v[0], a2);
	join_id("modem1", &v[0], c);
	join_id("modem0", &v[1], d);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, a2);    /* stable */
	assert_string_not_equal(a, c); /* per modem */
	assert_string_not_equal(a, d); /* per text */
	v[0].smsc_time = "2026-11-29T06:53:52+0000";
	join_id("modem0", &v[0], a2);
	assert_string_not_equal(a, a2); /* per SMSC time */
	join_msgs_free(v, n);
	join_book_free(b);
	join_book_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_duplicates_and_bad),
		cmocka_unit_test(test_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
