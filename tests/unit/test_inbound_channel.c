/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for gateway/inbound_channel.c: which http channel a webhook's
 * SMS is counted on (by "from", by format, the only one, or none) and the
 * counter that GET /v1/channels reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "gateway/inbound_channel.h"

static char relief[] = "HBM-Relief";

/* CH[0..N) as the channels of *CFG. */
static void
setup_cfg(struct cfg *cfg, struct cfg_channel *ch, size_t n)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->channels = ch;
	cfg->nchannels = n;
}

static void
channel(struct cfg_channel *ch, const char *name, enum cfg_channel_type type,
    enum cfg_http_format format, char *from)
{
	memset(ch, 0, sizeof(*ch));
	strcpy(ch->name, name);
	ch->type = type;
	ch->format = format;
	ch->from = from;
}

static const char *
name_of(const struct cfg *cfg, const char *source, const char *to)
{
	const struct cfg_channel *ch = inbound_channel(cfg, source, to);

	return ch != NULL ? ch->name : "(none)";
}

/* A JSON channel with a sender, a Kannel one and a modem. */
static void
test_pick(void **state)
{
	struct cfg_channel ch[3];
	struct cfg cfg;

	(void)state;
	channel(&ch[0], "modem0", CFG_CHANNEL_MODEM, CFG_FORMAT_JSON, NULL);
	channel(&ch[1], "agg", CFG_CHANNEL_HTTP, CFG_FORMAT_JSON, relief);
	channel(&ch[2], "kan", CFG_CHANNEL_HTTP, CFG_FORMAT_KANNEL, NULL);
	setup_cfg(&cfg, ch, 3);
	assert_string_equal(name_of(&cfg, "http", "1234"), "agg");
	assert_string_equal(name_of(&cfg, "africastalking", "20880"), "agg");
	assert_string_equal(name_of(&cfg, "twilio", "+1555"), "agg");
	assert_string_equal(name_of(&cfg, "kannel", "20880"), "kan");
	/* The number it was sent to names the channel, whatever the route. */
	assert_string_equal(name_of(&cfg, "kannel", "HBM-Relief"), "agg");
	assert_string_equal(name_of(&cfg, "kannel", NULL), "kan");
	/* hbmctl inject came through no channel. */
	assert_string_equal(name_of(&cfg, "inject", "HBM-Relief"), "(none)");
}

/* Two of a format and no sender to tell them apart: none; one http
 * channel of another format: that one. */
static void
test_ambiguous(void **state)
{
	struct cfg_channel ch[2];
	struct cfg cfg;

	(void)state;
	channel(&ch[0], "a", CFG_CHANNEL_HTTP, CFG_FORMAT_JSON, NULL);
	channel(&ch[1], "b", CFG_CHANNEL_HTTP, CFG_FORMAT_JSON, NULL);
	setup_cfg(&cfg, ch, 2);
	assert_string_equal(name_of(&cfg, "http", "1"), "(none)");
	assert_string_equal(name_of(&cfg, "kannel", "1"), "(none)");
	setup_cfg(&cfg, ch, 1);
	assert_string_equal(name_of(&cfg, "kannel", "1"), "a");
}

/* Modems only: a webhook's SMS is on no channel. */
static void
test_no_http(void **state)
{
	struct cfg_channel ch[1];
	struct cfg cfg;

	(void)state;
	channel(&ch[0], "modem0", CFG_CHANNEL_MODEM, CFG_FORMAT_JSON, NULL);
	setup_cfg(&cfg, ch, 1);
	assert_string_equal(name_of(&cfg, "http", "1"), "(none)");
}

static void
test_count(void **state)
{
	struct cfg_channel ch[1];
	struct cfg cfg;

	(void)state;
	channel(&ch[0], "cnt", CFG_CHANNEL_HTTP, CFG_FORMAT_JSON, NULL);
	setup_cfg(&cfg, ch, 1);
	inbound_channel_init(&cfg);
	assert_int_equal(inbound_channel_received("cnt"), 0);
	inbound_channel_count("cnt");
	inbound_channel_count("cnt");
	assert_int_equal(inbound_channel_received("cnt"), 2);
	inbound_channel_init(&cfg);
	assert_int_equal(inbound_channel_received("cnt"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_no_http),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
