/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbmgwd --migrate: seal what an older version left in clear in Redis, and
 * bring the data to this version's schema (store/schema.h).
 */
#ifndef HBM_GATEWAY_MIGRATE_H
#define HBM_GATEWAY_MIGRATE_H

struct store;
struct crypto_key;

/*
 * Walk the keys in bounded batches (SCAN ... COUNT 200) and seal, with K,
 * every field an older version wrote in clear: message records' text and
 * to (and their to_hash when missing), case notes and clear phones, the
 * notes of case history entries, USSD sessions' mig, path and ans; inbox
 * entries already dispatched whose text or from is in clear are deleted
 * (a stream entry cannot be rewritten in place). Each write is checked
 * against the value read, in one script, so a daemon running meanwhile
 * loses nothing, and what is sealed is left alone, so running it again
 * changes nothing. Then fold each number's schema 1 set of cases,
 * {hbm}:num:<hash>:cases, into its record, and mark the data as of this
 * version's schema ({hbm}:schema), which the dispatchers wait for. Logs a
 * progress line per 50 batches and a summary of each step. 0, or -1 with
 * *cause when Redis failed.
 */
int migrate_run(struct store *, const struct crypto_key *k, char **cause);

#endif
