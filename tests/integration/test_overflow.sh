#!/bin/sh
# Accepted means counted (PROTOCOL.md 2.3): a report whose counting would
# take a task's totals past the int64 thousandths is REJECTED OVERFLOW
# before the ack, in the batch's transaction, and not stored; every accepted
# one is in the tally and in the roll-ups, exactly.  Also after a restart.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"
BIG=1000000000000
z() { $Z --client k "$@" "$INGEST"; }
tally() { get "/v1/tallies?task=$1&unit=$2" | jq -r ".tallies[] | select(.unit==\"$2\" and .rollup==$4) | .$3"; }
# adds FIRST_SEQ COUNT VALUE UNIT TASK: COUNT adds, 1000 a batch; prints
# the fates, one per line.
adds() {
	s=$1 left=$2
	while [ "$left" -gt 0 ]; do
		n=$left; [ "$n" -gt 1000 ] && n=1000
		z --report "$s|$4|$5|add|$3|now-3600000" --repeat $((n - 1)) |
			awk '/^report /{ print $3, $4 }'
		s=$((s + n)) left=$((left - n))
	done
}

fates=$(adds 1 10000 $BIG xa-a cay | sort | uniq -c | awk '{ print $1, $2, $3 }' | tr '\n' ';')
expect_eq "10,000 adds of 10^12: 9,223 accepted, the rest refused OVERFLOW" \
	"$fates" "9223 ACCEPTED NONE;777 REJECTED OVERFLOW;"
expect_eq "every accepted report is counted" "$(tally cay xa-a actual false)" 9223000000000000
expect_eq "and only those" "$(tally cay xa-a reports false)" 9223
# Room left: 9223372036854775.807 - 9223000000000000 = 372036854775.807.
out=$(z --report "20000|xa-a|cay|add|372036854775.808|now-3600000")
expect_match "the reason says what and why" "$out" \
	'^report 20000 REJECTED OVERFLOW .*task "cay" .*9223372036854775\.807; not stored'
expect_eq "a refused report is not stored" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client='k' AND seq >= 9224 AND seq <= 20000")" 0
out=$(z --report "20000|xa-a|cay|add|-1|now-3600000")
expect_match "its seq is free: the same seq with a countable value is accepted" \
	"$out" '^report 20000 ACCEPTED'

# The room left is the task's, shared by its units: the roll-up stays exact.
expect_match "another unit of the task: refused too" \
	"$(z --report "30000|xa-b|cay|add|$BIG|now-3600000")" '^report 30000 REJECTED OVERFLOW'
expect_match "what still fits is accepted" \
	"$(z --report "30001|xa-b|cay|add|372036854776.807|now-3600000")" '^report 30001 ACCEPTED'
expect_match "one thousandth more is not" \
	"$(z --report "30002|xa-b|cay|add|0.001|now-3600000")" '^report 30002 REJECTED OVERFLOW'
expect_match "a set is refused the same way" \
	"$(z --report "30003|xa-b|cay|set|$BIG|now-60000")" '^report 30003 REJECTED OVERFLOW'
expect_eq "the district's roll-up is the exact sum" "$(tally cay huyen actual true)" \
	9223372036854775.807

# A correction is counted or refused the same way, in the same transaction.
adds 40000 1 -$BIG xa-a dat >/dev/null
adds 40001 9223 $BIG xa-a dat >/dev/null
adds 50000 1 500000000000 xa-a dat >/dev/null
expect_eq "dat: a negative add, 9,223 of 10^12 and 5*10^11" \
	"$(tally dat xa-a actual false)" 9222500000000000
out=$(z --report "50001|||add|0|now-1800000" --voids "40000|typed - by mistake")
expect_match "a correction whose recount cannot be counted is refused OVERFLOW" \
	"$out" '^report 50001 REJECTED OVERFLOW'
expect_eq "and undone whole: the voided report still counts" \
	"$(tally dat xa-a actual false)" 9222500000000000
expect_eq "the correction is not stored, nothing is marked voided" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client='k' AND (seq = 50001 OR voided_by IS NOT NULL)")" 0
expect_match "a correction that lowers the total is accepted" \
	"$(z --report "50002|||add|0|now-1800000" --voids "50000|too much")" '^report 50002 ACCEPTED'
expect_eq "and counted" "$(tally dat xa-a actual false)" 9222000000000000

expect_match "/metrics counts the refusals by code" "$(get /metrics)" \
	'tiendo_reports_rejected_total\{reason="overflow"\} [1-9][0-9]*'
before=$(get "/v1/tallies" | jq -c '[.tallies[] | {task, unit, actual, reports}]')
stop_daemon
start_daemon || exit 1
expect_eq "a restart counts the same" \
	"$(get "/v1/tallies" | jq -c '[.tallies[] | {task, unit, actual, reports}]')" "$before"
finish
