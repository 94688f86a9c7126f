/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POST, GET and DELETE /v1/session: signing in to the console, asking who
 * is signed in, signing out; and session_of(), with which the case routes
 * take a session cookie beside a bearer token. One of two files that
 * include libcrypt (gateway/ussd_store.c is the other).
 *
 * A session is the hash {hbm}:session:<hex>, <hex> the SHA-256 of the
 * cookie's value: login, csrf, created_ms. Each use moves its expiry to
 * SESSION_IDLE_MS from now, but never past SESSION_MAX_MS from the sign-in.
 *
 * Failed sign-ins are the counter {hbm}:signin:<SHA-256 of the login>,
 * counted by one script before the password is hashed, and refused there
 * once SESSION_TRIES have been counted (as the USSD PIN lockout does): the
 * first starts a SESSION_LOCK_MS window, the last restarts it as the lock,
 * a right password deletes it. An unknown login is counted and hashed too,
 * against a dummy hash made at the first sign-in, and a wrong password, an
 * unknown login and a locked one get the same answer.
 */
#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/session.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/session_new.h"
#include "lua/session_take.h"
#include "lua/session_use.h"
#include "store/keys.h"

#define SESSION_B64URL \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* Write a new session: ARGV login, csrf, created_ms, idle ms. */
static struct store_script session_new_script = {
	.name = "session_new",
	.body = LUA_SESSION_NEW,
};

/*
 * Read a session and refresh it: ARGV now, idle ms, most ms. Its login and
 * csrf, or nil when there is none or it is past its last moment.
 */
static struct store_script session_use_script = {
	.name = "session_use",
	.body = LUA_SESSION_USE,
};

/*
 * Count one sign-in: the new count, or -1 (nothing counted) when
 * SESSION_TRIES have been counted already, i.e. the login is locked.
 */
static struct store_script session_take_script = {
	.name = "session_take",
	.body = LUA_SESSION_TAKE,
};

static char session_dummy[CRYPT_OUTPUT_SIZE]; /* hash of a random secret */
static pthread_once_t session_dummy_once = PTHREAD_ONCE_INIT;

int
session_cookie_value(
    const char *header, const char *name, char out[SESSION_TOKEN_LEN + 1])
{
	const char *p = header, *v;
	size_t n = strlen(name), len;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t");
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			v = p + n + 1;
			len = strcspn(v, ";");
			while (len > 0 &&
			    (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			if (len != SESSION_TOKEN_LEN ||
			    strspn(v, SESSION_B64URL) < len)
				return -1;
			memcpy(out, v, len);
			out[len] = '\0';
			return 0;
		}
		if ((p = strchr(p, ';')) != NULL)
			p++;
	}
	return -1;
}

/* LEN random bytes as base64url without padding, into OUT. */
static int
session_token(char out[SESSION_TOKEN_LEN + 1])
{
	unsigned char buf[SESSION_TOKEN_BYTES];
	char *b64, *p;

	if (crypto_random(buf, sizeof(buf)) == -1)
		return -1;
	b64 = crypto_b64_encode(buf, sizeof(buf));
	explicit_bzero(buf, sizeof(buf));
	for (p = b64; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	if ((p = strchr(b64, '=')) != NULL)
		*p = '\0';
	snprintf(out, SESSION_TOKEN_LEN + 1, "%s", b64);
	explicit_bzero(b64, strlen(b64));
	free(b64);
	return strlen(out) == SESSION_TOKEN_LEN ? 0 : -1;
}

/* The dummy hash an unknown login's password is checked against. */
static void
session_dummy_make(void)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], secret[SESSION_TOKEN_LEN + 1];
	const char *h;

	if (session_token(secret) == -1 ||
	    crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL ||
	    (h = crypt_rn(secret, salt, cd, (int)sizeof(*cd))) == NULL ||
	    h[0] == '*')
		fatalx("session: cannot make the dummy password hash");
	snprintf(session_dummy, sizeof(session_dummy), "%s", h);
	explicit_bzero(cd, sizeof(*cd));
	explicit_bzero(secret, sizeof(secret));
	free(cd);
}

