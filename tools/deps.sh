#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages hbmgw needs, when they are missing.
#
#   tools/deps.sh build   libraries and tools to build hbmgwd and hbmctl
#   tools/deps.sh run     build, plus redis-server, redis-cli and curl for
#                         `make run` (and the commands it prints)
#   tools/deps.sh test    run, plus cmocka, curl, redis-tools,
#                         redis-sentinel, Kannel and luacheck for
#                         `make check`
#   tools/deps.sh bench   test, plus wrk for `make bench`
#
# Each library is looked up with pkg-config and each tool with command -v;
# only what is missing is installed, with `apt-get install -y` (as root).
set -eu

want=${1:-build}
missing=""

need_pc() { # pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_file() { # file, Debian package
	[ -e "$1" ] || missing="$missing $2"
}

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
	need_pc libmicrohttpd libmicrohttpd-dev
	need_pc hiredis libhiredis-dev
	need_pc gammu libgammu-dev
	need_pc libconfig libconfig-dev
	need_pc jansson libjansson-dev
	need_pc libcurl libcurl4-openssl-dev
	need_pc libcrypto libssl-dev
	need_pc libsystemd libsystemd-dev
	need_pc libcrypt libcrypt-dev
	# Snowball stemmers for the keyword matcher: no pkg-config file.
	need_file /usr/include/libstemmer.h libstemmer-dev
else
	missing="$missing libmicrohttpd-dev libhiredis-dev libgammu-dev \
libconfig-dev libjansson-dev libcurl4-openssl-dev libssl-dev \
libsystemd-dev libcrypt-dev"
	need_file /usr/include/libstemmer.h libstemmer-dev
fi
# Chart.js, embedded in the console (the coordinator page's charts).
need_file /usr/share/javascript/chart.js/chart.min.js libjs-chart.js
case $want in
run | test | bench)
	need_cmd redis-server redis-server
	need_cmd redis-cli redis-tools
	need_cmd curl curl
	;;
esac
case $want in
test | bench)
	need_file /usr/include/cmocka.h libcmocka-dev
	need_cmd curl curl
	need_cmd redis-cli redis-tools
	# Redis Sentinel: the failover scenario (t_sentinel).
	need_cmd redis-sentinel redis-sentinel
	need_cmd python3 python3
	# libgammu's AT driver against the simulated modem (t_atsim).
	need_cmd gammu gammu
	# Kannel (t_kannel, and the bench's reference): bearerbox and smsbox
	# are in /usr/sbin (not on a user's PATH); fakesmsc, its test SMSC,
	# is in kannel-extras.
	need_file /usr/sbin/bearerbox kannel
	need_file /usr/sbin/smsbox kannel
	need_file /usr/lib/kannel/test/fakesmsc kannel-extras
	# systemd-analyze rates the unit's sandbox (t_unit).
	need_cmd systemd-analyze systemd
	# setpriv runs hbmgwd as another user (t_unit).
	need_cmd setpriv util-linux
	# promtool checks contrib/'s alerting rules (t_modem_at).
	need_cmd promtool prometheus
	# luacheck checks the Redis scripts of store/lua/ (tests/run.sh lua).
	need_cmd luacheck lua-check
	# The console in a real browser, headless (t_console, t_events, t_a11y;
	# t_a11y's axe-core is in tests/browser/vendor/, not a package).
	need_cmd chromium chromium
	need_cmd chromedriver chromium-driver
	need_file /usr/lib/python3/dist-packages/selenium python3-selenium
	;;
esac
case $want in
bench)
	need_cmd wrk wrk
	need_cmd redis-benchmark redis-tools
	need_cmd bc bc # bench/modem.sh's arithmetic
	;;
esac

[ -z "$missing" ] && exit 0

echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root, or install them with:" >&2
	echo "      apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing them with apt-get (this happens once)"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q $missing; then
	echo "deps: refreshing the package lists and trying again"
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q $missing
fi
