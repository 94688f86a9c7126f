/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET and HEAD /console/ and /console/<asset>: the files of console/, which
 * tools/asset2c.sh turned into C arrays, each with a gzip copy and an ETag.
 * An asset is found only by its exact name in the table, so no path (with
 * "..", "%2e%2e" or anything else) reaches a file the table lacks: it is
 * 404. Every answer under /console carries the security headers; the
 * browser revalidates each time (no-cache), which the ETag makes a 304.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/console.h"
#include "gateway/http.h"

#include "console/assets.h"

struct console_asset {
	const char *name; /* as in the URL, after /console/ */
	const char *type;
	const char *etag;    /* quoted */
	const char *etag_gz; /* quoted, the gzip copy's */
	const unsigned char *body;
	size_t len;
	const unsigned char *gz;
	size_t gz_len;
};

static const struct console_asset console_assets[] = { CONSOLE_ASSETS };

#define CONSOLE_CSP                                                          \
	"default-src 'self'; script-src 'self'; style-src 'self'; "          \
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'; form-action 'self'"

static void
console_headers(struct http_response *resp)
{
	http_header_add(resp, "Content-Security-Policy", CONSOLE_CSP);
	http_header_add(resp, "Referrer-Policy", "no-referrer");
	http_header_add(resp, "X-Content-Type-Options", "nosniff");
	http_header_add(resp, "X-Frame-Options", "DENY");
}

static const struct console_asset *
console_find(const char *name)
{
	size_t i;

	if (*name == '\0')
		name = "index.html";
	for (i = 0; i < sizeof(console_assets) / sizeof(console_assets[0]); i++)
		if (strcmp(console_assets[i].name, name) == 0)
			return &console_assets[i];
	return NULL;
}

/*
 * 1 when Accept-Encoding value AE takes gzip: a "gzip" or "*" coding whose
 * q is not 0 (a later "gzip;q=0" after "*" is not looked for: browsers do
 * not send it).
 */
static int
console_gzip_ok(const char *ae)
{
	const char *p = ae, *q;
	size_t n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t;,");
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 1 && *p == '*')) {
			q = p + n + strspn(p + n, " \t");
			if (*q != ';')
				return 1;
			q += 1 + strspn(q + 1, " \t");
			if (strncasecmp(q, "q=", 2) != 0 ||
			    strtod(q + 2, NULL) > 0)
				return 1;
		}
		p = strchr(p, ',');
	}
	return 0;
}

/* 1 when If-None-Match value INM names ETAG or ETAG_GZ, or is "*". */
static int
console_etag_match(const char *inm, const char *etag, const char *etag_gz)
{
	return strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL ||
	    strstr(inm, etag_gz) != NULL;
}

/* GET and HEAD /console/{*}. */
static void
console_get(const struct http_request *req, struct http_response *resp)
{
	const struct console_asset *a = console_find(req->params[0]);
	const char *ae, *inm;
	int gz;

	console_headers(resp);
	if (a == NULL) {
		http_reply_error(resp, 404, "no such file");
		return;
	}
	ae = http_header(req, "Accept-Encoding");
	gz = ae != NULL && console_gzip_ok(ae);
	http_header_add(resp, "Cache-Control", "no-cache");
	http_header_add(resp, "Vary", "Accept-Encoding");
	http_header_add(resp, "ETag", gz ? a->etag_gz : a->etag);
	if ((inm = http_header(req, "If-None-Match")) != NULL &&
	    console_etag_match(inm, a->etag, a->etag_gz)) {
		http_reply_static(resp, 304, a->type, "", 0);
		return;
	}
	if (gz) {
		http_header_add(resp, "Content-Encoding", "gzip");
		http_reply_static(resp, 200, a->type, a->gz, a->gz_len);
	} else
		http_reply_static(resp, 200, a->type, a->body, a->len);
}

/* GET / and GET /console: on to /console/. */
static void
console_redirect(const struct http_request *req, struct http_response *resp)
{
	(void)req;
	console_headers(resp);
	http_header_add(resp, "Location", "/console/");
	http_reply(resp, 308, "text/plain; charset=utf-8", "/console/\n", 10);
}

/* Any other method on /console and below. */
static void
console_method(const struct http_request *req, struct http_response *resp)
{
	console_headers(resp);
	http_reply_error(resp, 405, "method %s not allowed", req->method);
	http_header_add(resp, "Allow", "GET, HEAD");
}

const struct http_route console_routes[] = {
	{ "GET", "/", HTTP_BODY_NONE, console_redirect, NULL },
	{ "HEAD", "/", HTTP_BODY_NONE, console_redirect, NULL },
	{ "GET", "/console", HTTP_BODY_NONE, console_redirect, NULL },
	{ "HEAD", "/console", HTTP_BODY_NONE, console_redirect, NULL },
	{ "*", "/console", HTTP_BODY_NONE, console_method, NULL },
	{ "GET", "/console/{*}", HTTP_BODY_NONE, console_get, NULL },
	{ "HEAD", "/console/{*}", HTTP_BODY_NONE, console_get, NULL },
	{ "*", "/console/{*}", HTTP_BODY_NONE, console_method, NULL },
};
const size_t console_nroutes =
    sizeof(console_routes) / sizeof(console_routes[0]);
