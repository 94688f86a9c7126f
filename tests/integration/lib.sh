# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the integration scenarios (sourced, not run). Starts throwaway
# redis-server and hbmgwd processes on loopback, in a temporary directory
# that is removed, with every process, on any exit.
#
# Scenario shape:
#   source "$(dirname "$0")/lib.sh"
#   hbm_tmp_init; hbm_redis_start; hbm_config > "$HBM_TMP/gw.conf"
#   hbm_daemon_start "$HBM_TMP/gw.conf"
#   hbm_check "ready" test "$(hbm_status GET /readyz)" = 200
#   hbm_done

HBM_BUILD=${HBM_BUILD:-$(pwd)/build}
HBM_SRCDIR=${HBM_SRCDIR:-$(pwd)}
HBM_FAILS=0
HBM_CHECKS=0
HBM_REDIS_PID=""
HBM_DAEMON_PID=""
HBM_CAPTURE_PID=""
HBM_SIM_PIDS=()

hbm_cleanup() {
	local p
	for p in "${HBM_SIM_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	HBM_SIM_PIDS=()
	[ -n "$HBM_DAEMON_PID" ] && kill -KILL "$HBM_DAEMON_PID" 2>/dev/null
	[ -n "$HBM_REDIS_PID" ] && kill -KILL "$HBM_REDIS_PID" 2>/dev/null
	[ -n "$HBM_CAPTURE_PID" ] && kill -KILL "$HBM_CAPTURE_PID" 2>/dev/null
	wait 2>/dev/null
	HBM_DAEMON_PID=""
	HBM_REDIS_PID=""
	HBM_CAPTURE_PID=""
	[ -n "${HBM_TMP:-}" ] && rm -rf "$HBM_TMP"
	HBM_TMP=""
}

hbm_tmp_init() {
	HBM_TMP=$(mktemp -d /tmp/hbm-it.XXXXXX)
	trap hbm_cleanup EXIT
	trap 'exit 130' INT TERM
}

# hbm_free_port, hbm_wait
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib.sh"

# Start redis-server on a free loopback port ("tcp", the default) or on a
# unix socket in HBM_TMP ("unix"). Sets HBM_REDIS_URL and HBM_REDIS_CLI.
hbm_redis_start() {
	local mode=${1:-tcp} try
	mkdir -p "$HBM_TMP/redis"
	for try in 1 2 3 4 5; do
		if [ "$mode" = unix ]; then
			HBM_REDIS_SOCKET="$HBM_TMP/redis.sock"
			HBM_REDIS_URL="unix://$HBM_REDIS_SOCKET"
			HBM_REDIS_CLI="redis-cli -s $HBM_REDIS_SOCKET"
			redis-server --port 0 --unixsocket "$HBM_REDIS_SOCKET" \
				--dir "$HBM_TMP/redis" --save '' --appendonly no \
				--logfile "$HBM_TMP/redis/log" &
		else
			HBM_REDIS_PORT=${HBM_REDIS_PORT:-$(hbm_free_port)}
			HBM_REDIS_URL="tcp://127.0.0.1:$HBM_REDIS_PORT"
			HBM_REDIS_CLI="redis-cli -h 127.0.0.1 -p $HBM_REDIS_PORT"
			redis-server --port "$HBM_REDIS_PORT" --bind 127.0.0.1 \
				--dir "$HBM_TMP/redis" --save '' --appendonly no \
				--logfile "$HBM_TMP/redis/log" &
		fi
		HBM_REDIS_PID=$!
		if hbm_wait 5 $HBM_REDIS_CLI ping; then
			return 0
		fi
		kill -KILL "$HBM_REDIS_PID" 2>/dev/null
		wait "$HBM_REDIS_PID" 2>/dev/null
		HBM_REDIS_PID=""
		[ "$mode" = unix ] || HBM_REDIS_PORT=""
	done
	echo "lib: redis-server did not start" >&2
	cat "$HBM_TMP/redis/log" >&2
	exit 1
}

