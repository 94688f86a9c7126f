/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Joins the route tables of the api_*.c files into one; shared helpers. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/api.h"
#include "gateway/log.h"
#include "gateway/xmalloc.h"

static struct http_route *api_all;
static size_t api_nall;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void
api_join(void)
{
	const struct {
		const struct http_route *routes;
		const size_t *n;
	} tables[] = {
		{ api_health_routes, &api_health_nroutes },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		n += *tables[i].n;
	api_all = xcalloc(n, sizeof(*api_all));
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		memcpy(api_all + api_nall, tables[i].routes,
		    *tables[i].n * sizeof(*api_all));
		api_nall += *tables[i].n;
	}
}

const struct http_route *
api_routes(size_t *nroutes)
{
	pthread_once(&api_once, api_join);
	*nroutes = api_nall;
	return api_all;
}

void
api_reply_json(struct http_response *resp, int status, json_t *o)
{
	char *s;

	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("api: cannot encode a reply");
	http_reply(resp, status, "application/json", s, strlen(s));
	free(s);
	json_decref(o);
}
