#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# GET /v1/events, the console's Server-Sent Events: 401 without a token,
# with a wrong one, a channel token or a made-up cookie; 200 with
# text/event-stream, no-store and a first "retry:" line for an agency
# token, the admin token and a console session; in a browser
# (tests/browser/events.py), the queue shows a new case without a reload,
# having read GET /v1/cases once, on the event; an SMS that makes a case
# gives every open stream "event: changed" (waited for, bounded), and
# the streams carry no number, no category id, no text of the SMS and no
# case code; an audit entry appended straight into Redis (as another
# instance sharing it would) gives an event too; past http.max_streams
# (3 here) the answer is 503 with Retry-After; a stream idle far past
# http.timeout stays open with heartbeats; Redis restarting does not end
# the streams, which see changes again after it; SIGTERM with streams open
# stops the daemon within seconds, status 0, each stream ended cleanly.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start

PW_AMINA='correct horse battery'
h_amina=$(printf '%s\n' "$PW_AMINA" | "$HBM_BUILD/hbmctl" hash-password)
{
	hbm_config_agencies | sed '/^http:/s/};$/max_streams = 3; timeout = 2; };/'
	cat <<CONF
categories = (
  { id = "food"; agencies = ["wfp"]; priority = 3;
    sms_label = "rations"; keywords = { en = ["FOOD"]; }; }
);
users = (
  { login = "amina"; name = "Amina K."; agency = "wfp"; role = "caseworker";
    password_hash = "$h_amina"; }
);
CONF
} > "$HBM_TMP/gw.conf"
hbm_check "the config sets max_streams and timeout" \
	grep -q 'max_streams = 3; timeout = 2;' "$HBM_TMP/gw.conf"
hbm_daemon_start "$HBM_TMP/gw.conf"

WFP=(-H "Authorization: Bearer $HBM_WFP_TOKEN")
ADMIN=(-H "Authorization: Bearer $HBM_ADMIN_TOKEN")

hbm_eq "no token: 401" 401 "$(hbm_status GET /v1/events -m 5)"
hbm_eq "a wrong token: 401" 401 \
	"$(hbm_status GET /v1/events -m 5 -H 'Authorization: Bearer nope')"
hbm_eq "a channel token: 401" 401 \
	"$(hbm_status GET /v1/events -m 5 -H "Authorization: Bearer $HBM_CHANNEL_TOKEN")"
hbm_eq "a made-up cookie: 401" 401 \
	"$(hbm_status GET /v1/events -m 5 -H "Cookie: hbm_session=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')")"
hbm_eq "POST: 405" 405 "$(hbm_status POST /v1/events -m 5 "${WFP[@]}")"

# A console session's cookie.
body=$(python3 -c 'import json, sys; print(json.dumps({"login": "amina", "password": sys.argv[1]}))' "$PW_AMINA")
curl -s -m 30 -D "$HBM_TMP/hs" -o /dev/null -X POST \
	-H 'Content-Type: application/json' --data-binary "$body" \
	"$HBM_URL/v1/session"
cookie=$(tr -d '\r' < "$HBM_TMP/hs" | sed -n 's/^[Ss]et-[Cc]ookie: hbm_session=\([^;]*\).*/\1/p')
hbm_match "signed in" '^[A-Za-z0-9_-]{43}$' "$cookie"

# stream N ARGS...: a stream in the background, its body in $HBM_TMP/sN,
# its curl status in $HBM_TMP/sN.rc; bounded by --max-time (MAXT, 60 s).
STREAM_PIDS=()
stream() {
	local n=$1
	shift
	(
		curl -sN --max-time "${MAXT:-60}" -D "$HBM_TMP/h$n" -o "$HBM_TMP/s$n" "$@" \
			"$HBM_URL/v1/events"
		echo $? > "$HBM_TMP/s$n.rc"
	) &
	STREAM_PIDS+=($!)
}
opened() { grep -q '^retry: ' "$HBM_TMP/s$1" 2>/dev/null; }
changes() { grep -c '^event: changed$' "$HBM_TMP/s$1" 2>/dev/null; }
has_changes() { [ "$(changes "$1")" -ge "$2" ]; }

# A stream idle far longer than http.timeout (2 s) stays open, suspended,
# and gets heartbeats (each after 15 s without an event, so one comes in
# 32 s); curl ends it at its own limit (status 28).
MAXT=32 stream 0 "${WFP[@]}"
hbm_check "a first stream is open" hbm_wait 10 opened 0

# The browser (tests/browser/events.py): the queue shows a new case
# without a reload, read once on the event, not polled.
export HBM_URL HBM_METRICS_URL HBM_CHANNEL_TOKEN PW_AMINA
hbm_browser events.py 120 5
ended() { [ -s "$HBM_TMP/s$1.rc" ]; }
hbm_check "the first stream ran until curl's limit (32 s)" hbm_wait 40 ended 0
hbm_eq "curl ended it, not the server" 28 "$(cat "$HBM_TMP/s0.rc")"
hbm_check "after a heartbeat comment" grep -qx ': keep-alive' "$HBM_TMP/s0"
# Streams whose clients left are noticed gone at their next heartbeat.
no_streams() { [ "$(hbm_metric hbmgw_event_streams)" = 0 ]; }
hbm_check "closed streams are let go" hbm_wait 25 no_streams

