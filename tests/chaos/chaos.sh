#!/bin/sh
# The crash test: real tiendo-push clients, each with its own outbox, push
# a known set of reports (and a few corrections) while tiendod is killed
# with SIGKILL at random moments and restarted on the same ports, and some
# sending clients are SIGKILLed too.  At the end every outbox must be
# empty, every report stored exactly once, every tally equal to the sum of
# what was sent minus what was voided, and the database sound.
#
# Sourced by tests/integration/test_crash.sh (short) and run by
# `make chaos` (long).  Knobs, from the environment:
#   CHAOS_CLIENTS  clients (default 4); odd ones run --follow, even ones
#                  are driven in a loop of one-shot runs
#   CHAOS_REPORTS  reports per client (default 2000)
#   CHAOS_KILLS    daemon SIGKILLs (default 5)
#   CHAOS_VOIDS    corrections per client (default 3)
#   CHAOS_GAP_MS   longest pause between two kills (default 700)
#   CHAOS_BATCH    reports per batch (default 10: many round trips, so
#                  that kills land while batches are in flight)
TEST_CLIENTS_MORE="$(seq -f 'c%g' 1 "${CHAOS_CLIENTS:-4}" | tr '\n' ' ') fr fk"
. "$(dirname "$0")/../integration/lib.sh"

CLIENTS=${CHAOS_CLIENTS:-4}
REPORTS=${CHAOS_REPORTS:-2000}
KILLS=${CHAOS_KILLS:-5}
VOIDS=${CHAOS_VOIDS:-3}
GAP_MS=${CHAOS_GAP_MS:-700}
BATCH=${CHAOS_BATCH:-10}
CHUNKS=20
W="$T/chaos"
mkdir -p "$W"
# The --follow clients are children of the workers: stop them too.
at_exit 'for f in "$W"/c*.fpid; do [ -f "$f" ] && kill -KILL "$(cat "$f")"; done 2>/dev/null'
DB="$T/state/tiendo.db"

# --- the reports: CSV chunks per client, and what the tallies must be -------
# Values in thousandths, spread over three pairs; the expected sums are
# kept in thousandths too, so that the comparison is exact.
for i in $(seq 1 "$CLIENTS"); do
	awk -v i="$i" -v n="$REPORTS" -v chunks="$CHUNKS" -v dir="$W" 'BEGIN {
		per = int((n + chunks - 1) / chunks)
		for (r = 0; r < n; r++) {
			k = int(r / per) + 1
			f = dir "/c" i "." k ".csv"
			if (!(k in opened)) { print "unit,task,kind,value,note" > f; opened[k] = 1 }
			p = (r + i) % 3
			unit = p == 2 ? "xa-b" : "xa-a"; task = p == 1 ? "dat" : "cay"
			milli = ((r * 7919 + i * 104729) % 9999) + 1
			printf "%s,%s,add,%d.%03d,c%d r%d\n", unit, task, int(milli / 1000), milli % 1000, i, r > f
			sum[task " " unit] += milli
		}
		for (k in sum) print k, sum[k] > (dir "/c" i ".expected")
	}'
done

restart_daemon() {
	rm -f "$STATE/endpoints"
	# shellcheck disable=SC2046
	"$B/tiendod" --plan "$PLAN" --state-dir "$STATE" --ingest "$INGEST" \
		--http "${HTTP#http://}" $(mode_args) \
		${TIENDO_STORE:+--store "$TIENDO_STORE"} 2>>"$T/tiendod.log" &
	DPID=$!
	PIDS="$PIDS $DPID"
	wait_for 30 test -f "$STATE/endpoints"
}

start_daemon || exit 1

# --- the clients -------------------------------------------------------------
push() { c=$1; shift; "$B/tiendo-push" --client "c$c" "$@"; }

# status_line I: "P pending, R rejected, D delivered"
status_line() { push "$1" --status --history 0 | tail -1; }
pending_of() { status_line "$1" | awk '{print $1}'; }

