#!/bin/sh
# A department's view (owner= on the tallies and the alerts) and an active
# alert's numbers now: they move with the tally and follow a reload that
# revises the target, while the alert keeps the numbers it fired with.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

make_plan "$T/plan.ini"
plan_add_vp "$T/plan.ini" "xa-a = 10"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
Z="$B/tools/zsend"
z() { $Z --client k "$@" "$INGEST"; }
tasks_of() { get "/v1/tallies?owner=$1" | jq -r '[.tallies[].task] | unique | join(",")'; }

# --- owner= on the tallies --------------------------------------------------------
expect_eq "a department sees the tasks it owns, in every unit" "$(tasks_of phong-nn)" "cay,dat"
expect_eq "and another department its own" "$(tasks_of vp)" "khac"
expect_eq "owner= and unit= combine" \
	"$(get '/v1/tallies?owner=phong-nn&unit=xa-b' | jq -r '[.tallies[] | .task + "/" + .unit] | join(",")')" "cay/xa-b"
expect_eq "an unknown owner is 400" "$(get_status '/v1/tallies?owner=nope')" 400

# --- an alert's numbers now ----------------------------------------------------------
# cay/xa-a: 10 days of 20 gone, nothing done: critical at once.
ok "a lag alert fires" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | jq -e '.alerts[] | select(.task==\"cay\" and .unit==\"xa-a\" and .rollup==false and .rule==\"lag\")' >/dev/null"
lag() { get "/v1/alerts?active=1$1" | jq -r ".alerts[] | select(.task==\"cay\" and .unit==\"xa-a\" and .rollup==false and .rule==\"lag\") | $2"; }
expect_eq "it fired with 0" "$(lag '' .actual)" 0
z --report "1|xa-a|cay|add|100|now-60000" >/dev/null
expect_eq "its numbers now move with the tally" "$(lag '' .now.actual)" 100
expect_eq "while the event keeps those it fired with" "$(lag '' .actual)" 0
expect_match "and the sentence it would read now" "$(lag '' .now.message)" \
	"Xã Hoàng Đan chậm tiến độ nghiêm trọng “Tết trồng cây”: 100/1.000 cây"
expect_eq "owner= on the active alerts: the owner's" "$(lag '&owner=phong-nn' .task)" cay
expect_eq "owner= on the active alerts: not another's" \
	"$(get '/v1/alerts?active=1&owner=vp' | jq '[.alerts[] | select(.task=="cay")] | length')" 0
expect_eq "owner= on the history" \
	"$(get '/v1/alerts/history?owner=vp&limit=1000' | jq '[.alerts[] | select(.owner!="vp")] | length')" 0
expect_eq "an unknown owner is 400 on the alerts too" "$(get_status '/v1/alerts?owner=nope')" 400

# --- the reports of a pair, with notes and corrections --------------------------------
$Z --client k --report "2|xa-a|cay|add|50|now-50000" "$INGEST" >/dev/null
$Z --client k --report "3|||add|0|now-40000" --voids "2|gõ nhầm 50 thay vì 5" "$INGEST" >/dev/null
"$B/tiendo-push" -q --client k --unit xa-a --task cay --add 7 --reporter "Nguyễn Văn A" \
	--note "thôn Đồng Bùa, ô đất số 3" || flunk "tiendo-push with a note"
r=$(get '/v1/reports?task=cay&unit=xa-a')
expect_eq "the pair's reports, oldest first, corrections too" \
	"$(echo "$r" | jq -r '[.reports[] | .kind + ":" + .value] | join(",")')" "add:100,add:50,correction:0,add:7"
expect_eq "the note and the reporter are readable" \
	"$(echo "$r" | jq -r '.reports[3] | .reporter + " / " + .note')" "Nguyễn Văn A / thôn Đồng Bùa, ô đất số 3"
expect_eq "a voided report says by whom" "$(echo "$r" | jq -r '.reports[1].voided_by')" 3
expect_eq "a correction says what and why" \
	"$(echo "$r" | jq -r '.reports[2] | "\(.voids_seq) \(.void_reason)"')" "2 gõ nhầm 50 thay vì 5"
