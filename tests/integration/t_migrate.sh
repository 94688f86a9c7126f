#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hbmgwd --migrate seals what an older version wrote in clear: a message
# record's text and number, a case's note and number, its history notes, a
# USSD session's fields; it removes dispatched inbox entries in clear and
# leaves one still to be dispatched. It says how far it got in the log, a
# second run changes nothing, and the API still reads everything.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
R=$HBM_REDIS_CLI
now=$(($(date +%s) * 1000))
unseal() { "$HBM_BUILD/tests/unseal" "$(hbm_key)"; }

# As the version before sealing wrote them.
MID=m$((now * 1000 + 1))
$R HSET "{hbm}:msg:$MID" to +256700000061 to_hash '' \
	text 'Your code 1234-5678: call +256700000061 at the river gate' \
	channel agg kind reply status sent attempts 1 created_ms $now \
	updated_ms $now >/dev/null
$R ZADD '{hbm}:msgs:all' $now "$MID" >/dev/null
$R HSET '{hbm}:case:12345671' code 12345671 kind relief category food \
	status notified agency wfp region '' persons 1 \
	note 'sleeping under the old bridge' lang en num '' \
	phone +256700000062 consent 0 official '' priority 1 \
	created_ms $now updated_ms $now due_ms $((now + 3600000)) stage 0 \
	tried '' ver 1 >/dev/null
$R ZADD '{hbm}:cases' $now 12345671 >/dev/null
$R RPUSH '{hbm}:case:12345671:hist' \
	"{\"t\":$now,\"who\":\"migrant\",\"what\":\"created\",\"note\":\"\"}" \
	"{\"t\":$now,\"who\":\"wfp\",\"what\":\"declined\",\"note\":\"no truck to the old bridge\"}" >/dev/null
$R HSET '{hbm}:ussd:s:abcdef' st 'confirm 0 0 3 1 food' mig +256700000063 \
	path '1234*1*1*0700000063' ans 'END Referral made' end 1 >/dev/null
old1=$($R XADD '{hbm}:inbox' '*' from +256700000064 from_hash x sender phone \
	to 8000 text 'HELP FOOD by the market stall' ext e1 source http received_ms $now)
$R XGROUP CREATE '{hbm}:inbox' dispatch '$' >/dev/null
old2=$($R XADD '{hbm}:inbox' '*' from +256700000065 from_hash y sender phone \
	to 8000 text 'STATUS waiting at the clinic' ext e2 source http received_ms $now)

migrate() {
	: > "$HBM_TMP/migrate.log"
	"$HBM_BUILD/hbmgwd" -c "$HBM_TMP/gw.conf" --migrate 2>> "$HBM_TMP/migrate.log"
}
migrate
hbm_eq "--migrate exits 0" 0 "$?"
hbm_match "it logs its progress" 'migrate: \{hbm\}:msg:\* done: [0-9]+ keys looked at' "$(cat "$HBM_TMP/migrate.log")"
hbm_match "and a summary" 'migrate: sealed: [0-9]+ keys looked at, 9 fields sealed, 1 dispatched inbox entries in clear removed' \
	"$(cat "$HBM_TMP/migrate.log")"

hget() { $R --raw HGET "$1" "$2"; }
for kf in "{hbm}:msg:$MID text" "{hbm}:msg:$MID to" "{hbm}:case:12345671 note" \
	"{hbm}:case:12345671 phone" "{hbm}:ussd:s:abcdef mig" \
	"{hbm}:ussd:s:abcdef path" "{hbm}:ussd:s:abcdef ans"; do
	read -r k f <<<"$kf"
	v=$(hget "$k" "$f")
	o=$(unseal <<<"$v")
	hbm_check "$k $f is sealed" test "$v" != "$o"
done
hbm_eq "the message text opens as it was" \
	'Your code 1234-5678: call +256700000061 at the river gate' \
	"$(hget "{hbm}:msg:$MID" text | unseal)"
hbm_eq "the number opens as it was" +256700000061 "$(hget "{hbm}:msg:$MID" to | unseal)"
hbm_match "the record gets the number's hash" '^[0-9a-f]{64}$' "$(hget "{hbm}:msg:$MID" to_hash)"
hbm_eq "the case note opens as it was" 'sleeping under the old bridge' \
	"$(hget '{hbm}:case:12345671' note | unseal)"
hist=$(hbm_case_hist_raw 12345671)
hbm_eq "the history is in the case now" 2 "$(grep -c . <<<"$hist")"
hbm_eq "and its list is gone" 0 "$($R EXISTS '{hbm}:case:12345671:hist')"
hbm_check "no history note in clear" fails grep -q 'old bridge' <<<"$hist"
hbm_eq "an empty history note stays empty" \
	"{\"t\":$now,\"who\":\"migrant\",\"what\":\"created\",\"note\":\"\"}" \
	"$(head -n 1 <<<"$hist")"
hbm_eq "the dispatched inbox entry in clear is removed" "" "$($R XRANGE '{hbm}:inbox' "$old1" "$old1")"
hbm_check "the one still to dispatch is kept" test -n "$($R XRANGE '{hbm}:inbox' "$old2" "$old2")"

# Again: nothing left to do, nothing changes.
before=$($R --raw HGET "{hbm}:msg:$MID" text)
migrate
hbm_eq "a second run exits 0" 0 "$?"
hbm_match "and seals nothing" 'migrate: sealed: [0-9]+ keys looked at, 0 fields sealed, 0 dispatched' \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_eq "a sealed field is left as it is" "$before" "$($R --raw HGET "{hbm}:msg:$MID" text)"

# The API reads the sealed records as it read the clear ones.
hbm_daemon_start "$HBM_TMP/gw.conf"
ADMIN=(-H "Authorization: Bearer $HBM_ADMIN_TOKEN")
m=$(hbm_body GET "/v1/messages/$MID" "${ADMIN[@]}")
hbm_match "the message reads through the API" 'Your code 1234-5678: call \+25670\*\*\*\*061 at the river gate' "$m"
hbm_match "its number masked" '"to": *"\+25670\*\*\*\*061"' "$m"
c=$(hbm_body GET /v1/cases/12345671 "${ADMIN[@]}")
hbm_match "the case note reads through the API" 'sleeping under the old bridge' "$c"
hbm_match "and the history note" 'no truck to the old bridge' "$c"

# Nothing in clear on disk.
$R CONFIG SET rdbcompression no >/dev/null
hbm_eq "SAVE" OK "$($R SAVE)"
# (Not the inbox entry removed: XDEL only marks an entry in its stream
# node, whose bytes go when retention trims the node; docs/redis.md.)
for s in 'river gate' 'old bridge' 700000061 700000062 700000063; do
	hbm_eq "no \"$s\" in the RDB" 0 "$(grep -aFc -- "$s" "$HBM_TMP/redis/dump.rdb")"
done
hbm_done
