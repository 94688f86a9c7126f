#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Console sessions: hbmctl hash-password makes a hash crypt(3) verifies;
# POST /v1/session signs in with a cookie (HttpOnly, SameSite=Strict,
# Secure behind an https public_url) and a CSRF token; a wrong password, an
# unknown login and a locked one get the same answer, and five failures
# lock a login even against its right password. The cookie reads the case
# API as its agency's token would (another agency's case is 404), a
# coordinator's reads every case and acts on none, and a state-changing
# request with the cookie needs X-CSRF-Token. The session key is named by
# the cookie's hash, and the cookie itself is nowhere in Redis, AOF or RDB;
# its idle time to live is at most 30 minutes; signing out ends it.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
$HBM_REDIS_CLI CONFIG SET rdbcompression no > /dev/null
$HBM_REDIS_CLI CONFIG SET appendonly yes > /dev/null
aof_ready() {
	$HBM_REDIS_CLI INFO persistence | grep -q '^aof_rewrite_in_progress:0' &&
		$HBM_REDIS_CLI INFO persistence | grep -q '^aof_enabled:1'
}
hbm_check "Redis appends to its AOF" hbm_wait 10 aof_ready

CTL=$HBM_BUILD/hbmctl
PW_AMINA='correct horse battery'
PW_RC='red cross secret'
PW_COORD='coordinator secret'
h_amina=$(printf '%s\n' "$PW_AMINA" | "$CTL" hash-password)
h_rc=$(printf '%s\n' "$PW_RC" | "$CTL" hash-password)
h_coord=$(printf '%s\n' "$PW_COORD" | "$CTL" hash-password)
verifies() {
	python3 -W ignore -c 'import crypt, sys
sys.exit(0 if crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2] else 1)' "$1" "$2"
}
hbm_match "hash-password prints a yescrypt hash" '^\$y\$[./A-Za-z0-9$]+$' "$h_amina"
hbm_check "crypt(3) verifies it" verifies "$PW_AMINA" "$h_amina"
hbm_check "and refuses another password" fails verifies "wrong" "$h_amina"
hbm_check "two hashes of one password differ (fresh salt)" \
	test "$h_amina" != "$(printf '%s\n' "$PW_AMINA" | "$CTL" hash-password)"
printf '\n' | "$CTL" hash-password > /dev/null 2>&1
hbm_eq "an empty password is refused" 2 $?

# conf [EXTRA]: the config, with EXTRA (e.g. an http section) appended.
conf() {
	{
		hbm_config_agencies
		cat <<CONF
categories = (
  { id = "food"; agencies = ["wfp", "redcross"]; priority = 3;
    sms_label = "food"; keywords = { en = ["FOOD"]; }; },
  { id = "water"; agencies = ["redcross"]; priority = 1;
    sms_label = "water"; keywords = { en = ["WATER"]; }; }
);
users = (
  { login = "amina"; name = "Amina K."; agency = "wfp"; role = "caseworker";
    password_hash = "$h_amina"; },
  { login = "rc.lead"; name = "Red Cross lead"; agency = "redcross";
    role = "manager"; password_hash = "$h_rc"; },
  { login = "coord"; name = "Border coordinator"; role = "coordinator";
    password_hash = "$h_coord"; }
);
CONF
	} > "$HBM_TMP/gw.conf"
}
conf
hbm_daemon_start "$HBM_TMP/gw.conf"

M1=+256700000001 M2=+256700000002
sms() { hbm_inbound "$1" "$2" "t-$(date +%s%N)-$RANDOM"; }
code_of() {
	hbm_texts_to "$1" | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | head -n 1 | tr -d -
}
sms $M1 'HELP FOOD' > /dev/null
hbm_check "a food case (WFP's) is made" hbm_wait 10 hbm_sent_to $M1 1
sms $M2 'HELP WATER' > /dev/null
hbm_check "a water case (Red Cross's) is made" hbm_wait 10 hbm_sent_to $M2 1
cw=$(code_of $M1) crc=$(code_of $M2)
hbm_match "two codes" '^[0-9]{8} [0-9]{8}$' "$cw $crc"

