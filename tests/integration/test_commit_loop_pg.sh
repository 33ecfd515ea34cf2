#!/bin/sh
# The COMMIT is off the loop on PostgreSQL too (README, "One loop"): while
# the server takes 1 s to answer a batch's COMMIT (a deferred trigger that
# sleeps, made by this test), /healthz answers at once and the ack comes
# only after the answer.  A connection lost while the COMMIT is in flight
# is the failure path: the batch is answered RETRY, its tally put back, and
# the resent batch goes in once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pglib.sh"

Z="$B/tools/zsend"
if ! pg_init; then
	skip "PostgreSQL" "no server binaries"
	finish
	exit 0
fi
start_daemon || exit 1
rows() { psql_ 'SELECT count(*) FROM reports'; }

out=$($Z --report "1|xa-a|cay|add|5|now" "$INGEST")
expect_match "before: a report goes in" "$out" "^report 1 ACCEPTED"
psql_ "CREATE TABLE test_slow (on_ boolean);
CREATE FUNCTION test_slow() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN IF EXISTS (SELECT 1 FROM test_slow) THEN PERFORM pg_sleep(1); END IF;
RETURN NULL; END \$\$;
CREATE CONSTRAINT TRIGGER test_slow AFTER INSERT ON reports
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_slow();
INSERT INTO test_slow VALUES (true);" >/dev/null
# committing: the daemon's COMMIT is running on the server.
committing() {
	[ "$(psql_ "SELECT count(*) FROM pg_stat_activity WHERE query = 'COMMIT' AND state = 'active' AND application_name = 'tiendod'")" -ge 1 ]
}
seconds() { date +%s.%N; }

t0=$(seconds)
( $Z --timeout 15000 --report "2|xa-a|cay|add|7|now" "$INGEST" >"$T/ack2.out"
  seconds >"$T/ack2.at" ) &
ZPID=$!
ok "the COMMIT is in flight on the server" wait_for 10 committing
probe_healthz 3 "healthz answers 200 during the commit" true
still=0
committing && kill -0 "$ZPID" 2>/dev/null && still=1
expect_eq "the COMMIT still running, the ack not yet sent, after the probes" "$still" 1
# Half the COMMIT, as test_commit_loop: a held loop would answer after it.
ok "healthz answered well within the 1 s COMMIT each time (worst ${WORST}s)" \
	awk -v w="$WORST" 'BEGIN { exit !(w < 0.5) }'
wait "$ZPID"
expect_match "the batch is acknowledged" "$(cat "$T/ack2.out")" "^report 2 ACCEPTED"
took=$(awk -v a="$t0" -v b="$(cat "$T/ack2.at")" 'BEGIN { print b - a }')
ok "and only after the COMMIT's answer (${took}s)" awk -v t="$took" 'BEGIN { exit !(t >= 0.9) }'
expect_eq "stored" "$(rows)" 2
expect_eq "and counted" "$(tally cay xa-a actual)" 12

# The connection cut while the COMMIT is in flight.
( $Z --timeout 15000 --report "3|xa-a|cay|add|1|now" "$INGEST" >"$T/ack3.out" ) &
ZPID=$!
ok "another COMMIT in flight" wait_for 10 committing
psql_ "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'COMMIT' AND application_name = 'tiendod'" >/dev/null
wait "$ZPID"
expect_match "a connection lost mid-COMMIT: RETRY, storage" "$(cat "$T/ack3.out")" "^status RETRY
error BATCH_STORAGE"
expect_eq "nothing of it stored" "$(rows)" 2
expect_eq "its tally put back" "$(tally cay xa-a actual)" 12
psql_ "DELETE FROM test_slow" >/dev/null
ok "healthz recovers by itself" wait_for 15 healthy
out=$($Z --timeout 15000 --report "3|xa-a|cay|add|1|now" "$INGEST")
expect_match "the resent batch goes in" "$out" "^report 3 ACCEPTED"
expect_eq "stored once" "$(rows)" 3
expect_eq "counted once" "$(tally cay xa-a actual)" 13
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
