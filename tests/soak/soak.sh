#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make soak: the fault suite. Under a steady inbound load (tests/soak/load.py,
# a client that retries like an aggregator), each row starts its own
# redis-server (appendonly yes, appendfsync always), stand-in aggregator
# (tests/soak/agg.py) and hbmgwd on 127.0.0.1, injects its faults, waits
# until everything acknowledged is handled, and counts what the client got,
# what Redis holds and what the aggregator saw (tests/soak/report.py). It
# ends with one table and exits 0 only when every row that ran kept its
# bounds.
#
#   tests/soak/soak.sh [full|small] [BUILD]
#
# full (the default, about 10 minutes): 20 messages a second, faults of
# 60 s at the aggregator. small (about 1 minute, the scenario of make
# check): 10 a second, faults of 3 s (a hang of 12 s, so that it outlasts
# the gateway's 10 s request timeout), retries 10 times faster
# (HBM_RETRY_BASE_MS=100). HBM_SOAK_MODE picks the mode when no argument
# does; HBM_SOAK_ROWS="kill redis ..." runs only the rows named (names in
# the table); HBM_SOAK_KEEP=DIR keeps every row's logs in DIR.
set -u

mode=${1:-${HBM_SOAK_MODE:-full}}
build=${2:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
export HBM_BUILD=$build HBM_SRCDIR=$top
# shellcheck source=tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
SOAK=$top/tests/soak
PY=/usr/bin/python3

case $mode in
full)
	RATE=20 WARM=10 KILL_EVERY=20 REDIS_DOWN=5 REDIS_EVERY=20
	AGG_FAULT=60 AGG_HANG=60 TAIL=15 GIVE_UP=120 DRAIN=150 LIMIT=900
	unset HBM_RETRY_BASE_MS
	;;
small)
	RATE=10 WARM=2 KILL_EVERY=4 REDIS_DOWN=1 REDIS_EVERY=4
	AGG_FAULT=3 AGG_HANG=12 TAIL=3 GIVE_UP=30 DRAIN=30 LIMIT=400
	export HBM_RETRY_BASE_MS=100
	;;
*)
	echo "usage: tests/soak/soak.sh [full|small] [BUILD]" >&2
	exit 2
	;;
esac
ROWS=${HBM_SOAK_ROWS:-kill redis agg-500 agg-hang agg-refuse powerloss \
sentinel takeover same-instance kannel}
# An http channel's senders (three without a rate limit) and their batch
# (gateway/sender_http.c): a kill may resend at most what they hold.
SENDERS=3 BATCH=32

PIDS=()     # processes started by this script and not yet waited for
WATCHDOG=""
AGG_PID="" LOAD_PID=""

soak_cleanup() {
	local p
	trap - EXIT INT TERM
	[ -n "$WATCHDOG" ] && kill -TERM "$WATCHDOG" 2>/dev/null
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	hbm_cleanup
}

hbm_tmp_init
trap soak_cleanup EXIT
RESULTS=$HBM_TMP/results

# Stop the whole run after LIMIT seconds, whatever it waits for.
watchdog() {
	local s
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "$LIMIT" &
	s=$!
	wait "$s" || exit 0
	echo "soak: still running after ${LIMIT}s: stopping" >&2
	kill -TERM $$
}
watchdog &
WATCHDOG=$!

# Take PID off the list of processes to stop (it has been waited for).
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

now() { printf '%s\n' "$EPOCHREALTIME"; }

say() { printf 'soak: %s\n' "$*" >&2; }

rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_up() { [ "$(rcli ping 2>/dev/null)" = PONG ]; }

# Start redis-server on REDIS_PORT with its data in ROW/redis, durable:
# every write is in the append-only file, fsynced, before it is answered.
redis_start() {
	mkdir -p "$ROW/redis"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
		--dir "$ROW/redis" --save '' --appendonly yes \
		--appendfsync always --logfile "$ROW/redis/log" &
	HBM_REDIS_PID=$!
	if ! hbm_wait 30 redis_up; then
		say "redis-server did not start"
		cat "$ROW/redis/log" >&2
		exit 1
	fi
}

# Stop redis-server with SIG and wait for it to exit.
redis_stop() {
	kill -"$1" "$HBM_REDIS_PID" 2>/dev/null
	wait "$HBM_REDIS_PID" 2>/dev/null
	HBM_REDIS_PID=""
}

