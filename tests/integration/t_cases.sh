#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole story over HTTP: a migrant's HELP becomes a case, the agency is
# notified without the migrant's number, another agency's ACK is refused,
# the right ACK tells the migrant; then DECLINE down to the coordinator,
# escalation on a 2 s ack_timeout, STOP, alphanumeric senders, a flood,
# duplicates and every bad input of the webhook. A local capture server
# stands in for the aggregator.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
limits: { cases_per_day = 3; replies_per_hour = 5; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = (
  { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; },
  { id = "redcross"; name = "Red Cross"; phones = ["0700000102"]; }
);
categories = (
  { id = "food"; agencies = ["wfp", "redcross"]; priority = 3;
    sms_label = "food"; keywords = { en = ["FOOD"]; fr = ["NOURRITURE"]; }; },
  { id = "water"; agencies = ["wfp"]; priority = 1; ack_timeout = 2;
    sms_label = "supplies"; keywords = { en = ["WATER"]; }; }
);
coordinator = { phones = ["+256700000301"]; };
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "\$6\$salt\$hash"; region = "north"; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

M1=+256700000001 WFP=+256700000101 RC=+256700000102 COORD=+256700000301
# sms FROM TEXT: post an inbound SMS with a fresh id; echoes the status.
# (The id must not come from a counter: $(sms ...) runs in a subshell.)
sms() {
	hbm_inbound "$1" "$2" "t-$(date +%s%N)-$RANDOM"
}

hbm_eq "HELP is accepted" 202 "$(sms $M1 'HELP FOOD near gate 3')"
hbm_check "the migrant gets a reply" hbm_wait 10 hbm_sent_to $M1 1
reply=$(hbm_texts_to $M1)
code=$(grep -oE '[1-9][0-9]{3}-[0-9]{4}' <<<"$reply" | head -n 1)
hbm_match "the reply carries a code" '^[1-9][0-9]{3}-[0-9]{4}$' "$code"
digits=${code/-/}
hbm_check "the first agency is notified" hbm_wait 10 hbm_sent_to $WFP 1
notice=$(hbm_texts_to $WFP)
hbm_match "the notice names the code" "$code" "$notice"
hbm_check "the notice does not carry the migrant's number" \
	bash -c "! grep -q 700000001 <<<'$notice'"
hbm_eq "the case is notified" notified "$(hbm_case_field "$digits" status)"
hbm_check "the number is not stored in clear" \
	bash -c "! $HBM_REDIS_CLI --no-raw HGETALL '{hbm}:case:$digits' | grep -q 700000001"

sms $RC "ACK $code" >/dev/null
hbm_check "the wrong agency gets an answer" hbm_wait 10 hbm_sent_to $RC 1
hbm_match "the wrong agency's ACK is refused as not found" "$code" "$(hbm_texts_to $RC)"
hbm_eq "the case is still notified" notified "$(hbm_case_field "$digits" status)"

sms $WFP "ack $code" >/dev/null
acked() { [ "$(hbm_case_field "$digits" status)" = acknowledged ]; }
hbm_check "ACK from the right agency acknowledges" hbm_wait 10 acked
hbm_check "the migrant is told" hbm_wait 10 hbm_sent_to $M1 2
hbm_match "the migrant is told which agency" 'WFP' "$(hbm_texts_to $M1 | tail -n 1)"
hbm_check "the agency gets the number after ACK" hbm_wait 10 hbm_sent_to $WFP 2
hbm_match "the confirmation carries the number" '700000001' "$(hbm_texts_to $WFP | tail -n 1)"
hbm_eq "the case history has three entries" 3 "$(hbm_case_hist "$digits")"

# The same message delivered twice by the aggregator.
body='{"from":"+256700000002","to":"1234","text":"HELP FOOD","id":"dup-1"}'
r1=$(hbm_body POST /v1/inbound/sms -H "Authorization: Bearer $HBM_CHANNEL_TOKEN" -H 'Content-Type: application/json' -d "$body")
r2=$(hbm_body POST /v1/inbound/sms -H "Authorization: Bearer $HBM_CHANNEL_TOKEN" -H 'Content-Type: application/json' -d "$body")
hbm_match "first delivery is new" '"duplicate":false' "$r1"
hbm_match "second delivery is a duplicate" '"duplicate":true' "$r2"
hbm_eq "both answers name the same entry" "$(grep -o '"id":"[^"]*"' <<<"$r1")" "$(grep -o '"id":"[^"]*"' <<<"$r2")"
hbm_check "the duplicate sender is answered" hbm_wait 10 hbm_sent_to +256700000002 1
hbm_check "the delivery is handled" hbm_inbox_settled
hbm_eq "a duplicate makes one case" 1 "$(hbm_queued_count +256700000002)"

# DECLINE down the agency list, then to the coordinator.
sms +256700000003 'NOURRITURE' >/dev/null
hbm_check "a French keyword makes a case" hbm_wait 10 hbm_sent_to +256700000003 1
code3=$(hbm_texts_to +256700000003 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
hbm_match "French reply" 'Demande|demande' "$(hbm_texts_to +256700000003)"
before=$(hbm_sent_count $RC)
sms $WFP "DECLINE $code3 no stock" >/dev/null
next() { [ "$(hbm_sent_count $RC)" -gt "$before" ]; }
hbm_check "the next agency is notified after DECLINE" hbm_wait 10 next
hbm_eq "the case moved to the next agency" redcross "$(hbm_case_field "${code3/-/}" agency)"
sms $RC "DECLINE $code3" >/dev/null
hbm_check "the coordinator gets it when nobody is left" hbm_wait 10 hbm_sent_to $COORD 1
hbm_eq "the case is escalated" true "$(hbm_case_field "${code3/-/}" escalated)"
hbm_match "the first decliner is told the case goes on" "You declined case $code3. It will go to the next agency" "$(hbm_texts_to $WFP)"
told_last() { hbm_texts_to $RC | grep -q "You declined case $code3. No other agency takes it"; }
hbm_check "the last decliner is told the coordinator takes it" hbm_wait 10 told_last

# Escalation: water has a 2 s ack_timeout.
wfp0=$(hbm_queued_count $WFP) coord0=$(hbm_queued_count $COORD)
sms +256700000004 'HELP WATER' >/dev/null
hbm_check "the water case is made" hbm_wait 10 hbm_sent_to +256700000004 1
wcode=$(hbm_texts_to +256700000004 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
about() { hbm_texts_to "$1" | grep -c -- "$2"; }
reminded() { [ "$(about $WFP "$wcode")" -ge 2 ]; }
hbm_check "unacknowledged: the agency is reminded" hbm_wait 15 reminded
escalated() { [ "$(about $COORD "$wcode")" -ge 1 ]; }
hbm_check "still unacknowledged: the coordinator is told" hbm_wait 15 escalated
# Escalating takes the case off the SLA schedule in the step that records
# it: once the case reads escalated, no later reminder can come.
hbm_eq "the case is escalated after twice the timeout" true "$(hbm_case_field "$wcode" escalated)"
hbm_eq "the agency is reminded once (notice and reminder queued)" $((wfp0 + 2)) "$(hbm_queued_count $WFP)"
hbm_eq "the coordinator is told once" $((coord0 + 1)) "$(hbm_queued_count $COORD)"
hbm_eq "the history has one reminder" 1 "$(hbm_case_hist "$wcode" renotified)"

# STOP: one confirmation, then silence.
M5=+256700000005
sms $M5 'STOP' >/dev/null
hbm_check "STOP is confirmed" hbm_wait 10 hbm_sent_to $M5 1
sms $M5 'STOP' >/dev/null
sms $M5 'STATUS' >/dev/null
sms $M5 'hello?' >/dev/null
hbm_check "the messages after STOP are handled" hbm_inbox_settled
hbm_eq "after STOP: silence" 1 "$(hbm_queued_count $M5)"

# Alphanumeric senders and short codes are never answered.
hbm_eq "an alphanumeric sender is accepted" 202 "$(sms MTN 'HELP FOOD')"
hbm_eq "a short code is accepted" 202 "$(sms 12345 'HELP FOOD')"
hbm_check "both are handled" hbm_inbox_settled
hbm_check "as senders not answered" \
	hbm_metric_reaches 10 'hbmgw_inbox_ignored_total{reason="sender"}' 2
hbm_eq "nothing goes to an alphanumeric sender" 0 "$(hbm_sent_count MTN)"
hbm_eq "nothing goes to a short code" 0 "$(hbm_sent_count 12345)"
hbm_eq "nor to it read as a national number" 0 "$(hbm_queued_count +25612345)"

# A flood of 40 messages from one number yields a handful of SMS, and one
# case: the repeats are told the code of the case already open.
M6=+256700000006
for i in $(seq 1 40); do sms $M6 'HELP FOOD' >/dev/null; done
hbm_check "the flood is processed" hbm_inbox_settled
hbm_check "at most replies_per_hour replies" test "$(hbm_queued_count $M6)" -le 5
if [ "$(hbm_queued_count $M6)" -gt 5 ]; then
	# Tell a reply sent twice (a retried send) from one too many.
	echo "# the aggregator got, for $M6:" >&2
	hbm_texts_to $M6 | sed 's/^/#   /' >&2
	echo "# the gateway's records of them:" >&2
	hbm_body GET "/v1/messages?to=$M6" \
		-H "Authorization: Bearer $HBM_ADMIN_TOKEN" | sed 's/^/#   /' >&2
fi
codes_to() { hbm_texts_to "$1" | grep -cE '[1-9][0-9]{3}-[0-9]{4}'; }
two() { [ "$(codes_to $M6)" -ge 2 ]; }
hbm_check "the first request makes a case, the next are told its code" \
	hbm_wait 15 two
hbm_eq "one case for the same request" 1 "$(hbm_queued_texts $M6 | grep -c '^Request')"
hbm_check "the repeats name the open case" \
	test "$(hbm_texts_to $M6 | grep -c 'already have request')" -ge 1
c6=$(hbm_texts_to $M6 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | sort -u)
hbm_eq "all with the same code" 1 "$(printf '%s\n' "$c6" | wc -l)"

# The limits count from a number's first reply or case, not from the
# clock's hour or day: a flood across 12:00 gets replies_per_hour replies,
# not twice that.
M7=+256700000007
sms $M7 'HELP FOOD' >/dev/null
hbm_check "a new number gets its code" hbm_wait 10 hbm_sent_to $M7 1
c7=$(hbm_texts_to $M7 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
num7="{hbm}:num:$($HBM_REDIS_CLI HGET "{hbm}:case:${c7/-/}" num)"
hbm_eq "its record counts one reply" 1 "$($HBM_REDIS_CLI HGET "$num7" reply_n)"
now=$(date +%s%3N)
$HBM_REDIS_CLI HSET "$num7" reply_ms $((now - 3540000)) reply_n 5 >/dev/null
limited0=$(hbm_metric hbmgw_replies_limited_total)
sms $M7 STATUS >/dev/null
hbm_check "the STATUS is handled" hbm_inbox_settled
hbm_check "and its reply withheld" hbm_metric_reaches 10 hbmgw_replies_limited_total $((limited0 + 1))
hbm_eq "five replies in an hour opened 59 minutes ago still count" 1 "$(hbm_queued_count $M7)"
$HBM_REDIS_CLI HSET "$num7" reply_ms $((now - 3600000)) >/dev/null
sms $M7 STATUS >/dev/null
hbm_check "an hour after it opened, the number is answered again" \
	hbm_wait 10 hbm_sent_to $M7 2
$HBM_REDIS_CLI HSET "$num7" case_ms $((now - 82800000)) case_n 3 >/dev/null
sms $M7 'HELP FOOD' >/dev/null
hbm_check "three cases in a day opened 23 hours ago still count" \
	hbm_wait 10 hbm_sent_to $M7 3
hbm_eq "so no new case" 1 "$(hbm_texts_to $M7 | grep -c '^Request')"
hbm_eq "but too many requests" 1 "$(hbm_texts_to $M7 | grep -c 'too many requests')"
$HBM_REDIS_CLI HSET "$num7" case_ms $((now - 86400000)) >/dev/null
# The first food case is closed meanwhile, or the number would be told it.
$HBM_REDIS_CLI HSET "{hbm}:case:${c7/-/}" status closed >/dev/null
sms $M7 'HELP FOOD' >/dev/null
hbm_check "a day after it opened, the number gets a case again" \
	hbm_wait 10 hbm_sent_to $M7 4
hbm_eq "a second case" 2 "$(hbm_texts_to $M7 | grep -c '^Request')"

# Bad input changes nothing.
auth=(-H "Authorization: Bearer $HBM_CHANNEL_TOKEN")
json=(-H 'Content-Type: application/json')
len0=$($HBM_REDIS_CLI XLEN '{hbm}:inbox')
hbm_eq "no token is 401" 401 "$(hbm_status POST /v1/inbound/sms "${json[@]}" -d "$body")"
hbm_eq "a wrong token is 401" 401 "$(hbm_status POST /v1/inbound/sms "${json[@]}" -H 'Authorization: Bearer nope' -d "$body")"
hbm_eq "malformed JSON is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '{"from":')"
hbm_eq "a JSON array is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '[]')"
hbm_eq "a missing field is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '{"from":"+256700000009","to":"1","text":"x"}')"
hbm_eq "a number as text is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '{"from":"+256700000009","to":"1","text":5,"id":"b1"}')"
hbm_eq "an invalid number is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '{"from":"+25","to":"1","text":"x","id":"b2"}')"
hbm_match "the 400 says why" 'from: invalid number' "$(hbm_body POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '{"from":"+25","to":"1","text":"x","id":"b2"}')"
printf '{"from":"+256700000009","to":"1","text":"\xff\xfe","id":"b3"}' > "$HBM_TMP/bad.json"
hbm_eq "invalid UTF-8 is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" --data-binary @"$HBM_TMP/bad.json")"
hbm_eq "an escaped NUL in the text is 400" 400 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" -d '{"from":"+256700000009","to":"1","text":"a\u0000b","id":"b4"}')"
hbm_eq "a form body is 415" 415 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" -d 'from=x')"
head -c 70000 /dev/zero | tr '\0' a > "$HBM_TMP/big"
hbm_eq "a body over 64 KiB is 413" 413 "$(hbm_status POST /v1/inbound/sms "${auth[@]}" "${json[@]}" --data-binary @"$HBM_TMP/big")"
hbm_eq "GET is 405" 405 "$(hbm_status GET /v1/inbound/sms)"
hbm_eq "bad input added nothing to the inbox" "$len0" "$($HBM_REDIS_CLI XLEN '{hbm}:inbox')"
hbm_eq "the admin token is accepted too (hbmctl inject)" 202 "$(hbm_status POST /v1/inbound/sms "${json[@]}" -H "Authorization: Bearer $HBM_ADMIN_TOKEN" -d "$body")"

# REF by SMS from an official (an offline border post).
OFF=+256700000201
sms $OFF 'REF food 0700000009 3' >/dev/null
hbm_check "the official gets the referral code" hbm_wait 10 hbm_sent_to $OFF 1
rcode=$(hbm_texts_to $OFF | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
hbm_match "the referral has a code" '^[1-9][0-9]{3}-[0-9]{4}$' "$rcode"
hbm_check "the migrant gets the code too" hbm_wait 10 hbm_sent_to +256700000009 1
hbm_match "the migrant's SMS names the code" "$rcode" "$(hbm_texts_to +256700000009)"
hbm_eq "the case is a referral" referral "$(hbm_case_field "${rcode/-/}" kind)"
hbm_eq "for 3 persons" 3 "$(hbm_case_field "${rcode/-/}" persons)"
hbm_eq "in the official's region" north "$(hbm_case_field "${rcode/-/}" region)"
hbm_eq "without consent to share the number" 0 "$($HBM_REDIS_CLI HGET "{hbm}:case:${rcode/-/}" consent)"
M8=+256700000008
sms $M8 'REF food 0700000010 2' >/dev/null
hbm_check "REF from anyone else gets the short help" hbm_wait 10 hbm_sent_to $M8 1
hbm_check "the REF is handled" hbm_inbox_settled
hbm_eq "and makes no case" 0 "$(hbm_queued_count +256700000010)"

metrics=$(hbm_metrics)
# Categories are labelled by sms_label, never by id: water's is
# "supplies"; food's is its id, so it is labelled by its place.
hbm_match "metrics count created cases by category" 'hbmgw_case_events_total\{category="category-1",event="created"\} [1-9]' "$metrics"
hbm_match "metrics label a category by its sms_label" 'hbmgw_case_events_total\{category="supplies",event="escalated"\} 1' "$metrics"
hbm_eq "metrics name no category id" "" "$(grep -E 'category="(food|water)"' <<<"$metrics")"
hbm_match "metrics count escalations" 'hbmgw_escalations_total\{reason="timeout"\} 1' "$metrics"
hbm_match "metrics have the ack latency histogram" 'hbmgw_ack_latency_seconds_count 1' "$metrics"
hbm_match "metrics declare the histogram" '# TYPE hbmgw_ack_latency_seconds histogram' "$metrics"
hbm_match "metrics count accepted inbound SMS" 'hbmgw_inbound_total\{source="http",status="accepted"\} [1-9]' "$metrics"
hbm_match "metrics count duplicates" 'hbmgw_inbound_total\{source="http",status="duplicate"\} 1' "$metrics"

# Redis down: 503, and the message is taken once Redis is back.
hbm_redis_kill
hbm_eq "Redis down is 503" 503 "$(hbm_inbound +256700000007 'HELP FOOD' down-1)"
hbm_redis_start
up() { [ "$(hbm_inbound +256700000007 'HELP FOOD' down-1)" = 202 ]; }
hbm_check "the retry is accepted once Redis is back" hbm_wait 10 up
hbm_done
