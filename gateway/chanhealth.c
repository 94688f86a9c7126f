/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Channels' state and queue depths, for choosing among them: chanhealth.h. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg.h"
#include "gateway/chanhealth.h"

#define CHANHEALTH_MAX 64 /* channels with a depth on record */

struct chanhealth_depth {
	char name[CFG_ID_MAX];
	long long depth;
};

static pthread_mutex_t chanhealth_lock = PTHREAD_MUTEX_INITIALIZER;
static chanhealth_probe_cb chanhealth_probe;
static struct chanhealth_depth chanhealth_depths[CHANHEALTH_MAX];
static size_t chanhealth_n;

void
chanhealth_set_probe(chanhealth_probe_cb probe)
{
	pthread_mutex_lock(&chanhealth_lock);
	chanhealth_probe = probe;
	pthread_mutex_unlock(&chanhealth_lock);
}

int
chanhealth_up(const char *name)
{
	chanhealth_probe_cb probe;

	pthread_mutex_lock(&chanhealth_lock);
	probe = chanhealth_probe;
	pthread_mutex_unlock(&chanhealth_lock);
	return probe == NULL || probe(name) != 0;
}

void
chanhealth_set_depth(const char *name, long long depth)
{
	size_t i;

	pthread_mutex_lock(&chanhealth_lock);
	for (i = 0; i < chanhealth_n; i++)
		if (strcmp(chanhealth_depths[i].name, name) == 0)
			break;
	if (i == chanhealth_n && chanhealth_n < CHANHEALTH_MAX)
		snprintf(chanhealth_depths[chanhealth_n++].name, CFG_ID_MAX,
		    "%s", name);
	if (i < chanhealth_n)
		chanhealth_depths[i].depth = depth;
	pthread_mutex_unlock(&chanhealth_lock);
}

long long
chanhealth_depth(const char *name)
{
	long long depth = 0;
	size_t i;

	pthread_mutex_lock(&chanhealth_lock);
	for (i = 0; i < chanhealth_n; i++)
		if (strcmp(chanhealth_depths[i].name, name) == 0)
			depth = chanhealth_depths[i].depth;
	pthread_mutex_unlock(&chanhealth_lock);
	return depth;
}

void
chanhealth_reset(void)
{
	pthread_mutex_lock(&chanhealth_lock);
	chanhealth_n = 0;
	chanhealth_probe = NULL;
	pthread_mutex_unlock(&chanhealth_lock);
}
