#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Schema 1 to 3: a number's cases move from their own sorted set into the
# number's record. On data of schema 1 the daemon decides no SMS (it
# would miss the number's cases), says why in /readyz and in the log, and
# keeps what arrives in the inbox; hbmgwd --migrate folds each set into
# its record and marks the data as of schema 3, and the SMS that waited is
# decided then, with the case it had: its STATUS names the case. A second
# run folds nothing. Data with no older set or list is given schema 3 at
# once.
#
# Schema 2 to 3: a case's history moves from its own list into the case's
# hash. The daemon waits on data of schema 2 (said so, or told by a list
# when the version is missing); --migrate moves each list, oldest entry
# first, deletes a list whose case is gone, and the API shows the history
# as it was, with what the daemon adds after it.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config_agencies)
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
R=$HBM_REDIS_CLI
# hbmgwd --migrate, its log in $HBM_TMP/migrate.log; its status.
migrate() {
	: > "$HBM_TMP/migrate.log"
	"$HBM_BUILD/hbmgwd" -c "$HBM_TMP/gw.conf" --migrate 2>> "$HBM_TMP/migrate.log"
}
now=$(($(date +%s) * 1000))
M=+256700000071
seal() { echo "$1" | "$HBM_BUILD/tests/seal" "$(hbm_key)"; }
H=$(echo "$M" | "$HBM_BUILD/tests/seal" -h "$(hbm_key)")

# As schema 1 left them: an open case of M's, its code in M's own set.
$R HSET '{hbm}:case:12345671' code 12345671 kind relief category food \
	status notified agency wfp region '' persons 1 note "$(seal 'by the gate')" \
	lang en num "$H" phone "$(seal "$M")" consent 1 official '' priority 1 \
	created_ms $now updated_ms $now due_ms $((now + 3600000)) stage 0 \
	tried '' ver 1 >/dev/null
$R ZADD '{hbm}:cases' $now 12345671 >/dev/null
$R ZADD '{hbm}:sla' $((now + 3600000)) 12345671 >/dev/null
$R HSET "{hbm}:num:$H" ver 1 lang en case_ms $now case_n 1 >/dev/null
$R EXPIRE "{hbm}:num:$H" 100 >/dev/null
$R ZADD "{hbm}:num:$H:cases" $now 12345671 >/dev/null
$R EXPIRE "{hbm}:num:$H:cases" 5000 >/dev/null

hbm_daemon_start "$HBM_TMP/gw.conf"
shut() { hbm_body GET /readyz | grep -q 'run hbmgwd --migrate'; }
hbm_check "/readyz says the data needs hbmgwd --migrate" hbm_wait 20 shut
hbm_eq "and is 503" 503 "$(hbm_status GET /readyz)"
hbm_check "the log says so too" grep -q \
	'schema: the data in Redis is of an older schema: stop every gateway' \
	"$HBM_TMP/hbmgwd.log"
hbm_eq "an SMS is still taken" 202 "$(hbm_inbound "$M" STATUS s-1)"
hbm_eq "and kept in the inbox" 1 "$($R XLEN '{hbm}:inbox')"

migrate
hbm_eq "--migrate exits 0" 0 "$?"
hbm_match "it says what it folded" \
	"migrate: done: 1 numbers' sets of cases folded \(1 cases\); 0 case histories moved into their cases \(0 entries\), 0 of cases gone deleted; the data is of schema 3" \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_eq "the set is gone" 0 "$($R EXISTS "{hbm}:num:$H:cases")"
hbm_eq "the record has the case, with its time" "$now" \
	"$($R --raw HGET "{hbm}:num:$H" c:12345671)"
hbm_eq "and keeps the rest of it" en "$($R --raw HGET "{hbm}:num:$H" lang)"
ttl=$($R TTL "{hbm}:num:$H")
hbm_check "the record lives as long as the set would have ($ttl s)" \
	test "$ttl" -gt 100 -a "$ttl" -le 5000
hbm_eq "the data is of schema 3" 3 "$($R --raw GET '{hbm}:schema')"

hbm_check "the SMS that waited is decided" hbm_inbox_settled
hbm_check "the daemon is ready" hbm_wait 20 \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$HBM_URL/readyz')\" = 200 ]"
texts=$(hbm_queued_texts "$M")
hbm_eq "one reply" 1 "$(grep -c . <<<"$texts")"
hbm_match "its STATUS names the case it had" '1234-5671' "$texts"

# HELP FOOD again: the open FOOD case, found in the record, no second one.
hbm_eq "HELP FOOD is taken" 202 "$(hbm_inbound "$M" 'HELP FOOD' s-2)"
hbm_check "and decided" hbm_inbox_settled
hbm_match "the answer names the open case" '1234-5671' \
	"$(hbm_queued_texts "$M" | head -n 1)"
hbm_eq "no second case" 1 "$(hbm_case_count)"

migrate
hbm_eq "a second run exits 0" 0 "$?"
hbm_match "and folds nothing" "migrate: done: 0 numbers' sets of cases folded \(0 cases\)" \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_daemon_stop TERM

