#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Command lines: hbmgwd's options and exit statuses, hbmctl status against
# a running daemon (ready, not ready, unreachable).
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
d="$HBM_BUILD/hbmgwd"
c="$HBM_BUILD/hbmctl"

hbm_match "hbmgwd --version" '^hbmgwd [0-9]+\.[0-9]+\.[0-9]+$' "$("$d" --version)"
hbm_match "hbmgwd --help" 'check-config' "$("$d" --help)"
"$d" --no-such-option >/dev/null 2>&1
hbm_eq "unknown option exits 1" 1 "$?"
out=$("$d" -c "$HBM_TMP/missing.conf" --check-config 2>&1)
hbm_eq "missing config exits 1" 1 "$?"
hbm_match "missing config is named" "missing.conf" "$out"

hbm_redis_start
hbm_config > "$HBM_TMP/gw.conf"
hbm_eq "--check-config on a good file" "configuration OK" "$("$d" -c "$HBM_TMP/gw.conf" --check-config)"
hbm_daemon_start "$HBM_TMP/gw.conf"

out=$("$c" --url "$HBM_URL" status)
hbm_eq "hbmctl status exits 0 when ready" 0 "$?"
hbm_match "hbmctl status says ready" '^ready: yes' "$out"
hbm_match "hbmctl status says redis up" 'redis: up' "$out"
out=$(HBMGW_URL="$HBM_URL" "$c" --json status)
hbm_match "hbmctl --json status" '"ready": *true' "$out"

hbm_redis_kill
out=$("$c" --url "$HBM_URL" status)
hbm_eq "hbmctl status exits 1 when not ready" 1 "$?"
hbm_match "hbmctl status says not ready" '^ready: no' "$out"

hbm_daemon_stop TERM
"$c" --url "$HBM_URL" status >/dev/null 2>&1
hbm_eq "hbmctl status exits 3 when unreachable" 3 "$?"
"$c" --url "$HBM_URL" frobnicate >/dev/null 2>&1
hbm_eq "hbmctl unknown command exits 2" 2 "$?"
hbm_done
