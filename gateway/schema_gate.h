/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether this daemon may decide on the data in Redis: only when it is of
 * this version's schema (store/schema.h). The dispatchers wait on it, and
 * /readyz says why not.
 */
#ifndef HBM_GATEWAY_SCHEMA_GATE_H
#define HBM_GATEWAY_SCHEMA_GATE_H

struct store;

/*
 * 1 when the data is of this version's schema (an empty database is made
 * so). Until it is, Redis is asked again at most every 5 s; data of
 * another schema is logged once a minute with what to do, and answers 0,
 * as does Redis down.
 */
int schema_gate_open(struct store *);

/* Why the gate is shut, for /readyz, or NULL (open, or not known yet). */
const char *schema_gate_why(void);

#endif
