#!/bin/sh
# loopfree.sh - is the loop free while the database commits?  /healthz
# latency (p50, p99, worst; asked every 10 ms) while BUILD/bench/loadgen
# keeps tiendod busy, and the load's own ack latency (its result line).
#
#   sh tests/bench/loopfree.sh [BUILD_DIR] [MODE] [SLOW_MS]
#
# MODE rate: 10,000 reports/s in batches of 10, on a schedule (default);
#      full: 8 clients x 8 batches of 100 in flight, closed loop.
# SLOW_MS > 0: every fsync of the database and its WAL takes that much
#      longer (tests/shim/slowsync.c preloaded), a loaded disk.
# BENCH_SECONDS (10): how long.  LOADGEN: another loadgen binary.
set -eu
B=${1:-build}
MODE=${2:-rate}
SLOW=${3:-0}
DUR=${BENCH_SECONDS:-10}
LG=${LOADGEN:-$B/bench/loadgen}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-loopfree.XXXXXX")
dpid=""
trap '[ -z "$dpid" ] || kill "$dpid" 2>/dev/null; rm -rf "$work"' EXIT
. "$here/lib.sh"
bench_plan >"$work/plan.ini"
printf '[tiendod]\nsynchronous = full\nlog_level = notice\n' >"$work/tiendod.conf"
pre=""
if [ "$SLOW" -gt 0 ]; then
	cc -shared -fPIC -o "$work/slowsync.so" "$here/../shim/slowsync.c" -ldl
	touch "$work/slow.on"
	pre=$work/slowsync.so
fi
TIENDO_SLOW_FLAG=$work/slow.on TIENDO_SLOW_MS=$SLOW \
TIENDO_SLOW_FILES=$work/state/tiendo.db-wal:$work/state/tiendo.db \
LD_PRELOAD=$pre "$B/tiendod" -c "$work/tiendod.conf" --plan "$work/plan.ini" \
	--state-dir "$work/state" --ingest tcp://127.0.0.1:0 \
	--http 127.0.0.1:0 --plain 2>"$work/tiendod.log" &
dpid=$!
wait_until 60 test -s "$work/state/endpoints" || { echo "loopfree: tiendod did not start" >&2; exit 1; }
ingest=$(sed -n 's/^ingest=//p' "$work/state/endpoints")
http=$(sed -n 's/^http=//p' "$work/state/endpoints")
wait_until 60 curl -sf -o /dev/null "$http/healthz" || { echo "loopfree: /healthz never answered" >&2; exit 1; }
( end=$(( $(date +%s) + DUR ))
  while [ "$(date +%s)" -lt "$end" ]; do
	curl -s -o /dev/null -w '%{time_total}\n' --max-time 5 "$http/healthz"
	sleep 0.01
  done ) >"$work/healthz" &
hpid=$!
if [ "$MODE" = full ]; then
	"$LG" --connect "$ingest" --clients 8 --inflight 8 --batch 100 \
		--total 1000000000 --duration "$DUR" >"$work/load" 2>&1
else
	"$LG" --connect "$ingest" --rate 10000 --batch 10 --duration "$DUR" \
		>"$work/load" 2>&1
fi
wait "$hpid"
kill -TERM "$dpid"
wait "$dpid" || { echo "loopfree: tiendod did not stop cleanly" >&2; exit 1; }
dpid=""
sort -n "$work/healthz" | awk -v m="$MODE" -v s="$SLOW" '{ a[NR] = $1 } END {
	i = int(NR * 0.99); if (i < 1) i = 1
	printf "loopfree: %s, fsync +%s ms: healthz n=%d p50 %.1f ms p99 %.1f ms worst %.1f ms; ", m, s, NR, a[int((NR + 1) / 2)] * 1000, a[i] * 1000, a[NR] * 1000 }'
sed -n 's/^result.* rate=\([^ ]*\).* p50_ms=\([^ ]*\).* p99_ms=\([^ ]*\).*/ingest \1\/s, ack p50 \2 ms p99 \3 ms/p' "$work/load"
