#!/bin/sh
# Reading a big picture: the active alerts filtered and paged by the
# daemon (GET /v1/alerts, tiendo-ctl alerts); roll-up rows with their
# units counted by status, and not "fine" over a share of critical ones.  A province over two
# districts over five communes, two tasks of two owners; nothing reported,
# pending 0: every pair and roll-up lags, and is silent, at once.
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"

PLAN=$T/plan.ini
make_province_plan "$PLAN"
start_daemon --alert-pending 0 --alert-interval 200ms || exit 1

evaluated() { get /metrics | grep -Eq '^tiendo_alert_evaluations_total [1-9]'; }
ok "a full evaluation ran" wait_for 20 evaluated
units() { get "/v1/alerts?active=1$1" | jq -r '[.alerts[].unit] | unique | join(",")'; }

# 5 communes + h1, h2, tinh roll-ups = 8 subjects per task, each lagging
# and silent (no report for longer than the default stale_after).
all=$(get '/v1/alerts?active=1')
expect_eq "every alert is active" "$(jget "$all" '.total')" 32
expect_eq "all on one page" "$(jget "$all" '.alerts | length') $(jget "$all" .next_since)" "32 null"
expect_eq "task filter" "$(get '/v1/alerts?active=1&task=thu' | jq -r '[.alerts[].task] | unique | join(",")')" thu
expect_eq "unit filter takes the subtree" "$(units '&unit=h1')" "a,b,h1"
expect_eq "unit filter on a leaf" "$(units '&unit=c&task=cay')" "c"
expect_eq "owner filter" "$(get '/v1/alerts?active=1&owner=nn' | jq -r '"\([.alerts[].task] | unique | join(",")) \(.total)"')" "cay 16"
expect_eq "rule filter" "$(get '/v1/alerts?active=1&rule=silent' | jq -r '"\([.alerts[].rule] | unique | join(",")) \(.total)"')" "silent 16"
expect_eq "no overdue" "$(get '/v1/alerts?active=1&rule=overdue' | jq -r .total)" 0
expect_eq "severity filter" "$(get '/v1/alerts?active=1&severity=critical' | jq -r '[.alerts[].severity] | unique | join(",")')" critical

# Pages of 5 by seq: the same 32 alerts in the same order, each once.
since=0 pages=0 seen=""
while :; do
	p=$(get "/v1/alerts?active=1&limit=5&since=$since") || break
	seen="$seen $(jget "$p" '[.alerts[].seq] | map(tostring) | join(" ")')"
	pages=$((pages + 1))
	n=$(jget "$p" .next_since)
	[ "$n" != null ] && [ "$pages" -lt 10 ] || break
	since=$n
done
expect_eq "pages of 5 walk the list" "$(echo $seen)" "$(jget "$all" '[.alerts[].seq] | map(tostring) | join(" ")')"
expect_eq "in 7 pages" "$pages" 7

expect_eq "unknown unit is refused" "$(get_status '/v1/alerts?active=1&unit=nope')" 400
expect_match "and says which" "$(curl -s "$HTTP/v1/alerts?active=1&unit=nope")" 'unit: no unit \\"nope\\" in the plan'
expect_eq "rule done is not an alert" "$(get_status '/v1/alerts?active=1&rule=done')" 400
expect_eq "limit 0 is refused" "$(get_status '/v1/alerts?active=1&limit=0')" 400

out=$("$B/tiendo-ctl" alerts --unit h2 --task cay)
expect_eq "tiendo-ctl alerts --unit --task: the subtree's rows" \
	"$("$B/tiendo-ctl" alerts --json --unit h2 --task cay | jq -r '.alerts[].unit' | sort -u | tr '\n' ' ')" "c d e h2 "
expect_match "tiendo-ctl says how many match" "$out" "^8 active alerts match$"
out=$("$B/tiendo-ctl" alerts --limit 3)
expect_match "tiendo-ctl pages" "$out" "more: --since [0-9]+"
"$B/tiendo-ctl" alerts --history --rule lag >/dev/null 2>&1
expect_eq "--rule with --history is a usage error" "$?" 64

# --- roll-ups: four communes done, e far behind -----------------------
for r in "1|a|cay|set|100|now" "2|b|cay|set|100|now" "3|c|cay|set|100|now" \
         "4|d|cay|set|100|now" "5|e|cay|set|5|now"; do
	"$B/tools/zsend" --client t --report "$r" "$INGEST" >/dev/null ||
		flunk "report $r not sent"
done
row() { get "/v1/tallies?task=cay&unit=$1" | jq -c ".tallies[] | select(.unit == \"$1\" and .rollup)"; }
t=$(row tinh)
expect_eq "province roll-up counts its communes by status" \
	"$(jget "$t" '.by_status | "\(.done) \(.critical) \(.on_track) \(.lagging) \(.silent) \(.overdue) \(.not_started)"')" "4 1 0 0 0 0 0"
expect_eq "81 % against 53 % expected would be on track" "$(jget "$t" '.percent > .expected')" true
expect_eq "but 1 in 5 critical (>= 10 %): lagging" "$(jget "$t" .status)" lagging
expect_eq "h1, all done, is done" "$(jget "$(row h1)" '"\(.status) \(.by_status.done)"')" "done 2"
finish
