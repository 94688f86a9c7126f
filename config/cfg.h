/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's configuration as one typed tree. cfg_load() reads a libconfig
 * file, fills in defaults, validates every setting and cross-reference, and
 * either returns a complete struct cfg or reports every problem it found.
 *
 * A struct cfg is immutable once loaded and owns all its strings (libconfig
 * memory is released before cfg_load() returns), so threads may share one
 * read-only; reload builds a new one and swaps (see gateway/conf.c).
 */
#ifndef HBM_CONFIG_CFG_H
#define HBM_CONFIG_CFG_H

#include <stddef.h>
#include <stdio.h>

#include "lib/phone.h"
#include "lib/template.h"

#define CFG_ID_MAX 32	  /* longest id: agency, category, channel name */
#define CFG_LANG_MAX 8	  /* longest language code ("en", "ar", "fil") */
#define CFG_SHA256_HEX 65 /* 64 hex digits and NUL */
#define CFG_PRIORITIES 3  /* P1, P2, P3 */

/* A list of strings, each owned by the list. */
struct cfg_strv {
	char **v; /* n strings */
	size_t n;
};

/* Words for one thing in one language (keywords, command words). */
struct cfg_words {
	char lang[CFG_LANG_MAX]; /* language code */
	struct cfg_strv words;	 /* as written in the config, not folded */
};

/* A set of per-language word lists. */
struct cfg_wordset {
	struct cfg_words *v;
	size_t n;
};

enum cfg_channel_type {
	CFG_CHANNEL_MODEM,
	CFG_CHANNEL_HTTP,
};

enum cfg_http_format {
	CFG_FORMAT_JSON,   /* POST {"id","to","text","channel"} */
	CFG_FORMAT_KANNEL, /* GET url?username=&password=&to=&text= */
};

/* What to do when Redis's persistence can lose an acknowledged message. */
enum cfg_durability {
	CFG_DURABILITY_WARN,	/* log one warning line and run */
	CFG_DURABILITY_REQUIRE, /* refuse to start; treat Redis as down */
};

/* Parameters handed to libgammu for one modem. */
struct cfg_gammu {
	char *device;	  /* "/dev/ttyUSB0", or the dummy driver's dir */
	char *connection; /* "at", "at115200", "none" (dummy) */
	char *model;	  /* "" lets libgammu detect; "dummy" */
	char *pin;	  /* SIM PIN or NULL */
};

struct cfg_channel {
	char name[CFG_ID_MAX]; /* unique among channels */
	enum cfg_channel_type type;
	int line;	    /* config line, for later messages */
	int max_per_minute; /* send rate limit, 0 = unlimited */
	int retry_max_age;  /* seconds a message is retried, default 86400 */
	struct cfg_strv prefixes; /* E.164 prefixes ("+256") preferred here */
	/* type = modem */
	struct cfg_gammu gammu;
	char *balance_ussd;   /* USSD code for prepaid balance, or NULL */
	int delivery_reports; /* boolean: request status reports */
	int poll_interval;    /* seconds between SIM polls, default 2 */
	/* type = http */
	char *url; /* aggregator send URL */
	enum cfg_http_format format;
	char *username; /* Kannel sendsms credentials, or NULL */
	char *password;
	char *from; /* sender (number, short code or name), or NULL */
};

struct cfg_agency {
	char id[CFG_ID_MAX];		   /* unique */
	char *name;			   /* shown to migrants, e.g. "WFP" */
	struct cfg_strv phones;		   /* E.164, normalised */
	char token_sha256[CFG_SHA256_HEX]; /* lowercase hex, "" when none */
	struct cfg_strv regions;	   /* empty: serves every region */
	int line;
};

