#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Outbound SMS through the HTTP channels, against stand-in aggregators
# (tests/tools/capture.py): POST /v1/messages and its checks, JSON and
# Kannel requests, retries, dead letters, the status and list routes,
# privacy of stored numbers, a kill -9 with messages queued (each sent
# exactly once after the restart), and Redis down.
source "$(dirname "$0")/lib.sh"
# Debug lines name each send (with a masked number).
HBM_DAEMON_FLAGS=-d
hbm_tmp_init
SINK_PIDS=()
t_cleanup() {
	local p
	for p in "${SINK_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	hbm_cleanup
}
trap t_cleanup EXIT

# Start a stand-in aggregator NAME [capture.py args]; its port is in
# $HBM_TMP/NAME.port and its requests in $HBM_TMP/NAME.log.
sink_start() {
	local name=$1
	shift
	python3 "$HBM_SRCDIR/tests/tools/capture.py" \
		--port-file "$HBM_TMP/$name.port" --log "$HBM_TMP/$name.log" "$@" &
	SINK_PIDS+=($!)
	if ! hbm_wait 10 test -s "$HBM_TMP/$name.port"; then
		echo "t_messages: capture.py $name did not start" >&2
		exit 1
	fi
}
sink_url() { echo "http://127.0.0.1:$(cat "$HBM_TMP/$1.port")$2"; }
sink_lines() { wc -l < "$HBM_TMP/$1.log"; }

AUTH="Authorization: Bearer $HBM_ADMIN_TOKEN"
JSON='Content-Type: application/json'
post() { hbm_body POST /v1/messages -H "$AUTH" -H "$JSON" --data-binary "$1"; }
post_status() { hbm_status POST /v1/messages -H "$AUTH" -H "$JSON" --data-binary "$1"; }
msg_field() { hbm_msg "$1" | hbm_jget "$2"; }

hbm_redis_start
sink_start ok
sink_start kan
sink_start flaky --fail-first 2
sink_start dead --status 500
sink_start slow
cat > "$HBM_TMP/gw.conf" <<CONF
gateway: { instance = "test"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; timeout_ms = 500; };
http: { listen = "127.0.0.1:0"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; message_days = 2; };
tokens: { admin = ["$(hbm_sha256 "$HBM_ADMIN_TOKEN")"]; };
channels = (
  { name = "agg"; type = "http"; url = "$(sink_url ok /send)"; },
  { name = "kan"; type = "http"; url = "$(sink_url kan /cgi-bin/sendsms)";
    format = "kannel"; username = "hbm"; password = "s3cr&t=1"; },
  { name = "flaky"; type = "http"; url = "$(sink_url flaky /send)"; },
  { name = "dead"; type = "http"; url = "$(sink_url dead /send)";
    retry_max_age = 1; },
  { name = "slow"; type = "http"; url = "$(sink_url slow /send)";
    max_per_minute = 60; }
);
CONF
export HBM_RETRY_BASE_MS=100
hbm_daemon_start "$HBM_TMP/gw.conf"

# --- a message through the JSON channel
body=$(post '{"to": "0700 000 101", "text": "Your code is 4821-3957"}')
id1=$(hbm_jget id <<<"$body")
hbm_match "POST /v1/messages answers an id" '^m[0-9]+$' "$id1"
hbm_eq "and 202" 202 "$(post_status '{"to": "+256700000101", "text": "second"}')"
hbm_check "the message is sent (within 5 s)" hbm_wait 5 hbm_msg_is "$id1" sent
got=$(hbm_msg "$id1")
hbm_eq "after one attempt" 1 "$(hbm_jget attempts <<<"$got")"
hbm_eq "on the first http channel" agg "$(hbm_jget channel <<<"$got")"
hbm_eq "the number is masked" "+25670****101" "$(hbm_jget to <<<"$got")"
hbm_eq "the text is shown to the admin" "Your code is 4821-3957" "$(hbm_jget text <<<"$got")"
hbm_eq "kind api" api "$(hbm_jget kind <<<"$got")"
hbm_match "times are ISO 8601 UTC" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$' \
	"$(hbm_jget updated_at <<<"$got")"
