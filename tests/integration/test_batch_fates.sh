#!/bin/sh
# One message, many fates: ingest decides a message's duplicates in memory
# (one question to the store for the whole message, then the same seq twice
# in it: the first new, the next a duplicate), counts the new reports in
# order, refuses an overflow, and inserts the accepted rows together; a
# correction, or a set that needs its pair refolded from the store, first
# puts in the rows before it.  Each report's fate, the rows stored and the
# tallies must be what one-by-one handling gives, and a restart (a recount
# from the store) must count the same.  The same again across the
# messages of one group commit (the same client and seq in two of them).
# Runs on PostgreSQL too (TIENDO_TEST_STORE=pg, and test_pg.sh).  Without
# CurveZMQ: deepq speaks plain, and no decision here depends on it.
TIENDO_TEST_CURVE=0
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
z() { "$B/tools/zsend" --client m "$@" "$INGEST"; }
fates() { awk '/^report /{ printf "%s %s %s;", $2, $3, $4 }'; }
tally() { get "/v1/tallies?task=$1&unit=$2" | jq -r ".tallies[] | select(.unit==\"$2\" and .rollup==false) | .$3"; }
rows() { sqlite3 "$STATE/tiendo.db" "SELECT seq FROM reports WHERE client='m' ORDER BY seq" | tr '\n' ' '; }
val() { sqlite3 "$STATE/tiendo.db" "SELECT value FROM reports WHERE client='m' AND seq=$1"; }
BIG=1000000000000
T0=now-3600000

# Task cay filled (by client f, on xa-b) to 9,222 x 10^12 of the
# 9,223,372,036,854,775.807 its units' totals may add up to: room for one
# more report of 10^12 (the largest one report may carry), not two.
s=100000
for n in 1000 1000 1000 1000 1000 1000 1000 1000 1000 222; do
	"$B/tools/zsend" --client f --report "$s|xa-b|cay|add|$BIG|$T0" \
		--repeat $((n - 1)) "$INGEST" | grep -q '^status OK' ||
		flunk "filling cay: a batch of $n not answered OK"
	s=$((s + n))
done
expect_eq "cay filled" "$(tally cay xa-b actual)" 9222000000000000
# Another client's seqs 10 and 13 (adds of 0): stored, they must not make
# client m's seqs 10 and 13 duplicates.
expect_match "client f stores seqs 10 and 13" \
	"$("$B/tools/zsend" --client f --report "10|xa-b|cay|add|0|$T0" \
		--report "13|xa-b|cay|add|0|$T0" "$INGEST" | fates)" \
	'^10 ACCEPTED NONE;13 ACCEPTED NONE;$'

expect_match "two reports stored before" \
	"$(z --report "1|xa-a|cay|add|1|$T0" --report "2|xa-a|cay|add|1|$T0" | fates)" \
	'^1 ACCEPTED NONE;2 ACCEPTED NONE;$'

# The message: in order, what each report must come out as.
#   10  new                                   ACCEPTED
#   1   stored before                         DUPLICATE
#   11  new (voided below by 15)              ACCEPTED
#   10  again in the message, another value   DUPLICATE (the first one stands)
#   12  new, but cay's totals cannot hold it  REJECTED OVERFLOW, not stored
#   13  new, after the refusal                ACCEPTED
#   12  again: the refused one stored nothing ACCEPTED
#   2   stored before                         DUPLICATE
#   14  an unknown unit, not stored           REJECTED
#   1   an unknown unit, but stored           DUPLICATE (a success stays one)
#   11  an unknown unit, stored just above    DUPLICATE
#   15  a correction voiding 11, in this same message (11 must be in)
#                                             ACCEPTED
#   15  again, as a plain report              DUPLICATE
#   20  an add to dat, after the set below    ACCEPTED
#   21  a set to dat observed before that add: the pair is refolded from
#       the store, which must hold 20 by then ACCEPTED
out=$(z --report "10|xa-a|cay|add|$BIG|$T0" \
	--report "1|xa-a|cay|add|1|$T0" \
	--report "11|xa-a|cay|add|100|$T0" \
	--report "10|xa-a|cay|add|7|$T0" \
	--report "12|xa-a|cay|add|$BIG|$T0" \
	--report "13|xa-a|cay|add|2|$T0" \
	--report "12|xa-a|cay|add|3|$T0" \
	--report "2|xa-a|cay|add|1|$T0" \
	--report "14|xa-zz|cay|add|1|$T0" \
	--report "1|xa-zz|cay|add|1|$T0" \
	--report "11|xa-zz|cay|add|1|$T0" \
	--report "15|||add|0|now-1800000" --voids "11|typed twice" \
	--report "15|xa-a|cay|add|1|$T0" \
	--report "20|xa-a|dat|add|2|now-1000" \
	--report "21|xa-a|dat|set|5|now-60000")
