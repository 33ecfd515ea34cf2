#!/bin/sh
# national.sh - the "national" section of `make bench`: one tiendod with a
# country-sized plan (tests/bench/national-plan.sh: 3,321 communes under
# 34 provinces x 200 tasks, 664,200 pairs) through its worst day.
#
#   sh tests/bench/national.sh [BUILD_DIR]      (default: build)
#
# On a fresh database in a mktemp -d directory it prints:
#   1. the storm: the daemon starts on the plan with alert_pending = 0 and
#      no report, so every pair and every roll-up fires at once; meanwhile
#      a client offers reports at a fixed rate (ack p50/p99), /healthz is
#      asked every 100 ms (worst answer, failures), systemd's watchdog is
#      played by tests/tools/sdnotify (worst gap between pings), and a
#      tiendo-sub is attached; printed: the events and the time from exec
#      until the last one was published, the slices the full evaluation
#      took and the longest one, peak RSS, database and WAL size;
#   2. SIGTERM in the middle of a second storm, with a subscriber attached:
#      time until the daemon has exited;
#   3. the full evaluation's CPU on that plan (BUILD_DIR/bench/rules_eval;
#      run first, on a quiet machine): the first one (raising the alerts)
#      and the steady state, and the longest slice of 8,192 subjects; the
#      engine's bytes per subject, the median of three processes;
#   4. NATIONAL_REPORTS reports over the whole plan, every pair alerting:
#      up to 1,000,000 through the daemon, the rest written with the
#      sqlite3 shell while it is stopped; a restart that reads those rows
#      (time to ready, peak RSS), with alert_retention = 1s, and the
#      database's size (and the part of it in use) after its retention
#      passes; then a restart after a clean stop (the tally snapshot).
# Ends with a block of "bench: national ..." lines, each with its target.
# Exits non-zero when something failed (a daemon that would not start or
# stop, a client error); a missed target is reported, not fatal.
#
# Knobs: NATIONAL_UNITS=3321 NATIONAL_TASKS=200 NATIONAL_REPORTS=10000000
#        NATIONAL_RATE=1000 (reports/s offered during the storm)
#        NATIONAL_WATCHDOG_S=4 (WatchdogSec the daemon is told)
#        BENCH_KEEP=1 keeps the work directory.
set -eu

B=${1:-build}
UNITS=${NATIONAL_UNITS:-3321}
TASKS=${NATIONAL_TASKS:-200}
REPORTS=${NATIONAL_REPORTS:-10000000}
RATE=${NATIONAL_RATE:-1000}
WD_S=${NATIONAL_WATCHDOG_S:-4}
HERE=$(dirname "$0")

for f in "$B/tiendod" "$B/tiendo-sub" "$B/tools/sdnotify" "$B/bench/loadgen" \
         "$B/bench/rules_eval"; do
	[ -x "$f" ] || { echo "national: $f missing: run 'make bench'" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-national.XXXXXX")
log=$work/tiendod.log
pids=""
dpid=""

say() { printf 'national: %s\n' "$*"; }
. "$HERE/lib.sh"
reap() {
	kill -TERM "$1" 2>/dev/null || true
	if ! wait_until "$2" dead "$1"; then
		kill -KILL "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
		forget "$1"
		return 1
	fi
	wait "$1" 2>/dev/null || true
	forget "$1"
}
cleanup() {
	status=$?
	trap - EXIT INT TERM
	touch "$work/stop"
	for p in $pids; do reap "$p" 10 || true; done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "national: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() {
	echo "national: FAILED: $*" >&2
	[ ! -s "$log" ] || tail -n 20 "$log" >&2
	exit 1
}
bg() { "$@" & p=$!; pids="$pids $p"; }
result() { sed -n "s/^result.* $2=\([^ ]*\).*/\1/p" "$1"; }
metric() { # metric NAME: its value in /metrics, or nothing
	curl -fsS --max-time 5 "$http/metrics" 2>/dev/null |
		awk -v n="$1" '$1 == n { print $2; exit }'
}
peak_mib() {
	awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}
mib() { # size of the files given, MiB
	du -cb "$@" 2>/dev/null | awk 'END { printf "%.0f", $1 / 1048576 }'
}
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0 ? "met" : "MISSED") }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
endpoints_ready() {
	alive "$dpid" || fail "tiendod exited while starting"
	grep -q '^pub=' "$state/endpoints" 2>/dev/null
}

