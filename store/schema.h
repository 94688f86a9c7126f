/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The schema version of the data in Redis, {hbm}:schema (docs/redis.md).
 *
 * Schema 3 keeps a case's history in the case's hash ("h<n>" fields,
 * store/case.h); schema 2, before it, kept it in a list of its own,
 * {hbm}:case:<code>:hist. Schema 2 keeps a number's cases in its record
 * ("c:<code>" fields, store/num.h); schema 1, before it, kept them in a
 * sorted set of their own, {hbm}:num:<hash>:cases. A daemon decides on
 * SMS only on data of its own schema: `hbmgwd --migrate` brings schemas 1
 * and 2 to it.
 */
#ifndef HBM_STORE_SCHEMA_H
#define HBM_STORE_SCHEMA_H

#define STORE_SCHEMA 3 /* this version's */

struct store;

/*
 * The data's schema version, {hbm}:schema's. With none: 1 when a key only
 * schema 1 wrote is there, else 2 when one only schema 2 wrote is (SCANs of
 * the keys); else the data is given STORE_SCHEMA (an empty database, or
 * one whose schema 1 sets all expired). -1 with *cause when Redis is down
 * or refused.
 */
int store_schema_get(struct store *, char **cause);

/* Write STORE_SCHEMA as the data's version (`hbmgwd --migrate`, at its
 * end): 0, or -1 with *cause. */
int store_schema_set(struct store *, char **cause);

#endif
