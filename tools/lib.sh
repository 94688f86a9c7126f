# SPDX-License-Identifier: GPL-2.0-or-later
# Shell functions the integration harness (tests/integration/lib.sh) and
# the benchmarks (bench/lib.sh) share. Source it; bash only.

# A TCP port on 127.0.0.1 that nothing listens on right now, below the
# ephemeral range (32768 up), where connections made meanwhile cannot take
# it first.
hbm_free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Wait until a command succeeds: hbm_wait SECONDS CMD...; 1 when it never
# did.
hbm_wait() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $((limit * 20)) ] && return 1
		sleep 0.05
	done
}
