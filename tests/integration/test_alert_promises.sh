#!/bin/sh
# Promises of the README's "Alerts" section that no other suite checks,
# as an alert consumer and an on-call operator read them.  Pending 0 and a
# fast timer; make_plan's task "cay" expects 50 % now (warn 10, critical
# 25, margin 2).
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1

sub() { # NAME ARGS...: a tiendo-sub in the background, output in $T/NAME.out
	name=$1; shift
	"$B/tiendo-sub" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS="$PIDS $!"
}
send() { "$B/tools/zsend" --client t "$@" "$INGEST" >/dev/null; }
LAG_A='.unit=="xa-a" and .task=="cay" and .rule=="lag" and .rollup==false'

# --- --severity critical follows a critical alert out of critical ------
# Nothing reported: xa-a lags 50 points, critical.  A subscriber to the
# critical ones must see that alert ease (as the daemon's sev/critical/
# topic does), or it keeps a critical alert open for ever.
sub all --json
sub crit --json --severity critical
ok "a critical lag alert is active" \
	wait_for 10 has crit "$LAG_A and .severity==\"critical\""
send --report "1|xa-a|cay|set|300|now" # lag 20: eased to warning
ok "it eases to warning" wait_for 10 has all "$LAG_A and .transition==\"eased\""
ok "--severity critical sees the critical alert ease" \
	wait_for 10 has crit "$LAG_A and .transition==\"eased\" and .previous_severity==\"critical\""
expect_eq "and nothing that was never critical" \
	"$(jq -c 'select(.severity!="critical" and .previous_severity!="critical")' "$T/crit.out" | wc -l)" 0

# --- a reload that takes away a pair with an active alert ---------------
# README "Reload": not resolved (nothing says it caught up), out of the
# active list, kept as it was; back with the pair, the same alert, and
# nothing announced again.
LAG_B='.unit=="xa-b" and .task=="cay" and .rule=="lag" and .rollup==false'
active_b() { get '/v1/alerts?active=1&task=cay&unit=xa-b&rule=lag' | jq -r '[.alerts[] | select(.rollup==false) | .id] | join(",")'; }
evals() { get /metrics | awk '$1 == "tiendo_alert_evaluations_total" { print $2 }'; }
evaluated_since() { [ "$(evals)" -ge "$(($1 + 2))" ]; }
ok "xa-b lags, critical" wait_for 10 has all "$LAG_B and .severity==\"critical\""
id_b=$(active_b)
expect_match "it is in the active list" "$id_b" '^[0-9]+$'
cp "$PLAN" "$T/plan.full"
sed -i '/^xa-b = 500$/d' "$PLAN"
expect_match "reload without xa-b's target" "$("$B/tiendo-ctl" reload 2>&1)" "in force"
n=$(evals)
ok "two evaluations under the new plan" wait_for 10 evaluated_since "$n"
expect_eq "no event for the pair the plan lost" \
	"$(jq -c "select($LAG_B and .kind==\"live\")" "$T/all.out" | wc -l)" 0
expect_eq "out of the active list" "$(active_b)" ""
cp "$T/plan.full" "$PLAN"
expect_match "reload with it again" "$("$B/tiendo-ctl" reload 2>&1)" "in force"
n=$(evals)
ok "two evaluations under the plan that has it" wait_for 10 evaluated_since "$n"
expect_eq "back in the active list, the same alert" "$(active_b)" "$id_b"
expect_eq "and nothing announced again" \
	"$(jq -c "select($LAG_B and .kind==\"live\")" "$T/all.out" | wc -l)" 0

finish
