#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: throughput of hbmgwd on this machine, next to baselines
# measured in the same run (the machine is shared and noisy, so only ratios
# to those baselines travel well).
#
#   bench/run.sh [--base REV] [BUILD]
#
# BUILD holds hbmgwd (default build). With --base, the commit REV is built
# too (in a temporary git worktree under build-bench-base/, which make
# clean removes) and the inbound load and /v1/messages run against both
# binaries in the same run, on the same redis-server: the report ends with
# a before/after table of the figures per case and their ratios.
#
# 1. redis-benchmark on the bench's redis-server: single commands, one
#    EVAL doing every write of one case's life, and one doing every command
#    a case makes (the raw-Redis case rate the target's ratio is to);
#    the cost of one SHA-256 in Redis Lua (the audit chain's hash); and wrk
#    against the sink alone, to show it is not what limits.
# 2. Inbound SMS -> case -> replies: wrk posts HELP FOOD messages from new
#    numbers to POST /v1/inbound/sms; end to end is from the first post until
#    every accepted message is a case and its two SMS (reply, agency notice)
#    reached the sink (bench/sink.c, a fast stand-in aggregator).
# 3. POST /v1/messages -> sent, under the same wrk load as 4.
# 4. Kannel (Debian): smsbox sendsms -> bearerbox (spool store) -> a fake
#    SMSC driven by fakesmsc.
# 5. redis-benchmark again; the baseline is the mean of 1 and 5.
#
# Every load is bounded in time, every wait in time, and a watchdog stops
# the whole run after HBM_BENCH_TIMEOUT seconds. Every process the bench
# starts is stopped on any exit. Knobs (environment):
#   HBM_BENCH_DURATION=10      seconds of inbound load
#   HBM_BENCH_MSG_DURATION=10  seconds of /v1/messages and of Kannel load
#   HBM_BENCH_THREADS=2 HBM_BENCH_CONNS=50   wrk threads and connections
#   HBM_BENCH_DRAIN_MAX=180    seconds to wait for a queue to drain
#   HBM_BENCH_BASELINE_N=50000 requests per redis-benchmark test
#   HBM_BENCH_AOF=yes          redis appendonly (fsync everysec), or no
#   HBM_BENCH_HASH_VALUE=1024  redis hash-max-listpack-value, as docs/redis.md
#                              advises (Redis's own default is 64)
#   HBM_BENCH_KANNEL=1         0 skips Kannel
#   HBM_BENCH_PERF=0           1 samples redis-server and hbmgwd with perf
#   HBM_BENCH_TIMEOUT=900      the watchdog, seconds (1500 with --base)
#   HBM_BENCH_SLOWLOG_US=1000  SLOWLOG threshold; 0 logs every command, so
#                              the report shows the mix of the last 1024
set -u
set -o pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
BASE_REV=""
while [ $# -gt 0 ]; do
	case $1 in
	--base)
		[ -n "${2:-}" ] || { echo "usage: bench/run.sh [--base REV] [BUILD]" >&2; exit 2; }
		BASE_REV=$2
		shift 2
		;;
	--base=*) BASE_REV=${1#--base=}; shift ;;
	*) break ;;
	esac
done
BUILD=$(bench_build "${1:-}")

DURATION=${HBM_BENCH_DURATION:-10}
MSG_DURATION=${HBM_BENCH_MSG_DURATION:-10}
THREADS=${HBM_BENCH_THREADS:-2}
CONNS=${HBM_BENCH_CONNS:-50}
DRAIN_MAX=${HBM_BENCH_DRAIN_MAX:-180}
BASE_N=${HBM_BENCH_BASELINE_N:-50000}
AOF=${HBM_BENCH_AOF:-yes}
HASH_VALUE=${HBM_BENCH_HASH_VALUE:-1024}
KANNEL=${HBM_BENCH_KANNEL:-1}
PERF=${HBM_BENCH_PERF:-0}
if [ -n "$BASE_REV" ]; then TIMEOUT=${HBM_BENCH_TIMEOUT:-1500}
else TIMEOUT=${HBM_BENCH_TIMEOUT:-900}; fi
SLOWLOG_US=${HBM_BENCH_SLOWLOG_US:-1000}
FAKESMSC=${HBM_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}
BEARERBOX=${HBM_BEARERBOX:-/usr/sbin/bearerbox}
SMSBOX=${HBM_SMSBOX:-/usr/sbin/smsbox}

# Targets (the issue): end-to-end cases/s, ratio to raw Redis, RSS in kB.
TARGET_CASES=5000
TARGET_RATIO=0.50
TARGET_RSS_KB=65536

PIDS=()      # every process started and not yet waited for
PERF_PIDS=() # perf record processes, waited for by perf_report
TMP=""
WATCHDOG=""
GW_PID=""
BASE_BIN=""   # hbmgwd of --base REV
BASE_WT=""    # its temporary worktree while it builds
BASE_DIR=$SRCDIR/build-bench-base
RESULTS=$BUILD/bench/last-run.txt
BENCH_NAME=bench

# Whether process PID is alive (not gone, not a zombie).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in Z*) return 1 ;; esac
	return 0
}

cleanup() {
	local pid i any
	trap - EXIT INT TERM
	[ -n "$WATCHDOG" ] && kill -TERM "$WATCHDOG" 2>/dev/null
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for i in $(seq 1 50); do
		any=0
		for pid in "${PIDS[@]}"; do
			alive "$pid" && any=1
		done
		[ $any = 0 ] && break
		sleep 0.1
	done
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$BASE_WT" ] && base_wt_remove
	# hbmgwd's log outlives the run, for a look after a failure.
	[ -n "$TMP" ] && [ -s "$TMP/hbmgwd.log" ] &&
		cp "$TMP/hbmgwd.log" "$BUILD/bench/hbmgwd.log" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}

# Stop the run (through the EXIT trap) after TIMEOUT seconds; runs in a
# subshell that cleanup stops, and its sleep with it.
watchdog() {
	local s
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "$TIMEOUT" &
	s=$!
	wait "$s" || exit 0
	case $(ps -o args= -p $$ 2>/dev/null) in
	*bench/run.sh*)
		echo "bench: still running after ${TIMEOUT}s: stopping" >&2
		kill -TERM $$
		;;
	esac
}

# Take PID off the list of processes to stop: it has exited and been
# waited for, and its number may be reused.
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# Milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

# Run CMD... in the background, bounded by SECONDS, and wait for it; the
# wait is interruptible, so a signal reaches cleanup at once.
bounded() {
	local limit=$1 rc pid
	shift
	timeout -k 5 "$limit" "$@" &
	pid=$!
	PIDS+=("$pid")
	wait "$pid"
	rc=$?
	forget "$pid"
	return $rc
}

# awk arithmetic: calc EXPR (numbers only, from this script).
calc() {
	awk "BEGIN { v = $1; if (v == int(v)) printf \"%.0f\", v;
	    else printf \"%.2f\", v }"
}

# The value of KEY=VALUE in a wrk-result line.
kv() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

rcli() {
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# A field of INFO (section SECTION).
rinfo() {
	rcli INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"
}

# A counter of hbmgwd's /metrics (full name with labels), 0 when absent.
metric() {
	curl -s --max-time 5 "$HBM_METRICS_URL/metrics" |
	    awk -v k="$1" '$1 == k { v = $2 } END { printf "%.0f", v + 0 }'
}

sink_count() {
	curl -s --max-time 5 "http://127.0.0.1:$SINK_PORT/count" || echo 0
}

# CPU clock ticks (user + system) of process PID, 0 when gone.
ticks() {
	awk '{ printf "%.0f\n", $14 + $15 }' "/proc/$1/stat" 2>/dev/null ||
	    echo 0
}

# Busy and total ticks of the machine, "busy total".
machine_ticks() {
	awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i;
	    printf "%.0f %.0f\n", t - $5 - $6, t }' /proc/stat
}

