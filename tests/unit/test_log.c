/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/log.c: lines are written with their priority and
 * with numbers masked, and a limited warning is written once per interval
 * with the count of those held back in between.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/log.h"

/* What the calls in between wrote to stderr, as one string. */
struct capture {
	int saved; /* the real stderr */
	int pipe[2];
	char buf[4096];
};

static void
capture_start(struct capture *c)
{
	fflush(stderr);
	assert_int_equal(pipe(c->pipe), 0);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(c->pipe[1], STDERR_FILENO) >= 0);
	close(c->pipe[1]);
}

static const char *
capture_end(struct capture *c)
{
	ssize_t n;
	size_t len = 0;

	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	while (len + 1 < sizeof(c->buf) &&
	    (n = read(c->pipe[0], c->buf + len, sizeof(c->buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(c->pipe[0]);
	c->buf[len] = '\0';
	return c->buf;
}

static void
test_masked(void **state)
{
	struct capture c;

	(void)state;
	capture_start(&c);
	log_warnx("outbox: sent to +256700000101");
	assert_string_equal(
	    capture_end(&c), "<4>outbox: sent to +25670****101\n");
}

/* Numbers in every form are masked; case codes and ids are not. */
static void
test_mask_forms(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "+256772123456", "+25677****456" },
		{ "call 0772123456 now", "call 077****456 now" },
		{ "0772 123 456", "077* *** 456" },
		{ "0772-123-456.", "077*-***-456." },
		{ "+256 772 123456", "+256 77* ***456" },
		{ "256772123456", "25677****456" },
		{ "1234567", "****567" },
		{ "123456", "123456" },
		/* Case codes stay readable, alone or next to a number. */
		{ "CLOSE 4821-3955 done", "CLOSE 4821-3955 done" },
		{ "4821-3955 2 families", "4821-3955 2 families" },
		{ "4821-3955 0772123456", "4821-3955 077****456" },
		{ "0772123456 4821-3955", "077****456 4821-3955" },
		/* Not numbers: parts of words, stream entry ids. */
		{ "msg m1764979200000123", "msg m1764979200000123" },
		{ "hash 1234567abcdef", "hash 1234567abcdef" },
		/* but "+" and digits is a number, a letter after it or not
		 * (fuzz_phone: tests/fuzz/corpus/phone/plus-number-letter) */
		{ "+3361234567d", "+336****567d" },
		{ "+256772123456pls", "+25677****456pls" },
		/* or a letter or digit before it (fuzz_phone:
		 * corpus/phone/plus-number-after-word) */
		{ "and0+3361234567d", "and0+336****567d" },
		{ "to:+256772123456", "to:+25677****456" },
		{ "x+256772123456 y", "x+25677****456 y" },
		{ "entry 1764979200000-0", "entry 1764979200000-0" },
		/* but a "+" before 13 digits and a "-" is a number
		 * (fuzz_phone: corpus/phone/plus-13-digits-dash) */
		{ "0+1234567856789-123e", "0+123456****789-123e" },
		{ "+1764979200000-0", "+1764979****00-0" },
		/* Groups longer together than a number (15 digits) are
		 * numbers of their own (fuzz_phone: corpus/phone/
		 * plus-groups-over-15) */
		{ "+1+123456789-1234253", "+1+12****789-****253" },
		{ "0772123456 0772123456", "077****456 077****456" },
		/* Already masked stays as it is. */
		{ "+25677****456", "+25677****456" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", t[i].in);
		log_mask_numbers(buf);
		assert_string_equal(buf, t[i].out);
	}
}

static void
test_limit(void **state)
{
	struct log_limit l = LOG_LIMIT_INIT;
	struct capture c;

	(void)state;
	capture_start(&c);
	log_warnx_limit(&l, "outbox agg: attempt %d failed", 1);
	log_warnx_limit(&l, "outbox agg: attempt %d failed", 2);
	log_errx_limit(&l, "outbox agg: attempt %d failed", 3);
	/* Only the first, within the interval. */
	assert_string_equal(
	    capture_end(&c), "<4>outbox agg: attempt 1 failed\n");
	assert_int_equal(l.held, 2);
	/* The interval over: the next line says how many were held back. */
	l.next_ms = 0;
	capture_start(&c);
	log_errx_limit(&l, "outbox agg: attempt %d failed", 4);
	assert_string_equal(capture_end(&c),
	    "<3>outbox agg: attempt 4 failed: and 2 more like it\n");
	assert_int_equal(l.held, 0);
	/* And a line after a quiet interval carries no count. */
	l.next_ms = 0;
	capture_start(&c);
	log_warnx_limit(&l, "outbox agg: attempt %d failed", 5);
	assert_string_equal(
	    capture_end(&c), "<4>outbox agg: attempt 5 failed\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked),
		cmocka_unit_test(test_mask_forms),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
