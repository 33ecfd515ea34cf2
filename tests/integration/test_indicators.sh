#!/bin/sh
# Indicator kinds through the real daemon: a level to hold (≥ 98% of
# dossiers on time), a yes/no milestone (a commune reaches the NTM
# standard), a ceiling of 0 (forest fires), an integer measure that refuses
# fractions and negative ADDs; their statuses, at= views, alerts and
# messages, and `tiendo-ctl check` naming each new error as file:line.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

{ cat <<PLAN
[plan]
name = Thử nghiệm các loại chỉ tiêu (số liệu minh họa)

PLAN
plan_units
cat <<PLAN

[task ho-so]
title = Hồ sơ một cửa giải quyết đúng hạn
measure = %
kind = level
hold = at_least
start = $(day '300 days ago')
deadline = $(day '60 days')
stale_after = 0

[task ntm]
title = Xã đạt chuẩn NTM nâng cao
measure = xã
kind = milestone
start = $(day '150 days ago')
deadline = $(day '210 days')

[task chay-rung]
title = Cháy rừng
measure = vụ
kind = ceiling
integer = yes
start = $(day '30 days ago')
deadline = $(day '300 days')
stale_after = 0

[task tan-binh]
title = Giao nhận quân
measure = tân binh
integer = yes
negative_adds = no
start = $(day '30 days ago')
deadline = $(day '30 days')

[task xong]
title = Hồ sơ đã giải quyết
measure = hồ sơ
start = $(day '30 days ago')
deadline = $(day '300 days')

[task dung-han]
title = Hồ sơ giải quyết đúng hạn
measure = hồ sơ
start = $(day '30 days ago')
deadline = $(day '300 days')

[task ty-le]
title = Tỷ lệ hồ sơ đúng hạn
measure = %
kind = rate
numerator = dung-han
denominator = xong
hold = at_least
start = $(day '30 days ago')
deadline = $(day '300 days')

[targets xong]
xa-a = 1000
xa-b = 1000

[targets dung-han]
xa-a = 1000
xa-b = 1000

[targets ty-le]
xa-a = 95
xa-b = 95

[task phan-bo]
title = Thu ngân sách (giao theo tổng của huyện)
measure = triệu đồng
parent_targets = allocation
start = $(day '30 days ago')
deadline = $(day '300 days')

[targets phan-bo]
huyen = 1500
xa-a = 1000
xa-b = 500

[task nhom]
title = Cải cách hành chính và nông thôn mới
kind = group
indicators = ho-so, ntm

[targets ho-so]
xa-a = 98
xa-b = 98

[targets ntm]
xa-a = 1
xa-b = 1 by $(day '10 days ago') ; its own deadline

[targets chay-rung]
xa-a = 0

[targets tan-binh]
xa-a = 20
PLAN
} >"$T/plan.ini"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
Z="$B/tools/zsend"
z() { $Z --client k "$@" "$INGEST"; }
row() { get "/v1/tallies?task=$1${4:-}" | jq -r ".tallies[] | select(.unit==\"$2\") | .$3"; }
iso() { date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
D=86400000

# --- a level to hold ----------------------------------------------------------
z --report "1|xa-a|ho-so|set|99.2|now-$((200 * D))" >/dev/null
expect_eq "a level in bounds is on track" "$(row ho-so xa-a status)" on_track
expect_eq "and not 'done' before the period ends" "$(row ho-so xa-a status)" on_track
expect_eq "its kind is in the tally" "$(row ho-so xa-a kind)" level
z --report "2|xa-a|ho-so|set|91|now-$((2 * D))" >/dev/null
expect_eq "falling to 91 is out of bounds" "$(row ho-so xa-a status)" lagging
expect_eq "at= before the fall still sees it in bounds" \
	"$(row ho-so xa-a status "&at=$(iso $((100 * 86400)))")" on_track
ok "the alert says the level is not held" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | grep -q 'Xã Hoàng Đan không giữ được mức “Hồ sơ một cửa giải quyết đúng hạn”: 91% (ngưỡng ≥ 98%)'"

# --- a task of several indicators -------------------------------------------------
grp() { get "/v1/tallies?task=nhom" | jq -r ".tallies[] | select(.unit==\"$1\") | $2"; }

# --- a yes/no milestone ----------------------------------------------------------
expect_eq "a milestone months before its date is on track" "$(row ntm xa-a status)" on_track
expect_eq "nothing is expected of it yet" "$(row ntm xa-a expected)" 0
expect_eq "nor of the task, in /v1/tasks" "$(get /v1/tasks | jq '.tasks[] | select(.code=="ntm") | .expected_now')" 0
expect_match "2 is not a yes/no" "$(z --report "3|xa-a|ntm|set|2|now" 2>&1)" \
	"REJECTED BAD_VALUE .*a milestone is reached \(1\) or not \(0\)"
z --report "4|xa-a|ntm|set|1|now" >/dev/null
expect_eq "reached is done" "$(row ntm xa-a status)" done
expect_eq "a unit's own deadline: overdue after it" "$(row ntm xa-b status)" overdue
ok "and its overdue alert fires" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | grep -q 'Thị trấn Hợp Hòa quá hạn “Xã đạt chuẩn NTM nâng cao” mà chưa đạt chỉ tiêu: chưa đạt.'"
expect_eq "the district counts one of two communes" "$(row ntm huyen actual)/$(row ntm huyen target)" 1/2
z --report "27|xa-a|ntm|add|1|now" >/dev/null
expect_eq "reached twice is reached once: the commune reads 1 of 1 and the district still counts it once" \
	"$(row ntm xa-a actual)/$(row ntm xa-a target) $(row ntm huyen actual)/$(row ntm huyen target)" "1/1 1/2"

expect_eq "a group lists each indicator's status" \
	"$(grp xa-a '[.indicators[] | .task + ":" + .status] | join(",")')" "ho-so:lagging,ntm:done"
expect_eq "its status is the most urgent of them" "$(grp xa-a .status)" lagging
expect_eq "an overdue indicator makes it overdue" "$(grp xa-b .status)" overdue
expect_eq "/v1/tasks names a group's indicators" \
	"$(get /v1/tasks | jq -c '.tasks[] | select(.code=="nhom") | [.kind, .indicators]')" '["group",["ho-so","ntm"]]'

# --- a ceiling of 0 ---------------------------------------------------------------
expect_eq "no fire is on track" "$(row chay-rung xa-a status)" on_track
expect_match "half a fire is refused" "$(z --report "5|xa-a|chay-rung|add|0.5|now" 2>&1)" \
	"REJECTED BAD_VALUE .*whole number"
z --report "6|xa-a|chay-rung|add|1|now" >/dev/null
expect_eq "one fire breaks the ceiling" "$(row chay-rung xa-a status)" critical
ok "the alert says the ceiling is broken" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | grep -q 'Xã Hoàng Đan vượt mức trần “Cháy rừng”: 1 vụ (mức trần 0 vụ)'"

# --- a rate: the ratio of two reported quantities ---------------------------------
z --report "20|xa-a|xong|add|100|now-$((3 * D))" --report "21|xa-a|dung-han|add|99|now-$((3 * D))" \
  --report "22|xa-b|xong|add|10|now-$((2 * D))" --report "23|xa-b|dung-han|add|1|now-$((2 * D))" >/dev/null
expect_eq "a commune's rate is its ratio" "$(row ty-le xa-a actual)" 99
expect_eq "and it holds" "$(row ty-le xa-a status)" on_track
expect_eq "1 of 10 is far below 95%" "$(row ty-le xa-b status)" critical
expect_eq "the district's rate is the ratio of the sums (100/110), never a sum of rates" \
	"$(row ty-le huyen actual)" 90.909
expect_eq "at= before any report: no rate yet" "$(row ty-le xa-a actual "&at=$(iso $((5 * 86400)))")" 0
z --report "24|xa-a|dung-han|add|1|now-$((1 * D))" >/dev/null
expect_eq "the rate follows its numerator" "$(row ty-le xa-a actual)" 100
expect_match "a rate takes no reports of its own" "$(z --report "25|xa-a|ty-le|set|95|now" 2>&1)" \
	"REJECTED BAD_VALUE .*report those"
ok "the alert of a rate reads as a level" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | grep -q 'Thị trấn Hợp Hòa còn xa mức phải giữ “Tỷ lệ hồ sơ đúng hạn”: 10% (ngưỡng ≥ 95%)'"
expect_eq "the district must keep 95% as its communes must, not 190%" \
	"$(row ty-le huyen target) $(row ty-le huyen status)" "95 lagging"
expect_eq "/v1/tasks: a held rate's hold, its parts, and the target of them all" \
	"$(get /v1/tasks | jq -c '.tasks[] | select(.code=="ty-le") | [.hold, .numerator, .denominator, .target_total]')" \
	'["at_least","dung-han","xong","95"]'
# A rate has no reports of its own: its series is its parts', divided.
series_last() { get "/v1/series?task=$1${2:-}" | jq -r '[.target, (.points[-1] | .actual, .expected)] | map(tostring) | join(" ")'; }
expect_eq "the series of a rate is the ratio of its parts' (101/110), its held target expected all along" \
	"$(series_last ty-le)" "95 91.818 95"
expect_eq "and a commune's own" "$(series_last ty-le '&unit=xa-a')" "95 100 95"
expect_eq "at its first point (no report yet) the rate is 0, the target already held" \
	"$(get '/v1/series?task=ty-le' | jq -r '.points[0] | [.actual, .expected] | map(tostring) | join(" ")')" "0 95"

# --- a level's roll-up: the mean of the levels, not their sum ---------------------
expect_eq "while Hợp Hòa has not reported, the district reads Hoàng Đan's 91, not (91 + 0) / 2" \
	"$(row ho-so huyen actual)/$(row ho-so huyen target)" "91/98"
z --report "26|xa-b|ho-so|set|99|now-$((1 * D))" >/dev/null
expect_eq "the district reads the mean of its communes' levels (91 and 99) against the mean of their targets" \
	"$(row ho-so huyen actual)/$(row ho-so huyen target) $(row ho-so huyen status)" "95/98 lagging"
expect_eq "and so does its series, the level expected all along" "$(series_last ho-so)" "98 95 98"
expect_eq "/v1/tasks gives a level's target as the roll-up holds it" \
	"$(get /v1/tasks | jq -r '.tasks[] | select(.code=="ho-so") | .target_total')" 98
expect_eq "a group's task has no series of its own: 404, named" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$HTTP/v1/series?task=nhom") $(curl -s "$HTTP/v1/series?task=nhom" | jq -r .error)" \
	'404 no target of task "nhom" at or under any unit'

# --- a parent's total, allocated to its communes ---------------------------------
expect_eq "the district's total is counted once" "$(row phan-bo huyen target)" 1500
expect_match "it takes no reports of its own" "$(z --report "30|huyen|phan-bo|add|5|now" 2>&1)" \
	"REJECTED NO_TARGET"

# --- an integer quantity -----------------------------------------------------------
expect_match "0.5 recruits are refused" "$(z --report "7|xa-a|tan-binh|add|0.5|now" 2>&1)" \
	"REJECTED BAD_VALUE .*whole number"
expect_match "a negative ADD is refused where the task says so" \
	"$(z --report "8|xa-a|tan-binh|add|-1|now" 2>&1)" "REJECTED BAD_VALUE .*cannot be negative"
expect_eq "nothing refused was counted" "$(row tan-binh xa-a actual)" 0
expect_eq "/v1/tasks tells the kinds" \
	"$(get /v1/tasks | jq -c '[.tasks[] | [.code, .kind, .integer, .negative_adds]]')" \
	'[["ho-so","level",false,true],["ntm","milestone",true,false],["chay-rung","ceiling",true,true],["tan-binh","quantity",true,false],["xong","quantity",false,true],["dung-han","quantity",false,true],["ty-le","rate",false,true],["phan-bo","quantity",false,true],["nhom","group",false,true]]'

# --- tiendo-ctl check ----------------------------------------------------------------
cat >"$T/bad.ini" <<'BAD'
[unit a]
name = A
kind = commune
[task t]
title = T
measure = xã
start = 2026-01-01
deadline = 2026-12-31
kind = milestone
hold = at_most
[targets t]
a = 2
[task f]
title = F
measure = vụ
start = 2026-01-01
deadline = 2026-12-31
[targets f]
a = 0
BAD
out=$("$B/tiendo-ctl" check "$T/bad.ini" 2>&1)
expect_match "check names a misplaced hold" "$out" "bad.ini:10: hold is for a level or a rate to hold; task 't' is a milestone"
expect_match "check names a milestone target other than 1" "$out" "bad.ini:12: target '2' for unit 'a' of task 't' must be 1"
expect_match "check names a zero target and the way out" "$out" "bad.ini:19: .*greater than zero; for a limit not to exceed, write 'kind = ceiling'"

finish
