# lib.sh - shared by the bench scripts (run.sh, national.sh, pg.sh,
# loopfree.sh): time in ns, whether a child still runs, polling with a
# deadline, the list of pids to kill at the end ($pids), rows written
# straight into a store, the small plan.

now_ns() { date +%s%N; }

# 0 while pid exists and is not a zombie: our children stay in the table
# as zombies until waited for, so kill -0 would call them alive.
alive() {
	st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" \
		2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}
dead() { ! alive "$1"; }

# wait_until SECONDS COMMAND...: polls COMMAND every 20 ms until it
# succeeds (0) or the deadline passes (1).
wait_until() {
	limit=$(( $(now_ns) + $1 * 1000000000 ))
	shift
	until "$@"; do
		[ "$(now_ns)" -lt "$limit" ] || return 1
		sleep 0.02
	done
}

forget() {
	keep=""
	for p in $pids; do
		[ "$p" = "$1" ] || keep="$keep $p"
	done
	pids=$keep
}

# bench_fill DB N TASK UNIT: N reports written straight into the store's
# schema with the sqlite3 shell (the daemon stopped), from clients gen-0
# to gen-7, observed a minute ago; TASK and UNIT are SQL expressions of
# the row number x (0 to N - 1).  Through the daemon, millions would take
# minutes.
bench_fill() {
	fill_ms=$(($(date +%s) * 1000 - 60000))
	sqlite3 "$1" <<-EOF
		PRAGMA synchronous = OFF;
		PRAGMA cache_size = -262144;
		BEGIN;
		WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n
		                        WHERE x + 1 < $2)
		INSERT INTO reports (client, seq, task, unit, kind, value,
		                     observed_at, received_at, reporter, note)
		SELECT 'gen-' || (x % 8), x / 8 + 1, $3, $4,
		       1, 1000 + x % 7, $fill_ms, $fill_ms, '', ''
		FROM n;
		COMMIT;
	EOF
}

# bench_plan: on stdout, the small plan the ingest benches load with: 12
# communes u01..u12, 10 tasks t01..t10 from last year to next, and every
# target too large to be reached.
bench_plan() {
	printf '[plan]\nname = bench\ntimezone = Asia/Ho_Chi_Minh\n\n'
	for i in $(seq -w 1 12); do printf '[unit u%s]\nname = Xã %s\nkind = commune\n\n' "$i" "$i"; done
	y=$(date -u +%Y)
	for t in $(seq -w 1 10); do
		printf '[task t%s]\ntitle = Nhiệm vụ %s\nmeasure = cây\nstart = %d-01-01\ndeadline = %d-12-31\n\n' "$t" "$t" $((y - 1)) $((y + 1))
	done
	for t in $(seq -w 1 10); do
		printf '[targets t%s]\n' "$t"
		for i in $(seq -w 1 12); do printf 'u%s = 1000000000\n' "$i"; done
		echo
	done
}