# Per-thread ticks of process PID into FILE ("tid ticks" lines).
thread_ticks() {
	local t
	for t in /proc/"$1"/task/*; do
		[ -r "$t/stat" ] || continue
		awk -v id="${t##*/}" '{ printf "%s %.0f\n", id, $14 + $15 }' \
		    "$t/stat"
	done > "$2" 2>/dev/null
}

# Start the CPU accounting of a phase.
cpu_start() {
	CPU_T0=$(now_ms)
	CPU_REDIS0=$(ticks "$REDIS_PID")
	CPU_GW0=$(ticks "$GW_PID")
	CPU_SINK0=$(ticks "$SINK_PID")
	CPU_MACH0=$(machine_ticks)
	thread_ticks "$GW_PID" "$TMP/threads0"
}

# Report the CPU used since cpu_start, as % of one core.
cpu_report() {
	local wall hz r g s mb mt busy
	wall=$(( $(now_ms) - CPU_T0 ))
	[ "$wall" -gt 0 ] || wall=1
	hz=$(getconf CLK_TCK)
	r=$(calc "($(ticks "$REDIS_PID") - $CPU_REDIS0) * 100000 / $hz / $wall")
	g=$(calc "($(ticks "$GW_PID") - $CPU_GW0) * 100000 / $hz / $wall")
	s=$(calc "($(ticks "$SINK_PID") - $CPU_SINK0) * 100000 / $hz / $wall")
	read -r mb mt < <(machine_ticks)
	busy=$(calc "($mb - ${CPU_MACH0% *}) * 100 * $(nproc) / ($mt - ${CPU_MACH0#* })")
	say "  CPU ($(calc "$wall / 1000") s, % of one core): redis-server $r%," \
	    "hbmgwd $g%, sink $s%; machine busy $busy% of $(( $(nproc) * 100 ))%"
	thread_ticks "$GW_PID" "$TMP/threads1"
	say "  hbmgwd busiest threads (tid:cpu%): $(join -j 1 \
	    <(sort "$TMP/threads0") <(sort "$TMP/threads1") |
	    awk -v hz="$hz" -v w="$wall" '{ printf "%s %.0f\n", $1,
	    ($3 - $2) * 100000 / hz / w }' | sort -k2 -rn | head -n 4 |
	    awk '{ printf "%s%s:%s%%", (NR > 1 ? " " : ""), $1, $2 }')"
}

# The top Redis commands by time since the last CONFIG RESETSTAT, with
# calls per UNIT (e.g. per case) when N units were done.
redis_commands() {
	local n=$1 unit=$2
	say "  redis commands by time (calls per $unit, usec per call):"
	rcli INFO commandstats | tr -d '\r' |
	    awk -F'[:,=]' -v n="$n" '/^cmdstat_/ {
		printf "%.0f %s %.2f %.1f\n", $5, substr($1, 9),
		    (n > 0 ? $3 / n : 0), $7 }' |
	    sort -rn | head -n 6 |
	    while read -r usec name per upc; do
		say "    $(printf '%-12s %6.1f s  %5s per %s  %6s usec/call' \
		    "$name" "$(calc "$usec / 1000000")" "$per" "$unit" "$upc")"
	    done
	redis_slowlog
}

# What the SLOWLOG (commands over 1 ms, the last 1024) holds, by command
# and key (the first two parts): a script is known by its first key
# ({hbm}:inbox: apply, {hbm}:dedup: inbox_add, {hbm}:msg: outbox_sent,
# {hbm}:msgseq: outbox_enqueue).
redis_slowlog() {
	say "  redis SLOWLOG, over $SLOWLOG_US us: $(rcli SLOWLOG LEN) entries; by" \
	    "command and first key (count, avg us, max us):"
	rcli --json SLOWLOG GET 1024 2>/dev/null |
	    grep -oE '\[[0-9]+,[0-9]+,[0-9]+,\["[^"]*"(,"[^"]*"){0,3}' |
	    sed -E 's/^\[[0-9]+,[0-9]+,([0-9]+),\["([^"]*)"(,"([^"]*)")?(,"[^"]*")?(,"([^"]*)")?.*/\1|\2|\4|\7/' |
	    awk -F'|' '{ key = toupper($2) ~ /^EVAL/ ? $4 : $3;
		n = split(key, a, ":");
		k = toupper($2) " " (n > 1 ? a[1] ":" a[2] : "-");
		c[k]++; t[k] += $1; if ($1 > m[k]) m[k] = $1 }
		END { for (k in c) printf "%d %s %.1f %.1f\n", c[k], k,
		    t[k] / c[k], m[k] }' |
	    sort -rn | head -n 8 |
	    while read -r n cmd key avg max; do
		say "    $(printf '%-8s %-14s %5d  %6s  %6s' "$cmd" "$key" \
		    "$n" "$avg" "$max")"
	    done
	rcli SLOWLOG RESET > /dev/null
}

# Sample PID with perf for SECONDS as NAME (HBM_BENCH_PERF=1), in the
# background. No call graphs: Debian's binaries have no frame pointers.
perf_sample() {
	local pid=$1 secs=$2 name=$3
	[ "$PERF" = 1 ] || return 0
	command -v perf >/dev/null 2>&1 || return 0
	perf record -F 999 -p "$pid" -o "$TMP/$name.perf" \
	    -- sleep "$secs" > /dev/null 2>&1 &
	PIDS+=($!)
	PERF_PIDS+=($!)
}

# Report the perf sample NAME: the share of each object (kernel, program,
# libraries) and the top symbols (Debian's redis-server exports only some:
# the Lua interpreter's own functions show as addresses); the whole report
# also goes to BUILD/bench/perf-NAME.txt.
perf_report() {
	local name=$1 out=$BUILD/bench/perf-$1.txt pid
	[ "$PERF" = 1 ] || return 0
	for pid in "${PERF_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
		forget "$pid"
	done
	PERF_PIDS=()
	[ -s "$TMP/$name.perf" ] || return 0
	perf report -i "$TMP/$name.perf" --stdio --sort dso,sym 2>/dev/null |
	    grep -E '^ +[0-9.]+%' > "$TMP/$name.syms"
	{
		printf 'by object:'
		awk '{ sub("%", "", $1); s[$2] += $1 } END {
		    for (d in s) if (s[d] >= 1) printf " %s %.0f%%\n", d, s[d] }' \
		    "$TMP/$name.syms" | sort -k2 -rn | tr -d '\n'
		echo
		echo "top symbols:"
		head -n 10 "$TMP/$name.syms"
	} > "$out"
	say "  perf $name (also in $out):"
	while read -r line; do
		say "    $line"
	done < <(head -n 7 "$out")
}

# One wrk run: wrk_run SECONDS URL MODE TOKEN [USER PASSWORD]; sets WRK.
wrk_run() {
	local secs=$1 url=$2
	shift 2
	bounded $((secs + 30)) wrk -t "$THREADS" -c "$CONNS" -d "${secs}s" \
	    --timeout 5s -s "$SRCDIR/bench/load.lua" "$url" -- "$1" "$2" \
	    "$NONCE" "${3:-}" "${4:-}" > "$TMP/wrk.out" 2>&1
	WRK=$(grep '^wrk-result' "$TMP/wrk.out" | tail -n 1)
	[ -n "$WRK" ] || die "wrk failed: $(cat "$TMP/wrk.out")"
}

