#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Command lines: hbmgwd's options and exit statuses; every hbmctl command
# against a running daemon, as human tables and as --json parsed: status
# (ready, channels, not ready, unreachable), inject, cases, case (after an
# agency's ACK), send, audit verify (intact, then tampered with), and the
# exit status of each kind of failure; the token from --token-file or
# HBMGW_TOKEN_FILE, their precedence and their errors.
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
WFP_TOKEN=test-wfp-token
hbm_config 'agencies = ( { id = "wfp"; name = "WFP"; phones = ["+256700000101"];' \
	"  token_sha256 = \"$(hbm_sha256 $WFP_TOKEN)\"; } );" \
	'categories = ( { id = "food"; agencies = ["wfp"]; priority = 3;' \
	'  sms_label = "food"; keywords = { en = ["FOOD"]; }; } );' > "$HBM_TMP/gw.conf"
hbm_eq "--check-config on a good file" "configuration OK" "$("$d" -c "$HBM_TMP/gw.conf" --check-config)"
hbm_daemon_start "$HBM_TMP/gw.conf"

out=$("$c" --url "$HBM_URL" --metrics-url "$HBM_METRICS_URL" status)
hbm_eq "hbmctl status exits 0 when ready" 0 "$?"
hbm_match "hbmctl status says ready" '^ready: yes' "$out"
hbm_match "hbmctl status says redis up" 'redis: up' "$out"
hbm_match "hbmctl status reads the metrics listener" '^memory: [0-9.]+ [KMG]i?B' "$out"
out=$(HBMGW_METRICS_URL="http://127.0.0.1:$(hbm_free_port)" "$c" --url "$HBM_URL" status 2>"$HBM_TMP/err")
hbm_eq "status without the metrics listener still exits 0" 0 "$?"
hbm_match "and still says ready" '^ready: yes' "$out"
hbm_match "and warns that /metrics could not be read" '^hbmctl: /metrics: ' "$(cat "$HBM_TMP/err")"
export HBMGW_METRICS_URL="$HBM_METRICS_URL"
out=$(HBMGW_URL="$HBM_URL" "$c" --json status)
hbm_match "hbmctl --json status" '"ready": *true' "$out"
hbm_match "without a token the channels are unknown" '^channels: unknown' \
	"$("$c" --url "$HBM_URL" status)"

# The commands that need the admin token.
export HBMGW_URL="$HBM_URL"
ctl() { HBMGW_TOKEN=$HBM_ADMIN_TOKEN "$c" "$@"; }
# py JSON EXPR: EXPR over the parsed d; "" when the JSON does not parse.
py() {
	python3 -c 'import json, sys
try:
    d = json.loads(sys.argv[1])
    print(eval(sys.argv[2]))
except Exception:
    print("")' "$1" "$2"
}
out=$(ctl status)
hbm_eq "status with the admin token exits 0" 0 "$?"
hbm_match "status shows a channel table" 'CHANNEL +TYPE +UP +SIGNAL +QUEUE' "$out"
hbm_match "with the http channel and its queue" '^agg +http +yes +- +[0-9]+' "$out"
out=$(ctl --json status)
hbm_eq "--json status lists the channels" "agg http True" \
	"$(py "$out" '" ".join(str(x) for x in (d["channels"][0]["name"], d["channels"][0]["type"], d["channels"][0]["up"]))')"

# inject: an inbound SMS that makes a case.
out=$(ctl inject +256700000001 'HELP FOOD at the gate')
hbm_eq "inject exits 0" 0 "$?"
hbm_match "inject prints the inbox entry id" '^id: [0-9]+-[0-9]+$' "$(head -n 1 <<<"$out")"
hbm_match "and that it is new" '^duplicate: no$' "$out"
out=$(ctl --json inject +256700000002 'HELP FOOD')
hbm_match "--json inject" '^[0-9]+-[0-9]+ False$' "$(py "$out" 'd["id"] + " " + str(d["duplicate"])')"
# The codes of the cases, oldest first, without the dash (GET /v1/cases).
case_codes() {
	hbm_body GET '/v1/cases?limit=200' -H "Authorization: Bearer $HBM_ADMIN_TOKEN" |
		python3 -c 'import json, sys
for c in reversed(json.load(sys.stdin)["cases"]):
    print(c["code"].replace("-", ""))'
}
two() { [ "$(case_codes | wc -l)" = 2 ]; }
hbm_check "the injected messages make two cases" hbm_wait 10 two
c1=$(case_codes | sed -n 1p)
c2=$(case_codes | sed -n 2p)
s1=${c1:0:4}-${c1:4:4} s2=${c2:0:4}-${c2:4:4}
ctl inject 12 'x' >/dev/null 2>&1
hbm_eq "inject from an invalid number exits 5" 5 "$?"

