/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/: every file in tests/config/good must load and dump
 * exactly as its .expected file, every file in tests/config/bad must fail
 * with exactly its .err text; plus the value checks, look-ups and the
 * shipped configs. Run from the source root, or set HBM_SRCDIR to it.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/cfg.h"
#include "config/cfg_int.h"

/* The whole of file PATH as a string, or NULL. */
static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp, *mem;
	int c;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	while ((c = getc(fp)) != EOF)
		putc(c, mem);
	fclose(fp);
	fclose(mem);
	return buf;
}

/* The dump of CFG as a string. */
static char *
dump(const struct cfg *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	cfg_dump(cfg, mem);
	fclose(mem);
	return buf;
}

/* Fail, showing the first line where GOT and WANT differ. */
static void
compare(const char *what, const char *got, const char *want)
{
	size_t i, line = 1, start = 0;

	if (strcmp(got, want) == 0)
		return;
	for (i = 0; got[i] == want[i]; i++)
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
	fail_msg("%s: differs at line %zu:\n  got:  %.*s\n  want: %.*s", what,
	    line, (int)strcspn(got + start, "\n"), got + start,
	    (int)strcspn(want + start, "\n"), want + start);
}

/* The *.conf files in DIR, sorted, as a NULL-terminated array. */
static char **
list_confs(const char *dir, size_t *n)
{
	struct dirent **ents;
	char **v;
	size_t len;
	int i, k;

	if ((k = scandir(dir, &ents, NULL, alphasort)) < 0) {
		fail_msg("%s: %s", dir, strerror(errno));
		return NULL;
	}
	v = calloc((size_t)k + 1, sizeof *v);
	assert_non_null(v);
	*n = 0;
	for (i = 0; i < k; i++) {
		len = strlen(ents[i]->d_name);
		if (len > 5 && strcmp(ents[i]->d_name + len - 5, ".conf") == 0)
			assert_true(asprintf(&v[(*n)++], "%s/%s", dir,
					ents[i]->d_name) > 0);
		free(ents[i]);
	}
	free(ents);
	return v;
}

/* PATH with its ".conf" replaced by EXT. */
static char *
sibling(const char *path, const char *ext)
{
	char *s;

	assert_true(
	    asprintf(&s, "%.*s%s", (int)(strlen(path) - 5), path, ext) > 0);
	return s;
}

static void
test_good_configs(void **state)
{
	char **files, *want, *got, *cause, *exp;
	struct cfg *cfg;
	size_t i, n;

	(void)state;
	files = list_confs("tests/config/good", &n);
	assert_true(n >= 5);
	for (i = 0; i < n; i++) {
		cause = NULL;
		if ((cfg = cfg_load(files[i], &cause)) == NULL)
			fail_msg("%s: rejected:\n%s", files[i], cause);
		exp = sibling(files[i], ".expected");
		if ((want = slurp(exp)) == NULL)
			fail_msg("%s: %s", exp, strerror(errno));
		got = dump(cfg);
		compare(files[i], got, want);
		free(got);
		free(want);
		free(exp);
		cfg_free(cfg);
		free(files[i]);
	}
	free(files);
}

static void
test_bad_configs(void **state)
{
	char **files, *want, *got, *cause, *exp;
	size_t i, n;

	(void)state;
	files = list_confs("tests/config/bad", &n);
	assert_true(n >= 20);
	for (i = 0; i < n; i++) {
		cause = NULL;
		if (cfg_load(files[i], &cause) != NULL)
			fail_msg("%s: accepted", files[i]);
		assert_non_null(cause);
		exp = sibling(files[i], ".err");
		if ((want = slurp(exp)) == NULL)
			fail_msg("%s: %s", exp, strerror(errno));
		/* hbmgwd --check-config prints the cause and a newline. */
		assert_true(asprintf(&got, "%s\n", cause) > 0);
		compare(files[i], got, want);
		free(got);
		free(want);
		free(exp);
		free(cause);
		free(files[i]);
	}
	free(files);
}