hbm_eq "no error" "" "$(hbm_jget error <<<"$got")"
req=$(python3 - "$HBM_TMP/ok.log" "$id1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    b = json.loads(r["body"])
    if b.get("id") == sys.argv[2]:
        ct = {k.lower(): v for k, v in r["headers"].items()}["content-type"]
        print(r["method"], r["path"], ct, b["to"], b["channel"], b["text"],
              sorted(b))
PY
)
hbm_eq "the aggregator got the JSON POST" \
	"POST /send application/json +256700000101 agg Your code is 4821-3957 ['channel', 'id', 'text', 'to']" "$req"

arabic='مرحبا، رمزك 4821-3957 ✓'
body=$(python3 -c 'import json,sys; print(json.dumps({"to": "+256700000101", "text": sys.argv[1]}))' "$arabic")
id2=$(post "$body" | hbm_jget id)
hbm_check "the Arabic message is sent" hbm_wait 5 hbm_msg_is "$id2" sent
got=$(python3 - "$HBM_TMP/ok.log" "$id2" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    b = json.loads(json.loads(line)["body"])
    if b.get("id") == sys.argv[2]:
        print(b["text"])
PY
)
hbm_eq "its UTF-8 text arrives intact" "$arabic" "$got"
hbm_eq "and reads back intact" "$arabic" "$(msg_field "$id2" text)"

# --- Kannel
id3=$(post '{"to": "+256700000102", "text": "Go to gate 3 & wait", "channel": "kan"}' | hbm_jget id)
hbm_check "the Kannel message is sent" hbm_wait 5 hbm_msg_is "$id3" sent
got=$(python3 - "$HBM_TMP/kan.log" <<'PY'
import json, sys, urllib.parse
r = json.loads(open(sys.argv[1], encoding="utf-8").readline())
q = urllib.parse.parse_qs(r["query"], keep_blank_values=True)
print(r["method"], r["path"], "|".join("%s=%s" % (k, q[k][0]) for k in
      ("username", "password", "to", "text", "dlr-mask")))
PY
)
hbm_eq "Kannel got the sendsms GET" \
	"GET /cgi-bin/sendsms username=hbm|password=s3cr&t=1|to=+256700000102|text=Go to gate 3 & wait|dlr-mask=31" "$got"
hbm_match "with every value encoded" 'to=%2B256700000102&text=Go%20to%20gate%203%20%26%20wait' \
	"$(head -n 1 "$HBM_TMP/kan.log")"

# --- retries and dead letters
id4=$(post '{"to": "+256700000103", "text": "retry me", "channel": "flaky"}' | hbm_jget id)
hbm_check "a message that fails twice is sent on the third attempt" hbm_wait 10 hbm_msg_is "$id4" sent
hbm_eq "attempts 3" 3 "$(msg_field "$id4" attempts)"
hbm_eq "the aggregator saw three requests" 3 "$(sink_lines flaky)"

