# lib.sh - shared by the bench scripts (run.sh, national.sh, pg.sh): time
# in ns, whether a child still runs, polling with a deadline, and the list
# of pids to kill at the end ($pids).

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
