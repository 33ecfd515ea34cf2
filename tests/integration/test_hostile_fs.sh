#!/bin/sh
# Files and a full disk (issue 10, item 6): the database and its -wal and
# -shm are never readable by others, whatever the umask; on a full disk the
# daemon starts degraded (reads served, /healthz 503, batches answered
# RETRY) and recovers by itself when space returns.  The full disk is a
# small tmpfs in a private mount namespace (unshare -rm).
if [ -z "${TIENDO_IN_NS:-}" ] && unshare -rm true 2>/dev/null; then
	TIENDO_IN_NS=1 exec unshare -rm sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

Z="$B/tools/zsend"
umask 000
start_daemon || exit 1
out=$($Z --report "1|xa-a|cay|add|7|now" "$INGEST")
expect_match "a report stored" "$out" "report 1 ACCEPTED"
for f in tiendo.db tiendo.db-wal tiendo.db-shm; do
	mode=$(stat -c %a "$STATE/$f" 2>/dev/null)
	expect_match "$f is $mode under umask 000: no access for others" \
		"$mode" "^6[04]0$"
done
stop_daemon

if [ -z "${TIENDO_IN_NS:-}" ]; then
	echo "ok - # SKIP full disk: no private mount namespace (unshare -rm)"
	finish
	exit $?
fi
mkdir "$T/small"
mount -t tmpfs -o size=4m tmpfs "$T/small" || { flunk "mount a small tmpfs"; finish; exit 1; }
STATE=$T/small/state
start_daemon || exit 1
out=$($Z --report "2|xa-a|cay|add|5|now" "$INGEST")
expect_match "a report stored on the small disk" "$out" "report 2 ACCEPTED"
ports="$INGEST $HTTP $PUB $SNAPSHOT"
# Killed: its -wal and -shm stay, as after a crash.
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
dd if=/dev/zero of="$T/small/fill" bs=4k >/dev/null 2>&1
ok "the disk is full" test "$(df --output=avail "$T/small" | tail -1)" -eq 0
set -- $ports
"$B/tiendod" --plan "$T/plan.ini" --state-dir "$STATE" --ingest "$1" \
	--http "${2#http://}" --pub "$3" --snapshot "$4" --keys-dir "$KEYS" \
	2>>"$T/tiendod.log" &
DPID=$!
PIDS="$PIDS $DPID"
if wait_for 20 sh -c "curl -s -o /dev/null --max-time 2 '$HTTP/healthz'"; then
	pass "tiendod starts on a full disk"
else
	flunk "tiendod starts on a full disk" "$(tail -3 "$T/tiendod.log")"
fi
expect_eq "/healthz says 503" "$(get_status /healthz)" 503
expect_match "... degraded, storage failing" \
	"$(curl -s --max-time 5 "$HTTP/healthz")" '"status": "degraded"'
expect_match "the reads are served" "$(get '/v1/tallies?unit=xa-a&task=cay')" \
	'"actual": "5"'
expect_match "the log says why" "$(cat "$T/tiendod.log")" "starting degraded"
out=$($Z --report "3|xa-a|cay|add|1|now" "$INGEST" 2>&1)
expect_match "a batch is answered RETRY, nothing stored" "$out" "status RETRY"
rm "$T/small/fill"
ok "space back: /healthz recovers by itself" wait_for 15 sh -c \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 '$HTTP/healthz') = 200 ]"
out=$($Z --report "3|xa-a|cay|add|1|now" "$INGEST" 2>&1)
expect_match "and the batch is stored" "$out" "report 3 ACCEPTED"

# tiendo-push on a full disk sends what its outbox already holds.
mkdir "$T/client"
mount -t tmpfs -o size=1m tmpfs "$T/client" || flunk "mount the client's tmpfs"
push() { "$B/tiendo-push" --outbox "$T/client/outbox.db" --client xa-a "$@"; }
push --unit xa-a --task cay --add 2 --no-send >/dev/null &&
push --unit xa-a --task cay --add 3 --no-send >/dev/null
dd if=/dev/zero of="$T/client/fill" bs=4k >/dev/null 2>&1
ok "the client's disk is full" test "$(df --output=avail "$T/client" | tail -1)" -eq 0
out=$(push 2>&1)
expect_eq "tiendo-push sends its queued reports anyway" \
	"$(echo "$out" | grep -c ': accepted$')" 2
expect_match "... and says why they stay queued" "$out" "answered duplicate"
expect_match "they are counted" "$(get '/v1/tallies?unit=xa-a&task=cay')" \
	'"actual": "11"'
umount "$T/client"
stop_daemon
expect_eq "SIGTERM: exit 0" "$DSTATUS" 0
umount "$T/small"
finish
