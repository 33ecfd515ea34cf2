#!/bin/sh
# pg.sh - the `postgresql` section of `make bench`, on a throwaway cluster
# (initdb in a mktemp -d directory, Unix socket only, run as the user
# "postgres" when we are root; removed at the end):
#   1. the raw ceiling: the very rows loadgen sends, put in by COPY, one
#      transaction of BENCH_PG_BATCH rows each (BUILD_DIR/bench/ceiling
#      --copy), synchronous_commit = on;
#   2. tiendod's durable ingest on PostgreSQL (loadgen, every report acked
#      FATE_ACCEPTED), and its ratio to the ceiling (goal >= 0.7);
#   3. takeover: an active tiendod with BENCH_PG_STORED reports stored (by
#      COPY), a standby on the same database; the active one SIGKILLed
#      BENCH_PG_TAKEOVERS times; from the kill to the first report acked by
#      the other one (which rebuilds its tallies first), p50 and max (goal
#      <= 5 s at 1 M); then the same with BENCH_PG_BIG (10 M) reports,
#      BENCH_PG_BIG_TAKEOVERS (2) times, printed.
#
#   sh tests/bench/pg.sh [BUILD_DIR]
# Knobs: BENCH_PG_REPORTS (200000), BENCH_PG_BATCH (6400), BENCH_PG_STORED
# (1000000), BENCH_PG_TAKEOVERS (5), BENCH_PG_BIG (10000000; 0 skips it),
# BENCH_PG_BIG_TAKEOVERS (2), BENCH_CLIENTS, BENCH_INFLIGHT,
# BENCH_BATCH as run.sh.
set -eu
B=${1:-build}
REPORTS=${BENCH_PG_REPORTS:-200000}
CLIENTS=${BENCH_CLIENTS:-8}
INFLIGHT=${BENCH_INFLIGHT:-8}
BATCH=${BENCH_BATCH:-100}
CBATCH=${BENCH_PG_BATCH:-$((CLIENTS * INFLIGHT * BATCH))}
STORED=${BENCH_PG_STORED:-1000000}
TAKEOVERS=${BENCH_PG_TAKEOVERS:-5}
BIG=${BENCH_PG_BIG:-10000000}
BIG_TAKEOVERS=${BENCH_PG_BIG_TAKEOVERS:-2}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
say() { printf 'bench: %s\n' "$*"; }
[ -n "$PGBIN" ] || { say "postgresql: skipped (no PostgreSQL; scripts/deps.sh bench)"; exit 0; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tiendo-pgbench.XXXXXX")
pg=$work/pg
pids=""
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	status=$?
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	[ ! -f "$pg/data/postmaster.pid" ] ||
		as_pg "$PGBIN/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$work"
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "bench: FAILED: $*" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"

mkdir -p "$pg"
chmod 711 "$work"
[ "$(id -u)" -ne 0 ] || chown postgres "$pg"
as_pg "$PGBIN/initdb" -D "$pg/data" -U tiendo --auth=trust -E UTF8 >"$work/initdb.log" 2>&1 ||
	fail "initdb: $(tail -3 "$work/initdb.log")"
as_pg "$PGBIN/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
	-o "-c listen_addresses= -k $pg -c synchronous_commit=on -c shared_buffers=256MB" start >/dev/null ||
	fail "PostgreSQL did not start"
psql_() { "$PGBIN/psql" -X -q -A -t -h "$pg" -U tiendo -d "$1" -c "$2"; }
for db in ceiling tiendo; do
	as_pg "$PGBIN/createdb" -h "$pg" -U tiendo "$db" || fail "createdb $db"
done
uri() { echo "postgresql:///$1?host=$pg&user=tiendo"; }
list() { awk -v p="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "%s%s%02d", (i > 1 ? "," : ""), p, i }'; }
units=$(list u 12)
tasks=$(list t 10)
result() { sed -n "s/^result.* $2=\([^ ]*\).*/\1/p" "$1"; }

# The plan run.sh benchmarks with.
bench_plan >"$work/plan.ini"

# 1. The ceiling.
say "--- postgresql: raw ceiling, COPY of $REPORTS rows in transactions of $CBATCH"
"$B/bench/ceiling" --db "$(uri ceiling)" --copy --rows "$REPORTS" --batch "$CBATCH" \
	--clients "$CLIENTS" --chunk "$BATCH" --units "$units" --tasks "$tasks" >"$work/ceiling.out" ||
	fail "ceiling: $(cat "$work/ceiling.out")"
cat "$work/ceiling.out"
ceiling=$(result "$work/ceiling.out" rate)

# tiendod on database $1 with state $2, ports $3/$4 (0: any): dpid.
daemon() {
	rm -f "$2/endpoints"
	"$B/tiendod" --plan "$work/plan.ini" --state-dir "$2" --store "$(uri "$1")" \
		--ingest "tcp://127.0.0.1:$3" --http "127.0.0.1:$4" --plain \
		--pub tcp://127.0.0.1:0 --snapshot tcp://127.0.0.1:0 --log-level notice \
		2>>"$work/tiendod.log" &
	dpid=$!
	pids="$pids $dpid"
}
wait_file() { n=0; until [ -s "$1" ]; do n=$((n + 1)); [ $n -lt "$2" ] || return 1; sleep 0.02; done; }

# 2. Durable ingest.
say "--- postgresql: tiendod durable ingest, $CLIENTS clients x $INFLIGHT x $BATCH"
daemon tiendo "$work/s1" 0 0
wait_file "$work/s1/endpoints" 3000 || fail "tiendod did not start: $(tail -3 "$work/tiendod.log")"
ingest=$(sed -n 's/^ingest=//p' "$work/s1/endpoints")
"$B/bench/loadgen" --connect "$ingest" --clients "$CLIENTS" --inflight "$INFLIGHT" \
	--batch "$BATCH" --total "$REPORTS" --units "$units" --tasks "$tasks" >"$work/ingest.out" 2>&1 ||
	fail "loadgen: $(tail -3 "$work/ingest.out"); tiendod: $(tail -3 "$work/tiendod.log")"
cat "$work/ingest.out"
durable=$(result "$work/ingest.out" rate)
stored=$(psql_ tiendo 'SELECT count(*) FROM reports')
[ "$stored" -eq "$REPORTS" ] || fail "$stored reports stored, $REPORTS acked"
kill -TERM "$dpid"; wait "$dpid" || true

# 3. Takeover: takeover DB STORED TAKEOVERS fills database DB with STORED
# reports, then SIGKILLs the active daemon TAKEOVERS times; the times (ms)
# from each kill to the other one's first ack go to $work/times.DB.
takeover() {
	db=$1 n_stored=$2 n_kills=$3
	say "--- postgresql: takeover with $n_stored reports stored, $n_kills SIGKILLs"
	as_pg "$PGBIN/createdb" -h "$pg" -U tiendo "$db" || fail "createdb $db"
	"$B/bench/ceiling" --db "$(uri "$db")" --copy --rows "$n_stored" --batch 50000 \
		--clients "$CLIENTS" --chunk "$BATCH" --units "$units" --tasks "$tasks" >"$work/fill.out" ||
		fail "filling: $(cat "$work/fill.out")"
	rm -rf "$work/a" "$work/b"
	# Fixed ports: let one daemon pick them, then keep them.
	daemon "$db" "$work/a" 0 0
	wait_file "$work/a/endpoints" 60000 || fail "tiendod a did not start"
	ing_a=$(sed -n 's/^ingest=tcp:\/\/127.0.0.1://p' "$work/a/endpoints")
	http_a=$(sed -n 's/^http=http:\/\/127.0.0.1://p' "$work/a/endpoints")
	apid=$dpid
	daemon "$db" "$work/b" $((ing_a + 1)) $((http_a + 1))
	bpid=$dpid
	n=0; until grep -q "standby: another" "$work/tiendod.log"; do n=$((n + 1)); [ $n -lt 3000 ] || fail "no standby"; sleep 0.02; done
	: >"$work/times.$db"
	seq=0
	active=a
	for k in $(seq 1 "$n_kills"); do
		if [ $active = a ]; then kpid=$apid port=$((ing_a + 1)); else kpid=$bpid port=$ing_a; fi
		t0=$(now_ns)
		kill -KILL "$kpid"; wait "$kpid" 2>/dev/null || true
		# The first ack from the other one: one report, resent until
		# acked (a DUPLICATE answer: an earlier try went in, its ack
		# came too late).
		seq=$((seq + 1))
		until "$B/tools/zsend" --plain --timeout 300 --client takeover --report "$seq|u01|t01|add|1|now" \
			"tcp://127.0.0.1:$port" 2>/dev/null | grep -Eq "report $seq (ACCEPTED|DUPLICATE)"; do
			[ $(( ($(now_ns) - t0) / 1000000000 )) -lt 300 ] || fail "no takeover in 300 s"
			sleep 0.01
		done
		echo $(( ($(now_ns) - t0) / 1000000 )) >>"$work/times.$db"
		: >"$work/tiendod.log"
		# The killed one comes back as the standby.
		if [ $active = a ]; then daemon "$db" "$work/a" "$ing_a" "$http_a"; apid=$dpid; active=b
		else daemon "$db" "$work/b" $((ing_a + 1)) $((http_a + 1)); bpid=$dpid; active=a; fi
		n=0; until grep -q "standby: another" "$work/tiendod.log"; do n=$((n + 1)); [ $n -lt 3000 ] || fail "no standby"; sleep 0.02; done
	done
	kill -KILL $apid $bpid 2>/dev/null || true
	wait $apid $bpid 2>/dev/null || true
	as_pg "$PGBIN/dropdb" -h "$pg" -U tiendo "$db" || true
}
# p50 and max of $work/times.$1.
p50() { sort -n "$work/times.$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
pmax() { sort -n "$work/times.$1" | tail -1; }
takeover takeover "$STORED" "$TAKEOVERS"
p50=$(p50 takeover) max=$(pmax takeover)
[ "$BIG" -eq 0 ] || takeover takeoverbig "$BIG" "$BIG_TAKEOVERS"

ratio=$(awk -v d="$durable" -v c="$ceiling" 'BEGIN { printf "%.2f", (c > 0 ? d / c : 0) }')
echo
printf 'bench: %-50s %12s reports/s\n' "postgresql raw ceiling (COPY, batch $CBATCH)" "$ceiling"
printf 'bench: %-50s %12s reports/s\n' "postgresql tiendod durable ingest" "$durable"
printf 'bench: %-50s %12s (goal >= 0.7 %s)\n' "postgresql ratio" "$ratio" \
	"$(awk -v r="$ratio" 'BEGIN { print (r >= 0.7 ? "met" : "MISSED") }')"
printf 'bench: postgresql takeover with %s reports: p50 %s ms, max %s ms over %s (goal <= 5000 ms %s)\n' \
	"$STORED" "$p50" "$max" "$TAKEOVERS" "$(awk -v m="$max" 'BEGIN { print (m <= 5000 ? "met" : "MISSED") }')"
if [ "$BIG" -eq 0 ]; then
	say "postgresql takeover at 10 M reports: not measured in this run (BENCH_PG_BIG=0)"
else
	printf 'bench: postgresql takeover with %s reports: p50 %s ms, max %s ms over %s (printed, no goal)\n' \
		"$BIG" "$(p50 takeoverbig)" "$(pmax takeoverbig)" "$BIG_TAKEOVERS"
fi
