/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of hbmctl share: the connection to the daemon, its
 * answers, output helpers and the commands. Private to ctl/.
 */
#ifndef HBM_CTL_CTL_H
#define HBM_CTL_CTL_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#define CTL_MAX_BODY (4 << 20)		 /* bytes of one answer we accept */
#define CTL_MAX_COUNT 9007199254740992.0 /* 2^53: larger is not exact */

/* Exit statuses, as documented in hbmctl(1). */
enum ctl_exit {
	CTL_OK = 0,	     /* ready, or the command succeeded */
	CTL_NOT_READY = 1,   /* not ready, or the audit chain is broken */
	CTL_USAGE = 2,	     /* bad options or arguments */
	CTL_UNREACHABLE = 3, /* no answer, or one we cannot read */
	CTL_AUTH = 4,	     /* the daemon refused our credentials */
	CTL_REFUSED = 5,     /* no such case, or the daemon refused the input */
};

/* What every command needs to talk to the daemon. */
struct ctl {
	char *url;	   /* base URL without trailing '/', owned */
	char *metrics_url; /* the metrics listener's, the same form, owned */
	const char *token; /* bearer token or NULL, borrowed; never printed */
	char *token_buf;   /* the token read by --token-file, owned */
	int json;	   /* --json: machine-readable output */
	long timeout_ms;   /* per request, connect included */
	CURL *curl;	   /* one handle, so requests share a connection */
	struct curl_slist *headers;	 /* Authorization header, owned */
	struct curl_slist *json_headers; /* the same and a JSON type, owned */
};

/* One HTTP answer. */
struct reply {
	long status;  /* HTTP status code */
	char *body;   /* NUL-terminated, owned */
	size_t len;   /* bytes in body, terminator not counted */
	int overflow; /* set when the body passed CTL_MAX_BODY */
};

/* One command: its name, how many arguments it takes, and its code. */
struct ctl_cmd {
	const char *name;
	int min_args;
	int max_args;
	const char *usage;   /* name and arguments, for usage lines */
	const char *summary; /* one line for --help */
	int (*run)(struct ctl *, int, char **);
};

#define CTL_TABLE_COLS 9

/* A table being printed: column titles, then rows of cells. */
struct ctl_table {
	size_t ncols;		      /* columns, at most CTL_TABLE_COLS */
	size_t nrows;		      /* rows added, the titles not counted */
	char ***rows;		      /* rows[0] the titles; each cell owned */
	size_t width[CTL_TABLE_COLS]; /* widest cell of each column */
};

/* hbmctl.c: output */
void ctl_warn(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sanitize(char *s);
void print_field(const char *key, const char *value);
const char *json_str(const json_t *obj, const char *key);
int ctl_print_json(const json_t *o);

/* ctl_token.c: *TOKEN (owned) from the first line of PATH; -1 warned. */
int ctl_token_file(const char *path, char **token);

/* ctl_table.c: aligned tables */
void ctl_table_init(
    struct ctl_table *, size_t ncols, const char *const *titles);
void ctl_table_add(struct ctl_table *, const char *const *cells);
void ctl_table_print(struct ctl_table *);

/* ctl_http.c: requests */
int ctl_open(struct ctl *);
void ctl_close(struct ctl *);
int ctl_request(struct ctl *, const char *method, const char *path,
    const json_t *body, struct reply *);
/* ctl_request() to another base URL (the metrics listener's). */
int ctl_request_at(struct ctl *, const char *base, const char *method,
    const char *path, const json_t *body, struct reply *);
int ctl_get(struct ctl *, const char *path, struct reply *);
int ctl_post(
    struct ctl *, const char *path, const json_t *body, struct reply *);
void reply_free(struct reply *);
const char *reply_error(const struct reply *, char *buf, size_t size);
int reply_unexpected(const char *path, const struct reply *);
int reply_refused(const char *what, const struct reply *);
json_t *reply_json(const char *path, const struct reply *);

/* ctl_cases.c: arguments */
#define CTL_PATH_MAX 512 /* a request path with its query */
int ctl_args_parse(const char *cmd, int argc, char **argv,
    const char *const *names, const char ***slots, size_t nnames);
int ctl_path_arg(struct ctl *, char *path, const char *name, const char *value);

/* the commands */
int cmd_status(struct ctl *, int, char **);
int cmd_cases(struct ctl *, int, char **);
int cmd_case(struct ctl *, int, char **);
int cmd_send(struct ctl *, int, char **);
int cmd_inject(struct ctl *, int, char **);
int cmd_audit(struct ctl *, int, char **);
int cmd_messages(struct ctl *, int, char **);
int cmd_message(struct ctl *, int, char **);
int cmd_requeue(struct ctl *, int, char **);
int cmd_hash_password(struct ctl *, int, char **);

#endif
