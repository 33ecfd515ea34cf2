#!/bin/sh
# Alerts end to end: the real tiendod and the real tiendo-sub.  Pending 0
# and a fast timer, so that nothing waits; the plan's dates lie around
# today (make_plan): task "cay" expects 50 % now.
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
start_daemon --alert-pending 0 --alert-interval 200ms || exit 1
SNAP=$SNAPSHOT
expect_match "endpoints file names pub and snapshot" "$(cat "$STATE/endpoints")" "pub=tcp://127.0.0.1:[0-9]+"

# sub NAME ARGS...: a tiendo-sub in the background, output in $T/NAME.out
sub() {
	name=$1; shift
	"$B/tiendo-sub" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
}
count() { jq -c "select($2)" "$T/$1.out" 2>/dev/null | wc -l; }
seqs_ok() { # NAME: live/replay seqs strictly consecutive, no duplicate
	jq -r 'select(.kind != "active") | .seq' "$T/$1.out" |
		awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }'
}
send() { $Z --client t "$@" "$INGEST" >/dev/null; }
LAG_A='.unit=="xa-a" and .task=="cay" and .rule=="lag" and .rollup==false'

# --- at start: nothing reported, so everything lags -------------------
sub text
sub j --json
ok "subscriber gets the active set" wait_for 10 has j "$LAG_A and .kind==\"active\" and .severity==\"critical\""
# The text subscriber is its own process: its line comes when it comes.
TEXT_LAG="CRITICAL +active +xa-a +cay .*Xã Hoàng Đan chậm tiến độ nghiêm trọng “Tết trồng cây”: 0/1.000 cây"
wait_for 10 grep -Eq -- "$TEXT_LAG" "$T/text.out"
expect_match "readable line with severity and message" "$(cat "$T/text.out")" "$TEXT_LAG"

# --- catch up: it resolves; fall behind: it fires ---------------------
send --report "1|xa-a|cay|set|600|now"
ok "catching up resolves the alert" wait_for 10 has j "$LAG_A and .transition==\"resolved\" and .kind==\"live\""
r=$(jq -c "select($LAG_A and .transition==\"resolved\")" "$T/j.out")
expect_eq "resolve carries the numbers" "$(jget "$r" '"\(.actual)/\(.target) \(.percent)"')" "600/1000 60.00"
expect_match "resolve message" "$(jget "$r" .message)" "đã bắt kịp tiến độ"
send --report "2|xa-a|cay|set|350|now"
ok "lagging report fires a warning" wait_for 10 has j "$LAG_A and .transition==\"firing\" and .severity==\"warning\" and .kind==\"live\""
send --report "3|xa-a|cay|set|100|now"
ok "worse: escalated to critical, same alert" wait_for 10 has j "$LAG_A and .transition==\"escalated\" and .severity==\"critical\""
e=$(jq -c "select($LAG_A and .transition==\"escalated\")" "$T/j.out")
f=$(jq -c "select($LAG_A and .transition==\"firing\" and .kind==\"live\")" "$T/j.out")
expect_eq "escalation keeps the alert id" "$(jget "$e" .id)" "$(jget "$f" .seq)"
send --report "4|xa-b|cay|set|500|now"
ok "done notice" wait_for 10 has j '.unit=="xa-b" and .rule=="done" and .transition=="notice"'
expect_eq "stream so far has no gap and no duplicate" "$(seqs_ok j && echo ok)" ok

# --- filters, late joiner ---------------------------------------------
sub late --json
sub onlyh --json --unit huyen
sub crit --json --severity critical
ok "late subscriber gets the active set" wait_for 10 has late "$LAG_A and .kind==\"active\" and .severity==\"critical\""
expect_eq "active set holds that alert once" "$(count late "$LAG_A")" 1
expect_eq "resolved alerts are not in the active set" \
	"$(count late '.unit=="xa-b" and .task=="cay" and .rule=="lag"')" 0
expect_eq "done notices are not in the active set" "$(count late '.rule=="done"')" 0
ok "unit filter" wait_for 10 has onlyh '.unit=="huyen"'
expect_eq "unit filter shows only that unit" "$(count onlyh '.unit!="huyen"')" 0
ok "severity filter" wait_for 10 has crit '.severity=="critical"'
# An event's severity is the higher of before and after (a critical alert
# easing is shown): nothing that was never critical.
expect_eq "severity filter shows only that severity" "$(count crit '.severity!="critical" and .previous_severity!="critical"')" 0

# --- HTTP and tiendo-ctl ----------------------------------------------
a=$(get '/v1/alerts?active=1')
expect_eq "GET /v1/alerts?active=1" \
	"$(jget "$a" "[.alerts[] | select($LAG_A)] | length")" 1
expect_eq "active seq is the last published" "$(jget "$a" .seq)" \
	"$(jq -r .seq "$T/j.out" | sort -n | tail -1)"
h=$(get '/v1/alerts/history?task=cay&unit=xa-a')
expect_eq "history of one pair" \
	"$(jget "$h" '[.alerts[] | select(.rollup==false and .rule=="lag") | .transition] | join(",")')" \
	"firing,resolved,firing,escalated"
