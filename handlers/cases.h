/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each SMS command, agency API call and USSD referral does to cases:
 * read the state it concerns, decide, and apply the decision atomically and
 * idempotently (store/apply.h), with the replies and notifications it
 * causes.
 */
#ifndef HBM_HANDLERS_CASES_H
#define HBM_HANDLERS_CASES_H

#include <stddef.h>

#include "config/cfg.h"
#include "store/apply.h"
#include "handlers/code.h"

struct cfg;
struct crypto_key;
struct sms_lexicon;
struct store;
struct store_reply;
struct cases_view;

/* One inbox entry, borrowed from the stream reply. */
struct cases_msg {
	const char *entry_id;	 /* the inbox entry id: the operation id */
	const char *from_sealed; /* the sender, sealed with the privacy key */
	const char *from;      /* a phone sender opened by the caller, or "" */
	const char *from_hash; /* its keyed hash */
	const char *sender;    /* "phone", "alnum" or "short" */
	const char *text;      /* UTF-8 */
	const char *received_ms; /* when it arrived, ms since the epoch */
};

#define CASES_HOUR_MS 3600000LL
#define CASES_DAY_MS 86400000LL
#define CASES_CODE_LOOKUPS 10 /* codes a number (not staff) looks up an hour */

/*
 * Whether the sender of a code look-up may see all of the case (its
 * category and agency): the case's own number (CASE_NUM, its keyed hash),
 * its referring official (CASE_OFFICIAL) or a phone of its agency
 * (CASE_AGENCY). SENDER_HASH is the sender's number hash, SENDER_AGENCY
 * its agency's id or NULL. Empty case fields match nobody. 1 or 0.
 */
int cases_code_full(const char *sender_hash, const char *sender_agency,
    const char *case_num, const char *case_official, const char *case_agency);

/*
 * The neutral state of a case with STATUS in LANG, all anybody else learns
 * from a code: "open" (new, notified), "being handled" (acknowledged) or
 * "closed" (closed), in English, French or Arabic (English otherwise).
 */
const char *cases_code_state(const char *lang, const char *status);

/*
 * The per-number limits count in windows that open at their first event,
 * not on the clock's hour or day, so a burst across midnight is one burst.
 * Returns COUNT when the window that opened at FROM (ms since the epoch; 0
 * for none) is less than SPAN ms old at NOW, else 0: the window is over.
 */
long long cases_window(
    long long from, long long count, long long now, long long span);

/*
 * Handle one inbound SMS M in two steps, so that a dispatcher applies many
 * messages with one script (apply_run_batch). cases_prepare() decides what
 * M asks for from state read now; NUM, when not NULL, is the sender's
 * record as read beforehand (the HGETALL of key_num(), e.g. for a whole
 * batch at once), and cases_prepare() takes it. It returns 1 with *out,
 * whose operation (cases_pending_apply) is to be run with
 * privacy.message_days as the messages' lifetime; 0 when there is nothing
 * to apply; -1 with *cause when it must be retried later.
 * cases_pending_done() then counts the metrics of an operation applied now
 * (APPLY_OK) and frees it. On APPLY_CONFLICT the message is prepared again
 * (NUM NULL: everything read anew) and applied the same way.
 */
struct cases_pending;
int cases_prepare(struct store *, const struct cfg *,
    const struct sms_lexicon *, const struct crypto_key *,
    const struct cases_msg *, struct store_reply *num,
    struct cases_pending **out, char **cause);
struct apply *cases_pending_apply(struct cases_pending *);
void cases_pending_done(struct cases_pending *, enum apply_result);

/*
 * The SLA step for case CODE whose deadline passed: re-notify the agency
 * once, then escalate to the coordinator. Same return values.
 */
int cases_sla_step(struct store *, const struct cfg *,
    const struct crypto_key *, const char *code, char **cause);

/* What an agency does to a case through the API. */
enum cases_verb {
	CASES_ACK,
	CASES_DECLINE,
	CASES_CLOSE,
	CASES_NOTE,	/* a note for the agency's eyes only: no SMS */
	CASES_SMS,	/* an SMS to the person, a template or free text */
	CASES_REASSIGN, /* the coordinator's: the case to another agency */
};

/* What an agency may send the person from the case page (CASES_SMS). */
#define CASES_SMS_TEMPLATES "person_contact", "person_visit"
#define CASES_SMS_DAY 3 /* SMS to the person per case in 24 hours */

