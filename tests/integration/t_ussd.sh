#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The officials' USSD menu over HTTP: a whole referral through Africa's
# Talking form requests (retries answered the same, the code sent by SMS to
# the migrant, the official and the first agency, the agency without the
# migrant's number), the PIN lockout after 3 wrong PINs, holding with 12
# parallel sessions (at most 3 PINs evaluated), an unknown number answered
# like an official with a wrong PIN, every bad request (token, form, number, content type), and the generic
# JSON route that carries only the last input. A local capture server
# stands in for the SMS aggregator.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
# "1234" as SHA-512 crypt(3)
PIN_HASH='$6$abcdefgh$1uLzXUmZOC.qtAp9TH7v9AMyFTajrhlf8caJDoEHzbMYij1.XPxQ6Uk1d0cOSjtBqjxiM6I55MC0JGi2h1Jte0'
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = (
  { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; },
  { id = "redcross"; name = "Red Cross"; phones = ["+256700000102"]; }
);
categories = (
  { id = "food"; agencies = ["wfp", "redcross"]; priority = 3; sms_label = "food"; },
  { id = "water"; agencies = ["redcross"]; priority = 1; sms_label = "water"; }
);
coordinator = { phones = ["+256700000301"]; };
officials = (
  { phone = "+256700000201"; name = "Officer A"; pin_hash = "$PIN_HASH"; region = "north"; },
  { phone = "0700000202"; name = "Officer B"; pin_hash = "$PIN_HASH"; },
  { phone = "+256700000203"; name = "Officer C"; pin_hash = "$PIN_HASH"; }
);
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

OFF=+256700000201 OFF2=+256700000202 WFP=+256700000101 RC=+256700000102
MIG=+256772123456
AT="/v1/ussd/africastalking?token=$HBM_CHANNEL_TOKEN"

# at SESSION PHONE TEXT: one Africa's Talking request; echoes the answer.
at() {
	curl -s -X POST "$HBM_URL$AT" --data-urlencode "sessionId=$1" \
		--data-urlencode 'serviceCode=*384*1#' \
		--data-urlencode "phoneNumber=$2" \
		--data-urlencode 'networkCode=63902' --data-urlencode "text=$3"
}
# gen JSON: one generic request; echoes the JSON answer.
gen() {
	hbm_body POST /v1/ussd/generic -H "Authorization: Bearer $HBM_CHANNEL_TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$1"
}
# field JSON NAME: a member of a JSON object, as text ("true"/"false" for
# booleans).
field() {
	python3 -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print(str(v).lower() if isinstance(v,bool) else v)' "$1" "$2"
}
ussd_keys() { $HBM_REDIS_CLI --scan --pattern '{hbm}:ussd:s:*' | wc -l; }
# page ANSWER: echo it, noting its length in bytes (it runs in subshells).
page() {
	printf '%s' "$1" | wc -c >> "$HBM_TMP/lengths"
	printf '%s' "$1"
}

# --- a whole referral over Africa's Talking
p=$(page "$(at s1 $OFF '')")
hbm_eq "a new session asks for the PIN" "CON Enter your PIN" "$p"
hbm_eq "answers are text/plain" "text/plain; charset=utf-8" \
	"$(curl -s -o /dev/null -w '%{content_type}' -X POST "$HBM_URL$AT" \
		-d 'sessionId=s1&phoneNumber=%2B256700000201&text=')"
