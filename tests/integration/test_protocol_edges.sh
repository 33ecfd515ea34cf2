#!/bin/sh
# PROTOCOL.md at its edges, as a client written from the document alone
# would try them: the limits exactly at and just past their values, the
# largest numbers, which error wins when two things are wrong at once,
# and what CurveZMQ changes (the message size on the wire; a correction
# that names no unit), the four topic families and the held topic as a
# bare SUB sees them, and the snapshot socket's answers at its edges.
# Other suites cover the ordinary cases.
TEST_CLIENTS="probe sub t"
. "$(dirname "$0")/lib.sh"

# lib.sh's plan, and a task "le" that no department owns (owner "-").
make_plan "$T/plan.ini"
cat >>"$T/plan.ini" <<PLAN

[task le]
title = Việc lẻ
measure = việc
start = $(day '10 days ago')
deadline = $(day '10 days')

[targets le]
xa-a = 10
PLAN

Z="$B/tools/zsend"
TIENDO_TEST_CURVE=1
make_keys || exit 1
test_key xa-a                   # may report for xa-a only (the default)
test_key gw "xa-a, xa-b"        # narrowed to xa-a below
start_daemon || exit 1
z() { $Z "$@" "$INGEST" 2>&1; }

# --- 3.4 and 2.9: a correction is judged by the unit of what it voids ------
z --client xa-a --report "1|xa-a|cay|add|10|now-60000" >/dev/null
expect_match "a correction naming no unit (2.9: MAY be empty), from a key of one unit: accepted" \
	"$(z --client xa-a --report "2|||add|0|now" --voids "1|typed 10 for 1")" \
	'^report 2 ACCEPTED'
expect_eq "and it voided the report" "$(tally cay xa-a actual)" 0
z --client gw --report "1|xa-b|cay|add|7|now-60000" >/dev/null
echo "units = xa-a" >"$T/gw.units"
sed -i '/^units/d' "$KEYS/clients/gw.key"
cat "$T/gw.units" >>"$KEYS/clients/gw.key"
kill -HUP "$DPID"
ok "SIGHUP reloads the narrowed key" wait_for 10 grep -q "zap: reloaded" "$T/tiendod.log"
expect_match "voiding a report of a unit the key may no longer report for: UNIT_NOT_ALLOWED" \
	"$(z --client gw --report "2|||add|0|now" --voids "1|wrong unit")" \
	'^report 2 REJECTED UNIT_NOT_ALLOWED client "gw" may not report for unit "xa-b"'
expect_eq "and nothing was voided" "$(tally cay xa-b actual)" 7

# --- 2.2 and 3.5: the size limits, exactly -------------------------------
expect_match "a batch of exactly 1 MiB is read (its report refused: the note is long)" \
	"$(z --report "10|xa-a|cay|add|1|now" --pad-to 1048576)" \
	'^report 10 REJECTED TOO_LONG note'
expect_match "one byte more: BATCH_TOO_LARGE" \
	"$(z --report "10|xa-a|cay|add|1|now" --pad-to 1048577)" '^error BATCH_TOO_LARGE'
# With CurveZMQ each message travels inside a MESSAGE command, 33 bytes
# longer than the message: the limit is the message's, not the command's.
expect_match "with CurveZMQ, a message of exactly 1.25 MiB is still answered" \
	"$(z --garbage 1310720 --timeout 10000)" '^error BATCH_TOO_LARGE'
expect_match "one byte more: the connection is dropped, no reply" \
	"$(z --garbage 1310721 --timeout 1500)" 'no reply'
ok "the daemon is healthy after that" healthy
stop_daemon

# --- plain mode: what Batch.client may be ---------------------------------
STATE=$T/plain TIENDO_TEST_CURVE=0
start_daemon || exit 1
c64=$(printf '%064d' 0 | tr 0 c)
expect_match "a client identity of 64 characters" \
	"$(z --client "$c64" --report "1|xa-a|cay|add|1|now")" "^client $c64\$"
expect_match "65: BATCH_BAD_CLIENT" \
	"$(z --client "${c64}c" --report "1|xa-a|cay|add|1|now")" '^error BATCH_BAD_CLIENT'
# Batch checks run in the order of the table (2.2): version, client,
# reports; a NUL in the client is a bad client whatever else is wrong.
expect_match "version 2 and a NUL in the client: BATCH_VERSION first" \
	"$(z --nul-7f --version 2 --client "abc\x7f" --report "1|xa-a|cay|add|1|now")" \
	'^error BATCH_VERSION'
expect_match "a NUL in the client and no report: BATCH_BAD_CLIENT, not BATCH_EMPTY" \
	"$(z --nul-7f --client "abc\x7f")" '^error BATCH_BAD_CLIENT'
