/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit stream: every case change is an entry, hash-chained to the one
 * before it so that tampering shows (the layout is described in audit.c).
 */
#ifndef HBM_GATEWAY_AUDIT_H
#define HBM_GATEWAY_AUDIT_H

#include "store/keys.h"

struct store;

/*
 * The fields of an audit line, in the order an entry holds them after its
 * ts (store/apply_wire.c writes them, audit.c hashes them).
 */
#define AUDIT_LINE 4
extern const char *const audit_line[AUDIT_LINE];

/*
 * Append an entry that no case operation carries (a number revealed, an
 * export) to the entries waiting for their hashes, as the apply script
 * does: ts (now, in ms), SUBJECT, ACTOR, ACTION, DETAIL. A newline in
 * SUBJECT, ACTOR or ACTION is refused. -1 with *cause when refused or when
 * Redis failed.
 */
int audit_append(struct store *, const char *subject, const char *actor,
    const char *action, const char *detail, char **cause);

/*
 * Chain the oldest waiting entries (up to a page of them): *CHAINED says
 * how many, 0 when none waited or another instance chained them first.
 * -1 with *cause when Redis failed.
 */
int audit_chain(struct store *, long long *chained, char **cause);

/* The same until none is waiting (bounded), adding up *CHAINED. */
int audit_chain_all(struct store *, long long *chained, char **cause);

/*
 * Trim the chained entries whose ids are below MINID (a stream id, or a
 * time in ms: ids begin with the time they were chained) and, in the same
 * script, keep the id and hash of the last one trimmed in
 * {hbm}:audit:anchor, so the chain still verifies from there. *TRIMMED
 * says how many went. -1 with *cause when Redis failed.
 */
int audit_trim(
    struct store *, const char *minid, long long *trimmed, char **cause);

/*
 * Walk the audit stream from its first entry and recompute every hash:
 * each entry's hash must be the SHA-256 of its prev, ts, subject, actor,
 * action and detail joined by newlines, each prev the hash before it, and
 * the head the hash of the last entry. The first entry's prev must be the
 * anchor's hash (the last entry retention trimmed), or 64 zeros when
 * nothing was trimmed, so an entry cut from the front shows too; an empty
 * stream must have the anchor's hash (or none) as its head. Entries
 * appended while it runs are followed. Returns 0 when intact, with
 * *ENTRIES the number checked; 1 when broken, with *BAD_ID (the caller
 * frees) the id of the first entry that does not hold together, or of the
 * last entry when the head does not match it ("head" when the stream is
 * empty), and *ENTRIES the sound ones before it; -1 with *CAUSE when Redis
 * failed or the stream outran ten reads.
 */
int audit_verify(
    struct store *, long long *entries, char **bad_id, char **cause);

/*
 * audit_verify(), its outcome kept in hbmgw_audit_chain_ok and
 * hbmgw_audit_verified_seconds (and a broken chain logged), for the API
 * and the periodic check alike. Returns as audit_verify().
 */
int audit_verify_report(
    struct store *, long long *entries, char **bad_id, char **cause);

#endif
