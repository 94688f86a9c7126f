/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading each section of the config into a struct cfg: defaults, value
 * checks and cross-references (unique ids and numbers, known agencies and
 * languages), every problem reported through cfg_bad().
 *
 * Sections are read by name in a fixed order, gateway first, since its
 * country code and languages are needed to check later ones; so a problem
 * is found once however the file is laid out.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "config/cfg_int.h"
#include "lib/template.h"
#include "lib/xmalloc.h"
#include "lib/phone.h"

/* Default acknowledgement deadline of each priority, in seconds. */
static const int ack_defaults[CFG_PRIORITIES] = { 3600, 86400, 259200 };

/* Whether LANG is one of gateway.languages; reports it at N if not. */
static int
lang_ok(struct cfg_rd *rd, const struct cfg_node *n, const char *lang)
{
	if (cfg_strv_find(&rd->cfg->gateway.languages, lang) != -1)
		return 1;
	cfg_bad(rd, n, "language \"%s\" is not in gateway.languages", lang);
	return 0;
}

/* The agency before LIMIT that has phone number P, or NULL. */
static const struct cfg_agency *
phone_owner(const struct cfg *cfg, size_t limit, const char *p)
{
	size_t i;

	for (i = 0; i < limit; i++)
		if (cfg_strv_find(&cfg->agencies[i].phones, p) != -1)
			return &cfg->agencies[i];
	return NULL;
}

/*
 * Normalise the phone numbers of V (list L) in place and report bad ones
 * (emptied, so later checks pass over them), duplicates, and numbers that
 * belong to one of the first NOWNERS agencies.
 */
static void
phones(
    struct cfg_rd *rd, struct cfg_node *l, struct cfg_strv *v, size_t nowners)
{
	const struct cfg_agency *o;
	struct cfg_strv before;
	char e164[PHONE_MAX];
	const char *why;
	struct cfg_node e;
	size_t i;

	for (i = 0; i < v->n && rd->cc_ok; i++) {
		cfg_node_elem(l, (int)i, &e);
		before.v = v->v;
		before.n = i;
		if (phone_normalise(v->v[i], rd->cfg->gateway.country_code,
			e164, &why) == -1) {
			cfg_bad(rd, &e, "invalid phone number \"%s\": %s",
			    v->v[i], why);
			e164[0] = '\0';
		} else if ((o = phone_owner(rd->cfg, nowners, e164)) != NULL)
			cfg_bad(rd, &e,
			    "phone number \"%s\" already belongs to agency "
			    "\"%s\" (line %d)",
			    e164, o->id, o->line);
		else if (cfg_strv_find(&before, e164) != -1)
			cfg_bad(rd, &e, "duplicate phone number \"%s\"", e164);
		free(v->v[i]);
		v->v[i] = xstrdup(e164);
	}
}

/* Report every string of V (list L) that is empty, or a duplicate. */
static void
unique_strings(struct cfg_rd *rd, struct cfg_node *l, const struct cfg_strv *v,
    const char *what)
{
	struct cfg_node e;
	size_t i, j;

	for (i = 0; i < v->n; i++) {
		cfg_node_elem(l, (int)i, &e);
		if (v->v[i][0] == '\0') {
			cfg_bad(rd, &e, "must not be empty");
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(v->v[i], v->v[j]) == 0)
				break;
		if (j < i)
			cfg_bad(rd, &e, "duplicate %s \"%s\"", what, v->v[i]);
	}
}

/* Read group G of language -> list of words into WS. */
static void
read_words(struct cfg_rd *rd, const struct cfg_node *g, struct cfg_wordset *ws)
{
	const char *lang;
	struct cfg_words *w;
	struct cfg_node n;
	int i, len = cfg_node_count(g);

	ws->v = xcalloc((size_t)len, sizeof *ws->v);
	for (i = 0; i < len; i++) {
		lang = cfg_node_member(g, i, &n);
		if (!lang_ok(rd, &n, lang))
			continue;
		w = &ws->v[ws->n];
		if (cfg_get_strv(rd, &n, CFG_REQ, &w->words) == -1)
			continue;
		snprintf(w->lang, sizeof w->lang, "%s", lang);
		ws->n++;
		unique_strings(rd, &n, &w->words, "word");
	}
}

/* gateway: instance, country code, languages. */
static void
read_gateway(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "instance", "country_code",
		"languages", NULL };
	static const char *const langs[] = { "en", "fr", "ar" };
	struct cfg *cfg = rd->cfg;
	char host[256];
	struct cfg_node g, n, e;
	const char *s;
	size_t i;

	cfg_get_group(rd, root, "gateway", &g);
	cfg_check_keys(rd, &g, keys);
	cfg_get_dup(rd, &g, "instance", CFG_OPT, &cfg->gateway.instance);
	/* Consumers are "<instance>/<n>": the name must not look like one. */
	if (cfg->gateway.instance != NULL &&
	    (strlen(cfg->gateway.instance) > 200 ||
		strpbrk(cfg->gateway.instance, "/ \t\r\n") != NULL)) {
		cfg_node_child(&g, "instance", &n);
		cfg_bad(rd, &n,
		    "invalid instance name \"%s\" (expected 1-200 "
		    "characters, no \"/\" or spaces)",
		    cfg->gateway.instance);
	}
	if (cfg->gateway.instance == NULL) {
		if (gethostname(host, sizeof host) == -1)
			snprintf(host, sizeof host, "hbmgw");
		host[sizeof host - 1] = '\0';
		cfg->gateway.instance = xstrdup(host);
		cfg->gateway.instance_is_hostname = 1;
	}

	cfg_node_child(&g, "country_code", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		if (!cfg_valid_cc(s))
			cfg_bad(rd, &n,
			    "invalid country code \"%s\" (expected 1-3 digits, "
			    "not starting with 0)",
			    s);
		else {
			snprintf(cfg->gateway.country_code,
			    sizeof cfg->gateway.country_code, "%s", s);
			rd->cc_ok = 1;
		}
	}

	cfg_node_child(&g, "languages", &n);
	if (cfg_get_strv(rd, &n, CFG_OPT, &cfg->gateway.languages) == -1) {
		cfg->gateway.languages.v = xcalloc(3, sizeof(char *));
		for (i = 0; i < 3; i++)
			cfg->gateway.languages.v[i] = xstrdup(langs[i]);
		cfg->gateway.languages.n = 3;
		return;
	}
	if (cfg->gateway.languages.n == 0)
		cfg_bad(rd, &n, "at least one language is required");
	for (i = 0; i < cfg->gateway.languages.n; i++) {
		cfg_node_elem(&n, (int)i, &e);
		s = cfg->gateway.languages.v[i];
		if (!cfg_valid_lang(s))
			cfg_bad(rd, &e,
			    "invalid language code \"%s\" (expected 2-7 of "
			    "a-z, 0-9, _ and -, starting with a letter)",
			    s);
		else if (cfg_strv_find(&cfg->gateway.languages, s) != (int)i)
			cfg_bad(rd, &e, "duplicate language \"%s\"", s);
	}
}

