#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Redis Sentinel: a primary, a replica and three sentinels (quorum 2) on
# loopback. The daemon finds the primary through the sentinels (the first
# one listed is down); a master name the sentinels do not know keeps it
# unready with the reason. Under a steady inbound load from a client that
# retries like an aggregator, the primary is killed with SIGKILL; the
# sentinels promote the replica, the daemon logs the new primary and is
# ready again, and every message answered 2xx is in Redis on the new
# primary and became exactly one case. Then the old primary comes back as a
# replica and SENTINEL FAILOVER promotes it under a second load: the daemon
# follows, and the messages that switch loses are counted, not asserted.
source "$(dirname "$0")/lib.sh"
command -v redis-sentinel >/dev/null 2>&1 || {
	echo "t_sentinel: redis-sentinel is missing (tools/deps.sh test)" >&2
	exit 1
}
hbm_tmp_init
SENT_PIDS=()
SENT_PRIMARY_PID=""
CLIENT_PID=""
sent_cleanup() {
	local p
	for p in "${SENT_PIDS[@]}" $SENT_PRIMARY_PID $CLIENT_PID; do
		kill -KILL "$p" 2>/dev/null
	done
	hbm_cleanup
}
trap sent_cleanup EXIT
MASTER=mymaster
COUNT=${HBM_SENTINEL_COUNT:-200}

# A redis-server on a free port, or on SENT_PORT when set: sent_redis NAME
# [options]; sets PORT and PID (the caller keeps them).
sent_redis() {
	local name=$1 try
	shift
	mkdir -p "$HBM_TMP/$name"
	for try in 1 2 3 4 5; do
		PORT=${SENT_PORT:-$(hbm_free_port)}
		redis-server --port "$PORT" --bind 127.0.0.1 \
			--dir "$HBM_TMP/$name" --save '' --appendonly no \
			--logfile "$HBM_TMP/$name/log" "$@" &
		PID=$!
		if hbm_wait 5 redis-cli -p "$PORT" ping; then
			return 0
		fi
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	done
	echo "t_sentinel: redis-server $name did not start" >&2
	exit 1
}

# A sentinel on a free port watching the primary: sent_sentinel NAME.
sent_sentinel() {
	local name=$1 try port
	mkdir -p "$HBM_TMP/$name"
	for try in 1 2 3 4 5; do
		port=$(hbm_free_port)
		cat > "$HBM_TMP/$name/sentinel.conf" <<CONF
port $port
bind 127.0.0.1
dir $HBM_TMP/$name
logfile $HBM_TMP/$name/log
sentinel monitor $MASTER 127.0.0.1 $P_PORT 2
sentinel down-after-milliseconds $MASTER 1000
sentinel failover-timeout $MASTER 3000
sentinel parallel-syncs $MASTER 1
CONF
		redis-sentinel "$HBM_TMP/$name/sentinel.conf" &
		SENT_PIDS+=($!)
		if hbm_wait 5 redis-cli -p "$port" ping; then
			SENTINELS+=("$port")
			return 0
		fi
		kill -KILL "${SENT_PIDS[-1]}" 2>/dev/null
	done
	echo "t_sentinel: sentinel $name did not start" >&2
	exit 1
}

sent_redis primary
P_PORT=$PORT SENT_PRIMARY_PID=$PID
sent_redis replica --replicaof 127.0.0.1 "$P_PORT"
R_PORT=$PORT
SENT_PIDS+=("$PID")
linked() { redis-cli -p "$R_PORT" info replication | grep -q 'master_link_status:up'; }
hbm_check "the replica follows the primary" hbm_wait 20 linked

SENTINELS=()
for n in s1 s2 s3; do
	sent_sentinel $n
done
# Each sentinel knows the other two and the replica: a failover can happen.
quorum() {
	local s
	for s in "${SENTINELS[@]}"; do
		redis-cli -p "$s" sentinel ckquorum $MASTER | grep -q '^OK 3 ' || return 1
		[ "$(redis-cli -p "$s" sentinel replicas $MASTER | grep -c "^$R_PORT\$")" -ge 1 ] || return 1
	done
}
hbm_check "three sentinels see each other and the replica" hbm_wait 30 quorum

DEAD=$(hbm_free_port) # a sentinel that is not running, asked first
sentinel_list="\"127.0.0.1:$DEAD\""
for s in "${SENTINELS[@]}"; do
	sentinel_list="$sentinel_list, \"127.0.0.1:$s\""
