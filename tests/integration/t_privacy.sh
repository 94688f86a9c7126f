#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Nothing in clear at rest: the SMS, agency and USSD scenarios that carry
# numbers and free text (a HELP naming another number in national form
# and a place, the ACK that gives the agency the migrant's number, a CLOSE
# with a note, a REF naming a migrant's number, a HELP in a sensitive
# category with a sentence, a DECLINE with a reason, a USSD referral), with
# Redis appending to its AOF; then BGREWRITEAOF and SAVE, and every number
# (+E.164, national, digits only, spaced, dashed) and every phrase sent is looked for in
# the AOF files, the RDB and the daemon's log: none may be there.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
# Strings uncompressed in the RDB (and the AOF's RDB preamble), so that a
# text in clear cannot hide from grep behind LZF.
$HBM_REDIS_CLI CONFIG SET rdbcompression no > /dev/null
$HBM_REDIS_CLI CONFIG SET appendonly yes > /dev/null
aof_ready() {
	$HBM_REDIS_CLI INFO persistence | grep -q '^aof_rewrite_in_progress:0' &&
		$HBM_REDIS_CLI INFO persistence | grep -q '^aof_enabled:1'
}
hbm_check "Redis appends to its AOF" hbm_wait 10 aof_ready
# "1234" as SHA-512 crypt(3)
PIN_HASH='$6$abcdefgh$1uLzXUmZOC.qtAp9TH7v9AMyFTajrhlf8caJDoEHzbMYij1.XPxQ6Uk1d0cOSjtBqjxiM6I55MC0JGi2h1Jte0'
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = (
  { id = "wfp"; name = "WFP"; phones = ["+256700000101"];
    token_sha256 = "$(hbm_sha256 $HBM_WFP_TOKEN)"; },
  { id = "redcross"; name = "Red Cross"; phones = ["+256700000102"]; }
);
categories = (
  { id = "food"; agencies = ["wfp", "redcross"]; priority = 3;
    sms_label = "food"; keywords = { en = ["FOOD"]; }; },
  { id = "protection"; agencies = ["wfp", "redcross"]; priority = 1;
    sms_label = "support"; keywords = { en = ["SAFE"]; }; }
);
coordinator = { phones = ["+256700000301"]; };
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "$PIN_HASH"; region = "north"; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

