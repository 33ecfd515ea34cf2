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

mkdir -p "$B/screenshots"
/usr/bin/python3 tests/web/browser.py "$HTTP" "$B/tiendo-push" "$B/screenshots" 2>"$T/browser.log"
rc=$?
[ $rc -eq 0 ] || { echo "# browser.py exited $rc:"; tail -20 "$T/browser.log" | sed 's/^/#   /'; }
ok "tiendod still answers" get /healthz
finish
