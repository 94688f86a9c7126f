#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Redis's persistence settings are checked at start-up and on every new
# connection: a warning by default, a refusal to start (or a Redis treated
# as down after a restart) under redis.durability = "require". So is
# hash-max-listpack-value: below 1024, a note that records are not compact.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start # appendonly no, as the harness starts it

# Default (warn): one warning line that says what can be lost and the fix.
hbm_config > "$HBM_TMP/warn.conf"
hbm_daemon_start "$HBM_TMP/warn.conf"
hbm_eq "warn: ready" 200 "$(hbm_status GET /readyz)"
hbm_match "warn: says what is lost and how to fix it" \
	'^<4>redis: appendonly is not yes: .* loses .*; set appendonly yes and appendfsync always' \
	"$(cat "$HBM_TMP/hbmgwd.log")"
hbm_eq "warn: once, not once per thread" 1 \
	"$(grep -c 'redis: appendonly is not yes' "$HBM_TMP/hbmgwd.log")"
# Redis's default hash-max-listpack-value: a note, once, with the fix.
hbm_match "a note on non-compact records, at info level" \
	'^<6>redis: hash-max-listpack-value is 64: .*set hash-max-listpack-value 1024 in redis.conf' \
	"$(cat "$HBM_TMP/hbmgwd.log")"
hbm_eq "the note once, not once per thread" 1 \
	"$(grep -c 'redis: hash-max-listpack-value is' "$HBM_TMP/hbmgwd.log")"
hbm_daemon_stop TERM

# require: refuses to start, saying why.
hbm_config > "$HBM_TMP/require.conf"
sed -i 's/timeout_ms = 500;/timeout_ms = 500; durability = "require";/' "$HBM_TMP/require.conf"
out=$("$HBM_BUILD/hbmgwd" -c "$HBM_TMP/require.conf" 2>&1)
rc=$?
hbm_eq "require, appendonly no: exit 1" 1 "$rc"
hbm_match "require: the error says what and why" \
	'<2>redis: not durable: appendonly is not yes: .*redis.durability is require: refusing to start' "$out"

$HBM_REDIS_CLI CONFIG SET appendonly yes > /dev/null
out=$("$HBM_BUILD/hbmgwd" -c "$HBM_TMP/require.conf" 2>&1)
hbm_match "require, appendfsync everysec: refused too" \
	'<2>redis: not durable: appendfsync is not always: a power loss loses' "$out"

# Durable: starts, and says so.
$HBM_REDIS_CLI CONFIG SET appendfsync always > /dev/null
hbm_daemon_start "$HBM_TMP/require.conf"
hbm_eq "require, appendfsync always: ready" 200 "$(hbm_status GET /readyz)"
hbm_match "says the persistence keeps acknowledged messages" \
	'<6>redis: persistence keeps acknowledged messages' "$(cat "$HBM_TMP/hbmgwd.log")"
hbm_eq "with hash-max-listpack-value 64 still: the note" 1 \
	"$(grep -c 'redis: hash-max-listpack-value is 64' "$HBM_TMP/hbmgwd.log")"
hbm_daemon_stop TERM
$HBM_REDIS_CLI CONFIG SET hash-max-listpack-value 1024 > /dev/null
hbm_daemon_start "$HBM_TMP/require.conf"
hbm_eq "with 1024: ready" 200 "$(hbm_status GET /readyz)"
# The same callback logged the persistence line just before: it ran.
hbm_check "the settings were read" grep -q \
	'<6>redis: persistence keeps acknowledged messages' "$HBM_TMP/hbmgwd.log"
hbm_eq "and no note" 0 \
	"$(grep -c 'hash-max-listpack-value' "$HBM_TMP/hbmgwd.log")"

# Redis comes back without its persistence: checked on the reconnect,
# treated as down (inbound 503), and up again once it is fixed.
hbm_redis_kill
hbm_redis_start # the same port, appendonly no again
refused() { [ "$(hbm_status GET /readyz)" = 503 ]; }
hbm_check "restarted with appendonly no: not ready" hbm_wait 10 refused
# (The error may be wrapped in the reconnect back-off: "redis: down, next
# attempt in N ms (redis: not durable: ...)".)
hbm_match "readyz says why" '"error":"[^"]*redis: not durable: appendonly' "$(hbm_body GET /readyz)"
hbm_eq "inbound is 503, not acknowledged" 503 "$(hbm_inbound +256700000201 'HELP FOOD' d-1)"
hbm_check "logged on the reconnect" grep -q '<3>redis: appendonly is not yes' "$HBM_TMP/hbmgwd.log"
$HBM_REDIS_CLI CONFIG SET appendonly yes > /dev/null
$HBM_REDIS_CLI CONFIG SET appendfsync always > /dev/null
ready() { [ "$(hbm_status GET /readyz)" = 200 ]; }
hbm_check "fixed: ready again (within 10 s)" hbm_wait 10 ready
# Each HTTP worker has its own connection and back-off: the one that
# answered readyz may be back before the one that takes the SMS. A repeat
# of the same id is answered 202 once stored, so retrying is safe.
accepted() { [ "$(hbm_inbound +256700000201 'HELP FOOD' d-1)" = 202 ]; }
hbm_check "inbound is accepted" hbm_wait 10 accepted
hbm_daemon_stop TERM

# A Redis that refuses CONFIG cannot be checked: said under warn.
$HBM_REDIS_CLI ACL SETUSER default -config > /dev/null
hbm_daemon_start "$HBM_TMP/warn.conf"
hbm_match "CONFIG refused: warns that it could not check" \
	'<4>redis: could not check persistence \(CONFIG GET appendonly: NOPERM' \
	"$(cat "$HBM_TMP/hbmgwd.log")"
hbm_eq "and runs" 200 "$(hbm_status GET /readyz)"
hbm_daemon_stop TERM
out=$("$HBM_BUILD/hbmgwd" -c "$HBM_TMP/require.conf" 2>&1)
hbm_match "CONFIG refused under require: refuses to start" \
	'<2>redis: not durable: could not check persistence' "$out"
hbm_done