# The raw-Redis cost of one case: every write of its life in one EVAL (the
# inbox entry and its dedup key, the case hash with its history, the three
# sorted sets, the number record with the case in it, the audit entry of its two lines, two SMS records with
# their index and outbox entries, the op key). No parsing, crypto or
# checks: the ceiling a gateway built on this Redis could reach.
CASE_WRITES='
redis.call("SET", "b:dedup:" .. r, "1", "EX", 86400)
redis.call("XADD", "b:inbox", "*", "from", sealed, "from_hash", hash,
  "sender", "phone", "to", "1234", "text", "HELP FOOD near gate 3",
  "ext", r, "source", "http", "received_ms", now)
local c = "b:case:" .. r
redis.call("HSET", c, "code", r, "kind", "relief", "category", "food",
  "status", "notified", "agency", "wfp", "region", "", "persons", "1",
  "note", "near gate 3", "lang", "en", "num", hash, "phone", sealed,
  "consent", "1", "priority", "3", "created_ms", now, "updated_ms", now,
  "stage", "0", "tried", "", "ver", "1", "due_ms", now,
  "h" .. now .. "000", now .. "|migrant|created|food")
redis.call("ZADD", "b:sla", now, r)
redis.call("ZADD", "b:cases", now, r)
redis.call("ZADD", "b:agency:wfp:open", now, r)
redis.call("HSET", "b:num:" .. hash .. r, "case_ms", now, "case_n", "1",
  "reply_ms", now, "reply_n", "1", "c:" .. r, now)
redis.call("XADD", "b:audit", "*", "ts", now, "subject", r,
  "actor", "migrant", "action", "created", "detail", "food", "subject", r,
  "actor", "gateway", "action", "notified", "detail", "wfp", "prev", hash,
  "hash", hash)
redis.call("SET", "b:audit:head", hash)
local seq = now * 1000 + tonumber(r) * 2
redis.call("SET", "b:msgseq", string.format("%d", seq), "GET")
for i, k in ipairs({ "reply", "notify" }) do
  local id = "m" .. string.format("%d", seq - 2 + i)
  redis.call("HSET", "b:msg:" .. id, "to", sealed,
    "text", "Your request 4821-3957 (food) is received.", "channel",
    "sink", "kind", k, "status", "sent", "error", "", "attempts", "1",
    "created_ms", now, "updated_ms", now)
  redis.call("ZADD", "b:msgs:" .. hash, now, id)
  local e = redis.call("XADD", "b:outbox", "*", "msg", id, "to", sealed,
    "text", "Your request 4821-3957 (food) is received.")
  redis.call("XDEL", "b:outbox", e)
end
redis.call("XADD", "b:msglog", "*", "m", string.format("m%d", seq - 1),
  "m", string.format("m%d", seq))
'
CASE_ARGS='local r, now, sealed, hash = ARGV[1], ARGV[2], ARGV[3], ARGV[4]'
CASE_LUA="$CASE_ARGS $CASE_WRITES return 1"

# Every command a case makes, as INFO commandstats counts them per case
# (bench/README.md): the writes above, and the reads and bookkeeping
# around them: the sender's record read, the type guards,
# the version check, the inbox entry's acknowledgement (the operation's
# guard), the number and index lifetimes, the audit entry
# written to {hbm}:audit:new before the chainer appends it, and for each
# SMS the write of its record when it is sent (the sender takes the
# number and text from the outbox entry, and a first send reads no
# record). Commands the
# gateway makes once per batch (XREADGROUP, XRANGE) are left out,
# which flatters this baseline.
CASE_CHECKS='
local num = "b:num:" .. hash .. r
redis.call("HGETALL", num)
redis.call("XACK", "b:inbox", "dispatch", "1-" .. r)
redis.call("HGET", num, "ver")
redis.call("GET", "b:audit:head")
redis.call("EXISTS", "b:case:" .. r, "b:case:h:" .. r)
for _, k in ipairs({ "b:num:", "b:sla:" }) do
  redis.call("TYPE", k .. r)
end
'
CASE_AFTER='
redis.call("EXPIRE", num, 604800)
redis.call("XADD", "b:audit:new", "*", "ts", now, "subject", r,
  "actor", "migrant", "action", "created", "detail", "food", "subject", r,
  "actor", "gateway", "action", "notified", "detail", "wfp")
for _, k in ipairs({ "reply", "notify" }) do
  local m = "b:msg:m" .. r .. k
  redis.call("EXPIRE", "b:msgs:" .. hash, 604800)
  redis.call("HSET", m, "updated_ms", now, "status", "sent", "attempts", 1)
end
'
CASE_ALL_LUA="$CASE_ARGS $CASE_CHECKS $CASE_WRITES $CASE_AFTER return 1"

# One redis-benchmark test of N requests (the rest: the command); sets RB
# to its requests per second, 0 when it failed.
rb_run() {
	bounded 120 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c "$CONNS" \
	    -n "$1" -r 100000000 --csv "${@:2}" > "$TMP/rb.csv" 2>/dev/null
	RB=$(tail -n 1 "$TMP/rb.csv" | cut -d, -f2 | tr -d '"' |
	    awk '$1 + 0 > 0 { printf "%.0f", $1 }')
	RB=${RB:-0}
}

# Run the redis-benchmark baseline on an empty database; sets BASE_CASE
# (the EVAL rate).
baseline() {
	local label=$1 set hset zadd xadd
	local sealed hash
	rcli FLUSHALL > /dev/null
	sealed=$(head -c 45 /dev/urandom | base64 | tr -d '\n')
	hash=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	rb_run "$BASE_N" SET "b:k:__rand_int__" v
	set=$RB
	rb_run "$BASE_N" HSET "b:h:__rand_int__" f v
	hset=$RB
	rb_run "$BASE_N" ZADD b:z __rand_int__ m:__rand_int__
	zadd=$RB
	rb_run "$BASE_N" XADD b:x '*' f v
	xadd=$RB
	rb_run $((BASE_N / 2)) EVAL "$CASE_LUA" 0 __rand_int__ 1700000000000 \
	    "$sealed" "$hash"
	BASE_CASE=$RB
	rb_run $((BASE_N / 2)) EVAL "$CASE_ALL_LUA" 0 __rand_int__ \
	    1700000000000 "$sealed" "$hash"
	BASE_ALL=$RB
	say "  $label: SET $set/s, HSET $hset/s, ZADD $zadd/s, XADD $xadd/s;" \
	    "one case's writes in one EVAL: $BASE_CASE cases/s; all its" \
	    "commands in one EVAL: $BASE_ALL cases/s"
	rcli FLUSHALL > /dev/null
}

# Replace @NAME@ in template FILE with the values given as NAME=VALUE.
fill() {
	local file=$1 args=() kv
	shift
	for kv in "$@"; do
		args+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
	done
	sed "${args[@]}" "$file"
}

status_line() {
	local ok=$1
	shift
	if [ "$ok" = 1 ]; then say "  PASS  $*"; else say "  FAIL  $*"; fi
}

# A ratio A / B of two figures, "-" when either is missing or B is 0.
ratio() {
	case "$1:$2" in
	-:* | *:- | :* | *: ) printf '%s' - ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) printf "-";
	    else printf "%.2f", a / b }' ;;
	esac
}

