#!/bin/sh
# The wire format as PROTOCOL.md writes it: one spelling per value, no state
# leaking from one Ack into the next, batch_id echoed whenever it can be
# read, and SIGTERM under a deep queue (2.10): the drain in hand finished,
# the rest answered RETRY / BATCH_SHUTDOWN, exit within the bound.
TIENDO_TEST_CURVE=0
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"
z() { $Z "$@" "$INGEST"; }

for v in +1 +0.5 +0; do
	expect_match "value \"$v\": a leading + is REJECT_BAD_VALUE" \
		"$(z --report "1|xa-a|cay|add|$v|now")" \
		"^report 1 REJECTED BAD_VALUE value \"\\$v\": a leading '\\+' is not allowed"
done

# A NUL inside a text field is refused, never a truncation (zsend --nul-7f
# turns the \x7f given here into a NUL on the wire, lengths intact).
nul() { # NAME PATTERN ZSEND-ARGS...
	name=$1 pat=$2; shift 2
	expect_match "$name" "$(z --nul-7f "$@")" "$pat"
}
nul "unit \"xa-a<NUL>evil\": REJECT_NUL" '^report 11 REJECTED NUL unit holds a NUL byte at offset 4$' \
	--report "11|xa-a\x7fevil|cay|add|5|now"
nul "task with a NUL" '^report 12 REJECTED NUL task holds a NUL byte at offset 3$' \
	--report "12|xa-a|cay\x7f|add|5|now"
nul "value \"5<NUL>\"" '^report 13 REJECTED NUL value holds a NUL byte at offset 1$' \
	--report "13|xa-a|cay|add|5\x7f|now"
nul "reporter with a NUL" '^report 14 REJECTED NUL reporter holds a NUL byte at offset 0$' \
	--report "14|xa-a|cay|add|5|now|\x7fx|"
nul "note with a NUL" '^report 15 REJECTED NUL note holds a NUL byte at offset 2$' \
	--report "15|xa-a|cay|add|5|now||ab\x7f"
nul "the other reports of the batch are judged on their own" '^report 16 ACCEPTED' \
	--report "16|xa-a|cay|add|5|now" --report "17|||add|0|now" --voids "16|a\x7fb"
nul "void_reason with a NUL" '^report 17 REJECTED NUL void_reason holds a NUL byte at offset 1$' \
	--report "16|xa-a|cay|add|5|now" --report "17|||add|0|now" --voids "16|a\x7fb"
nul "Batch.client \"abc<NUL>\": BAD_BATCH / BATCH_BAD_CLIENT" \
	'reason client holds a NUL byte at offset 3' --client "abc\x7f" --report "18|xa-a|cay|add|5|now"
expect_eq "nothing with a NUL was stored, nor counted under a cut name" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE seq BETWEEN 11 AND 18 AND seq != 16")" 0
expect_eq "(no client \"abc\" either)" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client = 'abc'")" 0

out=$(z --version 2 --report "1|xa-a|cay|add|1|now")
expect_match "a BAD_BATCH carries its error" "$out" '^error BATCH_VERSION'
out=$(z --client other --report "2|xa-a|cay|add|1|now")
expect_match "the next OK ack, on another connection, has no error" "$out" \
	'^status OK'
expect_match "(error is BATCH_NONE)" "$out" '^error BATCH_NONE$'
expect_match "(and no reason)" "$out" '^reason $'

out=$(z --batch-id 77 --report "3|xa-a|cay|add|1|now" --pad-note 1100000)
expect_match "a decodable batch over 1 MiB: BATCH_TOO_LARGE" "$out" '^error BATCH_TOO_LARGE'
expect_match "and its batch_id is echoed" "$out" '^batch_id 77$'
out=$(z --batch-id 78 --garbage 1100000)
expect_match "an undecodable one over 1 MiB: BATCH_TOO_LARGE too" "$out" '^error BATCH_TOO_LARGE'
expect_match "with batch_id 0" "$out" '^batch_id 0$'

out=$(z --extra-frame --report "4|xa-a|cay|add|1|now")
expect_match "DEALER, two frames: one frame back, BATCH_FRAMES" "$out" '^error BATCH_FRAMES'
out=$(z --req --extra-frame --timeout 3000 --report "4|xa-a|cay|add|1|now")
expect_match "REQ, delimiter and two frames: the delimiter echoed, so REQ sees BATCH_FRAMES" \
	"$out" '^error BATCH_FRAMES'
expect_match "batch_id 0 with BATCH_FRAMES" "$out" '^batch_id 0$'
expect_match "value of 33 bytes: TOO_LONG, not BAD_VALUE" \
	"$(z --report "5|xa-a|cay|add|1.0000000000000000000000000000000|now")" \
	'^report 5 REJECTED TOO_LONG value is 33 bytes long; the limit is 32'
expect_match "a rejected seq is not stored: it may be used again" \
	"$(z --report "5|xa-a|cay|add|1|now")" '^report 5 ACCEPTED'

# 4 DEALERs x 90 batches x 1000 reports, all in flight at SIGTERM.
"$B/tools/deepq" --dealers 4 --batches 90 --reports 1000 --ready "$T/sent" \
	"$INGEST" >"$T/deepq.out" 2>&1 &
QPID=$!
PIDS="$PIDS $QPID"
wait_for 60 test -f "$T/sent" || flunk "deepq sent its batches" "$(cat "$T/deepq.out")"
# Let the daemon get going on the queue, then stop it.
wait_for 30 sh -c "curl -sf '$HTTP/metrics' | grep -q '^tiendo_commits_total [1-9]'"
t0=$(date +%s%N)
stop_daemon
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
wait "$QPID"
res=$(cat "$T/deepq.out")
echo "# SIGTERM with a deep queue: exit after $ms ms; $res"
expect_eq "exit status 0" "$DSTATUS" 0
bound=3000
case $B in *-san) bound=6000 ;; esac
ok "exit within ${bound} ms of SIGTERM (took $ms ms)" test "$ms" -le "$bound"
set -- $res
sent=$2 okn=$4 shut=$6 other=$8 missing=${10}
ok "batches still queued were answered RETRY/BATCH_SHUTDOWN ($shut)" test "$shut" -gt 0
ok "not every batch was processed ($okn of $sent)" test "$okn" -lt "$sent"
expect_eq "no other answer" "$other" 0
expect_eq "every batch answered OK is stored, and nothing else" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client LIKE 'dq%'")" \
	"$((okn * 1000))"
finish