# Stop Redis the hard way (a crash, as far as clients can tell).
hbm_redis_kill() {
	kill -KILL "$HBM_REDIS_PID" 2>/dev/null
	wait "$HBM_REDIS_PID" 2>/dev/null
	HBM_REDIS_PID=""
}

HBM_ADMIN_TOKEN=test-admin-token
HBM_CHANNEL_TOKEN=test-channel-token

hbm_sha256() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# A privacy key in HBM_TMP (made once); echoes its path.
hbm_key() {
	if [ ! -s "$HBM_TMP/key" ]; then
		# Private from the first byte: hbmgwd refuses anything looser.
		(umask 077 && head -c 32 /dev/urandom > "$HBM_TMP/key")
		chmod 600 "$HBM_TMP/key"
	fi
	echo "$HBM_TMP/key"
}

# A minimal valid configuration on stdout (with a privacy key and the test
# admin and channel tokens); extra text is appended.
hbm_config() {
	cat <<CONF
gateway: { instance = "test"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; timeout_ms = 500; };
http: { listen = "127.0.0.1:0"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; };
tokens: { admin = ["$(hbm_sha256 $HBM_ADMIN_TOKEN)"];
          channels = ["$(hbm_sha256 $HBM_CHANNEL_TOKEN)"]; };
channels = ( { name = "agg"; type = "http"; url = "http://127.0.0.1:9/send"; } );
CONF
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}

# hbm_config with the capture server (hbm_capture_start) as channel "agg"
# in JSON and two agencies with API tokens: wfp (+256700000101,
# HBM_WFP_TOKEN) and redcross (+256700000102, HBM_RC_TOKEN). Categories
# and the rest are for the caller to append.
HBM_WFP_TOKEN=test-wfp-token
HBM_RC_TOKEN=test-redcross-token
hbm_config_agencies() {
	hbm_config | grep -v '^channels'
	cat <<CONF
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = (
  { id = "wfp"; name = "WFP"; phones = ["+256700000101"];
    token_sha256 = "$(hbm_sha256 $HBM_WFP_TOKEN)"; },
  { id = "redcross"; name = "Red Cross"; phones = ["+256700000102"];
    token_sha256 = "$(hbm_sha256 $HBM_RC_TOKEN)"; }
);
CONF
}

# Field F of the JSON on stdin, F a path like channels.0.up; "" when it is
# missing or null, true and false in lower case.
hbm_jget() {
	python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    try:
        v = v[int(k)] if isinstance(v, list) else v.get(k)
    except (IndexError, ValueError, AttributeError):
        v = None
    if v is None:
        break
print("" if v is None else (str(v).lower() if isinstance(v, bool) else v))' "$1"
}

# The record of message ID (GET /v1/messages/ID, admin token), and whether
# its status is STATUS: hbm_msg_is ID STATUS.
hbm_msg() { hbm_body GET "/v1/messages/$1" -H "Authorization: Bearer $HBM_ADMIN_TOKEN"; }
hbm_msg_is() { [ "$(hbm_msg "$1" | hbm_jget status)" = "$2" ]; }

# Start simulated AT modem NAME (tests/tools/atsim) [atsim options]: its
# pty linked at $HBM_TMP/NAME.tty, control socket NAME.ctl, message log
# NAME.log; stopped by hbm_cleanup.
hbm_sim_start() {
	local name=$1
	shift
	"$HBM_BUILD/tests/atsim" --link "$HBM_TMP/$name.tty" \
		--control "$HBM_TMP/$name.ctl" --log "$HBM_TMP/$name.log" \
		"$@" 2>> "$HBM_TMP/$name.err" &
	HBM_SIM_PIDS+=($!)
	if ! hbm_wait 10 test -S "$HBM_TMP/$name.ctl"; then
		echo "lib: atsim $name did not start" >&2
		cat "$HBM_TMP/$name.err" >&2
		exit 1
	fi
}

# Send control command CMD to simulated modem NAME: hbm_sim NAME CMD.
hbm_sim() { "$HBM_BUILD/tests/atsim" --send "$HBM_TMP/$1.ctl" "$2"; }

