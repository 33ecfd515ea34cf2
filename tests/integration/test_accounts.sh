#!/bin/sh
# Accounts and scopes: the gate in front of every resource, logins,
# tokens, and a commune account that sees only its commune everywhere
# (JSON, exports, the live stream, and the page in Chromium).
. tests/integration/lib.sh

ACC=$T/accounts
export TIENDO_ACCOUNTS=$ACC
# The test plan, and a task of another department ("khac", owned by vp)
# executed by xa-b too: a department's account must see xa-b's row of its
# own task, never xa-b's row of khac.
make_plan "$T/plan.ini"
plan_add_vp "$T/plan.ini" "xa-b = 40"
printf '[tiendod]\n' >"$T/tiendod.conf"
# Before any account: open on loopback, as without accounts.
start_daemon -c "$T/tiendod.conf" --alert-pending 0 --alert-interval 500ms || exit 1
expect_eq "no accounts, loopback: open" "$(get_status /v1/tallies)" 200

ok "tiendo-ctl user add (password on stdin)" sh -c \
	"echo 'mat-khau-huyen' | '$B/tiendo-ctl' user add huyen"
ok "tiendo-ctl user add --units xa-a" sh -c \
	"echo 'mat-khau-xa-a' | '$B/tiendo-ctl' user add xa-a --units xa-a"
expect_eq "a password under 8 characters is refused" \
	"$(echo short | "$B/tiendo-ctl" user add x3 >/dev/null 2>&1; echo $?)" 65
TOK=$("$B/tiendo-ctl" user token xa-a)
expect_match "a token is 64 hex digits" "$TOK" '^[0-9a-f]{64}$'
# A token is printed only once the file holding its hash is saved.  A
# directory where the temporary file goes makes the save fail, even as root.
cp "$ACC" "$T/acc-before"
mkdir "$ACC.tmp"
out=$("$B/tiendo-ctl" user token xa-a 2>"$T/token-err"); rc=$?
rmdir "$ACC.tmp"
expect_eq "a token that cannot be saved: exit 73, nothing on stdout" "$rc:$out" "73:"
expect_match "... says which file, which step and why" "$(head -1 "$T/token-err")" \
	"^tiendo-ctl: cannot create $ACC.tmp \\(the new $ACC\\): Is a directory$"
ok "... and the file, with the previous token, is as it was" cmp -s "$ACC" "$T/acc-before"
expect_eq "a password whose standard input fails: exit 74" \
	"$("$B/tiendo-ctl" user passwd xa-a </ >/dev/null 2>&1; echo $?)" 74
expect_match "user list" "$("$B/tiendo-ctl" user list)" "^xa-a	xa-a	password token$"
expect_match "the file holds Argon2id hashes, mode 0600" \
	"$(stat -c %a "$ACC") $(grep '^huyen:' "$ACC")" '^600 huyen:\*:\$argon2id\$'
ok "tiendo-ctl user del" sh -c "echo 'mat-khau-x2x2' | '$B/tiendo-ctl' user add x2 && '$B/tiendo-ctl' user del x2"

# Some data: one report each, so that both communes have rows.
"$B/tiendo-push" -q --client xa-a --unit xa-a --task cay --add 100 --note "đợt 1"
"$B/tiendo-push" -q --client xa-b --unit xa-b --task cay --add 50 --note "bí mật của xã B"

# Accounts now exist (read again without a restart): a login is needed.
expect_eq "accounts: no credentials, 401" "$(get_status /v1/tallies)" 401
expect_eq "accounts: the page itself still loads" "$(get_status /)" 200
expect_eq "accounts: /healthz stays open" "$(get_status /healthz)" 200
A="Authorization: Bearer $TOK"
aget() { curl -sf --max-time 10 -H "$A" "$HTTP$1"; }
astatus() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "$A" "$HTTP$1"; }
expect_eq "a wrong token: 401" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(printf %064d 0)" "$HTTP/v1/tallies")" 401

expect_eq "commune token: /v1/tallies has only xa-a" \
	"$(aget /v1/tallies | jq -c '[.tallies[].unit] | unique')" '["xa-a"]'
expect_eq "commune token: /v1/units has only xa-a" \
	"$(aget /v1/units | jq -c '[.units[].code]')" '["xa-a"]'
