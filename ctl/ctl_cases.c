/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl cases and hbmctl case CODE: the case API (GET /v1/cases and
 * GET /v1/cases/{code}) as tables and "key: value" lines, or the daemon's
 * JSON with --json.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

/* What hbmctl cases asks for; strings borrowed from argv. */
struct cases_args {
	const char *status;
	const char *limit;
	const char *cursor;
};

/*
 * Reads "--NAME VALUE" (or --NAME=VALUE) options of command CMD: each of
 * NAMES[0..N) sets *SLOTS[i] (borrowed from argv). -1 after a message.
 */
int
ctl_args_parse(const char *cmd, int argc, char **argv, const char *const *names,
    const char ***slots, size_t nnames)
{
	const char *arg, *eq, *value;
	size_t i, n;
	int k;

	for (i = 0; i < nnames; i++)
		*slots[i] = NULL;
	for (k = 0; k < argc; k++) {
		arg = argv[k];
		eq = strchr(arg, '=');
		n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		for (i = 0; i < nnames; i++)
			if (strlen(names[i]) == n &&
			    strncmp(arg, names[i], n) == 0)
				break;
		if (i == nnames) {
			ctl_warn(cmd, "unknown argument");
			return -1;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (k + 1 < argc)
			value = argv[++k];
		else {
			ctl_warn(names[i], "needs a value");
			return -1;
		}
		if (*value == '\0') {
			ctl_warn(names[i], "is empty");
			return -1;
		}
		*slots[i] = value;
	}
	return 0;
}

/* Reads [--status S] [--limit N] [--cursor C] (or --name=value). */
static int
cases_args_parse(int argc, char **argv, struct cases_args *a)
{
	static const char *const names[] = { "--status", "--limit",
		"--cursor" };
	const char **slots[] = { &a->status, &a->limit, &a->cursor };

	return ctl_args_parse("cases", argc, argv, names, slots, 3);
}

/* Appends "&NAME=VALUE", VALUE escaped, to the path in BUF. */
int
ctl_path_arg(struct ctl *ctl, char *buf, const char *name, const char *value)
{
	char *esc;
	size_t len = strlen(buf);

	if (value == NULL)
		return 0;
	if ((esc = curl_easy_escape(ctl->curl, value, 0)) == NULL)
		return -1;
	snprintf(buf + len, CTL_PATH_MAX - len, "%s%s=%s",
	    strchr(buf, '?') != NULL ? "&" : "?", name, esc);
	curl_free(esc);
	return strlen(buf) + 1 < CTL_PATH_MAX ? 0 : -1;
}

/* A number member of O as text into BUF, with PREFIX; NULL when none. */
static const char *
cases_num(const json_t *o, const char *key, const char *prefix, char *buf,
    size_t size)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, size, "%s%lld", prefix, (long long)json_integer_value(v));
	return buf;
}

/* Prints a list answer as a table, and where the next page starts. */
static void
cases_print(const json_t *root)
{
	static const char *const titles[] = { "CODE", "STATUS", "KIND",
		"CATEGORY", "AGENCY", "PRIORITY", "PERSONS", "CREATED" };
	const json_t *cases = json_object_get(root, "cases"), *c;
	char prio[32], persons[32];
	struct ctl_table t;
	size_t i;

	if (json_array_size(cases) == 0)
		printf("no cases\n");
	else {
		ctl_table_init(&t, 8, titles);
		json_array_foreach(cases, i, c)
		{
			const char *row[] = { json_str(c, "code"),
				json_str(c, "status"), json_str(c, "kind"),
				json_str(c, "category"), json_str(c, "agency"),
				cases_num(
				    c, "priority", "P", prio, sizeof(prio)),
				cases_num(
				    c, "persons", "", persons, sizeof(persons)),
				json_str(c, "created_at") };
			ctl_table_add(&t, row);
		}
		ctl_table_print(&t);
	}
	if (json_str(root, "next") != NULL)
		print_field("next", json_str(root, "next"));
}

