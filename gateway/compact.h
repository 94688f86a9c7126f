/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether Redis keeps the gateway's records compact: a hash whose values
 * are all at most hash-max-listpack-value bytes is one small block (a
 * listpack); one longer value makes the whole hash a hash table. A
 * message record's sealed text is longer than Redis's default of 64
 * bytes, so with the default each record takes about twice the memory
 * (bench/README.md). Read on every new connection, like the persistence
 * settings (gateway/durable.c), and reported once per change. Only a
 * note: nothing is refused.
 */
#ifndef HBM_GATEWAY_COMPACT_H
#define HBM_GATEWAY_COMPACT_H

struct store;

/* The least hash-max-listpack-value that keeps records compact. */
#define COMPACT_HASH_VALUE 1024

/*
 * What hash-max-listpack-value VALUE (as CONFIG GET answers it) costs, and
 * the fix, in one line; NULL when it is COMPACT_HASH_VALUE or more, or not
 * known (NULL: a Redis without the setting; not a number). Pure.
 */
const char *compact_verdict(const char *value);

/*
 * Read the setting on ST: *problem is the line to log (owned), or NULL
 * when there is nothing to say or CONFIG cannot be read (gateway/durable.c
 * reports that). -1 with *cause when the connection failed.
 */
int compact_read(struct store *, char **problem, char **cause);

/*
 * Read it on a new connection and log what it means when that changed
 * since the last report (once per process, not per thread). -1 with
 * *cause when the connection failed.
 */
int compact_check(struct store *, char **cause);

#endif