# Start hbmgwd with config FILE (and HBM_DAEMON_FLAGS, e.g. -d); sets
# HBM_URL and HBM_METRICS_URL once it listens on both (the metrics listener
# starts last).
hbm_daemon_start() {
	local conf=$1
	: > "$HBM_TMP/hbmgwd.log"
	# shellcheck disable=SC2086
	"$HBM_BUILD/hbmgwd" ${HBM_DAEMON_FLAGS:-} -c "$conf" 2>> "$HBM_TMP/hbmgwd.log" &
	HBM_DAEMON_PID=$!
	if ! hbm_wait 10 grep -q 'metrics: listening on' "$HBM_TMP/hbmgwd.log"; then
		echo "lib: hbmgwd did not start" >&2
		cat "$HBM_TMP/hbmgwd.log" >&2
		exit 1
	fi
	HBM_URL=$(hbm_listen_url http "$HBM_TMP/hbmgwd.log")
	HBM_METRICS_URL=$(hbm_listen_url metrics "$HBM_TMP/hbmgwd.log")
}

# The loopback URL of listener NAME (http, metrics) from the last
# "NAME: listening on ADDRESS:PORT" line of hbmgwd's LOG.
hbm_listen_url() {
	echo "http://127.0.0.1:$(sed -n "s/.*$1: listening on .*:\([0-9]*\)\$/\1/p" "$2" | tail -n 1)"
}

# Wait (at most 20 s) until every inbox entry is read and acknowledged: a
# message then has had all its effects, the SMS it causes among them
# queued, so that "nothing was sent" can be told. No entry is left past
# the group's last-delivered-id (a repeat's entry, deleted as it is added,
# moves the stream's last-generated-id but is never delivered).
hbm_inbox_settled() {
	settled() {
		local group last
		group=$($HBM_REDIS_CLI XINFO GROUPS '{hbm}:inbox')
		last=$(sed -n '/^last-delivered-id$/{n;p}' <<<"$group")
		[ -n "$last" ] &&
			[ -z "$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' "($last" + COUNT 1)" ] &&
			[ "$(sed -n '/^pending$/{n;p}' <<<"$group")" = 0 ]
	}
	hbm_wait 20 settled
}

# The SMS queued to NUMBER: its message records (GET /v1/messages?to=,
# admin token), sent or not. A reply is recorded in the same step as the
# input that causes it, so once that input is handled (hbm_inbox_settled,
# an API call's answer) this is what the gateway decided, however slow its
# senders are; hbm_sent_count is what the aggregator got so far. Fails
# (printing nothing) when the API does not answer with a list.
hbm_queued_count() {
	hbm_body GET "/v1/messages?to=%2B${1#+}&limit=1000" \
		-H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)["messages"]))' 2>/dev/null
}
# Their texts, one a line (numbers in them masked).
hbm_queued_texts() {
	hbm_body GET "/v1/messages?to=%2B${1#+}&limit=1000" \
		-H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c '
import json, sys
for m in json.load(sys.stdin)["messages"]:
    print(m.get("text", "").replace("\n", " "))' 2>/dev/null
}
# The id of the newest message record, "" when there is none: it moves
# whenever anything is queued to anyone.
hbm_last_msg_id() {
	hbm_body GET "/v1/messages?limit=1" -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		hbm_jget messages.0.id
}

# Case CODE as the admin sees it (GET /v1/cases/CODE; CODE with or
# without its dash), field F of it (hbm_case_field CODE F), and whether
# its status is STATUS (hbm_case_is CODE STATUS).
hbm_case() { hbm_body GET "/v1/cases/$1" -H "Authorization: Bearer $HBM_ADMIN_TOKEN"; }
hbm_case_field() { hbm_case "$1" | hbm_jget "$2"; }
hbm_case_is() { [ "$(hbm_case_field "$1" status)" = "$2" ]; }

