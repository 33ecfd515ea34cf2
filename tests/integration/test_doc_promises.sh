#!/bin/sh
# What the man pages promise, read as an outside tester reads them: every
# option of tiendod(8) and every setting of tiendo.conf(5) exists, a bad
# value is a bad value (64 on the command line, 78 in the file, with
# file:line), a reload names what it does not apply, the /metrics list is
# the list, the HTTP parameters are as written, and the clients' exit
# statuses mean what they say.
. "$(dirname "$0")/lib.sh"

D="$B/tiendod"
MAN=$(cd "$(dirname "$0")/../../man" && pwd)
make_plan "$T/plan.ini"

# unman FILE: the roff source with its escaped dashes plain.
unman() { sed 's/\\-/-/g' "$1"; }
# section FILE NAME: the lines of .SH NAME up to the next .SH.
section() { unman "$1" | awk -v s=".SH $2" '$0 == s { on = 1; next } /^\.SH / { on = 0 } on'; }

# check ARGS...: tiendod --check with the test plan, plain; its status in
# $rc, stderr and stdout in $out.
check() { out=$("$D" --plan "$T/plan.ini" --plain --check "$@" 2>&1); rc=$?; }
# conf LINE...: a tiendod.conf of these lines, checked.
conf() { printf '%s\n' "$@" >"$T/c.conf"; check -c "$T/c.conf"; }

# --- tiendod(8) OPTIONS: the usage and the page name the same options --------
"$D" --help >"$T/usage" 2>&1
expect_eq "tiendod --help: exit 0" "$?" 0
grep -o -- '--[a-z][a-z-]*' "$T/usage" | sort -u >"$T/opts.usage"
section "$MAN/tiendod.8" OPTIONS | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/opts.man"
expect_eq "every option of tiendod --help is in tiendod(8) OPTIONS" \
	"$(comm -23 "$T/opts.usage" "$T/opts.man" | tr '\n' ' ')" ""
expect_eq "and every option there is in --help" \
	"$(comm -13 "$T/opts.usage" "$T/opts.man" | tr '\n' ' ')" ""
section "$MAN/tiendod.8" SYNOPSIS | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/opts.syn"
# (-c stands for --config there)
expect_eq "and in the SYNOPSIS" "$(comm -23 "$T/opts.usage" "$T/opts.syn" |
	grep -vx -- --config | tr '\n' ' ')" ""

# tiendo.conf(5): "Each setting but synchronous, max_future and
# max_page_count can also be given on the command line" (curve: --plain).
missing=""
for k in $(section "$MAN/tiendo.conf.5" CONFIGURATION |
	sed -n 's/^\.BI \([a-z_]*\) " = .*/\1/p'); do
	case $k in synchronous|max_future|max_page_count|curve) continue ;; esac
	o=--$(echo "$k" | tr _ -)
	grep -qx -- "$o" "$T/opts.usage" || missing="$missing $o"
done
expect_eq "every setting of tiendo.conf(5) but three has its option" "$missing" ""
check --alert-retention 7x
expect_eq "--alert-retention 7x: 64" "$rc" 64
expect_match "named as typed" "$out" '^tiendod: --alert-retention 7x: '
check --rollup-critical-share 101
expect_eq "--rollup-critical-share 101: 64" "$rc" 64
check --alert-group-window 0 --http-header-timeout 250ms --http-idle-timeout 1s
expect_eq "the new options take their settings' values" "$rc" 0

# --- tiendo.conf(5): bad values, precisely ------------------------------------
conf '[tiendod]' 'alert_margin = nan'
expect_eq "alert_margin = nan is no number from 0 to 100: 78" "$rc" 78
expect_match "named with file:line" "$out" 'c\.conf:2: alert_margin = nan: '
conf '[tiendod]' 'rollup_critical_share = NaN'
expect_eq "rollup_critical_share = NaN: 78" "$rc" 78
check --alert-margin nan
expect_eq "--alert-margin nan: 64" "$rc" 64

# "A value never continues on the next line."
conf '[tiendod]' 'log_level = info' '    debug'
expect_eq "an indented line continues nothing: 78" "$rc" 78
expect_match "it is not a setting, on its own line" "$out" 'c\.conf:3: not a setting'
conf '[tiendod]' '   alert_margin = 5'
expect_eq "an indented setting is a setting" "$rc" 0

