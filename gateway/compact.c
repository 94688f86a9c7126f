/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether Redis keeps records compact: hash-max-listpack-value, read on
 * every new connection. What was last reported is shared behind a lock, as
 * in gateway/durable.c, so that threads reconnecting together log one line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/compact.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

static pthread_mutex_t compact_lock = PTHREAD_MUTEX_INITIALIZER;
static char *compact_reported; /* last line logged, "" for none; owned */

const char *
compact_verdict(const char *value)
{
	char *end;
	long long v;

	if (value == NULL || value[0] == '\0')
		return NULL;
	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno != 0 || *end != '\0' || v >= COMPACT_HASH_VALUE)
		return NULL;
	return "a message record's sealed text is longer, so each record is "
	       "a hash table, about twice the memory of a compact one; set "
	       "hash-max-listpack-value 1024 in redis.conf";
}

int
compact_read(struct store *st, char **problem, char **cause)
{
	char *value = NULL, *why = NULL;
	const char *verdict;

	*problem = NULL;
	if (store_config_get(st, "hash-max-listpack-value", &value, &why) ==
	    -1) {
		if (!store_connected(st)) {
			*cause = why;
			return -1;
		}
		free(why); /* CONFIG refused: durable.c says so */
		return 0;
	}
	if ((verdict = compact_verdict(value)) != NULL)
		xasprintf(problem, "hash-max-listpack-value is %s: %s", value,
		    verdict);
	free(value);
	return 0;
}

int
compact_check(struct store *st, char **cause)
{
	char *problem = NULL;
	const char *now;

	if (compact_read(st, &problem, cause) == -1)
		return -1;
	now = problem != NULL ? problem : "";
	pthread_mutex_lock(&compact_lock);
	if (compact_reported == NULL || strcmp(compact_reported, now) != 0) {
		if (problem != NULL)
			log_info("redis: %s", problem);
		else if (compact_reported != NULL)
			log_info("redis: hash-max-listpack-value keeps "
				 "message records compact");
		free(compact_reported);
		compact_reported = xstrdup(now);
	}
	pthread_mutex_unlock(&compact_lock);
	free(problem);
	return 0;
}
