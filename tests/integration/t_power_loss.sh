#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A power loss under the documented durable setting (appendonly yes,
# appendfsync always), emulated: a steady inbound load, Redis killed with
# SIGKILL, and its append-only file cut back to the size it had when the
# last message was acknowledged (with "always" Redis has fsynced a write
# before it answers, so nothing after that point is guaranteed to be on
# disk). After Redis restarts, every message answered 202 is in the inbox,
# and no message id was handed out twice (the cut sets {hbm}:msgseq back).
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_capture_start

# redis-server with the durable setting on a fixed port; its data stays
# in HBM_TMP/redis across restarts.
HBM_REDIS_PORT=$(hbm_free_port)
HBM_REDIS_URL="tcp://127.0.0.1:$HBM_REDIS_PORT"
HBM_REDIS_CLI="redis-cli -h 127.0.0.1 -p $HBM_REDIS_PORT"
redis_durable_start() {
	mkdir -p "$HBM_TMP/redis"
	redis-server --port "$HBM_REDIS_PORT" --bind 127.0.0.1 \
		--dir "$HBM_TMP/redis" --save '' --appendonly yes \
		--appendfsync always --logfile "$HBM_TMP/redis/log" &
	HBM_REDIS_PID=$!
	loaded() { [ "$($HBM_REDIS_CLI PING)" = PONG ]; }
	hbm_wait 10 loaded || { echo "redis did not start"; cat "$HBM_TMP/redis/log"; exit 1; }
}
redis_durable_start

cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels' | sed 's/timeout_ms = 500;/timeout_ms = 500; durability = "require";/')
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "started under durability = require" \
	grep -q 'persistence keeps acknowledged messages' "$HBM_TMP/hbmgwd.log"

