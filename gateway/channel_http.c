/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP aggregator channels through libcurl (Debian 12: 7.88).
 *
 * A struct channel_http, used by one sender thread only, owns a multi
 * handle and CHANNEL_HTTP_PARALLEL easy handles: a batch of messages goes
 * out over that many requests at once, and the multi handle keeps their
 * connections to the aggregator open between batches. Answers are read and
 * thrown away: only the status counts. A progress callback abandons the
 * requests soon after the owner's cancel flag is set, so a stuck aggregator
 * cannot hold up shutdown for the whole timeout.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "config/cfg.h"
#include "gateway/channel_http.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "lib/gsm.h"

/* One request slot: an easy handle and what it is sending. */
struct channel_http_slot {
	CURL *curl;
	struct channel_http_msg *msg; /* in flight, or NULL */
	char *url;		      /* owned while in flight */
	char *body;		      /* owned while in flight */
};

struct channel_http {
	char name[CFG_ID_MAX]; /* channel name */
	enum cfg_http_format format;
	char *url;	/* owned */
	char *username; /* owned, or NULL */
	char *password; /* owned, or NULL */
	char *from;	/* owned sender, or NULL */
	CURLM *multi;	/* owned; keeps the connections */
	struct channel_http_slot slot[CHANNEL_HTTP_PARALLEL];
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

/* Options that hold for every request of handle H of this channel. */
static int
channel_http_setup(struct channel_http *c, CURL *h)
{
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
	if (c->format == CFG_FORMAT_JSON)
		bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) !=
		    CURLE_OK;
	return bad ? -1 : 0;
}

struct channel_http *
channel_http_new(
    const struct cfg_channel *ch, const atomic_int *cancel, char **cause)
{
	struct channel_http *c;
	size_t i;
	int bad = 0;

	c = xcalloc(1, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", ch->name);
	c->format = ch->format;
	c->url = xstrdup(ch->url);
	c->username = ch->username != NULL ? xstrdup(ch->username) : NULL;
	c->password = ch->password != NULL ? xstrdup(ch->password) : NULL;
	c->from = ch->from != NULL ? xstrdup(ch->from) : NULL;
	c->cancel = cancel;
	if (c->format == CFG_FORMAT_JSON &&
	    (c->headers = curl_slist_append(
		 NULL, "Content-Type: application/json")) == NULL)
		bad = 1;
	if ((c->multi = curl_multi_init()) == NULL)
		bad = 1;
	for (i = 0; i < CHANNEL_HTTP_PARALLEL && !bad; i++)
		if ((c->slot[i].curl = curl_easy_init()) == NULL ||
		    channel_http_setup(c, c->slot[i].curl) == -1 ||
		    curl_easy_setopt(c->slot[i].curl, CURLOPT_PRIVATE,
			&c->slot[i]) != CURLE_OK)
			bad = 1;
	if (bad) {
		xasprintf(cause, "channel %s: cannot set up libcurl", ch->name);
		channel_http_free(c);
		return NULL;
	}
	return c;
}

void
channel_http_free(struct channel_http *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CHANNEL_HTTP_PARALLEL; i++)
		if (c->slot[i].curl != NULL)
			curl_easy_cleanup(c->slot[i].curl);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	curl_slist_free_all(c->headers);
	free(c->url);
	free(c->username);
	free(c->password);
	free(c->from);
	free(c);
}

char *
channel_http_json_body(const char *id, const char *to, const char *text,
    const char *channel, const char *from)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "to", to, "text", text,
	    "channel", channel);
	if (o == NULL)
		return NULL;
	if (from != NULL &&
	    json_object_set_new(o, "from", json_string(from)) == -1) {
		json_decref(o);
		return NULL;
	}
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
channel_http_kannel_url(const struct channel_http_kannel *k, const char *to,
    const char *text, const char *dlr_url)
{
	char *out = xstrdup(k->url);

	if (k->username != NULL)
		channel_http_add(&out, "username", k->username);
	if (k->password != NULL)
		channel_http_add(&out, "password", k->password);
	if (k->from != NULL)
		channel_http_add(&out, "from", k->from);
	channel_http_add(&out, "to", to);
	channel_http_add(&out, "text", text);
	channel_http_add(&out, "charset", "UTF-8");
	if (!gsm_is_gsm7(text))
		channel_http_add(&out, "coding", "2");
	channel_http_add(&out, "dlr-mask", "31");
	if (dlr_url != NULL)
		channel_http_add(&out, "dlr-url", dlr_url);
	return out;
}

/*
 * Point slot SL at message M: a Kannel GET, or a JSON POST. -1 when the
 * text cannot be sent as JSON (not UTF-8).
 */
