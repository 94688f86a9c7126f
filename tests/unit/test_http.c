/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c: the real libmicrohttpd server on a loopback port, driven by
 * libcurl. Routing, captures, the server's own 404/405/413/415 answers, body
 * delivery, and the request metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "gateway/http.h"
#include "lib/metrics.h"

#define TEST_MAX_BODY 1024

struct test_answer {
	long status;
	char body[4096];
	size_t len;
	char allow[128];
	char xtest[64]; /* the X-Test header */
};

static void
echo_cb(const struct http_request *req, struct http_response *resp)
{
	char buf[2048];
	const char *q = http_query(req, "q");

	snprintf(buf, sizeof(buf), "%s %s %s params=%zu p0=%s q=%s len=%zu",
	    req->method, req->route, req->path, req->nparams,
	    req->nparams > 0 ? req->params[0] : "-", q != NULL ? q : "-",
	    req->body_len);
	http_reply(resp, 200, "text/plain", buf, strlen(buf));
}

static void
body_cb(const struct http_request *req, struct http_response *resp)
{
	http_reply(
	    resp, 201, "application/octet-stream", req->body, req->body_len);
}

static void
static_cb(const struct http_request *req, struct http_response *resp)
{
	static const char text[] = "static bytes";

	http_header_add(resp, "X-Test", req->params[0]);
	http_reply_static(resp, 200, "text/plain", text, sizeof(text) - 1);
}

static const struct http_route test_routes[] = {
	{ "GET", "/files/{*}", HTTP_BODY_NONE, static_cb, NULL },
	{ "*", "/files/{*}", HTTP_BODY_NONE, echo_cb, NULL },
	{ "GET", "/things/{id}", HTTP_BODY_NONE, echo_cb, NULL },
	{ "GET", "/things/{id}/parts/{part}", HTTP_BODY_NONE, echo_cb, NULL },
	{ "DELETE", "/things/{id}", HTTP_BODY_NONE, echo_cb, NULL },
	{ "POST", "/json", HTTP_BODY_JSON, body_cb, NULL },
	{ "POST", "/form", HTTP_BODY_FORM, body_cb, NULL },
	{ "GET", "/", HTTP_BODY_NONE, echo_cb, NULL },
	{ "GET", "/raw", HTTP_BODY_NONE, echo_cb, "raw" },
};

static struct http_server *test_srv;

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct test_answer *a = arg;
	size_t len = size * n;

	if (a->len + len >= sizeof(a->body))
		len = sizeof(a->body) - a->len - 1;
	memcpy(a->body + a->len, data, len);
	a->len += len;
	a->body[a->len] = '\0';
	return size * n;
}

static size_t
header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct test_answer *a = arg;
	size_t len = size * n;

	if (len > 7 && strncasecmp(data, "Allow: ", 7) == 0 &&
	    len - 7 < sizeof(a->allow)) {
		memcpy(a->allow, data + 7, len - 7);
		a->allow[strcspn(a->allow, "\r\n")] = '\0';
	}
	if (len > 8 && strncasecmp(data, "X-Test: ", 8) == 0 &&
	    len - 8 < sizeof(a->xtest)) {
		memcpy(a->xtest, data + 8, len - 8);
		a->xtest[strcspn(a->xtest, "\r\n")] = '\0';
	}
	return size * n;
}

/* Perform METHOD PATH with an optional body and content type. */
static void
request(struct test_answer *a, const char *method, const char *path,
    const char *ctype, const char *body, size_t len, int chunked)
{
	struct curl_slist *h = NULL;
	char url[256], hdr[128];
	CURL *c;

	memset(a, 0, sizeof(*a));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", http_port(test_srv),
	    path);
	c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (ctype != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
		h = curl_slist_append(h, hdr);
	}
	if (chunked)
		h = curl_slist_append(h, "Transfer-Encoding: chunked");
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (!chunked)
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
}