/* What came of it. */
enum cases_outcome {
	CASES_APPLIED, /* done now, or before under the same operation id */
	CASES_MISSING, /* no case of this agency's with that code */
	CASES_REFUSED, /* the case is closed: nothing to acknowledge or decline;
			  for CASES_SMS, not acknowledged by the agency, no
			  consent or no number; for CASES_REASSIGN, closed
			  or with that agency already */
	CASES_OPTED_OUT, /* CASES_SMS: the number sent STOP */
	CASES_LIMITED,	 /* CASES_SMS: CASES_SMS_DAY sent in 24 hours */
};

/* 1 when NAME is a template an agency may send the person, else 0. */
int cases_sms_template_ok(const char *name);

/*
 * An agency's command through the API, or the coordinator's
 * CASES_REASSIGN; strings borrowed.
 */
struct cases_action {
	const char *opid; /* operation id: a retry with the same is harmless */
	const char *agency; /* the agency's id; for CASES_REASSIGN, the agency
			       the case goes to */
	enum cases_verb verb;
	const char *code;     /* 8 ASCII digits */
	const char *text;     /* DECLINE reason, CLOSE note, NOTE, the free
			      text of CASES_SMS, or NULL */
	const char *template; /* CASES_SMS: a CASES_SMS_TEMPLATES name, or
				 NULL for TEXT */
	const char *login;    /* the console user acting, or NULL: the audit
			      actor is then "<agency>:<login>", for
			      CASES_REASSIGN "coordinator:<login>" */
};

/*
 * Apply ACT exactly as the SMS command would (the same changes, the same
 * SMS to the migrant, the next agency, the coordinator and the referring
 * official), without a reply to a sender. Acknowledging a case the agency
 * already acknowledged, or closing a closed one, applies nothing new and
 * is CASES_APPLIED; so is a repeat of an operation id applied before, even
 * when the case has moved on since. A refused action records nothing.
 * CASES_NOTE and CASES_SMS have no SMS command: a history and audit entry
 * ("note", "sms to person", the text sealed), and for CASES_SMS the SMS
 * to the case's sealed number. CASES_REASSIGN, the coordinator's, moves
 * any open case (escalated or not) to ACT->agency, notified afresh with a
 * new deadline, as a DECLINE moves it to the next agency; CASES_MISSING
 * when there is no such case. 0
 * with *OUTCOME, or -1 with *cause (Redis failed, or the text is longer
 * than an SMS command's).
 */
int cases_agency_act(struct store *, const struct cfg *,
    const struct crypto_key *, const struct cases_action *,
    enum cases_outcome *outcome, char **cause);

/*
 * The same decision at NOW from the reads in VIEW alone, with no Redis
 * (tests): the return values of cases_decide_view() (handlers/cases_int.h),
 * *OUTCOME as cases_agency_act() would answer.
 */
int cases_act_view(const struct cfg *, const struct crypto_key *,
    const struct cases_action *, long long now, struct cases_view *view,
    struct apply **out, enum cases_outcome *outcome, char **cause);

/* A referral from an official's USSD session; strings borrowed. */
struct cases_referral {
	const char *opid; /* idempotency key, e.g. "ussd:<session id>" */
	const char *official_e164; /* the referring official */
	const char *category;	   /* category id */
	const char *migrant_e164;  /* or "" for none */
	int persons;		   /* 1-99 */
	int consent; /* 1: the acknowledging agency may see the number */
};

/*
 * Create the referral and queue its SMS (migrant, official, first agency)
 * atomically; CODE gets the 8 digits. A replay of OPID returns the same
 * code and queues nothing. 0, or -1 with *cause.
 */
int cases_referral(struct store *, const struct cfg *,
    const struct crypto_key *, const struct cases_referral *,
    char code[CODE_LEN + 1], char **cause);

/* A case in short, as an official's menu shows it. */
struct cases_brief {
	char code[CODE_LEN + 1];   /* 8 digits, no dash */
	char category[CFG_ID_MAX]; /* category id */
	char status[16];	   /* notified, acknowledged, closed */
	char agency[CFG_ID_MAX];   /* agency id, "" with the coordinator */
	int persons;		   /* 1-99 */
	long long created_ms;	   /* ms since the epoch */
};

/* The case CODE: 1, 0 when there is none, -1 with *cause. */
int cases_brief_get(
    struct store *, const char *code, struct cases_brief *, char **cause);

/*
 * Referrals by OFFICIAL_E164 created since SINCE_MS, newest first, at most
 * MAX in OUT, their number in *N. 0, or -1 with *cause.
 */
int cases_by_official(struct store *, const struct crypto_key *,
    const char *official_e164, long long since_ms, struct cases_brief *out,
    size_t max, size_t *n, char **cause);

#endif
