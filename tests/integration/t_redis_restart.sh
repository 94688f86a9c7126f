#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Redis dies and comes back: readiness follows it, the daemon lives through.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_config > "$HBM_TMP/gw.conf"
hbm_daemon_start "$HBM_TMP/gw.conf"

hbm_eq "ready with Redis up" 200 "$(hbm_status GET /readyz)"
# Idle, every thread keeps its connection: a dispatcher's blocking read
# ends before the command timeout (timeout_ms 500 here), not by it. The
# daemon's connections (all but this redis-cli's) are the same ones
# after 80 more reads.
reads() {
	$HBM_REDIS_CLI INFO commandstats | tr -d '\r' |
		sed -n 's/^cmdstat_xreadgroup:calls=\([0-9]*\),.*/\1/p'
}
reads_past() { [ "$(reads)" -ge "$1" ]; }
conns() {
	$HBM_REDIS_CLI CLIENT LIST | grep -v ' cmd=client' |
		sed -n 's/^id=\([0-9]*\) .*/\1/p' | sort -n | tr '\n' ' '
}
hbm_check "the dispatchers read (warm-up)" hbm_wait 20 reads_past $(($(reads) + 40))
before=$(conns)
hbm_check "80 blocking reads more" hbm_wait 20 reads_past $(($(reads) + 80))
hbm_eq "on the same connections to Redis" "$before" "$(conns)"
hbm_redis_kill
hbm_eq "readyz is 503 with Redis killed" 503 "$(hbm_status GET /readyz)"
body=$(hbm_body GET /readyz)
hbm_match "503 says why" '"ready":false.*"redis":"down"' "$body"
hbm_match "503 carries the reason" '"error":"redis: ' "$body"
hbm_eq "healthz still 200" 200 "$(hbm_status GET /healthz)"
hbm_match "metrics say redis down" 'hbmgw_redis_up 0' "$(hbm_metrics)"
# Requests while Redis is down fail fast, not after a pile of timeouts.
for i in $(seq 1 20); do hbm_status GET /readyz >/dev/null; done
hbm_check "daemon alive after 20 requests with Redis down" kill -0 "$HBM_DAEMON_PID"

hbm_redis_start   # the same port again
ready() { [ "$(hbm_status GET /readyz)" = 200 ]; }
hbm_check "ready again once Redis is back (within 10 s)" hbm_wait 10 ready
hbm_match "metrics say redis up" 'hbmgw_redis_up 1' "$(hbm_metrics)"
hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0" 0 "$HBM_RC"
hbm_done
