#!/bin/sh
# run.sh - tiendo's benchmark.  `make bench` builds everything and runs it.
#
#   sh tests/bench/run.sh [BUILD_DIR]        (default: build)
#
# In one run, on fresh databases in a mktemp -d directory, it prints:
#   1. the ceiling: the daemon's own store module inserting the same rows,
#      WAL and synchronous=FULL, no network (BUILD_DIR/bench/ceiling), in
#      transactions of clients x inflight x batch rows: the most tiendod
#      can gather into one group commit from this load, so the ceiling is
#      the highest it could be and the ratio below errs low, never high;
#   2. tiendod's sustained durable ingest rate, 8 clients each keeping 8
#      batches of 100 in flight, every report acked FATE_ACCEPTED
#      (BUILD_DIR/bench/loadgen), and its ratio to the ceiling;
#   3. tiendod's peak RSS (VmHWM) once it holds those reports, and again
#      after a restart that rebuilds the tallies from them, with the time
#      from exec to /healthz answering;
#   4. ack latency p50/p99 at a fixed offered load of 10,000 reports/s:
#      batches of 10 sent on a schedule (one every 1 ms, spread over the
#      clients), timed from when each was due, so a stall is not hidden;
#      and the p99 of the same acks and of the commits as tiendod's own
#      histograms timed them (the bucket that holds it);
#   5. alert latency p50/p99 under that same load: from sending a report
#      that crosses a threshold to the alert arriving at a SUB socket
#      (BUILD_DIR/bench/alertlat, the daemon with --alert-pending 0);
#   6. the timer's full evaluation of the alert rules on a plan of
#      1,000 units x 100 tasks (BUILD_DIR/bench/rules_eval), CPU ms.
#   7. the cost of CurveZMQ: 2 and 4 again on a fresh database with CURVE on
#      (every client its own key, the daemon's ZAP handler), against the
#      plain runs above;
#   8. issue 15's side by side (tests/bench/sidebyside.sh): raw SQLite
#      ceilings at tiendod's own group size (the minimal schema, the
#      store's, one lever at a time), the p50/p99 of one 10-row FULL
#      commit, one report per message (1,000 clients x 1 in flight; 8 x 4
#      at FULL and at normal) against Mosquitto QoS 1 with persistence
#      (same clients, window and payload; CPU per message of both), and a
#      restart with 10 M reports against a raw scan;
#   9. the hostile section, tests/bench/hostile.sh: attacks on loopback;
#  10. the national section, tests/bench/national.sh (BENCH_NATIONAL=0
#      skips it): a country-sized plan through an alert storm.
# Then the goals of issue 15 with what was measured, and the total time.
# Exits non-zero if anything failed (a report not
# accepted, a daemon that would not start or stop, a stored count that
# differs from the acked one); a missed target is reported, not fatal.
#
# Knobs (environment):
#   BENCH_REPORTS=1000000   rows for the ceiling and reports for the
#                           sustained run
#   BENCH_CLIENTS=8  BENCH_INFLIGHT=8  BENCH_BATCH=100
#   BENCH_CEILING_BATCH     rows per ceiling transaction (default
#                           BENCH_CLIENTS * BENCH_INFLIGHT * BENCH_BATCH)
#   BENCH_RATE=10000  BENCH_RATE_BATCH=10  BENCH_RATE_SECONDS=10
#   BENCH_MSG_SECONDS=10    each one-report-per-message run
#   BENCH_MANY_CLIENTS=1000  BENCH_MSG_CLIENTS=8  BENCH_MSG_WINDOW=4
#   BENCH_ALERT_PAIRS=20    alert probes in flight at once
#   BENCH_RESTART_REPORTS=10000000
#   BENCH_LEVERS="noindex intids minwr"   raw schemas besides minimal, store
#   BENCH_MOSQ_AUTOSAVE=1800  Mosquitto's autosave_interval (its default)
#   BENCH_QUICK=1           a short run (200,000 reports, 3 s loads,
#                           1 M reports for the restart)
#   BENCH_KEEP=1            keep the work directory (logs, databases)
#   TMPDIR                  where the work directory goes: put it on the
#                           disk you mean to measure
#
# The build's loadgen doubles as a profiling load for tiendod; see
# `BUILD_DIR/bench/loadgen --help`.
set -eu

