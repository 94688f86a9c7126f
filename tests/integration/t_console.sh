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
# agency sees it), gets "not found" for another agency's case, and the
# Arabic UI is right to left. Its screenshots (sign-in, queue and case, in
# English and Arabic, 1280 and 360 px wide) are kept in
# $HBM_BUILD/screenshots/.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start

CTL=$HBM_BUILD/hbmctl
PW_AMINA='correct horse battery'
PW_RC='red cross secret'
PW_LOCK='lock me out'
h_amina=$(printf '%s\n' "$PW_AMINA" | "$CTL" hash-password)
h_rc=$(printf '%s\n' "$PW_RC" | "$CTL" hash-password)
h_lock=$(printf '%s\n' "$PW_LOCK" | "$CTL" hash-password)
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
    sms_label = "clinic"; keywords = { en = ["CLINIC"]; }; }
);
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "\$6\$salt\$hash"; region = "north"; } );
users = (
  { login = "amina"; name = "Amina K."; agency = "wfp"; role = "caseworker";
    password_hash = "$h_amina"; },
  { login = "rc.lead"; name = "Red Cross lead"; agency = "redcross";
    role = "manager"; password_hash = "$h_rc"; },
  { login = "locked"; name = "Locked Out"; agency = "wfp";
    role = "caseworker"; password_hash = "$h_lock"; }
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
	"/console/casepage.js text/javascript" "/console/style.css text/css" \
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

# The page weights, gzip'd as served.
for f in index.html app.js core.js queue.js casepage.js style.css i18n/en.json; do
	n=$(curl -s -m 30 -H 'Accept-Encoding: gzip' "$HBM_URL/console/$f" | wc -c)
	echo "# $f: $n bytes gzip"
done

# The browser: a failure of the script, or any "not ok" it prints, fails.
export HBM_URL HBM_CHANNEL_TOKEN HBM_ADMIN_TOKEN HBM_REDIS_CLI
export PW_AMINA PW_RC PW_LOCK
export HBM_SCREENSHOTS="$HBM_BUILD/screenshots"
mkdir -p "$HBM_SCREENSHOTS"
if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
	hbm_check "chromium and chromedriver are installed (apt-get install chromium chromium-driver python3-selenium)" false
else
	timeout 300 /usr/bin/python3 "$HBM_SRCDIR/tests/browser/console.py" \
		> "$HBM_TMP/browser.log" 2>&1
	rc=$?
	cat "$HBM_TMP/browser.log"
	hbm_eq "the browser script ends well" 0 "$rc"
	oks=$(grep -c '^ok - ' "$HBM_TMP/browser.log")
	nots=$(grep -c '^not ok' "$HBM_TMP/browser.log")
	HBM_CHECKS=$((HBM_CHECKS + oks + nots))
	HBM_FAILS=$((HBM_FAILS + nots))
	hbm_check "the browser ran its checks" test "$oks" -ge 10
fi
hbm_done