/*
 * redis: durability and the optional WAIT for replicas. The WAIT must end
 * before the command timeout, or the connection would be dropped under it.
 */
static void
read_redis_durability(struct cfg_rd *rd, const struct cfg_node *g)
{
	struct cfg *cfg = rd->cfg;
	struct cfg_node n;
	const char *s;

	cfg_node_child(g, "durability", &n);
	cfg->redis.durability = CFG_DURABILITY_WARN;
	if ((s = cfg_get_text(rd, &n, CFG_OPT)) != NULL) {
		if (strcmp(s, "require") == 0)
			cfg->redis.durability = CFG_DURABILITY_REQUIRE;
		else if (strcmp(s, "warn") != 0)
			cfg_bad(rd, &n,
			    "unknown durability \"%s\" (expected warn or "
			    "require)",
			    s);
	}
	cfg->redis.wait_replicas = 0;
	cfg_get_int(rd, g, "wait_replicas", 0, 16, &cfg->redis.wait_replicas);
	cfg->redis.wait_timeout_ms = 500;
	cfg_get_int(
	    rd, g, "wait_timeout_ms", 10, 60000, &cfg->redis.wait_timeout_ms);
	cfg_node_child(g, "wait_replicas", &n);
	if (cfg->redis.wait_replicas > 0 &&
	    cfg->redis.wait_timeout_ms >= cfg->redis.timeout_ms)
		cfg_bad(rd, &n,
		    "wait_timeout_ms (%d) must be below timeout_ms (%d)",
		    cfg->redis.wait_timeout_ms, cfg->redis.timeout_ms);
}

/*
 * redis.sentinels, parsed into sentinel_addrs, and redis.master; 1 when
 * sentinels is set (the primary is then found through them), else 0.
 */
static int
read_sentinels(struct cfg_rd *rd, const struct cfg_node *g)
{
	static const char *const only[] = { "master", "sentinel_password" };
	struct cfg *cfg = rd->cfg;
	struct cfg_strv *v = &cfg->redis.sentinels;
	struct cfg_node n, e;
	const char *why, *s;
	size_t i;

	cfg_node_child(g, "sentinels", &n);
	if (!cfg_present(rd, &n, CFG_OPT)) {
		for (i = 0; i < 2; i++) {
			cfg_node_child(g, only[i], &e);
			if (cfg_present(rd, &e, CFG_OPT))
				cfg_bad(rd, &e, "only with redis.sentinels");
		}
		return 0;
	}
	if (cfg_get_strv(rd, &n, CFG_OPT, v) == 0) {
		if (v->n == 0)
			cfg_bad(rd, &n, "at least one sentinel is required");
		unique_strings(rd, &n, v, "sentinel");
		cfg->redis.sentinel_addrs =
		    xcalloc(v->n + 1, sizeof(*cfg->redis.sentinel_addrs));
		for (i = 0; i < v->n; i++) {
			cfg_node_elem(&n, (int)i, &e);
			if (v->v[i][0] != '\0' &&
			    cfg_parse_sentinel(v->v[i],
				&cfg->redis.sentinel_addrs[i].host,
				&cfg->redis.sentinel_addrs[i].port, &why) == -1)
				cfg_bad(rd, &e, "invalid sentinel \"%s\": %s",
				    v->v[i], why);
		}
	}
	cfg_node_child(g, "master", &e);
	if (!cfg_present(rd, &e, CFG_OPT))
		cfg_bad(rd, &e, "required with redis.sentinels");
	else if ((s = cfg_get_dup(
		      rd, g, "master", CFG_OPT, &cfg->redis.master)) != NULL &&
	    strcspn(s, " \t\r\n") != strlen(s))
		cfg_bad(rd, &e, "invalid master name \"%s\" (no spaces)", s);
	cfg_get_dup(
	    rd, g, "sentinel_password", CFG_OPT, &cfg->redis.sentinel_password);
	return 1;
}

