/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP aggregator channels: one SMS as a generic JSON POST or a Kannel
 * sendsms GET, through libcurl. A struct channel_http belongs to one sender
 * thread and keeps its connection alive between messages. The request
 * builders are pure, for the unit tests.
 */
#ifndef HBM_GATEWAY_CHANNEL_HTTP_H
#define HBM_GATEWAY_CHANNEL_HTTP_H

#include <stdatomic.h>

struct cfg_channel;

#define CHANNEL_HTTP_TIMEOUT_MS 10000 /* one request, connect included */
#define CHANNEL_HTTP_PARALLEL 16      /* requests in flight per channel */

enum channel_http_result {
	CHANNEL_HTTP_SENT,    /* the aggregator answered 2xx */
	CHANNEL_HTTP_FAILED,  /* no answer, or not 2xx: try again later */
	CHANNEL_HTTP_ABORTED, /* cancelled for shutdown: outcome unknown */
};

struct channel_http;

/* Process-wide libcurl set-up and tear-down, around every channel's life. */
int channel_http_init(char **cause);
void channel_http_cleanup(void);

/*
 * A channel for CH (its settings are copied). A request in flight is
 * abandoned soon after *CANCEL (borrowed, may be NULL) becomes non-zero.
 */
struct channel_http *channel_http_new(
    const struct cfg_channel *ch, const atomic_int *cancel, char **cause);
void channel_http_free(struct channel_http *);

/* One message of a batch, and what became of it. */
struct channel_http_msg {
	const char *id;	     /* message id */
	const char *to;	     /* E.164 */
	const char *text;    /* UTF-8 */
	const char *dlr_url; /* Kannel dlr-url, or NULL */
	enum channel_http_result result;
	char *cause; /* unless sent: why, without numbers or text; owned */
};

/*
 * Send MSGS[0..N), up to CHANNEL_HTTP_PARALLEL requests at a time, and set
 * each one's result and cause (the caller frees the causes).
 */
void channel_http_send_all(
    struct channel_http *, struct channel_http_msg *msgs, size_t n);

/*
 * Send TEXT to the E.164 number TO as message ID. On anything but
 * CHANNEL_HTTP_SENT, *cause says why, without numbers or text; the caller
 * frees it.
 */
enum channel_http_result channel_http_send(struct channel_http *,
    const char *id, const char *to, const char *text, char **cause);

/*
 * The JSON body {"id","to","text","channel","from"} of a json channel
 * ("from" left out when FROM is NULL), or NULL when a value is not UTF-8;
 * the caller frees it.
 */
char *channel_http_json_body(const char *id, const char *to, const char *text,
    const char *channel, const char *from);

/* A Kannel channel's fixed settings; all borrowed, NULL when not set. */
struct channel_http_kannel {
	const char *url; /* sendsms URL, may carry a query already */
	const char *username;
	const char *password;
	const char *from; /* sender: Kannel refuses a message without one */
};

/*
 * The Kannel sendsms URL for K: username, password and from (each left
 * out when NULL), to, text, charset=UTF-8, coding=2 (UCS-2) when TEXT is
 * not all GSM-7, dlr-mask=31 and dlr-url (left out when NULL). Every value
 * is percent-encoded. The caller frees it.
 */
char *channel_http_kannel_url(const struct channel_http_kannel *k,
    const char *to, const char *text, const char *dlr_url);

#endif
