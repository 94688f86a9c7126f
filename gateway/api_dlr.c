/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Delivery reports from HTTP aggregators: GET /v1/dlr/kannel (Kannel's
 * dlr-url, signed per message, see dlr.c) and POST /v1/dlr (JSON, channel
 * token). Both move a sent message to delivered or failed through
 * outbox_mark(), which never moves a message backwards and ignores ids it
 * does not know; a report is answered 200 once Redis has it, 503 when
 * Redis is down so the aggregator retries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/cfg.h"
#include "gateway/api.h"
#include "gateway/dlr.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "gateway/outbox.h"
#include "lib/xmalloc.h"

/* Store failures repeat through a Redis outage: one line per interval. */
static struct log_limit store_down_limit = LOG_LIMIT_INIT;

#define API_DLR_ERROR_MAX 256 /* bytes of an aggregator's error text */

/*
 * Record STATUS (or nothing when NULL: an interim report) with ERROR (its
 * numbers masked) for message ID and answer 200 {"id", "report",
 * "changed"}; 503 when Redis failed.
 */
static void
api_dlr_apply(struct http_response *resp, const char *format, const char *id,
    const char *report, const char *status, const char *error)
{
	char labels[96], *masked = NULL, *cause = NULL;
	int changed = 0;

	if (error != NULL) {
		masked = xstrdup(error);
		log_mask_numbers(masked);
	}
	if (status != NULL &&
	    (changed = outbox_mark(gw_store(), id, status, masked, &cause)) ==
		-1) {
		log_warnx_limit(&store_down_limit,
		    "api: delivery report for %s: %s", id, cause);
		free(cause);
		free(masked);
		http_reply_error(resp, 503, "store unavailable, retry later");
		return;
	}
	free(masked);
	snprintf(labels, sizeof(labels), "format=\"%s\",report=\"%s\"", format,
	    report);
	metrics_add("hbmgw_delivery_reports_total", labels, 1);
	log_debug("api: delivery report for %s: %s%s", id, report,
	    changed ? "" : " (no change)");
	api_reply_json(resp, 200,
	    json_pack("{s:s,s:s,s:b}", "id", id, "report", report, "changed",
		changed));
}

/* GET /v1/dlr/kannel?id=&status=&sig=: Kannel's dlr-url. */
static void
api_dlr_kannel(const struct http_request *req, struct http_response *resp)
{
	const char *id = http_query(req, "id");
	struct dlr_report r;

	if (id == NULL || !outbox_id_valid(id)) {
		http_reply_error(resp, 400, "id: not a message id");
		return;
	}
	if (!dlr_kannel_sig_ok(gw_key(), id, http_query(req, "sig"))) {
		http_reply_error(resp, 403, "missing or wrong sig");
		return;
	}
	if (dlr_kannel_type(http_query(req, "status"), &r) == -1) {
		http_reply_error(resp, 400, "status: not a Kannel report type");
		return;
	}
	api_dlr_apply(resp, "kannel", id, r.name, r.status, r.error);
}

/* POST /v1/dlr: {"id", "status": "delivered"|"failed", "error"}. */
static void
api_dlr_json(const struct http_request *req, struct http_response *resp)
{
	const struct cfg *cfg = gw_cfg_get();
	const char *id, *status, *error = NULL;
	json_t *o = NULL, *e;

	if (!api_bearer_ok(req, &cfg->tokens.channels)) {
		http_reply_error(resp, 401, "missing or wrong channel token");
		goto done;
	}
	if ((o = api_json_object(req, resp)) == NULL)
		goto done;
	id = json_string_value(json_object_get(o, "id"));
	status = json_string_value(json_object_get(o, "status"));
	if (id == NULL || !outbox_id_valid(id)) {
		http_reply_error(resp, 400, "id: not a message id");
		goto done;
	}
	if (status == NULL ||
	    (strcmp(status, "delivered") != 0 &&
		strcmp(status, "failed") != 0)) {
		http_reply_error(
		    resp, 400, "status: must be \"delivered\" or \"failed\"");
		goto done;
	}
	if ((e = json_object_get(o, "error")) != NULL && !json_is_null(e)) {
		if (!json_is_string(e) ||
		    strlen(json_string_value(e)) != json_string_length(e) ||
		    json_string_length(e) > API_DLR_ERROR_MAX) {
			http_reply_error(resp, 400,
			    "error: must be a string of at most %d bytes "
			    "without NUL",
			    API_DLR_ERROR_MAX);
			goto done;
		}
		error = json_string_value(e);
	}
	api_dlr_apply(resp, "json", id, status, status,
	    strcmp(status, "failed") == 0 ? error : NULL);
done:
	json_decref(o);
	gw_cfg_put(cfg);
}

const struct http_route api_dlr_routes[] = {
	{ "GET", "/v1/dlr/kannel", HTTP_BODY_NONE, api_dlr_kannel, NULL },
	{ "POST", "/v1/dlr", HTTP_BODY_JSON, api_dlr_json, NULL },
};
const size_t api_dlr_nroutes =
    sizeof(api_dlr_routes) / sizeof(api_dlr_routes[0]);