struct cfg_category {
	char id[CFG_ID_MAX];	  /* unique */
	struct cfg_strv agencies; /* agency ids in routing order, all known */
	int priority;		  /* 1 (most urgent) to 3 */
	int ack_timeout;	  /* seconds; default from priority */
	char *sms_label;	  /* neutral word used in every SMS */
	struct cfg_wordset sms_labels; /* per language, one word each: from
					  sms_label = { en = "food"; ... } */
	struct cfg_wordset keywords;   /* per language */
	int line;
};

struct cfg_official {
	char phone[PHONE_MAX]; /* E.164 */
	char *name;
	char *pin_hash; /* crypt(3): "$6$..." or "$y$..." */
	char *region;	/* or NULL */
	int line;
};

#define CFG_LOGIN_MAX 33 /* longest login (32 bytes) and NUL */

/* What a console account may do (README.md, "The console"). */
enum cfg_role {
	CFG_ROLE_CASEWORKER,  /* one agency's cases, as its token */
	CFG_ROLE_MANAGER,     /* the same, and the agency's figures */
	CFG_ROLE_COORDINATOR, /* every agency's cases, read only; no agency */
};

/* A console account: users = ( { login; name; agency; role; ... } ). */
struct cfg_user {
	char login[CFG_LOGIN_MAX]; /* unique, of a-z 0-9 . _ - */
	char *name;		   /* shown in the console */
	char agency[CFG_ID_MAX];   /* a configured agency; "" for coordinator */
	enum cfg_role role;
	char *password_hash; /* crypt(3): "$y$..." or "$6$..." */
	int line;
};

/* Command names, in the order of enum cfg_cmd. */
enum cfg_cmd {
	CFG_CMD_HELP,
	CFG_CMD_CODE,
	CFG_CMD_STATUS,
	CFG_CMD_STOP,
	CFG_CMD_START,
	CFG_CMD_ACK,
	CFG_CMD_DECLINE,
	CFG_CMD_CLOSE,
	CFG_CMD_LIST,
	CFG_CMD_REF,
	CFG_CMD_COUNT
};

/* One template text in one language. */
struct cfg_template {
	char lang[CFG_LANG_MAX];
	char *name; /* e.g. "received" */
	char *text; /* with {placeholders} */
	int line;
};

/* A Redis Sentinel's TCP address. */
struct cfg_sentinel {
	char *host; /* host name or numeric address; owned */
	int port;
};

struct cfg {
	char *path; /* the file this was loaded from */

	struct {
		char *instance; /* consumer name; default: the host name */
		int instance_is_hostname;  /* boolean: instance was defaulted */
		char country_code[4];	   /* "256": 1-3 digits, required */
		struct cfg_strv languages; /* default en, fr, ar */
	} gateway;

	struct {
		char *url;    /* "tcp://host:port" or "unix:///path"; or NULL */
		char *host;   /* parsed from url: host, or NULL for unix */
		int port;     /* parsed from url, or 0 for unix */
		char *socket; /* parsed from url: path, or NULL for tcp */
		char *password; /* AUTH, or NULL */
		int db;		/* SELECT, default 0 */
		int timeout_ms; /* connect and command timeout, default 1000 */
		int durability; /* CFG_DURABILITY_*: a Redis that may lose acks */
		int wait_replicas; /* WAIT for this many before an ack; 0 */
		int wait_timeout_ms; /* how long that WAIT may take, default 500 */
		struct cfg_strv sentinels; /* "host:port" as written; or none */
		struct cfg_sentinel *sentinel_addrs; /* sentinels.n, parsed */
		char *master; /* the sentinels' name of the primary, or NULL */
		char *sentinel_password; /* AUTH to the sentinels, or NULL */
	} redis;

	struct {
		char *listen;	 /* "127.0.0.1:8080", "[::1]:8080"; required */
		char *host;	 /* parsed from listen, numeric address */
		int port;	 /* parsed from listen; 0 picks a free port */
		size_t max_body; /* bytes, default 65536 */
		int threads;	 /* libmicrohttpd pool size, default 4 */
		int max_connections; /* open at once, default 1024 */
		int max_per_address; /* from one client address, default 64 */
		int max_streams;     /* GET /v1/events at once, default 100 */
		int timeout;	     /* seconds a connection may idle, 10 */
		char *public_url;    /* as the aggregators see us, or NULL */
	} http;