/* redis: url (parsed) or sentinels and master, password, db, timeout. */
static void
read_redis(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "url", "password", "db",
		"timeout_ms", "durability", "wait_replicas", "wait_timeout_ms",
		"sentinels", "master", "sentinel_password", NULL };
	struct cfg *cfg = rd->cfg;
	struct cfg_node g, n;
	const char *why;
	int sentinels;

	cfg_get_group(rd, root, "redis", &g);
	cfg_check_keys(rd, &g, keys);
	sentinels = read_sentinels(rd, &g);
	cfg_node_child(&g, "url", &n);
	if (sentinels && cfg_present(rd, &n, CFG_OPT))
		cfg_bad(
		    rd, &n, "not with redis.sentinels (they name the primary)");
	else if (!sentinels &&
	    cfg_get_dup(rd, &g, "url", CFG_REQ, &cfg->redis.url) != NULL &&
	    cfg_parse_redis_url(cfg->redis.url, &cfg->redis.host,
		&cfg->redis.port, &cfg->redis.socket, &why) == -1)
		cfg_bad(rd, &n, "invalid url \"%s\": %s", cfg->redis.url, why);
	cfg_get_dup(rd, &g, "password", CFG_OPT, &cfg->redis.password);
	cfg->redis.db = 0;
	cfg_get_int(rd, &g, "db", 0, INT_MAX, &cfg->redis.db);
	cfg->redis.timeout_ms = 1000;
	cfg_get_int(rd, &g, "timeout_ms", 100, 60000, &cfg->redis.timeout_ms);
	read_redis_durability(rd, &g);
}

/* http: listen address (parsed), limits, public URL. */
static void
read_http(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "listen", "max_body", "threads",
		"max_connections", "max_per_address", "max_streams", "timeout",
		"public_url", NULL };
	struct cfg *cfg = rd->cfg;
	struct cfg_node g, n;
	const char *why;
	int max_body = 65536;

	cfg_get_group(rd, root, "http", &g);
	cfg_check_keys(rd, &g, keys);
	cfg_node_child(&g, "listen", &n);
	if (cfg_get_dup(rd, &g, "listen", CFG_REQ, &cfg->http.listen) != NULL &&
	    cfg_parse_listen(
		cfg->http.listen, &cfg->http.host, &cfg->http.port, &why) == -1)
		cfg_bad(rd, &n, "invalid address \"%s\": %s", cfg->http.listen,
		    why);
	cfg_get_int(rd, &g, "max_body", 1024, 16777216, &max_body);
	cfg->http.max_body = (size_t)max_body;
	cfg->http.threads = 4;
	cfg_get_int(rd, &g, "threads", 1, 64, &cfg->http.threads);
	cfg->http.max_connections = 1024;
	cfg_get_int(
	    rd, &g, "max_connections", 16, 60000, &cfg->http.max_connections);
	cfg->http.max_per_address = 64;
	cfg_get_int(
	    rd, &g, "max_per_address", 1, 60000, &cfg->http.max_per_address);
	if (cfg->http.max_per_address > cfg->http.max_connections) {
		cfg_node_child(&g, "max_per_address", &n);
		cfg_bad(rd, &n, "%d is more than max_connections (%d)",
		    cfg->http.max_per_address, cfg->http.max_connections);
	}
	cfg->http.max_streams =
	    cfg->http.max_connections < 100 ? cfg->http.max_connections : 100;
	cfg_get_int(rd, &g, "max_streams", 1, 60000, &cfg->http.max_streams);
	if (cfg->http.max_streams > cfg->http.max_connections) {
		cfg_node_child(&g, "max_streams", &n);
		cfg_bad(rd, &n, "%d is more than max_connections (%d)",
		    cfg->http.max_streams, cfg->http.max_connections);
	}
	cfg->http.timeout = 10;
	cfg_get_int(rd, &g, "timeout", 1, 3600, &cfg->http.timeout);
	cfg_node_child(&g, "public_url", &n);
	if (cfg_get_dup(rd, &g, "public_url", CFG_OPT, &cfg->http.public_url) !=
		NULL &&
	    !cfg_valid_http_url(cfg->http.public_url))
		cfg_bad(rd, &n,
		    "invalid url \"%s\" (expected http:// or https://)",
		    cfg->http.public_url);
}

/*
 * metrics: its own listener, loopback by default, as exporters do: the
 * webhook listener faces the aggregators, and metrics are not theirs.
 */
static void
read_metrics(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "listen", NULL };
	struct cfg *cfg = rd->cfg;
	struct cfg_node g, n;
	const char *why;

	cfg_get_group(rd, root, "metrics", &g);
	cfg_check_keys(rd, &g, keys);
	cfg_node_child(&g, "listen", &n);
	if (cfg_get_dup(rd, &g, "listen", CFG_OPT, &cfg->metrics.listen) ==
	    NULL)
		cfg->metrics.listen = xstrdup("127.0.0.1:9464");
	if (cfg_parse_listen(cfg->metrics.listen, &cfg->metrics.host,
		&cfg->metrics.port, &why) == -1)
		cfg_bad(rd, &n, "invalid address \"%s\": %s",
		    cfg->metrics.listen, why);
	else if (cfg->http.host != NULL && cfg->metrics.port != 0 &&
	    cfg->metrics.port == cfg->http.port &&
	    strcmp(cfg->metrics.host, cfg->http.host) == 0)
		cfg_bad(rd, &n, "the same address as http.listen");
}

