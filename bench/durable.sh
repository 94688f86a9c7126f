#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench, durability: what each durability option costs. One
# redis-server (appendonly yes) with a replica on loopback, the sink and
# hbmgwd; wrk posts HELP FOOD messages to POST /v1/inbound/sms for
# HBM_BENCH_DURABLE_DURATION seconds (default 5) under each of:
#
#   everysec   appendfsync everysec (the baseline of this run)
#   always     appendfsync always (what hbmgw.conf(5) documents)
#   wait1      appendfsync always and redis.wait_replicas = 1
#
# and prints the acknowledged inbound SMS per second of each and its ratio
# to the baseline (the machine is shared and noisy: the ratios travel, the
# figures less so).
#
#   bench/durable.sh [BUILD]
set -u
set -o pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
BUILD=$(bench_build "${1:-}")
BENCH_NAME=durable
RESULTS=$BUILD/bench/durable-last-run.txt
DURATION=${HBM_BENCH_DURABLE_DURATION:-5}
THREADS=${HBM_BENCH_THREADS:-2}
CONNS=${HBM_BENCH_CONNS:-50}
CHANNEL_TOKEN=bench-channel-token
TMP=""
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for cmd in wrk redis-server redis-cli; do
	command -v "$cmd" > /dev/null || { echo "durable: $cmd is missing" >&2; exit 1; }
done
mkdir -p "$BUILD/bench"
: > "$RESULTS"
TMP=$(mktemp -d /tmp/hbm-bench-durable.XXXXXX)
head -c 32 /dev/urandom > "$TMP/key"
chmod 600 "$TMP/key"

${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
    -o "$BUILD/bench/sink" "$SRCDIR/bench/sink.c" || die "cannot build the sink"
"$BUILD/bench/sink" -f "$TMP/sink.port" -t $((DURATION * 3 + 120)) 2> "$TMP/sink.log" &
PIDS+=($!)
hbm_wait 5 test -s "$TMP/sink.port" || die "the sink did not start"

PORT=$(hbm_free_port)
RPORT=$(hbm_free_port)
mkdir -p "$TMP/redis" "$TMP/replica"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$TMP/redis" --save '' \
    --appendonly yes --appendfsync everysec --logfile "$TMP/redis/log" &
PIDS+=($!)
hbm_wait 5 redis-cli -p "$PORT" ping || die "redis-server did not start"
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$TMP/replica" --save '' \
    --appendonly no --replicaof 127.0.0.1 "$PORT" --logfile "$TMP/replica/log" &
PIDS+=($!)
linked() { redis-cli -p "$RPORT" INFO replication | grep -q 'master_link_status:up'; }
hbm_wait 10 linked || die "the replica did not link"

# conf WAIT_REPLICAS: hbmgwd's configuration for one phase.
conf() {
	sed -e "s|@REDIS_URL@|tcp://127.0.0.1:$PORT|" \
	    -e "s|timeout_ms = 2000;|timeout_ms = 2000; wait_replicas = $1;|" \
	    -e "s|@KEY_FILE@|$TMP/key|" \
	    -e "s|@SINK_PORT@|$(cat "$TMP/sink.port")|" \
	    -e "s|@ADMIN_SHA256@|$(printf %s admin | sha256sum | cut -d' ' -f1)|" \
	    -e "s|@CHANNEL_SHA256@|$(printf %s "$CHANNEL_TOKEN" | sha256sum | cut -d' ' -f1)|" \
	    "$SRCDIR/bench/hbmgw.conf.in"
}

# phase NAME FSYNC WAIT_REPLICAS: sets RATE, acknowledged inbound per second.
phase() {
	local pid port out req non2xx dur
	redis-cli -p "$PORT" CONFIG SET appendfsync "$2" > /dev/null
	conf "$3" > "$TMP/gw.conf"
	"$BUILD/hbmgwd" -c "$TMP/gw.conf" 2> "$TMP/hbmgwd.log" &
	pid=$!
	hbm_wait 10 grep -q 'http: listening on' "$TMP/hbmgwd.log" || die "hbmgwd did not start"
	port=$(sed -n 's/.*http: listening on .*:\([0-9]*\)$/\1/p' "$TMP/hbmgwd.log")
	out=$(timeout $((DURATION + 30)) wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" \
	    -s "$SRCDIR/bench/load.lua" "http://127.0.0.1:$port" -- inbound \
	    "$CHANNEL_TOKEN" "$1-$$" | grep '^wrk-result')
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	req=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<< "$out")
	non2xx=$(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' <<< "$out")
	dur=$(sed -n 's/.* duration_s=\([0-9.]*\).*/\1/p' <<< "$out")
	RATE=$(awk -v r="$req" -v n="$non2xx" -v d="$dur" 'BEGIN { printf "%d", (r - n) / d }')
	P99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<< "$out")
	[ "$non2xx" = 0 ] || say "  ($1: $non2xx answers were not 2xx)"
}

say "hbmgw durability bench, $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores;" \
    "wrk -t$THREADS -c$CONNS, ${DURATION}s per option"
phase everysec everysec 0
BASE=$RATE
say "$(printf '  %-34s %7s inbound/s  p99 %7s ms  ratio 1.00 (baseline)' \
    'appendfsync everysec' "$BASE" "$P99")"
for p in "always always 0 appendfsync always" \
    "wait1 always 1 appendfsync always, wait_replicas 1"; do
	read -r name fsync wait label <<< "$p"
	phase "$name" "$fsync" "$wait"
	say "$(printf '  %-34s %7s inbound/s  p99 %7s ms  ratio %s' "$label" \
	    "$RATE" "$P99" "$(awk -v a="$RATE" -v b="$BASE" 'BEGIN { printf "%.2f", a / b }')")"
done
