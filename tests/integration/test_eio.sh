#!/bin/sh
# Storage I/O errors, not only a full disk: writes to the database fail
# with EIO (tests/shim/eio.c, preloaded into tiendod only) while a flag
# file exists.  README, Storage errors: the batch is rolled back and
# answered RETRY, nothing of it acknowledged, the error logged once,
# /healthz 503 with its whole degraded body; when writes work again, the
# daemon says so and takes the resent batch, without a restart.
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
preload_shim eio || { finish; exit 1; }
STATE=$T/state
export TIENDO_EIO_FLAG="$T/eio.on" TIENDO_EIO_FILES="$STATE/tiendo.db:$STATE/tiendo.db-wal"
B=$T/bin start_daemon || exit 1
count_log() { grep -c -- "$1" "$T/tiendod.log"; }

out=$($Z --report "1|xa-a|cay|add|5|now" "$INGEST")
expect_match "before: a report goes in" "$out" "^report 1 ACCEPTED"
ok "the shim is loaded into tiendod" grep -q eio.so "/proc/$DPID/maps"

touch "$T/eio.on"
out=$($Z --timeout 15000 --report "2|xa-a|cay|add|7|now" "$INGEST")
expect_match "EIO: the batch is answered RETRY, storage" "$out" "^status RETRY
error BATCH_STORAGE"
expect_eq "and none of its reports is acknowledged" "$(printf '%s\n' "$out" | grep -c ' ACCEPTED\| DUPLICATE')" 0
expect_eq "nothing of it stored" "$(rows)" 1
expect_eq "healthz: 503" "$(get_status /healthz)" 503
H=$(curl -s --max-time 10 "$HTTP/healthz")
expect_eq "healthz: the whole degraded body" \
	"$(jget "$H" '[keys_unsorted[]] | join(" ")') | $(jget "$H" '"\(.status) \(.storage) \(.accepted) \(.plan_targets) \(.uptime_s | type)"')" \
	"status storage storage_error accepted uptime_s plan_targets | degraded failing 1 3 number"
expect_match "healthz: storage_error names the I/O error" "$(jget "$H" .storage_error)" "disk I/O error"
expect_eq "metrics: storage not ok" \
	"$(get /metrics | awk '$1 == "tiendo_storage_ok" { print $2 }')" 0
$Z --report "3|xa-a|cay|add|1|now" --repeat 3 "$INGEST" >/dev/null
expect_eq "the error is logged once, not per batch" "$(count_log 'storage: .*answering RETRY')" 1
expect_match "the log line names the I/O error" "$(cat "$T/tiendod.log")" "storage: .*I/O error.*answering RETRY"
expect_eq "tally unchanged" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup == false) | .actual')" 5
ok "the daemon is still running" kill -0 "$DPID"

rm -f "$T/eio.on"
ok "healthz recovers by itself once writes work" wait_for 10 healthy
ok "and the log says so" wait_for 5 grep -q "storage: writing again" "$T/tiendod.log"
H=$(get /healthz)
expect_eq "healthz: the whole healthy body" \
	"$(jget "$H" '[keys_unsorted[]] | join(" ")') | $(jget "$H" '"\(.status) \(.storage) \(.storage_error) \(.accepted)"')" \
	"status storage storage_error accepted uptime_s plan_targets | ok ok null 1"
out=$($Z --report "2|xa-a|cay|add|7|now" "$INGEST")
expect_match "the resent report goes in" "$out" "^report 2 ACCEPTED"
expect_eq "stored once" "$(rows)" 2
expect_eq "and counted" "$(get '/v1/tallies?task=cay&unit=xa-a' | jq -r '.tallies[] | select(.rollup == false) | .actual')" 12
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
expect_eq "integrity_check" "$(sqlite3 "$STATE/tiendo.db" 'PRAGMA integrity_check')" ok
finish
