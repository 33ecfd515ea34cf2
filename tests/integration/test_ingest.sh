#!/bin/sh
# Ingest end to end: the real tiendod on free ports, reports sent with the
# zsend probe, tallies read over HTTP.
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"


# --- accepted, duplicate, counted once -------------------------------------
out=$($Z --report "1|xa-a|cay|add|300|now-60000|Lan|hôm nay trồng" \
	--report "2|xa-a|cay|add|0.1|now-50000" --repeat 9 "$INGEST")
expect_match "batch accepted" "$out" "^status OK"
expect_eq "11 reports accepted" "$(echo "$out" | grep -c ' ACCEPTED ')" 11
expect_eq "0.1 added ten times is exactly 1" "$(tally cay xa-a actual)" "301"
out=$($Z --report "1|xa-a|cay|add|300|now-60000" "$INGEST")
expect_match "resent report is a duplicate" "$out" "^report 1 DUPLICATE NONE"
expect_eq "duplicate counted once" "$(tally cay xa-a actual)" "301"
expect_eq "duplicate not stored twice" "$(rows)" 11
out=$($Z --client other --report "1|xa-a|cay|add|5|now" "$INGEST")
expect_match "same seq from another client is new" "$out" "^report 1 ACCEPTED"
out=$($Z --report "20|xa-a|cay|add|1|now" --report "20|xa-a|cay|add|1|now" "$INGEST")
expect_match "same seq twice in a batch: second is duplicate" "$out" "report 20 ACCEPTED.*
report 20 DUPLICATE"
expect_eq "tally after these" "$(tally cay xa-a actual)" "307"

# --- set, and order independence ------------------------------------------
# A set at t-30min of 100, an add at t-20min of 5, an older add at t-40min
# of 7 (before the set: not counted), sent in the "wrong" order.
$Z --client ord --report "1|xa-b|cay|add|5|now-1200000" "$INGEST" >/dev/null
$Z --client ord --report "2|xa-b|cay|add|7|now-2400000" "$INGEST" >/dev/null
$Z --client ord --report "3|xa-b|cay|set|100|now-1800000" "$INGEST" >/dev/null
expect_eq "set + later add, out of order" "$(tally cay xa-b actual)" "105"
expect_eq "reports counted" "$(tally cay xa-b reports)" 3
expect_eq "the set older than an add was refolded from the store, once" \
	"$(get /metrics | awk '$1 == "tiendo_tally_recounts_total" { print $2 }')" 1

# --- roll-up ---------------------------------------------------------------
t=$(get "/v1/tallies?task=cay")
expect_eq "district roll-up sums its communes" \
	"$(jget "$t" '.tallies[] | select(.unit=="huyen") | "\(.rollup) \(.units) \(.actual) \(.target)"')" \
	"true 2 412 1500"
expect_eq "units listed parent first" "$(jget "$t" '[.tallies[].unit] | join(",")')" "huyen,xa-a,xa-b"
expect_eq "status of a laggard" "$(jget "$t" '.tallies[] | select(.unit=="xa-b") | .status')" "critical"

# --- bad input: each precisely refused, nothing else changes ---------------
before=$(rows)
bad() { # NAME PATTERN ZSEND-ARGS...
	name=$1 pat=$2; shift 2
	out=$($Z "$@" "$INGEST" 2>&1)
	expect_match "$name" "$out" "$pat"
}
bad "garbage frame" "error BATCH_MALFORMED" --garbage 64
bad "truncated batch" "error BATCH_MALFORMED" --report "99|xa-a|cay|add|1|now|someone|a note" --truncate 30
bad "oversized message" "error BATCH_TOO_LARGE.*" --garbage 1200000
bad "unknown version" "error BATCH_VERSION" --version 7 --report "99|xa-a|cay|add|1|now"
bad "empty batch" "error BATCH_EMPTY" --version 1
bad "batch over the limit" "error BATCH_TOO_MANY" --report "100|xa-a|cay|add|1|now" --repeat 1000
if [ "$TIENDO_TEST_CURVE" = 1 ]; then
	# The key names the client; Batch.client is not even looked at.
	bad "client identity from the key, not the body" "^client probe" \
		--key "$CKEYS/probe.secret" --client "xã a" --report "99|xa-z|cay|add|1|now"
else
	bad "bad client identity" "error BATCH_BAD_CLIENT" --client "xã a" --report "99|xa-a|cay|add|1|now"
