# Shared by the integration tests: a temporary directory, the real daemon
# on free ports, TAP-style checks, and cleanup on every exit.
#
#   . tests/integration/lib.sh
#   make_plan "$T/plan.ini"; start_daemon; ok "name" test ...; finish
set -u
: "${B:=build}"
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-test.XXXXXX")
PIDS=""
N_OK=0
N_FAIL=0
export TIENDO_CLIENT="" NO_COLOR=1 XDG_STATE_HOME="$T/xdg"

cleanup() {
	# Servers a helper started (pglib.sh's PostgreSQL), before $T goes.
	[ -z "${CLEANUP_HOOK:-}" ] || $CLEANUP_HOOK
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { N_OK=$((N_OK + 1)); echo "ok - $1"; }
flunk() {
	N_FAIL=$((N_FAIL + 1)); echo "not ok - $1"
	shift; [ $# -eq 0 ] || printf '#   %s\n' "$@"
}

# ok NAME COMMAND...: passes when COMMAND succeeds.
ok() {
	name=$1; shift
	if out=$("$@" 2>&1); then pass "$name"; else flunk "$name" "$out"; fi
}

# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else flunk "$1" "got:      $2" "expected: $3"; fi
}

# expect_match NAME TEXT PATTERN (grep -E)
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"
	else flunk "$1" "text:    $(printf '%s' "$2" | head -c 600)" "pattern: $3"; fi
}

# wait_for DEADLINE_SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

day() { date -u -d "$1" +%Y-%m-%d; }

# make_plan FILE: a plan whose campaign runs around today: 2 communes under
# a district, a department; task "cay" (linear, started 10 days ago, ends in
# 10 days) and task "dat" (milestones).
make_plan() {
	cat >"$1" <<PLAN
[plan]
name = Kế hoạch thử nghiệm
timezone = Asia/Ho_Chi_Minh

[unit huyen]
name = Huyện Thử
kind = district

[unit xa-a]
name = Xã Hoàng Đan
kind = commune
parent = huyen

[unit xa-b]
name = Thị trấn Hợp Hòa
kind = town
parent = huyen

[unit phong-nn]
name = Phòng Nông nghiệp
kind = department
parent = huyen

[task cay]
title = Tết trồng cây
measure = cây
owner = phong-nn
start = $(day '10 days ago')
deadline = $(day '10 days')
warn = 10
critical = 25
stale_after = 30d

[task dat]
title = Giải phóng mặt bằng
measure = ha
owner = phong-nn
start = $(day '20 days ago')
deadline = $(day '20 days')
pacing = milestones
milestone = $(day '10 days ago') 20
milestone = $(day '10 days') 80

[targets cay]
xa-a = 1000
xa-b = 500

[targets dat]
xa-a = 12.5
PLAN
}

# CurveZMQ is on in the tests unless TIENDO_TEST_CURVE=0: the daemon's keys
# are in $KEYS (server.secret, clients/NAME.key), the clients' in $CKEYS
# (NAME.secret and server.pub), and TIENDO_KEY/TIENDO_SERVER_KEY point the
# clients (tiendo-push, zsend) there, so a client's --client picks its key.
: "${TIENDO_TEST_CURVE:=1}"
KEYS=$T/keys
CKEYS=$T/ckeys
# Identities the tests may use without asking: each may report for any unit
# (a test may set its own list before sourcing this file).
: "${TEST_CLIENTS:=probe other ord sub huyen xa-a xa-b phong-nn}"
# A test names the other identities it uses in TEST_CLIENTS_MORE.
TEST_CLIENTS="$TEST_CLIENTS ${TEST_CLIENTS_MORE:-}"

