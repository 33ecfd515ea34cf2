#!/bin/sh
# The unit tree may have any depth (README, tiendo.conf(5)): a commune 40
# levels down, every code 64 characters long, still gets its unit/ topic
# whole (PROTOCOL.md 4.2: every unit from the root down, then @task/), so
# that a subscriber to any ancestor's prefix receives its alerts.  The
# topic was cut at 1 KiB before (about 15 such levels), and the prefix
# subscriptions missed it.
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"
TIENDO_TEST_CURVE=0

code() { printf 'u%02d-%s' "$1" "$(printf '%060d' 0 | tr 0 x)"; }
{
	echo "[plan]"
	echo "name = Cây đơn vị sâu"
	i=1
	while [ $i -le 40 ]; do
		printf '[unit %s]\nname = Cấp %d\nkind = level\n' "$(code $i)" $i
		[ $i -eq 1 ] || printf 'parent = %s\n' "$(code $((i - 1)))"
		i=$((i + 1))
	done
	cat <<PLAN
[task cay]
title = Trồng cây
measure = cây
start = $(day '30 days ago')
deadline = $(day '30 days')
[targets cay]
$(code 40) = 1000
PLAN
} >"$T/plan.ini"

path=unit
i=1
while [ $i -le 40 ]; do path="$path/$(code $i)"; i=$((i + 1)); done

expect_eq "a 40-level tree of 64-character codes is a plan" \
	"$("$B/tiendo-ctl" check "$T/plan.ini" >/dev/null 2>&1; echo $?)" 0
start_daemon --alert-pending 0 || exit 1
"$B/tools/zsub" --plain --sub "unit/$(code 1)/" --sub "$path/" \
	--ready "$T/subbed" --timeout 30000 "$PUB" >"$T/topics.out" 2>&1 &
PIDS="$PIDS $!"
ok "the SUB is subscribed to the root's prefix and the leaf's" wait_for 10 test -f "$T/subbed"
"$B/tools/zsend" --client t --report "1|$(code 40)|cay|set|600|now" "$INGEST" >/dev/null
ok "the leaf's event came" wait_for 10 grep -q "^$path/@cay/ [0-9]* resolved " "$T/topics.out"
leaf() { grep "^$path/@cay/ " "$T/topics.out"; }
expect_eq "its unit/ topic is whole (root first, task last) and each event comes once, though both prefixes match" \
	"$(leaf | wc -l)" "$(leaf | cut -d' ' -f2 | sort -u | wc -l)"
expect_eq "the topic is $(( ${#path} + 6 )) bytes" \
	"$(leaf | head -1 | cut -d' ' -f1 | tr -d '\n' | wc -c)" $(( ${#path} + 6 ))
finish
