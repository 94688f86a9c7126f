#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything personal expires: inbox entries older than privacy.message_days
# leave the stream, and closed cases past privacy.retention_days lose the
# sealed number, its hash and the note while the case itself stays.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config | grep -v '^channels')
privacy: { key_file = "$(hbm_key)"; message_days = 1; retention_days = 1; };
channels = ( { name = "agg"; type = "http"; format = "json";
               url = "http://127.0.0.1:$HBM_CAPTURE_PORT/send"; } );
agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"]; } );
categories = ( { id = "food"; agencies = ["wfp"]; keywords = { en = ["FOOD"]; }; } );
CONF
sed -i '0,/^privacy: { key_file = "[^"]*"; };$/{//d}' "$HBM_TMP/gw.conf"
# An inbox entry from 1970: far older than message_days.
$HBM_REDIS_CLI XADD '{hbm}:inbox' 1000-0 text old >/dev/null
hbm_daemon_start "$HBM_TMP/gw.conf"

trimmed() { [ -z "$($HBM_REDIS_CLI XRANGE '{hbm}:inbox' 1000-0 1000-0)" ]; }
hbm_check "an inbox entry past message_days is removed" hbm_wait 15 trimmed

hbm_inbound +256700000001 'HELP FOOD by the gate' r-1 >/dev/null
hbm_check "a case is made" hbm_wait 10 hbm_sent_to +256700000001 1
code=$(hbm_texts_to +256700000001 | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1)
digits=${code/-/}
hbm_inbound +256700000101 "ACK $code" r-2 >/dev/null
hbm_inbound +256700000101 "CLOSE $code done" r-3 >/dev/null
closed() { [ "$($HBM_REDIS_CLI HGET "{hbm}:case:$digits" status)" = closed ]; }
hbm_check "the case is closed" hbm_wait 10 closed
hbm_eq "a fresh closed case keeps its number" 1 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" phone)"
# As if it had been closed at the epoch: past retention_days.
$HBM_REDIS_CLI ZADD '{hbm}:closed' 1 "$digits" >/dev/null
purged() { [ "$($HBM_REDIS_CLI HGET "{hbm}:case:$digits" purged)" = 1 ]; }
hbm_check "a closed case past retention_days is purged" hbm_wait 15 purged
hbm_eq "its sealed number is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" phone)"
hbm_eq "its number hash is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" num)"
hbm_eq "its note is gone" 0 "$($HBM_REDIS_CLI HEXISTS "{hbm}:case:$digits" note)"
hbm_eq "the case itself stays, closed" closed "$($HBM_REDIS_CLI HGET "{hbm}:case:$digits" status)"
hbm_eq "it leaves the retention queue" 0 "$($HBM_REDIS_CLI ZCARD '{hbm}:closed')"
hbm_done