# test_key NAME [UNITS]: makes NAME's key pair in $CKEYS and authorises it
# in $KEYS/clients (UNITS: the "units =" value; none: its own unit only).
# A running daemon learns of it at its next SIGHUP.
test_key() {
	"$B/tiendo-ctl" keygen --dir "$CKEYS" "$1" >/dev/null || return 1
	cp "$CKEYS/$1.pub" "$KEYS/clients/$1.key"
	[ $# -lt 2 ] || echo "units = $2" >>"$KEYS/clients/$1.key"
}

# make_keys: the server's key pair and the test clients', once per test.
make_keys() {
	[ -f "$KEYS/server.secret" ] && return 0
	mkdir -p "$KEYS/clients" "$CKEYS" &&
	"$B/tiendo-ctl" keygen --dir "$KEYS" server >/dev/null &&
	cp "$KEYS/server.pub" "$CKEYS/server.pub" || return 1
	for c in $TEST_CLIENTS; do test_key "$c" "*" || return 1; done
}

# mode_args: the options start_daemon gives tiendod for this test mode (free
# alert ports; the keys, or --plain), for a test that starts it by hand.
mode_args() {
	echo "--pub tcp://127.0.0.1:0 --snapshot tcp://127.0.0.1:0"
	if [ "$TIENDO_TEST_CURVE" = 1 ]; then echo "--keys-dir $KEYS"; else echo --plain; fi
}

# use_keys: makes the test keys (CURVE mode) and points the clients at them.
use_keys() {
	if [ "$TIENDO_TEST_CURVE" = 1 ]; then
		make_keys || return 1
		export TIENDO_KEY="$CKEYS" TIENDO_SERVER_KEY="$CKEYS/server.pub"
	else
		unset TIENDO_KEY TIENDO_SERVER_KEY
	fi
}

# start_daemon [ARGS...]: starts tiendod on free ports with state in
# $T/state (or $STATE); sets DPID, INGEST, HTTP, PUB, SNAPSHOT.  Later
# ARGS win over the defaults (e.g. --pub tcp://127.0.0.1:PORT to keep a port
# across a restart).
start_daemon() {
	: "${STATE:=$T/state}"
	: "${PLAN:=$T/plan.ini}"
	[ -f "$PLAN" ] || make_plan "$PLAN"
	use_keys || { echo "# cannot make the test keys"; return 1; }
	# shellcheck disable=SC2046
	"$B/tiendod" --plan "$PLAN" --state-dir "$STATE" \
		--ingest tcp://127.0.0.1:0 --http 127.0.0.1:0 $(mode_args) \
		${TIENDO_STORE:+--store "$TIENDO_STORE"} "$@" \
		2>>"$T/tiendod.log" &
	DPID=$!
	PIDS="$PIDS $DPID"
	if ! wait_for 20 test -f "$STATE/endpoints"; then
		echo "# tiendod did not start:"; sed 's/^/#   /' "$T/tiendod.log"
		return 1
	fi
	INGEST=$(sed -n 's/^ingest=//p' "$STATE/endpoints")
	HTTP=$(sed -n 's/^http=//p' "$STATE/endpoints")
	PUB=$(sed -n 's/^pub=//p' "$STATE/endpoints")
	SNAPSHOT=$(sed -n 's/^snapshot=//p' "$STATE/endpoints")
	export TIENDO_CONNECT="$INGEST" TIENDO_HTTP="$HTTP"
	export TIENDO_PUB="$PUB" TIENDO_SNAPSHOT="$SNAPSHOT"
}

# stop_daemon: SIGTERM, and the exit status it ended with in $DSTATUS.
stop_daemon() {
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	DSTATUS=$?
	PIDS=$(echo "$PIDS" | sed "s/ $DPID\b//")
}

# get PATH: the body of an HTTP GET; fails on a non-2xx status.
get() { curl -sf --max-time 10 "$HTTP$1"; }
# get_status PATH: the HTTP status code only.
get_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HTTP$1"; }

# jget JSON FILTER: a value out of JSON (jq -r).
jget() { printf '%s' "$1" | jq -r "$2"; }

finish() {
	echo "# $N_OK passed, $N_FAIL failed"
	[ "$N_FAIL" -eq 0 ]
}

# TIENDO_TEST_STORE=pg: the same tests on a throwaway PostgreSQL cluster
# (pglib.sh), which start_daemon uses through $TIENDO_STORE.
if [ "${TIENDO_TEST_STORE:-sqlite}" = pg ]; then
	. tests/integration/pglib.sh
	pg_init || { echo "not ok - PostgreSQL test cluster"; exit 1; }
fi
