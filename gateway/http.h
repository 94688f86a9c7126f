/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTTP server: a route table over libmicrohttpd. Handlers see a complete
 * request (body already read and size-checked) and fill in a response; the
 * server answers 404, 405, 413 and 415 itself, as {"error": "..."}.
 */
#ifndef HBM_GATEWAY_HTTP_H
#define HBM_GATEWAY_HTTP_H

#include <stddef.h>

#define HTTP_PARAMS_MAX 4
#define HTTP_HEADERS_MAX 12

/* What a route accepts as a body. */
enum http_body {
	HTTP_BODY_NONE, /* any or none; not read by the handler */
	HTTP_BODY_JSON, /* application/json */
	HTTP_BODY_FORM, /* application/x-www-form-urlencoded */
};

/* A request as handlers see it; everything is borrowed for the call. */
struct http_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* "/v1/cases/48213957", no query */
	const char *query;  /* the raw query after '?', or NULL (signatures) */
	const char *route;  /* the matched pattern, "/v1/cases/{code}" */
	const char *params[HTTP_PARAMS_MAX]; /* {name} captures, in order */
	size_t nparams;
	const char *body; /* NUL-terminated; "" when none */
	size_t body_len;
	void *conn; /* libmicrohttpd's connection, for lookups */
};

/*
 * A streamed body (Server-Sent Events): called on the connection's pool
 * thread whenever it may send; copies at most MAX bytes into BUF and
 * returns how many, or 0 after http_suspend() when it has nothing now
 * (someone calls http_resume() later), or -1 to end the body. It must
 * never block.
 */
typedef long (*http_stream_cb)(void *arg, char *buf, size_t max);

/* A response; handlers set it through the http_reply_*() functions. */
struct http_response {
	int status;
	const char *content_type; /* static string */
	char *body;		  /* owned */
	size_t len;
	char *allow;		 /* owned; Allow header for 405, or NULL */
	char *set_cookie;	 /* owned; a Set-Cookie header, or NULL */
	int no_store;		 /* boolean: Cache-Control: no-store */
	const void *static_body; /* instead of body: borrowed, static */
	const char *headers[HTTP_HEADERS_MAX][2]; /* borrowed name, value */
	size_t nheaders;
	http_stream_cb stream;	     /* instead of body, or NULL */
	void *stream_arg;	     /* owned by stream_free once set */
	void (*stream_free)(void *); /* called once, when the body ends */
};

typedef void (*http_handler_cb)(
    const struct http_request *, struct http_response *);

/*
 * METHOD "*" takes any method (after the routes before it); a last PATTERN
 * segment "{*}" takes the rest of the path, slashes and "" included.
 */
struct http_route {
	const char *method;
	const char *pattern; /* literal segments and "{name}" segments */
	enum http_body body;
	http_handler_cb handler;
	const char *raw_arg; /* the one query argument that may hold a NUL
				byte (Kannel's 8-bit text), or NULL */
};

/* A URI with more query arguments than this is answered 414. */
#define HTTP_QUERY_ARGS_MAX 64

/* Defaults for the options left 0. */
#define HTTP_MAX_CONNECTIONS 1024
#define HTTP_MAX_PER_ADDRESS 64
#define HTTP_TIMEOUT 10 /* seconds */

struct http_options {
	const char *host;    /* numeric IPv4 or IPv6 address */
	int port;	     /* 0 picks a free port */
	int threads;	     /* worker threads */
	size_t max_body;     /* bytes; larger bodies get 413 */
	int max_connections; /* open at once */
	int max_per_address; /* open at once from one address */
	int timeout;	     /* seconds a connection may idle */
};

struct http_server;

/* Listen and serve ROUTES (borrowed for the server's life), or NULL. */
struct http_server *http_start(const struct http_options *,
    const struct http_route *routes, size_t nroutes, char **cause);
/* The port actually bound. */
int http_port(const struct http_server *);
/* Stop accepting; wait up to WAIT_MS for requests in flight; free. */
void http_stop(struct http_server *, int wait_ms);

/* A request header or query argument, or NULL. */
const char *http_header(const struct http_request *, const char *name);
const char *http_query(const struct http_request *, const char *name);

/* Set the response: a text body (copied), or {"error": MSG}. */
void http_reply(struct http_response *, int status, const char *content_type,
    const char *body, size_t len);
void http_reply_error(struct http_response *, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set the response to LEN static bytes (not copied; HEAD sends none). */
void http_reply_static(struct http_response *, int status,
    const char *content_type, const void *body, size_t len);
/*
 * Set the response to a body of unknown length that CB produces; FREE_CB
 * gets ARG once the connection is done with it, or at once if it never
 * starts.
 */
void http_reply_stream(struct http_response *, int status,
    const char *content_type, http_stream_cb cb, void *arg,
    void (*free_cb)(void *));
/*
 * Suspend the request on CONN (struct http_request's conn) until
 * http_resume(): only from its http_stream_cb. http_resume() may be called
 * from any thread, once for each suspension, and never after the stream's
 * free callback ran.
 */
void http_suspend(void *conn);
void http_resume(void *conn);
/* Add header NAME: VALUE, both static strings; fatal past the maximum. */
void http_header_add(
    struct http_response *, const char *name, const char *value);

#endif