static int
setup(void **state)
{
	struct http_options o = { "127.0.0.1", 0, 2, TEST_MAX_BODY, 0, 0, 0 };
	char *cause = NULL;

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_srv = http_start(&o, test_routes,
	    sizeof(test_routes) / sizeof(test_routes[0]), &cause);
	if (test_srv == NULL) {
		print_error("%s\n", cause);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	http_stop(test_srv, 1000);
	curl_global_cleanup();
	metrics_reset();
	return 0;
}

static void
test_captures(void **state)
{
	struct test_answer a;

	(void)state;
	request(&a, "GET", "/things/42?q=x%20y", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	assert_string_equal(
	    a.body, "GET /things/{id} /things/42 params=1 p0=42 q=x y len=0");
	request(&a, "GET", "/things/7/parts/9", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "/things/{id}/parts/{part} "));
	assert_non_null(strstr(a.body, "params=2 p0=7"));
	request(&a, "GET", "/", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
}

/* "{*}" takes the rest of the path; "*" any method; static bodies, headers. */
static void
test_rest_and_any_method(void **state)
{
	struct test_answer a;

	(void)state;
	request(&a, "GET", "/files/", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "static bytes");
	assert_string_equal(a.xtest, "");
	request(&a, "GET", "/files/a/b.js", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.xtest, "a/b.js");
	request(&a, "PUT", "/files/x", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	assert_string_equal(
	    a.body, "PUT /files/{*} /files/x params=1 p0=x q=- len=0");
	request(&a, "GET", "/files", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 404);
}

static void
test_not_found(void **state)
{
	static const char *paths[] = { "/nothing", "/things", "/things/",
		"/things/1/", "/things/1/parts", "/json/x", "//" };
	struct test_answer a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		request(&a, "GET", paths[i], NULL, NULL, 0, 0);
		assert_int_equal(a.status, 404);
		assert_string_equal(a.body, "{\"error\":\"no such route\"}");
	}
}

static void
test_method_not_allowed(void **state)
{
	struct test_answer a;

	(void)state;
	request(&a, "PUT", "/things/1", "application/json", "{}", 2, 0);
	assert_int_equal(a.status, 405);
	assert_string_equal(a.allow, "GET, DELETE");
	assert_string_equal(a.body, "{\"error\":\"method PUT not allowed\"}");
	request(&a, "GET", "/json", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 405);
	assert_string_equal(a.allow, "POST");
}

static void
test_body_delivered(void **state)
{
	char body[TEST_MAX_BODY];
	struct test_answer a;

	(void)state;
	request(&a, "POST", "/json", "application/json; charset=utf-8",
	    "{\"a\":1}", 7, 0);
	assert_int_equal(a.status, 201);
	assert_string_equal(a.body, "{\"a\":1}");
	/* Exactly the limit is fine, chunked or not. */
	memset(body, 'x', sizeof(body));
	request(&a, "POST", "/form", "application/x-www-form-urlencoded", body,
	    sizeof(body), 0);
	assert_int_equal(a.status, 201);
	assert_int_equal(a.len, sizeof(body));
}

static void
test_too_large(void **state)
{
	char body[TEST_MAX_BODY + 2];
	struct test_answer a;

	(void)state;
	memset(body, 'x', sizeof(body));
	body[sizeof(body) - 1] = '\0';
	request(&a, "POST", "/json", "application/json", body,
	    TEST_MAX_BODY + 1, 0);
	assert_int_equal(a.status, 413);
	assert_non_null(strstr(a.body, "\"error\""));
	/* Without Content-Length the limit is found while reading. */
	request(&a, "POST", "/json", "application/json", body, 0, 1);
	assert_int_equal(a.status, 413);
	assert_non_null(strstr(a.body, "exceeds the limit of 1024"));
}

static void
test_wrong_content_type(void **state)
{
	struct test_answer a;

	(void)state;
	request(&a, "POST", "/json", "text/plain", "{}", 2, 0);
	assert_int_equal(a.status, 415);
	assert_string_equal(
	    a.body, "{\"error\":\"content type must be application/json\"}");
	request(&a, "POST", "/json", NULL, "{}", 2, 0);
	assert_int_equal(a.status, 415);
	request(&a, "POST", "/json", "application/jsonx", "{}", 2, 0);
	assert_int_equal(a.status, 415);
	request(&a, "POST", "/form", "application/json", "a=b", 3, 0);
	assert_int_equal(a.status, 415);
}

static void
test_counted_in_metrics(void **state)
{
	const char *labels = "route=\"/things/{id}\",method=\"DELETE\","
			     "status=\"200\"";
	double before = metrics_get("hbmgw_http_requests_total", labels);
	struct test_answer a;

	(void)state;
	request(&a, "DELETE", "/things/5", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	/* The completion callback may run just after the answer is read. */
	for (int i = 0; i < 100; i++) {
		if (metrics_get("hbmgw_http_requests_total", labels) > before)
			break;
		usleep(10000);
	}
	assert_true(
	    metrics_get("hbmgw_http_requests_total", labels) == before + 1);
}

/* A NUL in a query argument is refused before the handler runs. */
static void
test_query_nul(void **state)
{
	struct test_answer a;

	(void)state;
	request(&a, "GET", "/things/42?q=a%00b", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 400);
	assert_string_equal(
	    a.body, "{\"error\":\"query argument q contains a NUL byte\"}");
	request(&a, "GET", "/things/42?x%00y=1", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 400);
	assert_string_equal(
	    a.body, "{\"error\":\"query argument x?y contains a NUL byte\"}");
	/* The route's raw argument may hold one; the others may not. */
	request(&a, "GET", "/raw?raw=%00a", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	request(&a, "GET", "/raw?raw=%00a&q=%00", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 400);
	request(&a, "GET", "/things/42?q=ab", NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
}

/* More query arguments than any route reads: 414, and a closed socket. */
static void
test_query_too_many(void **state)
{
	struct test_answer a;
	char path[512];
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(path, sizeof(path), "/things/42?q=1");
	for (i = 1; i < 64; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "&a");
	request(&a, "GET", path, NULL, NULL, 0, 0);
	assert_int_equal(a.status, 200);
	snprintf(path + n, sizeof(path) - n, "&a");
	request(&a, "GET", path, NULL, NULL, 0, 0);
	assert_int_equal(a.status, 414);
	assert_string_equal(
	    a.body, "{\"error\":\"more than 64 query arguments\"}");
}

static void
test_bad_listen_address(void **state)
{
	struct http_options o = { "localhost", 0, 1, 1024, 0, 0, 0 };
	char *cause = NULL;

	(void)state;
	assert_null(http_start(&o, test_routes, 1, &cause));
	assert_string_equal(cause, "http: localhost: not a numeric address");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_query_nul),
		cmocka_unit_test(test_query_too_many),
		cmocka_unit_test(test_rest_and_any_method),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_body_delivered),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_wrong_content_type),
		cmocka_unit_test(test_counted_in_metrics),
		cmocka_unit_test(test_bad_listen_address),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