# Starts tiendod on a fresh or given state dir, under sdnotify; sets dpid,
# ingest, http, pub, snapshot, t_exec.
start_daemon() {
	state=$1
	t_exec=$(now_ns)
	NOTIFY_SOCKET=$work/notify.sock WATCHDOG_USEC=$((WD_S * 1000000)) \
		"$B/tiendod" -c "$work/tiendod.conf" --plan "$work/plan.ini" \
		--state-dir "$state" --ingest tcp://127.0.0.1:0 --http 127.0.0.1:0 \
		--pub tcp://127.0.0.1:0 --snapshot tcp://127.0.0.1:0 \
		--alert-pending 0 --plain >>"$log" 2>&1 &
	dpid=$!
	pids="$pids $dpid"
	wait_until 120 endpoints_ready || fail "no $state/endpoints within 120 s"
	ingest=$(sed -n 's/^ingest=//p' "$state/endpoints")
	http=$(sed -n 's/^http=//p' "$state/endpoints")
	pub=$(sed -n 's/^pub=//p' "$state/endpoints")
	snapshot=$(sed -n 's/^snapshot=//p' "$state/endpoints")
}

# /healthz every 100 ms until $work/stop exists: one line per ask, the
# seconds it took or "fail".
healthz_loop() {
	while [ ! -e "$work/stop" ]; do
		curl -fsS -o /dev/null -w '%{time_total}\n' --max-time 1 \
			"$http/healthz" 2>/dev/null || echo fail
		sleep 0.1
	done
}

codes() { # codes PREFIX-FORMAT N: the first N codes of the plan
	awk -v f="$1" -v n="$2" -v provs=34 'BEGIN {
		for (i = 0; i < n; i++) printf "%s" f, (i ? "," : ""), i % provs + 1, i + 1
	}'
}
task_codes() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "%st%03d", (i > 1 ? "," : ""), i }'
}

sh "$HERE/national-plan.sh" "$UNITS" "$TASKS" >"$work/plan.ini"
printf '[tiendod]\nsynchronous = full\nlog_level = notice\n' >"$work/tiendod.conf"
"$B/tiendod" -c "$work/tiendod.conf" --plan "$work/plan.ini" --plain --check >"$work/check.out" ||
	fail "tiendod refuses the generated plan"
say "$(cat "$work/check.out")"
load_units=$(codes 'p%02dc%04d' 340)
load_tasks=$(task_codes 10)

# 3. The evaluation's CPU, measured first, before the storms' databases
# are written: three processes, the median of each figure (a first
# evaluation happens once per process; in one run, after the storms, all
# three first evaluations took three to four times as long, the steady
# ones not).
say "--- full evaluation CPU, $UNITS x $TASKS, three runs"
for i in 1 2 3; do
	"$B/bench/rules_eval" --units "$UNITS" --tasks "$TASKS" --rounds 3 >"$work/rules$i.out" ||
		fail "rules_eval failed"
	grep -v '^result' "$work/rules$i.out"
done
median3() { # median3 KEY: the median of KEY over the three runs
	for i in 1 2 3; do result "$work/rules$i.out" "$1"; done | sort -g | sed -n 2p
}
range3() { # range3 KEY: "lowest-highest"
	for i in 1 2 3; do result "$work/rules$i.out" "$1"; done | sort -g |
		awk 'NR == 1 { lo = $1 } END { printf "%s-%s", lo, $1 }'
}
eval_ms=$(median3 max_ms)
eval_first=$(median3 slice_first_ms)
eval_first_range=$(range3 slice_first_ms)
eval_slice=$(median3 slice_max_ms)
eval_bytes=$(median3 bytes_per_subject)

# 1. The storm.
say "--- storm: every pair fires at once; $RATE reports/s offered meanwhile"
bg "$B/tools/sdnotify" "$work/notify.sock" >"$work/notify.out" 2>&1
wait_until 10 grep -q listening "$work/notify.out" || fail "sdnotify did not start"
start_daemon "$work/state"
bg "$B/tiendo-sub" --pub "$pub" --snapshot "$snapshot" >/dev/null 2>"$work/sub.err"
rm -f "$work/stop"
healthz_loop >"$work/healthz.out" &
hp=$!
pids="$pids $hp"
bg "$B/bench/loadgen" --connect "$ingest" --clients 4 --batch 10 \
	--rate "$RATE" --duration 20 --units "$load_units" --tasks "$load_tasks" \
	>"$work/storm-load.out"