# signin LOGIN PASSWORD: POST /v1/session; headers in $HBM_TMP/h, body in
# $HBM_TMP/b; echoes the status.
signin() {
	local body
	body=$(python3 -c 'import json, sys; print(json.dumps({"login": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2")
	curl -s -m 30 -D "$HBM_TMP/h" -o "$HBM_TMP/b" -w '%{http_code}' \
		-X POST -H 'Content-Type: application/json' \
		--data-binary "$body" "$HBM_URL/v1/session"
}
setcookie() { tr -d '\r' < "$HBM_TMP/h" | sed -n 's/^[Ss]et-[Cc]ookie: //p'; }
cookie_of() { setcookie | sed -n 's/^hbm_session=\([^;]*\).*/\1/p'; }
jfield() { hbm_jget "$1" < "$HBM_TMP/b"; }

hbm_eq "sign-in: 200" 200 "$(signin amina "$PW_AMINA")"
C1=$(cookie_of)
hbm_match "the cookie is 256 bits in base64url" '^[A-Za-z0-9_-]{43}$' "$C1"
hbm_match "the cookie is HttpOnly, SameSite=Strict, Path=/" \
	'; HttpOnly; SameSite=Strict; Path=/$' "$(setcookie)"
hbm_check "and not Secure without an https public_url" \
	fails grep -qi secure <<<"$(setcookie)"
CSRF=$(jfield csrf)
hbm_match "the answer carries a CSRF token" '^[A-Za-z0-9_-]{43}$' "$CSRF"
hbm_check "other than the cookie" test "$CSRF" != "$C1"
hbm_eq "and who signed in" "amina Amina K. caseworker wfp" \
	"$(jfield login) $(jfield name) $(jfield role) $(jfield agency)"
grep -q 'session: amina (caseworker of wfp) signed in' "$HBM_TMP/hbmgwd.log"
hbm_eq "the sign-in is logged" 0 $?
hbm_check "without the password" fails grep -q "$PW_AMINA" "$HBM_TMP/hbmgwd.log"

CK=(-H "Cookie: hbm_session=$C1")
hex=$(printf '%s' "$C1" | sha256sum | cut -d' ' -f1)
hbm_eq "the session key is named by the cookie's SHA-256" 1 \
	"$($HBM_REDIS_CLI EXISTS "{hbm}:session:$hex")"
hbm_eq "holding login, csrf and created_ms" "created_ms csrf login" \
	"$($HBM_REDIS_CLI HKEYS "{hbm}:session:$hex" | sort | tr '\n' ' ' | sed 's/ $//')"
ttl=$($HBM_REDIS_CLI TTL "{hbm}:session:$hex")
hbm_check "its idle time to live is at most 30 minutes ($ttl s)" \
	test "$ttl" -gt 0 -a "$ttl" -le 1800

# Who is signed in.
hbm_eq "GET /v1/session: 200" 200 "$(hbm_status GET /v1/session "${CK[@]}")"
hbm_eq "GET /v1/session: amina" amina "$(hbm_body GET /v1/session "${CK[@]}" | hbm_jget login)"
hbm_eq "GET /v1/session without a cookie: 401" 401 "$(hbm_status GET /v1/session)"
hbm_eq "GET /v1/session with a made-up cookie: 401" 401 \
	"$(hbm_status GET /v1/session -H "Cookie: hbm_session=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')")"

# Wrong password, unknown login: the same answer.
st1=$(signin amina 'not the password'); b1=$(cat "$HBM_TMP/b")
st2=$(signin nobody 'not the password'); b2=$(cat "$HBM_TMP/b")
hbm_eq "a wrong password: 401" 401 "$st1"
hbm_eq "an unknown login: the same status and body" "$st1 $b1" "$st2 $b2"
hbm_check "and no cookie" test -z "$(setcookie)"
hbm_check "a failure is logged" grep -q 'session: failed sign-in of nobody' "$HBM_TMP/hbmgwd.log"
hbm_check "without the password" fails grep -q 'not the password' "$HBM_TMP/hbmgwd.log"

# The case API with the cookie: as WFP's token.
AWFP=(-H "Authorization: Bearer $HBM_WFP_TOKEN")
hbm_eq "cookie: WFP's case is 200" 200 "$(hbm_status GET "/v1/cases/$cw" "${CK[@]}")"
hbm_eq "cookie: the Red Cross case is 404" 404 "$(hbm_status GET "/v1/cases/$crc" "${CK[@]}")"
hbm_eq "exactly as WFP's token gets" "$(hbm_body GET "/v1/cases/$crc" "${AWFP[@]}")" \
	"$(hbm_body GET "/v1/cases/$crc" "${CK[@]}")"
hbm_eq "cookie: the list is WFP's" "$(hbm_body GET /v1/cases "${AWFP[@]}")" \
	"$(hbm_body GET /v1/cases "${CK[@]}")"
hbm_eq "a bearer token still works alone" 200 "$(hbm_status GET "/v1/cases/$cw" "${AWFP[@]}")"
hbm_eq "a wrong bearer token is 401 even with a cookie" 401 \
	"$(hbm_status GET "/v1/cases/$cw" -H 'Authorization: Bearer nope' "${CK[@]}")"
hbm_eq "cookie: the admin's message routes stay closed" 401 \
	"$(hbm_status GET /v1/messages "${CK[@]}")"

# CSRF.
hbm_eq "POST with the cookie, no X-CSRF-Token: 403" 403 \
	"$(hbm_status POST "/v1/cases/$cw/ack" "${CK[@]}")"
hbm_match "with a JSON error" '^\{"error":' "$(hbm_body POST "/v1/cases/$cw/ack" "${CK[@]}")"
hbm_eq "with a wrong X-CSRF-Token: 403" 403 \
	"$(hbm_status POST "/v1/cases/$cw/ack" "${CK[@]}" -H "X-CSRF-Token: $C1")"
hbm_eq "the case is untouched" notified "$($HBM_REDIS_CLI HGET "{hbm}:case:$cw" status)"
hbm_eq "with X-CSRF-Token: 200" 200 \
	"$(hbm_status POST "/v1/cases/$cw/ack" "${CK[@]}" -H "X-CSRF-Token: $CSRF")"
hbm_eq "the case is acknowledged by WFP" "acknowledged wfp" \
	"$($HBM_REDIS_CLI HMGET "{hbm}:case:$cw" status agency | tr '\n' ' ' | sed 's/ $//')"
hbm_check "the action is logged with the login" \
	grep -q "cases: amina of wfp: ack ${cw:0:4}-${cw:4}" "$HBM_TMP/hbmgwd.log"
actors() {
	{ $HBM_REDIS_CLI XRANGE '{hbm}:audit:new' - +; $HBM_REDIS_CLI XRANGE '{hbm}:audit' - +; } |
		sed -n '/^actor$/{n;p}'
}
in_audit() { actors | grep -qx 'wfp:amina'; }
hbm_check "the audit actor names the login (wfp:amina)" hbm_wait 10 in_audit
hbm_eq "the case history names the agency, as by its token" wfp \
	"$(hbm_case_hist_raw $cw | grep -v '"what":"sms"' | tail -n 1 | hbm_jget who)"
hbm_eq "the audit chain verifies" true \
	"$(hbm_body GET /v1/audit/verify -H "Authorization: Bearer $HBM_ADMIN_TOKEN" | hbm_jget ok)"
hbm_eq "cookie: acting on the Red Cross case is 404" 404 \
	"$(hbm_status POST "/v1/cases/$crc/ack" "${CK[@]}" -H "X-CSRF-Token: $CSRF")"

# A manager is its agency's token too; a coordinator reads everything.
hbm_eq "manager signs in" 200 "$(signin rc.lead "$PW_RC")"
CR=(-H "Cookie: hbm_session=$(cookie_of)")
hbm_eq "manager: the Red Cross case is 200" 200 "$(hbm_status GET "/v1/cases/$crc" "${CR[@]}")"
hbm_eq "manager: WFP's case is 404" 404 "$(hbm_status GET "/v1/cases/$cw" "${CR[@]}")"
hbm_eq "coordinator signs in" 200 "$(signin coord "$PW_COORD")"
hbm_eq "coordinator: no agency" "coordinator " "$(jfield role) $(jfield agency)"
CC=(-H "Cookie: hbm_session=$(cookie_of)")
CCSRF=$(jfield csrf)
hbm_eq "coordinator: both cases" 2 \
	"$(hbm_body GET /v1/cases "${CC[@]}" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cases"]))')"
