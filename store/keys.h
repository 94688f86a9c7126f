/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every Redis key name the gateway uses, in one place; docs/redis.md says
 * what each holds, in what form at rest, and for how long. All begin with
 * the hash tag {hbm}, so that one script may touch any set of them.
 *
 * Fixed names are macros. A name with a variable part is written by its
 * function into a buffer of KEY_MAX bytes, which it returns. The parts come
 * from the gateway itself (case codes, keyed hashes, configured ids,
 * operation ids of at most a few hundred bytes); one that does not fit is
 * a bug, and aborts rather than name another key.
 *
 * Scripts that draw a name themselves (store/lua: a message id, a channel's
 * outbox) spell the same prefixes; KEY_MSG_PREFIX and KEY_OUTBOX_PREFIX are
 * the ones they use.
 */
#ifndef HBM_STORE_KEYS_H
#define HBM_STORE_KEYS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define KEY_MAX 512 /* the longest key name, and its NUL */

#define KEY_INBOX "{hbm}:inbox"		  /* stream of inbound SMS */
#define KEY_CASES "{hbm}:cases"		  /* every case code by creation */
#define KEY_CLOSED "{hbm}:closed"	  /* closed case codes by closing */
#define KEY_SLA "{hbm}:sla"		  /* open case codes by deadline */
#define KEY_MSGSEQ "{hbm}:msgseq"	  /* message id counter */
#define KEY_MSGLOG "{hbm}:msglog"	  /* stream of every message id */
#define KEY_MSGS_ALL "{hbm}:msgs:all"	  /* the ids before KEY_MSGLOG was */
#define KEY_RETRY "{hbm}:retry"		  /* "<channel>|<id>" by due time */
#define KEY_DEAD "{hbm}:dead"		  /* stream of dead messages */
#define KEY_AUDIT "{hbm}:audit"		  /* the chained audit entries */
#define KEY_AUDIT_NEW "{hbm}:audit:new"	  /* entries waiting for a hash */
#define KEY_AUDIT_HEAD "{hbm}:audit:head" /* the hash of the last one */
#define KEY_SCHEMA "{hbm}:schema"	  /* the data's schema version */
/*
 * Schema 1's sorted sets of a number's cases, {hbm}:num:<hash>:cases, as a
 * SCAN pattern: `hbmgwd --migrate` folds each into its number's record.
 */
#define KEY_NUM_CASES_V1_MATCH "{hbm}:num:*:cases"
/*
 * Schema 2's history lists of cases, {hbm}:case:<code>:hist, as a SCAN
 * pattern: `hbmgwd --migrate` moves each into its case's hash.
 */
#define KEY_CASE_HIST_V2_MATCH "{hbm}:case:*:hist"
/* "<id> <hash>" of the last entry trimmed: where the chain now starts */
#define KEY_AUDIT_ANCHOR "{hbm}:audit:anchor"

#define KEY_CASE_PREFIX "{hbm}:case:"	  /* and a code */
#define KEY_NUM_PREFIX "{hbm}:num:"	  /* and a number's keyed hash */
#define KEY_MSG_PREFIX "{hbm}:msg:"	  /* and a message id */
#define KEY_OUTBOX_PREFIX "{hbm}:outbox:" /* and a channel name */
#define KEY_USSD_PREFIX "{hbm}:ussd:s:"	  /* and a session's hex name */
/*
 * Names whose part comes from outside and may be long are made by their
 * one user, which allocates for a long one or refuses it: the message an
 * aggregator's reference names, {hbm}:ref:<channel>:<ref> (gateway/outbox.c),
 * and a running daemon's lease, {hbm}:instance:<name> (lease_key()).
 */
#define KEY_REF_PREFIX "{hbm}:ref:"
#define KEY_INSTANCE_PREFIX "{hbm}:instance:"

/* FMT and its arguments into BUF; a name that does not fit is a bug. */
static inline char *__attribute__((format(printf, 2, 3)))
key_make(char buf[KEY_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, KEY_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= KEY_MAX)
		abort();
	return buf;
}

/* {hbm}:case:<code>, the case, its history among its fields. */
static inline char *
key_case(char buf[KEY_MAX], const char *code)
{
	return key_make(buf, KEY_CASE_PREFIX "%s", code);
}

/* {hbm}:num:<hash>, a number's record, its cases included (store/num.h). */
static inline char *
key_num(char buf[KEY_MAX], const char *hash)
{
	return key_make(buf, KEY_NUM_PREFIX "%s", hash);
}

/* {hbm}:official:<hash>:cases, an official's referrals by time. */
static inline char *
key_official_cases(char buf[KEY_MAX], const char *hash)
{
	return key_make(buf, "{hbm}:official:%s:cases", hash);
}

/* {hbm}:agency:<id>:open, an agency's open cases by priority and time. */
static inline char *
key_agency_open(char buf[KEY_MAX], const char *agency)
{
	return key_make(buf, "{hbm}:agency:%s:open", agency);
}

/* {hbm}:op:<opid>, operation OPID was applied; ...opcode:, its new code. */
static inline char *
key_op(char buf[KEY_MAX], const char *opid)
{
	return key_make(buf, "{hbm}:op:%s", opid);
}

static inline char *
key_opcode(char buf[KEY_MAX], const char *opid)
{
	return key_make(buf, "{hbm}:opcode:%s", opid);
}

/* {hbm}:dedup:<hex>, the inbox entry of a source's external id. */
static inline char *
key_dedup(char buf[KEY_MAX], const char *hex)
{
	return key_make(buf, "{hbm}:dedup:%s", hex);
}

/* {hbm}:msg:<id>, a message; {hbm}:msgs:<hash>, those to one number. */
static inline char *
key_msg(char buf[KEY_MAX], const char *id)
{
	return key_make(buf, KEY_MSG_PREFIX "%s", id);
}

static inline char *
key_msgs(char buf[KEY_MAX], const char *hash)
{
	return key_make(buf, "{hbm}:msgs:%s", hash);
}

/* {hbm}:outbox:<channel>, the stream of a channel's messages to send. */
static inline char *
key_outbox(char buf[KEY_MAX], const char *channel)
{
	return key_make(buf, KEY_OUTBOX_PREFIX "%s", channel);
}

/* {hbm}:ussd:s:<hex>, a USSD session; {hbm}:ussd:pin:<hash>, PIN tries. */
static inline char *
key_ussd_session(char buf[KEY_MAX], const char *hex)
{
	return key_make(buf, KEY_USSD_PREFIX "%s", hex);
}

static inline char *
key_ussd_pin(char buf[KEY_MAX], const char *hash)
{
	return key_make(buf, "{hbm}:ussd:pin:%s", hash);
}

/*
 * {hbm}:session:<hex>, a console session, named by the SHA-256 of its
 * cookie; {hbm}:signin:<hex>, failed sign-ins of the login whose SHA-256
 * is <hex>.
 */
static inline char *
key_session(char buf[KEY_MAX], const char *hex)
{
	return key_make(buf, "{hbm}:session:%s", hex);
}

static inline char *
key_signin(char buf[KEY_MAX], const char *hex)
{
	return key_make(buf, "{hbm}:signin:%s", hex);
}

#endif
