#!/bin/sh
# The operator's promises of README "Backups and restoring", followed as
# written: tiendo-ctl backup finds the database the daemon's settings name
# (a PostgreSQL store is refused, not the SQLite file it left behind), the
# copy is no more readable than the database; the restore block of the
# README, run line by line, brings every report back counted once, and the
# tally snapshot of the database it replaced is never used for it, not
# even at a start after a crash once new rows reuse its last row's id; a
# database deleted or replaced under a running daemon gets no more acks;
# a restored copy left root's is refused with a reason, and the README's
# chown makes it the service's.  Also: SIGINT, the files of STATE_DIR, and
# the PostgreSQL role of "Running on PostgreSQL with a standby".
. "$(dirname "$0")/lib.sh"

CTL="$B/tiendo-ctl"
Z="$B/tools/zsend"
README="$(dirname "$0")/../../README.md"
SNAP=$T/state/tallies.snap
fates() { awk '/^report /{ printf "%s %s;", $2, $3 }'; }
said() { grep -c "$1" "$T/tiendod.log"; }
# gone PID: the process has exited (a zombie not yet waited for counts).
gone() { grep -qs ') Z ' "/proc/$1/stat" || ! kill -0 "$1" 2>/dev/null; }
crash() {
	kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
	PIDS=$(echo "$PIDS" | sed "s/ $DPID\b//")
	rm -f "$STATE/endpoints"
}
# restore_block STOP START: the README's restore commands, for this test's
# paths, as shell lines (sudo dropped; systemctl stop/start as given).
restore_block() {
	awk '/^To restore:/ { on = 1; next }
	     on && /^```sh/ { inblock = 1; next }
	     inblock && /^```/ { exit }
	     inblock { print }' "$README" |
	sed -e 's/[[:space:]]*#.*$//' -e 's/^sudo //' -e 's/ sudo / /g' \
	    -e "s|/srv/backup/tiendo-2021-03-01.db|$T/backup.db|g" \
	    -e "s|/var/lib/tiendo|$RSTATE|g" \
	    -e "s#^systemctl stop tiendod\$#$1#" \
	    -e "s#^systemctl start tiendod\$#$2#"
}

start_daemon || exit 1
expect_eq "reports before the backup" \
	"$($Z --client xa-a --report "1|xa-a|cay|add|1|now" "$INGEST" | fates)" "1 ACCEPTED;"

# --- tiendo-ctl backup: which database, and the copy's mode -------------
ok "the backup to restore from" "$CTL" backup --state-dir "$STATE" "$T/backup.db"
out=$(umask 022; "$CTL" backup --store "sqlite:$STATE/tiendo.db" "$T/bystore.db" 2>&1)
expect_eq "backup --store sqlite:PATH (the store setting's spelling): exit 0" "$?" 0
expect_match "and copies that file" "$out" "1 reports, copied from $STATE/tiendo.db\$"
expect_eq "the copy is no more readable than the database, under umask 022" \
	"$(stat -c %a "$T/bystore.db" 2>&1)" 640
printf '[tiendod]\nstate_dir = %s\n' "$STATE" >"$T/here.conf"
out=$(TIENDO_STATE_DIR= "$CTL" --config "$T/here.conf" backup "$T/viaconf.db" 2>&1)
expect_eq "backup with --config: exit 0" "$?" 0
expect_match "its state_dir is where the database is" "$out" "copied from $STATE/tiendo.db\$"
# A daemon moved to PostgreSQL leaves its SQLite file behind.
printf '[tiendod]\nstate_dir = %s\nstore = postgresql://tiendo@db.example/tiendo\n' \
	"$STATE" >"$T/pg.conf"
out=$(TIENDO_STATE_DIR= "$CTL" --config "$T/pg.conf" backup "$T/stale.db" 2>&1)
expect_eq "a configuration with a PostgreSQL store: exit 64" "$?" 64
expect_match "naming PostgreSQL's tools" "$out" "the store is PostgreSQL: .*pg_dump -Fc"
ok "and no copy of the SQLite file left behind" test ! -e "$T/stale.db"

