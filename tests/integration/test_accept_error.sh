#!/bin/sh
# accept() failing for want of descriptors (EMFILE) pauses the HTTP
# listener, counts and logs it, and tiendod goes on (README, Limits under
# attack).  libevent calls a listener's error callback with evhttp's
# argument, not ours: taking it for ours killed the daemon the first time
# accept() failed (test_hostile_http met that now and then at its
# descriptor limit).  Here it fails on purpose: tiendod's soft
# RLIMIT_NOFILE is lowered (prlimit, util-linux) to the descriptors it
# has open (below its lowest free number, which accept() would take),
# and a client connects.
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
soft=$(prlimit --pid "$DPID" --nofile --output=SOFT --noheadings --raw)
n=0
while [ -e "/proc/$DPID/fd/$n" ]; do n=$((n + 1)); done
if ! prlimit --pid "$DPID" --nofile="$n:" 2>/dev/null; then
	skip "accept() at the descriptor limit" "prlimit cannot lower tiendod's limit here"
	finish
	exit $?
fi
curl -s -o /dev/null --max-time 2 "$HTTP/healthz"
paused() { grep -q "http: accept: Too many open files; listener paused" "$T/tiendod.log"; }
ok "accept() failed with EMFILE: the listener paused, and said so" wait_for 5 paused
ok "tiendod is still running" kill -0 "$DPID"
ok "its limit is put back ($soft)" prlimit --pid "$DPID" --nofile="$soft:"
ok "it answers again once descriptors are free" \
	wait_for 5 curl -sf -o /dev/null --max-time 2 "$HTTP/healthz"
expect_match "the error is counted" "$(metric tiendo_http_accept_errors_total)" "^[1-9]"
stop_daemon
expect_eq "and it stops cleanly" "$DSTATUS" 0
finish