lp=$p
storm_done() { [ "$(metric tiendo_alert_evaluations_total)" -ge 1 ] 2>/dev/null; }
wait_until 600 storm_done || fail "the storm's evaluation did not end within 600 s"
t_last=$(now_ns)
storm_s=$(elapsed "$t_exec" "$t_last")
wait "$lp" || fail "the load during the storm failed"
forget "$lp"
touch "$work/stop"
wait "$hp" 2>/dev/null || true
forget "$hp"
events=$(metric tiendo_alert_events_total)
slices=$(metric tiendo_alert_slices_total)
slice_max=$(awk -v s="$(metric tiendo_alert_slice_max_seconds)" 'BEGIN { printf "%.1f", s * 1000 }')
slice_loop=$(awk -v s="$(metric tiendo_alert_slice_loop_max_seconds)" 'BEGIN { printf "%.1f", s * 1000 }')
pass_s=$(awk -v s="$(metric tiendo_alert_last_pass_seconds)" 'BEGIN { printf "%.1f", s }')
rss_storm=$(peak_mib "$dpid")
db_storm=$(mib "$work/state/tiendo.db")
wal_storm=$(mib "$work/state/tiendo.db-wal")
ack_p50=$(result "$work/storm-load.out" p50_ms)
ack_p99=$(result "$work/storm-load.out" p99_ms)
hz_n=$(wc -l <"$work/healthz.out")
hz_fail=$(grep -c fail "$work/healthz.out" || true)
hz_max=$(awk '$1 != "fail" && $1 > m { m = $1 } END { printf "%.1f", m * 1000 }' "$work/healthz.out")
wd_gap=$(awk '/WATCHDOG=1/ { if (p != "") { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%d", m }' "$work/notify.out")
wd_n=$(grep -c WATCHDOG=1 "$work/notify.out" || true)
say "$events events published in $storm_s s from exec ($pass_s s of evaluation pass, $slices slices, longest $slice_max ms with its commit, $slice_loop ms on the loop)"
reap "$dpid" 60 || fail "tiendod did not stop within 60 s"

# 2. SIGTERM in the middle of a storm, a subscriber attached.
say "--- SIGTERM during a storm"
start_daemon "$work/state2"
bg "$B/tiendo-sub" --pub "$pub" --snapshot "$snapshot" >/dev/null 2>>"$work/sub.err"
storm_on() { [ "$(metric tiendo_alert_events_total)" -ge 50000 ] 2>/dev/null; }
wait_until 120 storm_on || fail "the second storm did not start"
t0=$(now_ns)
kill -TERM "$dpid"
wait_until 60 dead "$dpid" || fail "tiendod ignored SIGTERM for 60 s"
term_s=$(elapsed "$t0" "$(now_ns)")
wait "$dpid" 2>/dev/null || true
forget "$dpid"
rm -rf "$work/state2"

# 4. Reports over the whole plan: LIVE of them through the daemon (peak
# RSS while ingesting, every pair alerting since the storm), the rest
# written into the store with the sqlite3 shell while it is stopped
# (through the daemon they would take most of ten minutes); then two
# restarts: the first reads those rows (they came after its tally
# snapshot), the second, after a clean stop, reads none.
LIVE=$REPORTS
[ "$LIVE" -le 1000000 ] || LIVE=1000000
say "--- $REPORTS reports over the plan ($LIVE through the daemon), then restarts"
start_daemon "$work/state"
"$B/bench/loadgen" --connect "$ingest" --clients 4 --inflight 8 --batch 100 \
	--total "$LIVE" --seq-base 100000 --units "$(codes 'p%02dc%04d' "$UNITS")" \
	--tasks "$(task_codes "$TASKS")" >"$work/reports.out" ||
	fail "loading $LIVE reports failed"
rss_live=$(peak_mib "$dpid")
reap "$dpid" 60 || fail "tiendod did not stop within 60 s"
if [ "$REPORTS" -gt "$LIVE" ]; then
	t0=$(now_ns)
	# Unit i % UNITS, task i / UNITS % TASKS: every pair, spread evenly.
	bench_fill "$work/state/tiendo.db" $((REPORTS - LIVE)) \
		"printf('t%03d', (x / $UNITS) % $TASKS + 1)" \
		"printf('p%02dc%04d', (x % $UNITS) % 34 + 1, x % $UNITS + 1)" ||
		fail "cannot add rows to $work/state/tiendo.db"
	fill_s=$(elapsed "$t0" "$(now_ns)")
	say "$((REPORTS - LIVE)) rows written with sqlite3 in $fill_s s"
fi
db_before=$(mib "$work/state/tiendo.db" "$work/state/tiendo.db-wal")
printf '[tiendod]\nsynchronous = full\nlog_level = notice\nalert_retention = 1s\n' \
	>"$work/tiendod.conf"
