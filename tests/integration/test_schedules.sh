#!/bin/sh
# A unit's own milestones ([schedule TASK UNIT]) through the real daemon:
# two communes of one task, Hoàng Đan on the task's milestones and Hợp Hòa
# on its own (further ahead, an earlier deadline, its target revised up);
# their expected % and status at chosen at= instants and after reports,
# the district's roll-up on the task's pace, the live alert speaking Hợp
# Hòa's pace, /v1/tasks, /v1/tallies and /v1/series showing its schedule,
# and `tiendo-ctl check` naming each new mistake as file:line.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

# Dates are counted from today T (in the plan's zone, as the daemon reads
# them).  A milestone date is the end of that day, an at= date its start:
# at=T-70 is the instant of the milestones dated T-71.
export TZ=Asia/Ho_Chi_Minh
d() { date -d "$1" +%Y-%m-%d; }
# midnight() DAYS: the local midnight that starts that day, as the API
# writes instants (UTC, milliseconds).
midnight() { date -u -d "@$(date -d "$(d "$1") 00:00" +%s)" +%Y-%m-%dT%H:%M:%S.000Z; }

{ plan_units; cat <<PLAN

[task trong-cay]
title = Tết trồng cây
measure = cây
start = $(d '120 days ago')
deadline = $(d '80 days')
pacing = milestones
milestone = $(d '71 days ago') 25
stale_after = 0

[targets trong-cay]
xa-a = 1000
xa-b = 1000
xa-b = 1200 from $(d '5 days ago') ; raised, on the same pace

; Hợp Hòa runs ahead of the district's pace
[schedule trong-cay xa-b]
deadline = $(d '30 days')
milestone = $(d '71 days ago') 60
milestone = $(d '11 days ago') 80
PLAN
} >"$T/plan.ini"

expect_match "the plan checks clean, its schedule counted" \
	"$("$B/tiendo-ctl" check "$T/plan.ini" 2>&1)" \
	"plan.ini: ok, 3 units, 1 tasks, 2 targets, 1 schedules of units$"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
Z="$B/tools/zsend"
z() { $Z --client k "$@" "$INGEST"; }
row() { get "/v1/tallies?task=trong-cay${3:-}" |
	jq -r ".tallies[] | select(.unit==\"$1\") | $2"; }
D=86400000
T70=$(d '70 days ago')
T10=$(d '10 days ago')

z --report "1|xa-a|trong-cay|add|600|now-$((75 * D))" >/dev/null
z --report "2|xa-b|trong-cay|add|450|now-$((75 * D))" >/dev/null

# --- at the milestones' instant: each unit's own -------------------------
expect_eq "at T-70 Hoàng Đan expects the task's 25%" "$(row xa-a .expected "&at=$T70")" 25
expect_eq "and is on track at 60%" "$(row xa-a .status "&at=$T70")" on_track
expect_eq "at T-70 Hợp Hòa expects its own 60%" "$(row xa-b .expected "&at=$T70")" 60
expect_eq "and lags at 45% (its first target, 1000)" \
	"$(row xa-b '"\(.percent) \(.target) \(.status)"' "&at=$T70")" "45 1000 lagging"
expect_eq "the district's roll-up keeps the task's pace" \
	"$(row huyen 'select(.rollup) | "\(.expected) \(.status)"' "&at=$T70")" "25 on_track"
expect_eq "at T-10 Hợp Hòa expects its second milestone, 80%" \
	"$(row xa-b '"\(.expected) \(.status)"' "&at=$T10")" "80 critical"
# the task's pace at T-10: 25 + 75 * 60 / 151 days
expect_eq "and Hoàng Đan the task's line between its milestone and deadline" \
	"$(row xa-a .expected "&at=$T10")" \
	"$(awk 'BEGIN { printf "%.2f", 25 + 75 * 60 / 151 }' | sed 's/0*$//; s/\.$//')"

# --- now: the revised target, on Hợp Hòa's own pace -----------------------
exp_b=$(row xa-b .expected)
exp_a=$(row xa-a .expected)
ok "now Hợp Hòa expects 84.8-85.4% (80 to 100 over 41 days), got $exp_b" \
	awk "BEGIN { exit !($exp_b > 84.8 && $exp_b < 85.4) }"
ok "and Hoàng Đan 59.7-60.3% (the task's), got $exp_a" \
	awk "BEGIN { exit !($exp_a > 59.7 && $exp_a < 60.3) }"
expect_eq "450 of the revised 1200 is critical" \
	"$(row xa-b '"\(.percent) \(.target) \(.status)"')" "37.5 1200 critical"
expect_eq "600 of 1000 is on track for Hoàng Đan" "$(row xa-a .status)" on_track
ok "the alert speaks Hợp Hòa's own pace" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | jq -e '.alerts[] | select(.unit==\"xa-b\" and .rule==\"lag\" and .severity==\"critical\" and (.expected | tonumber) > 84)' >/dev/null"
expect_match "its message reads the expected share of its schedule" \
	"$(get '/v1/alerts?active=1' | jq -r '.alerts[] | select(.unit=="xa-b") | .message')" \
	"Thị trấn Hợp Hòa chậm tiến độ nghiêm trọng “Tết trồng cây”: .*1.200 cây .*kế hoạch 8[45],"