hbm_eq "a retried first request gets the same page" "CON Enter your PIN" "$(at s1 $OFF '')"
p=$(page "$(at s1 $OFF '1234')")
hbm_match "the right PIN opens the main menu" '^CON 1 New referral
2 Check a code
3 My referrals today
0 Exit$' "$p"
p=$(page "$(at s1 $OFF '1234*1')")
hbm_eq "categories in config order" "CON Category:
1 food
2 water
0 Back" "$p"
p=$(page "$(at s1 $OFF '1234*1*7')")
hbm_match "a bad choice asks again" '^CON Invalid choice
Category:' "$p"
p=$(page "$(at s1 $OFF '1234*1*7*1')")
hbm_match "the phone page" '^CON Migrant.s phone number' "$p"
p=$(page "$(at s1 $OFF '1234*1*7*1*0772 123 456')")
hbm_match "the persons page" '^CON Number of persons' "$p"
p=$(page "$(at s1 $OFF '1234*1*7*1*0772 123 456*0')")
hbm_match "0 goes back to the phone" '^CON Migrant.s phone number' "$p"
p=$(page "$(at s1 $OFF '1234*1*7*1*0772 123 456*0*0772123456')")
p=$(page "$(at s1 $OFF '1234*1*7*1*0772 123 456*0*0772123456*3')")
hbm_match "the consent page" '^CON Share the phone number' "$p"
path='1234*1*7*1*0772 123 456*0*0772123456*3*1'
p=$(page "$(at s1 $OFF "$path")")
hbm_eq "the confirmation page" "CON Refer: food, 3 persons
Phone: $MIG (shared)
1 Confirm
2 Cancel
0 Back" "$p"
hbm_eq "a retried request changes nothing" "$p" "$(at s1 $OFF "$path")"
cases_before=$(hbm_case_count)
done=$(page "$(at s1 $OFF "$path*1")")
hbm_match "confirming ends with the code" \
	'^END Referral [1-9][0-9]{3}-[0-9]{4} created\. The code was sent by SMS\.$' "$done"
code=$(grep -oE '[1-9][0-9]{3}-[0-9]{4}' <<<"$done")
digits=${code/-/}
hbm_eq "a retried confirmation gives the same code" "$done" "$(at s1 $OFF "$path*1")"
hbm_eq "and makes one case" $((cases_before + 1)) "$(hbm_case_count)"
hbm_eq "the case is a referral" referral "$(hbm_case_field "$digits" kind)"
hbm_eq "for 3 persons" 3 "$(hbm_case_field "$digits" persons)"
hbm_eq "with consent" 1 "$($HBM_REDIS_CLI HGET "{hbm}:case:$digits" consent)"
hbm_eq "with the first agency" wfp "$(hbm_case_field "$digits" agency)"
hbm_check "the migrant gets the code by SMS" hbm_wait 10 hbm_sent_to $MIG 1
hbm_match "the migrant's SMS carries the code" "$code" "$(hbm_texts_to $MIG)"
hbm_check "the official gets the code by SMS" hbm_wait 10 hbm_sent_to $OFF 1
hbm_match "the official's SMS carries the code" "$code" "$(hbm_texts_to $OFF)"
hbm_check "the first agency is notified" hbm_wait 10 hbm_sent_to $WFP 1
notice=$(hbm_texts_to $WFP)
hbm_match "the agency's SMS carries the code" "$code" "$notice"
hbm_check "the agency's SMS does not carry the migrant's number" \
	bash -c "! grep -q 772123456 <<<'$notice'"
# The case and its SMS were made before the USSD answer: count the queued.
hbm_eq "the second agency is not notified" 0 "$(hbm_queued_count $RC)"
hbm_check "no key holds a number in clear" \
	bash -c "! $HBM_REDIS_CLI --scan --pattern '*' | grep -qE '772123456|70000020[12]'"
hbm_check "no session value holds the number in clear" \
	bash -c "for k in \$($HBM_REDIS_CLI --scan --pattern '{hbm}:ussd:*'); do $HBM_REDIS_CLI --no-raw HGETALL \"\$k\" 2>/dev/null; done | { ! grep -q 772123456; }"
skey=$($HBM_REDIS_CLI --scan --pattern '{hbm}:ussd:s:*' | head -n 1)
ttl=$($HBM_REDIS_CLI PTTL "$skey")
hbm_check "sessions expire within 180 s" test "$ttl" -gt 0 -a "$ttl" -le 180000

# --- 00 and cancel
# each: one request per input, the text growing as Africa's Talking sends it
each() {
	local sess=$1 phone=$2 text='' in out=''
	shift 2
	for in in '' "$@"; do
		if [ -z "$text" ]; then text=$in; else text="$text*$in"; fi
		out=$(at "$sess" "$phone" "$text")
	done
	printf '%s' "$out"
}
p=$(each s5 $OFF 1234 1 2 00)
hbm_match "00 goes to the main menu" '^CON 1 New referral' "$p"
p=$(each s7 $OFF 1234 1 2 0 5 2)
hbm_match "2 cancels on the confirmation page" '^CON Referral cancelled
1 New referral' "$p"
hbm_eq "a cancelled referral makes no case" $((cases_before + 1)) "$(hbm_case_count)"

