#!/bin/sh
# Two tiendod on one PostgreSQL database, one active (the advisory lock),
# one standing by; clients push with outboxes to both (--server A,B) while
# the active one is SIGKILLed again and again and the standby takes over
# each time.  At the end: 0 lost, 0 doubled, tallies equal a recount, alert
# seqs without gaps or repeats; the takeover times are printed.
#   TAKEOVERS (default 30), TAKEOVER_CLIENTS (3)
TAKEOVERS=${TAKEOVERS:-30}
NC=${TAKEOVER_CLIENTS:-3}
TEST_CLIENTS_MORE=$(seq -f 't%g' 1 "$NC" | tr '\n' ' ')
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pglib.sh"
pg_init || exit 1
W=$T/w
mkdir -p "$W"

# Free ports for the two daemons: let each bind port 0 once, then keep
# what it got.
for x in a b; do
	STATE=$T/$x; start_daemon || exit 1
	eval "ING_$x=\$INGEST HTTP_$x=\${HTTP#http://} PUB_$x=\$PUB SNAP_$x=\$SNAPSHOT"
	stop_daemon
	rm -f "$T/$x/endpoints"
done
unset STATE
ALERTS="--alert-pending 0 --alert-interval 200ms --alert-reminder 1s"

# run X: starts daemon X on its own ports; its pid in PID_X.
run() {
	eval "ing=\$ING_$1 http=\$HTTP_$1 pub=\$PUB_$1 snap=\$SNAP_$1"
	rm -f "$T/$1/endpoints"
	# shellcheck disable=SC2046,SC2086
	"$B/tiendod" --plan "$T/plan.ini" --state-dir "$T/$1" --ingest "$ing" \
		--http "$http" $(mode_args) --pub "$pub" --snapshot "$snap" $ALERTS \
		--store "$TIENDO_STORE" \
		2>>"$T/tiendod.$1.log" &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
}
serving() { test -f "$T/$1/endpoints"; }
standing_by() { grep -q "standby: another tiendod is active" "$T/tiendod.$1.log"; }
rows() { psql_ 'SELECT count(*) FROM reports'; }

run a
wait_for 20 serving a || { flunk "a starts"; finish; exit 1; }
run b
ok "the second one stands by" wait_for 20 standing_by b
ok "and binds no ZeroMQ endpoint" test ! -f "$T/b/endpoints"
HTTP="http://$HTTP_b"
expect_eq "its /healthz answers 503" "$(get_status /healthz)" 503
expect_eq "and says standby" "$(curl -s "$HTTP/healthz" | jq -r .status)" standby
expect_match "its /metrics says so" "$(curl -sf "$HTTP/metrics")" "^tiendo_standby 1$"
code=$(curl -s -o "$W/standby.json" -w '%{http_code}' "$HTTP/v1/tallies")
expect_eq "anything else is a 503 with the JSON error" \
	"$code $(jq -r '.error | split(":")[0]' "$W/standby.json")" "503 standby"
HTTP="http://$HTTP_a"
expect_eq "healthz of the active one" "$(get_status /healthz)" 200
expect_match "whose /metrics says it is not the standby" "$(curl -sf "$HTTP/metrics")" "^tiendo_standby 0$"

# --- clients: --follow, both servers, fed in chunks all along ---------------
SERVERS="$ING_a,$ING_b"
"$B/tiendo-sub" --name sub --pub "$PUB_a,$PUB_b" --snapshot "$SNAP_a,$SNAP_b" \
	--since 0 --json >"$W/sub.out" 2>"$W/sub.err" &
SUBPID=$!
PIDS="$PIDS $SUBPID"
for i in $(seq 1 "$NC"); do
	"$B/tiendo-push" --client "t$i" --server "$SERVERS" --follow --interval 1 \
		--batch 10 --timeout 1 --retries 1 -q >>"$W/t$i.log" 2>>"$W/t$i.err" &
	PIDS="$PIDS $!"
	eval "F$i=$!"
done
feed() {
	k=0
	while [ ! -f "$W/stop" ]; do
		k=$((k + 1))
		for i in $(seq 1 "$NC"); do
			awk -v k=$k -v i=$i 'BEGIN { print "unit,task,kind,value"
				for (r = 0; r < 20; r++) print ((r + i) % 2 ? "xa-a" : "xa-b") ",cay,add,0." (r % 9) + 1 }' >"$W/f$i.csv"
			"$B/tiendo-push" --client "t$i" --csv "$W/f$i.csv" --no-send -q >/dev/null 2>>"$W/feed.err" ||
				echo "t$i: queueing failed" >>"$W/errors"
		done
		echo "$k" >"$W/chunks"
		sleep 0.3
	done
}
feed &
FEEDER=$!
PIDS="$PIDS $FEEDER"

