#!/bin/sh
# Demo communes for `make run`: backfills the campaign so far, then keeps
# reporting every few seconds, each commune as its own client with its own
# outbox.  Paces: most near the plan, some ahead, some behind, and the last
# commune fell silent twelve days ago.
#   examples/demo.sh BUILD_DIR HTTP_URL WORK_DIR
set -eu
B=$1 HTTP=$2 W=$3
PUSH="$B/tiendo-push"
mkdir -p "$W/demo"

# unit code -> pace factor (share of the expected progress it achieves)
paces="hop-hoa 1.15
an-hoa 1.0
duy-phien 0.95
dao-tu 0.85
dong-tinh 1.05
hoang-dan 0.7
hoang-hoa 1.0
hoang-lau 0.55
hoi-thinh 1.1
huong-dao 0.9
kim-long 0.8
thanh-van silent"

# task, unit, target, kind, expected % now, start (epoch s), one line each.
# Only quantities are simulated: levels, milestones and ceilings are left to
# the reader to report by hand.  A rate's numerator ("on time") is not paced
# on its own: it is a share of its denominator ("handled"), so that a rate
# never reads more than 100%.
curl -sf "$HTTP/v1/tasks" | jq -r '.tasks[] | select((.kind // "quantity") == "quantity") | [.code, .start, .measure, .deadline] | @tsv' >"$W/demo/tasks.tsv"
curl -sf "$HTTP/v1/tallies" | jq -r '.tallies[] | select((.rollup | not) and (.kind // "quantity") == "quantity") |
	[.task, .unit, .target, .expected] | @tsv' >"$W/demo/targets.tsv"
# denominator, numerator, rate: one line per rate task
curl -sf "$HTTP/v1/tasks" | jq -r '.tasks[] | select(.kind == "rate") | [.denominator, .numerator, .code] | @tsv' >"$W/demo/rates.tsv"
curl -sf "$HTTP/v1/tallies" | jq -r '.tallies[] | select((.rollup | not) and .kind == "rate") | [.task, .unit, .target] | @tsv' >"$W/demo/rate-targets.tsv"
numerators=$(cut -f2 "$W/demo/rates.tsv" | sort -u)

# share RATE UNIT PACE: the part of its denominator a unit's numerator is,
# from the rate's target and the unit's pace (laggards keep it lower).
share() {
	t=$(grep -P "^$1\t$2\t" "$W/demo/rate-targets.tsv" | cut -f3)
	awk -v t="${t:-90}" -v pace="$3" 'BEGIN {
		if (pace == "silent") pace = 0.5
		s = t / 100 * (pace < 1.02 ? pace : 1.02)
		printf "%.3f", (s > 1 ? 1 : s) }'
}

now=$(date +%s)
echo "$paces" | while read -r unit pace; do
	csv="$W/demo/$unit.csv"
	echo "unit,task,kind,value,observed_at,reporter,note" >"$csv"
	grep -P "^[^\t]+\t$unit\t" "$W/demo/targets.tsv" | while IFS="$(printf '\t')" read -r task _ target expected; do
		start=$(grep -P "^$task\t" "$W/demo/tasks.tsv" | cut -f2)
		measure=$(grep -P "^$task\t" "$W/demo/tasks.tsv" | cut -f3)
		deadline=$(grep -P "^$task\t" "$W/demo/tasks.tsv" | cut -f4)
		start=$(date -u -d "$start" +%s)
		deadline=$(date -u -d "$deadline" +%s)
		[ "$start" -lt "$now" ] || continue
		# A rate's numerator follows its denominator, below.
		echo "$numerators" | grep -qx "$task" && continue
		# Totals for areas, increments for the rest; whole numbers for
		# what is counted (trees, recruits, dossiers, million VND).
		case $measure in ha) kind=set fmt=%.2f ;; *) kind=add fmt=%.0f ;; esac
		awk -v unit="$unit" -v task="$task" -v target="$target" \
		    -v expected="$expected" -v pace="$pace" -v start="$start" \
		    -v now="$now" -v kind="$kind" -v fmt="$fmt" -v deadline="$deadline" -v seed="$(echo "$unit$task" | cksum | cut -d' ' -f1)" '
		BEGIN {
			srand(seed)
			silent = pace == "silent"
			if (silent) { pace = 0.5; now -= 12 * 86400 }
			goal = target * expected / 100 * pace
			end = now < deadline ? now : deadline
			days = int((end - start) / 86400)
			if (days < 1) days = 1
			done = 0
			for (d = 1; d <= days; d++) {
				want = goal * d / days
				step = (want - done) * (0.6 + 0.8 * rand())
				if (d == days) step = want - done
				step = sprintf(fmt, step) + 0
				if (step <= 0) continue
				done += step
				t = start + d * 86400 - int(rand() * 36000)
				if (t > end) t = end - 60
				v = kind == "set" ? done : step
				printf "%s,%s,%s," fmt ",@%d,Cán bộ %s,\"ngày %d\"\n", unit, task, kind, v, t, unit, d
			}
		}' >>"$csv"
	done
	# Each denominator report brings its numerator's, rounded so that
	# the running ratio stays near the share, never above the whole.
	while IFS="$(printf '\t')" read -r den num rate; do
		grep -q "^$unit,$den,add," "$csv" || continue
		grep "^$unit,$den,add," "$csv" | awk -F, -v num="$num" \
		    -v share="$(share "$rate" "$unit" "$pace")" 'BEGIN { OFS = "," }
		{
			dsum += $4
			want = int(dsum * share + 0.5)
			step = want - nsum
			if (step <= 0) next
			nsum += step
			$2 = num; $4 = step
			print
		}' >>"$csv"
	done <"$W/demo/rates.tsv"
	n=$(($(wc -l <"$csv") - 1))
	"$PUSH" -q --client "$unit" --csv "$csv" && echo "$unit: backfilled $n reports" ||
		echo "$unit: backfill ended with status $?"
done

# Live: every few seconds one commune (never the silent one) reports.
i=0
while :; do
	i=$((i + 1))
	line=$(grep -v thanh-van "$W/demo/targets.tsv" | shuf -n 1)
	task=$(echo "$line" | cut -f1)
	unit=$(echo "$line" | cut -f2)
	target=$(echo "$line" | cut -f3)
	measure=$(grep -P "^$task\t" "$W/demo/tasks.tsv" | cut -f3)
	case $measure in ha|%) sleep 2; continue ;; esac
	echo "$numerators" | grep -qx "$task" && continue
	value=$(awk -v t="$target" -v r="$(shuf -i 1-100 -n 1)" 'BEGIN { v = t / 400 * r / 50; printf "%.0f", v < 1 ? 1 : v }')
	"$PUSH" -q --client "$unit" --unit "$unit" --task "$task" --add "$value" \
		--note "báo cáo trực tiếp #$i" || echo "push failed with status $?"
	# Handled dossiers bring their on-time share (never more than them).
	grep -P "^$task\t" "$W/demo/rates.tsv" | while IFS="$(printf '\t')" read -r _ num rate; do
		on=$(awk -v v="$value" -v s="$(share "$rate" "$unit" 1)" \
			'BEGIN { printf "%.0f", int(v * s + rand()) }')
		[ "$on" -gt 0 ] || continue
		"$PUSH" -q --client "$unit" --unit "$unit" --task "$num" --add "$on" \
			--note "báo cáo trực tiếp #$i" || echo "push failed with status $?"
	done
	sleep 2
done
