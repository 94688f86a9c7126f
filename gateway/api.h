/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route tables of the api_*.c files, and all of them together. */
#ifndef HBM_GATEWAY_API_H
#define HBM_GATEWAY_API_H

#include <stddef.h>

#include "gateway/http.h"

extern const struct http_route api_health_routes[];
extern const size_t api_health_nroutes;

struct json_t;

/* Every route the daemon serves; static, never freed. */
const struct http_route *api_routes(size_t *nroutes);

/* Reply with the JSON value O as the body; takes ownership of O. */
void api_reply_json(struct http_response *, int status, struct json_t *o);

#endif