# cases and case.
out=$(ctl cases)
hbm_eq "cases exits 0" 0 "$?"
hbm_match "cases prints a table" '^CODE +STATUS +KIND +CATEGORY +AGENCY +PRIORITY +PERSONS +CREATED$' "$out"
hbm_match "newest first" "^$s2 +notified +relief +food +wfp +P3 +1 .*
$s1 +notified" "$(sed -n 2,3p <<<"$out")"
out=$(ctl --json cases --limit 1)
hbm_eq "--json cases --limit 1" "$s2 notified True" \
	"$(py "$out" 'd["cases"][0]["code"] + " " + d["cases"][0]["status"] + " " + str(len(d["cases"]) == 1 and d["next"] is not None)')"
next=$(py "$out" 'd["next"]')
hbm_match "--cursor gives the next page" "^$s1 " "$(ctl cases --limit=1 --cursor "$next" | sed -n 2p)"
hbm_eq "cases --status acknowledged: none yet" "no cases" "$(ctl cases --status acknowledged)"
ctl cases --status bogus >/dev/null 2>&1
hbm_eq "a status the daemon refuses exits 5" 5 "$?"
ctl cases --limit 0 >/dev/null 2>&1
hbm_eq "a limit the daemon refuses exits 5" 5 "$?"
ctl cases --frob >/dev/null 2>&1
hbm_eq "an unknown cases argument exits 2" 2 "$?"
ctl cases --status >/dev/null 2>&1
hbm_eq "--status without a value exits 2" 2 "$?"
HBMGW_TOKEN='' "$c" cases >/dev/null 2>&1
hbm_eq "cases without a token exits 4" 4 "$?"
HBMGW_TOKEN=wrong "$c" case "$c1" >/dev/null 2>&1
hbm_eq "case with a wrong token exits 4" 4 "$?"

