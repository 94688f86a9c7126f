/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A loaded config: look-ups, freeing, and the stable text dump that
 * `hbmgwd --check-config` tests compare against expected files. Secrets are
 * printed as "(set)", never their value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/cfg_int.h"

/* Names of the commands, in the order of enum cfg_cmd. */
static const char *const cmd_names[CFG_CMD_COUNT] = {
	"help",
	"code",
	"status",
	"stop",
	"start",
	"ack",
	"decline",
	"close",
	"list",
	"ref",
};

/* Free the strings of V and empty it. */
void
cfg_strv_clear(struct cfg_strv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* The config name of command CMD, or NULL. */
const char *
cfg_cmd_name(enum cfg_cmd cmd)
{
	if ((int)cmd < 0 || cmd >= CFG_CMD_COUNT)
		return NULL;
	return cmd_names[cmd];
}

/* The command named NAME, or -1. */
int
cfg_cmd_lookup(const char *name)
{
	int i;

	for (i = 0; i < CFG_CMD_COUNT; i++)
		if (strcmp(name, cmd_names[i]) == 0)
			return i;
	return -1;
}

/* The agency with this id, or NULL. */
const struct cfg_agency *
cfg_agency_find(const struct cfg *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nagencies; i++)
		if (strcmp(cfg->agencies[i].id, id) == 0)
			return &cfg->agencies[i];
	return NULL;
}

/* The user with this login, or NULL. */
const struct cfg_user *
cfg_user_find(const struct cfg *cfg, const char *login)
{
	size_t i;

	for (i = 0; i < cfg->nusers; i++)
		if (strcmp(cfg->users[i].login, login) == 0)
			return &cfg->users[i];
	return NULL;
}

const char *
cfg_role_name(enum cfg_role role)
{
	switch (role) {
	case CFG_ROLE_CASEWORKER:
		return "caseworker";
	case CFG_ROLE_MANAGER:
		return "manager";
	case CFG_ROLE_COORDINATOR:
		return "coordinator";
	}
	return "?";
}

long long
cfg_message_ttl(const struct cfg *cfg)
{
	return (long long)cfg->privacy.message_days * 86400;
}

long long
cfg_retention_ttl(const struct cfg *cfg)
{
	return (long long)cfg->privacy.retention_days * 86400;
}

long long
cfg_audit_ttl(const struct cfg *cfg)
{
	return (long long)cfg->privacy.audit_days * 86400;
}

const char *
cfg_category_label(const struct cfg_category *cat, const char *lang)
{
	size_t i;

	for (i = 0; lang != NULL && i < cat->sms_labels.n; i++)
		if (strcmp(cat->sms_labels.v[i].lang, lang) == 0 &&
		    cat->sms_labels.v[i].words.n > 0)
			return cat->sms_labels.v[i].words.v[0];
	return cat->sms_label;
}

/* Free the word lists of WS. */
static void
wordset_free(struct cfg_wordset *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		cfg_strv_clear(&ws->v[i].words);
	free(ws->v);
}

/* Free the strings of channel CH. */
static void
channel_free(struct cfg_channel *ch)
{
	cfg_strv_clear(&ch->prefixes);
	free(ch->gammu.device);
	free(ch->gammu.connection);
	free(ch->gammu.model);
	free(ch->gammu.pin);
	free(ch->balance_ussd);
	free(ch->url);
	free(ch->username);
	free(ch->password);
	free(ch->from);
}

