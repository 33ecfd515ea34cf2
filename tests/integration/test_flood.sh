#!/bin/sh
# Hostile peers (CVE-2020-15166's case): a thousand raw TCP connections
# that never finish a ZMTP handshake, silent, sending garbage or stalling
# mid-greeting, must not stall a real client, and the daemon drops them all
# within its handshake deadline (curve.h: CURVE_HANDSHAKE_MS).
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
start_daemon || exit 1
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# The same client without a flood: what "not delayed" is measured against.
t0=$(now_ms)
out=$($Z --timeout 5000 --report "100|xa-a|cay|add|1|now" "$INGEST" 2>&1)
base=$(( $(now_ms) - t0 ))
expect_match "a real client is answered before the flood" "$out" "report 100 ACCEPTED"

"$B/tools/rawflood" --connections 1000 --hold 25 --ready "$T/ready" \
	"$INGEST" >"$T/flood.out" 2>&1 &
FPID=$!
PIDS="$PIDS $FPID"
ok "1000 raw connections opened" wait_for 20 test -f "$T/ready"
t0=$(now_ms)
out=$($Z --timeout 5000 --report "1|xa-a|cay|add|1|now" "$INGEST" 2>&1)
t1=$(now_ms)
expect_match "a real client is answered during the flood" "$out" "report 1 ACCEPTED"
# Slack for a shared machine, far below zsend's 5 s timeout.
ok "the flood does not delay it: $((t1 - t0)) ms, $base ms without (< +1000 ms)" \
	test $((t1 - t0)) -lt $((base + 1000))
out=$(get /healthz)
expect_match "HTTP answers during the flood" "$out" '"status": "ok"'
wait "$FPID"
expect_eq "the daemon closed every one of them" "$(cat "$T/flood.out")" \
	"opened 1000 closed_by_peer 1000"
out=$($Z --timeout 5000 --report "2|xa-a|cay|add|1|now" "$INGEST" 2>&1)
expect_match "and still answers afterwards" "$out" "report 2 ACCEPTED"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
