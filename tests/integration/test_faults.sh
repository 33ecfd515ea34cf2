#!/bin/sh
# Storage errors and shutdown: a full disk gets no ack and RETRY, the daemon
# stays up, says so in its log and /healthz, and recovers by itself; SIGTERM
# under load exits 0 within 5 s and loses nothing; tiendo-push --follow
# rides out a daemon that comes and goes.
TEST_CLIENTS_MORE="l1 l2 l3 l4 dead full"
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
count_log() { grep -c "$1" "$T/tiendod.log"; }

# --- a dead server: the client does not wait for ever, and says so --------
t0=$(date +%s)
out=$("$B/tiendo-push" --client dead --connect tcp://127.0.0.1:9 --timeout 1 --retries 2 \
	--unit xa-a --task cay --add 1 2>&1); rc=$?
took=$(( $(date +%s) - t0 ))
expect_eq "no daemon: exit 75" "$rc" 75
expect_match "and tells what is still pending, and where" "$out" "1 report still pending in .*outbox-dead.db"
ok "gives up in bounded time ($took s)" test "$took" -lt 30

# --- a database capped by max_page_count (works everywhere) ----------------
STATE="$T/capped"
printf '[tiendod]\nmax_page_count = 24\n' >"$T/capped.conf"
long=$(printf '%0800d' 0)
start_daemon -c "$T/capped.conf" || exit 1
out=$($Z --report "1|xa-a|cay|add|1|now" "$INGEST")
expect_match "a small batch fits" "$out" "report 1 ACCEPTED"
out=$($Z --report "2|xa-a|cay|add|1|now|someone|$long" --repeat 999 "$INGEST")
expect_match "database full: RETRY, storage" "$out" "^status RETRY
error BATCH_STORAGE"
expect_eq "nothing of it stored" "$(rows)" 1
expect_eq "healthz says degraded (503)" "$(get_status /healthz)" 503
expect_match "and why" "$(curl -s "$HTTP/healthz")" '"storage_error": ".*full'
$Z --report "3000|xa-a|cay|add|1|now||$long" --repeat 999 "$INGEST" >/dev/null
expect_eq "logged once, not per batch" "$(count_log 'storage: .*answering RETRY')" 1
out=$($Z --report "5000|xa-a|cay|add|1|now" "$INGEST")
expect_match "the daemon stays up and still takes what fits" "$out" "report 5000 ACCEPTED"
stop_daemon
expect_eq "and stops cleanly: exit 0" "$DSTATUS" 0

# --- a database locked by someone else --------------------------------------
STATE="$T/locked"
: >"$T/tiendod.log"
start_daemon || exit 1
$Z --report "1|xa-a|cay|add|1|now" "$INGEST" >/dev/null
# An operator's shell holds the write lock for longer than the busy timeout.
mkfifo "$T/lock.in"
sqlite3 "$STATE/tiendo.db" <"$T/lock.in" >/dev/null 2>&1 &
LPID=$!
PIDS="$PIDS $LPID"
exec 9>"$T/lock.in"
echo "BEGIN IMMEDIATE; INSERT INTO probe (id, at) VALUES (1, 0);" >&9
locked() { ! sqlite3 "$STATE/tiendo.db" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; }
ok "the shell holds the lock" wait_for 10 locked
out=$($Z --timeout 15000 --report "2|xa-a|cay|add|1|now" "$INGEST")
expect_match "locked: RETRY after the busy timeout" "$out" "^status RETRY
error BATCH_STORAGE"
expect_match "the log names the lock" "$(cat "$T/tiendod.log")" "storage: .*locked"
expect_eq "healthz: 503 while locked" "$(get_status /healthz)" 503
echo "ROLLBACK;" >&9
exec 9>&-
wait "$LPID"
ok "healthz recovers once the lock is gone" wait_for 10 healthy
out=$($Z --report "2|xa-a|cay|add|1|now" "$INGEST")
expect_match "and the resent report goes in" "$out" "report 2 ACCEPTED"
stop_daemon

