#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An agency's LIST by SMS: with seven open cases the reply says seven,
# names the six that fit, whole, and says that one more is left out; with
# three it names all three and no marker.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; priority = 3;
                 sms_label = "food"; keywords = { en = ["FOOD"]; }; } );
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"
WFP=+256700000101

sms() { hbm_inbound "$1" "$2" "l-$(date +%s%N)-$RANDOM" >/dev/null; }
# At least N cases open with WFP (GET /v1/cases: notified or acknowledged).
open_cases() {
	[ "$(hbm_body GET '/v1/cases?limit=200' -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c 'import json, sys
print(sum(c["agency"] == "wfp" and c["status"] in ("notified", "acknowledged")
          for c in json.load(sys.stdin)["cases"]))')" -ge "$1" ]
}
# The last LIST reply to the agency, once there are N of them.
lists() { hbm_texts_to $WFP | grep 'open cases' || true; }
listed() { [ "$(lists | wc -l)" -ge "$1" ]; }

for i in 1 2 3; do sms "+25670000001$i" "HELP FOOD"; done
hbm_check "three open cases" hbm_wait 20 open_cases 3
sms $WFP LIST
hbm_check "a LIST reply" hbm_wait 20 listed 1
r=$(lists | tail -n 1)
hbm_match "it counts three" '^WFP open cases \(3\): ' "$r"
hbm_eq "and names all three" 3 "$(grep -oE '[1-9][0-9]{3}-[0-9]{4}' <<<"$r" | wc -l)"
hbm_check "with no marker" fails grep -q 'more' <<<"$r"

for i in 4 5 6 7; do sms "+25670000001$i" "HELP FOOD"; done
hbm_check "seven open cases" hbm_wait 20 open_cases 7
sms $WFP LIST
hbm_check "a second LIST reply" hbm_wait 20 listed 2
r=$(lists | tail -n 1)
hbm_match "it counts seven" '^WFP open cases \(7\): ' "$r"
hbm_eq "names six" 6 "$(grep -oE '[1-9][0-9]{3}-[0-9]{4}' <<<"$r" | wc -l)"
hbm_match "and says one more" '[0-9]{4} P3 food; \+1 more$' "$r"
hbm_done
