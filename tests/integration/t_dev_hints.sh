#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What `make run` prints to try (tools/dev-hints.sh) works as printed: the
# daemon runs on config/dev.conf with only its Redis, port, key and modem
# directory moved into a temporary directory; every command line of the
# hints is run in turn, as printed, and checked: the exports, the
# migrant's inject, whose reply shows up in messages --to, the agency's
# GET /v1/cases (200) and its ACK of the new case, the official's USSD
# pages (CON), a console account's sign-in, status. The hints refuse a token that the file does not
# accept.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
hbm_redis_start
hints="$HBM_SRCDIR/tools/dev-hints.sh"

# config/dev.conf, moved: everything else (tokens, agencies, officials,
# the comments the hints read) as it is.
port=$(hbm_free_port)
mport=$(hbm_free_port)
while [ "$mport" = "$port" ]; do mport=$(hbm_free_port); done
mkdir -p "$HBM_TMP/modem0"
sed -e "s|unix://run/redis.sock|$HBM_REDIS_URL|" \
	-e '/durability = "require"/d' \
	-e "s|127.0.0.1:8080|127.0.0.1:$port|g" \
	-e "s|127.0.0.1:9464|127.0.0.1:$mport|g" \
	-e "s|key_file = \"run/key\"|key_file = \"$(hbm_key)\"|" \
	-e "s|device = \"run/modem0\"|device = \"$HBM_TMP/modem0\"|" \
	"$HBM_SRCDIR/config/dev.conf" > "$HBM_TMP/dev.conf"
hbm_eq "the moved dev.conf is valid" "configuration OK" \
	"$("$HBM_BUILD/hbmgwd" -c "$HBM_TMP/dev.conf" --check-config 2>&1)"
hbm_daemon_start "$HBM_TMP/dev.conf"
hbm_eq "the daemon listens where dev.conf says" "http://127.0.0.1:$port" "$HBM_URL"

out=$("$hints" "$HBM_TMP/dev.conf" "$HBM_BUILD")
hbm_eq "the hints exit 0" 0 "$?"
hbm_match "they export the admin token" '^  export HBMGW_TOKEN=dev-admin-token$' "$out"
hbm_match "and the URL, not the default here" "^  export HBMGW_URL=$HBM_URL\$" "$out"
hbm_match "and the metrics URL" "^  export HBMGW_METRICS_URL=$HBM_METRICS_URL\$" "$out"
hbm_match "they name the agency's token" "Bearer dev-wfp-token" "$out"
hbm_eq "--url" "$HBM_URL" "$("$hints" --url "$HBM_TMP/dev.conf")"
hbm_eq "the default URL is not exported" 0 \
	"$("$hints" "$HBM_SRCDIR/config/dev.conf" | grep -c HBMGW_URL)"

# Every command line (indented, not a comment), in order, in this shell,
# so that an export or code=... holds for the lines after it.
mapfile -t cmds < <(sed -n 's/^  \([^#[:space:]].*\)$/\1/p' <<<"$out" | sed 's/[[:space:]]*#.*$//')
hbm_check "the hints hold commands" test "${#cmds[@]}" -ge 9
seen="" code=""
i=0
for cmd in "${cmds[@]}"; do
	i=$((i + 1))
	eval "$cmd" > "$HBM_TMP/out.$i" 2>&1
	rc=$?
	res=$(cat "$HBM_TMP/out.$i")
	hbm_eq "runs as printed: $cmd" 0 "$rc"
	case $cmd in
	export*) ;;
	*"hbmctl inject "*)
		seen="$seen inject"
		hbm_match "inject: an inbox entry" '^id: [0-9]+-[0-9]+' "$res"
		;;
	*"hbmctl messages --to "*)
		seen="$seen messages"
		# The reply comes once the inbox is handled: the same command
		# again, for a bounded time.
		replied() { eval "$cmd" 2>/dev/null | grep -q 'reply'; }
		hbm_check "messages --to: the reply to the migrant" hbm_wait 20 replied
		;;
	code=*)
		seen="$seen code"
		hbm_match "the agency's newest case code" '^[1-9][0-9]{3}-[0-9]{4}$' "$code"
		;;
	*"curl "*"/v1/cases/"*"/ack"*)
		seen="$seen ack"
		hbm_eq "the ACK acknowledges the case" acknowledged "$(hbm_jget status <<<"$res")"
		hbm_eq "and is 200 (again: an ACK repeated is 200)" 200 \
			"$(eval "$cmd -o /dev/null -w '%{http_code}'")"
		hbm_match "the admin sees it acknowledged" '^status: acknowledged' \
			"$("$HBM_BUILD/hbmctl" case "$code")"
		;;
	*"curl "*"/v1/cases"*)
		seen="$seen cases"
		hbm_match "the agency's case list" '^\{"cases": ?\[\{' "$res"
		hbm_eq "and is 200" 200 "$(eval "$cmd -o /dev/null -w '%{http_code}'")"
		;;
	*"curl "*"/v1/ussd/"*"text= "* | *"curl "*"/v1/ussd/"*"text=")
		seen="$seen ussd"
		hbm_match "USSD: the first page asks for the PIN" '^CON .*PIN' "$res"
		;;
	*"curl "*"/v1/ussd/"*)
		seen="$seen ussd-pin"
		hbm_match "USSD: the PIN opens the menu" '^CON ' "$res"
		hbm_check "and is not refused" fails grep -qi 'wrong' <<<"$res"
		;;
	*"curl "*"/v1/session"*)
		seen="$seen console"
		hbm_match "console: the first account signs in" \
			'"login": ?"amina"' "$res"
		hbm_match "as a caseworker" '"role": ?"caseworker"' "$res"
		;;
	*"hbmctl status"*)
		seen="$seen status"
		hbm_match "status: ready" '^ready: yes' "$res"
		hbm_match "status: figures from the metrics listener" '^memory: [0-9]' "$res"
		;;
	*"/metrics"*)
		seen="$seen metrics"
		hbm_match "metrics: the inbound SMS counted" '^hbmgw_inbound_total\{' "$res"
		;;
	esac
done
hbm_eq "every user was played" " inject messages cases code ack ussd ussd-pin console status metrics" "$seen"
told() { "$HBM_BUILD/hbmctl" messages --to +256700000001 | grep -q ' notify '; }
hbm_check "the migrant is told of the ACK" hbm_wait 20 told

# A token whose hash the file does not hold is refused, not printed.
sed 's/^#   token dev-wfp-token$/#   token dev-wrong-token/' "$HBM_TMP/dev.conf" > "$HBM_TMP/drift.conf"
err=$("$hints" "$HBM_TMP/drift.conf" "$HBM_BUILD" 2>&1 >/dev/null)
hbm_eq "a drifted token: exit 1" 1 "$?"
hbm_match "and says which" 'token dev-wrong-token: its SHA-256 is not in the file' "$err"

# So is a console password for a login the file does not have.
sed 's/^#   password amina amina-dev$/#   password nobody amina-dev/' "$HBM_TMP/dev.conf" > "$HBM_TMP/drift.conf"
err=$("$hints" "$HBM_TMP/drift.conf" "$HBM_BUILD" 2>&1 >/dev/null)
hbm_eq "a password for no user: exit 1" 1 "$?"
hbm_match "and says which" 'password nobody: no such user in the file' "$err"
hbm_done