# Data with no version and no set of schema 1 (they all expired, or none
# was ever made) and no list of schema 2 is given schema 3 at once.
$R FLUSHALL >/dev/null
$R ZADD '{hbm}:cases' $now 12345671 >/dev/null
hbm_daemon_start "$HBM_TMP/gw.conf"
ready() { [ "$(hbm_status GET /readyz)" = 200 ]; }
hbm_check "with no set of schema 1 the daemon is ready" hbm_wait 20 ready
hbm_eq "and the data is given schema 3" 3 "$($R --raw GET '{hbm}:schema')"
hbm_daemon_stop TERM

# Schema 2: a case whose history is a list of three entries, an ACK by WFP
# last; a list whose case is gone.
$R FLUSHALL >/dev/null
$R SET '{hbm}:schema' 2 >/dev/null
$R HSET '{hbm}:case:12345671' code 12345671 kind relief category food \
	status acknowledged agency wfp region '' persons 1 note "$(seal 'by the gate')" \
	lang en num "$H" phone "$(seal "$M")" consent 1 official '' priority 1 \
	created_ms $now updated_ms $now acked_ms $now due_ms 0 stage 0 \
	tried '' ver 3 >/dev/null
$R ZADD '{hbm}:cases' $now 12345671 >/dev/null
$R ZADD '{hbm}:agency:wfp:open' $now 12345671 >/dev/null
$R HSET "{hbm}:num:$H" ver 1 lang en case_ms $now case_n 1 c:12345671 $now >/dev/null
$R RPUSH '{hbm}:case:12345671:hist' \
	"{\"t\":$now,\"who\":\"migrant\",\"what\":\"created\",\"note\":\"food\"}" \
	"{\"t\":$now,\"who\":\"gateway\",\"what\":\"notified\",\"note\":\"wfp\"}" \
	"{\"t\":$now,\"who\":\"wfp\",\"what\":\"acknowledged\",\"note\":\"\"}" >/dev/null
$R RPUSH '{hbm}:case:99999997:hist' "{\"t\":$now,\"who\":\"migrant\",\"what\":\"created\"}" >/dev/null
# A case with a history longer than one script call can unpack.
$R HSET '{hbm}:case:99999998' code 99999998 status closed ver 9 >/dev/null
# shellcheck disable=SC2046 # one argument an entry
$R RPUSH '{hbm}:case:99999998:hist' $(for i in $(seq 1 9000); do
	printf '{"t":%s,"who":"gateway","what":"n%d"}\n' "$now" "$i"; done) >/dev/null
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "on schema 2 /readyz says the data needs hbmgwd --migrate" hbm_wait 20 shut
hbm_eq "a CLOSE is taken" 202 "$(hbm_inbound +256700000101 'CLOSE 1234-5671 fed' s-3)"
hbm_eq "and kept in the inbox" 1 "$($R XLEN '{hbm}:inbox')"
migrate
hbm_eq "--migrate exits 0" 0 "$?"
hbm_match "it says what it moved" \
	"2 case histories moved into their cases \(9003 entries\), 1 of cases gone deleted; the data is of schema 3" \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_eq "the long one whole, in order" "9000 n1 n9000" \
	"$(hbm_case_hist_raw 99999998 | python3 -c 'import json, sys
w = [json.loads(l)["what"] for l in sys.stdin]
print(len(w), w[0], w[-1])')"
hbm_eq "the lists are gone" 0 "$($R EXISTS '{hbm}:case:12345671:hist' '{hbm}:case:99999997:hist')"
hbm_eq "the case keeps its fields" acknowledged "$($R --raw HGET '{hbm}:case:12345671' status)"
hbm_eq "the data is of schema 3" 3 "$($R --raw GET '{hbm}:schema')"
hbm_check "the CLOSE that waited is decided" hbm_inbox_settled
whats() { hbm_case 12345671 | python3 -c 'import json, sys
print(" ".join(e["who"] + ":" + e["what"] for e in json.load(sys.stdin)["history"] if e["what"] != "sms"))'; }
hbm_eq "the history reads as it was, the CLOSE after it" \
	"migrant:created gateway:notified wfp:acknowledged wfp:closed" "$(whats)"
hbm_eq "the case is closed" closed "$($R --raw HGET '{hbm}:case:12345671' status)"
migrate
hbm_match "a second run moves nothing" \
	"0 case histories moved into their cases \(0 entries\), 0 of cases gone deleted" \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_eq "and the history is unchanged" \
	"migrant:created gateway:notified wfp:acknowledged wfp:closed" "$(whats)"
hbm_daemon_stop TERM

# No version, and a list of schema 2: schema 2.
$R FLUSHALL >/dev/null
$R RPUSH '{hbm}:case:12345671:hist' "{\"t\":$now,\"who\":\"migrant\",\"what\":\"created\"}" >/dev/null
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_check "with a list of schema 2 and no version the daemon waits" hbm_wait 20 shut
hbm_eq "and writes no version" "" "$($R --raw GET '{hbm}:schema')"
hbm_daemon_stop TERM
hbm_done
