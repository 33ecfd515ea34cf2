#!/bin/sh
# README ("Live"): "a page whose unsent output passes 256 KiB is dropped,
# never buffered further, and its browser reconnects."  A page that opens
# /v1/stream and then never reads, while every tick carries ~450 rows, is
# dropped within a bound; what the daemon holds for pages stays under a
# bound, and its memory grows by no more than its resume ring while
# megabytes more are streamed; and a page that does read keeps getting
# every event, before and after.  Long codes make each row ~230 bytes, so that a tick
# of N rows is ~110 KiB and the test streams ~400 KiB/s.
. "$(dirname "$0")/lib.sh"

N=495
TASK=trong-cay-xanh-trong-ca-nam-tren-dia-ban-toan-huyen-va-cac-xa
U=xa-thuoc-huyen-thu-nghiem-voi-ma-don-vi-rat-dai-so
PLAN="$T/many.ini"
awk -v n="$N" -v t="$TASK" -v u="$U" -v s="$(day '10 days ago')" -v d="$(day '10 days')" 'BEGIN {
	print "[plan]\nname = many\ntimezone = Asia/Ho_Chi_Minh\n\n[unit huyen]\nname = H\nkind = district\n"
	for (i = 1; i <= n; i++) printf "[unit %s%d]\nname = Xã số %d\nkind = commune\nparent = huyen\n\n", u, i, i
	printf "[task %s]\ntitle = C\nmeasure = c\nstart = %s\ndeadline = %s\nstale_after = 0\n\n[targets %s]\n", t, s, d, t
	for (i = 1; i <= n; i++) printf "%s%d = 1000000\n", u, i
}' >"$PLAN"
# Every row of the CSV is another pair: each push dirties all N of them,
# so each tick's tally event carries N rows (under SSE_ROWS_MAX, 500).
awk -v n="$N" -v t="$TASK" -v u="$U" 'BEGIN { print "unit,task,kind,value"
	for (i = 1; i <= n; i++) printf "%s%d,%s,add,1\n", u, i, t }' >"$T/all.csv"
# Under AddressSanitizer freed memory sits in a quarantine (256 MB) and
# would count as growth: with none, what is freed is reused as usual.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
start_daemon || exit 1
metric() { get /metrics | awk -v m="$1" '$1 == m { print $2 }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }

# The reading page.
curl -sN --max-time 600 "$HTTP/v1/stream" >"$T/good" &
GOOD=$!
PIDS="$PIDS $GOOD"
ok "the reading page opens" wait_for 5 grep -q '^event: hello' "$T/good"

# The slow page: a small receive buffer, the response head and the hello
# read, then nothing, until told to read what is left.  It prints "eof
# BYTES" when the daemon closed the connection, "open BYTES" otherwise.
HOSTPORT=${HTTP#http://}
/usr/bin/python3 - "${HOSTPORT%:*}" "${HOSTPORT##*:}" "$T/slow.ready" "$T/slow.read" >"$T/slow.out" 2>&1 <<'PY' &
import os, socket, sys, time
host, port, ready, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, port))
s.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host.encode(), port))
buf = b""
while b"event: hello" not in buf:
    d = s.recv(4096)
    if not d:
        print("closed before the hello"); sys.exit(1)
    buf += d
open(ready, "w").close()
deadline = time.time() + 300
while not os.path.exists(go) and time.time() < deadline:
    time.sleep(0.1)
s.settimeout(10)
total = 0
try:
    while True:
        d = s.recv(65536)
        if not d:
            print("eof", total); break
        total += len(d)
except socket.timeout:
    print("open", total)
PY
SLOW=$!
PIDS="$PIDS $SLOW"
ok "the slow page opens and then stops reading" wait_for 5 test -f "$T/slow.ready"
ok "two pages connected" wait_for 5 sh -c "[ \"\$(curl -sf '$HTTP/metrics' | awk '\$1 == \"tiendo_stream_clients\" { print \$2 }')\" = 2 ]"
rss0=$(rss_kib)
e0=$(metric tiendo_stream_events_total)