hbm_eq "coordinator: the Red Cross case is 200" 200 "$(hbm_status GET "/v1/cases/$crc" "${CC[@]}")"
hbm_eq "coordinator: acting on a case is 403" 403 \
	"$(hbm_status POST "/v1/cases/$crc/ack" "${CC[@]}" -H "X-CSRF-Token: $CCSRF")"

# Lockout: five failures lock the login, even against the right password.
for i in 1 2 3 4 5; do
	st=$(signin rc.lead "wrong $i")
done
hbm_eq "the fifth failure: 401" 401 "$st"
st3=$(signin rc.lead "$PW_RC"); b3=$(cat "$HBM_TMP/b")
hbm_eq "then the right password is refused the same way" "$st1 $b1" "$st3 $b3"
hbm_check "with no cookie" test -z "$(setcookie)"
lk=$($HBM_REDIS_CLI KEYS '{hbm}:signin:*' | head -n 1)
lttl=$($HBM_REDIS_CLI TTL "$lk")
hbm_check "the lock lasts at most 15 minutes ($lttl s)" test "$lttl" -gt 0 -a "$lttl" -le 900
hbm_eq "the lock key is named by the login's hash" \
	"{hbm}:signin:$(printf rc.lead | sha256sum | cut -d' ' -f1)" \
	"$($HBM_REDIS_CLI KEYS '{hbm}:signin:*' | grep "$(printf rc.lead | sha256sum | cut -d' ' -f1)")"