# "Errors are reported as file:line": a long line is one line.
long=$(printf 'd%.0s' $(seq 1 230))
conf '[tiendod]' "plan = $T/$long.ini" 'alert_margin = 300'
expect_eq "a line over 199 bytes: 78" "$rc" 78
expect_match "is an error of its own line" "$out" 'c\.conf:2: line longer than 199 bytes'
expect_match "and the next line keeps its number" "$out" 'c\.conf:3: alert_margin = 300'
mkdir -p "$T/confdir"
check -c "$T/confdir"
expect_eq "a settings file that cannot be read (a directory): 78" "$rc" 78
expect_match "and says so" "$out" 'confdir: cannot read'

# http = HOST:PORT: a bad one is a bad value (64/78, and --check finds it),
# not a socket that cannot be bound (69).
check --http bogus
expect_eq "--http bogus: 64" "$rc" 64
expect_match "named as typed" "$out" '^tiendod: --http bogus: '
conf '[tiendod]' 'http = 127.0.0.1:65536'
expect_eq "http = 127.0.0.1:65536: 78" "$rc" 78
expect_match "with file:line" "$out" 'c\.conf:2: http = 127.0.0.1:65536: '
conf '[tiendod]' 'http = [::1]:0'
expect_eq "http = [::1]:0 is HOST:PORT" "$rc" 0

# --- tiendo-push(1): a bad endpoint or key queues nothing ----------------------
use_keys || exit 1
PUSH="$B/tiendo-push"
for bad in "--connect bogus" "--connect tcp://127.0.0.1:1,bogus" \
	"--key $T/nope.secret --server-key $T/nope.pub"; do
	# shellcheck disable=SC2086
	"$PUSH" --client xa-a --outbox "$T/ob.db" --timeout 1 --retries 0 \
		--unit xa-a --task cay --add 1 $bad >/dev/null 2>"$T/push.err"
	expect_eq "tiendo-push $bad: 64" "$?" 64
	expect_match "(nothing queued)" "$("$PUSH" --outbox "$T/ob.db" --status 2>&1)" \
		'^0 pending|outbox is empty|^no report'
done

# --- tiendo-sub(1): 66, the --state file exists but cannot be read -------------
mkdir -p "$T/statedir"
"$B/tiendo-sub" --state "$T/statedir" --pub tcp://127.0.0.1:1 \
	--snapshot tcp://127.0.0.1:2 >/dev/null 2>"$T/sub.err" &
spid=$!
PIDS="$PIDS $spid"
# (one that runs on is stopped here: the check fails, the suite goes on)
if wait_for 10 sh -c "! kill -0 $spid"; then wait "$spid"; st=$?
else kill "$spid"; wait "$spid"; st="still running after 10 s"; fi
expect_eq "tiendo-sub --state DIR: 66" "$st" 66
# A ZeroMQ endpoint is checked as a value (tiendo.conf(5)), not found
# wrong when it cannot be bound.
for ep in bogus tcp://127.0.0.1 tcp://127.0.0.1:70000 ipc://; do
	"$B/tiendod" --plan "$T/plan.ini" --state-dir "$T/epcheck" --plain \
		--ingest "$ep" --check >/dev/null 2>&1
	expect_eq "tiendod --check --ingest $ep: a bad value, 64" "$?" 64
done
"$B/tiendod" --plan "$T/plan.ini" --state-dir "$T/epcheck" --plain \
	--ingest 'tcp://*:*' --pub "ipc://$T/pub.ipc" --check >/dev/null 2>&1
expect_eq "tcp://*:* and ipc://PATH are endpoints" "$?" 0
# An empty item of --severity would select nothing at all, silently.
for v in "warning," "" ",info" "warn"; do
	"$B/tiendo-sub" --severity "$v" --pub tcp://127.0.0.1:1 \
		--snapshot tcp://127.0.0.1:2 >/dev/null 2>&1 </dev/null
	expect_eq "tiendo-sub --severity '$v': 64" "$?" 64
done

