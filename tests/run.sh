#!/bin/sh
# Runs every test suite and sums them up.
#   tests/run.sh BUILD_DIR [SUITE...]
# Unit tests are the cmocka programs in BUILD_DIR/tests (TAP output);
# integration tests are tests/integration/test_*.sh, which print TAP-style
# "ok - ..." / "not ok - ..." lines.  The last line is "N passed, N failed".
set -u
B=${1:-build}
shift 2>/dev/null || true
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$top" && cd "$B" && pwd)
export B
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0
fail=0

count() {
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	pass=$((pass + p))
	fail=$((fail + f))
	printf '%-40s %4d passed, %d failed\n' "$1" "$p" "$f"
	[ "$f" -eq 0 ] || grep '^not ok ' "$log" | sed 's/^/    /'
}

suites="${*:-}"
cd "$top"
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	[ -z "$suites" ] || echo " $suites " | grep -q " $(basename "$t") " || continue
	CMOCKA_MESSAGE_OUTPUT=tap "$t" >"$log" 2>&1
	rc=$?
	count "$name"
	# A crash before the summary would count nothing: count it.
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		fail=$((fail + 1))
		echo "    not ok - $name exited $rc"; tail -5 "$log" | sed 's/^/    /'
	fi
done
for t in tests/integration/test_*.sh; do
	[ -f "$t" ] || continue
	name=integration/$(basename "$t" .sh)
	[ -z "$suites" ] || echo " $suites " | grep -q " $(basename "$t" .sh) " || continue
	timeout 600 sh "$t" >"$log" 2>&1
	rc=$?
	count "$name"
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		fail=$((fail + 1))
		echo "    not ok - $name exited $rc"; tail -15 "$log" | sed 's/^/    /'
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
