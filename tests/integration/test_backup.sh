#!/bin/sh
# tiendo-ctl backup while the daemon takes reports: the copy is a
# consistent database holding every report acknowledged before the backup
# began; restored into a new state directory, the daemon serves it.
TEST_CLIENTS_MORE="bk"
. "$(dirname "$0")/lib.sh"

start_daemon || exit 1
CTL="$B/tiendo-ctl"
Z="$B/tools/zsend"

# A writer that keeps sending batches of 50 and notes each acked batch.
cat >"$T/writer.sh" <<'SH'
i=0
while [ ! -f "$T/stop" ]; do
	if "$Z" --client bk --batch-id $i --report "$((i * 50 + 1))|xa-a|cay|add|1|now" \
		--repeat 49 "$INGEST" | grep -q "^status OK"; then
		echo "$i" >>"$T/acked"
	fi
	i=$((i + 1))
done
SH
: >"$T/acked"
T="$T" Z="$Z" INGEST="$INGEST" sh "$T/writer.sh" &
WPID=$!
PIDS="$PIDS $WPID"
ok "the writer gets acks" wait_for 20 sh -c "[ \$(wc -l <'$T/acked') -ge 20 ]"

before=$(wc -l <"$T/acked")
out=$("$CTL" backup --state-dir "$STATE" "$T/backup.db" 2>&1); rc=$?
after=$(wc -l <"$T/acked")
touch "$T/stop"
wait "$WPID"
expect_eq "backup exits 0" "$rc" 0
expect_match "backup says what it copied" "$out" "backup.db: [0-9]+ reports, copied from .*tiendo.db"
ok "no temporary file left" test ! -e "$T/backup.db.tmp"
ok "backup is one file, not WAL" test ! -e "$T/backup.db-wal"
expect_eq "backup passes integrity_check" "$(sqlite3 "$T/backup.db" 'PRAGMA integrity_check')" "ok"

# Every batch acked before the backup began is in it, whole.
missing=0
for i in $(head -n "$before" "$T/acked"); do
	n=$(sqlite3 "$T/backup.db" "SELECT count(*) FROM reports WHERE client='bk' AND seq BETWEEN $((i * 50 + 1)) AND $((i * 50 + 50))")
	[ "$n" = 50 ] || missing=$((missing + 1))
done
expect_eq "every batch acked before the backup is in it ($before batches)" "$missing" 0
inbk=$(sqlite3 "$T/backup.db" "SELECT count(*) FROM reports WHERE client='bk'")
ok "only whole batches in the copy ($inbk reports)" test $((inbk % 50)) -eq 0

# Restore as the README says: stop, put the copy in place, start.
stop_daemon
rm -f "$STATE"/tiendo.db "$STATE"/tiendo.db-wal "$STATE"/tiendo.db-shm
cp "$T/backup.db" "$STATE/tiendo.db"
start_daemon || exit 1
actual=$(get "/v1/tallies?task=cay&unit=xa-a" | jq -r '.tallies[] | select(.unit=="xa-a" and .rollup==false) | .actual')
expect_eq "restored daemon counts what the copy holds" "$actual" "$inbk"
out=$($Z --client bk --report "1|xa-a|cay|add|1|now" "$INGEST")
expect_match "a report acked before the backup is a duplicate after restore" "$out" "report 1 DUPLICATE"
stop_daemon

# Errors.
"$CTL" backup --state-dir "$T/nowhere" "$T/x.db" 2>/dev/null
expect_eq "no database there: exit 66" "$?" 66
"$CTL" backup --db "$STATE/tiendo.db" "$T/no/such/dir/x.db" 2>/dev/null
expect_eq "cannot write the copy: exit 73" "$?" 73
"$CTL" backup 2>/dev/null
expect_eq "no FILE: exit 64" "$?" 64
finish