/* The small sections: privacy, limits, twilio. */
static void
read_small(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const privacy_keys[] = { "key_file",
		"retention_days", "message_days", "audit_days", NULL };
	static const char *const limits_keys[] = { "cases_per_day",
		"replies_per_hour", NULL };
	static const char *const twilio_keys[] = { "auth_token", NULL };
	struct cfg *cfg = rd->cfg;
	struct cfg_node g;

	cfg_get_group(rd, root, "privacy", &g);
	cfg_check_keys(rd, &g, privacy_keys);
	cfg_get_dup(rd, &g, "key_file", CFG_OPT, &cfg->privacy.key_file);
	cfg->privacy.retention_days = 30;
	cfg_get_int(
	    rd, &g, "retention_days", 1, 3650, &cfg->privacy.retention_days);
	cfg->privacy.message_days = 7;
	cfg_get_int(
	    rd, &g, "message_days", 1, 3650, &cfg->privacy.message_days);
	cfg->privacy.audit_days = 0;
	cfg_get_int(rd, &g, "audit_days", 1, 3650, &cfg->privacy.audit_days);
	if (cfg->privacy.audit_days == 0)
		cfg->privacy.audit_days = cfg->privacy.message_days;

	cfg_get_group(rd, root, "limits", &g);
	cfg_check_keys(rd, &g, limits_keys);
	cfg->limits.cases_per_day = 3;
	cfg_get_int(
	    rd, &g, "cases_per_day", 1, 10000, &cfg->limits.cases_per_day);
	cfg->limits.replies_per_hour = 5;
	cfg_get_int(rd, &g, "replies_per_hour", 1, 10000,
	    &cfg->limits.replies_per_hour);

	cfg_get_group(rd, root, "twilio", &g);
	cfg_check_keys(rd, &g, twilio_keys);
	cfg_get_dup(rd, &g, "auth_token", CFG_OPT, &cfg->twilio.auth_token);
}

/* Lowercase the SHA-256 digests of V in place; report bad ones. */
static void
digests(struct cfg_rd *rd, struct cfg_node *l, struct cfg_strv *v)
{
	char hex[CFG_SHA256_HEX];
	struct cfg_node e;
	size_t i;

	for (i = 0; i < v->n; i++) {
		cfg_node_elem(l, (int)i, &e);
		if (cfg_sha256_hex(v->v[i], hex) == -1)
			cfg_bad(
			    rd, &e, "not a sha256 hex digest (64 hex digits)");
		else
			memcpy(v->v[i], hex, sizeof hex);
	}
}

/* tokens: SHA-256 digests of admin and channel tokens. */
static void
read_tokens(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "admin", "channels", NULL };
	struct cfg_node g, n;

	cfg_get_group(rd, root, "tokens", &g);
	cfg_check_keys(rd, &g, keys);
	cfg_node_child(&g, "admin", &n);
	if (cfg_get_strv(rd, &n, CFG_OPT, &rd->cfg->tokens.admin) == 0)
		digests(rd, &n, &rd->cfg->tokens.admin);
	cfg_node_child(&g, "channels", &n);
	if (cfg_get_strv(rd, &n, CFG_OPT, &rd->cfg->tokens.channels) == 0)
		digests(rd, &n, &rd->cfg->tokens.channels);
}

/* Whether KEY is in the NULL-terminated KEYS. */
static int
in_keys(const char *const *keys, const char *key)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

/* Check channel E's keys against what its type (TYPE, or -1) allows. */
static void
channel_keys(struct cfg_rd *rd, const struct cfg_node *e, int type)
{
	static const char *const common[] = { "name", "type", "prefixes",
		"max_per_minute", "retry_max_age", NULL };
	static const char *const modem[] = { "gammu", "balance_ussd",
		"delivery_reports", "poll_interval", NULL };
	static const char *const http[] = { "url", "format", "username",
		"password", "from", NULL };
	const char *name;
	struct cfg_node n;
	int k;

	for (k = 0; k < cfg_node_count(e); k++) {
		name = cfg_node_member(e, k, &n);
		if (in_keys(common, name))
			continue;
		if (in_keys(modem, name)) {
			if (type == CFG_CHANNEL_HTTP)
				cfg_bad(
				    rd, &n, "not a setting of http channels");
		} else if (in_keys(http, name)) {
			if (type == CFG_CHANNEL_MODEM)
				cfg_bad(
				    rd, &n, "not a setting of modem channels");
		} else
			cfg_bad(rd, &n, "unknown setting");
	}
}

/* The settings of modem channel E. */
static void
read_modem(struct cfg_rd *rd, const struct cfg_node *e, struct cfg_channel *ch)
{
	static const char *const gammu_keys[] = { "device", "connection",
		"model", "pin", NULL };
	struct cfg_node g, n;
	const char *s;

	cfg_get_group(rd, e, "gammu", &g);
	cfg_check_keys(rd, &g, gammu_keys);
	cfg_get_dup(rd, &g, "device", CFG_REQ, &ch->gammu.device);
	if (cfg_get_dup(rd, &g, "connection", CFG_OPT, &ch->gammu.connection) ==
	    NULL)
		ch->gammu.connection = xstrdup("at");
	cfg_node_child(&g, "model", &n);
	s = cfg_get_str(rd, &n, CFG_OPT);
	ch->gammu.model = xstrdup(s != NULL ? s : "");
	cfg_node_child(&g, "pin", &n);
	if (cfg_get_dup(rd, &g, "pin", CFG_OPT, &ch->gammu.pin) != NULL &&
	    !cfg_valid_pin(ch->gammu.pin))
		cfg_bad(rd, &n, "invalid PIN (expected 4-8 digits)");
	cfg_node_child(e, "balance_ussd", &n);
	if (cfg_get_dup(rd, e, "balance_ussd", CFG_OPT, &ch->balance_ussd) !=
		NULL &&
	    !cfg_valid_ussd(ch->balance_ussd))
		cfg_bad(rd, &n,
		    "invalid USSD code \"%s\" (expected digits, * and #, "
		    "ending with #)",
		    ch->balance_ussd);
	cfg_get_bool(rd, e, "delivery_reports", &ch->delivery_reports);
	ch->poll_interval = 2;
	cfg_get_int(rd, e, "poll_interval", 1, 3600, &ch->poll_interval);
}

/* The settings of http channel E. */
static void
read_http_channel(
    struct cfg_rd *rd, const struct cfg_node *e, struct cfg_channel *ch)
{
	struct cfg_node n;
	const char *s;

