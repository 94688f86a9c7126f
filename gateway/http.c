/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only module that includes <microhttpd.h> (Debian 12: 0.9.75).
 *
 * libmicrohttpd runs a pool of worker threads; each connection stays on one
 * of them, so a handler runs on a pool thread and may keep per-thread state
 * (the Redis connection). A request is routed on its first callback, so a
 * wrong route, method, size or content type is refused before the body is
 * read; the body is collected up to http.max_body and then handed whole to
 * the handler. Each finished request is counted in the metrics.
 *
 * Memory an outsider can make us hold is bounded: connections are limited
 * in number, per client address and in idle time, and a request's state is
 * made only in the access handler, after which libmicrohttpd always calls
 * the completion callback that frees it. The URI as sent (which a Twilio
 * signature covers) is kept in the connection's own state, made when the
 * connection is accepted and freed when it closes, whether or not a
 * request on it ever reached the handler. A query with more arguments than
 * any route reads is answered 414 from the URI callback, before
 * libmicrohttpd fills its memory pool with them, and no query argument
 * with a NUL byte is handed to a handler.
 *
 * A streamed response (GET /v1/events) holds no pool thread while it has
 * nothing to send: its callback suspends the connection, and whoever has
 * news resumes it. It still counts against the connection limits.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "gateway/http.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/xmalloc.h"

#define HTTP_STR(x) HTTP_STR2(x)
#define HTTP_STR2(x) #x

struct http_server {
	struct MHD_Daemon *mhd;
	const struct http_route *routes; /* borrowed */
	size_t nroutes;
	size_t max_body;
	int port;	     /* bound port */
	atomic_int inflight; /* requests begun and not completed */
};

/* Per-connection state, from accept to close. */
struct http_conn {
	char *uri; /* owned: the last request line's URI, query included */
};

/* Per-request state, from the first callback to the completion callback. */
struct http_state {
	const struct http_route *route; /* NULL: answered early */
	struct http_request req;
	char *path_copy; /* owned: params point into it */
	char *uri;	 /* owned: the request line's URI, query included */
	int begun;	 /* boolean: routed */
	char *body;	 /* owned, grows up to max_body */
	size_t len;
	int too_large; /* body passed max_body: answer 413 */
	struct http_response resp;
	int early; /* response decided on the first callback */
};

void
http_reply(struct http_response *resp, int status, const char *content_type,
    const char *body, size_t len)
{
	free(resp->body);
	resp->status = status;
	resp->content_type = content_type;
	resp->body = xmalloc(len + 1);
	memcpy(resp->body, body, len);
	resp->body[len] = '\0';
	resp->len = len;
}

void
http_reply_error(struct http_response *resp, int status, const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	json_t *o;
	char *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = json_pack("{s:s}", "error", msg);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("http: cannot encode an error");
	http_reply(resp, status, "application/json", s, strlen(s));
	free(s);
	json_decref(o);
}

void
http_reply_static(struct http_response *resp, int status,
    const char *content_type, const void *body, size_t len)
{
	free(resp->body);
	resp->body = NULL;
	resp->status = status;
	resp->content_type = content_type;
	resp->static_body = body;
	resp->len = len;
}

void
http_reply_stream(struct http_response *resp, int status,
    const char *content_type, http_stream_cb cb, void *arg,
    void (*free_cb)(void *))
{
	free(resp->body);
	resp->body = NULL;
	resp->status = status;
	resp->content_type = content_type;
	resp->stream = cb;
	resp->stream_arg = arg;
	resp->stream_free = free_cb;
	resp->no_store = 1;
}

void
http_suspend(void *conn)
{
	MHD_suspend_connection(conn);
}

void
http_resume(void *conn)
{
	MHD_resume_connection(conn);
}

