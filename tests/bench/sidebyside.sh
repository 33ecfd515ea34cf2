# shellcheck shell=sh disable=SC2154,SC2034  # variables are run.sh's
# sidebyside.sh - issue 15's side-by-side figures, sourced by run.sh (it
# uses run.sh's helpers: run, result, start_daemon, stop_daemon, cpu_s,
# say, fail, commas, and its variables B, work, pids).
#
# Each figure is printed beside its anchor, measured in the same run:
#   - raw SQLite ceilings (BUILD_DIR/bench/rawsql) at tiendod's own group
#     size: the minimal schema, the store's schema, and one lever at a time;
#   - the latency anchor: p50/p99 of one 10-row FULL commit on this disk;
#   - Mosquitto QoS 1 with persistence (BUILD_DIR/bench/mqload), the same
#     publishers, in-flight window and payload as tiendod's run;
#   - restart with BENCH_RESTART_REPORTS reports written straight into the
#     store's schema, against a raw scan of the rebuild query.

# The anchor: one small FULL commit, no queue.  sbs_commit_anchor NAME
# sets anchor_NAME_p50 and anchor_NAME_p99; it is measured again right
# before each figure judged by it, since the disk's latency drifts with
# the machine's load.
sbs_commit_anchor() {
	say "--- anchor ($1): one 10-row commit, WAL, synchronous=FULL, $ANCHOR_COMMITS times"
	run "$work/anchor-$1.out" "$B/bench/rawsql" commit --db "$work/anchor.db" \
		--rows 10 --commits "$ANCHOR_COMMITS" --sync full ||
		fail "rawsql commit failed"
	rm -f "$work/anchor.db"*
	eval "anchor_$1_p50=\$(result \"\$work/anchor-\$1.out\" p50_ms)"
	eval "anchor_$1_p99=\$(result \"\$work/anchor-\$1.out\" p99_ms)"
}

# sbs_ceilings GROUP: raw SQLite at tiendod's group size, schema by schema.
sbs_ceilings() {
	say "--- raw SQLite ceilings: $(commas "$1") rows per transaction (tiendod's group size)"
	for s in minimal store $LEVERS; do
		run "$work/raw-$s.out" "$B/bench/rawsql" ceiling --db "$work/raw-$s.db" \
			--schema "$s" --rows "$REPORTS" --batch "$1" --clients "$CLIENTS" \
			--chunk "$BATCH" --sync full || fail "rawsql ceiling $s failed"
		rm -f "$work/raw-$s.db"*
		eval "raw_$s=\$(result \"\$work/raw-\$s.out\" rate)"
	done
}

# Mosquitto on a free loopback port with its own configuration.  It is
# root-safe (user = whoever runs the bench) and persists like Debian's
# default: persistence true, saved every autosave_interval seconds and at
# exit; a QoS 1 PUBACK waits for no save at all (an strace shows no fsync),
# so it is the broker's best case, not a durable one.
sbs_mosquitto_start() {
	mkdir -p "$work/mosq"
	tries=0
	while :; do
		mport=$(awk -v s="$$" 'BEGIN { srand(s + systime()); print 20000 + int(rand() * 20000) }')
		if ! ss -Hltn "sport = :$mport" 2>/dev/null | grep -q .; then
			{
				echo "listener $mport 127.0.0.1"
				echo "allow_anonymous true"
				echo "user $(id -un)"
				echo "persistence true"
				echo "persistence_location $work/mosq/"
				echo "autosave_interval $MOSQ_AUTOSAVE"
				echo "max_inflight_messages 0"
				echo "max_queued_messages 0"
				echo "set_tcp_nodelay true"
				echo "log_dest stderr"
				echo "log_type error"
				echo "log_type warning"
				echo "log_type notice"
			} >"$work/mosquitto.conf"
			mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
			mpid=$!
			pids="$pids $mpid"
			if wait_until 10 mosq_listening; then
				return 0
			fi
			reap "$mpid" 5 || true
		fi
		tries=$((tries + 1))
		[ $tries -lt 10 ] || fail "mosquitto would not listen (see $work/mosquitto.log)"
	done
}
mosq_listening() {
	alive "$mpid" || return 1
	ss -Hltn "sport = :$mport" 2>/dev/null | grep -q .
}