# --- restore as the README says, the snapshot of what it replaced --------
expect_eq "reports after the backup" \
	"$($Z --client xa-a --report "2|xa-a|cay|add|1|now" "$INGEST" | fates)$($Z --client xa-b --report "1|xa-b|cay|add|100|now" "$INGEST" | fates)" \
	"2 ACCEPTED;1 ACCEPTED;"
RSTATE=$STATE
restore_block stop_daemon "start_daemon || exit 1" >"$T/restore.sh"
expect_match "the README's restore stops, replaces the files, starts" "$(cat "$T/restore.sh")" \
"^stop_daemon$
^rm -f $STATE/tiendo.db $STATE/tiendo.db-wal $STATE/tiendo.db-shm $STATE/tallies.snap\$"
# An operator who keeps an older text's rm line: the snapshot stays.
sed -i "s| $STATE/tallies.snap\$||" "$T/restore.sh"
. "$T/restore.sh"
expect_eq "stopped cleanly first" "$DSTATUS" 0
expect_eq "the restored daemon counts what the copy holds" "$(tally cay xa-a actual)/$(tally cay xa-b actual)" "1/0"
expect_eq "the replaced database's snapshot is not used" \
	"$(said 'tally snapshot not used (the store does not hold its last row')" 1
ok "and no longer left there" test ! -e "$SNAP"
# The commune offices resend what was acked after the backup, and others
# report: ids after the copy's last row are used again, and the replaced
# database's last row (id 3, xa-b #1) comes back under the same id.
expect_eq "reports after the restore" \
	"$($Z --client xa-a --report "5|xa-a|cay|add|10|now" "$INGEST" | fates)$($Z --client xa-b --report "1|xa-b|cay|add|100|now" "$INGEST" | fates)" \
	"5 ACCEPTED;1 ACCEPTED;"
expect_eq "row 3 is xa-b #1 again" "$(sqlite3 "$STATE/tiendo.db" 'SELECT client, seq FROM reports WHERE id = 3')" "xa-b|1"
crash
start_daemon || exit 1
expect_eq "after a crash, the tallies are the restored database's" \
	"$(tally cay xa-a actual)/$(tally cay xa-b actual)" "11/100"
expect_eq "read from every row, not from the old snapshot" "$(said 'tallies from the snapshot')" 0

# --- a restore under a running daemon ------------------------------------
"$CTL" backup --state-dir "$STATE" "$T/backup2.db" >/dev/null
rm -f "$STATE/tiendo.db" "$STATE/tiendo.db-wal" "$STATE/tiendo.db-shm"
cp "$T/backup2.db" "$STATE/tiendo.db"
out=$($Z --client xa-a --report "6|xa-a|cay|add|1|now" --timeout 5000 "$INGEST")
expect_match "a batch for the database deleted under it: RETRY, not OK" "$out" "^status RETRY"
ok "/healthz answers 503" wait_for 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$HTTP/healthz')\" = 503 ]"
expect_match "and says why" "$(curl -s "$HTTP/healthz")" \
	'"storage_error": ".*deleted or replaced while tiendod ran'
stop_daemon
start_daemon || exit 1
expect_eq "restarted on the restored file, the resend is accepted" \
	"$($Z --client xa-a --report "6|xa-a|cay|add|1|now" "$INGEST" | fates)" "6 ACCEPTED;"
expect_eq "and counted once" "$(tally cay xa-a actual)" 12
stop_daemon

# --- signals and the files of STATE_DIR (README "Running it for real") ---
start_daemon || exit 1
key1=$(cat "$STATE/reload.key")
expect_eq "reload.key: 0600" "$(stat -c %a "$STATE/reload.key")" 600
kill -INT "$DPID"; wait "$DPID"
expect_eq "SIGINT: exit 0" "$?" 0
PIDS=$(echo "$PIDS" | sed "s/ $DPID\b//")
ok "a clean stop removes the endpoints file" test ! -e "$STATE/endpoints"
start_daemon || exit 1
ok "reload.key is written anew at every start" test "$(cat "$STATE/reload.key")" != "$key1"
stop_daemon

