#!/bin/sh
# tiendo-sub never repeats itself (PROTOCOL.md 4.4): with 50,001 active
# alerts (a generated plan, alert_pending 0) and a consumer too slow for
# the snapshot's pace, every alert is delivered once, in order, and the
# subscriber reaches the live stream; a slow --exec killed mid-snapshot
# and started again with --state, or a replay interrupted the same way,
# runs no command twice.
TIENDO_TEST_CURVE=0
. "$(dirname "$0")/lib.sh"

N=50000
PLAN="$T/many.ini"
many_plan "$N" cay C >"$PLAN"
start_daemon --alert-pending 0s --alert-interval 200ms || exit 1
# The active list is paged: its total counts them all (a longer bound than
# get's: under ASan the daemon is slow).
active() { curl -sf --max-time 60 "$HTTP/v1/alerts?active=1&limit=1" | jq '.total'; }
wait_for 120 sh -c "[ \"\$(curl -sf --max-time 60 '$HTTP/v1/alerts?active=1&limit=1' | jq '.total')\" -ge $((N + 1)) ]" ||
	flunk "the daemon raised $((N + 1)) alerts" "$(active)"
expect_eq "50,000 communes and their district lagging: 50,001 active alerts" "$(active)" $((N + 1))
SUB="$B/tiendo-sub"

# --- A: a consumer that stops reading for 6 s mid-snapshot ---------------------
mkfifo "$T/a.fifo"
sh -c 'exec <"$1"; sleep 6; exec cat' sh "$T/a.fifo" >"$T/a.out" &
PIDS="$PIDS $!"
"$SUB" --json >"$T/a.fifo" 2>"$T/a.err" &
APID=$!
PIDS="$PIDS $APID"
wait_for 300 sh -c "[ \$(grep -c '\"kind\":\"active\"' '$T/a.out') -ge $((N + 1)) ]" ||
	flunk "A: every active alert arrives" "$(wc -l <"$T/a.out") lines" "$(tail -3 "$T/a.err")"
"$B/tools/zsend" --report "1|x7|cay|set|100|now" "$INGEST" >/dev/null
if wait_for 30 grep -q '"kind":"live"' "$T/a.out"; then pass "A: reaches the live stream"
else flunk "A: reaches the live stream" "$(tail -3 "$T/a.err")"; fi
kill "$APID"
expect_eq "A: 50,001 active alerts, each printed once" \
	"$(grep '"kind":"active"' "$T/a.out" | jq -r .seq | sort -u | wc -l) $(grep -c '"kind":"active"' "$T/a.out")" \
	"$((N + 1)) $((N + 1))"
expect_eq "A: no event printed twice" "$(jq -r .seq "$T/a.out" | sort | uniq -d | head -3)" ""
expect_eq "A: no resynchronisation started over" "$(grep -c 'resynchronising' "$T/a.err")" 0
echo "# A: $(wc -l <"$T/a.out") lines"

# --- B: a slow --exec, killed mid-snapshot, started again with --state ------
units=$(seq 1 1200 | sed 's/^/x/' | paste -sd, -)
# Every active alert's unit, page by page.
all_units() {
	since=0
	while [ -n "$since" ]; do
		page=$(curl -sf --max-time 60 "$HTTP/v1/alerts?active=1&limit=10000&since=$since") || return 1
		printf '%s' "$page" | jq -r '.alerts[].unit'
		since=$(printf '%s' "$page" | jq -r '.next_since // empty')
	done
}
want=$(all_units | awk '/^x[0-9]+$/ && substr($0, 2) + 0 <= 1200 { c++ } END { print c + 0 }')
EXEC='read -r line; echo "$TIENDO_ALERT_SEQ $TIENDO_ALERT_KIND" >>"$OUT"; sleep 0.01'
sub_b() { OUT="$T/b.exec" "$SUB" --unit "$units" --state "$T/b.state" --exec "$EXEC" >/dev/null 2>>"$T/b.err" & BPID=$!; PIDS="$PIDS $BPID"; }
sub_b
wait_for 120 sh -c "[ \$(wc -l <'$T/b.exec' 2>/dev/null || echo 0) -ge 600 ]" || flunk "B: the commands run" "$(tail -3 "$T/b.err")"
kill -TERM "$BPID"; wait "$BPID"
expect_eq "B: tiendo-sub stopped mid-snapshot: exit 0" "$?" 0
expect_eq "B: its state is still 0 (the snapshot is not whole)" "$(cat "$T/b.state" 2>/dev/null || echo 0)" 0
sub_b
wait_for 120 sh -c "[ \$(wc -l <'$T/b.exec') -ge $want ] && [ \$(cat '$T/b.state' 2>/dev/null || echo 0) -gt 0 ]" ||
	flunk "B: all $want commands run" "$(wc -l <"$T/b.exec")" "$(tail -3 "$T/b.err")"
expect_eq "B: $want alerts, each command run once across the restart" \
	"$(awk '{ print $1 }' "$T/b.exec" | sort -u | wc -l) $(wc -l <"$T/b.exec")" "$want $want"
kill -TERM "$BPID"; wait "$BPID"

# --- C: a replay of 1,500 events, interrupted and resumed -------------------------
held=$(cat "$T/b.state")
set --
for i in $(seq 2001 2750); do set -- "$@" --report "$i|x$i|cay|set|100|now"; done
"$B/tools/zsend" "$@" "$INGEST" >/dev/null
wait_for 30 sh -c "[ \$(curl -sf '$HTTP/v1/alerts/history?since=$held&limit=10000' | jq '.alerts | length') -ge 1500 ]" ||
	flunk "C: 1,500 events happened"
sub_c() { OUT="$T/c.exec" "$SUB" --state "$T/b.state" --exec "$EXEC" >/dev/null 2>>"$T/c.err" & CPID=$!; PIDS="$PIDS $CPID"; }
sub_c
wait_for 120 sh -c "[ \$(wc -l <'$T/c.exec' 2>/dev/null || echo 0) -ge 600 ]" || flunk "C: the replay runs" "$(tail -3 "$T/c.err")"
kill -TERM "$CPID"; wait "$CPID"
sub_c
wait_for 120 sh -c "[ \$(wc -l <'$T/c.exec') -ge 1500 ]" || flunk "C: the whole replay runs" "$(wc -l <"$T/c.exec")"
"$B/tools/zsend" --report "3000|x3000|cay|set|100|now" "$INGEST" >/dev/null
wait_for 30 grep -q ' live$' "$T/c.exec" || flunk "C: then the live stream" "$(tail -3 "$T/c.err")"
kill -TERM "$CPID"; wait "$CPID"
expect_eq "C: the replayed events ran once each, in order, no hole" \
	"$(grep ' replay$' "$T/c.exec" | awk -v h="$held" '$1 != h + NR { bad = 1 } END { print NR, bad + 0 }')" "1500 0"
expect_eq "C: and then the live ones, nothing twice" "$(awk '{ print $1 }' "$T/c.exec" | sort | uniq -d | head -3)" ""
finish
