/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sender's number record {hbm}:num:<hash> (docs/redis.md), typed: its
 * language, opt-out, the windows that limit what the number may cause,
 * and its last numbered menu. Read here; written by the decisions.
 */
#ifndef HBM_STORE_NUM_H
#define HBM_STORE_NUM_H

struct store_reply;

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
};

/* Fill N from R, the reply to HGETALL of the record (borrowed by N). */
void store_num_from(const struct store_reply *r, struct store_num *n);

#endif
