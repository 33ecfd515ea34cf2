#!/bin/sh
# tiendo-push against a server that never answers (tests/tools/zsink): it
# keeps 4 batches in flight, no more; after each timeout it reconnects and
# resends them after a pause that doubles from 250 ms, with jitter (half
# to one and a half times the step), and gives up after --retries.  Two
# clients at once, each with its own sink, so that their pauses differ.
. "$(dirname "$0")/lib.sh"
unset TIENDO_KEY TIENDO_SERVER_KEY   # zsink speaks plain

# run NAME: 10 reports of one each, sent one per batch to its own sink.
run() {
	"$B/tools/zsink" "$T/$1.ep" 25000 >"$T/$1.sink" 2>&1 &
	PIDS="$PIDS $!"
	eval "SINK_$1=\$!"
	wait_for 10 test -f "$T/$1.ep" || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$B/tiendo-push" --client "$1" --unit xa-a --task cay --add 1 --no-send -q >/dev/null || return 1
	done
	"$B/tiendo-push" --client "$1" --connect "$(cat "$T/$1.ep")" --batch 1 \
		--timeout 1 --retries 5 >"$T/$1.out" 2>&1 &
	eval "PUSH_$1=\$!"
	PIDS="$PIDS $!"
}
run wa
expect_eq "a client starts against a silent server" "$?" 0
run wb
expect_eq "and a second one, against another" "$?" 0
for c in wa wb; do
	eval "p=\$PUSH_$c"
	wait "$p"
	expect_eq "$c: gives up after its 5 retries, reports kept (exit 75)" "$?" 75
	eval "kill \$SINK_$c"
done

# per_conn FILE: "FIRST_MS COUNT" for each connection, in order.
per_conn() {
	awk '!($2 in first) { first[$2] = $1; order[++n] = $2 } { count[$2]++ }
		END { for (i = 1; i <= n; i++) print first[order[i]], count[order[i]] }' "$1"
}
for c in wa wb; do
	per_conn "$T/$c.sink" >"$T/$c.conns"
	expect_eq "$c: 6 connections, the first and 5 retries" "$(wc -l <"$T/$c.conns")" 6
	expect_eq "$c: 4 batches in flight on each, not 1, not 10" \
		"$(awk '{ printf "%s ", $2 }' "$T/$c.conns")" "4 4 4 4 4 4 "
	# Between two connections: the 1 s timeout, then the pause of step
	# 250, 500, 1000, 2000, 4000 ms, drawn from [step/2, 3 step/2]; slack for the first
	# message of a connection, which arrives a little after it was queued.
	awk 'NR > 1 { print $1 - prev } { prev = $1 }' "$T/$c.conns" >"$T/$c.gaps"
	bad=$(awk '{ step = 250 * 2 ^ (NR - 1); lo = 1000 + step / 2 - 150; hi = 1000 + 1.5 * step + 700
		if ($1 < lo || $1 > hi) printf "gap %d: %d ms not in [%d, %d]; ", NR, $1, lo, hi }' "$T/$c.gaps")
	expect_eq "$c: the pauses double, within their jitter ($(tr '\n' ' ' <"$T/$c.gaps")ms)" "$bad" ""
done
# Jitter: without it every pause would be its step, give or take the
# connection's few ms; with it, a pause is off by more than 100 ms with
# odds 0.2, 0.6, 0.8, 0.9, 0.95 per step, so all ten within 100 ms happen
# about once in ten million runs.
off=$(cat "$T/wa.gaps" "$T/wb.gaps" | awk '{ k = (NR - 1) % 5; d = $1 - 1000 - 250 * 2 ^ k; if (d < -100 || d > 100) n++ } END { print n + 0 }')
ok "jitter: pauses off their step by more than 100 ms ($off of 10)" test "$off" -ge 1
expect_match "the client said it gave up" "$(cat "$T/wa.out")" "no reply from .* after 6 tries; reports stay in the outbox"
finish
