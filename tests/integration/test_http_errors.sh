#!/bin/sh
# Every error the HTTP API can give is JSON of one shape, {"error": "..."},
# with the status the README and tiendod(8) promise; HEAD behaves as HEAD;
# at= means what the README says.
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1

# err NAME STATUS PATTERN [CURL ARGS...] PATH: status, JSON type, shape.
err() {
	name=$1 want=$2 pat=$3; shift 3
	out=$(curl -s --max-time 10 -D "$T/h" -o "$T/b" -w '%{http_code}' "$@")
	type=$(tr -d '\r' <"$T/h" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
	msg=$(jq -r 'if (type == "object" and (keys == ["error"]) and (.error | type == "string")) then .error else "NOT THE SHAPE" end' "$T/b" 2>/dev/null)
	if [ "$out" = "$want" ] && [ "$type" = "application/json; charset=utf-8" ] &&
		printf '%s\n' "$msg" | grep -Eq -- "$pat"; then
		pass "$name"
	else
		flunk "$name" "status $out (want $want), type '$type'" "body: $(head -c 300 "$T/b")" \
			"pattern: $pat"
	fi
}

err "an encoded key is not decoded: unknown parameter" 400 'unknown parameter "%ff"' "$HTTP/v1/tallies?%ff=1"
for q in "task=%ff" "unit=%c3" "at=%ff"; do
	err "non-UTF-8 /v1/tallies?$q: 400" 400 'is not valid UTF-8' "$HTTP/v1/tallies?$q"
done
err "NUL in task: 400, not truncated" 400 'parameter "task" contains a NUL byte' "$HTTP/v1/tallies?task=cay%00zz"
err "NUL in unit of the history: 400" 400 'parameter "unit" contains a NUL byte' "$HTTP/v1/alerts/history?unit=xa-a%00"
err "non-UTF-8 in the alerts: 400" 400 'not valid UTF-8' "$HTTP/v1/alerts?active=%ff"
err "unknown parameter: 400" 400 'unknown parameter "foo"' "$HTTP/v1/tallies?foo=1"
err "unknown parameter on /healthz: 400" 400 'unknown parameter' "$HTTP/healthz?x=1"
err "unknown task in /v1/tallies: 400" 400 '^task "nope" is not in the plan$' "$HTTP/v1/tallies?task=nope"
err "unknown task in /v1/alerts/history: the same 400" 400 '^task "nope" is not in the plan$' \
	"$HTTP/v1/alerts/history?task=nope"
err "unknown unit in /v1/tallies: 400" 400 '^unit "nope" is not in the plan$' "$HTTP/v1/tallies?unit=nope"
err "unknown unit in /v1/alerts/history: the same 400" 400 '^unit "nope" is not in the plan$' \
	"$HTTP/v1/alerts/history?unit=nope"
err "bad at=: 400" 400 'at="2021-02-30"' "$HTTP/v1/tallies?at=2021-02-30"
err "at= in epoch milliseconds: 400 (seconds take @)" 400 'at="1613520000000"' \
	"$HTTP/v1/tallies?at=1613520000000"
err "bad severity: 400" 400 'severity must be' "$HTTP/v1/alerts/history?severity=x"
err "bad since: 400" 400 'since must be' "$HTTP/v1/alerts/history?since=x"
err "bad limit: 400" 400 'limit must be' "$HTTP/v1/alerts/history?limit=0"
err "active other than 1: 400" 400 'active must be 1' "$HTTP/v1/alerts?active=2"
err "unknown path: 404" 404 'no such resource' "$HTTP/v1/nope"
err "unknown path, DELETE: 404" 404 'no such resource' -X DELETE "$HTTP/v1/nope"
for p in /healthz /v1/units /v1/tasks /v1/tallies /v1/alerts /v1/alerts/history /metrics; do
	for m in DELETE PUT PATCH OPTIONS POST; do
		err "$m $p: 405" 405 'allowed: GET, HEAD' -X "$m" "$HTTP$p"
	done
	expect_match "405 on $p says Allow: GET, HEAD" "$(tr -d '\r' <"$T/h")" '^Allow: GET, HEAD$'
	out=$(curl -s --max-time 10 -I -o "$T/hh" -w '%{http_code}' "$HTTP$p")
	expect_eq "HEAD $p: 200 like GET" "$out" 200
done
head -c 2000 /dev/zero | tr '\0' x >"$T/small"
head -c 5000 /dev/zero | tr '\0' x >"$T/big"
err "GET /v1/reload: 405, Allow: POST" 405 'allowed: POST' "$HTTP/v1/reload"
expect_match "(the header)" "$(tr -d '\r' <"$T/h")" '^Allow: POST$'
err "a body over 4 KiB: 413 in JSON" 413 'request body is over 4096 bytes' \
	-X POST --data-binary @"$T/big" "$HTTP/v1/reload"
out=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X POST --data-binary @"$T/small" "$HTTP/v1/reload")
expect_eq "a body under 4 KiB reaches /v1/reload" "$out" 200
# Over 1 MiB libevent 2.1.12 answers itself, in HTML (README: why it cannot
# be JSON); the body is not read, the connection closes, the daemon goes on.
# Both with Expect: 100-continue (curl's default at this size) and without.
head -c 2097152 /dev/zero >"$T/huge"
for expect in "Expect: 100-continue" "Expect:"; do
	out=$(curl -s --max-time 10 -D "$T/h" -o /dev/null -w '%{http_code}' -H "$expect" \
		-X POST --data-binary @"$T/huge" "$HTTP/v1/reload")
	expect_eq "a 2 MiB body ($expect): 413" "$out" 413
	expect_match "(libevent's own page, and the connection closes)" "$(tr -d '\r' <"$T/h")" \
		'^Content-Type: text/html$'
	expect_match "(closes)" "$(tr -d '\r' <"$T/h")" '^Connection: close$'
