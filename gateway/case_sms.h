/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMS a case caused, in its timeline: the history entries that
 * store/lua/apply.lua appends for them ({"what":"sms","to":role,"kind",
 * "msg":id}) with the status each message has now, read in one round trip.
 * No number and no text: only the recipient's role, the kind, the status
 * and the channel.
 */
#ifndef HBM_GATEWAY_CASE_SMS_H
#define HBM_GATEWAY_CASE_SMS_H

#include <jansson.h>

struct store;
struct store_reply;

/* The SMS of a timeline whose status is read: the last this many. */
#define CASE_SMS_MAX 50

struct case_sms;

/*
 * The statuses of the SMS entries of the history H (an array of entries),
 * or NULL with *cause when Redis failed. An entry that is no SMS, or one
 * older than the last CASE_SMS_MAX, has none.
 */
struct case_sms *case_sms_load(
    struct store *, const struct store_reply *h, char **cause);
void case_sms_free(struct case_sms *);

/*
 * 1 when the history entry E is an SMS entry; then *OUT is its timeline
 * entry {at: WHEN, what: "sms", to_role, kind, status, channel}, status
 * "expired" when its record is gone, or NULL when it is one of the older
 * SMS (not shown).
 */
int case_sms_entry(const struct case_sms *, size_t i, json_t *e,
    const char *when, json_t **out);

#endif
