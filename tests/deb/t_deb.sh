#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package on this machine (make check-deb, as root: it installs
# and removes a package): installed with dpkg -i, it made the service user,
# a privacy key that only that user reads, the configuration as a conffile
# that passes --check-config as the service user, the unit and the man
# pages; the installed daemon runs against a test redis-server and is
# ready; an upgrade keeps the key; dpkg -r keeps configuration and key;
# dpkg --purge removes both.
#
#   tests/deb/t_deb.sh build-pkg/hbmgw_VERSION-1_ARCH.deb
source "$(dirname "$0")/../integration/lib.sh"
DEB=${1:?usage: t_deb.sh PACKAGE.deb}
if [ "$(id -u)" -ne 0 ]; then
	echo "t_deb: installs a package: run it as root" >&2
	exit 1
fi
if dpkg-query -W -f='${Status}' hbmgw 2>/dev/null | grep -q 'install ok installed'; then
	echo "t_deb: hbmgw is installed already; this test would remove it" >&2
	exit 1
fi
hbm_tmp_init
chmod 755 "$HBM_TMP"
# Whatever happens, the machine is left without the package.
trap 'dpkg --purge hbmgw > /dev/null 2>&1; hbm_cleanup' EXIT

installed() { dpkg-query -W -f='${Status}' hbmgw 2>/dev/null | grep -q "$1"; }
owner_mode() { stat -c '%U:%G %a' "$1"; }

hbm_check "dpkg -i installs it" dpkg -i "$DEB"
hbm_check "the package is installed" installed 'install ok installed'
hbm_check "the service user exists" id hbmgw
hbm_check "in the dialout group, for the modems" bash -c 'id -nG hbmgw | grep -qw dialout'
hbm_eq "the key is the service user's alone" "hbmgw:hbmgw 600" "$(owner_mode /var/lib/hbmgw/key)"
hbm_eq "the key is 32 bytes" 32 "$(stat -c %s /var/lib/hbmgw/key)"
hbm_eq "the configuration is readable by the service only" "root:hbmgw 640" "$(owner_mode /etc/hbmgw/hbmgw.conf)"
hbm_match "the configuration is a conffile" '/etc/hbmgw/hbmgw.conf' "$(dpkg-query -W -f='${Conffiles}' hbmgw)"
hbm_check "the unit is installed" test -f /lib/systemd/system/hbmgwd.service
hbm_check "the sysusers file is installed" test -f /usr/lib/sysusers.d/hbmgw.conf
for m in man1/hbmctl.1 man5/hbmgw.conf.5 man8/hbmgwd.8; do
	hbm_check "man page $m" test -f "/usr/share/man/$m.gz"
done
hbm_check "the installed configuration passes --check-config as hbmgw" \
	runuser -u hbmgw -- /usr/sbin/hbmgwd -c /etc/hbmgw/hbmgw.conf --check-config
hbm_match "hbmctl runs" '^hbmctl ' "$(/usr/bin/hbmctl --version 2>&1)"

# The installed daemon, as the service user, with the installed key,
# against a test redis-server on loopback.
hbm_redis_start
PORT=$(hbm_free_port)
cat > "$HBM_TMP/gw.conf" <<CONF
gateway: { instance = "deb"; country_code = "256"; };
redis: { url = "$HBM_REDIS_URL"; };
http: { listen = "127.0.0.1:$PORT"; };
metrics: { listen = "127.0.0.1:0"; };
privacy: { key_file = "/var/lib/hbmgw/key"; };
channels = ( { name = "agg"; type = "http"; url = "http://127.0.0.1:9/send"; } );
CONF
chmod 644 "$HBM_TMP/gw.conf"
# setpriv execs the daemon itself, so the signal below reaches it.
setpriv --reuid=hbmgw --regid=hbmgw --init-groups \
	/usr/sbin/hbmgwd -c "$HBM_TMP/gw.conf" 2> "$HBM_TMP/hbmgwd.log" &
HBM_DAEMON_PID=$!
HBM_URL=http://127.0.0.1:$PORT
ready() { [ "$(hbm_status GET /readyz)" = 200 ]; }
hbm_check "the installed daemon is ready" hbm_wait 20 ready
kill -TERM "$HBM_DAEMON_PID"
wait "$HBM_DAEMON_PID"
hbm_eq "and stops cleanly" 0 "$?"
HBM_DAEMON_PID=""

sum=$(sha256sum < /var/lib/hbmgw/key)
hbm_check "installing it again (an upgrade) works" dpkg -i "$DEB"
hbm_eq "and keeps the key" "$sum" "$(sha256sum < /var/lib/hbmgw/key)"

hbm_check "dpkg -r removes it" dpkg -r hbmgw
hbm_check "the daemon is gone" test ! -e /usr/sbin/hbmgwd
hbm_check "the configuration stays" test -f /etc/hbmgw/hbmgw.conf
hbm_eq "and the key" "$sum" "$(sha256sum < /var/lib/hbmgw/key)"

hbm_check "dpkg --purge purges it" dpkg --purge hbmgw
hbm_check "the configuration is gone" test ! -e /etc/hbmgw/hbmgw.conf
hbm_check "the key is gone" test ! -e /var/lib/hbmgw
hbm_check "the package is unknown" bash -c '! dpkg-query -W -f="\${Status}" hbmgw 2>/dev/null | grep -q installed'
hbm_done
