#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The privacy key is required: hbmgwd --check-config and the daemon's
# start-up refuse, with one line naming the file, a key that is unset,
# missing, of the wrong size or format, readable or writable by group or
# others, or owned by another user; --gen-key makes a good one (mode 0600)
# and never replaces one.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
d="$HBM_BUILD/hbmgwd"
HBM_REDIS_URL=tcp://127.0.0.1:9 # never reached: the key is checked first

# conf KEYFILE: a configuration naming KEYFILE ("" for no privacy group).
conf() {
	hbm_config | if [ -n "$1" ]; then
		sed "s|^privacy: .*|privacy: { key_file = \"$1\"; };|"
	else
		grep -v '^privacy:'
	fi > "$HBM_TMP/gw.conf"
}

# refused WHAT KEYFILE REGEX: --check-config and start-up both exit 1 with
# one line on stderr matching REGEX.
refused() {
	local what=$1 key=$2 re=$3 out rc
	conf "$key"
	out=$("$d" -c "$HBM_TMP/gw.conf" --check-config 2>&1)
	rc=$?
	hbm_eq "$what: --check-config exits 1" 1 "$rc"
	hbm_eq "$what: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	hbm_match "$what: --check-config says why" "$re" "$out"
	out=$(timeout 20 "$d" -c "$HBM_TMP/gw.conf" 2>&1)
	rc=$?
	hbm_eq "$what: start-up exits 1" 1 "$rc"
	hbm_match "$what: start-up says why" "${re#^}" "$out"
}

# mkkey NAME MODE [BYTES]: a key file of BYTES random bytes (default 32).
mkkey() {
	(umask 077 && head -c "${3:-32}" /dev/urandom > "$HBM_TMP/$1")
	chmod "$2" "$HBM_TMP/$1"
	echo "$HBM_TMP/$1"
}

refused "unset" "" "gw.conf: privacy.key_file: required .*--gen-key"
refused "missing" "$HBM_TMP/nokey" "^privacy key $HBM_TMP/nokey: No such file or directory$"
refused "mode 0644" "$(mkkey k644 0644)" "^privacy key $HBM_TMP/k644: mode 0644, must not be readable by group or others$"
refused "mode 0640" "$(mkkey k640 0640)" "^privacy key $HBM_TMP/k640: mode 0640, must not be readable by group or others$"
refused "mode 0620" "$(mkkey k620 0620)" "^privacy key $HBM_TMP/k620: mode 0620, must not be writable by group or others$"
refused "31 bytes" "$(mkkey short 0600 31)" "^privacy key $HBM_TMP/short: 31 bytes, must be 32 raw bytes or 64 hex digits$"
refused "empty" "$(mkkey empty 0600 0)" "^privacy key $HBM_TMP/empty: 0 bytes, must be 32 raw bytes or 64 hex digits$"
printf '%064d\n' 0 | tr 0 g > "$HBM_TMP/nothex"
chmod 600 "$HBM_TMP/nothex"
refused "not hex" "$HBM_TMP/nothex" "^privacy key $HBM_TMP/nothex: not 64 hex digits$"
mkdir -p "$HBM_TMP/redis"
refused "a directory" "$HBM_TMP/redis" "^privacy key $HBM_TMP/redis: not a regular file$"
if [ "$(id -u)" -eq 0 ]; then
	k=$(mkkey nobody 0600)
	chown 65534:65534 "$k"
	refused "owned by nobody" "$k" "^privacy key $k: owned by uid 65534, must be owned by uid 0 \(the user hbmgwd runs as\)$"
else
	echo "# not root: the other-owner case is covered as root only"
fi

# --gen-key: 0600, owned by us, accepted; never overwrites.
out=$("$d" --gen-key "$HBM_TMP/gen" 2>&1)
hbm_eq "--gen-key exits 0" 0 "$?"
hbm_match "--gen-key names the file" "$HBM_TMP/gen" "$out"
hbm_eq "--gen-key makes mode 0600, our own" "600 $(id -u) 32" \
	"$(stat -c '%a %u %s' "$HBM_TMP/gen")"
before=$(sha256sum < "$HBM_TMP/gen")
out=$("$d" --gen-key "$HBM_TMP/gen" 2>&1)
hbm_eq "--gen-key over an existing key exits 1" 1 "$?"
hbm_match "--gen-key says it did not overwrite" "exists, not overwritten" "$out"
hbm_eq "the existing key is unchanged" "$before" "$(sha256sum < "$HBM_TMP/gen")"

# The good cases: raw, 64 hex digits and a newline, and read-only 0400.
conf "$HBM_TMP/gen"
hbm_eq "a generated key passes --check-config" "configuration OK" \
	"$("$d" -c "$HBM_TMP/gw.conf" --check-config 2>&1)"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HBM_TMP/hex"
echo >> "$HBM_TMP/hex"
chmod 400 "$HBM_TMP/hex"
conf "$HBM_TMP/hex"
hbm_eq "a hex key at mode 0400 passes --check-config" "configuration OK" \
	"$("$d" -c "$HBM_TMP/gw.conf" --check-config 2>&1)"

# And the daemon starts with it.
hbm_redis_start
conf "$HBM_TMP/gen"
hbm_daemon_start "$HBM_TMP/gw.conf"
hbm_eq "the daemon starts with a good key" 200 "$(hbm_status GET /healthz)"
hbm_daemon_stop
hbm_eq "and stops cleanly" 0 "$HBM_RC"
hbm_done
