#!/bin/sh
# Runs every test suite against each build directory given, and sums up.
#   tests/run.sh BUILD_DIR... [-- SUITE...]
# The suites are found from the sources, not from what was built, so that a
# suite that did not build is a failure, not a silence:
#   tests/unit/test_X.c         -> BUILD_DIR/tests/test_X (cmocka, TAP)
#   tests/integration/test_X.sh -> run with B=BUILD_DIR
#   tests/runner/test_X.sh      -> once (the runner's own tests)
#   tests/fuzz/fuzz_X.c         -> FUZZ_BUILD/fuzz/fuzz_X, when FUZZ_BUILD
#                                  is set (tests/fuzz/run.sh)
# Every suite must print its TAP plan ("1..N"; several plans add up) and
# exactly that many "ok" / "not ok" lines, and exit 0: a missing or unmet
# plan, a missing program, a nonzero exit is a failure.  "ok ... # SKIP
# why" lines are counted as skipped.  The last line is
#   N passed, N failed, N skipped
# and the exit status is 0 only when nothing failed.  TEST_TIMEOUT (s)
# bounds each suite (default 600 for a unit program, 900 for a script).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builds=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do builds="$builds $1"; shift; done
[ $# -gt 0 ] && shift
suites="$*"
[ -n "$builds" ] || builds=build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT TERM HUP
pass=0
fail=0
skip=0
found=""

wanted() {
	found="$found $1 "
	[ -z "$suites" ] || echo " $suites " | grep -q " $1 "
}

# judge NAME STATUS: checks the TAP in $log against its plan and adds it up.
judge() {
	p=$(grep -Eic '^ok\b.*#[[:space:]]*skip' "$log")
	s=$p
	p=$(($(grep -Ec '^ok\b' "$log") - s))
	f=$(grep -Ec '^not ok\b' "$log")
	# "not ok N # SKIP" is how some cmocka versions print a skip.
	ns=$(grep -Eic '^not ok\b.*#[[:space:]]*skip' "$log")
	f=$((f - ns)); s=$((s + ns))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | awk '{ n += $1 } END { print NR ? n : "" }')
	ran=$((p + f + s))
	why=""
	if [ -z "$plan" ]; then why="no plan (1..N): it stopped before its end"
	elif [ "$plan" -ne "$ran" ]; then why="planned $plan tests, ran $ran"
	elif [ "$2" -ne 0 ]; then why="exited $2"
	fi
	[ -z "$why" ] || f=$((f + 1))
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	printf '%-44s %4d passed, %d failed, %d skipped\n' "$1" "$p" "$f" "$s"
	grep -Ei '^ok\b.*#[[:space:]]*skip|^not ok\b.*#[[:space:]]*skip' "$log" | sed 's/^/    /'
	grep -Ev '#[[:space:]]*[Ss][Kk][Ii][Pp]' "$log" | grep -A3 '^not ok\b' | sed 's/^/    /'
	if [ -n "$why" ]; then
		echo "    not ok - $1: $why"
		sed '/^# --- daemon log/,$d' "$log" | tail -15 | sed 's/^/    /'
	fi
	# lib.sh's excerpt of the daemon logs, when the suite failed.
	[ "$f" -eq 0 ] || sed -n '/^# --- daemon log/,$p' "$log" |
		grep '^#' | head -n 120 | sed 's/^/    /'
}

# missing NAME WHAT: a suite whose source exists but which cannot be run.
missing() {
	fail=$((fail + 1))
	printf '%-44s %4d passed, %d failed, %d skipped\n' "$1" 0 1 0
	echo "    not ok - $1: $2"
}

for t in tests/runner/test_*.sh; do
	[ -f "$t" ] || continue
	wanted "$(basename "$t" .sh)" || continue
	timeout 600 sh "$t" >"$log" 2>&1
	judge "runner/$(basename "$t" .sh)" $?
done

for b in $builds; do
	tag=$(basename "$b")
	if ! B=$(cd "$b" 2>/dev/null && pwd); then
		missing "$tag" "no build directory $b"
		continue
	fi
	export B
	for src in tests/unit/test_*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		wanted "$name" || continue
		t=$B/tests/$name
		if [ ! -x "$t" ]; then missing "$tag unit/$name" "$t was not built"; continue; fi
		CMOCKA_MESSAGE_OUTPUT=tap timeout "${TEST_TIMEOUT:-600}" "$t" >"$log" 2>&1
		judge "$tag unit/$name" $?
	done
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		wanted "$(basename "$t" .sh)" || continue
		timeout "${TEST_TIMEOUT:-900}" sh "$t" >"$log" 2>&1
		judge "$tag integration/$(basename "$t" .sh)" $?
	done
done
# libFuzzer targets (make fuzz builds them), each for a short bounded time;
# tests/fuzz/run.sh plans one line per tests/fuzz/fuzz_*.c.
if [ -n "${FUZZ_BUILD:-}" ] && wanted fuzz; then
	sh tests/fuzz/run.sh "$FUZZ_BUILD" "${FUZZ_SECONDS:-15}" >"$log" 2>&1
	judge "fuzz (${FUZZ_SECONDS:-15} s each)" $?
fi
# A suite asked for by name that does not exist is not a pass.
for s in $suites; do
	case $found in *" $s "*) ;; *) missing "$s" "no such suite" ;; esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
