/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The http channel a webhook's SMS came through, and its counter
 * (gateway/inbound_channel.h).
 */
#include <stdio.h>
#include <string.h>

#include "gateway/inbound_channel.h"
#include "lib/metrics.h"

/* The only http channel (of FORMAT when BY_FORMAT), or NULL. */
static const struct cfg_channel *
inbound_only(const struct cfg *cfg, int by_format, enum cfg_http_format format)
{
	const struct cfg_channel *found = NULL;
	size_t i;

	for (i = 0; i < cfg->nchannels; i++) {
		const struct cfg_channel *ch = &cfg->channels[i];

		if (ch->type != CFG_CHANNEL_HTTP ||
		    (by_format && ch->format != format))
			continue;
		if (found != NULL)
			return NULL;
		found = ch;
	}
	return found;
}

const struct cfg_channel *
inbound_channel(const struct cfg *cfg, const char *source, const char *to)
{
	enum cfg_http_format format;
	const struct cfg_channel *ch;
	size_t i;

	if (source == NULL || strcmp(source, "inject") == 0)
		return NULL;
	for (i = 0; to != NULL && i < cfg->nchannels; i++) {
		ch = &cfg->channels[i];
		if (ch->type == CFG_CHANNEL_HTTP && ch->from != NULL &&
		    strcmp(ch->from, to) == 0)
			return ch;
	}
	format =
	    strcmp(source, "kannel") == 0 ? CFG_FORMAT_KANNEL : CFG_FORMAT_JSON;
	if ((ch = inbound_only(cfg, 1, format)) != NULL)
		return ch;
	return inbound_only(cfg, 0, format);
}

/* The metric's labels for channel NAME. */
static void
inbound_labels(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "channel=\"%s\"", name);
}

void
inbound_channel_init(const struct cfg *cfg)
{
	char labels[CFG_ID_MAX + 16];
	size_t i;

	for (i = 0; i < cfg->nchannels; i++) {
		if (cfg->channels[i].type != CFG_CHANNEL_HTTP)
			continue;
		inbound_labels(cfg->channels[i].name, labels, sizeof(labels));
		metrics_add("hbmgw_http_received_total", labels, 0);
	}
}

void
inbound_channel_count(const char *name)
{
	char labels[CFG_ID_MAX + 16];

	inbound_labels(name, labels, sizeof(labels));
	metrics_add("hbmgw_http_received_total", labels, 1);
}

long long
inbound_channel_received(const char *name)
{
	char labels[CFG_ID_MAX + 16];

	inbound_labels(name, labels, sizeof(labels));
	return (long long)metrics_get("hbmgw_http_received_total", labels);
}
