#!/bin/sh
# tiendo-push and tiendo-ctl against the real daemon: the outbox, fates and
# exit codes, CSV, the status table, restarts, plan checks.
. "$(dirname "$0")/lib.sh"

PUSH="$B/tiendo-push"
CTL="$B/tiendo-ctl"
make_plan "$T/plan.ini"

# --- the outbox holds what the daemon has not acknowledged ------------------
TIENDO_CONNECT=tcp://127.0.0.1:1 "$PUSH" -q --timeout 1 --retries 0 \
	--unit xa-a --task cay --add 40 --note "trước khi máy chủ chạy" >/dev/null 2>&1
expect_eq "daemon down: exit 75 (pending)" "$?" 75
out=$("$PUSH" --client xa-a --status 2>&1)
expect_match "the report waits in the outbox" "$out" "pending"

start_daemon || exit 1
out=$("$PUSH" --client xa-a 2>&1)
expect_eq "a later run delivers it: exit 0" "$?" 0
expect_match "and prints its fate" "$out" "xa-a cay \+40.*: accepted"
out=$("$PUSH" --client xa-a --status 2>&1)
expect_match "the outbox is empty afterwards" "$out" '^0 pending, '

# --- several clients creating one new outbox at once: none fails ---------------
# (turning a new file to WAL once raced: "database is locked")
race_fails=0
for n in $(seq 1 20); do
	ob="$T/race-$n.db"
	for k in 1 2 3; do
		"$PUSH" --client race --outbox "$ob" --no-send -q --unit xa-a --task cay \
			--add "$k" >/dev/null 2>"$T/race-$n-$k.err" &
		eval "rp$k=\$!"
	done
	for k in 1 2 3; do eval "wait \$rp$k" || race_fails=$((race_fails + 1)); done
done
expect_eq "20 x 3 clients creating one outbox at once: no failure" "$race_fails" 0
expect_eq "and every report queued" "$(sqlite3 "$T/race-20.db" "SELECT count(*) FROM report")" 3

# --- one report, a set, an --at in the past -----------------------------------
"$PUSH" -q --unit xa-a --task cay --add 60 --reporter "Nguyễn Văn A" >/dev/null
expect_eq "push --add: exit 0" "$?" 0
"$PUSH" -q --client xa-b --unit xa-b --task cay --set 250 --at "$(date -d '2 hours ago' '+%Y-%m-%d %H:%M')" >/dev/null
expect_eq "push --set --at: exit 0" "$?" 0
tallies=$(get "/v1/tallies?task=cay")
expect_eq "tallies from the pushes" \
	"$(jget "$tallies" '[.tallies[] | "\(.unit)=\(.actual)"] | join(" ")')" \
	"huyen=350 xa-a=100 xa-b=250"

# --- rejected: exit 65, kept in the outbox with its reason ---------------------
out=$("$PUSH" --unit xa-a --task lua --add 1 2>&1)
expect_eq "unknown task: exit 65" "$?" 65
expect_match "the daemon's reason is printed" "$out" "rejected \(unknown_task\).*task \"lua\" is not in the plan"
expect_match "kept with its reason" "$("$PUSH" --client xa-a --status 2>&1)" "rejected.*lua"
out=$("$PUSH" --unit xa-a --task cay --add 1.2345 2>&1)
expect_eq "bad value refused locally: exit 65" "$?" 65
expect_match "with a precise message" "$out" "3 decimals"

# --- CSV: a file with a bad row is refused whole; a good one goes in ---------
cat >"$T/bad.csv" <<'CSV'
unit,task,kind,value,observed_at,note
xa-a,cay,add,10,,ok
xa-a,cay,add,ten,,not a number
CSV
out=$("$PUSH" --client xa-a --csv "$T/bad.csv" 2>&1)
expect_eq "CSV with a bad row: exit 65" "$?" 65
expect_match "names file and line" "$out" "bad.csv:3: .*value"
cat >"$T/good.csv" <<'CSV'
unit,task,kind,value,observed_at,reporter,note
xa-a,cay,add,10,,Lan,"ghi chú, có dấu phẩy"
xa-a,cay,add,0.5,,Lan,"hai
dòng"
xa-a,dat,set,3.25,,Lan,
CSV
out=$("$PUSH" -q --client xa-a --csv "$T/good.csv" 2>&1)
expect_eq "good CSV: exit 0" "$?" 0
expect_match "3 accepted" "$out" "3 accepted"
expect_eq "CSV counted" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[0].actual')" "110.5"

