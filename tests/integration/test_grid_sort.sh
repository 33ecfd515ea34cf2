#!/bin/sh
# The overview's sort=worst scores each cell as the ranking does: a
# ceiling kept is as good as a target met, one broken is worse the more it
# is broken; never "0% of the ceiling used up, so the worst".  And the
# other sorts, by tree and by name, as the README gives them.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

{ plan_units
cat <<PLAN

[unit xa-c]
name = Xã An Hòa
kind = commune
parent = huyen

[task chay-rung]
title = Cháy rừng
measure = vụ
kind = ceiling
integer = yes
start = $(day '30 days ago')
deadline = $(day '300 days')
stale_after = 0

[targets chay-rung]
xa-a = 0
xa-b = 4
xa-c = 4
PLAN
} >"$T/plan.ini"

start_daemon || exit 1
"$B/tools/zsend" --client k --report "1|xa-b|chay-rung|add|8|now-60000" \
	--report "2|xa-c|chay-rung|add|5|now-60000" "$INGEST" >/dev/null
order() { get "/v1/grid?unit=huyen&sort=$1" | jq -r '[.rows[].unit] | join(" ")'; }

expect_eq "the fires are counted" \
	"$(get '/v1/tallies?task=chay-rung' | jq -r '[.tallies[] | select(.rollup | not) | "\(.unit)=\(.actual)"] | join(" ")')" \
	"xa-a=0 xa-b=8 xa-c=5"
expect_eq "worst first: twice the ceiling, then just over it, then no fire at all" \
	"$(order worst)" "xa-b xa-c xa-a"
expect_eq "by tree order, as the plan gives the units" "$(order tree)" "xa-a xa-b xa-c"
expect_eq "by name (Thị trấn Hợp Hòa, Xã An Hòa, Xã Hoàng Đan)" "$(order name)" "xa-b xa-c xa-a"
finish
