# SPDX-License-Identifier: GPL-2.0-or-later
# What the benchmark scripts share. Source it first; set BENCH_NAME (the
# prefix of error lines) and RESULTS (the report file, or /dev/null) before
# calling say or die. It sets SRCDIR, the source tree.

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The build directory BUILD ("build" when empty) as an absolute path:
# relative ones are taken from the source tree.
bench_build() {
	case ${1:-build} in
	/*) echo "$1" ;;
	*) echo "$SRCDIR/${1:-build}" ;;
	esac
}

# Print a line and keep it in RESULTS.
say() {
	printf '%s\n' "$*"
	printf '%s\n' "$*" >> "$RESULTS"
}

die() {
	say "$BENCH_NAME: $*"
	exit 1
}

# hbm_free_port, hbm_wait
# shellcheck source=tools/lib.sh
. "$SRCDIR/tools/lib.sh"
