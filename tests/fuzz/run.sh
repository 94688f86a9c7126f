#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run libFuzzer targets built by `make fuzz` (build-fuzz/tests/fuzz_<name>)
# and print one summary line for each: executions, coverage (cov: edges,
# ft: features), crashes and seconds.
#
#   tests/fuzz/run.sh [-t SECONDS] [-r RUNS] NAME...
#
# -t stops each target after SECONDS (libFuzzer -max_total_time), -r after
# RUNS executions (-runs); with both, whichever comes first. Each target
# starts from tests/fuzz/corpus/<name>/ and keeps what it finds in
# build-fuzz/corpus/<name>/; crash, leak and timeout inputs go to
# build-fuzz/artifacts/<name>/ and the full log to build-fuzz/log/<name>.
# Exits 1 when any target crashed. FUZZ_BIN names another directory of
# binaries (default build-fuzz/tests). tests/fuzz/<name>.options holds a
# target's own libFuzzer flags; with -detect_leaks=0, every input the run
# kept is run once more with leak checks at the end (log: <name>.leaks).
# TMPDIR defaults to /dev/shm when there is one.
set -u
bin=${FUZZ_BIN:-build-fuzz/tests}

seconds=0 runs=-1
while getopts t:r: opt; do
	case $opt in
	t) seconds=$OPTARG ;;
	r) runs=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-r RUNS] NAME..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# fuzz_cfg writes each input to a file under $TMPDIR: memory is faster
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi

# known leaks in libraries we do not own (tests/fuzz/lsan.supp)
LSAN_OPTIONS=suppressions=$(pwd)/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
export LSAN_OPTIONS

failed=0
printf '%-16s %12s %7s %7s %8s %6s\n' target execs cov ft crashes secs
for t in "$@"; do
	art=build-fuzz/artifacts/$t
	log=build-fuzz/log/$t
	mkdir -p build-fuzz/corpus/"$t" "$art" build-fuzz/log
	seeds=
	[ -d tests/fuzz/corpus/"$t" ] && seeds=tests/fuzz/corpus/$t
	# a target's own libFuzzer flags, one a line (tests/fuzz/<name>.options)
	opts=
	[ -f tests/fuzz/"$t".options ] &&
	    opts=$(grep -v '^#' tests/fuzz/"$t".options | tr '\n' ' ')
	touch "$log.start"
	start=$(date +%s)
	# shellcheck disable=SC2086 # $opts and $seeds are lists
	"$bin"/fuzz_"$t" -max_total_time="$seconds" -runs="$runs" \
	    -max_len=4096 -timeout=25 -print_final_stats=1 $opts \
	    -artifact_prefix="$art"/ build-fuzz/corpus/"$t" $seeds \
	    >"$log" 2>&1
	rc=$?
	# Leak checks off for speed: every input kept is run again with them.
	case " $opts " in
	*" -detect_leaks=0 "*)
		# shellcheck disable=SC2086
		"$bin"/fuzz_"$t" -runs=0 -max_len=4096 -timeout=25 \
		    -artifact_prefix="$art"/ build-fuzz/corpus/"$t" $seeds \
		    >"$log.leaks" 2>&1 || rc=1
		;;
	esac
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	crashes=$(find "$art" -type f -newer "$log.start" | wc -l)
	[ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
	[ "$crashes" -ne 0 ] && failed=1
	printf '%-16s %12s %7s %7s %8s %6s\n' "fuzz_$t" "${execs:-?}" \
	    "${cov:-?}" "${ft:-?}" "$crashes" "$secs"
done
exit $failed
