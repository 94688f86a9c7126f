#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The modem channel against libgammu's dummy driver (a directory that acts
# as a phone: each file in sms/1 is one received SMS in Gammu's backup
# format). GSM-7, Arabic UCS-2 and a two-part message stored in reverse
# order each become one case with one reply, sent back through the modem;
# a file leaves sms/1 only once its message is in the inbox; a lone part
# is stored after the multipart wait; with Redis stopped the files stay and
# are stored once it is back; GET /v1/channels, /metrics and /readyz show
# the modem.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init

PHONE="$HBM_TMP/modem0"
mkdir -p "$PHONE/sms/1"
AUTH="Authorization: Bearer $HBM_ADMIN_TOKEN"

# Write a received SMS to location LOC of the dummy phone: FROM TEXT
# [CODING [UDH]], with tools/dummy-sms (the file appears whole).
sms_drop() {
	"$HBM_SRCDIR/tools/dummy-sms" --location "$1" \
		${4:+--coding "$4"} ${5:+--udh "$5"} "$PHONE" "$2" "$3" > /dev/null
}

# The inbox entries' texts from the modem, one per line.
inbox_texts() {
	$HBM_REDIS_CLI --raw XRANGE '{hbm}:inbox' - + | "$HBM_BUILD/tests/unseal" "$(hbm_key)" | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
for i, l in enumerate(lines):
    if l == "text" and i + 1 < len(lines):
        print(lines[i + 1])'
}
inbox_has() { inbox_texts | grep -qxF -- "$1"; }

# The messages to NUMBER: "status text" per line.
sent_to() {
	hbm_body GET "/v1/messages?to=$1" -H "$AUTH" | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("messages", []):
    print(m.get("status"), m.get("channel"), m.get("text", "").replace("\n", " "))'
}
sent_count() { sent_to "$1" | grep -c '^sent modem0 '; }
replied() { [ "$(sent_count "$1")" -ge 1 ]; }
gone() { [ ! -e "$PHONE/sms/1/$1" ]; }
# A figure of /metrics: METRIC{LABELS} as written; 0 when absent.
metric() {
	local v
	v=$(hbm_metrics | awk -v k="$1" '$1 == k { print $2 }')
	echo "${v:-0}"
}
unavailable() { metric 'hbmgw_inbound_total{source="modem",status="unavailable"}'; }
polls() { metric 'hbmgw_modem_polls_total{modem="modem0"}'; }

hbm_redis_start
cat > "$HBM_TMP/gw.conf" <<CONF
gateway: { instance = "test"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; timeout_ms = 500; };
http: { listen = "127.0.0.1:0"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "$(hbm_key)"; };
tokens: { admin = ["$(hbm_sha256 $HBM_ADMIN_TOKEN)"];
          channels = ["$(hbm_sha256 $HBM_CHANNEL_TOKEN)"]; };