expect_match "a NUL in the client and 1001 reports: BATCH_BAD_CLIENT, not BATCH_TOO_MANY" \
	"$(z --nul-7f --client "abc\x7f" --report "1|xa-a|cay|add|1|now" --repeat 1000)" \
	'^error BATCH_BAD_CLIENT'
expect_match "an invalid client and no report: BATCH_BAD_CLIENT too" \
	"$(z --client "x y")" '^error BATCH_BAD_CLIENT'

# --- 2.2, 2.3: the largest and smallest values -----------------------------
out=$(z --client big --report "1000|xa-a|cay|add|0|now" --repeat 999)
expect_eq "exactly 1000 reports: every one accepted" \
	"$(printf '%s\n' "$out" | grep -c '^report [0-9]* ACCEPTED')" 1000
expect_match "the largest seq (2^64 - 1) is accepted" \
	"$(z --client big --report "18446744073709551615|xa-a|cay|add|0|now")" \
	'^report 18446744073709551615 ACCEPTED'
expect_match "and is a duplicate when sent again" \
	"$(z --client big --report "18446744073709551615|xa-a|cay|add|0|now")" \
	'^report 18446744073709551615 DUPLICATE'
expect_match "2^63 is another seq, not the same one" \
	"$(z --client big --report "9223372036854775808|xa-a|cay|add|0|now")" \
	'^report 9223372036854775808 ACCEPTED'
expect_eq "/v1/reports gives each seq whole: a number up to 2^63 - 1, its digits as a string above" \
	"$(get '/v1/reports?order=newest&limit=3' | jq -c '[.reports[] | select(.client == "big") | .seq]')" \
	'["9223372036854775808","18446744073709551615",1999]'
since=$(get '/v1/reports?order=newest&limit=3' | jq '.reports[2].id')
expect_match "and tiendo-ctl reports prints them as sent" \
	"$("$B/tiendo-ctl" --http "$HTTP" reports --since "$since" 2>&1 | grep -c 'big #9223372036854775808\|big #18446744073709551615')" '^2$'
expect_match "observed_at exactly 2000-01-01T00:00:00Z is accepted" \
	"$(z --client big --report "3|xa-a|cay|add|0|946684800000")" '^report 3 ACCEPTED'
expect_match "one millisecond before: REJECT_BAD_TIME" \
	"$(z --client big --report "4|xa-a|cay|add|0|946684799999")" '^report 4 REJECTED BAD_TIME'
expect_match "the largest observed_at: REJECT_FUTURE" \
	"$(z --client big --report "4|xa-a|cay|add|0|9223372036854775807")" '^report 4 REJECTED FUTURE'
expect_match "an ADD of -10^12 is accepted" \
	"$(z --client big --report "5|xa-a|cay|add|-1000000000000|now")" '^report 5 ACCEPTED'
expect_match "10^12 + 0.001: REJECT_BAD_VALUE" \
	"$(z --client big --report "6|xa-a|cay|add|1000000000000.001|now")" '^report 6 REJECTED BAD_VALUE'
expect_match "a kind no enum names (3): REJECT_BAD_KIND" \
	"$(z --client big --report "6|xa-a|cay|3|1|now")" '^report 6 REJECTED BAD_KIND'

# --- 2.3: which code when two things are wrong ----------------------------
expect_match "invalid UTF-8 in unit and a note too long: the unit's, field by field" \
	"$(z --client big --report "7|\\xff|cay|add|1|now" --pad-note 1001)" \
	'^report 7 REJECTED BAD_UTF8 unit'
expect_match "a value of 33 bytes in a correction: TOO_LONG (its value is ignored, but it is text)" \
	"$(z --client big --report "7|||add|000000000000000000000000000000001|now" --voids "3|x")" \
	'^report 7 REJECTED TOO_LONG value'
expect_match "void_reason without voids_seq is checked after observed_at" \
	"$(z --client big --report "7|xa-a|cay|add|1|0" --voids "0|why")" \
	'^report 7 REJECTED BAD_TIME'
expect_match "void_reason without voids_seq, the rest right: REJECT_BAD_CORRECTION" \
	"$(z --client big --report "7|xa-a|cay|add|1|now" --voids "0|why")" \
	'^report 7 REJECTED BAD_CORRECTION'
stop_daemon

# --- 4.2, 4.6: the topics, as a bare SUB to everything receives them -------
# Everything lags at the start (pending 0): cay/xa-a is critical, le/xa-a
# lags and is silent.  Then cay/xa-a eases to warning (its topics say
# critical, the higher), le/xa-a is done (resolves and a notice, under
# owner "-"), and cay/xa-b eases under a silence (held: one topic only).
STATE=$T/topics TIENDO_TEST_CURVE=0
start_daemon --alert-pending 0 || exit 1
ok "the start's alerts are stored" wait_for 10 sh -c \
	"curl -sf '$HTTP/v1/alerts/history?task=le&unit=huyen' | jq -e '.alerts | length >= 2'"
