/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl messages, message ID and requeue: the outbound SMS API
 * (GET /v1/messages, GET /v1/messages/{id}, POST /v1/messages/requeue) as
 * tables and "key: value" lines, or the daemon's JSON with --json.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

/* The attempts member of M as text into BUF. */
static const char *
messages_attempts(const json_t *m, char *buf, size_t size)
{
	const json_t *v = json_object_get(m, "attempts");

	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* Prints a list answer as a table, and where the next page starts. */
static void
messages_print(const json_t *root)
{
	static const char *const titles[] = { "ID", "STATUS", "CHANNEL", "KIND",
		"TO", "ATTEMPTS", "UPDATED", "ERROR" };
	const json_t *msgs = json_object_get(root, "messages"), *m;
	struct ctl_table t;
	char tries[32];
	size_t i;

	if (json_array_size(msgs) == 0)
		printf("no messages\n");
	else {
		ctl_table_init(&t, 8, titles);
		json_array_foreach(msgs, i, m)
		{
			const char *row[] = { json_str(m, "id"),
				json_str(m, "status"), json_str(m, "channel"),
				json_str(m, "kind"), json_str(m, "to"),
				messages_attempts(m, tries, sizeof(tries)),
				json_str(m, "updated_at"),
				json_str(m, "error") };
			ctl_table_add(&t, row);
		}
		ctl_table_print(&t);
	}
	if (json_str(root, "next") != NULL)
		print_field("next", json_str(root, "next"));
}

/* GET PATH, expecting 200 and a JSON object; refused on 400 and 404. */
static int
messages_get(struct ctl *ctl, const char *what, const char *path, json_t **root)
{
	struct reply r;
	int rc;

	*root = NULL;
	if ((rc = ctl_get(ctl, path, &r)) != CTL_OK)
		goto out;
	if (r.status == 400 || r.status == 404)
		rc = reply_refused(what, &r);
	else if (r.status != 200)
		rc = reply_unexpected(path, &r);
	else if ((*root = reply_json(path, &r)) == NULL)
		rc = CTL_UNREACHABLE;
out:
	reply_free(&r);
	return rc;
}

/* messages [--to NUMBER] [--status S] [--limit N]. */
int
cmd_messages(struct ctl *ctl, int argc, char **argv)
{
	static const char *const names[] = { "--to", "--status", "--limit" };
	const char *to, *status, *limit;
	const char **slots[] = { &to, &status, &limit };
	char path[CTL_PATH_MAX] = "/v1/messages";
	json_t *root;
	int rc;

	if (ctl_args_parse("messages", argc, argv, names, slots, 3) == -1)
		return CTL_USAGE;
	if (ctl_path_arg(ctl, path, "to", to) == -1 ||
	    ctl_path_arg(ctl, path, "status", status) == -1 ||
	    ctl_path_arg(ctl, path, "limit", limit) == -1) {
		ctl_warn("messages", "arguments too long");
		return CTL_USAGE;
	}
	if ((rc = messages_get(ctl, "messages", path, &root)) != CTL_OK)
		return rc;
	if (!json_is_array(json_object_get(root, "messages"))) {
		ctl_warn("/v1/messages", "no \"messages\" array");
		rc = CTL_UNREACHABLE;
	} else if (ctl->json)
		rc = ctl_print_json(root) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else
		messages_print(root);
	json_decref(root);
	return rc;
}

/* Prints "KEY: VALUE", "-" when the message has no such value. */
static void
message_field(const char *key, const char *value)
{
	print_field(key, value != NULL ? value : "-");
}

/* message ID: one message, its status and its attempts. */
int
cmd_message(struct ctl *ctl, int argc, char **argv)
{
	char path[CTL_PATH_MAX], tries[32], *esc;
	json_t *root;
	int rc;

	(void)argc;
	if ((esc = curl_easy_escape(ctl->curl, argv[0], 0)) == NULL ||
	    strlen(esc) > 64) {
		curl_free(esc);
		ctl_warn("message", "not a message id");
		return CTL_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/messages/%s", esc);
	curl_free(esc);
	if ((rc = messages_get(ctl, argv[0], path, &root)) != CTL_OK)
		return rc;
	if (ctl->json)
		rc = ctl_print_json(root) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else {
		message_field("id", json_str(root, "id"));
		message_field("status", json_str(root, "status"));
		message_field("channel", json_str(root, "channel"));
		message_field("kind", json_str(root, "kind"));
		message_field("to", json_str(root, "to"));
		message_field(
		    "attempts", messages_attempts(root, tries, sizeof(tries)));
		message_field("last error", json_str(root, "error"));
		message_field("created", json_str(root, "created_at"));
		message_field("updated", json_str(root, "updated_at"));
		message_field("text", json_str(root, "text"));
	}
	json_decref(root);
	return rc;
}

/* requeue ID... or requeue --dead: dead or failed messages queued again. */
int
cmd_requeue(struct ctl *ctl, int argc, char **argv)
{
	const json_t *v;
	struct reply r;
	json_t *body, *ids, *root = NULL;
	size_t i;
	int k, rc;

	if (strcmp(argv[0], "--dead") == 0) {
		if (argc != 1) {
			ctl_warn("requeue", "--dead takes no ids");
			return CTL_USAGE;
		}
		body = json_pack("{s:s}", "status", "dead");
	} else {
		ids = json_array();
		for (k = 0; k < argc; k++) {
			if (argv[k][0] == '-') {
				ctl_warn(argv[k], "unknown argument");
				json_decref(ids);
				return CTL_USAGE;
			}
			json_array_append_new(ids, json_string(argv[k]));
		}
		body = json_pack("{s:o}", "ids", ids);
	}
	rc = ctl_post(ctl, "/v1/messages/requeue", body, &r);
	json_decref(body);
	if (rc != CTL_OK)
		goto out;
	if (r.status == 400) {
		rc = reply_refused("requeue", &r);
		goto out;
	}
	if (r.status != 200) {
		rc = reply_unexpected("/v1/messages/requeue", &r);
		goto out;
	}
	if ((root = reply_json("/v1/messages/requeue", &r)) == NULL) {
		rc = CTL_UNREACHABLE;
		goto out;
	}
	if (ctl->json) {
		rc = ctl_print_json(root) == -1 ? CTL_UNREACHABLE : CTL_OK;
		goto out;
	}
	json_array_foreach(json_object_get(root, "requeued"), i, v)
	    printf("%s: queued\n", json_string_value(v));
	json_array_foreach(json_object_get(root, "skipped"), i, v) printf(
	    "%s: not queued (%s)\n", json_str(v, "id"), json_str(v, "status"));
	printf(
	    "%zu queued\n", json_array_size(json_object_get(root, "requeued")));
	/* Some of those named could not be queued: say so in the status. */
	if (json_array_size(json_object_get(root, "skipped")) > 0)
		rc = CTL_REFUSED;
out:
	reply_free(&r);
	json_decref(root);
	return rc;
}
