#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The modem channel through libgammu's real AT driver, against two
# simulated modems (tests/tools/atsim on pseudo-terminals). Outbound
# GSM-7, Arabic, emoji and a three-part message arrive whole and decoded
# from the PDUs; an SMS received by a modem becomes a case; a modem that
# stops answering is reconnected and the message still goes out; +CMS
# ERROR on one modem hands the message to the other; a modem unplugged
# with a message queued loses nothing; a delivery report marks the
# message delivered; GET /v1/channels shows both modems and the balance.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init

AUTH="Authorization: Bearer $HBM_ADMIN_TOKEN"
JSON='Content-Type: application/json'


# The whole messages modem NAME sent to NUMBER, one text per line.
sim_texts() {
	[ -s "$HBM_TMP/$1.log" ] || return 0
	python3 - "$HBM_TMP/$1.log" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if "message" in m and m.get("to") == sys.argv[2]:
        print(m["text"].replace("\n", " "))
PY
}
sim_sent() { sim_texts "$1" "$2" | grep -qxF -- "$3"; }
# The number of message lines modem NAME logged for NUMBER.
sim_count() { sim_texts "$1" "$2" | wc -l; }

send() {
	local body
	body=$(python3 -c 'import json,sys; d={"to": sys.argv[1], "text": sys.argv[2]}
if len(sys.argv) > 3: d["channel"] = sys.argv[3]
print(json.dumps(d))' "$@")
	hbm_body POST /v1/messages -H "$AUTH" -H "$JSON" --data-binary "$body" | hbm_jget id
}
# Seconds since the start, on the scenario's output (where time goes).
mark() { echo "# ${SECONDS}s $*"; }

hbm_sim_start ma
hbm_sim_start mb
hbm_redis_start
cat > "$HBM_TMP/gw.conf" <<CONF
gateway: { instance = "test"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; timeout_ms = 500; };
http: { listen = "127.0.0.1:0"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; };
tokens: { admin = ["$(hbm_sha256 $HBM_ADMIN_TOKEN)"];
          channels = ["$(hbm_sha256 $HBM_CHANNEL_TOKEN)"]; };
channels = (
  { name = "ma"; type = "modem"; poll_interval = 1; delivery_reports = true;
    gammu = { device = "$HBM_TMP/ma.tty"; connection = "at"; };
    prefixes = ["+256"]; balance_ussd = "*131#"; },
  { name = "mb"; type = "modem"; poll_interval = 1;
    gammu = { device = "$HBM_TMP/mb.tty"; connection = "at"; };
    prefixes = ["+254"]; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; priority = 3; sms_label = "food";
    keywords = { en = ["FOOD"]; }; } );
CONF
hbm_sim ma 'ussd-balance Your balance is UGX 1,250.50' > /dev/null
export HBM_RETRY_BASE_MS=200 HBM_MODEM_HANG_MS=8000
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "modem ma connects" hbm_wait 20 grep -q 'modem ma: connected' "$HBM_TMP/hbmgwd.log"
hbm_check "modem mb connects" hbm_wait 20 grep -q 'modem mb: connected' "$HBM_TMP/hbmgwd.log"

# Outbound through ma, decoded by the simulator from the PDUs.
TO=+256700000031
T1="Your code is 4821-3957. Go to gate 3 {bring ID} [A] ~ 5€"
T2="رمزك 4821-3957. اذهب إلى البوابة 3"
T3="Your code 4821-3957 😀👍 see you"
T4=$(python3 -c 'print(" ".join("word%03d" % i for i in range(1, 53)))')
for t in "$T1" "$T2" "$T3" "$T4"; do
	send "$TO" "$t" ma > /dev/null
done
hbm_check "GSM-7 with extension characters arrives whole" hbm_wait 20 sim_sent ma "$TO" "$T1"
hbm_check "Arabic (UCS-2) arrives whole" hbm_wait 20 sim_sent ma "$TO" "$T2"
hbm_check "emoji (surrogate pairs) arrive whole" hbm_wait 20 sim_sent ma "$TO" "$T3"
hbm_check "a three-part message arrives joined" hbm_wait 20 sim_sent ma "$TO" "$T4"
hbm_match "the long one took three parts" '"parts": ?3' "$(grep -F '"message"' "$HBM_TMP/ma.log" | tail -n 1)"

mark "A delivery report"
# A delivery report (ma asks for them) marks the message delivered.
# The simulator answers a submit that asks for a report with +CDS, which
# libgammu hands to the incoming-SMS callback rather than storing it.
id=$(send +256700000032 "report me" ma)
hbm_check "sent with a report request" hbm_wait 10 sim_sent ma +256700000032 "report me"
hbm_match "the submit asked for a report" '"srr":1' "$(grep -F '"pdu"' "$HBM_TMP/ma.log" | grep -F '+256700000032')"
hbm_check "delivery report: delivered" hbm_wait 10 hbm_msg_is "$id" delivered

mark "Inbound through"
# Inbound through the AT driver: a case and its reply.
hbm_sim ma 'inject +256700000033 HELP FOOD at the gate' > /dev/null
answered() { [ "$(sim_count ma +256700000033)" -ge 1 ]; }
hbm_check "an SMS received on ma is answered through ma" hbm_wait 20 answered

mark "A hang"
# A hang: ma ignores commands; libgammu times out, the worker reconnects,
# and the message is still sent (by ma after the reconnect, or by mb).
hbm_sim ma 'fault noanswer 3' > /dev/null
id=$(send +256700000034 "sent after a hang" ma)
hbm_check "hang: the message is still sent" hbm_wait 40 hbm_msg_is "$id" sent
# The reconnect takes the hang limit (8 s), the backoff, and an open whose
# first commands the modem still ignores, each waited out by libgammu's own
# timeout: about 25 s here, so up to 60 s is allowed.
hbm_check "hang: the modem was reconnected" hbm_wait 60 sh -c "[ \$(grep -c 'modem ma: connected' '$HBM_TMP/hbmgwd.log') -ge 2 ]"

mark "+CMS ERROR"
# +CMS ERROR on ma (both tries): handed to mb, which sends it.
hbm_sim ma 'fault cms 38 2' > /dev/null
id=$(send +256700000035 "sent by the other modem" ma)
hbm_check "+CMS ERROR: sent by the second modem" hbm_wait 20 sim_sent mb +256700000035 "sent by the other modem"
hbm_check "+CMS ERROR: the message is sent" hbm_wait 30 hbm_msg_is "$id" sent
hbm_eq "+CMS ERROR: not sent by the failing modem" 0 "$(sim_count ma +256700000035)"

mark "Unplugged"
# Unplugged: queued messages are not lost.
hbm_sim ma unplug > /dev/null
id=$(send +256700000036 "nothing lost" ma)
hbm_check "unplugged: the message is sent" hbm_wait 40 hbm_msg_is "$id" sent
hbm_eq "unplugged: sent exactly once" 1 "$(( $(sim_count ma +256700000036) + $(sim_count mb +256700000036) ))"
hbm_sim ma plug > /dev/null
hbm_check "plugged again: ma reconnects" hbm_wait 40 sh -c "[ \$(grep -c 'modem ma: connected' '$HBM_TMP/hbmgwd.log') -ge 3 ]"

mark "CH=$"
CH=$(hbm_body GET /v1/channels -H "$AUTH")
hbm_eq "first modem listed" ma "$(echo "$CH" | hbm_jget channels.0.name)"
hbm_eq "second modem listed" mb "$(echo "$CH" | hbm_jget channels.1.name)"
hbm_eq "IMEI over AT" 356938035643809 "$(echo "$CH" | hbm_jget channels.1.imei)"
hbm_eq "balance parsed from the USSD answer" 1250.5 "$(echo "$CH" | hbm_jget channels.0.balance)"
hbm_match "errors counted on ma" '^[1-9]' "$(echo "$CH" | hbm_jget channels.0.errors)"

# contrib/: the alerting rules are valid, and every metric that they and
# the Grafana dashboard use is served by this daemon (modems, balance and
# all), so neither can name a metric that does not exist.
RULES=$HBM_SRCDIR/contrib/prometheus/hbmgw-rules.yml
DASH=$HBM_SRCDIR/contrib/grafana/hbmgw.json
hbm_check "promtool accepts the alerting rules" promtool check rules "$RULES"
hbm_check "the dashboard is JSON" /usr/bin/python3 -m json.tool "$DASH"
METRICS=$(hbm_metrics)
used=$(grep -oh 'hbmgw_[a-z_]*' "$RULES" "$DASH" | sed 's/_bucket$//' | sort -u)
hbm_check "the rules and the dashboard use metrics" test "$(wc -w <<<"$used")" -ge 12
for m in $used; do
	hbm_check "served: $m" grep -q "^# TYPE $m " <<<"$METRICS"
done

hbm_daemon_stop TERM
hbm_eq "clean exit" 0 "$HBM_RC"
hbm_done
