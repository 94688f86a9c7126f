/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the JSON request bodies (gateway/api.c): any bytes
 * as the body of a POST through api_json_object(), the decoder the message,
 * requeue, inbound and delivery-report routes share. Promises: either an
 * object and no reply, or NULL and a 400 reply whose body is itself a JSON
 * object with a string "error" (so a bad body can never stop the daemon
 * through fatalx() in http_reply_error()); an object dumps and loads back
 * equal, and a duplicate key is refused.
 *
 * `make check` replays tests/fuzz/corpus/json/ through tests/fuzz/driver.c;
 * `make fuzz` runs it under libFuzzer (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/api.h"
#include "gateway/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct http_response resp;
	json_t *o, *back, *err;
	char *body, *s;

	if ((body = malloc(size + 1)) == NULL)
		abort();
	memcpy(body, data, size);
	body[size] = '\0';
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = "POST";
	req.path = req.route = "/v1/messages";
	req.body = body;
	req.body_len = size;

	if ((o = api_json_object(&req, &resp)) == NULL) {
		if (resp.status != 400 || resp.body == NULL ||
		    (err = json_loadb(resp.body, resp.len, 0, NULL)) == NULL)
			abort();
		if (!json_is_object(err) ||
		    !json_is_string(json_object_get(err, "error")))
			abort();
		json_decref(err);
	} else {
		if (!json_is_object(o) || resp.status != 0 || resp.body != NULL)
			abort();
		if ((s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY)) ==
			NULL ||
		    (back = json_loads(s, JSON_REJECT_DUPLICATES, NULL)) ==
			NULL ||
		    !json_equal(o, back))
			abort();
		json_decref(back);
		free(s);
		json_decref(o);
	}
	free(resp.body);
	free(resp.allow);
	free(body);
	return 0;
}