/* The stream's bytes, for libmicrohttpd; it never waits (see http.h). */
static ssize_t
http_stream_read(void *arg, uint64_t pos, char *buf, size_t max)
{
	struct http_response *resp = arg;
	long n;

	(void)pos;
	n = resp->stream(resp->stream_arg, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void
http_stream_free(void *arg)
{
	struct http_response *resp = arg;

	resp->stream_free(resp->stream_arg);
	free(resp);
}

/*
 * A response for the stream in RESP; the stream's callbacks move to a copy
 * that lives as long as the libmicrohttpd response, and RESP keeps none.
 */
static struct MHD_Response *
http_stream_response(struct http_response *resp)
{
	struct http_response *copy;
	struct MHD_Response *r;

	copy = xcalloc(1, sizeof(*copy));
	copy->stream = resp->stream;
	copy->stream_arg = resp->stream_arg;
	copy->stream_free = resp->stream_free;
	resp->stream = NULL;
	r = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, 1024, http_stream_read, copy, http_stream_free);
	if (r == NULL)
		http_stream_free(copy);
	return r;
}

void
http_header_add(struct http_response *resp, const char *name, const char *value)
{
	if (resp->nheaders == HTTP_HEADERS_MAX)
		fatalx("http: more than %d headers", HTTP_HEADERS_MAX);
	resp->headers[resp->nheaders][0] = name;
	resp->headers[resp->nheaders][1] = value;
	resp->nheaders++;
}

const char *
http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(
	    req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/*
 * Match the path in BUF (a writable copy) against PATTERN. On a match, the
 * "{name}" segments are cut out of BUF in place and pointed to by PARAMS.
 */
static int
http_match(const char *pattern, char *buf, const char **params, size_t *nparams)
{
	const char *p = pattern;
	char *s = buf, *ends[HTTP_PARAMS_MAX];
	size_t n = 0, plen, slen, i;

	while (*p != '\0' && *s != '\0') {
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		plen = strcspn(p, "/");
		slen = strcspn(s, "/");
		if (plen == 3 && memcmp(p, "{*}", 3) == 0 && p[3] == '\0') {
			if (n == HTTP_PARAMS_MAX)
				return 0;
			params[n] = s;
			slen = strlen(s);
			ends[n++] = s + slen;
		} else if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0 || n == HTTP_PARAMS_MAX)
				return 0;
			params[n] = s;
			ends[n++] = s + slen;
		} else if (plen != slen || memcmp(p, s, plen) != 0)
			return 0;
		p += plen;
		s += slen;
	}
	if (*p != '\0' || *s != '\0')
		return 0;
	for (i = 0; i < n; i++)
		*ends[i] = '\0';
	*nparams = n;
	return 1;
}

/* Find the route for METHOD and the path in ST; set 404/405 if none. */
static void
http_route(const struct http_server *srv, struct http_state *st,
    const char *method, const char *path)
{
	char allow[128] = "";
	size_t i, len;

	for (i = 0; i < srv->nroutes; i++) {
		strcpy(st->path_copy, path);
		if (!http_match(srv->routes[i].pattern, st->path_copy,
			st->req.params, &st->req.nparams))
			continue;
		if (strcmp(srv->routes[i].method, method) == 0 ||
		    strcmp(srv->routes[i].method, "*") == 0) {
			st->route = &srv->routes[i];
			return;
		}
		len = strlen(allow);
		snprintf(allow + len, sizeof(allow) - len, "%s%s",
		    len > 0 ? ", " : "", srv->routes[i].method);
	}
	if (allow[0] != '\0') {
		http_reply_error(
		    &st->resp, 405, "method %s not allowed", method);
		st->resp.allow = xstrdup(allow);
	} else
		http_reply_error(&st->resp, 404, "no such route");
	st->early = 1;
}