h=$(get '/v1/alerts/history?limit=2')
expect_eq "history pages by seq" "$(jget "$h" '"\([.alerts[].seq] | join(",")) \(.next_since)"')" "1,2 2"
h=$(get '/v1/alerts/history?since=2&limit=1&severity=critical')
expect_eq "history filters by severity after a seq" "$(jget "$h" '.alerts[0].severity')" critical
expect_eq "history: bad severity is 400" "$(get_status '/v1/alerts/history?severity=bad')" 400
expect_eq "alerts: unknown parameter is 400" "$(get_status '/v1/alerts?bogus=1')" 400
out=$("$B/tiendo-ctl" alerts)
expect_match "tiendo-ctl alerts" "$out" "critical +escalated +xa-a +cay +Xã Hoàng Đan"
out=$("$B/tiendo-ctl" alerts --history --unit xa-b --limit 50)
expect_match "tiendo-ctl alerts --history" "$out" "info +notice +xa-b +cay"

# --- stored before published ------------------------------------------
last=$(jq -r .seq "$T/j.out" | sort -n | tail -1)
expect_eq "every published seq is in the database" \
	"$(sqlite3 "$STATE/tiendo.db" "SELECT count(*) FROM alert_events WHERE seq <= $last")" "$last"

# --- --exec -------------------------------------------------------------
sub ex --exec "cat > \"$T/exec.\$TIENDO_ALERT_SEQ.json\"; env | grep ^TIENDO_ALERT_ | sort > \"$T/exec.\$TIENDO_ALERT_SEQ.env\""
# -s, not -f: the redirection makes the file before sort writes into it.
ok "--exec runs per event" wait_for 10 test -s "$T/exec.$last.env"
expect_match "--exec environment" "$(cat "$T/exec.$last.env")" "TIENDO_ALERT_SEQ=$last"
expect_eq "--exec JSON on stdin" "$(jq -r .seq "$T/exec.$last.json")" "$last"

# --- a subscriber away while an alert resolves --------------------------
kill "$PID_late"; wait "$PID_late" 2>/dev/null
seen=$(jq -r .seq "$T/late.out" | sort -n | tail -1)
send --report "5|xa-a|cay|set|700|now"
ok "resolve while one subscriber is away" wait_for 10 has j "$LAG_A and .transition==\"resolved\" and .seq > $seen"
sub back --json --since "$seen"
sub st --json --state "$T/st.seq"
ok "it comes back and gets the resolve it missed" wait_for 10 has back "$LAG_A and .transition==\"resolved\" and .kind==\"replay\""
expect_eq "and no active set again" "$(count back '.kind=="active"')" 0

# --- a network cut: the subscriber's link drops while an alert fires -----
# Two socat proxies stand for the network between a subscriber and the
# daemon; killing them (and their forked children) cuts every connection.
proxy() { # PORT ENDPOINT: sets proxy_pid; fails if the port was taken
	socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" "TCP:${2#tcp://}" \
		2>>"$T/socat.err" &
	proxy_pid=$!
	PIDS="$PIDS $proxy_pid"
	wait_for 10 socat -T1 /dev/null "TCP:127.0.0.1:$1" && kill -0 "$proxy_pid"
}
pp1="" pp2=""
proxies() {
	pp1="" pp2=""
	proxy "$P1" "$PUB" && pp1=$proxy_pid || { kill "$proxy_pid" 2>/dev/null; return 1; }
	proxy "$P2" "$SNAP" && pp2=$proxy_pid || { kill "$proxy_pid" 2>/dev/null; return 1; }
}
cut_link() {
	for p in $pp1 $pp2; do
		pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
	done
}
linked=0
for try in 1 2 3 4 5; do
	# Below Linux's ephemeral range, where the daemon's own ports lie.
	P1=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000)); P2=$((P1 + 1))
	if proxies; then linked=1; break; fi
	cut_link
done
[ "$linked" = 1 ] || { flunk "socat proxies would not start" "$(cat "$T/socat.err")"; finish; exit 1; }
sub cut --json --pub "tcp://127.0.0.1:$P1" --snapshot "tcp://127.0.0.1:$P2"
ok "a subscriber across the network is synchronised" wait_for 10 has cut '.kind=="active"'
mark=$(jq -r .seq "$T/j.out" | sort -n | tail -1)
cut_link
send --report "50|xa-a|cay|set|300|now"
ok "an alert fires while the link is cut" \
	wait_for 10 has j "$LAG_A and .transition==\"firing\" and .seq > $mark"
expect_eq "the cut-off subscriber has not seen it" "$(count cut ".seq > $mark")" 0
if proxies; then pass "the link comes back"; else flunk "the link comes back" "$(cat "$T/socat.err")"; fi
ok "when the link comes back, it gets the alert it missed" \
	wait_for 20 has cut "$LAG_A and .transition==\"firing\" and .seq > $mark"
