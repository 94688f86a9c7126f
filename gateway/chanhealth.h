/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the senders know about their channels, for choosing among them:
 * whether a channel can send now (a modem that is down or hung cannot) and
 * how much it has queued. Modems answer "up?" through a probe they
 * register; every channel's sender reports its queue depth. A channel
 * nobody reported on counts as up and empty. Thread-safe.
 */
#ifndef HBM_GATEWAY_CHANHEALTH_H
#define HBM_GATEWAY_CHANHEALTH_H

/* 1 when channel NAME is up, 0 when down, -1 when PROBE does not know it. */
typedef int (*chanhealth_probe_cb)(const char *name);

/* Use PROBE (or NULL: none) for channels' state. */
void chanhealth_set_probe(chanhealth_probe_cb probe);

/* 0 when channel NAME is known to be down, else 1. */
int chanhealth_up(const char *name);

/* The entries waiting in channel NAME's stream, as last seen. */
void chanhealth_set_depth(const char *name, long long depth);
long long chanhealth_depth(const char *name);

/* Forget every depth (tests). */
void chanhealth_reset(void);

#endif