# How many times LOG says the daemon listens.
listening_count() { grep -c 'http: listening on' "$1" 2>/dev/null; }
listening_more() { [ "$(listening_count "$1")" -gt "$2" ]; }

# Start hbmgwd with config CONF, its log appended to LOG; sets
# HBM_DAEMON_PID once it listens.
daemon_start() {
	local conf=$1 log=$2 n
	n=$(listening_count "$log")
	"$HBM_BUILD/hbmgwd" -c "$conf" 2>> "$log" &
	HBM_DAEMON_PID=$!
	if ! hbm_wait 10 listening_more "$log" "${n:-0}"; then
		say "hbmgwd did not start"
		tail -n 20 "$log" >&2
		exit 1
	fi
}

daemon_stop() {
	kill -"$1" "$HBM_DAEMON_PID" 2>/dev/null
	wait "$HBM_DAEMON_PID" 2>/dev/null
	HBM_DAEMON_PID=""
}

# The gateway's configuration for this row: the aggregator as channel
# "agg" (json), one agency, HELP FOOD routed to it; extra text appended.
row_config() {
	cat <<CONF
gateway: { instance = "${INSTANCE:-soak}"; country_code = "256"; };
redis: { url = "tcp://127.0.0.1:$REDIS_PORT"; timeout_ms = 500; };
http: { listen = "127.0.0.1:$GW_PORT"; };
privacy: { key_file = "$(hbm_key)"; };
tokens: { admin = ["$(hbm_sha256 "$HBM_ADMIN_TOKEN")"];
          channels = ["$(hbm_sha256 "$HBM_CHANNEL_TOKEN")"]; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$AGG_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}

agg_state_is() { [ "$(cat "$ROW/agg.state" 2>/dev/null)" = "$1" ]; }

# Put the aggregator in MODE (ok, 500, hang, refuse) and wait until it is.
agg_mode() {
	echo "$1" > "$ROW/agg.mode"
	if ! hbm_wait 10 agg_state_is "$1"; then
		say "the aggregator did not switch to $1"
		exit 1
	fi
}

agg_start() {
	AGG_PORT=$(hbm_free_port)
	echo ok > "$ROW/agg.mode"
	"$PY" "$SOAK/agg.py" --port "$AGG_PORT" --log "$ROW/agg.log" \
		--mode-file "$ROW/agg.mode" --state-file "$ROW/agg.state" \
		--lifetime "$LIMIT" 2>> "$ROW/agg.err" &
	AGG_PID=$!
	PIDS+=("$AGG_PID")
	if ! hbm_wait 10 agg_state_is ok; then
		say "agg.py did not start"
		cat "$ROW/agg.err" >&2
		exit 1
	fi
}

delivered_any() { grep -q '"answer": 200' "$ROW/agg.log" 2>/dev/null; }

# Mark the end of a fault: recovery is measured from here.
fault_end() { echo "fault_end $(now)" >> "$ROW/events"; }

# Start row NAME with the load's number series SERIES: Redis, the
# aggregator, the gateway and the load, and wait for a first delivery.
row_begin() {
	ROW_NAME=$1
	ROW=$HBM_TMP/$1
	mkdir -p "$ROW"
	: > "$ROW/events"
	say "$ROW_NAME: start"
	REDIS_PORT=$(hbm_free_port)
	redis_start
	agg_start
	GW_PORT=$(hbm_free_port)
	row_config > "$ROW/gw.conf"
	daemon_start "$ROW/gw.conf" "$ROW/hbmgwd.log"
	"$PY" "$SOAK/load.py" --url "http://127.0.0.1:$GW_PORT" \
		--token "$HBM_CHANNEL_TOKEN" --rate "$RATE" --duration "$LIMIT" \
		--give-up "$GIVE_UP" --series "$2" --stop-file "$ROW/stop" \
		--out "$ROW/client.log" 2>> "$ROW/load.err" &
	LOAD_PID=$!
	PIDS+=("$LOAD_PID")
	if ! hbm_wait 20 delivered_any; then
		say "$ROW_NAME: nothing reached the aggregator"
		tail -n 20 "$ROW/hbmgwd.log" >&2
		exit 1
	fi
}

drained() {
	"$PY" "$SOAK/report.py" drained --dir "$ROW" \
		--redis-cli "redis-cli -h 127.0.0.1 -p $REDIS_PORT"
}

# Wait up to SECONDS, polling every half second, for CMD...
wait_slow() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $((limit * 2)) ] && return 1
		sleep 0.5
	done
}

