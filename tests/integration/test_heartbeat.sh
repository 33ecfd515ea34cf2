#!/bin/sh
# README, Hostile input: every listener "pings its peers every 10 s and
# drops one silent for 30 s".  Two clients hold a connection open after
# their batch; one is frozen (SIGSTOP: it can no longer answer a ping),
# the other stays idle but alive.  The frozen one's connection is closed
# by the daemon between 30 and 40 s later (a ping, then 30 s of silence);
# the idle one is kept.  Takes about 40 s.
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"
export ZSEND_WAIT_MS=90000 # both hold their connection until $T/go
PORT=${INGEST##*:}
$Z --client probe --report "1|xa-a|cay|add|1|now" --then-wait "$T/go" "$INGEST" >"$T/frozen.out" 2>&1 &
FROZEN=$!
PIDS="$PIDS $FROZEN"
$Z --client other --report "1|xa-a|cay|add|1|now" --then-wait "$T/go" "$INGEST" >"$T/idle.out" 2>&1 &
IDLE=$!
PIDS="$PIDS $IDLE"
ok "both clients are answered" wait_for 20 sh -c "grep -q 'report 1 ACCEPTED' '$T/frozen.out' && grep -q 'report 1 ACCEPTED' '$T/idle.out'"
# conns PID: the established connections of process PID to the daemon.
conns() { ss -Htnp state established "( dport = :$PORT )" | grep -c "pid=$1,"; }
expect_eq "each holds one connection" "$(conns "$FROZEN") $(conns "$IDLE")" "1 1"

# The daemon's end of the frozen client's connection.
FPORT=$(ss -Htnp state established "( dport = :$PORT )" | grep "pid=$FROZEN," | awk '{ n = split($3, a, ":"); print a[n] }')
ok "the frozen client's port is known ($FPORT)" test -n "$FPORT"
kill -STOP "$FROZEN"
t0=$(date +%s)
dropped() { [ "$(ss -Htn state established "( sport = :$PORT and dport = :$FPORT )" | wc -l)" = 0 ]; }
ok "the daemon drops the frozen peer" wait_for 60 dropped
took=$(( $(date +%s) - t0 ))
ok "after the heartbeat timeout, not before ($took s: 30 to 40, +5 slack)" \
	test "$took" -ge 29 -a "$took" -le 45
expect_eq "the idle but live peer is kept" "$(conns "$IDLE")" 1
kill -CONT "$FROZEN"
touch "$T/go"
wait "$IDLE"
expect_match "and its connection still works" "$(cat "$T/idle.out")" "^report 1000001 ACCEPTED"
wait "$FROZEN"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
