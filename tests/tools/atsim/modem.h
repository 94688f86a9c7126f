/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AT command interpreter of the simulated modem: bytes from the host in,
 * bytes for the host out, with a SIM that stores SMS-DELIVER PDUs. No I/O:
 * the caller moves the bytes, decides when output is due, and is told of
 * every SMS-SUBMIT through a callback.
 */
#ifndef HBM_TESTS_ATSIM_MODEM_H
#define HBM_TESTS_ATSIM_MODEM_H

#include <stddef.h>

#include "tests/tools/atsim/pdu.h"

#define MODEM_SIM_MAX 255 /* largest SIM the simulator offers */

/* What the modem says about itself; strings are borrowed for its life. */
struct modem_cfg {
	const char *manufacturer; /* AT+CGMI */
	const char *model;	  /* AT+CGMM */
	const char *revision;	  /* AT+CGMR */
	const char *imei;	  /* AT+CGSN */
	const char *imsi;	  /* AT+CIMI */
	const char *pin;	  /* SIM PIN, or NULL for none */
	const char *smsc;	  /* AT+CSCA and the SMSC of stored PDUs */
	const char *oper_name;	  /* AT+COPS? in long alphanumeric format */
	const char *oper_code;	  /* AT+COPS? in numeric format (MCC MNC) */
	int sim_size;		  /* SMS slots on the SIM, 1..MODEM_SIM_MAX */
};

/* Called for each SMS-SUBMIT sent, with the message reference given. */
typedef void (*modem_submit_cb)(
    void *arg, const struct pdu_submit *sms, int mr);

/* Counters for `status`. */
struct modem_stats {
	int sent;    /* SMS-SUBMITs answered with +CMGS */
	int failed;  /* AT+CMGS answered with an error */
	int stored;  /* SMS on the SIM */
	int unread;  /* of those, not read yet */
	int ussd;    /* USSD requests answered */
	int ignored; /* commands left unanswered by `fault noanswer` */
};

struct modem;

/* A modem in its power-on state; CB (may be NULL) is told of each submit. */
struct modem *modem_new(
    const struct modem_cfg *cfg, modem_submit_cb cb, void *arg);
void modem_free(struct modem *m);

/* Power-cycle: echo on, PIN asked again, modes reset; the SIM keeps its SMS. */
void modem_reset(struct modem *m);

/* Take N bytes from the host at clock NOW (seconds). */
void modem_input(struct modem *m, const char *buf, size_t n, long long now);

/* The bytes waiting for the host, *LEN of them; modem_drain() drops some. */
const char *modem_output(const struct modem *m, size_t *len);
void modem_drain(struct modem *m, size_t n);

/*
 * Store a message from FROM on the SIM (concatenated parts when it is long)
 * and announce each part with +CMTI when AT+CNMI asked for it. ORDER, when
 * not NULL, lists the 1-based parts to store, in that order ("2,1,3").
 * Returns the number of parts stored, or -1 with a static reason in *CAUSE.
 */
int modem_inject(struct modem *m, const char *from, const char *text,
    const char *order, long long now, const char **cause);

/* Emit +CDS (delivered) for message reference MR; -1 when MR is unknown. */
int modem_report(struct modem *m, int mr, long long now, const char **cause);

/* Faults: leave the next N commands unanswered; fail the next N AT+CMGS. */
void modem_fault_noanswer(struct modem *m, int n);
void modem_fault_cms(struct modem *m, int code, int n);

/* What the next +CUSD answer says (copied). */
void modem_set_ussd(struct modem *m, const char *text);

/* Whether a submit with a status report request gets +CDS on its own. */
void modem_set_auto_report(struct modem *m, int on);

void modem_stats(const struct modem *m, struct modem_stats *out);

#endif