# The token from a file (--token-file, HBMGW_TOKEN_FILE): not in ps.
hbm_match "--help warns that --token shows in ps" 'ps\(1\)' "$("$c" --help)"
hbm_match "--help offers --token-file" '--token-file FILE' "$("$c" --help)"
(umask 077 && printf '%s\n' "$HBM_ADMIN_TOKEN" > "$HBM_TMP/token")
(umask 077 && printf '%s' "$HBM_ADMIN_TOKEN" > "$HBM_TMP/token-nonl")
(umask 077 && printf '%s\r\nsecond line\n' "$HBM_ADMIN_TOKEN" > "$HBM_TMP/token-crlf")
: > "$HBM_TMP/token-empty"
printf '\n%s\n' "$HBM_ADMIN_TOKEN" > "$HBM_TMP/token-blank"
printf 'wrong\n' > "$HBM_TMP/token-wrong"
HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/token" cases >/dev/null 2>&1
hbm_eq "--token-file: cases exits 0" 0 "$?"
HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/token-nonl" cases >/dev/null 2>&1
hbm_eq "--token-file without a final newline: cases exits 0" 0 "$?"
HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/token-crlf" cases >/dev/null 2>&1
hbm_eq "--token-file: only the first line, CRLF stripped" 0 "$?"
HBMGW_TOKEN='' HBMGW_TOKEN_FILE="$HBM_TMP/token" "$c" cases >/dev/null 2>&1
hbm_eq "HBMGW_TOKEN_FILE: cases exits 0" 0 "$?"
HBMGW_TOKEN=wrong HBMGW_TOKEN_FILE="$HBM_TMP/token" "$c" cases >/dev/null 2>&1
hbm_eq "HBMGW_TOKEN_FILE wins over HBMGW_TOKEN" 0 "$?"
HBMGW_TOKEN=wrong "$c" --token-file "$HBM_TMP/token" cases >/dev/null 2>&1
hbm_eq "--token-file wins over HBMGW_TOKEN" 0 "$?"
HBMGW_TOKEN_FILE="$HBM_TMP/token-wrong" "$c" --token "$HBM_ADMIN_TOKEN" cases >/dev/null 2>&1
hbm_eq "--token wins over HBMGW_TOKEN_FILE" 0 "$?"
"$c" --token-file "$HBM_TMP/token" --token wrong cases >/dev/null 2>&1
hbm_eq "the last of --token-file and --token wins (--token)" 4 "$?"
"$c" --token wrong --token-file "$HBM_TMP/token" cases >/dev/null 2>&1
hbm_eq "the last of --token and --token-file wins (--token-file)" 0 "$?"
HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/token-wrong" cases >/dev/null 2>&1
hbm_eq "--token-file with a wrong token exits 4" 4 "$?"
out=$(HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/no-such-file" cases 2>&1)
hbm_eq "--token-file missing exits 2" 2 "$?"
hbm_match "--token-file missing is named" "^hbmctl: $HBM_TMP/no-such-file: cannot read the token file: No such file or directory$" "$out"
out=$(HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP" cases 2>&1)
hbm_eq "--token-file on a directory exits 2" 2 "$?"
hbm_match "--token-file on a directory says why" "^hbmctl: $HBM_TMP: cannot read the token file: Is a directory$" "$out"
out=$(HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/token-empty" cases 2>&1)
hbm_eq "--token-file empty exits 2" 2 "$?"
hbm_match "--token-file empty says so" "^hbmctl: $HBM_TMP/token-empty: the token file's first line is empty$" "$out"
out=$(HBMGW_TOKEN='' "$c" --token-file "$HBM_TMP/token-blank" cases 2>&1)
hbm_eq "--token-file with a blank first line exits 2" 2 "$?"
hbm_eq "and does not echo the token" "" "$(printf '%s' "$out" | grep -F "$HBM_ADMIN_TOKEN")"
out=$(HBMGW_TOKEN_FILE="$HBM_TMP/no-such-file" "$c" cases 2>&1)
hbm_eq "HBMGW_TOKEN_FILE missing exits 2" 2 "$?"
hbm_match "HBMGW_TOKEN_FILE missing is named" "no-such-file: cannot read the token file" "$out"
"$c" --token-file >/dev/null 2>&1
hbm_eq "--token-file without a value exits 2" 2 "$?"

out=$(ctl case "$s1")
hbm_eq "case exits 0" 0 "$?"
hbm_match "case shows the state" '^status: notified$' "$out"
hbm_match "case shows the history" 'AT +WHO +WHAT +NOTE' "$out"
hbm_eq "the agency acknowledges through its API" 200 \
	"$(hbm_status POST "/v1/cases/$c1/ack" -H "Authorization: Bearer $WFP_TOKEN")"
out=$(ctl case "$c1")
hbm_match "case CODE shows acknowledged after the ACK" '^status: acknowledged$' "$out"
hbm_match "and when" '^acknowledged: [0-9]{4}-' "$out"
hbm_match "the history names the agency" ' wfp +acknowledged' "$out"
hbm_match "the admin sees the number masked" '^phone: \+25670\*+001$' "$out"
out=$(ctl --json case "$c1")
hbm_eq "--json case" "$s1 acknowledged" "$(py "$out" 'd["code"] + " " + d["status"]')"
hbm_eq "cases --status acknowledged" "$s1" "$(ctl cases --status acknowledged | sed -n 2p | cut -d' ' -f1)"
ctl case 12ab >/dev/null 2>&1
hbm_eq "case of a malformed code exits 5" 5 "$?"
ctl case "${c1:0:7}$(((${c1:7:1} + 1) % 10))" >/dev/null 2>&1
hbm_eq "case of a code with a wrong check digit exits 5" 5 "$?"
ctl case >/dev/null 2>&1
hbm_eq "case without a code exits 2" 2 "$?"

# send.
out=$(ctl send +256700000009 'Distribution at gate 3 tomorrow')
hbm_eq "send exits 0" 0 "$?"
hbm_match "send prints the message id" '^id: m[0-9]+$' "$out"
id=${out#id: }
hbm_eq "the message is queued" "queued-or-later" \
	"$(js=$(hbm_body GET "/v1/messages/$id" -H "Authorization: Bearer $HBM_ADMIN_TOKEN"); py "$js" '"queued-or-later" if d["status"] in ("queued", "sent", "failed", "delivered") else d["status"]')"
out=$(ctl --json send 0700000009 'hello')
hbm_match "--json send" '^m[0-9]+$' "$(py "$out" 'd["id"]')"
ctl send 12 'hello' >/dev/null 2>&1
hbm_eq "send to an invalid number exits 5" 5 "$?"
ctl send +256700000009 >/dev/null 2>&1
hbm_eq "send without a text exits 2" 2 "$?"

# messages, message, requeue.
out=$(ctl messages --to +256700000009)
hbm_eq "messages exits 0" 0 "$?"
hbm_match "messages prints a table" 'ID +STATUS +CHANNEL +KIND +TO +ATTEMPTS +UPDATED +ERROR' "$out"
hbm_match "with the message, its number masked" "^$id +[a-z]+ +agg +api +\+25670\*+009 " "$out"
hbm_match "messages --json, newest first" "^m[0-9]+ $id\$" \
	"$(py "$(ctl --json messages --to 0700000009 --limit 2)" '" ".join(m["id"] for m in d["messages"])')"
hbm_eq "messages --status dead: none yet" "no messages" "$(ctl messages --status dead)"
ctl messages --status lost >/dev/null 2>&1
hbm_eq "messages --status lost exits 5" 5 "$?"
ctl messages --frob >/dev/null 2>&1
hbm_eq "messages --frob exits 2" 2 "$?"
out=$(ctl message "$id")
hbm_eq "message exits 0" 0 "$?"
hbm_match "message shows its attempts" '^attempts: [0-9]+$' "$out"
hbm_match "and its text" '^text: Distribution at gate 3 tomorrow$' "$out"
ctl message m999999999 >/dev/null 2>&1
hbm_eq "message of an unknown id exits 5" 5 "$?"
ctl requeue "$id" >/dev/null 2>&1
hbm_eq "requeue of a message that is not dead exits 5" 5 "$?"
# Made dead by hand, as retry_max_age would.
$HBM_REDIS_CLI HSET "{hbm}:msg:$id" status dead >/dev/null
$HBM_REDIS_CLI XADD '{hbm}:dead' '*' msg "$id" channel agg error x reason expired >/dev/null
hbm_match "messages --status dead lists it" "^$id +dead " "$(ctl messages --status dead)"
out=$(ctl requeue --dead)
hbm_eq "requeue --dead exits 0" 0 "$?"
hbm_match "and says what it queued" "^$id: queued$" "$out"
hbm_match "and how many" '^1 queued$' "$out"
hbm_eq "the message is queued again" queued "$(py "$(ctl --json message "$id")" 'd["status"]')"
$HBM_REDIS_CLI HSET "{hbm}:msg:$id" status dead >/dev/null
out=$(ctl requeue "$id")
hbm_eq "requeue ID exits 0" 0 "$?"
hbm_match "requeue ID says it queued it" "^$id: queued$" "$out"
ctl requeue --dead "$id" >/dev/null 2>&1
hbm_eq "requeue --dead with ids exits 2" 2 "$?"
ctl requeue >/dev/null 2>&1
hbm_eq "requeue without ids exits 2" 2 "$?"
ctl requeue nonsense >/dev/null 2>&1
hbm_eq "requeue of a malformed id exits 5" 5 "$?"

# audit verify.
out=$(ctl audit verify)
hbm_eq "audit verify exits 0 on an intact chain" 0 "$?"
hbm_match "audit: intact" '^audit: intact$' "$out"
hbm_match "with its entries" '^entries: [0-9]+$' "$out"
out=$(ctl --json audit verify)
hbm_eq "--json audit verify" "True True" "$(py "$out" 'str(d["ok"]) + " " + str(d["entries"] >= 0)')"
ctl audit frob >/dev/null 2>&1
hbm_eq "audit frob exits 2" 2 "$?"
$HBM_REDIS_CLI XADD '{hbm}:audit' '*' ts 1 subject x actor y action z detail d \
	prev 0000000000000000000000000000000000000000000000000000000000000000 \
	hash 0000000000000000000000000000000000000000000000000000000000000000 >/dev/null
out=$(ctl audit verify)
hbm_eq "audit verify exits 1 on a broken chain" 1 "$?"
hbm_match "audit: broken" '^audit: broken$' "$out"
hbm_match "and where" '^broken at: [0-9]+-[0-9]+$' "$out"
hbm_eq "--json audit verify when broken" "False" "$(py "$(ctl --json audit verify)" 'd["ok"]')"
unset HBMGW_URL

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