static int
channel_http_prepare(struct channel_http *c, struct channel_http_slot *sl,
    struct channel_http_msg *m)
{
	if (c->format == CFG_FORMAT_KANNEL) {
		struct channel_http_kannel k = { c->url, c->username,
			c->password, c->from };

		sl->url =
		    channel_http_kannel_url(&k, m->to, m->text, m->dlr_url);
		curl_easy_setopt(sl->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(sl->curl, CURLOPT_URL, sl->url);
	} else {
		if ((sl->body = channel_http_json_body(
			 m->id, m->to, m->text, c->name, c->from)) == NULL)
			return -1;
		sl->url = xstrdup(c->url);
		curl_easy_setopt(sl->curl, CURLOPT_URL, sl->url);
		curl_easy_setopt(sl->curl, CURLOPT_POSTFIELDS, sl->body);
		curl_easy_setopt(sl->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(sl->body));
		curl_easy_setopt(sl->curl, CURLOPT_POST, 1L);
	}
	sl->msg = m;
	return 0;
}

/* Slot SL's transfer ended with RC: record the result, free the slot. */
static void
channel_http_finish(
    struct channel_http *c, struct channel_http_slot *sl, CURLcode rc)
{
	struct channel_http_msg *m = sl->msg;
	long status = 0;

	curl_multi_remove_handle(c->multi, sl->curl);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		xasprintf(&m->cause, "cancelled");
		m->result = CHANNEL_HTTP_ABORTED;
	} else if (rc != CURLE_OK) {
		xasprintf(&m->cause, "%s", curl_easy_strerror(rc));
		m->result = CHANNEL_HTTP_FAILED;
	} else {
		curl_easy_getinfo(sl->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200 || status > 299) {
			xasprintf(
			    &m->cause, "aggregator answered HTTP %ld", status);
			m->result = CHANNEL_HTTP_FAILED;
		} else
			m->result = CHANNEL_HTTP_SENT;
	}
	/* The URL and body hold the number: wipe them from the handle. */
	curl_easy_setopt(sl->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(sl->curl, CURLOPT_POSTFIELDS, NULL);
	free(sl->url);
	free(sl->body);
	sl->url = sl->body = NULL;
	sl->msg = NULL;
}

/* Start the next of MSGS[*NEXT..N) on free slots; how many are running. */
static int
channel_http_start(struct channel_http *c, struct channel_http_msg *msgs,
    size_t n, size_t *next)
{
	struct channel_http_slot *sl;
	int running = 0;
	size_t i;

	for (i = 0; i < CHANNEL_HTTP_PARALLEL; i++) {
		sl = &c->slot[i];
		while (sl->msg == NULL && *next < n) {
			struct channel_http_msg *m = &msgs[(*next)++];

			m->cause = NULL;
			if (channel_http_prepare(c, sl, m) == -1) {
				xasprintf(&m->cause, "text is not valid UTF-8");
				m->result = CHANNEL_HTTP_FAILED;
				continue;
			}
			curl_multi_add_handle(c->multi, sl->curl);
		}
		running += sl->msg != NULL;
	}
	return running;
}

void
channel_http_send_all(
    struct channel_http *c, struct channel_http_msg *msgs, size_t n)
{
	struct channel_http_slot *sl;
	size_t next = 0;
	CURLMsg *cm;
	void *priv;
	int still, left;

	while (channel_http_start(c, msgs, n, &next) > 0) {
		if (curl_multi_perform(c->multi, &still) != CURLM_OK ||
		    (still > 0 &&
			curl_multi_poll(c->multi, NULL, 0, 100, NULL) !=
			    CURLM_OK)) {
			/* Should not happen; end what is in flight. */
			for (left = 0; left < CHANNEL_HTTP_PARALLEL; left++)
				if (c->slot[left].msg != NULL)
					channel_http_finish(c, &c->slot[left],
					    CURLE_SEND_ERROR);
			continue;
		}
		while ((cm = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (cm->msg != CURLMSG_DONE)
				continue;
			priv = NULL;
			curl_easy_getinfo(
			    cm->easy_handle, CURLINFO_PRIVATE, &priv);
			sl = priv;
			if (sl != NULL && sl->msg != NULL)
				channel_http_finish(c, sl, cm->data.result);
		}
	}
}

enum channel_http_result
channel_http_send(struct channel_http *c, const char *id, const char *to,
    const char *text, char **cause)
{
	struct channel_http_msg m = { .id = id, .to = to, .text = text };

	channel_http_send_all(c, &m, 1);
	*cause = m.cause;
	return m.result;
}
