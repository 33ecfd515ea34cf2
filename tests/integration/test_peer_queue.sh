#!/bin/sh
# The queues per peer (PROTOCOL.md 3.5, 2.5): every ingest peer has its
# own, so a client that sends and does not read its acks slows no other
# client; its acks past its queue are dropped and counted, its reports are
# stored once and a resend is answered DUPLICATE; and a client with up to
# 100 batches unacknowledged loses no ack, even to a burst after a stall
# (libzmq counts a peer's queue late: tiendod's ack queue is 256 for that).
# peerq (tests/tools/peerq.c) is the raw DEALER: it sends batches and reads
# the acks when told.
TIENDO_TEST_CURVE=0
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
PQ="$B/tools/peerq"
metric() { curl -sf --max-time 10 "$HTTP/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
stored() { sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports WHERE client = '$1'"; }
field() { # OUTPUT NAME: the number after NAME in peerq's line
	printf '%s\n' "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
PORT=${INGEST##*:}
# unsent: bytes the clients' kernels still hold for the daemon (a wait for
# a burst to be at the stopped daemon's door, whole).
unsent() { ss -Htn "( dport = :$PORT )" | awk '{ s += $3 } END { print s + 0 }'; }
all_sent() { [ "$(unsent)" -eq 0 ]; }

# --- A: a burst of acks after a stall -------------------------------------
# The client first has W batches acked one by one (traffic on the
# connection), then sends a burst of N batches while the daemon is stopped,
# which therefore acks them in one go when it goes on.  libzmq learns what
# the connection has taken off the queue only every half queue: with a
# queue of 100, after 49 acks the queue looks like it holds 49, and 39 of
# a burst of 90 were dropped.
burst() { # NAME WARMUP BURST
	rm -f "$T/ready" "$T/go" "$T/sent"
	"$PQ" --client "$1" --warmup "$2" --batches "$3" --ready "$T/ready" \
		--go "$T/go" --sent "$T/sent" --quiet-ms 5000 "$INGEST" >"$T/$1.out" 2>&1 &
	bpid=$!
	PIDS="$PIDS $bpid"
	wait_for 30 test -f "$T/ready" || flunk "$1: the warm-up is acked" "$(cat "$T/$1.out")"
	kill -STOP "$DPID"
	touch "$T/go"
	wait_for 30 test -f "$T/sent" && wait_for 10 all_sent ||
		flunk "$1: the burst reached the daemon" "$(unsent) bytes unsent"
	kill -CONT "$DPID"
	wait "$bpid"
	echo "# $1: $(cat "$T/$1.out")"
}
for run in 1 2 3; do
	before=$(metric tiendo_acks_dropped_total)
	burst "stall$run" 49 90
	expect_eq "a burst of 90 acks after 49 (run $run): every ack arrives" \
		"$(field "$(cat "$T/stall$run.out")" acks)" 139
	expect_eq "and none is counted dropped" "$(metric tiendo_acks_dropped_total)" "$before"
done
burst "deep" 127 100
expect_eq "100 batches unacked after 127 acked: every ack arrives" "$(field "$(cat "$T/deep.out")" acks)" 227
expect_eq "every report of the bursts is stored once" \
	"$(stored stall1) $(stored stall2) $(stored stall3) $(stored deep)" "139 139 139 227"

# --- B: a greedy client beside a good one ---------------------------------
# The good client sends one report at a time and waits for its ack, all
# along.  The greedy one sends 1,000 batches of 500 reports (100 for xa-a,
# 400 for a unit not in the plan: each rejection's reason makes its ack
# about 40 kB, so that its acks fill the kernel's buffers, 2-4 MB here,
# and then the daemon's queue) and reads nothing until told; its DEALER
# takes one ack off the connection (ZMQ_RCVHWM 1, a small ZMQ_RCVBUF).
dropped0=$(metric tiendo_acks_dropped_total)
"$PQ" --client good --seq-base 1000000000 --warmup 1 --ready "$T/good.ready" \
	--batches 1000000 --window 1 --until "$T/good.stop" --quiet-ms 5000 \
	"$INGEST" >"$T/good.out" 2>&1 &
GOOD=$!
PIDS="$PIDS $GOOD"
wait_for 30 test -f "$T/good.ready" || flunk "the good client is acked" "$(cat "$T/good.out")"
good0=$(stored good)
GREEDY_ARGS="--client greedy --batches 1000 --reports 500 --bad 400"
# shellcheck disable=SC2086
"$PQ" $GREEDY_ARGS --rcvhwm 1 --rcvbuf 4096 --hold "$T/greedy.read" \
	--quiet-ms 5000 "$INGEST" >"$T/greedy.out" 2>&1 &
GREEDY=$!
PIDS="$PIDS $GREEDY"
stored_all() { [ "$(stored "$1")" -eq "$2" ]; }
wait_for 120 stored_all greedy 100000 ||
	flunk "the greedy client's 100,000 reports are stored" "$(stored greedy)"
touch "$T/good.stop"
wait "$GOOD"
good=$(cat "$T/good.out")
echo "# good: $good"
ok "the good client went on meanwhile ($(($(stored good) - good0)) batches)" \
	test "$(($(stored good) - good0))" -ge 10
expect_eq "every batch of the good client is acked" "$(field "$good" acks)" "$(field "$good" sent)"
ok "each within 2 s of its send (the longest: $(field "$good" max_ms) ms)" test "$(field "$good" max_ms)" -le 2000
dropped=$(($(metric tiendo_acks_dropped_total) - dropped0))
ok "the greedy client's acks past its queue are dropped ($dropped)" test "$dropped" -gt 0

touch "$T/greedy.read"
wait "$GREEDY"
greedy=$(cat "$T/greedy.out")
got=$(field "$greedy" acks)
echo "# greedy, reading at last: $greedy; $dropped dropped"
expect_eq "each of its 1,000 acks is either delivered or counted dropped" "$((got + dropped))" 1000
# The first acks, in order: what the kernel's buffers hold and 128 to 256
# from the queue; here exactly 256, the buffers' share among them (they
# hold fewer than 128 of these big acks, and libzmq counts them queued
# until the connection says it took 128).
ok "it gets what its queue held: 256 acks or a few more ($got)" test "$got" -ge 256 -a "$got" -lt 400
expect_eq "its reports are stored once" "$(stored greedy)" 100000
# shellcheck disable=SC2086
again=$("$PQ" $GREEDY_ARGS --window 20 --quiet-ms 10000 "$INGEST")
echo "# resent: $again"
expect_eq "sent again: every batch acked, every report DUPLICATE (or REJECTED as before)" \
	"$(field "$again" acks) $(field "$again" accepted) $(field "$again" duplicate) $(field "$again" rejected)" \
	"1000 0 100000 400000"
expect_eq "and still stored once" "$(stored greedy)" 100000
finish