/* cases [--status S] [--limit N] [--cursor C]: a page of cases. */
int
cmd_cases(struct ctl *ctl, int argc, char **argv)
{
	struct cases_args a;
	struct reply r;
	char path[CTL_PATH_MAX] = "/v1/cases";
	json_t *root = NULL;
	int rc;

	if (cases_args_parse(argc, argv, &a) == -1)
		return CTL_USAGE;
	if (ctl_path_arg(ctl, path, "status", a.status) == -1 ||
	    ctl_path_arg(ctl, path, "limit", a.limit) == -1 ||
	    ctl_path_arg(ctl, path, "cursor", a.cursor) == -1) {
		ctl_warn("cases", "arguments too long");
		return CTL_USAGE;
	}
	if ((rc = ctl_get(ctl, path, &r)) != CTL_OK)
		goto out;
	if (r.status == 400) {
		rc = reply_refused("cases", &r);
		goto out;
	}
	if (r.status != 200) {
		rc = reply_unexpected("/v1/cases", &r);
		goto out;
	}
	if ((root = reply_json("/v1/cases", &r)) == NULL ||
	    !json_is_array(json_object_get(root, "cases"))) {
		if (root != NULL)
			ctl_warn("/v1/cases", "no \"cases\" array");
		rc = CTL_UNREACHABLE;
		goto out;
	}
	if (ctl->json)
		rc = ctl_print_json(root) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else
		cases_print(root);
out:
	reply_free(&r);
	json_decref(root);
	return rc;
}

/* Prints "KEY: VALUE", "-" when the case has no such value (null). */
static void
case_field(const char *key, const char *value)
{
	print_field(key, value != NULL ? value : "-");
}

/* Prints one case as "key: value" lines and its history as a table. */
static void
case_print(const json_t *c)
{
	static const char *const titles[] = { "AT", "WHO", "WHAT", "NOTE" };
	const json_t *h;
	char buf[32];
	struct ctl_table t;
	size_t i;

	case_field("code", json_str(c, "code"));
	case_field("status", json_str(c, "status"));
	case_field("kind", json_str(c, "kind"));
	case_field("category", json_str(c, "category"));
	case_field("agency", json_str(c, "agency"));
	case_field("priority", cases_num(c, "priority", "P", buf, sizeof(buf)));
	case_field("region", json_str(c, "region"));
	case_field("persons", cases_num(c, "persons", "", buf, sizeof(buf)));
	case_field("escalated",
	    json_is_true(json_object_get(c, "escalated")) ? "yes" : "no");
	case_field("created", json_str(c, "created_at"));
	case_field("updated", json_str(c, "updated_at"));
	case_field("acknowledged", json_str(c, "acked_at"));
	case_field("closed", json_str(c, "closed_at"));
	if (json_str(c, "phone") != NULL)
		case_field("phone", json_str(c, "phone"));
	if (json_str(c, "note") != NULL && json_str(c, "note")[0] != '\0')
		case_field("note", json_str(c, "note"));
	if (json_array_size(json_object_get(c, "history")) == 0)
		return;
	printf("\n");
	ctl_table_init(&t, 4, titles);
	json_array_foreach(json_object_get(c, "history"), i, h)
	{
		const char *row[] = { json_str(h, "at"), json_str(h, "who"),
			json_str(h, "what"), json_str(h, "note") };
		char what[64];

		/* an SMS the case caused: to whom, and its status */
		if (json_str(h, "to_role") != NULL) {
			snprintf(what, sizeof(what), "sms to %s",
			    json_str(h, "to_role"));
			row[1] = "gateway";
			row[2] = what;
			row[3] = json_str(h, "status");
		}
		ctl_table_add(&t, row);
	}
	ctl_table_print(&t);
}

/* case CODE: one case with its history. */
int
cmd_case(struct ctl *ctl, int argc, char **argv)
{
	struct reply r;
	char path[CTL_PATH_MAX], *esc;
	json_t *root = NULL;
	int rc;

	(void)argc;
	if ((esc = curl_easy_escape(ctl->curl, argv[0], 0)) == NULL ||
	    strlen(esc) > 64) {
		curl_free(esc);
		ctl_warn("case", "not a case code");
		return CTL_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/cases/%s", esc);
	curl_free(esc);
	if ((rc = ctl_get(ctl, path, &r)) != CTL_OK)
		goto out;
	if (r.status == 400 || r.status == 404) {
		rc = reply_refused(argv[0], &r);
		goto out;
	}
	if (r.status != 200) {
		rc = reply_unexpected(path, &r);
		goto out;
	}
	if ((root = reply_json(path, &r)) == NULL) {
		rc = CTL_UNREACHABLE;
		goto out;
	}
	if (ctl->json)
		rc = ctl_print_json(root) == -1 ? CTL_UNREACHABLE : CTL_OK;
	else
		case_print(root);
out:
	reply_free(&r);
	json_decref(root);
	return rc;
}