channels = ( { name = "modem0"; type = "modem"; poll_interval = 1;
               gammu = { device = "$PHONE"; connection = "none"; model = "dummy"; };
               prefixes = ["+256"]; balance_ussd = "*131#"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = (
  { id = "food"; agencies = ["wfp"]; priority = 3; sms_label = "food";
    keywords = { en = ["FOOD"]; ar = ["طعام"]; }; },
  { id = "water"; agencies = ["wfp"]; priority = 3; sms_label = "water";
    keywords = { en = ["WATER"]; }; } );
CONF
export HBM_MODEM_MULTIPART_MS=3000
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "modem connects" hbm_wait 20 grep -q 'modem modem0: connected' "$HBM_TMP/hbmgwd.log"

# GSM-7.
sms_drop 1 +256700000011 "HELP FOOD near gate 3"
hbm_check "GSM-7 SMS leaves the SIM" hbm_wait 20 gone 1
hbm_check "GSM-7 SMS is in the inbox when it leaves" inbox_has "HELP FOOD near gate 3"
hbm_check "GSM-7 sender gets a reply through the modem" hbm_wait 20 replied +256700000011

# Arabic, UCS-2: help + food in Arabic.
AR="مساعدة طعام قرب البوابة"
sms_drop 2 +256700000012 "$AR" Unicode_No_Compression
hbm_check "UCS-2 SMS leaves the SIM" hbm_wait 20 gone 2
hbm_check "Arabic text decoded to UTF-8" inbox_has "$AR"
hbm_check "Arabic sender gets a reply" hbm_wait 20 replied +256700000012

# Two parts, stored in reverse order (part 2 first), reference 0x42.
P1="HELP FOOD we are twelve people waiting near the northern gate since "
P1="${P1}yesterday morning with three small children and one elderly man "
P1="${P1}who can"
P2="not walk far, please come soon"
sms_drop 3 +256700000013 "$P2" Default_No_Compression 050003420202
sms_drop 4 +256700000013 "$P1" Default_No_Compression 050003420201
hbm_check "both parts leave the SIM" hbm_wait 20 sh -c "[ ! -e '$PHONE/sms/1/3' ] && [ ! -e '$PHONE/sms/1/4' ]"
hbm_check "parts joined in order" inbox_has "$P1$P2"
hbm_check "two-part sender gets a reply" hbm_wait 20 replied +256700000013

# Each case answered once: one reply per sender, counted once every SMS is
# handled (three inbox entries processed) and what they caused is out
# (three replies and three notices to the agency sent by the modem).
settled() {
	[ "$(metric hbmgw_inbox_processed_total)" -ge 3 ] &&
		[ "$(metric 'hbmgw_modem_sent_total{modem="modem0"}')" -ge 6 ]
}
hbm_check "the three SMS are handled and answered" hbm_wait 20 settled
hbm_eq "one reply to the GSM-7 sender" 1 "$(sent_count +256700000011)"
hbm_eq "one reply to the Arabic sender" 1 "$(sent_count +256700000012)"
hbm_eq "one reply to the two-part sender" 1 "$(sent_count +256700000013)"
hbm_match "the reply carries a case code" '[1-9][0-9]{3}-[0-9]{4}' "$(sent_to +256700000011)"

# A lone part: kept until the wait ends, then stored as it is.
sms_drop 5 +256700000014 "HELP WATER part one only" Default_No_Compression 0500037A0201
hbm_check "a lone part is stored after the wait" hbm_wait 30 gone 5
hbm_check "its text is what arrived" inbox_has "HELP WATER part one only"
hbm_check "the log says a part was missing" grep -q 'stored a message with 1 of 2 parts' "$HBM_TMP/hbmgwd.log"

# Status: channels, metrics, readiness.
CH=$(hbm_body GET /v1/channels -H "$AUTH")
hbm_eq "channels needs the admin token" 401 "$(hbm_status GET /v1/channels)"
hbm_eq "modem listed" modem0 "$(echo "$CH" | hbm_jget channels.0.name)"
hbm_eq "modem type" modem "$(echo "$CH" | hbm_jget channels.0.type)"
hbm_eq "modem up" true "$(echo "$CH" | hbm_jget channels.0.up)"
hbm_eq "signal from the phone" 42 "$(echo "$CH" | hbm_jget channels.0.signal)"
hbm_eq "IMEI from the phone" 999999999999999 "$(echo "$CH" | hbm_jget channels.0.imei)"
hbm_eq "operator from the phone" GammuT3l "$(echo "$CH" | hbm_jget channels.0.operator)"
hbm_match "received counted" '^[4-9]$' "$(echo "$CH" | hbm_jget channels.0.received)"
hbm_match "sent counted" '^[3-9]$' "$(echo "$CH" | hbm_jget channels.0.sent)"
METRICS=$(hbm_metrics)
hbm_match "hbmgw_modem_up" 'hbmgw_modem_up\{modem="modem0"\} 1' "$METRICS"
hbm_match "hbmgw_modem_signal_percent" 'hbmgw_modem_signal_percent\{modem="modem0"\} 42' "$METRICS"
hbm_match "hbmgw_modem_received_total" 'hbmgw_modem_received_total\{modem="modem0"\} [1-9]' "$METRICS"
hbm_eq "ready with the modem up" 200 "$(hbm_status GET /readyz)"

# Redis stopped: the SMS stays on the SIM; back: stored, then deleted.
u0=$(unavailable)
hbm_redis_kill
sms_drop 6 +256700000015 "HELP FOOD during the outage"
hbm_check "the modem notices Redis is down" hbm_wait 20 grep -q 'modem modem0: .*\(redis\|connect\|refused\)' "$HBM_TMP/hbmgwd.log"
# Positive signals, not a pause: the modem read the SMS and failed to
# store it, then polled the SIM once more; the file is still there.
tried() { [ "$(unavailable)" -gt "$u0" ]; }
hbm_check "the modem tries to store it while Redis is down" hbm_wait 20 tried
p0=$(polls)
polled() { [ "$(polls)" -gt "$p0" ]; }
hbm_check "and polls the SIM again" hbm_wait 20 polled
hbm_check "the SMS stays on the SIM while Redis is down" test -e "$PHONE/sms/1/6"
hbm_redis_start
hbm_check "Redis back: the SMS leaves the SIM" hbm_wait 30 gone 6
hbm_check "and is in the inbox" inbox_has "HELP FOOD during the outage"

# A message to send (PDU = Submit, what "gammu savesms" writes) in the
# inbox is not a received SMS: left alone, and said once. A received SMS
# dropped after it is the sign that the modem polled again since.
# It is made on a phone aside and renamed into place whole: rewritten in
# place, the modem could read it as received before the rewrite.
mkdir -p "$HBM_TMP/stage"
STAGED=$("$HBM_SRCDIR/tools/dummy-sms" --location 30 "$HBM_TMP/stage" +256700000016 "HELP FOOD saved")
sed -i 's/^PDU = Deliver$/PDU = Submit/' "$STAGED"
mv "$STAGED" "$PHONE/sms/1/30"
submit_logged() { grep -q 'modem modem0: SMS in folder 1 at location [0-9]*30 is not a received SMS (PDU Submit): left alone; tools/dummy-sms' "$HBM_TMP/hbmgwd.log"; }
hbm_check "a Submit in the inbox is logged" hbm_wait 20 submit_logged
sms_drop 31 +256700000017 "HELP FOOD after the saved one"
hbm_check "a received SMS after it is read" hbm_wait 20 gone 31
hbm_check "the Submit stays where it is" test -e "$PHONE/sms/1/30"
hbm_check "and is not in the inbox" fails inbox_has "HELP FOOD saved"
hbm_eq "and is logged once" 1 "$(grep -c 'at location [0-9]*30 is not a received SMS' "$HBM_TMP/hbmgwd.log")"
rm -f "$PHONE/sms/1/30"

# tools/dummy-sms refuses what is not an SMS, and picks a free place.
hbm_eq "dummy-sms: a bad number exits 2" 2 "$("$HBM_SRCDIR/tools/dummy-sms" "$PHONE" notanumber hi > /dev/null 2>&1; echo $?)"
hbm_eq "dummy-sms: a missing phone exits 2" 2 "$("$HBM_SRCDIR/tools/dummy-sms" "$HBM_TMP/nophone" +256700000018 hi > /dev/null 2>&1; echo $?)"
hbm_eq "dummy-sms: bad hex exits 2" 2 "$("$HBM_SRCDIR/tools/dummy-sms" --udh xyz "$PHONE" +256700000018 hi > /dev/null 2>&1; echo $?)"
mkdir -p "$HBM_TMP/other/sms/1" && touch "$HBM_TMP/other/sms/1/1"
hbm_eq "dummy-sms: the first free location" "$HBM_TMP/other/sms/1/2" "$("$HBM_SRCDIR/tools/dummy-sms" "$HBM_TMP/other" +256700000018 hi)"

hbm_daemon_stop TERM
hbm_eq "clean exit" 0 "$HBM_RC"
hbm_check "worker stopped" grep -q 'modem modem0: worker stopped' "$HBM_TMP/hbmgwd.log"

# A modem that cannot connect (its directory cannot be made: a file is in
# the way) and no other channel: not ready, and the channel says why.
sed "s|device = \"$PHONE\"|device = \"$HBM_TMP/key/phone\"|" "$HBM_TMP/gw.conf" > "$HBM_TMP/down.conf"
hbm_daemon_start "$HBM_TMP/down.conf"
hbm_check "the connect error is logged" hbm_wait 20 grep -q 'modem modem0: connect:' "$HBM_TMP/hbmgwd.log"
hbm_eq "not ready with the only modem down" 503 "$(hbm_status GET /readyz)"
hbm_match "readyz says no channel can send" '"channels_up":0.*"error":"no channel can send' "$(hbm_body GET /readyz)"
CH=$(hbm_body GET /v1/channels -H "$AUTH")
hbm_eq "the modem is down" false "$(echo "$CH" | hbm_jget channels.0.up)"
hbm_match "its last error" '^connect: ' "$(echo "$CH" | hbm_jget channels.0.last_error)"
hbm_match "hbmgw_modem_up 0" 'hbmgw_modem_up\{modem="modem0"\} 0' "$(hbm_metrics)"
hbm_daemon_stop TERM
hbm_eq "clean exit with the modem down" 0 "$HBM_RC"
hbm_done
