#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The console under /console/: every file comes from hbmgwd itself, with
# its Content-Type, an ETag (If-None-Match is a 304), a gzip copy only to a
# client that takes gzip, no-cache, a strict Content-Security-Policy and
# the other security headers; an unknown file, a path out of the folder
# ("..", "%2e%2e") are 404, POST is 405; the session and case routes the
# console reads are no-store. Then a real browser (Debian's chromium,
# headless, through tests/browser/console.py) signs in and out, is locked
# out after five failures, sees an SMS's case appear in the queue without a
# reload, sees only its agency's cases with the category's label, a
# deadline that counts down each second and turns "overdue" once past,
# an escalated case marked so,
# narrows the queue by category, priority and region, opens a case by its
# link or its URL, acknowledges, closes and declines it (then the next
# agency sees it), gets "not found" for another agency's case, sees the
# migrant's number masked until "Show number" reveals it, downloads the
# queue as CSV, and the Arabic UI is right to left; a manager's "Figures"
# and the coordinator's page draw GET /v1/stats with Chart.js (served from
# /console/vendor/, under the same CSP), a table beside each chart. Then
# curl: the number masked to a session, in clear to the agency's token,
# POST .../reveal (CSRF, 404, 409, 403, the audit entry without the
# number), the CSV export (header, rows, quoting, no number or note, each
# caller's cases, X-Truncated, the audit entry), and GET /v1/stats (counts
# per label and day, states, times to acknowledge, escalations, roles, its
# bound), and an agency's note and SMS to the person (POST .../note and
# .../sms: the timeline, hidden from the next agency after a DECLINE, the
# SMS queued to the migrant, 400/403/404/409/429 refusals); the browser
# adds a note, watches the SMS count turn from GSM-7 to UCS-2 and sends
# one. The coordinator reassigns a declined case from the overdue table (it
# leaves the list) and sees the Reassign form on a case page; curl then
# checks POST .../reassign: 403 for agencies, caseworkers, managers and a
# missing CSRF token, 400/404/409, the new agency's queue, deadline and
# SMS, 404 for the old agency, the timeline and audit, the reason sealed,
# an Idempotency-Key, nothing new to the migrant. Its screenshots (sign-in, queue, case and figures, in English and
# Arabic, 1280 and 360 px wide) are kept in $HBM_BUILD/screenshots/.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start

CTL=$HBM_BUILD/hbmctl
PW_AMINA='correct horse battery'
PW_RC='red cross secret'
PW_LOCK='lock me out'
PW_COORD='coordinate all'
h_amina=$(printf '%s\n' "$PW_AMINA" | "$CTL" hash-password)
h_rc=$(printf '%s\n' "$PW_RC" | "$CTL" hash-password)
h_lock=$(printf '%s\n' "$PW_LOCK" | "$CTL" hash-password)
h_coord=$(printf '%s\n' "$PW_COORD" | "$CTL" hash-password)
{
	hbm_config_agencies
	cat <<CONF
categories = (
  { id = "food"; agencies = ["wfp"]; priority = 3; ack_timeout = 1800;
    sms_label = "food"; keywords = { en = ["FOOD"]; }; },
  { id = "water"; agencies = ["redcross"]; priority = 1;
    sms_label = "water"; keywords = { en = ["WATER"]; }; },
  { id = "shelter"; agencies = ["wfp", "redcross"]; priority = 2;
    sms_label = "housing"; keywords = { en = ["SHELTER"]; }; },
  { id = "medical"; agencies = ["wfp"]; priority = 1; ack_timeout = 1;
    sms_label = "clinic"; keywords = { en = ["CLINIC"]; }; },
  { id = "blanket"; agencies = ["wfp"]; priority = 3;
    sms_label = "blankets, \\"warm\\""; keywords = { en = ["BLANKET"]; }; }
);
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "\$6\$salt\$hash"; region = "north"; } );
users = (
  { login = "amina"; name = "Amina K."; agency = "wfp"; role = "caseworker";
    password_hash = "$h_amina"; },
  { login = "rc.lead"; name = "Red Cross lead"; agency = "redcross";
    role = "manager"; password_hash = "$h_rc"; },
  { login = "locked"; name = "Locked Out"; agency = "wfp";
    role = "caseworker"; password_hash = "$h_lock"; },
  { login = "coord"; name = "Coordinator"; role = "coordinator";
    password_hash = "$h_coord"; }
);
CONF
} > "$HBM_TMP/gw.conf"
hbm_daemon_start "$HBM_TMP/gw.conf"

# head METHOD PATH [curl args]: the response headers, CRs dropped.
head_of() {
	local method=$1 path=$2
	shift 2
	rm -f "$HBM_TMP/body"
	touch "$HBM_TMP/body"
	curl -s -m 30 -o "$HBM_TMP/body" -D - -X "$method" "$@" \
		"$HBM_URL$path" | tr -d '\r'
}
# hdr NAME: the value of header NAME in the headers on stdin.
hdr() { grep -i "^$1: " | head -n 1 | cut -d' ' -f2-; }
raw() { curl -s -m 30 --path-as-is -o /dev/null -w '%{http_code}' "$HBM_URL$1"; }

CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
for f in "/console/ text/html" "/console/index.html text/html" \
	"/console/app.js text/javascript" "/console/core.js text/javascript" \
	"/console/queue.js text/javascript" \
	"/console/casepage.js text/javascript" "/console/coord.js text/javascript" \
	"/console/vendor/chart.min.js text/javascript" "/console/style.css text/css" \
	"/console/i18n/en.json application/json" \
	"/console/i18n/fr.json application/json" \
	"/console/i18n/ar.json application/json"; do
	set -- $f
	h=$(head_of GET "$1")
	hbm_match "$1 is 200" '^HTTP/1.1 200' "$h"
	hbm_eq "$1 is $2" "$2; charset=utf-8" "$(hdr Content-Type <<< "$h")"
	hbm_match "$1 has an ETag" '^"[0-9a-f]{32}"$' "$(hdr ETag <<< "$h")"
	hbm_eq "$1 is revalidated" no-cache "$(hdr Cache-Control <<< "$h")"
	hbm_eq "$1 has the CSP" "$CSP" "$(hdr Content-Security-Policy <<< "$h")"
	hbm_eq "$1 has no referrer" no-referrer "$(hdr Referrer-Policy <<< "$h")"
	hbm_eq "$1 is nosniff" nosniff "$(hdr X-Content-Type-Options <<< "$h")"
	hbm_eq "$1 plain without Accept-Encoding" "" "$(hdr Content-Encoding <<< "$h")"
