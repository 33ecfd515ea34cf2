/*
 * rawsql.c - SQLite alone, for the anchors the bench divides by: no
 * daemon, no store module, no network.
 *
 *   rawsql ceiling --db PATH --schema S [--rows N] [--batch N]
 *                  [--clients N] [--chunk N] [--sync full|normal]
 *   rawsql commit  --db PATH [--rows 10] [--commits 300] [--sync full|normal]
 *
 * ceiling: inserts --rows rows in transactions of --batch (the group size
 * tiendod achieved), WAL, the given synchronous, with one of these
 * schemas, so that each lever of the schema is measured on its own:
 *   store     the reports table as daemon/store.c creates it (text client,
 *             task, unit; reporter, note; UNIQUE (client, seq); the
 *             (task, unit) index)
 *   noindex   store without the (task, unit) index
 *   intids    store with integer ids for client, task and unit
 *   minimal   the least a durable report needs: UNIQUE (client, seq) on
 *             integer ids, one pair id, value, time
 *   minwr     minimal as a WITHOUT ROWID table keyed (client, seq)
 * The rows are rows.h's, the pairs and clients loadgen's.
 * --autocheckpoint 0 leaves the WAL unchecked: what a commit costs when
 * checkpoints run elsewhere (the lever "checkpoints off the loop").
 *
 * commit: the latency anchor: --commits transactions of --rows rows each,
 * one after another (no queue), timed from BEGIN to COMMIT returning;
 * prints p50 and p99 (and the rate, rows/s, of committing that way).
 *
 * pipeline: the lever "overlap the fsync of group N with group N+1": the
 * same transactions committed with synchronous=OFF and no checkpoints,
 * while a second thread fdatasyncs the WAL file; a group counts (is
 * "acked") once a sync that started after its COMMIT has returned, and at
 * most --depth groups wait for that, as clients with a bounded window
 * would.  Latency runs from BEGIN to the ack.  The rate against commit's
 * says what the overlap buys on this disk.
 *
 * The database must not exist yet; it is left in place.  The last line is
 * "result key=value ..." for scripts.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "rows.h"

struct rs_conf {
	const char *mode, *db, *schema, *sync;
	long long rows, batch, clients, chunk, commits;
	long long autocheckpoint; /* pages; -1: SQLite's default (1000) */
	long long depth;          /* pipeline: groups committed, not yet synced */
};

struct rs_schema {
	const char *name, *create, *insert;
	int text_ids; /* client, task, unit as text (else integer ids) */
	int notes;    /* reporter and note columns */
};

static const struct rs_schema rs_schemas[] = {
	{ "store",
	  "CREATE TABLE reports (id INTEGER PRIMARY KEY, client TEXT NOT NULL,"
	  " seq INTEGER NOT NULL, task TEXT NOT NULL, unit TEXT NOT NULL,"
	  " kind INTEGER NOT NULL CHECK (kind IN (1, 2)), value INTEGER NOT NULL,"
	  " observed_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
	  " reporter TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
	  " UNIQUE (client, seq));"
	  "CREATE INDEX reports_pair ON reports (task, unit);",
	  "INSERT OR IGNORE INTO reports (client, seq, task, unit, kind, value,"
	  " observed_at, received_at, reporter, note)"
	  " VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6, ?7, ?8)", 1, 1 },
	{ "noindex",
	  "CREATE TABLE reports (id INTEGER PRIMARY KEY, client TEXT NOT NULL,"
	  " seq INTEGER NOT NULL, task TEXT NOT NULL, unit TEXT NOT NULL,"
	  " kind INTEGER NOT NULL CHECK (kind IN (1, 2)), value INTEGER NOT NULL,"
	  " observed_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
	  " reporter TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
	  " UNIQUE (client, seq));",
	  "INSERT OR IGNORE INTO reports (client, seq, task, unit, kind, value,"
	  " observed_at, received_at, reporter, note)"
	  " VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6, ?7, ?8)", 1, 1 },
	{ "intids",
	  "CREATE TABLE reports (id INTEGER PRIMARY KEY, client INTEGER NOT NULL,"
	  " seq INTEGER NOT NULL, task INTEGER NOT NULL, unit INTEGER NOT NULL,"
	  " kind INTEGER NOT NULL CHECK (kind IN (1, 2)), value INTEGER NOT NULL,"
	  " observed_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
	  " reporter TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
	  " UNIQUE (client, seq));"
	  "CREATE INDEX reports_pair ON reports (task, unit);",
	  "INSERT OR IGNORE INTO reports (client, seq, task, unit, kind, value,"
	  " observed_at, received_at, reporter, note)"
	  " VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6, ?7, ?8)", 0, 1 },
	{ "minimal",
	  "CREATE TABLE reports (id INTEGER PRIMARY KEY, client INTEGER NOT NULL,"
	  " seq INTEGER NOT NULL, pair INTEGER NOT NULL, value INTEGER NOT NULL,"
	  " at INTEGER NOT NULL, UNIQUE (client, seq));",
	  "INSERT OR IGNORE INTO reports (client, seq, pair, value, at)"
	  " VALUES (?1, ?2, ?3, ?5, ?6)", 0, 0 },
	{ "minwr",
	  "CREATE TABLE reports (client INTEGER NOT NULL, seq INTEGER NOT NULL,"
	  " pair INTEGER NOT NULL, value INTEGER NOT NULL, at INTEGER NOT NULL,"
	  " PRIMARY KEY (client, seq)) WITHOUT ROWID;",
	  "INSERT OR IGNORE INTO reports (client, seq, pair, value, at)"
	  " VALUES (?1, ?2, ?3, ?5, ?6)", 0, 0 },
};