	cfg_node_child(e, "url", &n);
	if (cfg_get_dup(rd, e, "url", CFG_REQ, &ch->url) != NULL &&
	    !cfg_valid_http_url(ch->url))
		cfg_bad(rd, &n,
		    "invalid url \"%s\" (expected http:// or https://)",
		    ch->url);
	cfg_node_child(e, "format", &n);
	ch->format = CFG_FORMAT_JSON;
	if ((s = cfg_get_text(rd, &n, CFG_OPT)) != NULL) {
		if (strcmp(s, "kannel") == 0)
			ch->format = CFG_FORMAT_KANNEL;
		else if (strcmp(s, "json") != 0)
			cfg_bad(rd, &n,
			    "unknown format \"%s\" (expected json or kannel)",
			    s);
	}
	cfg_get_dup(rd, e, "username", CFG_OPT, &ch->username);
	cfg_get_dup(rd, e, "password", CFG_OPT, &ch->password);
	cfg_node_child(e, "from", &n);
	if (cfg_get_dup(rd, e, "from", CFG_OPT, &ch->from) != NULL &&
	    !cfg_valid_sender(ch->from))
		cfg_bad(rd, &n,
		    "invalid sender \"%s\" (expected + and 1-15 digits, a "
		    "short code of 1-15 digits, or a name of 1-11 letters, "
		    "digits, spaces, . - _)",
		    ch->from);
}

/* Channel IDX, element E of channels. */
static void
read_channel(struct cfg_rd *rd, const struct cfg_node *e, size_t idx)
{
	struct cfg_channel *ch = &rd->cfg->channels[idx];
	struct cfg_node n, ne;
	const char *s;
	size_t i;
	int type = -1;

	ch->line = cfg_node_line(e);
	cfg_node_child(e, "name", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		for (i = 0; i < idx; i++)
			if (strcmp(rd->cfg->channels[i].name, s) == 0)
				break;
		if (!cfg_valid_id(s))
			cfg_bad(rd, &n,
			    "invalid name \"%s\" (expected 1-31 of a-z, 0-9, "
			    "_ and -)",
			    s);
		else if (i < idx)
			cfg_bad(rd, &n,
			    "duplicate channel name \"%s\" (first at line %d)",
			    s, rd->cfg->channels[i].line);
		else
			snprintf(ch->name, sizeof ch->name, "%s", s);
	}
	cfg_node_child(e, "type", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		if (strcmp(s, "modem") == 0)
			type = CFG_CHANNEL_MODEM;
		else if (strcmp(s, "http") == 0)
			type = CFG_CHANNEL_HTTP;
		else
			cfg_bad(rd, &n,
			    "unknown channel type \"%s\" (expected modem or "
			    "http)",
			    s);
	}
	ch->type =
	    type == CFG_CHANNEL_HTTP ? CFG_CHANNEL_HTTP : CFG_CHANNEL_MODEM;
	channel_keys(rd, e, type);

	cfg_node_child(e, "prefixes", &n);
	if (cfg_get_strv(rd, &n, CFG_OPT, &ch->prefixes) == 0)
		for (i = 0; i < ch->prefixes.n; i++) {
			cfg_node_elem(&n, (int)i, &ne);
			if (!cfg_valid_prefix(ch->prefixes.v[i]))
				cfg_bad(rd, &ne,
				    "invalid prefix \"%s\" (expected + and "
				    "1-15 digits)",
				    ch->prefixes.v[i]);
		}
	ch->max_per_minute = type == CFG_CHANNEL_MODEM ? 20 : 0;
	cfg_get_int(rd, e, "max_per_minute", 0, 100000, &ch->max_per_minute);
	ch->retry_max_age = 86400;
	cfg_get_int(rd, e, "retry_max_age", 1, 30 * 86400, &ch->retry_max_age);
	if (type == CFG_CHANNEL_MODEM)
		read_modem(rd, e, ch);
	else if (type == CFG_CHANNEL_HTTP)
		read_http_channel(rd, e, ch);
}

/* channels: at least one. */
static void
read_channels(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node l, e;
	int i, len;

	len = cfg_get_groups(rd, root, "channels", &l);
	if (len == 0)
		cfg_bad(rd, &l, "at least one channel is required");
	rd->cfg->channels = xcalloc((size_t)len, sizeof *rd->cfg->channels);
	rd->cfg->nchannels = (size_t)len;
	for (i = 0; i < len; i++)
		if (cfg_get_elem(rd, &l, i, &e) == 0)
			read_channel(rd, &e, (size_t)i);
}

/* Check that agency IDX does not share its token with an earlier one. */
static void
agency_token(struct cfg_rd *rd, const struct cfg_node *e, size_t idx)
{
	const struct cfg_agency *a = &rd->cfg->agencies[idx];
	struct cfg_node n;
	size_t i;

	if (a->token_sha256[0] == '\0')
		return;
	for (i = 0; i < idx; i++)
		if (strcmp(rd->cfg->agencies[i].token_sha256,
			a->token_sha256) == 0)
			break;
	cfg_node_child(e, "token_sha256", &n);
	if (i < idx)
		cfg_bad(rd, &n, "same token as agency \"%s\" (line %d)",
		    rd->cfg->agencies[i].id, rd->cfg->agencies[i].line);
}