# --- 3 wrong PINs lock the number
hbm_eq "the second official is asked for the PIN" "CON Enter your PIN" "$(at s2 0700000202 '')"
hbm_eq "a wrong PIN asks again" "CON Wrong PIN, 2 tries left
Enter your PIN" "$(at s2 0700000202 '1111')"
hbm_eq "a second wrong PIN" "CON Wrong PIN, 1 try left
Enter your PIN" "$(at s2 0700000202 '1111*2222')"
hbm_eq "the third locks" "END Too many wrong PINs. Try again in 15 minutes." \
	"$(at s2 0700000202 '1111*2222*3333')"
pinkey=$($HBM_REDIS_CLI --scan --pattern '{hbm}:ussd:pin:*')
hbm_eq "the count is in Redis" 3 "$($HBM_REDIS_CLI GET "$pinkey")"
ttl=$($HBM_REDIS_CLI PTTL "$pinkey")
hbm_check "for 15 minutes" test "$ttl" -gt 600000 -a "$ttl" -le 900000
hbm_eq "a new session of the locked number ends at once" \
	"END Too many wrong PINs. Try again in 15 minutes." "$(at s3 $OFF2 '')"
hbm_eq "the right PIN is refused while locked" \
	"END Too many wrong PINs. Try again in 15 minutes." "$(at s2 0700000202 '1111*2222*3333*1234')"
$HBM_REDIS_CLI DEL "$pinkey" >/dev/null
at s6 $OFF2 '' >/dev/null
hbm_match "once the lock is gone the PIN works" '^CON 1 New referral' "$(at s6 $OFF2 '1234')"

# pin_checks RESULT: hbmgw_ussd_pin_checks_total{result=RESULT}, 0 if absent
pin_checks() {
	hbm_metrics | awk -v l="hbmgw_ussd_pin_checks_total{result=\"$1\"}" \
		'$1 == l { v = $2 } END { print v + 0 }'
}

# --- 12 parallel sessions with wrong PINs: at most 3 PINs are evaluated
OFF3=+256700000203
for i in $(seq 1 12); do
	hbm_eq "parallel session $i asks for the PIN" "CON Enter your PIN" "$(at par$i $OFF3 '')"
done
ok0=$(pin_checks ok) wrong0=$(pin_checks wrong) locked0=$(pin_checks locked)
# All 12 wrong PINs are posted at once (threads released by one barrier,
# each request bounded by a 20 s timeout).
/usr/bin/python3 - "$HBM_URL$AT" "$OFF3" > "$HBM_TMP/par.out" <<'PY'
import sys, threading, urllib.parse, urllib.request
url, phone = sys.argv[1], sys.argv[2]
barrier = threading.Barrier(12, timeout=20)
out = [None] * 12
def run(i):
	body = urllib.parse.urlencode({"sessionId": "par%d" % (i + 1),
	    "phoneNumber": phone, "text": "%04d" % (9000 + i)}).encode()
	barrier.wait()
	with urllib.request.urlopen(url, body, timeout=20) as r:
		out[i] = r.read().decode().split("\n")[0]
ts = [threading.Thread(target=run, args=(i,)) for i in range(12)]
for t in ts: t.start()
for t in ts: t.join(30)
for o in out: print(o)
PY
hbm_eq "12 parallel wrong PINs all answered" 12 "$(grep -c . "$HBM_TMP/par.out")"
evaluated=$(( $(pin_checks ok) - ok0 + $(pin_checks wrong) - wrong0 ))
hbm_eq "of 12 parallel PINs exactly 3 were evaluated" 3 "$evaluated"
hbm_eq "the other 9 were refused unhashed" 9 $(( $(pin_checks locked) - locked0 ))
# the 9 refused and the third wrong PIN, which locked the number
hbm_eq "10 parallel sessions were told the number is locked" 10 \
	"$(grep -c '^END Too many wrong PINs' "$HBM_TMP/par.out")"
hbm_eq "the number is locked after them" \
	"END Too many wrong PINs. Try again in 15 minutes." "$(at par13 $OFF3 '')"
