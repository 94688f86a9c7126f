#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What an outsider who reaches the HTTP port can do, on loopback only and
# bounded in count and time (tests/tools/attack.py):
# - 20,000 requests that libmicrohttpd refuses before any handler (a query
#   over its per-connection memory) leave the daemon's memory where it was
#   and are each closed at once, not held;
# - 2,000 connections that send half a header from 127.0.0.2-5 are held
#   only up to http.max_per_address each, and meanwhile a client on
#   127.0.0.1 gets /healthz and posts an inbound SMS within 2 s;
# - held connections are closed after http.timeout.
# Under make check-asan, LeakSanitizer checks the daemon at its exit.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
PER_ADDR=16
cat > "$HBM_TMP/gw.conf" <<CONF
gateway: { instance = "attack"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; };
http: { listen = "127.0.0.1:0"; threads = 2; max_connections = 1024;
        max_per_address = $PER_ADDR; timeout = 3; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; };
tokens: { admin = ["$(hbm_sha256 "$HBM_ADMIN_TOKEN")"];
          channels = ["$(hbm_sha256 "$HBM_CHANNEL_TOKEN")"]; };
channels = ( { name = "agg"; type = "http"; url = "http://127.0.0.1:9/send"; } );
CONF
# Under ASan freed memory sits in a quarantine (256 MB by default), which
# would read as growth; without it, growth is what the daemon keeps.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
fi
hbm_daemon_start "$HBM_TMP/gw.conf"
PORT=${HBM_URL##*:}
ATTACK=(python3 "$HBM_SRCDIR/tests/tools/attack.py")

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$HBM_DAEMON_PID/status"; }

# Rejected requests. A first round settles the allocator's pools; the
# growth is measured over the second.
"${ATTACK[@]}" rejected --port "$PORT" --count 2000 > "$HBM_TMP/warm.json"
before=$(rss_kb)
"${ATTACK[@]}" rejected --port "$PORT" --count 20000 --limit 240 > "$HBM_TMP/rej.json"
after=$(rss_kb)
rej=$(cat "$HBM_TMP/rej.json")
echo "# rejected: $rej; RSS $before kB -> $after kB"
hbm_eq "20,000 rejected requests were sent" 20000 "$(echo "$rej" | hbm_jget sent)"
hbm_eq "none was held without an answer for 2 s" 0 "$(echo "$rej" | hbm_jget hung)"
hbm_check "they grew the daemon's memory by at most 4 MB ($before -> $after kB)" \
	test $((after - before)) -le 4096
hbm_eq "the daemon still answers" 200 "$(hbm_status GET /healthz)"

# Slow connections from four other loopback addresses.
"${ATTACK[@]}" slow --port "$PORT" --count 2000 \
	--from 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 \
	--expect-max $((4 * PER_ADDR)) --ready "$HBM_TMP/slow.json" \
	--stop "$HBM_TMP/slow.stop" --limit 60 &
SLOW_PID=$!
hbm_check "the slow connections were all tried" hbm_wait 60 test -s "$HBM_TMP/slow.json"
slow=$(cat "$HBM_TMP/slow.json")
echo "# slow: $slow"
hbm_check "at most max_per_address were held from each address" \
	test "$(echo "$slow" | hbm_jget opened)" -le $((4 * PER_ADDR))
hbm_check "and some were (the test reached the server)" \
	test "$(echo "$slow" | hbm_jget opened)" -ge 4
hbm_eq "meanwhile /healthz answers within 2 s" 200 \
	"$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$HBM_URL/healthz")"
hbm_eq "and an inbound SMS is taken within 2 s" 202 \
	"$(curl -s -o /dev/null -m 2 -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $HBM_CHANNEL_TOKEN" \
		-H 'Content-Type: application/json' \
		-d '{"from":"+256700000401","to":"1234","text":"HELP FOOD","id":"atk-1"}' \
		"$HBM_URL/v1/inbound/sms")"

# The held connections are closed by the server after http.timeout (3 s):
# the client sees them go.
touch "$HBM_TMP/slow.stop"
wait "$SLOW_PID"

# A connection that never finishes its header is closed by the server.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3
t0=$(date +%s)
timeout 10 cat <&3 > /dev/null
t1=$(date +%s)
exec 3<&-
hbm_check "a half header is closed after http.timeout (3 s; took $((t1 - t0)) s)" \
	test $((t1 - t0)) -le 6

hbm_daemon_stop TERM
hbm_eq "clean exit" 0 "$HBM_RC"
hbm_done
