#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The modem channel's send rate through libgammu's real AT driver, with 1,
# 2 and 4 simulated zero-latency modems (tests/tools/atsim on ptys): SMS/s
# per modem and hbmgwd CPU per SMS. A benchmark, not a test: it prints
# figures and checks only that every message went out.
#
#   bench/modem.sh [BUILD]     BUILD holds hbmgwd and tests/atsim
#
# Knobs: HBM_BENCH_MODEM_N=300 messages per modem, HBM_BENCH_MODEMS="1 2 4",
# HBM_BENCH_TIMEOUT=600 seconds for the whole run.
set -u

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
BUILD=$(bench_build "${1:-}")
N=${HBM_BENCH_MODEM_N:-300}
COUNTS=${HBM_BENCH_MODEMS:-1 2 4}
LIMIT=${HBM_BENCH_TIMEOUT:-600}
TMP=$(mktemp -d /tmp/hbm-bench-modem.XXXXXX)
PIDS=()
TOKEN=bench-admin-token
BENCH_NAME=bench/modem
RESULTS=/dev/null

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${HBM_BENCH_KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
( sleep "$LIMIT"; echo "bench/modem: timeout" >&2; kill -TERM $$ ) &
PIDS+=($!)

# CPU seconds (user + system) that process PID has used.
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

# Whole messages logged by all simulators of round $1.
sent_total() {
	cat "$TMP"/r$1-m*.log 2>/dev/null | grep -c '"message"'
}
# Round $1 sent $2 messages, or all $1 modems are connected.
all_sent() { [ "$(sent_total "$1")" -ge "$2" ]; }
all_connected() { [ "$(grep -c ': connected' "$TMP/r$1-hbmgwd.log")" -ge "$1" ]; }

# One round with M modems: prints "M modems: ... SMS/s".
round() {
	local m=$1 i conf port pid t0 t1 c0 c1 total want
	redis-server --port 0 --unixsocket "$TMP/r$m-redis.sock" --save '' \
		--appendonly no --dir "$TMP" --logfile "$TMP/r$m-redis.log" &
	PIDS+=($!)
	hbm_wait 10 redis-cli -s "$TMP/r$m-redis.sock" ping || return 1
	[ -s "$TMP/key" ] || { head -c 32 /dev/urandom > "$TMP/key"; chmod 600 "$TMP/key"; }
	conf="$TMP/r$m.conf"
	{
		echo 'gateway: { instance = "bench"; country_code = "256"; };'
		echo "redis: { url = \"unix://$TMP/r$m-redis.sock\"; };"
		echo 'http: { listen = "127.0.0.1:0"; };'
		echo 'metrics: { listen = "127.0.0.1:0"; };'
		echo "privacy: { key_file = \"$TMP/key\"; };"
		echo "tokens: { admin = [\"$(printf %s $TOKEN | sha256sum | cut -d' ' -f1)\"]; };"
		echo 'channels = ('
		for i in $(seq 1 "$m"); do
			"$BUILD/tests/atsim" --link "$TMP/r$m-m$i.tty" \
				--control "$TMP/r$m-m$i.ctl" --log "$TMP/r$m-m$i.log" \
				2>/dev/null &
			PIDS+=($!)
			hbm_wait 10 test -S "$TMP/r$m-m$i.ctl" || return 1
			[ "$i" -gt 1 ] && echo ','
			echo "{ name = \"m$i\"; type = \"modem\"; max_per_minute = 0;"
			echo "  poll_interval = 60;"
			echo "  gammu = { device = \"$TMP/r$m-m$i.tty\"; connection = \"at\"; }; }"
		done
		echo ');'
	} > "$conf"
	"$BUILD/hbmgwd" -c "$conf" 2> "$TMP/r$m-hbmgwd.log" &
	pid=$!
	PIDS+=($pid)
	hbm_wait 20 grep -q 'http: listening' "$TMP/r$m-hbmgwd.log" || return 1
	port=$(sed -n 's/.*http: listening on .*:\([0-9]*\)$/\1/p' "$TMP/r$m-hbmgwd.log")
	hbm_wait 60 all_connected "$m" || return 1
	want=$((m * N))
	c0=$(cpu_of "$pid")
	t0=$(date +%s.%N)
	python3 - "$port" "$TOKEN" "$m" "$N" <<'PY' || return 1
import http.client, json, sys
port, token, m, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
for k in range(n):
    for i in range(1, m + 1):
        body = json.dumps({"to": "+2567%08d" % (k * 10 + i),
                           "text": "Your code is 4821-3957. Go to gate 3.",
                           "channel": "m%d" % i})
        c.request("POST", "/v1/messages", body, h)
        r = c.getresponse()
        r.read()
        if r.status != 202:
            sys.exit("POST /v1/messages: %d" % r.status)
PY
	hbm_wait "$LIMIT" all_sent "$m" "$want" || {
		echo "bench/modem: $m modems: only $(sent_total "$m") of $want sent" >&2
		return 1
	}
	t1=$(date +%s.%N)
	c1=$(cpu_of "$pid")
	total=$(sent_total "$m")
	awk -v m="$m" -v n="$total" -v t="$(echo "$t1 - $t0" | bc -l)" \
		-v c="$(echo "$c1 - $c0" | bc -l)" 'BEGIN {
		printf "%d modem(s): %d SMS in %.2f s: %.1f SMS/s in all, %.1f SMS/s per modem, hbmgwd CPU %.2f ms per SMS\n",
		    m, n, t, n / t, n / t / m, c * 1000 / n }'
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

for m in $COUNTS; do
	round "$m" || exit 1
done
