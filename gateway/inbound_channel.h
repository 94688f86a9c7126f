/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which http channel an SMS that came in through a webhook arrived on, so
 * that the channel's "received" counter (GET /v1/channels, hbmctl status,
 * hbmgw_http_received_total) counts it. A webhook names no channel; the
 * message is the one of:
 *   1. the http channel whose "from" is the number the SMS was sent to;
 *   2. else the only http channel of the webhook's format (the Kannel
 *      route for format "kannel", the others for "json");
 *   3. else the only http channel.
 * Otherwise (or for hbmctl inject) it is counted on no channel, only in
 * hbmgw_inbound_total by source.
 */
#ifndef HBM_GATEWAY_INBOUND_CHANNEL_H
#define HBM_GATEWAY_INBOUND_CHANNEL_H

#include "config/cfg.h"

/* The channel an SMS to TO from webhook SOURCE came through, or NULL. */
const struct cfg_channel *inbound_channel(
    const struct cfg *cfg, const char *source, const char *to);

/* Show every http channel of CFG in the metric, at 0 until counted. */
void inbound_channel_init(const struct cfg *cfg);

/* Count one new SMS received on http channel NAME. */
void inbound_channel_count(const char *name);

/* The SMS counted on http channel NAME since start. */
long long inbound_channel_received(const char *name);

#endif
