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
# 60 s at the aggregator. small (about 2 minutes, the scenario of make
# check): 10 a second, faults of 3 s (a hang of 12 s, so that it outlasts
# the gateway's 10 s request timeout), retries 10 times faster
# (HBM_RETRY_BASE_MS=100). HBM_SOAK_MODE picks the mode when no argument
# does; HBM_SOAK_ROWS="kill redis ..." runs only the rows named (names in
# the table); HBM_SOAK_FSYNC=everysec runs Redis with that fsync
# policy; HBM_SOAK_REDIS_EXTRA adds settings to the sentinel row's redis
# group; HBM_SOAK_KEEP=DIR keeps every row's logs in DIR.
# tests/soak/README.md says what each row and column means.
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
	RATE=10 WARM=2 KILL_EVERY=3 REDIS_DOWN=1 REDIS_EVERY=3
	AGG_FAULT=3 AGG_HANG=12 TAIL=3 GIVE_UP=30 DRAIN=60 LIMIT=400
	export HBM_RETRY_BASE_MS=100
	;;
*)
	echo "usage: tests/soak/soak.sh [full|small] [BUILD]" >&2
	exit 2
	;;
esac
ROWS=${HBM_SOAK_ROWS:-kill redis powerloss agg-500 agg-hang agg-refuse \
takeover same-instance sentinel sentinel-failover kannel}
FSYNC=${HBM_SOAK_FSYNC:-always}
# An http channel's senders (three without a rate limit) and their batch
# (gateway/sender_http.c): a kill may resend at most what they hold.
SENDERS=3 BATCH=32

PIDS=()     # processes started by this script and not yet waited for
WATCHDOG=""
AGG_PID="" LOAD_PID=""
OTHER_PID="" # a second hbmgwd, in the rows that run two

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