/* 1 when the request's Content-Type is TYPE, parameters ignored. */
static int
http_content_type_is(struct MHD_Connection *c, const char *type)
{
	const char *ct;
	size_t n = strlen(type);

	ct = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct == NULL || strncasecmp(ct, type, n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* First callback: route and refuse early what can be refused. */
static void
http_begin(const struct http_server *srv, struct http_state *st,
    struct MHD_Connection *c, const char *method, const char *path)
{
	const char *cl;
	unsigned long long len;

	st->path_copy = xmalloc(strlen(path) + 1);
	st->req.method = method;
	st->req.conn = c;
	http_route(srv, st, method, path);
	if (st->early)
		return;
	cl = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && (len = strtoull(cl, NULL, 10)) > srv->max_body) {
		http_reply_error(&st->resp, 413,
		    "body of %llu bytes exceeds the limit of %zu", len,
		    srv->max_body);
		st->early = 1;
		return;
	}
	if ((st->route->body == HTTP_BODY_JSON &&
		!http_content_type_is(c, "application/json")) ||
	    (st->route->body == HTTP_BODY_FORM &&
		!http_content_type_is(
		    c, "application/x-www-form-urlencoded"))) {
		http_reply_error(&st->resp, 415, "content type must be %s",
		    st->route->body == HTTP_BODY_JSON
			? "application/json"
			: "application/x-www-form-urlencoded");
		st->early = 1;
	}
}

/* Append an upload chunk, or note that the body is too large. */
static void
http_collect(const struct http_server *srv, struct http_state *st,
    const char *data, size_t size)
{
	if (st->too_large || st->len + size > srv->max_body) {
		st->too_large = 1;
		return;
	}
	st->body = xreallocarray(st->body, st->len + size + 1, 1);
	memcpy(st->body + st->len, data, size);
	st->len += size;
	st->body[st->len] = '\0';
}

/* The first query argument with a NUL byte, found by http_query_nul(). */
struct http_nul {
	const char *raw_arg; /* exempt, or NULL */
	char name[64];	     /* the argument's name, printable, cut */
	int found;
};

static enum MHD_Result
http_nul_cb(void *arg, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct http_nul *n = arg;
	size_t i;

	(void)kind;
	if (n->raw_arg != NULL && strlen(n->raw_arg) == key_size &&
	    memcmp(n->raw_arg, key, key_size) == 0)
		return MHD_YES;
	if (memchr(key, '\0', key_size) == NULL &&
	    (value == NULL || memchr(value, '\0', value_size) == NULL))
		return MHD_YES;
	for (i = 0; i < key_size && i < sizeof(n->name) - 1; i++)
		n->name[i] = key[i] > 0x20 && key[i] < 0x7f ? key[i] : '?';
	n->name[i] = '\0';
	n->found = 1;
	return MHD_NO;
}

/*
 * 1 after answering 400 when a query argument other than RAW_ARG holds a
 * NUL byte: handlers read arguments as C strings, and a NUL would cut a
 * token, an id or a number short.
 */
static int
http_query_nul(
    struct MHD_Connection *c, const char *raw_arg, struct http_response *resp)
{
	struct http_nul n = { raw_arg, "", 0 };

	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, http_nul_cb, &n);
	if (!n.found)
		return 0;
	http_reply_error(
	    resp, 400, "query argument %s contains a NUL byte", n.name);
	return 1;
}

