#!/bin/sh
# Silences: made, listed and expired with tiendo-ctl (over /v1/silences),
# audited, kept across a restart; a silenced event is stored and in the
# history, published only under sev/held/, and tiendo-sub shows it only
# with --held.  The plan is lib.sh's: everything lags at start.
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"

start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
sub() {
	name=$1; shift
	"$B/tiendo-sub" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS="$PIDS $!"
}
send() { "$B/tools/zsend" --client t --report "$1" "$INGEST" >/dev/null; }
hist() { get "/v1/alerts/history?task=cay&unit=xa-a&limit=10000"; }
LAG_A='.unit=="xa-a" and .task=="cay" and .rule=="lag" and .rollup==false'
ctl() { "$B/tiendo-ctl" "$@"; }

sub plain --json
sub held --json --held
ok "subscribers get the active set" wait_for 10 has plain "$LAG_A and .kind==\"active\""

# --- bad input changes nothing --------------------------------------
out=$(ctl silence add --unit nope --until "$(day '2 days')" --reason x 2>&1)
expect_eq "unknown unit: exit 65" "$?" 65
expect_match "and says which" "$out" 'unit "nope" is not in the plan'
out=$(ctl silence add --unit xa-a --until "$(day '2 days ago')" --reason x 2>&1)
expect_match "until in the past is refused" "$out" "until is not in the future"
out=$(ctl silence add --unit xa-a --until "$(day '2 days')" 2>&1)
expect_match "a reason is required" "$out" "reason= and by= are required"
out=$(ctl silence add --until "$(day '2 days')" --reason x 2>&1)
expect_match "silencing everything is refused" "$out" "names a task, a unit or both"
out=$(ctl silence add --unit xa-a --until "31/12" --reason x 2>&1)
expect_match "a bad date says why" "$out" 'until="31/12"'
expect_eq "none was made" "$(get '/v1/silences?all=1' | jq '.silences | length')" 0

# --- a silence on xa-a's tree-planting --------------------------------
out=$(ctl silence add --task cay --unit xa-a --until "$(day '2 days')" \
	--reason "bão số 3: xã mất điện" --by chu-tich)
expect_match "tiendo-ctl silence add" "$out" "^silence 1 made"
s=$(get /v1/silences | jq -c '.silences[0]')
expect_eq "audited: who, why, what" \
	"$(jget "$s" '"\(.id) \(.task) \(.unit) \(.created_by) \(.reason) \(.active)"')" \
	"1 cay xa-a chu-tich bão số 3: xã mất điện true"
expect_match "until is the end of the day given" "$(jget "$s" .until)" "^$(day '2 days')T17:00:00.000Z|^$(day '3 days')T"

send "1|xa-a|cay|set|600|now"
ok "the held subscriber gets the resolve, marked" wait_for 10 has held "$LAG_A and .transition==\"resolved\" and .silence==1"
send "2|xa-b|cay|set|500|now"
ok "an unsilenced event still comes" wait_for 10 has plain '.unit=="xa-b" and .rule=="done"'
expect_eq "the plain subscriber never printed the silenced one" \
	"$(jq -c "select($LAG_A and .kind==\"live\")" "$T/plain.out" | wc -l)" 0
expect_eq "it is stored, with its silence" \
	"$(hist | jq '[.alerts[] | select(.rule=="lag" and .rollup==false and .transition=="resolved")][0].silence')" 1
expect_match "held events are counted" "$(metric tiendo_alert_events_held_total)" "^[1-9]"
expect_eq "the plain subscriber saw no gap" "$(grep -c -i gap "$T/plain.err")" 0

# --- it survives a restart ------------------------------------------
stop_daemon
start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
expect_eq "after a restart the silence runs" "$(ctl silence list | awk '{ print $1, $2, $3 }')" "1 cay xa-a"
send "3|xa-a|cay|set|100|now"
fired() { hist | jq -e '[.alerts[] | select(.rule=="lag" and .rollup==false and .transition=="firing")] | last | .silence == 1' >/dev/null; }
ok "and still holds back a new alert" wait_for 10 fired

# --- expired by hand ------------------------------------------------
out=$(ctl silence expire 1 --by pho-chu-tich)
expect_eq "tiendo-ctl silence expire" "$out" "silence 1 expired"
expect_eq "no running silence" "$(ctl silence list)" "no running silences"
expect_match "the audit trail keeps it" "$(ctl silence list --all)" "expired by pho-chu-tich"
ctl silence expire 1 >/dev/null 2>&1
expect_eq "expiring it again: 65 (404)" "$?" 65
send "4|xa-a|cay|set|600|now"
pushed() { hist | jq -e '[.alerts[] | select(.rule=="lag" and .rollup==false)] | last | .transition == "resolved" and .silence == 0' >/dev/null; }
ok "after expiry the events are pushed again" wait_for 10 pushed

# --- databases of the previous schema (SQLite) --------------------------
# Up to schema version 3 the silences table and retention's index
# alert_state_last were made IF NOT EXISTS at every start, outside the
# migrations; version 4 is their migration.  A version 3 database made that
# way keeps its silences; one older than silences gains them; both end with
# the schema of a new database.
if [ "${TIENDO_TEST_STORE:-sqlite}" = sqlite ]; then
	DB=$STATE/tiendo.db
	schema() { sqlite3 "$DB" "PRAGMA user_version; SELECT type, name, sql FROM sqlite_master ORDER BY name"; }
	stop_daemon
	new_schema=$(schema)
	expect_match "a new database is at schema version 4" "$new_schema" '^4
'
	# What the previous tiendod made, word for word.
	sqlite3 "$DB" "CREATE TEMP TABLE kept AS SELECT * FROM silences;
		DROP TABLE silences; DROP INDEX alert_state_last;
		CREATE TABLE IF NOT EXISTS silences (  id INTEGER PRIMARY KEY,  task TEXT,  unit TEXT,  until_at INTEGER NOT NULL,  reason TEXT NOT NULL,  created_by TEXT NOT NULL,  created_at INTEGER NOT NULL,  expired_by TEXT,  expired_at INTEGER);
		INSERT INTO silences SELECT * FROM kept;
		CREATE INDEX IF NOT EXISTS alert_state_last ON alert_state (last_seq);
		PRAGMA user_version = 3;"
	expect_match "(the previous version's database: schema 3)" "$(schema)" '^3
'
	start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
	expect_match "a version 3 database with silences opens and keeps them" \
		"$(ctl silence list --all)" '^ *1 +cay +xa-a .*expired by pho-chu-tich'
	stop_daemon
	expect_eq "... migrated to the new database's schema" "$(schema)" "$new_schema"
	sqlite3 "$DB" "DROP TABLE silences; DROP INDEX alert_state_last; PRAGMA user_version = 3;"
	start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
	expect_eq "a version 3 database from before silences opens" \
		"$(ctl silence list --all)" "no silences"
	expect_match "... and takes new ones" "$(ctl silence add --unit xa-b \
		--until "$(day '2 days')" --reason "sau nâng cấp" --by vp)" '^silence 1 made'
	stop_daemon
	expect_eq "... migrated to the new database's schema" "$(schema)" "$new_schema"
fi
finish