	struct {
		char *listen; /* the /metrics listener, "127.0.0.1:9464" */
		char *host;   /* parsed from listen, numeric address */
		int port;     /* parsed from listen; 0 picks a free port */
	} metrics;

	struct {
		char *key_file;	    /* 32-byte secret; required by
				       gw_key_check(), NULL if unset */
		int retention_days; /* default 30 */
		int message_days;   /* default 7 */
		int audit_days;	    /* default message_days */
	} privacy;

	struct {
		int cases_per_day;    /* default 3 */
		int replies_per_hour; /* default 5 */
	} limits;

	struct {
		char *auth_token; /* or NULL: Twilio route refuses all */
	} twilio;

	struct {
		struct cfg_strv admin;	  /* SHA-256 hex of admin tokens */
		struct cfg_strv channels; /* SHA-256 hex of inbound tokens */
	} tokens;

	struct cfg_channel *channels; /* at least one */
	size_t nchannels;
	struct cfg_agency *agencies;
	size_t nagencies;
	struct cfg_category *categories; /* in config order */
	size_t ncategories;
	struct cfg_official *officials;
	size_t nofficials;
	struct cfg_user *users; /* console accounts */
	size_t nusers;
	struct cfg_wordset commands[CFG_CMD_COUNT]; /* configured words only */
	struct cfg_wordset irregular; /* per language, "FORM BASE": a word
					 read as another (kids -> child) */
	struct cfg_template *templates;
	size_t ntemplates;
	struct cfg_strv coordinator_phones; /* E.164 */
};

/*
 * Load and validate PATH. On success returns the config. On failure returns
 * NULL and sets *cause to every problem, one "FILE:LINE: setting: problem"
 * per line (newline-separated, no trailing newline); the caller frees it.
 */
struct cfg *cfg_load(const char *path, char **cause);
void cfg_free(struct cfg *);

/* Write every setting, defaults included, in a stable text form. */
void cfg_dump(const struct cfg *, FILE *);

/* Name of a command ("help") and the command named NAME, or -1. */
const char *cfg_cmd_name(enum cfg_cmd);
int cfg_cmd_lookup(const char *name);

/* The user with this login, or NULL; and the name of a role. */
const struct cfg_user *cfg_user_find(const struct cfg *, const char *login);
const char *cfg_role_name(enum cfg_role);

/* The agency with this id, or NULL. */
const struct cfg_agency *cfg_agency_find(const struct cfg *, const char *id);

/*
 * What SMS in language LANG call category CAT: its sms_label for LANG when
 * sms_label is a group that has one, else its sms_label (the group's first,
 * or the string, or the id). LANG NULL: the plain sms_label.
 */
/*
 * How long, in seconds, what is kept about a message or a number lives
 * (privacy.message_days), what is kept after a case closed or a number
 * opted out (privacy.retention_days), and audit entries (privacy.audit_days).
 */
long long cfg_message_ttl(const struct cfg *);
long long cfg_retention_ttl(const struct cfg *);
long long cfg_audit_ttl(const struct cfg *);

const char *cfg_category_label(const struct cfg_category *, const char *lang);

/*
 * The reply NAME in LANG with VARS filled in, newly allocated (cfg_template.c).
 * The text is CFG's for (LANG, NAME), else the built-in for LANG, else CFG's
 * for English, else the built-in English. An unknown placeholder, one NAME
 * does not receive, or one without a value in VARS renders as "". CFG may be
 * NULL (built-ins only), LANG NULL means English. Returns NULL only when NAME
 * is not a template name and CFG has no text for it.
 */
char *template_render(const struct cfg *cfg, const char *lang, const char *name,
    const struct template_var *vars, size_t nvars);

#endif