B=${1:-build}
if [ -n "${BENCH_QUICK:-}" ]; then
	: "${BENCH_REPORTS:=200000}" "${BENCH_RATE_SECONDS:=3}" "${BENCH_MSG_SECONDS:=3}"
	: "${BENCH_RESTART_REPORTS:=1000000}" "${BENCH_ANCHOR_COMMITS:=200}"
fi
REPORTS=${BENCH_REPORTS:-1000000}
CLIENTS=${BENCH_CLIENTS:-8}
INFLIGHT=${BENCH_INFLIGHT:-8}
BATCH=${BENCH_BATCH:-100}
CEILING_BATCH=${BENCH_CEILING_BATCH:-$((CLIENTS * INFLIGHT * BATCH))}
RATE=${BENCH_RATE:-10000}
RATE_BATCH=${BENCH_RATE_BATCH:-10}
RATE_SECONDS=${BENCH_RATE_SECONDS:-10}
MSG_SECONDS=${BENCH_MSG_SECONDS:-10}
MSG_TOTAL=""
MSG_LIMIT_TEXT="$MSG_SECONDS s"
MANY_CLIENTS=${BENCH_MANY_CLIENTS:-1000}
MSG_CLIENTS=${BENCH_MSG_CLIENTS:-8}
MSG_WINDOW=${BENCH_MSG_WINDOW:-4}
ALERT_PAIRS=${BENCH_ALERT_PAIRS:-20}
RESTART_REPORTS=${BENCH_RESTART_REPORTS:-10000000}
ANCHOR_COMMITS=${BENCH_ANCHOR_COMMITS:-500}
LEVERS=${BENCH_LEVERS-noindex intids minwr}
MOSQ_AUTOSAVE=${BENCH_MOSQ_AUTOSAVE:-1800}
N_UNITS=12
N_TASKS=10
TARGET_RATE=100000
TARGET_RATIO=0.4

for f in "$B/tiendod" "$B/bench/ceiling" "$B/bench/loadgen" "$B/bench/rawsql" \
	"$B/bench/mqload" "$B/bench/alertlat"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f missing: run 'make bench' (or make B=$B ...)" >&2
		exit 1
	fi
done
for c in curl sqlite3 mosquitto ss; do
	command -v $c >/dev/null 2>&1 || {
		echo "bench: $c is needed (sh scripts/deps.sh bench)" >&2
		exit 1
	}
done
# 1,000 clients are 1,000 connections to tiendod and to Mosquitto.
# shellcheck disable=SC3045 # dash and bash both have ulimit -n and -H
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
bench_t0=$(date +%s)

work=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-bench.XXXXXX")
state=$work/state
log=$work/tiendod.log
pids=""
dpid=""

say() { printf 'bench: %s\n' "$*"; }
. "$(dirname "$0")/lib.sh"

# Stops one of our children: TERM, up to $2 seconds, then KILL.
reap() {
	kill -TERM "$1" 2>/dev/null || true
	if ! wait_until "$2" dead "$1"; then
		kill -KILL "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
		forget "$1"
		return 1
	fi
	rc=0
	wait "$1" 2>/dev/null || rc=$?
	forget "$1"
	return $rc
}

cleanup() {
	status=$?
	trap - EXIT INT TERM
	for p in $pids; do
		reap "$p" 10 || true
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "bench: FAILED: $*" >&2
	if [ -s "$log" ]; then
		echo "bench: last lines of $log:" >&2
		tail -n 20 "$log" >&2
	fi
	exit 1
}

# Runs a program of ours in the background and waits for it, so that a
# signal to this script interrupts the wait and the trap kills it.
run() {
	out=$1
	shift
	"$@" >"$out" &
	p=$!
	pids="$pids $p"
	rc=0
	wait "$p" || rc=$?
	forget "$p"
	cat "$out"
	return $rc
}

# hist_p99 NAME: the upper bound, in ms, of the bucket of tiendod's
# histogram NAME (from /metrics) that holds its 99th percentile.
hist_p99() {
	curl -fsS --max-time 5 "$http/metrics" 2>/dev/null | awk -v n="$1" '
		index($0, n "_bucket{le=\"") == 1 {
			split($0, q, "\""); k++; le[k] = q[2]; c[k] = $2
		}
		index($0, n "_count ") == 1 { total = $2 }
		END {
			for (i = 1; i <= k; i++)
				if (total > 0 && c[i] >= 0.99 * total) {
					if (le[i] == "+Inf") print "inf"; else printf "%g\n", le[i] * 1000
					exit
				}
			print "?"
		}'
}