/* Free CFG and everything it owns; NULL is a no-op. */
void
cfg_free(struct cfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->gateway.instance);
	cfg_strv_clear(&cfg->gateway.languages);
	free(cfg->redis.url);
	free(cfg->redis.host);
	free(cfg->redis.socket);
	free(cfg->redis.password);
	for (i = 0;
	     cfg->redis.sentinel_addrs != NULL && i < cfg->redis.sentinels.n;
	     i++)
		free(cfg->redis.sentinel_addrs[i].host);
	free(cfg->redis.sentinel_addrs);
	cfg_strv_clear(&cfg->redis.sentinels);
	free(cfg->redis.master);
	free(cfg->redis.sentinel_password);
	free(cfg->http.listen);
	free(cfg->http.host);
	free(cfg->http.public_url);
	free(cfg->metrics.listen);
	free(cfg->metrics.host);
	free(cfg->privacy.key_file);
	free(cfg->twilio.auth_token);
	cfg_strv_clear(&cfg->tokens.admin);
	cfg_strv_clear(&cfg->tokens.channels);
	for (i = 0; i < cfg->nchannels; i++)
		channel_free(&cfg->channels[i]);
	free(cfg->channels);
	for (i = 0; i < cfg->nagencies; i++) {
		free(cfg->agencies[i].name);
		cfg_strv_clear(&cfg->agencies[i].phones);
		cfg_strv_clear(&cfg->agencies[i].regions);
	}
	free(cfg->agencies);
	for (i = 0; i < cfg->ncategories; i++) {
		cfg_strv_clear(&cfg->categories[i].agencies);
		free(cfg->categories[i].sms_label);
		wordset_free(&cfg->categories[i].sms_labels);
		wordset_free(&cfg->categories[i].keywords);
	}
	free(cfg->categories);
	for (i = 0; i < cfg->nofficials; i++) {
		free(cfg->officials[i].name);
		free(cfg->officials[i].pin_hash);
		free(cfg->officials[i].region);
	}
	free(cfg->officials);
	for (i = 0; i < cfg->nusers; i++) {
		free(cfg->users[i].name);
		free(cfg->users[i].password_hash);
	}
	free(cfg->users);
	for (i = 0; i < CFG_CMD_COUNT; i++)
		wordset_free(&cfg->commands[i]);
	wordset_free(&cfg->irregular);
	for (i = 0; i < cfg->ntemplates; i++) {
		free(cfg->templates[i].name);
		free(cfg->templates[i].text);
	}
	free(cfg->templates);
	cfg_strv_clear(&cfg->coordinator_phones);
	free(cfg);
}

/* Start a "PRE.NAME = " line. */
static void
key(FILE *fp, const char *pre, const char *name)
{
	fprintf(fp, "%s%s%s = ", pre, *pre != '\0' ? "." : "", name);
}