id5=$(post '{"to": "+256700000104", "text": "doomed", "channel": "dead"}' | hbm_jget id)
hbm_check "a message that always fails is dead after retry_max_age (1 s)" hbm_wait 10 hbm_msg_is "$id5" dead
got=$(hbm_msg "$id5")
tries=$(hbm_jget attempts <<<"$got")
hbm_check "after several attempts" test "$tries" -ge 2
hbm_eq "the aggregator saw each attempt" "$tries" "$(sink_lines dead)"
hbm_eq "with the last error" "aggregator answered HTTP 500" "$(hbm_jget error <<<"$got")"
dead=$($HBM_REDIS_CLI XRANGE '{hbm}:dead' - + | tr '\n' ' ')
hbm_match "and a dead letter, expired" "msg $id5 channel dead error aggregator answered HTTP 500 reason expired" "$dead"
hbm_eq "the retry queue is empty" 0 "$($HBM_REDIS_CLI ZCARD '{hbm}:retry')"
hbm_eq "no more requests after the last attempt" "$tries" "$(sink_lines dead)"
# Records, queues and the dead letter hold no number in clear, in any form.
$HBM_REDIS_CLI CONFIG SET rdbcompression no >/dev/null
hbm_eq "SAVE" OK "$($HBM_REDIS_CLI SAVE)"
for n in 700000101 700000102 700000103 700000104 700000109; do
	for f in "+256$n" "0$n" "256$n" "0${n:0:3} ${n:3:3} ${n:6}" "0${n:0:3}-${n:3:3}-${n:6}"; do
		hbm_eq "no \"$f\" in the RDB" 0 "$(grep -aFc -- "$f" "$HBM_TMP/redis/dump.rdb")"
	done
done
rm -f "$HBM_TMP/redis/dump.rdb" # Redis restarts empty below

# --- dead letters: listed and queued again
list_ids() { python3 -c 'import json,sys; print(" ".join(m["id"] for m in json.load(sys.stdin)["messages"]))'; }
hbm_eq "GET ?status=dead lists it" "$id5" "$(hbm_body GET '/v1/messages?status=dead' -H "$AUTH" | list_ids)"
hbm_eq "?status=sent does not" "" "$(hbm_body GET '/v1/messages?status=sent&to=%2B256700000104' -H "$AUTH" | list_ids)"
hbm_eq "?status= must be a status" '{"error":"\"status\" must be queued, sent, delivered, failed or dead"}' \
	"$(hbm_body GET '/v1/messages?status=lost' -H "$AUTH")"
hbm_eq "?limit=0: 400" 400 "$(hbm_status GET '/v1/messages?limit=0' -H "$AUTH")"
hbm_eq "?limit=1001: 400" 400 "$(hbm_status GET '/v1/messages?limit=1001' -H "$AUTH")"
hbm_eq "?limit=x: 400" 400 "$(hbm_status GET '/v1/messages?limit=x' -H "$AUTH")"
hbm_eq "?before= must be an id: 400" 400 "$(hbm_status GET '/v1/messages?before=x' -H "$AUTH")"
requeue() { hbm_body POST "/v1/messages/$1/requeue" -H "$AUTH"; }
hbm_eq "a sent message is not queued again: 409" \
	"{\"error\":\"message $id1 is sent: only dead or failed messages are queued again\"}" "$(requeue "$id1")"
hbm_eq "requeue of an unknown id: 404" 404 "$(hbm_status POST /v1/messages/m999999999/requeue -H "$AUTH")"
hbm_eq "requeue of a malformed id: 404" 404 "$(hbm_status POST /v1/messages/x/requeue -H "$AUTH")"
hbm_eq "requeue without token: 401" 401 "$(hbm_status POST "/v1/messages/$id5/requeue")"
many() { hbm_body POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary "$1"; }
hbm_eq "requeue {status: dead} queues every dead letter" \
	"{\"requeued\":[\"$id5\"],\"skipped\":[]}" "$(many '{"status": "dead"}')"
more() { [ "$(sink_lines dead)" -gt "$tries" ]; }
hbm_check "it is tried again on its channel" hbm_wait 10 more
chan_dead() { hbm_body GET /v1/channels -H "$AUTH" | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin)["channels"] if c["name"] == "dead"][0]
print(c["up"], c["breaker"], c["last_error"])'; }
hbm_eq "five failures in a row: the channel is down, saying why" \
	"False open aggregator answered HTTP 500" "$(chan_dead)"
hbm_check "so the message moves to a channel that is up and is sent" hbm_wait 10 hbm_msg_is "$id5" sent
hbm_eq "on that channel" agg "$(msg_field "$id5" channel)"
hbm_eq "no attempt spent on the move" "$((tries + 2))" "$(msg_field "$id5" attempts)"
hbm_eq "now it is not queued again: 409" \
	"{\"error\":\"message $id5 is sent: only dead or failed messages are queued again\"}" "$(requeue "$id5")"
