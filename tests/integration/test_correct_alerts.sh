#!/bin/sh
# A correction recounts the pair "as if the report had never come: the
# tallies, the roll-ups, and so the alerts" (README, Corrections); and an
# alert that cannot be stored never fails the reports (README, Alerts:
# "under a savepoint, so that an alert failure never fails the reports"),
# injected with a trigger that refuses every alert event.
. "$(dirname "$0")/lib.sh"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
Z="$B/tools/zsend"
DB="$STATE/tiendo.db"
z() { $Z "$@" "$INGEST"; }
# tally TASK UNIT ROLLUP FIELD
tally() {
	get "/v1/tallies?task=$1" |
		jq -r --arg u "$2" --argjson r "$3" ".tallies[] | select(.unit == \$u and .rollup == \$r) | .$4"
}
# lag_alert UNIT ROLLUP: the severity of the active lag alert of cay/UNIT.
lag_alert() {
	get '/v1/alerts?active=1' |
		jq -r --arg u "$1" --argjson r "$2" '.alerts[] | select(.task == "cay" and .unit == $u and .rollup == $r and .rule == "lag") | .severity'
}
is_lag() { [ "$(lag_alert "$1" "$2")" = "$3" ]; }
no_lag() { [ -z "$(lag_alert "$1" "$2")" ]; }

# Task cay runs half-way: 50 % expected.  xa-a at 10 %, xa-b at 50 %: xa-a
# and the district (350 of 1500, 23 %) are critically late.
out=$(z --report "1|xa-a|cay|set|100|now-60000" --report "2|xa-b|cay|set|250|now-60000")
expect_match "two reports" "$out" "report 1 ACCEPTED.*
report 2 ACCEPTED"
ok "xa-a lags critically" wait_for 10 is_lag xa-a false critical
ok "so does the district roll-up" wait_for 10 is_lag huyen true critical

# A report of 500 (it was 5): xa-a at 60 %, the district at 57 %: both fine.
out=$(z --report "3|xa-a|cay|add|500|now-30000")
expect_match "the wrong report is accepted" "$out" "^report 3 ACCEPTED"
expect_eq "the district counts it" "$(tally cay huyen true actual)" 850
ok "xa-a's alert resolves" wait_for 10 no_lag xa-a false
ok "the district's too" wait_for 10 no_lag huyen true
mark=$(get '/v1/alerts' | jq '[.alerts[].seq] | max // 0')

# The correction: as if report 3 had never come.
out=$(z --report "4|||add|0|now" --voids "3|typed 500 for 5")
expect_match "the correction is accepted" "$out" "^report 4 ACCEPTED"
expect_eq "xa-a's tally is back" "$(tally cay xa-a false actual)" 100
expect_eq "the district roll-up follows" "$(tally cay huyen true actual)" 350
expect_eq "and counts the reports left" "$(tally cay huyen true reports)" 2
ok "xa-a's lag alert fires again" wait_for 10 is_lag xa-a false critical
ok "the district's too" wait_for 10 is_lag huyen true critical
expect_eq "as new firing events, after the correction" \
	"$(get '/v1/alerts' | jq -r --argjson m "$mark" '[.alerts[] | select(.seq > $m and .rule == "lag" and .task == "cay" and .transition == "firing") | .unit] | sort | join(" ")')" \
	"huyen xa-a"
stop_daemon

# --- an alert that cannot be stored -----------------------------------------
# Every alert event refused by the database, as a full or broken alert table
# would.  The rule still says xa-b should fire: the report must go in.
sqlite3 "$DB" "CREATE TRIGGER refuse_alerts BEFORE INSERT ON alert_events
	BEGIN SELECT RAISE(ABORT, 'injected alert failure'); END;"
: >"$T/tiendod.log"
start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
before=$(sqlite3 "$DB" "SELECT count(*) FROM alert_events")
out=$(z --report "5|xa-b|cay|set|10|now")
expect_match "a batch whose alert cannot be stored is OK" "$out" "^status OK$"
expect_match "its report accepted" "$out" "^report 5 ACCEPTED"
expect_eq "and stored" "$(sqlite3 "$DB" "SELECT count(*) FROM reports WHERE seq = 5")" 1
expect_eq "and counted" "$(tally cay xa-b false actual)" 10
ok "the alert failure is logged" wait_for 10 grep -q 'injected alert failure' "$T/tiendod.log"
expect_eq "no alert event was stored" "$(sqlite3 "$DB" "SELECT count(*) FROM alert_events")" "$before"
out=$(z --report "6|xa-b|cay|add|1|now")
expect_match "the next report too" "$out" "^report 6 ACCEPTED"
expect_eq "counted" "$(tally cay xa-b false actual)" 11
ok "the daemon is still running" kill -0 "$DPID"

# --- a refold in the middle of a batch -----------------------------------
# A correction recounts its pair from the store, which already holds the
# reports after it in the same batch (one transaction): each must still
# count once.  The same for a set older than the pair's last add.
z --report "10|xa-a|dat|add|5|now-60000" >/dev/null
out=$(z --report "11|||add|0|now" --voids "10|wrong" --report "12|xa-a|dat|add|7|now")
expect_match "a correction, then a report of its pair, in one batch" "$out" "^report 11 ACCEPTED
report 12 ACCEPTED"
expect_eq "the report after the correction counts once" "$(tally dat xa-a false actual) $(tally dat xa-a false reports)" "7 1"
out=$(z --report "13|xa-a|dat|set|2|now-30000" --report "14|xa-a|dat|add|1|now")
expect_match "an out-of-order set, then an add, in one batch" "$out" "^report 13 ACCEPTED
report 14 ACCEPTED"
expect_eq "set 2, and the adds after it: 7 + 1" "$(tally dat xa-a false actual) $(tally dat xa-a false reports)" "10 3"
expect_eq "the tally equals a recount of the store" "$(tally dat xa-a false actual)" \
	"$(sqlite3 "$DB" "SELECT (SELECT value FROM reports WHERE seq = 13 AND client = 'probe') / 1000 + sum(value) / 1000 FROM reports WHERE task = 'dat' AND unit = 'xa-a' AND kind = 1 AND voided_by IS NULL AND voids_seq IS NULL AND observed_at > (SELECT observed_at FROM reports WHERE seq = 13 AND client = 'probe')")"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
finish