# sbs_mqload NAME CLIENTS INFLIGHT: Mosquitto's acked rate, latency and CPU
# per message for the load tiendod just had (payload $msg_bytes).
sbs_mqload() {
	c0=$(cpu_s "$mpid")
	if [ -n "$MSG_TOTAL" ]; then
		lim="--total $MSG_TOTAL"
	else
		lim="--duration $MSG_SECONDS"
	fi
	# shellcheck disable=SC2086
	run "$work/mq-$1.out" "$B/bench/mqload" --port "$mport" --clients "$2" \
		--inflight "$3" --payload "$msg_bytes" $lim ||
		fail "mqload $1 failed"
	c1=$(cpu_s "$mpid")
	eval "mq_${1}_rate=\$(result \"\$work/mq-\$1.out\" rate)"
	eval "mq_${1}_p50=\$(result \"\$work/mq-\$1.out\" p50_ms)"
	eval "mq_${1}_p99=\$(result \"\$work/mq-\$1.out\" p99_ms)"
	n=$(result "$work/mq-$1.out" acked)
	eval "mq_${1}_cpu=\$(awk -v a=$c0 -v b=$c1 -v n=$n \
		'BEGIN { printf \"%.1f\", (n > 0 ? (b - a) * 1e6 / n : 0) }')"
	eval "mq_${1}_gen=\$(awk -v c=\$(result \"\$work/mq-\$1.out\" cpu_s) -v n=$n \
		'BEGIN { printf \"%.1f\", (n > 0 ? c * 1e6 / n : 0) }')"
}

# sbs_threads PID: CPU ticks so far of tiendod's loop (its main thread),
# its commit thread and ZeroMQ's I/O threads, as "LOOP COMMIT IO".
sbs_threads() {
	for t in "/proc/$1/task/"*; do
		if [ "${t##*/}" = "$1" ]; then
			name=loop
		else
			name=$(tr -d ' ' <"$t/comm")
		fi
		printf '%s %s\n' "$name" "$(awk '{ print $14 + $15 }' "$t/stat")"
	done | awk '$1 == "loop" { l += $2 } $1 == "tiendod" { c += $2 }
		$1 ~ /^ZMQbg\/IO/ { z += $2 } END { print l + 0, c + 0, z + 0 }'
}

# sbs_msgload NAME CLIENTS INFLIGHT: one report per message into the
# running tiendod; rate, latency, CPU per message (in all, and per
# thread), reports per commit.
sbs_msgload() {
	c0=$(cpu_s "$dpid")
	th0=$(sbs_threads "$dpid")
	k0=$(sbs_commits)
	if [ -n "$MSG_TOTAL" ]; then
		lim="--total $MSG_TOTAL"
	else
		lim="--duration $MSG_SECONDS"
	fi
	# shellcheck disable=SC2086
	run "$work/msg-$1.out" "$B/bench/loadgen" --connect "$ingest" \
		--name "m$1" --clients "$2" --inflight "$3" --batch 1 $lim \
		--units "$units" --tasks "$tasks" ||
		fail "one report per message ($1): loadgen failed"
	c1=$(cpu_s "$dpid")
	th1=$(sbs_threads "$dpid")
	k1=$(sbs_commits)
	n=$(result "$work/msg-$1.out" accepted)
	th=$(echo "$th0 $th1" | awk -v n="$n" -v hz="$(getconf CLK_TCK)" '{
		f = n > 0 ? 1e6 / hz / n : 0
		printf "loop %.1f, commit %.1f, ZeroMQ I/O %.1f",
			($4 - $1) * f, ($5 - $2) * f, ($6 - $3) * f }')
	eval "td_${1}_threads=\$th"
	eval "td_${1}_rate=\$(result \"\$work/msg-\$1.out\" rate)"
	eval "td_${1}_p50=\$(result \"\$work/msg-\$1.out\" p50_ms)"
	eval "td_${1}_p99=\$(result \"\$work/msg-\$1.out\" p99_ms)"
	eval "td_${1}_cpu=\$(awk -v a=$c0 -v b=$c1 -v n=$n \
		'BEGIN { printf \"%.1f\", (n > 0 ? (b - a) * 1e6 / n : 0) }')"
	eval "td_${1}_group=\$(awk -v a=${k0:-0} -v b=${k1:-0} -v n=$n \
		'BEGIN { printf \"%.1f\", (b > a ? n / (b - a) : 0) }')"
	eval "td_${1}_gen=\$(awk -v c=\$(result \"\$work/msg-\$1.out\" cpu_s) -v n=$n \
		'BEGIN { printf \"%.1f\", (n > 0 ? c * 1e6 / n : 0) }')"
	msg_bytes=$(result "$work/msg-$1.out" msg_bytes)
}

