# Shared by the integration tests: a temporary directory, the real daemon
# on free ports, TAP-style checks, and cleanup on every exit.
#
#   . tests/integration/lib.sh
#   make_plan "$T/plan.ini"; start_daemon; ok "name" test ...; finish
#
# finish prints the suite's plan ("1..N"), which tests/run.sh checks: a
# suite that exits before finish (an early "exit 0" too) prints no plan and
# a "not ok", and exits 1.
set -u
: "${B:=build}"
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-test.XXXXXX")
PIDS=""
N_OK=0
N_FAIL=0
N_SKIP=0
FINISHED=0
export TIENDO_CLIENT="" NO_COLOR=1 XDG_STATE_HOME="$T/xdg"
# The suites read tiendo-ctl's English; without a language of its own it
# would speak the daemon's (Vietnamese by default).  test_lang unsets it.
export TIENDO_LANG=en

AT_EXIT=""
# at_exit COMMAND: run (eval) by cleanup, before the processes are killed.
at_exit() { AT_EXIT="$AT_EXIT
$1"; }
cleanup() {
	# Servers a helper started (pglib.sh's PostgreSQL), before $T goes.
	[ -z "${CLEANUP_HOOK:-}" ] || $CLEANUP_HOOK
	eval "$AT_EXIT"
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	# A failed suite shows the end of its daemons' logs, which go with $T:
	# the daemon's own account (an error, a sanitizer's report) of a
	# failure seen once in CI.  tests/run.sh prints these blocks.
	if [ "$N_FAIL" -gt 0 ] || [ "$FINISHED" = 0 ]; then
		for f in "$T"/tiendod*.log; do
			[ -s "$f" ] || continue
			echo "# --- daemon log, last lines of ${f##*/}:"
			tail -n 40 "$f" | sed 's/^/#   /'
		done
	fi
	# TIENDO_TEST_KEEP=1 keeps the temporary directory, to look at its logs.
	if [ "${TIENDO_TEST_KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
# on_exit: cleanup, and an exit before finish is a failure whatever its status.
on_exit() {
	rc=$?
	cleanup
	if [ "$FINISHED" = 0 ]; then
		echo "not ok - the suite stopped (status $rc) before finish, after $((N_OK + N_FAIL + N_SKIP)) checks"
		exit 1
	fi
}
trap on_exit EXIT
# Every catchable signal that would end the shell runs the EXIT trap.
for sig in HUP:1 INT:2 QUIT:3 USR1:10 USR2:12 PIPE:13 ALRM:14 TERM:15; do
	# shellcheck disable=SC2064
	trap "exit $((128 + ${sig#*:}))" "${sig%:*}"
done

pass() { N_OK=$((N_OK + 1)); echo "ok - $1"; }
# skip NAME REASON: a check that cannot run here, counted as skipped.
skip() { N_SKIP=$((N_SKIP + 1)); echo "ok - $1 # SKIP $2"; }
flunk() {
	N_FAIL=$((N_FAIL + 1)); echo "not ok - $1"
	shift; [ $# -eq 0 ] || printf '#   %s\n' "$@"
}

# tap_from COMMAND...: runs a program that prints its own "ok - NAME" and
# "not ok - NAME" lines (the browser scripts) and counts each as a check of
# this suite, so that the plan finish prints covers them; its comment lines
# pass through, its own summary does not.  Returns the program's status.
tap_from() {
	"$@" >"$T/tap_from.out"
	tap_rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) flunk "${line#not ok - }" ;;
		"# "[0-9]*" passed, "*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$T/tap_from.out"
	return $tap_rc
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

# expect_match NAME TEXT PATTERN: passes when a line of TEXT matches PATTERN
# (an extended regular expression); a PATTERN of several lines must match as
# a block: its lines, one each, consecutive lines of TEXT.
expect_match() {
	if block_match "$2" "$3"; then pass "$1"
	else flunk "$1" "text:    $(printf '%s' "$2" | head -c 600)" "pattern: $3"; fi
}
block_match() {
	case $2 in
	*"
"*) ;;
	*) printf '%s\n' "$1" | grep -Eq -- "$2"; return ;;
	esac
	# The pattern through the environment: awk -v would eat its backslashes.
	printf '%s\n' "$1" | BLOCK_PATTERN=$2 awk '
		BEGIN { n = split(ENVIRON["BLOCK_PATTERN"], pat, "\n") }
		{ line[NR] = $0 }
		END {
			for (s = 1; s + n - 1 <= NR; s++) {
				for (i = 1; i <= n && line[s + i - 1] ~ pat[i]; i++) ;
				if (i > n) exit 0
			}
			exit 1
		}'
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

# make_province_plan FILE: a province over two districts (h1: a, b; h2: c,
# d, e), two departments (nn, tc) owning one task each, cay and thu, with a
# target of 100 for every commune: for the tests of many alerts at once.
make_province_plan() {
	cat >"$1" <<PLAN
[plan]
name = Tỉnh thử
timezone = Asia/Ho_Chi_Minh
[unit tinh]
name = Tỉnh
kind = province
[unit h1]
name = Huyện Một
kind = district
parent = tinh
[unit h2]
name = Huyện Hai
kind = district
parent = tinh
[unit a]
name = Xã A
kind = commune
parent = h1
[unit b]
name = Xã B
kind = commune
parent = h1
[unit c]
name = Xã C
kind = commune
parent = h2
[unit d]
name = Xã D
kind = commune
parent = h2
[unit e]
name = Xã E
kind = commune
parent = h2
[unit nn]
name = Sở Nông nghiệp
kind = department
[unit tc]
name = Sở Tài chính
kind = department
[task cay]
title = Tết trồng cây
measure = cây
owner = nn
start = $(day '10 days ago')
deadline = $(day '10 days')
[task thu]
title = Thu ngân sách
measure = triệu đồng
owner = tc
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets cay]
a = 100
b = 100
c = 100
d = 100
e = 100
[targets thu]
a = 100
b = 100
c = 100
d = 100
e = 100
PLAN
}

# plan_units: the units most test plans share: district "huyen" and under
# it commune "xa-a" (Hoàng Đan) and town "xa-b" (Hợp Hòa).
plan_units() {
	cat <<'PLAN'
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
PLAN
}

# make_plan FILE: a plan whose campaign runs around today: 2 communes under
# a district, a department; task "cay" (linear, started 10 days ago, ends in
# 10 days) and task "dat" (milestones).
make_plan() {
	{ cat <<PLAN
[plan]
name = Kế hoạch thử nghiệm
timezone = Asia/Ho_Chi_Minh

PLAN
	plan_units
	cat <<PLAN

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
	} >"$1"
}

# plan_add_vp FILE TARGETS: appends to a make_plan plan a department "vp"
# and its task "khac" (same dates as "cay"), with TARGETS the lines of
# [targets khac]: another department's task, for owner= and scopes.
plan_add_vp() {
	cat >>"$1" <<PLAN

[unit vp]
name = Văn phòng HĐND và UBND huyện
kind = department
parent = huyen

[task khac]
title = Việc của Văn phòng
measure = việc
owner = vp
start = $(day '10 days ago')
deadline = $(day '10 days')

[targets khac]
$2
PLAN
}

# many_plan N ID TITLE [ID TITLE...]: on stdout, a plan of N communes
# x1..xN under district "huyen" and, for each ID TITLE, a task started 10
# days ago, due in 10, with a target of 100 for every commune: nothing
# reported, every pair lags (an alert storm at start).
many_plan() {
	awk -v n="$1" -v s="$(day '10 days ago')" -v d="$(day '10 days')" 'BEGIN {
		print "[plan]\nname = many\ntimezone = Asia/Ho_Chi_Minh\n\n[unit huyen]\nname = H\nkind = district\n"
		for (i = 1; i <= n; i++) printf "[unit x%d]\nname = X %d\nkind = commune\nparent = huyen\n\n", i, i
		for (t = 2; t < ARGC; t += 2) {
			printf "[task %s]\ntitle = %s\nmeasure = c\nstart = %s\ndeadline = %s\nwarn = 10\ncritical = 25\nstale_after = 0\n\n[targets %s]\n", ARGV[t], ARGV[t + 1], s, d, ARGV[t]
			for (i = 1; i <= n; i++) printf "x%d = 100\n", i
			print ""
		}
	}' "$@"
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

# preload_shim NAME: builds tests/shim/NAME.c into $T/NAME.so and a
# $T/bin/tiendod that runs the real one with it preloaded (tiendod only, no
# client); start it with "B=$T/bin start_daemon".  On a build failure it
# flunks and returns 1: the test then ends with finish.
preload_shim() {
	if ! cc -shared -fPIC -o "$T/$1.so" "$(dirname "$0")/../shim/$1.c" -ldl 2>"$T/cc.err"; then
		flunk "the $1 shim builds" "$(cat "$T/cc.err")"
		return 1
	fi
	mkdir -p "$T/bin"
	ln -sf "$B/tiendo-ctl" "$T/bin/tiendo-ctl"
	cat >"$T/bin/tiendod" <<EOS
#!/bin/sh
LD_PRELOAD="$T/$1.so" exec "$B/tiendod" "\$@"
EOS
	chmod +x "$T/bin/tiendod"
	# A sanitizer build wants its runtime first; the shim comes before it.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}

# probe_healthz TIMES NAME WHILE...: asks /healthz up to TIMES times, as
# long as the command WHILE... succeeds; an answer other than 200 flunks
# NAME.  Sets PROBES (how many were asked) and WORST (the slowest, in s).
probe_healthz() {
	times=$1 name=$2; shift 2
	PROBES=0 WORST=0
	while [ "$PROBES" -lt "$times" ] && "$@"; do
		t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$HTTP/healthz")
		PROBES=$((PROBES + 1))
		WORST=$(awk -v a="$WORST" -v b="${t#* }" 'BEGIN { print (b > a ? b : a) }')
		[ "${t% *}" = 200 ] || flunk "$name" "got ${t% *}"
	done
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

# Helpers that several suites share (a suite may still define its own
# under the same name, after sourcing this file: test_metrics' metric
# reads a scrape it holds, test_overflow's and test_correct_alerts' tally
# take a roll-up, test_pg's rows asks psql).

# healthy: /healthz answers 200.
healthy() { [ "$(get_status /healthz)" = 200 ]; }

# metric NAME: the value of the series NAME (exactly, labels and all) in
# /metrics; nothing when it is not there.
metric() { get /metrics | awk -v m="$1" '$1 == m { print $2 }'; }

# tally TASK UNIT FIELD [MORE]: FIELD of UNIT's own tally (not the
# roll-up) of TASK from /v1/tallies; MORE is added to the query
# (e.g. "&at=...").
tally() { get "/v1/tallies?task=$1&unit=$2${4:-}" | jq -r ".tallies[] | select(.unit==\"$2\" and .rollup==false) | .$3"; }

# rows [CLAUSE]: how many reports the store holds (SQLite, or PostgreSQL
# through pglib.sh's sqlite3), CLAUSE (e.g. "WHERE unit = 'xa-b'") applied.
rows() { sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports ${1:-}"; }

# has NAME JQ-CONDITION: some JSON line of $T/NAME.out (a tiendo-sub
# --json) matches.
has() { jq -e "select($2)" "$T/$1.out" 2>/dev/null | grep -q .; }

# finish: the plan and the sum; the suite's status (its last command).
finish() {
	FINISHED=1
	echo "1..$((N_OK + N_FAIL + N_SKIP))"
	echo "# $N_OK passed, $N_FAIL failed, $N_SKIP skipped"
	[ "$N_FAIL" -eq 0 ]
}

# TIENDO_TEST_STORE=pg: the same tests on a throwaway PostgreSQL cluster
# (pglib.sh), which start_daemon uses through $TIENDO_STORE.
if [ "${TIENDO_TEST_STORE:-sqlite}" = pg ]; then
	. tests/integration/pglib.sh
	pg_init || { echo "not ok - PostgreSQL test cluster"; exit 1; }
fi
