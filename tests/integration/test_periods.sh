#!/bin/sh
# Reporting periods through the real daemon: a monthly report with a due
# day; a month without a report makes the unit missing_report and the alert names
# the month ("chưa nộp báo cáo tháng 11/2026"); period= gives the value of
# a month (phát sinh trong kỳ) and the cumulative one (lũy kế).
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

export TZ=Asia/Ho_Chi_Minh
m0=$(date +%Y-%m-01)                       # this month
m1=$(date -d "$m0 -3 months" +%Y-%m-01)    # reported
m2=$(date -d "$m0 -2 months" +%Y-%m-01)    # not reported
m3=$(date -d "$m0 -1 month" +%Y-%m-01)
label() { date -d "$1" +"tháng %-m/%Y"; }
name() { date -d "$1" +%Y-%m; }

{ plan_units; cat <<PLAN

[task thu]
title = Thu ngân sách
measure = triệu đồng
start = $(date -d "$m0 -4 months" +%Y-%m-%d)
deadline = $(date -d "$m0 +3 months" +%Y-%m-%d)
report_every = month
report_due = 5

[targets thu]
xa-a = 1000
xa-b = 1000
PLAN
} >"$T/plan.ini"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
Z="$B/tools/zsend"
ms() { echo $(( $(date -d "$1" +%s) * 1000 )); }
row() { get "/v1/tallies?task=thu$2" | jq -r ".tallies[] | select(.unit==\"xa-a\") | $1"; }

# xa-a reports in m1 (twice) and in this month's run-up; nothing in m2.
$Z --client k --report "1|xa-a|thu|add|40|$(ms "$m1 +2 days")" \
	--report "2|xa-a|thu|add|60.5|$(ms "$m1 +20 days")" \
	--report "3|xa-a|thu|add|100|$(ms "$m0 -4 months +3 days")" "$INGEST" >/dev/null
# xa-b reports every month, so only xa-a is missing.
$Z --client k --report "4|xa-b|thu|add|1|$(ms "$m1 +1 day")" \
	--report "5|xa-b|thu|add|1|$(ms "$m2 +1 day")" \
	--report "6|xa-b|thu|add|1|$(ms "$m3 +1 day")" \
	--report "7|xa-b|thu|add|1|$(ms "$m0")" "$INGEST" >/dev/null

# As of the 10th of m3: m2's report was due by the end of the 5th.
at=$(date -d "$m3 +9 days" +%Y-%m-%dT%H:%M:%S%:z | sed 's/+/%2B/')
expect_eq "a month without its report is missing_report after its due day" \
	"$(row .status "&at=$at")" missing_report
expect_eq "and the tally names the missing month" \
	"$(row .missing_report.period "&at=$at")" "$(name "$m2")"
at=$(date -d "$m3 +3 days" +%Y-%m-%dT%H:%M:%S%:z | sed 's/+/%2B/')
expect_eq "before the due day it is not missing yet" "$(row '.missing_report == null and .status != "missing_report"' "&at=$at")" true

# Now: the latest month whose report is due.
if [ "$(date +%-d)" -gt 5 ]; then due=$m3; else due=$m2; fi
ok "the alert names the month" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | grep -q 'Xã Hoàng Đan chưa nộp báo cáo $(label "$due") “Thu ngân sách”'"
expect_eq "a unit that reported is not missing a report" \
	"$(get '/v1/tallies?task=thu' | jq -r '.tallies[] | select(.unit=="xa-b") | .status != "missing_report"')" true

# period=: the value of a month, and the cumulative one.
expect_eq "period= gives what happened in the month" "$(row .period.in_period "&period=$(name "$m1")")" 100.5
expect_eq "and the cumulative value at its end" "$(row .period.cumulative "&period=$(name "$m1")")" 200.5
expect_eq "a month without reports added nothing" "$(row .period.in_period "&period=$(name "$m2")")" 0
expect_eq "the district's month is the sum of its units'" \
	"$(get "/v1/tallies?task=thu&period=$(name "$m1")" | jq -r '.tallies[] | select(.unit=="huyen") | .period.in_period')" 101.5
q=$(date -d "$m1" +%Y)-Q$(( ($(date -d "$m1" +%-m) + 2) / 3 ))
expect_eq "a quarter is a period too" "$(row .period.name "&period=$q")" "$q"
out=$("$B/tiendo-ctl" status --task thu --period "$(name "$m1")" --lang vi)
expect_match "tiendo-ctl status --period: the month's column" "$out" "Đơn vị +Phát sinh trong kỳ +Lũy kế +Chỉ tiêu"
expect_match "and the month's numbers, in Vietnamese" "$out" "Xã Hoàng Đan +100,5 +200,5 +1\.000"
expect_eq "a bad period is 400" "$(get_status '/v1/tallies?period=11-2026')" 400
expect_eq "period= with at= is 400" "$(get_status "/v1/tallies?period=$(name "$m1")&at=2026-01-01")" 400

finish
