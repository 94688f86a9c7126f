/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the config module, not for use outside config/. cfg.c wraps
 * libconfig as nodes (a setting by its path, present or not) and typed
 * getters that report problems; cfg_check.c reads each section through them;
 * cfg_value.c checks single values; cfg_dump.c prints and frees;
 * cfg_include.c checks the files before libconfig reads them.
 */
#ifndef HBM_CONFIG_CFG_INT_H
#define HBM_CONFIG_CFG_INT_H

#include <stddef.h>

#include "config/cfg.h"

#define CFG_NODE_PATH 160 /* longest setting path in a message */

struct config_setting_t; /* libconfig's, seen only by cfg.c */
struct cfg_errs;

/* State of one cfg_load(). */
struct cfg_rd {
	struct cfg *cfg;       /* being filled; freed on failure */
	struct cfg_errs *errs; /* every problem so far */
	const char *path;      /* the file as given to cfg_load() */
	char *dir;	       /* PATH up to its last '/', or "" */
	int cc_ok;	       /* boolean: gateway.country_code usable */
};

/* A setting by its path, present or not. */
struct cfg_node {
	const struct config_setting_t *s;  /* NULL: absent or unusable */
	const struct config_setting_t *at; /* where to report: s or a group */
	int skip;		  /* boolean: it or an ancestor was unusable */
	char path[CFG_NODE_PATH]; /* "channels[0].gammu.device" */
};

enum { CFG_OPT, CFG_REQ };

/* cfg.c */

/* Report a problem with N as "FILE:LINE: PATH: problem". */
void cfg_bad(struct cfg_rd *, const struct cfg_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The member NAME of group G, and element I of list L. */
void cfg_node_child(
    const struct cfg_node *g, const char *name, struct cfg_node *c);
void cfg_node_elem(const struct cfg_node *l, int i, struct cfg_node *e);
/* Members of group G in file order: their count, and the I-th's name. */
int cfg_node_count(const struct cfg_node *g);
const char *cfg_node_member(
    const struct cfg_node *g, int i, struct cfg_node *c);
/* Whether N is present and a group. */
int cfg_node_is_group(const struct cfg_node *n);
/* The line of N, or 0 when it is absent. */
int cfg_node_line(const struct cfg_node *n);

/* Whether N is present; reports it missing when REQ is CFG_REQ. */
int cfg_present(struct cfg_rd *, const struct cfg_node *n, int req);
/* Report the members of group G whose names are not in KNOWN (NULL-ended). */
void cfg_check_keys(
    struct cfg_rd *, const struct cfg_node *g, const char *const *known);
/* The member NAME of G as a group; 0, or -1 when absent or unusable. */
int cfg_get_group(struct cfg_rd *, const struct cfg_node *g, const char *name,
    struct cfg_node *c);
/* The string at N (borrowed), or NULL when absent or not a string. */
const char *cfg_get_str(struct cfg_rd *, const struct cfg_node *n, int req);
/* As cfg_get_str(), but an empty string is a problem too. */
const char *cfg_get_text(struct cfg_rd *, const struct cfg_node *n, int req);
/* The member NAME of G as a non-empty string, copied to *out when good. */
const char *cfg_get_dup(struct cfg_rd *, const struct cfg_node *g,
    const char *name, int req, char **out);
/* The integer member NAME of G into *out when present and in LO..HI. */
void cfg_get_int(struct cfg_rd *, const struct cfg_node *g, const char *name,
    long long lo, long long hi, int *out);
/* The boolean member NAME of G into *out when present. */
void cfg_get_bool(
    struct cfg_rd *, const struct cfg_node *g, const char *name, int *out);
/* Copy the list of strings at N into V (replacing it); 0, or -1. */
int cfg_get_strv(
    struct cfg_rd *, struct cfg_node *n, int req, struct cfg_strv *v);
/* The list of groups NAME in G as L: its length, 0 when absent or bad. */
int cfg_get_groups(struct cfg_rd *, const struct cfg_node *g, const char *name,
    struct cfg_node *l);
/* Element I of list L as a group; 0, or -1 when it is not one. */
int cfg_get_elem(
    struct cfg_rd *, const struct cfg_node *l, int i, struct cfg_node *e);

/* cfg_check.c: read every section below ROOT into rd->cfg. */
void cfg_read_sections(struct cfg_rd *, const struct cfg_node *root);

/*
 * cfg_include.c: before libconfig reads rd->path, 0 when it and every file
 * it includes hold no NUL byte and each @include names a regular file; else
 * -1 with *cause ("FILE:LINE: ...").
 */
int cfg_include_check(const struct cfg_rd *, char **cause);

/* cfg_value.c: each is 1 when the value is acceptable. */
int cfg_valid_cc(const char *);	   /* 1-3 digits, not starting with 0 */
int cfg_valid_id(const char *);	   /* 1-31 of a-z 0-9 _ - */
int cfg_valid_lang(const char *);  /* "en", "fil", "zh-hk" */
int cfg_valid_crypt(const char *); /* crypt(3) hash of a known method */
int cfg_valid_login(const char *); /* 1-32 of a-z, 0-9, . _ - */
int cfg_valid_http_url(const char *);
int cfg_valid_prefix(const char *); /* "+256" */
int cfg_valid_ussd(const char *);   /* "*131#" */
int cfg_valid_pin(const char *);    /* SIM PIN: 4-8 digits */
int cfg_valid_sender(const char *); /* "+256700000100", "1234", "HBM-Relief" */

/* Lowercase a SHA-256 hex digest into OUT; -1 when IN is not one. */
int cfg_sha256_hex(const char *in, char out[CFG_SHA256_HEX]);

/*
 * Split a redis.url into a host and port or a socket path (allocated), or
 * return -1 with *why set to a static reason.
 */
int cfg_parse_redis_url(
    const char *url, char **host, int *port, char **socket, const char **why);

/* Split one of redis.sentinels, "HOST:PORT", into a host (allocated) and port. */
int cfg_parse_sentinel(
    const char *addr, char **host, int *port, const char **why);

/* Split an http.listen address into a numeric host (allocated) and port. */
int cfg_parse_listen(
    const char *listen, char **host, int *port, const char **why);

/* Index of S in V, or -1. */
int cfg_strv_find(const struct cfg_strv *v, const char *s);

/* cfg_dump.c: free the strings of V and empty it. */
void cfg_strv_clear(struct cfg_strv *v);

#endif
