/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP aggregator channels through libcurl (Debian 12: 7.88).
 *
 * A struct channel_http owns one easy handle, used by one sender thread
 * only, so the connection to the aggregator stays open between messages.
 * Answers are read and thrown away: only the status counts. A progress
 * callback abandons a request soon after the owner's cancel flag is set, so
 * a stuck aggregator cannot hold up shutdown for the whole timeout.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "config/cfg.h"
#include "gateway/channel_http.h"
#include "gateway/log.h"
#include "gateway/xmalloc.h"
#include "handlers/gsm.h"

struct channel_http {
	char name[CFG_ID_MAX]; /* channel name */
	enum cfg_http_format format;
	char *url;		    /* owned */
	char *username;		    /* owned, or NULL */
	char *password;		    /* owned, or NULL */
	CURL *curl;		    /* owned; keeps the connection */
	struct curl_slist *headers; /* owned; json: Content-Type */
	const atomic_int *cancel;   /* borrowed, or NULL */
};

int
channel_http_init(char **cause)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		xasprintf(
		    cause, "channel: libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
channel_http_cleanup(void)
{
	curl_global_cleanup();
}

/* Answers are not kept; taking every byte keeps the connection usable. */
static size_t
channel_http_discard_cb(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* Non-zero aborts the transfer: the owner is shutting down. */
static int
channel_http_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const struct channel_http *c = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return c->cancel != NULL && atomic_load(c->cancel) != 0;
}

/* Options that hold for every request of this channel. */
static int
channel_http_setup(struct channel_http *c)
{
	CURL *h = c->curl;
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
		   (long)CHANNEL_HTTP_TIMEOUT_MS) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
		   (long)CHANNEL_HTTP_TIMEOUT_MS) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, "hbmgw/" HBM_VERSION) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION,
		   channel_http_discard_cb) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION,
		   channel_http_progress_cb) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_XFERINFODATA, c) != CURLE_OK;
	if (c->format == CFG_FORMAT_JSON) {
		c->headers =
		    curl_slist_append(NULL, "Content-Type: application/json");
		bad |= c->headers == NULL;
		bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) !=
		    CURLE_OK;
	}
	return bad ? -1 : 0;
}

struct channel_http *
channel_http_new(
    const struct cfg_channel *ch, const atomic_int *cancel, char **cause)
{
	struct channel_http *c;

	c = xcalloc(1, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", ch->name);
	c->format = ch->format;
	c->url = xstrdup(ch->url);
	c->username = ch->username != NULL ? xstrdup(ch->username) : NULL;
	c->password = ch->password != NULL ? xstrdup(ch->password) : NULL;
	c->cancel = cancel;
	if ((c->curl = curl_easy_init()) == NULL ||
	    channel_http_setup(c) == -1) {
		xasprintf(cause, "channel %s: cannot set up libcurl", ch->name);
		channel_http_free(c);
		return NULL;
	}
	return c;
}

void
channel_http_free(struct channel_http *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->url);
	free(c->username);
	free(c->password);
	free(c);
}

char *
channel_http_json_body(
    const char *id, const char *to, const char *text, const char *channel)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "to", to, "text", text,
	    "channel", channel);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* Append "NAME=VALUE" to the query of *URL, VALUE percent-encoded. */
static void
channel_http_add(char **url, const char *name, const char *value)
{
	const char *sep = "&";
	char *esc, *out;
	size_t len = strlen(*url);

	if (strchr(*url, '?') == NULL)
		sep = "?";
	else if ((*url)[len - 1] == '?' || (*url)[len - 1] == '&')
		sep = "";
	if ((esc = curl_easy_escape(NULL, value, 0)) == NULL)
		fatalx("channel: out of memory");
	xasprintf(&out, "%s%s%s=%s", *url, sep, name, esc);
	curl_free(esc);
	free(*url);
	*url = out;
}

char *
channel_http_kannel_url(const char *url, const char *username,
    const char *password, const char *to, const char *text)
{
	char *out = xstrdup(url);

	if (username != NULL)
		channel_http_add(&out, "username", username);
	if (password != NULL)
		channel_http_add(&out, "password", password);
	channel_http_add(&out, "to", to);
	channel_http_add(&out, "text", text);
	channel_http_add(&out, "charset", "UTF-8");
	if (!gsm_is_gsm7(text))
		channel_http_add(&out, "coding", "2");
	channel_http_add(&out, "dlr-mask", "31");
	return out;
}

/*
 * Point the handle at this message: a Kannel GET, or a JSON POST of *BODY
 * (which the caller frees after the transfer). NULL when TEXT cannot be
 * sent as JSON (not UTF-8).
 */
static char *
channel_http_prepare(struct channel_http *c, const char *id, const char *to,
    const char *text, char **body)
{
	char *url;

	*body = NULL;
	if (c->format == CFG_FORMAT_KANNEL) {
		url = channel_http_kannel_url(
		    c->url, c->username, c->password, to, text);
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c->curl, CURLOPT_URL, url);
		return url;
	}
	if ((*body = channel_http_json_body(id, to, text, c->name)) == NULL)
		return NULL;
	url = xstrdup(c->url);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, *body);
	curl_easy_setopt(
	    c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(*body));
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	return url;
}

enum channel_http_result
channel_http_send(struct channel_http *c, const char *id, const char *to,
    const char *text, char **cause)
{
	enum channel_http_result res = CHANNEL_HTTP_SENT;
	char *url, *body;
	long status = 0;
	CURLcode rc;

	if ((url = channel_http_prepare(c, id, to, text, &body)) == NULL) {
		xasprintf(cause, "text is not valid UTF-8");
		return CHANNEL_HTTP_FAILED;
	}
	rc = curl_easy_perform(c->curl);
	/* The URL and body hold the number: wipe them from the handle. */
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		xasprintf(cause, "cancelled");
		res = CHANNEL_HTTP_ABORTED;
	} else if (rc != CURLE_OK) {
		xasprintf(cause, "%s", curl_easy_strerror(rc));
		res = CHANNEL_HTTP_FAILED;
	} else {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200 || status > 299) {
			xasprintf(
			    cause, "aggregator answered HTTP %ld", status);
			res = CHANNEL_HTTP_FAILED;
		}
	}
	free(url);
	free(body);
	return res;
}
