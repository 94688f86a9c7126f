#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The aggregator webhooks and delivery reports against a real daemon and
# Redis: an Africa's Talking form, a signed Twilio form, a Kannel GET and an
# injected message (admin token) each make a case and its reply; repeats are
# answered as successes and processed once; every bad input gets its 4xx
# and adds nothing to the inbox; Kannel and JSON delivery reports move a
# sent message to delivered or failed (and the signed dlr-url a Kannel
# channel hands over works as Kannel calls it); each http channel counts
# the new SMS that came in through it; with Redis down all
# answer 503.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start

TW_TOKEN=tw-test-auth-token
PUBLIC=https://gw.example.org/hbm/
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels\|^http')
http: { listen = "127.0.0.1:0"; public_url = "$PUBLIC"; };
twilio: { auth_token = "$TW_TOKEN"; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; from = "HBM-Relief"; },
             { name = "kan"; type = "http"; format = "kannel";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/cgi-bin/sendsms"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; priority = 3;
                 sms_label = "food"; keywords = { en = ["FOOD"]; }; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_match "each http channel's received count is in the metrics from the start" \
	'hbmgw_http_received_total\{channel="agg"\} 0.*hbmgw_http_received_total\{channel="kan"\} 0|hbmgw_http_received_total\{channel="kan"\} 0.*hbmgw_http_received_total\{channel="agg"\} 0' \
	"$(hbm_metrics | tr '\n' ' ')"

FORM='Content-Type: application/x-www-form-urlencoded'
JSON='Content-Type: application/json'
CHAN="Authorization: Bearer $HBM_CHANNEL_TOKEN"
ADMIN="Authorization: Bearer $HBM_ADMIN_TOKEN"
TW_URL="https://gw.example.org/hbm/v1/inbound/twilio"

inbox_len() { $HBM_REDIS_CLI XLEN '{hbm}:inbox'; }

# The X-Twilio-Signature of form BODY posted to URL under TOKEN, computed
# here from Twilio's description, independently of the daemon.
tw_sig() {
	python3 - "$1" "$2" "$3" <<'PY'
import base64, hashlib, hmac, sys, urllib.parse
url, body, token = sys.argv[1:4]
pairs = urllib.parse.parse_qsl(body, keep_blank_values=True)
msg = url + "".join(k + v for k, v in sorted(pairs))
print(base64.b64encode(hmac.new(token.encode(), msg.encode(),
                                hashlib.sha1).digest()).decode())
PY
}

# The sig of a Kannel dlr-url for message ID: HMAC-SHA256 under the
# HKDF-SHA256 subkey "hbmgw dlr" of the privacy key, computed here.
dlr_sig() {
	python3 - "$(hbm_key)" "$1" <<'PY'
import hashlib, hmac, sys
secret = open(sys.argv[1], "rb").read()
prk = hmac.new(b"\0" * 32, secret, hashlib.sha256).digest()
sub = hmac.new(prk, b"hbmgw dlr\x01", hashlib.sha256).digest()
print(hmac.new(sub, sys.argv[2].encode(), hashlib.sha256).hexdigest())
PY
}

at() { hbm_body POST "/v1/inbound/africastalking?token=$HBM_CHANNEL_TOKEN" -H "$FORM" --data-binary "$1"; }
tw() { hbm_body POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$1" "$TW_TOKEN")" --data-binary "$1"; }

# bad WHAT STATUS METHOD PATH [curl args...]: the answer is STATUS, an
# {"error"} body, and the inbox is as long as before.
bad() {
	local what=$1 want=$2 method=$3 path=$4 n0 out
	shift 4
	n0=$(inbox_len)
	out=$(curl -s -X "$method" -w '\n%{http_code}' "$@" "$HBM_URL$path")
	hbm_eq "$what: $want" "$want" "$(tail -n 1 <<<"$out")"
	hbm_match "$what: says why" '^\{"error":".+"\}$' "$(sed '$d' <<<"$out")"
	hbm_eq "$what: changes nothing" "$n0" "$(inbox_len)"
}

replied() { hbm_wait 10 hbm_sent_to "$1" 1; }
code_in_reply() { hbm_texts_to "$1" | grep -cE '[1-9][0-9]{3}-[0-9]{4}'; }

# --- Africa's Talking
n0=$(inbox_len)
body='from=%2B256700000011&to=20880&text=HELP+FOOD+near+gate+3&date=2025-03-01+09%3A30%3A00&id=ATXid_1&linkId=x'
r1=$(at "$body")
hbm_match "AT: accepted as new" '^\{"id":"[0-9]+-[0-9]+","duplicate":false\}$' "$r1"
hbm_eq "AT: 202" 202 "$(hbm_status POST "/v1/inbound/africastalking?token=$HBM_CHANNEL_TOKEN" -H "$FORM" --data-binary "$body")"
r2=$(at "$body")
hbm_match "AT: a repeat is a duplicate" '"duplicate":true' "$r2"
hbm_eq "AT: naming the same entry" "$(hbm_jget id <<<"$r1")" "$(hbm_jget id <<<"$r2")"
hbm_eq "AT: one inbox entry for three deliveries" $((n0 + 1)) "$(inbox_len)"
hbm_eq "AT: the repeats left no entry after it" "" \
	"$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' "($(hbm_jget id <<<"$r1")" +)"
e=$($HBM_REDIS_CLI --raw XRANGE '{hbm}:inbox' "$(hbm_jget id <<<"$r1")" "$(hbm_jget id <<<"$r1")" | tr '\n' ' ')
hbm_check "AT: the entry holds no text in clear" bash -c "! grep -q 'gate 3' <<<'$e'"
e=$($HBM_REDIS_CLI --raw XRANGE '{hbm}:inbox' "$(hbm_jget id <<<"$r1")" "$(hbm_jget id <<<"$r1")" | "$HBM_BUILD/tests/unseal" "$(hbm_key)" | tr '\n' ' ')
hbm_match "AT: the entry holds the decoded text, sealed" ' text HELP FOOD near gate 3 ' "$e"
hbm_match "AT: and source and id" ' ext ATXid_1 source africastalking ' "$e"
hbm_check "AT: the migrant gets the case's reply" replied +256700000011
hbm_check "AT: the agency is notified" hbm_wait 10 hbm_sent_to +256700000101 1
hbm_check "AT: the deliveries are handled" hbm_inbox_settled
hbm_eq "AT: one reply" 1 "$(hbm_queued_count +256700000011)"
hbm_eq "AT: with one code" 1 "$(code_in_reply +256700000011)"
# A dedup key that is not a string (Redis written by hand) refuses the
# delivery, and the entry added before the key is tried goes again.
dk="{hbm}:dedup:$(printf 'africastalking\nATXid_9' | sha256sum | cut -c1-40)"
$HBM_REDIS_CLI HSET "$dk" x 1 >/dev/null
bad "AT: a dedup key of another type" 503 POST \
	"/v1/inbound/africastalking?token=$HBM_CHANNEL_TOKEN" -H "$FORM" \
	--data-binary 'from=%2B256700000011&to=20880&text=HELP&id=ATXid_9'
hbm_eq "AT: and leaves no entry" "" \
	"$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' "($(hbm_jget id <<<"$r1")" +)"
$HBM_REDIS_CLI DEL "$dk" >/dev/null

# --- Twilio
n0=$(inbox_len)
body='ToCountry=UG&From=%2B256700000012&To=%2B256312000000&Body=HELP+FOOD&NumMedia=0&MessageSid=SM0123456789abcdef0123456789abcdef&AccountSid=AC1&ApiVersion=2010-04-01'
twiml='<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
out=$(curl -s -w '\n%{http_code} %{content_type}' -X POST -H "$FORM" \
	-H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$body" "$TW_TOKEN")" \
	--data-binary "$body" "$HBM_URL/v1/inbound/twilio")
hbm_eq "Twilio: 200 text/xml" "200 text/xml" "$(tail -n 1 <<<"$out")"
hbm_eq "Twilio: empty TwiML" "$twiml" "$(sed '$d' <<<"$out")"
hbm_eq "Twilio: a repeat gets the same answer" "$twiml" "$(tw "$body")"
hbm_eq "Twilio: one inbox entry" $((n0 + 1)) "$(inbox_len)"
hbm_match "Twilio: source and id" 'ext SM0123456789abcdef0123456789abcdef source twilio' \
	"$($HBM_REDIS_CLI XREVRANGE '{hbm}:inbox' + - COUNT 1 | tr '\n' ' ')"
hbm_check "Twilio: the migrant gets the case's reply" replied +256700000012
hbm_check "Twilio: the deliveries are handled" hbm_inbox_settled
hbm_eq "Twilio: one reply" 1 "$(hbm_queued_count +256700000012)"
hbm_eq "Twilio: with one code" 1 "$(code_in_reply +256700000012)"

# A webhook URL with a query: the signature covers it as sent.
qbody='From=%2B256700000016&To=%2B256312000000&Body=HELP+FOOD&MessageSid=SM0123456789abcdef0123456789abcd16'
n0=$(inbox_len)
hbm_eq "Twilio: a query in the webhook URL is signed too" 200 \
	"$(hbm_status POST '/v1/inbound/twilio?site=gate%203&x=1' -H "$FORM" \
		-H "X-Twilio-Signature: $(tw_sig "$TW_URL?site=gate%203&x=1" "$qbody" "$TW_TOKEN")" \
		--data-binary "$qbody")"
hbm_eq "Twilio: signed without the query, refused" 403 \
	"$(hbm_status POST '/v1/inbound/twilio?site=gate%203&x=1' -H "$FORM" \
		-H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$qbody" "$TW_TOKEN")" \
		--data-binary "$qbody")"
hbm_eq "Twilio: one inbox entry for the signed one" $((n0 + 1)) "$(inbox_len)"

# --- Kannel
n0=$(inbox_len)
# Kannel's %a writes the words joined by '+'.
q='from=%2B256700000013&to=20880&text=HELP+FOOD%20%E2%9C%93&id=6f1ed3b8-kannel-1'
out=$(curl -s -w '\n%{http_code}' "$HBM_URL/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&$q")
hbm_eq "Kannel: 202 with an empty body" "
202" "$out"
hbm_eq "Kannel: a repeat is 202 too" 202 "$(hbm_status GET "/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&$q")"
hbm_eq "Kannel: one inbox entry" $((n0 + 1)) "$(inbox_len)"
hbm_match "Kannel: the UTF-8 text, source and id" 'text HELP FOOD ✓ ext 6f1ed3b8-kannel-1 source kannel' \
	"$($HBM_REDIS_CLI --raw XREVRANGE '{hbm}:inbox' + - COUNT 1 | "$HBM_BUILD/tests/unseal" "$(hbm_key)" | tr '\n' ' ')"
hbm_check "Kannel: the migrant gets the case's reply" replied +256700000013
hbm_check "Kannel: the deliveries are handled" hbm_inbox_settled
hbm_eq "Kannel: one reply" 1 "$(hbm_queued_count +256700000013)"
hbm_eq "Kannel: with one code" 1 "$(code_in_reply +256700000013)"

# --- the generic route takes the admin token (hbmctl inject)
n0=$(inbox_len)
r=$(hbm_body POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000014","to":"1","text":"HELP FOOD"}')
hbm_match "inject: accepted without an id" '"duplicate":false' "$r"
r=$(hbm_body POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000015","to":"1","text":"hello"}')
hbm_match "inject: a second one is new too" '"duplicate":false' "$r"
hbm_match "inject: under source inject with a generated id" 'ext inject-[0-9a-f]{32} source inject' \
	"$($HBM_REDIS_CLI XREVRANGE '{hbm}:inbox' + - COUNT 1 | tr '\n' ' ')"
r=$(hbm_body POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000015","to":"1","text":"hello","id":"drill-1"}')
r2=$(hbm_body POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000015","to":"1","text":"hello","id":"drill-1"}')
hbm_match "inject: a given id deduplicates" '"duplicate":true' "$r2"
hbm_eq "inject: three entries" $((n0 + 3)) "$(inbox_len)"
hbm_check "inject: the injected HELP makes a case" replied +256700000014

# --- bad input: Africa's Talking
ok='from=%2B256700000016&to=1&text=HELP&id=bad-1'
AT_PATH="/v1/inbound/africastalking?token=$HBM_CHANNEL_TOKEN"
bad "AT no token" 401 POST /v1/inbound/africastalking -H "$FORM" --data-binary "$ok"
bad "AT wrong token" 401 POST "/v1/inbound/africastalking?token=nope" -H "$FORM" --data-binary "$ok"
bad "AT admin token" 401 POST "/v1/inbound/africastalking?token=$HBM_ADMIN_TOKEN" -H "$FORM" --data-binary "$ok"
bad "AT token as a header only" 401 POST /v1/inbound/africastalking -H "$CHAN" -H "$FORM" --data-binary "$ok"
bad "AT missing from" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'to=1&text=HELP&id=bad-2'
bad "AT empty from" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=&to=1&text=HELP&id=bad-2'
bad "AT missing to" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&text=HELP&id=bad-2'
bad "AT missing text" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&to=1&id=bad-2'
bad "AT missing id" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&to=1&text=HELP'
bad "AT empty body" 400 POST "$AT_PATH" -H "$FORM" --data-binary ''
bad "AT bad number" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B25&to=1&text=HELP&id=bad-3'
bad "AT bad percent-escape" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&to=1&text=50%&id=bad-4'
bad "AT bad hex in an escape" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&to=1&text=%zzHELP&id=bad-4'
bad "AT invalid UTF-8 escaped" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&to=1&text=%C3%28&id=bad-5'
printf 'from=%%2B256700000016&to=1&text=\xff\xfe&id=bad-5' > "$HBM_TMP/raw.form"
bad "AT invalid UTF-8 raw" 400 POST "$AT_PATH" -H "$FORM" --data-binary @"$HBM_TMP/raw.form"
bad "AT escaped NUL" 400 POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000016&to=1&text=a%00b&id=bad-6'
# Kannel's coding (%c) and charset (%C) with the raw text (%b): UCS-2 is
# UTF-16BE, percent-encoded byte by byte; other charsets are converted too.
# The text of the newest inbox entry, opened with the privacy key.
last_text() {
	$HBM_REDIS_CLI --raw XREVRANGE '{hbm}:inbox' + - COUNT 1 | sed -n '/^text$/{n;p;q}' |
		"$HBM_BUILD/tests/unseal" "$(hbm_key)"
}
kin() { # ID QUERY-REST: one Kannel inbound message, its status
	hbm_status GET "/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&from=%2B256700000014&to=20880&id=$1&$2"
}
# "مرحبا HELP" in UTF-16BE.
ar='%06%45%06%31%06%2D%06%28%06%27%00+%00H%00E%00L%00P'
hbm_eq "Kannel UCS-2: 202" 202 "$(kin kc-1 "coding=2&charset=UTF-16BE&text=$ar")"
hbm_eq "Kannel UCS-2: stored as UTF-8" "مرحبا HELP" "$(last_text)"
hbm_eq "Kannel UCS-2 without a charset: 202" 202 "$(kin kc-2 "coding=2&text=%06%45%06%31")"
hbm_eq "Kannel UCS-2 without a charset: UTF-16BE" "مر" "$(last_text)"
hbm_eq "Kannel ISO-8859-1: 202" 202 "$(kin kc-3 "coding=0&charset=ISO-8859-1&text=caf%E9")"
hbm_eq "Kannel ISO-8859-1: stored as UTF-8" "café" "$(last_text)"
hbm_eq "Kannel WINDOWS-1252: 202" 202 "$(kin kc-4 "coding=0&charset=WINDOWS-1252&text=%805")"
hbm_eq "Kannel WINDOWS-1252: the euro sign" "€5" "$(last_text)"
# What smsbox sends after mo-recode: UTF-8, coding 0.
hbm_eq "Kannel recoded UTF-8: 202" 202 "$(kin kc-5 "coding=0&charset=UTF-8&text=%D9%85%D8%B1")"
hbm_eq "Kannel recoded UTF-8: as it is" "مر" "$(last_text)"
hbm_eq "Kannel 8-bit without a charset, UTF-8 bytes: 202" 202 "$(kin kc-6 "coding=1&charset=8-BIT&text=ok")"
KQ="/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&from=%2B256700000014&to=20880&id=kc-bad"
bad "Kannel UCS-2 of odd length" 400 GET "$KQ&coding=2&text=%06%45%06"
bad "Kannel UCS-2 lone surrogate" 400 GET "$KQ&coding=2&text=%D8%3D%00a"
bad "Kannel UCS-2 with a NUL" 400 GET "$KQ&coding=2&text=%00a%00%00"
bad "Kannel unknown coding" 400 GET "$KQ&coding=3&text=HELP"
bad "Kannel unsubstituted coding" 400 GET "$KQ&coding=%25c&text=HELP"
bad "Kannel unknown charset" 400 GET "$KQ&coding=0&charset=X-NO-SUCH&text=HELP"
bad "Kannel charset with a suffix" 400 GET "$KQ&coding=2&charset=UTF-8%2F%2FIGNORE&text=HELP"
bad "Kannel not WINDOWS-1252" 400 GET "$KQ&coding=0&charset=WINDOWS-1252&text=a%81"
bad "Kannel 8-bit data that is not UTF-8" 400 GET "$KQ&coding=1&charset=8-BIT&text=%FF%00"
bad "Kannel bad percent-escape in the text" 400 GET "$KQ&coding=2&text=%0"
long=$(for i in $(seq 1 2049); do printf '%%06%%45'; done)
bad "Kannel UCS-2 over 4096 bytes as UTF-8" 413 GET "$KQ&coding=2&text=$long"
hbm_match "Kannel UCS-2 of odd length: says which charset" '"text: not valid UTF-16BE"' \
	"$(hbm_body GET "$KQ&coding=2&text=%06%45%06")"
hbm_match "Kannel unknown charset: says so" '"charset: unknown charset X-NO-SUCH"' \
	"$(hbm_body GET "$KQ&charset=X-NO-SUCH&text=HELP")"

many=$(for i in $(seq 1 65); do printf 'f%d=x&' "$i"; done)
bad "AT 65 fields" 400 POST "$AT_PATH" -H "$FORM" --data-binary "${many}from=%2B256700000016&to=1&text=x&id=bad-7"
bad "AT id over 128 bytes" 400 POST "$AT_PATH" -H "$FORM" --data-binary "$ok$(head -c 128 /dev/zero | tr '\0' x)"
bad "AT JSON content type" 415 POST "$AT_PATH" -H "$JSON" --data-binary "$ok"
bad "AT no content type" 415 POST "$AT_PATH" -H 'Content-Type:' --data-binary "$ok"
bad "AT GET" 405 GET "$AT_PATH"
hbm_eq "AT: the good body still passes" 202 "$(hbm_status POST "$AT_PATH" -H "$FORM" --data-binary "$ok")"

# --- bad input: Twilio
ok='From=%2B256700000017&To=%2B256312000000&Body=HELP&MessageSid=SMbad1'
sig=$(tw_sig "$TW_URL" "$ok" "$TW_TOKEN")
bad "Twilio no signature" 403 POST /v1/inbound/twilio -H "$FORM" --data-binary "$ok"
bad "Twilio empty signature" 403 POST /v1/inbound/twilio -H "$FORM" -H 'X-Twilio-Signature:;' --data-binary "$ok"
bad "Twilio wrong signature" 403 POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: ${sig:1}A" --data-binary "$ok"
bad "Twilio signature of another body" 403 POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: $sig" \
	--data-binary "${ok/HELP/HELP+FOOD}"
bad "Twilio signature over another URL" 403 POST /v1/inbound/twilio -H "$FORM" \
	-H "X-Twilio-Signature: $(tw_sig https://gw.example.org/v1/inbound/twilio "$ok" "$TW_TOKEN")" --data-binary "$ok"
bad "Twilio signed with another token" 403 POST /v1/inbound/twilio -H "$FORM" \
	-H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$ok" other-token)" --data-binary "$ok"
twbad() { # WHAT STATUS BODY: correctly signed
	bad "$1" "$2" POST /v1/inbound/twilio -H "$FORM" \
		-H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$3" "$TW_TOKEN")" --data-binary "$3"
}
twbad "Twilio missing MessageSid" 400 'From=%2B256700000017&To=%2B256312000000&Body=HELP'
twbad "Twilio missing From" 400 'To=%2B256312000000&Body=HELP&MessageSid=SMbad2'
twbad "Twilio missing Body" 400 'From=%2B256700000017&To=%2B256312000000&MessageSid=SMbad2'
twbad "Twilio lowercase names" 400 'from=%2B256700000017&to=%2B256312000000&body=HELP&messagesid=SMbad2'
twbad "Twilio bad number" 400 'From=not-a-number&To=%2B256312000000&Body=HELP&MessageSid=SMbad3'
twbad "Twilio invalid UTF-8" 400 'From=%2B256700000017&To=%2B256312000000&Body=%E2%82&MessageSid=SMbad4'
bad "Twilio bad percent-escape" 400 POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: $sig" \
	--data-binary "${ok}&x=%4"
hbm_match "Twilio bad percent-escape: before the signature" '^\{"error":"malformed form: bad percent-escape"\}$' \
	"$(hbm_body POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: $sig" --data-binary "${ok}&x=%4")"
bad "Twilio JSON content type" 415 POST /v1/inbound/twilio -H "$JSON" -H "X-Twilio-Signature: $sig" --data-binary "$ok"
hbm_eq "Twilio: the good body still passes" 200 "$(hbm_status POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: $sig" --data-binary "$ok")"

# --- bad input: Kannel
ok='from=%2B256700000018&to=20880&text=HELP&id=kbad-1'
KP="/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN"
bad "Kannel no token" 401 GET "/v1/inbound/kannel?$ok"
bad "Kannel wrong token" 401 GET "/v1/inbound/kannel?token=x&$ok"
bad "Kannel missing text" 400 GET "$KP&from=%2B256700000018&to=20880&id=kbad-2"
bad "Kannel missing id" 400 GET "$KP&from=%2B256700000018&to=20880&text=HELP"
bad "Kannel missing from" 400 GET "$KP&to=20880&text=HELP&id=kbad-2"
bad "Kannel bad number" 400 GET "$KP&from=%2B2567000&to=20880&text=HELP&id=kbad-3"
bad "Kannel invalid UTF-8" 400 GET "$KP&from=%2B256700000018&to=20880&text=%FF%FE&id=kbad-4"
bad "Kannel invalid UTF-8 in the id" 400 GET "$KP&from=%2B256700000018&to=20880&text=HELP&id=%C0%80"
bad "Kannel POST" 405 POST "$KP&$ok"
hbm_eq "Kannel: the good query still passes" 202 "$(hbm_status GET "$KP&$ok")"

# --- bad input: generic route
bad "generic no token" 401 POST /v1/inbound/sms -H "$JSON" -d '{"from":"+256700000019","to":"1","text":"x","id":"g1"}'
bad "generic channel token needs an id" 400 POST /v1/inbound/sms -H "$CHAN" -H "$JSON" -d '{"from":"+256700000019","to":"1","text":"x"}'
bad "inject with an empty id" 400 POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000019","to":"1","text":"x","id":""}'
bad "inject with a number as id" 400 POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000019","to":"1","text":"x","id":5}'
bad "inject with a bad number" 400 POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"5","to":"1","text":"x"}'
bad "inject with a NUL" 400 POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000019","to":"1","text":"a\u0000"}'

# --- delivery reports
send() { hbm_body POST /v1/messages -H "$ADMIN" -H "$JSON" -d "{\"to\":\"$1\",\"text\":\"$2\"}" | hbm_jget id; }
m1=$(send +256700000050 'one')
m2=$(send +256700000051 'two')
m3=$(send +256700000052 'three')
hbm_check "DLR: the messages are sent" hbm_wait 10 hbm_msg_is "$m3" sent
hbm_wait 5 hbm_msg_is "$m1" sent
hbm_wait 5 hbm_msg_is "$m2" sent
s1=$(dlr_sig "$m1")
s2=$(dlr_sig "$m2")
s3=$(dlr_sig "$m3")
dlrbad() { # WHAT STATUS METHOD PATH [curl args]: and m1 stays sent
	bad "$@"
	hbm_eq "$1: the message stays sent" sent "$(hbm_msg "$m1" | hbm_jget status)"
}
dlrbad "Kannel DLR no sig" 403 GET "/v1/dlr/kannel?id=$m1&status=1"
dlrbad "Kannel DLR empty sig" 403 GET "/v1/dlr/kannel?id=$m1&status=1&sig="
dlrbad "Kannel DLR another message's sig" 403 GET "/v1/dlr/kannel?id=$m1&status=1&sig=$s2"
dlrbad "Kannel DLR uppercase sig" 403 GET "/v1/dlr/kannel?id=$m1&status=1&sig=${s1^^}"
dlrbad "Kannel DLR cut sig" 403 GET "/v1/dlr/kannel?id=$m1&status=1&sig=${s1:1}"
dlrbad "Kannel DLR unsubstituted status" 400 GET "/v1/dlr/kannel?id=$m1&status=%25d&sig=$s1"
dlrbad "Kannel DLR unknown status" 400 GET "/v1/dlr/kannel?id=$m1&status=3&sig=$s1"
dlrbad "Kannel DLR missing status" 400 GET "/v1/dlr/kannel?id=$m1&sig=$s1"
dlrbad "Kannel DLR missing id" 400 GET "/v1/dlr/kannel?status=1&sig=$s1"
dlrbad "Kannel DLR bad id" 400 GET "/v1/dlr/kannel?id=x$m1&status=1&sig=$s1"
dlrbad "Kannel DLR POST" 405 POST "/v1/dlr/kannel?id=$m1&status=1&sig=$s1"

r=$(hbm_body GET "/v1/dlr/kannel?id=$m1&status=8&sig=$s1")
hbm_eq "Kannel DLR submitted: interim, no change" "{\"id\":\"$m1\",\"report\":\"submitted\",\"changed\":false}" "$r"
hbm_eq "still sent" sent "$(hbm_msg "$m1" | hbm_jget status)"
r=$(hbm_body GET "/v1/dlr/kannel?id=$m1&status=1&sig=$s1")
hbm_eq "Kannel DLR delivered" "{\"id\":\"$m1\",\"report\":\"delivered\",\"changed\":true}" "$r"
hbm_eq "the message is delivered" delivered "$(hbm_msg "$m1" | hbm_jget status)"
r=$(hbm_body GET "/v1/dlr/kannel?id=$m1&status=2&sig=$s1")
hbm_match "a later failure report changes nothing" '"changed":false' "$r"
hbm_eq "delivered is final" delivered "$(hbm_msg "$m1" | hbm_jget status)"
hbm_eq "Kannel DLR rejected: 200" 200 "$(hbm_status GET "/v1/dlr/kannel?id=$m3&status=16&sig=$s3")"
hbm_eq "the rejected message failed" failed "$(hbm_msg "$m3" | hbm_jget status)"
hbm_eq "with the reason" "rejected by the SMSC" "$(hbm_msg "$m3" | hbm_jget error)"

jbad() { # WHAT STATUS BODY [curl args]: JSON DLR for m2, which stays sent
	local what=$1 want=$2 body=$3
	shift 3
	bad "$what" "$want" POST /v1/dlr -H "$JSON" "$@" --data-binary "$body"
	hbm_eq "$what: the message stays sent" sent "$(hbm_msg "$m2" | hbm_jget status)"
}
jbad "JSON DLR no token" 401 "{\"id\":\"$m2\",\"status\":\"failed\"}"
jbad "JSON DLR admin token" 401 "{\"id\":\"$m2\",\"status\":\"failed\"}" -H "$ADMIN"
jbad "JSON DLR malformed" 400 "{\"id\":\"$m2\"," -H "$CHAN"
jbad "JSON DLR not an object" 400 "[\"$m2\"]" -H "$CHAN"
jbad "JSON DLR unknown status" 400 "{\"id\":\"$m2\",\"status\":\"sent\"}" -H "$CHAN"
jbad "JSON DLR missing status" 400 "{\"id\":\"$m2\"}" -H "$CHAN"
jbad "JSON DLR bad id" 400 "{\"id\":\"2\",\"status\":\"failed\"}" -H "$CHAN"
jbad "JSON DLR id as a number" 400 "{\"id\":2,\"status\":\"failed\"}" -H "$CHAN"
jbad "JSON DLR error as a number" 400 "{\"id\":\"$m2\",\"status\":\"failed\",\"error\":5}" -H "$CHAN"
jbad "JSON DLR NUL in the error" 400 "{\"id\":\"$m2\",\"status\":\"failed\",\"error\":\"a\\u0000b\"}" -H "$CHAN"
bad "JSON DLR form content type" 415 POST /v1/dlr -H "$CHAN" -H "$FORM" --data-binary "{\"id\":\"$m2\",\"status\":\"failed\"}"
hbm_eq "JSON DLR form content type: the message stays sent" sent "$(hbm_msg "$m2" | hbm_jget status)"
r=$(hbm_body POST /v1/dlr -H "$CHAN" -H "$JSON" -d "{\"id\":\"$m2\",\"status\":\"failed\",\"error\":\"absent subscriber +256700000051\"}")
hbm_eq "JSON DLR failed" "{\"id\":\"$m2\",\"report\":\"failed\",\"changed\":true}" "$r"
hbm_eq "the message failed" failed "$(hbm_msg "$m2" | hbm_jget status)"
hbm_eq "with the error, its number masked" "absent subscriber +25670****051" "$(hbm_msg "$m2" | hbm_jget error)"
r=$(hbm_body POST /v1/dlr -H "$CHAN" -H "$JSON" -d '{"id":"m999999999","status":"delivered"}')
hbm_eq "JSON DLR for an unknown message: no change" '{"id":"m999999999","report":"delivered","changed":false}' "$r"
hbm_eq "no record made for it" 404 "$(hbm_status GET /v1/messages/m999999999 -H "$ADMIN")"

# End to end: the dlr-url that Kannel receives with a message, called the
# way Kannel calls it (%d replaced by the report type). Replies may have
# gone through Kannel too (the channel with the shorter queue takes them),
# so the one for this message is picked by its text.
m5=$(hbm_body POST /v1/messages -H "$ADMIN" -H "$JSON" -d '{"to":"+256700000054","text":"five","channel":"kan"}' | hbm_jget id)
hbm_check "DLR: a message is sent through Kannel" hbm_wait 10 hbm_msg_is "$m5" sent
dlr_url=$(python3 - "$HBM_CAPTURE_LOG" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["path"] == "/cgi-bin/sendsms":
        q = urllib.parse.parse_qs(r["query"], keep_blank_values=True)
        if q.get("text", [""])[0] == "five":
            print(q.get("dlr-url", [""])[0])
PY
)
hbm_eq "Kannel is given the signed dlr-url" \
	"https://gw.example.org/hbm/v1/dlr/kannel?id=$m5&status=%d&sig=$(dlr_sig "$m5")" "$dlr_url"
local_dlr=${dlr_url#https://gw.example.org/hbm}
hbm_eq "calling it as Kannel does: 200" 200 "$(hbm_status GET "${local_dlr/\%d/1}")"
hbm_eq "the Kannel message is delivered" delivered "$(hbm_msg "$m5" | hbm_jget status)"
senders=$(python3 - "$HBM_CAPTURE_LOG" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["method"] == "POST":
        print("json", json.loads(r["body"]).get("from", "(none)"))
    else:
        q = urllib.parse.parse_qs(r["query"], keep_blank_values=True)
        print("kannel", q.get("from", ["(none)"])[0])
PY
)
hbm_eq "each channel's sender: agg's in the JSON, none set for kan" \
	"json HBM-Relief kannel (none) " "$(sort -u <<<"$senders" | tr '\n' ' ')"

m4=$(send +256700000053 'four')
hbm_check "DLR: a fourth message is sent" hbm_wait 10 hbm_msg_is "$m4" sent
hbm_eq "JSON DLR delivered: 200" 200 "$(hbm_status POST /v1/dlr -H "$CHAN" -H "$JSON" -d "{\"id\":\"$m4\",\"status\":\"delivered\",\"error\":null}")"
hbm_eq "the fourth is delivered" delivered "$(hbm_msg "$m4" | hbm_jget status)"
metrics=$(hbm_metrics)
hbm_match "metrics count reports" 'hbmgw_delivery_reports_total\{format="kannel",report="delivered"\} 2$' "$metrics"
hbm_match "metrics count webhooks by source" 'hbmgw_inbound_total\{source="twilio",status="duplicate"\} 1' "$metrics"

# --- each channel counts the SMS that came in through it (received)
recv() { hbm_body GET /v1/channels -H "$ADMIN" | hbm_jget "channels.$1.received"; }
a0=$(recv 0) k0=$(recv 1)
hbm_match "received: the counters are numbers" '^[0-9]+ [0-9]+$' "$a0 $k0"
hbm_check "received: the webhooks so far were counted" test "$((a0 + k0))" -gt 0
b='from=%2B256700000031&to=20880&text=hello&id=ATrecv-1'
hbm_eq "received: a new AT SMS" 202 "$(hbm_status POST "/v1/inbound/africastalking?token=$HBM_CHANNEL_TOKEN" -H "$FORM" --data-binary "$b")"
hbm_eq "received: counted on the json channel" "$((a0 + 1)) $k0" "$(recv 0) $(recv 1)"
hbm_status POST "/v1/inbound/africastalking?token=$HBM_CHANNEL_TOKEN" -H "$FORM" --data-binary "$b" >/dev/null
hbm_eq "received: a repeat is not counted again" "$((a0 + 1)) $k0" "$(recv 0) $(recv 1)"
hbm_eq "received: a new Kannel SMS" 202 "$(hbm_status GET "/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&from=%2B256700000031&to=20880&text=hi&id=kan-recv-1")"
hbm_eq "received: counted on the kannel channel" "$((a0 + 1)) $((k0 + 1))" "$(recv 0) $(recv 1)"
hbm_eq "received: Kannel to agg's sender" 202 "$(hbm_status GET "/v1/inbound/kannel?token=$HBM_CHANNEL_TOKEN&from=%2B256700000031&to=HBM-Relief&text=hi&id=kan-recv-2")"
hbm_eq "received: counted on the channel with that from" "$((a0 + 2)) $((k0 + 1))" "$(recv 0) $(recv 1)"
hbm_body POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000031","to":"1","text":"hi"}' >/dev/null
hbm_eq "received: an injected SMS is on no channel" "$((a0 + 2)) $((k0 + 1))" "$(recv 0) $(recv 1)"
hbm_match "received: hbmctl status shows it" "^agg +http +yes +- +[0-9]+ +[0-9]+ +$((a0 + 2)) " \
	"$(HBMGW_URL=$HBM_URL HBMGW_TOKEN=$HBM_ADMIN_TOKEN "$HBM_BUILD/hbmctl" status)"
hbm_match "received: and the metrics" "hbmgw_http_received_total\\{channel=\"kan\"\\} $((k0 + 1))\$" "$(hbm_metrics)"

# --- without twilio.auth_token the Twilio route refuses even a signed form
reloads() { [ "$(grep -c 'config: reloaded' "$HBM_TMP/hbmgwd.log")" -ge "$1" ]; }
cp "$HBM_TMP/gw.conf" "$HBM_TMP/gw.conf.orig"
grep -v '^twilio' "$HBM_TMP/gw.conf.orig" > "$HBM_TMP/gw.conf"
kill -HUP "$HBM_DAEMON_PID"
hbm_check "the config without twilio is loaded" hbm_wait 10 reloads 1
b='From=%2B256700000021&To=1&Body=x&MessageSid=SMnotoken'
bad "Twilio without auth_token" 403 POST /v1/inbound/twilio -H "$FORM" \
	-H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$b" "$TW_TOKEN")" --data-binary "$b"
cp "$HBM_TMP/gw.conf.orig" "$HBM_TMP/gw.conf"
kill -HUP "$HBM_DAEMON_PID"
hbm_check "and with it again" hbm_wait 10 reloads 2

# --- Redis down: every route answers 503 and asks for a retry
hbm_redis_kill
hbm_eq "AT with Redis down: 503" 503 "$(hbm_status POST "$AT_PATH" -H "$FORM" --data-binary 'from=%2B256700000020&to=1&text=x&id=down-1')"
b='From=%2B256700000020&To=1&Body=x&MessageSid=SMdown'
hbm_eq "Twilio with Redis down: 503" 503 "$(hbm_status POST /v1/inbound/twilio -H "$FORM" -H "X-Twilio-Signature: $(tw_sig "$TW_URL" "$b" "$TW_TOKEN")" --data-binary "$b")"
hbm_eq "Kannel with Redis down: 503" 503 "$(hbm_status GET "$KP&from=%2B256700000020&to=1&text=x&id=down-2")"
hbm_eq "inject with Redis down: 503" 503 "$(hbm_status POST /v1/inbound/sms -H "$ADMIN" -H "$JSON" -d '{"from":"+256700000020","to":"1","text":"x"}')"
hbm_eq "Kannel DLR with Redis down: 503" 503 "$(hbm_status GET "/v1/dlr/kannel?id=$m3&status=1&sig=$s3")"
hbm_eq "JSON DLR with Redis down: 503" 503 "$(hbm_status POST /v1/dlr -H "$CHAN" -H "$JSON" -d "{\"id\":\"$m3\",\"status\":\"delivered\"}")"
hbm_eq "a bad token is still 401" 401 "$(hbm_status GET "/v1/inbound/kannel?token=x&$ok")"
hbm_check "the daemon lives on" kill -0 "$HBM_DAEMON_PID"
hbm_check "the log names no full number" bash -c "! grep -q '25670000001[1-9]' '$HBM_TMP/hbmgwd.log'"
hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0 (and, under ASan, without leaks)" 0 "$HBM_RC"
hbm_done