done
hbm_capture_start
# gw_conf MASTER-NAME: the test config with the primary found through the
# sentinels.
gw_conf() {
	cat <<CONF
$(hbm_config | grep -v '^redis:\|^channels')
redis: { sentinels = [$sentinel_list]; master = "$1"; timeout_ms = 500; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; priority = 3;
                 sms_label = "food"; keywords = { en = ["FOOD"]; }; } );
CONF
}
ready() { [ "$(hbm_status GET /readyz)" = 200 ]; }

# A master name the sentinels do not know: up, not ready, and says why.
gw_conf nosuch > "$HBM_TMP/nosuch.conf"
hbm_daemon_start "$HBM_TMP/nosuch.conf"
hbm_eq "unknown master: not ready" 503 "$(hbm_status GET /readyz)"
hbm_match "unknown master: the reason" 'master nosuch is unknown' "$(hbm_body GET /readyz)"
hbm_daemon_stop TERM
hbm_eq "unknown master: SIGTERM exits 0" 0 "$HBM_RC"

gw_conf $MASTER > "$HBM_TMP/gw.conf"
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "ready through the sentinels" hbm_wait 10 ready
hbm_check "the primary is logged" \
	grep -q "redis: primary is now 127.0.0.1:$P_PORT (master $MASTER)" "$HBM_TMP/hbmgwd.log"

# The load: COUNT messages at 20 a second, retried until answered 2xx.
python3 "$HBM_SRCDIR/tests/tools/retry_client.py" --url "$HBM_URL" \
	--token "$HBM_CHANNEL_TOKEN" --count "$COUNT" --rate 20 \
	--deadline 120 --prefix sent --acked "$HBM_TMP/acked" \
	--summary "$HBM_TMP/summary" &
CLIENT_PID=$!
acked_at_least() { [ "$(wc -l < "$HBM_TMP/acked" 2>/dev/null || echo 0)" -ge "$1" ]; }
acked_at_least2() { [ "$(wc -l < "$HBM_TMP/acked2")" -ge 25 ]; }
hbm_check "the load flows" hbm_wait 30 acked_at_least $((COUNT / 4))

kill -KILL "$SENT_PRIMARY_PID"
wait "$SENT_PRIMARY_PID" 2>/dev/null
SENT_PRIMARY_PID=""
killed_at=$(date +%s%N)
promoted() { redis-cli -p "${SENTINELS[0]}" sentinel get-master-addr-by-name $MASTER | grep -qx "$R_PORT"; }
hbm_check "the sentinels promote the replica" hbm_wait 30 promoted
followed() { grep -q "redis: primary is now 127.0.0.1:$R_PORT (master $MASTER)" "$HBM_TMP/hbmgwd.log"; }
hbm_check "the daemon logs the new primary" hbm_wait 30 followed
hbm_check "ready again on the new primary" hbm_wait 30 ready
recovered_ms=$((($(date +%s%N) - killed_at) / 1000000))
hbm_eq "the switch is logged once" 1 \
	"$(grep -c "primary is now 127.0.0.1:$R_PORT" "$HBM_TMP/hbmgwd.log")"

wait "$CLIENT_PID"
rc=$?
CLIENT_PID=""
hbm_eq "the client got every message answered 2xx" 0 "$rc"
summary=$(cat "$HBM_TMP/summary")
echo "# client: $summary"

# What the new primary holds: inbox entries by external id, and cases.
cli="redis-cli -p $R_PORT"
$cli --raw xrange '{hbm}:inbox' - + | awk 'f { print; f = 0 } $0 == "ext" { f = 1 }' \
	| sort > "$HBM_TMP/inbox"
sort -u "$HBM_TMP/acked" > "$HBM_TMP/acked.sorted"
lost=$(comm -23 "$HBM_TMP/acked.sorted" "$HBM_TMP/inbox" | wc -l)
dup_inbox=$(uniq -d "$HBM_TMP/inbox" | wc -l)
inbox_n=$(sort -u "$HBM_TMP/inbox" | wc -l)
cases_done() { [ "$($cli zcard '{hbm}:cases')" -ge "$inbox_n" ]; }
hbm_check "every message in the inbox became a case" hbm_wait 60 cases_done
$cli zrange '{hbm}:cases' 0 -1 | while read -r code; do
	printf 'HGET {hbm}:case:%s num\n' "$code"
