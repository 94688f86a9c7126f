/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The migration of data an older version wrote (hbmgwd --migrate). Keys
 * are found with SCAN in batches.
 *
 * - Sealing what is in clear: a field is sealed when it is not "" and does
 *   not open under the privacy key. Every write is a compare-and-set in
 *   one script (the value read is still there), so it may run beside a
 *   daemon.
 * - Schema 1 to 2 (store/schema.h): each number's sorted set of cases,
 *   {hbm}:num:<hash>:cases, is folded into the number's record, in one
 *   script a set.
 * - Schema 2 to 3: each case's history list, {hbm}:case:<code>:hist, is
 *   moved into the case's hash, in one script a list; then {hbm}:schema
 *   says 3, and the daemons' dispatchers, which wait for that, go on.
 *
 * All are idempotent. The scripts are store/lua/migrate_*.lua.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/crypto.h"
#include "lib/log.h"
#include "gateway/migrate.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/migrate_case_hist.h"
#include "lua/migrate_hset.h"
#include "lua/migrate_lset.h"
#include "lua/migrate_num_cases.h"
#include "lua/migrate_xdel.h"
#include "store/keys.h"
#include "store/num.h"
#include "store/schema.h"

#define MIGRATE_COUNT "200" /* SCAN COUNT and XRANGE COUNT */
#define MIGRATE_GROUP "dispatch"

struct migrate {
	struct store *st;
	const struct crypto_key *k;
	long long keys;	   /* keys looked at */
	long long sealed;  /* fields sealed */
	long long removed; /* inbox entries removed */
	long long sets;	   /* numbers' sets of cases folded */
	long long folded;  /* cases folded into their numbers' records */
	long long hists;   /* cases' history lists moved into their cases */
	long long entries; /* history entries moved */
	long long orphans; /* history lists of cases gone, deleted */
	int hist_pass;	   /* the keys SCAN finds are history lists */
};

/* Compare and set a hash field: store/lua/migrate_hset.lua. */
static struct store_script migrate_hset_script = {
	.name = "migrate_hset",
	.body = LUA_MIGRATE_HSET,
};

/* Compare and set a list element: store/lua/migrate_lset.lua. */
static struct store_script migrate_lset_script = {
	.name = "migrate_lset",
	.body = LUA_MIGRATE_LSET,
};

/* Move a case's history list into its hash: migrate_case_hist.lua. */
static struct store_script migrate_case_hist_script = {
	.name = "migrate_case_hist",
	.body = LUA_MIGRATE_CASE_HIST,
};

/* Fold a number's set of cases into its record: migrate_num_cases.lua. */
static struct store_script migrate_num_cases_script = {
	.name = "migrate_num_cases",
	.body = LUA_MIGRATE_NUM_CASES,
};

/* Delete inbox entries the group is done with: store/lua/migrate_xdel.lua. */
static struct store_script migrate_xdel_script = {
	.name = "migrate_xdel",
	.body = LUA_MIGRATE_XDEL,
};

/* 1 when S is "" or sealed under the key: nothing to do. */
static int
migrate_is_sealed(const struct migrate *m, const char *s)
{
	char *plain = NULL, *cause = NULL;
	size_t len;

	if (s[0] == '\0')
		return 1;
	if (crypto_open(m->k, s, &plain, &len, &cause) == 0) {
		free(plain);
		return 1;
	}
	free(cause);
	return 0;
}

