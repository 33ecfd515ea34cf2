# A throwaway PostgreSQL cluster for the tests, sourced after lib.sh:
#   . tests/integration/pglib.sh; pg_init   (sets TIENDO_STORE)
# The cluster lives in $T/pg, listens on a Unix socket there only (no TCP
# port to collide with), and is stopped on every exit by lib.sh's cleanup
# (CLEANUP_HOOK), before $T is removed.  PostgreSQL refuses to run as root: as root the
# server runs as the unprivileged system user "postgres" (the postgresql
# package makes it).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDIR=$T/pg

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ctl_() { pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" "$@"; }

# pg_start / pg_stop [MODE]: the server (stop mode fast by default;
# "immediate" is a crash).
pg_start() {
	pg_ctl_ -l "$PGDIR/server.log" -w -t 30 \
		-o "-c listen_addresses= -k $PGDIR -c max_connections=40" start >/dev/null
}
pg_stop() { pg_ctl_ -m "${1:-fast}" -w -t 30 stop >/dev/null 2>&1; }

pg_cleanup() {
	[ -z "${KEEP:-}" ] || "$PGBIN/pg_dump" -h "$PGDIR" -U tiendo tiendo >"$T/dump.sql" 2>/dev/null
	[ ! -f "$PGDIR/data/postmaster.pid" ] || pg_stop immediate
}

# psql_ SQL: one query's rows, unaligned, "|" between columns.
psql_() { "$PGBIN/psql" -X -q -A -t -h "$PGDIR" -U tiendo -d tiendo -c "$1"; }

pg_init() {
	[ -n "$PGBIN" ] || { echo "# no PostgreSQL (scripts/deps.sh test)"; return 1; }
	mkdir -p "$PGDIR" && chmod 711 "$T" || return 1
	[ "$(id -u)" -ne 0 ] || chown postgres "$PGDIR" || return 1
	CLEANUP_HOOK=pg_cleanup
	pg_as "$PGBIN/initdb" -D "$PGDIR/data" -U tiendo --auth=trust -E UTF8 \
		--no-sync >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log"; return 1; }
	pg_start || { cat "$PGDIR/server.log"; return 1; }
	pg_as "$PGBIN/createdb" -h "$PGDIR" -U tiendo tiendo || return 1
	TIENDO_STORE="postgresql:///tiendo?host=$PGDIR&user=tiendo"
	export TIENDO_STORE
}

# The suites written for SQLite read the store with the sqlite3 shell; on
# PostgreSQL their queries on the daemon's database go to psql instead (the
# same SQL, the same "a|b" output).  integrity_check is SQLite's own.
sqlite3() {
	if [ $# -eq 2 ] && [ "$1" = "${STATE:-$T/state}/tiendo.db" ]; then
		case $2 in
		"PRAGMA integrity_check") echo ok ;;
		*) psql_ "$2" ;;
		esac
	else
		command sqlite3 "$@"
	fi
}
