/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The modem channels: one worker thread per modem channel of the
 * configuration, each with its own libgammu state machine and Redis
 * connection. A worker stores received SMS in the inbox (deleting them
 * from the SIM only once Redis has them), sends its channel's outbox, and
 * keeps the modem's status, which other threads read as a snapshot.
 */
#ifndef HBM_MODEM_MODEM_H
#define HBM_MODEM_MODEM_H

#include <stddef.h>

#include "config/cfg.h"

#define MODEM_ERROR_MAX 160 /* bytes of a last-error text */

/* A modem's status at one moment; plain values, owned by the caller. */
struct modem_status {
	char name[CFG_ID_MAX];
	int up;			     /* boolean: connected and not hung */
	int signal;		     /* percent, -1 unknown */
	char operator[64];	     /* network name, "" unknown */
	char imei[64];		     /* "" unknown */
	int has_balance;	     /* boolean: balance is known */
	double balance;		     /* from the balance_ussd reply */
	unsigned long long sent;     /* SMS sent since start */
	unsigned long long received; /* SMS stored in the inbox */
	unsigned long long errors;   /* connect, read, send and hang errors */
	char last_error[MODEM_ERROR_MAX]; /* "" when none */
};

/*
 * Start a worker for every modem channel of the current configuration
 * (modem settings change on restart only). -1 with *cause when a thread
 * could not be started; none is left running then.
 */
int modem_start(char **cause);
/*
 * Ask the workers to stop after the call in hand and wait for them; a
 * message being sent is finished or stays queued.
 */
void modem_stop(void);

/*
 * A snapshot of every modem's status into *V (*N of them; the caller frees
 * *V). Also brings the hbmgw_modem_up gauges up to date.
 */
void modem_status_list(struct modem_status **v, size_t *n);

/* How many modems are up now. */
int modem_up_count(void);

#endif
