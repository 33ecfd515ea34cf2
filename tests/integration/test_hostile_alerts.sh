#!/bin/sh
# Hostile or revoked subscribers (issue 10, items 4 and 5): one authorised
# peer flooding the snapshot socket without reading gets a few answers and
# no more, and ingest goes on acking; a key revoked by a reload loses its
# open SUB and snapshot connections at once.
TEST_CLIENTS="probe sub flood gone"
. "$(dirname "$0")/lib.sh"

TIENDO_TEST_CURVE=1
Z="$B/tools/zsend"
F="$B/tools/snapflood"
start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
log_has() { grep -q -- "$1" "$T/tiendod.log"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DPID/status"; }

# Two units far behind pace: two active alerts.
out=$($Z --report "1|xa-b|cay|set|1|now" --report "2|xa-a|cay|set|1|now" "$INGEST")
expect_match "reports behind pace accepted" "$out" "report 2 ACCEPTED"
ok "two alerts fire" wait_for 15 sh -c \
	"curl -sf '$HTTP/v1/alerts' | jq -e '[.alerts[]] | length >= 2'"

# --- a snapshot flood from one authorised peer -------------------------------
rss0=$(rss_kb)
"$F" --name flood --requests 3000 --seconds 1 --hold 3 --ready "$T/flooded" \
	"$SNAPSHOT" >"$T/flood.out" 2>&1 &
FPID=$!
PIDS="$PIDS $FPID"
ok "the flooder's first request is answered" \
	wait_for 10 grep -q "first answered" "$T/flood.out"
worst=0
for i in 1 2 3 4 5; do
	t0=$(now_ms)
	out=$($Z --timeout 5000 --report "$((10 + i))|xa-a|cay|add|1|now" "$INGEST" 2>&1)
	t=$(( $(now_ms) - t0 ))
	[ "$t" -gt "$worst" ] && worst=$t
	expect_match "report $i acked during the flood" "$out" "ACCEPTED"
done
echo "# slowest ack during the flood: $worst ms (zsend start-up included)"
ok "acks stay quick during the flood" test "$worst" -lt 1500
ok "the flood was sent" wait_for 20 test -f "$T/flooded"
m=$(get /metrics)
n=$(echo "$m" | sed -n 's/^tiendo_snapshot_requests_refused_total //p')
echo "# snapshot requests refused: $n; sent: $(sed -n 's/^sent //p' "$T/flood.out")"
ok "beyond its rate, a peer's requests are dropped unanswered" test "${n:-0}" -ge 2900
rss1=$(rss_kb)
echo "# RSS $rss0 kB before, $rss1 kB with the flood queued"
ok "the flood costs the daemon under 32 MiB" test $((rss1 - rss0)) -lt 32768
wait "$FPID"
ok "the snapshot socket lets the flooder go" wait_for 10 sh -c \
	"curl -sf '$HTTP/metrics' | grep -q '^tiendo_snapshot_connections 0$'"

# --- revocation reaches subscribers -------------------------------------------
"$B/tiendo-sub" --json --name gone >"$T/gone.out" 2>"$T/gone.err" &
PIDS="$PIDS $!"
"$B/tiendo-sub" --json >"$T/sub.out" 2>"$T/sub.err" &
PIDS="$PIDS $!"
rm -f "$T/revoked"
"$F" --name gone --ask-after "$T/revoked" "$SNAPSHOT" >"$T/gone-snap.out" 2>&1 &
GPID=$!
PIDS="$PIDS $GPID"
ok "both subscribers get the active alerts" wait_for 15 sh -c \
	"grep -q xa-b '$T/gone.out' && grep -q xa-b '$T/sub.out'"
ok "the soon revoked snapshot peer is answered" \
	wait_for 10 grep -q "first answered" "$T/gone-snap.out"
rm "$KEYS/clients/gone.key"
kill -HUP "$DPID"
ok "SIGHUP reloads the keys and names the revocation" \
	wait_for 10 log_has "zap: reloaded, .* 1 revoked"
ok "the subscriber connections are cut" \
	wait_for 10 log_has "subscriber connections cut"
touch "$T/revoked"
wait "$GPID"
expect_match "the revoked key's open snapshot connection is not answered" \
	"$(cat "$T/gone-snap.out")" "after unanswered"
# A new event: the kept subscriber gets it (it reconnected), the revoked
# one does not.
out=$($Z --report "3|xa-b|cay|set|1000|now" "$INGEST")
expect_match "a report that resolves the xa-b alert" "$out" "report 3 ACCEPTED"
ok "the kept subscriber sees the alert resolve" wait_for 20 grep -q \
	'"transition": *"resolved"' "$T/sub.out"
expect_eq "the revoked subscriber does not" \
	"$(grep -c '"transition": *"resolved"' "$T/gone.out")" 0
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
