/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gateway/ussd_store.c against a real redis-server (HBM_TEST_REDIS_SOCKET,
 * started by tests/run.sh): sessions saved and read back with the migrant's
 * number sealed and a 180 s time to live, unreadable sessions treated as
 * expired, and the PIN lockout: 3 wrong PINs lock the number for 15
 * minutes, counted in Redis across sessions, a right PIN resets the count.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "store/store.h"
#include "gateway/ussd_store.h"

/* "1234" as SHA-512 crypt and as yescrypt. */
#define PIN_SHA512                                                             \
	"$6$abcdefgh$1uLzXUmZOC.qtAp9TH7v9AMyFTajrhlf8caJDoEHzbMYij1.XPxQ6Uk1" \
	"d0cOSjtBqjxiM6I55MC0JGi2h1Jte0"
#define PIN_YESCRYPT \
	"$y$j9T$abcdefghijklmnop$.oYDEY9QMhmUNkZCX2UVQ7lTkOy8aCC/1rQxpS8iaX6"

struct fixture {
	struct store *st;
	struct crypto_key *key;
};

static int
setup(void **state)
{
	static const unsigned char secret[CRYPTO_SECRET_LEN] = { 7, 1, 2 };
	const char *sock = getenv("HBM_TEST_REDIS_SOCKET");
	struct store_params p = { 0 };
	struct fixture *f;
	char *cause = NULL;
	struct store_reply *r;

	if (sock == NULL) {
		print_error("HBM_TEST_REDIS_SOCKET is not set\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	f = calloc(1, sizeof(*f));
	p.socket = sock;
	p.timeout_ms = 1000;
	f->st = store_new(&p);
	f->key = crypto_key_from_bytes(secret);
	r = store_commandl(f->st, &cause, "DEL", "{hbm}:ussd:pin:h1",
	    "{hbm}:ussd:pin:h2", "{hbm}:ussd:pin:h3", "{hbm}:ussd:pin:h4",
	    "{hbm}:ussd:pin:h5", NULL);
	if (r == NULL)
		return -1;
	store_reply_free(r);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->st);
	crypto_key_free(f->key);
	free(f);
	return 0;
}

/* A command's reply; the caller frees. */
static struct store_reply *
cmd(struct fixture *f, const char *a, const char *b, const char *c)
{
	struct store_reply *r;
	char *cause = NULL;

	r = store_commandl(f->st, &cause, a, b, c, NULL);
	assert_non_null(r);
	return r;
}

/* The integer reply of A B. */
static long long
cmd_int(struct fixture *f, const char *a, const char *b)
{
	struct store_reply *r = cmd(f, a, b, NULL);
	long long v;

	assert_int_equal(r->type, STORE_INTEGER);
	v = r->integer;
	store_reply_free(r);
	return v;
}

static void
test_key(void **state)
{
	char a[KEY_MAX], b[KEY_MAX], c[KEY_MAX], d[KEY_MAX];

	(void)state;
	ussd_store_key("at", "ATUid_1", "abc", a);
	ussd_store_key("generic", "ATUid_1", "abc", b);
	ussd_store_key("at", "ATUid_2", "abc", c);
	ussd_store_key("at", "ATUid_1", "abd", d);
	assert_int_equal(strlen(a), strlen("{hbm}:ussd:s:") + 64);
	assert_true(strncmp(a, "{hbm}:ussd:s:", 13) == 0);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_null(strstr(a, "ATUid"));
}

static void
test_session_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ussd_sess s = { 0 }, back;
	struct ussd_out out;
	struct store_reply *r;
	char key[KEY_MAX], *cause = NULL;
	long long ttl;
	size_t i;

	ussd_store_key("at", "s1", "h", key);
	assert_int_equal(ussd_store_load(f->st, f->key, key, &back, &cause), 0);

	ussd_start(&s.st, &out);
	s.st.page = USSD_PAGE_CONFIRM;
	strcpy(s.st.category, "food");
	strcpy(s.st.migrant, "+256772123456");
	s.st.persons = 4;
	s.st.consent = 1;
	s.path = strdup("1234*1*1*0772123456*4*1");
	s.answer = strdup("CON Phone: +256772123456 (shared)");
	assert_int_equal(ussd_store_save(f->st, f->key, key, &s, &cause), 0);

	assert_int_equal(ussd_store_load(f->st, f->key, key, &back, &cause), 1);
	assert_int_equal(back.st.page, USSD_PAGE_CONFIRM);
	assert_string_equal(back.st.category, "food");
	assert_string_equal(back.st.migrant, "+256772123456");
	assert_int_equal(back.st.persons, 4);
	assert_int_equal(back.st.consent, 1);
	assert_string_equal(back.path, s.path);
	assert_string_equal(back.answer, s.answer);
	assert_false(back.ended);
	ussd_sess_clear(&back);

	/* the number is sealed: not in any stored value, path and answer too */
	r = cmd(f, "HGETALL", key, NULL);
	assert_int_equal(r->type, STORE_ARRAY);
	for (i = 0; i < r->elements; i++)
		assert_null(strstr(r->element[i]->str, "772123456"));
	store_reply_free(r);

	/* 180 s to live from each save */
	ttl = cmd_int(f, "PTTL", key);
	assert_true(ttl > 0 && ttl <= USSD_SESSION_TTL_MS);

	/* ended, no number */
	s.ended = 1;
	s.st.migrant[0] = '\0';
	assert_int_equal(ussd_store_save(f->st, f->key, key, &s, &cause), 0);
	assert_int_equal(ussd_store_load(f->st, f->key, key, &back, &cause), 1);
	assert_true(back.ended);
	assert_string_equal(back.st.migrant, "");
	ussd_sess_clear(&back);
	ussd_sess_clear(&s);
	assert_null(s.path);
}

