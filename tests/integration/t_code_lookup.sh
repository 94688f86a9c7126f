#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A code is not a key to a case's details: STATUS <code> and CODE <code>
# from the case's own number or its agency get the category and the agency;
# from any other number (another agency too) only whether the case is open,
# being handled or closed, in the sender's language. Code look-ups are
# limited to 10 an hour per number, beyond which the answer is "try
# later"; hbmgw_code_lookups_total{result} counts them without any
# category. A local capture server stands in for the aggregator.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
limits: { replies_per_hour = 50; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = (
  { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; },
  { id = "redcross"; name = "Red Cross"; phones = ["+256700000102"]; }
);
categories = (
  { id = "food"; agencies = ["wfp", "redcross"]; priority = 3;
    sms_label = "food"; keywords = { en = ["FOOD"]; }; }
);
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

M1=+256700000001 M2=+256700000002 M3=+256700000003 M4=+256700000004
WFP=+256700000101 RC=+256700000102
sms() { hbm_inbound "$1" "$2" "t-$(date +%s%N)-$RANDOM"; }
# ask FROM TEXT: send TEXT and echo the next SMS to FROM (waits for it).
ask() {
	local n
	n=$(hbm_sent_count "$1")
	sms "$1" "$2" >/dev/null
	hbm_wait 10 hbm_sent_to "$1" $((n + 1)) || { echo "(no reply)"; return; }
	hbm_texts_to "$1" | sed -n "$((n + 1))p"
}
# lookups RESULT: hbmgw_code_lookups_total{result=RESULT}, 0 if absent
lookups() {
	hbm_metrics | awk -v l="hbmgw_code_lookups_total{result=\"$1\"}" \
		'$1 == l { v = $2 } END { print v + 0 }'
}

sms $M1 'HELP FOOD near gate 3' >/dev/null
hbm_check "the migrant gets a code" hbm_wait 10 hbm_sent_to $M1 1
code=$(hbm_texts_to $M1 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
hbm_match "a code" '^[1-9][0-9]{3}-[0-9]{4}$' "$code"
hbm_check "the agency is notified" hbm_wait 10 hbm_sent_to $WFP 1

# --- who sees what
hbm_match "the case's own number sees category and agency" \
	"^Code $code: referral for food with WFP, waiting for an agency" "$(ask $M1 "STATUS $code")"
hbm_match "its agency sees them" \
	"^Code $code: referral for food with WFP, waiting for an agency" "$(ask $WFP "CODE $code")"
a=$(ask $M2 "STATUS $code")
hbm_eq "another number sees only that it is open" "Code $code: open." "$a"
a=$(ask $RC "CODE $code")
hbm_eq "another agency sees only that it is open" "Code $code: open." "$a"
hbm_eq "a bare code from another number too" "Code $code: open." "$(ask $M2 "$code")"
sms $WFP "ACK $code" >/dev/null
hbm_check "the case is acknowledged" hbm_wait 10 \
	hbm_case_is "$code" acknowledged
hbm_eq "another number: being handled" "Code $code: being handled." "$(ask $M2 "STATUS $code")"
hbm_eq "in French: en cours de traitement" "Code $code : en cours de traitement." \
	"$(ask $M3 "STATUT $code")"
hbm_eq "in Arabic" "الرمز $code: قيد المعالجة." "$(ask $M3 "حالة $code")"
sms $WFP "CLOSE $code done" >/dev/null
hbm_check "the case is closed" hbm_wait 10 \
	hbm_case_is "$code" closed
hbm_eq "another number: closed" "Code $code: closed." "$(ask $M2 "STATUS $code")"
hbm_match "the own number still sees all" "^Code $code: referral for food with WFP" \
	"$(ask $M1 "STATUS $code")"
others="$(hbm_texts_to $M2) $(hbm_texts_to $M3) $(hbm_texts_to $RC | grep -v 'New case')"
hbm_match "the other numbers got answers" "Code $code: closed" "$others"
hbm_check "none of them named the category or agency" \
	bash -c "! grep -qiE 'food|WFP|Red Cross' <<<'$others'"

# --- 10 look-ups an hour per number: 10 sent at once, then awaited by the
# metric rather than one reply at a time
# at_least RESULT N: hbmgw_code_lookups_total{result=RESULT} is N or more
at_least() { [ "$(lookups "$1")" -ge "$2" ]; }
# later N: N "try later" answers reached M4
later() { [ "$(hbm_texts_to $M4 | grep -c '^Too many code checks')" -ge "$1" ]; }
full=$(lookups full) state=$(lookups state) nf=$(lookups not_found)
for i in $(seq 1 10); do sms $M4 "STATUS $code" >/dev/null; done
hbm_check "10 look-ups are answered" hbm_wait 60 at_least state $((state + 10))
hbm_eq "none is limited" 0 "$(lookups limited)"
sms $M4 "STATUS $code" >/dev/null
hbm_check "the 11th is limited" hbm_wait 60 at_least limited 1
sms $M4 "CODE 1000-0004" >/dev/null
hbm_check "so is a 12th, with any code" hbm_wait 60 at_least limited 2
hbm_check "the number is told to try later" hbm_wait 120 later 2
hbm_eq "in these words" "Too many code checks from this number. Please try again later." \
	"$(hbm_texts_to $M4 | grep '^Too many' | sort -u)"
hbm_eq "and got 10 answers before" 10 "$(hbm_texts_to $M4 | grep -c "^Code $code: closed.$")"
hbm_eq "the window is in the number's record" 1 \
	"$($HBM_REDIS_CLI --scan --pattern '{hbm}:num:*' | grep -v ':cases$' |
		while read -r k; do $HBM_REDIS_CLI HGET "$k" code_n; done | grep -cx 10)"
hbm_eq "another number is not limited" "Code $code: closed." "$(ask $M2 "STATUS $code")"
hbm_match "the agency is not limited" "^Code $code: referral" "$(ask $WFP "CODE $code")"
hbm_eq "an unknown code is not found" "No request found with code 1000-0004." \
	"$(ask $M3 "CODE 1000-0004")"
hbm_eq "look-ups counted: state" $((state + 11)) "$(lookups state)"
hbm_eq "look-ups counted: full" $((full + 1)) "$(lookups full)"
hbm_eq "look-ups counted: not found" $((nf + 1)) "$(lookups not_found)"
hbm_eq "look-ups counted: limited" 2 "$(lookups limited)"
hbm_check "the metric has no category label" \
	bash -c "! curl -s '$HBM_METRICS_URL/metrics' | grep '^hbmgw_code_lookups_total' | grep -q category"
hbm_done