expect_eq "commune token: /v1/tasks totals only its targets" \
	"$(aget /v1/tasks | jq -c '[.tasks[] | [.code, .target_total]]')" '[["cay","1000"],["dat","12.5"]]'
expect_eq "commune token: /v1/grid starts at xa-a" "$(aget /v1/grid | jq -r .head.unit)" xa-a
expect_eq "commune token: /v1/grid of the district is refused" "$(astatus '/v1/grid?unit=huyen')" 403
expect_eq "commune token: /v1/series is its own" "$(aget '/v1/series?task=cay' | jq -r '.unit + " " + .points[-1].actual')" "xa-a 100"
expect_eq "commune token: /v1/series of xa-b is refused" "$(astatus '/v1/series?task=cay&unit=xa-b')" 403
expect_eq "commune token: /v1/reports of xa-b is refused" "$(astatus '/v1/reports?unit=xa-b')" 403
expect_eq "commune token: /v1/ranking has only xa-a" \
	"$(aget /v1/ranking | jq -c '[.kinds[].rows[].unit]')" '["xa-a"]'
expect_eq "commune token: alerts only of xa-a" \
	"$(aget /v1/alerts | jq -c '[.alerts[].unit] | unique')" '["xa-a"]'
expect_eq "commune token: alert history only of xa-a" \
	"$(aget '/v1/alerts/history?limit=1000' | jq -c '[.alerts[].unit] | unique')" '["xa-a"]'
expect_eq "commune token: the tallies CSV has only xa-a" \
	"$(aget /v1/export/tallies.csv | tail -n +2 | cut -d, -f3 | sort -u | tr -d '\r')" xa-a
expect_eq "commune token: the ranking CSV has only xa-a" \
	"$(aget /v1/export/ranking.csv | tail -n +2 | cut -d, -f3 | sort -u)" xa-a
expect_eq "commune token: /metrics needs scope *" "$(astatus /metrics)" 403

# The live stream: a report of xa-b never reaches the commune's page.
curl -sN --max-time 6 -H "$A" "$HTTP/v1/stream" >"$T/stream-a" &
PIDS="$PIDS $!"
curl -sN --max-time 6 "$HTTP/v1/stream" >"$T/stream-none" &
PIDS="$PIDS $!"
ok "commune stream: it opens" wait_for 5 grep -q 'event: hello' "$T/stream-a"
"$B/tiendo-push" -q --client xa-b --unit xa-b --task cay --add 7
"$B/tiendo-push" -q --client xa-a --unit xa-a --task cay --add 3
ok "commune stream: its own report arrives" wait_for 3 grep -q '"unit":"xa-a"' "$T/stream-a"
expect_eq "commune stream: nothing of xa-b, tallies or alerts" "$(grep -c 'xa-b' "$T/stream-a")" 0
expect_eq "without credentials the stream is refused" "$(cat "$T/stream-none" | jq -r .error 2>/dev/null | cut -c1-6)" "log in"

# --- issue 2: the scoped active list's total counts only what it may see --------
HT=$("$B/tiendo-ctl" user token huyen)
hget() { curl -sf --max-time 10 -H "Authorization: Bearer $HT" "$HTTP$1"; }
ok "the district sees alerts of xa-a and of others" wait_for 10 sh -c \
	"curl -sf -H 'Authorization: Bearer $HT' '$HTTP/v1/alerts' | jq -e '[.alerts[].unit] | (index(\"xa-a\") and index(\"xa-b\"))' >/dev/null"
all_total=$(hget /v1/alerts | jq .total)
mine=$(hget /v1/alerts | jq '[.alerts[] | select(.unit == "xa-a")] | length')
expect_eq "commune token: total = its own alerts ($mine of $all_total)" \
	"$(aget /v1/alerts | jq '[.total, (.alerts | length)]' | jq -c .)" "[$mine,$mine]"
expect_eq "commune token: a page of 1 still says the scoped total" \
	"$(aget '/v1/alerts?limit=1' | jq -c '[.total, (.alerts | length), (.alerts[0].unit)]')" "[$mine,1,\"xa-a\"]"

# --- issue 12: a department sees the tasks it owns in every unit, nothing else
# of those units; one section per resource, each checking xa-b's row of cay
# (owned by phong-nn) is there and xa-b's row of khac (owned by vp) is not.
ok "tiendo-ctl user add --units phong-nn" sh -c \
	"echo 'mat-khau-phong' | '$B/tiendo-ctl' user add phong-nn --units phong-nn"
