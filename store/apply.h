/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic, idempotent application of a case operation's effects.
 *
 * Case operations are decided in C from state read beforehand (pure logic in
 * handlers/cases*.c) and applied here by one Lua script (store/lua/apply.lua):
 * the script checks that the state it was decided on is unchanged (guards),
 * applies every write, enqueues the SMS replies (enqueue(), from
 * store/lua/lib/enqueue.lua) and appends to the audit stream, all or nothing.
 * Each application carries an operation id (the inbox entry id, or an SLA
 * step): the script records it, so a replay after a crash returns APPLY_DONE
 * and changes nothing. An operation run with an entry to acknowledge
 * (apply_run_batch()) is recorded by that acknowledgement instead.
 */
#ifndef HBM_GATEWAY_APPLY_H
#define HBM_GATEWAY_APPLY_H

#include <stddef.h>
#include <stdio.h>

struct crypto_key;
struct store;

/*
 * How long an applied operation's id is kept (seconds): a replay within it
 * is APPLY_DONE. Data kept as long as an op id ({hbm}:opcode:) use it too.
 */
#define APPLY_OP_TTL 604800

enum apply_result {
	APPLY_OK,	/* applied now */
	APPLY_DONE,	/* this operation id was applied before */
	APPLY_CONFLICT, /* a guard failed: read again and decide again */
	APPLY_ERROR,	/* Redis unreachable or refused: *cause says */
};

struct apply;

/* An empty operation with id OPID (copied), applied at NOW_MS. */
struct apply *apply_new(const char *opid, long long now_ms);
void apply_free(struct apply *);

/* Guard: HGET KEY FIELD must equal VALUE ("" also matches a missing one). */
void apply_guard(
    struct apply *, const char *key, const char *field, const char *value);
/*
 * Guard on a record's version: field "ver" of KEY must be CURRENT (as read;
 * "" for none), and becomes CURRENT + 1.
 */
void apply_guard_version(struct apply *, const char *key, const char *current);
/* Guard: KEY must not exist (e.g. a new case code). */
void apply_guard_absent(struct apply *, const char *key);

/* HSET KEY FIELD VALUE. */
void apply_hset(
    struct apply *, const char *key, const char *field, const char *value);
/* HSET KEY FIELD, PLAIN sealed with the privacy key (apply_set_key()). */
void apply_hset_sealed(
    struct apply *, const char *key, const char *field, const char *plain);
/* HINCRBY KEY FIELD BY. */
void apply_hincr(
    struct apply *, const char *key, const char *field, long long by);
/* EXPIRE KEY SECONDS (after the writes). */
void apply_expire(struct apply *, const char *key, long long seconds);
/* ZADD KEY SCORE MEMBER / ZREM KEY MEMBER. */
void apply_zadd(
    struct apply *, const char *key, double score, const char *member);
void apply_zrem(struct apply *, const char *key, const char *member);
/* HDEL KEY FIELD (after the HSETs of KEY before it). */
void apply_hdel(struct apply *, const char *key, const char *field);
/*
 * Append VALUE to the history of the case whose hash is KEY: a field
 * "h<n>" of that hash, <n> an id the script draws (ids only grow, so the
 * fields sort in the order written; docs/redis.md).
 */
void apply_history(struct apply *, const char *key, const char *value);
/* The same of PRE, then PLAIN sealed, then POST (an entry with a note). */
void apply_history_sealed(struct apply *, const char *key, const char *pre,
    const char *plain, const char *post);
/*
 * Queue an SMS of TEXT, given in clear and sealed when the operation runs,
 * to the number sealed as TO_SEALED with keyed hash TO_HASH: see
 * store/lua/lib/enqueue.lua for the fields. With CHANNEL "", the channel
 * is chosen when the operation runs (apply_set_router()).
 */
void apply_sms(struct apply *, const char *to_sealed, const char *to_hash,
    const char *text, const char *channel, const char *kind);
/* The same to a number E164 given in clear, sealed at the run too. */
void apply_sms_number(struct apply *, const char *e164, const char *to_hash,
    const char *text, const char *channel, const char *kind);

/*
 * The same for an SMS a case caused, its channel chosen at the run: the
 * number TO is sealed already, or in clear when TO_PLAIN. Once queued, the
 * message's id is appended with ROLE ("migrant", "agency", "official",
 * "coordinator") and KIND to the history of the case whose hash is CASEKEY,
 * in the same HSET as the case's own fields: {"t":..,"who":WHO,"what":"sms",
 * "to":ROLE,"kind":KIND,"msg":ID}, WHO "gateway" or the agency whose own
 * SMS it is (from the case page: shown to that agency only).
 */
void apply_case_sms(struct apply *, const char *casekey, const char *role,
    const char *who, const char *to, int to_plain, const char *to_hash,
    const char *text, const char *kind);

