/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multipart SMS: the parts read from a SIM grouped into messages by
 * sender, concatenation reference and part count, in part order whatever
 * order they were stored in. A message is ready when every part is there,
 * or when its first part was seen long enough ago (then it is what
 * arrived). Also the deduplication id of an inbound SMS. Pure: the caller
 * passes the time; a struct join_book belongs to one modem thread.
 */
#ifndef HBM_MODEM_JOIN_H
#define HBM_MODEM_JOIN_H

#include <stddef.h>

#include "lib/crypto.h"

/* One SMS as read from the SIM; strings borrowed. */
struct join_part {
	const char *from;      /* sender as the network gave it */
	const char *smsc_time; /* SMSC time stamp, "" when unknown */
	int ref;	       /* concatenation reference; -1: a single SMS */
	int total;	       /* parts in the message (1 for a single SMS) */
	int seq;	       /* this part's number, 1 to total */
	const char *text;      /* UTF-8 */
};

/* A message made of parts; text and parts owned, from/smsc_time borrowed. */
struct join_msg {
	char *text;	       /* the parts' texts in order, joined */
	const char *from;      /* of its parts */
	const char *smsc_time; /* of its lowest-numbered part */
	int ref;	       /* as in struct join_part */
	int total;	       /* parts announced */
	int have;	       /* distinct parts present */
	size_t *parts;	       /* indexes into the caller's parts, to delete */
	size_t nparts;	       /* duplicates of a part included */
};

/* When each incomplete message was first seen. */
struct join_book;

struct join_book *join_book_new(void);
void join_book_free(struct join_book *);

/*
 * Group the N PARTS. Messages that are complete, or whose first sighting
 * was WAIT_MS or more before NOW_MS (monotonic ms), go to *OUT (*NOUT of
 * them, free with join_msgs_free()) and leave the book; the others wait.
 * Messages no longer among PARTS are forgotten. A part with seq outside
 * 1..total, or total above 255, is taken as a single SMS.
 */
void join_run(struct join_book *, const struct join_part *parts, size_t n,
    long long now_ms, long long wait_ms, struct join_msg **out, size_t *nout);
void join_msgs_free(struct join_msg *, size_t n);

/*
 * The deduplication id of message M received by modem MODEM: hex SHA-256
 * of modem, sender, SMSC time, reference and text.
 */
void join_id(
    const char *modem, const struct join_msg *m, char out[CRYPTO_SHA256_HEX]);

#endif
