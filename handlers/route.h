/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who handles what: the agencies a case goes to, in order, and who a phone
 * number belongs to (agency, official, coordinator). Pure functions over a
 * loaded config, no I/O, no globals.
 *
 * The routing rule for category C and region R. Start from C's agencies in
 * the order the category lists them.
 *   - R is NULL or "": all of them, in that order.
 *   - Otherwise: first those whose regions include R (compared without
 *     regard to ASCII case), then those with no regions (they serve every
 *     region), each group in the category's order; agencies that list other
 *     regions only are left out.
 *   - Should that leave nobody, all of C's agencies in the category's order:
 *     a case is never unroutable while its category has an agency.
 * An agency id the config does not define is skipped.
 */
#ifndef HBM_HANDLERS_ROUTE_H
#define HBM_HANDLERS_ROUTE_H

#include <stddef.h>

#include "config/cfg.h"

/* The category with id ID, or NULL. */
const struct cfg_category *route_category(const struct cfg *, const char *id);

/*
 * Store in OUT (room for MAX) the agencies for CATEGORY in REGION, in the
 * order of the rule above, and return how many were stored: 0 for an
 * unknown category or one without agencies.
 */
size_t route_agencies(const struct cfg *, const char *category,
    const char *region, const struct cfg_agency **out, size_t max);

/*
 * The first agency for CATEGORY in REGION whose id is not among the NTRIED
 * ids in TRIED (those that declined or were already tried), or NULL: then
 * the case goes to the coordinator.
 */
const struct cfg_agency *route_next(const struct cfg *, const char *category,
    const char *region, const char *const *tried, size_t ntried);

/* The agency that registered phone E164, or NULL. */
const struct cfg_agency *route_agency_by_phone(
    const struct cfg *, const char *e164);

/* The official with phone E164, or NULL. */
const struct cfg_official *route_official_by_phone(
    const struct cfg *, const char *e164);

/* 1 when E164 is a coordinator's phone, else 0. */
int route_is_coordinator(const struct cfg *, const char *e164);

#endif
