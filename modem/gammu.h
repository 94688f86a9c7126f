/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One GSM modem through libgammu, in our own terms: connect (with the SIM
 * PIN), read, delete and send SMS, run a USSD code, and report signal,
 * operator and IMEI. A struct gammu is one GSM_StateMachine, used by one
 * thread only. Every call returns GAMMU_OK, GAMMU_FAILED (this operation
 * failed, the modem still answers) or GAMMU_LOST (the modem stopped
 * answering or went away: close it and open it again).
 */
#ifndef HBM_MODEM_GAMMU_H
#define HBM_MODEM_GAMMU_H

#include <stddef.h>

struct cfg_gammu;

enum gammu_rc {
	GAMMU_OK = 0,
	GAMMU_FAILED = -1,
	GAMMU_LOST = -2,
};

#define GAMMU_NUMBER_MAX 64 /* a sender, as UTF-8 */
#define GAMMU_TIME_MAX 32   /* "2026-11-29T06:53:51+0000" and NUL */
#define GAMMU_INFO_MAX 64   /* operator name, IMEI */

/* One SMS as read from the modem; text owned, the rest by value. */
struct gammu_sms {
	int location;		     /* where it is stored; -1: not stored */
	int memory;		     /* and in which memory */
	char from[GAMMU_NUMBER_MAX]; /* sender as given by the network */
	char time[GAMMU_TIME_MAX];   /* SMSC time stamp */
	int ref;		     /* concatenation reference, -1: none */
	int total;		     /* parts of its message (1: single) */
	int seq;		     /* this part's number, 1 to total */
	int report;		     /* boolean: a delivery report */
	int report_ref;		     /* report: the message reference */
	int report_state; /* report: 1 delivered, 0 pending, -1 failed */
	char *text;	  /* UTF-8, "" for a report */
};

/* What the modem says about itself; "" or -1 when it did not say. */
struct gammu_info {
	int signal;		       /* percent, -1 unknown */
	char operator[GAMMU_INFO_MAX]; /* network name or MCC MNC code */
	char imei[GAMMU_INFO_MAX];
};

struct gammu;

/*
 * Connect to the modem G describes (NAME is for messages), unlock the SIM
 * with its PIN when asked, and ask for incoming SMS and USSD
 * notifications. NULL with *cause when the modem cannot be used.
 */
struct gammu *gammu_open(
    const char *name, const struct cfg_gammu *g, char **cause);
/* Disconnect and free; NULL is a no-op. */
void gammu_close(struct gammu *);

/*
 * Make the call in progress on G, in another thread, return ERR_ABORTED
 * (then GAMMU_LOST) at its next read of the device: libgammu's own
 * cancellation, a flag its wait loops test. The only function another
 * thread may call; the caller must keep G from being closed meanwhile.
 */
void gammu_abort(struct gammu *);

/* 1 once the modem announced a new SMS since the last call, and clears it. */
int gammu_incoming(struct gammu *);

/*
 * Every received SMS and delivery report in the modem's inbox folders into
 * *V (*N of them; free with gammu_sms_free()).
 */
enum gammu_rc gammu_read(
    struct gammu *, struct gammu_sms **v, size_t *n, char **cause);
void gammu_sms_free(struct gammu_sms *v, size_t n);

/* Delete SMS from the modem (gone already counts as deleted). */
enum gammu_rc gammu_delete(
    struct gammu *, const struct gammu_sms *sms, char **cause);

/*
 * Send the UTF-8 TEXT to the number TO as one or more SMS (UCS-2 when it is
 * not all GSM-7), waiting up to TIMEOUT_MS for the network to accept each
 * part; REPORT asks for a delivery report. *REF is the last part's message
 * reference. GAMMU_FAILED: the network refused it (+CMS ERROR); GAMMU_LOST:
 * no answer, outcome unknown.
 */
enum gammu_rc gammu_send(struct gammu *, const char *to, const char *text,
    int report, int timeout_ms, int *ref, char **cause);

/* Signal, operator and IMEI into INFO. */
enum gammu_rc gammu_info(struct gammu *, struct gammu_info *, char **cause);

/*
 * Dial the USSD CODE and wait up to TIMEOUT_MS for the network's answer,
 * as UTF-8 in REPLY (SIZE bytes).
 */
enum gammu_rc gammu_ussd(struct gammu *, const char *code, int timeout_ms,
    char *reply, size_t size, char **cause);

#endif
