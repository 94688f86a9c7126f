/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USSD sessions and the PIN lockout in Redis; one of two files that
 * include libcrypt (gateway/api_session.c is the other).
 *
 * A session is the hash {hbm}:ussd:s:<hex>: st (ussd_state_encode()), mig
 * (the migrant's number), path (the Africa's Talking text, which holds
 * every input), ans (the last answer, which may show the number) and end;
 * mig, path and ans are sealed, or "" when empty. Each save
 * rewrites every field and the time to live in one script. PIN tries are
 * the counter {hbm}:ussd:pin:<number hash>. A try is counted in one script
 * before its PIN is hashed, and refused there once USSD_PIN_TRIES have been
 * counted, so parallel sessions cannot have more PINs evaluated than that:
 * the first increment starts a lock-time window, the USSD_PIN_TRIES-th
 * restarts it as the lock, a right PIN deletes it. Any HTTP thread may call
 * these with its own store.
 *
 * The scripts are store/lua/ussd_save.lua and store/lua/ussd_take_pin.lua.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "gateway/ussd_store.h"
#include "lib/xmalloc.h"
#include "lua/ussd_save.h"
#include "lua/ussd_take_pin.h"
#include "store/keys.h"

#define USSD_LOCK_MS (USSD_LOCK_MINUTES * 60 * 1000LL)

/* Save a session whole: store/lua/ussd_save.lua. */
static struct store_script ussd_save_script = {
	.name = "ussd_save",
	.body = LUA_USSD_SAVE,
};

/* Count one PIN try, or refuse it: store/lua/ussd_take_pin.lua. */
static struct store_script ussd_take_script = {
	.name = "ussd_take_pin",
	.body = LUA_USSD_TAKE_PIN,
};

void
ussd_store_key(const char *route, const char *session, const char *phone_hash,
    char out[KEY_MAX])
{
	char hex[CRYPTO_SHA256_HEX], *s;

	xasprintf(&s, "%s\n%s\n%s", route, phone_hash, session);
	crypto_sha256_hex(s, strlen(s), hex);
	free(s);
	key_ussd_session(out, hex);
}

/* Open the sealed field F into *OUT (the caller frees); "" stays "". */
static int
ussd_open(const struct crypto_key *k, const struct store_reply *f, char **out,
    char **cause)
{
	size_t len;

	if (f->len == 0) {
		*out = xstrdup("");
		return 0;
	}
	return crypto_open(k, f->str, out, &len, cause);
}

/* S sealed, or "" when S is empty; the caller frees. */
static char *
ussd_seal(const struct crypto_key *k, const char *s)
{
	return s[0] != '\0' ? crypto_seal(k, s, strlen(s)) : xstrdup("");
}

/* Fill S from the HGETALL reply R; -1 when it does not hold together. */
static int
ussd_sess_read(const struct crypto_key *k, const struct store_reply *r,
    struct ussd_sess *s, char **cause)
{
	const struct store_reply *st, *mig, *path, *ans, *end;
	char *plain = NULL;
	size_t len;

	st = store_field(r, "st");
	mig = store_field(r, "mig");
	path = store_field(r, "path");
	ans = store_field(r, "ans");
	end = store_field(r, "end");
	if (st == NULL || mig == NULL || path == NULL || ans == NULL ||
	    end == NULL || ussd_state_decode(st->str, &s->st) == -1) {
		*cause = xstrdup("malformed session");
		return -1;
	}
	if (ussd_open(k, mig, &plain, cause) == -1)
		return -1;
	len = strlen(plain);
	if (len >= sizeof(s->st.migrant)) {
		free(plain);
		*cause = xstrdup("malformed number");
		return -1;
	}
	memcpy(s->st.migrant, plain, len + 1);
	explicit_bzero(plain, len);
	free(plain);
	if (ussd_open(k, path, &s->path, cause) == -1 ||
	    ussd_open(k, ans, &s->answer, cause) == -1)
		return -1;
	s->ended = strcmp(end->str, "1") == 0;
	return 0;
}