# The figures per case of the inbound runs, one column per build, and the
# ratio current / base when there is a base.
figures_table() {
	local f
	say ""
	say "== Figures per case (inbound SMS -> case -> 2 SMS; deltas over each" \
	    "run, from the first request until drained, divided by its cases)"
	row() { # LABEL CUR BASE
		if [ -n "$BASE_BIN" ]; then
			say "$(printf '  %-40s %18s %18s %9s' "$1" "$2" "$3" \
			    "$(ratio "$2" "$3")")"
		else
			say "$(printf '  %-40s %18s' "$1" "$2")"
		fi
	}
	if [ -n "$BASE_BIN" ]; then
		say "$(printf '  %-40s %18s %18s %9s' "" current base "cur/base")"
		say "$(printf '  %-40s %18s %18s' "" "${CUR_NAME#current }" \
		    "${BASE_NAME#base }")"
	else
		say "$(printf '  %-40s %18s' "" "${CUR_NAME#current }")"
	fi
	for f in "cases measured (everysec)|CASES" \
	    "redis-server CPU per case, us|RCPU" \
	    "hbmgwd CPU per case, us|GCPU" \
	    "redis commands per case|CMDS" \
	    "redis memory per case, bytes|MEM" \
	    "inbox entries per dispatcher batch|BATCH" \
	    "end to end, appendfsync everysec, case/s|E2E"; do
		row "${f%|*}" "$(fig cur_everysec "${f#*|}")" \
		    "$(fig base_everysec "${f#*|}")"
	done
	row "end to end, appendfsync always, case/s" "$(fig cur_always E2E)" \
	    "$(fig base_always E2E)"
	row "  always / everysec" \
	    "$(ratio "$(fig cur_always E2E)" "$(fig cur_everysec E2E)")" \
	    "$(ratio "$(fig base_always E2E)" "$(fig base_everysec E2E)")"
	row "  always: redis-server CPU per case, us" "$(fig cur_always RCPU)" \
	    "$(fig base_always RCPU)"
	row "  always: hbmgwd CPU per case, us" "$(fig cur_always GCPU)" \
	    "$(fig base_always GCPU)"
	if [ -n "$BASE_BIN" ]; then
		row "/v1/messages: gw + redis CPU/msg, us" \
		    "$MSG_CPU_US" "${BASE_MSG_CPU:--}"
		row "/v1/messages: sent/s" "$MSG_E2E" "${BASE_MSG_E2E:--}"
	fi
	say "  commands per case (INFO commandstats; EVALSHA and each call inside a script):"
	say "    current: $(fig cur_everysec TOP)"
	[ -n "$BASE_BIN" ] && say "    base:    $(fig base_everysec TOP)"
	return 0
}

base_wt_remove() {
	git -C "$SRCDIR" worktree remove --force "$BASE_WT" 2>/dev/null ||
	    rm -rf "$BASE_WT"
	BASE_WT=""
}

# Build hbmgwd of commit REV (--base) in a temporary git worktree under
# build-bench-base/, keep the binary there as hbmgwd-SHA (built once per
# commit) and remove the worktree; sets BASE_BIN and BASE_NAME.
base_build() {
	local sha
	sha=$(git -C "$SRCDIR" rev-parse --verify --quiet "$1^{commit}") ||
	    die "--base $1: not a commit"
	BASE_NAME="base $(git -C "$SRCDIR" rev-parse --short "$sha")"
	BASE_BIN=$BASE_DIR/hbmgwd-$sha
	[ -x "$BASE_BIN" ] && return 0
	mkdir -p "$BASE_DIR" || die "cannot make $BASE_DIR"
	BASE_WT=$BASE_DIR/src-$$
	say "bench: building $BASE_NAME in $BASE_WT (log in" \
	    "$BASE_DIR/build-$sha.log)"
	git -C "$SRCDIR" worktree add --detach --quiet "$BASE_WT" "$sha" \
	    > "$BASE_DIR/build-$sha.log" 2>&1 ||
	    die "git worktree add $BASE_WT failed: $(tail -n 3 "$BASE_DIR/build-$sha.log")"
	bounded 900 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$BASE_WT" --no-print-directory -j"$(nproc)" \
	    BUILD=build build/hbmgwd >> "$BASE_DIR/build-$sha.log" 2>&1 ||
	    die "cannot build $BASE_NAME: $(tail -n 5 "$BASE_DIR/build-$sha.log")"
	cp "$BASE_WT/build/hbmgwd" "$BASE_BIN.tmp" &&
	    mv "$BASE_BIN.tmp" "$BASE_BIN" || die "cannot keep $BASE_BIN"
	base_wt_remove
}

# ---------------------------------------------------------------- setup

mkdir -p "$BUILD/bench" || exit 1
: > "$RESULTS"
trap cleanup EXIT
trap 'say "bench: interrupted: stopping"; exit 130' INT TERM
watchdog &
WATCHDOG=$!

# `make bench` installs the test packages; wrk and Kannel come from here.
"$SRCDIR/tools/deps.sh" bench ||
    say "bench: tools/deps.sh bench failed: going on with what is installed"
for cmd in wrk redis-server redis-cli redis-benchmark curl cc; do
	command -v "$cmd" >/dev/null 2>&1 ||
	    die "$cmd is missing (tools/deps.sh bench installs it)"
done
[ -x "$BUILD/hbmgwd" ] || die "$BUILD/hbmgwd is missing: make first"
CUR_NAME="current $(git -C "$SRCDIR" describe --always --dirty 2>/dev/null || echo build)"
BASE_NAME=""
[ -n "$BASE_REV" ] && base_build "$BASE_REV"
TMP=$(mktemp -d /tmp/hbm-bench.XXXXXX)
NONCE=$(date +%s)-$$

${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Wformat=2 -Wshadow \
    -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual \
    -Wwrite-strings -Wvla -Wimplicit-fallthrough -Werror \
    -o "$BUILD/bench/sink" "$SRCDIR/bench/sink.c" || die "cannot build the sink"

say "hbmgw bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine: $(uname -srm); $(nproc) cores" \
    "($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1));" \
    "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
    "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
say "versions: $("$BUILD/hbmgwd" --version 2>&1 | head -n 1) (git" \
    "$(git -C "$SRCDIR" describe --always --dirty 2>/dev/null || echo none))${BASE_NAME:+; $BASE_NAME}," \
    "$(redis-server --version | cut -d' ' -f1-3), wrk $(wrk -v 2>&1 |
    sed -n 's/^wrk \([^ ]*\).*/\1/p')"
say "load: wrk -t$THREADS -c$CONNS; inbound ${DURATION}s, messages and" \
    "Kannel ${MSG_DURATION}s each; redis appendonly $AOF," \
    "hash-max-listpack-value $HASH_VALUE"

mkdir -p "$TMP/redis"
for _ in 1 2 3 4 5; do
	REDIS_PORT=$(hbm_free_port) || die "no free port"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP/redis" \
	    --save '' --appendonly "$AOF" --appendfsync everysec \
	    --auto-aof-rewrite-percentage 0 \
	    --hash-max-listpack-value "$HASH_VALUE" \
	    --logfile "$TMP/redis/log" --slowlog-log-slower-than "$SLOWLOG_US" \
	    --slowlog-max-len 1024 &
	REDIS_PID=$!
	PIDS+=("$REDIS_PID")
	hbm_wait 5 rcli PING && break
	kill -KILL "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	forget "$REDIS_PID"
	REDIS_PID=""
done
[ -n "$REDIS_PID" ] || die "redis-server did not start: $(cat "$TMP/redis/log")"

"$BUILD/bench/sink" -f "$TMP/sink.port" -t $((TIMEOUT + 60)) 2> "$TMP/sink.log" &
SINK_PID=$!
PIDS+=("$SINK_PID")
hbm_wait 5 test -s "$TMP/sink.port" || die "the sink did not start"
SINK_PORT=$(cat "$TMP/sink.port")

ADMIN_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
CHANNEL_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
head -c 32 /dev/urandom > "$TMP/key"
chmod 600 "$TMP/key"
fill "$SRCDIR/bench/hbmgw.conf.in" "REDIS_URL=tcp://127.0.0.1:$REDIS_PORT" \
    "KEY_FILE=$TMP/key" "SINK_PORT=$SINK_PORT" \
    "ADMIN_SHA256=$(printf %s "$ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)" \
    "CHANNEL_SHA256=$(printf %s "$CHANNEL_TOKEN" | sha256sum | cut -d' ' -f1)" \
    > "$TMP/hbmgw.conf"

# ------------------------------------------------------ 1. raw Redis

say ""
say "== Redis baseline (redis-benchmark -c$CONNS, same redis-server)"
baseline "before"
BASE1=$BASE_CASE
ALL1=$BASE_ALL
wrk_run 3 "http://127.0.0.1:$SINK_PORT/send" sink ""
SINK_OK=$(( $(kv "$WRK" requests) - $(kv "$WRK" non2xx) ))
say "  the sink alone (wrk POST, 3 s):" \
    "$(calc "int($SINK_OK / $(kv "$WRK" duration_s))") requests/s"

# ------------------------------------------ 2. inbound SMS -> cases -> SMS

# Empty the database and its AOF (a rewrite of nothing), and set appendfsync
# to FSYNC, so that every run starts alike.
redis_reset() {
	local i
	rcli CONFIG SET appendfsync "$1" > /dev/null
	rcli FLUSHALL > /dev/null
	[ "$AOF" = yes ] || return 0
	rcli BGREWRITEAOF > /dev/null 2>&1
	for i in $(seq 1 100); do
		[ "$(rinfo persistence aof_rewrite_in_progress)" != 1 ] &&
		    [ "$(rinfo persistence aof_rewrite_scheduled)" != 1 ] && break
		sleep 0.1
	done
}

# Start hbmgwd BIN on an empty database with appendfsync FSYNC; sets
# GW_PID, HBM_URL and HBM_METRICS_URL, or GW_WHY and returns 1.
gw_start() {
	local bin=$1
	GW_WHY=""
	redis_reset "$2"
	: > "$TMP/hbmgwd.log"
	"$bin" -c "$TMP/hbmgw.conf" 2>> "$TMP/hbmgwd.log" &
	GW_PID=$!
	PIDS+=("$GW_PID")
	if ! hbm_wait 10 grep -q 'metrics: listening on' "$TMP/hbmgwd.log"; then
		GW_WHY="hbmgwd did not start: $(tail -n 3 "$TMP/hbmgwd.log" |
		    tr '\n' ' ')"
		gw_stop
		return 1
	fi
	HBM_URL="http://127.0.0.1:$(sed -n 's/.*http: listening on .*:\([0-9]*\)$/\1/p' \
	    "$TMP/hbmgwd.log" | tail -n 1)"
	HBM_METRICS_URL="http://127.0.0.1:$(sed -n 's/.*metrics: listening on .*:\([0-9]*\)$/\1/p' \
	    "$TMP/hbmgwd.log" | tail -n 1)"
	if ! hbm_wait 10 curl -sf "$HBM_URL/readyz"; then
		GW_WHY="hbmgwd is not ready: $(tail -n 3 "$TMP/hbmgwd.log" |
		    tr '\n' ' ')"
		gw_stop
		return 1
	fi
	sleep 1
}

