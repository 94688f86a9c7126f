#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The console's accessibility, in a real browser (Debian's chromium,
# headless, through tests/browser/a11y.py): axe-core (vendored in
# tests/browser/vendor/, CI having no network) finds no WCAG 2.0/2.1 A or
# AA violation on the sign-in page, the queue, a case page and the
# coordinator page, in English and in Arabic (right to left), 1280 and
# 360 px wide; and a caseworker signs in, reaches a case in the queue,
# opens it and acknowledges it with the keyboard alone (in English at
# 1280 px, in Arabic at 360 px), every element it focuses showing a focus
# indicator.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start

CTL=$HBM_BUILD/hbmctl
PW_AMINA='correct horse battery'
PW_COORD='coordinate all'
h_amina=$(printf '%s\n' "$PW_AMINA" | "$CTL" hash-password)
h_coord=$(printf '%s\n' "$PW_COORD" | "$CTL" hash-password)
{
	hbm_config_agencies
	cat <<CONF
categories = (
  { id = "food"; agencies = ["wfp"]; priority = 3; ack_timeout = 1800;
    sms_label = "food"; keywords = { en = ["FOOD"]; }; },
  { id = "medical"; agencies = ["wfp"]; priority = 1; ack_timeout = 1;
    sms_label = "clinic"; keywords = { en = ["CLINIC"]; }; }
);
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "\$6\$salt\$hash"; region = "north"; } );
users = (
  { login = "amina"; name = "Amina K."; agency = "wfp"; role = "caseworker";
    password_hash = "$h_amina"; },
  { login = "coord"; name = "Coordinator"; role = "coordinator";
    password_hash = "$h_coord"; }
);
CONF
} > "$HBM_TMP/gw.conf"
hbm_daemon_start "$HBM_TMP/gw.conf"

# Cases to show: one waiting, one that escalates (its row marked so, the
# coordinator's overdue table not empty).
hbm_match "a food SMS makes a case" '^2' \
	"$(hbm_inbound +256700000501 'HELP FOOD' "a-$RANDOM-1")"
hbm_match "a clinic SMS makes a case" '^2' \
	"$(hbm_inbound +256700000502 'HELP CLINIC' "a-$RANDOM-2")"

export HBM_URL HBM_CHANNEL_TOKEN HBM_ADMIN_TOKEN HBM_REDIS_CLI
export PW_AMINA PW_COORD
hbm_browser a11y.py 400 20
hbm_done
