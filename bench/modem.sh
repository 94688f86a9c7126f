#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The modem channel's send rate through libgammu's real AT driver, with 1,
# 2 and 4 simulated zero-latency modems (tests/tools/atsim on ptys): SMS/s
# per modem and hbmgwd CPU per SMS. A benchmark, not a test: it prints
# figures. Each round queues N messages per modem and counts what the
# simulators log for at most SECONDS: the driver sends about one SMS a
# second per modem, so a round is bounded in time, not by its count, and
# prints how many of the queued messages went out in that time.
#
#   bench/modem.sh [BUILD]     BUILD holds hbmgwd and tests/atsim
#
# Knobs: HBM_BENCH_MODEM_N=100 messages queued per modem,
# HBM_BENCH_MODEM_SECONDS=20 seconds counted per round,
# HBM_BENCH_MODEMS="1 2 4", HBM_BENCH_TIMEOUT (the watchdog, seconds; by
# default the rounds' time and 90 s per round to start and stop).
set -u

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
BUILD=$(bench_build "${1:-}")
N=${HBM_BENCH_MODEM_N:-100}
SECONDS_MAX=${HBM_BENCH_MODEM_SECONDS:-20}
COUNTS=${HBM_BENCH_MODEMS:-1 2 4}
LIMIT=${HBM_BENCH_TIMEOUT:-$(( $(echo "$COUNTS" | wc -w) * (SECONDS_MAX + 90) ))}
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
# The watchdog: a backstop against a hang, far above what the rounds take.
# Its sleep is its own child, stopped with it, so that nothing outlives
# the run holding its output open.
(
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "$LIMIT" &
	s=$!
	wait "$s" || exit 0
	echo "bench/modem: still running after ${LIMIT}s: stopping" >&2
	kill -TERM $$
) &
PIDS+=($!)

# CPU seconds (user + system) that process PID has used.
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

# Whole messages logged by all simulators of round $1.
sent_total() {
	cat "$TMP"/r$1-m*.log 2>/dev/null | grep -c '"message"'
}
# All $1 modems of round $1 are connected.
all_connected() { [ "$(grep -c ': connected' "$TMP/r$1-hbmgwd.log")" -ge "$1" ]; }

# One round with M modems: prints "M modems: ... SMS/s".
round() {
	local m=$1 i conf port pid t0 t1 c0 c1 s0 n total want
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
	python3 - "$port" "$TOKEN" "$m" "$N" <<'PY' || return 1
import http.client, json, sys
port, token, m, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
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
	# Once all are queued, count what goes out until all are sent or
	# SECONDS_MAX have passed, whichever comes first: the figures are the
	# SMS sent in that span and hbmgwd's CPU over it (the accepting of the
	# requests left out).
	c0=$(cpu_of "$pid")
	t0=$(date +%s.%N)
	s0=$(sent_total "$m")
	total=$s0
	while [ "$total" -lt "$want" ]; do
		awk -v a="$t0" -v b="$(date +%s.%N)" -v s="$SECONDS_MAX" \
			'BEGIN { exit !(b - a >= s) }' && break
		sleep 0.2
		total=$(sent_total "$m")
	done
	t1=$(date +%s.%N)
	c1=$(cpu_of "$pid")
	n=$((total - s0))
	[ "$n" -gt 0 ] || {
		echo "bench/modem: $m modem(s): nothing sent in ${SECONDS_MAX}s" >&2
		return 1
	}
	awk -v m="$m" -v n="$n" -v q="$want" -v s="$total" \
		-v t="$(echo "$t1 - $t0" | bc -l)" -v c="$(echo "$c1 - $c0" | bc -l)" 'BEGIN {
		printf "%d modem(s): %d SMS in %.2f s (%d of %d queued sent by then): %.1f SMS/s in all, %.1f SMS/s per modem, hbmgwd CPU %.2f ms per SMS\n",
		    m, n, t, s, q, n / t, n / t / m, c * 1000 / n }'
	# hbmgwd stops with messages still queued; it gets 10 s to do so.
	kill "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

echo "hbmgw modem bench, $(date -u '+%Y-%m-%d %H:%M UTC'); libgammu's AT" \
    "driver against simulated modems (atsim); $N queued per modem, counted" \
    "for at most ${SECONDS_MAX}s a round"
for m in $COUNTS; do
	round "$m" || exit 1
done