gw_stop() {
	[ -n "${GW_PID:-}" ] || return 0
	kill -TERM "$GW_PID" 2>/dev/null
	for _ in $(seq 1 100); do alive "$GW_PID" || break; sleep 0.1; done
	kill -KILL "$GW_PID" 2>/dev/null
	wait "$GW_PID" 2>/dev/null
	forget "$GW_PID"
	GW_PID=""
}

# Start the per-unit accounting: Redis's command counts (CONFIG RESETSTAT),
# the CPU ticks of redis-server and hbmgwd, used_memory.
unit_start() {
	rcli CONFIG RESETSTAT > /dev/null
	U_R0=$(ticks "$REDIS_PID")
	U_G0=$(ticks "$GW_PID")
	U_MEM0=$(rinfo memory used_memory)
	BENCH_CMDS=0   # ZCARD polls the bench itself sends
	BENCH_PINGS=0  # PINGs of redis-cli --latency
}

# The figures per unit since unit_start, over N units: U_RCPU and U_GCPU
# (CPU microseconds of redis-server and hbmgwd), U_CMDS (Redis commands as
# INFO commandstats counts them, EVALSHA and every call inside a script
# each one, the bench's own commands left out), U_TOP (the commands with
# the most calls, "name calls ..."), U_MEM (used_memory bytes).
unit_figures() {
	local n=$1 hz
	[ "$n" -gt 0 ] || n=1
	hz=$(getconf CLK_TCK)
	U_RCPU=$(calc "int(($(ticks "$REDIS_PID") - $U_R0) * 1000000 / $hz / $n + 0.5)")
	U_GCPU=$(calc "int(($(ticks "$GW_PID") - $U_G0) * 1000000 / $hz / $n + 0.5)")
	U_MEM=$(calc "int(($(rinfo memory used_memory) - $U_MEM0) / $n + 0.5)")
	rcli INFO commandstats | tr -d '\r' |
	    awk -F'[:,=]' -v zc="$BENCH_CMDS" -v pg="$BENCH_PINGS" '/^cmdstat_/ {
		name = substr($1, 9); calls = $3
		if (name ~ /^(info|config|slowlog)/) next
		if (name == "zcard") calls -= zc
		if (name == "ping") calls -= pg
		if (calls > 0) print calls, name }' |
	    sort -rn > "$TMP/cmdstats"
	U_CMDS=$(awk -v n="$n" '{ t += $1 } END { printf "%.1f", t / n }' \
	    "$TMP/cmdstats")
	# The script calls first, then the commands with the most calls.
	U_TOP=$( { grep -E ' (evalsha|eval|fcall)$' "$TMP/cmdstats"
	    grep -vE ' (evalsha|eval|fcall)$' "$TMP/cmdstats" | head -n 10; } |
	    awk -v n="$n" '{ printf "%s%s %.2f", (NR > 1 ? ", " : ""), $2,
	    $1 / n }' | sed 's/\.00\b//g')
}

# Wait in the background, at most DRAIN_MAX, until every accepted message
# is a case (hbmgwd's accepted counter, read again at each poll so that the
# requests in flight when wrk stopped count, against ZCARD {hbm}:cases) and
# then until the sink has counted two SMS per case more than SINK0; write
# "T_CASES T_DONE POLLS" to FILE (a time is "-" when it was not reached;
# POLLS the ZCARDs sent). It runs beside whatever the report does
# meanwhile, so that every run is timed alike.
drain_watch() {
	local sink0=$1 polls=0 tc="" td="" deadline accepted=0
	deadline=$(( $(now_ms) + DRAIN_MAX * 1000 ))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		if [ -z "$tc" ]; then
			accepted=$(metric 'hbmgw_inbound_total{source="http",status="accepted"}')
			polls=$((polls + 1))
			[ "$(rcli ZCARD '{hbm}:cases')" -ge "$accepted" ] &&
			    tc=$(now_ms)
		fi
		if [ -n "$tc" ] &&
		    [ $(( $(sink_count) - sink0 )) -ge $((2 * accepted)) ]; then
			td=$(now_ms)
			break
		fi
		sleep 0.1
	done
	echo "${tc:--} ${td:--} $polls" > "$2"
}