/* The configs that ship load cleanly. */
static void
test_shipped_configs(void **state)
{
	static const char *const files[] = { "config/dev.conf",
		"config/hbmgw.conf.example" };
	struct cfg *cfg;
	char *cause;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		cause = NULL;
		if ((cfg = cfg_load(files[i], &cause)) == NULL)
			fail_msg("%s:\n%s", files[i], cause);
		cfg_free(cfg);
	}
}

static void
test_dev_conf(void **state)
{
	const struct cfg_agency *a;
	struct cfg *cfg;
	char *cause = NULL;

	(void)state;
	cfg = cfg_load("config/dev.conf", &cause);
	assert_non_null(cfg);
	assert_string_equal(cfg->gateway.country_code, "256");
	assert_null(cfg->redis.host);
	assert_string_equal(cfg->redis.socket, "run/redis.sock");
	assert_string_equal(cfg->http.host, "127.0.0.1");
	assert_int_equal(cfg->http.port, 8080);
	assert_string_equal(cfg->privacy.key_file, "run/key");
	assert_int_equal(cfg->nchannels, 1);
	assert_string_equal(cfg->channels[0].name, "modem0");
	assert_int_equal(cfg->channels[0].type, CFG_CHANNEL_MODEM);
	assert_string_equal(cfg->channels[0].gammu.device, "run/modem0");
	assert_string_equal(cfg->channels[0].gammu.connection, "none");
	assert_string_equal(cfg->channels[0].gammu.model, "dummy");
	assert_int_equal(cfg->tokens.admin.n, 1);
	assert_string_equal(cfg->tokens.admin.v[0],
	    "1734d503f6aa6a047c36d113cbad769f719c93784b469b771c4c3e7c63adbefd");
	assert_string_equal(cfg->tokens.channels.v[0],
	    "c720532aad1b5e885bef4b3f8c7166ae1080787c616fb22f8550fcacc6315acc");
	a = cfg_agency_find(cfg, "wfp");
	assert_non_null(a);
	assert_string_equal(a->phones.v[0], "+256700000101");
	assert_null(cfg_agency_find(cfg, "nobody"));
	assert_null(cfg_agency_find(cfg, ""));
	assert_true(cfg->ncategories >= 4);
	assert_int_equal(cfg->nofficials, 1);
	assert_string_equal(cfg->officials[0].phone, "+256700000201");
	assert_int_equal(cfg->coordinator_phones.n, 1);
	cfg_free(cfg);
}

/* Without gateway.instance the host name is used, and not dumped. */
static void
test_hostname_default(void **state)
{
	char host[256], *cause = NULL, *out;
	struct cfg *cfg;

	(void)state;
	cfg = cfg_load("tests/config/good/minimal.conf", &cause);
	assert_non_null(cfg);
	assert_int_equal(gethostname(host, sizeof host), 0);
	host[sizeof host - 1] = '\0';
	assert_string_equal(cfg->gateway.instance, host);
	assert_true(cfg->gateway.instance_is_hostname);
	out = dump(cfg);
	assert_non_null(strstr(out, "gateway.instance = (hostname)\n"));
	free(out);
	cfg_free(cfg);
}

/* Secrets never appear in a dump. */
static void
test_secrets_redacted(void **state)
{
	static const char *const secrets[] = { "redis-secret", "twilio-secret",
		"kannel-secret", "9876" };
	char *cause = NULL, *out;
	struct cfg *cfg;
	size_t i;

	(void)state;
	cfg = cfg_load("tests/config/good/full.conf", &cause);
	assert_non_null(cfg);
	assert_string_equal(cfg->redis.password, "redis-secret");
	assert_string_equal(cfg->twilio.auth_token, "twilio-secret");
	out = dump(cfg);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(out, secrets[i]) != NULL)
			fail_msg("dump shows %s", secrets[i]);
	free(out);
	cfg_free(cfg);
}

