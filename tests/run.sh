#!/bin/sh
# Runs every test suite against each build directory given, and sums up.
#   tests/run.sh BUILD_DIR... [-- SUITE...]
# Unit tests are the cmocka programs in BUILD_DIR/tests (TAP output);
# integration tests are tests/integration/test_*.sh, which print TAP-style
# "ok - ..." / "not ok - ..." lines; with FUZZ_BUILD=DIR the fuzz targets
# run too (tests/fuzz/run.sh).  The last line is "N passed, N failed".
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
pass=0
fail=0

wanted() { [ -z "$suites" ] || echo " $suites " | grep -q " $1 "; }

# count NAME STATUS: adds up the TAP lines in $log.
count() {
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	pass=$((pass + p))
	fail=$((fail + f))
	printf '%-44s %4d passed, %d failed\n' "$1" "$p" "$f"
	[ "$f" -eq 0 ] || grep -A3 '^not ok ' "$log" | sed 's/^/    /'
	# A crash before any "not ok" would count nothing: count it.
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail=$((fail + 1))
		echo "    not ok - $1 exited $2"
		tail -15 "$log" | sed 's/^/    /'
	fi
}

for b in $builds; do
	B=$(cd "$b" && pwd) || { fail=$((fail + 1)); continue; }
	export B
	tag=$(basename "$B")
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		wanted "$(basename "$t")" || continue
		CMOCKA_MESSAGE_OUTPUT=tap "$t" >"$log" 2>&1
		count "$tag unit/$(basename "$t")" $?
	done
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		wanted "$(basename "$t" .sh)" || continue
		timeout 900 sh "$t" >"$log" 2>&1
		count "$tag integration/$(basename "$t" .sh)" $?
	done
done
# libFuzzer targets (make fuzz builds them), each for a short bounded time.
if [ -n "${FUZZ_BUILD:-}" ] && wanted fuzz; then
	sh tests/fuzz/run.sh "$FUZZ_BUILD" "${FUZZ_SECONDS:-15}" >"$log" 2>&1
	count "fuzz (${FUZZ_SECONDS:-15} s each)" $?
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