# Start redis-server on REDIS_PORT with its data in ROW/redis, durable
# (with FSYNC always every write is in the append-only file, fsynced,
# before it is answered); no rewrites, so the powerloss row can cut the
# file it appends to.
redis_start() {
	mkdir -p "$ROW/redis"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
		--dir "$ROW/redis" --save '' --appendonly yes \
		--appendfsync "$FSYNC" --auto-aof-rewrite-percentage 0 \
		--logfile "$ROW/redis/log" &
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
# "agg" (json), one agency, HELP FOOD routed to it.
row_config() {
	cat <<CONF
gateway: { instance = "${INSTANCE:-soak}"; country_code = "256"; };
redis: { url = "tcp://127.0.0.1:$REDIS_PORT"; timeout_ms = 500; };
http: { listen = "127.0.0.1:$GW_PORT"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; };
tokens: { admin = ["$(hbm_sha256 "$HBM_ADMIN_TOKEN")"];
          channels = ["$(hbm_sha256 "$HBM_CHANNEL_TOKEN")"]; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$AGG_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
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

# Set row NAME up: its directory, Redis and the aggregator.
row_setup() {
	ROW_NAME=$1
	ROW=$HBM_TMP/$1
	mkdir -p "$ROW"
	: > "$ROW/events"
	ROW_FAILS=()
	API_PORT="" # the gateway to list cases from, when not GW_PORT
	say "$ROW_NAME: start"
	REDIS_PORT=$(hbm_free_port)
	redis_start
	agg_start
}

# Start the load with number series SERIES against the gateways at
# URL..., and wait for a first delivery.
row_load() {
	local series=$1 u urls=()
	shift
	for u in "$@"; do
		urls+=(--url "$u")
	done
	"$PY" "$SOAK/load.py" "${urls[@]}" \
		--token "$HBM_CHANNEL_TOKEN" --rate "$RATE" --duration "$LIMIT" \
		--give-up "$GIVE_UP" --series "$series" --stop-file "$ROW/stop" \
		--out "$ROW/client.log" 2>> "$ROW/load.err" &
	LOAD_PID=$!
	PIDS+=("$LOAD_PID")
	if ! hbm_wait 20 delivered_any; then
		say "$ROW_NAME: nothing reached the aggregator"
		tail -n 20 "$ROW"/hbmgwd*.log >&2
		exit 1
	fi
}

# Start row NAME with the load's number series SERIES against one gateway.
row_begin() {
	row_setup "$1"
	GW_PORT=$(hbm_free_port)
	row_config > "$ROW/gw.conf"
	daemon_start "$ROW/gw.conf" "$ROW/hbmgwd.log"
	row_load "$2" "http://127.0.0.1:$GW_PORT"
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
	local twice=${1:-0} recover=${2:-0} flags=() f
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
	for f in "${ROW_FAILS[@]}"; do
		flags+=(--fail "$f")
	done
	"$PY" "$SOAK/report.py" row --dir "$ROW" --name "$ROW_NAME" \
		--redis-cli "redis-cli -h 127.0.0.1 -p $REDIS_PORT" \
		--key "$(hbm_key)" --twice-bound "$twice" \
		--api "http://127.0.0.1:${API_PORT:-$GW_PORT}" \
		--admin-token "$HBM_ADMIN_TOKEN" \
		--recover-bound "$recover" "${flags[@]}" >> "$RESULTS"
	say "$ROW_NAME: $(tail -n 1 "$RESULTS" | hbm_jget verdict)"
	[ -n "$HBM_DAEMON_PID" ] && daemon_stop TERM
	if [ -n "$OTHER_PID" ]; then
		kill -TERM "$OTHER_PID" 2>/dev/null
		wait "$OTHER_PID" 2>/dev/null
		forget "$OTHER_PID"
		OTHER_PID=""
	fi
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

# The newest file Redis appends to.
aof_file() {
	printf '%s\n' "$ROW"/redis/appendonlydir/*.incr.aof | sort -V | tail -n 1
}

# Note the append-only file's size every 50 ms ("seconds size" lines in
# ROW/aof.sizes) until killed.
aof_watch() {
	local f
	while :; do
		f=$(aof_file)
		[ -n "$f" ] && printf '%s %s\n' "$EPOCHREALTIME" "$(stat -c %s "$f")"
		sleep 0.05
	done >> "$ROW/aof.sizes"
}

# Power loss, three times: Redis dies with the host (SIGKILL) and its
# append-only file loses what was not on disk yet. Under appendfsync
# always nothing answered was unsynced, so nothing is cut; under everysec
# (HBM_SOAK_FSYNC=everysec) the file is cut back to its size one second
# before the kill, what an fsync a second may lose.
row_powerloss() {
	local i watch t size f lag=0
	[ "$FSYNC" = everysec ] && lag=1
	row_begin "powerloss-$FSYNC" 3
	sleep "$WARM"
	for i in 1 2 3; do
		: > "$ROW/aof.sizes"
		aof_watch &
		watch=$!
		PIDS+=("$watch")
		hbm_wait 5 test -s "$ROW/aof.sizes"
		sleep "$lag"
		t=$(now)
		redis_stop KILL
		kill "$watch" 2>/dev/null
		wait "$watch" 2>/dev/null
		forget "$watch"
		f=$(aof_file)
		size=$(awk -v t="$t" -v lag="$lag" '$1 <= t - lag { s = $2 }
		    END { print s + 0 }' "$ROW/aof.sizes")
		if [ "$lag" = 1 ] && [ "$size" -gt 0 ]; then
			say "powerloss: cut $(($(stat -c %s "$f") - size)) bytes of $(basename "$f")"
			truncate -s "$size" "$f"
		fi
		fault_end
		redis_start
		sleep "$REDIS_EVERY"
	done
	sleep "$TAIL"
	row_end $((3 * SENDERS * BATCH))
}

# Pending entries of the consumers of instance NAME (NAME or NAME/N) in
# the inbox and in the agg channel's outbox.
pending_of() {
	{
		rcli XINFO CONSUMERS '{hbm}:inbox' dispatch
		rcli XINFO CONSUMERS '{hbm}:outbox:agg' send
	} | awk -v n="$1" '$0 == "name" { getline c; mine = (c == n || index(c, n "/") == 1) }
	    $0 == "pending" { getline p; if (mine) t += p } END { print t + 0 }'
}
none_pending() { [ "$(pending_of "$1")" = 0 ]; }
some_pending() { [ "$(pending_of "$1")" -gt 0 ]; }

# Two gateways, soak-a and soak-b, share Redis and the load; soak-a is
# killed (-9) while it holds SMS in flight (the aggregator hangs for that
# moment) and is not restarted. Recovery is the time until soak-b has
# claimed everything soak-a held; the bound is 10 s.
row_takeover() {
	local held port_a
	row_setup takeover
	GW_PORT=$(hbm_free_port)
	INSTANCE=soak-a row_config > "$ROW/gw-a.conf"
	port_a=$GW_PORT
	GW_PORT=$(hbm_free_port)
	INSTANCE=soak-b row_config > "$ROW/gw-b.conf"
	daemon_start "$ROW/gw-b.conf" "$ROW/hbmgwd-b.log"
	OTHER_PID=$HBM_DAEMON_PID
	PIDS+=("$OTHER_PID")
	daemon_start "$ROW/gw-a.conf" "$ROW/hbmgwd-a.log"
	row_load 7 "http://127.0.0.1:$port_a" "http://127.0.0.1:$GW_PORT"
	sleep "$WARM"
	agg_mode hang
	hbm_wait 10 some_pending soak-a
	held=$(pending_of soak-a)
	daemon_stop KILL
	fault_end
	agg_mode ok
	say "takeover: soak-a held $held entries at the kill"
	[ "$held" -gt 0 ] || ROW_FAILS+=("soak-a held nothing at the kill")
	if wait_slow 60 none_pending soak-a; then
		echo "recovered $(now)" >> "$ROW/events"
	else
		echo "unrecovered 0" >> "$ROW/events"
	fi
	sleep "$TAIL"
	row_end $((SENDERS * BATCH)) 10
}

# Whether hbmgwd PID has exited or listens (its log LOG says so).
settled() { ! kill -0 "$1" 2>/dev/null || listening_more "$2" 0; }

# Two gateways started with the same gateway.instance: the second must
# refuse to start or take another name; then Redis restarts under load
# (SIGKILL) and no SMS may go out twice beyond what was in flight.
row_same_instance() {
	local port_a n
	row_setup same-instance
	GW_PORT=$(hbm_free_port)
	row_config > "$ROW/gw-a.conf"
	port_a=$GW_PORT
	GW_PORT=$(hbm_free_port)
	row_config > "$ROW/gw-b.conf"
	daemon_start "$ROW/gw-a.conf" "$ROW/hbmgwd-a.log"
	"$HBM_BUILD/hbmgwd" -c "$ROW/gw-b.conf" 2>> "$ROW/hbmgwd-b.log" &
	OTHER_PID=$!
	PIDS+=("$OTHER_PID")
	hbm_wait 10 settled "$OTHER_PID" "$ROW/hbmgwd-b.log"
	if kill -0 "$OTHER_PID" 2>/dev/null; then
		row_load 8 "http://127.0.0.1:$port_a" "http://127.0.0.1:$GW_PORT"
		# Three senders each: the same names make three consumers, not six.
		n=$(rcli XINFO CONSUMERS '{hbm}:outbox:agg' send | grep -c '^name$')
		[ "$n" -gt "$SENDERS" ] ||
			ROW_FAILS+=("a second daemon runs as the same instance ($n sender consumers)")
	else
		wait "$OTHER_PID" 2>/dev/null
		forget "$OTHER_PID"
		OTHER_PID=""
		say "same-instance: the second daemon refused: $(tail -n 1 "$ROW/hbmgwd-b.log")"
		row_load 8 "http://127.0.0.1:$port_a"
		API_PORT=$port_a
	fi
	sleep "$WARM"
	redis_stop KILL
	sleep "$REDIS_DOWN"
	fault_end
	redis_start
	sleep "$REDIS_EVERY"
	sleep "$TAIL"
	row_end $((SENDERS * BATCH))
}

# The first error hbmgwd finds in config FILE, or nothing when it is valid.
config_error() {
	local out
	out=$("$HBM_BUILD/hbmgwd" -c "$1" --check-config 2>&1)
	[ "$out" = "configuration OK" ] ||
		printf '%s\n' "$out" | head -n 1 | sed 's/^[^:]*:[0-9]*: //'

}

# Whether the replica on PORT is in sync with its primary.
synced() {
	[ "$(redis-cli -h 127.0.0.1 -p "$1" INFO replication | tr -d '\r' |
		sed -n 's/^master_link_status://p')" = up ]
}

# Whether the sentinel on port SPORT knows N replicas of the primary.
knows_replicas() {
	[ "$(redis-cli -h 127.0.0.1 -p "$1" SENTINEL replicas hbm |
		grep -c '^ip$')" -ge "$2" ]
}

# Whether the sentinel on port SPORT names one of the servers on PORT...
# as primary; prints its port.
promoted() {
	local now p sport=$1
	shift
	now=$(redis-cli -h 127.0.0.1 -p "$sport" SENTINEL \
		get-master-addr-by-name hbm | sed -n 2p)
	for p in "$@"; do
		if [ "$now" = "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Whether the server on PORT is a primary with N replicas online.
has_replicas() {
	[ "$(redis-cli -h 127.0.0.1 -p "$1" INFO replication | tr -d '\r' |
		sed -n 's/^connected_slaves://p')" -ge "$2" ] 2>/dev/null
}

# Sentinel failover under load, with WAIT on: a primary, two replicas and
# three sentinels on loopback; the gateway finds the primary through the
# sentinels (redis.sentinels, redis.master) and acknowledges an inbound SMS
# only once one replica has it (redis.wait_replicas = 1). The primary is
# killed (-9) (row sentinel), or a live primary is failed over with
# SENTINEL FAILOVER (row sentinel-failover); the sentinels promote the
# replica with the most data and point the others at it, so WAIT is met
# again. Recovery is from the promotion. HBM_SOAK_REDIS_EXTRA adds settings
# to the redis group.
row_sentinel() {
	local name=${1:-sentinel} how=${2:-kill}
	local probe err i r primary replicas=() sport sports=() list=()
	probe=$HBM_TMP/sentinel-probe.conf
	REDIS_PORT=1 AGG_PORT=1 GW_PORT=1
	{ row_config | grep -v '^redis:'
	  echo "redis: { sentinels = [\"127.0.0.1:1\"]; master = \"hbm\"; wait_replicas = 1; ${HBM_SOAK_REDIS_EXTRA:-} };"
	} > "$probe"
	err=$(config_error "$probe")
	if [ -n "$err" ]; then
		not_run "$name" "hbmgwd has no Sentinel support or no WAIT ($err)"
		return
	fi
	if ! command -v redis-sentinel > /dev/null; then
		not_run "$name" "redis-sentinel missing (Debian package redis-sentinel)"
		return
	fi
	row_setup "$name"
	primary=$REDIS_PORT
	for i in 1 2; do
		r=$(hbm_free_port)
		replicas+=("$r")
		mkdir -p "$ROW/replica$i"
		redis-server --port "$r" --bind 127.0.0.1 --dir "$ROW/replica$i" \
			--save '' --appendonly yes --appendfsync "$FSYNC" \
			--replicaof 127.0.0.1 "$primary" \
			--logfile "$ROW/replica$i/log" &
		PIDS+=($!)
	done
	for i in 1 2 3; do
		sport=$(hbm_free_port)
		sports+=("$sport")
		list+=("\"127.0.0.1:$sport\"")
		printf '%s\n' "port $sport" "bind 127.0.0.1" "dir $ROW" \
			"sentinel monitor hbm 127.0.0.1 $primary 2" \
			"sentinel down-after-milliseconds hbm 1000" \
			"sentinel failover-timeout hbm 10000" > "$ROW/sentinel$i.conf"
		redis-sentinel "$ROW/sentinel$i.conf" --logfile "$ROW/sentinel$i.log" &
		PIDS+=($!)
	done
	for r in "${replicas[@]}"; do
		hbm_wait 20 synced "$r" || ROW_FAILS+=("a replica never synced")
	done
	# Sentinels learn of replicas from the primary's INFO, every 10 s.
	hbm_wait 30 knows_replicas "${sports[0]}" 2 ||
		ROW_FAILS+=("the sentinels never saw both replicas")
	GW_PORT=$(hbm_free_port)
	{ row_config | grep -v '^redis:'
	  echo "redis: { sentinels = [$(IFS=,; echo "${list[*]}")]; master = \"hbm\"; timeout_ms = 1500; wait_replicas = 1; wait_timeout_ms = 1000; ${HBM_SOAK_REDIS_EXTRA:-} };"
	} > "$ROW/gw.conf"
	daemon_start "$ROW/gw.conf" "$ROW/hbmgwd.log"
	row_load 9 "http://127.0.0.1:$GW_PORT"
	sleep "$WARM"
	if [ "$how" = kill ]; then
		redis_stop KILL
	else
		# The planned switch docs/redis.md describes: writes paused on
		# the old primary first, so none lands there once a replica
		# is promoted.
		redis-cli -h 127.0.0.1 -p "$primary" CLIENT PAUSE 10000 WRITE \
			> /dev/null
		redis-cli -h 127.0.0.1 -p "${sports[0]}" SENTINEL FAILOVER hbm \
			> /dev/null
	fi
	if hbm_wait 60 promoted "${sports[0]}" "${replicas[@]}"; then
		fault_end
		REDIS_PORT=$(promoted "${sports[0]}" "${replicas[@]}")
		hbm_wait 60 has_replicas "$REDIS_PORT" 1 ||
			ROW_FAILS+=("the other replica never followed the new primary")
	else
		ROW_FAILS+=("the sentinels promoted no replica")
	fi
	sleep "$REDIS_EVERY"
	sleep "$TAIL"
	row_end $((SENDERS * BATCH))
}

# The Kannel chain (fakesmsc -> bearerbox -> smsbox -> hbmgw -> sendsms ->
# fakesmsc), English and Arabic, with delivery reports. It is its own
# scenario, tests/integration/t_kannel.sh, which the row runs; the row
# lists the checks it passed and fails on any that did not.
row_kannel() {
	local err probe=$HBM_TMP/kannel-probe.conf log=$HBM_TMP/kannel.log rc
	REDIS_PORT=1 AGG_PORT=1 GW_PORT=1
	{ row_config | grep -v '^channels\|^ *url = '
	  echo 'channels = ( { name = "kan"; type = "http"; format = "kannel";'
	  echo '  url = "http://127.0.0.1:1/cgi-bin/sendsms"; username = "u";'
	  echo '  password = "p"; from = "1234"; } );'
	} > "$probe"
	err=$(config_error "$probe")
	if [ -n "$err" ]; then
		not_run kannel "hbmgwd has no sender setting for Kannel ($err)"
		return
	elif [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; then
		not_run kannel "Kannel missing (Debian packages kannel, kannel-extras)"
		return
	elif [ "$mode" = small ]; then
		not_run kannel "make check runs the chain itself (t_kannel)"
		return
	fi
	say "kannel: start"
	timeout 300 bash "$top/tests/integration/t_kannel.sh" \
		> "$log" 2>&1
	rc=$?
	"$PY" "$SOAK/report.py" check --name kannel --log "$log" --rc "$rc" \
		>> "$RESULTS"
	say "kannel: $(tail -n 1 "$RESULTS" | hbm_jget verdict)"
	[ $rc -eq 0 ] || tail -n 30 "$log" >&2
}

: > "$RESULTS"
say "mode $mode: ${RATE} messages/s; rows: ${ROWS//$'\n'/ }"
for r in $ROWS; do
	case $r in
	kill) row_kill ;;
	redis) row_redis ;;
	agg-500) row_agg 500 4 ;;
	agg-hang) row_agg hang 5 ;;
	agg-refuse) row_agg refuse 6 ;;
	powerloss) row_powerloss ;;
	takeover) row_takeover ;;
	same-instance) row_same_instance ;;
	sentinel) row_sentinel sentinel kill ;;
	sentinel-failover) row_sentinel sentinel-failover failover ;;
	kannel) row_kannel ;;
	*) say "unknown row $r"; exit 2 ;;
	esac
done

echo
echo "hbmgw fault suite, $mode mode, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
"$PY" "$SOAK/report.py" table "$RESULTS"
