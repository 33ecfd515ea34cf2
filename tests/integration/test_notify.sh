#!/bin/sh
# systemd's notify protocol, with tests/tools/sdnotify playing systemd:
# READY only once every socket answers, STATUS, watchdog pings at half of
# WATCHDOG_USEC, RELOADING then READY on SIGHUP, STOPPING on SIGTERM.
. "$(dirname "$0")/lib.sh"

SOCK="$T/notify.sock"
NLOG="$T/notify.log"
STATE="$T/state"
export STATE B
# Run by sdnotify the moment READY=1 arrives, before reading on: both
# sockets must already answer.
use_keys || exit 1
cat >"$T/on-ready.sh" <<SH
${TIENDO_KEY:+export TIENDO_KEY="$TIENDO_KEY" TIENDO_SERVER_KEY="$TIENDO_SERVER_KEY"}
SH
cat >>"$T/on-ready.sh" <<'SH'
set -e
ep="$STATE/endpoints"
test -f "$ep"
http=$(sed -n 's/^http=//p' "$ep")
ingest=$(sed -n 's/^ingest=//p' "$ep")
curl -sf --max-time 5 "$http/healthz" >/dev/null
"$B/tools/zsend" --client probe --report "1|xa-a|cay|add|1|now" --timeout 5000 "$ingest" | grep -q "^status OK"
SH
"$B/tools/sdnotify" "$SOCK" --on-ready "sh $T/on-ready.sh" >"$NLOG" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 grep -q listening "$NLOG" || { echo "not ok - sdnotify did not start"; exit 1; }

# 300 ms: a ping every 150 ms.
WD=300000
NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=$WD start_daemon || exit 1
ok "READY=1 received" wait_for 20 grep -q " READY=1" "$NLOG"
ok "both sockets answered when READY came" wait_for 20 grep -q "^on-ready rc=0" "$NLOG"
first=$(grep -v '^listening' "$NLOG" | head -1 | cut -d' ' -f3-)
expect_eq "READY is the first thing said" "$first" "READY=1"
expect_match "a STATUS line follows" "$(cat "$NLOG")" "STATUS=[0-9]+ reports accepted since start; [0-9]+ of 2 units reporting; [0-9]+ alerts active; storage ok"
ok "STATUS counts the report sent at READY" \
	wait_for 10 grep -q "STATUS=1 reports accepted since start; 1 of 2 units reporting" "$NLOG"

# Watchdog: count pings over the next 3 s and find the longest gap.
ok "watchdog pings arrive" wait_for 10 grep -q "WATCHDOG=1" "$NLOG"
start=$(tail -1 "$NLOG" | cut -d' ' -f1)
ok "3 s of watchdog pings observed" \
	wait_for 10 sh -c "awk -v s=$start '/WATCHDOG=1/ && \$1 > s + 3000' '$NLOG' | grep -q ."
pings=$(awk -v s="$start" '/WATCHDOG=1/ && $1 > s && $1 <= s + 3000' "$NLOG" | wc -l)
gap=$(awk '/WATCHDOG=1/ { if (p != "") { g = $1 - p; if (g > m) m = g } p = $1 } END { printf "%d", m }' "$NLOG")
ok "about 20 pings in 3 s at 150 ms (got $pings)" test "$pings" -ge 14 -a "$pings" -le 24
ok "no gap between pings reaches WATCHDOG_USEC (longest $gap ms)" test "$gap" -lt $((WD / 1000))

# Reload: RELOADING=1 with MONOTONIC_USEC (our clock: same CLOCK_MONOTONIC), then READY=1.
n0=$(wc -l <"$NLOG")
kill -HUP "$DPID"
ok "RELOADING=1 after SIGHUP" wait_for 10 sh -c "tail -n +$((n0 + 1)) '$NLOG' | grep -q RELOADING=1"
ok "then READY=1" wait_for 10 sh -c "tail -n +$((n0 + 1)) '$NLOG' | grep -A100 RELOADING=1 | grep -q ' READY=1'"
line=$(tail -n +$((n0 + 1)) "$NLOG" | grep RELOADING=1 | head -1)
mono=$(echo "$line" | sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p')
recv=$(echo "$line" | cut -d' ' -f2)
expect_match "RELOADING carries MONOTONIC_USEC" "$line" "RELOADING=1 MONOTONIC_USEC=[0-9]+"
ok "MONOTONIC_USEC is the monotonic time of the reload" \
	test "$(( recv - ${mono:-0} ))" -ge 0 -a "$(( recv - ${mono:-0} ))" -lt 5000000

# A refused reload is also bracketed, so systemd does not wait for ever.
cp "$T/plan.ini" "$T/plan.good"
echo "[task broken" >>"$T/plan.ini"
n1=$(wc -l <"$NLOG")
kill -HUP "$DPID"
ok "refused reload: RELOADING then READY" wait_for 10 sh -c "tail -n +$((n1 + 1)) '$NLOG' | grep -A100 RELOADING=1 | grep -q ' READY=1'"

n2=$(wc -l <"$NLOG")
stop_daemon
expect_eq "exit 0 on SIGTERM" "$DSTATUS" 0
ok "STOPPING=1 on the way out" sh -c "tail -n +$((n2 + 1)) '$NLOG' | grep -q STOPPING=1"

# Outside systemd nothing is sent and nothing breaks.
cp "$T/plan.good" "$T/plan.ini"
unset NOTIFY_SOCKET WATCHDOG_USEC
n3=$(wc -l <"$NLOG")
start_daemon || exit 1
ok "no NOTIFY_SOCKET: runs and answers" get /healthz
stop_daemon
expect_eq "no NOTIFY_SOCKET: exit 0" "$DSTATUS" 0
expect_eq "no NOTIFY_SOCKET: nothing sent" "$(tail -n +$((n3 + 1)) "$NLOG" | wc -l)" 0
finish
