/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A case as its hash {hbm}:case:<code> holds it (docs/redis.md), typed.
 * Every reader of a case (the decisions, the case API, the SLA timer, the
 * agency API) takes its fields from here, so that a field's name and form
 * are spelled in one place; the writes are the decisions' effects.
 */
#ifndef HBM_STORE_CASE_H
#define HBM_STORE_CASE_H

struct store;
struct store_reply;

/* Values of "status". */
#define CASE_NOTIFIED "notified"
#define CASE_ACKNOWLEDGED "acknowledged"
#define CASE_CLOSED "closed"

/*
 * One case. The strings are borrowed from the reply it was read from, ""
 * for a missing field; numbers are 0 when missing or not numbers.
 */
struct store_case {
	int exists;	      /* 0: there is no such case (all else empty) */
	const char *code;     /* 8 digits, no dash */
	const char *kind;     /* "relief" or "referral" */
	const char *category; /* the configured id: never shown outside */
	const char *status;   /* CASE_NOTIFIED, _ACKNOWLEDGED, _CLOSED */
	const char *agency;   /* the agency it is with; "": the coordinator */
	const char *region;
	const char *note;     /* the migrant's words, sealed */
	const char *lang;     /* the migrant's reply language */
	const char *num;      /* the migrant's number hash, or "" */
	const char *phone;    /* the migrant's number sealed, or "" */
	const char *official; /* the referring official's number hash */
	const char *tried;    /* agencies that declined, comma-separated */
	const char *ver;      /* the version, as read: the guard's value */
	int consent;	      /* the acknowledging agency may have the number */
	int escalated;
	int purged; /* retention removed its personal fields */
	long long persons, priority, stage;
	long long created_ms, updated_ms, acked_ms, closed_ms, due_ms;
	long long sms_ms, sms_n; /* the agency's SMS to the person: window */
};

/* Fill C from R, the reply to HGETALL of the case (borrowed by C). */
void store_case_from(const struct store_reply *r, struct store_case *c);

/*
 * Read case CODE (8 digits): 0 with *KEEP (which C borrows from; the
 * caller frees it with store_reply_free()), C->exists 0 when there is no
 * such case; -1 with *cause when Redis failed.
 */
int store_case_get(struct store *, const char *code, struct store_reply **keep,
    struct store_case *c, char **cause);

/*
 * The history of case CODE, oldest first, at most MAX entries (the first
 * ones): an array of JSON entries (empty for no such case) that the caller
 * frees, or NULL with *cause when Redis failed. The entries are the
 * fields "h<n>" of the case's hash (docs/redis.md), which store_case_from()
 * leaves aside.
 */
struct store_reply *store_case_history(
    struct store *, const char *code, long max, char **cause);

#endif
