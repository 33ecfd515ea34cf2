#!/bin/sh
# The tally snapshot (daemon/tallysnap.c): saved at a clean stop, a start
# folds only the reports stored after it, and whatever it starts from, the
# tallies are those of reading every stored report.  After a crash the
# last snapshot still holds as of its row: adds, an out-of-order set and a
# correction voiding a report inside the snapshot are folded onto it.  A
# snapshot of another plan text, a damaged one, or one whose last row the
# database does not hold (another database) is not used.
# Runs on PostgreSQL too (TIENDO_TEST_STORE=pg, and test_pg.sh).
TEST_CLIENTS_MORE="s"
. "$(dirname "$0")/lib.sh"

SNAP=$T/state/tallies.snap
z() { "$B/tools/zsend" --client s "$@" "$INGEST"; }
fates() { awk '/^report /{ printf "%s %s;", $2, $3 }'; }
tallies() { get "/v1/tallies" | jq -c '[.tallies[] | {task, unit, rollup, actual, reports}]'; }
# A start from every stored report, for comparison: no snapshot.
cold() {
	stop_daemon
	mv "$SNAP" "$T/kept.snap"
	start_daemon || exit 1
	COLD=$(tallies)
	stop_daemon
	mv "$T/kept.snap" "$SNAP"
}
said() { grep -c "$1" "$T/tiendod.log"; }

start_daemon || exit 1
ok "no snapshot before the first stop" test ! -e "$SNAP"
stop_daemon
start_daemon || exit 1
expect_eq "an empty store's snapshot: as of no row" "$(said 'tallies from the snapshot as of row 0 ')" 1
expect_eq "reports before the first stop" "$(z --report "1|xa-a|cay|add|100|now-7200000" \
	--report "2|xa-b|cay|add|40|now-7200000" --report "3|xa-a|dat|set|2.5|now-7200000" \
	--report "4|xa-a|cay|add|7|now-3600000" | fates)" "1 ACCEPTED;2 ACCEPTED;3 ACCEPTED;4 ACCEPTED;"
before=$(tallies)
stop_daemon
ok "a clean stop saves the snapshot" test -s "$SNAP"
expect_eq "readable by the service's group only" "$(stat -c %a "$SNAP")" 640
start_daemon || exit 1
expect_eq "a start from it says so" "$(said 'tallies from the snapshot as of row 4 ')" 1
expect_eq "and counts the same" "$(tallies)" "$before"

# A crash: what is stored after the snapshot is folded onto it.
expect_eq "after the snapshot: an add, an older set, a correction of row 1" \
	"$(z --report "5|xa-b|cay|add|3|now-600000" --report "6|xa-a|dat|set|1|now-9000000" \
		--report "7|xa-a|cay|add|0|now" --voids "1|typed 100 for 10" | fates)" \
	"5 ACCEPTED;6 ACCEPTED;7 ACCEPTED;"
expect_eq "the void took 100 away" \
	"$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')" 7
live=$(tallies)
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
PIDS=$(echo "$PIDS" | sed "s/ $DPID\b//")
rm -f "$STATE/endpoints"
start_daemon || exit 1
expect_eq "after a SIGKILL, the old snapshot is used" "$(said 'tallies from the snapshot as of row 4 ')" 2
expect_eq "and the rows after it folded onto it: the tallies before the crash" "$(tallies)" "$live"
cold
expect_eq "which are those of reading every report" "$COLD" "$live"

# Starts that must not use it.
start_daemon || exit 1
expect_eq "each clean stop saves it anew" "$(said 'tallies from the snapshot as of row 7 ')" 1
stop_daemon
echo "# a comment" >>"$PLAN"
start_daemon || exit 1
expect_eq "another plan text: not used" "$(said 'tally snapshot not used (.*of another plan)')" 1
expect_eq "and the tallies read from every report" "$(tallies)" "$live"
stop_daemon
head -c 200 "$SNAP" >"$T/cut" && mv "$T/cut" "$SNAP"
start_daemon || exit 1
expect_eq "a damaged snapshot: not used" "$(said 'tally snapshot not used (.*truncated or damaged)')" 1
expect_eq "and the tallies read from every report" "$(tallies)" "$live"
stop_daemon
# Byte 16 is the release and layout that wrote it.
printf 'X' | dd of="$SNAP" bs=1 seek=16 conv=notrunc 2>/dev/null
start_daemon || exit 1
expect_eq "another release's snapshot: not used" \
	"$(said "tally snapshot not used (.*this release's tallies)")" 1
stop_daemon
cp "$SNAP" "$T/good.snap"
if [ -n "${TIENDO_STORE:-}" ]; then
	psql_ "TRUNCATE reports RESTART IDENTITY; INSERT INTO reports (client, seq, task, unit, kind, value, observed_at, received_at, reporter, note) SELECT 'other', g, 'cay', 'xa-a', 1, 1000, 1, 1, '', '' FROM generate_series(1, 8) g" >/dev/null
else
	rm -f "$STATE/tiendo.db" "$STATE/tiendo.db-wal" "$STATE/tiendo.db-shm" "$SNAP"
	start_daemon || exit 1
	"$B/tools/zsend" --client other --report "1|xa-a|cay|add|1|now" --repeat 7 "$INGEST" >/dev/null
	stop_daemon
	cp "$T/good.snap" "$SNAP"
fi
start_daemon || exit 1
expect_eq "another database with as many rows: not used" \
	"$(said 'tally snapshot not used (the store does not hold its last row')" 1
expect_eq "and the tallies are that database's" \
	"$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')" 8
finish
