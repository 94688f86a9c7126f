/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gate before the dispatchers (gateway/schema_gate.h). Data of schema
 * 1 keeps a number's cases where this version does not look, so deciding
 * on it would miss them: a HELP would open a second case, and a STOP
 * would leave the number on the older ones. The inbox keeps the SMS
 * meanwhile; nothing is lost, and they are decided once the data is
 * migrated.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "gateway/schema_gate.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "store/schema.h"
#include "store/store.h"

#define GATE_CHECK_MS 5000
#define GATE_LOG_MS 60000

static atomic_int gate_version;	    /* 0: not known yet */
static atomic_llong gate_check_at;  /* mono ms of the next check */
static atomic_llong gate_logged_at; /* mono ms of the last log line */

int
schema_gate_open(struct store *st)
{
	long long now = clock_mono_ms(), at;
	char *cause = NULL;
	int v;

	if (atomic_load(&gate_version) == STORE_SCHEMA)
		return 1;
	at = atomic_load(&gate_check_at);
	if (now < at ||
	    !atomic_compare_exchange_strong(
		&gate_check_at, &at, now + GATE_CHECK_MS))
		return 0; /* checked lately, or another thread checks now */
	if ((v = store_schema_get(st, &cause)) == -1) {
		log_debug("schema: %s", cause);
		free(cause);
		atomic_store(&gate_check_at, now); /* Redis down: next time */
		return 0;
	}
	atomic_store(&gate_version, v);
	if (v == STORE_SCHEMA) {
		log_info("schema: the data is of schema %d", v);
		return 1;
	}
	at = atomic_load(&gate_logged_at);
	if ((at == 0 || now - at >= GATE_LOG_MS) &&
	    atomic_compare_exchange_strong(&gate_logged_at, &at, now))
		log_errx("schema: %s", schema_gate_why());
	return 0;
}

const char *
schema_gate_why(void)
{
	int v = atomic_load(&gate_version);

	if (v == 0 || v == STORE_SCHEMA)
		return NULL;
	if (v < STORE_SCHEMA)
		return "the data in Redis is of an older schema: stop every "
		       "gateway that uses it, run hbmgwd --migrate, then start "
		       "them; inbound SMS wait in the inbox until then";
	return "the data in Redis is of a newer schema than this version "
	       "knows: run the newer version";
}
