#!/bin/sh
# tiendo-push --follow "says when the daemon stops answering and when it is
# back" (README, man tiendo-push): once each, with the reports delivered
# when it is back; and it stops cleanly on SIGTERM.
TEST_CLIENTS_MORE=fw
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
P="$B/tiendo-push --client fw"
rows() { sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client = 'fw'"; }
$P --follow --interval 1 --timeout 1 --retries 1 >"$T/follow.out" 2>"$T/follow.err" &
FPID=$!
PIDS="$PIDS $FPID"
$P --unit xa-a --task cay --add 1 --no-send -q >/dev/null
ok "a queued report is delivered" wait_for 20 sh -c "[ \$($P --status --history 0 | tail -1 | cut -d' ' -f1) = 0 ]"
expect_eq "and stored" "$(rows)" 1
expect_match "it says what it does, once" "$(cat "$T/follow.err")" \
	"^tiendo-push: following the outbox: sending to $INGEST as reports are queued$"
expect_eq "and nothing else while all is well" "$(wc -l <"$T/follow.err")" 1

# The daemon stops answering (stopped, not gone: its port stays bound).
kill -STOP "$DPID"
$P --unit xa-a --task cay --add 2 --no-send -q >/dev/null
$P --unit xa-a --task cay --add 3 --no-send -q >/dev/null
said_down() { grep -q "no reply from .*; .* pending; retrying until it answers" "$T/follow.err"; }
ok "it says the daemon stopped answering" wait_for 20 said_down
expect_match "... naming the daemon" "$(cat "$T/follow.err")" "no reply from $INGEST"
# While down, the attempts go on, but the message is not repeated.
kill -CONT "$DPID"
said_back() { grep -q "$INGEST answers again" "$T/follow.err"; }
ok "it says when the daemon is back" wait_for 60 said_back
ok "the reports are delivered" wait_for 20 sh -c "[ \$(sqlite3 '$STATE/tiendo.db' \"SELECT count(*) FROM reports WHERE client = 'fw'\") = 3 ]"
expect_eq "each said once" \
	"$(grep -c 'retrying until it answers' "$T/follow.err") $(grep -c 'answers again' "$T/follow.err")" "1 1"
expect_eq "all it said, in order" "$(cat "$T/follow.err")" \
"tiendo-push: following the outbox: sending to $INGEST as reports are queued
tiendo-push: no reply from $INGEST in 1 s, reconnecting (1/1)
tiendo-push: no reply from $INGEST; 2 report(s) pending; retrying until it answers
tiendo-push: $INGEST answers again"
expect_eq "tally: 1 + 2 + 3" \
	"$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup == false) | .actual')" 6
kill -TERM "$FPID"
wait "$FPID"
expect_eq "SIGTERM: --follow exits 0" "$?" 0
stop_daemon
finish
