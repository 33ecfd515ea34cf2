#!/bin/sh
# The dashboard in a real browser: Debian's Chromium, headless, driven
# through chromium-driver by python3-selenium (tests/web/browser.py),
# against the real daemon.  Screenshots land in $B/screenshots/.
. tests/integration/lib.sh

# The test plan, and a task of every kind (README "Kinds of indicator"):
# a rate and its parts, a level, a ceiling, a milestone, and a group.
make_plan "$T/plan.ini"
cat >>"$T/plan.ini" <<PLAN

[task xong]
title = Hồ sơ đã giải quyết
measure = hồ sơ
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets xong]
xa-a = 100
xa-b = 10
[task dung-han]
title = Hồ sơ giải quyết đúng hạn
measure = hồ sơ
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets dung-han]
xa-a = 100
xa-b = 10
[task ty-le]
title = Tỷ lệ hồ sơ đúng hạn
measure = %
kind = rate
numerator = dung-han
denominator = xong
hold = at_least
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets ty-le]
xa-a = 95
xa-b = 95
[task muc]
title = Hồ sơ một cửa đúng hạn
measure = %
kind = level
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets muc]
xa-a = 98
xa-b = 98
[task chay]
title = Cháy rừng
measure = vụ
kind = ceiling
integer = yes
stale_after = 0
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets chay]
xa-a = 0
xa-b = 0
[task ntm]
title = Xã đạt chuẩn NTM nâng cao
measure = xã
kind = milestone
start = $(day '10 days ago')
deadline = $(day '10 days')
[targets ntm]
xa-a = 1
xa-b = 1
[task ocop]
title = Chương trình OCOP
kind = group
indicators = cay, ntm
owner = phong-nn
PLAN
start_daemon --alert-pending 0 --alert-interval 500ms || exit 1
HOSTPORT=${HTTP#http://}
# The page through an outage: browser.py stops the daemon ("stop") and
# starts it again on the same address ("start"), the same state.
cat >"$T/restart.sh" <<EOS
#!/bin/sh
case \$1 in
stop) kill -TERM $DPID; i=0
	while curl -s -o /dev/null --max-time 1 "$HTTP/healthz" && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done ;;
start) rm -f "$STATE/endpoints"
	"$B/tiendod" --plan "$PLAN" --state-dir "$STATE" --ingest tcp://127.0.0.1:0 --http $HOSTPORT \\
		$(mode_args | tr '\n' ' ') --alert-pending 0 --alert-interval 500ms >/dev/null 2>>"$T/tiendod.log" &
	echo \$! >"$T/tiendod2.pid"
	i=0; while [ ! -f "$STATE/endpoints" ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
	[ -f "$STATE/endpoints" ] ;;
esac
EOS
chmod +x "$T/restart.sh"
at_exit '[ -f "$T/tiendod2.pid" ] && kill -KILL "$(cat "$T/tiendod2.pid")" 2>/dev/null'
# Some history: xa-a ahead of pace in the past, xa-b silent on "dat".
ok "reports pushed" "$B/tiendo-push" -q --client xa-a --unit xa-a --task cay \
	--add 100 --at "$(day '5 days ago')" --reporter "Cán bộ A" --note "đợt 1"
ok "reports pushed (dat)" "$B/tiendo-push" -q --client xa-a --unit xa-a --task dat \
	--set 2.5 --at "$(day '3 days ago')"
# The README's examples: 99 of 100 on time and 1 of 10 (the district's
# rate is 100/110, 90.909%, against 95%); levels 91 and 99 (the district
# 95 against 98); one forest fire; one milestone reached of two.
for r in "xa-a xong 100" "xa-a dung-han 99" "xa-b xong 10" "xa-b dung-han 1" \
	"xa-a muc 91" "xa-b muc 99" "xa-a chay 1" "xa-a ntm 1"; do
	set -- $r
	case $2 in muc|ntm) k=--set ;; *) k=--add ;; esac
	ok "reports pushed ($r)" "$B/tiendo-push" -q --client "$1" --unit "$1" --task "$2" $k "$3"
done

# The page is open on loopback without accounts.
expect_eq "GET / is the page" "$(get_status /)" 200
expect_match "GET / is HTML" "$(get /)" '<script src="/app.js">'
etag=$(curl -sI "$HTTP/app.js" | tr -d '\r' | sed -n 's/^ETag: //p')
expect_match "assets carry an ETag" "$etag" '^"[0-9a-f]{16}"$'
expect_eq "a matching If-None-Match gets 304" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$HTTP/app.js")" 304
expect_match "gzip when asked" "$(curl -sI -H 'Accept-Encoding: gzip' "$HTTP/chart.min.js" | tr -d '\r')" \
	'Content-Encoding: gzip'
expect_eq "Chart.js is Debian's, byte for byte" \
	"$(curl -s "$HTTP/chart.min.js" | cmp - /usr/share/javascript/chart.js/chart.min.js && echo same)" same

# Exports: the same rows as /v1/tallies, for a spreadsheet.
get /v1/export/tallies.csv >"$T/t.csv"
expect_eq "tallies CSV starts with a UTF-8 BOM" "$(head -c 3 "$T/t.csv" | od -An -tx1 | tr -d ' ')" efbbbf
# (a group has no numbers of its own: its indicators have their rows)
expect_eq "tallies CSV: a row per /v1/tallies row, and a header" "$(($(wc -l <"$T/t.csv") - 1))" \
	"$(get /v1/tallies | jq '[.tallies[] | select(.kind != "group")] | length')"
expect_match "tallies CSV: the roll-up of cay" "$(cat "$T/t.csv")" \
	"^cay,Tết trồng cây,huyen,Huyện Thử,district,1,$(get '/v1/tallies?task=cay&unit=huyen' |
	jq -r '.tallies[] | select(.rollup and .unit == "huyen") | .actual'),1500,cây,"
expect_match "ranking CSV names its columns" "$(get /v1/export/ranking.csv | head -1)" 'Hạng,Mã đơn vị,Đơn vị,Điểm'
get /v1/export/tallies.xlsx >"$T/t.xlsx"
expect_match "tallies XLSX is a workbook with every row" "$(/usr/bin/python3 -c '
import sys, zipfile
print(zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode()[:400])' "$T/t.xlsx")" \
	"<dimension ref=\"A1:N$(($(wc -l <"$T/t.csv")))\"/>"
expect_eq "an unknown export parameter is refused" "$(get_status '/v1/export/tallies.csv?foo=1')" 400

mkdir -p "$B/screenshots"
TIENDO_RESTART="$T/restart.sh" \
	tap_from /usr/bin/python3 tests/web/browser.py "$HTTP" "$B/tiendo-push" "$B/screenshots" 2>"$T/browser.log"
rc=$?
[ $rc -eq 0 ] || flunk "browser.py ran to the end (exit $rc)" "$(grep -v "^#[0-9]" "$T/browser.log" | tail -12)"
ok "tiendod still answers" get /healthz
finish