static void
test_missing_file(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_null(cfg_load("tests/config/none/missing.conf", &cause));
	assert_string_equal(cause,
	    "tests/config/none/missing.conf: cannot open: No such file or "
	    "directory");
	free(cause);
	cause = NULL;
	assert_null(cfg_load("tests/config", &cause));
	assert_string_equal(cause, "tests/config: cannot open: Is a directory");
	free(cause);
	cfg_free(NULL);
}

/* A config in DIR/NAME with TEXT of LEN bytes after a minimal head. */
static char *
write_conf(const char *dir, const char *name, const char *text, size_t len)
{
	static const char head[] =
	    "gateway: { country_code = \"256\"; };\n"
	    "redis: { url = \"tcp://127.0.0.1:6379\"; };\n"
	    "http: { listen = \"127.0.0.1:8080\"; };\n"
	    "channels = ( { name = \"m\"; type = \"modem\"; "
	    "gammu = { device = \"/dev/ttyUSB0\"; }; } );\n";
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(
	    fwrite(head, 1, sizeof(head) - 1, f), sizeof(head) - 1);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* DIR/NAME with TEXT loads, or fails with WANT (after "DIR/"). */
static void
load_conf(const char *dir, const char *name, const char *text, size_t len,
    const char *want)
{
	char *path, *cause = NULL, *full;
	struct cfg *cfg;

	path = write_conf(dir, name, text, len);
	cfg = cfg_load(path, &cause);
	if (want == NULL) {
		if (cfg == NULL)
			fail_msg("%s: %s", name, cause);
		cfg_free(cfg);
	} else {
		assert_null(cfg);
		assert_true(asprintf(&full, "%s/%s", dir, want) > 0);
		assert_string_equal(cause, full);
		free(full);
	}
	free(cause);
	unlink(path);
	free(path);
}

static void
load_text(const char *dir, const char *name, const char *text, const char *want)
{
	load_conf(dir, name, text, strlen(text), want);
}

/*
 * What libconfig must never be given: an @include of a directory or a FIFO
 * (its scanner exits the process, or blocks), a NUL byte; and what the
 * check must leave alone: an @include inside a comment or a string.
 */
static void
test_include_files(void **state)
{
	static const char nul[] = "agencies = ();\n# a\0b\n";
	/* mkdtemp() fills in the six X of the template */
	char dir[] = "/tmp/hbm-test-cfg.XXXXXX";
	char *fifo, *sub, *odd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&fifo, "%s/fifo", dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_true(asprintf(&sub, "%s/sub", dir) > 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_true(asprintf(&odd, "%s/su\nb", dir) > 0);
	assert_int_equal(mkdir(odd, 0700), 0);

	load_text(dir, "a.conf", "@include \"fifo\"\n",
	    "a.conf:5: @include \"fifo\": not a regular file");
	load_text(dir, "b.conf", "\t @include\t\"s\\ub\"\n",
	    "b.conf:5: @include \"sub\": a directory, not a regular file");
	load_conf(dir, "c.conf", nul, sizeof(nul) - 1,
	    "c.conf:6: a NUL byte: not a text file");
	/* a name with a newline is quoted on one line; "\\u" is "u" */
	load_text(dir, "d.conf", "@include \"su\nb\"\n",
	    "d.conf:5: @include \"su?b\": a directory, not a regular file");
	/* not directives: in a comment, in a string, not first on a line */
	static const char ok[] =
	    "/* a comment\n@include \"sub\"\n*/\n"
	    "# @include \"sub\"\n"
	    "// @include \"sub\"\n"
	    "agencies = ( { id = \"wfp\"; name = \"W\\\"\n"
	    "@include \\\"sub\\\"\"; phones = [\"0700000101\"]; } );\n";
	load_text(dir, "e.conf", ok, NULL);

	unlink(fifo);
	rmdir(sub);
	rmdir(odd);
	rmdir(dir);
	free(fifo);
	free(sub);
	free(odd);
}

static void
test_commands(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < CFG_CMD_COUNT; i++) {
		assert_non_null(cfg_cmd_name(i));
		assert_int_equal(cfg_cmd_lookup(cfg_cmd_name(i)), i);
	}
	assert_string_equal(cfg_cmd_name(CFG_CMD_HELP), "help");
	assert_string_equal(cfg_cmd_name(CFG_CMD_REF), "ref");
	assert_null(cfg_cmd_name(CFG_CMD_COUNT));
	assert_int_equal(cfg_cmd_lookup("HELP"), -1);
	assert_int_equal(cfg_cmd_lookup("helpp"), -1);
	assert_int_equal(cfg_cmd_lookup(""), -1);
}

struct addr_case {
	const char *in;
	const char *host; /* NULL when rejected or a socket */
	int port;
	const char *socket; /* for redis unix:// */
	const char *why;    /* when rejected */
};

static const struct addr_case redis_cases[] = {
	{ "tcp://127.0.0.1:6379", "127.0.0.1", 6379, NULL, NULL },
	{ "tcp://redis.local:1", "redis.local", 1, NULL, NULL },
	{ "tcp://[::1]:65535", "::1", 65535, NULL, NULL },
	{ "unix:///run/redis/redis.sock", NULL, 0, "/run/redis/redis.sock",
	    NULL },
	{ "unix://run/redis.sock", NULL, 0, "run/redis.sock", NULL },
	{ "unix://", NULL, 0, NULL, "expected tcp://HOST:PORT or unix://PATH" },
	{ "tcp://127.0.0.1", NULL, 0, NULL,
	    "expected tcp://HOST:PORT or unix://PATH" },
	{ "tcp://:6379", NULL, 0, NULL,
	    "expected tcp://HOST:PORT or unix://PATH" },
	{ "tcp://127.0.0.1:", NULL, 0, NULL,
	    "expected tcp://HOST:PORT or unix://PATH" },
	{ "tcp://127.0.0.1:63x9", NULL, 0, NULL,
	    "expected tcp://HOST:PORT or unix://PATH" },
	{ "tcp://127.0.0.1:0", NULL, 0, NULL, "port out of range (1..65535)" },
	{ "tcp://127.0.0.1:65536", NULL, 0, NULL,
	    "port out of range (1..65535)" },
	{ "tcp://[::1:6379", NULL, 0, NULL,
	    "expected tcp://HOST:PORT or unix://PATH" },
	{ "tcp://[::g]:6379", NULL, 0, NULL, "invalid IPv6 address" },
	{ "tcp://::1:6379", NULL, 0, NULL,
	    "an IPv6 address goes in brackets: tcp://[::1]:6379" },
	{ "tcp://bad host:6379", NULL, 0, NULL, "invalid host name" },
	{ "redis://127.0.0.1:6379", NULL, 0, NULL,
	    "expected tcp://HOST:PORT or unix://PATH" },
	{ "", NULL, 0, NULL, "expected tcp://HOST:PORT or unix://PATH" },
};

static void
test_redis_url(void **state)
{
	const struct addr_case *c;
	char *host, *sock;
	const char *why;
	size_t i;
	int port, rc;

	(void)state;
	for (i = 0; i < sizeof redis_cases / sizeof redis_cases[0]; i++) {
		c = &redis_cases[i];
		why = NULL;
		rc = cfg_parse_redis_url(c->in, &host, &port, &sock, &why);
		if (c->why != NULL) {
			if (rc != -1)
				fail_msg("\"%s\" accepted", c->in);
			assert_string_equal(why, c->why);
			assert_null(host);
			assert_null(sock);
			continue;
		}
		if (rc != 0)
			fail_msg("\"%s\" rejected: %s", c->in, why);
		if (c->host != NULL)
			assert_string_equal(host, c->host);
		else
			assert_null(host);
		if (c->socket != NULL)
			assert_string_equal(sock, c->socket);
		else
			assert_null(sock);
		assert_int_equal(port, c->port);
		free(host);
		free(sock);
	}
}

static const struct addr_case sentinel_cases[] = {
	{ "127.0.0.1:26379", "127.0.0.1", 26379, NULL, NULL },
	{ "sentinel-2.example.org:1", "sentinel-2.example.org", 1, NULL, NULL },
	{ "[::1]:65535", "::1", 65535, NULL, NULL },
	{ "127.0.0.1", NULL, 0, NULL, "expected HOST:PORT or [IPV6]:PORT" },
	{ ":26379", NULL, 0, NULL, "expected HOST:PORT or [IPV6]:PORT" },
	{ "127.0.0.1:", NULL, 0, NULL, "expected HOST:PORT or [IPV6]:PORT" },
	{ "127.0.0.1:2x", NULL, 0, NULL, "expected HOST:PORT or [IPV6]:PORT" },
	{ "127.0.0.1:0", NULL, 0, NULL, "port out of range (1..65535)" },
	{ "127.0.0.1:65536", NULL, 0, NULL, "port out of range (1..65535)" },
	{ "[::1:26379", NULL, 0, NULL, "expected HOST:PORT or [IPV6]:PORT" },
	{ "[::g]:26379", NULL, 0, NULL, "invalid IPv6 address" },
	{ "::1:26379", NULL, 0, NULL,
	    "an IPv6 address goes in brackets: [::1]:26379" },
	{ "bad host:26379", NULL, 0, NULL, "invalid host name" },
	{ "tcp://127.0.0.1:26379", NULL, 0, NULL,
	    "expected HOST:PORT, without a scheme" },
	{ "", NULL, 0, NULL, "expected HOST:PORT or [IPV6]:PORT" },
};

/* cfg_parse_sentinel(): each of redis.sentinels. */
static void
test_sentinel_addr(void **state)
{
	const struct addr_case *c;
	const char *why;
	char *host;
	size_t i;
	int port, rc;

	(void)state;
	for (i = 0; i < sizeof sentinel_cases / sizeof sentinel_cases[0]; i++) {
		c = &sentinel_cases[i];
		why = NULL;
		rc = cfg_parse_sentinel(c->in, &host, &port, &why);
		if (c->why != NULL) {
			if (rc != -1)
				fail_msg("\"%s\" accepted", c->in);
			assert_string_equal(why, c->why);
			assert_null(host);
			continue;
		}
		if (rc != 0)
			fail_msg("\"%s\" rejected: %s", c->in, why);
		assert_string_equal(host, c->host);
		assert_int_equal(port, c->port);
		free(host);
	}
}

static const struct addr_case listen_cases[] = {
	{ "127.0.0.1:8080", "127.0.0.1", 8080, NULL, NULL },
	{ "0.0.0.0:0", "0.0.0.0", 0, NULL, NULL },
	{ "[::1]:65535", "::1", 65535, NULL, NULL },
	{ "[::]:80", "::", 80, NULL, NULL },
	{ "localhost:8080", NULL, 0, NULL,
	    "not a numeric IPv4 address (IPv6 goes in brackets)" },
	{ "::1:8080", NULL, 0, NULL,
	    "not a numeric IPv4 address (IPv6 goes in brackets)" },
	{ "[::1]:65536", NULL, 0, NULL, "port out of range (0..65535)" },
	{ "[fe80::zz]:80", NULL, 0, NULL, "invalid IPv6 address" },
	{ "8080", NULL, 0, NULL, "expected ADDRESS:PORT or [IPV6]:PORT" },
	{ ":8080", NULL, 0, NULL, "expected ADDRESS:PORT or [IPV6]:PORT" },
	{ "127.0.0.1:", NULL, 0, NULL, "expected ADDRESS:PORT or [IPV6]:PORT" },
	{ "127.0.0.1:-1", NULL, 0, NULL,
	    "expected ADDRESS:PORT or [IPV6]:PORT" },
	{ "[::1]8080", NULL, 0, NULL, "expected ADDRESS:PORT or [IPV6]:PORT" },
};

static void
test_listen(void **state)
{
	const struct addr_case *c;
	const char *why;
	char *host;
	size_t i;
	int port, rc;

	(void)state;
	for (i = 0; i < sizeof listen_cases / sizeof listen_cases[0]; i++) {
		c = &listen_cases[i];
		why = NULL;
		rc = cfg_parse_listen(c->in, &host, &port, &why);
		if (c->why != NULL) {
			if (rc != -1)
				fail_msg("\"%s\" accepted", c->in);
			assert_string_equal(why, c->why);
			assert_null(host);
			continue;
		}
		if (rc != 0)
			fail_msg("\"%s\" rejected: %s", c->in, why);
		assert_string_equal(host, c->host);
		assert_int_equal(port, c->port);
		free(host);
	}
}

struct valid_case {
	int (*fn)(const char *);
	const char *in;
	int want;
};

static const struct valid_case valid_cases[] = {
	{ cfg_valid_cc, "256", 1 },
	{ cfg_valid_cc, "1", 1 },
	{ cfg_valid_cc, "0256", 0 },
	{ cfg_valid_cc, "025", 0 },
	{ cfg_valid_cc, "", 0 },
	{ cfg_valid_cc, "+256", 0 },
	{ cfg_valid_id, "wfp", 1 },
	{ cfg_valid_id, "red-cross_2", 1 },
	{ cfg_valid_id, "abcdefghijklmnopqrstuvwxyz01234", 1 },
	{ cfg_valid_id, "abcdefghijklmnopqrstuvwxyz012345", 0 },
	{ cfg_valid_id, "WFP", 0 },
	{ cfg_valid_id, "red cross", 0 },
	{ cfg_valid_id, "", 0 },
	{ cfg_valid_lang, "en", 1 },
	{ cfg_valid_lang, "fil", 1 },
	{ cfg_valid_lang, "zh-hk", 1 },
	{ cfg_valid_lang, "e", 0 },
	{ cfg_valid_lang, "EN", 0 },
	{ cfg_valid_lang, "1en", 0 },
	{ cfg_valid_lang, "english", 1 },
	{ cfg_valid_lang, "englishx", 0 },
	{ cfg_valid_crypt, "$6$salt$hash", 1 },
	{ cfg_valid_crypt, "$6$rounds=5000$salt$hash", 1 },
	{ cfg_valid_crypt, "$y$j9T$salt$hash", 1 },
	{ cfg_valid_crypt, "$5$abc$pZkt0VbZsIpH32wj.dzQZ17AWcuAcuANnR2bkrtnU41",
	    1 },
	{ cfg_valid_crypt,
	    "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", 1 },
	{ cfg_valid_crypt, "$6$", 0 },
	{ cfg_valid_crypt, "$6$salt$", 0 },
	{ cfg_valid_crypt, "$6$salt", 0 },
	{ cfg_valid_crypt, "$1$salt$hash", 0 },
	{ cfg_valid_crypt, "1234", 0 },
	{ cfg_valid_crypt, "$6$sa lt$hash", 0 },
	{ cfg_valid_http_url, "http://127.0.0.1:13013/cgi-bin/sendsms", 1 },
	{ cfg_valid_http_url, "https://gw.example.org", 1 },
	{ cfg_valid_http_url, "http://", 0 },
	{ cfg_valid_http_url, "ftp://example.org", 0 },
	{ cfg_valid_http_url, "https://a b", 0 },
	{ cfg_valid_prefix, "+256", 1 },
	{ cfg_valid_prefix, "+1", 1 },
	{ cfg_valid_prefix, "+", 0 },
	{ cfg_valid_prefix, "256", 0 },
	{ cfg_valid_prefix, "+0256", 0 },
	{ cfg_valid_prefix, "+2567x", 0 },
	{ cfg_valid_ussd, "*131#", 1 },
	{ cfg_valid_ussd, "*131*1#", 1 },
	{ cfg_valid_ussd, "#100#", 1 },
	{ cfg_valid_ussd, "131", 0 },
	{ cfg_valid_ussd, "*131", 0 },
	{ cfg_valid_ussd, "#", 0 },
	{ cfg_valid_pin, "1234", 1 },
	{ cfg_valid_pin, "12345678", 1 },
	{ cfg_valid_pin, "123", 0 },
	{ cfg_valid_pin, "123456789", 0 },
	{ cfg_valid_pin, "12a4", 0 },
	{ cfg_valid_sender, "+256700000100", 1 },
	{ cfg_valid_sender, "1234", 1 },
	{ cfg_valid_sender, "123456789012345", 1 },
	{ cfg_valid_sender, "HBM-Relief", 1 },
	{ cfg_valid_sender, "Aid Desk_2.", 1 },
	{ cfg_valid_sender, "", 0 },
	{ cfg_valid_sender, "+", 0 },
	{ cfg_valid_sender, "+0256", 0 },
	{ cfg_valid_sender, "+25670000010012", 1 },
	{ cfg_valid_sender, "+2567000001001234", 0 },
	{ cfg_valid_sender, "1234567890123456", 0 },
	{ cfg_valid_sender, "HBM-Relief12", 0 },
	{ cfg_valid_sender, " HBM", 0 },
	{ cfg_valid_sender, "HBM ", 0 },
	{ cfg_valid_sender, "HBM&x", 0 },
	{ cfg_valid_sender, "12-34", 0 },
	{ cfg_valid_sender, "\xd8\xb1", 0 },
};

static void
test_valid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++)
		if (valid_cases[i].fn(valid_cases[i].in) != valid_cases[i].want)
			fail_msg("case %zu \"%s\": want %d", i,
			    valid_cases[i].in, valid_cases[i].want);
}

