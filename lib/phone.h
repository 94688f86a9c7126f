/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Phone numbers: normalisation to E.164 and masking for logs. Pure functions,
 * no I/O, no globals.
 */
#ifndef HBM_HANDLERS_PHONE_H
#define HBM_HANDLERS_PHONE_H

#include <stddef.h>

#define PHONE_MAX 17 /* "+" and up to 15 digits and NUL */

/*
 * Normalise IN to E.164 ("+256700000101") into OUT. CC is the country code
 * without "+" ("256") used for national forms ("0700 000 101"). Accepts
 * "+" and "00" international prefixes, spaces, dashes, dots and parentheses,
 * and Arabic-Indic or Persian digits. Returns 0, or -1 with *why set to a
 * static lowercase reason ("too short", "not a phone number", ...).
 */
int phone_normalise(
    const char *in, const char *cc, char out[PHONE_MAX], const char **why);

/*
 * Mask an E.164 number for logs: "+256700000001" -> "+25670****001". Text that
 * is not a number is masked whole ("****"). OUT holds PHONE_MAX bytes.
 */
void phone_mask(const char *e164, char out[PHONE_MAX]);

#endif
