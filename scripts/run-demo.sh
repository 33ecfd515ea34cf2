#!/bin/sh
# make run: tiendod on the example plan, moved in time so that today falls
# inside the campaign, with demo communes reporting: most on pace, some
# ahead, some behind, one silent.  Ctrl-C stops everything.
#   scripts/run-demo.sh BUILD_DIR
set -eu
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh run
R=$top/run
# A fresh demo each time: the plan's dates move with today, and the demo
# communes backfill the campaign so far, which on yesterday's database
# would count the backfill twice.
rm -rf "$R/state" "$R/clients" "$R/demo"
mkdir -p "$R/state"
PLAN_SRC=examples/tam-duong-2021.ini
INGEST=tcp://127.0.0.1:7420
HTTP=127.0.0.1:7480
PUB=tcp://127.0.0.1:7421
SNAPSHOT=tcp://127.0.0.1:7422
export TIENDO_CONNECT=$INGEST TIENDO_HTTP=http://$HTTP
export TIENDO_PUB=$PUB TIENDO_SNAPSHOT=$SNAPSHOT
export XDG_STATE_HOME="$R/clients"

# Day 0 of the example (17 Feb 2021, the day of the chairman's directions)
# becomes 40 days ago.
shift_days=$(( ( $(date -u +%s) - $(date -u -d 2021-02-17 +%s) ) / 86400 - 40 ))
awk -v days="$shift_days" '
function shift(d,   cmd, out) {
	cmd = "date -u -d \"" d " + " days " days\" +%Y-%m-%d"
	cmd | getline out; close(cmd); return out
}
/^[ \t]*(start|deadline|milestone)[ \t]*=/ {
	if (match($0, /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/)) {
		d = substr($0, RSTART, RLENGTH)
		$0 = substr($0, 1, RSTART - 1) shift(d) substr($0, RSTART + RLENGTH)
	}
}
{ print }' "$PLAN_SRC" >"$R/plan.ini"

pids=""
stop() {
	trap '' INT TERM; trap - EXIT
	echo
	echo "stopping..."
	for p in $pids; do pkill -TERM -P "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	echo "stopped; the database stays in $R/state until the next make run"
	exit 0
}
trap stop INT TERM EXIT

rm -f "$R/state/endpoints"
"$B/tiendod" --plan "$R/plan.ini" --state-dir "$R/state" --ingest "$INGEST" \
	--http "$HTTP" --pub "$PUB" --snapshot "$SNAPSHOT" --plain \
	--alert-pending 30s --alert-interval 5s 2>"$R/tiendod.log" &
pids="$!"
end=$(( $(date +%s) + 20 ))
until [ -f "$R/state/endpoints" ]; do
	if ! kill -0 "$pids" 2>/dev/null || [ "$(date +%s)" -ge "$end" ]; then
		echo "tiendod did not start:" >&2; cat "$R/tiendod.log" >&2; exit 1
	fi
	sleep 0.1
done

sh examples/demo.sh "$B" "http://$HTTP" "$R" >"$R/demo.log" 2>&1 &
pids="$pids $!"
# A subscriber of our own, so that the alerts land in a file to tail.
"$B/tiendo-sub" >"$R/alerts.log" 2>"$R/tiendo-sub.log" &
pids="$pids $!"

cat <<MSG

  tiendod is running on the Tam Dương example plan (dates moved so that
  today is day 40 of the campaign), and 12 demo communes are reporting.

  Dashboard:  http://$HTTP/               open it in a browser

  Look:  $B/tiendo-ctl status                 the tally table
         $B/tiendo-ctl status --task tet-trong-cay
         curl -s http://$HTTP/v1/tallies       the JSON API
         curl -s http://$HTTP/healthz
  Push:  $B/tiendo-push --unit hoang-dan --task tet-trong-cay --add 300
  Alerts (a condition must hold 30 s here before it fires):
         tail -f $R/alerts.log                 what a subscriber prints
         $B/tiendo-sub                         another one, live, in colour
         $B/tiendo-sub --severity critical --json
         $B/tiendo-ctl alerts                  the active alerts
  Logs:  $R/tiendod.log   $R/demo.log

  Ctrl-C stops everything.
MSG
wait
