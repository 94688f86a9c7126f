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

# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"
wait_for() { hbm_wait "$@"; }
free_port() { hbm_free_port; }