done
hbm_check "the body is the file (console/i18n/ar.json)" \
	cmp -s "$HBM_TMP/body" "$HBM_SRCDIR/console/i18n/ar.json"
curl -s -m 30 -o "$HBM_TMP/body" "$HBM_URL/console/vendor/chart.min.js"
hbm_check "vendor/chart.min.js is Debian's Chart.js (libjs-chart.js)" \
	cmp -s "$HBM_TMP/body" /usr/share/javascript/chart.js/chart.min.js

h=$(head_of GET /console/app.js)
cp "$HBM_TMP/body" "$HBM_TMP/plain"
hbm_check "app.js is the file console/app.js" \
	cmp -s "$HBM_TMP/plain" "$HBM_SRCDIR/console/app.js"
etag=$(hdr ETag <<< "$h")
h=$(head_of GET /console/app.js -H "If-None-Match: $etag")
hbm_match "If-None-Match with its ETag is 304" '^HTTP/1.1 304' "$h"
hbm_eq "a 304 has no body" 0 "$(wc -c < "$HBM_TMP/body")"
hbm_eq "a 304 has the ETag" "$etag" "$(hdr ETag <<< "$h")"
hbm_eq "a 304 has the CSP" "$CSP" "$(hdr Content-Security-Policy <<< "$h")"
h=$(head_of GET /console/app.js -H 'If-None-Match: "0000"')
hbm_match "another ETag is 200" '^HTTP/1.1 200' "$h"

h=$(head_of GET /console/app.js -H 'Accept-Encoding: gzip, deflate, br')
hbm_eq "gzip to a client that takes it" gzip "$(hdr Content-Encoding <<< "$h")"
hbm_eq "Vary: Accept-Encoding" Accept-Encoding "$(hdr Vary <<< "$h")"
hbm_check "the gunzipped body is the plain one" \
	sh -c "gzip -dc < '$HBM_TMP/body' | cmp -s - '$HBM_TMP/plain'"
gz_etag=$(hdr ETag <<< "$h")
hbm_check "the gzip copy has its own ETag" test "$gz_etag" != "$etag"
h=$(head_of GET /console/app.js -H 'Accept-Encoding: gzip' -H "If-None-Match: $gz_etag")
hbm_match "its ETag is 304 too" '^HTTP/1.1 304' "$h"
h=$(head_of GET /console/app.js -H 'Accept-Encoding: gzip;q=0, identity')
hbm_eq "no gzip at q=0" "" "$(hdr Content-Encoding <<< "$h")"
h=$(head_of GET /console/app.js -H 'Accept-Encoding: deflate')
hbm_eq "no gzip to a client that does not take it" "" "$(hdr Content-Encoding <<< "$h")"
hbm_check "and the body is plain" cmp -s "$HBM_TMP/body" "$HBM_TMP/plain"
h=$(head_of HEAD /console/app.js -I)
hbm_match "HEAD is 200" '^HTTP/1.1 200' "$h"
hbm_eq "HEAD has the ETag" "$etag" "$(hdr ETag <<< "$h")"

h=$(head_of GET /console/nothing.js)
hbm_match "an unknown file is 404" '^HTTP/1.1 404' "$h"
hbm_eq "a 404 has the CSP" "$CSP" "$(hdr Content-Security-Policy <<< "$h")"
hbm_eq "an unknown folder is 404" 404 "$(raw /console/i18n/de.json)"
hbm_eq "a deeper path is 404" 404 "$(raw /console/a/b/c.js)"
hbm_eq "/console/../etc/passwd is 404" 404 "$(raw /console/../etc/passwd)"
hbm_eq "/console/%2e%2e/etc/passwd is 404" 404 "$(raw /console/%2e%2e/etc/passwd)"
hbm_eq "/console/%2e%2e%2fgateway%2fhttp.c is 404" 404 \
	"$(raw /console/%2e%2e%2fgateway%2fhttp.c)"
hbm_eq "/console/i18n/../app.js is 404" 404 "$(raw /console/i18n/../app.js)"
hbm_eq "/console/./app.js is 404" 404 "$(raw /console/./app.js)"
h=$(head_of POST /console/app.js)
hbm_match "POST is 405" '^HTTP/1.1 405' "$h"
hbm_eq "with Allow" "GET, HEAD" "$(hdr Allow <<< "$h")"
hbm_eq "and the CSP" "$CSP" "$(hdr Content-Security-Policy <<< "$h")"
hbm_eq "DELETE /console/ is 405" 405 "$(hbm_status DELETE /console/)"
h=$(head_of GET /)
hbm_match "GET / leads to the console" '^HTTP/1.1 308' "$h"
hbm_eq "at /console/" /console/ "$(hdr Location <<< "$h")"
hbm_eq "and so does /console" /console/ "$(head_of GET /console | hdr Location)"

# The JSON the console reads is never cached.
h=$(head_of GET /v1/session)
hbm_match "GET /v1/session signed out is 401" '^HTTP/1.1 401' "$h"
hbm_eq "and no-store" no-store "$(hdr Cache-Control <<< "$h")"
h=$(head_of POST /v1/session -H 'Content-Type: application/json' \
	-c "$HBM_TMP/jar" --data-binary "{\"login\":\"amina\",\"password\":\"$PW_AMINA\"}")
hbm_match "POST /v1/session signs in" '^HTTP/1.1 200' "$h"
hbm_eq "no-store" no-store "$(hdr Cache-Control <<< "$h")"
h=$(head_of GET /v1/session -b "$HBM_TMP/jar")
hbm_eq "GET /v1/session signed in is no-store" no-store "$(hdr Cache-Control <<< "$h")"
h=$(head_of GET /v1/cases -b "$HBM_TMP/jar")
hbm_match "GET /v1/cases by cookie is 200" '^HTTP/1.1 200' "$h"
hbm_eq "and no-store" no-store "$(hdr Cache-Control <<< "$h")"
h=$(head_of GET /v1/cases/12345678 -b "$HBM_TMP/jar")
hbm_eq "GET /v1/cases/{code} is no-store" no-store "$(hdr Cache-Control <<< "$h")"
h=$(head_of GET /v1/cases)
hbm_eq "a 401 of /v1/cases is no-store" no-store "$(hdr Cache-Control <<< "$h")"