# One run of the inbound load against the running hbmgwd: wrk for
# DURATION, then wait until every accepted message is a case and its two
# SMS reached the sink. DETAIL=1 prints everything (the main run), else
# one line. Sets ACCEPTED, CASES, SENT, EXPECT, E2E, E2E_S, MADE, WRK_OK,
# WRK_S, IN_P50, IN_P99, MEM_CASE and the U_* figures per case.
inbound_run() {
	local detail=$1 l_max l_avg l_n l_pid="" w_pid polls
	SINK0=$(sink_count)
	BATCH0=$(metric hbmgw_inbox_batches_total)
	PROC0=$(metric hbmgw_inbox_processed_total)
	rcli SLOWLOG RESET > /dev/null
	unit_start
	[ "$detail" = 1 ] && cpu_start
	[ "$detail" = 1 ] && perf_sample "$GW_PID" 5 hbmgwd-accept
	T0=$(now_ms)
	wrk_run "$DURATION" "$HBM_URL/v1/inbound/sms" inbound "$CHANNEL_TOKEN"
	ACCEPTED=$(metric 'hbmgw_inbound_total{source="http",status="accepted"}')
	drain_watch "$SINK0" "$TMP/drain" &
	w_pid=$!
	PIDS+=("$w_pid")
	WRK_OK=$(( $(kv "$WRK" requests) - $(kv "$WRK" non2xx) ))
	WRK_S=$(kv "$WRK" duration_s)
	IN_P50=$(kv "$WRK" p50_ms)
	IN_P99=$(kv "$WRK" p99_ms)
	if [ "$detail" = 1 ]; then
		say "  wrk: $(kv "$WRK" requests) requests, $(kv "$WRK" non2xx) not 2xx," \
		    "$(kv "$WRK" errors) socket errors; latency p50 $IN_P50 ms," \
		    "p99 $IN_P99 ms"
		say "  accepted: $ACCEPTED (hbmgwd counter; wrk saw $WRK_OK 2xx)" \
		    "= $(calc "$WRK_OK / $WRK_S")/s"
		cpu_report
		perf_report hbmgwd-accept
		say "  -- draining (at most ${DRAIN_MAX}s)"
		cpu_start
		perf_sample "$REDIS_PID" 5 redis-drain
		perf_sample "$GW_PID" 5 hbmgwd-drain
		# The latency probe runs beside the drain wait, so that this
		# run's end to end is timed as the others'.
		timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --latency \
		    --raw > "$TMP/latency" 2>/dev/null &
		l_pid=$!
		PIDS+=("$l_pid")
	fi
	wait "$w_pid" 2>/dev/null
	forget "$w_pid"
	read -r T_CASES T_DONE polls < "$TMP/drain" || polls=0
	[ "$T_CASES" = - ] && T_CASES=""
	[ "$T_DONE" = - ] && T_DONE=""
	BENCH_CMDS=$((${polls:-0} + 1))
	CASES=$(rcli ZCARD '{hbm}:cases')
	SENT=$(( $(sink_count) - SINK0 ))
	# The requests in flight when wrk stopped are counted now.
	ACCEPTED=$(metric 'hbmgw_inbound_total{source="http",status="accepted"}')
	EXPECT=$((2 * ACCEPTED))
	if [ -n "$l_pid" ]; then
		wait "$l_pid" 2>/dev/null
		forget "$l_pid"
		read -r l_n l_max l_avg _ < "$TMP/latency" || l_n=0
		BENCH_PINGS=${l_n//[!0-9]/}
		say "  redis PING latency while draining (redis-cli --latency, 1 s):" \
		    "avg ${l_avg:-?} ms, max ${l_max:-?} ms"
	fi
	unit_figures "$CASES"
	MEM_CASE=$U_MEM
	# Entries a dispatcher batch: versions before the counter show "-".
	BATCHES=$(( $(metric hbmgw_inbox_batches_total) - BATCH0 ))
	PER_BATCH=-
	[ "$BATCHES" -gt 0 ] && PER_BATCH=$(calc \
	    "($(metric hbmgw_inbox_processed_total) - $PROC0) / $BATCHES")
	if [ "$detail" = 1 ]; then
		cpu_report
		perf_report redis-drain
		perf_report hbmgwd-drain
	fi
	E2E_S=""
	E2E=""
	MADE=""
	if [ -n "$T_DONE" ]; then
		E2E_S=$(calc "($T_DONE - $T0) / 1000")
		E2E=$(calc "int($CASES * 1000 / ($T_DONE - $T0))")
		MADE=$(calc "int($CASES * 1000 / ($T_CASES - $T0))")
		[ "$detail" = 1 ] && say "  cases made: $CASES in" \
		    "$(calc "($T_CASES - $T0) / 1000") s = $MADE cases/s"
		say "  end to end: $CASES cases and $SENT SMS delivered in $E2E_S s" \
		    "= $E2E cases/s ($(calc "int($SENT * 1000 / ($T_DONE - $T0))") SMS/s)"
	else
		say "  NOT DRAINED after ${DRAIN_MAX}s: $CASES of $ACCEPTED cases," \
		    "$SENT of $EXPECT SMS; so far" \
		    "$(calc "int($CASES * 1000 / ($(now_ms) - $T0))") cases/s"
		say "  inbox pending: $(rcli XINFO GROUPS '{hbm}:inbox' |
		    sed -n '/^pending$/{n;p}'), outbox length:" \
		    "$(rcli XLEN '{hbm}:outbox:sink')"
	fi
	say "  per case: redis-server CPU $U_RCPU us, hbmgwd CPU $U_GCPU us," \
	    "redis memory $U_MEM bytes, redis commands $U_CMDS: $U_TOP"
	[ "$detail" = 1 ] || return 0
	redis_commands "$CASES" case
	HWM=$(awk '/^VmHWM/ { print $2 }' "/proc/$GW_PID/status")
	RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$GW_PID/status")
	say "  hbmgwd memory: VmHWM $HWM kB, VmRSS $RSS kB"
	DUPS=$(metric 'hbmgw_inbound_total{source="http",status="duplicate"}')
	FAILED=$(metric 'hbmgw_outbound_total{channel="sink",status="failed"}')
	RETRIED=$(metric 'hbmgw_outbound_total{channel="sink",status="retried"}')
	say "  duplicates $DUPS, send retries $RETRIED, failed $FAILED;" \
	    "sink got $SENT of $EXPECT (replies + notifications)"
}

# Keep the figures of the last inbound_run under NAME (FIG_NAME_...).
keep_figures() {
	local k=$1
	eval "FIG_${k}_E2E=\${E2E:-}"
	eval "FIG_${k}_RCPU=\$U_RCPU FIG_${k}_GCPU=\$U_GCPU FIG_${k}_CMDS=\$U_CMDS"
	eval "FIG_${k}_MEM=\$U_MEM FIG_${k}_TOP=\$U_TOP FIG_${k}_CASES=\$CASES"
	eval "FIG_${k}_BATCH=\$PER_BATCH"
}

# The figure FIELD of run NAME, or "-".
fig() {
	local v
	eval "v=\${FIG_${1}_$2:-}"
	printf '%s' "${v:--}"
}

# One compact inbound run: KEY BIN FSYNC; keeps its figures under
# KEY_FSYNC (KEY cur or base).
inbound_compact() {
	local name=$CUR_NAME
	[ "$1" = base ] && name=$BASE_NAME
	say ""
	say "== 1. again: $name, appendfsync $3 (${DURATION}s)"
	if ! gw_start "$2" "$3"; then
		say "  not measured: $GW_WHY"
		return 0
	fi
	inbound_run 0
	keep_figures "${1}_$3"
	gw_stop
}