load_done() { ! kill -0 "$LOAD_PID" 2>/dev/null; }

# End the row: stop the load, wait for its last messages (they give up
# after GIVE_UP s) and for the gateway to drain, count, stop everything.
# TWICE_BOUND and RECOVER_BOUND are the row's bounds.
row_end() {
	local twice=${1:-0} recover=${2:-0} flags=()
	touch "$ROW/stop"
	if ! wait_slow $((GIVE_UP + 10)) load_done; then
		say "$ROW_NAME: the load did not finish"
	fi
	kill "$LOAD_PID" 2>/dev/null
	wait "$LOAD_PID" 2>/dev/null
	forget "$LOAD_PID"
	if ! wait_slow "$DRAIN" drained; then
		say "$ROW_NAME: not drained after ${DRAIN}s"
		flags=(--not-drained)
	fi
	"$PY" "$SOAK/report.py" row --dir "$ROW" --name "$ROW_NAME" \
		--redis-cli "redis-cli -h 127.0.0.1 -p $REDIS_PORT" \
		--key "$(hbm_key)" --twice-bound "$twice" \
		--recover-bound "$recover" "${flags[@]}" >> "$RESULTS"
	say "$ROW_NAME: $(tail -n 1 "$RESULTS" | hbm_jget verdict)"
	[ -n "$HBM_DAEMON_PID" ] && daemon_stop TERM
	kill "$AGG_PID" 2>/dev/null
	wait "$AGG_PID" 2>/dev/null
	forget "$AGG_PID"
	[ -n "$HBM_REDIS_PID" ] && redis_stop TERM
	if [ -n "${HBM_SOAK_KEEP:-}" ]; then
		mkdir -p "$HBM_SOAK_KEEP"
		cp -r "$ROW" "$HBM_SOAK_KEEP/" 2>/dev/null
		rm -rf "$HBM_SOAK_KEEP/$ROW_NAME/redis"
	fi
	rm -rf "$ROW"
}

# A row that cannot run on this build: NAME REASON.
not_run() {
	"$PY" -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "not_run": sys.argv[2]}))' \
		"$1" "$2" >> "$RESULTS"
	say "$1: not run: $2"
}

# kill -9 of hbmgwd three times, restarted at once each time.
row_kill() {
	local i
	row_begin kill 1
	sleep "$WARM"
	for i in 1 2 3; do
		daemon_stop KILL
		fault_end
		daemon_start "$ROW/gw.conf" "$ROW/hbmgwd.log"
		sleep "$KILL_EVERY"
	done
	sleep "$TAIL"
	row_end $((3 * SENDERS * BATCH))
}

# Redis stopped three times (SIGTERM, SIGKILL, SIGTERM), down REDIS_DOWN
# seconds each time, and started again on its own files.
row_redis() {
	local sig
	row_begin redis 2
	sleep "$WARM"
	for sig in TERM KILL TERM; do
		redis_stop "$sig"
		sleep "$REDIS_DOWN"
		fault_end
		redis_start
		sleep "$REDIS_EVERY"
	done
	sleep "$TAIL"
	row_end $((3 * SENDERS * BATCH))
}

# The aggregator in MODE (500, hang, refuse) for AGG_FAULT seconds
# (AGG_HANG for a hang).
row_agg() {
	row_begin "agg-$1" "$2"
	sleep "$WARM"
	agg_mode "$1"
	if [ "$1" = hang ]; then
		sleep "$AGG_HANG"
	else
		sleep "$AGG_FAULT"
	fi
	agg_mode ok
	fault_end
	sleep "$TAIL"
	row_end 0
}

: > "$RESULTS"
say "mode $mode: ${RATE} messages/s; rows: $(echo $ROWS)"
for r in $ROWS; do
	case $r in
	kill) row_kill ;;
	redis) row_redis ;;
	agg-500) row_agg 500 3 ;;
	agg-hang) row_agg hang 4 ;;
	agg-refuse) row_agg refuse 5 ;;
	*) say "unknown row $r"; exit 2 ;;
	esac
done

echo
echo "hbmgw fault suite, $mode mode, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
"$PY" "$SOAK/report.py" table "$RESULTS"