# result FILE KEY: the value of KEY in the "result k=v ..." line of FILE.
result() {
	sed -n "s/^result.* $2=\([^ ]*\).*/\1/p" "$1"
}

# 1234567.8 -> 1,234,568
commas() {
	awk -v n="$1" 'BEGIN {
		s = sprintf("%.0f", n); neg = "";
		if (substr(s, 1, 1) == "-") { neg = "-"; s = substr(s, 2) }
		out = "";
		while (length(s) > 3) {
			out = "," substr(s, length(s) - 2) out;
			s = substr(s, 1, length(s) - 3);
		}
		print neg s out
	}'
}

list() { # list PREFIX N -> "P01,P02,...,PNN"
	awk -v p="$1" -v n="$2" 'BEGIN {
		for (i = 1; i <= n; i++) printf "%s%s%02d", (i > 1 ? "," : ""), p, i
	}'
}

# The plan loadgen's units and tasks must exist in: every unit has a target
# for every task, large enough never to be reached, and deadlines far
# enough ahead that no task is overdue while the bench runs.
write_plan() {
	{
		echo "# tiendo bench plan: generated by tests/bench/run.sh"
		echo "[plan]"
		echo "name = bench"
		echo "timezone = Asia/Ho_Chi_Minh"
		echo
		i=1
		while [ $i -le $N_UNITS ]; do
			printf '[unit u%02d]\nname = Xã thử %02d\nkind = commune\n\n' $i $i
			i=$((i + 1))
		done
		printf '[unit probe]\nname = Xã đo\nkind = commune\n\n'
		i=1
		while [ $i -le "$ALERT_PAIRS" ]; do
			printf '[unit probe%02d]\nname = Xã đo %02d\nkind = commune\n\n' $i $i
			i=$((i + 1))
		done
		i=1
		y=$(date -u +%Y)
		while [ $i -le $N_TASKS ]; do
			printf '[task t%02d]\ntitle = Nhiệm vụ thử %02d\n' $i $i
			printf 'measure = cây\nstart = %d-01-01\n' $((y - 1))
			printf 'deadline = %d-12-31\n\n' $((y + 1))
			i=$((i + 1))
		done
		i=1
		while [ $i -le $N_TASKS ]; do
			printf '[targets t%02d]\n' $i
			j=1
			while [ $j -le $N_UNITS ]; do
				printf 'u%02d = 1000000000\n' $j
				j=$((j + 1))
			done
			# The alert-latency probe's own pair (not in the load).
			[ $i -ne 1 ] || printf 'probe = 1000\n'
			j=1
			while [ $i -eq 1 ] && [ $j -le "$ALERT_PAIRS" ]; do
				printf 'probe%02d = 1000\n' $j
				j=$((j + 1))
			done
			echo
			i=$((i + 1))
		done
	} >"$1"
}

endpoints_ready() {
	alive "$dpid" || fail "tiendod exited while starting"
	[ -s "$state/endpoints" ]
}
healthz() {
	alive "$dpid" || fail "tiendod exited while starting"
	curl -fsS -o /dev/null --max-time 2 "$http/healthz" 2>/dev/null
}

# Starts tiendod; sets dpid, ingest, http, and ready_s (exec to /healthz).
start_daemon() {
	t0=$(now_ns)
	# shellcheck disable=SC2086
	"$B/tiendod" -c "$CONF" --plan "$work/plan.ini" \
		--state-dir "$state" --ingest tcp://127.0.0.1:0 \
		--http 127.0.0.1:0 $PUB $SECURITY >>"$log" 2>&1 &
	dpid=$!
	pids="$pids $dpid"
	wait_until 120 endpoints_ready ||
		fail "tiendod wrote no $state/endpoints within 120 s"
	ingest=$(sed -n 's/^ingest=//p' "$state/endpoints")
	http=$(sed -n 's/^http=//p' "$state/endpoints")
	if [ -z "$ingest" ] || [ -z "$http" ]; then
		fail "$state/endpoints lacks ingest= or http="
	fi
	wait_until 60 healthz || fail "$http/healthz did not answer within 60 s"
	t1=$(now_ns)
	ready_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}

stop_daemon() {
	reap "$dpid" 60 || fail "tiendod did not stop cleanly within 60 s"
}

# CPU seconds (user + system) a process has used so far.
cpu_s() {
	awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"
}

peak_mib() {
	kib=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status")
	[ -n "$kib" ] || fail "no VmHWM in /proc/$1/status"
	awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }'
}

