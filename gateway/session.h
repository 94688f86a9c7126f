/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Console sessions (gateway/api_session.c): a sign-in with a login and a
 * password from the users of the config sets the cookie hbm_session; the
 * session lives in Redis under the SHA-256 of the cookie's value, never the
 * value itself, for SESSION_IDLE_MS from its last use and at most
 * SESSION_MAX_MS from the sign-in. SESSION_TRIES failed sign-ins of a login
 * lock it for SESSION_LOCK_MS.
 */
#ifndef HBM_GATEWAY_SESSION_H
#define HBM_GATEWAY_SESSION_H

#include <stddef.h>

#include "config/cfg.h"
#include "gateway/http.h"

#define SESSION_COOKIE "hbm_session"
#define SESSION_TOKEN_BYTES 32		       /* 256 random bits */
#define SESSION_TOKEN_LEN 43		       /* base64url, no padding */
#define SESSION_IDLE_MS (30 * 60 * 1000LL)     /* 30 min idle */
#define SESSION_MAX_MS (12 * 60 * 60 * 1000LL) /* 12 h after sign-in */
#define SESSION_TRIES 5			       /* failed sign-ins... */
#define SESSION_LOCK_MS (15 * 60 * 1000LL)     /* ...lock for 15 min */
#define SESSION_PASSWORD_MAX 1024	       /* bytes of a password */

/* A signed-in user, as the current config has it. */
struct session {
	const struct cfg_user *user; /* borrowed from the held config */
	char csrf[SESSION_TOKEN_LEN + 1];
	char hex[65]; /* SHA-256 of the cookie: the key */
};

/*
 * The value of cookie NAME in a Cookie header (RFC 6265: "a=b; c=d") into
 * OUT when it is a session token (SESSION_TOKEN_LEN base64url characters):
 * 0, or -1 when the header has none or not such a value.
 */
int session_cookie_value(
    const char *header, const char *name, char out[SESSION_TOKEN_LEN + 1]);

/*
 * The session of the request's cookie, refreshed: 1 and *S set; 0 when the
 * request has no cookie, or one of no session (expired, signed out, or of
 * a user no longer configured); -1 and *cause when Redis failed.
 */
int session_of(const struct http_request *, const struct cfg *,
    struct session *s, char **cause);

/*
 * 1 when a request authenticated by session S may go on: a GET or HEAD, or
 * a request whose X-CSRF-Token header is S's csrf token; otherwise answers
 * 403 and returns 0.
 */
int session_csrf_ok(const struct http_request *, const struct session *s,
    struct http_response *);

#endif