aof=$(ls "$HBM_TMP"/redis/appendonlydir/*.incr.aof)
# The load: one message after another, as an aggregator posts them; after
# each 202: its id, the size of the AOF then and the time (ms). It ends
# when $HBM_TMP/stop exists.
load() { # ID-PREFIX OUT
	rm -f "$HBM_TMP/stop"
	python3 - "$HBM_URL" "$HBM_CHANNEL_TOKEN" "$aof" "$2" "$HBM_TMP/stop" "$1" <<'PY' &
import json, os, sys, time, urllib.request, urllib.error
url, token, aof, acked, stop, prefix = sys.argv[1:]
i = 0
with open(acked, "w") as out:
    while not os.path.exists(stop) and i < 100000:
        i += 1
        body = json.dumps({"from": "+2567020%05d" % (i % 100000), "to": "1234",
                           "text": "HELP FOOD", "id": "%s-%d" % (prefix, i)}).encode()
        req = urllib.request.Request(url + "/v1/inbound/sms", data=body, headers={
            "Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 202:
                    out.write("%s-%d %d %d\n" % (prefix, i, os.path.getsize(aof),
                                                 time.time() * 1000))
                    out.flush()
        except (urllib.error.URLError, OSError):
            pass
PY
	loader=$!
}
# At least N messages acknowledged in OUT.
acked_at_least() { [ -s "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }
load pl "$HBM_TMP/acked"
hbm_check "the load is under way (500 acknowledged)" hbm_wait 60 acked_at_least "$HBM_TMP/acked" 500
hbm_redis_kill # the power goes
: > "$HBM_TMP/stop"
wait "$loader"

acked=$(wc -l < "$HBM_TMP/acked")
hbm_check "messages were acknowledged under load ($acked)" test "$acked" -ge 50
size=$(stat -c %s "$aof")
cut=$(awk '{ if ($2 > m) m = $2 } END { print m }' "$HBM_TMP/acked")
echo "# AOF $size bytes, cut to $cut (the size at the last acknowledgement)"
truncate -s "$cut" "$aof"
before=$(python3 - "$HBM_CAPTURE_LOG" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    n += 1
print(n)
PY
)
redis_durable_start

in_inbox() {
	$HBM_REDIS_CLI XRANGE '{hbm}:inbox' - + | grep -x '[a-z]*-[0-9]*' | sort -u > "$HBM_TMP/inbox"
	cut -d' ' -f1 "$HBM_TMP/acked" | sort -u > "$HBM_TMP/acked.ids"
	comm -23 "$HBM_TMP/acked.ids" "$HBM_TMP/inbox" > "$HBM_TMP/lost"
	[ ! -s "$HBM_TMP/lost" ]
}
hbm_check "every acknowledged message is in the inbox after the restart" in_inbox
hbm_eq "acknowledged messages lost" 0 "$(wc -l < "$HBM_TMP/lost")"

# Traffic after the restart draws new message ids; then every id sent
# must name one message only.
for i in $(seq 1 20); do
	hbm_inbound "$(printf '+2567030%05d' "$i")" 'HELP FOOD' "after-$i" > /dev/null
done
drained() {
	[ "$($HBM_REDIS_CLI XINFO GROUPS '{hbm}:inbox' | sed -n '/^pending$/{n;p}')" = 0 ]
}
hbm_check "the inbox drains after the restart" hbm_wait 60 drained
sent_all() { hbm_sent_to +2567030"$(printf '%05d' 20)" 1; }
hbm_check "messages after the restart are answered" hbm_wait 30 sent_all
reused=$(python3 - "$HBM_CAPTURE_LOG" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1], encoding="utf-8"):
    req = json.loads(line)
    try:
        m = json.loads(req.get("body") or "{}")
    except ValueError:
        continue
    if "id" in m:
        seen.setdefault(m["id"], set()).add((m.get("to"), m.get("text")))
print(sum(1 for v in seen.values() if len(v) > 1))
PY
)
echo "# $before sends before the loss, $(wc -l < "$HBM_CAPTURE_LOG") in all"
hbm_eq "message ids used for two different messages" 0 "$reused"

# The same with appendfsync everysec, which the daemon warns about: a power
# loss takes the last second of the file. Acknowledged messages are lost
# (what the warning says), and still no message id is handed out twice:
# the counter, set back by the cut, jumps past the ids drawn before.
$HBM_REDIS_CLI CONFIG SET appendfsync everysec > /dev/null
load es "$HBM_TMP/acked.es"
hbm_check "the everysec load is under way (1500 acknowledged)" hbm_wait 60 acked_at_least "$HBM_TMP/acked.es" 1500
t_kill=$(date +%s%3N)
hbm_redis_kill
: > "$HBM_TMP/stop"
wait "$loader"
cut=$(awk -v t="$t_kill" '$3 <= t - 1000 { if ($2 > m) m = $2 } END { print m + 0 }' "$HBM_TMP/acked.es")
echo "# everysec: AOF $(stat -c %s "$aof") bytes, cut to $cut (the last second)"
truncate -s "$cut" "$aof"
redis_durable_start # appendfsync always again
cut -d' ' -f1 "$HBM_TMP/acked.es" | sort -u > "$HBM_TMP/acked.ids"
$HBM_REDIS_CLI XRANGE '{hbm}:inbox' - + | grep -x 'es-[0-9]*' | sort -u > "$HBM_TMP/inbox"
lost=$(comm -23 "$HBM_TMP/acked.ids" "$HBM_TMP/inbox" | wc -l)
echo "# everysec: $lost of $(wc -l < "$HBM_TMP/acked.ids") acknowledged messages lost"
hbm_check "everysec: the cut lost acknowledged messages" test "$lost" -gt 0
for i in $(seq 21 40); do
	hbm_inbound "$(printf '+2567030%05d' "$i")" 'HELP FOOD' "after-$i" > /dev/null
done
sent_more() { hbm_sent_to +2567030"$(printf '%05d' 40)" 1; }
hbm_check "messages after the second restart are answered" hbm_wait 60 sent_more
reused=$(python3 - "$HBM_CAPTURE_LOG" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        m = json.loads(json.loads(line).get("body") or "{}")
    except ValueError:
        continue
    if "id" in m:
        seen.setdefault(m["id"], set()).add((m.get("to"), m.get("text")))
print(sum(1 for v in seen.values() if len(v) > 1))
PY
)
hbm_eq "everysec: message ids used for two different messages" 0 "$reused"
hbm_done