# How many entries case CODE's history has, its SMS aside, or how many of
# them are WHAT (acknowledged, renotified, sms...): hbm_case_hist CODE [WHAT].
hbm_case_hist() {
	hbm_case "$1" | python3 -c '
import json, sys
h = json.load(sys.stdin)["history"]
print(sum(e["what"] != "sms" for e in h) if len(sys.argv) < 2 else sum(e["what"] == sys.argv[1] for e in h))' ${2:+"$2"}
}

# Case CODE's history as Redis holds it: the fields h<n> of its hash, in
# the order of <n>, one a line (docs/redis.md).
hbm_case_hist_raw() {
	$HBM_REDIS_CLI --raw HGETALL "{hbm}:case:$1" | python3 -c '
import re, sys
v = sys.stdin.read().split("\n")
h = [(int(v[i][1:]), v[i + 1]) for i in range(0, len(v) - 1, 2)
     if re.fullmatch(r"h[0-9]+", v[i])]
for _, e in sorted(h):
    print(e)'
}

# How many cases there are (GET /v1/cases, admin token, the first 200).
hbm_case_count() {
	hbm_body GET "/v1/cases?limit=200" -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)["cases"]))' 2>/dev/null
}

# The value of the metric series SERIES, written as /metrics has it
# ('hbmgw_inbox_processed_total', 'hbmgw_x_total{reason="y"}'); 0 when
# absent.
hbm_metric() {
	hbm_metrics | awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'
}

# Wait (at most SECONDS) until hbm_metric SERIES is N or more:
# hbm_metric_reaches SECONDS SERIES N. The positive signal an absence
# check waits for: the daemon counted the input as handled.
hbm_metric_reaches() {
	local limit=$1
	shift
	_hbm_metric_at_least() { awk -v v="$(hbm_metric "$1")" -v n="$2" 'BEGIN { exit !(v >= n) }'; }
	hbm_wait "$limit" _hbm_metric_at_least "$@"
}

# Send SIG to the daemon and wait for it to exit; its status is in HBM_RC.
# (Not in a command substitution: only this shell can wait for it.)
hbm_daemon_stop() {
	local sig=${1:-TERM}
	kill -"$sig" "$HBM_DAEMON_PID"
	wait "$HBM_DAEMON_PID"
	HBM_RC=$?
	HBM_DAEMON_PID=""
}

# The HTTP status of METHOD PATH [curl args...].
hbm_status() {
	local method=$1 path=$2
	shift 2
	curl -s -m 30 -o /dev/null -w '%{http_code}' -X "$method" "$@" "$HBM_URL$path"
}

# The body of METHOD PATH [curl args...].
hbm_body() {
	local method=$1 path=$2
	shift 2
	curl -s -m 30 -X "$method" "$@" "$HBM_URL$path"
}

# The Prometheus text of the metrics listener.
hbm_metrics() { curl -s -m 30 "$HBM_METRICS_URL/metrics"; }

# One check: hbm_check "what" CMD... passes when CMD succeeds.
hbm_check() {
	local what=$1
	shift
	HBM_CHECKS=$((HBM_CHECKS + 1))
	if "$@"; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		HBM_FAILS=$((HBM_FAILS + 1))
	fi
}

# Succeeds when CMD fails: hbm_check "what" fails CMD...
fails() { ! "$@"; }

# hbm_eq "what" EXPECTED ACTUAL
hbm_eq() {
	HBM_CHECKS=$((HBM_CHECKS + 1))
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: expected [$2], got [$3]"
		HBM_FAILS=$((HBM_FAILS + 1))
	fi
}

# hbm_match "what" REGEX TEXT
hbm_match() {
	HBM_CHECKS=$((HBM_CHECKS + 1))
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		echo "ok - $1"
	else
		echo "not ok - $1: [$3] does not match /$2/"
		HBM_FAILS=$((HBM_FAILS + 1))
	fi
}