# --- a daemon: reload, /metrics, the HTTP parameters --------------------------
printf '[tiendod]\nplan = %s\n' "$T/plan.ini" >"$T/live.conf"
start_daemon --config "$T/live.conf" --alert-pending 0 --alert-interval 200ms || exit 1

# SIGNALS: the settings a reload does not apply are named, store included.
{
	echo "language = en"
	echo "rollup_critical_share = 20"
	[ -n "${TIENDO_STORE:-}" ] || echo "store = sqlite:$T/other.db"
} >>"$T/live.conf"
out=$(curl -s -X POST "$HTTP/v1/reload")
need=$(printf '%s' "$out" | jq -r '.restart_needed // [] | sort | join(" ")')
want="language rollup_critical_share"
[ -n "${TIENDO_STORE:-}" ] || want="language rollup_critical_share store"
expect_eq "a reload names language, rollup_critical_share and store" "$need" "$want"
ok "and says so in the log" grep -q 'reload: rollup_critical_share changed' "$T/tiendod.log"

# /metrics: the families listed in tiendod(8) are the families served.
unman "$MAN/tiendod.8" | awk '/^\.B GET \/metrics/ { on = 1 } on && /^\.fi/ { exit } on' |
	grep -o 'tiendo_[a-z_]*' | sort -u >"$T/metrics.man"
get /metrics | sed -n 's/^# TYPE \(tiendo_[a-z_]*\) .*/\1/p' | sort -u >"$T/metrics.got"
if [ "$TIENDO_TEST_CURVE" != 1 ]; then # the two CurveZMQ-only families
	grep -v 'tiendo_ingest_unauthenticated\|tiendo_ingest_preauth_cut_total' \
		"$T/metrics.man" >"$T/m" && mv "$T/m" "$T/metrics.man"
fi
expect_eq "every family of /metrics is listed in tiendod(8)" \
	"$(comm -23 "$T/metrics.got" "$T/metrics.man" | tr '\n' ' ')" ""
expect_eq "and every one listed is served" \
	"$(comm -13 "$T/metrics.got" "$T/metrics.man" | tr '\n' ' ')" ""

# GET /v1/reports: oldest first, limit= 1 to 10000, order=newest.
"$PUSH" -q --client xa-a --unit xa-a --task cay --add 1 >/dev/null
"$PUSH" -q --client xa-a --unit xa-a --task cay --add 2 >/dev/null
expect_eq "/v1/reports: oldest first" \
	"$(get '/v1/reports?unit=xa-a' | jq -r '[.reports[].value] | join(" ")')" "1 2"
expect_eq "order=newest: the latest first" \
	"$(get '/v1/reports?unit=xa-a&order=newest' | jq -r '[.reports[].value] | join(" ")')" "2 1"
expect_eq "limit=10000 is allowed" "$(get_status '/v1/reports?limit=10000')" 200
expect_eq "limit=10001 is 400" "$(get_status '/v1/reports?limit=10001')" 400

# GET /v1/alerts/history: owner= filters (and tiendo-ctl --history --owner).
wait_for 20 sh -c "curl -sf '$HTTP/v1/alerts/history' | jq -e '.alerts | length > 0'" ||
	flunk "an alert fires"
expect_eq "history owner=phong-nn: its tasks' events" \
	"$(get '/v1/alerts/history?owner=phong-nn' | jq '.alerts | length > 0')" true
expect_eq "owner=xa-a (owns nothing): none" \
	"$(get '/v1/alerts/history?owner=xa-a' | jq '.alerts | length')" 0
"$B/tiendo-ctl" alerts --history --owner phong-nn >/dev/null 2>&1
expect_eq "tiendo-ctl alerts --history --owner: 0" "$?" 0
"$B/tiendo-ctl" alerts --history --rule lag >/dev/null 2>&1
expect_eq "tiendo-ctl alerts --history --rule: 64" "$?" 64

# HTTP: "POST on /v1/reload, /v1/silences, /login and /logout".
for p in /v1/silences /login /logout; do
	allow=$(curl -s -D - -o /dev/null -X PUT "$HTTP$p" | tr -d '\r' |
		sed -n 's/^[Aa]llow: //p')
	expect_match "PUT $p: 405 allows POST" "$allow" 'POST'
done

stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