done | $cli > "$HBM_TMP/nums"
cases_n=$(wc -l < "$HBM_TMP/nums")
dup_cases=$((cases_n - $(sort -u "$HBM_TMP/nums" | wc -l)))
echo "# measured: $COUNT sent, $(wc -l < "$HBM_TMP/acked.sorted") answered 2xx," \
	"$lost lost, $dup_inbox duplicate inbox entries, $cases_n cases," \
	"$dup_cases duplicate cases, ready ${recovered_ms} ms after the kill"
hbm_eq "every message was answered 2xx" "$COUNT" "$(wc -l < "$HBM_TMP/acked.sorted")"
hbm_eq "no message answered 2xx is lost" 0 "$lost"
hbm_eq "no duplicate inbox entries" 0 "$dup_inbox"
hbm_eq "no duplicate cases" 0 "$dup_cases"
hbm_eq "one case per message" "$COUNT" "$cases_n"

# The old primary comes back and the sentinels make it a replica; an
# operator's SENTINEL FAILOVER then promotes it while messages flow, so the
# primary the daemon is connected to is demoted under it.
SENT_PORT=$P_PORT sent_redis primary
SENT_PRIMARY_PID=$PID
relinked() { redis-cli -p "$P_PORT" info replication | grep -q 'master_link_status:up'; }
hbm_check "the old primary comes back as a replica" hbm_wait 30 relinked
python3 "$HBM_SRCDIR/tests/tools/retry_client.py" --url "$HBM_URL" \
	--token "$HBM_CHANNEL_TOKEN" --count 100 --rate 20 --deadline 60 \
	--prefix back --acked "$HBM_TMP/acked2" --summary "$HBM_TMP/summary2" &
CLIENT_PID=$!
: > "$HBM_TMP/acked2"
hbm_check "the second load flows" hbm_wait 30 acked_at_least2
# SENTINEL FAILOVER is refused while the last failover's timeout runs or
# before the sentinels rate the replica: ask again until it is promoted.
# The failover is over once every sentinel names the old primary and it
# says it is a master (a sentinel names the promoted replica before the
# failover ends, and one that times out turns it back into a replica).
# It is asked for only while the sentinel asked does not name it, so that
# a finished failover is never undone by another.
promoted() {
	local s
	[ "$(redis-cli -p "$P_PORT" role | head -n 1)" = master ] || return 1
	for s in "${SENTINELS[@]}"; do
		redis-cli -p "$s" sentinel get-master-addr-by-name $MASTER | grep -qx "$P_PORT" || return 1
	done
}
back() {
	local s=${SENTINELS[1]}
	promoted && return 0
	if ! redis-cli -p "$s" sentinel get-master-addr-by-name $MASTER | grep -qx "$P_PORT"; then
		redis-cli -p "$s" sentinel failover $MASTER > /dev/null
	fi
	sleep 0.5
	return 1
}
hbm_check "SENTINEL FAILOVER promotes the old primary" hbm_wait 60 back
followed_back() { [ "$(grep -c "primary is now 127.0.0.1:$P_PORT " "$HBM_TMP/hbmgwd.log")" -ge 2 ]; }
hbm_check "the daemon follows it back" hbm_wait 30 followed_back
if ! followed_back; then
	echo "# role of 127.0.0.1:$P_PORT: $(redis-cli -p "$P_PORT" role | head -n 1)"
	for s in s1 s2 s3; do
		echo "# --- sentinel $s, its last lines"
		tail -n 15 "$HBM_TMP/$s/log" | sed 's/^/# /'
	done
fi
hbm_check "ready on it" hbm_wait 30 ready
wait "$CLIENT_PID"
rc=$?
CLIENT_PID=""
hbm_eq "the second load was answered 2xx" 0 "$rc"
echo "# client: $(cat "$HBM_TMP/summary2")"
redis-cli -p "$P_PORT" --raw xrange '{hbm}:inbox' - + \
	| awk 'f { print; f = 0 } $0 == "ext" { f = 1 }' | sort > "$HBM_TMP/inbox2"
lost2=$(sort -u "$HBM_TMP/acked2" | comm -23 - "$HBM_TMP/inbox2" | wc -l)
# Not asserted: the demoted primary accepts writes until the sentinels
# reconfigure it, and the daemon moves within half a second of the
# sentinel it asks learning of the switch; what was written to the old
# primary meanwhile is dropped when it resyncs (docs/redis.md).
echo "# measured after SENTINEL FAILOVER (not asserted): 100 sent," \
	"$(sort -u "$HBM_TMP/acked2" | wc -l) answered 2xx, $lost2 lost"

hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0" 0 "$HBM_RC"
hbm_done
