#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# USSD latency: HBM_BENCH_USSD_SESSIONS (200) concurrent sessions step
# through the officials' menu to a confirmed referral over
# POST /v1/ussd/africastalking (bench/ussd_load.c, one request after the
# answer to the one before), for HBM_BENCH_USSD_DURATION (20) seconds, twice:
#   paced:      each session thinks HBM_BENCH_USSD_THINK ms (1000, 0.5-1.5x)
#               between an answer and its next input, as people do; this is
#               the latency the target (p99 < 20 ms) is about;
#   saturating: no think time, so the sessions go as fast as the gateway
#               answers: throughput, and latency = sessions / throughput.
# Prints p50/p99 of every request and per step, then waits for the SMS of
# every referral (migrant, official, agency) to reach bench/sink.c.
#
#   bench/ussd.sh [BUILD]      BUILD holds hbmgwd (default build)
#
# Everything runs on 127.0.0.1 in a temporary directory: its own
# redis-server (appendonly, fsync everysec), the sink, hbmgwd with
# HBM_BENCH_USSD_OFFICIALS (200) officials, PIN 1234 as SHA-512 crypt(3)
# with the default 5000 rounds. Every wait is bounded; every process the
# script starts is stopped on any exit.
set -u
set -o pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
BUILD=$(bench_build "${1:-}")
SESSIONS=${HBM_BENCH_USSD_SESSIONS:-200}
DURATION=${HBM_BENCH_USSD_DURATION:-20}
OFFICIALS=${HBM_BENCH_USSD_OFFICIALS:-200}
THINK=${HBM_BENCH_USSD_THINK:-1000}
DRAIN_MAX=${HBM_BENCH_DRAIN_MAX:-120}
TARGET_P99_MS=20
# "1234" as SHA-512 crypt(3), default rounds
PIN_HASH='$6$abcdefgh$1uLzXUmZOC.qtAp9TH7v9AMyFTajrhlf8caJDoEHzbMYij1.XPxQ6Uk1d0cOSjtBqjxiM6I55MC0JGi2h1Jte0'

PIDS=()
TMP=""
RESULTS=$BUILD/bench/ussd-last-run.txt
BENCH_NAME=bench/ussd

