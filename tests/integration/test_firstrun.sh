#!/bin/sh
# A fresh clone on a machine that never had the test packages: every
# compile that needs one (cmocka.h for tests/unit, clang for the fuzz
# build) must come after `scripts/deps.sh test` in the dependency graph, not
# merely earlier in make's serial order, so that `make -j` is safe too.
# make run, bench and chaos install what they need before using it.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
C="$T/clone"
mkdir -p "$C"
# The working tree as a clone would have it: no build directories.
(cd "$top" && tar cf - --exclude=./build --exclude=./build-san \
	--exclude=./build-fuzz --exclude=./run --exclude=./.git .) | (cd "$C" && tar xf -)

# before NAME FIRST_PATTERN LATER_PATTERN MAKE_ARGS...: in what
# `make -n MAKE_ARGS` would run on the clean clone, a line matching
# FIRST_PATTERN comes before the first line matching LATER_PATTERN.
before() {
	name=$1 first=$2 later=$3; shift 3
	plan=$(cd "$C" && env -u B -u SAN -u FUZZ -u MAKEFLAGS make -n --no-print-directory "$@" 2>&1)
	a=$(printf '%s\n' "$plan" | grep -nE -- "$first" | head -1 | cut -d: -f1)
	b=$(printf '%s\n' "$plan" | grep -nE -- "$later" | head -1 | cut -d: -f1)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then pass "$name"
	else flunk "$name" "'$first' at line ${a:-none}, '$later' at line ${b:-none}" \
		"$(printf '%s\n' "$plan" | head -8)"; fi
}

# Each object on its own: its prerequisites alone must install the packages.
for src in "$C"/tests/unit/test_*.c; do
	f=tests/unit/$(basename "$src")
	before "build/obj/${f%.c}.o waits for deps.sh test" 'deps\.sh test' "-c $f" \
		"build/obj/${f%.c}.o"
done
for src in "$C"/tests/fuzz/fuzz_*.c; do
	f=tests/fuzz/$(basename "$src")
	before "FUZZ=1 build-fuzz/obj/${f%.c}.o waits for deps.sh test" 'deps\.sh test' \
		"-c $f" FUZZ=1 "build-fuzz/obj/${f%.c}.o"
done
before "FUZZ=1: clang compiles nothing before deps.sh test" 'deps\.sh test' '^clang ' \
	FUZZ=1 build-fuzz/obj/core/decimal.o
before "make test: deps.sh test before the first unit compile" 'deps\.sh test' \
	'-c tests/unit/' -B test
before "make test: deps.sh build before the first compile" 'deps\.sh build' ' -c ' -B test
before "make bench: deps.sh test (curl, sqlite3) before the benchmarks" \
	'deps\.sh test' 'tests/bench/run\.sh' -B bench
before "make chaos: deps.sh test (sqlite3, jq, curl) before the chaos run" \
	'deps\.sh test' 'tests/chaos/chaos\.sh' -B chaos
before "make fuzz: deps.sh test before the fuzz build" 'deps\.sh test' 'FUZZ=1' fuzz
expect_match "make run: run-demo.sh installs curl and jq first" \
	"$(sed -n '/^[^#]/{/deps\.sh run/{p;q};/curl\|jq\|tiendod/{p;q}}' "$C/scripts/run-demo.sh")" \
	'deps\.sh run'
expect_match "deps.sh: the run list has curl and jq" \
	"$(grep '^run=' "$C/scripts/deps.sh")" 'curl.*jq|jq.*curl'
finish
