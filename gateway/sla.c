/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SLA timer thread. Once a second it takes the cases whose deadline in
 * {hbm}:sla (scored by due time in ms) has passed and runs their next step
 * (handlers/cases.c). Several instances may run it against one Redis: each
 * step is guarded by the case's version and keyed by an operation id, so a
 * step is applied once whoever gets there first. Each tick it also chains
 * the audit entries that wait for their hashes (store/audit.c), and every
 * few ticks it runs a retention pass (gateway/retention.c) and it reports
 * dead letters to the coordinator (gateway/outbox_alert.c).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "config/cfg.h"
#include "store/audit.h"
#include "lib/clock.h"
#include "gateway/gw.h"
#include "lib/log.h"
#include "gateway/outbox_alert.h"
#include "gateway/retention.h"
#include "gateway/sla.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "handlers/cases.h"
#include "store/keys.h"

#define SLA_BATCH "64"
#define SLA_TICK_US 1000000   /* 1 s resolution */
#define SLA_RETENTION_EVERY 5 /* ticks between retention passes */
#define SLA_AUDIT_EVERY 300   /* ticks between checks of the audit chain */

static pthread_t sla_thread_id;
static atomic_int sla_stopping;
static int sla_running;

/* Run the steps that are due; returns -1 when Redis is unreachable. */
static int
sla_tick(struct store *st)
{
	const struct cfg *cfg;
	struct store_reply *r;
	char now[32], *cause = NULL;
	size_t i;
	int rc = 0;

	snprintf(now, sizeof(now), "%lld", clock_wall_ms());
	r = store_commandl(st, &cause, "ZRANGEBYSCORE", KEY_SLA, "-inf", now,
	    "LIMIT", "0", SLA_BATCH, NULL);
	if (r == NULL) {
		log_debug("sla: %s", cause);
		free(cause);
		return -1;
	}
	cfg = gw_cfg_get();
	for (i = 0; r->type == STORE_ARRAY && i < r->elements; i++) {
		if (cases_sla_step(
			st, cfg, gw_key(), r->element[i]->str, &cause) == -1) {
			log_warnx(
			    "sla: case %s: %s", r->element[i]->str, cause);
			free(cause);
			cause = NULL;
			rc = -1;
			break;
		}
	}
	gw_cfg_put(cfg);
	store_reply_free(r);
	return rc;
}

/* Check the audit chain; the outcome goes to the metrics (audit.c). */
static void
sla_audit_check(struct store *st)
{
	long long entries;
	char *bad_id = NULL, *cause = NULL;

	if (audit_verify_report(st, &entries, &bad_id, &cause) == -1) {
		log_debug("audit: verify: %s", cause);
		free(cause);
	}
	free(bad_id);
}

static void *
sla_thread(void *arg)
{
	struct store *st = gw_store();
	const struct cfg *cfg;
	char *cause = NULL;
	unsigned ticks = 0;

	long long chained;

	(void)arg;
	while (!atomic_load(&sla_stopping)) {
		sla_tick(st);
		/* Audit entries get their hashes within a tick. */
		if (audit_chain_all(st, &chained, &cause) == -1) {
			log_debug("audit: %s", cause);
			free(cause);
			cause = NULL;
		}
		if (++ticks % SLA_RETENTION_EVERY == 0) {
			cfg = gw_cfg_get();
			if (retention_run(st, cfg, clock_wall_ms(), &cause) ==
			    -1) {
				log_debug("retention: %s", cause);
				free(cause);
				cause = NULL;
			}
			gw_cfg_put(cfg);
		}
		/* The chain is checked at start and every 5 minutes, so that
		 * hbmgw_audit_chain_ok can raise an alert. */
		if (ticks % SLA_AUDIT_EVERY == 1)
			sla_audit_check(st);
		/* Dead letters are reported to the coordinator. */
		cfg = gw_cfg_get();
		outbox_alert_flush(st, cfg, gw_key());
		gw_cfg_put(cfg);
		usleep(SLA_TICK_US);
	}
	return NULL;
}

int
sla_start(char **cause)
{
	atomic_store(&sla_stopping, 0);
	if (pthread_create(&sla_thread_id, NULL, sla_thread, NULL) != 0) {
		xasprintf(cause, "sla: cannot start a thread");
		return -1;
	}
	sla_running = 1;
	return 0;
}

void
sla_stop(void)
{
	if (!sla_running)
		return;
	atomic_store(&sla_stopping, 1);
	pthread_join(sla_thread_id, NULL);
	sla_running = 0;
}
