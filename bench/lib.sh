# SPDX-License-Identifier: GPL-2.0-or-later
# What the benchmark scripts share. Source it after setting BENCH_NAME (the
# prefix of error lines) and RESULTS (the report file, or /dev/null).

# Print a line and keep it in RESULTS.
say() {
	printf '%s\n' "$*"
	printf '%s\n' "$*" >> "$RESULTS"
}

die() {
	say "$BENCH_NAME: $*"
	exit 1
}

# Wait until a command succeeds: wait_for SECONDS CMD...; 1 when it never
# did.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $((limit * 20)) ] && return 1
		sleep 0.05
	done
}

# A TCP port nothing listens on, below the ephemeral range (32768 up), where
# connections made meanwhile cannot take it first.
free_port() {
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
