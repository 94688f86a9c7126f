/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmctl's requests to the daemon: one libcurl handle for every request of
 * a run, the bearer token on each, JSON bodies, answers read into memory up
 * to CTL_MAX_BODY bytes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

/* Collects an answer's body; curl_easy_perform() fails when this returns
 * less than it was given. */
static size_t
reply_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t add = size * n;
	char *body;

	if (add > CTL_MAX_BODY - r->len) {
		r->overflow = 1;
		return 0;
	}
	if ((body = realloc(r->body, r->len + add + 1)) == NULL)
		return 0;
	memcpy(body + r->len, data, add);
	r->len += add;
	body[r->len] = '\0';
	r->body = body;
	return add;
}

/* Frees what a reply holds; a zeroed reply is fine. */
void
reply_free(struct reply *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Copies the daemon's {"error": "..."} text into buf, or "" if none. */
const char *
reply_error(const struct reply *r, char *buf, size_t size)
{
	json_t *root, *err;

	buf[0] = '\0';
	root = json_loadb(r->body, r->len, 0, NULL);
	err = json_object_get(root, "error");
	if (json_is_string(err))
		snprintf(buf, size, "%s", json_string_value(err));
	json_decref(root);
	return buf;
}

/* Reports an HTTP status the command does not expect. */
int
reply_unexpected(const char *path, const struct reply *r)
{
	char err[256];

	reply_error(r, err, sizeof(err));
	ctl_warn(path, "unexpected HTTP status %ld%s%s", r->status,
	    err[0] != '\0' ? ": " : "", err);
	return CTL_UNREACHABLE;
}

/* Sets up libcurl for every request: timeout, protocols, token. */
int
ctl_open(struct ctl *ctl)
{
	char *auth;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (ctl->curl = curl_easy_init()) == NULL) {
		ctl_warn("curl", "cannot initialise");
		return -1;
	}
	curl_easy_setopt(ctl->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT_MS, ctl->timeout_ms);
	curl_easy_setopt(ctl->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ctl->curl, CURLOPT_USERAGENT, "hbmctl/" HBM_VERSION);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, reply_write_cb);
	if (ctl->token != NULL) {
		if (asprintf(&auth, "Authorization: Bearer %s", ctl->token) ==
		    -1) {
			ctl_warn("token", "out of memory");
			return -1;
		}
		ctl->headers = curl_slist_append(NULL, auth);
		ctl->json_headers = curl_slist_append(NULL, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
		if (ctl->headers == NULL || ctl->json_headers == NULL) {
			ctl_warn("token", "out of memory");
			return -1;
		}
	}
	ctl->json_headers = curl_slist_append(
	    ctl->json_headers, "Content-Type: application/json");
	if (ctl->json_headers == NULL) {
		ctl_warn("curl", "out of memory");
		return -1;
	}
	return 0;
}

/* Releases what ctl_open() and set_url() took. */
void
ctl_close(struct ctl *ctl)
{
	curl_easy_cleanup(ctl->curl);
	curl_slist_free_all(ctl->headers);
	curl_slist_free_all(ctl->json_headers);
	curl_global_cleanup();
	free(ctl->url);
	free(ctl->metrics_url);
}

/*
 * Sends METHOD PATH to the daemon, with BODY (NULL for none) as JSON, and
 * reads the answer into R. Returns CTL_OK when an answer came, whatever
 * its status; otherwise reports why and returns the exit status.
 */
int
ctl_request(struct ctl *ctl, const char *method, const char *path,
    const json_t *body, struct reply *r)
{
	return ctl_request_at(ctl, ctl->url, method, path, body, r);
}

int
ctl_request_at(struct ctl *ctl, const char *base, const char *method,
    const char *path, const json_t *body, struct reply *r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char *url, *data = NULL;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (asprintf(&url, "%s%s", base, path) == -1 ||
	    (r->body = calloc(1, 1)) == NULL ||
	    (body != NULL && (data = json_dumps(body, JSON_COMPACT)) == NULL)) {
		ctl_warn(path, "out of memory");
		return CTL_UNREACHABLE;
	}
	curl_easy_setopt(ctl->curl, CURLOPT_URL, url);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(ctl->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(ctl->curl, CURLOPT_HTTPHEADER, ctl->headers);
	} else {
		curl_easy_setopt(
		    ctl->curl, CURLOPT_POSTFIELDS, data != NULL ? data : "");
		curl_easy_setopt(
		    ctl->curl, CURLOPT_HTTPHEADER, ctl->json_headers);
	}
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(ctl->curl);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(ctl->curl, CURLOPT_POSTFIELDS, NULL);
	free(url);
	free(data);
	if (r->overflow) {
		ctl_warn(path, "answer longer than %d bytes", CTL_MAX_BODY);
		return CTL_UNREACHABLE;
	}
	if (rc != CURLE_OK) {
		ctl_warn(path, "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		return CTL_UNREACHABLE;
	}
	curl_easy_getinfo(ctl->curl, CURLINFO_RESPONSE_CODE, &r->status);
	return CTL_OK;
}

/* As ctl_request(), and an authentication refusal is reported too. */
static int
ctl_call(struct ctl *ctl, const char *method, const char *path,
    const json_t *body, struct reply *r)
{
	char err[256];
	int rc;

	if ((rc = ctl_request(ctl, method, path, body, r)) != CTL_OK)
		return rc;
	if (r->status == 401 || r->status == 403) {
		reply_error(r, err, sizeof(err));
		ctl_warn(path, "authentication refused (HTTP %ld%s%s)%s",
		    r->status, err[0] != '\0' ? ": " : "", err,
		    ctl->token == NULL ? "; no token given" : "");
		return CTL_AUTH;
	}
	return CTL_OK;
}

/* GETs PATH into R. Returns CTL_OK when an answer came that was not an
 * authentication refusal (the caller judges its status), otherwise reports
 * why and returns the exit status. */
int
ctl_get(struct ctl *ctl, const char *path, struct reply *r)
{
	return ctl_call(ctl, "GET", path, NULL, r);
}

/* The same for a POST of BODY as JSON. */
int
ctl_post(struct ctl *ctl, const char *path, const json_t *body, struct reply *r)
{
	return ctl_call(ctl, "POST", path, body, r);
}

/* Reports a 4xx answer with the daemon's reason: CTL_REFUSED. */
int
reply_refused(const char *what, const struct reply *r)
{
	char err[256];

	reply_error(r, err, sizeof(err));
	ctl_warn(
	    what, "%s (HTTP %ld)", err[0] != '\0' ? err : "refused", r->status);
	return CTL_REFUSED;
}

/* The answer R to PATH as a JSON object, or NULL after reporting why. */
json_t *
reply_json(const char *path, const struct reply *r)
{
	json_error_t jerr;
	json_t *root;

	if ((root = json_loadb(r->body, r->len, 0, &jerr)) == NULL) {
		ctl_warn(path, "malformed JSON: %s", jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		ctl_warn(path, "malformed answer: not a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}
