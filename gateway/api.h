/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route tables of the api_*.c files, and all of them together. */
#ifndef HBM_GATEWAY_API_H
#define HBM_GATEWAY_API_H

#include <stddef.h>

#include "gateway/http.h"

extern const struct http_route api_health_routes[];
extern const size_t api_health_nroutes;
extern const struct http_route api_metrics_routes[]; /* metrics.listen */
extern const size_t api_metrics_nroutes;
extern const struct http_route api_inbound_routes[];
extern const size_t api_inbound_nroutes;
extern const struct http_route api_messages_routes[];
extern const size_t api_messages_nroutes;
extern const struct http_route api_cases_routes[];
extern const size_t api_cases_nroutes;
extern const struct http_route api_audit_routes[];
extern const size_t api_audit_nroutes;
extern const struct http_route api_stats_routes[];
extern const size_t api_stats_nroutes;
extern const struct http_route api_channels_routes[];
extern const size_t api_channels_nroutes;
extern const struct http_route api_ussd_routes[];
extern const size_t api_ussd_nroutes;
extern const struct http_route api_session_routes[];
extern const size_t api_session_nroutes;
extern const struct http_route api_dlr_routes[];
extern const size_t api_dlr_nroutes;
extern const struct http_route api_events_routes[];
extern const size_t api_events_nroutes;

struct json_t;

/* Every route of the webhook listener (http.listen); static, never freed. */
const struct http_route *api_routes(size_t *nroutes);

struct cfg_strv;

/*
 * 1 when the request carries "Authorization: Bearer TOKEN" and the SHA-256
 * of TOKEN is one of HASHES (compared in constant time).
 */
int api_bearer_ok(const struct http_request *, const struct cfg_strv *hashes);
/* The same for a "token" query argument (aggregator webhooks). */
int api_query_token_ok(
    const struct http_request *, const struct cfg_strv *hashes);
/* 1 when the request has an admin token; otherwise replies 401 and 0. */
int api_require_admin(const struct http_request *, struct http_response *);

struct cfg;

/*
 * http.public_url without its trailing '/', then PATH (which starts with
 * '/') and, unless NULL, "?" and QUERY; NULL when public_url is not set.
 * The caller frees.
 */
char *api_public_url(const struct cfg *, const char *path, const char *query);

#define API_TIME_MAX 32 /* "2025-03-01T09:30:00.250Z" and NUL */

/* MS since the epoch as ISO 8601 UTC with milliseconds. */
void api_time(long long ms, char out[API_TIME_MAX]);

/* Reply with the JSON value O as the body; takes ownership of O. */
void api_reply_json(struct http_response *, int status, struct json_t *o);
/*
 * The request body as a JSON object (duplicate keys refused), or NULL
 * after answering 400; the caller frees it with json_decref().
 */
struct json_t *api_json_object(
    const struct http_request *, struct http_response *);

#endif
