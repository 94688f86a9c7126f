/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl send, inject and audit verify: queue an SMS (POST /v1/messages),
 * hand the daemon a text as if it came from a number (POST
 * /v1/inbound/sms with the admin token; the daemon draws its id), and walk
 * the audit hash chain (GET /v1/audit/verify).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

/* POST BODY to PATH; the 202 answer's JSON object into *OUT. */
static int
post_accepted(struct ctl *ctl, const char *what, const char *path,
    const json_t *body, json_t **out)
{
	struct reply r;
	int rc;

	*out = NULL;
	if ((rc = ctl_post(ctl, path, body, &r)) != CTL_OK)
		goto done;
	if (r.status >= 400 && r.status < 500)
		rc = reply_refused(what, &r);
	else if (r.status != 202 && r.status != 200)
		rc = reply_unexpected(path, &r);
	else if ((*out = reply_json(path, &r)) == NULL ||
	    json_str(*out, "id") == NULL) {
		if (*out != NULL)
			ctl_warn(path, "no \"id\" in the answer");
		json_decref(*out);
		*out = NULL;
		rc = CTL_UNREACHABLE;
	}
done:
	reply_free(&r);
	return rc;
}

/* send NUMBER TEXT: queue an SMS; prints its id. */
int
cmd_send(struct ctl *ctl, int argc, char **argv)
{
	json_t *body, *out;
	int rc;

	(void)argc;
	body = json_pack("{s:s,s:s}", "to", argv[0], "text", argv[1]);
	if (body == NULL) {
		ctl_warn("send", "NUMBER and TEXT must be UTF-8");
		return CTL_USAGE;
	}
	rc = post_accepted(ctl, "send", "/v1/messages", body, &out);
	json_decref(body);
	if (rc != CTL_OK)
		return rc;
	if (ctl->json)
		rc = ctl_print_json(out) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else
		print_field("id", json_str(out, "id"));
	json_decref(out);
	return rc;
}

/* inject NUMBER TEXT: an inbound SMS from NUMBER, for drills and tests. */
int
cmd_inject(struct ctl *ctl, int argc, char **argv)
{
	json_t *body, *out;
	int rc;

	(void)argc;
	body = json_pack(
	    "{s:s,s:s,s:s}", "from", argv[0], "to", "hbmctl", "text", argv[1]);
	if (body == NULL) {
		ctl_warn("inject", "NUMBER and TEXT must be UTF-8");
		return CTL_USAGE;
	}
	rc = post_accepted(ctl, "inject", "/v1/inbound/sms", body, &out);
	json_decref(body);
	if (rc != CTL_OK)
		return rc;
	if (ctl->json)
		rc = ctl_print_json(out) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else {
		print_field("id", json_str(out, "id"));
		print_field("duplicate",
		    json_is_true(json_object_get(out, "duplicate")) ? "yes"
								    : "no");
	}
	json_decref(out);
	return rc;
}

/* audit verify: exit 0 when the chain holds, 1 when it is broken. */
int
cmd_audit(struct ctl *ctl, int argc, char **argv)
{
	struct reply r;
	json_t *root = NULL;
	char buf[32];
	int rc, ok;

	(void)argc;
	if (strcmp(argv[0], "verify") != 0) {
		ctl_warn("audit", "unknown subcommand (only: verify)");
		return CTL_USAGE;
	}
	if ((rc = ctl_get(ctl, "/v1/audit/verify", &r)) != CTL_OK)
		goto out;
	if (r.status != 200) {
		rc = reply_unexpected("/v1/audit/verify", &r);
		goto out;
	}
	if ((root = reply_json("/v1/audit/verify", &r)) == NULL ||
	    !json_is_boolean(json_object_get(root, "ok")) ||
	    !json_is_integer(json_object_get(root, "entries"))) {
		if (root != NULL)
			ctl_warn("/v1/audit/verify", "malformed answer");
		rc = CTL_UNREACHABLE;
		goto out;
	}
	ok = json_is_true(json_object_get(root, "ok"));
	if (ctl->json)
		rc = ctl_print_json(root) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else {
		print_field("audit", ok ? "intact" : "broken");
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(
			json_object_get(root, "entries")));
		print_field("entries", buf);
		if (!ok)
			print_field("broken at", json_str(root, "broken_at"));
	}
	if (rc == CTL_OK && !ok)
		rc = CTL_NOT_READY;
out:
	reply_free(&r);
	json_decref(root);
	return rc;
}