/* Agency IDX, element E of agencies. */
static void
read_agency(struct cfg_rd *rd, const struct cfg_node *e, size_t idx)
{
	static const char *const keys[] = { "id", "name", "phones",
		"token_sha256", "regions", NULL };
	struct cfg_agency *a = &rd->cfg->agencies[idx];
	const struct cfg_agency *o;
	struct cfg_node n, lp;
	const char *s;

	a->line = cfg_node_line(e);
	cfg_check_keys(rd, e, keys);
	cfg_node_child(e, "id", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		if (!cfg_valid_id(s))
			cfg_bad(rd, &n,
			    "invalid id \"%s\" (expected 1-31 of a-z, 0-9, _ "
			    "and -)",
			    s);
		else if ((o = cfg_agency_find(rd->cfg, s)) != NULL)
			cfg_bad(rd, &n,
			    "duplicate agency id \"%s\" (first at line %d)", s,
			    o->line);
		else
			snprintf(a->id, sizeof a->id, "%s", s);
	}
	cfg_get_dup(rd, e, "name", CFG_REQ, &a->name);
	cfg_node_child(e, "phones", &lp);
	if (cfg_get_strv(rd, &lp, CFG_OPT, &a->phones) == 0)
		phones(rd, &lp, &a->phones, idx);
	cfg_node_child(e, "token_sha256", &n);
	if ((s = cfg_get_str(rd, &n, CFG_OPT)) != NULL &&
	    cfg_sha256_hex(s, a->token_sha256) == -1)
		cfg_bad(rd, &n, "not a sha256 hex digest (64 hex digits)");
	cfg_node_child(e, "regions", &n);
	if (cfg_get_strv(rd, &n, CFG_OPT, &a->regions) == 0)
		unique_strings(rd, &n, &a->regions, "region");
	agency_token(rd, e, idx);
}

/* agencies, each visible to the next as it is read. */
static void
read_agencies(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node l, e;
	int i, len;

	len = cfg_get_groups(rd, root, "agencies", &l);
	rd->cfg->agencies = xcalloc((size_t)len, sizeof *rd->cfg->agencies);
	for (i = 0; i < len; i++) {
		rd->cfg->nagencies = (size_t)i + 1;
		if (cfg_get_elem(rd, &l, i, &e) == 0)
			read_agency(rd, &e, (size_t)i);
	}
}

/* Check the agency ids of category C (list L). */
static void
category_agencies(struct cfg_rd *rd, struct cfg_node *l, struct cfg_category *c)
{
	struct cfg_node e;
	const char *s;
	size_t i;

	if (cfg_get_strv(rd, l, CFG_REQ, &c->agencies) == -1)
		return;
	if (c->agencies.n == 0)
		cfg_bad(rd, l, "at least one agency is required");
	for (i = 0; i < c->agencies.n; i++) {
		cfg_node_elem(l, (int)i, &e);
		s = c->agencies.v[i];
		if (!cfg_valid_id(s) || cfg_agency_find(rd->cfg, s) == NULL)
			cfg_bad(rd, &e, "unknown agency \"%s\"", s);
		else if (cfg_strv_find(&c->agencies, s) != (int)i)
			cfg_bad(rd, &e, "duplicate agency \"%s\"", s);
	}
}

/*
 * sms_label as a group G of one label per language: each in C's
 * sms_labels, the first also as its sms_label (the id when there is none).
 */
static void
read_labels(struct cfg_rd *rd, const struct cfg_node *g, struct cfg_category *c)
{
	struct cfg_words *w;
	struct cfg_node n;
	const char *lang, *s;
	int i, len = cfg_node_count(g);

	c->sms_labels.v = xcalloc((size_t)len, sizeof *c->sms_labels.v);
	for (i = 0; i < len; i++) {
		lang = cfg_node_member(g, i, &n);
		if (!lang_ok(rd, &n, lang) ||
		    (s = cfg_get_text(rd, &n, CFG_REQ)) == NULL)
			continue;
		w = &c->sms_labels.v[c->sms_labels.n++];
		snprintf(w->lang, sizeof w->lang, "%s", lang);
		w->words.v = xcalloc(1, sizeof *w->words.v);
		w->words.v[0] = xstrdup(s);
		w->words.n = 1;
	}
	c->sms_label = xstrdup(
	    c->sms_labels.n > 0 ? c->sms_labels.v[0].words.v[0] : c->id);
}

/* Category IDX, element E of categories. */
static void
read_category(struct cfg_rd *rd, const struct cfg_node *e, size_t idx)
{
	static const char *const keys[] = { "id", "agencies", "priority",
		"ack_timeout", "sms_label", "keywords", NULL };
	struct cfg_category *c = &rd->cfg->categories[idx];
	struct cfg_node n;
	const char *s;
	size_t i;

	c->line = cfg_node_line(e);
	cfg_check_keys(rd, e, keys);
	cfg_node_child(e, "id", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		for (i = 0; i < idx; i++)
			if (strcmp(rd->cfg->categories[i].id, s) == 0)
				break;
		if (!cfg_valid_id(s))
			cfg_bad(rd, &n,
			    "invalid id \"%s\" (expected 1-31 of a-z, 0-9, _ "
			    "and -)",
			    s);
		else if (i < idx)
			cfg_bad(rd, &n,
			    "duplicate category id \"%s\" (first at line %d)",
			    s, rd->cfg->categories[i].line);
		else
			snprintf(c->id, sizeof c->id, "%s", s);
	}
	cfg_node_child(e, "agencies", &n);
	category_agencies(rd, &n, c);
	c->priority = CFG_PRIORITIES;
	cfg_get_int(rd, e, "priority", 1, CFG_PRIORITIES, &c->priority);
	c->ack_timeout = ack_defaults[c->priority - 1];
	cfg_get_int(rd, e, "ack_timeout", 1, 2592000, &c->ack_timeout);
	cfg_node_child(e, "sms_label", &n);
	if (cfg_node_is_group(&n))
		read_labels(rd, &n, c);
	else if (cfg_get_dup(rd, e, "sms_label", CFG_OPT, &c->sms_label) ==
	    NULL)
		c->sms_label = xstrdup(c->id);
	if (cfg_get_group(rd, e, "keywords", &n) == 0)
		read_words(rd, &n, &c->keywords);
}

