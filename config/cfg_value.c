/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks on single config values (ids, language codes, digests, URLs,
 * addresses, crypt(3) hashes) and the parsers for redis.url,
 * redis.sentinels and http.listen. Pure functions: no libconfig, no I/O.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "config/cfg_int.h"
#include "lib/xmalloc.h"

/* 1 when S is N or more characters, each in SET. */
static int
all_in(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

#define DIGITS "0123456789"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* A country code: 1-3 digits, not starting with 0. */
int
cfg_valid_cc(const char *s)
{
	return all_in(s, DIGITS, 1, 3) && s[0] != '0';
}

/* An id or channel name: 1-31 of a-z, 0-9, "_" and "-". */
int
cfg_valid_id(const char *s)
{
	return all_in(s, LOWER DIGITS "_-", 1, CFG_ID_MAX - 1);
}

/* A language code: 2-7 of a-z, 0-9, "_" and "-", from a letter. */
int
cfg_valid_lang(const char *s)
{
	return all_in(s, LOWER DIGITS "_-", 2, CFG_LANG_MAX - 1) &&
	    islower((unsigned char)s[0]);
}

/* A crypt(3) hash of a method worth using, with salt and hash. */
int
cfg_valid_login(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CFG_LOGIN_MAX - 1 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int
cfg_valid_crypt(const char *s)
{
	static const char *const methods[] = { "$6$", "$y$", "$5$", "$2b$" };
	const char *rest, *last;
	size_t i;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strncmp(s, methods[i], strlen(methods[i])) == 0)
			break;
	if (i == sizeof methods / sizeof methods[0])
		return 0;
	rest = s + strlen(methods[i]);
	last = strrchr(rest, '$');
	return last != NULL && last[1] != '\0' &&
	    all_in(rest, "./=$" DIGITS LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1,
		strlen(rest));
}

/* An http:// or https:// URL with a host and no spaces. */
int
cfg_valid_http_url(const char *s)
{
	size_t n;

	if (strncmp(s, "http://", 7) == 0)
		n = 7;
	else if (strncmp(s, "https://", 8) == 0)
		n = 8;
	else
		return 0;
	return s[n] != '\0' && s[n] != '/' && strpbrk(s, " \t\r\n") == NULL;
}

/* An E.164 prefix: "+" and 1-15 digits, not starting with 0. */
int
cfg_valid_prefix(const char *s)
{
	return s[0] == '+' && s[1] != '0' && all_in(s + 1, DIGITS, 1, 15);
}

/* A USSD code: digits, "*" and "#", from "*" or "#" to "#". */
int
cfg_valid_ussd(const char *s)
{
	size_t n = strlen(s);

	return all_in(s, DIGITS "*#", 2, 32) && (s[0] == '*' || s[0] == '#') &&
	    s[n - 1] == '#';
}

/* A SIM PIN: 4-8 digits. */
int
cfg_valid_pin(const char *s)
{
	return all_in(s, DIGITS, 4, 8);
}

/*
 * An SMS sender: "+" and 1-15 digits not starting with 0, 1-15 digits (a
 * short code), or an
 * alphanumeric name of 1-11 letters, digits, spaces, ".", "-" and "_"
 * with a letter in it (GSM allows 11 characters).
 */
int
cfg_valid_sender(const char *s)
{
	if (s[0] == '+')
		return cfg_valid_prefix(s);
	if (all_in(s, DIGITS, 1, 15))
		return 1;
	return all_in(s, DIGITS LOWER UPPER " .-_", 1, 11) &&
	    strpbrk(s, LOWER UPPER) != NULL && s[0] != ' ' &&
	    s[strlen(s) - 1] != ' ';
}

/* Lowercase a SHA-256 hex digest into OUT; -1 when IN is not one. */
int
cfg_sha256_hex(const char *in, char out[CFG_SHA256_HEX])
{
	size_t i;

	if (!all_in(in, DIGITS "abcdefABCDEF", 64, 64))
		return -1;
	for (i = 0; i < 64; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[64] = '\0';
	return 0;
}

/* Parse PORT (decimal digits only) into *port within LO..HI. */
static int
parse_port(const char *s, int lo, int hi, int *port, const char **why,
    const char *range)
{
	long v;

	if (!all_in(s, DIGITS, 1, 5)) {
		*why = NULL;
		return -1;
	}
	v = strtol(s, NULL, 10);
	if (v < lo || v > hi) {
		*why = range;
		return -1;
	}
	*port = (int)v;
	return 0;
}

/*
 * Split "HOST:PORT" or "[V6]:PORT" into an allocated host and the port text.
 * V6 says whether the host was bracketed. Returns -1 when the form is wrong.
 */
static int
split_host_port(const char *s, char **host, const char **port, int *v6)
{
	const char *end;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return -1;
		*host = xstrndup(s + 1, (size_t)(end - s - 1));
		*port = end + 2;
		*v6 = 1;
		return 0;
	}
	if ((end = strrchr(s, ':')) == NULL || end == s)
		return -1;
	*host = xstrndup(s, (size_t)(end - s));
	*port = end + 1;
	*v6 = 0;
	return 0;
}

/*
 * Split "HOST:PORT" or "[V6]:PORT" (a TCP address Redis or a sentinel
 * listens on) into an allocated host and its port; FORM is the reason given
 * when the shape is wrong.
 */
static int
parse_tcp_addr(
    const char *s, char **host, int *port, const char **why, const char *form)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *ps;
	char *h = NULL;
	int v6;

	*host = NULL;
	*port = 0;
	*why = form;
	if (split_host_port(s, &h, &ps, &v6) == -1)
		return -1;
	if (v6 && inet_pton(AF_INET6, h, buf) != 1)
		*why = "invalid IPv6 address";
	else if (!v6 &&
	    !all_in(h, LOWER DIGITS ".-_ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 253))
		*why = "invalid host name";
	else if (parse_port(ps, 1, 65535, port, why,
		     "port out of range (1..65535)") == 0) {
		*host = h;
		return 0;
	}
	if (*why == NULL)
		*why = form;
	free(h);
	return -1;
}

/* Split redis.url into host and port, or a socket path. */
int
cfg_parse_redis_url(
    const char *url, char **host, int *port, char **socket, const char **why)
{
	static const char form[] = "expected tcp://HOST:PORT or unix://PATH";

	*host = *socket = NULL;
	*port = 0;
	if (strncmp(url, "unix://", 7) == 0 && url[7] != '\0') {
		*socket = xstrdup(url + 7);
		return 0;
	}
	*why = form;
	if (strncmp(url, "tcp://", 6) != 0)
		return -1;
	if (url[6] != '[' && strchr(url + 6, ':') != strrchr(url + 6, ':')) {
		*why = "an IPv6 address goes in brackets: tcp://[::1]:6379";
		return -1;
	}
	return parse_tcp_addr(url + 6, host, port, why, form);
}

/* Split one of redis.sentinels into host and port. */
int
cfg_parse_sentinel(const char *addr, char **host, int *port, const char **why)
{
	static const char form[] = "expected HOST:PORT or [IPV6]:PORT";

	*host = NULL;
	*port = 0;
	if (strstr(addr, "://") != NULL) {
		*why = "expected HOST:PORT, without a scheme";
		return -1;
	}
	if (addr[0] != '[' && strchr(addr, ':') != strrchr(addr, ':')) {
		*why = "an IPv6 address goes in brackets: [::1]:26379";
		return -1;
	}
	return parse_tcp_addr(addr, host, port, why, form);
}

/* Split http.listen into a numeric host and a port. */
int
cfg_parse_listen(const char *listen, char **host, int *port, const char **why)
{
	static const char form[] = "expected ADDRESS:PORT or [IPV6]:PORT";
	unsigned char buf[sizeof(struct in6_addr)];
	const char *ps;
	char *h = NULL;
	int v6;

	*host = NULL;
	*port = 0;
	*why = form;
	if (split_host_port(listen, &h, &ps, &v6) == -1)
		return -1;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, h, buf) != 1)
		*why = v6
		    ? "invalid IPv6 address"
		    : "not a numeric IPv4 address (IPv6 goes in brackets)";
	else if (parse_port(ps, 0, 65535, port, why,
		     "port out of range (0..65535)") == 0) {
		*host = h;
		return 0;
	}
	if (*why == NULL)
		*why = form;
	free(h);
	return -1;
}

/* Index of S in V, or -1. */
int
cfg_strv_find(const struct cfg_strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i] != NULL && strcmp(v->v[i], s) == 0)
			return (int)i;
	return -1;
}