cleanup() {
	local pid any
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for _ in $(seq 1 50); do
		any=0
		for pid in "${PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && any=1
		done
		[ $any = 0 ] && break
		sleep 0.1
	done
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
sink_count() { curl -s "http://127.0.0.1:$SINK_PORT/count"; }

for cmd in redis-server redis-cli curl cc pkg-config; do
	command -v "$cmd" >/dev/null 2>&1 ||
	    die "$cmd is missing (tools/deps.sh bench installs it)"
done
[ -x "$BUILD/hbmgwd" ] || die "$BUILD/hbmgwd is missing: make first"
mkdir -p "$BUILD/bench"
: > "$RESULTS"
TMP=$(mktemp -d /tmp/hbm-bench-ussd.XXXXXX)

CFLAGS="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Wformat=2 -Wshadow \
    -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual \
    -Wwrite-strings -Wvla -Wimplicit-fallthrough -Werror"
# shellcheck disable=SC2086
${CC:-cc} $CFLAGS -o "$BUILD/bench/sink" "$SRCDIR/bench/sink.c" ||
    die "cannot build the sink"
# shellcheck disable=SC2086
${CC:-cc} $CFLAGS $(pkg-config --cflags libcurl) -o "$BUILD/bench/ussd_load" \
    "$SRCDIR/bench/ussd_load.c" $(pkg-config --libs libcurl) ||
    die "cannot build ussd_load"

mkdir -p "$TMP/redis"
REDIS_PORT=$(hbm_free_port) || die "no free port"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP/redis" \
    --save '' --appendonly yes --appendfsync everysec \
    --auto-aof-rewrite-percentage 0 --logfile "$TMP/redis/log" &
PIDS+=($!)
hbm_wait 5 rcli PING || die "redis-server did not start"

"$BUILD/bench/sink" -f "$TMP/sink.port" -t $((DURATION + DRAIN_MAX + 120)) \
    2> "$TMP/sink.log" &
PIDS+=($!)
hbm_wait 5 test -s "$TMP/sink.port" || die "the sink did not start"
SINK_PORT=$(cat "$TMP/sink.port")

TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
head -c 32 /dev/urandom > "$TMP/key"
chmod 600 "$TMP/key"
{
	cat <<CONF
gateway: { instance = "bench-ussd"; country_code = "256"; };
redis: { url = "tcp://127.0.0.1:$REDIS_PORT"; timeout_ms = 2000; };
http: { listen = "127.0.0.1:0"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$TMP/key"; };
tokens: { channels = ["$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"]; };
channels = ( { name = "sink"; type = "http"; format = "json";
               url = "http://127.0.0.1:$SINK_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700900101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; priority = 3; sms_label = "food"; },
               { id = "water"; agencies = ["wfp"]; priority = 1; sms_label = "water"; } );
officials = (
CONF
	for i in $(seq 0 $((OFFICIALS - 1))); do
		printf '  { phone = "+256700%06d"; name = "Officer %d"; pin_hash = "%s"; }%s\n' \
		    "$i" "$i" "$PIN_HASH" "$([ "$i" -lt $((OFFICIALS - 1)) ] && echo ,)"
	done
	echo ');'
} > "$TMP/hbmgw.conf"

"$BUILD/hbmgwd" -c "$TMP/hbmgw.conf" 2> "$TMP/hbmgwd.log" &
PIDS+=($!)
hbm_wait 10 grep -q 'http: listening on' "$TMP/hbmgwd.log" ||
    die "hbmgwd did not start: $(cat "$TMP/hbmgwd.log")"
PORT=$(sed -n 's/.*http: listening on .*:\([0-9]*\)$/\1/p' "$TMP/hbmgwd.log" | tail -n 1)

say "hbmgw USSD bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine: $(nproc) cores; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
say "load: $SESSIONS concurrent sessions for ${DURATION}s, $OFFICIALS officials," \
    "8 requests per session (dial, PIN, menu, category, phone, persons," \
    "consent, confirm)"
# run_load NAME THINK_MS: one load; prints its figures, sets P99 and REFS.
run_load() {
	local sink0 rc expect t
	say "$1 (think ${2} ms):"
	sink0=$(sink_count)
	timeout $((DURATION + 60)) "$BUILD/bench/ussd_load" \
	    -u "http://127.0.0.1:$PORT" -t "$TOKEN" -c "$SESSIONS" \
	    -d "$DURATION" -o "$OFFICIALS" -w "$2" > "$TMP/load.out" \
	    2> "$TMP/load.err"
	rc=$?
	while read -r line; do say "  $line"; done < "$TMP/load.out"
	if [ -s "$TMP/load.err" ]; then
		say "  $(head -n 5 "$TMP/load.err")"
		say "  hbmgwd: $(tail -n 5 "$TMP/hbmgwd.log")"
	fi
	REFS=$(sed -n 's/^ussd-result sessions=\([0-9]*\).*/\1/p' "$TMP/load.out")
	P99=$(sed -n 's/^ussd-result.* p99_ms=\([0-9.]*\).*/\1/p' "$TMP/load.out")
	[ -n "$REFS" ] || die "ussd_load failed (status $rc)"
	[ "$rc" -eq 0 ] || LOAD_RC=$rc
	# Every referral queues three SMS: migrant, official, agency.
	expect=$((REFS * 3))
	t=0
	while [ $(( $(sink_count) - sink0 )) -lt "$expect" ] &&
	    [ $t -lt $((DRAIN_MAX * 10)) ]; do
		sleep 0.1
		t=$((t + 1))
	done
	say "  $REFS referrals confirmed; SMS at the sink: $(( $(sink_count) - sink0 ))" \
	    "of $expect (all in $(awk "BEGIN { printf \"%.1f\", $t / 10 }") s after the load)"
}

LOAD_RC=0
run_load paced "$THINK"
PACED_P99=$P99
run_load saturating 0
say "cases in Redis: $(rcli ZCARD '{hbm}:cases');" \
    "hbmgwd VmHWM: $(awk '/VmHWM/ { print $2, $3 }' "/proc/${PIDS[2]}/status" 2>/dev/null)"
if awk "BEGIN { exit !($PACED_P99 < $TARGET_P99_MS) }"; then
	say "target p99 < ${TARGET_P99_MS} ms (paced): met (${PACED_P99} ms)"
else
	say "target p99 < ${TARGET_P99_MS} ms (paced): missed (${PACED_P99} ms)"
fi
exit "$LOAD_RC"
