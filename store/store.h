/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Redis in our own terms. A struct store is one connection owned by one
 * thread; replies are copied out of hiredis into struct store_reply, which
 * the caller owns. Programs using it must ignore SIGPIPE: a write to a
 * connection Redis closed must fail, not kill the process.
 */
#ifndef HBM_GATEWAY_STORE_H
#define HBM_GATEWAY_STORE_H

#include <stddef.h>

struct store;

/*
 * Called on every new connection before it is used, e.g. to check Redis's
 * settings; -1 with *cause refuses the connection (it fails like a connect).
 */
typedef int (*store_connect_cb)(struct store *, char **cause);

/* Where and how to connect; strings are copied by store_new(). */
/* A Redis Sentinel's TCP address. */
struct store_sentinel {
	const char *host;
	int port;
};

/*
 * Where and how to connect; strings are copied by store_new(). With
 * sentinels, host and socket are ignored: the primary is the address the
 * sentinels give for master.
 */
struct store_params {
	const char *host;     /* TCP host, or NULL when socket is set */
	int port;	      /* TCP port */
	const char *socket;   /* unix socket path, or NULL */
	const char *password; /* AUTH on the data connection, or NULL */
	int db;		      /* SELECT when not 0 */
	int timeout_ms;	      /* connect and command timeout */

	/* Run on each new connection before its first use, or NULL. */
	store_connect_cb connect_cb;
	const struct store_sentinel *sentinels; /* nsentinels, or NULL */
	size_t nsentinels;
	const char *master;	       /* the sentinels' name of the primary */
	const char *sentinel_password; /* AUTH on the sentinels, or NULL */
};

enum store_type {
	STORE_NIL,
	STORE_INTEGER,
	STORE_STRING, /* bulk string */
	STORE_STATUS, /* "+OK" */
	STORE_ERROR,  /* "-ERR ..." */
	STORE_ARRAY,
};

/*
 * A reply, owned by the caller; free with store_reply_free(). Each node is
 * one allocation: an element taken out of an array (set to NULL there)
 * is freed on its own.
 */
struct store_reply {
	enum store_type type;
	long long integer; /* STORE_INTEGER */
	char *str;	   /* STRING, STATUS, ERROR: NUL-terminated */
	size_t len;	   /* bytes in str, without the NUL */
	struct store_reply **element; /* STORE_ARRAY */
	size_t elements;
};

/* A Lua script; its SHA-1 is computed on first use. Define them static. */
struct store_script {
	const char *name; /* for logs */
	const char *body; /* Lua source */
	char sha[41];	  /* hex SHA-1 of body, filled lazily */
};

/* A store that connects on first use. Never fails. */
struct store *store_new(const struct store_params *);
void store_free(struct store *);

/* 1 while the connection is believed up. */
int store_connected(const struct store *);

/*
 * How long a command may take, in ms: a blocking read (XREADGROUP BLOCK)
 * must end well before it, or it fails and the connection is made again.
 */
int store_timeout_ms(const struct store *);

/*
 * Run one command given as ARGC binary-safe arguments. Returns the reply
 * (possibly STORE_ERROR, a Redis-level error) or NULL with *cause set when
 * Redis could not be reached; the connection is then retried with backoff.
 * With sentinels, a READONLY error (the primary became a replica) counts as
 * unreachable too: nothing was written, and the next call finds the primary
 * again.
 */
struct store_reply *store_command(struct store *, int argc, const char **argv,
    const size_t *argvlen, char **cause);
/* The same with NUL-terminated string arguments, ended by NULL. */
struct store_reply *store_commandl(struct store *, char **cause, ...)
    __attribute__((sentinel));

/*
 * CONFIG GET NAME into *VALUE (owned; NULL for a Redis without that
 * setting): 0, or -1 with *cause (Redis unreachable, or CONFIG refused or
 * renamed).
 */
int store_config_get(
    struct store *, const char *name, char **value, char **cause);

/* PING, reconnecting once if an old connection turned out dead. */
int store_ping(struct store *, char **cause);

/*
 * EVALSHA a script with NKEYS keys first in ARGV; loads the script and
 * retries when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH).
 */
struct store_reply *store_eval(struct store *, struct store_script *, int nkeys,
    int argc, const char **argv, const size_t *argvlen, char **cause);

void store_reply_free(struct store_reply *);
/* An array reply of the N strings V, as if Redis gave it (a view, a test). */
struct store_reply *store_reply_strings(const char *const *v, size_t n);

/*
 * The value of FIELD in a flat field/value array: an HGETALL reply, a
 * stream entry's fields, an XINFO record. NULL when R is not an array, or
 * FIELD is missing or (store_field()) its value not a string. The one
 * field look-up of every record read.
 */
const struct store_reply *store_field(
    const struct store_reply *r, const char *field);
const struct store_reply *store_field_any(
    const struct store_reply *r, const char *field);
/* Its string, or DFLT when store_field() finds none. */
const char *store_fieldstr(
    const struct store_reply *r, const char *field, const char *dflt);

#endif
