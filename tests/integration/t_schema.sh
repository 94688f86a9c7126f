#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Schema 1 to 2: a number's cases move from their own sorted set into the
# number's record. On data of schema 1 the daemon decides no SMS (it
# would miss the number's cases), says why in /readyz and in the log, and
# keeps what arrives in the inbox; hbmgwd --migrate folds each set into
# its record and marks the data as of schema 2, and the SMS that waited is
# decided then, with the case it had: its STATUS names the case. A second
# run folds nothing. Data with no schema 1 set is given schema 2 at once.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config_agencies)
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
R=$HBM_REDIS_CLI
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

: > "$HBM_TMP/migrate.log"
"$HBM_BUILD/hbmgwd" -c "$HBM_TMP/gw.conf" --migrate 2>> "$HBM_TMP/migrate.log"
hbm_eq "--migrate exits 0" 0 "$?"
hbm_match "it says what it folded" \
	"migrate: done: 1 numbers' sets of cases folded \(1 cases\); the data is of schema 2" \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_eq "the set is gone" 0 "$($R EXISTS "{hbm}:num:$H:cases")"
hbm_eq "the record has the case, with its time" "$now" \
	"$($R --raw HGET "{hbm}:num:$H" c:12345671)"
hbm_eq "and keeps the rest of it" en "$($R --raw HGET "{hbm}:num:$H" lang)"
ttl=$($R TTL "{hbm}:num:$H")
hbm_check "the record lives as long as the set would have ($ttl s)" \
	test "$ttl" -gt 100 -a "$ttl" -le 5000
hbm_eq "the data is of schema 2" 2 "$($R --raw GET '{hbm}:schema')"

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

: > "$HBM_TMP/migrate.log"
"$HBM_BUILD/hbmgwd" -c "$HBM_TMP/gw.conf" --migrate 2>> "$HBM_TMP/migrate.log"
hbm_eq "a second run exits 0" 0 "$?"
hbm_match "and folds nothing" "migrate: done: 0 numbers' sets of cases folded \(0 cases\)" \
	"$(cat "$HBM_TMP/migrate.log")"
hbm_daemon_stop TERM

# Data with no version and no set of schema 1 (they all expired, or none
# was ever made) is given schema 2 at once.
$R FLUSHALL >/dev/null
$R ZADD '{hbm}:cases' $now 12345671 >/dev/null
hbm_daemon_start "$HBM_TMP/gw.conf"
ready() { [ "$(hbm_status GET /readyz)" = 200 ]; }
hbm_check "with no set of schema 1 the daemon is ready" hbm_wait 20 ready
hbm_eq "and the data is given schema 2" 2 "$($R --raw GET '{hbm}:schema')"
hbm_daemon_stop TERM
hbm_done
