#!/bin/sh
# The COMMIT is off the loop (README, "One loop"; tiendod(8)): while a
# batch's commit waits for a slow fsync (tests/shim/slowsync.c, preloaded
# into tiendod only, 1 s per sync while a flag file exists), /healthz and
# /metrics answer at once, and the batch's ack comes only after the commit.
# A SIGTERM during a slow commit waits for it: the ack goes out, the row is
# stored, and the daemon still exits well within 5 s.
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
if ! cc -shared -fPIC -o "$T/slowsync.so" "$(dirname "$0")/../shim/slowsync.c" -ldl 2>"$T/cc.err"; then
	flunk "the slow-sync shim builds" "$(cat "$T/cc.err")"
	finish
	exit 1
fi
REAL_B=$B
mkdir -p "$T/bin"
ln -s "$REAL_B/tiendo-ctl" "$T/bin/tiendo-ctl"
cat >"$T/bin/tiendod" <<EOS
#!/bin/sh
LD_PRELOAD="$T/slowsync.so" exec "$REAL_B/tiendod" "\$@"
EOS
chmod +x "$T/bin/tiendod"
STATE=$T/state
FLAG=$T/slow.on
export TIENDO_SLOW_FLAG="$FLAG" TIENDO_SLOW_MS=1000 \
	TIENDO_SLOW_FILES="$STATE/tiendo.db:$STATE/tiendo.db-wal"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
B=$T/bin start_daemon || exit 1

out=$($Z --report "1|xa-a|cay|add|5|now" "$INGEST")
expect_match "before: a report goes in" "$out" "^report 1 ACCEPTED"
ok "the shim is loaded into tiendod" grep -q slowsync.so "/proc/$DPID/maps"

# seconds(): a monotonic-enough clock with ms, for the order of events.
seconds() { date +%s.%N; }

touch "$FLAG"
t0=$(seconds)
( $Z --timeout 15000 --report "2|xa-a|cay|add|7|now" "$INGEST" >"$T/ack2.out"
  seconds >"$T/ack2.at" ) &
ZPID=$!
ok "the commit is in flight (the slow fsync began)" wait_for 10 test -f "$FLAG.busy"
worst=0
n=0
for i in 1 2 3 4 5; do
	[ -f "$FLAG.busy" ] || break
	t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$HTTP/healthz")
	code=${t% *}
	s=${t#* }
	n=$((n + 1))
	worst=$(awk -v a="$worst" -v b="$s" 'BEGIN { print (b > a ? b : a) }')
	[ "$code" = 200 ] || flunk "healthz answers 200 during the commit" "got $code"
done
still=0
[ -f "$FLAG.busy" ] && kill -0 "$ZPID" 2>/dev/null && still=1
expect_eq "the sync was still sleeping, the ack not yet sent, after the probes" "$still" 1
ok "healthz was asked during the commit ($n times)" test "$n" -ge 3
ok "healthz answered within 100 ms each time during a 1 s commit (worst ${worst}s)" \
	awk -v w="$worst" 'BEGIN { exit !(w < 0.1) }'
m=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$HTTP/metrics")
ok "metrics answered at once too ($m)" awk -v c="${m% *}" -v w="${m#* }" 'BEGIN { exit !(c == 200 && w < 0.5) }'
wait "$ZPID"
expect_match "the batch is acknowledged" "$(cat "$T/ack2.out")" "^report 2 ACCEPTED"
took=$(awk -v a="$t0" -v b="$(cat "$T/ack2.at")" 'BEGIN { print b - a }')
ok "and only after the slow commit (${took}s)" awk -v t="$took" 'BEGIN { exit !(t >= 0.9) }'
expect_eq "stored" "$(rows)" 2
expect_eq "and counted" "$(tally cay xa-a actual)" 12

# A stop in the middle of a commit: the commit is answered, then the exit.
( $Z --timeout 15000 --report "3|xa-a|cay|add|1|now" "$INGEST" >"$T/ack3.out" ) &
ZPID=$!
ok "another commit in flight" wait_for 10 test -f "$FLAG.busy"
t0=$(date +%s)
stop_daemon
t1=$(date +%s)
expect_eq "SIGTERM during a commit: exit 0" "$DSTATUS" 0
ok "within 5 s ($((t1 - t0)) s)" test $((t1 - t0)) -le 5
wait "$ZPID"
expect_match "the batch in flight was acknowledged before the exit" "$(cat "$T/ack3.out")" "^report 3 ACCEPTED"
rm -f "$FLAG"
expect_eq "and stored" "$(rows)" 3
expect_eq "integrity_check" "$(sqlite3 "$STATE/tiendo.db" 'PRAGMA integrity_check')" ok
finish
