#!/bin/sh
# Runs every libFuzzer target of a fuzz build for a bounded time, starting
# from its seed corpus in tests/fuzz/corpus/NAME (kept read-only: new inputs
# go to a temporary directory).  Prints TAP-style lines:
#   ok - fuzz_batch: 123456 runs in 15 s, 87 corpus entries
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]     (default build-fuzz, 15)
# A crash, leak, sanitizer report or timeout is "not ok", with the reproducer
# copied to BUILD_DIR/fuzz/crashes/.  The targets are the sources
# tests/fuzz/fuzz_*.c, one planned line each: one that was not built fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FB=${1:-build-fuzz}
SECS=${2:-15}
work=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
echo "1..$(ls tests/fuzz/fuzz_*.c 2>/dev/null | wc -l)"
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	f=$FB/fuzz/$name
	if [ ! -x "$f" ]; then
		fail=1
		echo "not ok - $name: $f was not built"
		continue
	fi
	seeds=tests/fuzz/corpus/${name#fuzz_}
	mkdir -p "$work/$name" "$FB/fuzz/crashes"
	"$f" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$FB/fuzz/crashes/$name-" \
		"$work/$name" "$seeds" >"$work/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
	corpus=$(ls "$work/$name" | wc -l)
	if [ $rc -eq 0 ]; then
		echo "ok - $name: ${runs:-?} runs in $SECS s, $corpus new corpus entries"
	else
		fail=1
		echo "not ok - $name: exit $rc after ${runs:-?} runs"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$work/$name.log" |
			head -8 | sed 's/^/#   /'
	fi
done
exit $fail