static void
test_session_unreadable(void **state)
{
	static const unsigned char other[CRYPTO_SECRET_LEN] = { 9 };
	struct fixture *f = *state;
	struct crypto_key *k2 = crypto_key_from_bytes(other);
	struct ussd_sess s = { 0 }, back;
	char key[KEY_MAX], *cause = NULL;
	struct store_reply *r;

	ussd_store_key("generic", "s2", "h", key);
	s.st.page = USSD_PAGE_PERSONS;
	strcpy(s.st.migrant, "+256772123456");
	assert_int_equal(ussd_store_save(f->st, f->key, key, &s, &cause), 0);

	/* sealed under another key */
	assert_int_equal(ussd_store_load(f->st, k2, key, &back, &cause), 0);
	assert_null(back.path);
	crypto_key_free(k2);

	/* a state that does not decode */
	{
		const char *argv[] = { "HSET", key, "st", "persons x" };
		r = store_command(f->st, 4, argv, NULL, &cause);
		assert_non_null(r);
		store_reply_free(r);
	}
	assert_int_equal(ussd_store_load(f->st, f->key, key, &back, &cause), 0);

	/* a field missing */
	r = cmd(f, "HDEL", key, "ans");
	store_reply_free(r);
	assert_int_equal(ussd_store_load(f->st, f->key, key, &back, &cause), 0);

	/* not a hash at all */
	r = cmd(f, "DEL", key, NULL);
	store_reply_free(r);
	r = cmd(f, "SET", key, "x");
	store_reply_free(r);
	assert_int_equal(
	    ussd_store_load(f->st, f->key, key, &back, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_lockout(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	const char *key = "{hbm}:ussd:pin:h1";
	struct store_reply *r;
	long long ttl;
	int left = -1;

	assert_int_equal(ussd_pin_locked(f->st, "h1", &cause), 0);
	assert_int_equal(
	    ussd_pin_try(f->st, "h1", PIN_SHA512, "0000", 1, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(left, 2);
	assert_int_equal(cmd_int(f, "EXISTS", key), 1);
	ttl = cmd_int(f, "PTTL", key);
	assert_true(ttl > 0 && ttl <= USSD_LOCK_MINUTES * 60000LL);

	assert_int_equal(
	    ussd_pin_try(f->st, "h1", PIN_SHA512, "1111", 1, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(left, 1);
	assert_int_equal(ussd_pin_locked(f->st, "h1", &cause), 0);
	assert_int_equal(
	    ussd_pin_try(f->st, "h1", PIN_SHA512, "", 1, &left, &cause),
	    USSD_LOCKED);
	assert_int_equal(ussd_pin_locked(f->st, "h1", &cause), 1);

	/* counted in Redis, locked for 15 minutes from the third */
	r = cmd(f, "GET", key, NULL);
	assert_string_equal(r->str, "3");
	store_reply_free(r);
	ttl = cmd_int(f, "PTTL", key);
	assert_true(ttl > 10 * 60000LL && ttl <= 15 * 60000LL);

	/* locked: even the right PIN is refused, and the lock not prolonged */
	assert_int_equal(
	    ussd_pin_try(f->st, "h1", PIN_SHA512, "1234", 1, &left, &cause),
	    USSD_LOCKED);
	r = cmd(f, "GET", key, NULL);
	assert_string_equal(r->str, "3");
	store_reply_free(r);

	/* another number is not affected */
	assert_int_equal(ussd_pin_locked(f->st, "h2", &cause), 0);
	assert_int_equal(
	    ussd_pin_try(f->st, "h2", PIN_SHA512, "1234", 1, &left, &cause),
	    USSD_OK);

	/* when the lock expires the right PIN passes and clears the count */
	r = cmd(f, "DEL", key, NULL);
	store_reply_free(r);
	assert_int_equal(
	    ussd_pin_try(f->st, "h1", PIN_SHA512, "1234", 1, &left, &cause),
	    USSD_OK);
	assert_int_equal(cmd_int(f, "EXISTS", key), 0);
}

static void
test_right_pin_resets(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int left;

	assert_int_equal(
	    ussd_pin_try(f->st, "h3", PIN_YESCRYPT, "9", 1, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(
	    ussd_pin_try(f->st, "h3", PIN_YESCRYPT, "99", 1, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(
	    ussd_pin_try(f->st, "h3", PIN_YESCRYPT, "1234", 1, &left, &cause),
	    USSD_OK);
	/* two more wrong ones do not lock: the count started again */
	assert_int_equal(
	    ussd_pin_try(f->st, "h3", PIN_YESCRYPT, "12345", 1, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(left, 2);
	assert_int_equal(
	    ussd_pin_try(f->st, "h3", PIN_YESCRYPT, "123", 1, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(left, 1);
	/* a hash that is not one never matches */
	assert_int_equal(
	    ussd_pin_try(f->st, "h4", "*", "*", 1, &left, &cause), USSD_WRONG);
	assert_int_equal(
	    ussd_pin_try(f->st, "h4", "", "", 1, &left, &cause), USSD_WRONG);
}

/*
 * A number that is no official's: even the PIN that matches the stand-in
 * hash is wrong, and its tries lock it like an official's.
 */
static void
test_unknown_number(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	int left = -1;

	assert_int_equal(
	    ussd_pin_try(f->st, "h5", PIN_SHA512, "1234", 0, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(left, 2);
	assert_int_equal(
	    ussd_pin_try(f->st, "h5", PIN_SHA512, "1234", 0, &left, &cause),
	    USSD_WRONG);
	assert_int_equal(left, 1);
	assert_int_equal(
	    ussd_pin_try(f->st, "h5", PIN_SHA512, "1234", 0, &left, &cause),
	    USSD_LOCKED);
	assert_int_equal(ussd_pin_locked(f->st, "h5", &cause), 1);
	assert_int_equal(cmd_int(f, "EXISTS", "{hbm}:ussd:pin:h5"), 1);
}

static void
test_store_down(void **state)
{
	struct fixture *f = *state;
	struct store_params p = { 0 };
	struct ussd_sess s = { 0 };
	struct store *down;
	char key[KEY_MAX], *cause = NULL;
	int left;

	p.socket = "/nonexistent/redis.sock";
	p.timeout_ms = 100;
	down = store_new(&p);
	ussd_store_key("at", "s3", "h", key);
	assert_int_equal(ussd_store_load(down, f->key, key, &s, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(ussd_store_save(down, f->key, key, &s, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(ussd_pin_locked(down, "h", &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(
	    ussd_pin_try(down, "h", PIN_SHA512, "1234", 1, &left, &cause),
	    USSD_ERROR);
	free(cause);
	store_free(down);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_session_round_trip),
		cmocka_unit_test(test_session_unreadable),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_right_pin_resets),
		cmocka_unit_test(test_unknown_number),
		cmocka_unit_test(test_store_down),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