sbs_commits() {
	curl -fsS --max-time 5 "$http/metrics" 2>/dev/null |
		awk '/^tiendo_commits_total / { print $2; exit }'
}

# One report per message: tiendod at FULL (1,000 x 1 and 8 x W), at
# normal (8 x W), Mosquitto with the same loads.  Fresh databases.
sbs_messages() {
	say "--- one report per message: tiendod, then Mosquitto QoS 1 ($MSG_LIMIT_TEXT each)"
	conf_full=$work/tiendod.conf
	for mode in full normal; do
		printf '[tiendod]\nsynchronous = %s\nlog_level = notice\n' "$mode" \
			>"$work/tiendod-$mode.conf"
	done
	saved_state=$state
	SECURITY=--plain
	state=$work/state-msg-full
	CONF=$work/tiendod-full.conf
	start_daemon
	sbs_msgload many "$MANY_CLIENTS" 1
	sbs_commit_anchor msg
	sbs_msgload w8 "$MSG_CLIENTS" "$MSG_WINDOW"
	stop_daemon
	state=$work/state-msg-normal
	CONF=$work/tiendod-normal.conf
	start_daemon
	sbs_msgload w8n "$MSG_CLIENTS" "$MSG_WINDOW"
	stop_daemon
	state=$saved_state
	CONF=$conf_full
	say "payload: $msg_bytes bytes, the size of tiendod's one-report batch"
	sbs_mosquitto_start
	sbs_mqload many "$MANY_CLIENTS" 1
	sbs_mqload w8 "$MSG_CLIENTS" "$MSG_WINDOW"
	reap "$mpid" 10 || fail "mosquitto did not stop cleanly"
}

# Restart with many reports: rows written straight into the store's
# schema (a daemon creates it first), then exec to /healthz, against a
# raw scan of the rebuild query.
sbs_restart() {
	say "--- restart with $(commas "$RESTART_REPORTS") reports (rows written with sqlite3)"
	saved_state=$state
	SECURITY=--plain
	state=$work/state-restart
	start_daemon
	stop_daemon
	now_ms=$(($(date +%s) * 1000))
	t0=$(now_ns)
	bench_fill "$state/tiendo.db" "$RESTART_REPORTS" \
		"printf('t%02d', (x / 12) % 10 + 1)" "printf('u%02d', x % 12 + 1)" ||
		fail "cannot fill $state/tiendo.db"
	fill_s=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	t0=$(now_ns)
	sqlite3 "$state/tiendo.db" "SELECT count(*), sum(value) FROM (SELECT client, seq,
		task, unit, kind, value, observed_at, received_at, reporter, note
		FROM reports WHERE observed_at <= $now_ms AND voids_seq IS NULL
		AND (voided_at IS NULL OR voided_at > $now_ms) ORDER BY id)" \
		>/dev/null || fail "scan of $state/tiendo.db failed"
	scan_s=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	# Written behind the daemon's back: every row is read (a cold start).
	start_daemon
	cold10_s=$ready_s
	stop_daemon
	# The clean stop saved the tally snapshot: a restart reads none.
	used=$(grep -c "tallies from the snapshot" "$log")
	start_daemon
	restart10_s=$ready_s
	[ "$(grep -c "tallies from the snapshot" "$log")" -gt "$used" ] ||
		fail "the restart did not use the tally snapshot"
	stop_daemon
	rm -rf "$state"
	state=$saved_state
	say "filled in $fill_s s; raw scan $scan_s s; tiendod ready in $cold10_s s reading every report, $restart10_s s after a clean stop (tally snapshot)"
}