expect_match "the batch is answered OK" "$out" '^status OK'
expect_eq "each report's fate" "$(printf '%s\n' "$out" | fates)" \
"10 ACCEPTED NONE;1 DUPLICATE NONE;11 ACCEPTED NONE;10 DUPLICATE NONE;\
12 REJECTED OVERFLOW;13 ACCEPTED NONE;12 ACCEPTED NONE;2 DUPLICATE NONE;\
14 REJECTED UNKNOWN_UNIT;1 DUPLICATE NONE;11 DUPLICATE NONE;\
15 ACCEPTED NONE;15 DUPLICATE NONE;20 ACCEPTED NONE;21 ACCEPTED NONE;"
expect_eq "the rows stored, each once" "$(rows)" "1 2 10 11 12 13 15 20 21 "
expect_eq "seq 10 holds the first of the two in the message" "$(val 10)" "${BIG}000"
expect_eq "seq 12 holds the one that was accepted" "$(val 12)" 3000
expect_eq "11 is voided by 15" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT voided_by FROM reports WHERE client='m' AND seq=11")" 15
expect_eq "cay: what was accepted and not voided, exactly" \
	"$(tally cay xa-a actual)" 1000000000007
expect_eq "cay: five reports counted (1, 2, 10, 13, 12)" "$(tally cay xa-a reports)" 5
expect_eq "dat: the set plus the add observed after it" "$(tally dat xa-a actual)" 7

# The same message again: all stored now, but the unknown unit.
out=$(z --report "10|xa-a|cay|add|$BIG|$T0" \
	--report "12|xa-a|cay|add|$BIG|$T0" \
	--report "12|xa-a|cay|add|3|$T0" \
	--report "14|xa-zz|cay|add|1|$T0" \
	--report "15|||add|0|now-1800000" --voids "11|typed twice" \
	--report "21|xa-a|dat|set|5|now-60000" \
	--report "22|xa-a|cay|add|1|$T0")
expect_eq "sent again: duplicates, the unknown unit still refused, a new one in" \
	"$(printf '%s\n' "$out" | fates)" \
	"10 DUPLICATE NONE;12 DUPLICATE NONE;12 DUPLICATE NONE;14 REJECTED UNKNOWN_UNIT;\
15 DUPLICATE NONE;21 DUPLICATE NONE;22 ACCEPTED NONE;"
expect_eq "cay: only the new one added" "$(tally cay xa-a actual)" 1000000000008

# --- one group commit, the same (client, seq) in several of its messages --
# Two connections of client dq0 send the same 40 batches of 50 reports
# (ADD 1 to cay/xa-a) without waiting for acks, the daemon stopped until
# both have handed them all to libzmq: its drains then hold messages of
# both, and the second of each pair is a duplicate decided in memory.
metric() { get /metrics | sed -n "s/^$1 //p"; }
acc0=$(metric 'tiendo_reports_total{fate="accepted"}')
dup0=$(metric 'tiendo_reports_total{fate="duplicate"}')
com0=$(metric tiendo_commits_total)
kill -STOP "$DPID"
for q in 1 2; do
	"$B/tools/deepq" --dealers 1 --batches 40 --reports 50 --ready "$T/q$q" \
		"$INGEST" >"$T/q$q.out" 2>&1 &
	eval "qpid$q=\$!"
	PIDS="$PIDS $!"
done
wait_for 30 test -f "$T/q1" -a -f "$T/q2" || flunk "deepq handed its batches to libzmq"
kill -CONT "$DPID"
wait "$qpid1" "$qpid2"
expect_eq "first connection: every batch answered OK" "$(cat "$T/q1.out")" \
	"sent 40 ok 40 shutdown 0 other 0 missing 0"
expect_eq "second connection: every batch answered OK" "$(cat "$T/q2.out")" \
	"sent 40 ok 40 shutdown 0 other 0 missing 0"
expect_eq "2,000 reports accepted" \
	$(( $(metric 'tiendo_reports_total{fate="accepted"}') - acc0 )) 2000
expect_eq "and 2,000 answered duplicate" \
	$(( $(metric 'tiendo_reports_total{fate="duplicate"}') - dup0 )) 2000
com=$(( $(metric tiendo_commits_total) - com0 ))
ok "the 80 messages went in fewer group commits ($com)" test "$com" -lt 80
expect_eq "each stored once" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client = 'dq0'")" 2000
expect_eq "and counted once" "$(tally cay xa-a actual)" 1000000002008

# Text the store must not take apart: on PostgreSQL the rows go in by
# COPY, whose text format gives a tab, a newline, a return and a backslash
# a meaning ("\N" alone is NULL).  Stored and read back as sent.
expect_match "notes with a tab, a newline, a return, a backslash: accepted" \
	"$(z --report "40|xa-a|cay|add|0|$T0|ai\\x5c\\x09|a\\x09b\\x5cc\\x0ad\\x0de" \
		--report "41|xa-a|cay|add|0|$T0|x|\\x5cN" | fates)" '^40 ACCEPTED NONE;41 ACCEPTED NONE;$'
expect_eq "and read back as sent" \
	"$(get '/v1/reports?unit=xa-a&task=cay&order=newest&limit=10' | jq -c '[.reports[] | select(.client == "m" and .seq >= 40) | [.seq, .reporter, .note]] | sort')" \
	'[[40,"ai\\\t","a\tb\\c\nd\re"],[41,"x","\\N"]]'

before=$(get "/v1/tallies" | jq -c '[.tallies[] | {task, unit, rollup, actual, reports}]')
stop_daemon
start_daemon || exit 1
expect_eq "a restart (a recount from the store) counts the same" \
	"$(get "/v1/tallies" | jq -c '[.tallies[] | {task, unit, rollup, actual, reports}]')" "$before"
finish
