#!/bin/sh
# `systemctl reload` as the unit runs it: the ExecReload= lines of
# systemd/tiendod.service, paths turned to the build's, run one after
# the other against a running daemon, as systemd would.  A good plan: exit
# 0, and the daemon has already swapped it in when they return.  A plan
# the daemon refuses: non-zero, its errors printed, the daemon still
# running on the old plan.  With accounts, through the reload key; on a
# non-loopback address, from loopback.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
export STATE_DIRECTORY="$T/state" # as systemd sets it for ExecStart= and ExecReload=
STATE=$STATE_DIRECTORY
make_plan "$T/plan.ini"
cp "$T/plan.ini" "$T/plan.orig"
use_keys || exit 1
if [ "$TIENDO_TEST_CURVE" = 1 ]; then security="keys_dir = $KEYS"; else security="curve = off"; fi
# No state_dir: the daemon and tiendo-ctl both take $STATE_DIRECTORY.
conf() {
	cat >"$T/tiendod.conf" <<EOF2
[tiendod]
plan = $T/plan.ini
ingest = tcp://127.0.0.1:0
http = $1
pub = tcp://127.0.0.1:0
snapshot = tcp://127.0.0.1:0
$security
EOF2
}
start() {
	rm -f "$STATE/endpoints"
	"$B/tiendod" -c "$T/tiendod.conf" 2>>"$T/tiendod.log" &
	DPID=$!
	PIDS="$PIDS $DPID"
	wait_for 20 test -f "$STATE/endpoints" || { flunk "tiendod starts" "$(cat "$T/tiendod.log")"; return 1; }
	HTTP=$(sed -n 's/^http=//p' "$STATE/endpoints")
}

# The unit's ExecReload= lines, as the build would run them.
UNITFILE="$top/systemd/tiendod.service"
reload_lines() {
	sed -n 's/^ExecReload=//p' "$UNITFILE" | sed -e "s|/usr/local/s*bin/|$B/|g" \
		-e "s|/etc/tiendo/tiendod.conf|$T/tiendod.conf|g" -e "s|\$MAINPID|${DPID:-}|g"
}
# systemctl reload: each line in turn, the first failure fails it.  Its
# output in $out, its status in $rc.
systemctl_reload() {
	reload_lines >"$T/lines"
	rc=0
	: >"$T/reload.out"
	while [ $rc -eq 0 ] && IFS= read -r line; do
		# shellcheck disable=SC2086 # split into words, as systemd does
		set -- $line
		"$@" >>"$T/reload.out" 2>&1 </dev/null
		rc=$?
	done <"$T/lines"
	out=$(cat "$T/reload.out")
}
tasks() { curl -s --max-time 10 ${1:+-H "$1"} "$HTTP/v1/tasks" | jq -r '[.tasks[].code] | join(",")'; }

expect_match "the unit has ExecReload= lines" "$(reload_lines)" "tiendo-ctl"

conf 127.0.0.1:0
start || exit 1
expect_match "reload.key: 64 hex digits, mode 0600" \
	"$(stat -c %a "$STATE/reload.key") $(cat "$STATE/reload.key")" '^600 [0-9a-f]{64}$'
expect_eq "before: tasks" "$(tasks)" "cay,dat"

# --- a good plan: done when systemctl reload returns ----------------------
sed -e '/^\[targets dat\]/,$d' -e '/^\[task dat\]/,/^$/d' "$T/plan.orig" >"$T/plan.ini"
cat >>"$T/plan.ini" <<EOF2
[task nuoc]
title = Nước sạch
measure = hộ
start = $(day '5 days ago')
deadline = $(day '30 days')

[targets nuoc]
xa-b = 40
EOF2
systemctl_reload
expect_eq "good plan: ExecReload= exits 0" "$rc" 0
expect_match "good plan: it says the plan in force" "$out" "^reloaded: $T/plan.ini in force, 4 units, 2 tasks, 3 targets$"
# No wait: the answer came after the swap.
expect_eq "good plan: in force as soon as it returns" "$(tasks)" "cay,nuoc"
cp "$T/plan.ini" "$T/plan.good"