/* categories, after agencies, which they name. */
static void
read_categories(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node l, e;
	int i, len;

	len = cfg_get_groups(rd, root, "categories", &l);
	rd->cfg->categories = xcalloc((size_t)len, sizeof *rd->cfg->categories);
	rd->cfg->ncategories = (size_t)len;
	for (i = 0; i < len; i++)
		if (cfg_get_elem(rd, &l, i, &e) == 0)
			read_category(rd, &e, (size_t)i);
}

/*
 * irregular: per language, forms read as another word, each "FORM BASE"
 * (two words, one space apart: "kids child").
 */
static void
read_irregular(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_wordset *ws = &rd->cfg->irregular;
	struct cfg_node g, n, e;
	const char *sp, *s;
	size_t i, j;
	int k;

	if (cfg_get_group(rd, root, "irregular", &g) == -1)
		return;
	read_words(rd, &g, ws);
	for (i = 0; i < ws->n; i++) {
		for (k = 0; k < cfg_node_count(&g); k++)
			if (strcmp(cfg_node_member(&g, k, &n), ws->v[i].lang) ==
			    0)
				break;
		for (j = 0; j < ws->v[i].words.n; j++) {
			s = ws->v[i].words.v[j];
			sp = strchr(s, ' ');
			if (sp != NULL && sp != s && sp[1] != '\0' &&
			    strchr(sp + 1, ' ') == NULL)
				continue;
			cfg_node_elem(&n, (int)j, &e);
			cfg_bad(rd, &e,
			    "\"%s\": expected a form and the word it is read "
			    "as, one space apart (\"kids child\")",
			    s);
		}
	}
}

/* commands: words per command and language. */
static void
read_commands(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node g, n;
	const char *name;
	int i, cmd;

	if (cfg_get_group(rd, root, "commands", &g) == -1)
		return;
	for (i = 0; i < cfg_node_count(&g); i++) {
		name = cfg_node_member(&g, i, &n);
		if ((cmd = cfg_cmd_lookup(name)) == -1) {
			cfg_bad(rd, &n, "unknown command \"%s\"", name);
			continue;
		}
		if (cfg_get_group(rd, &g, name, &n) == 0)
			read_words(rd, &n, &rd->cfg->commands[cmd]);
	}
}

/* Official IDX, element E of officials. */
static void
read_official(struct cfg_rd *rd, const struct cfg_node *e, size_t idx)
{
	static const char *const keys[] = { "phone", "name", "pin_hash",
		"region", NULL };
	struct cfg_official *o = &rd->cfg->officials[idx];
	const char *s, *why;
	struct cfg_node n;
	size_t i;

	o->line = cfg_node_line(e);
	cfg_check_keys(rd, e, keys);
	cfg_node_child(e, "phone", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL && rd->cc_ok) {
		if (phone_normalise(s, rd->cfg->gateway.country_code, o->phone,
			&why) == -1) {
			cfg_bad(
			    rd, &n, "invalid phone number \"%s\": %s", s, why);
			o->phone[0] = '\0';
		}
		for (i = 0; i < idx && o->phone[0] != '\0'; i++)
			if (strcmp(rd->cfg->officials[i].phone, o->phone) == 0)
				break;
		if (o->phone[0] != '\0' && i < idx)
			cfg_bad(rd, &n,
			    "duplicate phone number \"%s\" (first at line %d)",
			    o->phone, rd->cfg->officials[i].line);
	}
	cfg_get_dup(rd, e, "name", CFG_REQ, &o->name);
	cfg_node_child(e, "pin_hash", &n);
	if (cfg_get_dup(rd, e, "pin_hash", CFG_REQ, &o->pin_hash) != NULL &&
	    !cfg_valid_crypt(o->pin_hash))
		cfg_bad(rd, &n, "not a crypt(3) hash ($6$ or $y$)");
	cfg_get_dup(rd, e, "region", CFG_OPT, &o->region);
}

/* officials: who may issue referrals. */
static void
read_officials(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node l, e;
	int i, len;

	len = cfg_get_groups(rd, root, "officials", &l);
	rd->cfg->officials = xcalloc((size_t)len, sizeof *rd->cfg->officials);
	rd->cfg->nofficials = (size_t)len;
	for (i = 0; i < len; i++)
		if (cfg_get_elem(rd, &l, i, &e) == 0)
			read_official(rd, &e, (size_t)i);
}

/* 1 when S holds a control character (C0 or DEL). */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* The role named S into *role; -1 when none is. */
static int
user_role(const char *s, enum cfg_role *role)
{
	static const enum cfg_role roles[] = { CFG_ROLE_CASEWORKER,
		CFG_ROLE_MANAGER, CFG_ROLE_COORDINATOR };
	size_t i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(s, cfg_role_name(roles[i])) == 0) {
			*role = roles[i];
			return 0;
		}
	return -1;
}

/* The agency of user U (element E), after its role is known. */
static void
user_agency(struct cfg_rd *rd, const struct cfg_node *e, struct cfg_user *u,
    int role_ok)
{
	struct cfg_node n;
	const char *s;

	cfg_node_child(e, "agency", &n);
	if (role_ok && u->role == CFG_ROLE_COORDINATOR) {
		if (cfg_present(rd, &n, CFG_OPT))
			cfg_bad(rd, &n, "a coordinator has no agency");
		return;
	}
	if ((s = cfg_get_text(rd, &n, role_ok ? CFG_REQ : CFG_OPT)) == NULL)
		return;
	if (!cfg_valid_id(s) || cfg_agency_find(rd->cfg, s) == NULL)
		cfg_bad(rd, &n, "unknown agency \"%s\"", s);
	else
		snprintf(u->agency, sizeof u->agency, "%s", s);
}

