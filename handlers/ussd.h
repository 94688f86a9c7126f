/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The officials' USSD menu as a state machine over (state, input). Pure: no
 * I/O, no globals. What needs the store (checking a PIN, creating the
 * referral, looking up a code, listing today's referrals) comes back as an
 * action: the caller performs it and hands the outcome to ussd_resume(),
 * which renders the next page.
 *
 * Pages: PIN, then the main menu (1 new referral, 2 check a code, 3 my
 * referrals today, 0 exit). A referral: category (config order, 8 to a page,
 * 9 more) -> migrant's phone (0 for none) -> persons (1-99) -> consent to
 * share the phone (only when one was given) -> 1 confirm, 2 cancel. On every
 * page after the PIN, "00" is the main menu; "0" goes back one page where
 * it is not an answer (the phone page). Bad input re-asks the same page
 * under "Invalid choice"; only the PIN lockout ends a session by itself.
 */
#ifndef HBM_HANDLERS_USSD_H
#define HBM_HANDLERS_USSD_H

#include <stddef.h>

#include "config/cfg.h"
#include "handlers/code.h"
#include "lib/phone.h"

#define USSD_PAGE_MAX 182    /* bytes of an answer with "CON " or "END " */
#define USSD_TEXT_MAX 178    /* bytes of the page text after that prefix */
#define USSD_OPTIONS_MAX 8   /* numbered choices on one page */
#define USSD_INPUT_MAX 64    /* a longer input is never valid */
#define USSD_PIN_TRIES 3     /* wrong PINs that lock the number */
#define USSD_LOCK_MINUTES 15 /* how long the lock lasts */
#define USSD_MINE_MAX 48     /* today's referrals the list pages through */
#define USSD_STATE_MAX 96    /* bytes of an encoded state and NUL */

struct cases_brief;

/* The page a session is on. */
enum ussd_page {
	USSD_PAGE_PIN,
	USSD_PAGE_MAIN,
	USSD_PAGE_CATEGORY,
	USSD_PAGE_PHONE,
	USSD_PAGE_PERSONS,
	USSD_PAGE_CONSENT,
	USSD_PAGE_CONFIRM,
	USSD_PAGE_CODE,
	USSD_PAGE_MINE,
	USSD_PAGE_COUNT
};

/* A session's state between requests; the caller stores it. */
struct ussd_state {
	enum ussd_page page;
	int off;		   /* first item shown on a paged list */
	int next;		   /* first item of the next page, or 0 */
	char category[CFG_ID_MAX]; /* the chosen category id, or "" */
	char migrant[PHONE_MAX];   /* E.164, or "" for none */
	int persons;		   /* 1-99; 0 until chosen */
	int consent;		   /* 1: the agency may see the number */
};

/* What the caller must do before the page can be rendered. */
enum ussd_action {
	USSD_ACT_NONE,	/* nothing: show text */
	USSD_ACT_PIN,	/* check arg as the official's PIN */
	USSD_ACT_REFER, /* create the referral the state describes */
	USSD_ACT_CHECK, /* look up the case whose code is arg */
	USSD_ACT_MINE,	/* list the official's referrals of today */
};

/* The outcome of an action, for ussd_resume(). */
enum ussd_status {
	USSD_OK,     /* PIN right, referral created, code or list found */
	USSD_WRONG,  /* PIN wrong, tries_left more allowed */
	USSD_LOCKED, /* PIN: the number is locked */
	USSD_NONE,   /* CHECK: no such case */
	USSD_ERROR,  /* the store failed */
};

/* The answer of one step. */
struct ussd_out {
	enum ussd_action action;
	char arg[USSD_INPUT_MAX + 1]; /* the PIN or code for the action */
	const char *note;	      /* static: the first line of the
					 page ussd_resume() renders, or NULL */
	int end;		      /* boolean: "END" rather than "CON" */
	char text[USSD_TEXT_MAX + 1]; /* the page, without the prefix */
};

/* What the caller found when it performed the action. */
struct ussd_result {
	enum ussd_status status;
	int tries_left;			 /* PIN, when WRONG */
	char code[CODE_LEN + 1];	 /* REFER: the referral's code */
	const struct cases_brief *cases; /* CHECK: one; MINE: newest first */
	size_t ncases;
};

/* Why a session ends before (or instead of) the menu. */
enum ussd_end {
	USSD_END_UNKNOWN,     /* the number is not an official's */
	USSD_END_LOCKED,      /* too many wrong PINs */
	USSD_END_EXPIRED,     /* no such session (any more) */
	USSD_END_UNAVAILABLE, /* the store failed */
};

/* A new session: the PIN page. */
void ussd_start(struct ussd_state *, struct ussd_out *);

/* One input on the current page (NUL-terminated; at most any length). */
void ussd_step(const struct cfg *, struct ussd_state *, const char *input,
    struct ussd_out *);

/* The page after the action OUT asked for; wipes OUT's arg. */
void ussd_resume(const struct cfg *, struct ussd_state *,
    const struct ussd_result *, struct ussd_out *);

/* The final page of a session refused for WHY. */
void ussd_end(enum ussd_end why, struct ussd_out *);

/*
 * The new input in an Africa's Talking TEXT (every input so far joined by
 * "*") given PATH, the text handled last: what follows PATH and a "*", or
 * the last field when TEXT does not continue PATH. NULL when TEXT is PATH
 * (a retried request). Points into TEXT.
 */
const char *ussd_at_input(const char *path, const char *text);

/*
 * The state as a short text for storage, without the migrant's number
 * (the caller seals that apart). -1 when OUT is too small.
 */
int ussd_state_encode(const struct ussd_state *, char *out, size_t len);
/* Read what ussd_state_encode() wrote; -1 on anything else. */
int ussd_state_decode(const char *s, struct ussd_state *);

#endif
