/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each SMS command does to cases: read the state it concerns, decide,
 * and apply the decision atomically and idempotently (gateway/apply.h),
 * with the replies and notifications it causes.
 */
#ifndef HBM_HANDLERS_CASES_H
#define HBM_HANDLERS_CASES_H

struct cfg;
struct crypto_key;
struct sms_lexicon;
struct store;

/* One inbox entry, borrowed from the stream reply. */
struct cases_msg {
	const char *entry_id;	 /* the inbox entry id: the operation id */
	const char *from_sealed; /* the sender, sealed with the privacy key */
	const char *from_hash;	 /* its keyed hash */
	const char *sender;	 /* "phone", "alnum" or "short" */
	const char *text;	 /* UTF-8 */
	const char *received_ms; /* when it arrived, ms since the epoch */
};

/*
 * Handle one inbound SMS. Returns 0 when it is done with (applied now or
 * before, or nothing to do), -1 with *cause when it must be retried later.
 */
int cases_handle(struct store *, const struct cfg *, const struct sms_lexicon *,
    const struct crypto_key *, const struct cases_msg *, char **cause);

/*
 * The SLA step for case CODE whose deadline passed: re-notify the agency
 * once, then escalate to the coordinator. Same return values.
 */
int cases_sla_step(struct store *, const struct cfg *,
    const struct crypto_key *, const char *code, char **cause);

#endif