# --- the killer --------------------------------------------------------------
active=a standby=b takeovers=0
: >"$W/times"
while [ "$takeovers" -lt "$TAKEOVERS" ]; do
	n0=$(rows)
	wait_for 20 sh -c "[ \$(\"$PGBIN/psql\" -X -A -t -h '$PGDIR' -U tiendo -d tiendo -c 'SELECT count(*) FROM reports') -gt $n0 ]" ||
		{ flunk "the active one ($active) acks after takeover $takeovers"; break; }
	wait_for 60 standing_by "$standby" || { flunk "$standby stands by" "$(tail -5 "$T/tiendod.$standby.log")"; break; }
	eval "kill -KILL \$PID_$active; wait \$PID_$active 2>/dev/null"
	t0=$(date +%s%N)
	# The killed one's last COMMIT may still land after the kill (its
	# server process finishes it): rows growing alone does not say the
	# standby took over.  It binds its ports only once the lock is its.
	if ! wait_for 30 serving "$standby"; then
		flunk "$standby takes the lock (takeover $((takeovers + 1)))" "$(tail -5 "$T/tiendod.$standby.log")"
		break
	fi
	n1=$(rows)
	if ! wait_for 30 sh -c "[ \$(\"$PGBIN/psql\" -X -A -t -h '$PGDIR' -U tiendo -d tiendo -c 'SELECT count(*) FROM reports') -gt $n1 ]"; then
		flunk "$standby took over and acks (takeover $((takeovers + 1)))" "$(tail -5 "$T/tiendod.$standby.log")"
		break
	fi
	echo $(( ($(date +%s%N) - t0) / 1000000 )) >>"$W/times"
	takeovers=$((takeovers + 1))
	: >"$T/tiendod.$active.log"
	run "$active"
	x=$active active=$standby standby=$x
done
expect_eq "$TAKEOVERS takeovers" "$takeovers" "$TAKEOVERS"
touch "$W/stop"
wait "$FEEDER"
queued=$(( $(cat "$W/chunks") * 20 * NC ))
HTTP="http://$(eval echo \$HTTP_$active)"
pending() { for i in $(seq 1 "$NC"); do "$B/tiendo-push" --client "t$i" --status --history 0 | tail -1; done | awk '{ s += $1 } END { print s }'; }
drained() { [ "$(pending)" = 0 ]; }
ok "every outbox drains" wait_for 120 drained
expect_eq "no client errors" "$(cat "$W/errors" 2>/dev/null)" ""
expect_eq "0 lost, 0 doubled: every queued report stored once" \
	"$(psql_ "SELECT count(*), count(DISTINCT (client, seq)) FROM reports WHERE client LIKE 't%'")" "$queued|$queued"
psql_ "SELECT task, unit, sum(value) FROM reports WHERE voids_seq IS NULL AND voided_by IS NULL GROUP BY 1, 2 ORDER BY 1, 2" |
	tr '|' ' ' >"$W/recount"
get /v1/tallies | jq -r '.tallies[] | select(.rollup == false and .reports > 0) | "\(.task) \(.unit) \(.actual)"' |
	awk '{ printf "%s %s %d\n", $1, $2, $3 * 1000 + 0.5 }' | sort >"$W/got"
expect_eq "tallies of the last active one equal a recount" "$(cat "$W/got")" "$(cat "$W/recount")"
seqs=$(psql_ "SELECT count(*), count(DISTINCT seq), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM alert_events")
ok "alert events were stored across the takeovers ($seqs)" test "${seqs%%|*}" -gt "$TAKEOVERS"
expect_match "alert seq without gaps or repeats (count|distinct|1|count)" "$seqs" "^([0-9]+)\|\1\|1\|\1$"
for i in $(seq 1 "$NC"); do eval "kill -TERM \$F$i"; done
last=$(psql_ "SELECT max(seq) FROM alert_events")
# (Reminders go on: the daemon's seq grows past $last meanwhile.)
heard() { [ "$(jq -r .seq "$W/sub.out" 2>/dev/null | sort -n | tail -1)" -ge "$last" ]; }
ok "tiendo-sub --pub A,B --snapshot A,B hears up to the last alert ($last)" wait_for 30 heard
jq -r .seq "$W/sub.out" | sort -n >"$W/heard"
expect_eq "and every seq from 1 to the last heard, once, in order" \
	"$(uniq "$W/heard" | awk 'BEGIN { n = 0 } $1 == n + 1 { n++ } END { print n }') $(uniq -d "$W/heard" | wc -l) $(jq -r .seq "$W/sub.out" | awk 'NR > 1 && $1 <= p { bad++ } { p = $1 } END { print bad + 0 }')" \
	"$(tail -1 "$W/heard") 0 0"
kill -TERM "$SUBPID"

# --- a partition: the active one's session ends and someone else takes the
# lock before it reconnects: it must stop acking, and stop ----------------
eval "kill -TERM \$PID_$standby; wait \$PID_$standby"
expect_eq "a standby stops on SIGTERM with exit 0" "$?" 0
"$PGBIN/psql" -X -q -h "$PGDIR" -U tiendo -d tiendo \
	-c "SELECT pg_advisory_lock(7420001)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
THIEF=$!
PIDS="$PIDS $THIEF"
waiting() { [ "$(psql_ "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" -ge 1 ]; }
ok "another session queues for the lock" wait_for 10 waiting
psql_ "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tiendod'" >/dev/null
n0=$(rows)
"$B/tiendo-push" --client t1 --server "$(eval echo \$ING_$active)" --unit xa-a --task cay --add 1 \
	--timeout 2 --retries 1 -q >/dev/null 2>&1
eval "wait \$PID_$active"
expect_eq "the cut-off active one stops (exit 75)" "$?" 75
expect_match "and says why" "$(cat "$T/tiendod.$active.log")" "another tiendod took the active lock"
expect_eq "nothing acked after it lost the lock" "$(rows)" "$n0"
kill "$THIEF" 2>/dev/null
sort -n "$W/times" >"$W/sorted"
p50=$(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' "$W/sorted")
max=$(tail -1 "$W/sorted")
echo "# takeover (SIGKILL of the active to the first ack by the standby, $(rows) reports stored): p50 $p50 ms, max $max ms"
ok "takeover within 5 s (max $max ms)" test "${max:-99999}" -le 5000
finish
