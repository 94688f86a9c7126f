/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inbox: every inbound SMS, from webhooks and modems, is appended to the
 * Redis stream {hbm}:inbox (deduplicated on its external id) before its
 * source is answered; dispatcher threads consume it through the consumer
 * group "dispatch" and hand each message to the case logic.
 */
#ifndef HBM_GATEWAY_INBOX_H
#define HBM_GATEWAY_INBOX_H

#include <stddef.h>

struct cfg;
struct crypto_key;
struct store;

#define INBOX_ID_MAX 48 /* a stream entry id "1764388800123-12" and NUL */

enum inbox_sender {
	INBOX_PHONE, /* an E.164 number: may be answered */
	INBOX_ALNUM, /* "MTN", "Bank": never answered */
	INBOX_SHORT, /* a short code: never answered */
};

/* One inbound SMS as a source hands it over; all borrowed. */
struct inbox_msg {
	const char *from; /* E.164 when sender is INBOX_PHONE */
	enum inbox_sender sender;
	const char *to;	    /* our number or short code, as given */
	const char *text;   /* UTF-8 */
	const char *ext_id; /* the source's id, for deduplication */
	const char *source; /* "http", "africastalking", a modem name */
};

/*
 * Classify and normalise a sender as written by a source: an E.164 number
 * into OUT (17 bytes), else a short code or an alphanumeric sender name
 * (copied as is). -1 when it is none of these, with *why set.
 */
int inbox_sender_parse(const char *raw, const char *country_code,
    enum inbox_sender *kind, char out[17], const char **why);

/*
 * Append MSG to the inbox unless its (source, ext_id) was seen in the last
 * 24 hours. Sets ID to the entry id (the earlier one for a duplicate) and
 * *DUPLICATE. -1 with *cause when Redis is unreachable (nothing was added)
 * or when fewer than redis.wait_replicas replicas confirmed the write in
 * time (it may be stored: a retry is answered as a duplicate). Only a 0
 * may be acknowledged to the source.
 */
int inbox_add(struct store *, const struct crypto_key *,
    const struct inbox_msg *, char id[INBOX_ID_MAX], int *duplicate,
    char **cause);

/* Start and stop the dispatcher thread(s). */
int inbox_start(char **cause);
void inbox_stop(void);

#endif