# A failed delivery report makes a message "failed" (its field dlr,
# store/lua/outbox_mark.lua): it can be queued again, and the report goes.
$HBM_REDIS_CLI HSET "{hbm}:msg:$id4" dlr failed > /dev/null
hbm_eq "a failed report shows" failed "$(hbm_jget status <<<"$(hbm_body GET "/v1/messages/$id4" -H "$AUTH")")"
hbm_eq "requeue of a failed message: queued on its channel" \
	"{\"id\":\"$id4\",\"status\":\"queued\",\"channel\":\"flaky\"}" "$(requeue "$id4")"
hbm_check "and sent again" hbm_wait 10 hbm_msg_is "$id4" sent
hbm_eq "requeue {ids} reports what it skipped" \
	"{\"requeued\":[],\"skipped\":[{\"id\":\"$id1\",\"status\":\"sent\"},{\"id\":\"m999999999\",\"status\":\"unknown\"}]}" \
	"$(many "{\"ids\": [\"$id1\", \"m999999999\"]}")"
hbm_eq "requeue needs ids or status: 400" 400 "$(hbm_status POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary '{}')"
hbm_eq "not both: 400" 400 "$(hbm_status POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary "{\"ids\": [\"$id5\"], \"status\": \"dead\"}")"
hbm_eq "status other than dead: 400" 400 "$(hbm_status POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary '{"status": "sent"}')"
hbm_eq "ids not an array: 400" 400 "$(hbm_status POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary '{"ids": "m1"}')"
hbm_eq "an empty ids: 400" 400 "$(hbm_status POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary '{"ids": []}')"
hbm_eq "a bad id: 400" '{"error":"\"ids\"[1] is not a message id"}' "$(many "{\"ids\": [\"$id5\", 5]}")"
hbm_eq "malformed JSON: 400" 400 "$(hbm_status POST /v1/messages/requeue -H "$AUTH" -H "$JSON" --data-binary '{')"
hbm_eq "requeue many without token: 401" 401 "$(hbm_status POST /v1/messages/requeue -H "$JSON" --data-binary '{"status": "dead"}')"
hbm_eq "nothing is dead now" '{"requeued":[],"skipped":[]}' "$(many '{"status": "dead"}')"

metrics=$(hbm_metrics)
hbm_match "metrics count sends" 'hbmgw_outbound_total\{channel="agg",status="sent"\} [2-9]' "$metrics"
hbm_match "metrics count retries" 'hbmgw_outbound_total\{channel="flaky",status="retried"\} 2$' "$metrics"
hbm_match "metrics count dead letters by outcome" 'hbmgw_outbound_total\{channel="dead",status="dead"\} 1$' "$metrics"
hbm_match "metrics count dead letters" 'hbmgw_outbox_dead_total\{channel="dead"\} 1$' "$metrics"
hbm_match "metrics count moves" 'hbmgw_outbound_total\{channel="dead",status="moved"\} 1$' "$metrics"
hbm_match "metrics show the channel down" 'hbmgw_channel_up\{channel="dead"\} 0$' "$metrics"
hbm_match "and the others up" 'hbmgw_channel_up\{channel="agg"\} 1$' "$metrics"
hbm_match "metrics show queue depth" 'hbmgw_outbox_depth\{channel="agg"\} 0$' "$metrics"