DT=$("$B/tiendo-ctl" user token phong-nn)
dget() { curl -sf --max-time 10 -H "Authorization: Bearer $DT" "$HTTP$1"; }
dstatus() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $DT" "$HTTP$1"; }
"$B/tiendo-push" -q --client xa-b --unit xa-b --task khac --add 4 --note "bí mật của Văn phòng"
ok "khac/xa-b has an alert (seen by the district)" wait_for 10 sh -c \
	"curl -sf -H 'Authorization: Bearer $HT' '$HTTP/v1/alerts?task=khac' | jq -e '.alerts | length > 0' >/dev/null"
has() { printf '%s\n' "$1" | grep -qx "$2"; }
pairs=$(dget /v1/tallies | jq -r '.tallies[] | .task + "/" + .unit + (if .rollup then "+" else "" end)')
ok "department: /v1/tallies has cay/xa-b" has "$pairs" cay/xa-b
ok "department: /v1/tallies has the district's roll-up of cay" has "$pairs" cay/huyen+
expect_eq "department: /v1/tallies has nothing of khac" "$(printf '%s\n' "$pairs" | grep -c '^khac/')" 0
expect_eq "department: /v1/units lists the units it sees something of" \
	"$(dget /v1/units | jq -c '[.units[].code] | sort')" '["huyen","phong-nn","xa-a","xa-b"]'
expect_eq "department: /v1/tasks are the tasks it owns, with every target" \
	"$(dget /v1/tasks | jq -c '[.tasks[] | [.code, .target_total]]')" '[["cay","1500"],["dat","12.5"]]'
expect_eq "department: /v1/grid starts at the top" "$(dget /v1/grid | jq -c '[.rows[].unit]')" '["huyen"]'
expect_eq "department: /v1/grid of the district, xa-b's row: cay, not khac" \
	"$(dget '/v1/grid?unit=huyen' | jq -c '[.rows[] | select(.unit == "xa-b") | .cells | keys[]]')" '["cay"]'
expect_eq "department: /v1/grid's tasks and counts are its own" \
	"$(dget '/v1/grid?unit=huyen' | jq -c '[.tasks, (.counts | keys)]')" '[["cay","dat"],["cay","dat"]]'
expect_eq "department: /v1/series of cay at xa-b" \
	"$(dget '/v1/series?task=cay&unit=xa-b' | jq -r '.unit + " " + .points[-1].actual')" "xa-b 57"
expect_eq "department: /v1/series of cay defaults to the whole task" \
	"$(dget '/v1/series?task=cay' | jq -c '[.unit, .targets]')" '[null,2]'
expect_eq "department: /v1/series of khac at xa-b is refused" "$(dstatus '/v1/series?task=khac&unit=xa-b')" 403
expect_eq "department: /v1/series of khac's roll-up is refused" "$(dstatus '/v1/series?task=khac&unit=huyen')" 403
dget /v1/alerts >"$T/dal.json"
ok "department: active alerts have cay/xa-b" \
	jq -e '[.alerts[] | .task + "/" + .unit] | index("cay/xa-b")' "$T/dal.json"
expect_eq "department: active alerts only of cay and dat" "$(jq -c '[.alerts[].task] | unique' "$T/dal.json")" '["cay","dat"]'
expect_eq "department: the active total is what it may see" \
	"$(jq .total "$T/dal.json")" "$(hget /v1/alerts | jq '[.alerts[] | select(.task != "khac")] | length')"
dget '/v1/alerts/history?limit=1000' >"$T/dh.json"
ok "department: alert history has cay/xa-b" \
	jq -e '[.alerts[] | .task + "/" + .unit] | index("cay/xa-b")' "$T/dh.json"
expect_eq "department: alert history only of cay and dat" "$(jq -c '[.alerts[].task] | unique' "$T/dh.json")" '["cay","dat"]'
expect_eq "department: /v1/reports of xa-b has cay only" \
	"$(dget '/v1/reports?unit=xa-b' | jq -c '[.reports[].task] | unique')" '["cay"]'
expect_eq "department: /v1/reports of cay (every unit)" \
	"$(dget '/v1/reports?task=cay' | jq -c '[.reports[].unit] | unique')" '["xa-a","xa-b"]'
