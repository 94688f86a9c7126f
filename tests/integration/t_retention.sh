#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything personal expires: inbox entries and message records older than
# privacy.message_days leave, and closed cases past privacy.retention_days
# lose the sealed number, its hash and the note while the case itself stays.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
privacy: { key_file = "$(hbm_key)"; message_days = 1; retention_days = 2; audit_days = 3; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "\$6\$abcdefgh\$1uLzXUmZOC.qtAp9TH7v9AMyFTajrhlf8caJDoEHzbMYij1.XPxQ6Uk1d0cOSjtBqjxiM6I55MC0JGi2h1Jte0";
                region = "north"; } );
CONF
sed -i '0,/^privacy: { key_file = "[^"]*"; };$/{//d}' "$HBM_TMP/gw.conf"
# An inbox entry from 1970: far older than message_days.
$HBM_REDIS_CLI XADD '{hbm}:inbox' 1000-0 text old >/dev/null
# Three chained audit entries from 1970, as an older daemon left them.
prev=0000000000000000000000000000000000000000000000000000000000000000
for i in 1 2 3; do
	h=$(printf '%s\n%s\n%s\n%s\n%s\n%s' "$prev" $((1000 + i)) case:1 gateway note "old $i" |
		sha256sum | cut -d' ' -f1)
	$HBM_REDIS_CLI XADD '{hbm}:audit' $((1000 + i))-0 ts $((1000 + i)) subject case:1 \
		actor gateway action note detail "old $i" prev "$prev" hash "$h" >/dev/null
	prev=$h
done
$HBM_REDIS_CLI SET '{hbm}:audit:head' "$prev" >/dev/null
# The index of every message id an older version kept: one id from 1970,
# one from now.
now_ms=$(($(date +%s) * 1000))
$HBM_REDIS_CLI ZADD '{hbm}:msgs:all' 1000 m1000000 "$now_ms" "m${now_ms}000" >/dev/null
# A message from 1970: its record (a record has no TTL) and its entry in
# the message log, through which retention finds it.
$HBM_REDIS_CLI XADD '{hbm}:msglog' 1000-0 m m1000000 >/dev/null
$HBM_REDIS_CLI HSET '{hbm}:msg:m1000000' status sent channel agg >/dev/null
hbm_daemon_start "$HBM_TMP/gw.conf"

trimmed() { [ -z "$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' 1000-0 1000-0)" ]; }
hbm_check "an inbox entry past message_days is removed" hbm_wait 15 trimmed
audit_trimmed() { [ "$($HBM_REDIS_CLI GET '{hbm}:audit:anchor')" = "1003-0 $prev" ]; }
hbm_check "audit entries past audit_days are removed, the last one's hash kept" \
	hbm_wait 15 audit_trimmed
hbm_eq "none of them is left" "" "$($HBM_REDIS_CLI XRANGE '{hbm}:audit' - 1003-0)"
# The same pass trimmed the older index, before the audit stream.
hbm_eq "the older index keeps only the id within message_days" "m${now_ms}000" \
	"$($HBM_REDIS_CLI ZRANGE '{hbm}:msgs:all' 0 -1)"
# The same pass deleted the old message, before the older index.
hbm_eq "a message record past message_days is removed" 0 \
	"$($HBM_REDIS_CLI EXISTS '{hbm}:msg:m1000000')"
hbm_eq "with its entry in the message log" "" "$($HBM_REDIS_CLI XRANGE '{hbm}:msglog' 1000-0 1000-0)"

