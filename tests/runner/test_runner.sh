#!/bin/sh
# The runner's own tests: tests/run.sh, fed fixture suites (fixtures/) in a
# scratch tree, must turn red for every way a broken program could pass
# (an early exit 0, a partial or missing plan, a suite that was not built,
# an empty build directory), count skips, and lib.sh must clean up after a
# suite killed by any signal.
F=$(cd "$(dirname "$0")" && pwd)/fixtures
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/integration/lib.sh"
# The fixture runs see only what each case sets (make test sets these).
unset FUZZ_BUILD FUZZ_SECONDS TEST_TIMEOUT

# tree UNIT... -- SUITE...: a scratch source tree in $R with the real runner
# and lib.sh, one tests/unit/test_N.c and a built build/tests/test_N per
# unit fixture, one tests/integration/test_N.sh per shell fixture.
tree() {
	R=$(mktemp -d "$T/tree.XXXXXX")
	mkdir -p "$R/tests/unit" "$R/tests/integration" "$R/tests/fuzz" "$R/build/tests"
	cp "$TOP/tests/run.sh" "$R/tests/"
	cp "$TOP/tests/fuzz/run.sh" "$R/tests/fuzz/"
	cp "$TOP/tests/integration/lib.sh" "$R/tests/integration/"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		: >"$R/tests/unit/test_$1.c"
		cp "$F/unit_$1" "$R/build/tests/test_$1"
		chmod +x "$R/build/tests/test_$1"
		shift
	done
	[ $# -gt 0 ] && shift
	for s in "$@"; do cp "$F/suite_$s.sh" "$R/tests/integration/test_$s.sh"; done
}

# run [ARGS...]: the runner on $R; its output in $OUT, its status in $RC.
run() {
	[ $# -gt 0 ] || set -- build
	OUT=$(cd "$R" && sh tests/run.sh "$@" 2>&1)
	RC=$?
	LAST=$(printf '%s\n' "$OUT" | tail -n 1)
}

# red NAME: the last run failed, and its summary says so.
red() {
	if [ "$RC" -ne 0 ] && printf '%s\n' "$LAST" | grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed, [0-9]+ skipped$'
	then pass "$1"
	else flunk "$1" "status $RC" "$OUT"; fi
}

tree good two_groups -- good
run
expect_eq "all good: green, everything counted" "$RC $LAST" "0 8 passed, 0 failed, 0 skipped"

tree good -- good early
run
red "a shell suite that exits 0 early is red"
expect_match "... and says it stopped before finish" "$OUT" "not ok - the suite stopped \(status 0\) before finish"

tree good -- good crash
run
red "a shell suite killed before its plan is red"
expect_match "... for want of a plan" "$OUT" "integration/test_crash: no plan"

tree -- good daemonlog
run
red "a failed check is red"
expect_match "... and the end of each daemon log in its directory is shown" "$OUT" \
	"# --- daemon log, last lines of tiendod-old.log:
#   the first run's account
# --- daemon log, last lines of tiendod.log:"
expect_match "... down to its last line" "$OUT" "#   ERROR: AddressSanitizer: heap-use-after-free"
expect_eq "... its last 40 lines" "$(printf '%s\n' "$OUT" | grep -c '#   filler')" 39
FIXTURE_PASS=1 run
expect_eq "... and not when the suite passed" "$RC $(printf '%s\n' "$OUT" | grep -c 'daemon log')" "0 0"

tree good partial -- good
run
red "a unit program that exits 0 after 2 of 7 tests is red"
expect_match "... naming the unmet plan" "$OUT" "planned 7 tests, ran 2"

tree good noplan -- good
run
red "a unit program without a plan is red"

tree good -- good after
run
red "a shell suite with a check after its plan is red"
expect_match "... naming the count" "$OUT" "planned 1 tests, ran 2"

tree good -- good
: >"$R/tests/unit/test_lost.c"
run
red "a unit suite that was not built is red"
expect_match "... and named" "$OUT" "test_lost was not built"

tree good -- good
rm -f "$R"/build/tests/*
run
red "an empty build directory is red"

tree good -- good
run nowhere
red "a missing build directory is red"

tree good -- good
: >"$R/tests/fuzz/fuzz_thing.c"
mkdir -p "$R/build-fuzz/fuzz"
OUT=$(cd "$R" && FUZZ_BUILD=build-fuzz sh tests/run.sh build 2>&1); RC=$?
LAST=$(printf '%s\n' "$OUT" | tail -n 1)
red "a fuzz target that was not built is red"

tree good -- good
run build -- test_good test_nosuch
red "a suite asked for by name that does not exist is red"

tree good skip -- good skip
run
expect_eq "skips are counted, and are not failures" "$RC $LAST" "0 7 passed, 0 failed, 3 skipped"
expect_match "... and shown with their reasons" "$OUT" "# SKIP cannot mount a tmpfs here"

tree -- block
export FIXTURE_TEXT="report 1 ACCEPTED
report 2 REJECTED UNIT_NOT_ALLOWED"
run
red "a two-line expectation does not pass on its first line alone"
export FIXTURE_TEXT="report 2 ACCEPTED
report 1 ACCEPTED"
run
red "nor on its lines out of order"
export FIXTURE_TEXT="status OK
report 1 ACCEPTED NONE
report 2 ACCEPTED NONE"
run
expect_eq "and passes on both, in order" "$RC $LAST" "0 1 passed, 0 failed, 0 skipped"

# A suite killed by a signal other than INT and TERM still kills what it
# started.
export FIXTURE_PIDFILE="$T/child.pid"
for sig in HUP QUIT PIPE USR1 ALRM TERM; do
	rm -f "$FIXTURE_PIDFILE"
	tree -- signal
	FIXTURE_SIGNAL=$sig run
	child=$(cat "$FIXTURE_PIDFILE" 2>/dev/null)
	if [ -n "$child" ] && ! wait_for 5 sh -c "! kill -0 $child"; then
		kill -KILL "$child"
		flunk "SIG$sig: the suite's processes are killed" "pid $child still running"
	elif [ -z "$child" ]; then
		flunk "SIG$sig: the suite's processes are killed" "the fixture did not start" "$OUT"
	else
		pass "SIG$sig: the suite's processes are killed"
	fi
	red "SIG$sig: the suite is red"
done
finish
