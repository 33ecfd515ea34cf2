#!/bin/sh
# Reload: SIGHUP or `tiendo-ctl reload` swaps in a valid new plan (targets,
# tasks, thresholds change; stored reports are kept and recounted); an
# invalid plan is refused with every error as file:line: message and the
# old plan stays; endpoint changes are named, not applied.
. "$(dirname "$0")/lib.sh"

CTL="$B/tiendo-ctl"
Z="$B/tools/zsend"
LOG="$T/tiendod.log"
make_plan "$T/plan.ini"
cp "$T/plan.ini" "$T/plan.orig"
use_keys || exit 1
if [ "$TIENDO_TEST_CURVE" = 1 ]; then security="keys_dir = $KEYS"; else security="curve = off"; fi
cat >"$T/tiendod.conf" <<EOF2
[tiendod]
plan = $T/plan.ini
state_dir = $T/state
ingest = tcp://127.0.0.1:0
http = 127.0.0.1:0
pub = tcp://127.0.0.1:0
snapshot = tcp://127.0.0.1:0
$security
log_level = info
EOF2
STATE="$T/state"
"$B/tiendod" -c "$T/tiendod.conf" 2>>"$LOG" &
DPID=$!
PIDS="$PIDS $DPID"
wait_for 20 test -f "$STATE/endpoints" || { echo "not ok - no start"; cat "$LOG"; exit 1; }
INGEST=$(sed -n 's/^ingest=//p' "$STATE/endpoints")
HTTP=$(sed -n 's/^http=//p' "$STATE/endpoints")
export TIENDO_HTTP="$HTTP"


$Z --report "1|xa-a|cay|add|300|now-60000" --report "2|xa-b|cay|add|100|now-60000" \
	--report "3|xa-a|dat|set|5|now-60000" "$INGEST" >/dev/null
expect_eq "before: target of xa-a" "$(tally cay xa-a target)" 1000
expect_eq "before: percent of xa-a" "$(tally cay xa-a percent)" 30

# --- a valid new plan: target changed, task dat dropped, task nuoc added,
# thresholds changed ------------------------------------------------------
sed -e 's/^xa-a = 1000$/xa-a = 600/' -e 's/^warn = 10$/warn = 1/' \
	-e '/^\[targets dat\]/,$d' -e '/^\[task dat\]/,/^$/d' "$T/plan.orig" >"$T/plan.ini"
cat >>"$T/plan.ini" <<EOF2
[task nuoc]
title = Nước sạch
measure = hộ
start = $(day '5 days ago')
deadline = $(day '30 days')

[targets nuoc]
xa-b = 40
EOF2
out=$("$CTL" reload 2>&1); rc=$?
expect_eq "tiendo-ctl reload exits 0" "$rc" 0
expect_match "it names the plan now in force" "$out" "reloaded: .*plan.ini in force, 4 units, 2 tasks, 3 targets"
expect_eq "new target in force" "$(tally cay xa-a target)" 600
expect_eq "stored reports recounted under it" "$(tally cay xa-a percent)" 50
expect_eq "new threshold in force" "$(get /v1/tasks | jq -r '.tasks[] | select(.code=="cay") | .warn')" 1
expect_eq "tasks now" "$(get /v1/tasks | jq -r '[.tasks[].code] | join(",")')" "cay,nuoc"
expect_eq "reports of the dropped task stay stored" "$(rows)" 3
out=$($Z --report "4|xa-b|nuoc|add|7|now" --report "5|xa-a|dat|add|1|now" "$INGEST")
expect_match "the new task takes reports" "$out" "report 4 ACCEPTED"
expect_match "the dropped task does not" "$out" "report 5 REJECTED UNKNOWN_TASK"
expect_eq "reloads counted" "$(metric 'tiendo_plan_reloads_total{result="ok"}')" 1

# --- an invalid plan: every error logged, the old plan stays ---------------
cp "$T/plan.ini" "$T/plan.good"
sed -e 's/^xa-b = 40$/xa-zz = 40/' -e 's/^deadline = \(.*\)/deadline = 2020-01-01/' \
	"$T/plan.good" >"$T/plan.ini"
