#!/bin/sh
# Small truths: exit statuses follow sysexits and the man pages, the same
# at every step; messages name what the user typed; a refused reload lists
# its errors; tiendod --check checks what a start would, keys included.
. "$(dirname "$0")/lib.sh"

make_plan "$T/plan.ini"

# --- tiendo-push: a key that goes bad between connects -----------------------
cp -r "$CKEYS" "$T/ck2" 2>/dev/null || { make_keys && cp -r "$CKEYS" "$T/ck2"; }
TIENDO_KEY="$T/ck2" TIENDO_SERVER_KEY="$T/ck2/server.pub" \
	"$B/tiendo-push" --connect tcp://127.0.0.1:1 --client xa-a --timeout 1 --retries 4 \
	--unit xa-a --task cay --add 1 >/dev/null 2>"$T/push.err" &
ppid=$!
PIDS="$PIDS $ppid"
wait_for 20 grep -q reconnecting "$T/push.err" || flunk "tiendo-push reconnects" "$(cat "$T/push.err")"
mv "$T/ck2" "$T/ck2.gone"
wait "$ppid"
expect_eq "tiendo-push: a key gone at a reconnect is 64, as at the first connect" "$?" 64
TIENDO_KEY="$T/ck2" "$B/tiendo-push" --connect tcp://127.0.0.1:1 --client xa-a --timeout 1 \
	--retries 0 >/dev/null 2>&1
expect_eq "tiendo-push: the same key missing at the first connect: 64" "$?" 64

# --- tiendo-ctl check ---------------------------------------------------------
"$B/tiendo-ctl" check "$T/no-such-plan.ini" 2>"$T/err"
expect_eq "tiendo-ctl check of a missing file: 66 (EX_NOINPUT)" "$?" 66
expect_match "and says so" "$(cat "$T/err")" "no-such-plan.ini: cannot open: No such file"
printf '[plan]\nname = x\n[unit a]\nkind = commune\n' >"$T/bad.ini"
"$B/tiendo-ctl" check "$T/bad.ini" >/dev/null 2>&1
expect_eq "a plan with errors: 65" "$?" 65

# --- tiendod: options named as typed; --check checks the keys -------------------
out=$("$B/tiendod" --plan "$T/plan.ini" --plain --alert-interval xyz --check 2>&1)
expect_eq "tiendod: a bad option value: 64" "$?" 64
expect_match "the message names the option as typed" "$out" '^tiendod: --alert-interval xyz: '
mkdir -p "$T/nokeys"
out=$("$B/tiendod" --plan "$T/plan.ini" --keys-dir "$T/nokeys" --check 2>&1)
expect_eq "tiendod --check without server.secret: 78, as a start" "$?" 78
expect_match "and names the file" "$out" 'nokeys/server.secret'
out=$("$B/tiendod" --plan "$T/plan.ini" --keys-dir "$T/nokeys" --state-dir "$T/s0" \
	--ingest tcp://127.0.0.1:0 --http 127.0.0.1:0 2>&1)
expect_eq "(a start: 78 too)" "$?" 78
out=$("$B/tiendod" --plan "$T/plan.ini" --keys-dir "$KEYS" --check 2>&1)
expect_eq "--check with the keys: 0" "$?" 0

# (The unit's ExecReload= is run against a daemon in test_execreload.)
printf '[tiendod]\nplan = %s\ncurve = off\n' "$T/plan.ini" >"$T/good.conf"

# --- a refused reload lists its errors ------------------------------------------
cp "$T/good.conf" "$T/live.conf"
[ "$TIENDO_TEST_CURVE" = 1 ] && sed -i '/^curve/d' "$T/live.conf"
start_daemon --config "$T/live.conf" --alert-pending 0s --alert-interval 200ms || exit 1

# --- one rule for times shown to a person: $TZ, always with its offset ------
wait_for 20 sh -c "curl -sf '$HTTP/v1/alerts?active=1' | jq -e '.alerts | length > 0'" ||
	flunk "an alert fires"
at=$(get "/v1/alerts?active=1" | jq -r '.alerts[0].at')
seq=$(get "/v1/alerts?active=1" | jq -r '.alerts[0].seq')
want=$(TZ=Asia/Ho_Chi_Minh date -d "$at" '+%Y-%m-%d %H:%M:%S +07:00')
line=$(TZ=Asia/Ho_Chi_Minh "$B/tiendo-ctl" alerts | awk -v s="$seq" '$1 == s')
re=$(printf '%s' "$want" | sed 's/+/\\+/')
expect_match "tiendo-ctl alerts: local time with its offset" "$line" "^ *$seq  $re "
TZ=Asia/Ho_Chi_Minh "$B/tiendo-sub" >"$T/sub.out" 2>/dev/null &
PIDS="$PIDS $!"
ok "tiendo-sub prints the alert" wait_for 10 test -s "$T/sub.out"
expect_match "tiendo-sub: the same instant, the same way" "$(grep -m1 -F "$want " "$T/sub.out")" "^$re "
line=$(TZ=UTC "$B/tiendo-ctl" alerts | awk -v s="$seq" '$1 == s')
expect_match "TZ=UTC: +00:00" "$line" "^ *$seq  $(date -u -d "$at" '+%Y-%m-%d %H:%M:%S') \\+00:00 "
printf 'log_level = loud\nalert_margin = soon\n' >>"$T/live.conf"
out=$(curl -s -X POST "$HTTP/v1/reload")
expect_match "POST /v1/reload lists each bad setting" "$(printf '%s' "$out" | jq -r '.errors[]')" \
	'live.conf:[0-9]+: log_level = loud'
expect_match "(both of them)" "$(printf '%s' "$out" | jq -r '.errors[]')" \
	'live.conf:[0-9]+: alert_margin = soon'
out=$("$B/tiendo-ctl" reload 2>&1)
expect_eq "tiendo-ctl reload refused: 65" "$?" 65
expect_match "and prints them" "$out" 'log_level = loud'
kill -HUP "$DPID"
ok "SIGHUP: the refusal line names the first error" wait_for 10 \
	grep -q 'reload refused: the configuration has errors: .*log_level = loud.*(and 1 more)' "$T/tiendod.log"
expect_match "no \"logged above\" anywhere" "$(grep -c 'logged above' "$T/tiendod.log")" '^0$'
finish
