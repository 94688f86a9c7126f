#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole chain through Debian's Kannel, on loopback: fakesmsc (a phone
# network) -> bearerbox -> smsbox -> the sms-service get-url of hbmgwd ->
# a case -> the kannel channel -> smsbox's sendsms -> bearerbox ->
# fakesmsc. A migrant's HELP in English (GSM-7) and in Arabic (UCS-2,
# smsbox without mo-recode, so Kannel hands over UTF-16BE) each get a reply
# in their language and the agency its notice, from the channel's sender;
# the fake SMSC's delivery reports come back through the signed dlr-url and
# mark the messages delivered. Then the same with mo-recode on.
source "$(dirname "$0")/lib.sh"

BEARERBOX=${HBM_BEARERBOX:-/usr/sbin/bearerbox}
SMSBOX=${HBM_SMSBOX:-/usr/sbin/smsbox}
FAKESMSC=${HBM_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}
for b in "$BEARERBOX" "$SMSBOX" "$FAKESMSC"; do
	if [ ! -x "$b" ]; then
		echo "not ok - $b missing (Debian packages kannel, kannel-extras; tools/deps.sh)"
		exit 1
	fi
done

hbm_tmp_init
hbm_redis_start
KDIR=$HBM_TMP/kannel
mkdir -p "$KDIR"
K_PIDS=()
K_SMSBOX=""
kannel_stop() {
	local p
	for p in "${K_PIDS[@]}" $K_SMSBOX; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	K_PIDS=()
	K_SMSBOX=""
	hbm_cleanup
}
trap kannel_stop EXIT

HBM_PORT=$(hbm_free_port)
K_ADMIN=$(hbm_free_port)
K_BOX=$(hbm_free_port)
K_SMSC=$(hbm_free_port)
K_SEND=$(hbm_free_port)
K_PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
SENDER=HBM-Relief
M_EN=+256700000031 M_AR=+256700000032 M_RE=+256700000033
WFP=+256700000101 RC=+256700000102

cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels\|^http')
http: { listen = "127.0.0.1:$HBM_PORT"; public_url = "http://127.0.0.1:$HBM_PORT"; };
channels = ( { name = "kannel"; type = "http"; format = "kannel";
               url = "http://127.0.0.1:$K_SEND/cgi-bin/sendsms";
               username = "hbm"; password = "$K_PASS"; from = "$SENDER"; } );
agencies = (
  { id = "wfp"; name = "WFP"; phones = ["$WFP"]; },
  { id = "redcross"; name = "Red Cross"; phones = ["$RC"]; }
);
categories = (
  { id = "food"; agencies = ["wfp"]; priority = 3; sms_label = "food";
    keywords = { en = ["FOOD"]; ar = ["طعام"]; }; },
  { id = "medical"; agencies = ["redcross"]; priority = 1; sms_label = "health";
    keywords = { en = ["DOCTOR"]; ar = ["طبيب"]; }; }
);
CONF

# Kannel's configuration; mo-recode (yes or no) for smsbox.
kannel_conf() {
	cat <<CONF
group = core
admin-port = $K_ADMIN
admin-password = "$K_PASS"
admin-interface = "127.0.0.1"
admin-allow-ip = "127.0.0.1"
smsbox-port = $K_BOX
box-allow-ip = "127.0.0.1"
log-file = "$KDIR/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = $K_SMSC
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $K_BOX
sendsms-port = $K_SEND
sendsms-interface = "127.0.0.1"
mo-recode = $1
log-file = "$KDIR/smsbox.log"
log-level = 0

group = sendsms-user
username = "hbm"
password = "$K_PASS"
user-allow-ip = "127.0.0.1"

group = sms-service
keyword = default
get-url = "http://127.0.0.1:$HBM_PORT/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&from=%p&to=%P&text=%b&coding=%c&charset=%C&id=%I"
max-messages = 0
CONF
}

kstatus() {
	curl -s --max-time 2 "http://127.0.0.1:$K_ADMIN/status.txt?password=$K_PASS"
}
# smsbox connected to bearerbox and its sendsms listening.
ksendsms_up() {
	kstatus | grep -q 'smsbox:' && curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$K_SEND/"
}