pinkey3=$($HBM_REDIS_CLI --scan --pattern '{hbm}:ussd:pin:*' | head -n 1)
hbm_eq "the count stays at 3" 3 "$($HBM_REDIS_CLI GET "$pinkey3")"

# --- an unknown number: the same pages as an official with a wrong PIN
UNK=+256700009999
keys=$(ussd_keys)
wrong0=$(pin_checks wrong)
hbm_eq "an unknown number gets the PIN page like an official" \
	"$(at s4o $OFF '')" "$(at s4 $UNK '')"
hbm_eq "its first wrong PIN answers like an official's" "CON Wrong PIN, 2 tries left
Enter your PIN" "$(at s4 $UNK '1234')"
hbm_eq "its PIN is hashed like an official's" $((wrong0 + 1)) "$(pin_checks wrong)"
hbm_eq "a second" "CON Wrong PIN, 1 try left
Enter your PIN" "$(at s4 $UNK '1234*1111')"
hbm_eq "the third locks it like an official" \
	"END Too many wrong PINs. Try again in 15 minutes." "$(at s4 $UNK '1234*1111*2222')"
hbm_eq "a new session of it is locked too" \
	"END Too many wrong PINs. Try again in 15 minutes." "$(at s4b $UNK '')"
hbm_check "its sessions are kept like an official's" test "$(ussd_keys)" -gt "$keys"
hbm_eq "an expired session ends" "END Session expired. Please dial again." \
	"$(at s-gone $OFF '1234*1')"

# --- bad requests change nothing
keys=$(ussd_keys)
hbm_eq "no token is 401" 401 "$(hbm_status POST /v1/ussd/africastalking \
	-d 'sessionId=x&phoneNumber=%2B256700000201&text=')"
hbm_eq "a wrong token is 401" 401 "$(hbm_status POST '/v1/ussd/africastalking?token=nope' \
	-d 'sessionId=x&phoneNumber=%2B256700000201&text=')"
hbm_eq "a bad escape is 400" 400 "$(hbm_status POST "$AT" \
	-d 'sessionId=%zz&phoneNumber=%2B256700000201&text=')"
hbm_eq "invalid UTF-8 is 400" 400 "$(hbm_status POST "$AT" \
	-d 'sessionId=%ff&phoneNumber=%2B256700000201&text=')"
hbm_eq "a missing sessionId is 400" 400 "$(hbm_status POST "$AT" \
	-d 'phoneNumber=%2B256700000201&text=')"
hbm_eq "a missing text is 400" 400 "$(hbm_status POST "$AT" \
	-d 'sessionId=x&phoneNumber=%2B256700000201')"
hbm_eq "a bad number is 400" 400 "$(hbm_status POST "$AT" \
	-d 'sessionId=x&phoneNumber=hello&text=')"
hbm_eq "an empty sessionId is 400" 400 "$(hbm_status POST "$AT" \
	-d 'sessionId=&phoneNumber=%2B256700000201&text=')"
long=$(head -c 1100 /dev/zero | tr '\0' '1')
hbm_eq "an overlong text is 400" 400 "$(hbm_status POST "$AT" \
	-d "sessionId=x&phoneNumber=%2B256700000201&text=$long")"
hbm_eq "a wrong content type is 415" 415 "$(hbm_status POST "$AT" \
	-H 'Content-Type: application/json' -d '{}')"
hbm_eq "GET is 405" 405 "$(hbm_status GET "$AT")"
hbm_eq "bad requests leave no session" "$keys" "$(ussd_keys)"

