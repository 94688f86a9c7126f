/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by store/apply.c, which records a case operation, and
 * store/apply_wire.c, which turns recorded operations into the arguments
 * of store/lua/apply.lua. Nothing else includes it.
 */
#ifndef HBM_STORE_APPLY_INT_H
#define HBM_STORE_APPLY_INT_H

#include <stddef.h>

#include "store/apply.h"

/* An operation's KEYS[1..2], always there (a->keys[0] and [1]); the keys
 * it adds follow. */
#define APPLY_KEY_OP 0
#define APPLY_KEY_AUDIT 1

/* A sequence of binary-safe values in one buffer. */
struct apply_seq {
	char *buf;    /* owned; the values, back to back */
	size_t len;   /* bytes in buf */
	size_t size;  /* bytes allocated for buf */
	size_t *off;  /* owned; where each value starts in buf */
	size_t *vlen; /* owned; each value's length */
	size_t n;     /* values */
	size_t slots; /* values allocated */
};

struct apply {
	char *opid;		 /* owned; for messages */
	char *now;		 /* owned; now_ms in decimal, ARGV[1] */
	char **keys;		 /* owned; KEYS in order, no duplicates */
	size_t nkeys;		 /* keys in use */
	size_t keyslots;	 /* keys allocated */
	struct apply_seq guards; /* g and a operations */
	struct apply_seq writes; /* every other operation */
	struct apply_seq *cur;	 /* the one being added to */
	char *error;		 /* owned; why it must not run, or NULL */
	/* SMS queued with no channel: where their number and channel are
	 * among the writes' values, and the channel chosen at the run. */
	struct apply_route {
		size_t to, channel;
		char chosen[APPLY_CHANNEL_MAX];
	} * routes; /* owned */
	size_t nroutes;
	/* Values sealed with the privacy key when the operation runs: where
	 * they are among the writes' values, the bytes before the part to
	 * seal, its length (the rest follows as it is), and the value made
	 * at the run. */
	struct apply_seal {
		size_t at, pre, len;
		char *out; /* owned */
	} * seals;	   /* owned */
	size_t nseals;
	size_t index_key; /* KEYS index of apply_sms_index()'s record, or 0 */
};

/* Arguments of a script call being built. */
struct apply_args {
	const char **v; /* borrowed values, or owned ones in own */
	size_t *len;	/* their lengths */
	size_t n;	/* in use */
	size_t slots;	/* allocated */
	char **own;	/* owned; values made for this call */
	size_t nown;	/* in use */
};

/* One value of Q as a string (owned by the caller). */
char *apply_seq_value(const struct apply_seq *q, size_t i);
/* The seal of A at writes' value I, or NULL. */
const struct apply_seal *apply_seal_at(const struct apply *a, size_t i);

/* Append V (LEN bytes, borrowed: it must outlive the call) to G. */
void apply_args_add(struct apply_args *g, const char *v, size_t len);
/* Append a string made here: N in decimal, or S itself (taken over). */
void apply_args_addn(struct apply_args *g, long long n);
void apply_args_own(struct apply_args *g, char *s);
/*
 * Append G2's arguments to G, which takes over the strings G2 made (G2
 * still owns its arrays: free it too).
 */
void apply_args_take(struct apply_args *g, struct apply_args *g2);
/* The values of A's guards, as they are. */
void apply_args_guards(struct apply_args *g, const struct apply *a);
/*
 * A's writes as the script's calls, in the order the script makes them,
 * each its opcode, the KEYS index of its key (0: none), how many values
 * follow, and those values (see store/lua/apply.lua); sealed values and
 * chosen channels in place. An SMS to a number whose record A writes and
 * keeps for MSG_TTL seconds or more is indexed in that record. *NIDS is
 * set to the ids the script draws for them: one an SMS, one a history
 * entry.
 */
void apply_args_writes(struct apply_args *g, const struct apply *a,
    long long msg_ttl, size_t *nids);
void apply_args_free(struct apply_args *g);

#endif