/*
 * The SMS this operation queues to the number whose record is KEY are
 * indexed in that record, each a field "m:<id>" of the time it was queued,
 * instead of in {hbm}:msgs:<hash>: no key, ZADD and EXPIRE of their own.
 * Only when the operation writes the record and keeps it (apply_expire())
 * at least as long as the message; the caller caps how many the record
 * holds (STORE_NUM_MSGS). One record an operation; the last call wins.
 */
void apply_sms_index(struct apply *, const char *key);

#define APPLY_CHANNEL_MAX 64 /* bytes of a channel name, and NUL */

/*
 * Chooses the channel of an SMS queued with none, from its sealed number:
 * copies a configured channel's name to BUF and returns 0, or -1 to leave
 * it "" (no channel can take it).
 */
typedef int (*apply_router)(
    void *arg, const char *to_sealed, char buf[APPLY_CHANNEL_MAX]);

/*
 * The router every run uses, set once before any thread applies anything
 * (hbmgwd: gw_init()). The choice is made as late as possible, when the
 * SMS is queued, so that it sees the channels' health then.
 */
void apply_set_router(apply_router, void *arg);
/*
 * The privacy key that every run seals with, set once before any thread
 * applies anything (hbmgwd: gw_init()). Decisions give their texts in
 * clear; they are sealed here, as late as possible, and an operation with
 * something to seal and no key set is APPLY_ERROR. A "" stays "".
 */
void apply_set_key(const struct crypto_key *);
/*
 * Append a line to the hash-chained audit stream: an operation's lines, in
 * the order given, are one entry (store/audit.c).
 */
void apply_audit(struct apply *, const char *subject, const char *actor,
    const char *action, const char *detail);
/* The same, DETAIL given in clear and sealed. */
void apply_audit_sealed(struct apply *, const char *subject, const char *actor,
    const char *action, const char *plain);

/* The operation's id, as given to apply_new(). */
const char *apply_opid(const struct apply *);

/*
 * Write A's effects to F, one a line, the guards first, in the order the
 * script runs them: "guard KEY FIELD VALUE", "absent KEY", "hset KEY FIELD
 * VALUE", "hincr KEY FIELD BY", "expire KEY SECONDS", "zadd KEY SCORE
 * MEMBER", "zrem KEY MEMBER", "history KEY VALUE", "sms TO TO_HASH TEXT
 * CHANNEL KIND", "sms TO TO_HASH TEXT CHANNEL KIND ROLE WHO for KEY"
 * (apply_case_sms()), "audit SUBJECT ACTOR ACTION DETAIL". A value to be
 * sealed at the run is shown "[plain]", newlines as "\\n", with OPEN, and "[sealed]"
 * without. With OPEN, each other value is given to it first, and shown as
 * "[what it returns]" when that is not NULL (the caller frees it): a test
 * opens sealed values so. For tests of a decision; what it prints is not a
 * stable format.
 */
void apply_describe(const struct apply *, FILE *f,
    char *(*open)(void *arg, const char *value), void *arg);

/*
 * Run it. MSG_TTL is how long message records live (seconds). On
 * APPLY_ERROR *cause is set. The ids of queued SMS are not returned.
 */
enum apply_result apply_run(
    struct store *, struct apply *, long long msg_ttl, char **cause);

/* Where a batch's stream entries are acknowledged (apply_run_batch). */
struct apply_ack {
	const char *stream;	  /* the stream */
	const char *group;	  /* its consumer group */
	const char *const *ids;	  /* per operation its entry, or NULL */
	const char *const *extra; /* entries acknowledged whatever happens */
	size_t nextra;
};

/*
 * Run N operations with one script. Each is all or nothing on its own, as
 * if apply_run() ran them one after the other, and RES[i] says what came
 * of A[i]; on APPLY_ERROR, CAUSES[i] says why (the caller frees every
 * CAUSES[i]). With ACK, the same script acknowledges the entry of each
 * operation applied now or before, and the extra entries. An operation
 * with an entry is applied at most once through it, not its op key: the
 * entry is acknowledged as it is applied, and one that is not pending in
 * the group (acknowledged already) is APPLY_DONE. Returns 0, or -1
 * with *cause when the script did not run (Redis down): then nothing was
 * applied or acknowledged.
 */
int apply_run_batch(struct store *, struct apply **a, size_t n,
    long long msg_ttl, const struct apply_ack *ack, enum apply_result *res,
    char **causes, char **cause);

/*
 * Whether operation OPID was applied (within the week its id is kept):
 * 1 or 0, or -1 with *cause. For callers that decide before they apply and
 * must tell a replay from a refusal.
 */
int apply_seen(struct store *, const char *opid, char **cause);

#endif