static int
rs_fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "rawsql: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	return -1;
}

static int
rs_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : rs_fail(db, sql);
}

static sqlite3 *
rs_open(const struct rs_conf *cf)
{
	struct stat sb;
	sqlite3 *db = NULL;
	char sql[64];

	if (stat(cf->db, &sb) == 0 || errno != ENOENT) {
		fprintf(stderr, "rawsql: %s exists: a fresh database is needed\n", cf->db);
		return NULL;
	}
	snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", cf->sync);
	if (sqlite3_open(cf->db, &db) != SQLITE_OK ||
	    rs_exec(db, "PRAGMA journal_mode = WAL") < 0 || rs_exec(db, sql) < 0 ||
	    (cf->autocheckpoint >= 0 &&
	     sqlite3_wal_autocheckpoint(db, (int)cf->autocheckpoint) != SQLITE_OK)) {
		rs_fail(db, cf->db);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* One row as loadgen would send it: client idx, its seq-th report. */
static int
rs_insert(sqlite3_stmt *ins, const struct rs_schema *s, int idx, long long seq,
          size_t nu, size_t nt, long long now)
{
	static const long long milli[] = { 12500, 3000, 150000, 250, 40000, 7125, 1000, 25000 };
	char client[32], task[24], unit[24];
	size_t p = (size_t)((seq + idx * 13) % (long long)(nu * nt));
	int rc;

	sqlite3_reset(ins);
	if (s->text_ids) {
		snprintf(client, sizeof client, "bench-%d", idx);
		snprintf(task, sizeof task, "t%02zu", p / nu + 1);
		snprintf(unit, sizeof unit, "u%02zu", p % nu + 1);
		sqlite3_bind_text(ins, 1, client, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, task, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, unit, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_int64(ins, 1, idx + 1);
		sqlite3_bind_int64(ins, 3, s->notes ? (long long)(p / nu) : (long long)p);
		if (s->notes)
			sqlite3_bind_int64(ins, 4, (long long)(p % nu));
	}
	sqlite3_bind_int64(ins, 2, seq);
	sqlite3_bind_int64(ins, 5, milli[seq % BENCH_NELEM(milli)]);
	sqlite3_bind_int64(ins, 6, now);
	if (s->notes) {
		sqlite3_bind_text(ins, 7, bench_reporters[seq % BENCH_NELEM(bench_reporters)],
		                  -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, bench_notes[seq % BENCH_NELEM(bench_notes)],
		                  -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(ins);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
rs_ceiling(const struct rs_conf *cf)
{
	const struct rs_schema *s = NULL;
	sqlite3 *db;
	sqlite3_stmt *ins = NULL;
	long long *seqs = calloc((size_t)cf->clients, sizeof *seqs), txns = 0;
	int64_t t0;
	double secs;
	int status = 1;

	for (size_t i = 0; i < BENCH_NELEM(rs_schemas); i++)
		if (strcmp(cf->schema, rs_schemas[i].name) == 0)
			s = &rs_schemas[i];
	if (s == NULL || seqs == NULL) {
		fprintf(stderr, "rawsql: unknown --schema %s\n", cf->schema);
		free(seqs);
		return 64;
	}
	if ((db = rs_open(cf)) == NULL) {
		free(seqs);
		return 1;
	}
	if (rs_exec(db, s->create) < 0 ||
	    sqlite3_prepare_v2(db, s->insert, -1, &ins, NULL) != SQLITE_OK) {
		rs_fail(db, "schema");
		goto out;
	}
	t0 = bench_mono();
	for (long long r = 0; r < cf->rows; txns++) {
		long long end = r + cf->batch < cf->rows ? r + cf->batch : cf->rows;

		if (rs_exec(db, "BEGIN IMMEDIATE") < 0)
			goto out;
		for (; r < end; r++) {
			int idx = (int)((r / cf->chunk) % cf->clients);

			if (rs_insert(ins, s, idx, ++seqs[idx], 12, 10,
			              (long long)(bench_mono() / 1000000)) < 0) {
				rs_fail(db, "insert");
				goto out;
			}
		}
		if (rs_exec(db, "COMMIT") < 0)
			goto out;
	}
	secs = (double)(bench_mono() - t0) / 1e9;
	printf("rawsql: schema %s: %lld rows in %lld transactions of %lld "
	       "(WAL, synchronous=%s): %.3f s, %.0f rows/s\n", s->name, cf->rows,
	       txns, cf->batch, cf->sync, secs, (double)cf->rows / secs);
	printf("result schema=%s rows=%lld batch=%lld seconds=%.3f rate=%.0f\n",
	       s->name, cf->rows, cf->batch, secs, (double)cf->rows / secs);
	status = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(seqs);
	return status;
}

static int
rs_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double
rs_pct_ms(const int64_t *v, size_t n, double p)
{
	size_t k = (size_t)ceil(p * (double)n);

	k = k < 1 ? 1 : k > n ? n : k;
	return (double)v[k - 1] / 1e6;
}

static int
rs_commit(const struct rs_conf *cf)
{
	const struct rs_schema *s = &rs_schemas[0];
	int64_t *lat = calloc((size_t)cf->commits, sizeof *lat);
	sqlite3_stmt *ins = NULL;
	sqlite3 *db = lat ? rs_open(cf) : NULL;
	long long seq = 0;
	int64_t start;
	double secs;
	int status = 1;

	if (db == NULL) {
		free(lat);
		return 1;
	}
	if (rs_exec(db, s->create) < 0 ||
	    sqlite3_prepare_v2(db, s->insert, -1, &ins, NULL) != SQLITE_OK) {
		rs_fail(db, "schema");
		goto out;
	}
	start = bench_mono();
	for (long long c = 0; c < cf->commits; c++) {
		int64_t t0 = bench_mono();

		if (rs_exec(db, "BEGIN IMMEDIATE") < 0)
			goto out;
		for (long long r = 0; r < cf->rows; r++)
			if (rs_insert(ins, s, 0, ++seq, 12, 10, t0 / 1000000) < 0) {
				rs_fail(db, "insert");
				goto out;
			}
		if (rs_exec(db, "COMMIT") < 0)
			goto out;
		lat[c] = bench_mono() - t0;
	}
	secs = (double)(bench_mono() - start) / 1e9;
	qsort(lat, (size_t)cf->commits, sizeof *lat, rs_cmp);
	printf("rawsql: %lld commits of %lld rows (WAL, synchronous=%s): p50 %.3f ms, "
	       "p99 %.3f ms, max %.3f ms\n", cf->commits, cf->rows, cf->sync,
	       rs_pct_ms(lat, (size_t)cf->commits, 0.5),
	       rs_pct_ms(lat, (size_t)cf->commits, 0.99),
	       rs_pct_ms(lat, (size_t)cf->commits, 1.0));
	printf("result commits=%lld rows=%lld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f"
	       " rate=%.0f\n",
	       cf->commits, cf->rows, rs_pct_ms(lat, (size_t)cf->commits, 0.5),
	       rs_pct_ms(lat, (size_t)cf->commits, 0.99),
	       rs_pct_ms(lat, (size_t)cf->commits, 1.0),
	       (double)(cf->rows * cf->commits) / secs);
	status = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(lat);
	return status;
}

/* The pipeline's shared state: groups committed (written to the WAL, not
 * synced) and groups covered by a finished fdatasync. */
struct rs_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long long written, synced, syncs;
	int fd, done, failed;
	int64_t *t0, *lat;
};

static void *
rs_syncer(void *arg)
{
	struct rs_pipe *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		long long target;

		while (!p->done && p->written == p->synced)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->written == p->synced)
			break;
		target = p->written;
		pthread_mutex_unlock(&p->mu);
		/* Everything COMMIT wrote before this call is covered by it. */
		if (fdatasync(p->fd) < 0) {
			perror("rawsql: fdatasync");
			pthread_mutex_lock(&p->mu);
			p->failed = 1;
			p->done = 1;
			pthread_cond_broadcast(&p->cv);
			break;
		}
		int64_t now = bench_mono();
		pthread_mutex_lock(&p->mu);
		for (long long g = p->synced; g < target; g++)
			p->lat[g] = now - p->t0[g];
		p->synced = target;
		p->syncs++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int
rs_pipeline(const struct rs_conf *cf)
{
	const struct rs_schema *s = &rs_schemas[0];
	struct rs_conf off = *cf;
	struct rs_pipe p = { .mu = PTHREAD_MUTEX_INITIALIZER,
	                     .cv = PTHREAD_COND_INITIALIZER, .fd = -1 };
	sqlite3_stmt *ins = NULL;
	sqlite3 *db;
	pthread_t th;
	char wal[4200];
	long long seq = 0;
	int64_t start;
	double secs;
	int status = 1, started = 0;

	off.sync = "OFF";
	off.autocheckpoint = 0; /* a checkpoint must not outrun the sync */
	p.t0 = calloc((size_t)cf->commits, sizeof *p.t0);
	p.lat = calloc((size_t)cf->commits, sizeof *p.lat);
	if (p.t0 == NULL || p.lat == NULL || (db = rs_open(&off)) == NULL) {
		free(p.t0);
		free(p.lat);
		return 1;
	}
	snprintf(wal, sizeof wal, "%s-wal", cf->db);
	if (rs_exec(db, s->create) < 0 ||
	    sqlite3_prepare_v2(db, s->insert, -1, &ins, NULL) != SQLITE_OK) {
		rs_fail(db, "schema");
		goto out;
	}
	if ((p.fd = open(wal, O_RDWR)) < 0) {
		fprintf(stderr, "rawsql: %s: %s\n", wal, strerror(errno));
		goto out;
	}
	if (pthread_create(&th, NULL, rs_syncer, &p) != 0) {
		fprintf(stderr, "rawsql: pthread_create failed\n");
		goto out;
	}
	started = 1;
	start = bench_mono();
	for (long long c = 0; c < cf->commits; c++) {
		pthread_mutex_lock(&p.mu);
		while (!p.failed && c - p.synced >= cf->depth)
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		if (p.failed)
			goto out;
		p.t0[c] = bench_mono();
		if (rs_exec(db, "BEGIN IMMEDIATE") < 0)
			goto out;
		for (long long r = 0; r < cf->rows; r++)
			if (rs_insert(ins, s, 0, ++seq, 12, 10, p.t0[c] / 1000000) < 0) {
				rs_fail(db, "insert");
				goto out;
			}
		if (rs_exec(db, "COMMIT") < 0)
			goto out;
		pthread_mutex_lock(&p.mu);
		p.written = c + 1;
		pthread_cond_signal(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	while (!p.failed && p.synced < cf->commits)
		pthread_cond_wait(&p.cv, &p.mu);
	pthread_mutex_unlock(&p.mu);
	secs = (double)(bench_mono() - start) / 1e9;
	if (p.failed)
		goto out;
	qsort(p.lat, (size_t)cf->commits, sizeof *p.lat, rs_cmp);
	printf("rawsql: %lld groups of %lld rows, commit without sync, %lld "
	       "fdatasyncs of the WAL beside it, depth %lld: %.0f rows/s; group to "
	       "synced p50 %.3f ms, p99 %.3f ms\n", cf->commits, cf->rows, p.syncs,
	       cf->depth, (double)(cf->rows * cf->commits) / secs,
	       rs_pct_ms(p.lat, (size_t)cf->commits, 0.5),
	       rs_pct_ms(p.lat, (size_t)cf->commits, 0.99));
	printf("result commits=%lld rows=%lld syncs=%lld rate=%.0f p50_ms=%.3f "
	       "p99_ms=%.3f\n", cf->commits, cf->rows, p.syncs,
	       (double)(cf->rows * cf->commits) / secs,
	       rs_pct_ms(p.lat, (size_t)cf->commits, 0.5),
	       rs_pct_ms(p.lat, (size_t)cf->commits, 0.99));
	status = 0;
out:
	if (started) {
		pthread_mutex_lock(&p.mu);
		p.done = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(th, NULL);
	}
	if (p.fd >= 0)
		close(p.fd);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(p.t0);
	free(p.lat);
	return status;
}

static int
rs_num(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end || *out < min || *out > max ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct rs_conf cf = {
		.schema = "minimal", .sync = "FULL", .rows = 0, .batch = 800,
		.clients = 8, .chunk = 100, .commits = 300, .autocheckpoint = -1,
		.depth = 2,
	};
	int i;

	if (argc < 2 || (strcmp(argv[1], "ceiling") && strcmp(argv[1], "commit") &&
	                 strcmp(argv[1], "pipeline")))
		goto usage;
	cf.mode = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		int bad = 0;

		if (!strcmp(k, "--db")) cf.db = v;
		else if (!strcmp(k, "--schema")) cf.schema = v;
		else if (!strcmp(k, "--sync"))
			cf.sync = !strcmp(v, "full") ? "FULL" : !strcmp(v, "normal") ? "NORMAL" : NULL,
			bad = cf.sync == NULL;
		else if (!strcmp(k, "--rows")) bad = rs_num(v, 1, 1000000000000LL, &cf.rows);
		else if (!strcmp(k, "--batch")) bad = rs_num(v, 1, 10000000, &cf.batch);
		else if (!strcmp(k, "--clients")) bad = rs_num(v, 1, 100000, &cf.clients);
		else if (!strcmp(k, "--chunk")) bad = rs_num(v, 1, 10000000, &cf.chunk);
		else if (!strcmp(k, "--commits")) bad = rs_num(v, 1, 10000000, &cf.commits);
		else if (!strcmp(k, "--depth")) bad = rs_num(v, 1, 1000000, &cf.depth);
		else if (!strcmp(k, "--autocheckpoint"))
			bad = rs_num(v, 0, 1000000000, &cf.autocheckpoint);
		else goto usage;
		if (bad) {
			fprintf(stderr, "rawsql: bad %s: %s\n", k, v);
			return 64;
		}
	}
	if (i != argc || cf.db == NULL)
		goto usage;
	if (!strcmp(cf.mode, "commit") || !strcmp(cf.mode, "pipeline")) {
		if (cf.rows == 0)
			cf.rows = 10;
		return cf.mode[1] == 'o' ? rs_commit(&cf) : rs_pipeline(&cf);
	}
	if (cf.rows == 0)
		cf.rows = 1000000;
	return rs_ceiling(&cf);
usage:
	fprintf(stderr,
	    "usage: rawsql ceiling --db PATH [--schema store|noindex|intids|minimal|minwr]\n"
	    "                      [--rows N] [--batch N] [--clients N] [--chunk N]\n"
	    "                      [--sync full|normal] [--autocheckpoint PAGES]\n"
	    "       rawsql commit  --db PATH [--rows 10] [--commits 300] [--sync full|normal]\n"
	    "       rawsql pipeline --db PATH [--rows 10] [--commits 300] [--depth 2]\n");
	return 64;
}
