#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The agency API: ACK, DECLINE and CLOSE over HTTP do what the SMS commands
# do, with the same SMS (the migrant told the agency's name, the next agency
# notified, the referring official told); another agency's case is 404 on
# every route, no or a wrong token 401, an admin 403 on the POST routes, a
# malformed code, bad JSON and a bad Idempotency-Key 400, and none of them
# changes anything; the migrant's number only after ACK and with consent; a
# repeated POST with the same Idempotency-Key changes nothing; lists by
# status, newest first, in pages; Redis down is 503.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hbm_capture_start
WFP_TOKEN=$HBM_WFP_TOKEN
RC_TOKEN=$HBM_RC_TOKEN
cat > "$HBM_TMP/gw.conf" <<CONF
$(hbm_config_agencies)
categories = (
  { id = "food"; agencies = ["wfp", "redcross"]; priority = 3;
    sms_label = "food"; keywords = { en = ["FOOD"]; }; }
);
officials = ( { phone = "+256700000201"; name = "Officer A";
                pin_hash = "\$6\$salt\$hash"; region = "north"; } );
coordinator = { phones = ["+256700000301"]; };
CONF
hbm_daemon_start "$HBM_TMP/gw.conf"

M1=+256700000001 M2=+256700000002 WFP=+256700000101 RC=+256700000102
OFF=+256700000201
ADMIN=(-H "Authorization: Bearer $HBM_ADMIN_TOKEN")
AWFP=(-H "Authorization: Bearer $WFP_TOKEN")
ARC=(-H "Authorization: Bearer $RC_TOKEN")
JSON=(-H 'Content-Type: application/json')

sms() {
	hbm_inbound "$1" "$2" "t-$(date +%s%N)-$RANDOM"
}
# The codes in the SMS to NUMBER, in order, without dashes.
codes_to() {
	hbm_texts_to "$1" | grep -oE '[1-9][0-9]{3}-[0-9]{4}' | tr -d -
}
js() {
	python3 -c 'import json, sys
try:
    d = json.loads(sys.argv[1])
    print(eval(sys.argv[2]))
except Exception:
    print("")' "$1" "$2"
}
codes() {
	js "$1" '" ".join(c["code"].replace("-", "") for c in d["cases"])'
}
hget() { hbm_case_field "$1" "$2"; }
# A fingerprint of everything a refused request must leave alone: the
# cases as the admin sees them, a field a line, and the newest message.
state() {
	local c
	for c in "$@"; do
		hbm_case "$c" | python3 -c '
import json, sys
for k, v in sorted(json.load(sys.stdin).items()):
    print(k, json.dumps(v, sort_keys=True))'
	done
	echo "last message $(hbm_last_msg_id)"
}
# post PATH [curl args]: the status of a POST.
post() {
	local path=$1
	shift
	hbm_status POST "$path" "$@"
}

# A relief case (consent: asking is consent) and a referral by SMS REF
# (no consent step by SMS).
sms $M1 'HELP FOOD near gate 3' >/dev/null
hbm_check "the migrant gets a code" hbm_wait 10 hbm_sent_to $M1 1
c1=$(codes_to $M1 | head -n 1)
sms $OFF "REF FOOD $M2 2" >/dev/null
hbm_check "the official gets the referral code" hbm_wait 10 hbm_sent_to $OFF 1
r1=$(codes_to $OFF | head -n 1)
hbm_check "the migrant of the referral gets it too" hbm_wait 10 hbm_sent_to $M2 1
hbm_check "WFP is notified of both" hbm_wait 10 hbm_sent_to $WFP 2
hbm_eq "the referral is stored as one" referral "$(hget "$r1" kind)"

# Who may call: no token, a wrong one, the admin on POST.
for r in "GET /v1/cases" "GET /v1/cases/$c1" "POST /v1/cases/$c1/ack" \
	"POST /v1/cases/$c1/decline" "POST /v1/cases/$c1/close"; do
	read -r m path <<<"$r"
	set -- "$m" "$path"
	hbm_eq "$1 $2 without a token is 401" 401 "$(hbm_status "$1" "$2" "${JSON[@]}" -d '{}')"
	hbm_eq "$1 $2 with a wrong token is 401" 401 \
		"$(hbm_status "$1" "$2" "${JSON[@]}" -d '{}' -H 'Authorization: Bearer nope')"
done
before=$(state "$c1" "$r1")
for v in ack decline close; do
	hbm_eq "the admin may not $v for an agency: 403" 403 \
		"$(post "/v1/cases/$c1/$v" "${ADMIN[@]}" "${JSON[@]}" -d '{}')"
done