# /v1/messages against the running hbmgwd: wrk for MSG_DURATION, then
# wait until the sink has them all. Sets MSG_RATE, MSG_E2E, MSG_SENT and
# MSG_CPU_US (CPU of hbmgwd and redis-server together per message sent,
# over the load and the drain; MSG_GW_US and MSG_REDIS_US apart).
messages_run() {
	local detail=$1 m0 m1 hz g0 r0
	m0=$(metric 'hbmgw_http_requests_total{route="/v1/messages",method="POST",status="202"}')
	SINK1=$(sink_count)
	rcli CONFIG RESETSTAT > /dev/null
	[ "$detail" = 1 ] && cpu_start
	g0=$(ticks "$GW_PID")
	r0=$(ticks "$REDIS_PID")
	T0=$(now_ms)
	wrk_run "$MSG_DURATION" "$HBM_URL/v1/messages" messages "$ADMIN_TOKEN"
	MSG_OK=$(( $(kv "$WRK" requests) - $(kv "$WRK" non2xx) ))
	MSG_RATE=$(calc "int($MSG_OK / $(kv "$WRK" duration_s))")
	m1=$(metric 'hbmgw_http_requests_total{route="/v1/messages",method="POST",status="202"}')
	MSG_ACC=$((m1 - m0))
	say "  wrk: $(kv "$WRK" requests) requests, $(kv "$WRK" non2xx) not 2xx," \
	    "$(kv "$WRK" errors) socket errors; latency p50 $(kv "$WRK" p50_ms) ms," \
	    "p99 $(kv "$WRK" p99_ms) ms"
	say "  accepted: $MSG_ACC (202) = $MSG_RATE/s"
	if [ "$detail" = 1 ]; then
		cpu_report
		cpu_start
	fi
	T_MSG=""
	DEADLINE=$(( $(now_ms) + DRAIN_MAX * 1000 ))
	while [ "$(now_ms)" -lt "$DEADLINE" ]; do
		if [ $(( $(sink_count) - SINK1 )) -ge "$MSG_ACC" ]; then
			T_MSG=$(now_ms)
			break
		fi
		sleep 0.2
	done
	MSG_SENT=$(( $(sink_count) - SINK1 ))
	hz=$(getconf CLK_TCK)
	MSG_GW_US=$(calc "int(($(ticks "$GW_PID") - $g0) * 1000000 / $hz / ($MSG_SENT > 0 ? $MSG_SENT : 1) + 0.5)")
	MSG_REDIS_US=$(calc "int(($(ticks "$REDIS_PID") - $r0) * 1000000 / $hz / ($MSG_SENT > 0 ? $MSG_SENT : 1) + 0.5)")
	MSG_CPU_US=$(calc "$MSG_GW_US + $MSG_REDIS_US")
	if [ -n "$T_MSG" ]; then
		MSG_E2E=$(calc "int($MSG_SENT * 1000 / ($T_MSG - $T0))")
		say "  sent: $MSG_SENT in $(calc "($T_MSG - $T0) / 1000") s" \
		    "= $MSG_E2E/s end to end"
	else
		MSG_E2E=$(calc "int($MSG_SENT * 1000 / ($(now_ms) - $T0))")
		say "  NOT DRAINED after ${DRAIN_MAX}s: $MSG_SENT of $MSG_ACC sent," \
		    "so far $MSG_E2E/s"
	fi
	say "  CPU per message sent (load and drain): hbmgwd + redis-server" \
	    "$MSG_CPU_US us (hbmgwd $MSG_GW_US, redis-server $MSG_REDIS_US)"
	if [ "$detail" = 1 ]; then
		say "  (drain phase)"
		cpu_report
		redis_commands "$MSG_SENT" message
	fi
}

say ""
say "== 1. inbound SMS -> case -> replies (POST /v1/inbound/sms, ${DURATION}s)," \
    "$CUR_NAME, appendfsync everysec"
gw_start "$BUILD/hbmgwd" everysec || die "$GW_WHY"
inbound_run 1
keep_figures cur_everysec
# The summary is about this run; the runs below overwrite these.
MAIN_RUN="$ACCEPTED $CASES $SENT $EXPECT ${E2E:-0} ${E2E_S:-0} ${MADE:-0}
$WRK_OK $WRK_S $IN_P50 $IN_P99 $MEM_CASE"

# ------------------------------------------------ 3. POST /v1/messages

say ""
say "== 2. POST /v1/messages -> sent (${MSG_DURATION}s)"
messages_run 1
HWM=$(awk '/^VmHWM/ { print $2 }' "/proc/$GW_PID/status")
RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$GW_PID/status")
say "  hbmgwd memory after both runs: VmHWM $HWM kB, VmRSS $RSS kB"
gw_stop

# The same inbound load at appendfsync always, and against the base build
# (--base), each on an empty database, alternating the builds.
[ -n "$BASE_BIN" ] && inbound_compact base "$BASE_BIN" everysec
inbound_compact cur "$BUILD/hbmgwd" always
[ -n "$BASE_BIN" ] && inbound_compact base "$BASE_BIN" always
BASE_MSG_CPU=""
BASE_MSG_E2E=""
if [ -n "$BASE_BIN" ]; then
	say ""
	say "== 2. again: $BASE_NAME (${MSG_DURATION}s)"
	cur_msg="$MSG_RATE $MSG_E2E $MSG_SENT $MSG_CPU_US $MSG_GW_US $MSG_REDIS_US"
	if gw_start "$BASE_BIN" everysec; then
		messages_run 0
		BASE_MSG_CPU=$MSG_CPU_US
		BASE_MSG_E2E=$MSG_E2E
		gw_stop
	else
		say "  not measured: $GW_WHY"
	fi
	read -r MSG_RATE MSG_E2E MSG_SENT MSG_CPU_US MSG_GW_US MSG_REDIS_US \
	    <<< "$cur_msg"
fi
redis_reset everysec
read -r ACCEPTED CASES SENT EXPECT E2E E2E_S MADE WRK_OK WRK_S IN_P50 IN_P99 \
    MEM_CASE <<< "$(printf '%s' "$MAIN_RUN" | tr '\n' ' ')"

# ------------------------------------------------------------ 4. Kannel

say ""
say "== 3. Kannel under the same load (sendsms -> bearerbox -> fake SMSC)"
K_RATE=""
K_E2E=""
K_CPU_US=""
K_WHY=""
if [ "$KANNEL" != 1 ]; then
	K_WHY="skipped (HBM_BENCH_KANNEL=$KANNEL)"
elif [ ! -x "$BEARERBOX" ] || [ ! -x "$SMSBOX" ]; then
	K_WHY="bearerbox or smsbox missing (Debian package kannel)"
elif [ ! -x "$FAKESMSC" ]; then
	K_WHY="$FAKESMSC missing (Debian package kannel-extras)"
fi
if [ -z "$K_WHY" ]; then
	KDIR=$TMP/kannel
	mkdir -p "$KDIR/spool"
	K_ADMIN=$(hbm_free_port)
	K_BOX=$(hbm_free_port)
	K_SMSC=$(hbm_free_port)
	K_SEND=$(hbm_free_port)
	K_PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	fill "$SRCDIR/bench/kannel.conf.in" "ADMIN_PORT=$K_ADMIN" \
	    "ADMIN_PASSWORD=$K_PASS" "SMSBOX_PORT=$K_BOX" "SMSC_PORT=$K_SMSC" \
	    "SENDSMS_PORT=$K_SEND" "DIR=$KDIR" "USER=bench" \
	    "PASSWORD=$K_PASS" > "$KDIR/kannel.conf"
	kstatus() {
		curl -s --max-time 5 \
		    "http://127.0.0.1:$K_ADMIN/status.txt?password=$K_PASS"
	}
	# "SMS: received R (q queued), sent S (q queued)": S.
	ksent() {
		kstatus | sed -n 's/^SMS: received .*, sent \([0-9]*\) .*/\1/p' |
		    head -n 1
	}
	"$BEARERBOX" -v 2 "$KDIR/kannel.conf" > "$KDIR/bearerbox.out" 2>&1 &
	PIDS+=($!)
	K_BB=$!
	if ! hbm_wait 10 kstatus; then
		# The reason, not the backtrace lines that follow a PANIC.
		K_WHY="bearerbox did not start: $(grep -v 'PANIC: /' \
		    "$KDIR/bearerbox.out" | tail -n 3)"
	fi