hbm_inbound +256700000001 'HELP FOOD by the gate' r-1 >/dev/null
hbm_check "a case is made" hbm_wait 10 hbm_sent_to +256700000001 1
code=$(hbm_texts_to +256700000001 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
# Every key named by the number's hash expires within message_days (1).
h=$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' - + | grep -A1 '^from_hash$' | tail -n 1)
hbm_match "the inbox names the sender by hash" '^[0-9a-f]{64}$' "$h"
numkeys() { $HBM_REDIS_CLI --scan --pattern "*$h*"; }
keys=$(numkeys | sort | tr '\n' ' ')
hbm_match "the number record is among them" "\\{hbm\\}:num:$h " "$keys"
hbm_match "and holds the case, when it was made (no index of its own)" \
	'^[0-9]{13}$' "$($HBM_REDIS_CLI --raw HGET "{hbm}:num:$h" "c:${code/-/}")"
hbm_match "and the reply sent to it, when it was queued (no index of its own)" \
	'^m:m[0-9]{16} ' "$($HBM_REDIS_CLI --raw HKEYS "{hbm}:num:$h" | grep '^m:' | tr '\n' ' ')"
hbm_eq "GET /v1/messages?to= lists that reply" 1 \
	"$(hbm_body GET '/v1/messages?to=%2B256700000001' -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		/usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')"
# Two retention passes after the reply was queued (each removes an old id
# put back in the older index; the second began after the first ended)
# leave its record: it is within message_days.
mid=$($HBM_REDIS_CLI --raw HKEYS "{hbm}:num:$h" | sed -n 's/^m://p' | head -n 1)
old_id_gone() { [ -z "$($HBM_REDIS_CLI ZSCORE '{hbm}:msgs:all' m1000000)" ]; }
for pass in 1 2; do
	$HBM_REDIS_CLI ZADD '{hbm}:msgs:all' 1000 m1000000 >/dev/null
	hbm_check "retention pass $pass after the reply" hbm_wait 15 old_id_gone
done
hbm_eq "the reply's record stays within message_days" 1 "$($HBM_REDIS_CLI EXISTS "{hbm}:msg:$mid")"
hbm_eq "with no TTL of its own: retention deletes it" -1 "$($HBM_REDIS_CLI TTL "{hbm}:msg:$mid")"
while read -r k; do
	t=$($HBM_REDIS_CLI TTL "$k")
	hbm_check "$k expires within message_days ($t s)" test "$t" -gt 0 -a "$t" -le 86400
done < <(numkeys)
digits=${code/-/}
hbm_inbound +256700000101 "ACK $code" r-2 >/dev/null
hbm_inbound +256700000101 "CLOSE $code done" r-3 >/dev/null
closed() { hbm_case_is "$digits" closed; }
hbm_check "the case is closed" hbm_wait 10 closed
hbm_eq "a fresh closed case keeps its number" 1 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" phone)"
# As if it had been closed at the epoch: past retention_days.
$HBM_REDIS_CLI ZADD '{hbm}:closed' 1 "$digits" >/dev/null
purged() { [ "$($HBM_REDIS_CLI HGET "{hbm}:case:$digits" purged)" = 1 ]; }
hbm_check "a closed case past retention_days is purged" hbm_wait 15 purged
hbm_eq "its sealed number is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" phone)"
hbm_eq "its number hash is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" num)"
hbm_eq "its note is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" note)"
hbm_eq "the case itself stays, closed" closed "$(hbm_case_field "$digits" status)"
hbm_eq "it leaves the retention queue" 0 "$($HBM_REDIS_CLI ZCARD '{hbm}:closed')"
# The chain goes on from the anchor and verifies; a kept entry changed
# shows, and so does one cut from the front.
ADMIN=(-H "Authorization: Bearer $HBM_ADMIN_TOKEN")
v=$(hbm_body GET /v1/audit/verify "${ADMIN[@]}")
hbm_match "the trimmed chain verifies from its anchor" '"ok": *true' "$v"
n=$($HBM_REDIS_CLI XLEN '{hbm}:audit')
hbm_check "with the entries of this case kept ($n)" test "$n" -ge 3
hbm_match "every kept entry checked" "\"entries\": *${n}[,}]" "$v"
ctl() { HBMGW_URL=$HBM_URL HBMGW_TOKEN=$HBM_ADMIN_TOKEN "$HBM_BUILD/hbmctl" "$@"; }
out=$(ctl audit verify)
hbm_eq "hbmctl audit verify agrees" 0 "$?"
hbm_match "intact" '^audit: intact$' "$out"
hbm_match "the metrics say intact" '^hbmgw_audit_chain_ok 1$' "$(hbm_metrics | grep '^hbmgw_audit_chain_ok')"
first=$($HBM_REDIS_CLI XRANGE '{hbm}:audit' - + COUNT 1 | head -n 1)
second=$($HBM_REDIS_CLI XRANGE '{hbm}:audit' "($first" + COUNT 1 | head -n 1)
# Rewrite the stream under the same ids, the second entry's detail changed.
mapfile -t ids < <($HBM_REDIS_CLI XRANGE '{hbm}:audit' - + | grep -E '^[0-9]+-[0-9]+$')
rewrite() {
	local id=$1 f
	mapfile -t f < <($HBM_REDIS_CLI XRANGE '{hbm}:audit' "$id" "$id" | tail -n +2)
	printf '%s\n' "${f[@]}" > "$HBM_TMP/e-$id"
}
for id in "${ids[@]}"; do rewrite "$id"; done
$HBM_REDIS_CLI DEL '{hbm}:audit' >/dev/null
for id in "${ids[@]}"; do
	mapfile -t f < "$HBM_TMP/e-$id"
	if [ "$id" = "$second" ]; then
		for ((i = 0; i < ${#f[@]}; i += 2)); do
			[ "${f[i]}" = detail ] && f[i + 1]="${f[i + 1]}, altered"
		done
	fi
	$HBM_REDIS_CLI XADD '{hbm}:audit' "$id" "${f[@]}" >/dev/null
done
v=$(hbm_body GET /v1/audit/verify "${ADMIN[@]}")
hbm_match "a kept entry altered shows" "\"ok\": *false.*\"broken_at\": *\"$second\"" "$v"
out=$(ctl audit verify)
hbm_eq "so does hbmctl audit verify" 1 "$?"
hbm_match "naming the entry" "^broken at: $second\$" "$out"
hbm_match "the metrics say broken, for the alert" '^hbmgw_audit_chain_ok 0$' "$(hbm_metrics | grep '^hbmgw_audit_chain_ok')"
hbm_match "with the time of the check" '^hbmgw_audit_verified_seconds [1-9][0-9.e+]*$' \
	"$(hbm_metrics | grep '^hbmgw_audit_verified_seconds')"
$HBM_REDIS_CLI DEL '{hbm}:audit' >/dev/null
for id in "${ids[@]}"; do
	mapfile -t f < "$HBM_TMP/e-$id"
	[ "$id" = "$first" ] || $HBM_REDIS_CLI XADD '{hbm}:audit' "$id" "${f[@]}" >/dev/null
done
v=$(hbm_body GET /v1/audit/verify "${ADMIN[@]}")
hbm_match "an entry cut from the front shows" '"ok": *false' "$v"

# A referral: the official's keys and the referred migrant's expire too.
hbm_inbound +256700000201 'REF food 0700000049 2' r-5 >/dev/null
hbm_check "the referred migrant gets a code" hbm_wait 10 hbm_sent_to +256700000049 1
off=$($HBM_REDIS_CLI XREVRANGE '{hbm}:inbox' + - COUNT 1 | grep -A1 '^from_hash$' | tail -n 1)
rcode=$(hbm_texts_to +256700000049 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
mig=$($HBM_REDIS_CLI HGET "{hbm}:case:${rcode/-/}" num)
hbm_match "the official's referrals are indexed by hash" "official:$off:cases" \
	"$($HBM_REDIS_CLI --scan --pattern "*$off*" | tr '\n' ' ')"
hbm_match "the migrant's record holds the case" '^[0-9]{13}$' \
	"$($HBM_REDIS_CLI --raw HGET "{hbm}:num:$mig" "c:${rcode/-/}")"
while read -r k; do
	t=$($HBM_REDIS_CLI TTL "$k")
	hbm_check "$k expires within message_days ($t s)" test "$t" -gt 0 -a "$t" -le 86400
done < <($HBM_REDIS_CLI --scan --pattern "*$off*"; $HBM_REDIS_CLI --scan --pattern "*$mig*")

# STOP keeps the opt-out for retention_days (2 days here), past
# message_days, so that it is still honoured after a quiet week.
hbm_inbound +256700000001 'STOP' r-4 >/dev/null
optout() { [ "$($HBM_REDIS_CLI HGET "{hbm}:num:$h" optout)" = 1 ]; }
hbm_check "STOP opts out" hbm_wait 10 optout
t=$($HBM_REDIS_CLI TTL "{hbm}:num:$h")
hbm_check "the opt-out outlives message_days, then expires ($t s)" test "$t" -gt 86400 -a "$t" -le 172800
# The number's case was purged above: STOP has nothing to take off it.
hbm_eq "the purged case gets no phone field back" 0 \
	"$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" phone)"
hbm_eq "and no history line" 0 \
	"$(hbm_case_hist_raw $digits | grep -c 'opted out')"

# One failing step does not hold back the others. With the message log of
# the wrong type and a case in the retention queue whose key holds a
# string, a pass still purges a good closed case after them; each failure
# is counted by step and logged with its key, and the broken case waits in
# the queue until its key is mended.
hbm_inbound +256700000002 'HELP FOOD at the clinic' r-6 >/dev/null
hbm_check "a second case is made" hbm_wait 10 hbm_sent_to +256700000002 1
code2=$(hbm_texts_to +256700000002 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
hbm_inbound +256700000101 "ACK $code2" r-7 >/dev/null
hbm_inbound +256700000101 "CLOSE $code2 done" r-8 >/dev/null
closed2() { hbm_case_is "${code2/-/}" closed; }
hbm_check "and closed" hbm_wait 10 closed2
$HBM_REDIS_CLI DEL '{hbm}:msglog' >/dev/null
$HBM_REDIS_CLI SET '{hbm}:msglog' broken >/dev/null
$HBM_REDIS_CLI SET '{hbm}:case:99999999' broken >/dev/null
$HBM_REDIS_CLI ZADD '{hbm}:closed' 1 "${code2/-/}" 1 99999999 >/dev/null
purged2() { [ "$($HBM_REDIS_CLI HGET "{hbm}:case:${code2/-/}" purged)" = 1 ]; }
hbm_check "a closed case is purged past a failing step" hbm_wait 15 purged2
hbm_eq "its number is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:${code2/-/}" phone)"
errors() { hbm_metrics | sed -n "s/^hbmgw_retention_errors_total{step=\"$1\"} //p"; }
hbm_match "the message step's failure is counted" '^[1-9][0-9]*$' "$(errors msgs)"
hbm_match "so is the broken case's" '^[1-9][0-9]*$' "$(errors cases)"
hbm_check "the log names the message log" grep -q \
	'retention: msgs: {hbm}:msglog: .*WRONGTYPE.*; the other steps go on' "$HBM_TMP/hbmgwd.log"
hbm_check "and the broken case's key, masked as a number is" grep -q \
	'retention: cases: {hbm}:case:9\*\*\*\*999: .*WRONGTYPE' "$HBM_TMP/hbmgwd.log"
hbm_eq "the broken case waits in the queue" 1 "$($HBM_REDIS_CLI ZSCORE '{hbm}:closed' 99999999)"
hbm_eq "the good one left it" "" "$($HBM_REDIS_CLI ZSCORE '{hbm}:closed' "${code2/-/}")"
$HBM_REDIS_CLI DEL '{hbm}:msglog' '{hbm}:case:99999999' >/dev/null
again() { grep -q "retention: $1: working again" "$HBM_TMP/hbmgwd.log"; }
hbm_check "mended, the message step says it works again" hbm_wait 15 again msgs
hbm_check "so does the case step" hbm_wait 15 again cases
hbm_eq "and the queue is empty" 0 "$($HBM_REDIS_CLI ZCARD '{hbm}:closed')"
hbm_done
