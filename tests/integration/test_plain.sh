#!/bin/sh
# The ingest path in plain mode (no CurveZMQ: the other suites run with it),
# and margins the other suites do not reach: a bad peer known by its
# claimed identity or its address in the rate-limited log, every message
# counted, the clock skew allowed in observed_at (max_future, 10 min).
TIENDO_TEST_CURVE=0
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"

out=$($Z --report "1|xa-a|cay|add|1|now+300000" "$INGEST")
expect_match "observed 5 min ahead (skew within max_future): accepted" "$out" "^report 1 ACCEPTED"
out=$($Z --report "2|xa-a|cay|add|1|now+660000" "$INGEST")
expect_match "11 min ahead: rejected" "$out" "^report 2 REJECTED FUTURE"

# Garbage without an identity: the peer is its address.  A bad batch that
# names a well-formed client: the peer is that name.
i=0
while [ $i -lt 7 ]; do $Z --garbage 16 "$INGEST" >/dev/null; i=$((i + 1)); done
$Z --client other --version 7 --report "3|xa-a|cay|add|1|now" "$INGEST" >/dev/null
ok "the daemon survives garbage in plain mode" kill -0 "$DPID"
expect_eq "bad batches from one address: 5 log lines" \
	"$(grep -c 'ingest: from 127\.0\.0\.1: bad batch' "$T/tiendod.log")" 5
expect_eq "one from the named client, on its own" \
	"$(grep -c 'ingest: from other: bad batch' "$T/tiendod.log")" 1
expect_eq "the other 2 counted as suppressed" "$(metric tiendo_log_suppressed_total)" 2
expect_eq "every message counted: 2 + 7 + 1" "$(metric tiendo_messages_received_total)" 10
out=$($Z --report "4|xa-a|cay|add|1|now" "$INGEST")
expect_match "and still answers" "$out" "^report 4 ACCEPTED"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
