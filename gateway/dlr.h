/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Delivery reports from HTTP aggregators: the signed callback URL handed to
 * Kannel with each message, and what Kannel's report types mean for the
 * message's state. No I/O; gateway/api_dlr.c serves the routes.
 */
#ifndef HBM_GATEWAY_DLR_H
#define HBM_GATEWAY_DLR_H

struct cfg;
struct crypto_key;

/* What one delivery report says about a message. */
struct dlr_report {
	const char *name;   /* static: "delivered", "undelivered", ... */
	const char *status; /* "delivered", "failed"; NULL: interim */
	const char *error;  /* static reason recorded with "failed", or NULL */
};

/*
 * The dlr-url for message MSG_ID (a message id, outbox_id_valid()):
 * "<public_url>/v1/dlr/kannel?id=<id>&status=%d&sig=<hex>", where Kannel
 * replaces %d with its report type and sig is crypto_dlr_sig() of the id.
 * Encode it as a whole when passing it to sendsms as dlr-url. NULL when
 * http.public_url is not set or MSG_ID is not a message id; the caller
 * frees.
 */
char *dlr_kannel_url(
    const struct cfg *, const struct crypto_key *, const char *msg_id);

/* 1 when SIG is the signature of MSG_ID (constant time), else 0. */
int dlr_kannel_sig_ok(
    const struct crypto_key *, const char *msg_id, const char *sig);

/*
 * Read a Kannel report type as Kannel writes it for %d (decimal 1, 2, 4, 8
 * or 16) into R: 1 delivered, 2 undelivered and 16 rejected (both
 * failed), 4 buffered and 8 submitted (interim). -1 for anything else.
 */
int dlr_kannel_type(const char *type, struct dlr_report *r);

#endif