# --- http edited in the file: a restart applies it; the reload still finds
# the daemon where it listens, and says so ---------------------------------
cp "$T/tiendod.conf" "$T/conf.good"
sed -i 's/^http = .*/http = 127.0.0.1:9/' "$T/tiendod.conf"
systemctl_reload
expect_eq "http edited: ExecReload= exits 0" "$rc" 0
expect_match "http edited: named as needing a restart" "$out" "^changed, applies only at restart: http"
cp "$T/conf.good" "$T/tiendod.conf"

# --- a plan the daemon refuses: non-zero, its errors, the old plan --------
sed -e 's/^xa-b = 40$/xa-zz = 40/' "$T/plan.good" >"$T/plan.ini"
systemctl_reload
expect_eq "refused plan: ExecReload= exits 65" "$rc" 65
expect_match "refused plan: the daemon's error, file:line" "$out" "^$T/plan.ini:[0-9]+: .*xa-zz"
expect_match "refused plan: the daemon's refusal" "$out" "reload refused; the plan in force stays"
ok "refused plan: the daemon still runs" kill -0 "$DPID"
expect_eq "refused plan: the old plan in force" "$(tasks)" "cay,nuoc"
expect_match "refused plan: the daemon logged it" "$(cat "$T/tiendod.log")" "reload refused: plan .* has [0-9]+ errors?"
cp "$T/plan.good" "$T/plan.ini"

# --- accounts: the gate is shut to a plain POST, the key opens it ---------
ok "an account is added" sh -c "echo 'mat-khau-huyen' | TIENDO_ACCOUNTS='$T/accounts' '$B/tiendo-ctl' user add huyen"
ok "the daemon asks for a login" wait_for 10 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$HTTP/v1/tasks') = 401 ]"
"$B/tiendo-ctl" --http "$HTTP" reload >/dev/null 2>&1
expect_eq "accounts: a reload without key or account exits 77 (HTTP 401)" "$?" 77
cp "$T/plan.orig" "$T/plan.ini"
systemctl_reload
expect_eq "accounts: ExecReload= exits 0" "$rc" 0
TOK=$(TIENDO_ACCOUNTS="$T/accounts" "$B/tiendo-ctl" user token huyen)
expect_eq "accounts: the plan reloaded" "$(tasks "Authorization: Bearer $TOK")" "cay,dat"
cp "$STATE/reload.key" "$T/key.good"
printf '%064d\n' 0 >"$STATE/reload.key"
systemctl_reload
expect_eq "accounts: a wrong key exits 77 (HTTP 403)" "$rc" 77
expect_match "accounts: and says so" "$out" "wrong X-Tiendo-Reload-Key"
echo garbage >"$STATE/reload.key"
systemctl_reload
expect_eq "accounts: a file that is no key: not sent, 401, exits 77" "$rc" 77
expect_match "accounts: and it is named" "$out" "no reload key sent: $STATE/reload.key: not a reload key"
cp "$T/key.good" "$STATE/reload.key"
stop_daemon
expect_eq "the daemon exits 0" "$DSTATUS" 0
systemctl_reload
expect_eq "no daemon: ExecReload= exits 69" "$rc" 69

# --- http on another address of this machine (accounts still in force):
# reached from loopback ------------------------------------------------------
IP=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
if [ -n "$IP" ]; then
	conf "$IP:0"
	start || exit 1
	expect_eq "on $IP: a POST from $IP itself is refused (not loopback)" \
		"$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
			-X POST "$HTTP/v1/reload")" 403
	cp "$T/plan.good" "$T/plan.ini"
	systemctl_reload
	expect_eq "on $IP: ExecReload= exits 0" "$rc" 0
	expect_eq "on $IP: the plan reloaded" "$(tasks "Authorization: Bearer $TOK")" "cay,nuoc"
	stop_daemon
	expect_eq "on $IP: the daemon exits 0" "$DSTATUS" 0
else
	skip "http on another address" "this machine has no global IPv4 address"
fi
finish