p1=$(get '/v1/reports?task=cay&unit=xa-a&limit=3')
expect_eq "paged: a full page names where to go on" "$(echo "$p1" | jq -r '[(.reports | length), (.next_since != null)] | map(tostring) | join(" ")')" "3 true"
expect_eq "paged: the next page starts after it, and is the last" \
	"$(get "/v1/reports?task=cay&unit=xa-a&limit=3&since=$(echo "$p1" | jq .next_since)" | jq -c '[[.reports[].value], .next_since]')" '[["7"],null]'
n1=$(get '/v1/reports?task=cay&unit=xa-a&order=newest&limit=2')
expect_eq "order=newest: the latest first" "$(echo "$n1" | jq -r '[.reports[] | .kind + ":" + .value] | join(",")')" "add:7,correction:0"
n2=$(get "/v1/reports?task=cay&unit=xa-a&order=newest&limit=2&before=$(echo "$n1" | jq .next_before)")
expect_eq "order=newest: the next page is before it" "$(echo "$n2" | jq -c '[.reports[].value]')" '["50","100"]'
expect_eq "order=newest: and nothing is before the first" \
	"$(get "/v1/reports?task=cay&unit=xa-a&order=newest&limit=2&before=$(echo "$n2" | jq .next_before)" | jq -c '[(.reports | length), .next_before]')" '[0,null]'
expect_eq "a bad order is 400" "$(get_status '/v1/reports?order=sideways')" 400
expect_eq "another pair is not listed" "$(get '/v1/reports?task=cay&unit=xa-b' | jq '.reports | length')" 0
expect_eq "an unknown task is 400" "$(get_status '/v1/reports?task=nope')" 400
expect_eq "a bad limit is 400" "$(get_status '/v1/reports?limit=0')" 400
out=$("$B/tiendo-ctl" reports --task cay --unit xa-a)
expect_match "tiendo-ctl reports shows the note" "$out" "add +7 +k #[0-9]+ +Nguyễn Văn A +thôn Đồng Bùa, ô đất số 3"
expect_match "tiendo-ctl reports shows the correction" "$out" "correction +0 +k #3 +voids #2: gõ nhầm 50 thay vì 5"
expect_match "tiendo-ctl reports marks the voided" "$out" "add +50 +k #2 .*\(voided by #3\)"
out=$("$B/tiendo-ctl" reports --task cay --unit xa-a --limit 1)
expect_match "tiendo-ctl reports pages" "$out" "more: --since [0-9]+"

# A revised target (a reload): the numbers now follow it.
sed -i 's/^xa-a = 1000$/xa-a = 400/' "$T/plan.ini"
kill -HUP "$DPID"
ok "after a reload the target now is the revised one" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts?active=1' | jq -e '.alerts[] | select(.task==\"cay\" and .unit==\"xa-a\" and .rollup==false and .now.target==\"400\")' >/dev/null"

# --- a revised target (điều chỉnh): from a date, never rewriting the past ---------
tg() { get "/v1/tallies?task=dat&unit=xa-a$1" | jq -r '.tallies[] | select(.unit=="xa-a") | .target'; }
iso() { date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
sed -i "s/^xa-a = 12.5\$/xa-a = 12.5\nxa-a = 25 from $(day '5 days ago')/" "$T/plan.ini"
out=$("$B/tiendo-ctl" reload 2>&1)
expect_match "a plan with a revision reloads" "$out" "tasks"
expect_eq "the target now is the revised one" "$(tg '')" 25
expect_eq "a view of a week ago keeps the target it had" "$(tg "&at=$(iso $((7 * 86400)))")" 12.5
expect_eq "the history of revisions is readable" \
	"$(get /v1/tasks | jq -c '[.tasks[] | select(.code=="dat") | .revisions[] | [.unit, (.from != null), .value]]')" \
	'[["xa-a",false,"12.5"],["xa-a",true,"25"]]'

finish