stream 1 "${WFP[@]}"
stream 2 "${ADMIN[@]}"
stream 3 -H "Cookie: hbm_session=$cookie"
hbm_check "the agency's stream is open" hbm_wait 10 opened 1
hbm_check "the admin's stream is open" hbm_wait 10 opened 2
hbm_check "the session's stream is open" hbm_wait 10 opened 3
hbm_eq "hbmgw_event_streams counts them" 3 "$(hbm_metric hbmgw_event_streams)"
h1=$(tr -d '\r' < "$HBM_TMP/h1")
hbm_match "200" '^HTTP/1.1 200' "$h1"
hbm_match "Content-Type: text/event-stream" '^[Cc]ontent-[Tt]ype: text/event-stream$' "$h1"
hbm_match "Cache-Control: no-store" '^[Cc]ache-[Cc]ontrol: no-store$' "$h1"
hbm_match "X-Accel-Buffering: no" '^X-Accel-Buffering: no$' "$h1"
hbm_eq "the stream opens with retry:" 'retry: 3000' "$(head -n 1 "$HBM_TMP/s1")"

# The limit: a fourth stream is refused, and says when to come back.
h4=$(curl -s -m 5 -D - -o "$HBM_TMP/b4" "${WFP[@]}" "$HBM_URL/v1/events" | tr -d '\r')
hbm_match "past max_streams: 503" '^HTTP/1.1 503' "$h4"
hbm_match "with Retry-After" '^[Rr]etry-[Aa]fter: [0-9]+$' "$h4"

# An SMS that makes a case: every stream says so, within a bounded wait.
FROM=+256701234567
n0=$(hbm_case_count)
hbm_eq "an SMS accepted" 202 "$(hbm_inbound $FROM 'FOOD for five near the river bridge' "ev-$RANDOM")"
hbm_check "the agency's stream got an event" hbm_wait 10 has_changes 1 1
hbm_check "the admin's stream got an event" hbm_wait 10 has_changes 2 1
hbm_check "the session's stream got an event" hbm_wait 10 has_changes 3 1
code=$(hbm_body GET '/v1/cases?limit=1' "${ADMIN[@]}" | hbm_jget cases.0.code)
hbm_match "the SMS made a case" '^[0-9]{4}-?[0-9]{4}$' "$code"
hbm_eq "one more case" $((n0 + 1)) "$(hbm_case_count)"

# A change written to Redis by someone else (another instance's apply
# script appends its audit entry the same way).
before=$(changes 1)
$HBM_REDIS_CLI XADD '{hbm}:audit:new' '*' ts 1 subject 00000000 \
	actor gateway action test detail x > /dev/null
hbm_check "an audit entry from elsewhere gives an event" \
	hbm_wait 10 has_changes 1 $((before + 1))

# Redis restarts (empty, on the same port): the streams stay open, the
# first read after it differs and says "changed" once, then changes are
# seen again.
before=$(changes 1)
hbm_redis_kill
hbm_redis_start
hbm_check "after Redis restarts, an event" hbm_wait 15 has_changes 1 $((before + 1))
before=$(changes 1)
$HBM_REDIS_CLI XADD '{hbm}:audit:new' '*' ts 1 subject 00000000 \
	actor gateway action test detail x > /dev/null
hbm_check "and the next change gives one too" \
	hbm_wait 10 has_changes 1 $((before + 1))

# Nothing about the case is in any stream: only the event name.
all=$(cat "$HBM_TMP/s1" "$HBM_TMP/s2" "$HBM_TMP/s3")
digits=${code//-/}
hbm_check "no phone number in the streams" fails grep -q '701234567' <<<"$all"
hbm_check "no category id" fails grep -qi 'food' <<<"$all"
hbm_check "no text of the SMS" fails grep -qiE 'river|bridge|five' <<<"$all"
hbm_check "no case code" fails grep -q "$digits\|${digits:0:4}" <<<"$all"
hbm_eq "only retry:, events, empty data and comments" "" \
	"$(grep -vE '^(retry: 3000|event: changed|data: \{\}|: keep-alive|)$' <<<"$all")"

# SIGTERM with three streams open: the daemon stops at once.
t0=$(date +%s%N)
hbm_daemon_stop TERM
t1=$(date +%s%N)
hbm_eq "SIGTERM with streams open: status 0" 0 "$HBM_RC"
ms=$(((t1 - t0) / 1000000))
hbm_check "and it took under 5 s (${ms} ms)" test "$ms" -lt 5000
for p in "${STREAM_PIDS[@]}"; do
	wait "$p"
done
hbm_eq "the streams ended cleanly (curl status 0)" "0 0 0" \
	"$(cat "$HBM_TMP/s1.rc" "$HBM_TMP/s2.rc" "$HBM_TMP/s3.rc" | tr '\n' ' ' | sed 's/ $//')"
hbm_check "the daemon logged its stop" grep -q 'stopped' "$HBM_TMP/hbmgwd.log"
hbm_done