# --pub is passed when this tiendod has an alert publisher.
PUB=""
if "$B/tiendod" --help 2>/dev/null | grep -q -- '--pub'; then
	PUB="--pub tcp://127.0.0.1:0 --snapshot tcp://127.0.0.1:0 --alert-pending 0"
fi
# Runs 1-4 are plain (loopback, no CurveZMQ), run 5 the same with CURVE.
SECURITY=--plain
units=$(list u $N_UNITS)
tasks=$(list t $N_TASKS)
write_plan "$work/plan.ini"
# shellcheck source=tests/bench/sidebyside.sh
. "$(dirname "$0")/sidebyside.sh"
CONF=$work/tiendod.conf
printf '[tiendod]\nsynchronous = full\nlog_level = notice\n' >"$work/tiendod.conf"
"$B/tiendod" -c "$work/tiendod.conf" --plan "$work/plan.ini" --plain --check >/dev/null ||
	fail "tiendod refuses the generated plan $work/plan.ini"

say "work directory $work ($(df -PT "$work" | awk 'NR == 2 { print $2 " on " $1 }'))"
say "$(nproc) CPUs; $REPORTS reports; $CLIENTS clients x $INFLIGHT x $BATCH"

# 1. The ceiling, first, while nothing else runs.
say "--- ceiling: store module, $CEILING_BATCH rows per transaction"
run "$work/ceiling.out" "$B/bench/ceiling" --db "$work/ceiling.db" \
	--rows "$REPORTS" --batch "$CEILING_BATCH" --clients "$CLIENTS" \
	--chunk "$BATCH" --units "$units" --tasks "$tasks" --sync full ||
	fail "ceiling failed"
rm -f "$work/ceiling.db" "$work/ceiling.db-wal" "$work/ceiling.db-shm"
ceiling=$(result "$work/ceiling.out" rate)
sbs_commit_anchor start

# 2. Sustained ingest.
say "--- tiendod sustained: $CLIENTS clients, $INFLIGHT batches of $BATCH in flight each"
start_daemon
say "tiendod pid $dpid ready in $ready_s s: ingest $ingest, $http"
run "$work/sustained.out" "$B/bench/loadgen" --connect "$ingest" \
	--clients "$CLIENTS" --inflight "$INFLIGHT" --batch "$BATCH" \
	--total "$REPORTS" --units "$units" --tasks "$tasks" ||
	fail "sustained run: loadgen failed (see its errors above)"