# Another agency's case is no case at all.
hbm_eq "Red Cross's list does not show WFP's cases" "" "$(codes "$(hbm_body GET /v1/cases "${ARC[@]}")")"
hbm_eq "Red Cross GET of WFP's case is 404" 404 "$(hbm_status GET "/v1/cases/$c1" "${ARC[@]}")"
for v in ack decline close; do
	hbm_eq "Red Cross $v of WFP's case is 404" 404 \
		"$(post "/v1/cases/$c1/$v" "${ARC[@]}" "${JSON[@]}" -d '{}')"
done

# Malformed codes, bad bodies, bad keys.
for v in ack decline close; do
	hbm_eq "$v of a malformed code is 400" 400 \
		"$(post "/v1/cases/12ab/$v" "${AWFP[@]}" "${JSON[@]}" -d '{}')"
	wrong=${c1:0:7}$(((${c1:7:1} + 1) % 10))
	hbm_eq "$v of a code with a wrong check digit is 404" 404 \
		"$(post "/v1/cases/$wrong/$v" "${AWFP[@]}" "${JSON[@]}" -d '{}')"
done
hbm_eq "GET of a malformed code is 400" 400 "$(hbm_status GET /v1/cases/12ab "${AWFP[@]}")"
long=$(head -c 401 /dev/zero | tr '\0' x)
for v in decline close; do
	f=reason
	[ $v = close ] && f=note
	for body in '{' '[]' '"x"' "{\"$f\": 5}" "{\"$f\": [\"a\"]}" \
		"{\"$f\": \"a\", \"$f\": \"b\"}" "{\"$f\": \"$long\"}" \
		"{\"$f\": \"a\\u0000b\"}"; do
		hbm_eq "$v with body $(head -c 30 <<<"$body") is 400" 400 \
			"$(post "/v1/cases/$c1/$v" "${AWFP[@]}" "${JSON[@]}" -d "$body")"
	done
	hbm_eq "$v without a JSON content type is 415" 415 \
		"$(post "/v1/cases/$c1/$v" "${AWFP[@]}" -d "{\"$f\": \"x\"}")"
done
hbm_eq "an empty Idempotency-Key is 400" 400 \
	"$(post "/v1/cases/$c1/ack" "${AWFP[@]}" -H "Idempotency-Key;")"
for k in 'has space' "$(head -c 65 /dev/zero | tr '\0' k)" 'a/b' 'é'; do
	hbm_eq "Idempotency-Key '${k:0:10}' is 400" 400 \
		"$(post "/v1/cases/$c1/ack" "${AWFP[@]}" -H "Idempotency-Key: $k")"
done
# Each request was answered, and a case operation is applied and its SMS
# queued before the answer: nothing to wait for. The SMS are counted as
# queued, not as the aggregator got them so far.
hbm_eq "none of that changed anything" "$before" "$(state "$c1" "$r1")"
hbm_eq "nor queued anything to the migrant" 1 "$(hbm_queued_count $M1)"

# Before ACK: no number.
g=$(hbm_body GET "/v1/cases/$c1" "${AWFP[@]}")
hbm_eq "before ACK the agency sees no number" "False notified" "$(js "$g" '"%s %s" % ("phone" in d, d["status"])')"

# ACK by the API, with a key; then the same request again, and without.
a1=$(hbm_body POST "/v1/cases/$c1/ack" "${AWFP[@]}" -H 'Idempotency-Key: k-ack-1' -w ' %{http_code}')
hbm_eq "ACK is 200 with the case" "200 acknowledged" "${a1##* } $(js "${a1% *}" 'd["status"]')"
hbm_eq "the acknowledging agency sees the number (consent)" "$M1" "$(js "${a1% *}" 'd["phone"]')"
hbm_eq "the case is acknowledged" acknowledged "$(hget "$c1" status)"
hbm_check "the migrant is told" hbm_wait 10 hbm_sent_to $M1 2
hbm_match "the migrant is told the agency's name" 'WFP' "$(hbm_texts_to $M1 | tail -n 1)"
hbm_eq "the history has one acknowledgement" 1 "$(hbm_case_hist "$c1" acknowledged)"
before=$(state "$c1")
a2=$(hbm_body POST "/v1/cases/$c1/ack" "${AWFP[@]}" -H 'Idempotency-Key: k-ack-1' -w ' %{http_code}')
hbm_eq "the same ACK again is 200 with the case" "200 acknowledged" "${a2##* } $(js "${a2% *}" 'd["status"]')"
hbm_eq "and changes nothing" "$before" "$(state "$c1")"
a3=$(hbm_body POST "/v1/cases/$c1/ack" "${AWFP[@]}" -w ' %{http_code}')
hbm_eq "a new ACK of an acknowledged case is 200" "200 acknowledged" "${a3##* } $(js "${a3% *}" 'd["status"]')"
hbm_eq "the migrant is told once" 2 "$(hbm_queued_count $M1)"
hbm_eq "the history still has one acknowledgement" 1 "$(hbm_case_hist "$c1" acknowledged)"
hbm_eq "GET shows the number to the acknowledging agency" "$M1" \
	"$(js "$(hbm_body GET "/v1/cases/$c1" "${AWFP[@]}")" 'd["phone"]')"