/* S as a libconfig string literal. */
static void
quote(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* A string setting, or (none). */
static void
put_str(FILE *fp, const char *pre, const char *name, const char *s)
{
	key(fp, pre, name);
	if (s == NULL)
		fputs("(none)\n", fp);
	else {
		quote(fp, s);
		fputc('\n', fp);
	}
}

/* A secret: only whether it is set. */
static void
put_secret(FILE *fp, const char *pre, const char *name, const char *s)
{
	key(fp, pre, name);
	fputs(s != NULL ? "(set)\n" : "(none)\n", fp);
}

/* An integer setting. */
static void
put_int(FILE *fp, const char *pre, const char *name, long long v)
{
	key(fp, pre, name);
	fprintf(fp, "%lld\n", v);
}

/* A list of strings on one line. */
static void
put_strv(FILE *fp, const char *pre, const char *name, const struct cfg_strv *v)
{
	size_t i;

	key(fp, pre, name);
	fputc('[', fp);
	for (i = 0; i < v->n; i++) {
		fputs(i == 0 ? "" : ", ", fp);
		quote(fp, v->v[i]);
	}
	fputs("]\n", fp);
}

/* One line per language of WS. */
static void
put_words(FILE *fp, const char *pre, const struct cfg_wordset *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		put_strv(fp, pre, ws->v[i].lang, &ws->v[i].words);
}

/* The settings of channel I. */
static void
dump_channel(FILE *fp, const struct cfg_channel *ch, size_t i)
{
	char pre[64];

	snprintf(pre, sizeof pre, "channels[%zu]", i);
	put_str(fp, pre, "name", ch->name);
	put_str(
	    fp, pre, "type", ch->type == CFG_CHANNEL_MODEM ? "modem" : "http");
	put_int(fp, pre, "max_per_minute", ch->max_per_minute);
	put_int(fp, pre, "retry_max_age", ch->retry_max_age);
	put_strv(fp, pre, "prefixes", &ch->prefixes);
	if (ch->type == CFG_CHANNEL_MODEM) {
		put_str(fp, pre, "gammu.device", ch->gammu.device);
		put_str(fp, pre, "gammu.connection", ch->gammu.connection);
		put_str(fp, pre, "gammu.model", ch->gammu.model);
		put_secret(fp, pre, "gammu.pin", ch->gammu.pin);
		put_str(fp, pre, "balance_ussd", ch->balance_ussd);
		key(fp, pre, "delivery_reports");
		fputs(ch->delivery_reports ? "true\n" : "false\n", fp);
		put_int(fp, pre, "poll_interval", ch->poll_interval);
	} else {
		put_str(fp, pre, "url", ch->url);
		put_str(fp, pre, "format",
		    ch->format == CFG_FORMAT_JSON ? "json" : "kannel");
		put_str(fp, pre, "username", ch->username);
		put_secret(fp, pre, "password", ch->password);
		put_str(fp, pre, "from", ch->from);
	}
}

/*
 * Agencies, categories, officials, users, commands, templates,
 * coordinator.
 */
static void
dump_lists(FILE *fp, const struct cfg *cfg)
{
	char pre[64];
	size_t i;

	for (i = 0; i < cfg->nagencies; i++) {
		const struct cfg_agency *a = &cfg->agencies[i];

		snprintf(pre, sizeof pre, "agencies[%zu]", i);
		put_str(fp, pre, "id", a->id);
		put_str(fp, pre, "name", a->name);
		put_strv(fp, pre, "phones", &a->phones);
		put_str(fp, pre, "token_sha256",
		    a->token_sha256[0] != '\0' ? a->token_sha256 : NULL);
		put_strv(fp, pre, "regions", &a->regions);
	}
	for (i = 0; i < cfg->ncategories; i++) {
		const struct cfg_category *c = &cfg->categories[i];

		snprintf(pre, sizeof pre, "categories[%zu]", i);
		put_str(fp, pre, "id", c->id);
		put_strv(fp, pre, "agencies", &c->agencies);
		put_int(fp, pre, "priority", c->priority);
		put_int(fp, pre, "ack_timeout", c->ack_timeout);
		put_str(fp, pre, "sms_label", c->sms_label);
		snprintf(pre, sizeof pre, "categories[%zu].sms_label", i);
		put_words(fp, pre, &c->sms_labels);
		snprintf(pre, sizeof pre, "categories[%zu].keywords", i);
		put_words(fp, pre, &c->keywords);
	}
	for (i = 0; i < cfg->nofficials; i++) {
		const struct cfg_official *o = &cfg->officials[i];

		snprintf(pre, sizeof pre, "officials[%zu]", i);
		put_str(fp, pre, "phone", o->phone);
		put_str(fp, pre, "name", o->name);
		put_str(fp, pre, "pin_hash", o->pin_hash);
		put_str(fp, pre, "region", o->region);
	}
	for (i = 0; i < cfg->nusers; i++) {
		const struct cfg_user *u = &cfg->users[i];

		snprintf(pre, sizeof pre, "users[%zu]", i);
		put_str(fp, pre, "login", u->login);
		put_str(fp, pre, "name", u->name);
		put_str(
		    fp, pre, "agency", u->agency[0] != '\0' ? u->agency : NULL);
		put_str(fp, pre, "role", cfg_role_name(u->role));
		put_secret(fp, pre, "password_hash", u->password_hash);
	}
	for (i = 0; i < CFG_CMD_COUNT; i++) {
		snprintf(pre, sizeof pre, "commands.%s", cmd_names[i]);
		put_words(fp, pre, &cfg->commands[i]);
	}
	put_words(fp, "irregular", &cfg->irregular);
	for (i = 0; i < cfg->ntemplates; i++) {
		snprintf(
		    pre, sizeof pre, "templates.%s", cfg->templates[i].lang);
		put_str(
		    fp, pre, cfg->templates[i].name, cfg->templates[i].text);
	}
	put_strv(fp, "coordinator", "phones", &cfg->coordinator_phones);
}

/* Every setting of CFG in struct order, one "key = value" line each. */
void
cfg_dump(const struct cfg *cfg, FILE *fp)
{
	size_t i;

	if (cfg->gateway.instance_is_hostname)
		fputs("gateway.instance = (hostname)\n", fp);
	else
		put_str(fp, "gateway", "instance", cfg->gateway.instance);
	put_str(fp, "gateway", "country_code", cfg->gateway.country_code);
	put_strv(fp, "gateway", "languages", &cfg->gateway.languages);
	put_str(fp, "redis", "url", cfg->redis.url);
	put_str(fp, "redis", "host", cfg->redis.host);
	put_int(fp, "redis", "port", cfg->redis.port);
	put_str(fp, "redis", "socket", cfg->redis.socket);
	put_secret(fp, "redis", "password", cfg->redis.password);
	put_int(fp, "redis", "db", cfg->redis.db);
	put_int(fp, "redis", "timeout_ms", cfg->redis.timeout_ms);
	put_str(fp, "redis", "durability",
	    cfg->redis.durability == CFG_DURABILITY_REQUIRE ? "require"
							    : "warn");
	put_int(fp, "redis", "wait_replicas", cfg->redis.wait_replicas);
	put_int(fp, "redis", "wait_timeout_ms", cfg->redis.wait_timeout_ms);
	/* Only when set: a fixed primary's dump stays as it was. */
	if (cfg->redis.sentinels.n > 0) {
		put_strv(fp, "redis", "sentinels", &cfg->redis.sentinels);
		put_str(fp, "redis", "master", cfg->redis.master);
		put_secret(fp, "redis", "sentinel_password",
		    cfg->redis.sentinel_password);
	}
	put_str(fp, "http", "listen", cfg->http.listen);
	put_str(fp, "http", "host", cfg->http.host);
	put_int(fp, "http", "port", cfg->http.port);
	put_int(fp, "http", "max_body", (long long)cfg->http.max_body);
	put_int(fp, "http", "threads", cfg->http.threads);
	put_int(fp, "http", "max_connections", cfg->http.max_connections);
	put_int(fp, "http", "max_per_address", cfg->http.max_per_address);
	put_int(fp, "http", "max_streams", cfg->http.max_streams);
	put_int(fp, "http", "timeout", cfg->http.timeout);
	put_str(fp, "http", "public_url", cfg->http.public_url);
	put_str(fp, "metrics", "listen", cfg->metrics.listen);
	put_str(fp, "metrics", "host", cfg->metrics.host);
	put_int(fp, "metrics", "port", cfg->metrics.port);
	put_str(fp, "privacy", "key_file", cfg->privacy.key_file);
	put_int(fp, "privacy", "retention_days", cfg->privacy.retention_days);
	put_int(fp, "privacy", "message_days", cfg->privacy.message_days);
	put_int(fp, "privacy", "audit_days", cfg->privacy.audit_days);
	put_int(fp, "limits", "cases_per_day", cfg->limits.cases_per_day);
	put_int(fp, "limits", "replies_per_hour", cfg->limits.replies_per_hour);
	put_secret(fp, "twilio", "auth_token", cfg->twilio.auth_token);
	put_strv(fp, "tokens", "admin", &cfg->tokens.admin);
	put_strv(fp, "tokens", "channels", &cfg->tokens.channels);
	for (i = 0; i < cfg->nchannels; i++)
		dump_channel(fp, &cfg->channels[i], i);
	dump_lists(fp, cfg);
}