expect_eq "across the cut: no gap, no duplicate" "$(seqs_ok cut && echo ok)" ok
send --report "51|xa-a|cay|set|800|now"
ok "and the resolve after it, live" \
	wait_for 10 has cut "$LAG_A and .transition==\"resolved\" and .seq > $mark"
kill "$PID_cut"; wait "$PID_cut" 2>/dev/null
cut_link

# --- restart between two events ---------------------------------------
before=$(get '/v1/alerts/history?limit=10000' | jq '.alerts | length')
n_text=$(wc -l <"$T/text.out")
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
start_daemon --pub "$PUB" --snapshot "$SNAP" --alert-pending 0 --alert-interval 200ms --language en || exit 1
# Two full evaluations after the start: an alert announced before the
# restart would have come again by then.
evaluated_twice() {
	n=$(get /metrics | awk '$1 == "tiendo_alert_evaluations_total" { print $2 }')
	[ "${n:-0}" -ge 2 ]
}
ok "two evaluations after the restart" wait_for 10 evaluated_twice
after=$(get '/v1/alerts/history?limit=10000' | jq '.alerts | length')
expect_eq "restart announces nothing again" "$after" "$before"
expect_eq "active alerts survive the restart" \
	"$(get '/v1/alerts?active=1' | jq "[.alerts[] | select(.unit==\"huyen\" and .task==\"dat\")] | length")" 2
send --report "6|xa-a|cay|set|50|now"
ok "event after the restart reaches the old subscriber" wait_for 15 has j "$LAG_A and .transition==\"firing\" and .severity==\"critical\" and .language==\"en\""
expect_match "English when configured" "$(jq -r "select($LAG_A and .language==\"en\") | .message" "$T/j.out")" \
	"Xã Hoàng Đan is far behind on \"Tết trồng cây\": 50/1,000 cây"
expect_eq "across the restart: no gap, no duplicate" "$(seqs_ok j && echo ok)" ok
expect_eq "the text subscriber printed it once" \
	"$(tail -n +"$((n_text + 1))" "$T/text.out" | grep -c 'is far behind')" 1

# --- a subscriber that missed events while the daemon was away ----------
kill "$PID_back"; wait "$PID_back" 2>/dev/null
seen=$(jq -r .seq "$T/back.out" | sort -n | tail -1)
ok "--state keeps the last seq" wait_for 10 sh -c "[ \"\$(cat '$T/st.seq')\" = \"\$(jq -r .seq '$T/j.out' | sort -n | tail -1)\" ]"
kill "$PID_st"; wait "$PID_st" 2>/dev/null
stop_daemon
start_daemon --pub "$PUB" --snapshot "$SNAP" --alert-pending 0 --alert-interval 200ms || exit 1
send --report "7|xa-a|cay|set|800|now"
ok "resolved during the gap" wait_for 10 sh -c "get() { curl -sf \"$HTTP\$1\"; }; get '/v1/alerts/history?since=$seen' | jq -e '.alerts[] | select(.unit==\"xa-a\" and .task==\"cay\" and .transition==\"resolved\" and .rollup==false)'"
sub back2 --json --since "$seen"
ok "a subscriber back after restart gets what it missed" wait_for 10 has back2 "$LAG_A and .transition==\"resolved\" and .kind==\"replay\""
expect_eq "replay then live: no gap, no duplicate" "$(seqs_ok back2 && echo ok)" ok
sub st2 --json --state "$T/st.seq"
ok "restarted with --state: it gets what it missed" wait_for 10 has st2 "$LAG_A and .transition==\"resolved\" and .kind==\"replay\""
expect_eq "and no active set" "$(count st2 '.kind=="active"')" 0

# --- events published at start, before old subscribers reconnect --------
# Reminders every second: the first evaluation after the start re-announces
# every active alert at once, likely before the SUB sockets have
# reconnected; a subscriber that missed them repairs the gap by itself.
stop_daemon
start_daemon --pub "$PUB" --snapshot "$SNAP" --alert-pending 0 --alert-interval 200ms --alert-reminder 1s || exit 1
n=$(get '/v1/alerts?active=1' | jq '.alerts | length')
ok "reminders reach the subscriber that stayed" wait_for 15 sh -c \
	"[ \$(jq -c 'select(.transition==\"reminder\")' '$T/j.out' | wc -l) -ge $n ]"
ok "there are active alerts to be reminded of ($n)" test "$n" -ge 1
# Every reminder carries the id of an active alert, and every active alert
# is reminded of: a reminder without an id matches nothing here.
expect_eq "reminders keep the alert id" \
	"$(jq -r 'select(.transition=="reminder") | .id' "$T/j.out" | sort -u | tr '\n' ' ')" \
	"$(get '/v1/alerts?active=1' | jq -r '.alerts[].id' | sort -u | tr '\n' ' ')"
expect_eq "after all that: no gap, no duplicate" "$(seqs_ok j && echo ok)" ok

stop_daemon
expect_eq "last SIGTERM: exit 0" "$DSTATUS" 0
finish