/* Run SCRIPT with one key and three arguments; the integer it answered. */
static int
migrate_cas(struct migrate *m, struct store_script *script, const char *key,
    const char *a1, const char *a2, const char *a3, char **cause)
{
	const char *argv[4] = { key, a1, a2, a3 };
	struct store_reply *r;
	int rc;

	if ((r = store_eval(m->st, script, 1, 4, argv, NULL, cause)) == NULL)
		return -1;
	if (r->type != STORE_INTEGER) {
		xasprintf(cause, "migrate: %s: %s", key,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	rc = (int)r->integer;
	store_reply_free(r);
	m->sealed += rc;
	return 0;
}

/*
 * Seal the FIELDS of hash KEY that are in clear. A number in clear in
 * PHONE_FIELD also gets its look-up hash in HASH_FIELD when that is empty.
 */
static int
migrate_hash(struct migrate *m, const char *key, const char *const *fields,
    const char *phone_field, const char *hash_field, char **cause)
{
	struct store_reply *r;
	const char *v, *h;
	char *sealed, hash[CRYPTO_SHA256_HEX];
	int rc = 0;

	if ((r = store_commandl(m->st, cause, "HGETALL", key, NULL)) == NULL)
		return -1;
	for (; rc == 0 && *fields != NULL; fields++) {
		if ((v = store_fieldstr(r, *fields, NULL)) == NULL ||
		    migrate_is_sealed(m, v))
			continue;
		if (phone_field != NULL && strcmp(*fields, phone_field) == 0 &&
		    v[0] == '+' &&
		    (h = store_fieldstr(r, hash_field, NULL)) != NULL &&
		    h[0] == '\0') {
			crypto_phone_hash(m->k, v, hash);
			rc = migrate_cas(m, &migrate_hset_script, key,
			    hash_field, "", hash, cause);
		}
		sealed = crypto_seal_str(m->k, v);
		if (rc == 0)
			rc = migrate_cas(m, &migrate_hset_script, key, *fields,
			    v, sealed, cause);
		free(sealed);
	}
	store_reply_free(r);
	return rc;
}

/* Seal the notes in clear of the history list KEY. */
static int
migrate_hist(struct migrate *m, const char *key, char **cause)
{
	struct store_reply *r;
	json_t *o;
	const char *note;
	char *sealed, *s, idx[24];
	size_t i;
	int rc = 0;

	r = store_commandl(m->st, cause, "LRANGE", key, "0", "-1", NULL);
	if (r == NULL)
		return -1;
	for (i = 0; rc == 0 && r->type == STORE_ARRAY && i < r->elements; i++) {
		if ((o = json_loads(r->element[i]->str, 0, NULL)) == NULL)
			continue;
		note = json_string_value(json_object_get(o, "note"));
		if (note != NULL && !migrate_is_sealed(m, note)) {
			sealed = crypto_seal_str(m->k, note);
			json_object_set_new(o, "note", json_string(sealed));
			free(sealed);
			if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
				fatalx("migrate: cannot encode history");
			snprintf(idx, sizeof(idx), "%zu", i);
			rc = migrate_cas(m, &migrate_lset_script, key, idx,
			    r->element[i]->str, s, cause);
			free(s);
		}
		json_decref(o);
	}
	store_reply_free(r);
	return rc;
}

/*
 * Run SCRIPT on the key OLD, an older schema's, and the key it names
 * without its SUFFIX (and ARG, when not NULL): 0 with its integer reply in
 * *N (0 for a name no schema made), or -1 with *cause.
 */
static int
migrate_fold(struct migrate *m, struct store_script *script, const char *old,
    const char *suffix, const char *arg, long long *n, char **cause)
{
	char key[KEY_MAX];
	const char *argv[3] = { old, key, arg };
	struct store_reply *r;
	size_t len = strlen(old) - strlen(suffix);

	*n = 0;
	if (len >= sizeof(key))
		return 0;
	memcpy(key, old, len);
	key[len] = '\0';
	r = store_eval(
	    m->st, script, 2, arg != NULL ? 3 : 2, argv, NULL, cause);
	if (r == NULL)
		return -1;
	if (r->type != STORE_INTEGER) {
		xasprintf(cause, "migrate: %s: %s", old,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	*n = r->integer;
	store_reply_free(r);
	return 0;
}

/* Schema 1's set of cases SET, {hbm}:num:<hash>:cases, into the record. */
static int
migrate_num_cases(struct migrate *m, const char *set, char **cause)
{
	char most[16];
	long long n;

	snprintf(most, sizeof(most), "%d", STORE_NUM_CASES);
	if (migrate_fold(m, &migrate_num_cases_script, set, ":cases", most, &n,
		cause) == -1)
		return -1;
	m->sets += n > 0;
	m->folded += n;
	return 0;
}

/* Schema 2's history list LIST, {hbm}:case:<code>:hist, into the case. */
static int
migrate_case_hist(struct migrate *m, const char *list, char **cause)
{
	long long n;

	if (migrate_fold(m, &migrate_case_hist_script, list, ":hist", NULL, &n,
		cause) == -1)
		return -1;
	if (n < 0)
		m->orphans++;
	else if (n > 0) {
		m->hists++;
		m->entries += n;
	}
	return 0;
}

/* One key SCAN found. */
static int
migrate_key(struct migrate *m, const char *key, char **cause)
{
	static const char *const msg[] = { "text", "to", NULL };
	static const char *const cs[] = { "note", "phone", NULL };
	static const char *const ussd[] = { "mig", "path", "ans", NULL };
	size_t len = strlen(key);

	m->keys++;
	if (m->hist_pass)
		return migrate_case_hist(m, key, cause);
	if (strncmp(key, KEY_NUM_PREFIX, strlen(KEY_NUM_PREFIX)) == 0 &&
	    len > strlen(KEY_NUM_PREFIX ":cases") &&
	    strcmp(key + len - 6, ":cases") == 0)
		return migrate_num_cases(m, key, cause);
	if (strncmp(key, KEY_MSG_PREFIX, strlen(KEY_MSG_PREFIX)) == 0)
		return migrate_hash(m, key, msg, "to", "to_hash", cause);
	if (strncmp(key, KEY_USSD_PREFIX, strlen(KEY_USSD_PREFIX)) == 0)
		return migrate_hash(m, key, ussd, NULL, NULL, cause);
	if (strncmp(key, KEY_CASE_PREFIX, strlen(KEY_CASE_PREFIX)) != 0)
		return 0;
	if (len > 16 && strcmp(key + len - 5, ":hist") == 0)
		return migrate_hist(m, key, cause);
	if (strchr(key + 11, ':') == NULL)
		return migrate_hash(m, key, cs, NULL, NULL, cause);
	return 0;
}

/* SCAN the keys matching PATTERN, a batch at a time. */
static int
migrate_scan(struct migrate *m, const char *pattern, char **cause)
{
	struct store_reply *r, *keys;
	char cursor[32] = "0";
	size_t i;
	long long batches = 0;

	do {
		r = store_commandl(m->st, cause, "SCAN", cursor, "MATCH",
		    pattern, "COUNT", MIGRATE_COUNT, NULL);
		if (r == NULL)
			return -1;
		if (r->type != STORE_ARRAY || r->elements != 2 ||
		    r->element[0]->type != STORE_STRING ||
		    r->element[1]->type != STORE_ARRAY) {
			xasprintf(cause, "migrate: SCAN: %s",
			    r->type == STORE_ERROR ? r->str
						   : "unexpected reply");
			store_reply_free(r);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		keys = r->element[1];
		for (i = 0; i < keys->elements; i++) {
			if (migrate_key(m, keys->element[i]->str, cause) ==
			    -1) {
				store_reply_free(r);
				return -1;
			}
		}
		store_reply_free(r);
		if (++batches % 50 == 0)
			log_info("migrate: %s: %lld keys looked at, %lld "
				 "fields sealed, %lld cases folded so far",
			    pattern, m->keys, m->sealed, m->folded);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/* Remove the dispatched inbox entries that hold a text or number in clear. */
static int
migrate_inbox(struct migrate *m, char **cause)
{
	struct store_reply *r, *x;
	const struct store_reply *e;
	const char **argv;
	const char *text, *from;
	char start[80] = "-";
	size_t i, n;
	int argc;

	do {
		r = store_commandl(m->st, cause, "XRANGE", KEY_INBOX, start,
		    "+", "COUNT", MIGRATE_COUNT, NULL);
		if (r == NULL)
			return -1;
		if (r->type != STORE_ARRAY) {
			xasprintf(cause, "migrate: XRANGE: %s",
			    r->type == STORE_ERROR ? r->str
						   : "unexpected reply");
			store_reply_free(r);
			return -1;
		}
		n = r->elements;
		argv = xcalloc(n + 2, sizeof(*argv));
		argv[0] = KEY_INBOX;
		argv[1] = MIGRATE_GROUP;
		argc = 2;
		for (i = 0; i < n; i++) {
			e = r->element[i];
			if (e->type != STORE_ARRAY || e->elements != 2)
				continue;
			snprintf(
			    start, sizeof(start), "(%s", e->element[0]->str);
			text = store_fieldstr(e->element[1], "text", NULL);
			from = store_fieldstr(e->element[1], "from", NULL);
			if ((text != NULL && !migrate_is_sealed(m, text)) ||
			    (from != NULL && !migrate_is_sealed(m, from)))
				argv[argc++] = e->element[0]->str;
		}
		x = NULL;
		if (argc > 2 &&
		    (x = store_eval(m->st, &migrate_xdel_script, 1, argc, argv,
			 NULL, cause)) == NULL) {
			free(argv);
			store_reply_free(r);
			return -1;
		}
		if (x != NULL && x->type == STORE_INTEGER)
			m->removed += x->integer;
		store_reply_free(x);
		free(argv);
		store_reply_free(r);
	} while (n == (size_t)atoi(MIGRATE_COUNT));
	return 0;
}

int
migrate_run(struct store *st, const struct crypto_key *k, char **cause)
{
	static const char *const patterns[] = { KEY_MSG_PREFIX "*",
		KEY_CASE_PREFIX "*", KEY_USSD_PREFIX "*", NULL };
	struct migrate m = { .st = st, .k = k };
	size_t i;

	log_info("migrate: sealing what is in clear");
	for (i = 0; patterns[i] != NULL; i++) {
		if (migrate_scan(&m, patterns[i], cause) == -1)
			return -1;
		log_info("migrate: %s done: %lld keys looked at, %lld fields "
			 "sealed",
		    patterns[i], m.keys, m.sealed);
	}
	if (migrate_inbox(&m, cause) == -1)
		return -1;
	log_info("migrate: sealed: %lld keys looked at, %lld fields sealed, "
		 "%lld dispatched inbox entries in clear removed",
	    m.keys, m.sealed, m.removed);
	log_info("migrate: schema 2: the numbers' cases into their records");
	if (migrate_scan(&m, KEY_NUM_CASES_V1_MATCH, cause) == -1)
		return -1;
	log_info("migrate: schema 3: the cases' histories into their cases");
	m.hist_pass = 1;
	if (migrate_scan(&m, KEY_CASE_HIST_V2_MATCH, cause) == -1 ||
	    store_schema_set(st, cause) == -1)
		return -1;
	log_info("migrate: done: %lld numbers' sets of cases folded (%lld "
		 "cases); %lld case histories moved into their cases (%lld "
		 "entries), %lld of cases gone deleted; the data is of schema "
		 "%d",
	    m.sets, m.folded, m.hists, m.entries, m.orphans, STORE_SCHEMA);
	return 0;
}