/* 1 when PASSWORD hashes to HASH (thread-safe crypt_rn), else 0. */
static int
session_password_match(const char *hash, const char *password)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	const char *h;
	int ok = 0;

	h = crypt_rn(password, hash, cd, (int)sizeof(*cd));
	if (h != NULL && h[0] != '*' && strlen(h) == strlen(hash))
		ok = crypto_equal(h, hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* Answer a failed store operation: 503 when Redis is unreachable. */
static void
session_failed(struct http_response *resp, char *cause)
{
	log_warnx("session: %s", cause);
	free(cause);
	if (store_connected(gw_store()))
		http_reply_error(resp, 500, "store error");
	else
		http_reply_error(resp, 503, "store unavailable, retry later");
}

int
session_of(const struct http_request *req, const struct cfg *cfg,
    struct session *s, char **cause)
{
	char value[SESSION_TOKEN_LEN + 1], key[KEY_MAX], now[24], idle[24],
	    most[24];
	const char *h = http_header(req, "Cookie"), *argv[4];
	struct store_reply *r;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (h == NULL || session_cookie_value(h, SESSION_COOKIE, value) == -1)
		return 0;
	crypto_sha256_hex(value, strlen(value), s->hex);
	explicit_bzero(value, sizeof(value));
	key_session(key, s->hex);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	snprintf(idle, sizeof(idle), "%lld", SESSION_IDLE_MS);
	snprintf(most, sizeof(most), "%lld", SESSION_MAX_MS);
	argv[0] = key;
	argv[1] = now;
	argv[2] = idle;
	argv[3] = most;
	if ((r = store_eval(gw_store(), &session_use_script, 1, 4, argv, NULL,
		 cause)) == NULL)
		return -1;
	if (r->type == STORE_ARRAY && r->elements == 2 &&
	    r->element[0]->type == STORE_STRING &&
	    r->element[1]->type == STORE_STRING) {
		s->user = cfg_user_find(cfg, r->element[0]->str);
		snprintf(s->csrf, sizeof(s->csrf), "%s", r->element[1]->str);
		rc = s->user != NULL && strlen(s->csrf) == SESSION_TOKEN_LEN;
	} else if (r->type == STORE_ERROR) {
		xasprintf(cause, "session: %s", r->str);
		rc = -1;
	}
	store_reply_free(r);
	if (rc != 1)
		memset(s, 0, sizeof(*s));
	return rc;
}

int
session_csrf_ok(const struct http_request *req, const struct session *s,
    struct http_response *resp)
{
	const char *t;

	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return 1;
	t = http_header(req, "X-CSRF-Token");
	if (t != NULL && strlen(t) == SESSION_TOKEN_LEN &&
	    crypto_equal(t, s->csrf, SESSION_TOKEN_LEN))
		return 1;
	http_reply_error(resp, 403, "missing or wrong X-CSRF-Token");
	return 0;
}

/* Set-Cookie for VALUE, or one that clears the cookie when VALUE is NULL. */
static void
session_set_cookie(
    struct http_response *resp, const struct cfg *cfg, const char *value)
{
	int secure = cfg->http.public_url != NULL &&
	    strncasecmp(cfg->http.public_url, "https:", 6) == 0;

	free(resp->set_cookie);
	xasprintf(&resp->set_cookie,
	    SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/%s%s",
	    value != NULL ? value : "", value != NULL ? "" : "; Max-Age=0",
	    secure ? "; Secure" : "");
	resp->no_store = 1;
}

/*
 * The JSON of who is signed in; for a coordinator also the configured
 * agencies, [{id, name}], among which it reassigns cases.
 */
static json_t *
session_json(const struct cfg *cfg, const struct cfg_user *u, const char *csrf)
{
	json_t *o, *a;
	size_t i;

	o = json_pack("{s:s,s:s,s:s,s:s,s:s?}", "csrf", csrf, "login", u->login,
	    "name", u->name, "role", cfg_role_name(u->role), "agency",
	    u->agency[0] != '\0' ? u->agency : NULL);
	if (o == NULL || u->role != CFG_ROLE_COORDINATOR)
		return o;
	a = json_array();
	for (i = 0; i < cfg->nagencies; i++)
		json_array_append_new(a,
		    json_pack("{s:s,s:s}", "id", cfg->agencies[i].id, "name",
			cfg->agencies[i].name));
	json_object_set_new(o, "agencies", a);
	return o;
}

/* A login as it may go in a log line: only when it could be one. */
static const char *
session_loggable(const char *login)
{
	size_t n = strlen(login);

	if (n == 0 || n >= CFG_LOGIN_MAX ||
	    strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return "(not a login)";
	return login;
}

/*
 * Count a sign-in of LOGIN and check its password: 1 when right, 0 when
 * not (wrong, unknown, locked), -1 and *cause when Redis failed.
 */
static int
session_check(const struct cfg *cfg, const char *login, const char *password,
    const struct cfg_user **user, char **cause)
{
	char hex[CRYPTO_SHA256_HEX], key[KEY_MAX], ms[24], max[8];
	const char *argv[3];
	struct store_reply *r;
	long long n;
	int ok;

	*user = cfg_user_find(cfg, login);
	crypto_sha256_hex(login, strlen(login), hex);
	key_signin(key, hex);
	snprintf(ms, sizeof(ms), "%lld", SESSION_LOCK_MS);
	snprintf(max, sizeof(max), "%d", SESSION_TRIES);
	argv[0] = key;
	argv[1] = ms;
	argv[2] = max;
	if ((r = store_eval(gw_store(), &session_take_script, 1, 3, argv, NULL,
		 cause)) == NULL)
		return -1;
	if (r->type != STORE_INTEGER) {
		xasprintf(cause, "sign-in count: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	n = r->integer;
	store_reply_free(r);
	if (n < 0 || n > SESSION_TRIES) {
		log_warnx("session: sign-in of %s refused: locked",
		    session_loggable(login));
		metrics_add("hbmgw_signins_total", "result=\"locked\"", 1);
		return 0;
	}
	pthread_once(&session_dummy_once, session_dummy_make);
	/* an unknown login's password is hashed too, and never right */
	ok = session_password_match(
		 *user != NULL ? (*user)->password_hash : session_dummy,
		 password) &&
	    *user != NULL;
	if (!ok) {
		log_warnx("session: failed sign-in of %s (%lld of %d)",
		    session_loggable(login), n, SESSION_TRIES);
		metrics_add("hbmgw_signins_total", "result=\"wrong\"", 1);
		return 0;
	}
	if ((r = store_commandl(gw_store(), cause, "DEL", key, NULL)) == NULL)
		return -1;
	store_reply_free(r);
	metrics_add("hbmgw_signins_total", "result=\"ok\"", 1);
	return 1;
}

/* POST /v1/session {"login", "password"}: sign in. */
static void
api_session_post(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	const struct cfg_user *u;
	char value[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	char hex[CRYPTO_SHA256_HEX], key[KEY_MAX], now[24], idle[24];
	const char *login, *password, *argv[5];
	struct store_reply *r;
	char *cause = NULL;
	json_t *o;
	int rc;

	if ((o = api_json_object(req, resp)) == NULL)
		goto done;
	if (json_unpack(
		o, "{s:s,s:s}", "login", &login, "password", &password) != 0 ||
	    strlen(password) > SESSION_PASSWORD_MAX ||
	    strlen(login) > SESSION_PASSWORD_MAX) {
		http_reply_error(resp, 400,
		    "login and password must be strings (a password of at "
		    "most %d bytes)",
		    SESSION_PASSWORD_MAX);
		goto done;
	}
	if ((rc = session_check(cfg, login, password, &u, &cause)) == -1) {
		session_failed(resp, cause);
		goto done;
	}
	if (rc == 0) {
		http_reply_error(resp, 401, "wrong login or password");
		goto done;
	}
	if (session_token(value) == -1 || session_token(csrf) == -1) {
		http_reply_error(resp, 500, "no random bytes");
		goto done;
	}
	crypto_sha256_hex(value, strlen(value), hex);
	key_session(key, hex);
	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	snprintf(idle, sizeof(idle), "%lld", SESSION_IDLE_MS);
	argv[0] = key;
	argv[1] = u->login;
	argv[2] = csrf;
	argv[3] = now;
	argv[4] = idle;
	if ((r = store_eval(gw_store(), &session_new_script, 1, 5, argv, NULL,
		 &cause)) == NULL) {
		session_failed(resp, cause);
		goto done;
	}
	store_reply_free(r);
	log_info("session: %s (%s%s%s) signed in", u->login,
	    cfg_role_name(u->role), u->agency[0] != '\0' ? " of " : "",
	    u->agency);
	api_reply_json(resp, 200, session_json(cfg, u, csrf));
	session_set_cookie(resp, cfg, value);
done:
	explicit_bzero(value, sizeof(value));
	json_decref(o);
	gw_cfg_put(cfg);
}

/* The session of REQ, or 401 (or the store's error) and -1. */
static int
api_session_need(const struct http_request *req, const struct cfg *cfg,
    struct session *s, struct http_response *resp)
{
	char *cause = NULL;
	int rc;

	if ((rc = session_of(req, cfg, s, &cause)) == -1) {
		session_failed(resp, cause);
		return -1;
	}
	if (rc == 0) {
		http_reply_error(resp, 401, "not signed in");
		return -1;
	}
	return 0;
}

/* GET /v1/session: who is signed in. */
static void
api_session_get(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct session s;

	if (api_session_need(req, cfg, &s, resp) == 0) {
		api_reply_json(resp, 200, session_json(cfg, s.user, s.csrf));
		resp->no_store = 1;
	}
	gw_cfg_put(cfg);
}

/* DELETE /v1/session: sign out. */
static void
api_session_delete(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	struct store_reply *r;
	char key[KEY_MAX], *cause = NULL;
	struct session s;

	if (api_session_need(req, cfg, &s, resp) == -1 ||
	    !session_csrf_ok(req, &s, resp))
		goto done;
	key_session(key, s.hex);
	if ((r = store_commandl(gw_store(), &cause, "DEL", key, NULL)) ==
	    NULL) {
		session_failed(resp, cause);
		goto done;
	}
	store_reply_free(r);
	log_info("session: %s signed out", s.user->login);
	api_reply_json(resp, 200, json_pack("{s:b}", "signed_out", 1));
	session_set_cookie(resp, cfg, NULL);
done:
	gw_cfg_put(cfg);
}

const struct http_route api_session_routes[] = {
	{ "POST", "/v1/session", HTTP_BODY_JSON, api_session_post, NULL },
	{ "GET", "/v1/session", HTTP_BODY_NONE, api_session_get, NULL },
	{ "DELETE", "/v1/session", HTTP_BODY_NONE, api_session_delete, NULL },
};
const size_t api_session_nroutes =
    sizeof(api_session_routes) / sizeof(api_session_routes[0]);