expect_eq "no alert for Hoàng Đan" \
	"$(get '/v1/alerts?active=1' | jq '[.alerts[] | select(.unit=="xa-a")] | length')" 0

# --- where the schedule is shown ----------------------------------------------
expect_eq "its tally row names its schedule" \
	"$(row xa-b '"\(.schedule.deadline) \(.schedule.milestones | map(.percent) | join(",")) \(.schedule.line)"')" \
	"$(midnight '31 days') 60,80 30"
expect_eq "Hoàng Đan's row has none (the task's)" "$(row xa-a .schedule)" null
tasks=$(get /v1/tasks)
expect_eq "/v1/tasks lists it with the unit" \
	"$(jget "$tasks" '.tasks[] | select(.code=="trong-cay") | .schedules | map("\(.unit):\(.milestones | length):\(.line)") | join(" ")')" \
	"xa-b:2:30"
expect_eq "beside the task's own milestones" \
	"$(jget "$tasks" '.tasks[] | select(.code=="trong-cay") | .milestones | map(.percent) | join(",")')" 25
expect_eq "its series runs to its own deadline" \
	"$(get '/v1/series?task=trong-cay&unit=xa-b' | jq -r .deadline)" \
	"$(midnight '31 days')"
expect_eq "and the district's to the task's" \
	"$(get '/v1/series?task=trong-cay&unit=huyen' | jq -r .deadline)" \
	"$(midnight '81 days')"

# --- a report catches Hợp Hòa up ------------------------------------------------
z --report "3|xa-b|trong-cay|add|500|now" >/dev/null
expect_eq "950 of 1200 is on track against ~85%" \
	"$(row xa-b '"\(.actual) \(.status)"')" "950 on_track"
ok "its alert resolves" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | jq -e '[.alerts[] | select(.unit==\"xa-b\" and .rule==\"lag\")] | length == 0' >/dev/null"
expect_eq "the past keeps its view" "$(row xa-b '"\(.percent) \(.status)"' "&at=$T70")" "45 lagging"

# --- a reload: a schedule with a mistake is refused, the old one stays --------
cp "$T/plan.ini" "$T/good.ini"
sed -i "s/^milestone = $(d '11 days ago') 80$/milestone = $(d '11 days ago') 50/" "$T/plan.ini"
out=$(curl -s -X POST "$HTTP/v1/reload")
expect_match "a reload names the milestone that does not grow" \
	"$(printf '%s' "$out" | jq -r '.errors[]')" \
	"plan.ini:33: milestone percent of unit 'xa-b' in task 'trong-cay' must grow: 50% on this line is not more than 60% before it"
expect_eq "and Hợp Hòa keeps its schedule" "$(row xa-b .expected "&at=$T10")" 80
# without its [schedule] Hợp Hòa goes back to the task's pace
sed '/^; Hợp Hòa runs ahead/,$d' "$T/good.ini" >"$T/plan.ini"
expect_eq "a reload without it is taken" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$HTTP/v1/reload")" 200
expect_eq "and Hợp Hòa expects the task's 25% at T-70" "$(row xa-b '"\(.expected) \(.schedule)"' "&at=$T70")" "25 null"
cp "$T/good.ini" "$T/plan.ini"

# --- tiendo-ctl check ----------------------------------------------------------------
cat >"$T/bad.ini" <<'BAD'
[unit a]
name = A
kind = commune
[unit b]
name = B
kind = commune
[task t]
title = T
measure = cây
start = 2026-01-01
deadline = 2026-12-31
milestone = 2026-06-30 50
[task lin]
title = L
measure = cây
start = 2026-01-01
deadline = 2026-12-31
[targets t]
a = 100 by 2026-09-30
[targets lin]
a = 100
[schedule t a]
deadline = 2026-10-31
milestone = 2026-05-31 40
milestone = 2026-04-30 60
milestone = 2026-08-31 100
[schedule t b]
milestone = 2026-03-31 20
[schedule lin a]
milestone = 2026-03-31 20
BAD
out=$("$B/tiendo-ctl" check "$T/bad.ini" 2>&1)
expect_match "check names a second deadline" "$out" \
	"bad.ini:23: unit 'a' of task 't' has its own deadline on its target line already \\(line 19, 'by 2026-09-30'\\); keep one of the two"
expect_match "check names a milestone out of order" "$out" \
	"bad.ini:25: milestone '2026-04-30 60' of unit 'a' in task 't' is not after the one before it"
expect_match "check names a percent out of range" "$out" \
	"bad.ini:26: milestone percent '100' of unit 'a' in task 't' must be between 0 and 100"
expect_match "check names a unit without a target in the task" "$out" \
	"bad.ini:27: unit 'b' has no target in task 't'; a schedule is for a unit listed in \[targets t\]"
expect_match "check names a schedule for a task not paced by milestones" "$out" \
	"bad.ini:29: task 'lin' is not paced by milestones, so unit 'a' has none to replace"

finish