# Start smsbox with mo-recode YES|NO (stopping the one before).
smsbox_start() {
	if [ -n "$K_SMSBOX" ]; then
		kill -TERM "$K_SMSBOX"
		wait "$K_SMSBOX" 2>/dev/null
		K_SMSBOX=""
		hbm_wait 10 bash -c "! curl -s --max-time 1 -o /dev/null http://127.0.0.1:$K_SEND/"
	fi
	kannel_conf "$1" > "$KDIR/smsbox-$1.conf"
	"$SMSBOX" -v 1 "$KDIR/smsbox-$1.conf" >> "$KDIR/smsbox.out" 2>&1 &
	K_SMSBOX=$!
	if ! hbm_wait 15 ksendsms_up; then
		echo "smsbox did not start" >&2
		tail -n 20 "$KDIR/smsbox.out" >&2
		exit 1
	fi
}

hbm_daemon_start "$HBM_TMP/gw.conf"

kannel_conf no > "$KDIR/kannel.conf"
"$BEARERBOX" -v 1 "$KDIR/kannel.conf" > "$KDIR/bearerbox.out" 2>&1 &
K_PIDS+=($!)
if ! hbm_wait 15 kstatus; then
	echo "bearerbox did not start" >&2
	tail -n 20 "$KDIR/bearerbox.out" >&2
	exit 1
fi
smsbox_start no
# fakesmsc without messages on its command line reads them from stdin, one
# per line, and logs every message the SMSC hands it ("Got message N:
# <sender receiver type text>", debug level for all but one).
mkfifo "$KDIR/mo"
"$FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -i 0 -v 0 < "$KDIR/mo" > "$KDIR/fakesmsc.out" 2>&1 &
K_PIDS+=($!)
exec 3> "$KDIR/mo"
hbm_check "Kannel is up with the fake SMSC online" hbm_wait 15 bash -c \
	"curl -s --max-time 2 'http://127.0.0.1:$K_ADMIN/status.txt?password=$K_PASS' | grep -q 'fake.*online'"

# mo SENDER TYPE DATA: a message from a phone to the short code; TYPE text
# or ucs2 (DATA is then UTF-16BE, percent-encoded).
mo() { printf '%s 20880 %s %s\n' "$1" "$2" "$3" >&3; }
# The UTF-8 text as fakesmsc writes UCS-2 (percent-encoded UTF-16BE).
ucs2() {
	python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1].encode("utf-16-be"), safe=""))' "$1"
}
# What reached the phones: one line per message, "sender receiver text",
# the text decoded (text as it is, ucs-2 from UTF-16BE).
phones() {
	python3 - "$KDIR/fakesmsc.out" <<'PY'
import re, sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$", line)
    if not m:
        continue
    sender, to, kind, data = m.groups()
    # Kannel's URL encoding writes a space byte (0x20) as "+".
    raw = urllib.parse.unquote_to_bytes(data.replace("+", " "))
    if kind == "ucs-2":
        data = raw.decode("utf-16-be")
    elif kind == "data":
        data = raw.decode("utf-8", "replace")
    print(sender, to, data)
PY
}
# The texts that reached NUMBER, one per line.
texts_to() { phones | awk -v n="$1" '$2 == n { $1 = ""; $2 = ""; sub(/^  /, ""); print }'; }
got_sms() { [ "$(texts_to "$1" | wc -l)" -ge "$2" ]; }
# Every message record to NUMBER (admin API) is delivered.
delivered_to() {
	hbm_body GET "/v1/messages?to=$1" -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c 'import json, sys
m = json.load(sys.stdin)["messages"]
sys.exit(0 if m and all(x["status"] == "delivered" for x in m) else 1)'
}
# The status of the messages to NUMBER, one per line.
statuses_to() {
	hbm_body GET "/v1/messages?to=$1" -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c 'import json, sys
for x in json.load(sys.stdin)["messages"]:
    print(x["status"])'
}
CODE_RE='[1-9][0-9]{3}-[0-9]{4}'
# smsbox logs each get-url at debug level: what Kannel said of the text.
# (The text may hold a "'", which Kannel does not escape; the line ends "':".)
get_url_of() { grep -o "Parsing URL \`http://127.0.0.1:$HBM_PORT/v1/inbound/kannel?.*from=%2B${1#+}&.*'" "$KDIR/smsbox.log"; }

# --- Kannel needs a sender: without one sendsms refuses every message.
hbm_eq "sendsms without from is refused (what hbmgw used to send)" \
	"400 Sender missing and no global set, rejected" \
	"$(curl -s -w '%{http_code} ' -o "$KDIR/nofrom" \
		"http://127.0.0.1:$K_SEND/cgi-bin/sendsms?username=hbm&password=$K_PASS&to=%2B256700000099&text=x" &&
		cat "$KDIR/nofrom")"

