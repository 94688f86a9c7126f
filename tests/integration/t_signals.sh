#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP reloads (a broken file is rejected and the old config kept),
# SIGINT and SIGTERM stop the daemon with status 0.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
conf="$HBM_TMP/gw.conf"
hbm_config > "$conf"
hbm_daemon_start "$conf"
hbm_match "instance from the first config" '"instance":"test"' "$(hbm_body GET /readyz)"

# A broken file: a syntax error and a bad value.
cat > "$conf" <<CONF
gateway: { instance = "broken"; country_code = "x256"; };
redis: { url = "$HBM_REDIS_URL"; };
http: { listen = "127.0.0.1:0"; }
CONF
kill -HUP "$HBM_DAEMON_PID"
rejected() { grep -q 'config: keeping the running configuration' "$HBM_TMP/hbmgwd.log"; }
hbm_check "a broken config is rejected" hbm_wait 10 rejected
hbm_check "the rejection names file and line" \
	grep -q "config: reload rejected: $conf:[0-9]*: " "$HBM_TMP/hbmgwd.log"
hbm_check "daemon alive after a bad reload" kill -0 "$HBM_DAEMON_PID"
hbm_eq "still ready" 200 "$(hbm_status GET /readyz)"
hbm_match "the old config is kept" '"instance":"test"' "$(hbm_body GET /readyz)"
hbm_match "failed reload counted" 'hbmgw_config_reloads_total\{result="failed"\} 1' "$(hbm_metrics)"

# An @include of a directory: libconfig would open it and exit the process.
{ hbm_config; echo '@include ""'; } > "$conf"
kill -HUP "$HBM_DAEMON_PID"
hbm_check "an @include of a directory is rejected" \
	hbm_metric_reaches 10 'hbmgw_config_reloads_total{result="failed"}' 2
hbm_check "the rejection names the line" grep -q \
	"config: reload rejected: $conf:[0-9]*: @include \"\": a directory, not a regular file" \
	"$HBM_TMP/hbmgwd.log"
hbm_check "daemon alive after it" kill -0 "$HBM_DAEMON_PID"
hbm_match "the old config is still kept" '"instance":"test"' "$(hbm_body GET /readyz)"

# A good file with a new instance name and a new listen address.
hbm_config | sed 's/instance = "test"/instance = "renamed"/; /^http:/s/127.0.0.1:0/127.0.0.1:1/' > "$conf"
kill -HUP "$HBM_DAEMON_PID"
renamed() { hbm_body GET /readyz | grep -q '"instance":"renamed"'; }
hbm_check "a good config is taken" hbm_wait 10 renamed
hbm_match "good reload counted" 'hbmgw_config_reloads_total\{result="ok"\} 1' "$(hbm_metrics)"
hbm_check "a changed listen address is said to need a restart" \
	grep -q 'http.listen, threads, max_connections, max_per_address and timeout change on restart only' "$HBM_TMP/hbmgwd.log"

hbm_daemon_stop INT
hbm_eq "SIGINT exits 0" 0 "$HBM_RC"

# SIGTERM in the middle of requests: the daemon finishes within 10 s.
hbm_config > "$conf"
hbm_daemon_start "$conf"
for i in $(seq 1 20); do curl -s -o /dev/null "$HBM_URL/readyz" & done
kill -TERM "$HBM_DAEMON_PID"
gone() { ! kill -0 "$HBM_DAEMON_PID" 2>/dev/null; }
hbm_check "SIGTERM under load stops within 10 s" hbm_wait 10 gone
wait "$HBM_DAEMON_PID"
hbm_eq "SIGTERM under load exits 0" 0 "$?"
HBM_DAEMON_PID=""
hbm_done