# The goals of issue 15, measured against their anchors; a missed goal is
# reported, never fatal.
sbs_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
sbs_goal() { # NAME MEASURED-TEXT GOAL-TEXT OK(0/1)
	printf 'bench: %-44s %-40s goal %-22s %s\n' "$1" "$2" "$3" \
		"$([ "$4" = 1 ] && echo met || echo MISSED)"
}
sbs_ge() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? 1 : 0) }'; }
sbs_le() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? 1 : 0) }'; }

sbs_summary() {
	bound=$(awk -v p="$anchor_msg_p50" -v w="$((MSG_CLIENTS * MSG_WINDOW))" \
		'BEGIN { printf "%.0f", (p > 0 ? w / p * 1000 : 0) }')
	echo
	echo "bench: ---- side by side (issue 15): figure | anchor | ratio"
	printf 'bench: %-44s %12s /s | minimal schema %s /s | %s\n' \
		"batched $CLIENTS x $INFLIGHT x $BATCH, FULL" "$(commas "$sustained")" \
		"$(commas "$raw_minimal")" "$(sbs_ratio "$sustained" "$raw_minimal")"
	printf 'bench: %-44s %12s /s | minimal schema %s /s | %s\n' \
		"raw SQLite, the store's schema" "$(commas "$raw_store")" \
		"$(commas "$raw_minimal")" "$(sbs_ratio "$raw_store" "$raw_minimal")"
	for s in $LEVERS; do
		eval "v=\$raw_$s"
		printf 'bench: %-44s %12s /s | the store schema %s /s | %s\n' \
			"raw SQLite, lever: $s" "$(commas "$v")" "$(commas "$raw_store")" \
			"$(sbs_ratio "$v" "$raw_store")"
	done
	for a in start lat msg; do
		eval "a50=\$anchor_${a}_p50 a99=\$anchor_${a}_p99"
		printf 'bench: %-44s p50 %.2f ms, p99 %.2f ms\n' \
			"anchor ($a): one 10-row FULL commit" "$a50" "$a99"
	done
	for l in "many:$MANY_CLIENTS x 1, FULL:many" "w8:$MSG_CLIENTS x $MSG_WINDOW, FULL:w8" \
		"w8n:$MSG_CLIENTS x $MSG_WINDOW, normal:w8"; do
		k=${l%%:*}; rest=${l#*:}; txt=${rest%:*}; mq=${rest##*:}
		eval "tr=\$td_${k}_rate tp50=\$td_${k}_p50 tp99=\$td_${k}_p99 tc=\$td_${k}_cpu tg=\$td_${k}_group tgen=\$td_${k}_gen tth=\$td_${k}_threads"
		eval "mr=\$mq_${mq}_rate mp50=\$mq_${mq}_p50 mp99=\$mq_${mq}_p99 mc=\$mq_${mq}_cpu mgen=\$mq_${mq}_gen"
		printf 'bench: %-44s %12s /s | Mosquitto %s /s | %s\n' \
			"1 report/msg $txt" "$(commas "$tr")" "$(commas "$mr")" "$(sbs_ratio "$tr" "$mr")"
		printf 'bench: %-44s p50 %.2f / p99 %.2f ms | Mosquitto %.2f / %.2f ms; CPU %s vs %s us/msg (%s); %s reports per commit\n' \
			"" "$tp50" "$tp99" "$mp50" "$mp99" "$tc" "$mc" "$(sbs_ratio "$tc" "$mc")" "$tg"
		printf 'bench: %-44s tiendod by thread: %s us CPU per message\n' "" "$tth"
		printf 'bench: %-44s load generators: loadgen %s, mqload %s us CPU per message\n' \
			"" "$tgen" "$mgen"
	done
	printf 'bench: %-44s %12s /s | bound 32/p50 commit %s /s | %s\n' \
		"1 report/msg $MSG_CLIENTS x $MSG_WINDOW, FULL" "$(commas "$td_w8_rate")" \
		"$(commas "$bound") (msg)" "$(sbs_ratio "$td_w8_rate" "$bound")"
	printf 'bench: %-44s p99 %.2f ms | 2 x commit p99 %.2f ms | %s\n' \
		"ack latency at $(commas "$RATE")/s" "$p99" "$(awk -v a="$anchor_lat_p99" 'BEGIN { print 2 * a }')" \
		"$(sbs_ratio "$p99" "$anchor_lat_p99")"
	printf 'bench: %-44s p99 <= %s ms | 2 x commit p99 %.2f ms\n' \
		"  the same inside tiendod (its histogram)" "$in_ack_p99" \
		"$(awk -v a="$anchor_lat_p99" 'BEGIN { print 2 * a }')"
	printf 'bench: %-44s p99 %.2f ms | 2 x commit p99 + 1 ms %.2f ms\n' \
		"report -> alert, $ALERT_PAIRS in flight" "${alert_p99:-0}" \
		"$(awk -v a="$anchor_lat_p99" 'BEGIN { print 2 * a + 1 }')"
	printf 'bench: %-44s %s s | raw scan %s s\n' \
		"restart with $(commas "$RESTART_REPORTS") reports" "$restart10_s" "$scan_s"
	printf 'bench: %-44s %s s | raw scan %s s\n' \
		"cold start (every report read)" "$cold10_s" "$scan_s"
	echo
	echo "bench: ---- goals (issue 15)"
	sbs_goal "batched vs minimal-schema ceiling" "$(sbs_ratio "$sustained" "$raw_minimal")" ">= 0.7" \
		"$(sbs_ge "$(sbs_ratio "$sustained" "$raw_minimal")" 0.7)"
	sbs_goal "1,000 x 1 FULL vs Mosquitto" "$(sbs_ratio "$td_many_rate" "$mq_many_rate")" ">= 2" \
		"$(sbs_ge "$(sbs_ratio "$td_many_rate" "$mq_many_rate")" 2)"
	sbs_goal "$MSG_CLIENTS x $MSG_WINDOW normal vs Mosquitto" "$(sbs_ratio "$td_w8n_rate" "$mq_w8_rate")" ">= 1.5" \
		"$(sbs_ge "$(sbs_ratio "$td_w8n_rate" "$mq_w8_rate")" 1.5)"
	sbs_goal "$MSG_CLIENTS x $MSG_WINDOW FULL vs 32/p50 commit" "$(sbs_ratio "$td_w8_rate" "$bound")" ">= 0.8" \
		"$(sbs_ge "$(sbs_ratio "$td_w8_rate" "$bound")" 0.8)"
	sbs_goal "ack p99 at $(commas "$RATE")/s vs commit p99" "$(sbs_ratio "$p99" "$anchor_lat_p99") x" "<= 2 x" \
		"$(sbs_le "$(sbs_ratio "$p99" "$anchor_lat_p99")" 2)"
	sbs_goal "report -> alert p99" "${alert_p99:-?} ms" \
		"<= $(awk -v a="$anchor_lat_p99" 'BEGIN { printf "%.2f", 2 * a + 1 }') ms" \
		"$(sbs_le "${alert_p99:-999999}" "$(awk -v a="$anchor_lat_p99" 'BEGIN { print 2 * a + 1 }')")"
	if [ "$RESTART_REPORTS" -ge 10000000 ]; then
		sbs_goal "restart with $(commas "$RESTART_REPORTS") reports" "$restart10_s s" "<= 2 s" \
			"$(sbs_le "$restart10_s" 2)"
	else
		printf 'bench: %-44s %-40s goal %-22s %s\n' \
			"restart with $(commas "$RESTART_REPORTS") reports" "$restart10_s s" \
			"<= 2 s at 10,000,000" "not judged (fewer reports)"
	fi
	echo "bench: (the crash-test goal is make chaos's: 0 lost, 0 doubled)"
}
