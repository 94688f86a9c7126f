/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sender's number record {hbm}:num:<hash> (docs/redis.md), typed: its
 * language, opt-out, the windows that limit what the number may cause,
 * its last numbered menu, and its cases. Read here; written by the
 * decisions.
 *
 * Each case made from or for the number is a field "c:<code>" whose value
 * is the case's creation time (ms): the record carries the list that was
 * the sorted set {hbm}:num:<hash>:cases before schema 2. A message queued
 * to the number by an operation that wrote its record (a reply to what it
 * sent) is a field "m:<id>", its value the time it was queued, while the
 * record holds fewer than STORE_NUM_MSGS (store/apply.h apply_sms_index()).
 */
#ifndef HBM_STORE_NUM_H
#define HBM_STORE_NUM_H

#include <stddef.h>

#define STORE_NUM_CASES 64 /* cases a record keeps, the newest */
#define STORE_NUM_CASE_PREFIX "c:"
/* Messages to the number a record indexes, at most (then its sorted set
 * {hbm}:msgs:<hash> does, as for every other number). */
#define STORE_NUM_MSGS 16
#define STORE_NUM_MSG_PREFIX "m:"

struct store_reply;

/* One of a number's cases: its code (borrowed) and creation time. */
struct store_num_case {
	const char *code;
	long long ms;
};

/*
 * One number. Strings are borrowed from the reply it was read from, ""
 * when missing; numbers are 0 when missing. Each window is the time it
 * opened (ms) and what it counted since.
 */
struct store_num {
	int exists;
	const char *lang; /* the reply language chosen last, or "" */
	const char *menu; /* the last menu's category ids, comma-separated */
	const char *ver;  /* the version, as read: the guard's value */
	int optout;
	long long menu_ms;	     /* when the menu was sent */
	long long help_ms;	     /* the last short-help reply */
	long long case_ms, case_n;   /* the 24-hour window of new cases */
	long long reply_ms, reply_n; /* the hour's replies */
	long long code_ms, code_n;   /* the hour's code look-ups */
	/* the newest STORE_NUM_CASES cases, newest first (then by code) */
	struct store_num_case cases[STORE_NUM_CASES];
	size_t ncases;
	/* the oldest case when the record holds more than it keeps, or NULL:
	 * the one a new case replaces */
	const char *drop;
	size_t nmsgs; /* "m:<id>" fields: the messages it indexes */
};

/*
 * Fill N from R, the reply to HGETALL of the record (borrowed by N). A
 * "c:" field whose code or time is malformed is left out.
 */
void store_num_from(const struct store_reply *r, struct store_num *n);

#endif