/* User IDX, element E of users: a console account. */
static void
read_user(struct cfg_rd *rd, const struct cfg_node *e, size_t idx)
{
	static const char *const keys[] = { "login", "name", "agency", "role",
		"password_hash", NULL };
	struct cfg_user *u = &rd->cfg->users[idx];
	const struct cfg_user *o;
	struct cfg_node n;
	const char *s;
	int role_ok = 0;

	u->line = cfg_node_line(e);
	cfg_check_keys(rd, e, keys);
	cfg_node_child(e, "login", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		if (!cfg_valid_login(s))
			cfg_bad(rd, &n,
			    "invalid login \"%s\" (expected 1-32 of a-z, 0-9, "
			    "., _ and -)",
			    s);
		else if ((o = cfg_user_find(rd->cfg, s)) != NULL)
			cfg_bad(rd, &n,
			    "duplicate login \"%s\" (first at line %d)", s,
			    o->line);
		else
			snprintf(u->login, sizeof u->login, "%s", s);
	}
	cfg_node_child(e, "name", &n);
	if (cfg_get_dup(rd, e, "name", CFG_REQ, &u->name) != NULL &&
	    has_control(u->name))
		cfg_bad(rd, &n, "must not hold control characters");
	cfg_node_child(e, "role", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		if (user_role(s, &u->role) == -1)
			cfg_bad(rd, &n,
			    "unknown role \"%s\" (expected caseworker, "
			    "manager or coordinator)",
			    s);
		else
			role_ok = 1;
	}
	user_agency(rd, e, u, role_ok);
	cfg_node_child(e, "password_hash", &n);
	if ((s = cfg_get_text(rd, &n, CFG_REQ)) != NULL) {
		if ((strncmp(s, "$y$", 3) != 0 && strncmp(s, "$6$", 3) != 0) ||
		    !cfg_valid_crypt(s))
			cfg_bad(rd, &n,
			    "not a crypt(3) hash ($y$ or $6$; see hbmctl "
			    "hash-password)");
		else
			u->password_hash = xstrdup(s);
	}
}

/* users: console accounts, after agencies, which they name. */
static void
read_users(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node l, e;
	int i, len;

	len = cfg_get_groups(rd, root, "users", &l);
	rd->cfg->users = xcalloc((size_t)len, sizeof *rd->cfg->users);
	for (i = 0; i < len; i++) {
		rd->cfg->nusers = (size_t)i + 1;
		if (cfg_get_elem(rd, &l, i, &e) == 0)
			read_user(rd, &e, (size_t)i);
	}
}

/* Read the templates of one language, group G named LANG. */
static void
read_template_lang(
    struct cfg_rd *rd, const struct cfg_node *g, const char *lang)
{
	struct cfg *cfg = rd->cfg;
	struct cfg_template *t;
	const char *name, *text;
	char *cause = NULL;
	struct cfg_node n;
	int i, len = cfg_node_count(g);

	cfg->templates = xreallocarray(cfg->templates,
	    cfg->ntemplates + (size_t)len, sizeof *cfg->templates);
	for (i = 0; i < len; i++) {
		name = cfg_node_member(g, i, &n);
		if (!template_known(name)) {
			cfg_bad(rd, &n, "unknown template \"%s\"", name);
			continue;
		}
		if ((text = cfg_get_text(rd, &n, CFG_REQ)) == NULL)
			continue;
		if (template_check_for(name, text, &cause) == -1) {
			cfg_bad(rd, &n, "%s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		t = &cfg->templates[cfg->ntemplates++];
		snprintf(t->lang, sizeof t->lang, "%s", lang);
		t->name = xstrdup(name);
		t->text = xstrdup(text);
		t->line = cfg_node_line(&n);
	}
}

/* templates: texts per language and name. */
static void
read_templates(struct cfg_rd *rd, const struct cfg_node *root)
{
	struct cfg_node g, n;
	const char *lang;
	int i;

	if (cfg_get_group(rd, root, "templates", &g) == -1)
		return;
	for (i = 0; i < cfg_node_count(&g); i++) {
		lang = cfg_node_member(&g, i, &n);
		if (lang_ok(rd, &n, lang) &&
		    cfg_get_group(rd, &g, lang, &n) == 0)
			read_template_lang(rd, &n, lang);
	}
}

/* coordinator: phones that get escalations. */
static void
read_coordinator(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "phones", NULL };
	struct cfg_strv *v = &rd->cfg->coordinator_phones;
	struct cfg_node g, n;

	cfg_get_group(rd, root, "coordinator", &g);
	cfg_check_keys(rd, &g, keys);
	cfg_node_child(&g, "phones", &n);
	if (cfg_get_strv(rd, &n, CFG_OPT, v) == -1)
		return;
	phones(rd, &n, v, 0);
}

/* Check the top-level names, then read every section. */
void
cfg_read_sections(struct cfg_rd *rd, const struct cfg_node *root)
{
	static const char *const keys[] = { "gateway", "redis", "http",
		"metrics", "privacy", "limits", "twilio", "tokens", "channels",
		"agencies", "categories", "commands", "irregular", "officials",
		"users", "templates", "coordinator", NULL };

	cfg_check_keys(rd, root, keys);
	read_gateway(rd, root);
	read_redis(rd, root);
	read_http(rd, root);
	read_metrics(rd, root);
	read_small(rd, root);
	read_tokens(rd, root);
	read_channels(rd, root);
	read_agencies(rd, root);
	read_categories(rd, root);
	read_commands(rd, root);
	read_irregular(rd, root);
	read_officials(rd, root);
	read_users(rd, root);
	read_templates(rd, root);
	read_coordinator(rd, root);
}