expect_eq "department: /v1/reports of khac at xa-b is refused" "$(dstatus '/v1/reports?task=khac&unit=xa-b')" 403
expect_eq "department: /v1/reports of nothing named is refused" "$(dstatus '/v1/reports')" 403
csv=$(dget /v1/export/tallies.csv | tail -n +2 | cut -d, -f1,3 | tr -d '\r')
ok "department: the tallies CSV has cay,xa-b" has "$csv" cay,xa-b
expect_eq "department: the tallies CSV has nothing of khac" "$(printf '%s\n' "$csv" | grep -c '^khac,')" 0
dget /v1/export/tallies.xlsx >"$T/d.xlsx"
xpairs=$(/usr/bin/python3 - "$T/d.xlsx" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
shared = []
if "xl/sharedStrings.xml" in names:
    shared = [re.sub(r"<[^>]+>", "", si) for si in
              re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S)]
for row in re.findall(r"<row[^>]*>(.*?)</row>", z.read("xl/worksheets/sheet1.xml").decode(), re.S):
    cells = {}
    for ref, attrs, body in re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', row, re.S):
        v = re.search(r"<v>(.*?)</v>", body)
        t = re.search(r"<t[^>]*>(.*?)</t>", body)
        if 't="s"' in attrs and v:
            cells[ref] = shared[int(v.group(1))]
        else:
            cells[ref] = t.group(1) if t else (v.group(1) if v else "")
    print(cells.get("A", "") + "," + cells.get("C", ""))
PY
)
ok "department: the tallies XLSX has cay,xa-b" has "$xpairs" cay,xa-b
expect_eq "department: the tallies XLSX has nothing of khac" "$(printf '%s\n' "$xpairs" | grep -c '^khac,')" 0
# The ranking: xa-b's whole-plan score mixes khac in; the department's
# view scores it on the department's tasks alone (rankview.h).
expect_eq "the district's ranking scores xa-b on cay and khac" \
	"$(hget /v1/ranking | jq -c '[.kinds[].rows[] | select(.unit == "xa-b") | .tasks]')" '[2]'
expect_eq "department: /v1/ranking scores xa-b on cay alone" \
	"$(dget /v1/ranking | jq -c '[.kinds[].rows[] | select(.unit == "xa-b") | .tasks]')" '[1]'
expect_eq "department: the ranking CSV scores xa-b on cay alone" \
	"$(dget /v1/export/ranking.csv | tr -d '\r' | awk -F, '$3 == "xa-b" { print $6 }')" 1
expect_eq "department: /metrics needs scope *" "$(dstatus /metrics)" 403
# The live stream: a report of khac at xa-b never reaches the department's
# page; one of cay at xa-b does.
curl -sN --max-time 8 -H "Authorization: Bearer $DT" "$HTTP/v1/stream" >"$T/stream-d" &
PIDS="$PIDS $!"
ok "department stream: it opens" wait_for 5 grep -q 'event: hello' "$T/stream-d"
"$B/tiendo-push" -q --client xa-b --unit xa-b --task khac --add 5
"$B/tiendo-push" -q --client xa-b --unit xa-b --task cay --add 6
ok "department stream: cay at xa-b arrives" wait_for 3 grep -q '"task":"cay","unit":"xa-b","actual":"63"' "$T/stream-d"
expect_eq "department stream: nothing of khac" "$(grep -c '"task":"khac"' "$T/stream-d")" 0

# Silences: each account sees those that hold back something it sees.
hpost() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $HT" -X POST "$HTTP$1"; }
expect_eq "a silence of khac at xa-b is made" "$(hpost "/v1/silences?task=khac&unit=xa-b&until=$(day '2 days')&reason=vp&by=t")" 201
expect_eq "a silence of cay at xa-b is made" "$(hpost "/v1/silences?task=cay&unit=xa-b&until=$(day '2 days')&reason=nn&by=t")" 201
expect_eq "commune token: cannot make a silence, even of its own commune (scope * only)" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -X POST "$HTTP/v1/silences?unit=xa-a&until=$(day '2 days')&reason=x&by=t")" 403
expect_eq "commune token: cannot end another's silence" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -X POST "$HTTP/v1/silences?expire=1&by=t")" 403
expect_eq "the district sees both silences" "$(hget /v1/silences | jq -c '[.silences[].reason] | sort')" '["nn","vp"]'
expect_eq "department: sees the silence of its task only" "$(dget /v1/silences | jq -c '[.silences[].reason]')" '["nn"]'
expect_eq "commune token: sees no silence of xa-b" "$(aget /v1/silences | jq -c '[.silences[].reason]')" '[]'