# Queues a few corrections of reports still pending, and remembers what
# they take away.
queue_voids() {
	# "SEQ UNIT TASK +VALUE @DAY TIME: pending since ..." -> "SEQ TASK UNIT VALUE"
	push "$1" --status --history 0 | awk -v n="$VOIDS" '
		/pending since/ && $4 ~ /^\+/ && c < n { c++; print $1, $3, $2, substr($4, 2) }
	' >"$W/c$1.voids"
	while read -r seq task unit value; do
		push "$1" --void "$seq" --reason "chaos: wrong number" \
			--no-send -q >/dev/null || echo "void of $seq failed" >>"$W/errors"
	done <"$W/c$1.voids"
}

# One one-shot sending run, whose pid the killer may take.
send_once() {
	"$B/tiendo-push" --client "c$1" -q --timeout 1 --retries 1 --batch "$BATCH" \
		>>"$W/c$1.log" 2>>"$W/c$1.err" &
	echo $! >"$W/c$1.pid"
	wait $!
	rc=$?
	rm -f "$W/c$1.pid"
	return $rc
}

worker() {
	i=$1
	if [ $((i % 2)) -eq 1 ]; then
		"$B/tiendo-push" --client "c$i" --follow --interval 1 \
			--batch "$BATCH" --timeout 1 --retries 1 -q >>"$W/c$i.log" 2>>"$W/c$i.err" &
		fpid=$!
		echo "$fpid" >"$W/c$i.fpid"
	fi
	for k in $(seq 1 "$CHUNKS"); do
		[ -f "$W/c$i.$k.csv" ] || continue
		push "$i" --no-send -q --csv "$W/c$i.$k.csv" >/dev/null 2>"$W/c$i.q.err" ||
			echo "c$i: queueing chunk $k failed: $(cat "$W/c$i.q.err")" >>"$W/errors"
		[ "$k" -eq 2 ] && queue_voids "$i"
		[ $((i % 2)) -eq 0 ] && send_once "$i"
		sleep "$PACE"
	done
	end=$(( $(date +%s) + 300 ))
	while [ "$(pending_of "$i")" != 0 ]; do
		if [ "$(date +%s)" -gt "$end" ]; then
			echo "c$i: outbox not empty after 300 s" >>"$W/errors"
			break
		fi
		if [ $((i % 2)) -eq 0 ]; then send_once "$i"; else sleep 0.2; fi
	done
	if [ $((i % 2)) -eq 1 ]; then
		kill -TERM "$fpid"
		wait "$fpid" || echo "c$i: --follow exited $?" >>"$W/errors"
		rm -f "$W/c$i.fpid"
	fi
}

# Feeding lasts about as long as the kills, so that they land mid-flight.
PACE=$(awk -v k="$KILLS" -v g="$GAP_MS" -v c="$CHUNKS" 'BEGIN { printf "%.2f", k * (g / 2000 + 0.1) / c }')
WPIDS=""
for i in $(seq 1 "$CLIENTS"); do
	worker "$i" &
	WPIDS="$WPIDS $!"
	PIDS="$PIDS $!"
done

# --- the killer ----------------------------------------------------------------
kills=0 client_kills=0 checks=0 checks_ok=0
started=$(date +%s)
while [ "$kills" -lt "$KILLS" ]; do
	sleep "$(awk -v g="$GAP_MS" -v r="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { printf "%.3f", (r % g) / 1000 }')"
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	PIDS=$(echo "$PIDS" | sed "s/ $DPID\b//")
	kills=$((kills + 1))
	# Now and then a sending client dies too, at whatever instant.
	if [ $((kills % 3)) -eq 0 ]; then
		for f in "$W"/c*.pid; do
			[ -f "$f" ] || continue
			kill -KILL "$(cat "$f")" 2>/dev/null && client_kills=$((client_kills + 1))
			break
		done
	fi
	# A database left by a crash opens cleanly.
	if [ $((kills % 10)) -eq 1 ]; then
		checks=$((checks + 1))
		[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && checks_ok=$((checks_ok + 1))
	fi
	if ! restart_daemon; then
		echo "# tiendod did not restart:"; tail -5 "$T/tiendod.log" | sed 's/^/#   /'
		break
	fi
done
expect_eq "daemon killed $KILLS times" "$kills" "$KILLS"
expect_eq "integrity_check after a crash ($checks times)" "$checks_ok" "$checks"

for p in $WPIDS; do wait "$p"; done
elapsed=$(( $(date +%s) - started ))
expect_eq "no client errors" "$(cat "$W/errors" 2>/dev/null)" ""

# --- the verdict ------------------------------------------------------------------
all_empty=yes
for i in $(seq 1 "$CLIENTS"); do
	l=$(status_line "$i")
	case $l in "0 pending, 0 rejected, "*) ;; *) all_empty="c$i: $l" ;; esac