fi
if [ -z "$K_WHY" ]; then
	"$SMSBOX" -v 2 "$KDIR/kannel.conf" > "$KDIR/smsbox.out" 2>&1 &
	PIDS+=($!)
	K_SB=$!
	"$FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -i 0 -m 0 -v 4 "1234 1 text x" \
	    > "$KDIR/fakesmsc.out" 2>&1 &
	PIDS+=($!)
	K_FS=$!
	kready() {
		kstatus | grep -q 'fake.*online' &&
		    curl -s --max-time 2 "http://127.0.0.1:$K_SEND/" >/dev/null
	}
	if ! hbm_wait 15 kready; then
		K_WHY="smsbox or fakesmsc did not come up: $(grep -hv \
		    'PANIC: /' "$KDIR/smsbox.out" "$KDIR/fakesmsc.out" |
		    tail -n 3 | tr '\n' ' ')"
	fi
fi
if [ -z "$K_WHY" ]; then
	KS0=$(ksent)
	K_CPU0="$(ticks "$K_BB") $(ticks "$K_SB") $(ticks "$K_FS")"
	T0=$(now_ms)
	wrk_run "$MSG_DURATION" "http://127.0.0.1:$K_SEND/cgi-bin/sendsms" \
	    kannel "" bench "$K_PASS"
	K_OK=$(( $(kv "$WRK" requests) - $(kv "$WRK" non2xx) ))
	K_RATE=$(calc "int($K_OK / $(kv "$WRK" duration_s))")
	say "  wrk: $(kv "$WRK" requests) requests, $(kv "$WRK" non2xx) not 2xx," \
	    "$(kv "$WRK" errors) socket errors; latency p50 $(kv "$WRK" p50_ms)" \
	    "ms, p99 $(kv "$WRK" p99_ms) ms"
	say "  accepted: $K_OK (202 \"Accepted for delivery\") = $K_RATE/s"
	T_K=""
	DEADLINE=$(( $(now_ms) + DRAIN_MAX * 1000 ))
	while [ "$(now_ms)" -lt "$DEADLINE" ]; do
		KS=$(ksent)
		if [ -n "$KS" ] && [ $((KS - KS0)) -ge "$K_OK" ]; then
			T_K=$(now_ms)
			break
		fi
		sleep 0.1
	done
	KS=$(ksent)
	KS=$(( ${KS:-0} - KS0 ))
	if [ -n "$T_K" ]; then
		K_E2E=$(calc "int($KS * 1000 / ($T_K - $T0))")
		say "  sent to the fake SMSC: $KS in $(calc "($T_K - $T0) / 1000")" \
		    "s = $K_E2E/s end to end"
	else
		K_E2E=$(calc "int($KS * 1000 / ($(now_ms) - $T0))")
		say "  NOT DRAINED after ${DRAIN_MAX}s: $KS of $K_OK sent," \
		    "so far $K_E2E/s"
	fi
	read -r k_bb k_sb k_fs <<< "$K_CPU0"
	hz=$(getconf CLK_TCK)
	wall=$(( $(now_ms) - T0 ))
	k_bbus=$(calc "int(($(ticks "$K_BB") - $k_bb) * 1000000 / $hz / ($KS > 0 ? $KS : 1) + 0.5)")
	k_sbus=$(calc "int(($(ticks "$K_SB") - $k_sb) * 1000000 / $hz / ($KS > 0 ? $KS : 1) + 0.5)")
	K_CPU_US=$(calc "$k_bbus + $k_sbus")
	say "  CPU per message sent (load and drain): bearerbox + smsbox" \
	    "$K_CPU_US us (bearerbox $k_bbus, smsbox $k_sbus)"
	say "  CPU ($(calc "$wall / 1000") s, % of one core): bearerbox" \
	    "$(calc "($(ticks "$K_BB") - $k_bb) * 100000 / $hz / $wall")%," \
	    "smsbox $(calc "($(ticks "$K_SB") - $k_sb) * 100000 / $hz / $wall")%," \
	    "fakesmsc $(calc "($(ticks "$K_FS") - $k_fs) * 100000 / $hz / $wall")%"
	say "  bearerbox VmHWM $(awk '/^VmHWM/ { print $2 }' \
	    "/proc/$K_BB/status") kB, smsbox VmHWM $(awk '/^VmHWM/ { print $2 }' \
	    "/proc/$K_SB/status") kB"
else
	say "  Kannel not measured: $K_WHY"
fi

# ------------------------------------------------- 5. raw Redis again

say ""
say "== Redis baseline again"
baseline "after"
BASE2=$BASE_CASE
ALL2=$BASE_ALL
BASE=$(calc "int(($BASE1 + $BASE2) / 2)")
ALL=$(calc "int(($ALL1 + $ALL2) / 2)")

# ------------------------------------------------------------ summary

say ""
say "== Summary ($(date -u '+%Y-%m-%d %H:%M UTC'), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg))"
# The target's ratio is to the commands a case needs (all of them); the
# ratio to its writes alone is the stricter figure of earlier reports.
RATIO=$(calc "${E2E:-0} / ($ALL > 0 ? $ALL : 1)")
W_RATIO=$(calc "${E2E:-0} / ($BASE > 0 ? $BASE : 1)")
say "  raw Redis, every command of one case per EVAL: $ALL cases/s" \
    "(before $ALL1, after $ALL2); its writes alone: $BASE cases/s" \
    "(before $BASE1, after $BASE2)"
say "  inbound accepted: $(calc "int($WRK_OK / $WRK_S)")/s (p50 $IN_P50 ms," \
    "p99 $IN_P99 ms); cases made ${MADE:-0}/s; end to end ${E2E:-0} cases/s" \
    "= $(calc "int($RATIO * 100 + 0.5)")% of raw Redis doing every command" \
    "of a case ($(calc "int($W_RATIO * 100 + 0.5)")% of its writes alone)"
status_line "$(calc "${E2E:-0} >= $TARGET_CASES && ${E2E_S:-0} > 0")" \
    ">= $TARGET_CASES cases/s end to end: ${E2E:-0}"
status_line "$(calc "$RATIO >= $TARGET_RATIO && ${E2E_S:-0} > 0")" \
    ">= $(calc "$TARGET_RATIO * 100")% of raw Redis (every command of a" \
    "case): $(calc "int($RATIO * 100 + 0.5)")%"
status_line "$(calc "$HWM <= $TARGET_RSS_KB")" \
    "hbmgwd RSS <= $((TARGET_RSS_KB / 1024)) MB: VmHWM $HWM kB"
status_line "$(calc "$SENT == $EXPECT && $CASES == $ACCEPTED")" \
    "every message delivered: $SENT of $EXPECT SMS, $CASES of $ACCEPTED cases"
say "  redis memory per case: $MEM_CASE bytes"
say "  /v1/messages: accepted $MSG_RATE/s, sent ${MSG_E2E:-0}/s end to end"
if [ -n "$K_RATE" ]; then
	say "  Kannel sendsms: accepted $K_RATE/s, sent ${K_E2E:-0}/s end to end"
	say "  hbmgwd / Kannel: accepted $(calc "$MSG_RATE / ($K_RATE > 0 ? \
	    $K_RATE : 1)"), sent $(calc "${MSG_E2E:-0} / (${K_E2E:-0} > 0 ? \
	    ${K_E2E:-0} : 1)")"
	say "  CPU per message sent: hbmgwd + redis-server $MSG_CPU_US us," \
	    "Kannel's bearerbox + smsbox ${K_CPU_US:--} us: ratio" \
	    "$(ratio "$MSG_CPU_US" "${K_CPU_US:--}")"
else
	say "  Kannel: not measured: $K_WHY"
	say "  CPU per message sent: hbmgwd + redis-server $MSG_CPU_US us"
fi
figures_table
say "  (this report: $RESULTS)"