fi
bad "extra frame" "error BATCH_FRAMES" --extra-frame --report "99|xa-a|cay|add|1|now"
bad "unknown unit" "REJECTED UNKNOWN_UNIT unit \"xa-z\" is not in the plan" --report "99|xa-z|cay|add|1|now"
bad "unknown task" "REJECTED UNKNOWN_TASK task \"lua\" is not in the plan" --report "99|xa-a|lua|add|1|now"
bad "unit without target" "REJECTED NO_TARGET unit \"xa-b\" has no target for task \"dat\"" --report "99|xa-b|dat|add|1|now"
bad "unit that is a department" "REJECTED NO_TARGET" --report "99|phong-nn|cay|add|1|now"
bad "value nan" "REJECTED BAD_VALUE value \"nan\"" --report "99|xa-a|cay|add|nan|now"
bad "value inf" "REJECTED BAD_VALUE" --report "99|xa-a|cay|add|inf|now"
bad "value with exponent" "REJECTED BAD_VALUE" --report "99|xa-a|cay|add|1e3|now"
bad "value with 4 decimals" "REJECTED BAD_VALUE .*3 decimals" --report "99|xa-a|cay|add|1.2345|now"
bad "value with a comma" "REJECTED BAD_VALUE" --report "99|xa-a|cay|add|1,5|now"
bad "empty value" "REJECTED BAD_VALUE" --report "99|xa-a|cay|add||now"
bad "negative set" "REJECTED BAD_VALUE" --report "99|xa-a|cay|set|-1|now"
bad "kind missing" "REJECTED BAD_KIND" --report "99|xa-a|cay|0|1|now"
bad "observed_at missing" "REJECTED BAD_TIME .*missing" --report "99|xa-a|cay|add|1|0"
bad "observed_at in the future" "REJECTED FUTURE .*ahead of the server clock" --report "99|xa-a|cay|add|1|now+3600000"
bad "seq zero" "REJECTED BAD_SEQ" --report "0|xa-a|cay|add|1|now"
bad "note over its limit" "REJECTED TOO_LONG note is 1001 bytes" --report "99|xa-a|cay|add|1|now" --pad-note 1001
bad "invalid UTF-8 note" "REJECTED BAD_UTF8 note is not valid UTF-8" --report "99|xa-a|cay|add|1|now|ai|\\xff\\xfe"
bad "overlong UTF-8 in unit" "REJECTED BAD_UTF8 unit" --report "99|\\xc0\\xafxa|cay|add|1|now"
out=$($Z --report "101|xa-a|cay|add|2|now" --report "102|xa-z|cay|add|1|now" "$INGEST")
expect_match "a bad report does not spoil its batch" "$out" "report 101 ACCEPTED.*
report 102 REJECTED"
expect_eq "bad input stored nothing" "$(rows)" $((before + 1))
expect_eq "bad input changed no tally" "$(tally cay xa-a actual)" "309"
out=$($Z --garbage 5000000 --timeout 1000 "$INGEST" 2>&1)
expect_match "message over the hard limit: connection dropped, no reply" "$out" "no reply"
out=$($Z --req --report "103|xa-a|cay|add|1|now" "$INGEST")
expect_match "a REQ client is answered too" "$out" "report 103 ACCEPTED"
expect_match "daemon still healthy after all that" "$(get /healthz)" '"status": "ok"'

# --- at=: the tallies as of a past instant --------------------------------
past=$(date -u -d '45 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
t=$(get "/v1/tallies?task=cay&unit=xa-b&at=$past")
expect_eq "at= before any report: nothing" "$(jget "$t" '.tallies[0].actual')" "0"
past=$(date -u -d '25 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
t=$(get "/v1/tallies?task=cay&unit=xa-b&at=$past")
expect_eq "at= after the set, before the add" "$(jget "$t" '.tallies[0].actual')" "100"
expect_eq "at= reports the instant" "$(jget "$t" '.now')" "$(date -u -d "$past" +%Y-%m-%dT%H:%M:%S.000Z)"
expect_eq "at= with a bad time is 400" "$(get_status '/v1/tallies?at=yesterday')" 400
expect_eq "unknown task filter is 400" "$(get_status '/v1/tallies?task=nope')" 400
expect_eq "unknown parameter is 400" "$(get_status '/v1/tallies?bogus=1')" 400
expect_eq "unknown path is 404" "$(get_status '/v2/nothing')" 404
expect_eq "units listed" "$(get /v1/units | jq -r '[.units[].code] | join(",")')" "huyen,xa-a,xa-b,phong-nn"
expect_eq "tasks listed" "$(get /v1/tasks | jq -r '[.tasks[] | "\(.code):\(.targets):\(.target_total)"] | join(",")')" "cay:2:1500,dat:1:12.5"

# --- restart: the same tallies, rebuilt from the store ---------------------
snap() { get /v1/tallies | jq -c '[.tallies[] | [.task, .unit, .rollup, .actual, .reports, .last_report]]'; }
before=$(snap)
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
start_daemon || exit 1
expect_eq "tallies identical after restart" "$(snap)" "$before"
out=$($Z --report "1|xa-a|cay|add|300|now-60000" "$INGEST")
expect_match "still a duplicate after restart" "$out" "^report 1 DUPLICATE"
expect_eq "integrity_check" "$(sqlite3 "$STATE/tiendo.db" 'PRAGMA integrity_check')" ok
stop_daemon
expect_eq "second SIGTERM: exit 0" "$DSTATUS" 0

finish