# --- the list of messages to a number
got=$(hbm_body GET '/v1/messages?to=0700000101' -H "$AUTH" | python3 -c '
import json, sys
print(" ".join(m["id"] for m in json.load(sys.stdin)["messages"]))')
# Ids grow with time (docs/redis.md, "Message ids"), not one by one.
read -r l1 l2 l3 <<<"$got"
hbm_eq "GET ?to= lists the messages, newest first" "$id2 $id1" "$l1 $l3"
hbm_check "the one between them is the second sent" \
	test "${l2#m}" -gt "${id1#m}" -a "${l2#m}" -lt "${id2#m}"
hbm_eq "an unused number has none" '{"messages":[],"next":null}' \
	"$(hbm_body GET '/v1/messages?to=%2B256799999999' -H "$AUTH")"
hbm_eq "?to= must be a number" 400 "$(hbm_status GET '/v1/messages?to=abc' -H "$AUTH")"
hbm_match "without ?to= every message is listed, newest first" "^$id5 .*$id2 $l2 $id1" \
	"$(hbm_body GET '/v1/messages?limit=1000' -H "$AUTH" | list_ids)"
page=$(hbm_body GET '/v1/messages?limit=1&to=0700000101' -H "$AUTH")
hbm_eq "a full page says where to go on" "$id2" "$(hbm_jget next <<<"$page")"
hbm_eq "and the next page starts after it" "$l2" \
	"$(hbm_body GET "/v1/messages?limit=1&to=0700000101&before=$id2" -H "$AUTH" | list_ids)"

# --- bad requests
ok='{"to": "+256700000101", "text": "x"}'
hbm_eq "no token: 401" 401 "$(hbm_status POST /v1/messages -H "$JSON" --data-binary "$ok")"
hbm_eq "wrong token: 401" 401 "$(hbm_status POST /v1/messages -H 'Authorization: Bearer nope' -H "$JSON" --data-binary "$ok")"
hbm_eq "GET without token: 401" 401 "$(hbm_status GET "/v1/messages/$id1")"
hbm_eq "list without token: 401" 401 "$(hbm_status GET '/v1/messages?to=0700000101')"
hbm_eq "no JSON content type: 415" 415 "$(hbm_status POST /v1/messages -H "$AUTH" -H 'Content-Type: text/plain' --data-binary "$ok")"
hbm_eq "bad number: 400" 400 "$(post_status '{"to": "hello", "text": "x"}')"
hbm_match "saying why" '^\{"error":"invalid number: .+"\}$' "$(post '{"to": "12", "text": "x"}')"
hbm_eq "missing text: 400" '{"error":"missing \"text\""}' "$(post '{"to": "+256700000101"}')"
hbm_eq "missing to: 400" '{"error":"missing \"to\""}' "$(post '{"text": "x"}')"
hbm_eq "empty text: 400" 400 "$(post_status '{"to": "+256700000101", "text": ""}')"
long=$(head -c 1601 /dev/zero | tr '\0' a)
hbm_eq "text over 1600 bytes: 400" 400 "$(post_status "{\"to\": \"+256700000101\", \"text\": \"$long\"}")"
hbm_eq "1600 bytes is fine" 202 "$(post_status "{\"to\": \"+256700000109\", \"text\": \"${long:1}\"}")"
hbm_eq "malformed JSON: 400" 400 "$(post_status '{"to": ')"
hbm_match "saying so" '"error":"malformed JSON: ' "$(post '{"to": ')"
hbm_eq "not an object: 400" '{"error":"the body must be a JSON object"}' "$(post '["+256700000101", "x"]')"
hbm_eq "number as a number: 400" '{"error":"\"to\" must be a string"}' "$(post '{"to": 256700000101, "text": "x"}')"
hbm_eq "text as an array: 400" 400 "$(post_status '{"to": "+256700000101", "text": ["x"]}')"
hbm_eq "channel as a number: 400" 400 "$(post_status '{"to": "+256700000101", "text": "x", "channel": 1}')"
hbm_eq "unknown channel: 400" '{"error":"unknown channel \"nope\""}' \
	"$(post '{"to": "+256700000101", "text": "x", "channel": "nope"}')"
hbm_eq "invalid UTF-8: 400" 400 "$(post_status $'{"to": "+256700000101", "text": "\xff"}')"
hbm_eq "NUL in text: 400" 400 "$(post_status '{"to": "+256700000101", "text": "a\u0000b"}')"
hbm_eq "unknown id: 404" 404 "$(hbm_status GET /v1/messages/m999999999 -H "$AUTH")"
hbm_eq "malformed id: 404" 404 "$(hbm_status GET /v1/messages/x1 -H "$AUTH")"

# --- privacy: Redis holds no number in clear; the log holds no text
# Every value of the message records and indexes, one per line.
stored_values() {
	local k
	$HBM_REDIS_CLI --scan --pattern '{hbm}:msg*' | while read -r k; do
		case $($HBM_REDIS_CLI TYPE "$k") in
		hash) $HBM_REDIS_CLI HGETALL "$k" ;;
		zset) $HBM_REDIS_CLI ZRANGE "$k" 0 -1 ;;
		esac
	done
}
hbm_check "the records are there" test "$(stored_values | grep -c '^api$')" -ge 1
hbm_eq "and hold no number in clear" 0 "$(stored_values | grep -c 7000001)"
hbm_eq "nor a text: texts are sealed" 0 "$(stored_values | grep -c 'Your code is\|retry me\|doomed')"
hbm_eq "records have no TTL: retention deletes them after privacy.message_days (t_retention)" \
	-1 "$($HBM_REDIS_CLI TTL "{hbm}:msg:$id1")"
