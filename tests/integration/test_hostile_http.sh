#!/bin/sh
# Hostile HTTP clients (issue 10, items 1 and 2): requests trickled one byte
# at a time are cut at the header deadline, keep-alive connections idle
# between requests are closed, connections beyond the cap evict the oldest
# waiting one, and a daemon at its descriptor limit neither spins nor floods
# its log, and still answers /healthz and acks reports.
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
SL="$B/tools/slowloris"
cat >"$T/tiendod.conf" <<CONF
[tiendod]
http_header_timeout = 2s
http_idle_timeout = 1s
http_max_connections = 50
CONF
start_daemon -c "$T/tiendod.conf" || exit 1

# healthz_n N: how many of N /healthz requests (new connections) got a 200.
healthz_n() {
	k=0
	for _ in $(seq "$1"); do
		[ "$(get_status /healthz)" = 200 ] && k=$((k + 1))
	done
	echo "$k"
}

# Below the cap: only the deadline can close them (before the fix, a byte
# every 300 ms kept every one open for ever).
"$SL" --connections 30 --interval 300 --hold 8 "$HTTP" >"$T/sl1.out" 2>&1
out=$(cat "$T/sl1.out")
expect_match "30 trickled requests all cut by the server" "$out" \
	"^opened 30 closed_by_peer 30 "
last=$(sed -n 's/.*last_close_ms //p' "$T/sl1.out")
ok "... within the 2 s header deadline, not the 30 s read timeout" \
	test "${last:-99999}" -lt 5000

# Keep-alive: a connection idle after its reply is closed after 1 s.
idle=$(python3 - "$HTTP" <<'PY'
import socket, sys, time
host, port = sys.argv[1][len("http://"):].split(":")
s = socket.create_connection((host, int(port)), timeout=10)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
t0 = time.monotonic()
try:
    while s.recv(4096):
        pass
    print("closed after %d ms" % ((time.monotonic() - t0) * 1000))
except socket.timeout:
    print("still open after 10 s")
PY
)
expect_match "an idle keep-alive connection is closed" "$idle" "^closed after"
ms=$(echo "$idle" | sed -n 's/closed after \([0-9]*\) ms/\1/p')
ok "... after about the 1 s idle timeout" test "${ms:-99999}" -ge 800 -a "${ms:-99999}" -lt 4000

# Beyond the cap: 200 slow connections, and /healthz is answered every time
# (each new connection evicts the oldest one still waiting).
"$SL" --connections 200 --interval 500 --hold 6 --ready "$T/ready" "$HTTP" \
	>"$T/sl2.out" 2>&1 &
SLPID=$!
PIDS="$PIDS $SLPID"
ok "200 slow connections opened" wait_for 10 test -f "$T/ready"
expect_eq "/healthz answers 10 of 10 beyond the cap" "$(healthz_n 10)" 10
m=$(get /metrics)
expect_match "evictions are counted" "$m" "tiendo_http_connections_evicted_total [1-9]"
expect_match "open connections stay under the cap" "$m" \
	"tiendo_http_connections_open ([0-9]|[1-4][0-9]|50)$"
wait "$SLPID"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0

# The descriptor limit: a hard limit of 300 that the daemon cannot raise,
# and 400 slow connections.  Before the fix, accept() failed with EMFILE in
# a busy loop, one log line each time.
mkdir "$T/lim"
for f in "$B"/*; do ln -s "$f" "$T/lim/"; done
rm "$T/lim/tiendod"
printf '#!/bin/sh\nulimit -n 300\nexec "%s/tiendod" "$@"\n' "$B" >"$T/lim/tiendod"
chmod +x "$T/lim/tiendod"
: >"$T/tiendod.log"
STATE=$T/state2 B=$T/lim start_daemon || exit 1
"$SL" --connections 400 --interval 1000 --hold 6 --ready "$T/ready3" "$HTTP" \
	>"$T/sl3.out" 2>&1 &
SLPID=$!
PIDS="$PIDS $SLPID"
ok "400 slow connections opened" wait_for 10 test -f "$T/ready3"
expect_eq "/healthz answers 5 of 5 at the descriptor limit" "$(healthz_n 5)" 5
out=$($Z --timeout 5000 --report "1|xa-a|cay|add|1|now" "$INGEST" 2>&1)
expect_match "a report is acked at the descriptor limit" "$out" "report 1 ACCEPTED"
wait "$SLPID"
lines=$(wc -l <"$T/tiendod.log")
ok "the log stays short ($lines lines)" test "$lines" -lt 30
expect_match "the budget is logged" "$(cat "$T/tiendod.log")" \
	"descriptors: 300; HTTP connections at most 11"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
top=$(cd "$(dirname "$0")/../.." && pwd)
ok "the unit sets the descriptor limit itself" \
	grep -q '^LimitNOFILE=65536$' "$top/systemd/tiendod.service"
finish