# Logins: same origin only, cookie flags, wrong passwords, rate limit.
O="Origin: $HTTP"
login() { curl -s -o "$T/login.out" -D "$T/login.hdr" -w '%{http_code}' -H "$1" \
	--data-urlencode "name=$2" --data-urlencode "password=$3" "$HTTP/login"; }
expect_eq "POST /login from another origin: 403" "$(login 'Origin: http://evil.example' xa-a mat-khau-xa-a)" 403
expect_eq "POST /login, right password: 200" "$(login "$O" xa-a mat-khau-xa-a)" 200
expect_match "the session cookie is HttpOnly and SameSite=Strict" \
	"$(tr -d '\r' <"$T/login.hdr" | grep -i '^set-cookie')" 'tiendo_session=[0-9a-f]{32}; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Strict$'
C="Cookie: $(tr -d '\r' <"$T/login.hdr" | sed -n 's/^[Ss]et-[Cc]ookie: \(tiendo_session=[0-9a-f]*\);.*/\1/p')"
expect_eq "the cookie opens the commune's tallies" \
	"$(curl -sf -H "$C" "$HTTP/v1/tallies" | jq -c '[.tallies[].unit] | unique')" '["xa-a"]'
expect_eq "behind a TLS proxy the cookie is Secure" \
	"$(login "$O" xa-a mat-khau-xa-a >/dev/null; curl -s -D - -o /dev/null -H "$O" -H 'X-Forwarded-Proto: https' \
	--data-urlencode name=huyen --data-urlencode password=mat-khau-huyen "$HTTP/login" | tr -d '\r' |
	grep -ic 'set-cookie:.*; Secure$')" 1
expect_eq "a cookie request that changes something needs the same origin" \
	"$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$C" -H 'Origin: http://evil.example' "$HTTP/logout")" 403
# From another loopback address: the login limit is per address.
login5() { curl -s -o "$T/login.out" -D "$T/login.hdr" -w '%{http_code}' --interface 127.0.0.5 -H "$1" \
	--data-urlencode "name=$2" --data-urlencode "password=$3" "$HTTP/login"; }
C2="Cookie: $(login5 "$O" xa-a mat-khau-xa-a >/dev/null; tr -d '\r' <"$T/login.hdr" | sed -n 's/^[Ss]et-[Cc]ookie: \(tiendo_session=[0-9a-f]*\);.*/\1/p')"
expect_eq "a second session opens the tallies" "$(curl -s -o /dev/null -w '%{http_code}' -H "$C2" "$HTTP/v1/tallies")" 200
curl -s -o /dev/null -X POST -H "$C2" -H "$O" "$HTTP/logout"
expect_eq "after logout, its cookie is refused" "$(curl -s -o /dev/null -w '%{http_code}' -H "$C2" "$HTTP/v1/tallies")" 401
C3="Cookie: $(login5 "$O" xa-a mat-khau-xa-a >/dev/null; tr -d '\r' <"$T/login.hdr" | sed -n 's/^[Ss]et-[Cc]ookie: \(tiendo_session=[0-9a-f]*\);.*/\1/p')"
ok "tiendo-ctl user passwd" sh -c "echo 'mat-khau-moi-xa-a' | '$B/tiendo-ctl' user passwd xa-a"
expect_eq "after a password change, the sessions from before are refused" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "$C3" "$HTTP/v1/tallies")" 401
ok "tiendo-ctl user passwd (back)" sh -c "echo 'mat-khau-xa-a' | '$B/tiendo-ctl' user passwd xa-a"
mkdir -p "$B/screenshots"
tap_from /usr/bin/python3 tests/web/scope.py "$HTTP" xa-a mat-khau-xa-a "Hợp Hòa" "$B/screenshots" 2>"$T/browser.log"
rc=$?
[ $rc -eq 0 ] || flunk "scope.py ran to the end (exit $rc)" "$(tail -20 "$T/browser.log")"
codes=""
for i in 1 2 3 4 5 6; do codes="$codes $(login "$O" xa-a wrong-password-$i)"; done
expect_match "wrong passwords: 401, then 429 (5 tries a minute)" "$codes" ' 401 .* 429$'

finish
