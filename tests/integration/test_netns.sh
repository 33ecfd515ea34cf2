#!/bin/sh
# POST /v1/reload "only from loopback (403 otherwise)" (README, HTTP),
# from a real non-loopback address: a network namespace the test makes,
# joined to this one by a veth pair with private addresses.  The traffic
# never leaves the machine; the daemon's HTTP listens on the veth address
# only.  Needs root (ip netns): skipped otherwise.
. "$(dirname "$0")/lib.sh"

NS=tiendo-t$$
HOSTIF=tdv$$h
NSIF=tdv$$n
# A /30 of 10.0.0.0/8 picked from the pid, so that two runs do not collide.
NET=10.$((200 + $$ % 50)).$(( ($$ / 50) % 250 )).
if ! ip netns add "$NS" 2>"$T/ip.err"; then
	skip "POST /v1/reload from another network namespace" \
		"cannot make a network namespace here: $(head -1 "$T/ip.err")"
	finish
	exit
fi
at_exit 'ip netns del "$NS" 2>/dev/null; ip link del "$HOSTIF" 2>/dev/null'
setup() {
	ip link add "$HOSTIF" type veth peer name "$NSIF" &&
	ip link set "$NSIF" netns "$NS" &&
	ip addr add "${NET}1/30" dev "$HOSTIF" &&
	ip link set "$HOSTIF" up &&
	ip netns exec "$NS" ip addr add "${NET}2/30" dev "$NSIF" &&
	ip netns exec "$NS" ip link set "$NSIF" up &&
	ip netns exec "$NS" ip link set lo up
}
ok "a veth pair into the namespace (${NET}1 - ${NET}2)" setup
# A listener off loopback is closed until accounts exist (README,
# "Accounts and TLS"): a district account with a token gets past that gate,
# so what answers the POST below is the reload's own loopback rule.
export TIENDO_ACCOUNTS="$T/accounts"
printf '[tiendod]\n' >"$T/tiendod.conf"
ok "an account for the district" sh -c \
	"echo 'mat-khau-huyen' | '$B/tiendo-ctl' user add huyen"
TOK=$("$B/tiendo-ctl" user token huyen)
start_daemon -c "$T/tiendod.conf" --http "${NET}1:0" || exit 1
ns() { ip netns exec "$NS" "$@"; }
reachable() { ns curl -s -o /dev/null --max-time 2 "$HTTP/healthz"; }
ok "the daemon answers GET from the namespace" wait_for 10 reachable
expect_eq "GET /healthz from ${NET}2: 200" \
	"$(ns curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HTTP/healthz")" 200
expect_eq "without credentials, 401 from ${NET}2" \
	"$(ns curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$HTTP/v1/reload")" 401
out=$(ns curl -s -w '\n%{http_code}' --max-time 10 -X POST \
	-H "Authorization: Bearer $TOK" "$HTTP/v1/reload")
expect_eq "POST /v1/reload from ${NET}2: 403" "$(printf '%s\n' "$out" | tail -1)" 403
expect_match "with the reason" "$(printf "%s\n" "$out" | sed "$ d")" "only .*loopback"
expect_eq "nothing was reloaded" "$(grep -c 'reload' "$T/tiendod.log")" 0
ok "the daemon is still running" kill -0 "$DPID"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