# Reports, as fast as one client sends them, until the slow page is dropped
# (or 60 s pass).
produce() {
	while [ ! -f "$T/stop" ]; do
		"$B/tiendo-push" -q --client xa-a --csv "$T/all.csv" >/dev/null 2>&1 || true
	done
}
produce &
PROD=$!
PIDS="$PIDS $PROD"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(now_ms)
q_max=0
# sample: the largest tiendo_stream_queued_bytes seen so far, in $q_max.
sample() {
	q=$(metric tiendo_stream_queued_bytes)
	[ "${q:-0}" -gt "$q_max" ] && q_max=$q
}
dropped=0
while [ $(( $(now_ms) - t0 )) -lt 60000 ]; do
	sample
	[ "$(metric tiendo_stream_dropped_total)" = 1 ] && { dropped=1; break; }
done
t_drop=$(( $(now_ms) - t0 ))
good_at_drop=$(grep -c '^event: tally' "$T/good")
ok "the slow page is dropped (tiendo_stream_dropped_total 1), in $t_drop ms" test "$dropped" = 1
ok "... within 30 s of the first report" test "$t_drop" -lt 30000
expect_eq "the reading page is still connected, alone" "$(metric tiendo_stream_clients)" 1
# Keep producing: the daemon holds nothing for the dropped page any more,
# so while 6 MiB more reach the reading page (all of which a page never
# dropped would have queued in the daemon), its memory grows by no more
# than the resume ring (256 events, bounded; README "Live").
rss_drop=$(rss_kib)
ring_drop=$(metric tiendo_stream_ring_bytes)
b0=$(wc -c <"$T/good")
while [ $(( $(now_ms) - t0 )) -lt 150000 ] &&
      [ "$(wc -c <"$T/good")" -lt $((b0 + 6 * 1024 * 1024)) ]; do
	sample
done
rss_end=$(rss_kib)
ring_end=$(metric tiendo_stream_ring_bytes)
touch "$T/stop"
wait "$PROD" 2>/dev/null
e1=$(metric tiendo_stream_events_total)
b1=$(wc -c <"$T/good")
ok "the reading page kept getting events: $(( (b1 - b0) / 1024 )) KiB after the drop" \
	test "$b1" -ge $((b0 + 6 * 1024 * 1024))
ok "what the daemon held for pages stayed under 512 KiB (at most $((q_max / 1024)) KiB)" \
	test "$q_max" -lt $((512 * 1024))
ring_kib=$(( (ring_end - ring_drop) / 1024 ))
ok "its memory grew by the ring alone: RSS +$((rss_end - rss_drop)) KiB, ring +$ring_kib KiB (< ring + 3 MiB)" \
	test "$rss_end" -lt $((rss_drop + ring_kib + 3072))
seqs=$(sed -n 's/^data: {"seq":\([0-9]*\),"many".*/\1/p' "$T/good" | tr '\n' ' ')
expect_eq "the reading page got every tally event: 1..N, no gap" "$seqs" \
	"$(seq 1 "$(sed -n 's/^data: {"seq":\([0-9]*\),"many".*/\1/p' "$T/good" | wc -l)" | tr '\n' ' ')"
expect_eq "no reading page was told to reset" "$(grep -c '^event: reset' "$T/good")" 0
touch "$T/slow.read"
wait "$SLOW"
expect_match "the slow page's connection was closed by the daemon" "$(cat "$T/slow.out")" '^eof [0-9]+$'
echo "# dropped after $t_drop ms ($good_at_drop tally events, $((b0 / 1024)) KiB by then); $((e1 - e0)) events in all; the slow page had $(sed -n 's/^eof //p' "$T/slow.out") bytes in kernel buffers; RSS $rss0 / $rss_drop / $rss_end KiB; ring $ring_drop -> $ring_end bytes"
expect_match "the log says why" "$(cat "$T/tiendod.log")" 'sse: a client fell 262144 bytes behind: dropped'
finish
