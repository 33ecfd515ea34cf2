#!/bin/sh
# Retention: alert events older than alert_retention are deleted by the
# daemon in slices, except the latest event of every alert still active;
# reports are never deleted.  alert_retention = 2s here, so a pass runs
# every second (a quarter of it, at least 1 s).
TEST_CLIENTS_MORE="t"
. "$(dirname "$0")/lib.sh"

send() { "$B/tools/zsend" --client t "$@" "$INGEST" >/dev/null; }
hist_has() { get "/v1/alerts/history?limit=10000" | jq -e "[.alerts[] | select(.seq == $1)] | length == 1" >/dev/null; }
active_seqs() { get '/v1/alerts?active=1' | jq -r '[.alerts[].seq] | map(tostring) | join(" ")'; }

printf '[tiendod]\nalert_retention = banana\n' >"$T/bad.conf"
"$B/tiendod" -c "$T/bad.conf" --plan "$T/plan.ini" --check >"$T/bad.out" 2>&1
expect_eq "a bad alert_retention is refused" "$?" 78
expect_match "with where and why" "$(cat "$T/bad.out")" "bad.conf:2: .*alert_retention"

printf '[tiendod]\nalert_retention = 2s\n' >"$T/tiendod.conf"
start_daemon -c "$T/tiendod.conf" --alert-pending 0 --alert-interval 200ms || exit 1
evaluated() { [ "$(metric tiendo_alert_evaluations_total)" -ge 1 ] 2>/dev/null; }
ok "a full evaluation ran" wait_for 20 evaluated

# xa-a catches up on "cay": its lag alert resolves (an event no state
# points to any more); the other alerts stay active.
send --report "1|xa-a|cay|set|600|now"
resolved() { get "/v1/alerts/history?task=cay&unit=xa-a" | jq -e '.alerts[] | select(.transition == "resolved" and .rule == "lag" and .rollup == false)' >/dev/null; }
ok "the lag alert resolves" wait_for 10 resolved
r=$(get "/v1/alerts/history?task=cay&unit=xa-a" | jq '[.alerts[] | select(.transition == "resolved" and .rule == "lag")][0].seq')
f=$(get "/v1/alerts/history?task=cay&unit=xa-a" | jq '[.alerts[] | select(.transition == "firing" and .rule == "lag" and .rollup == false)][0].seq')
before=$(active_seqs)
expect_match "some alerts stay active" "$before" "[0-9]"

gone() { ! hist_has "$1"; }
ok "the resolved alert's events are pruned once older than 2 s" wait_for 20 gone "$r"
ok "its firing event too" gone "$f"
expect_match "the pruned count says so" "$(metric tiendo_retention_pruned_total)" "^[1-9]"
expect_eq "the active alerts and their latest events stay" "$(active_seqs)" "$before"
for s in $before; do
	ok "active alert's event $s is still in the history" hist_has "$s"
done
expect_eq "reports are never pruned: the tally stands" \
	"$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '[.. | objects | select(.unit? == "xa-a") | .actual][0]')" 600
ok "a retention pass checkpoints the WAL" test "$(metric tiendo_retention_passes_total)" -ge 2
# A slice's time on the loop is measured apart from the wait for its
# commit (off the loop): more than nothing, and within the whole slice.
within() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > 0 && a <= b) }'; }
l=$(metric tiendo_alert_slice_loop_max_seconds)
ok "an alert slice's time on the loop: $l s, within its whole" \
	within "$l" "$(metric tiendo_alert_slice_max_seconds)"
l=$(metric tiendo_retention_slice_loop_max_seconds)
ok "a retention slice's: $l s, within its whole" \
	within "$l" "$(metric tiendo_retention_slice_max_seconds)"
finish
