/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gateway/session.h: the session cookie read from a Cookie header, and
 * config/: the users' login and hash checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "config/cfg_int.h"
#include "gateway/session.h"

#define TOK "abcdefghijklmnopqrstuvwxyzABCDEFGHIJK01-_23"

static void
test_cookie(void **state)
{
	char out[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(strlen(TOK), SESSION_TOKEN_LEN);
	assert_int_equal(
	    session_cookie_value("hbm_session=" TOK, SESSION_COOKIE, out), 0);
	assert_string_equal(out, TOK);
	assert_int_equal(session_cookie_value("a=b; hbm_session=" TOK "; c=d",
			     SESSION_COOKIE, out),
	    0);
	assert_string_equal(out, TOK);
	assert_int_equal(session_cookie_value(
			     "a=b;hbm_session=" TOK " ", SESSION_COOKIE, out),
	    0);
	assert_string_equal(out, TOK);
	/* the first of two is read */
	assert_int_equal(
	    session_cookie_value(
		"hbm_session=" TOK "; hbm_session=x", SESSION_COOKIE, out),
	    0);
}

static void
test_cookie_refused(void **state)
{
	char out[SESSION_TOKEN_LEN + 1];
	const char *const bad[] = {
		"",
		"a=b",
		"hbm_session=",
		"hbm_session=short",
		"hbm_session=" TOK "x",
		"hbm_session=abcdefghijklmnopqrstuvwxyzABCDEFGHIJK01+/23",
		"xhbm_session=" TOK,
		"hbm_sessionx=" TOK,
		"hbm_session =" TOK,
		"hbm_session=\"" TOK "\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (session_cookie_value(bad[i], SESSION_COOKIE, out) != -1)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_login(void **state)
{
	(void)state;
	assert_true(cfg_valid_login("amina"));
	assert_true(cfg_valid_login("j.okello-2_x"));
	assert_true(cfg_valid_login("a2345678901234567890123456789012"));
	assert_false(cfg_valid_login("a23456789012345678901234567890123"));
	assert_false(cfg_valid_login(""));
	assert_false(cfg_valid_login("Amina"));
	assert_false(cfg_valid_login("a b"));
	assert_false(cfg_valid_login("a@b"));
	assert_string_equal(cfg_role_name(CFG_ROLE_CASEWORKER), "caseworker");
	assert_string_equal(cfg_role_name(CFG_ROLE_MANAGER), "manager");
	assert_string_equal(cfg_role_name(CFG_ROLE_COORDINATOR), "coordinator");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_cookie_refused),
		cmocka_unit_test(test_login),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
