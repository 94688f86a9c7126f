#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd unit as `make install` renders it: `systemd-analyze verify`
# finds nothing to say, `systemd-analyze security --offline=true` rates its
# exposure at 2.0 or lower (the issue's bound; the unit scores 1.5 on
# systemd 252), it keeps what the daemon needs (the serial modems, its
# sockets, LimitNOFILE), and tools/install-key.sh, which `make install`
# runs, makes a key that hbmgwd accepts and never replaces one.
source "$(dirname "$0")/lib.sh"
hbm_tmp_init
MAX_EXPOSURE=2.0

# Rendered by the Makefile's own rule, with SBINDIR at the built daemon
# so that verify finds the executable.
make -s --no-print-directory -C "$HBM_SRCDIR" BUILD="$HBM_TMP/unit" \
	SBINDIR="$HBM_BUILD" unit
u="$HBM_TMP/unit/hbmgwd.service"
hbm_check "make unit renders the unit" test -s "$u"
hbm_eq "no @PLACEHOLDER@ is left" "" "$(grep -o '@[A-Z]*@' "$u")"
hbm_match "ExecStart is the daemon" "^ExecStart=$HBM_BUILD/hbmgwd -c " "$(cat "$u")"

# What the daemon needs, and the file descriptors the HTTP server can use.
hbm_match "DevicePolicy=closed" '^DevicePolicy=closed$' "$(cat "$u")"
hbm_match "ttyUSB modems allowed" '^DeviceAllow=char-ttyUSB rw$' "$(cat "$u")"
hbm_match "ttyACM modems allowed" '^DeviceAllow=char-ttyACM rw$' "$(cat "$u")"
hbm_match "in group dialout" '^SupplementaryGroups=dialout$' "$(cat "$u")"
hbm_match "LimitNOFILE=4096" '^LimitNOFILE=4096$' "$(cat "$u")"
hbm_eq "the socket families it uses, and no others" \
	"AF_UNIX AF_INET AF_INET6" \
	"$(sed -n 's/^RestrictAddressFamilies=//p' "$u")"
hbm_match "a state directory for the key" '^StateDirectory=hbmgw$' "$(cat "$u")"
hbm_eq "PrivateDevices stays off (it would hide the modems)" "" \
	"$(grep '^PrivateDevices=yes' "$u")"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "# systemd-analyze is missing (Debian package systemd):" \
		"the unit cannot be rated here"
	# CI installs systemd (.ci/run, tools/deps.sh test); only a machine
	# where HBM_NO_SYSTEMD=1 says it cannot have it may skip.
	hbm_eq "systemd-analyze is available" 1 "${HBM_NO_SYSTEMD:-0}"
	hbm_done
fi

# verify exits 0 even for unknown keys and bad values: it must say nothing.
out=$(cd "$HBM_TMP/unit" && systemd-analyze verify --man=no hbmgwd.service 2>&1)
hbm_eq "systemd-analyze verify exits 0" 0 "$?"
hbm_eq "systemd-analyze verify has nothing to say" "" "$out"

out=$(cd "$HBM_TMP/unit" && systemd-analyze security --offline=true \
	hbmgwd.service 2>&1)
exposure=$(printf '%s\n' "$out" |
	sed -n 's/.*Overall exposure level for hbmgwd.service: \([0-9.]*\).*/\1/p')
echo "# exposure $exposure (at most $MAX_EXPOSURE)"
hbm_match "systemd-analyze security gives an exposure" '^[0-9]+\.[0-9]+$' "$exposure"
hbm_check "exposure $exposure <= $MAX_EXPOSURE" \
	awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e != "" && e + 0 <= m + 0) }'
[ -n "$exposure" ] && awk -v e="$exposure" -v m="$MAX_EXPOSURE" \
	'BEGIN { exit !(e + 0 > m + 0) }' && printf '%s\n' "$out" | grep '✗'

# The check itself must be able to fail: the pre-hardening unit rates 6.5.
cat > "$HBM_TMP/unit/loose.service" <<'UNIT'
[Service]
Type=notify
ExecStart=/bin/true
User=hbmgw
NoNewPrivileges=yes
ProtectSystem=strict
UNIT
loose=$(cd "$HBM_TMP/unit" && systemd-analyze security --offline=true \
	loose.service 2>&1 |
	sed -n 's/.*Overall exposure level for loose.service: \([0-9.]*\).*/\1/p')
hbm_check "a loose unit ($loose) is above $MAX_EXPOSURE" \
	awk -v e="$loose" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e != "" && e + 0 > m + 0) }'
out=$(cd "$HBM_TMP/unit" && printf '[Service]\nExecStart=/bin/true\nFrobnicate=yes\n' \
	> odd.service && systemd-analyze verify --man=no odd.service 2>&1)
hbm_match "verify does report an unknown key" "Unknown key 'Frobnicate'" "$out"

# tools/install-key.sh, as `make install` runs it.
i="$HBM_SRCDIR/tools/install-key.sh"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	# nobody must reach the key and read the config: open the scratch dir
	# (as /var/lib is).
	chmod 755 "$HBM_TMP"
	out=$("$i" "$HBM_BUILD/hbmgwd" "$HBM_TMP/state/key" nobody 2>&1)
	hbm_eq "install-key.sh exits 0" 0 "$?"
	echo "# $out"
	hbm_eq "the key: 32 bytes, 0600, owned by the service user" \
		"32 600 nobody" "$(stat -c '%s %a %U' "$HBM_TMP/state/key")"
	hbm_eq "its directory: 0700, owned by the service user" \
		"700 nobody" "$(stat -c '%a %U' "$HBM_TMP/state")"
	HBM_REDIS_URL=tcp://127.0.0.1:9 hbm_config |
		sed "s|^privacy: .*|privacy: { key_file = \"$HBM_TMP/state/key\"; };|" \
		> "$HBM_TMP/nobody.conf"
	chmod 644 "$HBM_TMP/nobody.conf"
	hbm_eq "hbmgwd as the service user accepts it" "configuration OK" \
		"$(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
			"$HBM_BUILD/hbmgwd" -c "$HBM_TMP/nobody.conf" --check-config 2>&1)"
	out=$("$HBM_BUILD/hbmgwd" -c "$HBM_TMP/nobody.conf" --check-config 2>&1)
	hbm_match "and root does not (not its owner)" "owned by uid [0-9]+, must be owned by uid 0" "$out"
	before=$(sha256sum < "$HBM_TMP/state/key")
	out=$("$i" "$HBM_BUILD/hbmgwd" "$HBM_TMP/state/key" nobody 2>&1)
	hbm_eq "a second run exits 0" 0 "$?"
	hbm_match "and keeps the key" "exists, kept" "$out"
	hbm_eq "which is unchanged" "$before" "$(sha256sum < "$HBM_TMP/state/key")"
else
	out=$("$i" "$HBM_BUILD/hbmgwd" "$HBM_TMP/state/key" hbmgw-no-such-user 2>&1)
	hbm_eq "without root install-key.sh exits 0" 0 "$?"
	hbm_match "and says how to make the key" "--gen-key $HBM_TMP/state/key" "$out"
fi
hbm_done
