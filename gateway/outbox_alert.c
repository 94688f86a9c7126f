/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Telling the coordinator of dead letters: outbox_alert.h. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/cfg.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "gateway/outbox.h"
#include "gateway/outbox_alert.h"
#include "lib/template.h"

static atomic_int alert_dead;	/* dead letters not reported yet */
static long long alert_next_ms; /* monotonic; the SLA thread's only */

void
outbox_alert_dead(int n)
{
	atomic_fetch_add(&alert_dead, n);
}

int
outbox_alert_flush(
    struct store *st, const struct cfg *cfg, const struct crypto_key *key)
{
	struct template_var var;
	char count[16], id[OUTBOX_ID_MAX], *text, *cause = NULL;
	const char *lang;
	long long now = clock_mono_ms();
	size_t i;
	int n, failed = 0;

	if (now < alert_next_ms || (n = atomic_load(&alert_dead)) == 0)
		return 0;
	snprintf(count, sizeof(count), "%d", n);
	log_errx("outbox: %d messages were given up since the last report "
		 "(list them with \"hbmctl messages --status dead\", send "
		 "them again with \"hbmctl requeue --dead\")",
	    n);
	lang =
	    cfg->gateway.languages.n > 0 ? cfg->gateway.languages.v[0] : "en";
	var.name = "count";
	var.value = count;
	text = template_render(cfg, lang, "sms_expired", &var, 1);
	for (i = 0; text != NULL && i < cfg->coordinator_phones.n; i++)
		if (outbox_enqueue(st, cfg, key, cfg->coordinator_phones.v[i],
			text, NULL, "alert", id, &cause) == -1) {
			log_warnx("outbox: the dead-letter report: %s", cause);
			free(cause);
			cause = NULL;
			failed = 1;
			break;
		}
	free(text);
	if (failed)
		return 0;
	atomic_fetch_sub(&alert_dead, n);
	alert_next_ms = now + OUTBOX_ALERT_EVERY_MS;
	return n;
}
