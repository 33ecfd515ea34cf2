#!/bin/sh
# One rule for every instant a client shows a person (README "Programs",
# the TIMES paragraphs of tiendo-ctl(1), tiendo-push(1), tiendo-sub(1)):
# the zone of $TZ, always with its numeric offset, whatever the plan's zone;
# dd/mm/yyyy under --lang vi, the offset kept.  Under TZ=America/New_York
# and TZ=Asia/Ho_Chi_Minh, tiendo-ctl status, alerts (active and
# --history), reports and silence list, tiendo-push's fates and
# --status/--history, tiendo-sub's lines and its --grouped lines all name
# the same instants as the daemon's JSON, which stays RFC 3339 UTC.
TEST_CLIENTS_MORE="k"
. "$(dirname "$0")/lib.sh"

NY=America/New_York
HCM=Asia/Ho_Chi_Minh
CTL="$B/tiendo-ctl"
PUSH="$B/tiendo-push"

# show ZONE INSTANT: the instant as the clients should print it in ZONE.
show() { TZ=$1 date -d "$2" '+%Y-%m-%d %H:%M:%S %:z'; }
# expect_has NAME TEXT STRING: a line of TEXT holds STRING, as it is.
expect_has() {
	if printf '%s\n' "$2" | grep -qF -- "$3"; then pass "$1"
	else flunk "$1" "text:    $(printf '%s' "$2" | head -c 600)" "wanted:  $3"; fi
}
# offset_of ZONE INSTANT: the zone's offset then, e.g. -05:00.
offset_of() { TZ=$1 date -d "$2" +%:z; }
# A time printed the client way with a given offset, as a pattern.
TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
UTC_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

# The instant of the reports: 03:04:05 UTC two days ago, 10:04:05 in Hanoi,
# the evening before in New York.
AT="$(day '2 days ago')T03:04:05Z"
for z in $NY $HCM; do
	case $z:$(offset_of "$z" "$AT") in
	$NY:-05:00 | $NY:-04:00 | $HCM:+07:00) ;;
	*) flunk "the test's zones" "$z is $(offset_of "$z" "$AT") at $AT"; finish; exit ;;
	esac
done

printf '[tiendod]\nalert_group_window = 1s\n' >"$T/tiendod.conf"
start_daemon -c "$T/tiendod.conf" --alert-pending 0s --alert-interval 200ms || exit 1

# --- grouped subscribers first: a group is published once, live ------------
TZ=$NY "$B/tiendo-sub" --grouped >"$T/grouped.ny" 2>"$T/grouped.ny.err" &
PIDS="$PIDS $!"
TZ=$HCM "$B/tiendo-sub" --grouped >"$T/grouped.hcm" 2>"$T/grouped.hcm.err" &
PIDS="$PIDS $!"
TZ=$NY "$B/tiendo-sub" --grouped --json >"$T/grouped.json" 2>"$T/grouped.json.err" &
PIDS="$PIDS $!"
subscribed() { get /metrics | grep -Eq '^tiendo_subscribers [3-9]'; }
ok "three group subscribers connected" wait_for 10 subscribed
active() { get '/v1/alerts?active=1' | jq -e '.alerts | length > 0'; }
ok "an alert fires (cay lags in both communes)" wait_for 20 active

# --- tiendo-ctl alerts, active: the instant of the JSON, in each zone --------
a=$(get '/v1/alerts?active=1&limit=1' | jq -c '.alerts[0]')
seq=$(jget "$a" .seq)
aat=$(jget "$a" .at)
expect_match "the daemon's JSON is RFC 3339 UTC" "$aat" "$UTC_RE"
for z in $NY $HCM; do
	line=$(TZ=$z "$CTL" alerts | awk -v s="$seq" '$1 == s')
	expect_has "tiendo-ctl alerts in $z: $(show "$z" "$aat")" "$line" "$seq  $(show "$z" "$aat") "
