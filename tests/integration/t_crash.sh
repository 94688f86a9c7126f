#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of the daemon in the middle of a stream of messages: after a
# restart, every message that was answered 202 ends as exactly one case and
# its sender is answered.
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
hbm_daemon_start "$HBM_TMP/gw.conf"

: > "$HBM_TMP/accepted"
for i in $(seq 1 80); do
	num=$(printf '+2567010%05d' "$i")
	st=$(hbm_inbound "$num" 'HELP FOOD' "crash-$i")
	[ "$st" = 202 ] && echo "$num" >> "$HBM_TMP/accepted"
	[ "$i" = 40 ] && kill -KILL "$HBM_DAEMON_PID"
done
wait "$HBM_DAEMON_PID" 2>/dev/null
accepted=$(wc -l < "$HBM_TMP/accepted")
hbm_check "some messages were accepted before the kill" test "$accepted" -ge 30
hbm_check "messages after the kill were refused" test "$accepted" -lt 80

hbm_daemon_start "$HBM_TMP/gw.conf"
drained() {
	[ "$($HBM_REDIS_CLI XINFO GROUPS '{hbm}:inbox' | sed -n '/^pending$/{n;p}')" = 0 ] &&
	[ "$($HBM_REDIS_CLI ZCARD '{hbm}:cases')" -ge "$accepted" ]
}
hbm_check "the inbox drains after the restart" hbm_wait 30 drained
hbm_eq "one case per accepted message" "$accepted" "$($HBM_REDIS_CLI ZCARD '{hbm}:cases')"
replied() {
	local n
	while read -r n; do hbm_sent_to "$n" 1 || return 1; done < "$HBM_TMP/accepted"
}
hbm_check "every accepted sender got a reply" hbm_wait 30 replied
hbm_done