# --- English, GSM-7
mo "$M_EN" text "HELP FOOD near gate 3"
hbm_check "English: the migrant's reply comes out at the phone" hbm_wait 20 got_sms "$M_EN" 1
hbm_match "English: Kannel handed over the text as it was" '&text=HELP\+FOOD\+near\+gate\+3&coding=0&charset=UTF-8&' "$(get_url_of "$M_EN")"
reply=$(texts_to "$M_EN")
code_en=$(grep -oE "$CODE_RE" <<<"$reply" | head -n 1)
hbm_match "English: the reply carries the case code" "^Request $CODE_RE received \(food\)" "$reply"
hbm_check "English: the agency's notice comes out at its phone" hbm_wait 20 got_sms "$WFP" 1
hbm_match "English: the notice names the case" "^New case $code_en: food" "$(texts_to "$WFP")"
hbm_check "English: the delivery reports mark the reply delivered" hbm_wait 20 delivered_to "$M_EN"
hbm_check "English: and the notice" hbm_wait 20 delivered_to "$WFP"

# --- Arabic, UCS-2, smsbox without mo-recode (UTF-16BE reaches hbmgwd)
mo "$M_AR" ucs2 "$(ucs2 'مساعدة طبيب')"
hbm_check "Arabic: the migrant's reply comes out at the phone" hbm_wait 20 got_sms "$M_AR" 1
hbm_match "Arabic: Kannel handed over UTF-16BE" '&text=%06.*&coding=2&charset=UTF-16BE&' "$(get_url_of "$M_AR")"
reply=$(texts_to "$M_AR")
code_ar=$(grep -oE "$CODE_RE" <<<"$reply" | head -n 1)
hbm_match "Arabic: the reply is in Arabic with the case code" "^وصل طلبك $CODE_RE \(health\)" "$reply"
hbm_match "Arabic: Kannel sent it as UCS-2" "^$SENDER \\$M_AR ucs-2 " \
	"$(grep -o "Got message [0-9]*: <.*>" "$KDIR/fakesmsc.out" | grep " $M_AR " | sed 's/^[^<]*<//')"
hbm_check "Arabic: the agency's notice comes out at its phone" hbm_wait 20 got_sms "$RC" 1
hbm_match "Arabic: the notice names the case" "^New case $code_ar: health" "$(texts_to "$RC")"
hbm_check "Arabic: the delivery reports mark the reply delivered" hbm_wait 20 delivered_to "$M_AR"
hbm_check "Arabic: and the notice" hbm_wait 20 delivered_to "$RC"
hbm_eq "Arabic: the stored text is UTF-8 Arabic, sealed" "مساعدة طبيب" \
	"$($HBM_REDIS_CLI --raw XREVRANGE '{hbm}:inbox' + - COUNT 1 | sed -n '/^text$/{n;p;q}' |
		"$HBM_BUILD/tests/unseal" "$(hbm_key)")"

# --- Arabic again with mo-recode on (smsbox hands over UTF-8)
smsbox_start yes
mo "$M_RE" ucs2 "$(ucs2 'مساعدة طعام')"
hbm_check "mo-recode: the migrant's reply comes out at the phone" hbm_wait 20 got_sms "$M_RE" 1
hbm_match "mo-recode: Kannel handed over UTF-8" '&text=%D9.*&coding=0&charset=UTF-8&' "$(get_url_of "$M_RE")"
hbm_match "mo-recode: the reply is in Arabic with the case code" "^وصل طلبك $CODE_RE \(food\)" \
	"$(texts_to "$M_RE")"
hbm_check "mo-recode: the delivery reports mark the reply delivered" hbm_wait 20 delivered_to "$M_RE"

# --- nothing lost or left over
hbm_eq "every message to the phones is delivered" "delivered" \
	"$(for n in $M_EN $M_AR $M_RE $WFP $RC; do statuses_to "$n"; done | sort -u | tr -d '\n')"
hbm_eq "every SMS came from the channel's sender" "$SENDER" "$(phones | awk '{ print $1 }' | sort -u)"
hbm_eq "hbmgwd logged no message text and no number in clear" "" \
	"$(grep -E 'near gate|مساعدة|طبيب|70000003[123]|700000101' "$HBM_TMP/hbmgwd.log")"

exec 3>&-
hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0 (and, under ASan, without leaks)" 0 "$HBM_RC"
hbm_done