done
expect_eq "tiendo-ctl alerts --json keeps the daemon's UTC" \
	"$(TZ=$NY "$CTL" alerts --json | jq -r --argjson s "$seq" '.alerts[] | select(.seq == $s) | .at')" "$aat"

# --- tiendo-sub: the active alerts of its snapshot ---------------------------
for z in $NY $HCM; do
	TZ=$z "$B/tiendo-sub" >"$T/sub.${z##*/}.out" 2>/dev/null &
	PIDS="$PIDS $!"
done
TZ=$NY "$B/tiendo-sub" --json >"$T/sub.json" 2>/dev/null &
PIDS="$PIDS $!"
for z in $NY $HCM; do
	want=$(show "$z" "$aat")
	ok "tiendo-sub in $z prints $want" wait_for 10 grep -qF -- "$want " "$T/sub.${z##*/}.out"
	expect_match "at the start of its line, with its unit" \
		"$(grep -F -- "$want " "$T/sub.${z##*/}.out")" "^$(printf '%s' "$want" | sed 's/+/\\+/') [A-Z]+ +active +$(jget "$a" .unit) "
done
# (jq -e would judge by the last line's output only)
in_json() { jq -c --argjson s "$seq" 'select(.seq == $s)' "$T/sub.json" | grep -q .; }
ok "tiendo-sub --json has it" wait_for 10 in_json
expect_eq "with the daemon's UTC" "$(jq -r --argjson s "$seq" 'select(.seq == $s) | .at' "$T/sub.json" | head -1)" "$aat"

# --- tiendo-push: its fates, at the chosen instant ----------------------------
out=$(TZ=$NY "$PUSH" --client xa-a --unit xa-a --task cay --set 1000 --at "$AT" 2>&1)
expect_has "tiendo-push's fate in $NY" "$out" "xa-a cay =1000 @$(show $NY "$AT"): accepted"
out=$(TZ=$HCM "$PUSH" --client xa-b --unit xa-b --task cay --set 500 --at "$AT" 2>&1)
expect_has "tiendo-push's fate in $HCM" "$out" "xa-b cay =500 @$(show $HCM "$AT"): accepted"
# --tz is the zone --at is read in, not the zone times are printed in
out=$(TZ=$HCM "$PUSH" --client xa-a --tz $NY --unit xa-a --task dat --add 1 \
	--at "$(day '2 days ago') 22:04:05" 2>&1)
want_at=@$(TZ=$NY date -d "$(day '2 days ago') 22:04:05" +%s)
expect_has "--tz $NY reads --at, $HCM prints it" "$out" "xa-a dat +1 @$(show $HCM "$want_at"): accepted"

for z in $NY $HCM; do
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	st=$(TZ=$z "$PUSH" --client xa-a --status --history 5)
	expect_match "tiendo-push --status in $z: observed and delivered, with offsets" "$st" \
		"^[0-9]+ xa-a cay =1000 @$(show "$z" "$AT" | sed 's/+/\\+/'): accepted $TIME_RE $(offset_of "$z" "$now" | sed 's/+/\\+/')\$"
done

# --- tiendo-ctl reports ---------------------------------------------------------
obs=$(get '/v1/reports?task=cay&unit=xa-a' | jq -r '.reports[-1].observed_at')
expect_eq "the JSON's observed_at is the instant pushed, in UTC" "$obs" "$(date -u -d "$AT" +%Y-%m-%dT%H:%M:%S.000Z)"
for z in $NY $HCM; do
	out=$(TZ=$z "$CTL" reports --task cay)
	expect_match "tiendo-ctl reports in $z: both reports at $(show "$z" "$AT")" \
		"$(printf '%s\n' "$out" | grep -cF -- "$(show "$z" "$AT")")" '^2$'
done
expect_eq "tiendo-ctl reports --json keeps UTC" \
	"$(TZ=$NY "$CTL" reports --task cay --unit xa-a --json | jq -r '.reports[-1].observed_at')" "$obs"

# --- tiendo-ctl status: "as of" the instant asked for -----------------------------
for z in $NY $HCM; do
	out=$(TZ=$z "$CTL" status --task cay --at "$AT")
	expect_has "tiendo-ctl status --at in $z" "$out" \
		"Plan Kế hoạch thử nghiệm (zone $HCM), as of $(show "$z" "$AT")"
	out=$(TZ=$z "$CTL" status --lang vi --task cay --at "$AT")
	expect_has "in Vietnamese: dd/mm/yyyy, the offset kept" "$out" \
		"tính đến $(TZ=$z date -d "$AT" '+%d/%m/%Y %H:%M:%S %:z')"
	out=$(TZ=$z "$CTL" status --task cay)
	expect_match "tiendo-ctl status (now) in $z" "$out" \
		"as of $TIME_RE $(offset_of "$z" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" | sed 's/+/\\+/')\$"
