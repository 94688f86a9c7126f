#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many messages from one number in one batch: they are put in the inbox,
# sealed as the webhook would, before the daemon starts, so that its first
# read takes them all. The second message of a
# sender then conflicts with the first in the batch's script, and is
# decided again and applied the same way (hbmgw_inbox_conflicts_total),
# one message of each sender a round, in the order they came: STOP, START
# and HELP from one number end with the number opted in and one case;
# six HELPs from another give one case and the code of it five times.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config_agencies)
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
limits: { cases_per_day = 3; replies_per_hour = 10; };
CONF

A=+256700000021 B=+256700000022
seal() { echo "$1" | "$HBM_BUILD/tests/seal" "$(hbm_key)"; }
hash() { echo "$1" | "$HBM_BUILD/tests/seal" -h "$(hbm_key)"; }
n=0
plant() {
	n=$((n + 1))
	$HBM_REDIS_CLI XADD '{hbm}:inbox' '*' from "$(seal "$1")" \
		from_hash "$(hash "$1")" sender phone to 8080 \
		text "$(seal "$2")" ext "b-$n" source http \
		received_ms "$(date +%s%3N)" >/dev/null
}
plant $A STOP
plant $A START
plant $A 'HELP FOOD'
for i in 1 2 3 4 5 6; do plant $B 'HELP FOOD'; done
hbm_eq "nine entries wait" 9 "$($HBM_REDIS_CLI XLEN '{hbm}:inbox')"
hbm_daemon_start "$HBM_TMP/gw.conf"

hbm_check "every message is handled" hbm_inbox_settled
hbm_eq "nine were handed to the case logic" 9 "$(hbm_metric hbmgw_inbox_processed_total)"
hbm_eq "in one batch" 1 "$(hbm_metric hbmgw_inbox_batches_total)"
hbm_check "some were decided again after a conflict" \
	test "$(hbm_metric hbmgw_inbox_conflicts_total)" -ge 1

texts_a=$(hbm_queued_texts $A | tac) # oldest first
hbm_eq "A got three replies" 3 "$(echo "$texts_a" | grep -c .)"
hbm_match "first the STOP confirmation" 'no more SMS' "$(echo "$texts_a" | sed -n 1p)"
hbm_match "then START's" 'get our SMS again' "$(echo "$texts_a" | sed -n 2p)"
hbm_match "then the case, made after START" 'received' "$(echo "$texts_a" | sed -n 3p)"
codes_b=$(hbm_queued_texts $B | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | sort -u)
hbm_eq "B's six HELPs make one case" 1 "$(echo "$codes_b" | grep -c .)"
hbm_eq "and six replies naming it" 6 "$(hbm_queued_count $B)"
hbm_eq "two cases in all" 2 "$(hbm_case_count)"
hbm_done
