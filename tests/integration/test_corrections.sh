#!/bin/sh
# Corrections: a report that voids an earlier one of the same client.  The
# voided report stays stored and marked; tallies, at= queries and restarts
# count as if it had never come; a correction is delivered exactly once.
TEST_CLIENTS_MORE="k office"
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"
z() { $Z --client k "$@" "$INGEST"; }
iso() { date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

z --report "1|xa-a|cay|add|300|now-3600000" >/dev/null
z --report "2|xa-a|cay|add|50|now-3000000" >/dev/null
expect_eq "before any correction" "$(tally cay xa-a actual)" 350

out=$(z --report "3|||add|0|now-1800000" --voids "2|typed 50 for 5")
expect_match "a correction is accepted" "$out" "^report 3 ACCEPTED"
expect_eq "the voided report no longer counts" "$(tally cay xa-a actual)" 300
expect_eq "nor does it count as a report" "$(tally cay xa-a reports)" 1
out=$(z --report "3|||add|0|now-1800000" --voids "2|typed 50 for 5")
expect_match "a resent correction is a duplicate" "$out" "^report 3 DUPLICATE"
expect_eq "and changes nothing" "$(tally cay xa-a actual)" 300

bad() { # NAME PATTERN ZSEND-ARGS...
	name=$1 pat=$2; shift 2
	expect_match "$name" "$(z "$@" 2>&1)" "$pat"
}
bad "voiding twice is refused" "REJECTED BAD_CORRECTION voids_seq 2 is already voided by seq 3" \
	--report "4|||add|0|now" --voids "2|again"
bad "voiding what was never stored is refused" "REJECTED BAD_CORRECTION voids_seq 99: no report" \
	--report "5|||add|0|now" --voids "99|no such"
bad "a correction cannot void itself" "REJECTED BAD_CORRECTION correction 6 voids itself" \
	--report "6|||add|0|now" --voids "6|me"
bad "a correction cannot be voided" "REJECTED BAD_CORRECTION voids_seq 3 is itself a correction" \
	--report "7|||add|0|now" --voids "3|undo"
bad "unit or task must match the voided report" "REJECTED BAD_CORRECTION correction names cay/xa-b but seq 1 is a report of cay/xa-a" \
	--report "8|xa-b|cay|add|0|now" --voids "1|wrong unit"
bad "a correction needs a reason" "REJECTED BAD_CORRECTION .*gives no void_reason" \
	--report "9|||add|0|now" --voids "1|"
bad "a reason without voids_seq is refused" "REJECTED BAD_CORRECTION void_reason is given but voids_seq is 0" \
	--report "10|xa-a|cay|add|1|now" --voids "0|why"
expect_match "another client cannot void it" \
	"$($Z --client other --report "2|||add|0|now" --voids "1|not mine" "$INGEST")" \
	"REJECTED BAD_CORRECTION voids_seq 1: no report of client \"other\""
expect_eq "refused corrections changed nothing" "$(tally cay xa-a actual)" 300

out=$(z --report "11|xa-a|cay|add|0|now" --voids "1|unit and task given, matching")
expect_match "a correction naming the right pair is accepted" "$out" "^report 11 ACCEPTED"
expect_eq "and voids it" "$(tally cay xa-a actual)" 0
out=$(z --report "12|xa-a|cay|add|7|now-60000" --report "13|||add|0|now" --voids "12|same batch")
expect_match "a report and its correction in one batch" "$out" "report 12 ACCEPTED.*
report 13 ACCEPTED"
expect_eq "count as neither" "$(tally cay xa-a actual)" 0

# A set voided: the tally falls back to what it was.
z --report "20|xa-b|cay|add|40|now-600000" >/dev/null
z --report "21|xa-b|cay|set|400|now-300000" >/dev/null
expect_eq "a set" "$(tally cay xa-b actual)" 400
z --report "22|||add|0|now" --voids "21|not 400 but 40" >/dev/null
expect_eq "the set voided: back to the adds" "$(tally cay xa-b actual)" 40

# at=: a void takes effect at its observed_at.  Seq 2 (observed 50 min
# ago) was voided by a correction observed 30 min ago.
expect_eq "at= before the correction still counts the report" \
	"$(tally cay xa-a actual "&at=$(iso 2400)")" 350
expect_eq "at= after the correction does not" \
	"$(tally cay xa-a actual "&at=$(iso 1200)")" 300

# The audit trail keeps both, marked.
expect_eq "the voided report is stored, marked" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT value, voided_by FROM reports WHERE client='k' AND seq=2")" "50000|3"
expect_eq "the correction is stored with its reason" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT task, unit, voids_seq, void_reason FROM reports WHERE client='k' AND seq=3")" \
	"cay|xa-a|2|typed 50 for 5"

snap() { get /v1/tallies | jq -c '[.tallies[] | [.task, .unit, .actual, .reports]]'; }
before=$(snap)
stop_daemon
start_daemon || exit 1
expect_eq "tallies identical after a restart" "$(snap)" "$before"

# --- through tiendo-push -------------------------------------------------
P="$B/tiendo-push --client office"
$P --unit xa-b --task dat --add 0.5 >/dev/null 2>&1  # no target: rejected
$P --unit xa-a --task dat --add 2.5 -q >/dev/null
st=$($P --status)
expect_match "--status shows seqs, delivered and rejected" "$st" "^[0-9]+ xa-a dat \+2\.5 @.*: accepted .*
[0-9]+ xa-b dat \+0\.5 @.*: rejected \(no_target\).*
0 pending, 1 rejected, 1 delivered"
good=$(echo "$st" | awk '/ accepted /{print $1}')
rej=$(echo "$st" | awk '/ rejected \(/{print $1}')
out=$($P --void "$rej" --reason "x" 2>&1); rc=$?
expect_eq "--void of a rejected report is refused at home" "$rc" 65
expect_match "and says why" "$out" "was rejected \(no_target\): it never counted"
out=$($P --void "$good" --reason "wrong task" 2>&1)
expect_match "--void delivers a correction" "$out" "xa-a dat void of seq $good \(wrong task\) @.*: accepted"
expect_eq "the tally follows" "$(tally dat xa-a actual)" 0

# A correction of a report still in the outbox waits for it.
$P --unit xa-a --task dat --add 4 --no-send -q >/dev/null
held=$($P --status | awk '/pending since/{print $1}')
$P --void "$held" --reason "entered twice" --no-send -q >/dev/null
out=$($P -q)
expect_match "the report goes first, then its correction" "$out" "^2 accepted, 0 duplicate, 0 rejected, 0 pending"
expect_eq "and the tally is as before" "$(tally dat xa-a actual)" 0
expect_eq "exactly one correction per void" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client='office' AND voids_seq IS NOT NULL")" 2

# A correction refolds its pair from the store, where the later reports of
# the same group commit already are: they are counted once, not twice.
before=$(tally cay xa-b actual)
out=$(z --report "100|xa-b|cay|add|5|now-60000" --report "101|||add|0|now-50000" \
	--voids "100|typo" --report "102|xa-b|cay|add|7|now-40000")
expect_eq "report, its correction and a later report in one batch: accepted" \
	"$(echo "$out" | grep -c '^report 10[012] ACCEPTED')" 3
expect_eq "the later report is counted once" "$(tally cay xa-b actual)" "$((before + 7))"
stop_daemon
expect_eq "integrity_check" "$(sqlite3 "$STATE/tiendo.db" 'PRAGMA integrity_check')" ok
finish