hbm_check "the log holds no full number" bash -c "! grep -q '25670000010' '$HBM_TMP/hbmgwd.log'"
hbm_check "the log holds no message text" bash -c "! grep -q 'gate 3\|retry me\|doomed' '$HBM_TMP/hbmgwd.log'"
n=$(grep -c 'outbox dead: .*will retry' "$HBM_TMP/hbmgwd.log")
hbm_check "repeated failures are logged once per interval ($n lines)" \
	test "$n" -lt "$(($(sink_lines dead) - 1))"
hbm_check "the log names sends with masked numbers" grep -q "outbox agg: $id1: sent to +25670\*\*\*\*101" "$HBM_TMP/hbmgwd.log"

# --- kill -9 with messages queued: each is sent exactly once
for i in 1 2 3 4 5 6 7 8; do
	post "{\"to\": \"+25670000020$i\", \"text\": \"slow $i\", \"channel\": \"slow\"}"
	echo
done > "$HBM_TMP/slow.ids"
slow_ids=($(python3 -c '
import json, sys
print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$HBM_TMP/slow.ids"))
atleast() { [ "$(sink_lines slow)" -ge "$1" ]; }
hbm_check "the rate-limited channel starts sending" hbm_wait 5 atleast 3
hbm_wait 5 atleast 4
sleep 0.3 # between two sends: waiting for the rate limit
before=$(sink_lines slow)
hbm_daemon_stop KILL
cp "$HBM_TMP/hbmgwd.log" "$HBM_TMP/hbmgwd.1.log"
hbm_check "some were still queued at the kill" test "$before" -lt 8
hbm_eq "the unsent ones are still in the stream" $((8 - before)) \
	"$($HBM_REDIS_CLI XLEN '{hbm}:outbox:slow')"
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "after the restart all are sent (within 15 s)" hbm_wait 15 atleast 8
# A record is marked sent after the aggregator answered the send: once all
# eight read sent, every send there will be has reached the sink.
all_sent() {
	local id
	for id in "${slow_ids[@]}"; do hbm_msg_is "$id" sent || return 1; done
}
hbm_check "and all eight are recorded sent" hbm_wait 15 all_sent
hbm_eq "each exactly once" 8 "$(sink_lines slow)"
got=$(python3 - "$HBM_TMP/slow.log" <<'PY'
import json, sys
print(" ".join(sorted({json.loads(json.loads(l)["body"])["id"]
                       for l in open(sys.argv[1], encoding="utf-8")})))
PY
)
hbm_eq "the right eight" "$(printf '%s\n' "${slow_ids[@]}" | sort | tr '\n' ' ' | sed 's/ $//')" "$got"
for id in "${slow_ids[@]}"; do
	s=$(hbm_msg "$id")
	[ "$(hbm_jget status <<<"$s")/$(hbm_jget attempts <<<"$s")" = sent/1 ] || echo "# $id: $s"
done > "$HBM_TMP/slow.bad"
hbm_check "every one recorded sent after one attempt" test ! -s "$HBM_TMP/slow.bad"
hbm_check "the restarted daemon re-read its pending entries" \
	grep -q 'outbox slow: .*: sent to' "$HBM_TMP/hbmgwd.log"

# --- an entry a dead instance ("ghost") held for a minute is claimed
$HBM_REDIS_CLI EVAL "redis.call('HSET', KEYS[2], unpack(redis.call('HGETALL', KEYS[1])))
	redis.call('HSET', KEYS[2], 'status', 'queued', 'attempts', '0', 'text', 'claimed')
	return redis.call('EXPIRE', KEYS[2], 600)" 2 "{hbm}:msg:$id1" '{hbm}:msg:m900000' > /dev/null
printf '%s\n' MULTI 'XADD {hbm}:outbox:agg * msg m900000' \
	'XREADGROUP GROUP send ghost COUNT 10 STREAMS {hbm}:outbox:agg >' EXEC |
	$HBM_REDIS_CLI > /dev/null
eid=$($HBM_REDIS_CLI XPENDING '{hbm}:outbox:agg' send - + 10 ghost | head -n 1)
$HBM_REDIS_CLI XCLAIM '{hbm}:outbox:agg' send ghost 0 "$eid" IDLE 60000 JUSTID > /dev/null
hbm_check "a stale entry of another instance is claimed and sent (within 15 s)" \
	hbm_wait 15 hbm_msg_is m900000 sent
# "ghost" holds no lease: the takeover of dead instances or the claim of
# stale entries, whichever comes first, takes it.
hbm_match "the log says so" 'outbox agg: claimed 1 stale entries|took 1 pending entries of ghost, whose instance has no lease' \
	"$(cat "$HBM_TMP/hbmgwd.log")"
hbm_eq "the ghost holds nothing" 0 "$($HBM_REDIS_CLI XPENDING '{hbm}:outbox:agg' send | head -n 1)"

# --- Redis down, and back
log_at_kill=$(wc -l < "$HBM_TMP/hbmgwd.log")
hbm_redis_kill
hbm_eq "POST with Redis down: 503" 503 "$(post_status "$ok")"
hbm_match "saying why" '^\{"error":"redis: ' "$(post "$ok")"
hbm_eq "GET with Redis down: 503" 503 "$(hbm_status GET "/v1/messages/$id1" -H "$AUTH")"
# The lease heartbeat (every 2 s) logs its first failure: the daemon's
# own threads have met the outage, not only this request.
outage_seen() { tail -n +"$((log_at_kill + 1))" "$HBM_TMP/hbmgwd.log" | grep -q 'lease: '; }
hbm_check "the daemon's threads meet the outage" hbm_wait 10 outage_seen
hbm_check "the daemon lives on" kill -0 "$HBM_DAEMON_PID"
hbm_redis_start # the same port, empty
# The id of the first message accepted once Redis is back, in id6.
accepted() { id6=$(post "$ok" | hbm_jget id) && [ -n "$id6" ]; }
hbm_check "POST works again once Redis is back" hbm_wait 10 accepted
hbm_check "and the senders resume (within 10 s)" hbm_wait 10 hbm_msg_is "$id6" sent
hbm_redis_kill
t0=$(date +%s%N)
hbm_daemon_stop TERM
t1=$(date +%s%N)
hbm_eq "SIGTERM with Redis down exits 0" 0 "$HBM_RC"
hbm_check "within 6 s" test $(((t1 - t0) / 1000000)) -lt 6000
hbm_check "the senders stopped" grep -q 'outbox agg: sender stopped' "$HBM_TMP/hbmgwd.log"
hbm_done
