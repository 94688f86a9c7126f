/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /v1/audit/verify (admin token): walk the hash-chained audit stream
 * and say whether it holds together, {"ok": true, "entries": N}, or where
 * it first breaks, {"ok": false, "entries": N, "broken_at": "<entry id>"}.
 */
#include <stdlib.h>

#include <jansson.h>

#include "gateway/api.h"
#include "store/audit.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "store/store.h"

/* GET /v1/audit/verify. */
static void
api_audit_verify(const struct http_request *req, struct http_response *resp)
{
	long long entries = 0, chained;
	char *bad_id = NULL, *cause = NULL;
	int rc;

	if (!api_require_admin(req, resp))
		return;
	/* What waits for its hash is chained first, so all is checked. */
	rc = audit_chain_all(gw_store(), &chained, &cause);
	if (rc == 0)
		rc = audit_verify_report(gw_store(), &entries, &bad_id, &cause);
	switch (rc) {
	case 0:
		api_reply_json(resp, 200,
		    json_pack(
			"{s:b,s:I}", "ok", 1, "entries", (json_int_t)entries));
		break;
	case 1:
		api_reply_json(resp, 200,
		    json_pack("{s:b,s:I,s:s}", "ok", 0, "entries",
			(json_int_t)entries, "broken_at", bad_id));
		free(bad_id);
		break;
	default:
		log_warnx("audit: verify: %s", cause);
		free(cause);
		if (store_connected(gw_store()))
			http_reply_error(resp, 500, "store error");
		else
			http_reply_error(
			    resp, 503, "store unavailable, retry later");
		break;
	}
}

const struct http_route api_audit_routes[] = {
	{ "GET", "/v1/audit/verify", HTTP_BODY_NONE, api_audit_verify, NULL },
};
const size_t api_audit_nroutes =
    sizeof(api_audit_routes) / sizeof(api_audit_routes[0]);
