#!/bin/sh
# The dashboard in a real browser: Debian's Chromium, headless, driven
# through chromium-driver by python3-selenium (tests/web/browser.py),
# against the real daemon.  Screenshots land in $B/screenshots/.
. tests/integration/lib.sh

start_daemon --alert-pending 0 --alert-interval 500ms || exit 1
# Some history: xa-a ahead of pace in the past, xa-b silent on "dat".
ok "reports pushed" "$B/tiendo-push" -q --client xa-a --unit xa-a --task cay \
	--add 100 --at "$(day '5 days ago')" --reporter "Cán bộ A" --note "đợt 1"
ok "reports pushed (dat)" "$B/tiendo-push" -q --client xa-a --unit xa-a --task dat \
	--set 2.5 --at "$(day '3 days ago')"

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
expect_eq "tallies CSV: a row per /v1/tallies row, and a header" "$(($(wc -l <"$T/t.csv") - 1))" \
	"$(get /v1/tallies | jq '.tallies | length')"
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
tap_from /usr/bin/python3 tests/web/browser.py "$HTTP" "$B/tiendo-push" "$B/screenshots" 2>"$T/browser.log"
rc=$?
[ $rc -eq 0 ] || flunk "browser.py ran to the end (exit $rc)" "$(grep -v "^#[0-9]" "$T/browser.log" | tail -12)"
ok "tiendod still answers" get /healthz
finish