# --- a real full disk: a small tmpfs, then room again ---------------------
if mkdir -p "$T/small" && mount -t tmpfs -o size=3m tmpfs "$T/small" 2>/dev/null; then
	at_exit 'umount "$T/small" 2>/dev/null'
	STATE="$T/small/state"
	: >"$T/tiendod.log"
	start_daemon || exit 1
	P="$B/tiendo-push --client full -q --timeout 2 --retries 1"
	$P --unit xa-a --task cay --add 1 >/dev/null
	expect_eq "a report goes in" "$(rows)" 1
	dd if=/dev/zero of="$T/small/filler" bs=64k 2>/dev/null
	printf 'unit,task,kind,value,note\n' >"$T/big.csv"
	awk 'BEGIN { for (i = 0; i < 2000; i++) printf "xa-a,cay,add,1,%0900d\n", i }' >>"$T/big.csv"
	out=$($P --csv "$T/big.csv" 2>&1); rc=$?
	expect_eq "disk full: the client keeps its reports (exit 75)" "$rc" 75
	expect_match "and says they are pending" "$out" "0 accepted, 0 duplicate, 0 rejected, 2000 pending"
	expect_eq "nothing acknowledged, nothing stored" "$(rows)" 1
	expect_eq "healthz: 503" "$(get_status /healthz)" 503
	expect_match "the log says so" "$(cat "$T/tiendod.log")" "storage: .*(full|disk).*answering RETRY"
	ok "the daemon is still running" kill -0 "$DPID"
	rm -f "$T/small/filler"
	ok "healthz recovers by itself once there is room" wait_for 10 healthy
	expect_match "and the log says so" "$(cat "$T/tiendod.log")" "storage: writing again"
	out=$($P 2>&1)
	expect_match "the outbox then drains" "$out" "^2000 accepted, 0 duplicate, 0 rejected, 0 pending"
	expect_eq "everything stored once" "$(rows)" 2001
	expect_eq "tally" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')" 2001
	stop_daemon
	expect_eq "integrity_check" "$(sqlite3 "$STATE/tiendo.db" 'PRAGMA integrity_check')" ok
	umount "$T/small"
else
	skip "a real full disk (tmpfs)" "cannot mount a tmpfs here (not root?); the capped database above stands in"
fi

# --- SIGTERM under load ------------------------------------------------------
STATE="$T/load"
: >"$T/tiendod.log"
start_daemon || exit 1
N=4000
for i in 1 2 3 4; do
	awk -v n=$N 'BEGIN { print "unit,task,kind,value"; for (r = 0; r < n; r++) print (r % 2 ? "xa-a" : "xa-b") ",cay,add,0.5" }' >"$T/l$i.csv"
	"$B/tiendo-push" --client "l$i" --csv "$T/l$i.csv" --no-send -q >/dev/null
	"$B/tiendo-push" --client "l$i" --follow --interval 1 --batch 20 --timeout 1 --retries 1 -q \
		>"$T/l$i.log" 2>&1 &
	eval "F$i=\$!"
	PIDS="$PIDS $!"
done
ok "under load: over 2000 reports stored before the SIGTERM" \
	wait_for 30 sh -c "[ \$(sqlite3 '$STATE/tiendo.db' 'SELECT count(*) FROM reports') -gt 2000 ]"
t0=$(date +%s%N)
stop_daemon
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect_eq "SIGTERM under load: exit 0" "$DSTATUS" 0
ok "within 5 s (took $ms ms)" test "$ms" -lt 5000
at_stop=$(rows)
ok "it stopped mid-way ($at_stop of $((4 * N)) stored)" test "$at_stop" -lt $((4 * N))
expect_eq "integrity_check after it" "$(sqlite3 "$STATE/tiendo.db" 'PRAGMA integrity_check')" ok
# The same ports, so that the clients find it again.
rm -f "$STATE/endpoints"
# shellcheck disable=SC2046
"$B/tiendod" --plan "$PLAN" --state-dir "$STATE" --ingest "$INGEST" --http "${HTTP#http://}" $(mode_args) 2>>"$T/tiendod.log" &
DPID=$!
PIDS="$PIDS $DPID"
ok "restarted on the same ports" wait_for 20 test -f "$STATE/endpoints"
pending() { n=0; for i in 1 2 3 4; do p=$("$B/tiendo-push" --client "l$i" --status --history 0 | tail -1 | cut -d' ' -f1); n=$((n + p)); done; echo $n; }
all_done() { [ "$(pending)" = 0 ]; }
ok "--follow clients finish the job after the restart" wait_for 120 all_done
expect_eq "every outbox empty" "$(pending)" 0
expect_eq "every report stored once" "$(rows)" $((4 * N))
expect_eq "tally: nothing lost, nothing twice" \
	"$(get '/v1/tallies?task=cay' | jq -r '.tallies[] | select(.rollup==false) | "\(.unit) \(.actual) \(.reports)"' | sort | tr '\n' ' ')" \
	"xa-a $N $((2 * N)) xa-b $N $((2 * N)) "
for i in 1 2 3 4; do
	eval "f=\$F$i"
	kill -TERM "$f"
	wait "$f"
	expect_eq "--follow client $i stops on SIGTERM with exit 0" $? 0
done
stop_daemon
finish