# The page weights, gzip'd as served. Every page of the console is the one
# index.html with all its modules, its style and a language's strings (the
# largest, Arabic, counted); Chart.js comes on top, on the coordinator
# page only. The whole must stay within 150 KB gzip.
page=0
for f in index.html app.js core.js queue.js casepage.js coord.js style.css \
	i18n/en.json i18n/fr.json i18n/ar.json vendor/chart.min.js; do
	n=$(curl -s -m 30 -H 'Accept-Encoding: gzip' "$HBM_URL/console/$f" | wc -c)
	echo "# $f: $n bytes gzip"
	case $f in
	vendor/* | i18n/en.json | i18n/fr.json) ;;
	*) page=$((page + n)) ;;
	esac
done
echo "# a page, Chart.js aside: $page bytes gzip"
hbm_check "a page weighs at most 150 KB gzip, Chart.js aside" \
	test "$page" -gt 0 -a "$page" -le $((150 * 1024))

# The browser: a failure of the script, or any "not ok" it prints, fails.
export HBM_URL HBM_CHANNEL_TOKEN HBM_ADMIN_TOKEN HBM_WFP_TOKEN HBM_REDIS_CLI
export PW_AMINA PW_RC PW_LOCK PW_COORD
hbm_browser console.py 300 10

# The migrant's number to a console user: masked, and shown in clear only
# by POST /v1/cases/{code}/reveal, which the audit records (never the
# number); then the CSV export. After the browser, whose queues these
# cases would change.
# signin LOGIN PASSWORD JAR: echoes the session's CSRF token.
signin() {
	hbm_body POST /v1/session -H 'Content-Type: application/json' -c "$3" \
		--data-binary "{\"login\":\"$1\",\"password\":\"$2\"}" | hbm_jget csrf
}
code_of() {
	hbm_texts_to "$1" | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1 | tr -d -
}
# The audit lines (chained first by GET /v1/audit/verify) as
# "subject actor action detail" lines: an entry holds an operation's lines,
# each ending with its detail.
audit_lines() {
	hbm_body GET /v1/audit/verify -H "Authorization: Bearer $HBM_ADMIN_TOKEN" > /dev/null
	$HBM_REDIS_CLI --no-raw XRANGE '{hbm}:audit' - + > "$HBM_TMP/audit.raw"
	$HBM_REDIS_CLI XRANGE '{hbm}:audit' - + | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
out, f = [], {}
for i, l in enumerate(lines):
    if l in ("subject", "actor", "action", "detail") and i + 1 < len(lines):
        f[l] = lines[i + 1]
    if l == "detail" and f:
        out.append(" ".join(f.get(k, "") for k in ("subject", "actor", "action", "detail")))
        f = {}
print("\n".join(out))'
}
MR=+256700000401 MW=+256700000402 MB=+256700000403 MN=+256700000404
AWFP=(-H "Authorization: Bearer $HBM_WFP_TOKEN")
hbm_inbound $MR 'HELP FOOD near the zebra gate' "r-$RANDOM-1" > /dev/null
hbm_inbound $MW 'HELP WATER' "r-$RANDOM-2" > /dev/null
hbm_inbound $MB 'HELP BLANKET' "r-$RANDOM-3" > /dev/null
hbm_inbound $MN 'HELP FOOD' "r-$RANDOM-4" > /dev/null
for m in $MR $MW $MB $MN; do
	hbm_check "the case of $m is made" hbm_wait 10 hbm_sent_to $m 1
done
cr=$(code_of $MR) cw=$(code_of $MW) cb=$(code_of $MB) cn=$(code_of $MN)
hbm_match "four codes" '^[0-9]{8} [0-9]{8} [0-9]{8} [0-9]{8}$' "$cr $cw $cb $cn"
rm -f "$HBM_TMP/amina" "$HBM_TMP/rc" "$HBM_TMP/coord"
csrf_a=$(signin amina "$PW_AMINA" "$HBM_TMP/amina")
csrf_r=$(signin rc.lead "$PW_RC" "$HBM_TMP/rc")
csrf_c=$(signin coord "$PW_COORD" "$HBM_TMP/coord")
hbm_match "three sessions" '^[^ ]{43} [^ ]{43} [^ ]{43}$' "$csrf_a $csrf_r $csrf_c"
SA=(-b "$HBM_TMP/amina" -H "X-CSRF-Token: $csrf_a")
SR=(-b "$HBM_TMP/rc" -H "X-CSRF-Token: $csrf_r")
hbm_eq "amina acknowledges the food case" 200 \
	"$(hbm_status POST /v1/cases/$cr/ack "${SA[@]}")"
got=$(hbm_body GET /v1/cases/$cr "${SA[@]}")
hbm_eq "GET by a session: the number masked" "+25670****401" "$(hbm_jget phone <<< "$got")"
hbm_eq "and that it can be revealed" true "$(hbm_jget phone_reveal <<< "$got")"
hbm_check "the number is nowhere in it" fails grep -q 700000401 <<< "$got"
hbm_eq "GET by the agency's token: the number in clear, as before" "$MR" \
	"$(hbm_body GET /v1/cases/$cr "${AWFP[@]}" | hbm_jget phone)"
hbm_eq "and no phone_reveal for a token" "" \
	"$(hbm_body GET /v1/cases/$cr "${AWFP[@]}" | hbm_jget phone_reveal)"
got=$(hbm_body GET /v1/cases/$cn "${SA[@]}")
hbm_eq "a case not acknowledged: no number" "" "$(hbm_jget phone <<< "$got")"
hbm_eq "and no reveal" false "$(hbm_jget phone_reveal <<< "$got")"

hbm_eq "reveal without X-CSRF-Token is 403" 403 \
	"$(hbm_status POST /v1/cases/$cr/reveal -b "$HBM_TMP/amina")"
hbm_eq "reveal with a wrong X-CSRF-Token is 403" 403 \
	"$(hbm_status POST /v1/cases/$cr/reveal -b "$HBM_TMP/amina" -H 'X-CSRF-Token: nope')"
hbm_eq "reveal with neither token nor session is 401" 401 \
	"$(hbm_status POST /v1/cases/$cr/reveal)"
h=$(head_of POST /v1/cases/$cr/reveal "${SA[@]}")
hbm_match "reveal by amina is 200" '^HTTP/1.1 200' "$h"
hbm_eq "and no-store" no-store "$(hdr Cache-Control <<< "$h")"
hbm_eq "it gives the number in clear" "$MR" "$(hbm_jget phone < "$HBM_TMP/body")"
miss=$(hbm_body POST /v1/cases/$cr/reveal "${SR[@]}")
hbm_eq "Red Cross revealing WFP's case: 404" 404 \
	"$(hbm_status POST /v1/cases/$cr/reveal "${SR[@]}")"
hbm_eq "the very answer for a case that is not" \
	"$(hbm_body POST /v1/cases/12345670/reveal "${SR[@]}")" "$miss"
hbm_eq "WFP's token on Red Cross's case: 404" 404 \
	"$(hbm_status POST /v1/cases/$cw/reveal "${AWFP[@]}")"
hbm_eq "a case of hers not acknowledged: 409" 409 \
	"$(hbm_status POST /v1/cases/$cn/reveal "${SA[@]}")"
hbm_eq "Red Cross's own case not acknowledged: 409" 409 \
	"$(hbm_status POST /v1/cases/$cw/reveal "${SR[@]}")"
hbm_eq "the admin token: 403, nobody acts for an agency" 403 \
	"$(hbm_status POST /v1/cases/$cr/reveal -H "Authorization: Bearer $HBM_ADMIN_TOKEN")"
hbm_eq "a coordinator: 403" 403 \
	"$(hbm_status POST /v1/cases/$cr/reveal -b "$HBM_TMP/coord" -H "X-CSRF-Token: $csrf_c")"
hbm_eq "a code that is no code: 400" 400 \
	"$(hbm_status POST /v1/cases/abc/reveal "${SA[@]}")"
hbm_eq "the agency's token reveals too" "$MR" \
	"$(hbm_body POST /v1/cases/$cr/reveal "${AWFP[@]}" | hbm_jget phone)"
al=$(audit_lines | grep "^$cr ")
hbm_eq "the audit: one reveal by amina of wfp, no detail" "$cr wfp:amina revealed " \
	"$(grep " revealed" <<< "$al" | head -n 1)"
hbm_eq "and one by the token, named wfp" "$cr wfp revealed " \
	"$(grep " revealed" <<< "$al" | sed -n 2p)"
hbm_eq "only the two reveals of it that succeeded" 2 "$(grep -c " revealed" <<< "$al")"
hbm_check "the number is nowhere in the audit" fails grep -q 700000401 "$HBM_TMP/audit.raw"
hbm_eq "the audit chain holds" true \
	"$(hbm_body GET /v1/audit/verify -H "Authorization: Bearer $HBM_ADMIN_TOKEN" | hbm_jget ok)"

# The CSV export: the caller's cases, no number, no note.
HEADER='code,label,priority,region,status,agency,created_at,acked_at,closed_at,escalated'
fmt() { echo "${1:0:4}-${1:4}"; }
h=$(head_of GET /v1/export/cases.csv -b "$HBM_TMP/amina")
hbm_match "GET /v1/export/cases.csv by a session is 200" '^HTTP/1.1 200' "$h"
hbm_eq "text/csv" "text/csv; charset=utf-8" "$(hdr Content-Type <<< "$h")"
hbm_eq "an attachment" 'attachment; filename="cases.csv"' "$(hdr Content-Disposition <<< "$h")"
hbm_eq "no-store" no-store "$(hdr Cache-Control <<< "$h")"
hbm_eq "not truncated" "" "$(hdr X-Truncated <<< "$h")"
csv=$(cat "$HBM_TMP/body")
hbm_eq "the header row, CRLF-ended" "$HEADER"$'\r' "$(head -n 1 <<< "$csv")"
hbm_check "every row ends with CRLF" fails grep -qv $'\r$' <<< "$csv"
row=$(grep "^$(fmt $cr)," <<< "$csv" | tr -d '\r')
hbm_match "the acknowledged case's row" \
	"^$(fmt $cr),food,3,,acknowledged,wfp,20[0-9-]{8}T[0-9:.]{12}Z,20[0-9-]{8}T[0-9:.]{12}Z,,false\$" "$row"
hbm_check "the not acknowledged one too" grep -q "^$(fmt $cn),food,3,,notified,wfp," <<< "$csv"
hbm_check "a label with a comma and quotes is quoted (RFC 4180)" \
	grep -q "^$(fmt $cb),\"blankets, \"\"warm\"\"\",3," <<< "$csv"
hbm_check "Red Cross's case is not in it" fails grep -q "$(fmt $cw)" <<< "$csv"
hbm_check "no migrant's number" fails grep -qE '7000004|70000030' <<< "$csv"
hbm_check "no note text" fails grep -qiE 'zebra|parcel' <<< "$csv"
hbm_check "no category id where the label goes" fails grep -q ',blanket,' <<< "$csv"
n_amina=$(($(wc -l <<< "$csv") - 1))
hbm_eq "the rows are the cases GET /v1/cases lists her" \
	"$(hbm_body GET '/v1/cases?limit=200' -b "$HBM_TMP/amina" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cases"]))')" \
	"$n_amina"
csv=$(hbm_body GET /v1/export/cases.csv "${AWFP[@]}")
hbm_check "WFP's token exports its cases too" grep -q "^$(fmt $cr)," <<< "$csv"
csv=$(hbm_body GET /v1/export/cases.csv -b "$HBM_TMP/rc")
hbm_check "Red Cross's export has its case" grep -q "^$(fmt $cw),water,1,,notified,redcross," <<< "$csv"
hbm_check "and not WFP's" fails grep -q "$(fmt $cr)" <<< "$csv"
csv=$(hbm_body GET /v1/export/cases.csv -b "$HBM_TMP/coord")
hbm_check "the coordinator's export has both agencies' cases" \
	bash -c "grep -q '^$(fmt $cr),' <<< '$csv' && grep -q '^$(fmt $cw),' <<< '$csv'"
csv=$(hbm_body GET /v1/export/cases.csv -H "Authorization: Bearer $HBM_ADMIN_TOKEN")
hbm_check "the admin's too" \
	bash -c "grep -q '^$(fmt $cr),' <<< '$csv' && grep -q '^$(fmt $cw),' <<< '$csv'"
hbm_check "and still no number" fails grep -qE '7000004|70000030' <<< "$csv"
hbm_eq "no session, no token: 401" 401 "$(hbm_status GET /v1/export/cases.csv)"
hbm_eq "a wrong token: 401" 401 \
	"$(hbm_status GET /v1/export/cases.csv -H 'Authorization: Bearer nope')"
# The last five exports (the browser's came before).
al=$(audit_lines | grep ' exported' | tail -n 5)
hbm_eq "the audit has each export, by whom" \
	"cases.csv wfp:amina exported $n_amina cases|cases.csv wfp exported|cases.csv redcross:rc.lead exported|cases.csv coordinator:coord exported|cases.csv admin exported" \
	"$(awk 'NR == 1 { printf "%s", $0; next } { printf "|%s %s %s", $1, $2, $3 }' <<< "$al")"
hbm_eq "the audit chain still holds" true \
	"$(hbm_body GET /v1/audit/verify -H "Authorization: Bearer $HBM_ADMIN_TOKEN" | hbm_jget ok)"

# GET /v1/stats: the coordinator page's figures. sq EXPR: EXPR of the
# JSON on stdin (s), in Python; today() LABEL: its cases today.
sq() { python3 -c 'import json, sys
s = json.load(sys.stdin)
def today(l):
    return next((e["counts"][-1] for e in s["per_day"] if e["label"] == l), 0)
def by(k, a):
    return next((e for e in s[k] if e["agency"] == a), {})
print(eval(sys.argv[1]))' "$1"; }
ADMIN=(-H "Authorization: Bearer $HBM_ADMIN_TOKEN")
h=$(head_of GET /v1/stats -b "$HBM_TMP/coord")
hbm_match "GET /v1/stats by a coordinator is 200" '^HTTP/1.1 200' "$h"
hbm_eq "and no-store" no-store "$(hdr Cache-Control <<< "$h")"
hbm_eq "application/json" application/json "$(hdr Content-Type <<< "$h" | cut -d';' -f1)"
st0=$(cat "$HBM_TMP/body")
echo "# stats: $st0"
hbm_eq "30 days, oldest first, today last" "30 $(date -u +%F)" \
	"$(sq 'len(s["days"]), s["days"][-1]' <<< "$st0" | tr -d "(),'")"
hbm_eq "not truncated" False "$(sq 's["truncated"]' <<< "$st0")"
hbm_eq "every agency" None "$(sq 's["agency"]' <<< "$st0")"
hbm_eq "its cases today per label are those /v1/cases lists (admin)" \
	"$(hbm_body GET '/v1/cases?limit=200' "${ADMIN[@]}" | python3 -c '
import collections, json, sys, datetime
d = datetime.datetime.utcnow().strftime("%Y-%m-%d")
c = collections.Counter(x["label"] for x in json.load(sys.stdin)["cases"]
                        if x["created_at"].startswith(d))
print(sorted(c.items()))')" \
	"$(sq 'sorted((e["label"], e["counts"][-1]) for e in s["per_day"])' <<< "$st0")"
food0=$(sq 'today("food")' <<< "$st0")
water0=$(sq 'today("water")' <<< "$st0")
acked0=$(sq 's["open"]["acknowledged"]' <<< "$st0")
wfp_ack0=$(sq 'by("ack", "wfp").get("count", 0)' <<< "$st0")
MS1=+256700000501 MS2=+256700000502 MS3=+256700000503 MS4=+256700000504
hbm_inbound $MS1 'HELP FOOD' "s-$RANDOM-1" > /dev/null
hbm_inbound $MS2 'HELP FOOD' "s-$RANDOM-2" > /dev/null
hbm_inbound $MS3 'HELP WATER' "s-$RANDOM-3" > /dev/null
hbm_inbound $MS4 'HELP CLINIC' "s-$RANDOM-4" > /dev/null
for m in $MS1 $MS2 $MS3 $MS4; do
	hbm_check "the case of $m is made" hbm_wait 10 hbm_sent_to $m 1
done
cs1=$(code_of $MS1) cs2=$(code_of $MS2) cs4=$(code_of $MS4)
hbm_eq "amina acknowledges one food case" 200 \
	"$(hbm_status POST /v1/cases/$cs1/ack "${SA[@]}")"
clinic_escalated() { hbm_case_field "$cs4" escalated | grep -qx true; }
hbm_check "the clinic case (ack_timeout 1 s) escalates" hbm_wait 30 clinic_escalated
st=$(hbm_body GET /v1/stats -b "$HBM_TMP/coord")
hbm_eq "two more food cases today" $((food0 + 2)) "$(sq 'today("food")' <<< "$st")"
hbm_eq "one more water case today" $((water0 + 1)) "$(sq 'today("water")' <<< "$st")"
hbm_eq "one more acknowledged case open" $((acked0 + 1)) \
	"$(sq 's["open"]["acknowledged"]' <<< "$st")"
hbm_eq "WFP's time to acknowledge counts one more" $((wfp_ack0 + 1)) \
	"$(sq 'by("ack", "wfp")["count"]' <<< "$st")"
hbm_eq "with a median and p90 in seconds, median <= p90" True \
	"$(sq '0 <= by("ack", "wfp")["median_seconds"] <= by("ack", "wfp")["p90_seconds"]' <<< "$st")"
hbm_eq "open escalated counts the clinic case" True \
	"$(sq 's["open"]["escalated"] >= 1' <<< "$st")"
hbm_eq "WFP missed a deadline (escalated)" True \
	"$(sq 'by("missed", "wfp")["escalated"] >= 1' <<< "$st")"
hbm_eq "the escalated case is listed, with label, agency and due_at" \
	"$(fmt $cs4) clinic wfp True True" \
	"$(sq '" ".join(str(x) for e in s["overdue"] if e["code"] == "'"$(fmt $cs4)"'" for x in (e["code"], e["label"], e["agency"], e["escalated"], e["due_at"].endswith("Z")))' <<< "$st")"
hbm_eq "a food case waiting within its deadline is not" "" \
	"$(sq '" ".join(e["code"] for e in s["overdue"] if e["code"] == "'"$(fmt $cs2)"'")' <<< "$st")"
hbm_eq "the audit chain's last check is there" True \
	"$(sq 's["audit"]["ok"] is True and s["audit"]["checked_at"].endswith("Z")' <<< "$st")"
hbm_check "no category id in it (shelter, medical, blanket)" \
	fails grep -qE '"(shelter|medical|blanket)"' <<< "$st"
hbm_check "no migrant's number" fails grep -q 70000050 <<< "$st"
st=$(hbm_body GET /v1/stats "${ADMIN[@]}")
hbm_eq "the admin token sees every agency too" "None True True" \
	"$(sq 's["agency"], today("food") > 0, today("water") > 0' <<< "$st" | tr -d "(),")"
hbm_eq "a caseworker's session: 403" 403 "$(hbm_status GET /v1/stats -b "$HBM_TMP/amina")"
hbm_eq "an agency's token: 403" 403 "$(hbm_status GET /v1/stats "${AWFP[@]}")"
hbm_eq "nobody: 401" 401 "$(hbm_status GET /v1/stats)"
h=$(head_of GET /v1/stats -b "$HBM_TMP/rc")
hbm_match "a manager's session: 200" '^HTTP/1.1 200' "$h"
st=$(cat "$HBM_TMP/body")
hbm_eq "its own agency's figures" redcross "$(sq 's["agency"]' <<< "$st")"
hbm_eq "its water cases, as the coordinator counts them" $((water0 + 1)) \
	"$(sq 'today("water")' <<< "$st")"
hbm_eq "no other agency's cases or figures" "0 []" \
	"$(sq 'today("food"), [e["agency"] for k in ("ack", "missed") for e in s[k] if e["agency"] != "redcross"]' <<< "$st" | tr -d "(),")"
hbm_eq "and no overdue list or audit (coordinator only)" "None None" \
	"$(sq 's.get("overdue"), s.get("audit")' <<< "$st" | tr -d "(),")"
# Channel health on the coordinator page.
hbm_eq "GET /v1/channels by a coordinator's session: 200" 200 \
	"$(hbm_status GET /v1/channels -b "$HBM_TMP/coord")"
hbm_eq "by a manager's: 403" 403 "$(hbm_status GET /v1/channels -b "$HBM_TMP/rc")"
hbm_eq "by an agency's token: 403" 403 "$(hbm_status GET /v1/channels "${AWFP[@]}")"

# The agency's note (its eyes only) and its SMS to the person, by a
# session with X-CSRF-Token or the agency's token: POST .../note and
# POST .../sms. A shelter case goes to WFP, then to Red Cross on DECLINE.
hist() { python3 -c 'import json, sys
print("|".join(e["what"] + ":" + e["who"] + ":" + e["note"] for e in json.load(sys.stdin)["history"] if e["what"] in ("note", "sms to person")))'; }
JS=(-H 'Content-Type: application/json')
MH=+256700000601 MO=+256700000602
hbm_inbound $MH 'HELP SHELTER' "h-$RANDOM-1" > /dev/null
hbm_inbound $MO 'HELP FOOD' "h-$RANDOM-2" > /dev/null
for m in $MH $MO; do
	hbm_check "the case of $m is made" hbm_wait 10 hbm_sent_to $m 1
done
ch=$(code_of $MH) co=$(code_of $MO)
hbm_eq "amina notes the case before acknowledging it" 200 \
	"$(hbm_status POST /v1/cases/$ch/note "${SA[@]}" "${JS[@]}" -H 'Idempotency-Key: n1' \
	--data-binary '{"note":"called +256700000601, no answer"}')"
hbm_eq "the same Idempotency-Key again: 200" 200 \
	"$(hbm_status POST /v1/cases/$ch/note "${SA[@]}" "${JS[@]}" -H 'Idempotency-Key: n1' \
	--data-binary '{"note":"called +256700000601, no answer"}')"
hbm_eq "the note is in her timeline, once" "note:wfp:called +256700000601, no answer" \
	"$(hbm_body GET /v1/cases/$ch "${SA[@]}" | hist)"
hbm_eq "the audit names her" "$ch wfp:amina note" \
	"$(audit_lines | grep "^$ch wfp:amina note" | head -n 1 | cut -d' ' -f1-3)"
hbm_eq "a note without X-CSRF-Token: 403" 403 \
	"$(hbm_status POST /v1/cases/$ch/note -b "$HBM_TMP/amina" "${JS[@]}" --data-binary '{"note":"x"}')"
hbm_eq "an empty note: 400" 400 \
	"$(hbm_status POST /v1/cases/$ch/note "${SA[@]}" "${JS[@]}" --data-binary '{"note":""}')"
hbm_eq "no note at all: 400" 400 \
	"$(hbm_status POST /v1/cases/$ch/note "${SA[@]}" "${JS[@]}" --data-binary '{}')"
long=$(head -c 401 /dev/zero | tr '\0' a)
hbm_eq "a note over 400 bytes: 400" 400 \
	"$(hbm_status POST /v1/cases/$ch/note "${SA[@]}" "${JS[@]}" --data-binary "{\"note\":\"$long\"}")"
hbm_eq "Red Cross noting WFP's case: 404" 404 \
	"$(hbm_status POST /v1/cases/$ch/note "${SR[@]}" "${JS[@]}" --data-binary '{"note":"x"}')"
hbm_eq "the admin token: 403" 403 \
	"$(hbm_status POST /v1/cases/$ch/note "${ADMIN[@]}" "${JS[@]}" --data-binary '{"note":"x"}')"
hbm_eq "an SMS before acknowledging: 409" 409 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{"text":"hello"}')"
hbm_eq "amina acknowledges it" 200 "$(hbm_status POST /v1/cases/$ch/ack "${SA[@]}")"
n=$(hbm_sent_count $MH)
hbm_eq "an SMS in free text: 200" 200 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{"text":"Come to gate 2 at 10"}')"
hbm_check "it is queued to the migrant" hbm_wait 10 hbm_sent_to $MH $((n + 1))
hbm_eq "with the text as written" "Come to gate 2 at 10" "$(hbm_texts_to $MH | tail -n 1)"
hbm_eq "the token sends a template" 200 \
	"$(hbm_status POST /v1/cases/$ch/sms "${AWFP[@]}" "${JS[@]}" --data-binary '{"template":"person_visit"}')"
hbm_check "it is queued too" hbm_wait 10 hbm_sent_to $MH $((n + 2))
hbm_match "rendered for the case" "^WFP, request $(fmt $ch): please come" "$(hbm_texts_to $MH | tail -n 1)"
hbm_eq "the timeline has the note and both SMS" \
	"note:wfp:called +256700000601, no answer|sms to person:wfp:Come to gate 2 at 10|sms to person:wfp:WFP, request $(fmt $ch): please come to our desk with this code." \
	"$(hbm_body GET /v1/cases/$ch "${SA[@]}" | hist)"
hbm_eq "a template not allowed: 400" 400 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{"template":"ack_confirm"}')"
hbm_eq "both template and text: 400" 400 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{"template":"person_visit","text":"x"}')"
hbm_eq "neither: 400" 400 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{}')"
hbm_eq "an SMS without X-CSRF-Token: 403" 403 \
	"$(hbm_status POST /v1/cases/$ch/sms -b "$HBM_TMP/amina" "${JS[@]}" --data-binary '{"text":"x"}')"
hbm_eq "Red Cross sending on WFP's case: 404" 404 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SR[@]}" "${JS[@]}" --data-binary '{"text":"x"}')"
hbm_eq "a third SMS: 200" 200 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{"template":"person_contact"}')"
hbm_eq "a fourth in 24 hours: 429" 429 \
	"$(hbm_status POST /v1/cases/$ch/sms "${SA[@]}" "${JS[@]}" --data-binary '{"text":"again"}')"
hbm_check "the number is in no answer of these" fails grep -q 700000601 <<< \
	"$(hbm_body GET /v1/cases/$ch "${SA[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("history"); print(d)')"
hbm_eq "amina acknowledges the other food case" 200 "$(hbm_status POST /v1/cases/$co/ack "${SA[@]}")"
hbm_inbound $MO 'STOP' "h-$RANDOM-3" > /dev/null
optedout() { [ "$(hbm_status POST /v1/cases/$co/sms "${AWFP[@]}" "${JS[@]}" --data-binary '{"text":"hi"}')" = 409 ]; }
hbm_check "after STOP the person gets no SMS: 409" hbm_wait 10 optedout
hbm_eq "a closed case: 409" 409 "$(hbm_status POST /v1/cases/$cs1/close "${SA[@]}" "${JS[@]}" --data-binary '{}' > /dev/null;
	hbm_status POST /v1/cases/$cs1/sms "${SA[@]}" "${JS[@]}" --data-binary '{"text":"hi"}')"
hbm_eq "amina declines the shelter case" 200 "$(hbm_status POST /v1/cases/$ch/decline "${SA[@]}" \
	"${JS[@]}" --data-binary '{"reason":"no beds"}')"
got=$(hbm_body GET /v1/cases/$ch "${SR[@]}")
hbm_eq "Red Cross now holds it" redcross "$(hbm_jget agency <<< "$got")"
hbm_eq "and sees none of WFP's notes or SMS" "" "$(hist <<< "$got")"
hbm_check "nor their words" fails grep -qE 'no answer|gate 2' <<< "$got"
# The SMS entries of the timeline: WFP's three to the person are its own.
smsto() { python3 -c 'import json, sys
print(" ".join(e["to_role"] + ":" + e["kind"] for e in json.load(sys.stdin)["history"] if e["what"] == "sms"))'; }
hbm_eq "Red Cross sees the gateway's SMS, not WFP's own to the person" \
	"agency:notify migrant:reply migrant:notify agency:notify" "$(smsto <<< "$got")"
hbm_eq "the coordinator sees WFP's three too" \
	"agency:notify migrant:reply migrant:notify migrant:notify migrant:notify migrant:notify agency:notify" \
	"$(hbm_body GET /v1/cases/$ch -b "$HBM_TMP/coord" | smsto)"
hbm_eq "its own note it sees" "note:redcross:will visit" \
	"$(hbm_status POST /v1/cases/$ch/note "${SR[@]}" "${JS[@]}" --data-binary '{"note":"will visit"}' > /dev/null
	hbm_body GET /v1/cases/$ch "${SR[@]}" | hist)"
hbm_eq "the coordinator sees them all, numbers masked" \
	"note:wfp:called +25670****601, no answer|sms to person:wfp:Come to gate 2 at 10|sms to person:wfp:WFP, request $(fmt $ch): please come to our desk with this code.|sms to person:wfp:WFP, request $(fmt $ch): we will call you soon. Keep your phone on.|note:redcross:will visit" \
	"$(hbm_body GET /v1/cases/$ch -b "$HBM_TMP/coord" | hist)"

# The coordinator reassigns a case: POST /v1/cases/{code}/reassign, by a
# coordinator's session (with X-CSRF-Token) or the admin token, no one else.
SC=(-b "$HBM_TMP/coord" -H "X-CSRF-Token: $csrf_c")
RCP=+256700000102
rq() { hbm_status POST /v1/cases/$1/reassign "${@:2}" "${JS[@]}"; }
# rc_told CODE N: Red Cross's phone got agency_notify of CODE N times.
rc_told() { [ "$(hbm_texts_to $RCP | grep -c "^New case $(fmt $1)")" -eq "$2" ]; }
hbm_eq "a reassign without X-CSRF-Token: 403" 403 \
	"$(rq $cs4 -b "$HBM_TMP/coord" --data-binary '{"agency":"redcross"}')"
hbm_eq "by a caseworker: 403" 403 "$(rq $cs4 "${SA[@]}" --data-binary '{"agency":"redcross"}')"
hbm_eq "by a manager: 403" 403 "$(rq $cs4 "${SR[@]}" --data-binary '{"agency":"redcross"}')"
hbm_eq "by an agency's token: 403" 403 "$(rq $cs4 "${AWFP[@]}" --data-binary '{"agency":"redcross"}')"
hbm_eq "an unknown agency: 400" 400 "$(rq $cs4 "${SC[@]}" --data-binary '{"agency":"unicef"}')"
hbm_eq "no agency: 400" 400 "$(rq $cs4 "${SC[@]}" --data-binary '{"reason":"x"}')"
hbm_eq "a body that is no JSON: 400" 400 "$(rq $cs4 "${SC[@]}" --data-binary 'agency')"
hbm_eq "a reason over 400 bytes: 400" 400 \
	"$(rq $cs4 "${SC[@]}" --data-binary "{\"agency\":\"redcross\",\"reason\":\"$long\"}")"
hbm_eq "an unknown case: 404" 404 "$(rq 12345670 "${SC[@]}" --data-binary '{"agency":"redcross"}')"
hbm_eq "to the agency it is with: 409" 409 "$(rq $cs2 "${SC[@]}" --data-binary '{"agency":"wfp"}')"
hbm_eq "a closed case: 409" 409 "$(rq $cs1 "${SC[@]}" --data-binary '{"agency":"redcross"}')"
hbm_eq "the refused ones changed nothing" "true wfp 0" \
	"$(hbm_case_field $cs4 escalated) $(hbm_case_field $cs4 agency) $(hbm_case_hist $cs4 reassigned)"
# A food case WFP declines goes to the coordinator (no agency left); her
# session gives it to Red Cross, under an Idempotency-Key.
hbm_eq "WFP declines a food case" 200 \
	"$(hbm_status POST /v1/cases/$cs2/decline "${AWFP[@]}" "${JS[@]}" --data-binary '{"reason":"full"}')"
hbm_eq "escalated to the coordinator, no agency" "true " \
	"$(hbm_case_field $cs2 escalated) $(hbm_case_field $cs2 agency)"
m2=$(hbm_sent_count $MS2)
ri() { hbm_body POST /v1/cases/$cs2/reassign "${SC[@]}" "${JS[@]}" -H 'Idempotency-Key: re-1' \
	--data-binary '{"agency":"redcross","reason":"RC has stock, call +256700000999"}'; }
got=$(ri)
hbm_eq "the coordinator reassigns it to Red Cross: the case as she sees it" \
	"redcross notified false" \
	"$(hbm_jget agency <<< "$got") $(hbm_jget status <<< "$got") $(hbm_jget escalated <<< "$got")"
hbm_eq "the same Idempotency-Key again: the same answer" redcross "$(ri | hbm_jget agency)"
hbm_eq "one reassignment in its history" 1 "$(hbm_case_hist $cs2 reassigned)"
hbm_check "Red Cross's session has it in its queue" grep -q "\"$(fmt $cs2)\"" \
	<<< "$(hbm_body GET '/v1/cases?limit=200' "${SR[@]}")"
hbm_match "with a deadline of its own" '^20[0-9-]{8}T[0-9:.]{12}Z$' \
	"$(hbm_body GET /v1/cases/$cs2 "${SR[@]}" | hbm_jget due_at)"
hbm_eq "WFP's session gets 404" 404 "$(hbm_status GET /v1/cases/$cs2 "${SA[@]}")"
hbm_check "Red Cross's phone is told, once" hbm_wait 10 rc_told $cs2 1
hbm_eq "the timeline names her, the agency and the reason (masked)" \
	"reassigned coordinator:coord redcross: RC has stock, call +25670****999" \
	"$(hbm_body GET /v1/cases/$cs2 -b "$HBM_TMP/coord" | python3 -c 'import json, sys
print(next(e["what"] + " " + e["who"] + " " + e["note"] for e in json.load(sys.stdin)["history"] if e["what"] == "reassigned"))')"
hbm_check "the reason is sealed at rest" fails grep -q 'RC has stock' \
	<<< "$(hbm_case_hist_raw $cs2)"
hbm_eq "the audit entry, by her" "$cs2 coordinator:coord reassigned" \
	"$(audit_lines | grep "^$cs2 coordinator:coord reassigned" | cut -d' ' -f1-3)"
hbm_eq "nothing new to the migrant" "$m2" "$(hbm_sent_count $MS2)"
# The escalated clinic case, still with WFP, by the admin token: WFP loses it.
m4=$(hbm_sent_count $MS4)
hbm_eq "the admin token reassigns the clinic case" redcross \
	"$(hbm_body POST /v1/cases/$cs4/reassign "${ADMIN[@]}" "${JS[@]}" \
	--data-binary '{"agency":"redcross"}' | hbm_jget agency)"
hbm_eq "WFP's session gets 404 on it" 404 "$(hbm_status GET /v1/cases/$cs4 "${SA[@]}")"
hbm_eq "and WFP's token, even to acknowledge it" "404 404" \
	"$(hbm_status GET /v1/cases/$cs4 "${AWFP[@]}") $(hbm_status POST /v1/cases/$cs4/ack "${AWFP[@]}")"
hbm_check "it is in Red Cross's queue" grep -q "\"$(fmt $cs4)\"" \
	<<< "$(hbm_body GET '/v1/cases?limit=200' "${SR[@]}")"
hbm_check "Red Cross's phone is told" hbm_wait 10 rc_told $cs4 1
hbm_eq "the audit names the coordinator" "$cs4 coordinator reassigned" \
	"$(audit_lines | grep "^$cs4 coordinator reassigned" | cut -d' ' -f1-3)"
hbm_eq "nothing new to its migrant" "$m4" "$(hbm_sent_count $MS4)"

# Bounded as a list is: 2000 older index entries (valid codes of no case)
# put the scan's end out of reach, and the answer says it was cut short.
python3 -c '
T = ["0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
     "3674209581", "5869720134", "8945362017", "9438617205", "2581436790"]
def damm(s):
    i = 0
    for ch in s:
        i = int(T[i][int(ch)])
    return i
args = ["ZADD", "{hbm}:cases"]
for n in range(1000001, 1002002):
    args += [str(n), str(n) + str(damm(str(n)))]
print("\n".join(args))' > "$HBM_TMP/filler"
xargs -d '\n' $HBM_REDIS_CLI < "$HBM_TMP/filler" > /dev/null
h=$(head_of GET /v1/export/cases.csv -H "Authorization: Bearer $HBM_ADMIN_TOKEN")
hbm_match "past 2000 index entries the export is still 200" '^HTTP/1.1 200' "$h"
hbm_eq "with X-Truncated: 1" 1 "$(hdr X-Truncated <<< "$h")"
hbm_check "and the newest cases first" grep -q "^$(fmt $cr)," "$HBM_TMP/body"
hbm_match "the audit says so" ' cases, truncated$' "$(audit_lines | grep ' exported' | tail -n 1)"
# 2001 index entries of today (codes of no case) before the newest:
# /v1/stats reads no more than 2000 and says it was cut short.
now_ms=$((($(date +%s) + 5) * 1000))
sed -e "3,\$s/^[0-9]\{7\}\$/$now_ms/" "$HBM_TMP/filler" > "$HBM_TMP/filler2"
xargs -d '\n' $HBM_REDIS_CLI < "$HBM_TMP/filler2" > /dev/null
st=$(hbm_body GET /v1/stats -b "$HBM_TMP/coord")
hbm_eq "past 2000 cases of the days /v1/stats says truncated" True \
	"$(sq 's["truncated"]' <<< "$st")"
hbm_eq "having looked at none of the entries past them" 0 "$(sq 's["cases"]' <<< "$st")"
hbm_done
