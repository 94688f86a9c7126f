/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store/keys.h: every name as docs/redis.md spells it, all under the one
 * hash tag, and the longest parts the gateway makes still fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/keys.h"

static void
test_names(void **state)
{
	char b[KEY_MAX];

	(void)state;
	assert_string_equal(key_case(b, "12345678"), "{hbm}:case:12345678");
	assert_string_equal(key_num(b, "ab"), "{hbm}:num:ab");
	assert_string_equal(
	    key_official_cases(b, "ab"), "{hbm}:official:ab:cases");
	assert_string_equal(key_agency_open(b, "wfp"), "{hbm}:agency:wfp:open");
	assert_string_equal(key_op(b, "1-0"), "{hbm}:op:1-0");
	assert_string_equal(key_opcode(b, "ussd:x"), "{hbm}:opcode:ussd:x");
	assert_string_equal(key_dedup(b, "cd"), "{hbm}:dedup:cd");
	assert_string_equal(key_msg(b, "7"), "{hbm}:msg:7");
	assert_string_equal(key_msgs(b, "ab"), "{hbm}:msgs:ab");
	assert_string_equal(key_outbox(b, "m1"), "{hbm}:outbox:m1");
	assert_string_equal(key_ussd_session(b, "ef"), "{hbm}:ussd:s:ef");
	assert_string_equal(key_ussd_pin(b, "ab"), "{hbm}:ussd:pin:ab");
	assert_string_equal(key_session(b, "ab"), "{hbm}:session:ab");
	assert_string_equal(key_signin(b, "ab"), "{hbm}:signin:ab");
}

/* Every fixed name and prefix carries the tag, so one slot holds them. */
static void
test_one_slot(void **state)
{
	const char *const names[] = { KEY_INBOX, KEY_CASES, KEY_CLOSED, KEY_SLA,
		KEY_MSGSEQ, KEY_MSGLOG, KEY_MSGS_ALL, KEY_RETRY, KEY_DEAD,
		KEY_AUDIT, KEY_AUDIT_NEW, KEY_AUDIT_HEAD, KEY_AUDIT_ANCHOR,
		KEY_SCHEMA, KEY_CASE_PREFIX, KEY_NUM_PREFIX, KEY_MSG_PREFIX,
		KEY_OUTBOX_PREFIX, KEY_USSD_PREFIX, KEY_REF_PREFIX,
		KEY_INSTANCE_PREFIX };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(strncmp(names[i], "{hbm}:", 6) == 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
}

/* The longest operation id the agency API makes (160 bytes) fits. */
static void
test_long_part(void **state)
{
	char b[KEY_MAX], opid[161];

	(void)state;
	memset(opid, 'x', sizeof(opid) - 1);
	opid[sizeof(opid) - 1] = '\0';
	assert_int_equal(
	    strlen(key_opcode(b, opid)), strlen("{hbm}:opcode:") + 160);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_one_slot),
		cmocka_unit_test(test_long_part),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