# --- resend: counted once ------------------------------------------------------
ob="$T/xdg/tiendo/outbox-xa-b.db"
# Looked at read-only: sqlite3 FILE would create the file it looks for.
ok "outbox file exists" test -s "$ob"
expect_match "and is the client's outbox" "$(sqlite3 -readonly "$ob" .tables 2>&1)" "meta +report"
n=$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports")
out=$("$B/tools/zsend" --client xa-b --report "$(sqlite3 "$STATE/tiendo.db" \
	"SELECT seq FROM reports WHERE client='xa-b'")|xa-b|cay|set|250|now" "$INGEST")
expect_match "a report resent by hand is a duplicate" "$out" "DUPLICATE"
expect_eq "and not stored twice" "$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM reports")" "$n"

# --- tiendo-ctl status --------------------------------------------------------
out=$("$CTL" status --task cay)
expect_eq "ctl status: exit 0" "$?" 0
expect_match "table has the district roll-up" "$out" "Huyện Thử +360.5 +1500"
expect_match "and the communes, Vietnamese names" "$out" "Thị trấn Hợp Hòa +250 +500"
expect_match "and statuses" "$out" "(on_track|lagging|critical)"
# Up to the end of the Target column, in characters, every row is as wide.
# (The name has no digit: the first two numbers are Actual and Target.)
upto_target() { printf '%s\n' "$out" | grep "$1" | sed -E 's/^([^0-9]* +[0-9.]+ +[0-9.]+) .*/\1/' | tr -d '\n' | wc -m; }
w1=$(upto_target "Xã Hoàng Đan")
w2=$(upto_target "Thị trấn Hợp Hòa")
expect_eq "columns aligned by characters, not bytes" "$w1" "$w2"
out=$("$CTL" status --unit xa-b --json)
expect_eq "ctl --json is the API's JSON" "$(jget "$out" '[.tallies[].unit] | unique | join(",")')" "xa-b"
"$CTL" status --task nope >/dev/null 2>&1
expect_eq "ctl status, unknown task: exit 65" "$?" 65
"$CTL" --http http://127.0.0.1:1 status >/dev/null 2>&1
expect_eq "ctl status, daemon down: exit 69" "$?" 69

# --- restart: same tallies -----------------------------------------------------
before=$("$CTL" status --json | jq -c '[.tallies[] | [.task, .unit, .actual, .reports]]')
stop_daemon
expect_eq "daemon stops with 0" "$DSTATUS" 0
start_daemon || exit 1
expect_eq "status identical after restart" \
	"$("$CTL" status --json | jq -c '[.tallies[] | [.task, .unit, .actual, .reports]]')" "$before"

# --- plan checks ---------------------------------------------------------------
out=$("$CTL" check "$(dirname "$0")/../../examples/tam-duong-2021.ini")
expect_match "the example plan is valid" "$out" "ok, 22 units, 26 tasks"
cp "$T/plan.ini" "$T/broken.ini"
sed -i 's/^deadline = .*/deadline = 2000-01-01/; s/^xa-b = 500/xa-q = 500/' "$T/broken.ini"
out=$("$CTL" check "$T/broken.ini" 2>&1)
expect_eq "a broken plan: exit 65" "$?" 65
expect_match "deadline before start, with its line" "$out" "broken.ini:[0-9]+: .*deadline"
expect_match "unknown unit in a target, with its line" "$out" "broken.ini:[0-9]+: .*xa-q"
"$B/tiendod" --plan "$T/broken.ini" --state-dir "$T/s2" --check >/dev/null 2>&1
expect_eq "tiendod refuses to start on it" "$?" 78

finish
