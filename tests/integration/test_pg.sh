#!/bin/sh
# The PostgreSQL store, on a real throwaway cluster (pglib.sh): the storage
# suites written for SQLite run again on it (ingest, duplicates, at=,
# corrections, one message of many fates (test_batch_fates), alerts
# surviving a restart, the crash test, silences,
# retention, the reports listing), then what is
# PostgreSQL's own: the server stopped (RETRY, /healthz, recovery by
# itself), the server crashed and restarted under load (every pending
# report delivered once), the schema version, no password in the setting.
TEST_CLIENTS_MORE="down l1 l2 l3"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pglib.sh"

# --- the storage suites, on PostgreSQL -------------------------------------
for suite in ${PG_SUITES-test_ingest test_corrections test_batch_fates test_alerts test_crash \
		test_silences test_retention test_views test_snapshot}; do
	s0=$(date +%s)
	TIENDO_TEST_STORE=pg sh "tests/integration/$suite.sh" >"$T/$suite.out" 2>&1
	rc=$?
	n=$(grep -c '^ok ' "$T/$suite.out")
	bad=$(grep -A3 '^not ok ' "$T/$suite.out" | head -40)
	if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$n" -gt 0 ]; then
		pass "on PostgreSQL: $suite ($n checks, $(( $(date +%s) - s0 )) s)"
	else
		flunk "on PostgreSQL: $suite (exit $rc, $n passed)" "$bad" \
			"$(tail -5 "$T/$suite.out")"
	fi
done

pg_init || exit 1
start_daemon || exit 1
rows() { psql_ 'SELECT count(*) FROM reports'; }
P="$B/tiendo-push --client down -q --timeout 2 --retries 1"

# --- text goes in as sent (the rows travel as array literals) --------------
note='say "hi" \ {a,b} NULL'
"$B/tools/zsend" --client down --report "900|xa-b|cay|add|0|now|Lan \"L\"|$note" "$INGEST" >/dev/null
expect_eq "a note with quotes, a backslash and braces, stored as sent" \
	"$(psql_ "SELECT note FROM reports WHERE client = 'down' AND seq = 900")" "$note"
expect_eq "and the reporter" "$(psql_ "SELECT reporter FROM reports WHERE client = 'down' AND seq = 900")" 'Lan "L"'

# --- the server refuses the rows: the whole batch is RETRY -----------------
# The rows' COPY is answered after ingest moved on (its answer is read
# with the COMMIT's): a refusal there must still fail the batch, with the
# server's reason, and leave nothing of it stored or counted.
psql_ "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
	IF NEW.note = 'boom' THEN RAISE EXCEPTION 'refused by the test'; END IF;
	RETURN NEW; END \$\$;
	CREATE TRIGGER boom BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION boom();" >/dev/null
before=$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')
out=$("$B/tools/zsend" --client down --report "901|xa-a|cay|add|5|now" \
	--report "902|xa-a|cay|add|7|now|x|boom" "$INGEST")
expect_match "a row the server refuses: the batch is RETRY" "$out" "status RETRY"
expect_match "with the server's reason in the log" "$(cat "$T/tiendod.log")" "refused by the test"
expect_eq "nothing of it stored" "$(psql_ "SELECT count(*) FROM reports WHERE seq IN (901, 902)")" 0
expect_eq "nor counted" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')" "$before"
psql_ "DROP TRIGGER boom ON reports" >/dev/null
expect_match "resent once the server takes them: both accepted" \
	"$("$B/tools/zsend" --client down --report "901|xa-a|cay|add|5|now" \
		--report "902|xa-a|cay|add|7|now|x|boom" "$INGEST" | grep -c ACCEPTED)" '^2$'
expect_eq "and counted once" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')" \
	"$(awk -v b="$before" 'BEGIN { print b + 12 }')"
# Taken back by hand, the daemon stopped: the tally snapshot it saved has
# lost its last row, so the start reads every row.
stop_daemon
psql_ "DELETE FROM reports WHERE client = 'down' AND seq IN (901, 902)" >/dev/null
start_daemon || exit 1

# --- the server stopped: RETRY, then recovery by itself ---------------------
$P --unit xa-a --task cay --add 1 >/dev/null
expect_eq "a report goes in" "$(rows)" 2
pg_stop fast
for i in $(seq 1 20); do $P --unit xa-a --task cay --add 1 --no-send >/dev/null; done
out=$($P 2>&1); rc=$?
expect_eq "server down: the client keeps its reports (exit 75)" "$rc" 75
expect_match "and says they are pending" "$out" "0 accepted, 0 duplicate, 0 rejected, 20 pending"
expect_eq "healthz: 503" "$(get_status /healthz)" 503
expect_match "healthz says why" "$(get /healthz 2>/dev/null; curl -s "$HTTP/healthz")" '"storage": ?"failing"'
expect_match "the log says so" "$(cat "$T/tiendod.log")" "storage: .*answering RETRY"
ok "the daemon is still running" kill -0 "$DPID"
pg_start
ok "healthz recovers by itself once the server is back" wait_for 20 healthy
expect_match "and the log says so" "$(cat "$T/tiendod.log")" "storage: writing again"
out=$($P 2>&1)
expect_match "the outbox then drains" "$out" "^20 accepted, 0 duplicate, 0 rejected, 0 pending"
expect_eq "everything stored once" "$(rows)" 22
expect_eq "tally" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual')" 21

