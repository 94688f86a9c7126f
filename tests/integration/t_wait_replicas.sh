#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# redis.wait_replicas = 1 with a real replica (a second redis-server with
# replicaof, on loopback): inbound is 202 while the replica confirms, 503
# while it is stopped (the message is kept and deduplicated), and the
# aggregator's retry is 202 once the replica is back, with one inbox entry.
# A modem keeps the SMS on its SIM until the replica has it.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start

REPLICA_PID=""
replica_start() {
	mkdir -p "$HBM_TMP/replica"
	redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 \
		--dir "$HBM_TMP/replica" --save '' --appendonly no \
		--replicaof 127.0.0.1 "$HBM_REDIS_PORT" \
		--logfile "$HBM_TMP/replica/log" &
	REPLICA_PID=$!
	linked() { redis-cli -p "$REPLICA_PORT" INFO replication | grep -q 'master_link_status:up'; }
	hbm_wait 10 linked || { echo "replica did not link"; cat "$HBM_TMP/replica/log"; exit 1; }
}
replica_kill() {
	kill -KILL "$REPLICA_PID" 2>/dev/null
	wait "$REPLICA_PID" 2>/dev/null
	REPLICA_PID=""
}
trap 'replica_kill; hbm_cleanup' EXIT
REPLICA_PORT=$(hbm_free_port)
replica_start

hbm_config 'redis: { url = "'"$HBM_REDIS_URL"'"; timeout_ms = 1000; wait_replicas = 1; wait_timeout_ms = 300; };' |
	grep -v "^redis: { url = \"$HBM_REDIS_URL\"; timeout_ms = 500; };" > "$HBM_TMP/gw.conf"
# And a simulated AT modem, whose SMS must stay on the SIM until stored.
hbm_sim_start ma
sed -i '/^channels/d' "$HBM_TMP/gw.conf"
cat >> "$HBM_TMP/gw.conf" <<CONF
channels = ( { name = "agg"; type = "http"; url = "http://127.0.0.1:9/send"; },
  { name = "ma"; type = "modem"; poll_interval = 1;
    gammu = { device = "$HBM_TMP/ma.tty"; connection = "at"; }; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "modem ma connects" hbm_wait 20 grep -q 'modem ma: connected' "$HBM_TMP/hbmgwd.log"
stored() { hbm_sim ma status | grep -q " stored=$1 "; }

hbm_eq "replica up: 202" 202 "$(hbm_inbound +256700000301 'HELP FOOD' w-1)"
hbm_eq "the replica has it" 1 \
	"$(redis-cli -p "$REPLICA_PORT" XRANGE '{hbm}:inbox' - + | grep -cx 'w-1')"

replica_kill
hbm_eq "replica stopped: 503" 503 "$(hbm_inbound +256700000302 'HELP FOOD' w-2)"
hbm_match "the log says how many confirmed" \
	'api: inbound from http: redis: WAIT: 0 of 1 replicas confirmed within 300 ms' \
	"$(cat "$HBM_TMP/hbmgwd.log")"
hbm_eq "the aggregator's retry while it is down: 503 again" 503 \
	"$(hbm_inbound +256700000302 'HELP FOOD' w-2)"

hbm_sim ma 'inject +256700000303 HELP FOOD by the river' > /dev/null
hbm_check "modem: the SMS is read, and WAIT fails" \
	hbm_wait 15 grep -q 'modem ma.*WAIT: 0 of 1' "$HBM_TMP/hbmgwd.log"
hbm_check "modem: the SMS stays on the SIM" stored 1

replica_start
hbm_check "replica back: the modem stores it and deletes it from the SIM" hbm_wait 20 stored 0
hbm_eq "one inbox entry from the modem, on the replica too" 1 \
	"$(redis-cli -p "$REPLICA_PORT" XRANGE '{hbm}:inbox' - + | grep -A1 -x source | grep -cx ma)"
body=$(python3 -c 'import json; print(json.dumps({"from": "+256700000302", "to": "1234", "text": "HELP FOOD", "id": "w-2"}))')
retry=$(curl -s -w ' %{http_code}' -X POST -H "Authorization: Bearer $HBM_CHANNEL_TOKEN" \
	-H 'Content-Type: application/json' --data-binary "$body" "$HBM_URL/v1/inbound/sms")
hbm_match "replica back: the retry is 202, as a duplicate" '"duplicate":true.* 202$' "$retry"
hbm_eq "one inbox entry for it on the primary" 1 \
	"$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' - + | grep -cx 'w-2')"
hbm_eq "and on the replica" 1 \
	"$(redis-cli -p "$REPLICA_PORT" XRANGE '{hbm}:inbox' - + | grep -cx 'w-2')"
drained() { [ "$($HBM_REDIS_CLI XINFO GROUPS '{hbm}:inbox' | sed -n '/^pending$/{n;p}')" = 0 ]; }
hbm_check "the inbox drains" hbm_wait 10 drained
hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0" 0 "$HBM_RC"
hbm_done
