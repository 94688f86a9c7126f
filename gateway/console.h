/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The caseworkers' console: its static files (console/), embedded at build
 * time, served under /console/ with an ETag, a gzip copy and a strict
 * Content-Security-Policy. GET / leads there.
 */
#ifndef HBM_GATEWAY_CONSOLE_H
#define HBM_GATEWAY_CONSOLE_H

#include <stddef.h>

#include "gateway/http.h"

extern const struct http_route console_routes[];
extern const size_t console_nroutes;

#endif