static void
test_sha256_hex(void **state)
{
	char out[CFG_SHA256_HEX];

	(void)state;
	assert_int_equal(cfg_sha256_hex("1734D503F6AA6A047C36D113CBAD769F719C9"
					"3784B469B771C4C3E7C63ADBEFD",
			     out),
	    0);
	assert_string_equal(out,
	    "1734d503f6aa6a047c36d113cbad769f719c93784b469b771c4c3e7c63adbefd");
	assert_int_equal(cfg_sha256_hex("1734d503f6aa6a047c36d113cbad769f719c9"
					"3784b469b771c4c3e7c63adbef",
			     out),
	    -1);
	assert_int_equal(cfg_sha256_hex("1734d503f6aa6a047c36d113cbad769f719c9"
					"3784b469b771c4c3e7c63adbefd0",
			     out),
	    -1);
	assert_int_equal(cfg_sha256_hex("g734d503f6aa6a047c36d113cbad769f719c9"
					"3784b469b771c4c3e7c63adbefd",
			     out),
	    -1);
	assert_int_equal(cfg_sha256_hex("", out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_configs),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_dev_conf),
		cmocka_unit_test(test_hostname_default),
		cmocka_unit_test(test_secrets_redacted),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_include_files),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_redis_url),
		cmocka_unit_test(test_sentinel_addr),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_sha256_hex),
	};
	const char *srcdir = getenv("HBM_SRCDIR");

	if (srcdir != NULL && chdir(srcdir) == -1) {
		fprintf(stderr, "test_cfg: %s: %s\n", srcdir, strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