hbm_match "the admin sees it masked" '\*\*\*\*' \
	"$(js "$(hbm_body GET "/v1/cases/$c1" "${ADMIN[@]}")" 'd["phone"]')"

# The referral: ACK tells the official; no consent, no number.
nof=$(hbm_sent_count $OFF)
a4=$(hbm_body POST "/v1/cases/$r1/ack" "${AWFP[@]}" -w ' %{http_code}')
hbm_eq "ACK of the referral is 200" "200 acknowledged" "${a4##* } $(js "${a4% *}" 'd["status"]')"
hbm_eq "without consent the agency sees no number" False "$(js "${a4% *}" '"phone" in d')"
told() { [ "$(hbm_sent_count $OFF)" -gt "$1" ]; }
hbm_check "the official is told of the ACK" hbm_wait 10 told "$nof"
last=$(hbm_texts_to $OFF | tail -n 1)
hbm_match "the official's SMS names the code and the agency" "${r1:0:4}-${r1:4:4}.*WFP" "$last"
hbm_check "and carries no migrant number" bash -c "! grep -q 700000002 <<<'$last'"
hbm_check "the migrant of the referral is told" hbm_wait 10 hbm_sent_to $M2 2

# CLOSE with a note; again; then ACK and DECLINE of a closed case.
nof=$(hbm_sent_count $OFF)
cl=$(hbm_body POST "/v1/cases/$r1/close" "${AWFP[@]}" "${JSON[@]}" -d '{"note": "family housed"}' -w ' %{http_code}')
hbm_eq "CLOSE is 200 with the closed case" "200 closed" "${cl##* } $(js "${cl% *}" 'd["status"]')"
hbm_match "the note is in the history" 'family housed' \
	"$(js "$(hbm_body GET "/v1/cases/$r1" "${AWFP[@]}")" '" ".join(h.get("note", "") for h in d["history"])')"
hbm_check "sealed in Redis" fails grep -q 'family housed' <<< "$(hbm_case_hist_raw $r1)"
hbm_check "the official is told of the CLOSE" hbm_wait 10 told "$nof"
hbm_match "as closed" 'closed' "$(hbm_texts_to $OFF | tail -n 1)"
before=$(state "$r1")
hbm_eq "CLOSE of a closed case is 200" 200 "$(post "/v1/cases/$r1/close" "${AWFP[@]}" "${JSON[@]}" -d '{}')"
hbm_eq "ACK of a closed case is 409" 409 "$(post "/v1/cases/$r1/ack" "${AWFP[@]}")"
hbm_eq "DECLINE of a closed case is 409" 409 "$(post "/v1/cases/$r1/decline" "${AWFP[@]}" "${JSON[@]}" -d '{}')"
hbm_eq "none of them changes the case" "$(grep -v '^updated_at ' <<<"$before")" \
	"$(state "$r1" | grep -v '^updated_at ')"
hbm_eq "the official is told of the close once" 1 "$(hbm_queued_texts $OFF | grep -c closed)"

# DECLINE: the next agency is notified, the official told; a retry with
# the same key is 200 although the case has moved on.
sms $OFF 'REF FOOD 3' >/dev/null
two() { [ "$(codes_to $OFF | sort -u | wc -l)" -ge 2 ]; }
hbm_check "a second referral" hbm_wait 10 two
r2=$(codes_to $OFF | grep -v "$r1" | head -n 1)
nof=$(hbm_sent_count $OFF) nrc=$(hbm_sent_count $RC)
d1=$(hbm_body POST "/v1/cases/$r2/decline" "${AWFP[@]}" "${JSON[@]}" -H 'Idempotency-Key: k-dec-1' -d '{"reason": "no stock"}' -w ' %{http_code}')
hbm_eq "DECLINE is 200" "200 declined" "${d1##* } $(js "${d1% *}" 'd["status"]')"
hbm_eq "the case moved to the next agency" "redcross notified" "$(hget "$r2" agency) $(hget "$r2" status)"
rcgot() { [ "$(hbm_sent_count $RC)" -gt "$nrc" ]; }
hbm_check "the next agency is notified" hbm_wait 10 rcgot
hbm_match "with the code" "${r2:0:4}-${r2:4:4}" "$(hbm_texts_to $RC | tail -n 1)"
hbm_check "the official is told of the DECLINE" hbm_wait 10 told "$nof"
hbm_match "as declined by WFP" 'declined by WFP' "$(hbm_texts_to $OFF | tail -n 1)"
hbm_match "the reason is in the history" 'no stock' \
	"$(js "$(hbm_body GET "/v1/cases/$r2" "${ADMIN[@]}")" '" ".join(h.get("note", "") for h in d["history"])')"