# --- the generic route: only the last input
r=$(gen '{"session":"g1","phone":"+256700000201","new":true}')
hbm_eq "generic: a new session asks for the PIN" "Enter your PIN" "$(field "$r" text)"
hbm_eq "generic: and goes on" false "$(field "$r" end)"
r=$(gen '{"session":"g1","phone":"+256700000201","input":"1234","new":false}')
hbm_match "generic: the PIN alone opens the menu" '^1 New referral' "$(field "$r" text)"
gen '{"session":"g1","phone":"+256700000201","input":"2"}' >/dev/null
r=$(gen "{\"session\":\"g1\",\"phone\":\"+256700000201\",\"input\":\"$code\"}")
hbm_match "generic: a code looked up" "^$code: food, 3 persons, notified \\(wfp\\)" "$(field "$r" text)"
r=$(gen '{"session":"g1","phone":"+256700000201","input":"3"}')
hbm_eq "generic: my referrals today" "Today: 1
$code food notified
0 Back" "$(field "$r" text)"
gen '{"session":"g1","phone":"+256700000201","input":"0"}' >/dev/null
r=$(gen '{"session":"g1","phone":"+256700000201","input":"0"}')
hbm_eq "generic: 0 on the main menu ends" "Goodbye. true" "$(field "$r" text) $(field "$r" end)"
r=$(gen '{"session":"g1","phone":"+256700000201","input":"1"}')
hbm_eq "generic: an ended session answers the same" "Goodbye. true" "$(field "$r" text) $(field "$r" end)"
r=$(gen '{"session":"g-none","phone":"+256700000201","input":"1"}')
hbm_eq "generic: an unknown session has expired" "Session expired. Please dial again. true" \
	"$(field "$r" text) $(field "$r" end)"
r=$(gen '{"session":"g2","phone":"+256700009998","new":true}')
hbm_eq "generic: an unknown number gets the PIN page" "Enter your PIN false" \
	"$(field "$r" text) $(field "$r" end)"
# a referral without a phone: the official and the agency only
gen '{"session":"g3","phone":"+256700000201","new":true}' >/dev/null
for i in 1234 1 2 0 2; do
	gen "{\"session\":\"g3\",\"phone\":\"+256700000201\",\"input\":\"$i\"}" >/dev/null
done
r=$(gen '{"session":"g3","phone":"+256700000201","input":"1"}')
hbm_match "generic: a referral without a phone" '^Referral [1-9][0-9]{3}-[0-9]{4} created' "$(field "$r" text)"
code2=$(grep -oE '[1-9][0-9]{3}-[0-9]{4}' <<<"$(field "$r" text)")
hbm_check "its agency is notified" hbm_wait 10 hbm_sent_to $RC 1
hbm_match "with its code" "$code2" "$(hbm_texts_to $RC)"
hbm_check "the official gets its code" hbm_wait 10 bash -c "grep -q '$code2' <<<\"\$(source $HBM_SRCDIR/tests/integration/lib.sh; HBM_CAPTURE_LOG=$HBM_CAPTURE_LOG hbm_texts_to $OFF)\""
hbm_eq "generic: consent not given without a phone" 0 \
	"$($HBM_REDIS_CLI HGET "{hbm}:case:${code2/-/}" consent)"

keys=$(ussd_keys)
hbm_eq "generic: no token is 401" 401 "$(hbm_status POST /v1/ussd/generic \
	-H 'Content-Type: application/json' -d '{"session":"g9","phone":"+256700000201","new":true}')"
for bad in '{' '[]' '{"phone":"+256700000201","new":true}' \
	'{"session":"g9","new":true}' '{"session":"g9","phone":"+256700000201"}' \
	'{"session":"g9","phone":"+256700000201","new":"yes"}' \
	'{"session":"g9","phone":"+256700000201","input":5}' \
	'{"session":"","phone":"+256700000201","new":true}' \
	'{"session":"g9","phone":"+256700000201","input":"1\u0000"}' \
	'{"session":"g9","phone":"not a number","new":true}'; do
	hbm_eq "generic: $bad is 400" 400 "$(hbm_status POST /v1/ussd/generic \
		-H "Authorization: Bearer $HBM_CHANNEL_TOKEN" -H 'Content-Type: application/json' -d "$bad")"
done
hbm_eq "generic: a form body is 415" 415 "$(hbm_status POST /v1/ussd/generic \
	-H "Authorization: Bearer $HBM_CHANNEL_TOKEN" -d 'session=g9')"
hbm_eq "generic: bad requests leave no session" "$keys" "$(ussd_keys)"

longest=$(sort -n "$HBM_TMP/lengths" | tail -n 1)
hbm_check "every answer fits 182 bytes (longest $longest)" test "$longest" -gt 0 -a "$longest" -le 182
hbm_match "requests are counted" 'hbmgw_ussd_requests_total\{result="end"\} [1-9]' \
	"$(hbm_metrics)"
hbm_done