# --- the restored copy's owner (a state directory not root's) -----------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	RSTATE=$T/svc
	mkdir -m 0750 "$RSTATE" && chown nobody "$RSTATE"
	cp "$PLAN" "$T/svc.ini" && chmod 644 "$T/svc.ini"
	cat >"$T/svc.sh" <<EOF
setpriv --reuid=nobody --regid=nogroup --clear-groups "$B/tiendod" --plain \
	--plan "$T/svc.ini" --state-dir "$RSTATE" --ingest tcp://127.0.0.1:0 \
	--http 127.0.0.1:0 --pub tcp://127.0.0.1:0 --snapshot tcp://127.0.0.1:0 \
	2>>"$T/tiendod-svc.log" &
SPID=\$!
PIDS="\$PIDS \$SPID"
EOF
	# Without the README's chown: the copy is root's.
	restore_block : ". '$T/svc.sh'" | grep -v chown >"$T/nochown.sh"
	. "$T/nochown.sh"
	if wait_for 20 gone "$SPID"; then wait "$SPID"; rc=$?
	else kill -KILL "$SPID"; wait "$SPID"; rc="still running"; fi
	expect_eq "a restored copy left root's: exit 73" "$rc" 73
	expect_match "saying whose it should be" "$(cat "$T/tiendod-svc.log")" \
		"not writable by uid [0-9]+: give it to the owner of its directory"
	restore_block : ". '$T/svc.sh'" >"$T/svc-restore.sh"
	. "$T/svc-restore.sh"
	ok "with the README's chown, the service's user starts on it" \
		wait_for 20 test -f "$RSTATE/endpoints"
	expect_eq "the file is the directory's owner's" "$(stat -c %U "$RSTATE/tiendo.db")" nobody
	kill -TERM "$SPID"
	if wait_for 10 gone "$SPID"; then wait "$SPID"; rc=$?
	else kill -KILL "$SPID"; wait "$SPID"; rc="still running"; fi
	expect_eq "and stops cleanly" "$rc" 0
else
	for n in 1 2 3 4 5; do skip "restored copy's owner ($n)" "needs root, setpriv and user nobody"; done
fi
# --- PostgreSQL: the role the README makes (last: pglib.sh's sqlite3
# reads the store with psql from here on) ------------------------------
if . "$(dirname "$0")/pglib.sh" && pg_init >/dev/null 2>&1; then
	psql_ "CREATE ROLE op LOGIN" >/dev/null
	pg_as "$PGBIN/createdb" -h "$PGDIR" -U tiendo --owner op opdb
	pg_as "$PGBIN/createdb" -h "$PGDIR" -U tiendo notops
	"$B/tiendod" --plan "$PLAN" --state-dir "$T/pg1" --ingest tcp://127.0.0.1:0 \
		--http 127.0.0.1:0 $(mode_args) \
		--store "postgresql:///notops?host=$PGDIR&user=op" 2>"$T/pg1.log"
	expect_eq "a role that does not own its database: exit 73" "$?" 73
	expect_match "and why" "$(cat "$T/pg1.log")" "permission denied for schema public"
	STATE=$T/pg2 TIENDO_STORE="postgresql:///opdb?host=$PGDIR&user=op" start_daemon || exit 1
	expect_eq "the README's role, owner of its database, no superuser: reports stored" \
		"$($Z --client xa-a --report "1|xa-a|cay|add|1|now" "$INGEST" | fates)" "1 ACCEPTED;"
	stop_daemon
	unset TIENDO_STORE
else
	for n in 1 2 3; do skip "PostgreSQL role ($n)" "no PostgreSQL"; done
fi

finish