done
expect_eq "every outbox is empty, nothing rejected" "$all_empty" yes

sent=$((CLIENTS * REPORTS))
stored=$(sqlite3 "$DB" 'SELECT count(*) FROM reports WHERE voids_seq IS NULL')
distinct=$(sqlite3 "$DB" "SELECT count(DISTINCT client || ':' || seq) FROM reports WHERE voids_seq IS NULL AND client LIKE 'c%'")
voided=$(sqlite3 "$DB" 'SELECT count(*) FROM reports WHERE voided_by IS NOT NULL')
corrections=$(sqlite3 "$DB" 'SELECT count(*) FROM reports WHERE voids_seq IS NOT NULL')
vexpected=$(cat "$W"/c*.voids | wc -l)
lost=$((sent - distinct))
expect_eq "every report stored" "$distinct" "$sent"
expect_eq "no report stored twice" "$stored" "$distinct"
expect_eq "every correction stored once, voiding one report each" "$corrections $voided" "$vexpected $vexpected"

# Expected per pair: everything sent, less what was voided.
cat "$W"/c*.expected >"$W/expected"
awk '{ split($4, p, "."); m = p[1] * 1000 + substr(p[2] "000", 1, 3); print $2, $3, -m }' \
	"$W"/c*.voids >>"$W/expected"
awk '{ s[$1 " " $2] += $3 } END { for (k in s) print k, s[k] }' "$W/expected" | sort >"$W/want"
milli() { awk '{ n = split($3, p, "."); m = p[1] * 1000 + (n > 1 ? substr(p[2] "000", 1, 3) : 0); print $1, $2, m }'; }
get /v1/tallies | jq -r '.tallies[] | select(.rollup == false and .reports > 0) | "\(.task) \(.unit) \(.actual)"' | milli | sort >"$W/got"
sqlite3 "$DB" "SELECT task, unit, sum(value) FROM reports WHERE voids_seq IS NULL AND voided_by IS NULL GROUP BY task, unit ORDER BY 1, 2" | tr '|' ' ' | sort >"$W/recount"
expect_eq "every tally equals what was sent, less what was voided" "$(cat "$W/got")" "$(cat "$W/want")"
expect_eq "every tally equals a recount of the stored reports" "$(cat "$W/got")" "$(cat "$W/recount")"
counted=$(get /v1/tallies | jq '[.tallies[] | select(.rollup == false) | .reports] | add')
double=$((counted - (stored - voided)))
expect_eq "reports counted once" "$double" 0

# What the clients saw, from their summary lines (a run killed mid-way
# prints none, so these are lower bounds).
dups=$(cat "$W"/c*.log | awk '/ accepted, / { d += $3 } END { print d + 0 }')
resent=$(cat "$W"/c*.log | awk '/ resent$/ { r += $(NF - 1) } END { print r + 0 }')

# --- the forced cases: whatever the storm's luck, every run has them -------
# lock DB: a sqlite3 shell holds DB's write lock until unlock (not in a
# subshell: it keeps fd 9 and LPID); fails if the lock was not taken.
lock() {
	rm -f "$W/lock.in"
	mkfifo "$W/lock.in"
	sqlite3 "$1" <"$W/lock.in" >/dev/null 2>&1 &
	LPID=$!
	PIDS="$PIDS $LPID"
	exec 9>"$W/lock.in"
	echo "BEGIN IMMEDIATE;" >&9
	wait_for 10 sh -c "! sqlite3 '$1' 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1"
}
unlock() { echo "ROLLBACK;" >&9; exec 9>&-; wait "$LPID"; }
# On PostgreSQL (TIENDO_TEST_STORE=pg) a psql session holds the reports
# table in EXCLUSIVE mode instead: the daemon's insert waits on it, as it
# waits in SQLite's busy handler.
if [ "${TIENDO_TEST_STORE:-sqlite}" = pg ]; then
	lock() {
		rm -f "$W/lock.in"
		mkfifo "$W/lock.in"
		"$PGBIN/psql" -X -q -h "$PGDIR" -U tiendo -d tiendo <"$W/lock.in" >/dev/null 2>&1 &
		LPID=$!
		PIDS="$PIDS $LPID"
		exec 9>"$W/lock.in"
		echo "BEGIN; LOCK TABLE reports IN EXCLUSIVE MODE;" >&9
		wait_for 10 sh -c "[ \"\$(\"$PGBIN/psql\" -X -A -t -h '$PGDIR' -U tiendo -d tiendo -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'reports' AND l.mode = 'ExclusiveLock' AND l.granted\")\" = 1 ]"
	}
