/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Joins the route tables of the api_*.c files into one; shared helpers. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/console.h"
#include "lib/crypto.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

static struct http_route *api_all;
static size_t api_nall;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void
api_join(void)
{
	const struct {
		const struct http_route *routes;
		const size_t *n;
	} tables[] = {
		{ api_health_routes, &api_health_nroutes },
		{ api_inbound_routes, &api_inbound_nroutes },
		{ api_messages_routes, &api_messages_nroutes },
		{ api_cases_routes, &api_cases_nroutes },
		{ api_session_routes, &api_session_nroutes },
		{ api_audit_routes, &api_audit_nroutes },
		{ api_stats_routes, &api_stats_nroutes },
		{ api_channels_routes, &api_channels_nroutes },
		{ api_ussd_routes, &api_ussd_nroutes },
		{ api_dlr_routes, &api_dlr_nroutes },
		{ api_events_routes, &api_events_nroutes },
		{ console_routes, &console_nroutes },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		n += *tables[i].n;
	api_all = xcalloc(n, sizeof(*api_all));
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		memcpy(api_all + api_nall, tables[i].routes,
		    *tables[i].n * sizeof(*api_all));
		api_nall += *tables[i].n;
	}
}

const struct http_route *
api_routes(size_t *nroutes)
{
	pthread_once(&api_once, api_join);
	*nroutes = api_nall;
	return api_all;
}

void
api_reply_json(struct http_response *resp, int status, json_t *o)
{
	char *s;

	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("api: cannot encode a reply");
	http_reply(resp, status, "application/json", s, strlen(s));
	free(s);
	json_decref(o);
}

json_t *
api_json_object(const struct http_request *req, struct http_response *resp)
{
	json_error_t err;
	json_t *o;

	o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL) {
		http_reply_error(resp, 400, "malformed JSON: %s", err.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		http_reply_error(resp, 400, "the body must be a JSON object");
		json_decref(o);
		return NULL;
	}
	return o;
}

/* 1 when the SHA-256 of TOKEN is one of HASHES; every hash is compared. */
static int
api_token_in(const char *token, const struct cfg_strv *hashes)
{
	char hex[CRYPTO_SHA256_HEX];
	size_t i;
	int ok = 0;

	if (token == NULL || *token == '\0')
		return 0;
	crypto_sha256_hex(token, strlen(token), hex);
	for (i = 0; i < hashes->n; i++)
		ok |= crypto_equal(hex, hashes->v[i], CRYPTO_SHA256_HEX - 1);
	return ok;
}

int
api_bearer_ok(const struct http_request *req, const struct cfg_strv *hashes)
{
	const char *h = http_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	return api_token_in(h + 7, hashes);
}

int
api_query_token_ok(
    const struct http_request *req, const struct cfg_strv *hashes)
{
	return api_token_in(http_query(req, "token"), hashes);
}

int
api_require_admin(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	int ok = api_bearer_ok(req, &cfg->tokens.admin);

	gw_cfg_put(cfg);
	if (!ok)
		http_reply_error(resp, 401, "missing or wrong admin token");
	return ok;
}

char *
api_public_url(const struct cfg *cfg, const char *path, const char *query)
{
	const char *base = cfg->http.public_url;
	size_t n;
	char *url;

	if (base == NULL)
		return NULL;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	xasprintf(&url, "%.*s%s%s%s", (int)n, base, path,
	    query != NULL ? "?" : "", query != NULL ? query : "");
	return url;
}

void
api_time(long long ms, char out[API_TIME_MAX])
{
	char buf[24]; /* "2025-03-01T09:30:00" */
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		buf[0] = '\0';
	snprintf(out, API_TIME_MAX, "%s.%03uZ", buf, (unsigned)(ms % 1000));
}