done

# --- the resolve events: alerts --history and the grouped lines ------------------
resolved() { get '/v1/alerts/history?limit=1000' | jq -e '[.alerts[] | select(.transition == "resolved" and .task == "cay")] | length > 0'; }
ok "the sets resolve cay's alerts" wait_for 20 resolved
h=$(get '/v1/alerts/history?limit=1000' | jq -c '[.alerts[] | select(.transition == "resolved" and .task == "cay")][0]')
hseq=$(jget "$h" .seq)
hat=$(jget "$h" .at)
for z in $NY $HCM; do
	line=$(TZ=$z "$CTL" alerts --history --limit 1000 | awk -v s="$hseq" '$1 == s')
	expect_has "tiendo-ctl alerts --history in $z" "$line" "$hseq  $(show "$z" "$hat") "
done
grouped() { jq -c 'select(.task == "cay" and .kind == "resolved")' "$T/grouped.json" | grep -q .; }
ok "a resolve group for cay" wait_for 15 grouped
g=$(jq -c 'select(.task == "cay" and .kind == "resolved")' "$T/grouped.json" | head -1)
gat=$(jget "$g" .at)
expect_match "tiendo-sub --grouped --json keeps UTC" "$gat" "$UTC_RE"
ok "tiendo-sub --grouped in $NY prints it" wait_for 10 grep -qF -- "$(show $NY "$gat")  " "$T/grouped.ny"
ok "tiendo-sub --grouped in $HCM prints it" wait_for 10 grep -qF -- "$(show $HCM "$gat")  " "$T/grouped.hcm"

# --- tiendo-ctl silence list ------------------------------------------------------
"$CTL" silence add --unit xa-b --until "$(day '3 days')" --reason "họp" >/dev/null ||
	flunk "a silence is made"
s=$(get /v1/silences | jq -c '.silences[0]')
for z in $NY $HCM; do
	out=$(TZ=$z "$CTL" silence list)
	expect_has "tiendo-ctl silence list in $z: until and made" "$out" \
		"until $(show "$z" "$(jget "$s" .until)")  by $(jget "$s" .created_by) at $(show "$z" "$(jget "$s" .created_at)"): họp"
done

# --- what waits in the outbox: pending since ------------------------------------
before=$(date -u +%s)
"$PUSH" --client xa-a --no-send -q --unit xa-a --task dat --add 1 >/dev/null ||
	flunk "a report queued"
after=$(date -u +%s)
for z in $NY $HCM; do
	since=$(TZ=$z "$PUSH" --client xa-a --status | sed -n 's/.*: pending since //p')
	t=$(date -u -d "$since" +%s 2>/dev/null || echo 0)
	if [ "$t" -ge "$before" ] && [ "$t" -le "$after" ] &&
	   [ "${since##* }" = "$(offset_of "$z" "@$t")" ]; then
		pass "pending since, in $z: $since"
	else
		flunk "pending since, in $z" "got: $since" "between $before and $after, offset $(offset_of "$z" "@$before")"
	fi
done

finish