done
expect_eq "after the 2 MiB bodies, /healthz answers" "$(get_status /healthz)" 200
expect_eq "HEAD sends no body" "$(curl -s --max-time 10 -I "$HTTP/v1/tallies" | tr -d '\r' | sed -n '/^$/,$p' | wc -c)" 1

# at=: a date is that day's 00:00 in the plan's zone (+07); a time without
# offset is in the plan's zone; with one, as given; @N is Unix seconds.
at() { get "/v1/tallies?task=cay&unit=xa-a&at=$1" | jq -r .now; }
d=$(day '2 days ago')
prev=$(date -u -d "$d - 1 day" +%Y-%m-%d)
expect_eq "at=DATE: 00:00 of that day in the plan's zone" "$(at "$d")" "${prev}T17:00:00.000Z"
expect_eq "at=DATE TIME without offset: the plan's zone" "$(at "${d}T08:00:00")" "${d}T01:00:00.000Z"
expect_eq "at= with an offset: as given" "$(at "${d}T08:00:00%2B05:00")" "${d}T03:00:00.000Z"
expect_eq "at= in UTC" "$(at "${d}T08:00:00Z")" "${d}T08:00:00.000Z"
s=$(date -u -d "${d}T08:00:00Z" +%s)
expect_eq "at=@SECONDS: Unix seconds" "$(at "%40$s")" "${d}T08:00:00.000Z"
"$B/tools/zsend" --client probe --report "1|xa-a|cay|add|7|now-3600000" "$INGEST" >/dev/null
expect_eq "at= before the campaign: nothing counted, not_started" \
	"$(get "/v1/tallies?task=cay&unit=xa-a&at=2000-01-01" | jq -c '[.tallies[] | select(.rollup == false) | .actual, .status]')" \
	'["0","not_started"]'
expect_eq "at= in the future: everything so far, judged at that instant" \
	"$(get "/v1/tallies?task=cay&unit=xa-a&at=$(day '5 days')" | jq -c '[.tallies[] | select(.rollup == false) | .actual]')" \
	'["7"]'
finish