# --- the dashboard's charts read the same rows ------------------------------
expect_eq "/v1/series: the chart ends at the tally" \
	"$(get '/v1/series?task=cay&unit=xa-a' | jq -r '.points[-1].actual')" 21
expect_eq "and starts from nothing" \
	"$(get '/v1/series?task=cay&unit=xa-a' | jq -r '.points[0].actual')" 0

# --- the server crashed and restarted under load ----------------------------
# Each crash gets fresh load: every client queues a chunk before it (one
# chunk for the whole test was drained before the third crash once
# ingest batched its inserts).
N=3000
queue() {
	for i in 1 2 3; do
		awk -v n=$N -v i=$i 'BEGIN { print "unit,task,kind,value"; for (r = 0; r < n; r++) print (r % 2 ? "xa-a" : "xa-b") ",cay,add,0." i }' >"$T/l$i.csv"
		"$B/tiendo-push" --client "l$i" --csv "$T/l$i.csv" --no-send -q >/dev/null ||
			flunk "client l$i queues a chunk"
	done
}
for i in 1 2 3; do
	"$B/tiendo-push" --client "l$i" --follow --interval 1 --batch 20 --timeout 1 --retries 1 -q \
		>"$T/l$i.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "F$i=\$!"
done
crashes=0
retry_count() { curl -s "$HTTP/metrics" | sed -n 's/^tiendo_batches_total{status="retry"} //p'; }
for k in 1 2 3; do
	n0=$(rows)
	queue
	# A crash counts only under load, and only when it was felt: the
	# daemon answered RETRY while the server was down.
	wait_for 30 sh -c "[ \$(\"$PGBIN/psql\" -X -A -t -h '$PGDIR' -U tiendo -d tiendo -c 'SELECT count(*) FROM reports') -gt $((n0 + 200)) ]" ||
		{ flunk "load before crash $k" "rows: $(rows), before: $n0"; continue; }
	r0=$(retry_count)
	pg_stop immediate || { flunk "crash $k"; continue; }
	if wait_for 10 sh -c "[ \"\$(curl -s '$HTTP/metrics' | sed -n 's/^tiendo_batches_total{status=\"retry\"} //p')\" -gt ${r0:-0} ]"; then
		crashes=$((crashes + 1))
	else
		flunk "RETRY answered while the server is down (crash $k)"
	fi
	pg_start
done
expect_eq "server crashed 3 times under load, each answered RETRY" "$crashes" 3
pending() { for i in 1 2 3; do "$B/tiendo-push" --client "l$i" --status --history 0 | tail -1; done | awk '{ s += $1 } END { print s }'; }
ok "every outbox drains" wait_for 120 sh -c "[ \"\$(for i in 1 2 3; do '$B/tiendo-push' --client l\$i --status --history 0 | tail -1; done | awk '{ s += \$1 } END { print s }')\" = 0 ]"
expect_eq "every pending report stored once" \
	"$(psql_ "SELECT count(*), count(DISTINCT (client, seq)) FROM reports WHERE client LIKE 'l%'")" "$((9 * N))|$((9 * N))"
recount=$(psql_ "SELECT sum(value) FROM reports WHERE task = 'cay' AND unit = 'xa-a' AND voided_by IS NULL AND voids_seq IS NULL")
milli=$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup==false) | .actual' | awk '{ printf "%d", $1 * 1000 + 0.5 }')
ok "the tally equals a recount ($recount thousandths)" test "${recount:-0}" -gt 0 -a "$milli" = "$recount"
# A crash while the server committed leaves the outcome unknown: the
# daemon then recounts (the check above is what proves it right).
echo "# commits of unknown outcome recounted: $(grep -c "outcome was unknown" "$T/tiendod.log")"
for i in 1 2 3; do eval "kill -TERM \$F$i"; done
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0

# --- a schema from a newer tiendod is refused -------------------------------
psql_ "UPDATE tiendo_schema SET version = version + 1" >/dev/null
: >"$T/tiendod.log"
# shellcheck disable=SC2046
"$B/tiendod" --plan "$PLAN" --state-dir "$T/s2" --ingest tcp://127.0.0.1:0 \
	--http 127.0.0.1:0 $(mode_args) --store "$TIENDO_STORE" 2>"$T/newer.log"
rc=$?
expect_eq "newer schema: exit 73" "$rc" 73
expect_match "and why" "$(cat "$T/newer.log")" "schema version [0-9]+ is newer than this tiendod"
psql_ "UPDATE tiendo_schema SET version = version - 1" >/dev/null

# --- no password in the setting ---------------------------------------------
out=$("$B/tiendod" --plan "$PLAN" --check --store "postgresql://tiendo:secret@localhost/tiendo" 2>&1); rc=$?
expect_eq "a password in store=: exit 64" "$rc" 64
expect_match "and why" "$out" "no password in the setting.*pgpass"

# --- backup: PostgreSQL's own tools -----------------------------------------
out=$("$B/tiendo-ctl" backup --store "$TIENDO_STORE" "$T/b.dump" 2>&1); rc=$?
expect_eq "tiendo-ctl backup on PostgreSQL: exit 64" "$rc" 64
expect_match "and it says to use pg_dump or pgBackRest" "$out" "pg_dump.*pgBackRest"
ok "and writes nothing" test ! -e "$T/b.dump"
finish