"$B/tools/zsub" --plain --sub "" --ready "$T/subbed" --timeout 30000 "$PUB" \
	>"$T/topics.out" 2>&1 &
ZPID=$!
PIDS="$PIDS $ZPID"
ok "the bare SUB is subscribed (a heartbeat came)" wait_for 10 test -f "$T/subbed"
z --client t --report "1|xa-a|cay|set|300|now" --report "2|xa-a|le|set|10|now" >/dev/null
# The roll-up's notice is the last of that batch's events.
ok "the events came" wait_for 10 grep -q '^unit/huyen/@le/ [0-9]* notice ' "$T/topics.out"
expect_eq "an easing, once under each family, its severity the higher (critical)" \
	"$(grep ' eased ' "$T/topics.out" | grep '/cay/xa-a/\|/xa-a/@cay/' | cut -d' ' -f1,3-)" \
"sev/critical/cay/xa-a/ eased warning critical
task/cay/xa-a/critical/ eased warning critical
owner/phong-nn/cay/xa-a/ eased warning critical
unit/huyen/xa-a/@cay/ eased warning critical"
expect_eq "a notice of a task no department owns: owner/-/, severity info" \
	"$(grep ' notice ' "$T/topics.out" | grep 'le/xa-a/\|xa-a/@le/' | cut -d' ' -f1,3,4)" \
"sev/info/le/xa-a/ notice info
task/le/xa-a/info/ notice info
owner/-/le/xa-a/ notice info
unit/huyen/xa-a/@le/ notice info"
ok "a roll-up's unit topic ends at its unit: unit/huyen/@le/" \
	grep -q '^unit/huyen/@le/ ' "$T/topics.out"
"$B/tiendo-ctl" silence add --task cay --unit xa-b --until "$(day '2 days')" \
	--reason "edges" --by t >/dev/null
z --client t --report "3|xa-b|cay|set|200|now" >/dev/null
ok "the silenced event came" wait_for 10 grep -q '^sev/held/' "$T/topics.out"
held=$(get '/v1/alerts/history?task=cay&unit=xa-b&limit=10000' | jq -r '[.alerts[] | select(.rollup == false)] | last | "\(.seq) \(.silence)"')
expect_match "(the history has it, silenced)" "$held" '^[0-9]+ [1-9]'
expect_eq "a held event: once, under sev/held/<task>/<unit>/ only" \
	"$(grep " ${held% *} " "$T/topics.out" | cut -d' ' -f1,3)" "sev/held/cay/xa-b/ eased"
expect_eq "every other event exactly four times" \
	"$(awk -v h="${held% *}" '$2 != h { n[$2]++ } END { for (s in n) if (n[s] != 4) print s, n[s] }' "$T/topics.out")" ""
kill "$ZPID" 2>/dev/null
stop_daemon

# --- 4.4: the snapshot socket at its edges ---------------------------------
# 600 communes, every one lagging at the start: 601 events (the district's
# roll-up last), so a reply comes in parts of at most 500.
STATE=$T/snap PLAN=$T/many.ini
many_plan 600 cay "Cây" >"$PLAN"
start_daemon --alert-pending 0 || exit 1
ok "the 601 events are stored" wait_for 30 sh -c \
	"curl -sf '$HTTP/v1/alerts/history?since=600' | jq -e '.last_seq == 601'"
snap() { "$B/tools/zsnap" --plain "$@" "$SNAPSHOT" 2>&1; }
parts() { snap "$@" | grep '^part'; }
expect_eq "since 0: the active set, in parts of 500, all at N, the last marked" \
	"$(parts --since 0)" "part 601 replay=0 last=0 alerts=500 error=
part 601 replay=0 last=1 alerts=101 error="
expect_eq "(each active alert once)" "$(snap --since 0 | grep -c '^alert')" 601
expect_eq "since 1: a replay of events 2 to 601" \
	"$(parts --since 1)" "part 601 replay=1 last=0 alerts=500 error=
part 601 replay=1 last=1 alerts=100 error="
expect_eq "(in seq order)" "$(snap --since 1 | awk '/^alert/ { print $2 }' | sort -n -c && echo sorted)" sorted
expect_eq "since N: a replay of nothing" "$(snap --since 601)" "part 601 replay=1 last=1 alerts=0 error="
expect_eq "since ahead of N (a restored database): the active set" \
	"$(parts --since 602 | head -1)" "part 601 replay=0 last=0 alerts=500 error="
expect_match "version 2: one Snapshot with error set" "$(snap --version 2)" \
	'^part [0-9]+ replay=0 last=1 alerts=0 error=.+'
expect_match "garbage: one Snapshot with error set" "$(snap --garbage 10)" \
	'^part [0-9]+ replay=0 last=1 alerts=0 error=.+'
stop_daemon
finish