fi
stored_of() { sqlite3 "$DB" "SELECT count(*) FROM reports WHERE client = '$1'"; }

# A resend: the daemon's database is locked, so it answers RETRY (or
# nothing in time) and the client sends the same batch again.
"$B/tiendo-push" --client fr --unit xa-a --task dat --add 1 --no-send -q >/dev/null
lock "$DB"
expect_eq "forced resend: the daemon's database is locked" "$?" 0
"$B/tiendo-push" --client fr --timeout 2 --retries 10 >"$W/fr.log" 2>&1 &
FRPID=$!
PIDS="$PIDS $FRPID"
ok "forced resend: the client sends again" wait_for 30 sh -c "grep -q 'no reply\|RETRY\|retry' '$W/fr.log' || [ \$(grep -c 'answering RETRY' '$T/tiendod.log') -gt 0 ]"
unlock
wait "$FRPID"
expect_eq "forced resend: the client ends with its report delivered" "$?" 0
fresent=$(awk '/ resent$/ { r += $(NF - 1) } END { print r + 0 }' "$W/fr.log")
ok "forced resend: its summary counts the resend ($fresent)" test "$fresent" -ge 1
resent=$((resent + fresent))

# A client killed while its batch is in the daemon's hands: the daemon's
# database is locked, so the daemon (one thread) sits in SQLite's busy wait
# with the batch, and HTTP stops answering: that is the moment.  The client
# dies, the lock goes, the daemon commits and answers a dead peer; the
# client's next run resends and is answered duplicate.
for v in 1 2 3; do
	"$B/tiendo-push" --client fk --unit xa-a --task dat --add "$v" --no-send -q >/dev/null
done
nfk=3
lock "$DB"
expect_eq "forced kill: the daemon's database is locked" "$?" 0
"$B/tiendo-push" --client fk --timeout 30 --retries 1 >"$W/fk.log" 2>&1 &
FKPID=$!
PIDS="$PIDS $FKPID"
stuck() { ! curl -s -o /dev/null --max-time 0.3 "$HTTP/healthz"; }
ok "forced kill: the daemon holds the client's batch" wait_for 10 stuck
if kill -KILL "$FKPID" 2>/dev/null; then
	client_kills=$((client_kills + 1))
	pass "forced kill: the client, waiting for its ack, is killed"
else
	flunk "forced kill: the client, waiting for its ack, is killed" "it had exited: $(cat "$W/fk.log")"
fi
wait "$FKPID" 2>/dev/null
unlock
fk_stored() { [ "$(stored_of fk)" = "$nfk" ]; }
ok "forced kill: the daemon stores the batch all the same" wait_for 10 fk_stored
out=$("$B/tiendo-push" --client fk --timeout 5 --retries 2 2>&1)
expect_match "forced kill: its next run resends, answered duplicate" "$out" \
	"^0 accepted, $nfk duplicate, 0 rejected, 0 pending"
dups=$((dups + nfk))
expect_eq "forced kill: stored once" "$(stored_of fk)" "$nfk"

ok "client kills: at least one ($client_kills)" test "$client_kills" -ge 1
ok "resends: at least one ($resent)" test "$resent" -ge 1
ok "duplicates answered: at least one ($dups)" test "$dups" -ge 1

stop_daemon
expect_eq "SIGTERM after the storm: exit 0" "$DSTATUS" 0
expect_eq "integrity_check at the end" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok

echo "# chaos: $CLIENTS clients, $elapsed s"
echo "# reports sent:        $sent (+ $corrections corrections)"
echo "# daemon kills:        $kills"
echo "# client kills:        $client_kills"
echo "# resends:             $resent (reports sent again by clients)"
echo "# duplicates answered: $dups"
echo "# lost:                $lost"
echo "# double-counted:      $double"
finish