# End a scenario: exit 0 when every check passed and at least one ran.
# hbm_browser SCRIPT SECONDS MIN: run tests/browser/SCRIPT with Debian's
# Python (its selenium) for at most SECONDS, screenshots in
# $HBM_BUILD/screenshots; its "ok -" and "not ok" lines count as checks of
# this test, and it must end well and print at least MIN "ok" lines. The
# caller exports what the script reads (HBM_URL, passwords...).
hbm_browser() {
	local script=$1 seconds=$2 min=$3 rc oks nots
	export HBM_SCREENSHOTS="$HBM_BUILD/screenshots"
	mkdir -p "$HBM_SCREENSHOTS"
	if ! command -v chromium > /dev/null ||
	    ! command -v chromedriver > /dev/null; then
		hbm_check "chromium and chromedriver are installed (apt-get install chromium chromium-driver python3-selenium)" false
		return
	fi
	timeout "$seconds" /usr/bin/python3 \
		"$HBM_SRCDIR/tests/browser/$script" > "$HBM_TMP/browser.log" 2>&1
	rc=$?
	cat "$HBM_TMP/browser.log"
	hbm_eq "the browser script $script ends well" 0 "$rc"
	oks=$(grep -c '^ok - ' "$HBM_TMP/browser.log")
	nots=$(grep -c '^not ok' "$HBM_TMP/browser.log")
	HBM_CHECKS=$((HBM_CHECKS + oks + nots))
	HBM_FAILS=$((HBM_FAILS + nots))
	hbm_check "the browser ran its checks" test "$oks" -ge "$min"
}

hbm_done() {
	echo "$((HBM_CHECKS - HBM_FAILS)) passed, $HBM_FAILS failed"
	if [ $HBM_FAILS -ne 0 ] || [ $HBM_CHECKS -eq 0 ]; then
		echo "--- hbmgwd log"
		[ -n "${HBM_TMP:-}" ] && cat "$HBM_TMP/hbmgwd.log" 2>/dev/null
		exit 1
	fi
	exit 0
}

# Start tests/tools/capture.py, a stand-in aggregator on a loopback port;
# sets HBM_CAPTURE_PORT and HBM_CAPTURE_LOG (one JSON line per request).
hbm_capture_start() {
	HBM_CAPTURE_LOG="$HBM_TMP/capture.log"
	python3 "$HBM_SRCDIR/tests/tools/capture.py" \
		--port-file "$HBM_TMP/capture.port" --log "$HBM_CAPTURE_LOG" "$@" &
	HBM_CAPTURE_PID=$!
	if ! hbm_wait 10 test -s "$HBM_TMP/capture.port"; then
		echo "lib: capture.py did not start" >&2
		exit 1
	fi
	HBM_CAPTURE_PORT=$(cat "$HBM_TMP/capture.port")
}

# Post an inbound SMS FROM TEXT with external id ID; echoes the status.
hbm_inbound() {
	local body
	body=$(python3 -c 'import json,sys; print(json.dumps({"from": sys.argv[1], "to": "1234", "text": sys.argv[2], "id": sys.argv[3]}))' "$1" "$2" "$3")
	hbm_status POST /v1/inbound/sms -H "Authorization: Bearer $HBM_CHANNEL_TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$body"
}

# The texts the capture server received for NUMBER, one per line.
hbm_texts_to() {
	[ -s "$HBM_CAPTURE_LOG" ] || return 0
	python3 - "$HBM_CAPTURE_LOG" "$1" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        req = json.loads(line)
    except ValueError:
        continue
    if req.get("method") == "POST":
        msg = json.loads(req.get("body") or "{}")
    else:
        q = urllib.parse.parse_qs(req.get("query", ""))
        msg = {k: v[0] for k, v in q.items()}
    if msg.get("to") == sys.argv[2]:
        print(msg.get("text", "").replace("\n", " "))
PY
}

# How many SMS went to NUMBER; hbm_sent_to NUMBER N succeeds at N or more.
hbm_sent_count() {
	hbm_texts_to "$1" | wc -l
}
hbm_sent_to() {
	[ "$(hbm_sent_count "$1")" -ge "$2" ]
}
