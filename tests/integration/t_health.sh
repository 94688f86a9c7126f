#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon with a real Redis: liveness, readiness, metrics and the JSON
# errors for unknown routes, wrong methods and oversized bodies.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
cat > "$HBM_TMP/gw.conf" <<CONF
gateway: { instance = "post-7"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; };
http: { listen = "127.0.0.1:0"; max_body = 2048; threads = 2; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; };
channels = ( { name = "agg"; type = "http"; url = "http://127.0.0.1:9/send"; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

hbm_eq "healthz answers 200" 200 "$(hbm_status GET /healthz)"
hbm_eq "readyz answers 200 with Redis up" 200 "$(hbm_status GET /readyz)"
body=$(hbm_body GET /readyz)
hbm_match "readyz says ready" '"ready":true' "$body"
hbm_match "readyz says redis up" '"redis":"up"' "$body"
hbm_match "readyz names the instance" '"instance":"post-7"' "$body"
hbm_match "readyz gives the version" '"version":"[0-9]+\.[0-9]+\.[0-9]+"' "$body"

metrics=$(hbm_metrics)
hbm_match "metrics has build info" '^hbmgw_build_info\{version="[0-9.]+"\} 1$' "$(grep build_info <<<"$metrics")"
hbm_match "metrics has redis up" '^hbmgw_redis_up 1$' "$(grep '^hbmgw_redis_up' <<<"$metrics")"
hbm_match "metrics counts readyz requests" \
	'^hbmgw_http_requests_total\{route="/readyz",method="GET",status="200"\} [1-9]$' \
	"$(grep 'route="/readyz"' <<<"$metrics")"
hbm_match "metrics has resident memory" '^hbmgw_process_resident_memory_bytes [1-9][0-9]+$' \
	"$(grep '^hbmgw_process_resident_memory_bytes' <<<"$metrics")"
hbm_match "metrics has start time" '^hbmgw_process_start_time_seconds [1-9][0-9]+$' \
	"$(grep '^hbmgw_process_start_time_seconds' <<<"$metrics")"
hbm_match "metrics declares types" '# TYPE hbmgw_http_requests_total counter' "$metrics"
hbm_check "metrics listens on its own port" test "$HBM_METRICS_URL" != "$HBM_URL"
hbm_eq "the webhook listener does not serve /metrics" 404 "$(hbm_status GET /metrics)"
hbm_eq "the metrics listener serves nothing else" 404 \
	"$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$HBM_METRICS_URL/healthz")"
hbm_eq "nor the API" 404 \
	"$(curl -s -m 30 -o /dev/null -w '%{http_code}' "$HBM_METRICS_URL/v1/cases")"

hbm_eq "unknown route is 404" 404 "$(hbm_status GET /nope)"
hbm_eq "404 body is a JSON error" '{"error":"no such route"}' "$(hbm_body GET /nope)"
hbm_eq "wrong method is 405" 405 "$(hbm_status POST /readyz -H 'Content-Type: application/json' -d '{}')"
allow=$(curl -s -D - -o /dev/null -X DELETE "$HBM_METRICS_URL/metrics" | tr -d '\r' | sed -n 's/^Allow: //Ip')
hbm_eq "405 names the allowed method" GET "$allow"
big=$(head -c 3000 /dev/zero | tr '\0' x)
hbm_eq "body over http.max_body is 413" 413 "$(hbm_status GET /readyz -H 'Content-Type: application/json' --data-binary "$big")"
metrics=$(hbm_metrics)
hbm_match "metrics counts 404s" 'route="other",method="GET",status="404"\} [1-9]' "$metrics"

hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0" 0 "$HBM_RC"
hbm_check "the log says it stopped" grep -q '^<6>stopped$' "$HBM_TMP/hbmgwd.log"
hbm_done
