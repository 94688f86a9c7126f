#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# With NOTIFY_SOCKET set, the daemon tells systemd READY=1 once listening,
# RELOADING=1/READY=1 around SIGHUP, STOPPING=1 on SIGTERM, and WATCHDOG=1
# at half of WATCHDOG_USEC.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_config > "$HBM_TMP/gw.conf"
"$HBM_BUILD/tests/notify_listen" "$HBM_TMP/notify.sock" 60 > "$HBM_TMP/notify.log" &
listener=$!
hbm_wait 5 test -S "$HBM_TMP/notify.sock"
export NOTIFY_SOCKET="$HBM_TMP/notify.sock" WATCHDOG_USEC=400000
hbm_daemon_start "$HBM_TMP/gw.conf"
unset NOTIFY_SOCKET WATCHDOG_USEC

hbm_check "READY=1 sent" hbm_wait 5 grep -qx 'READY=1' "$HBM_TMP/notify.log"
two_watchdogs() { [ "$(grep -c '^WATCHDOG=1$' "$HBM_TMP/notify.log")" -ge 2 ]; }
hbm_check "WATCHDOG=1 sent repeatedly" hbm_wait 5 two_watchdogs
kill -HUP "$HBM_DAEMON_PID"
hbm_check "RELOADING=1 sent on SIGHUP" hbm_wait 5 grep -qx 'RELOADING=1' "$HBM_TMP/notify.log"
hbm_daemon_stop TERM
hbm_eq "SIGTERM exits 0" 0 "$HBM_RC"
hbm_check "STOPPING=1 sent" hbm_wait 5 grep -qx 'STOPPING=1' "$HBM_TMP/notify.log"
hbm_eq "READY=1 after the reload too" 2 "$(grep -cx 'READY=1' "$HBM_TMP/notify.log")"
kill "$listener"
hbm_done