n0=$(wc -l <"$LOG")
out=$("$CTL" reload 2>&1); rc=$?
expect_eq "refused reload exits 65" "$rc" 65
expect_match "ctl prints an unknown-unit error as file:line" "$out" "plan.ini:[0-9]+: .*xa-zz"
expect_match "ctl prints a deadline error as file:line" "$out" "plan.ini:[0-9]+: .*deadline"
log=$(tail -n +$((n0 + 1)) "$LOG")
expect_match "log: the unknown unit, with <3> and file:line" "$log" "^<3>$T/plan.ini:[0-9]+: .*xa-zz"
expect_match "log: the deadline error too" "$log" "^<3>$T/plan.ini:[0-9]+: .*deadline"
expect_match "log: refused, old plan stays" "$log" "reload refused: plan .* has [0-9]+ errors; the plan in force stays"
expect_eq "old plan still in force" "$(tally cay xa-a target)" 600
expect_eq "old tasks still in force" "$(get /v1/tasks | jq -r '[.tasks[].code] | join(",")')" "cay,nuoc"
expect_eq "refusals counted" "$(metric 'tiendo_plan_reloads_total{result="refused"}')" 1
expect_eq "last reload marked failed" "$(metric tiendo_plan_last_reload_successful)" 0
out=$($Z --report "6|xa-b|nuoc|add|1|now" "$INGEST")
expect_match "ingest goes on under the old plan" "$out" "report 6 ACCEPTED"

# --- a configuration with errors: refused whole, each error file:line ------
cp "$T/tiendod.conf" "$T/tiendod.conf.good"
bad_line=$(($(wc -l <"$T/tiendod.conf") + 1))
printf 'log_level = loud\nbogus = 1\n' >>"$T/tiendod.conf"
n0=$(wc -l <"$LOG")
out=$("$CTL" reload 2>&1); rc=$?
expect_eq "bad configuration: reload exits 65" "$rc" 65
log=$(tail -n +$((n0 + 1)) "$LOG")
expect_match "log: the bad level, file:line" "$log" "^<3>$T/tiendod.conf:$bad_line: log_level = loud: "
expect_match "log: the unknown setting, file:line" "$log" "^<3>$T/tiendod.conf:$((bad_line + 1)): bogus = 1: unknown setting"
expect_match "log: refused" "$log" "reload refused: the configuration has errors"
expect_eq "plan unchanged" "$(tally cay xa-a target)" 600
cp "$T/tiendod.conf.good" "$T/tiendod.conf"

# --- SIGHUP, and a setting that needs a restart ---------------------------
cp "$T/plan.orig" "$T/plan.ini"
sed -i -e 's|^ingest = .*|ingest = tcp://127.0.0.1:9|' -e 's/^log_level = info/log_level = debug/' "$T/tiendod.conf"
echo "alert_pending = 1m" >>"$T/tiendod.conf"
n0=$(wc -l <"$LOG")
kill -HUP "$DPID"
ok "SIGHUP reloads" wait_for 10 sh -c "tail -n +$((n0 + 1)) '$LOG' | grep -q 'reload: plan .* in force'"
log=$(tail -n +$((n0 + 1)) "$LOG")
expect_match "endpoint change named, not applied" "$log" "ingest changed from tcp://127.0.0.1:0 to tcp://127.0.0.1:9: only a restart applies it"
expect_match "an alert setting change named too" "$log" "alert_pending changed: only a restart applies it"
out=$($Z --report "7|xa-a|dat|add|1|now" "$INGEST")
expect_match "still listening where it was; dat is back" "$out" "report 7 ACCEPTED"
expect_eq "the original target again" "$(tally cay xa-a target)" 1000
expect_eq "and the original tally" "$(tally dat xa-a actual)" 6
stop_daemon
expect_eq "exit 0" "$DSTATUS" 0
finish
