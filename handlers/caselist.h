/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A short list of cases for one SMS (LIST): whole items joined with "; ",
 * as many as fit, and when some are left out, a marker that says how many
 * ("+2 more", from the reply template list_more), so that "open cases (7)"
 * never silently shows six. Pure: no I/O.
 */
#ifndef HBM_HANDLERS_CASELIST_H
#define HBM_HANDLERS_CASELIST_H

#include <stddef.h>

/* The marker for LEFT items not shown, newly allocated (NULL: none). */
typedef char *(*caselist_more_cb)(size_t left, void *arg);

/*
 * Join the first of ITEMS[0..N) into OUT (SIZE bytes, at least 1) with
 * "; " between them, whole items only, in order, as many as fit with the
 * marker for those left out of TOTAL (N of which were given): the marker
 * MORE(TOTAL - shown, ARG) follows the last item after "; ". A marker too
 * long for OUT even alone is cut at a UTF-8 boundary. Returns the number
 * of items shown.
 */
size_t caselist_join(char *out, size_t size, const char *const *items, size_t n,
    size_t total, caselist_more_cb more, void *arg);

#endif