healthz_ok() { curl -fsS -o /dev/null --max-time 1 "$http/healthz" 2>/dev/null; }
start_daemon "$work/state"
wait_until 120 healthz_ok || fail "no /healthz within 120 s of a restart"
restart_s=$(elapsed "$t_exec" "$(now_ns)")
# Passes every second: the first ones find the events of the reports.
pruned_some() { [ "$(metric tiendo_retention_passes_total)" -ge 5 ] 2>/dev/null; }
wait_until 300 pruned_some || fail "no retention pass within 300 s"
pruned=$(metric tiendo_retention_pruned_total)
ret_slice=$(awk -v s="$(metric tiendo_retention_slice_max_seconds)" 'BEGIN { printf "%.1f", s * 1000 }')
ret_loop=$(awk -v s="$(metric tiendo_retention_slice_loop_max_seconds)" 'BEGIN { printf "%.1f", s * 1000 }')
rss_reports=$(peak_mib "$dpid")
[ "$rss_reports" -ge "$rss_live" ] || rss_reports=$rss_live
reap "$dpid" 60 || fail "tiendod did not stop within 60 s"
snaps=$(grep -c "tallies from the snapshot" "$log" || true)
start_daemon "$work/state"
wait_until 120 healthz_ok || fail "no /healthz within 120 s of a restart"
restart_snap_s=$(elapsed "$t_exec" "$(now_ns)")
[ "$(grep -c "tallies from the snapshot" "$log")" -gt "$snaps" ] ||
	fail "the restart after a clean stop did not use the tally snapshot"
reap "$dpid" 60 || fail "tiendod did not stop within 60 s"
db_end=$(mib "$work/state/tiendo.db" "$work/state/tiendo.db-wal")
used=""
if command -v sqlite3 >/dev/null 2>&1; then
	used=$(sqlite3 "$work/state/tiendo.db" 'PRAGMA page_count; PRAGMA freelist_count; PRAGMA page_size;' |
		awk 'NR == 1 { p = $1 } NR == 2 { f = $1 } NR == 3 { printf "%.0f", (p - f) * $1 / 1048576 }')
fi

echo
printf 'bench: national %s\n' "$(cat "$work/check.out" | sed 's/^.*: ok, //')"
printf 'bench: national storm: %s events, last published %s s after exec (%s slices, longest %s ms with its commit, %s ms of it holding the loop)\n' \
	"$events" "$storm_s" "$slices" "$slice_max" "$slice_loop"
printf 'bench: national storm: ack p50 %s ms p99 %s ms @%s/s (target p99 <= 50 ms %s)\n' \
	"$ack_p50" "$ack_p99" "$RATE" "$(verdict "$ack_p99" 50)"
printf 'bench: national storm: /healthz asked %s times, %s failed, worst %s ms (target 0 failed, <= 100 ms %s)\n' \
	"$hz_n" "$hz_fail" "$hz_max" \
	"$([ "$hz_fail" -eq 0 ] && verdict "$hz_max" 100 || echo MISSED)"
printf 'bench: national storm: %s watchdog pings, at most %s ms apart (WatchdogSec %s s; target <= %s ms %s)\n' \
	"$wd_n" "$wd_gap" "$WD_S" "$((WD_S * 500 + 100))" "$(verdict "$wd_gap" $((WD_S * 500 + 100)))"
printf 'bench: national storm: SIGTERM to exit %s s, subscriber attached (target <= 5 s %s)\n' \
	"$term_s" "$(verdict "$term_s" 5)"
printf 'bench: national storm: peak RSS %s MiB; database %s MiB + WAL %s MiB\n' \
	"$rss_storm" "$db_storm" "$wal_storm"
printf 'bench: national full evaluation CPU %s ms, the first (raising the alerts, in slices) %s ms, median of 3 runs, %s (target <= 200 ms %s); longest slice %s ms (target <= 10 ms %s); rules engine %s bytes per subject\n' \
	"$eval_ms" "$eval_first" "$eval_first_range" "$(verdict "$eval_first" 200)" "$eval_slice" \
	"$(verdict "$eval_slice" 10)" "$eval_bytes"
printf 'bench: national with %s reports, every pair alerting: peak RSS %s MiB (target <= 256 %s; %s MiB while taking %s of them live)\n' \
	"$REPORTS" "$rss_reports" "$(verdict "$rss_reports" 256)" "$rss_live" "$LIVE"
printf 'bench: national restart with %s reports: ready in %s s reading the %s after the snapshot (target <= 10 s %s); %s s after a clean stop (tally snapshot)\n' \
	"$REPORTS" "$restart_s" "$((REPORTS - LIVE))" "$(verdict "$restart_s" 10)" "$restart_snap_s"
printf 'bench: national retention (alert_retention = 1s): %s alert events pruned, longest slice %s ms with its commit, %s ms on the loop; database + WAL %s MiB before, %s MiB after%s\n' \
	"$pruned" "$ret_slice" "$ret_loop" "$db_before" "$db_end" "${used:+ ($used MiB in use, the rest free pages)}"
