#!/bin/sh
# GET /metrics: Prometheus text that promtool accepts, with counters that
# follow what was sent; bad input rate-limited in the log and counted.
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
Z="$B/tools/zsend"
metric() { printf '%s\n' "$M" | awk -v m="$1" '$1 == m { print $2 }'; }

$Z --report "1|xa-a|cay|add|1|now" --repeat 4 "$INGEST" >/dev/null
$Z --report "1|xa-a|cay|add|1|now" "$INGEST" >/dev/null
$Z --report "9|xa-zz|cay|add|1|now" --report "10|xa-a|cay|add|abc|now" "$INGEST" >/dev/null
i=0
# Garbage from one peer: known by its key with CURVE, by its address plain.
while [ $i -lt 12 ]; do $Z --client other --garbage 16 "$INGEST" >/dev/null; i=$((i + 1)); done

M=$(get /metrics)
ok "GET /metrics answers" test -n "$M"
expect_match "content type is Prometheus text 0.0.4" \
	"$(curl -s -o /dev/null -w '%{content_type}' "$HTTP/metrics")" "^text/plain; version=0.0.4"
if command -v promtool >/dev/null; then
	out=$(printf '%s\n' "$M" | promtool check metrics 2>&1); rc=$?
	expect_eq "promtool check metrics: exit 0" "$rc" 0
	expect_eq "promtool check metrics: no problems" "$out" ""
else
	flunk "promtool is missing (scripts/deps.sh test installs prometheus)"
fi
expect_eq "reports received" "$(metric tiendo_reports_received_total)" 8
expect_eq "accepted" "$(metric 'tiendo_reports_total{fate="accepted"}')" 5
expect_eq "duplicate" "$(metric 'tiendo_reports_total{fate="duplicate"}')" 1
expect_eq "rejected" "$(metric 'tiendo_reports_total{fate="rejected"}')" 2
expect_eq "rejected: unknown_unit" "$(metric 'tiendo_reports_rejected_total{reason="unknown_unit"}')" 1
expect_eq "rejected: bad_value" "$(metric 'tiendo_reports_rejected_total{reason="bad_value"}')" 1
expect_eq "batches ok" "$(metric 'tiendo_batches_total{status="ok"}')" 3
expect_eq "bad batches by error" "$(metric 'tiendo_batches_refused_total{error="malformed"}')" 12
# buckets NAME: the cumulative bucket counts of histogram NAME, on one line.
buckets() { printf '%s\n' "$M" | awk -v p="$1_bucket{" 'index($1, p) == 1 { printf "%s ", $2 }'; }
rising() { echo "$1" | awk '{ for (i = 2; i <= NF; i++) if ($i < $(i - 1)) exit 1 }'; }
c=$(metric tiendo_commit_duration_seconds_count)
# Group commit: the 3 good batches took 1 to 3 commits (counted by the
# test, not read back from the same counter).
ok "commits timed ($c: 1 to 3)" test "${c:-0}" -ge 1 -a "${c:-0}" -le 3
cb=$(buckets tiendo_commit_duration_seconds)
ok "commit buckets are cumulative ($cb)" rising "$cb"
expect_eq "commit buckets: 16 bounds and +Inf" "$(echo "$cb" | wc -w)" 17
expect_eq "commit histogram: every commit under 10 s, +Inf the same" \
	"$(echo "$cb" | awk '{ print $16, $17 }')" "$c $c"
ab=$(buckets tiendo_ack_latency_seconds)
ok "ack buckets are cumulative ($ab)" rising "$ab"
# 15 replies, as sent above: 3 batches and 12 garbage messages.
expect_eq "every ack timed: 15 under 10 s, 15 in all" \
	"$(echo "$ab" | awk '{ print $16, $17 }') $(metric tiendo_ack_latency_seconds_count)" "15 15 15"
ok "database size reported" test "$(metric 'tiendo_database_size_bytes{file="main"}')" -gt 0
expect_match "build info" "$M" '^tiendo_build_info\{version="[0-9.]+",sqlite="[0-9.]+".*\} 1$'
expect_eq "units reporting" "$(metric tiendo_units_reporting)" 1
expect_eq "no subscriber yet" "$(metric tiendo_subscribers)" 0
expect_match "alerts by state and severity" "$M" '^tiendo_alerts\{state="firing",severity="critical"\} [0-9]+$'
"$B/tiendo-sub" >/dev/null 2>&1 &
SUBPID=$!
PIDS="$PIDS $SUBPID"
ok "a subscriber is counted" wait_for 10 sh -c "curl -s $HTTP/metrics | grep -qx 'tiendo_subscribers 1'"
kill "$SUBPID"
ok "and uncounted when it leaves" wait_for 10 sh -c "curl -s $HTTP/metrics | grep -qx 'tiendo_subscribers 0'"
expect_eq "storage ok" "$(metric tiendo_storage_ok)" 1

# One noisy peer: at most 5 lines a minute, the rest counted.
lines=$(grep -c "bad batch" "$T/tiendod.log")
expect_eq "bad batches from one peer: 5 log lines" "$lines" 5
expect_eq "the other 7 counted as suppressed" "$(metric tiendo_log_suppressed_total)" 7
expect_match "a logged line names the peer and the reason" "$(cat "$T/tiendod.log")" \
	"^<6>ingest: from (127\.0\.0\.1|other): bad batch: message of 16 bytes is not a protobuf"
expect_match "rejected reports are logged by client" "$(cat "$T/tiendod.log")" \
	"^<6>ingest: from probe: report seq 9 rejected: .*xa-zz"
expect_eq "POST /metrics: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$HTTP/metrics")" 405
stop_daemon
finish