static enum MHD_Result
http_send(struct MHD_Connection *c, struct http_state *st)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	if (st->resp.stream != NULL)
		r = http_stream_response(&st->resp);
	else if (st->resp.static_body != NULL)
		r = MHD_create_response_from_buffer(st->resp.len,
		    (void *)(uintptr_t)st->resp.static_body,
		    MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(
		    st->resp.len, st->resp.body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	for (i = 0; i < st->resp.nheaders; i++)
		MHD_add_response_header(
		    r, st->resp.headers[i][0], st->resp.headers[i][1]);
	MHD_add_response_header(
	    r, MHD_HTTP_HEADER_CONTENT_TYPE, st->resp.content_type);
	if (st->resp.allow != NULL)
		MHD_add_response_header(
		    r, MHD_HTTP_HEADER_ALLOW, st->resp.allow);
	if (st->resp.set_cookie != NULL)
		MHD_add_response_header(
		    r, MHD_HTTP_HEADER_SET_COOKIE, st->resp.set_cookie);
	/* API data, a session's above all, is never kept by a cache. */
	if (st->resp.no_store ||
	    strcmp(st->resp.content_type, "application/json") == 0)
		MHD_add_response_header(
		    r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(c, (unsigned)st->resp.status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
http_access_cb(void *arg, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = arg;
	struct http_state *st = *con_cls;
	const union MHD_ConnectionInfo *ci;
	struct http_conn *hc;
	const char *q;

	(void)version;
	if (st == NULL) {
		/* The request reached us: from here on the completion
		 * callback runs, whatever happens. */
		st = xcalloc(1, sizeof(*st));
		*con_cls = st;
		ci = MHD_get_connection_info(
		    c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		hc = ci != NULL ? ci->socket_context : NULL;
		if (hc != NULL && hc->uri != NULL) {
			st->uri = hc->uri;
			hc->uri = NULL;
		} else
			st->uri = xstrdup(url);
		if ((q = strchr(st->uri, '?')) != NULL)
			st->req.query = q + 1;
	}
	if (!st->begun) {
		st->begun = 1;
		atomic_fetch_add(&srv->inflight, 1);
		http_begin(srv, st, c, method, url);
		/* A refusal is queued now; the unread body is discarded. */
		return st->early ? http_send(c, st) : MHD_YES;
	}
	if (*upload_data_size > 0) {
		http_collect(srv, st, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->too_large) {
		http_reply_error(&st->resp, 413,
		    "body exceeds the limit of %zu bytes", srv->max_body);
		return http_send(c, st);
	}
	if (http_query_nul(c, st->route->raw_arg, &st->resp))
		return http_send(c, st);
	st->req.path = url;
	st->req.route = st->route->pattern;
	st->req.body = st->body != NULL ? st->body : "";
	st->req.body_len = st->len;
	st->route->handler(&st->req, &st->resp);
	if (st->resp.body == NULL && st->resp.static_body == NULL &&
	    st->resp.stream == NULL)
		http_reply_error(&st->resp, 500, "no response");
	return http_send(c, st);
}

/* The number of arguments in URI's query, counted as '&' separators. */
static size_t
http_query_args(const char *uri)
{
	const char *p = strchr(uri, '?');
	size_t n;

	if (p == NULL)
		return 0;
	for (n = 1; (p = strchr(p + 1, '&')) != NULL; n++)
		;
	return n;
}

/*
 * Answer STATUS with BODY (JSON) on C's socket, then shut it down, from the
 * URI callback: libmicrohttpd stores every query argument in the
 * connection's memory pool, and a query with more than it holds is dropped
 * with no answer and the connection left open until its timeout. Nothing
 * has been sent on this request yet, so the answer goes first; the shutdown
 * makes libmicrohttpd close the connection at its next read or write.
 */
static void
http_refuse(struct MHD_Connection *c, const char *status, const char *body)
{
	const union MHD_ConnectionInfo *ci;
	char buf[256];
	int n;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL)
		return;
	n = snprintf(buf, sizeof(buf),
	    "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    status, strlen(body), body);
	if (n > 0 && (size_t)n < sizeof(buf))
		(void)!send(ci->connect_fd, buf, (size_t)n,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(ci->connect_fd, SHUT_RDWR);
	metrics_http("other", "other", 414);
}

/*
 * The URI as it was sent, kept in the connection's state until the access
 * handler takes it: libmicrohttpd decodes the query into arguments in
 * place, and a signature over the URL (Twilio's) needs it as it was. Nothing
 * is allocated per request here, so a request that libmicrohttpd refuses
 * before the handler (headers over its memory pool) costs nothing.
 */
static void *
http_uri_cb(void *arg, const char *uri, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	struct http_conn *hc;

	(void)arg;
	if (http_query_args(uri) > HTTP_QUERY_ARGS_MAX) {
		http_refuse(c, "414 URI Too Long",
		    "{\"error\":\"more than " HTTP_STR(
			HTTP_QUERY_ARGS_MAX) " query arguments\"}");
		return NULL;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (hc = ci->socket_context) == NULL)
		return NULL;
	free(hc->uri);
	hc->uri = xstrdup(uri);
	return NULL;
}

/* A connection accepted or closed: its state is made or freed. */
static void
http_conn_cb(void *arg, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_conn *hc = *socket_context;

	(void)arg;
	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = xcalloc(1, sizeof(struct http_conn));
		return;
	}
	if (hc != NULL) {
		free(hc->uri);
		free(hc);
	}
	*socket_context = NULL;
}

static void
http_completed_cb(void *arg, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = arg;
	struct http_state *st = *con_cls;

	(void)c;
	(void)toe;
	if (st == NULL)
		return;
	if (st->resp.status != 0)
		metrics_http(st->route != NULL ? st->route->pattern : "other",
		    st->req.method, st->resp.status);
	if (st->begun)
		atomic_fetch_sub(&srv->inflight, 1);
	free(st->uri);
	free(st->path_copy);
	free(st->body);
	free(st->resp.body);
	free(st->resp.allow);
	free(st->resp.set_cookie);
	if (st->resp.stream != NULL) /* never handed to libmicrohttpd */
		st->resp.stream_free(st->resp.stream_arg);
	free(st);
	*con_cls = NULL;
}

static void http_log_cb(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/*
 * libmicrohttpd's own messages: what a client sent wrong, mostly, which
 * any outsider can repeat at will; so at most one per interval, counted.
 */
static void
http_log_cb(void *arg, const char *fmt, va_list ap)
{
	static struct log_limit limit = LOG_LIMIT_INIT;
	char msg[512];
	size_t n;

	(void)arg;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	log_warnx_limit(&limit, "http: %s", msg);
}

struct http_server *
http_start(const struct http_options *o, const struct http_route *routes,
    size_t nroutes, char **cause)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;
	/*
	 * poll(), not select() (limited to FD_SETSIZE descriptors) and not
	 * epoll: with libmicrohttpd 0.9.75's edge-triggered epoll, a request
	 * it refuses for want of memory (a query of hundreds of arguments)
	 * leaves the client waiting, with no answer, until the connection
	 * times out; under poll() the connection is closed at once. Each pool
	 * thread polls only its own connections.
	 */
	unsigned int flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)o->port);
	} else if (inet_pton(AF_INET6, o->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		xasprintf(cause, "http: %s: not a numeric address", o->host);
		return NULL;
	}
	srv = xcalloc(1, sizeof(*srv));
	srv->routes = routes;
	srv->nroutes = nroutes;
	srv->max_body = o->max_body;
	srv->mhd = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL,
	    http_access_cb, srv, MHD_OPTION_EXTERNAL_LOGGER, http_log_cb, srv,
	    MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)o->threads, MHD_OPTION_NOTIFY_COMPLETED,
	    http_completed_cb, srv, MHD_OPTION_NOTIFY_CONNECTION, http_conn_cb,
	    srv, MHD_OPTION_URI_LOG_CALLBACK, http_uri_cb, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)(o->timeout > 0 ? o->timeout : HTTP_TIMEOUT),
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)(o->max_connections > 0 ? o->max_connections
						  : HTTP_MAX_CONNECTIONS),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)(o->max_per_address > 0 ? o->max_per_address
						  : HTTP_MAX_PER_ADDRESS),
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		xasprintf(cause, "http: cannot listen on %s port %d", o->host,
		    o->port);
		free(srv);
		return NULL;
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL ? info->port : o->port;
	return srv;
}

int
http_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_stop(struct http_server *srv, int wait_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	MHD_socket fd;
	int waited;

	if (srv == NULL)
		return;
	if ((fd = MHD_quiesce_daemon(srv->mhd)) != MHD_INVALID_SOCKET)
		close(fd);
	for (waited = 0; waited < wait_ms; waited += 10) {
		if (atomic_load(&srv->inflight) == 0)
			break;
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(srv->mhd);
	free(srv);
}