sustained=$(result "$work/sustained.out" rate)
plain_cpu=$(cpu_s "$dpid")
sustained_p99=$(result "$work/sustained.out" p99_ms)
# How large tiendod's group commits were, when /metrics counts them.
commits=$(curl -fsS --max-time 5 "$http/metrics" 2>/dev/null | awk '
	/^tiendo_[a-z_]*commits_total[ {]/ && !/fail/ { print $NF; exit }') ||
	commits=""
group=$CEILING_BATCH
if [ -n "$commits" ]; then
	group=$(awk -v r="$REPORTS" -v c="$commits" \
		'BEGIN { printf "%.0f", (c > 0 ? r / c : 0) }')
	say "tiendod made $commits group commits: $group reports each on average"
fi

sbs_ceilings "$group"

# 3. Memory, then a restart that rebuilds the tallies from the reports.
rss_full=$(peak_mib "$dpid")
say "--- restart with $REPORTS reports (after a clean stop: the tally snapshot and the rows after it)"
stop_daemon
start_daemon
rss_restart=$(peak_mib "$dpid")
restart_s=$ready_s
say "tiendod pid $dpid ready in $restart_s s, peak RSS $rss_restart MiB"

# 4. Latency at a fixed offered load, the same clients continuing after
# the restart with seqs above those already used.
sbs_commit_anchor lat
say "--- ack latency: $RATE reports/s offered in batches of $RATE_BATCH for $RATE_SECONDS s"
run "$work/latency.out" "$B/bench/loadgen" --connect "$ingest" \
	--clients "$CLIENTS" --batch "$RATE_BATCH" --rate "$RATE" \
	--duration "$RATE_SECONDS" --seq-base "$REPORTS" \
	--units "$units" --tasks "$tasks" ||
	fail "latency run: loadgen failed (see its errors above)"
p50=$(result "$work/latency.out" p50_ms)
p99=$(result "$work/latency.out" p99_ms)
achieved=$(result "$work/latency.out" rate)
rate_acked=$(result "$work/latency.out" accepted)
# The same acks as tiendod timed them (this daemon took nothing else since
# its start): the rest of loadgen's figure is ZeroMQ, TCP and loadgen.
in_ack_p99=$(hist_p99 tiendo_ack_latency_seconds)
in_commit_p99=$(hist_p99 tiendo_commit_duration_seconds)
stop_daemon

# The acks said "stored": count what the database holds.
if command -v sqlite3 >/dev/null 2>&1 && [ -f "$state/tiendo.db" ]; then
	stored=$(sqlite3 "$state/tiendo.db" 'SELECT count(*) FROM reports') ||
		fail "cannot count the reports in $state/tiendo.db"
	[ "$stored" -eq $((REPORTS + rate_acked)) ] ||
		fail "$stored reports stored, $((REPORTS + rate_acked)) acked"
	say "database holds $(commas "$stored") reports: every ack is on disk"
fi

# 5. Alert latency under the same offered load, on the same database.
alert_line=""
if [ -n "$PUB" ] && [ -x "$B/bench/alertlat" ]; then
	say "--- alert latency: threshold-crossing report to subscriber, under $RATE reports/s"
	start_daemon
	pubep=$(sed -n 's/^pub=//p' "$state/endpoints")
	"$B/bench/loadgen" --connect "$ingest" --clients "$CLIENTS" \
		--batch "$RATE_BATCH" --rate "$RATE" --duration "$RATE_SECONDS" \
		--seq-base $((REPORTS * 2)) --units "$units" --tasks "$tasks" \
		>"$work/alertload.out" &
	lp=$!
	pids="$pids $lp"
	run "$work/alertlat.out" "$B/bench/alertlat" --connect "$ingest" \
		--pub "$pubep" --unit "$(list probe "$ALERT_PAIRS")" --task t01 \
		--target 1000 --probes $((RATE_SECONDS * 250)) --interval-ms 50 ||
		fail "alert latency: alertlat failed"
	wait "$lp" || fail "alert latency: the load generator failed"
	forget "$lp"
	stop_daemon
	alert_p99=$(result "$work/alertlat.out" p99_ms)
	alert_line=$(printf 'bench: alert latency @%s/s  p50 %.2f ms  p99 %.2f ms  (report crossing a threshold to SUB; target p99 <= 10 ms %s)' \
		"$(commas "$RATE")" "$(result "$work/alertlat.out" p50_ms)" \
		"$(result "$work/alertlat.out" p99_ms)" \
		"$(awk -v v="$(result "$work/alertlat.out" p99_ms)" 'BEGIN { print (v <= 10 ? "met" : "MISSED") }')")
fi

# 6. The alert timer's full evaluation, 1,000 units x 100 tasks.
eval_line=""
if [ -x "$B/bench/rules_eval" ]; then
	say "--- alert rules: full evaluation, 1,000 units x 100 tasks"
	run "$work/rules.out" "$B/bench/rules_eval" --units 1000 --tasks 100 ||
		fail "rules_eval failed"
	eval_line=$(printf 'bench: alert rules full evaluation 1,000 x 100 (%s subjects)  median %.1f ms, worst %.1f ms CPU (first, raising the alerts, %.1f ms; target <= 50 ms %s)' \
		"$(commas "$(result "$work/rules.out" subjects)")" \
		"$(result "$work/rules.out" median_ms)" "$(result "$work/rules.out" max_ms)" \
		"$(result "$work/rules.out" first_ms)" \
		"$(awk -v v="$(result "$work/rules.out" max_ms)" 'BEGIN { print (v <= 50 ? "met" : "MISSED") }')")
fi
# 5. CurveZMQ: the same loads, encrypted and authenticated.
say "--- CurveZMQ: sustained and latency again, every client with its own key"
keys=$work/keys
ckeys=$work/ckeys
mkdir -p "$keys/clients" "$ckeys"
"$B/tiendo-ctl" keygen --dir "$keys" server >/dev/null || fail "keygen server"
cp "$keys/server.pub" "$ckeys/"
i=0
while [ $i -lt "$CLIENTS" ]; do
	"$B/tiendo-ctl" keygen --dir "$ckeys" "bench-$i" >/dev/null ||
		fail "keygen bench-$i"
	{ cat "$ckeys/bench-$i.pub"; echo "units = *"; } >"$keys/clients/bench-$i.key"
	i=$((i + 1))
done
state=$work/state-curve
SECURITY="--keys-dir $keys"
start_daemon
say "tiendod pid $dpid ready in $ready_s s with CurveZMQ: ingest $ingest"
run "$work/curve.out" "$B/bench/loadgen" --connect "$ingest" --key "$ckeys" \
	--clients "$CLIENTS" --inflight "$INFLIGHT" --batch "$BATCH" \
	--total "$REPORTS" --units "$units" --tasks "$tasks" ||
	fail "CurveZMQ sustained run: loadgen failed (see its errors above)"
curve_rate=$(result "$work/curve.out" rate)
curve_cpu=$(cpu_s "$dpid")
run "$work/curve-latency.out" "$B/bench/loadgen" --connect "$ingest" \
	--key "$ckeys" --clients "$CLIENTS" --batch "$RATE_BATCH" --rate "$RATE" \
	--duration "$RATE_SECONDS" --seq-base "$REPORTS" \
	--units "$units" --tasks "$tasks" ||
	fail "CurveZMQ latency run: loadgen failed (see its errors above)"
curve_p50=$(result "$work/curve-latency.out" p50_ms)
curve_p99=$(result "$work/curve-latency.out" p99_ms)
stop_daemon
sbs_messages
sbs_restart

curve_ratio=$(awk -v p="$sustained" -v c="$curve_rate" 'BEGIN { printf "%.2f", (p > 0 ? c / p : 0) }')

ratio=$(awk -v d="$sustained" -v c="$ceiling" 'BEGIN { printf "%.2f", (c > 0 ? d / c : 0) }')
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "met" : "MISSED") }'; }