hbm_check "sealed in Redis" fails grep -q 'no stock' <<< "$(hbm_case_hist_raw $r2)"
before=$(state "$r2")
hbm_eq "the same DECLINE again is 200" 200 \
	"$(post "/v1/cases/$r2/decline" "${AWFP[@]}" "${JSON[@]}" -H 'Idempotency-Key: k-dec-1' -d '{"reason": "no stock"}')"
hbm_eq "a new DECLINE by WFP is 404: no longer its case" 404 \
	"$(post "/v1/cases/$r2/decline" "${AWFP[@]}" "${JSON[@]}" -d '{}')"
hbm_eq "neither changes anything" "$before" "$(state "$r2")"
hbm_eq "WFP no longer sees it" 404 "$(hbm_status GET "/v1/cases/$r2" "${AWFP[@]}")"
hbm_eq "Red Cross does" 200 "$(hbm_status GET "/v1/cases/$r2" "${ARC[@]}")"

# ACK by SMS tells the official as well.
nof=$(hbm_sent_count $OFF)
sms $RC "ACK ${r2:0:4}-${r2:4:4}" >/dev/null
hbm_check "ACK by SMS tells the official" hbm_wait 10 told "$nof"
hbm_match "that Red Cross accepted" 'accepted by Red Cross' "$(hbm_texts_to $OFF | tail -n 1)"

# Lists: by status, newest first, in pages.
for i in 3 4 5; do
	sms +25670000000$i 'HELP FOOD' >/dev/null
	hbm_check "case $i is made" hbm_wait 10 hbm_sent_to +25670000000$i 1
	sleep 0.01
done
n3=$(codes_to +256700000003) n4=$(codes_to +256700000004) n5=$(codes_to +256700000005)
hbm_eq "WFP's notified cases, newest first" "$n5 $n4 $n3" \
	"$(codes "$(hbm_body GET '/v1/cases?status=notified' "${AWFP[@]}")")"
hbm_eq "WFP's acknowledged cases" "$c1" "$(codes "$(hbm_body GET '/v1/cases?status=acknowledged' "${AWFP[@]}")")"
hbm_eq "WFP's closed cases" "$r1" "$(codes "$(hbm_body GET '/v1/cases?status=closed' "${AWFP[@]}")")"
hbm_eq "all of WFP's, newest first" "$n5 $n4 $n3 $r1 $c1" "$(codes "$(hbm_body GET /v1/cases "${AWFP[@]}")")"
hbm_eq "Red Cross's" "$r2" "$(codes "$(hbm_body GET /v1/cases "${ARC[@]}")")"
p1=$(hbm_body GET '/v1/cases?status=notified&limit=2' "${AWFP[@]}")
p2=$(hbm_body GET "/v1/cases?status=notified&limit=2&cursor=$(js "$p1" 'd["next"]')" "${AWFP[@]}")
hbm_eq "pages of two by cursor" "$n5 $n4 | $n3 None" "$(codes "$p1") | $(codes "$p2") $(js "$p2" 'd["next"]')"
hbm_eq "offset skips" "$n4 $n3" "$(codes "$(hbm_body GET '/v1/cases?status=notified&offset=1' "${AWFP[@]}")")"
hbm_eq "offset and limit" "$n3 $r1" "$(codes "$(hbm_body GET '/v1/cases?offset=2&limit=2' "${AWFP[@]}")")"
hbm_eq "offset past the end: empty" "" "$(codes "$(hbm_body GET '/v1/cases?offset=50' "${AWFP[@]}")")"
hbm_eq "limit=200 is allowed" 200 "$(hbm_status GET '/v1/cases?limit=200' "${AWFP[@]}")"

hbm_eq "the audit chain holds" true "$(js "$(hbm_body GET /v1/audit/verify "${ADMIN[@]}")" 'str(d["ok"]).lower()')"
hbm_redis_kill
hbm_eq "Redis down: ACK is 503" 503 "$(post "/v1/cases/$n3/ack" "${AWFP[@]}")"
hbm_eq "Redis down: CLOSE is 503" 503 "$(post "/v1/cases/$n3/close" "${AWFP[@]}" "${JSON[@]}" -d '{}')"
hbm_eq "Redis down: no token is still 401" 401 "$(post "/v1/cases/$n3/ack")"
hbm_check "the log holds no number in clear" bash -c "! grep -q 70000000 '$HBM_TMP/hbmgwd.log'"
hbm_done