int
ussd_store_load(struct store *sto, const struct crypto_key *k, const char *key,
    struct ussd_sess *s, char **cause)
{
	struct store_reply *r;
	char *why = NULL;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if ((r = store_commandl(sto, cause, "HGETALL", key, NULL)) == NULL)
		return -1;
	if (r->type != STORE_ARRAY) {
		xasprintf(cause, "ussd: load: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		rc = -1;
	} else if (r->elements > 0) {
		if (ussd_sess_read(k, r, s, &why) == -1) {
			/* unreadable: as good as expired */
			log_warnx("ussd: session: %s", why);
			free(why);
			ussd_sess_clear(s);
		} else
			rc = 1;
	}
	store_reply_free(r);
	return rc;
}

int
ussd_store_save(struct store *sto, const struct crypto_key *k, const char *key,
    const struct ussd_sess *s, char **cause)
{
	char st[USSD_STATE_MAX], ttl[24], *mig, *path, *ans;
	const char *argv[7];
	struct store_reply *r;
	int rc = 0;

	if (ussd_state_encode(&s->st, st, sizeof(st)) == -1) {
		*cause = xstrdup("ussd: save: state does not encode");
		return -1;
	}
	mig = ussd_seal(k, s->st.migrant);
	path = ussd_seal(k, s->path != NULL ? s->path : "");
	ans = ussd_seal(k, s->answer != NULL ? s->answer : "");
	snprintf(ttl, sizeof(ttl), "%d", USSD_SESSION_TTL_MS);
	argv[0] = key;
	argv[1] = ttl;
	argv[2] = st;
	argv[3] = mig;
	argv[4] = path;
	argv[5] = ans;
	argv[6] = s->ended ? "1" : "0";
	r = store_eval(sto, &ussd_save_script, 1, 7, argv, NULL, cause);
	free(mig);
	free(path);
	free(ans);
	if (r == NULL)
		return -1;
	if (r->type == STORE_ERROR) {
		xasprintf(cause, "ussd: save: %s", r->str);
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

void
ussd_sess_clear(struct ussd_sess *s)
{
	free(s->path);
	free(s->answer);
	explicit_bzero(s, sizeof(*s));
}

int
ussd_pin_locked(struct store *sto, const char *phone_hash, char **cause)
{
	char key[KEY_MAX];
	struct store_reply *r;
	int rc;

	key_ussd_pin(key, phone_hash);
	if ((r = store_commandl(sto, cause, "GET", key, NULL)) == NULL)
		return -1;
	if (r->type == STORE_NIL)
		rc = 0;
	else if (r->type == STORE_STRING)
		rc = atoll(r->str) >= USSD_PIN_TRIES;
	else {
		xasprintf(cause, "ussd: pin: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		rc = -1;
	}
	store_reply_free(r);
	return rc;
}

/* 1 when PIN hashes to PIN_HASH (thread-safe crypt_rn), else 0. */
static int
ussd_pin_match(const char *pin_hash, const char *pin)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h;
	int ok = 0;

	h = crypt_rn(pin, pin_hash, cd, (int)sizeof(*cd));
	if (h != NULL && h[0] != '*' && strlen(h) == strlen(pin_hash))
		ok = crypto_equal(h, pin_hash, strlen(pin_hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

enum ussd_status
ussd_pin_try(struct store *sto, const char *phone_hash, const char *pin_hash,
    const char *pin, int known, int *tries_left, char **cause)
{
	char key[KEY_MAX], ms[24], max[8];
	const char *argv[3];
	struct store_reply *r;
	long long n;

	*tries_left = 0;
	key_ussd_pin(key, phone_hash);
	snprintf(ms, sizeof(ms), "%lld", USSD_LOCK_MS);
	snprintf(max, sizeof(max), "%d", USSD_PIN_TRIES);
	argv[0] = key;
	argv[1] = ms;
	argv[2] = max;
	if ((r = store_eval(sto, &ussd_take_script, 1, 3, argv, NULL, cause)) ==
	    NULL)
		return USSD_ERROR;
	if (r->type != STORE_INTEGER) {
		xasprintf(cause, "ussd: pin: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return USSD_ERROR;
	}
	n = r->integer;
	store_reply_free(r);
	if (n < 0 || n > USSD_PIN_TRIES) {
		metrics_add(
		    "hbmgw_ussd_pin_checks_total", "result=\"locked\"", 1);
		return USSD_LOCKED;
	}
	/* an unknown number's PIN is hashed too, and never right */
	if (ussd_pin_match(pin_hash, pin) && known) {
		metrics_add("hbmgw_ussd_pin_checks_total", "result=\"ok\"", 1);
		if ((r = store_commandl(sto, cause, "DEL", key, NULL)) == NULL)
			return USSD_ERROR;
		store_reply_free(r);
		return USSD_OK;
	}
	metrics_add("hbmgw_ussd_pin_checks_total", "result=\"wrong\"", 1);
	if (n >= USSD_PIN_TRIES)
		return USSD_LOCKED;
	*tries_left = USSD_PIN_TRIES - (int)n;
	return USSD_WRONG;
}
