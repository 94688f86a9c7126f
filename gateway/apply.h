/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic, idempotent application of a case operation's effects.
 *
 * Case operations are decided in C from state read beforehand (pure logic in
 * handlers/cases.c) and applied here by one Lua script: the script checks
 * that the state it was decided on is unchanged (guards), applies every
 * write, enqueues the SMS replies (LUA_ENQUEUE) and appends to the audit
 * stream, all or nothing. Each application carries an operation id (the
 * inbox entry id, or an SLA step): the script records it, so a replay after
 * a crash returns APPLY_DONE and changes nothing.
 */
#ifndef HBM_GATEWAY_APPLY_H
#define HBM_GATEWAY_APPLY_H

#include <stddef.h>

struct store;

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
/* Guard: KEY must not exist (e.g. a new case code). */
void apply_guard_absent(struct apply *, const char *key);

/* HSET KEY FIELD VALUE. */
void apply_hset(
    struct apply *, const char *key, const char *field, const char *value);
/* HINCRBY KEY FIELD BY. */
void apply_hincr(
    struct apply *, const char *key, const char *field, long long by);
/* EXPIRE KEY SECONDS (after the writes). */
void apply_expire(struct apply *, const char *key, long long seconds);
/* ZADD KEY SCORE MEMBER / ZREM KEY MEMBER. */
void apply_zadd(
    struct apply *, const char *key, double score, const char *member);
void apply_zrem(struct apply *, const char *key, const char *member);
/* RPUSH KEY VALUE (case history entries). */
void apply_rpush(struct apply *, const char *key, const char *value);
/* Queue an SMS: see LUA_ENQUEUE in gateway/lua_outbox.h for the fields. */
void apply_sms(struct apply *, const char *to_sealed, const char *to_hash,
    const char *text, const char *channel, const char *kind);
/* Append to the hash-chained audit stream. */
void apply_audit(struct apply *, const char *subject, const char *actor,
    const char *action, const char *detail);

/*
 * Run it. MSG_TTL is how long message records live (seconds). On
 * APPLY_ERROR *cause is set. The ids of queued SMS are not returned.
 */
enum apply_result apply_run(
    struct store *, struct apply *, long long msg_ttl, char **cause);

/*
 * Whether operation OPID was applied (within the week its id is kept):
 * 1 or 0, or -1 with *cause. For callers that decide before they apply and
 * must tell a replay from a refusal.
 */
int apply_seen(struct store *, const char *opid, char **cause);

#endif
