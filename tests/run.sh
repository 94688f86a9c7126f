#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the test suite: the Redis scripts through luacheck (.luacheckrc), unit
# tests (cmocka), config files (good and bad, through hbmgwd --check-config),
# fuzz targets over their corpus (tests/fuzz/driver.c), integration scenarios
# (a real redis-server and the real daemon on loopback). Prints one line per
# script, test program or scenario and ends with "N passed, N failed".
#
#   tests/run.sh BUILD [lua|unit|config|fuzz|integration ...]
set -u

build=${1:-build}
shift || true
phases=${*:-lua unit config fuzz integration}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export HBM_BUILD="$top/$build" HBM_SRCDIR="$top"

passed=0
failed=0
failures=()
logdir=$(mktemp -d /tmp/hbm-tests.XXXXXX)

result() { # name, status, log file
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok      %s\n' "$1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		printf 'FAIL    %s\n' "$1"
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			grep -E '^not ok' "$3" | sed 's/^/        | /'
			sed 's/^/        | /' "$3" | tail -n 60
		fi
	fi
}

run_lua() {
	local f
	if ! command -v luacheck > /dev/null 2>&1; then
		echo "luacheck: not found (Debian package lua-check)" > "$logdir/l.log"
		result "lua/luacheck" 1 "$logdir/l.log"
		return
	fi
	for f in store/lua/*.lua store/lua/lib/*.lua tests/unit/lua/*.lua; do
		[ -e "$f" ] || continue
		luacheck --no-color --codes "$f" > "$logdir/l.log" 2>&1
		result "lua/${f#store/lua/}" $? "$logdir/l.log"
	done
}

run_unit() {
	local t name rc
	# Unit tests that need Redis get a throwaway one on a unix socket.
	source tests/integration/lib.sh
	hbm_tmp_init
	hbm_redis_start unix
	export HBM_TEST_REDIS_SOCKET="$HBM_REDIS_SOCKET"
	for t in "$HBM_BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name="unit/$(basename "$t")"
		timeout 300 "$t" > "$logdir/u.log" 2>&1
		rc=$?
		result "$name" $rc "$logdir/u.log"
	done
	hbm_cleanup
}

run_config() {
	local f out rc base cwd
	# --check-config also checks the privacy key: the good files name
	# run/key (as config/dev.conf does), made here in a scratch working
	# directory; the example's installed path is pointed there too.
	cwd=$logdir/config
	mkdir -p "$cwd/run"
	(umask 077 && head -c 32 /dev/urandom > "$cwd/run/key")
	sed 's|key_file = "/var/lib/hbmgw/key"|key_file = "run/key"|' \
		config/hbmgw.conf.example > "$cwd/hbmgw.conf.example"
	for f in tests/config/good/*.conf config/hbmgw.conf.example config/dev.conf; do
		[ -e "$f" ] || continue
		if [ "$f" = config/hbmgw.conf.example ]; then
			base=$cwd/hbmgw.conf.example
		else
			base=$top/$f
		fi
		out=$(cd "$cwd" && "$HBM_BUILD/hbmgwd" -c "$base" --check-config 2>&1)
		rc=$?
		[ $rc -eq 0 ] && [ "$out" = "configuration OK" ]
		rc=$?
		echo "$out" > "$logdir/c.log"
		result "config/$f" $rc "$logdir/c.log"
	done
	for f in tests/config/bad/*.conf; do
		[ -e "$f" ] || continue
		base=${f%.conf}
		"$HBM_BUILD/hbmgwd" -c "$f" --check-config > "$logdir/c.out" 2> "$logdir/c.err"
		rc=$?
		if [ $rc -eq 1 ] && diff -u "$base.err" "$logdir/c.err" > "$logdir/c.log"; then
			rc=0
		else
			echo "exit status $rc" >> "$logdir/c.log"
			rc=1
		fi
		result "config/$f" $rc "$logdir/c.log"
	done
}

run_fuzz() {
	local t name corpus
	for t in "$HBM_BUILD"/tests/fuzz_*; do
		[ -x "$t" ] || continue
		name=${t##*/fuzz_}
		corpus=tests/fuzz/corpus/$name
		[ -d "$corpus" ] || corpus=
		timeout 300 "$t" $corpus > "$logdir/f.log" 2>&1
		result "fuzz/$name" $? "$logdir/f.log"
	done
}

run_integration() {
	local t rc
	for t in tests/integration/t_*.sh; do
		[ -e "$t" ] || continue
		timeout 600 bash "$t" > "$logdir/i.log" 2>&1
		rc=$?
		result "integration/$(basename "$t" .sh)" $rc "$logdir/i.log"
	done
}

for phase in $phases; do
	case $phase in
	lua) run_lua ;;
	unit) run_unit ;;
	config) run_config ;;
	fuzz) run_fuzz ;;
	integration) run_integration ;;
	*) echo "tests/run.sh: unknown phase $phase" >&2; exit 2 ;;
	esac
done

rm -rf "$logdir"
echo
if [ $failed -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