hbm_eq "another login is not locked" 200 "$(signin coord "$PW_COORD")"

# The cookie is in no key, value or file of Redis.
hbm_check "the cookie is in no key name" fails grep -q "$C1" <<<"$($HBM_REDIS_CLI KEYS '*')"
$HBM_REDIS_CLI SAVE > /dev/null
dir=$($HBM_REDIS_CLI CONFIG GET dir | tail -n 1)
hbm_check "the RDB was written" test -s "$dir/dump.rdb"
hbm_check "the cookie is nowhere in the RDB or the AOF" fails grep -rqF "$C1" "$dir"
hbm_check "the session key is in the AOF" grep -rqF "$hex" "$dir"

# Sign out.
hbm_eq "DELETE without X-CSRF-Token: 403" 403 "$(hbm_status DELETE /v1/session "${CK[@]}")"
code=$(curl -s -m 30 -D "$HBM_TMP/h" -o "$HBM_TMP/b" -w '%{http_code}' -X DELETE \
	"${CK[@]}" -H "X-CSRF-Token: $CSRF" "$HBM_URL/v1/session")
hbm_eq "DELETE /v1/session: 200" 200 "$code"
hbm_match "the cookie is cleared" '^hbm_session=; .*Max-Age=0' "$(setcookie)"
hbm_eq "the key is gone" 0 "$($HBM_REDIS_CLI EXISTS "{hbm}:session:$hex")"
hbm_eq "GET /v1/session after sign-out: 401" 401 "$(hbm_status GET /v1/session "${CK[@]}")"
hbm_eq "the old cookie no longer reads cases" 401 "$(hbm_status GET "/v1/cases/$cw" "${CK[@]}")"

# Behind an https public_url the cookie is Secure.
hbm_daemon_stop
conf
echo 'http: { listen = "127.0.0.1:0"; public_url = "https://gw.example.org"; };' >> "$HBM_TMP/gw.conf"
sed -i '0,/^http: /{/^http: { listen = "127.0.0.1:0"; };$/d}' "$HBM_TMP/gw.conf"
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_eq "https: sign-in" 200 "$(signin amina "$PW_AMINA")"
hbm_match "https: the cookie is Secure" '; Secure$' "$(setcookie)"

hbm_done