WFP=+256700000101 RC=+256700000102 OFF=+256700000201
M1=+256700000041 M2=+256700000042
OTHER=0772987654 REFD=0700000049 USSDM='0772 123 456'
# Every number used (the migrants', the agencies', the official's and the
# coordinator's), as +E.164, national, digits only, and spaced and dashed
# as people write them.
NUMBERS=()
for n in +256700000041 +256700000042 +256772987654 +256700000049 \
	+256772123456 $WFP $RC $OFF +256700000301; do
	d=${n#+256}
	NUMBERS+=("$n" "0$d" "256$d"
		"+256 ${d:0:3} ${d:3:3} ${d:6}" "0${d:0:3} ${d:3:3} ${d:6}"
		"+256-${d:0:3}-${d:3:3}-${d:6}" "0${d:0:3}-${d:3:3}-${d:6}")
done
# Every phrase sent.
PHRASES=("Nyakabanda market" "beats me every night" "moved to Kisenyi shelter"
	"no female staff available" "her uncle drinks at Owino" "bring the blue card")

sms() { hbm_inbound "$1" "$2" "p-$(date +%s%N)-$RANDOM"; }
code_of() { grep -oE '[1-9][0-9]{3}-[0-9]{4}' <<<"$(hbm_texts_to "$1" | head -n "${2:-1}" | tail -n 1)" | head -n 1; }

# HELP FOOD naming another number and a place; the ACK gives WFP the number.
hbm_eq "HELP FOOD is accepted" 202 "$(sms $M1 "HELP FOOD call my brother $OTHER at Nyakabanda market")"
hbm_check "the migrant gets a code" hbm_wait 10 hbm_sent_to $M1 1
c1=$(code_of $M1)
hbm_match "a code" '^[1-9][0-9]{3}-[0-9]{4}$' "$c1"
hbm_check "WFP is notified" hbm_wait 10 hbm_sent_to $WFP 1
sms $WFP "ACK $c1" > /dev/null
hbm_check "WFP gets the number after ACK" hbm_wait 10 hbm_sent_to $WFP 2
hbm_match "the confirmation carries it" '700000041' "$(hbm_texts_to $WFP | tail -n 1)"
# The agency's note and its SMS to the person, through the API.
AWFP=(-H "Authorization: Bearer $HBM_WFP_TOKEN" -H 'Content-Type: application/json')
hbm_eq "a note by the agency's token" 200 "$(hbm_status POST "/v1/cases/${c1/-/}/note" \
	"${AWFP[@]}" --data-binary '{"note":"her uncle drinks at Owino"}')"
n=$(hbm_sent_count $M1)
hbm_eq "an SMS to the person in free text" 200 "$(hbm_status POST "/v1/cases/${c1/-/}/sms" \
	"${AWFP[@]}" --data-binary '{"text":"Please bring the blue card"}')"
hbm_check "it reaches the migrant" hbm_wait 10 hbm_sent_to $M1 $((n + 1))
sms $WFP "CLOSE $c1 moved to Kisenyi shelter" > /dev/null
closed() { hbm_case_is "$c1" closed; }
hbm_check "CLOSE with a note closes it" hbm_wait 10 closed

# HELP in a sensitive category with a sentence; WFP declines with a reason.
sms $M2 "HELP SAFE my husband beats me every night" > /dev/null
hbm_check "the second migrant gets a code" hbm_wait 10 hbm_sent_to $M2 1
c2=$(code_of $M2)
hbm_match "a code" '^[1-9][0-9]{3}-[0-9]{4}$' "$c2"
n=$(hbm_sent_count $RC)
sms $WFP "DECLINE $c2 no female staff available" > /dev/null
rcgot() { [ "$(hbm_sent_count $RC)" -gt "$n" ]; }
hbm_check "DECLINE with a reason passes it on" hbm_wait 10 rcgot

# REF by an official naming a migrant's number.
sms $OFF "REF food $REFD 3" > /dev/null
hbm_check "the REF'd migrant gets the code" hbm_wait 10 hbm_sent_to +256700000049 1

# A USSD referral for a migrant typed with spaces.
AT="/v1/ussd/africastalking?token=$HBM_CHANNEL_TOKEN"
at() {
	curl -s -X POST "$HBM_URL$AT" --data-urlencode "sessionId=$1" \
		--data-urlencode 'serviceCode=*384*1#' \
		--data-urlencode "phoneNumber=$OFF" --data-urlencode "text=$2"
}
# PIN, new referral, food, the phone, 3 persons, share it, confirm.
for step in '' '1234' '1234*1' '1234*1*1' "1234*1*1*$USSDM" \
	"1234*1*1*$USSDM*3" "1234*1*1*$USSDM*3*1" "1234*1*1*$USSDM*3*1*1"; do
	p=$(at u1 "$step")
done
hbm_match "the USSD referral ends with a code" '^END .*[1-9][0-9]{3}-[0-9]{4}' "$p"
hbm_check "the USSD migrant gets the code" hbm_wait 10 hbm_sent_to +256772123456 1

# The API still shows what is sealed, to those who may see it.
got=$(hbm_body GET "/v1/cases/${c1/-/}" -H "Authorization: Bearer $HBM_ADMIN_TOKEN")
hbm_match "the note opens through the API" 'Nyakabanda market' "$got"
hbm_check "with the other number masked for the admin" bash -c "! grep -q '$OTHER' <<<'$got'"
hbm_match "the CLOSE note opens in the history" 'moved to Kisenyi shelter' "$got"
got=$(hbm_body GET "/v1/cases/${c1/-/}" "${AWFP[@]}")
hbm_match "the agency's note opens for it" 'her uncle drinks at Owino' "$got"
hbm_match "and its SMS to the person" 'bring the blue card' "$got"
hbm_match "the case code stays readable in texts" "$c1" \
	"$(hbm_body GET "/v1/messages?to=$WFP" -H "Authorization: Bearer $HBM_ADMIN_TOKEN")"

# Everything on disk.
$HBM_REDIS_CLI BGREWRITEAOF > /dev/null
rewritten() { $HBM_REDIS_CLI INFO persistence | grep -q '^aof_rewrite_in_progress:0' &&
	$HBM_REDIS_CLI INFO persistence | grep -q '^aof_rewrite_scheduled:0'; }
hbm_check "BGREWRITEAOF completes" hbm_wait 20 rewritten
hbm_eq "SAVE" OK "$($HBM_REDIS_CLI SAVE)"
hbm_check "there is an RDB" test -s "$HBM_TMP/redis/dump.rdb"
hbm_check "there are AOF files" bash -c "ls '$HBM_TMP'/redis/appendonlydir/*.aof >/dev/null"
files=("$HBM_TMP/redis/dump.rdb" "$HBM_TMP"/redis/appendonlydir/* "$HBM_TMP/hbmgwd.log")
for s in "${NUMBERS[@]}" "${PHRASES[@]}"; do
	hits=$(grep -aFc -- "$s" "${files[@]}" | awk -F: '{ n += $NF } END { print n + 0 }')
	hbm_eq "no \"$s\" on disk" 0 "$hits"
done
hbm_done
