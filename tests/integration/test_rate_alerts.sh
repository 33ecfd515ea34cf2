#!/bin/sh
# Alerts follow at once, with a full evaluation only every hour: a report
# to a rate's part evaluates the rates that read it in the same batch, and
# a reload that revises a target re-evaluates every alert.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

cat >"$T/plan.ini" <<PLAN
[unit huyen]
name = Huyện Thử
kind = district

[unit xa-a]
name = Xã Hoàng Đan
kind = commune
parent = huyen

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

[targets dung-han]
xa-a = 1000

[targets ty-le]
xa-a = 95
PLAN

start_daemon --alert-pending 0 --alert-interval 1h || exit 1
rate_alert() {
	curl -sf "$HTTP/v1/alerts?active=1" |
		jq -e '.alerts[] | select(.task=="ty-le" and .unit=="xa-a" and .rollup==false and .rule=="lag")' >/dev/null
}
"$B/tools/zsend" --client k --report "1|xa-a|xong|add|10|now-60000" \
	--report "2|xa-a|dung-han|add|1|now-60000" "$INGEST" >/dev/null
ok "the rate's alert fires with the batch of its parts" wait_for 5 rate_alert
expect_eq "its numbers are the rate's" \
	"$(get '/v1/alerts?active=1' | jq -r '.alerts[] | select(.task=="ty-le" and .rollup==false) | .actual')" 10

sed -i 's/^xa-a = 95$/xa-a = 5/' "$T/plan.ini"
out=$("$B/tiendo-ctl" reload 2>&1)
expect_match "a revised target reloads" "$out" "reloaded"
ok "and the alert it no longer deserves resolves at once" wait_for 5 sh -c \
	"! curl -sf '$HTTP/v1/alerts?active=1' | jq -e '.alerts[] | select(.task==\"ty-le\" and .unit==\"xa-a\" and .rollup==false and .rule==\"lag\")' >/dev/null"

finish