echo
printf 'bench: %-50s %12s reports/s\n' \
	"ceiling (store, batch $CEILING_BATCH, synchronous=FULL)" "$(commas "$ceiling")"
printf 'bench: %-50s %12s reports/s\n' \
	"tiendod sustained ($CLIENTS clients, pipelined)" "$(commas "$sustained")"
printf 'bench: %-50s %12s\n' "ratio" "$ratio"
printf 'bench: ack latency @%s/s  p50 %.2f ms  p99 %.2f ms  (achieved %s/s; closed-loop p99 at full load %.1f ms)\n' \
	"$(commas "$RATE")" "$p50" "$p99" "$(commas "$achieved")" "$sustained_p99"
printf 'bench: ack latency @%s/s inside tiendod (receive to ack sent, its histogram): p99 <= %s ms; its commits p99 <= %s ms\n' \
	"$(commas "$RATE")" "$in_ack_p99" "$in_commit_p99"
[ -z "$alert_line" ] || echo "$alert_line"
[ -z "$eval_line" ] || echo "$eval_line"
printf 'bench: %-50s %9s MiB; after restart %s MiB, restart to ready %s s\n' \
	"peak RSS with $(commas "$REPORTS") reports" "$rss_full" "$rss_restart" "$restart_s"
printf 'bench: %-50s %12s reports/s (%s of plain)\n' \
	"tiendod sustained with CurveZMQ" "$(commas "$curve_rate")" "$curve_ratio"
printf 'bench: %-50s %9s s plain, %s s with CurveZMQ\n' \
	"tiendod CPU for $(commas "$REPORTS") reports" "$plain_cpu" "$curve_cpu"
printf 'bench: ack latency @%s/s with CurveZMQ  p50 %.2f ms  p99 %.2f ms\n' \
	"$(commas "$RATE")" "$curve_p50" "$curve_p99"
printf 'bench: targets: sustained >= %s/s %s; ratio >= %s %s\n' \
	"$(commas $TARGET_RATE)" "$(verdict "$sustained" $TARGET_RATE)" \
	"$TARGET_RATIO" "$(verdict "$ratio" $TARGET_RATIO)"
sbs_summary

# The hostile section (issue 10): attacks on loopback and their figures.
echo
sh "$(dirname "$0")/hostile.sh" "$B" || fail "the hostile section failed"
if [ "${BENCH_NATIONAL:-1}" != 0 ]; then
	echo
	sh "$(dirname "$0")/national.sh" "$B" || fail "the national section failed"
fi

# PostgreSQL: its own ceiling, durable ingest, takeover (tests/bench/pg.sh).
echo
sh "$(dirname "$0")/pg.sh" "$B" || fail "the postgresql section failed"
echo "bench: total bench time $(( $(date +%s) - bench_t0 )) s"
